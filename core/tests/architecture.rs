//! The layering ARCHITECTURE.md promises, checked on the source: rules read only the model, and
//! core does no I/O.

use std::path::Path;

fn sources(dir: &str) -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut out = Vec::new();
    let mut pending = vec![dir];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path.display().to_string(), text));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn rules_read_only_the_model() {
    // ECR901 and ECR904 describe the syntax itself.
    let syntax_rules = ["invalid_syntax.rs", "duplicate_key.rs"];
    let rules = sources("src/rules");
    assert!(rules.len() >= 8, "{rules:?}");
    for (path, text) in rules {
        let allowed_syntax = syntax_rules.iter().any(|r| path.ends_with(r));
        for forbidden in ["crate::adapt", "InputKind", "crate::syntax"] {
            if forbidden == "crate::syntax" && allowed_syntax {
                continue;
            }
            assert!(!text.contains(forbidden), "{path} uses {forbidden}");
        }
    }
}

#[test]
fn core_does_no_io() {
    for (path, text) in sources("src") {
        for forbidden in [
            "std::fs",
            "std::net",
            "std::thread",
            "std::time",
            "std::env",
            "std::io::stdin",
        ] {
            assert!(!text.contains(forbidden), "{path} uses {forbidden}");
        }
    }
}
