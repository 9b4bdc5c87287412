//! Byte ranges and the line index that turns them into editor and terminal coordinates.
//!
//! Everything inside core speaks byte offsets; conversion to lines and columns happens here,
//! at the edge, in the unit each face needs: characters (CLI, JSON, SARIF), UTF-16 code units
//! (the LSP default) or UTF-8 bytes.

use serde::{Deserialize, Serialize};

/// Text of keys, scalars and model values: stored inline up to 24 bytes, as most keys and values
/// of a template are (`Properties`, `ecr:BatchGetImage`), so that many small strings make few
/// allocations.
pub type Text = compact_str::CompactString;

/// A half-open byte range `[start, end)` into a source text.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct TextRange {
    pub start: u32,
    pub end: u32,
}

impl TextRange {
    pub fn new(start: u32, end: u32) -> Self {
        debug_assert!(start <= end);
        TextRange { start, end }
    }

    pub fn empty(at: u32) -> Self {
        TextRange { start: at, end: at }
    }

    pub fn from_usize(start: usize, end: usize) -> Self {
        TextRange::new(to_u32(start), to_u32(end))
    }

    /// The same range `by` bytes further on.
    pub fn shifted(self, by: u32) -> Self {
        TextRange::new(self.start + by, self.end + by)
    }

    /// The same range `by` bytes further back.
    pub fn unshifted(self, by: u32) -> Self {
        TextRange::new(self.start - by, self.end - by)
    }

