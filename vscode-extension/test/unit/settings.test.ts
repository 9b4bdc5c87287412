import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

import { serverSettings, type ConfigurationReader } from "../../src/settings";
import { readManifest, repoDir } from "../repo";

const properties = readManifest()["contributes"]["configuration"]["properties"] as Record<
  string,
  { default?: unknown }
>;

/** Reads `ecrlint.*` like VS Code: the given values, else the defaults declared in package.json. */
function config(values: Record<string, unknown> = {}): ConfigurationReader {
  return {
    get<T>(key: string): T | undefined {
      return (key in values ? values[key] : properties[`ecrlint.${key}`]?.default) as T | undefined;
    },
  };
}

describe("serverSettings", () => {
  it("sends no selection, no ignores and no overrides by default", () => {
    assert.deepEqual(serverSettings(config()), {
      settings: { ignore: [], severity: {} },
      problems: [],
    });
  });

  it("passes every setting through under the core's names", () => {
    const mapped = serverSettings(
      config({
        select: ["ECR1", "mutable-image-tags"],
        ignore: ["ECR903"],
        accountId: " 123456789012 ",
        severity: { ECR201: "error", "unresolved-value": "warning" },
      }),
    );
    assert.deepEqual(mapped, {
      settings: {
        select: ["ECR1", "mutable-image-tags"],
        ignore: ["ECR903"],
        accountId: "123456789012",
        severity: { ECR201: "error", "unresolved-value": "warning" },
      },
      problems: [],
    });
    assert.equal(
      JSON.stringify(mapped.settings),
      '{"ignore":["ECR903"],"severity":{"ECR201":"error","unresolved-value":"warning"},"select":["ECR1","mutable-image-tags"],"accountId":"123456789012"}',
    );
  });

  it("keeps an empty selection, which runs no rule, apart from null, which runs them all", () => {
    assert.deepEqual(serverSettings(config({ select: [] })).settings, {
      select: [],
      ignore: [],
      severity: {},
    });
    assert.deepEqual(serverSettings(config({ select: null })).settings, { ignore: [], severity: {} });
  });

  it("passes trusted accounts and the registry scanning assumption, and drops what is not one", () => {
    assert.deepEqual(
      serverSettings(config({ trustedAccounts: [" 111122223333 "], registryScanning: "covers-all" })).settings,
      { ignore: [], severity: {}, trustedAccounts: ["111122223333"], registryScanning: "covers-all" },
    );
    assert.deepEqual(serverSettings(config({ trustedAccounts: [], registryScanning: "unknown" })), {
      settings: { ignore: [], severity: {} },
      problems: [],
    });
    assert.deepEqual(serverSettings(config({ trustedAccounts: ["1111", 2], registryScanning: "all" })), {
      settings: { ignore: [], severity: {} },
      problems: [
        'ecrlint.trustedAccounts: "1111" is not a 12-digit account id',
        "ecrlint.trustedAccounts: 2 is not a 12-digit account id",
        'ecrlint.registryScanning must be "unknown" or "covers-all", not "all"',
      ],
    });
  });

  it("passes a cap on diagnostics other than the default, and drops one that is not a whole number above 0", () => {
    assert.deepEqual(serverSettings(config({ maxDiagnostics: 200 })).settings, {
      ignore: [],
      severity: {},
      maxDiagnostics: 200,
    });
    assert.deepEqual(serverSettings(config({ maxDiagnostics: 1000 })).settings, { ignore: [], severity: {} });
    assert.deepEqual(serverSettings(config({ maxDiagnostics: 0 })), {
      settings: { ignore: [], severity: {} },
      problems: ["ecrlint.maxDiagnostics must be a whole number above 0, not 0"],
    });
    assert.deepEqual(serverSettings(config({ maxDiagnostics: 2.5 })).problems, [
      "ecrlint.maxDiagnostics must be a whole number above 0, not 2.5",
    ]);
  });

  it("leaves out an empty account id", () => {
    assert.deepEqual(serverSettings(config({ accountId: "  " })).settings, { ignore: [], severity: {} });
  });

  it("drops values the server would reject, and says which", () => {
    const mapped = serverSettings(
      config({
        select: "ECR101",
        ignore: ["ECR201", 7, ""],
        accountId: 123456789012,
        severity: { ECR101: "fatal", ECR201: "info" },
      }),
    );
    assert.deepEqual(mapped, {
      settings: { ignore: ["ECR201"], severity: { ECR201: "info" } },
      problems: [
        'ecrlint.select must be a list of rule codes or names, not "ECR101"',
        "ecrlint.ignore: 7 is not a rule code or name",
        'ecrlint.ignore: "" is not a rule code or name',
        "ecrlint.accountId must be a string of 12 digits, not 123456789012",
        'ecrlint.severity: "fatal" for ECR101 is not one of info, warning, error',
      ],
    });
  });

  it("uses only keys that ecrlint_core::Settings accepts (it denies unknown fields)", () => {
    // The fields of the core's `Settings` struct, kebab-cased by serde, plus their aliases.
    const source = fs.readFileSync(path.join(repoDir, "core", "src", "settings.rs"), "utf8");
    const body = /pub struct Settings \{([\s\S]*?)\n\}/.exec(source)?.[1];
    assert.ok(body, "struct Settings in core/src/settings.rs");
    assert.match(source, /#\[serde\([^)]*rename_all = "kebab-case"[^)]*deny_unknown_fields/);
    const accepted = new Set<string>();
    for (const [, attributes, field] of body.matchAll(/((?:\s*#\[[^\]]*\]\s*|\s*\/\/\/[^\n]*\n)*)\s*pub (\w+):/g)) {
      accepted.add(field!.replace(/_/g, "-"));
      for (const [, alias] of (attributes ?? "").matchAll(/alias = "([^"]+)"/g)) {
        accepted.add(alias!);
      }
    }
    assert.deepEqual([...accepted].sort(), [
      "account-id",
      "accountId",
      "ignore",
      "registry-scanning",
      "registryScanning",
      "select",
      "severity",
      "trusted-accounts",
      "trustedAccounts",
    ]);

    const full = serverSettings(
      config({
        select: ["ECR1"],
        ignore: ["ECR2"],
        accountId: "123456789012",
        severity: { ECR1: "info" },
        trustedAccounts: ["111122223333"],
        registryScanning: "covers-all",
        maxDiagnostics: 20,
      }),
    ).settings;
    // Besides the checks' settings, the editor's cap, which ecrlint_ide takes out before them.
    const ide = fs.readFileSync(path.join(repoDir, "ide", "src", "settings.rs"), "utf8");
    const cap = /pub const MAX_DIAGNOSTICS: &str = "([^"]+)";/.exec(ide)?.[1];
    assert.equal(cap, "maxDiagnostics");
    for (const key of Object.keys(full)) {
      assert.ok(accepted.has(key) || key === cap, `${key} is a field of Settings or the diagnostics cap`);
    }
    assert.deepEqual(Object.keys(full).sort(), [
      "accountId",
      "ignore",
      "maxDiagnostics",
      "registryScanning",
      "select",
      "severity",
      "trustedAccounts",
    ]);
  });
});
