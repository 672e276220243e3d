//! Code actions: per finding a quickfix that applies its fix (unsafe ones
//! only with `unsafeFixes`) and one that disables the rule on the line;
//! and `source.fixAll.flasklint`, every safe fix of the document at once.

use serde::Deserialize;
use serde_json::{Value, json};

use crate::config::settings::FixMode;
use crate::fix::noqa::NoqaPlanner;
use crate::input::source::{LineIndex, strip_bom};
use crate::server::diagnostics::{Snapshot, diagnostic, disable_edit, offered, text_edits};
use crate::server::position::Located;

pub(crate) const FIX_ALL: &str = "source.fixAll.flasklint";

/// What a `textDocument/codeAction` asks for.
#[derive(Debug, Deserialize)]
pub(crate) struct Asked {
    pub(crate) range: gen_lsp_types::Range,
    #[serde(default)]
    pub(crate) context: Context,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Context {
    #[serde(default)]
    pub(crate) only: Option<Vec<String>>,
}

impl Context {
    /// Whether actions of `kind` are wanted: `only` names the kind or a
    /// kind it is under (`source` covers `source.fixAll.flasklint`).
    fn wants(&self, kind: &str) -> bool {
        self.only.as_ref().is_none_or(|only| {
            only.iter()
                .any(|wanted| kind == wanted || kind.starts_with(&format!("{wanted}.")))
        })
    }
}

/// The actions for a range of the document. With `resolve`, the fix-all
/// action comes without its edit, which `codeAction/resolve` adds.
pub(crate) fn code_actions(snapshot: &Snapshot, asked: &Asked, resolve: bool) -> Vec<Value> {
    let report = snapshot.lint(FixMode::Report);
    let lines = LineIndex::new(&snapshot.text);
    let located = Located {
        text: &snapshot.text,
        lines: &lines,
        encoding: snapshot.encoding,
    };
    let wanted = located.text_range(asked.range);
    let shift = snapshot.shift();
    let planner = NoqaPlanner::new(strip_bom(&snapshot.text), snapshot.language());
    let mut actions = Vec::new();
    let edit = |edits: Vec<Value>| json!({ "changes": { snapshot.uri.clone(): edits } });
    if asked.context.wants("quickfix") {
        for finding in &report.findings {
            let range = finding.range + crate::server::position::text_size(shift);
            // Touching the asked range counts: a cursor at the finding's end.
            if range.start() > wanted.end() || range.end() < wanted.start() {
                continue;
            }
            let code = finding.rule.code();
            let shown = diagnostic(&located, &planner, finding, shift);
            if let Some(fix) = &finding.fix
                && offered(fix.applicability, snapshot.unsafe_fixes)
            {
                actions.push(json!({
                    "title": format!("flasklint ({code}): {}", fix.message),
                    "kind": "quickfix",
                    "diagnostics": [shown],
                    "isPreferred": fix.applicability == crate::rules::finding::Applicability::Safe,
                    "edit": edit(text_edits(&located, &fix.edits, shift)),
                }));
            }
            if let Some(noqa) = disable_edit(&planner, finding) {
                actions.push(json!({
                    "title": format!("flasklint ({code}): Disable for this line"),
                    "kind": "quickfix",
                    "diagnostics": [shown],
                    "edit": edit(text_edits(&located, &[noqa], shift)),
                }));
            }
        }
    }
    let any_safe_fix = report.findings.iter().any(|finding| {
        finding
            .fix
            .as_ref()
            .is_some_and(|fix| offered(fix.applicability, false))
    });
    if asked.context.wants(FIX_ALL) && any_safe_fix {
        let mut action = json!({
            "title": "flasklint: Fix all safe fixes",
            "kind": FIX_ALL,
            "data": { "uri": snapshot.uri, "version": snapshot.version },
        });
        if !resolve {
            action["edit"] = fix_all_edit(snapshot);
        }
        actions.push(action);
    }
    actions
}

/// The workspace edit of every safe fix of the document: the whole text
/// replaced by the fixed one (fixes interact, as with `--fix`).
pub(crate) fn fix_all_edit(snapshot: &Snapshot) -> Value {
    let report = snapshot.lint(FixMode::Apply {
        unsafe_fixes: false,
    });
    let Some(fixed) = report.fixed else {
        return json!({ "changes": {} });
    };
    let lines = LineIndex::new(&snapshot.text);
    let located = Located {
        text: &snapshot.text,
        lines: &lines,
        encoding: snapshot.encoding,
    };
    let whole =
        ruff_text_size::TextRange::up_to(crate::server::position::text_size(snapshot.text.len()));
    json!({
        "changes": {
            snapshot.uri.clone(): [{ "range": located.range(whole), "newText": fixed.after }]
        }
    })
}
