//! The rules: one file each, each with its metadata (code, name, severity, explanation, the peer
//! rules it covers) and a check. The registry is the one list below; `ecrlint rules`, the rule
//! pages in docs/rules and the LSP hover all come from it.

mod duplicate_key;
mod invalid_syntax;
mod invalid_value;
mod mutable_image_tags;
mod public_repository;
mod unresolved_value;
mod unused_suppression;

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Fix, Related, Severity};
use crate::input::Input;
use crate::settings::Settings;
use crate::text::TextRange;

pub use invalid_syntax::META as INVALID_SYNTAX;
pub use invalid_value::META as INVALID_VALUE;
pub use unresolved_value::META as UNRESOLVED_VALUE;
pub use unused_suppression::META as UNUSED_SUPPRESSION;

#[derive(Debug, Serialize)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// One line, shown in listings.
    pub summary: &'static str,
    /// Markdown: "What it does", "Why is this bad?", "Example", "Fix".
    pub explanation: &'static str,
    /// The peer checks this rule covers, for people coming from them.
    pub covers: &'static [&'static str],
    pub fix: FixAvailability,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FixAvailability {
    None,
    Sometimes,
    Always,
}

impl RuleMeta {
    /// Whether a selector (`ECR101`, a prefix such as `ECR1`, or `public-repository`) names this rule.
    pub fn matches(&self, selector: &str) -> bool {
        let selector = selector.trim();
        selector.eq_ignore_ascii_case(self.name)
            || selector.eq_ignore_ascii_case("ALL")
            || (!selector.is_empty()
                && self
                    .code
                    .to_ascii_uppercase()
                    .starts_with(&selector.to_ascii_uppercase()))
    }
}

static RULES: &[&RuleMeta] = &[
    &public_repository::META,
    &mutable_image_tags::META,
    &invalid_syntax::META,
    &invalid_value::META,
    &unresolved_value::META,
    &duplicate_key::META,
    &unused_suppression::META,
];

/// Every rule, in code order.
pub fn rules() -> &'static [&'static RuleMeta] {
    RULES
}

/// A rule by code or name.
pub fn rule(code_or_name: &str) -> Option<&'static RuleMeta> {
    RULES.iter().copied().find(|r| {
        r.code.eq_ignore_ascii_case(code_or_name) || r.name.eq_ignore_ascii_case(code_or_name)
    })
}

/// The rule's page.
pub fn rule_url(code: &str) -> String {
    let name = rule(code).map_or("", |r| r.name);
    format!("https://github.com/ecrlint/ecrlint/blob/main/docs/rules/{code}-{name}.md")
}

/// Collects findings, applying rule selection and severity overrides as they come.
pub(crate) struct Report<'s> {
    settings: &'s Settings,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'s> Report<'s> {
    pub fn new(settings: &'s Settings) -> Self {
        Report {
            settings,
            diagnostics: Vec::new(),
        }
    }

    pub fn enabled(&self, rule: &RuleMeta) -> bool {
        self.settings.enabled(rule)
    }

    pub fn settings(&self) -> &Settings {
        self.settings
    }

    pub fn push(
        &mut self,
        rule: &'static RuleMeta,
        range: TextRange,
        message: impl Into<String>,
        fix: Option<Fix>,
        related: Vec<Related>,
    ) {
        if !self.enabled(rule) {
            return;
        }
        self.diagnostics.push(Diagnostic {
            code: rule.code,
            name: rule.name,
            severity: self.settings.severity_of(rule),
            message: message.into(),
            range,
            fix,
            related,
        });
    }
}

pub(crate) fn run(input: &Input<'_>, settings: &Settings) -> Vec<Diagnostic> {
    let mut report = Report::new(settings);
    invalid_syntax::check(input, &mut report);
    duplicate_key::check(input, &mut report);
    if input.root().is_some() {
        public_repository::check(input, &mut report);
        mutable_image_tags::check(input, &mut report);
    }
    report.diagnostics
}
