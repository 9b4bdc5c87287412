//! A guard between the client's byte stream and the server: it reads LSP frames itself, answers
//! the ones that are not JSON-RPC (-32700 Parse error, -32600 Invalid Request) and passes only
//! well-formed messages on. tower-lsp-server stops reading for good after the first frame it
//! cannot decode; with the guard, one bad message costs one error answer, and the session goes on.
//!
//! It also watches for `shutdown` and `exit`, so that the process can exit with 1 when the client
//! sends `exit` without `shutdown`, as the specification asks.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde::de::IgnoredAny;
use serde::{Deserialize, Deserializer};
use serde_json::{json, Value};
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
};
use tokio::sync::mpsc;

/// Frames larger than this are skipped with an error answer; core reads at most 16 MiB anyway.
const MAX_FRAME: usize = 64 * 1024 * 1024;

/// How the session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub exit_received: bool,
    pub shutdown_received: bool,
}

impl Outcome {
    /// The process exit code the specification asks for.
    pub fn exit_code(self) -> u8 {
        u8::from(self.exit_received && !self.shutdown_received)
    }
}

/// Serves LSP over `input` and `output` through the guard.
pub async fn serve<I, O>(input: I, output: O) -> Outcome
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
{
    let (to_server, server_input) = tokio::io::duplex(1 << 16);
    let (server_output, from_server) = tokio::io::duplex(1 << 16);
    let (frames, frames_rx) = mpsc::unbounded_channel::<Option<Vec<u8>>>();
    let shutdown = Arc::new(AtomicBool::new(false));
    let exit = Arc::new(AtomicBool::new(false));

    let reader = tokio::spawn(read_client(
        BufReader::new(input),
        to_server,
        frames.clone(),
        shutdown.clone(),
        exit.clone(),
    ));
    let server_frames = tokio::spawn(read_server(BufReader::new(from_server), frames));
    let writer = tokio::spawn(write_client(frames_rx, output));
    crate::serve(server_input, server_output).await;
    // The server is done: its output pipe is closed, so the writer drains it and ends.
    let _ = server_frames.await;
    let _ = writer.await;
    reader.abort();
    Outcome {
        exit_received: exit.load(Ordering::SeqCst),
        shutdown_received: shutdown.load(Ordering::SeqCst),
    }
}

/// The parts of a message the guard looks at; the rest is skipped without being built.
#[derive(Deserialize)]
struct Envelope {
    jsonrpc: Option<String>,
    #[serde(default)]
    id: Option<Value>,
    #[serde(default)]
    method: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    result: bool,
    #[serde(default, deserialize_with = "present")]
    error: bool,
}

fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    IgnoredAny::deserialize(deserializer).map(|_| true)
}

/// What a frame holds: a method name to pass on (None for a response), or the error answer.
fn inspect(body: &[u8]) -> Result<Option<String>, Value> {
    // Skipped parts are not checked for UTF-8 by serde_json; the server's own decoder checks.
    std::str::from_utf8(body).map_err(|_| error(-32700, "Parse error", Value::Null))?;
    let envelope: Envelope = serde_json::from_slice(body).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => error(-32600, "Invalid Request", Value::Null),
        _ => error(-32700, "Parse error", Value::Null),
    })?;
    let id = envelope.id.clone().unwrap_or(Value::Null);
    if !matches!(id, Value::Null | Value::Number(_) | Value::String(_)) {
        return Err(error(-32600, "Invalid Request", Value::Null));
    }
    if envelope.jsonrpc.as_deref() != Some("2.0") {
        return Err(error(-32600, "Invalid Request", id));
    }
    match envelope.method {
        Some(Value::String(method)) => Ok(Some(method)),
        Some(_) => Err(error(-32600, "Invalid Request", id)),
        None if envelope.id.is_some() && (envelope.result || envelope.error) => Ok(None),
        None => Err(error(-32600, "Invalid Request", id)),
    }
}

fn error(code: i64, message: &str, id: Value) -> Value {
    json!({"jsonrpc": "2.0", "error": {"code": code, "message": message}, "id": id})
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// One frame's header: `Ok(Some(length))`, `Ok(None)` at the end of the stream, `Err` for a
/// header block without a usable `Content-Length` (the block has been read and is dropped).
async fn read_header<R: AsyncBufRead + Unpin>(
    input: &mut R,
) -> std::io::Result<Result<Option<usize>, ()>> {
    let mut length = None;
    let mut valid = true;
    let mut any = false;
    let mut line = Vec::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line).await? == 0 {
            return Ok(if any { Err(()) } else { Ok(None) });
        }
        let text = String::from_utf8_lossy(&line);
        let mut text = text.trim_end_matches(['\r', '\n']);
        // After a fault, the rest of a body can run into the next header: resynchronise on it.
        if let Some(at) = text.to_ascii_lowercase().find("content-length") {
            text = &text[at..];
        }
        if text.is_empty() {
            if !any {
                continue; // stray blank lines between frames
            }
            return Ok(match (valid, length) {
                (true, Some(n)) => Ok(Some(n)),
                _ => Err(()),
            });
        }
        any = true;
        match text.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                match value.trim().parse::<usize>() {
                    Ok(n) => length = Some(n),
                    Err(_) => valid = false,
                }
            }
            // Other headers (`Content-Type`) and stray lines carry nothing the guard needs.
            Some(_) | None => {}
        }
    }
}

