//! HCL (Terraform's native syntax) through `hcl-edit`, into the same spanned tree as YAML and
//! JSON: a body is a block-style mapping (attributes and blocks in order), a block is
//! [`NodeKind::Block`] with its labels, literals are scalars, arrays and objects are flow
//! collections. What is not a literal — references, function calls, conditionals, templates,
//! heredocs, operators — is a tagged node (`tf:ref`, `tf:call:NAME`, `tf:if`, `tf:template`,
//! `tf:heredoc`, `tf:expr`) that the Terraform adapter evaluates.

use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::{Body, Structure};
use hcl_edit::template::{Element, Template};
use hcl_edit::Span;

use super::{
    Block, CollectionStyle, Document, Entry, Format, Key, Mapping, Node, NodeKind, Scalar,
    ScalarStyle, Sequence, SyntaxError, Tagged, Text,
};
use crate::text::{to_u32, TextRange};

/// A reference (`var.x`, `aws_ecr_repository.r.name`): its path as text.
pub const REF: &str = "tf:ref";
/// A function call: `tf:call:jsonencode`, its arguments as a sequence.
pub const CALL: &str = "tf:call:";
/// `cond ? a : b`: a sequence of the three.
pub const IF: &str = "tf:if";
/// A quoted string with interpolations: its parts, literal pieces and expressions.
pub const TEMPLATE: &str = "tf:template";
/// A heredoc: its parts; the sequence's range is the body between the delimiter lines.
pub const HEREDOC: &str = "tf:heredoc";
/// Anything else (operators, `for` expressions, splats, template directives): not evaluated.
pub const EXPR: &str = "tf:expr";
/// The key of the block that holds a module's `.tfvars` values when its files are checked
/// together (no HCL identifier can spell it).
pub const TFVARS: &str = "\u{0}tfvars";
/// The key of the block that holds the files a module reads with `file()` when its files are
/// checked together: each entry is a path as the module writes it, and the file's text.
pub const FILES: &str = "\u{0}files";
/// The key of the block that holds the files of the local modules a module calls when they are
/// checked together: labelled with the module's own folder, an entry per folder, each a block
/// whose body is that folder's files joined.
pub const MODULES: &str = "\u{0}modules";

/// The path a `file()` or `templatefile()` argument names, as written relative to the module:
/// `"policy.json"`, `"./policy.json"` or `"${path.module}/policy.json"`; `None` for anything
/// computed.
pub fn module_relative(path: &str) -> Option<&str> {
    let path = path
        .strip_prefix("${path.module}/")
        .unwrap_or(path)
        .trim_start_matches("./");
    (!path.is_empty() && !path.contains("${") && !path.contains("%{")).then_some(path)
}

pub(super) fn parse(source: &str) -> Document {
    let mut document = Document {
        format: Format::Hcl,
        root: None,
        errors: Vec::new(),
        duplicate_keys: Vec::new(),
    };
    match hcl_edit::parser::parse_body(source) {
        Ok(body) => {
            let convert = Convert {
                source,
                fixed: None,
            };
            let range = TextRange::from_usize(0, source.len());
            let root = convert.body(&body, range);
            document.root = Some(root);
        }
        Err(error) => {
            let offset = error.location().offset().min(source.len());
            let mut at = offset;
            while !source.is_char_boundary(at) {
                at -= 1;
            }
            let end = source[at..]
                .chars()
                .next()
                .filter(|c| *c != '\n' && *c != '\r')
                .map_or(at, |c| at + c.len_utf8());
            document.errors.push(SyntaxError {
                message: format!("invalid HCL: {}", describe(error.message())),
                range: TextRange::from_usize(at, end),
            });
        }
    }
    document
}

/// The parser's message without its leading "invalid …" noise, on one line.
fn describe(message: &str) -> String {
    let message = message.trim();
    if message.is_empty() {
        "unexpected input".to_string()
    } else {
        message.replace('\n', " ")
    }
}

/// The parts of a template held in a string (`"arn:${var.p}:x"` inside a heredoc's JSON), each
/// ranged as the whole string `at`; `None` when it is not a valid template.
pub fn template_parts(text: &str, at: TextRange) -> Option<Vec<Node>> {
    let template = hcl_edit::parser::parse_template(text).ok()?;
    let convert = Convert {
        source: text,
        fixed: Some(at),
    };
    Some(convert.template(&template))
}

