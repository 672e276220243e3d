//! The per-file pipeline: read, parse, build the session model, run the
//! rules, drop suppressed findings, and (with `--fix` or `--diff`) apply
//! the fixes. Each file goes through on its own, so files can run in
//! parallel and nothing of one file outlives its report.

pub(crate) mod noqa;
mod template;

use std::sync::Arc;

use ruff_python_ast::token::TokenKind;
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::analysis::checker::Checker;
use crate::analysis::session::{InProject, SessionModel};
use crate::analysis::session_ops::UnitFacts;
use crate::config::settings::{FileSettings, FixMode, RuleOptions};
use crate::fix::{Pass, fix_source};
use crate::input::discover::SourcePath;
use crate::input::nesting::{self, MAX_NESTING};
use crate::input::source::{LineIndex, parse_module, strip_bom};
use crate::lint::noqa::Suppressions;
use crate::project::Project;
use crate::rules::finding::Finding;
use crate::rules::{Rule, RuleSet};

/// The outcome of checking one file.
#[derive(Debug)]
pub struct FileReport {
    /// The file's name as reported (relative to the current directory when
    /// under it).
    pub path: String,
    /// The text the findings point into (after any byte order mark), kept
    /// only when there are findings to show in it.
    pub(crate) source: Option<Arc<str>>,
    /// The line index of `source` (of an empty text without it).
    pub(crate) lines: LineIndex,
    /// The findings, in source order (after fixing, those that remain).
    pub findings: Vec<Finding>,
    /// Warnings for stderr, such as unknown codes in `noqa` comments.
    pub warnings: Vec<String>,
    /// What fixing changed, with `--fix` or `--diff`.
    pub fixed: Option<Fixed>,
    /// With `--add-noqa`: the lines that gained or extended a directive.
    pub(crate) noqa_added: usize,
}

/// A file's text before and after its fixes, byte order mark included.
#[derive(Debug)]
pub struct Fixed {
    /// The text as read.
    pub before: String,
    /// The text with the fixes applied.
    pub after: String,
    /// How many findings the fixes removed.
    pub applied: usize,
    /// The report of the text as read, for when the fixed text cannot be
    /// written (the file is then unchanged).
    pub(crate) unwritten: Option<Box<FileReport>>,
}

/// Reads and checks one file; with `--fix` or `--diff`, the report holds
/// the fixed text (the caller writes it).
pub(crate) fn lint_file(
    source: &SourcePath,
    settings: FileSettings,
    in_project: InProject,
) -> FileReport {
    let display = source.display.clone();
    // A seam for the test of what a bug does (debug builds only): panic on
    // the file this variable names.
    #[cfg(debug_assertions)]
    if std::env::var_os("FLASKLINT_TEST_PANIC_ON").is_some_and(|name| name == display.as_str()) {
        panic!("FLASKLINT_TEST_PANIC_ON names `{display}`");
    }
    // A template is checked for FL106 only: the scan read its keys, and
    // knows whether it reads one that nothing writes.
    if source.template
        && in_project
            .file
            .is_some_and(|f| !in_project.project.keys().may_read_unknown(Some(f)))
    {
        return FileReport::empty(display);
    }
    let bytes = match source.read(settings.max_file_size) {
        Ok(bytes) => bytes,
        Err(reason) => return io_error(display, settings.rules, reason),
    };
    lint_bytes_in(display, &bytes, Language::of(source), settings, in_project)
}

/// Whether the prefilter lets a file's text (valid UTF-8, as checked
/// before) go unparsed: it names no module that exports the session, and
/// imports no re-export of it from the project.
pub(crate) fn prefilter_skips(
    bytes: &[u8],
    settings: &FileSettings,
    in_project: InProject,
) -> bool {
    settings.prefilter.as_ref().is_some_and(|gate| {
        !gate.may_use_session(bytes)
            && !in_project.project.may_reach_session(bytes, in_project.file)
    })
}

