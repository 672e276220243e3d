//! Everything a run needs, resolved from the configuration files and the
//! command line before any file is read.
//!
//! Each configuration file governs the files of its own subtree: a file is
//! checked with the nearest configuration in its directory or above (as in
//! ruff), and the command line applies over every one of them. `--config`
//! applies one file to every path; `--isolated` none.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::config::file::{self, Config, ConfigError, SessionBackend, SessionSerializer};
use crate::config::patterns::{self, PathPattern};
use crate::flask::FLASK_SESSION;
use crate::input::prefilter::Prefilter;
use crate::project::Project;
use crate::rules::RuleSet;

/// Directories and files never walked into unless `exclude` replaces them.
pub(crate) const DEFAULT_EXCLUDES: &[&str] = &[
    ".git",
    ".hg",
    ".venv",
    "venv",
    "env",
    "__pycache__",
    "node_modules",
    "build",
    "dist",
    "site-packages",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".ruff_cache",
];

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// miette's report per finding, with source snippets.
    Text,
    /// One line per finding: `path:row:col: CODE message`.
    Concise,
    /// One JSON array, in the shape of ruff's JSON output.
    Json,
    /// The same objects as `json`, one per line.
    JsonLines,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// GitLab Code Quality (a JSON array of issues).
    Gitlab,
    /// JUnit XML: a testcase per file, a failure per finding.
    Junit,
}

/// When to colour the text report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ColorChoice {
    /// Only on a terminal, and not when `NO_COLOR` is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Settings the rules read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleOptions {
    /// FL101: session writes allowed per function call before it fires.
    pub max_session_writes: usize,
    /// FL103: a literal whose serialized size is above this is large.
    pub max_value_bytes: usize,
    /// More dotted paths that are the Flask session.
    pub session_names: Vec<String>,
    /// The backend the configuration names, instead of the one found.
    pub(crate) session_backend: Option<SessionBackend>,
    /// The serializer the configuration names.
    pub(crate) session_serializer: Option<SessionSerializer>,
}

impl Default for RuleOptions {
    fn default() -> Self {
        Self {
            max_session_writes: 1,
            max_value_bytes: 512,
            session_names: Vec::new(),
            session_backend: None,
            session_serializer: None,
        }
    }
}

/// What to do with fixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixMode {
    /// Report them only.
    Report,
    /// Apply them (`--fix`): write files, or print fixed standard input.
    Apply {
        /// Apply unsafe fixes too.
        unsafe_fixes: bool,
    },
    /// Show them as a diff (`--diff`), change nothing.
    Diff {
        /// Include unsafe fixes.
        unsafe_fixes: bool,
    },
}

/// How one file is checked.
#[derive(Debug, Clone, Copy)]
pub struct FileSettings<'a> {
    /// The rules that run on it.
    pub rules: RuleSet,
    /// The rules' options.
    pub options: &'a RuleOptions,
    /// What to do with fixes.
    pub fix: FixMode,
    /// The gate that skips files that cannot use the session; `None` with
    /// `--no-prefilter`.
    pub prefilter: Option<&'a Prefilter>,
    /// Files larger than this are reported, not read.
    pub max_file_size: u64,
}

/// Rules switched off for the files a pattern matches.
#[derive(Debug, Clone)]
pub(crate) struct PerFileIgnore {
    /// The files.
    pub(crate) pattern: PathPattern,
    /// The rules ignored in them.
    pub(crate) rules: RuleSet,
}

/// Where the source comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Input {
    /// Files and directories.
    Paths(Vec<PathBuf>),
    /// Standard input, reported under this name.
    Stdin(PathBuf),
    /// No check: print the settings for this file (`--show-settings`).
    ShowSettings(PathBuf),
    /// No check: list the files that would be checked (`--show-files`).
    ShowFiles(Vec<PathBuf>),
    /// No check: print the session keys of these paths (`--session-keys`).
    SessionKeys(Vec<PathBuf>),
}

