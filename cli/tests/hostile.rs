//! Hostile inputs through the `ecrlint` binary, each ending in one clear message and an exact exit
//! code; and `--fix` writing safely: never a file that did not parse, atomically, keeping
//! permissions and line endings, and leaving the original byte for byte when writing fails.
//!
//! Each run's time and peak memory are recorded (not asserted) in
//! `target/tmp/hostile-cli.tsv` and printed with `--nocapture`; docs/robustness.md has the figures.
//! A run that takes more than `SANITY_LIMIT` is killed and fails: a hang, not a slow machine.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The bare repositories these inputs are made of lack scanning, a customer-managed key and a
/// lifecycle policy as much as immutable tags; the cases are about reading and writing, so one
/// rule's findings (ECR201, which has a fix) stand for all, and the others are left out.
const IGNORED: [&str; 2] = ["--ignore", "ECR202,ECR301,ECR302"];

/// Far beyond any healthy run (the slowest case takes seconds): only a hang reaches it.
const SANITY_LIMIT: Duration = Duration::from_secs(600);

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `ecrlint ARGS` in `dir` (standard input from `stdin` when given), records its time and peak
/// memory under `case`, and returns what it printed.
fn ecrlint(case: &str, dir: &Path, args: &[&str], stdin: Option<&Path>) -> Run {
    let out = tempfile::tempdir().unwrap();
    let rss_file = out.path().join("rss");
    let time = Path::new("/usr/bin/time");
    let mut command = if time.exists() {
        let mut c = Command::new(time);
        c.arg("-f").arg("%M").arg("-o").arg(&rss_file);
        c.arg(env!("CARGO_BIN_EXE_ecrlint"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_ecrlint"))
    };
    let stdout_path = out.path().join("stdout");
    let stderr_path = out.path().join("stderr");
    command.args(args);
    if args.first() == Some(&"check") {
        command.args(IGNORED);
    }
    command
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdout(std::fs::File::create(&stdout_path).unwrap())
        .stderr(std::fs::File::create(&stderr_path).unwrap());
    match stdin {
        Some(path) => command.stdin(std::fs::File::open(path).unwrap()),
        None => command.stdin(Stdio::null()),
    };
    let started = Instant::now();
    let mut child = command.spawn().unwrap();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > SANITY_LIMIT {
            child.kill().unwrap();
            panic!("{case}: still running after {SANITY_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let seconds = started.elapsed().as_secs_f64();
    let rss_mb = std::fs::read_to_string(&rss_file)
        .ok()
        .and_then(|s| s.lines().last()?.trim().parse::<f64>().ok())
        .map(|kb| format!("{:.0}", kb / 1024.0))
        .unwrap_or_else(|| "n/a".into());
    let run = Run {
        code: status.code().expect("ecrlint exited by a signal"),
        stdout: String::from_utf8(std::fs::read(&stdout_path).unwrap()).unwrap(),
        stderr: String::from_utf8(std::fs::read(&stderr_path).unwrap()).unwrap(),
    };
    record(case, run.code, seconds, &rss_mb);
    run
}

/// One line per run: case, exit code, seconds, peak RSS in MB.
fn record(case: &str, code: i32, seconds: f64, rss_mb: &str) {
    let line = format!("{case}\t{code}\t{seconds:.2}\t{rss_mb}\n");
    eprint!("hostile-cli: {line}");
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile-cli.tsv");
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    file.write_all(line.as_bytes()).unwrap();
}

fn scratch() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Checks one file with `--output-format github`: one line per finding, everything on it exact.
fn github(case: &str, dir: &Path, name: &str) -> Run {
    ecrlint(
        case,
        dir,
        &["check", name, "--output-format", "github"],
        None,
    )
}

fn syntax_error(file: &str, line: u32, col: u32, end_col: u32, message: &str) -> String {
    format!(
        "::error title=ecrlint (ECR901 invalid-syntax),file={file},line={line},col={col},endLine={line},endColumn={end_col}::ECR901 {message}\n"
    )
}

const TOO_LARGE_NOTE: &str =
    "ecrlint reads at most 16 MiB (CloudFormation itself accepts at most 1 MB)";

#[test]
fn nesting_100_000_deep() {
    let dir = scratch();
    write(dir.path(), "flow.yaml", "[".repeat(100_000));
    write(
        dir.path(),
        "block.yaml",
        format!("{}x\n", "- ".repeat(100_000)),
    );
    write(
        dir.path(),
        "deep.json",
        format!("{}1{}", "{\"a\":".repeat(100_000), "}".repeat(100_000)),
    );
    let deeper = "nesting is deeper than 255 levels";
    let run = github("100,000-deep YAML flow sequences", dir.path(), "flow.yaml");
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            1,
            syntax_error("flow.yaml", 1, 256, 256, deeper).as_str(),
            ""
        )
    );
    let run = github(
        "100,000-deep YAML block sequences",
        dir.path(),
        "block.yaml",
    );
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (1, syntax_error("block.yaml", 1, 511, 511, deeper).as_str())
    );
    // The JSON parser stops before core's own limit, with its own words.
    let run = github("100,000-deep JSON objects", dir.path(), "deep.json");
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (
            1,
            syntax_error("deep.json", 1, 1282, 1287, "Maximum nesting depth exceeded").as_str()
        )
    );
}

