//! The session keys a module writes and reads (section 8 of the contract):
//! each access with its key, the function it is in and, for a write, what
//! kind of value it stores and a bound on that value's size as Flask's
//! cookie serializer writes it.

use ruff_python_ast::{self as ast, CmpOp, Expr, ExprContext, Operator, Stmt, UnaryOp};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::analysis::checker::{Checker, Unit, for_each_own_expr, for_each_stmt, for_each_subexpr};
use crate::analysis::session_ops::UnitFacts;

/// A session key as the code gives it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Key {
    /// A string literal: `session["cart"]`.
    Literal(String),
    /// An f-string or a concatenation that starts with a literal:
    /// `session[f"cart_{id}"]` has the prefix `cart_`.
    Prefix(String),
    /// Anything else: `session[key]`.
    Dynamic,
}

/// Whether an access reads or writes its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    Read,
    Write,
}

/// What a write stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stored {
    /// What kind of value, for people: `int`, `list`, `request data`.
    pub(crate) kind: &'static str,
    /// The value as Flask's tagged JSON writes it, when it is a literal.
    pub(crate) json: Option<String>,
    /// At most this many bytes of JSON, when that can be known.
    pub(crate) bound: Option<usize>,
}

/// One read or write of a session key.
#[derive(Debug, Clone)]
pub(crate) struct KeyUse {
    pub(crate) key: Key,
    pub(crate) access: Access,
    /// Where the access is reported: the key expression's start.
    pub(crate) at: TextSize,
    /// The key expression (for `update(k=v)`, the keyword argument).
    pub(crate) key_range: TextRange,
    /// The whole access: `session["k"]`, `session.get("k")`, `"k" in session`.
    pub(crate) expr_range: TextRange,
    /// The function the access is in, or `<module>`.
    pub(crate) function: String,
    /// For a write, what it stores (`None` when not known at all).
    pub(crate) stored: Option<Stored>,
}

/// The JSON size bound of an integer: 20 digits hold any 64-bit one.
const INT_BOUND: usize = 20;
/// The JSON size bound of `true`, `false` and `null`.
const CONSTANT_BOUND: usize = 5;

/// Every key access in the file's units, in source order. A value
/// changed in place (`session["cart"].append(x)`, also through an alias)
/// is a write of its key that no bound holds.
pub(crate) fn key_uses(cx: &Checker) -> Vec<KeyUse> {
    let mut uses = Vec::new();
    for unit in cx.model.units() {
        uses.extend(unit_key_uses(cx, unit));
        for mutation in UnitFacts::of(cx, unit).mutations {
            if let Some(key) = mutation.value.key {
                uses.push(KeyUse {
                    key: key_of(key),
                    access: Access::Write,
                    at: mutation.range.start(),
                    key_range: key.range(),
                    expr_range: mutation.range,
                    function: unit.name.to_string(),
                    stored: Some(Stored {
                        kind: "changed in place",
                        json: None,
                        bound: None,
                    }),
                });
            }
        }
    }
    uses.sort_by_key(|key_use| key_use.at);
    uses
}

/// The key reads and writes a unit makes itself, in source order.
pub(crate) fn unit_key_uses(cx: &Checker, unit: &Unit) -> Vec<KeyUse> {
    let mut uses = Vec::new();
    for_each_stmt(unit.body, &mut |stmt, _| {
        uses_in_stmt(cx, unit, stmt, &mut uses);
    });
    uses
}

