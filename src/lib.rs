//! flasklint: a linter for Flask session misuse.
//!
//! The pipeline runs in one direction:
//! discover files -> read -> parse -> find the session bindings -> run rules
//! -> report. [`run`] drives it; [`cli::main`] is the binary.

pub mod checker;
pub mod cli;
pub mod discover;
pub mod finding;
pub mod lint;
pub mod report;
pub mod rules;
pub mod session;
pub mod session_ops;
pub mod settings;
pub mod source;

use std::io::Write;
use std::time::Instant;

use rayon::prelude::*;

use crate::discover::{MissingPath, discover};
use crate::lint::lint_file;
use crate::report::{Summary, reporter};
use crate::settings::Settings;

/// Files checked in parallel at a time. Reports are printed chunk by
/// chunk in path order, so memory holds only the chunk in flight.
const CHUNK: usize = 256;

/// Stack for the worker threads. The AST of deeply nested code (a chain of
/// 200,000 `+`, 20,000 nested brackets) is walked and dropped recursively;
/// the parser grows its own stack, our walks rely on this one. It is only
/// reserved address space until used.
const WORKER_STACK: usize = 1024 * 1024 * 1024;

/// How a run ended, as the process exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// No finding left (or `--exit-zero`).
    Success,
    /// Findings left.
    Failure,
    /// The run could not be done as asked.
    Error,
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> Self {
        match status {
            ExitStatus::Success => Self::from(0),
            ExitStatus::Failure => Self::from(1),
            ExitStatus::Error => Self::from(2),
        }
    }
}

/// Checks the files the settings name and prints the report.
pub fn run(settings: &Settings, stdout: &mut dyn Write, stderr: &mut dyn Write) -> ExitStatus {
    let started = Instant::now();
    let mut warn = |message: String| {
        let _ = writeln!(stderr, "{message}");
    };
    let files = match discover(&settings.paths, &mut warn) {
        Ok(files) => files,
        Err(MissingPath(path)) => {
            let _ = writeln!(stderr, "error: path `{}` does not exist", path.display());
            return ExitStatus::Error;
        }
    };
    let pool = match rayon::ThreadPoolBuilder::new()
        .stack_size(WORKER_STACK)
        .build()
    {
        Ok(pool) => pool,
        Err(error) => {
            let _ = writeln!(stderr, "error: cannot start worker threads: {error}");
            return ExitStatus::Error;
        }
    };
    let mut reporter = reporter(settings);
    let mut summary = Summary::default();
    for chunk in files.chunks(CHUNK) {
        let reports: Vec<_> = pool.install(|| {
            chunk
                .par_iter()
                .map(|file| {
                    lint_file(
                        &file.path,
                        file.display.clone(),
                        settings.rules,
                        &settings.rule_options,
                    )
                })
                .collect()
        });
        for report in &reports {
            summary.add(report);
            if reporter.file(stdout, report).is_err() {
                return ExitStatus::Error;
            }
        }
    }
    if reporter.finish(stdout, &summary).is_err() || stdout.flush().is_err() {
        return ExitStatus::Error;
    }
    if settings.verbose {
        let _ = writeln!(
            stderr,
            "Checked {} files in {} ms.",
            summary.files,
            started.elapsed().as_millis()
        );
    }
    match summary.findings {
        0 => ExitStatus::Success,
        _ if settings.exit_zero => ExitStatus::Success,
        _ => ExitStatus::Failure,
    }
}