#[test]
fn alias_bombs() {
    let dir = scratch();
    // A billion laughs: nine levels of nine aliases each.
    let mut lol = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut previous = 'a';
    for name in 'b'..='j' {
        let refs = vec![format!("*{previous}"); 9].join(",");
        lol.push_str(&format!("{name}: &{name} [{refs}]\n"));
        previous = name;
    }
    write(dir.path(), "lol.yaml", &lol);
    // The same through merge keys, which expand mappings.
    let mut merge = String::from(
        "a: &a {k0: v, k1: v, k2: v, k3: v, k4: v, k5: v, k6: v, k7: v, k8: v, k9: v}\n",
    );
    let mut previous = 'a';
    for name in 'b'..='i' {
        let refs = vec![format!("{{<<: *{previous}}}"); 10].join(",");
        merge.push_str(&format!("{name}: &{name} [{refs}]\n"));
        previous = name;
    }
    write(dir.path(), "merge.yaml", &merge);
    let budget = "aliases expand to more than 100000 nodes; ecrlint stops here to stay small";
    let run = github("billion laughs (9 x 9 aliases)", dir.path(), "lol.yaml");
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (1, syntax_error("lol.yaml", 6, 8, 10, budget).as_str())
    );
    let run = github("merge-key bomb (10 x 8)", dir.path(), "merge.yaml");
    assert_eq!(run.code, 1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{}", run.stdout);
    assert!(
        lines[0].ends_with(&format!("::ECR901 {budget}")),
        "{}",
        run.stdout
    );
}

#[test]
fn a_50_mb_file_and_50_mb_on_standard_input() {
    let dir = scratch();
    let path = write(
        dir.path(),
        "big.yaml",
        format!("# {}\n", "x".repeat(50_000_000)),
    );
    let run = github("50 MB file", dir.path(), "big.yaml");
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            1,
            syntax_error(
                "big.yaml",
                1,
                1,
                1,
                &format!("the file is 50.0 MB; {TOO_LARGE_NOTE}")
            )
            .as_str(),
            ""
        )
    );
    let run = ecrlint(
        "50 MB on standard input",
        dir.path(),
        &[
            "check",
            "-",
            "--stdin-filename",
            "piped.yaml",
            "--output-format",
            "github",
        ],
        Some(&path),
    );
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (
            1,
            syntax_error(
                "piped.yaml",
                1,
                1,
                1,
                &format!("the input is 50.0 MB; {TOO_LARGE_NOTE}")
            )
            .as_str()
        )
    );
}

fn repositories(count: usize) -> String {
    let mut text = String::from("Resources:\n");
    for i in 0..count {
        text.push_str(&format!("  Repo{i}:\n    Type: AWS::ECR::Repository\n"));
    }
    text
}

#[test]
fn a_million_resources_is_past_the_input_limit() {
    let dir = scratch();
    let text = repositories(1_000_000);
    assert_eq!(text.len(), 44_888_901);
    write(dir.path(), "million.yaml", text);
    let run = github("1,000,000 resources (44.9 MB)", dir.path(), "million.yaml");
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (
            1,
            syntax_error(
                "million.yaml",
                1,
                1,
                1,
                &format!("the file is 44.9 MB; {TOO_LARGE_NOTE}")
            )
            .as_str()
        )
    );
}

