//! `--format sarif`: SARIF 2.1.0, one run, for GitHub code scanning and
//! other SARIF readers. The rule table comes from the registry; regions use
//! 1-based lines and columns counted in Unicode code points (declared with
//! `columnKind`); file URIs are relative to `%SRCROOT%`, the directory the
//! run started in. Each result carries a `partialFingerprints` entry that
//! stays the same when lines are added above it, so code scanning can
//! follow a finding from one commit to the next.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::Path;

use serde_json::{Value, json};

use super::{Positions, Reporter, Span, Summary, write_array_element};
use crate::lint::FileReport;
use crate::rules::finding::Finding;
use crate::rules::{RuleInfo, RuleSet, Severity};

/// The `uriBaseId` of every relative file URI.
const SRCROOT: &str = "%SRCROOT%";

/// Streams the log: the part before the results when the first file
/// arrives, each result as its file does, the rest at the end. Memory does
/// not grow with the number of results.
pub(crate) struct SarifReporter {
    rules: Vec<&'static RuleInfo>,
    /// The log with an empty `results`, split inside that array, and the
    /// indentation of the array's elements; `None` once the head is written.
    head: Option<String>,
    tail: String,
    indent: String,
    written: usize,
    buffer: Vec<u8>,
}

/// Where the results go in the pretty-printed skeleton of the log.
const RESULTS: &str = "\"results\": [";

impl SarifReporter {
    /// A reporter for a run of `rules` started in `cwd`.
    pub(crate) fn new(rules: RuleSet, cwd: &Path) -> Self {
        let mut root_uri = file_uri(&cwd.to_string_lossy());
        if !root_uri.ends_with('/') {
            root_uri.push('/');
        }
        let rules: Vec<&'static RuleInfo> = rules.iter().collect();
        let skeleton = serde_json::to_string_pretty(&log(&rules, &root_uri))
            .expect("a JSON value always serializes");
        // Inside JSON strings a quote is escaped, so this marker is the key.
        let at = skeleton.find(RESULTS).expect("the log has results") + RESULTS.len();
        let key_column = at - RESULTS.len() - skeleton[..at].rfind('\n').map_or(0, |n| n + 1);
        Self {
            rules,
            head: Some(skeleton[..at].to_string()),
            tail: skeleton[at..].to_string(),
            indent: " ".repeat(key_column + 2),
            written: 0,
            buffer: Vec::new(),
        }
    }

    fn result(
        &self,
        report: &FileReport,
        positions: &Positions,
        finding: &Finding,
        fingerprint: String,
    ) -> Value {
        let info = finding.rule.info();
        let span = positions.span(finding);
        let artifact = artifact_location(&report.path);
        let mut result = json!({
            "ruleId": info.code,
            "ruleIndex": self.rules.iter().position(|rule| rule.rule == finding.rule),
            "level": level(info.severity),
            "message": {"text": finding.message},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": artifact,
                    "region": region(span),
                }
            }],
            "partialFingerprints": {"flasklint/v1": fingerprint},
        });
        if let Some(fix) = &finding.fix {
            let replacements: Vec<Value> = fix
                .edits
                .iter()
                .map(|edit| {
                    let span = Span {
                        start: positions.location(edit.range.start()),
                        end: positions.location(edit.range.end()),
                    };
                    json!({"deletedRegion": region(span), "insertedContent": {"text": edit.content}})
                })
                .collect();
            result["fixes"] = json!([{
                "description": {"text": format!("{} ({})", fix.message, fix.applicability.as_str())},
                "artifactChanges": [{"artifactLocation": artifact_location(&report.path), "replacements": replacements}],
            }]);
        }
        result
    }
}

