//! Every input fuzzing and the property tests have found, replayed through the same invariants
//! (fuzz/src/invariants.rs): the files under fuzz/regressions/TARGET/, and the cases below that are
//! easier to say in code than to keep as a file.
//!
//! A case found here that core does not handle yet stays ignored, with a reason naming the input,
//! what is expected and what happens instead (none does now).

#[path = "../../fuzz/src/invariants.rs"]
#[allow(dead_code)]
mod invariants;

use std::path::Path;

use ecrlint_core::{check, fix, Encoding, LineCol, LineIndex, Settings};

use invariants::{check_ok, fix_ok, line_index_ok, settings_variants, HINTS};

/// The saved inputs of one target, as (file name, text as the target sees it).
fn saved(target: &str) -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/regressions")
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut inputs: Vec<(String, String)> = entries
        .map(|entry| {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            // The targets read their bytes this way too.
            (name, String::from_utf8_lossy(&bytes).into_owned())
        })
        .collect();
    inputs.sort();
    inputs
}

#[test]
fn saved_inputs_keep_the_invariants() {
    let mut replayed = 0;
    let [settings, _] = settings_variants();
    for (name, text) in saved("check") {
        for hint in HINTS {
            if let Err(violation) = check_ok(&text, hint, &settings) {
                panic!("fuzz/regressions/check/{name}, hint {hint:?}: {violation}");
            }
        }
        replayed += 1;
    }
    for (name, text) in saved("fix_roundtrip") {
        for settings in settings_variants() {
            for hint in [Some("fuzz.yaml"), Some("fuzz.json")] {
                if let Err(violation) = fix_ok(&text, hint, &settings) {
                    panic!(
                        "fuzz/regressions/fix_roundtrip/{name}, hint {hint:?}, account id {:?}: {violation}",
                        settings.account_id
                    );
                }
            }
        }
        replayed += 1;
    }
    for (name, text) in saved("line_index") {
        if let Err(violation) = line_index_ok(&text, usize::MAX) {
            panic!("fuzz/regressions/line_index/{name}: {violation}");
        }
        replayed += 1;
    }
    assert!(
        replayed >= 2,
        "fuzz/regressions is missing: {replayed} inputs"
    );
}

/// Found by the `line_index` target: LSP clients send `character: 4294967295` to mean "the end of
/// the line", which is offset 9 here. `start + col` used to overflow u32: a panic in debug builds
/// and, in release, a wrapped offset on an earlier line.
#[test]
fn a_column_of_u32_max_clamps_to_the_line_end() {
    let text = "a: 1\nb: 2\n";
    let index = LineIndex::new(text);
    for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Chars] {
        let far = LineCol {
            line: 1,
            col: u32::MAX,
        };
        assert_eq!(index.offset(far, text, encoding), 9, "{encoding:?}");
    }
}

/// Found by the property tests: a text ending in a lone `\r` (no `\n` after it). A lone `\r` ends a
/// line (as the LSP specification and YAML say), so the position after it is the start of a second,
/// empty line and maps back to offset 1.
#[test]
fn a_lone_cr_at_the_end_ends_a_line() {
    let text = "\r";
    let index = LineIndex::new(text);
    let end = index.line_col(1, text, Encoding::Utf16);
    assert_eq!(end, LineCol { line: 1, col: 0 });
    assert_eq!(index.offset(end, text, Encoding::Utf16), 1);
    assert_eq!(index.line_range(0, text).end, 0);
}

/// Found by the `fix_roundtrip` target: a YAML flow mapping whose `{` is followed by a space or a
/// comment before the line break. ECR201's fix used to insert block syntax (`Properties:\n  …`)
/// there, which does not parse: `--fix` quietly applied nothing and an editor's quick fix broke the
/// document. It takes the flow-style edit it makes when nothing follows the `{`.
#[test]
fn mutability_fix_in_a_flow_mapping_with_a_space_after_the_brace() {
    for after_brace in [" ", "  # note"] {
        let text =
            format!("Resources:\n  Repo: {{{after_brace}\n    Type: AWS::ECR::Repository }}\n");
        // ECR201's fix alone: ECR202 would insert its own setting beside it.
        let settings = Settings {
            select: Some(vec!["ECR201".into()]),
            ..Settings::default()
        };
        if let Err(violation) = fix_ok(&text, Some("t.yaml"), &settings) {
            panic!("{after_brace:?}: {violation}");
        }
        let fixed = fix(&text, Some("t.yaml"), &settings, false);
        assert_eq!(
            fixed.text,
            format!("Resources:\n  Repo: {{{after_brace}\n    Properties: {{ImageTagMutability: IMMUTABLE}},\n    Type: AWS::ECR::Repository }}\n")
        );
    }
}

