//! `cargo xtask bench-check`: the whole `ecrlint check` process on a large template, against the
//! floor of reading the same file and running the YAML parser's event stream over it
//! (`core/examples/yaml_events.rs`), timed together by hyperfine and printed as a ratio.

use std::fmt::Write as _;
use std::path::Path;

use crate::util::{self, cargo, Result};

/// About the size of the largest templates CloudFormation takes through S3 (1 MB) several times
/// over: dense with repositories and policies, so the rules have work on every line.
const TARGET_BYTES: usize = 2_800_000;

pub fn run() -> Result {
    if !util::have("hyperfine") {
        return Err("hyperfine is missing: `cargo xtask setup` installs it".into());
    }
    cargo(&["build", "--release", "-p", "ecrlint", "--bin", "ecrlint"])?;
    cargo(&[
        "build",
        "--release",
        "-p",
        "ecrlint_core",
        "--example",
        "yaml_events",
    ])?;
    let dir = util::target_dir().join("bench-check");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let template = dir.join("dense.yaml");
    let text = dense_template(TARGET_BYTES);
    std::fs::write(&template, &text).map_err(|e| format!("{}: {e}", template.display()))?;
    let release = util::target_dir().join("release");
    let events = format!(
        "{} {}",
        release.join("examples/yaml_events").display(),
        template.display()
    );
    let mut commands = vec![events];
    for format in ["json", "human"] {
        commands.push(format!(
            "{} check {} --output-format {format}",
            release.join("ecrlint").display(),
            template.display()
        ));
    }
    let results = dir.join("hyperfine.json");
    let mut args = vec![
        "--warmup",
        "3",
        "--runs",
        "30",
        "-N",
        "--ignore-failure",
        "--export-json",
    ];
    let results_arg = results.display().to_string();
    args.push(&results_arg);
    args.extend(commands.iter().map(String::as_str));
    util::run("hyperfine", &args)?;
    println!("{}", summary(&results, text.len())?);
    Ok(())
}

fn summary(results: &Path, bytes: usize) -> Result<String> {
    let json =
        std::fs::read_to_string(results).map_err(|e| format!("{}: {e}", results.display()))?;
    let value: serde_json::Value = serde_json::from_str(&json).map_err(|e| e.to_string())?;
    let runs = value["results"]
        .as_array()
        .ok_or("hyperfine wrote no results")?;
    let median = |i: usize| runs[i]["median"].as_f64().unwrap_or(f64::NAN);
    let floor = median(0);
    let mut out = format!(
        "{bytes} bytes; medians: events {:.1} ms ({:.0} MB/s)\n",
        floor * 1e3,
        bytes as f64 / floor / 1e6
    );
    for (i, name) in [
        (1, "check --output-format json"),
        (2, "check --output-format human"),
    ] {
        let _ = writeln!(
            out,
            "{name}: {:.1} ms ({:.0} MB/s), {:.2}× the event stream",
            median(i) * 1e3,
            bytes as f64 / median(i) / 1e6,
            median(i) / floor
        );
    }
    Ok(out)
}

/// Repositories with policies (one in four public, half with mutable tags through a parameter
/// or literally), until the text reaches `bytes`.
pub fn dense_template(bytes: usize) -> String {
    let mut text = String::from("AWSTemplateFormatVersion: \"2010-09-09\"\nParameters:\n  Mutability:\n    Type: String\n    Default: IMMUTABLE\nResources:\n");
    let mut i = 0;
    while text.len() < bytes {
        let mutability = if i % 2 == 0 {
            "!Ref Mutability"
        } else {
            "MUTABLE"
        };
        let principal = if i % 4 == 0 {
            "*"
        } else {
            "arn:aws:iam::111122223333:root"
        };
        let _ = write!(
            text,
            "  Repository{i}:\n    Type: AWS::ECR::Repository\n    Properties:\n      RepositoryName: team-{i}/service\n      ImageTagMutability: {mutability}\n      ImageScanningConfiguration:\n        ScanOnPush: true\n      RepositoryPolicyText:\n        Version: \"2012-10-17\"\n        Statement:\n          - Sid: Pull\n            Effect: Allow\n            Principal: \"{principal}\"\n            Action: [ecr:BatchGetImage, ecr:GetDownloadUrlForLayer]\n            Condition:\n              StringEquals:\n                aws:PrincipalOrgID: o-a1b2c3d4e5\n          - Sid: Push\n            Effect: Allow\n            Principal:\n              AWS:\n                - arn:aws:iam::111122223333:role/ci-{i}\n                - !Sub arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:root\n            Action: [ecr:PutImage, ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload]\n"
        );
        i += 1;
    }
    text
}
