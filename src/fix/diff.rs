//! Unified diffs for `--diff`: a line diff between the original and the
//! fixed text, with three lines of context, in the format `patch` and
//! `git apply` read.
//!
//! Fixes change a file in many small places, and a generated file can hold
//! tens of thousands of them. Plain Myers costs time and memory in
//! proportion to the size times the number of changes (50,000 fixes in
//! 2.5 MB took 24 GB), so the texts are first cut at lines that occur once
//! in each (patience diff's anchors), and Myers runs on each piece between
//! them with a bound on its edits; a piece past the bound is shown as
//! replaced whole. Every script is a correct diff; only the bound gives up
//! the shortest one.

use std::collections::HashMap;
use std::fmt::Write;

/// Lines of context around each change.
const CONTEXT: usize = 3;

/// The most edits Myers looks for in one piece between anchors.
const MAX_EDITS: usize = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Keep,
    Delete,
    Insert,
}

/// The unified diff turning `old` into `new`, headed `--- a/path` and
/// `+++ b/path`; empty when they are equal.
pub(crate) fn unified_diff(path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    let script = edit_script(&old_lines, &new_lines);
    let mut out = format!("--- a/{path}\n+++ b/{path}\n");
    // Lines of each text before each operation of the script.
    let (mut old_at, mut new_at, mut done) = (0, 0, 0);
    for (start, end) in hunks(&script) {
        for op in &script[done..start] {
            old_at += usize::from(*op != Op::Insert);
            new_at += usize::from(*op != Op::Delete);
        }
        done = start;
        write_hunk(
            &mut out,
            &script[start..end],
            (&old_lines, old_at),
            (&new_lines, new_at),
        );
    }
    out
}

/// An edit script, as one operation per line.
fn edit_script(old: &[&str], new: &[&str]) -> Vec<Op> {
    let mut script = Vec::with_capacity(old.len().max(new.len()));
    let (mut old_at, mut new_at) = (0, 0);
    for (old_anchor, new_anchor) in anchors(old, new) {
        diff_piece(
            &old[old_at..old_anchor],
            &new[new_at..new_anchor],
            &mut script,
        );
        script.push(Op::Keep);
        (old_at, new_at) = (old_anchor + 1, new_anchor + 1);
    }
    diff_piece(&old[old_at..], &new[new_at..], &mut script);
    script
}

/// Positions of the lines that occur exactly once in each text, the
/// longest run of them in the same order in both.
fn anchors(old: &[&str], new: &[&str]) -> Vec<(usize, usize)> {
    // (times in old, position in old, times in new, position in new)
    let mut seen: HashMap<&str, (usize, usize, usize, usize)> = HashMap::new();
    for (at, line) in old.iter().enumerate() {
        let entry = seen.entry(line).or_default();
        entry.0 += 1;
        entry.1 = at;
    }
    for (at, line) in new.iter().enumerate() {
        if let Some(entry) = seen.get_mut(line) {
            entry.2 += 1;
            entry.3 = at;
        }
    }
    let mut unique: Vec<(usize, usize)> = seen
        .into_values()
        .filter(|&(in_old, _, in_new, _)| in_old == 1 && in_new == 1)
        .map(|(_, old_at, _, new_at)| (old_at, new_at))
        .collect();
    unique.sort_unstable();
    longest_increasing(&unique)
}

/// The longest subsequence of `pairs` (sorted by their first element)
/// whose second elements increase, by patience sorting.
fn longest_increasing(pairs: &[(usize, usize)]) -> Vec<(usize, usize)> {
    // tops[i]: the pair ending the best run of length i + 1 so far.
    let mut tops: Vec<usize> = Vec::new();
    let mut previous: Vec<Option<usize>> = vec![None; pairs.len()];
    for (index, &(_, new_at)) in pairs.iter().enumerate() {
        let pile = tops.partition_point(|&top| pairs[top].1 < new_at);
        previous[index] = pile.checked_sub(1).map(|below| tops[below]);
        if pile == tops.len() {
            tops.push(index);
        } else {
            tops[pile] = index;
        }
    }
    let mut run = Vec::with_capacity(tops.len());
    let mut at = tops.last().copied();
    while let Some(index) = at {
        run.push(pairs[index]);
        at = previous[index];
    }
    run.reverse();
    run
}

