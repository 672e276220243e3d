//! Which names denote the Flask session, scope by scope.
//!
//! This is what separates flasklint from grep. An import binds a local name
//! to a qualified name (`from flask import session as s` binds `s` to
//! `flask.session`; `import flask as f` binds `f` to `flask`, so `f.session`
//! is `flask.session`). A name bound any other way in a scope (a parameter,
//! an assignment, a `for` target, a `def`) is not an import there and
//! shadows the import of an enclosing scope, as Python's own name
//! resolution does. The model is flow-insensitive within a scope: a name
//! bound both by an import and by something else is not trusted.

use std::borrow::Cow;
use std::path::Path;

use ruff_python_ast::name::UnqualifiedName;
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, ExprContext, Pattern, Stmt};

use super::fast_hash::{FastMap, FastSet};
use crate::flask::{FLASK_SESSION, SESSION_MEMBERS};
use crate::project::{ModuleName, Project, absolute_module};

/// Qualified names that are Flask's request.
const FLASK_REQUEST: &[&str] = &["flask.request", "flask.globals.request"];

/// `imported` followed by the chain's other segments (`flask.session` for
/// `flask` and `["session"]`).
fn qualify(mut imported: String, rest: &[&str]) -> String {
    for segment in rest {
        imported.push('.');
        imported.push_str(segment);
    }
    imported
}

/// The name an attribute chain starts from (`shop` for `shop.compat.s`).
fn head_name(mut expr: &Expr) -> &str {
    loop {
        match expr {
            Expr::Attribute(attribute) => expr = &attribute.value,
            Expr::Name(name) => return name.id.as_str(),
            _ => return "",
        }
    }
}

/// Index of a scope in [`SessionModel`].
pub(crate) type ScopeId = usize;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Binding {
    /// Bound only by imports of this qualified name.
    Import(String),
    /// Bound some other way, or by imports of different things.
    Other,
    /// Bound only by assignments of a name or dotted chain (`s = session`),
    /// settled once the walk has seen every import: the session's own
    /// qualified name when each of them assigns the session, else `Other`.
    Alias,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ScopeKind {
    Module,
    Class,
    Function,
}

#[derive(Debug)]
struct Scope<'a> {
    kind: ScopeKind,
    parent: Option<ScopeId>,
    bindings: FastMap<Cow<'a, str>, Binding>,
    /// Names declared `global` here: looked up in the module scope.
    globals: Vec<&'a str>,
}

/// A stretch of code that runs as one call: a function body, or the module
/// body. Rules look at units one at a time.
#[derive(Debug)]
pub(crate) struct Unit<'a> {
    /// The function's name, or `<module>`.
    pub(crate) name: &'a str,
    /// The scope its names resolve in.
    pub(crate) scope: ScopeId,
    /// Its statements (nested functions and classes are their own units).
    pub(crate) body: &'a [Stmt],
}

/// The session model of one file.
#[derive(Debug)]
pub(crate) struct SessionModel<'a> {
    scopes: Vec<Scope<'a>>,
    units: Vec<Unit<'a>>,
    session_names: Vec<String>,
    /// Names bound (in any scope) by imports that lead to the session or
    /// the request.
    heads: Vec<String>,
    /// Functions defined at the module's top level.
    module_functions: Vec<&'a str>,
    /// The file's module, when it has a name.
    module: Option<ModuleName>,
}

/// Where a file stands in its project, for what one file cannot say.
#[derive(Debug, Clone, Copy)]
pub struct InProject<'p> {
    /// The project.
    pub(crate) project: &'p Project,
    /// The file's absolute path; `None` for a text of no file.
    pub(crate) file: Option<&'p Path>,
}

impl<'p> InProject<'p> {
    /// A text checked in `project` as the file at `file`.
    pub fn new(project: &'p Project, file: Option<&'p Path>) -> Self {
        Self { project, file }
    }
}

