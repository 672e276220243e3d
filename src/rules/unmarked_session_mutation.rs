//! FL105 unmarked-session-mutation: an in-place change of a value held in
//! the session, in a function that neither sets `session.modified = True`
//! nor writes the session itself; or a change of a value that may be a
//! default never stored (`cart = session.get("cart", [])`), in a function
//! that does not store it. Flask only saves a session it saw change, and
//! never a default it handed out, so the change is lost.
//!
//! The fix for a stored value sets `session.modified = True` as few times
//! as it can while still covering every path. Flask reads the flag once,
//! when it saves the session after the view returns, so one assignment
//! anywhere on a path covers every change on that path, before or after it.
//! The statements of a block are cut into runs at the statements that can
//! leave the block (`return`, `raise`, and `break`/`continue` of an
//! enclosing loop); every path that enters a run goes through all of it, so
//! one assignment per run that has changes suffices: after the last
//! statement with a change, or, when the change is in the statement that
//! leaves (`return session["h"].pop()`), just before that statement.
//!
//! The fix for a possible default stores it back, `session["cart"] = cart`,
//! right after the consecutive statements that change it: the name still
//! holds the changed object there, on every path that changed it.

use std::collections::HashMap;

use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::analysis::checker::{Checker, Unit, for_each_child_block, is_compound, leaves_block};
use crate::analysis::session_ops::{Mutation, Presence, UnitFacts, WriteBack, key_value};
use crate::project::Backend;
use crate::rules::Rule;
use crate::rules::finding::{Applicability, Edit, Finding, Fix};
use crate::rules::unmarked_paths;

/// Checks one unit.
pub(crate) fn check(cx: &Checker, facts: &UnitFacts, findings: &mut Vec<Finding>) {
    let unit = facts.unit;
    let mutations = &facts.mutations;
    // A change of a stored value is saved by anything that marks the
    // session modified on its path; a change of a possible default only by
    // storing it. (The paths are walked only for a function with a change
    // of a stored value: most that mark the session change none.)
    let changes_stored = mutations
        .iter()
        .any(|mutation| mutation.value.presence == Presence::Stored);
    let unmarked = (facts.marks_modified && changes_stored)
        .then(|| unmarked_paths::unmarked_changes(cx, facts));
    let lost: Vec<usize> = (0..mutations.len())
        .filter(|&index| match mutations[index].value.presence {
            Presence::Stored => unmarked.as_ref().is_none_or(|bits| bits.contains(index)),
            Presence::MaybeDefault { .. } => !writes_key(cx, facts, &mutations[index]),
        })
        .collect();
    if lost.is_empty() {
        return;
    }
    // A backend that saves every request saves the change too.
    let backend = cx.backend();
    if backend.saves_every_request == Some(true) {
        return;
    }
    let mut by_start: Vec<usize> = lost
        .iter()
        .copied()
        .filter(|&index| mutations[index].value.presence == Presence::Stored)
        .collect();
    by_start.sort_by_key(|&index| mutations[index].stmt.start());
    let mut planner = Planner {
        cx,
        mutations,
        by_start,
        markers: HashMap::new(),
    };
    planner.plan_block(unit.body);
    let mut markers = planner.markers;
    let write_backs = unambiguous_write_backs(cx, mutations, &lost);
    WriteBackPlanner {
        cx,
        facts,
        indices: &write_backs,
        markers: &mut markers,
    }
    .plan_block(unit.body);
    let mut explained = 0;
    for index in lost {
        let mutation = &mutations[index];
        // Where the function marks the session on some path, say which
        // path loses the change.
        let path = match (&unmarked, mutation.value.presence) {
            (Some(_), Presence::Stored) => Some(if explained < unmarked_paths::MAX_EXPLAINED {
                explained += 1;
                unmarked_paths::branch_losing(cx, facts, index)
                    .map(|decision| unmarked_paths::describe(cx, decision))
            } else {
                None
            }),
            _ => None,
        };
        let fix = markers.get(&index).map(|edit| Fix {
            applicability: Applicability::Safe,
            message: match write_back_of(mutation) {
                Some(write_back) => format!(
                    "Store it back: `{}`",
                    write_back_text(cx, mutation, write_back)
                ),
                None => format!("Set `{}.modified = True`", cx.text(mutation.value.session)),
            },
            edits: vec![edit.clone()],
        });
        findings.push(finding(cx, unit, mutation, &backend, path).with_fix(fix));
    }
}

