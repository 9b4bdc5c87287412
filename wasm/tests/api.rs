//! The JavaScript-facing API computed natively: exact findings, positions and fixes for the
//! playground's examples.

use ecrlint_wasm::api::{
    self, Applicability, AppliedFix, CheckResult, Edit, Finding, Fix, FixAvailability, FixOptions,
    Format, InputKind, Settings, Severity,
};
use ecrlint_wasm::positions::{Position, Range};

fn example(name: &str) -> String {
    let path = format!("{}/playground/examples/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn with_account(account: &str) -> Settings {
    Settings {
        account_id: Some(account.to_string()),
        ..Settings::default()
    }
}

const ECR101_URL: &str =
    "https://github.com/ecrlint/ecrlint/blob/main/docs/rules/ECR101-public-repository.md";
const ECR201_URL: &str =
    "https://github.com/ecrlint/ecrlint/blob/main/docs/rules/ECR201-mutable-image-tags.md";

#[test]
fn exposed_policy_without_an_account_has_no_fix() {
    let text = example("conformity-exposed-policy.json");
    let result = api::check(&text, &Settings::default(), None).unwrap();
    assert_eq!(
        result,
        CheckResult {
            kind: InputKind::RepositoryPolicy,
            kind_description: "repository policy".into(),
            format: Format::Json,
            parsed: true,
            findings: vec![Finding {
                code: "ECR101".into(),
                name: "public-repository".into(),
                severity: Severity::Error,
                message: "repository policy allows everyone: `Principal` is `*` and no condition limits the caller; give the owning account with `--account-id` (or `account-id` in ecrlint.toml) for a fix".into(),
                range: Range { start: 126, end: 129 },
                start: Position { line: 7, column: 20 },
                end: Position { line: 7, column: 23 },
                url: ECR101_URL.into(),
                fix: None,
                related: vec![],
            }, Finding {
                code: "ECR102".into(),
                name: "public-write".into(),
                severity: Severity::Error,
                message: "`ecr:*` grants everyone write actions (`ecr:PutImage`, `ecr:InitiateLayerUpload`, `ecr:UploadLayerPart`, …): anyone can push, overwrite or delete images, or take the repository over".into(),
                range: Range { start: 157, end: 164 },
                start: Position { line: 9, column: 9 },
                end: Position { line: 9, column: 16 },
                url: "https://github.com/ecrlint/ecrlint/blob/main/docs/rules/ECR102-public-write.md".into(),
                fix: Some(Fix {
                    title: "Allow only pulling images instead of `ecr:*`".into(),
                    applicability: Applicability::Unsafe,
                    edits: vec![Edit {
                        range: Range { start: 147, end: 172 },
                        content: "[\"ecr:BatchCheckLayerAvailability\", \"ecr:BatchGetImage\", \"ecr:GetDownloadUrlForLayer\"]".into(),
                    }],
                }),
                related: vec![],
            }],
        }
    );
    assert_eq!(&text[126..129], "\"*\"");
    assert_eq!(&text[147..172], "[\n        \"ecr:*\"\n      ]");
}

#[test]
fn exposed_policy_with_an_account_is_fixed_to_its_root() {
    let text = example("conformity-exposed-policy.json");
    let settings = with_account("123456789012");
    let result = api::check(&text, &settings, None).unwrap();
    assert_eq!(
        result.findings[0].fix,
        Some(Fix {
            title: "Allow only the owning account (`arn:aws:iam::123456789012:root`)".into(),
            applicability: Applicability::Safe,
            edits: vec![Edit {
                range: Range {
                    start: 126,
                    end: 129
                },
                content: "{\"AWS\": \"arn:aws:iam::123456789012:root\"}".into(),
            }],
        })
    );
    let fixed = api::fix(&text, &settings, FixOptions::default(), None).unwrap();
    assert_eq!(
        fixed.text,
        text.replace(
            "\"Principal\": \"*\"",
            "\"Principal\": {\"AWS\": \"arn:aws:iam::123456789012:root\"}"
        )
    );
    assert_eq!(
        fixed.applied,
        vec![AppliedFix {
            code: "ECR101".into(),
            title: "Allow only the owning account (`arn:aws:iam::123456789012:root`)".into(),
        }]
    );
    assert_eq!(fixed.remaining.findings, vec![]);
}

#[test]
fn kics_template_has_two_mutable_repositories() {
    let text = example("kics-mutable-tags.yaml");
    // The informational rules (ECR301, ECR302) find the same two repositories; left out here.
    let settings = Settings {
        select: Some(vec!["ECR2".into()]),
        ..Settings::default()
    };
    let result = api::check(&text, &settings, Some("positive1.yaml")).unwrap();
    assert_eq!(result.kind, InputKind::CloudformationTemplate);
    assert_eq!(result.format, Format::Yaml);
    let summary: Vec<(&str, Position, &str, Option<&str>)> = result
        .findings
        .iter()
        .map(|f| {
            (
                f.code.as_str(),
                f.start,
                f.message.as_str(),
                f.fix.as_ref().map(|fix| fix.title.as_str()),
            )
        })
        .collect();
    let scanning = "`ScanOnPush` is not set, so images are not scanned on push (the default is `false`); a registry scanning configuration with rules overrides this setting (set `registry-scanning = \"covers-all\"` when yours scans every repository)";
    assert_eq!(
        summary,
        vec![
            (
                "ECR202",
                Position { line: 2, column: 3 },
                scanning,
                Some("Set `ImageScanningConfiguration: {ScanOnPush: true}`"),
            ),
            (
                "ECR201",
                Position { line: 5, column: 27 },
                "`ImageTagMutability` is `MUTABLE`: image tags can be overwritten",
                Some("Set `ImageTagMutability` to `IMMUTABLE`"),
            ),
            (
                "ECR201",
                Position { line: 25, column: 3 },
                "`ImageTagMutability` is not set, so image tags are mutable (the default is `MUTABLE`)",
                Some("Set `ImageTagMutability: IMMUTABLE`"),
            ),
            (
                "ECR202",
                Position { line: 25, column: 3 },
                scanning,
                Some("Set `ImageScanningConfiguration: {ScanOnPush: true}`"),
            ),
        ]
    );
    assert_eq!(result.findings[1].url, ECR201_URL);
    // The mutability fixes alone, to read the edits they make.
    let mutability = Settings {
        select: Some(vec!["ECR201".into()]),
        ..Settings::default()
    };
    let fixed = api::fix(&text, &mutability, FixOptions::default(), None).unwrap();
    let expected = text
        .replace(
            "ImageTagMutability: \"MUTABLE\"",
            "ImageTagMutability: \"IMMUTABLE\"",
        )
        .replace(
            "  MyRepository4:\n    Type: AWS::ECR::Repository\n    Properties:\n",
            "  MyRepository4:\n    Type: AWS::ECR::Repository\n    Properties:\n      ImageTagMutability: IMMUTABLE\n",
        );
    assert_eq!(fixed.text, expected);
    assert_eq!(fixed.applied.len(), 2);
    assert_eq!(fixed.remaining.findings, vec![]);
}

#[test]
fn get_repository_policy_output_uses_its_registry_id() {
    let text = example("get-repository-policy-output.json");
    let result = api::check(&text, &Settings::default(), None).unwrap();
    assert_eq!(result.kind, InputKind::GetRepositoryPolicyOutput);
    assert_eq!(
        result.kind_description,
        "aws ecr get-repository-policy output"
    );
    let finding = &result.findings[0];
    assert_eq!(result.findings.len(), 1);
    assert_eq!(
        (finding.code.as_str(), finding.range, finding.start),
        (
            "ECR101",
            Range {
                start: 261,
                end: 266
            },
            Position {
                line: 4,
                column: 177
            }
        )
    );
    // The range covers the escaped `\"*\"` inside the JSON string.
    assert_eq!(&text[261..266], "\\\"*\\\"");
    let fixed = api::fix(&text, &Settings::default(), FixOptions::default(), None).unwrap();
    assert_eq!(
        fixed.text,
        text.replace(
            "\\\"AWS\\\" : \\\"*\\\"",
            "\\\"AWS\\\" : \\\"arn:aws:iam::123456789012:root\\\""
        )
    );
}

#[test]
fn describe_repositories_output_names_the_mutable_repository() {
    let text = example("describe-repositories-output.json");
    let result = api::check(&text, &Settings::default(), None).unwrap();
    assert_eq!(result.kind, InputKind::DescribeRepositoriesOutput);
    let messages: Vec<(&str, Position, bool)> = result
        .findings
        .iter()
        .map(|f| (f.message.as_str(), f.start, f.fix.is_some()))
        .collect();
    assert_eq!(
        messages,
        vec![
            (
                "repository `project-a/nginx-web-app` has mutable image tags; run `aws ecr put-image-tag-mutability --repository-name project-a/nginx-web-app --image-tag-mutability IMMUTABLE --registry-id 123456789012`",
                Position { line: 9, column: 35 },
                false,
            ),
            (
                "repository `project-a/nginx-web-app` does not scan images on push; a registry scanning configuration with rules overrides this setting (set `registry-scanning = \"covers-all\"` when yours scans every repository); run `aws ecr put-image-scanning-configuration --repository-name project-a/nginx-web-app --image-scanning-configuration scanOnPush=true --registry-id 123456789012`",
                Position { line: 11, column: 31 },
                false,
            ),
            (
                "repository `project-a/nginx-web-app` is encrypted with `AES256`, not a customer-managed KMS key; changing the encryption replaces the repository and deletes its images",
                Position { line: 14, column: 35 },
                false,
            ),
        ]
    );
}

#[test]
fn clean_template_has_no_findings() {
    let text = example("clean-template.yaml");
    let result = api::check(&text, &Settings::default(), None).unwrap();
    assert_eq!(result.kind, InputKind::CloudformationTemplate);
    assert_eq!(result.findings, vec![]);
}

#[test]
fn positions_count_utf16_units_before_a_finding() {
    // Two characters outside the BMP and one accented letter before the principal.
    let text = "{\"Statement\": [{\"Sid\": \"Ö🚀🚀\", \"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"ecr:BatchGetImage\"}]}";
    let result = api::check(text, &with_account("123456789012"), None).unwrap();
    let finding = &result.findings[0];
    let byte_start = text.find("\"*\"").unwrap();
    let utf16_start = text[..byte_start].encode_utf16().count() as u32;
    assert_eq!(byte_start - utf16_start as usize, 5);
    assert_eq!(
        finding.range,
        Range {
            start: utf16_start,
            end: utf16_start + 3
        }
    );
    assert_eq!(
        finding.start,
        Position {
            line: 1,
            column: utf16_start + 1
        }
    );
    assert_eq!(finding.fix.as_ref().unwrap().edits[0].range, finding.range);
}

#[test]
fn settings_select_ignore_and_severity() {
    let text = example("kics-mutable-tags.yaml");
    let ignored = Settings {
        ignore: Some(vec![
            "mutable-image-tags".into(),
            "ECR202".into(),
            "ECR3".into(),
        ]),
        ..Settings::default()
    };
    assert_eq!(api::check(&text, &ignored, None).unwrap().findings, vec![]);
    let selected = Settings {
        select: Some(vec!["ECR1".into()]),
        ..Settings::default()
    };
    assert_eq!(api::check(&text, &selected, None).unwrap().findings, vec![]);
    let errors = Settings {
        select: Some(vec!["ECR2".into()]),
        severity: Some([("ECR201".to_string(), Severity::Error)].into()),
        ..Settings::default()
    };
    let severities: Vec<Severity> = api::check(&text, &errors, None)
        .unwrap()
        .findings
        .iter()
        .map(|f| f.severity)
        .collect();
    assert_eq!(
        severities,
        vec![
            Severity::Warning,
            Severity::Error,
            Severity::Error,
            Severity::Warning
        ]
    );
}

#[test]
fn invalid_settings_are_refused_with_every_problem() {
    let settings = Settings {
        account_id: Some("12345".into()),
        select: Some(vec!["ECR999".into()]),
        ..Settings::default()
    };
    let error = api::check("{}", &settings, None).unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid settings: unknown rule `ECR999`; account id `12345` is not 12 digits"
    );
    let settings = Settings {
        trusted_accounts: Some(vec!["1111-2222-3333".into()]),
        ..Settings::default()
    };
    let error = api::check("{}", &settings, None).unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid settings: trusted account `1111-2222-3333` is not 12 digits"
    );
    let settings = Settings {
        registry_scanning: Some("everything".into()),
        ..Settings::default()
    };
    let error = api::check("{}", &settings, None).unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid settings: registryScanning `everything` is not \"unknown\" or \"covers-all\""
    );
}

