//! Adapters: what a source is (decided from its content), and its lowering into the model. Each
//! source kind has its adapter — CloudFormation/SAM templates, policy documents, the output of
//! the AWS CLI — and each keeps, for every value it lowers, the place in its text a remedy would
//! rewrite ([`Target`]), so that it can render the rules' remedies as edits or commands.
//!
//! Values AWS would reject are reported here, while lowering (ECR902), with the syntax errors and
//! duplicate keys of policies held inside strings (ECR901, ECR904).

mod cli_output;
pub mod cloudformation;
mod lifecycle;
pub(crate) mod live;
mod policy;
mod render;
pub(crate) mod resolve;
mod terraform;

use serde::Serialize;
use typed_arena::Arena;

use crate::diagnostic::{Fix, Related};
use crate::model::{Anchor, Candidate, Known, Model, Origin, TagMutability, Value, Written};
use crate::rules::RuleMeta;
use crate::rules::INVALID_VALUE;
use crate::settings::Settings;
use crate::syntax::write::Writer;
use crate::syntax::{Document, Node};
use crate::text::Text;
use crate::text::TextRange;
use resolve::Evaluated;

pub use render::Rendered;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputKind {
    CloudformationTemplate,
    SamTemplate,
    /// An IAM resource policy document (`Statement` as a list or a single object).
    RepositoryPolicy,
    /// `aws ecr get-repository-policy`: a policy inside the JSON string `policyText`.
    GetRepositoryPolicyOutput,
    /// `aws ecr get-registry-policy`: the registry's policy inside `policyText`, no repository.
    GetRegistryPolicyOutput,
    /// `aws ecr describe-repositories` (or `create-repository`) output.
    DescribeRepositoriesOutput,
    /// `aws ecr get-registry-scanning-configuration` output: the registry's scanning rules.
    GetRegistryScanningConfigurationOutput,
    /// `aws ecr batch-get-repository-scanning-configuration` output: each repository's scan
    /// frequency in effect.
    BatchGetRepositoryScanningConfigurationOutput,
    /// A lifecycle policy document (`{"rules": [...]}`).
    LifecyclePolicy,
    /// `aws ecr get-lifecycle-policy`: a lifecycle policy inside the JSON string
    /// `lifecyclePolicyText`.
    GetLifecyclePolicyOutput,
    /// A Terraform configuration (`.tf`, HCL).
    Terraform,
    /// A Terraform plan as `terraform show -json` writes it: the values Terraform will apply.
    TerraformPlan,
    /// One region of a live account, read from the AWS API by `ecrlint audit` (never decided
    /// from a text: `crate::live` writes it and names its kind).
    LiveRegion,
    /// Not something ecrlint checks.
    Other,
}

impl InputKind {
    pub fn is_ours(self) -> bool {
        self != InputKind::Other
    }

