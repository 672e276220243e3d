//! Tests with the real tools users run flasklint through: pre-commit (from
//! PyPI) and `pip install .` (which fetches maturin from PyPI). They need
//! those tools, a network to the package registries, and a release build
//! each, so they are ignored by a plain `cargo test`, which lists them as
//! ignored with the reason. `.ci/run` installs pre-commit and runs them with
//! `cargo test -- --include-ignored`; so can you, with pre-commit and
//! python3 on PATH.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use tempfile::TempDir;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn run(command: &mut Command) -> Output {
    command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"))
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A git repository with these files staged.
fn staged_repo(files: &[(&str, &str)]) -> TempDir {
    let dir = common::tree(files);
    let git = |args: &[&str]| {
        let output = run(Command::new("git").current_dir(dir.path()).args(args));
        assert!(output.status.success(), "git {args:?}: {}", text(&output));
    };
    git(&["init", "-q"]);
    git(&["config", "user.email", "ci@example.invalid"]);
    git(&["config", "user.name", "CI"]);
    git(&["add", "-A"]);
    dir
}

/// `pre-commit try-repo <this checkout> flasklint` on the staged files.
fn try_repo(repo: &Path) -> Output {
    // A cache that outlives the test, so the hook is built once per checkout.
    let home: PathBuf = root().join("target").join("pre-commit-home");
    run(Command::new("pre-commit")
        .current_dir(repo)
        .env("PRE_COMMIT_HOME", home)
        .args([
            "try-repo",
            root().to_str().expect("utf-8 path"),
            "flasklint",
            "--color",
            "never",
        ]))
}

const REPEATED: &str = "from flask import session\n\n\ndef login(user):\n    session[\"user_id\"] = user.id\n    session[\"name\"] = user.name\n";
const CLEAN: &str =
    "from flask import session\n\n\ndef login(user):\n    session[\"user_id\"] = user.id\n";

#[test]
#[ignore = "needs pre-commit from PyPI; .ci/run runs it (cargo test -- --include-ignored)"]
fn pre_commit_hook_fails_on_a_finding_and_passes_clean_code() {
    let bad = staged_repo(&[("app/views.py", REPEATED)]);
    let output = try_repo(bad.path());
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        text(&output).contains("FL101 (repeated-session-write)"),
        "{}",
        text(&output)
    );
    assert!(
        text(&output).contains("app/views.py:5:5"),
        "{}",
        text(&output)
    );

    let clean = staged_repo(&[("app/views.py", CLEAN)]);
    let output = try_repo(clean.path());
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
}

#[test]
#[ignore = "needs pre-commit from PyPI; .ci/run runs it (cargo test -- --include-ignored)"]
fn pre_commit_hook_honours_the_projects_pyproject() {
    let pyproject = "[project]\nname = \"shop\"\n\n[tool.flasklint]\nignore = [\"FL101\"]\nextend-exclude = [\"legacy\"]\n";
    let mutation = "from flask import session\n\n\ndef add(x):\n    session[\"cart\"].append(x)\n";
    let repo = staged_repo(&[
        ("pyproject.toml", pyproject),
        ("app/views.py", REPEATED),
        // Excluded by the project: pre-commit names it, --force-exclude skips it.
        ("legacy/cart.py", mutation),
    ]);
    let output = try_repo(repo.path());
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    // The same tree without the configuration fails on both files.
    fs::remove_file(repo.path().join("pyproject.toml")).expect("remove");
    let output = run(Command::new("git")
        .current_dir(repo.path())
        .args(["add", "-A"]));
    assert!(output.status.success());
    let output = try_repo(repo.path());
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        text(&output).contains("FL105") && text(&output).contains("FL101"),
        "{}",
        text(&output)
    );
}

#[test]
#[ignore = "needs pre-commit from PyPI; .ci/run runs it (cargo test -- --include-ignored)"]
fn the_readme_pre_commit_config_is_valid() {
    let readme = fs::read_to_string(root().join("README.md")).expect("README");
    let section = &readme[readme
        .find("### pre-commit")
        .expect("README has a pre-commit section")..];
    let start = section.find("```yaml\n").expect("a yaml block") + "```yaml\n".len();
    let end = section[start..].find("```").expect("closed") + start;
    let dir = common::tree(&[(".pre-commit-config.yaml", &section[start..end])]);
    let output = run(Command::new("pre-commit")
        .current_dir(dir.path())
        .args(["validate-config", ".pre-commit-config.yaml"]));
    assert!(output.status.success(), "{}", text(&output));
    // And our own hook definition is one pre-commit accepts.
    let output = run(Command::new("pre-commit")
        .current_dir(root())
        .args(["validate-manifest", ".pre-commit-hooks.yaml"]));
    assert!(output.status.success(), "{}", text(&output));
}

#[test]
#[ignore = "needs python3 and maturin from PyPI; .ci/run runs it (cargo test -- --include-ignored)"]
fn pip_install_puts_a_working_flasklint_on_path() {
    let venv = TempDir::new().expect("temp dir");
    let output = run(Command::new("python3")
        .args(["-m", "venv"])
        .arg(venv.path()));
    assert!(output.status.success(), "{}", text(&output));
    let pip = venv.path().join("bin/pip");
    let output = run(Command::new(&pip).args(["install", "--quiet"]).arg(root()));
    assert!(
        output.status.success(),
        "pip install . failed: {}",
        text(&output)
    );
    let installed = venv.path().join("bin/flasklint");
    let output = run(Command::new(&installed).current_dir(root()).args([
        "fixtures/demo",
        "--format",
        "json",
    ]));
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let findings: Value =
        serde_json::from_slice(&output.stdout).expect("JSON from the installed binary");
    let mut codes: Vec<&str> = findings
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes, ["FL101", "FL102", "FL103", "FL104", "FL105"]);
    let output = run(Command::new(&installed).arg("--version"));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        format!("flasklint {}\n", env!("CARGO_PKG_VERSION"))
    );
}
