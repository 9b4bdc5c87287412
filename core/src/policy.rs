//! The IAM policy view: statements (a list or a single object), Effect, Principal/NotPrincipal
//! and Condition, and the one question asked of them: can this statement reach everyone?

use crate::cfn::{Candidate, Resolve, Value};
use crate::diagnostic::Related;
use crate::syntax::Node;
use crate::text::TextRange;

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
pub enum Reach<'a> {
    /// A principal value that means everyone. `at` is the node to replace or remove.
    Everyone {
        at: &'a Node,
        place: Place<'a>,
        /// The value as written, for the message (`*`, `arn:aws:iam::*:root`).
        value: String,
        origin: Option<Related>,
    },
    /// `Allow` with `NotPrincipal`: everyone not listed.
    NotPrincipal { key: TextRange },
    /// The principal, the effect or a condition cannot be known before deployment.
    Unresolved { at: &'a Node, reason: String },
}

/// Where an everyone-principal stands, which decides how a fix rewrites it.
#[derive(Clone, Debug)]
pub enum Place<'a> {
    /// `Principal: "*"`.
    Principal,
    /// `Principal: {AWS: "*"}`.
    AwsValue,
    /// One element of `Principal: {AWS: [...]}`.
    AwsListItem { list: &'a Node, index: usize },
}

/// Every way the statements of `policy` reach everyone.
pub fn public_reach<'a>(statements: &[&'a Node], resolver: &dyn Resolve<'a>) -> Vec<Reach<'a>> {
    let mut out = Vec::new();
    for statement in statements {
        statement_reach(statement, resolver, &mut out);
    }
    out
}

/// The statement mappings of a policy, following intrinsics on the way.
pub fn statements<'a>(
    policy: &'a Node,
    resolver: &dyn Resolve<'a>,
    unresolved: &mut Vec<Reach<'a>>,
) -> Vec<&'a Node> {
    let mut found = Vec::new();
    for document in nodes(policy, resolver, unresolved) {
        let Some(statement) = document.get("Statement") else {
            continue;
        };
        for value in nodes(statement, resolver, unresolved) {
            match value.as_sequence() {
                Some(list) => {
                    for item in &list.items {
                        found.extend(
                            nodes(item, resolver, unresolved)
                                .into_iter()
                                .filter(|n| n.as_mapping().is_some()),
                        );
                    }
                }
                None if value.as_mapping().is_some() => found.push(value),
                None => {}
            }
        }
    }
    found
}

/// The literal nodes a node can be, noting the ones that cannot be known.
fn nodes<'a>(
    node: &'a Node,
    resolver: &dyn Resolve<'a>,
    unresolved: &mut Vec<Reach<'a>>,
) -> Vec<&'a Node> {
    let mut out = Vec::new();
    for candidate in resolver.resolve(node) {
        match candidate.value {
            Value::Node(n) => out.push(n),
            Value::Unknown(reason) => unresolved.push(Reach::Unresolved {
                at: candidate.at,
                reason,
            }),
            Value::Text(_) | Value::Opaque(_) => {}
        }
    }
    out
}

fn statement_reach<'a>(statement: &'a Node, resolver: &dyn Resolve<'a>, out: &mut Vec<Reach<'a>>) {
    let Some(effect) = statement.get("Effect") else {
        return;
    };
    let mut allows = false;
    for candidate in resolver.resolve(effect) {
        match &candidate.value {
            Value::Unknown(reason) => {
                out.push(Reach::Unresolved {
                    at: candidate.at,
                    reason: format!("the Effect cannot be evaluated: {reason}"),
                });
                return;
            }
            value => allows |= value.as_str() == Some("Allow"),
        }
    }
    if !allows {
        return;
    }
    let mut reach = Vec::new();
    if let Some(entry) = statement.get_entry("NotPrincipal") {
        reach.push(Reach::NotPrincipal {
            key: entry.key.range,
        });
    }
    if let Some(principal) = statement.get("Principal") {
        principal_reach(principal, resolver, &mut reach);
    }
    if reach.is_empty() {
        return;
    }
    match restriction(statement.get("Condition"), resolver) {
        Restriction::Restricts => {}
        Restriction::None => out.extend(reach),
        Restriction::Unknown { at, reason } => out.push(Reach::Unresolved {
            at,
            reason: format!("a condition cannot be evaluated: {reason}"),
        }),
    }
}

fn principal_reach<'a>(principal: &'a Node, resolver: &dyn Resolve<'a>, out: &mut Vec<Reach<'a>>) {
    for candidate in resolver.resolve(principal) {
        let Candidate { value, at, origin } = candidate;
        match value {
            Value::Unknown(reason) => out.push(Reach::Unresolved {
                at,
                reason: format!("the Principal cannot be evaluated: {reason}"),
            }),
            Value::Opaque(_) => {}
            Value::Text(text) => {
                if text == "*" {
                    out.push(Reach::Everyone {
                        at,
                        place: Place::Principal,
                        value: text,
                        origin,
                    });
                }
            }
            Value::Node(node) => {
                if node.as_str() == Some("*") {
                    out.push(Reach::Everyone {
                        at,
                        place: Place::Principal,
                        value: "*".into(),
                        origin,
                    });
                } else if let Some(aws) = node.get("AWS") {
                    aws_reach(aws, resolver, out);
                }
            }
        }
    }
}