#[test]
fn a_hundred_thousand_findings_in_one_file() {
    let dir = scratch();
    write(dir.path(), "many.yaml", repositories(100_000));
    let run = ecrlint(
        "100,000 resources, 100,000 findings (JSON output)",
        dir.path(),
        &["check", "many.yaml", "--output-format", "json"],
        None,
    );
    assert_eq!(run.code, 1);
    let findings: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let findings = findings.as_array().unwrap();
    assert_eq!(findings.len(), 100_000);
    assert!(findings.iter().all(|f| f["code"] == "ECR201"));
    assert_eq!(
        findings[99_999]["location"],
        serde_json::json!({"row": 200_000, "column": 3})
    );

    let run = ecrlint(
        "100,000 resources, --fix",
        dir.path(),
        &["check", "many.yaml", "--fix", "--output-format", "github"],
        None,
    );
    assert_eq!((run.code, run.stdout.as_str()), (0, ""));
    let fixed = std::fs::read_to_string(dir.path().join("many.yaml")).unwrap();
    assert_eq!(
        fixed
            .matches("      ImageTagMutability: IMMUTABLE\n")
            .count(),
        100_000
    );
}

/// `terraform show -json` output for 100,000 repositories (made by `count`; only the keys read
/// are kept, to stay under the input limit), one line as Terraform writes it: each finding names
/// its address and points into the plan.
#[test]
fn a_plan_of_a_hundred_thousand_resources() {
    let dir = scratch();
    let resources: Vec<String> = (0..100_000)
        .map(|i| {
            format!(
                "{{\"address\":\"aws_ecr_repository.r[{i}]\",\"type\":\"aws_ecr_repository\",\"name\":\"r\",\"values\":{{\"image_tag_mutability\":\"MUTABLE\",\"name\":\"r{i}\"}}}}"
            )
        })
        .collect();
    let text = format!(
        "{{\"format_version\":\"1.2\",\"terraform_version\":\"1.11.4\",\"planned_values\":{{\"root_module\":{{\"resources\":[{}]}}}}}}",
        resources.join(",")
    );
    assert!(text.len() > 14_000_000, "{}", text.len());
    write(dir.path(), "plan.json", &text);
    let run = ecrlint(
        "plan of 100,000 resources (JSON output)",
        dir.path(),
        &["check", "plan.json", "--output-format", "json"],
        None,
    );
    assert_eq!(run.code, 1);
    let findings: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let findings = findings.as_array().unwrap();
    assert_eq!(findings.len(), 100_000);
    let last = &findings[99_999];
    assert_eq!(last["code"], "ECR201");
    assert_eq!(
        last["message"],
        "`aws_ecr_repository.r[99999]`: `image_tag_mutability` is `MUTABLE`: image tags can be overwritten; fix it in the Terraform source"
    );
    let at = text.rfind("\"MUTABLE\"").unwrap() + 1;
    assert_eq!(
        last["location"],
        serde_json::json!({"row": 1, "column": at})
    );
}

/// Local modules that call themselves, each other, or a chain 40 deep: each folder is read once,
/// the chain is followed 16 deep, and the run ends with the findings of the file itself.
#[test]
fn modules_that_call_themselves() {
    let dir = scratch();
    let repository = |name: &str| {
        format!("resource \"aws_ecr_repository\" \"{name}\" {{\n  name = \"{name}\"\n}}\n")
    };
    write(
        dir.path(),
        "main.tf",
        format!(
            "module \"self\" {{\n  source = \"./\"\n}}\n\nmodule \"a\" {{\n  source = \"./a\"\n}}\n\nmodule \"deep\" {{\n  source = \"./d\"\n}}\n\n{}",
            repository("root")
        ),
    );
    std::fs::create_dir_all(dir.path().join("a")).unwrap();
    std::fs::create_dir_all(dir.path().join("b")).unwrap();
    write(
        dir.path(),
        "a/main.tf",
        "module \"b\" {\n  source = \"../b\"\n}\n",
    );
    write(
        dir.path(),
        "b/main.tf",
        "module \"a\" {\n  source = \"../a\"\n}\n",
    );
    let mut folder = dir.path().join("d");
    for depth in 0..40 {
        std::fs::create_dir_all(&folder).unwrap();
        write(
            &folder,
            "main.tf",
            format!(
                "module \"d\" {{\n  source = \"./d\"\n}}\n\n{}",
                repository(&format!("r{depth}"))
            ),
        );
        folder = folder.join("d");
    }
    let run = github("modules that call themselves", dir.path(), "main.tf");
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (
            1,
            "::warning title=ecrlint (ECR201 mutable-image-tags),file=main.tf,line=13,col=31,endLine=13,endColumn=37::ECR201 `image_tag_mutability` is not set, so image tags are mutable (the default is `MUTABLE`)\n"
        )
    );
}