/// Which configuration files count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ConfigChoice {
    /// The nearest one for each file (the default).
    Nearest,
    /// This one for every file (`--config`).
    File(PathBuf),
    /// None (`--isolated`).
    Isolated,
}

/// What the command line sets over every configuration file.
#[derive(Debug, Clone, Default)]
pub(crate) struct Overrides {
    /// `--select`: replaces the configured selection.
    pub(crate) select: Option<RuleSet>,
    /// `--extend-select`.
    pub(crate) extend_select: RuleSet,
    /// `--ignore`.
    pub(crate) ignore: RuleSet,
    /// `--exclude`: replaces the configured and default excludes.
    pub(crate) exclude: Option<Vec<String>>,
    /// `--extend-exclude`.
    pub(crate) extend_exclude: Vec<String>,
    /// `--no-respect-gitignore` (false) or `--respect-gitignore` (true).
    pub(crate) respect_gitignore: Option<bool>,
    /// `--no-prefilter`.
    pub(crate) no_prefilter: bool,
}

/// How one configuration file, with the command line over it, checks the
/// files of its subtree.
#[derive(Debug)]
pub(crate) struct Scope {
    /// The configuration file; `None` for the defaults.
    pub(crate) config: Option<PathBuf>,
    /// The rules that run.
    pub(crate) rules: RuleSet,
    /// Rules switched off per file.
    pub(crate) per_file_ignores: Vec<PerFileIgnore>,
    /// Options the rules read.
    pub(crate) rule_options: RuleOptions,
    /// Excluded files and directories.
    pub(crate) excludes: Vec<PathPattern>,
    /// Whether `.gitignore` and friends count.
    pub(crate) respect_gitignore: bool,
    /// The gate that skips files that cannot use the session; `None` with
    /// `--no-prefilter`.
    pub(crate) prefilter: Option<Prefilter>,
    /// The folders of Jinja templates besides every `templates/` folder
    /// (`template-dirs`, absolute).
    pub(crate) template_dirs: Vec<PathBuf>,
}

impl Scope {
    /// Layers the defaults, the configuration file and the command line.
    /// Patterns are relative to the file that states them, or to `cwd` for
    /// the command line's.
    fn new(
        config: Option<&Config>,
        overrides: &Overrides,
        cwd: &Path,
    ) -> Result<Self, ConfigError> {
        let shown = config.map_or_else(
            || "the command line".to_string(),
            |config| config.path.display().to_string(),
        );
        let compile = |globs: &[String], base: &Path| -> Result<Vec<PathPattern>, ConfigError> {
            globs
                .iter()
                .map(|glob| {
                    PathPattern::new(glob, base).map_err(|error| {
                        ConfigError::invalid(&shown, &format!("invalid glob `{glob}`: {error}"))
                    })
                })
                .collect()
        };
        let config_dir = config.map(|config| patterns::absolute(config.dir(), cwd));
        let defaults: Vec<String> = DEFAULT_EXCLUDES.iter().map(|&name| name.into()).collect();
        let mut excludes = match (&overrides.exclude, config.and_then(|c| c.exclude.as_ref())) {
            (Some(globs), _) => compile(globs, cwd)?,
            (None, Some(globs)) => compile(globs, config_dir.as_deref().unwrap_or(cwd))?,
            (None, None) => compile(&defaults, cwd)?,
        };
        let mut per_file_ignores = Vec::new();
        if let (Some(config), Some(dir)) = (config, &config_dir) {
            excludes.extend(compile(&config.extend_exclude, dir)?);
            for (glob, rules) in &config.per_file_ignores {
                let pattern = compile(std::slice::from_ref(glob), dir)?.remove(0);
                per_file_ignores.push(PerFileIgnore {
                    pattern,
                    rules: *rules,
                });
            }
        }
        excludes.extend(compile(&overrides.extend_exclude, cwd)?);
        let defaults = RuleOptions::default();
        let session_names = config.map(|c| c.session_names.clone()).unwrap_or_default();
        let template_dirs = match (config, &config_dir) {
            (Some(config), Some(dir)) => config
                .template_dirs
                .iter()
                .map(|folder| crate::config::patterns::absolute(Path::new(folder), dir))
                .collect(),
            _ => Vec::new(),
        };
        Ok(Self {
            template_dirs,
            config: config.map(|config| config.path.clone()),
            rules: select_rules(config, overrides),
            per_file_ignores,
            excludes,
            respect_gitignore: overrides
                .respect_gitignore
                .or(config.and_then(|c| c.respect_gitignore))
                .unwrap_or(true),
            prefilter: (!overrides.no_prefilter).then(|| {
                let extra = session_names.iter().map(String::as_str);
                Prefilter::new(FLASK_SESSION.iter().copied().chain(extra))
            }),
            rule_options: RuleOptions {
                max_session_writes: config
                    .and_then(|c| c.max_session_writes)
                    .unwrap_or(defaults.max_session_writes),
                max_value_bytes: config
                    .and_then(|c| c.max_value_bytes)
                    .unwrap_or(defaults.max_value_bytes),
                session_names,
                session_backend: config.and_then(|c| c.session_backend),
                session_serializer: config.and_then(|c| c.session_serializer),
            },
        })
    }

