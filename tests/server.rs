//! `flasklint server`, driven over stdio as an editor drives it: the
//! handshake and encodings, push and pull diagnostics, code actions,
//! session keys as symbols, configuration, and bad input.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::lsp::{Server, uri};
use serde_json::{Value, json};
use tempfile::TempDir;

/// A copy of the demo app, to change freely.
fn demo() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&common::root().join("fixtures/demo"), dir.path());
    dir
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn open_file(server: &mut Server, path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap();
    let language = if path.extension().is_some_and(|e| e == "html") {
        "html"
    } else {
        "python"
    };
    server.open(path, language, &text)
}

fn auth(dir: &TempDir) -> PathBuf {
    dir.path().join("shop/views/auth.py")
}

#[test]
fn pushes_diagnostics_on_open_change_and_save_with_the_version() {
    let dir = demo();
    let (mut server, result) = Server::initialized(dir.path(), json!({}), Value::Null);
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
    assert!(result["capabilities"].get("diagnosticProvider").is_none());
    let path = auth(&dir);
    let uri = open_file(&mut server, &path);
    let diagnostics = server.diagnostics(&uri, 1);
    assert_eq!(codes(&diagnostics), ["FL101", "FL104", "FL106"]);
    let fl101 = &diagnostics[0];
    assert_eq!(fl101["source"], "flasklint");
    assert_eq!(fl101["severity"], 2);
    assert_eq!(
        fl101["range"],
        json!({ "start": { "line": 16, "character": 4 }, "end": { "line": 16, "character": 32 } })
    );
    assert_eq!(
        fl101["data"]["fix"]["title"],
        "flasklint (FL101): Merge into one `session.update(...)` call"
    );
    assert_eq!(diagnostics[1]["severity"], 1, "FL104 is an error");
    // The unsaved text is what is linted: fix the typo in the buffer.
    server.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": 2 },
            "contentChanges": [{
                "range": { "start": { "line": 33, "character": 27 }, "end": { "line": 33, "character": 33 } },
                "text": "user_id",
            }],
        }),
    );
    assert_eq!(codes(&server.diagnostics(&uri, 2)), ["FL101", "FL104"]);
    server.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert_eq!(codes(&server.diagnostics(&uri, 2)), ["FL101", "FL104"]);
    server.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": uri } }),
    );
    let cleared = server.wait_for(|m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"].is_null()
    });
    assert_eq!(cleared["params"]["diagnostics"], json!([]));
    assert_eq!(server.shut_down(), 0);
}

