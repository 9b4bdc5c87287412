//! Terraform (HCL) into the model: `aws_ecr_repository`, `aws_ecr_repository_policy`,
//! `aws_ecr_lifecycle_policy`, `aws_ecr_repository_creation_template`, `aws_ecr_registry_policy`,
//! `aws_ecr_registry_scanning_configuration` and `aws_ecr_replication_configuration`, every value
//! evaluated through variables, locals, references and conditionals (`module.rs`). Policies come
//! as `jsonencode({…})`, JSON text (heredocs with `${…}`), or `data.aws_iam_policy_document`.
//! A plan (`terraform show -json`) is lowered the same way, its values already evaluated.

mod json;
mod module;
mod plan;

pub use module::Module;

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use typed_arena::Arena;

use super::resolve::{Evaluated, Resolve};
use super::{
    text_candidate, written_at, InputKind, Lowering, OwnerForm, ParameterUse, Site, Target,
};
use crate::model::{
    Candidate, CreationTemplate, Encryption, Known, LifecyclePolicy, Policy, RegistryScanning,
    Replication, ReplicationDestination, Repository, RepositoryKind, ScanningRule, TagMutability,
    Value,
};
use crate::syntax::hcl::{HEREDOC, TEMPLATE};
use crate::syntax::write::Writer;
use crate::syntax::{
    CollectionStyle, Entry, Format, Key, Mapping, Node, NodeKind, Scalar, ScalarStyle, Sequence,
};
use crate::text::{Text, TextRange};
use module::{blocks, body, reference, tag, Resource};

pub(super) const TAG_MUTABILITY: &str = "image_tag_mutability";
pub(super) const EXCLUSION_FILTER: &str = "image_tag_mutability_exclusion_filter";
pub(super) const SCANNING: &str = "image_scanning_configuration";
pub(super) const SCAN_ON_PUSH: &str = "scan_on_push";

/// Any HCL body is Terraform's: the format decided it.
pub(super) fn detect(root: &Node) -> Option<InputKind> {
    root.as_mapping().map(|_| InputKind::Terraform)
}

/// A JSON document in Terraform's JSON syntax (`.tf.json`).
pub(super) fn detect_json(root: &Node) -> Option<InputKind> {
    json::detect(root).then_some(InputKind::Terraform)
}

/// Terraform's JSON syntax as the tree the HCL reader gives.
pub(super) fn json_tree(root: &Node) -> Node {
    json::convert(root)
}

/// `terraform show -json` output for a plan.
pub(super) fn detect_plan(root: &Node) -> Option<InputKind> {
    plan::detect(root).then_some(InputKind::TerraformPlan)
}

/// A plan's ECR resources, lowered as a module whose values are final. A plan is not a source
/// to edit: no fix is written into it, and each finding names the resource address it is about.
pub(super) fn lower_plan<'a>(root: &'a Node, lowering: &mut Lowering<'a>) {
    let converted = plan::convert(root);
    let tree: &'a Node = lowering.arena.alloc(converted.tree);
    lowering.subjects = converted.subjects;
    let mut module = Module::new(tree, lowering.arena);
    module.evaluated = true;
    let account = lowering
        .settings
        .account_id
        .as_deref()
        .or_else(|| plan::caller_account(root));
    let owner = OwnerForm::account(account);
    let site = lowering.site(Site {
        writer: Writer::new(lowering.source, Format::Json),
        owner,
    });
    let mut adapter = Adapter {
        module: &module,
        site,
        owner,
        lowering,
        links: Links::default(),
    };
    adapter.link();
    adapter.lower();
    for raised in &mut lowering.raised {
        raised.fix = None;
    }
}

