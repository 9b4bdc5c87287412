//! The one writer for YAML and JSON text, used by fixes and suppressions alike: replace a scalar
//! keeping its quoting, insert a mapping entry into a block mapping, a flow mapping or a JSON
//! object (inline, or in block style all the way down), put an item first in a list, remove a
//! list element or a mapping entry — matching the file's indentation and line endings, and the
//! escaping of a host string when the document lives inside one.

use crate::diagnostic::Edit;
use crate::syntax::{CollectionStyle, Format, HostString, Node, ScalarStyle};
use crate::text::{to_u32, LineIndex, TextRange};

/// A value to write, rendered for the target format.
#[derive(Clone, Debug)]
pub enum Generated {
    Str(String),
    /// `!Sub "…"` in YAML, `{"Fn::Sub": "…"}` in JSON.
    Sub(String),
    Map(Vec<(String, Generated)>),
    /// Always written in flow style: `[a, b]`.
    List(Vec<Generated>),
    /// `true` or `false`, unquoted in every format.
    Bool(bool),
}

pub struct Writer<'a> {
    pub source: &'a str,
    pub format: Format,
    /// Set when the document being edited lives inside a string of `source`.
    pub host: HostString,
}

impl<'a> Writer<'a> {
    pub fn new(source: &'a str, format: Format) -> Self {
        Writer {
            source,
            format,
            host: HostString::None,
        }
    }

    pub fn embedded(source: &'a str, host: HostString) -> Self {
        Writer {
            source,
            format: Format::Json,
            host,
        }
    }

