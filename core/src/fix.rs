//! Applying fixes: one shared routine for every face. Fixes are applied in rounds (a fix can
//! reveal the next finding) until nothing fixable is left, and a round that would leave the
//! document unparsable is thrown away.

use std::collections::BTreeMap;

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
        // Edits taken this round, by start: a new edit is checked against its neighbours only.
        let mut taken: BTreeMap<u32, u32> = BTreeMap::new();
        let mut round = Vec::new();
        for diagnostic in &checked.diagnostics {
            let Some(fix) = &diagnostic.fix else { continue };
            if fix.applicability == Applicability::Unsafe && !unsafe_fixes {
                continue;
            }
            let overlaps = fix.edits.iter().any(|e| conflicts(&taken, e));
            if overlaps || fix.edits.is_empty() {
                continue;
            }
            for e in &fix.edits {
                taken.insert(e.range.start, e.range.end);
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

/// Whether an edit conflicts with one already taken: they overlap, or insert at the same place.
fn conflicts(taken: &BTreeMap<u32, u32>, edit: &Edit) -> bool {
    let (start, end) = (edit.range.start, edit.range.end);
    let before = taken.range(..=start).next_back();
    let after = taken.range(start..).next();
    before.is_some_and(|(&s, &e)| s == start || e > start)
        || after.is_some_and(|(&s, _)| s == start || s < end)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TextRange;

    #[test]
    fn edits_conflict_when_they_overlap_or_insert_at_one_place() {
        let taken: BTreeMap<u32, u32> = [(10, 20), (30, 30)].into_iter().collect();
        let edit = |start, end| Edit::replace(TextRange::new(start, end), "x");
        assert!(!conflicts(&taken, &edit(0, 10)), "touching is fine");
        assert!(!conflicts(&taken, &edit(20, 25)));
        assert!(!conflicts(&taken, &edit(20, 20)));
        assert!(conflicts(&taken, &edit(5, 11)));
        assert!(conflicts(&taken, &edit(19, 21)));
        assert!(
            conflicts(&taken, &edit(12, 12)),
            "an insertion inside a replaced range"
        );
        assert!(
            conflicts(&taken, &edit(30, 30)),
            "two insertions at one place"
        );
        assert!(
            conflicts(&taken, &edit(25, 35)),
            "a replacement over an insertion"
        );
        assert!(!conflicts(&taken, &edit(31, 40)));
    }
}
