//! `terraform show -json` plan output as the tree the HCL reader gives: each ECR resource of
//! `planned_values` (the root module and its child modules) becomes a `resource` block labelled
//! with its type and its address, its `values` the block's body (blocks as lists of objects,
//! policies as the JSON strings Terraform rendered), and every value `after_unknown` marks as
//! known only after apply an [`AFTER_APPLY`] node where it is named. Every leaf keeps its range
//! in the plan, so findings land there; nothing is interpolated, the values are final.

use std::collections::HashMap;

use super::json::BLOCKS;
use super::module::AFTER_APPLY;
use crate::syntax::{
    Block, CollectionStyle, Entry, Key, Mapping, Node, NodeKind, Scalar, ScalarStyle, Tagged,
};
use crate::text::{Text, TextRange};

/// The resource types the Terraform adapter lowers.
const ECR_TYPES: [&str; 7] = [
    "aws_ecr_repository",
    "aws_ecr_repository_policy",
    "aws_ecr_lifecycle_policy",
    "aws_ecr_registry_policy",
    "aws_ecr_registry_scanning_configuration",
    "aws_ecr_replication_configuration",
    "aws_ecr_repository_creation_template",
];

/// Attributes holding a policy's text: empty text is no policy.
const POLICIES: [&str; 3] = ["policy", "repository_policy", "lifecycle_policy"];

/// What the adapter reads inside a nested block that is unknown as a whole.
const UNKNOWN_BLOCK_LEAVES: [(&str, &[&str]); 5] = [
    ("image_scanning_configuration", &["scan_on_push"]),
    ("encryption_configuration", &["encryption_type", "kms_key"]),
    ("image_tag_mutability_exclusion_filter", &["filter"]),
    ("rule", &["scan_frequency"]),
    ("destination", &["region", "registry_id"]),
];

/// Whether a JSON document is `terraform show -json` output for a plan.
pub(super) fn detect(root: &Node) -> bool {
    root.get("format_version").is_some()
        && root.get("terraform_version").is_some()
        && (root.get("planned_values").is_some() || root.get("resource_changes").is_some())
}

/// A plan as Terraform's tree, with the address of each resource lowered and the ranges in the
/// plan that speak of it (its object in `planned_values`, its change in `resource_changes`).
pub(super) struct Converted {
    pub tree: Node,
    pub subjects: Vec<(TextRange, String)>,
}

pub(super) fn convert(root: &Node) -> Converted {
    // The change of each resource instance (its current object, not a deposed one).
    let mut changes: HashMap<&str, &Node> = HashMap::new();
    for change in items(root.get("resource_changes")) {
        if change.get("deposed").is_some() {
            continue;
        }
        if let Some(address) = change.get("address").and_then(Node::as_str) {
            changes.insert(address, change);
        }
    }
    let mut planned: Vec<&Node> = Vec::new();
    match root
        .get("planned_values")
        .and_then(|v| v.get("root_module"))
    {
        Some(module) => {
            let mut modules = vec![module];
            while let Some(module) = modules.pop() {
                planned.extend(items(module.get("resources")));
                // Children in reverse, so that they are met in the order written.
                modules.extend(items(module.get("child_modules")).rev());
            }
        }
        // A plan without `planned_values`: the objects the changes leave behind.
        None => planned.extend(items(root.get("resource_changes")).filter(|c| {
            c.get("deposed").is_none()
                && c.get("change")
                    .and_then(|c| c.get("after"))
                    .is_some_and(|a| a.as_mapping().is_some())
        })),
    }
    let mut entries = Vec::new();
    let mut subjects = Vec::new();
    for resource in planned {
        let text = |key: &str| resource.get(key).and_then(Node::as_str);
        if text("mode").is_some_and(|m| m != "managed") {
            continue;
        }
        let (Some(type_name), Some(address)) = (resource.get("type"), resource.get("address"))
        else {
            continue;
        };
        let (Some(type_text), Some(address_text)) = (type_name.as_str(), address.as_str()) else {
            continue;
        };
        if !ECR_TYPES.contains(&type_text) {
            continue;
        }
        let change = changes.get(address_text).copied();
        let values = resource
            .get("values")
            .or_else(|| change?.get("change")?.get("after"));
        let unknown = change
            .and_then(|c| c.get("change"))
            .and_then(|c| c.get("after_unknown"));
        let body = body(values, unknown, resource.range);
        subjects.push((resource.range, address_text.to_string()));
        if let Some(change) = change.filter(|c| c.range != resource.range) {
            subjects.push((change.range, address_text.to_string()));
        }
        entries.push(Entry {
            key: Key {
                text: Text::from("resource"),
                range: resource.range,
            },
            value: Node {
                range: resource.range,
                kind: NodeKind::Block(Box::new(Block {
                    labels: vec![label(type_name), label(address)],
                    body,
                })),
            },
        });
    }
    subjects.sort_by_key(|(range, _)| (range.start, range.end));
    Converted {
        tree: Node {
            range: root.range,
            kind: NodeKind::Mapping(Mapping {
                entries,
                style: CollectionStyle::Block,
            }),
        },
        subjects,
    }
}

