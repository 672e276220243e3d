//! The command line: turns arguments into [`Settings`] (or answers
//! `--explain`, `--list-rules`, `--version` itself) and returns the exit
//! status.

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::Parser;

use std::sync::Arc;

use crate::config::settings::FixMode;
use crate::config::settings::{
    ColorChoice, ConfigChoice, Configurations, Input, OutputFormat, Overrides, ReportOptions,
    Settings,
};
use crate::input::read::DEFAULT_MAX_FILE_SIZE;
use crate::project::Project;
use crate::rules::{RULES, Rule, RuleSet};
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
    /// Add `# noqa: CODE` to every line with a finding (templates:
    /// `{# noqa: CODE #}`), extending an existing `# noqa:` list.
    #[arg(long, conflicts_with_all = ["fix", "diff", "stdin_filename", "session_keys", "show_settings"])]
    add_noqa: bool,
    /// Write the report to this file (atomically) instead of stdout.
    #[arg(long, value_name = "PATH")]
    output_file: Option<PathBuf>,
    /// Print the files that would be checked, and the project root, instead
    /// of checking them.
    #[arg(long, conflicts_with_all = ["fix", "diff", "add_noqa", "session_keys", "show_settings"])]
    show_files: bool,
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
    /// Print the settings in force for this file: the project root, the
    /// configuration, the session names and the session backend.
    #[arg(long, value_name = "FILE")]
    show_settings: Option<PathBuf>,
    /// Count findings per rule instead of listing them.
    /// List every session key the code writes and reads, and the session
    /// cookie's size bound, instead of checking.
    #[arg(long)]
    session_keys: bool,
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
    /// Print a rule's documentation (by code, `FL101`, or name,
    /// `repeated-session-write`).
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
    // Not locked for the run: a worker thread (or the panic hook) may
    // write to stderr meanwhile, and would wait for a lock held here.
    let stdout = &mut std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout());
    let stderr = &mut std::io::stderr();
    let args: Vec<OsString> = args.into_iter().collect();
    // `flasklint server`, as `ruff server`: a path named `server` is
    // still checked as `flasklint ./server`.
    if args.len() == 2 && args[1] == "server" {
        return crate::server::run();
    }
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
    let output_file = args.output_file.clone();
    let settings = match settings(args, stderr) {
        Ok(settings) => settings,
        Err(message) => {
            let _ = write!(stderr, "{message}");
            return ExitStatus::Error;
        }
    };
    let status = match output_file {
        None => run(&settings, stdout, stderr),
        Some(path) => run_to_file(&settings, &path, stderr),
    };
    // The project's facts and every directory's settings.
    crate::free_in_background(settings);
    status
}

/// `--output-file`: the report goes to `path`, written whole at the end;
/// chatter stays on stderr and the exit status is the run's.
fn run_to_file(settings: &Settings, path: &Path, stderr: &mut dyn Write) -> ExitStatus {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        let _ = writeln!(
            stderr,
            "error: cannot write the report to `{}`: the directory `{}` does not exist",
            path.display(),
            dir.display()
        );
        return ExitStatus::Error;
    }
    let mut report = Vec::new();
    let status = run(settings, &mut report, stderr);
    match crate::fix::write::write_new_file(path, &report) {
        Ok(()) => status,
        Err(reason) => {
            let _ = writeln!(
                stderr,
                "error: cannot write the report to `{}`: {reason}",
                path.display()
            );
            ExitStatus::Error
        }
    }
}

