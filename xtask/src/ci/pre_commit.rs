//! The pre-commit hook with the real pre-commit (pinned in xtask/ci-tools/requirements.txt, in a
//! virtualenv kept in the build folder): the README's configuration, pointed at a clone of this
//! repository with the working tree's `.pre-commit-hooks.yaml`, blocks the commit of a template
//! with a finding and lets the fixed one through.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::{path_with, read, readme_block, run, work_dir, write, Output, FINDING, MUTABLE};
use crate::util::{self, root, Result};

const REQUIREMENTS: &str = "xtask/ci-tools/requirements.txt";
/// Where `setup` keeps a copy of the requirements the virtualenv was made from.
const INSTALLED: &str = ".ecrlint-installed-requirements.txt";
/// The README's configuration names this repository; the test points it at a local clone.
const REPOSITORY_URL: &str = "https://github.com/ecrlint/ecrlint";

/// pre-commit's status lines: the hook's name, dots to column 79, the verdict.
const FAILED: &str =
    "ecrlint..................................................................Failed";
const PASSED: &str =
    "ecrlint..................................................................Passed";

fn venv() -> PathBuf {
    util::target_dir().join("ci-tools").join("pre-commit-venv")
}

fn venv_bin() -> PathBuf {
    venv().join(if cfg!(windows) { "Scripts" } else { "bin" })
}

/// Makes the virtualenv again when the pinned requirements changed (or it is missing).
pub fn setup() -> Result {
    let venv = venv();
    let requirements = root().join(REQUIREMENTS);
    let wanted = fs::read(&requirements)
        .map_err(|e| format!("cannot read {}: {e}", requirements.display()))?;
    let pre_commit = venv_bin().join(format!("pre-commit{}", std::env::consts::EXE_SUFFIX));
    if pre_commit.exists() && fs::read(venv.join(INSTALLED)).is_ok_and(|have| have == wanted) {
        return Ok(());
    }
    if venv.exists() {
        fs::remove_dir_all(&venv).map_err(|e| format!("cannot clear {}: {e}", venv.display()))?;
    }
    let venv_arg = venv.to_string_lossy().into_owned();
    util::run("python3", &["-m", "venv", &venv_arg]).map_err(|e| {
        format!("{e}\n(the pre-commit test needs Python 3 with venv: apt-get install python3-venv)")
    })?;
    let python = venv_bin().join(format!("python{}", std::env::consts::EXE_SUFFIX));
    util::run(
        &python.to_string_lossy(),
        &[
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
            &requirements.to_string_lossy(),
        ],
    )?;
    fs::write(venv.join(INSTALLED), wanted).map_err(|e| format!("{}: {e}", venv.display()))
}

/// Commands with the test's surroundings: its own ecrlint and pre-commit first on PATH, its own
/// pre-commit cache, and a git that reads no configuration of this machine's.
struct Sandbox {
    env: Vec<(&'static str, std::ffi::OsString)>,
}

impl Sandbox {
    fn new(work: &Path, ecrlint: &Path) -> Result<Self> {
        let bin = work.join("bin");
        fs::create_dir_all(&bin).map_err(|e| format!("{}: {e}", bin.display()))?;
        let exe = bin.join(format!("ecrlint{}", std::env::consts::EXE_SUFFIX));
        fs::copy(ecrlint, &exe).map_err(|e| format!("cannot copy {}: {e}", ecrlint.display()))?;
        let gitconfig = work.join("gitconfig");
        write(
            &gitconfig,
            "[user]\n\tname = ecrlint test\n\temail = test@ecrlint.invalid\n\
             [init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n",
        )?;
        Ok(Sandbox {
            env: vec![
                ("PATH", path_with(&[&bin, &venv_bin()])?),
                ("PRE_COMMIT_HOME", work.join("pre-commit-home").into()),
                ("PRE_COMMIT_COLOR", "never".into()),
                ("GIT_CONFIG_GLOBAL", gitconfig.into()),
                ("GIT_CONFIG_NOSYSTEM", "1".into()),
            ],
        })
    }

    fn run(&self, dir: &Path, program: &str, args: &[&str]) -> Result<Output> {
        let mut command = Command::new(program);
        command.args(args).current_dir(dir).envs(self.env.clone());
        // Whatever the shell this runs in set for git or pre-commit must not leak in.
        for name in ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "SKIP"] {
            command.env_remove(name);
        }
        let what = format!("(cd {} && {program} {})", dir.display(), args.join(" "));
        run(&what, &mut command)
    }

    /// Runs and requires exit code 0.
    fn ok(&self, dir: &Path, program: &str, args: &[&str]) -> Result<Output> {
        let out = self.run(dir, program, args)?;
        out.expect_code(0)?;
        Ok(out)
    }
}

