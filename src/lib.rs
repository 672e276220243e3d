//! flasklint: a linter for Flask session misuse.
//!
//! The pipeline runs in one direction:
//! discover files -> read -> parse -> find the session bindings -> run rules
//! -> report. [`run`] drives it; [`cli::main`] is the binary.

mod analysis;
mod config;
mod fix;
mod flask;
mod input;
mod keys;
mod lint;
mod project;
mod report;
mod rules;
mod server;
mod show_files;
mod show_settings;
mod sync;

/// The command line: what the binary runs.
pub use crate::config::cli::main;
/// What the per-file pipeline takes and gives, for the fuzz target and
/// other callers of the library.
pub use crate::config::settings::{
    FileSettings, FixMode, OutputFormat, ReportOptions, RuleOptions, Settings,
};
pub use crate::lint::{FileReport, lint_bytes};
pub use crate::report::{Reporter, Summary, reporter};
pub use crate::rules::RuleSet;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::Instant;

use rayon::prelude::*;

use crate::analysis::fast_hash::FastMap;

use crate::analysis::session::InProject;
use crate::config::file::ConfigError;
use crate::config::settings::{Input, Scope};
use crate::fix::diff::unified_diff;
use crate::fix::write::replace_file;
use crate::input::discover::{
    Discovered, DiscoveryError, FileToCheck, SourcePath, WalkedFiles, discover,
};
use crate::lint::{Language, lint_bytes_in, lint_file_guarded};
use crate::sync::lock;

/// Files a worker checks before handing their reports over.
const BATCH: usize = 32;

/// Batches that may wait to be printed before the workers pause: memory
/// holds the files in flight, not the tree.
const IN_FLIGHT: usize = 16;

/// Stack for the worker threads. The AST of deeply nested code (a chain of
/// 200,000 `+`, 20,000 nested brackets) is walked and dropped recursively;
/// the parser grows its own stack, our walks rely on this one. It is only
/// reserved address space until used.
pub(crate) const WORKER_STACK: usize = 1024 * 1024 * 1024;

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
    match &settings.input {
        Input::ShowSettings(file) => return show_settings::show(settings, file, stdout, stderr),
        Input::SessionKeys(paths) => return keys::show(settings, paths, stdout, stderr),
        Input::ShowFiles(paths) => return show_files::show(settings, paths, stdout, stderr),
        _ => {}
    }
    let started = Instant::now();
    // Fixed standard input goes to stdout, so its report goes to stderr.
    let report_to_stderr = matches!(
        (&settings.input, settings.fix),
        (Input::Stdin(_), FixMode::Apply { .. })
    );
    let mut out = Output {
        settings,
        reporter: None,
        summary: Summary::new(settings.report.unsafe_fixes),
        report_to_stderr,
        stdout,
        stderr,
    };
    let outcome = match &settings.input {
        Input::Stdin(name) => check_stdin(settings, name, &mut out),
        Input::Paths(paths) => check_paths(settings, paths, &mut out),
        Input::ShowSettings(_) | Input::SessionKeys(_) | Input::ShowFiles(_) => Ok(()),
    };
    for warning in settings.project.take_warnings() {
        out.warn(&warning);
    }
    if let Err(status) = outcome {
        return status;
    }
    let summary = out.summary;
    if settings.add_noqa {
        if !settings.quiet {
            out.warn(&format!(
                "Added {} noqa directive{}.",
                summary.noqa_added,
                plural(summary.noqa_added)
            ));
        }
        return ExitStatus::Success;
    }
    if !matches!(settings.fix, FixMode::Diff { .. })
        && let Err(error) = out.finish_report()
    {
        return write_failed(&error);
    }
    if let Err(error) = out.stdout.flush() {
        return write_failed(&error);
    }
    let chatty = !settings.quiet
        && matches!(
            settings.report.format,
            OutputFormat::Text | OutputFormat::Concise
        );
    match settings.fix {
        FixMode::Apply { .. } if chatty => out.warn(&format!(
            "Fixed {} finding{} ({} remaining).",
            summary.fixed,
            plural(summary.fixed),
            summary.findings
        )),
        FixMode::Diff { .. } if chatty => out.warn(&format!(
            "Would fix {} finding{} in {} file{}.",
            summary.fixed,
            plural(summary.fixed),
            summary.diffs,
            plural(summary.diffs)
        )),
        _ => {}
    }
    if settings.verbose {
        out.warn(&format!(
            "Checked {} files in {} ms.",
            summary.files,
            started.elapsed().as_millis()
        ));
    }
    let failed = match settings.fix {
        FixMode::Diff { .. } => summary.diffs > 0,
        _ => summary.findings > 0,
    };
    if failed && !settings.exit_zero {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}

