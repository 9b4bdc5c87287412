//! The one model of ECR that every adapter lowers into and every rule reads: the registry, its
//! repositories and repository creation templates, their policies, scanning, encryption and
//! lifecycle settings. Nothing here knows YAML, JSON, CloudFormation or the AWS CLI.
//!
//! Every value says where it came from ([`Origin`]): the range it was written at (and the
//! parameter `Default` it was reached through), or the place a default nobody wrote is anchored
//! at. A value can be several candidates (`Fn::If`, `AllowedValues`), or unknown with a reason.

pub mod lifecycle;
pub mod policy;

use smallvec::{smallvec, SmallVec};

use crate::diagnostic::Related;
use crate::text::{Text, TextRange};

pub use lifecycle::{
    Action, Field, Level, LifecyclePolicy, LifecycleProblem, LifecycleRule, Literal, Section,
    Selection, UnknownKey,
};
pub use policy::{
    names_everyone, principal_account, Clause, ConditionSet, ConditionValue, DocumentForm, Effect,
    Key, Owner, Policy, Principal, PrincipalForm, Statement,
};

/// What one source says about ECR.
#[derive(Clone, Debug, Default)]
pub struct Model {
    pub registry: Registry,
    /// Repositories, and repository creation templates (which configure the repositories they
    /// create), in source order.
    pub repositories: Vec<Repository>,
    /// Repository policies whose repository the source does not name (a policy document on its
    /// own).
    pub policies: Vec<Value<Policy>>,
    /// Lifecycle policies whose repository the source does not name (a policy document on its
    /// own, a Terraform `aws_ecr_lifecycle_policy` for a repository declared elsewhere).
    pub lifecycle_policies: Vec<Value<LifecyclePolicy>>,
    /// What the user's settings say about the world outside the source.
    pub assumed: Assumed,
}

/// Facts the source cannot hold, taken from the settings.
#[derive(Clone, Debug, Default)]
pub struct Assumed {
    /// The account that owns the registry (`account-id`), when given.
    pub owner_account: Option<String>,
    /// Accounts a policy may name besides the owner; empty when none were given.
    pub trusted_accounts: Vec<String>,
    /// A registry scanning configuration outside the source scans every repository.
    pub registry_scans_all: bool,
}

impl Model {
    /// Every repository policy: those attached to repositories and creation templates, and
    /// documents on their own.
    pub fn repository_policies(&self) -> impl Iterator<Item = &Value<Policy>> {
        self.repositories
            .iter()
            .filter_map(|r| r.policy.as_ref())
            .chain(&self.policies)
    }

    /// Every lifecycle policy written (those of repositories and creation templates, and those
    /// on their own), or unknown with the reason, each with its origin.
    pub fn every_lifecycle_policy(
        &self,
    ) -> impl Iterator<Item = (Known<&LifecyclePolicy>, &Origin)> {
        let attached = self
            .repositories
            .iter()
            .flat_map(|r| &r.lifecycle_policy.candidates)
            .filter_map(|c| {
                let state = match &c.state {
                    Known::Is(Some(policy)) => Known::Is(policy),
                    Known::Unknown(reason) => Known::Unknown(reason.clone()),
                    Known::Is(None) | Known::Rejected => return None,
                };
                Some((state, &c.origin))
            });
        let alone = self
            .lifecycle_policies
            .iter()
            .flat_map(|v| &v.candidates)
            .filter_map(|c| {
                let state = match &c.state {
                    Known::Is(policy) => Known::Is(policy),
                    Known::Unknown(reason) => Known::Unknown(reason.clone()),
                    Known::Rejected => return None,
                };
                Some((state, &c.origin))
            });
        attached.chain(alone)
    }
}

/// Settings of the registry as a whole.
#[derive(Clone, Debug, Default)]
pub struct Registry {
    /// Registry policies (`AWS::ECR::RegistryPolicy`), each possibly several candidates.
    pub policies: Vec<Value<Policy>>,
    pub scanning: Vec<RegistryScanning>,
    pub replication: Vec<Replication>,
}

/// A registry scanning configuration: its type and its rules.
#[derive(Clone, Debug)]
pub struct RegistryScanning {
    pub at: TextRange,
    /// `BASIC` or `ENHANCED`.
    pub scan_type: Value<Text>,
    pub rules: Vec<ScanningRule>,
}

