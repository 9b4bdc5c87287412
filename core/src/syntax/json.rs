//! JSON through `jsonc-parser`. AWS reads strict JSON, so a comment or a trailing comma is
//! reported; the tree still comes from a lenient parse so that the rest can be checked.

use jsonc_parser::ast::{ObjectPropName, Value};
use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions};

use super::{
    duplicate_keys, CollectionStyle, Document, Entry, Format, Key, Mapping, Node, NodeKind, Scalar,
    ScalarStyle, Sequence, SyntaxError, Text, MAX_DEPTH,
};
use crate::text::TextRange;

pub(super) fn parse(source: &str) -> Document {
    let mut document = Document {
        format: Format::Json,
        root: None,
        errors: Vec::new(),
        duplicate_keys: Vec::new(),
    };
    let text = source.strip_prefix('\u{feff}').unwrap_or(source);
    let shift = (source.len() - text.len()) as u32;
    let tree = match parse_ast(text, &strict()) {
        Ok(tree) => {
            if let Some(error) = control_character(text, shift) {
                document.errors.push(error);
            }
            Some(tree)
        }
        Err(error) => {
            document.errors.push(to_error(&error, shift));
            parse_ast(text, &ParseOptions::default()).ok()
        }
    };
    if let Some(value) = tree.and_then(|t| t.value) {
        let mut convert = Convert {
            map: &|start, end| TextRange::from_usize(start + shift as usize, end + shift as usize),
            duplicates: &mut document.duplicate_keys,
            too_deep: None,
        };
        let root = convert.node(&value, 0);
        if let Some(at) = convert.too_deep {
            document.errors.push(SyntaxError {
                message: format!("nesting is deeper than {MAX_DEPTH} levels"),
                range: at,
            });
        } else {
            document.root = Some(root);
        }
    }
    // A lenient tree after a strict failure is kept: the error is reported, and the checks still
    // see what AWS would see if the stray comma or comment were removed.
    document
}

/// JSON allows no raw control characters, in strings or between tokens, where jsonc-parser is
/// lenient: a NUL in a string would reach AWS, which rejects it.
fn control_character(text: &str, shift: u32) -> Option<SyntaxError> {
    let at = text
        .bytes()
        .position(|b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))?;
    let at = at as u32 + shift;
    Some(SyntaxError {
        message: format!(
            "control character U+{:04X} is not allowed in JSON; write it as an escape",
            text.as_bytes()[at as usize - shift as usize]
        ),
        range: TextRange::new(at, at + 1),
    })
}

pub(super) fn strict() -> ParseOptions {
    ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

pub(super) fn parse_ast<'a>(
    text: &'a str,
    options: &ParseOptions,
) -> Result<jsonc_parser::ParseResult<'a>, jsonc_parser::errors::ParseError> {
    let collect = CollectOptions {
        comments: CommentCollectionStrategy::Off,
        tokens: false,
    };
    jsonc_parser::parse_to_ast(text, &collect, options)
}

pub(super) fn to_error(error: &jsonc_parser::errors::ParseError, shift: u32) -> SyntaxError {
    let range = error.range();
    SyntaxError {
        message: error.kind().to_string(),
        range: TextRange::new(range.start as u32 + shift, range.end as u32 + shift),
    }
}

/// Turns a jsonc-parser tree into ours, mapping every range through `map` (a BOM shift for
/// files, the escape map for a policy embedded in a string).
pub(super) struct Convert<'m> {
    pub map: &'m dyn Fn(usize, usize) -> TextRange,
    pub duplicates: &'m mut Vec<super::DuplicateKey>,
    pub too_deep: Option<TextRange>,
}

impl Convert<'_> {
    fn range(&self, range: jsonc_parser::common::Range) -> TextRange {
        (self.map)(range.start, range.end)
    }

    pub fn node(&mut self, value: &Value<'_>, depth: usize) -> Node {
        let (range, kind) = match value {
            Value::StringLit(s) => (
                s.range,
                NodeKind::Scalar(Scalar {
                    text: Text::from(s.value.as_ref()),
                    style: ScalarStyle::JsonString,
                }),
            ),
            Value::NumberLit(n) => (n.range, literal(n.value)),
            Value::BooleanLit(b) => (b.range, literal(if b.value { "true" } else { "false" })),
            Value::NullKeyword(n) => (n.range, literal("null")),
            Value::Object(object) => {
                let mut entries = Vec::with_capacity(object.properties.len());
                if depth >= MAX_DEPTH {
                    self.too_deep.get_or_insert(self.range(object.range));
                } else {
                    for prop in &object.properties {
                        let (text, key_range) = match &prop.name {
                            ObjectPropName::String(s) => (Text::from(s.value.as_ref()), s.range),
                            ObjectPropName::Word(w) => (Text::from(w.value), w.range),
                        };
                        entries.push(Entry {
                            key: Key {
                                text,
                                range: self.range(key_range),
                            },
                            value: self.node(&prop.value, depth + 1),
                        });
                    }
                }
                duplicate_keys(&entries, self.duplicates);
                (
                    object.range,
                    NodeKind::Mapping(Mapping {
                        entries,
                        style: CollectionStyle::Flow,
                    }),
                )
            }
            Value::Array(array) => {
                let mut items = Vec::with_capacity(array.elements.len());
                if depth >= MAX_DEPTH {
                    self.too_deep.get_or_insert(self.range(array.range));
                } else {
                    for element in &array.elements {
                        items.push(self.node(element, depth + 1));
                    }
                }
                (
                    array.range,
                    NodeKind::Sequence(Sequence {
                        items,
                        style: CollectionStyle::Flow,
                    }),
                )
            }
        };
        Node {
            range: self.range(range),
            kind,
        }
    }
}

fn literal(text: &str) -> NodeKind {
    NodeKind::Scalar(Scalar {
        text: Text::from(text),
        style: ScalarStyle::JsonLiteral,
    })
}
