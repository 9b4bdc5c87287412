//! `ecrlint audit` against moto's server (started here on a free port, stopped after): three
//! regions with each rule's positive and negative cases, the registry's policy and scanning, a
//! role assumed in other accounts, the output formats, the exit codes, and the remediation
//! script run with the AWS CLI until the findings it fixes are gone.

mod support;

use support::{code, stderr, stdout, Moto};

const SEED_REGIONS: &str = include_str!("audit/seed_regions.py");

/// A Python function that makes a registry scanning every repository and a repository `shared`
/// that is clean but, when `public`, for a policy letting everyone pull.
const SHARED: &str = r#"
import json, boto3
def shared(ecr, public):
    ecr.put_registry_scanning_configuration(scanType="BASIC", rules=[{"scanFrequency": "CONTINUOUS_SCAN", "repositoryFilters": [{"filter": "*", "filterType": "WILDCARD"}]}])
    ecr.create_repository(repositoryName="shared", imageTagMutability="IMMUTABLE", encryptionConfiguration={"encryptionType": "KMS"})
    ecr.put_lifecycle_policy(repositoryName="shared", lifecyclePolicyText=json.dumps({"rules": [{"rulePriority": 1, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 50}, "action": {"type": "expire"}}]}))
    if public:
        ecr.set_repository_policy(repositoryName="shared", policyText=json.dumps({"Version": "2012-10-17", "Statement": [{"Sid": "All", "Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage"]}]}))
"#;

/// Accounts ECR103 takes as trusted in these tests.
const CONFIG: &str = "trusted-accounts = [\"888888888888\"]\n";

fn config_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ecrlint.toml"), CONFIG).unwrap();
    dir
}

