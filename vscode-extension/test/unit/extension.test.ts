import "../stub/register";

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";

import * as extension from "../../src/extension";
import { LanguageClient, TransportKind, type Executable } from "../stub/languageclient";
import { CodeAction, CodeActionKind, Position, Range, WorkspaceEdit, fake } from "../stub/vscode";
import { readManifest } from "../repo";

let root: string;
let extensionPath: string;
let bundled: string;
let subscriptions: { dispose(): void }[];
let savedPath: string | undefined;

function executable(file: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, "#!/bin/sh\n", { mode: 0o755 });
  return file;
}

async function activate(): Promise<void> {
  subscriptions = [];
  await extension.activate({ extensionPath, subscriptions } as never);
}

/** Lets queued restarts (started from event listeners) finish. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function output(): string[] {
  assert.equal(fake.channels.length, 1);
  return fake.channels[0]!.lines;
}

function lastClient(): LanguageClient {
  const client = LanguageClient.instances.at(-1);
  assert.ok(client, "a language client was created");
  return client;
}

beforeEach(() => {
  fake.reset();
  LanguageClient.instances = [];
  LanguageClient.failNextStart = undefined;
  root = fs.mkdtempSync(path.join(os.tmpdir(), "ecrlint-extension-"));
  extensionPath = path.join(root, "extension");
  bundled = executable(path.join(extensionPath, "server", "ecrlint"));
  savedPath = process.env["PATH"];
  process.env["PATH"] = path.join(root, "empty-path");
});

afterEach(async () => {
  await extension.deactivate();
  for (const subscription of subscriptions ?? []) {
    subscription.dispose();
  }
  process.env["PATH"] = savedPath;
  fs.rmSync(root, { recursive: true, force: true });
});

describe("activation", () => {
  it("registers exactly the commands package.json contributes", async () => {
    await activate();
    const contributed = (readManifest()["contributes"]["commands"] as { command: string }[])
      .map((c) => c.command)
      .sort();
    assert.deepEqual(contributed, ["ecrlint.fixAll", "ecrlint.restartServer", "ecrlint.showOutput"]);
    assert.deepEqual([...fake.handlers.keys()].sort(), contributed);
  });

  it("starts `ecrlint server` from the bundled binary with the settings as initializationOptions", async () => {
    fake.setUser("ecrlint.select", ["ECR1"]);
    fake.setUser("ecrlint.accountId", "123456789012");
    fake.setWorkspace("ecrlint.ignore", ["ECR903"]);
    await activate();
    const client = lastClient();
    assert.equal(LanguageClient.instances.length, 1);
    assert.equal(client.id, "ecrlint");
    assert.equal(client.state, "running");
    assert.deepEqual(client.serverOptions, { command: bundled, args: ["server"] });
    assert.deepEqual(client.clientOptions["initializationOptions"], {
      select: ["ECR1"],
      ignore: ["ECR903"],
      accountId: "123456789012",
      severity: {},
    });
    assert.deepEqual(client.clientOptions["documentSelector"], extension.DOCUMENT_SELECTOR);
    assert.equal(client.clientOptions["outputChannel"], fake.channels[0]);
    assert.deepEqual(output(), [
      `Starting ${bundled} server (found via the binary bundled with the extension).`,
      "Connected to ecrlint 0.1.0",
    ]);
    assert.deepEqual(fake.messages, []);
  });

  it("runs the binary named by ecrlint.path in a trusted workspace", async () => {
    const custom = executable(path.join(root, "custom", "ecrlint"));
    fake.setUser("ecrlint.path", custom);
    await activate();
    assert.deepEqual(lastClient().serverOptions, { command: custom, args: ["server"] });
    assert.equal(output()[0], `Starting ${custom} server (found via the ecrlint.path setting).`);
  });

  it("ignores ecrlint.path in an untrusted workspace, then uses it once trust is granted", async () => {
    const custom = executable(path.join(root, "custom", "ecrlint"));
    fake.setUser("ecrlint.path", custom);
    fake.trusted = false;
    await activate();
    assert.deepEqual(lastClient().serverOptions, { command: bundled, args: ["server"] });
    assert.equal(output()[0], `ecrlint.path (${custom}) is ignored because this workspace is not trusted`);

    fake.trusted = true;
    fake.trustGranted.fire();
    await settle();
    assert.equal(LanguageClient.instances.length, 2);
    assert.equal(LanguageClient.instances[0]!.state, "stopped");
    assert.deepEqual(lastClient().serverOptions, { command: custom, args: ["server"] });
    assert.equal(lastClient().state, "running");
  });

  it("never takes ecrlint.path from workspace settings (it is machine-scoped)", async () => {
    fake.setWorkspace("ecrlint.path", executable(path.join(root, "repo", "evil")));
    await activate();
    assert.deepEqual(lastClient().serverOptions, { command: bundled, args: ["server"] });
  });

  it("finds ecrlint on PATH when nothing is bundled", async () => {
    fs.rmSync(bundled);
    const onPath = executable(path.join(root, "bin", "ecrlint"));
    process.env["PATH"] = path.join(root, "bin");
    await activate();
    assert.deepEqual(lastClient().serverOptions, { command: onPath, args: ["server"] });
    assert.equal(output()[0], `Starting ${onPath} server (found via PATH).`);
  });

  it("with ecrlint.engine native, explains a missing server and opens the setting from the message", async () => {
    fs.rmSync(bundled);
    fake.setUser("ecrlint.engine", "native");
    fake.answer = "Open Setting";
    await activate();
    assert.equal(LanguageClient.instances.length, 0);
    assert.deepEqual(fake.messages, [
      {
        level: "error",
        text:
          "ecrlint: no ecrlint binary found. None is bundled for this platform and none is on PATH: " +
          "install ecrlint (cargo install ecrlint) or set ecrlint.path.",
        items: ["Open Setting"],
      },
    ]);
    assert.deepEqual(fake.executed, [{ command: "workbench.action.openSettings", args: ["ecrlint.path"] }]);
    assert.equal(
      output()[0],
      `Looked for the server at: ${bundled}, ${path.join(root, "empty-path", "ecrlint")}`,
    );
  });

  it("does not open the settings when the message is dismissed", async () => {
    fs.rmSync(bundled);
    fake.setUser("ecrlint.engine", "native");
    await activate();
    assert.equal(fake.messages.length, 1);
    assert.deepEqual(fake.executed, []);
  });

  it("reports an ecrlint.path that names nothing instead of running another binary", async () => {
    fake.setUser("ecrlint.path", "/nonexistent/ecrlint");
    await activate();
    assert.equal(LanguageClient.instances.length, 0);
    assert.deepEqual(fake.messages, [
      {
        level: "error",
        text: 'ecrlint: ecrlint.path is "/nonexistent/ecrlint", but there is no executable file at /nonexistent/ecrlint.',
        items: ["Open Setting"],
      },
    ]);
  });

  it("runs the WebAssembly server in Node.js when no native server is found (engine auto)", async () => {
    fs.rmSync(bundled);
    fake.setUser("ecrlint.maxDiagnostics", 50);
    await activate();
    const wasm = { module: path.join(extensionPath, "dist", "wasm-server.js"), transport: TransportKind.ipc };
    assert.deepEqual(lastClient().serverOptions, { run: wasm, debug: wasm });
    assert.deepEqual(lastClient().clientOptions["initializationOptions"], { ignore: [], severity: {}, maxDiagnostics: 50 });
    assert.deepEqual(lastClient().clientOptions["documentSelector"], extension.DOCUMENT_SELECTOR);
    assert.deepEqual(output(), [
      `No native ecrlint server here (looked at: ${bundled}, ${path.join(root, "empty-path", "ecrlint")}).`,
      "Starting the WebAssembly server (no native server was found).",
      "Connected to ecrlint 0.1.0",
    ]);
    assert.deepEqual(fake.messages, []);
  });

  it("runs the WebAssembly server with ecrlint.engine wasm even when a native one is bundled", async () => {
    fake.setUser("ecrlint.engine", "wasm");
    await activate();
    const wasm = { module: path.join(extensionPath, "dist", "wasm-server.js"), transport: TransportKind.ipc };
    assert.deepEqual(lastClient().serverOptions, { run: wasm, debug: wasm });
    assert.equal(output()[0], "Starting the WebAssembly server (ecrlint.engine is wasm).");
  });

  it("restarts on the other engine when ecrlint.engine changes", async () => {
    await activate();
    fake.setUser("ecrlint.engine", "wasm");
    fake.changeSettings("ecrlint.engine");
    await settle();
    assert.deepEqual(
      LanguageClient.instances.map((c) => ["command" in c.serverOptions ? "native" : "wasm", c.state]),
      [
        ["native", "stopped"],
        ["wasm", "running"],
      ],
    );
  });

  it("does not start when ecrlint.enable is false, and starts when it is turned on", async () => {
    fake.setUser("ecrlint.enable", false);
    await activate();
    assert.equal(LanguageClient.instances.length, 0);
    assert.deepEqual(output(), ["ecrlint is disabled (ecrlint.enable is false)."]);

    fake.setUser("ecrlint.enable", true);
    fake.changeSettings("ecrlint.enable");
    await settle();
    assert.equal(LanguageClient.instances.length, 1);
    assert.equal(lastClient().state, "running");
  });

  it("sends changed check settings to the running server instead of restarting it", async () => {
    await activate();
    fake.changeSettings("ecrlint.trace.server");
    fake.changeSettings("editor.fontSize");
    await settle();
    assert.deepEqual(lastClient().notifications, []);

    fake.setUser("ecrlint.ignore", ["ECR201"]);
    fake.setUser("ecrlint.severity", { ECR101: "warning", ECR903: "loud" });
    fake.changeSettings("ecrlint.ignore", "ecrlint.severity");
    await settle();
    assert.equal(LanguageClient.instances.length, 1);
    assert.deepEqual(lastClient().notifications, [
      {
        method: "workspace/didChangeConfiguration",
        params: { settings: { ignore: ["ECR201"], severity: { ECR101: "warning" } } },
      },
    ]);
    assert.equal(
      output().at(-1),
      'Setting ignored: ecrlint.severity: "loud" for ECR903 is not one of info, warning, error',
    );
  });

  it("restarts the server when ecrlint.path changes", async () => {
    await activate();
    const custom = executable(path.join(root, "custom", "ecrlint"));
    fake.setUser("ecrlint.path", custom);
    fake.changeSettings("ecrlint.path");
    await settle();
    assert.deepEqual(
      LanguageClient.instances.map((c) => [(c.serverOptions as Executable).command, c.state]),
      [
        [bundled, "stopped"],
        [custom, "running"],
      ],
    );
  });

  it("stops the server when ecrlint.enable is turned off", async () => {
    await activate();
    fake.setUser("ecrlint.enable", false);
    fake.changeSettings("ecrlint.enable");
    await settle();
    assert.deepEqual(
      LanguageClient.instances.map((c) => c.state),
      ["stopped"],
    );
  });

  it("answers the server's workspace/configuration for ecrlint with the mapped settings", async () => {
    fake.setUser("ecrlint.select", ["ECR2"]);
    fake.setUser("ecrlint.path", "/nonexistent");
    fake.trusted = false;
    await activate();
    type Next = (params: unknown, token: unknown) => Promise<unknown>;
    const middleware = lastClient().clientOptions["middleware"] as {
      workspace: { configuration: (params: unknown, token: unknown, next: Next) => Promise<unknown> };
    };
    const params = { items: [{ section: "ecrlint" }, { section: "yaml" }] };
    const raw = [{ enable: true, path: "/nonexistent", select: ["ECR2"], trace: { server: "off" } }, { format: true }];
    let forwarded: unknown;
    const answer = await middleware.workspace.configuration(params, "token", async (p) => {
      forwarded = p;
      return raw;
    });
    assert.equal(forwarded, params);
    assert.deepEqual(answer, [{ select: ["ECR2"], ignore: [], severity: {} }, { format: true }]);
  });

  it("reports settings it cannot pass on in the output", async () => {
    fake.setUser("ecrlint.severity", { ECR101: "fatal" });
    await activate();
    assert.deepEqual(lastClient().clientOptions["initializationOptions"], { ignore: [], severity: {} });
    assert.equal(
      output()[0],
      'Setting ignored: ecrlint.severity: "fatal" for ECR101 is not one of info, warning, error',
    );
  });

  it("restarts on the restart command and shows the output on the show-output command", async () => {
    await activate();
    await fake.handlers.get("ecrlint.restartServer")!();
    assert.deepEqual(
      LanguageClient.instances.map((c) => c.state),
      ["stopped", "running"],
    );
    await fake.handlers.get("ecrlint.showOutput")!();
    assert.equal(fake.channels[0]!.shown, 1);
  });

  it("says so when the server fails to start, with a way to the output", async () => {
    LanguageClient.failNextStart = "spawn EACCES";
    fake.answer = "Show Output";
    await activate();
    assert.deepEqual(fake.messages, [
      {
        level: "error",
        text: `ecrlint: the language server (${bundled}) failed to start: spawn EACCES`,
        items: ["Show Output"],
      },
    ]);
    assert.equal(fake.channels[0]!.shown, 1);
    assert.equal(output().at(-1), "The server failed to start: spawn EACCES");
  });

  it("stops the server on deactivate", async () => {
    await activate();
    await extension.deactivate();
    assert.equal(lastClient().state, "stopped");
  });
});

describe("fix all in this file", () => {
  const document = {
    uri: { toString: () => "file:///work/template.yaml" },
    getText: () => "Resources:\n  Repo:\n    Type: AWS::ECR::Repository\n",
    positionAt: (offset: number) => new Position(offset === 0 ? 0 : 3, 0),
  };

  function fixAllAction(withEdit: boolean): CodeAction {
    const action = new CodeAction("Fix all ecrlint problems", CodeActionKind.SourceFixAll.append("ecrlint"));
    if (withEdit) {
      action.edit = new WorkspaceEdit();
      action.edit.replace(document.uri, new Range(new Position(2, 0), new Position(2, 0)), "x");
    }
    return action;
  }

  it("applies the server's source.fixAll.ecrlint action to the whole document", async () => {
    await activate();
    fake.activeTextEditor = { document };
    const other = new CodeAction("Organize", CodeActionKind.Source.append("organizeImports"));
    const action = fixAllAction(true);
    fake.codeActions = [other, action];
    await fake.handlers.get("ecrlint.fixAll")!();
    const request = fake.executed.find((e) => e.command === "vscode.executeCodeActionProvider");
    assert.ok(request);
    assert.equal(request.args[0], document.uri);
    assert.deepEqual(request.args[1], new Range(new Position(0, 0), new Position(3, 0)));
    assert.deepEqual(request.args.slice(2), ["source.fixAll.ecrlint", 1]);
    assert.deepEqual(fake.applied, [action.edit]);
    assert.deepEqual(fake.messages, []);
  });

  it("says there is nothing to fix when the server offers no edit", async () => {
    await activate();
    fake.activeTextEditor = { document };
    fake.codeActions = [fixAllAction(false)];
    await fake.handlers.get("ecrlint.fixAll")!();
    assert.deepEqual(fake.applied, []);
    assert.deepEqual(fake.messages, [
      { level: "information", text: "ecrlint: nothing to fix in this file.", items: [] },
    ]);
  });

  it("reports edits VS Code refused", async () => {
    await activate();
    fake.activeTextEditor = { document };
    fake.codeActions = [fixAllAction(true)];
    fake.applyEditSucceeds = false;
    await fake.handlers.get("ecrlint.fixAll")!();
    assert.deepEqual(fake.messages, [
      {
        level: "error",
        text: "ecrlint: the fixes could not be applied (the file changed?).",
        items: [],
      },
    ]);
  });

  it("asks for a file when no editor is open", async () => {
    await activate();
    await fake.handlers.get("ecrlint.fixAll")!();
    assert.deepEqual(fake.messages, [
      { level: "information", text: "ecrlint: open a file to fix it.", items: [] },
    ]);
    assert.deepEqual(fake.executed, []);
  });
});