/// `format` is the tree's syntax, `written` the text's, which fixes follow (JSON text may come
/// already read as the HCL tree, joined to a module's `.tf` files).
pub(super) fn lower<'a>(
    root: &'a Node,
    format: Format,
    written: Format,
    lowering: &mut Lowering<'a>,
) {
    // JSON syntax is read as the tree the HCL reader gives, its ranges those of the JSON text.
    let root: &'a Node = match format {
        Format::Json => lowering.arena.alloc(json::convert(root)),
        _ => root,
    };
    let module = Rc::new(Module::new(root, lowering.arena));
    let mut chain = module.folder.iter().cloned().collect();
    lower_module(&module, written, lowering, &mut chain);
}

/// Local modules followed this deep at most (a module calling a module calling …).
const MAX_MODULE_DEPTH: usize = 16;

/// A module's resources, then those of the local modules it calls, each with the arguments its
/// `module` block gives; `chain` holds the folders of the modules on the way here.
fn lower_module<'a>(
    module: &Rc<Module<'a>>,
    format: Format,
    lowering: &mut Lowering<'a>,
    chain: &mut Vec<String>,
) {
    // Only a data source whose name can be written in a reference (`data.X.NAME.account_id`).
    let nameable = |name: &&str| crate::syntax::write::is_identifier(name);
    let owner = match module.first_data("aws_caller_identity").filter(nameable) {
        Some(identity) => OwnerForm::Terraform {
            identity,
            partition: module.first_data("aws_partition").filter(nameable),
            // In JSON syntax every string is a template: the interpolation is written inline.
            inline: format == Format::Json,
        },
        None => OwnerForm::account(lowering.settings.account_id.as_deref()),
    };
    let site = lowering.site(Site {
        writer: Writer::new(lowering.source, format),
        owner,
    });
    let mut adapter = Adapter {
        module,
        site,
        owner,
        lowering,
        links: Links::default(),
    };
    adapter.link();
    adapter.lower();
    if chain.len() > MAX_MODULE_DEPTH {
        return;
    }
    for call in &module.calls {
        let Some(child) = module.child(call, chain) else {
            continue;
        };
        chain.push(child.folder.clone().unwrap_or_default());
        lower_module(&Rc::new(child), format, lowering, chain);
        chain.pop();
    }
}

struct Adapter<'m, 'a, 'l> {
    module: &'m Module<'a>,
    site: usize,
    owner: OwnerForm<'a>,
    lowering: &'l mut Lowering<'a>,
    links: Links<'a>,
}

/// Which repository each policy resource is attached to, worked out once for the module.
#[derive(Default)]
struct Links<'a> {
    /// The names of the repository blocks.
    blocks: HashSet<&'a str>,
    /// Repository blocks by each name their `name` can take.
    names: HashMap<String, &'a str>,
    /// (policy resource type, repository block) → the `policy` values attached.
    attached: HashMap<(String, String), Vec<&'a Node>>,
}

impl<'a> Adapter<'_, 'a, '_> {
    /// Ties the policy resources to their repositories: each resolved once, so that a module
    /// with many repositories and policies costs their sum, not their product.
    fn link(&mut self) {
        let module = self.module;
        for repository in module.resources_of_type("aws_ecr_repository") {
            self.links.blocks.insert(repository.name);
            for candidate in repository
                .get("name")
                .map(|n| module.resolve(n))
                .unwrap_or_default()
            {
                if let Some(text) = candidate.value.as_str() {
                    self.links
                        .names
                        .entry(text.to_string())
                        .or_insert(repository.name);
                }
            }
        }
        for type_name in ["aws_ecr_repository_policy", "aws_ecr_lifecycle_policy"] {
            for attachment in module.resources_of_type(type_name) {
                let (Some(repository), Some(policy)) =
                    (self.attached_to(attachment), attachment.get("policy"))
                else {
                    continue;
                };
                self.links
                    .attached
                    .entry((type_name.to_string(), repository.to_string()))
                    .or_default()
                    .push(policy);
            }
        }
    }