    pub fn len(self) -> u32 {
        self.end - self.start
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    pub fn contains_range(self, other: TextRange) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    pub fn as_usize(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// Offsets are u32; inputs are capped far below 4 GiB (see `syntax::MAX_INPUT_BYTES`).
pub(crate) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The unit a column is counted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 bytes.
    Utf8,
    /// UTF-16 code units (LSP's default, JavaScript string offsets).
    Utf16,
    /// Unicode scalar values (what people and most terminals call a column).
    Chars,
}

/// A zero-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// Line starts of a text. Lines end at `\n`, `\r\n` or a lone `\r` (the three line endings of
/// YAML and of the LSP specification); CRLF files have the same columns as LF files.
#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: Vec<u32>,
    /// Whether each line is pure ASCII: then every encoding's column is the byte column.
    ascii: Vec<bool>,
    len: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        let mut ascii = Vec::new();
        let mut line_ascii = true;
        let bytes = text.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                line_starts.push(to_u32(i + 1));
                ascii.push(line_ascii);
                line_ascii = true;
            } else if b >= 0x80 {
                line_ascii = false;
            }
        }
        ascii.push(line_ascii);
        LineIndex {
            line_starts,
            ascii,
            len: to_u32(text.len()),
        }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The zero-based line holding `offset`.
    pub fn line_of(&self, offset: u32) -> u32 {
        let offset = offset.min(self.len);
        to_u32(self.line_starts.partition_point(|&s| s <= offset) - 1)
    }

    /// Byte range of a line's content, without its line ending.
    pub fn line_range(&self, line: u32, text: &str) -> TextRange {
        let start = self.line_starts[line as usize];
        let Some(&next) = self.line_starts.get(line as usize + 1) else {
            return TextRange::new(start, self.len);
        };
        // The ending is one byte (`\n`, a lone `\r`) or `\r\n`.
        let mut end = next - 1;
        let bytes = text.as_bytes();
        if bytes.get(end as usize) == Some(&b'\n')
            && end > start
            && bytes.get(end as usize - 1) == Some(&b'\r')
        {
            end -= 1;
        }
        TextRange::new(start, end)
    }

    /// Line and column of a byte offset. An offset inside a character counts as that character.
    pub fn line_col(&self, offset: u32, text: &str, encoding: Encoding) -> LineCol {
        let offset = offset.min(self.len);
        let line = self.line_of(offset);
        let start = self.line_starts[line as usize];
        if self.ascii[line as usize] || encoding == Encoding::Utf8 {
            return LineCol {
                line,
                col: offset - start,
            };
        }
        let mut col = 0u32;
        for (i, ch) in text[start as usize..].char_indices() {
            if start as usize + i >= offset as usize {
                break;
            }
            col += match encoding {
                Encoding::Utf16 => ch.len_utf16() as u32,
                _ => 1,
            };
        }
        LineCol { line, col }
    }

    /// Byte offset of a line and column. A column past the end of its line clamps to the line's end
    /// (as the LSP specification asks); a line past the end clamps to the end of the text.
    pub fn offset(&self, at: LineCol, text: &str, encoding: Encoding) -> u32 {
        let Some(&start) = self.line_starts.get(at.line as usize) else {
            return self.len;
        };
        let line_end = self.line_range(at.line, text).end;
        if self.ascii[at.line as usize] || encoding == Encoding::Utf8 {
            let mut offset = start.saturating_add(at.col).min(line_end);
            while !text.is_char_boundary(offset as usize) {
                offset -= 1;
            }
            return offset;
        }
        let mut col = 0u32;
        for (i, ch) in text[start as usize..line_end as usize].char_indices() {
            if col >= at.col {
                return start + to_u32(i);
            }
            col += match encoding {
                Encoding::Utf16 => ch.len_utf16() as u32,
                _ => 1,
            };
        }
        line_end
    }

    /// The line ending the text uses: the first line's (`"\r\n"`, a lone `"\r"`), else `"\n"`.
    pub fn line_ending(text: &str) -> &'static str {
        match text.find(['\n', '\r']) {
            Some(i) if text.as_bytes()[i] == b'\r' => {
                if text.as_bytes().get(i + 1) == Some(&b'\n') {
                    "\r\n"
                } else {
                    "\r"
                }
            }
            _ => "\n",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_in_each_encoding() {
        let text = "a: é🚀x\r\nb: 1\n";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap() as u32;
        assert_eq!(
            index.line_col(x, text, Encoding::Utf8),
            LineCol { line: 0, col: 9 }
        );
        assert_eq!(
            index.line_col(x, text, Encoding::Utf16),
            LineCol { line: 0, col: 6 }
        );
        assert_eq!(
            index.line_col(x, text, Encoding::Chars),
            LineCol { line: 0, col: 5 }
        );
        for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Chars] {
            let at = index.line_col(x, text, encoding);
            assert_eq!(index.offset(at, text, encoding), x);
        }
        let b = text.find('b').unwrap() as u32;
        assert_eq!(
            index.line_col(b, text, Encoding::Utf16),
            LineCol { line: 1, col: 0 }
        );
        assert_eq!(index.line_range(0, text), TextRange::new(0, 10));
    }

    #[test]
    fn offsets_clamp_to_the_line_end() {
        let text = "ab\r\ncd";
        let index = LineIndex::new(text);
        let at = LineCol { line: 0, col: 99 };
        assert_eq!(index.offset(at, text, Encoding::Utf16), 2);
        assert_eq!(
            index.offset(LineCol { line: 7, col: 0 }, text, Encoding::Utf16),
            6
        );
        assert_eq!(LineIndex::line_ending(text), "\r\n");
    }

    #[test]
    fn a_lone_carriage_return_ends_a_line() {
        let text = "a\rbé\r\nc\n\rd\r";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 6);
        let lines: Vec<&str> = (0..6)
            .map(|l| &text[index.line_range(l, text).as_usize()])
            .collect();
        assert_eq!(lines, ["a", "bé", "c", "", "d", ""]);
        let d = text.find('d').unwrap() as u32;
        let at = index.line_col(d, text, Encoding::Utf16);
        assert_eq!(at, LineCol { line: 4, col: 0 });
        assert_eq!(index.offset(at, text, Encoding::Utf16), d);
        assert_eq!(
            index.offset(LineCol { line: 1, col: 9 }, text, Encoding::Utf16),
            5
        );
        assert_eq!(LineIndex::line_ending(text), "\r");
        assert_eq!(LineIndex::line_ending("a\nb\r"), "\n");
    }
}
