//! Everything a run needs, resolved from the command line (and, later,
//! configuration files) before any file is read.

use std::path::PathBuf;

use crate::checker::RuleOptions;
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

/// A fully resolved run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Files and directories to check.
    pub paths: Vec<PathBuf>,
    /// The rules that run.
    pub rules: RuleSet,
    /// Options the rules read.
    pub rule_options: RuleOptions,
    /// How findings are printed.
    pub format: OutputFormat,
    /// Whether the text report is coloured.
    pub color: bool,
    /// Exit 0 even when findings remain.
    pub exit_zero: bool,
    /// Print only the findings: no summary, no chatter.
    pub quiet: bool,
    /// Print what was checked, on stderr.
    pub verbose: bool,
}
