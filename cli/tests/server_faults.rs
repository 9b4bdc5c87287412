//! `ecrlint server` over real stdio, as an editor's process sees it: protocol faults answered as
//! JSON-RPC 2.0 and the LSP specification say (-32700, -32600, -32601, -32002), with the server
//! serving on; and hostile documents, each ending in one clear diagnostic.
//!
//! Time to the diagnostics and the server's peak memory (VmHWM) are recorded, not asserted, in
//! `target/tmp/hostile-server.tsv`; docs/robustness.md has the figures.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// Far beyond any healthy answer: only a hang or a dead server reaches it.
const SANITY_LIMIT: Duration = Duration::from_secs(300);

/// What the reader thread passes on: a message, or the end of the server's output.
enum Incoming {
    Message(Value),
    Closed,
}

struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Incoming>,
    next_id: i64,
    /// How long to wait for an answer before failing.
    patience: Duration,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ecrlint"))
            .arg("server")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        let _ = sender.send(Incoming::Closed);
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.expect("a Content-Length header")];
                if reader.read_exact(&mut body).is_err() {
                    let _ = sender.send(Incoming::Closed);
                    return;
                }
                let message = serde_json::from_slice(&body).expect("JSON from the server");
                if sender.send(Incoming::Message(message)).is_err() {
                    return;
                }
            }
        });
        let stdin = child.stdin.take();
        Server {
            child,
            stdin,
            incoming,
            next_id: 0,
            patience: SANITY_LIMIT,
        }
    }

    /// Started and initialized, as an editor would. The documents here are bare repositories;
    /// the cases are about the protocol, so their scanning is taken as covered by the registry
    /// (`registryScanning`), the informational rules are off, and ECR201 alone stands for the
    /// findings.
    fn initialized() -> Server {
        let mut server = Server::start();
        let result = server.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": null,
                "capabilities": {},
                "initializationOptions": {
                    "registryScanning": "covers-all",
                    "ignore": ["ECR301", "ECR302"]
                }
            }),
        );
        assert!(result["result"]["capabilities"].is_object(), "{result}");
        server.notify("initialized", json!({}));
        server
    }

    fn send_bytes(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("standard input is open");
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    /// Frames a body with its Content-Length, whatever the body is.
    fn send_body(&mut self, body: &[u8]) {
        let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        framed.extend_from_slice(body);
        self.send_bytes(&framed);
    }

    fn send(&mut self, message: &Value) {
        self.send_body(serde_json::to_string(message).unwrap().as_bytes());
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns the whole response (`result` or `error`).
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait_for(|m| m["id"] == json!(id) && m.get("method").is_none())
    }

    /// The next message matching `wanted`; others are dropped, except requests from the server,
    /// which are answered with `null` as a minimal editor would.
    fn wait_for(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + self.patience;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok(Incoming::Message(message)) => {
                    if wanted(&message) {
                        return message;
                    }
                    if message.get("id").is_some() && message.get("method").is_some() {
                        let id = message["id"].clone();
                        self.send(&json!({"jsonrpc": "2.0", "id": id, "result": null}));
                    }
                }
                Ok(Incoming::Closed) => panic!("the server closed its output"),
                Err(RecvTimeoutError::Timeout) => panic!("no answer in {:?}", self.patience),
                Err(RecvTimeoutError::Disconnected) => panic!("the server's output is gone"),
            }
        }
    }

    /// Every message that arrives within `duration`.
    fn collect(&mut self, duration: Duration) -> Vec<Value> {
        let deadline = Instant::now() + duration;
        let mut messages = Vec::new();
        while let Ok(Incoming::Message(m)) = self
            .incoming
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            messages.push(m);
        }
        messages
    }

    fn diagnostics(&mut self, uri: &str, version: i64) -> Value {
        self.wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == json!(version)
        })["params"]["diagnostics"]
            .clone()
    }

    fn open(&mut self, uri: &str, language: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}),
        );
    }

    fn change(&mut self, uri: &str, version: i64, changes: Value) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
        );
    }

    fn hover(&mut self, uri: &str, line: u32, character: u32) -> Value {
        self.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
        )
    }

    /// The server's peak resident memory so far, in MB (Linux).
    fn peak_rss_mb(&self) -> String {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()));
        status
            .ok()
            .and_then(|s| {
                let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
                let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
                Some(format!("{:.0}", kb / 1024.0))
            })
            .unwrap_or_else(|| "n/a".into())
    }

    /// `shutdown`, then `exit`: the exit code.
    fn stop(mut self) -> i32 {
        let response = self.request("shutdown", Value::Null);
        assert_eq!(response["result"], Value::Null, "{response}");
        self.notify("exit", Value::Null);
        self.exit_code()
    }

    fn exit_code(&mut self) -> i32 {
        drop(self.stdin.take());
        let deadline = Instant::now() + SANITY_LIMIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().expect("exited by a signal");
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn error_code(response: &Value) -> i64 {
    response["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("not an error: {response}"))
}

const TEMPLATE: &str = "Resources:\n  Repo:\n    Type: AWS::ECR::Repository\n    Properties:\n      ImageTagMutability: MUTABLE\n";

fn codes_and_ranges(diagnostics: &Value) -> Vec<(String, [u64; 4])> {
    diagnostics
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let r = &d["range"];
            (
                d["code"].as_str().unwrap().to_string(),
                [
                    r["start"]["line"].as_u64().unwrap(),
                    r["start"]["character"].as_u64().unwrap(),
                    r["end"]["line"].as_u64().unwrap(),
                    r["end"]["character"].as_u64().unwrap(),
                ],
            )
        })
        .collect()
}

