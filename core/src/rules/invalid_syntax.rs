//! ECR901 `invalid-syntax`: the document (or a policy inside a string) cannot be read. Raised by
//! the engine from the syntax tree, and by the adapters for policies held in strings.

use super::{FixAvailability, RuleMeta};
use crate::diagnostic::Severity;

pub static META: RuleMeta = RuleMeta {
    code: "ECR901",
    name: "invalid-syntax",
    severity: Severity::Error,
    summary: "The file, or a policy held in a string, is not valid YAML or JSON",
    explanation: r#"## What it does
Reports where a template, a policy, or a policy held inside a string (`RepositoryPolicyText`
given as text, `policyText` of `aws ecr get-repository-policy`) stops being valid YAML or JSON.
Also reports documents that are too large or too deeply nested to be a real template, and YAML
aliases that expand without bound.

## Why is this bad?
CloudFormation and IAM reject the document, and nothing after the error can be checked. AWS reads
policies as strict JSON: comments and trailing commas that an editor tolerates are errors there.

## Example
```json
{
  "Version": "2012-10-17",
  "Statement": [],
}
```

## Fix
Correct the syntax at the reported position. ecrlint never applies fixes to a document that does
not parse.
"#,
    covers: &["cfn-lint E0000"],
    fix: FixAvailability::None,
    default: true,
};