    fn lower(&mut self) {
        let module = self.module;
        // At their exact number, as for a template.
        let repositories = module
            .resources
            .iter()
            .filter(|r| is_repository(r.type_name))
            .count();
        self.lowering.model.repositories.reserve_exact(repositories);
        for resource in &module.resources {
            match resource.type_name {
                name if is_repository(name) => {
                    let repository = self.repository(resource);
                    self.lowering.model.repositories.push(repository);
                }
                "aws_ecr_registry_policy" => {
                    if let Some(policy) = resource.get("policy") {
                        let policy = self.policy(policy, "policy");
                        self.lowering.model.registry.policies.push(policy);
                    }
                }
                "aws_ecr_registry_scanning_configuration" => {
                    let scanning = self.registry_scanning(resource);
                    self.lowering.model.registry.scanning.push(scanning);
                }
                "aws_ecr_replication_configuration" => {
                    let replication = self.replication(resource);
                    self.lowering.model.registry.replication.push(replication);
                }
                _ => {}
            }
        }
        // Policies whose repository the module does not declare stand on their own.
        for resource in module.resources_of_type("aws_ecr_repository_policy") {
            if self.attached_to(resource).is_none() {
                if let Some(policy) = resource.get("policy") {
                    let policy = self.policy(policy, "policy");
                    self.lowering.model.policies.push(policy);
                }
            }
        }
        for resource in module.resources_of_type("aws_ecr_lifecycle_policy") {
            if self.attached_to(resource).is_none() {
                if let Some(policy) = resource.get("policy") {
                    let policy = self.lifecycle_policy(policy, "policy");
                    let alone = Value {
                        setting: policy.setting,
                        candidates: policy
                            .candidates
                            .into_iter()
                            .filter_map(|c| {
                                let state = match c.state {
                                    Known::Is(Some(policy)) => Known::Is(policy),
                                    Known::Unknown(reason) => Known::Unknown(reason),
                                    Known::Is(None) | Known::Rejected => return None,
                                };
                                Some(Candidate {
                                    state,
                                    origin: c.origin,
                                })
                            })
                            .collect(),
                    };
                    self.lowering.model.lifecycle_policies.push(alone);
                }
            }
        }
    }

    /// The repository block that a policy's `repository` names: by a reference to the block,
    /// or by its name.
    fn attached_to(&self, attachment: &Resource<'a>) -> Option<&'a str> {
        let named = attachment.get("repository")?;
        if let Some(path) = reference(named) {
            let mut steps = path.split('.');
            if let (Some("aws_ecr_repository"), Some(name)) = (steps.next(), steps.next()) {
                return self.links.blocks.get(name).copied();
            }
        }
        self.module
            .resolve(named)
            .iter()
            .find_map(|c| self.links.names.get(c.value.as_str()?).copied())
    }

    /// The `policy` of each resource of `type_name` attached to the repository block `name`.
    fn attachments(&self, type_name: &str, name: &str) -> Vec<&'a Node> {
        self.links
            .attached
            .get(&(type_name.to_string(), name.to_string()))
            .cloned()
            .unwrap_or_default()
    }