#[test]
fn three_regions_every_rule_exact_findings() {
    let moto = Moto::start();
    moto.python(SEED_REGIONS);
    let dir = config_dir();
    let regions = "--region=us-east-1,eu-west-1,ap-southeast-2";
    let output = moto.ecrlint(dir.path(), &["audit", regions]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
    insta::assert_snapshot!(stdout(&output));

    // JSON: the resource of each finding, no position.
    let output = moto.ecrlint(dir.path(), &["audit", regions, "--output-format", "json"]);
    assert_eq!(code(&output), 1);
    let findings: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let findings = findings.as_array().unwrap();
    let listed: Vec<(String, String)> = findings
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["filename"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let at = |code: &str, arn: &str| (code.to_string(), arn.to_string());
    let east = "arn:aws:ecr:us-east-1:123456789012";
    let west = "arn:aws:ecr:eu-west-1:123456789012";
    assert_eq!(
        listed,
        [
            at("ECR105", &format!("{east}:registry")),
            at("ECR101", &format!("{east}:repository/public-pull")),
            at("ECR101", &format!("{east}:repository/public-push")),
            at("ECR102", &format!("{east}:repository/public-push")),
            at("ECR102", &format!("{east}:repository/public-push")),
            at("ECR102", &format!("{east}:repository/public-push")),
            at("ECR102", &format!("{east}:repository/public-push")),
            at("ECR101", &format!("{east}:repository/any-org")),
            at("ECR103", &format!("{east}:repository/partner")),
            at(
                "ECR201",
                &format!("{east}:repository/mutable-except-release")
            ),
            at("ECR201", &format!("{west}:repository/legacy")),
            at("ECR202", &format!("{west}:repository/legacy")),
            at("ECR301", &format!("{west}:repository/legacy")),
            at("ECR302", &format!("{west}:repository/legacy")),
            at("ECR202", &format!("{west}:repository/tidy")),
            at("ECR202", &format!("{west}:repository/handmade")),
            at("ECR401", &format!("{west}:repository/handmade")),
            at("ECR303", &format!("{west}:repository/handmade")),
        ]
    );
    let legacy = &findings[10];
    assert_eq!(legacy["location"], serde_json::Value::Null);
    assert_eq!(legacy["end_location"], serde_json::Value::Null);
    assert_eq!(
        legacy["resource"],
        serde_json::json!({
            "arn": format!("{west}:repository/legacy"),
            "account": "123456789012",
            "region": "eu-west-1",
            "name": "legacy",
        })
    );
    assert_eq!(
        legacy["commands"],
        serde_json::json!([
            "aws ecr put-image-tag-mutability --repository-name legacy --image-tag-mutability IMMUTABLE --registry-id 123456789012 --region eu-west-1"
        ])
    );
    assert_eq!(findings[0]["resource"]["name"], serde_json::Value::Null);

    // SARIF and GitHub name the resource too.
    let output = moto.ecrlint(dir.path(), &["audit", regions, "--output-format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 18);
    assert_eq!(
        results[0]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        format!("{east}:registry")
    );
    let output = moto.ecrlint(dir.path(), &["audit", regions, "--output-format", "github"]);
    let lines: Vec<String> = stdout(&output).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 18);
    assert!(
        lines[14].starts_with(&format!(
            "::warning title=ecrlint (ECR202 image-scanning-disabled)::ECR202 {west}:repository/tidy: repository `tidy` is not scanned"
        )),
        "{}",
        lines[14]
    );

    // Selected rules only; the clean region alone passes with exit 0.
    let output = moto.ecrlint(dir.path(), &["audit", regions, "--select", "ECR2", "-q"]);
    assert_eq!(code(&output), 1);
    assert_eq!(stdout(&output).matches("[ECR2").count(), 5);
    let output = moto.ecrlint(dir.path(), &["audit", "--region", "ap-southeast-2"]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    assert_eq!(
        stdout(&output),
        "All checks passed (1 repository in 1 region of 1 account audited).\n"
    );
    // Only information left: exit 0, as `check`.
    let output = moto.ecrlint(
        dir.path(),
        &[
            "audit",
            "--region",
            "eu-west-1",
            "--select",
            "ECR301,ECR302",
        ],
    );
    assert_eq!(code(&output), 0);
    assert!(stdout(&output)
        .ends_with("Found 2 problems (2 info) in 3 repositories in 1 region of 1 account.\n"));
}

#[test]
fn roles_assumed_in_other_accounts() {
    let moto = Moto::start();
    moto.python(&format!(
        "{SHARED}{}",
        r#"
sts = boto3.client("sts")
for account, public in (("111111111111", True), ("222222222222", False)):
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/auditor", RoleSessionName="seed")["Credentials"]
    ecr = boto3.client("ecr", region_name="us-east-1", aws_access_key_id=creds["AccessKeyId"],
                       aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])
    shared(ecr, public)
# The caller's own account has a repository the audit of the other two must not see.
boto3.client("ecr").create_repository(repositoryName="caller-only")
"#
    ));
    let dir = tempfile::tempdir().unwrap();
    let both = [
        "audit",
        "--accounts",
        "111111111111,222222222222",
        "--role-name",
        "auditor",
    ];
    let output = moto.ecrlint(dir.path(), &both);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "account 111111111111, us-east-1\n  arn:aws:ecr:us-east-1:111111111111:repository/shared: \
         error[ECR101] repository policy allows everyone: `Principal` is `*` and no condition \
         limits the caller; run `aws ecr set-repository-policy --repository-name shared \
         --registry-id 111111111111 --region us-east-1 --policy-text \
         file://policies/111111111111-us-east-1.repository.shared.json` with the corrected policy \
         (--fix-script writes it)\n\nFound 1 problem (1 error) in 2 repositories in 2 regions of \
         2 accounts.\n"
    );
    // The same through --role-arn, and the finding says which account it belongs to.
    let output = moto.ecrlint(
        dir.path(),
        &[
            "audit",
            "--accounts",
            "111111111111",
            "--role-arn",
            "arn:aws:iam::{account}:role/auditor",
            "--output-format",
            "json",
        ],
    );
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let findings: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(findings.as_array().unwrap().len(), 1);
    assert_eq!(findings[0]["resource"]["account"], "111111111111");
    // The corrected policy names the account the repository is in.
    let output = moto.ecrlint(
        dir.path(),
        &[
            "audit",
            "--accounts",
            "111111111111",
            "--role-name",
            "auditor",
            "--fix-script",
            "fix/fix.sh",
        ],
    );
    assert_eq!(code(&output), 1);
    let corrected = std::fs::read_to_string(
        dir.path()
            .join("fix/policies/111111111111-us-east-1.repository.shared.json"),
    )
    .unwrap();
    assert_eq!(
        corrected,
        r#"{"Version": "2012-10-17", "Statement": [{"Sid": "All", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": ["ecr:BatchGetImage"]}]}"#
    );
    // The script assumes the role in 111111111111 before its commands, with the credentials it
    // is run with (the caller's, in 123456789012), and the finding is gone.
    let script = std::fs::read_to_string(dir.path().join("fix/fix.sh")).unwrap();
    insta::assert_snapshot!("remediation_script_roles", script);
    run_script(&moto, &dir.path().join("fix/fix.sh"));
    let output = moto.ecrlint(dir.path(), &both);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    assert_eq!(
        stdout(&output),
        "All checks passed (2 repositories in 2 regions of 2 accounts audited).\n"
    );
    // Options that need each other.
    let output = moto.ecrlint(dir.path(), &["audit", "--accounts", "111111111111"]);
    assert_eq!(code(&output), 2);
    assert_eq!(
        stderr(&output),
        "ecrlint: --accounts needs --role-name or --role-arn\n"
    );
}

#[test]
fn the_remediation_script_clears_its_findings() {
    let moto = Moto::start();
    moto.python(SEED_REGIONS);
    // eu-west-1's registry scans `tidy` only: `legacy` is left to a registry-wide decision.
    // (moto reports `MANUAL` for every repository of a registry without scanning rules, whatever
    // its own `scanOnPush`: the command that sets it cannot be shown to work here.)
    moto.python(
        r#"
import boto3
boto3.client("ecr", region_name="eu-west-1").put_registry_scanning_configuration(scanType="BASIC", rules=[{"scanFrequency": "SCAN_ON_PUSH", "repositoryFilters": [{"filter": "tidy", "filterType": "WILDCARD"}]}])
"#,
    );
    let dir = config_dir();
    let regions = "--region=us-east-1,eu-west-1,ap-southeast-2";
    let output = moto.ecrlint(
        dir.path(),
        &["audit", regions, "--fix-script", "fix/fix.sh"],
    );
    assert_eq!(code(&output), 1);
    assert_eq!(stderr(&output), "ecrlint: wrote 7 commands to fix/fix.sh\n");
    let script = std::fs::read_to_string(dir.path().join("fix/fix.sh")).unwrap();
    insta::assert_snapshot!("remediation_script", script);
    let mut policies: Vec<String> = std::fs::read_dir(dir.path().join("fix/policies"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    policies.sort();
    assert_eq!(
        policies,
        [
            "123456789012-eu-west-1.repository.handmade.json",
            "123456789012-us-east-1.registry-policy.json",
            "123456789012-us-east-1.repository.any-org.json",
            "123456789012-us-east-1.repository.public-pull.json",
            "123456789012-us-east-1.repository.public-push.json",
        ]
    );
    // Run it twice with the AWS CLI: it can be run again.
    for _ in 0..2 {
        run_script(&moto, &dir.path().join("fix/fix.sh"));
    }
    // What is left has no command: an account to review, repositories no registry scanning
    // rule covers (a registry-wide change to decide), the encryption (which only recreating
    // the repository changes), a lifecycle policy to write and one to rewrite. The policy with a
    // `Resource` was set again without it (ECR401 is gone).
    let output = moto.ecrlint(dir.path(), &["audit", regions, "--output-format", "json"]);
    assert_eq!(code(&output), 1);
    let left: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let left: Vec<(&str, &str, usize)> = left
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap(),
                f["resource"]["name"].as_str().unwrap(),
                f["commands"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(
        left,
        [
            ("ECR103", "partner", 0),
            ("ECR202", "legacy", 0),
            ("ECR301", "legacy", 0),
            ("ECR302", "legacy", 0),
            ("ECR202", "handmade", 0),
            ("ECR303", "handmade", 0),
        ]
    );
}

#[test]
fn no_credentials_is_a_usage_error() {
    let moto = Moto::start();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_ecrlint"));
    support::isolate(&mut command);
    let output = command
        .args(["audit"])
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", &moto.url)
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
    assert_eq!(stdout(&output), "");
    let message = stderr(&output);
    assert!(
        message.starts_with("ecrlint: no AWS credentials: "),
        "{message}"
    );
    // No region anywhere.
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_ecrlint"));
    support::isolate(&mut command);
    let output = command
        .args(["audit"])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_ENDPOINT_URL", &moto.url)
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
    assert_eq!(
        stderr(&output),
        "ecrlint: no region: set AWS_REGION (or a profile's `region`), or pass --region\n"
    );
}

/// Runs a remediation script with the AWS CLI against moto, as the caller (account
/// 123456789012), and checks it succeeds.
fn run_script(moto: &Moto, script: &std::path::Path) {
    let run = sh(script)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", &moto.url)
        .env("AWS_CONFIG_FILE", "/nonexistent/ecrlint-test/config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/ecrlint-test/credentials",
        )
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
}

#[test]
fn a_profile_is_the_remediation_scripts_too() {
    let moto = Moto::start();
    moto.python(&format!(
        "{SHARED}shared(boto3.client(\"ecr\"), public=True)\n"
    ));
    // The credentials are only in a named profile, none in the environment.
    let dir = tempfile::tempdir().unwrap();
    let credentials = dir.path().join("credentials");
    std::fs::write(
        &credentials,
        "[ops-team]\naws_access_key_id = testing\naws_secret_access_key = testing\n",
    )
    .unwrap();
    let config = dir.path().join("config");
    std::fs::write(&config, "[profile ops-team]\nregion = us-east-1\n").unwrap();
    let with_profile = |command: &mut std::process::Command| {
        support::isolate(command);
        command
            .current_dir(dir.path())
            .env("AWS_CONFIG_FILE", &config)
            .env("AWS_SHARED_CREDENTIALS_FILE", &credentials)
            .env("AWS_ENDPOINT_URL", &moto.url);
    };
    let audit = |args: &[&str]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_ecrlint"));
        with_profile(&mut command);
        command
            .args(["audit", "--profile", "ops-team"])
            .args(args)
            .output()
            .unwrap()
    };
    let output = audit(&["--fix-script", "fix.sh", "-q"]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert_eq!(stderr(&output), "ecrlint: wrote 1 command to fix.sh\n");
    let script = std::fs::read_to_string(dir.path().join("fix.sh")).unwrap();
    assert!(
        script.contains(
            "\ncd \"$(dirname \"$0\")\"\nexport AWS_PROFILE=ops-team\n\n# Account 123456789012\n"
        ),
        "{script}"
    );
    // Run with the same files and nothing else: the profile is the script's.
    let mut run = sh(&dir.path().join("fix.sh"));
    with_profile(&mut run);
    let run = run.output().unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    let output = audit(&[]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    assert_eq!(
        stdout(&output),
        "All checks passed (1 repository in 1 region of 1 account audited).\n"
    );
}

/// `sh SCRIPT` with moto's virtualenv (the AWS CLI) first on the `PATH`.
fn sh(script: &std::path::Path) -> std::process::Command {
    let mut command = std::process::Command::new("sh");
    command.arg(script).env(
        "PATH",
        format!(
            "{}:{}",
            support::venv().join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        ),
    );
    command
}
