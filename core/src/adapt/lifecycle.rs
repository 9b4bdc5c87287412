//! Lifecycle policies into the model, the one lowering every adapter uses: a policy document on
//! its own (`{"rules": [...]}`), JSON text inside a string (ranges mapped back through the
//! string's escapes), or structure (Terraform's `jsonencode({…})`). Every key and value keeps its
//! range; keys ECR does not know, nulls, parts of a shape ECR does not read and JSON that does
//! not parse are kept for ECR303 to judge, never dropped.

use super::resolve::{Evaluated, Literal as LiteralResolver, Resolve};
use super::{written_at, InputKind, Lowering};
use crate::model::{
    Action, Candidate, Field, Known, Level, LifecyclePolicy, LifecycleProblem, LifecycleRule,
    Literal, Section, Selection, UnknownKey, Value,
};
use crate::rules::DUPLICATE_KEY;
use crate::syntax::{parse_embedded_json, Entry, Node, NodeKind, ScalarStyle};
use crate::text::{Text, TextRange};

/// A document whose top level is `{"rules": [...]}` and nothing that another kind reads.
pub(super) fn detect(root: &Node) -> Option<InputKind> {
    let mapping = root.as_mapping()?;
    let rules = root.get("rules")?;
    let only_rules = mapping.entries.iter().all(|e| e.key.text == "rules");
    let listed = rules
        .as_sequence()
        .is_some_and(|l| l.items.iter().all(|i| i.as_mapping().is_some()));
    (only_rules && listed).then_some(InputKind::LifecyclePolicy)
}

/// A lifecycle policy document on its own: its repository is not named.
pub(super) fn lower_document<'a>(root: &'a Node, lowering: &mut Lowering<'a>) {
    let policy = lower(root, &LiteralResolver);
    lowering.model.lifecycle_policies.push(Value::one(
        "lifecycle policy",
        Candidate {
            state: Known::Is(policy),
            origin: written_at(root, None),
        },
    ));
}

/// A lifecycle policy held in a string scalar; `None` when `text` is not a string. The values
/// inside are evaluated by `resolver` (Terraform fills in the `${…}` of a heredoc). Duplicate
/// keys are reported here (ECR904); a syntax error is kept in the policy, and whatever the
/// lenient reading gives is lowered still.
pub(super) fn lower_string<'a>(
    text: &'a Node,
    resolver: &dyn Resolve<'a>,
    lowering: &mut Lowering<'a>,
) -> Option<LifecyclePolicy> {
    let embedded = parse_embedded_json(lowering.source, text, "lifecycle policy")?;
    for duplicate in &embedded.duplicate_keys {
        let (message, related) = crate::rules::duplicate_key::describe(duplicate);
        lowering.raise(&DUPLICATE_KEY, duplicate.range, message, None, related);
    }
    let syntax_error = embedded.errors.first().map(|e| LifecycleProblem {
        range: e.range,
        message: e.message.clone(),
    });
    let mut policy = match embedded.root {
        Some(root) => {
            // The tree lives as long as the source, like every other node the model points at.
            let root: &'a Node = lowering.arena.alloc(root);
            lower(root, resolver)
        }
        None => LifecyclePolicy::default(),
    };
    policy.at = text.range;
    policy.syntax_error = syntax_error;
    Some(policy)
}

/// Lowers a lifecycle policy document (a mapping, or something that evaluates to one).
pub(super) fn lower<'a>(document: &'a Node, resolver: &dyn Resolve<'a>) -> LifecyclePolicy {
    let mut reader = Reader {
        resolver,
        policy: LifecyclePolicy {
            at: document.range,
            ..LifecyclePolicy::default()
        },
    };
    reader.document(document);
    reader.policy
}

struct Reader<'r, 'a> {
    resolver: &'r dyn Resolve<'a>,
    policy: LifecyclePolicy,
}

