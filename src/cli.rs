//! The command line: turns arguments into [`Settings`] (or answers
//! `--explain`, `--list-rules`, `--version` itself) and returns the exit
//! status.

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::Parser;

use crate::checker::RuleOptions;
use crate::config::{self, Config, ConfigError};
use crate::discover::{DEFAULT_EXCLUDES, DiscoveryOptions};
use crate::lint::FixMode;
use crate::patterns::{self, PathPattern};
use crate::prefilter::Prefilter;
use crate::read::DEFAULT_MAX_FILE_SIZE;
use crate::rules::{RULES, Rule, RuleSet};
use crate::session::FLASK_SESSION;
use crate::settings::{ColorChoice, Input, OutputFormat, PerFileIgnore, Settings};
use crate::{ExitStatus, run};

/// A linter for Flask session misuse.
#[derive(Debug, Parser)]
#[command(name = "flasklint", version, about)]
struct Args {
    /// Files or directories to check; `-` reads standard input.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
    /// Rules to run: comma-separated codes or prefixes (`FL1`, `ALL`).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    select: Option<Vec<String>>,
    /// Rules not to run.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    ignore: Vec<String>,
    /// Rules to run in addition to the selected ones.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    extend_select: Vec<String>,
    /// Exit 0 even when findings remain.
    #[arg(long)]
    exit_zero: bool,
    /// Apply the safe fixes in place, then report what remains.
    #[arg(long)]
    fix: bool,
    /// Print the fixes as a unified diff; change no file.
    #[arg(long, conflicts_with = "fix")]
    diff: bool,
    /// With --fix or --diff, apply the unsafe fixes too.
    #[arg(long)]
    unsafe_fixes: bool,
    /// Parse every file, also those that cannot use the session (to see
    /// FL002 syntax errors everywhere).
    #[arg(long)]
    no_prefilter: bool,
    /// Files larger than this many bytes are reported (FL001), not read;
    /// `k`, `M` and `G` suffixes are accepted (default 20M).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    max_file_size: Option<u64>,
    /// Use this configuration file.
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    config: Option<PathBuf>,
    /// Ignore every configuration file.
    #[arg(long)]
    isolated: bool,
    /// Read the source from standard input and report it under this name.
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<PathBuf>,
    /// Count findings per rule instead of listing them.
    #[arg(long)]
    statistics: bool,
    /// Globs to exclude, replacing the default and configured excludes.
    #[arg(long, value_delimiter = ',', value_name = "GLOBS")]
    exclude: Option<Vec<String>>,
    /// Globs to exclude in addition.
    #[arg(long, value_delimiter = ',', value_name = "GLOBS")]
    extend_exclude: Vec<String>,
    /// Apply the excludes to files named on the command line too.
    #[arg(long)]
    force_exclude: bool,
    /// Do not respect `.gitignore`, `.ignore` and `.git/info/exclude`.
    #[arg(long, overrides_with = "respect_gitignore")]
    no_respect_gitignore: bool,
    /// Respect `.gitignore`, `.ignore` and `.git/info/exclude` (the default).
    #[arg(long, overrides_with = "no_respect_gitignore", hide = true)]
    respect_gitignore: bool,
    /// Print a rule's documentation.
    #[arg(long, value_name = "CODE")]
    explain: Option<String>,
    /// List every rule.
    #[arg(long)]
    list_rules: bool,
    /// When to use colour.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Print findings only, without the summary.
    #[arg(short, long)]
    quiet: bool,
    /// Print what is checked, on stderr.
    #[arg(short, long, conflicts_with = "quiet")]
    verbose: bool,
}

/// Runs flasklint with these arguments (the first is the program name).
pub fn main(args: impl IntoIterator<Item = OsString>) -> ExitStatus {
    // Findings can be many thousand lines: write them in blocks, not a
    // system call per line.
    let stdout = &mut std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let stderr = &mut std::io::stderr().lock();
    let args = match Args::try_parse_from(args) {
        Ok(args) => args,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() {
                ExitStatus::Error
            } else {
                ExitStatus::Success
            };
        }
    };
    if let Some(code) = &args.explain {
        return explain(code, stdout, stderr);
    }
    if args.list_rules {
        return list_rules(stdout);
    }
    match settings(args) {
        Ok(settings) => run(&settings, stdout, stderr),
        Err(message) => {
            let _ = write!(stderr, "{message}");
            ExitStatus::Error
        }
    }
}

