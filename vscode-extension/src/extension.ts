// The VS Code face of ecrlint on the desktop: runs a language server — the native `ecrlint server`
// over stdio (bundled, configured or on PATH), or the same language service compiled to
// WebAssembly in a Node.js process beside the extension host (`ecrlint.engine`) — and passes the
// `ecrlint.*` settings through. Every finding and fix comes from the server.

import * as path from "node:path";

import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  TransportKind,
  type ServerOptions,
} from "vscode-languageclient/node";

import { affects, CHECK_SETTINGS, clientOptions, currentSettings, fixAll } from "./common";
import { findServer, type Discovery } from "./discovery";
import { serverSettings } from "./settings";

export { FIX_ALL_KIND, fixAll } from "./common";

/** The WebAssembly language server, run by Node.js (`src/server/node.ts`, bundled). */
export const WASM_SERVER = path.join("dist", "wasm-server.js");

export type Engine = "auto" | "native" | "wasm";

/** YAML and JSON documents, plus CloudFormation's usual file names whatever language VS Code gave
 * them (`.template` opens as plain text). The server decides what is ours. */
export const DOCUMENT_SELECTOR = [
  { scheme: "file", language: "yaml" },
  { scheme: "untitled", language: "yaml" },
  { scheme: "file", language: "json" },
  { scheme: "untitled", language: "json" },
  { scheme: "file", language: "jsonc" },
  { scheme: "file", pattern: "**/*.template" },
  { scheme: "file", pattern: "**/*.{cfn,cf}.{yaml,yml,json}" },
  { scheme: "file", language: "terraform" },
  { scheme: "untitled", language: "terraform" },
  { scheme: "file", pattern: "**/*.tf" },
];

/** Settings that decide whether and which server runs: a change restarts it. */
const RESTART_SETTINGS = ["enable", "path", "engine"];

/** `ecrlint.engine`, with anything else read as `auto`. */
function engineSetting(config: vscode.WorkspaceConfiguration): Engine {
  const engine = config.get<string>("engine", "auto");
  return engine === "native" || engine === "wasm" ? engine : "auto";
}

let controller: ServerController | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel("ecrlint");
  const started = new ServerController(context.extensionPath, output);
  controller = started;
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand("ecrlint.restartServer", () => started.restart()),
    vscode.commands.registerCommand("ecrlint.showOutput", () => output.show(true)),
    vscode.commands.registerCommand("ecrlint.fixAll", () => fixAll()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (affects(event, RESTART_SETTINGS)) {
        void started.restart();
      } else if (affects(event, CHECK_SETTINGS)) {
        void started.sendSettings();
      }
    }),
    // `ecrlint.path` counts only once the workspace is trusted.
    vscode.workspace.onDidGrantWorkspaceTrust(() => void started.restart()),
  );
  await started.start();
}

export async function deactivate(): Promise<void> {
  await controller?.stop();
  controller = undefined;
}

