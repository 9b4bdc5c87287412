//! What must hold for any input at all: checked by the fuzz targets, by the property tests in
//! core/tests/props.rs and by the replay of every input fuzzing has found (core/tests/fuzz_regressions.rs),
//! which include this file with `#[path]` so the three never drift apart.
//!
//! Each check returns the first violation as a sentence instead of panicking, so proptest can shrink
//! it and a fuzz target can print it next to the input.

use ecrlint_core::{
    apply_edits, check, fix, Checked, Diagnostic, Edit, Encoding, LineCol, LineIndex, Settings,
    TextRange,
};

/// The path hints every input is tried with: YAML, JSON, and none (format from the content).
pub const HINTS: [Option<&str>; 3] = [Some("fuzz.yaml"), Some("fuzz.json"), None];

pub const ENCODINGS: [Encoding; 3] = [Encoding::Utf8, Encoding::Utf16, Encoding::Chars];

/// Default settings, and settings with an account id (which turns on fixes for raw policies).
pub fn settings_variants() -> [Settings; 2] {
    let with_account = Settings {
        account_id: Some("123456789012".into()),
        ..Settings::default()
    };
    [Settings::default(), with_account]
}

pub type Outcome<T = ()> = Result<T, String>;

pub fn range_ok(text: &str, range: TextRange, what: &str) -> Outcome {
    let (start, end) = (range.start as usize, range.end as usize);
    if start > end || end > text.len() {
        return Err(format!(
            "{what} {start}..{end} lies outside the text (length {})",
            text.len()
        ));
    }
    if !text.is_char_boundary(start) || !text.is_char_boundary(end) {
        return Err(format!("{what} {start}..{end} splits a character"));
    }
    Ok(())
}

/// Every range a diagnostic carries (its own, its related places, its fix's edits) lies inside the
/// text on character boundaries, and a fix's edits are sorted and do not overlap.
pub fn diagnostic_ok(text: &str, d: &Diagnostic) -> Outcome {
    let what = format!("{} at {:?}", d.code, d.range);
    range_ok(text, d.range, &format!("the range of {what}"))?;
    // A place in another file of a module is checked against that file by the caller.
    for related in d.related.iter().filter(|r| r.file.is_none()) {
        range_ok(text, related.range, &format!("a related range of {what}"))?;
    }
    if let Some(fix) = &d.fix {
        for edit in &fix.edits {
            range_ok(text, edit.range, &format!("an edit of the fix for {what}"))?;
        }
        for pair in fix.edits.windows(2) {
            if pair[0].range.end > pair[1].range.start {
                return Err(format!(
                    "the fix for {what} has edits out of order or overlapping: {:?} then {:?}",
                    pair[0].range, pair[1].range
                ));
            }
        }
    }
    if d.message.is_empty() {
        return Err(format!("{what} has an empty message"));
    }
    Ok(())
}

/// `check` under one hint and settings: ranges sound, findings sorted, the same answer twice, and
/// every range's ends survive the trip to line/column and back in each encoding.
pub fn check_ok(text: &str, hint: Option<&str>, settings: &Settings) -> Outcome<Checked> {
    let checked = check(text, hint, settings);
    for d in &checked.diagnostics {
        diagnostic_ok(text, d)?;
    }
    for pair in checked.diagnostics.windows(2) {
        let key = |d: &Diagnostic| (d.range.start, d.range.end, d.code);
        if key(&pair[0]) > key(&pair[1]) {
            return Err(format!(
                "findings are not sorted: {} at {:?} before {} at {:?}",
                pair[0].code, pair[0].range, pair[1].code, pair[1].range
            ));
        }
    }
    let again = check(text, hint, settings);
    if again.diagnostics != checked.diagnostics || again.kind != checked.kind {
        return Err("checking the same text twice gave different findings".into());
    }
    let index = LineIndex::new(text);
    for d in &checked.diagnostics {
        for offset in [d.range.start, d.range.end] {
            for encoding in ENCODINGS {
                let at = index.line_col(offset, text, encoding);
                let back = index.offset(at, text, encoding);
                if back != addressable(text, offset as usize) as u32 {
                    return Err(format!(
                        "{} at {:?}: offset {offset} is {at:?} in {encoding:?}, which maps back to {back}",
                        d.code, d.range
                    ));
                }
            }
        }
    }
    Ok(checked)
}

