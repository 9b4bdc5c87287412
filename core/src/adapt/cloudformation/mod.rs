//! CloudFormation and SAM templates (YAML or JSON) into the model: `AWS::ECR::Repository`,
//! `AWS::ECR::RepositoryCreationTemplate`, `AWS::ECR::RegistryPolicy`,
//! `AWS::ECR::RegistryScanningConfiguration` and `AWS::ECR::ReplicationConfiguration`, every value
//! evaluated through the intrinsic functions (`template.rs`).

mod template;

pub use template::{intrinsic, Parameter, Resource, Template};

use super::resolve::{Evaluated, Literal, Resolve};
use super::{
    text_candidate, written_at, InputKind, Lowering, OwnerForm, ParameterUse, Site, Target,
};
use crate::diagnostic::Related;
use crate::model::{
    Candidate, CreationTemplate, Encryption, Known, LifecyclePolicy, Policy, RegistryScanning,
    Replication, ReplicationDestination, Repository, RepositoryKind, ScanningRule, TagMutability,
    Value,
};
use crate::syntax::write::Writer;
use crate::syntax::{Format, Node};
use crate::text::Text;

const TAG_MUTABILITY: &str = "ImageTagMutability";
pub(super) const EXCLUSION_FILTERS: &str = "ImageTagMutabilityExclusionFilters";
pub(super) const SCANNING: &str = "ImageScanningConfiguration";
pub(super) const SCAN_ON_PUSH: &str = "ScanOnPush";

pub(super) fn detect(root: &Node) -> Option<InputKind> {
    if root.get("Transform").is_some_and(mentions_sam) {
        return Some(InputKind::SamTemplate);
    }
    let resources_look_like_cfn = root
        .get("Resources")
        .and_then(Node::as_mapping)
        .is_some_and(|r| {
            r.entries.iter().any(|e| {
                e.value
                    .get("Type")
                    .and_then(Node::as_str)
                    .is_some_and(|t| t.contains("::") || t.starts_with("Custom"))
            })
        });
    (root.get("AWSTemplateFormatVersion").is_some() || resources_look_like_cfn)
        .then_some(InputKind::CloudformationTemplate)
}

fn mentions_sam(transform: &Node) -> bool {
    match transform.as_sequence() {
        Some(list) => list.items.iter().any(mentions_sam),
        None => transform
            .as_str()
            .is_some_and(|t| t.starts_with("AWS::Serverless")),
    }
}

fn is_repository(type_name: &str) -> bool {
    matches!(
        type_name,
        "AWS::ECR::Repository" | "AWS::ECR::RepositoryCreationTemplate"
    )
}

pub(super) fn lower<'a>(template: &Template<'a>, format: Format, lowering: &mut Lowering<'a>) {
    let site = lowering.site(Site {
        writer: Writer::new(lowering.source, format),
        owner: OwnerForm::Template,
    });
    let mut adapter = Adapter {
        template,
        site,
        lowering,
    };
    // At their exact number: a model of 100,000 repositories grown by doubling peaked at twice
    // its size.
    let repositories = template
        .resources
        .iter()
        .filter(|r| is_repository(r.type_name))
        .count();
    adapter
        .lowering
        .model
        .repositories
        .reserve_exact(repositories);
    for resource in &template.resources {
        match resource.type_name {
            name if is_repository(name) => {
                let repository = adapter.repository(resource);
                adapter.lowering.model.repositories.push(repository);
            }
            "AWS::ECR::RegistryPolicy" => {
                if let Some(text) = resource.properties.and_then(|p| p.get("PolicyText")) {
                    let policy = adapter.policy(text, "PolicyText");
                    adapter.lowering.model.registry.policies.push(policy);
                }
            }
            "AWS::ECR::RegistryScanningConfiguration" => {
                let scanning = adapter.registry_scanning(resource);
                adapter.lowering.model.registry.scanning.push(scanning);
            }
            "AWS::ECR::ReplicationConfiguration" => {
                let replication = adapter.replication(resource);
                adapter
                    .lowering
                    .model
                    .registry
                    .replication
                    .push(replication);
            }
            _ => {}
        }
    }
}

