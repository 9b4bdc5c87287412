//! A live account's ECR configuration as plain data — what `ecrlint audit` read through the AWS
//! API for one region — judged by the same rules as a template: written as one JSON document
//! (the shapes the AWS API answers with), lowered by `adapt::live`, checked by the engine. Each
//! finding names the resource it is about, and its remedy is the `aws ecr` commands that change
//! it, with the corrected policy document for `set-repository-policy` / `put-registry-policy`
//! (the policy's own text with the safe fixes applied).

use serde::Serialize;

use crate::adapt::InputKind;
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::{self, Checked};
use crate::settings::Settings;
use crate::syntax::{self, Format, Node};

/// One region of one account, as read.
#[derive(Clone, Debug, Default)]
pub struct Region {
    pub account: String,
    /// `aws`, `aws-cn`, `aws-us-gov`.
    pub partition: String,
    pub region: String,
    /// The role assumed in the account to read it (`--accounts`); `None` when it was read with
    /// the caller's own credentials.
    pub role: Option<String>,
    pub registry: Registry,
    pub repositories: Vec<Repository>,
    /// Reads of the region as a whole that failed (`DescribeRepositories`, a region that is not
    /// enabled).
    pub gaps: Vec<Gap>,
}

/// The registry's own settings.
#[derive(Clone, Debug, Default)]
pub struct Registry {
    /// The registry policy's text; `None` when there is none or it was not read (a gap says so).
    pub policy: Option<String>,
    pub scanning: Option<RegistryScanning>,
    /// Replication destinations; `None` when not read.
    pub replication: Option<Vec<ReplicationDestination>>,
    pub gaps: Vec<Gap>,
}

#[derive(Clone, Debug, Default)]
pub struct RegistryScanning {
    /// `BASIC` or `ENHANCED`.
    pub scan_type: String,
    pub rules: Vec<ScanningRule>,
}

#[derive(Clone, Debug, Default)]
pub struct ScanningRule {
    /// `SCAN_ON_PUSH`, `CONTINUOUS_SCAN` or `MANUAL`.
    pub frequency: String,
    /// `WILDCARD` filters on repository names.
    pub filters: Vec<String>,
}

#[derive(Clone, Debug, Default)]
pub struct ReplicationDestination {
    pub region: String,
    pub registry_id: String,
}

/// A policy as read: its text, none at all, or not read (a gap says why).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Read {
    Text(String),
    None,
    #[default]
    NotRead,
}

/// A repository as `describe-repositories` describes it, with what the other calls add.
#[derive(Clone, Debug, Default)]
pub struct Repository {
    pub name: String,
    pub arn: String,
    pub registry_id: String,
    /// `MUTABLE`, `IMMUTABLE`, `MUTABLE_WITH_EXCLUSION`, `IMMUTABLE_WITH_EXCLUSION`.
    pub tag_mutability: Option<String>,
    pub exclusion_filters: Vec<String>,
    pub scan_on_push: Option<bool>,
    /// The scan frequency in effect (`batch-get-repository-scanning-configuration`).
    pub scan_frequency: Option<String>,
    pub encryption_type: Option<String>,
    pub kms_key: Option<String>,
    pub policy: Read,
    pub lifecycle_policy: Read,
    pub gaps: Vec<Gap>,
}

/// A read that failed: the call, the resource it was about, and what AWS answered.
#[derive(Clone, Debug, Default)]
pub struct Gap {
    /// `ecr:GetRepositoryPolicy`.
    pub call: String,
    /// The resource's ARN (the region's registry pseudo-ARN for a read of the whole region).
    pub resource: String,
    pub message: String,
}

/// What a finding is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Resource {
    /// The repository's ARN, or the registry's pseudo-ARN `arn:aws:ecr:REGION:ACCOUNT:registry`.
    pub arn: String,
    pub account: String,
    pub region: String,
    /// The repository's name; `None` for the registry.
    pub name: Option<String>,
}

/// A corrected policy document, for the command that sets it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CorrectedPolicy {
    /// Where the commands expect it, relative to the remediation script.
    pub file: String,
    pub text: String,
}

