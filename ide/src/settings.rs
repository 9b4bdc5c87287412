//! The editor's settings: the checks' `Settings` as the editor sends them
//! (`initializationOptions`, `workspace/didChangeConfiguration`, `workspace/configuration`, or a
//! wasm host's call), how many diagnostics to publish per document, and the editor's settings put
//! over those of an `ecrlint.toml` (which the native server reads; the wasm host has none).

use ecrlint_core::Settings;
use serde_json::Value;

use crate::diagnostics::DEFAULT_MAX_DIAGNOSTICS;

/// The key of the cap on diagnostics published per document.
pub const MAX_DIAGNOSTICS: &str = "maxDiagnostics";

/// What an editor sets: the checks, and the editor's own limits.
#[derive(Clone, Debug, PartialEq)]
pub struct EditorSettings {
    pub checks: Settings,
    /// At most this many findings of a document are published; one more diagnostic says how
    /// many were left out.
    pub max_diagnostics: usize,
}

impl Default for EditorSettings {
    fn default() -> Self {
        EditorSettings {
            checks: Settings::default(),
            max_diagnostics: DEFAULT_MAX_DIAGNOSTICS,
        }
    }
}

/// Keys an editor's `ecrlint` section holds for the client itself (VS Code's `ecrlint.enable`,
/// `ecrlint.path`, `ecrlint.trace.server`, `ecrlint.engine`): not settings of the checks, so not
/// passed on.
const CLIENT_KEYS: &[&str] = &["enable", "path", "trace", "engine"];

/// Reads the editor's settings: the `Settings` object itself with `maxDiagnostics` beside it, or
/// an object holding them under `ecrlint` (as `didChangeConfiguration` sends a whole settings
/// tree). `None` when the editor sent nothing (`null`, `{}`).
pub fn from_client(value: &Value) -> Result<Option<EditorSettings>, String> {
    let value = match value.get("ecrlint") {
        Some(section) => section,
        None => value,
    };
    let Value::Object(object) = value else {
        return match value {
            Value::Null => Ok(None),
            other => Err(format!("the settings are not an object: {other}")),
        };
    };
    if object.is_empty() {
        return Ok(None);
    }
    let mut object = object.clone();
    for key in CLIENT_KEYS {
        object.remove(*key);
    }
    let max_diagnostics = match object.remove(MAX_DIAGNOSTICS) {
        None | Some(Value::Null) => DEFAULT_MAX_DIAGNOSTICS,
        Some(value) => value
            .as_u64()
            .filter(|&n| n > 0)
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| {
                format!("`{MAX_DIAGNOSTICS}` must be a whole number above 0, not {value}")
            })?,
    };
    let checks = serde_json::from_value(Value::Object(object)).map_err(|e| e.to_string())?;
    Ok(Some(EditorSettings {
        checks,
        max_diagnostics,
    }))
}

