//! The `ecrlint` binary end to end: exact output in every format, exact exit codes, and files
//! written by `--fix` byte for byte.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn ecrlint(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ecrlint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn code(output: &Output) -> i32 {
    output.status.code().unwrap()
}

/// A scratch folder holding the given files.
fn scratch(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// A repository that does everything else right (scanned, a customer-managed key, a lifecycle
/// policy), with the tag mutability given.
macro_rules! repository {
    ($mutability:literal) => {
        concat!(
            "Resources:\n  Repo:\n    Type: AWS::ECR::Repository\n    Properties:\n",
            "      ImageScanningConfiguration: {ScanOnPush: true}\n",
            "      EncryptionConfiguration: {EncryptionType: KMS, KmsKey: alias/images}\n",
            "      LifecyclePolicy: {LifecyclePolicyText: '{\"rules\": [{\"rulePriority\": 1, \"selection\": {\"tagStatus\": \"untagged\", \"countType\": \"sinceImagePushed\", \"countUnit\": \"days\", \"countNumber\": 14}, \"action\": {\"type\": \"expire\"}}]}'}\n",
            "      ImageTagMutability: ",
            $mutability,
            "\n"
        )
    };
}

const MUTABLE: &str = repository!("MUTABLE");
const PUBLIC_POLICY: &str = "{\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"ecr:BatchGetImage\"}\n  ]\n}\n";
const CLEAN: &str = repository!("IMMUTABLE");

#[test]
fn examples_in_every_format() {
    let root = repo();
    for format in ["human", "json", "sarif", "github"] {
        let output = ecrlint(&root, &["check", "examples", "--output-format", format]);
        assert_eq!(code(&output), 1, "{format}: {}", stderr(&output));
        assert_eq!(stderr(&output), "");
        insta::assert_snapshot!(format!("examples_{format}"), stdout(&output));
    }
}

#[test]
fn json_findings_have_the_documented_shape() {
    let output = ecrlint(
        &repo(),
        &[
            "check",
            "examples/templates/service-repository.yaml",
            "--output-format",
            "json",
        ],
    );
    let findings: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let first = findings
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "ECR201")
        .unwrap();
    let keys: Vec<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "code",
            "name",
            "severity",
            "message",
            "filename",
            "location",
            "end_location",
            "fix",
            "url"
        ]
    );
    assert_eq!(
        first["location"],
        serde_json::json!({"row": 15, "column": 27})
    );
    assert_eq!(first["fix"]["applicability"], "safe");
    assert_eq!(
        first["fix"]["edits"][0]["location"],
        serde_json::json!({"row": 7, "column": 14})
    );
}

