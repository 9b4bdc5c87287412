//! Suppressions, shared by every face: `# ecrlint: ignore ECR201 -- reason` comments (YAML), a
//! CloudFormation resource's (or the template's) `Metadata: {ecrlint: {ignore: [...]}}`, and the
//! Checkov `skip` and cfn-lint `ignore_checks` entries that map to an ecrlint rule through the
//! rule's `covers` list. An ecrlint ignore that suppresses nothing is reported as ECR905
//! `unused-suppression`, with a fix that removes it.
//!
//! Also the edits behind the editor's "Ignore ECRxxx on this line" and "… for this resource"
//! actions, so that every face writes suppressions the same way.

use crate::adapt::cloudformation::Template;
use crate::adapt::InputKind;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rules::{self, RuleMeta, UNUSED_SUPPRESSION};
use crate::settings::Settings;
use crate::syntax::write::{Generated, Writer};
use crate::syntax::{self, Document, Format, Node, NodeKind};
use crate::text::{to_u32, LineIndex, TextRange};

/// What follows `#` in a suppression comment.
const MARKER: &str = "ecrlint:";
const DIRECTIVE: &str = "ignore";

/// The source a suppression pass reads: its text, its tree, and its CloudFormation view when it
/// is a template.
pub(crate) struct Suppressible<'s, 'a> {
    pub source: &'a str,
    pub document: &'a Document,
    pub template: Option<&'s Template<'a>>,
    /// Whether the source parsed: a document that did not cannot be trusted to say what it ignores.
    pub parsed: bool,
}

/// Drops the findings a suppression covers, then reports the ecrlint ignores that covered none.
pub(crate) fn apply(
    input: &Suppressible<'_, '_>,
    settings: &Settings,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let source = input.source;
    let mut found = Vec::new();
    let mut lines = None;
    if input.document.format == Format::Yaml && source.contains(MARKER) {
        let index = LineIndex::new(source);
        let leaves = Leaves::of(input.document.root.as_ref());
        for comment in ignore_comments(source, &index, &leaves) {
            comment_suppressions(comment, &mut found);
        }
        lines = Some(index);
    }
    if let (Some(template), Some(root)) = (input.template, input.document.root.as_ref()) {
        metadata_suppressions(template, root, source, &mut found);
    }
    if found.is_empty() {
        return;
    }
    diagnostics.retain(|diagnostic| {
        let line = lines.as_ref().map(|l| l.line_of(diagnostic.range.start));
        let mut suppressed = false;
        for suppression in found.iter_mut() {
            if suppression.covers(diagnostic, line) {
                suppression.used = true;
                suppressed = true;
            }
        }
        !suppressed
    });
    if !input.parsed || !settings.enabled(&UNUSED_SUPPRESSION) {
        return;
    }
    let writer = Writer::new(source, input.document.format);
    for suppression in &found {
        let Some(own) = &suppression.own else {
            continue;
        };
        if suppression.used {
            continue;
        }
        let message = match (&suppression.matcher, own.problem) {
            (_, Some(problem)) => problem.to_string(),
            (Matcher::Selector(selector), None) => {
                let rules: Vec<&RuleMeta> = rules::rules()
                    .iter()
                    .copied()
                    .filter(|r| r.matches(selector))
                    .collect();
                if rules.is_empty() {
                    format!(
                        "`{selector}` is not an ecrlint rule, so this ignore suppresses nothing"
                    )
                } else if !rules.iter().any(|r| settings.enabled(r)) {
                    // The rule is switched off: the ignore may matter again when it is back on.
                    continue;
                } else {
                    format!(
                        "unused suppression: no `{selector}` finding {}",
                        suppression.scope_phrase
                    )
                }
            }
            (Matcher::Rules(_), None) => continue,
        };
        let fix = own
            .removal
            .edit(source, &writer)
            .map(|edit| Fix::safe("Remove the unused suppression", vec![edit]));
        diagnostics.push(Diagnostic {
            code: UNUSED_SUPPRESSION.code,
            name: UNUSED_SUPPRESSION.name,
            severity: settings.severity_of(&UNUSED_SUPPRESSION),
            message,
            range: own.range,
            fix,
            related: Vec::new(),
            command: None,
        });
    }
}

