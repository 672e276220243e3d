//! Writing a fixed file without ever losing the original: the new text
//! goes to a temporary file in the same directory, is flushed to disk,
//! gets the original's permissions, and replaces the original by a rename,
//! which is atomic. A file that changed on disk since it was read is left
//! alone.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Replaces the file at `path`, read as `original`, with `contents`.
pub(crate) fn replace_file(path: &Path, original: &[u8], contents: &[u8]) -> Result<(), String> {
    let metadata = fs::metadata(path).map_err(|e| format!("cannot read its metadata: {e}"))?;
    if metadata.permissions().readonly() {
        return Err("it is read-only".to_string());
    }
    let temporary = temporary_path(path);
    let result = write_temporary(&temporary, contents, metadata.permissions())
        .and_then(|()| {
            // Last check before the rename: was the file changed meanwhile?
            match fs::read(path) {
                Ok(now) if now == original => Ok(()),
                Ok(_) => Err("it changed on disk while flasklint was fixing it".to_string()),
                Err(e) => Err(format!("cannot read it again: {e}")),
            }
        })
        .and_then(|()| fs::rename(&temporary, path).map_err(|e| format!("cannot replace it: {e}")));
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result
}

/// Writes a new file at `path` (`--output-file`): to a temporary file
/// beside it, then renamed over it, so that a reader never sees half a
/// report and a failed write leaves nothing behind.
pub(crate) fn write_new_file(path: &Path, contents: &[u8]) -> Result<(), String> {
    let temporary = temporary_path(path);
    let mut file = File::options()
        .write(true)
        .create_new(true)
        .open(&temporary)
        .map_err(|e| format!("cannot create a file there: {e}"))?;
    let result = file
        .write_all(contents)
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("cannot write it: {e}"))
        .and_then(|()| fs::rename(&temporary, path).map_err(|e| format!("cannot write it: {e}")));
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result
}

fn write_temporary(
    temporary: &Path,
    contents: &[u8],
    permissions: fs::Permissions,
) -> Result<(), String> {
    let mut file = File::options()
        .write(true)
        .create_new(true)
        .open(temporary)
        .map_err(|e| format!("cannot create a temporary file beside it: {e}"))?;
    file.write_all(contents)
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("cannot write the fixed file: {e}"))?;
    fs::set_permissions(temporary, permissions)
        .map_err(|e| format!("cannot keep its permissions: {e}"))
}

/// `dir/.name.flasklint-<pid>.tmp`: beside the file, so the rename stays
/// on one file system.
fn temporary_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.flasklint-{}.tmp", std::process::id()))
}
