//! Conformance with peer tools' own test fixtures (tests/peer-corpus, copied unchanged from KICS,
//! Checkov, Trivy and cfn-lint; origins and licences in tests/peer-corpus/SOURCES.md). Each peer
//! positive is found in the same resource, each peer negative is clean, and every place where
//! ecrlint deliberately disagrees is listed in `DISAGREEMENTS` with its reason.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use ecrlint_core::adapt::cloudformation::Template;
use ecrlint_core::syntax::{detect_format, parse, NodeKind};
use ecrlint_core::{check, LineIndex, Settings};

const PUBLIC: &str = "ECR101";
const MUTABLE: &str = "ECR201";
const NOT_CMK: &str = "ECR301";

/// (file, resource, rule, what the peer says, why ecrlint says otherwise)
const DISAGREEMENTS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "checkov/cloudformation/example_ECRPolicy/ECRPolicy-PASSED-2.yaml",
        "CondAllPass",
        PUBLIC,
        "Checkov CKV_AWS_32 passes it",
        FOR_ALL_VALUES,
    ),
    (
        "checkov/terraform/example_ECRPolicy/main.tf",
        "aws_ecr_repository_policy.pass_conditional",
        PUBLIC,
        "Checkov CKV_AWS_32 passes it",
        FOR_ALL_VALUES,
    ),
    (
        "checkov/terraform/example_ECRPolicy/main.tf",
        "aws_ecr_repository_policy.cond_any_pass",
        UNRESOLVED,
        "Checkov CKV_AWS_32 passes it",
        "its organization ids come from `local.org_ids`, which the file does not define: the \
         condition cannot be judged, so ecrlint says it cannot tell (ECR903) rather than pass it",
    ),
];

const FOR_ALL_VALUES: &str = "`ForAllValues:StringEquals` on aws:PrincipalOrgID is true when the \
     request has no such key, so a caller outside any organization passes the condition: the \
     statement is public";
const UNRESOLVED: &str = "ECR903";

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/peer-corpus")
}

/// The logical ids of the resources holding findings of `code` in `file`.
fn flagged(file: &str, code: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(corpus().join(file)).unwrap();
    flagged_in(&text, file, code)
}

fn flagged_in(text: &str, name: &str, code: &str) -> BTreeSet<String> {
    // Every rule, the opt-in ones too: each peer check is compared with the rule that covers it.
    let settings = Settings {
        select: Some(vec!["ALL".into()]),
        ..Settings::default()
    };
    let checked = check(text, Some(name), &settings);
    checked
        .diagnostics
        .iter()
        .filter(|d| d.code == code)
        .map(|d| resource_at(text, name, d.range.start).unwrap_or_else(|| "<top level>".into()))
        .collect()
}

fn resource_at(text: &str, name: &str, offset: u32) -> Option<String> {
    let document = parse(text, detect_format(text, Some(name)));
    if document.format == ecrlint_core::Format::Hcl {
        // Terraform: the `resource "TYPE" "NAME"` block around the offset, as `TYPE.NAME`.
        return document
            .root
            .as_ref()?
            .as_mapping()?
            .entries
            .iter()
            .find_map(|entry| {
                let NodeKind::Block(block) = &entry.value.kind else {
                    return None;
                };
                let [kind, name] = block.labels.as_slice() else {
                    return None;
                };
                (entry.key.text == "resource"
                    && entry.value.range.start <= offset
                    && offset < entry.value.range.end)
                    .then(|| format!("{}.{}", kind.text, name.text))
            });
    }
    let template = Template::new(document.root.as_ref()?);
    template
        .resources
        .iter()
        .find(|r| r.id_range.start <= offset && offset < r.node.range.end.max(r.id_range.end))
        .map(|r| r.logical_id.to_string())
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

fn disagreement(file: &str, resource: &str, code: &str) -> bool {
    DISAGREEMENTS
        .iter()
        .any(|(f, r, c, _, _)| *f == file && *r == resource && *c == code)
}

/// KICS lists the lines it reports; each must fall in a resource ecrlint flags for the same check.
/// `positives` is how many positive files the query has (a Terraform query's single one is not
/// named in its expectations).
fn kics(platform: &str, query: &str, code: &str, positives_expected: usize) {
    let dir = format!("kics/{platform}/aws/{query}/test");
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(corpus().join(&dir).join("positive_expected_result.json"))
            .unwrap(),
    )
    .unwrap();
    let mut positives = BTreeSet::new();
    for entry in expected.as_array().unwrap() {
        let file = entry["fileName"].as_str().unwrap_or("positive.tf");
        positives.insert(file.to_string());
        let path = format!("{dir}/{file}");
        let text = std::fs::read_to_string(corpus().join(&path)).unwrap();
        let line = entry["line"].as_u64().unwrap() as u32 - 1;
        let index = LineIndex::new(&text);
        let offset = index.line_range(line, &text).end;
        let resource = resource_at(&text, file, offset).expect("KICS reports inside a resource");
        assert!(
            flagged(&path, code).contains(&resource),
            "{path}: KICS reports line {} in `{resource}`; ecrlint has no {code} there",
            line + 1
        );
    }
    for entry in std::fs::read_dir(corpus().join(&dir)).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.starts_with("negative") {
            assert_eq!(
                flagged(&format!("{dir}/{name}"), code),
                set(&[]),
                "{dir}/{name}"
            );
        }
    }
    assert_eq!(
        positives.len(),
        positives_expected,
        "every KICS positive is checked"
    );
}

