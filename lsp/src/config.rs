//! Settings for a document: what the editor sends (`initializationOptions`,
//! `workspace/didChangeConfiguration`, `workspace/configuration`) applied over the nearest
//! `ecrlint.toml`, which is found and read as the CLI finds and reads it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use ecrlint_core::Settings;
use serde_json::Value;

pub const FILE_NAME: &str = "ecrlint.toml";

/// Keys an editor's `ecrlint` section holds for the client itself (VS Code's `ecrlint.enable`,
/// `ecrlint.path`, `ecrlint.trace.server`): not settings of the checks, so not passed on.
const CLIENT_KEYS: &[&str] = &["enable", "path", "trace"];

/// Reads the editor's settings: the `Settings` object itself, or an object holding it under
/// `ecrlint` (as `didChangeConfiguration` sends a whole settings tree). `None` when the editor
/// sent nothing (`null`, `{}`).
pub fn from_client(value: &Value) -> Result<Option<Settings>, String> {
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
    serde_json::from_value(Value::Object(object))
        .map(Some)
        .map_err(|e| e.to_string())
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

/// One `ecrlint.toml`, read.
#[derive(Debug)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub settings: Result<Settings, String>,
    /// Whether its problems were told to the user already (once per read, not per keystroke).
    reported: AtomicBool,
}

impl ConfigFile {
    fn read(path: PathBuf) -> ConfigFile {
        let settings = std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|text| toml::from_str::<Settings>(&text).map_err(|e| e.to_string()))
            .map_err(|e| format!("{}: {}", path.display(), e.trim_end()));
        ConfigFile {
            path,
            settings,
            reported: AtomicBool::new(false),
        }
    }

    /// What is wrong with the file, the first time it is asked.
    pub fn problems_to_report(&self) -> Vec<String> {
        if self.reported.swap(true, Ordering::Relaxed) {
            return Vec::new();
        }
        match &self.settings {
            Err(message) => vec![format!("{message}; the file is not used")],
            Ok(settings) => settings
                .validate()
                .into_iter()
                .map(|p| format!("{}: {p}", self.path.display()))
                .collect(),
        }
    }
}

/// The nearest `ecrlint.toml` of each directory, read once until a file changes.
#[derive(Debug, Default)]
pub struct ConfigFiles {
    by_directory: Mutex<HashMap<PathBuf, Option<Arc<ConfigFile>>>>,
}

impl ConfigFiles {
    /// The `ecrlint.toml` in `directory` or the closest of its parents.
    pub fn nearest(&self, directory: &Path) -> Option<Arc<ConfigFile>> {
        if let Some(known) = self.lock().get(directory) {
            return known.clone();
        }
        let found = directory
            .ancestors()
            .map(|dir| dir.join(FILE_NAME))
            .find(|candidate| candidate.is_file());
        let file = found.map(|path| {
            // Directories sharing the file share one reading of it.
            let known = self
                .lock()
                .values()
                .flatten()
                .find(|f| f.path == path)
                .cloned();
            known.unwrap_or_else(|| Arc::new(ConfigFile::read(path)))
        });
        self.lock().insert(directory.to_path_buf(), file.clone());
        file
    }

    /// Forgets every file read: one was created, changed or deleted.
    pub fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Option<Arc<ConfigFile>>>> {
        // The map is only ever replaced whole or extended: a panic elsewhere cannot leave it torn.
        self.by_directory
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Whether a path names a configuration file.
pub fn is_config_file(path: &Path) -> bool {
    path.file_name().is_some_and(|name| name == FILE_NAME)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecrlint_core::settings::RegistryScanningSetting;
    use ecrlint_core::Severity;
    use serde_json::json;

    #[test]
    fn client_settings_come_bare_or_under_ecrlint() {
        let bare = json!({"select": ["ECR1"], "accountId": "123456789012"});
        let nested = json!({"ecrlint": bare.clone(), "yaml": {"schemas": {}}});
        let expected = Settings {
            select: Some(vec!["ECR1".into()]),
            account_id: Some("123456789012".into()),
            ..Settings::default()
        };
        assert_eq!(from_client(&bare), Ok(Some(expected.clone())));
        assert_eq!(from_client(&nested), Ok(Some(expected)));
        assert_eq!(from_client(&json!(null)), Ok(None));
        assert_eq!(from_client(&json!({})), Ok(None));
        let vscode_section =
            json!({"enable": true, "path": "", "trace": {"server": "off"}, "ignore": ["ECR201"]});
        assert_eq!(
            from_client(&vscode_section),
            Ok(Some(Settings {
                ignore: vec!["ECR201".into()],
                ..Settings::default()
            }))
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
    fn the_nearest_file_counts_and_is_read_again_after_clear() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("stacks/app");
        std::fs::create_dir_all(&nested).unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "ignore = [\"ECR201\"]\n").unwrap();
        let files = ConfigFiles::default();
        let found = files.nearest(&nested).unwrap();
        assert_eq!(found.path, dir.path().join(FILE_NAME));
        assert_eq!(
            found.settings.as_ref().unwrap().ignore,
            vec!["ECR201".to_string()]
        );
        std::fs::write(nested.join(FILE_NAME), "account-id = \"12\"\n").unwrap();
        assert_eq!(
            files.nearest(&nested).unwrap().path,
            dir.path().join(FILE_NAME),
            "cached"
        );
        files.clear();
        let nearer = files.nearest(&nested).unwrap();
        assert_eq!(nearer.path, nested.join(FILE_NAME));
        assert_eq!(
            nearer.problems_to_report(),
            vec![format!(
                "{}: account id `12` is not 12 digits",
                nested.join(FILE_NAME).display()
            )]
        );
        assert_eq!(nearer.problems_to_report(), Vec::<String>::new());
        std::fs::write(nested.join(FILE_NAME), "ignore = \"ECR201\"\n").unwrap();
        files.clear();
        let broken = files.nearest(&nested).unwrap();
        let problems = broken.problems_to_report();
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].starts_with(&format!("{}: ", nested.join(FILE_NAME).display()))
                && problems[0].contains("invalid type: string \"ECR201\", expected a sequence")
                && problems[0].ends_with("; the file is not used"),
            "{problems:?}"
        );
    }
}
