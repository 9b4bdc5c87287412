// The two engines side by side: the native `ecrlint server` and the WebAssembly language server
// (dist/wasm-server.js under Node.js), both from the packaged extension, each in its own process
// and spoken to over stdio as vscode-languageclient speaks. Over the same documents (a
// CloudFormation template, a repository policy with the account-id setting, a Terraform file,
// and one with more findings than `maxDiagnostics`), their diagnostics, code actions (quick
// fixes, ignores, fix all) and hovers must be equal, exactly.

import * as assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";

import { StreamMessageReader, StreamMessageWriter } from "vscode-jsonrpc/node";
import {
  CodeActionRequest,
  ConfigurationRequest,
  createProtocolConnection,
  DidOpenTextDocumentNotification,
  ExitNotification,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShutdownRequest,
  type Diagnostic,
  type InitializeResult,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from "vscode-languageserver-protocol";

import { vsixPath } from "./repo";
import { extract, readVsix } from "./vsix";

/** What the extension sends for `ecrlint.accountId` and `ecrlint.maxDiagnostics` set. */
const SETTINGS = { ignore: [], severity: {}, accountId: "123456789012", maxDiagnostics: 40 };

const TEMPLATE = `AWSTemplateFormatVersion: "2010-09-09"
Description: Images for the café 🚀 service (中文)
Parameters:
  Mutability:
    Type: String
    Default: MUTABLE
Resources:
  Images:
    Type: AWS::ECR::Repository
    Properties:
      RepositoryName: cafe-images
      ImageTagMutability: !Ref Mutability
      RepositoryPolicyText:
        Statement:
          - {Sid: "é🚀中", Effect: Allow, Principal: "*", Action: "ecr:*"}
`;

const POLICY = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Öffentlich 🚀",
      "Effect": "Allow",
      "Principal": "*",
      "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    }
  ]
}
`;

const TERRAFORM = `resource "aws_ecr_repository" "images" {
  name                 = "images"
  image_tag_mutability = "MUTABLE"
}

