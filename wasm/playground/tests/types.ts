// Type-level tests of the npm package's declarations, checked by `tsc --strict` (`npm run
// typecheck`, part of `cargo xtask test`). Each `@ts-expect-error` fails the check when the
// declaration it probes is loose (an `any` would accept every one of these mistakes).

import { check, fix, rules, version, type CheckResult, type Finding, type Settings } from "../../pkg/ecrlint_wasm.js";

export function typed(text: string): string[] {
  const settings: Settings = { accountId: "123456789012", select: ["ECR1"], severity: { ECR201: "error" } };
  const result: CheckResult = check(text, settings, "template.yaml");
  const lines: string[] = result.findings.map((f: Finding) => `${f.start.line}:${f.start.column} ${f.code} ${f.severity}`);
  const fixed = fix(text, settings, { unsafe: false });
  lines.push(fixed.text, fixed.applied.map((a) => a.title).join(","), version(), rules()[0]?.explanation ?? "");
  return lines;
}

export function mistakes(text: string): void {
  // @ts-expect-error settings are checked: no such field
  check(text, { acountId: "123456789012" });
  // @ts-expect-error severity overrides take a severity
  check(text, { severity: { ECR201: "fatal" } });
  // @ts-expect-error fix options are checked
  fix(text, {}, { unsafeFixes: true });
  const result = check(text);
  // @ts-expect-error the kind is a union of known kinds
  const kind: "template" = result.kind;
  const first = result.findings[0];
  if (first === undefined) {
    return;
  }
  // @ts-expect-error a finding's fix may be absent
  const title: string = first.fix.title;
  // @ts-expect-error ranges are numbers
  const start: string = first.range.start;
  // @ts-expect-error there is no such export
  void check.notThere;
  void kind;
  void title;
  void start;
}
