//! The Terraform view of a module: its variables (with their defaults and `.tfvars` values, or
//! the arguments of the `module` block that calls it), locals, resources, data sources and the
//! local modules it calls, and an evaluator that answers with every value an expression can take
//! (a conditional has two), or says why it cannot know.

use std::collections::HashMap;
use std::rc::Rc;

use typed_arena::Arena;

use crate::adapt::resolve::{placeholder, Candidate, Candidates, Evaluated, Resolve};
use crate::diagnostic::Related;
use crate::syntax::hcl::{CALL, EXPR, FILES, HEREDOC, IF, MODULES, REF, TEMPLATE, TFVARS};
use crate::syntax::{Block, Node, NodeKind, ScalarStyle};
use crate::text::TextRange;

/// Candidates past this many are not followed: no real module branches that much.
const MAX_CANDIDATES: usize = 64;
/// References followed in a chain (a local naming a local naming a variable …).
const MAX_DEPTH: usize = 24;
/// The tag of a value a plan says is known only after apply; its value is the reason.
pub const AFTER_APPLY: &str = "tf:after-apply";

pub struct Module<'a> {
    pub variables: HashMap<&'a str, Variable<'a>>,
    /// `name = value` from `terraform.tfvars` and friends: they win over defaults.
    pub assigned: HashMap<&'a str, &'a Node>,
    pub locals: HashMap<&'a str, &'a Node>,
    /// The files the module reads with `file()`, by the path it names them with.
    pub files: HashMap<&'a str, &'a Node>,
    pub resources: Vec<Resource<'a>>,
    pub data: Vec<Resource<'a>>,
    /// Trees of `${…}` parsed out of policy text, for as long as the source.
    arena: &'a Arena<Node>,
    /// The variables of the `templatefile()` whose text is being read: `${name}` there is one
    /// of them.
    pub template_variables: std::cell::Cell<Option<&'a Node>>,
    /// The values are Terraform's own, already evaluated (a plan): a `${` in a string is text.
    pub evaluated: bool,
    /// The `module` blocks, in order.
    pub calls: Vec<Call<'a>>,
    /// The module's folder, as the files given name it (`None`: only its own files were given).
    pub folder: Option<String>,
    /// The files of other folders given with the module, by folder: the local modules it (and
    /// they) may call.
    pub folders: HashMap<&'a str, &'a Node>,
    /// The `module` block this module is lowered for, when it is a child module.
    pub caller: Option<Caller<'a>>,
}

/// A `module "NAME" { source = …, ARGUMENT = … }` block.
pub struct Call<'a> {
    pub name: &'a str,
    pub body: &'a Node,
}

/// The module that calls a child module, and the block that does: its arguments are the child's
/// variables.
pub struct Caller<'a> {
    pub module: Rc<Module<'a>>,
    pub name: &'a str,
    pub arguments: &'a Node,
}

pub struct Variable<'a> {
    pub default: Option<&'a Node>,
}

/// A `resource` or `data` block.
pub struct Resource<'a> {
    pub type_name: &'a str,
    pub name: &'a str,
    /// The name label, where findings about the block as a whole go.
    pub at: TextRange,
    pub block: &'a Node,
    pub body: &'a Node,
}

impl<'a> Resource<'a> {
    pub fn get(&self, key: &str) -> Option<&'a Node> {
        self.body.get(key)
    }

    /// The nested blocks called `key`, in order.
    pub fn blocks(&self, key: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        blocks(self.body, key)
    }
}

/// The nested blocks of a body called `key`, in order; their bodies by [`body`].
pub fn blocks<'a>(body: &'a Node, key: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
    body.as_mapping()
        .into_iter()
        .flat_map(|m| &m.entries)
        .filter(move |e| e.key.text == key && matches!(e.value.kind, NodeKind::Block(_)))
        .map(|e| &e.value)
}

/// A block's body (a block-style mapping).
pub fn body(block: &Node) -> Option<&Node> {
    match &block.kind {
        NodeKind::Block(b) => Some(&b.body),
        _ => None,
    }
}

