//! ecrlint's core: from the text of a CloudFormation template, an IAM repository policy or the
//! output of the AWS CLI, to findings with exact ranges and fixes as data.
//!
//! The layers, in the order a source goes through them: `syntax` (one spanned tree per format),
//! `adapt` (what the source is, lowered into the `model`), `rules` (judgements over the model
//! only), and back through the adapter, which renders each remedy for its source. `engine` runs
//! them; `suppress` applies ignores. Pure: no I/O, no threads, no async; builds for
//! `wasm32-unknown-unknown`.
//!
//! ```
//! let source = "Resources:\n  Repo:\n    Type: AWS::ECR::Repository\n";
//! let found = ecrlint_core::check(source, None, &ecrlint_core::Settings::default());
//! assert_eq!(found.diagnostics[0].code, "ECR201");
//! assert!(found.parsed);
//! ```

pub mod adapt;
pub mod diagnostic;
pub mod engine;
pub mod live;
pub mod model;
mod module;
pub mod rules;
pub mod settings;
pub mod suppress;
pub mod syntax;
pub mod text;

pub use adapt::InputKind;
pub use diagnostic::{Applicability, Diagnostic, Edit, Fix, Related, Severity};
pub use engine::{
    apply_edits, check, check_in_module, check_module, fix, fix_in_module, Checked, FixedSource,
    Source,
};
pub use rules::{rule, rule_url, rules, RuleMeta};
pub use settings::Settings;
pub use syntax::Format;
pub use text::{Encoding, LineCol, LineIndex, TextRange};

impl serde::Serialize for Format {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(match self {
            Format::Yaml => "yaml",
            Format::Json => "json",
            Format::Hcl => "hcl",
        })
    }
}
