//! ECR902 `invalid-value`: a value CloudFormation or IAM would reject.

use super::{FixAvailability, RuleMeta};
use crate::diagnostic::Severity;

pub static META: RuleMeta = RuleMeta {
    code: "ECR902",
    name: "invalid-value",
    severity: Severity::Error,
    summary: "A value that CloudFormation or IAM would reject",
    explanation: r#"## What it does
Reports values the ECR checks read that AWS does not accept: an `ImageTagMutability` other than
`IMMUTABLE`, `MUTABLE`, `IMMUTABLE_WITH_EXCLUSION` or `MUTABLE_WITH_EXCLUSION` (the names are
case-sensitive), or a policy statement `Effect` other than `Allow` or `Deny`.

## Why is this bad?
The deployment fails, or, for a policy, is rejected by ECR. A misspelt value also hides what was
meant: ecrlint cannot tell whether `immutable` was meant to be safe.

## Example
```yaml
MyRepository:
  Type: AWS::ECR::Repository
  Properties:
    ImageTagMutability: immutable
```

## Fix
Where the value differs from a valid one only in letter case, the fix writes the valid spelling.
"#,
    covers: &["cfn-lint E3030", "cfn-lint E3513"],
    fix: FixAvailability::Sometimes,
    default: true,
};
