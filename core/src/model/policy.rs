//! IAM policies in the model: statements with their effect, principals, actions, resources and
//! conditions, every value with its origin. The judgements over them live with the rules.

use super::{Anchor, Candidate, Origin, Value};
use crate::text::{Text, TextRange};

/// A policy document (repository, registry or creation-template policy).
#[derive(Clone, Debug)]
pub struct Policy {
    pub statements: Vec<Statement>,
    /// Parts of the document that could not be evaluated (the document, `Statement`, one of its
    /// items): what they hold is not in `statements`.
    pub unknown: Vec<Candidate<()>>,
    /// The account that owns the registry, when it is known where the policy stands.
    pub owner: Option<Owner>,
    /// Each document the policy can be (an `Fn::If` gives two), with the parts of its form AWS
    /// checks when the policy is set.
    pub documents: Vec<DocumentForm>,
}

/// The top level of a policy document as written.
#[derive(Clone, Debug)]
pub struct DocumentForm {
    pub at: TextRange,
    /// `Version`, when written as text.
    pub version: Option<Candidate<Text>>,
    /// The `Statement` key, and whether its value is written as an empty list.
    pub statement: Option<(TextRange, bool)>,
}

/// A key of a statement, and the handle by which a remedy removes it.
#[derive(Clone, Copy, Debug)]
pub struct Key {
    pub at: TextRange,
    pub anchor: Anchor,
}

/// How the owning account is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Owner {
    /// Known at deployment, as `${AWS::AccountId}` (a template).
    Deployment,
    /// A 12-digit account id (settings, or the `registryId` of CLI output).
    Account(String),
}

#[derive(Clone, Debug)]
pub struct Statement {
    /// The range of the statement, for findings about it as a whole.
    pub at: TextRange,
    /// `None` when the statement has no `Effect` (AWS rejects it).
    pub effect: Option<Value<Effect>>,
    /// The `Principal` key, when the statement has one.
    pub principal_key: Option<TextRange>,
    /// Every principal the `Principal` element names, each with its candidates flattened.
    pub principals: Vec<Principal>,
    /// The `NotPrincipal` key, when the statement has one.
    pub not_principal: Option<TextRange>,
    /// The `Action` key, when the statement has one.
    pub action_key: Option<TextRange>,
    pub actions: Vec<Value<Text>>,
    /// The `NotAction` key, with the actions it lists.
    pub not_actions: Option<(TextRange, Vec<Value<Text>>)>,
    pub resources: Vec<Value<Text>>,
    /// The `Resource` and `NotResource` keys, when written.
    pub resource_keys: Vec<(&'static str, Key)>,
    /// The `Condition` element: one set per candidate (an `Fn::If` gives two).
    pub condition: Option<Value<ConditionSet>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

/// One principal value, and how it was written.
#[derive(Clone, Debug)]
pub struct Principal {
    pub form: PrincipalForm,
    /// The principal's text (`*`, an ARN, an account id, a service), or unknown.
    pub value: Candidate<Text>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrincipalForm {
    /// `Principal: "*"`: only `*` means anything there.
    Whole,
    /// `Principal: {AWS: "…"}`.
    Aws,
    /// One element of `Principal: {AWS: [...]}`; `others` counts the elements beside it that do
    /// not name everyone.
    AwsListItem { others: usize },
}

/// A `Condition` block: its operator/key pairs with their values.
#[derive(Clone, Debug, Default)]
pub struct ConditionSet {
    pub clauses: Vec<Clause>,
}

#[derive(Clone, Debug)]
pub struct Clause {
    /// As written: `StringEquals`, `ForAnyValue:StringLike`, `StringEqualsIfExists`.
    pub operator: Text,
    /// As written: `aws:PrincipalOrgID`.
    pub key: Text,
    /// The values in the order they are written (lists flattened).
    pub values: Vec<ConditionValue>,
}

#[derive(Clone, Debug)]
pub enum ConditionValue {
    Text(Text),
    /// A mapping or other non-scalar where a value belongs.
    NotText,
    /// Cannot be known before deployment.
    Unknown {
        origin: Origin,
        reason: String,
    },
}

/// `*`, or an ARN whose account is `*` (`arn:aws:iam::*:root`).
pub fn names_everyone(principal: &str) -> bool {
    let principal = principal.trim();
    if principal == "*" {
        return true;
    }
    let parts = arn_parts(principal);
    parts.first() == Some(&"arn") && parts.get(4).is_some_and(|account| *account == "*")
}

/// The account an AWS principal names: a bare account id, or the account field of an ARN
/// (`arn:aws:iam::123456789012:role/x`), as written (`*`, `${AWS::AccountId}`).
pub fn principal_account(principal: &str) -> Option<&str> {
    let principal = principal.trim();
    if principal.len() == 12 && principal.bytes().all(|b| b.is_ascii_digit()) {
        return Some(principal);
    }
    let parts = arn_parts(principal);
    (parts.first() == Some(&"arn") && parts.len() == 6).then(|| parts[4])
}

/// The `:`-separated fields of an ARN, keeping `${AWS::Partition}` and the like whole.
fn arn_parts(arn: &str) -> Vec<&str> {
    let mut parts = Vec::with_capacity(6);
    let (mut start, mut depth) = (0, 0usize);
    let bytes = arn.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'$' if bytes.get(i + 1) == Some(&b'{') => depth += 1,
            b'}' if depth > 0 => depth -= 1,
            b':' if depth == 0 && parts.len() < 5 => {
                parts.push(&arn[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&arn[start..]);
    parts
}
