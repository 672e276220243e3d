//! Suppression comments, read from the comment tokens (so a `# noqa` inside
//! a string is not one):
//!
//! - `# noqa` at the end of a line silences every finding that starts on
//!   that line; `# noqa: FL101, FL103` only those codes;
//! - `# flasklint: noqa` on a line of its own silences the whole file;
//!   `# flasklint: noqa: FL101` only that code.
//!
//! Syntax errors (FL002) cannot be silenced this way, as in ruff.

use ruff_text_size::TextRange;

use crate::input::source::LineIndex;
use crate::rules::Rule;
use crate::rules::finding::Finding;

/// Which codes a directive names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Codes {
    All,
    Only(Vec<String>),
}

impl Codes {
    fn covers(&self, rule: Rule) -> bool {
        match self {
            Codes::All => true,
            Codes::Only(codes) => codes
                .iter()
                .any(|code| code.eq_ignore_ascii_case(rule.code())),
        }
    }
}

/// The suppressions of one file.
#[derive(Debug, Default)]
pub(crate) struct Suppressions {
    /// (0-based line, codes) of each `# noqa`, in line order (comments
    /// come in source order, and a line holds at most one).
    lines: Vec<(usize, Codes)>,
    /// `# flasklint: noqa` directives.
    file: Vec<Codes>,
    /// Warnings for the user: unknown codes named in directives.
    pub(crate) warnings: Vec<String>,
}

impl Suppressions {
    /// Reads the directives in a file's comments. `path` names the file in
    /// warnings.
    pub(crate) fn parse(
        source: &str,
        comments: &[TextRange],
        lines: &LineIndex,
        path: &str,
    ) -> Self {
        let mut suppressions = Suppressions::default();
        for comment in comments {
            let text = &source[comment.to_std_range()];
            let line = lines.line_of(comment.start());
            let line_start = usize::from(lines.line_start(line));
            let own_line = source[line_start..usize::from(comment.start())]
                .trim()
                .is_empty();
            let (codes, file_wide) = match (own_line, file_directive(text)) {
                (true, Some(codes)) => (codes, true),
                _ => match line_directive(text) {
                    Some(codes) => (codes, false),
                    None => continue,
                },
            };
            if let Codes::Only(named) = &codes {
                for code in named.iter().filter(|code| is_unknown_flasklint_code(code)) {
                    suppressions.warnings.push(format!(
                        "warning: {path}:{}: unknown rule code `{code}` in a noqa comment",
                        line + 1
                    ));
                }
            }
            if file_wide {
                suppressions.file.push(codes);
            } else {
                suppressions.lines.push((line, codes));
            }
        }
        suppressions
    }

    /// Whether a finding is silenced.
    pub(crate) fn silences(&self, finding: &Finding, lines: &LineIndex) -> bool {
        if finding.rule == Rule::SyntaxError {
            return false;
        }
        if self.file.iter().any(|codes| codes.covers(finding.rule)) {
            return true;
        }
        let line = lines.line_of(finding.range.start());
        self.lines
            .binary_search_by_key(&line, |(noqa_line, _)| *noqa_line)
            .is_ok_and(|at| self.lines[at].1.covers(finding.rule))
    }
}

/// Codes that look like flasklint's but name no rule (other tools' codes,
/// such as flake8's `E501`, are left alone).
fn is_unknown_flasklint_code(code: &str) -> bool {
    code.len() >= 2 && code[..2].eq_ignore_ascii_case("FL") && Rule::from_code(code).is_none()
}

/// `# flasklint: noqa` or `# flasklint: noqa: CODES`, case-insensitive.
fn file_directive(comment: &str) -> Option<Codes> {
    let rest = strip_prefix_ignore_case(comment.strip_prefix('#')?.trim_start(), "flasklint")?;
    let rest = rest.trim_start().strip_prefix(':')?.trim_start();
    let rest = strip_prefix_ignore_case(rest, "noqa")?;
    codes_after(rest).map(|(codes, _)| codes)
}

/// A `# noqa` anywhere in the comment, after a `#` (so that
/// `# type: ignore  # noqa: FL101` works).
fn line_directive(comment: &str) -> Option<Codes> {
    line_directive_span(comment).map(|(_, codes)| codes)
}

/// A line directive with where it sits in the comment: from its `noqa` to
/// the end of its last code.
pub(crate) fn line_directive_span(comment: &str) -> Option<(std::ops::Range<usize>, Codes)> {
    comment.match_indices('#').find_map(|(at, _)| {
        let after_hash = &comment[at + 1..];
        let start = at + 1 + (after_hash.len() - after_hash.trim_start().len());
        let rest = strip_prefix_ignore_case(&comment[start..], "noqa")?;
        let (codes, used) = codes_after(rest)?;
        Some((start..start + 4 + used, codes))
    })
}

/// After `noqa`: nothing (all codes), or `:` and a list of codes separated
/// by commas or spaces; with the bytes of `rest` the directive takes.
/// `noqa` glued to a word (`noqanswer`) is no directive.
fn codes_after(rest: &str) -> Option<(Codes, usize)> {
    let trimmed = rest.trim_start();
    let Some(list) = trimmed.strip_prefix(':') else {
        let glued = rest.starts_with(|c: char| c.is_alphanumeric() || c == '_');
        return (!glued).then_some((Codes::All, 0));
    };
    let list_start = rest.len() - list.len();
    let mut codes = Vec::new();
    let mut used = list_start;
    let mut at = 0;
    for word in list.split_inclusive(|c: char| c == ',' || c.is_whitespace()) {
        let code = word.trim_end_matches(|c: char| c == ',' || c.is_whitespace());
        if !code.is_empty() {
            if !is_code(code) {
                break;
            }
            codes.push(code.to_string());
            used = list_start + at + code.len();
        }
        at += word.len();
    }
    // `# noqa:` followed by no code silences everything, as in ruff.
    Some(if codes.is_empty() {
        (Codes::All, used)
    } else {
        (Codes::Only(codes), used)
    })
}

/// Letters then digits: `FL101`, `E501`.
fn is_code(word: &str) -> bool {
    let digits = word.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    digits.len() < word.len() && !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_directives() {
        assert_eq!(line_directive("# noqa"), Some(Codes::All));
        assert_eq!(line_directive("#NOQA"), Some(Codes::All));
        assert_eq!(
            line_directive("# noqa: FL101, fl103"),
            Some(Codes::Only(vec!["FL101".into(), "fl103".into()]))
        );
        assert_eq!(
            line_directive("# noqa:FL101 FL103 trailing words"),
            Some(Codes::Only(vec!["FL101".into(), "FL103".into()]))
        );
        assert_eq!(
            line_directive("# type: ignore  # noqa: FL105"),
            Some(Codes::Only(vec!["FL105".into()]))
        );
        assert_eq!(line_directive("# noqanswer"), None);
        assert_eq!(line_directive("# this is not noqa"), None);
        assert_eq!(line_directive("# flasklint: noqa"), None);
    }

    #[test]
    fn file_directives() {
        assert_eq!(file_directive("# flasklint: noqa"), Some(Codes::All));
        assert_eq!(file_directive("#FlaskLint:NOQA"), Some(Codes::All));
        assert_eq!(
            file_directive("# flasklint: noqa: FL101"),
            Some(Codes::Only(vec!["FL101".into()]))
        );
        assert_eq!(file_directive("# noqa"), None);
        assert_eq!(file_directive("# flasklint: disable"), None);
    }
}