#[test]
fn pulls_diagnostics_when_the_client_supports_it_and_never_pushes() {
    let dir = demo();
    let capabilities =
        json!({ "textDocument": { "diagnostic": { "dynamicRegistration": false } } });
    let (mut server, result) = Server::initialized(dir.path(), capabilities, Value::Null);
    assert_eq!(
        result["capabilities"]["diagnosticProvider"]["identifier"],
        "flasklint"
    );
    let uri = open_file(&mut server, &auth(&dir));
    let report = server.request(
        "textDocument/diagnostic",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert_eq!(report["result"]["kind"], "full");
    let items = report["result"]["items"].as_array().unwrap();
    assert_eq!(codes(items), ["FL101", "FL104", "FL106"]);
    let pushed = server.arrives_within(Duration::from_secs(2), |m| {
        m["method"] == "textDocument/publishDiagnostics"
    });
    assert!(!pushed, "a pull client must not get pushed diagnostics");
    assert_eq!(server.shut_down(), 0);
}

#[test]
fn positions_count_utf8_when_offered_else_utf16_with_astral_characters_and_crlf() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.py");
    // `😀` is 2 UTF-16 units and 4 bytes; lines end in CRLF.
    let text = "from flask import session\r\n\r\ndef f():\r\n    x = \"😀\"; session[\"a\"] = 1; session[\"b\"] = 2\r\n";
    fs::write(&path, text).unwrap();
    for (offered, encoding, column) in [
        (json!(["utf-8", "utf-16"]), "utf-8", 16),
        (json!(["utf-16"]), "utf-16", 14),
        (Value::Null, "utf-16", 14),
    ] {
        let capabilities = json!({ "general": { "positionEncodings": offered } });
        let (mut server, result) = Server::initialized(dir.path(), capabilities, Value::Null);
        assert_eq!(result["capabilities"]["positionEncoding"], encoding);
        let uri = server.open(&path, "python", text);
        let diagnostics = server.diagnostics(&uri, 1);
        assert_eq!(codes(&diagnostics), ["FL101"], "{encoding}");
        assert_eq!(
            diagnostics[0]["range"]["start"],
            json!({ "line": 3, "character": column }),
            "{encoding}"
        );
        // A change placed in the same encoding lands on the same bytes:
        // rename key "a" to "c" (the character after the quote).
        let at = column + 9;
        server.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": 2 },
                "contentChanges": [{
                    "range": { "start": { "line": 3, "character": at }, "end": { "line": 3, "character": at + 1 } },
                    "text": "c",
                }],
            }),
        );
        server.diagnostics(&uri, 2);
        let hover = server.request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": uri }, "position": { "line": 3, "character": at } }),
        );
        let shown = hover["result"]["contents"]["value"]
            .as_str()
            .unwrap_or_default();
        assert!(
            shown.starts_with("**session key `c`**"),
            "{encoding}: {hover}"
        );
        assert_eq!(server.shut_down(), 0);
    }
}

#[test]
fn code_actions_offer_fixes_noqa_and_fix_all() {
    let dir = demo();
    let (mut server, _) = Server::initialized(dir.path(), json!({}), Value::Null);
    let uri = open_file(&mut server, &auth(&dir));
    server.diagnostics(&uri, 1);
    let on_line = |line: u64, character: u64| {
        json!({
            "textDocument": { "uri": uri },
            "range": { "start": { "line": line, "character": character }, "end": { "line": line, "character": character } },
            "context": { "diagnostics": [] },
        })
    };
    let actions = server.request("textDocument/codeAction", on_line(16, 4))["result"].clone();
    let titles: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "flasklint (FL101): Merge into one `session.update(...)` call",
            "flasklint (FL101): Disable for this line",
            "flasklint: Fix all safe fixes",
        ]
    );
    let noqa = &actions[1]["edit"]["changes"][&uri][0];
    assert_eq!(noqa["newText"], "  # noqa: FL101");
    assert_eq!(
        noqa["range"]["start"],
        json!({ "line": 16, "character": 32 })
    );
    let merge = &actions[0]["edit"]["changes"][&uri][0];
    assert!(
        merge["newText"]
            .as_str()
            .unwrap()
            .starts_with("session.update("),
        "{merge}"
    );
    // The FL106 rename is unsafe: not offered without `unsafeFixes`.
    let typo = server.request("textDocument/codeAction", on_line(33, 30))["result"].clone();
    let typo_titles: Vec<&str> = typo
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        typo_titles,
        [
            "flasklint (FL106): Disable for this line",
            "flasklint: Fix all safe fixes"
        ]
    );
    // Only the fix-all kind, as an editor asks on save.
    let mut only = on_line(0, 0);
    only["context"]["only"] = json!(["source.fixAll"]);
    let fix_all = server.request("textDocument/codeAction", only)["result"].clone();
    assert_eq!(fix_all.as_array().unwrap().len(), 1);
    assert_eq!(fix_all[0]["kind"], "source.fixAll.flasklint");
    let fixed = fix_all[0]["edit"]["changes"][&uri][0]["newText"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(fixed.contains("session.update("), "{fixed}");
    assert!(
        fixed.contains("session.get(\"usr_id\")"),
        "unsafe fixes stay out"
    );
    assert_eq!(server.shut_down(), 0);

    // With `unsafeFixes`, the rename is offered; with resolve support, the
    // fix-all action's edit comes from `codeAction/resolve`.
    let capabilities = json!({ "textDocument": { "codeAction": { "resolveSupport": { "properties": ["edit"] } } } });
    let (mut server, _) =
        Server::initialized(dir.path(), capabilities, json!({ "unsafeFixes": true }));
    let uri = open_file(&mut server, &auth(&dir));
    server.diagnostics(&uri, 1);
    let typo = server.request("textDocument/codeAction", on_line(33, 30))["result"].clone();
    assert_eq!(
        typo[0]["title"],
        "flasklint (FL106): Read \"user_id\" instead"
    );
    let lazy = typo.as_array().unwrap().last().unwrap().clone();
    assert_eq!(lazy["kind"], "source.fixAll.flasklint");
    assert!(lazy.get("edit").is_none(), "{lazy}");
    let resolved = server.request("codeAction/resolve", lazy)["result"].clone();
    assert!(
        resolved["edit"]["changes"][&uri][0]["newText"]
            .as_str()
            .unwrap()
            .contains("session.update(")
    );
    assert_eq!(server.shut_down(), 0);
}

