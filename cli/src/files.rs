//! Finding the files to check and reading them: folders walked honouring .gitignore; files that
//! are not UTF-8 text become findings with a position, not crashes.

use std::path::{Path, PathBuf};

use ecrlint_core::syntax::MAX_INPUT_BYTES;

const EXTENSIONS: &[&str] = &["yaml", "yml", "json", "template", "tf", "tfvars"];

/// A file to check, and whether the user named it (named files are always reported on; files
/// found by walking are reported only when they are templates, policies or CLI output).
pub struct Target {
    pub path: PathBuf,
    pub named: bool,
}

pub fn collect(paths: &[PathBuf]) -> Result<Vec<Target>, String> {
    let mut targets = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            targets.push(Target {
                path: path.clone(),
                named: true,
            });
            continue;
        }
        let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
        if meta.is_file() {
            targets.push(Target {
                path: path.clone(),
                named: true,
            });
            continue;
        }
        let mut found = Vec::new();
        for entry in ignore::WalkBuilder::new(path).build() {
            let entry = entry.map_err(|e| e.to_string())?;
            let p = entry.path();
            let wanted = entry.file_type().is_some_and(|t| t.is_file())
                && p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()));
            if wanted {
                found.push(Target {
                    path: p.to_path_buf(),
                    named: false,
                });
            }
        }
        found.sort_by(|a, b| a.path.cmp(&b.path));
        targets.extend(found);
    }
    Ok(targets)
}

/// The text of a file, or why it cannot be checked and where (1-based row and column).
pub enum Content {
    Text(String),
    Unreadable {
        message: String,
        row: usize,
        column: usize,
    },
}

fn unreadable(message: String, bytes: &[u8], offset: usize) -> Content {
    let before = String::from_utf8_lossy(&bytes[..offset.min(bytes.len())]);
    let row = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(0, |line| line.chars().count())
        + 1;
    Content::Unreadable {
        message,
        row,
        column,
    }
}

pub fn read(path: &Path) -> std::io::Result<Content> {
    let bytes = if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut buf)?;
        buf
    } else {
        let len = std::fs::metadata(path)?.len();
        if len > MAX_INPUT_BYTES as u64 {
            let message = format!(
                "the file is {:.1} MB; ecrlint reads at most {} MiB (CloudFormation itself accepts at most 1 MB)",
                len as f64 / 1_000_000.0,
                MAX_INPUT_BYTES / (1024 * 1024)
            );
            return Ok(unreadable(message, &[], 0));
        }
        std::fs::read(path)?
    };
    Ok(decode(bytes))
}

pub fn decode(bytes: Vec<u8>) -> Content {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return unreadable(
            "the file is UTF-16; CloudFormation and ecrlint read UTF-8".into(),
            &bytes,
            0,
        );
    }
    if let Some(at) = bytes.iter().take(8192).position(|&b| b == 0) {
        let message = "the file is binary (it holds a NUL byte), not a template or policy".into();
        return unreadable(message, &bytes, at);
    }
    match String::from_utf8(bytes) {
        Ok(text) => Content::Text(text),
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let message = format!(
                "the file is not valid UTF-8 (byte 0x{:02X})",
                e.as_bytes()[offset]
            );
            unreadable(message, e.as_bytes(), offset)
        }
    }
}

pub use ecrlint_lsp::module::is_terraform;

/// The other files of the Terraform module a `.tf` or `.tfvars` file belongs to, in the order
/// Terraform reads them (`ecrlint_lsp::module::sibling_paths`), then the `--var-file`s, then the
/// files `text` reads with `file()`, then the `.tf` files of the local modules the module calls
/// (`ecrlint_lsp::module::module_file_paths`). A sibling that cannot be read is left out: it is
/// reported when it is checked itself.
/// The rest of the module of several `.tf` files of one folder (`members`: path and text), read
/// once for all of them: the folder's other files, the var files, the files each member reads
/// with `file()`, and the files of the local modules they call.
pub fn module_rest(members: &[(&Path, &str)], var_files: &[PathBuf]) -> Vec<(PathBuf, String)> {
    let Some(((first, first_text), rest)) = members.split_first() else {
        return Vec::new();
    };
    let member = |p: &Path| members.iter().any(|(m, _)| m.file_name() == p.file_name());
    let mut ordered: Vec<PathBuf> = ecrlint_lsp::module::sibling_paths(first)
        .into_iter()
        .filter(|p| !member(p))
        .collect();
    ordered.extend(var_files.iter().cloned());
    for (path, text) in members {
        for data in ecrlint_lsp::module::data_file_paths(path, text) {
            if !ordered.contains(&data) {
                ordered.push(data);
            }
        }
    }
    let mut texts: Vec<(PathBuf, String)> = ordered.into_iter().filter_map(read_shown).collect();
    let siblings = rest
        .iter()
        .map(|(p, t)| (*p, *t))
        .chain(texts.iter().map(|(p, t)| (p.as_path(), t.as_str())));
    let modules = ecrlint_lsp::module::called_module_paths(first, first_text, siblings);
    texts.extend(modules.into_iter().filter_map(read_shown));
    texts
}

/// A file's text, under the name it is shown by, when it can be read as text.
fn read_shown(p: PathBuf) -> Option<(PathBuf, String)> {
    let shown = p.strip_prefix("./").unwrap_or(&p);
    let shown = PathBuf::from(shown.to_string_lossy().replace('\\', "/"));
    match read(&p) {
        Ok(Content::Text(text)) => Some((shown, text)),
        _ => None,
    }
}

pub fn module_siblings(path: &Path, text: &str, var_files: &[PathBuf]) -> Vec<(PathBuf, String)> {
    if !is_terraform(path) || path.as_os_str() == "-" {
        return Vec::new();
    }
    let mut ordered = ecrlint_lsp::module::sibling_paths(path);
    ordered.extend(var_files.iter().cloned());
    // And the files it reads with `file()`.
    ordered.extend(ecrlint_lsp::module::data_file_paths(path, text));
    let mut texts: Vec<(PathBuf, String)> = ordered.into_iter().filter_map(read_shown).collect();
    let siblings = texts.iter().map(|(p, t)| (p.as_path(), t.as_str()));
    let modules = ecrlint_lsp::module::called_module_paths(path, text, siblings);
    texts.extend(modules.into_iter().filter_map(read_shown));
    texts
}
