//! Random incremental edits sent to the real server (`didChange`, UTF-16 positions, several
//! changes per notification, positions past the end of lines and of the document, full
//! replacements) leave exactly the text the same edits give when applied to a string by the rules
//! of the LSP specification.
//!
//! The server's text is read where it cannot be anything else: the core check it calls is
//! core's own, recording each source it is given.

mod common;

use std::collections::HashMap;
use std::sync::Mutex;

use common::{editor_capabilities, TestClient};
use ecrlint_core::{Checked, Settings};
use ecrlint_lsp::Core;
use proptest::prelude::*;
use serde_json::{json, Value};

/// The last text each document's check was given, by path.
static SEEN: Mutex<Option<HashMap<String, String>>> = Mutex::new(None);

fn recording_check(
    source: &str,
    path: Option<&str>,
    siblings: &[ecrlint_core::Source<'_>],
    settings: &Settings,
) -> Checked {
    SEEN.lock()
        .unwrap()
        .get_or_insert_with(HashMap::new)
        .insert(path.unwrap_or_default().to_string(), source.to_string());
    ecrlint_core::check_in_module(source, path, siblings, settings)
}

fn seen(path: &str) -> Option<String> {
    SEEN.lock().unwrap().as_ref()?.get(path).cloned()
}

/// Text pieces: ASCII, two-, three- and four-byte characters (the last a UTF-16 surrogate pair),
/// LF and CRLF line endings.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z :\\-\\[\\]{}\"]{1,5}",
        1 => Just("é".to_string()),
        1 => Just("中".to_string()),
        1 => Just("🚀".to_string()),
        2 => Just("\n".to_string()),
        2 => Just("\r\n".to_string()),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..40).prop_map(|p| p.concat())
}

#[derive(Clone, Debug)]
enum Change {
    Range {
        start: (u32, u32),
        end: (u32, u32),
        text: String,
    },
    Full(String),
}

/// Positions mostly inside small documents, some past the end of a line or of the document.
fn position() -> impl Strategy<Value = (u32, u32)> {
    prop_oneof![
        6 => (0u32..8, 0u32..24),
        1 => (0u32..8, Just(u32::MAX / 2)),
        1 => (Just(1_000_000u32), 0u32..4),
    ]
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        12 => (position(), position(), text()).prop_map(|(a, b, text)| {
            // Mostly ordered ranges; now and then an end before its start.
            let (start, end) = if a <= b || b.1 % 7 == 0 { (a, b) } else { (b, a) };
            Change::Range { start, end, text }
        }),
        1 => text().prop_map(Change::Full),
    ]
}

impl Change {
    fn to_json(&self) -> Value {
        match self {
            Change::Range { start, end, text } => json!({
                "range": {
                    "start": {"line": start.0, "character": start.1},
                    "end": {"line": end.0, "character": end.1}
                },
                "text": text
            }),
            Change::Full(text) => json!({"text": text}),
        }
    }
}

/// The byte offset of an LSP position in UTF-16 code units. A line past the end is the end of the
/// text; a character past the end of its line is the end of the line's content (before `\r\n`);
/// a character inside a surrogate pair counts as the whole character.
fn offset(text: &str, (line, character): (u32, u32)) -> usize {
    let mut line_start = 0;
    for _ in 0..line {
        match text[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return text.len(),
        }
    }
    let content = text[line_start..].split('\n').next().unwrap_or("");
    let content = content.strip_suffix('\r').unwrap_or(content);
    let mut units = 0u64;
    for (i, ch) in content.char_indices() {
        if units >= u64::from(character) {
            return line_start + i;
        }
        units += ch.len_utf16() as u64;
    }
    line_start + content.len()
}

fn apply(text: &mut String, change: &Change) {
    match change {
        Change::Full(new) => *text = new.clone(),
        Change::Range {
            start,
            end,
            text: new,
        } => {
            let from = offset(text, *start);
            let to = offset(text, *end).max(from);
            text.replace_range(from..to, new);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn edits_through_the_server_equal_edits_on_a_string(
        initial in text(),
        notifications in prop::collection::vec(prop::collection::vec(change(), 1..4), 1..8),
    ) {
        static CASE: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let case = CASE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = format!("/edit-props/case-{case}.yaml");
        let uri = format!("file://{path}");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let mut expected = initial.clone();
        for changes in &notifications {
            for change in changes {
                apply(&mut expected, change);
            }
        }
        let final_version = notifications.len() as i64 + 1;
        let got = runtime.block_on(async {
            let mut client = TestClient::start_with(
                Core { check: recording_check, fix: ecrlint_core::fix_in_module },
                json!({"processId": null, "rootUri": null, "capabilities": editor_capabilities()}),
            )
            .await;
            client.open(&uri, "yaml", 1, &initial).await;
            for (i, changes) in notifications.iter().enumerate() {
                let changes: Vec<Value> = changes.iter().map(Change::to_json).collect();
                client.change(&uri, i as i64 + 2, Value::Array(changes)).await;
            }
            client.diagnostics_for_version(&uri, final_version).await;
            client.shutdown().await;
            seen(&path)
        });
        prop_assert_eq!(got.as_deref(), Some(expected.as_str()));
    }
}
