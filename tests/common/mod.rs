//! Helpers shared by the integration tests: the binary, and temporary
//! trees of files.

// Each test binary uses some of these helpers, not all.
#![allow(dead_code)]

use std::fs;

use assert_cmd::Command;
use tempfile::TempDir;

/// The flasklint binary, with the colour variables of the test's
/// environment removed so that output does not depend on it.
pub fn flasklint() -> Command {
    let mut command = Command::cargo_bin("flasklint").expect("binary built");
    command.env_remove("NO_COLOR").env_remove("FORCE_COLOR");
    command
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

/// The fixture directories whose files carry inline expectations.
pub const FIXTURE_DIRS: &[&str] = &[
    "fixtures/FL001",
    "fixtures/FL002",
    "fixtures/FL101",
    "fixtures/FL102",
    "fixtures/FL103",
    "fixtures/FL104",
    "fixtures/FL105",
    "fixtures/session",
    "fixtures/noqa",
];
