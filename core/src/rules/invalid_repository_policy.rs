//! ECR401 `invalid-repository-policy`: a repository policy that `SetRepositoryPolicy` rejects.

use std::collections::HashSet;

use super::{Finding, FixAvailability, Report, RuleMeta};
use crate::diagnostic::Severity;
use crate::model::{
    principal_account, DocumentForm, Known, Model, Policy, Principal, PrincipalForm, Remedy,
    Statement, Value,
};
use crate::text::{Text, TextRange};

pub static META: RuleMeta = RuleMeta {
    code: "ECR401",
    name: "invalid-repository-policy",
    severity: Severity::Error,
    summary: "A repository policy that ECR rejects when it is set",
    explanation: r#"## What it does
Reports what makes `SetRepositoryPolicy` (and so a CloudFormation or Terraform deployment) fail
with "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy
provided'", before anything is deployed:

- `Resource` or `NotResource` in a statement: a repository policy applies to its repository and
  names no resource (the ECR User Guide's own example once carried one, aws-cdk#24314);
- `ecr:GetAuthorizationToken`, an account-level action that no repository policy can grant
  (cloudposse/terraform-aws-ecr#67); it belongs in an IAM policy of the caller;
- an `ecr:` action that does not exist (`ecr:PullImage`), in any letter case; wildcards are left
  alone, and so are actions of other services;
- a `Version` other than `2012-10-17` or `2008-10-17`;
- no `Statement`, or an empty one;
- a statement with no `Effect`, no `Principal` (or `NotPrincipal`), or no `Action` (or
  `NotAction`);
- a principal that is neither `*`, a 12-digit account id nor an ARN (`Principal: "123456789012"`
  written as a bare string, or `{"AWS": "my-role"}`).

Only what AWS documents or is shown to reject is reported: a principal that names an ARN that
does not exist is rejected only when the policy is set, and is not reported here.

## Why is this bad?
The deployment fails, often late (a stack rolls back after creating everything else), or a
module that builds the policy from inputs fails only for some callers. A policy that never
deploys also leaves the repository without the access it was meant to have, or with the old,
possibly wider, policy in place.

## Example
```yaml
RepositoryPolicyText:
  Version: "2012-10-17"
  Statement:
    - Effect: Allow
      Principal:
        AWS: arn:aws:iam::111122223333:root
      Action: ["ecr:BatchGetImage", "ecr:GetAuthorizationToken"]
      Resource: "*"
```

Use instead:
```yaml
RepositoryPolicyText:
  Version: "2012-10-17"
  Statement:
    - Effect: Allow
      Principal:
        AWS: arn:aws:iam::111122223333:root
      Action: ["ecr:BatchGetImage"]
```

In Terraform, the same mistake in an `aws_iam_policy_document` used as a repository policy:
```hcl
data "aws_iam_policy_document" "pull" {
  statement {
    actions   = ["ecr:BatchGetImage"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:root"]
    }
  }
}
```

## Fix
Safe where the change cannot alter what the policy allows: `Resource` and `NotResource` are
removed (the policy applies to its repository either way), and `ecr:GetAuthorizationToken` is
removed from a list of actions (it never took effect there). An action that does not exist is
removed from its list as an unsafe fix: it may be a misspelling of the action that was meant, and
the message names the nearest one. The other problems need a decision and have no fix.
"#,
    covers: &["cfn-lint E3513 (in part)"],
    fix: FixAvailability::Sometimes,
    default: true,
};

const VERSIONS: [&str; 2] = ["2012-10-17", "2008-10-17"];

/// Every action of the `ecr` service prefix, as the Service Authorization Reference lists them
/// (permission-only actions included).
const ECR_ACTIONS: &[&str] = &[
    "BatchCheckLayerAvailability",
    "BatchDeleteImage",
    "BatchGetImage",
    "BatchGetRepositoryScanningConfiguration",
    "BatchImportUpstreamImage",
    "CompleteLayerUpload",
    "CreatePullThroughCacheRule",
    "CreateRepository",
    "CreateRepositoryCreationTemplate",
    "DeleteLifecyclePolicy",
    "DeletePullThroughCacheRule",
    "DeleteRegistryPolicy",
    "DeleteRepository",
    "DeleteRepositoryCreationTemplate",
    "DeleteRepositoryPolicy",
    "DeleteSigningConfiguration",
    "DeregisterPullTimeUpdateExclusion",
    "DescribeImageReplicationStatus",
    "DescribeImageScanFindings",
    "DescribeImageSigningStatus",
    "DescribeImages",
    "DescribePullThroughCacheRules",
    "DescribeRegistry",
    "DescribeRepositories",
    "DescribeRepositoryCreationTemplates",
    "GetAccountSetting",
    "GetAuthorizationToken",
    "GetDownloadUrlForLayer",
    "GetImageCopyStatus",
    "GetLifecyclePolicy",
    "GetLifecyclePolicyPreview",
    "GetRegistryPolicy",
    "GetRegistryScanningConfiguration",
    "GetRepositoryPolicy",
    "GetSigningConfiguration",
    "InitiateLayerUpload",
    "ListImages",
    "ListPullTimeUpdateExclusions",
    "ListTagsForResource",
    "PutAccountSetting",
    "PutImage",
    "PutImageScanningConfiguration",
    "PutImageTagMutability",
    "PutLifecyclePolicy",
    "PutRegistryPolicy",
    "PutRegistryScanningConfiguration",
    "PutReplicationConfiguration",
    "PutSigningConfiguration",
    "RegisterPullTimeUpdateExclusion",
    "ReplicateImage",
    "SetRepositoryPolicy",
    "StartImageScan",
    "StartLifecyclePolicyPreview",
    "TagResource",
    "UntagResource",
    "UpdateImageStorageClass",
    "UpdatePullThroughCacheRule",
    "UpdateRepositoryCreationTemplate",
    "UploadLayerPart",
    "ValidatePullThroughCacheRule",
];

pub(super) fn check(model: &Model, report: &mut Report) {
    for policy in model.repository_policies() {
        for candidate in &policy.candidates {
            if let Known::Is(policy) = &candidate.state {
                // A statement of an `aws_iam_policy_document` with several principal blocks is
                // seen once per block: one finding per place.
                let mut seen = HashSet::new();
                let mut push = |finding: Finding| {
                    if seen.insert(finding.range) {
                        report.push(finding);
                    }
                };
                check_policy(policy, &mut push);
            }
        }
    }
}

fn check_policy(policy: &Policy, push: &mut impl FnMut(Finding)) {
    for document in &policy.documents {
        check_document(document, push);
    }
    for statement in &policy.statements {
        check_statement(statement, push);
    }
}

fn check_document(document: &DocumentForm, push: &mut impl FnMut(Finding)) {
    if let Some(version) = &document.version {
        if let Known::Is(text) = &version.state {
            if !VERSIONS.contains(&text.as_str()) && !text.contains("${") {
                push(finding(
                    version.origin.range,
                    format!(
                        "`Version` `{text}` is not a policy language version: ECR accepts `2012-10-17` or `2008-10-17`"
                    ),
                    None,
                ));
            }
        }
    }
    match document.statement {
        None => push(finding(
            document.at,
            "the policy has no `Statement`: ECR rejects a repository policy without one".into(),
            None,
        )),
        Some((key, true)) => push(finding(
            key,
            "`Statement` is empty: ECR rejects a repository policy with no statement".into(),
            None,
        )),
        Some((_, false)) => {}
    }
}

fn check_statement(statement: &Statement, push: &mut impl FnMut(Finding)) {
    let mut missing = Vec::new();
    if statement.effect.is_none() {
        missing.push("`Effect`");
    }
    if statement.principal_key.is_none() && statement.not_principal.is_none() {
        missing.push("`Principal`");
    }
    if statement.action_key.is_none() && statement.not_actions.is_none() {
        missing.push("`Action`");
    }
    if !missing.is_empty() {
        push(finding(
            statement.at,
            format!(
                "this statement has no {}: ECR rejects a repository policy statement without it",
                missing.join(" or ")
            ),
            None,
        ));
    }
    for (written, key) in &statement.resource_keys {
        push(finding(
            key.at,
            format!(
                "`{written}` is not accepted in a repository policy: the policy applies to its own repository"
            ),
            Some(Remedy::RemoveKey {
                key: key.anchor,
                written,
            }),
        ));
    }
    check_actions(&statement.actions, true, push);
    if let Some((_, listed)) = &statement.not_actions {
        check_actions(listed, false, push);
    }
    for principal in &statement.principals {
        check_principal(principal, push);
    }
}

fn check_actions(actions: &[Value<Text>], granted: bool, push: &mut impl FnMut(Finding)) {
    // An action can be taken out of its list only when another remains.
    let removable = actions.len() > 1;
    for value in actions {
        for (action, candidate) in value.known() {
            let action = action.trim();
            let Some(name) = ecr_action_name(action) else {
                continue;
            };
            let remove = |safe| {
                removable.then(|| Remedy::RemoveAction {
                    action: candidate.origin.anchor,
                    written: Text::from(action),
                    safe,
                })
            };
            let range = candidate.origin.range;
            if granted && name.eq_ignore_ascii_case("GetAuthorizationToken") {
                push(finding(
                    range,
                    format!(
                        "`{action}` is an account-level action that no repository policy can grant: ECR rejects it here (grant it in the caller's IAM policy)"
                    ),
                    remove(true),
                ));
            } else if !ECR_ACTIONS.iter().any(|a| a.eq_ignore_ascii_case(name)) {
                let nearest = nearest_action(name)
                    .map(|a| format!(" (did you mean `ecr:{a}`?)"))
                    .unwrap_or_default();
                push(finding(
                    range,
                    format!("`{action}` is not an ECR action: ECR rejects the policy{nearest}"),
                    remove(false),
                ));
            }
        }
    }
}

/// The name of an `ecr:` action written without wildcards.
fn ecr_action_name(action: &str) -> Option<&str> {
    let (service, name) = action.split_once(':')?;
    let literal = !action.contains(['*', '?']) && !action.contains("${");
    (service.eq_ignore_ascii_case("ecr") && literal).then_some(name)
}

/// The ECR action nearest to a misspelt one, when one is close: at most two edits, and no more
/// than one per eight letters (`PullImage` is not taken for `PutImage`).
fn nearest_action(name: &str) -> Option<&'static str> {
    let name = name.to_ascii_lowercase();
    ECR_ACTIONS
        .iter()
        .map(|a| (edit_distance(&name, &a.to_ascii_lowercase()), *a))
        .filter(|(d, _)| *d <= 2 && d * 8 <= name.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, a)| a)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

fn check_principal(principal: &Principal, push: &mut impl FnMut(Finding)) {
    let Known::Is(text) = &principal.value.state else {
        return;
    };
    let text = text.trim();
    let range = principal.value.origin.range;
    match principal.form {
        PrincipalForm::Whole if text != "*" => push(finding(
            range,
            format!(
                "`Principal` written as the string `{text}`: only `*` may stand alone; name an account as `{{\"AWS\": \"{text}\"}}`"
            ),
            None,
        )),
        PrincipalForm::Whole => {}
        PrincipalForm::Aws | PrincipalForm::AwsListItem { .. } => {
            if !valid_aws_principal(text) {
                push(finding(
                    range,
                    format!(
                        "`{text}` is not an AWS principal: ECR accepts `*`, a 12-digit account id or an IAM ARN"
                    ),
                    None,
                ));
            }
        }
    }
}

/// `*`, a 12-digit account id, or an ARN with an account field; text only known at deployment
/// (`${…}`) is given the benefit of the doubt.
fn valid_aws_principal(text: &str) -> bool {
    if text == "*" || text.contains("${") {
        return true;
    }
    match principal_account(text) {
        Some(account) => {
            account == "*" || (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()))
        }
        None => false,
    }
}