    fn eol(&self) -> &'static str {
        LineIndex::line_ending(self.source)
    }

    /// Renders a value to stand inline (as a mapping value or a flow element).
    pub fn render(&self, value: &Generated) -> String {
        match (self.format, value) {
            (_, Generated::Bool(value)) => value.to_string(),
            (Format::Json, Generated::Str(s)) => json_string(s),
            (Format::Json, Generated::Sub(s)) => format!("{{\"Fn::Sub\": {}}}", json_string(s)),
            (Format::Yaml, Generated::Str(s)) => yaml_string(s),
            (Format::Yaml, Generated::Sub(s)) => format!("!Sub {}", json_string(s)),
            (Format::Hcl, Generated::Str(s)) => hcl_string(s),
            // A template: its `${…}` are interpolations, not text.
            (Format::Hcl, Generated::Sub(s)) => json_string(s),
            (Format::Hcl, Generated::Map(entries)) => {
                let body: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{} = {}", self.key(k), self.render(v)))
                    .collect();
                format!("{{ {} }}", body.join(", "))
            }
            (_, Generated::Map(entries)) => {
                let body: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{}: {}", self.key(k), self.render(v)))
                    .collect();
                format!("{{{}}}", body.join(", "))
            }
            (_, Generated::List(items)) => {
                let body: Vec<String> = items.iter().map(|v| self.render(v)).collect();
                format!("[{}]", body.join(", "))
            }
        }
    }

    fn key(&self, key: &str) -> String {
        match self.format {
            Format::Json => json_string(key),
            Format::Yaml => yaml_string(key),
            Format::Hcl if is_identifier(key) => key.to_string(),
            Format::Hcl => hcl_string(key),
        }
    }

    fn edit(&self, range: TextRange, content: String) -> Option<Edit> {
        Some(Edit::replace(range, self.host.encode(&content)?))
    }

    /// Replaces a node (a value, not a key) with a generated value.
    pub fn replace_node(&self, node: &Node, value: &Generated) -> Option<Edit> {
        self.edit(node.range, self.render(value))
    }

    /// Replaces a scalar's text, keeping its quoting style.
    pub fn replace_scalar_text(&self, node: &Node, text: &str) -> Option<Edit> {
        let scalar = node.as_scalar()?;
        if self.host != HostString::None {
            return self.edit(node.range, json_string(text));
        }
        let inner = TextRange::new(
            node.range.start + 1,
            node.range.end.saturating_sub(1).max(node.range.start + 1),
        );
        if self.format == Format::Hcl {
            // HCL strings escape as JSON does, and `${` / `%{` besides.
            return match scalar.style {
                ScalarStyle::JsonString => {
                    let quoted = hcl_string(text);
                    self.edit(inner, quoted[1..quoted.len() - 1].to_string())
                }
                _ => self.edit(node.range, hcl_string(text)),
            };
        }
        match scalar.style {
            ScalarStyle::Plain => self.edit(node.range, yaml_string(text)),
            ScalarStyle::DoubleQuoted | ScalarStyle::JsonString => {
                let quoted = json_string(text);
                self.edit(inner, quoted[1..quoted.len() - 1].to_string())
            }
            ScalarStyle::SingleQuoted => self.edit(inner, text.replace('\'', "''")),
            ScalarStyle::JsonLiteral => self.edit(node.range, json_string(text)),
            ScalarStyle::Literal | ScalarStyle::Folded => None,
        }
    }

    /// Inserts `key: value` as the first entry of a mapping node.
    pub fn insert_entry(&self, mapping: &Node, key: &str, value: &Generated) -> Option<Edit> {
        if self.format == Format::Hcl {
            return self.insert_attribute(mapping, key, value);
        }
        let entries = &mapping.as_mapping()?.entries;
        let key_text = self.key(key);
        let Some(first) = entries.first() else {
            // `{}`: the only flow mapping without a first key to stand before.
            let open = mapping.range.start;
            if self.source.as_bytes().get(open as usize) != Some(&b'{') {
                return None;
            }
            return self.edit(
                TextRange::empty(open + 1),
                format!("{key_text}: {}", self.render(value)),
            );
        };
        let at = first.key.range.start;
        let indent = self.indent_at(at);
        let style = mapping.as_mapping()?.style;
        // A tab in a YAML block mapping's indentation is read as the end of the plain scalar
        // before it once a new entry stands above: no edit rather than a file that does not parse.
        if self.format == Format::Yaml && style == CollectionStyle::Block && indent.contains('\t') {
            return None;
        }
        let eol = self.eol();
        let same_line = !self.source[mapping.range.start as usize..at as usize].contains('\n');
        let content = match (style, value) {
            (CollectionStyle::Block, Generated::Map(inner)) if self.format == Format::Yaml => {
                let mut text = format!("{key_text}:");
                for (k, v) in inner {
                    text.push_str(&format!(
                        "{eol}{indent}  {}: {}",
                        self.key(k),
                        self.render(v)
                    ));
                }
                format!("{text}{eol}{indent}")
            }
            (CollectionStyle::Block, _) => {
                format!("{key_text}: {}{eol}{indent}", self.render(value))
            }
            (CollectionStyle::Flow, Generated::Map(inner))
                if !same_line && self.format == Format::Json =>
            {
                let unit = self.indent_unit(mapping.range.start, &indent);
                let body: Vec<String> = inner
                    .iter()
                    .map(|(k, v)| format!("{indent}{unit}{}: {}", self.key(k), self.render(v)))
                    .collect();
                format!(
                    "{key_text}: {{{eol}{}{eol}{indent}}},{eol}{indent}",
                    body.join(&format!(",{eol}"))
                )
            }
            (CollectionStyle::Flow, _) if !same_line => {
                format!("{key_text}: {},{eol}{indent}", self.render(value))
            }
            (CollectionStyle::Flow, _) => format!("{key_text}: {}, ", self.render(value)),
        };
        self.edit(TextRange::empty(at), content)
    }

    /// Inserts `key = value` into an HCL block body, after its leading attributes, with the `=`
    /// of its group aligned as `terraform fmt` aligns them (the group is rewritten when the new
    /// key is the longest).
    fn insert_attribute(&self, body: &Node, key: &str, value: &Generated) -> Option<Edit> {
        let entries = &body.as_mapping()?.entries;
        let source = self.source;
        let eol = self.eol();
        let value = self.render(value);
        let is_attribute = |e: &super::Entry| !matches!(e.value.kind, super::NodeKind::Block(_));
        let line_start = |at: u32| source[..at as usize].rfind('\n').map_or(0, |i| i + 1);
        let line_end = |at: u32| {
            source[at as usize..]
                .find('\n')
                .map_or(source.len(), |i| at as usize + i + 1)
        };
        let leading: Vec<&super::Entry> = entries.iter().take_while(|e| is_attribute(e)).collect();
        let Some(last) = leading.last() else {
            // No attribute first: a line of its own after `{`, indented one step in.
            let open = body.range.start;
            if source.as_bytes().get(open as usize) != Some(&b'{') {
                return None;
            }
            let outer = line_indent(source, open);
            let indent = match entries.first() {
                Some(first) => self.indent_at(first.key.range.start),
                None => format!("{outer}  "),
            };
            let after = open as usize + 1;
            let rest_of_line = &source[after..line_end(open).min(source.len())];
            let text = if rest_of_line.trim().is_empty()
                || rest_of_line.trim() == "}" && entries.is_empty()
            {
                if rest_of_line.trim() == "}" {
                    format!("{eol}{indent}{key} = {value}{eol}{outer}")
                } else {
                    format!("{eol}{indent}{key} = {value}")
                }
            } else {
                return None;
            };
            return Some(Edit::insert(to_u32(after), text));
        };
        // The group: the attributes on consecutive single lines that end with the last one.
        let single_line = |e: &super::Entry| {
            !source[e.key.range.start as usize..e.value.range.end as usize].contains('\n')
        };
        let mut group: Vec<&super::Entry> = Vec::new();
        for entry in leading.iter().rev() {
            let adjacent = group.first().is_none_or(|next: &&super::Entry| {
                line_end(entry.value.range.end) == line_start(next.key.range.start)
            });
            if !single_line(entry) || !adjacent {
                break;
            }
            group.insert(0, entry);
        }
        let indent = self.indent_at(last.key.range.start);
        let width = group
            .iter()
            .map(|e| e.key.range.len() as usize)
            .max()
            .unwrap_or(0);
        let at = to_u32(line_end(last.value.range.end));
        let line = |key: &str, width: usize, value: &str| {
            format!(
                "{indent}{key}{} = {value}{eol}",
                " ".repeat(width - key.len())
            )
        };
        if key.len() <= width || group.is_empty() {
            let at = if at as usize > source.len() {
                to_u32(source.len())
            } else {
                at
            };
            let mut text = line(key, width.max(key.len()), &value);
            if at as usize == source.len() && !source.ends_with('\n') {
                text.insert_str(0, eol);
                text.truncate(text.len() - eol.len());
            }
            return Some(Edit::insert(at, text));
        }
        // The new key is the longest: every line of the group moves its `=` to match.
        let start = to_u32(line_start(group[0].key.range.start));
        let mut text = String::new();
        for entry in &group {
            let from_equals =
                &source[entry.key.range.end as usize..line_end(entry.value.range.end)];
            let rest = from_equals.trim_start_matches([' ', '\t']);
            text.push_str(&format!(
                "{indent}{}{}{} {rest}",
                entry.key.text,
                " ".repeat(key.len() - entry.key.text.len()),
                ""
            ));
        }
        text.push_str(&line(key, key.len(), &value));
        Some(Edit::replace(TextRange::new(start, at), text))
    }

    /// Inserts a nested block `name { key = value … }` last in an HCL block body, after a blank
    /// line, its attributes one step further in and aligned as `terraform fmt` aligns them. The
    /// body's closing brace must stand on a line of its own.
    pub fn insert_block(
        &self,
        body: &Node,
        name: &str,
        attributes: &[(String, Generated)],
    ) -> Option<Edit> {
        if self.format != Format::Hcl {
            return None;
        }
        let entries = &body.as_mapping()?.entries;
        let source = self.source;
        let close = to_u32(source[..body.range.end as usize].rfind('}')?);
        let line_start = to_u32(source[..close as usize].rfind('\n').map_or(0, |i| i + 1));
        let outer = indent_before(source, close)?;
        if line_start <= body.range.start {
            return None;
        }
        let indent = match entries.first() {
            Some(first) => self.indent_at(first.key.range.start),
            None => format!("{outer}  "),
        };
        let eol = self.eol();
        let width = attributes.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        let mut text = String::new();
        // A blank line between the block and what stands above it, unless there is one already.
        let above = source[..line_start as usize].trim_end_matches(['\n', '\r']);
        let blank_above = source[above.len()..line_start as usize]
            .matches('\n')
            .count()
            > 1;
        if !entries.is_empty() && !blank_above {
            text.push_str(eol);
        }
        text.push_str(&format!("{indent}{name} {{{eol}"));
        for (key, value) in attributes {
            text.push_str(&format!(
                "{indent}  {key}{} = {}{eol}",
                " ".repeat(width - key.len()),
                self.render(value)
            ));
        }
        text.push_str(&format!("{indent}}}{eol}"));
        Some(Edit::insert(line_start, text))
    }

    /// Removes one element of a sequence, with its separator or its line.
    pub fn remove_item(&self, list: &Node, index: usize) -> Option<Edit> {
        let sequence = list.as_sequence()?;
        let item = sequence.items.get(index)?;
        let ranges: Vec<TextRange> = sequence.items.iter().map(|i| i.range).collect();
        self.remove_element(sequence.style, &ranges, index, item.range)
    }

    /// Removes one entry of a mapping, with its separator or its lines.
    pub fn remove_entry(&self, mapping: &Node, key: &str) -> Option<Edit> {
        let map = mapping.as_mapping()?;
        let index = map.entries.iter().rposition(|e| e.key.text == key)?;
        self.remove_entry_at(mapping, index)
    }

    /// Removes the entry at `index` of a mapping (an HCL body may repeat a block's key).
    pub fn remove_entry_at(&self, mapping: &Node, index: usize) -> Option<Edit> {
        let map = mapping.as_mapping()?;
        let ranges: Vec<TextRange> = map
            .entries
            .iter()
            .map(|e| TextRange::new(e.key.range.start, e.value.range.end.max(e.key.range.end)))
            .collect();
        self.remove_element(map.style, &ranges, index, ranges[index])
    }

    fn remove_element(
        &self,
        style: CollectionStyle,
        ranges: &[TextRange],
        index: usize,
        range: TextRange,
    ) -> Option<Edit> {
        if self.host != HostString::None || style == CollectionStyle::Flow {
            if ranges.len() == 1 {
                return Some(Edit::delete(range));
            }
            // Take the separator that follows, or for the last element the one before it.
            let range = if index + 1 < ranges.len() {
                TextRange::new(range.start, ranges[index + 1].start)
            } else {
                TextRange::new(ranges[index - 1].end, range.end)
            };
            return Some(Edit::delete(range));
        }
        // Block style: whole lines, from the line of the element (with its `- `) to the next one.
        // Only the lines around the element are looked at: a fix per finding must not cost a pass
        // over the whole file, or large templates take quadratic time.
        let line_start = self.source[..range.start as usize]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let prefix = &self.source[line_start..range.start as usize];
        if !prefix
            .trim_start()
            .trim_start_matches('-')
            .trim()
            .is_empty()
        {
            return None;
        }
        let mut last = range.end.saturating_sub(1).max(range.start) as usize;
        while !self.source.is_char_boundary(last) {
            last -= 1;
        }
        let end = self.source[last..]
            .find('\n')
            .map_or(self.source.len(), |i| last + i + 1);
        let mut line_start = line_start;
        // An HCL block that was last in its body takes the blank line above it along.
        if self.format == Format::Hcl && self.source[end..].trim_start().starts_with('}') {
            let above = self.source[..line_start.saturating_sub(1)]
                .rfind('\n')
                .map_or(0, |i| i + 1);
            if line_start > 0 && self.source[above..line_start].trim().is_empty() {
                line_start = above;
            }
        }
        Some(Edit::delete(TextRange::from_usize(line_start, end)))
    }

    /// Inserts `key: value` first in `mapping`. A YAML block mapping gets block style all the way
    /// down (lists as `- ` items); everything else is written by the shared edit builders.
    pub fn insert_block_entry(
        &self,
        mapping: &Node,
        parent_key: TextRange,
        key: &str,
        value: &Generated,
    ) -> Option<Edit> {
        let entries = &mapping.as_mapping()?.entries;
        let block = self.format == Format::Yaml
            && mapping.as_mapping()?.style == CollectionStyle::Block
            && !entries.is_empty();
        if !block {
            return self.insert_entry(mapping, key, value);
        }
        let at = entries[0].key.range.start;
        let source = self.source;
        let indent = indent_before(source, at)?;
        let parent_indent = line_indent(source, parent_key.start);
        let unit = match indent.strip_prefix(parent_indent.as_str()) {
            Some(step) if !step.is_empty() => step.to_string(),
            _ => "  ".to_string(),
        };
        let eol = LineIndex::line_ending(source);
        let mut text = String::new();
        self.block_entry(key, value, &indent, &unit, eol, &mut text);
        text.push_str(eol);
        text.push_str(&indent);
        Some(Edit::insert(at, text))
    }

    /// `key: value` in YAML block style, nested values one `unit` deeper.
    fn block_entry(
        &self,
        key: &str,
        value: &Generated,
        indent: &str,
        unit: &str,
        eol: &str,
        out: &mut String,
    ) {
        out.push_str(key);
        out.push(':');
        match value {
            Generated::Map(entries) => {
                for (k, v) in entries {
                    out.push_str(eol);
                    out.push_str(indent);
                    out.push_str(unit);
                    self.block_entry(k, v, &format!("{indent}{unit}"), unit, eol, out);
                }
            }
            Generated::List(items) => {
                for item in items {
                    out.push_str(eol);
                    out.push_str(indent);
                    out.push_str(unit);
                    out.push_str("- ");
                    match item {
                        Generated::Map(entries) => {
                            let inner = format!("{indent}{unit}  ");
                            for (i, (k, v)) in entries.iter().enumerate() {
                                if i > 0 {
                                    out.push_str(eol);
                                    out.push_str(&inner);
                                }
                                self.block_entry(k, v, &inner, unit, eol, out);
                            }
                        }
                        other => out.push_str(&self.render(other)),
                    }
                }
            }
            other => {
                out.push(' ');
                out.push_str(&self.render(other));
            }
        }
    }

    /// Puts `item` first in a list, in the list's own style.
    pub fn prepend_item(&self, list: &Node, item: &Generated) -> Option<Edit> {
        let sequence = list.as_sequence()?;
        let source = self.source;
        let eol = LineIndex::line_ending(source);
        let Some(first) = sequence.items.first() else {
            // `[]`: the only list without a first item to stand before.
            let open = list.range.start;
            return (source.as_bytes().get(open as usize) == Some(&b'['))
                .then(|| Edit::insert(open + 1, self.render(item)));
        };
        let at = first.range.start;
        if sequence.style == CollectionStyle::Flow {
            let same_line = !source[list.range.start as usize..at as usize].contains('\n');
            let content = if same_line {
                format!("{}, ", self.render(item))
            } else {
                format!("{},{eol}{}", self.render(item), indent_before(source, at)?)
            };
            return Some(Edit::insert(at, content));
        }
        // Block: the new item goes before the first one's `- `.
        let dash = source[..at as usize].trim_end_matches([' ', '\t']);
        if !dash.ends_with('-') {
            return None;
        }
        let dash = to_u32(dash.len() - 1);
        let indent = indent_before(source, dash)?;
        let mut text = "- ".to_string();
        match item {
            Generated::Map(entries) => {
                let inner = format!("{indent}  ");
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        text.push_str(eol);
                        text.push_str(&inner);
                    }
                    self.block_entry(k, v, &inner, "  ", eol, &mut text);
                }
            }
            other => text.push_str(&self.render(other)),
        }
        text.push_str(eol);
        text.push_str(&indent);
        Some(Edit::insert(dash, text))
    }

    /// The whitespace that puts a new line at the same column as `at`.
    fn indent_at(&self, at: u32) -> String {
        let line_start = self.source[..at as usize].rfind('\n').map_or(0, |i| i + 1);
        let prefix = &self.source[line_start..at as usize];
        if prefix.chars().all(|c| c == ' ' || c == '\t') {
            prefix.to_string()
        } else {
            " ".repeat(prefix.chars().count())
        }
    }

    /// One level of indentation: the step from the line holding `open` to `indent`.
    fn indent_unit(&self, open: u32, indent: &str) -> String {
        let line_start = self.source[..open as usize]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let outer: String = self.source[line_start..]
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        match indent.strip_prefix(outer.as_str()) {
            Some(step) if !step.is_empty() => step.to_string(),
            _ => "  ".to_string(),
        }
    }
}