/// How a run ends when its output cannot be written: quietly and with
/// success when the reader went away (`flasklint . | head -1`), as ripgrep
/// does; else as a failed run.
pub(crate) fn write_failed(error: &std::io::Error) -> ExitStatus {
    if error.kind() == std::io::ErrorKind::BrokenPipe {
        ExitStatus::Success
    } else {
        ExitStatus::Error
    }
}

/// Runs `step` with its warnings printed to `stderr`, and its error (the
/// text to print) printed there as a failed run (`--show-files`,
/// `--session-keys`).
pub(crate) fn on_stderr<T>(
    stderr: &mut dyn Write,
    step: impl FnOnce(&mut dyn FnMut(String)) -> Result<T, String>,
) -> Result<T, ExitStatus> {
    let result = step(&mut |warning| {
        let _ = writeln!(stderr, "{warning}");
    });
    result.map_err(|rendered| {
        let _ = write!(stderr, "{rendered}");
        ExitStatus::Error
    })
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}

/// Where reports and chatter go.
struct Output<'o> {
    settings: &'o Settings,
    /// Made once the files are known: SARIF lists the rules that ran.
    reporter: Option<Box<dyn Reporter>>,
    summary: Summary,
    report_to_stderr: bool,
    stdout: &'o mut dyn Write,
    stderr: &'o mut dyn Write,
}

impl Output<'_> {
    /// Makes the reporter, for files checked with these rules.
    fn start_report(&mut self, rules: RuleSet) {
        self.reporter = Some(reporter(&self.settings.report, rules));
    }

    /// Prints a file's report (or, with `--diff`, its diff), and its
    /// warnings on stderr.
    fn emit(&mut self, report: &FileReport) -> Result<(), ExitStatus> {
        for warning in &report.warnings {
            self.warn(warning);
        }
        self.summary.add(report);
        let Some(reporter) = self.reporter.as_mut() else {
            return Err(ExitStatus::Error);
        };
        let written = match (self.settings.fix, &report.fixed) {
            (FixMode::Diff { .. }, Some(fixed)) => {
                let diff = unified_diff(&report.path, &fixed.before, &fixed.after);
                self.stdout.write_all(diff.as_bytes())
            }
            (FixMode::Diff { .. }, None) => Ok(()),
            _ if self.report_to_stderr => reporter.file(self.stderr, report),
            _ => reporter.file(self.stdout, report),
        };
        written.map_err(|error| write_failed(&error))
    }

    fn finish_report(&mut self) -> std::io::Result<()> {
        let sink: &mut dyn Write = if self.report_to_stderr {
            self.stderr
        } else {
            self.stdout
        };
        match self.reporter.as_mut() {
            Some(reporter) => reporter.finish(sink, &self.summary),
            None => Ok(()),
        }
    }

    /// Prints a line on stderr; a failure to do so is not worth stopping for.
    fn warn(&mut self, message: &str) {
        let _ = writeln!(self.stderr, "{message}");
    }

    /// With `-v`: which configuration file each directory's files use.
    fn warn_configurations(&mut self, files: &[FileToCheck]) {
        let mut by_dir = BTreeMap::new();
        for file in files {
            let dir = Path::new(&file.source.display)
                .parent()
                .map_or_else(String::new, |dir| dir.display().to_string());
            by_dir
                .entry(dir)
                .or_insert_with(|| match &file.scope.config {
                    Some(config) => {
                        let shown = config.strip_prefix(&self.settings.cwd).unwrap_or(config);
                        format!("`{}`", shown.display())
                    }
                    None => "the defaults (no configuration file)".to_string(),
                });
        }
        for (dir, config) in by_dir {
            let dir = if dir.is_empty() { "." } else { dir.as_str() };
            self.warn(&format!("Configuration for `{dir}`: {config}"));
        }
    }

    /// Prints an error on stderr and returns the status that ends the run.
    fn fail(&mut self, message: &str) -> ExitStatus {
        self.warn(&format!("error: {message}"));
        ExitStatus::Error
    }
}