    pub fn describe(self) -> &'static str {
        match self {
            InputKind::CloudformationTemplate => "CloudFormation template",
            InputKind::SamTemplate => "SAM template",
            InputKind::RepositoryPolicy => "repository policy",
            InputKind::GetRepositoryPolicyOutput => "aws ecr get-repository-policy output",
            InputKind::GetRegistryPolicyOutput => "aws ecr get-registry-policy output",
            InputKind::DescribeRepositoriesOutput => "aws ecr describe-repositories output",
            InputKind::GetRegistryScanningConfigurationOutput => {
                "aws ecr get-registry-scanning-configuration output"
            }
            InputKind::BatchGetRepositoryScanningConfigurationOutput => {
                "aws ecr batch-get-repository-scanning-configuration output"
            }
            InputKind::LifecyclePolicy => "lifecycle policy",
            InputKind::GetLifecyclePolicyOutput => "aws ecr get-lifecycle-policy output",
            InputKind::Terraform => "Terraform configuration",
            InputKind::TerraformPlan => "Terraform plan (terraform show -json)",
            InputKind::LiveRegion => "a region of a live account",
            InputKind::Other => "not a template, policy or ECR CLI output",
        }
    }

    /// Decides from a parsed root value, asking each adapter in turn.
    pub fn of(root: &Node) -> InputKind {
        if root.as_mapping().is_none() {
            return InputKind::Other;
        }
        cloudformation::detect(root)
            .or_else(|| terraform::detect_plan(root))
            .or_else(|| cli_output::detect(root))
            .or_else(|| terraform::detect_json(root))
            .or_else(|| policy::detect(root))
            .or_else(|| lifecycle::detect(root))
            .unwrap_or(InputKind::Other)
    }

    /// A guess from the raw text, for a document that did not parse: is a syntax error worth
    /// showing to an editor that did not ask about this file?
    pub fn sniff(source: &str) -> InputKind {
        let head = &source[..floor_char_boundary(source, 64 * 1024)];
        if head.contains("\"terraform_version\"")
            && (head.contains("\"planned_values\"") || head.contains("\"resource_changes\""))
        {
            InputKind::TerraformPlan
        } else if head.contains("AWS::Serverless") {
            InputKind::SamTemplate
        } else if head.contains("AWSTemplateFormatVersion") || head.contains("AWS::") {
            InputKind::CloudformationTemplate
        } else if head.contains("scanningConfigurations") {
            InputKind::BatchGetRepositoryScanningConfigurationOutput
        } else if head.contains("scanningConfiguration") {
            InputKind::GetRegistryScanningConfigurationOutput
        } else if head.contains("lifecyclePolicyText") {
            InputKind::GetLifecyclePolicyOutput
        } else if head.contains("policyText") {
            InputKind::GetRepositoryPolicyOutput
        } else if head.contains("repositoryArn") {
            InputKind::DescribeRepositoriesOutput
        } else if head.contains("Statement") {
            InputKind::RepositoryPolicy
        } else if head.contains("rulePriority") {
            InputKind::LifecyclePolicy
        } else {
            InputKind::Other
        }
    }
}

fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// A finding before the settings decide whether and how it is reported: raised while lowering
/// (a value AWS would reject, a syntax problem of a policy held in a string), or by the engine.
#[derive(Clone, Debug)]
pub(crate) struct Raised {
    pub rule: &'static RuleMeta,
    pub range: TextRange,
    pub message: String,
    pub fix: Option<Fix>,
    pub related: Vec<Related>,
    /// The `aws ecr` command a remedy became (a repository that exists).
    pub command: Option<String>,
}

impl Raised {
    pub fn new(rule: &'static RuleMeta, range: TextRange, message: String) -> Self {
        Raised {
            rule,
            range,
            message,
            fix: None,
            related: Vec::new(),
            command: None,
        }
    }
}

/// A source lowered into the model, with what its adapter needs to render remedies.
pub(crate) struct Lowered<'a> {
    pub kind: InputKind,
    pub model: Model,
    pub raised: Vec<Raised>,
    /// A policy held in a string did not parse: the source as a whole is not sound to rewrite.
    pub embedded_syntax_error: bool,
    /// The CloudFormation view, for suppressions in `Metadata`.
    pub template: Option<cloudformation::Template<'a>>,
    /// Ranges of the source that speak of one named thing, sorted: a plan's resource objects
    /// and their addresses, which the findings in them name.
    subjects: Vec<(TextRange, String)>,
    targets: Vec<Target<'a>>,
    sites: Vec<Site<'a>>,
}

impl Lowered<'_> {
    /// The name of what a range speaks of, when the source's positions alone do not say it (a
    /// plan's resource address).
    pub fn subject(&self, range: TextRange) -> Option<&str> {
        let after = self
            .subjects
            .partition_point(|(r, _)| r.start <= range.start);
        let (within, name) = self.subjects[..after].last()?;
        (range.end <= within.end).then_some(name.as_str())
    }
}

