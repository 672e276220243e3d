//! Configuration files, suppression warnings, discovery options, standard
//! input and statistics, driven through the real binary in temporary trees
//! with their own configuration files.

mod common;

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

use common::tree;

const REPEATED: &str = "from flask import session\n\n\ndef login(user):\n    session[\"user_id\"] = user.id\n    session[\"name\"] = user.name\n";
const MUTATION: &str =
    "from flask import session\n\n\ndef add(sku):\n    session[\"cart\"].append(sku)\n";
const LOOP: &str =
    "from flask import session\n\n\ndef f(xs):\n    for x in xs:\n        session[\"x\"] = x\n";

fn flasklint(dir: &Path) -> Command {
    let mut command = common::flasklint();
    command.current_dir(dir);
    command
}

/// (filename, code) of every finding, from JSON output.
fn findings(dir: &Path, args: &[&str]) -> Vec<(String, String)> {
    let mut all = vec!["--format", "json"];
    all.extend(args);
    let (_, value) = common::run_json(dir, &all);
    let names = common::field(&value, "filename");
    names
        .into_iter()
        .zip(common::field(&value, "code"))
        .collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(a, b)| ((*a).to_string(), (*b).to_string()))
        .collect()
}

// ---------------------------------------------------------------- discovery

#[test]
fn flasklint_toml_in_the_current_directory() {
    let dir = tree(&[
        ("flasklint.toml", "ignore = [\"FL101\"]\n"),
        ("a.py", REPEATED),
        ("b.py", MUTATION),
    ]);
    assert_eq!(findings(dir.path(), &[]), pairs(&[("b.py", "FL105")]));
}

#[test]
fn dot_flasklint_toml_and_pyproject_tables() {
    let dir = tree(&[
        (".flasklint.toml", "select = [\"FL101\"]\n"),
        ("a.py", REPEATED),
        ("b.py", MUTATION),
    ]);
    assert_eq!(findings(dir.path(), &[]), pairs(&[("a.py", "FL101")]));
    let dir = tree(&[
        (
            "pyproject.toml",
            "[project]\nname = \"shop\"\n\n[tool.flasklint]\nselect = [\"FL105\"]\n",
        ),
        ("a.py", REPEATED),
        ("b.py", MUTATION),
    ]);
    assert_eq!(findings(dir.path(), &[]), pairs(&[("b.py", "FL105")]));
}

#[test]
fn config_is_found_upwards_and_the_nearest_wins() {
    let dir = tree(&[
        ("flasklint.toml", "select = [\"FL101\"]\n"),
        ("svc/flasklint.toml", "select = [\"FL105\"]\n"),
        ("svc/app/a.py", REPEATED),
        ("svc/app/b.py", MUTATION),
        ("other/a.py", REPEATED),
        ("other/b.py", MUTATION),
    ]);
    assert_eq!(
        findings(&dir.path().join("svc/app"), &[]),
        pairs(&[("b.py", "FL105")])
    );
    assert_eq!(
        findings(&dir.path().join("other"), &[]),
        pairs(&[("a.py", "FL101")])
    );
}

#[test]
fn nested_configurations_each_apply_to_their_subtree() {
    // Run from the parent of two projects, as `flasklint myshop other`: each
    // file uses the nearest configuration, with its paths relative to it.
    let dir = tree(&[
        ("flasklint.toml", "select = [\"FL101\", \"FL105\"]\n"),
        (
            "myshop/pyproject.toml",
            "[tool.flasklint]\nignore = [\"FL101\"]\nextend-exclude = [\"legacy\"]\nper-file-ignores = { \"views/**\" = [\"FL105\"] }\n",
        ),
        ("myshop/a.py", REPEATED),
        ("myshop/b.py", MUTATION),
        ("myshop/legacy/b.py", MUTATION),
        ("myshop/views/b.py", MUTATION),
        ("myshop/deeper/flasklint.toml", "select = [\"FL102\"]\n"),
        ("myshop/deeper/c.py", LOOP),
        ("myshop/deeper/a.py", REPEATED),
        ("other/a.py", REPEATED),
        ("other/c.py", LOOP),
    ]);
    assert_eq!(
        findings(dir.path(), &["myshop", "other"]),
        pairs(&[
            ("myshop/b.py", "FL105"),
            ("myshop/deeper/c.py", "FL102"),
            ("other/a.py", "FL101"),
        ])
    );
    // A file named explicitly uses its own directory's configuration too.
    assert_eq!(
        findings(dir.path(), &["myshop/a.py", "myshop/deeper/c.py"]),
        pairs(&[("myshop/deeper/c.py", "FL102")])
    );
    // `--config` still applies one file to every path.
    assert_eq!(
        findings(dir.path(), &["--config", "flasklint.toml", "myshop/a.py"]),
        pairs(&[("myshop/a.py", "FL101")])
    );
}

