//! An in-memory LSP client for protocol tests: the real server (`ecrlint_lsp::service` behind
//! tower-lsp-server's `Server`, with its framing and concurrency) on one end of a pipe, raw JSON
//! messages on the other. Requests from the server are answered as an editor would.

#![allow(dead_code)] // Each test binary uses its own part of the client.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream, WriteHalf};
use tokio::sync::mpsc;

pub const TIMEOUT: Duration = Duration::from_secs(30);

pub struct TestClient {
    writer: Arc<tokio::sync::Mutex<WriteHalf<DuplexStream>>>,
    incoming: mpsc::UnboundedReceiver<Value>,
    /// Messages received while waiting for something else.
    backlog: VecDeque<Value>,
    next_id: i64,
    /// What `workspace/configuration` answers for the `ecrlint` section.
    pub configuration: Arc<Mutex<Value>>,
    pub initialize_result: Value,
}

impl TestClient {
    /// Starts a server with core's check and initializes it with `capabilities`.
    pub async fn start(capabilities: Value, initialization_options: Value) -> TestClient {
        Self::start_with(
            ecrlint_lsp::Core::ECRLINT,
            json!({
                "processId": null,
                "rootUri": null,
                "capabilities": capabilities,
                "initializationOptions": initialization_options,
            }),
        )
        .await
    }

    pub async fn start_with(core: ecrlint_lsp::Core, initialize: Value) -> TestClient {
        let (client_end, server_end) = tokio::io::duplex(1 << 20);
        let (server_read, server_write) = tokio::io::split(server_end);
        let (service, socket) = ecrlint_lsp::service(core);
        tokio::spawn(
            tower_lsp_server::Server::new(server_read, server_write, socket).serve(service),
        );

        let (client_read, client_write) = tokio::io::split(client_end);
        let writer = Arc::new(tokio::sync::Mutex::new(client_write));
        let configuration = Arc::new(Mutex::new(Value::Null));
        let (sender, incoming) = mpsc::unbounded_channel();
        tokio::spawn(read_messages(
            client_read,
            writer.clone(),
            configuration.clone(),
            sender,
        ));
        let mut client = TestClient {
            writer,
            incoming,
            backlog: VecDeque::new(),
            next_id: 0,
            configuration,
            initialize_result: Value::Null,
        };
        client.initialize_result = client.request("initialize", initialize).await;
        client.notify("initialized", json!({})).await;
        client
    }

    pub async fn notify(&mut self, method: &str, params: Value) {
        let message = json!({"jsonrpc": "2.0", "method": method, "params": params});
        write_message(&self.writer, &message).await;
    }

    /// Sends a request and returns its result; fails the test on an error response.
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let message = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        write_message(&self.writer, &message).await;
        let response = self
            .wait_for(|m| m.get("id") == Some(&json!(id)) && m.get("method").is_none())
            .await;
        assert!(
            response.get("error").is_none(),
            "{method} failed: {response}"
        );
        response["result"].clone()
    }

    /// The next message matching `wanted`, keeping the others for later.
    pub async fn wait_for(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.backlog.iter().position(&wanted) {
            return self.backlog.remove(i).expect("in the backlog");
        }
        loop {
            let message = tokio::time::timeout(TIMEOUT, self.incoming.recv())
                .await
                .expect("the server answered in time")
                .expect("the server is running");
            if wanted(&message) {
                return message;
            }
            self.backlog.push_back(message);
        }
    }

    /// The next `publishDiagnostics` for `uri`.
    pub async fn diagnostics(&mut self, uri: &str) -> Value {
        let message = self
            .wait_for(|m| {
                is_notification(m, "textDocument/publishDiagnostics") && m["params"]["uri"] == uri
            })
            .await;
        message["params"].clone()
    }

    /// The `publishDiagnostics` for `uri` at `version`, checking that every publication before
    /// it is for an older version (none is skipped backwards, none is for a later text).
    pub async fn diagnostics_for_version(&mut self, uri: &str, version: i64) -> Value {
        let mut last = i64::MIN;
        loop {
            let params = self.diagnostics(uri).await;
            let got = params["version"].as_i64().expect("a version");
            assert!(
                got > last,
                "versions published out of order: {last} then {got}"
            );
            assert!(
                got <= version,
                "published version {got} after {version} was sent"
            );
            last = got;
            if got == version {
                return params;
            }
        }
    }

    /// Every `window/logMessage` text received so far.
    pub fn log_messages(&self) -> Vec<String> {
        self.backlog
            .iter()
            .filter(|m| is_notification(m, "window/logMessage"))
            .map(|m| {
                m["params"]["message"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            })
            .collect()
    }

    /// Whether a message matching `wanted` is already in the backlog.
    pub fn received(&self, wanted: impl Fn(&Value) -> bool) -> bool {
        self.backlog.iter().any(wanted)
    }

    /// Lets the server work for a moment, collecting what it sends.
    pub async fn settle(&mut self, duration: Duration) {
        let deadline = tokio::time::Instant::now() + duration;
        while let Ok(Some(message)) = tokio::time::timeout_at(deadline, self.incoming.recv()).await
        {
            self.backlog.push_back(message);
        }
    }

    pub async fn open(&mut self, uri: &str, language: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": version, "text": text}}),
        )
        .await;
    }

    pub async fn change(&mut self, uri: &str, version: i64, changes: Value) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
        )
        .await;
    }

    pub async fn shutdown(mut self) {
        self.request("shutdown", Value::Null).await;
        self.notify("exit", Value::Null).await;
    }
}

