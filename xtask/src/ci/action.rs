//! The GitHub Action: action.yml's shell steps, run as the runner runs a composite action — the
//! inputs with their defaults, the `env:` expressions, `GITHUB_OUTPUT`, `GITHUB_PATH`,
//! `bash --noprofile --norc -eo pipefail`, and no step after a failed one — against templates with
//! and without findings. The steps that use other actions (the cache, the SARIF upload) cannot run
//! here: their `if:` and `with:` are evaluated, and the file the upload is given must be SARIF.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use ecrlint_core::syntax::{self, Format, Node};
use serde_json::Value;

use super::{expect_lines, path_with, read, readme_block, run, work_dir, write};
use super::{FINDING, MUTABLE};
use crate::util::{self, root, Result};

/// A value known only at deployment: an info-level finding (ECR903), below the default fail-level.
const UNKNOWN: &str = "\
Parameters:
  Mutability:
    Type: String
Resources:
  Repository:
    Type: AWS::ECR::Repository
    Properties:
      ImageTagMutability: !Ref Mutability
      ImageScanningConfiguration:
        ScanOnPush: true
      EncryptionConfiguration:
        EncryptionType: KMS
        KmsKey: alias/images
      LifecyclePolicy:
        LifecyclePolicyText: '{\"rules\": [{\"rulePriority\": 1, \"selection\": {\"tagStatus\": \"any\", \"countType\": \"imageCountMoreThan\", \"countNumber\": 100}, \"action\": {\"type\": \"expire\"}}]}'
";

struct Action {
    /// Each input with its default.
    inputs: Vec<(String, String)>,
    outputs: Vec<(String, String)>,
    steps: Vec<Step>,
}

struct Step {
    id: Option<String>,
    name: String,
    condition: Option<String>,
    kind: StepKind,
}

enum StepKind {
    Run {
        script: String,
        env: Vec<(String, String)>,
    },
    Uses {
        action: String,
        with: Vec<(String, String)>,
    },
}

fn text(node: Option<&Node>, what: &str) -> Result<String> {
    node.and_then(Node::as_str)
        .map(str::to_string)
        .ok_or_else(|| format!("action.yml: {what} is missing or not a string"))
}

/// A mapping of names to strings (`env:`, `with:`).
fn strings(node: Option<&Node>, what: &str) -> Result<Vec<(String, String)>> {
    let Some(node) = node else {
        return Ok(Vec::new());
    };
    let mapping = node
        .as_mapping()
        .ok_or_else(|| format!("action.yml: {what} is not a mapping"))?;
    mapping
        .entries
        .iter()
        .map(|e| {
            let key = e.key.text.to_string();
            Ok((key.clone(), text(Some(&e.value), &format!("{what}.{key}"))?))
        })
        .collect()
}

