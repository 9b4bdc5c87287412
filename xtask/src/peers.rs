//! `cargo xtask bench-peers`: ecrlint against cfn-lint, checkov, cfn-guard and trivy, on a
//! generated corpus with known answers — timed with hyperfine, peak memory from `/usr/bin/time -v`, and
//! every finding counted right or wrong. A by-hand command: never part of `cargo xtask test`.

mod corpus;
mod emit;
mod report;
mod score;
mod terraform;
mod tools;

use std::fs;
use std::path::Path;
use std::process::Command;

use serde::{Deserialize, Serialize};

use crate::util::{output, root, Result};
use corpus::{Corpus, Set, Size};
use score::Score;
use tools::Tool;

const USAGE: &str =
    "usage: cargo xtask bench-peers [--quick] [--tools a,b] [--sets a,b] [--no-install]
       cargo xtask bench-peers --report [--check]

  (no flag)      generate the corpus, install the peers under bench/work, time and score every
                 tool on every input, write bench/peers-results.json, docs/benchmarks.md
                 (## Against peer tools) and docs/peers.svg
  --quick        a tenth of the corpus and fewer timed runs; results go to bench/work only
  --tools LIST   only these tools (ecrlint, cfn-guard, checkov, cfn-lint, trivy); their figures
                 replace the published ones, the others are kept
  --sets LIST    only these inputs (small, large, policies, terraform, terraform-large),
                 likewise
  --no-install   use the tools as they are
  --report       rewrite docs/benchmarks.md's section and docs/peers.svg from
                 bench/peers-results.json (--check: fail when they are stale)";

/// The published figures, read by `--report` and the staleness test.
pub const RESULTS: &str = "bench/peers-results.json";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Results {
    pub command: String,
    pub machine: Machine,
    pub inputs: Vec<Input>,
    pub tools: Vec<ToolInfo>,
    pub runs: Vec<Run>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    pub cpu: String,
    pub cores: u32,
    pub memory_gib: u32,
    pub os: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Input {
    pub set: String,
    pub files: usize,
    /// The folders the files are in, for the Terraform modules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modules: Option<usize>,
    pub bytes: u64,
    pub flagged: usize,
    pub clean: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ToolInfo {
    pub tool: String,
    pub version: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub tool: String,
    pub set: String,
    pub runs: usize,
    pub mean_s: f64,
    pub stddev_s: Option<f64>,
    pub min_s: f64,
    pub max_s: f64,
    /// User plus system CPU time, mean over the runs.
    pub cpu_s: f64,
    pub peak_rss_kib: u64,
    /// The one-minute load average when the run began: other work on the machine slows every
    /// tool down.
    pub load: f64,
    pub score: Score,
}

struct Options {
    quick: bool,
    tools: Vec<Tool>,
    sets: Vec<Set>,
    install: bool,
}

pub fn run(args: &[&str]) -> Result {
    if args.contains(&"--report") {
        return report::write(args.contains(&"--check"));
    }
    let options = parse(args)?;
    let size = if options.quick {
        Size::QUICK
    } else {
        Size::FULL
    };
    let work = root().join("bench/work");
    let corpus_dir = work.join(if options.quick {
        "corpus-quick"
    } else {
        "corpus"
    });
    eprintln!("generating the corpus in {}", corpus_dir.display());
    let corpus = corpus::generate(size);
    corpus.write(&corpus_dir)?;

    if options.install {
        tools::install_measuring_tools()?;
        for tool in &options.tools {
            tool.install()?;
        }
    }
    let mut tool_infos = Vec::new();
    for tool in &options.tools {
        let version = tool
            .installed_version()
            .ok_or_else(|| format!("{} is not installed; run without --no-install", tool.name()))?;
        // ecrlint is measured as built from this tree: name the commit.
        let version = match (tool, output("git", &["rev-parse", "--short", "HEAD"])) {
            (Tool::Ecrlint, Some(commit)) => format!("{version} ({})", commit.trim()),
            _ => version,
        };
        tool_infos.push(ToolInfo {
            tool: tool.name().into(),
            version,
        });
    }

    let out_dir = work.join(if options.quick {
        "results-quick"
    } else {
        "results"
    });
    fs::create_dir_all(&out_dir).map_err(|e| e.to_string())?;
    let mut runs = Vec::new();
    for set in &options.sets {
        for tool in &options.tools {
            if !tool.reads(*set) {
                continue;
            }
            let run = measure(*tool, *set, &corpus, &corpus_dir, &out_dir, options.quick)?;
            eprintln!(
                "{:>9} {:>8}: {:.3} s, {} MiB, {} right, {} false positives, {} missed",
                tool.name(),
                set.dir(),
                run.mean_s,
                run.peak_rss_kib / 1024,
                run.score.true_positives,
                run.score.false_positives,
                run.score.missed
            );
            runs.push(run);
        }
    }

    let measured = Results {
        command: "cargo xtask bench-peers".into(),
        machine: machine(),
        inputs: Set::ALL.iter().map(|s| input(&corpus, *s)).collect(),
        tools: tool_infos,
        runs,
    };
    if options.quick {
        let path = out_dir.join("results.json");
        let old = fs::read_to_string(&path)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok());
        write_json(&path, &merge(old, measured))?;
        eprintln!("quick results in {} (not published)", path.display());
        return Ok(());
    }
    let published = merge(read_results().ok(), measured);
    write_json(&root().join(RESULTS), &published)?;
    report::write(false)
}

fn parse(args: &[&str]) -> Result<Options> {
    let mut options = Options {
        quick: false,
        tools: Tool::ALL.to_vec(),
        sets: Set::ALL.to_vec(),
        install: true,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match *arg {
            "--quick" => options.quick = true,
            "--no-install" => options.install = false,
            "--tools" => {
                let list = args.next().ok_or(USAGE)?;
                options.tools = list
                    .split(',')
                    .map(|n| {
                        Tool::from_name(n).ok_or_else(|| format!("unknown tool `{n}`\n{USAGE}"))
                    })
                    .collect::<Result<_>>()?;
            }
            "--sets" => {
                let list = args.next().ok_or(USAGE)?;
                options.sets = list
                    .split(',')
                    .map(|n| {
                        Set::ALL
                            .into_iter()
                            .find(|s| s.dir() == n)
                            .ok_or_else(|| format!("unknown input `{n}`\n{USAGE}"))
                    })
                    .collect::<Result<_>>()?;
            }
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok(options)
}

/// One tool on one input: a run under `/usr/bin/time -v` for the findings and peak memory, then
/// hyperfine for the time.
fn measure(
    tool: Tool,
    set: Set,
    corpus: &Corpus,
    corpus_dir: &Path,
    out_dir: &Path,
    quick: bool,
) -> Result<Run> {
    let dir = corpus_dir.join(set.dir());
    let load = load_average();
    let command = tool.command(set);
    eprintln!("$ (cd {} && {})", dir.display(), command.join(" "));
    let (stdout, peak_rss_kib) = tools::run_measured(&command, &dir)?;
    let stem = format!("{}-{}", tool.name(), set.dir());
    fs::write(out_dir.join(format!("{stem}.json")), &stdout).map_err(|e| e.to_string())?;
    let findings = tool.findings(&stdout, set)?;
    let score = score::score(corpus, set, tool.checks(), &findings);
    let wrong: String = score.wrong.iter().map(|w| format!("{w}\n")).collect();
    fs::write(out_dir.join(format!("{stem}-wrong.txt")), wrong).map_err(|e| e.to_string())?;

    let slow = matches!(tool, Tool::Checkov | Tool::CfnLint | Tool::Trivy);
    let counts: Vec<String> = match (slow, quick) {
        (true, true) => vec!["--runs".into(), "1".into()],
        (true, false) => vec!["--runs".into(), "3".into()],
        (false, true) => vec![
            "--warmup".into(),
            "1".into(),
            "--min-runs".into(),
            "3".into(),
        ],
        (false, false) => vec![
            "--warmup".into(),
            "3".into(),
            "--min-runs".into(),
            "10".into(),
        ],
    };
    let export = out_dir.join(format!("{stem}-hyperfine.json"));
    let status = Command::new("hyperfine")
        .args(["--shell=none", "--ignore-failure", "--style", "basic"])
        .args(&counts)
        .arg("--export-json")
        .arg(&export)
        .args(["--command-name", tool.name()])
        .arg(command.join(" "))
        .current_dir(&dir)
        .status()
        .map_err(|e| format!("cannot run hyperfine: {e}"))?;
    if !status.success() {
        return Err(format!("hyperfine failed on {stem} ({status})"));
    }
    let timing: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(&export).map_err(|e| format!("{}: {e}", export.display()))?,
    )
    .map_err(|e| format!("{}: {e}", export.display()))?;
    let result = &timing["results"][0];
    let number = |key: &str| result[key].as_f64();
    let times = result["times"].as_array().map_or(0, Vec::len);
    Ok(Run {
        tool: tool.name().into(),
        set: set.dir().into(),
        runs: times,
        mean_s: number("mean").ok_or("hyperfine: no mean")?,
        stddev_s: number("stddev"),
        min_s: number("min").ok_or("hyperfine: no min")?,
        max_s: number("max").ok_or("hyperfine: no max")?,
        cpu_s: number("user").unwrap_or(0.0) + number("system").unwrap_or(0.0),
        peak_rss_kib,
        load,
        score,
    })
}

fn load_average() -> f64 {
    fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0)
}

fn input(corpus: &Corpus, set: Set) -> Input {
    let files = corpus.files(set);
    let flagged = corpus.answers(set).filter(|(_, _, a)| a.flagged).count();
    Input {
        set: set.dir().into(),
        files: files.len(),
        modules: (set == Set::Terraform).then(|| {
            files
                .iter()
                .filter_map(|f| f.path.split_once('/').map(|(dir, _)| dir))
                .collect::<std::collections::BTreeSet<_>>()
                .len()
        }),
        bytes: files.iter().map(|f| f.text.len() as u64).sum(),
        flagged,
        clean: corpus.answers(set).count() - flagged,
    }
}

fn machine() -> Machine {
    let cpu = output("lscpu", &[])
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("Model name:").map(|v| v.trim().to_string()))
        })
        .unwrap_or_else(|| "unknown".into());
    let cores = output("nproc", &[])
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    let memory_gib = fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            text.lines().find_map(|l| {
                l.strip_prefix("MemTotal:")
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            })
        })
        .map_or(0, |kib| ((kib as f64) / 1024.0 / 1024.0).round() as u32);
    let os = fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|text| {
            text.lines().find_map(|l| {
                l.strip_prefix("PRETTY_NAME=")
                    .map(|v| v.trim_matches('"').to_string())
            })
        })
        .unwrap_or_else(|| "Linux".into());
    Machine {
        cpu,
        cores,
        memory_gib,
        os,
    }
}

pub fn read_results() -> Result<Results> {
    let path = root().join(RESULTS);
    let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn write_json(path: &Path, results: &Results) -> Result {
    let text = serde_json::to_string_pretty(results).map_err(|e| e.to_string())? + "\n";
    fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// New figures replace the published ones for the same tool and input; the rest are kept, so
/// re-running one tool after a change does not need the others to run again.
fn merge(old: Option<Results>, new: Results) -> Results {
    let Some(mut old) = old else { return new };
    old.runs
        .retain(|r| !new.runs.iter().any(|n| n.tool == r.tool && n.set == r.set));
    old.runs.extend(new.runs);
    let order = |r: &Run| {
        (
            Set::ALL.iter().position(|s| s.dir() == r.set),
            Tool::ALL.iter().position(|t| t.name() == r.tool),
        )
    };
    old.runs.sort_by_key(order);
    for info in new.tools {
        old.tools.retain(|t| t.tool != info.tool);
        old.tools.push(info);
    }
    old.tools
        .sort_by_key(|t| Tool::ALL.iter().position(|x| x.name() == t.tool));
    old.machine = new.machine;
    old.inputs = new.inputs;
    old
}
