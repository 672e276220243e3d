//! Unified diffs for `--diff`: a line diff (Myers' algorithm) between the
//! original and the fixed text, with three lines of context, in the format
//! `patch` and `git apply` read.

use std::fmt::Write;

/// Lines of context around each change.
const CONTEXT: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Keep,
    Delete,
    Insert,
}

/// The unified diff turning `old` into `new`, headed `--- a/path` and
/// `+++ b/path`; empty when they are equal.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    let script = edit_script(&old_lines, &new_lines);
    let mut out = format!("--- a/{path}\n+++ b/{path}\n");
    for hunk in hunks(&script) {
        write_hunk(
            &mut out,
            &script[hunk.0..hunk.1],
            &old_lines,
            &new_lines,
            &script[..hunk.0],
        );
    }
    out
}

/// The shortest edit script, as one operation per line.
fn edit_script(old: &[&str], new: &[&str]) -> Vec<Op> {
    // Common ends are cheap to strip, and leave Myers only the changes.
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let mut script = vec![Op::Keep; prefix];
    script.extend(myers(
        &old[prefix..old.len() - suffix],
        &new[prefix..new.len() - suffix],
    ));
    script.extend(vec![Op::Keep; suffix]);
    script
}

/// Myers' O((N+M)D) diff, keeping each round's frontier to trace back.
fn myers(old: &[&str], new: &[&str]) -> Vec<Op> {
    let (n, m) = (old.len() as isize, new.len() as isize);
    let max = (n + m) as usize;
    let offset = max as isize + 1;
    let mut frontier = vec![0isize; 2 * max + 3];
    let mut trace: Vec<Vec<isize>> = Vec::new();
    'search: for d in 0..=max as isize {
        trace.push(frontier.clone());
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
                break 'search;
            }
        }
    }
    // Walk back from the end through the saved frontiers.
    let mut ops = Vec::new();
    let (mut x, mut y) = (n, m);
    for (d, frontier) in trace.iter().enumerate().rev() {
        let d = d as isize;
        let k = x - y;
        let index = (k + offset) as usize;
        let previous_k = if k == -d || (k != d && frontier[index - 1] < frontier[index + 1]) {
            k + 1
        } else {
            k - 1
        };
        let previous_x = frontier[(previous_k + offset) as usize];
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
    ops
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

fn write_hunk(out: &mut String, hunk: &[Op], old: &[&str], new: &[&str], before: &[Op]) {
    let old_start = before.iter().filter(|op| **op != Op::Insert).count();
    let new_start = before.iter().filter(|op| **op != Op::Delete).count();
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

    #[test]
    fn a_missing_final_newline_is_marked() {
        let diff = unified_diff("a.py", "a\nb", "a\nc");
        assert!(
            diff.ends_with("-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"),
            "{diff}"
        );
    }
}
