//! ECR201 `mutable-image-tags`: image tags that can be overwritten.

use super::{FixAvailability, Report, RuleMeta, INVALID_VALUE, UNRESOLVED_VALUE};
use crate::cfn::{Candidate, Resolve, Resource, Template, Value};
use crate::diagnostic::{Fix, Related, Severity};
use crate::edits::{Generated, Writer};
use crate::input::{Input, InputKind};
use crate::syntax::Node;

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
to a parameter's `Default` and through both branches of `Fn::If`.

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
};

const PROPERTY: &str = "ImageTagMutability";
const FILTERS: &str = "ImageTagMutabilityExclusionFilters";
const VALID: &[&str] = &[
    "IMMUTABLE",
    "MUTABLE",
    "IMMUTABLE_WITH_EXCLUSION",
    "MUTABLE_WITH_EXCLUSION",
];

pub(super) fn check(input: &Input<'_>, report: &mut Report<'_>) {
    match input.kind {
        InputKind::CloudformationTemplate | InputKind::SamTemplate => {
            let Some(template) = &input.template else {
                return;
            };
            let writer = Writer::new(input.source, input.document.format);
            let types = [
                "AWS::ECR::Repository",
                "AWS::ECR::RepositoryCreationTemplate",
            ];
            for resource in template.resources_of_type(&types) {
                check_resource(template, resource, &writer, report);
            }
        }
        InputKind::DescribeRepositoriesOutput => {
            let Some(root) = input.root() else { return };
            let listed = root.get("repositories").and_then(Node::as_sequence);
            let repositories = listed
                .map(|s| s.items.iter().collect())
                .unwrap_or_else(|| root.get("repository").into_iter().collect::<Vec<_>>());
            for repository in repositories {
                check_live_repository(repository, report);
            }
        }
        _ => {}
    }
}

fn check_resource<'a>(
    template: &Template<'a>,
    resource: &Resource<'a>,
    writer: &Writer<'_>,
    report: &mut Report<'_>,
) {
    let Some(value) = resource.properties.and_then(|p| p.get(PROPERTY)) else {
        let fix = match resource.properties {
            Some(properties) => {
                writer.insert_entry(properties, PROPERTY, &Generated::Str("IMMUTABLE".into()))
            }
            None if resource.node.get("Properties").is_none() => writer.insert_entry(
                resource.node,
                "Properties",
                &Generated::Map(vec![(PROPERTY.into(), Generated::Str("IMMUTABLE".into()))]),
            ),
            None => None,
        }
        .map(|edit| Fix::safe("Set `ImageTagMutability: IMMUTABLE`", vec![edit]));
        report.push(
            &META,
            resource.id_range,
            format!(
                "`{PROPERTY}` is not set, so image tags are mutable (the default is `MUTABLE`)"
            ),
            fix,
            Vec::new(),
        );
        return;
    };
    for candidate in template.resolve(value) {
        check_value(template, resource, candidate, writer, report);
    }
}

