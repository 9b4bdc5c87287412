//! `cargo xtask bench-server`: the release `ecrlint server`'s time to its diagnostics and its peak
//! memory (VmHWM) on a 4.3 MB template with 100,000 findings, spoken to over stdio as an editor
//! does; printed, for docs/robustness.md.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::{json, Value};

use crate::util::{self, Result};

const RESOURCES: usize = 100_000;

/// `Repo0` … `Repo99999`, each a bare repository: one ECR201 finding each with the settings below.
fn template() -> String {
    let mut text = String::from("Resources:\n");
    for i in 0..RESOURCES {
        text.push_str(&format!("  Repo{i}:\n    Type: AWS::ECR::Repository\n"));
    }
    text
}

fn send(stdin: &mut impl Write, message: &Value) -> Result {
    let body = message.to_string();
    write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len())
        .and_then(|()| stdin.flush())
        .map_err(|e| format!("cannot write to the server: {e}"))
}

fn receive(reader: &mut impl BufRead) -> Result<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).map_err(|e| e.to_string())? == 0 {
            return Err("the server closed its output".into());
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = n.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length.ok_or("a message without Content-Length")?];
    reader.read_exact(&mut body).map_err(|e| e.to_string())?;
    serde_json::from_slice(&body).map_err(|e| format!("not JSON from the server: {e}"))
}

fn peak_rss_mb(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("cannot read the server's /proc status: {e}"))?;
    let kib: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or("no VmHWM in /proc/PID/status")?;
    Ok(kib / 1024)
}

/// With `binary`, that `ecrlint` (another build, to compare) instead of this tree's release build.
pub fn run(binary: Option<&str>) -> Result {
    let ecrlint = match binary {
        Some(path) => std::path::PathBuf::from(path),
        None => util::release_ecrlint()?,
    };
    let text = template();
    let mut child = Command::new(&ecrlint)
        .arg("server")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", ecrlint.display()))?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let mut stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
    // The repositories are bare: their scanning is taken as covered by the registry and the
    // informational rules are off, so that ECR201 alone stands for the findings.
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "processId": null, "rootUri": null, "capabilities": {},
            "initializationOptions": {"registryScanning": "covers-all", "ignore": ["ECR301", "ECR302"]}
        }}),
    )?;
    while receive(&mut stdout)?.get("id") != Some(&json!(1)) {}
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
    )?;
    let uri = "file:///bench/many.yaml";
    let started = Instant::now();
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
            "textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}
        }}),
    )?;
    let published = loop {
        let message = receive(&mut stdout)?;
        if message["method"] == "textDocument/publishDiagnostics" && message["params"]["uri"] == uri
        {
            break message;
        }
    };
    let seconds = started.elapsed().as_secs_f64();
    let rss = peak_rss_mb(child.id())?;
    let diagnostics = published["params"]["diagnostics"]
        .as_array()
        .map_or(0, Vec::len);
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": null}),
    )?;
    while receive(&mut stdout)?.get("id") != Some(&json!(2)) {}
    send(&mut stdin, &json!({"jsonrpc": "2.0", "method": "exit"}))?;
    drop(stdin);
    let _ = child.wait();
    println!(
        "ecrlint server, {:.1} MB document with {RESOURCES} ECR201 findings: {diagnostics} diagnostics published in {seconds:.2} s, peak RSS {rss} MB",
        text.len() as f64 / 1e6
    );
    Ok(())
}
