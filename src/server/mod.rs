//! `flasklint server`: the language server, over stdio.
//!
//! One main loop owns the open documents and answers nothing slow itself:
//! diagnostics and requests run on a small pool of worker threads, each
//! over a snapshot (the document's text at one version and its workspace's
//! facts). The facts of each workspace (configuration, project, session
//! keys) are built on a thread of their own and replaced whole when a
//! document or a file on disk changes. The server adds no rule logic: it
//! calls the same lint as the command line, on the unsaved text.

mod actions;
mod diagnostics;
mod documents;
mod position;
mod symbols;
mod transport;
mod uri;
mod workspace;

#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, select, unbounded};
use gen_lsp_types::{
    DidChangeTextDocumentParams, DidChangeWatchedFilesParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, Position, PositionEncodingKind,
    TextDocumentPositionParams,
};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use serde_json::{Value, json};

use crate::ExitStatus;
use crate::analysis::fast_hash::FastMap;
use crate::server::diagnostics::Snapshot;
use crate::server::documents::Document;
use crate::server::position::Encoding;
use crate::server::workspace::{Facts, InitOptions, Workspace};
use crate::sync::lock;

/// Worker threads for diagnostics and requests.
const WORKERS: usize = 2;

/// How long typing must pause before the project's facts are read again.
const FACTS_DEBOUNCE: Duration = Duration::from_millis(300);

/// The configuration files whose change reloads the settings.
const CONFIG_FILES: &[&str] = &["pyproject.toml", "flasklint.toml", ".flasklint.toml"];

/// Runs the server on stdin and stdout until `exit` or the end of stdin.
pub fn run() -> ExitStatus {
    let (connection, threads) = match transport::stdio() {
        Ok(started) => started,
        Err(error) => {
            eprintln!("error: cannot start the language server: {error}");
            return ExitStatus::Error;
        }
    };
    let status = serve(&connection);
    drop(connection);
    threads.finish();
    status
}

/// Serves one client over `connection`: the handshake, then the main loop.
pub(crate) fn serve(connection: &Connection) -> ExitStatus {
    let Some((id, params)) = wait_for_initialize(connection) else {
        return ExitStatus::Success;
    };
    let client = Client::from_initialize(&params);
    let options: InitOptions = params
        .get("initializationOptions")
        .filter(|options| !options.is_null())
        .and_then(|options| match serde_json::from_value(options.clone()) {
            Ok(options) => Some(options),
            Err(error) => {
                show_message(
                    &connection.sender,
                    1,
                    &format!("flasklint: ignoring invalid initializationOptions: {error}"),
                );
                None
            }
        })
        .unwrap_or_default();
    let mut capabilities = json!({
        "positionEncoding": client.encoding.kind(),
        "textDocumentSync": { "openClose": true, "change": 2, "save": { "includeText": true } },
        "codeActionProvider": {
            "codeActionKinds": ["quickfix", actions::FIX_ALL],
            "resolveProvider": true,
        },
        "hoverProvider": true,
        "definitionProvider": true,
        "referencesProvider": true,
    });
    if client.pull {
        capabilities["diagnosticProvider"] = json!({
            "identifier": "flasklint",
            "interFileDependencies": true,
            "workspaceDiagnostics": false,
        });
    }
    let result = json!({
        "capabilities": capabilities,
        "serverInfo": { "name": "flasklint", "version": env!("CARGO_PKG_VERSION") },
    });
    if connection
        .sender
        .send(Response::new_ok(id, result).into())
        .is_err()
    {
        return ExitStatus::Success;
    }
    let Ok(requests) = rayon::ThreadPoolBuilder::new()
        .num_threads(WORKERS)
        .stack_size(crate::WORKER_STACK)
        .thread_name(|at| format!("flasklint-lsp-worker-{at}"))
        .build()
    else {
        return ExitStatus::Error;
    };
    let (internal_sender, internal) = unbounded();
    let builder = FactsBuilder::start(internal_sender);
    let mut server = Server {
        sender: connection.sender.clone(),
        client,
        options: Arc::new(options),
        documents: FastMap::default(),
        workspaces: Vec::new(),
        requests,
        builder,
        in_flight: Arc::default(),
        dirty: BTreeSet::new(),
        shutdown: false,
    };
    for root in folders(&params) {
        server.workspace_at(root);
    }
    server.main_loop(&connection.receiver, &internal)
}

