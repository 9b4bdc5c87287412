// @ts-check
// The playground in a real browser: Debian's Chromium, headless, driven by playwright-core, over
// the built dist/ served on 127.0.0.1. Screenshots go to test-artifacts/ at the repository root.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

import { initSync, rules as packageRules, version } from "../../pkg/ecrlint_wasm.js";
import { startServer } from "../scripts/serve.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const ARTIFACTS = join(here, "..", "..", "..", "test-artifacts");
const CHROMIUM = process.env["CHROMIUM"] ?? "/usr/bin/chromium";
const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";

/** @param {string} name */
const example = (name) => readFile(join(here, "..", "examples", name), "utf8");

/** @type {import("../scripts/serve.mjs").RunningServer} */
let server;
/** @type {import("playwright-core").Browser} */
let browser;
/** Every URL any page of these tests requested. */
const requested = /** @type {string[]} */ ([]);

before(async () => {
  server = await startServer();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
    ],
  });
  await mkdir(ARTIFACTS, { recursive: true });
  initSync({ module: await readFile(join(here, "..", "..", "pkg", "ecrlint_wasm_bg.wasm")) });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/**
 * A fresh page on the playground (or `path`), ready once the checker has started. `problems`
 * collects console errors and warnings, uncaught exceptions and CSP violations.
 * @param {{ path?: string, width?: number, height?: number, colorScheme?: "light" | "dark" }} [options]
 */
async function open({ path = "", width = 1280, height = 800, colorScheme = "light" } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme, acceptDownloads: true });
  const page = await context.newPage();
  /** @type {string[]} */
  const problems = [];
  const urls = /** @type {string[]} */ ([]);
  page.on("request", (request) => {
    requested.push(request.url());
    urls.push(request.url());
  });
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") {
      problems.push(`${message.type()}: ${message.text()}`);
    }
  });
  page.on("pageerror", (error) => problems.push(`exception: ${error.message}`));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  await page.goto(server.url + path);
  await page.waitForSelector("body[data-ready=true]");
  return { page, context, problems, urls };
}

/**
 * Pastes `text` over the editor's whole content, as a person would with Ctrl+A, Ctrl+V.
 * @param {import("playwright-core").Page} page
 * @param {string} text
 */
async function paste(page, text) {
  await page.click(".cm-content");
  await page.keyboard.press("Control+A");
  await page.evaluate((text) => {
    const data = new DataTransfer();
    data.setData("text/plain", text);
    const target = document.querySelector(".cm-content");
    target?.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  }, text);
}

/** @param {import("playwright-core").Page} page */
function editorText(page) {
  return page.evaluate(() => {
    const view = /** @type {{ ecrlintView: { state: { doc: { toString(): string } } } }} */ (
      /** @type {unknown} */ (window)
    ).ecrlintView;
    return view.state.doc.toString();
  });
}

/**
 * Waits until the findings panel lists exactly `codes` (after the debounced check), and returns
 * each finding's code, location and message as shown.
 * @param {import("playwright-core").Page} page
 * @param {string[]} codes
 */
async function findings(page, codes) {
  await page.waitForFunction(
    (codes) =>
      JSON.stringify([...document.querySelectorAll("#findings li.finding")].map((li) => li.getAttribute("data-code"))) ===
      JSON.stringify(codes),
    codes,
  );
  return page.$$eval("#findings li.finding", (items) =>
    items.map((li) => ({
      code: li.querySelector("a.rule")?.textContent,
      link: li.querySelector("a.rule")?.getAttribute("href"),
      location: li.querySelector(".location")?.textContent,
      message: li.querySelector(".message")?.textContent,
      fix: li.querySelector("button.fix")?.textContent ?? null,
    })),
  );
}