fn check_paths(settings: &Settings, paths: &[PathBuf], out: &mut Output) -> Result<(), ExitStatus> {
    let found = discover(
        paths,
        &settings.configurations,
        settings.force_exclude,
        &settings.cwd,
        &|path: &Path| {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            project::is_dependency_file(&name) || settings.project.is_template(path)
        },
        &mut |warning| out.warn(&warning),
    );
    let Discovered { mut files, walked } = match found {
        Ok(discovered) => discovered,
        Err(DiscoveryError::MissingPath(path)) => {
            return Err(out.fail(&format!("path `{}` does not exist", path.display())));
        }
        Err(DiscoveryError::Config(error)) => {
            let rendered = error.render(settings.report.color);
            let _ = write!(out.stderr, "{rendered}");
            return Err(ExitStatus::Error);
        }
    };
    if let Err(error) = add_templates(settings, &mut files, &walked) {
        let _ = write!(out.stderr, "{}", error.render(settings.report.color));
        return Err(ExitStatus::Error);
    }
    if files.is_empty() && !settings.quiet {
        out.warn("warning: no Python files found under the given paths");
    }
    if settings.verbose {
        out.warn_configurations(&files);
    }
    out.start_report(files.iter().fold(RuleSet::empty(), |rules, file| {
        rules.union(file.scope.rules)
    }));
    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(WORKER_STACK)
        .build()
        .map_err(|error| out.fail(&format!("cannot start worker threads: {error}")))?;
    // The backend is read from every file under the root before any file
    // is checked, on all the workers at once (asked first by one worker,
    // it would be read on that one while the others wait).
    // A checked file the scan reads and finds needs no check is not read
    // again (a flag by its index: no path is looked up twice), and a
    // directory discovery walked is not walked again.
    let skipped: Vec<AtomicBool> = files.iter().map(|_| AtomicBool::new(false)).collect();
    if files.iter().any(|file| !file.scope.rules.is_empty()) {
        // The scan is given the index of each file to check that the walk
        // found; others it reads (a root the walk did not cover) are looked
        // up by the path's bytes (hashing a `Path` parses its components),
        // in a map made the first time one is.
        let by_path: OnceLock<FastMap<&[u8], usize>> = OnceLock::new();
        let index_of = |path: &Path| {
            by_path
                .get_or_init(|| {
                    files
                        .iter()
                        .enumerate()
                        .map(|(index, file)| {
                            (file.source.absolute.as_os_str().as_encoded_bytes(), index)
                        })
                        .collect()
                })
                .get(path.as_os_str().as_encoded_bytes())
                .copied()
        };
        let keys_wanted = files.iter().any(|file| {
            file.scope.rules.contains(rules::Rule::UnknownSessionKey)
                || file.scope.rules.contains(rules::Rule::UnreadSessionKey)
        });
        let on_read = |path: &Path, index: Option<usize>, bytes: &[u8]| {
            let Some(index) = index.or_else(|| index_of(path)) else {
                return;
            };
            let file = &files[index];
            let needs_no_check = std::str::from_utf8(bytes).is_ok()
                && if file.source.template {
                    // Templates are checked for FL106 only, from the keys
                    // the scan reads (a template that is not UTF-8 still
                    // is: FL001).
                    !project::reads_template_keys(keys_wanted, bytes)
                } else {
                    let file_settings =
                        file.scope
                            .file_settings(path, settings.fix, settings.max_file_size);
                    lint::prefilter_skips(
                        bytes,
                        &file_settings,
                        InProject::new(&settings.project, Some(path)),
                    )
                };
            if needs_no_check {
                skipped[index].store(true, Ordering::Relaxed);
            }
        };
        let checked: Vec<project::Checked> = files
            .iter()
            .enumerate()
            .filter(|(_, file)| file.source.walked_regular)
            .map(|(index, file)| (file.source.absolute.as_path(), index))
            .collect();
        pool.install(|| {
            settings
                .project
                .scan_now(&on_read, &walked, &checked, keys_wanted);
        });
        // FL106's question of which files may read a misspelt key runs a
        // parallel loop the first time it is asked. Asked here, before the
        // check: asked by a worker, that loop could hand the same worker
        // another batch that asks it again, inside its own initialisation.
        if files
            .iter()
            .any(|file| file.scope.rules.contains(rules::Rule::UnknownSessionKey))
        {
            pool.install(|| settings.project.keys().may_read_unknown(None));
        }
    }
    // Workers take batches of files in path order (`par_bridge` hands them
    // out one by one) and send each batch's reports here; reports are
    // printed in path order, so only batches that arrive ahead of a slower
    // one wait in `pending`. Batches keep the hand-offs few.
    let (sender, receiver) = std::sync::mpsc::sync_channel::<(usize, Vec<FileReport>)>(IN_FLIGHT);
    let stop = AtomicBool::new(false);
    let printed = std::thread::scope(|scope| {
        scope.spawn(|| {
            pool.install(|| {
                files.chunks(BATCH).enumerate().par_bridge().for_each_with(
                    sender,
                    |sender, (index, batch)| {
                        if stop.load(Ordering::Relaxed) {
                            return;
                        }
                        let reports = batch
                            .iter()
                            .enumerate()
                            .map(|(at, FileToCheck { source, scope })| {
                                if skipped[index * BATCH + at].load(Ordering::Relaxed) {
                                    return FileReport::empty(source.display.clone());
                                }
                                let report = lint_file_guarded(
                                    source,
                                    scope.file_settings(
                                        &source.absolute,
                                        settings.fix,
                                        settings.max_file_size,
                                    ),
                                    InProject::new(&settings.project, Some(&source.absolute)),
                                );
                                match settings.fix {
                                    FixMode::Apply { .. } => write_fixes(&source.path, report),
                                    _ if settings.add_noqa => with_noqa(source, report),
                                    _ => report,
                                }
                            })
                            .collect();
                        // The receiver is gone only when printing failed.
                        let _ = sender.send((index, reports));
                    },
                );
            });
        });
        let mut pending = BTreeMap::new();
        let mut next = 0;
        for (index, reports) in receiver {
            pending.insert(index, reports);
            while let Some(reports) = pending.remove(&next) {
                for report in &reports {
                    if let Err(status) = out.emit(report) {
                        stop.store(true, Ordering::Relaxed);
                        return Err(status);
                    }
                }
                next += 1;
            }
        }
        Ok(())
    });
    free_in_background(files);
    printed
}