/// Waits for `initialize`, answering other requests with an error; `None`
/// when the client leaves first.
fn wait_for_initialize(connection: &Connection) -> Option<(RequestId, Value)> {
    for message in &connection.receiver {
        match message {
            Message::Request(request) if request.method == "initialize" => {
                return Some((request.id, request.params));
            }
            Message::Request(request) => {
                let error = Response::new_err(
                    request.id,
                    ErrorCode::ServerNotInitialized as i32,
                    "the server is not initialized".into(),
                );
                let _ = connection.sender.send(error.into());
            }
            Message::Notification(notification) if notification.method == "exit" => return None,
            _ => {}
        }
    }
    None
}

/// What the client said it can do.
struct Client {
    encoding: Encoding,
    /// Pull diagnostics (`textDocument/diagnostic`) instead of push.
    pull: bool,
    /// It asks `workspace/diagnostic/refresh` to be told facts changed.
    refresh: bool,
    /// `codeAction/resolve` can fill in an action's edit.
    resolve: bool,
    /// Watchers can be registered (`workspace/didChangeWatchedFiles`).
    watch: bool,
}

impl Client {
    fn from_initialize(params: &Value) -> Self {
        let capabilities = &params["capabilities"];
        let offered: Option<Vec<PositionEncodingKind>> =
            serde_json::from_value(capabilities["general"]["positionEncodings"].clone()).ok();
        let resolve_properties =
            &capabilities["textDocument"]["codeAction"]["resolveSupport"]["properties"];
        Self {
            encoding: Encoding::negotiate(offered.as_deref()),
            pull: capabilities["textDocument"]["diagnostic"].is_object(),
            refresh: capabilities["workspace"]["diagnostics"]["refreshSupport"] == true,
            resolve: resolve_properties
                .as_array()
                .is_some_and(|properties| properties.iter().any(|p| p == "edit")),
            watch: capabilities["workspace"]["didChangeWatchedFiles"]["dynamicRegistration"]
                == true,
        }
    }
}

/// The workspace folders of `initialize` (or its root), as paths.
fn folders(params: &Value) -> Vec<PathBuf> {
    let listed: Vec<PathBuf> = params["workspaceFolders"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|folder| folder["uri"].as_str().and_then(uri::to_path))
        .collect();
    if !listed.is_empty() {
        return listed;
    }
    params["rootUri"]
        .as_str()
        .and_then(uri::to_path)
        .or_else(|| params["rootPath"].as_str().map(PathBuf::from))
        .into_iter()
        .collect()
}

/// What the facts thread tells the main loop.
enum Internal {
    /// A workspace has new facts: its documents are linted again.
    FactsReady(Arc<Workspace>),
    /// Its configuration is invalid (the last good facts stay).
    ConfigError(Arc<Workspace>, String),
}

/// A request for a workspace's facts to be built again.
struct Build {
    workspace: Arc<Workspace>,
    options: Arc<InitOptions>,
    texts: Vec<(PathBuf, Arc<str>)>,
    /// Build now (start-up, save, a file changed on disk), or after typing
    /// pauses.
    urgent: bool,
}

/// The thread that builds facts, on a pool of its own.
struct FactsBuilder {
    sender: Sender<Build>,
}

