//! Settings for a run: the nearest `ecrlint.toml` (or `--config`), then the command-line flags.

use std::path::{Path, PathBuf};

use ecrlint_core::Settings;

use crate::CheckArgs;

pub const FILE_NAME: &str = "ecrlint.toml";

/// Reads the configuration file and applies the flags over it.
pub fn settings(args: &CheckArgs) -> Result<Settings, String> {
    settings_from(
        args.config.as_deref(),
        args.select.as_deref(),
        &args.ignore,
        args.account_id.as_deref(),
    )
}

/// [`settings`] from the flags themselves.
pub fn settings_from(
    config: Option<&Path>,
    select: Option<&[String]>,
    ignore: &[String],
    account_id: Option<&str>,
) -> Result<Settings, String> {
    let file = match config {
        Some(path) => Some(path.to_path_buf()),
        None => std::env::current_dir()
            .ok()
            .and_then(|dir| find_upward(&dir)),
    };
    let mut settings = match &file {
        Some(path) => read(path)?,
        None => Settings::default(),
    };
    if let Some(select) = select {
        settings.select = Some(select.to_vec());
    }
    settings.ignore.extend(ignore.iter().cloned());
    if let Some(id) = account_id {
        settings.account_id = Some(id.to_string());
    }
    let problems = settings.validate();
    if !problems.is_empty() {
        let origin = file
            .map(|f| format!(" (settings from {} and the command line)", f.display()))
            .unwrap_or_default();
        return Err(format!("{}{origin}", problems.join("; ")));
    }
    Ok(settings)
}

pub fn find_upward(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|candidate| candidate.is_file())
}

pub fn read(path: &Path) -> Result<Settings, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| format!("{}: {}", path.display(), e.to_string().trim_end()))
}
