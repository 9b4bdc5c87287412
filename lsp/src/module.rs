//! The other files of a Terraform module, in the order Terraform reads them, and the files of the
//! local modules it calls: a `.tf` file is checked with them (its variables may be declared in
//! `variables.tf`, their values set in `terraform.tfvars`, its repositories declared in
//! `./modules/ecr`). Shared by the server and the CLI.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A `.tf`, `.tf.json` or `.tfvars` file: one file of a Terraform module.
pub fn is_terraform(path: &Path) -> bool {
    let json = path.file_name().is_some_and(|n| {
        n.to_string_lossy()
            .to_ascii_lowercase()
            .ends_with(".tf.json")
    });
    json || path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("tf") || e.eq_ignore_ascii_case("tfvars"))
}

/// The folder's other `.tf` and `.tf.json` files by name, then `terraform.tfvars`, then the
/// `*.auto.tfvars` files by name. Empty for a file that is not Terraform's.
pub fn sibling_paths(path: &Path) -> Vec<PathBuf> {
    if !is_terraform(path) {
        return Vec::new();
    }
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&folder)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    paths.sort();
    let name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let own = name(path);
    let pick = |wanted: &dyn Fn(&str) -> bool| -> Vec<PathBuf> {
        paths
            .iter()
            .filter(|p| {
                let n = name(p);
                n != own && wanted(&n)
            })
            .cloned()
            .collect()
    };
    let mut ordered = pick(&|n| n.ends_with(".tf") || n.ends_with(".tf.json"));
    ordered.extend(pick(&|n| n == "terraform.tfvars"));
    ordered.extend(pick(&|n| n.ends_with(".auto.tfvars")));
    ordered
}

/// The files a Terraform file reads with `file("…")` or `templatefile("…", …)` where the path
/// is written literally (`"policy.json"`, `"${path.module}/policy.json"`), relative to its folder.
/// A textual scan: cheap, and what it misses (a computed path) core reports as unknown.
pub fn data_file_paths(path: &Path, text: &str) -> Vec<PathBuf> {
    if !is_terraform(path) {
        return Vec::new();
    }
    let folder = path.parent().unwrap_or(Path::new("."));
    let mut found = Vec::new();
    for call in ["templatefile(", "file("] {
        let mut rest = text;
        while let Some(at) = rest.find(call) {
            let before = rest[..at].chars().next_back();
            let after = &rest[at + call.len()..];
            rest = after;
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                continue;
            }
            let Some(quoted) = after.trim_start().strip_prefix('"') else {
                continue;
            };
            let Some(end) = quoted.find('"') else {
                continue;
            };
            let written = &quoted[..end];
            let relative = written
                .strip_prefix("${path.module}/")
                .unwrap_or(written)
                .trim_start_matches("./");
            if relative.is_empty() || relative.contains("${") || relative.contains('\\') {
                continue;
            }
            let file = folder.join(relative);
            if !found.contains(&file) {
                found.push(file);
            }
        }
    }
    found
}

/// Local modules followed this deep at most, as core follows them.
const MAX_MODULE_DEPTH: usize = 16;

/// The `.tf` files of the local modules the Terraform file at `path` calls, found in its own
/// `text` and in its `.tf` siblings' (`siblings`: path and text, as read).
pub fn called_module_paths<'t>(
    path: &Path,
    text: &'t str,
    siblings: impl IntoIterator<Item = (&'t Path, &'t str)>,
) -> Vec<PathBuf> {
    let folder = path.parent().unwrap_or(Path::new("."));
    let own: Vec<&str> = std::iter::once(text)
        .chain(
            siblings
                .into_iter()
                .filter(|(p, _)| p.extension().is_some_and(|e| e == "tf"))
                .map(|(_, t)| t),
        )
        .collect();
    module_file_paths(folder, &own)
}

/// The `.tf` files of the local modules a module calls (`source = "./modules/ecr"` or
/// `"../ecr"`), and of the modules those call, by name, folder after folder: each folder once (a
/// module that calls itself, or two that call each other, end there), at most
/// [`MAX_MODULE_DEPTH`] deep. `texts` are the module's own `.tf` files, `folder` its folder. A
/// textual scan: a module it misses stays unknown to core.
pub fn module_file_paths(folder: &Path, texts: &[&str]) -> Vec<PathBuf> {
    let identity = |p: &Path| {
        let p = if p.as_os_str().is_empty() {
            Path::new(".")
        } else {
            p
        };
        std::fs::canonicalize(p).unwrap_or_else(|_| lexical(p))
    };
    let mut seen = vec![identity(folder)];
    let mut found = Vec::new();
    let mut pending: Vec<(PathBuf, Vec<String>, usize)> = vec![(
        folder.to_path_buf(),
        texts.iter().map(|t| t.to_string()).collect(),
        0,
    )];
    while let Some((from, texts, depth)) = pending.pop() {
        if depth >= MAX_MODULE_DEPTH {
            continue;
        }
        for source in texts.iter().flat_map(|t| local_sources(t)) {
            let child = lexical(&from.join(source));
            let id = identity(&child);
            if seen.contains(&id) {
                continue;
            }
            seen.push(id);
            let files = tf_files(&child);
            let child_texts = files
                .iter()
                .filter_map(|p| std::fs::read_to_string(p).ok())
                .collect();
            found.extend(files);
            pending.insert(0, (child, child_texts, depth + 1));
        }
    }
    found
}

