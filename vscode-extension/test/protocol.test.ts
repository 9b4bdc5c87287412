// The server inside the packaged extension, spoken to over stdio with the protocol library that
// vscode-languageclient is built on, and initialized with the options the extension sends.

import * as assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";

import { StreamMessageReader, StreamMessageWriter } from "vscode-jsonrpc/node";
import {
  CodeActionKind,
  CodeActionRequest,
  CodeActionResolveRequest,
  ConfigurationRequest,
  createProtocolConnection,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DiagnosticSeverity,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShutdownRequest,
  WorkDoneProgressCreateRequest,
  type CodeAction,
  type Command,
  type Diagnostic,
  type InitializeResult,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type Range,
  type TextEdit,
  type WorkspaceEdit,
} from "vscode-languageserver-protocol";

import { serverSettings, type ConfigurationReader } from "../src/settings";
import { readManifest, vsixPath } from "./repo";
import { extract, readVsix } from "./vsix";

const properties = readManifest()["contributes"]["configuration"]["properties"] as Record<
  string,
  { default?: unknown }
>;

/** The user's `ecrlint.*` settings in these tests: the defaults, and an account id. */
const userSettings: Record<string, unknown> = { accountId: "123456789012" };
const config: ConfigurationReader = {
  get<T>(key: string): T | undefined {
    return (key in userSettings ? userSettings[key] : properties[`ecrlint.${key}`]?.default) as T | undefined;
  },
};

const TEMPLATE = `AWSTemplateFormatVersion: "2010-09-09"
Description: Images for the build service
Resources:
  BuildImages:
    Type: AWS::ECR::Repository
    Properties:
      RepositoryName: build-images
      ImageTagMutability: MUTABLE
      RepositoryPolicyText:
        Version: "2012-10-17"
        Statement:
          - Sid: AllowPull
            Effect: Allow
            Principal: "*"
            Action:
              - ecr:BatchGetImage
              - ecr:GetDownloadUrlForLayer
      ImageScanningConfiguration:
        ScanOnPush: true
      EncryptionConfiguration:
        EncryptionType: KMS
        KmsKey: alias/build-images
      LifecyclePolicy:
        LifecyclePolicyText: '{"rules": [{"rulePriority": 1, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 100}, "action": {"type": "expire"}}]}'
`;

const POLICY = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AllowPull",
      "Effect": "Allow",
      "Principal": "*",
      "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    }
  ]
}
`;

const KUBERNETES = `apiVersion: v1
kind: Pod
metadata:
  name: build
spec:
  containers:
    - name: build
      image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/build-images:latest