impl<'a> SessionModel<'a> {
    /// Builds the model of a module. `extra_session_names` are more dotted
    /// paths that are the session (the `session-names` setting); the
    /// project resolves relative imports and says which imported names are
    /// re-exports of the session.
    pub(crate) fn build(
        module: &'a [Stmt],
        extra_session_names: &[String],
        in_project: InProject,
    ) -> Self {
        let mut session_names: Vec<String> = FLASK_SESSION
            .iter()
            .map(|name| (*name).to_string())
            .collect();
        session_names.extend(extra_session_names.iter().cloned());
        let module_name = in_project
            .file
            .and_then(|file| in_project.project.module_of(file));
        let package = module_name.as_ref().and_then(ModuleName::package);
        let mut builder = Builder {
            model: SessionModel {
                scopes: Vec::new(),
                units: Vec::new(),
                session_names,
                heads: Vec::new(),
                module_functions: Vec::new(),
                module: None,
            },
            current: 0,
            package,
            uses_as_session: Vec::new(),
            star_imports: Vec::new(),
            aliases: Vec::new(),
        };
        builder.push_scope(ScopeKind::Module);
        builder.model.units.push(Unit {
            name: "<module>",
            scope: 0,
            body: module,
        });
        visitor::walk_body(&mut builder, module);
        let uses = std::mem::take(&mut builder.uses_as_session);
        let stars = std::mem::take(&mut builder.star_imports);
        let aliases = std::mem::take(&mut builder.aliases);
        let mut model = builder.model;
        if let Some(module) = &module_name {
            model.add_reexports(&uses, &stars, in_project.project, module);
        }
        model.settle_aliases(&aliases);
        model.heads = model.import_heads();
        model.module = module_name;
        model
    }