#[test]
fn sarif_is_2_1_0_with_rules_and_regions() {
    let output = ecrlint(
        &repo(),
        &[
            "check",
            "examples/policies/exposed-repository.json",
            "--output-format",
            "sarif",
        ],
    );
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "ecrlint");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let result = &run["results"][0];
    assert_eq!(
        rules[result["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "ECR101"
    );
    assert_eq!(result["level"], "error");
    assert_eq!(
        result["locations"][0]["physicalLocation"],
        serde_json::json!({
            "artifactLocation": {"uri": "examples/policies/exposed-repository.json", "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": 7, "startColumn": 20, "endLine": 7, "endColumn": 23}
        })
    );
}

#[test]
fn clean_files_exit_zero() {
    let dir = scratch(&[("clean.yaml", CLEAN)]);
    let output = ecrlint(dir.path(), &["check", "clean.yaml"]);
    assert_eq!(code(&output), 0);
    assert_eq!(stdout(&output), "All checks passed (1 file checked).\n");
}

#[test]
fn info_findings_alone_exit_zero() {
    let text = concat!(
        "Parameters:\n  M:\n    Type: String\n",
        repository!("!Ref M")
    );
    let dir = scratch(&[("t.yaml", text)]);
    let output = ecrlint(
        dir.path(),
        &["check", "t.yaml", "--output-format", "github"],
    );
    assert_eq!(code(&output), 0);
    assert_eq!(
        stdout(&output),
        "::notice title=ecrlint (ECR903 unresolved-value),file=t.yaml,line=11,col=27,endLine=11,endColumn=33::ECR903 cannot tell whether image tags are mutable: parameter `M` has no Default, so its value is chosen at deployment\n"
    );
}

#[test]
fn fix_writes_the_file_and_reports_what_is_left() {
    let crlf = MUTABLE.replace('\n', "\r\n");
    let dir = scratch(&[("t.yaml", &crlf), ("policy.json", PUBLIC_POLICY)]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            dir.path().join("t.yaml"),
            std::fs::Permissions::from_mode(0o640),
        )
        .unwrap();
    }
    let output = ecrlint(dir.path(), &["check", ".", "--fix"]);
    assert_eq!(
        code(&output),
        1,
        "the public policy has no fix without an account"
    );
    let fixed = std::fs::read_to_string(dir.path().join("t.yaml")).unwrap();
    assert_eq!(fixed, crlf.replace("MUTABLE", "IMMUTABLE"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("t.yaml"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o640);
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join("policy.json")).unwrap(),
        PUBLIC_POLICY
    );
    insta::assert_snapshot!(stdout(&output));

    let output = ecrlint(
        dir.path(),
        &["check", ".", "--fix", "--account-id", "123456789012"],
    );
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    assert_eq!(
        stdout(&output),
        "Fixed 1 problem.\nAll checks passed (2 files checked).\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("policy.json")).unwrap(),
        PUBLIC_POLICY.replace("\"*\"", "{\"AWS\": \"arn:aws:iam::123456789012:root\"}")
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 2, "no temporary files left: {leftovers:?}");
}

#[test]
fn unsafe_fixes_only_when_asked() {
    let text = concat!(
        repository!("MUTABLE_WITH_EXCLUSION"),
        "      ImageTagMutabilityExclusionFilters:\n        - ImageTagMutabilityExclusionFilterType: WILDCARD\n          ImageTagMutabilityExclusionFilterValue: dev-*\n"
    );
    let dir = scratch(&[("t.yaml", text)]);
    let output = ecrlint(dir.path(), &["check", "t.yaml", "--fix"]);
    assert_eq!(code(&output), 1);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("t.yaml")).unwrap(),
        text
    );
    let output = ecrlint(dir.path(), &["check", "t.yaml", "--fix", "--unsafe-fixes"]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("t.yaml")).unwrap(),
        CLEAN
    );
}

#[test]
fn diff_prints_and_writes_nothing() {
    let dir = scratch(&[("t.yaml", MUTABLE)]);
    let output = ecrlint(dir.path(), &["check", "t.yaml", "--diff"]);
    assert_eq!(code(&output), 1);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("t.yaml")).unwrap(),
        MUTABLE
    );
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn never_fixes_a_file_that_does_not_parse() {
    let broken = format!("{MUTABLE}  Bad: [\n");
    let dir = scratch(&[("t.yaml", &broken)]);
    let output = ecrlint(
        dir.path(),
        &["check", "t.yaml", "--fix", "--output-format", "json"],
    );
    assert_eq!(code(&output), 1);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("t.yaml")).unwrap(),
        broken
    );
    let findings: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(findings[0]["code"], "ECR901");
}