pub fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    escape_json_into(text, &mut out);
    out.push('"');
    out
}

/// An HCL quoted string: JSON's escapes, and `$${` / `%%{` so that no template starts.
pub fn hcl_string(text: &str) -> String {
    json_string(text).replace("${", "$${").replace("%{", "%%{")
}

/// Whether `text` can stand as an HCL identifier (an object key, an attribute name).
pub fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// Backslash escapes as JSON strings (and YAML double-quoted scalars) take them.
pub(super) fn escape_json_into(text: &str, out: &mut String) {
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
}

/// A YAML scalar for `text`: plain when that reads back as the same string, else double-quoted.
pub fn yaml_string(text: &str) -> String {
    let plain_safe = !text.is_empty()
        && text.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | ':' | '$' | '{' | '}')
        })
        && text.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && !text.contains(": ")
        && !text.ends_with(':')
        && !text.contains('{')
        && !matches!(
            text.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
        );
    if plain_safe {
        text.to_string()
    } else {
        json_string(text)
    }
}

/// The whitespace before `at` on its line, when nothing else stands there.
fn indent_before(source: &str, at: u32) -> Option<String> {
    let line_start = source[..at as usize].rfind('\n').map_or(0, |i| i + 1);
    let prefix = &source[line_start..at as usize];
    prefix
        .chars()
        .all(|c| c == ' ' || c == '\t')
        .then(|| prefix.to_string())
}

/// The leading whitespace of the line holding `at`.
fn line_indent(source: &str, at: u32) -> String {
    let line_start = source[..at as usize].rfind('\n').map_or(0, |i| i + 1);
    source[line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect()
}
