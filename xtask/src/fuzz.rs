//! Fuzzing: installs cargo-fuzz when missing, seeds the corpora from the fixtures, examples, the peer
//! corpus and every input fuzzing has found before, and runs the targets in fuzz/ — briefly as
//! part of `cargo xtask test`, as long as asked by hand (`cargo xtask fuzz [TARGET] [SECONDS]`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::util::{self, root, Result};

/// The targets in fuzz/Cargo.toml.
pub const TARGETS: &[&str] = &["check", "fix_roundtrip", "line_index", "terraform"];

/// Seconds each target runs in the suite.
const SMOKE_SECONDS: u32 = 30;

/// Inputs that took more than this many seconds count as a hang.
const TIMEOUT_SECONDS: u32 = 10;

/// Memory one input may take before libFuzzer calls it a failure.
const RSS_LIMIT_MB: u32 = 2048;

/// The fuzz targets need nightly and cargo-fuzz; both are installed when missing.
pub fn setup() -> Result {
    let nightly = util::output("rustup", &["toolchain", "list"])
        .is_some_and(|list| list.lines().any(|l| l.starts_with("nightly")));
    if !nightly {
        util::run(
            "rustup",
            &["toolchain", "install", "nightly", "--profile", "minimal"],
        )?;
    }
    if util::output("cargo", &["fuzz", "--version"]).is_none() {
        util::cargo(&["install", "cargo-fuzz", "--locked"])?;
    }
    Ok(())
}

/// Every target for a short while: part of the suite.
pub fn smoke() -> Result {
    // fuzz/ is a workspace of its own, which `cargo fmt --all` at the root does not reach.
    util::run_in("fuzz", "cargo", &["fmt", "--check"])?;
    run(None, SMOKE_SECONDS)
}

/// The hostile inputs through the wasm package under Node.js, when the package is built
/// (`cargo xtask wasm`; the suite runs this after the wasm tests, which build it).
pub fn wasm_hostile() -> Result {
    if !root().join("wasm/pkg/ecrlint_wasm.js").exists() {
        eprintln!("fuzz: wasm/pkg is not built; skipping fuzz/wasm-hostile.mjs (run `cargo xtask wasm` first)");
        return Ok(());
    }
    util::run("node", &["fuzz/wasm-hostile.mjs"])
}

/// `cargo xtask fuzz [TARGET] [SECONDS]`.
pub fn command(args: &[&str]) -> Result {
    let mut target = None;
    let mut seconds = 300;
    for arg in args {
        if let Ok(n) = arg.parse() {
            seconds = n;
        } else if TARGETS.contains(arg) {
            target = Some(*arg);
        } else {
            return Err(format!(
                "unknown fuzz target `{arg}` (targets: {})",
                TARGETS.join(", ")
            ));
        }
    }
    run(target, seconds)
}

fn run(target: Option<&str>, seconds: u32) -> Result {
    setup()?;
    let targets: Vec<&str> = target.map_or_else(|| TARGETS.to_vec(), |t| vec![t]);
    for target in &targets {
        seed(target)?;
    }
    util::run_in("fuzz", "cargo", &["+nightly", "fuzz", "build"])?;
    let mut summary = Vec::new();
    for target in &targets {
        summary.push(run_target(target, seconds)?);
    }
    eprintln!("\nfuzzing, {seconds} s per target:");
    for line in summary {
        eprintln!("  {line}");
    }
    Ok(())
}

/// Runs one target; a failure names the input libFuzzer saved and how to replay it.
fn run_target(target: &str, seconds: u32) -> Result<String> {
    let max_time = format!("-max_total_time={seconds}");
    let timeout = format!("-timeout={TIMEOUT_SECONDS}");
    let rss = format!("-rss_limit_mb={RSS_LIMIT_MB}");
    let dict = root().join("fuzz/ecrlint.dict");
    let dict = format!("-dict={}", dict.display());
    let args = [
        "+nightly",
        "fuzz",
        "run",
        target,
        "--",
        &max_time,
        &timeout,
        &rss,
        &dict,
        "-print_final_stats=1",
    ];
    eprintln!("$ (cd fuzz && cargo {})", args.join(" "));
    let output = Command::new("cargo")
        .args(args)
        .current_dir(root().join("fuzz"))
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run cargo fuzz: {e}"))?;
    let log = String::from_utf8_lossy(&output.stderr);
    let stats = Stats::read(&log);
    if !output.status.success() {
        // The panic message and the saved input, without libFuzzer's and cargo-fuzz's backtraces.
        let lines: Vec<&str> = log.lines().collect();
        let mut report: Vec<&str> = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            if line.contains("panicked at") || line.starts_with("==") && line.contains("ERROR") {
                report.extend(lines.iter().skip(i).take(3));
            } else if line.contains("artifacts/") || line.starts_with("SUMMARY") {
                report.push(line);
            }
        }
        return Err(format!(
            "fuzz target `{target}` failed after {} executions:\n{}\n\nReplay the saved input with `cd fuzz && cargo +nightly fuzz run {target} <artifact>`, then add it under fuzz/regressions/{target}/.",
            stats.last_status_runs,
            report.join("\n")
        ));
    }
    Ok(format!(
        "{target}: {} executions in {} s ({} per second), corpus {} inputs, peak RSS {} MB",
        stats.runs, stats.seconds, stats.per_second, stats.corpus, stats.peak_rss_mb
    ))
}

