//! A Terraform module's files as one text: the checked files first, their siblings after them (the
//! files it reads with `file()`, and the files of the local modules it calls, grouped by folder),
//! each parsed on its own and its tree moved to where it stands, so that one lowering sees every
//! variable, local and resource of the module and of the modules it calls; then the findings
//! split back to each checked file.

use crate::diagnostic::{Diagnostic, Related};
use crate::engine::{Checked, Source};
use crate::syntax::hcl::{module_relative, CALL, FILES, MODULES, TFVARS};
use crate::syntax::{
    self, Block, CollectionStyle, Document, Entry, Format, Key, Mapping, Node, NodeKind, Scalar,
    ScalarStyle,
};
use crate::text::{to_u32, Text, TextRange};

/// Files of a module joined into one text and one tree.
pub(crate) struct Assembled {
    pub text: String,
    pub document: Document,
    /// Each file's path and its range in `text`; the checked files are first.
    files: Vec<(Option<String>, TextRange)>,
    /// Where a checked file calls `file()` on a data file: the data file's index in `files`, the
    /// calling file's, and the call.
    calls: Vec<(usize, usize, TextRange)>,
    /// The syntax the first checked file is written in, which its fixes must follow.
    pub written: Format,
}

/// A checked file of a module, read as HCL, or in Terraform's JSON syntax (`.tf.json`) as the
/// tree the HCL reader gives, its ranges those of its own text.
pub(crate) struct Part<'s> {
    pub path: Option<&'s str>,
    pub text: &'s str,
    pub document: Document,
    /// The syntax the file is written in, and its fixes are.
    pub written: Format,
}

impl<'s> Part<'s> {
    pub fn parse(text: &'s str, path: Option<&'s str>) -> Self {
        Part {
            path,
            text,
            document: syntax::parse(text, Format::Hcl),
            written: Format::Hcl,
        }
    }

    /// A `.tf.json` file, when it is JSON in Terraform's syntax (else it is checked on its own).
    pub fn parse_json(text: &'s str, path: &'s str) -> Option<Self> {
        let mut document = syntax::parse(text, Format::Json);
        let root = document.root.take()?;
        if !crate::adapt::is_terraform_json(&root) {
            return None;
        }
        document.root = Some(crate::adapt::terraform_json_tree(&root));
        document.format = Format::Hcl;
        Some(Part {
            path: Some(path),
            text,
            document,
            written: Format::Json,
        })
    }
}
/// Whether a path names a file of variable values rather than configuration.
fn is_tfvars(path: Option<&str>) -> bool {
    path.is_some_and(|p| p.ends_with(".tfvars"))
}

/// Whether a path names a file of the module's configuration or values (else it is a file the
/// module reads with `file()`).
pub(crate) fn is_module_file(path: &str) -> bool {
    path.ends_with(".tf") || path.ends_with(".tf.json") || path.ends_with(".tfvars")
}

/// A sibling's tree as the HCL reader gives it: Terraform's JSON syntax (`.tf.json`) converted,
/// its ranges those of its own text.
fn module_tree(path: &str, text: &str) -> Option<Node> {
    if path.ends_with(".tf.json") {
        let root = syntax::parse(text, Format::Json).root?;
        return Some(crate::adapt::terraform_json_tree(&root));
    }
    syntax::parse(text, Format::Hcl).root
}