/// The threads [`free_in_background`] started and has not joined.
static FREEING: Mutex<Vec<JoinHandle<()>>> = Mutex::new(Vec::new());

/// Frees `value` on a thread of its own. At the end of a run, freeing
/// every file's paths and settings one by one takes milliseconds on one
/// core, after the report is out; the process may end before that thread
/// is done, and the system takes the memory back then.
///
/// The thread's handle is kept, not dropped: dropping it detaches the
/// thread, and glibc's `pthread_detach` (2.36) reads the thread's record
/// after marking it detached, memory that a thread ending at that moment
/// may already have handed back (its stack is unmapped as soon as the
/// stack cache is trimmed, which the workers' 1 GiB stacks make happen at
/// every thread's end): `bench/run` crashed there once (SIGSEGV in
/// `pthread_detach`, by `dmesg`). A finished thread's handle is joined
/// instead, which waits until the system is done with it.
pub(crate) fn free_in_background<T: Send + 'static>(value: T) {
    let mut freeing = lock(&FREEING);
    let (finished, running): (Vec<_>, Vec<_>) = std::mem::take(&mut *freeing)
        .into_iter()
        .partition(JoinHandle::is_finished);
    for handle in finished {
        let _ = handle.join();
    }
    *freeing = running;
    // Should the thread not start, the value is freed here.
    if let Ok(handle) = std::thread::Builder::new().spawn(move || drop(value)) {
        freeing.push(handle);
    }
}

