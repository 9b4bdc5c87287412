// Hostile inputs through the wasm package (wasm/pkg, built by `cargo xtask wasm`) under Node.js:
// each must end in one clear finding, exactly as the CLI and the server report it. Each case runs
// in a process of its own so that its peak memory can be recorded.
//
//   node fuzz/wasm-hostile.mjs            run every case, print a Markdown table, exit 1 on a failure
//   node fuzz/wasm-hostile.mjs CASE       run one case, print one JSON line (used by the above)

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, "..", "wasm", "pkg");

const HEADER = "AWSTemplateFormatVersion: '2010-09-09'\n";
const LIMIT = "ecrlint reads at most 16 MiB (CloudFormation itself accepts at most 1 MB)";
/** The bare repositories below lack scanning, a key and a lifecycle policy as much as immutable
 * tags; the cases are about size and text, so the tag rule's findings stand for all. */
const TAGS_ONLY = { ignore: ["ECR202", "ECR301", "ECR302"] };

function repositories(count) {
  const parts = ["Resources:\n"];
  for (let i = 0; i < count; i++) parts.push(`  Repo${i}:\n    Type: AWS::ECR::Repository\n`);
  return parts.join("");
}

function billionLaughs() {
  let text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  let previous = "a";
  for (const name of "bcdefghij") {
    text += `${name}: &${name} [${Array(9).fill(`*${previous}`).join(",")}]\n`;
    previous = name;
  }
  return text;
}

/** Bytes 0..255 in a fixed scramble, decoded as an editor or a browser would: U+FFFD for what is not UTF-8. */
function decodedNoise() {
  const bytes = new Uint8Array(65536);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number((BigInt(i) * 2654435761n) >> 24n) & 0xff;
  return new TextDecoder().decode(bytes);
}

/** One finding: [code, message, start line, start column] (1-based, UTF-16 columns). */
function only(result) {
  if (result.findings.length !== 1) {
    throw new Error(`expected one finding, got ${result.findings.length}: ${JSON.stringify(result.findings.slice(0, 3))}`);
  }
  const f = result.findings[0];
  return [f.code, f.message, f.start.line, f.start.column];
}

function expectEqual(actual, expected) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`expected ${e}\n     got ${a}`);
}

