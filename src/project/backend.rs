//! Which session backend the app installs, and what follows for the rules:
//! how values are serialized, and whether an in-place change is saved
//! anyway. Found once per run from the files that can say (those naming
//! `flask_session`, `session_interface` or a `SESSION_` setting) and the
//! project's dependency files (for Flask-Session's version).

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::LazyLock;

use ruff_python_ast::name::UnqualifiedName;
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use crate::analysis::checker::{for_each_child_block, for_each_own_expr, for_each_subexpr};
use crate::input::source::{LineIndex, parse_module};

/// How the backend writes values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Serializer {
    /// Flask's `TaggedJSONSerializer` (the cookie session).
    TaggedJson,
    /// msgspec with MessagePack (Flask-Session 0.7 and later, the default).
    Msgpack,
    /// msgspec with JSON (`SESSION_SERIALIZATION_FORMAT = "json"`).
    Json,
    /// pickle (Flask-Session before 0.7, cachelib and filesystem stores, or
    /// an interface of the project that pickles).
    Pickle,
    /// Not known.
    Unknown,
}

impl Serializer {
    /// How messages name it.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Serializer::TaggedJson => "Flask's tagged JSON",
            Serializer::Msgpack => "msgspec MessagePack",
            Serializer::Json => "msgspec JSON",
            Serializer::Pickle => "pickle",
            Serializer::Unknown => "an unknown serializer",
        }
    }
}

/// The session backend the app uses, and why flasklint believes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Backend {
    /// What it is, for messages: `Flask's cookie session`,
    /// `Flask-Session 0.8 (redis)`.
    pub(crate) name: String,
    /// Whether it is Flask's own cookie session, which messages need not
    /// name.
    pub(crate) cookie: bool,
    /// Whether the data travels in the cookie with every request: Flask's
    /// cookie, or a subclass of its interface that keeps where and how it
    /// stores the session; `Some(false)` for a server store, `None` when
    /// an interface of the project decides and what it does is not known.
    pub(crate) in_cookie: Option<bool>,
    /// How it writes values.
    pub(crate) serializer: Serializer,
    /// Whether an in-place change is saved without `session.modified`
    /// (every request saves): `Some(false)` for the cookie, `None` when
    /// not known.
    pub(crate) saves_every_request: Option<bool>,
    /// Where it was found (`app/__init__.py:12`), or why it is assumed.
    pub(crate) evidence: String,
}

impl Backend {
    /// Flask's default, when nothing installs another.
    pub(crate) fn cookie(evidence: &str) -> Self {
        Self {
            name: "Flask's cookie session".to_string(),
            cookie: true,
            in_cookie: Some(true),
            serializer: Serializer::TaggedJson,
            saves_every_request: Some(false),
            evidence: evidence.to_string(),
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} with {}, from {}",
            self.name,
            self.serializer.describe(),
            self.evidence
        )
    }
}

/// What one file says about the backend.
#[derive(Debug, Default)]
pub(crate) struct BackendFacts {
    /// `Session(app)`, `Session().init_app(app)`, or a `flask_session`
    /// interface assigned as `app.session_interface`: where.
    flask_session: Vec<String>,
    /// `app.session_interface = X(...)` with `X` not from `flask_session`:
    /// the class's name as written, and where.
    custom: Vec<(String, String)>,
    /// `SESSION_*` settings with literal values (`None` when not literal).
    settings: HashMap<String, Option<String>>,
    /// Classes defined here: name, base names, and whether the body sets
    /// `serializer` or overrides how the interface saves.
    classes: Vec<ClassFacts>,
    /// Functions defined here that return an instance of one class on
    /// every `return` (`def create_session_interface(app): return
    /// ManagedSessionInterface(...)`, pgAdmin's): what an
    /// `app.session_interface = create_session_interface(app)` installs.
    factories: Vec<Factory>,
    /// Names bound to `Session()` objects (`sess = Session()`), whose
    /// `init_app(app)` installs Flask-Session.
    session_objects: Vec<String>,
    /// Whether the file uses pickle, or `TaggedJSONSerializer`.
    uses_pickle: bool,
    uses_tagged_json: bool,
}

