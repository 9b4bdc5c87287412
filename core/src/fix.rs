//! Applying fixes: one shared routine for every face. Fixes are applied in rounds (a fix can
//! reveal the next finding) until nothing fixable is left, and a round that would leave the
//! document unparsable is thrown away.

use serde::Serialize;

use crate::diagnostic::{Applicability, Edit};
use crate::{check, Checked, Settings};

/// Rounds after which fixing stops even if fixes remain (they would be fighting each other).
const MAX_ROUNDS: usize = 10;

#[derive(Clone, Debug, Serialize)]
pub struct FixedSource {
    /// The text after all applied fixes (the input itself when nothing applied).
    pub text: String,
    pub applied: Vec<AppliedFix>,
    /// What the fixed text still has.
    pub remaining: Checked,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AppliedFix {
    pub code: &'static str,
    pub title: String,
}

/// Applies every safe fix (and unsafe ones when asked). Never fixes a document that does not parse.
pub fn fix(
    source: &str,
    path: Option<&str>,
    settings: &Settings,
    unsafe_fixes: bool,
) -> FixedSource {
    let mut text = source.to_string();
    let mut applied = Vec::new();
    let mut checked = check(&text, path, settings);
    for _ in 0..MAX_ROUNDS {
        if has_syntax_error(&checked) {
            break;
        }
        let mut edits: Vec<Edit> = Vec::new();
        let mut round = Vec::new();
        for diagnostic in &checked.diagnostics {
            let Some(fix) = &diagnostic.fix else { continue };
            if fix.applicability == Applicability::Unsafe && !unsafe_fixes {
                continue;
            }
            let overlaps = fix
                .edits
                .iter()
                .any(|e| edits.iter().any(|taken| overlap(taken, e)));
            if overlaps || fix.edits.is_empty() {
                continue;
            }
            edits.extend(fix.edits.iter().cloned());
            round.push(AppliedFix {
                code: diagnostic.code,
                title: fix.title.clone(),
            });
        }
        if round.is_empty() {
            break;
        }
        let next = apply_edits(&text, &edits);
        let next_checked = check(&next, path, settings);
        if has_syntax_error(&next_checked) {
            break;
        }
        text = next;
        checked = next_checked;
        applied.extend(round);
    }
    FixedSource {
        text,
        applied,
        remaining: checked,
    }
}

fn has_syntax_error(checked: &Checked) -> bool {
    checked.diagnostics.iter().any(|d| d.code == "ECR901")
}

/// Two edits conflict when they overlap, or insert at the same place.
fn overlap(a: &Edit, b: &Edit) -> bool {
    a.range.start < b.range.end && b.range.start < a.range.end || a.range.start == b.range.start
}

/// Applies non-overlapping edits to a text.
pub fn apply_edits(source: &str, edits: &[Edit]) -> String {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(source.len() + 64);
    let mut at = 0usize;
    for edit in sorted {
        let range = edit.range.as_usize();
        if range.start < at || range.end > source.len() {
            continue;
        }
        out.push_str(&source[at..range.start]);
        out.push_str(&edit.content);
        at = range.end;
    }
    out.push_str(&source[at..]);
    out
}
