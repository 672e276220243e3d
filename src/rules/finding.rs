//! What a rule reports: a finding, and the fix it carries as data.

use ruff_text_size::{TextRange, TextSize};

use crate::rules::Rule;

/// One problem found in one file, with byte offsets into the file's text
/// (after any byte order mark).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule that fired.
    pub(crate) rule: Rule,
    /// What is wrong, in one sentence.
    pub(crate) message: String,
    /// Where it is.
    pub(crate) range: TextRange,
    /// What to write instead.
    pub(crate) help: Option<String>,
    /// Edits that remove the problem, when flasklint knows them.
    pub(crate) fix: Option<Fix>,
}

impl Finding {
    /// A finding without help or fix.
    pub(crate) fn new(rule: Rule, message: impl Into<String>, range: TextRange) -> Self {
        Self {
            rule,
            message: message.into(),
            range,
            help: None,
            fix: None,
        }
    }

    /// Adds a help line.
    #[must_use]
    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a fix.
    #[must_use]
    pub(crate) fn with_fix(mut self, fix: Option<Fix>) -> Self {
        self.fix = fix;
        self
    }
}

/// Whether a fix can be applied without a human reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Applicability {
    /// May change behaviour; applied only with `--unsafe-fixes`.
    Unsafe,
    /// Keeps the program's meaning; applied by `--fix`.
    Safe,
}

impl Applicability {
    /// The word used in every output format.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// A set of edits that together remove a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fix {
    /// Safe or unsafe.
    pub(crate) applicability: Applicability,
    /// What the fix does, e.g. "Merge into one `session.update(...)` call".
    pub(crate) message: String,
    /// Non-overlapping edits, in source order.
    pub(crate) edits: Vec<Edit>,
}

/// Replace the text in `range` with `content` (an insertion when the range
/// is empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Edit {
    /// The bytes replaced.
    pub(crate) range: TextRange,
    /// What goes there instead.
    pub(crate) content: String,
}

impl Edit {
    /// Replaces `range` with `content`.
    pub(crate) fn replace(range: TextRange, content: impl Into<String>) -> Self {
        Self {
            range,
            content: content.into(),
        }
    }

    /// Inserts `content` at `at`.
    pub(crate) fn insert(at: TextSize, content: impl Into<String>) -> Self {
        Self::replace(TextRange::empty(at), content)
    }
}