    fn repository(&mut self, resource: &Resource<'a>) -> Repository {
        let template = resource.type_name == "aws_ecr_repository_creation_template";
        let kind = if template {
            RepositoryKind::CreationTemplate(Box::new(CreationTemplate {
                prefix: resource.get("prefix").map(|p| self.text(p, "prefix")),
                applied_for: self.texts(resource.get("applied_for"), "applied_for"),
            }))
        } else {
            RepositoryKind::Repository
        };
        let filters = resource
            .blocks(EXCLUSION_FILTER)
            .filter_map(|f| body(f)?.get("filter"))
            .map(|f| self.text(f, "filter"))
            .collect();
        let encryption = resource.blocks("encryption_configuration").next();
        let encryption_body = encryption.and_then(body);
        let (policy, lifecycle) = if template {
            (
                resource.get("repository_policy"),
                resource.get("lifecycle_policy"),
            )
        } else {
            (
                self.attachments("aws_ecr_repository_policy", resource.name)
                    .last()
                    .copied(),
                self.attachments("aws_ecr_lifecycle_policy", resource.name)
                    .last()
                    .copied(),
            )
        };
        let anchor = self.lowering.anchor(Target::Properties {
            site: self.site,
            properties: Some(resource.body),
        });
        Repository {
            kind,
            at: resource.at,
            deployed: None,
            name: resource.get("name").map(|n| self.text(n, "name")),
            tag_mutability: self.tag_mutability(resource),
            exclusion_filters: filters,
            // A creation template has no scanning settings.
            scan_on_push: if template {
                Value::new(SCAN_ON_PUSH)
            } else {
                self.scan_on_push(resource)
            },
            scan_frequency: None,
            encryption: Encryption {
                encryption_type: match encryption_body.and_then(|e| e.get("encryption_type")) {
                    Some(t) => self.text(t, "encryption_type"),
                    None => Value::default_at(
                        "encryption_type",
                        Text::from("AES256"),
                        encryption.map_or(resource.at, |e| e.range),
                    ),
                },
                kms_key: encryption_body
                    .and_then(|e| e.get("kms_key"))
                    .map(|k| self.text(k, "kms_key")),
            },
            lifecycle_policy: match lifecycle {
                Some(l) => self.lifecycle_policy(
                    l,
                    if template {
                        "lifecycle_policy"
                    } else {
                        "policy"
                    },
                ),
                None => Value::default_at("lifecycle_policy", None, resource.at),
            },
            policy: policy.map(|p| {
                self.policy(
                    p,
                    if template {
                        "repository_policy"
                    } else {
                        "policy"
                    },
                )
            }),
            anchor,
        }
    }

    /// `image_tag_mutability`: missing means `MUTABLE`, anchored at the block's name.
    fn tag_mutability(&mut self, resource: &Resource<'a>) -> Value<TagMutability> {
        let Some(value) = resource.get(TAG_MUTABILITY) else {
            let anchor = self.lowering.anchor(Target::Missing {
                site: self.site,
                setting: TAG_MUTABILITY,
                resource: resource.block,
                properties: Some(resource.body),
            });
            return super::unwritten_mutability(TAG_MUTABILITY, resource.at, anchor);
        };
        let candidates = self.module.resolve(value);
        super::tag_mutability(
            self.lowering,
            self.site,
            TAG_MUTABILITY,
            "the AWS provider",
            candidates,
            &|_| ParameterUse {
                accepts_remedy: true,
            },
        )
    }

    /// `image_scanning_configuration { scan_on_push }`: missing means `false`, anchored at the
    /// block's name, where a remedy writes the attribute (or the whole block).
    fn scan_on_push(&mut self, resource: &Resource<'a>) -> Value<bool> {
        let configuration = resource.blocks(SCANNING).next().and_then(body);
        let Some(value) = configuration.and_then(|c| c.get(SCAN_ON_PUSH)) else {
            let anchor = self.lowering.anchor(Target::Missing {
                site: self.site,
                setting: if configuration.is_some() {
                    SCAN_ON_PUSH
                } else {
                    SCANNING
                },
                resource: resource.block,
                properties: Some(configuration.unwrap_or(resource.body)),
            });
            return super::unwritten_scan_on_push(SCAN_ON_PUSH, resource.at, anchor);
        };
        let candidates = self.module.resolve(value);
        super::scan_on_push(
            self.lowering,
            self.site,
            SCAN_ON_PUSH,
            "the AWS provider",
            candidates,
            &|_| ParameterUse {
                accepts_remedy: true,
            },
        )
    }