/// One finding of the audit.
#[derive(Clone, Debug, Serialize)]
pub struct LiveFinding {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    pub resource: Resource,
    /// The `aws ecr` commands that fix it (none when there is no safe remedy).
    pub commands: Vec<String>,
    /// The corrected policy document the commands set.
    pub policy: Option<CorrectedPolicy>,
}

impl Region {
    /// The registry's pseudo-ARN.
    pub fn registry_arn(&self) -> String {
        registry_arn(&self.partition, &self.region, &self.account)
    }
}

pub fn registry_arn(partition: &str, region: &str, account: &str) -> String {
    let partition = if partition.is_empty() {
        "aws"
    } else {
        partition
    };
    format!("arn:{partition}:ecr:{region}:{account}:registry")
}

/// Judges one region: its findings, registry findings first, then each repository's in the
/// order read.
pub fn audit(region: &Region, settings: &Settings) -> Vec<LiveFinding> {
    let written = write(region);
    let check = |text: &str| -> Checked {
        let document = syntax::parse(text, Format::Json);
        engine::check_as(
            text,
            &document,
            document.format,
            settings,
            Some(InputKind::LiveRegion),
        )
    };
    let checked = check(&written.text);
    // The policies corrected by every safe fix, and what they still have (nothing to do when
    // no finding has a fix).
    let mut corrected = vec![None; region.repositories.len() + 1];
    let mut remaining: Vec<(usize, &str)> = Vec::new();
    if checked.diagnostics.iter().any(|d| d.fix.is_some()) {
        let fixed = engine::fix_with(&written.text, check, false);
        corrected = corrected_policies(region, &fixed.text);
        let fixed_places = places_in(&written.places, &fixed.text);
        remaining = fixed
            .remaining
            .diagnostics
            .iter()
            .map(|d| (owner_in(&fixed_places, d), d.code))
            .collect();
    }
    let mut findings: Vec<(usize, LiveFinding)> = checked
        .diagnostics
        .into_iter()
        .map(|d| {
            let owner = owner_in(&written.places, &d);
            let cleared = !remaining.contains(&(owner, d.code));
            (owner, finding(region, d, owner, &corrected, cleared))
        })
        .collect();
    findings.sort_by_key(|(owner, _)| *owner);
    findings.into_iter().map(|(_, f)| f).collect()
}

fn finding(
    region: &Region,
    diagnostic: Diagnostic,
    owner: usize,
    corrected: &[Option<CorrectedPolicy>],
    cleared: bool,
) -> LiveFinding {
    let repository = owner.checked_sub(1).map(|i| &region.repositories[i]);
    let resource = Resource {
        arn: repository.map_or_else(|| region.registry_arn(), |r| r.arn.clone()),
        account: region.account.clone(),
        region: region.region.clone(),
        name: repository.map(|r| r.name.clone()),
    };
    let mut message = diagnostic.message;
    let mut commands: Vec<String> = diagnostic.command.into_iter().collect();
    let mut policy = None;
    // A finding inside a policy that the corrected document clears.
    if let (Some(_), Some(Some(document)), true) = (&diagnostic.fix, corrected.get(owner), cleared)
    {
        let command = match repository {
            Some(r) => format!(
                "aws ecr set-repository-policy --repository-name {} --registry-id {} --region {} --policy-text file://{}",
                r.name, r.registry_id, region.region, document.file
            ),
            None => format!(
                "aws ecr put-registry-policy --region {} --policy-text file://{}",
                region.region, document.file
            ),
        };
        message.push_str(&format!(
            "; run `{command}` with the corrected policy (--fix-script writes it)"
        ));
        commands.push(command);
        policy = Some(document.clone());
    }
    LiveFinding {
        code: diagnostic.code,
        name: diagnostic.name,
        severity: diagnostic.severity,
        message,
        resource,
        commands,
        policy,
    }
}

/// The written document, with where each repository's object lies in it.
struct Written {
    text: String,
    /// `(start, end)` of the registry's object (index 0) and of each repository's (index i + 1).
    places: Vec<(u32, u32)>,
}

