//! The session keys a Jinja template reads and writes (section 8 of the
//! contract): `session.k`, `session["k"]`, `session.get("k")`,
//! `"k" in session` and `session.pop("k")` read; `session.update(...)` and
//! `session.setdefault("k", ...)` write. Only code inside `{{ }}` and
//! `{% %}` counts.

use ruff_text_size::TextRange;

use crate::analysis::session_keys::{Access, Key};
use crate::input::jinja::{Located, Token, tokens};
use crate::input::source::offset;
use crate::project::Project;

/// One key access in a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TemplateKeyUse {
    pub(crate) key: Key,
    pub(crate) access: Access,
    /// The key's text: the name after `session.`, or the string literal.
    pub(crate) range: TextRange,
    /// The whole access: `session.k`, `session.get("k")`, `"k" in session`.
    pub(crate) expr: TextRange,
    /// Whether it is written as an attribute (`session.k`): Jinja looks
    /// for an attribute of the session object first, so under a session
    /// class that has one of that name (the project's, see
    /// `Project::is_session_attribute`) it reads no key.
    pub(crate) attribute: bool,
}

impl TemplateKeyUse {
    /// Whether it reads no key: `session.x` where `x` is an attribute of
    /// the project's session object.
    pub(crate) fn is_session_attribute(&self, project: &Project) -> bool {
        matches!(&self.key, Key::Literal(key) if self.attribute && project.is_session_attribute(key))
    }
}

/// What a template does with the session.
#[derive(Debug, Default)]
pub(crate) struct TemplateKeys {
    pub(crate) uses: Vec<TemplateKeyUse>,
    /// Whether it reads the session as a whole (`{% for k in session %}`,
    /// `session|tojson`, `session.items()`, `session` passed to a call) or
    /// with a computed key.
    pub(crate) reads_whole: bool,
}

/// The session methods a template may call; any other name after
/// `session.` is a key.
const METHODS: [&str; 9] = [
    "get",
    "pop",
    "setdefault",
    "update",
    "items",
    "keys",
    "values",
    "copy",
    "clear",
];

/// Attributes every Flask session object has (`SessionMixin`'s): Jinja
/// finds them before any key, so `session.permanent` is the flag, not the
/// key "permanent".
const MIXIN_ATTRIBUTES: [&str; 4] = ["permanent", "new", "modified", "accessed"];

/// The key accesses of a template's text.
pub(crate) fn template_keys(text: &str) -> TemplateKeys {
    let tokens = tokens(text);
    let mut keys = TemplateKeys::default();
    let mut tag_start = 0;
    for (index, located) in tokens.iter().enumerate() {
        if located.token == Token::End {
            tag_start = index + 1;
            continue;
        }
        let token = |offset: usize| tokens.get(index + offset).map(|t| t.token);
        let before = index
            .checked_sub(1)
            .and_then(|i| tokens.get(i))
            .map(|t| t.token);
        match located.token {
            Token::Name("session") if before != Some(Token::Punct(b'.')) => {
                session_access(&tokens, index, tag_start, &mut keys);
            }
            // `"k" in session`, `"k" not in session`.
            Token::Str(key) => {
                let session = match (token(1), token(2), token(3)) {
                    (Some(Token::Name("in")), Some(Token::Name("session")), _) => Some(index + 2),
                    (
                        Some(Token::Name("not")),
                        Some(Token::Name("in")),
                        Some(Token::Name("session")),
                    ) => Some(index + 3),
                    _ => None,
                };
                if let Some(session) = session {
                    let expr = span(located, &tokens[session]);
                    keys.uses.push(literal(key, located, expr, Access::Read));
                }
            }
            _ => {}
        }
    }
    keys
}

/// What the code does with the `session` at `tokens[index]`.
fn session_access(tokens: &[Located], index: usize, tag_start: usize, keys: &mut TemplateKeys) {
    let token = |offset: usize| tokens.get(index + offset).map(|t| t.token);
    let before = index
        .checked_sub(1)
        .and_then(|i| tokens.get(i))
        .map(|t| t.token);
    match (token(1), token(2)) {
        (Some(Token::Punct(b'.')), Some(Token::Name(name))) if MIXIN_ATTRIBUTES.contains(&name) => {
        }
        (Some(Token::Punct(b'.')), Some(Token::Name(name))) if !METHODS.contains(&name) => {
            let located = &tokens[index + 2];
            let expr = span(&tokens[index], located);
            keys.uses.push(TemplateKeyUse {
                attribute: true,
                ..literal(name, located, expr, Access::Read)
            });
        }
        (Some(Token::Punct(b'.')), Some(Token::Name(method))) => {
            let argument = tokens.get(index + 4);
            let first = match (token(3), argument.map(|t| t.token)) {
                (Some(Token::Punct(b'(')), Some(Token::Str(key))) => argument.map(|a| (key, a)),
                _ => None,
            };
            // Through the `)` after the key, when the call has one argument.
            let call_end = match tokens.get(index + 5) {
                Some(close) if close.token == Token::Punct(b')') => Some(close),
                _ => argument,
            };
            let expr = call_end.map_or(range(&tokens[index]), |end| span(&tokens[index], end));
            match (method, first) {
                ("get" | "pop", Some((key, at))) => {
                    keys.uses.push(literal(key, at, expr, Access::Read));
                }
                ("setdefault", Some((key, at))) => {
                    keys.uses.push(literal(key, at, expr, Access::Write));
                }
                ("update", _) => update_writes(tokens, index + 3, keys),
                ("items" | "keys" | "values" | "copy", _) => keys.reads_whole = true,
                _ => {}
            }
        }
        (Some(Token::Punct(b'[')), Some(Token::Str(key))) => {
            let located = &tokens[index + 2];
            let end = match tokens.get(index + 3) {
                Some(close) if close.token == Token::Punct(b']') => close,
                _ => located,
            };
            let expr = span(&tokens[index], end);
            keys.uses.push(literal(key, located, expr, Access::Read));
        }
        // A computed key may be any key.
        (Some(Token::Punct(b'[')), _) => keys.reads_whole = true,
        // `session|tojson`, or any filter over the whole session.
        (Some(Token::Punct(b'|')), _) => keys.reads_whole = true,
        // `session` passed to a call: `f(session)`, `f(x, session)`.
        (Some(Token::Punct(b')' | b',')), _)
            if matches!(before, Some(Token::Punct(b'(' | b','))) =>
        {
            keys.reads_whole = true;
        }
        // `{% for k in session %}`.
        _ if before == Some(Token::Name("in"))
            && tokens.get(tag_start).map(|t| t.token) == Some(Token::Name("for")) =>
        {
            keys.reads_whole = true;
        }
        _ => {}
    }
}

