//! Source text and the one line index that turns byte offsets into the
//! rows and columns users see.
//!
//! Everything inside flasklint works in byte offsets (`TextSize`); only the
//! reporters convert, through [`LineIndex`], to 1-based rows and 1-based
//! columns counted in Unicode code points, as ruff does.

use ruff_text_size::TextSize;

/// The UTF-8 byte order mark, which Python accepts at the start of a file.
const BOM: &str = "\u{feff}";

/// Strips a leading byte order mark. Offsets in findings are relative to
/// the text after the mark, so that column 1 is the first real character.
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix(BOM).unwrap_or(text)
}

/// A 1-based row and column (in Unicode code points).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// 1-based line number.
    pub row: usize,
    /// 1-based column, counted in Unicode code points.
    pub column: usize,
}

/// Start offsets of every line of a text. `\n`, `\r\n` and a lone `\r` all
/// end a line, as they do for Python's tokenizer.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<TextSize>,
}

impl LineIndex {
    /// Indexes the line starts of `text`.
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut line_starts = vec![TextSize::new(0)];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => line_starts.push(offset(i + 1)),
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    line_starts.push(offset(i + 2));
                    i += 1;
                }
                b'\r' => line_starts.push(offset(i + 1)),
                _ => {}
            }
            i += 1;
        }
        Self { line_starts }
    }

    /// The 0-based line that contains `at`.
    pub fn line_of(&self, at: TextSize) -> usize {
        match self.line_starts.binary_search(&at) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// The byte offset where 0-based `line` starts.
    pub fn line_start(&self, line: usize) -> TextSize {
        self.line_starts[line.min(self.line_starts.len() - 1)]
    }

    /// Row and column of a byte offset. An offset inside a multi-byte
    /// character counts as that character.
    pub fn location(&self, text: &str, at: TextSize) -> Location {
        let at = at.min(offset(text.len()));
        let line = self.line_of(at);
        let start = usize::from(self.line_start(line));
        let end = floor_char_boundary(text, usize::from(at));
        Location {
            row: line + 1,
            column: text[start..end].chars().count() + 1,
        }
    }
}

/// A byte offset as a `TextSize`. Files above 4 GiB are refused when read,
/// so every offset fits.
pub fn offset(at: usize) -> TextSize {
    TextSize::try_from(at).unwrap_or(TextSize::new(u32::MAX))
}

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(text: &str, at: usize) -> (usize, usize) {
        let location = LineIndex::new(text).location(text, offset(at));
        (location.row, location.column)
    }

    #[test]
    fn first_character_is_row_one_column_one() {
        assert_eq!(loc("x = 1\n", 0), (1, 1));
        assert_eq!(loc("", 0), (1, 1));
    }

    #[test]
    fn columns_count_code_points_not_bytes() {
        let text = "s = 'é😀'; t = 1\n";
        let t = text.find('t').unwrap();
        // 's', ' ', '=', ' ', '\'', 'é', '😀', '\'', ';', ' ' then 't'.
        assert_eq!(loc(text, t), (1, 11));
    }

    #[test]
    fn crlf_and_lone_cr_end_lines() {
        let text = "a\r\nb\rc\nd";
        assert_eq!(loc(text, text.find('b').unwrap()), (2, 1));
        assert_eq!(loc(text, text.find('c').unwrap()), (3, 1));
        assert_eq!(loc(text, text.find('d').unwrap()), (4, 1));
    }

    #[test]
    fn offset_of_the_line_break_belongs_to_its_line() {
        let text = "ab\r\ncd";
        assert_eq!(loc(text, 2), (1, 3));
        assert_eq!(loc(text, 3), (1, 4));
    }

    #[test]
    fn a_tab_is_one_column() {
        let text = "if x:\n\tsession['a'] = 1\n";
        assert_eq!(loc(text, text.find('s').unwrap()), (2, 2));
    }

    #[test]
    fn bom_is_stripped_before_indexing() {
        let text = strip_bom("\u{feff}x = 1\n");
        assert_eq!(text, "x = 1\n");
        assert_eq!(loc(text, 0), (1, 1));
        assert_eq!(strip_bom("\u{feff}"), "");
    }

    #[test]
    fn offset_inside_a_character_counts_as_that_character() {
        let text = "é=1";
        assert_eq!(loc(text, 1), (1, 1));
    }

    #[test]
    fn offset_past_the_end_is_clamped() {
        assert_eq!(loc("ab\n", 99), (2, 1));
    }
}
