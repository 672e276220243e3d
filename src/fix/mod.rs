//! Applying fixes: choose the fixes that do not overlap, apply them, lint
//! the result again, and repeat until nothing changes (bounded, like
//! ruff). A pass whose result does not parse is a bug in a fix: the whole
//! file is then left as it was.

pub(crate) mod add_noqa;
pub(crate) mod diff;
pub(crate) mod noqa;
pub(crate) mod write;

use std::collections::BTreeMap;

use ruff_text_size::TextSize;

use crate::rules::finding::{Applicability, Edit, Finding};

/// Passes before giving up on fixes that keep producing new fixes.
pub(crate) const MAX_PASSES: usize = 10;

/// What fixing one file's text did.
#[derive(Debug)]
pub(crate) struct FixOutcome<L> {
    /// The fixed text, when anything changed.
    pub(crate) fixed: Option<String>,
    /// How many findings the applied fixes removed.
    pub(crate) applied: usize,
    /// Warnings: fixes that broke the code, or passes that did not settle.
    pub(crate) warnings: Vec<String>,
    /// The lint of the text as it ends (the fixed text, or the original
    /// when nothing changed or a fix broke the code): the loop's last pass,
    /// so that nobody lints it again.
    pub(crate) last: L,
    /// The lint of the original text, when the text changed: what to
    /// report if the fixed text cannot be written.
    pub(crate) original: Option<L>,
}

/// One pass of the linter over a text, as the fix loop sees it.
pub(crate) trait Pass {
    /// The findings.
    fn findings(&self) -> &[Finding];
    /// Whether the text parsed.
    fn parses(&self) -> bool;
}

/// Fixes `source` with the fixes `lint` finds, pass after pass. `path`
/// names the file in warnings. The loop owns the linting: each text is
/// linted once, and the last lint is returned.
pub(crate) fn fix_source<L: Pass>(
    path: &str,
    source: &str,
    unsafe_fixes: bool,
    lint: impl Fn(&str) -> L,
) -> FixOutcome<L> {
    let first = lint(source);
    let unchanged = |first, warnings| FixOutcome {
        fixed: None,
        applied: 0,
        warnings,
        last: first,
        original: None,
    };
    if !first.parses() {
        return unchanged(first, Vec::new()); // a file with a syntax error is never fixed
    }
    let mut warnings = Vec::new();
    let mut applied_total = 0;
    let mut current = source.to_string();
    // The lint of `current`, once a pass has changed it.
    let mut latest: Option<L> = None;
    for _ in 0..MAX_PASSES {
        let findings = latest.as_ref().unwrap_or(&first).findings();
        let Some((next, applied, rules)) = apply_pass(&current, findings, unsafe_fixes) else {
            break;
        };
        let next_pass = lint(&next);
        if !next_pass.parses() {
            warnings.push(format!(
                "error: {path}: the fix for {} produced code that does not parse; the file is left unchanged. This is a bug in flasklint: please report it with the file",
                rules.join(", ")
            ));
            return unchanged(first, warnings);
        }
        applied_total += applied;
        current = next;
        let settled = !has_applicable_fix(next_pass.findings(), unsafe_fixes);
        latest = Some(next_pass);
        if settled {
            break;
        }
    }
    let last_findings = latest.as_ref().unwrap_or(&first).findings();
    if has_applicable_fix(last_findings, unsafe_fixes) {
        warnings.push(format!(
            "warning: {path}: fixes were still changing the file after {MAX_PASSES} passes; stopped there"
        ));
    }
    match latest {
        Some(last) if current != source => FixOutcome {
            fixed: Some(current),
            applied: applied_total,
            warnings,
            last,
            original: Some(first),
        },
        Some(last) => FixOutcome {
            fixed: None,
            applied: applied_total,
            warnings,
            last,
            original: None,
        },
        None => unchanged(first, warnings),
    }
}

fn allowed(finding: &Finding, unsafe_fixes: bool) -> bool {
    finding
        .fix
        .as_ref()
        .is_some_and(|fix| fix.applicability == Applicability::Safe || unsafe_fixes)
}

fn has_applicable_fix(findings: &[Finding], unsafe_fixes: bool) -> bool {
    findings
        .iter()
        .any(|finding| allowed(finding, unsafe_fixes))
}

