//! FL101 repeated-session-write: more session writes than
//! `max-session-writes` that can run in one call of one function.
//!
//! Writes are counted along the heaviest path through the function:
//! branches of an `if`/`elif`/`else`, the cases of a `match`, and a `try`
//! body versus each of its handlers are alternatives; a `return` or `raise`
//! ends a path; loop bodies are skipped (their writes are FL102's).

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use super::chain::Chain;
use crate::analysis::checker::{Checker, Unit, any_subexpr};
use crate::analysis::session_ops::{SessionWrite, UnitFacts, WriteKind};
use crate::rules::Rule;
use crate::rules::finding::{Applicability, Edit, Finding, Fix};

/// Lines longer than this get the multi-line form of the fix, as in ruff's
/// and Black's default line length.
const LINE_LENGTH: usize = 88;

/// Checks one unit.
pub(crate) fn check(cx: &Checker, facts: &UnitFacts, findings: &mut Vec<Finding>) {
    let unit = facts.unit;
    let outside_loops = facts.writes.iter().filter(|(_, in_loop)| !in_loop).count();
    if outside_loops <= cx.options.max_session_writes {
        return; // no path can have more
    }
    let paths = Paths::of_block(cx, facts, unit.body);
    let heaviest = longer(paths.through, paths.exits).unwrap_or_default();
    if heaviest.len() <= cx.options.max_session_writes {
        return;
    }
    let writes: Vec<&Write> = heaviest.items();
    let first = writes[0];
    let rows: Vec<String> = writes
        .iter()
        .map(|w| cx.row(w.write.range.start()).to_string())
        .collect();
    let session = cx.text(first.write.session);
    let message = format!(
        "`{session}` is written {} times in `{}` (lines {}); batch the writes into one `{session}.update(...)`",
        writes.len(),
        unit.name,
        rows.join(", ")
    );
    let finding = Finding::new(Rule::RepeatedSessionWrite, message, first.write.range)
        .with_help(help(cx, session, &writes))
        .with_fix(fix(cx, unit, session, &writes));
    findings.push(finding);
}

/// A write on a path, with where its statement stands when it is a whole
/// statement (the block's address and the index in it), for the fix.
#[derive(Debug)]
struct Write<'a> {
    write: SessionWrite<'a>,
    place: Option<(usize, usize)>,
}

/// The heaviest path that falls through a piece of code, and the heaviest
/// that leaves the function inside it (by `return` or `raise`). `None`:
/// no path does.
#[derive(Debug, Default)]
struct Paths<'a> {
    through: Option<Chain<Write<'a>>>,
    exits: Option<Chain<Write<'a>>>,
}

impl<'a> Paths<'a> {
    fn of_block(cx: &Checker, facts: &UnitFacts<'_, 'a>, block: &'a [Stmt]) -> Self {
        let mut acc = Paths {
            through: Some(Chain::new()),
            exits: None,
        };
        let address = block.as_ptr() as usize;
        for (index, stmt) in block.iter().enumerate() {
            let Some(before) = acc.through.take() else {
                break; // the rest of the block is unreachable
            };
            let step = Self::of_stmt(cx, facts, stmt, (address, index));
            acc.exits = longer(acc.exits, step.exits.map(|exit| before.clone().join(exit)));
            acc.through = step.through.map(|through| before.join(through));
        }
        acc
    }

