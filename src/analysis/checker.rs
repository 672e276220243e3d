//! What a rule sees: the file's text and session model, the unit of code
//! it checks, and walks over that unit's statements and expressions.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::path::Path;

use ruff_python_ast::statement_visitor::{StatementVisitor, walk_stmt};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::analysis::fast_hash::FastMap;
pub(crate) use crate::analysis::session::Unit;
use crate::analysis::session::{ScopeId, SessionModel};
use crate::analysis::session_keys::{Access, Key, unit_key_uses};
use crate::config::file::{SessionBackend, SessionSerializer};
use crate::config::settings::RuleOptions;
use crate::input::source::LineIndex;
use crate::project::{Backend, ModuleName, Project, Serializer};

/// What a file does with one literal session key.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FileKey {
    /// Where the file first writes it.
    pub(crate) first_write: Option<TextSize>,
    /// Whether the file reads it.
    pub(crate) read: bool,
}

/// The shared context of every rule on one file.
#[derive(Debug)]
pub(crate) struct Checker<'a> {
    /// The file's text (after any byte order mark).
    pub(crate) source: &'a str,
    /// Which names are the session.
    pub(crate) model: &'a SessionModel<'a>,
    /// The project the file is in.
    pub(crate) project: &'a Project,
    /// The file's absolute path; `None` for a text of no file.
    pub(crate) file: Option<&'a Path>,
    /// The rule options.
    pub(crate) options: &'a RuleOptions,
    /// Ranges of the file's comments, in order.
    pub(crate) comments: &'a [TextRange],
    /// The file's line index.
    pub(crate) lines: &'a LineIndex,
    /// The file's literal session keys, found on first need.
    pub(crate) keys: OnceCell<FastMap<String, FileKey>>,
}

impl Checker<'_> {
    /// The source text of a node.
    pub(crate) fn text(&self, node: &impl Ranged) -> &str {
        self.source
            .get(node.range().to_std_range())
            .unwrap_or_default()
    }

    /// A node's source text on one short line, for messages.
    pub(crate) fn snippet(&self, node: &impl Ranged) -> String {
        one_line_quote(self.text(node))
    }

    /// The 1-based row of an offset, for messages that name lines.
    pub(crate) fn row(&self, at: TextSize) -> usize {
        self.lines.line_of(at) + 1
    }

    /// The line break the file uses: `\r\n` if its first line ends so.
    pub(crate) fn line_ending(&self) -> &'static str {
        match self.source.find(['\n', '\r']) {
            Some(at) if self.source[at..].starts_with("\r\n") => "\r\n",
            _ => "\n",
        }
    }

    /// Whether `expr` is the Flask session in `scope`.
    pub(crate) fn is_session(&self, expr: &Expr, scope: ScopeId) -> bool {
        self.model.is_session(expr, scope)
    }

    /// What the whole file does with each literal session key: the rules
    /// that compare keys across the file ask, once per file.
    pub(crate) fn file_keys(&self) -> &FastMap<String, FileKey> {
        self.keys.get_or_init(|| {
            let mut keys: FastMap<String, FileKey> = FastMap::default();
            for unit in self.model.units() {
                for key_use in unit_key_uses(self, unit) {
                    let Key::Literal(key) = key_use.key else {
                        continue;
                    };
                    let entry = keys.entry(key).or_default();
                    match key_use.access {
                        Access::Read => entry.read = true,
                        Access::Write => {
                            let first = entry.first_write.get_or_insert(key_use.at);
                            *first = (*first).min(key_use.at);
                        }
                    }
                }
            }
            keys
        })
    }

    /// The session backend in force for this file.
    pub(crate) fn backend(&self) -> Cow<'_, Backend> {
        backend_in_force(self.project, self.options, self.model.module())
    }

    /// Whether calling `func` in `scope` always marks the session modified:
    /// `flash(...)`, Flask-Login's `login_user(...)`, or a function of the
    /// project that writes the session on every path.
    pub(crate) fn marks_session_call(&self, func: &Expr, scope: ScopeId) -> bool {
        let Some(module) = self.model.module() else {
            return false;
        };
        let Some(callee) = self.model.callee_name(func, scope) else {
            return false;
        };
        self.project.marks_session(&callee, module)
    }

    /// The comments inside `range`.
    pub(crate) fn comments_in(&self, range: TextRange) -> &[TextRange] {
        let first = self.comments.partition_point(|c| c.start() < range.start());
        let last = self.comments.partition_point(|c| c.start() < range.end());
        &self.comments[first..last]
    }

    /// The whitespace before the statement on its line, or `None` when
    /// other code precedes it there (a one-line suite, or after `;`).
    pub(crate) fn indentation(&self, stmt: &Stmt) -> Option<&str> {
        let start = usize::from(stmt.start());
        let line_start = self.source[..start]
            .rfind(['\n', '\r'])
            .map_or(0, |at| at + 1);
        let before = &self.source[line_start..start];
        before
            .chars()
            .all(|c| c == ' ' || c == '\t')
            .then_some(before)
    }

    /// The offset of the end of the line on which `at` stands (before its
    /// line break).
    pub(crate) fn line_end(&self, at: TextSize) -> TextSize {
        let at = usize::from(at);
        let end = self.source[at..]
            .find(['\n', '\r'])
            .map_or(self.source.len(), |offset| at + offset);
        crate::input::source::offset(end)
    }
}

