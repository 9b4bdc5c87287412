//! A real client no one here wrote: headless Neovim starts `ecrlint server`, opens a template,
//! waits for the diagnostics, applies the quick fix through its own LSP client
//! (`vim.lsp.buf.code_action`), writes the file; the file must then be exactly the fixed text.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(120);

/// The fix lands after `café 🚀 中文` on its line: a client and server that disagreed on
/// columns (UTF-16 vs bytes) would write it in the wrong place. (Neovim reports the diagnostic
/// in byte columns: `MUTABLE` is at UTF-16 column 79, byte column 86.)
const TEMPLATE: &str = "\
AWSTemplateFormatVersion: \"2010-09-09\"
Resources:
  Images:
    Type: AWS::ECR::Repository
    Properties: {Tags: [{Key: team, Value: \"café 🚀 中文\"}], ImageTagMutability: MUTABLE, ImageScanningConfiguration: {ScanOnPush: true}, \
EncryptionConfiguration: {EncryptionType: KMS, KmsKey: alias/images}, LifecyclePolicy: {LifecyclePolicyText: \
'{\"rules\": [{\"rulePriority\": 1, \"selection\": {\"tagStatus\": \"any\", \"countType\": \"imageCountMoreThan\", \"countNumber\": 100}, \"action\": {\"type\": \"expire\"}}]}'}}
";

const SCRIPT: &str = r#"
local bin = os.getenv('ECRLINT_BIN')
local path = os.getenv('ECRLINT_TEMPLATE')
local report = os.getenv('ECRLINT_REPORT')
local wanted = 'Set `ImageTagMutability` to `IMMUTABLE`'

local function note(text)
  local f = io.open(report, 'a')
  f:write(text .. '\n')
  f:close()
end

local function fail(text)
  note('FAIL: ' .. text)
  vim.cmd('cquit 3')
end

local function codes(buf)
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(found, tostring(d.code))
  end
  table.sort(found)
  return table.concat(found, ',')
end

vim.cmd('edit ' .. vim.fn.fnameescape(path))
local buf = vim.api.nvim_get_current_buf()
local client = vim.lsp.start_client({
  name = 'ecrlint',
  cmd = { bin, 'server' },
  root_dir = vim.fn.fnamemodify(path, ':h'),
})
if not client then fail('the client did not start') end
vim.lsp.buf_attach_client(buf, client)

if not vim.wait(60000, function() return #vim.diagnostic.get(buf) > 0 end, 20) then
  fail('no diagnostics arrived')
end
note('diagnostics: ' .. codes(buf))
local target
for _, d in ipairs(vim.diagnostic.get(buf)) do
  if d.code == 'ECR201' then target = d end
end
if not target then fail('no ECR201 diagnostic') end
note(string.format('ECR201 at %d:%d-%d:%d', target.lnum, target.col, target.end_lnum, target.end_col))

-- Choose the quick fix in Neovim's own code action menu (0.7 passes {client_id, action}
-- pairs to vim.ui.select, later versions {action = ..., ctx = ...}).
vim.ui.select = function(items, _, on_choice)
  local titles, choice = {}, nil
  for i, item in ipairs(items) do
    local action = item.action or item[2]
    table.insert(titles, action.title)
    if action.title == wanted then choice = i end
  end
  note('actions: ' .. table.concat(titles, ' | '))
  if not choice then fail('no quick fix among them') end
  on_choice(items[choice], choice)
end
vim.api.nvim_win_set_cursor(0, { target.lnum + 1, target.col })
vim.lsp.buf.code_action()

local function fixed()
  return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n'):find('ImageTagMutability: IMMUTABLE', 1, true)
end
if not vim.wait(60000, fixed, 20) then fail('the fix was not applied') end
if not vim.wait(60000, function() return not codes(buf):find('ECR201', 1, true) end, 20) then
  fail('ECR201 is still reported: ' .. codes(buf))
end
note('after the fix: ' .. codes(buf))
vim.cmd('write')
vim.lsp.stop_client(client)
vim.cmd('qall!')
"#;

#[test]
fn neovim_applies_a_quick_fix_and_writes_the_exact_text() {
    let nvim = which("nvim").expect("nvim is not installed; `cargo xtask setup` installs it");
    let ecrlint = build_ecrlint();
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("images.yaml");
    let script = dir.path().join("fix.lua");
    let report = dir.path().join("report.txt");
    std::fs::write(&template, TEMPLATE).unwrap();
    std::fs::write(&script, SCRIPT).unwrap();

    let mut child = Command::new(nvim)
        .args(["--headless", "--clean", "-n", "-i", "NONE", "-c"])
        .arg(format!("luafile {}", script.display()))
        .env("ECRLINT_BIN", &ecrlint)
        .env("ECRLINT_TEMPLATE", &template)
        .env("ECRLINT_REPORT", &report)
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nvim starts");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > TIMEOUT {
            child.kill().unwrap();
            panic!(
                "nvim did not finish in {TIMEOUT:?}; report:\n{}",
                std::fs::read_to_string(&report).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let report = std::fs::read_to_string(&report).unwrap_or_default();
    assert!(
        status.success(),
        "nvim failed ({status}); report:\n{report}"
    );
    assert_eq!(
        report,
        "diagnostics: ECR201\n\
         ECR201 at 4:86-4:93\n\
         actions: Set `ImageTagMutability` to `IMMUTABLE` | Ignore ECR201 on this line | Ignore ECR201 for this resource\n\
         after the fix: \n"
    );
    let written = std::fs::read(&template).unwrap();
    assert_eq!(
        written,
        TEMPLATE.replace("MUTABLE,", "IMMUTABLE,").into_bytes(),
        "the file Neovim wrote"
    );
}

/// Builds the `ecrlint` binary (the CLI crate, which serves LSP) and returns its path.
fn build_ecrlint() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "build",
            "-p",
            "ecrlint",
            "--bin",
            "ecrlint",
            "--message-format=json",
        ])
        .current_dir(root)
        .stderr(Stdio::inherit())
        .output()
        .expect("cargo runs");
    assert!(output.status.success(), "cargo build -p ecrlint failed");
    let stdout = String::from_utf8(output.stdout).unwrap();
    stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "ecrlint")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .expect("cargo names the ecrlint executable")
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|candidate| candidate.is_file())
    })
}
