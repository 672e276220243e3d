//! A bound on how deeply a file nests, taken from its tokens before it is
//! parsed.
//!
//! The parser grows its stack on the heap as deeply as the code nests, and
//! the syntax tree it builds is walked and dropped recursively: twenty
//! megabytes of `-` or `[` would take tens of gigabytes and then overflow
//! even a 1 GiB stack. No Python runs such code (CPython stops at 200
//! nested brackets), so a file past [`MAX_NESTING`] is reported instead of
//! parsed.

use ruff_python_ast::token::TokenKind;
use ruff_python_parser::{Mode, lexer::lex};

/// The deepest nesting flasklint parses: a hundredth of what its 1 GiB
/// worker stack holds, and a few hundred megabytes of parser stack.
pub(crate) const MAX_NESTING: usize = 200_000;

/// Whether `source` may nest deeper than [`MAX_NESTING`]. The estimate
/// counts, per open bracket, the tokens since its last `,`, `;` or end of
/// statement that make a node hold the next one (brackets, trailers, unary
/// and binary operators, `not`, `await`, `lambda`, `if`/`else`, `yield`),
/// over all open brackets: it is never below the depth of an expression's
/// tree. Comparisons and `and`/`or` build flat nodes and are not counted;
/// statements nest only as deep as their indentation allows (a few
/// thousand levels in 20 MB).
pub(crate) fn too_deep(source: &str) -> bool {
    // Each counted token takes at least one byte.
    if source.len() <= MAX_NESTING {
        return false;
    }
    let mut lexer = lex(source, Mode::Module);
    // The counted tokens since the last separator, per open bracket.
    let mut chains = vec![0usize];
    let mut depth = 0usize;
    loop {
        let kind = lexer.next_token();
        match kind {
            TokenKind::EndOfFile => return false,
            TokenKind::Lpar
            | TokenKind::Lsqb
            | TokenKind::Lbrace
            | TokenKind::FStringStart
            | TokenKind::TStringStart => {
                depth += 1;
                *chains.last_mut().expect("the outermost level stays") += 1;
                chains.push(0);
            }
            TokenKind::Rpar
            | TokenKind::Rsqb
            | TokenKind::Rbrace
            | TokenKind::FStringEnd
            | TokenKind::TStringEnd
                if chains.len() > 1 =>
            {
                depth -= chains.pop().expect("more than one level");
            }
            TokenKind::Comma | TokenKind::Semi | TokenKind::Newline => {
                depth -= std::mem::take(chains.last_mut().expect("the outermost level stays"));
            }
            kind if nests(kind) => {
                depth += 1;
                *chains.last_mut().expect("the outermost level stays") += 1;
            }
            _ => {}
        }
        if depth > MAX_NESTING {
            return true;
        }
    }
}

/// Tokens after which a node holds the next part of the expression.
fn nests(kind: TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::Dot
            | TokenKind::Plus
            | TokenKind::Minus
            | TokenKind::Star
            | TokenKind::DoubleStar
            | TokenKind::Slash
            | TokenKind::DoubleSlash
            | TokenKind::Percent
            | TokenKind::At
            | TokenKind::Vbar
            | TokenKind::Amper
            | TokenKind::CircumFlex
            | TokenKind::Tilde
            | TokenKind::LeftShift
            | TokenKind::RightShift
            | TokenKind::ColonEqual
            | TokenKind::Not
            | TokenKind::Await
            | TokenKind::Lambda
            | TokenKind::If
            | TokenKind::Else
            | TokenKind::Yield
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_that_nest_are_counted_and_flat_ones_are_not() {
        let n = MAX_NESTING + 1;
        assert!(too_deep(&format!("x = {}1\n", "lambda: ".repeat(n))));
        assert!(too_deep(&format!("x = {}1\n", "1 if c else ".repeat(n))));
        assert!(too_deep(&format!("x = a{}\n", ".b".repeat(n))));
        assert!(!too_deep(&format!("x = a{}\n", " < a".repeat(n))));
        assert!(!too_deep(&format!("x = a{}\n", " and a".repeat(n))));
        assert!(!too_deep(&"x = -1\n".repeat(n)));
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        let n = MAX_NESTING + 1;
        assert!(!too_deep(&format!("x = '{}'\n", "(".repeat(n))));
        assert!(!too_deep(&format!("# {}\nx = 1\n", "[".repeat(n))));
        assert!(too_deep(&format!("x = {}", "[".repeat(n))));
    }
}