#[test]
fn the_settings_keys_checked_in_javascript_are_the_fields_of_settings() {
    let error = serde_json::from_str::<Settings>(r#"{"zzz": 1}"#).unwrap_err();
    let expected: Vec<String> = api::SETTINGS_KEYS
        .iter()
        .map(|k| format!("`{k}`"))
        .collect();
    assert_eq!(
        error.to_string(),
        format!(
            "unknown field `zzz`, expected one of {} at line 1 column 6",
            expected.join(", ")
        )
    );
}

#[test]
fn trusted_accounts_turn_on_untrusted_account() {
    let text = r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "ecr:BatchGetImage"}]}"#;
    assert_eq!(
        api::check(text, &Settings::default(), None)
            .unwrap()
            .findings,
        vec![]
    );
    let trusting = Settings {
        trusted_accounts: Some(vec!["111122223333".into()]),
        ..Settings::default()
    };
    let findings = api::check(text, &trusting, None).unwrap().findings;
    let codes: Vec<&str> = findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["ECR103"]);
    assert_eq!(
        findings[0].message,
        "the repository policy grants `arn:aws:iam::444455556666:root` (account `444455556666`), which is not in `trusted-accounts` (set `account-id` if it is the owner)"
    );
}

#[test]
fn unsafe_fixes_only_when_asked() {
    let options = FixOptions {
        unsafe_fixes: Some(true),
    };
    let text = example("kics-mutable-tags.yaml");
    let safe = api::fix(&text, &Settings::default(), FixOptions::default(), None).unwrap();
    let all = api::fix(&text, &Settings::default(), options, None).unwrap();
    // Every fix in this template is safe: both runs agree.
    assert_eq!(safe, all);
}