#[test]
fn session_keys_hover_definition_and_references_across_python_and_templates() {
    let dir = demo();
    let (mut server, _) = Server::initialized(dir.path(), json!({}), Value::Null);
    let cart = dir.path().join("shop/views/cart.py");
    let uri = open_file(&mut server, &cart);
    server.diagnostics(&uri, 1);
    // Line 11: `    flask.session.setdefault("cart", []).append(sku)`.
    let at = json!({ "textDocument": { "uri": uri }, "position": { "line": 10, "character": 31 } });
    let hover = server.request("textDocument/hover", at.clone());
    let shown = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(shown.starts_with("**session key `cart`**"), "{shown}");
    assert!(shown.contains("shop/templates/base.html:8"), "{shown}");
    let definition = server.request("textDocument/definition", at.clone())["result"].clone();
    let lines: Vec<(String, u64)> = definition
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["uri"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string(),
                l["range"]["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    // The second is the `get` whose value `remove` changes in place.
    assert_eq!(
        lines,
        [("cart.py".to_string(), 10), ("cart.py".to_string(), 16)]
    );
    let mut with_context = at.clone();
    with_context["context"] = json!({ "includeDeclaration": true });
    let references = server.request("textDocument/references", with_context)["result"].clone();
    let template = references
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["uri"].as_str().unwrap().ends_with("base.html"))
        .expect("the template's read is a reference");
    assert_eq!(
        template["range"],
        json!({ "start": { "line": 7, "character": 39 }, "end": { "line": 7, "character": 45 } })
    );
    // A template document: FL106 on `session.roles`, and hover on its key.
    let base = dir.path().join("shop/templates/base.html");
    let base_uri = open_file(&mut server, &base);
    let diagnostics = server.diagnostics(&base_uri, 1);
    assert_eq!(codes(&diagnostics), ["FL106"]);
    assert_eq!(
        diagnostics[0]["range"]["start"],
        json!({ "line": 4, "character": 48 })
    );
    let hover = server.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": base_uri }, "position": { "line": 4, "character": 28 } }),
    );
    assert!(
        hover["result"]["contents"]["value"]
            .as_str()
            .unwrap()
            .starts_with("**session key `name`**")
    );
    assert_eq!(server.shut_down(), 0);
}

#[test]
fn hover_on_a_rule_code_in_noqa_or_on_a_finding_shows_the_rule_doc() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.py");
    let text = "from flask import session\n\ndef f(xs):\n    for x in xs:\n        session[\"k\"] = x  # noqa: FL101\n";
    fs::write(&path, text).unwrap();
    let (mut server, _) = Server::initialized(dir.path(), json!({}), Value::Null);
    let uri = server.open(&path, "python", text);
    assert_eq!(codes(&server.diagnostics(&uri, 1)), ["FL102"]);
    let hover = |server: &mut Server, character: u64| {
        let response = server.request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": uri }, "position": { "line": 4, "character": character } }),
        );
        response["result"]["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .lines()
            .next()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(hover(&mut server, 36), "# FL101 (repeated-session-write)");
    assert_eq!(hover(&mut server, 8), "# FL102 (session-write-in-loop)");
    assert_eq!(server.shut_down(), 0);
}