    /// Adds the project's re-exports of the session that the file uses as
    /// a session (`uses`, each in its scope): a name imported from a module
    /// of the project (`from .compat import s`), a chain through an
    /// imported module (`myapp.compat.session`), or a name no scope binds
    /// that one of the file's `*` imports (`stars`) does. Only such uses
    /// are asked about: asking about every import would read every module
    /// the file imports.
    fn add_reexports(
        &mut self,
        uses: &[(&'a Expr, ScopeId)],
        stars: &[String],
        project: &Project,
        module: &ModuleName,
    ) {
        // Most uses are of locals, `request` or Flask's session: only a
        // name imported from the project, or (with `*` imports) a name no
        // import binds, is looked at further. Asked per head a use has,
        // not of every import: a file's uses have few heads.
        let mut project_heads: FastMap<&str, bool> = FastMap::default();
        let scopes = &self.scopes;
        let mut from_project = |head: &'a str| {
            *project_heads.entry(head).or_insert_with(|| {
                scopes.iter().any(|scope| {
                    matches!(scope.bindings.get(head),
                        Some(Binding::Import(imported)) if project.may_hold(imported, module))
                })
            })
        };
        let mut asked = FastSet::default();
        let mut asked_stars = FastSet::default();
        let mut found = Vec::new();
        let mut star_bindings = Vec::new();
        for (expr, scope) in uses {
            let head = head_name(expr);
            if head.is_empty() {
                continue;
            }
            if from_project(head) {
                let Some(qualified) = self.imported_name(expr, *scope) else {
                    continue;
                };
                if !self.session_names.contains(&qualified)
                    && asked.insert(qualified.clone())
                    && project.is_session(&qualified, module)
                {
                    found.push(qualified);
                }
            } else if !stars.is_empty()
                && asked_stars.insert(head)
                && self.resolve(head, *scope).is_none()
            {
                // A name no scope binds may come from a `*` import, which
                // binds it at the module's top.
                let star = stars
                    .iter()
                    .find(|star| project.star_binds_session(star, head, module));
                if let Some(star) = star {
                    star_bindings.push((head.to_string(), format!("{star}.{head}")));
                }
            }
        }
        for (head, imported) in star_bindings {
            self.scopes[0]
                .bindings
                .insert(Cow::Owned(head), Binding::Import(imported.clone()));
            found.push(imported);
        }
        self.session_names.extend(found);
    }

    /// Settles the names bound only by assignments of dotted names, in
    /// source order (so that `t = s` after `s = session` follows `s`): such
    /// a name is the session in its scope when every assignment to it
    /// there assigns the session. A name also bound some other way in the
    /// scope (`s = other` later) is not trusted anywhere in it, as the
    /// model is flow-insensitive.
    fn settle_aliases(&mut self, aliases: &[(ScopeId, &'a str, &'a Expr)]) {
        for &(scope, name, value) in aliases {
            let target = self.session_denoted(value, scope);
            let settled = match (self.scopes[scope].bindings.get(name), target) {
                (Some(Binding::Alias), Some(target)) => Binding::Import(target),
                (Some(Binding::Import(known)), Some(target)) if *known == target => continue,
                (Some(Binding::Alias | Binding::Import(_)), _) => Binding::Other,
                _ => continue,
            };
            self.scopes[scope]
                .bindings
                .insert(Cow::Borrowed(name), settled);
        }
        for scope in &mut self.scopes {
            for binding in scope.bindings.values_mut() {
                if *binding == Binding::Alias {
                    *binding = Binding::Other;
                }
            }
        }
    }

    /// The session name (`flask.session`) a name or chain denotes in
    /// `scope`, through imports and settled aliases.
    fn session_denoted(&self, value: &Expr, scope: ScopeId) -> Option<String> {
        let qualified = self.imported_name(value, scope)?;
        self.session_names.contains(&qualified).then_some(qualified)
    }

    /// The qualified name a name or chain stands for in `scope` through
    /// the import that binds its head (`flask.session` for `f.session`
    /// after `import flask as f`).
    fn imported_name(&self, expr: &Expr, scope: ScopeId) -> Option<String> {
        let name = UnqualifiedName::from_expr(expr)?;
        let (head, rest) = name.segments().split_first()?;
        match self.resolve(head, scope) {
            Some(Binding::Import(imported)) => Some(qualify(imported.clone(), rest)),
            _ => None,
        }
    }

    /// The qualified name a call's callee stands for in `scope`: through
    /// its imports (`flask.flash` for `flash`), or `module.f` for a
    /// function `f` defined at the top of this file.
    pub(crate) fn callee_name(&self, func: &Expr, scope: ScopeId) -> Option<String> {
        let name = UnqualifiedName::from_expr(func)?;
        let (head, rest) = name.segments().split_first()?;
        let imported = match self.resolve(head, scope) {
            Some(Binding::Import(imported)) => imported.clone(),
            Some(Binding::Other) if rest.is_empty() && self.module_functions.contains(head) => {
                format!("{}.{head}", self.module.as_ref()?.name)
            }
            _ => return None,
        };
        Some(qualify(imported, rest))
    }

    /// The names bound by imports of a prefix of a session or request name
    /// (`flask`, `flask.globals`, `flask.session`).
    fn import_heads(&self) -> Vec<String> {
        let targets: Vec<&str> = self
            .session_names
            .iter()
            .map(String::as_str)
            .chain(FLASK_REQUEST.iter().copied())
            .collect();
        let leads_to = |module: &str| {
            targets.iter().any(|target| {
                target
                    .strip_prefix(module)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
            })
        };
        let mut heads: Vec<String> = self
            .scopes
            .iter()
            .flat_map(|scope| scope.bindings.iter())
            .filter(|(_, binding)| matches!(binding, Binding::Import(module) if leads_to(module)))
            .map(|(name, _)| name.to_string())
            .collect();
        heads.sort();
        heads.dedup();
        heads
    }

    /// The units of the file: the module body first, then every function in
    /// source order.
    pub(crate) fn units(&self) -> &[Unit<'a>] {
        &self.units
    }

    /// Whether `expr` denotes the Flask session in `scope`.
    pub(crate) fn is_session(&self, expr: &Expr, scope: ScopeId) -> bool {
        self.denotes(expr, scope, self.session_names.iter().map(String::as_str))
    }

    /// Whether `expr` denotes Flask's `request` in `scope`.
    pub(crate) fn is_request(&self, expr: &Expr, scope: ScopeId) -> bool {
        self.denotes(expr, scope, FLASK_REQUEST.iter().copied())
    }

    /// The qualified names that are the session in this file: Flask's,
    /// `session-names`, and the project's re-exports it imports.
    pub(crate) fn session_names(&self) -> &[String] {
        &self.session_names
    }

    /// The file's module, when it has a name.
    pub(crate) fn module(&self) -> Option<&ModuleName> {
        self.module.as_ref()
    }

    /// The local names through which the session may be reached (`session`,
    /// `sess`, `flask`), for a cheap look at whether a unit's text can use
    /// it at all.
    pub(crate) fn session_heads(&self) -> &[String] {
        &self.heads
    }

    /// Whether `expr` (a name or a dotted attribute chain) resolves through
    /// the imports in scope to one of the qualified `names`. This runs on
    /// every subscript and call, so it allocates nothing and rejects early.
    fn denotes<'n>(
        &self,
        expr: &Expr,
        scope: ScopeId,
        names: impl Iterator<Item = &'n str>,
    ) -> bool {
        let head = match expr {
            Expr::Name(name) => name.id.as_str(),
            Expr::Attribute(_) => match UnqualifiedName::from_expr(expr) {
                Some(ref name) => return self.denotes_segments(name.segments(), scope, names),
                None => return false,
            },
            _ => return false,
        };
        self.denotes_segments(&[head], scope, names)
    }

