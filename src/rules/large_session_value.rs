//! FL103 large-session-value: a value that is large by nature stored in
//! the session: query results, file and request bodies, whole request
//! mappings, object dumps, comprehensions over those, and literals whose
//! JSON is bigger than `max-value-bytes`. What the serializer cannot write
//! at all (model collections, uploaded files) is FL104's, not this rule's.

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use crate::analysis::checker::{Checker, Unit, function_name, method_name, receiver};
use crate::analysis::session_ops::{
    LocalBindings, UnitFacts, find_in_stored_value, value_branches,
};
use crate::rules::Rule;
use crate::rules::finding::Finding;
use crate::rules::unserializable_session_value::Unserializable;

/// Checks one unit.
pub(crate) fn check(cx: &Checker, facts: &UnitFacts, findings: &mut Vec<Finding>) {
    let unit = facts.unit;
    let locals = &facts.locals;
    let large = Large { cx, unit, locals };
    if facts.writes.is_empty() {
        return;
    }
    let backend = cx.backend();
    let unserializable = Unserializable::new(cx, unit, locals);
    let why_large = |expr| {
        if unserializable.fails(expr, &backend) {
            None
        } else {
            large.why_large(expr, 0)
        }
    };
    let cost = if backend.cookie {
        "the session cookie carries it on every request".to_string()
    } else if backend.in_cookie == Some(true) {
        format!("the session cookie carries it on every request (backend: {backend})")
    } else {
        format!(
            "the session store reads it and writes it back on every request that saves the session (backend: {backend})"
        )
    };
    for (write, _) in &facts.writes {
        let session = cx.text(write.session);
        for stored in write.stored_values(cx) {
            let destination = stored.destination(session);
            find_in_stored_value(stored.value, &why_large, &mut |expr, why| {
                let message = format!(
                    "`{}` stored in {destination} in `{}` is {why}; {cost}",
                    cx.snippet(expr),
                    unit.name
                );
                let help = "Store an identifier (a primary key, a file name) and load the data when it is needed";
                findings.push(
                    Finding::new(Rule::LargeSessionValue, message, expr.range()).with_help(help),
                );
            });
        }
    }
}

struct Large<'c, 'a> {
    cx: &'c Checker<'a>,
    unit: &'c Unit<'a>,
    locals: &'c LocalBindings<'a>,
}