/// The write-back of a change of a possible default held by a local name
/// under a literal key (another key might change before the write-back).
fn write_back_of<'a>(mutation: &Mutation<'a>) -> Option<WriteBack<'a>> {
    match mutation.value.presence {
        Presence::MaybeDefault {
            write_back: Some(write_back),
        } if matches!(
            write_back.key,
            Expr::StringLiteral(_) | Expr::NumberLiteral(_)
        ) =>
        {
            Some(write_back)
        }
        _ => None,
    }
}

/// The mutations in `lost` that can be written back: all, but for those of
/// two names holding possible defaults of one key where the second is
/// bound before the first's last change (with the key absent they hold two
/// defaults, and storing one loses the other's change).
fn unambiguous_write_backs(cx: &Checker, mutations: &[Mutation], lost: &[usize]) -> Vec<usize> {
    // Per key: each name's binding, and where its last change ends.
    let mut by_key: HashMap<&str, Vec<(WriteBack, ruff_text_size::TextSize)>> = HashMap::new();
    for &index in lost {
        let Some(write_back) = write_back_of(&mutations[index]) else {
            continue;
        };
        let end = mutations[index].stmt.end();
        let aliases = by_key
            .entry(key_value(cx.text(write_back.key)))
            .or_default();
        match aliases.iter_mut().find(|(known, _)| *known == write_back) {
            Some((_, last)) => *last = (*last).max(end),
            None => aliases.push((write_back, end)),
        }
    }
    let mut ambiguous = Vec::new();
    for aliases in by_key.values_mut() {
        aliases.sort_by_key(|(write_back, _)| write_back.bound_at);
        for pair in aliases.windows(2) {
            if pair[1].0.bound_at < pair[0].1 {
                ambiguous.extend([pair[0].0, pair[1].0]);
            }
        }
    }
    lost.iter()
        .copied()
        .filter(|&index| {
            write_back_of(&mutations[index]).is_some_and(|wb| !ambiguous.contains(&wb))
        })
        .collect()
}

/// `session["cart"] = cart`.
fn write_back_text(cx: &Checker, mutation: &Mutation, write_back: WriteBack) -> String {
    format!(
        "{}[{}] = {}",
        cx.text(mutation.value.session),
        cx.text(write_back.key),
        write_back.name
    )
}

/// Whether the unit stores a value under the key the mutation's value was
/// read from (which stores a possible default, or replaces it).
fn writes_key(cx: &Checker, facts: &UnitFacts, mutation: &Mutation) -> bool {
    let Some(key) = mutation.value.key else {
        return false;
    };
    let key = key_value(cx.text(key));
    facts.writes.iter().any(|(write, _)| {
        write
            .stored_values(cx)
            .iter()
            .any(|stored| stored.key.as_deref().map(key_value) == Some(key))
    })
}

/// The finding for a lost change; `path` is `Some` when the function marks
/// the session on some path but not on one through the change (with the
/// branch that path takes, when one must be taken).
fn finding(
    cx: &Checker,
    unit: &Unit,
    mutation: &Mutation,
    backend: &Backend,
    path: Option<Option<String>>,
) -> Finding {
    let session = cx.text(mutation.value.session);
    let read = cx.snippet(mutation.value.read);
    let changed = cx.snippet(mutation.changed);
    // Name the session read behind a local alias; a direct chain names itself.
    let what = match mutation.changed {
        Expr::Name(_) => format!("`{changed}` (from `{read}`)"),
        _ => format!("`{changed}`"),
    };
    let (message, help) = match mutation.value.presence {
        Presence::Stored => (
            format!(
                "{what} is changed in place ({}) but {}; {} does not see the change and drops it",
                mutation.how,
                match path {
                    None => format!("`{}` never sets `{session}.modified = True`", unit.name),
                    Some(Some(when)) => format!("nothing marks the session modified {when}"),
                    Some(None) => format!(
                        "on some path through `{}` nothing marks the session modified",
                        unit.name
                    ),
                },
                if backend.cookie {
                    "Flask"
                } else {
                    "the session interface"
                }
            ),
            format!("Add `{session}.modified = True` after the change"),
        ),
        Presence::MaybeDefault { .. } => (
            format!(
                "{what} is changed in place ({}) but `{}` never stores it in the session; it may be a default that is not in the session, so the change is lost",
                mutation.how, unit.name
            ),
            match write_back_of(mutation) {
                Some(write_back) => format!(
                    "Store the value back after the last change: `{}` (`{session}.modified = True` would not save a default)",
                    write_back_text(cx, mutation, write_back)
                ),
                None => format!(
                    "Bind the value to a name and store it back after the last change (`{session}[key] = value`); `{session}.modified = True` would not save a default"
                ),
            },
        ),
    };
    // Say what was assumed where it is not Flask's cookie.
    let message = match backend.saves_every_request {
        _ if backend.cookie => message,
        Some(_) => format!(
            "{message} (backend: {backend}, which saves a session only when it is marked modified)"
        ),
        None => format!(
            "{message}, unless the backend saves every session: whether it does is not known (backend: {backend})"
        ),
    };
    Finding::new(Rule::UnmarkedSessionMutation, message, mutation.range).with_help(help)
}

