//! `--statistics`: one line per rule with its count, code, name and how
//! many of its findings are fixable, most frequent first. With
//! `--format json`, the same as a JSON array.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::{Reporter, Summary};
use crate::finding::Applicability;
use crate::lint::FileReport;
use crate::rules::Rule;

#[derive(Serialize)]
struct RuleCount {
    code: &'static str,
    name: &'static str,
    count: usize,
    fixable: usize,
}

/// Counts findings per rule and prints the table at the end.
pub struct StatisticsReporter {
    json: bool,
    counts: BTreeMap<Rule, (usize, usize)>,
}

impl StatisticsReporter {
    /// A reporter printing a table, or JSON.
    pub fn new(json: bool) -> Self {
        Self {
            json,
            counts: BTreeMap::new(),
        }
    }
}

impl Reporter for StatisticsReporter {
    fn file(&mut self, _out: &mut dyn Write, report: &FileReport) -> io::Result<()> {
        for finding in &report.findings {
            let (count, fixable) = self.counts.entry(finding.rule).or_default();
            *count += 1;
            if finding
                .fix
                .as_ref()
                .is_some_and(|fix| fix.applicability == Applicability::Safe)
            {
                *fixable += 1;
            }
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, _summary: &Summary) -> io::Result<()> {
        let mut rows: Vec<RuleCount> = self
            .counts
            .iter()
            .map(|(rule, (count, fixable))| RuleCount {
                code: rule.code(),
                name: rule.info().name,
                count: *count,
                fixable: *fixable,
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
            writeln!(
                out,
                "{:>width$}  {}  {:<29}  {} fixable",
                row.count, row.code, row.name, row.fixable
            )?;
        }
        Ok(())
    }
}
