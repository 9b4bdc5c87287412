//! The output of the AWS CLI into the model: `aws ecr get-repository-policy` and
//! `get-registry-policy` (a policy inside the JSON string `policyText`),
//! `aws ecr get-lifecycle-policy` (a lifecycle policy inside `lifecyclePolicyText`),
//! `aws ecr describe-repositories` / `create-repository`, `get-registry-scanning-configuration`
//! and `batch-get-repository-scanning-configuration`. These describe a registry and repositories
//! that exist: there is no template to edit, so remedies become the `aws ecr …` commands that
//! change the repository.

use super::resolve::Literal;
use super::{InputKind, Lowering, OwnerForm, Target};
use crate::model::{
    Anchor, Candidate, Deployed, Encryption, Known, Origin, RegistryScanning, Repository,
    RepositoryKind, ScanningRule, TagMutability, Value, Written,
};
use crate::syntax::Node;
use crate::text::Text;

pub(super) fn detect(root: &Node) -> Option<InputKind> {
    let scanning = root.get("scanningConfiguration");
    if scanning.is_some_and(|s| s.get("scanType").is_some() || s.get("rules").is_some()) {
        return Some(InputKind::GetRegistryScanningConfigurationOutput);
    }
    let configurations = root
        .get("scanningConfigurations")
        .and_then(Node::as_sequence);
    if configurations.is_some_and(|c| c.items.is_empty() || c.items.iter().any(is_repository)) {
        return Some(InputKind::BatchGetRepositoryScanningConfigurationOutput);
    }
    if root
        .get("lifecyclePolicyText")
        .and_then(Node::as_str)
        .is_some()
    {
        return Some(InputKind::GetLifecyclePolicyOutput);
    }
    if root.get("policyText").and_then(Node::as_str).is_some() {
        // Only a repository's policy comes with the repository's name.
        return Some(if root.get("repositoryName").is_some() {
            InputKind::GetRepositoryPolicyOutput
        } else {
            InputKind::GetRegistryPolicyOutput
        });
    }
    let listed = root
        .get("repositories")
        .and_then(Node::as_sequence)
        .is_some_and(|s| s.items.iter().any(is_repository));
    (listed || root.get("repository").is_some_and(is_repository))
        .then_some(InputKind::DescribeRepositoriesOutput)
}

fn is_repository(node: &Node) -> bool {
    node.get("repositoryArn").is_some() || node.get("repositoryName").is_some()
}

/// `{"registryId": …, "repositoryName": …, "policyText": "{…}"}`, or without `repositoryName`
/// the registry's policy.
pub(super) fn lower_policy_output<'a>(root: &'a Node, lowering: &mut Lowering<'a>) {
    let Some(text) = root.get("policyText") else {
        return;
    };
    let registry = root.get("registryId").and_then(Node::as_str);
    let owner = OwnerForm::account(lowering.settings.account_id.as_deref().or(registry));
    let Some(policy) = super::policy::lower_string(text, owner, lowering) else {
        return;
    };
    if root.get("repositoryName").is_none() {
        let value = Value::one(
            "policyText",
            Candidate {
                state: Known::Is(policy),
                origin: super::written_at(text, None),
            },
        );
        lowering.model.registry.policies.push(value);
        return;
    }
    let mut repository = deployed(root, None, lowering);
    repository.policy = Some(Value::one(
        "policyText",
        Candidate {
            state: Known::Is(policy),
            origin: super::written_at(text, None),
        },
    ));
    lowering.model.repositories.push(repository);
}

/// `{"registryId": …, "repositoryName": …, "lifecyclePolicyText": "{…}", "lastEvaluatedAt": …}`.
pub(super) fn lower_lifecycle_output<'a>(root: &'a Node, lowering: &mut Lowering<'a>) {
    let Some(text) = root.get("lifecyclePolicyText") else {
        return;
    };
    let Some(policy) = super::lifecycle::lower_string(text, &Literal, lowering) else {
        return;
    };
    let mut repository = deployed(root, None, lowering);
    repository.lifecycle_policy = Value::one(
        "lifecyclePolicyText",
        Candidate {
            state: Known::Is(Some(policy)),
            origin: super::written_at(text, None),
        },
    );
    lowering.model.repositories.push(repository);
}

/// `{"repositories": [...]}` or `{"repository": {...}}`.
pub(super) fn lower_repositories<'a>(root: &'a Node, lowering: &mut Lowering<'a>) {
    let listed = root.get("repositories").and_then(Node::as_sequence);
    let described: Vec<&Node> = match listed {
        Some(list) => list.items.iter().collect(),
        None => root.get("repository").into_iter().collect(),
    };
    for node in described {
        let repository = deployed(node, None, lowering);
        lowering.model.repositories.push(repository);
    }
}

