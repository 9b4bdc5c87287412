//! The JavaScript-facing shapes of settings, findings, fixes and rules, and their conversion from
//! core. Plain Rust (tested natively); `lib.rs` only moves these values across the wasm boundary.
//! The TypeScript declarations shipped with the package are derived from these types by tsify.

use std::collections::BTreeMap;

use ecrlint_core as core;
use serde::{Deserialize, Serialize};
use tsify::Tsify;

use crate::positions::{Position, Positions, Range};

/// Which rules run and how, as a plain object: `{ select, ignore, accountId, severity, trustedAccounts,
/// registryScanning }`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Settings {
    /// Rules to run, by code (`ECR101`), code prefix (`ECR1`) or name (`public-repository`).
    /// Absent: every rule.
    #[tsify(optional)]
    pub select: Option<Vec<String>>,
    /// Rules not to run, in the same forms as `select`.
    #[tsify(optional)]
    pub ignore: Option<Vec<String>>,
    /// The 12-digit AWS account that owns the repositories. Fixes of a public principal in a raw
    /// policy use it (`arn:aws:iam::ACCOUNT:root`); templates use `${AWS::AccountId}` instead.
    #[tsify(optional)]
    pub account_id: Option<String>,
    /// Severity overrides by rule code or name.
    #[tsify(optional, type = "Record<string, Severity>")]
    pub severity: Option<BTreeMap<String, Severity>>,
    /// 12-digit AWS accounts a policy may name besides the owner (ECR103 is silent without them).
    #[tsify(optional)]
    pub trusted_accounts: Option<Vec<String>>,
    /// `"covers-all"` when a registry scanning configuration outside the checked text scans every
    /// repository.
    #[tsify(optional, type = "\"unknown\" | \"covers-all\"")]
    pub registry_scanning: Option<String>,
}

/// The keys of [`Settings`] as JavaScript writes them: serde-wasm-bindgen ignores keys it does not
/// know, so `lib.rs` refuses any other before reading.
pub const SETTINGS_KEYS: &[&str] = &[
    "select",
    "ignore",
    "accountId",
    "severity",
    "trustedAccounts",
    "registryScanning",
];

/// Options of `fix`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct FixOptions {
    /// Also apply fixes that change behaviour beyond the finding. Default `false`.
    #[tsify(optional)]
    #[serde(rename = "unsafe")]
    pub unsafe_fixes: Option<bool>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

/// What the text was taken for; decided from its content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "kebab-case")]
pub enum InputKind {
    CloudformationTemplate,
    SamTemplate,
    RepositoryPolicy,
    GetRepositoryPolicyOutput,
    GetRegistryPolicyOutput,
    DescribeRepositoriesOutput,
    GetRegistryScanningConfigurationOutput,
    BatchGetRepositoryScanningConfigurationOutput,
    /// A lifecycle policy document (`{"rules": [...]}`).
    LifecyclePolicy,
    GetLifecyclePolicyOutput,
    /// A Terraform configuration (HCL).
    Terraform,
    /// A Terraform plan as `terraform show -json` writes it.
    TerraformPlan,
    /// Not a template, policy or ECR CLI output: never any finding but a syntax error.
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Yaml,
    Json,
    Hcl,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Keeps the text's meaning apart from the insecure part.
    Safe,
    /// Changes behaviour beyond the finding; applied by `fix` only with `{ unsafe: true }`.
    Unsafe,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "lowercase")]
