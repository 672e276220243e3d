//! The rule registry: the one place where each rule's code, name,
//! severity, default, fixability, summary and documentation are declared.
//! `--list-rules`, `--explain`, the reporters and rule selection all read
//! them from here.

mod chain;
pub(crate) mod finding;
mod large_session_value;
mod repeated_session_write;
mod session_write_in_loop;
pub(crate) mod unknown_session_key;
mod unmarked_paths;
mod unmarked_session_mutation;
mod unread_session_key;
mod unserializable_session_value;

use crate::analysis::checker::Checker;
use crate::analysis::session_ops::UnitFacts;
use crate::rules::finding::Finding;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Severity {
    /// A bug: data lost, or a crash at response time.
    Error,
    /// A performance or maintainability problem.
    Warning,
}

impl Severity {
    /// The word used in every output format.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// Whether a rule's findings can carry a fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fixable {
    /// The rule never has a fix.
    Never,
    /// Some findings have a fix; whether it is safe depends on the code.
    Sometimes,
}

impl Fixable {
    /// The word `--list-rules` prints.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Fixable::Never => "no",
            Fixable::Sometimes => "sometimes",
        }
    }
}

/// A rule's check over one unit of code (a function or the module body).
pub(crate) type Check = fn(&Checker, &UnitFacts, &mut Vec<Finding>);

/// Everything flasklint knows about a rule.
#[derive(Debug)]
pub(crate) struct RuleInfo {
    /// The rule.
    pub(crate) rule: Rule,
    /// `FL101`.
    pub(crate) code: &'static str,
    /// `repeated-session-write`.
    pub(crate) name: &'static str,
    /// Error or warning.
    pub(crate) severity: Severity,
    /// On unless deselected.
    pub(crate) default_on: bool,
    /// Whether findings carry fixes.
    pub(crate) fixable: Fixable,
    /// One line for `--list-rules` and SARIF's short description.
    pub(crate) summary: &'static str,
    /// The full user documentation, `rules/<code>.md`.
    pub(crate) doc: &'static str,
    /// The check, for rules that look at code; `None` for the rules the
    /// pipeline itself reports (unreadable files, syntax errors).
    pub(crate) check: Option<Check>,
}

/// Declares every rule once: the `Rule` enum and the `RULES` registry are
/// generated together, in the same order, so that `RULES[rule as usize]`
/// is the rule's entry and adding a rule is one entry here (plus its
/// module and its `rules/<code>.md`).
macro_rules! declare_rules {
    ($(
        $(#[$meta:meta])*
        $rule:ident {
            code: $code:literal,
            name: $name:literal,
            severity: $severity:ident,
            default_on: $default_on:literal,
            fixable: $fixable:ident,
            summary: $summary:literal,
            check: $check:expr $(,)?
        }
    )*) => {
        /// Every rule, by code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub(crate) enum Rule {
            $( $(#[$meta])* $rule, )*
        }

        /// The registry, in code order.
        pub(crate) static RULES: &[RuleInfo] = &[
            $(
                RuleInfo {
                    rule: Rule::$rule,
                    code: $code,
                    name: $name,
                    severity: Severity::$severity,
                    default_on: $default_on,
                    fixable: Fixable::$fixable,
                    summary: $summary,
                    doc: include_str!(concat!("../../rules/", $code, ".md")),
                    check: $check,
                },
            )*
        ];
    };
}

declare_rules! {
    /// FL001
    IoError {
        code: "FL001",
        name: "io-error",
        severity: Error,
        default_on: true,
        fixable: Never,
        summary: "A file that cannot be read, or is not UTF-8",
        check: None,
    }
    /// FL002
    SyntaxError {
        code: "FL002",
        name: "syntax-error",
        severity: Error,
        default_on: true,
        fixable: Never,
        summary: "A file that does not parse as Python",
        check: None,
    }
    /// FL101
    RepeatedSessionWrite {
        code: "FL101",
        name: "repeated-session-write",
        severity: Warning,
        default_on: true,
        fixable: Sometimes,
        summary: "Several session writes in one call of a function; batch them into one `session.update(...)`",
        check: Some(repeated_session_write::check),
    }
    /// FL102
    SessionWriteInLoop {
        code: "FL102",
        name: "session-write-in-loop",
        severity: Warning,
        default_on: true,
        fixable: Never,
        summary: "A session write inside a `for` or `while` loop",
        check: Some(session_write_in_loop::check),
    }
    /// FL103
    LargeSessionValue {
        code: "FL103",
        name: "large-session-value",
        severity: Warning,
        default_on: true,
        fixable: Never,
        summary: "A large value (result set, request body, object dump) stored in the session cookie",
        check: Some(large_session_value::check),
    }
    /// FL104
    UnserializableSessionValue {
        code: "FL104",
        name: "unserializable-session-value",
        severity: Error,
        default_on: true,
        fixable: Never,
        summary: "A value Flask's session serializer cannot write or will not give back as written",
        check: Some(unserializable_session_value::check),
    }
    /// FL105
    UnmarkedSessionMutation {
        code: "FL105",
        name: "unmarked-session-mutation",
        severity: Error,
        default_on: true,
        fixable: Sometimes,
        summary: "An in-place change of a session value without `session.modified = True`; Flask drops it",
        check: Some(unmarked_session_mutation::check),
    }
    /// FL106
    UnknownSessionKey {
        code: "FL106",
        name: "unknown-session-key",
        severity: Error,
        default_on: true,
        fixable: Sometimes,
        summary: "A session key read that nothing writes, a near miss of one that is written (a typo)",
        check: Some(unknown_session_key::check),
    }
    /// FL107
    UnreadSessionKey {
        code: "FL107",
        name: "unread-session-key",
        severity: Warning,
        default_on: false,
        fixable: Never,
        summary: "A session key written that nothing reads; the cookie carries it for nothing",
        check: Some(unread_session_key::check),
    }
}

// A `RuleSet` is a bit per rule in a `u32`.
const _: () = assert!(RULES.len() <= u32::BITS as usize);

impl RuleInfo {
    /// The text of a `## heading` section of the rule's documentation,
    /// as one paragraph.
    pub(crate) fn section(&self, heading: &str) -> Option<&'static str> {
        let doc: &'static str = self.doc;
        let start = doc.find(&format!("## {heading}\n"))? + heading.len() + 4;
        let end = doc[start..]
            .find("\n## ")
            .map_or(doc.len(), |at| start + at);
        Some(doc[start..end].trim())
    }
}

impl Rule {
    /// The rule's registry entry.
    pub(crate) fn info(self) -> &'static RuleInfo {
        // `declare_rules!` lists the registry in the enum's order.
        &RULES[self as usize]
    }

    /// `FL101`.
    pub(crate) fn code(self) -> &'static str {
        self.info().code
    }

    /// Looks a rule up by its name (`repeated-session-write`).
    pub(crate) fn from_name(name: &str) -> Option<Rule> {
        RULES
            .iter()
            .find(|info| info.name.eq_ignore_ascii_case(name))
            .map(|info| info.rule)
    }

    /// Looks a rule up by its exact code, case-insensitively.
    pub(crate) fn from_code(code: &str) -> Option<Rule> {
        RULES
            .iter()
            .find(|info| info.code.eq_ignore_ascii_case(code))
            .map(|info| info.rule)
    }
}

