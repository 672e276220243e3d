//! FL105's question about paths: which changes of session values does some
//! path through the function run without anything on that path marking
//! the session modified, before or after the change (Flask looks at the
//! flag once, when it saves the session after the view)? And, for the
//! message, a branch such a path takes.
//!
//! Both are answered over [`crate::analysis::paths`], once per function
//! for the set and once per reported change for its branch, so the work
//! stays linear in the function's length (with at most [`MAX_EXPLAINED`]
//! changes explained per function).

use ruff_python_ast::Stmt;

use crate::analysis::checker::{Checker, leaves_block};
use crate::analysis::fast_hash::FastMap;
use crate::analysis::paths::{self, Bits, Decision, PathValue};
use crate::analysis::session_ops::{UnitFacts, address};

/// How many lost changes of one function get a branch named in their
/// message; the rest say "on some path".
pub(crate) const MAX_EXPLAINED: usize = 100;

/// The changes (indices of `facts.mutations`) that some path runs without
/// a mark.
pub(crate) fn unmarked_changes(cx: &Checker, facts: &UnitFacts) -> Bits {
    // Which calls mark the session is a question for the project, asked
    // call by call: only where the function's own marks leave a change.
    if marks_before_leaving(cx, facts) {
        return Bits::default();
    }
    let by_stmt = changes_by_stmt(facts);
    let unmarked = unmarked_by(cx, facts, &by_stmt, false);
    if unmarked.len() == 0 {
        return unmarked;
    }
    unmarked_by(cx, facts, &by_stmt, true)
}

/// Whether a statement of the function's own block marks the session
/// before any statement that may leave it: then every path runs the mark
/// (the common `session.modified = True` after the change), and the paths
/// need no walk.
fn marks_before_leaving(cx: &Checker, facts: &UnitFacts) -> bool {
    for stmt in facts.unit.body {
        if facts.marks(cx, stmt, false) {
            return true;
        }
        if leaves_block(stmt) {
            return false;
        }
    }
    false
}

fn unmarked_by(
    cx: &Checker,
    facts: &UnitFacts,
    by_stmt: &FastMap<usize, Vec<usize>>,
    with_calls: bool,
) -> Bits {
    let mut own = |stmt: &Stmt| {
        if facts.marks(cx, stmt, with_calls) {
            return Unmarked {
                clean: false,
                reached: Bits::default(),
            };
        }
        let mut reached = Bits::default();
        for &index in by_stmt.get(&address(stmt)).into_iter().flatten() {
            reached.insert(index);
        }
        Unmarked {
            clean: true,
            reached,
        }
    };
    paths::of_body(facts.unit.body, &mut own)
        .ending()
        .map(|value| value.reached)
        .unwrap_or_default()
}

/// A branch that some unmarked path through the change `index` takes, when
/// one must be taken (`None` also when every path through it is unmarked).
pub(crate) fn branch_losing(cx: &Checker, facts: &UnitFacts, index: usize) -> Option<Decision> {
    let stmt = facts.mutations[index].stmt;
    let mut own = |candidate: &Stmt| {
        if facts.marks(cx, candidate, true) {
            Route::default()
        } else if std::ptr::eq(candidate, stmt) {
            Route {
                clean: Some(None),
                through: Some(None),
            }
        } else {
            Route::empty()
        }
    };
    paths::of_body(facts.unit.body, &mut own)
        .ending()
        .and_then(|route| route.through)
        .flatten()
        .map(|named| named.decision)
}

fn changes_by_stmt(facts: &UnitFacts) -> FastMap<usize, Vec<usize>> {
    let mut by_stmt: FastMap<usize, Vec<usize>> = FastMap::default();
    for (index, mutation) in facts.mutations.iter().enumerate() {
        by_stmt
            .entry(address(mutation.stmt))
            .or_default()
            .push(index);
    }
    by_stmt
}

/// A set of paths, as FL105 sees it: whether one of them marks nothing,
/// and which changes are on a path that marks nothing.
#[derive(Debug, Clone)]
struct Unmarked {
    clean: bool,
    reached: Bits,
}

impl PathValue for Unmarked {
    const HANDLER_AFTER_BODY: bool = true;
    const LOOP_BODIES: bool = true;

    fn empty() -> Self {
        Self {
            clean: true,
            reached: Bits::default(),
        }
    }

    fn then(self, next: Self) -> Self {
        let reached = match (self.clean, next.clean) {
            (true, true) => self.reached.union(&next.reached),
            (false, true) => self.reached,
            (true, false) => next.reached,
            (false, false) => Bits::default(),
        };
        Self {
            clean: self.clean && next.clean,
            reached,
        }
    }