/// Which resource a finding is about: 0 the registry (and the region as a whole), i + 1 the
/// repository i.
fn owner_in(places: &[(u32, u32)], diagnostic: &Diagnostic) -> usize {
    let at = diagnostic.range.start;
    places
        .iter()
        .enumerate()
        .skip(1)
        .find(|(_, (start, end))| *start <= at && at < *end)
        .map_or(0, |(i, _)| i)
}

/// The places of the resources in a fixed text: read again from its tree.
fn places_in(original: &[(u32, u32)], text: &str) -> Vec<(u32, u32)> {
    let document = syntax::parse(text, Format::Json);
    let Some(root) = &document.root else {
        return original.to_vec();
    };
    let mut places = vec![root
        .get("registry")
        .map_or((0, 0), |r| (r.range.start, r.range.end))];
    let listed = root.get("repositories").and_then(Node::as_sequence);
    for node in listed.into_iter().flat_map(|l| &l.items) {
        places.push((node.range.start, node.range.end));
    }
    places
}

/// The policies the safe fixes changed: index 0 the registry's, i + 1 repository i's.
fn corrected_policies(region: &Region, fixed: &str) -> Vec<Option<CorrectedPolicy>> {
    let document = syntax::parse(fixed, Format::Json);
    let mut corrected = vec![None; region.repositories.len() + 1];
    let Some(root) = &document.root else {
        return corrected;
    };
    let text_of = |node: Option<&Node>| {
        node.and_then(|n| n.get("policyText"))
            .and_then(Node::as_str)
            .map(str::to_string)
    };
    let stem = format!("{}-{}", region.account, region.region);
    if let (Some(text), Some(before)) = (text_of(root.get("registry")), &region.registry.policy) {
        if &text != before {
            corrected[0] = Some(CorrectedPolicy {
                file: format!("policies/{stem}.registry-policy.json"),
                text,
            });
        }
    }
    let listed = root.get("repositories").and_then(Node::as_sequence);
    for (i, node) in listed.into_iter().flat_map(|l| &l.items).enumerate() {
        let Some(repository) = region.repositories.get(i) else {
            break;
        };
        if let (Some(text), Read::Text(before)) = (text_of(Some(node)), &repository.policy) {
            if &text != before {
                corrected[i + 1] = Some(CorrectedPolicy {
                    file: format!(
                        "policies/{stem}.repository.{}.json",
                        repository.name.replace('/', "+")
                    ),
                    text,
                });
            }
        }
    }
    corrected
}