impl FactsBuilder {
    fn start(internal: Sender<Internal>) -> Self {
        let (sender, builds) = unbounded::<Build>();
        let spawned = std::thread::Builder::new()
            .name("flasklint-lsp-facts".into())
            .spawn(move || {
                let Ok(pool) = rayon::ThreadPoolBuilder::new()
                    .num_threads(WORKERS)
                    .stack_size(crate::WORKER_STACK)
                    .build()
                else {
                    return;
                };
                while let Ok(first) = builds.recv() {
                    let mut latest: FastMap<PathBuf, Build> = FastMap::default();
                    let mut wait = !first.urgent;
                    latest.insert(first.workspace.root.clone(), first);
                    // Collect what arrives meanwhile: the last request per
                    // workspace wins.
                    loop {
                        let next = if wait {
                            builds.recv_timeout(FACTS_DEBOUNCE).ok()
                        } else {
                            builds.try_recv().ok()
                        };
                        let Some(next) = next else { break };
                        wait = !next.urgent && !latest.values().any(|build| build.urgent);
                        latest.insert(next.workspace.root.clone(), next);
                    }
                    for build in latest.into_values() {
                        build_facts(&pool, build, &internal);
                    }
                }
            });
        if let Err(error) = spawned {
            eprintln!("flasklint server: cannot start the facts thread: {error}");
        }
        Self { sender }
    }
}

/// Builds one workspace's facts (on `pool`), and its inventory of keys
/// there too, then tells the main loop.
fn build_facts(pool: &rayon::ThreadPool, build: Build, internal: &Sender<Internal>) {
    let Build {
        workspace,
        options,
        texts,
        ..
    } = build;
    let built = pool.install(|| {
        std::panic::catch_unwind(|| Facts::build(&workspace.root, &options, &texts))
            .unwrap_or_else(|_| Err("flasklint failed while reading the project (a bug)".into()))
    });
    let facts = match built {
        Ok(facts) => facts,
        Err(error) => {
            let _ = internal.send(Internal::ConfigError(workspace.clone(), error));
            if workspace.has_facts() {
                return;
            }
            // Without good settings yet, lint with the defaults.
            let isolated = InitOptions {
                configuration: None,
                select: None,
                ignore: Vec::new(),
                unsafe_fixes: options.unsafe_fixes,
            };
            match pool.install(|| Facts::build_isolated(&workspace.root, &isolated, &texts)) {
                Ok(facts) => facts,
                Err(_) => return,
            }
        }
    };
    pool.install(|| {
        let _ = facts.inventory();
    });
    workspace.set_facts(facts);
    let _ = internal.send(Internal::FactsReady(workspace));
}

/// Sends `window/showMessage` (type 1 error, 3 info).
fn show_message(sender: &Sender<Message>, kind: u8, message: &str) {
    let params = json!({ "type": kind, "message": message });
    let _ = sender.send(Notification::new("window/showMessage".into(), params).into());
}

/// The requests in flight, and whether each was cancelled.
type InFlight = Arc<Mutex<FastMap<RequestId, bool>>>;

struct Server {
    sender: Sender<Message>,
    client: Client,
    options: Arc<InitOptions>,
    documents: FastMap<String, Document>,
    workspaces: Vec<Arc<Workspace>>,
    requests: rayon::ThreadPool,
    builder: FactsBuilder,
    in_flight: InFlight,
    /// Documents whose diagnostics are due (push).
    dirty: BTreeSet<String>,
    shutdown: bool,
}

impl Server {
    fn main_loop(
        &mut self,
        incoming: &Receiver<Message>,
        internal: &Receiver<Internal>,
    ) -> ExitStatus {
        loop {
            select! {
                recv(incoming) -> message => match message {
                    Ok(Message::Notification(notification)) if notification.method == "exit" => {
                        return if self.shutdown { ExitStatus::Success } else { ExitStatus::Failure };
                    }
                    Ok(message) => self.handle(message),
                    // stdin closed: the client is gone.
                    Err(_) => return ExitStatus::Success,
                },
                recv(internal) -> event => match event {
                    Ok(Internal::FactsReady(workspace)) => self.facts_ready(&workspace),
                    Ok(Internal::ConfigError(workspace, error)) => self.config_error(&workspace, error),
                    Err(_) => return ExitStatus::Error,
                },
            }
            // Publish once nothing more is queued: a burst of changes is
            // linted once, at its end.
            if incoming.is_empty() {
                self.publish_dirty();
            }
        }
    }

    fn handle(&mut self, message: Message) {
        match message {
            Message::Request(request) => self.request(request),
            Message::Notification(notification) => self.notification(notification),
            Message::Response(_) => {} // answers to our registrations
        }
    }

