//! Output formats: human (source lines with the range marked), JSON, SARIF 2.1.0, GitHub
//! workflow commands.

use std::io::{self, IsTerminal, Write};

use anstyle::{AnsiColor, Style};
use ecrlint_core::{Applicability, Severity};
use serde::Serialize;
use serde_json::{json, Value};

use crate::check::{FileReport, Finding, Location};
use crate::{CheckArgs, OutputFormat};

pub fn write(reports: &[FileReport], format: OutputFormat, args: &CheckArgs) -> io::Result<()> {
    to_stdout(|out| match format {
        OutputFormat::Human => {
            let color = io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            human(out, reports, args, color)
        }
        OutputFormat::Json => pretty(out, &json_findings(reports)),
        OutputFormat::Sarif => pretty(out, &sarif(reports)),
        OutputFormat::Github => github(out, reports),
    })
}

/// Standard output, buffered, for `body` to write a report into.
pub fn to_stdout(
    body: impl FnOnce(&mut io::BufWriter<io::StdoutLock<'static>>) -> io::Result<()>,
) -> io::Result<()> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    body(&mut out)?;
    out.flush()
}

/// `value` as indented JSON and a newline.
pub fn pretty(out: &mut impl Write, value: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)
}

struct Palette {
    error: Style,
    warning: Style,
    info: Style,
    bold: Style,
    dim: Style,
    marker: Style,
}

impl Palette {
    fn new(color: bool) -> Self {
        let style = |s: Style| if color { s } else { Style::new() };
        Palette {
            error: style(AnsiColor::Red.on_default().bold()),
            warning: style(AnsiColor::Yellow.on_default().bold()),
            info: style(AnsiColor::Cyan.on_default().bold()),
            bold: style(Style::new().bold()),
            dim: style(AnsiColor::Blue.on_default().bold()),
            marker: style(AnsiColor::Red.on_default().bold()),
        }
    }

    fn severity(&self, severity: Severity) -> Style {
        match severity {
            Severity::Error => self.error,
            Severity::Warning => self.warning,
            Severity::Info => self.info,
        }
    }
}

