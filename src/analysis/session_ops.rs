//! What code does with the session: writes, the values it stores, values
//! read out of it (and local names that alias them), in-place changes of
//! those values, and what marks the session modified.

use std::ops::Range;

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::analysis::checker::{Checker, Unit, for_each_own_expr, for_each_stmt, for_each_subexpr};
use crate::analysis::fast_hash::{FastMap, FastSet};

/// The kinds of session write flasklint counts (FL101, FL102).
#[derive(Debug, Clone, Copy)]
pub(crate) enum WriteKind<'a> {
    /// `session[key] = value`; `value` is `None` when the target is one
    /// element of an unpacking (`session["a"], x = ...`).
    SetItem {
        /// The subscript's key.
        key: &'a Expr,
        /// The value assigned, when it is the whole right-hand side.
        value: Option<&'a Expr>,
    },
    /// `session[key] += value`: reads, then writes.
    AugmentedSetItem {
        /// The subscript's key.
        key: &'a Expr,
    },
    /// `session.update(...)`.
    Update(&'a ast::ExprCall),
    /// `session.setdefault(key, default)`.
    SetDefault(&'a ast::ExprCall),
}

/// One session write.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SessionWrite<'a> {
    /// What kind of write.
    pub(crate) kind: WriteKind<'a>,
    /// The session as the code spells it (`session`, `sess`, `flask.session`).
    pub(crate) session: &'a Expr,
    /// The statement for item assignments, the call for method writes.
    pub(crate) range: TextRange,
    /// The statement the write is in.
    pub(crate) stmt: &'a Stmt,
}

impl<'a> SessionWrite<'a> {
    /// Whether the write is the whole statement: `session[k] = v` alone.
    pub(crate) fn is_whole_statement(&self) -> bool {
        matches!(self.kind, WriteKind::SetItem { value: Some(_), .. })
            && matches!(self.stmt, Stmt::Assign(assign) if assign.targets.len() == 1)
    }

    /// The values this write puts into the session, each with the key it is
    /// stored under when that is known.
    pub(crate) fn stored_values(&self, cx: &Checker) -> Vec<StoredValue<'a>> {
        match self.kind {
            WriteKind::SetItem {
                key,
                value: Some(value),
            } => vec![StoredValue {
                key: Some(cx.text(key).to_string()),
                value,
            }],
            WriteKind::SetItem { value: None, .. } | WriteKind::AugmentedSetItem { .. } => {
                Vec::new()
            }
            WriteKind::Update(call) => update_values(cx, call),
            WriteKind::SetDefault(call) => {
                let key = call.arguments.find_argument_value("key", 0);
                call.arguments
                    .find_argument_value("default", 1)
                    .map(|value| StoredValue {
                        key: key.map(|key| cx.text(key).to_string()),
                        value,
                    })
                    .into_iter()
                    .collect()
            }
        }
    }
}

impl SessionWrite<'_> {
    /// The key this write stores, as its literal's value (`cart` for
    /// `"cart"` and `'cart'`); `None` for a key that is not a literal, and
    /// for `update(...)`, which FL101 counts as a key of its own: one
    /// `update` is the form the rule asks for.
    pub(crate) fn key(&self, cx: &Checker) -> Option<String> {
        let key = match self.kind {
            WriteKind::SetItem { key, .. } | WriteKind::AugmentedSetItem { key } => key,
            WriteKind::SetDefault(call) => call.arguments.find_argument_value("key", 0)?,
            WriteKind::Update(_) => return None,
        };
        matches!(key, Expr::StringLiteral(_) | Expr::NumberLiteral(_))
            .then(|| key_value(cx.text(key)).to_string())
    }
}

/// A key's text with the quotes of a plain string literal removed, so that
/// `'cart'` and `"cart"` are one key.
pub(crate) fn key_value(text: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = text
            .strip_prefix(quote)
            .and_then(|rest| rest.strip_suffix(quote))
            && !inner.contains([quote, '\\'])
        {
            return inner;
        }
    }
    text
}