impl Assembled {
    /// The checked files (each read as HCL, all of the same folder) first, then their siblings.
    pub fn of(checked: Vec<Part<'_>>, siblings: &[&Source<'_>]) -> Self {
        let length = checked.iter().map(|c| c.text.len() + 1).sum::<usize>()
            + siblings.iter().map(|s| s.text.len() + 1).sum::<usize>();
        let mut text = String::with_capacity(length);
        let mut files = Vec::with_capacity(checked.len() + siblings.len());
        // The module's own configuration, by file: in the order of their paths, whichever file
        // is checked, so that what one file says first (a variable declared twice, the first
        // caller identity) does not depend on which file is being checked.
        let mut own: Vec<(&str, Vec<Entry>)> = Vec::new();
        let mut values: Vec<Entry> = Vec::new();
        let mut data: Vec<Entry> = Vec::new();
        // The configuration of other folders (local modules), by folder, in the order given.
        let own_folder = checked.first().and_then(|c| c.path).map(folder_of);
        let mut folders: Vec<(String, Vec<Entry>)> = Vec::new();
        let take = |root: Option<Node>, tfvars: bool, c: &mut Vec<Entry>, v: &mut Vec<Entry>| {
            let Some(Node {
                kind: NodeKind::Mapping(mapping),
                ..
            }) = root
            else {
                return;
            };
            if tfvars {
                v.extend(mapping.entries);
            } else {
                c.extend(mapping.entries);
            }
        };
        // Each checked file's `file()` calls, by path, before its tree joins the module's.
        let mut written_calls: Vec<(usize, String, TextRange)> = Vec::new();
        let mut parsed = true;
        let mut errors = Vec::new();
        let mut duplicate_keys = Vec::new();
        let written = checked.first().map_or(Format::Hcl, |c| c.written);
        for (index, part) in checked.into_iter().enumerate() {
            if index > 0 {
                text.push('\n');
            }
            let base = to_u32(text.len());
            text.push_str(part.text);
            files.push((
                part.path.map(str::to_string),
                TextRange::from_usize(base as usize, text.len()),
            ));
            let Document {
                mut root,
                errors: file_errors,
                duplicate_keys: file_duplicates,
                ..
            } = part.document;
            if let Some(root) = &mut root {
                root.shift(base);
                file_calls(root, &mut |path, range| {
                    written_calls.push((index, path.to_string(), range))
                });
            }
            parsed &= root.is_some();
            errors.extend(file_errors.into_iter().map(|mut e| {
                e.range = e.range.shifted(base);
                e
            }));
            duplicate_keys.extend(file_duplicates.into_iter().map(|mut d| {
                d.range = d.range.shifted(base);
                d.first = d.first.shifted(base);
                d
            }));
            let mut entries = Vec::new();
            take(root, is_tfvars(part.path), &mut entries, &mut values);
            own.push((part.path.unwrap_or_default(), entries));
        }
        for sibling in siblings {
            text.push('\n');
            let base = to_u32(text.len());
            text.push_str(sibling.text);
            let range = TextRange::from_usize(base as usize, text.len());
            files.push((Some(sibling.path.to_string()), range));
            if !is_module_file(sibling.path) {
                // A file the module reads: its text, for `file()` to give.
                data.push(Entry {
                    key: Key {
                        text: Text::from(sibling.path),
                        range,
                    },
                    value: Node {
                        range,
                        kind: NodeKind::Scalar(Scalar {
                            text: Text::from(sibling.text),
                            style: ScalarStyle::Literal,
                        }),
                    },
                });
                continue;
            }
            // A sibling that does not parse is reported when it is checked itself; here it
            // just has nothing to give.
            let mut root = module_tree(sibling.path, sibling.text);
            if let Some(root) = &mut root {
                root.shift(base);
            }
            let folder = folder_of(sibling.path);
            let elsewhere = own_folder.as_ref().is_some_and(|own| *own != folder);
            if elsewhere && !is_tfvars(Some(sibling.path)) {
                let at = match folders.iter().position(|(f, _)| *f == folder) {
                    Some(at) => at,
                    None => {
                        folders.push((folder, Vec::new()));
                        folders.len() - 1
                    }
                };
                let mut entries = Vec::new();
                take(root, false, &mut entries, &mut Vec::new());
                folders[at].1.extend(entries);
                continue;
            }
            let mut entries = Vec::new();
            take(
                root,
                is_tfvars(Some(sibling.path)),
                &mut entries,
                &mut values,
            );
            own.push((sibling.path, entries));
        }
        own.sort_by(|a, b| a.0.cmp(b.0));
        let mut configuration: Vec<Entry> = own.into_iter().flat_map(|(_, e)| e).collect();
        if let (Some(own), false) = (own_folder, folders.is_empty()) {
            let at = TextRange::empty(0);
            let entries = folders
                .into_iter()
                .map(|(folder, entries)| Entry {
                    key: Key {
                        text: Text::from(folder.as_str()),
                        range: at,
                    },
                    value: Node {
                        range: at,
                        kind: NodeKind::Block(Box::new(Block {
                            labels: Vec::new(),
                            body: block_mapping(entries, at),
                        })),
                    },
                })
                .collect();
            configuration.push(Entry {
                key: Key {
                    text: Text::from(MODULES),
                    range: at,
                },
                value: Node {
                    range: at,
                    kind: NodeKind::Block(Box::new(Block {
                        labels: vec![Key {
                            text: Text::from(own.as_str()),
                            range: at,
                        }],
                        body: block_mapping(entries, at),
                    })),
                },
            });
        }
        for (key, entries) in [(TFVARS, values), (FILES, data)] {
            if entries.is_empty() {
                continue;
            }
            let at = TextRange::empty(0);
            configuration.push(Entry {
                key: Key {
                    text: Text::from(key),
                    range: at,
                },
                value: Node {
                    range: at,
                    kind: NodeKind::Block(Box::new(Block {
                        labels: Vec::new(),
                        body: block_mapping(entries, at),
                    })),
                },
            });
        }
        let calls = written_calls
            .into_iter()
            .filter_map(|(caller, path, range)| {
                let index = files
                    .iter()
                    .position(|(p, _)| p.as_deref().is_some_and(|p| names(p, &path)))?;
                (index != caller).then_some((index, caller, range))
            })
            .collect();
        let root =
            parsed.then(|| block_mapping(configuration, TextRange::from_usize(0, text.len())));
        Assembled {
            text,
            document: Document {
                format: Format::Hcl,
                root,
                errors,
                duplicate_keys,
            },
            files,
            calls,
            written,
        }
    }

    fn file_of(&self, range: TextRange) -> usize {
        self.files
            .iter()
            .position(|(_, r)| r.start <= range.start && range.end <= r.end)
            .unwrap_or(usize::MAX)
    }

    /// A related place, moved into the coordinates of its own file and named when that is not
    /// `target`.
    fn related(&self, related: Related, target: usize) -> Option<Related> {
        let file = self.file_of(related.range);
        let (path, range) = self.files.get(file)?;
        Some(Related {
            range: related.range.unshifted(range.start),
            file: (file != target).then(|| path.clone().unwrap_or_default()),
            ..related
        })
    }

    /// The findings of each checked file, in its own coordinates, in the order the files were
    /// given.
    pub fn split(&self, checked: Checked, count: usize) -> Vec<Checked> {
        (0..count)
            .map(|target| Checked {
                diagnostics: self.split_for(&checked.diagnostics, target),
                ..checked
            })
            .collect()
    }

    /// The findings of the checked file `target`.
    fn split_for(&self, found: &[Diagnostic], target: usize) -> Vec<Diagnostic> {
        let base = self.files[target].1.start;
        let mut diagnostics = Vec::new();
        for diagnostic in found {
            let file = self.file_of(diagnostic.range);
            let edits_here = diagnostic
                .fix
                .as_ref()
                .is_some_and(|fix| fix.edits.iter().all(|e| self.file_of(e.range) == target));
            let mut diagnostic = diagnostic.clone();
            match &mut diagnostic.fix {
                Some(fix) if edits_here => {
                    for edit in &mut fix.edits {
                        edit.range = edit.range.unshifted(base);
                    }
                }
                fix => *fix = None,
            }
            let related = std::mem::take(&mut diagnostic.related);
            if file == target {
                diagnostic.range = diagnostic.range.unshifted(base);
                diagnostic.related = related
                    .into_iter()
                    .filter_map(|r| self.related(r, target))
                    .collect();
                diagnostics.push(diagnostic);
                continue;
            }
            let range = diagnostic.range;
            // In a file this one reads with `file()`: placed at the call, the place named.
            let call = self
                .calls
                .iter()
                .find(|(f, caller, _)| *f == file && *caller == target);
            if let Some((_, _, call)) = call {
                let here = self.related(Related::new(range, "in the file read here"), target);
                diagnostic.related = here
                    .into_iter()
                    .chain(related.into_iter().filter_map(|r| self.related(r, target)))
                    .collect();
                diagnostic.range = call.unshifted(base);
                diagnostic.fix = None;
                diagnostics.push(diagnostic);
                continue;
            }
            // About a value written here and used in another file: placed where it is written.
            let Some(first) = related.first().filter(|r| self.file_of(r.range) == target) else {
                continue;
            };
            if !edits_here {
                continue;
            }
            diagnostic.range = first.range.unshifted(base);
            diagnostic.related = self
                .related(Related::new(range, "the value is used here"), target)
                .into_iter()
                .chain(
                    related[1..]
                        .iter()
                        .cloned()
                        .filter_map(|r| self.related(r, target)),
                )
                .collect();
            diagnostics.push(diagnostic);
        }
        diagnostics.sort_by(|a, b| {
            (a.range.start, a.range.end, a.code).cmp(&(b.range.start, b.range.end, b.code))
        });
        diagnostics.dedup();
        diagnostics
    }
}