fn load() -> Result<Action> {
    let source = read(&root().join("action.yml"))?;
    let document = syntax::parse(&source, Format::Yaml);
    if let Some(error) = document.errors.first() {
        let line = source[..error.range.start as usize].matches('\n').count() + 1;
        return Err(format!(
            "action.yml:{line}: it does not parse: {}",
            error.message
        ));
    }
    let top = document.root.ok_or("action.yml is empty")?;
    let runs = top.get("runs").ok_or("action.yml has no `runs`")?;
    if text(runs.get("using"), "runs.using")? != "composite" {
        return Err("action.yml: runs.using must be `composite`".into());
    }

    let mut inputs = Vec::new();
    for entry in top
        .get("inputs")
        .and_then(Node::as_mapping)
        .map(|m| m.entries.as_slice())
        .unwrap_or_default()
    {
        let default = entry
            .value
            .get("default")
            .and_then(Node::as_str)
            .unwrap_or_default();
        inputs.push((entry.key.text.to_string(), default.to_string()));
    }
    let mut outputs = Vec::new();
    for entry in top
        .get("outputs")
        .and_then(Node::as_mapping)
        .map(|m| m.entries.as_slice())
        .unwrap_or_default()
    {
        let what = format!("outputs.{}.value", entry.key.text);
        outputs.push((
            entry.key.text.to_string(),
            text(entry.value.get("value"), &what)?,
        ));
    }

    let mut steps = Vec::new();
    let items = runs
        .get("steps")
        .and_then(Node::as_sequence)
        .ok_or("action.yml has no runs.steps")?;
    for (index, item) in items.items.iter().enumerate() {
        let what = format!("runs.steps[{index}]");
        let name = text(item.get("name"), &format!("{what}.name"))?;
        let kind = if let Some(script) = item.get("run") {
            let script = text(Some(script), &format!("{what}.run"))?;
            // On the runner `${{ }}` inside a script is pasted into the code before bash reads it:
            // inputs reach the scripts through `env:` only.
            if script.contains("${{") {
                return Err(format!(
                    "action.yml: step `{name}` has `${{{{` in its script; pass values through `env:`"
                ));
            }
            if text(item.get("shell"), &format!("{what}.shell"))? != "bash" {
                return Err(format!(
                    "action.yml: step `{name}` must say `shell: bash` (this test runs bash)"
                ));
            }
            StepKind::Run {
                script,
                env: strings(item.get("env"), &format!("{what}.env"))?,
            }
        } else {
            StepKind::Uses {
                action: text(item.get("uses"), &format!("{what}.uses"))?,
                with: strings(item.get("with"), &format!("{what}.with"))?,
            }
        };
        steps.push(Step {
            id: item.get("id").and_then(Node::as_str).map(str::to_string),
            name,
            condition: item.get("if").and_then(Node::as_str).map(str::to_string),
            kind,
        });
    }
    Ok(Action {
        inputs,
        outputs,
        steps,
    })
}

/// What one run of the action did.
struct Outcome {
    /// The step that failed and its exit code; `None` when every step passed.
    failed: Option<(String, Option<i32>)>,
    /// Every step's output, in order, each under a `## step name` line.
    log: String,
    /// The action's outputs.
    outputs: BTreeMap<String, String>,
    /// The `with:` of each step that uses another action and would have run.
    used: Vec<(String, BTreeMap<String, String>)>,
    /// What the steps added to `PATH` for the job's later steps, newest first.
    path: Vec<PathBuf>,
}

/// The runner's side of one run: the expression contexts and the files steps write to.
struct Runner<'a> {
    action: &'a Action,
    inputs: BTreeMap<String, String>,
    step_outputs: BTreeMap<String, BTreeMap<String, String>>,
    /// Folders steps added to `GITHUB_PATH`, newest first.
    path: Vec<PathBuf>,
    workspace: PathBuf,
    temp: PathBuf,
    tool_cache: PathBuf,
}

