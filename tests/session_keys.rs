//! `--session-keys`: the inventory of session keys through the binary, its
//! JSON against the committed schema, and the cookie estimate against the
//! `Set-Cookie` header Flask itself sends.

mod common;

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use common::{flasklint, root, run_json, tree};

fn keys_json(dir: &Path) -> Value {
    let (code, json) = run_json(
        dir,
        &["--isolated", "--session-keys", "--format", "json", "."],
    );
    assert_eq!(code, 0);
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/session-keys.schema.json")).expect("schema"),
    )
    .expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}\n{json:#}");
    json
}

/// The key's entry, by its shown name.
fn entry<'j>(json: &'j Value, key: &str) -> &'j Value {
    json["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|entry| entry["key"] == key)
        .unwrap_or_else(|| panic!("no key {key} in {json:#}"))
}

fn rows(places: &Value) -> Vec<u64> {
    places
        .as_array()
        .expect("places")
        .iter()
        .map(|place| place["row"].as_u64().expect("row"))
        .collect()
}

const FORMS: &str = r#"from flask import session as s


def writes(user, items):
    s["user_id"] = user.id
    s.update({"theme": "dark"}, lang="en")
    s.setdefault("visits", 0)
    s["count"] += 1
    s["flag"] = True
    s[f"cart_{user.id}"] = items
    s["prefix_" + user.name] = None


def reads(key):
    a = s["user_id"]
    b = s.get("theme")
    c = "lang" in s
    d = s.pop("visits", 0)
    del s["flag"]
    e = s[key]
    return a, b, c, d, e
"#;

#[test]
fn every_write_and_read_form_is_listed_with_its_row() {
    let dir = tree(&[("app.py", FORMS)]);
    let json = keys_json(dir.path());
    let written = |key: &str| rows(&entry(&json, key)["writes"]);
    let read = |key: &str| rows(&entry(&json, key)["reads"]);
    assert_eq!(written("user_id"), [5]);
    assert_eq!(read("user_id"), [15]);
    assert_eq!((written("theme"), read("theme")), (vec![6], vec![16]));
    assert_eq!((written("lang"), read("lang")), (vec![6], vec![17]));
    assert_eq!((written("visits"), read("visits")), (vec![7], vec![18]));
    assert_eq!(written("count"), [8]);
    assert_eq!((written("flag"), read("flag")), (vec![9], vec![19]));
    assert_eq!(entry(&json, "cart_*")["dynamic"], "prefix");
    assert_eq!(entry(&json, "prefix_*")["dynamic"], "prefix");
    assert_eq!(entry(&json, "*")["dynamic"], "any");
    assert_eq!(read("*"), [20]);
    // Kinds and bounds: an id is an int of at most 20 bytes, a literal its
    // own JSON, a value of unknown size none.
    assert_eq!(entry(&json, "user_id")["size_bound"], 20);
    assert_eq!(entry(&json, "theme")["size_bound"], 6);
    assert_eq!(entry(&json, "flag")["kinds"], serde_json::json!(["bool"]));
    assert_eq!(entry(&json, "count")["size_bound"], Value::Null);
    // A dynamic write makes the cookie unbounded, and says which key does.
    let unbounded = &json["cookie"]["unbounded_keys"];
    assert!(
        unbounded
            .as_array()
            .expect("keys")
            .contains(&"cart_*".into()),
        "{json:#}"
    );
}

#[test]
fn a_value_changed_in_place_has_no_bound() {
    let source = "from flask import session\n\n\ndef add(sku):\n    session[\"cart\"] = []\n    session[\"cart\"].append(sku)\n    session.modified = True\n";
    let json = keys_json(tree(&[("app.py", source)]).path());
    let cart = entry(&json, "cart");
    assert_eq!(cart["size_bound"], Value::Null);
    assert_eq!(
        cart["kinds"],
        serde_json::json!(["changed in place", "literal"])
    );
}

#[test]
fn the_text_inventory_of_the_demo_names_keys_places_and_the_cookie() {
    let output = flasklint()
        .current_dir(root())
        .args(["--session-keys", "fixtures/demo"])
        .output()
        .expect("flasklint runs");
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("user_id  (int; 20 bytes)\n  written: fixtures/demo/shop/views/auth.py:17 (login)\n  read:    fixtures/demo/shop/views/auth.py:25 (profile)\n"),
        "{text}"
    );
    assert!(text.contains("\nBackend: Flask's cookie session"), "{text}");
    assert!(
        text.contains("\nCookie: unbounded: nothing bounds what `cart`,"),
        "{text}"
    );
}

