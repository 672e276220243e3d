//! `--session-keys`: every session key the project writes and reads, what
//! each holds, and how large the session cookie can get.

mod cookie;
mod report;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::ExitStatus;
use crate::analysis::checker::{Checker, backend_in_force};
use crate::analysis::session::{InProject, SessionModel};
use crate::analysis::session_keys::{Access, Key, KeyUse, Stored, key_uses};
use crate::analysis::template_keys::template_keys;
use crate::config::settings::{OutputFormat, Scope, Settings};
use crate::input::discover::{FileToCheck, SourcePath};
use crate::input::source::{LineIndex, parse_module, strip_bom};
use crate::lint::prefilter_skips;
use crate::project::{Backend, Project};
use cookie::{CookieSize, Held};

/// Where a key is read or written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Place {
    pub(crate) file: String,
    pub(crate) row: usize,
    pub(crate) column: usize,
    pub(crate) function: String,
    /// The key's bytes in the file (for the editor).
    pub(crate) span: (u32, u32),
}

/// A write, and what it stores.
#[derive(Debug, Clone)]
pub(crate) struct KeyWrite {
    pub(crate) place: Place,
    pub(crate) kind: &'static str,
    pub(crate) json: Option<String>,
    pub(crate) bound: Option<usize>,
}

/// Everything known of one key.
#[derive(Debug, Default)]
pub(crate) struct Entry {
    pub(crate) writes: Vec<KeyWrite>,
    pub(crate) reads: Vec<Place>,
}

impl Entry {
    /// The kinds of value written, each once, in order.
    pub(crate) fn kinds(&self) -> Vec<&'static str> {
        let mut kinds: Vec<&'static str> = self.writes.iter().map(|write| write.kind).collect();
        kinds.sort_unstable();
        kinds.dedup();
        kinds
    }

    /// What the key holds, for the cookie: one literal, a bound, or none.
    fn held(&self) -> Held {
        let Some(first) = self.writes.first() else {
            return Held::AtMost(0);
        };
        if let Some(json) = &first.json
            && self
                .writes
                .iter()
                .all(|write| write.json.as_ref() == Some(json))
        {
            return Held::Exactly(json.clone());
        }
        self.writes
            .iter()
            .map(|write| write.bound)
            .try_fold(0, |most, bound| bound.map(|bound| most.max(bound)))
            .map_or(Held::Unbounded, Held::AtMost)
    }

    /// The size bound of its value in bytes of JSON, if any.
    pub(crate) fn bound(&self) -> Option<usize> {
        match self.held() {
            Held::Exactly(json) => Some(json.len()),
            Held::AtMost(bound) => Some(bound),
            Held::Unbounded => None,
        }
    }
}

/// The keys of a project, sorted: literal keys, then prefixes, then the
/// fully dynamic ones.
#[derive(Debug, Default)]
pub(crate) struct Inventory {
    pub(crate) keys: BTreeMap<Key, Entry>,
}

impl Inventory {
    fn add(&mut self, file: &str, text: &str, lines: &LineIndex, uses: Vec<KeyUse>) {
        for key_use in uses {
            let location = lines.location(text, key_use.at);
            let place = Place {
                file: file.to_string(),
                row: location.row,
                column: location.column,
                function: key_use.function,
                span: (
                    key_use.key_range.start().into(),
                    key_use.key_range.end().into(),
                ),
            };
            let entry = self.keys.entry(key_use.key).or_default();
            match (key_use.access, key_use.stored) {
                (Access::Read, _) => entry.reads.push(place),
                (Access::Write, stored) => entry.writes.push(KeyWrite {
                    place,
                    kind: stored.as_ref().map_or("unknown", |stored| stored.kind),
                    json: stored.as_ref().and_then(|stored| stored.json.clone()),
                    bound: stored.and_then(|stored| stored.bound),
                }),
            }
        }
    }

    /// The cookie holding every written key at once; keys written under
    /// a dynamic name make it unbounded.
    pub(crate) fn cookie(&self) -> CookieSize {
        let held: Vec<(String, Held)> = self
            .keys
            .iter()
            .filter(|(_, entry)| !entry.writes.is_empty())
            .map(|(key, entry)| match key {
                Key::Literal(name) => (name.clone(), entry.held()),
                other => (shown_key(other), Held::Unbounded),
            })
            .collect();
        cookie::estimate(&held)
    }
}

/// How reports name a key: `cart`, `cart_*` for a prefix, `*` for any.
pub(crate) fn shown_key(key: &Key) -> String {
    match key {
        Key::Literal(name) => name.clone(),
        Key::Prefix(prefix) => format!("{prefix}*"),
        Key::Dynamic => "*".to_string(),
    }
}