#[test]
fn verbose_names_the_configuration_of_each_directory() {
    let dir = tree(&[
        (
            "myshop/pyproject.toml",
            "[tool.flasklint]\nignore = [\"FL101\"]\n",
        ),
        ("myshop/views/a.py", REPEATED),
        ("myshop/a.py", REPEATED),
        ("other/a.py", REPEATED),
    ]);
    flasklint(dir.path())
        .args(["-v", "myshop", "other"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "Configuration for `myshop`: `myshop/pyproject.toml`\nConfiguration for `myshop/views`: `myshop/pyproject.toml`\nConfiguration for `other`: the defaults (no configuration file)\n",
        ));
}

#[test]
fn an_invalid_nested_configuration_is_an_error_naming_it() {
    let dir = tree(&[
        ("app/sub/flasklint.toml", "selcet = [\"FL101\"]\n"),
        ("app/sub/a.py", REPEATED),
        ("app/b.py", MUTATION),
    ]);
    flasklint(dir.path())
        .arg("app")
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("app/sub/flasklint.toml"))
        .stderr(predicate::str::contains("selcet"));
}

#[test]
fn of_two_invalid_configurations_the_same_one_is_named_every_run() {
    // The walk runs on several threads, so either may be met first.
    let mut files = Vec::new();
    for package in ["a", "b", "c", "d"] {
        files.push((format!("app/{package}/flasklint.toml"), "selcet = 1\n"));
        files.push((format!("app/{package}/v.py"), REPEATED));
    }
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), *t)).collect();
    let dir = tree(&files);
    for _ in 0..5 {
        let output = flasklint(dir.path()).arg("app").output().unwrap();
        assert_eq!(output.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("app/a/flasklint.toml"), "{stderr}");
        for other in ["app/b/", "app/c/", "app/d/"] {
            assert!(!stderr.contains(other), "{stderr}");
        }
    }
}

#[test]
fn a_pyproject_without_the_table_is_skipped() {
    let dir = tree(&[
        ("flasklint.toml", "select = [\"FL105\"]\n"),
        (
            "svc/pyproject.toml",
            "[project]\nname = \"svc\"\n\n[tool.ruff]\nline-length = 100\n",
        ),
        ("svc/a.py", REPEATED),
        ("svc/b.py", MUTATION),
    ]);
    assert_eq!(
        findings(&dir.path().join("svc"), &[]),
        pairs(&[("b.py", "FL105")])
    );
}

#[test]
fn config_option_and_isolated() {
    let dir = tree(&[
        ("flasklint.toml", "select = [\"FL101\"]\n"),
        ("ci/strict.toml", "select = [\"FL105\"]\n"),
        ("a.py", REPEATED),
        ("b.py", MUTATION),
    ]);
    assert_eq!(findings(dir.path(), &[]), pairs(&[("a.py", "FL101")]));
    assert_eq!(
        findings(dir.path(), &["--config", "ci/strict.toml"]),
        pairs(&[("b.py", "FL105")])
    );
    assert_eq!(
        findings(dir.path(), &["--isolated"]),
        pairs(&[("a.py", "FL101"), ("b.py", "FL105")])
    );
}

// ---------------------------------------------------------------- keys

#[test]
fn select_extend_select_and_ignore_layer_with_the_command_line() {
    let dir = tree(&[
        (
            "flasklint.toml",
            "select = [\"FL101\"]\nextend-select = [\"FL102\"]\nignore = [\"FL101\"]\n",
        ),
        ("a.py", REPEATED),
        ("b.py", MUTATION),
        ("c.py", LOOP),
    ]);
    assert_eq!(findings(dir.path(), &[]), pairs(&[("c.py", "FL102")]));
    // The command line's --select replaces the file's selection.
    assert_eq!(
        findings(dir.path(), &["--select", "FL105"]),
        pairs(&[("b.py", "FL105")])
    );
    assert_eq!(
        findings(dir.path(), &["--extend-select", "FL105"]),
        pairs(&[("b.py", "FL105"), ("c.py", "FL102")])
    );
    assert_eq!(findings(dir.path(), &["--ignore", "FL102"]), pairs(&[]));
}