#[test]
fn configuration_is_per_document_reloaded_on_change_and_an_invalid_one_is_shown_once() {
    let dir = demo();
    let (mut server, _) = Server::initialized(
        dir.path(),
        json!({ "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } }),
        Value::Null,
    );
    let registration = server.wait_for(|m| m["method"] == "client/registerCapability");
    let globs =
        registration["params"]["registrations"][0]["registerOptions"]["watchers"].to_string();
    assert!(globs.contains("**/flasklint.toml") && globs.contains("**/pyproject.toml"));
    let uri = open_file(&mut server, &auth(&dir));
    assert_eq!(
        codes(&server.diagnostics(&uri, 1)),
        ["FL101", "FL104", "FL106"]
    );
    let config = dir.path().join("flasklint.toml");
    let changed = |server: &mut Server| {
        server.notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": common::lsp::uri(&config), "type": 2 }] }),
        );
    };
    fs::write(&config, "ignore = [\"FL104\"]\n").unwrap();
    changed(&mut server);
    server.codes_become(&uri, &["FL101", "FL106"]);
    // Broken: shown once, the last good settings stay.
    fs::write(&config, "ignore = [\"FL104\"\n").unwrap();
    changed(&mut server);
    let shown = server.wait_for(|m| m["method"] == "window/showMessage");
    assert_eq!(shown["params"]["type"], 1);
    assert!(
        shown["params"]["message"]
            .as_str()
            .unwrap()
            .contains("flasklint.toml"),
        "{shown}"
    );
    changed(&mut server);
    let again = server.arrives_within(Duration::from_secs(3), |m| {
        m["method"] == "window/showMessage"
    });
    assert!(!again, "the same error is shown once");
    let hover = server.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 16, "character": 6 } }),
    );
    assert!(
        hover["result"]["contents"]["value"]
            .as_str()
            .unwrap()
            .starts_with("# FL101")
    );
    assert_eq!(server.shut_down(), 0);

    // Initialization options override the selection.
    fs::remove_file(&config).unwrap();
    let (mut server, _) =
        Server::initialized(dir.path(), json!({}), json!({ "select": ["FL106"] }));
    let uri = open_file(&mut server, &auth(&dir));
    assert_eq!(codes(&server.diagnostics(&uri, 1)), ["FL106"]);
    assert_eq!(server.shut_down(), 0);
}

#[test]
fn project_facts_follow_unsaved_text_of_other_documents() {
    let dir = demo();
    let (mut server, _) = Server::initialized(dir.path(), json!({}), Value::Null);
    let uri = open_file(&mut server, &auth(&dir));
    assert_eq!(
        codes(&server.diagnostics(&uri, 1)),
        ["FL101", "FL104", "FL106"]
    );
    // Another document starts writing "usr_id": the read is no typo.
    let other = dir.path().join("shop/views/extra.py");
    let text = "from flask import session\n\ndef remember(u):\n    session[\"usr_id\"] = u\n";
    let other_uri = server.open(&other, "python", "");
    server.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": other_uri, "version": 2 },
            "contentChanges": [{ "text": text }],
        }),
    );
    server.diagnostics(&other_uri, 2);
    let updated = server.wait_for(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == uri
            && !m["params"]["diagnostics"].to_string().contains("FL106")
    });
    assert_eq!(updated["params"]["version"], 1);
    assert_eq!(server.shut_down(), 0);
}

