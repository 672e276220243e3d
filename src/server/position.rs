//! LSP positions and byte offsets. A position's `character` counts UTF-8
//! bytes or UTF-16 code units, as negotiated at `initialize`; lines end at
//! `\n`, `\r\n` or a lone `\r`, as the protocol and our [`LineIndex`] say.
//! Every conversion of the server goes through here.

use gen_lsp_types::{Position, PositionEncodingKind, Range};
use ruff_text_size::{TextRange, TextSize};

use crate::input::source::{LineIndex, floor_char_boundary, offset};

/// How a position's `character` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    Utf8,
    /// The protocol's default.
    Utf16,
}

impl Encoding {
    /// UTF-8 when the client offers it, else UTF-16.
    pub(crate) fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Self {
        let offers_utf8 = offered
            .unwrap_or_default()
            .contains(&PositionEncodingKind::UTF8);
        if offers_utf8 {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        }
    }

    pub(crate) fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }

    /// The units a piece of text counts for.
    fn units(self, text: &str) -> usize {
        match self {
            Encoding::Utf8 => text.len(),
            Encoding::Utf16 => text.chars().map(char::len_utf16).sum(),
        }
    }
}

/// A text with its line index, for converting positions.
pub(crate) struct Located<'t> {
    pub(crate) text: &'t str,
    pub(crate) lines: &'t LineIndex,
    pub(crate) encoding: Encoding,
}

impl Located<'_> {
    /// The byte offset of a position. A line past the end is the end of
    /// the text; a character past the end of its line is the line's end
    /// (before its line break); one inside a character is that character.
    pub(crate) fn offset(&self, position: Position) -> usize {
        let line = position.line as usize;
        if line >= self.lines.line_count() {
            return self.text.len();
        }
        let start = usize::from(self.lines.line_start(line));
        let end = self.line_end(line);
        let wanted = position.character as usize;
        match self.encoding {
            Encoding::Utf8 => floor_char_boundary(self.text, (start + wanted).min(end)),
            Encoding::Utf16 => {
                let mut units = 0;
                for (at, c) in self.text[start..end].char_indices() {
                    units += c.len_utf16();
                    if units > wanted {
                        return start + at;
                    }
                }
                end
            }
        }
    }

    /// The position of a byte offset (clamped to the text).
    pub(crate) fn position(&self, at: usize) -> Position {
        let at = floor_char_boundary(self.text, at.min(self.text.len()));
        let line = self.lines.line_of(offset(at));
        let start = usize::from(self.lines.line_start(line));
        // Inside a `\r\n` is the end of the line.
        let at = at.min(self.line_end(line));
        Position {
            line: saturate(line),
            character: saturate(self.encoding.units(&self.text[start..at])),
        }
    }

    pub(crate) fn range(&self, range: TextRange) -> Range {
        Range {
            start: self.position(usize::from(range.start())),
            end: self.position(usize::from(range.end())),
        }
    }

    /// The byte range of an LSP range (start and end in order).
    pub(crate) fn text_range(&self, range: Range) -> TextRange {
        let (start, end) = (self.offset(range.start), self.offset(range.end));
        TextRange::new(offset(start.min(end)), offset(start.max(end)))
    }

    /// Where `line`'s text ends, before its line break.
    pub(crate) fn line_end(&self, line: usize) -> usize {
        let next = if line + 1 < self.lines.line_count() {
            usize::from(self.lines.line_start(line + 1))
        } else {
            self.text.len()
        };
        let start = usize::from(self.lines.line_start(line));
        let body = &self.text[start..next];
        start + body.trim_end_matches(['\n', '\r']).len()
    }
}

/// The byte offset `at` as a `TextSize`, for ranges built here.
pub(crate) fn text_size(at: usize) -> TextSize {
    offset(at)
}

fn saturate(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn located(text: &str, encoding: Encoding) -> (LineIndex, Encoding) {
        (LineIndex::new(text), encoding)
    }

    fn at(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    #[test]
    fn astral_characters_count_two_utf16_units_and_four_bytes() {
        // `😀` is U+1F600: 4 bytes, 2 UTF-16 units; `é` 2 bytes, 1 unit.
        let text = "s = \"😀é\"; session[\"k\"]\n";
        let (lines, _) = located(text, Encoding::Utf16);
        let utf16 = Located {
            text,
            lines: &lines,
            encoding: Encoding::Utf16,
        };
        let utf8 = Located {
            text,
            lines: &lines,
            encoding: Encoding::Utf8,
        };
        let session = text.find("session").unwrap();
        assert_eq!(utf16.position(session), at(0, 11));
        assert_eq!(utf8.position(session), at(0, 14));
        assert_eq!(utf16.offset(at(0, 11)), session);
        assert_eq!(utf8.offset(at(0, 14)), session);
        // Inside the surrogate pair, or inside the UTF-8 bytes: the
        // character itself.
        let emoji = text.find('😀').unwrap();
        assert_eq!(utf16.offset(at(0, 6)), emoji);
        assert_eq!(utf8.offset(at(0, 7)), emoji);
    }

    #[test]
    fn crlf_and_lone_cr_end_lines_and_positions_past_the_end_clamp() {
        let text = "a = 1\r\nb = 2\rc = 3";
        let lines = LineIndex::new(text);
        let located = Located {
            text,
            lines: &lines,
            encoding: Encoding::Utf16,
        };
        assert_eq!(located.offset(at(1, 0)), text.find('b').unwrap());
        assert_eq!(located.offset(at(2, 0)), text.find('c').unwrap());
        // Past the end of line 0: its end, before `\r\n`.
        assert_eq!(located.offset(at(0, 99)), 5);
        assert_eq!(located.offset(at(9, 0)), text.len());
        assert_eq!(located.position(text.len() + 10), at(2, 5));
        assert_eq!(located.position(6), at(0, 5), "inside `\\r\\n`");
    }

    #[test]
    fn utf8_is_chosen_only_when_offered() {
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
        let offered = [PositionEncodingKind::UTF16, PositionEncodingKind::UTF8];
        assert_eq!(Encoding::negotiate(Some(&offered)), Encoding::Utf8);
        assert_eq!(
            Encoding::negotiate(Some(&[PositionEncodingKind::UTF32])),
            Encoding::Utf16
        );
    }
}