/// Whatever rules are selected, a file that does not parse is never written: a JSON template with
/// a trailing comma or a comment (which the lenient reader still reads), and a template whose
/// policy text is broken.
#[test]
fn never_fixes_a_file_that_does_not_parse_whatever_is_selected() {
    let trailing_comma = "{\n  \"Resources\": {\n    \"Repo\": {\n      \"Type\": \"AWS::ECR::Repository\",\n      \"Properties\": {\"ImageTagMutability\": \"MUTABLE\",}\n    }\n  }\n}\n";
    let comment = "{\n  // built by hand\n  \"Resources\": {\n    \"Repo\": {\n      \"Type\": \"AWS::ECR::Repository\",\n      \"Properties\": {\"ImageTagMutability\": \"MUTABLE\"}\n    }\n  }\n}\n";
    let policy_text = "Resources:\n  Repo:\n    Type: AWS::ECR::Repository\n    Properties:\n      ImageTagMutability: MUTABLE\n      RepositoryPolicyText: '{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\"},]}'\n";
    let selections: &[&[&str]] = &[
        &[],
        &["--select", "ECR201"],
        &["--select", "ECR101"],
        &["--select", "ECR2,ECR1"],
        &["--ignore", "ECR901"],
        &["--ignore", "ECR9"],
        &["--ignore", "invalid-syntax", "--unsafe-fixes"],
    ];
    for (name, text) in [
        ("trailing-comma.json", trailing_comma),
        ("comment.json", comment),
        ("policy-text.yaml", policy_text),
    ] {
        for selection in selections {
            let dir = scratch(&[(name, text)]);
            let mut args = vec!["check", name, "--fix"];
            args.extend_from_slice(selection);
            let output = ecrlint(dir.path(), &args);
            let written = std::fs::read_to_string(dir.path().join(name)).unwrap();
            assert_eq!(written, text, "{name} {selection:?} was rewritten");
            assert!(
                !stdout(&output).contains("Fixed"),
                "{name} {selection:?}: {}",
                stdout(&output)
            );
            let selects_syntax = !selection
                .iter()
                .any(|s| s.contains("9") || *s == "invalid-syntax")
                && !selection.contains(&"--select");
            assert_eq!(
                stdout(&output).contains("did not parse: not checked in full, and not fixed."),
                !selects_syntax,
                "{name} {selection:?}: {}",
                stdout(&output)
            );
        }
    }
    // Checking alone says so too: never "All checks passed" about a file that did not parse.
    let dir = scratch(&[("comment.json", comment)]);
    let output = ecrlint(dir.path(), &["check", "comment.json", "--select", "ECR101"]);
    assert_eq!(code(&output), 0);
    assert_eq!(
        stdout(&output),
        "1 file did not parse: not checked in full, and not fixed.\n"
    );
}

#[test]
fn select_ignore_and_config_file() {
    let dir = scratch(&[
        (
            "ecrlint.toml",
            "ignore = [\"ECR201\"]\n[severity]\npublic-repository = \"warning\"\n",
        ),
        ("sub/t.yaml", MUTABLE),
        ("sub/policy.json", PUBLIC_POLICY),
    ]);
    let sub = dir.path().join("sub");
    let output = ecrlint(&sub, &["check", "--output-format", "json"]);
    let findings: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let found: Vec<(&str, &str)> = findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap(), f["severity"].as_str().unwrap()))
        .collect();
    assert_eq!(found, [("ECR101", "warning")]);

    let output = ecrlint(
        &sub,
        &["check", "--select", "ECR2", "--output-format", "json"],
    );
    let findings: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        findings.as_array().unwrap().len(),
        0,
        "config ignores ECR201, --select keeps only ECR2xx"
    );
    assert_eq!(code(&output), 0);

    let output = ecrlint(&sub, &["check", "--config", "/nonexistent/ecrlint.toml"]);
    assert_eq!(code(&output), 2);
}

#[test]
fn usage_and_io_errors_exit_two() {
    let dir = scratch(&[("t.yaml", MUTABLE), ("bad.toml", "select = 5\n")]);
    let output = ecrlint(dir.path(), &["check", "missing.yaml"]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).starts_with("ecrlint: missing.yaml: "),
        "{}",
        stderr(&output)
    );

    let output = ecrlint(dir.path(), &["check", "--select", "ECR999"]);
    assert_eq!(
        (code(&output), stderr(&output).as_str()),
        (2, "ecrlint: unknown rule `ECR999`\n")
    );

    let output = ecrlint(dir.path(), &["check", "--account-id", "12"]);
    assert_eq!(code(&output), 2);
    assert_eq!(
        stderr(&output),
        "ecrlint: account id `12` is not 12 digits\n"
    );

    let output = ecrlint(dir.path(), &["check", "--config", "bad.toml"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("bad.toml"), "{}", stderr(&output));

    let output = ecrlint(dir.path(), &["check", "--output-format", "xml"]);
    assert_eq!(code(&output), 2);

    let output = ecrlint(dir.path(), &["explain", "ECR000"]);
    assert_eq!(code(&output), 2);
}