fn human(
    out: &mut impl Write,
    reports: &[FileReport],
    args: &CheckArgs,
    color: bool,
) -> io::Result<()> {
    let p = Palette::new(color);
    let (mut counts, mut fixable, mut files) = ([0usize; 3], 0usize, 0usize);
    for report in reports {
        if args.diff {
            // Like `ruff --diff`: the changes only.
            if let Some(diff) = &report.diff {
                write!(out, "{diff}")?;
            }
            continue;
        }
        if !report.findings.is_empty() {
            files += 1;
        }
        // Split once per file: a file can hold many thousands of findings.
        let lines: Vec<&str> = report
            .source
            .as_deref()
            .map(|source| {
                source
                    .split('\n')
                    .map(|l| l.strip_suffix('\r').unwrap_or(l))
                    .collect()
            })
            .unwrap_or_default();
        for finding in &report.findings {
            counts[finding.severity as usize] += 1;
            if finding
                .fix
                .as_ref()
                .is_some_and(|f| f.applicability == Applicability::Safe || args.unsafe_fixes)
            {
                fixable += 1;
            }
            let sev = p.severity(finding.severity);
            writeln!(
                out,
                "{b}{}:{}:{}{b:#}: {sev}{}[{}]{sev:#} {}",
                report.filename,
                finding.start.row,
                finding.start.column,
                finding.severity.as_str(),
                finding.code,
                finding.message,
                b = p.bold,
            )?;
            if report.source.is_some() {
                snippet(out, &lines, finding, &p)?;
            }
            for (file, at, message) in &finding.related {
                writeln!(
                    out,
                    "   {d}= note:{d:#} {message} at {}:{}:{}",
                    file.as_deref().unwrap_or(&report.filename),
                    at.row,
                    at.column,
                    d = p.dim
                )?;
            }
            if let Some(fix) = &finding.fix {
                let kind = match fix.applicability {
                    Applicability::Safe => "fix",
                    Applicability::Unsafe => "unsafe fix",
                };
                writeln!(out, "   {d}= {kind}:{d:#} {}", fix.message, d = p.dim)?;
            }
            writeln!(out)?;
        }
    }
    if args.quiet {
        return Ok(());
    }
    let fixed: usize = reports.iter().map(|r| r.fixed).sum();
    if args.diff {
        let files = reports.iter().filter(|r| r.diff.is_some()).count();
        return match fixed {
            0 => writeln!(out, "No fixes available."),
            _ => writeln!(
                out,
                "Would fix {fixed} problem{} in {files} file{}.",
                plural(fixed),
                plural(files)
            ),
        };
    }
    if fixed > 0 && args.fix {
        writeln!(out, "Fixed {fixed} problem{}.", plural(fixed))?;
    }
    let total: usize = counts.iter().sum();
    // With syntax findings switched off, a file that did not parse must still not pass.
    let unparsed = reports.iter().filter(|r| !r.parsed).count();
    let syntax_reported = reports
        .iter()
        .flat_map(|r| &r.findings)
        .any(|f| f.code == ecrlint_core::rules::INVALID_SYNTAX.code);
    if unparsed > 0 && !syntax_reported {
        writeln!(
            out,
            "{unparsed} file{} did not parse: not checked in full, and not fixed.",
            plural(unparsed)
        )?;
        if total == 0 {
            return Ok(());
        }
    }
    if total == 0 {
        if reports.iter().all(|r| r.diff.is_none()) {
            writeln!(
                out,
                "All checks passed ({} file{} checked).",
                reports.len(),
                plural(reports.len())
            )?;
        }
        return Ok(());
    }
    let mut parts = Vec::new();
    for (severity, name) in [
        (Severity::Error, "error"),
        (Severity::Warning, "warning"),
        (Severity::Info, "info"),
    ] {
        let n = counts[severity as usize];
        if n > 0 {
            parts.push(format!(
                "{n} {name}{}",
                if severity == Severity::Info {
                    ""
                } else {
                    plural(n)
                }
            ));
        }
    }
    write!(
        out,
        "Found {total} problem{} ({}) in {files} file{}",
        plural(total),
        parts.join(", "),
        plural(files)
    )?;
    if fixable > 0 && !args.fix && !args.diff {
        let flag = if args.unsafe_fixes {
            "--fix --unsafe-fixes"
        } else {
            "--fix"
        };
        write!(out, "; {fixable} fixable with `{flag}`")?;
    }
    writeln!(out, ".")
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

const MAX_LINE: usize = 120;
const CONTEXT: usize = 40;

/// The source lines of a finding, with the range underlined, as rustc and ruff show them.
fn snippet(out: &mut impl Write, lines: &[&str], finding: &Finding, p: &Palette) -> io::Result<()> {
    let first = finding.start.row;
    // Long ranges (a whole policy) show their first lines only.
    let last = finding.end.row.min(first + 2).max(first);
    let width = last.to_string().len();
    writeln!(out, "{d}{:width$} |{d:#}", "", d = p.dim)?;
    for row in first..=last {
        let Some(line) = lines.get(row - 1) else {
            break;
        };
        let chars: Vec<char> = line
            .chars()
            .map(|c| if c == '\t' { ' ' } else { c })
            .collect();
        let len = chars.len();
        let from = if row == first {
            finding.start.column - 1
        } else {
            0
        };
        let to = if row == finding.end.row {
            finding.end.column - 1
        } else {
            len
        };
        let to = to.max(from + 1).min(len.max(from + 1));
        // Long lines (a policy in one JSON string) show a window around the range.
        let (start, end) = if len > MAX_LINE {
            (from.saturating_sub(CONTEXT), (to + CONTEXT).min(len))
        } else {
            (0, len)
        };
        let before = if start > 0 { "…" } else { "" };
        let after = if end < len { "…" } else { "" };
        let shown: String = chars[start.min(len)..end].iter().collect();
        writeln!(
            out,
            "{d}{row:>width$} |{d:#} {before}{shown}{after}",
            d = p.dim
        )?;
        writeln!(
            out,
            "{d}{:width$} |{d:#} {}{m}{}{m:#}",
            "",
            " ".repeat(from - start + before.chars().count()),
            "^".repeat(to.min(end.max(from + 1)) - from),
            d = p.dim,
            m = p.marker
        )?;
    }
    writeln!(out, "{d}{:width$} |{d:#}", "", d = p.dim)
}

/// One element of `--output-format json`; field order is the documented order.
#[derive(Serialize)]
struct JsonFinding<'a> {
    code: &'a str,
    name: &'a str,
    severity: &'a str,
    message: &'a str,
    filename: &'a str,
    location: Location,
    end_location: Location,
    fix: Option<JsonFix<'a>>,
    url: String,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    message: &'a str,
    applicability: &'a str,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    content: &'a str,
    location: Location,
    end_location: Location,
}

