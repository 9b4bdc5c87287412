//! Code actions: the quick fix each diagnostic carries in its `data`, "Ignore ECRxxx on this line"
//! and "… for this resource" (written by core's suppress module, as every face writes them), and
//! `source.fixAll.ecrlint`, which applies every safe fix.

use std::collections::HashSet;
use std::sync::Arc;

use ecrlint_core::{rules, suppress, Applicability, Edit, Encoding, Settings};
use ls_types::{
    CodeAction, CodeActionKind, Diagnostic, DocumentChanges, OneOf,
    OptionalVersionedTextDocumentIdentifier, TextDocumentEdit, TextEdit, Uri, WorkspaceEdit,
};

use crate::diagnostics::{code_of, data_of};
use crate::position::{offset_at, Positions};

pub const FIX_ALL: CodeActionKind = CodeActionKind::new("source.fixAll.ecrlint");

/// A document as it stood when the code actions were asked for.
pub struct Snapshot {
    pub uri: Uri,
    pub text: Arc<String>,
    pub version: i32,
    /// The other files of its Terraform module, by path (none for other documents).
    pub siblings: Vec<(String, Arc<String>)>,
    pub path_hint: Option<String>,
    pub settings: Settings,
    pub fix: crate::FixFn,
    pub encoding: Encoding,
    /// Whether the client takes versioned `documentChanges` (and so refuses stale edits).
    pub document_changes: bool,
}

/// Whether an action of `kind` was asked for (`only` may name a parent kind: `source.fixAll`).
pub fn wanted(only: Option<&[CodeActionKind]>, kind: &CodeActionKind) -> bool {
    only.is_none_or(|only| {
        only.iter().any(|o| {
            let (asked, offered) = (o.as_str(), kind.as_str());
            offered == asked
                || offered
                    .strip_prefix(asked)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
    })
}

/// The actions for a `textDocument/codeAction` request: the quick fixes and suppressions of the
/// diagnostics it names, and fix all when its kind is asked for by name (fixing everything costs
/// checks of the whole document).
pub fn code_actions(
    only: Option<&[CodeActionKind]>,
    diagnostics: &[Diagnostic],
    snapshot: &Snapshot,
) -> Vec<CodeAction> {
    let mut found = Vec::new();
    if wanted(only, &CodeActionKind::QUICKFIX) {
        found.extend(quick_fixes(diagnostics, snapshot));
        found.extend(suppressions(diagnostics, snapshot));
    }
    if only.is_some() && wanted(only, &FIX_ALL) {
        found.extend(fix_all(snapshot));
    }
    found
}

/// The fixes carried by the diagnostics, for the version they were published with.
pub fn quick_fixes(diagnostics: &[Diagnostic], snapshot: &Snapshot) -> Vec<CodeAction> {
    let mut actions = Vec::new();
    for diagnostic in diagnostics {
        let Some(data) = data_of(diagnostic) else {
            continue;
        };
        let Some(fix) = data.fix else { continue };
        if data.version != snapshot.version {
            continue;
        }
        let safe = fix.applicability == Applicability::Safe;
        let title = if safe {
            fix.title
        } else {
            format!("{} (unsafe)", fix.title)
        };
        actions.push(CodeAction {
            title,
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diagnostic.clone()]),
            edit: Some(workspace_edit(snapshot, fix.edits)),
            is_preferred: Some(safe),
            ..CodeAction::default()
        });
    }
    actions
}

/// "Ignore ECRxxx on this line" and "Ignore ECRxxx for this resource", once per code and place.
pub fn suppressions(diagnostics: &[Diagnostic], snapshot: &Snapshot) -> Vec<CodeAction> {
    let text = snapshot.text.as_str();
    let positions = Positions::new(text, snapshot.encoding);
    let mut actions: Vec<CodeAction> = Vec::new();
    let mut seen: HashSet<(String, Edit)> = HashSet::new();
    for diagnostic in diagnostics {
        let (Some(code), Some(data)) = (code_of(diagnostic), data_of(diagnostic)) else {
            continue;
        };
        // A syntax error cannot be waved away, nor an unused ignore ignored.
        let unwaivable = [rules::INVALID_SYNTAX.code, rules::UNUSED_SUPPRESSION.code];
        if data.version != snapshot.version || unwaivable.contains(&code) {
            continue;
        }
        let offset = offset_at(text, diagnostic.range.start, snapshot.encoding) as u32;
        let hint = snapshot.path_hint.as_deref();
        let candidates = [
            (
                format!("Ignore {code} on this line"),
                suppress::ignore_on_line(text, hint, offset, code),
            ),
            (
                format!("Ignore {code} for this resource"),
                suppress::ignore_in_resource(text, hint, offset, code),
            ),
        ];
        for (title, edit) in candidates {
            let Some(edit) = edit else { continue };
            if !seen.insert((title.clone(), edit.clone())) {
                continue;
            }
            let edits = vec![TextEdit::new(positions.range(edit.range), edit.content)];
            actions.push(CodeAction {
                title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic.clone()]),
                edit: Some(workspace_edit(snapshot, edits)),
                is_preferred: Some(false),
                ..CodeAction::default()
            });
        }
    }
    actions
}