/// The account of the first `data.aws_caller_identity` the plan read, in any module.
pub(super) fn caller_account(root: &Node) -> Option<&str> {
    let mut modules: Vec<&Node> = root
        .get("prior_state")
        .and_then(|s| s.get("values"))
        .and_then(|v| v.get("root_module"))
        .into_iter()
        .collect();
    while let Some(module) = modules.pop() {
        for resource in items(module.get("resources")) {
            if resource.get("type").and_then(Node::as_str) == Some("aws_caller_identity") {
                if let Some(id) = resource
                    .get("values")
                    .and_then(|v| v.get("account_id"))
                    .and_then(Node::as_str)
                    .filter(|id| crate::settings::is_account_id(id))
                {
                    return Some(id);
                }
            }
        }
        modules.extend(items(module.get("child_modules")));
    }
    None
}

fn items(node: Option<&Node>) -> std::slice::Iter<'_, Node> {
    node.and_then(Node::as_sequence)
        .map_or([].iter(), |s| s.items.iter())
}

fn label(node: &Node) -> Key {
    Key {
        text: Text::from(node.as_str().unwrap_or_default()),
        range: node.range,
    }
}

/// A resource's body: its values with the unknown ones marked, nested blocks as blocks.
fn body(values: Option<&Node>, unknown: Option<&Node>, at: TextRange) -> Node {
    let range = values.map_or(at, |v| v.range);
    let merged = match values {
        Some(values) => merge(values, unknown),
        None => merge(&mapping(Vec::new(), at), unknown),
    };
    convert_body(&merged, range)
}

/// `values` with each leaf `after_unknown` marks (`true`) as an [`AFTER_APPLY`] node ranged at
/// its name there: unknown values are left out of `values`, or null.
fn merge(values: &Node, unknown: Option<&Node>) -> Node {
    let Some(unknown) = unknown else {
        return values.clone();
    };
    match (&values.kind, &unknown.kind) {
        (NodeKind::Mapping(known), NodeKind::Mapping(marks)) => {
            let mut entries: Vec<Entry> = known.entries.clone();
            for mark in &marks.entries {
                let at = entries.iter().position(|e| e.key.text == mark.key.text);
                if is_true(&mark.value) {
                    let value = after_apply(&mark.key.text, mark.key.range);
                    match at {
                        Some(i) => entries[i].value = value,
                        None => entries.push(Entry {
                            key: mark.key.clone(),
                            value,
                        }),
                    }
                    continue;
                }
                let nested = match at {
                    Some(i) if !entries[i].value.is_null() => {
                        merge(&entries[i].value, Some(&mark.value))
                    }
                    _ => merge(&empty_like(&mark.value), Some(&mark.value)),
                };
                match at {
                    Some(i) => entries[i].value = nested,
                    None => entries.push(Entry {
                        key: mark.key.clone(),
                        value: nested,
                    }),
                }
            }
            mapping(entries, values.range)
        }
        (NodeKind::Sequence(known), NodeKind::Sequence(marks)) => {
            let mut items = known.items.clone();
            for (index, mark) in marks.items.iter().enumerate() {
                let value = if is_true(mark) {
                    after_apply("an element", mark.range)
                } else {
                    match items.get(index) {
                        Some(item) if !item.is_null() => merge(item, Some(mark)),
                        _ => merge(&empty_like(mark), Some(mark)),
                    }
                };
                match items.get_mut(index) {
                    Some(item) => *item = value,
                    None => items.push(value),
                }
            }
            Node {
                range: values.range,
                kind: NodeKind::Sequence(crate::syntax::Sequence {
                    items,
                    style: known.style,
                }),
            }
        }
        // A known value where the marks expect structure: `after_unknown` says nothing of it.
        _ if values.is_null() => merge(&empty_like(unknown), Some(unknown)),
        _ => values.clone(),
    }
}