struct Adapter<'t, 'a, 'l> {
    template: &'t Template<'a>,
    /// The template's own text, where structure is written.
    site: usize,
    lowering: &'l mut Lowering<'a>,
}

impl<'a> Adapter<'_, 'a, '_> {
    fn repository(&mut self, resource: &Resource<'a>) -> Repository {
        let properties = resource.properties;
        let get = |key: &str| properties.and_then(|p| p.get(key));
        let creation_template = resource.type_name == "AWS::ECR::RepositoryCreationTemplate";
        let kind = if creation_template {
            RepositoryKind::CreationTemplate(Box::new(CreationTemplate {
                prefix: get("Prefix").map(|p| self.text(p, "Prefix")),
                applied_for: self.texts(get("AppliedFor"), "AppliedFor"),
            }))
        } else {
            RepositoryKind::Repository
        };
        let (policy_key, lifecycle_key, lifecycle) = if creation_template {
            (
                "RepositoryPolicy",
                "LifecyclePolicy",
                get("LifecyclePolicy"),
            )
        } else {
            (
                "RepositoryPolicyText",
                "LifecyclePolicyText",
                get("LifecyclePolicy").and_then(|l| l.get("LifecyclePolicyText")),
            )
        };
        let encryption = get("EncryptionConfiguration");
        let filters = get(EXCLUSION_FILTERS)
            .and_then(Node::as_sequence)
            .map(|s| {
                s.items
                    .iter()
                    .filter_map(|f| f.get("ImageTagMutabilityExclusionFilterValue"))
                    .map(|v| self.text(v, "ImageTagMutabilityExclusionFilterValue"))
                    .collect()
            })
            .unwrap_or_default();
        let anchor = self.lowering.anchor(Target::Properties {
            site: self.site,
            properties,
        });
        Repository {
            kind,
            at: resource.id_range,
            deployed: None,
            name: get("RepositoryName").map(|n| self.text(n, "RepositoryName")),
            tag_mutability: self.tag_mutability(resource),
            exclusion_filters: filters,
            // A creation template has no scanning settings.
            scan_on_push: if creation_template {
                Value::new(SCAN_ON_PUSH)
            } else {
                self.scan_on_push(resource)
            },
            scan_frequency: None,
            encryption: Encryption {
                // Not written: AES256, anchored where the configuration (or the resource) is.
                encryption_type: match encryption.and_then(|e| e.get("EncryptionType")) {
                    Some(t) => self.text(t, "EncryptionType"),
                    None => Value::default_at(
                        "EncryptionType",
                        Text::from("AES256"),
                        encryption.map_or(resource.id_range, |e| e.range),
                    ),
                },
                kms_key: encryption
                    .and_then(|e| e.get("KmsKey"))
                    .map(|k| self.text(k, "KmsKey")),
            },
            lifecycle_policy: match lifecycle {
                Some(l) => self.lifecycle_policy(l, lifecycle_key),
                None => Value::default_at("LifecyclePolicy", None, resource.id_range),
            },
            policy: get(policy_key).map(|p| self.policy(p, policy_key)),
            anchor,
        }
    }

    /// `ImageTagMutability`: missing means `MUTABLE`, anchored at the logical id; a value AWS
    /// rejects is reported here.
    fn tag_mutability(&mut self, resource: &Resource<'a>) -> Value<TagMutability> {
        let Some(value) = resource.properties.and_then(|p| p.get(TAG_MUTABILITY)) else {
            let anchor = self.lowering.anchor(Target::Missing {
                site: self.site,
                setting: TAG_MUTABILITY,
                resource: resource.node,
                properties: resource.properties,
            });
            return super::unwritten_mutability(TAG_MUTABILITY, resource.id_range, anchor);
        };
        let candidates = self.template.resolve(value);
        let template = self.template;
        super::tag_mutability(
            self.lowering,
            self.site,
            TAG_MUTABILITY,
            "CloudFormation",
            candidates,
            &|via| parameter_use(template, via, TagMutability::Immutable.as_str()),
        )
    }

