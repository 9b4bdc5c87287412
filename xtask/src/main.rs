//! Project chores: `cargo xtask test` (the whole suite, installing what it needs), `setup`,
//! `docs` (regenerate rule pages), `wasm`, `playground`, `vscode`, `ci-faces`, the benchmarks
//! (`bench-peers`, `bench-check`, `bench-server`, `bench-audit`) and `fuzz`.

mod bench_check;
mod bench_server;
mod ci;
mod code_server;
mod docs;
mod fuzz;
mod moto;
mod peers;
mod setup;
mod util;
mod vscode;
mod wasm;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  test              set up what is missing, then run every check and test suite
  setup             install the tools the suites need (apt packages, wasm target, wasm-bindgen-cli, npm packages, pre-commit, code-server, moto and the AWS CLI)
  docs [--check]    regenerate docs/rules from the rules' metadata (--check: fail when stale)
  wasm              build the wasm package into wasm/pkg
  playground [--serve]  build the playground into wasm/playground/dist (and serve it on localhost)
  vscode [--target linux-arm64|win32-x64]… [--e2e]  package the VS Code extension: the universal .vsix and this platform's
                    (and cross-built ones); --e2e: then use this platform's in a real VS Code (code-server) in Chromium
  vscode --test     the extension's whole suite (part of `test`), the real VS Code included
  ci-faces          test the pre-commit hook, the GitHub Action and the SARIF (part of `test`)
  fuzz [TARGET] [SECONDS]  run the fuzz targets (default: each for 300 s)
  bench-peers       time ecrlint against cfn-lint, checkov, cfn-guard and trivy on a generated corpus
  bench-audit [N] [RUNS] [PROWLER_RUNS] [LATENCY_MS]  time `ecrlint audit` against Prowler's ECR checks on moto (3 regions x N repositories, default 500), and on moto's answers replayed at LATENCY_MS (default 20), and score both
  bench-check       time the whole `ecrlint check` process against the YAML event stream on a 2.8 MB template
  bench-server [ECRLINT]  the language server's time and peak memory on a 4.3 MB template with 100,000 findings";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rest: Vec<&str> = args.iter().skip(1).map(String::as_str).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test(&rest),
        Some("setup") => setup::run(),
        Some("docs") => docs::run(rest.contains(&"--check")),
        Some("wasm") => wasm::build(),
        Some("playground") => wasm::playground(rest.contains(&"--serve")),
        Some("vscode") if rest.contains(&"--test") => vscode::test(),
        Some("vscode") => vscode::package(&rest),
        Some("ci-faces") => ci::test(),
        Some("bench-peers") => peers::run(&rest),
        Some("bench-check") => bench_check::run(),
        Some("bench-server") => bench_server::run(rest.first().copied()),
        Some("bench-audit") => moto::bench(&rest),
        Some("fuzz") => fuzz::command(&rest),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The whole suite, in the order that fails fastest.
fn test(args: &[&str]) -> util::Result {
    setup::run()?;
    util::cargo(&["fmt", "--all", "--check"])?;
    util::cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ])?;
    docs::run(true)?;
    util::cargo(&["test", "--workspace"])?;
    fuzz::smoke()?;
    if args.contains(&"--rust-only") {
        return Ok(());
    }
    ci::test()?;
    wasm::test()?;
    fuzz::wasm_hostile()?;
    vscode::test()?;
    Ok(())
}
