//! What flasklint knows of Flask itself: the names under which it exports
//! the session. Every stage may read these; this module reads nothing.

/// Qualified names that are the Flask session.
pub(crate) const FLASK_SESSION: &[&str] = &["flask.session", "flask.globals.session"];