struct Suppression<'a> {
    scope: Scope,
    /// How the scope reads in a message: "on this line", "in resource `Repo`".
    scope_phrase: String,
    matcher: Matcher,
    /// Set for ecrlint's own ignores; other tools' skips are honoured but never reported.
    own: Option<Own<'a>>,
    used: bool,
}

enum Scope {
    /// Findings that start on this zero-based line.
    Line(u32),
    /// Findings that start inside this range: a resource, or the whole template.
    Range(TextRange),
}

enum Matcher {
    /// A code, a code prefix, a rule name or `ALL`, as `select` takes them.
    Selector(String),
    /// The rules another tool's check id maps to.
    Rules(Vec<&'static str>),
}

struct Own<'a> {
    /// Where an unused ignore is reported: its code.
    range: TextRange,
    /// Set when the ignore cannot work whatever the findings are.
    problem: Option<&'static str>,
    removal: Removal<'a>,
}

impl Suppression<'_> {
    fn covers(&self, diagnostic: &Diagnostic, line: Option<u32>) -> bool {
        // A document that does not parse cannot be trusted to say what it ignores.
        if diagnostic.code == rules::INVALID_SYNTAX.code {
            return false;
        }
        let at = diagnostic.range.start;
        let in_scope = match self.scope {
            Scope::Line(target) => line == Some(target),
            Scope::Range(range) => range.start <= at && at <= range.end,
        };
        in_scope
            && match &self.matcher {
                Matcher::Selector(selector) => {
                    rules::rule(diagnostic.code).is_some_and(|r| r.matches(selector))
                }
                Matcher::Rules(codes) => codes.contains(&diagnostic.code),
            }
    }
}

// ---------------------------------------------------------------------------------------------
// Comments

/// A `# ecrlint: ignore …` comment.
#[derive(Clone, Debug)]
struct IgnoreComment {
    /// From `#` to the end of the line's content.
    range: TextRange,
    /// Whether nothing but indentation stands before the `#`.
    own_line: bool,
    /// The line whose findings it ignores: its own, or for a comment on its own line the first
    /// line below that is not a comment.
    target: u32,
    /// The codes (or names) it lists, with their ranges.
    selectors: Vec<(String, TextRange)>,
    /// Where the word `ignore` ends: a code written into an empty list goes there.
    directive_end: u32,
}

fn comment_suppressions<'a>(comment: IgnoreComment, out: &mut Vec<Suppression<'a>>) {
    let scope_phrase = "on this line".to_string();
    if comment.selectors.is_empty() {
        out.push(Suppression {
            scope: Scope::Line(comment.target),
            scope_phrase,
            matcher: Matcher::Rules(Vec::new()),
            own: Some(Own {
                range: comment.range,
                problem: Some("this ignore comment names no rule; list the codes to ignore, as in `# ecrlint: ignore ECR201 -- reason`"),
                removal: Removal::Comment {
                    comment: comment.clone(),
                    index: 0,
                },
            }),
            used: false,
        });
        return;
    }
    for (index, (selector, range)) in comment.selectors.iter().enumerate() {
        out.push(Suppression {
            scope: Scope::Line(comment.target),
            scope_phrase: scope_phrase.clone(),
            matcher: Matcher::Selector(selector.clone()),
            own: Some(Own {
                range: *range,
                problem: None,
                removal: Removal::Comment {
                    comment: comment.clone(),
                    index,
                },
            }),
            used: false,
        });
    }
}

