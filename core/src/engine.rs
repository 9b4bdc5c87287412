//! The pipeline every face calls: text → syntax → adapter → model → rules → findings with their
//! remedies rendered by the adapter, then suppressions. And applying fixes: one shared routine
//! for every face, in rounds (a fix can reveal the next finding) until nothing fixable is left;
//! a document that does not parse is never rewritten, and a round that would leave the document
//! unparsable is thrown away.

use std::collections::BTreeMap;

use serde::Serialize;
use typed_arena::Arena;

use crate::adapt::{self, InputKind, Raised, Rendered};
use crate::diagnostic::{Applicability, Diagnostic, Edit};
use crate::rules::{self, Report, DUPLICATE_KEY, INVALID_SYNTAX, UNRESOLVED_VALUE};
use crate::settings::Settings;
use crate::suppress::{self, Suppressible};
use crate::syntax::{self, Format};
use crate::text::TextRange;

/// What one source gave: the kind of input it was taken for, whether it parsed, and the findings,
/// sorted by position.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Checked {
    pub kind: InputKind,
    pub format: Format,
    /// Whether the source (and every IAM policy held in one of its strings) parsed. Fixes are
    /// never applied to a source that did not, whatever rules are selected. A lifecycle policy
    /// that is not JSON is an ECR303 finding: no fix writes inside it.
    pub parsed: bool,
    pub diagnostics: Vec<Diagnostic>,
}

/// Checks one source. `path` is a hint for the format (`.json`, `.yaml`, `.tf`); the kind of
/// input is always decided from the content.
pub fn check(source: &str, path: Option<&str>, settings: &Settings) -> Checked {
    let format = syntax::detect_format(source, path);
    let document = syntax::parse(source, format);
    check_document(source, &document, document.format, settings)
}

/// Another file of the same Terraform module, as a face hands it over: a `.tf` (or `.tf.json`)
/// file whose variables, locals and resources the checked one may use, a `.tfvars` file with
/// values, a file the module reads with `file()`, or a `.tf` file of a local module it calls
/// (named by its path, in its own folder).
#[derive(Clone, Copy, Debug)]
pub struct Source<'s> {
    pub path: &'s str,
    pub text: &'s str,
}

