//! IAM policy documents into the model: a policy on its own (a file holding one), and the
//! lowering every other adapter uses for the policies it meets — as structure, or as JSON text
//! inside a string, with ranges mapped back through the string's escapes.

use super::resolve::{Evaluated, Literal, Resolve};
use super::{text_candidate, written_at, InputKind, Lowering, OwnerForm, Place, Site, Target};
use crate::diagnostic::Fix;
use crate::model::{
    names_everyone, Candidate, Clause, ConditionSet, ConditionValue, DocumentForm, Effect, Key,
    Known, Origin, Policy, Principal, PrincipalForm, Statement, Value, Written,
};
use crate::rules::{DUPLICATE_KEY, INVALID_SYNTAX, INVALID_VALUE};
use crate::syntax::write::Writer;
use crate::syntax::{parse_embedded_json, Format, Node, ScalarStyle};
use crate::text::Text;

pub(super) fn detect(root: &Node) -> Option<InputKind> {
    root.get("Statement")
        .is_some()
        .then_some(InputKind::RepositoryPolicy)
}

/// A policy document on its own: a repository policy whose repository the source does not name.
pub(super) fn lower_document<'a>(root: &'a Node, format: Format, lowering: &mut Lowering<'a>) {
    let owner = OwnerForm::account(lowering.settings.account_id.as_deref());
    let site = lowering.site(Site {
        writer: Writer::new(lowering.source, format),
        owner,
    });
    let policy = lower(root, &Literal, site, lowering);
    let origin = written_at(root, None);
    lowering.model.policies.push(Value::one(
        "policy",
        Candidate {
            state: Known::Is(policy),
            origin,
        },
    ));
}

/// A policy held in a string scalar; `None` when `text` is not a string. Syntax errors and
/// duplicate keys of the text are reported, and the tree is lowered as far as it could be read.
pub(super) fn lower_string<'a>(
    text: &'a Node,
    owner: OwnerForm<'a>,
    lowering: &mut Lowering<'a>,
) -> Option<Policy> {
    lower_string_with(text, owner, &Literal, lowering)
}

/// [`lower_string`], with the values inside the text evaluated by `resolver` (Terraform fills
/// in the `${…}` of a heredoc).
pub(super) fn lower_string_with<'a>(
    text: &'a Node,
    owner: OwnerForm<'a>,
    resolver: &dyn Resolve<'a>,
    lowering: &mut Lowering<'a>,
) -> Option<Policy> {
    let embedded = parse_embedded_json(lowering.source, text, "policy")?;
    for error in &embedded.errors {
        lowering.embedded_syntax_error = true;
        lowering.raise(
            &INVALID_SYNTAX,
            error.range,
            error.message.clone(),
            None,
            Vec::new(),
        );
    }
    for duplicate in &embedded.duplicate_keys {
        let (message, related) = crate::rules::duplicate_key::describe(duplicate);
        lowering.raise(&DUPLICATE_KEY, duplicate.range, message, None, related);
    }
    // The tree lives as long as the source: the lowering's targets point into it.
    let root: &'a Node = lowering.arena.alloc(embedded.root?);
    // A policy in a plain YAML scalar cannot be edited safely: it is reported without fixes.
    let plain = text
        .as_scalar()
        .is_some_and(|s| s.style == ScalarStyle::Plain);
    let site = lowering.site(Site {
        writer: Writer::embedded(lowering.source, embedded.host),
        owner: if plain { OwnerForm::Unknown } else { owner },
    });
    Some(lower(root, resolver, site, lowering))
}