#[derive(Clone, Debug)]
pub struct ScanningRule {
    /// `SCAN_ON_PUSH`, `CONTINUOUS_SCAN` or `MANUAL`.
    pub frequency: Value<Text>,
    /// `WILDCARD` filters on repository names (the only filter type AWS has).
    pub filters: Vec<Value<Text>>,
}

/// A replication configuration: where images go.
#[derive(Clone, Debug)]
pub struct Replication {
    pub at: TextRange,
    pub destinations: Vec<ReplicationDestination>,
}

#[derive(Clone, Debug)]
pub struct ReplicationDestination {
    pub region: Value<Text>,
    pub registry_id: Value<Text>,
}

/// A repository, or a creation template that configures repositories yet to be created.
#[derive(Clone, Debug)]
pub struct Repository {
    pub kind: RepositoryKind,
    /// Where a finding about the whole repository points: its logical id, or its description.
    pub at: TextRange,
    /// `Some` for a repository that exists (described by the AWS CLI or read from the account),
    /// `None` for one a template declares.
    pub deployed: Option<Deployed>,
    pub name: Option<Value<Text>>,
    pub tag_mutability: Value<TagMutability>,
    /// Exclusion filters of the `*_WITH_EXCLUSION` settings.
    pub exclusion_filters: Vec<Value<Text>>,
    /// `ScanOnPush`. Not written in a template: `false`, a default nobody wrote, anchored where
    /// a remedy writes it. No candidates when the source does not say (a creation template, which
    /// has no scanning settings; AWS CLI output that leaves it out).
    pub scan_on_push: Value<bool>,
    /// The scan frequency AWS reports as in effect for a repository that exists
    /// (`batch-get-repository-scanning-configuration`): the registry's rules and the repository's
    /// own setting already combined. `None` where the source does not say.
    pub scan_frequency: Option<Value<Text>>,
    pub encryption: Encryption,
    /// The lifecycle policy, or `None` when the repository has none (a default nobody wrote).
    /// No candidates when the source does not say (AWS CLI output that leaves it out).
    pub lifecycle_policy: Value<Option<LifecyclePolicy>>,
    /// The repository policy, when one is attached.
    pub policy: Option<Value<Policy>>,
    /// Anchors the remedies that rewrite the repository's settings as a whole.
    pub anchor: Anchor,
}

#[derive(Clone, Debug)]
pub enum RepositoryKind {
    Repository,
    /// A repository creation template (boxed: most repositories are not one).
    CreationTemplate(Box<CreationTemplate>),
}

/// What a repository creation template applies to.
#[derive(Clone, Debug)]
pub struct CreationTemplate {
    /// The start of the names of the repositories it creates (`ROOT`: every repository without
    /// a template of its own).
    pub prefix: Option<Value<Text>>,
    pub applied_for: Vec<Value<Text>>,
}

/// A repository that exists, named as the AWS API names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deployed {
    pub name: String,
    pub registry_id: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Encryption {
    /// `AES256`, `KMS` or `KMS_DSSE`. Not written in a template: `AES256`, a default nobody
    /// wrote. No candidates when the source does not say.
    pub encryption_type: Value<Text>,
    pub kms_key: Option<Value<Text>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagMutability {
    Mutable,
    Immutable,
    MutableWithExclusion,
    ImmutableWithExclusion,
}

impl TagMutability {
    /// The values AWS accepts, as AWS spells them.
    pub const ALL: [TagMutability; 4] = [
        TagMutability::Immutable,
        TagMutability::Mutable,
        TagMutability::ImmutableWithExclusion,
        TagMutability::MutableWithExclusion,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TagMutability::Mutable => "MUTABLE",
            TagMutability::Immutable => "IMMUTABLE",
            TagMutability::MutableWithExclusion => "MUTABLE_WITH_EXCLUSION",
            TagMutability::ImmutableWithExclusion => "IMMUTABLE_WITH_EXCLUSION",
        }
    }

    pub fn parse(text: &str) -> Option<TagMutability> {
        TagMutability::ALL.into_iter().find(|m| m.as_str() == text)
    }
}

/// A setting's value: every candidate it can take. Empty when the source does not say.
#[derive(Clone, Debug)]
pub struct Value<T> {
    /// The setting as the source names it (`ImageTagMutability`), for messages.
    pub setting: &'static str,
    pub candidates: SmallVec<[Candidate<T>; 1]>,
}