#[test]
fn requests_before_initialize_are_refused_with_32002() {
    let mut server = Server::start();
    let response = server.hover("file:///t.yaml", 0, 0);
    assert_eq!(error_code(&response), -32002, "{response}");
    let response = server.request("initialize", json!({"capabilities": {}}));
    assert_eq!(response["result"]["serverInfo"]["name"], "ecrlint");
    server.notify("initialized", json!({}));
    assert_eq!(server.stop(), 0);
}

#[test]
fn unknown_methods() {
    let mut server = Server::initialized();
    let response = server.request("ecrlint/nonsense", json!({}));
    assert_eq!(
        response["error"],
        json!({"code": -32601, "message": "Method not found", "data": "ecrlint/nonsense"})
    );
    // Unknown notifications, `$/` ones included, get no answer at all.
    server.notify("custom/notification", json!({"a": 1}));
    server.notify("$/nonsense", json!({}));
    assert_eq!(
        server.collect(Duration::from_millis(300)),
        Vec::<Value>::new()
    );
    // Known method, wrong parameters: -32602.
    let response = server.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///t.yaml"}}),
    );
    assert_eq!(error_code(&response), -32602, "{response}");
    assert_eq!(server.hover("file:///t.yaml", 0, 0)["result"], Value::Null);
    assert_eq!(server.stop(), 0);
}

#[test]
fn changes_to_documents_that_are_not_open() {
    let mut server = Server::initialized();
    let uri = "file:///never-opened.yaml";
    server.change(uri, 2, json!([{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "junk"}]));
    server.change(uri, 3, json!([{"text": "junk"}]));
    server.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(server.hover(uri, 0, 0)["result"], Value::Null);
    // Opened afterwards, the document is what the editor sends, with nothing of the stray changes.
    server.open(uri, "yaml", TEMPLATE);
    let diagnostics = server.diagnostics(uri, 1);
    assert_eq!(
        codes_and_ranges(&diagnostics),
        [("ECR201".to_string(), [4, 26, 4, 33])]
    );
    assert_eq!(server.stop(), 0);
}

