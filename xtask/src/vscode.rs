//! The VS Code extension: install its npm packages, test it, and package it: one universal .vsix
//! (the WebAssembly language server, for every platform and the web) and one per platform with the
//! native release server inside (this machine's, and the cross-built ones asked for).

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

/// `cargo xtask vscode [--target PLATFORM]…`: the universal .vsix and this machine's, plus one per
/// `--target` (`linux-arm64`, `win32-x64`: cross-built with Debian's gcc-aarch64-linux-gnu and
/// gcc-mingw-w64-x86-64).
pub fn package(args: &[&str]) -> Result {
    let mut targets = vec![vsce_target()?];
    let mut rest = args.iter();
    let mut e2e = false;
    while let Some(arg) = rest.next() {
        match *arg {
            "--e2e" => e2e = true,
            "--target" => {
                let target = rest.next().ok_or("--target needs a platform")?;
                let known = CROSS
                    .iter()
                    .find(|c| c.vsce == *target)
                    .ok_or_else(|| format!("no cross build for {target}"))?;
                targets.push(known.vsce);
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    // The bundles take the WebAssembly language service from wasm/pkg.
    crate::wasm::build()?;
    eprintln!("packaged {}", build_universal_vsix()?.display());
    let mut own = None;
    for target in targets {
        let vsix = build_vsix(target)?;
        eprintln!("packaged {}", vsix.display());
        own.get_or_insert(vsix);
    }
    match own {
        Some(vsix) if e2e => end_to_end(&vsix.to_string_lossy()),
        _ => Ok(()),
    }
}

/// The .vsix installed in code-server (which `cargo xtask setup` installs), once per engine in
/// its Node.js extension host and once in the browser's web worker extension host: the Problems
/// panel, Ctrl+., Ctrl+S and the file on disk. Screenshots go to test-artifacts/.
fn end_to_end(vsix: &str) -> Result {
    let code_server = crate::code_server::installed()?;
    let code_server = code_server
        .to_str()
        .ok_or_else(|| format!("{} is not UTF-8", code_server.display()))?;
    run_quiet_stdin(
        "npm",
        &["run", "--silent", "test:vscode"],
        &[("ECRLINT_VSIX", vsix), ("ECRLINT_CODE_SERVER", code_server)],
    )
}

/// A platform the native server is cross-built for from Linux x64.
struct Cross {
    vsce: &'static str,
    rust: &'static str,
    linker: &'static str,
    exe: &'static str,
}

const CROSS: &[Cross] = &[
    Cross {
        vsce: "linux-arm64",
        rust: "aarch64-unknown-linux-gnu",
        linker: "aarch64-linux-gnu-gcc",
        exe: "",
    },
    Cross {
        vsce: "win32-x64",
        rust: "x86_64-pc-windows-gnu",
        linker: "x86_64-w64-mingw32-gcc",
        exe: ".exe",
    },
];

/// Unit tests and type checks, then the packaged extensions: their contents, the native server
/// inside spoken to over the protocol with the extension's own initialization options, the
/// WebAssembly server beside it giving the same answers, and the extension installed in
/// code-server, used with the keyboard in Chromium.
pub fn test() -> Result {
    setup()?;
    // The WebAssembly server's sources import the wasm package: built before the type check.
    crate::wasm::build()?;
    util::run_in(DIR, "npm", &["run", "--silent", "typecheck"])?;
    util::run_in(DIR, "node", &["scripts/icon.mjs", "--check"])?;
    util::run_in(DIR, "npm", &["run", "--silent", "test:unit"])?;
    let universal = build_universal_vsix()?;
    let vsix = build_vsix(vsce_target()?)?;
    let server = format!("server/ecrlint{}", std::env::consts::EXE_SUFFIX);
    util::run_in(
        DIR,
        "node",
        &["scripts/screenshot.mjs", "--check", "--ecrlint", &server],
    )?;
    let universal = universal.to_string_lossy();
    let vsix = vsix.to_string_lossy();
    let env = [
        ("ECRLINT_VSIX", vsix.as_ref()),
        ("ECRLINT_VSIX_UNIVERSAL", universal.as_ref()),
    ];
    run_quiet_stdin("npm", &["run", "--silent", "test:package"], &env)?;
    run_quiet_stdin("npm", &["run", "--silent", "test:protocol"], &env)?;
    run_quiet_stdin("npm", &["run", "--silent", "test:engines"], &env)?;
    end_to_end(&vsix)
}

/// The .vsix without a native server (wasm/pkg built first): the WebAssembly engine runs everywhere (`vsce package`
/// with no `--target` makes it the package for every platform and the web).
fn build_universal_vsix() -> Result<PathBuf> {
    setup()?;
    clear_server_dir()?;
    let name = format!("ecrlint-{}.vsix", extension_version()?);
    run_quiet_stdin(
        "npm",
        &["run", "--silent", "package", "--", "--out", &name],
        &[],
    )?;
    Ok(root().join(DIR).join(name))
}

fn clear_server_dir() -> Result<PathBuf> {
    let server_dir = root().join(DIR).join("server");
    // A binary left from another platform's package must not end up in this one.
    if server_dir.exists() {
        fs::remove_dir_all(&server_dir)
            .map_err(|e| format!("cannot clear {}: {e}", server_dir.display()))?;
    }
    Ok(server_dir)
}

/// The native release server for `target` (this machine's, or a cross build).
fn native_server(target: &str) -> Result<(PathBuf, &'static str)> {
    if target == vsce_target()? {
        return Ok((util::release_ecrlint()?, std::env::consts::EXE_SUFFIX));
    }
    let cross = CROSS
        .iter()
        .find(|c| c.vsce == target)
        .ok_or_else(|| format!("no cross build for {target}"))?;
    if !util::have(cross.linker) {
        return Err(format!(
            "{} is missing: apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-mingw-w64-x86-64",
            cross.linker
        ));
    }
    let linker_var = format!(
        "CARGO_TARGET_{}_LINKER",
        cross.rust.to_uppercase().replace('-', "_")
    );
    eprintln!(
        "$ {linker_var}={} cargo build --release -p ecrlint --target {}",
        cross.linker, cross.rust
    );
    let status = Command::new("cargo")
        .args([
            "build",
            "--release",
            "-p",
            "ecrlint",
            "--target",
            cross.rust,
        ])
        .env(&linker_var, cross.linker)
        .current_dir(root())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("the {target} build failed ({status})"));
    }
    let built = util::target_dir()
        .join(cross.rust)
        .join("release")
        .join(format!("ecrlint{}", cross.exe));
    Ok((built, cross.exe))
}

/// The .vsix for one platform (wasm/pkg built first), with the native release server for it
/// inside and the WebAssembly engine beside it, for `ecrlint.engine: wasm`.
fn build_vsix(target: &str) -> Result<PathBuf> {
    setup()?;
    let (built, exe) = native_server(target)?;
    let binary = format!("ecrlint{exe}");
    let server_dir = clear_server_dir()?;
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
    // `vsce package` bundles the client and the servers first (the `vscode:prepublish` script).
    run_quiet_stdin(
        "npm",
        &[
            "run", "--silent", "package", "--", "--target", target, "--out", &name,
        ],
        &[],
    )?;
    Ok(root().join(DIR).join(name))
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
