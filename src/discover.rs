//! Which files to check: the paths named on the command line, and the
//! `*.py` and `*.pyi` files below the directories among them, respecting
//! `.gitignore`, `.ignore`, `.git/info/exclude`, hidden directories and the
//! excludes.

use std::path::{Path, PathBuf};

use ignore::WalkBuilder;

use crate::patterns::{PathPattern, absolute};

/// Directories and files never walked into unless `exclude` replaces them.
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

/// How to walk.
#[derive(Debug, Clone)]
pub struct DiscoveryOptions {
    /// Excluded files and directories.
    pub excludes: Vec<PathPattern>,
    /// Whether `.gitignore` and friends count.
    pub respect_gitignore: bool,
    /// Whether excludes apply to files named on the command line too.
    pub force_exclude: bool,
}

impl DiscoveryOptions {
    /// Whether `path` (absolute) or a directory it is in is excluded.
    pub fn is_excluded(&self, path: &Path) -> bool {
        self.excludes
            .iter()
            .any(|pattern| pattern.matches_path_or_ancestor(path))
    }
}

/// A file to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcePath {
    /// Where to read it.
    pub path: PathBuf,
    /// Its absolute, normalized path, for pattern matching.
    pub absolute: PathBuf,
    /// How to name it in reports.
    pub display: String,
}

impl SourcePath {
    /// A file at `path`, named relative to `cwd` when under it.
    pub fn new(path: &Path, cwd: &Path) -> Self {
        let absolute = absolute(path, cwd);
        let shown = absolute
            .strip_prefix(cwd)
            .map_or(absolute.as_path(), |relative| relative);
        Self {
            path: path.to_path_buf(),
            display: shown.to_string_lossy().into_owned(),
            absolute: absolute.clone(),
        }
    }
}

/// A path named on the command line that does not exist.
#[derive(Debug)]
pub struct MissingPath(pub PathBuf);

/// Lists the files to check, sorted by their display name. A walk error
/// (an unreadable directory, a symlink loop, a vanished file) is passed to
/// `warn` and the walk goes on.
pub fn discover(
    paths: &[PathBuf],
    options: &DiscoveryOptions,
    cwd: &Path,
    warn: &mut dyn FnMut(String),
) -> Result<Vec<SourcePath>, MissingPath> {
    let mut files = Vec::new();
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|_| MissingPath(path.clone()))?;
        let file = SourcePath::new(path, cwd);
        if options.force_exclude && options.is_excluded(&file.absolute) {
            continue;
        }
        if !metadata.is_dir() {
            // A file named explicitly is checked whatever its name.
            files.push(file);
            continue;
        }
        for entry in walker(path, options, cwd).build() {
            match entry {
                Ok(entry) => {
                    // A symlink is not followed by the walk (no loops), but a
                    // symlinked `.py` is checked; reading refuses what is not
                    // a regular file behind it.
                    let is_file = entry
                        .file_type()
                        .is_some_and(|kind| kind.is_file() || kind.is_symlink());
                    if is_file && is_python(entry.path()) {
                        files.push(SourcePath::new(entry.path(), cwd));
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

fn walker(root: &Path, options: &DiscoveryOptions, cwd: &Path) -> WalkBuilder {
    let mut builder = WalkBuilder::new(root);
    let excludes = options.excludes.clone();
    let cwd = cwd.to_path_buf();
    builder
        .hidden(true)
        .git_ignore(options.respect_gitignore)
        .git_exclude(options.respect_gitignore)
        .ignore(options.respect_gitignore)
        .parents(options.respect_gitignore)
        .git_global(false)
        // `.gitignore` counts outside a git checkout too, as in ruff.
        .require_git(false)
        .follow_links(false)
        .filter_entry(move |entry| {
            if entry.depth() == 0 {
                return true;
            }
            let name = entry.file_name();
            if excludes.iter().any(|pattern| pattern.matches_name(name)) {
                return false;
            }
            // Only path globs (`tests/**`) need the entry's absolute path.
            if excludes.iter().all(PathPattern::matches_names_only) {
                return true;
            }
            let path = absolute(entry.path(), &cwd);
            !excludes
                .iter()
                .any(|pattern| !pattern.matches_names_only() && pattern.matches(&path))
        });
    builder
}

fn is_python(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("py" | "pyi")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_relative_under_the_current_directory() {
        let cwd = Path::new("/work/project");
        let shown = |path: &str| SourcePath::new(Path::new(path), cwd).display;
        assert_eq!(shown("./app/views.py"), "app/views.py");
        assert_eq!(shown("/work/project/a.py"), "a.py");
        assert_eq!(shown("../other/b.py"), "/work/other/b.py");
        assert_eq!(shown("app/../x.py"), "x.py");
    }
}