pub fn is_notification(message: &Value, method: &str) -> bool {
    message.get("id").is_none() && message["method"] == method
}

async fn write_message(writer: &tokio::sync::Mutex<WriteHalf<DuplexStream>>, message: &Value) {
    let body = serde_json::to_string(message).expect("JSON");
    let mut writer = writer.lock().await;
    writer
        .write_all(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes())
        .await
        .expect("the server reads");
    writer.flush().await.expect("flush");
}

/// Reads the server's messages; answers its requests as an editor would.
async fn read_messages(
    read: tokio::io::ReadHalf<DuplexStream>,
    writer: Arc<tokio::sync::Mutex<WriteHalf<DuplexStream>>>,
    configuration: Arc<Mutex<Value>>,
    sender: mpsc::UnboundedSender<Value>,
) {
    let mut reader = BufReader::new(read);
    loop {
        let mut length = None;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(value) = line.strip_prefix("Content-Length: ") {
                length = value.parse::<usize>().ok();
            }
        }
        let mut body = vec![0; length.expect("a Content-Length header")];
        if reader.read_exact(&mut body).await.is_err() {
            return;
        }
        let message: Value = serde_json::from_slice(&body).expect("JSON from the server");
        if let (Some(id), Some(method)) = (message.get("id"), message["method"].as_str()) {
            let result = match method {
                "workspace/configuration" => {
                    let items = message["params"]["items"].as_array().map_or(0, Vec::len);
                    let value = configuration.lock().expect("configuration").clone();
                    Value::Array(vec![value; items])
                }
                _ => Value::Null,
            };
            let response = json!({"jsonrpc": "2.0", "id": id, "result": result});
            write_message(&writer, &response).await;
        }
        if sender.send(message).is_err() {
            return;
        }
    }
}

/// Applies LSP text edits (UTF-16 positions) to a text, as an editor does: written here
/// independently of the server's own conversions.
pub fn apply_text_edits(text: &str, edits: &[Value]) -> String {
    let mut resolved: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|edit| {
            let start = utf16_offset(text, &edit["range"]["start"]);
            let end = utf16_offset(text, &edit["range"]["end"]);
            (
                start,
                end,
                edit["newText"].as_str().expect("newText").to_string(),
            )
        })
        .collect();
    resolved.sort_by_key(|(start, end, _)| (*start, *end));
    let mut out = String::new();
    let mut at = 0;
    for (start, end, new_text) in resolved {
        out.push_str(&text[at..start]);
        out.push_str(&new_text);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// Byte offsets where lines start, as the LSP specification counts lines: after `\n`, `\r\n` or a
/// lone `\r`.
fn line_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            starts.push(i + 1);
        }
    }
    starts
}

/// The byte offset of a `{line, character}` counted in UTF-16 code units.
pub fn utf16_offset(text: &str, position: &Value) -> usize {
    let line = position["line"].as_u64().expect("line") as usize;
    let character = position["character"].as_u64().expect("character") as usize;
    let Some(&line_start) = line_starts(text).get(line) else {
        return text.len();
    };
    let mut units = 0;
    for (i, ch) in text[line_start..].char_indices() {
        if units >= character || ch == '\n' || ch == '\r' {
            return line_start + i;
        }
        units += ch.len_utf16();
    }
    text.len()
}

/// The `{line, character}` (UTF-16) of a byte offset.
pub fn utf16_position(text: &str, offset: usize) -> Value {
    let starts = line_starts(text);
    let line = starts.partition_point(|&s| s <= offset) - 1;
    let character: usize = text[starts[line]..offset]
        .chars()
        .map(char::len_utf16)
        .sum();
    json!({"line": line, "character": character})
}

/// The edits of a code action's workspace edit for `uri` (either `changes` or `documentChanges`).
pub fn action_edits(action: &Value, uri: &str) -> Vec<Value> {
    let edit = &action["edit"];
    if let Some(changes) = edit["changes"].get(uri) {
        return changes.as_array().expect("edits").clone();
    }
    edit["documentChanges"]
        .as_array()
        .expect("changes or documentChanges")
        .iter()
        .filter(|change| change["textDocument"]["uri"] == uri)
        .flat_map(|change| change["edits"].as_array().expect("edits").clone())
        .collect()
}

/// The client capabilities of a plain editor: UTF-16, configuration, versioned edits.
pub fn editor_capabilities() -> Value {
    json!({
        "workspace": {
            "configuration": true,
            "workspaceEdit": {"documentChanges": true},
            "didChangeWatchedFiles": {"dynamicRegistration": true}
        },
        "textDocument": {
            "publishDiagnostics": {"relatedInformation": true, "versionSupport": true}
        }
    })
}