    /// A policy: `jsonencode({…})`, JSON text (a string or heredoc, `${…}` filled in where it
    /// can be), or `data.aws_iam_policy_document.NAME.json`.
    fn policy(&mut self, node: &'a Node, setting: &'static str) -> Value<Policy> {
        let mut value = Value::new(setting);
        let module = self.module;
        for candidate in module.resolve(node) {
            let state = match &candidate.value {
                Evaluated::Node(document) if document.as_mapping().is_some() => Known::Is(
                    super::policy::lower(document, module, self.site, self.lowering),
                ),
                Evaluated::Node(heredoc) if tag(heredoc) == Some(HEREDOC) => {
                    match self.policy_text(heredoc) {
                        Some(policy) => Known::Is(policy),
                        None => continue,
                    }
                }
                Evaluated::Node(text) if text.as_scalar().is_some() => {
                    let owner = self.inline_owner();
                    // A template read with `templatefile(path, variables)`: its `${name}` are
                    // those variables while it is read.
                    let variables = match (tag(candidate.at), candidate.at.kind.tagged_value()) {
                        (Some("tf:call:templatefile"), Some(args)) => {
                            args.as_sequence().and_then(|a| a.items.get(1))
                        }
                        _ => None,
                    };
                    module.template_variables.set(variables);
                    let lowered =
                        super::policy::lower_string_with(text, owner, module, self.lowering);
                    module.template_variables.set(None);
                    match lowered {
                        Some(policy) => Known::Is(policy),
                        None => continue,
                    }
                }
                Evaluated::Node(_) => continue,
                Evaluated::Opaque(path) => match self.policy_document(path) {
                    Some(policy) => Known::Is(policy),
                    None => Known::Unknown(format!("`{path}` is known only after apply")),
                },
                Evaluated::Unknown(reason) => Known::Unknown(reason.clone()),
                // Text built from a template: read where it is written, `${…}` and all.
                Evaluated::Text(_) if tag(candidate.at) == Some(TEMPLATE) => Known::Unknown(
                    "the policy text is built by a template ecrlint does not read as JSON".into(),
                ),
                Evaluated::Text(_) => continue,
            };
            value.candidates.push(Candidate {
                state,
                origin: written_at(candidate.at, candidate.origin),
            });
        }
        value
    }

