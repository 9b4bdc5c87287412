//! Writing a generated document as block YAML (CloudFormation short tags) or pretty JSON, noting
//! the lines each marked part lands on, so findings can be matched to the part they are about.

/// A document to write. The generator builds these; the writer decides the spelling.
#[derive(Clone, Debug)]
pub enum Doc {
    Str(String, Quote),
    /// A boolean or a number, written as it is in both formats.
    Lit(String),
    Map(Vec<(String, Doc)>),
    List(Vec<Doc>),
    /// An intrinsic function: `Ref`, `Fn::If`, `Fn::Equals`, `Fn::Sub`.
    Fn(&'static str, Box<Doc>),
    /// A document written as a JSON string (a policy in `RepositoryPolicyText: |`).
    JsonText(Box<Doc>),
    /// A part whose lines are noted under this index.
    Mark(usize, Box<Doc>),
}

/// How a YAML scalar is quoted (JSON always uses double quotes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quote {
    /// Plain when the text allows it, double quotes otherwise.
    Auto,
    Double,
    Single,
}

pub fn s(text: &str) -> Doc {
    Doc::Str(text.to_string(), Quote::Auto)
}

pub fn lit(text: &str) -> Doc {
    Doc::Lit(text.to_string())
}

pub fn quoted(text: &str, quote: Quote) -> Doc {
    Doc::Str(text.to_string(), quote)
}

