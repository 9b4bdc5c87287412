//! The server over the wire, in process: open, change, code actions, fix all, suppressions,
//! hover, settings and close, with the exact messages a client receives.

mod common;

use common::{
    action_edits, apply_text_edits, editor_capabilities, is_notification, utf16_position,
    TestClient,
};
use insta::assert_json_snapshot;
use serde_json::{json, Value};

const URI: &str = "file:///workspace/stacks/images.yaml";

/// A template with non-ASCII text on the lines that matter, a tag mutability that comes from a
/// parameter's Default (so the finding has related information) and a public policy.
const TEMPLATE: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Description: Images for the café 🚀 service (中文)
Parameters:
  Mutability:
    Type: String
    Default: MUTABLE
Resources:
  Images:
    Type: AWS::ECR::Repository
    Properties:
      RepositoryName: cafe-images
      ImageTagMutability: !Ref Mutability
      RepositoryPolicyText:
        Statement:
          - {Sid: "é🚀中", Effect: Allow, Principal: "*", Action: "ecr:BatchGetImage"}
      ImageScanningConfiguration: {ScanOnPush: true}
      EncryptionConfiguration: {EncryptionType: KMS, KmsKey: alias/images}
      LifecyclePolicy:
        LifecyclePolicyText: '{"rules": [{"rulePriority": 1, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 100}, "action": {"type": "expire"}}]}'
"#;

async fn started() -> TestClient {
    TestClient::start(editor_capabilities(), Value::Null).await
}

/// The diagnostic with `code` in a publication.
fn diagnostic<'a>(published: &'a Value, code: &str) -> &'a Value {
    published["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {published}"))
}

fn codes(published: &Value) -> Vec<String> {
    published["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["code"].as_str().expect("code").to_string())
        .collect()
}

/// Sends edits as an editor does after applying them: incremental changes, last edit first so
/// each range still means what it meant in the text the edits were made for.
async fn send_edits(client: &mut TestClient, version: i64, edits: &[Value]) {
    let mut sorted = edits.to_vec();
    sorted.sort_by_key(|e| {
        (
            e["range"]["start"]["line"].as_u64(),
            e["range"]["start"]["character"].as_u64(),
        )
    });
    let changes: Vec<Value> = sorted
        .iter()
        .rev()
        .map(|e| json!({"range": e["range"], "text": e["newText"]}))
        .collect();
    client.change(URI, version, Value::Array(changes)).await;
}

async fn code_actions(client: &mut TestClient, diagnostic: &Value) -> Value {
    client
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": URI},
                "range": diagnostic["range"],
                "context": {"diagnostics": [diagnostic]}
            }),
        )
        .await
}