/// Applies every allowed fix that does not overlap one applied before it
/// (in source order). Identical edits of different findings (one marker
/// shared by several changes) are applied once. Returns the new text, the
/// number of findings fixed, and their codes.
fn apply_pass(
    source: &str,
    findings: &[Finding],
    unsafe_fixes: bool,
) -> Option<(String, usize, Vec<&'static str>)> {
    let mut candidates: Vec<&Finding> = findings
        .iter()
        .filter(|f| allowed(f, unsafe_fixes))
        .collect();
    candidates.sort_by_key(|f| (first_edit_start(f), f.rule));
    let mut chosen: Vec<&Edit> = Vec::new();
    // The chosen edits by start, for conflict checks that do not scan them
    // all (that was quadratic in a file with thousands of fixes).
    let mut taken: BTreeMap<TextSize, &Edit> = BTreeMap::new();
    let mut applied = 0;
    let mut rules = Vec::new();
    for finding in candidates {
        let Some(fix) = &finding.fix else { continue };
        if fix.edits.iter().any(|edit| conflicts(&taken, edit)) {
            continue;
        }
        for edit in &fix.edits {
            let start = edit.range.start();
            if taken.get(&start) != Some(&edit) {
                chosen.push(edit);
                taken.insert(start, edit);
            }
        }
        applied += 1;
        if !rules.contains(&finding.rule.code()) {
            rules.push(finding.rule.code());
        }
    }
    if applied == 0 {
        return None;
    }
    chosen.sort_by_key(|edit| (edit.range.start(), edit.range.end()));
    let mut fixed = String::with_capacity(source.len() + 64);
    let mut at = 0;
    for edit in chosen {
        let start = usize::from(edit.range.start());
        fixed.push_str(source.get(at..start)?);
        fixed.push_str(&edit.content);
        at = usize::from(edit.range.end());
    }
    fixed.push_str(source.get(at..)?);
    Some((fixed, applied, rules))
}

fn first_edit_start(finding: &Finding) -> TextSize {
    finding
        .fix
        .as_ref()
        .and_then(|fix| fix.edits.iter().map(|edit| edit.range.start()).min())
        .unwrap_or_else(|| finding.range.start())
}

/// Whether `edit` touches the text of another chosen edit: overlapping
/// ranges, or two insertions (or an insertion and a replacement) at the
/// same offset, whose order would be a guess. An identical edit (one
/// marker shared by several findings) does not conflict.
///
/// Chosen edits never overlap, so their ends grow with their starts: only
/// the one starting at, just before and just after `edit` can touch it.
fn conflicts(taken: &BTreeMap<TextSize, &Edit>, edit: &Edit) -> bool {
    let (start, end) = (edit.range.start(), edit.range.end());
    if let Some(same_start) = taken.get(&start) {
        return *same_start != edit;
    }
    let before = taken
        .range(..start)
        .next_back()
        .is_some_and(|(_, other)| other.range.end() > start);
    let after = taken
        .range(start..)
        .next()
        .is_some_and(|(other_start, _)| *other_start < end);
    before || after
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rule;
    use crate::rules::finding::Fix;
    use ruff_text_size::TextRange;

    fn finding_with(edits: Vec<Edit>) -> Finding {
        let start = edits[0].range.start();
        Finding::new(Rule::UnmarkedSessionMutation, "m", TextRange::empty(start)).with_fix(Some(
            Fix {
                applicability: Applicability::Safe,
                message: "f".into(),
                edits,
            },
        ))
    }

    fn insert(at: u32, text: &str) -> Edit {
        Edit::insert(TextSize::new(at), text)
    }

    #[test]
    fn non_overlapping_edits_all_apply_and_identical_ones_once() {
        let findings = vec![
            finding_with(vec![insert(1, "X")]),
            finding_with(vec![insert(3, "Y")]),
            finding_with(vec![insert(3, "Y")]),
        ];
        let (text, applied, _) = apply_pass("abcd", &findings, false).expect("applies");
        assert_eq!(text, "aXbcYd");
        assert_eq!(applied, 3);
    }

    #[test]
    fn overlapping_edits_wait_for_the_next_pass() {
        let replace = Edit::replace(TextRange::new(TextSize::new(0), TextSize::new(2)), "Z");
        let findings = vec![
            finding_with(vec![replace]),
            finding_with(vec![insert(1, "X")]),
        ];
        let (text, applied, _) = apply_pass("abcd", &findings, false).expect("applies");
        assert_eq!((text.as_str(), applied), ("Zcd", 1));
    }

    #[test]
    fn unsafe_fixes_need_the_flag() {
        let mut finding = finding_with(vec![insert(0, "X")]);
        if let Some(fix) = &mut finding.fix {
            fix.applicability = Applicability::Unsafe;
        }
        assert!(apply_pass("ab", std::slice::from_ref(&finding), false).is_none());
        assert!(apply_pass("ab", &[finding], true).is_some());
    }
}
