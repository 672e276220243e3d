//! `--format json` and `--format json-lines`: objects in the shape of
//! ruff's JSON output, so that tools that read ruff's can read ours.

use std::io::{self, Write};

use serde::Serialize;

use super::{Positions, Reporter, Summary, write_array_element};
use crate::input::source::Location;
use crate::lint::FileReport;
use crate::rules::finding::Finding;

#[derive(Serialize)]
struct JsonLocation {
    row: usize,
    column: usize,
}

impl From<Location> for JsonLocation {
    fn from(location: Location) -> Self {
        Self {
            row: location.row,
            column: location.column,
        }
    }
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    content: &'a str,
    location: JsonLocation,
    end_location: JsonLocation,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    applicability: &'static str,
    message: &'a str,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    code: &'static str,
    name: &'static str,
    message: &'a str,
    severity: &'static str,
    filename: &'a str,
    location: JsonLocation,
    end_location: JsonLocation,
    noqa_row: usize,
    fix: Option<JsonFix<'a>>,
    help: Option<&'a str>,
    url: Option<&'a str>,
}

fn to_json<'a>(
    report: &'a FileReport,
    positions: &Positions,
    finding: &'a Finding,
) -> JsonFinding<'a> {
    let span = positions.span(finding);
    let info = finding.rule.info();
    JsonFinding {
        code: info.code,
        name: info.name,
        message: &finding.message,
        severity: info.severity.as_str(),
        filename: &report.path,
        location: span.start.into(),
        end_location: span.end.into(),
        noqa_row: span.start.row,
        fix: finding.fix.as_ref().map(|fix| JsonFix {
            applicability: fix.applicability.as_str(),
            message: &fix.message,
            edits: fix
                .edits
                .iter()
                .map(|edit| JsonEdit {
                    content: &edit.content,
                    location: positions.location(edit.range.start()).into(),
                    end_location: positions.location(edit.range.end()).into(),
                })
                .collect(),
        }),
        help: finding.help.as_deref(),
        url: None,
    }
}

/// Streams findings as one JSON array, or as one object per line.
pub(crate) struct JsonReporter {
    lines: bool,
    written: usize,
    /// One finding's pretty JSON, reused from finding to finding.
    buffer: Vec<u8>,
}

impl JsonReporter {
    /// `--format json`.
    pub(crate) fn array() -> Self {
        Self {
            lines: false,
            written: 0,
            buffer: Vec::new(),
        }
    }

    /// `--format json-lines`.
    pub(crate) fn lines() -> Self {
        Self {
            lines: true,
            written: 0,
            buffer: Vec::new(),
        }
    }
}

impl Reporter for JsonReporter {
    fn file(&mut self, out: &mut dyn Write, report: &FileReport) -> io::Result<()> {
        let positions = Positions::of(report);
        for finding in &report.findings {
            let object = to_json(report, &positions, finding);
            if self.lines {
                // Whole, then written at once: serde's small writes through
                // `dyn Write` cost more than the copy.
                self.buffer.clear();
                serde_json::to_writer(&mut self.buffer, &object)?;
                self.buffer.push(b'\n');
                out.write_all(&self.buffer)?;
            } else {
                let first = self.written == 0;
                if first {
                    out.write_all(b"[")?;
                }
                write_array_element(out, &mut self.buffer, &object, first, "  ")?;
            }
            self.written += 1;
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, _summary: &Summary) -> io::Result<()> {
        match (self.lines, self.written) {
            (true, _) => Ok(()),
            (false, 0) => writeln!(out, "[]"),
            (false, _) => writeln!(out, "\n]"),
        }
    }
}