/// The human format (the default) used to split the whole source again for each finding's snippet,
/// so its time grew with findings x file size (40,000 findings: 151 s in a debug build, against
/// 3.7 s for JSON). The time is recorded, not asserted; a return of that bug shows there.
#[test]
fn a_hundred_thousand_findings_in_the_human_format() {
    let dir = scratch();
    write(dir.path(), "many.yaml", repositories(100_000));
    let run = ecrlint(
        "100,000 findings (human output)",
        dir.path(),
        &["check", "many.yaml"],
        None,
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.ends_with(
            "Found 100000 problems (100000 warnings) in 1 file; 100000 fixable with `--fix`.\n"
        ),
        "{}",
        &run.stdout[run.stdout.len().saturating_sub(200)..]
    );
}

#[test]
fn binary_data() {
    let dir = scratch();
    // A gzip header, and a PNG's: NUL bytes early, after bytes that are not UTF-8.
    write(
        dir.path(),
        "archive.yaml",
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03",
    );
    write(
        dir.path(),
        "image.json",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    );
    // Noise without a NUL: the first byte that is not UTF-8 is named.
    let noise: Vec<u8> = (0u32..65_536)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8 | 1)
        .collect();
    assert!(!noise.contains(&0));
    write(dir.path(), "noise.yaml", &noise);
    let run = github("gzip header", dir.path(), "archive.yaml");
    let binary = "the file is binary (it holds a NUL byte), not a template or policy";
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (1, syntax_error("archive.yaml", 1, 4, 4, binary).as_str())
    );
    let run = github("PNG header", dir.path(), "image.json");
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (1, syntax_error("image.json", 3, 1, 1, binary).as_str())
    );
    let run = github("64 KiB of noise without NUL", dir.path(), "noise.yaml");
    let first_bad = std::str::from_utf8(&noise).unwrap_err().valid_up_to();
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.ends_with(&format!(
            "::ECR901 the file is not valid UTF-8 (byte 0x{:02X})\n",
            noise[first_bad]
        )),
        "{}",
        run.stdout
    );
}

#[test]
fn invalid_utf8_far_into_a_file() {
    let dir = scratch();
    let mut bytes = repositories(1_000).into_bytes();
    bytes.extend_from_slice(b"  Caf\xc3\x28:\n");
    write(dir.path(), "late.yaml", &bytes);
    let run = github("invalid UTF-8 on line 2002", dir.path(), "late.yaml");
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (
            1,
            syntax_error(
                "late.yaml",
                2002,
                6,
                6,
                "the file is not valid UTF-8 (byte 0xC3)"
            )
            .as_str()
        )
    );
}

#[test]
fn a_nul_byte_past_the_binary_sniffing() {
    // The CLI looks for NUL in the first 8 KiB only; one further on reaches the YAML parser.
    let dir = scratch();
    let mut yaml = repositories(400);
    yaml.push_str("  Bad: \0\n");
    assert!(yaml.len() > 16_000);
    write(dir.path(), "late-nul.yaml", &yaml);
    let run = github("NUL on line 802 (YAML)", dir.path(), "late-nul.yaml");
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (
            1,
            syntax_error("late-nul.yaml", 802, 8, 8, "found unprintable character").as_str()
        )
    );
}

