//! The local AWS for `ecrlint audit`'s tests and benchmark: moto's server and the AWS CLI (which
//! runs the remediation scripts), in a virtualenv cached outside the clone
//! (`~/.cache/ecrlint/moto-venv`, or `ECRLINT_MOTO_VENV`), made once and kept.

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
