//! The facts of one module that other files ask about: what its top-level
//! names are bound to, and what each of its top-level functions does to the
//! session on every path through it. Extracted from the module alone; the
//! questions that need other modules are answered by [`super::Project`].

use std::collections::{HashMap, HashSet};

use ruff_python_ast::name::UnqualifiedName;
use ruff_python_ast::{self as ast, Expr, Stmt};

use crate::analysis::checker::{is_compound, leaves_block};
use crate::input::source::parse_module;

/// Words without which a module can neither bind the session, re-export
/// it nor write it, so that it is not parsed for its facts.
const FACT_WORDS: &[&[u8]] = &[
    b"session",
    b"import",
    b"flash",
    b"login_user",
    b"logout_user",
    b"confirm_login",
    b"identity_changed",
];

/// What one module binds and does.
#[derive(Debug, Default)]
pub(crate) struct ModuleFacts {
    /// Top-level names bound to a qualified name: by imports (`session`
    /// to `flask.session`, `helpers` to `myapp.helpers`), by assignment of
    /// a dotted name (`session = flask.session`), or as a `LocalProxy`
    /// over one (`session = LocalProxy(lambda: flask.session)`).
    imports: HashMap<String, String>,
    /// The modules of `from module import *`, which bind their names here.
    star_imports: Vec<String>,
    /// The names of a literal `__all__`: what `*` imports of this module
    /// bind.
    all: Option<Vec<String>>,
    /// Top-level functions, by name.
    functions: HashMap<String, EveryPath>,
}

/// What a function does on every path through it, as qualified names
/// still to be judged: the session if one of `writes` is the session, or
/// if one of `calls` marks it.
#[derive(Debug, Default, Clone)]
pub(crate) struct EveryPath {
    /// What is written as if it were the session (`flask.session`,
    /// `myapp.compat.session`).
    pub(crate) writes: Vec<String>,
    /// Functions called (`flask.flash`, `myapp.auth.remember`).
    pub(crate) calls: Vec<String>,
}

impl ModuleFacts {
    /// The facts of the module `name` (a package when `is_package`) with
    /// this text; a text that names none of the words facts need is not
    /// parsed.
    pub(crate) fn of(name: &str, is_package: bool, text: &str) -> Self {
        let bytes = text.as_bytes();
        if !FACT_WORDS
            .iter()
            .any(|word| memchr::memmem::find(bytes, word).is_some())
        {
            return Self::default();
        }
        let parsed = parse_module(text);
        let Some(module) = parsed.syntax().as_module() else {
            return Self::default();
        };
        let package = if is_package {
            Some(name)
        } else {
            name.rsplit_once('.').map(|(package, _)| package)
        };
        let mut facts = Self::default();
        let mut functions = Vec::new();
        facts.bind_top_level(&module.body, package, &mut functions);
        // Summaries resolve names defined anywhere at the top level, also
        // below the function that calls them.
        let names: HashSet<&str> = functions.iter().map(|f| f.name.as_str()).collect();
        for function in functions {
            let summary = facts.every_path(function, name, &names);
            facts.functions.insert(function.name.to_string(), summary);
        }
        facts
    }

    /// The qualified name `name`, bound at the module's top level, stands
    /// for.
    pub(crate) fn import_of(&self, name: &str) -> Option<&str> {
        self.imports.get(name).map(String::as_str)
    }

    /// The modules whose names `from module import *` binds here.
    pub(crate) fn star_imports(&self) -> &[String] {
        &self.star_imports
    }

    /// Whether `from this_module import *` binds `name`: a name of
    /// `__all__`, or without one any name not starting with `_`.
    pub(crate) fn exports_to_star(&self, name: &str) -> bool {
        match &self.all {
            Some(all) => all.iter().any(|exported| exported == name),
            None => !name.starts_with('_'),
        }
    }

