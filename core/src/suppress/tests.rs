use super::*;
use crate::{apply_edits, check, fix};

/// The settings of these tests: the registry scans every repository and the informational
/// rules are off, so that the sources, written to exercise suppressions of ECR201, need no
/// scanning, encryption or lifecycle settings of their own.
fn settings() -> Settings {
    Settings {
        registry_scanning: crate::settings::RegistryScanningSetting::CoversAll,
        ignore: vec!["ECR301".into(), "ECR302".into()],
        ..Settings::default()
    }
}

/// Each finding as `CODE text-at-range: message`.
fn findings(source: &str) -> Vec<String> {
    findings_with(source, &settings())
}

fn findings_with(source: &str, settings: &Settings) -> Vec<String> {
    check(source, None, settings)
        .diagnostics
        .iter()
        .map(|d| {
            format!(
                "{} {:?}: {}",
                d.code,
                &source[d.range.as_usize()],
                d.message
            )
        })
        .collect()
}

fn fixed(source: &str) -> String {
    fix(source, None, &settings(), false).text
}

const MUTABLE: &str = "\
Resources:
  Repo:
    Type: AWS::ECR::Repository
    Properties:
      ImageTagMutability: MUTABLE
";

#[test]
fn without_suppression_the_finding_stands() {
    assert_eq!(
        findings(MUTABLE),
        ["ECR201 \"MUTABLE\": `ImageTagMutability` is `MUTABLE`: image tags can be overwritten"]
    );
}

#[test]
fn a_trailing_comment_ignores_its_line() {
    let source = MUTABLE.replace(
        "MUTABLE\n",
        "MUTABLE  # ecrlint: ignore ECR201 -- the deploy job retags `latest`\n",
    );
    assert_eq!(findings(&source), Vec::<String>::new());
}

#[test]
fn a_comment_above_ignores_the_next_line_even_under_other_comments() {
    let source = MUTABLE.replace(
        "      ImageTagMutability",
        "      # ecrlint: ignore mutable-image-tags -- by name\n      # (kept for the nightly job)\n      ImageTagMutability",
    );
    assert_eq!(findings(&source), Vec::<String>::new());
}

#[test]
fn a_comment_on_another_line_ignores_nothing_and_is_reported() {
    let source = MUTABLE.replace(
        "    Type: AWS::ECR::Repository\n",
        "    Type: AWS::ECR::Repository  # ecrlint: ignore ECR201\n",
    );
    assert_eq!(
        findings(&source),
        [
            "ECR905 \"ECR201\": unused suppression: no `ECR201` finding on this line",
            "ECR201 \"MUTABLE\": `ImageTagMutability` is `MUTABLE`: image tags can be overwritten",
        ]
    );
    assert_eq!(fixed(&source), MUTABLE.replace("MUTABLE\n", "IMMUTABLE\n"));
}

#[test]
fn an_unused_code_is_removed_from_a_comment_and_the_rest_kept() {
    let source = MUTABLE.replace(
        "MUTABLE\n",
        "MUTABLE  # ecrlint: ignore ECR101, ECR201 -- reason\n",
    );
    assert_eq!(
        findings(&source),
        ["ECR905 \"ECR101\": unused suppression: no `ECR101` finding on this line"]
    );
    assert_eq!(
        fixed(&source),
        MUTABLE.replace("MUTABLE\n", "MUTABLE  # ecrlint: ignore ECR201 -- reason\n")
    );
    let last = MUTABLE.replace("MUTABLE\n", "MUTABLE  # ecrlint: ignore ECR201 ECR101\n");
    assert_eq!(
        fixed(&last),
        MUTABLE.replace("MUTABLE\n", "MUTABLE  # ecrlint: ignore ECR201\n")
    );
}

#[test]
fn an_unused_comment_on_its_own_line_goes_with_its_line() {
    let source = "\
Resources:
  # ecrlint: ignore ECR101 -- public mirror
  Repo:
    Type: AWS::ECR::Repository
    Properties:
      ImageTagMutability: IMMUTABLE
";
    assert_eq!(
        findings(source),
        ["ECR905 \"ECR101\": unused suppression: no `ECR101` finding on this line"]
    );
    assert_eq!(
        fixed(source),
        source.replace("  # ecrlint: ignore ECR101 -- public mirror\n", "")
    );
}

