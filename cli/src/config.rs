//! Settings for a run: the nearest `ecrlint.toml` (or `--config`), then the command-line flags.

use std::path::{Path, PathBuf};

use ecrlint_core::Settings;

pub const FILE_NAME: &str = "ecrlint.toml";

/// The flags that choose the rules and the configuration file, shared by `check` and `audit`.
#[derive(Clone, clap::Args)]
pub struct RuleArgs {
    /// Only these rules (codes, prefixes such as ECR1, or names), comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "CODE")]
    pub select: Option<Vec<String>>,
    /// Skip these rules, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "CODE")]
    pub ignore: Vec<String>,
    /// The configuration file (default: the nearest ecrlint.toml upward from the current folder).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Reads the configuration file (`--config`, else the nearest one) and applies the flags over
/// it; `account_id` is `check --account-id`.
pub fn settings(args: &RuleArgs, account_id: Option<&str>) -> Result<Settings, String> {
    let file = match args.config.as_deref() {
        Some(path) => Some(path.to_path_buf()),
        None => std::env::current_dir()
            .ok()
            .and_then(|dir| find_upward(&dir)),
    };
    let mut settings = match &file {
        Some(path) => read(path)?,
        None => Settings::default(),
    };
    if let Some(select) = &args.select {
        settings.select = Some(select.clone());
    }
    settings.ignore.extend(args.ignore.iter().cloned());
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