fn json_findings(reports: &[FileReport]) -> Vec<JsonFinding<'_>> {
    let mut list = Vec::new();
    for report in reports {
        for f in &report.findings {
            let fix = f.fix.as_ref().map(|fix| JsonFix {
                message: &fix.message,
                applicability: match fix.applicability {
                    Applicability::Safe => "safe",
                    Applicability::Unsafe => "unsafe",
                },
                edits: fix
                    .edits
                    .iter()
                    .map(|(content, start, end)| JsonEdit {
                        content,
                        location: *start,
                        end_location: *end,
                    })
                    .collect(),
            });
            list.push(JsonFinding {
                code: f.code,
                name: f.name,
                severity: f.severity.as_str(),
                message: &f.message,
                filename: &report.filename,
                location: f.start,
                end_location: f.end,
                fix,
                url: ecrlint_core::rule_url(f.code),
            });
        }
    }
    list
}

pub(crate) fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A SARIF 2.1.0 log of one run of ecrlint with `results`, its tool naming every rule, and how
/// its columns count when results have regions. Shared by `check` and `audit`.
pub(crate) fn sarif_log(results: Vec<Value>, column_kind: Option<&str>) -> Value {
    let mut run = json!({
        "tool": {"driver": {
            "name": "ecrlint",
            "version": env!("CARGO_PKG_VERSION"),
            "informationUri": "https://github.com/ecrlint/ecrlint",
            "rules": sarif_rules(),
        }},
    });
    if let Some(kind) = column_kind {
        run["columnKind"] = kind.into();
    }
    run["results"] = Value::Array(results);
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    })
}

/// Every rule as a SARIF reporting descriptor, in the order of `ecrlint_core::rules()` (a
/// result's `ruleIndex` counts in it).
fn sarif_rules() -> Vec<Value> {
    ecrlint_core::rules()
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.summary},
                "help": {"text": r.explanation, "markdown": r.explanation},
                "helpUri": ecrlint_core::rule_url(r.code),
                "defaultConfiguration": {"level": sarif_level(r.severity)},
                "properties": {"tags": ["security"]},
            })
        })
        .collect()
}

fn sarif(reports: &[FileReport]) -> Value {
    let rules = ecrlint_core::rules();
    let mut results = Vec::new();
    for report in reports {
        for f in &report.findings {
            let index = rules.iter().position(|r| r.code == f.code).unwrap_or(0);
            results.push(json!({
                "ruleId": f.code,
                "ruleIndex": index,
                "level": sarif_level(f.severity),
                "message": {"text": f.message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": report.filename, "uriBaseId": "%SRCROOT%"},
                        "region": {
                            "startLine": f.start.row,
                            "startColumn": f.start.column,
                            "endLine": f.end.row,
                            "endColumn": f.end.column.max(if f.end.row == f.start.row { f.start.column + 1 } else { 1 }),
                        }
                    }
                }],
            }));
        }
    }
    sarif_log(results, Some("unicodeCodePoints"))
}

/// GitHub Actions workflow commands: annotations on the pull request's files.
fn github(out: &mut impl Write, reports: &[FileReport]) -> io::Result<()> {
    for report in reports {
        for f in &report.findings {
            let command = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            writeln!(
                out,
                "::{command} title={},file={},line={},col={},endLine={},endColumn={}::{}",
                escape_property(&format!("ecrlint ({} {})", f.code, f.name)),
                escape_property(&report.filename),
                f.start.row,
                f.start.column,
                f.end.row,
                f.end.column,
                escape_data(&format!("{} {}", f.code, f.message)),
            )?;
        }
    }
    Ok(())
}

fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}
