//! ECR910 `audit-incomplete`: `ecrlint audit` could not read part of a live account (a call
//! denied, a region not enabled, a service error). Raised by the live adapter, one finding per
//! read that failed, so that nothing is left out without saying so.

use super::{FixAvailability, RuleMeta};
use crate::diagnostic::Severity;

pub static META: RuleMeta = RuleMeta {
    code: "ECR910",
    name: "audit-incomplete",
    severity: Severity::Warning,
    summary: "Part of a live account could not be read, so it was not audited",
    explanation: r#"## What it does
Reported by `ecrlint audit` for each read of the account that failed after the AWS SDK's retries:
the call (`DescribeRepositories`, `GetRepositoryPolicy`, `GetLifecyclePolicy`,
`BatchGetRepositoryScanningConfiguration`, `GetRegistryPolicy`,
`GetRegistryScanningConfiguration`, `DescribeRegistry`, `sts:AssumeRole`), the region, the
resource, and the error AWS answered (`AccessDeniedException`, a region that is not enabled,
throttling that outlasted the retries, a service error). What was read is still judged; what was
not is named here.

## Why is this bad?
An audit that skips what it cannot read looks clean where it saw nothing. A repository whose
policy could not be read may be public.

## Example
```text
ecr:GetRepositoryPolicy in eu-west-1 for arn:aws:ecr:eu-west-1:111122223333:repository/app:
AccessDeniedException: not authorized
```

## Fix
Give the auditing identity the read-only permissions the README lists (or run the audit in the
regions the account has enabled), and audit again.
"#,
    covers: &[],
    fix: FixAvailability::None,
    default: true,
};