    fn notification(&mut self, notification: Notification) {
        let Notification { method, params } = notification;
        let parsed = |what: &str| {
            eprintln!("flasklint server: ignoring a malformed {what} notification");
        };
        match method.as_str() {
            "initialized" => self.register_watchers(),
            "textDocument/didOpen" => {
                let Ok(params) = serde_json::from_value::<DidOpenTextDocumentParams>(params) else {
                    return parsed(&method);
                };
                let item = params.text_document;
                let document = Document::new(
                    item.uri.0.clone(),
                    String::from(item.language_id),
                    item.version,
                    item.text,
                );
                if let Some(path) = &document.path {
                    self.workspace_for(path);
                }
                self.dirty.insert(item.uri.0.clone());
                self.documents.insert(item.uri.0, document);
            }
            "textDocument/didChange" => {
                let Ok(params) = serde_json::from_value::<DidChangeTextDocumentParams>(params)
                else {
                    return parsed(&method);
                };
                let uri = params.text_document.text_document_identifier.uri.0;
                let Some(document) = self.documents.get_mut(&uri) else {
                    eprintln!("flasklint server: a change for `{uri}`, which is not open");
                    return;
                };
                document.apply(
                    params.text_document.version,
                    params.content_changes,
                    self.client.encoding,
                );
                self.dirty.insert(uri.clone());
                self.rebuild_for(&uri, false);
            }
            "textDocument/didSave" => {
                let Ok(params) = serde_json::from_value::<DidSaveTextDocumentParams>(params) else {
                    return parsed(&method);
                };
                let uri = params.text_document.uri.0;
                if let (Some(document), Some(text)) = (self.documents.get_mut(&uri), params.text) {
                    document.replace(text);
                }
                self.dirty.insert(uri.clone());
                self.rebuild_for(&uri, true);
            }
            "textDocument/didClose" => {
                let Ok(params) = serde_json::from_value::<DidCloseTextDocumentParams>(params)
                else {
                    return parsed(&method);
                };
                let uri = params.text_document.uri.0;
                self.documents.remove(&uri);
                self.dirty.remove(&uri);
                if !self.client.pull {
                    self.publish(&uri, None, Vec::new());
                }
            }
            "workspace/didChangeWatchedFiles" => {
                let Ok(params) = serde_json::from_value::<DidChangeWatchedFilesParams>(params)
                else {
                    return parsed(&method);
                };
                self.files_changed(&params);
            }
            "$/cancelRequest" => {
                let id = match &params["id"] {
                    Value::Number(number) => number
                        .as_i64()
                        .and_then(|id| i32::try_from(id).ok())
                        .map(RequestId::from),
                    Value::String(text) => Some(RequestId::from(text.clone())),
                    _ => None,
                };
                if let Some(id) = id
                    && let Some(cancelled) = lock(&self.in_flight).get_mut(&id)
                {
                    *cancelled = true;
                }
            }
            _ => {} // other notifications need no answer
        }
    }

