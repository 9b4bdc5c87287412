//! The exported API as JavaScript sees it, run under Node.js by wasm-bindgen-test: the exact JSON
//! of results, errors thrown as `Error`s, UTF-16 offsets that `String.prototype.slice` agrees with.
//!
//! `cargo xtask test` runs these (`cargo test -p ecrlint_wasm --target wasm32-unknown-unknown`
//! with `wasm-bindgen-test-runner` as the runner).

#![cfg(target_arch = "wasm32")]

use js_sys::{JsString, Reflect, JSON};
use tsify::Ts;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const POLICY: &str = include_str!("../playground/examples/conformity-exposed-policy.json");
const TEMPLATE: &str = include_str!("../playground/examples/kics-mutable-tags.yaml");

fn object<T: tsify::Tsify>(json: &str) -> Option<Ts<T>> {
    Some(Ts::new_unchecked(JSON::parse(json).unwrap()))
}

fn json(value: impl Into<JsValue>) -> String {
    JSON::stringify(&value.into()).unwrap().into()
}

fn error_message(error: wasm_bindgen::JsError) -> String {
    let value = JsValue::from(error);
    let error: &js_sys::Error = value.dyn_ref().expect("thrown as an Error");
    error.message().into()
}

#[wasm_bindgen_test]
fn check_gives_plain_objects_in_camel_case() {
    let result = ecrlint_wasm::check(POLICY, None, None).unwrap();
    assert_eq!(
        json(result),
        r#"{"kind":"repository-policy","kindDescription":"repository policy","format":"json","parsed":true,"findings":[{"code":"ECR101","name":"public-repository","severity":"error","message":"repository policy allows everyone: `Principal` is `*` and no condition limits the caller; give the owning account with `--account-id` (or `account-id` in ecrlint.toml) for a fix","range":{"start":126,"end":129},"start":{"line":7,"column":20},"end":{"line":7,"column":23},"url":"https://github.com/ecrlint/ecrlint/blob/main/docs/rules/ECR101-public-repository.md","related":[]},{"code":"ECR102","name":"public-write","severity":"error","message":"`ecr:*` grants everyone write actions (`ecr:PutImage`, `ecr:InitiateLayerUpload`, `ecr:UploadLayerPart`, …): anyone can push, overwrite or delete images, or take the repository over","range":{"start":157,"end":164},"start":{"line":9,"column":9},"end":{"line":9,"column":16},"url":"https://github.com/ecrlint/ecrlint/blob/main/docs/rules/ECR102-public-write.md","fix":{"title":"Allow only pulling images instead of `ecr:*`","applicability":"unsafe","edits":[{"range":{"start":147,"end":172},"content":"[\"ecr:BatchCheckLayerAvailability\", \"ecr:BatchGetImage\", \"ecr:GetDownloadUrlForLayer\"]"}]},"related":[]}]}"#
    );
}

#[wasm_bindgen_test]
fn a_finding_without_a_fix_has_no_fix_property() {
    let result: JsValue = ecrlint_wasm::check(POLICY, None, None).unwrap().into();
    let findings = Reflect::get(&result, &"findings".into()).unwrap();
    let first = Reflect::get(&findings, &0.into()).unwrap();
    assert!(!Reflect::has(&first, &"fix".into()).unwrap());
}

