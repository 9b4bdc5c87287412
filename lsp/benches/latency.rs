//! didChange → publishDiagnostics latency of the language server, on a ~100 KB and a ~3 MB
//! CloudFormation template. Run by hand: `cargo bench -p ecrlint_lsp --bench latency`
//! (`EDITS=n` sets the number of timed edits per template, `ONLY=1MB` runs the templates whose
//! name holds that text). The allocator is the `ecrlint` binary's (mimalloc).
//!
//! The server runs in process behind tower-lsp-server's `Server`, with real JSON-RPC framing,
//! over an in-memory pipe. Each timed edit is one keystroke (a character typed into a tag value
//! in the middle of the document, or `IM` typed before a `MUTABLE`), sent after the previous
//! edit's diagnostics arrived, and timed from writing the notification to having read the last
//! byte of the `publishDiagnostics` for its version (what the client then does with the JSON is
//! the client's time, not the server's).
//!
//! Each size comes twice: "sparse", one repository in ten with a finding, as in a template that
//! is mostly right; and "dense", four in five, which makes the message itself large.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

const URI: &str = "file:///bench/template.yaml";

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let edits: usize = std::env::var("EDITS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    println!("| template | size | findings | edits | median | p90 | worst | core `check` alone, median |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    let cases = [
        ("100 KB, sparse", 195, Density::Sparse, 300),
        ("100 KB, dense", 192, Density::Dense, 300),
        ("1 MB, sparse", 1_950, Density::Sparse, 100),
        ("1 MB, dense", 1_915, Density::Dense, 100),
        ("3 MB, sparse", 5_850, Density::Sparse, 40),
        ("3 MB, dense", 5_740, Density::Dense, 40),
    ];
    let only = std::env::var("ONLY").unwrap_or_default();
    for (name, repositories, density, default_edits) in cases {
        if !name.replace(' ', "").contains(&only.replace(' ', "")) {
            continue;
        }
        let text = template(repositories, density);
        let edits = if edits > 0 { edits } else { default_edits };
        let (findings, mut times) = runtime.block_on(measure(&text, edits));
        times.sort();
        let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
        println!(
            "| {name} | {} bytes | {findings} | {} | {} | {} | {} | {} |",
            text.len(),
            times.len(),
            ms(at(0.5)),
            ms(at(0.9)),
            ms(*times.last().expect("timed edits")),
            ms(core_check(&text, edits.min(50)))
        );
    }
}

/// The median time of core's `check` on the text, without the server around it.
fn core_check(text: &str, runs: usize) -> Duration {
    let settings = ecrlint_core::Settings::default();
    let mut times: Vec<Duration> = (0..runs.max(1))
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(ecrlint_core::check(text, Some("template.yaml"), &settings));
            started.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}

#[derive(Clone, Copy)]
enum Density {
    /// One repository in ten has a finding.
    Sparse,
    /// Four in five do: a third mutable, a third mutable through a parameter, one in seven public.
    Dense,
}

/// A template of `n` repositories with policies and tags with non-ASCII text.
fn template(n: usize, density: Density) -> String {
    let mut text = String::from(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nDescription: Repositories for every team — générées 🚀\nParameters:\n  Mutability:\n    Type: String\n    Default: MUTABLE\n    AllowedValues: [MUTABLE, IMMUTABLE]\nResources:\n",
    );
    for i in 0..n {
        let (mutability, public) = match density {
            Density::Dense => (
                ["MUTABLE", "IMMUTABLE", "!Ref Mutability"][i % 3],
                i % 7 == 0,
            ),
            Density::Sparse => (
                if i % 20 == 0 { "MUTABLE" } else { "IMMUTABLE" },
                i % 20 == 10,
            ),
        };
        let principal = if public {
            "\"*\"".to_string()
        } else {
            format!(
                "{{AWS: \"arn:aws:iam::{:012}:root\"}}",
                100_000_000_000u64 + i as u64
            )
        };
        text.push_str(&format!(
            "  Repository{i}:\n    Type: AWS::ECR::Repository\n    Properties:\n      RepositoryName: team-{i}/service\n      ImageTagMutability: {mutability}\n      ImageScanningConfiguration: {{ScanOnPush: true}}\n      RepositoryPolicyText:\n        Version: \"2012-10-17\"\n        Statement:\n          - Sid: Pull{i}\n            Effect: Allow\n            Principal: {principal}\n            Action: [\"ecr:BatchGetImage\", \"ecr:GetDownloadUrlForLayer\"]\n      Tags:\n        - {{Key: owner, Value: \"équipe {i} 🚀 中文\"}}\n"
        ));
    }
    text
}