impl<'a> Large<'_, 'a> {
    /// Why `expr` is large, or `None`. `depth` bounds the walk through
    /// local names bound to other local names.
    fn why_large(&self, expr: &'a Expr, depth: usize) -> Option<String> {
        match expr {
            Expr::Call(call) => self.large_call(call, depth),
            Expr::Attribute(attribute) => self.large_attribute(attribute),
            Expr::ListComp(ast::ExprListComp { generators, .. })
            | Expr::SetComp(ast::ExprSetComp { generators, .. })
            | Expr::DictComp(ast::ExprDictComp { generators, .. })
            | Expr::Generator(ast::ExprGenerator { generators, .. }) => {
                generators.iter().find_map(|generator| {
                    let inner = self.why_large(&generator.iter, depth + 1)?;
                    Some(format!("a comprehension over {inner}"))
                })
            }
            Expr::Name(_) if depth < 8 => {
                let value = self.locals.value_of(expr)?;
                // Any branch of a conditional value may be what is stored.
                let inner = value_branches(value)
                    .into_iter()
                    .find_map(|branch| self.why_large(branch, depth + 1))?;
                let row = self.cx.row(value.start());
                Some(format!("{inner}, assigned on line {row}"))
            }
            Expr::FString(_) | Expr::BinOp(_) => self
                .large_formatting(expr, depth)
                .or_else(|| self.large_literal(expr)),
            _ => self.large_literal(expr),
        }
    }

    fn large_call(&self, call: &'a ast::ExprCall, depth: usize) -> Option<String> {
        if let Some(inner) = self.through_wrapper(call, depth) {
            return Some(inner);
        }
        let is_request = |expr: &Expr| self.cx.model.is_request(expr, self.unit.scope);
        if let Some(method) = method_name(call) {
            let on_request = receiver(call).is_some_and(is_request);
            let why = match method {
                "all" | "fetchall" | "paginate" => "a query result collection",
                "read" => "file contents",
                "get_data" if on_request => "the request body",
                "get_json" if on_request => "the whole request JSON",
                "to_dict" | "model_dump" | "dict" | "json" => "an object dump",
                "load" if receiver(call).is_some_and(|r| self.cx.text(r) == "json") => {
                    "a parsed JSON document"
                }
                "asdict" => "an object dump",
                _ => return None,
            };
            return Some(format!("{why} (`.{method}()`)"));
        }
        match function_name(call)? {
            "vars" if call.arguments.args.len() == 1 => {
                Some("an object dump (`vars(...)`)".to_string())
            }
            "asdict" => Some("an object dump (`asdict(...)`)".to_string()),
            _ => None,
        }
    }

    /// What a call that keeps the size of its argument wraps, when that is
    /// large: a conversion or copy (`dict(x)`, `list(x)`, `sorted(x)`,
    /// `copy(x)`, `deepcopy(x)`), a dump to text or bytes (`str(x)`,
    /// `repr(x)`, `json.dumps(x)`, `pickle.dumps(x)`,
    /// `base64.b64encode(x)`), `x.copy()`, `x.encode()`, and
    /// `"...".format(x)`.
    fn through_wrapper(&self, call: &'a ast::ExprCall, depth: usize) -> Option<String> {
        let first = || call.arguments.args.first();
        let (name, inner): (&str, Vec<&'a Expr>) = match &*call.func {
            Expr::Name(name) => match name.id.as_str() {
                wrapper @ ("dict" | "list" | "tuple" | "sorted" | "str" | "repr" | "copy"
                | "deepcopy" | "dumps" | "b64encode" | "urlsafe_b64encode") => {
                    (wrapper, first().into_iter().collect())
                }
                _ => return None,
            },
            Expr::Attribute(attribute) => match attribute.attr.as_str() {
                wrapper @ ("dumps" | "copy" | "deepcopy" | "b64encode" | "urlsafe_b64encode")
                    if !call.arguments.args.is_empty() =>
                {
                    (wrapper, first().into_iter().collect())
                }
                wrapper @ ("copy" | "encode") => (wrapper, vec![&*attribute.value]),
                "format" if matches!(&*attribute.value, Expr::StringLiteral(_)) => (
                    "format",
                    call.arguments
                        .args
                        .iter()
                        .chain(call.arguments.keywords.iter().map(|k| &k.value))
                        .collect(),
                ),
                _ => return None,
            },
            _ => return None,
        };
        let why = inner
            .into_iter()
            .find_map(|inner| self.why_large(inner, depth + 1))?;
        Some(format!(
            "{why}, through `{}`",
            wrapper_text(self.cx, call, name)
        ))
    }

    /// What an f-string or `%` formatting puts a large value into.
    fn large_formatting(&self, expr: &'a Expr, depth: usize) -> Option<String> {
        let parts: Vec<&'a Expr> = match expr {
            Expr::FString(fstring) => fstring
                .value
                .elements()
                .filter_map(|element| element.as_interpolation())
                .map(|interpolation| &*interpolation.expression)
                .collect(),
            Expr::BinOp(ast::ExprBinOp {
                left,
                op: ast::Operator::Mod,
                right,
                ..
            }) if matches!(&**left, Expr::StringLiteral(_)) => match &**right {
                Expr::Tuple(tuple) => tuple.elts.iter().collect(),
                other => vec![other],
            },
            _ => return None,
        };
        let why = parts
            .into_iter()
            .find_map(|part| self.why_large(part, depth + 1))?;
        Some(format!("{why}, formatted into a string"))
    }

    fn large_attribute(&self, attribute: &'a ast::ExprAttribute) -> Option<String> {
        let attr = attribute.attr.as_str();
        if attr == "__dict__" {
            return Some("an object dump (`.__dict__`)".to_string());
        }
        if !self.cx.model.is_request(&attribute.value, self.unit.scope) {
            return None;
        }
        let why = match attr {
            "data" => "the request body",
            "form" | "args" | "values" | "json" | "headers" | "cookies" => {
                "a whole request mapping"
            }
            _ => return None,
        };
        Some(format!("{why} (`request.{attr}`)"))
    }

    fn large_literal(&self, expr: &Expr) -> Option<String> {
        let size = json_size(expr)?;
        (size > self.cx.options.max_value_bytes).then(|| {
            format!(
                "a literal of at least {size} bytes once serialized (more than `max-value-bytes` = {})",
                self.cx.options.max_value_bytes
            )
        })
    }
}