    /// Whether `path` (absolute) or a directory it is in is excluded.
    pub(crate) fn is_excluded(&self, path: &Path) -> bool {
        self.excludes
            .iter()
            .any(|pattern| pattern.matches_path_or_ancestor(path))
    }

    /// How to check the file at `absolute`: the rules after its per-file
    /// ignores, the rule options, and the run's fix mode and size limit.
    pub(crate) fn file_settings(
        &self,
        absolute: &Path,
        fix: FixMode,
        max_file_size: u64,
    ) -> FileSettings<'_> {
        let rules = self
            .per_file_ignores
            .iter()
            .filter(|ignore| ignore.pattern.matches_path_or_ancestor(absolute))
            .fold(self.rules, |rules, ignore| rules.minus(ignore.rules));
        FileSettings {
            rules,
            options: &self.rule_options,
            fix,
            prefilter: self.prefilter.as_ref(),
            max_file_size,
        }
    }
}

/// Layers the selection as ruff does: the defaults, the configuration's
/// `select`, `extend-select` and `ignore`, then the command line's.
fn select_rules(config: Option<&Config>, overrides: &Overrides) -> RuleSet {
    let mut rules = RuleSet::defaults();
    if let Some(config) = config {
        rules = config
            .select
            .unwrap_or(rules)
            .union(config.extend_select)
            .minus(config.ignore);
    }
    overrides
        .select
        .unwrap_or(rules)
        .union(overrides.extend_select)
        .minus(overrides.ignore)
}

/// The configuration of every directory, found on demand and kept: the
/// walk asks for each directory it enters, the workers for none.
#[derive(Debug)]
pub(crate) struct Configurations {
    overrides: Overrides,
    cwd: PathBuf,
    /// With `--config` or `--isolated`: the one scope of every file.
    fixed: Option<Arc<Scope>>,
    /// For a file with no configuration above it: the one found from the
    /// current directory upwards, or the defaults.
    fallback: Arc<Scope>,
    by_dir: Mutex<HashMap<PathBuf, Arc<Scope>>>,
}

impl Configurations {
    /// Reads the configuration the choice names (or the one found from
    /// `cwd` upwards) and checks the command line against it.
    pub(crate) fn new(
        choice: &ConfigChoice,
        overrides: Overrides,
        cwd: &Path,
    ) -> Result<Self, ConfigError> {
        let scope =
            |config: Option<Config>| Scope::new(config.as_ref(), &overrides, cwd).map(Arc::new);
        let (fixed, fallback) = match choice {
            ConfigChoice::Isolated => {
                let scope = scope(None)?;
                (Some(scope.clone()), scope)
            }
            ConfigChoice::File(path) => {
                let config = file::load(path)?.ok_or_else(|| ConfigError::missing_table(path))?;
                let scope = scope(Some(config))?;
                (Some(scope.clone()), scope)
            }
            ConfigChoice::Nearest => (None, scope(file::discover(cwd)?)?),
        };
        Ok(Self {
            overrides,
            cwd: cwd.to_path_buf(),
            fixed,
            fallback,
            by_dir: Mutex::new(HashMap::new()),
        })
    }