/// A value stored into the session, and its key's source text.
#[derive(Debug, Clone)]
pub(crate) struct StoredValue<'a> {
    /// The key's source text (`"cart"`), when known.
    pub(crate) key: Option<String>,
    /// The value expression.
    pub(crate) value: &'a Expr,
}

impl StoredValue<'_> {
    /// Where the value goes, for messages: `session["cart"]`, or `session`
    /// when the key is not known.
    pub(crate) fn destination(&self, session: &str) -> String {
        match &self.key {
            Some(key) => format!("`{session}[{key}]`"),
            None => format!("`{session}`"),
        }
    }
}

/// Looks for a problem in a stored value: `find` on the value itself and,
/// when it finds none there, on each branch of a conditional or boolean
/// expression and each element of a dict, list or tuple display,
/// recursively. Calls `report` on each expression found.
pub(crate) fn find_in_stored_value<'a, P>(
    value: &'a Expr,
    find: &impl Fn(&'a Expr) -> Option<P>,
    report: &mut impl FnMut(&'a Expr, P),
) {
    if let Some(problem) = find(value) {
        report(value, problem);
        return;
    }
    match value {
        // Each branch may be what is stored.
        Expr::If(_) | Expr::BoolOp(_) => value_branches(value)
            .into_iter()
            .for_each(|branch| find_in_stored_value(branch, find, report)),
        Expr::Dict(dict) => dict
            .items
            .iter()
            .for_each(|item| find_in_stored_value(&item.value, find, report)),
        Expr::List(ast::ExprList { elts, .. }) | Expr::Tuple(ast::ExprTuple { elts, .. }) => {
            elts.iter()
                .for_each(|elt| find_in_stored_value(elt, find, report));
        }
        _ => {}
    }
}

/// The expressions `expr` may evaluate to: the branches of `x if c else
/// y`, and each operand of `a or b` and `a and b` (the one that decides is
/// the result), looked through recursively; else `expr` itself.
pub(crate) fn value_branches(expr: &Expr) -> Vec<&Expr> {
    let mut branches = Vec::new();
    let mut pending = vec![expr];
    while let Some(expr) = pending.pop() {
        match expr {
            Expr::If(ast::ExprIf { body, orelse, .. }) => {
                pending.push(orelse);
                pending.push(body);
            }
            Expr::BoolOp(ast::ExprBoolOp { values, .. }) => pending.extend(values.iter().rev()),
            other => branches.push(other),
        }
    }
    branches
}

fn update_values<'a>(cx: &Checker, call: &'a ast::ExprCall) -> Vec<StoredValue<'a>> {
    let mut values = Vec::new();
    for arg in &call.arguments.args {
        match arg {
            Expr::Dict(dict) => values.extend(dict.items.iter().map(|item| StoredValue {
                key: item.key.as_ref().map(|key| cx.text(key).to_string()),
                value: &item.value,
            })),
            // A mapping or pairs passed whole: the whole thing is stored.
            other => values.push(StoredValue {
                key: None,
                value: other,
            }),
        }
    }
    values.extend(call.arguments.keywords.iter().map(|keyword| StoredValue {
        key: keyword.arg.as_ref().map(|arg| format!("\"{arg}\"")),
        value: &keyword.value,
    }));
    values
}

/// A call of a method, `value.name(...)`: the call and its callee.
type MethodCall<'a> = (&'a ast::ExprCall, &'a ast::ExprAttribute);

/// What a statement's own expressions (outside its child blocks) hold
/// that the unit's facts read, found by one walk of them, in evaluation
/// order: its method calls (for session writes and in-place changes) and
/// its `name := value` bindings.
#[derive(Default)]
struct OwnExprs<'a> {
    calls: Vec<MethodCall<'a>>,
    named: Vec<&'a ast::ExprNamed>,
}

