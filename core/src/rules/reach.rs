//! The one question asked of a policy statement, shared by the rules that need it: can it reach
//! everyone? An `Allow` whose principal names everyone (or that uses `NotPrincipal`), unless a
//! condition pins the caller to known parties.

use super::{Finding, Report, RuleMeta};
use crate::model::{
    names_everyone, ConditionSet, ConditionValue, Effect, Known, Origin, Policy, Principal,
    PrincipalForm, Remedy, Statement, Value,
};
use crate::text::TextRange;

/// The judgement of the rules that find policies open to everyone (a repository policy, a
/// registry policy): one finding per way a statement reaches everyone.
pub(crate) struct PublicPolicies {
    pub rule: &'static RuleMeta,
    /// What the policy is, for messages: "repository policy".
    pub noun: &'static str,
    /// What cannot be decided when the whole policy is unknown.
    pub question: &'static str,
}

const STATEMENT_QUESTION: &str = "whether this statement is public";

impl PublicPolicies {
    pub fn check<'m>(
        &self,
        policies: impl Iterator<Item = &'m Value<Policy>>,
        report: &mut Report,
    ) {
        for policy in policies {
            for candidate in &policy.candidates {
                match &candidate.state {
                    Known::Is(policy) => self.check_policy(policy, report),
                    Known::Unknown(reason) => {
                        report.cannot_tell(candidate.origin.range, self.question, reason)
                    }
                    Known::Rejected => {}
                }
            }
        }
    }

    fn check_policy(&self, policy: &Policy, report: &mut Report) {
        for part in &policy.unknown {
            if let Known::Unknown(reason) = &part.state {
                report.cannot_tell(part.origin.range, STATEMENT_QUESTION, reason);
            }
        }
        for statement in &policy.statements {
            for reach in statement_reach(statement) {
                match reach {
                    Reach::Everyone { principal, written } => {
                        report.push(self.everyone(policy, principal, written))
                    }
                    Reach::NotPrincipal { key } => report.push(Finding {
                        rule: self.rule,
                        range: key,
                        message: format!(
                            "{} allows everyone not listed: `Allow` with `NotPrincipal` and no condition limits the caller",
                            self.noun
                        ),
                        remedy: None,
                        related: Vec::new(),
                        without_fix: None,
                    }),
                    Reach::Unresolved { origin, reason } => {
                        report.cannot_tell(origin.range, STATEMENT_QUESTION, reason)
                    }
                }
            }
        }
    }

    fn everyone(&self, policy: &Policy, principal: &Principal, written: &str) -> Finding {
        let origin = &principal.value.origin;
        let what = match principal.form {
            PrincipalForm::Whole => "`Principal` is `*`".to_string(),
            _ if written == "*" => "the `AWS` principal is `*`".to_string(),
            _ => format!("the `AWS` principal `{written}` names every account"),
        };
        let mut message = format!(
            "{} allows everyone: {what} and no condition limits the caller",
            self.noun
        );
        // A value from a parameter's Default is fixed where the parameter is decided, not here.
        let remedy = match &origin.via {
            Some(via) => {
                message.push_str(&format!(" (through {})", via.message));
                None
            }
            None => Some(Remedy::RestrictPrincipal {
                principal: origin.anchor,
                written: written.to_string(),
                beside_others: matches!(principal.form, PrincipalForm::AwsListItem { others } if others > 0),
            }),
        };
        let without_fix = (origin.via.is_none() && policy.owner.is_none()).then_some(
            "; give the owning account with `--account-id` (or `account-id` in ecrlint.toml) for a fix",
        );
        Finding {
            rule: self.rule,
            range: origin.range,
            message,
            remedy,
            related: origin.via.as_deref().cloned().into_iter().collect(),
            without_fix,
        }
    }
}

/// Condition operators that, on a caller-pinning key, limit who gets in. `ForAllValues:` is
/// absent on purpose (it passes on an empty set), and so are the `…IfExists` forms (they pass
/// when the key is missing).
const RESTRICTING_OPERATORS: &[&str] = &[
    "StringEquals",
    "StringEqualsIgnoreCase",
    "StringLike",
    "ArnEquals",
    "ArnLike",
    "IpAddress",
];

/// Condition keys that pin the caller (or the calling network) to known parties.
const CALLER_KEYS: &[&str] = &[
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceowner",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceip",
    "aws:userid",
];

/// How a statement lets everyone in.
#[derive(Clone, Debug)]
pub enum Reach<'m> {
    /// A principal that means everyone, and its text as written (`*`, `arn:aws:iam::*:root`).
    Everyone {
        principal: &'m Principal,
        written: &'m str,
    },
    /// `Allow` with `NotPrincipal`: everyone not listed.
    NotPrincipal { key: TextRange },
    /// The principal, the effect or a condition cannot be known before deployment.
    Unresolved { origin: &'m Origin, reason: String },
}

