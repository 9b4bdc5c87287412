//! Installs what the suites need and is missing: nothing is assumed to be on a new machine
//! beyond Rust, Node.js, Python and apt.

use crate::util::{self, have, Result};

/// Debian packages: a real browser for the playground tests, a real LSP client, hyperfine, and
/// jq, which the GitHub Action's steps use.
const APT_PACKAGES: &[(&str, &str)] = &[
    ("chromium", "chromium"),
    ("nvim", "neovim"),
    ("hyperfine", "hyperfine"),
    ("jq", "jq"),
];

pub fn run() -> Result {
    let missing: Vec<&str> = APT_PACKAGES
        .iter()
        .filter(|(program, _)| !have(program))
        .map(|(_, package)| *package)
        .collect();
    if !missing.is_empty() {
        util::run("apt-get", &["update", "-qq"])?;
        let mut args = vec!["install", "-y", "-qq", "--no-install-recommends"];
        args.extend(&missing);
        util::run("apt-get", &args)?;
    }
    crate::wasm::setup()?;
    crate::vscode::setup()?;
    crate::ci::setup()?;
    crate::moto::setup()?;
    Ok(())
}