resource "aws_ecr_repository_policy" "images" {
  repository = aws_ecr_repository.images.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "Public"
      Effect    = "Allow"
      Principal = "*"
      Action    = ["ecr:BatchGetImage"]
    }]
  })
}
`;

function repositories(count: number): string {
  let text = "Resources:\n";
  for (let i = 0; i < count; i++) {
    text += `  Repo${i}:\n    Type: AWS::ECR::Repository\n`;
  }
  return text;
}

/** name, language id, text. */
const DOCUMENTS: [string, string, string][] = [
  ["template.yaml", "yaml", TEMPLATE],
  ["policy.json", "json", POLICY],
  ["main.tf", "terraform", TERRAFORM],
  ["many.yaml", "yaml", repositories(30)],
];

class Session {
  readonly published: PublishDiagnosticsParams[] = [];
  private readonly waiting: { uri: string; resolve: (params: PublishDiagnosticsParams) => void }[] = [];
  initialized: InitializeResult | undefined;
  private constructor(
    readonly process: ChildProcess,
    readonly connection: ProtocolConnection,
  ) {}

  static async start(command: string, args: string[], workspace: string): Promise<Session> {
    const child = spawn(command, args, { cwd: workspace, stdio: ["pipe", "pipe", "inherit"] });
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const session = new Session(child, connection);
    connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      const index = session.waiting.findIndex((w) => w.uri === params.uri);
      if (index >= 0) {
        session.waiting.splice(index, 1)[0]!.resolve(params);
      } else {
        session.published.push(params);
      }
    });
    connection.onRequest(ConfigurationRequest.type, (params) =>
      params.items.map((item) => (item.section === "ecrlint" ? SETTINGS : null)),
    );
    connection.onRequest(RegistrationRequest.type, () => undefined);
    connection.onNotification("window/logMessage", () => undefined);
    connection.listen();
    const root = pathToFileURL(workspace).href;
    session.initialized = await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: root,
      workspaceFolders: [{ uri: root, name: "workspace" }],
      initializationOptions: SETTINGS,
      capabilities: {
        general: { positionEncodings: ["utf-16"] },
        workspace: { configuration: true, workspaceEdit: { documentChanges: true } },
        textDocument: { publishDiagnostics: { relatedInformation: true, versionSupport: true } },
      },
    });
    await connection.sendNotification(InitializedNotification.type, {});
    return session;
  }

  /** The diagnostics of version 1 of `uri` once the settings pulled after `initialized` are in:
   * the last publication within a quiet moment. */
  async diagnostics(uri: string): Promise<PublishDiagnosticsParams> {
    let last: PublishDiagnosticsParams | undefined;
    for (;;) {
      const next = await Promise.race([
        this.next(uri),
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), last ? 500 : 60_000)),
      ]);
      if (next === undefined) {
        assert.ok(last, `diagnostics for ${uri}`);
        return last;
      }
      last = next;
    }
  }

  private next(uri: string): Promise<PublishDiagnosticsParams> {
    const index = this.published.findIndex((params) => params.uri === uri);
    if (index >= 0) {
      return Promise.resolve(this.published.splice(index, 1)[0]!);
    }
    return new Promise((resolve) => this.waiting.push({ uri, resolve }));
  }

  async stop(): Promise<void> {
    await this.connection.sendRequest(ShutdownRequest.type);
    await this.connection.sendNotification(ExitNotification.type);
    await new Promise((resolve) => this.process.once("exit", resolve));
    this.connection.dispose();
  }
}

let dir: string;
let native: Session;
let wasm: Session;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecrlint-engines-"));
  extract(await readVsix(vsixPath()), path.join(dir, "installed"));
  const extension = path.join(dir, "installed", "extension");
  // Each document alone in its folder: a Terraform file is then a module of its own for both.
  for (const [name, , text] of DOCUMENTS) {
    fs.mkdirSync(path.join(dir, "workspace", name), { recursive: true });
    fs.writeFileSync(path.join(dir, "workspace", name, name), text);
  }
  const workspace = path.join(dir, "workspace");
  const binary = path.join(extension, "server", process.platform === "win32" ? "ecrlint.exe" : "ecrlint");
  native = await Session.start(binary, ["server"], workspace);
  wasm = await Session.start(process.execPath, [path.join(extension, "dist", "wasm-server.js"), "--stdio"], workspace);
});

after(async () => {
  await native?.stop();
  await wasm?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("the native and the WebAssembly engine", () => {
  it("announce the same capabilities", () => {
    assert.deepEqual(wasm.initialized?.capabilities, native.initialized?.capabilities);
    assert.equal(native.initialized?.serverInfo?.name, "ecrlint");
    assert.equal(wasm.initialized?.serverInfo?.name, "ecrlint (WebAssembly)");
    assert.equal(wasm.initialized?.serverInfo?.version, native.initialized?.serverInfo?.version);
  });

  for (const [name, languageId, text] of DOCUMENTS) {
    it(`give the same diagnostics, code actions and hovers for ${name}`, async () => {
      const uri = pathToFileURL(path.join(dir, "workspace", name, name)).href;
      const opened = { textDocument: { uri, languageId, version: 1, text } };
      await native.connection.sendNotification(DidOpenTextDocumentNotification.type, opened);
      await wasm.connection.sendNotification(DidOpenTextDocumentNotification.type, opened);
      const expected = await native.diagnostics(uri);
      const actual = await wasm.diagnostics(uri);
      assert.deepEqual(actual, expected);
      const diagnostics: Diagnostic[] = expected.diagnostics;
      // Not an empty agreement: each document has findings, the ones with a fix offer it.
      assert.ok(diagnostics.length > 0, `${name} has findings`);
      if (name === "many.yaml") {
        assert.equal(diagnostics.length, SETTINGS.maxDiagnostics + 1);
        assert.match(
          diagnostics.at(-1)!.message,
          /^\d+ more findings are not shown here: ecrlint shows the first 40 of the \d+ in this file \(setting `maxDiagnostics`\)\. `ecrlint check many\.yaml` lists them all\.$/,
        );
      }
      let fixes = 0;
      for (const diagnostic of diagnostics) {
        const params = {
          textDocument: { uri },
          range: diagnostic.range,
          context: { diagnostics: [diagnostic], triggerKind: 1 as const },
        };
        const nativeActions = await native.connection.sendRequest(CodeActionRequest.type, params);
        const wasmActions = await wasm.connection.sendRequest(CodeActionRequest.type, params);
        assert.deepEqual(wasmActions, nativeActions, `code actions for ${diagnostic.code} at line ${diagnostic.range.start.line}`);
        fixes += (nativeActions ?? []).filter((a) => "isPreferred" in a && a.isPreferred).length;
        const hover = { textDocument: { uri }, position: diagnostic.range.start };
        assert.deepEqual(
          await wasm.connection.sendRequest(HoverRequest.type, hover),
          await native.connection.sendRequest(HoverRequest.type, hover),
        );
      }
      assert.ok(fixes > 0, `${name} has a quick fix`);
      const fixAll = {
        textDocument: { uri },
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        context: { diagnostics: [], only: ["source.fixAll.ecrlint"], triggerKind: 1 as const },
      };
      const nativeFixAll = await native.connection.sendRequest(CodeActionRequest.type, fixAll);
      assert.equal(nativeFixAll?.length, 1, "fix all is offered");
      assert.deepEqual(await wasm.connection.sendRequest(CodeActionRequest.type, fixAll), nativeFixAll);
    });
  }
});
