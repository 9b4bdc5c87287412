//! ECR302 `no-lifecycle-policy`: a repository with no lifecycle policy.

use super::{Finding, FixAvailability, Report, RuleMeta};
use crate::diagnostic::Severity;
use crate::model::{Known, Model, RepositoryKind};

pub static META: RuleMeta = RuleMeta {
    code: "ECR302",
    name: "no-lifecycle-policy",
    severity: Severity::Info,
    summary: "A repository (or creation template) has no lifecycle policy",
    explanation: r#"## What it does
Reports repositories and repository creation templates that have no lifecycle policy
(`LifecyclePolicy` of `AWS::ECR::Repository`, `LifecyclePolicy` of
`AWS::ECR::RepositoryCreationTemplate`). AWS CLI output that does not carry the lifecycle policy
(`describe-repositories`) says nothing about it, and nothing is reported there.

## Why is this bad?
Without a lifecycle policy every image ever pushed stays: old builds with known vulnerabilities
remain pullable by tag or digest long after they were replaced, and storage grows without bound.
A policy that expires untagged images and keeps the last few releases bounds both.

## Example
```yaml
MyRepository:
  Type: AWS::ECR::Repository
  Properties:
    ImageTagMutability: IMMUTABLE
```

Use instead:
```yaml
MyRepository:
  Type: AWS::ECR::Repository
  Properties:
    ImageTagMutability: IMMUTABLE
    LifecyclePolicy:
      LifecyclePolicyText: |
        {"rules": [{"rulePriority": 1, "description": "Expire untagged images after 14 days",
          "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
                        "countUnit": "days", "countNumber": 14},
          "action": {"type": "expire"}}]}
```

In Terraform, an `aws_ecr_lifecycle_policy` whose `repository` is the repository (by reference or
by name):
```hcl
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
```

## Fix
None: which images may go is a decision about the releases kept. The example above is a safe
start.
"#,
    covers: &[
        "Trend Micro Conformity ECR-004",
        "AWS Security Hub ECR.3",
        "AWS Config ecr-private-lifecycle-policy-configured",
    ],
    fix: FixAvailability::None,
    default: true,
};

pub(super) fn check(model: &Model, report: &mut Report) {
    for repository in &model.repositories {
        for candidate in &repository.lifecycle_policy.candidates {
            match &candidate.state {
                Known::Is(None) => {
                    let what = match repository.kind {
                        RepositoryKind::Repository => "repository",
                        RepositoryKind::CreationTemplate(_) => "repository creation template",
                    };
                    report.push(Finding {
                        rule: &META,
                        range: candidate.origin.range,
                        message: format!(
                            "this {what} has no lifecycle policy: old and untagged images are kept for ever"
                        ),
                        remedy: None,
                        related: Vec::new(),
                        without_fix: None,
                    });
                }
                // A policy whose text is only known at deployment is still a policy.
                Known::Is(Some(_)) | Known::Unknown(_) | Known::Rejected => {}
            }
        }
    }
}
