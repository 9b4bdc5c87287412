//! ECR904 `duplicate-key`: the same key twice in one mapping. Raised by the engine from the
//! syntax tree, and by the adapters for policies held in strings.

use super::{FixAvailability, RuleMeta};
use crate::diagnostic::{Related, Severity};
use crate::syntax::DuplicateKey;

pub static META: RuleMeta = RuleMeta {
    code: "ECR904",
    name: "duplicate-key",
    severity: Severity::Error,
    summary: "A key appears twice in one mapping",
    explanation: r#"## What it does
Reports a key that appears more than once in the same mapping or JSON object.

## Why is this bad?
Readers disagree on which value counts: CloudFormation rejects duplicate keys in YAML, while most
JSON readers silently keep the last one. A reviewer who reads the first
`ImageTagMutability: IMMUTABLE` may miss a later `ImageTagMutability: MUTABLE`. ecrlint checks the
last value, as JSON readers do.

## Example
```yaml
Properties:
  ImageTagMutability: IMMUTABLE
  ImageTagMutability: MUTABLE
```

## Fix
Remove one of the keys.
"#,
    covers: &["cfn-lint E0000"],
    fix: FixAvailability::None,
    default: true,
};

/// The message and the related place of a duplicate key.
pub(crate) fn describe(duplicate: &DuplicateKey) -> (String, Vec<Related>) {
    (
        format!(
            "duplicate key `{}`; only the last one counts",
            duplicate.key
        ),
        vec![Related::new(
            duplicate.first,
            format!("first `{}`", duplicate.key),
        )],
    )
}