fn block_mapping(entries: Vec<Entry>, range: TextRange) -> Node {
    Node {
        range,
        kind: NodeKind::Mapping(Mapping {
            entries,
            style: CollectionStyle::Block,
        }),
    }
}

/// Every `file("…")` / `templatefile("…", …)` call in a tree whose path is written literally:
/// the path as the module names it, and the call's range.
fn file_calls(node: &Node, found: &mut dyn FnMut(&str, TextRange)) {
    let mut pending = vec![node];
    while let Some(node) = pending.pop() {
        match &node.kind {
            NodeKind::Scalar(_) => {}
            NodeKind::Mapping(m) => pending.extend(m.entries.iter().map(|e| &e.value)),
            NodeKind::Sequence(s) => pending.extend(s.items.iter()),
            NodeKind::Block(b) => pending.push(&b.body),
            NodeKind::Tagged(t) => {
                let name = t.tag.strip_prefix(CALL);
                if matches!(name, Some("file" | "templatefile")) {
                    let first = t.value.as_sequence().and_then(|s| s.items.first());
                    if let Some(path) = first.and_then(literal_path) {
                        found(&path, node.range);
                    }
                }
                pending.push(&t.value);
            }
        }
    }
}

/// The path a `file()` argument names, when it is written literally (`"x.json"`,
/// `"${path.module}/x.json"`).
pub(crate) fn literal_path(argument: &Node) -> Option<String> {
    let written = match &argument.kind {
        NodeKind::Scalar(s) => s.text.to_string(),
        NodeKind::Tagged(t) if t.tag == crate::syntax::hcl::TEMPLATE => {
            let parts = t.value.as_sequence()?;
            let mut text = String::new();
            for part in &parts.items {
                match &part.kind {
                    NodeKind::Scalar(s) => text.push_str(&s.text),
                    NodeKind::Tagged(r) if r.value.as_str() == Some("path.module") => {
                        text.push_str("${path.module}")
                    }
                    _ => return None,
                }
            }
            text
        }
        _ => return None,
    };
    module_relative(&written).map(str::to_string)
}