/// Every `# ecrlint: ignore` comment of a YAML source.
fn ignore_comments(source: &str, index: &LineIndex, leaves: &Leaves) -> Vec<IgnoreComment> {
    let mut comments = Vec::new();
    for (at, _) in source.match_indices(MARKER) {
        let Some(hash) = comment_start_before(source, at) else {
            continue;
        };
        // A second directive inside a comment already read is part of that comment's text.
        if comments
            .last()
            .is_some_and(|c: &IgnoreComment| to_u32(hash) < c.range.end)
        {
            continue;
        }
        if leaves.contains(to_u32(hash)) {
            continue;
        }
        let line = index.line_of(to_u32(hash));
        let line_range = index.line_range(line, source);
        let before = &source[line_range.start as usize..hash];
        if !(before.is_empty() || before.ends_with([' ', '\t'])) {
            continue;
        }
        let end = line_range.end as usize;
        let Some((selectors, directive_end)) = parse_directive(source, at + MARKER.len(), end)
        else {
            continue;
        };
        let own_line = before.trim().is_empty();
        let target = if own_line {
            let mut target = line + 1;
            while (target as usize) < index.line_count()
                && source[index.line_range(target, source).as_usize()]
                    .trim_start()
                    .starts_with('#')
            {
                target += 1;
            }
            target
        } else {
            line
        };
        comments.push(IgnoreComment {
            range: TextRange::from_usize(hash, end),
            own_line,
            target,
            selectors,
            directive_end,
        });
    }
    comments
}

/// The `#` that starts the comment holding `marker`, when only spaces stand between them.
fn comment_start_before(source: &str, marker: usize) -> Option<usize> {
    let before = source[..marker].trim_end_matches([' ', '\t']);
    before.ends_with('#').then(|| before.len() - 1)
}

/// Reads `ignore CODE, CODE -- reason` from `from` to `end`: the codes with their ranges, and
/// where the word `ignore` ends. `None` when the comment says something else.
fn parse_directive(
    source: &str,
    from: usize,
    end: usize,
) -> Option<(Vec<(String, TextRange)>, u32)> {
    let text = &source[from..end];
    let trimmed = text.trim_start();
    let rest = trimmed.strip_prefix(DIRECTIVE)?;
    if !(rest.is_empty() || rest.starts_with([' ', '\t', ','])) {
        return None;
    }
    let directive_end = from + (text.len() - trimmed.len()) + DIRECTIVE.len();
    // The list ends at the reason (`--`), or at a `#` that starts what reads as another comment.
    let list_end = [rest.find("--"), rest.find('#')]
        .into_iter()
        .flatten()
        .min()
        .map_or(end, |i| directive_end + i);
    let mut selectors = Vec::new();
    let mut start = None;
    for (i, ch) in source[directive_end..list_end].char_indices() {
        let at = directive_end + i;
        let separator = ch == ',' || ch.is_whitespace();
        match (separator, start) {
            (false, None) => start = Some(at),
            (true, Some(s)) => {
                selectors.push((source[s..at].to_string(), TextRange::from_usize(s, at)));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        selectors.push((
            source[s..list_end].to_string(),
            TextRange::from_usize(s, list_end),
        ));
    }
    Some((selectors, to_u32(directive_end)))
}

/// The ranges of every scalar and key, where a `#` is text and not a comment.
struct Leaves(Vec<TextRange>);

impl Leaves {
    fn of(root: Option<&Node>) -> Leaves {
        let mut ranges = Vec::new();
        let mut stack: Vec<&Node> = root.into_iter().collect();
        while let Some(node) = stack.pop() {
            match &node.kind {
                NodeKind::Scalar(_) => ranges.push(node.range),
                NodeKind::Mapping(mapping) => {
                    for entry in &mapping.entries {
                        ranges.push(entry.key.range);
                        stack.push(&entry.value);
                    }
                }
                NodeKind::Sequence(sequence) => stack.extend(sequence.items.iter()),
                NodeKind::Tagged(tagged) => stack.push(&tagged.value),
                NodeKind::Block(block) => {
                    ranges.extend(block.labels.iter().map(|l| l.range));
                    stack.push(&block.body);
                }
            }
        }
        ranges.retain(|r| !r.is_empty());
        ranges.sort();
        Leaves(ranges)
    }

    /// Whether `offset` lies inside a scalar (strictly after its start).
    fn contains(&self, offset: u32) -> bool {
        self.strictly_inside(offset) || self.0.binary_search_by_key(&offset, |r| r.start).is_ok()
    }

    /// Whether `offset` lies strictly between the start and the end of a scalar.
    fn strictly_inside(&self, offset: u32) -> bool {
        let i = self.0.partition_point(|r| r.start < offset);
        i > 0 && self.0[..i].iter().rev().take(4).any(|r| r.end > offset)
    }
}

// ---------------------------------------------------------------------------------------------
// Metadata

/// Where a `Metadata` list entry sits, to remove it when unused.
struct MetadataItem<'a> {
    /// The resource (or the template root) holding `Metadata`.
    holder: &'a Node,
    metadata: &'a Node,
    ecrlint: &'a Node,
    /// The `ignore` value: a list, or a single code.
    list: &'a Node,
    index: usize,
}

fn metadata_suppressions<'a>(
    template: &Template<'a>,
    root: &'a Node,
    source: &str,
    out: &mut Vec<Suppression<'a>>,
) {
    for resource in &template.resources {
        let Some(metadata) = resource.node.get("Metadata") else {
            continue;
        };
        let scope = TextRange::new(resource.id_range.start, resource.node.range.end);
        let phrase = format!("in resource `{}`", resource.logical_id);
        own_metadata(resource.node, metadata, scope, &phrase, out);
        peer_metadata(metadata, scope, &phrase, true, out);
    }
    if let Some(metadata) = root.get("Metadata") {
        let scope = TextRange::from_usize(0, source.len());
        let phrase = "in this template";
        own_metadata(root, metadata, scope, phrase, out);
        peer_metadata(metadata, scope, phrase, false, out);
    }
}

