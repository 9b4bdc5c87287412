//! ecrlint's SARIF, validated by Microsoft's SARIF validator (`Sarif.Multitool validate`, pinned in
//! xtask/ci-tools/package.json) against the SARIF 2.1.0 schema, the SARIF rules and GitHub's
//! ingestion rules (`--rule-kind Sarif;Gh;Ghas`): the bundled examples and every rule fixture,
//! with all rules selected. Errors and warnings fail; notes are the validator's advice, counted.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::{read, run, work_dir, write};
use crate::util::{self, root, Result};

const DIR: &str = "xtask/ci-tools";
/// Where `setup` keeps a copy of the package-lock.json node_modules was installed from.
const INSTALLED_LOCK: &str = "node_modules/.ecrlint-installed-package-lock.json";
const RULE_KINDS: &str = "Sarif;Gh;Ghas";

/// `npm ci`, unless node_modules was already installed from this exact package-lock.json.
pub fn setup() -> Result {
    let dir = root().join(DIR);
    let lock = dir.join("package-lock.json");
    let wanted = fs::read(&lock).map_err(|e| format!("cannot read {}: {e}", lock.display()))?;
    let installed = dir.join(INSTALLED_LOCK);
    if fs::read(&installed).is_ok_and(|have| have == wanted) {
        return Ok(());
    }
    util::run_in(DIR, "npm", &["ci", "--no-audit", "--no-fund"])?;
    fs::write(&installed, wanted).map_err(|e| format!("cannot write {}: {e}", installed.display()))
}

/// The validator's own executable. (The package's `bin.js` runs it through a shell, which would
/// split `Sarif;Gh;Ghas` at the semicolons.)
fn multitool() -> Result<PathBuf> {
    let out = Command::new("node")
        .args([
            "-e",
            "process.stdout.write(require('@microsoft/sarif-multitool'))",
        ])
        .current_dir(root().join(DIR))
        .output()
        .map_err(|e| format!("cannot run node: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cannot find the SARIF multitool (run `cargo xtask setup`): {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).into_owned());
    make_executable(&path)?;
    Ok(path)
}

/// npm may leave the package's install script (a `chmod u+x`) unrun.
#[cfg(unix)]
fn make_executable(path: &Path) -> Result {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .permissions()
        .mode();
    if mode & 0o100 == 0 {
        fs::set_permissions(path, fs::Permissions::from_mode(mode | 0o100))
            .map_err(|e| format!("cannot make {} executable: {e}", path.display()))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) -> Result {
    Ok(())
}

/// What the validator found: each finding's rule and level, and its console lines (file,
/// position, level, rule, JSON path, message).
struct Validation {
    findings: Vec<(String, String)>,
    console: String,
}

impl Validation {
    /// The console lines of the findings at `level`.
    fn lines(&self, level: &str) -> Vec<&str> {
        let marker = format!(": {level} ");
        self.console
            .lines()
            .filter(|l| l.contains(&marker))
            .collect()
    }
}

/// Validates one SARIF file. The validator's exit code is 0 whatever it finds: its findings are
/// read from the SARIF log it writes.
fn validate(multitool: &Path, sarif: &Path) -> Result<Validation> {
    let log = sarif.with_extension("validation.sarif");
    if log.exists() {
        fs::remove_file(&log).map_err(|e| format!("{}: {e}", log.display()))?;
    }
    let config = root().join(DIR).join("sarif-validation.xml");
    let mut command = Command::new(multitool);
    command
        .arg("validate")
        .arg("--config")
        .arg(&config)
        .args(["--rule-kind", RULE_KINDS, "--level", "Error;Warning;Note"])
        .arg("--output")
        .arg(&log)
        .arg(sarif);
    let what = format!(
        "Sarif.Multitool validate --rule-kind {RULE_KINDS} {}",
        sarif.display()
    );
    let out = run(&what, &mut command)?;
    out.expect_code(0)?;
    let text = read(&log)?;
    let log: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", log.display()))?;
    if log["runs"][0]["invocations"][0]["executionSuccessful"] != true {
        return Err(format!("the validator did not finish:\n{}", out.text()));
    }
    let findings = log["runs"][0]["results"]
        .as_array()
        .ok_or("the validator's log has no results")?
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap_or_default().to_string(),
                r["level"].as_str().unwrap_or("warning").to_string(),
            )
        })
        .collect();
    Ok(Validation {
        findings,
        console: out.stdout,
    })
}

pub fn test(ecrlint: &Path) -> Result {
    let work = work_dir("sarif")?;
    let multitool = multitool()?;
    let inputs: [(&str, &[&str]); 2] = [
        ("examples", &["examples"]),
        ("fixtures", &["--select", "ALL", "tests/fixtures"]),
    ];
    let mut examples = None;
    for (name, args) in inputs {
        let mut command = Command::new(ecrlint);
        command
            .args(["check", "--output-format", "sarif"])
            .args(args)
            .current_dir(root());
        let out = run(
            &format!("ecrlint check --output-format sarif {}", args.join(" ")),
            &mut command,
        )?;
        out.expect_code(1)?;
        let sarif = work.join(format!("{name}.sarif"));
        write(&sarif, &out.stdout)?;
        let validation = validate(&multitool, &sarif)?;
        let serious = validation
            .findings
            .iter()
            .filter(|(_, level)| level != "note")
            .count();
        if serious > 0 {
            let mut lines = validation.lines("error");
            lines.extend(validation.lines("warning"));
            return Err(format!(
                "the SARIF validator rejects ecrlint's SARIF for {name} ({serious} errors and warnings):\n{}",
                lines.join("\n")
            ));
        }
        let mut notes: BTreeMap<&str, usize> = BTreeMap::new();
        for (rule, _) in &validation.findings {
            *notes.entry(rule.as_str()).or_default() += 1;
        }
        let notes: Vec<String> = notes.iter().map(|(r, n)| format!("{r} ×{n}")).collect();
        eprintln!(
            "xtask: the SARIF for {name} is valid (the validator's notes: {})",
            if notes.is_empty() {
                "none".into()
            } else {
                notes.join(", ")
            }
        );
        if examples.is_none() {
            examples = Some(out.stdout);
        }
    }

    // The validator must see what GitHub would refuse: a result without a location, a line 0.
    let mut broken: Value = serde_json::from_str(&examples.unwrap_or_default())
        .map_err(|e| format!("ecrlint's SARIF is not JSON: {e}"))?;
    let results = broken["runs"][0]["results"]
        .as_array_mut()
        .filter(|r| r.len() >= 2)
        .ok_or("the examples' SARIF has fewer than two results")?;
    results[0]
        .as_object_mut()
        .ok_or("a result is not an object")?
        .remove("locations");
    results[1]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0.into();
    let sarif = work.join("broken.sarif");
    write(
        &sarif,
        &serde_json::to_string_pretty(&broken).map_err(|e| e.to_string())?,
    )?;
    let validation = validate(&multitool, &sarif)?;
    let errors = validation.lines("error");
    for (rule, pointer) in [
        ("GH1015", "runs[0].results[0]"),
        (
            "JSON1008",
            "runs[0].results[1].locations[0].physicalLocation.region.startLine",
        ),
    ] {
        let wanted = format!(": error {rule}: {pointer}:");
        if !errors.iter().any(|l| l.contains(&wanted)) {
            return Err(format!(
                "the validator did not report `{wanted}` for broken SARIF; it reported:\n{}",
                validation.console
            ));
        }
    }
    Ok(())
}
