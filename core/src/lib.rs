//! ecrlint's core: from the text of a CloudFormation template, an IAM repository policy or the
//! output of the AWS CLI, to findings with exact ranges and fixes as data.
//!
//! Pure: no I/O, no threads, no async; builds for `wasm32-unknown-unknown`.
//!
//! ```
//! let source = "Resources:\n  Repo:\n    Type: AWS::ECR::Repository\n";
//! let found = ecrlint_core::check(source, None, &ecrlint_core::Settings::default());
//! assert_eq!(found.diagnostics[0].code, "ECR201");
//! ```

pub mod cfn;
pub mod diagnostic;
mod edits;
pub mod fix;
pub mod input;
pub mod policy;
pub mod rules;
pub mod settings;
pub mod suppress;
pub mod syntax;
pub mod text;

pub use diagnostic::{Applicability, Diagnostic, Edit, Fix, Related, Severity};
pub use fix::{apply_edits, fix, FixedSource};
pub use input::InputKind;
pub use rules::{rule, rule_url, rules, RuleMeta};
pub use settings::Settings;
pub use syntax::Format;
pub use text::{Encoding, LineCol, LineIndex, TextRange};

/// What one source gave: the kind of input it was taken for and the findings, sorted by position.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Checked {
    pub kind: InputKind,
    pub format: Format,
    pub diagnostics: Vec<Diagnostic>,
}

impl serde::Serialize for Format {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(match self {
            Format::Yaml => "yaml",
            Format::Json => "json",
        })
    }
}

/// Checks one source. `path` is a hint for the format (`.json`, `.yaml`); the kind of input is
/// always decided from the content.
pub fn check(source: &str, path: Option<&str>, settings: &Settings) -> Checked {
    let format = syntax::detect_format(source, path);
    let document = syntax::parse(source, format);
    let input = input::Input::new(source, &document);
    let mut diagnostics = rules::run(&input, settings);
    suppress::apply(&input, settings, &mut diagnostics);
    diagnostics.sort_by(|a, b| {
        (a.range.start, a.range.end, a.code).cmp(&(b.range.start, b.range.end, b.code))
    });
    diagnostics.dedup();
    Checked {
        kind: input.kind,
        format,
        diagnostics,
    }
}
