//! The CI formats, checked against the real thing: SARIF against the
//! official SARIF 2.1.0 JSON schema (the copy in `schemas/` is the one the
//! npm package `@microsoft/sarif-multitool-linux` ships; `.ci/run` checks
//! that), our JSON against our committed schema, GitHub annotations against
//! GitHub's escaping rules, and colour against a real terminal.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command as Process;

use jsonschema::Validator;
use serde_json::Value;

use common::{fixture_dirs, flasklint, root, session_rule_codes, tree};

const MUTATION: &str =
    "from flask import session\n\n\ndef add(sku):\n    session[\"cart\"].append(sku)\n";

/// Every fixture directory, and the demo.
fn inputs() -> impl Iterator<Item = String> {
    std::iter::once("fixtures/demo".to_string()).chain(fixture_dirs())
}

/// A way to break a valid document, and what it breaks.
type Breakage = (&'static str, fn(&mut Value));

fn validator(schema: &str) -> Validator {
    let text = fs::read_to_string(root().join("schemas").join(schema)).expect("schema file");
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

fn errors(validator: &Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect()
}

fn output(dir: &Path, args: &[&str]) -> Value {
    common::run_json(dir, args).1
}

// ---------------------------------------------------------------- SARIF

#[test]
fn sarif_of_the_demo_and_every_fixture_passes_the_official_schema() {
    let sarif = validator("sarif-2.1.0.json");
    let mut results = 0;
    for input in inputs() {
        let log = output(root(), &["--format", "sarif", "--select", "ALL", &input]);
        let problems = errors(&sarif, &log);
        assert!(problems.is_empty(), "{input}: {problems:#?}");
        results += log["runs"][0]["results"].as_array().map_or(0, Vec::len);
    }
    assert!(
        results > 100,
        "only {results} results: the check saw too little"
    );
}

#[test]
fn the_sarif_check_goes_red_on_broken_sarif() {
    let sarif = validator("sarif-2.1.0.json");
    let log = output(root(), &["--format", "sarif", "fixtures/demo"]);
    assert!(errors(&sarif, &log).is_empty());
    let breakages: &[Breakage] = &[
        ("no version", |log| {
            log.as_object_mut().map(|o| o.remove("version"));
        }),
        ("a wrong version", |log| log["version"] = "2.0.0".into()),
        ("an unknown level", |log| {
            log["runs"][0]["results"][0]["level"] = "fatal".into()
        }),
        ("a line 0", |log| {
            log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
                0.into();
        }),
        ("a message without text", |log| {
            log["runs"][0]["results"][0]["message"] = serde_json::json!({})
        }),
        ("an unknown property", |log| {
            log["runs"][0]["surprise"] = true.into()
        }),
    ];
    for (what, break_it) in breakages {
        let mut broken = log.clone();
        break_it(&mut broken);
        assert!(
            !errors(&sarif, &broken).is_empty(),
            "the schema accepted SARIF with {what}"
        );
    }
}

#[test]
fn sarif_has_what_github_code_scanning_needs() {
    let log = output(
        root(),
        &["--format", "sarif", "--select", "FL1", "fixtures/demo"],
    );
    let run = &log["runs"][0];
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(run["tool"]["driver"]["name"], "flasklint");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let ids: Vec<&str> = rules
        .iter()
        .map(|r| r["id"].as_str().unwrap_or_default())
        .collect();
    // Every rule that ran, and only those.
    assert_eq!(ids, session_rule_codes());
    for rule in rules {
        for key in ["shortDescription", "fullDescription", "help"] {
            assert!(
                rule[key]["text"].as_str().is_some_and(|t| !t.is_empty()),
                "{key} of {}",
                rule["id"]
            );
        }
        assert!(
            rule["help"]["markdown"]
                .as_str()
                .is_some_and(|m| m.contains("## Why is this bad?"))
        );
    }
    let results = run["results"].as_array().expect("results");
    let mut fingerprints = Vec::new();
    for result in results {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let location = &result["locations"][0]["physicalLocation"];
        let uri = location["artifactLocation"]["uri"].as_str().expect("uri");
        assert!(uri.starts_with("fixtures/demo/"), "{uri}");
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        fingerprints.push(
            result["partialFingerprints"]["flasklint/v1"]
                .as_str()
                .expect("fingerprint")
                .to_string(),
        );
    }
    let count = fingerprints.len();
    fingerprints.sort();
    fingerprints.dedup();
    assert_eq!(fingerprints.len(), count, "fingerprints must be unique");
    let base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .expect("base uri");
    assert!(
        base.starts_with("file:///") && base.ends_with('/'),
        "{base}"
    );
    // A fixable finding carries its fix.
    assert!(results.iter().any(|r| {
        r["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("modified = True"))
    }));
}

#[test]
fn sarif_fingerprints_survive_lines_added_above() {
    let dir = tree(&[("a.py", MUTATION)]);
    let fingerprint = |dir: &Path| {
        output(dir, &["--format", "sarif"])["runs"][0]["results"][0]["partialFingerprints"]["flasklint/v1"].clone()
    };
    let before = fingerprint(dir.path());
    fs::write(
        dir.path().join("a.py"),
        format!("import os\nimport sys\n{MUTATION}"),
    )
    .expect("write");
    assert_eq!(fingerprint(dir.path()), before);
    assert!(before.as_str().is_some_and(|f| !f.is_empty()));
}

#[test]
fn sarif_uris_are_encoded_and_outside_files_absolute() {
    let dir = tree(&[("my views/ü.py", MUTATION)]);
    let log = output(dir.path(), &["--format", "sarif"]);
    let uri = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"];
    assert_eq!(uri, "my%20views/%C3%BC.py");
    let elsewhere = tree(&[]);
    let path = dir.path().join("my views/ü.py");
    let log = output(
        elsewhere.path(),
        &["--format", "sarif", path.to_str().expect("utf-8")],
    );
    let location =
        &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert!(
        location["uri"]
            .as_str()
            .is_some_and(|u| u.starts_with("file:///")),
        "{location}"
    );
    assert!(location.get("uriBaseId").is_none());
    assert!(errors(&validator("sarif-2.1.0.json"), &log).is_empty());
}

#[test]
fn sarif_with_no_findings_is_a_valid_empty_run() {
    let dir = tree(&[("a.py", "x = 1\n")]);
    let log = output(dir.path(), &["--format", "sarif"]);
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
    assert!(errors(&validator("sarif-2.1.0.json"), &log).is_empty());
}

// ---------------------------------------------------------------- JSON schema

#[test]
fn json_of_the_demo_and_every_fixture_matches_our_schema() {
    let schema = validator("flasklint-json.schema.json");
    let mut findings = 0;
    for input in inputs() {
        let json = output(root(), &["--format", "json", "--select", "ALL", &input]);
        let problems = errors(&schema, &json);
        assert!(problems.is_empty(), "{input}: {problems:#?}");
        findings += json.as_array().map_or(0, Vec::len);
    }
    assert!(findings > 100);
}

#[test]
fn the_json_schema_check_goes_red_on_a_changed_shape() {
    let schema = validator("flasklint-json.schema.json");
    let json = output(root(), &["--format", "json", "fixtures/demo"]);
    let breakages: &[Breakage] = &[
        ("a missing field", |j| {
            j[0].as_object_mut().map(|o| o.remove("noqa_row"));
        }),
        ("an extra field", |j| j[0]["extra"] = 1.into()),
        ("a column 0", |j| j[0]["location"]["column"] = 0.into()),
        ("an unknown severity", |j| j[0]["severity"] = "info".into()),
        (
            "an unknown applicability",
            |j| {
                j[0]["fix"] =
                    serde_json::json!({"applicability": "maybe", "message": "m", "edits": []})
            },
        ),
    ];
    for (what, break_it) in breakages {
        let mut broken = json.clone();
        break_it(&mut broken);
        assert!(
            !errors(&schema, &broken).is_empty(),
            "the schema accepted JSON with {what}"
        );
    }
}

// ---------------------------------------------------------------- GitHub

#[test]
fn github_annotations_have_the_exact_syntax() {
    let dir = tree(&[
        ("app/views.py", MUTATION),
        (
            "app/big.py",
            "from flask import session\nsession[\"t\"] = {1}\n",
        ),
    ]);
    let output = flasklint()
        .current_dir(dir.path())
        .args(["--format", "github"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "::error title=flasklint (FL104),file=app/big.py,line=2,col=16,endLine=2,endColumn=19::FL104 `{1}` stored in `session[\"t\"]` in `<module>` is a `set`; Flask's session serializer raises `TypeError` when the response is saved\n\
         ::error title=flasklint (FL105),file=app/views.py,line=5,col=5,endLine=5,endColumn=32::FL105 `session[\"cart\"]` is changed in place (`.append(...)`) but `add` never sets `session.modified = True`; Flask does not see the change and drops it\n"
    );
}

#[test]
fn github_escapes_percent_newlines_colons_and_commas() {
    // A set holding "50%" puts a percent sign in the message; the file name
    // has every character GitHub wants escaped in a property.
    let code = "from flask import session\nsession[\"t\"] = {\"50%\"}\n";
    let dir = tree(&[("we,ird:dir/50%\nx\r.py", code)]);
    let output = flasklint()
        .current_dir(dir.path())
        .args(["--format", "github"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text.lines().next().expect("one annotation");
    assert!(
        line.starts_with(
            "::error title=flasklint (FL104),file=we%2Cird%3Adir/50%25%0Ax%0D.py,line=2,col=16,"
        ),
        "{line}"
    );
    assert!(line.contains("::FL104 `{\"50%25\"}` stored in"), "{line}");
    assert_eq!(text.lines().count(), 1, "a raw newline leaked: {text:?}");
}

// ---------------------------------------------------------------- colour

/// Runs flasklint under a pseudo-terminal (util-linux `script`), so that
/// stdout is a terminal.
fn in_terminal(dir: &Path, env: &[(&str, &str)]) -> String {
    let binary = assert_cmd::cargo::cargo_bin("flasklint");
    let mut command = Process::new("script");
    command
        .current_dir(dir)
        .args([
            "-q",
            "-e",
            "-c",
            &format!("{} a.py", binary.display()),
            "/dev/null",
        ])
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR");
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command
        .output()
        .expect("`script` (util-linux) runs flasklint in a pseudo-terminal");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn colour_on_a_terminal_unless_no_color() {
    let dir = tree(&[("a.py", MUTATION)]);
    let on_terminal = in_terminal(dir.path(), &[]);
    assert!(on_terminal.contains("FL105"), "{on_terminal}");
    assert!(on_terminal.contains("\x1b["), "no colour on a terminal");
    let no_color = in_terminal(dir.path(), &[("NO_COLOR", "1")]);
    assert!(
        no_color.contains("FL105") && !no_color.contains("\x1b["),
        "{no_color:?}"
    );
}

#[test]
fn no_escape_codes_when_piped_to_a_file() {
    let dir = tree(&[("a.py", MUTATION)]);
    let file = fs::File::create(dir.path().join("out.txt")).expect("create");
    let status = Process::new(assert_cmd::cargo::cargo_bin("flasklint"))
        .current_dir(dir.path())
        .arg("a.py")
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .stdout(file)
        .status()
        .expect("runs");
    assert_eq!(status.code(), Some(1));
    let written = fs::read_to_string(dir.path().join("out.txt")).expect("read");
    assert!(
        written.contains("FL105") && !written.contains('\x1b'),
        "{written:?}"
    );
}