#[test]
fn exclude_replaces_the_defaults_and_extend_exclude_adds() {
    let files = [
        ("a.py", MUTATION),
        ("venv/a.py", MUTATION),
        ("migrations/0001.py", MUTATION),
        ("api_pb2.py", MUTATION),
    ];
    let mut with_exclude = files.to_vec();
    with_exclude.push(("flasklint.toml", "exclude = [\"migrations\"]\n"));
    let dir = tree(&with_exclude);
    assert_eq!(
        findings(dir.path(), &[]),
        pairs(&[
            ("a.py", "FL105"),
            ("api_pb2.py", "FL105"),
            ("venv/a.py", "FL105")
        ])
    );
    let mut with_extend = files.to_vec();
    with_extend.push((
        "flasklint.toml",
        "extend-exclude = [\"migrations\", \"*_pb2.py\"]\n",
    ));
    let dir = tree(&with_extend);
    assert_eq!(findings(dir.path(), &[]), pairs(&[("a.py", "FL105")]));
}

#[test]
fn config_paths_are_relative_to_the_config_file() {
    let dir = tree(&[
        (
            "flasklint.toml",
            "extend-exclude = [\"app/legacy\"]\nper-file-ignores = { \"app/tests/**\" = [\"FL105\"] }\n",
        ),
        ("app/views.py", MUTATION),
        ("app/legacy/old.py", MUTATION),
        ("app/tests/test_views.py", MUTATION),
    ]);
    let expected = pairs(&[("views.py", "FL105")]);
    // Run from a subdirectory: the globs still mean the paths under the file's directory.
    assert_eq!(findings(&dir.path().join("app"), &[]), expected);
    assert_eq!(
        findings(dir.path(), &[]),
        pairs(&[("app/views.py", "FL105")])
    );
}

#[test]
fn per_file_ignores_by_name_and_path() {
    let dir = tree(&[
        (
            "pyproject.toml",
            "[tool.flasklint]\nper-file-ignores = { \"tests/**\" = [\"FL1\"], \"conftest.py\" = [\"FL105\"] }\n",
        ),
        ("tests/test_a.py", REPEATED),
        ("app/conftest.py", MUTATION),
        ("app/views.py", MUTATION),
    ]);
    assert_eq!(
        findings(dir.path(), &[]),
        pairs(&[("app/views.py", "FL105")])
    );
}

#[test]
fn respect_gitignore_from_file_and_command_line() {
    let files = [
        (".gitignore", "generated/\n"),
        ("generated/a.py", MUTATION),
        ("a.py", MUTATION),
    ];
    let dir = tree(&files);
    assert_eq!(findings(dir.path(), &[]), pairs(&[("a.py", "FL105")]));
    assert_eq!(
        findings(dir.path(), &["--no-respect-gitignore"]),
        pairs(&[("a.py", "FL105"), ("generated/a.py", "FL105")])
    );
    let mut off = files.to_vec();
    off.push(("flasklint.toml", "respect-gitignore = false\n"));
    let dir = tree(&off);
    assert_eq!(
        findings(dir.path(), &[]),
        pairs(&[("a.py", "FL105"), ("generated/a.py", "FL105")])
    );
}

#[test]
fn max_session_writes_and_max_value_bytes() {
    let three = "from flask import session\n\n\ndef f(a, b, c):\n    session[\"a\"] = a\n    session[\"b\"] = b\n    session[\"c\"] = c\n";
    let literal = format!(
        "from flask import session\n\nsession[\"banner\"] = \"{}\"\n",
        "x".repeat(600)
    );
    let dir = tree(&[
        ("three.py", three),
        ("banner.py", &literal),
        ("flasklint.toml", "max-session-writes = 2\n"),
    ]);
    assert_eq!(
        findings(dir.path(), &[]),
        pairs(&[("banner.py", "FL103"), ("three.py", "FL101")])
    );
    fs::write(
        dir.path().join("flasklint.toml"),
        "max-session-writes = 3\nmax-value-bytes = 1000\n",
    )
    .expect("write");
    assert_eq!(findings(dir.path(), &[]), pairs(&[]));
}

