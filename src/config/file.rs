//! Configuration files: `flasklint.toml`, `.flasklint.toml`, or a
//! `pyproject.toml` with a `[tool.flasklint]` table, found from the current
//! directory upwards. Every key is checked: an unknown key, a wrong type,
//! an unknown rule code or an invalid glob is an error that names the file,
//! the line and column, the key and what was expected.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode, SourceSpan};
use serde::Deserialize;
use toml::Spanned;

use crate::rules::RuleSet;

/// The file names looked for in each directory, in order.
const CONFIG_FILES: &[&str] = &["flasklint.toml", ".flasklint.toml", "pyproject.toml"];

/// The keys of a configuration, as written in the file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    select: Option<Vec<Spanned<String>>>,
    ignore: Option<Vec<Spanned<String>>>,
    extend_select: Option<Vec<Spanned<String>>>,
    exclude: Option<Vec<Spanned<String>>>,
    extend_exclude: Option<Vec<Spanned<String>>>,
    per_file_ignores: Option<BTreeMap<Spanned<String>, Vec<Spanned<String>>>>,
    respect_gitignore: Option<bool>,
    max_session_writes: Option<Spanned<i64>>,
    max_value_bytes: Option<Spanned<i64>>,
    session_names: Option<Vec<Spanned<String>>>,
    session_backend: Option<Spanned<String>>,
    session_serializer: Option<Spanned<String>>,
    template_dirs: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
struct Pyproject {
    tool: Option<PyprojectTool>,
}

#[derive(Debug, Deserialize)]
struct PyprojectTool {
    flasklint: Option<RawConfig>,
}

/// A configuration file, checked.
#[derive(Debug, Clone, Default)]
pub(crate) struct Config {
    /// The file it was read from.
    pub(crate) path: PathBuf,
    /// Rules to select, replacing the defaults.
    pub(crate) select: Option<RuleSet>,
    /// Rules to add to the selection.
    pub(crate) extend_select: RuleSet,
    /// Rules to remove from the selection.
    pub(crate) ignore: RuleSet,
    /// Globs replacing the default excludes.
    pub(crate) exclude: Option<Vec<String>>,
    /// Globs excluded in addition.
    pub(crate) extend_exclude: Vec<String>,
    /// Globs, and the rules ignored in the files they match.
    pub(crate) per_file_ignores: Vec<(String, RuleSet)>,
    /// Whether `.gitignore` files count.
    pub(crate) respect_gitignore: Option<bool>,
    /// FL101's threshold.
    pub(crate) max_session_writes: Option<usize>,
    /// FL103's threshold.
    pub(crate) max_value_bytes: Option<usize>,
    /// More dotted paths that are the session.
    pub(crate) session_names: Vec<String>,
    /// `session-backend`, when not `auto`.
    pub(crate) session_backend: Option<SessionBackend>,
    /// `session-serializer`, when not `auto`.
    pub(crate) session_serializer: Option<SessionSerializer>,
    /// More folders of Jinja templates, relative to the file.
    pub(crate) template_dirs: Vec<String>,
}

/// `session-backend`: which backend the app uses, when flasklint should
/// not find out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SessionBackend {
    /// Flask's signed cookie.
    Cookie,
    /// A server-side store (Flask-Session or the app's own).
    Server,
}

/// `session-serializer`: how the configured backend writes values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SessionSerializer {
    /// Flask's `TaggedJSONSerializer`.
    TaggedJson,
    /// msgspec MessagePack.
    Msgpack,
    /// msgspec JSON.
    Json,
    /// pickle.
    Pickle,
}

impl Config {
    /// The directory that paths in the file are relative to.
    pub(crate) fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }
}

/// Finds the configuration for a run started in `start`: the first
/// `flasklint.toml`, `.flasklint.toml`, or `pyproject.toml` with a
/// `[tool.flasklint]` table, from `start` upwards.
pub(crate) fn discover(start: &Path) -> Result<Option<Config>, ConfigError> {
    for dir in start.ancestors() {
        if let Some(config) = in_dir(dir, start)? {
            return Ok(Some(config));
        }
    }
    Ok(None)
}

/// The configuration file of `dir` itself, if it has one; messages name
/// it relative to `cwd`.
pub(crate) fn in_dir(dir: &Path, cwd: &Path) -> Result<Option<Config>, ConfigError> {
    for name in CONFIG_FILES {
        let path = dir.join(name);
        if !path.is_file() {
            continue;
        }
        if let Some(config) = read(&path, &shown_name(&path, cwd))? {
            return Ok(Some(config));
        }
    }
    Ok(None)
}

/// Reads one configuration file. `None` for a `pyproject.toml` without a
/// `[tool.flasklint]` table.
pub(crate) fn load(path: &Path) -> Result<Option<Config>, ConfigError> {
    read(path, &path.display().to_string())
}

/// The path as messages show it: relative to `cwd` when under it.
fn shown_name(path: &Path, cwd: &Path) -> String {
    path.strip_prefix(cwd).unwrap_or(path).display().to_string()
}

