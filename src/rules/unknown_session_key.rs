//! FL106 unknown-session-key: a literal key read that nothing writes (the
//! project, Flask, the extensions flasklint knows), when a key that is
//! written is a near miss of it: a typo that reads `None` or raises
//! `KeyError` every time.

use crate::analysis::checker::Checker;
use crate::analysis::session::Unit;
use crate::analysis::session_keys::{Access, Key, KeyUse, unit_key_uses};
use crate::analysis::session_ops::UnitFacts;
use ruff_text_size::{Ranged, TextRange};

use crate::project::{Project, owner_of, shown_write};
use crate::rules::Rule;
use crate::rules::finding::{Applicability, Edit, Finding, Fix};

/// Checks one unit.
pub(crate) fn check(cx: &Checker, facts: &UnitFacts, findings: &mut Vec<Finding>) {
    // Most files read only keys that are written: their text, as the
    // project's scan read it, says so without a walk of the code. In a
    // file that may read one, a function whose text quotes none of those
    // keys needs no walk either (the scan read them from plain literals).
    if let Some(unknown) = cx.project.keys().unknown_reads(cx.file)
        && !quotes_any(cx, facts.unit, unknown)
    {
        return;
    }
    for read in unit_key_uses(cx, facts.unit) {
        let (Access::Read, Key::Literal(key)) = (read.access, &read.key) else {
            continue;
        };
        // The file's own writes count too: the project's scan may not
        // have read this text (a file outside the root).
        let written_here = || {
            cx.file_keys()
                .get(key.as_str())
                .is_some_and(|here| here.first_write.is_some())
        };
        if let Some((near, written)) = near_miss(cx.project, key, written_here) {
            findings.push(finding(cx, &read, key, &near, &written));
        }
    }
}

/// Whether the unit's text holds one of `keys` in quotes.
fn quotes_any(cx: &Checker, unit: &Unit, keys: &[String]) -> bool {
    let (Some(first), Some(last)) = (unit.body.first(), unit.body.last()) else {
        return false;
    };
    let text = cx
        .text(&TextRange::new(first.start(), last.end()))
        .as_bytes();
    keys.iter().any(|key| {
        memchr::memmem::find_iter(text, key.as_bytes()).any(|at| {
            let before = at.checked_sub(1).map(|i| text[i]);
            let after = text.get(at + key.len()).copied();
            matches!(
                (before, after),
                (Some(b'"'), Some(b'"')) | (Some(b'\''), Some(b'\''))
            )
        })
    })
}

/// The written key that `key`, read, is a near miss of, and where it is
/// written, when nothing writes `key` itself.
pub(crate) fn near_miss(
    project: &Project,
    key: &str,
    written_here: impl FnOnce() -> bool,
) -> Option<(String, String)> {
    let keys = project.keys();
    if owner_of(key).is_some()
        || keys.first_write(key).is_some()
        || keys.prefix_covers(key)
        || written_here()
    {
        return None;
    }
    let near = keys.nearest_written(key)?;
    let written = match &near.first {
        Some(first) => format!("written in {}", shown_write(first, project.root())),
        None => format!("written by {}", owner_of(&near.key).unwrap_or("Flask")),
    };
    Some((near.key, written))
}

/// The fix that reads `near` instead: the key's literal with its quotes,
/// or a name (`session.usr_id` in a template) when `near` is one.
pub(crate) fn rename_fix(literal: &str, key: &str, near: &str, range: TextRange) -> Option<Fix> {
    let quote = literal.chars().next().filter(|q| matches!(q, '"' | '\''));
    let content = match quote {
        Some(q) if literal.len() == key.len() + 2 && !near.contains([q, '\\', '\n', '\r']) => {
            format!("{q}{near}{q}")
        }
        None if literal == key && is_identifier(near) => near.to_string(),
        _ => return None,
    };
    Some(Fix {
        applicability: Applicability::Unsafe,
        message: format!("Read \"{near}\" instead"),
        edits: vec![Edit::replace(range, content)],
    })
}

fn is_identifier(name: &str) -> bool {
    name.starts_with(|c: char| c.is_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// The finding at a read of `key`, with the access quoted as written.
pub(crate) fn unknown_key_finding(
    access: &str,
    place: &str,
    key: &str,
    near: &str,
    written: &str,
    key_range: TextRange,
    fix: Option<Fix>,
) -> Finding {
    let message = format!(
        "`{access}` is read in {place}, but nothing writes \"{key}\"; did you mean \"{near}\" ({written})?"
    );
    Finding::new(Rule::UnknownSessionKey, message, key_range)
        .with_help(format!(
            "Read the key that is written: \"{near}\"; or, if \"{key}\" is meant, write it somewhere"
        ))
        .with_fix(fix)
}

fn finding(cx: &Checker, read: &KeyUse, key: &str, near: &str, written: &str) -> Finding {
    let fix = rename_fix(cx.text(&read.key_range), key, near, read.key_range);
    let place = format!("`{}`", read.function);
    let access = cx.snippet(&read.expr_range);
    unknown_key_finding(&access, &place, key, near, written, read.key_range, fix)
}
