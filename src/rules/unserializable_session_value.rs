//! FL104 unserializable-session-value: a value Flask's session serializer
//! (`TaggedJSONSerializer`) cannot write, or will not give back as written.
//! FL103 asks the same classifier, so that what FL104 reports is not also
//! reported as merely large.

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use crate::analysis::checker::{Checker, Unit, function_name, method_name, receiver};
use crate::analysis::session_ops::{
    LocalBindings, UnitFacts, find_in_stored_value, value_branches,
};
use crate::project::{Backend, Serializer};
use crate::rules::Rule;
use crate::rules::finding::Finding;

/// Classes the session serializer writes and gives back as the same type.
const SUPPORTED_CLASSES: &[&str] = &[
    "dict", "list", "tuple", "str", "bytes", "int", "float", "bool", "Markup", "UUID", "datetime",
];

/// Query methods that return one model instance.
const SINGLE_RESULT_METHODS: &[&str] =
    &["first", "one", "get_or_404", "first_or_404", "scalar_one"];

/// Local names followed to their values, at most this many in a chain.
const MAX_ALIAS_DEPTH: usize = 8;

const AS_LIST: &str = "Store a `list` (e.g. `sorted(values)`) and rebuild the set when reading it";
const PLAIN_DATA: &str = "Store plain data (`dict`, `list`, `str`, numbers) or an id, and rebuild the object when reading it";
const MODEL_ID: &str =
    "Store the primary key (e.g. `user.id`) and load the object again when it is needed";
const MODEL_IDS: &str = "Store the primary keys (e.g. `[p.id for p in products]`) and query the rows again when they are needed";
const UPLOAD: &str =
    "Save the upload (to disk or object storage) and store its name or id in the session";

/// What kind of value cannot be written: each serializer fails on some.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// A `set` or `frozenset`.
    Set,
    /// A lambda, a generator or an open file: nothing writes these.
    Unwritable,
    /// A model instance, a collection of them, an uploaded file.
    Object,
    /// An instance of another class, which the JSON provider may convert.
    ClassInstance,
}

/// Why a value is a problem, and what to store instead.
pub(super) struct Problem {
    what: String,
    kind: Kind,
    help: &'static str,
}

impl Problem {
    fn new(what: impl Into<String>, kind: Kind, help: &'static str) -> Option<Self> {
        Some(Self {
            what: what.into(),
            kind,
            help,
        })
    }
}

/// What the backend's serializer does with a value of this kind, as the
/// end of the message; `None` when it writes it and gives it back.
fn consequence(kind: Kind, backend: &Backend) -> Option<String> {
    let raises = "raises `TypeError` when the response is saved";
    match (backend.serializer, kind) {
        (Serializer::TaggedJson, Kind::ClassInstance) if backend.cookie => Some(format!(
            "Flask's session serializer {raises}, or gives it back as a different type"
        )),
        (Serializer::TaggedJson, _) if backend.cookie => {
            Some(format!("Flask's session serializer {raises}"))
        }
        (Serializer::TaggedJson, Kind::ClassInstance) => Some(format!(
            "the session serializer (tagged JSON) {raises}, or gives it back as a different type (backend: {backend})"
        )),
        (Serializer::TaggedJson, _) => Some(format!(
            "the session serializer (tagged JSON) {raises} (backend: {backend})"
        )),
        (Serializer::Msgpack | Serializer::Json, Kind::Set) => Some(format!(
            "msgspec writes it as an array, so it comes back as a list (backend: {backend})"
        )),
        (Serializer::Msgpack | Serializer::Json, _) => {
            Some(format!("msgspec {raises} (backend: {backend})"))
        }
        (Serializer::Pickle, Kind::Unwritable) => Some(format!(
            "pickle cannot write it, so saving the session fails when the response is saved (backend: {backend})"
        )),
        (Serializer::Pickle, _) | (Serializer::Unknown, _) => None,
    }
}

/// Checks one unit.
pub(crate) fn check(cx: &Checker, facts: &UnitFacts, findings: &mut Vec<Finding>) {
    let unit = facts.unit;
    if facts.writes.is_empty() {
        return;
    }
    let backend = cx.backend();
    // What an unknown serializer cannot write is not known either.
    if backend.serializer == Serializer::Unknown {
        return;
    }
    let finder = Unserializable::new(cx, unit, &facts.locals);
    for (write, _) in &facts.writes {
        let session = cx.text(write.session);
        for stored in write.stored_values(cx) {
            let destination = stored.destination(session);
            find_in_stored_value(
                stored.value,
                &|expr| {
                    let problem = finder.problem(expr)?;
                    let consequence = consequence(problem.kind, &backend)?;
                    Some((problem, consequence))
                },
                &mut |expr, (problem, consequence)| {
                    let message = format!(
                        "`{}` stored in {destination} in `{}` is {}; {consequence}",
                        cx.snippet(expr),
                        unit.name,
                        problem.what
                    );
                    findings.push(
                        Finding::new(Rule::UnserializableSessionValue, message, expr.range())
                            .with_help(problem.help),
                    );
                },
            );
        }
    }
}

