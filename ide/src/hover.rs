//! Hover on a finding: what was found, then the rule's own explanation (the same Markdown as
//! `ecrlint explain` and the rule pages).

use ecrlint_core::{Checked, TextRange};
use ls_types::{Hover, HoverContents, MarkupContent, MarkupKind};

use crate::position::Positions;

/// The hover for the findings at byte `offset`, when there are any.
pub fn hover(checked: &Checked, offset: u32, positions: &Positions<'_>) -> Option<Hover> {
    let here: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.range.start <= offset && offset <= d.range.end)
        .collect();
    let first = here.first()?;
    let mut sections = Vec::new();
    let mut explained = Vec::new();
    for finding in &here {
        let mut text = format!(
            "**{}** `{}` · {}\n\n{}",
            finding.code,
            finding.name,
            finding.severity.as_str(),
            finding.message
        );
        if !explained.contains(&finding.code) {
            explained.push(finding.code);
            if let Some(rule) = ecrlint_core::rule(finding.code) {
                text.push_str("\n\n");
                text.push_str(rule.explanation.trim_end());
                text.push_str(&format!(
                    "\n\n[{} documentation]({})",
                    rule.code,
                    ecrlint_core::rule_url(rule.code)
                ));
            }
        }
        sections.push(text);
    }
    // Where all the findings here overlap: each holds `offset`, so the overlap is not empty.
    let range = TextRange::new(
        here.iter()
            .map(|d| d.range.start)
            .max()
            .unwrap_or(first.range.start),
        here.iter()
            .map(|d| d.range.end)
            .min()
            .unwrap_or(first.range.end),
    );
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: sections.join("\n\n---\n\n"),
        }),
        range: Some(positions.range(range)),
    })
}