fn check_value<'a>(
    template: &Template<'a>,
    resource: &Resource<'a>,
    candidate: Candidate<'a>,
    writer: &Writer<'_>,
    report: &mut Report<'_>,
) {
    let Candidate { value, at, origin } = candidate;
    let related: Vec<Related> = origin.clone().into_iter().collect();
    let through = origin
        .as_ref()
        .map(|r| format!(" (through {})", r.message))
        .unwrap_or_default();
    let text = match &value {
        Value::Unknown(reason) => {
            report.push(
                &UNRESOLVED_VALUE,
                at.range,
                format!("cannot tell whether image tags are mutable: {reason}"),
                None,
                Vec::new(),
            );
            return;
        }
        Value::Opaque(_) => {
            report.push(
                &UNRESOLVED_VALUE,
                at.range,
                "cannot tell whether image tags are mutable: the value is computed at deployment",
                None,
                Vec::new(),
            );
            return;
        }
        value => value.as_str(),
    };
    // The node holding the text: the parameter's Default when the value comes from one.
    let literal = match &value {
        Value::Node(node) => Some(*node),
        _ => None,
    };
    let set_immutable = |title: &str| -> Option<Fix> {
        let node = literal?;
        if let Some(default_of) = origin.as_ref() {
            // Rewrite the parameter's Default only when the parameter would accept the new value.
            let parameter = template
                .parameters
                .values()
                .find(|p| p.default.is_some_and(|d| d.range == default_of.range))?;
            let allowed = &parameter.allowed_values;
            if !allowed.is_empty() && !allowed.iter().any(|v| v.as_str() == Some("IMMUTABLE")) {
                return None;
            }
        }
        let edit = writer.replace_scalar_text(node, "IMMUTABLE")?;
        Some(Fix::safe(title, vec![edit]))
    };
    match text {
        Some("IMMUTABLE") => {}
        Some("MUTABLE") => report.push(
            &META,
            at.range,
            format!("`{PROPERTY}` is `MUTABLE`{through}: image tags can be overwritten"),
            set_immutable("Set `ImageTagMutability` to `IMMUTABLE`"),
            related,
        ),
        Some("MUTABLE_WITH_EXCLUSION") => report.push(
            &META,
            at.range,
            format!("`{PROPERTY}` is `MUTABLE_WITH_EXCLUSION`{through}: every tag outside the exclusion filters can be overwritten"),
            unsafe_immutable(resource, literal, origin.is_some(), writer),
            related,
        ),
        Some("IMMUTABLE_WITH_EXCLUSION") => {
            for filter in wildcard_filters(template, resource) {
                report.push(
                    &META,
                    filter.range,
                    "exclusion filter `*` makes every tag mutable despite `IMMUTABLE_WITH_EXCLUSION`",
                    unsafe_immutable(resource, literal, origin.is_some(), writer),
                    vec![Related {
                        range: at.range,
                        message: format!("`{PROPERTY}` is set here"),
                    }],
                );
            }
        }
        Some(other) => {
            let valid = VALID.iter().find(|v| v.eq_ignore_ascii_case(other));
            let fix = valid.and_then(|valid| {
                let edit = writer.replace_scalar_text(literal?, valid)?;
                Some(Fix::safe(format!("Write `{valid}`"), vec![edit]))
            });
            report.push(
                &INVALID_VALUE,
                at.range,
                format!("`{other}` is not a valid `{PROPERTY}`{through}; CloudFormation accepts {}", VALID.join(", ")),
                if origin.is_some() { None } else { fix },
                related,
            );
        }
        None => report.push(
            &INVALID_VALUE,
            at.range,
            format!("`{PROPERTY}` must be a string, one of {}", VALID.join(", ")),
            None,
            related,
        ),
    }
}

/// `IMMUTABLE` with the exclusion filters removed: tags deliberately left mutable stop being so.
fn unsafe_immutable(
    resource: &Resource<'_>,
    literal: Option<&Node>,
    via_parameter: bool,
    writer: &Writer<'_>,
) -> Option<Fix> {
    if via_parameter {
        return None;
    }
    let mut edits = vec![writer.replace_scalar_text(literal?, "IMMUTABLE")?];
    let properties = resource.properties?;
    if properties.get(FILTERS).is_some() {
        edits.push(writer.remove_entry(properties, FILTERS)?);
    }
    Some(Fix::unsafe_(
        "Set `ImageTagMutability` to `IMMUTABLE` and remove the exclusion filters",
        edits,
    ))
}

/// The exclusion filter values that match every tag.
fn wildcard_filters<'a>(template: &Template<'a>, resource: &Resource<'a>) -> Vec<&'a Node> {
    let Some(filters) = resource
        .properties
        .and_then(|p| p.get(FILTERS))
        .and_then(Node::as_sequence)
    else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for filter in &filters.items {
        let Some(value) = filter.get("ImageTagMutabilityExclusionFilterValue") else {
            continue;
        };
        for candidate in template.resolve(value) {
            if candidate.value.as_str().is_some_and(|v| v.trim() == "*") {
                found.push(candidate.at);
            }
        }
    }
    found
}

/// A repository as the AWS CLI describes it: nothing to edit, so the message gives the command.
fn check_live_repository(repository: &Node, report: &mut Report<'_>) {
    let Some(value) = repository.get("imageTagMutability") else {
        return;
    };
    let name = repository
        .get("repositoryName")
        .and_then(Node::as_str)
        .unwrap_or("NAME");
    let registry = repository
        .get("registryId")
        .and_then(Node::as_str)
        .map(|id| format!(" --registry-id {id}"))
        .unwrap_or_default();
    let command = format!("aws ecr put-image-tag-mutability --repository-name {name} --image-tag-mutability IMMUTABLE{registry}");
    let filters = repository
        .get("imageTagMutabilityExclusionFilters")
        .and_then(Node::as_sequence);
    let wildcard = filters.is_some_and(|f| {
        f.items.iter().any(|i| {
            i.get("filter")
                .and_then(Node::as_str)
                .is_some_and(|v| v.trim() == "*")
        })
    });
    let message = match value.as_str() {
        Some("MUTABLE") => format!("repository `{name}` has mutable image tags; run `{command}`"),
        Some("MUTABLE_WITH_EXCLUSION") => {
            format!("repository `{name}` has mutable image tags outside its exclusion filters; run `{command}`")
        }
        Some("IMMUTABLE_WITH_EXCLUSION") if wildcard => {
            format!(
                "repository `{name}` excludes every tag (`*`) from immutability; run `{command}`"
            )
        }
        _ => return,
    };
    report.push(&META, value.range, message, None, Vec::new());
}
