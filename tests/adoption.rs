//! Adopting flasklint in an existing codebase: `--add-noqa`,
//! `--output-file`, `--format gitlab` and `junit`, `--show-files`.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::{flasklint, root, tree};
use serde_json::Value;

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walk(dir)
        .into_iter()
        .map(|path| (path.display().to_string(), fs::read(&path).unwrap()))
        .collect();
    files.sort();
    files
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn add_noqa_silences_the_demo_and_a_second_run_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&root().join("fixtures/demo"), dir.path());
    let output = flasklint()
        .current_dir(dir.path())
        .args(["--add-noqa", "."])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // 12 findings, two of them on one line.
    assert!(
        stderr(&output).contains("Added 11 noqa directives."),
        "{}",
        stderr(&output)
    );
    let base = fs::read_to_string(dir.path().join("shop/templates/base.html")).unwrap();
    assert!(
        base.contains("{# A typo: \"role\" is written (FL106). #} {# noqa: FL106 #}"),
        "{base}"
    );
    let catalog = fs::read_to_string(dir.path().join("shop/views/catalog.py")).unwrap();
    assert!(catalog.contains("# noqa: FL101, FL103\n"), "{catalog}");
    let output = flasklint()
        .current_dir(dir.path())
        .arg(".")
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let before = snapshot(dir.path());
    let output = flasklint()
        .current_dir(dir.path())
        .args(["--add-noqa", "."])
        .output()
        .unwrap();
    assert!(stderr(&output).contains("Added 0 noqa directives."));
    assert_eq!(snapshot(dir.path()), before, "idempotent");
}

#[test]
fn add_noqa_keeps_bom_crlf_other_codes_and_skips_lines_that_cannot_take_a_comment() {
    let source = "\u{feff}from flask import session\r\n\r\n\
def a(u):\r\n    session[\"x\"] = u.x  # noqa: E501\r\n    session[\"y\"] = u.y\r\n\r\n\
def b(u):\r\n    session[\"x\"] = u.x  # noqa\r\n    session[\"y\"] = u.y\r\n\r\n\
def c(u):\r\n    session[\"x\"] = u.x + \\\r\n        1\r\n    session[\"y\"] = u.y\r\n\r\n\
def d(u):\r\n    session[\"x\"] = \"\"\"a\r\nb\"\"\".join(u)\r\n    session[\"y\"] = u.y\r\n";
    let dir = tree(&[("app.py", source), ("flasklint.toml", "")]);
    let output = flasklint()
        .current_dir(dir.path())
        .args(["--add-noqa", "app.py"])
        .output()
        .unwrap();
    let message = stderr(&output);
    assert!(message.contains("Added 1 noqa directive."), "{message}");
    assert!(message.contains("app.py:12: no noqa directive added: the line ends inside a string or after a backslash continuation"), "{message}");
    assert!(
        message.contains("app.py:17: no noqa directive added"),
        "{message}"
    );
    let after = fs::read_to_string(dir.path().join("app.py")).unwrap();
    assert_eq!(
        after,
        source.replace("# noqa: E501\r\n", "# noqa: E501, FL101\r\n"),
        "only the E501 line changes; the blanket noqa already silences b"
    );
}

