//! A small YAML loader over `saphyr-parser` events: keeps CloudFormation short-form tags and
//! byte ranges, keeps duplicate keys, and bounds nesting and alias expansion.
//!
//! The loader is iterative (an explicit stack), so no input can overflow the call stack.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle as YamlStyle, Span, Tag};

use super::{
    duplicate_keys, CollectionStyle, Document, DuplicateKey, Entry, Format, Key, Mapping, Node,
    NodeKind, Scalar, ScalarStyle, Sequence, SyntaxError, Tagged, Text, MAX_ALIAS_NODES, MAX_DEPTH,
};
use crate::text::{to_u32, TextRange};

pub(super) fn parse(source: &str) -> Document {
    let mut loader = Loader {
        source,
        offsets: Offsets::new(source),
        stack: Vec::new(),
        entries: Vec::new(),
        items: Vec::new(),
        root: None,
        anchors: HashMap::new(),
        alias_budget: MAX_ALIAS_NODES,
        duplicate_keys: Vec::new(),
        error: None,
        documents: 0,
    };
    let mut parser = Parser::new_from_str(source);
    while loader.error.is_none() {
        match parser.next_event() {
            None | Some(Ok((Event::StreamEnd, _))) => break,
            Some(Ok((event, span))) => {
                if !loader.event(event, span) {
                    break;
                }
            }
            Some(Err(e)) => {
                let at = loader.offsets.byte(e.marker().index());
                let message = match e.info() {
                    "recursion limit exceeded" => {
                        format!("nesting is deeper than {MAX_DEPTH} levels")
                    }
                    info => info.to_string(),
                };
                loader.fail(TextRange::empty(at), message);
            }
        }
    }
    let (root, errors) = match loader.error {
        Some(error) => (None, vec![error]),
        None => (loader.root, Vec::new()),
    };
    Document {
        format: Format::Yaml,
        root,
        errors,
        duplicate_keys: loader.duplicate_keys,
    }
}

struct Loader<'s> {
    source: &'s str,
    offsets: Offsets<'s>,
    stack: Vec<Frame>,
    /// Entries and items of the collections being read, innermost last.
    entries: Vec<Entry>,
    items: Vec<Node>,
    root: Option<Node>,
    anchors: HashMap<usize, (Node, usize)>,
    alias_budget: usize,
    duplicate_keys: Vec<DuplicateKey>,
    error: Option<SyntaxError>,
    documents: usize,
}

struct Frame {
    /// Where the whole node starts: its anchor or tag if it has one, else its first character.
    start: u32,
    /// Where the collection itself starts (`{`, `[`, or the first entry of a block collection).
    body_start: u32,
    end: u32,
    tag: Option<(String, TextRange)>,
    anchor: usize,
    style: CollectionStyle,
    body: FrameBody,
}

/// A collection being read. Its entries or items wait on the loader's shared stacks from
/// `from` on, and move into a vector of exactly their number when it ends: a tree of many small
/// mappings then holds no spare capacity.
enum FrameBody {
    Mapping { from: usize, key: Option<Key> },
    Sequence { from: usize },
}