/// Every way one statement reaches everyone.
pub fn statement_reach(statement: &Statement) -> Vec<Reach<'_>> {
    let mut out = Vec::new();
    let Some(effect) = &statement.effect else {
        return out;
    };
    let mut allows = false;
    for candidate in &effect.candidates {
        match &candidate.state {
            Known::Unknown(reason) => {
                out.push(Reach::Unresolved {
                    origin: &candidate.origin,
                    reason: format!("the Effect cannot be evaluated: {reason}"),
                });
                return out;
            }
            state => allows |= *state == Known::Is(Effect::Allow),
        }
    }
    if !allows {
        return out;
    }
    let mut reach = Vec::new();
    if let Some(key) = statement.not_principal {
        reach.push(Reach::NotPrincipal { key });
    }
    for principal in &statement.principals {
        let candidate = &principal.value;
        match &candidate.state {
            Known::Unknown(reason) => reach.push(Reach::Unresolved {
                origin: &candidate.origin,
                reason: format!("the Principal cannot be evaluated: {reason}"),
            }),
            Known::Is(text) => {
                let everyone = match principal.form {
                    PrincipalForm::Whole => text == "*",
                    PrincipalForm::Aws | PrincipalForm::AwsListItem { .. } => names_everyone(text),
                };
                if everyone {
                    reach.push(Reach::Everyone {
                        principal,
                        written: text,
                    });
                }
            }
            Known::Rejected => {}
        }
    }
    if reach.is_empty() {
        return out;
    }
    match restriction(statement) {
        Restriction::Restricts => {}
        Restriction::None => out.extend(reach),
        Restriction::Unknown { origin, reason } => out.push(Reach::Unresolved {
            origin,
            reason: format!("a condition cannot be evaluated: {reason}"),
        }),
    }
    out
}

enum Restriction<'m> {
    None,
    Restricts,
    Unknown { origin: &'m Origin, reason: String },
}

/// Whether the statement's `Condition` limits callers to known parties in every candidate.
fn restriction(statement: &Statement) -> Restriction<'_> {
    let Some(condition) = &statement.condition else {
        return Restriction::None;
    };
    let mut unknown = None;
    let mut restricts_in_every_branch = true;
    for candidate in &condition.candidates {
        let set = match &candidate.state {
            Known::Is(set) => set,
            Known::Unknown(reason) => {
                unknown.get_or_insert((&candidate.origin, reason.clone()));
                continue;
            }
            Known::Rejected => {
                restricts_in_every_branch = false;
                continue;
            }
        };
        match set_restricts(set) {
            Ok(true) => {}
            Ok(false) => restricts_in_every_branch = false,
            Err(found) => {
                unknown.get_or_insert(found);
            }
        }
    }
    match unknown {
        Some(_) if !restricts_in_every_branch => Restriction::None,
        Some((origin, reason)) => Restriction::Unknown { origin, reason },
        None if restricts_in_every_branch => Restriction::Restricts,
        None => Restriction::None,
    }
}

/// `Ok(true)` when some operator/key pair of the block pins the caller; `Err` when a pair that
/// would decide it cannot be evaluated and no other pair decides.
fn set_restricts(set: &ConditionSet) -> Result<bool, (&Origin, String)> {
    let mut unknown = None;
    for clause in &set.clauses {
        let operator = clause.operator.as_str();
        let base = operator.strip_prefix("ForAnyValue:").unwrap_or(operator);
        if !RESTRICTING_OPERATORS.contains(&base)
            || !CALLER_KEYS.contains(&clause.key.to_ascii_lowercase().as_str())
        {
            continue;
        }
        match values_restrict(&clause.values) {
            Ok(true) => return Ok(true),
            Ok(false) => {}
            Err(e) => {
                unknown.get_or_insert(e);
            }
        }
    }
    match unknown {
        Some(e) => Err(e),
        None => Ok(false),
    }
}

fn values_restrict(values: &[ConditionValue]) -> Result<bool, (&Origin, String)> {
    let mut texts = Vec::new();
    for value in values {
        match value {
            ConditionValue::Text(text) => texts.push(text.as_str()),
            ConditionValue::NotText => return Ok(false),
            ConditionValue::Unknown { origin, reason } => return Err((origin, reason.clone())),
        }
    }
    Ok(!texts.is_empty() && !texts.iter().any(|t| matches_everything(t)))
}

/// A condition value that lets any caller through: `*`, `o-*`, an ARN with account `*`, or the
/// whole IPv4 or IPv6 space.
pub fn matches_everything(value: &str) -> bool {
    let value = value.trim();
    value.chars().all(|c| c == '*' || c == '?') && value.contains('*')
        || value.starts_with("o-*")
        || value == "0.0.0.0/0"
        || value == "::/0"
        || names_everyone(value)
}