/// A function that returns an instance of one class.
#[derive(Debug)]
struct Factory {
    name: String,
    /// The class's name as written, its last part.
    returns: String,
    /// Whether that class is imported from `flask_session`.
    returns_flask_session: bool,
}

#[derive(Debug)]
struct ClassFacts {
    name: String,
    bases: Vec<String>,
    sets_serializer: bool,
    overrides_saving: bool,
    /// Whether it overrides where the session is kept (`open_session`,
    /// `save_session`).
    overrides_storage: bool,
    /// `session_class = X` in its body (an interface's): `X`'s last name.
    session_class: Option<String>,
    /// The attributes it defines: methods and properties, class
    /// attributes, and `self.x = ...` in its methods.
    attributes: Vec<String>,
}

/// Words without which a file says nothing about the backend.
const BACKEND_WORDS: &[&[u8]] = &[
    b"flask_session",
    b"session_interface",
    b"SessionInterface",
    b"SESSION_",
];

/// What every word of [`BACKEND_WORDS`] holds: a text is searched for
/// these two only (two passes, not one per word), and the words are
/// looked for around what is found.
const WORD_CORES: [&[u8]; 2] = [b"ession", b"ESSION"];

/// The settings of Flask and Flask-Session the backend depends on.
const SETTINGS: &[&str] = &[
    "SESSION_TYPE",
    "SESSION_SERIALIZATION_FORMAT",
    "SESSION_REFRESH_EACH_REQUEST",
    "SESSION_PERMANENT",
];

impl BackendFacts {
    /// Whether a text can say anything about the backend.
    pub(crate) fn may_say(text: &[u8]) -> bool {
        // Built once: the scan asks this of every file under the root.
        static CORES: LazyLock<Vec<memchr::memmem::Finder<'static>>> =
            LazyLock::new(|| WORD_CORES.iter().map(memchr::memmem::Finder::new).collect());
        // Each word with where its core starts in it.
        static WORDS: LazyLock<Vec<(&[u8], usize)>> = LazyLock::new(|| {
            BACKEND_WORDS
                .iter()
                .filter_map(|word| {
                    let core = word
                        .windows(6)
                        .position(|part| WORD_CORES.contains(&part))?;
                    Some((*word, core))
                })
                .collect()
        });
        CORES.iter().any(|core| {
            core.find_iter(text).any(|at| {
                WORDS.iter().any(|(word, offset)| {
                    at.checked_sub(*offset)
                        .is_some_and(|start| text[start..].starts_with(word))
                })
            })
        })
    }

    /// The facts of one file, named `shown` in evidence.
    pub(crate) fn of(shown: &str, text: &str) -> Self {
        let parsed = parse_module(text);
        let mut facts = Self {
            uses_pickle: memchr::memmem::find(text.as_bytes(), b"pickle").is_some(),
            uses_tagged_json: memchr::memmem::find(text.as_bytes(), b"TaggedJSONSerializer")
                .is_some(),
            ..Self::default()
        };
        let Some(module) = parsed.syntax().as_module() else {
            return facts;
        };
        let lines = LineIndex::new(text);
        let at = |node: &dyn Ranged| format!("{shown}:{}", lines.line_of(node.start()) + 1);
        let from_flask_session = flask_session_names(&module.body);
        walk(&module.body, &mut |stmt| {
            facts.look_at(stmt, &from_flask_session, &at)
        });
        facts
    }