/// The editor's settings over the file's, as the CLI puts its flags over the file: `select` and
/// `account-id`, `trusted-accounts` and `registry-scanning` replace, `ignore` adds up, `severity` overrides rule by rule.
pub fn merge(file: Option<&Settings>, editor: &Settings) -> Settings {
    let mut settings = file.cloned().unwrap_or_default();
    if editor.select.is_some() {
        settings.select.clone_from(&editor.select);
    }
    settings.ignore.extend(editor.ignore.iter().cloned());
    if editor.account_id.is_some() {
        settings.account_id.clone_from(&editor.account_id);
    }
    for (rule, severity) in &editor.severity {
        settings.severity.insert(rule.clone(), *severity);
    }
    if !editor.trusted_accounts.is_empty() {
        settings
            .trusted_accounts
            .clone_from(&editor.trusted_accounts);
    }
    if editor.registry_scanning != ecrlint_core::settings::RegistryScanningSetting::Unknown {
        settings.registry_scanning = editor.registry_scanning;
    }
    settings
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecrlint_core::settings::RegistryScanningSetting;
    use ecrlint_core::Severity;
    use serde_json::json;

    fn editor(checks: Settings) -> EditorSettings {
        EditorSettings {
            checks,
            max_diagnostics: DEFAULT_MAX_DIAGNOSTICS,
        }
    }

    #[test]
    fn client_settings_come_bare_or_under_ecrlint() {
        let bare = json!({"select": ["ECR1"], "accountId": "123456789012"});
        let nested = json!({"ecrlint": bare.clone(), "yaml": {"schemas": {}}});
        let expected = editor(Settings {
            select: Some(vec!["ECR1".into()]),
            account_id: Some("123456789012".into()),
            ..Settings::default()
        });
        assert_eq!(from_client(&bare), Ok(Some(expected.clone())));
        assert_eq!(from_client(&nested), Ok(Some(expected)));
        assert_eq!(from_client(&json!(null)), Ok(None));
        assert_eq!(from_client(&json!({})), Ok(None));
        let vscode_section = json!({"enable": true, "path": "", "trace": {"server": "off"}, "engine": "wasm", "ignore": ["ECR201"]});
        assert_eq!(
            from_client(&vscode_section),
            Ok(Some(editor(Settings {
                ignore: vec!["ECR201".into()],
                ..Settings::default()
            })))
        );
        assert_eq!(
            from_client(&json!({"ignroe": ["ECR201"]})),
            Err("unknown field `ignroe`, expected one of `select`, `ignore`, `account-id`, `accountId`, `severity`, `trusted-accounts`, `trustedAccounts`, `registry-scanning`, `registryScanning`".into())
        );
        assert_eq!(
            from_client(&json!(["ECR201"])),
            Err("the settings are not an object: [\"ECR201\"]".into())
        );
    }

    #[test]
    fn editor_settings_go_over_the_file_as_cli_flags_do() {
        let file = Settings {
            select: Some(vec!["ECR1".into()]),
            ignore: vec!["ECR903".into()],
            account_id: Some("111111111111".into()),
            severity: [
                ("ECR101".to_string(), Severity::Warning),
                ("ECR201".to_string(), Severity::Error),
            ]
            .into(),
            trusted_accounts: vec!["333333333333".into()],
            registry_scanning: RegistryScanningSetting::Unknown,
        };
        let editor = Settings {
            select: None,
            ignore: vec!["ECR905".into()],
            account_id: Some("222222222222".into()),
            severity: [("ECR101".to_string(), Severity::Info)].into(),
            trusted_accounts: vec!["444444444444".into()],
            registry_scanning: RegistryScanningSetting::CoversAll,
        };
        assert_eq!(
            merge(Some(&file), &editor),
            Settings {
                select: Some(vec!["ECR1".into()]),
                ignore: vec!["ECR903".into(), "ECR905".into()],
                account_id: Some("222222222222".into()),
                severity: [
                    ("ECR101".to_string(), Severity::Info),
                    ("ECR201".to_string(), Severity::Error),
                ]
                .into(),
                trusted_accounts: vec!["444444444444".into()],
                registry_scanning: RegistryScanningSetting::CoversAll,
            }
        );
        assert_eq!(merge(None, &editor), editor);
        assert_eq!(merge(Some(&file), &Settings::default()), file);
    }

    #[test]
    fn the_diagnostics_cap_is_a_whole_number_above_zero() {
        assert_eq!(
            from_client(&json!({"maxDiagnostics": 20, "ignore": ["ECR201"]})),
            Ok(Some(EditorSettings {
                checks: Settings {
                    ignore: vec!["ECR201".into()],
                    ..Settings::default()
                },
                max_diagnostics: 20,
            }))
        );
        assert_eq!(
            from_client(&json!({"maxDiagnostics": null})),
            Ok(Some(EditorSettings::default()))
        );
        assert_eq!(EditorSettings::default().max_diagnostics, 1000);
        for wrong in [json!(0), json!(-1), json!(2.5), json!("10")] {
            assert_eq!(
                from_client(&json!({"maxDiagnostics": wrong})),
                Err(format!(
                    "`maxDiagnostics` must be a whole number above 0, not {wrong}"
                ))
            );
        }
    }
}
