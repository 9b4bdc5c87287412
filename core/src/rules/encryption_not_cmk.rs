//! ECR301 `encryption-not-cmk`: images not encrypted with a customer-managed KMS key.

use super::{Finding, FixAvailability, Report, RuleMeta};
use crate::diagnostic::Severity;
use crate::model::{Candidate, Known, Model, Repository, Written};
use crate::text::Text;

pub static META: RuleMeta = RuleMeta {
    code: "ECR301",
    name: "encryption-not-cmk",
    severity: Severity::Info,
    summary: "Images are not encrypted with a customer-managed KMS key",
    explanation: r#"## What it does
Reports repositories and repository creation templates whose images are not encrypted with a
customer-managed KMS key: no encryption configuration (AWS then uses `AES256`), `AES256`, `KMS` or
`KMS_DSSE` without a key (AWS then uses its own `aws/ecr` key), or a key given as
`alias/aws/ecr` — which is AWS-managed too. `KMS` or `KMS_DSSE` with any other key passes. In
`aws ecr describe-repositories` output a key appears as its ARN, which does not say who manages
it: a `KMS` repository with a key passes there.

## Why is this bad?
With `AES256` or an AWS-managed key, who may decrypt the images is decided by ECR alone. A
customer-managed key adds a second lock under your control: its key policy says who can use it,
CloudTrail logs every use, it can be rotated, and disabling it makes the images unreadable at once.
Many compliance baselines ask for it.

## Example
```yaml
MyRepository:
  Type: AWS::ECR::Repository
  Properties:
    EncryptionConfiguration:
      EncryptionType: AES256
```

Use instead:
```yaml
MyRepository:
  Type: AWS::ECR::Repository
  Properties:
    EncryptionConfiguration:
      EncryptionType: KMS
      KmsKey: !GetAtt RepositoryKey.Arn
```

In Terraform:
```hcl
resource "aws_ecr_repository" "app" {
  name = "app"
  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = aws_kms_key.ecr.arn
  }
}
```

## Fix
None. The encryption of a repository is fixed when it is created: changing it replaces the
repository and deletes every image in it. Create a new repository with the key and move the
images, or accept the finding (it is `info`).
"#,
    covers: &[
        "Checkov CKV_AWS_136",
        "Trivy AWS-0033",
        "KICS 0e32d561-4b5a-4664-a6e3-a3fa85649157",
        "AWS Config ecr-repository-cmk-encryption-enabled",
    ],
    fix: FixAvailability::None,
    default: true,
};

const QUESTION: &str = "whether images are encrypted with a customer-managed key";
const REPLACES: &str = "; changing the encryption replaces the repository and deletes its images";

pub(super) fn check(model: &Model, report: &mut Report) {
    for repository in &model.repositories {
        let encryption = &repository.encryption;
        let setting = encryption.encryption_type.setting;
        for candidate in &encryption.encryption_type.candidates {
            let origin = &candidate.origin;
            let kind = match &candidate.state {
                Known::Is(kind) => kind.as_str(),
                Known::Unknown(reason) => {
                    report.cannot_tell(origin.range, QUESTION, reason);
                    continue;
                }
                Known::Rejected => continue,
            };
            match kind {
                "AES256" => {
                    let message = match (deployed(repository), origin.written) {
                        (Some(name), _) => format!(
                            "repository `{name}` is encrypted with `AES256`, not a customer-managed KMS key"
                        ),
                        (None, Written::Default) => format!(
                            "`{setting}` is not set, so images are encrypted with `AES256`, not a customer-managed KMS key"
                        ),
                        (None, _) => format!(
                            "`{setting}` is `AES256`: images are not encrypted with a customer-managed KMS key"
                        ),
                    };
                    report.push(finding(origin.range, message));
                }
                "KMS" | "KMS_DSSE" => match &encryption.kms_key {
                    None => {
                        let message = match deployed(repository) {
                            Some(name) => format!(
                                "repository `{name}` uses `{kind}` with the AWS-managed key `aws/ecr`, not a customer-managed one"
                            ),
                            None => format!(
                                "`{setting}` is `{kind}` with no key, so AWS uses its own key `aws/ecr`, not a customer-managed one"
                            ),
                        };
                        report.push(finding(origin.range, message));
                    }
                    Some(key) => {
                        for key_candidate in &key.candidates {
                            check_key(key.setting, key_candidate, report);
                        }
                    }
                },
                _ => {}
            }
        }
    }
}

fn check_key(setting: &str, candidate: &Candidate<Text>, report: &mut Report) {
    match &candidate.state {
        Known::Is(key) if is_aws_managed(key) => report.push(finding(
            candidate.origin.range,
            format!("`{setting}` `{key}` is the AWS-managed key, not a customer-managed one"),
        )),
        Known::Unknown(reason) => report.cannot_tell(candidate.origin.range, QUESTION, reason),
        _ => {}
    }
}

/// `alias/aws/ecr`, by name or as an alias ARN.
fn is_aws_managed(key: &str) -> bool {
    let key = key.trim();
    key == "alias/aws/ecr" || (key.starts_with("arn:") && key.ends_with(":alias/aws/ecr"))
}

fn deployed(repository: &Repository) -> Option<&str> {
    repository.deployed.as_ref().map(|d| d.name.as_str())
}

fn finding(range: crate::text::TextRange, mut message: String) -> Finding {
    message.push_str(REPLACES);
    Finding {
        rule: &META,
        range,
        message,
        remedy: None,
        related: Vec::new(),
        without_fix: None,
    }
}