/// Characters of code a message quotes before it shortens the quote.
const QUOTE_CHARS: usize = 60;

/// Code quoted on one line: whole when it is one short line; else its
/// first line cut short, then `...` and the string and brackets it left
/// open, closed (`{"a", ...}`, `f(...)`, `"abc..."`), so that a quote in a
/// message never looks unbalanced. A comment is never quoted.
pub(crate) fn one_line_quote(text: &str) -> String {
    let first_line = text.split(['\n', '\r']).next().unwrap_or_default();
    if first_line.len() == text.len() && first_line.chars().count() <= QUOTE_CHARS {
        return text.to_string();
    }
    let cut: String = first_line.chars().take(QUOTE_CHARS - 3).collect();
    let open = OpenDelimiters::scan(&cut);
    let kept = cut[..open.code_end].trim_end();
    let mut quote = kept.to_string();
    if kept.ends_with(',') {
        quote.push(' ');
    }
    quote.push_str("...");
    if let Some(string_quote) = open.string {
        quote.push_str(string_quote);
    }
    quote.extend(open.closers.iter().rev());
    quote
}

/// What a cut piece of code leaves open.
struct OpenDelimiters {
    /// The closing brackets owed, innermost last.
    closers: Vec<char>,
    /// The quote of a string left open (`"`, `'''`).
    string: Option<&'static str>,
    /// Where the code ends: the start of a comment, or the end.
    code_end: usize,
}

impl OpenDelimiters {
    fn scan(code: &str) -> Self {
        const QUOTES: [&str; 4] = ["\"\"\"", "'''", "\"", "'"];
        let mut open = Self {
            closers: Vec::new(),
            string: None,
            code_end: code.len(),
        };
        let mut at = 0;
        while let Some(c) = code[at..].chars().next() {
            let rest = &code[at..];
            let mut step = c.len_utf8();
            if let Some(quote) = open.string {
                if c == '\\' {
                    // The escaped character is skipped with the backslash.
                    step += rest[1..].chars().next().map_or(0, char::len_utf8);
                } else if rest.starts_with(quote) {
                    open.string = None;
                    step = quote.len();
                }
            } else if let Some(quote) = QUOTES.iter().find(|quote| rest.starts_with(**quote)) {
                open.string = Some(quote);
                step = quote.len();
            } else if c == '#' {
                open.code_end = at;
                break;
            } else if let Some(closer) = closer_of(c) {
                open.closers.push(closer);
            } else if matches!(c, ')' | ']' | '}') {
                open.closers.pop();
            }
            at += step;
        }
        open
    }
}

fn closer_of(opener: char) -> Option<char> {
    match opener {
        '(' => Some(')'),
        '[' => Some(']'),
        '{' => Some('}'),
        _ => None,
    }
}