#[test]
fn add_noqa_leaves_a_read_only_file_byte_identical_and_names_it() {
    let text =
        "from flask import session\n\ndef a(u):\n    session[\"x\"] = 1\n    session[\"y\"] = 2\n";
    let dir = tree(&[("app.py", text), ("flasklint.toml", "")]);
    let path = dir.path().join("app.py");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o444)).unwrap();
    let output = flasklint()
        .current_dir(dir.path())
        .args(["--add-noqa", "."])
        .output()
        .unwrap();
    assert!(
        stderr(&output).contains(
            "error: app.py: cannot add noqa directives, the file is unchanged: it is read-only"
        ),
        "{}",
        stderr(&output)
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn add_noqa_handles_thousands_of_findings_in_one_file() {
    let mut text = String::from("from flask import session\n");
    for n in 0..3000 {
        text.push_str(&format!(
            "\ndef f{n}(u):\n    session[\"a\"] = u\n    session[\"b\"] = u\n"
        ));
    }
    let dir = tree(&[("app.py", &text), ("flasklint.toml", "")]);
    let output = flasklint()
        .current_dir(dir.path())
        .args(["--add-noqa", "."])
        .timeout(common::HANG_GUARD)
        .output()
        .unwrap();
    assert!(
        stderr(&output).contains("Added 3000 noqa directives."),
        "{}",
        stderr(&output)
    );
    let output = flasklint()
        .current_dir(dir.path())
        .arg(".")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn output_file_gets_the_report_and_the_exit_code_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&root().join("fixtures/demo"), dir.path());
    let output = flasklint()
        .current_dir(dir.path())
        .args(["--format", "json", "--output-file", "report.json", "."])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let report: Value =
        serde_json::from_slice(&fs::read(dir.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(report.as_array().unwrap().len(), 12);
    // A missing directory, or one that cannot be written: exit 2, no file.
    let output = flasklint()
        .current_dir(dir.path())
        .args(["--output-file", "missing/report.txt", "."])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("the directory `missing` does not exist"),
        "{}",
        stderr(&output)
    );
    let locked = dir.path().join("locked");
    fs::create_dir(&locked).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o555)).unwrap();
    let output = flasklint()
        .current_dir(dir.path())
        .args(["--output-file", "locked/report.txt", "."])
        .output()
        .unwrap();
    let writable = fs::File::create(locked.join("probe")).is_ok(); // root can
    if !writable {
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        assert!(stderr(&output).contains("cannot write the report to `locked/report.txt`"));
        assert_eq!(fs::read_dir(&locked).unwrap().count(), 0, "no partial file");
    } else {
        eprintln!("running as root: a read-only directory is writable, its case is not checked");
    }
}

#[test]
fn gitlab_report_matches_its_schema_and_fingerprints_survive_edits_above() {
    let text =
        "from flask import session\n\ndef a(u):\n    session[\"x\"] = 1\n    session[\"y\"] = 2\n";
    let dir = tree(&[("app.py", text), ("flasklint.toml", "")]);
    let report = |dir: &Path| -> Value {
        let output = flasklint()
            .current_dir(dir)
            .args(["--format", "gitlab", "."])
            .output()
            .unwrap();
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let first = report(dir.path());
    let schema: Value = serde_json::from_str(
        &fs::read_to_string(root().join("schemas/gitlab-code-quality.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(&first), "{first:#}");
    assert_eq!(first[0]["check_name"], "FL101");
    assert_eq!(first[0]["severity"], "minor");
    assert_eq!(first[0]["location"]["lines"]["begin"], 4);
    fs::write(dir.path().join("app.py"), format!("import os\n\n\n{text}")).unwrap();
    let moved = report(dir.path());
    assert_eq!(moved[0]["location"]["lines"]["begin"], 7);
    assert_eq!(moved[0]["fingerprint"], first[0]["fingerprint"]);
    let empty = tree(&[("clean.py", "x = 1\n"), ("flasklint.toml", "")]);
    assert_eq!(report(empty.path()), Value::Array(Vec::new()));
}

#[test]
fn junit_report_has_a_testcase_per_file_and_a_failure_per_finding() {
    let output = flasklint()
        .current_dir(root().join("fixtures/demo"))
        .args(["--format", "junit", "."])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let xml = String::from_utf8(output.stdout).unwrap();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"));
    assert!(
        xml.contains(
            "<testsuite name=\"flasklint\" tests=\"7\" failures=\"12\" errors=\"0\" skipped=\"0\">"
        ),
        "{xml}"
    );
    assert_eq!(xml.matches("<testcase ").count(), 7);
    assert_eq!(xml.matches("<failure ").count(), 12);
    assert!(xml.contains("&quot;roles&quot;"), "quotes escaped");
}

#[test]
fn show_files_lists_what_would_be_checked_and_the_root() {
    let dir = tree(&[
        ("flasklint.toml", "extend-exclude = [\"legacy\"]\n"),
        ("app/views.py", "x = 1\n"),
        ("app/templates/page.html", "{{ session.x }}\n"),
        ("legacy/old.py", "x = 1\n"),
        ("README.md", "text\n"),
    ]);
    let output = flasklint()
        .current_dir(dir.path())
        .arg("--show-files")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "app/templates/page.html\napp/views.py\n"
    );
    let root_line = format!(
        "Project root: {}",
        dir.path().canonicalize().unwrap().display()
    );
    let shown = stderr(&output);
    assert!(
        shown.contains(&root_line)
            || shown.contains(&format!("Project root: {}", dir.path().display())),
        "{shown}"
    );
}