    /// The owner as written inside policy text (a JSON string, a heredoc): an interpolation in
    /// the text, not a template of its own.
    fn inline_owner(&self) -> OwnerForm<'a> {
        match self.owner {
            OwnerForm::Terraform {
                identity,
                partition,
                ..
            } => OwnerForm::Terraform {
                identity,
                partition,
                inline: true,
            },
            other => other,
        }
    }

    /// JSON in a heredoc: parsed where it stands, its `${…}` filled in by the module.
    fn policy_text(&mut self, heredoc: &'a Node) -> Option<Policy> {
        let text = self.heredoc_text(heredoc)?;
        super::policy::lower_string_with(text, self.inline_owner(), self.module, self.lowering)
    }

    /// A heredoc's body as a string scalar standing where it is written.
    fn heredoc_text(&mut self, heredoc: &'a Node) -> Option<&'a Node> {
        let NodeKind::Tagged(tagged) = &heredoc.kind else {
            return None;
        };
        let body = tagged.value.range;
        Some(self.lowering.arena.alloc(Node {
            range: body,
            kind: NodeKind::Scalar(Scalar {
                text: Text::from(&self.lowering.source[body.as_usize()]),
                style: ScalarStyle::Literal,
            }),
        }))
    }

    /// A lifecycle policy: `jsonencode({…})` (every key and value at its own token), or JSON
    /// text (a string, a heredoc, `file()`, `templatefile()`). Text whose `${…}` stand where JSON
    /// cannot hold them (`"countNumber": ${var.days}`) is unknown until Terraform fills them in.
    fn lifecycle_policy(
        &mut self,
        node: &'a Node,
        setting: &'static str,
    ) -> Value<Option<LifecyclePolicy>> {
        let mut value = Value::new(setting);
        let module = self.module;
        for candidate in module.resolve(node) {
            let text = match &candidate.value {
                Evaluated::Node(document) if document.as_mapping().is_some() => {
                    let policy = super::lifecycle::lower(document, module);
                    value.candidates.push(Candidate {
                        state: Known::Is(Some(policy)),
                        origin: written_at(candidate.at, candidate.origin),
                    });
                    continue;
                }
                Evaluated::Node(heredoc) if tag(heredoc) == Some(HEREDOC) => {
                    self.heredoc_text(heredoc)
                }
                Evaluated::Node(text) if text.as_scalar().is_some() => Some(*text),
                Evaluated::Node(_) => None,
                Evaluated::Unknown(reason) => {
                    value.candidates.push(Candidate {
                        state: Known::Unknown(reason.clone()),
                        origin: written_at(candidate.at, candidate.origin),
                    });
                    continue;
                }
                Evaluated::Opaque(path) => {
                    value.candidates.push(Candidate {
                        state: Known::Unknown(format!("`{path}` is known only after apply")),
                        origin: written_at(candidate.at, candidate.origin),
                    });
                    continue;
                }
                Evaluated::Text(_) => {
                    value.candidates.push(Candidate {
                        state: Known::Unknown(
                            "the lifecycle policy text is built from pieces ecrlint does not read as JSON"
                                .into(),
                        ),
                        origin: written_at(candidate.at, candidate.origin),
                    });
                    continue;
                }
            };
            let Some(text) = text else {
                continue;
            };
            let variables = match (tag(candidate.at), candidate.at.kind.tagged_value()) {
                (Some("tf:call:templatefile"), Some(args)) => {
                    args.as_sequence().and_then(|a| a.items.get(1))
                }
                _ => None,
            };
            module.template_variables.set(variables);
            let lowered = super::lifecycle::lower_string(text, module, self.lowering);
            module.template_variables.set(None);
            let Some(policy) = lowered else {
                continue;
            };
            let interpolated = text.as_scalar().is_some_and(|s| s.text.contains("${"));
            let state = if policy.syntax_error.is_some() && interpolated {
                Known::Unknown(
                    "the lifecycle policy text is JSON only once Terraform fills in its `${…}`"
                        .into(),
                )
            } else {
                Known::Is(Some(policy))
            };
            value.candidates.push(Candidate {
                state,
                origin: written_at(candidate.at, candidate.origin),
            });
        }
        value
    }

    /// `data.aws_iam_policy_document.NAME.json`: its statement blocks, lowered as the JSON
    /// document Terraform renders from them.
    fn policy_document(&mut self, path: &str) -> Option<Policy> {
        let mut steps = path.split('.');
        let (
            Some("data"),
            Some("aws_iam_policy_document"),
            Some(name),
            Some("json" | "minified_json"),
            None,
        ) = (
            steps.next(),
            steps.next(),
            steps.next(),
            steps.next(),
            steps.next(),
        )
        else {
            return None;
        };
        let data = self.module.data_source("aws_iam_policy_document", name)?;
        let [document, everyone] = document_trees(data, self.module, self.lowering.arena);
        let mut policy = super::policy::lower(document, self.module, self.site, self.lowering);
        // `type = "*"` principals: a fix would have to rewrite the type too, so none is offered.
        let site = self.lowering.site(Site {
            writer: Writer::new(self.lowering.source, self.lowering.writer(self.site).format),
            owner: OwnerForm::Unknown,
        });
        let typed_everyone = super::policy::lower(everyone, self.module, site, self.lowering);
        policy.statements.extend(typed_everyone.statements);
        for merged in ["source_policy_documents", "override_policy_documents"] {
            if let Some(node) = data.get(merged) {
                policy.unknown.push(Candidate {
                    state: Known::Unknown(format!(
                        "`{merged}` merges documents ecrlint does not follow yet"
                    )),
                    origin: written_at(node, None),
                });
            }
        }
        Some(policy)
    }

    fn registry_scanning(&mut self, resource: &Resource<'a>) -> RegistryScanning {
        let rules = resource
            .blocks("rule")
            .filter_map(body)
            .map(|rule| ScanningRule {
                frequency: self.optional_text(rule.get("scan_frequency"), "scan_frequency"),
                filters: blocks(rule, "repository_filter")
                    .filter_map(|f| body(f)?.get("filter"))
                    .map(|f| self.text(f, "filter"))
                    .collect(),
            })
            .collect();
        RegistryScanning {
            at: resource.at,
            scan_type: self.optional_text(resource.get("scan_type"), "scan_type"),
            rules,
        }
    }

    fn replication(&mut self, resource: &Resource<'a>) -> Replication {
        let mut destinations = Vec::new();
        for configuration in resource
            .blocks("replication_configuration")
            .filter_map(body)
        {
            for rule in blocks(configuration, "rule").filter_map(body) {
                for destination in blocks(rule, "destination").filter_map(body) {
                    destinations.push(ReplicationDestination {
                        region: self.optional_text(destination.get("region"), "region"),
                        registry_id: self
                            .optional_text(destination.get("registry_id"), "registry_id"),
                    });
                }
            }
        }
        Replication {
            at: resource.at,
            destinations,
        }
    }

    /// A string setting, each candidate as text (another resource's attribute as `${…}`) or
    /// unknown; a heredoc is its text as written.
    fn text(&self, node: &'a Node, setting: &'static str) -> Value<Text> {
        let candidates = self
            .module
            .resolve(node)
            .into_iter()
            .map(|candidate| match &candidate.value {
                Evaluated::Node(heredoc) if tag(heredoc) == Some(HEREDOC) => {
                    let NodeKind::Tagged(t) = &heredoc.kind else {
                        unreachable!("a heredoc is tagged")
                    };
                    Candidate {
                        state: Known::Is(Text::from(
                            &self.lowering.source[t.value.range.as_usize()],
                        )),
                        origin: written_at(candidate.at, candidate.origin),
                    }
                }
                _ => text_candidate(candidate),
            })
            .collect();
        Value {
            setting,
            candidates,
        }
    }

    fn optional_text(&self, node: Option<&'a Node>, setting: &'static str) -> Value<Text> {
        node.map_or_else(|| Value::new(setting), |n| self.text(n, setting))
    }

    fn texts(&self, node: Option<&'a Node>, setting: &'static str) -> Vec<Value<Text>> {
        let Some(node) = node else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for candidate in self.module.resolve(node) {
            match &candidate.value {
                Evaluated::Node(Node {
                    kind: NodeKind::Sequence(list),
                    ..
                }) => out.extend(list.items.iter().map(|item| self.text(item, setting))),
                _ => out.push(Value::one(setting, text_candidate(candidate))),
            }
        }
        out
    }
}