    /// What the top-level function `name` does on every path.
    pub(crate) fn function(&self, name: &str) -> Option<&EveryPath> {
        self.functions.get(name)
    }

    /// Imports, aliases and functions of a block at the module's top level
    /// (also inside top-level `if` and `try`: `try: from flask import ...`).
    fn bind_top_level<'a>(
        &mut self,
        body: &'a [Stmt],
        package: Option<&str>,
        functions: &mut Vec<&'a ast::StmtFunctionDef>,
    ) {
        for stmt in body {
            match stmt {
                Stmt::Import(import) => {
                    for alias in &import.names {
                        let imported = alias.name.as_str();
                        match &alias.asname {
                            Some(asname) => self.bind_import(asname.as_str(), imported),
                            None => {
                                let head = imported.split('.').next().unwrap_or(imported);
                                self.bind_import(head, head);
                            }
                        }
                    }
                }
                Stmt::ImportFrom(import) => {
                    let Some(from) =
                        absolute_module(package, import.level, import.module.as_deref())
                    else {
                        continue;
                    };
                    for alias in &import.names {
                        if &alias.name == "*" {
                            self.star_imports.push(from.clone());
                            continue;
                        }
                        let local = alias.asname.as_ref().unwrap_or(&alias.name).as_str();
                        self.bind_import(local, &format!("{from}.{}", alias.name.as_str()));
                    }
                }
                Stmt::Assign(assign) if matches!(assign.targets.as_slice(), [Expr::Name(name)] if name.id.as_str() == "__all__") =>
                {
                    self.all = literal_strings(&assign.value);
                }
                Stmt::Assign(assign) => {
                    let Some(target) = self.bound_value(&assign.value, functions) else {
                        continue;
                    };
                    for name in assign.targets.iter().filter_map(Expr::as_name_expr) {
                        self.bind_import(name.id.as_str(), &target);
                    }
                }
                // `session: Any = LocalProxy(_get_session)` (CKAN's).
                Stmt::AnnAssign(assign) => {
                    let (Expr::Name(name), Some(value)) = (&*assign.target, &assign.value) else {
                        continue;
                    };
                    if let Some(target) = self.bound_value(value, functions) {
                        self.bind_import(name.id.as_str(), &target);
                    }
                }
                Stmt::FunctionDef(function) => functions.push(function),
                Stmt::If(if_stmt) => {
                    self.bind_top_level(&if_stmt.body, package, functions);
                    for clause in &if_stmt.elif_else_clauses {
                        self.bind_top_level(&clause.body, package, functions);
                    }
                }
                Stmt::Try(try_stmt) => {
                    self.bind_top_level(&try_stmt.body, package, functions);
                    for handler in &try_stmt.handlers {
                        let ast::ExceptHandler::ExceptHandler(handler) = handler;
                        self.bind_top_level(&handler.body, package, functions);
                    }
                    self.bind_top_level(&try_stmt.orelse, package, functions);
                }
                _ => {}
            }
        }
    }

    fn bind_import(&mut self, local: &str, qualified: &str) {
        self.imports
            .insert(local.to_string(), qualified.to_string());
    }

    /// The qualified name an assigned value stands for: a dotted name
    /// through the imports (`flask.session`), or the target of a werkzeug
    /// `LocalProxy` over one (`LocalProxy(lambda: flask.session)`, or over
    /// a function defined above that only returns one: CKAN's
    /// `LocalProxy(_get_session)`).
    fn bound_value(&self, value: &Expr, functions: &[&ast::StmtFunctionDef]) -> Option<String> {
        match value {
            Expr::Call(call) => {
                let proxy = self
                    .qualified(&call.func)
                    .is_some_and(|callee| callee.ends_with("LocalProxy"));
                let target = call.arguments.args.first()?;
                match target {
                    _ if !proxy => None,
                    Expr::Lambda(lambda) => self.qualified(&lambda.body),
                    Expr::Name(name) if !self.imports.contains_key(name.id.as_str()) => {
                        let function = functions
                            .iter()
                            .rev()
                            .find(|f| f.name.as_str() == name.id.as_str())?;
                        self.qualified(only_returned(&function.body)?)
                    }
                    other => self.qualified(other),
                }
            }
            other => self.qualified(other),
        }
    }

    /// The qualified name a name or dotted chain stands for through the
    /// module's top-level imports (`flask.session` for `flask.session`
    /// after `import flask`).
    fn qualified(&self, expr: &Expr) -> Option<String> {
        let name = UnqualifiedName::from_expr(expr)?;
        let (head, rest) = name.segments().split_first()?;
        let mut qualified = self.imports.get(*head)?.clone();
        for segment in rest {
            qualified.push('.');
            qualified.push_str(segment);
        }
        Some(qualified)
    }

    /// What a top-level function does before anything can end its path
    /// early: the statements of its body up to the first one that may
    /// return, raise or branch around the rest (a `with` body always runs).
    fn every_path(
        &self,
        function: &ast::StmtFunctionDef,
        module: &str,
        top_level_functions: &HashSet<&str>,
    ) -> EveryPath {
        let mut shadowed: HashSet<&str> = function
            .parameters
            .iter()
            .map(|parameter| parameter.name().as_str())
            .collect();
        for stmt in &function.body {
            if let Stmt::Assign(assign) = stmt {
                for target in &assign.targets {
                    if let Expr::Name(name) = target {
                        shadowed.insert(name.id.as_str());
                    }
                }
            }
        }
        let resolve = |expr: &Expr| -> Option<String> {
            if let Expr::Name(name) = expr {
                if shadowed.contains(name.id.as_str()) {
                    return None;
                }
                if top_level_functions.contains(name.id.as_str())
                    && !self.imports.contains_key(name.id.as_str())
                {
                    return Some(format!("{module}.{}", name.id));
                }
            }
            self.qualified(expr)
        };
        let mut summary = EveryPath::default();
        summarize_block(&function.body, &resolve, &mut summary);
        summary
    }
}