    fn denotes_segments<'n>(
        &self,
        segments: &[&str],
        scope: ScopeId,
        mut names: impl Iterator<Item = &'n str>,
    ) -> bool {
        let Some((head, rest)) = segments.split_first() else {
            return false;
        };
        if !self.heads.iter().any(|candidate| candidate == head) {
            return false;
        }
        let Some(Binding::Import(module)) = self.resolve(head, scope) else {
            return false;
        };
        names.any(|qualified| {
            let Some(mut remainder) = qualified.strip_prefix(module.as_str()) else {
                return false;
            };
            for segment in rest {
                match remainder
                    .strip_prefix('.')
                    .and_then(|r| r.strip_prefix(segment))
                {
                    Some(r) => remainder = r,
                    None => return false,
                }
            }
            remainder.is_empty()
        })
    }

    fn resolve(&self, name: &str, scope: ScopeId) -> Option<&Binding> {
        let start = &self.scopes[scope];
        if start.globals.contains(&name) {
            return self.scopes[0].bindings.get(name);
        }
        let mut current = Some(scope);
        while let Some(id) = current {
            let here = &self.scopes[id];
            // A class body's names are invisible to the functions inside it.
            let visible = id == scope || here.kind != ScopeKind::Class;
            if visible && let Some(binding) = here.bindings.get(name) {
                return Some(binding);
            }
            current = here.parent;
        }
        None
    }

    /// Qualified names that `from module import *` brings in.
    fn star_names(&self, module: &str) -> Vec<(String, String)> {
        let known = self
            .session_names
            .iter()
            .map(String::as_str)
            .chain(FLASK_REQUEST.iter().copied());
        known
            .filter_map(|qualified| {
                let (parent, last) = qualified.rsplit_once('.')?;
                (parent == module).then(|| (last.to_string(), qualified.to_string()))
            })
            .collect()
    }
}

struct Builder<'a, 'p> {
    model: SessionModel<'a>,
    current: ScopeId,
    /// The file's package, for relative imports.
    package: Option<&'p str>,
    /// Names and chains used as a session is (subscripted, or through a
    /// session method), with their scopes: the candidates for re-exports.
    uses_as_session: Vec<(&'a Expr, ScopeId)>,
    /// The modules of `from module import *` (absolute).
    star_imports: Vec<String>,
    /// Assignments of a name or chain to a name (`s = session`), with
    /// their scopes, in source order.
    aliases: Vec<(ScopeId, &'a str, &'a Expr)>,
}

impl<'a> Builder<'a, '_> {
    fn push_scope(&mut self, kind: ScopeKind) -> ScopeId {
        let parent = (!self.model.scopes.is_empty()).then_some(self.current);
        self.model.scopes.push(Scope {
            kind,
            parent,
            bindings: FastMap::default(),
            globals: Vec::new(),
        });
        self.current = self.model.scopes.len() - 1;
        self.current
    }

