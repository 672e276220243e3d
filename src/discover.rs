//! Which files to check: the paths named on the command line, and the
//! `*.py` and `*.pyi` files below the directories among them, respecting
//! `.gitignore`, `.ignore`, `.git/info/exclude`, hidden directories and the
//! default excludes.

use std::path::{Component, Path, PathBuf};

use ignore::WalkBuilder;

/// Directories never walked into.
pub const DEFAULT_EXCLUDES: &[&str] = &[
    ".git",
    ".hg",
    ".venv",
    "venv",
    "env",
    "__pycache__",
    "node_modules",
    "build",
    "dist",
    "site-packages",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".ruff_cache",
];

/// A file to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcePath {
    /// Where to read it.
    pub path: PathBuf,
    /// How to name it in reports.
    pub display: String,
}

/// A problem that stops the run before any file is checked.
#[derive(Debug)]
pub struct MissingPath(pub PathBuf);

/// Lists the files to check, sorted by their display name. A walk error
/// (an unreadable directory, a vanished file) is passed to `warn` and the
/// walk goes on.
pub fn discover(
    paths: &[PathBuf],
    warn: &mut dyn FnMut(String),
) -> Result<Vec<SourcePath>, MissingPath> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut files = Vec::new();
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|_| MissingPath(path.clone()))?;
        if !metadata.is_dir() {
            // A file named explicitly is checked whatever its name.
            files.push(source_path(path, &cwd));
            continue;
        }
        for entry in walker(path).build() {
            match entry {
                Ok(entry) => {
                    let is_file = entry.file_type().is_some_and(|kind| kind.is_file());
                    if is_file && is_python(entry.path()) {
                        files.push(source_path(entry.path(), &cwd));
                    }
                }
                Err(error) => warn(format!("warning: {error}")),
            }
        }
    }
    files.sort_by(|a, b| a.display.cmp(&b.display));
    files.dedup_by(|a, b| a.display == b.display);
    Ok(files)
}

fn walker(root: &Path) -> WalkBuilder {
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(true)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .ignore(true)
        .parents(true)
        // `.gitignore` counts outside a git checkout too, as in ruff.
        .require_git(false)
        .follow_links(false)
        .filter_entry(|entry| {
            let is_dir = entry.file_type().is_some_and(|kind| kind.is_dir());
            !(is_dir
                && entry.depth() > 0
                && DEFAULT_EXCLUDES.contains(&entry.file_name().to_string_lossy().as_ref()))
        });
    builder
}

fn is_python(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("py" | "pyi")
    )
}

fn source_path(path: &Path, cwd: &Path) -> SourcePath {
    let absolute = normalize(&cwd.join(path));
    let shown = absolute
        .strip_prefix(cwd)
        .map_or(absolute.as_path(), |relative| relative);
    SourcePath {
        path: path.to_path_buf(),
        display: shown.to_string_lossy().into_owned(),
    }
}

/// Removes `.` and resolves `..` without touching the file system, so that
/// `./app/../app/views.py` is reported as `app/views.py`.
fn normalize(path: &Path) -> PathBuf {
    let mut normal = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                normal.pop();
            }
            other => normal.push(other),
        }
    }
    normal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_relative_under_the_current_directory() {
        let cwd = Path::new("/work/project");
        assert_eq!(
            source_path(Path::new("./app/views.py"), cwd).display,
            "app/views.py"
        );
        assert_eq!(
            source_path(Path::new("/work/project/a.py"), cwd).display,
            "a.py"
        );
        assert_eq!(
            source_path(Path::new("../other/b.py"), cwd).display,
            "/work/other/b.py"
        );
        assert_eq!(source_path(Path::new("app/../x.py"), cwd).display, "x.py");
    }
}
