//! Tests with the real tools users run flasklint through: pre-commit (from
//! PyPI), `pip install .` (which fetches maturin from PyPI), and Flask
//! itself running a fixed app. They need those tools, a network to the
//! package registries, and a release build each, so they are ignored by a
//! plain `cargo test`, which lists them as ignored with the reason.
//! `.ci/run` installs pre-commit and Flask and runs them with `cargo test
//! -- --include-ignored`; so can you, with pre-commit, Flask and python3
//! on PATH.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use tempfile::TempDir;

use common::root;

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
    try_hook(repo, "flasklint", &mut Command::new("pre-commit"))
}

/// `pre-commit try-repo <this checkout> HOOK` on the staged files.
fn try_hook(repo: &Path, hook: &str, command: &mut Command) -> Output {
    // A cache that outlives the test, so the hook is built once per checkout.
    let home: PathBuf = root().join("target").join("pre-commit-home");
    run(command
        .current_dir(repo)
        .env("PRE_COMMIT_HOME", home)
        .args([
            "try-repo",
            root().to_str().expect("utf-8 path"),
            hook,
            "--color",
            "never",
        ]))
}

#[test]
#[ignore = "needs pre-commit from PyPI; .ci/run runs it (cargo test -- --include-ignored)"]
fn the_system_hook_runs_the_flasklint_on_path_without_a_build() {
    let binary = Path::new(env!("CARGO_BIN_EXE_flasklint"));
    let path = format!(
        "{}:{}",
        binary.parent().expect("bin dir").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let bad = staged_repo(&[("app/views.py", REPEATED)]);
    let started = std::time::Instant::now();
    let output = try_hook(
        bad.path(),
        "flasklint-system",
        Command::new("pre-commit").env("PATH", &path),
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        text(&output).contains("app/views.py:5:5"),
        "{}",
        text(&output)
    );
    eprintln!("flasklint-system, first run: {:?}", started.elapsed());
    let clean = staged_repo(&[("app/views.py", CLEAN)]);
    let output = try_hook(
        clean.path(),
        "flasklint-system",
        Command::new("pre-commit").env("PATH", &path),
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
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
fn the_readme_pre_commit_rev_exists_in_this_repository() {
    let readme = fs::read_to_string(root().join("README.md")).expect("README");
    let rev = readme
        .lines()
        .find_map(|line| line.trim().strip_prefix("rev: "))
        .expect("the README names a pre-commit rev");
    // A clone may have the branch only as `origin/main`.
    let resolves = [rev.to_string(), format!("origin/{rev}")]
        .iter()
        .any(|name| {
            run(Command::new("git")
                .current_dir(root())
                .args(["rev-parse", "--verify", "--quiet"])
                .arg(format!("{name}^{{commit}}")))
            .status
            .success()
        });
    assert!(
        resolves,
        "`rev: {rev}` in the README is no commit of this repository"
    );
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
    // The demo shows every session rule that is on by default.
    let on_by_default: Vec<String> = common::registry()
        .into_iter()
        .filter(|row| row.default == "on" && row.code.starts_with("FL1"))
        .map(|row| row.code)
        .collect();
    assert_eq!(codes, on_by_default);
    let output = run(Command::new(&installed).arg("--version"));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        format!("flasklint {}\n", env!("CARGO_PKG_VERSION"))
    );
}

/// Drives the trial app (`fixtures/trial`) with Flask's test client and
/// prints what each step left in the session, as JSON.
const TRIAL_CLIENT: &str = r#"
import io, json, logging, sys
sys.path.insert(0, sys.argv[1])
from myshop import create_app

app = create_app()
app.logger.setLevel(logging.CRITICAL)  # the 500s below are expected
client = app.test_client()
client.post("/cart/add", data={"sku": "a"})
client.post("/cart/add", data={"sku": "b"})
client.post("/cart/note", data={"sku": "a", "text": "gift"})
added = client.get("/cart/").get_json()

other = app.test_client()
with other.session_transaction() as stored:
    stored["cart"] = ["a", "b"]
other.post("/cart/remove", data={"sku": "a"})
removed = other.get("/cart/").get_json()

client.post("/signup/step1", data={"name": "Ada", "email": "ada@example.org"})
summary = client.get("/signup/summary").get_json()

status = {
    "remember": client.post("/catalog/remember").status_code,
    "choose": client.post("/catalog/choose", data={"id": "1"}).status_code,
    "tags": client.post("/catalog/tags", data={"tag": "new"}).status_code,
    "avatar": client.post(
        "/catalog/avatar", data={"avatar": (io.BytesIO(b"png"), "a.png")}
    ).status_code,
    "ids": client.get("/catalog/ids").status_code,
}
print(json.dumps({"added": added, "removed": removed, "summary": summary, "status": status}))
"#;

fn trial_run(app: &Path) -> Value {
    let output = run(Command::new("python3").arg("-c").arg(TRIAL_CLIENT).arg(app));
    assert!(output.status.success(), "{}", text(&output));
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&output)))
}

