//! One region of a live account into the model: the document `crate::live` writes from what
//! `ecrlint audit` read through the AWS API — the repositories as `describe-repositories`
//! describes them, each with its policy and lifecycle policy texts and the scan frequency in
//! effect, the registry's policy, scanning and replication configurations — and the reads that
//! failed, each an ECR910 finding. Policies are lowered from their texts as every adapter lowers
//! them, so that a remedy inside one is an edit of that text (the corrected document).

use super::resolve::Literal;
use super::{cli_output, Lowering, OwnerForm};
use crate::model::{Candidate, Known, Replication, ReplicationDestination, Value};
use crate::rules::AUDIT_INCOMPLETE;
use crate::syntax::Node;

pub(super) fn lower<'a>(root: &'a Node, lowering: &mut Lowering<'a>) {
    let account = root.get("account").and_then(Node::as_str);
    let region = root.get("region").and_then(Node::as_str);
    lowering.model.assumed.owner_account = account.map(str::to_string);
    let owner = OwnerForm::account(account);
    if let Some(registry) = root.get("registry") {
        if let Some(text) = registry.get("policyText").filter(|t| !t.is_null()) {
            if let Some(policy) = super::policy::lower_string(text, owner, lowering) {
                lowering.model.registry.policies.push(Value::one(
                    "policyText",
                    Candidate {
                        state: Known::Is(policy),
                        origin: super::written_at(text, None),
                    },
                ));
            }
        }
        cli_output::lower_registry_scanning(registry, lowering);
        if let Some(replication) = registry.get("replicationConfiguration") {
            lower_replication(replication, lowering);
        }
        gaps(registry, region, lowering);
    }
    let listed = root.get("repositories").and_then(Node::as_sequence);
    for node in listed.into_iter().flat_map(|l| &l.items) {
        let mut repository = cli_output::deployed(node, region, lowering);
        match node.get("policyText") {
            Some(text) if !text.is_null() => {
                repository.policy = super::policy::lower_string(text, owner, lowering).map(|p| {
                    Value::one(
                        "policyText",
                        Candidate {
                            state: Known::Is(p),
                            origin: super::written_at(text, None),
                        },
                    )
                });
            }
            // No policy, or not read (a gap says why).
            _ => {}
        }
        match node.get("lifecyclePolicyText") {
            Some(text) if text.is_null() => {
                repository.lifecycle_policy = Value::one(
                    "lifecyclePolicyText",
                    Candidate {
                        state: Known::Is(None),
                        origin: cli_output::deployed_origin(text, repository.anchor),
                    },
                );
            }
            Some(text) => {
                if let Some(policy) = super::lifecycle::lower_string(text, &Literal, lowering) {
                    repository.lifecycle_policy = Value::one(
                        "lifecyclePolicyText",
                        Candidate {
                            state: Known::Is(Some(policy)),
                            origin: super::written_at(text, None),
                        },
                    );
                }
            }
            // Not read: the source does not say (a gap says why).
            None => {}
        }
        gaps(node, region, lowering);
        lowering.model.repositories.push(repository);
    }
    gaps(root, region, lowering);
}

/// `{"rules": [{"destinations": [{"region": …, "registryId": …}]}]}`.
fn lower_replication<'a>(node: &'a Node, lowering: &mut Lowering<'a>) {
    let rules = node.get("rules").and_then(Node::as_sequence);
    let destinations = rules
        .into_iter()
        .flat_map(|r| &r.items)
        .filter_map(|rule| rule.get("destinations").and_then(Node::as_sequence))
        .flat_map(|d| &d.items)
        .map(|d| {
            let read = |key: &'static str| {
                let mut value = Value::new(key);
                if let Some(at) = d.get(key) {
                    value
                        .candidates
                        .push(cli_output::read_text(at, crate::model::Anchor::NONE));
                }
                value
            };
            ReplicationDestination {
                region: read("region"),
                registry_id: read("registryId"),
            }
        })
        .collect();
    lowering.model.registry.replication.push(Replication {
        at: node.range,
        destinations,
    });
}

/// `"gaps": [{"call": …, "resource": …, "message": …}]`: reads that failed, each an ECR910 finding.
fn gaps<'a>(node: &'a Node, region: Option<&str>, lowering: &mut Lowering<'a>) {
    let listed = node.get("gaps").and_then(Node::as_sequence);
    for gap in listed.into_iter().flat_map(|l| &l.items) {
        let text = |key: &str| gap.get(key).and_then(Node::as_str).unwrap_or("");
        lowering.raise(
            &AUDIT_INCOMPLETE,
            gap.range,
            format!(
                "not audited: `{}` in {} for {}: {}",
                text("call"),
                region.unwrap_or("?"),
                text("resource"),
                text("message")
            ),
            None,
            Vec::new(),
        );
    }
}
