// The WebAssembly language server: the protocol (vscode-languageserver), the open documents and
// when to check them. Every answer — diagnostics, code actions, hover — comes from ecrlint's
// language service compiled to WebAssembly (ecrlint_ide through the wasm package), the same code
// that answers in `ecrlint server`; nothing here judges a document or writes a fix.
//
// Shared by the Node.js entry (a process beside VS Code's extension host, on desktops with no
// native server) and the browser one (a web worker, in VS Code for the Web).

import type {
  CodeActionParams,
  Connection,
  DidChangeConfigurationParams,
  HoverParams,
  InitializeParams,
  InitializeResult,
  PublishDiagnosticsParams,
} from "vscode-languageserver";
import { TextDocument } from "vscode-languageserver-textdocument";

import type { IdeCodeActionQuery, IdeDocument, IdeHoverQuery } from "../../../wasm/pkg/ecrlint_wasm";

/** The wasm package's language service, as the entries load it. */
export interface LanguageService {
  version(): string;
  diagnostics(document: IdeDocument): PublishDiagnosticsParams;
  codeActions(query: IdeCodeActionQuery): unknown[];
  hover(query: IdeHoverQuery): unknown;
  settingsProblems(settings: unknown): string[];
}

export const FIX_ALL_KIND = "source.fixAll.ecrlint";

/** LSP message types (`window/showMessage`, `window/logMessage`). */
const ERROR = 1;
const WARNING = 2;

/** Terraform files: a change in one may change the findings of the others of its folder. */
const TERRAFORM = /\.(tf|tf\.json|tfvars|tfvars\.json)$/;

function folderOf(uri: string): string | undefined {
  if (!uri.startsWith("file:")) {
    return undefined;
  }
  const slash = uri.lastIndexOf("/");
  return slash < 0 ? undefined : uri.slice(0, slash);
}

/** The `ecrlint` section of what the editor sent: the settings object itself, or an object
 * holding it under `ecrlint`; `undefined` when it sent nothing (`null`, `{}`). */
function section(value: unknown): unknown {
  const inner =
    typeof value === "object" && value !== null && "ecrlint" in value
      ? (value as Record<string, unknown>)["ecrlint"]
      : value;
  if (inner === null || inner === undefined) {
    return undefined;
  }
  if (typeof inner === "object" && !Array.isArray(inner) && Object.keys(inner).length === 0) {
    return undefined;
  }
  return inner;
}