/// Where in a source a remedy writes: kept by the adapter, named in the model by an [`Anchor`].
#[derive(Clone, Debug)]
pub(crate) enum Target<'a> {
    /// A value written in the text. `at` is where it stands (the `!Ref`, the `Fn::If` branch),
    /// `literal` the scalar holding its text (a parameter's `Default`), `parameter` set when the
    /// value comes from one, with whether the parameter would accept the value a remedy writes.
    Scalar {
        site: usize,
        setting: &'static str,
        literal: Option<&'a Node>,
        parameter: Option<ParameterUse>,
    },
    /// A template setting nobody wrote: the resource, and its `Properties` when present. For a
    /// nested setting (`ImageScanningConfiguration.ScanOnPush`), `setting` is the outermost one
    /// missing and `properties` the mapping (or block body) it goes into.
    Missing {
        site: usize,
        setting: &'static str,
        resource: &'a Node,
        properties: Option<&'a Node>,
    },
    /// A template resource's `Properties`, for remedies that touch several settings.
    Properties {
        site: usize,
        properties: Option<&'a Node>,
    },
    /// A repository that exists: remedies are `aws ecr` commands (with `--region` when the
    /// source says which).
    Deployed {
        name: String,
        registry_id: Option<String>,
        region: Option<String>,
    },
    /// One value of a policy's `Action`, `NotAction` or `Resource`: `at` where it stands, `list`
    /// the sequence holding it and its index there, when it is one of several.
    Element {
        site: usize,
        at: &'a Node,
        list: Option<(&'a Node, usize)>,
    },
    /// A key of a mapping, which a remedy removes with its value.
    Entry {
        site: usize,
        mapping: &'a Node,
        key: &'static str,
    },
    /// A principal of a policy.
    Principal {
        site: usize,
        at: &'a Node,
        place: Place<'a>,
    },
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct ParameterUse {
    /// Whether the parameter would accept the value the remedy writes (`IMMUTABLE`, `true`).
    pub accepts_remedy: bool,
}

/// Where an everyone-principal stands, which decides how a fix rewrites it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Place<'a> {
    /// `Principal: "*"`.
    Whole,
    /// `Principal: {AWS: "*"}`.
    AwsValue,
    /// One element of `Principal: {AWS: [...]}`.
    AwsListItem { list: &'a Node, index: usize },
}

/// A stretch of text that edits are written into: the document, or a policy inside one of its
/// strings, and how the owning account can be written there.
pub(crate) struct Site<'a> {
    pub writer: Writer<'a>,
    pub owner: OwnerForm<'a>,
}

/// How the owning account's root can be written where a policy stands.
#[derive(Clone, Copy, Debug)]
pub(crate) enum OwnerForm<'a> {
    /// Template structure: `Fn::Sub` with `${AWS::Partition}` and `${AWS::AccountId}`.
    Template,
    /// Text inside an `Fn::Sub` string: the same variables, written inline.
    SubText,
    /// A known account id (`--account-id`, or get-repository-policy's `registryId`).
    Account(&'a str),
    /// Terraform: the account of `data.aws_caller_identity.<identity>` (and the partition of
    /// `data.aws_partition.<partition>`), interpolated; `inline` inside text that is already a
    /// template (a heredoc), else written as a template string.
    Terraform {
        identity: &'a str,
        partition: Option<&'a str>,
        inline: bool,
    },
    /// No account known: no fix.
    Unknown,
}

impl<'a> OwnerForm<'a> {
    pub fn account(id: Option<&'a str>) -> Self {
        id.map_or(OwnerForm::Unknown, OwnerForm::Account)
    }

    pub fn owner(self) -> Option<crate::model::Owner> {
        match self {
            OwnerForm::Template | OwnerForm::SubText | OwnerForm::Terraform { .. } => {
                Some(crate::model::Owner::Deployment)
            }
            OwnerForm::Account(id) => Some(crate::model::Owner::Account(id.to_string())),
            OwnerForm::Unknown => None,
        }
    }
}

/// What lowering collects: the model as it grows, the targets and sites behind its anchors,
/// and the findings raised on the way.
pub(crate) struct Lowering<'a> {
    pub source: &'a str,
    /// Holds the trees of policies parsed out of strings, for as long as the source.
    pub arena: &'a Arena<Node>,
    pub settings: &'a Settings,
    pub model: Model,
    pub raised: Vec<Raised>,
    pub embedded_syntax_error: bool,
    /// See [`Lowered::subject`].
    pub subjects: Vec<(TextRange, String)>,
    targets: Vec<Target<'a>>,
    sites: Vec<Site<'a>>,
}

