//! `--show-files`: the files a check of these paths would read, one per
//! line in path order (Python files and templates), as ruff prints them;
//! the project root goes to stderr, so that the list pipes cleanly.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::ExitStatus;
use crate::config::settings::Settings;
use crate::input::discover::{Discovered, DiscoveryError, discover};

/// Prints the files under `paths` that would be checked.
pub(crate) fn show(
    settings: &Settings,
    paths: &[PathBuf],
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> ExitStatus {
    let found = discover(
        paths,
        &settings.configurations,
        settings.force_exclude,
        &settings.cwd,
        &|path: &Path| settings.project.is_template(path),
        &mut |warning| {
            let _ = writeln!(stderr, "{warning}");
        },
    );
    let files = match found {
        Ok(Discovered { mut files, walked }) => {
            if let Err(error) = crate::add_templates(settings, &mut files, &walked) {
                let _ = write!(stderr, "{}", error.render(settings.report.color));
                return ExitStatus::Error;
            }
            files
        }
        Err(DiscoveryError::MissingPath(path)) => {
            let _ = writeln!(stderr, "error: path `{}` does not exist", path.display());
            return ExitStatus::Error;
        }
        Err(DiscoveryError::Config(error)) => {
            let _ = write!(stderr, "{}", error.render(settings.report.color));
            return ExitStatus::Error;
        }
    };
    if let Some(root) = settings.project.root() {
        let _ = writeln!(stderr, "Project root: {}", root.display());
    }
    let written = files
        .iter()
        .try_for_each(|file| writeln!(stdout, "{}", file.source.display))
        .and_then(|()| stdout.flush());
    match written {
        Ok(()) => ExitStatus::Success,
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => ExitStatus::Success,
        Err(_) => ExitStatus::Error,
    }
}