impl Loader<'_> {
    /// Takes one event; returns false when loading should stop.
    fn event(&mut self, event: Event<'_>, span: Span) -> bool {
        let start = self.offsets.byte(span.start.index());
        let end = self.offsets.byte(span.end.index());
        match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                // Only the first document of a stream is read: templates and policies are one.
                self.documents == 1
            }
            Event::Scalar(value, style, anchor, tag) => {
                let tag = self.tag(tag.as_deref(), start);
                let style = match style {
                    YamlStyle::Plain => ScalarStyle::Plain,
                    YamlStyle::SingleQuoted => ScalarStyle::SingleQuoted,
                    YamlStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
                    YamlStyle::Literal => ScalarStyle::Literal,
                    YamlStyle::Folded => ScalarStyle::Folded,
                };
                let body_start = match style {
                    ScalarStyle::Literal | ScalarStyle::Folded => self.block_indicator(start),
                    _ => self.skip_properties(start, end),
                };
                let end = match style {
                    ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                        self.closing_quote(body_start, end)
                    }
                    _ => end,
                };
                let scalar = Node {
                    range: TextRange::new(body_start, end.max(body_start)),
                    kind: NodeKind::Scalar(Scalar {
                        text: Text::from(value.as_ref()),
                        style,
                    }),
                };
                let node = wrap(scalar, tag, start.min(body_start));
                self.complete(node, anchor)
            }
            Event::MappingStart(anchor, ref tag) | Event::SequenceStart(anchor, ref tag) => {
                if self.stack.len() >= MAX_DEPTH {
                    self.fail(
                        TextRange::new(start, end),
                        format!("nesting is deeper than {MAX_DEPTH} levels"),
                    );
                    return false;
                }
                let is_mapping = matches!(event, Event::MappingStart(..));
                let open = if is_mapping { b'{' } else { b'[' };
                // The span may run past `{` (over spaces or a comment): look at what follows the
                // anchor and tag instead of at the span's last character.
                let first = self.skip_properties(start, end);
                let flow = first < end && self.source.as_bytes()[first as usize] == open;
                let tag = self.tag(tag.as_deref(), start);
                let body_start = if flow { first } else { end };
                self.stack.push(Frame {
                    start: if tag.is_some() || anchor != 0 {
                        start
                    } else {
                        body_start
                    },
                    body_start,
                    end: body_start,
                    tag,
                    anchor,
                    style: if flow {
                        CollectionStyle::Flow
                    } else {
                        CollectionStyle::Block
                    },
                    body: if is_mapping {
                        FrameBody::Mapping {
                            from: self.entries.len(),
                            key: None,
                        }
                    } else {
                        FrameBody::Sequence {
                            from: self.items.len(),
                        }
                    },
                });
                true
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let Some(frame) = self.stack.pop() else {
                    return true;
                };
                let end = match frame.style {
                    CollectionStyle::Flow => end,
                    CollectionStyle::Block => frame.end,
                };
                let kind = match frame.body {
                    FrameBody::Mapping { from, .. } => {
                        let entries: Vec<Entry> = self.entries.drain(from..).collect();
                        duplicate_keys(&entries, &mut self.duplicate_keys);
                        NodeKind::Mapping(Mapping {
                            entries,
                            style: frame.style,
                        })
                    }
                    FrameBody::Sequence { from } => NodeKind::Sequence(Sequence {
                        items: self.items.drain(from..).collect(),
                        style: frame.style,
                    }),
                };
                let node = Node {
                    range: TextRange::new(frame.body_start, end.max(frame.body_start)),
                    kind,
                };
                let node = wrap(node, frame.tag, frame.start);
                self.complete(node, frame.anchor)
            }
            Event::Alias(id) => {
                let Some((node, count)) = self.anchors.get(&id) else {
                    self.fail(TextRange::new(start, end), "unknown alias".to_string());
                    return false;
                };
                if *count > self.alias_budget {
                    self.fail(
                        TextRange::new(start, end),
                        format!("aliases expand to more than {MAX_ALIAS_NODES} nodes; ecrlint stops here to stay small"),
                    );
                    return false;
                }
                self.alias_budget -= count;
                let node = node.clone();
                self.complete(node, 0)
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => true,
        }
    }

    fn complete(&mut self, node: Node, anchor: usize) -> bool {
        if anchor != 0 {
            let count = count_nodes(&node);
            self.anchors.insert(anchor, (node.clone(), count));
        }
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(node);
            return true;
        };
        frame.end = frame.end.max(node.range.end);
        match &mut frame.body {
            FrameBody::Sequence { .. } => self.items.push(node),
            FrameBody::Mapping { key, .. } => match key.take() {
                None => {
                    let range = node.range;
                    let text = match node.kind {
                        NodeKind::Scalar(scalar) => scalar.text,
                        _ => Text::default(),
                    };
                    *key = Some(Key { text, range });
                }
                Some(key) => self.entries.push(Entry { key, value: node }),
            },
        }
        true
    }

    fn fail(&mut self, range: TextRange, message: String) {
        if self.error.is_none() {
            self.error = Some(SyntaxError { message, range });
        }
    }

    /// The tag's name and range, for the local tags CloudFormation uses (`!Ref`); YAML core tags
    /// (`!!str`) carry no meaning here.
    fn tag(&self, tag: Option<&Tag>, start: u32) -> Option<(String, TextRange)> {
        let tag = tag?;
        if tag.handle != "!" || tag.suffix.is_empty() {
            return None;
        }
        let text = &self.source[start as usize..];
        let at = start + to_u32(text.find('!').unwrap_or(0));
        Some((
            tag.suffix.clone(),
            TextRange::new(at, at + 1 + to_u32(tag.suffix.len())),
        ))
    }

    /// Skips an anchor (`&a`) and a tag (`!Ref`) at the start of a node's span. Neither can hold
    /// a flow indicator, so `!{a: b}` is an empty tag before a flow mapping.
    fn skip_properties(&self, start: u32, end: u32) -> u32 {
        let bytes = self.source.as_bytes();
        let mut at = start as usize;
        while at < end as usize && matches!(bytes[at], b'&' | b'!') {
            at += 1;
            while at < end as usize
                && !bytes[at].is_ascii_whitespace()
                && !matches!(bytes[at], b'{' | b'}' | b'[' | b']' | b',')
            {
                at += 1;
            }
            while at < end as usize && bytes[at].is_ascii_whitespace() {
                at += 1;
            }
        }
        to_u32(at)
    }

    /// The end of a quoted scalar: just past its closing quote. The parser's span can run on
    /// over the spaces and the comment that follow it on the line.
    fn closing_quote(&self, body_start: u32, end: u32) -> u32 {
        let bytes = self.source.as_bytes();
        let quote = match bytes.get(body_start as usize) {
            Some(&q) if q == b'"' || q == b'\'' => q,
            _ => return end,
        };
        let mut at = body_start as usize + 1;
        while at < end as usize {
            match bytes[at] {
                b'\\' if quote == b'"' => at += 2,
                b'\'' if quote == b'\'' && bytes.get(at + 1) == Some(&b'\'') => at += 2,
                b if b == quote => return to_u32(at + 1),
                _ => at += 1,
            }
        }
        end
    }

    /// A block scalar's span starts at its content; the node starts at its `|` or `>`.
    fn block_indicator(&self, content_start: u32) -> u32 {
        let before = &self.source[..content_start as usize];
        let line_start = before.trim_end_matches([' ', '\t', '\r', '\n']).len();
        match before[..line_start].rfind(['|', '>']) {
            Some(i) => to_u32(i),
            None => content_start,
        }
    }
}

