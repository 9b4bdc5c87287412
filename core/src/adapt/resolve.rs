//! Turning a node into the values it can take: literally (a policy document, CLI output), or
//! through CloudFormation's intrinsic functions (`cloudformation::Template`).

use smallvec::{smallvec, SmallVec};

use crate::diagnostic::Related;
use crate::syntax::Node;
use crate::text::Text;

/// The values a node can take: nearly always one, kept without an allocation.
pub type Candidates<'a> = SmallVec<[Candidate<'a>; 1]>;

/// One value a node can take.
#[derive(Clone, Debug)]
pub struct Candidate<'a> {
    pub value: Evaluated<'a>,
    /// The node in the source that gives this value: the node itself, the `Fn::If` branch, or the
    /// `!Ref` that pulls it from a parameter. A fix replaces this node.
    pub at: &'a Node,
    /// Where the value really comes from when that is elsewhere (a parameter's `Default`).
    pub origin: Option<Related>,
}

#[derive(Clone, Debug)]
pub enum Evaluated<'a> {
    /// A literal node of the document (a scalar, mapping or sequence without intrinsics).
    Node(&'a Node),
    /// A string computed by `Fn::Sub`, `Fn::Join` or taken from a parameter.
    Text(String),
    /// Something definite but not known as text, named as `Fn::Sub` would name it:
    /// `Role.Arn` for `!GetAtt Role.Arn`, `AWS::AccountId` for `!Ref AWS::AccountId`.
    Opaque(String),
    /// Cannot be known before deployment, and why.
    Unknown(String),
}

impl<'a> Evaluated<'a> {
    /// The string this value is, when it is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Evaluated::Node(node) => node.as_str(),
            Evaluated::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The text this value stands for: an opaque value as `Fn::Sub` would write it.
    pub fn text(&self) -> Option<Text> {
        match self {
            Evaluated::Opaque(what) => Some(Text::from(placeholder(what))),
            other => other.as_str().map(Text::from),
        }
    }
}

/// Turns a node into the values it can take. For a raw policy there are no intrinsics: every node
/// is its own value. For a template, intrinsic functions are evaluated.
pub trait Resolve<'a> {
    fn resolve(&self, node: &'a Node) -> Candidates<'a>;
}

/// The resolver for documents without intrinsic functions.
pub struct Literal;

impl<'a> Resolve<'a> for Literal {
    fn resolve(&self, node: &'a Node) -> Candidates<'a> {
        smallvec![Candidate {
            value: Evaluated::Node(node),
            at: node,
            origin: None,
        }]
    }
}

/// Stands for a definite value that is not known as text (an account id, a resource's ARN),
/// written as `Fn::Sub` would: `${AWS::AccountId}`. ARN splitting treats `${…}` as one piece.
pub fn placeholder(what: &str) -> String {
    format!("${{{}}}", what.replace('*', "_"))
}
