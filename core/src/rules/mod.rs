//! The rules: one file each, each with its metadata (code, name, severity, explanation, the peer
//! rules it covers) and a check. The registry is the one list below; `ecrlint rules`, the rule
//! pages in docs/rules and the LSP hover all come from it.

mod audit_incomplete;
pub(crate) mod duplicate_key;
mod encryption_not_cmk;
mod image_scanning_disabled;
mod invalid_lifecycle_policy;
mod invalid_repository_policy;
pub(crate) mod invalid_syntax;
mod invalid_value;
mod mutable_image_tags;
mod no_lifecycle_policy;
mod public_registry_policy;
mod public_repository;
mod public_write;
pub mod reach;
mod unresolved_value;
mod untrusted_account;
mod unused_suppression;

use serde::Serialize;

use crate::diagnostic::{Related, Severity};
use crate::model::{Model, Remedy};
use crate::text::TextRange;

pub use audit_incomplete::META as AUDIT_INCOMPLETE;
pub use duplicate_key::META as DUPLICATE_KEY;
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
    /// Whether the rule runs when no `select` is given. An opt-in rule runs only when selected by
    /// its code, a prefix, its name or `ALL`.
    pub default: bool,
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
    &public_write::META,
    &untrusted_account::META,
    &public_registry_policy::META,
    &mutable_image_tags::META,
    &image_scanning_disabled::META,
    &encryption_not_cmk::META,
    &no_lifecycle_policy::META,
    &invalid_lifecycle_policy::META,
    &invalid_repository_policy::META,
    &invalid_syntax::META,
    &invalid_value::META,
    &unresolved_value::META,
    &duplicate_key::META,
    &unused_suppression::META,
    &audit_incomplete::META,
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

/// What a rule found: where, what, and the remedy in the model's terms.
#[derive(Clone, Debug)]
pub(crate) struct Finding {
    pub rule: &'static RuleMeta,
    pub range: TextRange,
    pub message: String,
    pub remedy: Option<Remedy>,
    pub related: Vec<Related>,
    /// Added to the message when the source cannot take the remedy.
    pub without_fix: Option<&'static str>,
}

/// A value a rule needed that cannot be known: the engine reports each once (ECR903).
#[derive(Clone, Debug)]
pub(crate) struct Unresolved {
    pub range: TextRange,
    /// What could not be decided: "whether image tags are mutable".
    pub question: &'static str,
    pub reason: String,
}

/// What the rules found in one model.
#[derive(Default)]
pub(crate) struct Report {
    pub findings: Vec<Finding>,
    pub unresolved: Vec<Unresolved>,
}

impl Report {
    pub fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    /// Notes a value the rule needed and cannot know.
    pub fn cannot_tell(
        &mut self,
        range: TextRange,
        question: &'static str,
        reason: impl Into<String>,
    ) {
        self.unresolved.push(Unresolved {
            range,
            question,
            reason: reason.into(),
        });
    }
}

/// A rule's judgement over the model.
pub(crate) type Check = fn(&Model, &mut Report);

/// The rules that judge the model, with their checks. ECR901/ECR904 come from the syntax,
/// ECR902 from lowering, ECR903 from the engine, ECR905 from the suppressions.
pub(crate) static CHECKS: &[(&RuleMeta, Check)] = &[
    (&public_repository::META, public_repository::check),
    (&public_write::META, public_write::check),
    (&untrusted_account::META, untrusted_account::check),
    (&public_registry_policy::META, public_registry_policy::check),
    (&mutable_image_tags::META, mutable_image_tags::check),
    (
        &image_scanning_disabled::META,
        image_scanning_disabled::check,
    ),
    (&encryption_not_cmk::META, encryption_not_cmk::check),
    (&no_lifecycle_policy::META, no_lifecycle_policy::check),
    (
        &invalid_lifecycle_policy::META,
        invalid_lifecycle_policy::check,
    ),
    (
        &invalid_repository_policy::META,
        invalid_repository_policy::check,
    ),
];