const CASES = {
  "100,000-deep YAML flow sequences": (api) => {
    const result = api.check("[".repeat(100000), null, "deep.yaml");
    expectEqual(only(result), ["ECR901", "nesting is deeper than 255 levels", 1, 256]);
  },
  "100,000-deep JSON objects": (api) => {
    const result = api.check('{"a":'.repeat(100000) + "1" + "}".repeat(100000), null, "deep.json");
    expectEqual(only(result), ["ECR901", "Maximum nesting depth exceeded", 1, 1282]);
  },
  "billion laughs": (api) => {
    const result = api.check(billionLaughs(), null, "lol.yaml");
    expectEqual(only(result), ["ECR901", "aliases expand to more than 100000 nodes; ecrlint stops here to stay small", 6, 8]);
  },
  "50 MB text": (api) => {
    const result = api.check(`${HEADER}# ${"x".repeat(50_000_000)}\n`, null, "big.yaml");
    expectEqual(only(result), ["ECR901", `the input is 50.0 MB; ${LIMIT}`, 1, 1]);
  },
  "1,000,000 resources (44.9 MB)": (api) => {
    const result = api.check(repositories(1_000_000), null, "million.yaml");
    expectEqual(only(result), ["ECR901", `the input is 44.9 MB; ${LIMIT}`, 1, 1]);
  },
  "100,000 resources, 100,000 findings": (api) => {
    const result = api.check(repositories(100_000), TAGS_ONLY, "many.yaml");
    expectEqual(result.findings.length, 100_000);
    const last = result.findings[99_999];
    expectEqual([last.code, last.start, last.end], ["ECR201", { line: 200000, column: 3 }, { line: 200000, column: 12 }]);
  },
  "100,000 resources, fix": (api) => {
    const fixed = api.fix(repositories(100_000), TAGS_ONLY, null, "many.yaml");
    expectEqual([fixed.applied.length, fixed.remaining.findings.length], [100_000, 0]);
    expectEqual(fixed.text.split("      ImageTagMutability: IMMUTABLE\n").length - 1, 100_000);
  },
  "NUL byte": (api) => {
    const result = api.check("Resources:\n  Repo: \0\n", null, "nul.yaml");
    expectEqual(only(result), ["ECR901", "found unprintable character", 2, 9]);
  },
  "64 KiB of decoded noise": (api) => {
    const result = api.check(decodedNoise(), null, "noise.yaml");
    if (result.findings.length === 0 || !result.findings.every((f) => f.code === "ECR901")) {
      throw new Error(`expected syntax errors only: ${JSON.stringify(result.findings.slice(0, 3))}`);
    }
  },
  "lone surrogates": (api) => {
    // A JavaScript string need not be valid UTF-16; wasm-bindgen passes U+FFFD for each lone half.
    const result = api.check("Resources:\n  Repo:\n    Type: AWS::ECR::Repository\n    Properties:\n      ImageTagMutability: \uD800x\uDC00\n", TAGS_ONLY, "t.yaml");
    expectEqual(only(result), ["ECR902", "`\uFFFDx\uFFFD` is not a valid `ImageTagMutability`; CloudFormation accepts IMMUTABLE, MUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION", 5, 27]);
  },
  "10 MB single line": (api) => {
    const sid = "x".repeat(10_000_000);
    const policy = `{"Statement": [{"Sid": "${sid}", "Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"}]}\n`;
    const result = api.check(policy, null, "long.json");
    const [code, , line, column] = only(result);
    expectEqual([code, line, column], ["ECR101", 1, 10_000_060]);
  },
};

async function runOne(name) {
  const api = await import(join(pkg, "ecrlint_wasm.js"));
  const exports = await api.default({ module_or_path: readFileSync(join(pkg, "ecrlint_wasm_bg.wasm")) });
  const started = performance.now();
  let error = null;
  try {
    CASES[name](api);
  } catch (e) {
    error = String(e && e.stack ? e.stack : e);
  }
  const seconds = (performance.now() - started) / 1000;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const wasmMemoryMb = exports.memory.buffer.byteLength / (1024 * 1024);
  console.log(JSON.stringify({ name, seconds, peakRssMb, wasmMemoryMb, error }));
}

function runAll() {
  const rows = [];
  let failed = 0;
  for (const name of Object.keys(CASES)) {
    let line;
    try {
      line = execFileSync(process.execPath, [fileURLToPath(import.meta.url), name], { encoding: "utf8", maxBuffer: 1 << 26 });
    } catch (e) {
      line = JSON.stringify({ name, error: `the case's process failed: ${e.message}` });
    }
    const result = JSON.parse(line.trim().split("\n").pop());
    if (result.error) {
      failed++;
      console.error(`FAIL ${name}: ${result.error}`);
    }
    rows.push(result);
  }
  console.log("| input | result | time (s) | peak RSS of the Node.js process (MB) | wasm memory (MB) |");
  console.log("|---|---|---:|---:|---:|");
  for (const r of rows) {
    const fmt = (n, digits) => (typeof n === "number" ? n.toFixed(digits) : "n/a");
    console.log(`| ${r.name} | ${r.error ? "FAIL" : "ok"} | ${fmt(r.seconds, 2)} | ${fmt(r.peakRssMb, 0)} | ${fmt(r.wasmMemoryMb, 0)} |`);
  }
  process.exitCode = failed ? 1 : 0;
}

const name = process.argv[2];
if (name) {
  if (!(name in CASES)) {
    console.error(`unknown case ${JSON.stringify(name)}; cases: ${Object.keys(CASES).join(", ")}`);
    process.exit(2);
  }
  await runOne(name);
} else {
  runAll();
}