    fn request(&mut self, request: Request) {
        let Request { id, method, params } = request;
        if self.shutdown {
            return self.reply_error(id, ErrorCode::InvalidRequest, "the server is shutting down");
        }
        let position = |params: &Value| {
            serde_json::from_value::<TextDocumentPositionParams>(params.clone())
                .map(|p| (p.text_document.uri.0, p.position))
        };
        match method.as_str() {
            "shutdown" => {
                self.shutdown = true;
                let _ = self.sender.send(Response::new_ok(id, Value::Null).into());
            }
            "textDocument/hover" | "textDocument/definition" | "textDocument/references" => {
                let Ok((uri, at)) = position(&params) else {
                    return self.reply_error(id, ErrorCode::InvalidParams, "invalid position");
                };
                let handler: fn(&Snapshot, Position) -> Value = match method.as_str() {
                    "textDocument/hover" => symbols::hover,
                    "textDocument/definition" => symbols::definition,
                    _ => symbols::references,
                };
                self.spawn(id, &uri, move |snapshot| handler(snapshot, at));
            }
            "textDocument/codeAction" => {
                let uri = params["textDocument"]["uri"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                let Ok(asked) = serde_json::from_value::<actions::Asked>(params) else {
                    return self.reply_error(id, ErrorCode::InvalidParams, "invalid code action");
                };
                let resolve = self.client.resolve;
                self.spawn(id, &uri, move |snapshot| {
                    Value::Array(actions::code_actions(snapshot, &asked, resolve))
                });
            }
            "codeAction/resolve" => {
                let uri = params["data"]["uri"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                let mut action = params;
                self.spawn(id, &uri, move |snapshot| {
                    if action["kind"] == actions::FIX_ALL {
                        action["edit"] = actions::fix_all_edit(snapshot);
                    }
                    action
                });
            }
            "textDocument/diagnostic" if self.client.pull => {
                let uri = params["textDocument"]["uri"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                self.spawn(id, &uri, |snapshot| {
                    let report = snapshot.lint(crate::config::settings::FixMode::Report);
                    json!({ "kind": "full", "items": snapshot.diagnostics(&report) })
                });
            }
            _ => self.reply_error(
                id,
                ErrorCode::MethodNotFound,
                &format!("flasklint does not handle `{method}`"),
            ),
        }
    }

    fn reply_error(&self, id: RequestId, code: ErrorCode, message: &str) {
        let _ = self
            .sender
            .send(Response::new_err(id, code as i32, message.to_string()).into());
    }

    /// Runs a request on a worker over a snapshot of its document. A
    /// panic is answered as an error and logged; a cancelled request is
    /// answered as cancelled.
    fn spawn(
        &mut self,
        id: RequestId,
        uri: &str,
        handler: impl FnOnce(&Snapshot) -> Value + Send + 'static,
    ) {
        let Some(parts) = self.snapshot_parts(uri) else {
            return self.reply_error(
                id,
                ErrorCode::InvalidParams,
                &format!("`{uri}` is not an open document"),
            );
        };
        lock(&self.in_flight).insert(id.clone(), false);
        let in_flight = self.in_flight.clone();
        let sender = self.sender.clone();
        self.requests.spawn(move || {
            let cancelled = || lock(&in_flight).get(&id).copied().unwrap_or(false);
            let outcome = if cancelled() {
                Err(None)
            } else {
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    handler(&parts.snapshot())
                }))
                .map_err(|panic| Some(panic_text(&*panic)))
            };
            let was_cancelled = lock(&in_flight).remove(&id).unwrap_or(false);
            let response = match outcome {
                Ok(_) | Err(None) if was_cancelled => {
                    Response::new_err(id, ErrorCode::RequestCanceled as i32, "cancelled".into())
                }
                Ok(result) => Response::new_ok(id, result),
                Err(panic) => {
                    let text = panic.unwrap_or_default();
                    eprintln!("flasklint server: a request failed (a bug in flasklint): {text}");
                    Response::new_err(
                        id,
                        ErrorCode::InternalError as i32,
                        format!("flasklint failed (a bug, please report it): {text}"),
                    )
                }
            };
            let _ = sender.send(response.into());
        });
    }

    /// What a worker needs to make a document's snapshot.
    fn snapshot_parts(&mut self, uri: &str) -> Option<Parts> {
        let encoding = self.client.encoding;
        let unsafe_fixes = self.options.unsafe_fixes;
        let path = self.documents.get(uri)?.path.clone();
        let workspace = match &path {
            Some(path) => self.workspace_for(path),
            None => self.default_workspace(),
        };
        let document = self.documents.get_mut(uri)?;
        let path = path.unwrap_or_else(|| workspace.root.join("untitled.py"));
        Some(Parts {
            uri: uri.to_string(),
            path,
            language_id: document.language_id.clone(),
            version: document.version,
            text: document.text(),
            workspace,
            encoding,
            unsafe_fixes,
        })
    }

