//! The paths through a function, for the rules that ask what one call can
//! run: FL101 (how many keys one call writes) and FL105 (whether some call
//! changes a session value and marks nothing).
//!
//! Paths are never enumerated: a function with 5,000 `if`s in a row has
//! 2^5000 of them. Each rule says what a set of paths amounts to for its
//! question (a [`PathValue`]: the heaviest path's writes, or which changes
//! some unmarked path runs) and how two sets combine in sequence and as
//! alternatives; [`of_body`] combines the statements' own values along
//! the function's structure, once per statement.
//!
//! The structure: `if`/`elif`/`else` and `match` cases are alternatives
//! (with a way around when no `else` or irrefutable case exists); `return`
//! and `raise` leave the function (both end a call: Flask saves the session
//! after an error response too); `break` and `continue` leave the loop or
//! the iteration; a loop body may run any number of times, also none
//! (`while True:` at least once, left only by `break`, `return` or
//! `raise`); a `with` body runs; a `try` body is followed by its `else`,
//! and a handler runs from any statement of the body that may raise (with
//! what ran before that statement, as a statement that raises is taken to
//! raise before its own effect), or (as FL101 wants) by itself; `finally`
//! runs after everything, also on the way out. An
//! exception that no handler of the function catches is not a path: the
//! code did not plan for it. A path that never ends (`while True:` with no
//! way out) is not one either.

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextSize};

/// A branch a path takes, for a message that names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// The body of the `if` (or `elif`, `else`) clause starting at `at`.
    Clause { keyword: &'static str, at: TextSize },
    /// No clause of the `if` at `at` runs.
    NoClause { at: TextSize, has_elif: bool },
    /// The `case` at `at` matches.
    Case { at: TextSize },
    /// No case of the `match` at `at` matches.
    NoCase { at: TextSize },
    /// The body of the `try` at `at` completes.
    TryCompletes { at: TextSize },
    /// The `except` at `at` runs.
    Handler { at: TextSize },
    /// The loop at `at` (`for` or `while`) runs no times.
    LoopSkipped { keyword: &'static str, at: TextSize },
    /// The loop at `at` runs.
    LoopRuns { keyword: &'static str, at: TextSize },
}

/// What a set of paths amounts to for one question.
///
/// `then` and `or` must make a semiring in which a loop body run twice
/// adds nothing that running it once or twice did not (so that `star` is
/// exact): true of "the heaviest path" and of sets of facts.
pub(crate) trait PathValue: Clone {
    /// Whether a `try` handler runs after the part of its body before a
    /// statement that raises, rather than by itself.
    const HANDLER_AFTER_BODY: bool;

    /// Whether loop bodies are walked at all (FL101 leaves them to FL102).
    const LOOP_BODIES: bool;

    /// The path that runs nothing.
    fn empty() -> Self;

    /// The paths of `self`, each followed by one of `next`.
    fn then(self, next: Self) -> Self;

    /// The paths of either.
    fn or(self, other: Self) -> Self;

    /// The alternatives, each reached by taking its branch (`None`: no path
    /// of this kind goes through that branch).
    fn choose(alternatives: Vec<(Decision, Option<Self>)>) -> Option<Self> {
        alternatives
            .into_iter()
            .filter_map(|(_, value)| value)
            .reduce(Self::or)
    }
}

/// The paths through a piece of code, by how they leave it.
#[derive(Debug, Clone)]
pub(crate) struct Paths<V> {
    /// Paths that fall through its end.
    pub(crate) through: Option<V>,
    /// Paths that leave the function inside it (`return`, `raise`).
    pub(crate) exits: Option<V>,
    /// Paths that leave the innermost loop by `break`.
    breaks: Option<V>,
    /// Paths that end the loop's iteration by `continue`.
    continues: Option<V>,
    /// Paths that stop inside it by an exception, at a statement that may
    /// raise: what a `try` handler may follow. Always `None` unless
    /// [`PathValue::HANDLER_AFTER_BODY`].
    partial: Option<V>,
}

impl<V: PathValue> Paths<V> {
    fn none() -> Self {
        Self {
            through: None,
            exits: None,
            breaks: None,
            continues: None,
            partial: None,
        }
    }

    fn through(value: V) -> Self {
        Self {
            through: Some(value),
            ..Self::none()
        }
    }

    /// Every path that ends the function: through its end or out of it.
    pub(crate) fn ending(self) -> Option<V> {
        either(self.through, self.exits)
    }

    /// `before` followed by these paths.
    fn after(self, before: &V) -> Self {
        let prefix = |paths: Option<V>| paths.map(|paths| before.clone().then(paths));
        Self {
            through: prefix(self.through),
            exits: prefix(self.exits),
            breaks: prefix(self.breaks),
            continues: prefix(self.continues),
            partial: prefix(self.partial),
        }
    }
}

fn either<V: PathValue>(a: Option<V>, b: Option<V>) -> Option<V> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.or(b)),
        (a, b) => a.or(b),
    }
}

