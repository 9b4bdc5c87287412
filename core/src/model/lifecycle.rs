//! Lifecycle policies in the model: their rules, each key and value with where it is written,
//! and what the text holds besides (keys ECR does not know, nulls, JSON that does not parse).
//! The judgements over them live with the rules (ECR303).

use super::{Candidate, Known, Value};
use crate::text::{Text, TextRange};

/// A lifecycle policy as written.
#[derive(Clone, Debug, Default)]
pub struct LifecyclePolicy {
    /// The policy's text or document, for findings about it as a whole.
    pub at: TextRange,
    /// The text is not JSON: where reading stopped, and why. What could be read is lowered still.
    pub syntax_error: Option<LifecycleProblem>,
    /// The `rules` key, when it is written.
    pub rules_key: Option<TextRange>,
    pub rules: Vec<LifecycleRule>,
    /// Parts that are not the shape ECR reads (a document that is not an object, `rules` that is
    /// not a list, a `selection` that is not an object).
    pub misshapen: Vec<LifecycleProblem>,
    /// Keys ECR does not know, where they stand.
    pub unknown_keys: Vec<UnknownKey>,
    /// Every `null`, wherever it is written.
    pub nulls: Vec<TextRange>,
    /// Parts that cannot be known before deployment: what they hold is not lowered.
    pub unknown: Vec<Candidate<()>>,
}

/// Something about the text itself, with where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LifecycleProblem {
    pub range: TextRange,
    pub message: String,
}

/// A key the lifecycle policy grammar does not have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownKey {
    pub range: TextRange,
    pub key: Text,
    pub within: Level,
}

/// The objects of a lifecycle policy, each with the keys ECR accepts in it (the template of the
/// ECR User Guide, "Lifecycle policy template").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Policy,
    Rule,
    Selection,
    Action,
}

impl Level {
    pub fn keys(self) -> &'static [&'static str] {
        match self {
            Level::Policy => &["rules"],
            Level::Rule => &["rulePriority", "description", "selection", "action"],
            Level::Selection => &[
                "tagStatus",
                "tagPatternList",
                "tagPrefixList",
                "storageClass",
                "countType",
                "countUnit",
                "countNumber",
            ],
            Level::Action => &["type", "targetStorageClass"],
        }
    }

    /// Where a key stands, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Level::Policy => "the lifecycle policy",
            Level::Rule => "a rule",
            Level::Selection => "`selection`",
            Level::Action => "`action`",
        }
    }
}

/// One rule of `rules`.
#[derive(Clone, Debug, Default)]
pub struct LifecycleRule {
    /// The rule as written (the list item).
    pub at: TextRange,
    pub rule_priority: Option<Field>,
    pub description: Option<Field>,
    pub selection: Option<Section<Selection>>,
    pub action: Option<Section<Action>>,
}

/// An object under a key (`selection`, `action`), with its fields.
#[derive(Clone, Debug, Default)]
pub struct Section<T> {
    /// The key, where findings about what the object lacks point.
    pub key: TextRange,
    /// `None` when the value is not one object (noted in `misshapen` or `unknown`).
    pub fields: Option<T>,
}

#[derive(Clone, Debug, Default)]
pub struct Selection {
    pub tag_status: Option<Field>,
    pub tag_pattern_list: Option<Field>,
    pub tag_prefix_list: Option<Field>,
    pub storage_class: Option<Field>,
    pub count_type: Option<Field>,
    pub count_unit: Option<Field>,
    pub count_number: Option<Field>,
}

#[derive(Clone, Debug, Default)]
pub struct Action {
    pub action_type: Option<Field>,
    pub target_storage_class: Option<Field>,
}

/// A key and every value it can take.
#[derive(Clone, Debug)]
pub struct Field {
    /// The key as written.
    pub key: TextRange,
    /// The key and its value, for findings about the pair.
    pub entry: TextRange,
    pub value: Value<Literal>,
}

impl Field {
    /// Whether the key says something: written with a value that is not `null` (a `null` is a
    /// finding of its own).
    pub fn is_set(&self) -> bool {
        self.value
            .candidates
            .iter()
            .any(|c| !matches!(c.state, Known::Is(Literal::Null)))
    }
}

/// A value as the policy's JSON holds it.
#[derive(Clone, Debug)]
pub enum Literal {
    Null,
    Bool(bool),
    /// A number as written: `14`, `1.5`, `-1`, `1e3`.
    Number(Text),
    String(Text),
    /// A list, each item with its candidates.
    List(Vec<Value<Literal>>),
    Object,
}

impl Literal {
    /// The whole number this is, when it is one written without a fraction or exponent.
    pub fn as_integer(&self) -> Option<i64> {
        match self {
            Literal::Number(text) => text.parse().ok(),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Literal::String(text) => Some(text),
            _ => None,
        }
    }

    /// What kind of value this is, for messages: "the string `x`", "a list".
    pub fn describe(&self) -> String {
        match self {
            Literal::Null => "`null`".into(),
            Literal::Bool(b) => format!("`{b}`"),
            Literal::Number(n) => format!("`{n}`"),
            Literal::String(s) => format!("the string `\"{s}\"`"),
            Literal::List(_) => "a list".into(),
            Literal::Object => "an object".into(),
        }
    }
}
