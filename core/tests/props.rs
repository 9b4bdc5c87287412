//! Properties over random inputs: offsets and line/column positions convert both ways in every
//! encoding on random Unicode text with LF, CRLF and lone CR; `check` keeps its ranges inside the
//! text on character boundaries for random mutations of the fixtures; fixes never leave a document
//! that does not parse, and fixing twice changes nothing more.
//!
//! The invariants are the fuzz targets' own (fuzz/src/invariants.rs).

#[path = "../../fuzz/src/invariants.rs"]
#[allow(dead_code)]
mod invariants;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ecrlint_core::{Encoding, LineIndex};
use proptest::prelude::*;

use invariants::{
    addressable, check_ok, fix_ok, line_index_ok, naive_line_col, settings_variants, ENCODINGS,
    HINTS,
};

/// Pieces random text is made of: ASCII, two-, three- and four-byte characters (the last a UTF-16
/// surrogate pair), and every kind of line ending.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z :\\-\\[\\]{}\"#]{1,6}",
        1 => Just("é".to_string()),
        1 => Just("中文".to_string()),
        1 => Just("🚀".to_string()),
        1 => Just("\u{feff}".to_string()),
        1 => any::<char>().prop_map(String::from),
        2 => Just("\n".to_string()),
        2 => Just("\r\n".to_string()),
        1 => Just("\r".to_string()),
    ]
}

fn unicode_text() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..80).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn line_index_agrees_with_counting(text in unicode_text()) {
        if let Err(violation) = line_index_ok(&text, usize::MAX) {
            prop_assert!(false, "{violation}\ntext: {text:?}");
        }
    }

    #[test]
    fn positions_round_trip_at_any_offset(text in unicode_text(), at in any::<prop::sample::Index>()) {
        let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
        let offset = boundaries[at.index(boundaries.len())];
        let index = LineIndex::new(&text);
        for encoding in ENCODINGS {
            let position = index.line_col(offset as u32, &text, encoding);
            prop_assert_eq!(position, naive_line_col(&text, offset, encoding));
            let back = index.offset(position, &text, encoding) as usize;
            prop_assert_eq!(back, addressable(&text, offset), "{:?} {:?}", encoding, position);
        }
        // UTF-16 and character columns differ exactly by the surrogate pairs before the offset.
        let bytes = text.as_bytes();
        let line_start = (0..offset)
            .rev()
            .find(|&i| bytes[i] == b'\n' || (bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
            .map_or(0, |i| i + 1);
        let astral = text[line_start..offset].chars().filter(|c| c.len_utf16() == 2).count() as u32;
        let utf16 = index.line_col(offset as u32, &text, Encoding::Utf16).col;
        let chars = index.line_col(offset as u32, &text, Encoding::Chars).col;
        prop_assert_eq!(utf16, chars + astral);
    }
}

/// Every fixture, example and peer-corpus input in the repository, as (name, text).
fn seeds() -> &'static [(String, String)] {
    static SEEDS: OnceLock<Vec<(String, String)>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        for dir in ["tests/fixtures", "tests/peer-corpus", "examples"] {
            walk(&root.join(dir), &mut files);
        }
        files.sort();
        let seeds: Vec<(String, String)> = files
            .into_iter()
            .filter_map(|path| {
                let text = std::fs::read_to_string(&path).ok()?;
                let name = path
                    .strip_prefix(&root)
                    .unwrap_or(&path)
                    .display()
                    .to_string();
                Some((name, text))
            })
            .collect();
        assert!(
            seeds.len() > 50,
            "the fixtures are missing: {}",
            seeds.len()
        );
        seeds
    })
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json" | "template")
        ) {
            out.push(path);
        }
    }
}

/// Text a mutation may insert: syntax, keys and values the rules look at, and odd characters.
const TOKENS: &[&str] = &[
    "\n",
    "\r\n",
    "  ",
    "    ",
    "\t",
    "- ",
    ": ",
    "{",
    "}",
    "[",
    "]",
    ",",
    "\"",
    "'",
    "#",
    "&a ",
    "*a",
    "<<: ",
    "!Ref ",
    "!Sub ",
    "!If ",
    "Fn::If",
    "MUTABLE",
    "IMMUTABLE",
    "\"*\"",
    "*",
    "Principal",
    "Effect",
    "Allow",
    "Statement",
    "Properties",
    "ImageTagMutability",
    "RepositoryPolicyText",
    "AWS::ECR::Repository",
    "Type",
    "Resources",
    "é",
    "🚀",
    "\u{feff}",
    "\\",
    "\\u0022",
    "# ecrlint: ignore ECR201",
    "null",
    "~",
    "---\n",
    "...\n",
];