#[test]
fn unreadable_files_are_findings_with_positions() {
    let dir = scratch(&[]);
    std::fs::write(
        dir.path().join("binary.yaml"),
        b"Resources:\n  A: \x00\x01\x02",
    )
    .unwrap();
    std::fs::write(dir.path().join("latin1.yaml"), b"Description: caf\xe9\n").unwrap();
    std::fs::write(dir.path().join("utf16.json"), b"\xff\xfe{\x00}\x00").unwrap();
    let output = ecrlint(
        dir.path(),
        &[
            "check",
            "binary.yaml",
            "latin1.yaml",
            "utf16.json",
            "--output-format",
            "github",
        ],
    );
    assert_eq!(code(&output), 1);
    assert_eq!(
        stdout(&output),
        "::error title=ecrlint (ECR901 invalid-syntax),file=binary.yaml,line=2,col=6,endLine=2,endColumn=6::ECR901 the file is binary (it holds a NUL byte), not a template or policy\n\
         ::error title=ecrlint (ECR901 invalid-syntax),file=latin1.yaml,line=1,col=17,endLine=1,endColumn=17::ECR901 the file is not valid UTF-8 (byte 0xE9)\n\
         ::error title=ecrlint (ECR901 invalid-syntax),file=utf16.json,line=1,col=1,endLine=1,endColumn=1::ECR901 the file is UTF-16; CloudFormation and ecrlint read UTF-8\n"
    );
}

#[test]
fn walking_honours_gitignore_and_skips_files_that_are_not_ours() {
    let dir = scratch(&[
        (".gitignore", "generated/\n"),
        ("generated/t.yaml", MUTABLE),
        ("k8s/broken.yaml", "apiVersion: v1\nkind: [\n"),
        ("notes.txt", MUTABLE),
        ("cfn/t.template", MUTABLE),
    ]);
    // The walker reads .gitignore files inside a git work tree only.
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let output = ecrlint(dir.path(), &["check", "--output-format", "json"]);
    let findings: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let files: Vec<&str> = findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["filename"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["cfn/t.template"]);
    // Named explicitly, a broken file is reported even when it cannot be told apart.
    let output = ecrlint(
        dir.path(),
        &["check", "k8s/broken.yaml", "--output-format", "json"],
    );
    let findings: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(findings[0]["code"], "ECR901");
}

#[test]
fn standard_input() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ecrlint"))
        .args([
            "check",
            "-",
            "--stdin-filename",
            "policy.json",
            "--output-format",
            "json",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), PUBLIC_POLICY.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    let findings: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(findings[0]["filename"], "policy.json");
    assert_eq!(
        findings[0]["location"],
        serde_json::json!({"row": 3, "column": 38})
    );
    assert_eq!(code(&output), 1);
}

#[test]
fn rules_and_explain() {
    let output = ecrlint(&repo(), &["rules"]);
    assert_eq!(code(&output), 0);
    insta::assert_snapshot!(stdout(&output));
    let output = ecrlint(&repo(), &["rules", "--output-format", "json"]);
    let rules: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let codes: Vec<&str> = rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "ECR101", "ECR102", "ECR103", "ECR105", "ECR201", "ECR202", "ECR301", "ECR302",
            "ECR303", "ECR401", "ECR901", "ECR902", "ECR903", "ECR904", "ECR905", "ECR910"
        ]
    );
    let output = ecrlint(&repo(), &["explain", "public-repository"]);
    assert_eq!(code(&output), 0);
    let text = stdout(&output);
    assert!(
        text.starts_with("# ECR101 `public-repository` (error)\n"),
        "{text}"
    );
    assert!(text.contains("## Why is this bad?"));
}