#[test]
fn unknown_codes_and_empty_lists_are_reported() {
    let source = MUTABLE.replace("MUTABLE\n", "MUTABLE  # ecrlint: ignore ECR21, ECR201\n");
    assert_eq!(
        findings(&source),
        ["ECR905 \"ECR21\": `ECR21` is not an ecrlint rule, so this ignore suppresses nothing"]
    );
    let empty = MUTABLE.replace("MUTABLE\n", "MUTABLE # ecrlint: ignore -- why\n");
    assert_eq!(
        findings(&empty),
        [
            "ECR201 \"MUTABLE\": `ImageTagMutability` is `MUTABLE`: image tags can be overwritten",
            "ECR905 \"# ecrlint: ignore -- why\": this ignore comment names no rule; list the codes to ignore, as in `# ecrlint: ignore ECR201 -- reason`",
        ]
    );
    assert_eq!(fixed(&empty), MUTABLE.replace("MUTABLE\n", "IMMUTABLE\n"));
}

#[test]
fn a_hash_inside_a_string_is_not_a_comment() {
    let source = "\
Resources:
  Repo:
    Type: AWS::ECR::Repository
    Properties:
      RepositoryName: \"app # ecrlint: ignore ECR201\"
      ImageTagMutability: 'MUTABLE' # not ecrlint: ignore ECR201
      EncryptionConfiguration: {EncryptionType: 'AES256'} # ecrlint: ignore ECR201 -- on another line
      Tags:
        - Key: note
          Value: |
            # ecrlint: ignore ECR201
";
    assert_eq!(
        findings(source),
        [
            "ECR201 \"'MUTABLE'\": `ImageTagMutability` is `MUTABLE`: image tags can be overwritten",
            "ECR905 \"ECR201\": unused suppression: no `ECR201` finding on this line",
        ]
    );
    // A comment after a quoted value is a comment.
    let quoted = MUTABLE.replace("MUTABLE\n", "\"MUTABLE\"  # ecrlint: ignore ECR201\n");
    assert_eq!(findings(&quoted), Vec::<String>::new());
}

#[test]
fn crlf_files_keep_their_line_endings() {
    let source = "Resources:\r\n  Repo:\r\n    Type: AWS::ECR::Repository  # ecrlint: ignore ECR101\r\n    Properties:\r\n      ImageTagMutability: IMMUTABLE\r\n";
    assert_eq!(
        findings(source),
        ["ECR905 \"ECR101\": unused suppression: no `ECR101` finding on this line"]
    );
    assert_eq!(
        fixed(source),
        "Resources:\r\n  Repo:\r\n    Type: AWS::ECR::Repository\r\n    Properties:\r\n      ImageTagMutability: IMMUTABLE\r\n"
    );
    let last_line = "Resources:\r\n  Repo:\r\n    Type: AWS::ECR::Repository\r\n    Properties:\r\n      ImageTagMutability: IMMUTABLE\r\n# ecrlint: ignore ECR101";
    assert_eq!(
        fixed(last_line),
        "Resources:\r\n  Repo:\r\n    Type: AWS::ECR::Repository\r\n    Properties:\r\n      ImageTagMutability: IMMUTABLE"
    );
}

const TWO_REPOSITORIES: &str = "\
Resources:
  Legacy:
    Type: AWS::ECR::Repository
    Metadata:
      ecrlint:
        ignore:
          - code: ECR201
            reason: the nightly job retags `latest`
  Fresh:
    Type: AWS::ECR::Repository
";

#[test]
fn resource_metadata_ignores_findings_in_that_resource_only() {
    assert_eq!(
        findings(TWO_REPOSITORIES),
        ["ECR201 \"Fresh\": `ImageTagMutability` is not set, so image tags are mutable (the default is `MUTABLE`)"]
    );
}