`;

let dir: string;
let server: ChildProcess;
let connection: ProtocolConnection;
let initialized: InitializeResult;
let stderr = "";
const published: PublishDiagnosticsParams[] = [];
const waiting: { uri: string; resolve: (params: PublishDiagnosticsParams) => void }[] = [];

function uriOf(name: string): string {
  return pathToFileURL(path.join(dir, "workspace", name)).href;
}

/** The next diagnostics published for `uri` (already received ones first). */
function nextPublication(uri: string): Promise<PublishDiagnosticsParams> {
  const index = published.findIndex((params) => params.uri === uri);
  if (index >= 0) {
    return Promise.resolve(published.splice(index, 1)[0]!);
  }
  return new Promise((resolve) => waiting.push({ uri, resolve }));
}

/** The next diagnostics published for `uri` at `version`. Earlier versions are passed over: the
 * server may publish a version again, e.g. when the settings it pulls after `initialized` arrive
 * after the document was opened. */
async function diagnosticsFor(uri: string, version: number): Promise<PublishDiagnosticsParams> {
  for (;;) {
    const params = await nextPublication(uri);
    assert.ok(params.version === undefined || params.version <= version, `version ${params.version} > ${version}`);
    if (params.version === version) {
      return params;
    }
  }
}

function open(name: string, languageId: string, text: string): string {
  const uri = uriOf(name);
  fs.writeFileSync(new URL(uri), text);
  void connection.sendNotification(DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId, version: 1, text },
  });
  return uri;
}

function offsetAt(text: string, position: { line: number; character: number }): number {
  let offset = 0;
  for (let line = 0; line < position.line; line++) {
    const next = text.indexOf("\n", offset);
    assert.ok(next >= 0, `line ${position.line} is in the text`);
    offset = next + 1;
  }
  return offset + position.character;
}

function applyEdits(text: string, edits: TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => offsetAt(text, b.range.start) - offsetAt(text, a.range.start));
  let result = text;
  for (const edit of sorted) {
    result =
      result.slice(0, offsetAt(text, edit.range.start)) + edit.newText + result.slice(offsetAt(text, edit.range.end));
  }
  return result;
}

/** The edits of a workspace edit for one document, whichever form the server used. */
function editsFor(edit: WorkspaceEdit | undefined, uri: string): TextEdit[] {
  assert.ok(edit, "the action carries an edit");
  if (edit.documentChanges) {
    const edits: TextEdit[] = [];
    for (const change of edit.documentChanges) {
      assert.ok("textDocument" in change, "only text edits");
      assert.equal(change.textDocument.uri, uri);
      edits.push(...(change.edits as TextEdit[]));
    }
    return edits;
  }
  assert.deepEqual(Object.keys(edit.changes ?? {}), [uri]);
  return edit.changes![uri]!;
}

async function codeActions(uri: string, range: Range, diagnostics: Diagnostic[], only: string[]): Promise<CodeAction[]> {
  const answer = await connection.sendRequest(CodeActionRequest.type, {
    textDocument: { uri },
    range,
    context: { diagnostics, only, triggerKind: 1 },
  });
  const actions: CodeAction[] = [];
  for (const item of answer ?? []) {
    assert.ok("kind" in item || "edit" in item || "diagnostics" in item, `a CodeAction, not a bare Command: ${JSON.stringify(item as Command)}`);
    const action = item as CodeAction;
    // VS Code resolves a lazy action before applying it.
    actions.push(action.edit || action.data === undefined ? action : await connection.sendRequest(CodeActionResolveRequest.type, action));
  }
  return actions;
}

/** The parts of a diagnostic this suite pins down (the fix in `data` is the server's own). */
function shown(diagnostic: Diagnostic) {
  return {
    range: diagnostic.range,
    severity: diagnostic.severity,
    code: diagnostic.code,
    source: diagnostic.source,
    message: diagnostic.message,
    href: diagnostic.codeDescription?.href,
  };
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecrlint-protocol-"));
  extract(await readVsix(vsixPath()), path.join(dir, "installed"));
  fs.mkdirSync(path.join(dir, "workspace"));
  const binary = path.join(dir, "installed", "extension", "server", process.platform === "win32" ? "ecrlint.exe" : "ecrlint");
  server = spawn(binary, ["server"], { cwd: path.join(dir, "workspace"), stdio: ["pipe", "pipe", "pipe"] });
  server.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  connection = createProtocolConnection(new StreamMessageReader(server.stdout!), new StreamMessageWriter(server.stdin!));
  connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
    const index = waiting.findIndex((w) => w.uri === params.uri);
    if (index >= 0) {
      waiting.splice(index, 1)[0]!.resolve(params);
    } else {
      published.push(params);
    }
  });
  // What vscode-languageclient answers with the extension's settings.
  connection.onRequest(ConfigurationRequest.type, (params) =>
    params.items.map((item) => (item.section === "ecrlint" ? serverSettings(config).settings : null)),
  );
  connection.onRequest(RegistrationRequest.type, () => undefined);
  connection.onRequest(WorkDoneProgressCreateRequest.type, () => undefined);
  connection.listen();

  initialized = await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    clientInfo: { name: "Visual Studio Code", version: "1.82.0" },
    rootUri: pathToFileURL(path.join(dir, "workspace")).href,
    workspaceFolders: [{ uri: pathToFileURL(path.join(dir, "workspace")).href, name: "workspace" }],
    initializationOptions: serverSettings(config).settings,
    capabilities: {
      general: { positionEncodings: ["utf-16"] },
      workspace: {
        configuration: true,
        didChangeConfiguration: { dynamicRegistration: true },
        workspaceEdit: { documentChanges: true },
      },
      textDocument: {
        synchronization: { dynamicRegistration: true, didSave: true },
        publishDiagnostics: {
          relatedInformation: true,
          versionSupport: true,
          codeDescriptionSupport: true,
          dataSupport: true,
        },
        codeAction: {
          dynamicRegistration: true,
          isPreferredSupport: true,
          dataSupport: true,
          resolveSupport: { properties: ["edit"] },
          codeActionLiteralSupport: {
            codeActionKind: {
              valueSet: ["", "quickfix", "refactor", "source", "source.organizeImports", "source.fixAll"],
            },
          },
        },
        hover: { contentFormat: ["markdown", "plaintext"] },
      },
    },
  });
  await connection.sendNotification(InitializedNotification.type, {});
});

after(async () => {
  if (connection) {
    connection.dispose();
  }
  if (server && server.exitCode === null) {
    server.kill();
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("ecrlint server, as the packaged extension runs it", () => {
  it("offers quick fixes and source.fixAll.ecrlint", () => {
    const provider = initialized.capabilities.codeActionProvider;
    assert.ok(provider && typeof provider === "object", JSON.stringify(initialized.capabilities));
    assert.ok(provider.codeActionKinds?.includes(CodeActionKind.QuickFix));
    assert.ok(provider.codeActionKinds?.includes("source.fixAll.ecrlint"));
    assert.equal(initialized.serverInfo?.name, "ecrlint");
    assert.equal(initialized.serverInfo?.version, readManifest()["version"]);
  });

  it("reports a public repository and mutable tags in a template, at their exact places", async () => {
    const uri = open("template.yaml", "yaml", TEMPLATE);
    const { diagnostics } = await diagnosticsFor(uri, 1);
    assert.deepEqual(diagnostics.map(shown), [
      {
        range: { start: { line: 7, character: 26 }, end: { line: 7, character: 33 } },
        severity: DiagnosticSeverity.Warning,
        code: "ECR201",
        source: "ecrlint",
        message: "`ImageTagMutability` is `MUTABLE`: image tags can be overwritten",
        href: "https://github.com/ecrlint/ecrlint/blob/main/docs/rules/ECR201-mutable-image-tags.md",
      },
      {
        range: { start: { line: 13, character: 23 }, end: { line: 13, character: 26 } },
        severity: DiagnosticSeverity.Error,
        code: "ECR101",
        source: "ecrlint",
        message: "repository policy allows everyone: `Principal` is `*` and no condition limits the caller",
        href: "https://github.com/ecrlint/ecrlint/blob/main/docs/rules/ECR101-public-repository.md",
      },
    ]);

    // Ctrl+. on the mutable tag.
    const mutable = diagnostics[0]!;
    const quickFixes = await codeActions(uri, mutable.range, [mutable], [CodeActionKind.QuickFix]);
    assert.deepEqual(
      quickFixes.map((a) => [a.title, a.kind, a.isPreferred]),
      [
        ["Set `ImageTagMutability` to `IMMUTABLE`", "quickfix", true],
        ["Ignore ECR201 on this line", "quickfix", false],
        ["Ignore ECR201 for this resource", "quickfix", false],
      ],
    );
    assert.equal(
      applyEdits(TEMPLATE, editsFor(quickFixes[1]!.edit, uri)),
      TEMPLATE.replace("ImageTagMutability: MUTABLE", "ImageTagMutability: MUTABLE  # ecrlint: ignore ECR201"),
    );
    assert.equal(
      applyEdits(TEMPLATE, editsFor(quickFixes[2]!.edit, uri)),
      TEMPLATE.replace(
        "  BuildImages:\n",
        "  BuildImages:\n    Metadata:\n      ecrlint:\n        ignore:\n          - code: ECR201\n",
      ),
    );
    const fixed = applyEdits(TEMPLATE, editsFor(quickFixes[0]!.edit, uri));
    assert.equal(fixed, TEMPLATE.replace("ImageTagMutability: MUTABLE", "ImageTagMutability: IMMUTABLE"));

    // The edited document is checked again, for its new version.
    void connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 },
      contentChanges: [{ text: fixed }],
    });
    const recheck = await diagnosticsFor(uri, 2);
    assert.deepEqual(recheck.diagnostics.map((d) => d.code), ["ECR101"]);

    // Fix all, as editor.codeActionsOnSave {"source.fixAll.ecrlint": "explicit"} asks for it.
    const whole = { start: { line: 0, character: 0 }, end: { line: fixed.split("\n").length - 1, character: 0 } };
    const fixAll = await codeActions(uri, whole, [], ["source.fixAll.ecrlint"]);
    assert.deepEqual(
      fixAll.map((a) => a.kind),
      ["source.fixAll.ecrlint"],
    );
    assert.equal(
      applyEdits(fixed, editsFor(fixAll[0]!.edit, uri)),
      TEMPLATE.replace("ImageTagMutability: MUTABLE", "ImageTagMutability: IMMUTABLE").replace(
        'Principal: "*"',
        'Principal: {AWS: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}',
      ),
    );
  });

  it("fixes all of a file in one action", async () => {
    const uri = open("all.yaml", "yaml", TEMPLATE);
    await diagnosticsFor(uri, 1);
    const whole = { start: { line: 0, character: 0 }, end: { line: TEMPLATE.split("\n").length - 1, character: 0 } };
    const fixAll = await codeActions(uri, whole, [], ["source.fixAll.ecrlint"]);
    assert.equal(fixAll.length, 1);
    assert.equal(
      applyEdits(TEMPLATE, editsFor(fixAll[0]!.edit, uri)),
      `AWSTemplateFormatVersion: "2010-09-09"
