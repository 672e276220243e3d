//! The command line: turns arguments into [`Settings`] (or answers
//! `--explain`, `--list-rules`, `--version` itself) and returns the exit
//! status.

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::Parser;

use crate::checker::RuleOptions;
use crate::rules::{RULES, Rule, RuleSet};
use crate::settings::{ColorChoice, OutputFormat, Settings};
use crate::{ExitStatus, run};

/// A linter for Flask session misuse.
#[derive(Debug, Parser)]
#[command(name = "flasklint", version, about)]
struct Args {
    /// Files or directories to check.
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
    let stdout = &mut std::io::stdout().lock();
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
            let _ = writeln!(stderr, "error: {message}");
            ExitStatus::Error
        }
    }
}

fn settings(args: Args) -> Result<Settings, String> {
    let select = match &args.select {
        Some(selectors) => rule_set(selectors, "--select")?,
        None => RuleSet::defaults(),
    };
    let rules = select
        .union(rule_set(&args.extend_select, "--extend-select")?)
        .minus(rule_set(&args.ignore, "--ignore")?);
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths
    };
    Ok(Settings {
        paths,
        rules,
        rule_options: RuleOptions::default(),
        format: args.format,
        color: use_color(args.color),
        exit_zero: args.exit_zero,
        quiet: args.quiet,
        verbose: args.verbose,
    })
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
