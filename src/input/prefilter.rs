//! The first gate of the per-file pipeline: can this file use the Flask
//! session at all? Only a file that names both a module that exports the
//! session (`flask`, or the module of a `session-names` entry) as a whole
//! word, and the session's own name (`session`), can; every other file is
//! read but not parsed. This is what makes flasklint fast on a monorepo
//! where most files never touch the session; `--no-prefilter` turns it off
//! (for FL002 on every file).

use memchr::memmem;

/// The words a file must contain to be parsed.
#[derive(Debug, Clone)]
pub struct Prefilter {
    /// (module, name) pairs: a file must contain both, the module as a
    /// whole word.
    pairs: Vec<(String, String)>,
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
        Self { pairs }
    }

    /// Whether `text` may use the session and must be parsed.
    pub(crate) fn may_use_session(&self, text: &[u8]) -> bool {
        self.pairs.iter().any(|(module, name)| {
            contains_word(text, module.as_bytes()) && memmem::find(text, name.as_bytes()).is_some()
        })
    }
}

/// Whether `word` occurs in `text` with no identifier character on either
/// side (so `flask` is found in `from flask import`, not in `flask_login`).
fn contains_word(text: &[u8], word: &[u8]) -> bool {
    let is_ident = |byte: u8| byte.is_ascii_alphanumeric() || byte == b'_' || byte >= 0x80;
    memmem::find_iter(text, word).any(|at| {
        let before = at.checked_sub(1).map(|i| text[i]);
        let after = text.get(at + word.len()).copied();
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
}