/// `Metadata: {ecrlint: {ignore: [{code: ECR201, reason: …}, ECR101]}}`.
fn own_metadata<'a>(
    holder: &'a Node,
    metadata: &'a Node,
    scope: TextRange,
    phrase: &str,
    out: &mut Vec<Suppression<'a>>,
) {
    let Some(ecrlint) = metadata.get("ecrlint") else {
        return;
    };
    let Some(list) = ecrlint.get("ignore") else {
        return;
    };
    let items: Vec<&Node> = match list.as_sequence() {
        Some(sequence) => sequence.items.iter().collect(),
        None => vec![list],
    };
    for (index, item) in items.into_iter().enumerate() {
        let code = item.get("code").unwrap_or(item);
        let Some(selector) = code.as_str() else {
            continue;
        };
        out.push(Suppression {
            scope: Scope::Range(scope),
            scope_phrase: phrase.to_string(),
            matcher: Matcher::Selector(selector.to_string()),
            own: Some(Own {
                range: code.range,
                problem: None,
                removal: Removal::Metadata(MetadataItem {
                    holder,
                    metadata,
                    ecrlint,
                    list,
                    index,
                }),
            }),
            used: false,
        });
    }
}

/// Checkov `skip` (resources only) and cfn-lint `ignore_checks`, mapped through `covers`.
fn peer_metadata<'a>(
    metadata: &'a Node,
    scope: TextRange,
    phrase: &str,
    resource: bool,
    out: &mut Vec<Suppression<'a>>,
) {
    let mut ids: Vec<(&str, &str, bool)> = Vec::new();
    if resource {
        let skips = metadata.get("checkov").and_then(|c| c.get("skip"));
        for skip in skips
            .and_then(Node::as_sequence)
            .into_iter()
            .flat_map(|s| &s.items)
        {
            if let Some(id) = skip.get("id").and_then(Node::as_str) {
                ids.push(("Checkov", id, false));
            }
        }
    }
    let checks = metadata
        .get("cfn-lint")
        .and_then(|c| c.get("config"))
        .and_then(|c| c.get("ignore_checks"));
    for check in checks
        .and_then(Node::as_sequence)
        .into_iter()
        .flat_map(|s| &s.items)
    {
        if let Some(id) = check.as_str() {
            // cfn-lint takes prefixes: `E3` ignores every E3xxx check.
            ids.push(("cfn-lint", id, true));
        }
    }
    for (tool, id, prefix) in ids {
        let codes = peer_rules(tool, id.trim(), prefix);
        if !codes.is_empty() {
            out.push(Suppression {
                scope: Scope::Range(scope),
                scope_phrase: phrase.to_string(),
                matcher: Matcher::Rules(codes),
                own: None,
                used: false,
            });
        }
    }
}

