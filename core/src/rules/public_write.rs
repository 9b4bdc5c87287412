//! ECR102 `public-write`: a repository policy statement open to everyone that grants a write or
//! admin action.

use super::reach::{statement_reach, Reach};
use super::{Finding, FixAvailability, Report, RuleMeta};
use crate::diagnostic::Severity;
use crate::model::{Known, Model, Policy, Remedy, Statement, Value};
use crate::text::{Text, TextRange};

pub static META: RuleMeta = RuleMeta {
    code: "ECR102",
    name: "public-write",
    severity: Severity::Error,
    summary: "A repository policy lets everyone push, delete or change the repository",
    explanation: r#"## What it does
Among the repository policy statements that `public-repository` (ECR101) finds open to everyone,
reports those that grant a write or admin action: `ecr:PutImage`, `ecr:InitiateLayerUpload`,
`ecr:UploadLayerPart`, `ecr:CompleteLayerUpload`, `ecr:ReplicateImage`, `ecr:BatchDeleteImage`,
`ecr:DeleteRepository`, `ecr:SetRepositoryPolicy`, `ecr:DeleteRepositoryPolicy`,
`ecr:PutLifecyclePolicy`, `ecr:DeleteLifecyclePolicy`, `ecr:StartLifecyclePolicyPreview`,
`ecr:PutImageTagMutability`, `ecr:PutImageScanningConfiguration`, `ecr:TagResource` and
`ecr:UntagResource` — by their exact name (in any letter case, as IAM reads them), through a
wildcard (`ecr:*`, `ecr:Put*`, `ecr:*Image`, `*`), or through `NotAction`, which with `Allow`
grants every action it does not list. The finding is on the action (or on the `NotAction` key).

## Why is this bad?
A repository that anyone can pull from leaks its images; one that anyone can push to serves
attacker-controlled images under your tags to every deployment that pulls them, and one whose
policy anyone can set is no longer yours. No peer tool checks the actions of a public statement.

## Example
```yaml
RepositoryPolicyText:
  Statement:
    - Effect: Allow
      Principal: "*"
      Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:PutImage"]
```

Use instead:
```yaml
RepositoryPolicyText:
  Statement:
    - Effect: Allow
      Principal: "*"
      Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
```

In Terraform, the same statement in an `aws_ecr_repository_policy`:
```hcl
data "aws_iam_policy_document" "push" {
  statement {
    actions = ["ecr:PutImage", "ecr:InitiateLayerUpload"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}
```

## Fix
Unsafe, since whoever relied on the action loses it: a write action listed beside actions that
are not writes is removed from the list; a wildcard that is the statement's only action becomes
the three actions that pull an image (`ecr:BatchCheckLayerAvailability`, `ecr:BatchGetImage`,
`ecr:GetDownloadUrlForLayer`). `NotAction` has no automatic fix. Fixing `public-repository`
(the principal) removes this finding too.
"#,
    covers: &[],
    fix: FixAvailability::Sometimes,
    default: true,
};

/// Repository-level actions that write images or change the repository, as IAM names them.
const WRITE_ACTIONS: &[&str] = &[
    "ecr:PutImage",
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:ReplicateImage",
    "ecr:BatchDeleteImage",
    "ecr:DeleteRepository",
    "ecr:SetRepositoryPolicy",
    "ecr:DeleteRepositoryPolicy",
    "ecr:PutLifecyclePolicy",
    "ecr:DeleteLifecyclePolicy",
    "ecr:StartLifecyclePolicyPreview",
    "ecr:PutImageTagMutability",
    "ecr:PutImageScanningConfiguration",
    "ecr:TagResource",
    "ecr:UntagResource",
];

const QUESTION: &str = "whether this statement lets everyone write";

pub(super) fn check(model: &Model, report: &mut Report) {
    for policy in model.repository_policies() {
        for candidate in &policy.candidates {
            if let Known::Is(policy) = &candidate.state {
                check_policy(policy, report);
            }
        }
    }
}

fn check_policy(policy: &Policy, report: &mut Report) {
    for statement in &policy.statements {
        let public = statement_reach(statement)
            .iter()
            .any(|r| matches!(r, Reach::Everyone { .. } | Reach::NotPrincipal { .. }));
        if !public {
            continue;
        }
        check_actions(statement, report);
        if let Some((key, listed)) = &statement.not_actions {
            check_not_action(*key, listed, report);
        }
    }
}

