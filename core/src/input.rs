//! What a source is, decided from its content: a CloudFormation or SAM template, an IAM policy
//! document, the output of `aws ecr get-repository-policy` or `aws ecr describe-repositories`,
//! or something that is not ours (a Kubernetes manifest, `package.json`), which stays silent.

use serde::Serialize;

use crate::cfn::Template;
use crate::syntax::{Document, Node};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputKind {
    CloudformationTemplate,
    SamTemplate,
    /// An IAM resource policy document (`Statement` as a list or a single object).
    RepositoryPolicy,
    /// `aws ecr get-repository-policy`: a policy inside the JSON string `policyText`.
    GetRepositoryPolicyOutput,
    /// `aws ecr describe-repositories` (or `create-repository`) output.
    DescribeRepositoriesOutput,
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
            InputKind::DescribeRepositoriesOutput => "aws ecr describe-repositories output",
            InputKind::Other => "not a template, policy or ECR CLI output",
        }
    }

    /// Decides from a parsed root value.
    pub fn of(root: &Node) -> InputKind {
        let Some(mapping) = root.as_mapping() else {
            return InputKind::Other;
        };
        let has = |key: &str| mapping.get(key).is_some();
        if let Some(transform) = mapping.get("Transform") {
            if mentions_sam(transform) {
                return InputKind::SamTemplate;
            }
        }
        let resources_look_like_cfn = mapping
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
        if has("AWSTemplateFormatVersion") || resources_look_like_cfn {
            return InputKind::CloudformationTemplate;
        }
        if mapping.get("policyText").and_then(Node::as_str).is_some() {
            return InputKind::GetRepositoryPolicyOutput;
        }
        let is_repository =
            |n: &Node| n.get("repositoryArn").is_some() || n.get("repositoryName").is_some();
        let listed = mapping
            .get("repositories")
            .and_then(Node::as_sequence)
            .is_some_and(|s| s.items.iter().any(is_repository));
        if listed || mapping.get("repository").is_some_and(is_repository) {
            return InputKind::DescribeRepositoriesOutput;
        }
        if has("Statement") {
            return InputKind::RepositoryPolicy;
        }
        InputKind::Other
    }

    /// A guess from the raw text, for a document that did not parse: is a syntax error worth
    /// showing to an editor that did not ask about this file?
    pub fn sniff(source: &str) -> InputKind {
        let head = &source[..floor_char_boundary(source, 64 * 1024)];
        if head.contains("AWS::Serverless") {
            InputKind::SamTemplate
        } else if head.contains("AWSTemplateFormatVersion") || head.contains("AWS::") {
            InputKind::CloudformationTemplate
        } else if head.contains("policyText") {
            InputKind::GetRepositoryPolicyOutput
        } else if head.contains("repositoryArn") {
            InputKind::DescribeRepositoriesOutput
        } else if head.contains("Statement") {
            InputKind::RepositoryPolicy
        } else {
            InputKind::Other
        }
    }
}

fn mentions_sam(transform: &Node) -> bool {
    match transform.as_sequence() {
        Some(list) => list.items.iter().any(mentions_sam),
        None => transform
            .as_str()
            .is_some_and(|t| t.starts_with("AWS::Serverless")),
    }
}

fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// A source with its parsed document, its kind, and the CloudFormation view when it is a template.
pub struct Input<'a> {
    pub source: &'a str,
    pub document: &'a Document,
    pub kind: InputKind,
    pub template: Option<Template<'a>>,
}

impl<'a> Input<'a> {
    pub fn new(source: &'a str, document: &'a Document) -> Self {
        let kind = match &document.root {
            Some(root) => InputKind::of(root),
            None => InputKind::sniff(source),
        };
        let template = match (&document.root, kind) {
            (Some(root), InputKind::CloudformationTemplate | InputKind::SamTemplate) => {
                Some(Template::new(root))
            }
            _ => None,
        };
        Input {
            source,
            document,
            kind,
            template,
        }
    }

    pub fn root(&self) -> Option<&'a Node> {
        self.document.root.as_ref()
    }
}
