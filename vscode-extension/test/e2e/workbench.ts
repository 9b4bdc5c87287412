// A real VS Code for the end-to-end tests: code-server (VS Code served to a browser) on a free
// port of 127.0.0.1 with the packaged extension installed into a throwaway profile, driven in
// Debian's Chromium by playwright-core as a person would, with the keyboard and the Explorer.

import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

import { repoDir } from "../repo";

/** Screenshots of every step, as the playground's tests keep theirs (ignored by git). */
const ARTIFACTS = path.join(repoDir, "test-artifacts");
const CHROMIUM = process.env["CHROMIUM"] ?? "/usr/bin/chromium";
/** How long one step may wait for the workbench (its first start on 2 cores takes ~20 s). */
const STEP_TIMEOUT = 60_000;

/** User settings that keep the workbench from opening anything of its own or going online. */
const QUIET_SETTINGS = {
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "update.mode": "none",
  // VS Code in a browser saves a second after each edit by default: Ctrl+S is the test's to press.
  "files.autoSave": "off",
  "git.enabled": false,
  "security.workspace.trust.enabled": false,
  "editor.quickSuggestions": { other: false, comments: false, strings: false },
};

export interface WorkbenchOptions {
  /** code-server's entry point (`out/node/entry.js` of the npm package). */
  codeServer: string;
  vsix: string;
  /** `ecrlint.*` and other user settings, on top of the quiet ones. */
  settings: Record<string, unknown>;
  /** The workspace's files, by name. */
  files: Record<string, string>;
  /** Prefix of this session's screenshots in test-artifacts/. */
  name: string;
}

/** One problem as the Problems panel shows it. */
export interface Problem {
  severity: "error" | "warning" | "info";
  message: string;
  source: string;
  code: string;
  /** Where the code links to (the diagnostic's `codeDescription`). */
  documentation: string;
  /** `[Ln 17, Col 27]` */
  position: string;
}

export class Workbench {
  private steps = 0;
  private lastScreenshot: string | undefined;

  private constructor(
    private readonly options: WorkbenchOptions,
    private readonly dir: string,
    private readonly server: ChildProcess,
    private readonly serverLog: string,
    private readonly browser: Browser,
    readonly page: Page,
    /** `127.0.0.1:PORT`: how VS Code names the server's extension host. */
    readonly authority: string,
  ) {}

  /** The workspace folder (files are read back from here). */
  get workspace(): string {
    return path.join(this.dir, "ws");
  }

  static async start(options: WorkbenchOptions): Promise<Workbench> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecrlint-vscode-"));
    const userData = path.join(dir, "ud");
    const workspace = path.join(dir, "ws");
    fs.mkdirSync(path.join(userData, "User"), { recursive: true });
    fs.mkdirSync(workspace);
    fs.writeFileSync(
      path.join(userData, "User", "settings.json"),
      JSON.stringify({ ...QUIET_SETTINGS, ...options.settings }, null, 2),
    );
    for (const [name, text] of Object.entries(options.files)) {
      fs.writeFileSync(path.join(workspace, name), text);
    }
    fs.mkdirSync(ARTIFACTS, { recursive: true });