    /// `ImageScanningConfiguration.ScanOnPush`: missing means `false`, anchored at the logical
    /// id, where a remedy writes the setting (or the whole configuration).
    fn scan_on_push(&mut self, resource: &Resource<'a>) -> Value<bool> {
        let configuration = resource.properties.and_then(|p| p.get(SCANNING));
        if let Some(configuration) = configuration.filter(|c| c.as_mapping().is_none()) {
            // `!If` between configurations, a `!Ref`: not followed into structure here.
            return Value::one(
                SCAN_ON_PUSH,
                Candidate {
                    state: Known::Unknown(format!(
                        "`{SCANNING}` is not written as a mapping ecrlint can read"
                    )),
                    origin: written_at(configuration, None),
                },
            );
        }
        let Some(value) = configuration.and_then(|c| c.get(SCAN_ON_PUSH)) else {
            let anchor = self.lowering.anchor(match configuration {
                Some(configuration) => Target::Missing {
                    site: self.site,
                    setting: SCAN_ON_PUSH,
                    resource: resource.node,
                    properties: Some(configuration),
                },
                None => Target::Missing {
                    site: self.site,
                    setting: SCANNING,
                    resource: resource.node,
                    properties: resource.properties,
                },
            });
            return super::unwritten_scan_on_push(SCAN_ON_PUSH, resource.id_range, anchor);
        };
        let candidates = self.template.resolve(value);
        let template = self.template;
        super::scan_on_push(
            self.lowering,
            self.site,
            SCAN_ON_PUSH,
            "CloudFormation",
            candidates,
            &|via| parameter_use(template, via, "true"),
        )
    }

    /// A policy given as structure (intrinsics evaluated inside it), as JSON text, or as the
    /// text of an `Fn::Sub`.
    fn policy(&mut self, node: &'a Node, setting: &'static str) -> Value<Policy> {
        let mut value = Value::new(setting);
        for candidate in self.template.resolve(node) {
            let state = match &candidate.value {
                Evaluated::Node(document) if document.as_mapping().is_some() => Known::Is(
                    super::policy::lower(document, self.template, self.site, self.lowering),
                ),
                Evaluated::Node(text) => {
                    let owner = OwnerForm::account(self.lowering.settings.account_id.as_deref());
                    match super::policy::lower_string(text, owner, self.lowering) {
                        Some(policy) => Known::Is(policy),
                        None => continue,
                    }
                }
                Evaluated::Unknown(reason) => Known::Unknown(reason.clone()),
                Evaluated::Text(_) | Evaluated::Opaque(_) => match intrinsic(candidate.at) {
                    // A policy written as `!Sub` text: checked as written, `${…}` and all.
                    Some(("Fn::Sub", arg)) => {
                        let text = arg
                            .as_sequence()
                            .and_then(|s| s.items.first())
                            .unwrap_or(arg);
                        match super::policy::lower_string(text, OwnerForm::SubText, self.lowering) {
                            Some(policy) => Known::Is(policy),
                            None => continue,
                        }
                    }
                    _ => continue,
                },
            };
            value.candidates.push(Candidate {
                state,
                origin: written_at(candidate.at, candidate.origin),
            });
        }
        value
    }

    /// A lifecycle policy: JSON text (a string, a parameter's `Default`), or structure. Text
    /// that `Fn::Sub` or `Fn::Join` computes is unknown: its JSON is only known once filled in.
    fn lifecycle_policy(
        &mut self,
        node: &'a Node,
        setting: &'static str,
    ) -> Value<Option<LifecyclePolicy>> {
        let mut value = Value::new(setting);
        for candidate in self.template.resolve(node) {
            let state = match &candidate.value {
                Evaluated::Node(document) if document.as_mapping().is_some() => Known::Is(Some(
                    super::lifecycle::lower(document, self.template),
                )),
                Evaluated::Node(text) => {
                    match super::lifecycle::lower_string(text, &Literal, self.lowering) {
                        Some(policy) => Known::Is(Some(policy)),
                        None => continue,
                    }
                }
                Evaluated::Unknown(reason) => Known::Unknown(reason.clone()),
                Evaluated::Text(_) | Evaluated::Opaque(_) => match intrinsic(candidate.at) {
                    // `!Sub` with nothing to fill in is the text as written.
                    Some(("Fn::Sub", text))
                        if text.as_str().is_some_and(|t| !t.contains("${")) =>
                    {
                        match super::lifecycle::lower_string(text, &Literal, self.lowering) {
                            Some(policy) => Known::Is(Some(policy)),
                            None => continue,
                        }
                    }
                    Some((function, _)) => Known::Unknown(format!(
                        "the lifecycle policy text is built by `{function}`, and ecrlint reads only text written as it is"
                    )),
                    None => Known::Unknown("the lifecycle policy text is known only at deployment".into()),
                },
            };
            value.candidates.push(Candidate {
                state,
                origin: written_at(candidate.at, candidate.origin),
            });
        }
        value
    }

