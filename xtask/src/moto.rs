//! The local AWS for `ecrlint audit`'s tests and benchmark: moto's server and the AWS CLI (which
//! runs the remediation scripts), in a virtualenv cached outside the clone
//! (`~/.cache/ecrlint/moto-venv`, or `ECRLINT_MOTO_VENV`), made once and kept; and
//! `bench-audit`, which puts Prowler in a virtualenv beside it and runs bench/audit/bench.py.

use std::path::PathBuf;

use crate::util::{self, Result};

/// Pinned: the tests assert exact findings of what this server answers.
const PACKAGES: &[&str] = &["moto[server]==5.2.5", "awscli==1.46.3"];

/// Where the virtualenv lives; the tests look for it at the same place.
pub fn venv() -> PathBuf {
    if let Some(dir) = std::env::var_os("ECRLINT_MOTO_VENV") {
        return PathBuf::from(dir);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from("/tmp"));
    cache.join("ecrlint").join("moto-venv")
}

pub fn setup() -> Result {
    let venv = venv();
    let bin = venv.join("bin");
    if bin.join("moto_server").exists() && bin.join("aws").exists() {
        return Ok(());
    }
    let path = venv.to_string_lossy().into_owned();
    util::run("python3", &["-m", "venv", &path])?;
    let pip = bin.join("pip").to_string_lossy().into_owned();
    let mut args = vec!["install", "-q"];
    args.extend(PACKAGES);
    util::run(&pip, &args)
}

/// Prowler, pinned, in a virtualenv of its own beside moto's (its dependencies are not moto's).
const PROWLER: &str = "prowler==5.46.0";

/// `cargo xtask bench-audit [REPOSITORIES] [RUNS] [PROWLER_RUNS] [LATENCY_MS]`: `ecrlint audit`
/// against Prowler's ECR checks on one moto server, and on its answers replayed with a fixed
/// latency (bench/audit/bench.py), with what it needs installed first.
pub fn bench(args: &[&str]) -> Result {
    setup()?;
    let prowler_venv = venv().with_file_name("prowler-venv");
    let prowler = prowler_venv.join("bin").join("prowler");
    if !prowler.exists() {
        let path = prowler_venv.to_string_lossy().into_owned();
        util::run("python3", &["-m", "venv", &path])?;
        let pip = prowler_venv.join("bin").join("pip");
        util::run(&pip.to_string_lossy(), &["install", "-q", PROWLER])?;
    }
    let ecrlint = util::release_ecrlint()?;
    let bin = venv().join("bin");
    let python = bin.join("python");
    let script = util::root().join("bench/audit/bench.py");
    let mut command = vec![
        script.to_string_lossy().into_owned(),
        "--ecrlint".into(),
        ecrlint.to_string_lossy().into_owned(),
        "--prowler".into(),
        prowler.to_string_lossy().into_owned(),
    ];
    if let Some(n) = args.first() {
        command.extend(["--repositories".into(), n.to_string()]);
    }
    if let Some(runs) = args.get(1) {
        command.extend(["--runs".into(), runs.to_string()]);
    }
    if let Some(runs) = args.get(2) {
        command.extend(["--prowler-runs".into(), runs.to_string()]);
    }
    if let Some(latency) = args.get(3) {
        command.extend(["--latency-ms".into(), latency.to_string()]);
    }
    let command: Vec<&str> = command.iter().map(String::as_str).collect();
    util::run(&python.to_string_lossy(), &command)
}