/// Tells what the session serializer cannot write.
pub(super) struct Unserializable<'c, 'a> {
    cx: &'c Checker<'a>,
    unit: &'c Unit<'a>,
    locals: &'c LocalBindings<'a>,
}

impl<'c, 'a> Unserializable<'c, 'a> {
    pub(super) fn new(
        cx: &'c Checker<'a>,
        unit: &'c Unit<'a>,
        locals: &'c LocalBindings<'a>,
    ) -> Self {
        Self { cx, unit, locals }
    }

    /// Whether the backend's serializer fails on `expr` (FL104 reports it).
    pub(super) fn fails(&self, expr: &'a Expr, backend: &Backend) -> bool {
        self.problem(expr)
            .is_some_and(|problem| consequence(problem.kind, backend).is_some())
    }

    /// Why the serializer cannot write `expr`, if it cannot.
    fn problem(&self, expr: &'a Expr) -> Option<Problem> {
        self.problem_within(expr, 0)
    }

    fn problem_within(&self, expr: &'a Expr, depth: usize) -> Option<Problem> {
        if let Some(what) = self.model_collection(expr, depth) {
            return Problem::new(what, Kind::Object, MODEL_IDS);
        }
        if let Some(what) = self.upload(expr) {
            return Problem::new(what, Kind::Object, UPLOAD);
        }
        match expr {
            Expr::Set(_) | Expr::SetComp(_) => Problem::new("a `set`", Kind::Set, AS_LIST),
            Expr::Lambda(_) => Problem::new("a lambda", Kind::Unwritable, PLAIN_DATA),
            Expr::Generator(_) => Problem::new(
                "a generator",
                Kind::Unwritable,
                "Store a `list` of the values instead",
            ),
            Expr::Call(call) => self.call_problem(call),
            Expr::Name(_) if depth < MAX_ALIAS_DEPTH => {
                let value = self.locals.value_of(expr)?;
                // Any branch of a conditional value may be what is stored.
                let inner = value_branches(value)
                    .into_iter()
                    .find_map(|branch| self.problem_within(branch, depth + 1))?;
                let row = self.cx.row(value.start());
                Some(Problem {
                    what: format!("{}, assigned on line {row}", inner.what),
                    ..inner
                })
            }
            _ => None,
        }
    }

    fn call_problem(&self, call: &ast::ExprCall) -> Option<Problem> {
        match function_name(call) {
            Some("set") => return Problem::new("a `set`", Kind::Set, AS_LIST),
            Some("frozenset") => return Problem::new("a `frozenset`", Kind::Set, AS_LIST),
            Some("open") => return Problem::new("an open file", Kind::Unwritable, PLAIN_DATA),
            _ => {}
        }
        if let Some(method) = method_name(call)
            && self.returns_model(call, method)
        {
            return Problem::new(
                format!("a model instance (from `.{method}(...)`)"),
                Kind::Object,
                MODEL_ID,
            );
        }
        let class = match &*call.func {
            Expr::Name(name) => name.id.as_str(),
            Expr::Attribute(attribute) => attribute.attr.as_str(),
            _ => return None,
        };
        (is_camel_case(class) && !SUPPORTED_CLASSES.contains(&class)).then(|| Problem {
            what: format!("an instance of `{class}`"),
            kind: Kind::ClassInstance,
            help: PLAIN_DATA,
        })
    }

    /// `.first()`, `.one()`, `.get_or_404(...)`, `.first_or_404()`,
    /// `.scalar_one()`, `X.query.get(...)` and `db.session.get(...)`.
    fn returns_model(&self, call: &ast::ExprCall, method: &str) -> bool {
        if SINGLE_RESULT_METHODS.contains(&method) {
            return true;
        }
        if method != "get" {
            return false;
        }
        let Some(on @ Expr::Attribute(attribute)) = receiver(call) else {
            return false;
        };
        match attribute.attr.as_str() {
            "query" => true,
            // `db.session.get(...)`: the ORM's session, not Flask's.
            "session" => !self.cx.is_session(on, self.unit.scope),
            _ => false,
        }
    }