/// Whether a file given as `given` (a path as the face knows it: relative to the working folder,
/// or absolute) is the one a module names `written` (relative to the module).
pub(crate) fn names(given: &str, written: &str) -> bool {
    let given = given.replace('\\', "/");
    given == written || given.ends_with(&format!("/{written}"))
}

/// The folder a file is in, written as [`folder_join`] writes folders: `/`-separated, without
/// `.` steps, `a/..` taken out; empty for the working folder.
pub(crate) fn folder_of(path: &str) -> String {
    let path = path.replace('\\', "/");
    let folder = path
        .rfind('/')
        .map_or("", |at| &path[..at.max(usize::from(at == 0))]);
    normal(folder)
}

/// The folder a module source (`./modules/ecr`, `../ecr`) names from the folder `from`.
pub(crate) fn folder_join(from: &str, source: &str) -> String {
    let source = source.replace('\\', "/");
    if from.is_empty() {
        normal(&source)
    } else {
        normal(&format!("{from}/{source}"))
    }
}

/// A path with `.` steps, repeated `/` and `a/..` taken out, lexically.
fn normal(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut steps: Vec<&str> = Vec::new();
    for step in path.split('/') {
        match step {
            "" | "." => {}
            ".." if steps.last().is_some_and(|s| *s != "..") => {
                steps.pop();
            }
            // Above the root of an absolute path is the root.
            ".." if absolute => {}
            step => steps.push(step),
        }
    }
    let joined = steps.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}
