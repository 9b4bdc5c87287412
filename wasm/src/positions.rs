//! Byte offsets from core turned into what JavaScript counts: UTF-16 code unit offsets (the index
//! into a JS string, CodeMirror's and Monaco's positions) and 1-based lines and columns.

use ecrlint_core::{Encoding, LineIndex};
use serde::Serialize;
use tsify::Tsify;

/// A half-open range `[start, end)` in UTF-16 code units: `text.slice(start, end)` is the span.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Tsify)]
pub struct Range {
    pub start: u32,
    pub end: u32,
}

/// A 1-based line and a 1-based column counted in UTF-16 code units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Tsify)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

/// Converts byte offsets of one text. Built once per text; each conversion is a binary search
/// plus, on a line with non-ASCII characters, a walk along that line.
pub struct Positions<'a> {
    text: &'a str,
    index: LineIndex,
    /// UTF-16 offset of each line start; empty when the whole text is ASCII (then offsets agree).
    line_starts_utf16: Vec<u32>,
}

impl<'a> Positions<'a> {
    pub fn new(text: &'a str) -> Self {
        let index = LineIndex::new(text);
        let line_starts_utf16 = if text.is_ascii() {
            Vec::new()
        } else {
            let mut starts = vec![0u32];
            let mut utf16 = 0u32;
            for ch in text.chars() {
                utf16 += ch.len_utf16() as u32;
                if ch == '\n' {
                    starts.push(utf16);
                }
            }
            starts
        };
        Positions {
            text,
            index,
            line_starts_utf16,
        }
    }

    /// The UTF-16 offset of a byte offset.
    pub fn offset(&self, byte: u32) -> u32 {
        if self.line_starts_utf16.is_empty() {
            return byte.min(self.text.len() as u32);
        }
        let at = self.index.line_col(byte, self.text, Encoding::Utf16);
        self.line_starts_utf16[at.line as usize] + at.col
    }

    pub fn range(&self, range: ecrlint_core::TextRange) -> Range {
        Range {
            start: self.offset(range.start),
            end: self.offset(range.end),
        }
    }

    pub fn position(&self, byte: u32) -> Position {
        let at = self.index.line_col(byte, self.text, Encoding::Utf16);
        Position {
            line: at.line + 1,
            column: at.col + 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// UTF-16 offsets agree with what JavaScript's `String.prototype.indexOf` would say.
    fn js_index_of(text: &str, needle: &str) -> u32 {
        let byte = text.find(needle).unwrap();
        text[..byte].encode_utf16().count() as u32
    }

    #[test]
    fn ascii_offsets_are_byte_offsets() {
        let text = "a: 1\nb: 2\n";
        let positions = Positions::new(text);
        assert_eq!(positions.offset(6), 6);
        assert_eq!(positions.position(6), Position { line: 2, column: 2 });
        assert_eq!(positions.offset(99), 10);
    }

    #[test]
    fn non_ascii_lines_count_utf16_units() {
        let text = "a: é🚀x\r\nb: 🚀y\nc: z\n";
        let positions = Positions::new(text);
        for needle in ["x", "b", "y", "c", "z"] {
            let byte = text.find(needle).unwrap() as u32;
            assert_eq!(
                positions.offset(byte),
                js_index_of(text, needle),
                "{needle}"
            );
        }
        let y = text.find('y').unwrap() as u32;
        assert_eq!(positions.position(y), Position { line: 2, column: 6 });
        assert_eq!(
            positions.offset(text.len() as u32),
            text.encode_utf16().count() as u32
        );
    }
}
