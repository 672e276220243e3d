//! Adding `noqa` directives: the edit that makes a line's findings silent,
//! for `--add-noqa` and the editor's "Disable for this line". A Python line
//! gets `  # noqa: FL101` (or its existing `# noqa:` list extended, other
//! tools' codes kept in their order); a template line `{# noqa: FL106 #}`.
//! A line whose end is inside a string, after a backslash continuation or
//! inside a template tag cannot carry a comment: it gets no edit, and the
//! reason.

use ruff_python_ast::token::TokenKind;
use ruff_text_size::{Ranged, TextRange};

use crate::analysis::fast_hash::FastSet;
use crate::input::jinja;
use crate::input::source::{LineIndex, offset, parse_module};
use crate::lint::Language;
use crate::lint::noqa::{Codes, line_directive_span};
use crate::rules::finding::Edit;

/// Where a text's lines can take a comment, and the comments they have.
pub(crate) struct NoqaPlanner<'s> {
    source: &'s str,
    language: Language,
    lines: LineIndex,
    /// Comments in source order (Python: from `#` to the line end;
    /// templates: from the `#` after `{` to before `#}`).
    comments: Vec<TextRange>,
    /// Offsets of line ends where a comment may go.
    open_ends: FastSet<usize>,
}

/// Why a line gets no directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NoEdit {
    /// Its `noqa` already silences the codes.
    Silenced,
    /// No comment can go there.
    Impossible(&'static str),
}

impl<'s> NoqaPlanner<'s> {
    /// Reads where `source` (without a byte order mark) can take comments.
    pub(crate) fn new(source: &'s str, language: Language) -> Self {
        let lines = LineIndex::new(source);
        let (comments, open_ends) = match language {
            Language::Python => python_comments(source),
            Language::Template => template_comments(source, &lines),
        };
        Self {
            source,
            language,
            lines,
            comments,
            open_ends,
        }
    }

    /// The 0-based line a byte offset is on.
    pub(crate) fn line_of(&self, at: usize) -> usize {
        self.lines.line_of(offset(at))
    }

    /// The edit that silences `codes` on 0-based `line`.
    pub(crate) fn edit(&self, line: usize, codes: &[&str]) -> Result<Edit, NoEdit> {
        let start = usize::from(self.lines.line_start(line));
        let end = self.line_end(line);
        if !self.open_ends.contains(&end) {
            return Err(NoEdit::Impossible(match self.language {
                Language::Python => {
                    "the line ends inside a string or after a backslash continuation"
                }
                Language::Template => "the line ends inside a template tag",
            }));
        }
        let on_line = self
            .comments
            .iter()
            .filter(|comment| {
                let at = usize::from(comment.start());
                at >= start && at <= end
            })
            .collect::<Vec<_>>();
        for comment in &on_line {
            let text = &self.source[comment.to_std_range()];
            let Some((span, existing)) = line_directive_span(text) else {
                continue;
            };
            let Codes::Only(mut named) = existing else {
                return Err(NoEdit::Silenced);
            };
            let before = named.len();
            for code in codes {
                if !named.iter().any(|name| name.eq_ignore_ascii_case(code)) {
                    named.push((*code).to_string());
                }
            }
            if named.len() == before {
                return Err(NoEdit::Silenced);
            }
            let at = usize::from(comment.start());
            let range = TextRange::new(offset(at + span.start), offset(at + span.end));
            return Ok(Edit::replace(range, format!("noqa: {}", named.join(", "))));
        }
        let list = codes.join(", ");
        let directive = match self.language {
            Language::Python => format!("  # noqa: {list}"),
            Language::Template => format!(" {{# noqa: {list} #}}"),
        };
        // After the code, replacing trailing blanks; a line that is blank
        // keeps its indentation.
        let content = self.source[start..end].trim_end_matches([' ', '\t']);
        let trimmed_end = if content.is_empty() {
            end
        } else {
            start + content.len()
        };
        let range = TextRange::new(offset(trimmed_end), offset(end));
        Ok(Edit::replace(range, directive))
    }

    fn line_end(&self, line: usize) -> usize {
        let start = usize::from(self.lines.line_start(line));
        let next = usize::from(self.lines.line_start(line + 1));
        let next = if next <= start {
            self.source.len()
        } else {
            next
        };
        start
            + self.source[start..next]
                .trim_end_matches(['\n', '\r'])
                .len()
    }
}

/// A Python text's comments, and the line ends the tokenizer saw as the
/// end of a line (a newline token): not inside a string, not after `\`.
fn python_comments(source: &str) -> (Vec<TextRange>, FastSet<usize>) {
    let parsed = parse_module(source);
    let mut comments = Vec::new();
    let mut open_ends = FastSet::default();
    for token in parsed.tokens().iter() {
        match token.kind() {
            TokenKind::Comment => comments.push(token.range()),
            TokenKind::Newline | TokenKind::NonLogicalNewline => {
                open_ends.insert(usize::from(token.start()));
            }
            _ => {}
        }
    }
    // The last line may end without a newline token of its own.
    let last_token_end = parsed
        .tokens()
        .iter()
        .filter(|token| !matches!(token.kind(), TokenKind::EndOfFile | TokenKind::Dedent))
        .map(|token| usize::from(token.end()))
        .max()
        .unwrap_or(0);
    let tail = source.trim_end_matches(['\n', '\r']);
    if last_token_end <= tail.len() && !tail.ends_with('\\') {
        open_ends.insert(tail.len());
    }
    (comments, open_ends)
}

