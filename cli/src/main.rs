//! `ecrlint`: check templates and policies from the command line, audit live accounts, list and
//! explain rules, and serve the language server.

mod audit;
mod check;
mod config;
mod files;
mod output;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use config::RuleArgs;

// Checking builds and drops many small trees; glibc's allocator spent a quarter of a large
// template's time in malloc and free (docs/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "ecrlint",
    version,
    about = "Catch insecure Amazon ECR configuration in CloudFormation templates, repository policies and AWS CLI output"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check files and folders (folders are walked for .yaml, .yml, .json, .template, .tf and .tfvars files,
    /// honouring .gitignore). `-` reads standard input.
    Check(CheckArgs),
    /// Audit the live account(s): every repository of the regions asked for, read through the
    /// AWS API (never written), judged by the same rules.
    Audit(audit::AuditArgs),
    /// List the rules.
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        output_format: ListFormat,
    },
    /// Explain a rule: what it finds, why it matters, how to fix it.
    Explain {
        /// A rule code (`ECR101`) or name (`public-repository`).
        rule: String,
    },
    /// Run the language server on standard input and output.
    Server,
}

#[derive(Clone, clap::Args)]
pub struct CheckArgs {
    /// Files or folders to check (default: the current folder).
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub output_format: OutputFormat,
    /// Apply safe fixes, writing the files.
    #[arg(long)]
    pub fix: bool,
    /// Also apply unsafe fixes (with --fix or --diff).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print the changes fixes would make, without writing.
    #[arg(long, conflicts_with = "fix")]
    pub diff: bool,
    /// The AWS account that owns the repositories, for fixes that replace `Principal: "*"`
    /// outside templates.
    #[arg(long, value_name = "ID")]
    pub account_id: Option<String>,
    /// A Terraform variable-values file, read after `terraform.tfvars` and `*.auto.tfvars`, as
    /// `terraform plan -var-file` does (repeatable).
    #[arg(long, value_name = "FILE")]
    pub var_file: Vec<std::path::PathBuf>,
    #[command(flatten)]
    pub rules: RuleArgs,
    /// The name to report for standard input (also a format hint).
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,
    /// Show findings only, without the summary line.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Human,
    Json,
    Sarif,
    Github,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ListFormat {
    Human,
    Json,
}

/// Exit codes: 0 nothing at warning or above, 1 something found, 2 usage or I/O errors.
pub const EXIT_FOUND: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(EXIT_ERROR)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command {
        Command::Check(args) => check::run(args),
        Command::Audit(args) => audit::run(args),
        Command::Rules { output_format } => rules(output_format),
        Command::Explain { rule } => explain(&rule),
        Command::Server => match ecrlint_lsp::run_stdio() {
            Ok(code) => ExitCode::from(code),
            Err(e) => {
                eprintln!("ecrlint: {e}");
                ExitCode::from(EXIT_ERROR)
            }
        },
    }
}

fn rules(format: ListFormat) -> ExitCode {
    let rules = ecrlint_core::rules();
    let mut out = std::io::stdout().lock();
    let result = match format {
        ListFormat::Json => {
            let list: Vec<serde_json::Value> = rules
                .iter()
                .map(|r| {
                    let mut value = serde_json::to_value(r).unwrap_or_default();
                    value["url"] = ecrlint_core::rule_url(r.code).into();
                    value
                })
                .collect();
            output::pretty(&mut out, &list)
        }
        ListFormat::Human => rules.iter().try_for_each(|r| {
            let fix = match r.fix {
                ecrlint_core::rules::FixAvailability::None => " ",
                _ => "🛠",
            };
            let opt_in = if r.default { "" } else { " (opt-in)" };
            writeln!(
                out,
                "{} {fix} {:<20} {:<8} {}{opt_in}",
                r.code,
                r.name,
                r.severity.as_str(),
                r.summary
            )
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(EXIT_ERROR),
    }
}

fn explain(code: &str) -> ExitCode {
    let Some(rule) = ecrlint_core::rule(code) else {
        eprintln!("ecrlint: unknown rule `{code}`; `ecrlint rules` lists them");
        return ExitCode::from(EXIT_ERROR);
    };
    println!(
        "# {} `{}` ({})\n",
        rule.code,
        rule.name,
        rule.severity.as_str()
    );
    println!("{}\n", rule.summary);
    println!("{}", rule.explanation.trim_end());
    println!("\n{}", ecrlint_core::rule_url(rule.code));
    ExitCode::SUCCESS
}
