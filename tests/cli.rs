//! The command line, driven through the real binary: every option, every
//! exit code, file discovery, and the output formats.

mod common;

use std::fs;
use std::path::Path;

use predicates::prelude::*;
use serde_json::Value;

use common::{flasklint, tree};

const REPEATED: &str = "from flask import session\n\n\ndef login(user):\n    session[\"user_id\"] = user.id\n    session[\"name\"] = user.name\n";
const MUTATION: &str =
    "from flask import session\n\n\ndef add(sku):\n    session[\"cart\"].append(sku)\n";
const CLEAN: &str =
    "from flask import session\n\n\ndef login(user):\n    session[\"user_id\"] = user.id\n";

fn json(dir: &Path, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["--format", "json"];
    all.extend(args);
    let (_, value) = common::run_json(dir, &all);
    value.as_array().expect("an array").clone()
}

fn codes(findings: &[Value]) -> Vec<String> {
    findings
        .iter()
        .map(|f| f["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn exit_0_and_all_checks_passed_when_clean() {
    let dir = tree(&[("app.py", CLEAN)]);
    flasklint()
        .current_dir(dir.path())
        .arg("app.py")
        .assert()
        .code(0)
        .stdout("All checks passed.\n");
}

#[test]
fn exit_1_when_findings_remain_and_0_with_exit_zero() {
    let dir = tree(&[("app.py", REPEATED)]);
    flasklint()
        .current_dir(dir.path())
        .arg("app.py")
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "Found 1 finding (1 fixable with --fix).",
        ));
    flasklint()
        .current_dir(dir.path())
        .args(["--exit-zero", "app.py"])
        .assert()
        .code(0);
}

#[test]
fn exit_2_for_a_missing_path_naming_it() {
    let dir = tree(&[("app.py", CLEAN)]);
    flasklint()
        .current_dir(dir.path())
        .args(["app.py", "nope/missing.py"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nope/missing.py"))
        .stdout("");
}

#[test]
fn exit_2_for_an_unknown_rule_code() {
    for option in ["--select", "--ignore", "--extend-select"] {
        flasklint()
            .args([option, "FL999", "."])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "unknown rule code or prefix `FL999`",
            ));
    }
}

#[test]
fn exit_2_for_an_unknown_format_or_option() {
    flasklint()
        .args(["--format", "xml", "."])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("xml"));
    flasklint().args(["--no-such-option"]).assert().code(2);
}

#[test]
fn paths_default_to_the_current_directory() {
    let dir = tree(&[("pkg/views.py", REPEATED)]);
    let findings = json(dir.path(), &[]);
    assert_eq!(codes(&findings), ["FL101"]);
    assert_eq!(findings[0]["filename"], "pkg/views.py");
}

#[test]
fn select_ignore_and_extend_select() {
    let dir = tree(&[("a.py", REPEATED), ("b.py", MUTATION)]);
    assert_eq!(codes(&json(dir.path(), &[])), ["FL101", "FL105"]);
    assert_eq!(codes(&json(dir.path(), &["--select", "FL105"])), ["FL105"]);
    // A prefix selects the rules that are off by default too (FL107).
    assert_eq!(
        codes(&json(dir.path(), &["--select", "FL1", "--ignore", "FL101"])),
        ["FL107", "FL107", "FL105"]
    );
    assert_eq!(
        codes(&json(
            dir.path(),
            &["--select", "FL105", "--extend-select", "FL101"]
        )),
        ["FL101", "FL105"]
    );
    assert_eq!(
        codes(&json(dir.path(), &["--select", "ALL", "--ignore", "FL1"])),
        Vec::<String>::new()
    );
}