#[test]
fn unused_metadata_is_reported_and_removed_with_what_held_it() {
    let source = TWO_REPOSITORIES
        .replace("  Fresh:\n    Type: AWS::ECR::Repository\n", "")
        .replace(
            "    Type: AWS::ECR::Repository\n",
            "    Type: AWS::ECR::Repository\n    Properties: {ImageTagMutability: IMMUTABLE}\n",
        );
    assert_eq!(
        findings(&source),
        ["ECR905 \"ECR201\": unused suppression: no `ECR201` finding in resource `Legacy`"]
    );
    assert_eq!(
        fixed(&source),
        "\
Resources:
  Legacy:
    Type: AWS::ECR::Repository
    Properties: {ImageTagMutability: IMMUTABLE}
"
    );
    let two_items = source.replace(
        "          - code: ECR201\n",
        "          - ECR101\n          - code: ECR201\n",
    );
    assert_eq!(
        findings(&two_items),
        [
            "ECR905 \"ECR101\": unused suppression: no `ECR101` finding in resource `Legacy`",
            "ECR905 \"ECR201\": unused suppression: no `ECR201` finding in resource `Legacy`",
        ]
    );
}

#[test]
fn template_metadata_ignores_everywhere() {
    let source = "\
Metadata:
  ecrlint:
    ignore: [ECR2]
Resources:
  A:
    Type: AWS::ECR::Repository
  B:
    Type: AWS::ECR::Repository
";
    assert_eq!(findings(source), Vec::<String>::new());
}

#[test]
fn checkov_skips_map_to_the_rules_that_cover_them() {
    let source = r#"{
  "Resources": {
    "Repo": {
      "Type": "AWS::ECR::Repository",
      "Metadata": {"checkov": {"skip": [
        {"id": "CKV_AWS_51", "comment": "retagged by the release job"},
        {"id": "CKV_AWS_32", "comment": "unused here, and never reported"},
        {"id": "CKV_AWS_136"}
      ]}}
    }
  }
}"#;
    assert_eq!(findings(source), Vec::<String>::new());
    let public = "\
Resources:
  Repo:
    Type: AWS::ECR::Repository
    Metadata:
      checkov:
        skip:
          - id: CKV_AWS_32
    Properties:
      ImageTagMutability: IMMUTABLE
      RepositoryPolicyText:
        Statement:
          - Effect: Allow
            Principal: '*'
            Action: ecr:BatchGetImage
";
    assert_eq!(findings(public), Vec::<String>::new());
    let unrelated = public.replace("CKV_AWS_32", "CKV_AWS_51");
    assert_eq!(findings(&unrelated).len(), 1);
    assert!(findings(&unrelated)[0].starts_with("ECR101 \"'*'\""));
}

#[test]
fn cfn_lint_ignore_checks_map_by_prefix() {
    let source = "\
Resources:
  Repo:
    Type: AWS::ECR::Repository
    Metadata:
      cfn-lint:
        config:
          ignore_checks: [E3]
    Properties:
      ImageTagMutability: mutable
";
    assert_eq!(findings(source), Vec::<String>::new());
    let other = source.replace("[E3]", "[W3005]");
    assert_eq!(
        findings(&other),
        ["ECR902 \"mutable\": `mutable` is not a valid `ImageTagMutability`; CloudFormation accepts IMMUTABLE, MUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION"]
    );
}

#[test]
fn an_ignore_for_a_rule_switched_off_is_not_reported() {
    let source = MUTABLE.replace("MUTABLE\n", "IMMUTABLE  # ecrlint: ignore ECR201\n");
    let off = Settings {
        ignore: vec!["ECR201".into(), "ECR301".into(), "ECR302".into()],
        ..settings()
    };
    assert_eq!(findings_with(&source, &off), Vec::<String>::new());
    let no_unused = Settings {
        ignore: vec![
            "unused-suppression".into(),
            "ECR301".into(),
            "ECR302".into(),
        ],
        ..settings()
    };
    assert_eq!(findings_with(&source, &no_unused), Vec::<String>::new());
    let info_as_warning = Settings {
        severity: [("ECR905".to_string(), crate::Severity::Warning)].into(),
        ..settings()
    };
    let checked = check(&source, None, &info_as_warning);
    assert_eq!(checked.diagnostics.len(), 1);
    assert_eq!(checked.diagnostics[0].severity, crate::Severity::Warning);
}