fn action<'a>(actions: &'a Value, title: &str) -> &'a Value {
    actions
        .as_array()
        .expect("actions")
        .iter()
        .find(|a| a["title"] == title)
        .unwrap_or_else(|| panic!("no action {title:?} in {actions}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn initialize_announces_what_the_server_does() {
    let client = started().await;
    assert_json_snapshot!(client.initialize_result, {".serverInfo.version" => "[version]"});
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_publishes_diagnostics_with_code_links_related_places_and_fixes() {
    let mut client = started().await;
    client.open(URI, "yaml", 1, TEMPLATE).await;
    let published = client.diagnostics(URI).await;
    assert_json_snapshot!(published);
    // The ranges, counted here independently in UTF-16.
    let star = TEMPLATE.find("\"*\"").unwrap();
    assert_eq!(
        diagnostic(&published, "ECR101")["range"],
        json!({"start": utf16_position(TEMPLATE, star), "end": utf16_position(TEMPLATE, star + 3)})
    );
    let default = TEMPLATE.find("MUTABLE\n").unwrap();
    assert_eq!(
        diagnostic(&published, "ECR201")["relatedInformation"][0]["location"]["range"],
        json!({"start": utf16_position(TEMPLATE, default), "end": utf16_position(TEMPLATE, default + 7)})
    );
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_that_are_not_ours_stay_silent() {
    let mut client = started().await;
    let manifest = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n";
    let package = "{\"name\": \"web\", \"version\": \"1.0.0\", \"dependencies\": {}}\n";
    client
        .open("file:///workspace/k8s/web.yaml", "yaml", 1, manifest)
        .await;
    client
        .open("file:///workspace/package.json", "json", 1, package)
        .await;
    let k8s = client.diagnostics("file:///workspace/k8s/web.yaml").await;
    let npm = client.diagnostics("file:///workspace/package.json").await;
    assert_eq!(
        k8s,
        json!({"uri": "file:///workspace/k8s/web.yaml", "version": 1, "diagnostics": []})
    );
    assert_eq!(
        npm,
        json!({"uri": "file:///workspace/package.json", "version": 1, "diagnostics": []})
    );
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_edits_ends_in_diagnostics_for_exactly_the_final_text() {
    let mut client = started().await;
    client.open(URI, "yaml", 1, TEMPLATE).await;
    let mut text = TEMPLATE.to_string();
    let mut version = 1;
    let mut edits_sent = 0;
    // Each keystroke is one notification, sent without waiting, as a fast typist's editor does.
    let mut type_edit = |text: &mut String, start: usize, end: usize, new: &str| -> Value {
        let edit = json!({
            "range": {"start": utf16_position(text, start), "end": utf16_position(text, end)},
            "newText": new
        });
        text.replace_range(start..end, new);
        edits_sent += 1;
        edit
    };
    // Type after the Description, character by character: accents, astral and CJK characters.
    let typed = " — déjà vu 🚀🚀 中文字 ok";
    for ch in typed.chars() {
        let at = text.find("\nParameters").unwrap();
        let edit = type_edit(&mut text, at, at, &ch.to_string());
        version += 1;
        client
            .change(
                URI,
                version,
                json!([{"range": edit["range"], "text": edit["newText"]}]),
            )
            .await;
    }
    // Backspace five characters (🚀 is two UTF-16 units, one keystroke).
    for _ in 0..5 {
        let end = text.find("\nParameters").unwrap();
        let last = text[..end].chars().next_back().unwrap();
        let edit = type_edit(&mut text, end - last.len_utf8(), end, "");
        version += 1;
        client
            .change(URI, version, json!([{"range": edit["range"], "text": ""}]))
            .await;
    }
    // Hundreds of insert-and-delete pairs in the policy line, some two changes to a notification.
    for i in 0..150 {
        let at = text.find("Effect").unwrap();
        let insert = type_edit(&mut text, at, at, "x");
        let delete = type_edit(&mut text, at, at + 1, "");
        if i % 2 == 0 {
            version += 1;
            client
                .change(
                    URI,
                    version,
                    json!([
                        {"range": insert["range"], "text": "x"},
                        {"range": delete["range"], "text": ""}
                    ]),
                )
                .await;
        } else {
            for edit in [insert, delete] {
                version += 1;
                client
                    .change(
                        URI,
                        version,
                        json!([{"range": edit["range"], "text": edit["newText"]}]),
                    )
                    .await;
            }
        }
    }
    // Finally make the Default immutable, one letter at a time.
    for letter in ["I", "M"] {
        let at = text.find("MUTABLE\n").unwrap();
        let edit = type_edit(&mut text, at, at, letter);
        version += 1;
        client
            .change(
                URI,
                version,
                json!([{"range": edit["range"], "text": letter}]),
            )
            .await;
    }
    assert!(edits_sent > 300, "{edits_sent} edits");
    assert!(text.contains("Default: IMMUTABLE\n") && text.contains("déjà vu 🚀🚀 中"));

    let published = client.diagnostics_for_version(URI, version).await;
    // What core finds in the text this client holds, converted here on the test side.
    let expected: Vec<Value> = ecrlint_core::check(&text, Some("images.yaml"), &Default::default())
        .diagnostics
        .iter()
        .map(|d| {
            json!({
                "code": d.code,
                "message": d.message,
                "range": {
                    "start": utf16_position(&text, d.range.start as usize),
                    "end": utf16_position(&text, d.range.end as usize)
                }
            })
        })
        .collect();
    let got: Vec<Value> = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| json!({"code": d["code"], "message": d["message"], "range": d["range"]}))
        .collect();
    assert_eq!(got, expected);
    assert_json_snapshot!(got);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn utf16_ranges_are_exact_on_non_ascii_lines_and_in_crlf_files() {
    let mut client = started().await;
    let crlf = TEMPLATE.replace('\n', "\r\n");
    client.open(URI, "yaml", 1, &crlf).await;
    let published = client.diagnostics(URI).await;
    let star = crlf.find("\"*\"").unwrap();
    let range = &diagnostic(&published, "ECR101")["range"];
    // Line 14: `          - {Sid: "é🚀中", Effect: Allow, Principal: ` is 57 bytes, 52 UTF-16 units.
    assert_eq!(
        range,
        &json!({"start": {"line": 14, "character": 52}, "end": {"line": 14, "character": 55}})
    );
    assert_eq!(range["start"], utf16_position(&crlf, star));
    let fix = &diagnostic(&published, "ECR101")["data"]["fix"]["edits"][0];
    assert_eq!(fix["range"], *range);
    // The fix, applied by the client, keeps the CRLF line endings.
    let fixed = apply_text_edits(&crlf, std::slice::from_ref(fix));
    assert!(fixed.contains(
        "Effect: Allow, Principal: {AWS: !Sub \"arn:${AWS::Partition}:iam::${AWS::AccountId}:root\"}, Action"
    ));
    assert_eq!(fixed.matches('\n').count(), fixed.matches("\r\n").count());
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn utf8_positions_when_the_client_offers_them() {
    let mut capabilities = editor_capabilities();
    capabilities["general"] = json!({"positionEncodings": ["utf-16", "utf-8"]});
    let mut client = TestClient::start(capabilities, Value::Null).await;
    assert_eq!(
        client.initialize_result["capabilities"]["positionEncoding"],
        "utf-8"
    );
    client.open(URI, "yaml", 1, TEMPLATE).await;
    let published = client.diagnostics(URI).await;
    assert_eq!(
        diagnostic(&published, "ECR101")["range"],
        json!({"start": {"line": 14, "character": 57}, "end": {"line": 14, "character": 60}})
    );
    // Edits come in UTF-8 too: put the star in a list, counting bytes.
    let at = |character: u32| json!({"start": {"line": 14, "character": character}, "end": {"line": 14, "character": character}});
    client
        .change(
            URI,
            2,
            json!([{"range": at(60), "text": "]}"}, {"range": at(57), "text": "{AWS: [\"123456789012\", "}]),
        )
        .await;
    let published = client.diagnostics_for_version(URI, 2).await;
    assert_eq!(
        diagnostic(&published, "ECR101")["range"],
        json!({"start": {"line": 14, "character": 80}, "end": {"line": 14, "character": 83}})
    );
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quick_fix_applied_by_the_client_removes_the_finding() {
    let mut client = started().await;
    client.open(URI, "yaml", 1, TEMPLATE).await;
    let published = client.diagnostics(URI).await;
    let mutable = diagnostic(&published, "ECR201").clone();
    let actions = code_actions(&mut client, &mutable).await;
    assert_json_snapshot!(actions);
    let fix = action(&actions, "Set `ImageTagMutability` to `IMMUTABLE`");
    assert_eq!(fix["isPreferred"], true);
    assert_eq!(fix["kind"], "quickfix");
    let edits = action_edits(fix, URI);
    let text = apply_text_edits(TEMPLATE, &edits);
    assert_eq!(
        text,
        TEMPLATE.replace("Default: MUTABLE", "Default: IMMUTABLE")
    );
    send_edits(&mut client, 2, &edits).await;
    let published = client.diagnostics_for_version(URI, 2).await;
    assert_eq!(codes(&published), ["ECR101"]);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fix_for_an_older_version_is_not_offered() {
    let mut client = started().await;
    client.open(URI, "yaml", 1, TEMPLATE).await;
    let published = client.diagnostics(URI).await;
    let stale = diagnostic(&published, "ECR201").clone();
    client
        .change(URI, 2, json!([{"text": format!("{TEMPLATE}# edited\n")}]))
        .await;
    client.diagnostics_for_version(URI, 2).await;
    assert_eq!(code_actions(&mut client, &stale).await, json!([]));
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fix_all_applies_every_safe_fix() {
    let mut client = started().await;
    client.open(URI, "yaml", 1, TEMPLATE).await;
    client.diagnostics(URI).await;
    let actions = client
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": URI},
                "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
                "context": {"diagnostics": [], "only": ["source.fixAll"], "triggerKind": 2}
            }),
        )
        .await;
    assert_eq!(actions.as_array().unwrap().len(), 1, "{actions}");
    assert_json_snapshot!(actions);
    let text = apply_text_edits(TEMPLATE, &action_edits(&actions[0], URI));
    assert_eq!(
        text,
        TEMPLATE
            .replace("Default: MUTABLE", "Default: IMMUTABLE")
            .replace(
                "Principal: \"*\"",
                "Principal: {AWS: !Sub \"arn:${AWS::Partition}:iam::${AWS::AccountId}:root\"}"
            )
    );
    send_edits(&mut client, 2, &action_edits(&actions[0], URI)).await;
    let published = client.diagnostics_for_version(URI, 2).await;
    assert_eq!(published["diagnostics"], json!([]));
    // Nothing left to fix: no action.
    let again = client
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": URI},
                "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
                "context": {"diagnostics": [], "only": ["source.fixAll.ecrlint"]}
            }),
        )
        .await;
    assert_eq!(again, json!([]));
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suppression_actions_write_ignores_that_hold() {
    let mut client = started().await;
    client.open(URI, "yaml", 1, TEMPLATE).await;
    let published = client.diagnostics(URI).await;
    let public = diagnostic(&published, "ECR101").clone();
    let actions = code_actions(&mut client, &public).await;
    let on_line = action(&actions, "Ignore ECR101 on this line");
    assert_eq!(on_line["isPreferred"], false);
    let edits = action_edits(on_line, URI);
    let text = apply_text_edits(TEMPLATE, &edits);
    send_edits(&mut client, 2, &edits).await;
    let published = client.diagnostics_for_version(URI, 2).await;
    assert_eq!(codes(&published), ["ECR201"]);

    let mutable = diagnostic(&published, "ECR201").clone();
    let actions = code_actions(&mut client, &mutable).await;
    let for_resource = action(&actions, "Ignore ECR201 for this resource");
    let edits = action_edits(for_resource, URI);
    let text = apply_text_edits(&text, &edits);
    send_edits(&mut client, 3, &edits).await;
    let published = client.diagnostics_for_version(URI, 3).await;
    assert_eq!(published["diagnostics"], json!([]));
    insta::assert_snapshot!(text);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hover_explains_the_rule() {
    let mut client = started().await;
    client.open(URI, "yaml", 1, TEMPLATE).await;
    let published = client.diagnostics(URI).await;
    let at = diagnostic(&published, "ECR201")["range"]["start"].clone();
    let hover = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": URI}, "position": at}),
        )
        .await;
    let rule = ecrlint_core::rule("ECR201").unwrap();
    let value = hover["contents"]["value"].as_str().unwrap();
    assert_eq!(hover["contents"]["kind"], "markdown");
    assert!(value.starts_with("**ECR201** `mutable-image-tags` · warning\n\n`ImageTagMutability` is `MUTABLE` (through parameter `Mutability` Default)"), "{value}");
    assert!(value.contains(rule.explanation.trim_end()));
    assert_eq!(hover["range"], diagnostic(&published, "ECR201")["range"]);
    let nothing = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 0}}),
        )
        .await;
    assert_eq!(nothing, Value::Null);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_from_initialization_options() {
    let mut client = TestClient::start(editor_capabilities(), json!({"select": ["ECR1"]})).await;
    client.open(URI, "yaml", 1, TEMPLATE).await;
    let published = client.diagnostics(URI).await;
    assert_eq!(codes(&published), ["ECR101"]);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configuration_change_republishes() {
    let mut client = started().await;
    client.open(URI, "yaml", 1, TEMPLATE).await;
    let published = client.diagnostics(URI).await;
    assert_eq!(codes(&published), ["ECR201", "ECR101"]);

    // Pushed settings, as Neovim sends them.
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({"settings": {"ecrlint": {"ignore": ["mutable-image-tags"]}}}),
        )
        .await;
    let published = client.diagnostics(URI).await;
    assert_eq!(published["version"], 1);
    assert_eq!(codes(&published), ["ECR101"]);

    // Pulled settings: the notification says nothing, the server asks.
    *client.configuration.lock().unwrap() =
        json!({"enable": true, "severity": {"ECR101": "warning"}, "accountId": "123456789012"});
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({"settings": null}),
        )
        .await;
    let published = client.diagnostics(URI).await;
    assert_eq!(codes(&published), ["ECR201", "ECR101"]);
    assert_eq!(diagnostic(&published, "ECR101")["severity"], 2);

    // Settings that do not read stay out, with a warning; the previous ones stay.
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({"settings": {"ecrlint": {"ignroe": ["ECR101"]}}}),
        )
        .await;
    let warning = client
        .wait_for(|m| is_notification(m, "window/showMessage"))
        .await;
    assert_eq!(
        warning["params"],
        json!({"type": 2, "message": "ecrlint: didChangeConfiguration not used, the previous settings stay: unknown field `ignroe`, expected one of `select`, `ignore`, `account-id`, `accountId`, `severity`, `trusted-accounts`, `trustedAccounts`, `registry-scanning`, `registryScanning`"})
    );
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ecrlint_toml_in_the_workspace_is_honoured_and_watched() {
    let workspace = tempfile::tempdir().unwrap();
    let stacks = workspace.path().join("stacks");
    std::fs::create_dir_all(&stacks).unwrap();
    let config = workspace.path().join("ecrlint.toml");
    std::fs::write(
        &config,
        "ignore = [\"ECR201\"]\n[severity]\nECR101 = \"info\"\n",
    )
    .unwrap();
    let file = stacks.join("images.yaml");
    std::fs::write(&file, TEMPLATE).unwrap();
    let uri = format!("file://{}", file.display());

    let mut client = started().await;
    let registration = client
        .wait_for(|m| m["method"] == "client/registerCapability")
        .await;
    assert_eq!(
        registration["params"]["registrations"][0]["registerOptions"],
        json!({"watchers": [{"globPattern": "**/ecrlint.toml"}]})
    );
    // Editor settings go over the file, as flags go over it on the command line.
    *client.configuration.lock().unwrap() = json!({"severity": {"ECR101": "error"}});
    client
        .notify("workspace/didChangeConfiguration", json!({"settings": {}}))
        .await;
    client.open(&uri, "yaml", 1, TEMPLATE).await;
    let published = client.diagnostics_for_version(&uri, 1).await;
    let published = if diagnostic(&published, "ECR101")["severity"] == 1 {
        published
    } else {
        // The document was checked before the pulled settings arrived; the next is with them.
        client.diagnostics(&uri).await
    };
    assert_eq!(codes(&published), ["ECR101"]);
    assert_eq!(diagnostic(&published, "ECR101")["severity"], 1);

    std::fs::write(&config, "select = [\"ECR2\"]\n").unwrap();
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": format!("file://{}", config.display()), "type": 2}]}),
        )
        .await;
    let published = client.diagnostics(&uri).await;
    assert_eq!(codes(&published), ["ECR201"]);

    std::fs::write(&config, "select = \"ECR2\"\n").unwrap();
    client
        .notify(
            "textDocument/didSave",
            json!({"textDocument": {"uri": format!("file://{}", config.display())}}),
        )
        .await;
    let warning = client
        .wait_for(|m| is_notification(m, "window/showMessage"))
        .await;
    let message = warning["params"]["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!("ecrlint: {}: ", config.display()))
            && message.ends_with("; the file is not used"),
        "{message}"
    );
    let published = client.diagnostics(&uri).await;
    assert_eq!(codes(&published), ["ECR201", "ECR101"]);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_clears_the_diagnostics() {
    let mut client = started().await;
    client.open(URI, "yaml", 1, TEMPLATE).await;
    client.diagnostics(URI).await;
    client
        .notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": URI}}),
        )
        .await;
    let published = client.diagnostics(URI).await;
    assert_eq!(published, json!({"uri": URI, "diagnostics": []}));
    // Changes to a closed document are not applied to anything.
    client.change(URI, 2, json!([{"text": TEMPLATE}])).await;
    let hover = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": URI}, "position": {"line": 11, "character": 26}}),
        )
        .await;
    assert_eq!(hover, Value::Null);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unused_ignore_is_greyed_out_and_removed_by_its_fix() {
    let mut client = started().await;
    let text = "Resources:\n  Repo:  # ecrlint: ignore ECR101 -- was public once\n    Type: AWS::ECR::Repository\n    Properties: {ImageTagMutability: IMMUTABLE, ImageScanningConfiguration: {ScanOnPush: true}, EncryptionConfiguration: {EncryptionType: KMS, KmsKey: alias/images}, LifecyclePolicy: {LifecyclePolicyText: '{\"rules\": [{\"rulePriority\": 1, \"selection\": {\"tagStatus\": \"any\", \"countType\": \"imageCountMoreThan\", \"countNumber\": 100}, \"action\": {\"type\": \"expire\"}}]}'}}\n";
    client.open(URI, "yaml", 1, text).await;
    let published = client.diagnostics(URI).await;
    let unused = diagnostic(&published, "ECR905").clone();
    assert_eq!(unused["tags"], json!([1]));
    assert_eq!(unused["severity"], 3);
    assert_eq!(
        unused["message"],
        "unused suppression: no `ECR101` finding on this line"
    );
    let actions = code_actions(&mut client, &unused).await;
    let titles: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    // No "ignore" for an unused ignore: only its removal.
    assert_eq!(titles, ["Remove the unused suppression"]);
    let edits = action_edits(&actions[0], URI);
    assert_eq!(
        apply_text_edits(text, &edits),
        "Resources:\n  Repo:\n    Type: AWS::ECR::Repository\n    Properties: {ImageTagMutability: IMMUTABLE, ImageScanningConfiguration: {ScanOnPush: true}, EncryptionConfiguration: {EncryptionType: KMS, KmsKey: alias/images}, LifecyclePolicy: {LifecyclePolicyText: '{\"rules\": [{\"rulePriority\": 1, \"selection\": {\"tagStatus\": \"any\", \"countType\": \"imageCountMoreThan\", \"countNumber\": 100}, \"action\": {\"type\": \"expire\"}}]}'}}\n"
    );
    send_edits(&mut client, 2, &edits).await;
    let published = client.diagnostics_for_version(URI, 2).await;
    assert_eq!(published["diagnostics"], json!([]));
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_going_backwards_is_applied_and_logged() {
    let mut client = started().await;
    client.open(URI, "yaml", 5, TEMPLATE).await;
    client.diagnostics(URI).await;
    client
        .change(URI, 4, json!([{"text": "Resources: {}\n"}]))
        .await;
    let published = client.diagnostics(URI).await;
    assert_eq!(
        published,
        json!({"uri": URI, "version": 4, "diagnostics": []})
    );
    let warning = client
        .wait_for(|m| is_notification(m, "window/logMessage"))
        .await;
    assert_eq!(
        warning["params"],
        json!({"type": 2, "message": "ecrlint: file:///workspace/stacks/images.yaml went from version 5 to 4; versions should increase"})
    );
    client.shutdown().await;
}

/// A lone `\r` ends a line for LSP positions (the specification says so, as YAML does): the
/// finding's range and its fix's edit are on the right line, in a file with such endings.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lone_carriage_return_is_a_line_ending() {
    let mut client = started().await;
    let text = "Resources:\r  Repo:\r    Type: AWS::ECR::Repository\r    Properties:\r      ImageTagMutability: MUTABLE\r";
    client.open(URI, "yaml", 1, text).await;
    let published = client.diagnostics(URI).await;
    let finding = diagnostic(&published, "ECR201");
    assert_eq!(
        finding["range"],
        json!({"start": {"line": 4, "character": 26}, "end": {"line": 4, "character": 33}})
    );
    let actions = code_actions(&mut client, finding).await;
    let edits = action_edits(&actions[0], URI);
    assert_eq!(
        apply_text_edits(text, &edits),
        text.replace("MUTABLE", "IMMUTABLE")
    );
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unsaved_json_document_is_read_as_json() {
    let mut client = started().await;
    let uri = "untitled:Untitled-1";
    let policy =
        "{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"ecr:BatchGetImage\"}]}";
    client.open(uri, "json", 1, policy).await;
    let published = client.diagnostics(uri).await;
    assert_eq!(codes(&published), ["ECR101"]);
    assert_eq!(
        published["diagnostics"][0]["range"],
        json!({"start": {"line": 0, "character": 48}, "end": {"line": 0, "character": 51}})
    );
    client.shutdown().await;
}

/// A Terraform module: `main.tf` open, its variable's default in `variables.tf` on disk. The
/// finding names the default in the other file; opened, `variables.tf` carries the finding with
/// its fix; an unsaved edit there makes `main.tf` clean.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_terraform_module_is_checked_across_its_files() {
    let main_tf = "resource \"aws_ecr_repository\" \"app\" {\n  name                 = \"app\"\n  image_tag_mutability = var.mutability\n  image_scanning_configuration { scan_on_push = true }\n  encryption_configuration {\n    encryption_type = \"KMS\"\n    kms_key         = \"alias/images\"\n  }\n}\n\nresource \"aws_ecr_lifecycle_policy\" \"app\" {\n  repository = aws_ecr_repository.app.name\n  policy     = jsonencode({ rules = [{ rulePriority = 1, selection = { tagStatus = \"any\", countType = \"imageCountMoreThan\", countNumber = 100 }, action = { type = \"expire\" } }] })\n}\n";
    let variables_tf = "variable \"mutability\" {\n  default = \"MUTABLE\"\n}\n";
    let module = tempfile::tempdir().unwrap();
    let main = module.path().join("main.tf");
    let variables = module.path().join("variables.tf");
    std::fs::write(&main, main_tf).unwrap();
    std::fs::write(&variables, variables_tf).unwrap();
    let main_uri = format!("file://{}", main.display());
    let variables_uri = format!("file://{}", variables.display());

    let mut client = started().await;
    client.open(&main_uri, "terraform", 1, main_tf).await;
    let published = client.diagnostics_for_version(&main_uri, 1).await;
    assert_eq!(codes(&published), ["ECR201"]);
    let finding = diagnostic(&published, "ECR201");
    assert_eq!(
        finding["range"],
        json!({"start": {"line": 2, "character": 25}, "end": {"line": 2, "character": 39}})
    );
    assert_eq!(
        finding["relatedInformation"],
        json!([{
            "location": {
                "uri": variables_uri,
                "range": {"start": {"line": 1, "character": 12}, "end": {"line": 1, "character": 21}}
            },
            "message": "the default of variable `mutability`"
        }])
    );
    assert_eq!(
        finding["data"]["fix"],
        Value::Null,
        "the fix is in the other file"
    );

    client
        .open(&variables_uri, "terraform", 1, variables_tf)
        .await;
    let published = client.diagnostics_for_version(&variables_uri, 1).await;
    let finding = diagnostic(&published, "ECR201");
    assert_eq!(
        finding["range"],
        json!({"start": {"line": 1, "character": 12}, "end": {"line": 1, "character": 21}})
    );
    assert_eq!(
        finding["relatedInformation"][0]["location"]["uri"],
        json!(main_uri)
    );
    assert_eq!(
        finding["data"]["fix"]["edits"],
        json!([{"range": {"start": {"line": 1, "character": 13}, "end": {"line": 1, "character": 20}}, "newText": "IMMUTABLE"}])
    );

    // Edited (not saved) in the editor: main.tf is checked again against the open text.
    client
        .change(
            &variables_uri,
            2,
            json!([{"text": variables_tf.replace("\"MUTABLE\"", "\"IMMUTABLE\"")}]),
        )
        .await;
    let published = client
        .wait_for(|m| {
            is_notification(m, "textDocument/publishDiagnostics")
                && m["params"]["uri"] == json!(main_uri)
                && m["params"]["diagnostics"] == json!([])
        })
        .await;
    assert_eq!(published["params"]["uri"], json!(main_uri));
    client.shutdown().await;
}

