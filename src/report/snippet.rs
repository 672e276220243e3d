//! The source excerpt that the text report shows under a finding.
//!
//! miette's own `SourceCode` for a string scans the file from its start on
//! every call, and shows whole lines: a file with thousands of findings, or
//! one finding on a minified line of megabytes, would take minutes and print
//! gigabytes. This one finds lines through the [`LineIndex`] and shows at
//! most a window of a long line around the finding.

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use crate::input::source::{LineIndex, ceil_char_boundary, floor_char_boundary, offset};

/// An excerpt longer than this is cut down to a window of its lines.
const MAX_EXCERPT: usize = 4096;
/// Bytes of a long line shown on each side of the finding.
const MARGIN: usize = 80;
/// A range longer than this is underlined only from its start, for
/// [`MAX_LABEL`] bytes of its first line.
const MAX_RANGE: usize = 2048;
/// Length of the underline of a range cut down by [`label`].
const MAX_LABEL: usize = 120;

/// One file's text, as miette reads it.
pub(crate) struct FileText<'a> {
    pub(crate) name: &'a str,
    pub(crate) text: &'a str,
    pub(crate) lines: &'a LineIndex,
}

impl FileText<'_> {
    /// The part of `span` to underline: all of it, or for a very long range
    /// its beginning on its first line.
    pub(crate) fn label(&self, span: SourceSpan) -> SourceSpan {
        if span.len() <= MAX_RANGE {
            return span;
        }
        let start = span.offset();
        let end = floor_char_boundary(self.text, self.before_line_break(start, MAX_LABEL));
        SourceSpan::from(start..end.max(start))
    }

    fn line_of(&self, at: usize) -> usize {
        self.lines.line_of(offset(at))
    }

    fn line_start(&self, line: usize) -> usize {
        usize::from(self.lines.line_start(line))
    }

    /// Where `line` ends, after its line break.
    fn line_end(&self, line: usize) -> usize {
        if line < self.line_of(self.text.len()) {
            self.line_start(line + 1)
        } else {
            self.text.len()
        }
    }

    /// The first line break in the `limit` bytes from `from`, else where
    /// they end (looking no further keeps long lines cheap).
    fn before_line_break(&self, from: usize, limit: usize) -> usize {
        let until = (from + limit).min(self.text.len());
        self.text.as_bytes()[from..until]
            .iter()
            .position(|&byte| matches!(byte, b'\n' | b'\r'))
            .map_or(until, |at| from + at)
    }

    fn column(&self, at: usize) -> usize {
        self.lines.location(self.text, offset(at)).column - 1
    }
}

impl SourceCode for FileText<'_> {
    /// What miette's `SourceCode for str` returns (the span alone without
    /// context lines, else whole lines), unless that is longer than
    /// [`MAX_EXCERPT`]: then a window of the span's own lines around it.
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let start = span.offset();
        let end = start + span.len();
        if end > self.text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let first = self.line_of(start);
        let last = self.line_of(end.saturating_sub(1).max(start));
        let (mut from, mut line, mut column) = if context_lines_before == 0 {
            (start, first, self.column(start))
        } else {
            let line = first.saturating_sub(context_lines_before);
            (self.line_start(line), line, 0)
        };
        let mut to = if context_lines_after == 0 {
            end
        } else {
            self.line_end(last + context_lines_after)
        };
        if to - from > MAX_EXCERPT {
            from = floor_char_boundary(
                self.text,
                start.saturating_sub(MARGIN).max(self.line_start(first)),
            );
            to = ceil_char_boundary(self.text, self.before_line_break(end, MARGIN));
            line = first;
            column = self.column(from);
        }
        Ok(Box::new(
            MietteSpanContents::new_named(
                self.name.to_string(),
                &self.text.as_bytes()[from..to],
                SourceSpan::from(from..to),
                line,
                column,
                last - line + 1,
            )
            .with_language("python"),
        ))
    }
}
