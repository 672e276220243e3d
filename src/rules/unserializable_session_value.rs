//! FL104 unserializable-session-value: a value Flask's session serializer
//! (`TaggedJSONSerializer`) cannot write, or will not give back as written.

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use crate::checker::{Checker, Unit, function_name, method_name, receiver};
use crate::finding::Finding;
use crate::rules::Rule;
use crate::session_ops::{LocalBindings, UnitFacts, find_in_stored_value};

/// Classes the session serializer writes and gives back as the same type.
const SUPPORTED_CLASSES: &[&str] = &[
    "dict", "list", "tuple", "str", "bytes", "int", "float", "bool", "Markup", "UUID", "datetime",
];

/// Query methods that return one model instance.
const SINGLE_RESULT_METHODS: &[&str] =
    &["first", "one", "get_or_404", "first_or_404", "scalar_one"];

/// Why a value is a problem, and what to store instead.
struct Problem {
    what: String,
    /// Whether the serializer writes it (as something else) rather than
    /// raising.
    converted: bool,
    help: &'static str,
}

/// Checks one unit.
pub fn check(cx: &Checker, facts: &UnitFacts, findings: &mut Vec<Finding>) {
    let unit = facts.unit;
    let locals = &facts.locals;
    let finder = Unserializable { cx, unit, locals };
    for (write, _) in &facts.writes {
        let session = cx.text(write.session);
        for stored in write.stored_values(cx) {
            let destination = stored.destination(session);
            find_in_stored_value(
                stored.value,
                &|expr| finder.problem(expr, 0),
                &mut |expr, problem| {
                    let consequence = if problem.converted {
                        "Flask's session serializer raises `TypeError` when the response is saved, or gives it back as a different type"
                    } else {
                        "Flask's session serializer raises `TypeError` when the response is saved"
                    };
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

struct Unserializable<'c, 'a> {
    cx: &'c Checker<'a>,
    unit: &'c Unit<'a>,
    locals: &'c LocalBindings<'a>,
}

impl<'a> Unserializable<'_, 'a> {
    fn problem(&self, expr: &'a Expr, depth: usize) -> Option<Problem> {
        const AS_LIST: &str =
            "Store a `list` (e.g. `sorted(values)`) and rebuild the set when reading it";
        const PLAIN_DATA: &str = "Store plain data (`dict`, `list`, `str`, numbers) or an id, and rebuild the object when reading it";
        const MODEL_ID: &str =
            "Store the primary key (e.g. `user.id`) and load the object again when it is needed";
        let problem = |what: &str, help| {
            Some(Problem {
                what: what.to_string(),
                converted: false,
                help,
            })
        };
        match expr {
            Expr::Set(_) | Expr::SetComp(_) => problem("a `set`", AS_LIST),
            Expr::Lambda(_) => problem("a lambda", PLAIN_DATA),
            Expr::Generator(_) => problem("a generator", "Store a `list` of the values instead"),
            Expr::Call(call) => self.call_problem(call, PLAIN_DATA, AS_LIST, MODEL_ID),
            Expr::Name(name) if depth < 8 => {
                let value = self.locals.value_of(expr)?;
                let inner = self.problem(value, depth + 1)?;
                let row = self.cx.row(value.start());
                Some(Problem {
                    what: format!("{}, assigned on line {row}", inner.what),
                    ..inner
                })
            }
            _ => None,
        }
    }

    fn call_problem(
        &self,
        call: &ast::ExprCall,
        plain_data: &'static str,
        as_list: &'static str,
        model_id: &'static str,
    ) -> Option<Problem> {
        let problem = |what: String, help| {
            Some(Problem {
                what,
                converted: false,
                help,
            })
        };
        match function_name(call) {
            Some("set") => return problem("a `set`".into(), as_list),
            Some("frozenset") => return problem("a `frozenset`".into(), as_list),
            Some("open") => return problem("an open file".into(), plain_data),
            _ => {}
        }
        if let Some(method) = method_name(call)
            && self.returns_model(call, method)
        {
            return problem(
                format!("a model instance (from `.{method}(...)`)"),
                model_id,
            );
        }
        let class = match &*call.func {
            Expr::Name(name) => name.id.as_str(),
            Expr::Attribute(attribute) => attribute.attr.as_str(),
            _ => return None,
        };
        (is_camel_case(class) && !SUPPORTED_CLASSES.contains(&class)).then(|| Problem {
            what: format!("an instance of `{class}`"),
            converted: true,
            help: plain_data,
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
}

/// `Cart`, `OrderedDict`: starts with a capital and has a lower-case letter
/// (so `UUID`-like constants are not taken for classes by shape alone).
fn is_camel_case(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().any(|c| c.is_ascii_lowercase())
}