    /// The scope of the files directly in `dir` (absolute and normalized):
    /// the nearest configuration file in `dir` or above.
    pub(crate) fn for_dir(&self, dir: &Path) -> Result<Arc<Scope>, ConfigError> {
        if let Some(fixed) = &self.fixed {
            return Ok(fixed.clone());
        }
        if let Some(scope) = self.cached(dir) {
            return Ok(scope);
        }
        let scope = match file::in_dir(dir, &self.cwd)? {
            Some(config) => Arc::new(Scope::new(Some(&config), &self.overrides, &self.cwd)?),
            None => match dir.parent() {
                Some(parent) => self.for_dir(parent)?,
                None => self.fallback.clone(),
            },
        };
        if let Ok(mut by_dir) = self.by_dir.lock() {
            by_dir.insert(dir.to_path_buf(), scope.clone());
        }
        Ok(scope)
    }

    /// The project root: the directory of the configuration file found
    /// from the current directory upwards; without one (or with
    /// `--isolated`), the nearest ancestor of the current directory that
    /// holds `.git`; else the current directory. The second value says
    /// whether the root is only that last fallback.
    pub(crate) fn project_root(&self) -> (PathBuf, bool) {
        let config = self.fallback.config.as_deref().and_then(Path::parent);
        let found = config.map(Path::to_path_buf).or_else(|| {
            self.cwd
                .ancestors()
                .find(|dir| dir.join(".git").exists())
                .map(Path::to_path_buf)
        });
        match found {
            Some(root) => (root, false),
            None => (self.cwd.clone(), true),
        }
    }

    fn cached(&self, dir: &Path) -> Option<Arc<Scope>> {
        self.by_dir.lock().ok()?.get(dir).cloned()
    }

    /// The scope of the file at `absolute`.
    pub(crate) fn for_file(&self, absolute: &Path) -> Result<Arc<Scope>, ConfigError> {
        self.for_dir(absolute.parent().unwrap_or(Path::new("/")))
    }
}

/// What the reporters need.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// How findings are printed.
    pub format: OutputFormat,
    /// Count findings per rule instead of listing them.
    pub statistics: bool,
    /// Whether output is coloured.
    pub color: bool,
    /// Print only the findings: no summary.
    pub quiet: bool,
    /// Whether unsafe fixes count as available (`--unsafe-fixes`).
    pub unsafe_fixes: bool,
    /// The directory paths are relative to.
    pub cwd: PathBuf,
}

/// A fully resolved run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// What to check.
    pub(crate) input: Input,
    /// The directory the run started in.
    pub(crate) cwd: PathBuf,
    /// The configuration of each directory.
    pub(crate) configurations: Arc<Configurations>,
    /// The project the files belong to.
    pub(crate) project: Arc<Project>,
    /// Whether excludes apply to files named on the command line too.
    pub(crate) force_exclude: bool,
    /// What to do with fixes.
    pub(crate) fix: FixMode,
    /// Files larger than this are reported (FL001), not read.
    pub(crate) max_file_size: u64,
    /// How findings are printed.
    pub(crate) report: ReportOptions,
    /// Exit 0 even when findings remain.
    pub(crate) exit_zero: bool,
    /// `--add-noqa`: silence every finding with a directive on its line.
    pub(crate) add_noqa: bool,
    /// Print only the findings: no summary, no chatter.
    pub(crate) quiet: bool,
    /// Print what was checked, on stderr.
    pub(crate) verbose: bool,
}