/// libFuzzer's final statistics (`-print_final_stats=1`) and its last status line.
#[derive(Default)]
struct Stats {
    runs: String,
    seconds: String,
    per_second: String,
    corpus: String,
    peak_rss_mb: String,
    last_status_runs: String,
}

impl Stats {
    fn read(log: &str) -> Stats {
        let mut stats = Stats::default();
        for line in log.lines() {
            let value = |key: &str| {
                line.strip_prefix(key)
                    .map(|rest| rest.trim().trim_end_matches("Mb").trim().to_string())
            };
            if let Some(v) = value("stat::number_of_executed_units:") {
                stats.runs = v;
            } else if let Some(v) = value("stat::average_exec_per_sec:") {
                stats.per_second = v;
            } else if let Some(v) = value("stat::peak_rss_mb:") {
                stats.peak_rss_mb = v;
            } else if let Some(rest) = line.strip_prefix("Done ") {
                // "Done 123 runs in 30 second(s)"
                if let Some(s) = rest.split(" in ").nth(1) {
                    stats.seconds = s.split_whitespace().next().unwrap_or("").to_string();
                }
            }
            // Status lines ("#4096\tpulse  cov: … corp: 120/4Kb … exec/s: 410 rss: 90Mb"): the
            // last one stands for the final statistics when a failure cut the run short.
            if let Some(n) = line
                .strip_prefix('#')
                .and_then(|r| r.split_whitespace().next())
            {
                if n.bytes().all(|b| b.is_ascii_digit()) {
                    stats.last_status_runs = n.to_string();
                }
            }
            if let Some(at) = line.find(" corp: ") {
                let rest = &line[at + " corp: ".len()..];
                stats.corpus = rest.split('/').next().unwrap_or("").to_string();
            }
        }
        stats
    }
}

/// Where seeds come from: the rule fixtures, the examples, the peer corpus in the repository and,
/// when it sits beside the repository, the shared peer corpus; and every input fuzzing found before.
fn seed_sources(target: &str) -> Vec<PathBuf> {
    let root = root();
    let mut sources = vec![
        root.join("tests/fixtures"),
        root.join("tests/peer-corpus"),
        root.join("examples"),
        root.join("../shared/corpus"),
    ];
    sources.push(root.join("fuzz/regressions").join(target));
    sources
}

/// Copies the seeds into fuzz/corpus/TARGET (gitignored), named after where they came from.
/// Inputs libFuzzer added there before stay.
pub fn seed(target: &str) -> Result {
    let corpus = root().join("fuzz/corpus").join(target);
    std::fs::create_dir_all(&corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
    let mut count = 0;
    for source in seed_sources(target) {
        if !source.is_dir() {
            continue;
        }
        let mut files = Vec::new();
        collect(&source, &mut files).map_err(|e| format!("{}: {e}", source.display()))?;
        for file in files {
            let relative = file.strip_prefix(root()).unwrap_or(&file);
            let name: String = relative
                .to_string_lossy()
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            let to = corpus.join(format!("seed-{name}"));
            std::fs::copy(&file, &to).map_err(|e| format!("{}: {e}", file.display()))?;
            count += 1;
        }
    }
    eprintln!("fuzz/corpus/{target}: {count} seeds");
    Ok(())
}

/// Inputs under a folder: templates, policies, CLI output and the raw inputs fuzzing saved.
fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<std::io::Result<_>>()?;
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            collect(&path, out)?;
        } else if !matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("md" | "snap" | "rego" | "py" | "go" | "rs")
        ) {
            out.push(path);
        }
    }
    Ok(())
}