/// Literal-only sessions: small, compressible, and with text that JSON
/// escapes. Each is one view that writes every key.
const LITERAL_SESSIONS: [&str; 3] = [
    r#"    session["user_id"] = 42
    session["theme"] = "dark"
    session["flag"] = True
    session["nothing"] = None
"#,
    r#"    session["items"] = ["sku-0001", "sku-0002", "sku-0003", "sku-0004", "sku-0005", "sku-0006", "sku-0007", "sku-0008", "sku-0009", "sku-0010", "sku-0011", "sku-0012", "sku-0013", "sku-0014", "sku-0015", "sku-0016"]
    session.update({"pair": (1, "one"), "nested": {"b": [1, 2, 3], "a": {"x": -7}}})
"#,
    r#"    session["greeting"] = "caf\u00e9 \u2615 \U0001F600 \"quoted\" \\ tab\t"
    session.setdefault("lang", "fr")
"#,
];

/// Prints the length of the `Set-Cookie` header the app's view sends.
const SET_COOKIE: &str = r#"
import sys
sys.path.insert(0, sys.argv[1])
from app import app
response = app.test_client().get("/")
print(len(response.headers["Set-Cookie"]))
"#;

#[test]
#[ignore = "needs Flask from PyPI; .ci/run installs it in its venv (cargo test -- --include-ignored)"]
fn the_cookie_estimate_of_a_literal_session_is_the_length_flask_sends() {
    for writes in LITERAL_SESSIONS {
        let app = format!(
            "from flask import Flask, session\n\napp = Flask(__name__)\napp.secret_key = \"test\"\n\n\n@app.route(\"/\")\ndef index():\n{writes}    return \"\"\n"
        );
        let dir = tree(&[("app.py", &app)]);
        let json = keys_json(dir.path());
        assert_eq!(json["cookie"]["exact"], true, "{json:#}");
        let estimate = json["cookie"]["bytes"].as_u64().expect("a size");
        let output = Command::new("python3")
            .arg("-c")
            .arg(SET_COOKIE)
            .arg(dir.path())
            .output()
            .expect("python3 runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stderr}");
        let real: u64 = String::from_utf8_lossy(&output.stdout)
            .trim()
            .parse()
            .unwrap_or_else(|e| panic!("{e}: {stderr}"));
        assert_eq!(estimate, real, "for\n{writes}");
    }
}

