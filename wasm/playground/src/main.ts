// The playground page: an editor whose text is checked by ecrlint's WebAssembly build as it is
// typed, with the findings underlined, in the gutter and in a panel, each with its fix.
// Nothing leaves the page: the text is checked here, and a share link carries it in the URL
// fragment, which the browser never sends.

import { Compartment, EditorState, type Extension } from "@codemirror/state";
import {
  EditorView,
  drawSelection,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
} from "@codemirror/view";
import { defaultKeymap, history as undoHistory, historyKeymap } from "@codemirror/commands";
import { bracketMatching, foldGutter, foldKeymap, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { searchKeymap } from "@codemirror/search";
import { lintGutter, lintKeymap, setDiagnostics, type Diagnostic } from "@codemirror/lint";
import { json } from "@codemirror/lang-json";
import { yaml } from "@codemirror/lang-yaml";

import init, { check, fix, rules, version, type CheckResult, type Format, type Settings } from "../../pkg/ecrlint_wasm.js";
import { EXAMPLES } from "./examples.js";
import { inline } from "./markdown.js";
import { findingsField, setFindings, type PlacedFinding } from "./findings.js";
import { decodeShareFragment, encodeShareFragment } from "./share.js";
import { editorTheme, highlightStyle } from "./theme.js";

/** How long typing must pause before the text is checked again. */
const CHECK_DELAY_MS = 120;

function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) {
    throw new Error(`the page has no #${id}`);
  }
  return found;
}

const ui = {
  editor: element("editor", HTMLDivElement),
  examples: element("examples", HTMLSelectElement),
  accountId: element("account-id", HTMLInputElement),
  accountIdHint: element("account-id-hint", HTMLSpanElement),
  trustedAccounts: element("trusted-accounts", HTMLInputElement),
  trustedAccountsHint: element("trusted-accounts-hint", HTMLSpanElement),
  kind: element("kind", HTMLSpanElement),
  count: element("finding-count", HTMLSpanElement),
  findings: element("findings", HTMLOListElement),
  fixAll: element("fix-all", HTMLButtonElement),
  includeUnsafe: element("include-unsafe", HTMLInputElement),
  share: element("share", HTMLButtonElement),
  shareLink: element("share-link", HTMLInputElement),
  download: element("download", HTMLButtonElement),
  announce: element("announce", HTMLParagraphElement),
  version: element("version", HTMLSpanElement),
};

const language = new Compartment();
let currentFormat: Format = "yaml";
let checkTimer: ReturnType<typeof setTimeout> | undefined;

function languageFor(format: Format): Extension {
  switch (format) {
    case "json":
      return json();
    case "yaml":
      return yaml();
    case "hcl":
      // No HCL mode is bundled: plain text, the findings still underlined.
      return [];
  }
}

/** The accounts typed in the trusted-accounts field, split at commas and spaces. */
function trustedAccounts(): string[] {
  return ui.trustedAccounts.value.split(/[\s,]+/).filter((id) => id !== "");
}

/** The settings from the page's fields. An account id counts once it is 12 digits; the trusted
 * accounts once every one of them is. */
function settings(): Settings {
  const result: Settings = {};
  const accountId = ui.accountId.value.trim();
  if (/^\d{12}$/.test(accountId)) {
    result.accountId = accountId;
  }
  const trusted = trustedAccounts();
  if (trusted.length > 0 && trusted.every((id) => /^\d{12}$/.test(id))) {
    result.trustedAccounts = trusted;
  }
  return result;
}

function scheduleCheck(view: EditorView): void {
  clearTimeout(checkTimer);
  checkTimer = setTimeout(() => checkNow(view), CHECK_DELAY_MS);
}