/// A NUL byte inside a JSON string after the first 8 KiB. JSON forbids unescaped control
/// characters in strings (RFC 8259, section 7) and AWS rejects such a policy: one ECR901 finding.
/// (It used to pass unnoticed, exit 0.)
#[test]
fn a_nul_byte_inside_a_json_string() {
    let dir = scratch();
    let json = format!(
        "{{\"Statement\": [{}, \"\0\"]}}",
        vec!["{\"Effect\": \"Deny\", \"Principal\": \"*\", \"Action\": \"ecr:*\"}"; 500].join(", ")
    );
    assert!(json.len() > 8192);
    write(dir.path(), "late-nul.json", &json);
    let run = github("NUL after 10 KB (JSON)", dir.path(), "late-nul.json");
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert!(
        run.stdout.starts_with(
            "::error title=ecrlint (ECR901 invalid-syntax),file=late-nul.json,line=1,"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn utf16_files() {
    let dir = scratch();
    let template = "\u{feff}Resources:\n  Repo:\n    Type: AWS::ECR::Repository\n";
    let le: Vec<u8> = template.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let be: Vec<u8> = template.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let no_bom: Vec<u8> = template[3..]
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    write(dir.path(), "le.yaml", le);
    write(dir.path(), "be.yaml", be);
    write(dir.path(), "no-bom.yaml", no_bom);
    let utf16 = "the file is UTF-16; CloudFormation and ecrlint read UTF-8";
    let run = github("UTF-16 LE with BOM", dir.path(), "le.yaml");
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (1, syntax_error("le.yaml", 1, 1, 1, utf16).as_str())
    );
    let run = github("UTF-16 BE with BOM", dir.path(), "be.yaml");
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (1, syntax_error("be.yaml", 1, 1, 1, utf16).as_str())
    );
    // Without a BOM, UTF-16 text is ASCII with a NUL after every byte.
    let run = github("UTF-16 LE without BOM", dir.path(), "no-bom.yaml");
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (
            1,
            syntax_error(
                "no-bom.yaml",
                1,
                2,
                2,
                "the file is binary (it holds a NUL byte), not a template or policy"
            )
            .as_str()
        )
    );
    // A UTF-8 BOM is fine, and columns do not count it.
    write(dir.path(), "utf8-bom.yaml", template);
    let run = github("UTF-8 with BOM", dir.path(), "utf8-bom.yaml");
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.starts_with("::warning title=ecrlint (ECR201 mutable-image-tags),file=utf8-bom.yaml,line=2,col=3,endLine=2,endColumn=7::"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_10_mb_single_line() {
    let dir = scratch();
    let statement =
        "{\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"ecr:BatchGetImage\"}";
    let line = format!(
        "{{\"Statement\": [{}]}}",
        vec![statement; 150_000].join(",")
    );
    assert!(line.len() > 10_000_000);
    write(dir.path(), "wide.json", &line);
    let run = ecrlint(
        "10 MB single line, 150,000 findings (JSON output)",
        dir.path(),
        &["check", "wide.json", "--output-format", "json"],
        None,
    );
    assert_eq!(run.code, 1);
    let findings: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let findings = findings.as_array().unwrap();
    assert_eq!(findings.len(), 150_000);
    // The range is the quoted `"*"`; columns are 1-based and the line is ASCII.
    let last_quote = line.rfind("\"*\"").unwrap();
    assert_eq!(
        findings[149_999]["location"],
        serde_json::json!({"row": 1, "column": last_quote + 1})
    );

    // One finding at the end of a 10 MB line: the snippet shows its neighbourhood only.
    let sid = "x".repeat(10_000_000);
    let policy = format!("{{\"Statement\": [{{\"Sid\": \"{sid}\", \"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"ecr:BatchGetImage\"}}]}}\n");
    write(dir.path(), "long-sid.json", &policy);
    let run = ecrlint(
        "10 MB single line, one finding (human output)",
        dir.path(),
        &["check", "long-sid.json"],
        None,
    );
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout,
        "long-sid.json:1:10000060: error[ECR101] repository policy allows everyone: `Principal` is `*` and no condition limits the caller; give the owning account with `--account-id` (or `account-id` in ecrlint.toml) for a fix\n  \
         |\n\
         1 | …xxxxx\", \"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"ecr:BatchGetImage\"}]}\n  \
         |                                          ^^^\n  \
         |\n\
         \n\
         Found 1 problem (1 error) in 1 file.\n"
    );
}

const MUTABLE_MISSING: &str = "Resources:\n  Repo:\n    Type: AWS::ECR::Repository\n";

#[cfg(unix)]
mod fix_safety {
    use super::*;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn files_that_do_not_parse_or_cannot_be_read_are_never_written() {
        let dir = scratch();
        let inputs: [(&str, &[u8]); 4] = [
            (
                "broken.yaml",
                b"Resources:\n  Repo:\n    Type: AWS::ECR::Repository\n  Bad: [\n",
            ),
            (
                "latin1.yaml",
                b"Resources:\n  Caf\xe9:\n    Type: AWS::ECR::Repository\n",
            ),
            (
                "binary.yaml",
                b"Resources:\n  Repo:\n    Type: AWS::ECR::Repository\n\0",
            ),
            ("utf16.yaml", b"\xff\xfeR\0e\0"),
        ];
        for (name, bytes) in inputs {
            write(dir.path(), name, bytes);
        }
        let before: Vec<u64> = inputs
            .iter()
            .map(|(name, _)| std::fs::metadata(dir.path().join(name)).unwrap().ino())
            .collect();
        let run = ecrlint(
            "--fix on files that do not parse",
            dir.path(),
            &[
                "check",
                "broken.yaml",
                "latin1.yaml",
                "binary.yaml",
                "utf16.yaml",
                "--fix",
                "--unsafe-fixes",
                "--output-format",
                "github",
            ],
            None,
        );
        assert_eq!(run.code, 1);
        assert_eq!(run.stdout.lines().count(), 4, "{}", run.stdout);
        assert!(
            run.stdout.lines().all(|l| l.contains("ECR901")),
            "{}",
            run.stdout
        );
        for ((name, bytes), inode) in inputs.iter().zip(before) {
            let path = dir.path().join(name);
            assert_eq!(&std::fs::read(&path).unwrap(), bytes, "{name}");
            assert_eq!(
                std::fs::metadata(&path).unwrap().ino(),
                inode,
                "{name} was replaced"
            );
        }
        assert_eq!(
            names(dir.path()),
            ["binary.yaml", "broken.yaml", "latin1.yaml", "utf16.yaml"]
        );
    }

    #[test]
    fn fixes_replace_the_file_by_rename_keeping_mode_and_line_endings() {
        let dir = scratch();
        let crlf = MUTABLE_MISSING.replace('\n', "\r\n");
        let path = write(dir.path(), "crlf.yaml", &crlf);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o751)).unwrap();
        let no_final_newline = format!("\u{feff}{}", MUTABLE_MISSING.trim_end());
        write(dir.path(), "bom.yaml", &no_final_newline);
        let inode = std::fs::metadata(&path).unwrap().ino();
        let run = ecrlint(
            "--fix, CRLF and BOM",
            dir.path(),
            &["check", "crlf.yaml", "bom.yaml", "--fix"],
            None,
        );
        assert_eq!(
            (run.code, run.stdout.as_str(), run.stderr.as_str()),
            (
                0,
                "Fixed 2 problems.\nAll checks passed (2 files checked).\n",
                ""
            )
        );
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "Resources:\r\n  Repo:\r\n    Properties:\r\n      ImageTagMutability: IMMUTABLE\r\n    Type: AWS::ECR::Repository\r\n"
        );
        let meta = std::fs::metadata(&path).unwrap();
        assert_eq!(meta.permissions().mode() & 0o7777, 0o751);
        assert_ne!(
            meta.ino(),
            inode,
            "written in place, not through a temporary file and a rename"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("bom.yaml")).unwrap(),
            "\u{feff}Resources:\n  Repo:\n    Properties:\n      ImageTagMutability: IMMUTABLE\n    Type: AWS::ECR::Repository"
        );
        assert_eq!(names(dir.path()), ["bom.yaml", "crlf.yaml"]);
    }

    /// Writing fails (a file-size limit of zero, so even the temporary file cannot be written,
    /// whoever runs the test): the original stays byte for byte, no temporary file is left, and
    /// the exit code is 2 with the reason.
    #[test]
    fn a_failed_write_leaves_the_original() {
        let dir = scratch();
        let path = write(dir.path(), "t.yaml", MUTABLE_MISSING);
        let script = format!(
            "trap '' XFSZ; ulimit -f 0; exec '{}' check t.yaml --fix --output-format github --ignore ECR202,ECR301,ECR302",
            env!("CARGO_BIN_EXE_ecrlint")
        );
        // Pipes, not files, for the output: the size limit applies to every file the process writes.
        let output = Command::new("sh")
            .args(["-c", &script])
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2));
        assert_eq!(
            String::from_utf8(output.stderr).unwrap(),
            "ecrlint: t.yaml: cannot write the fixed file: File too large (os error 27)\n"
        );
        assert_eq!(
            String::from_utf8(output.stdout).unwrap(),
            "::warning title=ecrlint (ECR201 mutable-image-tags),file=t.yaml,line=2,col=3,endLine=2,endColumn=7::ECR201 `ImageTagMutability` is not set, so image tags are mutable (the default is `MUTABLE`)\n"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), MUTABLE_MISSING);
        assert_eq!(names(dir.path()), ["t.yaml"]);
    }

    /// Makes `path` unwritable: `chmod 555` for a folder, and where that does not stop the
    /// current user (root), the immutable attribute (`chattr +i`), which stops root too. Gives the
    /// error a write then meets, or `None` when neither works here (a file system without
    /// attributes). Undone on drop, so the scratch folder can be removed whatever happens.
    struct Locked<'a> {
        path: &'a Path,
        immutable: bool,
    }

    impl Drop for Locked<'_> {
        fn drop(&mut self) {
            if self.immutable {
                let _ = Command::new("chattr").arg("-i").arg(self.path).status();
            }
            if self.path.is_dir() {
                let _ = std::fs::set_permissions(self.path, std::fs::Permissions::from_mode(0o755));
            }
        }
    }

    fn lock<'a>(path: &'a Path, probe: &Path) -> (Locked<'a>, Option<&'static str>) {
        let mut locked = Locked {
            path,
            immutable: false,
        };
        let stopped = |probe: &Path| {
            let written = std::fs::write(probe, "").is_ok();
            let _ = std::fs::remove_file(probe);
            !written
        };
        if path.is_dir() {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o555)).unwrap();
            if stopped(probe) {
                return (locked, Some("Permission denied (os error 13)"));
            }
        }
        let chattr = Command::new("chattr")
            .arg("+i")
            .arg(path)
            .stderr(Stdio::null())
            .status();
        if chattr.is_ok_and(|s| s.success()) {
            locked.immutable = true;
            if stopped(probe) {
                return (locked, Some("Operation not permitted (os error 1)"));
            }
        }
        (locked, None)
    }

    /// A folder nobody may write to: the temporary file cannot be created. The original stays, the
    /// exit code is 2, and the reason is given.
    #[test]
    fn a_read_only_folder_leaves_the_original() {
        let dir = scratch();
        let folder = dir.path().join("locked");
        std::fs::create_dir(&folder).unwrap();
        let path = write(&folder, "t.yaml", MUTABLE_MISSING);
        let (locked, reason) = lock(&folder, &folder.join(".probe"));
        let Some(reason) = reason else {
            eprintln!("neither permissions nor chattr stop writes here; skipped");
            return;
        };
        let run = ecrlint(
            "--fix in a read-only folder",
            dir.path(),
            &[
                "check",
                "locked/t.yaml",
                "--fix",
                "--output-format",
                "github",
            ],
            None,
        );
        drop(locked);
        assert_eq!(run.code, 2);
        assert_eq!(
            run.stderr,
            format!("ecrlint: locked/t.yaml: cannot write the fixed file: {reason}\n")
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), MUTABLE_MISSING);
        assert_eq!(names(&folder), ["t.yaml"]);
    }

    /// The temporary file is written, but the rename over the original fails (an immutable file
    /// cannot be replaced): the original stays byte for byte, the temporary file is removed, and
    /// the exit code is 2 with the reason.
    #[test]
    fn a_failed_rename_leaves_the_original_and_no_temporary_file() {
        let dir = scratch();
        let path = write(dir.path(), "t.yaml", MUTABLE_MISSING);
        // Writing into the immutable file itself is what must fail; the folder stays writable.
        let (locked, reason) = lock(&path, &path);
        let Some(reason) = reason else {
            eprintln!("chattr does not work here (not root, or no attributes); skipped");
            return;
        };
        let run = ecrlint(
            "--fix over an immutable file",
            dir.path(),
            &["check", "t.yaml", "--fix", "--output-format", "github"],
            None,
        );
        drop(locked);
        assert_eq!(run.code, 2);
        assert_eq!(
            run.stderr,
            format!("ecrlint: t.yaml: cannot write the fixed file: {reason}\n")
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), MUTABLE_MISSING);
        assert_eq!(names(dir.path()), ["t.yaml"]);
    }

    /// `--fix` on a symbolic link fixes the file it points to and keeps the link. (The rename
    /// used to replace the link with a regular file, leaving the file it pointed to unfixed.)
    #[test]
    fn fixing_through_a_symbolic_link_keeps_the_link() {
        let dir = scratch();
        std::fs::create_dir(dir.path().join("real")).unwrap();
        let target = write(&dir.path().join("real"), "t.yaml", MUTABLE_MISSING);
        std::os::unix::fs::symlink("real/t.yaml", dir.path().join("link.yaml")).unwrap();
        let run = ecrlint(
            "--fix through a symbolic link",
            dir.path(),
            &["check", "link.yaml", "--fix"],
            None,
        );
        assert_eq!(run.code, 0, "{}", run.stdout);
        let link = std::fs::symlink_metadata(dir.path().join("link.yaml")).unwrap();
        assert!(
            link.file_type().is_symlink(),
            "the link was replaced by a file"
        );
        assert_eq!(
            std::fs::read_to_string(target).unwrap(),
            "Resources:\n  Repo:\n    Properties:\n      ImageTagMutability: IMMUTABLE\n    Type: AWS::ECR::Repository\n"
        );
    }
}

