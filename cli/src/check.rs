//! `ecrlint check`: read, check (and fix) every file in parallel, then report in one format.

use std::collections::HashMap;
use std::path::Path;
use std::process::ExitCode;

use ecrlint_core::{Diagnostic, Encoding, LineIndex, Settings, Severity};
use rayon::prelude::*;

use crate::files::{self, Content, Target};
use crate::output;
use crate::{CheckArgs, EXIT_ERROR, EXIT_FOUND};

/// A 1-based row and column, the column in characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    pub row: usize,
    pub column: usize,
}

/// One finding, placed in its file.
pub struct Finding {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    pub start: Location,
    pub end: Location,
    pub fix: Option<FixOut>,
    /// Each related place: another file of the module it is in (`None`: this file), where,
    /// and what.
    pub related: Vec<(Option<String>, Location, String)>,
}

pub struct FixOut {
    pub message: String,
    pub applicability: ecrlint_core::Applicability,
    pub edits: Vec<(String, Location, Location)>,
}

/// What one file gave.
pub struct FileReport {
    pub filename: String,
    /// The text the findings refer to (after fixes, with --fix), for source snippets.
    pub source: Option<String>,
    pub findings: Vec<Finding>,
    pub fixed: usize,
    pub diff: Option<String>,
    pub error: Option<String>,
    /// Whether the file parsed; one that did not is never fixed, and never said to pass.
    pub parsed: bool,
}

