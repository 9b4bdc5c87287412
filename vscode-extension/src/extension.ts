// The VS Code face of ecrlint: finds the `ecrlint` binary, runs `ecrlint server` over stdio and
// passes the `ecrlint.*` settings through. Every finding and fix comes from the server.

import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
} from "vscode-languageclient/node";

import { findServer, type Discovery } from "./discovery";
import { serverSettings } from "./settings";

export const FIX_ALL_KIND = "source.fixAll.ecrlint";

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
const RESTART_SETTINGS = ["enable", "path"];
/** Settings of the checks: a change is sent to the running server, which checks again.
 * (`trace.server` is followed by the language client itself.) */
const CHECK_SETTINGS = ["accountId", "select", "ignore", "severity", "trustedAccounts", "registryScanning"];

const affects = (event: vscode.ConfigurationChangeEvent, keys: string[]) =>
  keys.some((key) => event.affectsConfiguration(`ecrlint.${key}`));

/** The server's settings from the current `ecrlint.*` values, with what had to be dropped. */
function currentSettings() {
  return serverSettings(vscode.workspace.getConfiguration("ecrlint"));
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
    if (discovery.kind !== "found") {
      await reportMissingServer(discovery, this.output);
      return;
    }

    const { settings, problems } = serverSettings(config);
    this.reportIgnored(problems);
    this.output.appendLine(`Starting ${discovery.command} server (found via ${describeSource(discovery.source)}).`);
    const serverOptions: ServerOptions = { command: discovery.command, args: ["server"] };
    const clientOptions: LanguageClientOptions = {
      documentSelector: DOCUMENT_SELECTOR,
      initializationOptions: settings,
      outputChannel: this.output,
      traceOutputChannel: this.output,
      diagnosticCollectionName: "ecrlint",
      middleware: {
        workspace: {
          // The server asks for the `ecrlint` section after starting: answer with exactly what
          // initializationOptions carried, not VS Code's raw section.
          configuration: async (params, token, next) => {
            const answer = await next(params, token);
            if (!Array.isArray(answer)) {
              return answer;
            }
            return params.items.map((item, index) =>
              item.section === "ecrlint" ? currentSettings().settings : answer[index],
            );
          },
        },
      },
    };
    const client = new LanguageClient("ecrlint", "ecrlint", serverOptions, clientOptions);
    this.client = client;
    try {
      await client.start();
    } catch (error) {
      this.client = undefined;
      const reason = error instanceof Error ? error.message : String(error);
      this.output.appendLine(`The server failed to start: ${reason}`);
      const choice = await vscode.window.showErrorMessage(
        `ecrlint: the language server (${discovery.command}) failed to start: ${reason}`,
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

/** Applies the server's `source.fixAll.ecrlint` action to the active document. */
export async function fixAll(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    await vscode.window.showInformationMessage("ecrlint: open a file to fix it.");
    return;
  }
  const document = editor.document;
  const whole = new vscode.Range(
    new vscode.Position(0, 0),
    document.positionAt(document.getText().length),
  );
  const actions =
    (await vscode.commands.executeCommand<vscode.CodeAction[] | undefined>(
      "vscode.executeCodeActionProvider",
      document.uri,
      whole,
      FIX_ALL_KIND,
      1,
    )) ?? [];
  const fixAllKind = vscode.CodeActionKind.SourceFixAll.append("ecrlint");
  const action = actions.find((candidate) => candidate.kind && fixAllKind.contains(candidate.kind));
  const edit = action?.edit;
  if (!action || ((!edit || edit.size === 0) && !action.command)) {
    await vscode.window.showInformationMessage("ecrlint: nothing to fix in this file.");
    return;
  }
  if (edit && edit.size > 0 && !(await vscode.workspace.applyEdit(edit))) {
    await vscode.window.showErrorMessage("ecrlint: the fixes could not be applied (the file changed?).");
    return;
  }
  if (action.command) {
    await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
  }
}