/// Checks the bytes of a file that has been read, outside any project:
/// what one text shows by itself.
pub fn lint_bytes(display: String, bytes: &[u8], settings: FileSettings) -> FileReport {
    let project = Project::empty();
    let in_project = InProject::new(&project, None);
    lint_bytes_in(display, bytes, Language::Python, settings, in_project)
}

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Language {
    Python,
    /// A Jinja template (under a `templates/` folder, or `template-dirs`).
    Template,
}

impl Language {
    /// What the file at `source` holds.
    pub(crate) fn of(source: &SourcePath) -> Self {
        if source.template {
            Language::Template
        } else {
            Language::Python
        }
    }
}

/// Checks the bytes of a file that has been read, in its project.
pub(crate) fn lint_bytes_in(
    display: String,
    bytes: &[u8],
    language: Language,
    settings: FileSettings,
    in_project: InProject,
) -> FileReport {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let at = error.valid_up_to();
            let reason = format!("the file is not valid UTF-8 (invalid byte at offset {at})");
            return io_error(display, settings.rules, reason);
        }
    };
    let skipped = match language {
        Language::Python => prefilter_skips(bytes, &settings, in_project),
        Language::Template => memchr::memmem::find(bytes, b"session").is_none(),
    };
    if skipped {
        return FileReport::empty(display);
    }
    let source = strip_bom(text);
    let lint = |text: &str| match language {
        Language::Python => {
            lint_source(&display, text, settings.rules, settings.options, in_project)
        }
        Language::Template => template::lint_template(&display, text, settings.rules, in_project),
    };
    let (unsafe_fixes, fixing) = match settings.fix {
        FixMode::Report => (false, false),
        FixMode::Apply { unsafe_fixes } | FixMode::Diff { unsafe_fixes } => (unsafe_fixes, true),
    };
    if !fixing {
        let linted = lint(source);
        return FileReport::new(display, source, linted, None);
    }
    let outcome = fix_source(&display, source, unsafe_fixes, lint);
    let bom = &text[..text.len() - source.len()];
    let mut linted = outcome.last;
    linted.warnings.extend(outcome.warnings);
    let Some(after) = outcome.fixed else {
        return FileReport::new(display, source, linted, None);
    };
    // What to report instead if the fixed text cannot be written.
    let unwritten = outcome
        .original
        .map(|original| Box::new(FileReport::new(display.clone(), source, original, None)));
    let mut report = FileReport::new(display, &after, linted, None);
    report.fixed = Some(Fixed {
        before: text.to_string(),
        after: format!("{bom}{after}"),
        applied: outcome.applied,
        unwritten,
    });
    report
}

impl Pass for Linted {
    fn findings(&self) -> &[Finding] {
        &self.findings
    }

    fn parses(&self) -> bool {
        self.parses
    }
}

impl FileReport {
    /// A file with nothing to report.
    pub(crate) fn empty(path: String) -> Self {
        Self {
            path,
            source: None,
            lines: LineIndex::new(""),
            findings: Vec::new(),
            warnings: Vec::new(),
            fixed: None,
            noqa_added: 0,
        }
    }

    /// The report of a linted text; the text and its line index are kept
    /// only when findings point into them.
    fn new(path: String, source: &str, linted: Linted, fixed: Option<Fixed>) -> Self {
        let (source, lines) = if linted.findings.is_empty() {
            (None, LineIndex::new(""))
        } else {
            (Some(source.into()), linted.lines)
        };
        Self {
            path,
            source,
            lines,
            findings: linted.findings,
            warnings: linted.warnings,
            fixed,
            noqa_added: 0,
        }
    }
}

/// The source text of a block of statements.
fn unit_text<'s>(source: &'s str, body: &[ruff_python_ast::Stmt]) -> &'s str {
    match (body.first(), body.last()) {
        (Some(first), Some(last)) => {
            &source[TextRange::new(first.start(), last.end()).to_std_range()]
        }
        _ => "",
    }
}

