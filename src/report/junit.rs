//! `--format junit`: JUnit XML as GitLab and Jenkins read it: one
//! testsuite, one testcase per checked file, a failure per finding (a file
//! without findings is a passing testcase). Valid against Jenkins'
//! `junit-10.xsd` (`schemas/junit-10.xsd`, the copy pytest ships), which
//! allows no `file` attribute on a testcase: the file is its name.

use std::io::{self, Write};

use super::{Positions, Reporter, Summary};
use crate::lint::FileReport;

/// Collects the testcases and prints the document at the end (the suite's
/// counts come first in the XML).
#[derive(Default)]
pub(crate) struct JunitReporter {
    cases: Vec<u8>,
    tests: usize,
    failures: usize,
}

impl Reporter for JunitReporter {
    fn file(&mut self, _out: &mut dyn Write, report: &FileReport) -> io::Result<()> {
        let positions = Positions::of(report);
        let cases = &mut self.cases;
        self.tests += 1;
        let name = escape(&report.path);
        if report.findings.is_empty() {
            writeln!(
                cases,
                "    <testcase name=\"{name}\" classname=\"flasklint\"/>"
            )?;
            return Ok(());
        }
        writeln!(
            cases,
            "    <testcase name=\"{name}\" classname=\"flasklint\">"
        )?;
        for finding in &report.findings {
            self.failures += 1;
            let info = finding.rule.info();
            let start = positions.span(finding).start;
            writeln!(
                cases,
                "      <failure type=\"{}\" message=\"{}\">{}:{}:{}: {} {}</failure>",
                info.code,
                escape(&finding.message),
                name,
                start.row,
                start.column,
                info.code,
                escape(&finding.message),
            )?;
        }
        writeln!(cases, "    </testcase>")
    }

    fn finish(&mut self, out: &mut dyn Write, _summary: &Summary) -> io::Result<()> {
        writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
        writeln!(
            out,
            "<testsuites name=\"flasklint\" tests=\"{0}\" failures=\"{1}\" errors=\"0\">",
            self.tests, self.failures
        )?;
        writeln!(
            out,
            "  <testsuite name=\"flasklint\" tests=\"{0}\" failures=\"{1}\" errors=\"0\" skipped=\"0\">",
            self.tests, self.failures
        )?;
        out.write_all(&self.cases)?;
        writeln!(out, "  </testsuite>")?;
        writeln!(out, "</testsuites>")
    }
}

/// Text for an XML attribute or element; characters XML 1.0 cannot hold
/// (most control characters) become U+FFFD.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup_and_characters_xml_cannot_hold() {
        assert_eq!(
            escape("a<b>&\"c'\n\u{1}"),
            "a&lt;b&gt;&amp;&quot;c&apos;&#10;\u{FFFD}"
        );
    }
}