#[test]
fn bad_input_never_stops_the_server() {
    let dir = demo();
    let (mut server, _) = Server::initialized(dir.path(), json!({}), Value::Null);
    // A malformed message, a change for a document never opened, an
    // unknown method, a request before anything is open.
    server.send_raw(b"Content-Length: 9\r\n\r\n{not json");
    server.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": "file:///nowhere.py", "version": 2 }, "contentChanges": [{ "text": "x" }] }),
    );
    let unknown = server.request("flasklint/unknown", json!({}));
    assert_eq!(unknown["error"]["code"], -32601);
    let closed = server.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": "file:///nowhere.py" }, "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(closed["error"]["code"], -32602);
    // Not Python, and positions past the end.
    let path = dir.path().join("notes.py");
    let uri = server.open(&path, "python", "\u{0}\u{1}💥 {{{{ session[ ((((");
    server.diagnostics(&uri, 1);
    server.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": 2 },
            "contentChanges": [{ "range": { "start": { "line": 99, "character": 99 }, "end": { "line": 120, "character": 0 } }, "text": "\nsession['a'] = 1\n" }],
        }),
    );
    server.diagnostics(&uri, 2);
    let hover = server.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 1000, "character": 1000 } }),
    );
    assert!(hover.get("error").is_none(), "{hover}");
    // A thousand changes in a burst: the last version is published.
    let cart = dir.path().join("shop/views/cart.py");
    let cart_text = fs::read_to_string(&cart).unwrap();
    let cart_uri = server.open(&cart, "python", &cart_text);
    for version in 2..=1001 {
        server.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": cart_uri, "version": version },
                "contentChanges": [{ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "text": " " }, { "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 1 } }, "text": "" }],
            }),
        );
    }
    assert_eq!(server.diagnostics(&cart_uri, 1001).len(), 4);
    // A 20 MB buffer.
    let big: String = "session['k'] = 1\n".repeat(20 * 1024 * 1024 / 17);
    let big_uri = server.open(&dir.path().join("big.py"), "python", &big);
    server.diagnostics(&big_uri, 1);
    assert_eq!(server.shut_down(), 0);
}

#[test]
fn a_panic_in_a_request_is_answered_as_an_error_and_the_server_goes_on() {
    let dir = demo();
    let path = auth(&dir);
    let shown = path.display().to_string();
    let mut server = Server::start(dir.path(), &[("FLASKLINT_TEST_PANIC_ON", shown.as_str())]);
    server.initialize(dir.path(), json!({}), Value::Null);
    let uri = open_file(&mut server, &path);
    let actions = server.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } },
            "context": { "diagnostics": [] },
        }),
    );
    assert_eq!(actions["error"]["code"], -32603, "{actions}");
    let cart = dir.path().join("shop/views/cart.py");
    let cart_uri = open_file(&mut server, &cart);
    assert_eq!(server.diagnostics(&cart_uri, 1).len(), 4);
    assert_eq!(server.shut_down(), 0);
}

#[test]
fn cancelled_requests_are_answered_and_the_session_ends_cleanly() {
    let dir = demo();
    let (mut server, _) = Server::initialized(dir.path(), json!({}), Value::Null);
    let uri = open_file(&mut server, &auth(&dir));
    let id = server.send_request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 16, "character": 14 } }),
    );
    server.notify("$/cancelRequest", json!({ "id": id }));
    let response = server.response(id);
    // Either it ran before the cancel arrived, or it is cancelled.
    assert!(
        response.get("result").is_some() || response["error"]["code"] == -32800,
        "{response}"
    );
    // `exit` without `shutdown` is status 1; stdin closing ends it too.
    server.notify("exit", Value::Null);
    assert_eq!(server.wait_exit(), 1);
    let (server, _) = Server::initialized(dir.path(), json!({}), Value::Null);
    assert_eq!(server.close_and_wait(), 0);
}

#[test]
fn requests_before_initialize_are_refused() {
    let dir = demo();
    let mut server = Server::start(dir.path(), &[]);
    let early = server.request("textDocument/hover", json!({}));
    assert_eq!(early["error"]["code"], -32002);
    server.initialize(dir.path(), json!({}), Value::Null);
    assert_eq!(server.shut_down(), 0);
    let _ = uri(Path::new("/"));
}