fn is_true(node: &Node) -> bool {
    node.as_scalar()
        .is_some_and(|s| s.style == ScalarStyle::JsonLiteral && s.text == "true")
}

/// An empty object or list of the shape of `marks`, at its range.
fn empty_like(marks: &Node) -> Node {
    match &marks.kind {
        NodeKind::Sequence(_) => Node {
            range: marks.range,
            kind: NodeKind::Sequence(crate::syntax::Sequence {
                items: Vec::new(),
                style: CollectionStyle::Flow,
            }),
        },
        _ => mapping(Vec::new(), marks.range),
    }
}

/// A value Terraform knows only after apply, named `name` where `after_unknown` marks it.
fn after_apply(name: &str, range: TextRange) -> Node {
    let reason = if name == "an element" {
        "an element of the list is known only after apply".to_string()
    } else {
        format!("`{name}` is known only after apply")
    };
    Node {
        range,
        kind: NodeKind::Tagged(Box::new(Tagged {
            tag: AFTER_APPLY.to_string(),
            tag_range: range,
            value: Node {
                range,
                kind: NodeKind::Scalar(Scalar {
                    text: Text::from(reason),
                    style: ScalarStyle::JsonString,
                }),
            },
        })),
    }
}

fn mapping(entries: Vec<Entry>, range: TextRange) -> Node {
    Node {
        range,
        kind: NodeKind::Mapping(Mapping {
            entries,
            style: CollectionStyle::Flow,
        }),
    }
}

/// A block's body: nested blocks (lists of objects) as blocks, attributes as values; null
/// attributes, empty policy text and empty block lists are not set.
fn convert_body(object: &Node, range: TextRange) -> Node {
    let mut entries = Vec::new();
    for entry in object.as_mapping().map_or(&[][..], |m| &m.entries) {
        let key = entry.key.text.as_str();
        let value = &entry.value;
        if value.is_null() || (POLICIES.contains(&key) && value.as_str() == Some("")) {
            continue;
        }
        if BLOCKS.contains(&key) {
            match &value.kind {
                NodeKind::Sequence(list) => {
                    for item in list.items.iter().filter(|i| !i.is_null()) {
                        entries.push(block(&entry.key, convert_body(item, item.range)));
                    }
                    continue;
                }
                NodeKind::Mapping(_) => {
                    entries.push(block(&entry.key, convert_body(value, value.range)));
                    continue;
                }
                // Unknown as a whole: what the adapter reads inside is unknown.
                NodeKind::Tagged(_) => {
                    let leaves = UNKNOWN_BLOCK_LEAVES
                        .iter()
                        .find(|(block, _)| *block == key)
                        .map_or(&[][..], |(_, leaves)| *leaves);
                    let inside = leaves
                        .iter()
                        .map(|leaf| Entry {
                            key: Key {
                                text: Text::from(*leaf),
                                range: value.range,
                            },
                            value: after_apply(key, value.range),
                        })
                        .collect();
                    entries.push(block(&entry.key, mapping(inside, value.range)));
                    continue;
                }
                _ => {}
            }
        }
        entries.push(entry.clone());
    }
    mapping(entries, range)
}

fn block(key: &Key, body: Node) -> Entry {
    Entry {
        key: key.clone(),
        value: Node {
            range: body.range,
            kind: NodeKind::Block(Box::new(Block {
                labels: Vec::new(),
                body,
            })),
        },
    }
}
