//! Linting a snapshot of a document, and its findings as LSP diagnostics:
//! source `flasklint`, the rule's code and severity, and in `data` the fix
//! and the edit that disables the rule on the line, so that a client can
//! show them without asking again.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{Value, json};

use crate::analysis::session::InProject;
use crate::config::settings::FixMode;
use crate::fix::noqa::NoqaPlanner;
use crate::input::source::{LineIndex, strip_bom};
use crate::lint::{FileReport, Language, lint_bytes_in};
use crate::rules::finding::{Applicability, Edit, Finding};
use crate::rules::{Rule, Severity};
use crate::server::position::{Encoding, Located, text_size};
use crate::server::workspace::Facts;

/// A document as one worker sees it: the text at one version, and the
/// workspace's facts at that moment.
pub(crate) struct Snapshot {
    pub(crate) uri: String,
    /// Its file (for a document without one, a name in the workspace root).
    pub(crate) path: PathBuf,
    pub(crate) language_id: String,
    pub(crate) version: i32,
    pub(crate) text: Arc<str>,
    pub(crate) facts: Arc<Facts>,
    pub(crate) encoding: Encoding,
    pub(crate) unsafe_fixes: bool,
}

impl Snapshot {
    /// Whether the document is a Jinja template: a `jinja` language, or a
    /// file the project counts as one (`html` under `templates/`).
    pub(crate) fn language(&self) -> Language {
        let id = self.language_id.to_ascii_lowercase();
        if id.contains("jinja") || id == "htmldjango" {
            return Language::Template;
        }
        if id != "python" && self.facts.settings.project.is_template(&self.path) {
            return Language::Template;
        }
        Language::Python
    }

    /// Lints the text with the document's own settings.
    pub(crate) fn lint(&self, fix: FixMode) -> FileReport {
        let settings = &self.facts.settings;
        let display = self.path.display().to_string();
        // A seam for the test of what a bug does (debug builds only).
        #[cfg(debug_assertions)]
        if std::env::var_os("FLASKLINT_TEST_PANIC_ON").is_some_and(|name| name == display.as_str())
        {
            panic!("FLASKLINT_TEST_PANIC_ON names `{display}`");
        }
        let Ok(scope) = settings.configurations.for_file(&self.path) else {
            // The configuration was valid when the facts were built: a
            // file's own error is the workspace's, shown with it.
            return FileReport::empty(display);
        };
        let file_settings = scope.file_settings(&self.path, fix, settings.max_file_size);
        lint_bytes_in(
            display,
            self.text.as_bytes(),
            self.language(),
            file_settings,
            InProject::new(&settings.project, Some(&self.path)),
        )
    }

    /// The offset where the linted text (after a byte order mark) starts.
    pub(crate) fn shift(&self) -> usize {
        self.text.len() - strip_bom(&self.text).len()
    }

    /// The diagnostics of a report of this snapshot.
    pub(crate) fn diagnostics(&self, report: &FileReport) -> Vec<Value> {
        if report.findings.is_empty() {
            return Vec::new(); // no index, no noqa planner (a second parse)
        }
        let lines = LineIndex::new(&self.text);
        let located = Located {
            text: &self.text,
            lines: &lines,
            encoding: self.encoding,
        };
        let planner = NoqaPlanner::new(strip_bom(&self.text), self.language());
        report
            .findings
            .iter()
            .map(|finding| diagnostic(&located, &planner, finding, self.shift()))
            .collect()
    }
}

/// One finding as a diagnostic; `shift` is where the linted text starts
/// in the document (after a byte order mark).
pub(crate) fn diagnostic(
    located: &Located,
    planner: &NoqaPlanner,
    finding: &Finding,
    shift: usize,
) -> Value {
    let info = finding.rule.info();
    let fix = finding.fix.as_ref().map(|fix| {
        json!({
            "title": format!("flasklint ({}): {}", info.code, fix.message),
            "applicability": fix.applicability.as_str(),
            "edits": text_edits(located, &fix.edits, shift),
        })
    });
    let noqa = disable_edit(planner, finding).map(|edit| {
        json!({
            "title": format!("flasklint ({}): Disable for this line", info.code),
            "edits": text_edits(located, std::slice::from_ref(&edit), shift),
        })
    });
    let range = finding.range + text_size(shift);
    json!({
        "range": located.range(range),
        "severity": match info.severity { Severity::Error => 1, Severity::Warning => 2 },
        "code": info.code,
        "source": "flasklint",
        "message": finding.message,
        "data": { "fix": fix, "noqa": noqa },
    })
}

/// The edit that adds the finding's code to a `noqa` on its first line;
/// none where no comment can go (or for a syntax error, which `noqa`
/// cannot silence).
pub(crate) fn disable_edit(planner: &NoqaPlanner, finding: &Finding) -> Option<Edit> {
    if finding.rule == Rule::SyntaxError {
        return None;
    }
    let line = planner.line_of(usize::from(finding.range.start()));
    planner.edit(line, &[finding.rule.code()]).ok()
}

/// Edits as LSP `TextEdit`s.
pub(crate) fn text_edits(located: &Located, edits: &[Edit], shift: usize) -> Vec<Value> {
    edits
        .iter()
        .map(|edit| {
            json!({
                "range": located.range(edit.range + text_size(shift)),
                "newText": edit.content,
            })
        })
        .collect()
}

/// Whether a fix is offered with these settings.
pub(crate) fn offered(applicability: Applicability, unsafe_fixes: bool) -> bool {
    applicability == Applicability::Safe || unsafe_fixes
}
