//! One spanned tree for YAML and JSON: mappings (ordered, duplicates kept), sequences, scalars
//! with their quoting style, and tagged values (`!Ref`, `!Sub`, …) with the tag's own span.

mod embedded;
pub mod hcl;
mod json;
pub mod write;
mod yaml;

pub use embedded::{parse_embedded_json, Embedded, HostString};

pub use crate::text::Text;
use crate::text::TextRange;

/// Documents above this size are not read at all. CloudFormation itself takes at most 1 MB.
pub const MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;
/// Deeper nesting is reported, not followed: no real template or policy comes near it. 255 is
/// also as deep as the YAML scanner follows flow collections (`[[[…`), so both formats agree.
pub const MAX_DEPTH: usize = 255;
/// Nodes that YAML aliases may add in all, so that an alias bomb stays small.
pub const MAX_ALIAS_NODES: usize = 100_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Json,
    /// HCL, Terraform's native syntax (`.tf`, `.tfvars`).
    Hcl,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub range: TextRange,
    pub kind: NodeKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    Mapping(Mapping),
    Sequence(Sequence),
    Scalar(Scalar),
    Tagged(Box<Tagged>),
    /// An HCL block: `resource "aws_ecr_repository" "r" { … }` under the key `resource`.
    Block(Box<Block>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CollectionStyle {
    /// YAML block style: one entry a line, meaning carried by indentation.
    Block,
    /// YAML flow style (`{a: b}`, `[a, b]`) or JSON.
    Flow,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Mapping {
    pub entries: Vec<Entry>,
    pub style: CollectionStyle,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Sequence {
    pub items: Vec<Node>,
    pub style: CollectionStyle,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: Key,
    pub value: Node,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    /// The key's text; empty for a key that is not a scalar (YAML complex keys).
    pub text: Text,
    pub range: TextRange,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
    /// A JSON string literal.
    JsonString,
    /// A JSON number, `true`, `false` or `null`.
    JsonLiteral,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Scalar {
    /// The value after unquoting and unescaping.
    pub text: Text,
    pub style: ScalarStyle,
}

/// An HCL block's labels and body (a block-style mapping from `{` to `}`).
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub labels: Vec<Key>,
    pub body: Node,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Tagged {
    /// The tag without its `!`: `Ref`, `Sub`, `GetAtt`, …
    pub tag: String,
    pub tag_range: TextRange,
    pub value: Node,
}

impl NodeKind {
    /// The value under a tag, for a tagged node.
    pub fn tagged_value(&self) -> Option<&Node> {
        match self {
            NodeKind::Tagged(t) => Some(&t.value),
            _ => None,
        }
    }
}

impl Node {
    /// Moves every range of the tree by `by` bytes: a file's tree placed after others in the
    /// text of a whole Terraform module.
    pub fn shift(&mut self, by: u32) {
        let mut pending: Vec<&mut Node> = vec![self];
        while let Some(node) = pending.pop() {
            node.range = node.range.shifted(by);
            match &mut node.kind {
                NodeKind::Scalar(_) => {}
                NodeKind::Mapping(m) => {
                    for entry in &mut m.entries {
                        entry.key.range = entry.key.range.shifted(by);
                        pending.push(&mut entry.value);
                    }
                }
                NodeKind::Sequence(s) => pending.extend(s.items.iter_mut()),
                NodeKind::Tagged(t) => {
                    t.tag_range = t.tag_range.shifted(by);
                    pending.push(&mut t.value);
                }
                NodeKind::Block(b) => {
                    for label in &mut b.labels {
                        label.range = label.range.shifted(by);
                    }
                    pending.push(&mut b.body);
                }
            }
        }
    }

    pub fn as_mapping(&self) -> Option<&Mapping> {
        match &self.kind {
            NodeKind::Mapping(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_sequence(&self) -> Option<&Sequence> {
        match &self.kind {
            NodeKind::Sequence(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The text of a scalar that is not null.
    pub fn as_str(&self) -> Option<&str> {
        self.as_scalar()
            .filter(|s| !s.is_null())
            .map(|s| s.text.as_str())
    }

    pub fn is_null(&self) -> bool {
        self.as_scalar().is_some_and(Scalar::is_null)
    }

    /// Looks a key up in a mapping. With duplicate keys the last one counts, as in JSON readers.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_mapping()?.get(key)
    }

    pub fn get_entry(&self, key: &str) -> Option<&Entry> {
        self.as_mapping()?.get_entry(key)
    }

    /// The range of the value itself, without a YAML tag in front of it.
    pub fn value_range(&self) -> TextRange {
        match &self.kind {
            NodeKind::Tagged(t) => t.value.range,
            _ => self.range,
        }
    }
}

impl Mapping {
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.get_entry(key).map(|e| &e.value)
    }

    pub fn get_entry(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().rev().find(|e| e.key.text == key)
    }
}

impl Scalar {
    pub fn is_null(&self) -> bool {
        match self.style {
            ScalarStyle::Plain => matches!(self.text.as_str(), "" | "~" | "null" | "Null" | "NULL"),
            ScalarStyle::JsonLiteral => self.text == "null",
            _ => false,
        }
    }

    pub fn is_quoted(&self) -> bool {
        matches!(
            self.style,
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted | ScalarStyle::JsonString
        )
    }
}

/// What went wrong while reading a document, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub range: TextRange,
}

/// The same key twice in one mapping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuplicateKey {
    pub key: String,
    pub range: TextRange,
    pub first: TextRange,
}

/// A parsed document: the tree as far as it could be read, and what stood in the way.
#[derive(Clone, Debug)]
pub struct Document {
    pub format: Format,
    /// `None` when nothing could be read (empty input, or an error before the first value).
    pub root: Option<Node>,
    pub errors: Vec<SyntaxError>,
    pub duplicate_keys: Vec<DuplicateKey>,
}

/// Parses a document, choosing the format from a path hint or, without one, from the content.
pub fn parse(source: &str, format: Format) -> Document {
    if source.len() > MAX_INPUT_BYTES {
        return Document {
            format,
            root: None,
            errors: vec![SyntaxError {
                message: format!(
                    "the input is {:.1} MB; ecrlint reads at most {} MiB (CloudFormation itself accepts at most 1 MB)",
                    source.len() as f64 / 1_000_000.0,
                    MAX_INPUT_BYTES / (1024 * 1024)
                ),
                range: TextRange::empty(0),
            }],
            duplicate_keys: Vec::new(),
        };
    }
    match format {
        Format::Yaml => yaml::parse(source),
        Format::Json => json::parse(source),
        Format::Hcl => hcl::parse(source),
    }
}

/// Decides the format from the file name when it tells, else from the first significant character.
pub fn detect_format(source: &str, path: Option<&str>) -> Format {
    let ext = path
        .and_then(|p| p.rsplit_once('.'))
        .map(|(_, ext)| ext.to_ascii_lowercase());
    match ext.as_deref() {
        Some("tf" | "tfvars" | "hcl") => Format::Hcl,
        Some("json") => Format::Json,
        Some("yaml" | "yml") => Format::Yaml,
        _ => {
            let first = source
                .trim_start_matches('\u{feff}')
                .trim_start()
                .chars()
                .next();
            if matches!(first, Some('{' | '[')) {
                Format::Json
            } else if looks_like_hcl(source) {
                Format::Hcl
            } else {
                Format::Yaml
            }
        }
    }
}

/// Whether text without a telling file name is Terraform: its first line that is not blank or
/// a comment opens a top-level block (`resource "…"`, `variable "…"`, `terraform {`, …).
fn looks_like_hcl(source: &str) -> bool {
    let Some(line) = source
        .trim_start_matches('\u{feff}')
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("//"))
    else {
        return false;
    };
    let word = line.split([' ', '\t', '{', '"']).next().unwrap_or_default();
    matches!(
        word,
        "resource"
            | "data"
            | "variable"
            | "provider"
            | "terraform"
            | "module"
            | "locals"
            | "output"
    ) && line[word.len()..].trim_start().starts_with(['"', '{'])
}

/// Finds duplicate keys in one mapping's entries.
fn duplicate_keys(entries: &[Entry], out: &mut Vec<DuplicateKey>) {
    let mut report = |entry: &Entry, first: &Entry| {
        out.push(DuplicateKey {
            key: entry.key.text.to_string(),
            range: entry.key.range,
            first: first.key.range,
        })
    };
    // Most mappings are small: comparing pairs beats hashing them.
    if entries.len() <= 16 {
        for (i, entry) in entries.iter().enumerate() {
            if entry.key.text.is_empty() {
                continue;
            }
            if let Some(first) = entries[..i].iter().find(|e| e.key.text == entry.key.text) {
                report(entry, first);
            }
        }
        return;
    }
    let mut seen: std::collections::HashMap<&str, &Entry> =
        std::collections::HashMap::with_capacity(entries.len());
    for entry in entries {
        if entry.key.text.is_empty() {
            continue;
        }
        match seen.get(entry.key.text.as_str()) {
            Some(first) => report(entry, first),
            None => {
                seen.insert(&entry.key.text, entry);
            }
        }
    }
}