impl<'a> OwnExprs<'a> {
    fn of(stmt: &'a Stmt) -> Self {
        let mut own = Self::default();
        for_each_own_expr(stmt, &mut |expr| {
            for_each_subexpr(expr, &mut |expr| match expr {
                Expr::Call(call) => {
                    if let Expr::Attribute(attribute) = &*call.func {
                        own.calls.push((call, attribute));
                    }
                }
                Expr::Named(named) => own.named.push(named),
                _ => {}
            });
        });
        own
    }
}

/// The session writes a statement makes itself (outside its child blocks),
/// in evaluation order, and whether its session method calls (among
/// `calls`, its own) always mark the session modified (`update`, `clear`,
/// `popitem`, `pop(key)`).
fn writes_in_stmt<'a>(
    cx: &Checker,
    unit: &Unit,
    stmt: &'a Stmt,
    calls: &[MethodCall<'a>],
    marks: &mut bool,
) -> Vec<SessionWrite<'a>> {
    let mut writes = Vec::new();
    for &(call, attribute) in calls {
        if cx.is_session(&attribute.value, unit.scope) {
            *marks |= match attribute.attr.as_str() {
                "update" | "clear" | "popitem" => true,
                // Without a default, `pop` raises unless it removed the key.
                "pop" => call.arguments.len() == 1,
                _ => false,
            };
            let kind = match attribute.attr.as_str() {
                "update" => WriteKind::Update(call),
                "setdefault" => WriteKind::SetDefault(call),
                _ => continue,
            };
            writes.push(SessionWrite {
                kind,
                session: &attribute.value,
                range: call.range(),
                stmt,
            });
        }
    }
    let mut item_write = |target: &'a Expr, kind: &dyn Fn(&'a Expr) -> WriteKind<'a>| {
        each_target(target, &mut |target| {
            if let Expr::Subscript(subscript) = target
                && cx.is_session(&subscript.value, unit.scope)
            {
                writes.push(SessionWrite {
                    kind: kind(&subscript.slice),
                    session: &subscript.value,
                    range: stmt.range(),
                    stmt,
                });
            }
        });
    };
    match stmt {
        Stmt::Assign(assign) => {
            for target in &assign.targets {
                let whole = matches!(target, Expr::Subscript(_)).then_some(&*assign.value);
                item_write(target, &|key| WriteKind::SetItem { key, value: whole });
            }
        }
        Stmt::AnnAssign(ast::StmtAnnAssign {
            target,
            value: Some(value),
            ..
        }) => {
            item_write(target, &|key| WriteKind::SetItem {
                key,
                value: Some(value),
            });
        }
        Stmt::AugAssign(aug) => item_write(&aug.target, &|key| WriteKind::AugmentedSetItem { key }),
        Stmt::For(for_stmt) => {
            item_write(&for_stmt.target, &|key| WriteKind::SetItem {
                key,
                value: None,
            });
        }
        _ => {}
    }
    writes
}

/// Calls `f` on every assignment target inside `target`, through tuple
/// and list unpacking and starred targets.
fn each_target<'a>(target: &'a Expr, f: &mut impl FnMut(&'a Expr)) {
    match target {
        Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
            elts.iter().for_each(|elt| each_target(elt, f));
        }
        Expr::Starred(starred) => each_target(&starred.value, f),
        other => f(other),
    }
}