/// `{"registryId": …, "scanningConfiguration": {"scanType": …, "rules": [{"scanFrequency": …,
/// "repositoryFilters": [{"filter": …, "filterType": "WILDCARD"}]}]}}`.
pub(super) fn lower_registry_scanning<'a>(root: &'a Node, lowering: &mut Lowering<'a>) {
    let Some(configuration) = root.get("scanningConfiguration") else {
        return;
    };
    let read = |key: &'static str, at: Option<&'a Node>| {
        let mut value = Value::new(key);
        if let Some(at) = at {
            value.candidates.push(read_text(at, Anchor::NONE));
        }
        value
    };
    let rules = configuration
        .get("rules")
        .and_then(Node::as_sequence)
        .map(|rules| {
            rules
                .items
                .iter()
                .map(|rule| ScanningRule {
                    frequency: read("scanFrequency", rule.get("scanFrequency")),
                    filters: rule
                        .get("repositoryFilters")
                        .and_then(Node::as_sequence)
                        .map(|filters| {
                            filters
                                .items
                                .iter()
                                .filter_map(|f| f.get("filter"))
                                .map(|f| read("filter", Some(f)))
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    let scan_type = configuration.get("scanType");
    lowering.model.registry.scanning.push(RegistryScanning {
        at: scan_type.map_or(configuration.range, |t| t.range),
        scan_type: read("scanType", scan_type),
        rules,
    });
}

/// `{"scanningConfigurations": [{"repositoryArn", "repositoryName", "scanOnPush",
/// "scanFrequency", "appliedScanFilters"}], "failures": […]}`: each repository with the scan
/// frequency in effect.
pub(super) fn lower_repository_scanning<'a>(root: &'a Node, lowering: &mut Lowering<'a>) {
    let listed = root
        .get("scanningConfigurations")
        .and_then(Node::as_sequence);
    for node in listed.into_iter().flat_map(|l| &l.items) {
        let repository = deployed(node, None, lowering);
        lowering.model.repositories.push(repository);
    }
}

/// A string of the AWS API's answer (anything else was edited by hand).
pub(super) fn read_text(at: &Node, anchor: Anchor) -> Candidate<Text> {
    Candidate {
        state: at
            .as_str()
            .map_or(Known::Rejected, |t| Known::Is(Text::from(t))),
        origin: Origin {
            range: at.range,
            via: None,
            written: Written::Deployed,
            anchor,
        },
    }
}

/// A repository as the AWS API describes it (in `region`, when the source says which).
pub(super) fn deployed<'a>(
    node: &'a Node,
    region: Option<&str>,
    lowering: &mut Lowering<'a>,
) -> Repository {
    let text = |key: &str| node.get(key).and_then(Node::as_str);
    let name = text("repositoryName").unwrap_or("NAME").to_string();
    // `arn:aws:ecr:REGION:ACCOUNT:repository/NAME` names the registry when nothing else does.
    let from_arn = text("repositoryArn")
        .and_then(|arn| arn.split(':').nth(4))
        .filter(|id| crate::settings::is_account_id(id));
    let registry_id = text("registryId").or(from_arn).map(str::to_string);
    let anchor = lowering.anchor(Target::Deployed {
        name: name.clone(),
        registry_id: registry_id.clone(),
        region: region.map(str::to_string),
    });
    let origin = |at: &Node| deployed_origin(at, anchor);
    let string =
        |key: &'static str, at: Option<&Node>| at.map(|at| Value::one(key, read_text(at, anchor)));
    let mut tag_mutability = Value::new("imageTagMutability");
    if let Some(value) = node.get("imageTagMutability") {
        tag_mutability.candidates.push(Candidate {
            // The API answers with one of the four names; anything else was edited by hand.
            state: value
                .as_str()
                .and_then(TagMutability::parse)
                .map_or(Known::Rejected, Known::Is),
            origin: origin(value),
        });
    }
    let filters = node
        .get("imageTagMutabilityExclusionFilters")
        .and_then(Node::as_sequence)
        .map(|f| {
            f.items
                .iter()
                .filter_map(|i| string("filter", i.get("filter")))
                .collect()
        })
        .unwrap_or_default();
    let encryption = node.get("encryptionConfiguration");
    Repository {
        kind: RepositoryKind::Repository,
        at: node.range,
        deployed: Some(Deployed { name, registry_id }),
        name: string("repositoryName", node.get("repositoryName")),
        tag_mutability,
        exclusion_filters: filters,
        // describe-repositories nests it; batch-get-repository-scanning-configuration does not.
        scan_on_push: match node
            .get("imageScanningConfiguration")
            .and_then(|s| s.get("scanOnPush"))
            .or_else(|| node.get("scanOnPush"))
        {
            Some(s) => Value::one(
                "scanOnPush",
                Candidate {
                    state: match s.as_str() {
                        Some("true") => Known::Is(true),
                        Some("false") => Known::Is(false),
                        _ => Known::Rejected,
                    },
                    origin: origin(s),
                },
            ),
            None => Value::new("scanOnPush"),
        },
        scan_frequency: string("scanFrequency", node.get("scanFrequency")),
        encryption: Encryption {
            encryption_type: string(
                "encryptionType",
                encryption.and_then(|e| e.get("encryptionType")),
            )
            .unwrap_or_else(|| Value::new("encryptionType")),
            kms_key: string("kmsKey", encryption.and_then(|e| e.get("kmsKey"))),
        },
        // Not in this output: the source does not say.
        lifecycle_policy: Value::new("lifecyclePolicy"),
        policy: None,
        anchor,
    }
}

/// The origin of a value the AWS API reported for a repository that exists.
pub(super) fn deployed_origin(at: &Node, anchor: Anchor) -> Origin {
    Origin {
        range: at.range,
        via: None,
        written: Written::Deployed,
        anchor,
    }
}