    fn pop_scope(&mut self) {
        self.current = self.model.scopes[self.current].parent.unwrap_or(0);
    }

    fn bind(&mut self, name: impl Into<Cow<'a, str>>, binding: Binding) {
        let name = name.into();
        let scope = if self.model.scopes[self.current]
            .globals
            .contains(&name.as_ref())
        {
            0
        } else {
            self.current
        };
        let bindings = &mut self.model.scopes[scope].bindings;
        match bindings.get(&name) {
            Some(existing) if *existing != binding => {
                bindings.insert(name, Binding::Other);
            }
            Some(_) => {}
            None => {
                bindings.insert(name, binding);
            }
        }
    }

    fn bind_import(&mut self, alias: &'a ast::Alias) {
        let module = alias.name.as_str();
        match &alias.asname {
            Some(asname) => self.bind(asname.as_str(), Binding::Import(module.to_string())),
            None => {
                // `import a.b.c` binds `a`, through which `a.b.c` is reached.
                let head = module.split('.').next().unwrap_or(module);
                self.bind(head, Binding::Import(head.to_string()));
            }
        }
    }

    fn bind_import_from(&mut self, import: &'a ast::StmtImportFrom) {
        // A relative import resolves from the file's package; without one,
        // what it binds is not an import of anything flasklint knows.
        let module = absolute_module(self.package, import.level, import.module.as_deref());
        let module = module.as_deref();
        for alias in &import.names {
            if alias.name.as_str() == "*" {
                if let Some(module) = module {
                    for (name, qualified) in self.model.star_names(module) {
                        self.bind(name, Binding::Import(qualified));
                    }
                    self.star_imports.push(module.to_string());
                }
                continue;
            }
            let local = alias.asname.as_ref().unwrap_or(&alias.name).as_str();
            let binding = match module {
                Some(module) => Binding::Import(format!("{module}.{}", alias.name.as_str())),
                None => Binding::Other,
            };
            self.bind(local, binding);
        }
    }

    fn used_as_session(&mut self, value: &'a Expr) {
        if matches!(value, Expr::Name(_) | Expr::Attribute(_)) {
            self.uses_as_session.push((value, self.current));
        }
    }

    fn visit_function(&mut self, function: &'a ast::StmtFunctionDef) {
        for decorator in &function.decorator_list {
            self.visit_decorator(decorator);
        }
        // Defaults and annotations are evaluated in the enclosing scope.
        for parameter in function.parameters.iter() {
            if let Some(default) = parameter.default() {
                self.visit_expr(default);
            }
        }
        self.bind(function.name.as_str(), Binding::Other);
        if self.current == 0 {
            self.model.module_functions.push(function.name.as_str());
        }
        let scope = self.push_scope(ScopeKind::Function);
        for parameter in function.parameters.iter() {
            self.bind(parameter.name().as_str(), Binding::Other);
        }
        collect_globals(&function.body, &mut self.model.scopes[scope].globals);
        self.model.units.push(Unit {
            name: function.name.as_str(),
            scope,
            body: &function.body,
        });
        self.visit_body(&function.body);
        self.pop_scope();
    }

    fn visit_class(&mut self, class: &'a ast::StmtClassDef) {
        for decorator in &class.decorator_list {
            self.visit_decorator(decorator);
        }
        if let Some(arguments) = &class.arguments {
            self.visit_arguments(arguments);
        }
        self.bind(class.name.as_str(), Binding::Other);
        self.push_scope(ScopeKind::Class);
        self.visit_body(&class.body);
        self.pop_scope();
    }
}