impl<'a> Reader<'_, 'a> {
    fn document(&mut self, document: &'a Node) {
        let Some(root) = self.object(
            document,
            "the lifecycle policy must be an object with `rules`",
        ) else {
            return;
        };
        for entry in self.entries(root, Level::Policy) {
            self.policy.rules_key = Some(entry.key.range);
            self.rules(&entry.value);
        }
    }

    fn rules(&mut self, rules: &'a Node) {
        const SHAPE: &str = "`rules` must be a list of rules";
        let Some(list) = self.one(rules, SHAPE) else {
            return;
        };
        let Some(items) = list.as_sequence() else {
            self.misshapen(list, SHAPE);
            return;
        };
        for item in &items.items {
            let Some(node) = self.object(item, "each rule must be an object") else {
                continue;
            };
            let mut rule = LifecycleRule {
                at: item.range,
                ..LifecycleRule::default()
            };
            for entry in self.entries(node, Level::Rule) {
                match entry.key.text.as_str() {
                    "rulePriority" => rule.rule_priority = Some(self.field(entry)),
                    "description" => rule.description = Some(self.field(entry)),
                    "selection" => rule.selection = Some(self.selection(entry)),
                    _ => rule.action = Some(self.action(entry)),
                }
            }
            self.policy.rules.push(rule);
        }
    }

    fn selection(&mut self, entry: &'a Entry) -> Section<Selection> {
        let Some(node) = self.object(&entry.value, "`selection` must be an object") else {
            return Section {
                key: entry.key.range,
                fields: None,
            };
        };
        let mut fields = Selection::default();
        for entry in self.entries(node, Level::Selection) {
            let field = Some(self.field(entry));
            match entry.key.text.as_str() {
                "tagStatus" => fields.tag_status = field,
                "tagPatternList" => fields.tag_pattern_list = field,
                "tagPrefixList" => fields.tag_prefix_list = field,
                "storageClass" => fields.storage_class = field,
                "countType" => fields.count_type = field,
                "countUnit" => fields.count_unit = field,
                _ => fields.count_number = field,
            }
        }
        Section {
            key: entry.key.range,
            fields: Some(fields),
        }
    }

    fn action(&mut self, entry: &'a Entry) -> Section<Action> {
        let Some(node) = self.object(&entry.value, "`action` must be an object") else {
            return Section {
                key: entry.key.range,
                fields: None,
            };
        };
        let mut fields = Action::default();
        for entry in self.entries(node, Level::Action) {
            let field = Some(self.field(entry));
            match entry.key.text.as_str() {
                "type" => fields.action_type = field,
                _ => fields.target_storage_class = field,
            }
        }
        Section {
            key: entry.key.range,
            fields: Some(fields),
        }
    }

    /// The entries of an object whose keys are `known`; the others are noted as unknown keys
    /// (their values searched for nulls), and a key computed by an expression as unknown.
    fn entries(&mut self, object: &'a Node, within: Level) -> Vec<&'a Entry> {
        let Some(mapping) = object.as_mapping() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for entry in &mapping.entries {
            let key = entry.key.text.as_str();
            if within.keys().contains(&key) {
                out.push(entry);
            } else if key.is_empty() {
                self.policy.unknown.push(Candidate {
                    state: Known::Unknown("the key is computed by an expression".into()),
                    origin: origin_at(entry.key.range),
                });
            } else {
                self.policy.unknown_keys.push(UnknownKey {
                    range: entry.key.range,
                    key: entry.key.text.clone(),
                    within,
                });
                self.value(&entry.value);
            }
        }
        out
    }

    fn field(&mut self, entry: &'a Entry) -> Field {
        let value = self.value(&entry.value);
        Field {
            key: entry.key.range,
            entry: TextRange::new(entry.key.range.start, entry.value.range.end),
            value,
        }
    }

    /// Every value a node can take, lists and objects looked into for nulls.
    fn value(&mut self, node: &'a Node) -> Value<Literal> {
        let mut value = Value::new("lifecycle policy value");
        for candidate in self.resolver.resolve(node) {
            let state = match candidate.value {
                Evaluated::Node(n) => Known::Is(self.literal(n)),
                Evaluated::Text(text) => Known::Is(Literal::String(Text::from(text))),
                Evaluated::Opaque(what) => {
                    Known::Unknown(format!("`{what}` is known only at deployment"))
                }
                Evaluated::Unknown(reason) => Known::Unknown(reason),
            };
            if matches!(state, Known::Is(Literal::Null)) {
                self.policy.nulls.push(candidate.at.range);
            }
            value.candidates.push(Candidate {
                state,
                origin: written_at(candidate.at, candidate.origin),
            });
        }
        value
    }

    fn literal(&mut self, node: &'a Node) -> Literal {
        match &node.kind {
            NodeKind::Scalar(scalar) => match scalar.style {
                ScalarStyle::JsonLiteral | ScalarStyle::Plain => match scalar.text.as_str() {
                    _ if node.is_null() || scalar.text == "null" => Literal::Null,
                    "true" => Literal::Bool(true),
                    "false" => Literal::Bool(false),
                    text if text.parse::<f64>().is_ok() => Literal::Number(scalar.text.clone()),
                    _ => Literal::String(scalar.text.clone()),
                },
                _ => Literal::String(scalar.text.clone()),
            },
            NodeKind::Sequence(list) => {
                Literal::List(list.items.iter().map(|item| self.value(item)).collect())
            }
            NodeKind::Mapping(mapping) => {
                for entry in &mapping.entries {
                    self.value(&entry.value);
                }
                Literal::Object
            }
            // Resolved already: what is left is not a value JSON can hold.
            NodeKind::Tagged(_) | NodeKind::Block(_) => Literal::Object,
        }
    }

    /// The one object a node is; anything else noted (misshapen, unknown, or several).
    fn object(&mut self, node: &'a Node, shape: &str) -> Option<&'a Node> {
        let one = self.one(node, shape)?;
        if one.as_mapping().is_some() {
            return Some(one);
        }
        self.misshapen(one, shape);
        None
    }

    /// The one literal node a node evaluates to; text where structure belongs is noted as
    /// `shape` says. Unknown, or one of several (a conditional), it is noted as unknown: a policy
    /// is judged only as one literal document.
    fn one(&mut self, node: &'a Node, shape: &str) -> Option<&'a Node> {
        let candidates = self.resolver.resolve(node);
        if candidates.len() > 1 {
            self.policy.unknown.push(Candidate {
                state: Known::Unknown("the value is one of several, decided at deployment".into()),
                origin: origin_at(node.range),
            });
            return None;
        }
        let candidate = candidates.into_iter().next()?;
        match candidate.value {
            Evaluated::Node(n) => {
                if n.is_null() {
                    self.policy.nulls.push(candidate.at.range);
                    return None;
                }
                Some(n)
            }
            Evaluated::Unknown(reason) => {
                self.policy.unknown.push(Candidate {
                    state: Known::Unknown(reason),
                    origin: written_at(candidate.at, candidate.origin),
                });
                None
            }
            Evaluated::Opaque(what) => {
                self.policy.unknown.push(Candidate {
                    state: Known::Unknown(format!("`{what}` is known only at deployment")),
                    origin: written_at(candidate.at, candidate.origin),
                });
                None
            }
            Evaluated::Text(_) => {
                self.misshapen(candidate.at, shape);
                None
            }
        }
    }

    fn misshapen(&mut self, at: &Node, message: &str) {
        self.policy.misshapen.push(LifecycleProblem {
            range: at.range,
            message: message.to_string(),
        });
    }
}

fn origin_at(range: TextRange) -> crate::model::Origin {
    crate::model::Origin {
        range,
        via: None,
        written: crate::model::Written::Explicit,
        anchor: crate::model::Anchor::NONE,
    }
}
