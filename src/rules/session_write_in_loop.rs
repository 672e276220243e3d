//! FL102 session-write-in-loop: a session write inside the body of a `for`
//! or `while` loop, once per write.

use crate::analysis::checker::Checker;
use crate::analysis::session_ops::{UnitFacts, WriteKind};
use crate::rules::Rule;
use crate::rules::finding::Finding;

/// Checks one unit.
pub(crate) fn check(cx: &Checker, facts: &UnitFacts, findings: &mut Vec<Finding>) {
    let unit = facts.unit;
    for (write, in_loop) in &facts.writes {
        if !in_loop {
            continue;
        }
        let session = cx.text(write.session);
        let what = match write.kind {
            WriteKind::SetItem { key, .. } | WriteKind::AugmentedSetItem { key } => {
                format!("`{session}[{}]`", cx.text(key))
            }
            WriteKind::Update(_) => format!("`{session}.update(...)`"),
            WriteKind::SetDefault(_) => format!("`{session}.setdefault(...)`"),
        };
        let message = format!(
            "`{session}` is written inside a loop in `{}` ({what}); every iteration writes the session again",
            unit.name
        );
        // One key holding a collection, as the rule's doc recommends: a key
        // per item is the growth the rule is about.
        let help = format!(
            "Collect the values in a local `dict` or `list` inside the loop, then store it under one key after it: `{session}[\"items\"] = values`"
        );
        findings.push(Finding::new(Rule::SessionWriteInLoop, message, write.range).with_help(help));
    }
}