pub fn test(ecrlint: &Path) -> Result {
    let work = work_dir("pre-commit")?;
    let sandbox = Sandbox::new(&work, ecrlint)?;

    // The hook's repository: a clone of this one on branch main, with the working tree's hooks.
    let hooks = work.join("hooks");
    sandbox.ok(
        &work,
        "git",
        &["clone", "--quiet", &root().to_string_lossy(), "hooks"],
    )?;
    sandbox.ok(&hooks, "git", &["checkout", "--quiet", "-B", "main"])?;
    fs::copy(
        root().join(".pre-commit-hooks.yaml"),
        hooks.join(".pre-commit-hooks.yaml"),
    )
    .map_err(|e| format!("cannot copy .pre-commit-hooks.yaml: {e}"))?;
    sandbox.ok(&hooks, "git", &["add", ".pre-commit-hooks.yaml"])?;
    sandbox.ok(
        &hooks,
        "git",
        &[
            "commit",
            "--quiet",
            "--allow-empty",
            "-m",
            "The working tree's hooks",
        ],
    )?;
    let hooks_head = sandbox.ok(&hooks, "git", &["rev-parse", "HEAD"])?.stdout;
    let hooks_head = hooks_head.trim();

    // A project with the README's configuration, pinned by `pre-commit autoupdate` as it says.
    let project = work.join("project");
    sandbox.ok(&work, "git", &["init", "--quiet", "project"])?;
    let config = readme_block("### pre-commit", "yaml")?;
    if !config.contains(REPOSITORY_URL) {
        return Err(format!(
            "the README's pre-commit configuration does not name {REPOSITORY_URL}:\n{config}"
        ));
    }
    let config_path = project.join(".pre-commit-config.yaml");
    write(
        &config_path,
        &config.replace(REPOSITORY_URL, &hooks.to_string_lossy()),
    )?;
    sandbox.ok(&project, "pre-commit", &["autoupdate"])?;
    let pinned = read(&config_path)?;
    let rev = format!("rev: {hooks_head}");
    if !pinned.lines().any(|l| l.trim_start().starts_with(&rev)) {
        return Err(format!(
            "`pre-commit autoupdate` did not pin the hooks' commit {hooks_head}:\n{pinned}"
        ));
    }
    sandbox.ok(&project, "git", &["add", ".pre-commit-config.yaml"])?;
    sandbox.ok(&project, "git", &["commit", "--quiet", "-m", "pre-commit"])?;
    sandbox
        .ok(&project, "pre-commit", &["install"])?
        .expect_lines(&["pre-commit installed at .git/hooks/pre-commit"])?;

    // A template with mutable tags does not get committed; the fixed one does.
    write(&project.join("template.yaml"), MUTABLE)?;
    sandbox.ok(&project, "git", &["add", "template.yaml"])?;
    sandbox
        .run(&project, "git", &["commit", "-m", "Mutable tags"])?
        .expect_code(1)?
        .expect_lines(&[
            FAILED,
            "- hook id: ecrlint",
            "- exit code: 1",
            FINDING,
            "Found 1 problem (1 warning) in 1 file; 1 fixable with `--fix`.",
        ])?;
    expect_commits(&sandbox, &project, 1)?;
    write(
        &project.join("template.yaml"),
        &MUTABLE.replace("MUTABLE", "IMMUTABLE"),
    )?;
    sandbox.ok(&project, "git", &["add", "template.yaml"])?;
    sandbox
        .ok(&project, "git", &["commit", "-m", "Immutable tags"])?
        .expect_lines(&[PASSED])?;
    expect_commits(&sandbox, &project, 2)?;

    // The files the hook is given: templates, policies and Terraform by name, in one process.
    let named = [
        ("clean.yaml", MUTABLE.replace("MUTABLE", "IMMUTABLE")),
        ("deployment.yml", "kind: Deployment\n".to_string()),
        ("package.json", "{\"name\": \"app\"}\n".to_string()),
        ("STACK.TEMPLATE", "{\"Resources\": {}}\n".to_string()),
        ("variables.tf", "variable \"region\" {}\n".to_string()),
        ("outputs.tf.json", "{\"output\": {}}\n".to_string()),
        ("prod.tfvars", "region = \"eu-west-1\"\n".to_string()),
        ("notes.txt", "not checked\n".to_string()),
        ("Dockerfile", "FROM scratch\n".to_string()),
    ];
    for (name, text) in &named {
        write(&project.join(name), text)?;
    }
    let mut args = vec!["run", "--verbose", "--files"];
    args.extend(named.iter().map(|(name, _)| *name));
    let run = sandbox.ok(&project, "pre-commit", &args)?;
    run.expect_lines(&[PASSED, "All checks passed (7 files checked)."])?;
    let summaries = run.stdout.matches("All checks passed").count();
    if summaries != 1 {
        return Err(format!(
            "the hook ran in {summaries} processes, not one:\n{}",
            run.text()
        ));
    }

    // With `args: [--fix]` (as the README suggests) the hook fixes, and the commit stops for a look.
    let with_fix = pinned.replace("- id: ecrlint", "- id: ecrlint\n        args: [--fix]");
    if with_fix == pinned {
        return Err(format!(
            "no `- id: ecrlint` in the configuration:\n{pinned}"
        ));
    }
    write(&config_path, &with_fix)?;
    write(&project.join("template.yaml"), MUTABLE)?;
    sandbox.ok(
        &project,
        "git",
        &["add", ".pre-commit-config.yaml", "template.yaml"],
    )?;
    sandbox
        .run(&project, "git", &["commit", "-m", "Mutable tags again"])?
        .expect_code(1)?
        .expect_lines(&[
            FAILED,
            "- hook id: ecrlint",
            "- files were modified by this hook",
            "Fixed 1 problem.",
        ])?;
    let fixed = read(&project.join("template.yaml"))?;
    if fixed != MUTABLE.replace("MUTABLE", "IMMUTABLE") {
        return Err(format!("the hook left template.yaml as:\n{fixed}"));
    }
    expect_commits(&sandbox, &project, 2)?;
    sandbox.ok(&project, "git", &["add", "template.yaml"])?;
    sandbox
        .ok(&project, "git", &["commit", "-m", "The hook's fix"])?
        .expect_lines(&[PASSED])?;
    expect_commits(&sandbox, &project, 3)
}

fn expect_commits(sandbox: &Sandbox, project: &Path, count: usize) -> Result {
    let out = sandbox.ok(project, "git", &["rev-list", "--count", "HEAD"])?;
    if out.stdout.trim() == count.to_string() {
        return Ok(());
    }
    Err(format!(
        "expected {count} commits, found {}",
        out.stdout.trim()
    ))
}