fn then<V: PathValue>(a: Option<V>, b: Option<V>) -> Option<V> {
    Some(a?.then(b?))
}

/// `value` any number of times, none included.
fn star<V: PathValue>(value: Option<V>) -> V {
    match value {
        None => V::empty(),
        Some(value) => V::empty().or(value.clone()).or(value.clone().then(value)),
    }
}

/// The paths through a function body; `own` gives the value of what a
/// statement runs itself (a compound statement's header; its blocks are
/// walked here).
pub(crate) fn of_body<'a, V: PathValue>(
    body: &'a [Stmt],
    own: &mut impl FnMut(&'a Stmt) -> V,
) -> Paths<V> {
    of_block(body, own)
}

fn of_block<'a, V: PathValue>(block: &'a [Stmt], own: &mut impl FnMut(&'a Stmt) -> V) -> Paths<V> {
    let mut acc = Paths::through(V::empty());
    for stmt in block {
        let Some(before) = acc.through.take() else {
            break; // the rest of the block is unreachable
        };
        let step = of_stmt(stmt, own).after(&before);
        acc = Paths {
            through: step.through,
            exits: either(acc.exits, step.exits),
            breaks: either(acc.breaks, step.breaks),
            continues: either(acc.continues, step.continues),
            partial: either(acc.partial, step.partial),
        };
    }
    acc
}

fn of_stmt<'a, V: PathValue>(stmt: &'a Stmt, own: &mut impl FnMut(&'a Stmt) -> V) -> Paths<V> {
    let header = own(stmt);
    let body = match stmt {
        Stmt::Return(_) => Paths {
            exits: Some(V::empty()),
            ..Paths::none()
        },
        // A handler of the function catches what `raise` raises, after its
        // expression ran.
        Stmt::Raise(_) => Paths {
            exits: Some(V::empty()),
            partial: V::HANDLER_AFTER_BODY.then(V::empty),
            ..Paths::none()
        },
        Stmt::Break(_) => Paths {
            breaks: Some(V::empty()),
            ..Paths::none()
        },
        Stmt::Continue(_) => Paths {
            continues: Some(V::empty()),
            ..Paths::none()
        },
        Stmt::If(s) => of_if(s, own),
        Stmt::Match(s) => of_match(s, own),
        Stmt::Try(s) => of_try(s, own),
        Stmt::With(s) => of_block(&s.body, own),
        Stmt::For(s) => of_loop(&s.body, &s.orelse, false, "for", stmt, own),
        Stmt::While(s) => {
            let forever = is_truthy_constant(&s.test);
            of_loop(&s.body, &s.orelse, forever, "while", stmt, own)
        }
        _ => Paths::through(V::empty()),
    };
    let mut paths = body.after(&header);
    if V::HANDLER_AFTER_BODY && may_raise(stmt) {
        paths.partial = either(Some(V::empty()), paths.partial);
    }
    paths
}

/// Whether a statement's own part (a compound statement's header) may
/// raise. Only shapes that cannot are `false`: `pass`, `break`,
/// `continue`, a `try` header, `global`, `nonlocal`, a `return` or an
/// expression statement of nothing or a plain value, an assignment of a
/// plain value to a name, to a string key of a name
/// (`session["grid"] = grid`) or to an attribute of a name
/// (`session.modified = True`), and an `if`/`while` whose test is plain.
fn may_raise(stmt: &Stmt) -> bool {
    match stmt {
        Stmt::Pass(_) | Stmt::Break(_) | Stmt::Continue(_) | Stmt::Try(_) => false,
        Stmt::Global(_) | Stmt::Nonlocal(_) => false,
        Stmt::Return(s) => s.value.as_deref().is_some_and(|value| !is_plain(value)),
        Stmt::Assign(s) => !(is_plain(&s.value) && s.targets.iter().all(is_plain_target)),
        Stmt::AnnAssign(s) => !s
            .value
            .as_deref()
            .is_some_and(|value| is_plain(value) && is_plain_target(&s.target)),
        Stmt::If(s) => !is_plain(&s.test),
        Stmt::While(s) => !is_plain(&s.test),
        Stmt::Expr(s) => !is_plain(&s.value),
        _ => true,
    }
}

