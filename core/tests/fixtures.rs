//! Rule fixtures: tests/fixtures/<CODE>/{positive,negative}/*, every source format side by side
//! in one rule's folder, each checked with that rule alone selected. Each file's exact findings,
//! and the exact change each fix makes, are snapshots; every fix must leave a document that
//! parses and has one finding fewer of its rule. Positive files must have a finding of the
//! folder's rule, negative files none. A file named `*.with-account.*` is checked with
//! `--account-id 123456789012`. ECR103's folder is checked with `trusted-accounts =
//! ["111122223333"]`, except files named `*.no-trusted-accounts.*`. tests/fixtures/not-ours holds files that are not ECR sources and
//! must stay silent under every rule.

use std::path::Path;

use ecrlint_core::{apply_edits, check, Encoding, LineIndex, Settings};

/// The rule a fixture is for (its folder's name), or `None` for the files that are not ours.
fn rule_of(path: &Path) -> Option<String> {
    let folder = path.parent()?.parent()?.file_name()?.to_string_lossy();
    folder.starts_with("ECR").then(|| folder.into_owned())
}

fn settings_for(path: &Path) -> Settings {
    let name = path.file_name().unwrap().to_string_lossy();
    let rule = rule_of(path);
    let trusting = rule.as_deref() == Some("ECR103") && !name.contains(".no-trusted-accounts.");
    Settings {
        select: rule.map(|code| vec![code]),
        account_id: name
            .contains(".with-account.")
            .then(|| "123456789012".to_string()),
        trusted_accounts: if trusting {
            vec!["111122223333".to_string()]
        } else {
            Vec::new()
        },
        ..Settings::default()
    }
}

fn at(index: &LineIndex, text: &str, offset: u32) -> String {
    let lc = index.line_col(offset, text, Encoding::Chars);
    format!("{}:{}", lc.line + 1, lc.col + 1)
}

/// Findings and fixes, rendered for people to review in the snapshot.
fn render(path: &Path, text: &str) -> String {
    let settings = settings_for(path);
    let checked = check(text, Some(&path.to_string_lossy()), &settings);
    let index = LineIndex::new(text);
    let mut out = format!("kind: {:?}\n", checked.kind);
    for d in &checked.diagnostics {
        out.push_str(&format!(
            "\n{} {} {}-{} {:?}\n  {}\n",
            d.code,
            d.severity.as_str(),
            at(&index, text, d.range.start),
            at(&index, text, d.range.end),
            &text[d.range.as_usize()],
            d.message
        ));
        for related in &d.related {
            out.push_str(&format!(
                "  related {}: {} {:?}\n",
                at(&index, text, related.range.start),
                related.message,
                &text[related.range.as_usize()]
            ));
        }
        let Some(fix) = &d.fix else { continue };
        let fixed = apply_edits(text, &fix.edits);
        out.push_str(&format!("  fix ({:?}): {}\n", fix.applicability, fix.title));
        let diff = similar::TextDiff::from_lines(text, &fixed);
        for hunk in diff.unified_diff().context_radius(1).iter_hunks() {
            for line in hunk.to_string().lines() {
                out.push_str(&format!("    {line}\n"));
            }
        }
        // The fix leaves a document that parses, and one finding fewer of its rule.
        let after = check(&fixed, Some(&path.to_string_lossy()), &settings);
        assert!(
            after.parsed,
            "{}: the fix `{}` leaves a document that does not parse:\n{fixed}",
            path.display(),
            fix.title
        );
        let count =
            |c: &ecrlint_core::Checked| c.diagnostics.iter().filter(|x| x.code == d.code).count();
        assert!(
            count(&after) < count(&checked),
            "{}: the fix `{}` does not remove its finding:\n{fixed}",
            path.display(),
            fix.title
        );
    }
    out
}

#[test]
fn rule_fixtures() {
    insta::glob!("../../tests/fixtures", "*/*/*", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let folder = path.parent().unwrap();
        let expectation = folder.file_name().unwrap().to_string_lossy().into_owned();
        let code = rule_of(path);
        let checked = check(&text, Some(&path.to_string_lossy()), &settings_for(path));
        let found = checked
            .diagnostics
            .iter()
            .filter(|d| Some(d.code) == code.as_deref())
            .count();
        assert!(
            checked
                .diagnostics
                .iter()
                .all(|d| Some(d.code) == code.as_deref()),
            "{}: a finding of another rule than the one selected: {:?}",
            path.display(),
            checked.diagnostics
        );
        match expectation.as_str() {
            "positive" => assert!(
                found > 0,
                "{}: expected a finding of {code:?}",
                path.display()
            ),
            "negative" if code.is_none() => {
                assert!(
                    !checked.kind.is_ours(),
                    "{}: taken for {:?}",
                    path.display(),
                    checked.kind
                );
                assert!(
                    checked.diagnostics.is_empty(),
                    "{}: {:?}",
                    path.display(),
                    checked.diagnostics
                );
            }
            "negative" => assert_eq!(found, 0, "{}: expected no {code:?}", path.display()),
            other => panic!("unexpected fixture folder {other}"),
        }
        insta::assert_snapshot!(render(path, &text));
    });
}

/// Applying every fix (unsafe too) leaves no fixable finding and a document that parses.
#[test]
fn fix_all_converges() {
    insta::glob!("../../tests/fixtures", "*/positive/*", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let settings = settings_for(path);
        let name = path.to_string_lossy();
        let fixed = ecrlint_core::fix(&text, Some(&name), &settings, true);
        if fixed.applied.is_empty() {
            return;
        }
        assert!(
            !fixed.remaining.diagnostics.iter().any(|d| d.fix.is_some()) && fixed.remaining.parsed,
            "{}: after fixing: {:?}",
            path.display(),
            fixed.remaining.diagnostics
        );
        let again = ecrlint_core::fix(&fixed.text, Some(&name), &settings, true);
        assert_eq!(
            again.text,
            fixed.text,
            "{}: fixing twice changes more",
            path.display()
        );
        insta::assert_snapshot!(fixed.text);
    });
}