pub fn has_syntax_error(checked: &Checked) -> bool {
    !checked.parsed
}

/// Where a range of the text before some edits lies after them. An end inside or at an edit moves
/// past the new content, a start inside an edit moves to its beginning: the result covers what the
/// edits put in its place.
pub fn map_range(range: TextRange, edits: &[Edit]) -> TextRange {
    let map = |offset: u32, is_end: bool| -> u32 {
        let mut delta: i64 = 0;
        for edit in edits {
            let (start, end) = (edit.range.start, edit.range.end);
            let grown = edit.content.len() as i64 - i64::from(end - start);
            if offset < start || (offset == start && !is_end && start < end) {
                break;
            }
            if offset > end || (offset == end && start < end && !is_end) {
                delta += grown;
                continue;
            }
            // Inside the edit, or at an insertion point.
            let new_start = i64::from(start) + delta;
            return if is_end {
                (new_start + edit.content.len() as i64) as u32
            } else {
                new_start as u32
            };
        }
        (i64::from(offset) + delta) as u32
    };
    let start = map(range.start, false);
    let end = map(range.end, true).max(start);
    TextRange::new(start, end)
}

fn same_place(a: TextRange, b: TextRange) -> bool {
    a == b || (a.start < b.end && b.start < a.end)
}

/// Fixing, under one hint and settings (unsafe fixes on):
/// - a document that does not parse is never changed;
/// - each fix on its own leaves a document that parses, where its finding (rule and message) no
///   longer stands at that place;
/// - all fixes together leave a document that parses, `remaining` is what checking it finds, and
///   fixing the result again changes nothing.
pub fn fix_ok(text: &str, hint: Option<&str>, settings: &Settings) -> Outcome {
    let before = check(text, hint, settings);
    let fixed = fix(text, hint, settings, true);
    if has_syntax_error(&before) {
        if fixed.text != text || !fixed.applied.is_empty() {
            return Err(format!(
                "a document that does not parse was changed by {:?}",
                fixed.applied
            ));
        }
        return Ok(());
    }
    for d in &before.diagnostics {
        let Some(f) = &d.fix else { continue };
        let single = apply_edits(text, &f.edits);
        let after = check(&single, hint, settings);
        if let Some(error) = after
            .diagnostics
            .iter()
            .find(|e| !after.parsed && e.code == ecrlint_core::rules::INVALID_SYNTAX.code)
        {
            return Err(format!(
                "the fix \"{}\" for {} at {:?} leaves a document that does not parse ({} at {:?}):\n{single}",
                f.title, d.code, d.range, error.message, error.range
            ));
        }
        // The same finding: its rule, its message, at the place the fix mapped it to. (Another
        // finding of the rule may enclose it: a statement without `Principal` around an action
        // that does not exist.)
        let place = map_range(d.range, &f.edits);
        if let Some(again) = after
            .diagnostics
            .iter()
            .find(|e| e.code == d.code && e.message == d.message && same_place(e.range, place))
        {
            return Err(format!(
                "after the fix \"{}\" for {} at {:?}, {} still fires at {:?} ({}):\n{single}",
                f.title, d.code, d.range, again.code, again.range, again.message
            ));
        }
    }
    let after = check(&fixed.text, hint, settings);
    if has_syntax_error(&after) {
        return Err(format!(
            "fixing left a document that does not parse:\n{}",
            fixed.text
        ));
    }
    if after.diagnostics != fixed.remaining.diagnostics {
        return Err("`remaining` differs from checking the fixed text".into());
    }
    let twice = fix(&fixed.text, hint, settings, true);
    if twice.text != fixed.text {
        return Err(format!(
            "fixing twice changed more ({:?}):\nonce:\n{}\ntwice:\n{}",
            twice.applied, fixed.text, twice.text
        ));
    }
    Ok(())
}