pub fn map(entries: Vec<(&str, Doc)>) -> Doc {
    Doc::Map(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

pub fn list(items: Vec<Doc>) -> Doc {
    Doc::List(items)
}

pub fn reference(name: &str) -> Doc {
    Doc::Fn("Ref", Box::new(s(name)))
}

pub fn if_(condition: &str, then: Doc, otherwise: Doc) -> Doc {
    Doc::Fn(
        "Fn::If",
        Box::new(list(vec![s(condition), then, otherwise])),
    )
}

pub fn mark(index: usize, doc: Doc) -> Doc {
    Doc::Mark(index, Box::new(doc))
}

/// A written document and the 1-based, inclusive line ranges of its marked parts.
pub struct Written {
    pub text: String,
    pub marks: Vec<(usize, u32, u32)>,
}

struct Writer {
    out: String,
    /// The 1-based line the next character goes on.
    line: u32,
    marks: Vec<(usize, u32, u32)>,
}

impl Writer {
    fn new() -> Self {
        Writer {
            out: String::new(),
            line: 1,
            marks: Vec::new(),
        }
    }

    fn push(&mut self, text: &str) {
        self.line += text.bytes().filter(|b| *b == b'\n').count() as u32;
        self.out.push_str(text);
    }

    fn indent(&mut self, n: usize) {
        for _ in 0..n {
            self.out.push(' ');
        }
    }

    /// Notes the lines from `start` to the last line written.
    fn close_mark(&mut self, index: usize, start: u32) {
        let end = if self.out.ends_with('\n') {
            self.line - 1
        } else {
            self.line
        };
        self.marks.push((index, start, end));
    }

    fn finish(self) -> Written {
        let mut marks = self.marks;
        marks.sort();
        Written {
            text: self.out,
            marks,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// YAML

pub fn yaml(doc: &Doc) -> Written {
    let mut w = Writer::new();
    match doc {
        Doc::Map(entries) => yaml_entries(&mut w, entries, 0),
        other => {
            let text = flow(other).expect("a YAML document is a mapping or a scalar");
            w.push(&text);
            w.push("\n");
        }
    }
    w.finish()
}

fn unmark(doc: &Doc) -> (Option<usize>, &Doc) {
    match doc {
        Doc::Mark(index, inner) => (Some(*index), inner),
        other => (None, other),
    }
}

fn yaml_entries(w: &mut Writer, entries: &[(String, Doc)], indent: usize) {
    for (key, value) in entries {
        let (mark, value) = unmark(value);
        let start = w.line;
        w.indent(indent);
        w.push(&yaml_key(key));
        w.push(":");
        yaml_value_after_key(w, value, indent);
        if let Some(index) = mark {
            w.close_mark(index, start);
        }
    }
}

/// Writes a value that follows `key:` (the colon is written), ending with a newline.
fn yaml_value_after_key(w: &mut Writer, value: &Doc, indent: usize) {
    if let Some(text) = flow(value) {
        w.push(" ");
        w.push(&text);
        w.push("\n");
        return;
    }
    match value {
        Doc::Map(entries) => {
            w.push("\n");
            yaml_entries(w, entries, indent + 2);
        }
        Doc::List(items) => {
            w.push("\n");
            yaml_items(w, items, indent + 2);
        }
        Doc::Fn(name, arg) => {
            // Long form: the argument holds block structure.
            w.push("\n");
            w.indent(indent + 2);
            w.push(name);
            w.push(":");
            yaml_value_after_key(w, arg, indent + 2);
        }
        Doc::JsonText(inner) => {
            w.push(" |\n");
            let text = json(inner).text;
            for line in text.lines() {
                w.indent(indent + 2);
                w.push(line);
                w.push("\n");
            }
        }
        Doc::Str(..) | Doc::Lit(..) | Doc::Mark(..) => {
            unreachable!("scalars are flow and marks are unwrapped")
        }
    }
}

fn yaml_items(w: &mut Writer, items: &[Doc], indent: usize) {
    for item in items {
        let (mark, item) = unmark(item);
        let start = w.line;
        w.indent(indent);
        w.push("-");
        match item {
            Doc::Map(entries) if !entries.is_empty() => {
                // The first entry shares the dash's line; the others line up under it.
                let (first_key, first_value) = &entries[0];
                w.push(" ");
                w.push(&yaml_key(first_key));
                w.push(":");
                let (first_mark, first_value) = unmark(first_value);
                debug_assert!(first_mark.is_none(), "marks on first entries of items");
                yaml_value_after_key(w, first_value, indent + 2);
                yaml_entries(w, &entries[1..], indent + 2);
            }
            other => {
                let text = flow(other).expect("list items are mappings or flow values");
                w.push(" ");
                w.push(&text);
                w.push("\n");
            }
        }
        if let Some(index) = mark {
            w.close_mark(index, start);
        }
    }
}

/// The short tag of an intrinsic function.
fn short_tag(name: &str) -> String {
    format!("!{}", name.strip_prefix("Fn::").unwrap_or(name))
}

/// The one-line spelling of a value, when it has one: scalars, `!Ref X`, `!If [a, b, c]`.
fn flow(doc: &Doc) -> Option<String> {
    match doc {
        Doc::Str(text, quote) => Some(yaml_scalar(text, *quote)),
        Doc::Lit(text) => Some(text.clone()),
        Doc::Fn(name, arg) => match arg.as_ref() {
            Doc::Str(..) => Some(format!("{} {}", short_tag(name), flow(arg)?)),
            Doc::List(items) => {
                let parts: Option<Vec<String>> = items.iter().map(flow).collect();
                Some(format!("{} [{}]", short_tag(name), parts?.join(", ")))
            }
            _ => None,
        },
        Doc::Map(entries) if entries.is_empty() => Some("{}".into()),
        Doc::List(items) if items.is_empty() => Some("[]".into()),
        _ => None,
    }
}

fn plain_is_safe(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    // A leading digit could read as a number or (YAML 1.1) a date.
    first.is_ascii_alphabetic()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:".contains(c))
        && !text.contains("::")
        && !text.ends_with(':')
        && !matches!(
            text.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
        )
        && text.parse::<f64>().is_err()
}

fn yaml_scalar(text: &str, quote: Quote) -> String {
    match quote {
        Quote::Auto if plain_is_safe(text) => text.to_string(),
        Quote::Single => format!("'{}'", text.replace('\'', "''")),
        Quote::Auto | Quote::Double => json_string(text),
    }
}

fn yaml_key(key: &str) -> String {
    if plain_is_safe(key) {
        key.to_string()
    } else {
        json_string(key)
    }
}

// ---------------------------------------------------------------------------------------------
// JSON

pub fn json(doc: &Doc) -> Written {
    let mut w = Writer::new();
    json_value(&mut w, doc, 0);
    w.push("\n");
    w.finish()
}

fn json_value(w: &mut Writer, doc: &Doc, indent: usize) {
    match doc {
        Doc::Str(text, _) => w.push(&json_string(text)),
        Doc::Lit(text) => w.push(text),
        Doc::Map(entries) => {
            if entries.is_empty() {
                w.push("{}");
                return;
            }
            w.push("{\n");
            for (i, (key, value)) in entries.iter().enumerate() {
                let (mark, value) = unmark(value);
                let start = w.line;
                w.indent(indent + 2);
                w.push(&json_string(key));
                w.push(": ");
                json_value(w, value, indent + 2);
                if i + 1 < entries.len() {
                    w.push(",");
                }
                if let Some(index) = mark {
                    w.close_mark(index, start);
                }
                w.push("\n");
            }
            w.indent(indent);
            w.push("}");
        }
        Doc::List(items) => {
            if items.is_empty() {
                w.push("[]");
                return;
            }
            if items
                .iter()
                .all(|i| matches!(i, Doc::Str(..) | Doc::Lit(..)))
            {
                let parts: Vec<String> = items.iter().map(compact_json).collect();
                w.push(&format!("[{}]", parts.join(", ")));
                return;
            }
            w.push("[\n");
            for (i, item) in items.iter().enumerate() {
                let (mark, item) = unmark(item);
                let start = w.line;
                w.indent(indent + 2);
                json_value(w, item, indent + 2);
                if i + 1 < items.len() {
                    w.push(",");
                }
                if let Some(index) = mark {
                    w.close_mark(index, start);
                }
                w.push("\n");
            }
            w.indent(indent);
            w.push("]");
        }
        Doc::Fn(name, arg) => json_value(
            w,
            &Doc::Map(vec![(name.to_string(), (**arg).clone())]),
            indent,
        ),
        Doc::JsonText(inner) => w.push(&json_string(&compact_json(inner))),
        Doc::Mark(index, inner) => {
            let start = w.line;
            json_value(w, inner, indent);
            w.close_mark(*index, start);
        }
    }
}

/// One-line JSON, as a policy is often pasted into a string.
fn compact_json(doc: &Doc) -> String {
    match doc {
        Doc::Str(text, _) => json_string(text),
        Doc::Lit(text) => text.clone(),
        Doc::Map(entries) => {
            let parts: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{}: {}", json_string(k), compact_json(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        Doc::List(items) => {
            let parts: Vec<String> = items.iter().map(compact_json).collect();
            format!("[{}]", parts.join(", "))
        }
        Doc::Fn(name, arg) => compact_json(&Doc::Map(vec![(name.to_string(), (**arg).clone())])),
        Doc::JsonText(inner) => json_string(&compact_json(inner)),
        Doc::Mark(_, inner) => compact_json(inner),
    }
}

pub fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Doc {
        map(vec![
            ("Version", s("2012-10-17")),
            (
                "Statement",
                list(vec![mark(
                    0,
                    map(vec![
                        ("Effect", s("Allow")),
                        ("Principal", quoted("*", Quote::Single)),
                        ("Action", list(vec![s("ecr:BatchGetImage")])),
                    ]),
                )]),
            ),
            ("Tag", mark(1, if_("IsProd", s("MUTABLE"), s("IMMUTABLE")))),
        ])
    }

    #[test]
    fn yaml_spelling_and_marked_lines() {
        let written = yaml(&sample());
        assert_eq!(
            written.text,
            "Version: \"2012-10-17\"\nStatement:\n  - Effect: Allow\n    Principal: '*'\n    Action:\n      - ecr:BatchGetImage\nTag: !If [IsProd, MUTABLE, IMMUTABLE]\n"
        );
        assert_eq!(written.marks, vec![(0, 3, 6), (1, 7, 7)]);
    }

    #[test]
    fn json_spelling_and_marked_lines() {
        let written = json(&sample());
        assert_eq!(
            written.text,
            "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Principal\": \"*\",\n      \"Action\": [\"ecr:BatchGetImage\"]\n    }\n  ],\n  \"Tag\": {\n    \"Fn::If\": [\"IsProd\", \"MUTABLE\", \"IMMUTABLE\"]\n  }\n}\n"
        );
        assert_eq!(written.marks, vec![(0, 4, 8), (1, 10, 12)]);
    }

    #[test]
    fn policy_as_json_text() {
        let doc = map(vec![(
            "RepositoryPolicyText",
            Doc::JsonText(Box::new(map(vec![("Principal", s("*"))]))),
        )]);
        assert_eq!(
            yaml(&doc).text,
            "RepositoryPolicyText: |\n  {\n    \"Principal\": \"*\"\n  }\n"
        );
        assert_eq!(
            json(&doc).text,
            "{\n  \"RepositoryPolicyText\": \"{\\\"Principal\\\": \\\"*\\\"}\"\n}\n"
        );
    }
}