/// Appends the script for one piece between anchors.
fn diff_piece(old: &[&str], new: &[&str], script: &mut Vec<Op>) {
    // Common ends are cheap to strip, and leave Myers only the changes.
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let (old, new) = (
        &old[prefix..old.len() - suffix],
        &new[prefix..new.len() - suffix],
    );
    script.extend(std::iter::repeat_n(Op::Keep, prefix));
    match myers(old, new, MAX_EDITS) {
        Some(ops) => script.extend(ops),
        None => {
            script.extend(std::iter::repeat_n(Op::Delete, old.len()));
            script.extend(std::iter::repeat_n(Op::Insert, new.len()));
        }
    }
    script.extend(std::iter::repeat_n(Op::Keep, suffix));
}

/// Myers' O((N+M)D) diff, or `None` when it needs more than `max_edits`
/// edits. Round `d` saves the frontier of diagonals `-d..=d` it started
/// from, to trace back.
fn myers(old: &[&str], new: &[&str], max_edits: usize) -> Option<Vec<Op>> {
    let (n, m) = (old.len() as isize, new.len() as isize);
    let max = (n + m).min(max_edits as isize);
    let offset = max + 1;
    let mut frontier = vec![0isize; 2 * max as usize + 3];
    let mut trace: Vec<Vec<isize>> = Vec::new();
    let mut reached = false;
    'search: for d in 0..=max {
        trace.push(frontier[(offset - d) as usize..=(offset + d) as usize].to_vec());
        for k in (-d..=d).step_by(2) {
            let index = (k + offset) as usize;
            let mut x = if k == -d || (k != d && frontier[index - 1] < frontier[index + 1]) {
                frontier[index + 1]
            } else {
                frontier[index - 1] + 1
            };
            let mut y = x - k;
            while x < n && y < m && old[x as usize] == new[y as usize] {
                x += 1;
                y += 1;
            }
            frontier[index] = x;
            if x >= n && y >= m {
                reached = true;
                break 'search;
            }
        }
    }
    if !reached {
        return None;
    }
    // Walk back from the end through the saved frontiers.
    let mut ops = Vec::new();
    let (mut x, mut y) = (n, m);
    for (d, saved) in trace.iter().enumerate().rev() {
        let d = d as isize;
        let k = x - y;
        let at = |k: isize| saved[(k + d) as usize];
        let previous_k = if k == -d || (k != d && at(k - 1) < at(k + 1)) {
            k + 1
        } else {
            k - 1
        };
        let previous_x = if d == 0 { 0 } else { at(previous_k) };
        let previous_y = previous_x - previous_k;
        while x > previous_x && y > previous_y {
            ops.push(Op::Keep);
            x -= 1;
            y -= 1;
        }
        if d > 0 {
            ops.push(if x == previous_x {
                Op::Insert
            } else {
                Op::Delete
            });
        }
        x = previous_x;
        y = previous_y;
    }
    ops.reverse();
    Some(ops)
}

/// Ranges of the script that form hunks: changes with their context,
/// merged when their contexts touch.
fn hunks(script: &[Op]) -> Vec<(usize, usize)> {
    let mut hunks: Vec<(usize, usize)> = Vec::new();
    for (at, op) in script.iter().enumerate() {
        if *op == Op::Keep {
            continue;
        }
        let start = at.saturating_sub(CONTEXT);
        let end = (at + 1 + CONTEXT).min(script.len());
        match hunks.last_mut() {
            Some(last) if start <= last.1 => last.1 = end,
            _ => hunks.push((start, end)),
        }
    }
    hunks
}