/// The ecrlint rules whose `covers` name `tool`'s check `id` (`Checkov CKV_AWS_51`).
fn peer_rules(tool: &str, id: &str, prefix: bool) -> Vec<&'static str> {
    if id.is_empty() {
        return Vec::new();
    }
    rules::rules()
        .iter()
        .filter(|rule| {
            rule.covers.iter().any(|covered| {
                let Some(peer) = covered
                    .strip_prefix(tool)
                    .and_then(|rest| rest.strip_prefix(' '))
                else {
                    return false;
                };
                if prefix {
                    peer.starts_with(id)
                } else {
                    peer == id
                }
            })
        })
        .map(|rule| rule.code)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Removing an unused ignore

enum Removal<'a> {
    /// The `index`th code of a comment (the whole comment when it is the only one).
    Comment {
        comment: IgnoreComment,
        index: usize,
    },
    Metadata(MetadataItem<'a>),
}

impl Removal<'_> {
    fn edit(&self, source: &str, writer: &Writer<'_>) -> Option<Edit> {
        match self {
            Removal::Comment { comment, index } => {
                let selectors = &comment.selectors;
                if selectors.len() > 1 {
                    let this = selectors[*index].1;
                    let range = match selectors.get(index + 1) {
                        Some((_, next)) => TextRange::new(this.start, next.start),
                        None => TextRange::new(selectors[index - 1].1.end, this.end),
                    };
                    return Some(Edit::delete(range));
                }
                Some(Edit::delete(whole_comment(source, comment)))
            }
            Removal::Metadata(item) => {
                let MetadataItem {
                    holder,
                    metadata,
                    ecrlint,
                    list,
                    index,
                } = item;
                if list.as_sequence().is_some_and(|s| s.items.len() > 1) {
                    return writer.remove_item(list, *index);
                }
                let others = |node: &Node, key: &str| {
                    node.as_mapping()
                        .is_some_and(|m| m.entries.iter().any(|e| e.key.text != key))
                };
                if others(ecrlint, "ignore") {
                    writer.remove_entry(ecrlint, "ignore")
                } else if others(metadata, "ecrlint") {
                    writer.remove_entry(metadata, "ecrlint")
                } else {
                    writer.remove_entry(holder, "Metadata")
                }
            }
        }
    }
}

/// A comment with what goes with it: its whole line when it stands alone, else the spaces
/// before it.
fn whole_comment(source: &str, comment: &IgnoreComment) -> TextRange {
    let start = comment.range.start as usize;
    let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
    if comment.own_line {
        let end = source[start..]
            .find('\n')
            .map_or(source.len(), |i| start + i + 1);
        if end == source.len() && !source[start..].contains('\n') && line_start > 0 {
            // The last line, without a line ending: take the one before it instead.
            let previous_end = source[..line_start - 1]
                .strip_suffix('\r')
                .map_or(line_start - 1, str::len);
            return TextRange::from_usize(previous_end, end);
        }
        return TextRange::from_usize(line_start, end);
    }
    let before = source[line_start..start].trim_end_matches([' ', '\t']);
    TextRange::from_usize(line_start + before.len(), comment.range.end as usize)
}

// ---------------------------------------------------------------------------------------------
// Writing a suppression (the editor actions)

