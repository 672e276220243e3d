//! A directory walk on every core. Listing directories is system calls,
//! one directory at a time: on a monorepo, a walk on one thread leaves the
//! other cores idle for tens of milliseconds before any file is read.

use std::sync::Mutex;

use ignore::{DirEntry, WalkBuilder, WalkState};

/// What a parallel walk kept, in no particular order (the caller sorts).
pub(crate) struct Walked<T, E> {
    pub(crate) kept: Vec<T>,
    /// The walk's own errors (an unreadable directory, a symlink loop), as
    /// messages sorted so that runs print them alike.
    pub(crate) warnings: Vec<String>,
    /// The error that stopped the walk: of several, the least by `Ord`, so
    /// the same one whichever thread met it first.
    pub(crate) error: Option<E>,
}

/// Walks `builder`'s paths on all cores; `keep` says what an entry is to
/// the caller, or stops the walk with an error.
pub(crate) fn walk_parallel<T, E>(
    builder: &WalkBuilder,
    keep: &(dyn Fn(&DirEntry) -> Result<Option<T>, E> + Sync),
) -> Walked<T, E>
where
    T: Send,
    E: Send + Ord,
{
    let shared = Mutex::new(Walked {
        kept: Vec::new(),
        warnings: Vec::new(),
        error: None,
    });
    builder.build_parallel().run(|| {
        let mut local = Local {
            walked: Walked {
                kept: Vec::new(),
                warnings: Vec::new(),
                error: None,
            },
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
                    local.walked.error = Some(error);
                    return WalkState::Quit;
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
        let mut shared = self
            .shared
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        shared.kept.append(&mut self.walked.kept);
        shared.warnings.append(&mut self.walked.warnings);
        if let Some(error) = self.walked.error.take() {
            shared.error = match shared.error.take() {
                Some(other) => Some(other.min(error)),
                None => Some(error),
            };
        }
    }
}