impl Runner<'_> {
    /// A string with `${{ … }}` expressions replaced by their values.
    fn eval(&self, text: &str) -> Result<String> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 3..];
            let end = after
                .find("}}")
                .ok_or_else(|| format!("unterminated expression in `{text}`"))?;
            out.push_str(&self.value(after[..end].trim())?);
            rest = &after[end + 2..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// The contexts action.yml may read; anything else is an error here, not a guess.
    fn value(&self, expression: &str) -> Result<String> {
        let parts: Vec<&str> = expression.split('.').collect();
        match parts.as_slice() {
            ["inputs", name] => self.inputs.get(*name).cloned().ok_or_else(|| {
                format!("action.yml reads `{expression}`, an input it does not declare")
            }),
            ["steps", id, "outputs", name] => {
                if !self
                    .action
                    .steps
                    .iter()
                    .any(|s| s.id.as_deref() == Some(*id))
                {
                    return Err(format!(
                        "action.yml reads `{expression}`: there is no step `{id}`"
                    ));
                }
                // An output a step did not set is empty on the runner too.
                Ok(self
                    .step_outputs
                    .get(*id)
                    .and_then(|o| o.get(*name))
                    .cloned()
                    .unwrap_or_default())
            }
            ["runner", "os"] => Ok("Linux".into()),
            ["runner", "arch"] => Ok("X64".into()),
            _ => Err(format!(
                "action.yml uses `{expression}`, which this test does not evaluate"
            )),
        }
    }

    /// `if:` conditions of the form `context == 'text'` (GitHub compares strings ignoring case).
    fn condition(&self, expression: &str) -> Result<bool> {
        let expression = expression.trim();
        let expression = expression
            .strip_prefix("${{")
            .and_then(|e| e.strip_suffix("}}"))
            .unwrap_or(expression);
        let unsupported =
            || format!("action.yml: `if: {expression}` is not a condition this test evaluates");
        let (left, right) = expression.split_once("==").ok_or_else(unsupported)?;
        let right = right
            .trim()
            .strip_prefix('\'')
            .and_then(|r| r.strip_suffix('\''))
            .ok_or_else(unsupported)?;
        Ok(self.value(left.trim())?.eq_ignore_ascii_case(right))
    }

    fn run(mut self) -> Result<Outcome> {
        let mut log = String::new();
        let mut used = Vec::new();
        let mut failed = None;
        for (index, step) in self.action.steps.iter().enumerate() {
            if let Some(condition) = &step.condition {
                if !self.condition(condition)? {
                    log.push_str(&format!("## {} (skipped: {condition})\n", step.name));
                    continue;
                }
            }
            match &step.kind {
                StepKind::Uses { action, with } => {
                    let with = with
                        .iter()
                        .map(|(k, v)| Ok((k.clone(), self.eval(v)?)))
                        .collect::<Result<BTreeMap<_, _>>>()?;
                    log.push_str(&format!("## {} (uses {action}: not run here)\n", step.name));
                    used.push((action.clone(), with));
                }
                StepKind::Run { script, env } => {
                    let code = self.run_script(index, step, script, env, &mut log)?;
                    if code != Some(0) {
                        failed = Some((step.name.clone(), code));
                        break;
                    }
                }
            }
        }
        let outputs = self
            .action
            .outputs
            .iter()
            .map(|(name, value)| Ok((name.clone(), self.eval(value)?)))
            .collect::<Result<_>>()?;
        Ok(Outcome {
            failed,
            log,
            outputs,
            used,
            path: self.path,
        })
    }

    fn run_script(
        &mut self,
        index: usize,
        step: &Step,
        script: &str,
        env: &[(String, String)],
        log: &mut String,
    ) -> Result<Option<i32>> {
        let script_file = self.temp.join(format!("step-{index}.sh"));
        let output_file = self.temp.join(format!("step-{index}.output"));
        let path_file = self.temp.join(format!("step-{index}.path"));
        write(&script_file, script)?;
        write(&output_file, "")?;
        write(&path_file, "")?;
        let dirs: Vec<&Path> = self.path.iter().map(PathBuf::as_path).collect();
        let mut command = Command::new("bash");
        command
            .args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script_file)
            .current_dir(&self.workspace)
            .env("PATH", path_with(&dirs)?)
            .env("GITHUB_ACTION_PATH", root())
            .env("GITHUB_WORKSPACE", &self.workspace)
            .env("GITHUB_OUTPUT", &output_file)
            .env("GITHUB_PATH", &path_file)
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .env("RUNNER_TEMP", &self.temp)
            .env("RUNNER_TOOL_CACHE", &self.tool_cache)
            // The build folder this suite shares, so that installing does not build from scratch,
            // and the crates it has downloaded already.
            .env("CARGO_TARGET_DIR", util::target_dir())
            .env("CARGO_NET_OFFLINE", "true");
        for (name, value) in env {
            command.env(name, self.eval(value)?);
        }
        let out = run(&format!("action step `{}`", step.name), &mut command)?;
        log.push_str(&format!("## {}\n{}", step.name, out.text()));

        if let Some(id) = &step.id {
            let outputs = parse_outputs(&read(&output_file)?)?;
            self.step_outputs.insert(id.clone(), outputs);
        }
        for line in read(&path_file)?.lines().filter(|l| !l.is_empty()) {
            self.path.insert(0, PathBuf::from(line));
        }
        Ok(out.code)
    }
}