/// Resolves the run: the command line over the configuration files. The
/// error is the full text to print.
fn settings(args: Args, stderr: &mut dyn Write) -> Result<Settings, String> {
    let cwd = std::env::current_dir()
        .map_err(|e| format!("error: cannot read the current directory: {e}\n"))?;
    let overrides = overrides(&args).map_err(|message| format!("error: {message}\n"))?;
    let choice = match (&args.config, args.isolated) {
        (Some(path), _) => ConfigChoice::File(path.clone()),
        (None, true) => ConfigChoice::Isolated,
        (None, false) => ConfigChoice::Nearest,
    };
    let configurations = Configurations::new(&choice, overrides, &cwd)
        .map_err(|error| error.render(std::io::stderr().is_terminal()))?;
    let input = match (&args.stdin_filename, args.paths.as_slice()) {
        _ if args.show_settings.is_some() => {
            Input::ShowSettings(args.show_settings.clone().unwrap_or_default())
        }
        (Some(name), paths) => {
            // As ruff: a name for standard input means standard input.
            for path in paths.iter().filter(|path| path.as_os_str() != "-") {
                let _ = writeln!(
                    stderr,
                    "warning: ignoring `{}` in favour of standard input (--stdin-filename)",
                    path.display()
                );
            }
            Input::Stdin(name.clone())
        }
        _ if args.session_keys => Input::SessionKeys(match args.paths.as_slice() {
            [] => vec![PathBuf::from(".")],
            paths => paths.to_vec(),
        }),
        _ if args.show_files => Input::ShowFiles(match args.paths.as_slice() {
            [] => vec![PathBuf::from(".")],
            paths => paths.to_vec(),
        }),
        (None, [dash]) if dash.as_os_str() == "-" => Input::Stdin(PathBuf::from("-")),
        (None, []) => Input::Paths(vec![PathBuf::from(".")]),
        (None, paths) => Input::Paths(paths.to_vec()),
    };
    let unsafe_fixes = args.unsafe_fixes;
    let max_file_size = args.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE);
    let (root, fallback) = match &input {
        Input::Paths(paths) | Input::SessionKeys(paths) | Input::ShowFiles(paths) => {
            one_configuration(&configurations, paths, &cwd)
                .map_or_else(|| configurations.project_root(), |dir| (dir, false))
        }
        _ => configurations.project_root(),
    };
    let root_scope = configurations
        .for_dir(&root)
        .map_err(|error| error.render(std::io::stderr().is_terminal()))?;
    // A root that is only the current directory may be a home directory:
    // the backend is then looked for in what is checked, not below it all.
    let scanned = match &input {
        Input::Paths(paths) if fallback => paths
            .iter()
            .map(|path| {
                let path = crate::config::patterns::absolute(path, &cwd);
                if path.is_dir() {
                    path
                } else {
                    path.parent().map_or(path.clone(), Path::to_path_buf)
                }
            })
            .collect(),
        _ => vec![root.clone()],
    };
    let project = Project::new(
        &root,
        scanned,
        max_file_size,
        root_scope.excludes.clone(),
        root_scope.template_dirs.clone(),
        root_scope.respect_gitignore,
    );
    Ok(Settings {
        input,
        project: Arc::new(project),
        configurations: Arc::new(configurations),
        force_exclude: args.force_exclude,
        fix: match (args.fix, args.diff) {
            (true, _) => FixMode::Apply { unsafe_fixes },
            (_, true) => FixMode::Diff { unsafe_fixes },
            _ => FixMode::Report,
        },
        max_file_size,
        report: ReportOptions {
            format: args.format,
            statistics: args.statistics,
            color: use_color(args.color),
            quiet: args.quiet,
            unsafe_fixes,
            cwd: cwd.clone(),
        },
        cwd,
        exit_zero: args.exit_zero,
        add_noqa: args.add_noqa,
        quiet: args.quiet,
        verbose: args.verbose,
    })
}

/// The directory of the one configuration file that every path uses, when
/// they all use the same one: the project root is "the directory of the
/// configuration file in use" (`flasklint fixtures/demo`, with its own
/// `flasklint.toml`, is that project, not the repository around it).
fn one_configuration(
    configurations: &Configurations,
    paths: &[PathBuf],
    cwd: &Path,
) -> Option<PathBuf> {
    let mut configs = paths.iter().map(|path| {
        let absolute = crate::config::patterns::absolute(path, cwd);
        let scope = if absolute.is_dir() {
            configurations.for_dir(&absolute)
        } else {
            configurations.for_file(&absolute)
        };
        scope.ok().and_then(|scope| scope.config.clone())
    });
    let first = configs.next()??;
    configs
        .all(|config| config.as_ref() == Some(&first))
        .then(|| first.parent().map(Path::to_path_buf))
        .flatten()
}

/// What the command line sets over every configuration file; an unknown
/// rule code is an error.
fn overrides(args: &Args) -> Result<Overrides, String> {
    Ok(Overrides {
        select: args
            .select
            .as_ref()
            .map(|select| rule_set(select, "--select"))
            .transpose()?,
        extend_select: rule_set(&args.extend_select, "--extend-select")?,
        ignore: rule_set(&args.ignore, "--ignore")?,
        exclude: args.exclude.clone(),
        extend_exclude: args.extend_exclude.clone(),
        respect_gitignore: if args.no_respect_gitignore {
            Some(false)
        } else {
            args.respect_gitignore.then_some(true)
        },
        no_prefilter: args.no_prefilter,
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

/// The rules a list of selectors names; an unknown one is an error that
/// names `option`.
pub(crate) fn rule_set(selectors: &[String], option: &str) -> Result<RuleSet, String> {
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
    match Rule::from_code(code).or_else(|| Rule::from_name(code)) {
        Some(rule) => match stdout.write_all(rule.info().doc.as_bytes()) {
            Ok(()) => ExitStatus::Success,
            Err(_) => ExitStatus::Error,
        },
        None => {
            let _ = writeln!(
                stderr,
                "error: unknown rule code or name `{code}`; `flasklint --list-rules` lists them"
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