/// A set of rules, as selected by `--select`, `--ignore` and the config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RuleSet(u32);

impl RuleSet {
    /// No rule.
    pub(crate) const fn empty() -> Self {
        Self(0)
    }

    /// The rules that are on by default.
    pub(crate) fn defaults() -> Self {
        RULES
            .iter()
            .filter(|info| info.default_on)
            .fold(Self::empty(), |set, info| set.with(info.rule))
    }

    /// The rules a selector names: `ALL`, a full code, or a code prefix
    /// such as `FL` or `FL1`. `None` when it names no rule.
    pub fn from_selector(selector: &str) -> Option<Self> {
        let selector = selector.trim();
        let set = if selector.eq_ignore_ascii_case("ALL") {
            RULES
                .iter()
                .fold(Self::empty(), |set, info| set.with(info.rule))
        } else {
            RULES
                .iter()
                .filter(|info| {
                    info.code.len() >= selector.len()
                        && info.code[..selector.len()].eq_ignore_ascii_case(selector)
                })
                .fold(Self::empty(), |set, info| set.with(info.rule))
        };
        (!selector.is_empty() && !set.is_empty()).then_some(set)
    }

    /// This set with `rule` added.
    #[must_use]
    pub(crate) const fn with(self, rule: Rule) -> Self {
        Self(self.0 | 1 << rule as u32)
    }

    /// Every rule of either set.
    #[must_use]
    pub(crate) const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// The rules of this set that are not in `other`.
    #[must_use]
    pub(crate) const fn minus(self, other: Self) -> Self {
        Self(self.0 & !other.0)
    }

    /// Whether `rule` is in the set.
    pub(crate) const fn contains(self, rule: Rule) -> bool {
        self.0 & (1 << rule as u32) != 0
    }

    /// Whether the set has no rule.
    pub(crate) const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The registry entries of the rules in the set, in code order.
    pub(crate) fn iter(self) -> impl Iterator<Item = &'static RuleInfo> {
        RULES.iter().filter(move |info| self.contains(info.rule))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_doc_starts_with_its_code_and_name() {
        for info in RULES {
            let first = info.doc.lines().next().unwrap_or_default();
            assert_eq!(first, format!("# {} ({})", info.code, info.name));
        }
    }

    #[test]
    fn selectors_match_codes_and_prefixes() {
        let fl1 = RuleSet::from_selector("FL1").unwrap();
        assert!(fl1.contains(Rule::RepeatedSessionWrite));
        assert!(!fl1.contains(Rule::SyntaxError));
        assert_eq!(fl1.iter().count(), 7);
        assert_eq!(
            RuleSet::from_selector("all").unwrap().iter().count(),
            RULES.len()
        );
        assert_eq!(RuleSet::from_selector("fl101").unwrap().iter().count(), 1);
        assert!(RuleSet::from_selector("FL999").is_none());
        assert!(RuleSet::from_selector("").is_none());
        assert!(RuleSet::from_selector("FL1011").is_none());
    }
}