/// What the rules share about one unit, computed in two walks: its local
/// name bindings, then its session writes (in source order, with whether
/// each is in a loop), its in-place changes of session values, and
/// whether it marks the session modified.
pub(crate) struct UnitFacts<'u, 'a> {
    /// The unit.
    pub(crate) unit: &'u Unit<'a>,
    /// Every session write, with whether it is inside a loop body.
    pub(crate) writes: Vec<(SessionWrite<'a>, bool)>,
    /// Where each statement's own writes are in `writes`, by the
    /// statement's address (a scan per statement was quadratic).
    writes_by_stmt: FastMap<usize, Range<usize>>,
    /// Plain-name bindings, to follow local names to their values.
    pub(crate) locals: LocalBindings<'a>,
    /// In-place changes of values read from the session.
    pub(crate) mutations: Vec<Mutation<'a>>,
    /// Whether a statement makes Flask save the session whatever it holds.
    pub(crate) marks_modified: bool,
    /// The statements that mark it by themselves (by address): writes,
    /// `session.modified = True`; marking calls are found by
    /// [`UnitFacts::marks`] when asked.
    marking: FastSet<usize>,
}

impl<'u, 'a> UnitFacts<'u, 'a> {
    /// Walks the unit once.
    pub(crate) fn of(cx: &Checker, unit: &'u Unit<'a>) -> Self {
        let mut statements = Vec::new();
        for_each_stmt(unit.body, &mut |stmt, stmt_cx| {
            statements.push((stmt, stmt_cx.in_loop, OwnExprs::of(stmt)));
        });
        let locals = LocalBindings::of(
            statements
                .iter()
                .map(|(stmt, _, own)| (*stmt, own.named.as_slice())),
        );
        let mut writes = Vec::new();
        let mut writes_by_stmt = FastMap::default();
        let mut mutations = Vec::new();
        let mut marking = FastSet::default();
        for &(stmt, in_loop, ref own) in &statements {
            let first = writes.len();
            let mut marks = false;
            writes.extend(
                writes_in_stmt(cx, unit, stmt, &own.calls, &mut marks)
                    .into_iter()
                    .map(|write| (write, in_loop)),
            );
            if writes.len() > first {
                writes_by_stmt.insert(address(stmt), first..writes.len());
            }
            if marks || assigns_marking(cx, unit, stmt) {
                marking.insert(address(stmt));
            }
            mutations.extend(mutations_in_stmt(cx, unit, &locals, stmt, &own.calls));
        }
        // Which calls mark the session is a question for the project: ask it
        // only where a change would otherwise be lost.
        let mut marked = !marking.is_empty();
        if !marked && !mutations.is_empty() {
            marked = calls_marking(cx, unit);
        }
        Self {
            unit,
            writes,
            writes_by_stmt,
            locals,
            mutations,
            marks_modified: marked,
            marking,
        }
    }

    /// Whether a statement, by what it evaluates itself (a compound
    /// statement's header), marks the session modified: a write,
    /// `session.modified = True`, or (`with_calls`) a call that marks it.
    pub(crate) fn marks(&self, cx: &Checker, stmt: &Stmt, with_calls: bool) -> bool {
        self.marking.contains(&address(stmt))
            || (with_calls && calls_marking_in(cx, self.unit, stmt))
    }

    /// The writes a statement makes itself (outside its child blocks),
    /// with their indices in `writes`.
    pub(crate) fn writes_of_indexed(
        &self,
        stmt: &Stmt,
    ) -> impl Iterator<Item = (usize, &SessionWrite<'a>)> {
        let span = self.writes_by_stmt.get(&address(stmt)).cloned();
        span.unwrap_or_default()
            .map(|index| (index, &self.writes[index].0))
    }
}

/// A statement's identity within one syntax tree.
pub(crate) fn address(stmt: &Stmt) -> usize {
    std::ptr::from_ref(stmt) as usize
}

/// What a local name was last bound to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Bound<'a> {
    /// `name = value` (or `name: T = value`, or `(name := value)`).
    Value(&'a Expr),
    /// `for name in iterable`: one element of it.
    ElementOf(&'a Expr),
    /// Anything else: unpacking, `with ... as`, augmented assignment.
    Unknown,
}

/// The plain-name bindings of a unit, per name in source order, so that a
/// name's value at a point is a binary search away.
#[derive(Debug, Default)]
pub(crate) struct LocalBindings<'a> {
    by_name: FastMap<&'a str, Vec<(TextSize, Bound<'a>)>>,
}