fn wrap(node: Node, tag: Option<(String, TextRange)>, start: u32) -> Node {
    match tag {
        None => node,
        Some((tag, tag_range)) => Node {
            range: TextRange::new(start.min(tag_range.start), node.range.end),
            kind: NodeKind::Tagged(Box::new(Tagged {
                tag,
                tag_range,
                value: node,
            })),
        },
    }
}

fn count_nodes(node: &Node) -> usize {
    let mut count = 0;
    let mut pending = vec![node];
    while let Some(node) = pending.pop() {
        count += 1;
        match &node.kind {
            NodeKind::Mapping(m) => pending.extend(m.entries.iter().map(|e| &e.value)),
            NodeKind::Sequence(s) => pending.extend(s.items.iter()),
            NodeKind::Tagged(t) => pending.push(&t.value),
            NodeKind::Block(b) => pending.push(&b.body),
            NodeKind::Scalar(_) => {}
        }
    }
    count
}

/// Converts the parser's character indices to byte offsets. Events arrive mostly in order, so
/// a cursor that walks from the last answer costs little.
struct Offsets<'s> {
    source: &'s str,
    ascii: bool,
    chars: usize,
    bytes: usize,
}

impl<'s> Offsets<'s> {
    fn new(source: &'s str) -> Self {
        Offsets {
            source,
            ascii: source.is_ascii(),
            chars: 0,
            bytes: 0,
        }
    }

    fn byte(&mut self, char_index: usize) -> u32 {
        if self.ascii {
            return to_u32(char_index.min(self.source.len()));
        }
        if char_index < self.chars {
            self.chars = 0;
            self.bytes = 0;
        }
        for ch in self.source[self.bytes..].chars() {
            if self.chars == char_index {
                break;
            }
            self.chars += 1;
            self.bytes += ch.len_utf8();
        }
        to_u32(self.bytes)
    }
}
