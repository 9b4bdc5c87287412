//! The CloudFormation view of a template: resources by logical id, parameters with their defaults
//! and allowed values, and an evaluator for intrinsic functions that answers with every value a
//! node can take (`Fn::If` has two), or says why it cannot know.

use std::collections::HashMap;

use crate::adapt::resolve::{placeholder, Candidate, Candidates, Evaluated, Resolve};
use crate::diagnostic::Related;
use crate::syntax::{Node, NodeKind};
use crate::text::TextRange;

/// Candidates past this many are not followed: no real template branches that much.
const MAX_CANDIDATES: usize = 64;

pub struct Template<'a> {
    pub root: &'a Node,
    pub parameters: HashMap<&'a str, Parameter<'a>>,
    pub resources: Vec<Resource<'a>>,
}

pub struct Parameter<'a> {
    pub name: &'a str,
    pub default: Option<&'a Node>,
    pub allowed_values: Vec<&'a Node>,
}

pub struct Resource<'a> {
    pub logical_id: &'a str,
    /// The range of the logical id, where findings about a missing property go.
    pub id_range: TextRange,
    pub node: &'a Node,
    pub type_name: &'a str,
    pub properties: Option<&'a Node>,
}

impl<'a> Template<'a> {
    pub fn new(root: &'a Node) -> Self {
        let mut parameters = HashMap::new();
        if let Some(params) = root.get("Parameters").and_then(Node::as_mapping) {
            for entry in &params.entries {
                parameters.insert(
                    entry.key.text.as_str(),
                    Parameter {
                        name: entry.key.text.as_str(),
                        default: entry.value.get("Default"),
                        allowed_values: entry
                            .value
                            .get("AllowedValues")
                            .and_then(Node::as_sequence)
                            .map(|s| s.items.iter().collect())
                            .unwrap_or_default(),
                    },
                );
            }
        }
        let mut resources = Vec::new();
        if let Some(entries) = root.get("Resources").and_then(Node::as_mapping) {
            for entry in &entries.entries {
                let Some(type_name) = entry.value.get("Type").and_then(Node::as_str) else {
                    continue;
                };
                resources.push(Resource {
                    logical_id: &entry.key.text,
                    id_range: entry.key.range,
                    node: &entry.value,
                    type_name,
                    properties: entry.value.get("Properties").filter(|p| !p.is_null()),
                });
            }
        }
        Template {
            root,
            parameters,
            resources,
        }
    }

    pub fn resources_of_type<'t>(
        &'t self,
        types: &'t [&'t str],
    ) -> impl Iterator<Item = &'t Resource<'a>> + 't {
        self.resources
            .iter()
            .filter(move |r| types.contains(&r.type_name))
    }
}

/// The name and argument of an intrinsic function, in either spelling: `!Sub x` or `{"Fn::Sub": x}`.
pub fn intrinsic(node: &Node) -> Option<(&str, &Node)> {
    match &node.kind {
        NodeKind::Tagged(tagged) => {
            let name = match tagged.tag.as_str() {
                "Ref" => "Ref",
                "Condition" => "Condition",
                "GetAtt" => "Fn::GetAtt",
                "Sub" => "Fn::Sub",
                "If" => "Fn::If",
                "Join" => "Fn::Join",
                "ImportValue" => "Fn::ImportValue",
                "Select" => "Fn::Select",
                "Split" => "Fn::Split",
                "FindInMap" => "Fn::FindInMap",
                "GetAZs" => "Fn::GetAZs",
                "Base64" => "Fn::Base64",
                "Cidr" => "Fn::Cidr",
                "Equals" => "Fn::Equals",
                "And" => "Fn::And",
                "Or" => "Fn::Or",
                "Not" => "Fn::Not",
                "ToJsonString" => "Fn::ToJsonString",
                "Length" => "Fn::Length",
                "Transform" => "Fn::Transform",
                _ => "Fn::Unknown",
            };
            Some((name, &tagged.value))
        }
        NodeKind::Mapping(mapping) if mapping.entries.len() == 1 => {
            let entry = &mapping.entries[0];
            let key = entry.key.text.as_str();
            (key == "Ref" || key == "Condition" || key.starts_with("Fn::"))
                .then_some((key, &entry.value))
        }
        _ => None,
    }
}

impl<'a> Resolve<'a> for Template<'a> {
    fn resolve(&self, node: &'a Node) -> Candidates<'a> {
        let mut out = Candidates::new();
        self.resolve_into(node, node, None, &mut out, 0);
        out
    }
}

