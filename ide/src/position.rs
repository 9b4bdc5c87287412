//! LSP positions (in the negotiated encoding) and the byte offsets core speaks, both ways; what a
//! document's URI and language say about its format and file.

use std::path::PathBuf;

use ecrlint_core::{Encoding, LineIndex, TextRange};
use ls_types::{Position, PositionEncodingKind, Range, Uri};

/// The encoding the client offers that suits us best: UTF-8 (no conversion at all) when offered,
/// else UTF-16, which every client must support.
pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
    let offered = offered.unwrap_or_default();
    if offered.contains(&PositionEncodingKind::UTF8) {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    }
}

pub fn encoding_kind(encoding: Encoding) -> PositionEncodingKind {
    match encoding {
        Encoding::Utf8 => PositionEncodingKind::UTF8,
        Encoding::Utf16 => PositionEncodingKind::UTF16,
        Encoding::Chars => PositionEncodingKind::UTF32,
    }
}

/// The byte offset of an LSP position. A line past the end is the end of the text; a column
/// past the end of its line is the end of the line (before `\r\n`), as the specification asks.
/// Lines end at `\n`, `\r\n` or a lone `\r`, as the specification says (and `LineIndex` counts).
///
/// Walks to the line with `str::find` instead of indexing every line: an edit in a large
/// document costs a scan up to the edit, not a new line index.
pub fn offset_at(text: &str, position: Position, encoding: Encoding) -> usize {
    let bytes = text.as_bytes();
    let line_break = |from: usize| text[from..].find(['\n', '\r']).map(|i| from + i);
    let mut line_start = 0;
    for _ in 0..position.line {
        match line_break(line_start) {
            Some(i) if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') => line_start = i + 2,
            Some(i) => line_start = i + 1,
            None => return text.len(),
        }
    }
    let line_end = line_break(line_start).unwrap_or(text.len());
    let line = &text[line_start..line_end];
    let column = position.character as usize;
    if encoding == Encoding::Utf8 || line.is_ascii() {
        let mut at = column.min(line.len());
        while !line.is_char_boundary(at) {
            at -= 1;
        }
        return line_start + at;
    }
    let mut units = 0;
    for (i, ch) in line.char_indices() {
        if units >= column {
            return line_start + i;
        }
        units += match encoding {
            Encoding::Utf16 => ch.len_utf16(),
            _ => 1,
        };
    }
    line_end
}

/// Converts byte ranges of one text to LSP ranges.
pub struct Positions<'a> {
    pub text: &'a str,
    pub index: LineIndex,
    pub encoding: Encoding,
}

impl<'a> Positions<'a> {
    pub fn new(text: &'a str, encoding: Encoding) -> Self {
        Positions {
            text,
            index: LineIndex::new(text),
            encoding,
        }
    }

    pub fn position(&self, offset: u32) -> Position {
        let at = self.index.line_col(offset, self.text, self.encoding);
        Position::new(at.line, at.col)
    }

    pub fn range(&self, range: TextRange) -> Range {
        Range::new(self.position(range.start), self.position(range.end))
    }
}

/// A hint for the format from the document's name or language: core decides the kind of input
/// from the content, but `.json`, `.yaml` and `.tf` settle the syntax.
pub fn path_hint(uri: &Uri, language_id: &str) -> Option<String> {
    if let Some(path) = file_path(uri) {
        return Some(path.to_string_lossy().into_owned());
    }
    match language_id {
        "json" | "jsonc" => Some("untitled.json".into()),
        "yaml" => Some("untitled.yaml".into()),
        "terraform" | "terraform-vars" | "hcl" => Some("untitled.tf".into()),
        _ => None,
    }
}

/// The file behind a `file:` URI.
pub fn file_path(uri: &Uri) -> Option<PathBuf> {
    let is_file = uri.scheme().as_str().eq_ignore_ascii_case("file");
    is_file
        .then(|| uri.to_file_path().map(|p| p.into_owned()))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_in_each_encoding() {
        let text = "a: é🚀x\r\nb: 中文\n";
        let x = text.find('x').unwrap();
        assert_eq!(offset_at(text, Position::new(0, 6), Encoding::Utf16), x);
        assert_eq!(offset_at(text, Position::new(0, 9), Encoding::Utf8), x);
        assert_eq!(offset_at(text, Position::new(0, 5), Encoding::Chars), x);
        // Past the end of a line: the end of its content, before the CRLF.
        assert_eq!(
            offset_at(text, Position::new(0, 99), Encoding::Utf16),
            x + 1
        );
        // Inside a character: after 🚀 for half its surrogate pair, before é for half its bytes.
        assert_eq!(offset_at(text, Position::new(0, 5), Encoding::Utf16), x);
        assert_eq!(offset_at(text, Position::new(0, 4), Encoding::Utf8), 3);
        let cjk = text.find('文').unwrap();
        assert_eq!(offset_at(text, Position::new(1, 4), Encoding::Utf16), cjk);
        assert_eq!(
            offset_at(text, Position::new(9, 0), Encoding::Utf16),
            text.len()
        );
    }

    #[test]
    fn a_lone_carriage_return_ends_a_line() {
        let text = "a: 1\rb: é\r\nc: 3\n\rd";
        let at = |line, character| offset_at(text, Position::new(line, character), Encoding::Utf16);
        assert_eq!(at(1, 0), text.find('b').unwrap());
        assert_eq!(at(1, 99), text.find("\r\n").unwrap());
        assert_eq!(at(2, 0), text.find('c').unwrap());
        assert_eq!(at(3, 5), text.find("\rd").unwrap());
        assert_eq!(at(4, 0), text.find('d').unwrap());
        // The same lines as core's LineIndex gives the findings' positions in.
        let positions = Positions::new(text, Encoding::Utf16);
        for offset in [
            text.find('b').unwrap(),
            text.find('c').unwrap(),
            text.find('d').unwrap(),
        ] {
            let position = positions.position(offset as u32);
            assert_eq!(offset_at(text, position, Encoding::Utf16), offset);
        }
    }

    #[test]
    fn utf8_is_chosen_when_offered() {
        assert_eq!(negotiate(None), Encoding::Utf16);
        assert_eq!(
            negotiate(Some(&[
                PositionEncodingKind::UTF32,
                PositionEncodingKind::UTF16
            ])),
            Encoding::Utf16
        );
        assert_eq!(
            negotiate(Some(&[
                PositionEncodingKind::UTF16,
                PositionEncodingKind::UTF8
            ])),
            Encoding::Utf8
        );
    }
}