#[wasm_bindgen_test]
fn account_id_gives_the_fix_with_utf16_ranges() {
    let text = POLICY.replace("AllowEveryone", "Öffentlich 🚀");
    let settings = object(r#"{"accountId": "123456789012"}"#);
    let result: JsValue = ecrlint_wasm::check(&text, settings, None).unwrap().into();
    let finding = Reflect::get(
        &Reflect::get(&result, &"findings".into()).unwrap(),
        &0.into(),
    )
    .unwrap();
    assert_eq!(
        json(Reflect::get(&finding, &"fix".into()).unwrap()),
        r#"{"title":"Allow only the owning account (`arn:aws:iam::123456789012:root`)","applicability":"safe","edits":[{"range":{"start":126,"end":129},"content":"{\"AWS\": \"arn:aws:iam::123456789012:root\"}"}]}"#
    );
    // JavaScript's own string indexing finds the principal at that range.
    let js_text = JsString::from(text.as_str());
    assert_eq!(String::from(js_text.slice(126, 129)), "\"*\"");
}

#[wasm_bindgen_test]
fn fix_returns_the_fixed_text_and_what_was_applied() {
    // The tags alone: the example's repositories also lack scanning, a key and a lifecycle policy.
    let result = ecrlint_wasm::fix(
        TEMPLATE,
        object(r#"{"select": ["ECR201"]}"#),
        object(r#"{"unsafe": false}"#),
        None,
    )
    .unwrap();
    let result: JsValue = result.into();
    let text: String = Reflect::get(&result, &"text".into())
        .unwrap()
        .as_string()
        .unwrap();
    assert!(text.contains(
        "      ImageTagMutability: \"IMMUTABLE\"\n      RepositoryName: \"test-repository\"\n"
    ));
    assert!(text.contains("    Properties:\n      ImageTagMutability: IMMUTABLE\n      RepositoryName: \"test-repository\"\n"));
    assert_eq!(
        json(Reflect::get(&result, &"applied".into()).unwrap()),
        r#"[{"code":"ECR201","title":"Set `ImageTagMutability` to `IMMUTABLE`"},{"code":"ECR201","title":"Set `ImageTagMutability: IMMUTABLE`"}]"#
    );
    assert_eq!(
        json(Reflect::get(&result, &"remaining".into()).unwrap()),
        r#"{"kind":"cloudformation-template","kindDescription":"CloudFormation template","format":"yaml","parsed":true,"findings":[]}"#
    );
}

#[wasm_bindgen_test]
fn invalid_settings_throw_errors() {
    let error = ecrlint_wasm::check(POLICY, object(r#"{"accountId": "12"}"#), None).unwrap_err();
    assert_eq!(
        error_message(error),
        "invalid settings: account id `12` is not 12 digits"
    );
    let error =
        ecrlint_wasm::check(POLICY, object(r#"{"acountId": "123456789012"}"#), None).unwrap_err();
    assert_eq!(
        error_message(error),
        "invalid settings: unknown field `acountId`, expected one of `select`, `ignore`, `accountId`, `severity`, `trustedAccounts`, `registryScanning`"
    );
    let error = ecrlint_wasm::fix(POLICY, None, object(r#"{"unsafe": "yes"}"#), None).unwrap_err();
    assert_eq!(
        error_message(error),
        "invalid fix options: invalid type: string \"yes\", expected a boolean"
    );
}

#[wasm_bindgen_test]
fn file_name_hints_the_format_of_ambiguous_text() {
    let settings = object(r#"{"select": ["ECR201"], "severity": {"ECR201": "error"}}"#);
    let result: JsValue = ecrlint_wasm::check(TEMPLATE, settings, Some("template.yaml".into()))
        .unwrap()
        .into();
    assert_eq!(
        Reflect::get(&result, &"format".into())
            .unwrap()
            .as_string()
            .as_deref(),
        Some("yaml")
    );
    let findings = Reflect::get(&result, &"findings".into()).unwrap();
    let severities: Vec<String> = js_sys::Array::from(&findings)
        .iter()
        .map(|f| {
            Reflect::get(&f, &"severity".into())
                .unwrap()
                .as_string()
                .unwrap()
        })
        .collect();
    assert_eq!(severities, ["error", "error"]);
}

#[wasm_bindgen_test]
fn rules_and_version() {
    let rules = ecrlint_wasm::rules().unwrap();
    let codes: Vec<String> = rules
        .iter()
        .map(|rule| {
            Reflect::get(&rule.js_value(), &"code".into())
                .unwrap()
                .as_string()
                .unwrap()
        })
        .collect();
    let expected: Vec<&str> = ecrlint_core::rules().iter().map(|r| r.code).collect();
    assert_eq!(codes, expected);
    let first = rules[0].js_value();
    assert_eq!(
        Reflect::get(&first, &"fix".into())
            .unwrap()
            .as_string()
            .as_deref(),
        Some("sometimes")
    );
    assert_eq!(ecrlint_wasm::version(), env!("CARGO_PKG_VERSION"));
}

fn parse(json: &str) -> JsValue {
    JSON::parse(json).unwrap()
}

const POLICY_URI: &str = "file:///work/policy.json";

fn policy_document(extra: &str) -> String {
    format!(
        r#"{{"uri": "{POLICY_URI}", "text": {}, "version": 3, "languageId": "json", "settings": {{"accountId": "123456789012"}}{extra}}}"#,
        serde_json::to_string(POLICY).unwrap()
    )
}

#[wasm_bindgen_test]
fn the_language_service_answers_in_the_shapes_ecrlint_server_sends() {
    let published = ecrlint_wasm::diagnostics(parse(&policy_document(""))).unwrap();
    // What JavaScript sees is the JSON ecrlint_ide gives the native server.
    let document: ecrlint_ide::analysis::Document =
        serde_json::from_str(&policy_document("")).unwrap();
    let native = ecrlint_ide::analysis::diagnostics(&document).unwrap();
    assert_eq!(
        json(published.clone()),
        serde_json::to_string(&native).unwrap()
    );
    let diagnostics = Reflect::get(&published, &"diagnostics".into()).unwrap();
    let first = Reflect::get(&diagnostics, &0.into()).unwrap();
    assert_eq!(
        json(Reflect::get(&first, &"code".into()).unwrap()),
        r#""ECR101""#
    );
    assert_eq!(
        json(Reflect::get(&first, &"range".into()).unwrap()),
        r#"{"start":{"line":6,"character":19},"end":{"line":6,"character":22}}"#
    );

    // The diagnostic as JavaScript holds it comes back with its fix in `data`.
    let query = policy_document(&format!(
        r#", "range": {}, "context": {{"diagnostics": [{}]}}, "documentChanges": true"#,
        json(Reflect::get(&first, &"range".into()).unwrap()),
        json(first.clone())
    ));
    let actions = ecrlint_wasm::code_actions(parse(&query)).unwrap();
    let titles: Vec<String> = js_sys::Array::from(&actions)
        .iter()
        .map(|a| {
            Reflect::get(&a, &"title".into())
                .unwrap()
                .as_string()
                .unwrap()
        })
        .collect();
    assert_eq!(
        titles,
        ["Allow only the owning account (`arn:aws:iam::123456789012:root`)"]
    );
    let fix = js_sys::Array::from(&actions).get(0);
    assert_eq!(
        json(Reflect::get(&fix, &"edit".into()).unwrap()),
        r#"{"documentChanges":[{"textDocument":{"uri":"file:///work/policy.json","version":3},"edits":[{"range":{"start":{"line":6,"character":19},"end":{"line":6,"character":22}},"newText":"{\"AWS\": \"arn:aws:iam::123456789012:root\"}"}]}]}"#
    );

    let hover = ecrlint_wasm::hover(parse(&policy_document(
        r#", "position": {"line": 6, "character": 20}"#,
    )))
    .unwrap();
    let contents = Reflect::get(&hover, &"contents".into()).unwrap();
    let markdown = Reflect::get(&contents, &"value".into())
        .unwrap()
        .as_string()
        .unwrap();
    assert!(
        markdown.starts_with("**ECR101** `public-repository` · error\n\n"),
        "{markdown}"
    );
    let nothing = ecrlint_wasm::hover(parse(&policy_document(
        r#", "position": {"line": 0, "character": 0}"#,
    )))
    .unwrap();
    assert!(nothing.is_null());
}

#[wasm_bindgen_test]
fn the_language_service_reads_settings_as_the_native_server_does() {
    assert_eq!(
        ecrlint_wasm::settings_problems(parse(r#"{"accountId": "12"}"#)).unwrap(),
        ["account id `12` is not 12 digits"]
    );
    assert_eq!(
        ecrlint_wasm::settings_problems(parse(r#"{"ecrlint": {"maxDiagnostics": 5}}"#)).unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(
        error_message(ecrlint_wasm::settings_problems(parse(r#"{"ignroe": []}"#)).unwrap_err()),
        "unknown field `ignroe`, expected one of `select`, `ignore`, `account-id`, `accountId`, `severity`, `trusted-accounts`, `trustedAccounts`, `registry-scanning`, `registryScanning`"
    );
    let capped = policy_document("").replace(
        r#""settings": {"accountId": "123456789012"}"#,
        r#""settings": {"maxDiagnostics": 1}"#,
    );
    let published = ecrlint_wasm::diagnostics(parse(&capped)).unwrap();
    let diagnostics =
        js_sys::Array::from(&Reflect::get(&published, &"diagnostics".into()).unwrap());
    assert_eq!(diagnostics.length(), 2);
    assert_eq!(
        Reflect::get(&diagnostics.get(1), &"message".into())
            .unwrap()
            .as_string()
            .unwrap(),
        "1 more findings are not shown here: ecrlint shows the first 1 of the 2 in this file (setting `maxDiagnostics`). `ecrlint check policy.json` lists them all."
    );
    let wrong = capped.replace(r#""maxDiagnostics": 1"#, r#""maxDiagnostics": 0"#);
    assert_eq!(
        error_message(ecrlint_wasm::diagnostics(parse(&wrong)).unwrap_err()),
        "invalid settings: `maxDiagnostics` must be a whole number above 0, not 0"
    );
}
