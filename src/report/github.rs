//! `--format github`: one GitHub Actions workflow command per finding, so
//! that findings show as annotations on the pull request:
//! `::warning title=flasklint (FL101),file=app/views.py,line=12,col=5,endLine=12,endColumn=29::FL101 message`.

use std::io::{self, Write};

use super::{Positions, Reporter, Summary};
use crate::lint::FileReport;
use crate::rules::Severity;

/// Prints workflow commands.
pub(crate) struct GithubReporter;

impl Reporter for GithubReporter {
    fn file(&mut self, out: &mut dyn Write, report: &FileReport) -> io::Result<()> {
        let positions = Positions::of(report);
        for finding in &report.findings {
            let span = positions.span(finding);
            let info = finding.rule.info();
            let command = match info.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            writeln!(
                out,
                "::{command} title={},file={},line={},col={},endLine={},endColumn={}::{}",
                escape_property(&format!("flasklint ({})", info.code)),
                escape_property(&report.path),
                span.start.row,
                span.start.column,
                span.end.row,
                span.end.column,
                escape_data(&format!("{} {}", info.code, finding.message)),
            )?;
        }
        Ok(())
    }

    fn finish(&mut self, _out: &mut dyn Write, _summary: &Summary) -> io::Result<()> {
        Ok(())
    }
}

/// The message of a workflow command: `%`, CR and LF escaped, as GitHub's
/// own toolkit (`@actions/core`) does.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: `:` and `,` too, since they separate properties.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_actions_toolkit_does() {
        assert_eq!(escape_data("50% a:b,c\r\nd"), "50%25 a:b,c%0D%0Ad");
        assert_eq!(escape_property("50% a:b,c\r\nd"), "50%25 a%3Ab%2Cc%0D%0Ad");
    }
}