/// Adds what `block` does on every path to `summary`; false when the block
/// may end the path early (so that what follows it is not on every path).
fn summarize_block(
    block: &[Stmt],
    resolve: &dyn Fn(&Expr) -> Option<String>,
    summary: &mut EveryPath,
) -> bool {
    for stmt in block {
        match stmt {
            Stmt::With(with) => {
                if !summarize_block(&with.body, resolve, summary) {
                    return false;
                }
            }
            Stmt::Return(ret) => {
                // `return helper()` calls before it returns.
                if let Some(Expr::Call(call)) = ret.value.as_deref() {
                    summary.calls.extend(resolve(&call.func));
                }
                return false;
            }
            // What a branch or loop does is not on every path; one that
            // may leave ends what is.
            _ if leaves_block(stmt) => return false,
            _ if is_compound(stmt) => {}
            simple => summarize_simple(simple, resolve, summary),
        }
    }
    true
}

/// The session writes and the calls a simple statement always makes.
fn summarize_simple(
    stmt: &Stmt,
    resolve: &dyn Fn(&Expr) -> Option<String>,
    summary: &mut EveryPath,
) {
    let mut written = |target: &Expr| match target {
        Expr::Subscript(subscript) => summary.writes.extend(resolve(&subscript.value)),
        Expr::Attribute(attribute)
            if matches!(attribute.attr.as_str(), "modified" | "permanent") =>
        {
            summary.writes.extend(resolve(&attribute.value));
        }
        _ => {}
    };
    let call = match stmt {
        Stmt::Assign(assign) => {
            assign.targets.iter().for_each(&mut written);
            assign.value.as_call_expr()
        }
        Stmt::AugAssign(aug) => {
            written(&aug.target);
            None
        }
        Stmt::Delete(delete) => {
            delete.targets.iter().for_each(&mut written);
            None
        }
        Stmt::AnnAssign(ann) => ann.value.as_deref().and_then(Expr::as_call_expr),
        Stmt::Expr(expr) => expr.value.as_call_expr(),
        _ => None,
    };
    let Some(call) = call else { return };
    // `session.update(...)` and the other writes that always mark it.
    if let Expr::Attribute(attribute) = &*call.func
        && (matches!(attribute.attr.as_str(), "update" | "clear" | "popitem")
            || (attribute.attr.as_str() == "pop" && call.arguments.len() == 1))
        && let Some(receiver) = resolve(&attribute.value)
    {
        summary.writes.push(receiver);
        return;
    }
    summary.calls.extend(resolve(&call.func));
}