/// The `GITHUB_OUTPUT` file: `name=value` lines and `name<<DELIMITER` blocks.
fn parse_outputs(text: &str) -> Result<BTreeMap<String, String>> {
    let mut outputs = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((name, delimiter)) = line.split_once("<<") {
            let mut value = Vec::new();
            loop {
                match lines.next() {
                    Some(l) if l == delimiter => break,
                    Some(l) => value.push(l),
                    None => return Err(format!("GITHUB_OUTPUT: `{name}` is not closed")),
                }
            }
            outputs.insert(name.to_string(), value.join("\n"));
        } else if let Some((name, value)) = line.split_once('=') {
            outputs.insert(name.to_string(), value.to_string());
        } else if !line.is_empty() {
            return Err(format!("GITHUB_OUTPUT: cannot read `{line}`"));
        }
    }
    Ok(outputs)
}

/// One run of the action: a workspace with `files`, `inputs` over the defaults, and a tool cache
/// shared between runs as the actions/cache step shares it between jobs.
fn run_action(
    action: &Action,
    work: &Path,
    case: &str,
    files: &[(&str, &str)],
    inputs: &[(&str, &str)],
) -> Result<Outcome> {
    let dir = work.join(case);
    let workspace = dir.join("workspace");
    for (name, text) in files {
        write(&workspace.join(name), text)?;
    }
    let temp = dir.join("temp");
    std::fs::create_dir_all(&temp).map_err(|e| format!("{}: {e}", temp.display()))?;
    let mut values: BTreeMap<String, String> = action.inputs.iter().cloned().collect();
    for (name, value) in inputs {
        if values.insert(name.to_string(), value.to_string()).is_none() {
            return Err(format!("action.yml has no input `{name}`"));
        }
    }
    eprintln!("xtask: the action, {case}");
    let outcome = Runner {
        action,
        inputs: values,
        step_outputs: BTreeMap::new(),
        path: Vec::new(),
        workspace,
        temp,
        tool_cache: work.join("tool-cache"),
    }
    .run()?;
    write(&dir.join("log.txt"), &outcome.log)?;
    Ok(outcome)
}

impl Outcome {
    fn expect_failed(&self, step: &str, code: i32) -> Result<&Self> {
        match &self.failed {
            Some((name, Some(c))) if name == step && *c == code => Ok(self),
            other => Err(format!(
                "expected step `{step}` to fail with exit code {code}, got {other:?}\n{}",
                self.log
            )),
        }
    }

    fn expect_passed(&self) -> Result<&Self> {
        match &self.failed {
            None => Ok(self),
            Some(failed) => Err(format!(
                "expected every step to pass, but {failed:?} failed\n{}",
                self.log
            )),
        }
    }

    fn expect_lines(&self, lines: &[&str]) -> Result<&Self> {
        expect_lines("the action's log", &self.log, lines)?;
        Ok(self)
    }

    fn expect_absent(&self, text: &str) -> Result<&Self> {
        match self.log.contains(text) {
            false => Ok(self),
            true => Err(format!("the action's log has `{text}`:\n{}", self.log)),
        }
    }

    fn expect_outputs(&self, expected: &[(&str, &str)]) -> Result<&Self> {
        for (name, value) in expected {
            let got = self.outputs.get(*name).map(String::as_str);
            if got != Some(*value) {
                return Err(format!(
                    "output `{name}`: expected `{value}`, got {got:?}\n{}",
                    self.log
                ));
            }
        }
        Ok(self)
    }

