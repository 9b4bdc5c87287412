//! What a check reports: a diagnostic at a byte range, and the fix that goes with it as plain data.

use serde::{Deserialize, Serialize};

use crate::text::TextRange;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Keeps the template's meaning apart from the insecure part: applied by `--fix`.
    Safe,
    /// Changes behaviour beyond the finding: applied only with `--unsafe-fixes`.
    Unsafe,
}

/// Replace `range` with `content`. An insertion has an empty range, a deletion empty content.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Edit {
    pub range: TextRange,
    pub content: String,
}

impl Edit {
    pub fn replace(range: TextRange, content: impl Into<String>) -> Self {
        Edit {
            range,
            content: content.into(),
        }
    }

    pub fn insert(at: u32, content: impl Into<String>) -> Self {
        Edit::replace(TextRange::empty(at), content)
    }

    pub fn delete(range: TextRange) -> Self {
        Edit::replace(range, String::new())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Fix {
    /// What the fix does, in the imperative: "Set `ImageTagMutability` to `IMMUTABLE`".
    pub title: String,
    pub applicability: Applicability,
    /// Non-overlapping edits, sorted by position.
    pub edits: Vec<Edit>,
}

/// A second place that explains a finding, e.g. the parameter whose `Default` makes tags mutable.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Related {
    pub range: TextRange,
    pub message: String,
    /// The other file of the module the range is in (a Terraform variable's default in
    /// `variables.tf`); `None` for the file of the finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

impl Related {
    pub fn new(range: TextRange, message: impl Into<String>) -> Self {
        Related {
            range,
            message: message.into(),
            file: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Diagnostic {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    pub range: TextRange,
    pub fix: Option<Fix>,
    pub related: Vec<Related>,
    /// For a repository that exists, the `aws ecr` command that changes it (also in the message).
    #[serde(skip)]
    pub command: Option<String>,
}

impl Fix {
    pub fn safe(title: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix::new(title, Applicability::Safe, edits)
    }

    pub fn unsafe_(title: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix::new(title, Applicability::Unsafe, edits)
    }

    fn new(title: impl Into<String>, applicability: Applicability, mut edits: Vec<Edit>) -> Self {
        edits.sort_by_key(|e| (e.range.start, e.range.end));
        Fix {
            title: title.into(),
            applicability,
            edits,
        }
    }
}
