//! The answers for a host that keeps nothing between questions (the wasm package, and through it
//! the extension's WebAssembly language server): each question brings the document as the editor
//! has it (URI, text, version, language), the editor's `ecrlint` settings as the native server
//! receives them, and the other open files of its Terraform module; the answer is what
//! `ecrlint server` would send for it, in the same LSP shapes. Positions are UTF-16, as
//! JavaScript strings and VS Code count.

use std::sync::Arc;

use ecrlint_core::Encoding;
use ls_types::{
    CodeActionContext, CodeActionOrCommand, Diagnostic, Hover, Position, PublishDiagnosticsParams,
    Range, Uri,
};
use serde::Deserialize;
use serde_json::Value;

use crate::actions::{self, Snapshot};
use crate::position::{file_path, offset_at, path_hint, Positions};
use crate::settings::{from_client, EditorSettings};
use crate::Core;

const ENCODING: Encoding = Encoding::Utf16;

/// A document as the editor has it.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    pub uri: Uri,
    pub text: String,
    pub version: i32,
    /// The editor's language id (`yaml`, `json`, `terraform`): a hint at the format for a
    /// document that is not a file.
    #[serde(default)]
    pub language_id: String,
    /// The editor's `ecrlint` settings (`{ignore, select, accountId, …, maxDiagnostics}`), read
    /// as the native server reads `initializationOptions`.
    #[serde(default)]
    pub settings: Value,
    /// Other files of the document's Terraform module the host has.
    #[serde(default)]
    pub siblings: Vec<Sibling>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Sibling {
    pub uri: Uri,
    pub text: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeActionQuery {
    #[serde(flatten)]
    pub document: Document,
    pub range: Range,
    pub context: CodeActionContext,
    /// Whether the client takes versioned `documentChanges` (VS Code does).
    #[serde(default)]
    pub document_changes: bool,
}

#[derive(Clone, Debug, Deserialize)]
pub struct HoverQuery {
    #[serde(flatten)]
    pub document: Document,
    pub position: Position,
}

impl Document {
    fn settings(&self) -> Result<EditorSettings, String> {
        Ok(from_client(&self.settings)
            .map_err(|e| format!("invalid settings: {e}"))?
            .unwrap_or_default())
    }

    fn siblings(&self) -> Vec<(String, Arc<String>)> {
        self.siblings
            .iter()
            .filter_map(|s| {
                let path = file_path(&s.uri)?;
                Some((
                    path.to_string_lossy().into_owned(),
                    Arc::new(s.text.clone()),
                ))
            })
            .collect()
    }

    fn check(
        &self,
        settings: &EditorSettings,
    ) -> (ecrlint_core::Checked, Vec<(String, Arc<String>)>) {
        let siblings = self.siblings();
        let hint = path_hint(&self.uri, &self.language_id);
        let checked = (Core::ECRLINT.check)(
            &self.text,
            hint.as_deref(),
            &crate::sources(&siblings),
            &settings.checks,
        );
        (checked, siblings)
    }
}

/// What the settings hold that the checks will not use as given (an account id that is not 12
/// digits); an error when they cannot be read at all (an unknown key).
pub fn settings_problems(settings: &Value) -> Result<Vec<String>, String> {
    Ok(from_client(settings)?
        .map(|s| s.checks.validate())
        .unwrap_or_default())
}

/// The diagnostics `ecrlint server` publishes for the document.
pub fn diagnostics(document: &Document) -> Result<PublishDiagnosticsParams, String> {
    let settings = document.settings()?;
    let (checked, siblings) = document.check(&settings);
    let diagnostics: Vec<Diagnostic> = crate::diagnostics::diagnostics(
        &checked,
        &document.text,
        &document.uri,
        document.version,
        &siblings,
        ENCODING,
        settings.max_diagnostics,
    );
    Ok(PublishDiagnosticsParams {
        uri: document.uri.clone(),
        diagnostics,
        version: Some(document.version),
    })
}

/// The code actions `ecrlint server` answers `textDocument/codeAction` with.
pub fn code_actions(query: &CodeActionQuery) -> Result<Vec<CodeActionOrCommand>, String> {
    let document = &query.document;
    let settings = document.settings()?;
    let snapshot = Snapshot {
        uri: document.uri.clone(),
        text: Arc::new(document.text.clone()),
        version: document.version,
        siblings: document.siblings(),
        path_hint: path_hint(&document.uri, &document.language_id),
        settings: settings.checks,
        fix: Core::ECRLINT.fix,
        encoding: ENCODING,
        document_changes: query.document_changes,
    };
    let found = actions::code_actions(
        query.context.only.as_deref(),
        &query.context.diagnostics,
        &snapshot,
    );
    Ok(found
        .into_iter()
        .map(CodeActionOrCommand::CodeAction)
        .collect())
}

/// The hover `ecrlint server` answers `textDocument/hover` with.
pub fn hover(query: &HoverQuery) -> Result<Option<Hover>, String> {
    let document = &query.document;
    let settings = document.settings()?;
    let (checked, _) = document.check(&settings);
    if !checked.kind.is_ours() {
        return Ok(None);
    }
    let offset = offset_at(&document.text, query.position, ENCODING) as u32;
    let positions = Positions::new(&document.text, ENCODING);
    Ok(crate::hover::hover(&checked, offset, &positions))
}