/// Lowers a policy document (a mapping, or intrinsics that evaluate to one).
pub(super) fn lower<'a>(
    document: &'a Node,
    resolver: &dyn Resolve<'a>,
    site: usize,
    lowering: &mut Lowering<'a>,
) -> Policy {
    let mut policy = Policy {
        statements: Vec::new(),
        unknown: Vec::new(),
        owner: lowering.sites[site].owner.owner(),
        documents: Vec::new(),
    };
    for document in nodes(document, resolver, &mut policy.unknown) {
        policy.documents.push(DocumentForm {
            at: document.range,
            version: document.get("Version").and_then(|version| {
                Some(Candidate {
                    state: Known::Is(Text::from(version.as_str()?)),
                    origin: written_at(version, None),
                })
            }),
            statement: document.get_entry("Statement").map(|entry| {
                let empty = entry
                    .value
                    .as_sequence()
                    .is_some_and(|s| s.items.is_empty());
                (entry.key.range, empty)
            }),
        });
        let Some(statement) = document.get("Statement") else {
            continue;
        };
        for value in nodes(statement, resolver, &mut policy.unknown) {
            match value.as_sequence() {
                Some(list) => {
                    for item in &list.items {
                        for node in nodes(item, resolver, &mut policy.unknown) {
                            if node.as_mapping().is_some() {
                                let statement = lower_statement(node, resolver, site, lowering);
                                policy.statements.push(statement);
                            }
                        }
                    }
                }
                None if value.as_mapping().is_some() => {
                    let statement = lower_statement(value, resolver, site, lowering);
                    policy.statements.push(statement);
                }
                None => {}
            }
        }
    }
    policy
}

/// The literal nodes a node can be, noting the ones that cannot be known.
fn nodes<'a>(
    node: &'a Node,
    resolver: &dyn Resolve<'a>,
    unknown: &mut Vec<Candidate<()>>,
) -> Vec<&'a Node> {
    let mut out = Vec::new();
    for candidate in resolver.resolve(node) {
        match candidate.value {
            Evaluated::Node(n) => out.push(n),
            Evaluated::Unknown(reason) => unknown.push(Candidate {
                state: Known::Unknown(reason),
                origin: written_at(candidate.at, None),
            }),
            Evaluated::Text(_) | Evaluated::Opaque(_) => {}
        }
    }
    out
}

fn lower_statement<'a>(
    statement: &'a Node,
    resolver: &dyn Resolve<'a>,
    site: usize,
    lowering: &mut Lowering<'a>,
) -> Statement {
    let effect = statement
        .get("Effect")
        .map(|effect| lower_effect(effect, resolver, site, lowering));
    let mut principals = Vec::new();
    if let Some(principal) = statement.get("Principal") {
        lower_principal(principal, resolver, site, lowering, &mut principals);
    }
    let not_actions = statement.get_entry("NotAction").map(|entry| {
        let listed = strings(&entry.value, "NotAction", resolver, site, lowering);
        (entry.key.range, listed)
    });
    let actions = match statement.get("Action") {
        Some(actions) => strings(actions, "Action", resolver, site, lowering),
        None => Vec::new(),
    };
    let resources = match statement.get("Resource") {
        Some(resources) => strings(resources, "Resource", resolver, site, lowering),
        None => Vec::new(),
    };
    let mut resource_keys = Vec::new();
    for key in ["Resource", "NotResource"] {
        if let Some(entry) = statement.get_entry(key) {
            let anchor = lowering.anchor(Target::Entry {
                site,
                mapping: statement,
                key,
            });
            resource_keys.push((
                key,
                Key {
                    at: entry.key.range,
                    anchor,
                },
            ));
        }
    }
    Statement {
        at: statement.range,
        effect,
        principal_key: statement.get_entry("Principal").map(|e| e.key.range),
        principals,
        not_principal: statement.get_entry("NotPrincipal").map(|e| e.key.range),
        action_key: statement.get_entry("Action").map(|e| e.key.range),
        actions,
        not_actions,
        resources,
        resource_keys,
        condition: statement
            .get("Condition")
            .map(|c| lower_condition(c, resolver)),
    }
}

