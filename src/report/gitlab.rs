//! `--format gitlab`: GitLab's Code Quality report, a JSON array of issues
//! (`description`, `check_name`, `fingerprint`, `severity`,
//! `location.path`, `location.lines.begin`).
//!
//! The fingerprint is what GitLab compares between a merge request and its
//! target to say which findings are new. It hashes the file, the rule, the
//! text of the finding's line (trimmed) and how many findings of that rule
//! on such a line came before it in the file, not the line number: an edit
//! above the finding leaves it unchanged.

use std::collections::HashMap;
use std::io::{self, Write};

use serde_json::json;

use super::{Positions, Reporter, Summary, write_array_element};
use crate::lint::FileReport;
use crate::rules::Severity;

/// Prints the report as one JSON array.
#[derive(Default)]
pub(crate) struct GitlabReporter {
    first: bool,
    buffer: Vec<u8>,
    started: bool,
}

impl GitlabReporter {
    pub(crate) fn new() -> Self {
        Self {
            first: true,
            ..Self::default()
        }
    }
}

impl Reporter for GitlabReporter {
    fn file(&mut self, out: &mut dyn Write, report: &FileReport) -> io::Result<()> {
        if !self.started {
            out.write_all(b"[")?;
            self.started = true;
        }
        let positions = Positions::of(report);
        let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
        for finding in &report.findings {
            let info = finding.rule.info();
            let span = positions.span(finding);
            let line = positions.line_text(finding.range.start()).trim();
            let occurrence = seen.entry((info.code, line)).or_default();
            let fingerprint = fingerprint(&[
                report.path.as_bytes(),
                info.code.as_bytes(),
                line.as_bytes(),
                occurrence.to_string().as_bytes(),
            ]);
            *occurrence += 1;
            let issue = json!({
                "description": format!("{}: {}", info.code, finding.message),
                "check_name": info.code,
                "fingerprint": fingerprint,
                "severity": match info.severity { Severity::Error => "major", Severity::Warning => "minor" },
                "location": {
                    "path": report.path,
                    "lines": { "begin": span.start.row, "end": span.end.row },
                },
            });
            write_array_element(out, &mut self.buffer, &issue, self.first, "  ")?;
            self.first = false;
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, _summary: &Summary) -> io::Result<()> {
        if !self.started {
            out.write_all(b"[")?;
        }
        out.write_all(if self.first { b"]\n" } else { b"\n]\n" })
    }
}

/// 128 bits of FNV-1a over the parts (each followed by a 0 byte), as 32
/// hex digits: stable across runs, machines and versions of Rust.
fn fingerprint(parts: &[&[u8]]) -> String {
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013B;
    let mut hash: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    for part in parts {
        for byte in part.iter().chain(std::iter::once(&0)) {
            hash ^= u128::from(*byte);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    format!("{hash:032x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_fnv1a_128() {
        // FNV-1a 128 of the empty input is its offset basis.
        assert_eq!(fingerprint(&[]), "6c62272e07bb014262b821756295c58d");
        assert_ne!(fingerprint(&[b"a", b"b"]), fingerprint(&[b"ab"]));
    }
}
