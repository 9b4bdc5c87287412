//! An open document as the editor last described it: its text kept in sync with the editor's
//! changes (positions converted by `ecrlint_ide::position`), and what was last published for it.

use std::sync::Arc;

use ecrlint_core::{Checked, Encoding};
pub use ecrlint_ide::position::{
    encoding_kind, file_path, negotiate, offset_at, path_hint, Positions,
};
use tower_lsp_server::ls_types::TextDocumentContentChangeEvent;

pub struct Document {
    pub text: Arc<String>,
    pub version: i32,
    pub language_id: String,
    /// Changes with every edit and every settings change: a check is current when it was made
    /// for the document's generation. Unique across documents, so a document closed and opened
    /// again never takes the results of a check made for its former self.
    pub generation: u64,
    /// Whether a check task runs for this document; it picks up the latest text when it is done.
    pub checking: bool,
    /// The last findings published, for hover.
    pub published: Option<Arc<Published>>,
}

/// What was published for one version of a document.
pub struct Published {
    pub version: i32,
    pub generation: u64,
    pub checked: Checked,
}

impl Document {
    pub fn new(text: String, version: i32, language_id: String, generation: u64) -> Self {
        Document {
            text: Arc::new(text),
            version,
            language_id,
            generation,
            checking: false,
            published: None,
        }
    }

    /// Applies one `didChange` notification's changes, in order, each to the result of the last.
    pub fn apply(&mut self, changes: Vec<TextDocumentContentChangeEvent>, encoding: Encoding) {
        for change in changes {
            match change.range {
                None => self.text = Arc::new(change.text),
                Some(range) => {
                    let text = Arc::make_mut(&mut self.text);
                    let start = offset_at(text, range.start, encoding);
                    let end = offset_at(text, range.end, encoding).max(start);
                    text.replace_range(start..end, &change.text);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp_server::ls_types::{Position, Range};

    fn change(
        range: Option<((u32, u32), (u32, u32))>,
        text: &str,
    ) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: range.map(|((l1, c1), (l2, c2))| {
                Range::new(Position::new(l1, c1), Position::new(l2, c2))
            }),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn changes_apply_in_order() {
        let mut doc = Document::new("a: 1\nb: 2\n".into(), 1, "yaml".into(), 1);
        doc.apply(
            vec![
                change(Some(((0, 3), (0, 4))), "é🚀"),
                change(Some(((0, 6), (0, 6))), "!"),
                change(Some(((1, 0), (2, 0))), ""),
            ],
            Encoding::Utf16,
        );
        assert_eq!(doc.text.as_str(), "a: é🚀!\n");
        doc.apply(vec![change(None, "whole")], Encoding::Utf16);
        assert_eq!(doc.text.as_str(), "whole");
    }
}
