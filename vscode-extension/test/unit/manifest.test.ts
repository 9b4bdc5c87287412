import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

import { extensionDir, readManifest, repoDir, workspaceVersion } from "../repo";

const manifest = readManifest();

describe("package.json", () => {
  it("has the Rust workspace's version and license", () => {
    assert.equal(manifest["version"], workspaceVersion());
    const cargo = fs.readFileSync(path.join(repoDir, "Cargo.toml"), "utf8");
    assert.equal(`license = "${manifest["license"]}"`, /^license = "[^"]*"/m.exec(cargo)?.[0]);
  });

  it("declares the VS Code version the language client needs, and types for that version", () => {
    const client = JSON.parse(
      fs.readFileSync(path.join(extensionDir, "node_modules", "vscode-languageclient", "package.json"), "utf8"),
    );
    assert.equal(manifest["engines"]["vscode"], client["engines"]["vscode"]);
    assert.equal(`^${manifest["devDependencies"]["@types/vscode"]}`, manifest["engines"]["vscode"]);
  });

  it("tests the server with the protocol library the language client is built on", () => {
    const read = (name: string) =>
      JSON.parse(fs.readFileSync(path.join(extensionDir, "node_modules", name, "package.json"), "utf8"));
    const client = read("vscode-languageclient");
    const protocol = read("vscode-languageserver-protocol");
    assert.equal(manifest["devDependencies"]["vscode-languageserver-protocol"], client["dependencies"]["vscode-languageserver-protocol"]);
    assert.equal(protocol["version"], client["dependencies"]["vscode-languageserver-protocol"]);
    assert.equal(manifest["devDependencies"]["vscode-jsonrpc"], protocol["dependencies"]["vscode-jsonrpc"]);
  });

  it("activates on YAML, JSON, .template and Terraform files", () => {
    assert.deepEqual(manifest["activationEvents"], [
      "onLanguage:yaml",
      "onLanguage:json",
      "onLanguage:jsonc",
      "onLanguage:terraform",
      "workspaceContains:**/*.template",
      "workspaceContains:**/*.tf",
    ]);
    assert.equal(manifest["main"], "./dist/extension.js");
    // A web extension too: VS Code for the Web runs the `browser` entry.
    assert.equal(manifest["browser"], "./dist/browser.js");
  });

  it("supports untrusted workspaces by restricting ecrlint.path", () => {
    const untrusted = manifest["capabilities"]["untrustedWorkspaces"];
    assert.equal(untrusted["supported"], "limited");
    assert.deepEqual(untrusted["restrictedConfigurations"], ["ecrlint.path"]);
  });

  it("contributes the documented settings, with ecrlint.path machine-scoped", () => {
    const properties = manifest["contributes"]["configuration"]["properties"];
    assert.deepEqual(Object.keys(properties), [
      "ecrlint.enable",
      "ecrlint.path",
      "ecrlint.engine",
      "ecrlint.accountId",
      "ecrlint.trustedAccounts",
      "ecrlint.registryScanning",
      "ecrlint.select",
      "ecrlint.ignore",
      "ecrlint.severity",
      "ecrlint.maxDiagnostics",
      "ecrlint.trace.server",
    ]);
    assert.equal(properties["ecrlint.path"]["scope"], "machine");
    assert.deepEqual(properties["ecrlint.trace.server"]["enum"], ["off", "messages", "verbose"]);
    assert.deepEqual(properties["ecrlint.severity"]["additionalProperties"]["enum"], ["info", "warning", "error"]);
  });

  it("documents every setting and command in the README", () => {
    const readme = fs.readFileSync(path.join(extensionDir, "README.md"), "utf8");
    for (const key of Object.keys(manifest["contributes"]["configuration"]["properties"])) {
      assert.ok(readme.includes(`| \`${key}\``), `README settings table has ${key}`);
    }
    for (const { title, category } of manifest["contributes"]["commands"]) {
      assert.ok(readme.includes(`${category}: ${title}`), `README names the command ${category}: ${title}`);
    }
  });

  it("has a changelog entry for this version", () => {
    const changelog = fs.readFileSync(path.join(extensionDir, "CHANGELOG.md"), "utf8");
    assert.match(changelog, new RegExp(`^## ${manifest["version"].replace(/\./g, "\\.")}\\b`, "m"));
  });
});