#[test]
fn session_names_make_a_reexport_the_session() {
    let code = "from myapp.compat import session as sess\n\n\ndef add(sku):\n    sess[\"cart\"].append(sku)\n";
    let dir = tree(&[("views.py", code)]);
    assert_eq!(findings(dir.path(), &[]), pairs(&[]));
    fs::write(
        dir.path().join("flasklint.toml"),
        "session-names = [\"myapp.compat.session\"]\n",
    )
    .expect("write");
    assert_eq!(findings(dir.path(), &[]), pairs(&[("views.py", "FL105")]));
}

// ---------------------------------------------------------------- errors

/// Runs with `config` as `name` in a fresh tree and returns stderr, after
/// checking the exit code is 2.
fn config_error(name: &str, config: &str) -> String {
    let dir = tree(&[(name, config), ("a.py", MUTATION)]);
    let output = flasklint(dir.path()).output().expect("runs");
    assert_eq!(
        output.status.code(),
        Some(2),
        "config {config:?} was accepted"
    );
    assert!(output.stdout.is_empty());
    assert_eq!(
        fs::read_to_string(dir.path().join(name)).expect("config kept"),
        config,
        "config file changed"
    );
    String::from_utf8(output.stderr).expect("utf-8")
}

#[test]
fn errors_name_the_file_line_column_key_and_expectation() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "flasklint.toml",
            "selct = [\"FL1\"]\n",
            &["flasklint.toml:1:1", "unknown field `selct`", "`select`"],
        ),
        (
            "flasklint.toml",
            "max-session-writes = \"two\"\n",
            &[
                "flasklint.toml:1:22",
                "`max-session-writes`",
                "expected a whole number",
            ],
        ),
        (
            "flasklint.toml",
            "max-session-writes = -1\n",
            &[
                "flasklint.toml:1:22",
                "`max-session-writes` must not be negative",
                "0 or more",
            ],
        ),
        (
            "flasklint.toml",
            "select = [\"FL101\", \"FL999\"]\n",
            &[
                "flasklint.toml:1:20",
                "unknown rule code or prefix `FL999` in `select`",
            ],
        ),
        (
            "flasklint.toml",
            "extend-exclude = [\"a[b\"]\n",
            &[
                "flasklint.toml:1:19",
                "invalid glob `a[b` in `extend-exclude`",
            ],
        ),
        (
            "flasklint.toml",
            "per-file-ignores = { \"tests/**\" = \"FL101\" }\n",
            &[
                "flasklint.toml:1:35",
                "`per-file-ignores`",
                "expected a list",
            ],
        ),
        (
            "flasklint.toml",
            "respect-gitignore = \"yes\"\n",
            &[
                "flasklint.toml:1:21",
                "`respect-gitignore`",
                "expected a boolean",
            ],
        ),
        (
            "flasklint.toml",
            "select = [\"FL1\"\n",
            &["flasklint.toml:"],
        ),
        (
            "pyproject.toml",
            "[tool]\nflasklint = 3\n",
            &["pyproject.toml:2:13", "`flasklint`", "expected a table"],
        ),
        (
            "pyproject.toml",
            "[tool.flasklint]\nignore = [\"FL101\"]\nbogus = 1\n",
            &["pyproject.toml:3:1", "unknown field `bogus`"],
        ),
        (
            "flasklint.toml",
            "session-names = [\"session\"]\n",
            &["flasklint.toml:1:18", "invalid dotted name"],
        ),
    ];
    for (name, config, needles) in cases {
        let stderr = config_error(name, config);
        assert!(
            stderr.contains(&format!("error: invalid configuration in {name}")),
            "{stderr}"
        );
        for needle in *needles {
            assert!(
                stderr.contains(needle),
                "{config:?}: {needle:?} not in\n{stderr}"
            );
        }
    }
}