/// Where a statement stands in its unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StmtContext {
    /// Inside the body of a `for` or `while` loop of this unit.
    pub(crate) in_loop: bool,
}

/// Calls `f` on every statement of a unit, in source order, with its
/// context. Nested functions and classes are not entered: they are units
/// of their own (their decorators and defaults are not walked either).
pub(crate) fn for_each_stmt<'a>(body: &'a [Stmt], f: &mut impl FnMut(&'a Stmt, StmtContext)) {
    walk_block(body, StmtContext { in_loop: false }, f);
}

fn walk_block<'a>(body: &'a [Stmt], cx: StmtContext, f: &mut impl FnMut(&'a Stmt, StmtContext)) {
    for stmt in body {
        f(stmt, cx);
        for_each_child_block(stmt, &mut |block, in_loop| {
            walk_block(
                block,
                StmtContext {
                    in_loop: cx.in_loop || in_loop,
                },
                f,
            );
        });
    }
}

/// Calls `f` on each block directly inside a compound statement, with
/// whether it is a loop body.
pub(crate) fn for_each_child_block<'a>(stmt: &'a Stmt, f: &mut impl FnMut(&'a [Stmt], bool)) {
    match stmt {
        Stmt::If(s) => {
            f(&s.body, false);
            s.elif_else_clauses.iter().for_each(|c| f(&c.body, false));
        }
        Stmt::For(ast::StmtFor { body, orelse, .. })
        | Stmt::While(ast::StmtWhile { body, orelse, .. }) => {
            f(body, true);
            f(orelse, false);
        }
        Stmt::With(s) => f(&s.body, false),
        Stmt::Match(s) => s.cases.iter().for_each(|c| f(&c.body, false)),
        Stmt::Try(s) => {
            f(&s.body, false);
            for handler in &s.handlers {
                let ast::ExceptHandler::ExceptHandler(handler) = handler;
                f(&handler.body, false);
            }
            f(&s.orelse, false);
            f(&s.finalbody, false);
        }
        _ => {}
    }
}

/// Whether a statement has blocks of its own.
pub(crate) fn is_compound(stmt: &Stmt) -> bool {
    matches!(
        stmt,
        Stmt::If(_) | Stmt::For(_) | Stmt::While(_) | Stmt::With(_) | Stmt::Match(_) | Stmt::Try(_)
    )
}

/// Calls `f` on the expressions a statement evaluates itself, outside its
/// child blocks: all of a simple statement's, a compound statement's
/// header.
pub(crate) fn for_each_own_expr<'a>(stmt: &'a Stmt, f: &mut impl FnMut(&'a Expr)) {
    match stmt {
        Stmt::If(s) => {
            f(&s.test);
            s.elif_else_clauses
                .iter()
                .filter_map(|c| c.test.as_ref())
                .for_each(f);
        }
        Stmt::For(s) => {
            f(&s.iter);
            f(&s.target);
        }
        Stmt::While(s) => f(&s.test),
        Stmt::With(s) => {
            for item in &s.items {
                f(&item.context_expr);
                if let Some(vars) = &item.optional_vars {
                    f(vars);
                }
            }
        }
        Stmt::Match(s) => {
            f(&s.subject);
            s.cases
                .iter()
                .filter_map(|c| c.guard.as_deref())
                .for_each(f);
        }
        Stmt::Try(s) => {
            for handler in &s.handlers {
                let ast::ExceptHandler::ExceptHandler(handler) = handler;
                if let Some(type_) = &handler.type_ {
                    f(type_);
                }
            }
        }
        Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
        simple => ChildExprs(f).visit_stmt(simple),
    }
}

/// Hands the top-level expressions of a simple statement to a callback.
struct ChildExprs<'f, F>(&'f mut F);

impl<'a, F: FnMut(&'a Expr)> Visitor<'a> for ChildExprs<'_, F> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        (self.0)(expr);
    }
}

