//! The fixture harness: every `fixtures/<CODE>/*.py` and
//! `fixtures/session/*.py` file carries its expected findings inline, and
//! one run of the real binary over all of them must report exactly those.
//!
//! An expectation is a comment `# expect: FL101` (several codes separated
//! by commas) at the end of the line where the finding starts, or on a line
//! of its own, where it applies to the next line that is not an
//! expectation. A file without expectations must produce no finding.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

use common::fixture_dirs;

/// (row, code) pairs, sorted, duplicates kept.
type Findings = Vec<(usize, String)>;

fn fixture_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fixture_dirs()
        .iter()
        .flat_map(|dir| fs::read_dir(dir).unwrap_or_else(|e| panic!("{dir}: {e}")))
        .map(|entry| entry.expect("fixture entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "py"))
        .collect();
    files.sort();
    files
}

fn expectations(path: &Path) -> Findings {
    let bytes = fs::read(path).expect("fixture readable");
    let text = String::from_utf8_lossy(&bytes);
    let mut expected = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let row = index + 1;
        let codes: Vec<String> = line
            .split_once("# expect:")
            .map(|(_, codes)| codes.split(',').map(|c| c.trim().to_string()).collect())
            .unwrap_or_default();
        let own_line = line.trim_start().starts_with("# expect:");
        if own_line {
            pending.extend(codes);
            continue;
        }
        expected.extend(pending.drain(..).map(|code| (row, code)));
        expected.extend(codes.into_iter().map(|code| (row, code)));
    }
    expected.sort();
    expected
}

fn actual_findings(files: &[PathBuf]) -> BTreeMap<String, Findings> {
    let output = Command::cargo_bin("flasklint")
        .expect("binary built")
        .args(["--format", "json-lines", "--exit-zero", "--select", "ALL"])
        // FL106 and FL107 compare keys across the whole project, here
        // every fixture of this repository at once: they are tested in
        // their own cases, each a project of its own.
        .args(["--ignore", "FL106,FL107"])
        .args(files)
        .output()
        .expect("flasklint runs");
    assert!(
        output.status.success(),
        "flasklint failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut actual: BTreeMap<String, Findings> = files
        .iter()
        .map(|file| (file.to_string_lossy().into_owned(), Vec::new()))
        .collect();
    add_json_lines(&mut actual, &output.stdout);
    actual.values_mut().for_each(|findings| findings.sort());
    actual
}

/// Adds each finding of `--format json-lines` output to its file's list.
fn add_json_lines(actual: &mut BTreeMap<String, Findings>, stdout: &[u8]) {
    for line in String::from_utf8_lossy(stdout).lines() {
        let finding: Value = serde_json::from_str(line).expect("one JSON object per line");
        let filename = finding["filename"].as_str().expect("filename").to_string();
        let row = finding["location"]["row"].as_u64().expect("row") as usize;
        let code = finding["code"].as_str().expect("code").to_string();
        actual.entry(filename).or_default().push((row, code));
    }
}

#[test]
fn every_fixture_reports_exactly_its_expectations() {
    let files = fixture_files();
    let actual = actual_findings(&files);
    let mut failures = Vec::new();
    for (filename, found) in &actual {
        let expected = expectations(Path::new(filename));
        if *found != expected {
            failures.push(format!(
                "{filename}\n  expected: {expected:?}\n  actual:   {found:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture(s) differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_session_rule_has_at_least_fifteen_fixtures() {
    for code in common::session_rule_codes() {
        let count = fs::read_dir(format!("fixtures/{code}")).map_or(0, |dir| dir.count());
        assert!(
            count >= 15,
            "fixtures/{code} has {count} cases; every rule needs at least 15"
        );
    }
}

// ---------------------------------------------------------------- projects

/// Every `fixtures/project/<case>/` is a small project: flasklint runs in
/// it (its configuration file makes it the root), and the findings of each
/// of its files must be exactly that file's inline expectations. So is
/// every case of a rule whose findings depend on the whole project
/// (`fixtures/FL106/<case>/`); FL107, off by default, counts only in its
/// own cases, where it is selected with every other rule.
#[test]
fn every_project_fixture_reports_exactly_its_expectations() {
    let mut cases: Vec<PathBuf> = ["fixtures/project", "fixtures/FL106", "fixtures/FL107"]
        .iter()
        .flat_map(|dir| fs::read_dir(dir).unwrap_or_else(|e| panic!("{dir}: {e}")))
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 9 + 30, "{cases:?}");
    let mut failures = Vec::new();
    for case in &cases {
        let output = Command::cargo_bin("flasklint")
            .expect("binary built")
            .current_dir(case)
            .args([
                "--format",
                "json-lines",
                "--exit-zero",
                "--select",
                "ALL",
                ".",
            ])
            .args(if case.starts_with("fixtures/FL107") {
                &[][..]
            } else {
                &["--ignore", "FL107"][..]
            })
            .output()
            .expect("flasklint runs");
        assert!(
            output.status.success(),
            "{}: {}",
            case.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        let mut actual: BTreeMap<String, Findings> = BTreeMap::new();
        add_json_lines(&mut actual, &output.stdout);
        for file in common::python_files(case) {
            let relative = file
                .strip_prefix(case)
                .expect("under the case")
                .to_string_lossy()
                .into_owned();
            let mut found = actual.remove(&relative).unwrap_or_default();
            found.sort();
            let expected = expectations(&file);
            if found != expected {
                failures.push(format!(
                    "{}\n  expected: {expected:?}\n  actual:   {found:?}",
                    file.display()
                ));
            }
        }
        assert!(
            actual.is_empty(),
            "findings outside the case's files: {actual:?}"
        );
    }
    assert!(
        failures.is_empty(),
        "{} project fixture file(s) differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
