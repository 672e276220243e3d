//! FL106 unknown-session-key: a literal key read that nothing writes (the
//! project, Flask, the extensions flasklint knows), when a key that is
//! written is a near miss of it: a typo that reads `None` or raises
//! `KeyError` every time.

use crate::analysis::checker::Checker;
use crate::analysis::session_keys::{Access, Key, KeyUse, unit_key_uses};
use crate::analysis::session_ops::UnitFacts;
use crate::project::{owner_of, shown_write};
use crate::rules::Rule;
use crate::rules::finding::{Applicability, Edit, Finding, Fix};

/// Checks one unit.
pub(crate) fn check(cx: &Checker, facts: &UnitFacts, findings: &mut Vec<Finding>) {
    for read in unit_key_uses(cx, facts.unit) {
        let (Access::Read, Key::Literal(key)) = (read.access, &read.key) else {
            continue;
        };
        let keys = cx.project.keys();
        if owner_of(key).is_some() || keys.first_write(key).is_some() || keys.prefix_covers(key) {
            continue;
        }
        // The file's own writes count too: the project's scan may not
        // have read this text (a file outside the root).
        let written_here = cx.file_keys().get(key.as_str());
        if written_here.is_some_and(|here| here.first_write.is_some()) {
            continue;
        }
        if let Some(near) = keys.nearest_written(key) {
            let written = match &near.first {
                Some(first) => format!("written in {}", shown_write(first, cx.project.root())),
                None => format!("written by {}", owner_of(&near.key).unwrap_or("Flask")),
            };
            findings.push(finding(cx, &read, key, &near.key, &written));
        }
    }
}

fn finding(cx: &Checker, read: &KeyUse, key: &str, near: &str, written: &str) -> Finding {
    let message = format!(
        "`{}` is read in `{}`, but nothing writes \"{key}\"; did you mean \"{near}\" ({written})?",
        cx.snippet(&read.expr_range),
        read.function
    );
    let literal = cx.text(&read.key_range);
    let quote = literal.chars().next().filter(|q| matches!(q, '"' | '\''));
    let fix = quote
        .filter(|q| literal.len() == key.len() + 2 && !near.contains([*q, '\\', '\n', '\r']))
        .map(|q| Fix {
            applicability: Applicability::Unsafe,
            message: format!("Read \"{near}\" instead"),
            edits: vec![Edit::replace(read.key_range, format!("{q}{near}{q}"))],
        });
    Finding::new(Rule::UnknownSessionKey, message, read.key_range)
        .with_help(format!(
            "Read the key that is written: \"{near}\"; or, if \"{key}\" is meant, write it somewhere"
        ))
        .with_fix(fix)
}