    fn of_stmt(
        cx: &Checker,
        facts: &UnitFacts<'_, 'a>,
        stmt: &'a Stmt,
        place: (usize, usize),
    ) -> Self {
        let header = Chain::of(
            facts
                .writes_of(stmt)
                .map(|write| Write {
                    place: write.is_whole_statement().then_some(place),
                    write: *write,
                })
                .collect(),
        );
        let body = match stmt {
            Stmt::Return(_) | Stmt::Raise(_) => Paths {
                through: None,
                exits: Some(Chain::new()),
            },
            Stmt::If(s) => {
                let has_else = s.elif_else_clauses.last().is_some_and(|c| c.test.is_none());
                let branches = std::iter::once(&s.body[..])
                    .chain(s.elif_else_clauses.iter().map(|c| &c.body[..]));
                Self::alternatives(cx, facts, branches, !has_else)
            }
            Stmt::Match(s) => {
                let exhaustive = s
                    .cases
                    .last()
                    .is_some_and(|c| c.pattern.is_irrefutable() && c.guard.is_none());
                Self::alternatives(cx, facts, s.cases.iter().map(|c| &c.body[..]), !exhaustive)
            }
            Stmt::Try(s) => Self::of_try(cx, facts, s),
            Stmt::With(s) => Self::of_block(cx, facts, &s.body),
            // The loop body's writes are FL102's; `else` runs once.
            Stmt::For(ast::StmtFor { orelse, .. }) | Stmt::While(ast::StmtWhile { orelse, .. }) => {
                Self::of_block(cx, facts, orelse)
            }
            _ => Paths {
                through: Some(Chain::new()),
                exits: None,
            },
        };
        Paths {
            through: body.through.map(|through| header.clone().join(through)),
            exits: body.exits.map(|exit| header.join(exit)),
        }
    }

    /// Mutually exclusive blocks; `fallthrough`: none of them may run.
    fn alternatives(
        cx: &Checker,
        facts: &UnitFacts<'_, 'a>,
        blocks: impl Iterator<Item = &'a [Stmt]>,
        fallthrough: bool,
    ) -> Self {
        let mut acc = Paths {
            through: fallthrough.then(Chain::new),
            exits: None,
        };
        for block in blocks {
            let paths = Self::of_block(cx, facts, block);
            acc.through = longer(acc.through, paths.through);
            acc.exits = longer(acc.exits, paths.exits);
        }
        acc
    }

    fn of_try(cx: &Checker, facts: &UnitFacts<'_, 'a>, s: &'a ast::StmtTry) -> Self {
        let body = Self::of_block(cx, facts, &s.body);
        let orelse = Self::of_block(cx, facts, &s.orelse);
        let mut acc = Paths {
            exits: longer(
                body.exits,
                body.through
                    .clone()
                    .and_then(|b| orelse.exits.map(|e| b.join(e))),
            ),
            through: body.through.and_then(|b| orelse.through.map(|t| b.join(t))),
        };
        for handler in &s.handlers {
            let ast::ExceptHandler::ExceptHandler(handler) = handler;
            let paths = Self::of_block(cx, facts, &handler.body);
            acc.through = longer(acc.through, paths.through);
            acc.exits = longer(acc.exits, paths.exits);
        }
        let finally = Self::of_block(cx, facts, &s.finalbody);
        let Some(finally_through) = finally.through else {
            // `finally` always leaves: every path ends there.
            let all = longer(acc.through, acc.exits);
            return Paths {
                through: None,
                exits: all.map(|p| p.join(finally.exits.unwrap_or_default())),
            };
        };
        Paths {
            through: acc.through.map(|p| p.join(finally_through.clone())),
            exits: acc.exits.map(|p| p.join(finally_through)),
        }
    }
}

/// The path with more writes (the first on a tie).
fn longer<'a>(
    a: Option<Chain<Write<'a>>>,
    b: Option<Chain<Write<'a>>>,
) -> Option<Chain<Write<'a>>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if b.len() > a.len() { b } else { a }),
        (a, b) => a.or(b),
    }
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

fn help(cx: &Checker, session: &str, writes: &[&Write]) -> String {
    let entries: Vec<String> = writes
        .iter()
        .filter_map(|w| match w.write.kind {
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
fn fix(cx: &Checker, unit: &Unit, session: &str, writes: &[&Write]) -> Option<Fix> {
    let places: Vec<(usize, usize)> = writes.iter().map(|w| w.place).collect::<Option<_>>()?;
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
        } = w.write.kind
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
            .map_or_else(|| w.write.stmt.end(), |next| next.write.stmt.start());
        let between = TextRange::new(w.write.stmt.end(), next.max(w.write.stmt.end()));
        let line_end = cx.line_end(w.write.stmt.end());
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
    let first = writes[0].write.stmt;
    let last = writes[writes.len() - 1].write.stmt;
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
