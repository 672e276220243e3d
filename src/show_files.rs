//! `--show-files`: the files a check of these paths would read, one per
//! line in path order (Python files and templates), as ruff prints them;
//! the project root goes to stderr, so that the list pipes cleanly.

use std::io::Write;
use std::path::PathBuf;

use crate::ExitStatus;
use crate::config::settings::Settings;

/// Prints the files under `paths` that would be checked.
pub(crate) fn show(
    settings: &Settings,
    paths: &[PathBuf],
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> ExitStatus {
    let files = match crate::on_stderr(stderr, |warn| crate::files_under(settings, paths, warn)) {
        Ok(files) => files,
        Err(status) => return status,
    };
    if let Some(root) = settings.project.root() {
        let _ = writeln!(stderr, "Project root: {}", root.display());
    }
    let written = files
        .iter()
        .try_for_each(|file| writeln!(stdout, "{}", file.source.display))
        .and_then(|()| stdout.flush());
    written.map_or_else(
        |error| crate::write_failed(&error),
        |()| ExitStatus::Success,
    )
}