/// The JSON document an `aws_iam_policy_document` renders, as trees whose leaves are the data
/// source's own nodes (so findings and fixes land on them): the statements whose principals are
/// of `type = "*"`, and the others. Each `principals` block becomes a statement of its own: a
/// statement reaches the union of its principals, so the reach of each is judged the same.
fn document_trees<'a>(
    data: &Resource<'a>,
    module: &Module<'a>,
    arena: &'a Arena<Node>,
) -> [&'a Node; 2] {
    let mut statements = Vec::new();
    let mut everyone = Vec::new();
    for statement in data.blocks("statement") {
        let Some(body) = body(statement) else {
            continue;
        };
        let mut common: Vec<Entry> = Vec::new();
        let effect = match body.get_entry("effect") {
            Some(entry) => entry.value.clone(),
            // The data source's default.
            None => scalar("Allow", statement.range),
        };
        common.push(entry(
            "Effect",
            key_range(body, "effect", statement),
            effect,
        ));
        for (attribute, element) in [
            ("actions", "Action"),
            ("not_actions", "NotAction"),
            ("resources", "Resource"),
            ("not_resources", "NotResource"),
        ] {
            if let Some(found) = body.get_entry(attribute) {
                common.push(entry(element, found.key.range, found.value.clone()));
            }
        }
        let conditions: Vec<Entry> = blocks(body, "condition")
            .filter_map(|c| {
                let c = module::body(c)?;
                let test = literal_text(c.get("test")?, module)?;
                let variable = literal_text(c.get("variable")?, module)?;
                let values = c.get("values")?.clone();
                let at = c.range;
                Some(entry(
                    &test,
                    at,
                    mapping(vec![entry(&variable, at, values)], at),
                ))
            })
            .collect();
        if !conditions.is_empty() {
            common.push(entry(
                "Condition",
                statement.range,
                mapping(conditions, statement.range),
            ));
        }
        if let Some(not) = blocks(body, "not_principals").next() {
            let principals = principal_map(not, module);
            common.push(entry("NotPrincipal", not.range, principals));
        }
        let principals: Vec<&Node> = blocks(body, "principals").collect();
        if principals.is_empty() {
            statements.push(statement_mapping(common.clone(), statement.range));
        }
        for block in principals {
            let mut entries = common.clone();
            entries.push(entry(
                "Principal",
                block.range,
                principal_map(block, module),
            ));
            let typed_everyone = module::body(block)
                .and_then(|b| b.get("type"))
                .and_then(|t| literal_text(t, module))
                .is_some_and(|t| t == "*");
            let into = if typed_everyone {
                &mut everyone
            } else {
                &mut statements
            };
            into.push(statement_mapping(entries, statement.range));
        }
    }
    let at = data.block.range;
    let document = |items: Vec<Node>| -> &'a Node {
        let list = Node {
            range: at,
            kind: NodeKind::Sequence(Sequence {
                items,
                style: CollectionStyle::Flow,
            }),
        };
        arena.alloc(mapping(vec![entry("Statement", at, list)], at))
    };
    [document(statements), document(everyone)]
}

