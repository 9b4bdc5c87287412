//! ECR101 `public-repository`: a repository policy statement that lets everybody in.

use super::reach::PublicPolicies;
use super::{FixAvailability, Report, RuleMeta};
use crate::diagnostic::Severity;
use crate::model::Model;

pub static META: RuleMeta = RuleMeta {
    code: "ECR101",
    name: "public-repository",
    severity: Severity::Error,
    summary:
        "Repository policy allows everyone (Principal `*`) with no condition that limits the caller",
    explanation: r#"## What it does
Finds repository policy statements that grant access to everyone: `Effect: Allow` with a
principal of `"*"`, `{"AWS": "*"}`, an `AWS` list holding `"*"`, or an ARN whose account is `*`
(`arn:aws:iam::*:root`) — written literally, or reached through `!Ref` to a parameter whose
`Default` is `*`, or through `Fn::Sub`, `Fn::Join` and `Fn::FindInMap` — and `Allow` with
`NotPrincipal`, which reaches everyone not listed.

A statement is not reported when a condition pins the caller to known parties: `StringEquals`,
`StringEqualsIgnoreCase`, `StringLike`, `ArnEquals`, `ArnLike` or `IpAddress` (also under
`ForAnyValue:`) on `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, `aws:PrincipalAccount`,
`aws:PrincipalArn`, `aws:SourceAccount`, `aws:SourceArn`, `aws:SourceOwner`, `aws:SourceOrgID`,
`aws:SourceOrgPaths`, `aws:SourceVpc`, `aws:SourceVpce`, `aws:SourceIp` or `aws:userid`, with no
value that matches everything (`*`, `o-*`, an ARN with account `*`, `0.0.0.0/0`, `::/0`).
`ForAllValues:` conditions do not count (they pass when the key is absent), nor do `…IfExists`
operators. Service principals and `Deny` statements are never public.

Checked in `AWS::ECR::Repository` `RepositoryPolicyText` (a mapping or a JSON string),
`AWS::ECR::RepositoryCreationTemplate` `RepositoryPolicy`, policy documents, and the output of
`aws ecr get-repository-policy`. `AWS::ECR::PublicRepository` is public by design and not checked.

## Why is this bad?
Anyone with an AWS account can pull the images — and with push actions, overwrite them with their
own. Images often carry credentials, internal code and the exact versions of everything deployed.

## Example
```yaml
RepositoryPolicyText:
  Statement:
    - Effect: Allow
      Principal: "*"
      Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
```

Use instead:
```yaml
RepositoryPolicyText:
  Statement:
    - Effect: Allow
      Principal: {AWS: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
      Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
```

In Terraform, the policy of an `aws_ecr_repository_policy` (tied to its repository by a
reference or by name), written with `jsonencode`, as JSON text or a heredoc (its `${…}` filled in
from variables), or as an `aws_iam_policy_document` (`principals { type = "*" }`, or
`type = "AWS"` with `"*"`):
```hcl
resource "aws_ecr_repository_policy" "app" {
  repository = aws_ecr_repository.app.name
  policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    }]
  })
}
```

Use instead (the fix writes the account of `data.aws_caller_identity` when the module has one):
```hcl
      Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
```

## Fix
Safe. In a template, the everyone-principal becomes the owning account's root,
`arn:${AWS::Partition}:iam::${AWS::AccountId}:root`, through `Fn::Sub`; where other principals
stand beside `"*"` in a list, only the `"*"` is removed. Outside a template, the account comes
from `--account-id` (or `account-id` in `ecrlint.toml`, or the `registryId` of
get-repository-policy output); with no account known there is no fix. `NotPrincipal` has no
automatic fix: the statement has to be rewritten with the principals meant.
"#,
    covers: &[
        "Trend Micro Conformity ECR-001",
        "KICS 75be209d-1948-41f6-a8c8-e22dd0121134",
        "KICS e86e26fc-489e-44f0-9bcd-97305e4ba69a",
        "Checkov CKV_AWS_32",
        "Trivy AWS-0032",
    ],
    fix: FixAvailability::Sometimes,
    default: true,
};

pub(super) fn check(model: &Model, report: &mut Report) {
    let policies = PublicPolicies {
        rule: &META,
        noun: "repository policy",
        question: "whether this repository policy is public",
    };
    policies.check(model.repository_policies(), report);
}