#[test]
fn version() {
    let output = ecrlint(&repo(), &["--version"]);
    assert_eq!(
        stdout(&output),
        format!("ecrlint {}\n", env!("CARGO_PKG_VERSION"))
    );
}

/// The first thing a Terraform user tries: a mutable repository and a public policy in `main.tf`
/// are found (not "All checks passed"), found in a folder walk too, and fixed in place.
#[test]
fn terraform_files_are_checked_and_fixed() {
    let main_tf = r#"resource "aws_ecr_repository" "app" {
  name                 = "app"
  image_tag_mutability = "MUTABLE"
  image_scanning_configuration { scan_on_push = true }
  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = "alias/images"
  }
}

resource "aws_ecr_repository_policy" "app" {
  repository = aws_ecr_repository.app.name
  policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = "ecr:BatchGetImage"
    }]
  })
}

resource "aws_ecr_lifecycle_policy" "app" {
  repository = aws_ecr_repository.app.name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      selection    = { tagStatus = "untagged", countType = "sinceImagePushed", countUnit = "days", countNumber = 14 }
      action       = { type = "expire" }
    }]
  })
}
"#;
    let dir = scratch(&[("infra/main.tf", main_tf)]);
    let output = ecrlint(
        dir.path(),
        &["check", "infra/main.tf", "--output-format", "github"],
    );
    assert_eq!(code(&output), 1);
    assert_eq!(
        stdout(&output),
        "::warning title=ecrlint (ECR201 mutable-image-tags),file=infra/main.tf,line=3,col=26,endLine=3,endColumn=35::ECR201 `image_tag_mutability` is `MUTABLE`: image tags can be overwritten\n\
         ::error title=ecrlint (ECR101 public-repository),file=infra/main.tf,line=16,col=19,endLine=16,endColumn=22::ECR101 repository policy allows everyone: `Principal` is `*` and no condition limits the caller; give the owning account with `--account-id` (or `account-id` in ecrlint.toml) for a fix\n"
    );
    let walked = ecrlint(dir.path(), &["check", "--output-format", "github", "."]);
    assert_eq!(code(&walked), 1);
    assert_eq!(stdout(&walked).lines().count(), 2);
    let fixed = ecrlint(
        dir.path(),
        &[
            "check",
            "infra/main.tf",
            "--fix",
            "--account-id",
            "123456789012",
            "-q",
        ],
    );
    assert_eq!(code(&fixed), 0, "{}", stdout(&fixed));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("infra/main.tf")).unwrap(),
        main_tf.replace("\"MUTABLE\"", "\"IMMUTABLE\"").replace(
            "Principal = \"*\"",
            "Principal = { AWS = \"arn:aws:iam::123456789012:root\" }"
        )
    );
}

/// A `.tf` file that is not valid HCL is a syntax finding with a position, never a pass.
#[test]
fn broken_terraform_is_a_syntax_finding() {
    let dir = scratch(&[(
        "main.tf",
        "resource \"aws_ecr_repository\" \"app\" {\n  name = \n}\n",
    )]);
    let output = ecrlint(
        dir.path(),
        &["check", "main.tf", "--output-format", "github"],
    );
    assert_eq!(code(&output), 1);
    assert_eq!(
        stdout(&output),
        "::error title=ecrlint (ECR901 invalid-syntax),file=main.tf,line=2,col=10,endLine=2,endColumn=10::ECR901 invalid HCL: invalid expression; expected `\"`, `[`, `{`, `-`, `!`, `(`, `_`, `<`, letter or digit\n"
    );
}