#[test]
fn a_config_that_is_a_directory_or_missing_its_table() {
    let dir = tree(&[
        ("a.py", MUTATION),
        ("conf/x", ""),
        ("pyproject.toml", "[project]\nname = \"x\"\n"),
    ]);
    flasklint(dir.path())
        .args(["--config", "conf"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`conf` is a directory"));
    flasklint(dir.path())
        .args(["--config", "pyproject.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("has no `[tool.flasklint]` table"));
    flasklint(dir.path())
        .args(["--config", "missing.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`missing.toml` cannot be read"));
}

// ---------------------------------------------------------------- noqa

#[test]
fn noqa_with_an_unknown_code_warns_on_stderr() {
    let code = "from flask import session\n\n\ndef add(sku):\n    session[\"cart\"].append(sku)  # noqa: FL999, E501\n";
    let dir = tree(&[("a.py", code)]);
    flasklint(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "warning: a.py:5: unknown rule code `FL999` in a noqa comment",
        ))
        .stderr(predicate::str::contains("E501").not());
}

// ---------------------------------------------------------------- discovery options

#[test]
fn exclude_options_on_the_command_line() {
    let dir = tree(&[
        ("a.py", MUTATION),
        ("venv/a.py", MUTATION),
        ("gen/a.py", MUTATION),
    ]);
    assert_eq!(
        findings(dir.path(), &["--extend-exclude", "gen"]),
        pairs(&[("a.py", "FL105")])
    );
    assert_eq!(
        findings(dir.path(), &["--exclude", "gen"]),
        pairs(&[("a.py", "FL105"), ("venv/a.py", "FL105")])
    );
}

#[test]
fn explicit_files_obey_excludes_only_with_force_exclude() {
    let dir = tree(&[
        ("flasklint.toml", "extend-exclude = [\"migrations\"]\n"),
        ("migrations/0001.py", MUTATION),
    ]);
    assert_eq!(
        findings(dir.path(), &["migrations/0001.py"]),
        pairs(&[("migrations/0001.py", "FL105")])
    );
    assert_eq!(
        findings(dir.path(), &["--force-exclude", "migrations/0001.py"]),
        pairs(&[])
    );
    assert_eq!(
        findings(dir.path(), &["--force-exclude", "migrations"]),
        pairs(&[])
    );
}

// ---------------------------------------------------------------- stdin

#[test]
fn stdin_is_reported_under_its_filename() {
    let dir = tree(&[]);
    for args in [
        &["--stdin-filename", "app/views.py"][..],
        &["--stdin-filename", "app/views.py", "-"][..],
    ] {
        let output = flasklint(dir.path())
            .args(["--format", "concise", "-q"])
            .args(args)
            .write_stdin(MUTATION)
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&output.stdout).starts_with("app/views.py:5:5: FL105 "));
    }
    flasklint(dir.path())
        .args(["--format", "concise", "-q", "-"])
        .write_stdin(MUTATION)
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with("-:5:5: FL105"));
}

#[test]
fn stdin_gets_the_per_file_ignores_and_excludes_of_its_name() {
    let dir = tree(&[(
        "flasklint.toml",
        "per-file-ignores = { \"tests/**\" = [\"FL105\"] }\nextend-exclude = [\"generated\"]\n",
    )]);
    flasklint(dir.path())
        .args(["--stdin-filename", "tests/test_cart.py"])
        .write_stdin(MUTATION)
        .assert()
        .code(0);
    flasklint(dir.path())
        .args(["--stdin-filename", "app/cart.py"])
        .write_stdin(MUTATION)
        .assert()
        .code(1);
    flasklint(dir.path())
        .args([
            "--force-exclude",
            "--stdin-filename",
            "generated/cart.py",
            "--format",
            "json",
        ])
        .write_stdin(MUTATION)
        .assert()
        .code(0)
        .stdout("[]\n");
}

#[test]
fn empty_and_non_utf8_stdin() {
    let dir = tree(&[]);
    flasklint(dir.path())
        .args(["--stdin-filename", "a.py"])
        .write_stdin("")
        .assert()
        .code(0)
        .stdout("All checks passed.\n")
        .stderr(predicate::str::contains("standard input is empty"));
    flasklint(dir.path())
        .args(["--stdin-filename", "a.py", "--format", "concise"])
        .write_stdin(&b"x = '\xff'\n"[..])
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with(
            "a.py:1:1: FL001 the file is not valid UTF-8",
        ));
}

// ---------------------------------------------------------------- statistics