impl<'a> LocalBindings<'a> {
    /// Collects the bindings of a unit's statements, given in source order
    /// with the `:=` expressions of each.
    fn of<'s>(statements: impl Iterator<Item = (&'a Stmt, &'s [&'a ast::ExprNamed])>) -> Self
    where
        'a: 's,
    {
        let mut bindings = Vec::new();
        for (stmt, named) in statements {
            for named in named {
                if let Expr::Name(name) = &*named.target {
                    bindings.push((name.id.as_str(), named.end(), Bound::Value(&named.value)));
                }
            }
            let at = stmt.end();
            match stmt {
                Stmt::Assign(assign) => {
                    for target in &assign.targets {
                        bind(&mut bindings, target, at, Bound::Value(&assign.value));
                    }
                }
                Stmt::AnnAssign(ast::StmtAnnAssign {
                    target,
                    value: Some(value),
                    ..
                }) => {
                    bind(&mut bindings, target, at, Bound::Value(value));
                }
                Stmt::AugAssign(aug) => bind(&mut bindings, &aug.target, at, Bound::Unknown),
                // The loop variable is bound before the body runs.
                Stmt::For(for_stmt) => bind(
                    &mut bindings,
                    &for_stmt.target,
                    for_stmt.iter.end(),
                    Bound::ElementOf(&for_stmt.iter),
                ),
                Stmt::With(with) => {
                    for var in with
                        .items
                        .iter()
                        .filter_map(|item| item.optional_vars.as_deref())
                    {
                        bind(&mut bindings, var, at, Bound::Unknown);
                    }
                }
                _ => {}
            }
        }
        bindings.sort_by_key(|(_, at, _)| *at);
        let mut by_name: FastMap<&'a str, Vec<(TextSize, Bound<'a>)>> = FastMap::default();
        for (name, at, bound) in bindings {
            by_name.entry(name).or_default().push((at, bound));
        }
        Self { by_name }
    }

    /// What `name` was last bound to before `at`, if in this unit.
    pub(crate) fn latest(&self, name: &str, at: TextSize) -> Option<Bound<'a>> {
        self.binding_before(name, at).map(|(_, bound)| *bound)
    }

    /// Where `name`'s binding in force before `at` was made.
    pub(crate) fn bound_at(&self, name: &str, at: TextSize) -> Option<TextSize> {
        self.binding_before(name, at).map(|(bound_at, _)| *bound_at)
    }

    fn binding_before(&self, name: &str, at: TextSize) -> Option<&(TextSize, Bound<'a>)> {
        let bindings = self.by_name.get(name)?;
        // Strictly before: a recovered syntax tree can hold an empty name
        // right where a binding ends, which must not see itself.
        let before = bindings.partition_point(|(bound_at, _)| *bound_at < at);
        before.checked_sub(1).map(|last| &bindings[last])
    }

    /// Whether `name` is bound anywhere inside `range`.
    pub(crate) fn binds_within(&self, name: &str, range: TextRange) -> bool {
        self.by_name.get(name).is_some_and(|bindings| {
            let first = bindings.partition_point(|(at, _)| *at <= range.start());
            bindings
                .get(first)
                .is_some_and(|(at, _)| *at <= range.end())
        })
    }

    /// What the name expression `expr` holds where it is used, if it is a
    /// plain name bound to a value in this unit.
    pub(crate) fn value_of(&self, expr: &Expr) -> Option<&'a Expr> {
        let Expr::Name(name) = expr else { return None };
        match self.latest(name.id.as_str(), name.start())? {
            Bound::Value(value) => Some(value),
            Bound::ElementOf(_) | Bound::Unknown => None,
        }
    }
}

type Binding<'a> = (&'a str, TextSize, Bound<'a>);