/// Checks one file of a Terraform module together with the module's other files (`siblings`;
/// `.tfvars` among them in the order Terraform reads them, later ones winning). The findings are
/// the checked file's: those whose range is in it, and those about a value written in it and
/// used elsewhere (a variable's default that makes another file's repository mutable), placed
/// where the value is written, with its fix. A place in another file is named in `Related::file`.
/// A source that is not HCL, or one without siblings, is checked alone.
pub fn check_in_module(
    source: &str,
    path: Option<&str>,
    siblings: &[Source<'_>],
    settings: &Settings,
) -> Checked {
    let hcl = module_sources(siblings);
    let part = match (syntax::detect_format(source, path), path) {
        _ if hcl.is_empty() => None,
        (Format::Hcl, _) => Some(crate::module::Part::parse(source, path)),
        (Format::Json, Some(path)) if path.ends_with(".tf.json") => {
            crate::module::Part::parse_json(source, path)
        }
        _ => None,
    };
    let Some(part) = part else {
        return check(source, path, settings);
    };
    let module = crate::module::Assembled::of(vec![part], &hcl);
    let checked = check_document(&module.text, &module.document, module.written, settings);
    module.split(checked, 1).remove(0)
}

/// The files a face handed over that a module is read with: its `.tf`, `.tf.json` and `.tfvars`
/// files, and the files it reads with `file()`.
fn module_sources<'s>(given: &'s [Source<'s>]) -> Vec<&'s Source<'s>> {
    given
        .iter()
        .filter(|s| {
            !crate::module::is_module_file(s.path)
                || s.path.ends_with(".tf.json")
                || syntax::detect_format(s.text, Some(s.path)) == Format::Hcl
        })
        .collect()
}

/// [`check_in_module`] for several `.tf` files of one folder at once (`checked`), with the rest
/// of their module (`others`: as for [`check_in_module`]): the module is read and lowered once,
/// and each file gets the findings it would get checked on its own. The results are in the
/// order of `checked`.
pub fn check_module(
    checked: &[Source<'_>],
    others: &[Source<'_>],
    settings: &Settings,
) -> Vec<Checked> {
    // A file that does not parse gets its syntax errors and nothing else, as on its own; to
    // the others it has nothing to give.
    let parts: Vec<crate::module::Part<'_>> = checked
        .iter()
        .map(|c| crate::module::Part::parse(c.text, Some(c.path)))
        .collect();
    let (parsed, broken): (Vec<_>, Vec<_>) = parts
        .into_iter()
        .enumerate()
        .partition(|(_, p)| p.document.root.is_some() && p.document.errors.is_empty());
    let mut results: Vec<Option<Checked>> = (0..checked.len()).map(|_| None).collect();
    for (at, part) in broken {
        results[at] = Some(check_document(
            part.text,
            &part.document,
            part.written,
            settings,
        ));
    }
    let siblings = module_sources(others);
    let (order, parts): (Vec<usize>, Vec<_>) = parsed.into_iter().unzip();
    let count = parts.len();
    if count > 0 {
        let module = crate::module::Assembled::of(parts, &siblings);
        let all = check_document(&module.text, &module.document, module.written, settings);
        for (at, one) in order.into_iter().zip(module.split(all, count)) {
            results[at] = Some(one);
        }
    }
    results.into_iter().flatten().collect()
}

/// `written`: the syntax of the checked text, which fixes follow (a module's tree is HCL's).
fn check_document(
    source: &str,
    document: &syntax::Document,
    written: Format,
    settings: &Settings,
) -> Checked {
    check_as(source, document, written, settings, None)
}

/// [`check_document`], with the kind of input given instead of decided from the content.
pub(crate) fn check_as(
    source: &str,
    document: &syntax::Document,
    written: Format,
    settings: &Settings,
    kind: Option<InputKind>,
) -> Checked {
    let format = written;
    let arena = Arena::new();
    let mut lowered = adapt::lower(source, document, written, &arena, settings, kind);
    let parsed = document.errors.is_empty() && !lowered.embedded_syntax_error;
    // Everything found, from the syntax, the lowering, the rules and the engine, before the
    // settings decide what is reported and how severely.
    let mut found: Vec<Raised> = std::mem::take(&mut lowered.raised);
    for error in &document.errors {
        found.push(Raised::new(
            &INVALID_SYNTAX,
            error.range,
            error.message.clone(),
        ));
    }
    for duplicate in &document.duplicate_keys {
        let (message, related) = rules::duplicate_key::describe(duplicate);
        found.push(Raised {
            related,
            ..Raised::new(&DUPLICATE_KEY, duplicate.range, message)
        });
    }
    if document.root.is_some() {
        // A rule on by default whose own findings are not wanted still runs when the values it
        // could not decide are (ECR903); an opt-in rule runs only when selected.
        let unresolved_wanted = settings.enabled(&UNRESOLVED_VALUE);
        let mut report = Report::default();
        for (rule, check) in rules::CHECKS {
            if settings.enabled(rule) || (unresolved_wanted && rule.default) {
                check(&lowered.model, &mut report);
            }
        }
        for finding in report.findings {
            if !settings.enabled(finding.rule) {
                continue;
            }
            let mut message = finding.message;
            let mut command = None;
            let fix = match finding.remedy.and_then(|r| lowered.render(&r)) {
                Some(Rendered::Fix(fix)) => Some(fix),
                Some(Rendered::Command(run)) => {
                    message.push_str(&format!("; run `{run}`"));
                    command = Some(run);
                    None
                }
                Some(Rendered::Elsewhere(place)) => {
                    message.push_str(&format!("; {place}"));
                    None
                }
                None => {
                    message.push_str(finding.without_fix.unwrap_or_default());
                    None
                }
            };
            found.push(Raised {
                fix,
                related: finding.related,
                command,
                ..Raised::new(finding.rule, finding.range, message)
            });
        }
        // One finding per value that cannot be known, however many rules needed it: the
        // questions joined, the first reason given.
        let mut asked: Vec<(TextRange, Vec<&str>, String)> = Vec::new();
        let mut at: std::collections::HashMap<TextRange, usize> = std::collections::HashMap::new();
        for unresolved in report.unresolved {
            match at.get(&unresolved.range) {
                Some(&i) => {
                    let questions: &mut Vec<&str> = &mut asked[i].1;
                    if !questions.contains(&unresolved.question) {
                        questions.push(unresolved.question);
                    }
                }
                None => {
                    at.insert(unresolved.range, asked.len());
                    asked.push((
                        unresolved.range,
                        vec![unresolved.question],
                        unresolved.reason,
                    ));
                }
            }
        }
        for (range, questions, reason) in asked {
            let message = format!("cannot tell {}: {reason}", questions.join(" or "));
            found.push(Raised::new(&UNRESOLVED_VALUE, range, message));
        }
    }
    let mut diagnostics: Vec<Diagnostic> = found
        .into_iter()
        .filter(|f| settings.enabled(f.rule))
        .map(|f| Diagnostic {
            code: f.rule.code,
            name: f.rule.name,
            severity: settings.severity_of(f.rule),
            // A plan's positions do not say which resource: the message does.
            message: match lowered.subject(f.range) {
                Some(subject) => format!("`{subject}`: {}", f.message),
                None => f.message,
            },
            range: f.range,
            fix: f.fix,
            related: f.related,
            command: f.command,
        })
        .collect();
    let suppressible = Suppressible {
        source,
        document,
        template: lowered.template.as_ref(),
        parsed,
    };
    suppress::apply(&suppressible, settings, &mut diagnostics);
    diagnostics.sort_by(|a, b| {
        (a.range.start, a.range.end, a.code).cmp(&(b.range.start, b.range.end, b.code))
    });
    diagnostics.dedup();
    Checked {
        kind: lowered.kind,
        format,
        parsed,
        diagnostics,
    }
}

/// Rounds after which fixing stops even if fixes remain (they would be fighting each other).
const MAX_ROUNDS: usize = 10;

#[derive(Clone, Debug, Serialize)]
pub struct FixedSource {
    /// The text after all applied fixes (the input itself when nothing applied).
    pub text: String,
    pub applied: Vec<AppliedFix>,
    /// What the fixed text still has.
    pub remaining: Checked,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AppliedFix {
    pub code: &'static str,
    pub title: String,
}

/// Applies every safe fix (and unsafe ones when asked). Never fixes a document that does not parse.
pub fn fix(
    source: &str,
    path: Option<&str>,
    settings: &Settings,
    unsafe_fixes: bool,
) -> FixedSource {
    fix_in_module(source, path, &[], settings, unsafe_fixes)
}

/// [`fix`] for one file of a Terraform module, checked with its siblings ([`check_in_module`]);
/// only the file itself is rewritten.
pub fn fix_in_module(
    source: &str,
    path: Option<&str>,
    siblings: &[Source<'_>],
    settings: &Settings,
    unsafe_fixes: bool,
) -> FixedSource {
    fix_with(
        source,
        |text| check_in_module(text, path, siblings, settings),
        unsafe_fixes,
    )
}

/// The rounds of fixes, each round checked with `check`.
pub(crate) fn fix_with(
    source: &str,
    check: impl Fn(&str) -> Checked,
    unsafe_fixes: bool,
) -> FixedSource {
    let mut text = source.to_string();
    let mut applied = Vec::new();
    let mut checked = check(&text);
    for _ in 0..MAX_ROUNDS {
        if !checked.parsed {
            break;
        }
        let mut edits: Vec<Edit> = Vec::new();
        // Edits taken this round, by start: a new edit is checked against its neighbours only.
        let mut taken: BTreeMap<u32, u32> = BTreeMap::new();
        let mut round = Vec::new();
        for diagnostic in &checked.diagnostics {
            let Some(fix) = &diagnostic.fix else { continue };
            if fix.applicability == Applicability::Unsafe && !unsafe_fixes {
                continue;
            }
            let overlaps = fix.edits.iter().any(|e| conflicts(&taken, e));
            if overlaps || fix.edits.is_empty() {
                continue;
            }
            for e in &fix.edits {
                taken.insert(e.range.start, e.range.end);
            }
            edits.extend(fix.edits.iter().cloned());
            round.push(AppliedFix {
                code: diagnostic.code,
                title: fix.title.clone(),
            });
        }
        if round.is_empty() {
            break;
        }
        let next = apply_edits(&text, &edits);
        let next_checked = check(&next);
        if !next_checked.parsed {
            break;
        }
        text = next;
        checked = next_checked;
        applied.extend(round);
    }
    FixedSource {
        text,
        applied,
        remaining: checked,
    }
}

/// Whether an edit conflicts with one already taken: they overlap, or insert at the same place.
fn conflicts(taken: &BTreeMap<u32, u32>, edit: &Edit) -> bool {
    let (start, end) = (edit.range.start, edit.range.end);
    let before = taken.range(..=start).next_back();
    let after = taken.range(start..).next();
    before.is_some_and(|(&s, &e)| s == start || e > start)
        || after.is_some_and(|(&s, _)| s == start || s < end)
}

/// Applies non-overlapping edits to a text.
pub fn apply_edits(source: &str, edits: &[Edit]) -> String {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(source.len() + 64);
    let mut at = 0usize;
    for edit in sorted {
        let range = edit.range.as_usize();
        if range.start < at || range.end > source.len() {
            continue;
        }
        out.push_str(&source[at..range.start]);
        out.push_str(&edit.content);
        at = range.end;
    }
    out.push_str(&source[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TextRange;

    #[test]
    fn edits_conflict_when_they_overlap_or_insert_at_one_place() {
        let taken: BTreeMap<u32, u32> = [(10, 20), (30, 30)].into_iter().collect();
        let edit = |start, end| Edit::replace(TextRange::new(start, end), "x");
        assert!(!conflicts(&taken, &edit(0, 10)), "touching is fine");
        assert!(!conflicts(&taken, &edit(20, 25)));
        assert!(!conflicts(&taken, &edit(20, 20)));
        assert!(conflicts(&taken, &edit(5, 11)));
        assert!(conflicts(&taken, &edit(19, 21)));
        assert!(
            conflicts(&taken, &edit(12, 12)),
            "an insertion inside a replaced range"
        );
        assert!(
            conflicts(&taken, &edit(30, 30)),
            "two insertions at one place"
        );
        assert!(
            conflicts(&taken, &edit(25, 35)),
            "a replacement over an insertion"
        );
        assert!(!conflicts(&taken, &edit(31, 40)));
    }
}