#[test]
fn kics_public_repository() {
    kics(
        "cloudFormation",
        "ecr_repository_is_publicly_accessible",
        PUBLIC,
        2,
    );
    kics(
        "terraform",
        "ecr_repository_is_publicly_accessible",
        PUBLIC,
        1,
    );
}

#[test]
fn kics_image_tag_not_immutable() {
    kics("cloudFormation", "ecr_image_tag_not_immutable", MUTABLE, 2);
    kics("terraform", "ecr_image_tag_not_immutable", MUTABLE, 1);
}

#[test]
fn kics_repository_not_encrypted_with_cmk() {
    kics("terraform", "ecr_repository_not_encrypted", NOT_CMK, 1);
}

/// Checkov's Terraform expectations, written out in SOURCES.md.
#[test]
fn checkov_terraform_ecr_policy() {
    let path = "checkov/terraform/example_ECRPolicy/main.tf";
    let found = flagged(path, PUBLIC);
    let policy = |name: &str| format!("aws_ecr_repository_policy.{name}");
    for failing in ["fail", "fail_conditional"] {
        assert!(
            found.contains(&policy(failing)),
            "{path}: `{failing}`: {found:?}"
        );
    }
    let passing = [
        "pass",
        "empty",
        "pass_conditional",
        "cond_any_pass",
        "cond_equals_pass",
        "pass_without_principal",
    ];
    for passes in passing {
        let resource = policy(passes);
        assert_eq!(
            found.contains(&resource),
            disagreement(path, &resource, PUBLIC),
            "{path}: `{resource}` (Checkov passes it)"
        );
    }
    assert_eq!(found.len(), 3, "{found:?}");
    let unresolved = flagged(path, UNRESOLVED);
    assert_eq!(
        unresolved,
        set(&["aws_ecr_repository_policy.cond_any_pass"])
    );
    assert!(disagreement(
        path,
        "aws_ecr_repository_policy.cond_any_pass",
        UNRESOLVED
    ));
}

#[test]
fn checkov_terraform_immutable_tags() {
    assert_eq!(
        flagged(
            "checkov/terraform/example_ECRImmutableTags/main.tf",
            MUTABLE
        ),
        set(&["aws_ecr_repository.default", "aws_ecr_repository.disabled"])
    );
}

/// Checkov keeps its expectations in code; they are written out in SOURCES.md.
#[test]
fn checkov_ecr_policy() {
    let dir = "checkov/cloudformation/example_ECRPolicy";
    assert_eq!(
        flagged(&format!("{dir}/ECRPolicy-FAILED.yaml"), PUBLIC),
        set(&["Public"])
    );
    for (file, passes) in [
        ("ECRPolicy-PASSED.yaml", &["Restricted"][..]),
        ("ECRPolicy_passed.json", &["vpc16AA8B31E"][..]),
        (
            "ECRPolicy-PASSED-2.yaml",
            &["CondAllPass", "CondAnyPass", "CondEqualsPass"][..],
        ),
    ] {
        let path = format!("{dir}/{file}");
        let found = flagged(&path, PUBLIC);
        for resource in passes {
            assert_eq!(
                found.contains(*resource),
                disagreement(&path, resource, PUBLIC),
                "{path}: `{resource}` (Checkov passes it)"
            );
        }
    }
    // Checkov also pins the exact element: Principal/AWS/[2]; the finding is that `"*"`.
    let text = std::fs::read_to_string(corpus().join(dir).join("ECRPolicy-FAILED.yaml")).unwrap();
    let checked = check(&text, Some("x.yaml"), &Settings::default());
    let public: Vec<&str> = checked
        .diagnostics
        .iter()
        .filter(|d| d.code == PUBLIC)
        .map(|d| &text[d.range.as_usize()])
        .collect();
    assert_eq!(public, vec!["\"*\""]);
}