function checkNow(view: EditorView): CheckResult {
  clearTimeout(checkTimer);
  const result = check(view.state.doc.toString(), settings());
  const diagnostics = result.findings.map((finding, index): Diagnostic => {
    const diagnostic: Diagnostic = {
      from: finding.range.start,
      to: finding.range.end,
      severity: finding.severity,
      source: "ecrlint",
      message: `${finding.code} ${finding.message}`,
      renderMessage: () => tooltipMessage(finding.code, finding.message),
    };
    if (finding.fix !== undefined) {
      const name = finding.fix.title.replace(/`/g, "");
      diagnostic.actions = [{ name, apply: (target) => applyFinding(target, index) }];
    }
    return diagnostic;
  });
  view.dispatch(setDiagnostics(view.state, diagnostics), { effects: setFindings.of(result) });
  if (result.format !== currentFormat) {
    currentFormat = result.format;
    view.dispatch({ effects: language.reconfigure(languageFor(currentFormat)) });
  }
  return result;
}

function tooltipMessage(code: string, message: string): HTMLElement {
  const span = document.createElement("span");
  span.append(ruleLink(code), " ", ...inline(message));
  return span;
}

function ruleLink(code: string): HTMLAnchorElement {
  const link = document.createElement("a");
  link.href = `rules.html#${code}`;
  link.className = "rule";
  link.textContent = code;
  link.title = `What ${code} checks, and why`;
  return link;
}

/** Applies the fix of the finding at `index` in the last check, where its text now is. */
function applyFinding(view: EditorView, index: number): void {
  const placed = view.state.field(findingsField)?.placed[index];
  if (placed?.edits == null || placed.finding.fix === undefined) {
    return;
  }
  view.dispatch({
    changes: placed.edits.map((edit) => ({ from: edit.from, to: edit.to, insert: edit.insert })),
    userEvent: "input.fix",
    scrollIntoView: true,
  });
  checkNow(view);
  say(`Applied: ${placed.finding.fix.title}`);
}

function replaceText(view: EditorView, text: string, userEvent: string): void {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text }, userEvent });
}

function say(message: string): void {
  ui.announce.textContent = message;
}

function renderFindings(view: EditorView): void {
  const state = view.state.field(findingsField);
  if (state === null) {
    return;
  }
  const { result, placed } = state;
  ui.kind.textContent = `${result.kindDescription} (${result.format.toUpperCase()})`;
  ui.kind.dataset["kind"] = result.kind;
  const count = placed.length;
  ui.count.textContent = count === 0 ? "none" : String(count);
  ui.fixAll.disabled = !placed.some((p) => p.finding.fix !== undefined);
  ui.findings.replaceChildren(...placed.map((p, index) => findingItem(view, p, index)));
  if (count === 0) {
    const item = document.createElement("li");
    item.className = "empty";
    item.textContent = !result.parsed
      ? "The text does not parse."
      : result.kind === "other"
        ? "Nothing to check: paste a template, a policy or ECR CLI output."
        : "No findings.";
    ui.findings.append(item);
  }
}

function findingItem(view: EditorView, placed: PlacedFinding, index: number): HTMLLIElement {
  const { finding } = placed;
  const item = document.createElement("li");
  item.className = `finding severity-${finding.severity}`;
  item.dataset["code"] = finding.code;

  const head = document.createElement("div");
  head.className = "finding-head";
  const severity = document.createElement("span");
  severity.className = "severity";
  severity.textContent = finding.severity;
  const goTo = document.createElement("button");
  goTo.type = "button";
  goTo.className = "location";
  const line = view.state.doc.lineAt(Math.min(placed.from, view.state.doc.length));
  goTo.textContent = `line ${line.number}, col ${placed.from - line.from + 1}`;
  goTo.setAttribute("aria-label", `Go to ${finding.code} at line ${line.number}`);
  goTo.addEventListener("click", () => {
    view.dispatch({ selection: { anchor: placed.from, head: placed.to }, scrollIntoView: true });
    view.focus();
  });
  head.append(severity, ruleLink(finding.code), goTo);

  const message = document.createElement("p");
  message.className = "message";
  message.append(...inline(finding.message));
  item.append(head, message);
  const policyKinds = ["repository-policy", "get-repository-policy-output", "get-registry-policy-output"];
  const result = view.state.field(findingsField)?.result;
  const principalRule = finding.code === "ECR101" || finding.code === "ECR105";
  if (principalRule && finding.fix === undefined && result !== undefined && policyKinds.includes(result.kind)) {
    const hint = document.createElement("p");
    hint.className = "hint-fix";
    hint.textContent = "Enter the AWS account id that owns the repository (above) for a fix.";
    item.append(hint);
  }

  if (finding.fix !== undefined) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "fix";
    button.append(...inline(finding.fix.title));
    if (finding.fix.applicability === "unsafe") {
      button.append(" (unsafe)");
    }
    button.disabled = placed.edits === null;
    if (placed.edits === null) {
      button.title = "The text this fix replaces was edited; wait for the next check.";
    }
    button.addEventListener("click", () => applyFinding(view, index));
    item.append(button);
  }
  return item;
}

function fileName(result: CheckResult): string {
  const extension = result.format === "json" ? "json" : "yaml";
  switch (result.kind) {
    case "cloudformation-template":
    case "sam-template":
      return `template.${extension}`;
    case "repository-policy":
      return `repository-policy.${extension}`;
    case "get-repository-policy-output":
      return `get-repository-policy.${extension}`;
    case "get-registry-policy-output":
      return `get-registry-policy.${extension}`;
    case "describe-repositories-output":
      return `describe-repositories.${extension}`;
    case "get-registry-scanning-configuration-output":
      return `get-registry-scanning-configuration.${extension}`;
    case "batch-get-repository-scanning-configuration-output":
      return `batch-get-repository-scanning-configuration.${extension}`;
    case "lifecycle-policy":
      return `lifecycle-policy.${extension}`;
    case "get-lifecycle-policy-output":
      return `get-lifecycle-policy.${extension}`;
    case "terraform":
      return "main.tf";
    case "terraform-plan":
      return "plan.json";
    case "other":
      return `ecrlint.${extension}`;
  }
}

