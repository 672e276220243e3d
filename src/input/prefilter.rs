//! The first gate of the per-file pipeline: can this file use the Flask
//! session at all? Only a file that names both a module that exports the
//! session (`flask`, or the module of a `session-names` entry) as a whole
//! word, and the session's own name (`session`), can; every other file is
//! read but not parsed. This is what makes flasklint fast on a monorepo
//! where most files never touch the session; `--no-prefilter` turns it off
//! (for FL002 on every file).
//!
//! A file that names neither may still reach the session through a module
//! of the project (`from .compat import s`, then `s["a"] = 1`). For that,
//! [`from_imports`] and [`used_as_session`] read its imports and their uses
//! from the text; the project then says which modules are its own.

use std::sync::LazyLock;

use memchr::memmem;

use crate::flask::SESSION_MEMBERS;

/// The words a file must contain to be parsed.
#[derive(Debug, Clone)]
pub struct Prefilter {
    /// (module, name) pairs: a file must contain both, the module as a
    /// whole word. Their finders are built once: every file is asked.
    pairs: Vec<(memmem::Finder<'static>, memmem::Finder<'static>)>,
}

impl Prefilter {
    /// The gate for these qualified session names (`flask.session`, ...).
    pub(crate) fn new<'a>(session_names: impl IntoIterator<Item = &'a str>) -> Self {
        let mut pairs: Vec<(String, String)> = session_names
            .into_iter()
            .filter_map(|qualified| {
                let module = qualified.split('.').next()?;
                let name = qualified.rsplit('.').next()?;
                Some((module.to_string(), name.to_string()))
            })
            .collect();
        pairs.sort();
        pairs.dedup();
        let pairs = pairs
            .iter()
            .map(|(module, name)| {
                (
                    memmem::Finder::new(module).into_owned(),
                    memmem::Finder::new(name).into_owned(),
                )
            })
            .collect();
        Self { pairs }
    }

    /// Whether `text` may use the session and must be parsed.
    pub(crate) fn may_use_session(&self, text: &[u8]) -> bool {
        self.pairs
            .iter()
            .any(|(module, name)| contains_word(text, module) && name.find(text).is_some())
    }
}

pub(crate) fn is_ident(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte >= 0x80
}

/// The import statements of a text, read without parsing: for each one
/// that starts a line, the module as written (`.compat`, `myapp.compat`)
/// and the local names it binds (`as` names; `myapp` for `import
/// myapp.compat`; `*`), over continuation lines in parentheses.
///
/// Every import statement holds `import `, so the text is searched once,
/// for that, and the line before it says which kind it is.
pub(crate) fn imports(text: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    static IMPORT: LazyLock<memmem::Finder<'static>> =
        LazyLock::new(|| memmem::Finder::new("import "));
    IMPORT
        .find_iter(text)
        .filter_map(move |at| {
            let line_start = text[..at]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let line_end = memchr::memchr(b'\n', &text[at..]).map_or(text.len(), |i| at + i);
            let names_start = at + b"import ".len();
            let before = text[line_start..at].trim_ascii_start();
            // `from <module> import`, the line's first ` import `; else a
            // plain `import` that starts the line.
            let (from, names_end) = if before.is_empty() {
                (None, line_end)
            } else {
                let rest = before.strip_prefix(b"from ")?;
                let module = rest.strip_suffix(b" ")?;
                if memmem::find(rest, b" import ").is_some() {
                    return None;
                }
                let names_end = match text[names_start..line_end].trim_ascii_start().first() {
                    Some(b'(') => memchr::memchr(b')', &text[names_start..])
                        .map_or(text.len(), |i| names_start + i),
                    _ => line_end,
                };
                (Some(module.trim_ascii()), names_end)
            };
            Some(
                aliases(&text[names_start..names_end]).map(move |(name, local)| match from {
                    Some(module) => (module, local),
                    None => {
                        let head = local.split(|&b| b == b'.').next().unwrap_or(local);
                        (name, if name == local { head } else { local })
                    }
                }),
            )
        })
        .flatten()
}

