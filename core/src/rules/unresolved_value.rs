//! ECR903 `unresolved-value`: a value a check needs cannot be known before deployment.

use super::{FixAvailability, RuleMeta};
use crate::diagnostic::Severity;

pub static META: RuleMeta = RuleMeta {
    code: "ECR903",
    name: "unresolved-value",
    severity: Severity::Info,
    summary: "A value a check depends on is only known at deployment",
    explanation: r#"## What it does
Says where a check could not decide because a value is computed at deployment time: an
`Fn::ImportValue`, a parameter without a `Default`, an `Fn::FindInMap` keyed by the region, a
function ecrlint does not evaluate. It
names the value and the reason instead of guessing either way.

## Why is this bad?
It is not wrong in itself. But the principal of a repository policy or the tag mutability of a
repository is then decided outside the template, where no review sees it.

## Example
```yaml
RepositoryPolicyText:
  Statement:
    - Effect: Allow
      Principal:
        AWS: !ImportValue SharedPrincipal
      Action: ecr:BatchGetImage
```

## Fix
None. Give the parameter a `Default`, or make the value literal, if the check should see it.
"#,
    covers: &[],
    fix: FixAvailability::None,
    default: true,
};
