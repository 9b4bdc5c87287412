//! ECR101 `public-repository`: a repository policy statement that lets everybody in.

use super::{
    duplicate_key, invalid_syntax, FixAvailability, Report, RuleMeta, INVALID_VALUE,
    UNRESOLVED_VALUE,
};
use crate::cfn::{intrinsic, Literal, Resolve, Value};
use crate::diagnostic::{Fix, Severity};
use crate::edits::{Generated, Writer};
use crate::input::{Input, InputKind};
use crate::policy::{is_everyone, public_reach, statements, Place, Reach};
use crate::syntax::{parse_embedded_json, Node, ScalarStyle};

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
`Default` is `*`, or through `Fn::Sub` and `Fn::Join` — and `Allow` with `NotPrincipal`, which
reaches everyone not listed.

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
};

const OWNER_ARN_SUB: &str = "arn:${AWS::Partition}:iam::${AWS::AccountId}:root";

/// Where the policy being checked stands, which decides how a fix may rewrite it.
struct Site<'a> {
    writer: Writer<'a>,
    owner: Owner<'a>,
}

/// How the owning account's root can be written where the policy stands.
#[derive(Clone, Copy)]
enum Owner<'a> {
    /// Template structure: `Fn::Sub` with `${AWS::Partition}` and `${AWS::AccountId}`.
    Template,
    /// Text inside an `Fn::Sub` string: the same variables, written inline.
    SubText,
    /// A known account id (`--account-id`, or get-repository-policy's `registryId`).
    Account(&'a str),
    /// No account known: no fix.
    Unknown,
}

impl<'a> Owner<'a> {
    fn account(id: Option<&'a str>) -> Self {
        id.map_or(Owner::Unknown, Owner::Account)
    }

    /// The owner's root principal as a value to write, and as text for the fix's title.
    fn principal(self) -> Option<(Generated, String)> {
        match self {
            Owner::Template => Some((Generated::Sub(OWNER_ARN_SUB.into()), OWNER_ARN_SUB.into())),
            Owner::SubText => Some((Generated::Str(OWNER_ARN_SUB.into()), OWNER_ARN_SUB.into())),
            Owner::Account(id) => {
                let arn = format!("arn:aws:iam::{id}:root");
                Some((Generated::Str(arn.clone()), arn))
            }
            Owner::Unknown => None,
        }
    }
}

pub(super) fn check(input: &Input<'_>, report: &mut Report<'_>) {
    let Some(root) = input.root() else { return };
    let account = report.settings().account_id.clone();
    match input.kind {
        InputKind::CloudformationTemplate | InputKind::SamTemplate => {
            let Some(template) = &input.template else {
                return;
            };
            for resource in &template.resources {
                let key = match resource.type_name {
                    "AWS::ECR::Repository" => "RepositoryPolicyText",
                    "AWS::ECR::RepositoryCreationTemplate" => "RepositoryPolicy",
                    _ => continue,
                };
                let Some(policy) = resource.properties.and_then(|p| p.get(key)) else {
                    continue;
                };
                for candidate in template.resolve(policy) {
                    let node = match candidate.value {
                        Value::Node(node) => node,
                        Value::Unknown(reason) => {
                            report.push(
                                &UNRESOLVED_VALUE,
                                candidate.at.range,
                                format!("cannot tell whether this repository policy is public: {reason}"),
                                None,
                                Vec::new(),
                            );
                            continue;
                        }
                        Value::Text(_) | Value::Opaque(_) => match intrinsic(candidate.at) {
                            // A policy written as `!Sub` text: check the text as written.
                            Some(("Fn::Sub", arg)) => {
                                let text = arg
                                    .as_sequence()
                                    .and_then(|s| s.items.first())
                                    .unwrap_or(arg);
                                let owner = Owner::SubText;
                                check_string_policy(input.source, text, owner, report);
                                continue;
                            }
                            _ => continue,
                        },
                    };
                    if node.as_mapping().is_some() {
                        let site = Site {
                            writer: Writer::new(input.source, input.document.format),
                            owner: Owner::Template,
                        };
                        check_policy(node, template, &site, report);
                    } else if node.as_str().is_some() {
                        let owner = Owner::account(account.as_deref());
                        check_string_policy(input.source, node, owner, report);
                    }
                }
            }
        }
        InputKind::RepositoryPolicy => {
            let site = Site {
                writer: Writer::new(input.source, input.document.format),
                owner: Owner::account(account.as_deref()),
            };
            check_policy(root, &Literal, &site, report);
        }
        InputKind::GetRepositoryPolicyOutput => {
            let Some(text) = root.get("policyText") else {
                return;
            };
            let registry = root.get("registryId").and_then(Node::as_str);
            let owner = Owner::account(account.as_deref().or(registry));
            check_string_policy(input.source, text, owner, report);
        }
        InputKind::DescribeRepositoriesOutput | InputKind::Other => {}
    }
}

