//! One `Settings` type for every face: read from `ecrlint.toml`, from LSP JSON, from a JS object.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Severity;
use crate::rules::RuleMeta;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct Settings {
    /// Rules to run, by code, code prefix (`ECR1`) or name; `None` runs every rule that is on by
    /// default (`ALL` runs the opt-in ones too).
    pub select: Option<Vec<String>>,
    /// Rules not to run, same forms as `select`.
    pub ignore: Vec<String>,
    /// The AWS account that owns the repositories, used by fixes that replace `Principal: "*"`
    /// outside a template (where `${AWS::AccountId}` is not available).
    #[serde(alias = "accountId")]
    pub account_id: Option<String>,
    /// Severity overrides by rule code or name.
    pub severity: BTreeMap<String, Severity>,
    /// AWS accounts a policy may name besides the owner (ECR103 is silent while this is empty).
    #[serde(alias = "trustedAccounts")]
    pub trusted_accounts: Vec<String>,
    /// Where the registry's scanning configuration is, when the checked source does not hold it.
    #[serde(alias = "registryScanning")]
    pub registry_scanning: RegistryScanningSetting,
}

/// What to assume about a registry scanning configuration the checked source does not hold.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RegistryScanningSetting {
    /// Nothing: a repository is judged by its own scan-on-push setting.
    #[default]
    Unknown,
    /// A registry scanning configuration elsewhere scans every repository.
    CoversAll,
}

impl Settings {
    /// Whether a rule runs under these settings.
    pub fn enabled(&self, rule: &RuleMeta) -> bool {
        let selected = match &self.select {
            None => rule.default,
            Some(select) => select.iter().any(|s| rule.matches(s)),
        };
        selected && !self.ignore.iter().any(|s| rule.matches(s))
    }

    pub fn severity_of(&self, rule: &RuleMeta) -> Severity {
        self.severity
            .iter()
            .find(|(key, _)| key.as_str() == rule.code || key.as_str() == rule.name)
            .map_or(rule.severity, |(_, &severity)| severity)
    }

    /// Problems with the settings themselves: unknown rule selectors, a malformed account id.
    pub fn validate(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let selectors = self
            .select
            .iter()
            .flatten()
            .chain(&self.ignore)
            .chain(self.severity.keys());
        for selector in selectors {
            if !crate::rules::rules().iter().any(|r| r.matches(selector)) {
                problems.push(format!("unknown rule `{selector}`"));
            }
        }
        if let Some(id) = &self.account_id {
            if !is_account_id(id) {
                problems.push(format!("account id `{id}` is not 12 digits"));
            }
        }
        for id in &self.trusted_accounts {
            if !is_account_id(id) {
                problems.push(format!("trusted account `{id}` is not 12 digits"));
            }
        }
        problems
    }
}

pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}
