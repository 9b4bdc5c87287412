//! The VS Code extension: install its npm packages, test it (down to a real VS Code, code-server,
//! driven in Chromium), package the .vsix with the release server inside.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::util::{self, root, Result};

const DIR: &str = "vscode-extension";

/// Where `setup` records the package-lock.json that node_modules was installed from.
const INSTALLED_LOCK: &str = "node_modules/.ecrlint-installed-package-lock.json";

/// `npm ci`, unless node_modules was already installed from this exact package-lock.json.
pub fn setup() -> Result {
    let dir = root().join(DIR);
    let lock = dir.join("package-lock.json");
    let installed = dir.join(INSTALLED_LOCK);
    let wanted = fs::read(&lock).map_err(|e| format!("cannot read {}: {e}", lock.display()))?;
    if fs::read(&installed).is_ok_and(|have| have == wanted) {
        return Ok(());
    }
    if !util::have("npm") {
        return Err(
            "the VS Code extension needs Node.js and npm (apt-get install nodejs npm)".into(),
        );
    }
    util::run_in(DIR, "npm", &["ci", "--no-audit", "--no-fund"])?;
    fs::write(&installed, wanted).map_err(|e| format!("cannot write {}: {e}", installed.display()))
}

/// `cargo xtask vscode [--e2e]`: builds the release server and the .vsix for this machine; with
/// `--e2e`, then runs the end-to-end tests in code-server with it.
pub fn package(e2e: bool) -> Result {
    let vsix = build_vsix()?;
    eprintln!("packaged {}", vsix.display());
    if e2e {
        end_to_end(&vsix.to_string_lossy())?;
    }
    Ok(())
}

/// Unit tests and type checks, then the packaged extension: its contents, the server inside it
/// spoken to over the protocol with the extension's own initialization options, and the
/// extension installed in code-server, used with the keyboard in Chromium.
pub fn test() -> Result {
    setup()?;
    util::run_in(DIR, "npm", &["run", "--silent", "typecheck"])?;
    util::run_in(DIR, "node", &["scripts/icon.mjs", "--check"])?;
    util::run_in(DIR, "npm", &["run", "--silent", "test:unit"])?;
    let vsix = build_vsix()?;
    let server = format!("server/ecrlint{}", std::env::consts::EXE_SUFFIX);
    util::run_in(
        DIR,
        "node",
        &["scripts/screenshot.mjs", "--check", "--ecrlint", &server],
    )?;
    let vsix = vsix.to_string_lossy();
    npm_with_vsix("test:package", &vsix, &[])?;
    npm_with_vsix("test:protocol", &vsix, &[])?;
    end_to_end(&vsix)
}

/// The .vsix installed in code-server (which `cargo xtask setup` installs), once per engine:
/// the Problems panel, Ctrl+., Ctrl+S and the file on disk. Screenshots go to test-artifacts/.
fn end_to_end(vsix: &str) -> Result {
    let code_server = crate::code_server::installed()?;
    let code_server = code_server
        .to_str()
        .ok_or_else(|| format!("{} is not UTF-8", code_server.display()))?;
    npm_with_vsix("test:vscode", vsix, &[("ECRLINT_CODE_SERVER", code_server)])
}

fn build_vsix() -> Result<PathBuf> {
    setup()?;
    let target = vsce_target()?;
    let built = util::release_ecrlint()?;
    let binary = format!("ecrlint{}", std::env::consts::EXE_SUFFIX);
    let server_dir = root().join(DIR).join("server");
    // A binary left from another platform's package must not end up in this one.
    if server_dir.exists() {
        fs::remove_dir_all(&server_dir)
            .map_err(|e| format!("cannot clear {}: {e}", server_dir.display()))?;
    }
    fs::create_dir_all(&server_dir)
        .map_err(|e| format!("cannot create {}: {e}", server_dir.display()))?;
    let bundled = server_dir.join(&binary);
    fs::copy(&built, &bundled).map_err(|e| {
        format!(
            "cannot copy {} to {}: {e}",
            built.display(),
            bundled.display()
        )
    })?;
    make_executable(&bundled)?;

    let version = extension_version()?;
    let name = format!("ecrlint-{target}-{version}.vsix");
    // `vsce package` bundles the client first (the `vscode:prepublish` script).
    run_quiet_stdin(
        "npm",
        &[
            "run", "--silent", "package", "--", "--target", target, "--out", &name,
        ],
        &[],
    )?;
    Ok(root().join(DIR).join(name))
}

fn npm_with_vsix(script: &str, vsix: &str, env: &[(&str, &str)]) -> Result {
    let mut env = env.to_vec();
    env.push(("ECRLINT_VSIX", vsix));
    run_quiet_stdin("npm", &["run", "--silent", script], &env)
}

/// Runs in the extension folder with stdin closed, so a tool that would ask a question fails
/// instead of waiting for an answer.
fn run_quiet_stdin(program: &str, args: &[&str], env: &[(&str, &str)]) -> Result {
    let shown_env: String = env.iter().map(|(k, v)| format!("{k}={v} ")).collect();
    eprintln!("$ (cd {DIR} && {shown_env}{program} {})", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(root().join(DIR))
        .stdin(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{program} {} failed ({status})", args.join(" ")))
    }
}

/// The `version` in vscode-extension/package.json (a test checks it equals the workspace's).
fn extension_version() -> Result<String> {
    let manifest_path = root().join(DIR).join("package.json");
    let manifest = fs::read_to_string(&manifest_path)
        .map_err(|e| format!("cannot read {}: {e}", manifest_path.display()))?;
    manifest
        .lines()
        .find_map(|line| {
            let value = line.trim().strip_prefix("\"version\": \"")?;
            Some(value.split('"').next()?.to_string())
        })
        .ok_or_else(|| format!("no version in {}", manifest_path.display()))
}

/// The platform name `vsce package --target` uses for the machine this runs on.
fn vsce_target() -> Result<&'static str> {
    use std::env::consts::{ARCH, OS};
    let musl = cfg!(target_env = "musl");
    Ok(match (OS, ARCH, musl) {
        ("linux", "x86_64", false) => "linux-x64",
        ("linux", "aarch64", false) => "linux-arm64",
        ("linux", "arm", false) => "linux-armhf",
        ("linux", "x86_64", true) => "alpine-x64",
        ("linux", "aarch64", true) => "alpine-arm64",
        ("macos", "x86_64", _) => "darwin-x64",
        ("macos", "aarch64", _) => "darwin-arm64",
        ("windows", "x86_64", _) => "win32-x64",
        ("windows", "aarch64", _) => "win32-arm64",
        _ => return Err(format!("VS Code has no extension target for {OS}-{ARCH}")),
    })
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755))
        .map_err(|e| format!("cannot make {} executable: {e}", path.display()))
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) -> Result {
    Ok(())
}
