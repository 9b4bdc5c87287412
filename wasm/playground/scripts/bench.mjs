// @ts-check
// The playground's figures for docs/benchmarks.md: wasm and bundle sizes (raw and gzip), bytes
// transferred on a first load (the page's own Resource Timing), and the time `check` takes on a
// 100 KB template inside the page (median of many runs, timed in the page with performance.now).
// Run after `cargo xtask playground`: `npm run bench` (RUNS=… to change the number of runs).

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";

import { DIST, startServer } from "./serve.mjs";

const RUNS = Number(process.env["RUNS"] ?? 201);

/**
 * A CloudFormation template of at least `bytes` bytes: repositories with policies, some public,
 * some with mutable tags.
 * @param {number} bytes
 */
function template(bytes) {
  let text = 'AWSTemplateFormatVersion: "2010-09-09"\nDescription: Generated for the playground benchmark\nResources:\n';
  for (let i = 0; text.length < bytes; i += 1) {
    const principal = i % 10 === 0 ? '"*"' : `\n                AWS: !Sub "arn:\${AWS::Partition}:iam::\${AWS::AccountId}:root"`;
    text += `  Repository${i}:
    Type: AWS::ECR::Repository
    Properties:
      RepositoryName: team-${i}/service
      ImageTagMutability: ${i % 3 === 0 ? "MUTABLE" : "IMMUTABLE"}
      ImageScanningConfiguration:
        ScanOnPush: true
      RepositoryPolicyText:
        Version: "2012-10-17"
        Statement:
          - Sid: AllowPull
            Effect: Allow
            Principal: ${principal}
            Action:
              - ecr:BatchGetImage
              - ecr:GetDownloadUrlForLayer
              - ecr:BatchCheckLayerAvailability
`;
  }
  return text;
}

/** @param {string} name */
async function sizes(name) {
  const bytes = await readFile(join(DIST, name));
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

const server = await startServer();
const browser = await chromium.launch({
  executablePath: process.env["CHROMIUM"] ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
});
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  const started = Date.now();
  await page.goto(server.url);
  await page.waitForSelector("body[data-ready=true]");
  const ready = Date.now() - started;
  const firstLoad = await page.evaluate(() => {
    const entries = /** @type {PerformanceResourceTiming[]} */ ([
      ...performance.getEntriesByType("navigation"),
      ...performance.getEntriesByType("resource"),
    ]);
    return {
      files: entries.map((e) => new URL(e.name).pathname),
      transferred: entries.reduce((sum, e) => sum + e.transferSize, 0),
      body: entries.reduce((sum, e) => sum + e.encodedBodySize, 0),
      decoded: entries.reduce((sum, e) => sum + e.decodedBodySize, 0),
    };
  });

  const text = template(100 * 1024);
  const timing = await page.evaluate(
    ({ text, runs }) => {
      const api = /** @type {{ ecrlint: { check(text: string): { findings: { code: string }[] } } }} */ (
        /** @type {unknown} */ (window)
      ).ecrlint;
      for (let i = 0; i < 5; i += 1) api.check(text);
      const times = /** @type {number[]} */ ([]);
      let findings = 0;
      for (let i = 0; i < runs; i += 1) {
        const start = performance.now();
        findings = api.check(text).findings.length;
        times.push(performance.now() - start);
      }
      times.sort((a, b) => a - b);
      const at = (/** @type {number} */ q) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? NaN;
      return { median: at(0.5), p90: at(0.9), min: times[0] ?? NaN, findings };
    },
    { text, runs: RUNS },
  );

  const wasm = await sizes("ecrlint_wasm_bg.wasm");
  const js = await sizes("main.js");
  const kb = (/** @type {number} */ n) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(`wasm (ecrlint_wasm_bg.wasm): ${wasm.raw} bytes raw (${kb(wasm.raw)}), ${wasm.gzip} bytes gzip -9 (${kb(wasm.gzip)})`);
  console.log(`bundle (main.js, CodeMirror included): ${js.raw} bytes raw (${kb(js.raw)}), ${js.gzip} bytes gzip -9 (${kb(js.gzip)})`);
  console.log(
    `first load (gzip from the local server): ${firstLoad.transferred} bytes transferred (${kb(firstLoad.transferred)}; bodies ${firstLoad.body}, ${firstLoad.decoded} uncompressed) for ${firstLoad.files.join(" ")}; ready after ${ready} ms`,
  );
  console.log(
    `check of a ${text.length}-byte template (${timing.findings} findings) in the page, ${RUNS} runs: median ${timing.median.toFixed(2)} ms, p90 ${timing.p90.toFixed(2)} ms, min ${timing.min.toFixed(2)} ms`,
  );
} finally {
  await browser.close();
  await server.close();
}
