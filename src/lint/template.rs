//! Checking a Jinja template: FL106 at each session key it reads that
//! nothing writes, near a key that is written. `{# noqa: FL106 #}` on the
//! line silences it, as `# noqa` does in Python.

use crate::analysis::fast_hash::FastSet;
use crate::analysis::session::InProject;
use crate::analysis::session_keys::{Access, Key};
use crate::analysis::template_keys::template_keys;
use crate::input::jinja::comments;
use crate::input::source::LineIndex;
use crate::lint::Linted;
use crate::lint::noqa::Suppressions;
use crate::rules::unknown_session_key::{near_miss, rename_fix, unknown_key_finding};
use crate::rules::{Rule, RuleSet};

/// Checks a template's text.
pub(super) fn lint_template(
    path: &str,
    text: &str,
    rules: RuleSet,
    in_project: InProject,
) -> Linted {
    let lines = LineIndex::new(text);
    let mut findings = Vec::new();
    if rules.contains(Rule::UnknownSessionKey) {
        let keys = template_keys(text);
        let written_here: FastSet<&str> = keys
            .uses
            .iter()
            .filter(|other| other.access == Access::Write)
            .filter_map(|other| match &other.key {
                Key::Literal(key) => Some(key.as_str()),
                _ => None,
            })
            .collect();
        for read in keys.uses.iter().filter(|u| u.access == Access::Read) {
            let Key::Literal(key) = &read.key else {
                continue;
            };
            if read.is_session_attribute(in_project.project) {
                continue;
            }
            let here = || written_here.contains(key.as_str());
            let Some((near, written)) = near_miss(in_project.project, key, here) else {
                continue;
            };
            let literal = &text[read.range.to_std_range()];
            let fix = rename_fix(literal, key, &near, read.range);
            let access = &text[read.expr.to_std_range()];
            findings.push(unknown_key_finding(
                access,
                "this template",
                key,
                &near,
                &written,
                read.range,
                fix,
            ));
        }
    }
    let suppressions = Suppressions::parse(text, &comments(text), &lines, path);
    findings.retain(|finding| !suppressions.silences(finding, &lines));
    findings.sort_by_key(|finding| (finding.range.start(), finding.rule));
    Linted {
        findings,
        warnings: suppressions.warnings,
        parses: true,
        lines,
    }
}