/// `Allow` or `Deny`; anything else is reported where it is written, with the spelling fixed
/// when only its letter case is wrong.
fn lower_effect<'a>(
    effect: &'a Node,
    resolver: &dyn Resolve<'a>,
    site: usize,
    lowering: &mut Lowering<'a>,
) -> Value<Effect> {
    let mut value = Value::new("Effect");
    for candidate in resolver.resolve(effect) {
        let state = match &candidate.value {
            Evaluated::Unknown(reason) => Known::Unknown(reason.clone()),
            Evaluated::Node(node) => match node.as_str() {
                Some("Allow") => Known::Is(Effect::Allow),
                Some("Deny") => Known::Is(Effect::Deny),
                Some(text) => {
                    let fix = ["Allow", "Deny"]
                        .into_iter()
                        .find(|valid| valid.eq_ignore_ascii_case(text))
                        .and_then(|valid| {
                            let edit = lowering.writer(site).replace_scalar_text(node, valid)?;
                            Some(Fix::safe(format!("Write `{valid}`"), vec![edit]))
                        });
                    lowering.raise(
                        &INVALID_VALUE,
                        node.range,
                        format!("`{text}` is not a valid `Effect`; IAM accepts `Allow` or `Deny`"),
                        fix,
                        Vec::new(),
                    );
                    Known::Rejected
                }
                None => Known::Rejected,
            },
            Evaluated::Text(text) => match text.as_str() {
                "Allow" => Known::Is(Effect::Allow),
                "Deny" => Known::Is(Effect::Deny),
                _ => Known::Rejected,
            },
            Evaluated::Opaque(_) => Known::Rejected,
        };
        value.candidates.push(Candidate {
            state,
            origin: written_at(candidate.at, candidate.origin),
        });
    }
    value
}

fn lower_principal<'a>(
    principal: &'a Node,
    resolver: &dyn Resolve<'a>,
    site: usize,
    lowering: &mut Lowering<'a>,
    out: &mut Vec<Principal>,
) {
    for candidate in resolver.resolve(principal) {
        let text = match &candidate.value {
            Evaluated::Unknown(reason) => Known::Unknown(reason.clone()),
            Evaluated::Opaque(_) => continue,
            Evaluated::Text(text) => Known::Is(Text::from(text.as_str())),
            Evaluated::Node(node) => match node.as_str() {
                Some(text) => Known::Is(Text::from(text)),
                None => {
                    if let Some(aws) = node.get("AWS") {
                        lower_aws(aws, resolver, site, lowering, out);
                    }
                    continue;
                }
            },
        };
        push_principal(
            text,
            candidate.at,
            candidate.origin,
            PrincipalForm::Whole,
            Place::Whole,
            site,
            lowering,
            out,
        );
    }
}

fn lower_aws<'a>(
    aws: &'a Node,
    resolver: &dyn Resolve<'a>,
    site: usize,
    lowering: &mut Lowering<'a>,
    out: &mut Vec<Principal>,
) {
    for candidate in resolver.resolve(aws) {
        if let Evaluated::Node(list) = &candidate.value {
            if let Some(sequence) = list.as_sequence() {
                let others = sequence
                    .items
                    .iter()
                    .filter(|i| !i.as_str().is_some_and(names_everyone))
                    .count();
                for (index, item) in sequence.items.iter().enumerate() {
                    for item_candidate in resolver.resolve(item) {
                        let Some(text) = account_text(&item_candidate.value) else {
                            continue;
                        };
                        let form = PrincipalForm::AwsListItem {
                            // The element itself is not beside itself.
                            others: others
                                - usize::from(!item.as_str().is_some_and(names_everyone)),
                        };
                        push_principal(
                            text,
                            item_candidate.at,
                            item_candidate.origin,
                            form,
                            Place::AwsListItem { list, index },
                            site,
                            lowering,
                            out,
                        );
                    }
                }
                continue;
            }
        }
        let Some(text) = account_text(&candidate.value) else {
            continue;
        };
        push_principal(
            text,
            candidate.at,
            candidate.origin,
            PrincipalForm::Aws,
            Place::AwsValue,
            site,
            lowering,
            out,
        );
    }
}

fn account_text(value: &Evaluated<'_>) -> Option<Known<Text>> {
    match value {
        Evaluated::Unknown(reason) => Some(Known::Unknown(reason.clone())),
        value => value.as_str().map(|t| Known::Is(Text::from(t))),
    }
}

