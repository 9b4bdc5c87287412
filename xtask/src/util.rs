//! Running commands from the repository root, with the command echoed and failures as values.

use std::path::PathBuf;
use std::process::Command;

pub type Result<T = ()> = std::result::Result<T, String>;

/// The repository root (the parent of xtask/).
pub fn root() -> PathBuf {
    // `cargo run` names the manifest of the clone it runs from; the path compiled in may be
    // another clone's when a build folder is shared between clones.
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest
        .parent()
        .expect("xtask lives in the repository")
        .to_path_buf()
}

/// Where cargo builds: `CARGO_TARGET_DIR` (`.ci/run` keeps one outside the clone, reused
/// between runs), else `target/` in the repository.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|dir| {
            if dir.is_absolute() {
                dir
            } else {
                root().join(dir)
            }
        })
        .unwrap_or_else(|| root().join("target"))
}

/// Runs a program in `dir` (relative to the root), failing on a non-zero exit.
pub fn run_in(dir: &str, program: &str, args: &[&str]) -> Result {
    eprintln!("$ (cd {dir} && {program} {})", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .current_dir(root().join(dir))
        .status()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{program} {} failed ({status})", args.join(" ")))
    }
}

pub fn run(program: &str, args: &[&str]) -> Result {
    run_in(".", program, args)
}

pub fn cargo(args: &[&str]) -> Result {
    run("cargo", args)
}

/// Runs a program and returns its standard output, or `None` when it cannot run or fails.
pub fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

pub fn have(program: &str) -> bool {
    output("sh", &["-c", &format!("command -v {program}")]).is_some()
}

/// Builds the release `ecrlint` and returns its path.
pub fn release_ecrlint() -> Result<PathBuf> {
    cargo(&["build", "--release", "-p", "ecrlint"])?;
    Ok(target_dir()
        .join("release")
        .join(format!("ecrlint{}", std::env::consts::EXE_SUFFIX)))
}