/// `principals { type = "AWS", identifiers = [...] }` as `{"AWS": [...]}`; type `"*"` is
/// everyone whatever the identifiers, written `{"AWS": "*"}` alike.
fn principal_map<'a>(block: &'a Node, module: &Module<'a>) -> Node {
    let at = block.range;
    let Some(body) = body(block) else {
        return mapping(Vec::new(), at);
    };
    let kind = body.get("type").and_then(|t| literal_text(t, module));
    let identifiers = body.get("identifiers").cloned();
    match (kind.as_deref(), identifiers) {
        (Some("*"), Some(identifiers)) => mapping(vec![entry("AWS", at, identifiers)], at),
        (Some(kind), Some(identifiers)) => mapping(vec![entry(kind, at, identifiers)], at),
        _ => mapping(Vec::new(), at),
    }
}

/// The one text a setting evaluates to, if it has exactly one.
fn literal_text<'a>(node: &'a Node, module: &Module<'a>) -> Option<String> {
    match module.resolve(node).as_slice() {
        [one] => one.value.as_str().map(str::to_string),
        _ => None,
    }
}

fn key_range(body: &Node, key: &str, fallback: &Node) -> TextRange {
    body.get_entry(key).map_or(fallback.range, |e| e.key.range)
}

fn entry(key: &str, range: TextRange, value: Node) -> Entry {
    Entry {
        key: Key {
            text: Text::from(key),
            range,
        },
        value,
    }
}

fn mapping(entries: Vec<Entry>, range: TextRange) -> Node {
    Node {
        range,
        kind: NodeKind::Mapping(Mapping {
            entries,
            style: CollectionStyle::Flow,
        }),
    }
}

/// A statement block as a mapping whose entries stand on lines of their own, as the block's
/// attributes do: removing one (`resources`) removes its lines.
fn statement_mapping(entries: Vec<Entry>, range: TextRange) -> Node {
    let mut node = mapping(entries, range);
    if let NodeKind::Mapping(mapping) = &mut node.kind {
        mapping.style = CollectionStyle::Block;
    }
    node
}

fn scalar(text: &str, range: TextRange) -> Node {
    Node {
        range,
        kind: NodeKind::Scalar(Scalar {
            text: Text::from(text),
            style: ScalarStyle::JsonString,
        }),
    }
}

fn is_repository(type_name: &str) -> bool {
    matches!(
        type_name,
        "aws_ecr_repository" | "aws_ecr_repository_creation_template"
    )
}
