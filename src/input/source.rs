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
pub(crate) fn strip_bom(text: &str) -> &str {
    text.strip_prefix(BOM).unwrap_or(text)
}

/// A 1-based row and column (in Unicode code points).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Location {
    /// 1-based line number.
    pub(crate) row: usize,
    /// 1-based column, counted in Unicode code points.
    pub(crate) column: usize,
}

/// Start offsets of every line of a text. `\n`, `\r\n` and a lone `\r` all
/// end a line, as they do for Python's tokenizer.
#[derive(Debug, Clone)]
pub(crate) struct LineIndex {
    line_starts: Vec<TextSize>,
    /// For a text that is not all ASCII, the code points before every
    /// `CHUNK`th byte (rounded down to a character boundary), so that a
    /// column costs at most one chunk of counting even on a line of
    /// megabytes. Empty for ASCII, where columns are byte offsets.
    chunks: Vec<Checkpoint>,
}

/// Bytes between two checkpoints of [`LineIndex::chunks`].
const CHUNK: usize = 4096;

/// A byte offset on a character boundary and the code points before it.
#[derive(Debug, Clone, Copy)]
struct Checkpoint {
    byte: usize,
    chars_before: usize,
}

impl LineIndex {
    /// Indexes the line starts of `text`.
    pub(crate) fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut line_starts = vec![TextSize::new(0)];
        for at in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            match bytes[at] {
                // The `\n` of a `\r\n` ends the line the `\r` began ending.
                b'\r' if bytes.get(at + 1) == Some(&b'\n') => {}
                _ => line_starts.push(offset(at + 1)),
            }
        }
        Self {
            line_starts,
            chunks: checkpoints(text),
        }
    }

    /// The 0-based line that contains `at`.
    pub(crate) fn line_of(&self, at: TextSize) -> usize {
        match self.line_starts.binary_search(&at) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// How many lines the text has (a text ending in a line break has an
    /// empty last line).
    pub(crate) fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The byte offset where 0-based `line` starts.
    pub(crate) fn line_start(&self, line: usize) -> TextSize {
        self.line_starts[line.min(self.line_starts.len() - 1)]
    }

    /// Row and column of a byte offset. An offset inside a multi-byte
    /// character counts as that character.
    pub(crate) fn location(&self, text: &str, at: TextSize) -> Location {
        let at = at.min(offset(text.len()));
        let line = self.line_of(at);
        let start = usize::from(self.line_start(line));
        let end = floor_char_boundary(text, usize::from(at));
        Location {
            row: line + 1,
            column: self.chars_before(text, end) - self.chars_before(text, start) + 1,
        }
    }

    /// Code points in `text[..at]`; `at` is on a character boundary.
    fn chars_before(&self, text: &str, at: usize) -> usize {
        if self.chunks.is_empty() {
            return at;
        }
        // Checkpoint k sits at or before byte k * CHUNK, so this one is at
        // or before `at` and less than a chunk (plus a character) from it.
        let checkpoint = self.chunks[(at / CHUNK).min(self.chunks.len() - 1)];
        checkpoint.chars_before + text[checkpoint.byte..at].chars().count()
    }
}

/// The checkpoints of [`LineIndex::chunks`]: none for an ASCII text.
fn checkpoints(text: &str) -> Vec<Checkpoint> {
    if text.is_ascii() {
        return Vec::new();
    }
    let mut chunks = vec![Checkpoint {
        byte: 0,
        chars_before: 0,
    }];
    for k in 1..=text.len() / CHUNK {
        let previous = chunks[k - 1];
        let byte = floor_char_boundary(text, k * CHUNK);
        chunks.push(Checkpoint {
            byte,
            chars_before: previous.chars_before + text[previous.byte..byte].chars().count(),
        });
    }
    chunks
}

/// A byte offset as a `TextSize`. Files above 4 GiB are refused when read,
/// so every offset fits.
pub(crate) fn offset(at: usize) -> TextSize {
    TextSize::try_from(at).unwrap_or(TextSize::new(u32::MAX))
}

/// `at`, or the start of the character it falls inside.
pub(crate) fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// `at`, or the end of the character it falls inside.
pub(crate) fn ceil_char_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// Parses Python source as a module, recovering from syntax errors, for
/// the newest Python: the one way flasklint parses.
pub(crate) fn parse_module(source: &str) -> ruff_python_parser::Parsed<ruff_python_ast::Mod> {
    ruff_python_parser::parse_unchecked(
        source,
        ruff_python_parser::ParseOptions::from(ruff_python_parser::Mode::Module)
            .with_target_version(ruff_python_ast::PythonVersion::latest()),
    )
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
    fn columns_far_along_a_long_non_ascii_line_count_every_code_point() {
        // Multi-byte characters straddle the checkpoints at every 4096 bytes.
        let text = format!("x = '{}' + y\n", "é😀a".repeat(5_000));
        let y = text.find('y').unwrap();
        assert_eq!(loc(&text, y), (1, text[..y].chars().count() + 1));
        let second = format!("é\n{text}");
        let y = second.rfind('y').unwrap();
        assert_eq!(
            loc(&second, y),
            (
                2,
                text.find('y').map(|y| text[..y].chars().count()).unwrap() + 1
            )
        );
    }

    #[test]
    fn offset_past_the_end_is_clamped() {
        assert_eq!(loc("ab\n", 99), (2, 1));
    }
}
