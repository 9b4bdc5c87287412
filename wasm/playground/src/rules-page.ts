// The rules reference page, built from the rules' own metadata (`rules()`), the same text
// `ecrlint explain` and docs/rules show.

import init, { rules, version, type Rule } from "../../pkg/ecrlint_wasm.js";
import { renderMarkdown } from "./markdown.js";

function ruleSection(rule: Rule): HTMLElement {
  const section = document.createElement("section");
  section.id = rule.code;
  section.className = `rule-card severity-${rule.severity}`;
  section.setAttribute("aria-labelledby", `${rule.code}-title`);

  const title = document.createElement("h2");
  title.id = `${rule.code}-title`;
  const code = document.createElement("code");
  code.textContent = rule.code;
  title.append(code, ` ${rule.name}`);

  const facts = document.createElement("p");
  facts.className = "facts";
  const fix = { none: "no automatic fix", sometimes: "fix available in most cases", always: "always fixable" }[rule.fix];
  facts.textContent = `Severity: ${rule.severity} · ${fix}`;

  const summary = document.createElement("p");
  summary.className = "summary";
  summary.textContent = rule.summary;

  section.append(title, facts, summary, renderMarkdown(rule.explanation, 1));
  if (rule.covers.length > 0) {
    const heading = document.createElement("h3");
    heading.textContent = "Covers";
    const list = document.createElement("ul");
    for (const peer of rule.covers) {
      const item = document.createElement("li");
      item.textContent = peer;
      list.append(item);
    }
    section.append(heading, list);
  }
  return section;
}

async function main(): Promise<void> {
  await init({ module_or_path: new URL("ecrlint_wasm_bg.wasm", import.meta.url) });
  const all = rules();
  const index = document.getElementById("rule-index");
  const list = document.getElementById("rule-list");
  if (index === null || list === null) {
    throw new Error("the page has no #rule-index or #rule-list");
  }
  for (const rule of all) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = `#${rule.code}`;
    link.textContent = `${rule.code} ${rule.name}`;
    item.append(link, ` — ${rule.summary}`);
    index.append(item);
    list.append(ruleSection(rule));
  }
  const versionElement = document.getElementById("version");
  if (versionElement !== null) {
    versionElement.textContent = `ecrlint ${version()}`;
  }
  if (location.hash !== "") {
    document.getElementById(decodeURIComponent(location.hash.slice(1)))?.scrollIntoView();
  }
  document.body.dataset["ready"] = "true";
}

void main();