/// How a wrapper call is named in a message: `json.dumps(...)`,
/// `str(...)`, `.copy()`.
fn wrapper_text(cx: &Checker, call: &ast::ExprCall, name: &str) -> String {
    let method = matches!(&*call.func, Expr::Attribute(_))
        && (name == "format" || call.arguments.is_empty());
    if method {
        format!(".{name}(...)")
    } else {
        format!("{}(...)", cx.text(&*call.func))
    }
}

/// A lower bound of the bytes Flask's session serializer writes for a
/// literal (compact JSON, non-ASCII escaped, tuples and bytes tagged), or
/// `None` when `expr` is not a literal or a display. Parts that are not
/// literals count as nothing.
fn json_size(expr: &Expr) -> Option<usize> {
    let elements = |elts: &[Expr]| -> usize {
        2 + elts
            .iter()
            .map(|e| json_size(e).unwrap_or(0))
            .sum::<usize>()
            + elts.len().saturating_sub(1)
    };
    Some(match expr {
        Expr::StringLiteral(string) => json_string_size(string.value.to_str()),
        // Tagged as {" b": "<base64>"}.
        Expr::BytesLiteral(bytes) => {
            let len = bytes.value.bytes().count();
            9 + 4 * len.div_ceil(3) + 2
        }
        Expr::NumberLiteral(number) => match &number.value {
            ast::Number::Int(int) => int.to_string().len(),
            ast::Number::Float(float) => float.to_string().len(),
            ast::Number::Complex { .. } => 0,
        },
        Expr::BooleanLiteral(boolean) => {
            if boolean.value {
                4
            } else {
                5
            }
        }
        Expr::NoneLiteral(_) => 4,
        Expr::List(list) => elements(&list.elts),
        // Tagged as {" t": [...]}.
        Expr::Tuple(tuple) => 7 + elements(&tuple.elts),
        Expr::Dict(dict) => {
            2 + dict
                .items
                .iter()
                .map(|item| {
                    let key = item.key.as_ref().and_then(json_size).unwrap_or(0);
                    key + 1 + json_size(&item.value).unwrap_or(0)
                })
                .sum::<usize>()
                + dict.items.len().saturating_sub(1)
        }
        // "ab" * 1000, [0] * 1000
        Expr::BinOp(ast::ExprBinOp {
            left,
            op: ast::Operator::Mult,
            right,
            ..
        }) => {
            let (repeated, count) = match (&**left, &**right) {
                (Expr::NumberLiteral(n), other) | (other, Expr::NumberLiteral(n)) => (other, n),
                _ => return None,
            };
            let count = count.value.as_int()?.as_usize()?;
            match repeated {
                Expr::StringLiteral(string) => {
                    2 + (json_string_size(string.value.to_str()) - 2).saturating_mul(count)
                }
                Expr::List(list) => match elements(&list.elts) - 2 {
                    0 => 2,
                    _ if count == 0 => 2,
                    per => 1 + (per + 1).saturating_mul(count),
                },
                _ => return None,
            }
        }
        _ => return None,
    })
}

/// Bytes of a JSON string with `ensure_ascii`, as Flask writes it.
fn json_string_size(text: &str) -> usize {
    2 + text
        .chars()
        .map(|c| match c {
            '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 2,
            c if (c as u32) < 0x20 => 6,
            c if c.is_ascii() => 1,
            c => 6 * c.len_utf16(),
        })
        .sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ruff_python_parser::parse_expression;

    fn size(source: &str) -> Option<usize> {
        let parsed = parse_expression(source).expect("test expression parses");
        json_size(parsed.expr())
    }

    #[test]
    fn sizes_match_compact_json() {
        assert_eq!(size(r#""abc""#), Some(5));
        assert_eq!(
            size(r#"{"a": 1, "b": [True, None]}"#),
            Some(r#"{"a":1,"b":[true,null]}"#.len())
        );
        assert_eq!(size(r#""é""#), Some(8)); // "\u00e9"
        assert_eq!(size(r#""x" * 10"#), Some(12));
        assert_eq!(size("[0] * 3"), Some("[0,0,0]".len()));
        assert_eq!(size("name"), None);
        assert_eq!(size("[name, 1]"), Some(4)); // the name counts as nothing
    }
}
