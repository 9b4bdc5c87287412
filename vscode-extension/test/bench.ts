// How quickly the packaged server answers the extension: start to `initialize` result, opening a
// template to its diagnostics, and the fix-all action. Prints a Markdown table for
// docs/benchmarks.md. `RUNS=n` sets the number of server starts (default 30).

import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";

import { StreamMessageReader, StreamMessageWriter } from "vscode-jsonrpc/node";
import {
  CodeActionRequest,
  ConfigurationRequest,
  createProtocolConnection,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  type PublishDiagnosticsParams,
} from "vscode-languageserver-protocol";

import { serverSettings } from "../src/settings";
import { extensionDir, vsixPath } from "./repo";
import { extract, readVsix } from "./vsix";

const settings = serverSettings({ get: () => undefined }).settings;

/** A template with `count` repositories: every other one public, every third one with mutable tags. */
function largeTemplate(count: number): string {
  const lines = ['AWSTemplateFormatVersion: "2010-09-09"', "Resources:"];
  for (let i = 0; i < count; i++) {
    lines.push(
      `  Repository${i}:`,
      "    Type: AWS::ECR::Repository",
      "    Properties:",
      `      RepositoryName: service-${i}`,
      `      ImageTagMutability: ${i % 3 === 0 ? "MUTABLE" : "IMMUTABLE"}`,
      "      RepositoryPolicyText:",
      '        Version: "2012-10-17"',
      "        Statement:",
      "          - Sid: AllowPull",
      "            Effect: Allow",
      `            Principal: ${i % 2 === 0 ? '"*"' : '{AWS: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}'}`,
      "            Action: [ecr:BatchGetImage, ecr:GetDownloadUrlForLayer]",
    );
  }
  return lines.join("\n") + "\n";
}

async function once(binary: string, template: string, uri: string) {
  const started = performance.now();
  const server = spawn(binary, ["server"], { stdio: ["pipe", "pipe", "ignore"] });
  const connection = createProtocolConnection(
    new StreamMessageReader(server.stdout!),
    new StreamMessageWriter(server.stdin!),
  );
  let published: (params: PublishDiagnosticsParams) => void = () => undefined;
  connection.onNotification(PublishDiagnosticsNotification.type, (params) => published(params));
  connection.onRequest(ConfigurationRequest.type, (params) => params.items.map(() => settings));
  connection.listen();
  await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: null,
    initializationOptions: settings,
    capabilities: { workspace: { configuration: true } },
  });
  const initialized = performance.now();
  await connection.sendNotification(InitializedNotification.type, {});
  const diagnostics = new Promise<PublishDiagnosticsParams>((resolve) => {
    published = (params) => {
      if (params.uri === uri && params.diagnostics.length > 0) resolve(params);
    };
  });
  const opened = performance.now();
  await connection.sendNotification(DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: "yaml", version: 1, text: template },
  });
  const found = await diagnostics;
  const diagnosed = performance.now();
  const lines = template.split("\n").length;
  const actions = await connection.sendRequest(CodeActionRequest.type, {
    textDocument: { uri },
    range: { start: { line: 0, character: 0 }, end: { line: lines, character: 0 } },
    context: { diagnostics: [], only: ["source.fixAll.ecrlint"] },
  });
  const fixed = performance.now();
  if (!actions || actions.length !== 1) throw new Error(`expected one fix-all action, got ${JSON.stringify(actions)}`);
  await connection.sendRequest(ShutdownRequest.type);
  await connection.sendNotification(ExitNotification.type);
  await new Promise((resolve) => server.on("exit", resolve));
  connection.dispose();
  return {
    initialize: initialized - started,
    diagnostics: diagnosed - opened,
    fixAll: fixed - diagnosed,
    findings: found.diagnostics.length,
  };
}

function summary(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return `median ${at(0.5).toFixed(1)} ms, p90 ${at(0.9).toFixed(1)} ms, min ${sorted[0]!.toFixed(1)} ms`;
}

async function main(): Promise<void> {
  const runs = Number(process.env["RUNS"] ?? 30);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecrlint-bench-"));
  try {
    const vsix = vsixPath();
    extract(await readVsix(vsix), dir);
    const binary = path.join(dir, "extension", "server", process.platform === "win32" ? "ecrlint.exe" : "ecrlint");
    const templatePath = path.join(extensionDir, "images", "screenshot", "build-images.yaml");
    const small = { text: fs.readFileSync(templatePath, "utf8"), uri: pathToFileURL(templatePath).href };
    const large = { text: largeTemplate(400), uri: pathToFileURL(path.join(dir, "large.yaml")).href };
    await once(binary, small.text, small.uri); // warm the file cache
    const bundle = fs.statSync(path.join(dir, "extension", "dist", "extension.js")).size;
    console.log(`| what | figure |`);
    console.log(`|---|---|`);
    console.log(`| \`${path.basename(vsix)}\` | ${fs.statSync(vsix).size.toLocaleString("en")} bytes |`);
    console.log(`| bundled client \`dist/extension.js\` (esbuild, minified) | ${bundle.toLocaleString("en")} bytes |`);
    for (const [name, template] of [["template", small], ["generated template", large]] as const) {
      const results = [];
      for (let i = 0; i < runs; i++) results.push(await once(binary, template.text, template.uri));
      const size = Buffer.byteLength(template.text).toLocaleString("en");
      if (template === small) {
        console.log(`| server start to \`initialize\` result, ${runs} starts | ${summary(results.map((r) => r.initialize))} |`);
      }
      console.log(
        `| \`didOpen\` of a ${size}-byte ${name} to its ${results[0]!.findings} diagnostics | ${summary(results.map((r) => r.diagnostics))} |`,
      );
      console.log(`| \`source.fixAll.ecrlint\` on it | ${summary(results.map((r) => r.fixAll))} |`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
