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
/** Ends the running server's worker and frees what it was started from. */
let release: (() => void) | undefined;
let queue: Promise<void> = Promise.resolve();

function releaseWorker(): void {
  release?.();
  release = undefined;
}

/**
 * The language server's web worker, started from `script` (in the extension). The script is
 * fetched and the worker started from a `blob:` URL of its text: VS Code's web worker extension
 * host refuses `new Worker` for a `vscode-remote:` URI ("Creating workers from remote extensions
 * is currently not supported"), the URI of an extension installed on the server the workbench
 * comes from (code-server), while its `fetch` turns such a URI, and any of the extension's, into
 * one the browser can load.
 */
async function serverWorker(script: vscode.Uri): Promise<{ worker: Worker; release: () => void }> {
  const response = await fetch(script.toString(true));
  if (!response.ok) {
    throw new Error(`${script.toString(true)} could not be loaded: HTTP ${response.status} ${response.statusText}`);
  }
  const url = URL.createObjectURL(new Blob([await response.text()], { type: "text/javascript" }));
  try {
    // The worker loads the script when it starts: the URL lives until the server stops.
    return { worker: new Worker(url), release: () => URL.revokeObjectURL(url) };
  } catch (error) {
    URL.revokeObjectURL(url);
    throw error;
  }
}

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
    let started: LanguageClient;
    try {
      const worker = await serverWorker(script);
      release = () => {
        worker.worker.terminate();
        worker.release();
      };
      const options = clientOptions(DOCUMENT_SELECTOR, settings, output);
      started = new LanguageClient("ecrlint", "ecrlint", options, worker.worker);
      client = started;
      await started.start();
    } catch (error) {
      client = undefined;
      releaseWorker();
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
    releaseWorker();
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
    releaseWorker();
  });
}