/// The offset a line/column position can name for `offset`: itself, except between the `\r` and
/// the `\n` of a CRLF, which belongs to the line ending and clamps to the end of the line's content.
pub fn addressable(text: &str, offset: usize) -> usize {
    if text.as_bytes().get(offset) == Some(&b'\n') && text[..offset].ends_with('\r') {
        offset - 1
    } else {
        offset
    }
}

/// Whether the character at byte `i` ends a line: `\n`, or a `\r` not followed by `\n` (the LSP
/// specification's line endings).
fn ends_line(text: &str, i: usize) -> bool {
    let bytes = text.as_bytes();
    bytes[i] == b'\n' || (bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
}

/// The line and column of a byte offset, counted the slow and obvious way.
pub fn naive_line_col(text: &str, offset: usize, encoding: Encoding) -> LineCol {
    let before = &text[..offset];
    let ends: Vec<usize> = (0..offset).filter(|&i| ends_line(text, i)).collect();
    let line = ends.len();
    let line_start = ends.last().map_or(0, |i| i + 1);
    let col: usize = before[line_start..]
        .chars()
        .map(|c| match encoding {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
            Encoding::Chars => 1,
        })
        .sum();
    LineCol {
        line: line as u32,
        col: col as u32,
    }
}

/// `LineIndex` against a naive count at every character boundary (up to `limit` of them), in
/// every encoding, both ways; and a column past the end of a line clamps to the line's end.
pub fn line_index_ok(text: &str, limit: usize) -> Outcome {
    let index = LineIndex::new(text);
    // The naive count, carried along: line, then the column in UTF-8, UTF-16 and characters.
    let (mut line, mut cols) = (0u32, [0u32; 3]);
    let boundaries = text
        .char_indices()
        .map(|(i, c)| (i, Some(c)))
        .chain([(text.len(), None)])
        .take(limit);
    for (offset, ch) in boundaries {
        for (encoding, &col) in ENCODINGS.iter().zip(&cols) {
            let encoding = *encoding;
            let expected = LineCol { line, col };
            let at = index.line_col(offset as u32, text, encoding);
            if at != expected {
                return Err(format!(
                    "offset {offset} in {encoding:?}: {at:?}, counted {expected:?}"
                ));
            }
            let back = index.offset(at, text, encoding) as usize;
            if back != addressable(text, offset) {
                return Err(format!(
                    "offset {offset} in {encoding:?} is {at:?}, which maps back to {back}"
                ));
            }
        }
        match ch {
            Some('\n' | '\r') if ends_line(text, offset) => (line, cols) = (line + 1, [0; 3]),
            Some(c) => {
                cols[0] += c.len_utf8() as u32;
                cols[1] += c.len_utf16() as u32;
                cols[2] += 1;
            }
            None => {}
        }
    }
    for line in 0..index.line_count().min(limit) as u32 {
        let end = index.line_range(line, text).end;
        for encoding in ENCODINGS {
            // One past the line's length in bytes is past its end in every encoding; u32::MAX is
            // what some LSP clients send for "the end of the line".
            let length = index.line_range(line, text).len();
            for col in [length + 1, u32::MAX] {
                let far = LineCol { line, col };
                let clamped = index.offset(far, text, encoding);
                if clamped != end {
                    return Err(format!(
                        "line {line}, column {col}, in {encoding:?}: {clamped}, the line ends at {end}"
                    ));
                }
            }
        }
    }
    let past = LineCol {
        line: index.line_count() as u32,
        col: 0,
    };
    for encoding in ENCODINGS {
        if index.offset(past, text, encoding) as usize != text.len() {
            return Err("a line past the end does not clamp to the end of the text".into());
        }
    }
    Ok(())
}
