//! What flasklint knows of Flask itself: the names under which it exports
//! the session. Every stage may read these; this module reads nothing.

/// Qualified names that are the Flask session.
pub(crate) const FLASK_SESSION: &[&str] = &["flask.session", "flask.globals.session"];

/// Calls that always write the session, so that an in-place change made in
/// the same request is saved with it: `flash` writes `_flashes`; Flask-Login
/// and Flask-Principal store the user in the session.
pub(crate) const MARKING_CALLS: &[&str] = &[
    "flask.flash",
    "flask.helpers.flash",
    "flask_login.login_user",
    "flask_login.logout_user",
    "flask_login.confirm_login",
    "flask_login.utils.login_user",
    "flask_login.utils.logout_user",
    "flask_login.utils.confirm_login",
    "flask_principal.identity_changed.send",
];

/// The attributes a session is used through, besides subscripts: a name
/// used so may be a re-export of the session.
pub(crate) const SESSION_MEMBERS: &[&str] = &[
    "get",
    "pop",
    "setdefault",
    "update",
    "clear",
    "popitem",
    "modified",
    "permanent",
];
