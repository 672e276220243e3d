//! A small Jinja tokenizer: the tokens inside `{{ ... }}` and `{% ... %}`,
//! with their byte offsets. Text outside them, `{# ... #}` comments and
//! `{% raw %} ... {% endraw %}` blocks are skipped, so a `session.x` in a
//! paragraph or a comment is not code. Linear in the template's length; an
//! unclosed tag ends at the end of the text.

use ruff_text_size::TextRange;

use crate::input::source::offset;

/// One token of template code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token<'t> {
    /// A name: `session`, `get`, `for`, `in`.
    Name(&'t str),
    /// A string literal's contents (no escapes processed; quotes removed).
    Str(&'t str),
    /// Any other character: `.`, `[`, `(`, `|`, `=`, `:`, ...
    Punct(u8),
    /// The end of a `{{ }}` or `{% %}` tag.
    End,
}

/// A token and where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Located<'t> {
    pub(crate) token: Token<'t>,
    pub(crate) at: usize,
    /// Where it ends (a string: after its closing quote).
    pub(crate) end: usize,
}

/// The code tokens of a template, tag by tag (each tag ends with
/// [`Token::End`]).
pub(crate) fn tokens(text: &str) -> Vec<Located<'_>> {
    lex(text).0
}

/// The text of each `{# ... #}` comment, from its `#` to just before its
/// closing `#}`: `# noqa: FL106 ` reads as a Python comment does.
pub(crate) fn comments(text: &str) -> Vec<TextRange> {
    lex(text).1
}

fn lex(text: &str) -> (Vec<Located<'_>>, Vec<TextRange>) {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut comments = Vec::new();
    let mut at = 0;
    while let Some(found) = memchr::memchr(b'{', &bytes[at..]) {
        let open = at + found;
        let (close, code_start) = match bytes.get(open + 1) {
            Some(b'{') => (b'}', open + 2),
            Some(b'%') => (b'%', open + 2),
            Some(b'#') => {
                let end = find(bytes, open + 2, b"#}").unwrap_or(bytes.len());
                comments.push(TextRange::new(offset(open + 1), offset(end)));
                at = (end + 2).min(bytes.len());
                continue;
            }
            _ => {
                at = open + 1;
                continue;
            }
        };
        let start = out.len();
        at = tag(text, code_start, close, &mut out);
        // `{% raw %}`: everything up to `{% endraw %}` is text.
        if close == b'%'
            && matches!(
                out.get(start),
                Some(Located {
                    token: Token::Name("raw"),
                    ..
                })
            )
        {
            out.truncate(start);
            at = end_of_raw(text, at);
        }
    }
    (out, comments)
}

/// Tokenizes one tag's code from `at`; returns where the text resumes.
fn tag<'t>(text: &'t str, mut at: usize, close: u8, out: &mut Vec<Located<'t>>) -> usize {
    let bytes = text.as_bytes();
    // `{%-` and `{{-` trim whitespace; the `-` is not code.
    if matches!(bytes.get(at), Some(b'-' | b'+')) {
        at += 1;
    }
    while at < bytes.len() {
        let byte = bytes[at];
        match byte {
            b' ' | b'\t' | b'\n' | b'\r' => at += 1,
            b'-' | b'+'
                if bytes.get(at + 1) == Some(&close) && bytes.get(at + 2) == Some(&b'}') =>
            {
                at += 1;
            }
            _ if byte == close && bytes.get(at + 1) == Some(&b'}') => {
                out.push(Located {
                    token: Token::End,
                    at,
                    end: at + 2,
                });
                return at + 2;
            }
            b'"' | b'\'' => {
                let end =
                    memchr::memchr(byte, &bytes[at + 1..]).map_or(bytes.len(), |n| at + 1 + n);
                let contents = text.get(at + 1..end).unwrap_or_default();
                let after = (end + 1).min(bytes.len());
                out.push(Located {
                    token: Token::Str(contents),
                    at,
                    end: after,
                });
                at = after;
            }
            _ if byte.is_ascii_alphabetic() || byte == b'_' || byte >= 0x80 => {
                let length = text[at..]
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(text.len() - at);
                let length = length.max(1);
                let end = at + length;
                // A byte inside a character (never a start) is skipped whole.
                let Some(name) = text.get(at..end) else {
                    at += 1;
                    continue;
                };
                out.push(Located {
                    token: Token::Name(name),
                    at,
                    end,
                });
                at = end;
            }
            _ => {
                out.push(Located {
                    token: Token::Punct(byte),
                    at,
                    end: at + 1,
                });
                at += 1;
            }
        }
    }
    out.push(Located {
        token: Token::End,
        at: bytes.len(),
        end: bytes.len(),
    });
    bytes.len()
}

/// Just past the `{% endraw %}` that ends a raw block starting at `at`.
fn end_of_raw(text: &str, mut at: usize) -> usize {
    let bytes = text.as_bytes();
    while let Some(open) = find(bytes, at, b"{%") {
        let mut inner = Vec::new();
        let resume = tag(text, open + 2, b'%', &mut inner);
        if matches!(
            inner.first(),
            Some(Located {
                token: Token::Name("endraw"),
                ..
            })
        ) {
            return resume;
        }
        at = open + 2;
    }
    bytes.len()
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(bytes.get(from..)?, needle).map(|n| from + n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        tokens(text)
            .into_iter()
            .map(|t| match t.token {
                Token::Name(n) => n.to_string(),
                Token::Str(s) => format!("'{s}'"),
                Token::Punct(p) => (p as char).to_string(),
                Token::End => "$".to_string(),
            })
            .collect()
    }

    #[test]
    fn code_is_read_only_inside_tags() {
        assert_eq!(
            names("<p>session.user</p>{{ session.user }}"),
            ["session", ".", "user", "$"]
        );
        assert_eq!(
            names("{# {{ session.a }} #}{% if 'b' in session %}"),
            ["if", "'b'", "in", "session", "$"]
        );
        assert_eq!(
            names("{{- session['a'] -}}"),
            ["session", "[", "'a'", "]", "$"]
        );
    }

    #[test]
    fn raw_blocks_strings_and_unclosed_tags() {
        assert_eq!(
            names("{% raw %}{{ session.a }}{% endraw %}{{ x }}"),
            ["x", "$"]
        );
        assert_eq!(
            names("{{ '%}' ~ session.a }}"),
            ["'%}'", "~", "session", ".", "a", "$"]
        );
        assert_eq!(names("{{ session.a"), ["session", ".", "a", "$"]);
        assert_eq!(names("{{ 'unclosed"), ["'unclosed'", "$"]);
    }
}