#[test]
fn checkov_immutable_tags() {
    let dir = "checkov/cloudformation/example_ECRImmutableTags";
    assert_eq!(
        flagged(&format!("{dir}/ECRImmutableTags-FAILED.yaml"), MUTABLE),
        set(&["MyRepository0", "MyRepository1"])
    );
    assert_eq!(
        flagged(&format!("{dir}/ECRImmutableTags-PASSED.yaml"), MUTABLE),
        set(&[])
    );
}

#[test]
fn checkov_repository_encrypted() {
    let dir = "checkov/cloudformation/example_ECRRepositoryEncrypted";
    assert_eq!(
        flagged(&format!("{dir}/FAILED.yml"), NOT_CMK),
        set(&["AES256Encryption", "NoEncryption"])
    );
    assert_eq!(flagged(&format!("{dir}/PASSED.yml"), NOT_CMK), set(&[]));
}

/// Trivy keeps its CloudFormation and Terraform examples as strings in a YAML file: `good` and
/// `bad` lists.
fn trivy(file: &str, code: &str) {
    let text = std::fs::read_to_string(corpus().join(file)).unwrap();
    let document = parse(&text, ecrlint_core::Format::Yaml);
    let root = document.root.as_ref().unwrap();
    for (platform, name) in [
        ("cloudformation", "example.yaml"),
        ("terraform", "example.tf"),
    ] {
        let examples = root.get(platform).unwrap();
        for (kind, expect_finding) in [("good", false), ("bad", true)] {
            let list = examples.get(kind).unwrap().as_sequence().unwrap();
            assert!(!list.items.is_empty());
            for example in &list.items {
                let source = example.as_str().unwrap();
                let found = flagged_in(source, name, code);
                assert_eq!(
                    !found.is_empty(),
                    expect_finding,
                    "{file} {platform} {kind} example:\n{source}\n{found:?}"
                );
            }
        }
    }
}

#[test]
fn trivy_no_public_access() {
    trivy("trivy-checks/AWS-0032/no_public_access.yaml", PUBLIC);
}

#[test]
fn trivy_enforce_immutable_repository() {
    trivy(
        "trivy-checks/AWS-0031/enforce_immutable_repository.yaml",
        MUTABLE,
    );
}

#[test]
fn trivy_repository_customer_key() {
    trivy(
        "trivy-checks/AWS-0033/repository_customer_key.yaml",
        NOT_CMK,
    );
}

/// cfn-lint E3513's bad file has `Effect: NotAllow` in `ecr1`: an invalid value, and no public
/// finding since the statement does not allow. The good file gives a JSON string policy.
#[test]
fn cfn_lint_resource_policy() {
    let bad = "cfn-lint/E3513/bad/resource_policy.yaml";
    assert_eq!(flagged(bad, "ECR902"), set(&["ecr1"]));
    assert_eq!(flagged(bad, PUBLIC), set(&[]));
    let good = "cfn-lint/E3513/good/resource_policy.yaml";
    assert_eq!(flagged(good, "ECR902"), set(&[]));
    assert_eq!(flagged(good, PUBLIC), set(&[]));
}

/// Ansible playbooks are not ours: whatever they hold, ecrlint stays silent.
#[test]
fn kics_ansible_is_not_ours() {
    for query in [
        "ecr_image_tag_not_immutable",
        "ecr_repository_is_publicly_accessible",
    ] {
        for file in ["positive.yaml", "negative.yaml"] {
            let path = corpus().join(format!("kics/ansible/aws/{query}/test/{file}"));
            let text = std::fs::read_to_string(&path).unwrap();
            let checked = check(&text, Some(file), &Settings::default());
            assert!(!checked.kind.is_ours(), "{}", path.display());
            assert!(checked.diagnostics.is_empty(), "{}", path.display());
        }
    }
}
