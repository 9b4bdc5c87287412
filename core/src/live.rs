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
    w.object(|w| {
        w.field("account", &region.account);
        w.field("region", &region.region);
        w.key("registry");
        let start = w.at();
        w.object(|w| registry(w, region));
        places.push((start, w.at()));
        w.key("repositories");
        w.array(&region.repositories, |w, r| {
            let start = w.at();
            w.object(|w| repository(w, r));
            places.push((start, w.at()));
        });
        w.gaps(&region.gaps);
    });
    Written {
        text: w.out,
        places,
    }
}

/// The members of the registry's object.
fn registry(w: &mut Json, region: &Region) {
    let registry = &region.registry;
    w.field("registryId", &region.account);
    if let Some(policy) = &registry.policy {
        w.field("policyText", policy);
    }
    if let Some(scanning) = &registry.scanning {
        w.key("scanningConfiguration");
        w.object(|w| {
            w.field("scanType", &scanning.scan_type);
            w.key("rules");
            w.array(&scanning.rules, |w, rule| {
                w.object(|w| {
                    w.field("scanFrequency", &rule.frequency);
                    w.filters("repositoryFilters", &rule.filters);
                });
            });
        });
    }
    if let Some(destinations) = &registry.replication {
        w.key("replicationConfiguration");
        w.object(|w| {
            w.key("rules");
            w.array([destinations], |w, destinations| {
                w.object(|w| {
                    w.key("destinations");
                    w.array(destinations, |w, d| {
                        w.object(|w| {
                            w.field("region", &d.region);
                            w.field("registryId", &d.registry_id);
                        });
                    });
                });
            });
        });
    }
    w.gaps(&registry.gaps);
}

/// The members of a repository's object.
fn repository(w: &mut Json, r: &Repository) {
    w.field("repositoryArn", &r.arn);
    w.field("registryId", &r.registry_id);
    w.field("repositoryName", &r.name);
    if let Some(mutability) = &r.tag_mutability {
        w.field("imageTagMutability", mutability);
    }
    if !r.exclusion_filters.is_empty() {
        w.filters("imageTagMutabilityExclusionFilters", &r.exclusion_filters);
    }
    if let Some(scan) = r.scan_on_push {
        w.key("imageScanningConfiguration");
        w.object(|w| {
            w.key("scanOnPush");
            w.raw(if scan { "true" } else { "false" });
        });
    }
    if let Some(frequency) = &r.scan_frequency {
        w.field("scanFrequency", frequency);
    }
    if r.encryption_type.is_some() || r.kms_key.is_some() {
        w.key("encryptionConfiguration");
        w.object(|w| {
            if let Some(t) = &r.encryption_type {
                w.field("encryptionType", t);
            }
            if let Some(k) = &r.kms_key {
                w.field("kmsKey", k);
            }
        });
    }
    for (key, read) in [
        ("policyText", &r.policy),
        ("lifecyclePolicyText", &r.lifecycle_policy),
    ] {
        match read {
            Read::Text(text) => w.field(key, text),
            Read::None => {
                w.key(key);
                w.raw("null");
            }
            Read::NotRead => {}
        }
    }
    w.gaps(&r.gaps);
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

    /// `{`, the members `body` writes, `}`.
    fn object(&mut self, body: impl FnOnce(&mut Self)) {
        self.open('{');
        body(self);
        self.close('}');
    }

    /// `[`, each of `items` as `each` writes it, `]`.
    fn array<T>(&mut self, items: impl IntoIterator<Item = T>, mut each: impl FnMut(&mut Self, T)) {
        self.open('[');
        for item in items {
            self.separator();
            each(self, item);
        }
        self.close(']');
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

    /// A member whose value is a string.
    fn field(&mut self, key: &str, value: &str) {
        self.key(key);
        self.string(value);
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

    /// `key: [{"filter": …, "filterType": "WILDCARD"}, …]`.
    fn filters(&mut self, key: &str, filters: &[String]) {
        self.key(key);
        self.array(filters, |w, filter| {
            w.object(|w| {
                w.field("filter", filter);
                w.field("filterType", "WILDCARD");
            });
        });
    }

    fn gaps(&mut self, gaps: &[Gap]) {
        if gaps.is_empty() {
            return;
        }
        self.key("gaps");
        self.array(gaps, |w, gap| {
            w.object(|w| {
                w.field("call", &gap.call);
                w.field("resource", &gap.resource);
                w.field("message", &gap.message);
            });
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A region with every field the audit reads set somewhere, two repositories and gaps.
    fn region() -> Region {
        let gap = |call: &str, resource: &str| Gap {
            call: call.into(),
            resource: resource.into(),
            message: "AccessDenied: \"not allowed\"\n".into(),
        };
        Region {
            account: "123456789012".into(),
            partition: "aws".into(),
            region: "eu-west-1".into(),
            role: None,
            registry: Registry {
                policy: Some(r#"{"Statement": []}"#.into()),
                scanning: Some(RegistryScanning {
                    scan_type: "BASIC".into(),
                    rules: vec![ScanningRule {
                        frequency: "SCAN_ON_PUSH".into(),
                        filters: vec!["prod-*".into(), "*".into()],
                    }],
                }),
                replication: Some(vec![ReplicationDestination {
                    region: "us-east-1".into(),
                    registry_id: "210987654321".into(),
                }]),
                gaps: vec![gap(
                    "ecr:DescribeRegistry",
                    "arn:aws:ecr:eu-west-1:123456789012:registry",
                )],
            },
            repositories: vec![
                Repository {
                    name: "team/app".into(),
                    arn: "arn:aws:ecr:eu-west-1:123456789012:repository/team/app".into(),
                    registry_id: "123456789012".into(),
                    tag_mutability: Some("MUTABLE_WITH_EXCLUSION".into()),
                    exclusion_filters: vec!["release-*".into()],
                    scan_on_push: Some(false),
                    scan_frequency: Some("MANUAL".into()),
                    encryption_type: Some("KMS".into()),
                    kms_key: Some("arn:aws:kms:eu-west-1:123456789012:key/k".into()),
                    policy: Read::Text("{\"Version\": \"2012-10-17\"}".into()),
                    lifecycle_policy: Read::None,
                    gaps: Vec::new(),
                },
                Repository {
                    name: "bare".into(),
                    arn: "arn:aws:ecr:eu-west-1:123456789012:repository/bare".into(),
                    registry_id: "123456789012".into(),
                    gaps: vec![gap(
                        "ecr:GetLifecyclePolicy",
                        "arn:aws:ecr:eu-west-1:123456789012:repository/bare",
                    )],
                    ..Repository::default()
                },
            ],
            gaps: vec![gap("ecr:DescribeRepositories", "eu-west-1")],
        }
    }

    #[test]
    fn a_region_is_written_in_the_apis_shapes_with_each_resources_place() {
        let region = region();
        let written = write(&region);
        insta::assert_snapshot!(written.text);
        let placed: Vec<&str> = written
            .places
            .iter()
            .map(|&(start, end)| &written.text[start as usize..end as usize])
            .map(|object| object.lines().nth(1).unwrap_or(""))
            .collect();
        assert_eq!(
            placed,
            [
                "\"registryId\": \"123456789012\",",
                "\"repositoryArn\": \"arn:aws:ecr:eu-west-1:123456789012:repository/team/app\",",
                "\"repositoryArn\": \"arn:aws:ecr:eu-west-1:123456789012:repository/bare\",",
            ]
        );
        // What is written is JSON, and reads back to the same places.
        assert_eq!(places_in(&[], &written.text), written.places);
    }
}