    fn registry_scanning(&mut self, resource: &Resource<'a>) -> RegistryScanning {
        let get = |key: &str| resource.properties.and_then(|p| p.get(key));
        let rules = get("Rules")
            .and_then(Node::as_sequence)
            .map(|rules| {
                rules
                    .items
                    .iter()
                    .map(|rule| ScanningRule {
                        frequency: rule
                            .get("ScanFrequency")
                            .map(|f| self.text(f, "ScanFrequency"))
                            .unwrap_or_else(|| Value::new("ScanFrequency")),
                        filters: rule
                            .get("RepositoryFilters")
                            .and_then(Node::as_sequence)
                            .map(|fs| {
                                fs.items
                                    .iter()
                                    .filter_map(|f| f.get("Filter"))
                                    .map(|f| self.text(f, "Filter"))
                                    .collect()
                            })
                            .unwrap_or_default(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        RegistryScanning {
            at: resource.id_range,
            scan_type: get("ScanType")
                .map(|t| self.text(t, "ScanType"))
                .unwrap_or_else(|| Value::new("ScanType")),
            rules,
        }
    }

    fn replication(&mut self, resource: &Resource<'a>) -> Replication {
        let rules = resource
            .properties
            .and_then(|p| p.get("ReplicationConfiguration"))
            .and_then(|c| c.get("Rules"))
            .and_then(Node::as_sequence);
        let mut destinations = Vec::new();
        for rule in rules.into_iter().flat_map(|r| &r.items) {
            let listed = rule.get("Destinations").and_then(Node::as_sequence);
            for destination in listed.into_iter().flat_map(|d| &d.items) {
                destinations.push(ReplicationDestination {
                    region: self.optional_text(destination.get("Region"), "Region"),
                    registry_id: self.optional_text(destination.get("RegistryId"), "RegistryId"),
                });
            }
        }
        Replication {
            at: resource.id_range,
            destinations,
        }
    }

    /// A string setting, each candidate as text (a `!GetAtt` as `${Key.Arn}`) or unknown.
    fn text(&self, node: &'a Node, setting: &'static str) -> Value<Text> {
        Value {
            setting,
            candidates: self
                .template
                .resolve(node)
                .into_iter()
                .map(text_candidate)
                .collect(),
        }
    }

    fn optional_text(&self, node: Option<&'a Node>, setting: &'static str) -> Value<Text> {
        node.map_or_else(|| Value::new(setting), |n| self.text(n, setting))
    }

    fn texts(&self, node: Option<&'a Node>, setting: &'static str) -> Vec<Value<Text>> {
        match node.and_then(Node::as_sequence) {
            Some(list) => list.items.iter().map(|i| self.text(i, setting)).collect(),
            None => node.map(|n| self.text(n, setting)).into_iter().collect(),
        }
    }
}

/// Whether the parameter whose `Default` gives a value would accept `value` instead (a
/// boolean's allowed values in any letter case).
fn parameter_use(template: &Template<'_>, via: &Related, value: &str) -> ParameterUse {
    let parameter = template
        .parameters
        .values()
        .find(|p| p.default.is_some_and(|d| d.range == via.range));
    let accepts_remedy = parameter.is_some_and(|p| {
        p.allowed_values.is_empty()
            || p.allowed_values.iter().any(|v| {
                v.as_str().is_some_and(|v| {
                    v == value || (value == "true" && v.eq_ignore_ascii_case(value))
                })
            })
    });
    ParameterUse { accepts_remedy }
}
