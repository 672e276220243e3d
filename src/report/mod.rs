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
/// break, then the value pretty-printed as serde_json does, with each of
/// its lines after the first at `indent`. `buffer` is reused from element
/// to element, and written at once: a run of 45,000 findings writes 35 MB,
/// and indenting serde's output line by line cost 3% to 5% of the run.
fn write_array_element(
    out: &mut dyn Write,
    buffer: &mut Vec<u8>,
    value: &impl serde::Serialize,
    first: bool,
    indent: &str,
) -> io::Result<()> {
    buffer.clear();
    buffer.extend_from_slice(if first { b"\n" } else { b",\n" });
    buffer.extend_from_slice(indent.as_bytes());
    let formatter = Indented {
        prefix: indent.as_bytes(),
        level: 0,
        has_value: false,
    };
    value.serialize(&mut serde_json::Serializer::with_formatter(
        &mut *buffer,
        formatter,
    ))?;
    out.write_all(buffer)
}

/// serde_json's `PrettyFormatter` (two spaces a level), with every line
/// break followed by `prefix` first.
struct Indented<'p> {
    prefix: &'p [u8],
    level: usize,
    has_value: bool,
}

impl Indented<'_> {
    fn new_line<W: ?Sized + Write>(&self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b"\n")?;
        writer.write_all(self.prefix)?;
        for _ in 0..self.level {
            writer.write_all(b"  ")?;
        }
        Ok(())
    }

    fn open<W: ?Sized + Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        writer.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.new_line(writer)?;
        }
        writer.write_all(bracket)
    }

    fn item<W: ?Sized + Write>(&self, writer: &mut W, first: bool) -> io::Result<()> {
        if !first {
            writer.write_all(b",")?;
        }
        self.new_line(writer)
    }
}

impl serde_json::ser::Formatter for Indented<'_> {
    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.item(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.item(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_array_element_is_serdes_pretty_json_indented() {
        let value = serde_json::json!({
            "code": "FL105",
            "message": "a \"quoted\" line\nbreak, tab\t, and ü",
            "fix": {"edits": [{"content": "", "row": 1}, {"content": "x"}], "none": null},
            "empty_list": [],
            "empty_object": {},
            "nested": [[1, 2], [], [{}]],
        });
        let pretty = serde_json::to_string_pretty(&value).expect("serializes");
        for indent in ["", "  ", "      "] {
            let mut out = Vec::new();
            let mut buffer = Vec::new();
            write_array_element(&mut out, &mut buffer, &value, true, indent).expect("writes");
            write_array_element(&mut out, &mut buffer, &value, false, indent).expect("writes");
            let element = format!("{indent}{}", pretty.replace('\n', &format!("\n{indent}")));
            assert_eq!(
                String::from_utf8(out).expect("utf-8"),
                format!("\n{element},\n{element}"),
                "indent {indent:?}"
            );
        }
    }
}