#[test]
fn statistics_count_per_rule_most_frequent_first() {
    let dir = tree(&[("a.py", MUTATION), ("b.py", MUTATION), ("c.py", REPEATED)]);
    flasklint(dir.path())
        .arg("--statistics")
        .assert()
        .code(1)
        .stdout("2  FL105  unmarked-session-mutation      2 fixable\n1  FL101  repeated-session-write         1 fixable\n");
    let output = flasklint(dir.path())
        .args(["--statistics", "--format", "json"])
        .output()
        .expect("runs");
    let rows: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(
        rows,
        serde_json::json!([
            {"code": "FL105", "name": "unmarked-session-mutation", "count": 2, "fixable": 2, "unsafe_fixable": 0},
            {"code": "FL101", "name": "repeated-session-write", "count": 1, "fixable": 1, "unsafe_fixable": 0}
        ])
    );
}

// ---------------------------------------------------------------- README

/// The fenced block of `lang` that follows `heading` in the README.
fn readme_block(heading: &str, lang: &str) -> String {
    let readme = fs::read_to_string(common::root().join("README.md")).expect("README");
    let section = &readme[readme
        .find(heading)
        .unwrap_or_else(|| panic!("README has {heading}"))..];
    let start = section
        .find(&format!("```{lang}\n"))
        .expect("a fenced block")
        + lang.len()
        + 4;
    let end = section[start..].find("```").expect("closed block") + start;
    section[start..end].to_string()
}

#[test]
fn the_readme_configuration_example_is_valid_and_does_what_it_says() {
    let example = readme_block("## Configuration", "toml");
    assert!(example.starts_with("[tool.flasklint]"), "{example}");
    let dir = tree(&[
        ("pyproject.toml", &example),
        // FL102 is ignored by the example; tests/** ignores FL101 and FL103.
        ("loop.py", LOOP),
        ("tests/test_views.py", REPEATED),
        // Two writes are allowed (max-session-writes = 2).
        ("views.py", REPEATED),
        ("migrations/0001.py", MUTATION),
        ("api_pb2.py", MUTATION),
        // The re-exported session of session-names.
        (
            "compat.py",
            "from myapp.compat import session\n\n\ndef add(x):\n    session[\"c\"].append(x)\n",
        ),
    ]);
    assert_eq!(findings(dir.path(), &[]), pairs(&[("compat.py", "FL105")]));
    // Without the table header, the same keys work in flasklint.toml.
    let bare = example.replacen("[tool.flasklint]\n", "", 1);
    fs::remove_file(dir.path().join("pyproject.toml")).expect("remove");
    fs::write(dir.path().join("flasklint.toml"), bare).expect("write");
    assert_eq!(findings(dir.path(), &[]), pairs(&[("compat.py", "FL105")]));
}

#[test]
fn the_readme_suppression_example_silences_what_it_says() {
    let example = readme_block("## Suppression", "python");
    let code = format!(
        "from flask import session\n\n\ndef f(sku, theme):\n{}",
        example
            .lines()
            .map(|line| format!("    {line}\n"))
            .collect::<String>()
    );
    let dir = tree(&[("a.py", &code)]);
    assert_eq!(findings(dir.path(), &[]), pairs(&[]));
    let without = code.replace("# noqa: FL105", "").replace("# noqa", "");
    fs::write(dir.path().join("a.py"), without).expect("write");
    assert_eq!(
        findings(dir.path(), &[]),
        pairs(&[("a.py", "FL105"), ("a.py", "FL105")])
    );
}

// ---------------------------------------------------------------- runs that check nothing

#[test]
fn a_run_that_finds_no_python_file_warns() {
    let dir = tree(&[("docs/readme.txt", "nothing here")]);
    flasklint(dir.path())
        .arg("docs")
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "warning: no Python files found under the given paths",
        ));
    // Quiet means quiet.
    flasklint(dir.path())
        .args(["-q", "docs"])
        .assert()
        .code(0)
        .stderr("");
}

#[test]
fn stdin_filename_with_paths_reads_stdin_and_says_so() {
    let dir = tree(&[("a.py", REPEATED)]);
    let output = flasklint(dir.path())
        .args(["--format", "concise", "--stdin-filename", "b.py", "a.py"])
        .write_stdin(MUTATION)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("b.py:5:5: FL105"), "{stdout}");
    assert!(!stdout.contains("a.py"), "{stdout}");
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("warning: ignoring `a.py` in favour of standard input (--stdin-filename)")
    );
}