/// Writes one hunk; each text comes with the lines before the hunk.
fn write_hunk(
    out: &mut String,
    hunk: &[Op],
    (old, old_start): (&[&str], usize),
    (new, new_start): (&[&str], usize),
) {
    let old_len = hunk.iter().filter(|op| **op != Op::Insert).count();
    let new_len = hunk.iter().filter(|op| **op != Op::Delete).count();
    let shown = |start: usize, len: usize| if len == 0 { start } else { start + 1 };
    let _ = writeln!(
        out,
        "@@ -{},{old_len} +{},{new_len} @@",
        shown(old_start, old_len),
        shown(new_start, new_len)
    );
    let (mut o, mut n) = (old_start, new_start);
    for op in hunk {
        let (mark, line) = match op {
            Op::Keep => {
                o += 1;
                n += 1;
                (' ', old[o - 1])
            }
            Op::Delete => {
                o += 1;
                ('-', old[o - 1])
            }
            Op::Insert => {
                n += 1;
                ('+', new[n - 1])
            }
        };
        out.push(mark);
        out.push_str(line);
        if !line.ends_with('\n') {
            out.push_str("\n\\ No newline at end of file\n");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(unified_diff("a.py", "x\n", "x\n"), "");
    }

    #[test]
    fn an_insertion_with_context() {
        let old = "1\n2\n3\n4\n5\n6\n7\n8\n";
        let new = "1\n2\n3\n4\nnew\n5\n6\n7\n8\n";
        assert_eq!(
            unified_diff("a.py", old, new),
            "--- a/a.py\n+++ b/a.py\n@@ -2,6 +2,7 @@\n 2\n 3\n 4\n+new\n 5\n 6\n 7\n"
        );
    }

    #[test]
    fn a_replacement_and_a_distant_change_make_two_hunks() {
        let old: String = (1..=20).map(|i| format!("{i}\n")).collect();
        let new = old.replace("2\n", "two\n").replacen("18\n", "", 1);
        let diff = unified_diff("a.py", &old, &new);
        assert_eq!(diff.matches("@@ -").count(), 2, "{diff}");
        assert!(diff.contains("-2\n+two\n"), "{diff}");
        assert!(diff.contains("-18\n"), "{diff}");
    }

    /// Whether `script` turns `old` into `new`, keeping only equal lines.
    fn transforms(script: &[Op], old: &[&str], new: &[&str]) -> bool {
        let (mut o, mut n) = (0, 0);
        for op in script {
            match op {
                Op::Keep if old.get(o).is_some() && old.get(o) == new.get(n) => {
                    (o, n) = (o + 1, n + 1)
                }
                Op::Keep => return false,
                Op::Delete => o += 1,
                Op::Insert => n += 1,
            }
        }
        o == old.len() && n == new.len()
    }

    #[test]
    fn scripts_are_correct_and_shortest_within_the_bound() {
        // Repetitive lines (no anchors), unique lines (anchors), both.
        let repeated: Vec<String> = (0..300).map(|i| format!("{}\n", i % 3)).collect();
        let unique: Vec<String> = (0..300).map(|i| format!("{i}\n")).collect();
        for lines in [&repeated, &unique] {
            let old: Vec<&str> = lines.iter().map(String::as_str).collect();
            let mut new = old.clone();
            new.remove(10);
            new.insert(150, "inserted\n");
            new[200] = "changed\n";
            let script = edit_script(&old, &new);
            assert!(transforms(&script, &old, &new));
            let edits = script.iter().filter(|op| **op != Op::Keep).count();
            assert_eq!(edits, 4, "{script:?}");
        }
    }

    #[test]
    fn past_the_bound_a_piece_is_replaced_whole() {
        let old: Vec<String> = (0..3 * MAX_EDITS).map(|i| format!("old {i}\n")).collect();
        let new: Vec<String> = (0..3 * MAX_EDITS).map(|i| format!("new {i}\n")).collect();
        let old: Vec<&str> = old.iter().map(String::as_str).collect();
        let new: Vec<&str> = new.iter().map(String::as_str).collect();
        assert_eq!(myers(&old, &new, MAX_EDITS), None);
        let script = edit_script(&old, &new);
        assert!(transforms(&script, &old, &new));
        assert_eq!(script.len(), 6 * MAX_EDITS);
    }

    #[test]
    fn a_missing_final_newline_is_marked() {
        let diff = unified_diff("a.py", "a\nb", "a\nc");
        assert!(
            diff.ends_with("-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"),
            "{diff}"
        );
    }
}