/// A Terraform module: a variable declared in `variables.tf` and used in `main.tf`. Checking
/// `main.tf` reads its siblings; the finding is also placed where the default is written, with
/// its fix; `terraform.tfvars` and `--var-file` values win over the default.
#[test]
fn terraform_modules_are_checked_with_their_sibling_files() {
    let main_tf = concat!(
        "resource \"aws_ecr_repository\" \"app\" {\n  name                 = \"app\"\n  image_tag_mutability = var.mutability\n",
        "  image_scanning_configuration { scan_on_push = true }\n",
        "  encryption_configuration {\n    encryption_type = \"KMS\"\n    kms_key         = \"alias/images\"\n  }\n}\n\n",
        "resource \"aws_ecr_lifecycle_policy\" \"app\" {\n  repository = aws_ecr_repository.app.name\n",
        "  policy     = jsonencode({ rules = [{ rulePriority = 1, selection = { tagStatus = \"any\", countType = \"imageCountMoreThan\", countNumber = 100 }, action = { type = \"expire\" } }] })\n}\n"
    );
    let variables_tf =
        "variable \"mutability\" {\n  type    = string\n  default = \"MUTABLE\"\n}\n";
    let dir = scratch(&[("m/main.tf", main_tf), ("m/variables.tf", variables_tf)]);
    let output = ecrlint(dir.path(), &["check", "m/main.tf"]);
    assert_eq!(code(&output), 1);
    assert!(
        stdout(&output)
            .contains("   = note: the default of variable `mutability` at m/variables.tf:3:13\n"),
        "{}",
        stdout(&output)
    );
    let github = ecrlint(dir.path(), &["check", "m", "--output-format", "github"]);
    assert_eq!(
        stdout(&github),
        "::warning title=ecrlint (ECR201 mutable-image-tags),file=m/main.tf,line=3,col=26,endLine=3,endColumn=40::ECR201 `image_tag_mutability` is `MUTABLE` (through the default of variable `mutability`): image tags can be overwritten\n\
         ::warning title=ecrlint (ECR201 mutable-image-tags),file=m/variables.tf,line=3,col=13,endLine=3,endColumn=22::ECR201 `image_tag_mutability` is `MUTABLE` (through the default of variable `mutability`): image tags can be overwritten\n"
    );
    let fixed = ecrlint(dir.path(), &["check", "m", "--fix", "-q"]);
    assert_eq!(code(&fixed), 0, "{}", stdout(&fixed));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("m/variables.tf")).unwrap(),
        variables_tf.replace("\"MUTABLE\"", "\"IMMUTABLE\"")
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("m/main.tf")).unwrap(),
        main_tf
    );
    // Values: terraform.tfvars wins over the default, a --var-file over both.
    std::fs::write(
        dir.path().join("m/terraform.tfvars"),
        "mutability = \"MUTABLE\"\n",
    )
    .unwrap();
    let tfvars = ecrlint(
        dir.path(),
        &["check", "m/main.tf", "-q", "--output-format", "github"],
    );
    assert_eq!(code(&tfvars), 1);
    std::fs::write(
        dir.path().join("prod.tfvars"),
        "mutability = \"IMMUTABLE\"\n",
    )
    .unwrap();
    let var_file = ecrlint(
        dir.path(),
        &["check", "m/main.tf", "--var-file", "prod.tfvars"],
    );
    assert_eq!(code(&var_file), 0, "{}", stdout(&var_file));
}

