//! Reading a source file without ever blocking or running out of memory:
//! only regular files are opened (a FIFO, a socket or a device such as
//! `/dev/zero`, named directly or through a symlink, is refused before it
//! is opened; a file the walk saw as regular is opened without blocking
//! and refused after, should it have been replaced), and at most
//! `max_size` bytes are read.

use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The default of `--max-file-size`: 20 MB, far above any hand-written
/// Python file.
pub(crate) const DEFAULT_MAX_FILE_SIZE: u64 = 20 * 1024 * 1024;

/// Reads the file at `path`, or says why it cannot be checked.
pub(crate) fn read_source(path: &Path, max_size: u64) -> Result<Vec<u8>, String> {
    let metadata = std::fs::metadata(path).map_err(|e| format!("cannot read the file: {e}"))?;
    refuse_unless_regular(&metadata)?;
    read_regular_file(path, max_size)
}

/// Reads a file that the directory walk saw as a regular file: opened
/// first and then asked what it is (one lookup of the path, not two),
/// without blocking, should it have been replaced by a FIFO since.
pub(crate) fn read_regular_file(path: &Path, max_size: u64) -> Result<Vec<u8>, String> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(below_cwd(path))
        .map_err(|e| format!("cannot read the file: {e}"))?;
    let metadata = file
        .metadata()
        .map_err(|e| format!("cannot read the file: {e}"))?;
    refuse_unless_regular(&metadata)?;
    if metadata.len() > max_size {
        return Err(too_large(metadata.len(), max_size));
    }
    match metadata.len() {
        // Some files say 0 and hold more (`/proc`): read to their end.
        0 => read_to_end(file, max_size),
        size => read_sized(file, size),
    }
}

/// `path`, relative to the process's working directory when it lies
/// under it: the system looks up each directory of a path it opens, and
/// the project's scan opens every file by its absolute path, several
/// directories deeper than the working directory (a third of the time of
/// an `open` on the benchmark's corpus went to those lookups).
fn below_cwd(path: &Path) -> &Path {
    static CWD: OnceLock<Option<PathBuf>> = OnceLock::new();
    let Some(cwd) = CWD.get_or_init(|| std::env::current_dir().ok()) else {
        return path;
    };
    let (path_bytes, cwd_bytes) = (
        path.as_os_str().as_encoded_bytes(),
        cwd.as_os_str().as_encoded_bytes(),
    );
    match path_bytes.strip_prefix(cwd_bytes) {
        // (`cwd//a.py` is `cwd/a.py`, not `/a.py`: kept whole.)
        Some([b'/', rest @ ..]) if rest.first().is_some_and(|&byte| byte != b'/') => {
            Path::new(std::ffi::OsStr::from_bytes(rest))
        }
        _ => path,
    }
}

/// Reads a regular file of `size` bytes (as `fstat` said, within the
/// limit): that many and no more calls than it takes (`read_to_end` asks
/// once more to see the end; for thousands of small files that is one
/// call in four). A file that grows meanwhile is read as it was; one that
/// shrinks, to its end.
fn read_sized(mut file: std::fs::File, size: u64) -> Result<Vec<u8>, String> {
    let size = usize::try_from(size).map_err(|e| format!("cannot read the file: {e}"))?;
    let mut bytes = vec![0; size];
    let mut filled = 0;
    while filled < size {
        match file.read(&mut bytes[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => return Err(format!("cannot read the file: {error}")),
        }
    }
    bytes.truncate(filled);
    Ok(bytes)
}

fn read_to_end(file: std::fs::File, max_size: u64) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    // The file may grow as it is read: never read past the limit.
    file.take(max_size + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read the file: {e}"))?;
    if bytes.len() as u64 > max_size {
        return Err(too_large(bytes.len() as u64, max_size));
    }
    Ok(bytes)
}

fn refuse_unless_regular(metadata: &std::fs::Metadata) -> Result<(), String> {
    let kind = metadata.file_type();
    if kind.is_file() {
        return Ok(());
    }
    let what = if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO (named pipe)"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else {
        "not a regular file"
    };
    Err(format!("not checked: it is {what}, not a regular file"))
}

fn too_large(size: u64, max_size: u64) -> String {
    format!(
        "not checked: the file is {} bytes, more than --max-file-size ({max_size} bytes)",
        size
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_under_the_working_directory_are_opened_by_their_relative_path() {
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(below_cwd(&cwd.join("src/lib.rs")), Path::new("src/lib.rs"));
        // Not under it: a sibling whose name starts the same, the directory
        // itself, a relative path.
        let sibling = PathBuf::from(format!("{}x/lib.rs", cwd.display()));
        assert_eq!(below_cwd(&sibling), sibling);
        assert_eq!(below_cwd(&cwd), cwd);
        let doubled = PathBuf::from(format!("{}//lib.rs", cwd.display()));
        assert_eq!(below_cwd(&doubled), doubled);
        assert_eq!(below_cwd(Path::new("src/lib.rs")), Path::new("src/lib.rs"));
    }

    #[test]
    fn a_file_is_read_whole_and_one_over_the_limit_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (full, empty, large) = (
            dir.path().join("a.py"),
            dir.path().join("b.py"),
            dir.path().join("c.py"),
        );
        std::fs::write(&full, "x = 1\n").unwrap();
        std::fs::write(&empty, "").unwrap();
        std::fs::write(&large, "y = 2\n").unwrap();
        assert_eq!(read_regular_file(&full, 100).unwrap(), b"x = 1\n");
        assert_eq!(read_regular_file(&empty, 100).unwrap(), b"");
        let refused = read_regular_file(&large, 5).unwrap_err();
        assert!(refused.contains("more than --max-file-size"), "{refused}");
    }
}
