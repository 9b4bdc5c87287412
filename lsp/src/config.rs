//! The `ecrlint.toml` files a document's settings start from, found and read as the CLI finds and
//! reads them; the editor's settings go over them (`ecrlint_ide::settings`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use ecrlint_core::Settings;
pub use ecrlint_ide::settings::{from_client, merge};

pub const FILE_NAME: &str = "ecrlint.toml";

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