    /// Lints every document whose diagnostics are due, on the workers.
    fn publish_dirty(&mut self) {
        if self.client.pull {
            self.dirty.clear();
            return;
        }
        for uri in std::mem::take(&mut self.dirty) {
            let Some(parts) = self.snapshot_parts(&uri) else {
                continue;
            };
            let Some(document) = self.documents.get(&uri) else {
                continue;
            };
            let generation = document.generation.clone();
            let taken = document.current_generation();
            let sender = self.sender.clone();
            self.requests.spawn(move || {
                if *lock(&generation) != taken {
                    return; // a newer change is on its way
                }
                let linted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    let snapshot = parts.snapshot();
                    let report = snapshot.lint(crate::config::settings::FixMode::Report);
                    snapshot.diagnostics(&report)
                }));
                let diagnostics = match linted {
                    Ok(diagnostics) => diagnostics,
                    Err(panic) => {
                        eprintln!(
                            "flasklint server: linting `{}` failed (a bug in flasklint): {}",
                            parts.uri,
                            panic_text(&*panic)
                        );
                        return;
                    }
                };
                // Sent under the lock, so that an older lint never lands
                // after a newer one.
                let current = lock(&generation);
                if *current == taken {
                    let params = json!({
                        "uri": parts.uri,
                        "version": parts.version,
                        "diagnostics": diagnostics,
                    });
                    let notification =
                        Notification::new("textDocument/publishDiagnostics".into(), params);
                    let _ = sender.send(notification.into());
                }
                drop(current);
            });
        }
    }

    fn publish(&self, uri: &str, version: Option<i32>, diagnostics: Vec<Value>) {
        let params = json!({ "uri": uri, "version": version, "diagnostics": diagnostics });
        let notification = Notification::new("textDocument/publishDiagnostics".into(), params);
        let _ = self.sender.send(notification.into());
    }

    /// A workspace has new facts: its documents' diagnostics are due again.
    fn facts_ready(&mut self, workspace: &Arc<Workspace>) {
        if self.client.pull {
            if self.client.refresh {
                let request = Request::new(
                    RequestId::from("flasklint-refresh".to_string()),
                    "workspace/diagnostic/refresh".into(),
                    Value::Null,
                );
                let _ = self.sender.send(request.into());
            }
            return;
        }
        let under: Vec<String> = self
            .documents
            .values()
            .filter(|document| {
                document.path.as_ref().is_some_and(|path| {
                    self.owner_of(path)
                        .is_some_and(|owner| Arc::ptr_eq(&owner, workspace))
                })
            })
            .map(|document| document.uri.clone())
            .collect();
        self.dirty.extend(under);
    }

    /// Shows a configuration error once (until it changes).
    fn config_error(&mut self, workspace: &Arc<Workspace>, error: String) {
        let mut last = lock(&workspace.last_error);
        if last.as_deref() != Some(error.as_str()) {
            show_message(
                &self.sender,
                1,
                &format!(
                    "flasklint: the configuration of `{}` is invalid; the last good settings stay in force.\n{error}",
                    workspace.root.display()
                ),
            );
            *last = Some(error);
        }
    }

    fn files_changed(&mut self, params: &DidChangeWatchedFilesParams) {
        let config_changed = params.changes.iter().any(|change| {
            uri::to_path(&change.uri.0).is_some_and(|path| {
                path.file_name()
                    .is_some_and(|name| CONFIG_FILES.iter().any(|config| name == *config))
            })
        });
        let touched: Vec<Arc<Workspace>> = if config_changed {
            self.workspaces.clone()
        } else {
            let mut touched: Vec<Arc<Workspace>> = Vec::new();
            for change in &params.changes {
                if let Some(path) = uri::to_path(&change.uri.0)
                    && let Some(owner) = self.owner_of(&path)
                    && !touched.iter().any(|seen| Arc::ptr_eq(seen, &owner))
                {
                    touched.push(owner);
                }
            }
            touched
        };
        for workspace in touched {
            self.rebuild(&workspace, true);
        }
    }

    /// Rebuilds the facts of the workspace of a document.
    fn rebuild_for(&mut self, uri: &str, urgent: bool) {
        let Some(path) = self.documents.get(uri).and_then(|d| d.path.clone()) else {
            return;
        };
        let workspace = self.workspace_for(&path);
        self.rebuild(&workspace, urgent);
    }

    fn rebuild(&mut self, workspace: &Arc<Workspace>, urgent: bool) {
        let texts = self
            .documents
            .values_mut()
            .filter_map(|document| {
                let path = document.path.clone()?;
                path.starts_with(&workspace.root)
                    .then(|| (path, document.text()))
            })
            .collect();
        let _ = self.builder.sender.send(Build {
            workspace: workspace.clone(),
            options: self.options.clone(),
            texts,
            urgent,
        });
    }

    /// The workspace a file belongs to: the innermost folder holding it,
    /// else its project root (made and built now).
    fn workspace_for(&mut self, path: &Path) -> Arc<Workspace> {
        if let Some(owner) = self.owner_of(path) {
            return owner;
        }
        let dir = path.parent().unwrap_or(path);
        self.workspace_at(project_root(dir))
    }

    fn owner_of(&self, path: &Path) -> Option<Arc<Workspace>> {
        self.workspaces
            .iter()
            .filter(|workspace| path.starts_with(&workspace.root))
            .max_by_key(|workspace| workspace.root.components().count())
            .cloned()
    }

    /// The workspace of documents with no file: the first folder, or the
    /// current directory.
    fn default_workspace(&mut self) -> Arc<Workspace> {
        match self.workspaces.first() {
            Some(first) => first.clone(),
            None => {
                let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
                self.workspace_at(cwd)
            }
        }
    }

    fn workspace_at(&mut self, root: PathBuf) -> Arc<Workspace> {
        if let Some(known) = self.workspaces.iter().find(|w| w.root == root) {
            return known.clone();
        }
        let workspace = Arc::new(Workspace::new(root));
        self.workspaces.push(workspace.clone());
        self.rebuild(&workspace, true);
        workspace
    }

    /// Asks the client to tell us of changes to configuration files and
    /// to the project's sources and templates.
    fn register_watchers(&self) {
        if !self.client.watch {
            return;
        }
        let globs = [
            "**/pyproject.toml",
            "**/flasklint.toml",
            "**/.flasklint.toml",
            "**/*.py",
            "**/*.pyi",
            "**/templates/**",
        ];
        let watchers: Vec<Value> = globs
            .iter()
            .map(|glob| json!({ "globPattern": glob }))
            .collect();
        let params = json!({
            "registrations": [{
                "id": "flasklint-watched-files",
                "method": "workspace/didChangeWatchedFiles",
                "registerOptions": { "watchers": watchers },
            }]
        });
        let request = Request::new(
            RequestId::from("flasklint-register-watchers".to_string()),
            "client/registerCapability".into(),
            params,
        );
        let _ = self.sender.send(request.into());
    }
}

