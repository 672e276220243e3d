//! `--add-noqa`: a `noqa` directive on the first line of every finding, so
//! that a codebase can start from zero findings. Lines where no comment can
//! go are named in a warning; the file is written as `--fix` writes
//! (atomically, keeping its permissions, left alone if it changed on disk)
//! and a Python file is parsed again first: a result that parses worse
//! than the original is never written.

use std::collections::BTreeMap;
use std::path::Path;

use crate::fix::noqa::{NoEdit, NoqaPlanner};
use crate::fix::write::replace_file;
use crate::input::source::{parse_module, strip_bom};
use crate::lint::{FileReport, Language};
use crate::rules::Rule;

/// Adds the directives a report's findings need to its file. Returns how
/// many lines gained or extended a directive, and warnings for stderr.
pub(crate) fn add_noqa(
    path: &Path,
    report: &FileReport,
    language: Language,
) -> (usize, Vec<String>) {
    let display = &report.path;
    let mut by_line: BTreeMap<usize, Vec<&'static str>> = BTreeMap::new();
    let Some(source) = report.source.as_deref() else {
        return (0, Vec::new());
    };
    let planner = NoqaPlanner::new(source, language);
    for finding in &report.findings {
        // Unreadable files and syntax errors cannot be silenced by `noqa`.
        if matches!(finding.rule, Rule::IoError | Rule::SyntaxError) {
            continue;
        }
        let line = planner.line_of(usize::from(finding.range.start()));
        let codes = by_line.entry(line).or_default();
        if !codes.contains(&finding.rule.code()) {
            codes.push(finding.rule.code());
        }
    }
    if by_line.is_empty() {
        return (0, Vec::new());
    }
    let mut warnings = Vec::new();
    let before = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => {
            return (
                0,
                vec![format!("error: {display}: cannot read it again: {error}")],
            );
        }
    };
    let Some(text) = std::str::from_utf8(&before)
        .ok()
        .filter(|text| strip_bom(text) == source)
    else {
        let message = format!(
            "error: {display}: it changed on disk while flasklint was reading it; no noqa directive added"
        );
        return (0, vec![message]);
    };
    let mut edits = Vec::new();
    for (line, mut codes) in by_line {
        codes.sort_unstable();
        match planner.edit(line, &codes) {
            Ok(edit) => edits.push(edit),
            Err(NoEdit::Silenced) => {}
            Err(NoEdit::Impossible(reason)) => warnings.push(format!(
                "warning: {display}:{}: no noqa directive added: {reason}",
                line + 1
            )),
        }
    }
    if edits.is_empty() {
        return (0, warnings);
    }
    let mut after = source.to_string();
    // One edit per line, in line order: applied from the end.
    for edit in edits.iter().rev() {
        after.replace_range(edit.range.to_std_range(), &edit.content);
    }
    if language == Language::Python
        && parse_module(&after).errors().len() > parse_module(source).errors().len()
    {
        warnings.push(format!(
            "error: {display}: adding noqa directives would break the code; the file is unchanged. This is a bug in flasklint: please report it with the file"
        ));
        return (0, warnings);
    }
    let bom = &text[..text.len() - source.len()];
    let written = format!("{bom}{after}");
    match replace_file(path, &before, written.as_bytes()) {
        Ok(()) => (edits.len(), warnings),
        Err(reason) => {
            warnings.push(format!(
                "error: {display}: cannot add noqa directives, the file is unchanged: {reason}"
            ));
            (0, warnings)
        }
    }
}