/// Opens the template, then times `edits` keystrokes; returns the findings on open and the times.
async fn measure(text: &str, edits: usize) -> (usize, Vec<Duration>) {
    let (client_end, server_end) = tokio::io::duplex(1 << 20);
    let (server_read, server_write) = tokio::io::split(server_end);
    let (service, socket) = ecrlint_lsp::service(ecrlint_lsp::Core::ECRLINT);
    tokio::spawn(tower_lsp_server::Server::new(server_read, server_write, socket).serve(service));
    let (read, mut write) = tokio::io::split(client_end);
    let mut read = BufReader::new(read);

    send(&mut write, &json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": null, "rootUri": null, "capabilities": {}}})).await;
    until(&mut read, |m| m.id == Some(1)).await;
    send(
        &mut write,
        &json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
    )
    .await;
    send(&mut write, &json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": URI, "languageId": "yaml", "version": 1, "text": text}}})).await;
    let (opened, _) = until(&mut read, |m| m.is_diagnostics_for(1)).await;
    let findings = opened
        .params
        .and_then(|p| p.diagnostics)
        .map_or(0, |d| d.len());

    let mut mirror = text.to_string();
    let mut times = Vec::with_capacity(edits);
    for i in 0..edits {
        let version = i as i64 + 2;
        // Alternate: type into a tag value halfway down, or make a MUTABLE immutable.
        let mut middle = mirror.len() / 2;
        while !mirror.is_char_boundary(middle) {
            middle -= 1;
        }
        let (at, insert) = if i % 2 == 0 {
            (middle + mirror[middle..].find("🚀").expect("a tag"), "x")
        } else {
            let found = mirror[middle..]
                .find(": MUTABLE\n")
                .map(|j| middle + j + 2)
                .or_else(|| mirror.find(": MUTABLE\n").map(|j| j + 2))
                .unwrap_or(middle);
            (found, "IM")
        };
        let position = utf16_position(&mirror, at);
        mirror.insert_str(at, insert);
        let change = json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": URI, "version": version},
            "contentChanges": [{"range": {"start": position, "end": position}, "text": insert}]
        }});
        let started = Instant::now();
        send(&mut write, &change).await;
        let (_, received) = until(&mut read, |m| m.is_diagnostics_for(version)).await;
        times.push(received - started);
    }
    (findings, times)
}

fn utf16_position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let character: usize = before[line_start..].chars().map(char::len_utf16).sum();
    json!({"line": line, "character": character})
}

async fn send(write: &mut tokio::io::WriteHalf<tokio::io::DuplexStream>, message: &Value) {
    let body = serde_json::to_vec(message).expect("JSON");
    write
        .write_all(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes())
        .await
        .expect("write");
    write.write_all(&body).await.expect("write");
    write.flush().await.expect("flush");
}

/// What the benchmark reads of a message; the diagnostics are skipped, not built.
#[derive(serde::Deserialize)]
struct Message {
    id: Option<i64>,
    method: Option<String>,
    params: Option<Params>,
}

#[derive(serde::Deserialize)]
struct Params {
    version: Option<i64>,
    diagnostics: Option<Vec<serde::de::IgnoredAny>>,
}

impl Message {
    fn is_diagnostics_for(&self, version: i64) -> bool {
        self.method.as_deref() == Some("textDocument/publishDiagnostics")
            && self.params.as_ref().and_then(|p| p.version) == Some(version)
    }
}

/// Reads messages until one matches; returns it with the moment its last byte was read.
async fn until(
    read: &mut BufReader<tokio::io::ReadHalf<tokio::io::DuplexStream>>,
    wanted: impl Fn(&Message) -> bool,
) -> (Message, Instant) {
    loop {
        let mut length = 0;
        loop {
            let mut line = String::new();
            read.read_line(&mut line).await.expect("read");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("Content-Length: ") {
                length = n.parse().expect("a length");
            }
        }
        let mut body = vec![0; length];
        read.read_exact(&mut body).await.expect("read");
        let received = Instant::now();
        let message: Message = serde_json::from_slice(&body).expect("JSON");
        if wanted(&message) {
            return (message, received);
        }
    }
}