/// A real editor as the client: headless Neovim 0.7 (Debian's package)
/// opens a file of the demo app through `vim.lsp.start_client`, receives
/// its diagnostics, asks for code actions and applies "Disable for this
/// line".
#[test]
#[ignore = "needs Neovim (apt-get install neovim); .ci/run runs it (cargo test -- --include-ignored)"]
fn neovim_receives_diagnostics_and_code_actions() {
    let dir = demo();
    let out = dir.path().join("nvim-result.json");
    let file = auth(&dir);
    let status = std::process::Command::new("nvim")
        .args(["--headless", "-u", "NONE", "-i", "NONE", "-n", "-c"])
        .arg(format!(
            "luafile {}",
            common::root().join("tests/editors/neovim.lua").display()
        ))
        .env("FLASKLINT_BIN", env!("CARGO_BIN_EXE_flasklint"))
        .env("FLASKLINT_ROOT", dir.path())
        .env("FLASKLINT_FILE", &file)
        .env("FLASKLINT_NVIM_OUT", &out)
        .stdin(std::process::Stdio::null())
        .status()
        .expect("nvim runs (apt-get install neovim)");
    assert!(status.success());
    let seen: Value =
        serde_json::from_slice(&fs::read(&out).expect("nvim wrote its result")).unwrap();
    assert_eq!(seen["errors"], json!([]), "{seen:#}");
    assert_eq!(seen["diagnostics_arrived"], true, "{seen:#}");
    let seen_codes: Vec<&str> = seen["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(seen_codes, ["FL101", "FL104", "FL106"]);
    assert_eq!(seen["diagnostics"][0]["source"], "flasklint");
    assert_eq!(seen["diagnostics"][0]["lnum"], 16);
    assert_eq!(
        seen["actions"],
        json!([
            "flasklint (FL101): Merge into one `session.update(...)` call",
            "flasklint (FL101): Disable for this line",
            "flasklint: Fix all safe fixes",
        ])
    );
    assert_eq!(
        seen["line_after_noqa"],
        "    session[\"user_id\"] = user.id  # noqa: FL101"
    );
    assert_eq!(seen["stopped"], true);
}

#[test]
fn each_workspace_folder_is_its_own_project() {
    // Folder `a` writes "cart_items"; folder `b` reads "cart_itemz". Were they
    // one project, `b`'s read would be a near miss of `a`'s key (FL106).
    let a = common::tree(&[
        ("flasklint.toml", ""),
        (
            "views.py",
            "from flask import session\n\ndef login(u):\n    session[\"cart_items\"] = u\n",
        ),
    ]);
    let b = common::tree(&[
        ("flasklint.toml", ""),
        (
            "views.py",
            "from flask import session\n\ndef me():\n    return session.get(\"cart_itemz\")\n",
        ),
    ]);
    let mut server = Server::start(a.path(), &[]);
    let response = server.request(
        "initialize",
        json!({
            "processId": null,
            "capabilities": {},
            "workspaceFolders": [
                { "uri": uri(a.path()), "name": "a" },
                { "uri": uri(b.path()), "name": "b" },
            ],
        }),
    );
    assert!(response["result"]["capabilities"].is_object());
    server.notify("initialized", json!({}));
    let path = b.path().join("views.py");
    let text = fs::read_to_string(&path).unwrap();
    let b_uri = server.open(&path, "python", &text);
    assert_eq!(codes(&server.diagnostics(&b_uri, 1)), Vec::<String>::new());
    // The same read with the key written in its own folder is a typo.
    let writer = b.path().join("auth.py");
    let written = "from flask import session\n\ndef login(u):\n    session[\"cart_items\"] = u\n";
    fs::write(&writer, written).unwrap();
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri(&writer), "type": 1 }] }),
    );
    server.codes_become(&b_uri, &["FL106"]);
    assert_eq!(server.shut_down(), 0);
}