#[test]
#[ignore = "needs Flask from PyPI; .ci/run installs it in its venv (cargo test -- --include-ignored)"]
fn the_fixed_trial_app_keeps_every_change_under_flask() {
    let dir = TempDir::new().expect("temp dir");
    let copied = run(Command::new("cp")
        .arg("-r")
        .arg(root().join("fixtures/trial/myshop"))
        .arg(dir.path()));
    assert!(copied.status.success(), "{}", text(&copied));
    let before = trial_run(dir.path());
    let fixed = common::flasklint()
        .current_dir(dir.path())
        .args(["--isolated", "--fix", "-q", "myshop"])
        .output()
        .expect("flasklint runs");
    // What has no fix (FL102, FL103, FL104) remains.
    assert_eq!(fixed.status.code(), Some(1), "{}", text(&fixed));
    let after = trial_run(dir.path());

    // Before the fix, Flask lost the changes: a default never stored, a
    // stored list changed without `session.modified`.
    assert_eq!(
        before["added"],
        serde_json::json!({"cart": [], "notes": {}})
    );
    assert_eq!(before["removed"]["cart"], serde_json::json!(["a", "b"]));
    // After it, every change is there on the next request.
    assert_eq!(
        after["added"],
        serde_json::json!({"cart": ["a", "b"], "notes": {"a": "gift"}})
    );
    assert_eq!(after["removed"]["cart"], serde_json::json!(["b"]));
    // The merged wizard writes store the same as the separate ones did.
    let signed_up = serde_json::json!({"name": "Ada", "email": "ada@example.org", "street": null, "city": null});
    assert_eq!(before["summary"], signed_up);
    assert_eq!(after["summary"], signed_up);
    // And FL104 is honest: Flask answers 500 for each value it reports
    // (no fix touches them), while a list of ids (FL103) is served.
    for state in [&before, &after] {
        assert_eq!(
            state["status"],
            serde_json::json!({"remember": 500, "choose": 500, "tags": 500, "avatar": 500, "ids": 200})
        );
    }
}

#[test]
#[ignore = "needs junitparser and lxml from PyPI; .ci/run runs it (cargo test -- --include-ignored)"]
fn junit_report_is_read_by_junitparser_and_valid_against_junit_10_xsd() {
    let report = root().join("target").join("junit-demo.xml");
    let output = run(Command::new(env!("CARGO_BIN_EXE_flasklint"))
        .current_dir(root().join("fixtures/demo"))
        .args(["--format", "junit", "--output-file"])
        .arg(&report)
        .arg("."));
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let script = "import sys\n\
from junitparser import JUnitXml, Failure\n\
xml = JUnitXml.fromfile(sys.argv[1])\n\
cases = [case for suite in xml for case in suite]\n\
failures = [r for case in cases for r in case.result if isinstance(r, Failure)]\n\
print(len(cases), len(failures), failures[0].type)\n\
from lxml import etree\n\
schema = etree.XMLSchema(etree.parse(sys.argv[2]))\n\
schema.assertValid(etree.parse(sys.argv[1]))\n";
    let output = run(Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&report)
        .arg(root().join("schemas/junit-10.xsd")));
    assert!(output.status.success(), "{}", text(&output));
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "7 12 FL106");
}

#[test]
#[ignore = "needs pytest-lsp from PyPI; .ci/run runs it (cargo test -- --include-ignored)"]
fn pytest_lsp_suite_passes() {
    let output = run(Command::new("python3")
        .current_dir(root())
        .args([
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/lsp_pytest",
        ])
        .env("FLASKLINT_BIN", env!("CARGO_BIN_EXE_flasklint")));
    assert!(output.status.success(), "{}", text(&output));
    assert!(text(&output).contains("2 passed"), "{}", text(&output));
}
