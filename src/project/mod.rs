//! The project: what no single file holds. Which modules re-export the
//! Flask session (`from myapp.compat import session`), and which of the
//! project's functions write it on every path, so that calling one marks
//! the session modified.
//!
//! A module is read for its facts only when a checked file imports from
//! it, once per run, and never parsed when its text cannot bind or write
//! the session. Parsing every file twice, once for facts and once to check
//! it, would double the parse cost the benchmark holds flasklint to. The
//! answers follow imports from module to module; each question keeps the
//! modules it has visited, so cycles end, and only the answer to the
//! question asked is kept, so answers do not depend on the order in which
//! threads ask them.

mod backend;
mod keys;
mod module;
mod near_key;

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex, OnceLock};

use rayon::prelude::*;

pub(crate) use backend::{Backend, Serializer, is_dependency_file};
use backend::{BackendFacts, Version};
use keys::KeyText;
pub(crate) use keys::{ProjectKeys, owner_of, reads_template_keys, shown_write};
use module::ModuleFacts;
pub(crate) use module::absolute_module;

use crate::analysis::fast_hash::{FastMap, FastSet};
use crate::config::patterns::{PathPattern, excludes_entry, is_within};
use crate::flask::{FLASK_SESSION, MARKING_CALLS};
use crate::input::discover::WalkedFiles;
use crate::input::prefilter::{imports, used_as_session};
use crate::input::read::{read_regular_file, read_source};
use crate::input::walk::walk_parallel;
use crate::sync::lock;

/// Where a file stands among the project's modules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleName {
    /// The dotted name: `myapp.views.cart`.
    pub(crate) name: String,
    /// Whether the file is a package's `__init__.py`.
    pub(crate) is_package: bool,
    /// The directory its top package is in: where Python finds it.
    pub(crate) import_root: PathBuf,
}

impl ModuleName {
    /// The package relative imports start from.
    pub(crate) fn package(&self) -> Option<&str> {
        if self.is_package {
            Some(&self.name)
        } else {
            self.name.rsplit_once('.').map(|(package, _)| package)
        }
    }
}

fn is_package_dir(dir: &Path) -> bool {
    dir.join("__init__.py").is_file() || dir.join("__init__.pyi").is_file()
}

/// Shown the bytes of each file the scan reads, with its index among the
/// files to check when the scan was given it: the check notes which files
/// it need not read again.
pub(crate) type OnRead<'a> = dyn Fn(&Path, Option<usize>, &[u8]) + Sync + 'a;

/// A file to check that discovery's walk found, by its absolute path, and
/// its index among the files to check.
pub(crate) type Checked<'a> = (&'a Path, usize);

/// A located module: its file, and whether it is a package.
type Located = Option<(PathBuf, bool)>;

/// The project's facts, read as they are asked for.
#[derive(Debug)]
pub struct Project {
    /// Where imports resolve when the importing file's own packages do not
    /// say: the root and its `src/`.
    roots: Vec<PathBuf>,
    max_file_size: u64,
    /// Whether a directory is a package, by its path's bytes (hashing a
    /// `Path` parses its components).
    package_dirs: Mutex<FastMap<Vec<u8>, bool>>,
    /// The names in `roots`, listed when the project is made, to rule out
    /// most imports at once without a lock.
    root_listings: Vec<FastSet<String>>,
    /// Whether an import root outside `roots` holds a top module, by the
    /// root's path bytes, then the module, looked at once. Asked, not
    /// listed: a project of namespace packages has an import root per
    /// directory, and each asks about few names.
    holds: Mutex<FastMap<Vec<u8>, FastMap<String, bool>>>,
    located: Mutex<FastMap<(PathBuf, String), Located>>,
    facts: Mutex<FastMap<PathBuf, Arc<ModuleFacts>>>,
    answers: Mutex<FastMap<(Question, PathBuf, String), bool>>,
    /// Where the backend is looked for: the root, or (when the root is only
    /// the current directory) the paths checked.
    scanned: Vec<PathBuf>,
    /// Excluded from the scan for the backend, as from discovery.
    excludes: Vec<PathPattern>,
    /// Folders of templates besides every `templates/` folder.
    template_dirs: Vec<PathBuf>,
    respect_gitignore: bool,
    /// The backends and the session keys, scanned for on the first
    /// question.
    scan: OnceLock<Scan>,
    /// What the scan could not read, for stderr at the end of the run.
    warnings: Mutex<Vec<String>>,
    /// Texts that replace files on disk (standard input).
    texts: Mutex<FastMap<PathBuf, Vec<u8>>>,
}

