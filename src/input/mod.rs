//! Getting the text of each file: discovery, safe reading, the prefilter
//! that skips files that cannot use the session, the nesting guard, and
//! the source text with its line index, and the tokens of Jinja templates.

pub(crate) mod discover;
pub(crate) mod jinja;
pub(crate) mod nesting;
pub(crate) mod prefilter;
pub(crate) mod read;
pub(crate) mod source;
pub(crate) mod walk;
