//! FL101 repeated-session-write: more session writes than
//! `max-session-writes` that can run in one call of one function.
//!
//! Writes are counted along the heaviest path through the function:
//! branches of an `if`/`elif`/`else`, the cases of a `match`, and a `try`
//! body versus each of its handlers are alternatives; a `return` or `raise`
//! ends a path; loop bodies are skipped (their writes are FL102's).

use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use super::chain::Chain;
use crate::analysis::checker::{Checker, Unit, any_subexpr, for_each_child_block};
use crate::analysis::fast_hash::FastMap;
use crate::analysis::paths::{self, Bits, PathValue};
use crate::analysis::session_ops::{SessionWrite, UnitFacts, WriteKind, address};
use crate::rules::Rule;
use crate::rules::finding::{Applicability, Edit, Finding, Fix};

/// Lines longer than this get the multi-line form of the fix, as in ruff's
/// and Black's default line length.
const LINE_LENGTH: usize = 88;

/// The most rows of writes a message lists.
const MAX_ROWS: usize = 20;

/// Checks one unit.
pub(crate) fn check(cx: &Checker, facts: &UnitFacts, findings: &mut Vec<Finding>) {
    let unit = facts.unit;
    let outside_loops = facts.writes.iter().filter(|(_, in_loop)| !in_loop).count();
    if outside_loops <= cx.options.max_session_writes {
        return; // no path can write more keys than there are writes
    }
    let keys = KeyIds::of(cx, facts);
    let heaviest = paths::of_body(unit.body, &mut |stmt| Heaviest::of_stmt(facts, &keys, stmt))
        .ending()
        .unwrap_or_default();
    let key_count = heaviest.keys.len();
    if key_count <= cx.options.max_session_writes {
        return;
    }
    let writes: Vec<&SessionWrite> = heaviest.writes.items();
    let first = writes[0];
    // A message lists a readable number of rows (a generated function may
    // write thousands of keys).
    let mut rows: Vec<String> = writes
        .iter()
        .take(MAX_ROWS)
        .map(|w| cx.row(w.range.start()).to_string())
        .collect();
    if writes.len() > MAX_ROWS {
        rows.push(format!("and {} more", writes.len() - MAX_ROWS));
    }
    let session = cx.text(first.session);
    // The contract's wording; the keys are named apart only when a key is
    // written again on the path.
    let keys = if key_count < writes.len() {
        format!(" ({key_count} keys)")
    } else {
        String::new()
    };
    let message = format!(
        "`{session}` is written {} times{keys} in `{}` (lines {}); batch the writes into one `{session}.update(...)`",
        writes.len(),
        unit.name,
        rows.join(", ")
    );
    let finding = Finding::new(Rule::RepeatedSessionWrite, message, first.range)
        .with_help(help(cx, session, &writes))
        .with_fix(fix(cx, unit, session, &writes));
    findings.push(finding);
}

/// The keys of the unit's writes as small numbers: one per literal key's
/// value, and one of its own for each other write.
struct KeyIds {
    /// By write, in the order of `UnitFacts::writes`.
    of_write: Vec<usize>,
}

impl KeyIds {
    fn of(cx: &Checker, facts: &UnitFacts) -> Self {
        let mut ids: FastMap<String, usize> = FastMap::default();
        let of_write = (0..facts.writes.len())
            .map(|index| match facts.writes[index].0.key(cx) {
                Some(key) => {
                    let fresh = facts.writes.len() + ids.len();
                    *ids.entry(key).or_insert(fresh)
                }
                None => index,
            })
            .collect();
        Self { of_write }
    }
}

/// The path that writes the most keys, with its writes in order.
#[derive(Debug, Clone, Default)]
struct Heaviest<'a> {
    writes: Chain<SessionWrite<'a>>,
    keys: Bits,
}

impl<'a> Heaviest<'a> {
    fn of_stmt(facts: &UnitFacts<'_, 'a>, ids: &KeyIds, stmt: &'a Stmt) -> Self {
        let mut keys = Bits::default();
        let mut writes = Vec::new();
        for (index, write) in facts.writes_of_indexed(stmt) {
            keys.insert(ids.of_write[index]);
            writes.push(*write);
        }
        Self {
            writes: Chain::of(writes),
            keys,
        }
    }
}