/// An expression whose evaluation cannot raise: a name (bound, as the
/// code means it), a constant, or a list, tuple or dict (with constant
/// keys) of them.
fn is_plain(expr: &Expr) -> bool {
    match expr {
        Expr::Name(_) | Expr::EllipsisLiteral(_) => true,
        _ if is_constant(expr) => true,
        Expr::List(list) => list.elts.iter().all(is_plain),
        Expr::Tuple(tuple) => tuple.elts.iter().all(is_plain),
        Expr::Dict(dict) => dict
            .items
            .iter()
            .all(|item| item.key.as_ref().is_some_and(is_constant) && is_plain(&item.value)),
        _ => false,
    }
}

fn is_constant(expr: &Expr) -> bool {
    matches!(
        expr,
        Expr::StringLiteral(_)
            | Expr::BytesLiteral(_)
            | Expr::NumberLiteral(_)
            | Expr::BooleanLiteral(_)
            | Expr::NoneLiteral(_)
    )
}

/// A target a plain value can be stored in without raising.
fn is_plain_target(target: &Expr) -> bool {
    match target {
        Expr::Name(_) => true,
        // A string key: a mapping's, which takes any (a list's index may
        // be out of range).
        Expr::Subscript(s) => s.value.is_name_expr() && s.slice.is_string_literal_expr(),
        Expr::Attribute(a) => a.value.is_name_expr(),
        _ => false,
    }
}

fn of_if<'a, V: PathValue>(s: &'a ast::StmtIf, own: &mut impl FnMut(&'a Stmt) -> V) -> Paths<V> {
    let mut clauses = vec![(
        Decision::Clause {
            keyword: "if",
            at: s.start(),
        },
        of_block(&s.body, own),
    )];
    for clause in &s.elif_else_clauses {
        let keyword = if clause.test.is_some() {
            "elif"
        } else {
            "else"
        };
        let decision = Decision::Clause {
            keyword,
            at: clause.start(),
        };
        clauses.push((decision, of_block(&clause.body, own)));
    }
    let has_else = s.elif_else_clauses.last().is_some_and(|c| c.test.is_none());
    if !has_else {
        let decision = Decision::NoClause {
            at: s.start(),
            has_elif: !s.elif_else_clauses.is_empty(),
        };
        clauses.push((decision, Paths::through(V::empty())));
    }
    alternatives(clauses)
}

fn of_match<'a, V: PathValue>(
    s: &'a ast::StmtMatch,
    own: &mut impl FnMut(&'a Stmt) -> V,
) -> Paths<V> {
    let mut cases: Vec<(Decision, Paths<V>)> = s
        .cases
        .iter()
        .map(|case| {
            (
                Decision::Case { at: case.start() },
                of_block(&case.body, own),
            )
        })
        .collect();
    let exhaustive = s
        .cases
        .last()
        .is_some_and(|c| c.pattern.is_irrefutable() && c.guard.is_none());
    if !exhaustive {
        cases.push((
            Decision::NoCase { at: s.start() },
            Paths::through(V::empty()),
        ));
    }
    alternatives(cases)
}

/// Mutually exclusive blocks, each reached by its decision.
fn alternatives<V: PathValue>(blocks: Vec<(Decision, Paths<V>)>) -> Paths<V> {
    // A path that goes on past the blocks never takes one that leaves (by
    // `return`, `raise`, `break` or `continue`): such a block is no
    // alternative to it (`all: false`). So FL105 does not name the guard
    // `if ...: return` that a lost change comes after, but the branch that
    // loses it.
    let pick = |get: &dyn Fn(&Paths<V>) -> Option<V>, all: bool| {
        V::choose(
            blocks
                .iter()
                .map(|(decision, paths)| (*decision, get(paths)))
                .filter(|(_, value)| all || value.is_some())
                .collect(),
        )
    };
    Paths {
        through: pick(&|p| p.through.clone(), false),
        exits: pick(&|p| p.exits.clone(), true),
        breaks: pick(&|p| p.breaks.clone(), true),
        continues: pick(&|p| p.continues.clone(), true),
        partial: pick(&|p| p.partial.clone(), true),
    }
}

