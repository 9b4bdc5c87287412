//! `ecrlint audit` where moto cannot go, against a local server answering what AWS answers:
//! more than one page of repositories, a throttled call retried, calls throttled past the
//! retries, denied calls and a region that is not enabled — each gap an ECR910 finding naming
//! the call, the region and the resource, the rest of the account still audited.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::{json, Value};
use support::fake_aws::{Answer, Call, FakeAws};
use support::{code, ecrlint, stderr};

const ACCOUNT: &str = "123456789012";

fn arn(region: &str, name: &str) -> String {
    format!("arn:aws:ecr:{region}:{ACCOUNT}:repository/{name}")
}

/// A repository that every rule passes, unless named in `mutable`.
fn repository(region: &str, name: &str, mutable: bool) -> Value {
    json!({
        "repositoryArn": arn(region, name),
        "registryId": ACCOUNT,
        "repositoryName": name,
        "imageTagMutability": if mutable { "MUTABLE" } else { "IMMUTABLE" },
        "imageScanningConfiguration": {"scanOnPush": true},
        "encryptionConfiguration": {"encryptionType": "KMS", "kmsKey": "arn:aws:kms:us-east-1:123456789012:key/k"},
    })
}

const LIFECYCLE: &str = r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":50},"action":{"type":"expire"}}]}"#;
const PUBLIC: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"All","Effect":"Allow","Principal":"*","Action":"ecr:BatchGetImage"}]}"#;

