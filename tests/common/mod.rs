//! Helpers shared by the integration tests: the binary, and temporary
//! trees of files.

// Each test binary uses some of these helpers, not all.
#![allow(dead_code)]

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

pub mod lsp;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// How long a test lets one run of the binary take before it calls it a
/// hang: ten times what the slowest adversarial run needs in a debug build
/// on a busy 2-core machine. Not a speed target; `bench/` measures speed.
pub const HANG_GUARD: std::time::Duration = std::time::Duration::from_secs(600);

/// The flasklint binary, with the colour variables of the test's
/// environment removed so that output does not depend on it.
pub fn flasklint() -> Command {
    let mut command = Command::cargo_bin("flasklint").expect("binary built");
    command.env_remove("NO_COLOR").env_remove("FORCE_COLOR");
    command
}

/// The checkout flasklint is built from.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the binary in `dir` with `args` (under the hang guard) and parses
/// its standard output as JSON, with the exit code. A run that ends with
/// exit 2, or whose output is not JSON, fails the test, showing stderr.
pub fn run_json(dir: &Path, args: &[&str]) -> (i32, Value) {
    let output = flasklint()
        .current_dir(dir)
        .args(args)
        .timeout(HANG_GUARD)
        .output()
        .expect("flasklint runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let code = output.status.code().expect("exited, not killed");
    assert_ne!(code, 2, "stderr: {stderr}");
    let json = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}); stderr: {stderr}"));
    (code, json)
}

/// The `key` of every element of a JSON array, as text.
pub fn field(findings: &Value, key: &str) -> Vec<String> {
    findings
        .as_array()
        .expect("an array")
        .iter()
        .map(|finding| finding[key].as_str().unwrap_or_default().to_string())
        .collect()
}

/// A temporary tree of files, given as (relative path, contents).
pub fn tree(files: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new().expect("temp dir");
    for (path, contents) in files {
        let path = dir.path().join(path);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, contents).expect("write");
    }
    dir
}

/// Runs GNU `patch` in `dir` with `args` (and `--quiet --batch
/// --no-backup-if-mismatch`), the unified diff `diff` on its standard input.
pub fn apply_patch(dir: &Path, args: &[&str], diff: &[u8]) -> Output {
    let mut child = std::process::Command::new("patch")
        .current_dir(dir)
        .args(["--quiet", "--batch", "--no-backup-if-mismatch"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("GNU patch runs");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(diff).expect("patch reads the diff");
    drop(stdin); // end of the diff
    child.wait_with_output().expect("patch finishes")
}

/// Every `.py` file under `dir`, recursively, sorted.
pub fn python_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).expect("readable dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "py") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// One rule as `--list-rules` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleRow {
    /// `FL101`.
    pub code: String,
    /// `repeated-session-write`.
    pub name: String,
    /// `on` or `off`.
    pub default: String,
    /// `no` or `sometimes`.
    pub fixable: String,
}

/// The rule registry, read from the binary's `--list-rules`, so that no
/// test keeps a list of codes of its own.
pub fn registry() -> Vec<RuleRow> {
    let output = flasklint().arg("--list-rules").output().expect("runs");
    assert!(output.status.success());
    String::from_utf8(output.stdout)
        .expect("utf-8")
        .lines()
        .skip(1)
        .map(|line| {
            let mut words = line.split_whitespace().map(str::to_string);
            let mut next = || words.next().expect("a full row");
            RuleRow {
                code: next(),
                name: next(),
                default: next(),
                fixable: next(),
            }
        })
        .collect()
}

/// The codes of the rules about the session (FL1xx), in order.
pub fn session_rule_codes() -> Vec<String> {
    registry()
        .into_iter()
        .map(|row| row.code)
        .filter(|code| code.starts_with("FL1"))
        .collect()
}

/// The fixture directories whose files carry inline expectations: one per
/// rule, and the cases that are about no single rule.
pub fn fixture_dirs() -> Vec<String> {
    registry()
        .into_iter()
        .map(|row| format!("fixtures/{}", row.code))
        .chain(["fixtures/session", "fixtures/noqa", "fixtures/trial/myshop"].map(str::to_string))
        .collect()
}

/// Copies a directory tree (the demo app, into a temporary directory).
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}