impl<'a> Visitor<'a> for Builder<'a, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(function) => self.visit_function(function),
            Stmt::ClassDef(class) => self.visit_class(class),
            Stmt::Import(import) => import
                .names
                .iter()
                .for_each(|alias| self.bind_import(alias)),
            Stmt::ImportFrom(import) => self.bind_import_from(import),
            // `s = session`: settled once every import is known.
            Stmt::Assign(ast::StmtAssign { targets, value, .. })
                if matches!(targets.as_slice(), [Expr::Name(_)])
                    && matches!(&**value, Expr::Name(_) | Expr::Attribute(_)) =>
            {
                if let [Expr::Name(target)] = targets.as_slice() {
                    self.bind(target.id.as_str(), Binding::Alias);
                    self.aliases
                        .push((self.current, target.id.as_str(), &**value));
                }
                self.visit_expr(value);
            }
            Stmt::Try(try_stmt) => {
                for handler in &try_stmt.handlers {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    if let Some(name) = &handler.name {
                        self.bind(name.as_str(), Binding::Other);
                    }
                }
                visitor::walk_stmt(self, stmt);
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Name(name) if matches!(name.ctx, ExprContext::Store | ExprContext::Del) => {
                self.bind(name.id.as_str(), Binding::Other);
            }
            Expr::Subscript(ast::ExprSubscript { value, .. }) => self.used_as_session(value),
            Expr::Attribute(ast::ExprAttribute { value, attr, .. })
                if SESSION_MEMBERS.contains(&attr.as_str()) =>
            {
                self.used_as_session(value);
            }
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }

    fn visit_pattern(&mut self, pattern: &'a Pattern) {
        match pattern {
            Pattern::MatchAs(ast::PatternMatchAs {
                name: Some(name), ..
            })
            | Pattern::MatchStar(ast::PatternMatchStar {
                name: Some(name), ..
            })
            | Pattern::MatchMapping(ast::PatternMatchMapping {
                rest: Some(name), ..
            }) => {
                self.bind(name.as_str(), Binding::Other);
            }
            _ => {}
        }
        visitor::walk_pattern(self, pattern);
    }
}

/// Names declared `global` anywhere in a function body (not in nested
/// functions, which have their own declarations).
fn collect_globals<'a>(body: &'a [Stmt], globals: &mut Vec<&'a str>) {
    struct Globals<'a, 'g>(&'g mut Vec<&'a str>);
    impl<'a> Visitor<'a> for Globals<'a, '_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::Global(global) => self.0.extend(global.names.iter().map(|n| n.as_str())),
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                _ => visitor::walk_stmt(self, stmt),
            }
        }
        fn visit_expr(&mut self, _: &'a Expr) {}
    }
    Globals(globals).visit_body(body);
}

#[cfg(test)]
mod tests {
    use super::*;
    use ruff_python_parser::parse_module;
    use ruff_text_size::{Ranged, TextSize};