#[test]
fn out_of_range_edits_clamp_as_the_specification_says() {
    let mut server = Server::initialized();
    let uri = "file:///t.yaml";
    server.open(uri, "yaml", &TEMPLATE.replace('\n', "\r\n"));
    assert_eq!(
        codes_and_ranges(&server.diagnostics(uri, 1)),
        [("ECR201".to_string(), [4, 26, 4, 33])]
    );
    // A character past the end of its line means the end of the line, before the CRLF.
    server.change(uri, 2, json!([{"range": {"start": {"line": 4, "character": 26}, "end": {"line": 4, "character": 9999}}, "text": "IMMUTABLE"}]));
    assert_eq!(server.diagnostics(uri, 2), json!([]));
    server.change(uri, 3, json!([{"range": {"start": {"line": 4, "character": 9999}, "end": {"line": 4, "character": 9999}}, "text": "X"}]));
    assert_eq!(
        codes_and_ranges(&server.diagnostics(uri, 3)),
        [("ECR902".to_string(), [4, 26, 4, 36])]
    );
    // A line past the end means the end of the document.
    server.change(uri, 4, json!([{"range": {"start": {"line": 4, "character": 35}, "end": {"line": 4, "character": 36}}, "text": ""}, {"range": {"start": {"line": 4000000000u32, "character": 0}, "end": {"line": 4000000000u32, "character": 4000000000u32}}, "text": "Outputs: {}\r\n"}]));
    assert_eq!(server.diagnostics(uri, 4), json!([]));
    // An end before its start: nothing is lost, the text goes in at the start.
    server.change(uri, 5, json!([{"range": {"start": {"line": 4, "character": 30}, "end": {"line": 4, "character": 26}}, "text": "Q"}]));
    assert_eq!(
        codes_and_ranges(&server.diagnostics(uri, 5)),
        [("ECR902".to_string(), [4, 26, 4, 36])]
    );
    // Half of a surrogate pair counts as the whole character: a range starting inside 🚀 starts
    // after it, so deleting from there to the end of the line leaves 🚀.
    server.change(
        uri,
        6,
        json!([{"text": TEMPLATE.replace("MUTABLE", "🚀MUTABLE")}]),
    );
    assert_eq!(
        codes_and_ranges(&server.diagnostics(uri, 6)),
        [("ECR902".to_string(), [4, 26, 4, 35])]
    );
    server.change(uri, 7, json!([{"range": {"start": {"line": 4, "character": 27}, "end": {"line": 4, "character": 35}}, "text": ""}]));
    assert_eq!(
        codes_and_ranges(&server.diagnostics(uri, 7)),
        [("ECR902".to_string(), [4, 26, 4, 28])]
    );
    assert_eq!(server.hover(uri, 0, 0)["result"], Value::Null);
    assert_eq!(server.stop(), 0);
}

#[test]
fn requests_after_shutdown_are_invalid_and_exit_ends_the_process() {
    let mut server = Server::initialized();
    assert_eq!(
        server.request("shutdown", Value::Null)["result"],
        Value::Null
    );
    let response = server.hover("file:///t.yaml", 0, 0);
    assert_eq!(
        response["error"],
        json!({"code": -32600, "message": "Invalid request"})
    );
    let response = server.request("shutdown", Value::Null);
    assert_eq!(error_code(&response), -32600);
    server.notify("exit", Value::Null);
    assert_eq!(server.exit_code(), 0);
}

/// The specification: "The server should exit with success code 0 if the shutdown request has
/// been received before; otherwise with error code 1."
#[test]
fn exit_without_shutdown_is_an_error() {
    let mut server = Server::initialized();
    server.notify("exit", Value::Null);
    assert_eq!(server.exit_code(), 1);
}

#[test]
fn a_malformed_message_is_answered_with_32700() {
    let mut server = Server::initialized();
    server.send_body(b"{\"jsonrpc\": \"2.0\", \"id\": 7, \"method\": ");
    let response = server.wait_for(|m| m.get("error").is_some());
    assert_eq!(
        response,
        json!({"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": null})
    );
}

