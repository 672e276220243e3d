//! `--format text`: miette's graphical report per finding (code and name,
//! message, the source with the range underlined, help, and the fix), then
//! the summary line.

use std::fmt;
use std::io::{self, Write};

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode, SourceSpan,
};

use super::snippet::FileText;
use super::{Reporter, Summary};
use crate::lint::FileReport;
use crate::rules::Severity;
use crate::rules::finding::Finding;

/// Width the report is wrapped at, fixed so that output does not depend on
/// the terminal it is printed in.
const WIDTH: usize = 100;

/// Renders findings with miette.
pub(crate) struct TextReporter {
    handler: GraphicalReportHandler,
    color: bool,
    quiet: bool,
}

impl TextReporter {
    /// A reporter that colours its output or not.
    pub(crate) fn new(color: bool, quiet: bool) -> Self {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_width(WIDTH)
            .with_links(false);
        Self {
            handler,
            color,
            quiet,
        }
    }
}

impl Reporter for TextReporter {
    fn file(&mut self, out: &mut dyn Write, report: &FileReport) -> io::Result<()> {
        for finding in &report.findings {
            let diagnostic = FindingDiagnostic::new(report, finding);
            let mut rendered = String::new();
            self.handler
                .render_report(&mut rendered, &diagnostic)
                .map_err(|_| io::Error::other("cannot render a finding"))?;
            out.write_all(rendered.as_bytes())?;
            if let Some(fix) = &finding.fix {
                let title = format!("fix ({}): {}", fix.applicability.as_str(), fix.message);
                writeln!(out, "  {}", self.paint(&title))?;
                for edit in &fix.edits {
                    // An edit that starts mid-line continues that line's
                    // indentation; one that starts with a line break brings
                    // its own.
                    let content = edit.content.trim_start_matches(['\r', '\n']);
                    let mut indent = if content.len() == edit.content.len() {
                        indentation_before(report, edit.range.start())
                    } else {
                        ""
                    };
                    for line in content.lines() {
                        writeln!(out, "    │ {indent}{line}")?;
                        indent = "";
                    }
                }
            }
            writeln!(out)?;
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, summary: &Summary) -> io::Result<()> {
        if !self.quiet {
            writeln!(out, "{}", summary.line())?;
        }
        Ok(())
    }
}

impl TextReporter {
    fn paint(&self, text: &str) -> String {
        if self.color {
            format!("\x1b[32m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// The white space between the start of the line and `at`, when only
/// white space stands there.
fn indentation_before(report: &FileReport, at: ruff_text_size::TextSize) -> &str {
    let source = report.source.as_deref().unwrap_or_default();
    let line_start = usize::from(report.lines.line_start(report.lines.line_of(at)));
    let before = source.get(line_start..usize::from(at)).unwrap_or_default();
    if before.chars().all(|c| c == ' ' || c == '\t') {
        before
    } else {
        ""
    }
}

/// A finding as miette sees it.
struct FindingDiagnostic<'a> {
    finding: &'a Finding,
    title: String,
    source: FileText<'a>,
}

impl<'a> FindingDiagnostic<'a> {
    fn new(report: &'a FileReport, finding: &'a Finding) -> Self {
        let info = finding.rule.info();
        Self {
            finding,
            title: format!("{} ({})", info.code, info.name),
            // A finding in a file whose text is not kept (it could not be
            // read) still names the file, row and column, over no lines.
            source: FileText {
                name: &report.path,
                text: report.source.as_deref().unwrap_or_default(),
                lines: &report.lines,
            },
        }
    }
}

impl fmt::Debug for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FindingDiagnostic")
            .field("finding", self.finding)
            .finish()
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.title))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.rule.info().severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.finding
            .help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let source = &self.source;
        let range = self.finding.range;
        let span = SourceSpan::from(usize::from(range.start())..usize::from(range.end()));
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            None,
            source.label(span),
        ))))
    }
}
