//! A workspace folder's settings and project facts, as one snapshot that
//! is replaced whole when a file or the configuration changes.
//!
//! Facts are built off the main loop, on their own thread pool: the scan
//! of the project runs its parallel loops there, so that a worker of the
//! request pool never waits inside a parallel loop that could hand it
//! another request (which could wait for the same facts).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, OnceLock};

use serde::Deserialize;

use crate::config::cli::rule_set;
use crate::config::settings::{
    ConfigChoice, Configurations, FixMode, Input, OutputFormat, Overrides, ReportOptions, Settings,
};
use crate::input::read::DEFAULT_MAX_FILE_SIZE;
use crate::keys::Inventory;
use crate::project::Project;

/// The client's `initializationOptions`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct InitOptions {
    /// Offer unsafe fixes as quickfixes.
    pub(crate) unsafe_fixes: bool,
    /// One configuration file for every document, as `--config`.
    pub(crate) configuration: Option<PathBuf>,
    /// Codes or prefixes, as `--select`.
    pub(crate) select: Option<Vec<String>>,
    /// Codes or prefixes, as `--ignore`.
    pub(crate) ignore: Vec<String>,
}

impl InitOptions {
    /// The command-line overrides these options stand for; an unknown code
    /// is named in the error.
    fn overrides(&self) -> Result<Overrides, String> {
        let options = "the initialization options";
        Ok(Overrides {
            select: self
                .select
                .as_deref()
                .map(|select| rule_set(select, options))
                .transpose()?,
            ignore: rule_set(&self.ignore, options)?,
            ..Overrides::default()
        })
    }
}

/// A workspace's settings and facts at one moment.
pub(crate) struct Facts {
    pub(crate) settings: Settings,
    /// The session keys of the whole workspace, made on the first hover,
    /// definition or references question.
    inventory: OnceLock<Inventory>,
}

impl Facts {
    /// Reads the configuration and scans the project under `root`, with
    /// the editor's unsaved texts in place of the files on disk.
    pub(crate) fn build(
        root: &Path,
        options: &InitOptions,
        texts: &[(PathBuf, Arc<str>)],
    ) -> Result<Self, String> {
        let choice = match &options.configuration {
            Some(path) => ConfigChoice::File(crate::config::patterns::absolute(path, root)),
            None => ConfigChoice::Nearest,
        };
        Self::build_with(root, options, texts, &choice)
    }

    /// As [`Facts::build`], with no configuration file: the defaults, for
    /// a workspace whose configuration has never been valid.
    pub(crate) fn build_isolated(
        root: &Path,
        options: &InitOptions,
        texts: &[(PathBuf, Arc<str>)],
    ) -> Result<Self, String> {
        Self::build_with(root, options, texts, &ConfigChoice::Isolated)
    }

    fn build_with(
        root: &Path,
        options: &InitOptions,
        texts: &[(PathBuf, Arc<str>)],
        choice: &ConfigChoice,
    ) -> Result<Self, String> {
        let overrides = options.overrides()?;
        let configurations =
            Configurations::new(choice, overrides, root).map_err(|error| error.render(false))?;
        let root_scope = configurations
            .for_dir(root)
            .map_err(|error| error.render(false))?;
        let project = Project::new(
            root,
            vec![root.to_path_buf()],
            DEFAULT_MAX_FILE_SIZE,
            root_scope.excludes.clone(),
            root_scope.template_dirs.clone(),
            root_scope.respect_gitignore,
        );
        for (path, text) in texts {
            project.set_text(path, text.as_bytes());
        }
        // Everything the rules ask of the project lazily, asked now: the
        // scan, and the keys that may be misspelt.
        project.keys().may_read_unknown(None);
        let _ = project.take_warnings();
        Ok(Self {
            settings: Settings {
                input: Input::Paths(vec![root.to_path_buf()]),
                cwd: root.to_path_buf(),
                configurations: Arc::new(configurations),
                project: Arc::new(project),
                force_exclude: false,
                fix: FixMode::Report,
                max_file_size: DEFAULT_MAX_FILE_SIZE,
                report: ReportOptions {
                    format: OutputFormat::Json,
                    statistics: false,
                    color: false,
                    quiet: true,
                    unsafe_fixes: options.unsafe_fixes,
                    cwd: root.to_path_buf(),
                },
                exit_zero: false,
                add_noqa: false,
                quiet: true,
                verbose: false,
            },
            inventory: OnceLock::new(),
        })
    }

    /// The session keys of the workspace.
    pub(crate) fn inventory(&self) -> &Inventory {
        self.inventory.get_or_init(|| {
            let root = self.settings.cwd.clone();
            crate::keys::gather(&self.settings, &[root], &mut |_| {}).unwrap_or_default()
        })
    }
}

/// A workspace folder (or, for a file outside every folder, the project
/// root found from it).
pub(crate) struct Workspace {
    pub(crate) root: PathBuf,
    facts: Mutex<Option<Arc<Facts>>>,
    ready: Condvar,
    /// The last configuration error shown, so that it is shown once.
    pub(crate) last_error: Mutex<Option<String>>,
}

impl Workspace {
    pub(crate) fn new(root: PathBuf) -> Self {
        Self {
            root,
            facts: Mutex::new(None),
            ready: Condvar::new(),
            last_error: Mutex::new(None),
        }
    }

    /// The current facts, waiting for the first ones.
    pub(crate) fn facts(&self) -> Arc<Facts> {
        let mut facts = self.facts.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(current) = facts.as_ref() {
                return current.clone();
            }
            facts = self.ready.wait(facts).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Replaces the facts.
    pub(crate) fn set_facts(&self, new: Facts) {
        *self.facts.lock().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(new));
        self.ready.notify_all();
    }

    /// Whether facts were ever built.
    pub(crate) fn has_facts(&self) -> bool {
        self.facts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }
}