/// Places one `session[key] = name` after each run of consecutive
/// statements of one block that change the same possible default, or
/// just before the statement when it leaves the block or is compound
/// (`return cart.pop()`, `if cart.pop():`). Storing the very object is
/// right before or after the change: the session is saved at the end of
/// the request.
struct WriteBackPlanner<'c, 'a> {
    cx: &'c Checker<'c>,
    facts: &'c UnitFacts<'c, 'a>,
    /// The mutations to write back.
    indices: &'c [usize],
    markers: &'c mut HashMap<usize, Edit>,
}

impl<'a> WriteBackPlanner<'_, 'a> {
    fn plan_block(&mut self, block: &'a [Stmt]) {
        // The run being gathered: its write-back, last statement, mutations.
        let mut run: Option<(WriteBack<'a>, &'a Stmt, Vec<usize>)> = None;
        for stmt in block {
            let own = self.own_mutations(stmt);
            let write_back = own
                .first()
                .and_then(|&index| write_back_of(&self.facts.mutations[index]));
            let extends = |(current, _, _): &(WriteBack, &Stmt, Vec<usize>)| {
                write_back == Some(*current)
                    && own.len() == self.same(&own, *current)
                    && !self.facts.locals.binds_within(current.name, stmt.range())
            };
            let simple = !is_compound(stmt) && !leaves_block(stmt);
            match &mut run {
                Some(current) if simple && extends(current) => {
                    current.1 = stmt;
                    current.2.extend(&own);
                }
                _ => {
                    if let Some((write_back, last, indices)) = run.take() {
                        self.place(write_back, Anchor::After(last), &indices);
                    }
                    self.start(stmt, &own, simple, &mut run);
                }
            }
            for_each_child_block(stmt, &mut |child, _| self.plan_block(child));
        }
        if let Some((write_back, last, indices)) = run {
            self.place(write_back, Anchor::After(last), &indices);
        }
    }

    /// Begins a run at `stmt`, or, for a statement after which the name
    /// may not hold the value, writes back before it.
    fn start(
        &mut self,
        stmt: &'a Stmt,
        own: &[usize],
        simple: bool,
        run: &mut Option<(WriteBack<'a>, &'a Stmt, Vec<usize>)>,
    ) {
        for &index in own {
            let Some(write_back) = write_back_of(&self.facts.mutations[index]) else {
                continue;
            };
            let rebinds = self
                .facts
                .locals
                .binds_within(write_back.name, stmt.range());
            if simple && !rebinds && run.is_none() && own.len() == self.same(own, write_back) {
                *run = Some((write_back, stmt, own.to_vec()));
                return;
            }
            // Before the statement, the name must already hold the value.
            if write_back.bound_at <= stmt.start() {
                self.place(write_back, Anchor::Before(stmt), &[index]);
            }
        }
    }

    /// How many of `own` write back `write_back`.
    fn same(&self, own: &[usize], write_back: WriteBack) -> usize {
        own.iter()
            .filter(|&&index| write_back_of(&self.facts.mutations[index]) == Some(write_back))
            .count()
    }

    /// The mutations to write back whose innermost statement is `stmt`.
    fn own_mutations(&self, stmt: &Stmt) -> Vec<usize> {
        self.indices
            .iter()
            .copied()
            .filter(|&index| std::ptr::eq(self.facts.mutations[index].stmt, stmt))
            .collect()
    }

    fn place(&mut self, write_back: WriteBack, anchor: Anchor, indices: &[usize]) {
        let Some(&first) = indices.first() else {
            return;
        };
        let text = write_back_text(self.cx, &self.facts.mutations[first], write_back);
        if let Some(edit) = marker(self.cx, &text, anchor) {
            for &index in indices {
                self.markers.entry(index).or_insert_with(|| edit.clone());
            }
        }
    }
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
        let Some(edit) = marker(self.cx, &format!("{session}.modified = True"), anchor) else {
            return;
        };
        for index in run {
            self.markers.insert(*index, edit.clone());
        }
    }
}

/// The edit that puts the statement `marker` (`session.modified = True`)
/// at `anchor`: on a line of its own at the statement's indentation, or
/// joined with `; ` when the statement shares its line (a one-line suite).
fn marker(cx: &Checker, marker: &str, anchor: Anchor) -> Option<Edit> {
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