/// The keys `session.update(...)` writes: keyword arguments and the string
/// keys of a dict display in its parentheses (from `open`, the `(`).
fn update_writes(tokens: &[Located], open: usize, keys: &mut TemplateKeys) {
    if tokens.get(open).map(|t| t.token) != Some(Token::Punct(b'(')) {
        return;
    }
    let mut depth = 0usize;
    for (offset, located) in tokens[open..].iter().enumerate() {
        let next = tokens.get(open + offset + 1).map(|t| t.token);
        match located.token {
            Token::Punct(b'(' | b'[' | b'{') => depth += 1,
            Token::Punct(b')' | b']' | b'}') => {
                depth -= 1;
                if depth == 0 {
                    return;
                }
            }
            Token::End => return,
            Token::Name(name) if depth == 1 && next == Some(Token::Punct(b'=')) => {
                keys.uses
                    .push(literal(name, located, range(located), Access::Write));
            }
            Token::Str(key) if depth == 2 && next == Some(Token::Punct(b':')) => {
                keys.uses
                    .push(literal(key, located, range(located), Access::Write));
            }
            _ => {}
        }
    }
}

fn literal(key: &str, located: &Located, expr: TextRange, access: Access) -> TemplateKeyUse {
    TemplateKeyUse {
        key: Key::Literal(key.to_string()),
        access,
        range: range(located),
        expr,
        attribute: false,
    }
}

fn range(located: &Located) -> TextRange {
    TextRange::new(offset(located.at), offset(located.end))
}

/// From the start of one token to the end of another.
fn span(first: &Located, last: &Located) -> TextRange {
    TextRange::new(offset(first.at), offset(last.end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uses(text: &str) -> (Vec<(String, Access)>, bool) {
        let keys = template_keys(text);
        let uses = keys
            .uses
            .into_iter()
            .map(|u| match u.key {
                Key::Literal(k) => (k, u.access),
                other => (format!("{other:?}"), u.access),
            })
            .collect();
        (uses, keys.reads_whole)
    }

    #[test]
    fn every_read_and_write_form() {
        let text = r#"<p>Hello {{ session.name }}</p>
{# {{ session.commented }} #}
{% if "cart" in session and 'x' not in session %}{{ session['theme'] }}{% endif %}
{{ session.get("lang", "en") }} {{ session.pop('once') }}
{% do session.update({"a": 1}, b=2) %}{% set _ = session.setdefault("c", 0) %}
session.text_is_not_code"#;
        let (found, whole) = uses(text);
        let read = |k: &str| (k.to_string(), Access::Read);
        let write = |k: &str| (k.to_string(), Access::Write);
        assert_eq!(
            found,
            [
                read("name"),
                read("cart"),
                read("x"),
                read("theme"),
                read("lang"),
                read("once"),
                write("a"),
                write("b"),
                write("c")
            ]
        );
        assert!(!whole);
    }

    #[test]
    fn the_session_objects_own_attributes_are_no_keys() {
        let keys = template_keys(
            "{% if session.permanent and session.modified %}{{ session.new }}{{ session.accessed }}{% endif %}{{ session.lang }}{{ session['user'] }}",
        );
        let found: Vec<(&Key, bool)> = keys.uses.iter().map(|u| (&u.key, u.attribute)).collect();
        assert_eq!(
            found,
            [
                (&Key::Literal("lang".into()), true),
                (&Key::Literal("user".into()), false)
            ]
        );
        assert!(!keys.reads_whole);
    }

    #[test]
    fn whole_session_reads() {
        assert!(uses("{% for key in session %}{{ key }}{% endfor %}").1);
        assert!(uses("{{ session|tojson }}").1);
        assert!(uses("{{ session.items() }}").1);
        assert!(uses("{{ debug(session) }}").1);
        assert!(uses("{{ session[name] }}").1);
        assert!(!uses("{% if 'a' in session %}{% endif %}").1);
    }
}