/// Terraform: nesting past hcl-edit's limit (brackets, and interpolations inside strings inside
/// interpolations), a 10 MB heredoc policy, unterminated strings and heredocs, invalid UTF-8,
/// and 100,000 resource blocks. Each file stands in a folder of its own, as a module.
#[test]
fn hostile_terraform() {
    let case = |name: &str, text: &[u8]| {
        let dir = scratch();
        write(dir.path(), name, text);
        dir
    };
    let deeper = "invalid HCL: invalid nesting depth; expected at most 64 nested levels";
    let text = format!("a = {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let dir = case("deep.tf", text.as_bytes());
    let run = github("100,000-deep HCL arrays", dir.path(), "deep.tf");
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (1, syntax_error("deep.tf", 1, 70, 71, deeper).as_str())
    );
    let text = format!(
        "a = \"{}x{}\"\n",
        "${\"".repeat(50_000),
        "\"}".repeat(50_000)
    );
    let dir = case("nested.tf", text.as_bytes());
    let run = github("50,000 nested HCL interpolations", dir.path(), "nested.tf");
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (1, syntax_error("nested.tf", 1, 200, 201, deeper).as_str())
    );
    let text = format!(
        "resource \"aws_ecr_repository_policy\" \"p\" {{\n  repository = \"r\"\n  policy = <<EOF\n{}EOF\n}}\n",
        format!("{}\n", "x".repeat(99)).repeat(100_000)
    );
    let dir = case("heredoc.tf", text.as_bytes());
    let run = github("a 10 MB heredoc policy", dir.path(), "heredoc.tf");
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (
            1,
            syntax_error(
                "heredoc.tf",
                4,
                1,
                100,
                "the policy text is not valid JSON: Unexpected word"
            )
            .as_str()
        )
    );
    let dir = case(
        "string.tf",
        b"resource \"aws_ecr_repository\" \"r\" {\n  name = \"abc\n}\n",
    );
    let run = github("an unterminated HCL string", dir.path(), "string.tf");
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (
            1,
            syntax_error(
                "string.tf",
                2,
                3,
                4,
                "invalid HCL: invalid block body; expected `}`, newline or identifier"
            )
            .as_str()
        )
    );
    let dir = case(
        "open.tf",
        b"resource \"aws_ecr_repository_policy\" \"p\" {\n  policy = <<EOF\n{\"Statement\": []}\n",
    );
    let run = github("an unterminated heredoc", dir.path(), "open.tf");
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (
            1,
            syntax_error(
                "open.tf",
                3,
                1,
                2,
                "invalid HCL: expected heredoc end delimiter"
            )
            .as_str()
        )
    );
    let dir = case(
        "bytes.tf",
        b"resource \"aws_ecr_repository\" \"r\" {\n  name = \"\xff\xfe\"\n}\n",
    );
    let run = github("invalid UTF-8 in HCL", dir.path(), "bytes.tf");
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (
            1,
            syntax_error(
                "bytes.tf",
                2,
                11,
                11,
                "the file is not valid UTF-8 (byte 0xFF)"
            )
            .as_str()
        )
    );
    let text: String = (0..100_000)
        .map(|i| format!("resource \"aws_ecr_repository\" \"r{i}\" {{\n  name = \"r{i}\"\n}}\n"))
        .collect();
    let dir = case("blocks.tf", text.as_bytes());
    let run = github("100,000 Terraform resource blocks", dir.path(), "blocks.tf");
    assert_eq!(run.code, 1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 100_000);
    assert_eq!(
        lines[99_999],
        "::warning title=ecrlint (ECR201 mutable-image-tags),file=blocks.tf,line=299998,col=31,endLine=299998,endColumn=39::ECR201 `image_tag_mutability` is not set, so image tags are mutable (the default is `MUTABLE`)"
    );
}
