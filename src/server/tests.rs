//! The handlers over an in-memory connection (`Connection::memory`): the
//! same main loop as over stdio, without a process. tests/server.rs drives
//! the binary.

use std::path::Path;
use std::time::Duration;

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};

use super::{serve, uri};
use crate::ExitStatus;

/// Ten times what a debug build needs on a busy 2-core machine.
const WAIT: Duration = Duration::from_secs(120);

struct Client {
    connection: Connection,
    server: std::thread::JoinHandle<ExitStatus>,
    next: i32,
}

impl Client {
    fn start(root: &Path, capabilities: Value) -> Self {
        let (server_side, connection) = Connection::memory();
        let server = std::thread::spawn(move || serve(&server_side));
        let mut client = Self {
            connection,
            server,
            next: 0,
        };
        let result = client.request(
            "initialize",
            json!({ "rootUri": uri::from_path(root), "capabilities": capabilities }),
        );
        assert!(result["capabilities"]["hoverProvider"] == true, "{result}");
        client.notify("initialized", json!({}));
        client
    }

    fn notify(&self, method: &str, params: Value) {
        let message = Notification::new(method.into(), params);
        self.connection.sender.send(message.into()).unwrap();
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = RequestId::from(self.next);
        let message = Request::new(id.clone(), method.into(), params);
        self.connection.sender.send(message.into()).unwrap();
        loop {
            match self
                .connection
                .receiver
                .recv_timeout(WAIT)
                .expect("an answer")
            {
                Message::Response(response) if response.id == id => {
                    return match response.response_result {
                        Ok(result) => result,
                        Err(error) => json!({ "error": error.code }),
                    };
                }
                _ => {}
            }
        }
    }

    fn published(&self, uri: &str) -> Vec<Value> {
        loop {
            let message = self
                .connection
                .receiver
                .recv_timeout(WAIT)
                .expect("diagnostics");
            if let Message::Notification(notification) = message
                && notification.method == "textDocument/publishDiagnostics"
                && notification.params["uri"] == uri
            {
                return notification.params["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
            }
        }
    }

    fn finish(mut self) -> ExitStatus {
        assert_eq!(self.request("shutdown", Value::Null), Value::Null);
        self.notify("exit", Value::Null);
        self.server.join().expect("the server thread ends")
    }
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("flasklint.toml"), "").unwrap();
    std::fs::write(
        dir.path().join("app.py"),
        "from flask import session\n\ndef login(u):\n    session[\"user_id\"] = u.id\n    session[\"name\"] = u.name\n",
    )
    .unwrap();
    dir
}

fn open(client: &Client, path: &Path) -> String {
    let uri = uri::from_path(path);
    let text = std::fs::read_to_string(path).unwrap();
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "python", "version": 1, "text": text } }),
    );
    uri
}

#[test]
fn push_diagnostics_code_actions_and_hover_in_memory() {
    let dir = project();
    let mut client = Client::start(dir.path(), json!({}));
    let uri = open(&client, &dir.path().join("app.py"));
    let diagnostics = client.published(&uri);
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(diagnostics[0]["code"], "FL101");
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": { "start": { "line": 3, "character": 4 }, "end": { "line": 3, "character": 4 } },
            "context": { "diagnostics": [] },
        }),
    );
    assert_eq!(actions.as_array().map(Vec::len), Some(3), "{actions}");
    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 4, "character": 14 } }),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .is_some_and(|text| text.starts_with("**session key `name`**")),
        "{hover}"
    );
    let unknown = client.request("workspace/symbol", json!({ "query": "" }));
    assert_eq!(unknown["error"], -32601);
    assert_eq!(client.finish(), ExitStatus::Success);
}

#[test]
fn pull_diagnostics_in_memory() {
    let dir = project();
    let mut client = Client::start(dir.path(), json!({ "textDocument": { "diagnostic": {} } }));
    let uri = open(&client, &dir.path().join("app.py"));
    let report = client.request(
        "textDocument/diagnostic",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert_eq!(report["kind"], "full");
    assert_eq!(report["items"][0]["code"], "FL101");
    assert_eq!(client.finish(), ExitStatus::Success);
}