/// Calls `f` on `expr` and every expression inside it, outer first, except
/// the bodies of lambdas, which do not run where they are written.
pub(crate) fn for_each_subexpr<'a>(expr: &'a Expr, f: &mut impl FnMut(&'a Expr)) {
    struct Each<'f, F>(&'f mut F);
    impl<'a, F: FnMut(&'a Expr)> Visitor<'a> for Each<'_, F> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            (self.0)(expr);
            if !matches!(expr, Expr::Lambda(_)) {
                visitor::walk_expr(self, expr);
            }
        }
    }
    Each(f).visit_expr(expr);
}

/// Whether any expression inside `expr` (itself included) satisfies `f`,
/// lambda bodies included.
pub(crate) fn any_subexpr(expr: &Expr, f: impl FnMut(&Expr) -> bool) -> bool {
    ruff_python_ast::helpers::any_over_expr(expr, f)
}

/// The last segment of a call's callee, e.g. `all` for `q.all()`.
pub(crate) fn method_name(call: &ast::ExprCall) -> Option<&str> {
    match &*call.func {
        Expr::Attribute(attribute) => Some(attribute.attr.as_str()),
        _ => None,
    }
}

/// The receiver of a method call, e.g. `q` for `q.all()`.
pub(crate) fn receiver(call: &ast::ExprCall) -> Option<&Expr> {
    match &*call.func {
        Expr::Attribute(attribute) => Some(&attribute.value),
        _ => None,
    }
}

/// The callee's name when it is a plain name, e.g. `set` for `set(x)`.
pub(crate) fn function_name(call: &ast::ExprCall) -> Option<&str> {
    match &*call.func {
        Expr::Name(name) => Some(name.id.as_str()),
        _ => None,
    }
}

/// Whether control can leave the block containing `stmt` from inside it:
/// a `return` or `raise` anywhere in it, or a `break` or `continue` that is
/// not inside a loop within it (nested functions and classes aside).
pub(crate) fn leaves_block(stmt: &Stmt) -> bool {
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

/// The session backend: the one the configuration names, else the one the
/// project installs for the app of `module` (with the configured
/// serializer, if any).
pub(crate) fn backend_in_force<'p>(
    project: &'p Project,
    options: &RuleOptions,
    module: Option<&ModuleName>,
) -> Cow<'p, Backend> {
    let serializer = options
        .session_serializer
        .map(|serializer| match serializer {
            SessionSerializer::TaggedJson => Serializer::TaggedJson,
            SessionSerializer::Msgpack => Serializer::Msgpack,
            SessionSerializer::Json => Serializer::Json,
            SessionSerializer::Pickle => Serializer::Pickle,
        });
    let mut backend = match options.session_backend {
        None => Cow::Borrowed(project.backend(module)),
        Some(SessionBackend::Cookie) => Cow::Owned(Backend::cookie(
            "`session-backend = \"cookie\"` in the configuration",
        )),
        Some(SessionBackend::Server) => Cow::Owned(Backend {
            name: "a server-side session store".to_string(),
            cookie: false,
            in_cookie: Some(false),
            serializer: Serializer::Unknown,
            saves_every_request: None,
            evidence: "`session-backend = \"server\"` in the configuration".to_string(),
        }),
    };
    if let Some(serializer) = serializer {
        backend.to_mut().serializer = serializer;
    }
    backend
}

#[cfg(test)]
mod tests {
    use super::one_line_quote;

    #[test]
    fn quotes_are_one_line_and_balanced() {
        assert_eq!(one_line_quote("session[\"a\"]"), "session[\"a\"]");
        assert_eq!(one_line_quote("{\"a\",\n \"b\"}"), "{\"a\", ...}");
        assert_eq!(one_line_quote("{\n  1: 2}"), "{...}");
        assert_eq!(one_line_quote("f(x,  # why\n  y)"), "f(x, ...)");
        assert_eq!(one_line_quote("g(\"#\",\n 1)"), "g(\"#\", ...)");
        let long = format!("\"{}\"", "x".repeat(100));
        assert_eq!(one_line_quote(&long), format!("\"{}...\"", "x".repeat(56)));
        assert_eq!(one_line_quote("h('''a\nb''')"), "h('''a...''')");
        assert_eq!(
            one_line_quote("[\"\\\"\", (1,\n 2)]"),
            "[\"\\\"\", (1, ...)]"
        );
    }
}