/// A document's snapshot, before its workspace's facts are waited for
/// (on the worker, not the main loop).
struct Parts {
    uri: String,
    path: PathBuf,
    language_id: String,
    version: i32,
    text: Arc<str>,
    workspace: Arc<Workspace>,
    encoding: Encoding,
    unsafe_fixes: bool,
}

impl Parts {
    fn snapshot(&self) -> Snapshot {
        Snapshot {
            uri: self.uri.clone(),
            path: self.path.clone(),
            language_id: self.language_id.clone(),
            version: self.version,
            text: self.text.clone(),
            facts: self.workspace.facts(),
            encoding: self.encoding,
            unsafe_fixes: self.unsafe_fixes,
        }
    }
}

/// The project root of a file outside every workspace folder, as the
/// command line finds it: the nearest directory with a configuration
/// file, else with `.git`, else the file's directory.
fn project_root(dir: &Path) -> PathBuf {
    let config = crate::config::file::discover(dir)
        .ok()
        .flatten()
        .and_then(|config| config.path.parent().map(Path::to_path_buf));
    config
        .or_else(|| {
            dir.ancestors()
                .find(|ancestor| ancestor.join(".git").exists())
                .map(Path::to_path_buf)
        })
        .unwrap_or_else(|| dir.to_path_buf())
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|text| (*text).to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}