impl PathValue for Heaviest<'_> {
    // A handler's writes and the body's are alternatives (the contract's
    // "do not add up"); writes in loops are FL102's.
    const HANDLER_AFTER_BODY: bool = false;
    const LOOP_BODIES: bool = false;

    fn empty() -> Self {
        Self::default()
    }

    fn then(self, next: Self) -> Self {
        Self {
            writes: self.writes.join(next.writes),
            keys: self.keys.union(&next.keys),
        }
    }

    /// The one with more keys, the first on a tie: chosen branch by
    /// branch, not over every combination of branches.
    fn or(self, other: Self) -> Self {
        if other.keys.len() > self.keys.len() {
            other
        } else {
            self
        }
    }
}

/// Where each statement of the unit stands: its block's address and its
/// index in the block.
fn places(body: &[Stmt]) -> FastMap<usize, (usize, usize)> {
    fn add(block: &[Stmt], places: &mut FastMap<usize, (usize, usize)>) {
        let address_of_block = block.as_ptr() as usize;
        for (index, stmt) in block.iter().enumerate() {
            places.insert(address(stmt), (address_of_block, index));
            for_each_child_block(stmt, &mut |child, _| add(child, places));
        }
    }
    let mut places = FastMap::default();
    add(body, &mut places);
    places
}

/// One `key: value` entry of the merged `session.update({...})`.
struct Entry<'s> {
    key: String,
    value: String,
    /// Whether the value's continuation lines may be indented one level
    /// deeper, as the entry is (not when a string spans lines: that would
    /// change the string).
    reindent: bool,
    /// Comments that followed the write: (is on the write's own line, text).
    comments: Vec<(bool, &'s str)>,
}

fn help(cx: &Checker, session: &str, writes: &[&SessionWrite]) -> String {
    let entries: Vec<String> = writes
        .iter()
        .filter_map(|w| match w.kind {
            WriteKind::SetItem {
                key,
                value: Some(value),
            } => Some(format!(
                "{}: {}",
                key_text(cx, key)?,
                value_text(cx, value)?
            )),
            _ => None,
        })
        .collect();
    let call = if entries.is_empty()
        || entries.len() < writes.len()
        || entries.iter().any(|e| e.contains('\n'))
    {
        format!("{session}.update({{...}})")
    } else {
        format!("{session}.update({{{}}})", entries.join(", "))
    };
    if call.chars().count() > 100 {
        format!("Combine the writes into one `{session}.update({{...}})` call")
    } else {
        format!("Combine the writes: `{call}`")
    }
}

