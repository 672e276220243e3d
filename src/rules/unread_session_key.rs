//! FL107 unread-session-key: a literal key written that nothing reads (the
//! project's code, its templates, Flask and the extensions flasklint
//! knows), in a project that never reads the session as a whole. With
//! Flask's cookie session, the browser sends it back with every request
//! for nothing.

use crate::analysis::checker::Checker;
use crate::analysis::session_keys::{Access, Key, unit_key_uses};
use crate::analysis::session_ops::UnitFacts;
use crate::project::owner_of;
use crate::rules::Rule;
use crate::rules::finding::Finding;

/// Checks one unit: each unread key once, at its first write in the file
/// that writes it first.
pub(crate) fn check(cx: &Checker, facts: &UnitFacts, findings: &mut Vec<Finding>) {
    let keys = cx.project.keys();
    if keys.reads_whole() {
        return;
    }
    for write in unit_key_uses(cx, facts.unit) {
        let (Access::Write, Key::Literal(key)) = (write.access, &write.key) else {
            continue;
        };
        if owner_of(key).is_some() || keys.is_read(key) {
            continue;
        }
        // The first file to write it reports it (another file may be first).
        if let (Some(first), Some(file)) = (keys.first_write(key), cx.file)
            && first.path != file
        {
            continue;
        }
        let here = cx
            .file_keys()
            .get(key.as_str())
            .copied()
            .unwrap_or_default();
        if here.read || here.first_write != Some(write.at) {
            continue;
        }
        let backend = cx.backend();
        let cost = if backend.in_cookie == Some(true) {
            "the browser sends it back in the session cookie with every request"
        } else {
            "the session store keeps it for every user"
        };
        let message = format!(
            "\"{key}\" is written to the session in `{}`, but nothing reads it; {cost}",
            write.function
        );
        findings.push(
            Finding::new(Rule::UnreadSessionKey, message, write.key_range).with_help(format!(
                "Remove the write, or read \"{key}\" where it is needed"
            )),
        );
    }
}