fn aws_reach<'a>(aws: &'a Node, resolver: &dyn Resolve<'a>, out: &mut Vec<Reach<'a>>) {
    for candidate in resolver.resolve(aws) {
        if let Value::Node(node) = &candidate.value {
            if let Some(list) = node.as_sequence() {
                for (index, item) in list.items.iter().enumerate() {
                    for item_candidate in resolver.resolve(item) {
                        account_reach(
                            item_candidate,
                            Place::AwsListItem { list: node, index },
                            out,
                        );
                    }
                }
                continue;
            }
        }
        account_reach(candidate, Place::AwsValue, out);
    }
}

fn account_reach<'a>(candidate: Candidate<'a>, place: Place<'a>, out: &mut Vec<Reach<'a>>) {
    match &candidate.value {
        Value::Unknown(reason) => out.push(Reach::Unresolved {
            at: candidate.at,
            reason: format!("the Principal cannot be evaluated: {reason}"),
        }),
        value => {
            if let Some(text) = value.as_str().filter(|t| is_everyone(t)) {
                out.push(Reach::Everyone {
                    at: candidate.at,
                    place,
                    value: text.to_string(),
                    origin: candidate.origin,
                });
            }
        }
    }
}

/// `*`, or an ARN whose account is `*` (`arn:aws:iam::*:root`).
pub fn is_everyone(principal: &str) -> bool {
    let principal = principal.trim();
    if principal == "*" {
        return true;
    }
    let parts = arn_parts(principal);
    parts.first() == Some(&"arn") && parts.get(4).is_some_and(|account| *account == "*")
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

enum Restriction<'a> {
    None,
    Restricts,
    Unknown { at: &'a Node, reason: String },
}

/// Whether a `Condition` block limits callers to known parties.
fn restriction<'a>(condition: Option<&'a Node>, resolver: &dyn Resolve<'a>) -> Restriction<'a> {
    let Some(condition) = condition else {
        return Restriction::None;
    };
    let mut unknown = None;
    let mut restricts_in_every_branch = true;
    for candidate in resolver.resolve(condition) {
        let block = match candidate.value {
            Value::Node(node) => node,
            Value::Unknown(reason) => {
                unknown.get_or_insert((candidate.at, reason));
                continue;
            }
            _ => {
                restricts_in_every_branch = false;
                continue;
            }
        };
        match block_restricts(block, resolver) {
            Ok(true) => {}
            Ok(false) => restricts_in_every_branch = false,
            Err((at, reason)) => {
                unknown.get_or_insert((at, reason));
            }
        }
    }
    match unknown {
        Some(_) if !restricts_in_every_branch => Restriction::None,
        Some((at, reason)) => Restriction::Unknown { at, reason },
        None if restricts_in_every_branch => Restriction::Restricts,
        None => Restriction::None,
    }
}

/// `Ok(true)` when some operator/key pair of the block pins the caller; `Err` when a pair that
/// would decide it cannot be evaluated and no other pair decides.
fn block_restricts<'a>(
    block: &'a Node,
    resolver: &dyn Resolve<'a>,
) -> Result<bool, (&'a Node, String)> {
    let Some(operators) = block.as_mapping() else {
        return Ok(false);
    };
    let mut unknown = None;
    for operator in &operators.entries {
        let name = operator.key.text.as_str();
        let base = name.strip_prefix("ForAnyValue:").unwrap_or(name);
        if !RESTRICTING_OPERATORS.contains(&base) {
            continue;
        }
        let Some(keys) = operator.value.as_mapping() else {
            continue;
        };
        for key in &keys.entries {
            if !CALLER_KEYS.contains(&key.key.text.to_ascii_lowercase().as_str()) {
                continue;
            }
            match values_restrict(&key.value, resolver) {
                Ok(true) => return Ok(true),
                Ok(false) => {}
                Err(e) => {
                    unknown.get_or_insert(e);
                }
            }
        }
    }
    match unknown {
        Some(e) => Err(e),
        None => Ok(false),
    }
}

fn values_restrict<'a>(
    values: &'a Node,
    resolver: &dyn Resolve<'a>,
) -> Result<bool, (&'a Node, String)> {
    let mut texts = Vec::new();
    let mut pending = vec![values];
    while let Some(node) = pending.pop() {
        for candidate in resolver.resolve(node) {
            match candidate.value {
                Value::Node(n) => match n.as_sequence() {
                    Some(list) => pending.extend(list.items.iter()),
                    None => match n.as_scalar() {
                        Some(s) => texts.push(s.text.clone()),
                        None => return Ok(false),
                    },
                },
                Value::Text(text) => texts.push(text),
                Value::Opaque(_) => texts.push(String::new()),
                Value::Unknown(reason) => return Err((candidate.at, reason)),
            }
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
        || is_everyone(value)
}