/// The fix: only when the writes are whole `session[k] = v` statements,
/// consecutive in one block.
fn fix(cx: &Checker, unit: &Unit, session: &str, writes: &[&SessionWrite]) -> Option<Fix> {
    if !writes.iter().all(|w| w.is_whole_statement()) {
        return None;
    }
    let places = places(unit.body);
    let place = |w: &&SessionWrite| places.get(&address(w.stmt)).copied();
    let places: Vec<(usize, usize)> = writes.iter().map(place).collect::<Option<_>>()?;
    let consecutive = places
        .windows(2)
        .all(|pair| pair[0].0 == pair[1].0 && pair[0].1 + 1 == pair[1].1);
    if !consecutive {
        return None;
    }
    let mut applicability = Applicability::Safe;
    let mut entries = Vec::with_capacity(writes.len());
    for (index, w) in writes.iter().enumerate() {
        let WriteKind::SetItem {
            key,
            value: Some(value),
        } = w.kind
        else {
            return None;
        };
        for part in [key, value] {
            if any_subexpr(part, |e| cx.is_session(e, unit.scope)) {
                return None; // merging would move a read of the session before writes
            }
            if any_subexpr(part, |e| {
                matches!(
                    e,
                    Expr::Call(_)
                        | Expr::Await(_)
                        | Expr::Yield(_)
                        | Expr::YieldFrom(_)
                        | Expr::Named(_)
                )
            }) {
                applicability = Applicability::Unsafe;
            }
        }
        let next = writes
            .get(index + 1)
            .map_or_else(|| w.stmt.end(), |next| next.stmt.start());
        let between = TextRange::new(w.stmt.end(), next.max(w.stmt.end()));
        let line_end = cx.line_end(w.stmt.end());
        let comments = cx
            .comments_in(between)
            .iter()
            .map(|c| (c.start() <= line_end, &cx.source[c.to_std_range()]))
            .collect();
        let multiline_string = any_subexpr(value, |e| {
            matches!(
                e,
                Expr::StringLiteral(_)
                    | Expr::BytesLiteral(_)
                    | Expr::FString(_)
                    | Expr::TString(_)
            ) && cx.text(e).contains(['\n', '\r'])
        });
        entries.push(Entry {
            key: key_text(cx, key)?,
            value: value_text(cx, value)?,
            reindent: !multiline_string,
            comments,
        });
    }
    let first = writes[0].stmt;
    let last = writes[writes.len() - 1].stmt;
    let indent = cx.indentation(first)?;
    let content = render(session, indent, cx.line_ending(), &entries);
    Some(Fix {
        applicability,
        message: format!("Merge into one `{session}.update(...)` call"),
        edits: vec![Edit::replace(
            TextRange::new(first.start(), last.end()),
            content,
        )],
    })
}

/// The key's source text, parenthesized where a dict display needs it;
/// `None` for a slice or a bare starred key, which cannot be dict keys.
fn key_text(cx: &Checker, key: &Expr) -> Option<String> {
    match key {
        Expr::Slice(_) | Expr::Starred(_) => None,
        // `session[a:, b]`, `session[*keys]`: a slice, or a starred
        // element without its tuple's comma, is only valid in a subscript.
        Expr::Tuple(tuple)
            if tuple
                .elts
                .iter()
                .any(|elt| matches!(elt, Expr::Slice(_) | Expr::Starred(_))) =>
        {
            None
        }
        Expr::Tuple(tuple) if !tuple.parenthesized => Some(format!("({})", cx.text(key))),
        _ => Some(cx.text(key).to_string()),
    }
}

/// The value's source text, parenthesized where a dict display needs it;
/// `None` for a bare starred value (`session[k] = *x`), which Python
/// rejects and a dict display cannot hold.
fn value_text(cx: &Checker, value: &Expr) -> Option<String> {
    let needs_parentheses = match value {
        Expr::Starred(_) => return None,
        Expr::Tuple(tuple) => !tuple.parenthesized,
        Expr::Named(_) | Expr::Yield(_) | Expr::YieldFrom(_) => true,
        _ => false,
    };
    Some(if needs_parentheses {
        format!("({})", cx.text(value))
    } else {
        cx.text(value).to_string()
    })
}

fn render(session: &str, indent: &str, newline: &str, entries: &[Entry]) -> String {
    let one_line = format!(
        "{session}.update({{{}}})",
        entries
            .iter()
            .map(|e| format!("{}: {}", e.key, e.value))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let spread = entries
        .iter()
        .any(|e| !e.comments.is_empty() || e.value.contains(['\n', '\r']));
    if !spread && indent.chars().count() + one_line.chars().count() <= LINE_LENGTH {
        return one_line;
    }
    let step = if indent.contains('\t') { "\t" } else { "    " };
    let inner = format!("{indent}{step}");
    let mut text = format!("{session}.update({{{newline}");
    for entry in entries {
        let value = if entry.reindent {
            entry.value.replace('\n', &format!("\n{step}"))
        } else {
            entry.value.clone()
        };
        text.push_str(&format!("{inner}{}: {value},", entry.key));
        for (same_line, comment) in &entry.comments {
            if *same_line {
                text.push_str(&format!("  {comment}"));
            } else {
                text.push_str(&format!("{newline}{inner}{comment}"));
            }
        }
        text.push_str(newline);
    }
    text.push_str(&format!("{indent}}})"));
    text
}