/// Bare repositories `Repo0` … : one ECR201 finding each once their scanning is taken as covered
/// by the registry and the informational rules are off.
fn repositories(count: usize) -> String {
    let mut text = String::from("Resources:\n");
    for i in 0..count {
        text.push_str(&format!("  Repo{i}:\n    Type: AWS::ECR::Repository\n"));
    }
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_publishes_at_most_max_diagnostics_and_says_how_many_more() {
    let settings = json!({
        "registryScanning": "covers-all",
        "ignore": ["ECR301", "ECR302"],
        "maxDiagnostics": 3
    });
    let mut client = TestClient::start(editor_capabilities(), settings).await;
    let uri = "file:///workspace/many.yaml";
    client.open(uri, "yaml", 1, &repositories(5)).await;
    let published = client.diagnostics(uri).await;
    let diagnostics = published["diagnostics"].as_array().expect("diagnostics");
    let shown: Vec<(&str, u64)> = diagnostics
        .iter()
        .filter(|d| d["code"].is_string())
        .map(|d| {
            (
                d["code"].as_str().unwrap(),
                d["range"]["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(shown, [("ECR201", 1), ("ECR201", 3), ("ECR201", 5)]);
    assert_eq!(diagnostics.len(), 4);
    assert_eq!(
        diagnostics[3],
        json!({
            "range": {"start": {"line": 7, "character": 2}, "end": {"line": 7, "character": 2}},
            "severity": 2,
            "source": "ecrlint",
            "message": "2 more findings are not shown here: ecrlint shows the first 3 of the 5 in this file (setting `maxDiagnostics`). `ecrlint check many.yaml` lists them all.",
            "data": {"version": 1}
        })
    );
    // The summary offers no action; the findings shown keep theirs.
    let actions = code_actions_at(&mut client, uri, &diagnostics[3]).await;
    assert_eq!(actions, json!([]));
    let actions = code_actions_at(&mut client, uri, &diagnostics[0]).await;
    let titles: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Set `ImageTagMutability: IMMUTABLE`",
            "Ignore ECR201 on this line",
            "Ignore ECR201 for this resource"
        ]
    );

    // Within the cap: every finding, no summary.
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({"settings": {"ecrlint": {
                "registryScanning": "covers-all",
                "ignore": ["ECR301", "ECR302"],
                "maxDiagnostics": 5
            }}}),
        )
        .await;
    let published = client.diagnostics(uri).await;
    assert_eq!(codes(&published), ["ECR201"; 5]);
    client.shutdown().await;
}

async fn code_actions_at(client: &mut TestClient, uri: &str, diagnostic: &Value) -> Value {
    client
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": uri},
                "range": diagnostic["range"],
                "context": {"diagnostics": [diagnostic]}
            }),
        )
        .await
}