/// Each frame below is complete, so the next one can be read: the server answers (or ignores)
/// each and goes on. (tower-lsp-server alone reads through tokio-util's `FramedRead`, which ends
/// its stream after the first decode error: the server used to exit after one -32700.)
#[test]
fn the_server_keeps_serving_after_malformed_messages() {
    let mut server = Server::initialized();
    let bodies: [&[u8]; 5] = [
        b"{not json",
        b"[1, 2, 3]",
        b"{\"jsonrpc\": \"2.0\", \"id\": 7}",
        b"{\"jsonrpc\": \"2.0\", \"id\": 8, \"method\": 42}",
        b"{\"jsonrpc\": \"2.0\", \"method\": \"textDocument/didOpen\", \"params\": {\"textDocument\": {\"uri\": \"file:///b.yaml\", \"languageId\": \"yaml\", \"version\": 1, \"text\": \"a: \xff\xfe\"}}}",
    ];
    for body in bodies {
        server.send_body(body);
        let response = server.hover("file:///t.yaml", 0, 0);
        assert_eq!(
            response["result"],
            Value::Null,
            "after {:?}: {response}",
            String::from_utf8_lossy(body)
        );
    }
    assert_eq!(server.stop(), 0);
}

/// Faults in the headers: the server cannot know where the body ends, answers -32700 and finds the
/// next frame by its `Content-Length` header, so the request after the fault is answered with its
/// own id: a client waits for that answer.
#[test]
fn the_server_finds_the_next_frame_after_malformed_headers() {
    let mut server = Server::initialized();
    // An answer takes milliseconds; a swallowed request is never answered.
    server.patience = Duration::from_secs(10);
    let faults: [&[u8]; 4] = [
        b"Content-Length: abc\r\n\r\n{}",
        b"Content-Type: application/vscode-jsonrpc\r\n\r\n{}",
        b"garbage line\r\nContent-Length: 2\r\n\r\n{}",
        b"Content-Length: 99999999999999999999\r\n\r\n",
    ];
    for fault in faults {
        server.send_bytes(fault);
        let response = server.hover("file:///t.yaml", 0, 0);
        assert_eq!(
            response["result"],
            Value::Null,
            "after {:?}: {response}",
            String::from_utf8_lossy(fault)
        );
        assert!(response.get("error").is_none(), "{response}");
    }
    assert_eq!(server.stop(), 0);
}

/// One hostile document in a fresh server: the diagnostics of its first version, with the time to
/// them and the server's peak memory recorded.
fn hostile(case: &str, uri: &str, language: &str, text: &str) -> Value {
    let mut server = Server::initialized();
    let started = Instant::now();
    server.open(uri, language, text);
    let diagnostics = server.diagnostics(uri, 1);
    let seconds = started.elapsed().as_secs_f64();
    let rss = server.peak_rss_mb();
    // Still serving after it.
    assert_eq!(
        server.hover("file:///other.yaml", 0, 0)["result"],
        Value::Null
    );
    assert_eq!(server.stop(), 0);
    let line = format!("{case}\t{seconds:.2}\t{rss}\n");
    eprint!("hostile-server: {line}");
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile-server.tsv");
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap()
        .write_all(line.as_bytes())
        .unwrap();
    diagnostics
}

/// The only diagnostic: its code, message and range.
fn only(diagnostics: &Value) -> (String, String, [u64; 4]) {
    let list = diagnostics.as_array().unwrap();
    assert_eq!(list.len(), 1, "{diagnostics}");
    let (code, range) = codes_and_ranges(diagnostics).remove(0);
    (
        code,
        list[0]["message"].as_str().unwrap().to_string(),
        range,
    )
}

fn repositories(count: usize) -> String {
    let mut text = String::from("Resources:\n");
    for i in 0..count {
        text.push_str(&format!("  Repo{i}:\n    Type: AWS::ECR::Repository\n"));
    }
    text
}