/// The region as one JSON document in the shapes the AWS API answers with.
fn write(region: &Region) -> Written {
    let mut w = Json::default();
    let mut places = Vec::new();
    w.open('{');
    w.key("account");
    w.string(&region.account);
    w.key("region");
    w.string(&region.region);
    w.key("registry");
    let start = w.at();
    w.open('{');
    w.key("registryId");
    w.string(&region.account);
    if let Some(policy) = &region.registry.policy {
        w.key("policyText");
        w.string(policy);
    }
    if let Some(scanning) = &region.registry.scanning {
        w.key("scanningConfiguration");
        w.open('{');
        w.key("scanType");
        w.string(&scanning.scan_type);
        w.key("rules");
        w.open('[');
        for rule in &scanning.rules {
            w.item();
            w.open('{');
            w.key("scanFrequency");
            w.string(&rule.frequency);
            w.key("repositoryFilters");
            w.open('[');
            for filter in &rule.filters {
                w.item();
                w.open('{');
                w.key("filter");
                w.string(filter);
                w.key("filterType");
                w.string("WILDCARD");
                w.close('}');
            }
            w.close(']');
            w.close('}');
        }
        w.close(']');
        w.close('}');
    }
    if let Some(destinations) = &region.registry.replication {
        w.key("replicationConfiguration");
        w.open('{');
        w.key("rules");
        w.open('[');
        w.item();
        w.open('{');
        w.key("destinations");
        w.open('[');
        for d in destinations {
            w.item();
            w.open('{');
            w.key("region");
            w.string(&d.region);
            w.key("registryId");
            w.string(&d.registry_id);
            w.close('}');
        }
        w.close(']');
        w.close('}');
        w.close(']');
        w.close('}');
    }
    w.gaps(&region.registry.gaps);
    w.close('}');
    places.push((start, w.at()));
    w.key("repositories");
    w.open('[');
    for r in &region.repositories {
        w.item();
        let start = w.at();
        w.open('{');
        w.key("repositoryArn");
        w.string(&r.arn);
        w.key("registryId");
        w.string(&r.registry_id);
        w.key("repositoryName");
        w.string(&r.name);
        if let Some(mutability) = &r.tag_mutability {
            w.key("imageTagMutability");
            w.string(mutability);
        }
        if !r.exclusion_filters.is_empty() {
            w.key("imageTagMutabilityExclusionFilters");
            w.open('[');
            for filter in &r.exclusion_filters {
                w.item();
                w.open('{');
                w.key("filter");
                w.string(filter);
                w.key("filterType");
                w.string("WILDCARD");
                w.close('}');
            }
            w.close(']');
        }
        if let Some(scan) = r.scan_on_push {
            w.key("imageScanningConfiguration");
            w.open('{');
            w.key("scanOnPush");
            w.raw(if scan { "true" } else { "false" });
            w.close('}');
        }
        if let Some(frequency) = &r.scan_frequency {
            w.key("scanFrequency");
            w.string(frequency);
        }
        if r.encryption_type.is_some() || r.kms_key.is_some() {
            w.key("encryptionConfiguration");
            w.open('{');
            if let Some(t) = &r.encryption_type {
                w.key("encryptionType");
                w.string(t);
            }
            if let Some(k) = &r.kms_key {
                w.key("kmsKey");
                w.string(k);
            }
            w.close('}');
        }
        for (key, read) in [
            ("policyText", &r.policy),
            ("lifecyclePolicyText", &r.lifecycle_policy),
        ] {
            match read {
                Read::Text(text) => {
                    w.key(key);
                    w.string(text);
                }
                Read::None => {
                    w.key(key);
                    w.raw("null");
                }
                Read::NotRead => {}
            }
        }
        w.gaps(&r.gaps);
        w.close('}');
        places.push((start, w.at()));
    }
    w.close(']');
    w.gaps(&region.gaps);
    w.close('}');
    Written {
        text: w.out,
        places,
    }
}

/// A compact JSON writer, one line per member.
#[derive(Default)]
struct Json {
    out: String,
    /// Whether the container being written has a member yet.
    first: Vec<bool>,
}

impl Json {
    fn at(&self) -> u32 {
        crate::text::to_u32(self.out.len())
    }

    fn open(&mut self, bracket: char) {
        self.out.push(bracket);
        self.first.push(true);
    }

    fn close(&mut self, bracket: char) {
        self.first.pop();
        self.out.push('\n');
        self.out.push(bracket);
    }

    fn separator(&mut self) {
        if let Some(first) = self.first.last_mut() {
            if !*first {
                self.out.push(',');
            }
            *first = false;
        }
        self.out.push('\n');
    }

    fn key(&mut self, key: &str) {
        self.separator();
        self.string(key);
        self.out.push_str(": ");
    }

    fn item(&mut self) {
        self.separator();
    }

    fn raw(&mut self, text: &str) {
        self.out.push_str(text);
    }

    fn string(&mut self, text: &str) {
        self.out.push('"');
        for c in text.chars() {
            match c {
                '"' => self.out.push_str("\\\""),
                '\\' => self.out.push_str("\\\\"),
                '\n' => self.out.push_str("\\n"),
                '\r' => self.out.push_str("\\r"),
                '\t' => self.out.push_str("\\t"),
                c if (c as u32) < 0x20 => self.out.push_str(&format!("\\u{:04x}", c as u32)),
                c => self.out.push(c),
            }
        }
        self.out.push('"');
    }

    fn gaps(&mut self, gaps: &[Gap]) {
        if gaps.is_empty() {
            return;
        }
        self.key("gaps");
        self.open('[');
        for gap in gaps {
            self.item();
            self.open('{');
            self.key("call");
            self.string(&gap.call);
            self.key("resource");
            self.string(&gap.resource);
            self.key("message");
            self.string(&gap.message);
            self.close('}');
        }
        self.close(']');
    }
}