fn uses_in_stmt(cx: &Checker, unit: &Unit, stmt: &Stmt, uses: &mut Vec<KeyUse>) {
    let session = |expr: &Expr| cx.is_session(expr, unit.scope);
    // One access: the key's node, the whole access, and what it stores.
    let mut add = |key: Key, key_range: TextRange, expr_range: TextRange, access, stored| {
        uses.push(KeyUse {
            key,
            access,
            at: key_range.start(),
            key_range,
            expr_range,
            function: unit.name.to_string(),
            stored,
        });
    };
    let display_writes = |dict: &ast::ExprDict| -> Vec<(Key, TextRange, Stored)> {
        dict.items
            .iter()
            .filter_map(|item| {
                let key = item.key.as_ref()?;
                Some((key_of(key), key.range(), stored(cx, unit, &item.value)))
            })
            .collect()
    };
    // `session |= {"k": v}` writes each key of the display.
    if let Stmt::AugAssign(aug) = stmt
        && aug.op == Operator::BitOr
        && session(&aug.target)
        && let Expr::Dict(dict) = &*aug.value
    {
        for (key, range, value) in display_writes(dict) {
            add(key, range, stmt.range(), Access::Write, Some(value));
        }
    }
    // The subscript target assigned a whole value, and that value.
    let assigned: Option<(&Expr, &Expr)> = match stmt {
        Stmt::Assign(assign) if assign.targets.len() == 1 => {
            Some((&assign.targets[0], &*assign.value))
        }
        Stmt::AnnAssign(ast::StmtAnnAssign {
            target,
            value: Some(value),
            ..
        }) => Some((&**target, &**value)),
        _ => None,
    };
    for_each_own_expr(stmt, &mut |expr| {
        for_each_subexpr(expr, &mut |expr| match expr {
            Expr::Subscript(subscript) if session(&subscript.value) => {
                let key = key_of(&subscript.slice);
                let range = subscript.slice.range();
                if subscript.ctx == ExprContext::Store {
                    let value = assigned
                        .filter(|(target, _)| std::ptr::eq(*target, expr))
                        .map(|(_, value)| stored(cx, unit, value));
                    add(key, range, expr.range(), Access::Write, value);
                } else {
                    // `del session[k]` reads the key too: it raises without it.
                    add(key, range, expr.range(), Access::Read, None);
                }
            }
            Expr::Call(call) => {
                let Expr::Attribute(attribute) = &*call.func else {
                    return;
                };
                if !session(&attribute.value) {
                    return;
                }
                let first = call.arguments.find_argument_value("key", 0);
                match (attribute.attr.as_str(), first) {
                    ("get" | "pop", Some(key)) => {
                        add(key_of(key), key.range(), expr.range(), Access::Read, None);
                    }
                    ("setdefault", Some(key)) => {
                        let value = call.arguments.find_argument_value("default", 1);
                        let value = value.map_or_else(constant_null, |v| stored(cx, unit, v));
                        let (named, range) = (key_of(key), key.range());
                        add(named, range, expr.range(), Access::Write, Some(value));
                    }
                    ("update", _) => {
                        for argument in &call.arguments.args {
                            if let Expr::Dict(dict) = argument {
                                for (key, range, value) in display_writes(dict) {
                                    add(key, range, expr.range(), Access::Write, Some(value));
                                }
                            }
                        }
                        for keyword in &call.arguments.keywords {
                            if let Some(name) = &keyword.arg {
                                let value = stored(cx, unit, &keyword.value);
                                let key = Key::Literal(name.to_string());
                                let range = keyword.range();
                                add(key, range, expr.range(), Access::Write, Some(value));
                            }
                        }
                    }
                    _ => {}
                }
            }
            Expr::Compare(compare) => {
                let operands: Vec<&Expr> = std::iter::once(&*compare.left)
                    .chain(compare.comparators.iter())
                    .collect();
                for (index, op) in compare.ops.iter().enumerate() {
                    if matches!(op, CmpOp::In | CmpOp::NotIn) && session(operands[index + 1]) {
                        let key = operands[index];
                        add(key_of(key), key.range(), expr.range(), Access::Read, None);
                    }
                }
            }
            _ => {}
        });
    });
}

