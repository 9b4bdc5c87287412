//! Terraform's JSON syntax (`.tf.json`) as the tree the HCL reader gives: `"resource": {TYPE:
//! {NAME: {…}}}` becomes a `resource` block labelled TYPE and NAME, the nested blocks the ECR
//! resources and the policy document use become blocks, and a string holding `${…}` becomes the
//! template it is. Every leaf keeps its range in the JSON text, so findings and fixes land there.

use crate::syntax::hcl::{template_parts, TEMPLATE};
use crate::syntax::{
    Block, CollectionStyle, Entry, Key, Mapping, Node, NodeKind, ScalarStyle, Sequence, Tagged,
};

/// The top-level keys of a Terraform JSON file: any one, with an object, makes it one.
const TOP_LEVEL: [&str; 8] = [
    "resource",
    "data",
    "variable",
    "locals",
    "terraform",
    "provider",
    "module",
    "output",
];

/// Nested block types of the resources and data sources read (a JSON object or a list of them
/// under one of these keys is a block; under any other key it is an attribute's value).
pub(super) const BLOCKS: [&str; 12] = [
    "image_scanning_configuration",
    "encryption_configuration",
    "image_tag_mutability_exclusion_filter",
    "statement",
    "principals",
    "not_principals",
    "condition",
    "rule",
    "repository_filter",
    "replication_configuration",
    "destination",
    "scanning_configuration",
];

/// Whether a JSON document is a Terraform configuration: an object whose keys are all
/// Terraform's top-level keys, one of them holding an object.
pub(super) fn detect(root: &Node) -> bool {
    let Some(mapping) = root.as_mapping() else {
        return false;
    };
    !mapping.entries.is_empty()
        && mapping
            .entries
            .iter()
            .all(|e| TOP_LEVEL.contains(&e.key.text.as_str()))
        && mapping.entries.iter().any(|e| {
            matches!(e.key.text.as_str(), "resource" | "data" | "variable")
                && e.value.as_mapping().is_some()
        })
}

/// The HCL-shaped tree of a Terraform JSON document.
pub(super) fn convert(root: &Node) -> Node {
    let mut entries = Vec::new();
    for entry in members(root) {
        let kind = entry.key.text.as_str();
        match kind {
            "resource" | "data" => {
                for by_type in members(&entry.value) {
                    for by_name in members(&by_type.value) {
                        for body in objects(&by_name.value) {
                            let labels = vec![by_type.key.clone(), by_name.key.clone()];
                            entries.push(block(&entry.key, labels, body));
                        }
                    }
                }
            }
            "variable" => {
                for by_name in members(&entry.value) {
                    for body in objects(&by_name.value) {
                        entries.push(block(&entry.key, vec![by_name.key.clone()], body));
                    }
                }
            }
            "locals" => {
                for body in objects(&entry.value) {
                    entries.push(block(&entry.key, Vec::new(), body));
                }
            }
            _ => {}
        }
    }
    Node {
        range: root.range,
        kind: NodeKind::Mapping(Mapping {
            entries,
            style: CollectionStyle::Block,
        }),
    }
}

/// The members of an object (none for anything else).
fn members(node: &Node) -> &[Entry] {
    node.as_mapping().map_or(&[], |m| &m.entries)
}

/// An object, or each object of a list of them.
fn objects(node: &Node) -> Vec<&Node> {
    match &node.kind {
        NodeKind::Mapping(_) => vec![node],
        NodeKind::Sequence(s) => s
            .items
            .iter()
            .filter(|i| i.as_mapping().is_some())
            .collect(),
        _ => Vec::new(),
    }
}

fn block(key: &Key, labels: Vec<Key>, body: &Node) -> Entry {
    Entry {
        key: key.clone(),
        value: Node {
            range: body.range,
            kind: NodeKind::Block(Box::new(Block {
                labels,
                body: convert_body(body),
            })),
        },
    }
}

/// A block's body: its nested blocks as blocks, its attributes as values. The mapping keeps the
/// object's range and flow style, so a remedy inserts a JSON member into it.
fn convert_body(object: &Node) -> Node {
    let mut entries = Vec::new();
    for entry in members(object) {
        if BLOCKS.contains(&entry.key.text.as_str()) {
            let found = objects(&entry.value);
            if !found.is_empty() {
                for body in found {
                    entries.push(block(&entry.key, Vec::new(), body));
                }
                continue;
            }
        }
        entries.push(Entry {
            key: entry.key.clone(),
            value: convert_value(&entry.value),
        });
    }
    Node {
        range: object.range,
        kind: NodeKind::Mapping(Mapping {
            entries,
            style: CollectionStyle::Flow,
        }),
    }
}

/// A value: a string holding `${…}` is a template (its parts ranged as the whole string), lists
/// and objects are converted inside, everything else is itself. JSON text in a string (a policy)
/// stays text: its `${…}` are filled in where they stand, inside its strings.
fn convert_value(node: &Node) -> Node {
    match &node.kind {
        NodeKind::Scalar(s)
            if s.style == ScalarStyle::JsonString
                && s.text.contains("${")
                && !s.text.trim_start().starts_with(['{', '[']) =>
        {
            let Some(parts) = template_parts(&s.text, node.range) else {
                return node.clone();
            };
            Node {
                range: node.range,
                kind: NodeKind::Tagged(Box::new(Tagged {
                    tag: TEMPLATE.to_string(),
                    tag_range: node.range,
                    value: Node {
                        range: node.range,
                        kind: NodeKind::Sequence(Sequence {
                            items: parts,
                            style: CollectionStyle::Flow,
                        }),
                    },
                })),
            }
        }
        NodeKind::Sequence(s) => Node {
            range: node.range,
            kind: NodeKind::Sequence(Sequence {
                items: s.items.iter().map(convert_value).collect(),
                style: s.style,
            }),
        },
        NodeKind::Mapping(m) => Node {
            range: node.range,
            kind: NodeKind::Mapping(Mapping {
                entries: m
                    .entries
                    .iter()
                    .map(|e| Entry {
                        key: e.key.clone(),
                        value: convert_value(&e.value),
                    })
                    .collect(),
                style: m.style,
            }),
        },
        _ => node.clone(),
    }
}
