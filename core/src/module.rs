//! A Terraform module's files as one text: the checked file first, its siblings after it, each
//! parsed on its own and its tree moved to where it stands, so that one lowering sees every
//! variable, local and resource of the module; then the findings split back to the checked file.

use crate::diagnostic::{Diagnostic, Related};
use crate::engine::{Checked, Source};
use crate::syntax::hcl::TFVARS;
use crate::syntax::{
    self, Block, CollectionStyle, Document, Entry, Format, Key, Mapping, Node, NodeKind,
};
use crate::text::{to_u32, Text, TextRange};

/// Files of a module joined into one text and one tree.
pub(crate) struct Assembled {
    pub text: String,
    pub document: Document,
    /// Each file's path and its range in `text`; the checked file is first.
    files: Vec<(Option<String>, TextRange)>,
}

/// Whether a path names a file of variable values rather than configuration.
fn is_tfvars(path: Option<&str>) -> bool {
    path.is_some_and(|p| p.ends_with(".tfvars"))
}

impl Assembled {
    pub fn new(source: &str, path: Option<&str>, siblings: &[&Source<'_>]) -> Self {
        let mut text = String::with_capacity(
            source.len() + siblings.iter().map(|s| s.text.len() + 1).sum::<usize>() + 1,
        );
        let mut files = Vec::with_capacity(siblings.len() + 1);
        let mut configuration: Vec<Entry> = Vec::new();
        let mut values: Vec<Entry> = Vec::new();
        let primary = syntax::parse(source, Format::Hcl);
        text.push_str(source);
        files.push((
            path.map(str::to_string),
            TextRange::from_usize(0, source.len()),
        ));
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
        let primary_root = primary.root.clone();
        take(
            primary_root,
            is_tfvars(path),
            &mut configuration,
            &mut values,
        );
        for sibling in siblings {
            text.push('\n');
            let base = to_u32(text.len());
            text.push_str(sibling.text);
            files.push((
                Some(sibling.path.to_string()),
                TextRange::from_usize(base as usize, text.len()),
            ));
            // A sibling that does not parse is reported when it is checked itself; here it
            // just has nothing to give.
            let mut root = syntax::parse(sibling.text, Format::Hcl).root;
            if let Some(root) = &mut root {
                root.shift(base);
            }
            take(
                root,
                is_tfvars(Some(sibling.path)),
                &mut configuration,
                &mut values,
            );
        }
        if !values.is_empty() {
            let at = TextRange::empty(0);
            configuration.push(Entry {
                key: Key {
                    text: Text::from(TFVARS),
                    range: at,
                },
                value: Node {
                    range: at,
                    kind: NodeKind::Block(Box::new(Block {
                        labels: Vec::new(),
                        body: block_mapping(values, at),
                    })),
                },
            });
        }
        let root = primary
            .root
            .is_some()
            .then(|| block_mapping(configuration, TextRange::from_usize(0, text.len())));
        Assembled {
            text,
            document: Document {
                format: Format::Hcl,
                root,
                errors: primary.errors,
                duplicate_keys: primary.duplicate_keys,
            },
            files,
        }
    }

    fn file_of(&self, range: TextRange) -> usize {
        self.files
            .iter()
            .position(|(_, r)| r.start <= range.start && range.end <= r.end)
            .unwrap_or(usize::MAX)
    }

    /// A related place, moved into the coordinates of its own file and named when that is not
    /// the checked one.
    fn related(&self, related: Related) -> Option<Related> {
        let file = self.file_of(related.range);
        let (path, range) = self.files.get(file)?;
        Some(Related {
            range: related.range.unshifted(range.start),
            file: (file != 0).then(|| path.clone().unwrap_or_default()),
            ..related
        })
    }

    /// The checked file's findings, in its own coordinates.
    pub fn split(&self, checked: Checked) -> Checked {
        let mut diagnostics = Vec::new();
        for diagnostic in checked.diagnostics {
            let file = self.file_of(diagnostic.range);
            let edits_here = diagnostic
                .fix
                .as_ref()
                .is_some_and(|fix| fix.edits.iter().all(|e| self.file_of(e.range) == 0));
            let Diagnostic {
                range,
                mut fix,
                related,
                ..
            } = diagnostic.clone();
            if file == 0 {
                if !edits_here {
                    fix = None;
                }
                let related = related
                    .into_iter()
                    .filter_map(|r| self.related(r))
                    .collect();
                diagnostics.push(Diagnostic {
                    fix,
                    related,
                    ..diagnostic
                });
                continue;
            }
            // About a value written here and used in another file: placed where it is written.
            let Some(first) = related.first().filter(|r| self.file_of(r.range) == 0) else {
                continue;
            };
            if !edits_here {
                continue;
            }
            let mut moved = vec![self
                .related(Related::new(range, "the value is used here"))
                .expect("the finding lies in a file of the module")];
            moved.extend(related[1..].iter().cloned().filter_map(|r| self.related(r)));
            diagnostics.push(Diagnostic {
                range: first.range,
                fix,
                related: moved,
                ..diagnostic
            });
        }
        diagnostics.sort_by(|a, b| {
            (a.range.start, a.range.end, a.code).cmp(&(b.range.start, b.range.end, b.code))
        });
        diagnostics.dedup();
        Checked {
            diagnostics,
            ..checked
        }
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