impl Reporter for SarifReporter {
    fn file(&mut self, out: &mut dyn Write, report: &FileReport) -> io::Result<()> {
        let positions = Positions::of(report);
        let mut seen: HashMap<(u64, &str), usize> = HashMap::new();
        // Hashing a line once per rule, not once per finding, keeps a
        // minified line with many findings linear.
        let mut keys: HashMap<(usize, &str), u64> = HashMap::new();
        for finding in &report.findings {
            let start = finding.range.start();
            let key = *keys
                .entry((report.lines.line_of(start), finding.rule.code()))
                .or_insert_with(|| {
                    let line = positions.line_text(start).trim();
                    fnv1a(&[finding.rule.code(), &report.path, line])
                });
            // The same finding on identical lines of one file is told apart by its order.
            let occurrence = seen.entry((key, finding.rule.code())).or_default();
            *occurrence += 1;
            let fingerprint = format!("{key:016x}:{occurrence}");
            let result = self.result(report, &positions, finding, fingerprint);
            if let Some(head) = self.head.take() {
                out.write_all(head.as_bytes())?;
            }
            let first = self.written == 0;
            write_array_element(out, &mut self.buffer, &result, first, &self.indent)?;
            self.written += 1;
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, _summary: &Summary) -> io::Result<()> {
        if let Some(head) = self.head.take() {
            out.write_all(head.as_bytes())?;
        } else {
            // Back to the array's own indentation, two spaces out.
            write!(out, "\n{}", &self.indent[2..])?;
        }
        writeln!(out, "{}", self.tail)
    }
}

/// The whole log with no results.
fn log(rules: &[&RuleInfo], root_uri: &str) -> Value {
    let rules: Vec<Value> = rules.iter().map(|info| rule_descriptor(info)).collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "flasklint",
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "originalUriBaseIds": {SRCROOT: {"uri": root_uri}},
            "columnKind": "unicodeCodePoints",
            "results": [],
        }]
    })
}

fn rule_descriptor(info: &RuleInfo) -> Value {
    json!({
        "id": info.code,
        "name": info.name,
        "shortDescription": {"text": info.summary},
        "fullDescription": {"text": info.section("What it does").unwrap_or(info.summary)},
        "help": {"text": info.doc, "markdown": info.doc},
        "defaultConfiguration": {"level": level(info.severity), "enabled": info.default_on},
        "properties": {"tags": ["flask", "session"]},
    })
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn region(span: Span) -> Value {
    json!({
        "startLine": span.start.row,
        "startColumn": span.start.column,
        "endLine": span.end.row,
        "endColumn": span.end.column,
    })
}

/// A relative path against `%SRCROOT%`; an absolute one (a file outside
/// the directory the run started in) as a `file://` URI of its own.
fn artifact_location(path: &str) -> Value {
    if path.starts_with('/') {
        json!({"uri": file_uri(path)})
    } else {
        json!({"uri": percent_encode(path), "uriBaseId": SRCROOT})
    }
}

fn file_uri(absolute: &str) -> String {
    format!("file://{}", percent_encode(absolute))
}

/// Percent-encodes every byte of a path that is not unreserved in a URI
/// (RFC 3986), keeping `/` as the separator.
fn percent_encode(path: &str) -> String {
    let mut encoded = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// FNV-1a over the parts, separated by a zero byte: small, stable across
/// platforms and releases, which is all a fingerprint needs.
fn fnv1a(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(
            percent_encode("app/my views/ü.py"),
            "app/my%20views/%C3%BC.py"
        );
        assert_eq!(
            artifact_location("/abs/x y.py")["uri"],
            "file:///abs/x%20y.py"
        );
        assert_eq!(artifact_location("a.py")["uriBaseId"], SRCROOT);
    }

    #[test]
    fn fingerprints_depend_on_every_part() {
        assert_eq!(
            fnv1a(&["FL101", "a.py", "x"]),
            fnv1a(&["FL101", "a.py", "x"])
        );
        assert_ne!(
            fnv1a(&["FL101", "a.py", "x"]),
            fnv1a(&["FL101", "a.pyx", ""])
        );
    }
}