/// The key an expression gives.
fn key_of(expr: &Expr) -> Key {
    match expr {
        Expr::StringLiteral(literal) => Key::Literal(literal.value.to_str().to_string()),
        Expr::FString(fstring) => {
            let mut prefix = String::new();
            'parts: for part in fstring.value.iter() {
                match part {
                    ast::FStringPart::Literal(literal) => prefix.push_str(&literal.value),
                    ast::FStringPart::FString(fstring) => {
                        for element in fstring.elements.iter() {
                            match element {
                                ast::InterpolatedStringElement::Literal(literal) => {
                                    prefix.push_str(&literal.value);
                                }
                                ast::InterpolatedStringElement::Interpolation(_) => break 'parts,
                            }
                        }
                    }
                }
            }
            prefixed(prefix)
        }
        Expr::BinOp(binop) if binop.op == Operator::Add => match key_of(&binop.left) {
            Key::Literal(prefix) | Key::Prefix(prefix) => prefixed(prefix),
            Key::Dynamic => Key::Dynamic,
        },
        _ => Key::Dynamic,
    }
}

fn prefixed(prefix: String) -> Key {
    if prefix.is_empty() {
        Key::Dynamic
    } else {
        Key::Prefix(prefix)
    }
}

fn constant_null() -> Stored {
    Stored {
        kind: "None",
        json: Some("null".to_string()),
        bound: Some(CONSTANT_BOUND),
    }
}

/// What a stored value is: its kind and, where it can be known, its JSON
/// text or a bound on its size.
fn stored(cx: &Checker, unit: &Unit, value: &Expr) -> Stored {
    if let Some(json) = tagged_json(value) {
        let kind = match value {
            Expr::BooleanLiteral(_) => "bool",
            Expr::NoneLiteral(_) => "None",
            _ => "literal",
        };
        let bound = Some(json.len());
        return Stored {
            kind,
            json: Some(json),
            bound,
        };
    }
    let (kind, bound) = match value {
        Expr::Name(name) if is_id_name(&name.id) => ("int", Some(INT_BOUND)),
        Expr::Attribute(attribute) if is_id_name(&attribute.attr) => ("int", Some(INT_BOUND)),
        Expr::NumberLiteral(_) | Expr::UnaryOp(_) => ("int", Some(INT_BOUND)),
        Expr::Call(call) if is_builtin_call(call, &["int", "len"]) => ("int", Some(INT_BOUND)),
        Expr::Call(call) if is_builtin_call(call, &["bool"]) => ("bool", Some(CONSTANT_BOUND)),
        Expr::Compare(_) => ("bool", Some(CONSTANT_BOUND)),
        Expr::FString(_) | Expr::StringLiteral(_) => ("str", None),
        Expr::Call(call) if is_builtin_call(call, &["str"]) => ("str", None),
        Expr::List(_) | Expr::ListComp(_) => ("list", None),
        Expr::Dict(_) | Expr::DictComp(_) => ("dict", None),
        _ if reaches_request(cx, unit, value) => ("request data", None),
        Expr::Call(call) => match &*call.func {
            Expr::Attribute(method) => match method.attr.as_str() {
                "all" | "fetchall" | "paginate" => ("query result", None),
                "first" | "one" | "first_or_404" | "get_or_404" | "scalar_one" => ("model", None),
                _ => ("unknown", None),
            },
            _ => ("unknown", None),
        },
        _ => ("unknown", None),
    };
    Stored {
        kind,
        json: None,
        bound,
    }
}

/// `id`, `user_id`, `cartId`: a name that holds an identifier.
fn is_id_name(name: &str) -> bool {
    name == "id" || name.ends_with("_id") || name.ends_with("Id")
}

fn is_builtin_call(call: &ast::ExprCall, names: &[&str]) -> bool {
    matches!(&*call.func, Expr::Name(name) if names.contains(&name.id.as_str()))
}

/// Whether the value is read from Flask's `request` (`request.form`,
/// `request.args.get("q")`, `request.get_json()`).
fn reaches_request(cx: &Checker, unit: &Unit, value: &Expr) -> bool {
    let mut head = value;
    loop {
        if cx.model.is_request(head, unit.scope) {
            return true;
        }
        head = match head {
            Expr::Attribute(attribute) => &attribute.value,
            Expr::Subscript(subscript) => &subscript.value,
            Expr::Call(call) => &call.func,
            _ => return false,
        };
    }
}