/// Records what `target` binds at `at`: `bound` for a plain name, unknown
/// values for the names of an unpacking.
fn bind<'a>(bindings: &mut Vec<Binding<'a>>, target: &'a Expr, at: TextSize, bound: Bound<'a>) {
    match target {
        Expr::Name(name) => bindings.push((name.id.as_str(), at, bound)),
        other => each_target(other, &mut |target| {
            if let Expr::Name(name) = target {
                bindings.push((name.id.as_str(), at, Bound::Unknown));
            }
        }),
    }
}

/// A value read out of the session, which the code may change in place.
#[derive(Debug, Clone)]
pub(crate) struct SessionValue<'a> {
    /// The session as the code spells it.
    pub(crate) session: &'a Expr,
    /// The read, e.g. `session["cart"]` (through any alias).
    pub(crate) read: &'a Expr,
    /// The session key it was read under, when the read names one.
    pub(crate) key: Option<&'a Expr>,
    /// Whether the value certainly lives in the session.
    pub(crate) presence: Presence<'a>,
}

/// Whether a value read from the session is the one the session holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Presence<'a> {
    /// It is (`session["cart"]`, `session.get("cart")`,
    /// `session.setdefault("cart", [])`, an item of one of those): changing
    /// it changes the session, which only has to be marked modified.
    Stored,
    /// It may be a default that was never stored (`session.get(k,
    /// default)`, `session.get(k) or default`, or part of one): only
    /// storing it saves a change.
    MaybeDefault {
        /// The local name holding the value and the key to store it
        /// under, when the name holds exactly the possible default.
        write_back: Option<WriteBack<'a>>,
    },
}

/// `session[key] = name` stores a possible default back.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct WriteBack<'a> {
    /// The local name.
    pub(crate) name: &'a str,
    /// Where the name was bound to the value.
    pub(crate) bound_at: TextSize,
    /// The key, as read.
    pub(crate) key: &'a Expr,
}

/// If `expr` holds (part of) a value stored in the session, where it was
/// read: `session["cart"]`, `session.get("cart")`,
/// `session.setdefault("cart", [])`, an item of one of those, an element of
/// one in a `for` loop, or a local name bound to one of those.
pub(crate) fn session_value<'a>(
    cx: &Checker,
    unit: &Unit,
    locals: &LocalBindings<'a>,
    expr: &'a Expr,
) -> Option<SessionValue<'a>> {
    session_value_within(cx, unit, locals, expr, 0).map(|(value, _)| value)
}