/// Resolves the run: defaults, then the configuration file, then the
/// command line. The error is the full text to print.
fn settings(args: Args) -> Result<Settings, String> {
    let cwd = std::env::current_dir()
        .map_err(|e| format!("error: cannot read the current directory: {e}\n"))?;
    let config =
        load_config(&args, &cwd).map_err(|error| error.render(std::io::stderr().is_terminal()))?;
    let rules =
        select_rules(&args, config.as_ref()).map_err(|message| format!("error: {message}\n"))?;
    let discovery =
        discovery(&args, config.as_ref(), &cwd).map_err(|message| format!("error: {message}\n"))?;
    let config = config.unwrap_or_default();
    let defaults = RuleOptions::default();
    let per_file_ignores = config
        .per_file_ignores
        .iter()
        .map(|(glob, rules)| {
            let pattern = PathPattern::new(glob, &patterns::absolute(config.dir(), &cwd))
                .map_err(|e| format!("error: invalid glob `{glob}` in per-file-ignores: {e}\n"))?;
            Ok(PerFileIgnore {
                pattern,
                rules: *rules,
            })
        })
        .collect::<Result<_, String>>()?;
    let input = match (&args.stdin_filename, args.paths.as_slice()) {
        (Some(name), []) => Input::Stdin(name.clone()),
        (name, [dash]) if dash.as_os_str() == "-" => {
            Input::Stdin(name.clone().unwrap_or_else(|| PathBuf::from("-")))
        }
        (_, []) => Input::Paths(vec![PathBuf::from(".")]),
        (_, paths) => Input::Paths(paths.to_vec()),
    };
    Ok(Settings {
        input,
        cwd,
        discovery,
        rules,
        per_file_ignores,
        fix: match (args.fix, args.diff) {
            (true, _) => FixMode::Apply {
                unsafe_fixes: args.unsafe_fixes,
            },
            (_, true) => FixMode::Diff {
                unsafe_fixes: args.unsafe_fixes,
            },
            _ => FixMode::Report,
        },
        max_file_size: args.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE),
        prefilter: (!args.no_prefilter).then(|| {
            let extra = config.session_names.iter().map(String::as_str);
            Prefilter::new(FLASK_SESSION.iter().copied().chain(extra))
        }),
        rule_options: RuleOptions {
            max_session_writes: config
                .max_session_writes
                .unwrap_or(defaults.max_session_writes),
            max_value_bytes: config.max_value_bytes.unwrap_or(defaults.max_value_bytes),
            session_names: config.session_names,
        },
        format: args.format,
        statistics: args.statistics,
        color: use_color(args.color),
        exit_zero: args.exit_zero,
        quiet: args.quiet,
        verbose: args.verbose,
    })
}

fn load_config(args: &Args, cwd: &Path) -> Result<Option<Config>, ConfigError> {
    if args.isolated {
        return Ok(None);
    }
    match &args.config {
        Some(path) => config::load(path)?
            .map(Some)
            .ok_or_else(|| ConfigError::missing_table(path)),
        None => config::discover(cwd),
    }
}

/// Layers the selection as ruff does: the configuration's `select`,
/// `extend-select` and `ignore`, then the command line's.
fn select_rules(args: &Args, config: Option<&Config>) -> Result<RuleSet, String> {
    let mut rules = RuleSet::defaults();
    if let Some(config) = config {
        rules = config
            .select
            .unwrap_or(rules)
            .union(config.extend_select)
            .minus(config.ignore);
    }
    if let Some(select) = &args.select {
        rules = rule_set(select, "--select")?;
    }
    Ok(rules
        .union(rule_set(&args.extend_select, "--extend-select")?)
        .minus(rule_set(&args.ignore, "--ignore")?))
}