impl<'a> Template<'a> {
    fn resolve_into(
        &self,
        node: &'a Node,
        at: &'a Node,
        origin: Option<Related>,
        out: &mut Candidates<'a>,
        depth: usize,
    ) {
        if out.len() >= MAX_CANDIDATES || depth > 16 {
            out.push(Candidate {
                value: Evaluated::Unknown("the value branches too deeply to follow".into()),
                at,
                origin,
            });
            return;
        }
        let push = |out: &mut Candidates<'a>, value: Evaluated<'a>, origin: Option<Related>| {
            out.push(Candidate { value, at, origin });
        };
        let Some((name, arg)) = intrinsic(node) else {
            push(out, Evaluated::Node(node), origin);
            return;
        };
        match name {
            "Ref" => {
                let Some(target) = arg.as_str() else {
                    push(out, Evaluated::Unknown("`Ref` needs a name".into()), origin);
                    return;
                };
                match self.parameters.get(target) {
                    Some(param) => {
                        let sources: Vec<(&Node, &str)> = match param.default {
                            Some(default) => vec![(default, "Default")],
                            None => param
                                .allowed_values
                                .iter()
                                .map(|v| (*v, "AllowedValues"))
                                .collect(),
                        };
                        if sources.is_empty() {
                            push(
                                out,
                                Evaluated::Unknown(format!(
                                    "parameter `{target}` has no Default, so its value is chosen at deployment"
                                )),
                                origin.clone(),
                            );
                        }
                        for (value, field) in sources {
                            let related =
                                Related::new(value.range, format!("parameter `{target}` {field}"));
                            // A parameter's value is literal text; nothing in it is evaluated.
                            out.push(Candidate {
                                value: Evaluated::Node(value),
                                at,
                                origin: origin.clone().or(Some(related)),
                            });
                        }
                    }
                    None => push(out, Evaluated::Opaque(target.to_string()), origin),
                }
            }
            "Fn::If" => {
                let branches = arg.as_sequence().map(|s| s.items.as_slice()).unwrap_or(&[]);
                if branches.len() != 3 {
                    push(
                        out,
                        Evaluated::Unknown("`Fn::If` needs a condition and two values".into()),
                        origin,
                    );
                    return;
                }
                for branch in &branches[1..] {
                    if matches!(intrinsic(branch), Some(("Ref", r)) if r.as_str() == Some("AWS::NoValue"))
                    {
                        continue;
                    }
                    self.resolve_into(branch, branch, origin.clone(), out, depth + 1);
                }
            }
            "Fn::Sub" => match self.substitute(arg) {
                Ok((text, related)) => push(out, Evaluated::Text(text), origin.or(related)),
                Err(reason) => push(out, Evaluated::Unknown(reason), origin),
            },
            "Fn::Join" => match self.join(arg) {
                Ok((text, related)) => push(out, Evaluated::Text(text), origin.or(related)),
                Err(reason) => push(out, Evaluated::Unknown(reason), origin),
            },
            "Fn::GetAtt" => {
                let name = match arg.as_sequence() {
                    Some(list) => list
                        .items
                        .iter()
                        .filter_map(Node::as_str)
                        .collect::<Vec<_>>()
                        .join("."),
                    None => arg.as_str().unwrap_or("Fn::GetAtt").to_string(),
                };
                push(out, Evaluated::Opaque(name), origin)
            }
            "Fn::FindInMap" => match self.find_in_map(arg) {
                // A value from `Mappings` is literal text, like a parameter's; nothing in it is
                // evaluated.
                Ok((value, related)) => out.push(Candidate {
                    value: Evaluated::Node(value),
                    at,
                    origin: origin.or(Some(related)),
                }),
                Err(reason) => push(out, Evaluated::Unknown(reason), origin),
            },
            "Fn::ImportValue" => push(
                out,
                Evaluated::Unknown("`Fn::ImportValue` is only known at deployment".into()),
                origin,
            ),
            other => push(
                out,
                Evaluated::Unknown(format!("ecrlint does not evaluate `{other}`")),
                origin,
            ),
        }
    }