/// What a function body does if all it does is return one value
/// (after a docstring): `def _get_session(): return flask.session`.
fn only_returned(body: &[Stmt]) -> Option<&Expr> {
    let body = match body {
        [Stmt::Expr(docstring), rest @ ..] if docstring.value.is_string_literal_expr() => rest,
        body => body,
    };
    match body {
        [Stmt::Return(ret)] => ret.value.as_deref(),
        _ => None,
    }
}

/// The strings of a list or tuple display of string literals.
fn literal_strings(value: &Expr) -> Option<Vec<String>> {
    let elements = match value {
        Expr::List(list) => &list.elts,
        Expr::Tuple(tuple) => &tuple.elts,
        _ => return None,
    };
    elements
        .iter()
        .map(|element| Some(element.as_string_literal_expr()?.value.to_str().to_string()))
        .collect()
}

/// The absolute name of the module a `from` import names: `level` dots
/// up from `package` (the importing module's package), then `module`.
pub(crate) fn absolute_module(
    package: Option<&str>,
    level: u32,
    module: Option<&str>,
) -> Option<String> {
    if level == 0 {
        return module.map(str::to_string);
    }
    let mut parts: Vec<&str> = package?.split('.').collect();
    for _ in 1..level {
        parts.pop()?;
    }
    if parts.is_empty() {
        return None;
    }
    let mut name = parts.join(".");
    if let Some(module) = module {
        name.push('.');
        name.push_str(module);
    }
    Some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_imports_resolve_from_the_package() {
        assert_eq!(
            absolute_module(Some("shop.views"), 1, Some("compat")).as_deref(),
            Some("shop.views.compat")
        );
        assert_eq!(
            absolute_module(Some("shop.views"), 2, Some("models")).as_deref(),
            Some("shop.models")
        );
        assert_eq!(
            absolute_module(Some("shop"), 1, None).as_deref(),
            Some("shop")
        );
        assert_eq!(absolute_module(Some("shop"), 3, Some("x")), None);
        assert_eq!(absolute_module(None, 1, Some("x")), None);
        assert_eq!(
            absolute_module(None, 0, Some("flask")).as_deref(),
            Some("flask")
        );
    }

    #[test]
    fn facts_of_a_module() {
        let text = "from flask import session as s, flash\nimport flask\nfrom .other import thing\nsess = flask.session\n\ndef remember(user):\n    s['user'] = user.id\n\ndef maybe(x):\n    if x:\n        return\n    s['x'] = 1\n\ndef note():\n    flash('hi')\n    return helper()\n";
        let facts = ModuleFacts::of("shop.auth", false, text);
        assert_eq!(facts.import_of("s"), Some("flask.session"));
        assert_eq!(facts.import_of("thing"), Some("shop.other.thing"));
        assert_eq!(facts.import_of("sess"), Some("flask.session"));
        assert_eq!(
            facts.function("remember").map(|f| f.writes.clone()),
            Some(vec!["flask.session".to_string()])
        );
        assert!(facts.function("maybe").is_some_and(|f| f.writes.is_empty()));
        assert_eq!(
            facts.function("note").map(|f| f.calls.clone()),
            Some(vec!["flask.flash".to_string()])
        );
    }
}
