//! The CI faces, tested with what users run them with: the pre-commit hook
//! (`.pre-commit-hooks.yaml`) with the real pre-commit, the GitHub Action (`action.yml`) by running
//! its shell steps as the runner does, and the SARIF both feed to code scanning with Microsoft's
//! SARIF validator. `cargo xtask ci-faces` runs these alone.

mod action;
mod pre_commit;
mod sarif;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::util::{self, Result};

/// The template the CI faces are tried with: a repository that is right in every other way (scanned, its own key, a lifecycle policy).
pub(super) const MUTABLE: &str = "\
Resources:
  Repository:
    Type: AWS::ECR::Repository
    Properties:
      ImageTagMutability: MUTABLE
      ImageScanningConfiguration:
        ScanOnPush: true
      EncryptionConfiguration:
        EncryptionType: KMS
        KmsKey: alias/images
      LifecyclePolicy:
        LifecyclePolicyText: '{\"rules\": [{\"rulePriority\": 1, \"selection\": {\"tagStatus\": \"any\", \"countType\": \"imageCountMoreThan\", \"countNumber\": 100}, \"action\": {\"type\": \"expire\"}}]}'
";
pub(super) const FINDING: &str = "template.yaml:5:27: warning[ECR201] `ImageTagMutability` is `MUTABLE`: image tags can be overwritten";

/// pre-commit in its virtualenv and the SARIF validator, each only when missing or out of date.
pub fn setup() -> Result {
    pre_commit::setup()?;
    sarif::setup()
}

pub fn test() -> Result {
    setup()?;
    let ecrlint = util::release_ecrlint()?;
    let started = Instant::now();
    pre_commit::test(&ecrlint)?;
    action::test()?;
    sarif::test(&ecrlint)?;
    eprintln!(
        "xtask: the pre-commit hook, the GitHub Action and the SARIF passed ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// A fresh folder for one suite, in the build folder (kept after a failure, for a look).
fn work_dir(name: &str) -> Result<PathBuf> {
    let dir = util::target_dir().join("ci-faces").join(name);
    if dir.exists() {
        fs::remove_dir_all(&dir).map_err(|e| format!("cannot clear {}: {e}", dir.display()))?;
    }
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir)
}

fn write(path: &Path, text: &str) -> Result {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn read(path: &Path) -> Result<String> {
    fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// What a finished command printed, and its exit code (`None` when a signal ended it).
struct Output {
    what: String,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Output {
    fn text(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// The exit code must be `code`.
    fn expect_code(&self, code: i32) -> Result<&Self> {
        if self.code == Some(code) {
            return Ok(self);
        }
        Err(format!(
            "{}: expected exit code {code}, got {:?}\n{}",
            self.what,
            self.code,
            self.text()
        ))
    }

    /// Standard output and error together must hold each of `lines` as a whole line.
    fn expect_lines(&self, lines: &[&str]) -> Result<&Self> {
        expect_lines(&self.what, &self.text(), lines)?;
        Ok(self)
    }
}

fn expect_lines(what: &str, text: &str, lines: &[&str]) -> Result {
    let missing: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|wanted| !text.lines().any(|line| line == *wanted))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{what}: these lines are missing:\n  {}\nin:\n{text}",
        missing.join("\n  ")
    ))
}

/// Runs a prepared command with standard input closed, echoing it, and returns what it printed.
fn run(what: &str, command: &mut Command) -> Result<Output> {
    eprintln!("$ {what}");
    let out = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {what}: {e}"))?;
    Ok(Output {
        what: what.to_string(),
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

/// `PATH` with `dirs` in front.
fn path_with(dirs: &[&Path]) -> Result<std::ffi::OsString> {
    let mut all: Vec<PathBuf> = dirs.iter().map(|d| d.to_path_buf()).collect();
    if let Some(path) = std::env::var_os("PATH") {
        all.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(all).map_err(|e| format!("cannot build PATH: {e}"))
}

/// A fenced code block of the README: the first ```` ```lang ```` block after `heading`.
fn readme_block(heading: &str, lang: &str) -> Result<String> {
    let readme = read(&util::root().join("README.md"))?;
    let section = readme
        .split_once(&format!("\n{heading}\n"))
        .map(|(_, rest)| rest)
        .ok_or_else(|| format!("README.md has no heading `{heading}`"))?;
    let block = section
        .split_once(&format!("```{lang}\n"))
        .and_then(|(_, rest)| rest.split_once("```"))
        .map(|(block, _)| block.to_string())
        .ok_or_else(|| format!("README.md has no ```{lang} block under `{heading}`"))?;
    Ok(block)
}