    fn look_at(
        &mut self,
        stmt: &Stmt,
        from_flask_session: &[String],
        at: &dyn Fn(&dyn Ranged) -> String,
    ) {
        let objects = self.session_objects.clone();
        let is_from_flask_session = |expr: &Expr| {
            UnqualifiedName::from_expr(expr).is_some_and(|name| {
                let segments = name.segments();
                let head = segments.first().copied().unwrap_or_default();
                from_flask_session.iter().any(|known| known == head)
                    || head == "flask_session"
                    || (segments.len() == 1 && objects.iter().any(|object| object == head))
            })
        };
        match stmt {
            Stmt::Expr(expr) => {
                if let Expr::Call(call) = &*expr.value {
                    self.look_at_call(call, &is_from_flask_session, at);
                }
            }
            Stmt::Assign(assign) => {
                for target in &assign.targets {
                    self.look_at_assignment(target, &assign.value, &is_from_flask_session, at);
                }
                // `sess = Session()`: its `init_app(app)` installs it later.
                if let Expr::Call(call) = &*assign.value
                    && is_from_flask_session(&call.func)
                    && call.arguments.is_empty()
                {
                    for target in &assign.targets {
                        if let Expr::Name(name) = target {
                            self.session_objects.push(name.id.to_string());
                        }
                    }
                }
                if let Expr::Call(call) = &*assign.value {
                    self.look_at_call(call, &is_from_flask_session, at);
                }
            }
            Stmt::ClassDef(class) => self.look_at_class(class, &is_from_flask_session, at),
            Stmt::FunctionDef(function) => {
                if let Some(returned) = returned_class(&function.body) {
                    self.factories.push(Factory {
                        name: function.name.to_string(),
                        returns: last_name(returned).to_string(),
                        returns_flask_session: is_from_flask_session(returned),
                    });
                }
            }
            _ => {}
        }
    }