/// Prints the inventory of the files under `paths`.
pub(crate) fn show(
    settings: &Settings,
    paths: &[PathBuf],
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> ExitStatus {
    let inventory = match crate::on_stderr(stderr, |warn| gather(settings, paths, warn)) {
        Ok(inventory) => inventory,
        Err(status) => return status,
    };
    let root_options = settings
        .project
        .root()
        .and_then(|root| settings.configurations.for_dir(root).ok());
    let backend: Backend = match &root_options {
        Some(scope) => backend_in_force(&settings.project, &scope.rule_options, None).into_owned(),
        None => settings.project.backend(None).clone(),
    };
    let written = match settings.report.format {
        OutputFormat::Json => report::json(&inventory, &backend, stdout),
        _ => report::text(&inventory, &backend, stdout),
    };
    for warning in settings.project.take_warnings() {
        let _ = writeln!(stderr, "{warning}");
    }
    written.and_then(|()| stdout.flush()).map_or_else(
        |error| crate::write_failed(&error),
        |()| ExitStatus::Success,
    )
}

/// The inventory of the files under `paths`, Python and templates; a file
/// that cannot be read is a warning. The error is the text to print.
pub(crate) fn gather(
    settings: &Settings,
    paths: &[PathBuf],
    warn: &mut dyn FnMut(String),
) -> Result<Inventory, String> {
    let files = crate::files_under(settings, paths, warn)?;
    // In path order, as discovery and the templates' addition left them.
    let gathered: Vec<(String, Result<Option<Inventory>, String>)> = files
        .par_iter()
        .map(|file| {
            let keys = if file.source.template {
                keys_of_template(settings, &file.source)
            } else {
                keys_of(settings, file)
            };
            (file.source.display.clone(), keys)
        })
        .collect();
    let mut inventory = Inventory::default();
    for (file, result) in gathered {
        match result {
            Ok(Some(mut of_file)) => {
                for (key, entry) in std::mem::take(&mut of_file.keys) {
                    let merged = inventory.keys.entry(key).or_default();
                    merged.writes.extend(entry.writes);
                    merged.reads.extend(entry.reads);
                }
            }
            Ok(None) => {}
            Err(reason) => warn(format!(
                "warning: {file}: {reason}; its keys are not listed"
            )),
        }
    }
    Ok(inventory)
}

/// The keys a template reads and writes; `None` for one that names no
/// session.
fn keys_of_template(settings: &Settings, source: &SourcePath) -> Result<Option<Inventory>, String> {
    let bytes = read(settings, source)?;
    let text = std::str::from_utf8(&bytes).map_err(|_| "not valid UTF-8".to_string())?;
    let uses = template_key_uses(text, &settings.project);
    if uses.is_empty() {
        return Ok(None);
    }
    let mut inventory = Inventory::default();
    inventory.add(&source.display, text, &LineIndex::new(text), uses);
    Ok(Some(inventory))
}

/// A file's bytes: the editor's text for it, if any, else the disk's.
fn read(settings: &Settings, source: &SourcePath) -> Result<Vec<u8>, String> {
    match settings.project.given_text(&source.absolute) {
        Some(text) => Ok(text),
        None => source.read(settings.max_file_size),
    }
}

/// The key uses of a template's text, as the inventory counts them:
/// not `session.x` where `x` is an attribute of the project's session
/// object.
pub(crate) fn template_key_uses(text: &str, project: &Project) -> Vec<KeyUse> {
    template_keys(text)
        .uses
        .into_iter()
        .filter(|key_use| !key_use.is_session_attribute(project))
        .map(|key_use| KeyUse {
            key: key_use.key,
            access: key_use.access,
            at: key_use.range.start(),
            key_range: key_use.range,
            expr_range: key_use.range,
            function: "template".to_string(),
            stored: (key_use.access == Access::Write).then_some(Stored {
                kind: "unknown",
                json: None,
                bound: None,
            }),
        })
        .collect()
}

/// The keys one file reads and writes; `None` for a file that cannot use
/// the session.
fn keys_of(settings: &Settings, file: &FileToCheck) -> Result<Option<Inventory>, String> {
    let source = &file.source;
    let bytes = read(settings, source)?;
    let text = std::str::from_utf8(&bytes).map_err(|_| "not valid UTF-8".to_string())?;
    let uses = python_key_uses(settings, &file.scope, &source.absolute, text);
    if uses.is_empty() {
        return Ok(None);
    }
    let text = strip_bom(text);
    let mut inventory = Inventory::default();
    inventory.add(&source.display, text, &LineIndex::new(text), uses);
    Ok(Some(inventory))
}

/// The key uses of a Python text (offsets after any byte order mark), in
/// its project; none for a text that cannot use the session.
pub(crate) fn python_key_uses(
    settings: &Settings,
    scope: &Scope,
    absolute: &Path,
    text: &str,
) -> Vec<KeyUse> {
    let file_settings = scope.file_settings(absolute, settings.fix, settings.max_file_size);
    let in_project = InProject::new(&settings.project, Some(absolute));
    if prefilter_skips(text.as_bytes(), &file_settings, in_project) {
        return Vec::new();
    }
    let text = strip_bom(text);
    let parsed = parse_module(text);
    let Some(module) = parsed.syntax().as_module() else {
        return Vec::new();
    };
    let options = &scope.rule_options;
    let model = SessionModel::build(&module.body, &options.session_names, in_project);
    let lines = LineIndex::new(text);
    let checker = Checker {
        source: text,
        model: &model,
        project: &settings.project,
        file: Some(absolute),
        options,
        comments: &[],
        lines: &lines,
        keys: std::cell::OnceCell::new(),
    };
    key_uses(&checker)
}
