//! `--statistics`: one line per rule with its count, code, name and how
//! many of its findings are fixable, most frequent first. With
//! `--format json`, the same as a JSON array.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::{Reporter, Summary, fixability};
use crate::lint::FileReport;
use crate::rules::Rule;

#[derive(Serialize)]
struct RuleCount {
    code: &'static str,
    name: &'static str,
    count: usize,
    fixable: usize,
    /// Findings whose fix only `--unsafe-fixes` applies.
    unsafe_fixable: usize,
}

/// A rule's counts: findings, fixable with `--fix`, fixable only with
/// `--unsafe-fixes`.
#[derive(Default)]
struct Counts {
    count: usize,
    fixable: usize,
    unsafe_fixable: usize,
}

/// Counts findings per rule and prints the table at the end.
pub(crate) struct StatisticsReporter {
    json: bool,
    unsafe_fixes: bool,
    counts: BTreeMap<Rule, Counts>,
}

impl StatisticsReporter {
    /// A reporter printing a table, or JSON; with `unsafe_fixes`, unsafe
    /// fixes count as fixable.
    pub(crate) fn new(json: bool, unsafe_fixes: bool) -> Self {
        Self {
            json,
            unsafe_fixes,
            counts: BTreeMap::new(),
        }
    }
}

impl Reporter for StatisticsReporter {
    fn file(&mut self, _out: &mut dyn Write, report: &FileReport) -> io::Result<()> {
        for finding in &report.findings {
            let counts = self.counts.entry(finding.rule).or_default();
            let (fixable, unsafe_only) = fixability(finding, self.unsafe_fixes);
            counts.count += 1;
            counts.fixable += usize::from(fixable);
            counts.unsafe_fixable += usize::from(unsafe_only);
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, _summary: &Summary) -> io::Result<()> {
        let mut rows: Vec<RuleCount> = self
            .counts
            .iter()
            .map(|(rule, counts)| RuleCount {
                code: rule.code(),
                name: rule.info().name,
                count: counts.count,
                fixable: counts.fixable,
                unsafe_fixable: counts.unsafe_fixable,
            })
            .collect();
        // Most frequent first; the code breaks ties, so output is stable.
        rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(b.code)));
        if self.json {
            serde_json::to_writer_pretty(&mut *out, &rows)?;
            return writeln!(out);
        }
        let width = rows
            .iter()
            .map(|row| row.count.to_string().len())
            .max()
            .unwrap_or(1);
        for row in &rows {
            let more = match row.unsafe_fixable {
                0 => String::new(),
                n => format!(" ({n} more with --unsafe-fixes)"),
            };
            writeln!(
                out,
                "{:>width$}  {}  {:<29}  {} fixable{more}",
                row.count, row.code, row.name, row.fixable
            )?;
        }
        Ok(())
    }
}
