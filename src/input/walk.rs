//! A directory walk on every core. Listing directories is system calls,
//! one directory at a time: on a monorepo, a walk on one thread leaves the
//! other cores idle for tens of milliseconds before any file is read.

use std::sync::Mutex;

use ignore::{DirEntry, WalkBuilder, WalkState};

use crate::sync::lock;

/// What a parallel walk kept, in no particular order (the caller sorts).
pub(crate) struct Walked<T, E> {
    pub(crate) kept: Vec<T>,
    /// The walk's own errors (an unreadable directory, a symlink loop), as
    /// messages sorted so that runs print them alike.
    pub(crate) warnings: Vec<String>,
    /// Of the errors `keep` gave, the least by `Ord`. The walk goes on past
    /// an error (not into the entry that gave it), so that the errors met,
    /// and the one reported, do not depend on which thread went first.
    pub(crate) error: Option<E>,
}

impl<T, E: Ord> Walked<T, E> {
    fn keep_least(&mut self, error: E) {
        self.error = Some(match self.error.take() {
            Some(other) => other.min(error),
            None => error,
        });
    }
}

impl<T, E> Default for Walked<T, E> {
    fn default() -> Self {
        Self {
            kept: Vec::new(),
            warnings: Vec::new(),
            error: None,
        }
    }
}

/// Walks `builder`'s paths on all cores; `keep` says what an entry is to
/// the caller, or gives an error.
pub(crate) fn walk_parallel<T, E>(
    builder: &WalkBuilder,
    keep: &(dyn Fn(&DirEntry) -> Result<Option<T>, E> + Sync),
) -> Walked<T, E>
where
    T: Send,
    E: Send + Ord,
{
    let shared = Mutex::new(Walked::default());
    builder.build_parallel().run(|| {
        let mut local = Local {
            walked: Walked::default(),
            shared: &shared,
        };
        Box::new(move |entry| {
            let entry = match entry {
                Ok(entry) => entry,
                Err(error) => {
                    local.walked.warnings.push(format!("warning: {error}"));
                    return WalkState::Continue;
                }
            };
            match keep(&entry) {
                Ok(Some(found)) => local.walked.kept.push(found),
                Ok(None) => {}
                Err(error) => {
                    local.walked.keep_least(error);
                    return WalkState::Skip;
                }
            }
            WalkState::Continue
        })
    });
    let mut walked = shared
        .into_inner()
        .unwrap_or_else(|poison| poison.into_inner());
    walked.warnings.sort();
    walked
}

/// One thread's findings, merged into the walk's when the thread is done
/// (the walker drops each thread's visitor then).
struct Local<'a, T, E: Ord> {
    walked: Walked<T, E>,
    shared: &'a Mutex<Walked<T, E>>,
}

impl<T, E: Ord> Drop for Local<'_, T, E> {
    fn drop(&mut self) {
        let mut shared = lock(self.shared);
        shared.kept.append(&mut self.walked.kept);
        shared.warnings.append(&mut self.walked.warnings);
        if let Some(error) = self.walked.error.take() {
            shared.keep_least(error);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_is_visited_and_the_least_error_is_kept() {
        let dir = tempfile::tempdir().expect("temporary directory");
        for package in ["a", "b", "c", "d"] {
            for module in ["x", "y"] {
                let path = dir.path().join(package).join(format!("{module}.py"));
                std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
                std::fs::write(path, "").expect("write");
            }
        }
        let name = |entry: &DirEntry| entry.file_name().to_string_lossy().into_owned();
        for _ in 0..20 {
            let walked = walk_parallel(&WalkBuilder::new(dir.path()), &|entry| {
                let is_file = entry.file_type().is_some_and(|kind| kind.is_file());
                let package = entry
                    .path()
                    .parent()
                    .map(|p| p.ends_with("b") || p.ends_with("d"));
                match (is_file, package) {
                    (true, Some(true)) => Err(entry.path().display().to_string()),
                    (true, _) => Ok(Some(name(entry))),
                    _ => Ok(None),
                }
            });
            assert_eq!(walked.kept.len(), 4);
            let error = walked.error.expect("an error");
            assert!(error.ends_with("b/x.py"), "{error}");
        }
    }
}