    const common = ["--user-data-dir", userData, "--extensions-dir", path.join(dir, "ext")];
    // code-server writes under XDG folders (its config, logs, a heartbeat) when not told otherwise.
    const env = {
      ...process.env,
      XDG_CONFIG_HOME: path.join(dir, "config"),
      XDG_DATA_HOME: path.join(dir, "data"),
      XDG_CACHE_HOME: path.join(dir, "cache"),
    };
    try {
      await installExtension(options.codeServer, [...common, "--install-extension", options.vsix], env);
    } catch (error) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw error;
    }

    const port = await freePort();
    const serverLog = path.join(dir, "code-server.log");
    const log = fs.openSync(serverLog, "w");
    // Its own process group, so that stopping it stops the extension host and the ecrlint server too.
    const server = spawn(
      process.execPath,
      [
        options.codeServer,
        "--auth",
        "none",
        "--bind-addr",
        `127.0.0.1:${port}`,
        "--disable-telemetry",
        "--disable-update-check",
        "--disable-workspace-trust",
        "--disable-getting-started-override",
        ...common,
        workspace,
      ],
      { env, detached: true, stdio: ["ignore", log, log] },
    );
    fs.closeSync(log);
    const killOnExit = () => killGroup(server, "SIGKILL");
    process.once("exit", killOnExit);
    server.once("exit", () => process.removeListener("exit", killOnExit));

    let browser: Browser | undefined;
    try {
      const authority = `127.0.0.1:${port}`;
      const url = `http://${authority}`;
      await waitForHealth(url, server);
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-background-networking",
          "--disable-component-update",
          "--no-first-run",
        ],
      });
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const page = await context.newPage();
      page.setDefaultTimeout(STEP_TIMEOUT);
      const workbench = new Workbench(options, dir, server, serverLog, browser, page, authority);
      await workbench.step("workbench loaded", async () => {
        await page.goto(`${url}/?folder=${encodeURIComponent(workspace)}`);
        await page.locator(".monaco-workbench").waitFor();
        await workbench.explorerItem(Object.keys(options.files)[0] ?? "").waitFor();
      });
      return workbench;
    } catch (error) {
      await browser?.close();
      await stopServer(server);
      const failure = error instanceof StepFailure ? error : withLog(error, serverLog, "code-server's log");
      fs.rmSync(dir, { recursive: true, force: true });
      throw failure;
    }
  }

  /** Closes the browser, stops code-server (and what it started), removes the profile. */
  async stop(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    await stopServer(this.server);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * Runs one step and takes a screenshot after it. A failed step is reported with its name, the
   * screenshot of the moment it failed (else the last one taken), and the ends of code-server's
   * log and of the ecrlint output channel.
   */
  async step<T>(name: string, action: () => Promise<T>): Promise<T> {
    this.steps += 1;
    const slug = `${this.options.name}-${String(this.steps).padStart(2, "0")}-${name.replace(/[^a-z0-9]+/gi, "-")}`;
    try {
      const result = await action();
      await this.screenshot(`${slug}.png`);
      return result;
    } catch (error) {
      await this.screenshot(`${slug}-FAILED.png`);
      const message = error instanceof Error ? error.message : String(error);
      const failure = new Error(
        `step "${name}" failed: ${message}\nscreenshot: ${this.lastScreenshot ?? "(none could be taken)"}`,
      );
      const logs = withLog(failure, this.keep(this.serverLog, "code-server.log"), "code-server's log");
      const output = await this.keepOutputChannel().catch(() => "(the ecrlint output channel could not be read)");
      throw new StepFailure(withLog(logs, output, "the ecrlint output channel (with the protocol trace)").message);
    }
  }

  /** A copy of the extension's output channel in test-artifacts/, wherever its host logged it. */
  private async keepOutputChannel(): Promise<string> {
    const channel = await this.outputChannel();
    if (!channel) {
      return "(no ecrlint output channel)";
    }
    if (channel.host === "server") {
      return this.keep(channel.log, "ecrlint-output.log");
    }
    const copy = path.join(ARTIFACTS, `${this.options.name}-ecrlint-output.log`);
    fs.writeFileSync(copy, channel.text);
    return copy;
  }

  /** A copy of `log` in test-artifacts/ (the profile is removed when the session stops). */
  private keep(log: string, name: string): string {
    const copy = path.join(ARTIFACTS, `${this.options.name}-${name}`);
    try {
      fs.copyFileSync(log, copy);
      return copy;
    } catch {
      return log;
    }
  }

  /**
   * The extension's output channel as its extension host logs it: code-server's Node.js host in
   * a file on the server (`ud/logs/…/exthost1/output_logging_…/1-ecrlint.log`), the browser's web
   * worker host in the page's IndexedDB (`/…/exthost/webWorker/output_logging_…/1-ecrlint.log`
   * in `vscode-web-db`). Undefined while neither holds it (VS Code writes it a moment later).
   */
  async outputChannel(): Promise<OutputChannelLog | undefined> {
    const logs = path.join(this.dir, "ud", "logs");
    const file = fs.existsSync(logs)
      ? fs.readdirSync(logs, { recursive: true, encoding: "utf8" }).find((name) => name.endsWith("-ecrlint.log"))
      : undefined;
    if (file) {
      const log = path.join(logs, file);
      return { host: "server", log, text: fs.readFileSync(log, "utf8") };
    }
    const inBrowser = await this.page.evaluate(browserLog, "-ecrlint.log");
    return inBrowser ? { host: "browser", ...inBrowser } : undefined;
  }

  /**
   * What the processes code-server started run from the installed extensions' folders: for each,
   * its arguments from the first under an extension's folder on, made relative to that folder
   * (`["server/ecrlint", "server"]`). Read from /proc: the processes of code-server's group.
   */
  extensionProcesses(): string[][] {
    const extensions = path.join(this.dir, "ext") + path.sep;
    const found: string[][] = [];
    for (const pid of fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
      let stat: string;
      let argv: string[];
      try {
        stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter((arg) => arg !== "");
      } catch {
        continue; // Exited meanwhile.
      }
      // pid (comm) state ppid pgrp …: the command name may hold spaces and parentheses.
      const pgrp = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
      const first = argv.findIndex((arg) => arg.startsWith(extensions));
      if (pgrp !== this.server.pid || first < 0) {
        continue;
      }
      const relative = (arg: string) =>
        arg.startsWith(extensions) ? arg.slice(extensions.length).replace(/^[^/]+\//, "") : arg;
      found.push(argv.slice(first).map(relative));
    }
    return found;
  }

  /** Runs a command from the Command Palette (F1) by its label, as it is listed there. */
  async runCommand(label: string): Promise<void> {
    await this.page.keyboard.press("F1");
    const input = this.page.locator(".quick-input-widget input");
    await input.waitFor();
    await input.fill(`>${label}`);
    // The first match is focused; a keybinding is added to its label after a comma.
    await this.page
      .locator(`.quick-input-list .monaco-list-row.focused:is([aria-label="${label}"], [aria-label^="${label}, "])`)
      .waitFor();
    await this.page.keyboard.press("Enter");
    await this.page.locator(".quick-input-widget").waitFor({ state: "hidden" });
  }

  /**
   * Where "Developer: Show Running Extensions" says the extension `name` runs: `web worker` or the
   * server's authority (`127.0.0.1:PORT`). Only the rows in view are drawn, and the list sorts
   * itself again as extensions activate: it is paged through with the keyboard (PageDown, Home
   * at its end) until the row shows. The editor stays open.
   */
  async runningExtensionHost(name: string): Promise<string> {
    await this.runCommand("Developer: Show Running Extensions");
    let host: string;
    const rows = this.page.locator(".runtime-extensions-editor .monaco-list-row");
    await rows.first().click();
    const deadline = Date.now() + STEP_TIMEOUT;
    for (;;) {
      // Read at once: the list draws its rows anew whenever it sorts itself.
      const seen = await rows.evaluateAll(
        (rows, name) => ({
          host: rows.find((row) => row.getAttribute("aria-label") === name)?.querySelector(".msg")?.textContent,
          labels: rows.map((row) => row.getAttribute("aria-label")),
          atEnd: rows.some(
            (row) =>
              row.classList.contains("focused") &&
              Number(row.getAttribute("data-index")) + 1 === Number(row.getAttribute("aria-setsize")),
          ),
        }),
        name,
      );
      if (typeof seen.host === "string") {
        host = seen.host.trim();
        break;
      }
      if (Date.now() > deadline) {
        throw new Error(`Running Extensions lists no ${name} (shown: ${JSON.stringify(seen.labels)})`);
      }
      await this.page.keyboard.press(seen.atEnd ? "Home" : "PageDown");
      await pause();
    }
    return host;
  }

  /**
   * The text at the top of the Output view after "ecrlint: Show Output" and Ctrl+Home in it: the
   * lines drawn, from the top, joined without a break (the view wraps a long line into several,
   * and Monaco draws spaces as no-break spaces).
   */
  async outputViewTop(): Promise<string> {
    await this.runCommand("ecrlint: Show Output");
    const view = this.page.locator('[id="workbench.panel.output"] .monaco-editor');
    await view.click();
    await this.page.keyboard.press("Control+Home");
    const lines = view.locator(".view-lines .view-line");
    await lines.and(this.page.locator('[style*="top:0px"], [style*="top: 0px"]')).waitFor();
    const drawn = await lines.evaluateAll((lines) =>
      lines.map((line) => ({ top: parseFloat((line as HTMLElement).style.top), text: line.textContent ?? "" })),
    );
    drawn.sort((a, b) => a.top - b.top);
    return drawn.map((line) => line.text.replace(/\u00a0/g, " ")).join("");
  }

  private async screenshot(file: string): Promise<void> {
    const target = path.join(ARTIFACTS, file);
    try {
      await this.page.screenshot({ path: target, timeout: 10_000 });
      this.lastScreenshot = target;
    } catch {
      // A page that cannot be captured any more (a crashed renderer) leaves the last one standing.
    }
  }

  explorerItem(name: string) {
    return this.page.locator(`.explorer-folders-view .monaco-list-row[aria-label="${name}"]`);
  }

  /** Opens a workspace file from the Explorer with a click, and waits for its editor. */
  async openFromExplorer(name: string): Promise<void> {
    await this.explorerItem(name).click();
    await this.page.locator(`.tabs-container .tab.active[aria-label^="${name}"]`).waitFor();
    await this.page.locator(".editor-instance .monaco-editor .view-lines").first().waitFor();
  }

  /** Puts the cursor at the start of the active editor's text: Ctrl+1 (focus the first editor
   * group), Ctrl+Home. */
  async focusEditor(): Promise<void> {
    await this.page.keyboard.press("Control+1");
    await this.page.locator(".editor-instance .monaco-editor.focused").waitFor();
    await this.page.keyboard.press("Control+Home");
  }

  /** Shows the Problems panel (Ctrl+Shift+M toggles it, so only when it is not shown). */
  async showProblems(): Promise<void> {
    const panel = this.page.locator(".markers-panel");
    if (!(await panel.isVisible())) {
      await this.page.keyboard.press("Control+Shift+M");
      await panel.waitFor();
    }
  }

  /** The problems the Problems panel lists, in its order. */
  async problems(): Promise<Problem[]> {
    const rows = this.page.locator(".markers-panel .monaco-list-row .marker-message-details-container");
    return rows.evaluateAll((rows) =>
      rows.map((row) => {
        const icon = row.closest(".monaco-list-row")?.querySelector(".marker-icon");
        const severity = icon?.classList.contains("error")
          ? "error"
          : icon?.classList.contains("warning")
            ? "warning"
            : "info";
        const text = (selector: string) => row.querySelector(selector)?.textContent ?? "";
        return {
          severity,
          message: text(".marker-message"),
          source: text(".marker-source"),
          code: text(".marker-code"),
          documentation: row.querySelector("a.monaco-link")?.getAttribute("href") ?? "",
          position: text(".marker-line"),
        } as const;
      }),
    );
  }

  /** Waits until the Problems panel lists exactly `expected` (what it last showed on failure). */
  async waitForProblems(expected: Problem[]): Promise<void> {
    const deadline = Date.now() + STEP_TIMEOUT;
    let shown: Problem[] = [];
    while (Date.now() < deadline) {
      shown = await this.problems();
      if (JSON.stringify(shown) === JSON.stringify(expected)) {
        return;
      }
      await pause();
    }
    throw new Error(
      `the Problems panel shows ${JSON.stringify(shown, null, 2)}, not ${JSON.stringify(expected, null, 2)}`,
    );
  }

  /**
   * Moves to the next problem (F8), opens the quick fixes (Ctrl+.), checks they are `offered`,
   * and applies `choice` with the arrow keys and Enter.
   */
  async quickFix(offered: string[], choice: string): Promise<void> {
    await this.focusEditor();
    await this.page.keyboard.press("F8");
    await this.page.locator(".marker-widget").waitFor();
    await this.page.keyboard.press("Escape");
    await this.page.locator(".marker-widget").waitFor({ state: "hidden" });
    const rows = this.page.locator(".action-widget .monaco-list-row.action");
    const none = this.page.locator(".monaco-editor-overlaymessage").filter({ hasText: "No code actions available" });
    // Now and then VS Code asks for the actions at the cursor again by itself just after Ctrl+.
    // (the protocol trace shows the server answering both requests with the fix), and the menu
    // gives way to "No code actions available"; a person presses Ctrl+. again, and so does this.
    for (let attempt = 1; ; attempt++) {
      await this.page.locator(".editor-instance .monaco-editor .lightBulbWidget").waitFor();
      await this.page.keyboard.press("Control+.");
      await rows.first().or(none).waitFor();
      if (await rows.first().isVisible()) {
        break;
      }
      if (attempt === 3) {
        throw new Error("Ctrl+. found no code actions, three times");
      }
      await this.page.keyboard.press("Escape");
      await none.waitFor({ state: "hidden" });
    }
    const labels = await rows.evaluateAll((items) =>
      items.map((item) => item.querySelector(".title")?.textContent ?? item.textContent ?? ""),
    );
    if (JSON.stringify(labels) !== JSON.stringify(offered)) {
      throw new Error(`the quick fixes offered are ${JSON.stringify(labels)}, not ${JSON.stringify(offered)}`);
    }
    const index = labels.indexOf(choice);
    if (index < 0) {
      throw new Error(`no quick fix "${choice}" among ${JSON.stringify(labels)}`);
    }
    // The first action is focused when the menu opens.
    for (let i = 0; i < index; i++) {
      await this.page.keyboard.press("ArrowDown");
    }
    await this.page.locator(".action-widget .monaco-list-row.action.focused").filter({ hasText: choice }).waitFor();
    await this.page.keyboard.press("Enter");
    await this.page.locator(".action-widget").waitFor({ state: "hidden" });
  }

  /** Ctrl+S on an edited file, then waits for the tab to lose its unsaved mark. */
  async save(): Promise<void> {
    await this.page.locator(".tabs-container .tab.active.dirty").waitFor();
    await this.page.keyboard.press("Control+S");
    await this.page.locator(".tabs-container .tab.active.dirty").waitFor({ state: "detached" });
  }

  /** Closes every editor (Ctrl+K Ctrl+W), so the next file starts alone. */
  async closeAllEditors(): Promise<void> {
    if ((await this.page.locator(".tabs-container .tab").count()) === 0) {
      return;
    }
    await this.focusEditor();
    await this.page.keyboard.press("Control+K");
    await this.page.keyboard.press("Control+W");
    await this.page.locator(".tabs-container .tab").first().waitFor({ state: "detached" });
  }

  /** A workspace file as it is on disk. */
  readFile(name: string): string {
    return fs.readFileSync(path.join(this.workspace, name), "utf8");
  }

  /** Waits until the file on disk holds `expected` (what it last held on failure). */
  async waitForFile(name: string, expected: string): Promise<void> {
    const deadline = Date.now() + STEP_TIMEOUT;
    let text = "";
    while (Date.now() < deadline) {
      text = this.readFile(name);
      if (text === expected) {
        return;
      }
      await pause();
    }
    throw new Error(`${name} on disk is\n${text}\nnot\n${expected}`);
  }
}

async function installExtension(codeServer: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const child = spawn(process.execPath, [codeServer, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", resolve);
  });
  if (code !== 0 || !/Extension '.*' was successfully installed/.test(output)) {
    throw new Error(`code-server ${args.join(" ")} exited with ${code}:\n${output}`);
  }
}

/** The interval of the waits that poll a condition. */
const pause = () => new Promise((resolve) => setTimeout(resolve, 100));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Waits until `GET /healthz` answers, failing as soon as code-server exits. */
async function waitForHealth(url: string, server: ChildProcess): Promise<void> {
  const deadline = Date.now() + STEP_TIMEOUT;
  while (Date.now() < deadline) {
    if (server.exitCode !== null || server.signalCode !== null) {
      throw new Error(`code-server exited (${server.exitCode ?? server.signalCode}) before answering ${url}/healthz`);
    }
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) {
        return;
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`code-server did not answer ${url}/healthz within ${STEP_TIMEOUT / 1000} s`);
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) {
    return;
  }
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** SIGTERM to code-server's whole process group, SIGKILL if it has not exited within 10 s. */
async function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) {
    killGroup(server, "SIGKILL");
    return;
  }
  const exited = new Promise<void>((resolve) => server.once("exit", () => resolve()));
  killGroup(server, "SIGTERM");
  const timer = setTimeout(() => killGroup(server, "SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
  // The extension host and the language server are in the group too, and may outlive the leader.
  killGroup(server, "SIGKILL");
}

/** An extension's output channel as an extension host logged it. */
export interface OutputChannelLog {
  /** `server`: code-server's Node.js extension host; `browser`: the web worker one. */
  host: "server" | "browser";
  /** The log file (on the server: a path; in the browser: its key in IndexedDB). */
  log: string;
  text: string;
}

/**
 * Runs in the page: the log whose path ends with `suffix` among those the workbench keeps in
 * IndexedDB (`vscode-web-db`, store `vscode-logs-store`: path → bytes), as a web worker
 * extension host writes them.
 */
function browserLog(suffix: string): Promise<{ log: string; text: string } | undefined> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open("vscode-web-db");
    request.onerror = () => reject(request.error);
    request.onsuccess = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains("vscode-logs-store")) {
        db.close();
        resolve(undefined);
        return;
      }
      const store = db.transaction("vscode-logs-store", "readonly").objectStore("vscode-logs-store");
      const keys = store.getAllKeys();
      keys.onerror = () => reject(keys.error);
      keys.onsuccess = () => {
        const log = keys.result.map(String).find((key) => key.endsWith(suffix));
        if (log === undefined) {
          db.close();
          resolve(undefined);
          return;
        }
        const value = store.get(log);
        value.onerror = () => reject(value.error);
        value.onsuccess = () => {
          db.close();
          const bytes: unknown = value.result;
          resolve({ log, text: typeof bytes === "string" ? bytes : new TextDecoder().decode(bytes as Uint8Array) });
        };
      };
    };
  });
}

/** A step that failed, its message already carrying the screenshot and the logs. */
class StepFailure extends Error {}

/** `error` with the last lines of `log` added to its message, and where the whole of it is. */
function withLog(error: unknown, log: string, what: string): Error {
  const message = error instanceof Error ? error.message : String(error);
  let tail: string;
  try {
    tail = fs.readFileSync(log, "utf8").split("\n").slice(-30).join("\n");
  } catch {
    tail = `(${log} cannot be read)`;
  }
  return new Error(`${message}\n--- the end of ${what} (${log}) ---\n${tail}`);
}