/// The session value `expr` holds, and the key when `expr` is exactly
/// what the session holds (or gives as a default) under that key.
fn session_value_within<'a>(
    cx: &Checker,
    unit: &Unit,
    locals: &LocalBindings<'a>,
    expr: &'a Expr,
    depth: usize,
) -> Option<(SessionValue<'a>, Option<&'a Expr>)> {
    // Chains of aliases are short; the bound keeps a malformed tree finite.
    if depth > 32 {
        return None;
    }
    let direct = |session: &'a Expr, presence, key| {
        let value = SessionValue {
            session,
            read: expr,
            key,
            presence,
        };
        Some((value, key))
    };
    let within = |inner: &'a Expr| session_value_within(cx, unit, locals, inner, depth + 1);
    match expr {
        Expr::Subscript(subscript) if cx.is_session(&subscript.value, unit.scope) => {
            direct(&subscript.value, Presence::Stored, Some(&*subscript.slice))
        }
        // An item of a session value is as present as the value.
        Expr::Subscript(subscript) => within(&subscript.value).map(|(value, _)| (value, None)),
        Expr::Call(call) => {
            let Expr::Attribute(attribute) = &*call.func else {
                return None;
            };
            let method = attribute.attr.as_str();
            let with_default =
                method == "get" && call.arguments.find_argument_value("default", 1).is_some();
            let presence = if with_default {
                Presence::MaybeDefault { write_back: None }
            } else {
                Presence::Stored
            };
            if !matches!(method, "get" | "setdefault") {
                return None;
            }
            if cx.is_session(&attribute.value, unit.scope) {
                let key = call.arguments.find_argument_value("key", 0);
                return direct(&attribute.value, presence, key);
            }
            let (mut value, _) = within(&attribute.value)?;
            if with_default {
                value.presence = presence;
            }
            Some((value, None))
        }
        // `session.get(k) or default`: the default when the value is falsy.
        Expr::BoolOp(ast::ExprBoolOp {
            op: ast::BoolOp::Or,
            values,
            ..
        }) => {
            let (mut value, key) = within(values.first()?)?;
            value.presence = Presence::MaybeDefault { write_back: None };
            Some((value, key))
        }
        Expr::Name(name) => match locals.latest(name.id.as_str(), name.start())? {
            Bound::Value(bound) => {
                let (mut value, key) = within(bound)?;
                if let (Presence::MaybeDefault { write_back: None }, Some(key)) =
                    (value.presence, key)
                {
                    let write_back = WriteBack {
                        name: name.id.as_str(),
                        bound_at: locals.bound_at(name.id.as_str(), name.start())?,
                        key,
                    };
                    value.presence = Presence::MaybeDefault {
                        write_back: Some(write_back),
                    };
                }
                Some((value, key))
            }
            // The elements of `session.get("cart", [])` are the stored
            // ones: a default (empty, in practice) yields none of its own.
            Bound::ElementOf(iterable) => {
                let (mut value, _) = within(iterable)?;
                value.presence = Presence::Stored;
                Some((value, None))
            }
            Bound::Unknown => None,
        },
        _ => None,
    }
}

/// Methods that change a list, dict or set in place.
const MUTATING_METHODS: &[&str] = &[
    "append",
    "extend",
    "insert",
    "remove",
    "pop",
    "popitem",
    "clear",
    "update",
    "setdefault",
    "add",
    "discard",
    "sort",
    "reverse",
    "difference_update",
    "intersection_update",
    "symmetric_difference_update",
    "__setitem__",
    "__delitem__",
];

/// An in-place change of a value held in the session.
#[derive(Debug, Clone)]
pub(crate) struct Mutation<'a> {
    /// The mutating expression: the method call, or the assignment target.
    pub(crate) range: TextRange,
    /// The statement it is in.
    pub(crate) stmt: &'a Stmt,
    /// The value changed, and where it was read from the session.
    pub(crate) value: SessionValue<'a>,
    /// The expression whose value is changed (`cart` or `session["cart"]`).
    pub(crate) changed: &'a Expr,
    /// How: `.append(...)`, or `item assignment`.
    pub(crate) how: String,
}

/// The in-place changes of session values a statement makes itself (its
/// method calls are `calls`).
fn mutations_in_stmt<'a>(
    cx: &Checker,
    unit: &Unit,
    locals: &LocalBindings<'a>,
    stmt: &'a Stmt,
    calls: &[MethodCall<'a>],
) -> Vec<Mutation<'a>> {
    let mut mutations = Vec::new();
    for &(call, attribute) in calls {
        if MUTATING_METHODS.contains(&attribute.attr.as_str())
            && let Some(value) = session_value(cx, unit, locals, &attribute.value)
        {
            mutations.push(Mutation {
                range: call.range(),
                stmt,
                value,
                changed: &attribute.value,
                how: format!("`.{}(...)`", attribute.attr),
            });
        }
    }
    // `cart += [item]` changes the list `cart` holds in place (`cart = cart
    // + [item]` makes a new one). Only with a display on the right: with a
    // name (`total += amount`) the value may be a number, which `+=`
    // rebinds.
    if let Stmt::AugAssign(aug) = stmt
        && let Expr::Name(_) = &*aug.target
        && changes_in_place(aug)
        && let Some(value) = session_value(cx, unit, locals, &aug.target)
    {
        mutations.push(Mutation {
            range: stmt.range(),
            stmt,
            value,
            changed: &aug.target,
            how: format!("`{}=`", aug.op.as_str()),
        });
    }
    for target in assigned_targets(stmt) {
        each_target(target, &mut |target| {
            let (container, how) = match target {
                Expr::Subscript(subscript) => (&*subscript.value, "item assignment"),
                Expr::Attribute(attribute) => (&*attribute.value, "attribute assignment"),
                _ => return,
            };
            let how = if matches!(stmt, Stmt::Delete(_)) {
                "`del`"
            } else {
                how
            };
            if let Some(value) = session_value(cx, unit, locals, container) {
                mutations.push(Mutation {
                    range: target.range(),
                    stmt,
                    value,
                    changed: container,
                    how: how.to_string(),
                });
            }
        });
    }
    mutations
}