    fn or(self, other: Self) -> Self {
        Self {
            clean: self.clean || other.clean,
            reached: self.reached.union(&other.reached),
        }
    }
}

/// For one change: whether some path marks nothing, and whether some path
/// through the change marks nothing; each with a branch it must take
/// (`Some(None)`: such a path exists and takes no branch that matters).
#[derive(Debug, Clone, Default)]
struct Route {
    clean: Option<Option<Named>>,
    through: Option<Option<Named>>,
}

/// A branch a path takes, and whether taking it is how the path loses the
/// change: another branch there marks the session (`if "k" not in
/// session: session["k"] = {}`, not taken). Else the branch only leads to
/// the change, or past it (the `if` the change is in, taken).
#[derive(Debug, Clone, Copy)]
struct Named {
    decision: Decision,
    loses: bool,
}

/// The branch to name of two a path takes: one that loses the change,
/// else the first.
fn prefer(first: Option<Named>, second: Option<Named>) -> Option<Named> {
    match (first, second) {
        (Some(named), _) if named.loses => first,
        (_, Some(named)) if named.loses => second,
        _ => first.or(second),
    }
}

impl PathValue for Route {
    const HANDLER_AFTER_BODY: bool = true;
    const LOOP_BODIES: bool = true;

    fn empty() -> Self {
        Self {
            clean: Some(None),
            through: None,
        }
    }

    fn then(self, next: Self) -> Self {
        let both = |a: Option<Option<Named>>, b: Option<Option<Named>>| Some(prefer(a?, b?));
        Self {
            clean: both(self.clean, next.clean),
            through: both(self.through, next.clean).or(both(self.clean, next.through)),
        }
    }

    fn or(self, other: Self) -> Self {
        Self {
            clean: self.clean.or(other.clean),
            through: self.through.or(other.through),
        }
    }

    /// The branch is worth naming only when not every alternative has such
    /// a path; then the one with the simplest (a branch-free one first).
    fn choose(alternatives: Vec<(Decision, Option<Self>)>) -> Option<Self> {
        if alternatives.iter().all(|(_, route)| route.is_none()) {
            return None;
        }
        // Another alternative that comes through here marked every path.
        let loses = alternatives
            .iter()
            .any(|(_, route)| route.as_ref().is_some_and(|route| route.clean.is_none()));
        let pick = |get: &dyn Fn(&Self) -> Option<Option<Named>>| {
            let found: Vec<(Decision, Option<Named>)> = alternatives
                .iter()
                .filter_map(|(decision, route)| Some((*decision, get(route.as_ref()?)?)))
                .collect();
            if found.len() == alternatives.len() {
                return found.first().map(|(_, inner)| *inner);
            }
            let (decision, inner) = found
                .iter()
                .find(|(_, inner)| inner.is_none())
                .or(found.first())?;
            Some(prefer(
                *inner,
                Some(Named {
                    decision: *decision,
                    loses,
                }),
            ))
        };
        Some(Self {
            clean: pick(&|route| route.clean),
            through: pick(&|route| route.through),
        })
    }
}

/// "when the `if` at line 12 is not taken".
pub(crate) fn describe(cx: &Checker, decision: Decision) -> String {
    let row = |at| cx.row(at);
    match decision {
        Decision::Clause {
            keyword: "else",
            at,
        } => format!("when the `else` at line {} runs", row(at)),
        Decision::Clause { keyword, at } => {
            format!("when the `{keyword}` at line {} is taken", row(at))
        }
        Decision::NoClause {
            at,
            has_elif: false,
        } => format!("when the `if` at line {} is not taken", row(at)),
        Decision::NoClause { at, has_elif: true } => {
            format!("when no branch of the `if` at line {} is taken", row(at))
        }
        Decision::Case { at } => format!("when the `case` at line {} matches", row(at)),
        Decision::NoCase { at } => {
            format!("when no `case` of the `match` at line {} matches", row(at))
        }
        Decision::TryCompletes { at } => {
            format!("when the `try` at line {} raises nothing", row(at))
        }
        Decision::Handler { at } => format!("when the `except` at line {} runs", row(at)),
        Decision::LoopSkipped { keyword, at } => {
            format!(
                "when the `{keyword}` loop at line {} runs no times",
                row(at)
            )
        }
        Decision::LoopRuns { keyword, at } => {
            format!("when the `{keyword}` loop at line {} runs", row(at))
        }
    }
}