/** Starts and stops the language client, one operation at a time. */
export class ServerController {
  private client: LanguageClient | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly extensionPath: string,
    private readonly output: vscode.OutputChannel,
  ) {}

  get running(): LanguageClient | undefined {
    return this.client;
  }

  start(): Promise<void> {
    return this.enqueue(() => this.startNow());
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.stopNow());
  }

  restart(): Promise<void> {
    return this.enqueue(async () => {
      await this.stopNow();
      await this.startNow();
    });
  }

  /** Sends the current settings to the running server (`workspace/didChangeConfiguration`). */
  sendSettings(): Promise<void> {
    return this.enqueue(async () => {
      const client = this.client;
      if (!client) {
        return;
      }
      const { settings, problems } = currentSettings();
      this.reportIgnored(problems);
      await client.sendNotification(DidChangeConfigurationNotification.type, { settings });
    });
  }

  private reportIgnored(problems: string[]): void {
    for (const problem of problems) {
      this.output.appendLine(`Setting ignored: ${problem}`);
    }
  }

  private enqueue(operation: () => Promise<void>): Promise<void> {
    const next = this.queue.then(operation);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async startNow(): Promise<void> {
    const config = vscode.workspace.getConfiguration("ecrlint");
    if (!config.get<boolean>("enable", true)) {
      this.output.appendLine("ecrlint is disabled (ecrlint.enable is false).");
      return;
    }
    const engine = engineSetting(config);
    if (engine === "wasm") {
      await this.startWasm("ecrlint.engine is wasm");
      return;
    }
    const discovery = findServer({
      configuredPath: config.inspect<string>("path")?.globalValue ?? undefined,
      trusted: vscode.workspace.isTrusted,
      extensionPath: this.extensionPath,
      platform: process.platform,
      env: process.env,
    });
    const notes = discovery.kind === "configured-missing" ? [] : discovery.notes;
    for (const note of notes) {
      this.output.appendLine(note);
    }
    if (discovery.kind === "none" && engine === "auto") {
      this.output.appendLine(`No native ecrlint server here (looked at: ${discovery.searched.join(", ")}).`);
      await this.startWasm("no native server was found");
      return;
    }
    if (discovery.kind !== "found") {
      await reportMissingServer(discovery, this.output);
      return;
    }
    await this.startClient(
      { command: discovery.command, args: ["server"] },
      discovery.command,
      `Starting ${discovery.command} server (found via ${describeSource(discovery.source)}).`,
    );
  }

  /** The WebAssembly language server, in a Node.js process beside the extension host. */
  private async startWasm(reason: string): Promise<void> {
    const module = path.join(this.extensionPath, WASM_SERVER);
    const run = { module, transport: TransportKind.ipc };
    await this.startClient({ run, debug: run }, "WebAssembly", `Starting the WebAssembly server (${reason}).`);
  }

  private async startClient(serverOptions: ServerOptions, name: string, starting: string): Promise<void> {
    const { settings, problems } = serverSettings(vscode.workspace.getConfiguration("ecrlint"));
    this.reportIgnored(problems);
    this.output.appendLine(starting);
    const options = clientOptions(DOCUMENT_SELECTOR, settings, this.output);
    const client = new LanguageClient("ecrlint", "ecrlint", serverOptions, options);
    this.client = client;
    try {
      await client.start();
    } catch (error) {
      this.client = undefined;
      const reason = error instanceof Error ? error.message : String(error);
      this.output.appendLine(`The server failed to start: ${reason}`);
      const choice = await vscode.window.showErrorMessage(
        `ecrlint: the language server (${name}) failed to start: ${reason}`,
        "Show Output",
      );
      if (choice === "Show Output") {
        this.output.show(true);
      }
      return;
    }
    const info = client.initializeResult?.serverInfo;
    if (info) {
      this.output.appendLine(`Connected to ${info.name} ${info.version ?? ""}`.trimEnd());
    }
  }

  private async stopNow(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      await client.stop();
    }
  }
}

function describeSource(source: "setting" | "bundled" | "path"): string {
  switch (source) {
    case "setting":
      return "the ecrlint.path setting";
    case "bundled":
      return "the binary bundled with the extension";
    case "path":
      return "PATH";
  }
}

export const OPEN_SETTING = "Open Setting";

async function reportMissingServer(
  discovery: Exclude<Discovery, { kind: "found" }>,
  output: vscode.OutputChannel,
): Promise<void> {
  let message: string;
  if (discovery.kind === "configured-missing") {
    message = `ecrlint: ecrlint.path is "${discovery.configuredPath}", but there is no executable file at ${discovery.resolvedPath}.`;
  } else {
    message =
      "ecrlint: no ecrlint binary found. None is bundled for this platform and none is on PATH: " +
      "install ecrlint (cargo install ecrlint) or set ecrlint.path.";
    output.appendLine(`Looked for the server at: ${discovery.searched.join(", ")}`);
  }
  output.appendLine(message);
  const choice = await vscode.window.showErrorMessage(message, OPEN_SETTING);
  if (choice === OPEN_SETTING) {
    await vscode.commands.executeCommand("workbench.action.openSettings", "ecrlint.path");
  }
}