/// The wasm package answers through `ecrlint_ide::analysis`, a question at a time: for the same
/// document and settings it gives exactly what the server sends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stateless_analysis_answers_as_the_server_does() {
    use ecrlint_ide::analysis;
    let settings = json!({"accountId": "123456789012"});
    let mut client = TestClient::start(editor_capabilities(), settings.clone()).await;
    client.open(URI, "yaml", 1, TEMPLATE).await;
    let published = client.diagnostics(URI).await;
    let document: analysis::Document = serde_json::from_value(json!({
        "uri": URI, "text": TEMPLATE, "version": 1, "languageId": "yaml", "settings": settings
    }))
    .unwrap();
    let answered = analysis::diagnostics(&document).unwrap();
    assert_eq!(serde_json::to_value(&answered).unwrap(), published);

    for diagnostic in published["diagnostics"].as_array().unwrap() {
        let actions = code_actions(&mut client, diagnostic).await;
        let query: analysis::CodeActionQuery = serde_json::from_value(json!({
            "uri": URI, "text": TEMPLATE, "version": 1, "languageId": "yaml",
            "settings": settings, "documentChanges": true,
            "range": diagnostic["range"], "context": {"diagnostics": [diagnostic]}
        }))
        .unwrap();
        let answered = analysis::code_actions(&query).unwrap();
        assert_eq!(serde_json::to_value(&answered).unwrap(), actions);
        let position = diagnostic["range"]["start"].clone();
        let hover = client
            .request(
                "textDocument/hover",
                json!({"textDocument": {"uri": URI}, "position": position}),
            )
            .await;
        let query: analysis::HoverQuery = serde_json::from_value(json!({
            "uri": URI, "text": TEMPLATE, "version": 1, "languageId": "yaml",
            "settings": settings, "position": position
        }))
        .unwrap();
        let answered = analysis::hover(&query).unwrap();
        assert!(answered.is_some());
        assert_eq!(serde_json::to_value(&answered).unwrap(), hover);
    }
    let fix_all = client
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": URI},
                "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
                "context": {"diagnostics": [], "only": ["source.fixAll.ecrlint"]}
            }),
        )
        .await;
    let query: analysis::CodeActionQuery = serde_json::from_value(json!({
        "uri": URI, "text": TEMPLATE, "version": 1, "languageId": "yaml",
        "settings": settings, "documentChanges": true,
        "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
        "context": {"diagnostics": [], "only": ["source.fixAll.ecrlint"]}
    }))
    .unwrap();
    let answered = analysis::code_actions(&query).unwrap();
    assert_eq!(answered.len(), 1);
    assert_eq!(serde_json::to_value(&answered).unwrap(), fix_all);
    client.shutdown().await;
}