struct Convert<'s> {
    source: &'s str,
    /// Every range, when the text is not the source (a template parsed out of a string).
    fixed: Option<TextRange>,
}

impl Convert<'_> {
    fn span(&self, of: &impl Span) -> TextRange {
        if let Some(fixed) = self.fixed {
            return fixed;
        }
        of.span().map_or(TextRange::empty(0), |r| {
            TextRange::from_usize(r.start, r.end)
        })
    }

    fn body(&self, body: &Body, range: TextRange) -> Node {
        let mut entries = Vec::with_capacity(body.len());
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attribute) => {
                    let key = Key {
                        text: Text::from(attribute.key.as_str()),
                        range: self.span(&attribute.key),
                    };
                    let value = self.expression(&attribute.value);
                    entries.push(Entry { key, value });
                }
                Structure::Block(block) => {
                    let key = Key {
                        text: Text::from(block.ident.as_str()),
                        range: self.span(&block.ident),
                    };
                    let labels = block
                        .labels
                        .iter()
                        .map(|label| Key {
                            text: Text::from(label.as_str()),
                            range: self.span(label),
                        })
                        .collect();
                    let whole = self.span(block);
                    let body_range = self.braces(whole);
                    let body = self.body(&block.body, body_range);
                    entries.push(Entry {
                        key,
                        value: Node {
                            range: whole,
                            kind: NodeKind::Block(Box::new(Block { labels, body })),
                        },
                    });
                }
            }
        }
        Node {
            range,
            kind: NodeKind::Mapping(Mapping {
                entries,
                style: CollectionStyle::Block,
            }),
        }
    }

    /// From a block's `{` to its `}`.
    fn braces(&self, block: TextRange) -> TextRange {
        let text = &self.source[block.as_usize()];
        let open = text.find('{').unwrap_or(0);
        TextRange::new(block.start + to_u32(open), block.end)
    }

    fn expression(&self, expression: &Expression) -> Node {
        let range = self.span(expression);
        let scalar = |text: Text, style| Node {
            range,
            kind: NodeKind::Scalar(Scalar { text, style }),
        };
        match expression {
            Expression::Null(_) => scalar(Text::from("null"), ScalarStyle::JsonLiteral),
            Expression::Bool(b) => scalar(
                Text::from(if *b.value() { "true" } else { "false" }),
                ScalarStyle::JsonLiteral,
            ),
            Expression::Number(_) => scalar(Text::from(self.text(range)), ScalarStyle::JsonLiteral),
            Expression::String(s) => scalar(Text::from(s.as_str()), ScalarStyle::JsonString),
            Expression::Array(array) => Node {
                range,
                kind: NodeKind::Sequence(Sequence {
                    items: array.iter().map(|e| self.expression(e)).collect(),
                    style: CollectionStyle::Flow,
                }),
            },
            Expression::Object(object) => {
                let entries = object
                    .iter()
                    .map(|(key, value)| {
                        let key = match key {
                            ObjectKey::Ident(ident) => Key {
                                text: Text::from(ident.as_str()),
                                range: self.span(ident),
                            },
                            ObjectKey::Expression(Expression::String(s)) => Key {
                                text: Text::from(s.as_str()),
                                range: self.span(s),
                            },
                            // A computed key: its name is not known here.
                            ObjectKey::Expression(other) => Key {
                                text: Text::default(),
                                range: self.span(other),
                            },
                        };
                        Entry {
                            key,
                            value: self.expression(value.expr()),
                        }
                    })
                    .collect();
                Node {
                    range,
                    kind: NodeKind::Mapping(Mapping {
                        entries,
                        style: CollectionStyle::Flow,
                    }),
                }
            }
            Expression::StringTemplate(template) => {
                let parts = template.iter().map(|e| self.element(e)).collect();
                let inner = TextRange::new(
                    (range.start + 1).min(range.end),
                    range.end.saturating_sub(1).max(range.start),
                );
                tagged(TEMPLATE, range, sequence(parts, inner))
            }
            Expression::HeredocTemplate(heredoc) => {
                let parts = self.template(&heredoc.template);
                tagged(HEREDOC, range, sequence(parts, self.heredoc_body(range)))
            }
            Expression::Parenthesis(inner) => self.expression(inner.inner()),
            Expression::Variable(name) => tagged(
                REF,
                range,
                scalar(Text::from(name.as_str()), ScalarStyle::JsonLiteral),
            ),
            Expression::Traversal(traversal) => match path(traversal) {
                Some(path) => tagged(
                    REF,
                    range,
                    scalar(Text::from(path), ScalarStyle::JsonLiteral),
                ),
                None => self.opaque(range),
            },
            Expression::FuncCall(call) => {
                let args = call.args.iter().map(|a| self.expression(a)).collect();
                let name = call.name.name.as_str();
                let tag = if call.name.namespace.is_empty() {
                    format!("{CALL}{name}")
                } else {
                    format!("{CALL}provider::{name}")
                };
                tagged(&tag, range, sequence(args, self.span(&call.args)))
            }
            Expression::Conditional(conditional) => {
                let parts = vec![
                    self.expression(&conditional.cond_expr),
                    self.expression(&conditional.true_expr),
                    self.expression(&conditional.false_expr),
                ];
                tagged(IF, range, sequence(parts, range))
            }
            Expression::UnaryOp(_) | Expression::BinaryOp(_) | Expression::ForExpr(_) => {
                self.opaque(range)
            }
        }
    }

    fn template(&self, template: &Template) -> Vec<Node> {
        template.iter().map(|e| self.element(e)).collect()
    }

    fn element(&self, element: &Element) -> Node {
        match element {
            Element::Literal(literal) => Node {
                range: self.span(literal),
                kind: NodeKind::Scalar(Scalar {
                    text: Text::from(literal.as_str()),
                    style: ScalarStyle::JsonString,
                }),
            },
            Element::Interpolation(interpolation) => self.expression(&interpolation.expr),
            Element::Directive(directive) => self.opaque(self.span(directive)),
        }
    }

    fn opaque(&self, range: TextRange) -> Node {
        tagged(
            EXPR,
            range,
            Node {
                range,
                kind: NodeKind::Scalar(Scalar {
                    text: Text::from(self.text(range)),
                    style: ScalarStyle::JsonLiteral,
                }),
            },
        )
    }

    fn text(&self, range: TextRange) -> &str {
        if self.fixed.is_some() {
            return self.source;
        }
        self.source.get(range.as_usize()).unwrap_or("")
    }

    /// The lines between `<<EOT` and the closing delimiter.
    fn heredoc_body(&self, heredoc: TextRange) -> TextRange {
        let text = self.text(heredoc);
        let start = text.find('\n').map_or(text.len(), |i| i + 1);
        let end = text[start..].trim_end_matches(|c: char| c != '\n').len() + start;
        TextRange::new(
            heredoc.start + to_u32(start),
            heredoc.start + to_u32(end.max(start)),
        )
    }
}

