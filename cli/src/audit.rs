//! `ecrlint audit`: read the live account(s) through `ecrlint_audit`, judge each region with
//! `ecrlint_core::live`, report in the same formats as `check` (findings grouped by account and
//! region, each naming its resource), and write the remediation script when asked.

use std::collections::BTreeSet;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ecrlint_core::live::{self, LiveFinding};
use ecrlint_core::Severity;
use rayon::prelude::*;
use serde_json::{json, Value};

use crate::config::RuleArgs;
use crate::{output, OutputFormat, EXIT_ERROR, EXIT_FOUND};

#[derive(Clone, clap::Args)]
pub struct AuditArgs {
    /// A named profile of the shared AWS config and credentials files.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Regions to audit, comma-separated (default: the configured region).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "REGION",
        conflicts_with = "all_regions"
    )]
    pub region: Vec<String>,
    /// Every region enabled for the account (needs `account:ListRegions`).
    #[arg(long)]
    pub all_regions: bool,
    /// Accounts to audit through a role assumed in each, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "ID")]
    pub accounts: Vec<String>,
    /// The role to assume in each account, by name.
    #[arg(long, value_name = "NAME", conflicts_with = "role_arn")]
    pub role_name: Option<String>,
    /// The role to assume in each account, as an ARN with `{account}` where the account goes.
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub output_format: OutputFormat,
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Write the remedies as a shell script of `aws ecr` commands to review and run, with the
    /// corrected policy documents in `policies/` beside it.
    #[arg(long, value_name = "FILE")]
    pub fix_script: Option<PathBuf>,
    /// Requests to AWS in flight at once.
    #[arg(long, default_value_t = 16, value_name = "N")]
    pub concurrency: usize,
    /// Show findings only, without the summary line.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(args: AuditArgs) -> ExitCode {
    let settings = match crate::config::settings(&args.rules, None) {
        Ok(settings) => settings,
        Err(message) => {
            eprintln!("ecrlint: {message}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    if args.accounts.is_empty() && (args.role_name.is_some() || args.role_arn.is_some()) {
        eprintln!("ecrlint: --role-name and --role-arn need --accounts");
        return ExitCode::from(EXIT_ERROR);
    }
    let options = ecrlint_audit::Options {
        profile: args.profile.clone(),
        regions: args.region.clone(),
        all_regions: args.all_regions,
        accounts: args.accounts.clone(),
        role_name: args.role_name.clone(),
        role_arn: args.role_arn.clone(),
        concurrency: args.concurrency,
        progress: true,
    };
    let regions = match ecrlint_audit::read(&options) {
        Ok(regions) => regions,
        Err(e) => {
            eprintln!("ecrlint: {e}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let judged: Vec<(&live::Region, Vec<LiveFinding>)> = regions
        .par_iter()
        .map(|region| (region, live::audit(region, &settings)))
        .collect();
    let mut code = 0;
    if write(&judged, &args).is_err() {
        code = EXIT_ERROR;
    }
    if let Some(path) = &args.fix_script {
        match fix_script(path, &judged, args.profile.as_deref()) {
            Ok(count) => eprintln!(
                "ecrlint: wrote {count} command{} to {}",
                if count == 1 { "" } else { "s" },
                path.display()
            ),
            Err(e) => {
                eprintln!("ecrlint: {}: {e}", path.display());
                code = EXIT_ERROR;
            }
        }
    }
    if code == 0
        && judged
            .iter()
            .flat_map(|(_, f)| f)
            .any(|f| f.severity >= Severity::Warning)
    {
        code = EXIT_FOUND;
    }
    ExitCode::from(code)
}

fn write(judged: &[(&live::Region, Vec<LiveFinding>)], args: &AuditArgs) -> io::Result<()> {
    output::to_stdout(|out| match args.output_format {
        OutputFormat::Human => human(out, judged, args.quiet),
        OutputFormat::Json => output::pretty(out, &json_findings(judged)),
        OutputFormat::Sarif => output::pretty(out, &sarif(judged)),
        OutputFormat::Github => github(out, judged),
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Grouped by account and region; each finding names its resource.
fn human(
    out: &mut impl Write,
    judged: &[(&live::Region, Vec<LiveFinding>)],
    quiet: bool,
) -> io::Result<()> {
    let color = io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let bold = if color { "\x1b[1m" } else { "" };
    let reset = if color { "\x1b[0m" } else { "" };
    let mut counts = [0usize; 3];
    for (region, findings) in judged {
        if findings.is_empty() {
            continue;
        }
        writeln!(
            out,
            "{bold}account {}, {}{reset}",
            region.account, region.region
        )?;
        for f in findings {
            counts[f.severity as usize] += 1;
            writeln!(
                out,
                "  {}: {}[{}] {}",
                f.resource.arn,
                f.severity.as_str(),
                f.code,
                f.message
            )?;
        }
        writeln!(out)?;
    }
    if quiet {
        return Ok(());
    }
    let repositories: usize = judged.iter().map(|(r, _)| r.repositories.len()).sum();
    let accounts: BTreeSet<&str> = judged.iter().map(|(r, _)| r.account.as_str()).collect();
    let scope = format!(
        "{repositories} repositor{} in {} region{} of {} account{}",
        if repositories == 1 { "y" } else { "ies" },
        judged.len(),
        plural(judged.len()),
        accounts.len(),
        plural(accounts.len())
    );
    let total: usize = counts.iter().sum();
    if total == 0 {
        return writeln!(out, "All checks passed ({scope} audited).");
    }
    let mut parts = Vec::new();
    for (severity, name) in [
        (Severity::Error, "error"),
        (Severity::Warning, "warning"),
        (Severity::Info, "info"),
    ] {
        let n = counts[severity as usize];
        if n > 0 {
            let s = if severity == Severity::Info {
                ""
            } else {
                plural(n)
            };
            parts.push(format!("{n} {name}{s}"));
        }
    }
    writeln!(
        out,
        "Found {total} problem{} ({}) in {scope}.",
        plural(total),
        parts.join(", ")
    )
}

fn json_findings(judged: &[(&live::Region, Vec<LiveFinding>)]) -> Vec<Value> {
    judged
        .iter()
        .flat_map(|(_, findings)| findings)
        .map(|f| {
            json!({
                "code": f.code,
                "name": f.name,
                "severity": f.severity.as_str(),
                "message": f.message,
                "filename": f.resource.arn,
                "location": null,
                "end_location": null,
                "fix": null,
                "url": ecrlint_core::rule_url(f.code),
                "resource": f.resource,
                "commands": f.commands,
            })
        })
        .collect()
}

fn sarif(judged: &[(&live::Region, Vec<LiveFinding>)]) -> Value {
    let rules = ecrlint_core::rules();
    let results: Vec<Value> = judged
        .iter()
        .flat_map(|(_, findings)| findings)
        .map(|f| {
            let index = rules.iter().position(|r| r.code == f.code).unwrap_or(0);
            json!({
                "ruleId": f.code,
                "ruleIndex": index,
                "level": output::sarif_level(f.severity),
                "message": {"text": f.message},
                "locations": [{
                    "physicalLocation": {"artifactLocation": {"uri": f.resource.arn}},
                    "logicalLocations": [{
                        "fullyQualifiedName": f.resource.arn,
                        "name": f.resource.name.as_deref().unwrap_or("registry"),
                        "kind": "resource",
                    }],
                }],
                "properties": {"resource": f.resource},
            })
        })
        .collect();
    output::sarif_log(results, None)
}

fn github(out: &mut impl Write, judged: &[(&live::Region, Vec<LiveFinding>)]) -> io::Result<()> {
    let escape = |text: &str| {
        text.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    for f in judged.iter().flat_map(|(_, findings)| findings) {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let title = escape(&format!("ecrlint ({} {})", f.code, f.name))
            .replace(':', "%3A")
            .replace(',', "%2C");
        writeln!(
            out,
            "::{command} title={title}::{}",
            escape(&format!("{} {}: {}", f.code, f.resource.arn, f.message))
        )?;
    }
    Ok(())
}

/// The remedies as a shell script, with the corrected policies in `policies/` beside it. Each
/// command sets a value, so running the script again changes nothing more. An account the audit
/// reached through a role gets its commands in a subshell that assumes the same role first; a
/// `--profile` is the script's too. Returns how many commands it holds.
fn fix_script(
    path: &Path,
    judged: &[(&live::Region, Vec<LiveFinding>)],
    profile: Option<&str>,
) -> io::Result<usize> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let roles = judged.iter().any(|(region, _)| region.role.is_some());
    let mut script = String::from(
        "#!/bin/sh\n\
         # Remedies found by `ecrlint audit`: review each command, then run this script.\n",
    );
    script.push_str(if roles {
        "# Each account's commands run with the role the audit assumed in it, assumed again\n\
         # with the credentials the script runs with.\n"
    } else {
        "# Run it with credentials for the account it names.\n"
    });
    script.push_str(
        "# Each command sets a value, so running it again changes nothing more. Corrected\n\
         # policy documents are in policies/ beside it.\n\
         set -eu\n\
         cd \"$(dirname \"$0\")\"\n",
    );
    if let Some(profile) = profile {
        script.push_str(&format!("export AWS_PROFILE={}\n", shell_word(profile)));
    }
    if roles {
        script.push_str(
            "\n# The role $1's credentials, assumed with the script's own, for the commands after it.\n\
             assume_role() {\n\
             \x20 credentials=$(aws sts assume-role --role-arn \"$1\" --role-session-name ecrlint-fix \\\n\
             \x20   --query \"Credentials.[AccessKeyId,SecretAccessKey,SessionToken]\" --output text)\n\
             \x20 set -- $credentials\n\
             \x20 unset AWS_PROFILE\n\
             \x20 export AWS_ACCESS_KEY_ID=\"$1\" AWS_SECRET_ACCESS_KEY=\"$2\" AWS_SESSION_TOKEN=\"$3\"\n\
             }\n",
        );
    }
    let mut written: BTreeSet<String> = BTreeSet::new();
    // The account whose commands are being written, and whether its subshell is open.
    let mut account: Option<&str> = None;
    let mut subshell = false;
    for (region, findings) in judged {
        let mut header = false;
        for f in findings.iter().filter(|f| !f.commands.is_empty()) {
            if account != Some(region.account.as_str()) {
                if subshell {
                    script.push_str(")\n");
                }
                account = Some(&region.account);
                script.push_str(&format!("\n# Account {}\n", region.account));
                subshell = region.role.is_some();
                if let Some(role) = &region.role {
                    script.push_str(&format!("(\nassume_role {}\n", shell_word(role)));
                }
            }
            if !header {
                header = true;
                script.push_str(&format!("\n# {} {}\n", region.account, region.region));
            }
            if let Some(policy) = &f.policy {
                let file = dir.join(&policy.file);
                if let Some(parent) = file.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(&file, &policy.text)?;
            }
            script.push_str(&format!(
                "# {} {} {}: {}\n",
                f.code,
                f.name,
                f.resource.arn,
                first_clause(&f.message)
            ));
            for command in &f.commands {
                if written.insert(command.clone()) {
                    script.push_str(command);
                    script.push('\n');
                } else {
                    script.push_str("# (the command above)\n");
                }
            }
        }
    }
    if subshell {
        script.push_str(")\n");
    }
    std::fs::write(path, &script)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))?;
    }
    Ok(written.len())
}

/// `word` as one shell word: as it is when it holds nothing the shell reads, else in single quotes.
fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_.,:/=@+%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// The message without the command already written below it.
fn first_clause(message: &str) -> &str {
    message.split("; run `").next().unwrap_or(message)
}

#[cfg(test)]
mod tests {
    use super::shell_word;

    #[test]
    fn shell_words() {
        assert_eq!(shell_word("ops-team"), "ops-team");
        assert_eq!(
            shell_word("arn:aws:iam::111111111111:role/audit+read@x"),
            "arn:aws:iam::111111111111:role/audit+read@x"
        );
        assert_eq!(shell_word("ops team"), "'ops team'");
        assert_eq!(shell_word("it's $HOME"), "'it'\\''s $HOME'");
        assert_eq!(shell_word(""), "''");
    }
}