impl<'a> Lowering<'a> {
    fn new(source: &'a str, arena: &'a Arena<Node>, settings: &'a Settings) -> Self {
        Lowering {
            source,
            arena,
            settings,
            model: Model::default(),
            raised: Vec::new(),
            embedded_syntax_error: false,
            subjects: Vec::new(),
            targets: Vec::new(),
            sites: Vec::new(),
        }
    }

    pub fn anchor(&mut self, target: Target<'a>) -> Anchor {
        self.targets.push(target);
        Anchor(crate::text::to_u32(self.targets.len() - 1))
    }

    pub fn site(&mut self, site: Site<'a>) -> usize {
        self.sites.push(site);
        self.sites.len() - 1
    }

    pub fn writer(&self, site: usize) -> &Writer<'a> {
        &self.sites[site].writer
    }

    pub fn raise(
        &mut self,
        rule: &'static RuleMeta,
        range: TextRange,
        message: String,
        fix: Option<Fix>,
        related: Vec<Related>,
    ) {
        self.raised.push(Raised {
            rule,
            range,
            message,
            fix,
            related,
            command: None,
        });
    }

    fn finish(
        self,
        kind: InputKind,
        template: Option<cloudformation::Template<'a>>,
    ) -> Lowered<'a> {
        Lowered {
            kind,
            model: self.model,
            raised: self.raised,
            embedded_syntax_error: self.embedded_syntax_error,
            template,
            subjects: self.subjects,
            targets: self.targets,
            sites: self.sites,
        }
    }
}

/// Decides what a parsed source is and lowers it into the model.
/// `written` is the syntax fixes are written in: the document's own, but for a module whose
/// checked file is in Terraform's JSON syntax, read with its `.tf` siblings as one HCL tree.
pub(crate) fn lower<'a>(
    source: &'a str,
    document: &'a Document,
    written: crate::syntax::Format,
    arena: &'a Arena<Node>,
    settings: &'a Settings,
    forced: Option<InputKind>,
) -> Lowered<'a> {
    let mut lowering = Lowering::new(source, arena, settings);
    lowering.model.assumed = crate::model::Assumed {
        owner_account: settings.account_id.clone(),
        trusted_accounts: settings.trusted_accounts.clone(),
        registry_scans_all: settings.registry_scanning
            == crate::settings::RegistryScanningSetting::CoversAll,
    };
    let hcl = document.format == crate::syntax::Format::Hcl;
    let Some(root) = &document.root else {
        let kind = if hcl {
            InputKind::Terraform
        } else {
            InputKind::sniff(source)
        };
        return lowering.finish(kind, None);
    };
    let kind = if let Some(kind) = forced {
        kind
    } else if hcl {
        terraform::detect(root).unwrap_or(InputKind::Other)
    } else {
        InputKind::of(root)
    };
    let mut template = None;
    match kind {
        InputKind::CloudformationTemplate | InputKind::SamTemplate => {
            let view = cloudformation::Template::new(root);
            cloudformation::lower(&view, document.format, &mut lowering);
            template = Some(view);
        }
        InputKind::RepositoryPolicy => policy::lower_document(root, document.format, &mut lowering),
        InputKind::GetRepositoryPolicyOutput | InputKind::GetRegistryPolicyOutput => {
            cli_output::lower_policy_output(root, &mut lowering)
        }
        InputKind::DescribeRepositoriesOutput => {
            cli_output::lower_repositories(root, &mut lowering)
        }
        InputKind::GetRegistryScanningConfigurationOutput => {
            cli_output::lower_registry_scanning(root, &mut lowering)
        }
        InputKind::BatchGetRepositoryScanningConfigurationOutput => {
            cli_output::lower_repository_scanning(root, &mut lowering)
        }
        InputKind::LifecyclePolicy => lifecycle::lower_document(root, &mut lowering),
        InputKind::GetLifecyclePolicyOutput => {
            cli_output::lower_lifecycle_output(root, &mut lowering)
        }
        InputKind::Terraform => terraform::lower(root, document.format, written, &mut lowering),
        InputKind::TerraformPlan => terraform::lower_plan(root, &mut lowering),
        InputKind::LiveRegion => live::lower(root, &mut lowering),
        InputKind::Other => {}
    }
    lowering.finish(kind, template)
}