fn read(path: &Path, shown: &str) -> Result<Option<Config>, ConfigError> {
    let shown = shown.to_string();
    if path.is_dir() {
        return Err(ConfigError::plain(
            &shown,
            "is a directory, not a configuration file",
        ));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|error| ConfigError::plain(&shown, &format!("cannot be read: {error}")))?;
    let is_pyproject = path
        .file_name()
        .is_some_and(|name| name == "pyproject.toml");
    let raw = if is_pyproject {
        let pyproject: Pyproject =
            toml::from_str(&text).map_err(|e| ConfigError::toml(&shown, &text, &e))?;
        match pyproject.tool.and_then(|tool| tool.flasklint) {
            Some(raw) => raw,
            None => return Ok(None),
        }
    } else {
        toml::from_str(&text).map_err(|e| ConfigError::toml(&shown, &text, &e))?
    };
    let checker = Check {
        path: &shown,
        text: &text,
    };
    checker.config(path, raw).map(Some)
}

struct Check<'a> {
    path: &'a str,
    text: &'a str,
}

impl Check<'_> {
    fn config(&self, path: &Path, raw: RawConfig) -> Result<Config, ConfigError> {
        let mut per_file_ignores = Vec::new();
        for (pattern, codes) in raw.per_file_ignores.unwrap_or_default() {
            self.glob("per-file-ignores", &pattern)?;
            per_file_ignores.push((
                pattern.into_inner(),
                self.rules("per-file-ignores", &codes)?,
            ));
        }
        Ok(Config {
            path: path.to_path_buf(),
            select: raw
                .select
                .map(|codes| self.rules("select", &codes))
                .transpose()?,
            extend_select: self.rules("extend-select", &raw.extend_select.unwrap_or_default())?,
            ignore: self.rules("ignore", &raw.ignore.unwrap_or_default())?,
            exclude: raw
                .exclude
                .map(|globs| self.globs("exclude", globs))
                .transpose()?,
            extend_exclude: self.globs("extend-exclude", raw.extend_exclude.unwrap_or_default())?,
            per_file_ignores,
            respect_gitignore: raw.respect_gitignore,
            max_session_writes: raw
                .max_session_writes
                .map(|n| self.count("max-session-writes", &n))
                .transpose()?,
            max_value_bytes: raw
                .max_value_bytes
                .map(|n| self.count("max-value-bytes", &n))
                .transpose()?,
            session_names: self.session_names(raw.session_names.unwrap_or_default())?,
            template_dirs: raw.template_dirs.unwrap_or_default(),
            session_backend: raw
                .session_backend
                .map(|value| {
                    self.choice(
                        "session-backend",
                        &value,
                        &[
                            ("auto", None),
                            ("cookie", Some(SessionBackend::Cookie)),
                            ("server", Some(SessionBackend::Server)),
                        ],
                    )
                })
                .transpose()?
                .flatten(),
            session_serializer: raw
                .session_serializer
                .map(|value| {
                    self.choice(
                        "session-serializer",
                        &value,
                        &[
                            ("auto", None),
                            ("tagged-json", Some(SessionSerializer::TaggedJson)),
                            ("msgpack", Some(SessionSerializer::Msgpack)),
                            ("json", Some(SessionSerializer::Json)),
                            ("pickle", Some(SessionSerializer::Pickle)),
                        ],
                    )
                })
                .transpose()?
                .flatten(),
        })
    }

    /// One of the allowed values of `key`.
    fn choice<T: Copy>(
        &self,
        key: &str,
        value: &Spanned<String>,
        allowed: &[(&str, T)],
    ) -> Result<T, ConfigError> {
        allowed
            .iter()
            .find(|(name, _)| *name == value.get_ref())
            .map(|(_, choice)| *choice)
            .ok_or_else(|| {
                let names: Vec<String> = allowed
                    .iter()
                    .map(|(name, _)| format!("`\"{name}\"`"))
                    .collect();
                self.at(
                    value.span(),
                    format!("unknown value `{}` for `{key}`", value.get_ref()),
                    &format!("one of {}", names.join(", ")),
                )
            })
    }

    fn rules(&self, key: &str, codes: &[Spanned<String>]) -> Result<RuleSet, ConfigError> {
        codes.iter().try_fold(RuleSet::empty(), |set, code| {
            RuleSet::from_selector(code.get_ref()).map(|rules| set.union(rules)).ok_or_else(|| {
                self.at(
                    code.span(),
                    format!("unknown rule code or prefix `{}` in `{key}`", code.get_ref()),
                    "a rule code such as `FL101`, a prefix such as `FL1`, or `ALL` (`flasklint --list-rules` lists them)",
                )
            })
        })
    }

    fn glob(&self, key: &str, pattern: &Spanned<String>) -> Result<(), ConfigError> {
        globset::Glob::new(pattern.get_ref())
            .map(drop)
            .map_err(|error| {
                self.at(
                    pattern.span(),
                    format!(
                        "invalid glob `{}` in `{key}`: {}",
                        pattern.get_ref(),
                        error.kind()
                    ),
                    "a glob such as `migrations`, `tests/**` or `*_pb2.py`",
                )
            })
    }

    fn globs(&self, key: &str, patterns: Vec<Spanned<String>>) -> Result<Vec<String>, ConfigError> {
        patterns
            .into_iter()
            .map(|pattern| self.glob(key, &pattern).map(|()| pattern.into_inner()))
            .collect()
    }

    fn count(&self, key: &str, value: &Spanned<i64>) -> Result<usize, ConfigError> {
        usize::try_from(*value.get_ref()).map_err(|_| {
            self.at(
                value.span(),
                format!("`{key}` must not be negative, found {}", value.get_ref()),
                "a whole number, 0 or more",
            )
        })
    }

    fn session_names(&self, names: Vec<Spanned<String>>) -> Result<Vec<String>, ConfigError> {
        names
            .into_iter()
            .map(|name| {
                let valid = name.get_ref().split('.').count() >= 2
                    && name.get_ref().split('.').all(|part| {
                        part.chars()
                            .next()
                            .is_some_and(|c| c.is_alphabetic() || c == '_')
                            && part.chars().all(|c| c.is_alphanumeric() || c == '_')
                    });
                if valid {
                    Ok(name.into_inner())
                } else {
                    Err(self.at(
                        name.span(),
                        format!(
                            "invalid dotted name `{}` in `session-names`",
                            name.get_ref()
                        ),
                        "a module path and a name, such as `myapp.compat.session`",
                    ))
                }
            })
            .collect()
    }

    fn at(&self, span: Range<usize>, message: String, expected: &str) -> ConfigError {
        ConfigError {
            path: self.path.to_string(),
            message,
            help: Some(format!("expected {expected}")),
            source: Some(Box::new((
                NamedSource::new(self.path, self.text.to_string()),
                span,
            ))),
        }
    }
}