/// What a healthy registry answers for `repositories` (name, mutable).
fn healthy(call: &Call, repositories: &[(String, bool)]) -> Answer {
    let name = call.body["repositoryName"].as_str().unwrap_or("");
    match call.operation.as_str() {
        "DescribeRepositories" => {
            let all: Vec<Value> = repositories
                .iter()
                .map(|(n, m)| repository(&call.region, n, *m))
                .collect();
            let size = call.body["maxResults"].as_u64().unwrap_or(100) as usize;
            let from: usize = call.body["nextToken"]
                .as_str()
                .and_then(|t| t.strip_prefix("from-"))
                .and_then(|t| t.parse().ok())
                .unwrap_or(0);
            let to = (from + size).min(all.len());
            let mut page = json!({"repositories": all[from..to]});
            if to < all.len() {
                page["nextToken"] = json!(format!("from-{to}"));
            }
            Answer::ok(page)
        }
        "GetRepositoryPolicy" => Answer::error(
            "RepositoryPolicyNotFoundException",
            "Repository policy does not exist",
        ),
        "GetLifecyclePolicy" => Answer::ok(json!({
            "registryId": ACCOUNT, "repositoryName": name, "lifecyclePolicyText": LIFECYCLE,
        })),
        "BatchGetRepositoryScanningConfiguration" => {
            let names = call.body["repositoryNames"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let configurations: Vec<Value> = names
                .iter()
                .map(|n| {
                    let n = n.as_str().unwrap();
                    json!({"repositoryArn": arn(&call.region, n), "repositoryName": n,
                        "scanOnPush": true, "scanFrequency": "SCAN_ON_PUSH", "appliedScanFilters": []})
                })
                .collect();
            Answer::ok(json!({"scanningConfigurations": configurations, "failures": []}))
        }
        "GetRegistryPolicy" => Answer::error(
            "RegistryPolicyNotFoundException",
            "Registry policy does not exist",
        ),
        "GetRegistryScanningConfiguration" => Answer::ok(json!({
            "registryId": ACCOUNT,
            "scanningConfiguration": {"scanType": "BASIC", "rules": [{"scanFrequency": "SCAN_ON_PUSH",
                "repositoryFilters": [{"filter": "*", "filterType": "WILDCARD"}]}]},
        })),
        "DescribeRegistry" => {
            Answer::ok(json!({"registryId": ACCOUNT, "replicationConfiguration": {"rules": []}}))
        }
        other => Answer::error("UnknownOperationException", other),
    }
}

/// `(code, filename, message)` of each finding of a JSON report.
fn findings(output: &std::process::Output) -> Vec<(String, String, String)> {
    let list: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", stderr(output)));
    list.as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["filename"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn audit(server: &FakeAws, args: &[&str], extra: &[(&str, &str)]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let mut all = vec!["audit", "--output-format", "json"];
    all.extend(args);
    ecrlint(dir.path(), &server.url, &all, extra)
}

#[test]
fn every_page_of_repositories_is_read() {
    // 2,345 repositories: three pages of at most 1,000; one on the last page is mutable.
    let repositories: Vec<(String, bool)> = (0..2345)
        .map(|i| (format!("repo-{i:04}"), i == 2101))
        .collect();
    let server = FakeAws::start(move |call| healthy(call, &repositories));
    let output = audit(&server, &[], &[]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert_eq!(
        findings(&output),
        [(
            "ECR201".to_string(),
            arn("us-east-1", "repo-2101"),
            "repository `repo-2101` has mutable image tags; run `aws ecr put-image-tag-mutability --repository-name repo-2101 --image-tag-mutability IMMUTABLE --registry-id 123456789012 --region us-east-1`".to_string()
        )]
    );
    assert_eq!(server.calls("DescribeRepositories", "us-east-1"), 3);
    assert_eq!(server.calls("GetRepositoryPolicy", "us-east-1"), 2345);
    assert_eq!(server.calls("GetLifecyclePolicy", "us-east-1"), 2345);
    // 25 repositories a call.
    assert_eq!(
        server.calls("BatchGetRepositoryScanningConfiguration", "us-east-1"),
        94
    );
    let output = ecrlint(
        tempfile::tempdir().unwrap().path(),
        &server.url,
        &["audit", "--select", "ECR3"],
        &[],
    );
    assert_eq!(code(&output), 0);
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "All checks passed (2345 repositories in 1 region of 1 account audited).\n"
    );
}

#[test]
fn a_throttled_call_is_retried_and_one_throttled_past_the_retries_is_a_gap() {
    let repositories = vec![("app".to_string(), false), ("busy".to_string(), false)];
    let throttled_once = Arc::new(AtomicUsize::new(0));
    let server = FakeAws::start(move |call| {
        let name = call.body["repositoryName"].as_str().unwrap_or("");
        match (call.operation.as_str(), name) {
            ("GetRepositoryPolicy", "app") => {
                if throttled_once.fetch_add(1, Ordering::SeqCst) == 0 {
                    Answer::error("ThrottlingException", "Rate exceeded")
                } else {
                    Answer::ok(
                        json!({"registryId": ACCOUNT, "repositoryName": "app", "policyText": PUBLIC}),
                    )
                }
            }
            ("GetLifecyclePolicy", "busy") => Answer::error("ThrottlingException", "Rate exceeded"),
            _ => healthy(call, &repositories),
        }
    });
    let output = audit(&server, &[], &[("AWS_MAX_ATTEMPTS", "3")]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert_eq!(
        findings(&output),
        [
            (
                "ECR101".to_string(),
                arn("us-east-1", "app"),
                "repository policy allows everyone: `Principal` is `*` and no condition limits the caller; run `aws ecr set-repository-policy --repository-name app --registry-id 123456789012 --region us-east-1 --policy-text file://policies/123456789012-us-east-1.repository.app.json` with the corrected policy (--fix-script writes it)".to_string()
            ),
            (
                "ECR910".to_string(),
                arn("us-east-1", "busy"),
                format!("not audited: `ecr:GetLifecyclePolicy` in us-east-1 for {}: ThrottlingException: Rate exceeded", arn("us-east-1", "busy"))
            ),
        ]
    );
    // Once throttled, then answered; three attempts, all throttled.
    assert_eq!(server.calls("GetRepositoryPolicy", "us-east-1"), 3);
    assert_eq!(server.calls("GetLifecyclePolicy", "us-east-1"), 4);
}

#[test]
fn denied_calls_are_gaps_and_the_rest_is_audited() {
    let repositories = vec![("open".to_string(), false), ("secret".to_string(), true)];
    let server = FakeAws::start(move |call| {
        let name = call.body["repositoryName"].as_str().unwrap_or("");
        let denied = |action: &str| {
            Answer::error(
                "AccessDeniedException",
                &format!("User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: {action}"),
            )
        };
        match (call.operation.as_str(), name) {
            ("GetRepositoryPolicy", "secret") => denied("ecr:GetRepositoryPolicy"),
            ("GetLifecyclePolicy", "secret") => denied("ecr:GetLifecyclePolicy"),
            ("GetRegistryPolicy", _) => denied("ecr:GetRegistryPolicy"),
            _ => healthy(call, &repositories),
        }
    });
    let output = audit(&server, &[], &[]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let registry = "arn:aws:ecr:us-east-1:123456789012:registry";
    let secret = arn("us-east-1", "secret");
    let denied = |call: &str, resource: &str| {
        (
            "ECR910".to_string(),
            resource.to_string(),
            format!("not audited: `{call}` in us-east-1 for {resource}: AccessDeniedException: User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: {call}"),
        )
    };
    // The mutable tags of `secret` are still found; its unread lifecycle policy is not taken
    // for a missing one.
    assert_eq!(
        findings(&output),
        [
            denied("ecr:GetRegistryPolicy", registry),
            (
                "ECR201".to_string(),
                secret.clone(),
                "repository `secret` has mutable image tags; run `aws ecr put-image-tag-mutability --repository-name secret --image-tag-mutability IMMUTABLE --registry-id 123456789012 --region us-east-1`".to_string()
            ),
            denied("ecr:GetRepositoryPolicy", &secret),
            denied("ecr:GetLifecyclePolicy", &secret),
        ]
    );
}

#[test]
fn a_region_that_is_not_enabled_is_a_gap() {
    let repositories = vec![("app".to_string(), false)];
    let server = FakeAws::start(move |call| {
        if call.region == "me-south-1" {
            return Answer::error(
                "UnrecognizedClientException",
                "The security token included in the request is invalid.",
            );
        }
        healthy(call, &repositories)
    });
    let output = audit(&server, &["--region", "us-east-1,me-south-1"], &[]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert_eq!(
        findings(&output),
        [(
            "ECR910".to_string(),
            "arn:aws:ecr:me-south-1:123456789012:registry".to_string(),
            "not audited: `ecr:DescribeRepositories` in me-south-1 for arn:aws:ecr:me-south-1:123456789012:registry: UnrecognizedClientException: The security token included in the request is invalid.; the region's repositories and registry were not read".to_string()
        )]
    );
    // Nothing else was asked of that region; the other was read in full.
    assert_eq!(server.calls("DescribeRepositories", "me-south-1"), 1);
    assert_eq!(server.calls("GetRegistryPolicy", "me-south-1"), 0);
    assert_eq!(server.calls("GetRepositoryPolicy", "us-east-1"), 1);
    // Human output: grouped by region, the gap a warning.
    let dir = tempfile::tempdir().unwrap();
    let output = ecrlint(
        dir.path(),
        &server.url,
        &["audit", "--region", "us-east-1,me-south-1"],
        &[],
    );
    assert_eq!(code(&output), 1);
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "account 123456789012, me-south-1\n  arn:aws:ecr:me-south-1:123456789012:registry: warning[ECR910] not audited: `ecr:DescribeRepositories` in me-south-1 for arn:aws:ecr:me-south-1:123456789012:registry: UnrecognizedClientException: The security token included in the request is invalid.; the region's repositories and registry were not read\n\nFound 1 problem (1 warning) in 1 repository in 2 regions of 1 account.\n"
    );
}

#[test]
fn all_regions_are_the_regions_enabled_for_the_account() {
    let repositories = vec![("app".to_string(), true)];
    let server = FakeAws::start(move |call| {
        if call.operation == "ListRegions" {
            // Asked for the enabled ones only.
            assert_eq!(
                call.body["RegionOptStatusContains"],
                json!(["ENABLED", "ENABLED_BY_DEFAULT"])
            );
            return Answer::ok(json!({"Regions": [
                {"RegionName": "us-east-1", "RegionOptStatus": "ENABLED_BY_DEFAULT"},
                {"RegionName": "af-south-1", "RegionOptStatus": "ENABLED"},
            ]}));
        }
        healthy(call, &repositories)
    });
    let output = audit(&server, &["--all-regions", "--select", "ECR201"], &[]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let mutable = |region: &str| {
        (
            "ECR201".to_string(),
            arn(region, "app"),
            format!("repository `app` has mutable image tags; run `aws ecr put-image-tag-mutability --repository-name app --image-tag-mutability IMMUTABLE --registry-id 123456789012 --region {region}`"),
        )
    };
    assert_eq!(
        findings(&output),
        [mutable("af-south-1"), mutable("us-east-1")]
    );
    assert_eq!(server.calls("ListRegions", "us-east-1"), 1);
    assert_eq!(server.calls("DescribeRepositories", "eu-west-1"), 0);
}