impl<T> Value<T> {
    pub fn new(setting: &'static str) -> Self {
        Value {
            setting,
            candidates: SmallVec::new(),
        }
    }

    pub fn one(setting: &'static str, candidate: Candidate<T>) -> Self {
        Value {
            setting,
            candidates: smallvec![candidate],
        }
    }

    /// The same candidates with their known values turned into another type.
    pub fn map<U>(self, mut f: impl FnMut(T) -> Known<U>) -> Value<U> {
        Value {
            setting: self.setting,
            candidates: self
                .candidates
                .into_iter()
                .map(|c| Candidate {
                    state: match c.state {
                        Known::Is(value) => f(value),
                        Known::Unknown(reason) => Known::Unknown(reason),
                        Known::Rejected => Known::Rejected,
                    },
                    origin: c.origin,
                })
                .collect(),
        }
    }

    /// A value nobody wrote: AWS's default, anchored at `range`.
    pub fn default_at(setting: &'static str, value: T, range: TextRange) -> Self {
        Value::one(
            setting,
            Candidate {
                state: Known::Is(value),
                origin: Origin {
                    range,
                    via: None,
                    written: Written::Default,
                    anchor: Anchor::NONE,
                },
            },
        )
    }

    /// The known values among the candidates.
    pub fn known(&self) -> impl Iterator<Item = (&T, &Candidate<T>)> {
        self.candidates.iter().filter_map(|c| match &c.state {
            Known::Is(value) => Some((value, c)),
            _ => None,
        })
    }
}

/// One value a setting can take, and where it comes from.
#[derive(Clone, Debug)]
pub struct Candidate<T> {
    pub state: Known<T>,
    pub origin: Origin,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Known<T> {
    Is(T),
    /// Cannot be known before deployment; the reason says why.
    Unknown(String),
    /// A value AWS would not accept. The adapter reports it (ECR902) where the source wrote it.
    Rejected,
}

/// Where a value comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// Where a finding about the value points: the value as written (the `!Ref` that pulls it
    /// in, the `Fn::If` branch), or, for a default nobody wrote, the place it is anchored at.
    pub range: TextRange,
    /// The place the value really comes from when that is elsewhere: a parameter's `Default`.
    pub via: Option<Box<Related>>,
    pub written: Written,
    /// Lets the adapter that lowered the value rewrite it.
    pub anchor: Anchor,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    /// Written in the source (or reached from it).
    Explicit,
    /// Nobody wrote it: AWS's default, anchored at `Origin::range`.
    Default,
    /// Read from a repository that exists (AWS CLI output, the live account).
    Deployed,
}

/// An opaque handle, given out by the adapter that lowered a value, by which the same adapter
/// finds the place to rewrite. Rules pass it back inside a [`Remedy`] and never look inside.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Anchor(pub(crate) u32);

impl Anchor {
    /// For values nothing can rewrite.
    pub const NONE: Anchor = Anchor(u32::MAX);
}

/// What a rule would change, in the model's terms; the source's adapter writes it as edits (or
/// as an `aws ecr …` command where there is no text to edit).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Remedy {
    /// Make image tags immutable: rewrite (or write, where it is missing) the tag mutability
    /// setting anchored at `value`. With `drop_exclusions`, the exclusion filters of the
    /// repository anchored at `repository` go too — an unsafe change.
    ImmutableTags {
        repository: Anchor,
        value: Anchor,
        drop_exclusions: bool,
    },
    /// Take an everyone-principal out of a policy: removed from its list when `beside_others`,
    /// else replaced by the owning account.
    RestrictPrincipal {
        principal: Anchor,
        written: String,
        beside_others: bool,
    },
    /// Take one action out of a statement's list of actions (others remain); `safe` when the
    /// action could never take effect there.
    RemoveAction {
        action: Anchor,
        written: Text,
        safe: bool,
    },
    /// Remove a key of a policy statement (`Resource`), which AWS rejects there.
    RemoveKey { key: Anchor, written: &'static str },
    /// Narrow a statement's only action, a wildcard, to the actions that pull images.
    PullOnly { action: Anchor, written: Text },
    /// Scan images on push: rewrite (or write, where it is missing) the repository's own
    /// scan-on-push setting anchored at `value`.
    ScanOnPush { value: Anchor },
}

/// The actions that pull an image, and nothing else: what a public repository is usually meant
/// to allow.
pub const PULL_ACTIONS: [&str; 3] = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
];