fn check_actions(statement: &Statement, report: &mut Report) {
    // Write actions can be taken out of the list when something that is not a write remains.
    let others = statement
        .actions
        .iter()
        .filter(|value| value.known().all(|(action, _)| writes(action).is_empty()))
        .count();
    let only = statement.actions.len() == 1;
    for value in &statement.actions {
        for candidate in &value.candidates {
            let origin = &candidate.origin;
            let action = match &candidate.state {
                Known::Is(action) => action,
                Known::Unknown(reason) => {
                    report.cannot_tell(origin.range, QUESTION, reason);
                    continue;
                }
                Known::Rejected => continue,
            };
            let granted = writes(action);
            let Some(first) = granted.first() else {
                continue;
            };
            let wildcard = action.contains(['*', '?']);
            let message = if wildcard {
                format!(
                    "`{action}` grants everyone write actions ({}): anyone can push, overwrite or delete images, or take the repository over",
                    examples(&granted)
                )
            } else {
                format!("`{first}` is granted to everyone: {}", consequence(first))
            };
            let written = Text::from(action.as_str());
            let remedy = if others > 0 {
                Some(Remedy::RemoveAction {
                    action: origin.anchor,
                    written,
                    safe: false,
                })
            } else if only && wildcard {
                Some(Remedy::PullOnly {
                    action: origin.anchor,
                    written,
                })
            } else {
                None
            };
            report.push(Finding {
                rule: &META,
                range: origin.range,
                message,
                remedy,
                related: origin.via.as_deref().cloned().into_iter().collect(),
                without_fix: None,
            });
        }
    }
}

/// `Allow` with `NotAction`: everything not listed is granted.
fn check_not_action(key: TextRange, listed: &[Value<Text>], report: &mut Report) {
    let mut excluded = Vec::new();
    for value in listed {
        for candidate in &value.candidates {
            match &candidate.state {
                Known::Is(action) => excluded.push(action.as_str()),
                Known::Unknown(reason) => {
                    report.cannot_tell(candidate.origin.range, QUESTION, reason);
                    return;
                }
                Known::Rejected => {}
            }
        }
    }
    let granted: Vec<&str> = WRITE_ACTIONS
        .iter()
        .copied()
        .filter(|write| {
            !excluded
                .iter()
                .any(|pattern| action_matches(pattern, write))
        })
        .collect();
    if granted.is_empty() {
        return;
    }
    report.push(Finding {
        rule: &META,
        range: key,
        message: format!(
            "`Allow` with `NotAction` grants everyone every action it does not list, among them {}",
            examples(&granted)
        ),
        remedy: None,
        related: Vec::new(),
        without_fix: None,
    });
}

/// The write actions an action pattern grants.
fn writes(pattern: &str) -> Vec<&'static str> {
    WRITE_ACTIONS
        .iter()
        .copied()
        .filter(|write| action_matches(pattern, write))
        .collect()
}

fn examples(actions: &[&str]) -> String {
    let mut shown: Vec<String> = actions.iter().take(3).map(|a| format!("`{a}`")).collect();
    if actions.len() > 3 {
        shown.push("…".into());
    }
    shown.join(", ")
}

fn consequence(action: &str) -> &'static str {
    match action {
        "ecr:PutImage"
        | "ecr:InitiateLayerUpload"
        | "ecr:UploadLayerPart"
        | "ecr:CompleteLayerUpload"
        | "ecr:ReplicateImage" => {
            "anyone can push images, or overwrite the ones your deployments pull"
        }
        "ecr:BatchDeleteImage" => "anyone can delete images",
        "ecr:DeleteRepository" => "anyone can delete the repository",
        "ecr:SetRepositoryPolicy" | "ecr:DeleteRepositoryPolicy" => {
            "anyone can rewrite who may use the repository"
        }
        "ecr:PutImageTagMutability" => "anyone can make its tags mutable",
        "ecr:PutImageScanningConfiguration" => "anyone can switch its image scanning off",
        "ecr:PutLifecyclePolicy"
        | "ecr:DeleteLifecyclePolicy"
        | "ecr:StartLifecyclePolicyPreview" => "anyone can change which images expire",
        _ => "anyone can change the repository's tags",
    }
}

/// Whether an IAM action pattern (`ecr:Put*`, `*`, `ECR:putimage`) matches an action. IAM
/// compares action names without regard to case; `*` matches any run of characters, `?` one.
pub(super) fn action_matches(pattern: &str, action: &str) -> bool {
    let pattern = pattern.trim().to_ascii_lowercase();
    let action = action.to_ascii_lowercase();
    wildcard_match(pattern.as_bytes(), action.as_bytes())
}

fn wildcard_match(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let (mut star, mut resume) = (None, 0);
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == b'?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star = Some(p);
            resume = t;
            p += 1;
        } else if let Some(s) = star {
            p = s + 1;
            resume += 1;
            t = resume;
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_match_as_iam_matches_them() {
        assert!(action_matches("ecr:PutImage", "ecr:PutImage"));
        assert!(action_matches("ECR:putimage", "ecr:PutImage"));
        assert!(action_matches("*", "ecr:PutImage"));
        assert!(action_matches("ecr:*", "ecr:DeleteRepository"));
        assert!(action_matches("ecr:Put*", "ecr:PutImageTagMutability"));
        assert!(action_matches("ecr:*Image", "ecr:BatchDeleteImage"));
        assert!(action_matches("ecr:?utImage", "ecr:PutImage"));
        assert!(!action_matches("ecr:Put*", "ecr:BatchDeleteImage"));
        assert!(!action_matches("ecr:Get*", "ecr:PutImage"));
        assert!(!action_matches("s3:*", "ecr:PutImage"));
        assert!(!action_matches("ecr:PutImage", "ecr:PutImageTagMutability"));
        assert_eq!(writes("ecr:BatchGetImage"), Vec::<&str>::new());
        assert_eq!(writes("ecr:Delete*").len(), 3);
    }
}
