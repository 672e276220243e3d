//! Glob patterns over paths, as `exclude`, `extend-exclude` and
//! `per-file-ignores` use them: a pattern matches a file or directory when
//! it matches its name (`migrations`, `*_pb2.py`) or its path relative to
//! the directory the pattern was written in (`tests/**`, `app/legacy.py`).

use std::path::{Component, Path, PathBuf};

use globset::{Glob, GlobMatcher};

/// One pattern and the directory it is relative to.
#[derive(Debug, Clone)]
pub(crate) struct PathPattern {
    kind: Kind,
    base: PathBuf,
}

/// How a pattern is matched. A pattern without `/` can only match a name
/// (`*` crosses no directory in a name), so it is matched against names
/// alone, most often as a plain string: this runs on every walked entry.
#[derive(Debug, Clone)]
enum Kind {
    Name(String),
    NameGlob(GlobMatcher),
    PathGlob(GlobMatcher),
}

impl PathPattern {
    /// Compiles `glob`, relative to `base` (an absolute directory).
    pub(crate) fn new(glob: &str, base: &Path) -> Result<Self, globset::Error> {
        let matcher = Glob::new(glob)?.compile_matcher();
        let kind = if glob.contains('/') {
            Kind::PathGlob(matcher)
        } else if glob.contains(['*', '?', '[', '{', '\\']) {
            Kind::NameGlob(matcher)
        } else {
            Kind::Name(glob.to_string())
        };
        Ok(Self {
            kind,
            base: normalize(base),
        })
    }

    /// Whether the pattern can only match names, so that a walk can test
    /// an entry without making its path absolute.
    pub(crate) fn matches_names_only(&self) -> bool {
        !matches!(self.kind, Kind::PathGlob(_))
    }

    /// Whether the pattern matches an entry with this file name.
    pub(crate) fn matches_name(&self, name: &std::ffi::OsStr) -> bool {
        match &self.kind {
            Kind::Name(literal) => name == literal.as_str(),
            Kind::NameGlob(matcher) => matcher.is_match(name),
            Kind::PathGlob(_) => false,
        }
    }

    /// Whether the pattern matches `path` (absolute and normalized) itself.
    pub(crate) fn matches(&self, path: &Path) -> bool {
        match &self.kind {
            Kind::PathGlob(matcher) => path.strip_prefix(&self.base).is_ok_and(|relative| {
                !relative.as_os_str().is_empty() && matcher.is_match(relative)
            }),
            _ => path.file_name().is_some_and(|name| self.matches_name(name)),
        }
    }

    /// Whether the pattern matches `path` or one of its ancestors below the
    /// pattern's directory (a file inside an excluded directory is
    /// excluded).
    pub(crate) fn matches_path_or_ancestor(&self, path: &Path) -> bool {
        path.ancestors()
            .take_while(|ancestor| ancestor.starts_with(&self.base) && *ancestor != self.base)
            .any(|ancestor| self.matches(ancestor))
            || self.matches(path)
    }
}

/// Whether any of `patterns` excludes a walked entry named `name`. `path`
/// gives its absolute path, asked for only when a path glob (`tests/**`)
/// needs it: this runs on every walked entry.
pub(crate) fn excludes_entry(
    patterns: &[PathPattern],
    name: &std::ffi::OsStr,
    path: impl FnOnce() -> PathBuf,
) -> bool {
    if patterns.iter().any(|pattern| pattern.matches_name(name)) {
        return true;
    }
    if patterns.iter().all(PathPattern::matches_names_only) {
        return false;
    }
    let path = path();
    patterns
        .iter()
        .any(|pattern| !pattern.matches_names_only() && pattern.matches(&path))
}

/// Whether `path` is `dir` or below it, as [`Path::starts_with`] says; the
/// common yes is read from the bytes, without splitting components (asked
/// of every file a walk lists).
pub(crate) fn is_within(path: &Path, dir: &Path) -> bool {
    let (bytes, prefix) = (
        path.as_os_str().as_encoded_bytes(),
        dir.as_os_str().as_encoded_bytes(),
    );
    let is_separator = |byte: &u8| std::path::is_separator(char::from(*byte));
    let by_bytes = bytes.starts_with(prefix)
        && (bytes.len() == prefix.len()
            || is_separator(&bytes[prefix.len()])
            || prefix.last().is_some_and(is_separator));
    by_bytes || path.starts_with(dir)
}

/// `path` made absolute against `cwd`, with `.` removed and `..` resolved
/// without touching the file system.
pub(crate) fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    normalize(&cwd.join(path))
}

/// Removes `.` and resolves `..` lexically.
pub(crate) fn normalize(path: &Path) -> PathBuf {
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
    fn within_is_by_whole_components() {
        let within = |path: &str, dir: &str| is_within(Path::new(path), Path::new(dir));
        assert!(within("/a/b/c.py", "/a/b"));
        assert!(within("/a/b/c.py", "/a/b/"));
        assert!(within("/a/b", "/a/b"));
        assert!(within("/a/./b/c.py", "/a/b"));
        assert!(!within("/a/bc/d.py", "/a/b"));
        assert!(!within("/a/b.py", "/a/b"));
        assert!(!within("/x/b/c.py", "/a/b"));
    }

    fn pattern(glob: &str) -> PathPattern {
        PathPattern::new(glob, Path::new("/project")).expect("valid glob")
    }

    #[test]
    fn a_bare_name_matches_at_any_depth() {
        assert!(pattern("migrations").matches(Path::new("/project/app/migrations")));
        assert!(pattern("*_pb2.py").matches(Path::new("/project/x/api_pb2.py")));
        assert!(!pattern("migrations").matches(Path::new("/project/app/views.py")));
    }

    #[test]
    fn a_path_glob_is_relative_to_its_directory() {
        assert!(pattern("tests/**").matches(Path::new("/project/tests/unit/test_a.py")));
        assert!(!pattern("tests/**").matches(Path::new("/project/app/tests/test_a.py")));
        assert!(pattern("app/legacy.py").matches(Path::new("/project/app/legacy.py")));
    }

    #[test]
    fn ancestors_count_for_exclusion() {
        assert!(
            pattern("migrations")
                .matches_path_or_ancestor(Path::new("/project/migrations/0001.py"))
        );
        assert!(!pattern("project").matches_path_or_ancestor(Path::new("/project/app.py")));
    }

    #[test]
    fn normalize_resolves_dots() {
        assert_eq!(
            absolute(Path::new("./a/../b.py"), Path::new("/w")),
            PathBuf::from("/w/b.py")
        );
    }
}
