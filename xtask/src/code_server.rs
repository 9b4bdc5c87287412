//! code-server (VS Code served to a browser) for the extension's end-to-end tests: installed from
//! npm into a cache folder outside the clone, once per version, with nothing fetched at run time.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::Result;

/// code-server 4.100.3 is VS Code 1.100.3, the last release that runs on Node.js 20.
pub const VERSION: &str = "4.100.3";

/// Written last, inside the installed folder: its presence means every step succeeded.
const MARKER: &str = ".ecrlint-installed";

/// `$XDG_CACHE_HOME/ecrlint/code-server-VERSION` (else `~/.cache/...`).
pub fn install_dir() -> Result<PathBuf> {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .ok_or("neither XDG_CACHE_HOME nor HOME is set: no cache folder for code-server")?;
    Ok(cache.join("ecrlint").join(format!("code-server-{VERSION}")))
}

/// The `code-server` program, once `setup` has installed it.
pub fn installed() -> Result<PathBuf> {
    let dir = install_dir()?;
    if fs::read_to_string(dir.join(MARKER)).is_ok_and(|v| v.trim() == VERSION) {
        Ok(package_dir(&dir).join("out/node/entry.js"))
    } else {
        Err(format!(
            "code-server {VERSION} is not installed in {}: run `cargo xtask setup`",
            dir.display()
        ))
    }
}

fn package_dir(dir: &Path) -> PathBuf {
    dir.join("node_modules/code-server")
}

/// Installs code-server unless this version is already there. The npm package's own postinstall
/// cannot run here (it downloads ripgrep from GitHub), so its steps are done one by one: the
/// packages of the bundled VS Code without scripts, Debian's ripgrep in place of the download,
/// the native modules rebuilt against the installed Node.js headers, and the links the script
/// makes. The work happens in a `.partial` folder renamed at the end, so an interrupted install
/// is started again rather than used.
pub fn setup() -> Result {
    if installed().is_ok() {
        return Ok(());
    }
    let node = crate::util::output("node", &["--version"]).unwrap_or_default();
    if !node.starts_with("v20.") {
        return Err(format!(
            "code-server {VERSION} needs Node.js 20 (its native modules are built for it), not {}",
            if node.is_empty() { "none" } else { node.trim() }
        ));
    }
    let dir = install_dir()?;
    let mut partial = dir.clone().into_os_string();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    for stale in [&dir, &partial] {
        if stale.exists() {
            fs::remove_dir_all(stale)
                .map_err(|e| format!("cannot clear {}: {e}", stale.display()))?;
        }
    }
    fs::create_dir_all(&partial)
        .map_err(|e| format!("cannot create {}: {e}", partial.display()))?;
    fs::write(
        partial.join("package.json"),
        "{ \"private\": true, \"description\": \"code-server for ecrlint's end-to-end tests\" }\n",
    )
    .map_err(|e| format!("cannot write {}: {e}", partial.display()))?;
    eprintln!(
        "xtask: installing code-server {VERSION} into {} (a few minutes)",
        dir.display()
    );

    let spec = format!("code-server@{VERSION}");
    npm(&partial, &["install", "--ignore-scripts", &spec], &[])?;

    let package = package_dir(&partial);
    let vscode = package.join("lib/vscode");
    npm(&vscode, &["install", "--omit=dev", "--ignore-scripts"], &[])?;
    // @vscode/ripgrep's postinstall does nothing when bin/ exists.
    let rg_bin = vscode.join("node_modules/@vscode/ripgrep/bin");
    fs::create_dir_all(&rg_bin).map_err(|e| format!("cannot create {}: {e}", rg_bin.display()))?;
    symlink(Path::new(&which("rg")?), &rg_bin.join("rg"))?;
    // Native modules (kerberos, node-pty, spdlog, native-watchdog) are built from source against
    // the Node.js headers installed with Node (no header download); node-pty's postinstall runs
    // `npx node-gyp`, which must not stop to ask.
    let native_env = [("npm_config_nodedir", "/usr"), ("npm_config_yes", "true")];
    npm(&vscode, &["rebuild"], &native_env)?;

    // The rest of code-server's postinstall.sh.
    symlink(Path::new("node_modules"), &vscode.join("node_modules.asar"))?;
    symlink(
        Path::new("code-linux.sh"),
        &vscode.join("bin/remote-cli/code-server"),
    )?;
    symlink(
        Path::new("browser-linux.sh"),
        &vscode.join("bin/helpers/browser.sh"),
    )?;
    npm(
        &vscode.join("extensions"),
        &["install", "--omit=dev"],
        &native_env,
    )?;
    // argon2 (code-server's password hashing, loaded even with `--auth none`) is hoisted to the
    // top node_modules; its install script builds it when the prebuilt download is unreachable.
    npm(&partial, &["rebuild", "argon2"], &native_env)?;

    fs::write(partial.join(MARKER), format!("{VERSION}\n"))
        .map_err(|e| format!("cannot write the marker in {}: {e}", partial.display()))?;
    fs::rename(&partial, &dir).map_err(|e| {
        format!(
            "cannot rename {} to {}: {e}",
            partial.display(),
            dir.display()
        )
    })?;
    installed().map(|_| ())
}

fn npm(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Result {
    eprintln!("$ (cd {} && npm {})", dir.display(), args.join(" "));
    let status = Command::new("npm")
        .args(args)
        .args(["--no-audit", "--no-fund"])
        .envs(env.iter().copied())
        .current_dir(dir)
        .status()
        .map_err(|e| format!("cannot run npm: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "npm {} in {} failed ({status})",
            args.join(" "),
            dir.display()
        ))
    }
}

fn which(program: &str) -> Result<String> {
    crate::util::output("sh", &["-c", &format!("command -v {program}")])
        .map(|path| path.trim().to_string())
        .filter(|path| path.starts_with('/'))
        .ok_or_else(|| format!("{program} is not installed (cargo xtask setup installs it)"))
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> Result {
    if fs::symlink_metadata(link).is_ok() {
        fs::remove_file(link).map_err(|e| format!("cannot replace {}: {e}", link.display()))?;
    }
    std::os::unix::fs::symlink(target, link).map_err(|e| {
        format!(
            "cannot link {} to {}: {e}",
            link.display(),
            target.display()
        )
    })
}

#[cfg(not(unix))]
fn symlink(_target: &Path, _link: &Path) -> Result {
    Err("code-server is installed for the end-to-end tests on Linux only".into())
}
