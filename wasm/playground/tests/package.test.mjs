// @ts-check
// The npm package in wasm/pkg as a Node.js program uses it: initialised from the .wasm bytes,
// with declarations that name every type (no `any` in the API) and a manifest that lists what is
// shipped.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile, stat } from "node:fs/promises";
import { promisify } from "node:util";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { check, fix, initSync, rules, version } from "../../pkg/ecrlint_wasm.js";

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, "..", "..", "pkg");
const examples = join(here, "..", "examples");

initSync({ module: await readFile(join(pkg, "ecrlint_wasm_bg.wasm")) });

test("the declarations have no `any` and type the API", async () => {
  const declarations = await readFile(join(pkg, "ecrlint_wasm.d.ts"), "utf8");
  const exported = declarations.split("\n").filter((line) => line.startsWith("export function"));
  assert.deepEqual(exported, [
    "export function check(text: string, settings?: Settings | null, fileName?: string | null): CheckResult;",
    "export function codeActions(query: IdeCodeActionQuery): LspCodeAction[];",
    "export function diagnostics(document: IdeDocument): LspPublishDiagnosticsParams;",
    "export function fix(text: string, settings?: Settings | null, options?: FixOptions | null, fileName?: string | null): FixResult;",
    "export function hover(query: IdeHoverQuery): LspHover | null;",
    "export function rules(): Rule[];",
    "export function settingsProblems(settings: unknown): string[];",
    "export function version(): string;",
    "export function initSync(module: { module: SyncInitInput } | SyncInitInput): InitOutput;",
  ]);
  // The public API names every type; only wasm-bindgen's raw exports (`InitOutput`, which no caller
  // uses) type the JavaScript values the language service takes as `any`.
  const api = declarations.replace(/export interface InitOutput \{[^}]*\}/, "");
  assert.deepEqual(api.match(/\bany\b/g), null);
  assert.match(declarations, /readonly diagnostics: \(a: any\) =>/);
});

test("the manifest ships the files wasm-bindgen made, at the workspace version", async () => {
  const manifest = JSON.parse(await readFile(join(pkg, "package.json"), "utf8"));
  const cargo = await readFile(join(here, "..", "..", "..", "Cargo.toml"), "utf8");
  const workspaceVersion = /\[workspace\.package\][^[]*?\nversion = "([^"]+)"/.exec(cargo)?.[1];
  assert.equal(manifest.version, workspaceVersion);
  assert.equal(version(), workspaceVersion);
  for (const file of manifest.files) {
    assert.ok((await stat(join(pkg, file))).size > 0, file);
  }
  assert.equal(manifest.types, "ecrlint_wasm.d.ts");
});

test("npm pack ships exactly the package's files", async () => {
  const { stdout } = await promisify(execFile)("npm", ["pack", "--dry-run", "--json"], { cwd: pkg });
  const [packed] = JSON.parse(stdout);
  assert.equal(packed.id, `ecrlint-wasm@${version()}`);
  assert.deepEqual(packed.files.map((/** @type {{ path: string }} */ f) => f.path).sort(), [
    "README.md",
    "ecrlint_wasm.d.ts",
    "ecrlint_wasm.js",
    "ecrlint_wasm_bg.wasm",
    "ecrlint_wasm_bg.wasm.d.ts",
    "package.json",
  ]);
});

test("check and fix a get-repository-policy output from Node.js", async () => {
  const text = await readFile(join(examples, "get-repository-policy-output.json"), "utf8");
  const result = check(text);
  assert.equal(result.kind, "get-repository-policy-output");
  assert.deepEqual(
    result.findings.map((f) => [f.code, f.start, text.slice(f.range.start, f.range.end), f.fix?.title]),
    [["ECR101", { line: 4, column: 177 }, '\\"*\\"', "Allow only the owning account (`arn:aws:iam::123456789012:root`)"]],
  );
  const fixed = fix(text);
  assert.equal(fixed.text, text.replace('\\"AWS\\" : \\"*\\"', '\\"AWS\\" : \\"arn:aws:iam::123456789012:root\\"'));
  assert.deepEqual(fixed.remaining.findings, []);
});

test("rules() lists each rule once, in code order, with its explanation", () => {
  const all = rules();
  const codes = all.map((rule) => rule.code);
  assert.deepEqual(codes, [...codes].sort());
  assert.equal(new Set(codes).size, codes.length);
  assert.deepEqual(
    all.slice(0, 2).map((rule) => [rule.code, rule.name, rule.severity, rule.fix]),
    [
      ["ECR101", "public-repository", "error", "sometimes"],
      ["ECR102", "public-write", "error", "sometimes"],
    ],
  );
  for (const rule of all) {
    assert.match(rule.explanation, /^## What it does\n/, rule.code);
  }
});

test("invalid settings throw an Error that says what is wrong", () => {
  assert.throws(() => check("{}", { accountId: "12" }), {
    name: "Error",
    message: "invalid settings: account id `12` is not 12 digits",
  });
});