/// A policy held in a string: parsed, positions mapped back, fixes written with the string's escaping.
fn check_string_policy(source: &str, text: &Node, owner: Owner<'_>, report: &mut Report<'_>) {
    let Some(embedded) = parse_embedded_json(source, text) else {
        return;
    };
    invalid_syntax::report_errors(&embedded.errors, report);
    duplicate_key::report_duplicates(&embedded.duplicate_keys, report);
    let Some(root) = &embedded.root else { return };
    // A policy in a plain YAML scalar cannot be edited safely: it is reported without fixes.
    let plain = text
        .as_scalar()
        .is_some_and(|s| s.style == ScalarStyle::Plain);
    let site = Site {
        writer: Writer::embedded(source, embedded.host),
        owner: if plain { Owner::Unknown } else { owner },
    };
    check_policy(root, &Literal, &site, report);
}

fn check_policy<'a>(
    policy: &'a Node,
    resolver: &dyn Resolve<'a>,
    site: &Site<'_>,
    report: &mut Report<'_>,
) {
    // One walk over the statements serves both questions; where the walk meets a value it
    // cannot evaluate, that is reported like any other unresolved reach.
    let mut reaches = Vec::new();
    let statements = statements(policy, resolver, &mut reaches);
    check_effects(&statements, resolver, site, report);
    reaches.extend(public_reach(&statements, resolver));
    for reach in reaches {
        match reach {
            Reach::Everyone {
                at,
                place,
                value,
                origin,
            } => {
                let what = match place {
                    Place::Principal => "`Principal` is `*`".to_string(),
                    _ if value == "*" => "the `AWS` principal is `*`".to_string(),
                    _ => format!("the `AWS` principal `{value}` names every account"),
                };
                let mut message = format!("repository policy allows everyone: {what} and no condition limits the caller");
                let fix = match &origin {
                    Some(related) => {
                        message.push_str(&format!(" (through {})", related.message));
                        None
                    }
                    None => principal_fix(at, &place, &value, site),
                };
                if fix.is_none() && origin.is_none() && matches!(site.owner, Owner::Unknown) {
                    message.push_str("; give the owning account with `--account-id` (or `account-id` in ecrlint.toml) for a fix");
                }
                report.push(&META, at.range, message, fix, origin.into_iter().collect());
            }
            Reach::NotPrincipal { key } => report.push(
                &META,
                key,
                "repository policy allows everyone not listed: `Allow` with `NotPrincipal` and no condition limits the caller",
                None,
                Vec::new(),
            ),
            Reach::Unresolved { at, reason } => report.push(
                &UNRESOLVED_VALUE,
                at.range,
                format!("cannot tell whether this statement is public: {reason}"),
                None,
                Vec::new(),
            ),
        }
    }
}

/// Reports an `Effect` that is neither `Allow` nor `Deny`.
fn check_effects<'a>(
    statements: &[&'a Node],
    resolver: &dyn Resolve<'a>,
    site: &Site<'_>,
    report: &mut Report<'_>,
) {
    for statement in statements {
        let Some(effect) = statement.get("Effect") else {
            continue;
        };
        for candidate in resolver.resolve(effect) {
            let Value::Node(node) = candidate.value else {
                continue;
            };
            let Some(text) = node.as_str() else { continue };
            if text == "Allow" || text == "Deny" {
                continue;
            }
            let fix = ["Allow", "Deny"]
                .into_iter()
                .find(|valid| valid.eq_ignore_ascii_case(text))
                .and_then(|valid| {
                    let edit = site.writer.replace_scalar_text(node, valid)?;
                    Some(Fix::safe(format!("Write `{valid}`"), vec![edit]))
                });
            report.push(
                &INVALID_VALUE,
                node.range,
                format!("`{text}` is not a valid `Effect`; IAM accepts `Allow` or `Deny`"),
                fix,
                Vec::new(),
            );
        }
    }
}

fn principal_fix(at: &Node, place: &Place<'_>, value: &str, site: &Site<'_>) -> Option<Fix> {
    // Beside other principals, the everyone-principal is just removed: no account needed.
    if let Place::AwsListItem { list, index } = place {
        let items = list.as_sequence().map_or(&[][..], |s| s.items.as_slice());
        let others = items
            .iter()
            .filter(|i| !i.as_str().is_some_and(is_everyone))
            .count();
        if others > 0 {
            let edit = site.writer.remove_item(list, *index)?;
            return Some(Fix::safe(
                format!("Remove `{value}` from the principals"),
                vec![edit],
            ));
        }
    }
    let (owner, owner_text) = site.owner.principal()?;
    let edit = match place {
        Place::Principal => site
            .writer
            .replace_node(at, &Generated::Map(vec![("AWS".to_string(), owner)]))?,
        _ => site.writer.replace_node(at, &owner)?,
    };
    Some(Fix::safe(
        format!("Allow only the owning account (`{owner_text}`)"),
        vec![edit],
    ))
}
