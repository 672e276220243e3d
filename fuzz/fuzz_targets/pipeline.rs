//! The whole per-file pipeline on arbitrary bytes: decode, prefilter,
//! parse, session model, rules, noqa, fixes (unsafe ones too), the
//! re-parse of every fixed text, and the report in every output format.
//! It must never panic or hang; a fix must
//! never produce text that does not parse (the pipeline reports that as a
//! bug, which fails here); and fixing the fixed text changes nothing.
#![no_main]

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::mpsc::{Sender, channel};
use std::sync::{Mutex, OnceLock};

use flasklint::{
    FileReport, FileSettings, FixMode, OutputFormat, ReportOptions, RuleOptions, RuleSet, Summary,
    lint_bytes, reporter,
};
use libfuzzer_sys::fuzz_target;

type Outcome = Result<(), Box<dyn std::any::Any + Send>>;
type Job = (Vec<u8>, Sender<Outcome>);

/// One long-lived worker with the binary's 1 GiB stack (the binary checks
/// files on such threads), so that no thread is created per input.
fn worker() -> &'static Mutex<Sender<Job>> {
    static WORKER: OnceLock<Mutex<Sender<Job>>> = OnceLock::new();
    WORKER.get_or_init(|| {
        let (jobs, inbox) = channel::<Job>();
        std::thread::Builder::new()
            .stack_size(1 << 30)
            .spawn(move || {
                for (data, reply) in inbox {
                    let outcome = catch_unwind(AssertUnwindSafe(|| check(&data)));
                    let _ = reply.send(outcome);
                }
            })
            .expect("worker thread");
        Mutex::new(jobs)
    })
}

fuzz_target!(|data: &[u8]| {
    let (reply, answer) = channel();
    worker()
        .lock()
        .expect("worker lock")
        .send((data.to_vec(), reply))
        .expect("worker alive");
    if let Err(panic) = answer.recv().expect("worker answers") {
        resume_unwind(panic);
    }
});

fn check(data: &[u8]) {
    let options = RuleOptions::default();
    let settings = FileSettings {
        rules: RuleSet::from_selector("ALL").unwrap_or_default(),
        options: &options,
        fix: FixMode::Diff { unsafe_fixes: true },
        // Parse everything: the fuzzer should not have to find `flask`.
        prefilter: None,
        max_file_size: u64::MAX,
    };
    let mut report = lint_bytes("fuzz.py".to_string(), data, settings);
    assert!(
        !report.warnings.iter().any(|w| w.contains("does not parse") || w.contains("still changing")),
        "{:?}",
        report.warnings
    );
    // A few findings exercise the reports; rendering hundreds of syntax
    // errors per input would cut the fuzzer's speed tenfold.
    report.findings.truncate(8);
    render(&report);
    if let Some(fixed) = report.fixed {
        let again = lint_bytes("fuzz.py".to_string(), fixed.after.as_bytes(), settings);
        assert!(again.fixed.is_none(), "fixing is not idempotent:\n{}", fixed.after);
    }
}

/// Prints the report in every format (the text report cuts long lines and
/// every format turns offsets into columns: both slice the source).
fn render(report: &FileReport) {
    for format in [
        OutputFormat::Text,
        OutputFormat::Concise,
        OutputFormat::Json,
        OutputFormat::JsonLines,
        OutputFormat::Sarif,
        OutputFormat::Github,
    ] {
        let options = ReportOptions {
            format,
            statistics: false,
            color: true,
            quiet: false,
            unsafe_fixes: false,
            cwd: "/fuzz".into(),
        };
        let mut out = Vec::new();
        let mut reporter = reporter(&options, RuleSet::from_selector("ALL").unwrap_or_default());
        reporter.file(&mut out, report).expect("a Vec takes every write");
        reporter
            .finish(&mut out, &Summary::default())
            .expect("a Vec takes every write");
    }
}