/// The `name [as local]` items of an import list, as (name, local). An
/// item is on one line, so that a comment ends at the line's end.
fn aliases(list: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    let mut in_comment = false;
    list.split(move |&b| {
        match b {
            b'#' => in_comment = true,
            b'\n' => in_comment = false,
            _ => {}
        }
        b == b'\n' || (b == b',' && !in_comment)
    })
    .filter_map(|alias| {
        let alias = alias.split(|&b| b == b'#').next().unwrap_or_default();
        let alias = alias.trim_ascii();
        let alias = alias.strip_prefix(b"(").unwrap_or(alias).trim_ascii();
        let name = alias.split(|b| b.is_ascii_whitespace()).next()?;
        let local = alias.rsplit(|b| b.is_ascii_whitespace()).next()?;
        let valid = |word: &[u8]| {
            word == b"*" || (!word.is_empty() && word.iter().all(|&b| is_ident(b) || b == b'.'))
        };
        (valid(name) && valid(local)).then_some((name, local))
    })
}

/// Whether `name` is used in `text` as the session is: subscripted
/// (`name[...]`, `name.compat.session[...]`) or through one of the
/// session's own methods (`name.get(...)`, `name.modified`).
pub(crate) fn used_as_session(text: &[u8], name: &[u8]) -> bool {
    memmem::find_iter(text, name).any(|at| {
        if at
            .checked_sub(1)
            .is_some_and(|i| is_ident(text[i]) || text[i] == b'.')
        {
            return false;
        }
        let mut after = &text[at + name.len()..];
        loop {
            match after.first() {
                Some(b'[') => return true,
                Some(b'.') => {
                    let segment = after[1..].iter().take_while(|&&b| is_ident(b)).count();
                    let member = &after[1..1 + segment];
                    if segment == 0 {
                        return false;
                    }
                    if SESSION_MEMBERS.iter().any(|m| m.as_bytes() == member) {
                        return true;
                    }
                    after = &after[1 + segment..];
                }
                _ => return false,
            }
        }
    })
}

/// Whether `word` occurs in `text` with no identifier character on either
/// side (so `flask` is found in `from flask import`, not in `flask_login`).
pub(crate) fn contains_word(text: &[u8], word: &memmem::Finder<'_>) -> bool {
    let length = word.needle().len();
    word.find_iter(text).any(|at| {
        let before = at.checked_sub(1).map(|i| text[i]);
        let after = text.get(at + length).copied();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(text: &str) -> bool {
        Prefilter::new([
            "flask.session",
            "flask.globals.session",
            "myapp.compat.sess",
        ])
        .may_use_session(text.as_bytes())
    }

    #[test]
    fn files_that_can_use_the_session_pass() {
        assert!(gate("from flask import session\n"));
        assert!(gate("import flask\nflask.session['a'] = 1\n"));
        assert!(gate("from flask import *\nsession['a'] = 1\n"));
        assert!(gate("from myapp.compat import sess as s\n"));
    }

    #[test]
    fn files_that_cannot_are_skipped() {
        assert!(!gate("from app import db\ndb.session.add(x)\n"));
        assert!(!gate(
            "from flask_sqlalchemy import SQLAlchemy\ndb.session.commit()\n"
        ));
        assert!(!gate("import flask\napp = flask.Flask(__name__)\n"));
        assert!(!gate(""));
    }

    #[test]
    fn imports_are_read_from_the_text() {
        let text = b"from .compat import store, state as st\nfrom shop import (\n    a,  # first\n    b as c,\n)\nimport shop.compat\nimport x.y as z, w\nfrom m import *\n    from inner import q\nx = 1  # from here import nothing\nfrom importlib import import_module\ny = 2; import os\n";
        let found: Vec<(&[u8], &[u8])> = imports(text).collect();
        let expected: Vec<(&[u8], &[u8])> = vec![
            (b".compat", b"store"),
            (b".compat", b"st"),
            (b"shop", b"a"),
            (b"shop", b"c"),
            (b"shop.compat", b"shop"),
            (b"x.y", b"z"),
            (b"w", b"w"),
            (b"m", b"*"),
            (b"inner", b"q"),
            (b"importlib", b"import_module"),
        ];
        assert_eq!(found, expected);
    }

    #[test]
    fn uses_as_a_session_are_subscripts_and_session_members() {
        assert!(used_as_session(b"s['a'] = 1", b"s"));
        assert!(used_as_session(b"x = s.get('a')", b"s"));
        assert!(used_as_session(b"shop.compat.session['a']", b"shop"));
        assert!(used_as_session(b"c.session.modified = True", b"c"));
        assert!(!used_as_session(b"s.items()", b"s"));
        assert!(!used_as_session(b"xs['a']", b"s"));
        assert!(!used_as_session(b"obj.s['a']", b"s"));
        assert!(!used_as_session(b"s.getter", b"s"));
    }
}