/// The files under `paths` a check would read, templates included, in path
/// order; the error is the text to print. (`--session-keys` and
/// `--show-files`; the check itself also keeps the dependency files the
/// walk sees, for the project's scan.)
pub(crate) fn files_under(
    settings: &Settings,
    paths: &[PathBuf],
    warn: &mut dyn FnMut(String),
) -> Result<Vec<FileToCheck>, String> {
    let found = discover(
        paths,
        &settings.configurations,
        settings.force_exclude,
        &settings.cwd,
        &|path: &Path| settings.project.is_template(path),
        warn,
    );
    match found {
        Ok(Discovered { mut files, walked }) => {
            add_templates(settings, &mut files, &walked)
                .map_err(|error| error.render(settings.report.color))?;
            Ok(files)
        }
        Err(DiscoveryError::MissingPath(path)) => {
            Err(format!("error: path `{}` does not exist\n", path.display()))
        }
        Err(DiscoveryError::Config(error)) => Err(error.render(settings.report.color)),
    }
}

/// Marks the templates among the files named on the command line, and adds
/// those the walks found, in path order: they are checked for FL106.
pub(crate) fn add_templates(
    settings: &Settings,
    files: &mut Vec<FileToCheck>,
    walked: &WalkedFiles,
) -> Result<(), ConfigError> {
    for file in files.iter_mut() {
        file.source.template = settings.project.is_template(&file.source.absolute);
    }
    let listed = files.len();
    for path in walked
        .files
        .iter()
        .filter(|path| settings.project.is_template(path))
    {
        let mut source = SourcePath::new(path, &settings.cwd);
        source.walked_regular = true;
        source.template = true;
        let scope = settings.configurations.for_file(path)?;
        files.push(FileToCheck { source, scope });
    }
    // Discovery listed the files in this order; only templates it walked
    // need to be put in place.
    if files.len() > listed {
        files.sort_by(|a, b| a.source.display.cmp(&b.source.display));
        files.dedup_by(|a, b| a.source.display == b.source.display);
    }
    Ok(())
}

/// Writes a report's fixed text over its file (`--fix`). When it cannot be
/// written, the file is unchanged, and the report of the text as read is
/// returned instead, with the reason.
fn write_fixes(path: &Path, mut report: FileReport) -> FileReport {
    let Some(fixed) = &report.fixed else {
        return report;
    };
    let Err(reason) = replace_file(path, fixed.before.as_bytes(), fixed.after.as_bytes()) else {
        return report;
    };
    let warning = format!(
        "error: {}: cannot write the fixes, the file is unchanged: {reason}",
        report.path
    );
    let mut unchanged = match report.fixed.take().and_then(|fixed| fixed.unwritten) {
        Some(unwritten) => *unwritten,
        None => report,
    };
    unchanged.warnings.push(warning);
    unchanged
}

