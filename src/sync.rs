//! Locks shared by worker threads. Every stage may use this; it uses
//! nothing.

use std::sync::{Mutex, MutexGuard};

/// The mutex's guard, also when a thread panicked while holding it: a
/// panic on one file becomes that file's finding and the run goes on, and
/// what flasklint keeps behind its locks is only ever complete entries.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poison| poison.into_inner())
}
