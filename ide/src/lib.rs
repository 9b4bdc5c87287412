//! ecrlint's answers to an editor, in LSP terms and with no protocol machinery: diagnostics
//! (capped per document, each carrying its fix), code actions (quick fixes, "ignore on this line /
//! for this resource", fix all), hover, positions in the negotiated encoding, and the editor's
//! settings. `ecrlint server` (tower-lsp-server) and the wasm package are its two hosts: they move
//! messages and documents, the answers are made here. Pure: no I/O, builds for
//! `wasm32-unknown-unknown`.

pub mod actions;
pub mod analysis;
pub mod diagnostics;
pub mod hover;
pub mod position;
pub mod settings;

use ecrlint_core::{Checked, FixedSource, Settings, Source};
pub use ls_types;

/// Checks a document with the other files of its Terraform module (none for other documents).
pub type CheckFn = fn(&str, Option<&str>, &[Source<'_>], &Settings) -> Checked;
pub type FixFn = fn(&str, Option<&str>, &[Source<'_>], &Settings, bool) -> FixedSource;

/// The core functions the answers come from: ecrlint's own, or stand-ins in tests (ones that panic).
#[derive(Clone, Copy)]
pub struct Core {
    pub check: CheckFn,
    pub fix: FixFn,
}

impl Core {
    pub const ECRLINT: Core = Core {
        check: ecrlint_core::check_in_module,
        fix: ecrlint_core::fix_in_module,
    };
}

/// The other files of a module as core takes them, from `(path, text)` pairs.
pub fn sources(texts: &[(String, std::sync::Arc<String>)]) -> Vec<Source<'_>> {
    texts
        .iter()
        .map(|(path, text)| Source {
            path,
            text: text.as_str(),
        })
        .collect()
}