#[test]
fn explain_prints_the_rule_doc() {
    flasklint()
        .args(["--explain", "FL101"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with(
            "# FL101 (repeated-session-write)",
        ))
        .stdout(predicate::str::contains("## Fix safety"));
    flasklint().args(["--explain", "fl105"]).assert().code(0);
    flasklint()
        .args(["--explain", "FL999"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("FL999"));
}

#[test]
fn the_readme_rule_table_is_the_registry() {
    let readme = fs::read_to_string(common::root().join("README.md")).expect("README");
    let table = &readme[readme.find("## Rules").expect("a Rules section")..];
    // `| [FL101](rules/FL101.md) | repeated-session-write | warning | sometimes | ... |`
    let rows: Vec<(String, String, String)> = table
        .lines()
        .skip_while(|line| !line.starts_with("| [FL"))
        .take_while(|line| line.starts_with("| [FL"))
        .map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let code = cells[1]
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or_default();
            (code.to_string(), cells[2].to_string(), cells[4].to_string())
        })
        .collect();
    let registry: Vec<(String, String, String)> = common::registry()
        .into_iter()
        .map(|row| (row.code, row.name, row.fixable))
        .collect();
    assert_eq!(
        rows, registry,
        "the README's rule table and `--list-rules` differ"
    );
    // And each row links the rule's page, which `--explain` prints.
    for (code, _, _) in &rows {
        let page =
            fs::read_to_string(common::root().join(format!("rules/{code}.md"))).expect("page");
        let explained = flasklint()
            .args(["--explain", code])
            .output()
            .expect("runs");
        assert_eq!(explained.stdout, page.as_bytes(), "{code}");
    }
}

