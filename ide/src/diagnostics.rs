//! Core findings as LSP diagnostics. Each carries its fix in `data`, already in the editor's
//! coordinates for the version it was computed on, so that a code action is the fix read back:
//! no second check, no guessing which finding was meant. A document publishes at most
//! `max_diagnostics` of them (an editor shows no more, and each costs the server memory until
//! it is sent), then one diagnostic saying how many more there are and how to see them all.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::OnceLock;

use ecrlint_core::{Applicability, Checked, Diagnostic as Finding, Encoding, Severity};
use ls_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag,
    Location, NumberOrString, Range, TextEdit, Uri,
};
use serde::{Deserialize, Serialize};

use crate::position::Positions;

pub const SOURCE: &str = "ecrlint";

/// How many diagnostics a document publishes unless the editor says otherwise
/// (`maxDiagnostics`): far more than anyone reads in an editor, few enough to stay small.
pub const DEFAULT_MAX_DIAGNOSTICS: usize = 1000;

/// The diagnostics of a check, at most `max` of them (the first by position) and, when there
/// were more, one more at the start of the document saying how many were left out. A document
/// that is not ours (not a template, policy or ECR CLI output) has none.
pub fn diagnostics(
    checked: &Checked,
    text: &str,
    uri: &Uri,
    version: i32,
    others: &[(String, std::sync::Arc<String>)],
    encoding: Encoding,
    max: usize,
) -> Vec<Diagnostic> {
    if !checked.kind.is_ours() {
        return Vec::new();
    }
    let positions = Positions::new(text, encoding);
    let (shown, left_out) = checked
        .diagnostics
        .split_at(checked.diagnostics.len().min(max));
    let mut diagnostics: Vec<Diagnostic> = shown
        .iter()
        .map(|d| diagnostic(d, &positions, uri, version, others, encoding))
        .collect();
    if !left_out.is_empty() {
        diagnostics.push(left_out_summary(
            shown.len(),
            left_out,
            uri,
            version,
            &positions,
        ));
    }
    diagnostics
}

/// "ecrlint shows the first 1000 findings of 100000 …": at the first finding left out, as
/// severe as the most severe of them, so that a Problems view filtered by severity still shows it.
fn left_out_summary(
    shown: usize,
    left_out: &[Finding],
    uri: &Uri,
    version: i32,
    positions: &Positions<'_>,
) -> Diagnostic {
    let total = shown + left_out.len();
    let most_severe = left_out
        .iter()
        .map(|f| f.severity)
        .max()
        .unwrap_or(Severity::Info);
    let file = crate::position::file_path(uri)
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "FILE".to_string());
    let start = positions.position(left_out[0].range.start);
    Diagnostic {
        range: Range::new(start, start),
        severity: Some(severity(most_severe)),
        code: None,
        code_description: None,
        source: Some(SOURCE.to_string()),
        message: format!(
            "{} more findings are not shown here: ecrlint shows the first {shown} of the {total} in this file (setting `maxDiagnostics`). `ecrlint check {file}` lists them all.",
            left_out.len()
        ),
        related_information: None,
        tags: None,
        data: serde_json::to_value(DiagnosticData { version, fix: None }).ok(),
    }
}

/// What travels in `Diagnostic.data`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DiagnosticData {
    /// The document version the ranges below belong to.
    pub version: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<FixData>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FixData {
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<TextEdit>,
}

/// A finding as an LSP diagnostic; a related place in another file of the module (`others`:
/// path and text) is located in that file.
pub fn diagnostic(
    finding: &Finding,
    positions: &Positions<'_>,
    uri: &Uri,
    version: i32,
    others: &[(String, std::sync::Arc<String>)],
    encoding: Encoding,
) -> Diagnostic {
    let related: Vec<DiagnosticRelatedInformation> = finding
        .related
        .iter()
        .filter_map(|r| {
            let location = match &r.file {
                None => Location::new(uri.clone(), positions.range(r.range)),
                Some(file) => {
                    let (_, text) = others.iter().find(|(path, _)| path == file)?;
                    let there = Positions::new(text, encoding);
                    let uri = Uri::from_file_path(file)?;
                    Location::new(uri, there.range(r.range))
                }
            };
            Some(DiagnosticRelatedInformation {
                location,
                message: r.message.clone(),
            })
        })
        .collect();
    let fix = finding.fix.as_ref().map(|fix| FixData {
        title: fix.title.clone(),
        applicability: fix.applicability,
        edits: fix
            .edits
            .iter()
            .map(|e| TextEdit::new(positions.range(e.range), e.content.clone()))
            .collect(),
    });
    let data = DiagnosticData { version, fix };
    Diagnostic {
        range: positions.range(finding.range),
        severity: Some(severity(finding.severity)),
        code: Some(NumberOrString::String(finding.code.to_string())),
        code_description: rule_page(finding.code).map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message: finding.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: (finding.code == ecrlint_core::rules::UNUSED_SUPPRESSION.code)
            .then(|| vec![DiagnosticTag::UNNECESSARY]),
        data: serde_json::to_value(data).ok(),
    }
}

/// The rule page of a code, parsed once per rule: a large document has thousands of findings
/// and a handful of rules.
fn rule_page(code: &str) -> Option<Uri> {
    static PAGES: OnceLock<HashMap<&'static str, Uri>> = OnceLock::new();
    let pages = PAGES.get_or_init(|| {
        ecrlint_core::rules()
            .iter()
            .filter_map(|rule| {
                let href = Uri::from_str(&ecrlint_core::rule_url(rule.code)).ok()?;
                Some((rule.code, href))
            })
            .collect()
    });
    pages.get(code).cloned()
}

pub fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// The data of one of our diagnostics, as the client sent it back.
pub fn data_of(diagnostic: &Diagnostic) -> Option<DiagnosticData> {
    if diagnostic.source.as_deref() != Some(SOURCE) {
        return None;
    }
    serde_json::from_value(diagnostic.data.clone()?).ok()
}

/// The rule code of one of our diagnostics.
pub fn code_of(diagnostic: &Diagnostic) -> Option<&str> {
    match &diagnostic.code {
        Some(NumberOrString::String(code)) if diagnostic.source.as_deref() == Some(SOURCE) => {
            Some(code)
        }
        _ => None,
    }
}
