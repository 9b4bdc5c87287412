//! ECR201 `mutable-image-tags`: image tags that can be overwritten.

use super::{Finding, FixAvailability, Report, RuleMeta};
use crate::diagnostic::{Related, Severity};
use crate::model::{Known, Model, Remedy, TagMutability, Written};

pub static META: RuleMeta = RuleMeta {
    code: "ECR201",
    name: "mutable-image-tags",
    severity: Severity::Warning,
    summary: "Image tags can be overwritten: `ImageTagMutability` is missing or `MUTABLE`",
    explanation: r#"## What it does
Reports ECR repositories (`AWS::ECR::Repository`, `AWS::ECR::RepositoryCreationTemplate`, and
repositories in `aws ecr describe-repositories` output) whose image tags can be overwritten:
`ImageTagMutability` missing (the default is `MUTABLE`), `MUTABLE`, `MUTABLE_WITH_EXCLUSION`, or
`IMMUTABLE_WITH_EXCLUSION` with an exclusion filter of `*`. The value is followed through `!Ref`
to a parameter's `Default`, through `Fn::FindInMap` to the template's `Mappings`, and through
both branches of `Fn::If`.

## Why is this bad?
With mutable tags, whoever can push can replace `myapp:1.4.2` with different content, and every
deployment that pulls that tag silently runs the new image. Immutable tags make a tag name a
promise: the image it named at review time is the image that runs.

## Example
```yaml
MyRepository:
  Type: AWS::ECR::Repository
  Properties:
    ImageTagMutability: MUTABLE
```

Use instead:
```yaml
MyRepository:
  Type: AWS::ECR::Repository
  Properties:
    ImageTagMutability: IMMUTABLE
```

In Terraform (the provider's default is `MUTABLE` too; the value is followed through variables,
their `.tfvars` values, locals and conditionals):
```hcl
resource "aws_ecr_repository" "app" {
  name = "app"
}
```

Use instead:
```hcl
resource "aws_ecr_repository" "app" {
  name                 = "app"
  image_tag_mutability = "IMMUTABLE"
}
```

## Fix
Safe: `MUTABLE` becomes `IMMUTABLE` (keeping the quoting; in the parameter `Default` when the
value comes from one); a missing property is inserted (creating `Properties` if needed); in an
`Fn::If`, the mutable branch is rewritten. Unsafe: `MUTABLE_WITH_EXCLUSION`, and
`IMMUTABLE_WITH_EXCLUSION` with a `*` filter, become `IMMUTABLE` with the exclusion filters
removed — tags that were deliberately left mutable stop being so. For describe-repositories
output there is nothing to edit: the message gives the `aws ecr put-image-tag-mutability` command
that fixes the live repository.
"#,
    covers: &[
        "KICS 33f41d31-86b1-46a4-81f7-9c9a671f59ac",
        "KICS d1846b12-20c5-4d45-8798-fc35b79268eb",
        "Checkov CKV_AWS_51",
        "Trivy AWS-0031",
        "AWS Security Hub ECR.2",
    ],
    fix: FixAvailability::Sometimes,
    default: true,
};

/// Every repository and creation template: each value its tag mutability can take.
pub(super) fn check(model: &Model, report: &mut Report) {
    for repository in &model.repositories {
        let setting = repository.tag_mutability.setting;
        for candidate in &repository.tag_mutability.candidates {
            let origin = &candidate.origin;
            let mutability = match &candidate.state {
                Known::Is(mutability) => *mutability,
                Known::Unknown(reason) => {
                    report.cannot_tell(origin.range, "whether image tags are mutable", reason);
                    continue;
                }
                Known::Rejected => continue,
            };
            let remedy = |drop_exclusions| {
                Some(Remedy::ImmutableTags {
                    repository: repository.anchor,
                    value: origin.anchor,
                    drop_exclusions,
                })
            };
            let through = origin
                .via
                .as_ref()
                .map(|r| format!(" (through {})", r.message))
                .unwrap_or_default();
            let finding = |range, message, remedy, related| Finding {
                rule: &META,
                range,
                message,
                remedy,
                related,
                without_fix: None,
            };
            let related: Vec<Related> = origin.via.as_deref().cloned().into_iter().collect();
            // A repository that exists is named; a declared one is described by its setting.
            let deployed = repository.deployed.as_ref().map(|d| d.name.as_str());
            match mutability {
                TagMutability::Immutable => {}
                TagMutability::Mutable => {
                    let message = match (deployed, origin.written) {
                        (Some(name), _) => format!("repository `{name}` has mutable image tags"),
                        (None, Written::Default) => format!(
                            "`{setting}` is not set, so image tags are mutable (the default is `MUTABLE`)"
                        ),
                        (None, _) => format!(
                            "`{setting}` is `MUTABLE`{through}: image tags can be overwritten"
                        ),
                    };
                    report.push(finding(origin.range, message, remedy(false), related));
                }
                TagMutability::MutableWithExclusion => {
                    let message = match deployed {
                        Some(name) => format!(
                            "repository `{name}` has mutable image tags outside its exclusion filters"
                        ),
                        None => format!(
                            "`{setting}` is `MUTABLE_WITH_EXCLUSION`{through}: every tag outside the exclusion filters can be overwritten"
                        ),
                    };
                    report.push(finding(origin.range, message, remedy(true), related));
                }
                TagMutability::ImmutableWithExclusion => {
                    let wildcards = repository
                        .exclusion_filters
                        .iter()
                        .flat_map(|f| f.known())
                        .filter(|(filter, _)| filter.trim() == "*");
                    if let Some(name) = deployed {
                        if wildcards.count() > 0 {
                            let message = format!(
                                "repository `{name}` excludes every tag (`*`) from immutability"
                            );
                            report.push(finding(origin.range, message, remedy(true), Vec::new()));
                        }
                        continue;
                    }
                    for (_, filter) in wildcards {
                        report.push(finding(
                            filter.origin.range,
                            "exclusion filter `*` makes every tag mutable despite `IMMUTABLE_WITH_EXCLUSION`".into(),
                            remedy(true),
                            vec![Related::new(origin.range, format!("`{setting}` is set here"))],
                        ));
                    }
                }
            }
        }
    }
}