pub fn run(args: CheckArgs) -> ExitCode {
    let settings = match crate::config::settings(&args.rules, args.account_id.as_deref()) {
        Ok(settings) => settings,
        Err(message) => {
            eprintln!("ecrlint: {message}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let paths = if args.paths.is_empty() {
        vec![".".into()]
    } else {
        args.paths.clone()
    };
    let targets = match files::collect(&paths) {
        Ok(targets) => targets,
        Err(message) => {
            eprintln!("ecrlint: {message}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let mut reports = check_all(&targets, &args, &settings);
    // A fix in one file of a Terraform module changes what its siblings say: they are checked
    // again once every file is written.
    if args.fix {
        let changed: Vec<&Path> = targets
            .iter()
            .zip(&reports)
            .filter(|(t, r)| r.fixed > 0 && files::is_terraform(&t.path))
            .filter_map(|(t, _)| t.path.parent())
            .collect();
        let again = CheckArgs {
            fix: false,
            ..args.clone()
        };
        for (target, report) in targets.iter().zip(reports.iter_mut()) {
            let in_changed_module = files::is_terraform(&target.path)
                && target.path.parent().is_some_and(|p| changed.contains(&p));
            if in_changed_module && report.error.is_none() {
                let fixed = report.fixed;
                *report = check_file(target, &again, &settings);
                report.fixed = fixed;
            }
        }
    }

    let written = output::write(&reports, args.output_format, &args);
    let mut code = 0;
    for report in &reports {
        if let Some(error) = &report.error {
            eprintln!("ecrlint: {}: {error}", report.filename);
            code = EXIT_ERROR;
        }
    }
    if written.is_err() {
        code = EXIT_ERROR;
    }
    if code == 0 {
        let found = reports
            .iter()
            .flat_map(|r| &r.findings)
            .any(|f| f.severity >= Severity::Warning);
        let changes = args.diff && reports.iter().any(|r| r.diff.is_some());
        if found || changes {
            code = EXIT_FOUND;
        }
    }
    ExitCode::from(code)
}

fn display_name(path: &Path, stdin_name: Option<&str>) -> String {
    if path.as_os_str() == "-" {
        return stdin_name.unwrap_or("-").to_string();
    }
    let shown = path.strip_prefix("./").unwrap_or(path);
    shown.to_string_lossy().replace('\\', "/")
}

/// Every target's report, in the order of the targets. Without fixes, the `.tf` files of one
/// folder are checked together: their module is read and lowered once, not once per file.
fn check_all(targets: &[Target], args: &CheckArgs, settings: &Settings) -> Vec<FileReport> {
    if args.fix || args.diff {
        return targets
            .par_iter()
            .map(|t| check_file(t, args, settings))
            .collect();
    }
    let mut groups: Vec<Vec<&Target>> = Vec::new();
    let mut folders: HashMap<&Path, usize> = HashMap::new();
    for target in targets {
        let tf = target.path.extension().is_some_and(|e| e == "tf");
        match target
            .path
            .parent()
            .filter(|_| tf && target.path.as_os_str() != "-")
        {
            Some(folder) => {
                let at = *folders.entry(folder).or_insert_with(|| {
                    groups.push(Vec::new());
                    groups.len() - 1
                });
                groups[at].push(target);
            }
            None => groups.push(vec![target]),
        }
    }
    let mut reports: Vec<(&Path, FileReport)> = groups
        .par_iter()
        .flat_map_iter(|group| check_folder(group, args, settings))
        .collect();
    let order: HashMap<&Path, usize> = targets
        .iter()
        .enumerate()
        .map(|(i, t)| (t.path.as_path(), i))
        .collect();
    reports.sort_by_key(|(path, _)| order.get(path).copied().unwrap_or(usize::MAX));
    reports.into_iter().map(|(_, report)| report).collect()
}

/// The reports of `.tf` files of one folder, checked together (a file that cannot be read is
/// reported on its own).
fn check_folder<'t>(
    group: &[&'t Target],
    args: &CheckArgs,
    settings: &Settings,
) -> Vec<(&'t Path, FileReport)> {
    if let [target] = group {
        return vec![(target.path.as_path(), check_file(target, args, settings))];
    }
    let mut reports = Vec::new();
    let mut members: Vec<(&'t Target, String, String)> = Vec::new();
    for &target in group {
        match files::read(&target.path) {
            Ok(Content::Text(text)) => {
                let filename = display_name(&target.path, None);
                members.push((target, filename, text));
            }
            _ => reports.push((target.path.as_path(), check_file(target, args, settings))),
        }
    }
    if members.is_empty() {
        return reports;
    }
    let paths: Vec<(&Path, &str)> = members
        .iter()
        .map(|(t, _, text)| (t.path.as_path(), text.as_str()))
        .collect();
    let rest: Vec<(String, String)> = files::module_rest(&paths, &args.var_file)
        .into_iter()
        .map(|(path, text)| (path.to_string_lossy().into_owned(), text))
        .collect();
    let checked: Vec<ecrlint_core::Source> = members
        .iter()
        .map(|(_, path, text)| ecrlint_core::Source { path, text })
        .collect();
    let others: Vec<ecrlint_core::Source> = rest
        .iter()
        .map(|(path, text)| ecrlint_core::Source { path, text })
        .collect();
    let results = ecrlint_core::check_module(&checked, &others, settings);
    // A related place may be in any file of the module, the checked ones included.
    let every: Vec<(String, String)> = members
        .iter()
        .map(|(_, path, text)| (path.clone(), text.clone()))
        .chain(rest.iter().cloned())
        .collect();
    for ((target, filename, text), checked) in members.into_iter().zip(results) {
        let mut report = FileReport::new(filename);
        if target.named || checked.kind.is_ours() {
            report.parsed = checked.parsed;
            report.findings = place(&text, &checked.diagnostics, &every);
            report.source = Some(text);
        }
        reports.push((target.path.as_path(), report));
    }
    reports
}

impl FileReport {
    fn new(filename: String) -> Self {
        FileReport {
            filename,
            source: None,
            findings: Vec::new(),
            fixed: 0,
            diff: None,
            error: None,
            parsed: true,
        }
    }
}

fn check_file(target: &Target, args: &CheckArgs, settings: &Settings) -> FileReport {
    let filename = display_name(&target.path, args.stdin_filename.as_deref());
    let mut report = FileReport::new(filename.clone());
    let content = match files::read(&target.path) {
        Ok(content) => content,
        Err(e) => {
            report.error = Some(e.to_string());
            return report;
        }
    };
    let text = match content {
        Content::Text(text) => text,
        Content::Unreadable {
            message,
            row,
            column,
        } => {
            report.parsed = !target.named;
            if target.named {
                let rule = &ecrlint_core::rules::INVALID_SYNTAX;
                if settings.enabled(rule) {
                    let at = Location { row, column };
                    report.findings.push(Finding {
                        code: rule.code,
                        name: rule.name,
                        severity: settings.severity_of(rule),
                        message,
                        start: at,
                        end: at,
                        fix: None,
                        related: Vec::new(),
                    });
                }
            }
            return report;
        }
    };
    let hint = Some(filename.as_str());
    // A Terraform file is checked with the other files of its module.
    let siblings: Vec<(String, String)> =
        files::module_siblings(&target.path, &text, &args.var_file)
            .into_iter()
            .map(|(path, text)| (path.to_string_lossy().into_owned(), text))
            .collect();
    let sources: Vec<ecrlint_core::Source> = siblings
        .iter()
        .map(|(path, text)| ecrlint_core::Source { path, text })
        .collect();
    let check = |text: &str| ecrlint_core::check_in_module(text, hint, &sources, settings);
    let place = |source: &str, diagnostics: &[Diagnostic]| place(source, diagnostics, &siblings);
    let (checked, fixed_text) = if args.fix || args.diff {
        let fixed = ecrlint_core::fix_in_module(&text, hint, &sources, settings, args.unsafe_fixes);
        report.fixed = fixed.applied.len();
        (fixed.remaining, (fixed.text != text).then_some(fixed.text))
    } else {
        (check(&text), None)
    };
    if !target.named && !checked.kind.is_ours() {
        return report;
    }
    report.parsed = checked.parsed;
    let source = match fixed_text {
        Some(new_text) if args.diff => {
            report.diff = Some(unified_diff(&filename, &text, &new_text));
            // Findings refer to the text as it would be after the fixes; show the original's.
            let original = check(&text);
            report.findings = place(&text, &original.diagnostics);
            report.source = Some(text);
            return report;
        }
        Some(new_text) => {
            if target.path.as_os_str() == "-" {
                print!("{new_text}");
            } else if let Err(e) = write_atomically(&target.path, &new_text) {
                report.error = Some(format!("cannot write the fixed file: {e}"));
                report.fixed = 0;
                report.findings = place(&text, &check(&text).diagnostics);
                report.source = Some(text);
                return report;
            }
            new_text
        }
        None => text,
    };
    report.findings = place(&source, &checked.diagnostics);
    report.source = Some(source);
    report
}

/// Places core diagnostics (byte ranges) at 1-based rows and character columns; a related
/// place in another file of the module is placed in that file's text (`others`: path, text).
pub fn place(
    source: &str,
    diagnostics: &[Diagnostic],
    others: &[(String, String)],
) -> Vec<Finding> {
    let index = LineIndex::new(source);
    let locate = |text: &str, index: &LineIndex, offset: u32| {
        let lc = index.line_col(offset, text, Encoding::Chars);
        Location {
            row: lc.line as usize + 1,
            column: lc.col as usize + 1,
        }
    };
    let at = |offset: u32| locate(source, &index, offset);
    let elsewhere = |file: &str, offset: u32| {
        let text = others
            .iter()
            .find(|(p, _)| p == file)
            .map_or("", |(_, t)| t.as_str());
        locate(text, &LineIndex::new(text), offset)
    };
    diagnostics
        .iter()
        .map(|d| Finding {
            code: d.code,
            name: d.name,
            severity: d.severity,
            message: d.message.clone(),
            start: at(d.range.start),
            end: at(d.range.end),
            fix: d.fix.as_ref().map(|fix| FixOut {
                message: fix.title.clone(),
                applicability: fix.applicability,
                edits: fix
                    .edits
                    .iter()
                    .map(|e| (e.content.clone(), at(e.range.start), at(e.range.end)))
                    .collect(),
            }),
            related: d
                .related
                .iter()
                .map(|r| match &r.file {
                    Some(file) => (
                        Some(file.clone()),
                        elsewhere(file, r.range.start),
                        r.message.clone(),
                    ),
                    None => (None, at(r.range.start), r.message.clone()),
                })
                .collect(),
        })
        .collect()
}

fn unified_diff(filename: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{filename}"), &format!("b/{filename}"))
        .to_string()
}

/// Writes through a temporary file in the same folder and a rename, keeping the permissions: a
/// failure at any point leaves the original as it was.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    // Through a symbolic link, the file it points to is rewritten; the link stays a link.
    let resolved;
    let path = if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
        resolved = std::fs::canonicalize(path)?;
        resolved.as_path()
    } else {
        path
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.ecrlint-{}.tmp", std::process::id()));
    let permissions = std::fs::metadata(path)?.permissions();
    let result = std::fs::write(&temp, text)
        .and_then(|()| std::fs::set_permissions(&temp, permissions))
        .and_then(|()| std::fs::rename(&temp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}
