//! Inputs meant to hurt: each ends in one clear finding at a position, never a stack overflow,
//! a hang or a panic.

use ecrlint_core::{check, Diagnostic, Settings};

fn findings(text: &str, name: &str) -> Vec<Diagnostic> {
    check(text, Some(name), &Settings::default()).diagnostics
}

fn only_syntax_error(found: &[Diagnostic]) -> &Diagnostic {
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].code, "ECR901");
    &found[0]
}

#[test]
fn deep_yaml_flow_nesting() {
    let text = "[".repeat(100_000);
    let found = findings(&text, "deep.yaml");
    let error = only_syntax_error(&found);
    assert_eq!(error.message, "nesting is deeper than 255 levels");
    assert!(error.range.start <= 256, "{error:?}");
}

#[test]
fn deep_yaml_block_nesting() {
    let mut text = String::new();
    for depth in 0..100_000 {
        text.push_str(&" ".repeat(depth.min(300)));
        text.push_str("a:\n");
    }
    // Indentation stops growing at 300 columns, so the document turns invalid or shallow there;
    // either way it must end in a finding, not a crash.
    let found = findings(&text, "deep.yaml");
    assert!(found.iter().any(|d| d.code == "ECR901"), "{found:?}");
}

#[test]
fn deep_json_nesting() {
    let text = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let error = only_syntax_error(&findings(&text, "deep.json")).clone();
    assert!(
        error.message.contains("nest") || error.message.contains("deep"),
        "{}",
        error.message
    );
}

#[test]
fn deep_json_inside_the_limit_of_the_parser() {
    let text = format!("{}{}", "[".repeat(300), "]".repeat(300));
    let error = only_syntax_error(&findings(&text, "deep.json")).clone();
    assert_eq!(error.message, "nesting is deeper than 255 levels");
}

#[test]
fn billion_laughs() {
    let mut text = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names: Vec<char> = ('b'..='j').collect();
    let mut previous = 'a';
    for name in names {
        let refs = vec![format!("*{previous}"); 9].join(",");
        text.push_str(&format!("{name}: &{name} [{refs}]\n"));
        previous = name;
    }
    let found = findings(&text, "lol.yaml");
    let error = only_syntax_error(&found);
    assert_eq!(
        error.message,
        "aliases expand to more than 100000 nodes; ecrlint stops here to stay small"
    );
}

#[test]
fn too_large() {
    let text = format!("# {}\n", "x".repeat(17 * 1024 * 1024));
    let error = only_syntax_error(&findings(&text, "big.yaml")).clone();
    assert_eq!(
        error.message,
        "the input is 17.8 MB; ecrlint reads at most 16 MiB (CloudFormation itself accepts at most 1 MB)"
    );
}

#[test]
fn nul_bytes_and_control_characters() {
    let found = findings("Resources:\n  A:\0\n", "nul.yaml");
    only_syntax_error(&found);
    let found = findings("{\"Statement\": \u{1}}", "ctl.json");
    assert!(found.iter().all(|d| d.code == "ECR901"), "{found:?}");
}

#[test]
fn a_long_single_line() {
    let text = format!(
        "{{\"Statement\": [{}]}}",
        vec!["{\"Effect\": \"Deny\", \"Principal\": \"*\", \"Action\": \"ecr:*\"}"; 100_000]
            .join(",")
    );
    assert!(text.len() > 3_000_000);
    assert_eq!(findings(&text, "long.json"), Vec::new());
}

#[test]
fn empty_and_whitespace_documents() {
    for text in ["", "\n\n", "   ", "---\n", "{}", "[]", "null", "~"] {
        assert_eq!(findings(text, "empty.yaml"), Vec::new(), "{text:?}");
    }
    let found = findings("", "empty.json");
    assert!(found.iter().all(|d| d.code == "ECR901"), "{found:?}");
}

#[test]
fn unusual_shapes_do_not_confuse_the_model() {
    let cases = [
        "Resources: [1, 2]",
        "Resources:\n  A: 1\n",
        "Resources:\n  A:\n    Type: AWS::ECR::Repository\n    Properties: [1]\n",
        "Resources:\n  A:\n    Type: AWS::ECR::Repository\n    Properties:\n      RepositoryPolicyText: 5\n",
        "Resources:\n  A:\n    Type: AWS::ECR::Repository\n    Properties:\n      RepositoryPolicyText:\n        Statement: {Effect: Allow, Principal: [\"*\"]}\n",
        "Statement: 7\n",
        "Statement: [[[]]]\n",
        "{\"policyText\": \"[\"}",
        "{\"repositories\": [1, {\"repositoryName\": []}]}",
        "? [a, b]\n: c\nStatement: []\n",
        "Resources:\n  A:\n    Type: AWS::ECR::Repository\n    Properties:\n      ImageTagMutability: !If [c]\n",
        "Resources:\n  A:\n    Type: AWS::ECR::Repository\n    Properties:\n      ImageTagMutability: !Sub [\"${X}\", {X: !Sub [\"${Y}\", {Y: !Sub \"${X}\"}]}]\n",
    ];
    for case in cases {
        // No panic, and every range lies inside the text on character boundaries.
        for d in findings(case, "case.yaml") {
            assert!(d.range.end as usize <= case.len(), "{case:?}: {d:?}");
            assert!(
                case.is_char_boundary(d.range.start as usize)
                    && case.is_char_boundary(d.range.end as usize)
            );
        }
    }
}

/// Child modules nested as deep as the JSON reader goes, a repository at the bottom: found and
/// named by its address; deeper than that, one syntax error.
#[test]
fn a_plan_with_deeply_nested_child_modules() {
    let plan = |depth: usize| {
        let address: Vec<String> = (0..depth).map(|i| format!("module.m{i}")).collect();
        let address = address.join(".");
        let repository = format!(
            "{{\"address\":\"{address}.aws_ecr_repository.r\",\"mode\":\"managed\",\"type\":\"aws_ecr_repository\",\"name\":\"r\",\"values\":{{\"image_tag_mutability\":\"MUTABLE\",\"name\":\"r\"}}}}"
        );
        format!(
            "{{\"format_version\":\"1.2\",\"terraform_version\":\"1.11.4\",\"planned_values\":{{\"root_module\":{}{{\"resources\":[{repository}]}}{}}}}}",
            "{\"child_modules\":[".repeat(depth),
            "]}".repeat(depth)
        )
    };
    let settings = Settings {
        select: Some(vec!["ECR201".into()]),
        ..Settings::default()
    };
    let text = plan(120);
    let found = check(&text, Some("plan.json"), &settings).diagnostics;
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0]
            .message
            .starts_with("`module.m0.module.m1.module.m2."),
        "{}",
        found[0].message
    );
    assert!(found[0]
        .message
        .ends_with(".module.m119.aws_ecr_repository.r`: `image_tag_mutability` is `MUTABLE`: image tags can be overwritten; fix it in the Terraform source"));
    assert_eq!(&text[found[0].range.as_usize()], "\"MUTABLE\"");
    let error = only_syntax_error(&findings(&plan(100_000), "plan.json")).clone();
    assert_eq!(error.message, "Maximum nesting depth exceeded");
    let error = only_syntax_error(&findings(&plan(130), "plan.json")).clone();
    assert_eq!(error.message, "nesting is deeper than 255 levels");
}
