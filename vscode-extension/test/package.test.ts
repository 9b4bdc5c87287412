// The packaged extension: what the .vsix holds, and that its server runs and is the same version.

import "./stub/register";

import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";

import { extract, readVsix, type VsixEntry } from "./vsix";
import { extensionDir, readManifest, vsceTarget, vsixPath, workspaceVersion } from "./repo";

const binary = process.platform === "win32" ? "ecrlint.exe" : "ecrlint";
let entries: Map<string, VsixEntry>;
let dir: string;

function text(name: string): string {
  const entry = entries.get(name);
  assert.ok(entry, `${name} is in the .vsix`);
  return entry.data.toString("utf8");
}

before(async () => {
  entries = await readVsix(vsixPath());
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecrlint-vsix-"));
  extract(entries, dir);
});

after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe(`the packaged extension (${path.basename(vsixPath())})`, () => {
  it("holds the manifest, the bundled client, the server and the Marketplace files, nothing else", () => {
    assert.deepEqual([...entries.keys()].sort(), [
      "[Content_Types].xml",
      "extension.vsixmanifest",
      "extension/LICENSE.txt",
      "extension/changelog.md",
      "extension/dist/extension.js",
      "extension/images/icon.png",
      "extension/package.json",
      "extension/readme.md",
      `extension/server/${binary}`,
    ]);
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

function isBuiltin(name: string): boolean {
  return (require("node:module") as { builtinModules: string[] }).builtinModules.includes(name);
}