/// The targets a statement assigns, augments or deletes.
fn assigned_targets(stmt: &Stmt) -> Vec<&Expr> {
    match stmt {
        Stmt::Assign(assign) => assign.targets.iter().collect(),
        Stmt::AnnAssign(ann) if ann.value.is_some() => vec![&ann.target],
        Stmt::AugAssign(aug) => vec![&aug.target],
        Stmt::Delete(delete) => delete.targets.iter().collect(),
        _ => Vec::new(),
    }
}

/// Whether an augmented assignment changes a container in place: `+=` of
/// a list display (`cart += [item]`), `|=` of a dict or set display, `-=`,
/// `&=`, `^=` of a set display.
fn changes_in_place(aug: &ast::StmtAugAssign) -> bool {
    use ast::Operator;
    matches!(
        (aug.op, &*aug.value),
        (Operator::Add, Expr::List(_) | Expr::ListComp(_))
            | (
                Operator::BitOr,
                Expr::Dict(_) | Expr::DictComp(_) | Expr::Set(_) | Expr::SetComp(_)
            )
            | (
                Operator::Sub | Operator::BitAnd | Operator::BitXor,
                Expr::Set(_) | Expr::SetComp(_)
            )
    )
}

/// Whether the unit calls something that always marks the session
/// modified (`flash(...)`, `login_user(...)`, a project helper that writes
/// it on every path).
fn calls_marking(cx: &Checker, unit: &Unit) -> bool {
    let mut marks = false;
    for_each_stmt(unit.body, &mut |stmt, _| {
        marks = marks || calls_marking_in(cx, unit, stmt);
    });
    marks
}

/// Whether a statement's own expressions call something that always marks
/// the session modified.
fn calls_marking_in(cx: &Checker, unit: &Unit, stmt: &Stmt) -> bool {
    let mut marks = false;
    for_each_own_expr(stmt, &mut |expr| {
        for_each_subexpr(expr, &mut |expr| {
            if !marks && let Expr::Call(call) = expr {
                marks = cx.marks_session_call(&call.func, unit.scope);
            }
        });
    });
    marks
}

/// Whether a statement's assignment makes Flask save the session whatever
/// it holds: `session.modified = True`, or a write of an item that always
/// marks it modified (`session[k] = v`, `session[k] += v`, `del
/// session[k]`, `session.permanent = ...`). The calls that mark it are
/// found with the writes; `setdefault(...)` and `pop(key, default)` mark it
/// only when the key was absent or present, so they do not count.
fn assigns_marking(cx: &Checker, unit: &Unit, stmt: &Stmt) -> bool {
    let mut marks = false;
    for target in assigned_targets(stmt) {
        each_target(target, &mut |target| {
            marks |= match target {
                Expr::Subscript(subscript) => cx.is_session(&subscript.value, unit.scope),
                Expr::Attribute(attribute) => {
                    matches!(attribute.attr.as_str(), "modified" | "permanent")
                        && cx.is_session(&attribute.value, unit.scope)
                }
                _ => false,
            };
        });
    }
    marks
}