    fn look_at_call(
        &mut self,
        call: &ast::ExprCall,
        is_from_flask_session: &dyn Fn(&Expr) -> bool,
        at: &dyn Fn(&dyn Ranged) -> String,
    ) {
        match &*call.func {
            // `Session(app)`, `Session().init_app(app)`, `sess.init_app(app)`.
            Expr::Name(_) if is_from_flask_session(&call.func) && !call.arguments.is_empty() => {
                self.flask_session.push(at(call));
            }
            Expr::Attribute(attribute) if attribute.attr.as_str() == "init_app" => {
                let receiver_is_session = match &*attribute.value {
                    Expr::Call(inner) => is_from_flask_session(&inner.func),
                    other => is_from_flask_session(other),
                };
                if receiver_is_session {
                    self.flask_session.push(at(call));
                }
            }
            // `app.config.update(SESSION_TYPE="redis")`, `from_mapping(...)`.
            Expr::Attribute(attribute)
                if matches!(attribute.attr.as_str(), "update" | "from_mapping")
                    && matches!(&*attribute.value, Expr::Attribute(config) if config.attr.as_str() == "config") =>
            {
                for keyword in &call.arguments.keywords {
                    if let Some(name) = &keyword.arg {
                        self.setting(name.as_str(), &keyword.value);
                    }
                }
                for arg in &call.arguments.args {
                    if let Expr::Dict(dict) = arg {
                        for item in &dict.items {
                            if let Some(Expr::StringLiteral(key)) = &item.key {
                                self.setting(key.value.to_str(), &item.value);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn look_at_assignment(
        &mut self,
        target: &Expr,
        value: &Expr,
        is_from_flask_session: &dyn Fn(&Expr) -> bool,
        at: &dyn Fn(&dyn Ranged) -> String,
    ) {
        match target {
            // `app.config["SESSION_TYPE"] = "redis"`
            Expr::Subscript(subscript) => {
                if let Expr::StringLiteral(key) = &*subscript.slice {
                    self.setting(key.value.to_str(), value);
                }
            }
            // `app.session_interface = X(...)`
            Expr::Attribute(attribute) if attribute.attr.as_str() == "session_interface" => {
                self.interface(value, is_from_flask_session, at);
            }
            // `SESSION_TYPE = "redis"` in a config module.
            Expr::Name(name) => self.setting(name.id.as_str(), value),
            _ => {}
        }
    }

    fn interface(
        &mut self,
        value: &Expr,
        is_from_flask_session: &dyn Fn(&Expr) -> bool,
        at: &dyn Fn(&dyn Ranged) -> String,
    ) {
        let Expr::Call(call) = value else { return };
        if is_from_flask_session(&call.func) {
            self.flask_session.push(at(value));
        } else if UnqualifiedName::from_expr(&call.func).is_some() {
            self.custom
                .push((last_name(&call.func).to_string(), at(value)));
        }
    }

    fn look_at_class(
        &mut self,
        class: &ast::StmtClassDef,
        is_from_flask_session: &dyn Fn(&Expr) -> bool,
        at: &dyn Fn(&dyn Ranged) -> String,
    ) {
        let bases: Vec<String> = class
            .bases()
            .iter()
            .filter_map(UnqualifiedName::from_expr)
            .filter_map(|name| name.segments().last().map(|s| (*s).to_string()))
            .collect();
        let mut facts = ClassFacts {
            name: class.name.to_string(),
            bases,
            sets_serializer: false,
            overrides_saving: false,
            overrides_storage: false,
            session_class: None,
            attributes: Vec::new(),
        };
        for stmt in &class.body {
            match stmt {
                Stmt::Assign(assign) => {
                    for target in &assign.targets {
                        let Expr::Name(name) = target else { continue };
                        facts.attributes.push(name.id.to_string());
                        match name.id.as_str() {
                            "serializer" => facts.sets_serializer = true,
                            "session_interface" => {
                                self.interface(&assign.value, is_from_flask_session, at);
                            }
                            "session_class" => {
                                facts.session_class = Some(last_name(&assign.value).to_string());
                            }
                            other => self.setting(other, &assign.value),
                        }
                    }
                }
                Stmt::AnnAssign(assign) => {
                    if let Expr::Name(name) = &*assign.target {
                        facts.attributes.push(name.id.to_string());
                    }
                }
                Stmt::FunctionDef(function) => {
                    let name = function.name.as_str();
                    facts.overrides_saving |= matches!(name, "should_set_cookie" | "save_session");
                    // An override that hands over to Flask's keeps it
                    // (changedetection.io's `super().save_session(...)`).
                    facts.overrides_storage |=
                        matches!(name, "open_session" | "save_session") && !calls_super(function);
                    facts.attributes.push(function.name.to_string());
                    facts.attributes.extend(attributes_set_on_self(function));
                }
                _ => {}
            }
        }
        self.classes.push(facts);
    }

    /// Records a `SESSION_*` setting: its literal value, or unknown.
    fn setting(&mut self, name: &str, value: &Expr) {
        if !SETTINGS.contains(&name) {
            return;
        }
        let literal = match value {
            Expr::StringLiteral(string) => Some(string.value.to_str().to_string()),
            Expr::BooleanLiteral(boolean) => {
                Some(if boolean.value { "true" } else { "false" }.into())
            }
            _ => None,
        };
        self.settings.insert(name.to_string(), literal);
    }
}

/// Whether a method calls the method of the same name of its base class
/// (`super().save_session(app, session, response)`).
fn calls_super(function: &ast::StmtFunctionDef) -> bool {
    let mut found = false;
    walk(&function.body, &mut |stmt| {
        for_each_own_expr(stmt, &mut |expr| {
            for_each_subexpr(expr, &mut |sub| {
                if let Expr::Call(call) = sub
                    && let Expr::Attribute(method) = &*call.func
                    && method.attr.as_str() == function.name.as_str()
                    && let Expr::Call(base) = &*method.value
                    && base
                        .func
                        .as_name_expr()
                        .is_some_and(|name| name.id == "super")
                {
                    found = true;
                }
            });
        });
    });
    found
}

/// The names a method assigns on its first parameter (`self.sid = sid`).
fn attributes_set_on_self(function: &ast::StmtFunctionDef) -> Vec<String> {
    let Some(receiver) = function
        .parameters
        .posonlyargs
        .iter()
        .chain(&function.parameters.args)
        .next()
    else {
        return Vec::new();
    };
    let receiver = receiver.parameter.name.as_str();
    let mut names = Vec::new();
    let mut on_self = |target: &Expr| {
        if let Expr::Attribute(attribute) = target
            && attribute
                .value
                .as_name_expr()
                .is_some_and(|name| name.id == receiver)
        {
            names.push(attribute.attr.to_string());
        }
    };
    walk(&function.body, &mut |stmt| match stmt {
        Stmt::Assign(assign) => assign.targets.iter().for_each(&mut on_self),
        Stmt::AnnAssign(assign) => on_self(&assign.target),
        _ => {}
    });
    names
}

/// The last part of a dotted name (`sessions.RedisInterface`: `RedisInterface`).
fn last_name(expr: &Expr) -> &str {
    UnqualifiedName::from_expr(expr)
        .and_then(|name| name.segments().last().copied())
        .unwrap_or_default()
}

/// The callee of a function body's `return X(...)`, when every `return`
/// of the body (not of the functions and classes defined in it) returns a
/// call of one dotted name, and there is at least one.
fn returned_class(body: &[Stmt]) -> Option<&Expr> {
    fn returns<'a>(body: &'a [Stmt], found: &mut Vec<Option<&'a Expr>>) {
        for stmt in body {
            if let Stmt::Return(ret) = stmt {
                found.push(match ret.value.as_deref() {
                    Some(Expr::Call(call)) if UnqualifiedName::from_expr(&call.func).is_some() => {
                        Some(&*call.func)
                    }
                    _ => None,
                });
            }
            for_each_child_block(stmt, &mut |block, _| returns(block, found));
        }
    }
    let mut found = Vec::new();
    returns(body, &mut found);
    let first = (*found.first()?)?;
    found
        .iter()
        .all(|callee| callee.is_some_and(|callee| last_name(callee) == last_name(first)))
        .then_some(first)
}

/// The local names bound by `from flask_session import ...` anywhere.
fn flask_session_names(body: &[Stmt]) -> Vec<String> {
    let mut names = Vec::new();
    walk(body, &mut |stmt| {
        if let Stmt::ImportFrom(import) = stmt
            && import.module.as_deref().is_some_and(|module| {
                module == "flask_session" || module.starts_with("flask_session.")
            })
        {
            names.extend(
                import
                    .names
                    .iter()
                    .map(|alias| alias.asname.as_ref().unwrap_or(&alias.name).to_string()),
            );
        }
    });
    names
}

/// Calls `f` on every statement, nested blocks and function bodies
/// included (an app factory configures inside a function, an app class in
/// a method: Superset's `Session(self.superset_app)`). A class body's own
/// statements are [`BackendFacts::look_at_class`]'s.
fn walk<'a>(body: &'a [Stmt], f: &mut impl FnMut(&'a Stmt)) {
    for stmt in body {
        f(stmt);
        match stmt {
            Stmt::FunctionDef(function) => walk(&function.body, f),
            Stmt::ClassDef(class) => {
                for method in class.body.iter().filter_map(Stmt::as_function_def_stmt) {
                    walk(&method.body, f);
                }
            }
            _ => for_each_child_block(stmt, &mut |block, _| walk(block, f)),
        }
    }
}

/// Whether the facts install a backend (not only configure one).
pub(crate) fn installs(facts: &BackendFacts) -> bool {
    !facts.flask_session.is_empty() || !facts.custom.is_empty()
}

/// The backend the facts of the project's files and its Flask-Session
/// version say. `session-backend`/`session-serializer` configuration comes
/// before this, in the caller.
pub(crate) fn decide(files: &[&(String, BackendFacts)], version: Option<&Version>) -> Backend {
    let settings = |name: &str| -> Option<Option<&str>> {
        files
            .iter()
            .find_map(|(_, facts)| facts.settings.get(name))
            .map(|value| value.as_deref())
    };
    let refresh = match settings("SESSION_REFRESH_EACH_REQUEST") {
        None | Some(Some("true")) => Some(true),
        Some(Some(_)) => Some(false),
        Some(None) => None,
    };
    let made = |name: &str| made_by(files, name);
    let installs_flask_session = files.iter().find_map(|(_, facts)| {
        facts.flask_session.first().or_else(|| {
            facts
                .custom
                .iter()
                .find(|(name, _)| made(name).is_some_and(|f| f.returns_flask_session))
                .map(|(_, at)| at)
        })
    });
    if let Some(at) = installs_flask_session {
        let kind = match settings("SESSION_TYPE") {
            Some(Some(kind)) => kind.to_string(),
            Some(None) => "unknown type".to_string(),
            None => "no SESSION_TYPE".to_string(),
        };
        let pickles = matches!(kind.as_str(), "cachelib" | "filesystem");
        let modern = version.is_none_or(|version| version.at_least(0, 7));
        let serializer = if pickles || !modern {
            Serializer::Pickle
        } else if settings("SESSION_SERIALIZATION_FORMAT") == Some(Some("json")) {
            Serializer::Json
        } else {
            Serializer::Msgpack
        };
        let permanent = !matches!(settings("SESSION_PERMANENT"), Some(Some("false")));
        let saves_every_request = match version {
            Some(version) if !version.at_least(0, 6) => Some(true),
            Some(version) if !version.at_least(0, 7) => refresh.map(|refresh| refresh && permanent),
            _ => refresh,
        };
        let version_text =
            version.map_or_else(|| ">= 0.7 (no pin found)".to_string(), Version::to_string);
        return Backend {
            name: format!("Flask-Session {version_text} ({kind})"),
            cookie: false,
            in_cookie: Some(false),
            serializer,
            saves_every_request,
            evidence: at.clone(),
        };
    }
    let mut interfaces: Vec<&(String, String)> = files
        .iter()
        .flat_map(|(_, facts)| facts.custom.iter())
        .collect();
    interfaces.dedup_by(|a, b| a.0 == b.0);
    let mut names: Vec<&str> = interfaces.iter().map(|(class, _)| class.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    if names.len() > 1 {
        // The app picks one at run time (Airflow: by a setting).
        let listed: Vec<String> = interfaces
            .iter()
            .map(|(class, at)| format!("`{class}` ({at})"))
            .collect();
        return Backend {
            name: format!(
                "one of the project's session interfaces {}",
                names.join(", ")
            ),
            cookie: false,
            in_cookie: None,
            serializer: Serializer::Unknown,
            saves_every_request: None,
            evidence: format!("it assigns {}", listed.join(" and ")),
        };
    }
    if let Some((called, at)) = interfaces.first() {
        let (class, shown) = match made(called) {
            Some(factory) => (
                factory.returns.as_str(),
                format!("`{}` (made by `{called}`)", factory.returns),
            ),
            None => (called.as_str(), format!("`{called}`")),
        };
        let classes: Vec<&ClassFacts> = files
            .iter()
            .flat_map(|(_, facts)| facts.classes.iter())
            .collect();
        let defined = files.iter().find_map(|(_, facts)| {
            facts
                .classes
                .iter()
                .find(|c| c.name == class)
                .map(|c| (c, facts))
        });
        let (serializer, saves_every_request, in_cookie) = match defined {
            Some((class, facts)) => {
                let cookie_like = class
                    .bases
                    .iter()
                    .any(|b| b == "SecureCookieSessionInterface");
                let serializer = if facts.uses_pickle {
                    Serializer::Pickle
                } else if facts.uses_tagged_json || (cookie_like && !class.sets_serializer) {
                    Serializer::TaggedJson
                } else {
                    Serializer::Unknown
                };
                // The class and its project bases (mixins) decide together.
                let lineage = lineage(class, &classes);
                let saves =
                    (cookie_like && !lineage.iter().any(|c| c.overrides_saving)).then_some(false);
                // Flask's cookie, by another name (Calibre-Web's changes
                // only the cookie's path): the data is in the cookie.
                let in_cookie = (cookie_like
                    && serializer == Serializer::TaggedJson
                    && !lineage.iter().any(|c| c.overrides_storage))
                .then_some(true);
                (serializer, saves, in_cookie)
            }
            None => (Serializer::Unknown, None, None),
        };
        return Backend {
            name: format!("the project's session interface {shown}"),
            cookie: false,
            in_cookie,
            serializer,
            saves_every_request,
            evidence: at.clone(),
        };
    }
    Backend::cookie("nothing installs another backend")
}

/// The function of the project that `app.session_interface = name(...)`
/// calls to make the interface, when it returns one class and no class
/// of the project is named `name`.
fn made_by<'f>(files: &[&'f (String, BackendFacts)], name: &str) -> Option<&'f Factory> {
    let is_class = files
        .iter()
        .any(|(_, facts)| facts.classes.iter().any(|class| class.name == name));
    files
        .iter()
        .flat_map(|(_, facts)| facts.factories.iter())
        .find(|factory| factory.name == name)
        .filter(|_| !is_class)
}

/// The attributes of the session objects the project's backends make,
/// beyond `SessionMixin`'s: Flask-Session's `sid`, and what the session
/// class of an interface of the project (its `session_class = X`, or a
/// base's) and that class's bases define. Only classes in the files the
/// scan parses are seen.
pub(crate) fn session_attributes(files: &[&(String, BackendFacts)]) -> Vec<String> {
    let classes: Vec<&ClassFacts> = files
        .iter()
        .flat_map(|(_, facts)| facts.classes.iter())
        .collect();
    let named = |name: &str| -> Vec<&ClassFacts> {
        classes
            .iter()
            .copied()
            .filter(|class| class.name == name)
            .collect()
    };
    let mut attributes = Vec::new();
    for (_, facts) in files {
        if !facts.flask_session.is_empty() {
            attributes.push("sid".to_string());
        }
        for (called, _) in &facts.custom {
            let made = made_by(files, called);
            if made.is_some_and(|factory| factory.returns_flask_session) {
                attributes.push("sid".to_string());
            }
            let interface = made.map_or(called.as_str(), |factory| factory.returns.as_str());
            for class in named(interface) {
                // The session class an interface sets, itself or through
                // a base of the project.
                let session_class = lineage(class, &classes)
                    .into_iter()
                    .find_map(|c| c.session_class.as_deref());
                for session in session_class.map(&named).unwrap_or_default() {
                    let defined = lineage(session, &classes).into_iter();
                    attributes.extend(defined.flat_map(|c| c.attributes.iter().cloned()));
                }
            }
        }
    }
    // `session.__init__` is no template's.
    attributes.retain(|name| !name.starts_with("__"));
    attributes.sort_unstable();
    attributes.dedup();
    attributes
}

/// A class, then its bases defined in the project and theirs, depth
/// first (a mixin's before the next base), 16 levels at most.
fn lineage<'c>(class: &'c ClassFacts, classes: &[&'c ClassFacts]) -> Vec<&'c ClassFacts> {
    fn visit<'c>(
        class: &'c ClassFacts,
        classes: &[&'c ClassFacts],
        depth: usize,
        out: &mut Vec<&'c ClassFacts>,
    ) {
        out.push(class);
        if depth < 16 {
            for base in &class.bases {
                for other in classes.iter().filter(|other| &other.name == base) {
                    visit(other, classes, depth + 1, out);
                }
            }
        }
    }
    let mut out = Vec::new();
    visit(class, classes, 0, &mut out);
    out
}

/// A `major.minor` version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Version {
    major: u32,
    minor: u32,
}

impl Version {
    fn at_least(self, major: u32, minor: u32) -> bool {
        (self.major, self.minor) >= (major, minor)
    }

    fn parse(text: &str) -> Option<Self> {
        let mut parts = text.trim().split('.');
        let major = parts.next()?.trim().parse().ok()?;
        let minor = parts
            .next()
            .and_then(|minor| minor.trim().split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|minor| minor.parse().ok())
            .unwrap_or(0);
        Some(Self { major, minor })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// Flask-Session's version in one dependency file's text: a pin, else the
/// lowest bound (`Flask-Session==0.5.0`, `flask-session>=0.8`,
/// `"flask_session (>=0.6,<1)"`, a lock file's `version = "0.8.0"`).
pub(crate) fn flask_session_version(file: &Path, text: &str) -> Option<Version> {
    let name = file.file_name()?.to_str()?;
    let lower = text.to_ascii_lowercase();
    if name.ends_with(".lock") {
        // `name = "flask-session"` then `version = "0.8.0"`.
        let at = ["name = \"flask-session\"", "name = \"flask_session\""]
            .iter()
            .find_map(|needle| lower.find(needle))?;
        let rest = &lower[at..];
        let version = rest.find("version = \"")? + "version = \"".len();
        return Version::parse(&rest[version..]);
    }
    lower
        .match_indices("flask")
        .filter_map(|(at, _)| {
            let rest = &lower[at + "flask".len()..];
            let rest = rest.strip_prefix(['-', '_'])?.strip_prefix("session")?;
            // Not `flask-session2`, not `flask-sessionstore`.
            if rest.starts_with(|c: char| c.is_ascii_alphanumeric()) {
                return None;
            }
            // Poetry and Pipfile: `flask-session = "^0.8"`.
            if let Some(value) = rest.trim_start().strip_prefix('=')
                && !value.starts_with('=')
            {
                let value = value.trim_start().trim_start_matches(['"', '\'']);
                let value: String = value
                    .chars()
                    .take_while(|c| !matches!(c, '"' | '\'' | '\n'))
                    .collect();
                return version_in_spec(&value)
                    .or_else(|| Version::parse(value.trim_start_matches(['^', '~'])));
            }
            let spec: String = rest
                .chars()
                .take_while(|c| !matches!(c, '\n' | '"' | '\'' | ']'))
                .collect();
            version_in_spec(&spec)
        })
        .min()
}

/// `==0.5.0` gives 0.5; `>=0.6,<1` gives 0.6; `~=0.8` gives 0.8.
fn version_in_spec(spec: &str) -> Option<Version> {
    ["==", "~=", ">="].iter().find_map(|operator| {
        let at = spec.find(operator)?;
        Version::parse(&spec[at + operator.len()..])
    })
}

/// Whether a file name is one of the dependency files Flask-Session's
/// version is read from.
pub(crate) fn is_dependency_file(name: &str) -> bool {
    (name.starts_with("requirements") && name.ends_with(".txt"))
        || matches!(
            name,
            "pyproject.toml" | "setup.cfg" | "Pipfile" | "Pipfile.lock" | "uv.lock" | "poetry.lock"
        )
}

/// Paths for evidence, relative to the root.
pub(crate) fn shown(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .map_or_else(|_| path.display().to_string(), |p| p.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(file: &str, text: &str) -> Option<String> {
        flask_session_version(Path::new(file), text).map(|v| v.to_string())
    }

    #[test]
    fn a_text_says_something_of_the_backend_when_it_holds_one_of_its_words() {
        for word in BACKEND_WORDS {
            let word = std::str::from_utf8(word).unwrap();
            assert!(
                BackendFacts::may_say(format!("x = 1\n{word}").as_bytes()),
                "{word}"
            );
            assert!(BackendFacts::may_say(word.as_bytes()), "{word}");
        }
        assert!(!BackendFacts::may_say(
            b"db.session.add(row)\nSESSION = 1\n"
        ));
        assert!(!BackendFacts::may_say(b"ession ESSION flask_sessio"));
        assert!(!BackendFacts::may_say(b""));
    }

    #[test]
    fn a_factory_returns_one_class_on_every_return() {
        let returned = |text: &str| {
            let parsed = parse_module(text);
            let module = parsed.syntax().as_module().expect("a module");
            let Some(Stmt::FunctionDef(function)) = module.body.first() else {
                panic!("a function first");
            };
            returned_class(&function.body).map(|callee| last_name(callee).to_string())
        };
        assert_eq!(
            returned("def f(app):\n    if app.debug:\n        return sessions.Pickled()\n    return Pickled(app)\n")
                .as_deref(),
            Some("Pickled")
        );
        // Another class, or something else, on some return: not a factory.
        assert_eq!(
            returned("def f(a):\n    if a:\n        return A()\n    return B()\n"),
            None
        );
        assert_eq!(
            returned("def f(a):\n    if a:\n        return A()\n    return\n"),
            None
        );
        assert_eq!(returned("def f(a):\n    return a\n"), None);
        assert_eq!(returned("def f(a):\n    pass\n"), None);
        // The returns of a function defined inside are that function's.
        assert_eq!(
            returned("def f(a):\n    def g():\n        return B()\n    return A()\n").as_deref(),
            Some("A")
        );
    }

    #[test]
    fn versions_from_dependency_files() {
        assert_eq!(
            version("requirements.txt", "Flask==3.1\nFlask-Session==0.5.0\n").as_deref(),
            Some("0.5")
        );
        assert_eq!(
            version("requirements-dev.txt", "flask-session>=0.8,<1\n").as_deref(),
            Some("0.8")
        );
        assert_eq!(
            version(
                "pyproject.toml",
                "dependencies = [\"flask_session (>=0.6)\"]\n"
            )
            .as_deref(),
            Some("0.6")
        );
        assert_eq!(
            version(
                "pyproject.toml",
                "[tool.poetry.dependencies]\nflask-session = \"^0.8\"\n"
            )
            .as_deref(),
            Some("0.8")
        );
        assert_eq!(
            version(
                "poetry.lock",
                "[[package]]\nname = \"flask-session\"\nversion = \"0.8.0\"\n"
            )
            .as_deref(),
            Some("0.8")
        );
        assert_eq!(
            version("requirements.txt", "flask-sessionstore==0.4\n"),
            None
        );
        assert_eq!(version("requirements.txt", "Flask-Session\n"), None);
    }
}