fn finding(range: TextRange, message: String, remedy: Option<Remedy>) -> Finding {
    Finding {
        rule: &META,
        range,
        message,
        remedy,
        related: Vec::new(),
        without_fix: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principals_as_aws_takes_them() {
        for valid in [
            "*",
            "123456789012",
            "arn:aws:iam::123456789012:root",
            "arn:aws:iam::123456789012:role/deploy",
            "arn:aws:sts::123456789012:assumed-role/deploy/session",
            "arn:${AWS::Partition}:iam::${AWS::AccountId}:root",
            "arn:aws:iam::*:root",
        ] {
            assert!(valid_aws_principal(valid), "{valid}");
        }
        for invalid in [
            "deploy",
            "1234-5678-9012",
            "12345678901",
            "arn:aws:iam::12345:root",
            "arn:aws:iam:123456789012:root",
        ] {
            assert!(!valid_aws_principal(invalid), "{invalid}");
        }
    }

    #[test]
    fn misspelt_actions_get_the_nearest_name() {
        assert_eq!(
            nearest_action("GetDownloadUrlForLayers"),
            Some("GetDownloadUrlForLayer")
        );
        assert_eq!(nearest_action("pullimage"), None);
        assert_eq!(nearest_action("BatchGetImages"), Some("BatchGetImage"));
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn only_literal_ecr_actions_are_named() {
        assert_eq!(ecr_action_name("ecr:PutImage"), Some("PutImage"));
        assert_eq!(ecr_action_name("ECR:putimage"), Some("putimage"));
        assert_eq!(ecr_action_name("ecr:Put*"), None);
        assert_eq!(ecr_action_name("s3:GetObject"), None);
        assert_eq!(ecr_action_name("*"), None);
    }
}
