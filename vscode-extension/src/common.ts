// What the desktop and the web extension share: the documents ecrlint looks at, the settings sent
// to the language server (and how it is answered when it asks for them), and fix all. Imports
// nothing platform-specific: vscode-languageclient's common part only.

import * as vscode from "vscode";
import type { LanguageClientOptions } from "vscode-languageclient";

import { serverSettings } from "./settings";

export const FIX_ALL_KIND = "source.fixAll.ecrlint";

/** Settings of the checks: a change is sent to the running server, which checks again.
 * (`trace.server` is followed by the language client itself.) */
export const CHECK_SETTINGS = [
  "accountId",
  "select",
  "ignore",
  "severity",
  "trustedAccounts",
  "registryScanning",
  "maxDiagnostics",
];

export const affects = (event: vscode.ConfigurationChangeEvent, keys: string[]) =>
  keys.some((key) => event.affectsConfiguration(`ecrlint.${key}`));

/** The server's settings from the current `ecrlint.*` values, with what had to be dropped. */
export function currentSettings() {
  return serverSettings(vscode.workspace.getConfiguration("ecrlint"));
}

/** The client options both engines run with: `documentSelector`, the settings as
 * `initializationOptions`, and `workspace/configuration` for `ecrlint` answered with exactly
 * those settings, not VS Code's raw section. */
export function clientOptions(
  documentSelector: LanguageClientOptions["documentSelector"],
  initializationOptions: unknown,
  output: vscode.OutputChannel,
): LanguageClientOptions {
  return {
    documentSelector,
    initializationOptions,
    outputChannel: output,
    traceOutputChannel: output,
    diagnosticCollectionName: "ecrlint",
    middleware: {
      workspace: {
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