    /// `Fn::FindInMap: [Map, TopKey, SecondKey]`: the value in the template's `Mappings`, with the
    /// keys evaluated (a `!Ref` to a parameter with a Default works; a pseudo parameter does not).
    fn find_in_map(&self, arg: &'a Node) -> Result<(&'a Node, Related), String> {
        let keys = arg
            .as_sequence()
            .filter(|s| s.items.len() == 3)
            .ok_or_else(|| "`Fn::FindInMap` needs a map name and two keys".to_string())?;
        let mut names = Vec::with_capacity(3);
        for key in &keys.items {
            let (text, _) = self.single_text(key)?;
            if text.contains("${") {
                return Err(format!(
                    "the `Fn::FindInMap` key `{text}` is only known at deployment"
                ));
            }
            names.push(text);
        }
        let value = self
            .root
            .get("Mappings")
            .and_then(|m| m.get(&names[0]))
            .and_then(|m| m.get(&names[1]))
            .and_then(|m| m.get(&names[2]))
            .ok_or_else(|| {
                format!(
                    "`Mappings` has no `{}` > `{}` > `{}`",
                    names[0], names[1], names[2]
                )
            })?;
        let related = Related::new(
            value.range,
            format!("mapping `{}.{}.{}`", names[0], names[1], names[2]),
        );
        Ok((value, related))
    }

    /// The one string a node evaluates to, for building `Fn::Sub` and `Fn::Join` results.
    fn single_text(&self, node: &'a Node) -> Result<(String, Option<Related>), String> {
        let candidates = self.resolve(node);
        if candidates.len() != 1 {
            return Err("a value inside it depends on a condition".into());
        }
        let candidate = candidates.into_iter().next().expect("one candidate");
        match candidate.value {
            Evaluated::Text(text) => Ok((text, candidate.origin)),
            Evaluated::Node(n) => n
                .as_scalar()
                .map(|s| (s.text.to_string(), candidate.origin))
                .ok_or_else(|| "a part of it is not a string".to_string()),
            Evaluated::Opaque(what) => Ok((placeholder(&what), None)),
            Evaluated::Unknown(reason) => Err(reason),
        }
    }

    fn substitute(&self, arg: &'a Node) -> Result<(String, Option<Related>), String> {
        let (template, variables) = match arg.as_sequence() {
            Some(list) if list.items.len() == 2 => (&list.items[0], list.items[1].as_mapping()),
            _ => (arg, None),
        };
        let template = template
            .as_str()
            .ok_or_else(|| "the `Fn::Sub` string is not literal".to_string())?;
        let mut related = None;
        let text = sub_variables(template, |name| {
            if let Some(value) = variables.and_then(|v| v.get(name)) {
                let (text, origin) = self.single_text(value)?;
                related = related.take().or(origin);
                return Ok(text);
            }
            if name.starts_with("AWS::")
                || name.contains('.')
                || !self.parameters.contains_key(name)
            {
                // Pseudo parameters, attributes and resources are definite, never a wildcard.
                return Ok(placeholder(name));
            }
            let param = &self.parameters[name];
            match param.default {
                Some(default) => {
                    related = related.take().or(Some(Related::new(
                        default.range,
                        format!("parameter `{}` Default", param.name),
                    )));
                    default
                        .as_scalar()
                        .map(|s| s.text.to_string())
                        .ok_or_else(|| format!("parameter `{name}` Default is not a string"))
                }
                None => Err(format!(
                    "parameter `{name}` has no Default, so its value is chosen at deployment"
                )),
            }
        })?;
        Ok((text, related))
    }

    fn join(&self, arg: &'a Node) -> Result<(String, Option<Related>), String> {
        let items = arg
            .as_sequence()
            .filter(|s| s.items.len() == 2)
            .ok_or_else(|| "`Fn::Join` needs a delimiter and a list".to_string())?;
        let delimiter = items.items[0]
            .as_scalar()
            .map(|s| s.text.as_str())
            .unwrap_or("");
        let parts = items.items[1]
            .as_sequence()
            .ok_or_else(|| "the `Fn::Join` list is not literal".to_string())?;
        let mut related = None;
        let mut texts = Vec::with_capacity(parts.items.len());
        for part in &parts.items {
            let (text, origin) = self.single_text(part)?;
            related = related.or(origin);
            texts.push(text);
        }
        Ok((texts.join(delimiter), related))
    }
}

/// Replaces `${name}` in an `Fn::Sub` string; `${!literal}` stands for `${literal}`.
pub fn sub_variables(
    template: &str,
    mut value_of: impl FnMut(&str) -> Result<String, String>,
) -> Result<String, String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let name = after[..end].trim();
        if let Some(literal) = name.strip_prefix('!') {
            out.push_str("${");
            out.push_str(literal);
            out.push('}');
        } else {
            out.push_str(&value_of(name)?);
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}