async function restoreFromFragment(view: EditorView): Promise<boolean> {
  const text = await decodeShareFragment(location.hash);
  if (text === null) {
    return false;
  }
  replaceText(view, text, "input.share");
  checkNow(view);
  return true;
}

async function main(): Promise<void> {
  await init({ module_or_path: new URL("ecrlint_wasm_bg.wasm", import.meta.url) });
  ui.version.textContent = `ecrlint ${version()}`;

  for (const example of EXAMPLES) {
    const option = document.createElement("option");
    option.value = example.id;
    option.textContent = example.title;
    ui.examples.append(option);
  }

  const view = new EditorView({
    parent: ui.editor,
    state: EditorState.create({
      doc: EXAMPLES[0]?.text ?? "",
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        foldGutter(),
        lintGutter(),
        highlightSpecialChars(),
        undoHistory(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        highlightActiveLine(),
        syntaxHighlighting(highlightStyle),
        language.of(languageFor(currentFormat)),
        findingsField,
        editorTheme,
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ "aria-label": "Template, policy or ECR CLI output to check" }),
        keymap.of([...defaultKeymap, ...historyKeymap, ...searchKeymap, ...foldKeymap, ...lintKeymap]),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) {
            scheduleCheck(update.view);
            const shown = EXAMPLES.find((e) => e.id === ui.examples.value);
            if (shown !== undefined && update.state.doc.toString() !== shown.text) {
              ui.examples.value = "";
            }
          }
          if (update.state.field(findingsField) !== update.startState.field(findingsField)) {
            renderFindings(update.view);
          }
        }),
      ],
    }),
  });

  if (!(await restoreFromFragment(view))) {
    ui.examples.value = EXAMPLES[0]?.id ?? "";
    checkNow(view);
  }
  window.addEventListener("hashchange", () => void restoreFromFragment(view));

  ui.examples.addEventListener("change", () => {
    const example = EXAMPLES.find((e) => e.id === ui.examples.value);
    if (example !== undefined) {
      replaceText(view, example.text, "input.example");
      checkNow(view);
      history.replaceState(null, "", location.pathname + location.search);
      ui.shareLink.value = "";
    }
  });

  ui.accountId.addEventListener("input", () => {
    const value = ui.accountId.value.trim();
    const valid = value === "" || /^\d{12}$/.test(value);
    ui.accountId.setAttribute("aria-invalid", String(!valid));
    ui.accountIdHint.textContent = valid ? "" : "12 digits";
    checkNow(view);
  });

  ui.trustedAccounts.addEventListener("input", () => {
    const valid = trustedAccounts().every((id) => /^\d{12}$/.test(id));
    ui.trustedAccounts.setAttribute("aria-invalid", String(!valid));
    ui.trustedAccountsHint.textContent = valid ? "" : "12 digits each";
    checkNow(view);
  });

  ui.fixAll.addEventListener("click", () => {
    const fixed = fix(view.state.doc.toString(), settings(), { unsafe: ui.includeUnsafe.checked });
    if (fixed.applied.length > 0) {
      replaceText(view, fixed.text, "input.fix");
    }
    checkNow(view);
    const n = fixed.applied.length;
    say(n === 0 ? "Nothing to fix automatically." : `Applied ${n} fix${n === 1 ? "" : "es"}.`);
  });

  ui.share.addEventListener("click", async () => {
    const fragment = await encodeShareFragment(view.state.doc.toString());
    history.replaceState(null, "", fragment);
    ui.shareLink.value = location.href;
    ui.shareLink.hidden = false;
    ui.shareLink.select();
    try {
      await navigator.clipboard.writeText(location.href);
      say("Share link copied. The text is in the link itself; nothing was uploaded.");
    } catch {
      say("Share link ready: copy it from the field. The text is in the link itself; nothing was uploaded.");
    }
  });

  ui.download.addEventListener("click", () => {
    const fixed = fix(view.state.doc.toString(), settings(), { unsafe: ui.includeUnsafe.checked });
    const types = { json: "application/json", yaml: "application/yaml", hcl: "text/plain" };
    const blob = new Blob([fixed.text], { type: types[fixed.remaining.format] });
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = fileName(fixed.remaining);
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 0);
    say(`Downloaded ${link.download} with ${fixed.applied.length} fix${fixed.applied.length === 1 ? "" : "es"} applied.`);
  });

  // For the console (and the page's benchmark): the same API the npm package has.
  Object.assign(window, { ecrlint: { check, fix, rules, version }, ecrlintView: view });
  document.body.dataset["ready"] = "true";
}

main().catch((error: unknown) => {
  say(`The checker could not start: ${error instanceof Error ? error.message : String(error)}`);
  throw error;
});