/// A literal value as Flask's session serializer writes it: JSON with
/// sorted keys, no spaces, ASCII only, tuples tagged as `{" t": [...]}`.
/// `None` for anything that is not a literal of those types (floats
/// included: Python's float text is not reproduced here).
pub(crate) fn tagged_json(value: &Expr) -> Option<String> {
    let mut out = String::new();
    write_json(value, &mut out, 0)?;
    Some(out)
}

/// Displays nested deeper than this are not literals worth writing out.
const MAX_LITERAL_DEPTH: usize = 32;

fn write_json(value: &Expr, out: &mut String, depth: usize) -> Option<()> {
    if depth > MAX_LITERAL_DEPTH {
        return None;
    }
    match value {
        Expr::StringLiteral(literal) => write_json_string(literal.value.to_str(), out),
        Expr::NumberLiteral(ast::ExprNumberLiteral {
            value: ast::Number::Int(int),
            ..
        }) => out.push_str(&int.as_i64()?.to_string()),
        Expr::UnaryOp(ast::ExprUnaryOp {
            op: UnaryOp::USub,
            operand,
            ..
        }) => match &**operand {
            Expr::NumberLiteral(ast::ExprNumberLiteral {
                value: ast::Number::Int(int),
                ..
            }) => out.push_str(&(-int.as_i64()?).to_string()),
            _ => return None,
        },
        Expr::BooleanLiteral(literal) => out.push_str(if literal.value { "true" } else { "false" }),
        Expr::NoneLiteral(_) => out.push_str("null"),
        Expr::List(list) => write_json_array(&list.elts, out, depth)?,
        Expr::Tuple(tuple) => {
            out.push_str("{\" t\":");
            write_json_array(&tuple.elts, out, depth)?;
            out.push('}');
        }
        Expr::Dict(dict) => {
            let mut items = Vec::new();
            for item in &dict.items {
                let Some(Expr::StringLiteral(key)) = &item.key else {
                    return None;
                };
                let mut value = String::new();
                write_json(&item.value, &mut value, depth + 1)?;
                items.push((key.value.to_str(), value));
            }
            // A later duplicate key wins, as in Python; then sorted.
            items.reverse();
            items.sort_by(|a, b| a.0.cmp(b.0));
            items.dedup_by(|later, earlier| later.0 == earlier.0);
            out.push('{');
            for (index, (key, value)) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_json_string(key, out);
                out.push(':');
                out.push_str(value);
            }
            out.push('}');
        }
        _ => return None,
    }
    Some(())
}

fn write_json_array(elements: &[Expr], out: &mut String, depth: usize) -> Option<()> {
    out.push('[');
    for (index, element) in elements.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        write_json(element, out, depth + 1)?;
    }
    out.push(']');
    Some(())
}

/// A JSON string as Python's `json.dumps` writes it with `ensure_ascii`.
pub(crate) fn write_json_string(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::source::parse_module;

    fn json_of(source: &str) -> Option<String> {
        let parsed = parse_module(source);
        let module = parsed.syntax().as_module().expect("a module");
        let Stmt::Expr(expr) = &module.body[0] else {
            panic!("an expression statement");
        };
        tagged_json(&expr.value)
    }

    #[test]
    fn literals_are_written_as_flask_writes_them() {
        assert_eq!(
            json_of(r#"{"b": 1, "a": [True, None, -2]}"#).as_deref(),
            Some(r#"{"a":[true,null,-2],"b":1}"#)
        );
        assert_eq!(json_of(r#"(1, "x")"#).as_deref(), Some(r#"{" t":[1,"x"]}"#));
        assert_eq!(
            json_of(r#""caf\u00e9 \"q\" \n 😀""#).as_deref(),
            Some(r#""caf\u00e9 \"q\" \n \ud83d\ude00""#)
        );
        assert_eq!(
            json_of(r#"{"a": 1, "a": 2}"#).as_deref(),
            Some(r#"{"a":2}"#)
        );
        assert_eq!(json_of("1.5"), None);
        assert_eq!(json_of("{1, 2}"), None);
        assert_eq!(json_of("x"), None);
    }
}
