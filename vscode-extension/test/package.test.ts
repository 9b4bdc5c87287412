// The packaged extensions: what each .vsix holds — the platform one with its native server, the
// universal one without — that the native server runs and is the same version, and that the
// WebAssembly language server in both starts and answers `initialize`.

import "./stub/register";

import * as assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";

import { extract, readVsix, type VsixEntry } from "./vsix";
import { extensionDir, readManifest, universalVsixPath, vsceTarget, vsixPath, workspaceVersion } from "./repo";

const binary = process.platform === "win32" ? "ecrlint.exe" : "ecrlint";
let entries: Map<string, VsixEntry>;
let universal: Map<string, VsixEntry>;
let dir: string;

/** The files both packages hold. */
const COMMON = [
  "[Content_Types].xml",
  "extension.vsixmanifest",
  "extension/LICENSE.txt",
  "extension/changelog.md",
  "extension/dist/browser.js",
  "extension/dist/extension.js",
  "extension/dist/wasm-server-browser.js",
  "extension/dist/wasm-server.js",
  "extension/images/icon.png",
  "extension/package.json",
  "extension/readme.md",
];

function text(name: string): string {
  const entry = entries.get(name);
  assert.ok(entry, `${name} is in the .vsix`);
  return entry.data.toString("utf8");
}

before(async () => {
  entries = await readVsix(vsixPath());
  universal = await readVsix(universalVsixPath());
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecrlint-vsix-"));
  extract(entries, dir);
});

after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe(`the packaged extension (${path.basename(vsixPath())})`, () => {
  it("holds the manifest, the bundled client, the server and the Marketplace files, nothing else", () => {
    assert.deepEqual([...entries.keys()].sort(), [...COMMON, `extension/server/${binary}`]);
  });

  it("carries package.json with the workspace version, for this platform", () => {
    const packaged = JSON.parse(text("extension/package.json"));
    assert.equal(packaged.version, workspaceVersion());
    assert.deepEqual(
      { name: packaged.name, main: packaged.main, engines: packaged.engines, contributes: packaged.contributes },
      (({ name, main, engines, contributes }) => ({ name, main, engines, contributes }))(readManifest()),
    );
    const vsixManifest = text("extension.vsixmanifest");
    assert.match(
      vsixManifest,
      new RegExp(
        `<Identity Language="en-US" Id="ecrlint" Version="${workspaceVersion()}" Publisher="ecrlint" TargetPlatform="${vsceTarget()}"\\s*/>`,
      ),
    );
  });

  it("carries the README, changelog and license of the extension folder", () => {
    // vsce makes relative image links absolute, for the Marketplace page.
    const readme = fs.readFileSync(path.join(extensionDir, "README.md"), "utf8");
    assert.match(readme, /\]\(images\/screenshot\.png\)/);
    assert.equal(
      text("extension/readme.md"),
      readme.replace(
        "](images/screenshot.png)",
        "](https://github.com/ecrlint/ecrlint/raw/HEAD/vscode-extension/images/screenshot.png)",
      ),
    );
    assert.equal(text("extension/changelog.md"), fs.readFileSync(path.join(extensionDir, "CHANGELOG.md"), "utf8"));
    assert.equal(text("extension/LICENSE.txt"), fs.readFileSync(path.join(extensionDir, "LICENSE"), "utf8"));
    assert.deepEqual(
      entries.get("extension/images/icon.png")?.data,
      fs.readFileSync(path.join(extensionDir, "images", "icon.png")),
    );
  });

  it("bundles the language client into one file that needs only the vscode module", () => {
    const bundle = text("extension/dist/extension.js");
    const required = [...bundle.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    const external = [...new Set(required.filter((name) => !name!.startsWith("node:") && !isBuiltin(name!)))];
    assert.deepEqual(external, ["vscode"]);
    // Loads, with the vscode stub, and has the entry points VS Code calls.
    const loaded = require(path.join(dir, "extension", "dist", "extension.js"));
    assert.equal(typeof loaded.activate, "function");
    assert.equal(typeof loaded.deactivate, "function");
  });

  it("ships an executable server whose --version is the extension's version", () => {
    const server = entries.get(`extension/server/${binary}`);
    assert.ok(server);
    if (process.platform !== "win32") {
      assert.equal(server.mode & 0o111, 0o111, `mode ${server.mode.toString(8)} lets everyone run it`);
    }
    const output = execFileSync(path.join(dir, "extension", "server", binary), ["--version"], {
      encoding: "utf8",
    });
    assert.equal(output, `ecrlint ${readManifest()["version"]}\n`);
  });
});

describe(`the universal package (${path.basename(universalVsixPath())})`, () => {
  it("holds what the platform one holds but the native server, for every platform", () => {
    assert.deepEqual([...universal.keys()].sort(), COMMON);
    const vsixManifest = universal.get("extension.vsixmanifest")!.data.toString("utf8");
    assert.match(vsixManifest, new RegExp(`<Identity Language="en-US" Id="ecrlint" Version="${workspaceVersion()}" Publisher="ecrlint"\\s*/>`));
    assert.doesNotMatch(vsixManifest, /TargetPlatform/);
    for (const name of COMMON.filter((n) => n.startsWith("extension/dist/"))) {
      assert.deepEqual(universal.get(name)!.data, entries.get(name)!.data, `${name} is the same in both`);
    }
  });

  it("bundles each WebAssembly server into one file that needs nothing else", () => {
    for (const name of ["wasm-server.js", "wasm-server-browser.js", "browser.js"]) {
      const bundle = universal.get(`extension/dist/${name}`)!.data.toString("utf8");
      const required = [...bundle.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!);
      const external = [...new Set(required.filter((r) => !r.startsWith("node:") && !isBuiltin(r)))];
      assert.deepEqual(external, name === "browser.js" ? ["vscode"] : [], `${name} requires ${external}`);
    }
  });

  it("runs its WebAssembly server under Node.js: initialize answers with the extension's version", async () => {
    const udir = fs.mkdtempSync(path.join(os.tmpdir(), "ecrlint-universal-"));
    try {
      extract(universal, udir);
      const server = spawn(process.execPath, [path.join(udir, "extension", "dist", "wasm-server.js"), "--stdio"], {
        stdio: ["pipe", "pipe", "inherit"],
      });
      const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { processId: null, rootUri: null, capabilities: {} } });
      server.stdin!.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      let received = Buffer.alloc(0);
      const response = await new Promise<{ result: { serverInfo: unknown } }>((resolve, reject) => {
        server.on("exit", (code) => reject(new Error(`the server exited with ${code}`)));
        server.stdout!.on("data", (chunk: Buffer) => {
          received = Buffer.concat([received, chunk]);
          const header = /^Content-Length: (\d+)\r\n\r\n/.exec(received.toString("latin1"));
          if (header && received.length >= header[0].length + Number(header[1])) {
            resolve(JSON.parse(received.subarray(header[0].length, header[0].length + Number(header[1])).toString("utf8")));
          }
        });
      });
      server.kill();
      assert.deepEqual(response.result.serverInfo, { name: "ecrlint (WebAssembly)", version: workspaceVersion() });
    } finally {
      fs.rmSync(udir, { recursive: true, force: true });
    }
  });
});

function isBuiltin(name: string): boolean {
  return (require("node:module") as { builtinModules: string[] }).builtinModules.includes(name);
}
