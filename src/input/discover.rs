//! Which files to check: the paths named on the command line, and the
//! `*.py` and `*.pyi` files below the directories among them, respecting
//! `.gitignore`, `.ignore`, `.git/info/exclude`, hidden directories and the
//! excludes of each directory's configuration.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use ignore::WalkBuilder;

use crate::config::file::ConfigError;
use crate::config::patterns::{absolute, excludes_entry, is_within};
use crate::config::settings::{Configurations, Scope};
use crate::input::read::{read_regular_file, read_source};
use crate::input::walk::walk_parallel;

/// A file to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SourcePath {
    /// Where to read it.
    pub(crate) path: PathBuf,
    /// Its absolute, normalized path, for pattern matching.
    pub(crate) absolute: PathBuf,
    /// How to name it in reports.
    pub(crate) display: String,
    /// Whether the directory walk saw a regular file there (not a symlink):
    /// it can be opened before it is asked what it is.
    pub(crate) walked_regular: bool,
    /// Whether it is a Jinja template rather than Python.
    pub(crate) template: bool,
}

impl SourcePath {
    /// A file at `path`, named relative to `cwd` when under it.
    pub(crate) fn new(path: &Path, cwd: &Path) -> Self {
        let absolute = absolute(path, cwd);
        let shown = absolute
            .strip_prefix(cwd)
            .map_or(absolute.as_path(), |relative| relative);
        Self {
            path: path.to_path_buf(),
            display: shown.to_string_lossy().into_owned(),
            absolute: absolute.clone(),
            walked_regular: false,
            template: false,
        }
    }
}

impl SourcePath {
    /// The file's bytes, or why it cannot be checked: opened first when
    /// the walk saw a regular file there, asked what it is first else.
    pub(crate) fn read(&self, max_size: u64) -> Result<Vec<u8>, String> {
        if self.walked_regular {
            read_regular_file(&self.path, max_size)
        } else {
            read_source(&self.path, max_size)
        }
    }
}

/// A file to check, and the configuration it is checked with.
#[derive(Debug, Clone)]
pub(crate) struct FileToCheck {
    /// The file.
    pub(crate) source: SourcePath,
    /// The configuration of its directory.
    pub(crate) scope: Arc<Scope>,
}

/// Why the files could not be listed.
#[derive(Debug)]
pub(crate) enum DiscoveryError {
    /// A path named on the command line does not exist.
    MissingPath(PathBuf),
    /// A configuration file met on the way is invalid.
    Config(ConfigError),
}

impl From<ConfigError> for DiscoveryError {
    fn from(error: ConfigError) -> Self {
        Self::Config(error)
    }
}

/// What discovery found.
#[derive(Debug, Default)]
pub(crate) struct Discovered {
    /// The files to check, sorted by their display name.
    pub(crate) files: Vec<FileToCheck>,
    /// What the walks saw, for a later stage that would walk the same
    /// directories again.
    pub(crate) walked: WalkedFiles,
}

/// The directories discovery walked whole, and the regular files it
/// admitted below them besides the files to check: those the caller
/// asked for by name. With the files to check the walk found (those
/// `walked_regular`), they are every file it admitted.
#[derive(Debug, Default)]
pub(crate) struct WalkedFiles {
    /// The walked directories (absolute).
    pub(crate) dirs: Vec<PathBuf>,
    /// The files the caller asked for (absolute), in the order of their
    /// bytes.
    pub(crate) files: Vec<PathBuf>,
}

impl WalkedFiles {
    /// Whether every file below `dir` that discovery admits is listed.
    pub(crate) fn covers(&self, dir: &Path) -> bool {
        self.dirs.iter().any(|walked| is_within(dir, walked))
    }
}

/// Lists the files to check, sorted by their display name, each with the
/// configuration of its directory; each directory's excludes apply below
/// it. Other files `also_keep` asks for are listed in what was walked.
/// A walk error (an unreadable directory, a symlink loop, a vanished
/// file) is passed to `warn` and the walk goes on. Directories are walked
/// on all cores.
pub(crate) fn discover(
    paths: &[PathBuf],
    configurations: &Arc<Configurations>,
    force_exclude: bool,
    cwd: &Path,
    also_keep: &(dyn Fn(&Path) -> bool + Sync),
    warn: &mut dyn FnMut(String),
) -> Result<Discovered, DiscoveryError> {
    let mut files = Vec::new();
    let mut walked = WalkedFiles::default();
    for path in paths {
        let metadata =
            std::fs::metadata(path).map_err(|_| DiscoveryError::MissingPath(path.clone()))?;
        let source = SourcePath::new(path, cwd);
        if !metadata.is_dir() {
            let scope = configurations.for_file(&source.absolute)?;
            // A file named explicitly is checked whatever its name.
            if !(force_exclude && scope.is_excluded(&source.absolute)) {
                files.push(FileToCheck { source, scope });
            }
            continue;
        }
        let scope = configurations.for_dir(&source.absolute)?;
        if force_exclude && scope.is_excluded(&source.absolute) {
            continue;
        }
        let walk = Walk::new(configurations.clone(), cwd);
        let found = walk_parallel(&walker(path, scope.respect_gitignore, &walk), &|entry| {
            Found::of(entry, &walk, cwd, also_keep)
        });
        for warning in found.warnings {
            warn(warning);
        }
        if let Some(error) = found.error {
            return Err(error.into());
        }
        for found in found.kept {
            match found {
                Found::Check(file) => files.push(file),
                Found::Kept(path) => walked.files.push(path),
            }
        }
        walked.dirs.push(source.absolute);
    }
    files.sort_by(|a, b| a.source.display.cmp(&b.source.display));
    files.dedup_by(|a, b| a.source.display == b.source.display);
    walked
        .files
        .sort_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
    walked.files.dedup();
    Ok(Discovered { files, walked })
}