/// A document in Terraform's JSON syntax as the tree the HCL reader gives (for a `.tf.json` file
/// joined to a module's other files).
pub(crate) fn terraform_json_tree(root: &Node) -> Node {
    terraform::json_tree(root)
}

/// Whether a JSON document is in Terraform's JSON syntax.
pub(crate) fn is_terraform_json(root: &Node) -> bool {
    terraform::detect_json(root).is_some()
}

/// The origin of a value written at `at` (reached through `via`), which no remedy rewrites.
pub(crate) fn written_at(at: &Node, via: Option<Related>) -> Origin {
    Origin {
        range: at.range,
        via: via.map(Box::new),
        written: Written::Explicit,
        anchor: Anchor::NONE,
    }
}

/// A string value as the model holds it: text (an opaque value as `${…}`), or unknown, or a
/// non-string AWS would not take.
pub(crate) fn text_candidate(candidate: resolve::Candidate<'_>) -> Candidate<Text> {
    let state = match &candidate.value {
        resolve::Evaluated::Unknown(reason) => Known::Unknown(reason.clone()),
        value => value.text().map_or(Known::Rejected, Known::Is),
    };
    Candidate {
        state,
        origin: written_at(candidate.at, candidate.origin),
    }
}

/// A tag mutability nobody wrote: AWS's default, `MUTABLE`, anchored where a remedy writes it.
pub(crate) fn unwritten_mutability(
    setting: &'static str,
    range: TextRange,
    anchor: Anchor,
) -> Value<TagMutability> {
    Value::one(
        setting,
        Candidate {
            state: Known::Is(TagMutability::Mutable),
            origin: Origin {
                range,
                via: None,
                written: Written::Default,
                anchor,
            },
        },
    )
}

/// A `true`/`false` text (any letter case, as CloudFormation and Terraform read them).
fn parse_boolean(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// A scan-on-push setting nobody wrote: AWS's default, `false`, anchored where a remedy writes
/// it.
pub(crate) fn unwritten_scan_on_push(
    setting: &'static str,
    range: TextRange,
    anchor: Anchor,
) -> Value<bool> {
    Value::one(
        setting,
        Candidate {
            state: Known::Is(false),
            origin: Origin {
                range,
                via: None,
                written: Written::Default,
                anchor,
            },
        },
    )
}

/// A candidate written at `at` (reached through `via`), anchored at `target` for a remedy.
fn anchored<'a, T>(
    lowering: &mut Lowering<'a>,
    target: Target<'a>,
    at: TextRange,
    via: Option<Related>,
    state: Known<T>,
) -> Candidate<T> {
    let anchor = lowering.anchor(target);
    Candidate {
        state,
        origin: Origin {
            range: at,
            via: via.map(Box::new),
            written: Written::Explicit,
            anchor,
        },
    }
}

