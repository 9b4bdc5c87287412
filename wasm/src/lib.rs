//! ecrlint for JavaScript: `check`, `fix`, `rules` and `version` over ecrlint_core, with
//! positions in UTF-16 code units (what JavaScript strings and editors count) and TypeScript
//! declarations derived from the Rust types.
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