/// The local paths a text gives as `source = "./…"` or `"../…"` (a `module` block's source).
fn local_sources(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|line| {
            let rest = line.trim_start().strip_prefix("source")?.trim_start();
            let quoted = rest.strip_prefix('=')?.trim_start().strip_prefix('"')?;
            let value = &quoted[..quoted.find('"')?];
            (value.starts_with("./") || value.starts_with("../")).then_some(value)
        })
        .collect()
}

/// The `.tf` files of a folder, by name.
fn tf_files(folder: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "tf"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// A path with `.` steps and `a/..` taken out, as the module names it (`m/modules/ecr`, not
/// `m/./modules/ecr`).
fn lexical(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// The texts of a file's siblings ([`sibling_paths`]), of the files it reads with `file()`, and
/// of the local modules the module calls ([`module_file_paths`]): an open document's text where
/// the editor has one (`open`), else the file on disk; files that cannot be read are left out.
pub fn sibling_texts(
    path: &Path,
    text: &str,
    open: &[(PathBuf, Arc<String>)],
) -> Vec<(String, Arc<String>)> {
    let mut paths = sibling_paths(path);
    paths.extend(data_file_paths(path, text));
    let read = |p: PathBuf| {
        let text = match open.iter().find(|(o, _)| *o == p) {
            Some((_, text)) => text.clone(),
            None => Arc::new(std::fs::read_to_string(&p).ok()?),
        };
        Some((p, text))
    };
    let mut texts: Vec<(PathBuf, Arc<String>)> = paths.into_iter().filter_map(read).collect();
    if is_terraform(path) {
        let siblings = texts.iter().map(|(p, t)| (p.as_path(), t.as_str()));
        let modules = called_module_paths(path, text, siblings);
        texts.extend(modules.into_iter().filter_map(read));
    }
    texts
        .into_iter()
        .map(|(p, text)| (p.to_string_lossy().into_owned(), text))
        .collect()
}

/// The siblings as core takes them.
pub use ecrlint_ide::sources;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn siblings_come_in_terraform_order() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "variables.tf",
            "main.tf",
            "b.auto.tfvars",
            "terraform.tfvars",
            "a.auto.tfvars",
            "other.tfvars",
            "README.md",
        ] {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        let names: Vec<String> = sibling_paths(&dir.path().join("main.tf"))
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "variables.tf",
                "terraform.tfvars",
                "a.auto.tfvars",
                "b.auto.tfvars"
            ]
        );
        assert!(sibling_paths(&dir.path().join("README.md")).is_empty());
    }

    #[test]
    fn local_modules_are_found_folder_by_folder_once() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("infra");
        for (name, text) in [
            ("infra/main.tf", ""),
            ("infra/modules/ecr/main.tf", "module \"self\" {\n  source = \"./\"\n}\nmodule \"up\" {\n  source = \"../../\"\n}\nmodule \"policy\" {\n  source = \"../policy\"\n}\n"),
            ("infra/modules/ecr/variables.tf", ""),
            ("infra/modules/ecr/README.md", ""),
            ("infra/modules/policy/main.tf", "module \"ecr\" {\n  source = \"../ecr\"\n}\n"),
        ] {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let caller = "module \"ecr\" {\n  source  = \"./modules/ecr\"\n}\nmodule \"vpc\" {\n  source = \"terraform-aws-modules/vpc/aws\"\n}\n";
        let found: Vec<String> = module_file_paths(&root, &[caller])
            .iter()
            .map(|p| {
                p.strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(
            found,
            [
                "modules/ecr/main.tf",
                "modules/ecr/variables.tf",
                "modules/policy/main.tf"
            ]
        );
    }

    #[test]
    fn data_files_are_the_literal_paths_of_file_calls() {
        let text = "a = file(\"policy.json\")\nb = templatefile(\"${path.module}/t/p.json.tpl\", {})\nc = file(\"./policy.json\")\nd = file(var.x)\ne = myfile(\"no.json\")\nf = file(\"${var.d}/x\")\n";
        let found = data_file_paths(Path::new("m/main.tf"), text);
        assert_eq!(
            found,
            [
                PathBuf::from("m/t/p.json.tpl"),
                PathBuf::from("m/policy.json")
            ]
        );
    }
}
