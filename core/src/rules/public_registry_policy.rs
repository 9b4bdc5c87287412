//! ECR105 `public-registry-policy`: a registry policy statement that lets everybody in.

use super::reach::PublicPolicies;
use super::{FixAvailability, Report, RuleMeta};
use crate::diagnostic::Severity;
use crate::model::Model;

pub static META: RuleMeta = RuleMeta {
    code: "ECR105",
    name: "public-registry-policy",
    severity: Severity::Error,
    summary:
        "Registry policy allows everyone (Principal `*`) with no condition that limits the caller",
    explanation: r#"## What it does
Finds registry policy statements that grant access to everyone, by the same judgement as
`public-repository` (ECR101): `Effect: Allow` with a principal of `"*"`, `{"AWS": "*"}`, an `AWS`
list holding `"*"`, or an ARN whose account is `*` — written literally or reached through
intrinsic functions — and `Allow` with `NotPrincipal`, unless a condition pins the caller to known
parties (`aws:PrincipalOrgID`, `aws:SourceAccount`, … with an exact or pattern operator).

Checked in `AWS::ECR::RegistryPolicy` `PolicyText` (a mapping or a JSON string) and in the output
of `aws ecr get-registry-policy`. Registry policies may carry `Resource`; it does not narrow who
the statement reaches.

## Why is this bad?
A registry policy governs replication and pull-through cache for the whole registry, and with the
registry policy scope V2 it applies to every ECR request on every repository. A statement open to
everyone lets any AWS account replicate into the registry or create repositories in it through
pull-through cache — and, under scope V2, reach every repository at once.

## Example
```yaml
RegistryPolicy:
  Type: AWS::ECR::RegistryPolicy
  Properties:
    PolicyText:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Principal: "*"
          Action: [ecr:ReplicateImage, ecr:CreateRepository]
          Resource: !Sub "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/*"
```

Use instead:
```yaml
        - Effect: Allow
          Principal: {AWS: "arn:aws:iam::111122223333:root"}
          Action: [ecr:ReplicateImage, ecr:CreateRepository]
```

In Terraform, `aws_ecr_registry_policy`:
```hcl
resource "aws_ecr_registry_policy" "replication" {
  policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = ["ecr:ReplicateImage"]
      Resource  = ["arn:aws:ecr:us-east-1:111122223333:repository/*"]
    }]
  })
}
```

## Fix
Safe, as for `public-repository`: the everyone-principal becomes the owning account's root
(`arn:${AWS::Partition}:iam::${AWS::AccountId}:root` in a template; from `--account-id` or the
`registryId` of get-registry-policy output elsewhere), or, beside other principals, is removed.
The account meant to replicate or pull in is usually another one: review the fixed policy.
"#,
    covers: &[],
    fix: FixAvailability::Sometimes,
    default: true,
};

pub(super) fn check(model: &Model, report: &mut Report) {
    let policies = PublicPolicies {
        rule: &META,
        noun: "registry policy",
        question: "whether this registry policy is public",
    };
    policies.check(model.registry.policies.iter(), report);
}