#[test]
fn hostile_documents() {
    // Each starts as a template: a document that does not parse is reported when it looks like one
    // (a broken Kubernetes manifest stays silent in the editor).
    const HEADER: &str = "AWSTemplateFormatVersion: '2010-09-09'\n";
    let deeper = "nesting is deeper than 255 levels".to_string();
    let found = hostile(
        "100,000-deep YAML flow sequences",
        "file:///deep.yaml",
        "yaml",
        &format!("{HEADER}Metadata: {}", "[".repeat(100_000)),
    );
    assert_eq!(only(&found), ("ECR901".into(), deeper, [1, 265, 1, 265]));

    let mut lol = String::from(HEADER);
    lol.push_str(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut previous = 'a';
    for name in 'b'..='j' {
        let refs = vec![format!("*{previous}"); 9].join(",");
        lol.push_str(&format!("{name}: &{name} [{refs}]\n"));
        previous = name;
    }
    let found = hostile("billion laughs", "file:///lol.yaml", "yaml", &lol);
    assert_eq!(
        only(&found),
        (
            "ECR901".into(),
            "aliases expand to more than 100000 nodes; ecrlint stops here to stay small".into(),
            [6, 7, 6, 9]
        )
    );

    let limit = "ecrlint reads at most 16 MiB (CloudFormation itself accepts at most 1 MB)";
    let big = format!("{HEADER}# {}\n", "x".repeat(50_000_000));
    let found = hostile("50 MB document", "file:///big.yaml", "yaml", &big);
    assert_eq!(
        only(&found),
        (
            "ECR901".into(),
            format!("the input is 50.0 MB; {limit}"),
            [0, 0, 0, 0]
        )
    );

    let million = repositories(1_000_000);
    let found = hostile(
        "1,000,000 resources (44.9 MB)",
        "file:///million.yaml",
        "yaml",
        &million,
    );
    assert_eq!(
        only(&found),
        (
            "ECR901".into(),
            format!("the input is 44.9 MB; {limit}"),
            [0, 0, 0, 0]
        )
    );

    // The first 1,000 (the default `maxDiagnostics`), then one saying how many more there are.
    let found = hostile(
        "100,000 resources, 100,000 findings",
        "file:///many.yaml",
        "yaml",
        &repositories(100_000),
    );
    assert_eq!(found.as_array().unwrap().len(), 1001);
    let summary = found[1000].clone();
    let found = codes_and_ranges(&Value::Array(found.as_array().unwrap()[..1000].to_vec()));
    assert_eq!(found.len(), 1000);
    assert_eq!(found[999], ("ECR201".to_string(), [1_999, 2, 1_999, 9]));
    assert_eq!(
        summary,
        json!({
            "range": {"start": {"line": 2_001, "character": 2}, "end": {"line": 2_001, "character": 2}},
            "severity": 2,
            "source": "ecrlint",
            "message": "99000 more findings are not shown here: ecrlint shows the first 1000 of the 100000 in this file (setting `maxDiagnostics`). `ecrlint check many.yaml` lists them all.",
            "data": {"version": 1}
        })
    );

    let nul = "Resources:\n  Repo:\n    Type: AWS::ECR::Repository\n    Properties: \0\n";
    let found = hostile("NUL byte", "file:///nul.yaml", "yaml", nul);
    assert_eq!(
        only(&found),
        (
            "ECR901".into(),
            "found unprintable character".into(),
            [3, 16, 3, 16]
        )
    );

    // Bytes that are not text arrive as replacement characters (an editor decodes before sending).
    let noise: Vec<u8> = (0u32..65_536)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let noise = format!("{HEADER}{}", String::from_utf8_lossy(&noise));
    let found = hostile(
        "64 KiB of decoded noise",
        "file:///noise.yaml",
        "yaml",
        &noise,
    );
    let found = found.as_array().unwrap();
    assert!(
        !found.is_empty() && found.iter().all(|d| d["code"] == "ECR901"),
        "{found:?}"
    );

    let sid = "x".repeat(10_000_000);
    let policy = format!("{{\"Statement\": [{{\"Sid\": \"{sid}\", \"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"ecr:BatchGetImage\"}}]}}\n");
    let found = hostile("10 MB single line", "file:///long.json", "json", &policy);
    let (code, _, range) = only(&found);
    assert_eq!(
        (code.as_str(), range),
        ("ECR101", [0, 10_000_059, 0, 10_000_062])
    );
}