/// Every safe fix, applied as core's `fix` applies them (in rounds, never breaking the syntax),
/// sent as the few edits that turn the text into the fixed one.
pub fn fix_all(snapshot: &Snapshot) -> Option<CodeAction> {
    let text = snapshot.text.as_str();
    let fixed = (snapshot.fix)(
        text,
        snapshot.path_hint.as_deref(),
        &crate::sources(&snapshot.siblings),
        &snapshot.settings,
        false,
    );
    if !fixed.remaining.kind.is_ours() || fixed.text == text {
        return None;
    }
    let positions = Positions::new(text, snapshot.encoding);
    let edits = changed_spans(text, &fixed.text)
        .into_iter()
        .map(|edit| TextEdit::new(positions.range(edit.range), edit.content))
        .collect();
    Some(CodeAction {
        title: "Fix all auto-fixable ecrlint findings".into(),
        kind: Some(FIX_ALL),
        edit: Some(workspace_edit(snapshot, edits)),
        ..CodeAction::default()
    })
}

/// The edits from `old` to `new`: a line diff, each changed run of lines narrowed to the
/// characters that differ, so that the editor keeps its cursor, marks and folds elsewhere.
pub fn changed_spans(old: &str, new: &str) -> Vec<Edit> {
    let diff = similar::TextDiff::from_lines(old, new);
    let old_lines = diff.old_slices();
    let new_lines = diff.new_slices();
    let start_of =
        |lines: &[&str], line: usize| -> usize { lines[..line].iter().map(|l| l.len()).sum() };
    let mut edits = Vec::new();
    for op in diff.ops() {
        if op.tag() == similar::DiffTag::Equal {
            continue;
        }
        let (old_range, new_range) = (op.old_range(), op.new_range());
        let old_start = start_of(old_lines, old_range.start);
        let old_end = start_of(old_lines, old_range.end);
        let new_start = start_of(new_lines, new_range.start);
        let new_end = start_of(new_lines, new_range.end);
        let narrowed = changed_span(&old[old_start..old_end], &new[new_start..new_end]);
        edits.push(Edit::replace(
            ecrlint_core::TextRange::from_usize(
                old_start + narrowed.range.start as usize,
                old_start + narrowed.range.end as usize,
            ),
            narrowed.content,
        ));
    }
    edits
}

/// One edit from `old` to `new`: what lies between their common prefix and common suffix.
pub fn changed_span(old: &str, new: &str) -> Edit {
    let mut prefix = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let max_suffix = old.len().min(new.len()) - prefix;
    let mut suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    Edit::replace(
        ecrlint_core::TextRange::from_usize(prefix, old.len() - suffix),
        &new[prefix..new.len() - suffix],
    )
}

fn workspace_edit(snapshot: &Snapshot, edits: Vec<TextEdit>) -> WorkspaceEdit {
    if snapshot.document_changes {
        WorkspaceEdit {
            document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: snapshot.uri.clone(),
                    version: Some(snapshot.version),
                },
                edits: edits.into_iter().map(OneOf::Left).collect(),
            }])),
            ..WorkspaceEdit::default()
        }
    } else {
        WorkspaceEdit {
            changes: Some([(snapshot.uri.clone(), edits)].into_iter().collect()),
            ..WorkspaceEdit::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_changed_span_is_minimal_and_whole_characters() {
        let edit = changed_span("a: MUTABLE\n", "a: IMMUTABLE\n");
        assert_eq!(edit, Edit::insert(3, "IM"));
        let edit = changed_span("x: é\n", "x: è\n");
        assert_eq!(edit, Edit::replace(ecrlint_core::TextRange::new(3, 5), "è"));
        let edit = changed_span("aaa", "aaaa");
        assert_eq!(edit, Edit::insert(3, "a"));
        let edit = changed_span("same", "same");
        assert!(edit.range.is_empty() && edit.content.is_empty());
    }

    #[test]
    fn changed_spans_are_one_per_changed_place() {
        let old = "a: MUTABLE\nb: keep\nc: \"*\"\r\nd: é\n";
        let new = "a: IMMUTABLE\nb: keep\nc: {AWS: x}\r\nd: é\nnew: line\n";
        let edits = changed_spans(old, new);
        assert_eq!(
            edits,
            [
                Edit::insert(3, "IM"),
                Edit::replace(ecrlint_core::TextRange::new(22, 25), "{AWS: x}"),
                Edit::insert(33, "new: line\n"),
            ]
        );
        assert_eq!(ecrlint_core::apply_edits(old, &edits), new);
        assert_eq!(changed_spans(old, old), []);
    }

    #[test]
    fn kinds_match_their_parents() {
        let only = [CodeActionKind::SOURCE_FIX_ALL];
        assert!(wanted(Some(&only), &FIX_ALL));
        assert!(!wanted(Some(&only), &CodeActionKind::QUICKFIX));
        assert!(wanted(None, &CodeActionKind::QUICKFIX));
        let source = [CodeActionKind::SOURCE];
        assert!(wanted(Some(&source), &FIX_ALL));
        let sourcex = [CodeActionKind::new("sourcex")];
        assert!(!wanted(Some(&sourcex), &FIX_ALL));
    }
}
