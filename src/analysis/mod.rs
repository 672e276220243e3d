//! What a file does with the session: which names are the session in each
//! scope, the writes, reads and in-place changes of each unit, and the
//! context every rule sees.

pub(crate) mod checker;
pub(crate) mod fast_hash;
pub(crate) mod paths;
pub(crate) mod session;
pub(crate) mod session_keys;
pub(crate) mod session_ops;
pub(crate) mod template_keys;
