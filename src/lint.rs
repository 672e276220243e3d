//! The per-file pipeline: read, parse, build the session model, run the
//! rules. Each file goes through on its own, so files can run in parallel
//! and nothing of one file outlives its report.

use std::path::Path;
use std::sync::Arc;

use ruff_python_ast::PythonVersion;
use ruff_python_ast::token::TokenKind;
use ruff_python_parser::{Mode, ParseOptions, parse_unchecked};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::checker::{Checker, RuleOptions};
use crate::finding::Finding;
use crate::noqa::Suppressions;
use crate::rules::{Rule, RuleSet};
use crate::session::SessionModel;
use crate::source::{LineIndex, strip_bom};

/// The outcome of checking one file.
#[derive(Debug)]
pub struct FileReport {
    /// The file's name as reported (relative to the current directory when
    /// under it).
    pub path: String,
    /// The text the findings point into (after any byte order mark);
    /// `None` when the file could not be read.
    pub source: Option<Arc<str>>,
    /// The findings, in source order.
    pub findings: Vec<Finding>,
    /// Warnings for stderr, such as unknown codes in `noqa` comments.
    pub warnings: Vec<String>,
}

/// Reads and checks one file.
pub fn lint_file(
    path: &Path,
    display: String,
    rules: RuleSet,
    options: &RuleOptions,
) -> FileReport {
    match std::fs::read(path) {
        Ok(bytes) => lint_bytes(display, bytes, rules, options),
        Err(error) => io_error(display, rules, format!("cannot read the file: {error}")),
    }
}

/// Checks the bytes of a file that has been read.
pub fn lint_bytes(
    display: String,
    bytes: Vec<u8>,
    rules: RuleSet,
    options: &RuleOptions,
) -> FileReport {
    match String::from_utf8(bytes) {
        Ok(text) => {
            let text: Arc<str> = strip_bom(&text).into();
            let (findings, warnings) = lint_source(&display, &text, rules, options);
            FileReport {
                path: display,
                source: Some(text),
                findings,
                warnings,
            }
        }
        Err(error) => {
            let at = error.utf8_error().valid_up_to();
            let reason = format!("the file is not valid UTF-8 (invalid byte at offset {at})");
            io_error(display, rules, reason)
        }
    }
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
        path,
        source: None,
        findings,
        warnings: Vec::new(),
    }
}

/// Checks Python source text (without a byte order mark): the findings
/// that are not suppressed, and warnings about the file's `noqa` comments.
fn lint_source(
    path: &str,
    source: &str,
    rules: RuleSet,
    options: &RuleOptions,
) -> (Vec<Finding>, Vec<String>) {
    let parse_options =
        ParseOptions::from(Mode::Module).with_target_version(PythonVersion::latest());
    let parsed = parse_unchecked(source, parse_options);
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
    let Some(module) = parsed.syntax().as_module() else {
        return (findings, Vec::new());
    };
    let comments: Vec<TextRange> = parsed
        .tokens()
        .iter()
        .filter(|token| token.kind() == TokenKind::Comment)
        .map(Ranged::range)
        .collect();
    let lines = LineIndex::new(source);
    let model = SessionModel::build(&module.body, &options.session_names);
    let checker = Checker {
        source,
        model: &model,
        options,
        comments: &comments,
        lines: &lines,
    };
    let checks: Vec<_> = rules.iter().filter_map(|info| info.check).collect();
    for unit in model.units() {
        for check in &checks {
            check(&checker, unit, &mut findings);
        }
    }
    let suppressions = Suppressions::parse(source, &comments, &lines, path);
    findings.retain(|finding| !suppressions.silences(finding, &lines));
    findings.sort_by_key(|finding| (finding.range.start(), finding.rule));
    (findings, suppressions.warnings)
}
