//! ecrlint for JavaScript: `check`, `fix`, `rules` and `version` over ecrlint_core, with
//! positions in UTF-16 code units (what JavaScript strings and editors count) and TypeScript
//! declarations derived from the Rust types; and the language service (`diagnostics`,
//! `codeActions`, `hover`, `settingsProblems`) over ecrlint_ide, answering in the LSP shapes
//! `ecrlint server` sends, for a language server running in JavaScript.
//!
//! Everything runs in the caller's process: a policy given to `check` goes nowhere else.

pub mod api;
pub mod positions;

use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use api::{CheckResult, FixOptions, FixResult, Rule, Settings, SETTINGS_KEYS};

fn settings(settings: Option<Ts<Settings>>) -> Result<Settings, JsError> {
    Ok(match settings {
        Some(settings) => {
            let value = settings.js_value();
            known_keys_only(&value, SETTINGS_KEYS)
                .and_then(|()| serde_wasm_bindgen::from_value(value).map_err(serde_message))
                .map_err(|e| JsError::new(&format!("invalid settings: {e}")))?
        }
        None => Settings::default(),
    })
}

/// The message of a serde-wasm-bindgen error, without the `Error: ` its `Display` adds.
fn serde_message(error: serde_wasm_bindgen::Error) -> String {
    let value = JsValue::from(error);
    match value.dyn_ref::<js_sys::Error>() {
        Some(error) => error.message().into(),
        None => format!("{value:?}"),
    }
}

/// serde-wasm-bindgen reads only the fields it knows, so a misspelt setting would pass silently.
fn known_keys_only(value: &JsValue, known: &[&str]) -> Result<(), String> {
    let Some(object) = value.dyn_ref::<js_sys::Object>() else {
        return Ok(());
    };
    for key in js_sys::Object::keys(object).iter() {
        let key = key.as_string().unwrap_or_default();
        if !known.contains(&key.as_str()) {
            let expected: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
            return Err(format!(
                "unknown field `{key}`, expected one of {}",
                expected.join(", ")
            ));
        }
    }
    Ok(())
}

/// Checks a CloudFormation or SAM template, a repository policy, or the output of
/// `aws ecr get-repository-policy` / `aws ecr describe-repositories` (YAML or JSON). `fileName`
/// only hints at the format; the kind of input is decided from the content. Throws on invalid
/// settings (an unknown rule, an account id that is not 12 digits).
#[wasm_bindgen]
pub fn check(
    text: &str,
    settings: Option<Ts<Settings>>,
    #[wasm_bindgen(js_name = "fileName")] file_name: Option<String>,
) -> Result<Ts<CheckResult>, JsError> {
    let settings = self::settings(settings)?;
    let result = api::check(text, &settings, file_name.as_deref())?;
    Ok(result.into_ts()?)
}

/// Applies every safe fix, and the unsafe ones with `{ unsafe: true }`, until nothing fixable is
/// left. A text that does not parse is returned unchanged.
#[wasm_bindgen]
pub fn fix(
    text: &str,
    settings: Option<Ts<Settings>>,
    options: Option<Ts<FixOptions>>,
    #[wasm_bindgen(js_name = "fileName")] file_name: Option<String>,
) -> Result<Ts<FixResult>, JsError> {
    let settings = self::settings(settings)?;
    let options = match options {
        Some(options) => {
            let value = options.js_value();
            known_keys_only(&value, &["unsafe"])
                .and_then(|()| serde_wasm_bindgen::from_value(value).map_err(serde_message))
                .map_err(|e| JsError::new(&format!("invalid fix options: {e}")))?
        }
        None => FixOptions::default(),
    };
    let result = api::fix(text, &settings, options, file_name.as_deref())?;
    Ok(result.into_ts()?)
}

/// Every rule with its documentation, in code order.
#[wasm_bindgen]
pub fn rules() -> Result<Vec<Ts<Rule>>, JsError> {
    api::rules()
        .iter()
        .map(|rule| rule.into_ts().map_err(JsError::from))
        .collect()
}

