//! Policies that live inside a string: `RepositoryPolicyText` given as JSON text, the
//! `policyText` of `aws ecr get-repository-policy`. The string is decoded, parsed as JSON, and
//! every range is mapped back through the escapes to the outer source, so findings point at the
//! right characters and fixes can be written back with the host string's own escaping.

use super::json::{parse_ast, strict, to_error, Convert};
use super::{DuplicateKey, Node, ScalarStyle, SyntaxError};
use crate::text::{to_u32, TextRange};
use jsonc_parser::ParseOptions;

/// How text must be written to stand inside the host string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostString {
    /// The document itself, no string around it.
    None,
    /// A JSON string or a YAML double-quoted scalar: backslash escapes.
    DoubleQuoted,
    /// A YAML single-quoted scalar: `'` doubled.
    SingleQuoted,
    /// A YAML block scalar or plain scalar: text as it is, on one line.
    Verbatim,
}

impl HostString {
    /// Writes `text` so that, inside the host string, it decodes to `text`.
    pub fn encode(self, text: &str) -> Option<String> {
        match self {
            HostString::None => Some(text.to_string()),
            HostString::DoubleQuoted => {
                let mut out = String::with_capacity(text.len() + 8);
                super::write::escape_json_into(text, &mut out);
                Some(out)
            }
            HostString::SingleQuoted => (!text.contains('\n')).then(|| text.replace('\'', "''")),
            HostString::Verbatim => (!text.contains('\n')).then(|| text.to_string()),
        }
    }
}

/// A JSON document parsed out of a string scalar.
#[derive(Clone, Debug)]
pub struct Embedded {
    pub root: Option<Node>,
    pub errors: Vec<SyntaxError>,
    pub duplicate_keys: Vec<DuplicateKey>,
    pub host: HostString,
}

/// Parses the JSON held by a string scalar of `source`; `None` when `node` is not a string.
/// `subject` names the text in a syntax error: "the {subject} text is not valid JSON".
pub fn parse_embedded_json(source: &str, node: &Node, subject: &str) -> Option<Embedded> {
    let scalar = node.as_scalar()?;
    let range = node.range;
    let (inner, host) = match scalar.style {
        ScalarStyle::JsonString | ScalarStyle::DoubleQuoted => {
            (shrink(range), HostString::DoubleQuoted)
        }
        ScalarStyle::SingleQuoted => (shrink(range), HostString::SingleQuoted),
        ScalarStyle::Literal | ScalarStyle::Folded | ScalarStyle::Plain => {
            (range, HostString::Verbatim)
        }
        ScalarStyle::JsonLiteral => return None,
    };
    let decoded = scalar.text.as_str();
    let map = SourceMap::align(decoded, source, inner, scalar.style);
    let mut embedded = Embedded {
        root: None,
        errors: Vec::new(),
        duplicate_keys: Vec::new(),
        host,
    };
    let tree = match parse_ast(decoded, &strict()) {
        Ok(tree) => Some(tree),
        Err(error) => {
            let mut error = to_error(&error, 0);
            error.range = map.range(error.range.start as usize, error.range.end as usize);
            error.message = format!("the {subject} text is not valid JSON: {}", error.message);
            embedded.errors.push(error);
            parse_ast(decoded, &ParseOptions::default()).ok()
        }
    };
    if let Some(value) = tree.and_then(|t| t.value) {
        let map_range = |start: usize, end: usize| map.range(start, end);
        let mut convert = Convert {
            map: &map_range,
            duplicates: &mut embedded.duplicate_keys,
            too_deep: None,
        };
        let root = convert.node(&value, 0);
        match convert.too_deep {
            Some(at) => embedded.errors.push(SyntaxError {
                message: format!("nesting is deeper than {} levels", super::MAX_DEPTH),
                range: at,
            }),
            None => embedded.root = Some(root),
        }
    }
    Some(embedded)
}

fn shrink(range: TextRange) -> TextRange {
    if range.len() >= 2 {
        TextRange::new(range.start + 1, range.end - 1)
    } else {
        range
    }
}

/// Source characters that may stand between two decoded ones (indentation, a folded line break).
const MAX_SKIP: usize = 256;

/// For each byte of the decoded string, the source bytes it came from.
struct SourceMap {
    starts: Vec<u32>,
    ends: Vec<u32>,
    fallback: u32,
}