#[test]
fn nothing_is_reported_unused_in_a_document_with_a_syntax_error() {
    let source = "Resources:\n  Repo:  # ecrlint: ignore ECR101\n    Type: AWS::ECR::Repository\n    Properties: {ImageTagMutability: IMMUTABLE\n";
    let found = findings(source);
    assert_eq!(found.len(), 1);
    assert!(found[0].starts_with("ECR901"), "{found:?}");
}

// --- writing suppressions -------------------------------------------------------------------

/// Applies `edit` and returns the new text, checking that the finding it targeted is gone.
fn suppressed(source: &str, edit: Option<Edit>) -> String {
    let edit = edit.expect("an edit");
    let text = apply_edits(source, &[edit]);
    assert_eq!(findings(&text), Vec::<String>::new(), "in:\n{text}");
    text
}

fn offset_of(source: &str, needle: &str) -> u32 {
    source.find(needle).expect("needle") as u32
}

#[test]
fn ignore_on_line_appends_a_comment() {
    let at = offset_of(MUTABLE, "MUTABLE\n");
    assert_eq!(
        suppressed(MUTABLE, ignore_on_line(MUTABLE, None, at, "ECR201")),
        MUTABLE.replace("MUTABLE\n", "MUTABLE  # ecrlint: ignore ECR201\n")
    );
}

#[test]
fn ignore_on_line_joins_an_existing_comment() {
    let source = MUTABLE.replace(
        "      ImageTagMutability",
        "      # ecrlint: ignore ECR101 -- reason\n      ImageTagMutability",
    );
    let at = offset_of(&source, "MUTABLE\n");
    let text = apply_edits(
        &source,
        &[ignore_on_line(&source, None, at, "ECR201").unwrap()],
    );
    assert_eq!(
        text,
        source.replace("ignore ECR101 --", "ignore ECR101, ECR201 --")
    );
    assert_eq!(
        findings(&text),
        ["ECR905 \"ECR101\": unused suppression: no `ECR101` finding on this line"]
    );
    let empty = MUTABLE.replace("MUTABLE\n", "MUTABLE  # ecrlint: ignore\n");
    let at = offset_of(&empty, "MUTABLE ");
    assert_eq!(
        suppressed(&empty, ignore_on_line(&empty, None, at, "ECR201")),
        MUTABLE.replace("MUTABLE\n", "MUTABLE  # ecrlint: ignore ECR201\n")
    );
    let done = MUTABLE.replace(
        "MUTABLE\n",
        "MUTABLE  # ecrlint: ignore mutable-image-tags\n",
    );
    assert_eq!(
        ignore_on_line(&done, None, offset_of(&done, "MUTABLE "), "ECR201"),
        None
    );
}

#[test]
fn ignore_on_line_goes_above_a_line_with_a_comment() {
    let source = "Resources:\r\n  Repo: # the app's images\r\n    Type: AWS::ECR::Repository\r\n";
    let at = offset_of(source, "Repo");
    assert_eq!(
        suppressed(source, ignore_on_line(source, None, at, "ECR201")),
        "Resources:\r\n  # ecrlint: ignore ECR201\r\n  Repo: # the app's images\r\n    Type: AWS::ECR::Repository\r\n"
    );
}

