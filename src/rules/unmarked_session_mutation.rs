//! FL105 unmarked-session-mutation: an in-place change of a value held in
//! the session, in a function that neither sets `session.modified = True`
//! nor writes the session itself. Flask only saves a session it saw
//! change, so the change is lost.
//!
//! The fix sets `session.modified = True` as few times as it can while
//! still covering every path. Flask reads the flag once, when it saves the
//! session after the view returns, so one assignment anywhere on a path
//! covers every change on that path, before or after it. The statements of
//! a block are cut into runs at the statements that can leave the block
//! (`return`, `raise`, and `break`/`continue` of an enclosing loop); every
//! path that enters a run goes through all of it, so one assignment per run
//! that has changes suffices: after the last statement with a change, or,
//! when the change is in the statement that leaves (`return
//! session["h"].pop()`), just before that statement.

use std::collections::HashMap;

use ruff_python_ast::statement_visitor::{StatementVisitor, walk_stmt};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::{Checker, Unit, for_each_child_block, is_compound};
use crate::finding::{Applicability, Edit, Finding, Fix};
use crate::rules::Rule;
use crate::session_ops::{Mutation, UnitFacts};

/// Checks one unit.
pub fn check(cx: &Checker, facts: &UnitFacts, findings: &mut Vec<Finding>) {
    let unit = facts.unit;
    let mutations = &facts.mutations;
    if facts.marks_modified || mutations.is_empty() {
        return;
    }
    let mut by_start: Vec<usize> = (0..mutations.len()).collect();
    by_start.sort_by_key(|&index| mutations[index].stmt.start());
    let mut planner = Planner {
        cx,
        mutations,
        by_start,
        markers: HashMap::new(),
    };
    planner.plan_block(unit.body);
    for (index, mutation) in mutations.iter().enumerate() {
        let fix = planner.markers.get(&index).map(|edit| Fix {
            applicability: Applicability::Safe,
            message: format!("Set `{}.modified = True`", cx.text(mutation.value.session)),
            edits: vec![edit.clone()],
        });
        findings.push(finding(cx, unit, mutation).with_fix(fix));
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
    Finding::new(Rule::UnmarkedSessionMutation, message, mutation.range).with_help(help)
}

/// Where one `session.modified = True` goes.
#[derive(Debug, Clone, Copy)]
enum Anchor<'a> {
    After(&'a Stmt),
    Before(&'a Stmt),
}

/// Chooses the marker that covers each mutation, by index.
struct Planner<'c, 'a> {
    cx: &'c Checker<'c>,
    mutations: &'c [Mutation<'a>],
    /// Indices of `mutations` by where their statements start, to find
    /// those inside a statement without a scan per statement.
    by_start: Vec<usize>,
    markers: HashMap<usize, Edit>,
}

impl<'a> Planner<'_, 'a> {
    fn plan_block(&mut self, block: &'a [Stmt]) {
        let mut run: Vec<usize> = Vec::new();
        let mut anchor: Option<Anchor<'a>> = None;
        for stmt in block {
            let own = self.mutations_in(stmt, false);
            if leaves_block(stmt) {
                // Changes in the leaving statement itself run before it leaves.
                run.extend(own);
                if !run.is_empty() {
                    self.cover(&run, anchor.unwrap_or(Anchor::Before(stmt)));
                }
                run.clear();
                anchor = None;
                for_each_child_block(stmt, &mut |child, _| self.plan_block(child));
                continue;
            }
            let nested = self.mutations_in(stmt, true);
            if !nested.is_empty() {
                run.extend(nested);
                anchor = Some(Anchor::After(stmt));
            }
        }
        if let Some(anchor) = anchor {
            self.cover(&run, anchor);
        }
    }

    /// The mutations of `stmt`'s own expressions, or (`nested`) of all the
    /// statements inside it too.
    fn mutations_in(&self, stmt: &Stmt, nested: bool) -> Vec<usize> {
        // Statements nest or are apart: those inside `stmt` start in it.
        let range = stmt.range();
        let start_of = |index: &usize| self.mutations[*index].stmt.start();
        let from = self
            .by_start
            .partition_point(|i| start_of(i) < range.start());
        let to = self.by_start.partition_point(|i| start_of(i) < range.end());
        let mut inside: Vec<usize> = self.by_start[from..to]
            .iter()
            .copied()
            .filter(|&index| nested || std::ptr::eq(self.mutations[index].stmt, stmt))
            .collect();
        inside.sort_unstable();
        inside
    }

    fn cover(&mut self, run: &[usize], anchor: Anchor) {
        let Some(first) = run.first() else { return };
        let session = self.cx.text(self.mutations[*first].value.session);
        let Some(edit) = marker(self.cx, session, anchor) else {
            return;
        };
        for index in run {
            self.markers.insert(*index, edit.clone());
        }
    }
}

/// The edit that puts `session.modified = True` at `anchor`: on a line of
/// its own at the statement's indentation, or joined with `; ` when the
/// statement shares its line (a one-line suite).
fn marker(cx: &Checker, session: &str, anchor: Anchor) -> Option<Edit> {
    let marker = format!("{session}.modified = True");
    Some(match anchor {
        Anchor::After(stmt) => match cx.indentation(stmt) {
            Some(indent) if !shares_line_after(cx, stmt) => Edit::insert(
                cx.line_end(stmt.end()),
                format!("{}{indent}{marker}", cx.line_ending()),
            ),
            // A compound statement always starts its own line, so this is
            // a simple statement sharing its line: `if x: a.append(1)`.
            _ if is_compound(stmt) => return None,
            _ => Edit::insert(stmt.end(), format!("; {marker}")),
        },
        Anchor::Before(stmt) => match cx.indentation(stmt) {
            Some(indent) => {
                let line_start = stmt.start() - ruff_text_size::TextSize::of(indent);
                Edit::insert(line_start, format!("{indent}{marker}{}", cx.line_ending()))
            }
            None => Edit::insert(stmt.start(), format!("{marker}; ")),
        },
    })
}

/// Whether code other than a comment follows the statement on its last line.
fn shares_line_after(cx: &Checker, stmt: &Stmt) -> bool {
    let rest = &cx.source[TextRange::new(stmt.end(), cx.line_end(stmt.end())).to_std_range()];
    let rest = rest.trim_start();
    !(rest.is_empty() || rest.starts_with('#'))
}

/// Whether control can leave the block containing `stmt` from inside it:
/// a `return` or `raise` anywhere in it, or a `break` or `continue` that is
/// not inside a loop within it (nested functions and classes aside).
fn leaves_block(stmt: &Stmt) -> bool {
    struct Exits {
        loops: usize,
        found: bool,
    }
    impl<'a> StatementVisitor<'a> for Exits {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::Return(_) | Stmt::Raise(_) => self.found = true,
                Stmt::Break(_) | Stmt::Continue(_) if self.loops == 0 => self.found = true,
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                // A loop's `break` and `continue` stay inside it; its `else`
                // is outside.
                Stmt::For(ast::StmtFor { body, orelse, .. })
                | Stmt::While(ast::StmtWhile { body, orelse, .. }) => {
                    self.loops += 1;
                    self.visit_body(body);
                    self.loops -= 1;
                    self.visit_body(orelse);
                }
                _ => walk_stmt(self, stmt),
            }
        }
    }
    let mut exits = Exits {
        loops: 0,
        found: false,
    };
    exits.visit_stmt(stmt);
    exits.found
}
