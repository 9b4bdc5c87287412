//! ECR905 `unused-suppression`: an ecrlint ignore that no longer suppresses anything. The check
//! itself lives with the suppressions (`crate::suppress`), which know what each ignore matched.

use super::{FixAvailability, RuleMeta};
use crate::diagnostic::Severity;

pub static META: RuleMeta = RuleMeta {
    code: "ECR905",
    name: "unused-suppression",
    severity: Severity::Info,
    summary: "An `ecrlint: ignore` comment or `Metadata.ecrlint.ignore` entry suppresses nothing",
    explanation: r#"## What it does
Reports an ecrlint suppression that matched no finding: a `# ecrlint: ignore ECR201` comment on
or above a line that has no ECR201 finding, or a `Metadata: {ecrlint: {ignore: [...]}}` entry on
a resource that has none. Also reports an ignore that names no rule ecrlint has (a typo such as
`ECR21`) and an ignore comment that names no rule at all.

Suppressions written for other tools (Checkov `skip`, cfn-lint `ignore_checks`) are honoured
where they map to an ecrlint rule but never reported: they still matter to the tool they were
written for. An ignore is not reported while the rule it names is switched off by `select` or
`ignore` in the settings, nor while the document has a syntax error.

## Why is this bad?
A suppression outlives the problem it was written for. Left in place, it silently hides the
next real finding of that rule at that spot — for instance a repository made mutable again
months after the exception was justified.

## Example
```yaml
Resources:
  Repo:  # ecrlint: ignore ECR201 -- legacy deploy job retags latest
    Type: AWS::ECR::Repository
    Properties:
      ImageTagMutability: IMMUTABLE
```

## Fix
Safe: the unused code is removed from the comment (the whole comment, or its line, when it was
the only code), or the entry is removed from `Metadata.ecrlint.ignore` (with `ecrlint`, or
`Metadata`, when nothing else is left in it).
"#,
    covers: &[],
    fix: FixAvailability::Sometimes,
    default: true,
};
