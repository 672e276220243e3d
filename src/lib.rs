//! flasklint: a linter for Flask session misuse.
//!
//! The pipeline runs in one direction:
//! discover files -> read -> parse -> find the session bindings -> run rules
//! -> report. [`run`] drives it; [`cli::main`] is the binary.

pub mod checker;
pub mod cli;
pub mod config;
pub mod discover;
pub mod finding;
pub mod lint;
pub mod noqa;
pub mod patterns;
pub mod report;
pub mod rules;
pub mod session;
pub mod session_ops;
pub mod settings;
pub mod source;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use crate::discover::{MissingPath, SourcePath, discover};
use crate::lint::{FileReport, lint_bytes, lint_file};
use crate::report::{Reporter, Summary, reporter};
use crate::settings::{Input, Settings};

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

/// Checks what the settings name and prints the report.
pub fn run(settings: &Settings, stdout: &mut dyn Write, stderr: &mut dyn Write) -> ExitStatus {
    let started = Instant::now();
    let mut out = Output {
        reporter: reporter(settings),
        summary: Summary::default(),
        stdout,
        stderr,
    };
    let outcome = match &settings.input {
        Input::Stdin(name) => check_stdin(settings, name, &mut out),
        Input::Paths(paths) => check_paths(settings, paths, &mut out),
    };
    if let Err(status) = outcome {
        return status;
    }
    let summary = out.summary;
    if out.reporter.finish(out.stdout, &summary).is_err() || out.stdout.flush().is_err() {
        return ExitStatus::Error;
    }
    if settings.verbose {
        out.warn(&format!(
            "Checked {} files in {} ms.",
            summary.files,
            started.elapsed().as_millis()
        ));
    }
    match summary.findings {
        0 => ExitStatus::Success,
        _ if settings.exit_zero => ExitStatus::Success,
        _ => ExitStatus::Failure,
    }
}

/// Where reports and chatter go.
struct Output<'o> {
    reporter: Box<dyn Reporter>,
    summary: Summary,
    stdout: &'o mut dyn Write,
    stderr: &'o mut dyn Write,
}

impl Output<'_> {
    /// Prints a file's report, and its warnings on stderr.
    fn emit(&mut self, report: &FileReport) -> Result<(), ExitStatus> {
        for warning in &report.warnings {
            self.warn(warning);
        }
        self.summary.add(report);
        self.reporter
            .file(self.stdout, report)
            .map_err(|_| ExitStatus::Error)
    }

    /// Prints a line on stderr; a failure to do so is not worth stopping for.
    fn warn(&mut self, message: &str) {
        let _ = writeln!(self.stderr, "{message}");
    }

    /// Prints an error on stderr and returns the status that ends the run.
    fn fail(&mut self, message: &str) -> ExitStatus {
        self.warn(&format!("error: {message}"));
        ExitStatus::Error
    }
}

fn check_paths(settings: &Settings, paths: &[PathBuf], out: &mut Output) -> Result<(), ExitStatus> {
    let files = discover(paths, &settings.discovery, &settings.cwd, &mut |warning| {
        out.warn(&warning)
    })
    .map_err(|MissingPath(path)| out.fail(&format!("path `{}` does not exist", path.display())))?;
    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(WORKER_STACK)
        .build()
        .map_err(|error| out.fail(&format!("cannot start worker threads: {error}")))?;
    for chunk in files.chunks(CHUNK) {
        let reports: Vec<FileReport> = pool.install(|| {
            chunk
                .par_iter()
                .map(|file| {
                    let rules = settings.rules_for(&file.absolute);
                    lint_file(
                        &file.path,
                        file.display.clone(),
                        rules,
                        &settings.rule_options,
                    )
                })
                .collect()
        });
        for report in &reports {
            out.emit(report)?;
        }
    }
    Ok(())
}

/// Checks standard input as the file `name` (its per-file ignores apply;
/// with `--force-exclude`, an excluded name is not checked).
fn check_stdin(settings: &Settings, name: &Path, out: &mut Output) -> Result<(), ExitStatus> {
    let file = SourcePath::new(name, &settings.cwd);
    if settings.discovery.force_exclude && settings.discovery.is_excluded(&file.absolute) {
        return Ok(());
    }
    let mut bytes = Vec::new();
    if let Err(error) = std::io::stdin().read_to_end(&mut bytes) {
        return Err(out.fail(&format!("cannot read standard input: {error}")));
    }
    if bytes.is_empty() && !settings.quiet {
        out.warn(&format!(
            "warning: standard input is empty; checked `{}` as an empty file",
            file.display
        ));
    }
    let rules = settings.rules_for(&file.absolute);
    let rule_options = &settings.rule_options;
    // Deeply nested input needs the same stack as a file would get.
    let report = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(WORKER_STACK)
            .spawn_scoped(scope, || {
                lint_bytes(file.display.clone(), bytes, rules, rule_options)
            })
            .map(|handle| handle.join())
    });
    match report {
        Ok(Ok(report)) => out.emit(&report),
        _ => Err(out.fail("cannot check standard input")),
    }
}