#[allow(clippy::too_many_arguments)]
fn push_principal<'a>(
    value: Known<Text>,
    at: &'a Node,
    via: Option<crate::diagnostic::Related>,
    form: PrincipalForm,
    place: Place<'a>,
    site: usize,
    lowering: &mut Lowering<'a>,
    out: &mut Vec<Principal>,
) {
    let anchor = lowering.anchor(Target::Principal { site, at, place });
    out.push(Principal {
        form,
        value: Candidate {
            state: value,
            origin: Origin {
                range: at.range,
                via: via.map(Box::new),
                written: Written::Explicit,
                anchor,
            },
        },
    });
}

fn lower_condition<'a>(condition: &'a Node, resolver: &dyn Resolve<'a>) -> Value<ConditionSet> {
    let mut value = Value::new("Condition");
    for candidate in resolver.resolve(condition) {
        let state = match candidate.value {
            Evaluated::Node(block) => Known::Is(condition_set(block, resolver)),
            Evaluated::Unknown(reason) => Known::Unknown(reason),
            // Text where a block belongs restricts nobody.
            Evaluated::Text(_) | Evaluated::Opaque(_) => Known::Is(ConditionSet::default()),
        };
        value.candidates.push(Candidate {
            state,
            origin: written_at(candidate.at, None),
        });
    }
    value
}

fn condition_set<'a>(block: &'a Node, resolver: &dyn Resolve<'a>) -> ConditionSet {
    let mut set = ConditionSet::default();
    let Some(operators) = block.as_mapping() else {
        return set;
    };
    for operator in &operators.entries {
        let Some(keys) = operator.value.as_mapping() else {
            continue;
        };
        for key in &keys.entries {
            set.clauses.push(Clause {
                operator: operator.key.text.clone(),
                key: key.key.text.clone(),
                values: condition_values(&key.value, resolver),
            });
        }
    }
    set
}

/// A condition key's values, lists flattened, in the order they are met.
fn condition_values<'a>(values: &'a Node, resolver: &dyn Resolve<'a>) -> Vec<ConditionValue> {
    let mut out = Vec::new();
    let mut pending = vec![values];
    while let Some(node) = pending.pop() {
        for candidate in resolver.resolve(node) {
            out.push(match candidate.value {
                Evaluated::Node(n) => match n.as_sequence() {
                    Some(list) => {
                        pending.extend(list.items.iter());
                        continue;
                    }
                    None => match n.as_scalar() {
                        Some(s) => ConditionValue::Text(s.text.clone()),
                        None => ConditionValue::NotText,
                    },
                },
                Evaluated::Text(text) => ConditionValue::Text(Text::from(text)),
                // Definite, though not known as text (an account id): it names no wildcard.
                Evaluated::Opaque(_) => ConditionValue::Text(Text::default()),
                Evaluated::Unknown(reason) => ConditionValue::Unknown {
                    origin: written_at(candidate.at, None),
                    reason,
                },
            });
        }
    }
    out
}

/// A string or list of strings (`Action`, `Resource`), each with its candidates, each anchored
/// where a remedy would take it out or replace it.
fn strings<'a>(
    node: &'a Node,
    setting: &'static str,
    resolver: &dyn Resolve<'a>,
    site: usize,
    lowering: &mut Lowering<'a>,
) -> Vec<Value<Text>> {
    let mut out = Vec::new();
    for candidate in resolver.resolve(node) {
        if let Evaluated::Node(list) = &candidate.value {
            if let Some(sequence) = list.as_sequence() {
                for (index, item) in sequence.items.iter().enumerate() {
                    let mut value = Value::new(setting);
                    for item_candidate in resolver.resolve(item) {
                        let element = Some((*list, index));
                        value.candidates.push(element_candidate(
                            item_candidate,
                            element,
                            site,
                            lowering,
                        ));
                    }
                    out.push(value);
                }
                continue;
            }
        }
        let candidate = element_candidate(candidate, None, site, lowering);
        out.push(Value::one(setting, candidate));
    }
    out
}

fn element_candidate<'a>(
    candidate: super::resolve::Candidate<'a>,
    list: Option<(&'a Node, usize)>,
    site: usize,
    lowering: &mut Lowering<'a>,
) -> Candidate<Text> {
    let at = candidate.at;
    let mut out = text_candidate(candidate);
    out.origin.anchor = lowering.anchor(Target::Element { site, at, list });
    out
}