    /// The SARIF file: read by the upload when it runs, and holding `(ruleId, level, uri)` results.
    fn expect_sarif(&self, upload: bool, results: &[(&str, &str, &str)]) -> Result<&Self> {
        let file = self
            .outputs
            .get("sarif-file")
            .filter(|f| !f.is_empty())
            .ok_or("the action has no sarif-file output")?;
        let uploads: Vec<&BTreeMap<String, String>> = self
            .used
            .iter()
            .filter(|(action, _)| action.starts_with("github/codeql-action/upload-sarif@"))
            .map(|(_, with)| with)
            .collect();
        match (upload, uploads.as_slice()) {
            (true, [with]) if with.get("sarif_file") == Some(file) => {}
            (false, []) => {}
            _ => {
                return Err(format!(
                    "expected {} upload of {file}, got {uploads:?}",
                    if upload { "an" } else { "no" }
                ))
            }
        }
        let log: Value = serde_json::from_str(&read(Path::new(file))?)
            .map_err(|e| format!("{file} is not JSON: {e}"))?;
        let got: Vec<(&str, &str, &str)> = log["runs"][0]["results"]
            .as_array()
            .ok_or_else(|| format!("{file} has no runs[0].results"))?
            .iter()
            .map(|r| {
                (
                    r["ruleId"].as_str().unwrap_or_default(),
                    r["level"].as_str().unwrap_or_default(),
                    r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                        .as_str()
                        .unwrap_or_default(),
                )
            })
            .collect();
        if got != results || log["version"] != "2.1.0" {
            return Err(format!(
                "{file}: expected SARIF 2.1.0 with results {results:?}, got version {} and {got:?}",
                log["version"]
            ));
        }
        Ok(self)
    }
}

pub fn test() -> Result {
    let action = load()?;
    check_readme(&action)?;
    let work = work_dir("action")?;
    let bad = [("template.yaml", MUTABLE)];
    let fixed = MUTABLE.replace("MUTABLE", "IMMUTABLE");
    let good = [("template.yaml", fixed.as_str())];

    // With the defaults: a warning fails, and is uploaded. The first run builds ecrlint, the
    // next ones find it in the tool cache.
    let built = |outcome: &Outcome| {
        outcome
            .log
            .lines()
            .any(|l| l.trim_start().starts_with("Installed package `ecrlint v"))
    };
    let first = run_action(&action, &work, "defaults", &bad, &[])?;
    first
        .expect_failed("Verdict", 1)?
        .expect_lines(&[
            FINDING,
            "::error title=ecrlint::1 finding(s) at fail-level warning or above",
        ])?
        .expect_outputs(&[("findings", "1"), ("failing", "1")])?
        .expect_sarif(true, &[("ECR201", "warning", "template.yaml")])?;
    if !built(&first) {
        return Err(format!(
            "the first run did not build ecrlint:\n{}",
            first.log
        ));
    }
    // The job's later steps find ecrlint on PATH.
    if !first.path.iter().any(|dir| dir.join("ecrlint").is_file()) {
        return Err(format!(
            "the action put no ecrlint on PATH: {:?}",
            first.path
        ));
    }
    let again = run_action(&action, &work, "defaults-again", &bad, &[])?;
    again.expect_failed("Verdict", 1)?;
    let reused = again
        .log
        .lines()
        .any(|l| l.starts_with("Built before: ecrlint "));
    if built(&again) || !reused {
        return Err(format!(
            "the second run did not use the ecrlint built before:\n{}",
            again.log
        ));
    }

    // The fixed template passes, and its SARIF has no results.
    run_action(&action, &work, "fixed", &good, &[])?
        .expect_passed()?
        .expect_lines(&["All checks passed (1 file checked)."])?
        .expect_outputs(&[("findings", "0"), ("failing", "0")])?
        .expect_sarif(true, &[])?;

    // fail-level error lets a warning through; annotations for the log; no upload.
    run_action(
        &action,
        &work,
        "fail-level-error",
        &bad,
        &[("fail-level", "error"), ("format", "github"), ("upload", "false")],
    )?
    .expect_passed()?
    .expect_lines(&["::warning title=ecrlint (ECR201 mutable-image-tags),file=template.yaml,line=5,col=27,endLine=5,endColumn=34::ECR201 `ImageTagMutability` is `MUTABLE`: image tags can be overwritten"])?
    .expect_outputs(&[("findings", "1"), ("failing", "0")])?
    .expect_sarif(false, &[("ECR201", "warning", "template.yaml")])?;

    // fail-level info fails on an info-level finding, which the default lets through.
    let unknown = [("template.yaml", UNKNOWN)];
    let unknown_line = "template.yaml:8:27: info[ECR903] cannot tell whether image tags are mutable: parameter `Mutability` has no Default, so its value is chosen at deployment";
    run_action(
        &action,
        &work,
        "fail-level-info",
        &unknown,
        &[("fail-level", "info")],
    )?
    .expect_failed("Verdict", 1)?
    .expect_lines(&[unknown_line])?
    .expect_outputs(&[("findings", "1"), ("failing", "1")])?
    .expect_sarif(true, &[("ECR903", "note", "template.yaml")])?;
    run_action(&action, &work, "fail-level-default-info", &unknown, &[])?
        .expect_passed()?
        .expect_outputs(&[("findings", "1"), ("failing", "0")])?;

    // Several paths on lines of their own, a configuration, a SARIF file of one's choosing.
    run_action(
        &action,
        &work,
        "paths-config",
        &[
            ("infra/template.yaml", MUTABLE),
            ("services/api/template.yaml", MUTABLE),
            ("elsewhere/template.yaml", MUTABLE),
            (
                "ci/ecrlint.toml",
                "[severity]\nmutable-image-tags = \"error\"\n",
            ),
        ],
        &[
            ("paths", "infra\nservices/api\n"),
            ("config", "ci/ecrlint.toml"),
            ("fail-level", "error"),
            ("sarif-file", "findings.sarif"),
        ],
    )?
    .expect_failed("Verdict", 1)?
    .expect_lines(&[
        &FINDING
            .replace("template.yaml", "infra/template.yaml")
            .replace("warning[", "error["),
        &FINDING
            .replace("template.yaml", "services/api/template.yaml")
            .replace("warning[", "error["),
        "::error title=ecrlint::2 finding(s) at fail-level error or above",
    ])?
    .expect_absent("elsewhere/")?
    .expect_outputs(&[("sarif-file", "findings.sarif"), ("findings", "2")])?;
    // (A relative sarif-file is read from the workspace.)
    let sarif = read(&work.join("paths-config/workspace/findings.sarif"))?;
    if !sarif.contains("\"uri\": \"infra/template.yaml\"") {
        return Err(format!(
            "findings.sarif does not name infra/template.yaml:\n{sarif}"
        ));
    }

    // Mistakes stop at the check, before anything is uploaded.
    run_action(
        &action,
        &work,
        "bad-fail-level",
        &bad,
        &[("fail-level", "warnings")],
    )?
    .expect_failed("Check", 2)?
    .expect_lines(&[
        "::error title=ecrlint::fail-level is error, warning, info or none, not `warnings`",
    ])?;
    run_action(
        &action,
        &work,
        "missing-path",
        &bad,
        &[("paths", "template.yml")],
    )?
    .expect_failed("Check", 2)?
    .expect_lines(&["ecrlint: template.yml: No such file or directory (os error 2)"])?;
    Ok(())
}

