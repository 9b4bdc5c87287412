// The VS Code face of ecrlint on the web (vscode.dev, github.dev, a web worker extension host):
// the language service compiled to WebAssembly runs as a language server in a web worker
// (`src/server/browser.ts`, bundled); the `ecrlint.*` settings pass through as on the desktop.

import * as vscode from "vscode";
import { DidChangeConfigurationNotification, LanguageClient } from "vscode-languageclient/browser";

import { affects, CHECK_SETTINGS, clientOptions, currentSettings, fixAll } from "./common";

/** The documents of any scheme (a virtual workspace's files are not `file:`). */
export const DOCUMENT_SELECTOR = [
  { language: "yaml" },
  { language: "json" },
  { language: "jsonc" },
  { language: "terraform" },
  { pattern: "**/*.template" },
  { pattern: "**/*.{cfn,cf}.{yaml,yml,json}" },
  { pattern: "**/*.tf" },
];

let client: LanguageClient | undefined;
let queue: Promise<void> = Promise.resolve();

function enqueue(operation: () => Promise<void>): Promise<void> {
  const next = queue.then(operation);
  queue = next.catch(() => undefined);
  return next;
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel("ecrlint");
  const reportIgnored = (problems: string[]) => {
    for (const problem of problems) {
      output.appendLine(`Setting ignored: ${problem}`);
    }
  };

  const start = async () => {
    if (!vscode.workspace.getConfiguration("ecrlint").get<boolean>("enable", true)) {
      output.appendLine("ecrlint is disabled (ecrlint.enable is false).");
      return;
    }
    const { settings, problems } = currentSettings();
    reportIgnored(problems);
    output.appendLine("Starting the WebAssembly server (in a web worker).");
    const script = vscode.Uri.joinPath(context.extensionUri, "dist", "wasm-server-browser.js");
    const worker = new Worker(script.toString(true));
    const started = new LanguageClient("ecrlint", "ecrlint", clientOptions(DOCUMENT_SELECTOR, settings, output), worker);
    client = started;
    try {
      await started.start();
    } catch (error) {
      client = undefined;
      const reason = error instanceof Error ? error.message : String(error);
      output.appendLine(`The server failed to start: ${reason}`);
      void vscode.window.showErrorMessage(`ecrlint: the language server (WebAssembly) failed to start: ${reason}`);
      return;
    }
    const info = started.initializeResult?.serverInfo;
    if (info) {
      output.appendLine(`Connected to ${info.name} ${info.version ?? ""}`.trimEnd());
    }
  };
  const stop = async () => {
    const running = client;
    client = undefined;
    await running?.stop();
  };
  const restart = () =>
    enqueue(async () => {
      await stop();
      await start();
    });

  context.subscriptions.push(
    output,
    vscode.commands.registerCommand("ecrlint.restartServer", restart),
    vscode.commands.registerCommand("ecrlint.showOutput", () => output.show(true)),
    vscode.commands.registerCommand("ecrlint.fixAll", () => fixAll()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (affects(event, ["enable"])) {
        void restart();
      } else if (affects(event, CHECK_SETTINGS)) {
        void enqueue(async () => {
          const { settings, problems } = currentSettings();
          reportIgnored(problems);
          await client?.sendNotification(DidChangeConfigurationNotification.type, { settings });
        });
      }
    }),
  );
  await enqueue(start);
}

export async function deactivate(): Promise<void> {
  await enqueue(async () => {
    const running = client;
    client = undefined;
    await running?.stop();
  });
}