/// Excludes: `--exclude`, else the configuration's `exclude`, else the
/// defaults; then the configuration's and the command line's
/// `extend-exclude`. Patterns are relative to the file that states them,
/// or to the current directory for the command line's.
fn discovery(args: &Args, config: Option<&Config>, cwd: &Path) -> Result<DiscoveryOptions, String> {
    let config_dir = config.map(|config| patterns::absolute(config.dir(), cwd));
    let compile =
        |globs: &[String], base: &Path, origin: &str| -> Result<Vec<PathPattern>, String> {
            globs
                .iter()
                .map(|glob| {
                    PathPattern::new(glob, base)
                        .map_err(|e| format!("invalid glob `{glob}` in {origin}: {e}"))
                })
                .collect()
        };
    let defaults: Vec<String> = DEFAULT_EXCLUDES
        .iter()
        .map(|name| (*name).to_string())
        .collect();
    let mut excludes = match (
        &args.exclude,
        config.and_then(|c| c.exclude.as_ref()),
        &config_dir,
    ) {
        (Some(globs), _, _) => compile(globs, cwd, "--exclude")?,
        (None, Some(globs), Some(dir)) => compile(globs, dir, "exclude")?,
        _ => compile(&defaults, cwd, "the default excludes")?,
    };
    if let (Some(config), Some(dir)) = (config, &config_dir) {
        excludes.extend(compile(&config.extend_exclude, dir, "extend-exclude")?);
    }
    excludes.extend(compile(&args.extend_exclude, cwd, "--extend-exclude")?);
    let respect_gitignore = if args.no_respect_gitignore {
        false
    } else {
        args.respect_gitignore || config.and_then(|c| c.respect_gitignore).unwrap_or(true)
    };
    Ok(DiscoveryOptions {
        excludes,
        respect_gitignore,
        force_exclude: args.force_exclude,
    })
}

/// `1000`, `64k`, `20M`, `1G` (powers of 1024).
fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (digits, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, _)) => text.split_at(at),
        None => (text, ""),
    };
    let unit = match unit.to_ascii_lowercase().trim_end_matches('b') {
        "" => 1,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        other => return Err(format!("unknown size unit `{other}`: use k, M or G")),
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(unit))
        .ok_or_else(|| format!("`{text}` is not a size such as 20M"))
}

fn rule_set(selectors: &[String], option: &str) -> Result<RuleSet, String> {
    selectors
        .iter()
        .filter(|selector| !selector.trim().is_empty())
        .try_fold(RuleSet::empty(), |set, selector| {
            RuleSet::from_selector(selector)
                .map(|rules| set.union(rules))
                .ok_or_else(|| {
                    format!(
                        "unknown rule code or prefix `{}` in {option}",
                        selector.trim()
                    )
                })
        })
}

/// `--color auto` colours only a terminal, and honours `NO_COLOR` and
/// `FORCE_COLOR`.
fn use_color(choice: ColorChoice) -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|value| !value.is_empty());
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto if set("NO_COLOR") => false,
        ColorChoice::Auto => set("FORCE_COLOR") || std::io::stdout().is_terminal(),
    }
}

fn explain(code: &str, stdout: &mut dyn Write, stderr: &mut dyn Write) -> ExitStatus {
    match Rule::from_code(code) {
        Some(rule) => match stdout.write_all(rule.info().doc.as_bytes()) {
            Ok(()) => ExitStatus::Success,
            Err(_) => ExitStatus::Error,
        },
        None => {
            let _ = writeln!(
                stderr,
                "error: unknown rule code `{code}`; `flasklint --list-rules` lists them"
            );
            ExitStatus::Error
        }
    }
}

fn list_rules(stdout: &mut dyn Write) -> ExitStatus {
    let mut table = format!(
        "{:<6}  {:<29}  {:<7}  {:<9}  {}\n",
        "code", "name", "default", "fixable", "summary"
    );
    for info in RULES {
        table.push_str(&format!(
            "{:<6}  {:<29}  {:<7}  {:<9}  {}\n",
            info.code,
            info.name,
            if info.default_on { "on" } else { "off" },
            info.fixable.as_str(),
            info.summary
        ));
    }
    match stdout.write_all(table.as_bytes()) {
        Ok(()) => ExitStatus::Success,
        Err(_) => ExitStatus::Error,
    }
}