/// Checks one file as [`lint_file`] does, but a panic (a bug in flasklint)
/// becomes a finding for the file, and the run goes on with the others.
pub(crate) fn lint_file_guarded(
    source: &SourcePath,
    settings: FileSettings,
    in_project: InProject,
) -> FileReport {
    let shown = source.display.clone();
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        lint_file(source, settings, in_project)
    }))
    .unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|text| (*text).to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let reason = format!(
            "flasklint failed while checking this file (a bug in flasklint, please report it): {what}"
        );
        io_error(shown, settings.rules, reason)
    })
}

fn io_error(path: String, rules: RuleSet, reason: String) -> FileReport {
    let findings = if rules.contains(Rule::IoError) {
        vec![Finding::new(
            Rule::IoError,
            reason,
            TextRange::empty(TextSize::new(0)),
        )]
    } else {
        Vec::new()
    };
    FileReport {
        findings,
        ..FileReport::empty(path)
    }
}

/// One lint of a text.
pub(crate) struct Linted {
    findings: Vec<Finding>,
    warnings: Vec<String>,
    parses: bool,
    lines: LineIndex,
}

/// Checks Python source text (without a byte order mark): the findings
/// that are not suppressed, and warnings about the file's `noqa` comments.
fn lint_source(
    path: &str,
    source: &str,
    rules: RuleSet,
    options: &RuleOptions,
    in_project: InProject,
) -> Linted {
    if nesting::too_deep(source) {
        let message = format!(
            "syntax error: nested more than {MAX_NESTING} levels deep (CPython stops at 200 nested brackets); the file is not parsed"
        );
        return Linted {
            findings: rules
                .contains(Rule::SyntaxError)
                .then(|| Finding::new(Rule::SyntaxError, message, TextRange::default()))
                .into_iter()
                .collect(),
            warnings: Vec::new(),
            parses: false,
            lines: LineIndex::new(source),
        };
    }
    let parsed = parse_module(source);
    let mut findings = Vec::new();
    if rules.contains(Rule::SyntaxError) {
        findings.extend(parsed.errors().iter().map(|error| {
            Finding::new(
                Rule::SyntaxError,
                format!("syntax error: {}", error.error),
                error.range(),
            )
        }));
    }
    let parses = parsed.errors().is_empty();
    let Some(module) = parsed.syntax().as_module() else {
        return Linted {
            findings,
            warnings: Vec::new(),
            parses,
            lines: LineIndex::new(source),
        };
    };
    let comments: Vec<TextRange> = parsed
        .tokens()
        .iter()
        .filter(|token| token.kind() == TokenKind::Comment)
        .map(Ranged::range)
        .collect();
    let lines = LineIndex::new(source);
    let model = SessionModel::build(&module.body, &options.session_names, in_project);
    let checker = Checker {
        source,
        model: &model,
        project: in_project.project,
        file: in_project.file,
        options,
        comments: &comments,
        lines: &lines,
        keys: std::cell::OnceCell::new(),
    };
    let checks: Vec<_> = rules.iter().filter_map(|info| info.check).collect();
    let heads: Vec<memchr::memmem::Finder> = model
        .session_heads()
        .iter()
        .map(memchr::memmem::Finder::new)
        .collect();
    for unit in model.units() {
        // A unit whose text names none of the ways to the session cannot
        // hold a finding.
        let text = unit_text(source, unit.body).as_bytes();
        if checks.is_empty() || !heads.iter().any(|head| head.find(text).is_some()) {
            continue;
        }
        let facts = UnitFacts::of(&checker, unit);
        for check in &checks {
            check(&checker, &facts, &mut findings);
        }
    }
    let suppressions = Suppressions::parse(source, &comments, &lines, path);
    findings.retain(|finding| !suppressions.silences(finding, &lines));
    findings.sort_by_key(|finding| (finding.range.start(), finding.rule));
    Linted {
        findings,
        warnings: suppressions.warnings,
        parses,
        lines,
    }
}
