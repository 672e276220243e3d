//! FL105 unmarked-session-mutation: an in-place change of a value held in
//! the session, in a function that neither sets `session.modified = True`
//! nor writes the session itself. Flask only saves a session it saw
//! change, so the change is lost.

use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::{Checker, Unit, for_each_stmt};
use crate::finding::{Applicability, Edit, Finding, Fix};
use crate::rules::Rule;
use crate::session_ops::{LocalBindings, Mutation, marks_modified, mutations_in_stmt};

/// Checks one unit.
pub fn check(cx: &Checker, unit: &Unit, findings: &mut Vec<Finding>) {
    let locals = LocalBindings::of(unit);
    let mut marked = false;
    let mut mutations = Vec::new();
    for_each_stmt(unit.body, &mut |stmt, _| {
        marked |= marks_modified(cx, unit, stmt);
        mutations.extend(mutations_in_stmt(cx, unit, &locals, stmt));
    });
    if marked {
        return;
    }
    for mutation in mutations {
        findings.push(finding(cx, unit, &mutation));
    }
}

fn finding(cx: &Checker, unit: &Unit, mutation: &Mutation) -> Finding {
    let session = cx.text(mutation.value.session);
    let read = cx.text(mutation.value.read);
    let changed = cx.text(mutation.changed);
    // Name the session read behind a local alias; a direct chain names itself.
    let what = match mutation.changed {
        Expr::Name(_) => format!("`{changed}` (from `{read}`)"),
        _ => format!("`{changed}`"),
    };
    let message = format!(
        "{what} is changed in place ({}) but `{}` never sets `{session}.modified = True`; Flask does not see the change and drops it",
        mutation.how, unit.name
    );
    let help = format!("Add `{session}.modified = True` after the change");
    Finding::new(Rule::UnmarkedSessionMutation, message, mutation.range)
        .with_help(help)
        .with_fix(fix(cx, session, mutation.stmt))
}

/// Inserts `session.modified = True` after the mutating statement: on a
/// line of its own at the statement's indentation, or after `; ` when the
/// statement shares its line (a one-line suite). Statements that leave the
/// function or open a block get no fix.
fn fix(cx: &Checker, session: &str, stmt: &Stmt) -> Option<Fix> {
    if !matches!(
        stmt,
        Stmt::Expr(_) | Stmt::Assign(_) | Stmt::AugAssign(_) | Stmt::AnnAssign(_) | Stmt::Delete(_)
    ) {
        return None;
    }
    let marker = format!("{session}.modified = True");
    let edit = match cx.indentation(stmt) {
        Some(indent) if !shares_line_after(cx, stmt) => {
            let at = cx.line_end(stmt.end());
            Edit::insert(at, format!("{}{indent}{marker}", cx.line_ending()))
        }
        _ => Edit::insert(stmt.end(), format!("; {marker}")),
    };
    Some(Fix {
        applicability: Applicability::Safe,
        message: format!("Set `{marker}` after the change"),
        edits: vec![edit],
    })
}

/// Whether code other than a comment follows the statement on its last line.
fn shares_line_after(cx: &Checker, stmt: &Stmt) -> bool {
    let rest = &cx.source[TextRange::new(stmt.end(), cx.line_end(stmt.end())).to_std_range()];
    let rest = rest.trim_start();
    !(rest.is_empty() || rest.starts_with('#'))
}
