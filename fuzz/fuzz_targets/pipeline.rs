//! The whole per-file pipeline on arbitrary bytes: decode, prefilter,
//! parse, session model, rules, noqa, fixes (unsafe ones too) and the
//! re-parse of every fixed text. It must never panic or hang; a fix must
//! never produce text that does not parse (the pipeline reports that as a
//! bug, which fails here); and fixing the fixed text changes nothing.
#![no_main]

use flasklint::checker::RuleOptions;
use flasklint::lint::{FileSettings, FixMode, lint_bytes};
use flasklint::rules::RuleSet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The binary checks files on threads with a 1 GiB stack; so does this.
    let data = data.to_vec();
    std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(move || check(&data))
        .expect("thread")
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
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
    let report = lint_bytes("fuzz.py".to_string(), data, settings);
    assert!(
        !report.warnings.iter().any(|w| w.contains("does not parse") || w.contains("still changing")),
        "{:?}",
        report.warnings
    );
    if let Some(fixed) = report.fixed {
        let again = lint_bytes("fuzz.py".to_string(), fixed.after.as_bytes(), settings);
        assert!(again.fixed.is_none(), "fixing is not idempotent:\n{}", fixed.after);
    }
}
