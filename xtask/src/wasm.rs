//! The wasm package and the playground: `cargo xtask wasm` builds the npm package in wasm/pkg,
//! `cargo xtask playground [--serve]` the static site in wasm/playground/dist (and serves it on
//! 127.0.0.1), and `test` runs the API tests under Node.js and the playground's tests in Chromium.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::util::{self, output, root, run, run_in, Result};

const TARGET: &str = "wasm32-unknown-unknown";
const PROFILE: &str = "wasm-release";
const PLAYGROUND: &str = "wasm/playground";
/// Where `setup` notes which package-lock.json node_modules was installed from.
const INSTALLED_LOCK: &str = "node_modules/.ecrlint-installed-package-lock.json";

/// The wasm target, the wasm-bindgen-cli matching the crate's exact wasm-bindgen, and the
/// playground's npm packages; each only when missing or out of date.
pub fn setup() -> Result {
    match output("rustup", &["target", "list", "--installed"]) {
        Some(list) if list.lines().any(|line| line.trim() == TARGET) => {}
        Some(_) => run("rustup", &["target", "add", TARGET])?,
        None => eprintln!("xtask: no rustup; assuming the toolchain can build for {TARGET}"),
    }

    let version = wasm_bindgen_version()?;
    let installed = output("wasm-bindgen", &["--version"]);
    if installed.as_deref().map(str::trim) != Some(format!("wasm-bindgen {version}").as_str()) {
        util::cargo(&[
            "install",
            "wasm-bindgen-cli",
            "--version",
            &version,
            "--locked",
        ])?;
    }

    let playground = root().join(PLAYGROUND);
    let lock = fs::read(playground.join("package-lock.json"))
        .map_err(|e| format!("{PLAYGROUND}/package-lock.json: {e}"))?;
    if fs::read(playground.join(INSTALLED_LOCK)).ok().as_deref() != Some(lock.as_slice()) {
        run_in(PLAYGROUND, "npm", &["ci", "--no-audit", "--no-fund"])?;
        fs::write(playground.join(INSTALLED_LOCK), &lock).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The exact wasm-bindgen version the workspace pins (`wasm-bindgen = "=X"` in Cargo.toml).
fn wasm_bindgen_version() -> Result<String> {
    let manifest = fs::read_to_string(root().join("Cargo.toml")).map_err(|e| e.to_string())?;
    manifest
        .lines()
        .find_map(|line| {
            line.trim()
                .strip_prefix("wasm-bindgen = \"=")?
                .strip_suffix('"')
                .map(str::to_string)
        })
        .ok_or_else(|| "Cargo.toml pins no `wasm-bindgen = \"=X\"`".to_string())
}

/// The workspace's version (`[workspace.package] version`), which the npm package must carry.
fn workspace_version() -> Result<String> {
    let manifest = fs::read_to_string(root().join("Cargo.toml")).map_err(|e| e.to_string())?;
    let section = manifest
        .split("[workspace.package]")
        .nth(1)
        .ok_or("Cargo.toml has no [workspace.package]")?;
    section
        .lines()
        .take_while(|line| !line.starts_with('['))
        .find_map(|line| {
            line.trim()
                .strip_prefix("version = \"")?
                .strip_suffix('"')
                .map(str::to_string)
        })
        .ok_or_else(|| "[workspace.package] has no version".to_string())
}

fn path_arg(path: &Path) -> Result<&str> {
    path.to_str()
        .ok_or_else(|| format!("{} is not UTF-8", path.display()))
}

/// Builds the npm package into wasm/pkg: the size-tuned wasm, its JavaScript glue and TypeScript
/// declarations (from wasm-bindgen, with the types tsify derives from the Rust API), shrunk by
/// wasm-opt when the playground's npm packages (binaryen) are installed.
pub fn build() -> Result {
    util::cargo(&[
        "build",
        "-p",
        "ecrlint_wasm",
        "--target",
        TARGET,
        "--profile",
        PROFILE,
    ])?;
    let wasm = util::target_dir()
        .join(TARGET)
        .join(PROFILE)
        .join("ecrlint_wasm.wasm");
    let pkg = root().join("wasm/pkg");
    if pkg.exists() {
        fs::remove_dir_all(&pkg).map_err(|e| format!("{}: {e}", pkg.display()))?;
    }
    run(
        "wasm-bindgen",
        &[
            "--target",
            "web",
            "--out-dir",
            path_arg(&pkg)?,
            path_arg(&wasm)?,
        ],
    )?;

    let bg = pkg.join("ecrlint_wasm_bg.wasm");
    let wasm_opt = root().join(PLAYGROUND).join("node_modules/.bin/wasm-opt");
    if wasm_opt.exists() {
        run(
            path_arg(&wasm_opt)?,
            &["-Oz", path_arg(&bg)?, "-o", path_arg(&bg)?],
        )?;
    } else {
        eprintln!("xtask: no wasm-opt (run `cargo xtask setup`); the wasm is left unoptimized");
    }

    let manifest = fs::read_to_string(root().join("wasm/package.json"))
        .map_err(|e| format!("wasm/package.json: {e}"))?;
    let version = workspace_version()?;
    if !manifest.contains(&format!("\"version\": \"{version}\"")) {
        return Err(format!(
            "wasm/package.json must have \"version\": \"{version}\", the workspace's version"
        ));
    }
    for (from, to) in [
        ("wasm/package.json", "package.json"),
        ("wasm/README.md", "README.md"),
    ] {
        fs::copy(root().join(from), pkg.join(to)).map_err(|e| format!("{from}: {e}"))?;
    }
    let size = fs::metadata(&bg).map_err(|e| e.to_string())?.len();
    eprintln!("xtask: wasm/pkg built; ecrlint_wasm_bg.wasm is {size} bytes");
    Ok(())
}

/// Builds the package, then the static site into wasm/playground/dist; with `serve`, serves it on
/// http://127.0.0.1:8080 (`PORT` to change) until interrupted.
pub fn playground(serve: bool) -> Result {
    build()?;
    run_in(PLAYGROUND, "node", &["scripts/build.mjs"])?;
    if serve {
        run_in(PLAYGROUND, "node", &["scripts/serve.mjs"])?;
    }
    Ok(())
}

/// Clippy for wasm32, the wasm-bindgen tests under Node.js, the playground's type check (with the
/// type-level tests of the package's declarations), the package's tests under Node.js and the
/// playground's end-to-end tests in headless Chromium. (The native API tests run with the
/// workspace's `cargo test`.)
pub fn test() -> Result {
    // The Node.js tests exist only on wasm32, where the workspace-wide clippy does not look.
    util::cargo(&[
        "clippy",
        "-p",
        "ecrlint_wasm",
        "--target",
        TARGET,
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ])?;
    eprintln!(
        "$ cargo test -p ecrlint_wasm --target {TARGET} --test node (runner: wasm-bindgen-test-runner)"
    );
    let status = Command::new("cargo")
        .args([
            "test",
            "-p",
            "ecrlint_wasm",
            "--target",
            TARGET,
            "--test",
            "node",
        ])
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
            "wasm-bindgen-test-runner",
        )
        .current_dir(root())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("the wasm tests failed ({status})"));
    }
    playground(false)?;
    run_in(
        PLAYGROUND,
        "npx",
        &["--no-install", "tsc", "-p", "tsconfig.json"],
    )?;
    run_in(
        PLAYGROUND,
        "node",
        &["--test", "--test-concurrency=1", "tests/"],
    )
}