/// The edit that ignores `code` on the line holding `offset`: the code joins a `# ecrlint:
/// ignore` comment already there (or just above), or a new comment goes at the end of the line
/// (above it, when the line has a comment or ends inside a string). `None` for JSON, which has
/// no comments, inside a multi-line string, or when the line already ignores `code`.
pub fn ignore_on_line(source: &str, path: Option<&str>, offset: u32, code: &str) -> Option<Edit> {
    if syntax::detect_format(source, path) != Format::Yaml {
        return None;
    }
    let document = syntax::parse(source, Format::Yaml);
    let index = LineIndex::new(source);
    let leaves = Leaves::of(document.root.as_ref());
    let line = index.line_of(offset.min(to_u32(source.len())));
    let rule = rules::rule(code);
    let existing = ignore_comments(source, &index, &leaves)
        .into_iter()
        .find(|c| c.target == line);
    if let Some(comment) = existing {
        let listed = comment.selectors.iter().any(|(s, _)| match rule {
            Some(rule) => rule.matches(s),
            None => s.eq_ignore_ascii_case(code),
        });
        if listed {
            return None;
        }
        return Some(match comment.selectors.last() {
            Some((_, last)) => Edit::insert(last.end, format!(", {code}")),
            None => Edit::insert(comment.directive_end, format!(" {code}")),
        });
    }
    let line_range = index.line_range(line, source);
    let text = &source[line_range.as_usize()];
    let has_comment = text.char_indices().any(|(i, ch)| {
        let at = line_range.start + to_u32(i);
        ch == '#' && (i == 0 || text[..i].ends_with([' ', '\t'])) && !leaves.contains(at)
    });
    if !has_comment && !leaves.strictly_inside(line_range.end) {
        return Some(Edit::insert(
            line_range.end,
            format!("  # {MARKER} {DIRECTIVE} {code}"),
        ));
    }
    if leaves.strictly_inside(line_range.start) {
        return None;
    }
    let indent: String = text
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let eol = LineIndex::line_ending(source);
    Some(Edit::insert(
        line_range.start,
        format!("{indent}# {MARKER} {DIRECTIVE} {code}{eol}"),
    ))
}

/// The edit that adds `{code: …}` to `Metadata.ecrlint.ignore` of the template resource holding
/// `offset`, creating `Metadata`, `ecrlint` and `ignore` as needed. `None` outside a resource,
/// when the resource already ignores `code`, or when its `Metadata` is not a mapping.
pub fn ignore_in_resource(
    source: &str,
    path: Option<&str>,
    offset: u32,
    code: &str,
) -> Option<Edit> {
    let format = syntax::detect_format(source, path);
    let document = syntax::parse(source, format);
    let root = document.root.as_ref()?;
    if !matches!(
        InputKind::of(root),
        InputKind::CloudformationTemplate | InputKind::SamTemplate
    ) {
        return None;
    }
    let template = Template::new(root);
    let resource = template.resources.iter().find(|r| {
        r.id_range.start <= offset && offset < r.node.range.end && r.node.as_mapping().is_some()
    })?;
    let writer = Writer::new(source, format);
    let item = Generated::Map(vec![("code".into(), Generated::Str(code.into()))]);
    let list = Generated::List(vec![item.clone()]);
    let ignore = Generated::Map(vec![("ignore".into(), list.clone())]);
    let Some(metadata_entry) = resource.node.get_entry("Metadata") else {
        let value = Generated::Map(vec![("ecrlint".into(), ignore)]);
        return writer.insert_block_entry(resource.node, resource.id_range, "Metadata", &value);
    };
    let metadata = &metadata_entry.value;
    metadata.as_mapping()?;
    let Some(ecrlint_entry) = metadata.get_entry("ecrlint") else {
        return writer.insert_block_entry(metadata, metadata_entry.key.range, "ecrlint", &ignore);
    };
    let ecrlint = &ecrlint_entry.value;
    ecrlint.as_mapping()?;
    let Some(existing) = ecrlint.get("ignore") else {
        return writer.insert_block_entry(ecrlint, ecrlint_entry.key.range, "ignore", &list);
    };
    let sequence = existing.as_sequence()?;
    let rule = rules::rule(code);
    let listed = sequence.items.iter().any(|i| {
        i.get("code")
            .unwrap_or(i)
            .as_str()
            .is_some_and(|s| rule.map_or(s.eq_ignore_ascii_case(code), |r| r.matches(s)))
    });
    if listed {
        return None;
    }
    writer.prepend_item(existing, &item)
}

#[cfg(test)]
mod tests;
