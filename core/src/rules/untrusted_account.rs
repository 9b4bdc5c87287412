//! ECR103 `untrusted-account`: a policy grants an AWS account that is neither the owner nor one
//! the settings trust.

use super::{Finding, FixAvailability, Report, RuleMeta};
use crate::diagnostic::Severity;
use crate::model::{
    principal_account, Effect, Known, Model, Owner, Policy, PrincipalForm, Statement, Value,
};

pub static META: RuleMeta = RuleMeta {
    code: "ECR103",
    name: "untrusted-account",
    severity: Severity::Warning,
    summary: "A policy grants an AWS account that is neither the owner nor trusted",
    explanation: r#"## What it does
Silent until `trusted-accounts` is set (in `ecrlint.toml`, the editor's settings or the
playground). Then reports every principal of an `Allow` statement, in a repository policy or a
registry policy, that names an AWS account which is neither the owner nor listed as trusted. The
account is read from what the principal names: `123456789012`,
`arn:aws:iam::123456789012:root` and `arn:aws:iam::123456789012:role/deploy` are the same
account. The owner is the account the template is deployed in (`${AWS::AccountId}`,
`data.aws_caller_identity` in Terraform), the `registryId` of AWS CLI output, or `account-id` in
the settings. A principal whose account is only known at deployment (a parameter without a
default, a Terraform variable with no value) cannot be judged and is reported as such (ECR903).
`*` is left to `public-repository` and `public-registry-policy`; `Deny` statements are not judged.

## Why is this bad?
A grant to another account is a standing trust: whoever controls that account can pull (or, with
write actions, push) your images. Accounts change hands, are closed and re-created, or are simply
mistyped — a typo in a 12-digit id grants a stranger. Listing the accounts you mean to trust turns
every other one into a finding to review.

## Example
With `trusted-accounts = ["111122223333"]`:
```yaml
RepositoryPolicyText:
  Statement:
    - Effect: Allow
      Principal:
        AWS:
          - arn:aws:iam::111122223333:root
          - arn:aws:iam::444455556666:role/ci
      Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
```

Use instead (or add `444455556666` to `trusted-accounts` if it is meant):
```yaml
RepositoryPolicyText:
  Statement:
    - Effect: Allow
      Principal:
        AWS: arn:aws:iam::111122223333:root
      Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
```

In Terraform, a principal in an `aws_iam_policy_document` is judged the same way:
```hcl
principals {
  type        = "AWS"
  identifiers = ["arn:aws:iam::444455556666:role/ci"]
}
```

## Fix
None: whether an account should be trusted is a decision; the finding names the account so it can
be added to `trusted-accounts` or removed from the policy.
"#,
    covers: &["Trend Micro Conformity ECR-001 (trusted accounts)"],
    fix: FixAvailability::None,
    default: true,
};

const QUESTION: &str = "whether the account this principal names is trusted";

pub(super) fn check(model: &Model, report: &mut Report) {
    let assumed = &model.assumed;
    if assumed.trusted_accounts.is_empty() {
        return;
    }
    let policies = model
        .repository_policies()
        .map(|p| (p, "repository policy"))
        .chain(
            model
                .registry
                .policies
                .iter()
                .map(|p| (p, "registry policy")),
        );
    for (policy, noun) in policies {
        for candidate in &policy.candidates {
            if let Known::Is(policy) = &candidate.state {
                for statement in &policy.statements {
                    if allows(statement) {
                        check_statement(model, policy, statement, noun, report);
                    }
                }
            }
        }
    }
}

/// Whether the statement can be an `Allow` (an unknown `Effect` may be one).
fn allows(statement: &Statement) -> bool {
    statement
        .effect
        .as_ref()
        .is_none_or(|effect: &Value<Effect>| {
            effect
                .candidates
                .iter()
                .any(|c| !matches!(c.state, Known::Is(Effect::Deny)))
        })
}

fn check_statement(
    model: &Model,
    policy: &Policy,
    statement: &Statement,
    noun: &str,
    report: &mut Report,
) {
    for principal in &statement.principals {
        if principal.form == PrincipalForm::Whole {
            continue;
        }
        let origin = &principal.value.origin;
        let text = match &principal.value.state {
            Known::Is(text) => text.trim(),
            Known::Unknown(reason) => {
                report.cannot_tell(origin.range, QUESTION, reason);
                continue;
            }
            Known::Rejected => continue,
        };
        let Some(account) = principal_account(text) else {
            continue;
        };
        if account == "*" || account == "${AWS::AccountId}" {
            continue;
        }
        if account.contains("${") {
            report.cannot_tell(
                origin.range,
                QUESTION,
                format!("the account `{account}` is only known at deployment"),
            );
            continue;
        }
        let owner = match &policy.owner {
            Some(Owner::Account(id)) => Some(id.as_str()),
            _ => None,
        };
        let known = owner == Some(account)
            || model.assumed.owner_account.as_deref() == Some(account)
            || model.assumed.trusted_accounts.iter().any(|t| t == account);
        if known {
            continue;
        }
        let hint = if owner.is_none() && model.assumed.owner_account.is_none() {
            " (set `account-id` if it is the owner)"
        } else {
            ""
        };
        let named = if text == account {
            format!("account `{account}`")
        } else {
            format!("`{text}` (account `{account}`)")
        };
        report.push(Finding {
            rule: &META,
            range: origin.range,
            message: format!("the {noun} grants {named}, which is not in `trusted-accounts`{hint}"),
            remedy: None,
            related: origin.via.as_deref().cloned().into_iter().collect(),
            without_fix: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::{check, Settings};

    fn findings(text: &str, path: &str, trusted: &[&str]) -> Vec<(String, String)> {
        let settings = Settings {
            select: Some(vec!["ECR103".into(), "ECR903".into()]),
            trusted_accounts: trusted.iter().map(|t| t.to_string()).collect(),
            ..Settings::default()
        };
        check(text, Some(path), &settings)
            .diagnostics
            .into_iter()
            .map(|d| (d.code.to_string(), d.message))
            .collect()
    }

    const TEMPLATE: &str = "Parameters:\n  Consumer:\n    Type: String\nResources:\n  R:\n    Type: AWS::ECR::Repository\n    Properties:\n      RepositoryPolicyText:\n        Statement:\n          - Effect: Allow\n            Principal:\n              AWS: !Sub arn:aws:iam::${Consumer}:root\n            Action: ecr:BatchGetImage\n";

    #[test]
    fn an_account_known_only_at_deployment_cannot_be_judged() {
        assert_eq!(
            findings(TEMPLATE, "t.yaml", &["111122223333"]),
            vec![(
                "ECR903".to_string(),
                "cannot tell whether this statement is public or whether the account this principal names is trusted: the Principal cannot be evaluated: parameter `Consumer` has no Default, so its value is chosen at deployment".to_string()
            )]
        );
    }

    #[test]
    fn without_trusted_accounts_nothing_more_is_asked() {
        assert_eq!(
            findings(TEMPLATE, "t.yaml", &[]),
            vec![(
                "ECR903".to_string(),
                "cannot tell whether this statement is public: the Principal cannot be evaluated: parameter `Consumer` has no Default, so its value is chosen at deployment".to_string()
            )]
        );
    }
}