pub enum FixAvailability {
    None,
    Sometimes,
    Always,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct CheckResult {
    pub kind: InputKind,
    /// `kind` for people: "CloudFormation template", "aws ecr get-repository-policy output", …
    pub kind_description: String,
    pub format: Format,
    /// Whether the text (and every policy held in one of its strings) parsed. `fix` never
    /// changes text that did not, whatever rules are selected.
    pub parsed: bool,
    /// Sorted by position.
    pub findings: Vec<Finding>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
pub struct Finding {
    /// `ECR101`
    pub code: String,
    /// `public-repository`
    pub name: String,
    pub severity: Severity,
    pub message: String,
    /// UTF-16 offsets into the checked text.
    pub range: Range,
    pub start: Position,
    pub end: Position,
    /// The rule's documentation page.
    pub url: String,
    #[tsify(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
    /// Other places that explain the finding, e.g. the parameter whose default makes it so.
    pub related: Vec<RelatedInformation>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
pub struct Fix {
    /// What the fix does, in the imperative.
    pub title: String,
    pub applicability: Applicability,
    /// Non-overlapping edits sorted by position, in UTF-16 offsets of the checked text: apply them
    /// together (or from last to first).
    pub edits: Vec<Edit>,
}

/// Replace `range` by `content`; an empty range inserts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
pub struct Edit {
    pub range: Range,
    pub content: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
pub struct RelatedInformation {
    pub range: Range,
    pub start: Position,
    pub end: Position,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
pub struct FixResult {
    /// The text with every applicable fix applied (the input itself when none applied).
    pub text: String,
    pub applied: Vec<AppliedFix>,
    /// What the fixed text still has.
    pub remaining: CheckResult,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
pub struct AppliedFix {
    pub code: String,
    pub title: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
pub struct Rule {
    pub code: String,
    pub name: String,
    /// The default severity.
    pub severity: Severity,
    pub summary: String,
    /// Markdown: "What it does", "Why is this bad?", "Example", "Fix".
    pub explanation: String,
    /// The checks of other tools this rule covers.
    pub covers: Vec<String>,
    pub fix: FixAvailability,
    pub url: String,
}

/// Settings that core rejects, each problem in a sentence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidSettings(pub Vec<String>);

impl std::fmt::Display for InvalidSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid settings: {}", self.0.join("; "))
    }
}

impl std::error::Error for InvalidSettings {}

impl Settings {
    pub fn to_core(&self) -> Result<core::Settings, InvalidSettings> {
        let settings = core::Settings {
            select: self.select.clone(),
            ignore: self.ignore.clone().unwrap_or_default(),
            account_id: self.account_id.clone(),
            severity: self
                .severity
                .iter()
                .flatten()
                .map(|(rule, &severity)| (rule.clone(), severity.to_core()))
                .collect(),
            trusted_accounts: self.trusted_accounts.clone().unwrap_or_default(),
            registry_scanning: match self.registry_scanning.as_deref() {
                None | Some("unknown") => core::settings::RegistryScanningSetting::Unknown,
                Some("covers-all") => core::settings::RegistryScanningSetting::CoversAll,
                Some(other) => {
                    return Err(InvalidSettings(vec![format!(
                        "registryScanning `{other}` is not \"unknown\" or \"covers-all\""
                    )]))
                }
            },
        };
        let problems = settings.validate();
        if problems.is_empty() {
            Ok(settings)
        } else {
            Err(InvalidSettings(problems))
        }
    }
}

impl Severity {
    fn to_core(self) -> core::Severity {
        match self {
            Severity::Info => core::Severity::Info,
            Severity::Warning => core::Severity::Warning,
            Severity::Error => core::Severity::Error,
        }
    }

    fn of(severity: core::Severity) -> Self {
        match severity {
            core::Severity::Info => Severity::Info,
            core::Severity::Warning => Severity::Warning,
            core::Severity::Error => Severity::Error,
        }
    }
}

impl InputKind {
    fn of(kind: core::InputKind) -> Self {
        match kind {
            core::InputKind::CloudformationTemplate => InputKind::CloudformationTemplate,
            core::InputKind::SamTemplate => InputKind::SamTemplate,
            core::InputKind::RepositoryPolicy => InputKind::RepositoryPolicy,
            core::InputKind::GetRepositoryPolicyOutput => InputKind::GetRepositoryPolicyOutput,
            core::InputKind::GetRegistryPolicyOutput => InputKind::GetRegistryPolicyOutput,
            core::InputKind::DescribeRepositoriesOutput => InputKind::DescribeRepositoriesOutput,
            core::InputKind::GetRegistryScanningConfigurationOutput => {
                InputKind::GetRegistryScanningConfigurationOutput
            }
            core::InputKind::BatchGetRepositoryScanningConfigurationOutput => {
                InputKind::BatchGetRepositoryScanningConfigurationOutput
            }
            core::InputKind::LifecyclePolicy => InputKind::LifecyclePolicy,
            core::InputKind::GetLifecyclePolicyOutput => InputKind::GetLifecyclePolicyOutput,
            core::InputKind::Terraform => InputKind::Terraform,
            core::InputKind::TerraformPlan => InputKind::TerraformPlan,
            // Only `ecrlint audit` writes a live region; no text is taken for one.
            core::InputKind::LiveRegion => InputKind::Other,
            core::InputKind::Other => InputKind::Other,
        }
    }
}

/// Checks a text. `file_name` only hints at the format (`.json`, `.yaml`); the kind of input is
/// decided from the content.
pub fn check(
    text: &str,
    settings: &Settings,
    file_name: Option<&str>,
) -> Result<CheckResult, InvalidSettings> {
    let settings = settings.to_core()?;
    let checked = core::check(text, file_name, &settings);
    Ok(check_result(text, &checked))
}

/// Applies every safe fix (and the unsafe ones when asked), in rounds, as `ecrlint check --fix`.
pub fn fix(
    text: &str,
    settings: &Settings,
    options: FixOptions,
    file_name: Option<&str>,
) -> Result<FixResult, InvalidSettings> {
    let settings = settings.to_core()?;
    let fixed = core::fix(
        text,
        file_name,
        &settings,
        options.unsafe_fixes.unwrap_or(false),
    );
    Ok(FixResult {
        remaining: check_result(&fixed.text, &fixed.remaining),
        applied: fixed
            .applied
            .into_iter()
            .map(|applied| AppliedFix {
                code: applied.code.to_string(),
                title: applied.title,
            })
            .collect(),
        text: fixed.text,
    })
}

pub fn rules() -> Vec<Rule> {
    core::rules()
        .iter()
        .map(|rule| Rule {
            code: rule.code.to_string(),
            name: rule.name.to_string(),
            severity: Severity::of(rule.severity),
            summary: rule.summary.to_string(),
            explanation: rule.explanation.to_string(),
            covers: rule.covers.iter().map(|c| c.to_string()).collect(),
            fix: match rule.fix {
                core::rules::FixAvailability::None => FixAvailability::None,
                core::rules::FixAvailability::Sometimes => FixAvailability::Sometimes,
                core::rules::FixAvailability::Always => FixAvailability::Always,
            },
            url: core::rule_url(rule.code),
        })
        .collect()
}

fn check_result(text: &str, checked: &core::Checked) -> CheckResult {
    let positions = Positions::new(text);
    CheckResult {
        kind: InputKind::of(checked.kind),
        kind_description: checked.kind.describe().to_string(),
        format: match checked.format {
            core::Format::Yaml => Format::Yaml,
            core::Format::Json => Format::Json,
            core::Format::Hcl => Format::Hcl,
        },
        parsed: checked.parsed,
        findings: checked
            .diagnostics
            .iter()
            .map(|d| finding(&positions, d))
            .collect(),
    }
}

fn finding(positions: &Positions<'_>, diagnostic: &core::Diagnostic) -> Finding {
    Finding {
        code: diagnostic.code.to_string(),
        name: diagnostic.name.to_string(),
        severity: Severity::of(diagnostic.severity),
        message: diagnostic.message.clone(),
        range: positions.range(diagnostic.range),
        start: positions.position(diagnostic.range.start),
        end: positions.position(diagnostic.range.end),
        url: core::rule_url(diagnostic.code),
        fix: diagnostic.fix.as_ref().map(|fix| Fix {
            title: fix.title.clone(),
            applicability: match fix.applicability {
                core::Applicability::Safe => Applicability::Safe,
                core::Applicability::Unsafe => Applicability::Unsafe,
            },
            edits: fix
                .edits
                .iter()
                .map(|edit| Edit {
                    range: positions.range(edit.range),
                    content: edit.content.clone(),
                })
                .collect(),
        }),
        related: diagnostic
            .related
            .iter()
            .map(|related| RelatedInformation {
                range: positions.range(related.range),
                start: positions.position(related.range.start),
                end: positions.position(related.range.end),
                message: related.message.clone(),
            })
            .collect(),
    }
}
