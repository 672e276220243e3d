//! `--format concise`: one line per finding, `path:row:col: CODE message`.

use std::io::{self, Write};

use super::{Positions, Reporter, Summary};
use crate::lint::FileReport;

/// Prints one line per finding, then the summary unless quiet.
pub(crate) struct ConciseReporter {
    /// Leave out the summary.
    pub(crate) quiet: bool,
}

impl Reporter for ConciseReporter {
    fn file(&mut self, out: &mut dyn Write, report: &FileReport) -> io::Result<()> {
        let positions = Positions::of(report);
        for finding in &report.findings {
            let start = positions.span(finding).start;
            writeln!(
                out,
                "{}:{}:{}: {} {}",
                report.path,
                start.row,
                start.column,
                finding.rule.code(),
                finding.message
            )?;
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
