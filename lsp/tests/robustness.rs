//! The server keeps serving: a panic in a check is caught and logged, a slow check does not hold
//! up the message loop, and a result that a newer version overtook is never published.

mod common;

use std::sync::{Condvar, Mutex};
use std::time::Duration;

use common::{editor_capabilities, is_notification, TestClient};
use ecrlint_core::{Checked, FixedSource, Settings};
use ecrlint_lsp::Core;
use serde_json::json;

const TEMPLATE: &str = "Resources:\n  Repo:\n    Type: AWS::ECR::Repository\n";

/// Open while `true`: checks of texts holding `GATED` wait for it.
static GATE: Mutex<bool> = Mutex::new(false);
static GATE_OPENED: Condvar = Condvar::new();

/// Core's check, except that it panics on `PANIC_HERE` and waits at the gate on `GATED`.
fn test_check(
    source: &str,
    path: Option<&str>,
    siblings: &[ecrlint_core::Source<'_>],
    settings: &Settings,
) -> Checked {
    if source.contains("PANIC_HERE") {
        panic!("boom: a check that fails");
    }
    if source.contains("GATED") {
        let mut open = GATE.lock().unwrap();
        while !*open {
            open = GATE_OPENED.wait(open).unwrap();
        }
    }
    ecrlint_core::check_in_module(source, path, siblings, settings)
}

/// Core's fix, except that it panics on `PANIC_HERE`.
fn test_fix(
    source: &str,
    path: Option<&str>,
    siblings: &[ecrlint_core::Source<'_>],
    settings: &Settings,
    unsafe_: bool,
) -> FixedSource {
    if source.contains("PANIC_HERE") {
        panic!("boom: a fix that fails");
    }
    ecrlint_core::fix_in_module(source, path, siblings, settings, unsafe_)
}

async fn started() -> TestClient {
    TestClient::start_with(
        Core {
            check: test_check,
            fix: test_fix,
        },
        json!({"processId": null, "rootUri": null, "capabilities": editor_capabilities()}),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_check_is_logged_and_the_server_keeps_serving() {
    let mut client = started().await;
    let broken = "file:///workspace/broken.yaml";
    let fine = "file:///workspace/fine.yaml";
    client
        .open(broken, "yaml", 1, &format!("# PANIC_HERE\n{TEMPLATE}"))
        .await;
    let published = client.diagnostics(broken).await;
    assert_eq!(
        published,
        json!({"uri": broken, "version": 1, "diagnostics": []})
    );
    let log = client
        .wait_for(|m| is_notification(m, "window/logMessage") && m["params"]["type"] == 1)
        .await;
    assert_eq!(
        log["params"]["message"],
        "ecrlint: checking file:///workspace/broken.yaml (version 1) failed: boom: a check that fails. Please report this with the file."
    );

    client.open(fine, "yaml", 1, TEMPLATE).await;
    let published = client.diagnostics(fine).await;
    assert_eq!(published["diagnostics"][0]["code"], "ECR201");

    client.change(broken, 2, json!([{"text": TEMPLATE}])).await;
    let published = client.diagnostics(broken).await;
    assert_eq!(published["version"], 2);
    assert_eq!(published["diagnostics"][0]["code"], "ECR201");
    // Code actions that would run the panicking fix fail alone, logged, with no actions.
    client
        .change(
            broken,
            3,
            json!([{"text": format!("# PANIC_HERE\n{TEMPLATE}")}]),
        )
        .await;
    client.diagnostics(broken).await;
    let actions = client
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": broken},
                "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
                "context": {"diagnostics": [], "only": ["source.fixAll"]}
            }),
        )
        .await;
    assert_eq!(actions, json!([]));
    let log = client
        .wait_for(|m| {
            is_notification(m, "window/logMessage")
                && m["params"]["message"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("ecrlint: code actions"))
        })
        .await;
    assert_eq!(
        log["params"]["message"],
        "ecrlint: code actions failed: boom: a fix that fails"
    );
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_check_blocks_nothing_and_its_stale_result_is_dropped() {
    let mut client = started().await;
    let slow = "file:///workspace/slow.yaml";
    let quick = "file:///workspace/quick.yaml";
    client
        .open(slow, "yaml", 1, &format!("# GATED\n{TEMPLATE}"))
        .await;
    // While that check waits at the gate, other documents and requests are served.
    client.open(quick, "yaml", 1, TEMPLATE).await;
    let published = client.diagnostics(quick).await;
    assert_eq!(published["diagnostics"][0]["code"], "ECR201");
    let hover = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": quick}, "position": {"line": 1, "character": 3}}),
        )
        .await;
    assert!(hover["contents"]["value"]
        .as_str()
        .unwrap()
        .starts_with("**ECR201**"));
    // A newer version arrives while the old one is still being checked.
    client
        .change(
            slow,
            2,
            json!([{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 0}}, "text": ""}]),
        )
        .await;
    client.settle(Duration::from_millis(200)).await;
    assert!(
        !client
            .received(|m| is_notification(m, "textDocument/publishDiagnostics")
                && m["params"]["uri"] == slow),
        "nothing is published for the slow document while its check waits"
    );
    *GATE.lock().unwrap() = true;
    GATE_OPENED.notify_all();
    // The first publication for the document is for version 2: version 1's result was dropped.
    let published = client.diagnostics(slow).await;
    assert_eq!(published["version"], 2);
    assert_eq!(published["diagnostics"][0]["code"], "ECR201");
    assert_eq!(
        published["diagnostics"][0]["range"],
        json!({"start": {"line": 1, "character": 2}, "end": {"line": 1, "character": 6}})
    );
    client.settle(Duration::from_millis(200)).await;
    assert!(!client.received(|m| m["params"]["uri"] == slow && m["params"]["version"] == 1));
    assert_eq!(client.log_messages(), Vec::<String>::new());
    client.shutdown().await;
}