/// YAML and JSON share one depth limit: 255 nested collections are accepted in both, and the
/// 256th is reported as "deeper than 255 levels" (255 is as deep as the YAML scanner follows
/// flow collections).
#[test]
fn yaml_and_json_share_the_depth_limit() {
    for name in ["deep.yaml", "deep.json"] {
        let accepted = format!("{}{}", "[".repeat(255), "]".repeat(255));
        let found = check(&accepted, Some(name), &Settings::default()).diagnostics;
        assert_eq!(found, Vec::new(), "{name}: 255 levels");
        let rejected = format!("{}{}", "[".repeat(256), "]".repeat(256));
        let found = check(&rejected, Some(name), &Settings::default()).diagnostics;
        assert_eq!(found.len(), 1, "{name}: {found:?}");
        assert_eq!(found[0].message, "nesting is deeper than 255 levels");
    }
}

/// Found by the `fix_roundtrip` target: a NUL byte after an ignore comment's directive. The text
/// does not parse (an unclosed flow mapping, and a NUL): an ECR901 finding, and `fix` changes
/// nothing. The ignore's selector `e` is a prefix of every code, and it used to suppress the
/// syntax error itself; syntax errors cannot be suppressed now. The fuzz input it was shrunk
/// from is fuzz/regressions/fix_roundtrip/nul-in-ignore-comments.
#[test]
fn a_nul_byte_in_an_ignore_comment_keeps_the_syntax_error() {
    let settings = Settings::default();
    for text in ["{ #ecrlint:ignore \0 e\n", "a: 1 #ecrlint:ignore \0 e\n"] {
        let found = check(text, Some("t.yaml"), &settings).diagnostics;
        assert!(
            found.iter().any(|d| d.code == "ECR901"),
            "{text:?}: {found:?}"
        );
        if let Err(violation) = fix_ok(text, Some("t.yaml"), &settings) {
            panic!("{text:?}: {violation}");
        }
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/regressions/fix_roundtrip/nul-in-ignore-comments");
    let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
    for settings in settings_variants() {
        for hint in [Some("fuzz.yaml"), Some("fuzz.json")] {
            if let Err(violation) = fix_ok(&text, hint, &settings) {
                panic!("hint {hint:?}: {violation}");
            }
        }
    }
}

/// Found by the `fix_roundtrip` target: one YAML comment holding two ignore directives. Only the
/// first counts (the second is text of the same comment, and a `#` ends the first one's list), so
/// each unused ignore is reported once and its fix leaves nothing for ECR905 to report there. The
/// fuzz input it was shrunk from is fuzz/regressions/fix_roundtrip/two-ignore-directives-in-one-comment.
#[test]
fn two_ignore_directives_in_one_comment() {
    let settings = Settings::default();
    let text = "#ecrlint:ignore # ecrlint:ignore m ";
    if let Err(violation) = fix_ok(text, Some("t.yaml"), &settings) {
        panic!("{violation}");
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/regressions/fix_roundtrip/two-ignore-directives-in-one-comment");
    let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
    for settings in settings_variants() {
        if let Err(violation) = fix_ok(&text, Some("fuzz.yaml"), &settings) {
            panic!("{violation}");
        }
    }
}

/// Found by the `fix_roundtrip` target: `aws ecr get-repository-policy` output read as YAML, whose
/// `policyText` is a double-quoted YAML string folded over two lines (the fold falls inside the
/// policy's `Version` string) with YAML-only escapes (`\ `). ECR101's range covers
/// `\"arn:aws:iam::*\"` inside the string, and its fix leaves a policy text that parses. The
/// positions used to run to the end of the string: a folded line break was matched against the
/// next space of the source. The input is fuzz/regressions/fix_roundtrip/folded-policy-text.
#[test]
fn a_policy_in_a_folded_yaml_string() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/regressions/fix_roundtrip/folded-policy-text");
    let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
    let settings = Settings {
        account_id: Some("123456789012".into()),
        ..Settings::default()
    };
    let found = check(&text, Some("t.yaml"), &settings).diagnostics;
    assert_eq!(found.len(), 1, "{found:?}");
    let range = found[0].range.as_usize();
    assert_eq!(&text[range], "\\\"arn:aws:iam::*\\\"");
    if let Err(violation) = fix_ok(&text, Some("t.yaml"), &settings) {
        panic!("{violation}");
    }
}