test("loads only its own files, under its Content-Security-Policy, without errors", async () => {
  const { page, context, problems, urls } = await open();
  const origin = new URL(server.url).origin;
  assert.deepEqual(
    urls.map((url) => new URL(url).origin).filter((o) => o !== origin),
    [],
  );
  assert.deepEqual(
    urls.map((url) => new URL(url).pathname).filter((p) => p !== "/favicon.svg"),
    ["/", "/style.css", "/main.js", "/ecrlint_wasm_bg.wasm"],
  );
  assert.equal(await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', "content"), CSP);
  assert.equal(await page.textContent("#version"), `ecrlint ${version()}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test("the Conformity policy is underlined on its Principal line and listed in the panel", async () => {
  const { page, context, problems } = await open();
  await paste(page, "");
  await findings(page, []);
  await paste(page, await example("conformity-exposed-policy.json"));
  assert.deepEqual(await findings(page, ["ECR101", "ECR102"]), [
    {
      code: "ECR101",
      link: "rules.html#ECR101",
      location: "line 7, col 20",
      message:
        "repository policy allows everyone: Principal is * and no condition limits the caller; give the owning account with --account-id (or account-id in ecrlint.toml) for a fix",
      fix: null,
    },
    {
      code: "ECR102",
      link: "rules.html#ECR102",
      location: "line 9, col 9",
      message:
        "ecr:* grants everyone write actions (ecr:PutImage, ecr:InitiateLayerUpload, ecr:UploadLayerPart, …): anyone can push, overwrite or delete images, or take the repository over",
      fix: "Allow only pulling images instead of ecr:* (unsafe)",
    },
  ]);
  assert.equal(await page.textContent("#kind"), "repository policy (JSON)");
  // The everyone-principal, and the wildcard action it is given.
  assert.equal(await page.locator(".cm-lintRange-error").count(), 2);
  assert.equal(await page.locator(".cm-lintRange-error").nth(1).textContent(), '"ecr:*"');
  const underline = page.locator(".cm-lintRange-error").first();
  assert.equal(await underline.textContent(), '"*"');
  assert.equal(
    await underline.evaluate((mark) => mark.closest(".cm-line")?.textContent),
    '      "Principal": "*",',
  );
  // The gutter marker sits on that line.
  const marker = await page.locator(".cm-lint-marker-error").first().boundingBox();
  const line = await underline.evaluate((mark) => {
    const box = mark.closest(".cm-line")?.getBoundingClientRect();
    return box === undefined ? null : { top: box.top, bottom: box.bottom };
  });
  assert.ok(marker !== null && line !== null);
  assert.ok(marker.y >= line.top && marker.y + marker.height <= line.bottom, JSON.stringify({ marker, line }));
  assert.equal(
    await page.textContent("#findings .hint-fix"),
    "Enter the AWS account id that owns the repository (above) for a fix.",
  );
  assert.deepEqual(problems, []);
  await context.close();
});

test("trusted accounts turn on untrusted-account for the other accounts a policy names", async () => {
  const { page, context, problems } = await open();
  await paste(
    page,
    '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:role/ci"]}, "Action": "ecr:BatchGetImage"}]}',
  );
  await findings(page, []);
  await page.fill("#trusted-accounts", "111122223333, 4444");
  assert.equal(await page.textContent("#trusted-accounts-hint"), "12 digits each");
  assert.equal(await page.getAttribute("#trusted-accounts", "aria-invalid"), "true");
  await findings(page, []);
  await page.fill("#trusted-accounts", "111122223333, 555566667777");
  assert.equal(await page.textContent("#trusted-accounts-hint"), "");
  const [finding] = await findings(page, ["ECR103"]);
  assert.equal(
    finding?.message,
    "the repository policy grants arn:aws:iam::444455556666:role/ci (account 444455556666), which is not in trusted-accounts (set account-id if it is the owner)",
  );
  assert.deepEqual(problems, []);
  await context.close();
});

test("an account id gives the fix; the fix writes that account's root ARN and the finding goes", async () => {
  const { page, context, problems } = await open();
  const policy = await example("conformity-exposed-policy.json");
  await paste(page, policy);
  await findings(page, ["ECR101", "ECR102"]);

  await page.fill("#account-id", "12345");
  assert.equal(await page.textContent("#account-id-hint"), "12 digits");
  assert.equal(await page.getAttribute("#account-id", "aria-invalid"), "true");
  assert.equal((await findings(page, ["ECR101", "ECR102"]))[0]?.fix, null);

  await page.fill("#account-id", "123456789012");
  assert.equal(await page.textContent("#account-id-hint"), "");
  // Restricting the principal fixes both: the statement no longer reaches everyone.
  const [finding] = await findings(page, ["ECR101", "ECR102"]);
  assert.equal(finding?.fix, "Allow only the owning account (arn:aws:iam::123456789012:root)");
  await page.click("#findings button.fix");

  assert.equal(
    await editorText(page),
    policy.replace('"Principal": "*"', '"Principal": {"AWS": "arn:aws:iam::123456789012:root"}'),
  );
  await findings(page, []);
  assert.equal(await page.textContent("#findings li.empty"), "No findings.");
  assert.equal(await page.locator(".cm-lintRange-error").count(), 0);
  assert.equal(await page.textContent("#announce"), "Applied: Allow only the owning account (`arn:aws:iam::123456789012:root`)");
  assert.deepEqual(problems, []);
  await context.close();
});

test("ImageTagMutability: MUTABLE is fixed to IMMUTABLE from the tooltip, the rest with Fix all", async () => {
  const { page, context, problems } = await open();
  const template = await example("kics-mutable-tags.yaml");
  await paste(page, template);
  await findings(page, ["ECR202", "ECR301", "ECR302", "ECR201", "ECR201", "ECR202", "ECR301", "ECR302"]);
  assert.equal(await page.textContent("#kind"), "CloudFormation template (YAML)");
  // The menu no longer names the example that was shown before the paste.
  assert.equal(await page.inputValue("#examples"), "");

  const mutable = page.locator(".cm-lintRange-warning", { hasText: "MUTABLE" });
  assert.equal(await mutable.textContent(), '"MUTABLE"');
  await mutable.hover();
  const tooltip = page.locator(".cm-tooltip-lint");
  await tooltip.waitFor();
  assert.equal(
    await tooltip.locator(".cm-diagnosticText").textContent(),
    "ECR201 ImageTagMutability is MUTABLE: image tags can be overwritten",
  );
  const action = tooltip.locator("button.cm-diagnosticAction");
  assert.equal(await action.textContent(), "Set ImageTagMutability to IMMUTABLE");
  await page.screenshot({ path: join(ARTIFACTS, "playground-tooltip.png") });
  await action.click();

  const once = template.replace('ImageTagMutability: "MUTABLE"', 'ImageTagMutability: "IMMUTABLE"');
  assert.equal(await editorText(page), once);
  await findings(page, ["ECR202", "ECR301", "ECR302", "ECR201", "ECR202", "ECR301", "ECR302"]);

  // Fix all: the other repository's tags, and scanning on push for both; the informational
  // findings (encryption, lifecycle) have no automatic fix and stay.
  await page.click("#fix-all");
  const scanning = "      ImageScanningConfiguration:\n        ScanOnPush: true\n";
  assert.equal(
    await editorText(page),
    once
      .replace('      ImageTagMutability: "IMMUTABLE"', `${scanning}      ImageTagMutability: "IMMUTABLE"`)
      .replace(
        "  MyRepository4:\n    Type: AWS::ECR::Repository\n    Properties:\n",
        `  MyRepository4:\n    Type: AWS::ECR::Repository\n    Properties:\n${scanning}      ImageTagMutability: IMMUTABLE\n`,
      ),
  );
  await findings(page, ["ECR301", "ECR302", "ECR301", "ECR302"]);
  assert.equal(await page.textContent("#announce"), "Applied 3 fixes.");
  assert.equal(await page.isDisabled("#fix-all"), true);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a share link carries the text in its fragment and restores it", async () => {
  const { page, context, problems } = await open();
  const text = (await example("describe-repositories-output.json")).replace("project-a/api", "équipe-🚀/api");
  await paste(page, text);
  await findings(page, ["ECR201", "ECR202", "ECR301"]);
  await page.click("#share");
  await page.locator("#share-link").waitFor({ state: "visible" });
  const link = await page.inputValue("#share-link");
  assert.match(link, new RegExp(`^${server.url.replace(/[.]/g, "\\.")}#code=[A-Za-z0-9_-]+$`));
  assert.equal(await page.evaluate(() => location.href), link);
  await context.close();

  const served = server.served.length;
  const shared = await open({ path: link.slice(server.url.length) });
  assert.equal(await editorText(shared.page), text);
  await findings(shared.page, ["ECR201", "ECR202", "ECR301"]);
  assert.equal(await shared.page.textContent("#kind"), "aws ecr describe-repositories output (JSON)");
  // The fragment never reached the server: it saw the page's own files, by their plain paths.
  assert.deepEqual(
    server.served
      .slice(served)
      .map((s) => s.path)
      .filter((p) => p !== "/favicon.svg"),
    ["/", "/style.css", "/main.js", "/ecrlint_wasm_bg.wasm"],
  );
  assert.deepEqual([...problems, ...shared.problems], []);
  await shared.context.close();
});

test("the examples menu has the six examples, each detected for what it is", async () => {
  const { page, context, problems } = await open();
  const options = await page.$$eval("#examples option:not([disabled])", (all) =>
    all.map((o) => /** @type {HTMLOptionElement} */ (o).value),
  );
  assert.deepEqual(options, [
    "conformity-exposed-policy",
    "kics-mutable-tags",
    "get-repository-policy",
    "describe-repositories",
    "terraform",
    "clean-template",
  ]);
  const seen = [];
  for (const id of options) {
    await page.selectOption("#examples", id);
    const codes = {
      "conformity-exposed-policy": ["ECR101", "ECR102"],
      "kics-mutable-tags": ["ECR202", "ECR301", "ECR302", "ECR201", "ECR201", "ECR202", "ECR301", "ECR302"],
      "get-repository-policy": ["ECR101"],
      "describe-repositories": ["ECR201", "ECR202", "ECR301"],
      terraform: ["ECR201", "ECR301", "ECR302", "ECR101"],
      "clean-template": [],
    }[id];
    assert.ok(codes !== undefined);
    const shown = await findings(page, codes);
    assert.equal(await page.inputValue("#examples"), id);
    seen.push([id, await page.textContent("#kind"), shown.map((f) => f.fix)]);
  }
  assert.deepEqual(seen, [
    ["conformity-exposed-policy", "repository policy (JSON)", [null, "Allow only pulling images instead of ecr:* (unsafe)"]],
    [
      "kics-mutable-tags",
      "CloudFormation template (YAML)",
      [
        "Set ImageScanningConfiguration: {ScanOnPush: true}",
        null,
        null,
        "Set ImageTagMutability to IMMUTABLE",
        "Set ImageTagMutability: IMMUTABLE",
        "Set ImageScanningConfiguration: {ScanOnPush: true}",
        null,
        null,
      ],
    ],
    ["get-repository-policy", "aws ecr get-repository-policy output (JSON)", ["Allow only the owning account (arn:aws:iam::123456789012:root)"]],
    ["describe-repositories", "aws ecr describe-repositories output (JSON)", [null, null, null]],
    [
      "terraform",
      "Terraform configuration (HCL)",
      [
        'Set image_tag_mutability = "IMMUTABLE"',
        null,
        null,
        "Allow only the owning account (arn:aws:iam::${data.aws_caller_identity.current.account_id}:root)",
      ],
    ],
    ["clean-template", "CloudFormation template (YAML)", []],
  ]);
  assert.equal(await editorText(page), await example("clean-template.yaml"));
  assert.deepEqual(problems, []);
  await context.close();
});

test("Download fixed file saves the text with every safe fix applied", async () => {
  const { page, context, problems } = await open();
  await page.selectOption("#examples", "get-repository-policy");
  await findings(page, ["ECR101"]);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
  assert.equal(download.suggestedFilename(), "get-repository-policy.json");
  const path = await download.path();
  const original = await example("get-repository-policy-output.json");
  assert.equal(
    await readFile(path, "utf8"),
    original.replace('\\"AWS\\" : \\"*\\"', '\\"AWS\\" : \\"arn:aws:iam::123456789012:root\\"'),
  );
  // The editor keeps the text as it was.
  assert.equal(await editorText(page), original);
  assert.deepEqual(problems, []);
  await context.close();
});

test("the rules page is built from rules(), and a finding's code links to its rule", async () => {
  const { page, context, problems } = await open();
  await findings(page, ["ECR101", "ECR102"]);
  await Promise.all([page.waitForURL(/rules\.html#ECR101$/), page.click("#findings a.rule")]);
  await page.waitForSelector("body[data-ready=true]");
  const rules = packageRules();
  assert.deepEqual(
    await page.$$eval("#rule-list > section", (sections) =>
      sections.map((s) => [s.id, s.querySelector(".summary")?.textContent]),
    ),
    rules.map((rule) => [rule.code, rule.summary]),
  );
  const section = page.locator("section#ECR101");
  assert.equal(await section.locator("h2").textContent(), "ECR101 public-repository");
  assert.deepEqual(await section.locator("h3").allTextContents(), [
    "What it does",
    "Why is this bad?",
    "Example",
    "Fix",
    "Covers",
  ]);
  assert.equal(await section.locator("pre code.language-yaml").count(), 2);
  assert.ok(await section.isVisible());
  assert.deepEqual(problems, []);
  await context.close();
});

test("works with the keyboard alone", async () => {
  const { page, context, problems } = await open();
  await findings(page, ["ECR101", "ECR102"]);
  // From the top of the page: Tab reaches the account id field; type it.
  await page.keyboard.press("Tab");
  const focusOrder = [];
  for (let i = 0; i < 10 && focusOrder.at(-1) !== "account-id"; i += 1) {
    await page.keyboard.press("Tab");
    focusOrder.push(await page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName));
  }
  assert.deepEqual(focusOrder, ["A", "examples", "account-id"]);
  await page.keyboard.type("123456789012");
  await findings(page, ["ECR101", "ECR102"]);
  // Onwards through the toolbar and the editor (which does not trap Tab) to the fix button.
  const rest = [];
  for (let i = 0; i < 12 && rest.at(-1) !== "fix"; i += 1) {
    await page.keyboard.press("Tab");
    rest.push(
      await page.evaluate(
        () => document.activeElement?.id || document.activeElement?.className.split(" ")[0] || document.activeElement?.tagName,
      ),
    );
  }
  assert.deepEqual(rest, ["trusted-accounts", "share", "download", "cm-content", "fix-all", "include-unsafe", "rule", "location", "fix"]);
  await page.keyboard.press("Enter");
  await findings(page, []);
  assert.match(await editorText(page), /"Principal": \{"AWS": "arn:aws:iam::123456789012:root"\}/);
  assert.deepEqual(problems, []);
  await context.close();
});

test("reads well on a narrow screen in dark mode; screenshots saved", async () => {
  const wide = await open();
  await wide.page.selectOption("#examples", "kics-mutable-tags");
  await findings(wide.page, ["ECR202", "ECR301", "ECR302", "ECR201", "ECR201", "ECR202", "ECR301", "ECR302"]);
  await wide.page.screenshot({ path: join(ARTIFACTS, "playground.png") });
  await wide.context.close();

  const { page, context, problems } = await open({ width: 390, height: 844, colorScheme: "dark" });
  await findings(page, ["ECR101", "ECR102"]);
  assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), "rgb(13, 17, 23)");
  assert.equal(await page.evaluate(() => getComputedStyle(document.body).color), "rgb(230, 237, 243)");
  // Nothing sticks out sideways, and the findings come below the editor.
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true);
  const editor = await page.locator("#editor").boundingBox();
  const panel = await page.locator(".findings-pane").boundingBox();
  assert.ok(editor !== null && panel !== null);
  assert.ok(panel.y >= editor.y + editor.height, JSON.stringify({ editor, panel }));
  assert.ok(panel.width <= 390);
  await page.screenshot({ path: join(ARTIFACTS, "playground-narrow-dark.png"), fullPage: true });
  for (const name of ["playground.png", "playground-tooltip.png", "playground-narrow-dark.png"]) {
    const png = await readFile(join(ARTIFACTS, name));
    assert.deepEqual([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], name);
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test("no page made a request to any other origin", () => {
  const origin = new URL(server.url).origin;
  assert.ok(requested.length > 0);
  assert.deepEqual(
    requested.filter((url) => new URL(url).origin !== origin && !url.startsWith("blob:")),
    [],
  );
});