/// An error in a configuration file; rendered with a snippet of the file.
#[derive(Debug, Clone)]
pub(crate) struct ConfigError {
    path: String,
    message: String,
    help: Option<String>,
    /// The file's text and the span at fault; boxed to keep `Result`s small.
    source: Option<Box<(NamedSource<String>, Range<usize>)>>,
}

// Errors compare by file, then message: of two met at once (a walk on
// several threads), the run reports the same one every time.
impl PartialEq for ConfigError {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for ConfigError {}

impl PartialOrd for ConfigError {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ConfigError {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (&self.path, &self.message).cmp(&(&other.path, &other.message))
    }
}

impl ConfigError {
    fn plain(path: &str, problem: &str) -> Self {
        Self {
            path: path.to_string(),
            message: format!("`{path}` {problem}"),
            help: None,
            source: None,
        }
    }

    /// A problem with the configuration file `path` that has no place in
    /// its text.
    pub(crate) fn invalid(path: &str, problem: &str) -> Self {
        Self {
            path: path.to_string(),
            message: problem.to_string(),
            help: None,
            source: None,
        }
    }

    /// `--config` named a `pyproject.toml` without a `[tool.flasklint]` table.
    pub(crate) fn missing_table(path: &Path) -> Self {
        Self::plain(
            &path.display().to_string(),
            "has no `[tool.flasklint]` table",
        )
    }

    fn toml(path: &str, text: &str, error: &toml::de::Error) -> Self {
        let span = error.span().unwrap_or(0..0);
        let key = key_at(text, span.start);
        let message = match &key {
            Some(key) => format!("`{key}`: {}", plain_types(error.message())),
            None => plain_types(error.message()),
        };
        Self {
            path: path.to_string(),
            message,
            help: None,
            source: Some(Box::new((NamedSource::new(path, text.to_string()), span))),
        }
    }

    /// The error as printed: `error: <file>: <message>`, then miette's
    /// snippet of the file with the line and column.
    pub(crate) fn render(&self, color: bool) -> String {
        let theme = if color {
            miette::GraphicalTheme::unicode()
        } else {
            miette::GraphicalTheme::unicode_nocolor()
        };
        let mut out = format!("error: invalid configuration in {}\n", self.path);
        let handler = miette::GraphicalReportHandler::new_themed(theme)
            .with_width(100)
            .with_links(false);
        if handler.render_report(&mut out, self).is_err() {
            out.push_str(&self.message);
        }
        out
    }
}

/// The key whose line holds `offset`: the text before `=` on that line.
fn key_at(text: &str, offset: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |at| at + 1);
    let end = text[start..].find('\n').map_or(text.len(), |at| start + at);
    let (key, _) = text[start..end].split_once('=')?;
    let key = key.trim().trim_start_matches('{').trim().trim_matches('"');
    (!key.is_empty() && !key.starts_with('[')).then(|| key.to_string())
}

/// Serde's type names in the words a TOML author uses.
fn plain_types(message: &str) -> String {
    message
        .trim()
        .replace("expected i64", "expected a whole number")
        .replace("a sequence", "a list")
        .replace("struct RawConfig", "a table of flasklint settings")
        .replace("`tool.flasklint`", "`[tool.flasklint]`")
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

impl Diagnostic for ConfigError {
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source
            .as_ref()
            .map(|source| &source.0 as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = SourceSpan::from(self.source.as_ref()?.1.clone());
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            None, span,
        ))))
    }
}