#[test]
fn ignore_on_line_refuses_json_and_multi_line_strings() {
    let json = r#"{"Resources": {"Repo": {"Type": "AWS::ECR::Repository"}}}"#;
    assert_eq!(
        ignore_on_line(json, None, offset_of(json, "\"Repo"), "ECR201"),
        None
    );
    let policy_text = "\
Resources:
  Repo:
    Type: AWS::ECR::Repository
    Properties:
      ImageTagMutability: IMMUTABLE
      RepositoryPolicyText: |
        {\"Statement\": [{\"Effect\": \"Allow\",
          \"Principal\": \"*\", \"Action\": \"ecr:BatchGetImage\"}]}
";
    let found = findings(policy_text);
    assert_eq!(found.len(), 1);
    assert!(found[0].starts_with("ECR101 \"\\\"*\\\"\""), "{found:?}");
    let at = offset_of(policy_text, "\"*\"");
    assert_eq!(ignore_on_line(policy_text, None, at, "ECR101"), None);
    // The resource action still reaches it.
    suppressed(
        policy_text,
        ignore_in_resource(policy_text, None, at, "ECR101"),
    );
}

#[test]
fn ignore_in_resource_writes_block_metadata() {
    let at = offset_of(MUTABLE, "MUTABLE\n");
    assert_eq!(
        suppressed(MUTABLE, ignore_in_resource(MUTABLE, None, at, "ECR201")),
        "\
Resources:
  Repo:
    Metadata:
      ecrlint:
        ignore:
          - code: ECR201
    Type: AWS::ECR::Repository
    Properties:
      ImageTagMutability: MUTABLE
"
    );
}

#[test]
fn ignore_in_resource_extends_what_is_there() {
    let other_metadata = MUTABLE.replace(
        "    Properties:",
        "    Metadata:\n      owner: platform\n    Properties:",
    );
    let at = offset_of(&other_metadata, "MUTABLE\n");
    assert_eq!(
        suppressed(&other_metadata, ignore_in_resource(&other_metadata, None, at, "ECR201")),
        MUTABLE.replace(
            "    Properties:",
            "    Metadata:\n      ecrlint:\n        ignore:\n          - code: ECR201\n      owner: platform\n    Properties:",
        )
    );
    let listed = MUTABLE.replace(
        "    Properties:",
        "    Metadata:\n      ecrlint:\n        ignore:\n          - code: ECR101\n    Properties:",
    );
    let at = offset_of(&listed, "MUTABLE\n");
    let text = apply_edits(
        &listed,
        &[ignore_in_resource(&listed, None, at, "ECR201").unwrap()],
    );
    assert_eq!(
        text,
        listed.replace(
            "          - code: ECR101\n",
            "          - code: ECR201\n          - code: ECR101\n"
        )
    );
    assert_eq!(
        findings(&text),
        [
            "ECR905 \"ECR101\": unused suppression: no `ECR101` finding in resource `Legacy`"
                .replace("Legacy", "Repo")
        ]
    );
    let flow = MUTABLE.replace(
        "    Properties:",
        "    Metadata: {ecrlint: {ignore: []}}\n    Properties:",
    );
    let at = offset_of(&flow, "MUTABLE\n");
    assert_eq!(
        suppressed(&flow, ignore_in_resource(&flow, None, at, "ECR201")),
        flow.replace("[]", "[{code: ECR201}]")
    );
    let done = flow.replace("[]", "[mutable-image-tags]");
    assert_eq!(
        ignore_in_resource(&done, None, offset_of(&done, "MUTABLE\n"), "ECR201"),
        None
    );
}

#[test]
fn ignore_in_resource_writes_json() {
    let source = r#"{
  "Resources": {
    "Repo": {
      "Type": "AWS::ECR::Repository",
      "Properties": {"ImageTagMutability": "MUTABLE"}
    }
  }
}
"#;
    let at = offset_of(source, "\"MUTABLE");
    assert_eq!(
        suppressed(source, ignore_in_resource(source, None, at, "ECR201")),
        r#"{
  "Resources": {
    "Repo": {
      "Metadata": {
        "ecrlint": {"ignore": [{"code": "ECR201"}]}
      },
      "Type": "AWS::ECR::Repository",
      "Properties": {"ImageTagMutability": "MUTABLE"}
    }
  }
}
"#
    );
    let outside = r#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:*"}]}"#;
    assert_eq!(
        ignore_in_resource(outside, None, offset_of(outside, "\"*\""), "ECR101"),
        None
    );
}