impl SourceMap {
    /// Walks the decoded string and its source side by side. A backslash escape maps to the whole
    /// escape; source characters with no decoded counterpart (indentation, folded line breaks,
    /// the second `'` of `''`) are stepped over.
    fn align(decoded: &str, source: &str, region: TextRange, style: ScalarStyle) -> SourceMap {
        let src = &source[region.as_usize()];
        let escapes = matches!(style, ScalarStyle::JsonString | ScalarStyle::DoubleQuoted);
        let base = region.start;
        let mut starts = Vec::with_capacity(decoded.len());
        let mut ends = Vec::with_capacity(decoded.len());
        let folds = style != ScalarStyle::JsonString && style != ScalarStyle::Literal;
        let mut s = 0usize;
        for dc in decoded.chars() {
            let at = s;
            let (from, to) = loop {
                let Some(sc) = src[s..].chars().next() else {
                    break (src.len(), src.len());
                };
                // YAML folds a line break (and the next line's indentation) into one space.
                if folds && dc == ' ' && matches!(sc, '\n' | '\r') {
                    let rest = &src[s..];
                    let len = rest.len() - rest.trim_start_matches(['\r', '\n', ' ', '\t']).len();
                    s += len;
                    break (s - len, s);
                }
                // Nothing in reach matches: the character has no place of its own; keep going from
                // here rather than lose every position after it.
                if s - at > MAX_SKIP {
                    s = at;
                    break (at, at);
                }
                if escapes && sc == '\\' {
                    let len = escape_len(&src[s..]);
                    let next = src[s + 1..].chars().next();
                    s += len;
                    if matches!(next, Some('\n' | '\r')) {
                        continue; // an escaped line break decodes to nothing
                    }
                    break (s - len, s);
                }
                if sc == dc {
                    let len = if style == ScalarStyle::SingleQuoted
                        && sc == '\''
                        && src[s + 1..].starts_with('\'')
                    {
                        2
                    } else {
                        sc.len_utf8()
                    };
                    s += len;
                    break (s - len, s);
                }
                s += sc.len_utf8();
            };
            for _ in 0..dc.len_utf8() {
                starts.push(base + to_u32(from));
                ends.push(base + to_u32(to));
            }
        }
        SourceMap {
            starts,
            ends,
            fallback: region.end,
        }
    }

    fn range(&self, start: usize, end: usize) -> TextRange {
        let from = self.starts.get(start).copied().unwrap_or(self.fallback);
        let to = if end > start {
            self.ends.get(end - 1).copied().unwrap_or(self.fallback)
        } else {
            from
        };
        TextRange::new(from.min(to), to.max(from))
    }
}

/// Length in bytes of the escape sequence at the start of `text` (which starts with `\`).
fn escape_len(text: &str) -> usize {
    let bytes = text.as_bytes();
    let hex = |n: usize| {
        1 + 1
            + bytes[2..]
                .iter()
                .take(n)
                .take_while(|b| b.is_ascii_hexdigit())
                .count()
    };
    match bytes.get(1) {
        None => 1,
        Some(b'u') => {
            let len = hex(4);
            // A surrogate pair is two escapes for one character.
            if len == 6
                && text[6..].starts_with("\\u")
                && (0xD8..0xDC).contains(&u8::from_str_radix(&text[2..4], 16).unwrap_or(0))
            {
                len + 6
            } else {
                len
            }
        }
        Some(b'x') => hex(2),
        Some(b'U') => hex(8),
        Some(b'\r') if bytes.get(2) == Some(&b'\n') => 3,
        Some(_) => 1 + text[1..].chars().next().map_or(0, char::len_utf8),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{parse, Format};

    #[test]
    fn ranges_map_back_through_escapes() {
        let source = r#"{"policyText": "{\"Statement\": [{\"Principal\": \"*\"}]}"}"#;
        let doc = parse(source, Format::Json);
        let text = doc.root.as_ref().unwrap().get("policyText").unwrap();
        let embedded = parse_embedded_json(source, text, "policy").unwrap();
        let principal = embedded
            .root
            .as_ref()
            .unwrap()
            .get("Statement")
            .unwrap()
            .as_sequence()
            .unwrap()
            .items[0]
            .get("Principal")
            .unwrap();
        assert_eq!(&source[principal.range.as_usize()], r#"\"*\""#);
        assert_eq!(
            embedded.host.encode(r#"{"AWS":"x"}"#).unwrap(),
            r#"{\"AWS\":\"x\"}"#
        );
    }

    #[test]
    fn ranges_map_back_through_a_block_scalar() {
        let source = "P: |\n  {\n    \"Principal\": \"*\"\n  }\n";
        let doc = parse(source, Format::Yaml);
        let text = doc.root.as_ref().unwrap().get("P").unwrap();
        let embedded = parse_embedded_json(source, text, "policy").unwrap();
        let principal = embedded.root.as_ref().unwrap().get("Principal").unwrap();
        assert_eq!(&source[principal.range.as_usize()], "\"*\"");
    }
}