#[test]
fn version() {
    flasklint()
        .arg("--version")
        .assert()
        .code(0)
        .stdout(format!("flasklint {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn concise_format_is_one_line_per_finding() {
    let dir = tree(&[("a.py", REPEATED), ("b.py", MUTATION)]);
    flasklint()
        .current_dir(dir.path())
        .args(["--format", "concise", "-q"])
        .assert()
        .code(1)
        .stdout(
            "a.py:5:5: FL101 `session` is written 2 times in `login` (lines 5, 6); batch the writes into one `session.update(...)`\n\
             b.py:5:5: FL105 `session[\"cart\"]` is changed in place (`.append(...)`) but `add` never sets `session.modified = True`; Flask does not see the change and drops it\n",
        );
}

#[test]
fn fl101_names_the_keys_when_a_key_is_written_again() {
    let code = "from flask import session\n\n\ndef login(user, key):\n    session[\"user_id\"] = user.id\n    session[\"user_id\"] = user.id\n    session[key] = True\n";
    let dir = tree(&[("a.py", code)]);
    flasklint()
        .current_dir(dir.path())
        .args(["--format", "concise", "-q", "--select", "FL101"])
        .assert()
        .code(1)
        .stdout(
            "a.py:5:5: FL101 `session` is written 3 times (2 keys) in `login` (lines 5, 6, 7); batch the writes into one `session.update(...)`\n",
        );
}

#[test]
fn json_has_the_contract_shape() {
    let dir = tree(&[("app.py", REPEATED)]);
    let findings = json(dir.path(), &[]);
    let finding = &findings[0];
    assert_eq!(finding["code"], "FL101");
    assert_eq!(finding["name"], "repeated-session-write");
    assert_eq!(finding["severity"], "warning");
    assert_eq!(finding["filename"], "app.py");
    assert_eq!(
        finding["location"],
        serde_json::json!({"row": 5, "column": 5})
    );
    assert_eq!(
        finding["end_location"],
        serde_json::json!({"row": 5, "column": 33})
    );
    assert_eq!(finding["noqa_row"], 5);
    assert_eq!(finding["url"], Value::Null);
    assert_eq!(finding["fix"]["applicability"], "safe");
    assert_eq!(
        finding["fix"]["edits"][0]["content"],
        "session.update({\"user_id\": user.id, \"name\": user.name})"
    );
    assert_eq!(
        finding["fix"]["edits"][0]["end_location"],
        serde_json::json!({"row": 6, "column": 32})
    );
    assert!(
        finding["help"]
            .as_str()
            .is_some_and(|h| h.contains("session.update("))
    );
    let keys: Vec<&str> = finding
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = vec![
        "code",
        "name",
        "message",
        "severity",
        "filename",
        "location",
        "end_location",
        "noqa_row",
        "fix",
        "help",
        "url",
    ];
    expected.sort_unstable();
    let mut keys = keys;
    keys.sort_unstable();
    assert_eq!(keys, expected);
}

#[test]
fn json_fix_is_null_without_a_fix_and_severity_error_for_bugs() {
    let dir = tree(&[(
        "app.py",
        "from flask import session\nsession[\"t\"] = {1}\n",
    )]);
    let findings = json(dir.path(), &[]);
    assert_eq!(codes(&findings), ["FL104"]);
    assert_eq!(findings[0]["fix"], Value::Null);
    assert_eq!(findings[0]["severity"], "error");
}

#[test]
fn json_columns_count_code_points() {
    let source =
        "from flask import session\n\n\ndef f(x):\n    é = \"😀\"; session[\"c\"].append(x)\n";
    let dir = tree(&[("app.py", source)]);
    let findings = json(dir.path(), &[]);
    // `    é = "😀"; ` is 13 code points, so the call starts at column 14.
    assert_eq!(
        findings[0]["location"],
        serde_json::json!({"row": 5, "column": 14})
    );
}

#[test]
fn json_is_an_empty_array_when_clean_and_json_lines_is_one_object_per_line() {
    let dir = tree(&[("a.py", REPEATED), ("b.py", MUTATION), ("c.py", CLEAN)]);
    assert!(json(dir.path(), &["c.py"]).is_empty());
    let output = flasklint()
        .current_dir(dir.path())
        .args(["--format", "json-lines"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(codes(&lines), ["FL101", "FL105"]);
}

#[test]
fn text_format_shows_code_snippet_help_fix_and_summary() {
    let dir = tree(&[("app.py", REPEATED)]);
    flasklint()
        .current_dir(dir.path())
        .args(["--color", "never"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("FL101 (repeated-session-write)"))
        .stdout(predicate::str::contains("[app.py:5:5]"))
        .stdout(predicate::str::contains(
            "5 │     session[\"user_id\"] = user.id",
        ))
        .stdout(predicate::str::contains("help: Combine the writes"))
        .stdout(predicate::str::contains(
            "fix (safe): Merge into one `session.update(...)` call",
        ))
        .stdout(predicate::str::ends_with(
            "Found 1 finding (1 fixable with --fix).\n",
        ));
}

#[test]
fn every_text_block_names_its_file_also_without_a_snippet() {
    let dir = tree(&[
        ("a.py", "x = 1\n"),
        ("b.py", "y = 2\n"),
        ("c.py", "z = 3\n"),
    ]);
    for (name, bytes) in [
        ("a.py", &b"\xff\xfe\0"[..]),
        ("b.py", b"\xff"),
        ("c.py", b"\x80abc"),
    ] {
        fs::write(dir.path().join(name), bytes).expect("write");
    }
    let output = flasklint()
        .current_dir(dir.path())
        .args(["--color", "never", "--max-file-size", "3"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    for (file, problem) in [
        ("a.py", "not valid UTF-8"),
        ("b.py", "not valid UTF-8"),
        ("c.py", "more than --max-file-size"),
    ] {
        let block = stdout
            .split("FL001 (io-error)")
            .find(|block| block.contains(&format!("[{file}:1:1]")))
            .unwrap_or_else(|| panic!("no block names {file}:\n{stdout}"));
        assert!(block.contains(problem), "{file}: {block}");
    }
}

#[test]
fn messages_quote_multi_line_code_on_one_balanced_line() {
    let source = "from flask import session\n\n\ndef f():\n    session[\"tags\"] = {\"a\",\n                       \"b\"}\n";
    let dir = tree(&[("app.py", source)]);
    let findings = json(dir.path(), &[]);
    let message = findings[0]["message"].as_str().expect("message");
    assert!(
        message.starts_with("`{\"a\", ...}` stored in `session[\"tags\"]`"),
        "{message}"
    );
}

#[test]
fn the_fix_preview_is_indented_as_it_will_be_written() {
    let source = "from flask import session\n\n\ndef f(x):\n    if x:\n        session[\"c\"] = 1\n        session[\"d\"] = 2\n";
    let dir = tree(&[("app.py", source)]);
    flasklint()
        .current_dir(dir.path())
        .args(["--color", "never"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "    │         session.update({\"c\": 1, \"d\": 2})\n",
        ));
}

#[test]
fn summaries_and_statistics_count_unsafe_fixes_apart() {
    // One safe fix (FL105), one unsafe (FL101: a value calls a function).
    let source = "from flask import session\n\n\ndef f(user):\n    session[\"a\"] = str(user)\n    session[\"b\"] = 2\n\n\ndef g(sku):\n    session[\"cart\"].append(sku)\n";
    let dir = tree(&[("app.py", source)]);
    let run = |args: &[&str]| {
        let output = flasklint()
            .current_dir(dir.path())
            .args(["--color", "never"])
            .args(args)
            .output()
            .expect("runs");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    assert!(
        run(&[])
            .ends_with("Found 2 findings (1 fixable with --fix; 1 more with --unsafe-fixes).\n")
    );
    assert!(
        run(&["--unsafe-fixes"])
            .ends_with("Found 2 findings (2 fixable with --fix --unsafe-fixes).\n")
    );
    assert_eq!(
        run(&["--statistics"]),
        "1  FL101  repeated-session-write         0 fixable (1 more with --unsafe-fixes)\n1  FL105  unmarked-session-mutation      1 fixable\n"
    );
    assert_eq!(
        run(&["--statistics", "--unsafe-fixes"]),
        "1  FL101  repeated-session-write         1 fixable\n1  FL105  unmarked-session-mutation      1 fixable\n"
    );
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let dir = tree(&[("app.py", REPEATED)]);
    let run = |args: &[&str], env: Option<(&str, &str)>| {
        let mut command = flasklint();
        command.current_dir(dir.path()).args(args);
        if let Some((key, value)) = env {
            command.env(key, value);
        }
        String::from_utf8(command.output().expect("runs").stdout).expect("utf-8")
    };
    assert!(run(&["--color", "always"], None).contains('\x1b'));
    assert!(!run(&["--color", "never"], None).contains('\x1b'));
    // Piped output (as here) has no colour by default.
    assert!(!run(&[], None).contains('\x1b'));
    assert!(!run(&[], Some(("NO_COLOR", "1"))).contains('\x1b'));
    assert!(run(&[], Some(("FORCE_COLOR", "1"))).contains('\x1b'));
}

#[test]
fn quiet_drops_the_summary_and_verbose_adds_chatter_on_stderr() {
    let dir = tree(&[("app.py", CLEAN)]);
    flasklint()
        .current_dir(dir.path())
        .arg("-q")
        .assert()
        .code(0)
        .stdout("");
    flasklint()
        .current_dir(dir.path())
        .arg("-v")
        .assert()
        .code(0)
        .stdout("All checks passed.\n")
        .stderr(predicate::str::contains("Checked 1 files"));
}

#[test]
fn output_is_sorted_by_path_then_position_and_stable() {
    let dir = tree(&[
        ("z.py", MUTATION),
        ("a/b.py", REPEATED),
        (
            "a.py",
            &format!("{MUTATION}\n\ndef g(x):\n    session[\"d\"][\"k\"] = x\n"),
        ),
    ]);
    let run = || {
        flasklint()
            .current_dir(dir.path())
            .args(["--format", "concise", "-q"])
            .output()
            .expect("runs")
            .stdout
    };
    let first = run();
    let text = String::from_utf8_lossy(&first);
    let places: Vec<&str> = text
        .lines()
        .map(|l| l.split(": ").next().unwrap_or_default())
        .collect();
    assert_eq!(places, ["a.py:5:5", "a.py:9:5", "a/b.py:5:5", "z.py:5:5"]);
    for _ in 0..3 {
        assert_eq!(run(), first);
    }
}

#[test]
fn a_bad_file_is_a_finding_and_the_others_are_still_checked() {
    let dir = tree(&[
        ("good.py", MUTATION),
        (
            "broken.py",
            "from flask import session\n\ndef f(:\n    pass\n",
        ),
    ]);
    fs::write(dir.path().join("latin1.py"), b"# caf\xe9\n").expect("write");
    let findings = json(dir.path(), &[]);
    let got: Vec<(String, String)> = findings
        .iter()
        .map(|f| {
            (
                f["filename"].as_str().unwrap_or_default().to_string(),
                f["code"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert!(
        got.contains(&("latin1.py".into(), "FL001".into())),
        "{got:?}"
    );
    assert!(
        got.contains(&("broken.py".into(), "FL002".into())),
        "{got:?}"
    );
    assert!(got.contains(&("good.py".into(), "FL105".into())), "{got:?}");
    let fl001 = findings
        .iter()
        .find(|f| f["code"] == "FL001")
        .expect("FL001");
    assert_eq!(
        fl001["location"],
        serde_json::json!({"row": 1, "column": 1})
    );
    assert!(
        fl001["message"]
            .as_str()
            .is_some_and(|m| m.contains("not valid UTF-8"))
    );
}

#[test]
fn discovery_respects_gitignore_hidden_dirs_and_default_excludes() {
    let dir = tree(&[
        (".gitignore", "generated/\n"),
        ("app/views.py", MUTATION),
        ("app/stubs.pyi", MUTATION),
        ("app/notes.txt", MUTATION),
        ("generated/views.py", MUTATION),
        (".hidden/views.py", MUTATION),
        ("venv/lib/views.py", MUTATION),
        ("node_modules/x/views.py", MUTATION),
        ("build/views.py", MUTATION),
        ("app/__pycache__/views.py", MUTATION),
    ]);
    let findings = json(dir.path(), &[]);
    let files: Vec<&str> = findings
        .iter()
        .map(|f| f["filename"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(files, ["app/stubs.pyi", "app/views.py"]);
}

#[test]
fn an_explicit_file_is_checked_even_when_excluded() {
    let dir = tree(&[
        (".gitignore", "generated/\n"),
        ("generated/views.py", MUTATION),
        ("venv/x.py", MUTATION),
    ]);
    let findings = json(dir.path(), &["generated/views.py", "venv/x.py", "."]);
    let files: Vec<&str> = findings
        .iter()
        .map(|f| f["filename"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(files, ["generated/views.py", "venv/x.py"]);
}

#[test]
fn filenames_are_relative_under_the_current_directory_else_absolute() {
    let dir = tree(&[("app/views.py", MUTATION)]);
    let other = tree(&[("elsewhere.py", MUTATION)]);
    let outside = other.path().join("elsewhere.py");
    let outside = outside.to_str().expect("utf-8 path");
    let findings = json(
        &dir.path().join("app"),
        &["./views.py", "../app/views.py", outside],
    );
    let files: Vec<&str> = findings
        .iter()
        .map(|f| f["filename"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(
        files[0].starts_with('/') && files[0].ends_with("elsewhere.py"),
        "{files:?}"
    );
    assert_eq!(files[1], "views.py");
}

#[test]
fn the_demo_app_shows_every_session_rule() {
    let root = common::root();
    let findings = json(root, &["--extend-select", "FL107", "fixtures/demo"]);
    let mut found = codes(&findings);
    found.sort();
    found.dedup();
    assert_eq!(found, common::session_rule_codes());
}

#[test]
fn deep_nesting_and_long_lines_are_fine() {
    let depth = 20_000;
    let parens = format!(
        "from flask import session\nx = {}1{}\n",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    let lists = format!(
        "from flask import session\nsession[\"x\"] = {}{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let mut ifs = String::from("from flask import session\n\n\ndef f(x):\n");
    for level in 1..=1_000 {
        ifs.push_str(&format!("{}if x:\n", "\t".repeat(level)));
    }
    ifs.push_str(&format!(
        "{}session[\"cart\"].append(x)\n",
        "\t".repeat(1_001)
    ));
    let long_line = format!(
        "from flask import session\nx = {}\n",
        vec!["a"; 200_000].join(" + ")
    );
    let dir = tree(&[
        ("parens.py", &parens),
        ("lists.py", &lists),
        ("ifs.py", &ifs),
        ("long.py", &long_line),
    ]);
    let findings = json(dir.path(), &[]);
    let got: Vec<(&str, &str)> = findings
        .iter()
        .map(|f| {
            (
                f["filename"].as_str().unwrap_or_default(),
                f["code"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    // 20,000 nested lists serialize to 40,000 bytes: large, and reported.
    assert_eq!(got, [("ifs.py", "FL105"), ("lists.py", "FL103")]);
}

#[test]
fn files_that_cannot_use_the_session_are_not_parsed_unless_no_prefilter() {
    let dir = tree(&[
        (
            "models.py",
            "from app import db\n\ndef save(:\n    db.session.commit()\n",
        ),
        (
            "views.py",
            "from flask import session\n\ndef view(:\n    pass\n",
        ),
    ]);
    let files = |args: &[&str]| -> Vec<(String, String)> {
        json(dir.path(), args)
            .iter()
            .map(|f| {
                (
                    f["filename"].as_str().unwrap_or_default().into(),
                    f["code"].as_str().unwrap_or_default().into(),
                )
            })
            .collect()
    };
    // models.py never names Flask's session: it is read, not parsed.
    let only_views = files(&[]);
    assert!(
        only_views
            .iter()
            .all(|(file, code)| file == "views.py" && code == "FL002"),
        "{only_views:?}"
    );
    let everything = files(&["--no-prefilter"]);
    assert!(
        everything
            .iter()
            .any(|(file, code)| file == "models.py" && code == "FL002"),
        "{everything:?}"
    );
}

#[test]
fn the_trial_app_reports_bugs_as_errors_and_costs_as_warnings() {
    let root = common::root();
    let findings = json(root, &["--isolated", "fixtures/trial"]);
    assert_eq!(findings.len(), 12, "{findings:#?}");
    for finding in &findings {
        let expected = match finding["code"].as_str() {
            Some("FL104" | "FL105") => "error",
            Some("FL101" | "FL102" | "FL103") => "warning",
            other => panic!("unexpected {other:?}"),
        };
        assert_eq!(finding["severity"], expected, "{finding:#}");
    }
    // The safe fixes: the two defaults are stored back, the stored list
    // is marked modified, the wizard's writes are merged.
    let fixes: Vec<&str> = findings
        .iter()
        .filter_map(|f| f["fix"]["message"].as_str())
        .collect();
    assert_eq!(
        fixes,
        [
            "Store it back: `session[\"cart\"] = cart`",
            "Set `session.modified = True`",
            "Store it back: `session[\"notes\"] = notes`",
            "Merge into one `session.update(...)` call",
        ]
    );
}

#[test]
fn fl105_names_the_branch_that_loses_a_change_not_one_that_leads_to_it() {
    // `close`: the guard returns, so a path past it never took it; only
    // the `except` loses the change (`trim` may raise after the `pop`,
    // before the write back). `select`: the change is lost when the `if` that
    // would have written the key is not taken, not when the `if` holding
    // the change is taken; `clear`: so too when the `if` after it, whose
    // `pop` would have marked the session, is not taken.
    let views = "from flask import session\n\n\ndef close(tid):\n    if \"grid\" not in session:\n        return None\n    grid = session[\"grid\"]\n    try:\n        grid.pop(tid, None)\n        session[\"grid\"] = trim(grid)\n    except KeyError:\n        pass\n\n\ndef select(region):\n    if \"prefs\" not in session:\n        session[\"prefs\"] = {}\n    if region:\n        session[\"prefs\"][\"region\"] = region\n\n\ndef clear(pid):\n    if \"files\" in session:\n        del session[\"files\"][pid]\n    if \"azure\" in session:\n        session.pop(\"azure\")\n";
    let dir = tree(&[("views.py", views)]);
    let findings = json(dir.path(), &["--isolated", "--select", "FL105", "views.py"]);
    let messages: Vec<(u64, &str)> = findings
        .iter()
        .map(|f| {
            (
                f["location"]["row"].as_u64().unwrap_or_default(),
                f["message"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert_eq!(messages[0].0, 9, "{messages:?}");
    assert!(
        messages[0]
            .1
            .contains("nothing marks the session modified when the `except` at line 11 runs"),
        "{messages:?}"
    );
    assert_eq!(messages[1].0, 19, "{messages:?}");
    assert!(
        messages[1]
            .1
            .contains("nothing marks the session modified when the `if` at line 16 is not taken"),
        "{messages:?}"
    );
    assert_eq!(messages[2].0, 24, "{messages:?}");
    assert!(
        messages[2]
            .1
            .contains("nothing marks the session modified when the `if` at line 25 is not taken"),
        "{messages:?}"
    );
}