/// One entry of a walk that discovery keeps.
enum Found {
    /// A Python file to check.
    Check(FileToCheck),
    /// A file `also_keep` asked for (absolute).
    Kept(PathBuf),
}

impl Found {
    /// What a walked entry is for discovery, if anything.
    fn of(
        entry: &ignore::DirEntry,
        walk: &Walk,
        cwd: &Path,
        also_keep: &(dyn Fn(&Path) -> bool + Sync),
    ) -> Result<Option<Self>, ConfigError> {
        if entry.depth() == 0 {
            return Ok(None); // the directory walked
        }
        // An invalid configuration of the entry's directory is reported
        // here (the walk's filter lets the entry through for that), and
        // the walk does not enter the entry.
        let scope = walk.scope_of(entry.path())?;
        // A symlink is not followed by the walk (no loops), but a
        // symlinked `.py` is checked; reading refuses what is not a
        // regular file behind it.
        let kind = entry.file_type();
        let regular = kind.is_some_and(|kind| kind.is_file());
        let is_file = regular || kind.is_some_and(|kind| kind.is_symlink());
        if is_file && is_python(entry.path()) {
            let mut source = SourcePath::new(entry.path(), cwd);
            source.walked_regular = regular;
            return Ok(Some(Self::Check(FileToCheck { source, scope })));
        }
        if !regular {
            return Ok(None);
        }
        let path = absolute(entry.path(), cwd);
        Ok(also_keep(&path).then_some(Self::Kept(path)))
    }
}

/// What the walk's filter shares with the visits of its entries.
struct Walk {
    /// Tells this walk's entry in a thread's [`LAST_SCOPE`] from another's.
    id: u64,
    configurations: Arc<Configurations>,
    cwd: PathBuf,
}

thread_local! {
    /// The walk, directory and scope a walker thread last asked about: its
    /// entries come directory by directory, so most questions repeat the
    /// last one. Per thread, as a shared one would be a lock every thread
    /// waits on.
    static LAST_SCOPE: RefCell<Option<(u64, PathBuf, Arc<Scope>)>> = const { RefCell::new(None) };
}

impl Walk {
    fn new(configurations: Arc<Configurations>, cwd: &Path) -> Arc<Self> {
        static NEXT_ID: AtomicU64 = AtomicU64::new(0);
        Arc::new(Self {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            configurations,
            cwd: cwd.to_path_buf(),
        })
    }

    /// The scope of the directory holding the walked entry `path`.
    fn scope_of(&self, path: &Path) -> Result<Arc<Scope>, ConfigError> {
        let dir = path.parent().unwrap_or(Path::new(""));
        let known = LAST_SCOPE.with_borrow(|last| match last {
            Some((id, last_dir, scope)) if *id == self.id && last_dir == dir => Some(scope.clone()),
            _ => None,
        });
        if let Some(scope) = known {
            return Ok(scope);
        }
        let scope = self.configurations.for_dir(&absolute(dir, &self.cwd))?;
        LAST_SCOPE.set(Some((self.id, dir.to_path_buf(), scope.clone())));
        Ok(scope)
    }

    /// Whether the walk yields `entry`, by the excludes of its directory.
    /// An entry whose directory's configuration is invalid is yielded, for
    /// [`Found::of`] to report the error.
    fn admits(&self, entry: &ignore::DirEntry) -> bool {
        match self.scope_of(entry.path()) {
            Ok(scope) => !excludes_entry(&scope.excludes, entry.file_name(), || {
                absolute(entry.path(), &self.cwd)
            }),
            Err(_) => true,
        }
    }
}

fn walker(root: &Path, respect_gitignore: bool, walk: &Arc<Walk>) -> WalkBuilder {
    let mut builder = WalkBuilder::new(root);
    let walk = walk.clone();
    builder
        .hidden(true)
        .git_ignore(respect_gitignore)
        .git_exclude(respect_gitignore)
        .ignore(respect_gitignore)
        .parents(respect_gitignore)
        .git_global(false)
        // `.gitignore` counts outside a git checkout too, as in ruff.
        .require_git(false)
        .follow_links(false)
        .filter_entry(move |entry| entry.depth() == 0 || walk.admits(entry));
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