#[derive(Clone, Debug)]
enum Mutation {
    Insert {
        at: prop::sample::Index,
        token: usize,
    },
    Delete {
        at: prop::sample::Index,
        len: usize,
    },
    DuplicateLine {
        at: prop::sample::Index,
    },
    SwapLines {
        a: prop::sample::Index,
        b: prop::sample::Index,
    },
    CrlfEverywhere,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<prop::sample::Index>(), 0..TOKENS.len())
            .prop_map(|(at, token)| Mutation::Insert { at, token }),
        3 => (any::<prop::sample::Index>(), 1usize..12).prop_map(|(at, len)| Mutation::Delete { at, len }),
        1 => any::<prop::sample::Index>().prop_map(|at| Mutation::DuplicateLine { at }),
        1 => (any::<prop::sample::Index>(), any::<prop::sample::Index>())
            .prop_map(|(a, b)| Mutation::SwapLines { a, b }),
        1 => Just(Mutation::CrlfEverywhere),
    ]
}

/// The character boundary at or before a chosen place.
fn boundary(text: &str, at: &prop::sample::Index) -> usize {
    let mut offset = at.index(text.len() + 1);
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn apply(text: &mut String, mutation: &Mutation) {
    match mutation {
        Mutation::Insert { at, token } => {
            let offset = boundary(text, at);
            text.insert_str(offset, TOKENS[*token]);
        }
        Mutation::Delete { at, len } => {
            let start = boundary(text, at);
            let mut end = (start + len).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            text.replace_range(start..end, "");
        }
        Mutation::DuplicateLine { at } => {
            let lines: Vec<&str> = text.split_inclusive('\n').collect();
            if lines.is_empty() {
                return;
            }
            let i = at.index(lines.len());
            let mut out: Vec<&str> = lines.clone();
            out.insert(i, lines[i]);
            *text = out.concat();
        }
        Mutation::SwapLines { a, b } => {
            let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
            if lines.len() < 2 {
                return;
            }
            let (a, b) = (a.index(lines.len()), b.index(lines.len()));
            lines.swap(a, b);
            *text = lines.concat();
        }
        Mutation::CrlfEverywhere => *text = text.replace("\r\n", "\n").replace('\n', "\r\n"),
    }
}

/// A fixture, and the mutations to make to it.
fn mutated_seed() -> impl Strategy<Value = (String, String)> {
    (
        any::<prop::sample::Index>(),
        prop::collection::vec(mutation(), 0..6),
    )
        .prop_map(|(pick, mutations)| {
            let (name, text) = &seeds()[pick.index(seeds().len())];
            let mut text = text.clone();
            for m in &mutations {
                apply(&mut text, m);
            }
            (name.clone(), text)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn check_keeps_ranges_inside_the_text((name, text) in mutated_seed()) {
        for settings in settings_variants() {
            for hint in HINTS.iter().copied().chain([Some(name.as_str())]) {
                if let Err(violation) = check_ok(&text, hint, &settings) {
                    prop_assert!(false, "{name}, hint {hint:?}: {violation}\ntext: {text:?}");
                }
            }
        }
    }

    #[test]
    fn fixes_leave_documents_that_parse((name, text) in mutated_seed()) {
        for settings in settings_variants() {
            if let Err(violation) = fix_ok(&text, Some(&name), &settings) {
                prop_assert!(false, "{name}, account id {:?}: {violation}\ntext: {text:?}", settings.account_id);
            }
        }
    }
}

#[test]
fn every_seed_keeps_the_invariants_unmutated() {
    for (name, text) in seeds() {
        for settings in settings_variants() {
            for hint in HINTS.iter().copied().chain([Some(name.as_str())]) {
                check_ok(text, hint, &settings).unwrap_or_else(|v| panic!("{name}: {v}"));
            }
            fix_ok(text, Some(name), &settings).unwrap_or_else(|v| panic!("{name}: {v}"));
        }
    }
}