    /// What `expr` is when it holds model instances (or ORM rows, which
    /// the serializer cannot write either): `.all()` or `.fetchall()` of a
    /// query, a query's `.paginate(...)` or its `.items`, `list(...)` or
    /// `sorted(...)` of those, and comprehensions that yield their elements.
    fn model_collection(&self, expr: &'a Expr, depth: usize) -> Option<String> {
        match expr {
            Expr::Call(call) => {
                if let (Some(method), Some(on)) = (method_name(call), receiver(call))
                    && self.is_query(on, depth)
                {
                    return match method {
                        "all" | "fetchall" => Some(format!(
                            "a list of model instances (from `.{method}()` of a query)"
                        )),
                        "paginate" => Some(
                            "a page of query results (a `Pagination` of model instances)".into(),
                        ),
                        _ => None,
                    };
                }
                match function_name(call)? {
                    "list" | "sorted" | "tuple" => {
                        self.model_collection(call.arguments.args.first()?, depth + 1)
                    }
                    _ => None,
                }
            }
            Expr::Attribute(attribute) if attribute.attr.as_str() == "items" => {
                let Expr::Call(call) = &*attribute.value else {
                    return None;
                };
                (method_name(call) == Some("paginate")
                    && receiver(call).is_some_and(|on| self.is_query(on, depth)))
                .then(|| "a list of model instances (a page's `.items`)".to_string())
            }
            Expr::ListComp(ast::ExprListComp {
                elt, generators, ..
            }) => {
                // `[Product.query.get(i) for i in ids]` yields instances.
                if let Expr::Call(call) = &**elt
                    && let Some(method) = method_name(call)
                    && self.returns_model(call, method)
                {
                    return Some(format!(
                        "a list of model instances (each from `.{method}(...)`)"
                    ));
                }
                // `[p for p in Product.query.all()]` yields the instances.
                let generator = generators.first()?;
                let (Expr::Name(element), Expr::Name(target)) = (&**elt, &generator.target) else {
                    return None;
                };
                (element.id == target.id)
                    .then(|| self.model_collection(&generator.iter, depth + 1))
                    .flatten()
                    .map(|_| "a list of model instances (a comprehension over a query)".into())
            }
            _ => None,
        }
    }

    /// Whether `expr` is an ORM query or result: a chain through `.query`,
    /// `.query(Model)`, `.scalars(...)`, or `.execute(select(...))`,
    /// directly or through a local name.
    fn is_query(&self, expr: &'a Expr, depth: usize) -> bool {
        if depth >= MAX_ALIAS_DEPTH {
            return false;
        }
        match expr {
            Expr::Attribute(attribute) => {
                attribute.attr.as_str() == "query" || self.is_query(&attribute.value, depth + 1)
            }
            Expr::Call(call) => {
                let selects = || {
                    call.arguments.args.first().is_some_and(|arg| {
                        matches!(arg, Expr::Call(inner) if function_name(inner) == Some("select"))
                    })
                };
                match method_name(call) {
                    Some("query" | "scalars") => true,
                    Some("execute") if selects() => true,
                    _ => receiver(call).is_some_and(|on| self.is_query(on, depth + 1)),
                }
            }
            Expr::Subscript(subscript) => self.is_query(&subscript.value, depth + 1),
            Expr::Name(_) => self
                .locals
                .value_of(expr)
                .is_some_and(|value| self.is_query(value, depth + 1)),
            _ => false,
        }
    }

    /// What `expr` is when it holds uploaded files: `request.files`,
    /// `request.files[...]`, `request.files.get(...)` or `.getlist(...)`.
    fn upload(&self, expr: &Expr) -> Option<String> {
        let is_files = |expr: &Expr| {
            matches!(expr, Expr::Attribute(attribute)
                if attribute.attr.as_str() == "files"
                    && self.cx.model.is_request(&attribute.value, self.unit.scope))
        };
        match expr {
            files if is_files(files) => {
                Some("the uploaded files (`request.files`, `FileStorage` objects)".into())
            }
            Expr::Subscript(subscript) if is_files(&subscript.value) => {
                Some("an uploaded file (a `FileStorage`)".into())
            }
            Expr::Call(call)
                if matches!(method_name(call), Some("get" | "getlist"))
                    && receiver(call).is_some_and(is_files) =>
            {
                Some("an uploaded file (a `FileStorage`)".into())
            }
            _ => None,
        }
    }
}

/// `Cart`, `OrderedDict`: starts with a capital and has a lower-case letter
/// (so `UUID`-like constants are not taken for classes by shape alone).
fn is_camel_case(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().any(|c| c.is_ascii_lowercase())
}