/// Why the scan reads a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ScannedKind {
    Source,
    Dependencies,
}

/// What the scan of every file under the root found.
#[derive(Debug)]
struct Scan {
    backends: Backends,
    keys: ProjectKeys,
    /// The attributes of the project's session objects beyond
    /// `SessionMixin`'s, sorted: `session.x` in a template reads no key.
    session_attributes: Vec<String>,
}

impl Scan {
    fn of_no_project() -> Self {
        Self {
            backends: Backends::One(Backend::cookie("no project")),
            keys: ProjectKeys::default(),
            session_attributes: Vec::new(),
        }
    }
}

/// The backend of every file, or of each app.
#[derive(Debug)]
enum Backends {
    One(Backend),
    /// By app (import root and top package), and the cookie for the rest.
    PerApp(FastMap<(String, PathBuf), Backend>, Backend),
}

/// Whether a sorted list holds `name`.
fn is_listed(sorted: &[String], name: &str) -> bool {
    sorted
        .binary_search_by(|item| item.as_str().cmp(name))
        .is_ok()
}

/// A module's app: its top package, under its import root.
fn app_of(module: &ModuleName) -> (String, PathBuf) {
    let top = module.name.split('.').next().unwrap_or_default();
    (top.to_string(), module.import_root.clone())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Question {
    IsSession,
    MarksSession,
}

impl Project {
    /// The project under `root`; files larger than `max_file_size` are not
    /// read for facts.
    pub(crate) fn new(
        root: &Path,
        scanned: Vec<PathBuf>,
        max_file_size: u64,
        excludes: Vec<PathPattern>,
        template_dirs: Vec<PathBuf>,
        respect_gitignore: bool,
    ) -> Self {
        let roots = vec![root.to_path_buf(), root.join("src")];
        let root_listings = roots.iter().map(|root| list_modules(root)).collect();
        Self {
            scanned,
            holds: Mutex::default(),
            root_listings,
            roots,
            max_file_size,
            package_dirs: Mutex::default(),
            located: Mutex::default(),
            facts: Mutex::default(),
            answers: Mutex::default(),
            excludes,
            template_dirs,
            respect_gitignore,
            scan: OnceLock::new(),
            warnings: Mutex::default(),
            texts: Mutex::default(),
        }
    }

    /// A project of no modules (for callers with one text and no tree).
    pub fn empty() -> Self {
        Self {
            roots: Vec::new(),
            root_listings: Vec::new(),
            scanned: Vec::new(),
            max_file_size: 0,
            package_dirs: Mutex::default(),
            holds: Mutex::default(),
            located: Mutex::default(),
            facts: Mutex::default(),
            answers: Mutex::default(),
            excludes: Vec::new(),
            template_dirs: Vec::new(),
            respect_gitignore: false,
            scan: OnceLock::from(Scan::of_no_project()),
            warnings: Mutex::default(),
            texts: Mutex::default(),
        }
    }

    /// Takes `text` as the file at `absolute` for its facts, instead of what
    /// is on disk: the unsaved text an editor sends on standard input.
    pub(crate) fn set_text(&self, absolute: &Path, text: &[u8]) {
        lock(&self.texts).insert(absolute.to_path_buf(), text.to_vec());
    }

    /// A file's bytes for its facts: the text given for it, or the disk's.
    fn read(&self, path: &Path) -> Option<Vec<u8>> {
        self.given_text(path)
            .or_else(|| read_source(path, self.max_file_size).ok())
    }

    /// The bytes of a file the scan's walk saw as a regular file.
    fn read_walked(&self, path: &Path) -> Option<Vec<u8>> {
        self.given_text(path)
            .or_else(|| read_regular_file(path, self.max_file_size).ok())
    }

    /// The text given for a file with [`Project::set_text`], if any.
    pub(crate) fn given_text(&self, path: &Path) -> Option<Vec<u8>> {
        lock(&self.texts).get(path).cloned()
    }

    /// Whether the file at `path` (absolute) is a Jinja template: under a
    /// `templates/` folder of the project, or a folder of `template-dirs`.
    pub(crate) fn is_template(&self, path: &Path) -> bool {
        if self.template_dirs.iter().any(|dir| path.starts_with(dir)) {
            return true;
        }
        // Asked of every file the walk meets: most paths hold no
        // `templates` at all, which the bytes say before any component is.
        static TEMPLATES: LazyLock<memchr::memmem::Finder<'static>> =
            LazyLock::new(|| memchr::memmem::Finder::new("templates"));
        if TEMPLATES
            .find(path.as_os_str().as_encoded_bytes())
            .is_none()
        {
            return false;
        }
        let below = self.root().and_then(|root| path.strip_prefix(root).ok());
        below
            .unwrap_or(path)
            .parent()
            .is_some_and(|dir| dir.components().any(|part| part.as_os_str() == "templates"))
    }

    /// The warnings of what the project could not read, once each.
    pub(crate) fn take_warnings(&self) -> Vec<String> {
        std::mem::take(&mut *lock(&self.warnings))
    }

    /// The project root.
    pub(crate) fn root(&self) -> Option<&Path> {
        self.roots.first().map(PathBuf::as_path)
    }

    /// Reads the backend now, in parallel on the current thread pool,
    /// showing `on_read` the bytes of each file it reads. The directories
    /// `walked` covers are not walked again. The session keys are read only
    /// when `keys_wanted` (a run without FL106 and FL107 has no use for
    /// them).
    pub(crate) fn scan_now(
        &self,
        on_read: &OnRead<'_>,
        walked: &WalkedFiles,
        checked: &[Checked<'_>],
        keys_wanted: bool,
    ) {
        self.scan
            .get_or_init(|| self.scan_files(Some(on_read), Some((walked, checked)), keys_wanted));
    }

    /// The session backend of the app the file at `module` belongs to.
    ///
    /// Found once: from the files under the root that discovery would find
    /// and that name `flask_session`, `session_interface` or a `SESSION_`
    /// setting, and Flask-Session's version from the dependency files.
    /// Each file's facts belong to its app: its top package under its
    /// import root. When one app (or none) installs a backend, every file
    /// uses it, with the settings of all files; when several do, each
    /// file uses its own app's, and a file of no such app the cookie.
    pub(crate) fn backend(&self, module: Option<&ModuleName>) -> &Backend {
        match &self.scan_result().backends {
            Backends::One(backend) => backend,
            Backends::PerApp(by_app, cookie) => module
                .and_then(|module| by_app.get(&app_of(module)))
                .unwrap_or(cookie),
        }
    }

    /// Whether `session.name` in a template is an attribute of the
    /// project's session object (Indico's `session.lang`, a property of
    /// its session class), not the key `name`.
    pub(crate) fn is_session_attribute(&self, name: &str) -> bool {
        is_listed(self.session_attributes(), name)
    }

    /// The attributes of the project's session objects beyond
    /// `SessionMixin`'s, sorted.
    pub(crate) fn session_attributes(&self) -> &[String] {
        &self.scan_result().session_attributes
    }

    /// The session keys the project's files write and read.
    pub(crate) fn keys(&self) -> &ProjectKeys {
        &self.scan_result().keys
    }

    fn scan_result(&self) -> &Scan {
        self.scan.get_or_init(|| self.scan_files(None, None, true))
    }

    /// Reads the project's facts from its files. `walked` is what discovery
    /// walked: its directories, the files it kept there, and the files to
    /// check it found there.
    fn scan_files(
        &self,
        on_read: Option<&OnRead<'_>>,
        walked: Option<(&WalkedFiles, &[Checked<'_>])>,
        keys_wanted: bool,
    ) -> Scan {
        let Some(root) = self.root() else {
            return Scan::of_no_project();
        };
        // Discovery's list of what it walked, borrowed where it covers a
        // root; the rest is walked here, and the texts given for files
        // (standard input) count, saved or not.
        let covered = |scanned: &Path| walked.filter(|(walked, _)| walked.covers(scanned));
        let walked_here: Vec<PathBuf> = self
            .scanned
            .iter()
            .filter(|scanned| covered(scanned).is_none())
            .flat_map(|scanned| self.walk(scanned))
            .chain(
                lock(&self.texts)
                    .keys()
                    .filter(|path| self.scanned.iter().any(|root| is_within(path, root)))
                    .cloned(),
            )
            .collect();
        let listed = self
            .scanned
            .iter()
            .filter_map(|scanned| Some((scanned, covered(scanned)?)))
            .flat_map(|(scanned, (walked, checked))| {
                walked
                    .files
                    .iter()
                    .map(|file| (file.as_path(), None))
                    .chain(checked.iter().map(|&(file, index)| (file, Some(index))))
                    .filter(move |(file, _)| is_within(file, scanned))
            })
            .chain(walked_here.iter().map(|file| (file.as_path(), None)));
        let (mut sources, mut dependency_files) = (Vec::new(), Vec::new());
        for (file, index) in listed {
            match self.scanned_kind(file) {
                Some(ScannedKind::Dependencies) => dependency_files.push(file),
                Some(ScannedKind::Source) => sources.push((file, index)),
                None => {}
            }
        }
        // Any fixed order will do (the facts are kept in it): bytes compare
        // faster than path components. Discovery lists what it kept in this
        // order, and the files to check in nearly this one (by name below
        // the working directory), so the sort mostly merges sorted runs. A
        // template is in both lists: the one with its index is kept.
        sources.sort_by(|(a, a_index), (b, b_index)| {
            (a.as_os_str(), a_index.is_none()).cmp(&(b.as_os_str(), b_index.is_none()))
        });
        sources.dedup_by(|(a, _), (b, _)| a == b);
        dependency_files.sort();
        dependency_files.dedup();
        type FileFacts = (Option<(String, BackendFacts)>, Option<(PathBuf, KeyText)>);
        let file_facts = |&(path, index): &(&Path, Option<usize>)| -> Option<FileFacts> {
            let bytes = self.read_walked(path)?;
            if let Some(on_read) = on_read {
                on_read(path, index, &bytes);
            }
            if self.is_template(path) {
                if !keys::reads_template_keys(keys_wanted, &bytes) {
                    return None;
                }
                let Ok(text) = String::from_utf8(bytes) else {
                    lock(&self.warnings).push(format!(
                        "warning: {}: not valid UTF-8; the session keys of this template are not read",
                        backend::shown(path, root)
                    ));
                    return None;
                };
                return Some((
                    None,
                    Some((path.to_path_buf(), keys::template_keys_text(&text))),
                ));
            }
            let says_backend = BackendFacts::may_say(&bytes);
            let names_keys = keys_wanted && keys::python_may_name_keys(&bytes);
            if !says_backend && !names_keys {
                return None;
            }
            let text = String::from_utf8(bytes).ok()?;
            let backend_facts = says_backend.then(|| {
                let shown = backend::shown(path, root);
                let facts = BackendFacts::of(&shown, &text);
                (shown, facts)
            });
            let key_facts = names_keys.then(|| (path.to_path_buf(), keys::python_keys(&text)));
            Some((backend_facts, key_facts))
        };
        // Each thread merges the key facts of its files as it goes: only
        // the project's keys outlive a file, not every file's list.
        let (facts, mut keys) = sources
            .par_iter()
            // Few accumulators: each holds its own copy of the keys met.
            .with_min_len(sources.len() / 8 + 1)
            .filter_map(file_facts)
            .fold(
                || (Vec::new(), ProjectKeys::default()),
                |(mut facts, mut keys), (backend_facts, key_facts)| {
                    facts.extend(backend_facts);
                    if let Some((path, text)) = key_facts {
                        keys.add(path, text);
                    }
                    (facts, keys)
                },
            )
            .reduce(
                || (Vec::new(), ProjectKeys::default()),
                |(mut facts, keys), (more_facts, more_keys)| {
                    facts.extend(more_facts);
                    (facts, keys.merge(more_keys))
                },
            );
        let mut facts: Vec<(String, BackendFacts)> = facts;
        // The backend's facts in path order, whichever thread read them.
        facts.sort_by(|a, b| a.0.cmp(&b.0));
        let version: Option<Version> = dependency_files.iter().find_map(|path| {
            match std::fs::read_to_string(path) {
                Ok(text) => backend::flask_session_version(path, &text),
                Err(error) => {
                    lock(&self.warnings).push(format!(
                        "warning: {}: cannot read it ({error}); Flask-Session's version is not read from it",
                        backend::shown(path, root)
                    ));
                    None
                }
            }
        });
        let all: Vec<&(String, BackendFacts)> = facts.iter().collect();
        let session_attributes = backend::session_attributes(&all);
        keys.settle_attribute_reads(|key| is_listed(&session_attributes, key));
        Scan {
            backends: self.decide_backends(root, &all, version.as_ref()),
            keys,
            session_attributes,
        }
    }

    /// The backend of every file, or of each app when several install one.
    fn decide_backends(
        &self,
        root: &Path,
        facts: &[&(String, BackendFacts)],
        version: Option<&Version>,
    ) -> Backends {
        let app_of_file = |shown: &str| {
            self.module_of(&root.join(shown))
                .map(|module| app_of(&module))
                .unwrap_or_default()
        };
        let mut installing: Vec<(String, PathBuf)> = facts
            .iter()
            .filter(|(_, file)| backend::installs(file))
            .map(|(shown, _)| app_of_file(shown))
            .collect();
        installing.sort();
        installing.dedup();
        if installing.len() <= 1 {
            return Backends::One(backend::decide(facts, version));
        }
        let by_app = installing
            .into_iter()
            .map(|app| {
                let own: Vec<&(String, BackendFacts)> = facts
                    .iter()
                    .copied()
                    .filter(|(shown, _)| app_of_file(shown) == app)
                    .collect();
                let backend = backend::decide(&own, version);
                (app, backend)
            })
            .collect();
        let cookie = Backend::cookie("a file of no app that installs a backend");
        Backends::PerApp(by_app, cookie)
    }

    /// What the scan reads a file for: Python sources and templates, or
    /// Flask-Session's version in a dependency file.
    fn scanned_kind(&self, path: &Path) -> Option<ScannedKind> {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if backend::is_dependency_file(&name) {
            Some(ScannedKind::Dependencies)
        } else if name.ends_with(".py") || self.is_template(path) {
            Some(ScannedKind::Source)
        } else {
            None
        }
    }

    /// The files under `root` that discovery would find (hidden
    /// directories, `.gitignore` and the root's excludes respected) and
    /// that the scan reads; the caller sorts them.
    fn walk(&self, root: &Path) -> Vec<PathBuf> {
        let excludes = self.excludes.clone();
        let mut builder = ignore::WalkBuilder::new(root);
        builder
            .hidden(true)
            .git_ignore(self.respect_gitignore)
            .git_exclude(self.respect_gitignore)
            .ignore(self.respect_gitignore)
            .require_git(false)
            .follow_links(false)
            .filter_entry(move |entry| {
                entry.depth() == 0
                    || !excludes_entry(&excludes, entry.file_name(), || entry.path().to_path_buf())
            });
        let keep = |entry: &ignore::DirEntry| -> Result<Option<PathBuf>, Infallible> {
            let is_file = entry.file_type().is_some_and(|kind| kind.is_file());
            Ok((is_file && self.scanned_kind(entry.path()).is_some())
                .then(|| entry.path().to_path_buf()))
        };
        walk_parallel(&builder, &keep).kept
    }

    /// The module of the file at `absolute`: its stem, under every
    /// directory above it that holds an `__init__.py`. The first directory
    /// without one is where imports start (so a `src/` layout needs
    /// nothing special).
    pub(crate) fn module_of(&self, absolute: &Path) -> Option<ModuleName> {
        let stem = absolute.file_stem()?.to_str()?;
        let mut dir = absolute.parent()?;
        let is_package = stem == "__init__";
        let mut parts: Vec<&str> = if is_package { Vec::new() } else { vec![stem] };
        while self.is_package_dir(dir) {
            parts.push(dir.file_name()?.to_str()?);
            dir = dir.parent()?;
        }
        parts.reverse();
        (!parts.is_empty()).then(|| ModuleName {
            name: parts.join("."),
            is_package,
            import_root: dir.to_path_buf(),
        })
    }

    fn is_package_dir(&self, dir: &Path) -> bool {
        let key = dir.as_os_str().as_encoded_bytes();
        if let Some(known) = lock(&self.package_dirs).get(key) {
            return *known;
        }
        let is_package = is_package_dir(dir);
        lock(&self.package_dirs).insert(key.to_vec(), is_package);
        is_package
    }

    /// Whether a text that does not name `flask` may still reach the
    /// session through the project: by importing from one of its modules
    /// a name the text uses as a session (`from .compat import s`, then
    /// `s["a"] = 1`). Models that say `db.session` are not parsed for that.
    pub(crate) fn may_reach_session(&self, text: &[u8], file: Option<&Path>) -> bool {
        let mut own = None;
        let mut in_package = None;
        imports(text).any(|(module, local)| {
            let relative = module.starts_with(b".");
            // A relative import in a file outside any package resolves to
            // nothing (Python refuses it), and the check finds nothing
            // through it: its names are not looked for in the text.
            if relative
                && file.is_some_and(|file| {
                    !*in_package.get_or_insert_with(|| {
                        file.parent().is_some_and(|dir| self.is_package_dir(dir))
                    })
                })
            {
                return false;
            }
            // Most imported names are not used as a session is; the
            // module's place (a look at the disk for the file's own import
            // root) is asked only for those that are.
            (local == b"*" || used_as_session(text, local))
                && (relative || {
                    let top = module.split(|&b| b == b'.').next().unwrap_or(module);
                    let top = std::str::from_utf8(top).unwrap_or_default();
                    self.in_roots(top) || {
                        let own = own.get_or_insert_with(|| file.and_then(|f| self.module_of(f)));
                        own.as_ref()
                            .is_some_and(|m| self.root_has(&m.import_root, top))
                    }
                })
        })
    }

    /// Whether the qualified name (`myapp.compat.session`), imported by
    /// the module `from`, is Flask's session.
    pub(crate) fn is_session(&self, qualified: &str, from: &ModuleName) -> bool {
        self.answer(Question::IsSession, qualified, from)
    }

    /// Whether `from star import *`, in the module `from`, binds `name`
    /// to Flask's session.
    pub(crate) fn star_binds_session(&self, star: &str, name: &str, from: &ModuleName) -> bool {
        self.star_binds(star, name, &from.import_root)
            && self.is_session(&format!("{star}.{name}"), from)
    }

    /// Whether calling the function of this qualified name from the module
    /// `from` always marks the session modified: `flask.flash`, the
    /// extensions' login functions, or a project function that writes the
    /// session on every path.
    pub(crate) fn marks_session(&self, qualified: &str, from: &ModuleName) -> bool {
        self.answer(Question::MarksSession, qualified, from)
    }

    /// Whether the qualified name may be of a module of the project (its
    /// top module is in an import root): only those are asked about.
    pub(crate) fn may_hold(&self, qualified: &str, from: &ModuleName) -> bool {
        let top = qualified.split('.').next().unwrap_or(qualified);
        self.in_roots(top) || self.root_has(&from.import_root, top)
    }

    /// Whether the project's roots hold the top module `top`.
    fn in_roots(&self, top: &str) -> bool {
        self.root_listings.iter().any(|names| names.contains(top))
    }

    fn answer(&self, question: Question, qualified: &str, from: &ModuleName) -> bool {
        let known = match question {
            Question::IsSession => FLASK_SESSION,
            Question::MarksSession => MARKING_CALLS,
        };
        if known.contains(&qualified) {
            return true;
        }
        // Most names are of other libraries (`flask.Blueprint`, `os.path`):
        // none of the roots holds their top module.
        if !self.may_hold(qualified, from) {
            return false;
        }
        let import_root = from.import_root.as_path();
        let key = (question, import_root.to_path_buf(), qualified.to_string());
        if let Some(known) = lock(&self.answers).get(&key) {
            return *known;
        }
        let mut visited = FastSet::default();
        let answer = match question {
            Question::IsSession => self.find_session(qualified, import_root, &mut visited),
            Question::MarksSession => self.find_marking(qualified, import_root, &mut visited),
        };
        lock(&self.answers).insert(key, answer);
        answer
    }

    fn find_session(
        &self,
        qualified: &str,
        import_root: &Path,
        visited: &mut FastSet<String>,
    ) -> bool {
        if FLASK_SESSION.contains(&qualified) {
            return true;
        }
        if !visited.insert(qualified.to_string()) {
            return false;
        }
        let key = (
            Question::IsSession,
            import_root.to_path_buf(),
            qualified.to_string(),
        );
        if lock(&self.answers).get(&key) == Some(&true) {
            return true;
        }
        let Some((facts, root, name)) = self.facts_of_member(qualified, import_root) else {
            return false;
        };
        let found = match facts.import_of(name) {
            Some(imported) => self.find_session(imported, &root, visited),
            // A name the module does not bind may come from its `*` imports.
            None => self
                .star_members(&facts, name, &root)
                .any(|member| self.find_session(&member, &root, visited)),
        };
        // A way to Flask's session is one whoever asks first; a "no" may
        // only be the cycle this question stopped at, so it is not kept.
        if found {
            lock(&self.answers).insert(key, true);
        }
        found
    }

    fn find_marking(
        &self,
        qualified: &str,
        import_root: &Path,
        visited: &mut FastSet<String>,
    ) -> bool {
        if MARKING_CALLS.contains(&qualified) {
            return true;
        }
        if !visited.insert(qualified.to_string()) {
            return false;
        }
        let Some((facts, root, name)) = self.facts_of_member(qualified, import_root) else {
            return false;
        };
        if let Some(imported) = facts.import_of(name) {
            return self.find_marking(imported, &root, visited);
        }
        let Some(function) = facts.function(name) else {
            return self
                .star_members(&facts, name, &root)
                .any(|member| self.find_marking(&member, &root, visited));
        };
        function
            .writes
            .iter()
            .any(|written| self.find_session(written, &root, &mut FastSet::default()))
            || function
                .calls
                .iter()
                .any(|called| self.find_marking(called, &root, visited))
    }

    /// What `name`, not bound in the module of `facts`, may be through its
    /// `*` imports (`myapp.compat.session` for `from myapp.compat import
    /// *`), for those that bind it.
    fn star_members<'s>(
        &'s self,
        facts: &'s ModuleFacts,
        name: &'s str,
        import_root: &'s Path,
    ) -> impl Iterator<Item = String> + 's {
        facts
            .star_imports()
            .iter()
            .filter(move |star| self.star_binds(star, name, import_root))
            .map(move |star| format!("{star}.{name}"))
    }

    /// Whether `from star import *` binds `name`: for a module of the
    /// project, as its `__all__` says; for another library (`flask`), any
    /// public name.
    fn star_binds(&self, star: &str, name: &str, import_root: &Path) -> bool {
        match self.locate(star, import_root) {
            Some((_, path, is_package)) => {
                self.facts_at(&path, star, is_package).exports_to_star(name)
            }
            None => !name.starts_with('_'),
        }
    }

    /// The facts of the module holding `qualified` (`myapp.compat` for
    /// `myapp.compat.session`), the import root it was found in, and the
    /// member's name.
    fn facts_of_member<'q>(
        &self,
        qualified: &'q str,
        import_root: &Path,
    ) -> Option<(Arc<ModuleFacts>, PathBuf, &'q str)> {
        let (module, name) = qualified.rsplit_once('.')?;
        let (root, path, is_package) = self.locate(module, import_root)?;
        Some((self.facts_at(&path, module, is_package), root, name))
    }

    /// The file of `module`, from the importing file's root, then the
    /// project's roots.
    fn locate(&self, module: &str, import_root: &Path) -> Option<(PathBuf, PathBuf, bool)> {
        let mut roots = vec![import_root.to_path_buf()];
        roots.extend(
            self.roots
                .iter()
                .filter(|root| *root != import_root)
                .cloned(),
        );
        let top = module.split('.').next().unwrap_or(module);
        roots.into_iter().find_map(|root| {
            // Most imports are of other libraries: the root's listing, or
            // one look per name, rules them out.
            if !self.root_has(&root, top) {
                return None;
            }
            let key = (root.clone(), module.to_string());
            let cached = lock(&self.located).get(&key).cloned();
            let found = cached.unwrap_or_else(|| {
                let found = find_module_file(&root, module);
                lock(&self.located).insert(key, found.clone());
                found
            });
            found.map(|(path, is_package)| (root, path, is_package))
        })
    }

    /// Whether `root` holds `top.py` or an entry `top` (a package).
    fn root_has(&self, root: &Path, top: &str) -> bool {
        // By the bytes: comparing paths parses their components. A root
        // spelt otherwise is looked at on disk below, with the same answer.
        let bytes = root.as_os_str().as_encoded_bytes();
        if let Some(index) = self
            .roots
            .iter()
            .position(|known| known.as_os_str().as_encoded_bytes() == bytes)
        {
            return self.root_listings[index].contains(top);
        }
        if let Some(known) = lock(&self.holds).get(bytes).and_then(|tops| tops.get(top)) {
            return *known;
        }
        // A module's name is a word: not a path, nor `.` or `..`.
        let is_name = !top.is_empty() && top.chars().all(|c| c.is_alphanumeric() || c == '_');
        let holds = is_name
            && [root.join(top), root.join(format!("{top}.py"))]
                .iter()
                .any(|entry| std::fs::symlink_metadata(entry).is_ok());
        lock(&self.holds)
            .entry(bytes.to_vec())
            .or_default()
            .insert(top.to_string(), holds);
        holds
    }

    fn facts_at(&self, path: &Path, module: &str, is_package: bool) -> Arc<ModuleFacts> {
        if let Some(facts) = lock(&self.facts).get(path) {
            return facts.clone();
        }
        let text = self
            .read(path)
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .unwrap_or_default();
        let facts = Arc::new(ModuleFacts::of(module, is_package, &text));
        lock(&self.facts).insert(path.to_path_buf(), facts.clone());
        facts
    }
}

/// The module names in a directory: `app.py` and `app/` are both `app`.
fn list_modules(dir: &Path) -> FastSet<String> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|entry| entry.file_name().into_string().ok())
        .map(|name| match name.strip_suffix(".py") {
            Some(stem) => stem.to_string(),
            None => name,
        })
        .collect()
}

/// `root/a/b.py` or `root/a/b/__init__.py` for the module `a.b`.
fn find_module_file(root: &Path, module: &str) -> Located {
    let mut path = root.to_path_buf();
    for part in module.split('.') {
        if part.is_empty() || part.contains(['/', '\\']) {
            return None;
        }
        path.push(part);
    }
    let init = path.join("__init__.py");
    if init.is_file() {
        return Some((init, true));
    }
    let file = path.with_extension("py");
    file.is_file().then_some((file, false))
}