/// `terraform show -json` output, one line as Terraform writes it: found when named and in a
/// folder walk (beside JSON that is not ours), each finding naming its resource address and
/// pointing into the plan; `--fix` leaves the plan alone.
#[test]
fn terraform_plans_are_checked_and_never_rewritten() {
    let plan = r#"{"format_version":"1.2","terraform_version":"1.11.4","planned_values":{"root_module":{"resources":[],"child_modules":[{"resources":[{"address":"module.ecr.aws_ecr_repository.this[0]","mode":"managed","type":"aws_ecr_repository","name":"this","index":0,"provider_name":"registry.terraform.io/hashicorp/aws","schema_version":0,"values":{"encryption_configuration":[],"force_delete":null,"image_scanning_configuration":[{"scan_on_push":true}],"image_tag_mutability":"MUTABLE","image_tag_mutability_exclusion_filter":[],"name":"app","region":"eu-west-1","tags":null,"timeouts":null},"sensitive_values":{"encryption_configuration":[],"image_scanning_configuration":[{}],"image_tag_mutability_exclusion_filter":[],"tags_all":{}}},{"address":"module.ecr.aws_ecr_repository_policy.this[0]","mode":"managed","type":"aws_ecr_repository_policy","name":"this","index":0,"provider_name":"registry.terraform.io/hashicorp/aws","schema_version":0,"values":{"policy":"{\"Statement\":[{\"Action\":\"ecr:BatchGetImage\",\"Effect\":\"Allow\",\"Principal\":\"*\"}],\"Version\":\"2012-10-17\"}","region":"eu-west-1","repository":"app"},"sensitive_values":{}}],"address":"module.ecr"}]}},"resource_changes":[{"address":"module.ecr.aws_ecr_repository.this[0]","module_address":"module.ecr","mode":"managed","type":"aws_ecr_repository","name":"this","index":0,"provider_name":"registry.terraform.io/hashicorp/aws","change":{"actions":["create"],"before":null,"after":{"encryption_configuration":[],"force_delete":null,"image_scanning_configuration":[{"scan_on_push":true}],"image_tag_mutability":"MUTABLE","image_tag_mutability_exclusion_filter":[],"name":"app","region":"eu-west-1","tags":null,"timeouts":null},"after_unknown":{"arn":true,"encryption_configuration":[],"id":true,"image_scanning_configuration":[{}],"image_tag_mutability_exclusion_filter":[],"registry_id":true,"repository_url":true,"tags_all":true},"before_sensitive":false,"after_sensitive":{"encryption_configuration":[],"image_scanning_configuration":[{}],"image_tag_mutability_exclusion_filter":[],"tags_all":{}}}},{"address":"module.ecr.aws_ecr_repository_policy.this[0]","module_address":"module.ecr","mode":"managed","type":"aws_ecr_repository_policy","name":"this","index":0,"provider_name":"registry.terraform.io/hashicorp/aws","change":{"actions":["create"],"before":null,"after":{"policy":"{\"Statement\":[{\"Action\":\"ecr:BatchGetImage\",\"Effect\":\"Allow\",\"Principal\":\"*\"}],\"Version\":\"2012-10-17\"}","region":"eu-west-1","repository":"app"},"after_unknown":{"id":true,"registry_id":true},"before_sensitive":false,"after_sensitive":{}}}],"applyable":true,"complete":true,"errored":false}"#;
    // The plan's repository has no key and no lifecycle policy: the informational rules are left
    // out, the findings that matter here are placed in the plan.
    let dir = scratch(&[
        ("ecrlint.toml", "ignore = [\"ECR301\", \"ECR302\"]\n"),
        ("tfplan.json", plan),
        (
            "web/package.json",
            "{\"name\": \"web\", \"version\": \"1.0.0\"}\n",
        ),
    ]);
    let expected = "::warning title=ecrlint (ECR201 mutable-image-tags),file=tfplan.json,line=1,col=464,endLine=1,endColumn=473::ECR201 `module.ecr.aws_ecr_repository.this[0]`: `image_tag_mutability` is `MUTABLE`: image tags can be overwritten; fix it in the Terraform source\n\
         ::error title=ecrlint (ECR101 public-repository),file=tfplan.json,line=1,col=1037,endLine=1,endColumn=1042::ECR101 `module.ecr.aws_ecr_repository_policy.this[0]`: repository policy allows everyone: `Principal` is `*` and no condition limits the caller; fix it in the Terraform source\n";
    let named = ecrlint(
        dir.path(),
        &["check", "tfplan.json", "--output-format", "github"],
    );
    assert_eq!(code(&named), 1);
    assert_eq!(stdout(&named), expected);
    let walked = ecrlint(dir.path(), &["check", "--output-format", "github", "."]);
    assert_eq!(code(&walked), 1);
    assert_eq!(stdout(&walked), expected);
    let fixed = ecrlint(
        dir.path(),
        &["check", "tfplan.json", "--fix", "--output-format", "github"],
    );
    assert_eq!(code(&fixed), 1);
    assert_eq!(stdout(&fixed), expected);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("tfplan.json")).unwrap(),
        plan
    );
}