/// The candidates of a scan-on-push setting: each parsed, a value AWS rejects reported where it
/// is written, each anchored for the remedy. `accepts` names who rejects it
/// ("CloudFormation"); `parameter_use` says whether a parameter or variable the value comes
/// through would take `true`.
pub(crate) fn scan_on_push<'a>(
    lowering: &mut Lowering<'a>,
    site: usize,
    setting: &'static str,
    accepts: &str,
    candidates: resolve::Candidates<'a>,
    parameter_use: &dyn Fn(&Related) -> ParameterUse,
) -> Value<bool> {
    let mut out = Value::new(setting);
    for candidate in candidates {
        let literal = match &candidate.value {
            Evaluated::Node(node) => Some(*node),
            _ => None,
        };
        let related: Vec<Related> = candidate.origin.clone().into_iter().collect();
        let at = candidate.at.range;
        let state = match &candidate.value {
            Evaluated::Unknown(reason) => Known::Unknown(reason.clone()),
            Evaluated::Opaque(_) => Known::Unknown("the value is computed at deployment".into()),
            value => match value.as_str().and_then(parse_boolean) {
                Some(scan) => Known::Is(scan),
                None => {
                    let through = candidate
                        .origin
                        .as_ref()
                        .map(|r| format!(" (through {})", r.message))
                        .unwrap_or_default();
                    let written = value.as_str().unwrap_or("this value");
                    lowering.raise(
                        &INVALID_VALUE,
                        at,
                        format!(
                            "`{written}` is not a valid `{setting}`{through}; {accepts} accepts true or false"
                        ),
                        None,
                        related,
                    );
                    Known::Rejected
                }
            },
        };
        let parameter = candidate.origin.as_ref().map(parameter_use);
        let target = Target::Scalar {
            site,
            setting,
            literal,
            parameter,
        };
        out.candidates
            .push(anchored(lowering, target, at, candidate.origin, state));
    }
    out
}

/// The candidates of a tag mutability setting: each parsed, a value AWS rejects reported where
/// it is written (with its spelling fixed when only the letter case is wrong), each anchored for
/// the remedy. `accepts` names who rejects it ("CloudFormation"); `parameter_use` says whether a
/// parameter or variable the value comes through would take `IMMUTABLE`.
pub(crate) fn tag_mutability<'a>(
    lowering: &mut Lowering<'a>,
    site: usize,
    setting: &'static str,
    accepts: &str,
    candidates: resolve::Candidates<'a>,
    parameter_use: &dyn Fn(&Related) -> ParameterUse,
) -> Value<TagMutability> {
    let valid: Vec<&str> = TagMutability::ALL.iter().map(|m| m.as_str()).collect();
    let mut out = Value::new(setting);
    for candidate in candidates {
        let literal = match &candidate.value {
            Evaluated::Node(node) => Some(*node),
            _ => None,
        };
        let through = candidate
            .origin
            .as_ref()
            .map(|r| format!(" (through {})", r.message))
            .unwrap_or_default();
        let related: Vec<Related> = candidate.origin.clone().into_iter().collect();
        let at = candidate.at.range;
        let state = match &candidate.value {
            Evaluated::Unknown(reason) => Known::Unknown(reason.clone()),
            Evaluated::Opaque(_) => Known::Unknown("the value is computed at deployment".into()),
            value => match value.as_str() {
                Some(text) => match TagMutability::parse(text) {
                    Some(mutability) => Known::Is(mutability),
                    None => {
                        let fix = match (&candidate.origin, literal) {
                            (None, Some(node)) => valid
                                .iter()
                                .find(|v| v.eq_ignore_ascii_case(text))
                                .and_then(|valid| {
                                    let edit =
                                        lowering.writer(site).replace_scalar_text(node, valid)?;
                                    Some(Fix::safe(format!("Write `{valid}`"), vec![edit]))
                                }),
                            _ => None,
                        };
                        lowering.raise(
                                &INVALID_VALUE,
                                at,
                                format!(
                                    "`{text}` is not a valid `{setting}`{through}; {accepts} accepts {}",
                                    valid.join(", ")
                                ),
                                fix,
                                related.clone(),
                            );
                        Known::Rejected
                    }
                },
                None => {
                    lowering.raise(
                        &INVALID_VALUE,
                        at,
                        format!("`{setting}` must be a string, one of {}", valid.join(", ")),
                        None,
                        related.clone(),
                    );
                    Known::Rejected
                }
            },
        };
        let parameter = candidate.origin.as_ref().map(parameter_use);
        let target = Target::Scalar {
            site,
            setting,
            literal,
            parameter,
        };
        out.candidates
            .push(anchored(lowering, target, at, candidate.origin, state));
    }
    out
}