/// Adds the `noqa` directives a report's findings need to its file; the
/// report then shows no finding, and counts the directives.
fn with_noqa(source: &SourcePath, report: FileReport) -> FileReport {
    let (added, warnings) = fix::add_noqa::add_noqa(&source.path, &report, Language::of(source));
    let mut done = FileReport {
        noqa_added: added,
        ..FileReport::empty(report.path)
    };
    done.warnings = report.warnings;
    done.warnings.extend(warnings);
    done
}

/// Checks standard input as the file `name` (its per-file ignores apply;
/// with `--force-exclude`, an excluded name is not checked). With `--fix`,
/// the fixed source is printed on stdout.
fn check_stdin(settings: &Settings, name: &Path, out: &mut Output) -> Result<(), ExitStatus> {
    let mut file = SourcePath::new(name, &settings.cwd);
    file.template = settings.project.is_template(&file.absolute);
    let scope: std::sync::Arc<Scope> = match settings.configurations.for_file(&file.absolute) {
        Ok(scope) => scope,
        Err(error) => {
            let rendered = error.render(settings.report.color);
            let _ = write!(out.stderr, "{rendered}");
            return Err(ExitStatus::Error);
        }
    };
    out.start_report(scope.rules);
    let mut bytes = Vec::new();
    let limit = settings.max_file_size;
    if let Err(error) = std::io::stdin().take(limit + 1).read_to_end(&mut bytes) {
        return Err(out.fail(&format!("cannot read standard input: {error}")));
    }
    if bytes.len() as u64 > limit {
        return Err(out.fail(&format!(
            "standard input is larger than --max-file-size ({limit} bytes)"
        )));
    }
    // The editor's text is the file, for the project's facts too.
    settings.project.set_text(&file.absolute, &bytes);
    let excluded = settings.force_exclude && scope.is_excluded(&file.absolute);
    if excluded {
        // An editor still expects its text back.
        if matches!(settings.fix, FixMode::Apply { .. }) {
            out.stdout
                .write_all(&bytes)
                .map_err(|error| write_failed(&error))?;
        }
        return Ok(());
    }
    if bytes.is_empty() && !settings.quiet {
        out.warn(&format!(
            "warning: standard input is empty; checked `{}` as an empty file",
            file.display
        ));
    }
    let file_settings = scope.file_settings(&file.absolute, settings.fix, settings.max_file_size);
    // Deeply nested input needs the same stack as a file would get.
    let report = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(WORKER_STACK)
            .spawn_scoped(scope, || {
                let in_project = InProject::new(&settings.project, Some(&file.absolute));
                let language = Language::of(&file);
                lint_bytes_in(
                    file.display.clone(),
                    &bytes,
                    language,
                    file_settings,
                    in_project,
                )
            })
            .map(|handle| handle.join())
    });
    let Ok(Ok(report)) = report else {
        return Err(out.fail("cannot check standard input"));
    };
    if matches!(settings.fix, FixMode::Apply { .. }) {
        let text = report
            .fixed
            .as_ref()
            .map_or(&bytes[..], |fixed| fixed.after.as_bytes());
        out.stdout
            .write_all(text)
            .map_err(|error| write_failed(&error))?;
    }
    out.emit(&report)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use super::*;

    #[test]
    fn values_are_freed_in_the_background_and_ended_threads_joined() {
        let value = Arc::new(());
        for _ in 0..20 {
            free_in_background(value.clone());
        }
        // A hang guard, far above the milliseconds this takes.
        let started = Instant::now();
        while Arc::strong_count(&value) > 1 || !lock(&FREEING).iter().all(JoinHandle::is_finished) {
            assert!(started.elapsed() < Duration::from_secs(60), "not freed");
            std::thread::sleep(Duration::from_millis(1));
        }
        free_in_background(());
        assert!(
            lock(&FREEING).len() <= 1,
            "ended threads are joined, not kept"
        );
    }
}