/// `var.x`, `aws_ecr_repository.r.name`, `data.aws_iam_policy_document.p.json`, with literal
/// indexes as `[0]`; `None` for splats and computed indexes.
fn path(traversal: &hcl_edit::expr::Traversal) -> Option<String> {
    let Expression::Variable(root) = &traversal.expr else {
        return None;
    };
    let mut path = root.as_str().to_string();
    for operator in &traversal.operators {
        match operator.value() {
            TraversalOperator::GetAttr(name) => {
                path.push('.');
                path.push_str(name.as_str());
            }
            TraversalOperator::LegacyIndex(index) => path.push_str(&format!("[{}]", index.value())),
            TraversalOperator::Index(Expression::Number(n)) => {
                path.push_str(&format!("[{}]", n.value()))
            }
            TraversalOperator::Index(Expression::String(s)) => {
                path.push_str(&format!("[{:?}]", s.as_str()))
            }
            _ => return None,
        }
    }
    Some(path)
}

fn tagged(tag: &str, range: TextRange, value: Node) -> Node {
    Node {
        range,
        kind: NodeKind::Tagged(Box::new(Tagged {
            tag: tag.to_string(),
            tag_range: range,
            value,
        })),
    }
}

fn sequence(items: Vec<Node>, range: TextRange) -> Node {
    Node {
        range,
        kind: NodeKind::Sequence(Sequence {
            items,
            style: CollectionStyle::Flow,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(source: &str) -> Node {
        let document = parse(source);
        assert_eq!(document.errors, Vec::new());
        document.root.unwrap()
    }

    #[test]
    fn blocks_attributes_and_literals_keep_their_ranges() {
        let source = "resource \"aws_ecr_repository\" \"r\" {\n  name = \"app\"\n  n = 3\n}\n";
        let root = root(source);
        let entry = &root.as_mapping().unwrap().entries[0];
        assert_eq!(entry.key.text, "resource");
        let NodeKind::Block(block) = &entry.value.kind else {
            panic!("a block")
        };
        let labels: Vec<&str> = block.labels.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(labels, ["aws_ecr_repository", "r"]);
        assert_eq!(&source[block.labels[1].range.as_usize()], "\"r\"");
        assert_eq!(
            &source[block.body.range.as_usize()],
            &source[34..source.len() - 1]
        );
        let name = block.body.get("name").unwrap();
        assert_eq!(name.as_str(), Some("app"));
        assert_eq!(&source[name.range.as_usize()], "\"app\"");
        assert_eq!(block.body.get("n").unwrap().as_str(), Some("3"));
    }

    #[test]
    fn expressions_become_tagged_nodes() {
        let source = "a = var.x\nb = jsonencode({ A = [\"*\"] })\nc = x ? \"M\" : \"I\"\nd = \"arn:${local.p}:x\"\ne = 1 + 2\nf = data.d.p.json\n";
        let root = root(source);
        let tag = |key: &str| match &root.get(key).unwrap().kind {
            NodeKind::Tagged(t) => (t.tag.clone(), t.value.clone()),
            other => panic!("{key}: {other:?}"),
        };
        assert_eq!(tag("a").0, REF);
        assert_eq!(tag("a").1.as_str(), Some("var.x"));
        assert_eq!(tag("b").0, "tf:call:jsonencode");
        let call = tag("b").1;
        let object = &call.as_sequence().unwrap().items[0];
        let star = &object.get("A").unwrap().as_sequence().unwrap().items[0];
        assert_eq!(&source[star.range.as_usize()], "\"*\"");
        assert_eq!(tag("c").0, IF);
        let (t, parts) = tag("d");
        assert_eq!(t, TEMPLATE);
        let parts = &parts.as_sequence().unwrap().items;
        assert_eq!(parts[0].as_str(), Some("arn:"));
        assert_eq!(&source[parts[1].range.as_usize()], "local.p");
        assert_eq!(tag("e").0, EXPR);
        assert_eq!(tag("f").1.as_str(), Some("data.d.p.json"));
    }

    #[test]
    fn heredoc_body_is_the_lines_between_the_delimiters() {
        let source = "p = <<EOF\n{\"a\": 1}\nEOF\n";
        let root = root(source);
        let NodeKind::Tagged(t) = &root.get("p").unwrap().kind else {
            panic!()
        };
        assert_eq!(t.tag, HEREDOC);
        assert_eq!(&source[t.value.range.as_usize()], "{\"a\": 1}\n");
    }

    #[test]
    fn a_syntax_error_has_a_position_and_an_attribute_set_twice_is_one() {
        let document = parse("resource \"a\" {\n  x = \n}\n");
        assert_eq!(document.errors.len(), 1, "{:?}", document.errors);
        assert!(document.errors[0].message.starts_with("invalid HCL: "));
        // The parser itself refuses an attribute set twice, as Terraform does.
        let document = parse("x = 1\nx = 2\n");
        assert_eq!(
            document.errors,
            [SyntaxError {
                message: "invalid HCL: invalid attribute; expected unique attribute key; found redefined attribute".into(),
                range: TextRange::new(6, 7),
            }]
        );
    }

    #[test]
    fn text_without_a_file_name_is_hcl_when_it_opens_a_block() {
        use crate::syntax::{detect_format, Format};
        let hcl = "# ECR\n\nresource \"aws_ecr_repository\" \"r\" {}\n";
        assert_eq!(detect_format(hcl, None), Format::Hcl);
        assert_eq!(detect_format("terraform {\n}\n", None), Format::Hcl);
        assert_eq!(detect_format("resources: x\n", None), Format::Yaml);
        assert_eq!(detect_format("resource: \"x\"\n", None), Format::Yaml);
        assert_eq!(detect_format("x: 1\n", Some("main.tf")), Format::Hcl);
    }
}