impl<'a> Module<'a> {
    /// The module of a body: one file, or a module's files joined (their `.tfvars` values in
    /// a [`TFVARS`] block, later ones winning).
    pub fn new(root: &'a Node, arena: &'a Arena<Node>) -> Self {
        let mut module = Module {
            variables: HashMap::new(),
            assigned: HashMap::new(),
            locals: HashMap::new(),
            files: HashMap::new(),
            template_variables: std::cell::Cell::new(None),
            evaluated: false,
            calls: Vec::new(),
            folder: None,
            folders: HashMap::new(),
            caller: None,
            resources: Vec::new(),
            data: Vec::new(),
            arena,
        };
        if let Some(mapping) = root.as_mapping() {
            for entry in &mapping.entries {
                let NodeKind::Block(block) = &entry.value.kind else {
                    continue;
                };
                let Block { labels, body } = block.as_ref();
                match (entry.key.text.as_str(), labels.as_slice()) {
                    (FILES, []) => {
                        for file in body.as_mapping().into_iter().flat_map(|m| &m.entries) {
                            module.files.insert(file.key.text.as_str(), &file.value);
                        }
                    }
                    (TFVARS, []) => {
                        for value in body.as_mapping().into_iter().flat_map(|m| &m.entries) {
                            module
                                .assigned
                                .insert(value.key.text.as_str(), &value.value);
                        }
                    }
                    (MODULES, [folder]) => {
                        module.folder = Some(folder.text.to_string());
                        for given in body.as_mapping().into_iter().flat_map(|m| &m.entries) {
                            if let NodeKind::Block(files) = &given.value.kind {
                                module.folders.insert(given.key.text.as_str(), &files.body);
                            }
                        }
                    }
                    ("module", [name]) => module.calls.push(Call {
                        name: name.text.as_str(),
                        body,
                    }),
                    ("variable", [name]) => {
                        module.variables.insert(
                            name.text.as_str(),
                            Variable {
                                default: body.get("default"),
                            },
                        );
                    }
                    ("locals", []) => {
                        for local in body.as_mapping().into_iter().flat_map(|m| &m.entries) {
                            module.locals.insert(local.key.text.as_str(), &local.value);
                        }
                    }
                    (kind @ ("resource" | "data"), [type_name, name]) => {
                        let resource = Resource {
                            type_name: type_name.text.as_str(),
                            name: name.text.as_str(),
                            at: name.range,
                            block: &entry.value,
                            body,
                        };
                        if kind == "resource" {
                            module.resources.push(resource);
                        } else {
                            module.data.push(resource);
                        }
                    }
                    _ => {}
                }
            }
        }
        module
    }

    /// The child module a `module` block calls, with the block's arguments as its variables: when
    /// its source is a local path whose files were given. `None` for a registry or git source
    /// (its values stay unknown), and for a folder in `chain` (a module calling itself).
    pub fn child(self: &Rc<Self>, call: &Call<'a>, chain: &[String]) -> Option<Module<'a>> {
        let source = call.body.get("source")?.as_str()?;
        if !(source.starts_with("./") || source.starts_with("../")) {
            return None;
        }
        let folder = crate::module::folder_join(self.folder.as_deref()?, source);
        if chain.contains(&folder) {
            return None;
        }
        let files = self.folders.get(folder.as_str())?;
        let mut child = Module::new(files, self.arena);
        child.folder = Some(folder);
        child.folders = self.folders.clone();
        child.caller = Some(Caller {
            module: Rc::clone(self),
            name: call.name,
            arguments: call.body,
        });
        Some(child)
    }

    pub fn resources_of_type<'m>(
        &'m self,
        type_name: &'m str,
    ) -> impl Iterator<Item = &'m Resource<'a>> + 'm {
        self.resources
            .iter()
            .filter(move |r| r.type_name == type_name)
    }

    pub fn data_source(&self, type_name: &str, name: &str) -> Option<&Resource<'a>> {
        self.data
            .iter()
            .find(|d| d.type_name == type_name && d.name == name)
    }

    pub fn resource(&self, type_name: &str, name: &str) -> Option<&Resource<'a>> {
        self.resources
            .iter()
            .find(|d| d.type_name == type_name && d.name == name)
    }

    /// The first `data "<type_name>"` block's name, for interpolations of the caller's account.
    pub fn first_data(&self, type_name: &str) -> Option<&'a str> {
        self.data
            .iter()
            .find(|d| d.type_name == type_name)
            .map(|d| d.name)
    }
}