#[test]
fn templates_are_read_inside_tags_only() {
    let template = "{# {{ session.hidden }} #}\n<p>session.text</p>\n{% if 'cart' in session %}{{ session.user }}{% endif %}\n{{ session.get(\"theme\") }}\n";
    let dir = tree(&[
        (
            "app/views.py",
            "from flask import session\n\n\ndef login(user):\n    session[\"user\"] = user.name\n",
        ),
        ("app/templates/base.html", template),
        // A template that is not UTF-8 is left out, with a warning.
        ("app/templates/latin1.html", "caf\u{e9}"),
    ]);
    std::fs::write(
        dir.path().join("app/templates/latin1.html"),
        b"caf\xe9 {{ session.x }}",
    )
    .expect("write");
    let output = flasklint()
        .current_dir(dir.path())
        .args(["--isolated", "--session-keys", "--format", "json", "."])
        .output()
        .expect("flasklint runs");
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("latin1.html: not valid UTF-8"), "{stderr}");
    let json: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let reads = |key: &str| {
        entry(&json, key)["reads"]
            .as_array()
            .expect("reads")
            .iter()
            .map(|read| {
                format!(
                    "{}:{}",
                    read["filename"].as_str().unwrap_or_default(),
                    read["row"]
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(reads("user"), ["app/templates/base.html:3"]);
    assert_eq!(reads("cart"), ["app/templates/base.html:3"]);
    assert_eq!(reads("theme"), ["app/templates/base.html:4"]);
    let keys: Vec<&str> = json["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .filter_map(|entry| entry["key"].as_str())
        .collect();
    assert!(
        !keys.contains(&"hidden") && !keys.contains(&"text"),
        "{keys:?}"
    );
}

#[test]
fn the_keys_are_read_when_fl106_or_fl107_is_on_and_only_then() {
    let dir = tree(&[
        ("flasklint.toml", ""),
        (
            "app/views.py",
            "from flask import session\n\n\ndef login(user):\n    session[\"role\"] = user.role\n",
        ),
        ("app/templates/a.html", "<b>{{ session.roles }}</b>\n"),
    ]);
    let codes = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["--format", "json", "."];
        all.extend(args);
        let (_, findings) = run_json(dir.path(), &all);
        common::field(&findings, "code")
    };
    assert_eq!(codes(&[]), ["FL106"]);
    // FL107 alone still needs every file's keys (and the template's read).
    assert_eq!(
        codes(&["--ignore", "FL106", "--extend-select", "FL107"]),
        ["FL107"]
    );
    // With neither, nothing is reported (and the keys are not read).
    assert!(codes(&["--ignore", "FL106"]).is_empty());
}

#[test]
fn template_findings_are_reported_silenced_and_fixed_like_python_ones() {
    let dir = tree(&[
        ("flasklint.toml", ""),
        (
            "app/views.py",
            "from flask import session\n\n\ndef login(user):\n    session[\"role\"] = user.role\n",
        ),
        (
            "app/templates/a.html",
            "<b>{{ session.roles }}</b>\n<i>{{ session['rolez'] }}</i> {# noqa: FL106 #}\n",
        ),
    ]);
    let (code, findings) = run_json(dir.path(), &["--format", "json", "."]);
    assert_eq!(code, 1);
    let findings = findings.as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["code"], "FL106");
    assert_eq!(findings[0]["filename"], "app/templates/a.html");
    assert_eq!(
        findings[0]["location"],
        serde_json::json!({"row": 1, "column": 15})
    );
    assert_eq!(
        findings[0]["message"],
        "`session.roles` is read in this template, but nothing writes \"roles\"; did you mean \"role\" (written in app/views.py:5)?"
    );
    let github = flasklint()
        .current_dir(dir.path())
        .args(["--format", "github", "."])
        .output()
        .expect("runs");
    let github = String::from_utf8_lossy(&github.stdout);
    assert!(
        github.contains("file=app/templates/a.html,line=1,col=15"),
        "{github}"
    );
    let fixed = flasklint()
        .current_dir(dir.path())
        .args(["--fix", "--unsafe-fixes", "-q", "."])
        .output()
        .expect("runs");
    assert_eq!(
        fixed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&fixed.stderr)
    );
    let template = std::fs::read_to_string(dir.path().join("app/templates/a.html")).expect("read");
    assert!(
        template.starts_with("<b>{{ session.role }}</b>\n"),
        "{template}"
    );
}

#[test]
fn a_template_named_on_the_command_line_is_read_as_a_template() {
    let dir = tree(&[
        ("flasklint.toml", ""),
        ("app/templates/page.html", "<p>{{ session.theme }}</p>\n"),
    ]);
    let (code, json) = run_json(
        dir.path(),
        &[
            "--session-keys",
            "--format",
            "json",
            "app/templates/page.html",
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(rows(&entry(&json, "theme")["reads"]), [1]);
}

#[test]
fn a_subclass_of_flasks_cookie_interface_keeps_the_session_in_the_cookie() {
    let project = |method: &str| {
        let interface = format!(
            "from flask import Flask\nfrom flask.sessions import SecureCookieSessionInterface\n\n\nclass PathInterface(SecureCookieSessionInterface):\n{method}\n\n\napp = Flask(__name__)\napp.session_interface = PathInterface()\n"
        );
        let views = "from flask import request, session\n\n\ndef search():\n    session[\"query\"] = dict(request.form)\n";
        tree(&[("app/__init__.py", &interface), ("app/views.py", views)])
    };
    // Only the cookie's path changes (Calibre-Web's): the data is in the
    // cookie, and its size is estimated.
    let dir = project("    def get_cookie_path(self, app):\n        return \"/shop\"");
    let json = keys_json(dir.path());
    assert_eq!(json["backend"]["cookie"], true, "{json:#}");
    assert!(json["cookie"].is_object(), "{json:#}");
    let (_, findings) = run_json(dir.path(), &["--isolated", "--format", "json", "."]);
    let messages = common::field(&findings, "message");
    assert!(
        messages.iter().any(|m| m.contains(
            "the session cookie carries it on every request (backend: the project's session interface `PathInterface`"
        )),
        "{messages:?}"
    );
    // An override that hands over to Flask's (changedetection.io's) keeps
    // the cookie.
    let dir = project(
        "    def save_session(self, app, session, response):\n        if session.modified:\n            super().save_session(app, session, response)",
    );
    assert_eq!(keys_json(dir.path())["backend"]["cookie"], true);
    // It saves the session somewhere of its own: no cookie estimate, and
    // no claim of where the data is.
    let dir =
        project("    def save_session(self, app, session, response):\n        store(session)");
    let json = keys_json(dir.path());
    assert_eq!(json["backend"]["cookie"], false, "{json:#}");
    assert!(json["cookie"].is_null(), "{json:#}");
    let text = flasklint()
        .current_dir(dir.path())
        .args(["--isolated", "--session-keys", "."])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains(
            "Cookie: not estimated: the project's session interface decides what it holds."
        ),
        "{text}"
    );
}
