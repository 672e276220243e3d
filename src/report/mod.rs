//! Reporters: each turns file reports into one output format. They know
//! nothing of the AST; rows and columns are computed here, through the one
//! line index.

mod concise;
mod github;
mod gitlab;
mod json;
mod junit;
mod sarif;
mod snippet;
mod statistics;
mod text;

use std::io::{self, Write};

use crate::config::settings::{OutputFormat, ReportOptions};
use crate::input::source::{LineIndex, Location};
use crate::lint::FileReport;
use crate::rules::RuleSet;
use crate::rules::finding::{Applicability, Finding};

/// Writes `value` as the next element of a pretty-printed JSON array whose
/// elements stand at `indent`: a comma after the element before, a line
/// break, then the value with each of its lines indented (JSON strings
/// escape their own line breaks, so every break is the value's). `buffer`
/// is reused from element to element.
fn write_array_element(
    out: &mut dyn Write,
    buffer: &mut Vec<u8>,
    value: &impl serde::Serialize,
    first: bool,
    indent: &str,
) -> io::Result<()> {
    out.write_all(if first { b"\n" } else { b",\n" })?;
    buffer.clear();
    serde_json::to_writer_pretty(&mut *buffer, value)?;
    for (index, line) in buffer.split(|byte| *byte == b'\n').enumerate() {
        if index > 0 {
            out.write_all(b"\n")?;
        }
        out.write_all(indent.as_bytes())?;
        out.write_all(line)?;
    }
    Ok(())
}

/// Totals of a run, for the closing summary.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Whether unsafe fixes are on (`--unsafe-fixes`), so that they count
    /// as fixable.
    pub(crate) unsafe_fixes: bool,
    /// Findings reported.
    pub(crate) findings: usize,
    /// Of those, how many have a fix `--fix` would apply.
    pub(crate) fixable: usize,
    /// Of those, how many more have a fix only `--unsafe-fixes` applies
    /// (when it is not on).
    pub(crate) unsafe_fixable: usize,
    /// Files checked.
    pub(crate) files: usize,
    /// Findings removed by fixes (`--fix`), or that would be (`--diff`).
    pub(crate) fixed: usize,
    /// Files that fixes change.
    pub(crate) diffs: usize,
    /// Lines that gained or extended a `noqa` directive (`--add-noqa`).
    pub(crate) noqa_added: usize,
}

/// Whether a finding's fix is applied by `--fix` (with `unsafe_fixes`,
/// unsafe ones too), or only with `--unsafe-fixes`: `(fixable, unsafe)`.
pub(crate) fn fixability(finding: &Finding, unsafe_fixes: bool) -> (bool, bool) {
    match finding.fix.as_ref().map(|fix| fix.applicability) {
        Some(Applicability::Safe) => (true, false),
        Some(Applicability::Unsafe) if unsafe_fixes => (true, false),
        Some(Applicability::Unsafe) => (false, true),
        None => (false, false),
    }
}

impl Summary {
    /// An empty summary.
    pub(crate) fn new(unsafe_fixes: bool) -> Self {
        Self {
            unsafe_fixes,
            ..Self::default()
        }
    }

    /// Counts a file's findings.
    pub(crate) fn add(&mut self, report: &FileReport) {
        self.files += 1;
        self.noqa_added += report.noqa_added;
        self.findings += report.findings.len();
        for finding in &report.findings {
            let (fixable, unsafe_only) = fixability(finding, self.unsafe_fixes);
            self.fixable += usize::from(fixable);
            self.unsafe_fixable += usize::from(unsafe_only);
        }
        if let Some(fixed) = &report.fixed {
            self.fixed += fixed.applied;
            self.diffs += 1;
        }
    }

    /// `Found N findings (M fixable with --fix; K more with
    /// --unsafe-fixes).` or `All checks passed.`
    pub(crate) fn line(&self) -> String {
        let fix = if self.unsafe_fixes {
            "--fix --unsafe-fixes"
        } else {
            "--fix"
        };
        let more = match self.unsafe_fixable {
            0 => String::new(),
            n => format!("; {n} more with --unsafe-fixes"),
        };
        match self.findings {
            0 => "All checks passed.".to_string(),
            1 => format!(
                "Found 1 finding ({} fixable with {fix}{more}).",
                self.fixable
            ),
            n => format!(
                "Found {n} findings ({} fixable with {fix}{more}).",
                self.fixable
            ),
        }
    }
}

/// One output format.
pub trait Reporter {
    /// Prints the findings of one file; files arrive in output order.
    fn file(&mut self, out: &mut dyn Write, report: &FileReport) -> io::Result<()>;
    /// Prints what closes the output.
    fn finish(&mut self, out: &mut dyn Write, summary: &Summary) -> io::Result<()>;
}

/// The reporter for the run's format; `rules` are those that ran.
pub fn reporter(settings: &ReportOptions, rules: RuleSet) -> Box<dyn Reporter> {
    if settings.statistics {
        let json = matches!(
            settings.format,
            OutputFormat::Json | OutputFormat::JsonLines
        );
        return Box::new(statistics::StatisticsReporter::new(
            json,
            settings.unsafe_fixes,
        ));
    }
    match settings.format {
        OutputFormat::Text => Box::new(text::TextReporter::new(settings.color, settings.quiet)),
        OutputFormat::Concise => Box::new(concise::ConciseReporter {
            quiet: settings.quiet,
        }),
        OutputFormat::Json => Box::new(json::JsonReporter::array()),
        OutputFormat::JsonLines => Box::new(json::JsonReporter::lines()),
        OutputFormat::Sarif => Box::new(sarif::SarifReporter::new(rules, &settings.cwd)),
        OutputFormat::Github => Box::new(github::GithubReporter),
        OutputFormat::Gitlab => Box::new(gitlab::GitlabReporter::new()),
        OutputFormat::Junit => Box::new(junit::JunitReporter::default()),
    }
}

/// A finding's position in rows and columns.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: Location,
    end: Location,
}

/// Converts offsets of one file's findings to rows and columns.
struct Positions<'a> {
    source: &'a str,
    lines: &'a LineIndex,
}

impl<'a> Positions<'a> {
    fn of(report: &'a FileReport) -> Self {
        Self {
            source: report.source.as_deref().unwrap_or_default(),
            lines: &report.lines,
        }
    }

    fn span(&self, finding: &Finding) -> Span {
        Span {
            start: self.lines.location(self.source, finding.range.start()),
            end: self.lines.location(self.source, finding.range.end()),
        }
    }

    fn location(&self, at: ruff_text_size::TextSize) -> Location {
        self.lines.location(self.source, at)
    }

    /// The text of the line on which `at` stands, without its line break.
    fn line_text(&self, at: ruff_text_size::TextSize) -> &'a str {
        let line = self.lines.line_of(at);
        let start = usize::from(self.lines.line_start(line));
        let rest = &self.source[start..];
        rest.find(['\n', '\r']).map_or(rest, |end| &rest[..end])
    }
}