/// The path of a reference node (`var.x`), when it is one.
pub fn reference(node: &Node) -> Option<&str> {
    match &node.kind {
        NodeKind::Tagged(t) if t.tag == REF => t.value.as_str(),
        _ => None,
    }
}

/// The tag of an expression node (`tf:heredoc`, `tf:call:file`, …).
pub fn tag(node: &Node) -> Option<&str> {
    match &node.kind {
        NodeKind::Tagged(t) => Some(t.tag.as_str()),
        _ => None,
    }
}

fn parts(node: &Node) -> &[Node] {
    match &node.kind {
        NodeKind::Tagged(t) => t.value.as_sequence().map_or(&[], |s| s.items.as_slice()),
        _ => &[],
    }
}

impl<'a> Resolve<'a> for Module<'a> {
    fn resolve(&self, node: &'a Node) -> Candidates<'a> {
        let mut out = Candidates::new();
        self.resolve_into(node, node, None, &mut out, 0);
        out
    }
}

impl<'a> Module<'a> {
    fn resolve_into(
        &self,
        node: &'a Node,
        at: &'a Node,
        origin: Option<Related>,
        out: &mut Candidates<'a>,
        depth: usize,
    ) {
        if out.len() >= MAX_CANDIDATES || depth > MAX_DEPTH {
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
        let NodeKind::Tagged(tagged) = &node.kind else {
            // A string from policy text may hold `${…}`: Terraform fills those in.
            if let Some(parts) = self.interpolated(node) {
                let value = self.concatenate(parts, depth);
                push(out, value.0, origin.or(value.1));
                return;
            }
            push(out, Evaluated::Node(node), origin);
            return;
        };
        match tagged.tag.as_str() {
            REF => {
                let path = tagged.value.as_str().unwrap_or_default();
                self.reference(path, at, origin, out, depth);
            }
            IF => {
                // Both branches: the condition is rarely known before plan.
                for branch in parts(node).iter().skip(1) {
                    self.resolve_into(branch, branch, origin.clone(), out, depth + 1);
                }
            }
            TEMPLATE => {
                let parts = parts(node);
                // `"${var.x}"` is the value itself, which a fix can then rewrite at its source.
                if let [only] = parts {
                    if !matches!(only.kind, NodeKind::Scalar(_)) {
                        self.resolve_into(only, at, origin, out, depth + 1);
                        return;
                    }
                }
                let (value, via) = self.concatenate(parts.iter().collect(), depth);
                push(out, value, origin.or(via));
            }
            // Text with `${…}` in it: a policy reads it as JSON, a setting as text.
            HEREDOC => push(out, Evaluated::Node(node), origin),
            AFTER_APPLY => push(
                out,
                Evaluated::Unknown(tagged.value.as_str().unwrap_or_default().to_string()),
                origin,
            ),
            EXPR => push(
                out,
                Evaluated::Unknown(format!(
                    "`{}` is an expression ecrlint does not evaluate",
                    shorten(tagged.value.as_str().unwrap_or_default())
                )),
                origin,
            ),
            tag => {
                let name = tag.strip_prefix(CALL).unwrap_or(tag);
                let args = parts(node);
                match (name, args) {
                    ("jsonencode" | "tostring" | "trimspace", [arg]) => {
                        self.resolve_into(arg, arg, origin, out, depth + 1)
                    }
                    // The file's text, read where it stands; a template's `${name}` are filled in
                    // from the variables it is given, while it is read.
                    ("file", [path]) | ("templatefile", [path, _]) => {
                        let given = crate::module::literal_path(path).and_then(|p| {
                            self.files
                                .iter()
                                .find(|(given, _)| crate::module::names(given, &p))
                                .map(|(_, text)| *text)
                        });
                        match given {
                            Some(text) => push(out, Evaluated::Node(text), origin),
                            None => push(
                                out,
                                Evaluated::Unknown(format!(
                                    "`{name}()` reads a file ecrlint was not given"
                                )),
                                origin,
                            ),
                        }
                    }
                    ("file" | "templatefile", _) => push(
                        out,
                        Evaluated::Unknown(format!(
                            "`{name}()` reads a file ecrlint was not given{}",
                            if name == "templatefile" {
                                " or fills in variables ecrlint does not follow"
                            } else {
                                ""
                            }
                        )),
                        origin,
                    ),
                    _ => push(
                        out,
                        Evaluated::Unknown(format!(
                            "`{name}()` is a function ecrlint does not evaluate"
                        )),
                        origin,
                    ),
                }
            }
        }
    }

    fn reference(
        &self,
        path: &str,
        at: &'a Node,
        origin: Option<Related>,
        out: &mut Candidates<'a>,
        depth: usize,
    ) {
        let push = |out: &mut Candidates<'a>, value: Evaluated<'a>, origin: Option<Related>| {
            out.push(Candidate { value, at, origin });
        };
        let steps: Vec<&str> = path.split('.').collect();
        if let Some(variables) = self.template_variables.get() {
            if let Some((value, rest)) = steps.split_first().and_then(|(name, rest)| {
                let object = self
                    .resolve(variables)
                    .into_iter()
                    .find_map(|c| match c.value {
                        Evaluated::Node(object) if object.as_mapping().is_some() => Some(object),
                        _ => None,
                    })?;
                Some((object.get(name)?, rest))
            }) {
                let related =
                    Related::new(value.range, format!("`{}` given to the template", steps[0]));
                return self.follow(value, rest, at, Some(related), out, depth);
            }
        }
        match steps.as_slice() {
            ["var", name, rest @ ..] => {
                if let Some(caller) = &self.caller {
                    if let Some(argument) = caller.arguments.get(name) {
                        let related = Related::new(
                            argument.range,
                            format!("argument `{name}` of module `{}`", caller.name),
                        );
                        let mut given = Candidates::new();
                        caller.module.follow(
                            argument,
                            rest,
                            argument,
                            Some(related),
                            &mut given,
                            depth + 1,
                        );
                        for candidate in given {
                            // A value known is used here; one that is not, the caller gives.
                            let at = match candidate.value {
                                Evaluated::Unknown(_) => candidate.at,
                                _ => at,
                            };
                            out.push(Candidate { at, ..candidate });
                        }
                        return;
                    }
                }
                let found = match self.assigned.get(name) {
                    Some(value) => Some((*value, format!("`{name}` in the variable values"))),
                    None => self
                        .variables
                        .get(name)
                        .and_then(|v| v.default)
                        .map(|d| (d, format!("the default of variable `{name}`"))),
                };
                let Some((value, message)) = found else {
                    let reason = if let Some(caller) = &self.caller {
                        format!(
                            "variable `{name}` has no default and module `{}` does not give it",
                            caller.name
                        )
                    } else if self.variables.contains_key(name) {
                        format!("variable `{name}` has no default and no value in the module's .tfvars files")
                    } else {
                        format!("variable `{name}` is not declared in the module")
                    };
                    push(out, Evaluated::Unknown(reason), origin);
                    return;
                };
                // The innermost source wins over `origin`: the literal a fix rewrites.
                let related = Related::new(value.range, message);
                self.follow(value, rest, at, Some(related), out, depth);
            }
            ["local", name, rest @ ..] => match self.locals.get(name) {
                Some(value) => {
                    let related = Related::new(value.range, format!("local value `{name}`"));
                    self.follow(value, rest, at, Some(related), out, depth);
                }
                None => push(
                    out,
                    Evaluated::Unknown(format!(
                        "local value `{name}` is not defined in the module"
                    )),
                    origin,
                ),
            },
            ["data", "aws_caller_identity", _, "account_id"] => {
                push(out, Evaluated::Opaque("AWS::AccountId".into()), origin)
            }
            ["data", "aws_partition", _, "partition"] => {
                push(out, Evaluated::Opaque("AWS::Partition".into()), origin)
            }
            ["data", "aws_region", _, "name" | "region"] => {
                push(out, Evaluated::Opaque("AWS::Region".into()), origin)
            }
            ["aws_ecr_repository", name, "name" | "id"] => {
                match self
                    .resource("aws_ecr_repository", name)
                    .and_then(|r| r.get("name"))
                {
                    Some(value) => self.resolve_into(value, at, origin, out, depth + 1),
                    None => push(out, Evaluated::Opaque(path.to_string()), origin),
                }
            }
            [root, ..]
                if matches!(
                    *root,
                    "count" | "each" | "self" | "path" | "terraform" | "module"
                ) =>
            {
                push(
                    out,
                    Evaluated::Unknown(format!("`{path}` is known only when Terraform runs")),
                    origin,
                )
            }
            // Another resource's attribute: definite, known after apply (an ARN, an id).
            _ => push(out, Evaluated::Opaque(path.to_string()), origin),
        }
    }

    /// Follows a variable's or local's value, then the attributes named after it.
    fn follow(
        &self,
        value: &'a Node,
        rest: &[&str],
        at: &'a Node,
        origin: Option<Related>,
        out: &mut Candidates<'a>,
        depth: usize,
    ) {
        if rest.is_empty() {
            return self.resolve_into(value, at, origin, out, depth + 1);
        }
        let mut inner = Candidates::new();
        self.resolve_into(value, value, None, &mut inner, depth + 1);
        for candidate in inner {
            match candidate.value {
                Evaluated::Node(object) => match object.get(rest[0]) {
                    Some(field) if rest.len() == 1 => {
                        self.resolve_into(field, at, origin.clone(), out, depth + 1)
                    }
                    Some(field) => {
                        self.follow(field, &rest[1..], at, origin.clone(), out, depth + 1)
                    }
                    None => out.push(Candidate {
                        value: Evaluated::Unknown(format!(
                            "the value has no attribute `{}`",
                            rest[0]
                        )),
                        at,
                        origin: origin.clone(),
                    }),
                },
                other => out.push(Candidate {
                    value: other,
                    at,
                    origin: origin.clone(),
                }),
            }
        }
    }

    /// The text of a template's parts, or why it cannot be known.
    fn concatenate(&self, parts: Vec<&'a Node>, depth: usize) -> (Evaluated<'a>, Option<Related>) {
        let mut text = String::new();
        let mut via = None;
        for part in parts {
            if let (NodeKind::Scalar(s), None) = (&part.kind, tag(part)) {
                text.push_str(&s.text);
                continue;
            }
            let mut candidates = Candidates::new();
            self.resolve_into(part, part, None, &mut candidates, depth + 1);
            let [candidate] = candidates.as_slice() else {
                return (
                    Evaluated::Unknown("an interpolation takes several values".into()),
                    via,
                );
            };
            via = via.or(candidate.origin.clone());
            match &candidate.value {
                Evaluated::Unknown(reason) => return (Evaluated::Unknown(reason.clone()), via),
                Evaluated::Opaque(what) => text.push_str(&placeholder(what)),
                value => match value.as_str() {
                    Some(piece) => text.push_str(piece),
                    None => {
                        return (
                            Evaluated::Unknown("an interpolation is not text".into()),
                            via,
                        )
                    }
                },
            }
        }
        (Evaluated::Text(text), via)
    }

    /// A string of policy text holding `${…}`: its parts, parsed as a template.
    fn interpolated(&self, node: &'a Node) -> Option<Vec<&'a Node>> {
        if self.evaluated {
            return None;
        }
        let scalar = node.as_scalar()?;
        if scalar.style != ScalarStyle::JsonString || !scalar.text.contains("${") {
            return None;
        }
        let parsed = crate::syntax::hcl::template_parts(&scalar.text, node.range)?;
        Some(parsed.into_iter().map(|p| &*self.arena.alloc(p)).collect())
    }
}

fn shorten(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    if line.len() > 60 || line.len() < text.len() {
        let mut end = line.len().min(60);
        while !line.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}…", &line[..end])
    } else {
        line.to_string()
    }
}