    /// The unit whose body contains `at`, innermost first (for tests and
    /// diagnostics that start from an offset).
    fn unit_at<'m>(model: &'m SessionModel<'_>, at: TextSize) -> Option<&'m Unit<'m>> {
        model.units().iter().rev().find(|unit| {
            let first = unit.body.first().map(Ranged::start);
            let last = unit.body.last().map(Ranged::end);
            matches!((first, last), (Some(first), Some(last)) if first <= at && at <= last)
        })
    }

    /// Whether the expression at the first occurrence of `marker` (an
    /// expression's source text) denotes the session in its function.
    fn is_session(source: &str, marker: &str, extra: &[&str]) -> bool {
        let parsed = parse_module(source).expect("test source parses");
        let extra: Vec<String> = extra.iter().map(|s| (*s).to_string()).collect();
        let project = Project::empty();
        let model = SessionModel::build(
            &parsed.syntax().body,
            &extra,
            InProject::new(&project, None),
        );
        let at = TextSize::try_from(source.rfind(marker).expect("marker in source")).unwrap();
        let unit = unit_at(&model, at).expect("marker inside a unit");
        let expr = find_expr(&parsed.syntax().body, at, marker.len()).expect("expr at marker");
        model.is_session(expr, unit.scope)
    }

    fn find_expr(body: &[Stmt], at: TextSize, len: usize) -> Option<&Expr> {
        struct Find<'a> {
            at: TextSize,
            len: usize,
            found: Option<&'a Expr>,
        }
        impl<'a> Visitor<'a> for Find<'a> {
            fn visit_expr(&mut self, expr: &'a Expr) {
                if expr.start() == self.at && usize::from(expr.range().len()) == self.len {
                    self.found.get_or_insert(expr);
                }
                visitor::walk_expr(self, expr);
            }
        }
        let mut find = Find {
            at,
            len,
            found: None,
        };
        find.visit_body(body);
        find.found
    }

    #[test]
    fn from_flask_import_session() {
        assert!(is_session(
            "from flask import session\ndef f():\n    session\n",
            "session",
            &[]
        ));
    }

    #[test]
    fn alias_and_flask_globals() {
        let src = "from flask.globals import session as s\ndef f():\n    s\n";
        assert!(is_session(src, "s", &[]));
    }

    #[test]
    fn star_import() {
        assert!(is_session(
            "from flask import *\ndef f():\n    session\n",
            "session",
            &[]
        ));
        assert!(!is_session(
            "from os import *\ndef f():\n    session\n",
            "session",
            &[]
        ));
    }

    #[test]
    fn module_import_and_alias() {
        assert!(is_session(
            "import flask\ndef f():\n    flask.session\n",
            "flask.session",
            &[]
        ));
        assert!(is_session(
            "import flask as fl\ndef f():\n    fl.session\n",
            "fl.session",
            &[]
        ));
        let src = "import flask.globals\ndef f():\n    flask.globals.session\n";
        assert!(is_session(src, "flask.globals.session", &[]));
    }

    #[test]
    fn not_the_session() {
        assert!(!is_session("def f():\n    session\n", "session", &[]));
        let src = "from app import db\ndef f():\n    db.session\n";
        assert!(!is_session(src, "db.session", &[]));
        let src = "import requests\ndef f():\n    s = requests.Session()\n    s\n";
        assert!(!is_session(src, "s", &[]));
        let src = "from flask import session\nfrom app import db\ndef f():\n    db.session\n";
        assert!(!is_session(src, "db.session", &[]));
    }

    #[test]
    fn parameter_and_local_assignment_shadow() {
        let src = "from flask import session\ndef f(session):\n    session\n";
        assert!(!is_session(src, "session", &[]));
        let src = "from flask import session\ndef f():\n    session\n    session = {}\n";
        assert!(!is_session(src, "session", &[]));
        let src = "from flask import session\ndef f():\n    for session in x:\n        session\n";
        assert!(!is_session(src, "session", &[]));
    }

    #[test]
    fn shadowing_is_per_scope() {
        let src = "from flask import session\ndef f(session):\n    pass\ndef g():\n    session\n";
        assert!(is_session(src, "session", &[]));
    }

    #[test]
    fn nested_function_sees_enclosing_import_but_not_class_scope() {
        let src =
            "def outer():\n    from flask import session\n    def inner():\n        session\n";
        assert!(is_session(src, "session", &[]));
        let src = "class V:\n    from flask import session\n    def get(self):\n        session\n";
        assert!(!is_session(src, "session", &[]));
    }

    #[test]
    fn global_declaration_reaches_the_module_binding() {
        let src = "from flask import session\ndef f():\n    global session\n    session\n";
        assert!(is_session(src, "session", &[]));
    }

    #[test]
    fn configured_session_names() {
        let src = "from myapp.compat import session as sess\ndef f():\n    sess\n";
        assert!(!is_session(src, "sess", &[]));
        assert!(is_session(src, "sess", &["myapp.compat.session"]));
    }

    #[test]
    fn conflicting_module_bindings_are_not_trusted() {
        let src = "from flask import session\nsession = make()\ndef f():\n    session\n";
        assert!(!is_session(src, "session", &[]));
    }
}