#[test]
fn text_that_does_not_parse_is_never_fixed_whatever_is_selected() {
    let text = "{\"Resources\": {\"Repo\": {\"Type\": \"AWS::ECR::Repository\",}}}";
    let settings = Settings {
        select: Some(vec!["ECR201".into()]),
        ..Settings::default()
    };
    let checked = api::check(text, &settings, None).unwrap();
    assert!(!checked.parsed);
    assert_eq!(checked.findings.len(), 1, "{:?}", checked.findings);
    assert_eq!(checked.findings[0].code, "ECR201");
    let fixed = api::fix(text, &settings, FixOptions::default(), None).unwrap();
    assert_eq!(fixed.text, text);
    assert!(fixed.applied.is_empty());
}

#[test]
fn rules_carry_their_documentation() {
    let rules = api::rules();
    let codes: Vec<&str> = rules.iter().map(|r| r.code.as_str()).collect();
    let core_codes: Vec<&str> = ecrlint_core::rules().iter().map(|r| r.code).collect();
    assert_eq!(codes, core_codes);
    assert_eq!(
        codes[..5],
        ["ECR101", "ECR102", "ECR103", "ECR105", "ECR201"]
    );
    let public = &rules[0];
    assert_eq!(public.name, "public-repository");
    assert_eq!(public.severity, Severity::Error);
    assert_eq!(public.fix, FixAvailability::Sometimes);
    assert_eq!(public.url, ECR101_URL);
    assert!(public.explanation.starts_with("## What it does\n"));
    assert_eq!(public.covers[0], "Trend Micro Conformity ECR-001");
}