fn of_loop<'a, V: PathValue>(
    body: &'a [Stmt],
    orelse: &'a [Stmt],
    forever: bool,
    keyword: &'static str,
    header: &Stmt,
    own: &mut impl FnMut(&'a Stmt) -> V,
) -> Paths<V> {
    let at = header.start();
    let orelse = of_block(orelse, own);
    if !V::LOOP_BODIES {
        return orelse;
    }
    let body = of_block(body, own);
    // Iterations that come back to the loop's head, any number of them.
    let around = either(body.through, body.continues);
    let repeated = star(around.clone());
    let after = |paths: Option<V>| paths.map(|paths| repeated.clone().then(paths));
    // The header runs again before each iteration (`next()`, the `while`
    // test): when it may raise, an exception may follow any number of
    // iterations.
    let again = (V::HANDLER_AFTER_BODY && may_raise(header)).then(|| repeated.clone());
    // Left from inside the body: by `break` (past the `else`), `return`,
    // `raise`, or an exception.
    let from_body = Paths {
        through: after(body.breaks),
        exits: after(body.exits),
        breaks: None,
        continues: None,
        partial: either(after(body.partial), again),
    };
    if forever {
        return from_body;
    }
    // Ended by its test, after no iteration or some, then the `else`.
    let mut counts = vec![(Decision::LoopSkipped { keyword, at }, Some(V::empty()))];
    if let Some(around) = around {
        counts.push((Decision::LoopRuns { keyword, at }, Some(around.clone())));
        counts.push((
            Decision::LoopRuns { keyword, at },
            Some(around.clone().then(around)),
        ));
    }
    let ended = V::choose(counts).unwrap_or_else(V::empty);
    let normal = orelse.after(&ended);
    Paths {
        through: either(normal.through, from_body.through),
        exits: either(normal.exits, from_body.exits),
        breaks: normal.breaks,
        continues: normal.continues,
        partial: either(normal.partial, from_body.partial),
    }
}

fn of_try<'a, V: PathValue>(s: &'a ast::StmtTry, own: &mut impl FnMut(&'a Stmt) -> V) -> Paths<V> {
    let body = of_block(&s.body, own);
    let orelse = of_block(&s.orelse, own);
    let completes = match body.through.clone() {
        Some(through) => orelse.after(&through),
        None => Paths::none(),
    };
    let completes = Paths {
        exits: either(body.exits.clone(), completes.exits),
        breaks: either(body.breaks.clone(), completes.breaks),
        continues: either(body.continues.clone(), completes.continues),
        partial: either(body.partial.clone(), completes.partial),
        through: completes.through,
    };
    let mut branches = vec![(Decision::TryCompletes { at: s.start() }, completes)];
    for handler in &s.handlers {
        let ast::ExceptHandler::ExceptHandler(handler) = handler;
        let mut paths = of_block(&handler.body, own);
        if V::HANDLER_AFTER_BODY {
            // A body in which nothing may raise never runs its handlers.
            let Some(partial) = &body.partial else {
                continue;
            };
            paths = paths.after(partial);
        }
        branches.push((
            Decision::Handler {
                at: handler.start(),
            },
            paths,
        ));
    }
    let caught = alternatives(branches);
    let finally = of_block(&s.finalbody, own);
    let Some(finally_through) = finally.through.clone() else {
        // `finally` always leaves: every path ends there.
        let all = either(either(caught.through, caught.exits), caught.partial);
        return Paths {
            exits: then(all.clone(), finally.exits),
            partial: all,
            ..Paths::none()
        };
    };
    // An exception no handler catches is not a path of its own: flasklint
    // follows exceptions only into the handlers the code has.
    let last = |paths: Option<V>| then(paths, Some(finally_through.clone()));
    Paths {
        through: last(caught.through),
        exits: last(caught.exits),
        breaks: last(caught.breaks),
        continues: last(caught.continues),
        partial: caught.partial,
    }
}

/// `while True:`, `while 1:`.
fn is_truthy_constant(test: &Expr) -> bool {
    match test {
        Expr::BooleanLiteral(boolean) => boolean.value,
        Expr::NumberLiteral(number) => {
            matches!(&number.value, ast::Number::Int(int) if *int != ast::Int::ZERO)
        }
        _ => false,
    }
}

/// A set of small numbers (keys, changes), for path values that are sets
/// of facts: a union costs a word per 64 members, and a set of members
/// under 64 (nearly every function's) allocates nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Bits {
    first: u64,
    rest: Vec<u64>,
}

impl Bits {
    pub(crate) fn insert(&mut self, member: usize) {
        let bit = 1 << (member % 64);
        match member / 64 {
            0 => self.first |= bit,
            word => {
                if self.rest.len() < word {
                    self.rest.resize(word, 0);
                }
                self.rest[word - 1] |= bit;
            }
        }
    }

    pub(crate) fn union(mut self, other: &Self) -> Self {
        self.first |= other.first;
        if self.rest.len() < other.rest.len() {
            self.rest.resize(other.rest.len(), 0);
        }
        for (mine, theirs) in self.rest.iter_mut().zip(&other.rest) {
            *mine |= theirs;
        }
        self
    }

    pub(crate) fn len(&self) -> usize {
        let rest: u32 = self.rest.iter().map(|word| word.count_ones()).sum();
        (self.first.count_ones() + rest) as usize
    }

    pub(crate) fn contains(&self, member: usize) -> bool {
        let word = match member / 64 {
            0 => Some(&self.first),
            word => self.rest.get(word - 1),
        };
        word.is_some_and(|word| word & (1 << (member % 64)) != 0)
    }
}