/// The README's example uses the action by this repository's name, with inputs it has.
fn check_readme(action: &Action) -> Result {
    let workflow = readme_block("### GitHub Action", "yaml")?;
    let document = syntax::parse(&workflow, Format::Yaml);
    if let Some(error) = document.errors.first() {
        return Err(format!(
            "the README's workflow does not parse: {}",
            error.message
        ));
    }
    let root_node = document.root.ok_or("the README's workflow is empty")?;
    let jobs = root_node
        .get("jobs")
        .and_then(Node::as_mapping)
        .ok_or("the README's workflow has no jobs")?;
    let mut uses_action = false;
    for job in &jobs.entries {
        let steps = job.value.get("steps").and_then(Node::as_sequence);
        for step in steps.map(|s| s.items.as_slice()).unwrap_or_default() {
            let Some(uses) = step.get("uses").and_then(Node::as_str) else {
                continue;
            };
            if !uses.starts_with("ecrlint/ecrlint@") {
                continue;
            }
            uses_action = true;
            for (name, _) in strings(step.get("with"), "the README's `with:`")? {
                if !action.inputs.iter().any(|(input, _)| *input == name) {
                    return Err(format!(
                        "the README passes `{name}`, which action.yml does not declare"
                    ));
                }
            }
        }
    }
    if uses_action {
        Ok(())
    } else {
        Err("the README's workflow does not use ecrlint/ecrlint@…".into())
    }
}
