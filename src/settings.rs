//! Everything a run needs, resolved from the configuration file and the
//! command line before any file is read.

use std::path::{Path, PathBuf};

use crate::checker::RuleOptions;
use crate::discover::DiscoveryOptions;
use crate::lint::{FileSettings, FixMode};
use crate::patterns::PathPattern;
use crate::prefilter::Prefilter;
use crate::rules::RuleSet;

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
}

/// When to colour the text report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Only on a terminal, and not when `NO_COLOR` is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Rules switched off for the files a pattern matches.
#[derive(Debug, Clone)]
pub struct PerFileIgnore {
    /// The files.
    pub pattern: PathPattern,
    /// The rules ignored in them.
    pub rules: RuleSet,
}

/// Where the source comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Files and directories.
    Paths(Vec<PathBuf>),
    /// Standard input, reported under this name.
    Stdin(PathBuf),
}

/// A fully resolved run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// What to check.
    pub input: Input,
    /// The directory the run started in.
    pub cwd: PathBuf,
    /// How to find files.
    pub discovery: DiscoveryOptions,
    /// The rules that run.
    pub rules: RuleSet,
    /// Rules switched off per file.
    pub per_file_ignores: Vec<PerFileIgnore>,
    /// Options the rules read.
    pub rule_options: RuleOptions,
    /// What to do with fixes.
    pub fix: FixMode,
    /// The gate that skips files that cannot use the session; `None` with
    /// `--no-prefilter`.
    pub prefilter: Option<Prefilter>,
    /// Files larger than this are reported (FL001), not read.
    pub max_file_size: u64,
    /// How findings are printed.
    pub format: OutputFormat,
    /// Count findings per rule instead of listing them.
    pub statistics: bool,
    /// Whether output is coloured.
    pub color: bool,
    /// Exit 0 even when findings remain.
    pub exit_zero: bool,
    /// Print only the findings: no summary, no chatter.
    pub quiet: bool,
    /// Print what was checked, on stderr.
    pub verbose: bool,
}

impl Settings {
    /// How to check the file at `absolute`: the rules after its per-file
    /// ignores, the rule options, and the fix mode.
    pub fn file_settings(&self, absolute: &Path) -> FileSettings<'_> {
        let rules = self
            .per_file_ignores
            .iter()
            .filter(|ignore| ignore.pattern.matches_path_or_ancestor(absolute))
            .fold(self.rules, |rules, ignore| rules.minus(ignore.rules));
        FileSettings {
            rules,
            options: &self.rule_options,
            fix: self.fix,
            prefilter: self.prefilter.as_ref(),
            max_file_size: self.max_file_size,
        }
    }
}