async fn read_client<R, W>(
    mut input: R,
    mut to_server: W,
    answers: mpsc::UnboundedSender<Option<Vec<u8>>>,
    shutdown: Arc<AtomicBool>,
    exit: Arc<AtomicBool>,
) -> std::io::Result<()>
where
    R: AsyncBufRead + Unpin,
    W: AsyncWrite + Unpin,
{
    loop {
        let length = match read_header(&mut input).await? {
            Ok(Some(length)) => length,
            Ok(None) => return Ok(()),
            Err(()) => {
                let _ = answers.send(Some(frame(
                    error(-32700, "Parse error", Value::Null)
                        .to_string()
                        .as_bytes(),
                )));
                continue;
            }
        };
        if length > MAX_FRAME {
            tokio::io::copy(
                &mut (&mut input).take(length as u64),
                &mut tokio::io::sink(),
            )
            .await?;
            let _ = answers.send(Some(frame(
                error(-32600, "Invalid Request", Value::Null)
                    .to_string()
                    .as_bytes(),
            )));
            continue;
        }
        let mut body = vec![0; length];
        input.read_exact(&mut body).await?;
        match inspect(&body) {
            Ok(method) => {
                match method.as_deref() {
                    Some("shutdown") => shutdown.store(true, Ordering::SeqCst),
                    Some("exit") => exit.store(true, Ordering::SeqCst),
                    _ => {}
                }
                to_server.write_all(&frame(&body)).await?;
                to_server.flush().await?;
            }
            Err(answer) => {
                let _ = answers.send(Some(frame(answer.to_string().as_bytes())));
            }
        }
    }
}

/// Writes whole frames to the client, the server's and the guard's own answers, one at a time;
/// `None` marks the end of the server's output.
async fn write_client<O: AsyncWrite + Unpin>(
    mut frames: mpsc::UnboundedReceiver<Option<Vec<u8>>>,
    mut output: O,
) {
    while let Some(Some(frame)) = frames.recv().await {
        if output.write_all(&frame).await.is_err() || output.flush().await.is_err() {
            return;
        }
    }
}

/// Passes the server's frames on to the writer, whole.
async fn read_server<R: AsyncBufRead + Unpin>(
    mut from_server: R,
    frames: mpsc::UnboundedSender<Option<Vec<u8>>>,
) {
    while let Ok(Some(frame)) = read_server_frame(&mut from_server).await {
        if frames.send(Some(frame)).is_err() {
            return;
        }
    }
    let _ = frames.send(None);
}

/// One whole frame from the server's output (which is always well formed).
async fn read_server_frame<R: AsyncBufRead + Unpin>(
    input: &mut R,
) -> std::io::Result<Option<Vec<u8>>> {
    let Ok(Some(length)) = read_header(input).await? else {
        return Ok(None);
    };
    let mut body = vec![0; length];
    input.read_exact(&mut body).await?;
    Ok(Some(frame(&body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inspects_messages() {
        assert_eq!(
            inspect(br#"{"jsonrpc":"2.0","id":1,"method":"x","params":{}}"#),
            Ok(Some("x".into()))
        );
        assert_eq!(
            inspect(br#"{"jsonrpc":"2.0","id":1,"result":null}"#),
            Ok(None)
        );
        assert_eq!(
            inspect(b"{not json"),
            Err(error(-32700, "Parse error", Value::Null))
        );
        assert_eq!(
            inspect(b"[1, 2, 3]"),
            Err(error(-32600, "Invalid Request", Value::Null))
        );
        assert_eq!(
            inspect(br#"{"jsonrpc":"2.0","id":7}"#),
            Err(error(-32600, "Invalid Request", json!(7)))
        );
        assert_eq!(
            inspect(br#"{"jsonrpc":"2.0","id":8,"method":42}"#),
            Err(error(-32600, "Invalid Request", json!(8)))
        );
        assert_eq!(
            inspect(b"{\"jsonrpc\":\"2.0\",\"method\":\"a\xff\"}"),
            Err(error(-32700, "Parse error", Value::Null))
        );
    }
}