/// A template's comments, and every line end that is outside a tag.
fn template_comments(source: &str, lines: &LineIndex) -> (Vec<TextRange>, FastSet<usize>) {
    let comments = jinja::comments(source);
    // Tags as spans: from a tag's first token to its end, and comments.
    let mut spans: Vec<(usize, usize)> = comments
        .iter()
        .map(|comment| (usize::from(comment.start()), usize::from(comment.end())))
        .collect();
    let mut first = None;
    for token in jinja::tokens(source) {
        let start = *first.get_or_insert(token.at);
        if token.token == jinja::Token::End {
            spans.push((start, token.at));
            first = None;
        }
    }
    spans.sort_unstable();
    let mut open_ends = FastSet::default();
    let line_count = lines.line_count();
    for line in 0..line_count {
        let start = usize::from(lines.line_start(line));
        let next = if line + 1 < line_count {
            usize::from(lines.line_start(line + 1))
        } else {
            source.len()
        };
        let end = start + source[start..next].trim_end_matches(['\n', '\r']).len();
        let at = spans.partition_point(|(span_start, _)| *span_start < end);
        let inside = spans[..at].iter().any(|(_, span_end)| *span_end >= end);
        if !inside {
            open_ends.insert(end);
        }
    }
    (comments, open_ends)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(
        source: &str,
        language: Language,
        line: usize,
        codes: &[&str],
    ) -> Result<String, NoEdit> {
        let planner = NoqaPlanner::new(source, language);
        let edit = planner.edit(line, codes)?;
        let mut out = source.to_string();
        out.replace_range(edit.range.to_std_range(), &edit.content);
        Ok(out)
    }

    #[test]
    fn python_lines_get_or_extend_a_directive() {
        let py = Language::Python;
        assert_eq!(
            apply("x = 1   \ny = 2\n", py, 0, &["FL101"]).unwrap(),
            "x = 1  # noqa: FL101\ny = 2\n"
        );
        assert_eq!(
            apply("x = 1  # noqa: E501\r\n", py, 0, &["FL101", "FL103"]).unwrap(),
            "x = 1  # noqa: E501, FL101, FL103\r\n"
        );
        assert_eq!(
            apply("x = 1  # why\n", py, 0, &["FL101"]).unwrap(),
            "x = 1  # why  # noqa: FL101\n"
        );
        assert_eq!(
            apply("x = 1  # noqa\n", py, 0, &["FL101"]),
            Err(NoEdit::Silenced)
        );
        assert_eq!(
            apply("x = 1  # NOQA: fl101\n", py, 0, &["FL101"]),
            Err(NoEdit::Silenced)
        );
        assert_eq!(
            apply("x = 1", py, 0, &["FL101"]).unwrap(),
            "x = 1  # noqa: FL101"
        );
    }

    #[test]
    fn python_lines_that_cannot_take_a_comment() {
        let py = Language::Python;
        assert!(matches!(
            apply("x = 1 + \\\n    2\n", py, 0, &["FL101"]),
            Err(NoEdit::Impossible(_))
        ));
        assert!(matches!(
            apply("x = \"\"\"a\nb\"\"\"\n", py, 0, &["FL101"]),
            Err(NoEdit::Impossible(_))
        ));
        // The string's last line can.
        assert_eq!(
            apply("x = \"\"\"a\nb\"\"\"\n", py, 1, &["FL101"]).unwrap(),
            "x = \"\"\"a\nb\"\"\"  # noqa: FL101\n"
        );
        // Inside brackets a comment is fine.
        assert_eq!(
            apply("f(1,\n  2)\n", py, 0, &["FL101"]).unwrap(),
            "f(1,  # noqa: FL101\n  2)\n"
        );
    }

    #[test]
    fn template_lines() {
        let tpl = Language::Template;
        assert_eq!(
            apply("<p>{{ session.x }}</p>\n", tpl, 0, &["FL106"]).unwrap(),
            "<p>{{ session.x }}</p> {# noqa: FL106 #}\n"
        );
        assert_eq!(
            apply("{{ session.x }} {# noqa: E1 #}\n", tpl, 0, &["FL106"]).unwrap(),
            "{{ session.x }} {# noqa: E1, FL106 #}\n"
        );
        assert!(matches!(
            apply("{{ session.x\n }}\n", tpl, 0, &["FL106"]),
            Err(NoEdit::Impossible(_))
        ));
    }
}