Description: Images for the build service
Resources:
  BuildImages:
    Type: AWS::ECR::Repository
    Properties:
      RepositoryName: build-images
      ImageTagMutability: IMMUTABLE
      RepositoryPolicyText:
        Version: "2012-10-17"
        Statement:
          - Sid: AllowPull
            Effect: Allow
            Principal: {AWS: !Sub "arn:\${AWS::Partition}:iam::\${AWS::AccountId}:root"}
            Action:
              - ecr:BatchGetImage
              - ecr:GetDownloadUrlForLayer
      ImageScanningConfiguration:
        ScanOnPush: true
      EncryptionConfiguration:
        EncryptionType: KMS
        KmsKey: alias/build-images
      LifecyclePolicy:
        LifecyclePolicyText: '{"rules": [{"rulePriority": 1, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 100}, "action": {"type": "expire"}}]}'
`,
    );
  });

  it("uses ecrlint.accountId from the initialization options to fix a bare policy", async () => {
    const uri = open("policy.json", "json", POLICY);
    const { diagnostics } = await diagnosticsFor(uri, 1);
    assert.deepEqual(diagnostics.map(shown), [
      {
        range: { start: { line: 6, character: 19 }, end: { line: 6, character: 22 } },
        severity: DiagnosticSeverity.Error,
        code: "ECR101",
        source: "ecrlint",
        message: "repository policy allows everyone: `Principal` is `*` and no condition limits the caller",
        href: "https://github.com/ecrlint/ecrlint/blob/main/docs/rules/ECR101-public-repository.md",
      },
    ]);
    const quickFixes = await codeActions(uri, diagnostics[0]!.range, diagnostics, [CodeActionKind.QuickFix]);
    assert.deepEqual(
      quickFixes.map((a) => a.title),
      ["Allow only the owning account (`arn:aws:iam::123456789012:root`)"],
    );
    assert.equal(
      applyEdits(POLICY, editsFor(quickFixes[0]!.edit, uri)),
      POLICY.replace('"Principal": "*"', '"Principal": {"AWS": "arn:aws:iam::123456789012:root"}'),
    );
  });

  it("stays quiet on YAML that is not an ECR configuration", async () => {
    const uri = open("pod.yaml", "yaml", KUBERNETES);
    assert.deepEqual((await diagnosticsFor(uri, 1)).diagnostics, []);
  });

  it("checks open files again with the settings the extension sends when they change", async () => {
    const uri = open("changed.yaml", "yaml", TEMPLATE);
    assert.deepEqual((await diagnosticsFor(uri, 1)).diagnostics.map((d) => d.code), ["ECR201", "ECR101"]);
    userSettings["ignore"] = ["mutable-image-tags"];
    userSettings["severity"] = { ECR101: "warning" };
    // What ServerController.sendSettings sends.
    void connection.sendNotification(DidChangeConfigurationNotification.type, {
      settings: serverSettings(config).settings,
    });
    // Publications made before the server took the new settings may still be on their way.
    let recheck = await diagnosticsFor(uri, 1);
    while (recheck.diagnostics.length === 2) {
      recheck = await diagnosticsFor(uri, 1);
    }
    assert.deepEqual(
      recheck.diagnostics.map((d) => [d.code, d.severity]),
      [["ECR101", DiagnosticSeverity.Warning]],
    );
    assert.equal(recheck.version, 1);
  });

  it("shuts down and exits cleanly", async () => {
    const exited = new Promise<number | null>((resolve) => server.on("exit", (code) => resolve(code)));
    await connection.sendRequest(ShutdownRequest.type);
    await connection.sendNotification(ExitNotification.type);
    assert.equal(await exited, 0, stderr);
  });
});
