//! Installs what the suites need and is missing: nothing is assumed to be on a new machine
//! beyond Rust, Node.js, Python and apt.

use crate::util::{self, have, Result};

/// Debian packages, each with the program that shows it is there (`None`: asked of dpkg): a real
/// browser for the playground and VS Code tests, a real LSP client, hyperfine, jq, which the
/// GitHub Action's steps use, and what code-server needs (ripgrep for its search, a compiler,
/// Python and the Kerberos headers for its native modules).
const APT_PACKAGES: &[(Option<&str>, &str)] = &[
    (Some("chromium"), "chromium"),
    (Some("nvim"), "neovim"),
    (Some("hyperfine"), "hyperfine"),
    (Some("jq"), "jq"),
    (Some("rg"), "ripgrep"),
    (Some("python3"), "python3"),
    (None, "build-essential"),
    (None, "libkrb5-dev"),
];

fn installed(program: Option<&str>, package: &str) -> bool {
    match program {
        Some(program) => have(program),
        None => util::output("dpkg-query", &["-W", "-f=${Status}", package])
            .is_some_and(|status| status == "install ok installed"),
    }
}

pub fn run() -> Result {
    let missing: Vec<&str> = APT_PACKAGES
        .iter()
        .filter(|(program, package)| !installed(*program, package))
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
    crate::code_server::setup()?;
    crate::ci::setup()?;
    crate::moto::setup()?;
    Ok(())
}
