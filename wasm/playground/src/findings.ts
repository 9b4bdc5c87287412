// The findings of the last check, kept in the editor state and mapped through every edit made
// since, so a fix applied later still lands where its text now is (or is withdrawn when the text
// it would replace was edited).

import { StateEffect, StateField, type ChangeDesc } from "@codemirror/state";
import type { CheckResult, Finding } from "../../pkg/ecrlint_wasm.js";

export interface PlacedEdit {
  from: number;
  to: number;
  insert: string;
}

export interface PlacedFinding {
  finding: Finding;
  from: number;
  to: number;
  /** The fix's edits at their current place; `null` when there is no fix or its text was edited. */
  edits: PlacedEdit[] | null;
}

export interface Findings {
  result: CheckResult;
  placed: PlacedFinding[];
  /** Whether the text changed since the check. */
  stale: boolean;
}

export const setFindings = StateEffect.define<CheckResult>();

export const findingsField = StateField.define<Findings | null>({
  create: () => null,
  update(value, tr) {
    for (const effect of tr.effects) {
      if (effect.is(setFindings)) {
        return place(effect.value);
      }
    }
    if (value !== null && tr.docChanged) {
      return mapFindings(value, tr.changes);
    }
    return value;
  },
});

function place(result: CheckResult): Findings {
  return {
    result,
    stale: false,
    placed: result.findings.map((finding) => ({
      finding,
      from: finding.range.start,
      to: finding.range.end,
      edits:
        finding.fix === undefined
          ? null
          : finding.fix.edits.map((edit) => ({ from: edit.range.start, to: edit.range.end, insert: edit.content })),
    })),
  };
}

function mapFindings(findings: Findings, changes: ChangeDesc): Findings {
  return {
    result: findings.result,
    stale: true,
    placed: findings.placed.map((placed) => {
      const edits = placed.edits;
      const touched = edits !== null && edits.some((edit) => changes.touchesRange(edit.from, edit.to));
      return {
        finding: placed.finding,
        from: changes.mapPos(placed.from, 1),
        to: Math.max(changes.mapPos(placed.from, 1), changes.mapPos(placed.to, -1)),
        edits:
          edits === null || touched
            ? null
            : edits.map((edit) => ({
                from: changes.mapPos(edit.from, 1),
                to: Math.max(changes.mapPos(edit.from, 1), changes.mapPos(edit.to, -1)),
                insert: edit.insert,
              })),
      };
    }),
  };
}