/// A `module` block with a local source: the child module's files are read, its variables take
/// the block's arguments, and a finding caused by an argument is placed at it, with its fix. The
/// child's files, checked themselves, hold their defaults. A module that calls itself is read
/// once.
#[test]
fn local_modules_are_followed_with_their_arguments() {
    let caller =
        "module \"ecr\" {\n  source     = \"./modules/ecr\"\n  mutability = \"MUTABLE\"\n}\n";
    let child = "resource \"aws_ecr_repository\" \"this\" {\n  name                 = \"app\"\n  image_tag_mutability = var.mutability\n  image_scanning_configuration { scan_on_push = true }\n}\n\nmodule \"again\" {\n  source = \"./\"\n}\n";
    let variables = "variable \"mutability\" {\n  default = \"IMMUTABLE\"\n}\n";
    let dir = scratch(&[
        ("ecrlint.toml", "ignore = [\"ECR301\", \"ECR302\"]\n"),
        ("infra/main.tf", caller),
        ("infra/modules/ecr/main.tf", child),
        ("infra/modules/ecr/variables.tf", variables),
    ]);
    let output = ecrlint(dir.path(), &["check", "infra"]);
    assert_eq!(code(&output), 1);
    assert_eq!(
        stdout(&output),
        "infra/main.tf:3:16: warning[ECR201] `image_tag_mutability` is `MUTABLE` (through argument `mutability` of module `ecr`): image tags can be overwritten\n\
         \x20 |\n\
         3 |   mutability = \"MUTABLE\"\n\
         \x20 |                ^^^^^^^^^\n\
         \x20 |\n\
         \x20  = note: the value is used here at infra/modules/ecr/main.tf:3:26\n\
         \x20  = fix: Set `image_tag_mutability` to `IMMUTABLE`\n\
         \n\
         Found 1 problem (1 warning) in 1 file; 1 fixable with `--fix`.\n"
    );
    let fixed = ecrlint(dir.path(), &["check", "infra", "--fix", "-q"]);
    assert_eq!(code(&fixed), 0, "{}", stdout(&fixed));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("infra/main.tf")).unwrap(),
        caller.replace("\"MUTABLE\"", "\"IMMUTABLE\"")
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("infra/modules/ecr/main.tf")).unwrap(),
        child
    );
}

/// A `.tf.json` file is checked with the `.tf` files of its folder, and fixed in JSON.
#[test]
fn terraform_json_files_join_their_module() {
    let repository = "{\n  \"resource\": {\n    \"aws_ecr_repository\": {\n      \"app\": {\n        \"name\": \"app\",\n        \"image_tag_mutability\": \"${var.mutability}\"\n      }\n    }\n  }\n}\n";
    let variables = "variable \"mutability\" {\n  default = \"MUTABLE\"\n}\n";
    let dir = scratch(&[
        ("ecrlint.toml", "select = [\"ECR201\", \"ECR903\"]\n"),
        ("m/main.tf.json", repository),
        ("m/variables.tf", variables),
    ]);
    let github = ecrlint(dir.path(), &["check", "m", "--output-format", "github"]);
    assert_eq!(code(&github), 1);
    assert_eq!(
        stdout(&github),
        "::warning title=ecrlint (ECR201 mutable-image-tags),file=m/main.tf.json,line=6,col=33,endLine=6,endColumn=52::ECR201 `image_tag_mutability` is `MUTABLE` (through the default of variable `mutability`): image tags can be overwritten\n\
         ::warning title=ecrlint (ECR201 mutable-image-tags),file=m/variables.tf,line=2,col=13,endLine=2,endColumn=22::ECR201 `image_tag_mutability` is `MUTABLE` (through the default of variable `mutability`): image tags can be overwritten\n"
    );
    let fixed = ecrlint(dir.path(), &["check", "m", "--fix", "-q"]);
    assert_eq!(code(&fixed), 0, "{}", stdout(&fixed));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("m/variables.tf")).unwrap(),
        variables.replace("\"MUTABLE\"", "\"IMMUTABLE\"")
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("m/main.tf.json")).unwrap(),
        repository
    );
}