/// The version of ecrlint.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// The TypeScript shapes of the language service's questions, and of its answers: LSP's own
/// (`PublishDiagnosticsParams`, `CodeAction[]`, `Hover | null`), in the parts ecrlint fills.
#[wasm_bindgen(typescript_custom_section)]
const IDE_TYPES: &str = r#"
/** A document as the editor has it, with the editor's `ecrlint` settings as `ecrlint server` takes them. */
export interface IdeDocument {
    uri: string;
    text: string;
    version: number;
    languageId?: string;
    settings?: unknown;
    /** Other open files of its Terraform module. */
    siblings?: { uri: string; text: string }[];
}
export interface IdeCodeActionQuery extends IdeDocument {
    range: LspRange;
    context: { diagnostics: LspDiagnostic[]; only?: string[] };
    documentChanges?: boolean;
}
export interface IdeHoverQuery extends IdeDocument {
    position: LspPosition;
}
/** Zero-based; `character` in UTF-16 code units. */
export interface LspPosition { line: number; character: number }
export interface LspRange { start: LspPosition; end: LspPosition }
export interface LspDiagnostic {
    range: LspRange;
    severity?: 1 | 2 | 3 | 4;
    code?: string | number;
    codeDescription?: { href: string };
    source?: string;
    message: string;
    relatedInformation?: { location: { uri: string; range: LspRange }; message: string }[];
    tags?: number[];
    /** The document version and the fix, read back by `codeActions`. */
    data?: unknown;
}
export interface LspPublishDiagnosticsParams { uri: string; version?: number; diagnostics: LspDiagnostic[] }
export interface LspTextEdit { range: LspRange; newText: string }
export interface LspWorkspaceEdit {
    changes?: Record<string, LspTextEdit[]>;
    documentChanges?: { textDocument: { uri: string; version: number | null }; edits: LspTextEdit[] }[];
}
export interface LspCodeAction {
    title: string;
    kind?: string;
    diagnostics?: LspDiagnostic[];
    edit?: LspWorkspaceEdit;
    isPreferred?: boolean;
}
export interface LspHover { contents: { kind: "markdown" | "plaintext"; value: string }; range?: LspRange }
"#;

fn from_js<T: serde::de::DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsError> {
    serde_wasm_bindgen::from_value(value)
        .map_err(|e| JsError::new(&format!("invalid {what}: {}", serde_message(e))))
}

/// LSP's JSON as plain objects (maps as objects, no `undefined`).
fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&serde_message(e)))
}

/// The diagnostics `ecrlint server` would publish for the document (`PublishDiagnosticsParams`).
/// Throws on settings it cannot read.
#[wasm_bindgen(unchecked_return_type = "LspPublishDiagnosticsParams")]
pub fn diagnostics(
    #[wasm_bindgen(unchecked_param_type = "IdeDocument")] document: JsValue,
) -> Result<JsValue, JsError> {
    let document: ecrlint_ide::analysis::Document = from_js(document, "document")?;
    let published = ecrlint_ide::analysis::diagnostics(&document).map_err(|e| JsError::new(&e))?;
    to_js(&published)
}

/// The code actions `ecrlint server` would answer `textDocument/codeAction` with: each
/// diagnostic's quick fix, "Ignore … on this line / for this resource", and fix all when
/// `context.only` names `source.fixAll.ecrlint` (or a parent kind).
#[wasm_bindgen(js_name = "codeActions", unchecked_return_type = "LspCodeAction[]")]
pub fn code_actions(
    #[wasm_bindgen(unchecked_param_type = "IdeCodeActionQuery")] query: JsValue,
) -> Result<JsValue, JsError> {
    let query: ecrlint_ide::analysis::CodeActionQuery = from_js(query, "code action query")?;
    let actions = ecrlint_ide::analysis::code_actions(&query).map_err(|e| JsError::new(&e))?;
    to_js(&actions)
}

/// The hover `ecrlint server` would answer `textDocument/hover` with, or `null`.
#[wasm_bindgen(unchecked_return_type = "LspHover | null")]
pub fn hover(
    #[wasm_bindgen(unchecked_param_type = "IdeHoverQuery")] query: JsValue,
) -> Result<JsValue, JsError> {
    let query: ecrlint_ide::analysis::HoverQuery = from_js(query, "hover query")?;
    let hover = ecrlint_ide::analysis::hover(&query).map_err(|e| JsError::new(&e))?;
    to_js(&hover)
}

/// What the editor's settings hold that the checks will not use (an account id that is not 12
/// digits); throws when they cannot be read at all (an unknown key).
#[wasm_bindgen(js_name = "settingsProblems")]
pub fn settings_problems(
    #[wasm_bindgen(unchecked_param_type = "unknown")] settings: JsValue,
) -> Result<Vec<String>, JsError> {
    let settings: serde_json::Value = if settings.is_undefined() || settings.is_null() {
        serde_json::Value::Null
    } else {
        from_js(settings, "settings")?
    };
    ecrlint_ide::analysis::settings_problems(&settings).map_err(|e| JsError::new(&e))
}