export function serve(connection: Connection, service: LanguageService): void {
  const documents = new Map<string, TextDocument>();
  /** What the editor sent, as `ecrlint server` takes it (the language service reads it). */
  let settings: unknown = null;
  let pullConfiguration = false;
  let documentChanges = false;
  /** Documents waiting for a check: a burst of edits costs one check, of the latest text. */
  const pending = new Set<string>();
  let scheduled = false;

  const message = (type: number, text: string) => {
    void connection.sendNotification("window/logMessage", { type, message: text });
    if (type === WARNING) {
      void connection.sendNotification("window/showMessage", { type, message: text });
    }
  };

  const ideDocument = (document: TextDocument): IdeDocument => {
    const siblings: { uri: string; text: string }[] = [];
    const folder = folderOf(document.uri);
    if (folder !== undefined && TERRAFORM.test(document.uri)) {
      for (const other of documents.values()) {
        if (other.uri !== document.uri && folderOf(other.uri) === folder && TERRAFORM.test(other.uri)) {
          siblings.push({ uri: other.uri, text: other.getText() });
        }
      }
    }
    return {
      uri: document.uri,
      text: document.getText(),
      version: document.version,
      languageId: document.languageId,
      settings,
      siblings,
    };
  };

  const checkPending = () => {
    scheduled = false;
    const uris = [...pending];
    pending.clear();
    for (const uri of uris) {
      const document = documents.get(uri);
      if (!document) {
        continue;
      }
      let published: PublishDiagnosticsParams;
      try {
        published = service.diagnostics(ideDocument(document));
      } catch (error) {
        message(
          ERROR,
          `ecrlint: checking ${uri} (version ${document.version}) failed: ${describe(error)}. Please report this with the file.`,
        );
        published = { uri, version: document.version, diagnostics: [] };
      }
      void connection.sendDiagnostics(published);
    }
  };

  const check = (uris: Iterable<string>) => {
    for (const uri of uris) {
      pending.add(uri);
    }
    if (!scheduled && pending.size > 0) {
      scheduled = true;
      setTimeout(checkPending, 0);
    }
  };

  /** The other open Terraform files of the folder of `uri`. */
  const moduleOf = (uri: string): string[] => {
    const folder = folderOf(uri);
    if (folder === undefined || !TERRAFORM.test(uri)) {
      return [];
    }
    return [...documents.keys()].filter((other) => other !== uri && folderOf(other) === folder && TERRAFORM.test(other));
  };

  const useSettings = (value: unknown, origin: string) => {
    const given = section(value);
    if (given === undefined) {
      return;
    }
    let problems: string[];
    try {
      problems = service.settingsProblems(given);
    } catch (error) {
      message(WARNING, `ecrlint: ${origin} not used, the previous settings stay: ${describe(error).replace(/^invalid settings: /, "")}`);
      return;
    }
    settings = given;
    check(documents.keys());
    for (const problem of problems) {
      message(WARNING, `ecrlint: ${origin}: ${problem}`);
    }
  };

  const pull = async () => {
    try {
      const [value] = (await connection.sendRequest("workspace/configuration", {
        items: [{ section: "ecrlint" }],
      })) as unknown[];
      useSettings(value, "workspace/configuration");
    } catch (error) {
      void connection.sendNotification("window/logMessage", {
        type: WARNING,
        message: `ecrlint: workspace/configuration failed: ${describe(error)}`,
      });
    }
  };

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    pullConfiguration = params.capabilities.workspace?.configuration ?? false;
    documentChanges = params.capabilities.workspace?.workspaceEdit?.documentChanges ?? false;
    useSettings(params.initializationOptions, "initializationOptions");
    return {
      capabilities: {
        positionEncoding: "utf-16",
        textDocumentSync: { openClose: true, change: 2, save: { includeText: false } },
        codeActionProvider: { codeActionKinds: ["quickfix", FIX_ALL_KIND], resolveProvider: false },
        hoverProvider: true,
      },
      serverInfo: { name: "ecrlint (WebAssembly)", version: service.version() },
    };
  });

  connection.onInitialized(() => {
    if (pullConfiguration) {
      void pull();
    }
  });

  connection.onDidChangeConfiguration((params: DidChangeConfigurationParams) => {
    if (section(params.settings) === undefined && pullConfiguration) {
      void pull();
    } else {
      useSettings(params.settings, "didChangeConfiguration");
    }
  });

  connection.onDidOpenTextDocument(({ textDocument }) => {
    documents.set(
      textDocument.uri,
      TextDocument.create(textDocument.uri, textDocument.languageId, textDocument.version, textDocument.text),
    );
    check([textDocument.uri]);
  });

  connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
    const document = documents.get(textDocument.uri);
    if (!document) {
      return;
    }
    documents.set(textDocument.uri, TextDocument.update(document, contentChanges, textDocument.version));
    check([textDocument.uri, ...moduleOf(textDocument.uri)]);
  });

  connection.onDidSaveTextDocument(({ textDocument }) => check(moduleOf(textDocument.uri)));

  connection.onDidCloseTextDocument(({ textDocument }) => {
    if (documents.delete(textDocument.uri)) {
      pending.delete(textDocument.uri);
      void connection.sendDiagnostics({ uri: textDocument.uri, diagnostics: [] });
    }
  });

  connection.onCodeAction((params: CodeActionParams) => {
    const document = documents.get(params.textDocument.uri);
    if (!document) {
      return null;
    }
    return answer("code actions", () =>
      service.codeActions({ ...ideDocument(document), range: params.range, context: params.context, documentChanges }),
    ) as never;
  });

  connection.onHover((params: HoverParams) => {
    const document = documents.get(params.textDocument.uri);
    if (!document) {
      return null;
    }
    return answer("hover", () => service.hover({ ...ideDocument(document), position: params.position })) as never;
  });

  /** A request's answer, or none (logged) when the language service failed. */
  function answer(what: string, work: () => unknown): unknown {
    try {
      return work();
    } catch (error) {
      message(ERROR, `ecrlint: ${what} failed: ${describe(error)}`);
      return null;
    }
  }

  connection.listen();
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