#[test]
fn explain_takes_a_code_or_a_name() {
    let by_code = flasklint(Path::new("."))
        .args(["--explain", "FL101"])
        .output()
        .expect("runs");
    let by_name = flasklint(Path::new("."))
        .args(["--explain", "repeated-session-write"])
        .output()
        .expect("runs");
    assert_eq!(by_code.status.code(), Some(0));
    assert_eq!(by_name.status.code(), Some(0));
    assert_eq!(by_code.stdout, by_name.stdout);
    flasklint(Path::new("."))
        .args(["--explain", "repeated-session-writes"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown rule code or name"));
}

#[test]
fn session_backend_and_serializer_take_only_their_values() {
    let error = config_error("flasklint.toml", "session-backend = \"redis\"\n");
    assert!(
        error.contains("unknown value `redis` for `session-backend`"),
        "{error}"
    );
    assert!(
        error.contains("`\"auto\"`, `\"cookie\"`, `\"server\"`"),
        "{error}"
    );
    assert!(error.contains("flasklint.toml:1:19"), "{error}");
    let error = config_error("flasklint.toml", "session-serializer = \"yaml\"\n");
    assert!(
        error.contains(
            "one of `\"auto\"`, `\"tagged-json\"`, `\"msgpack\"`, `\"json\"`, `\"pickle\"`"
        ),
        "{error}"
    );
    // Valid values are accepted, and `cookie` overrides what is found.
    let dir = tree(&[
        ("flasklint.toml", "session-backend = \"cookie\"\n"),
        (
            "app/__init__.py",
            "from flask import Flask\nfrom flask_session import Session\n\napp = Flask(__name__)\nSession(app)\n",
        ),
        ("app/views.py", MUTATION),
    ]);
    assert_eq!(
        findings(dir.path(), &[]),
        pairs(&[("app/views.py", "FL105")])
    );
    fs::write(
        dir.path().join("flasklint.toml"),
        "session-backend = \"auto\"\n",
    )
    .expect("write");
    assert_eq!(findings(dir.path(), &[]), pairs(&[]));
}

/// What `--show-settings FILE` prints, run in the project fixture `case`.
fn show_settings(case: &str, file: &str) -> String {
    let output = flasklint(&common::root().join("fixtures/project").join(case))
        .args(["--show-settings", file])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    String::from_utf8(output.stdout).expect("utf-8")
}

#[test]
fn show_settings_names_the_root_config_session_names_and_backend_per_app() {
    let case = common::root().join("fixtures/project/two_apps");
    let show = |file: &str| show_settings("two_apps", file);
    let shop = show("shop/views.py");
    assert!(
        shop.contains(&format!("project root           {}\n", case.display())),
        "{shop}"
    );
    assert!(
        shop.contains("module                 shop.views (imports from .)\n"),
        "{shop}"
    );
    assert!(
        shop.contains("configuration          flasklint.toml\n"),
        "{shop}"
    );
    assert!(
        shop.contains("session names          flask.session, flask.globals.session\n"),
        "{shop}"
    );
    assert!(
        shop.contains("session backend        Flask-Session 0.8 (redis)\n"),
        "{shop}"
    );
    assert!(
        shop.contains("  found from           shop/__init__.py:6\n"),
        "{shop}"
    );
    let admin = show("admin/views.py");
    assert!(
        admin.contains("the project's session interface `PickleInterface`"),
        "{admin}"
    );
    assert!(admin.contains("  serializer           pickle\n"), "{admin}");
    let seed = show("scripts/seed.py");
    assert!(
        seed.contains("session backend        Flask's cookie session\n"),
        "{seed}"
    );
    // Re-exports in force for the file are listed.
    assert!(show_settings("reexport_relative_two_levels", "myapp/views/cart.py").contains(
        "session names          flask.session, flask.globals.session, myapp.common.sessions.user_session\n"
    ));
}

#[test]
fn a_session_interface_made_by_a_function_of_the_project_is_what_it_returns() {
    let cases: [(&str, &[&str]); 2] = [
        (
            "custom_interface_from_a_factory",
            &[
                "session backend        the project's session interface `PickleSessionInterface` (made by `make_session_interface`)\n",
                "  serializer           pickle\n",
                "  found from           app/__init__.py:8\n",
            ],
        ),
        (
            "flask_session_from_a_factory",
            &[
                "session backend        Flask-Session 0.8 (no SESSION_TYPE)\n",
                "  found from           app/__init__.py:8\n",
            ],
        ),
    ];
    for (case, lines) in cases {
        let shown = show_settings(case, "app/views.py");
        for line in lines {
            assert!(shown.contains(line), "{case}: no {line:?} in\n{shown}");
        }
    }
}

#[test]
fn a_template_reads_no_key_through_an_attribute_of_the_projects_session_class() {
    // The fixture's template reads `session.lang` (a property of the
    // session class its interface sets), `session.sid` (set by that
    // class's base) and `session.permanent` (Flask's): no FL106, which the
    // harness checks. A name that is no attribute is still a key: the typo
    // `session.themes` is a near miss of "theme".
    let shown = show_settings("custom_session_class_attributes", "app/views.py");
    assert!(
        shown.contains("  object attributes    lang, sid\n"),
        "{shown}"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    common::copy_dir(
        &common::root().join("fixtures/project/custom_session_class_attributes"),
        dir.path(),
    );
    fs::write(
        dir.path().join("app/templates/typo.html"),
        "{{ session.lang }} {{ session.themes }}\n",
    )
    .expect("write");
    let (_, value) = common::run_json(dir.path(), &["--format", "json", "."]);
    let messages = common::field(&value, "message");
    assert_eq!(
        common::field(&value, "filename"),
        ["app/templates/typo.html"],
        "{messages:?}"
    );
    assert!(
        messages[0].contains("`session.themes` is read in this template, but nothing writes \"themes\"; did you mean \"theme\""),
        "{messages:?}"
    );
}

#[test]
fn an_unreadable_dependency_file_is_skipped_with_a_warning() {
    let dir = tree(&[
        ("flasklint.toml", ""),
        (
            "app/__init__.py",
            "from flask import Flask\nfrom flask_session import Session\n\napp = Flask(__name__)\nSession(app)\n",
        ),
        (
            "app/views.py",
            "from flask import session\n\n\ndef f():\n    session[\"tags\"] = {\"a\"}\n",
        ),
    ]);
    fs::write(
        dir.path().join("requirements.txt"),
        b"flask-session==0.5\xff\n",
    )
    .expect("write");
    let output = flasklint(dir.path())
        .args(["--format", "concise"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("warning: requirements.txt: cannot read it"),
        "{stderr}"
    );
    // Without its pin, Flask-Session is taken as 0.7 or later: msgspec.
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("comes back as a list"), "{stdout}");
}

#[test]
fn without_config_or_git_the_backend_is_looked_for_in_what_is_checked() {
    // Run from a directory that is neither a project nor a checkout (a home
    // directory): another project in it must not decide this one's backend.
    let dir = tree(&[
        (
            "other/app/__init__.py",
            "from flask import Flask\nfrom flask_session import Session\n\napp = Flask(__name__)\nSession(app)\n",
        ),
        ("shop/views.py", MUTATION),
    ]);
    assert!(
        dir.path().ancestors().all(|d| !d.join(".git").exists()),
        "the temporary directory is inside a git checkout"
    );
    assert_eq!(
        findings(dir.path(), &["shop"]),
        pairs(&[("shop/views.py", "FL105")])
    );
    // Checked together, the two are one project with Flask-Session.
    assert_eq!(findings(dir.path(), &["shop", "other"]), pairs(&[]));
}

#[test]
fn standard_input_replaces_its_files_facts() {
    // On disk, views.py has no helper; the editor's unsaved text adds one
    // that marks the session, and calls it.
    let dir = tree(&[
        ("flasklint.toml", ""),
        ("app/__init__.py", ""),
        ("app/views.py", "from flask import session\n"),
    ]);
    let check_stdin = |name: &str, text: &str| {
        let output = flasklint(dir.path())
            .args(["--format", "concise", "--stdin-filename", name])
            .write_stdin(text)
            .output()
            .expect("runs");
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        (output.status.code(), stdout)
    };
    let unsaved = "from flask import session\n\n\ndef mark():\n    session.modified = True\n\n\ndef add(sku):\n    session[\"cart\"].append(sku)\n    mark()\n";
    let (code, stdout) = check_stdin("app/views.py", unsaved);
    assert_eq!(code, Some(0), "{stdout}");
    // And an unsaved `Session(app)` decides the backend.
    let installs = "from flask import Flask, session\nfrom flask_session import Session\n\napp = Flask(__name__)\nSession(app)\n\n\ndef add(sku):\n    session[\"cart\"].append(sku)\n";
    let (code, stdout) = check_stdin("app/new.py", installs);
    assert_eq!(code, Some(0), "{stdout}");
}
