//! Hostile and broken inputs, through the real binary: each is either
//! checked or reported (FL001 with a reason), the run goes on with the
//! other files, nothing blocks, nothing crashes, and `--fix` never damages
//! a file.

mod common;

use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::HANG_GUARD;

use serde_json::Value;

use common::{apply_patch, flasklint, tree};

const MUTATION: &str =
    "from flask import session\n\n\ndef add(sku):\n    session[\"cart\"].append(sku)\n";

/// (filename, code, message) of every finding, with the exit code.
fn run(dir: &Path, args: &[&str]) -> (i32, Vec<(String, String, String)>) {
    let mut all = vec!["--format", "json"];
    all.extend(args);
    let (code, json) = common::run_json(dir, &all);
    let files = common::field(&json, "filename");
    let codes = common::field(&json, "code");
    let messages = common::field(&json, "message");
    let findings = files
        .into_iter()
        .zip(codes)
        .zip(messages)
        .map(|((file, code), message)| (file, code, message))
        .collect();
    (code, findings)
}

fn has(findings: &[(String, String, String)], file: &str, code: &str, words: &str) -> bool {
    findings
        .iter()
        .any(|(f, c, m)| f == file && c == code && m.contains(words))
}

#[test]
fn large_files_are_reported_with_the_limit_and_checked_below_it() {
    let dir = tree(&[("good.py", MUTATION)]);
    // 50 MB of ordinary code, and one 10 MB line.
    let big = "x = 1\n".repeat(50 * 1024 * 1024 / 6);
    fs::write(dir.path().join("big.py"), &big).expect("write");
    let long_line = format!(
        "from flask import session\nsession['banner'] = '{}'\n",
        "a".repeat(10 * 1024 * 1024)
    );
    fs::write(dir.path().join("long_line.py"), &long_line).expect("write");
    let (code, findings) = run(dir.path(), &[]);
    assert_eq!(code, 1);
    assert!(
        has(
            &findings,
            "big.py",
            "FL001",
            "more than --max-file-size (20971520 bytes)"
        ),
        "{findings:?}"
    );
    assert!(
        has(&findings, "long_line.py", "FL103", "a literal of at least"),
        "{findings:?}"
    );
    assert!(has(&findings, "good.py", "FL105", ""), "{findings:?}");
    let (_, findings) = run(dir.path(), &["--max-file-size", "64M", "big.py"]);
    assert!(findings.is_empty(), "{findings:?}");
    let (_, findings) = run(
        dir.path(),
        &["--max-file-size", "1k", "good.py", "long_line.py"],
    );
    assert!(has(
        &findings,
        "long_line.py",
        "FL001",
        "more than --max-file-size (1024 bytes)"
    ));
    assert!(has(&findings, "good.py", "FL105", ""));
}

#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    let depth = 100_000;
    let brackets = format!(
        "from flask import session\nsession['x'] = {}{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let parens = format!(
        "from flask import session\nsession['x'] = {}1{}\n",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    let calls = format!(
        "from flask import session\nsession['x'] = {}1{}\n",
        "f(".repeat(depth),
        ")".repeat(depth)
    );
    let mut ifs = String::from("from flask import session\n\n\ndef f(x):\n");
    for level in 1..=5_000 {
        ifs.push_str(&"\t".repeat(level));
        ifs.push_str("if x:\n");
    }
    ifs.push_str(&"\t".repeat(5_001));
    ifs.push_str("session['cart'].append(x)\n");
    let dir = tree(&[
        ("brackets.py", &brackets),
        ("parens.py", &parens),
        ("calls.py", &calls),
        ("ifs.py", &ifs),
        ("good.py", MUTATION),
    ]);
    let (code, findings) = run(dir.path(), &[]);
    assert!(code == 1, "{findings:?}");
    assert!(has(&findings, "good.py", "FL105", ""));
    assert!(has(&findings, "ifs.py", "FL105", ""));
    // Each deep file is either checked or reported as a syntax error.
    for file in ["brackets.py", "parens.py", "calls.py"] {
        assert!(
            findings
                .iter()
                .all(|(f, c, _)| f != file || c == "FL103" || c == "FL002"),
            "{file}: {findings:?}"
        );
    }
}

#[test]
fn nesting_past_the_limit_is_reported_without_parsing() {
    // Under the default size limit, yet millions of levels deep: parsed,
    // each took gigabytes and overflowed the stack.
    let unary = format!(
        "from flask import session\nsession['x'] = {}1\n",
        "-".repeat(20_000_000)
    );
    let lists = format!(
        "from flask import session\nsession['x'] = {}{}\n",
        "[".repeat(5_000_000),
        "]".repeat(5_000_000)
    );
    let calls = format!(
        "from flask import session\nsession['x'] = f{}\n",
        "()".repeat(5_000_000)
    );
    let power = format!(
        "from flask import session\nsession['x'] = 2{}\n",
        "**2".repeat(3_000_000)
    );
    let dir = tree(&[
        ("unary.py", &unary),
        ("lists.py", &lists),
        ("calls.py", &calls),
        ("power.py", &power),
        ("good.py", MUTATION),
    ]);
    let (code, findings) = run(dir.path(), &[]);
    assert_eq!(code, 1);
    for file in ["unary.py", "lists.py", "calls.py", "power.py"] {
        assert!(
            has(
                &findings,
                file,
                "FL002",
                "nested more than 200000 levels deep"
            ),
            "{file}: {findings:?}"
        );
    }
    assert!(has(&findings, "good.py", "FL105", ""));
    // Long flat code is not nesting: a million comparisons, a million list
    // items and a million statements are parsed and checked.
    let flat = format!(
        "from flask import session\nok = {}\nitems = [{}]\n{}session['items'] = items\n",
        vec!["a"; 1_000_000].join(" < "),
        vec!["-1"; 1_000_000].join(", "),
        "x = -y\n".repeat(1_000_000),
    );
    fs::write(dir.path().join("flat.py"), flat).expect("write");
    let (_, findings) = run(dir.path(), &["flat.py"]);
    assert!(
        has(&findings, "flat.py", "FL103", "assigned on line 3"),
        "{findings:?}"
    );
}

#[test]
fn many_findings_on_one_long_line_take_linear_time_in_every_format() {
    // 199,999 syntax errors on one line: with a column counted from the
    // line start per finding, or the file scanned per snippet, this took
    // minutes.
    let source = format!(
        "from flask import session\n\n\ndef f():\n    session['x'] = {}\n",
        "1 ".repeat(200_000)
    );
    let dir = tree(&[("ones.py", &source)]);
    for format in ["text", "concise", "json", "json-lines", "sarif", "github"] {
        let output = flasklint()
            .current_dir(dir.path())
            .args(["--format", format, "ones.py"])
            .timeout(HANG_GUARD)
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(1), "{format}");
    }
    let output = flasklint()
        .current_dir(dir.path())
        .args(["--format", "concise", "-q", "ones.py"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(text.lines().count(), 199_999);
    // The last `1` stands after 4 + 15 columns and 199,999 `1 `.
    let last = text.lines().last().expect("a finding");
    assert!(last.starts_with("ones.py:5:400018: FL002"), "{last}");
}

#[test]
fn tens_of_thousands_of_fixes_in_one_file_stay_fast_and_exact() {
    // Each of these shapes was quadratic somewhere (choosing fixes, the
    // diff, FL101's paths, FL105's placement, local-name lookups): 50,000
    // of them took from 25 s to 90 s and up to 24 GB.
    let mut many = String::from("from flask import session\n");
    for i in 0..20_000 {
        many.push_str(&format!(
            "\n\ndef add{i}(sku):\n    session['cart'].append(sku)\n"
        ));
    }
    let mut long =
        String::from("from flask import session\n\n\ndef f(x):\n    cart = session['cart']\n");
    for i in 0..20_000 {
        long.push_str(&format!("    y{i} = {i}\n"));
    }
    for i in 0..20_000 {
        long.push_str(&format!("    session['k{i}'] = {i}\n"));
    }
    for i in 0..20_000 {
        long.push_str(&format!(
            "    cart.append({i})\n    if x:\n        return\n"
        ));
    }
    let dir = tree(&[("many.py", &many), ("long.py", &long)]);
    let diff = flasklint()
        .current_dir(dir.path())
        .args(["--diff", "-q"])
        .timeout(HANG_GUARD)
        .output()
        .expect("runs");
    assert_eq!(diff.status.code(), Some(1));
    // Only the hunks of many.py: the diff lists it after long.py.
    let text = String::from_utf8_lossy(&diff.stdout);
    let at = text.find("--- a/many.py").expect("a diff of many.py");
    let patch = apply_patch(
        dir.path(),
        &["-p1", "-o", "-", "many.py"],
        &text.as_bytes()[at..],
    );
    assert!(patch.status.success());
    flasklint()
        .current_dir(dir.path())
        .args(["--fix", "-q", "--exit-zero"])
        .timeout(HANG_GUARD)
        .assert()
        .success();
    let fixed = fs::read_to_string(dir.path().join("many.py")).expect("read");
    assert_eq!(String::from_utf8_lossy(&patch.stdout), fixed);
    assert_eq!(fixed.matches("session.modified = True").count(), 20_000);
    let fixed = fs::read_to_string(dir.path().join("long.py")).expect("read");
    assert!(
        fixed.contains("    session.update({\n        'k0': 0,\n"),
        "{}",
        &fixed[..2000]
    );
}

#[test]
fn the_text_report_shows_a_window_of_a_long_line() {
    let source = format!(
        "from flask import session\nsession['banner'] = 'é{}'\n",
        "a".repeat(10 * 1024 * 1024)
    );
    let dir = tree(&[("long_line.py", &source)]);
    let output = flasklint()
        .current_dir(dir.path())
        .args(["--format", "text", "long_line.py"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("[long_line.py:2:21]"), "{text}");
    assert!(text.contains("session['banner'] = 'éaaaa"), "{text}");
    assert!(text.len() < 4096, "{} bytes of report", text.len());
}

#[test]
fn binary_and_badly_encoded_files_are_reported() {
    let dir = tree(&[("good.py", MUTATION)]);
    fs::write(dir.path().join("nul.py"), vec![0u8; 4096]).expect("write");
    let mut middle = b"from flask import session\nx = 1\n".to_vec();
    middle.extend_from_slice(b"# \xc3\x28 broken\n");
    fs::write(dir.path().join("middle.py"), middle).expect("write");
    let utf16: Vec<u8> = "\u{feff}from flask import session\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    fs::write(dir.path().join("utf16.py"), utf16).expect("write");
    fs::write(dir.path().join("bom_only.py"), b"\xef\xbb\xbf").expect("write");
    fs::write(
        dir.path().join("mixed.py"),
        b"from flask import session\r\ndef f(x):\r    session['c'].append(x)\n\r\n",
    )
    .expect("write");
    let (code, findings) = run(dir.path(), &[]);
    assert_eq!(code, 1);
    assert!(
        has(
            &findings,
            "middle.py",
            "FL001",
            "not valid UTF-8 (invalid byte at offset 34)"
        ),
        "{findings:?}"
    );
    assert!(
        has(&findings, "utf16.py", "FL001", "not valid UTF-8"),
        "{findings:?}"
    );
    assert!(has(&findings, "mixed.py", "FL105", ""), "{findings:?}");
    assert!(has(&findings, "good.py", "FL105", ""));
    assert!(
        !findings
            .iter()
            .any(|(f, _, _)| f == "bom_only.py" || f == "nul.py"),
        "{findings:?}"
    );
    // A file of NUL bytes cannot use the session; parsed anyway, it is a syntax error.
    let (_, findings) = run(dir.path(), &["--no-prefilter", "nul.py"]);
    assert!(has(&findings, "nul.py", "FL002", ""), "{findings:?}");
}

#[test]
fn special_files_are_never_opened_and_never_block() {
    let dir = tree(&[("good.py", MUTATION)]);
    let fifo = dir.path().join("fifo.py");
    let status = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
    let _socket =
        std::os::unix::net::UnixListener::bind(dir.path().join("socket.py")).expect("socket");
    symlink("/dev/zero", dir.path().join("zero.py")).expect("symlink");
    symlink("/dev/urandom", dir.path().join("random.py")).expect("symlink");
    symlink(
        dir.path().join("nowhere.py"),
        dir.path().join("dangling.py"),
    )
    .expect("symlink");
    symlink(dir.path().join("good.py"), dir.path().join("linked.py")).expect("symlink");
    fs::create_dir_all(dir.path().join("loop")).expect("mkdir");
    symlink(dir.path().join("loop"), dir.path().join("loop/again")).expect("symlink");
    fs::create_dir_all(dir.path().join("x.py")).expect("a directory named x.py");
    fs::write(dir.path().join("x.py/inner.py"), MUTATION).expect("write");

    // A special file that blocked the run would trip the hang guard.
    let (code, findings) = run(dir.path(), &[]);
    assert_eq!(code, 1);
    assert!(
        has(&findings, "zero.py", "FL001", "a device"),
        "{findings:?}"
    );
    assert!(
        has(&findings, "random.py", "FL001", "a device"),
        "{findings:?}"
    );
    assert!(
        has(&findings, "dangling.py", "FL001", "cannot read the file"),
        "{findings:?}"
    );
    assert!(has(&findings, "linked.py", "FL105", ""), "{findings:?}");
    assert!(has(&findings, "good.py", "FL105", ""));
    assert!(has(&findings, "x.py/inner.py", "FL105", ""), "{findings:?}");
    // The walk lists only regular files and symlinks: a FIFO or socket in
    // a directory is not a source file. Named explicitly, they are reported.
    let (_, named) = run(dir.path(), &["fifo.py", "socket.py", "zero.py", "good.py"]);
    assert!(has(&named, "fifo.py", "FL001", "a FIFO"), "{named:?}");
    assert!(has(&named, "socket.py", "FL001", "a socket"), "{named:?}");
    assert!(has(&named, "zero.py", "FL001", "a device"), "{named:?}");
    assert!(has(&named, "good.py", "FL105", ""));
}

#[test]
fn odd_file_names_are_checked() {
    let dir = tree(&[("with space.py", MUTATION), ("new\nline.py", MUTATION)]);
    let raw = std::ffi::OsStr::from_bytes(b"latin\xe9.py");
    fs::write(dir.path().join(raw), MUTATION).expect("non-UTF-8 name");
    let (code, findings) = run(dir.path(), &[]);
    assert_eq!(code, 1);
    let files: Vec<&str> = findings.iter().map(|(f, _, _)| f.as_str()).collect();
    assert!(
        files.contains(&"with space.py") && files.contains(&"new\nline.py"),
        "{files:?}"
    );
    assert!(files.contains(&"latin\u{fffd}.py"), "{files:?}");
}

#[test]
fn a_file_deleted_after_discovery_is_reported() {
    // Many files give the deleting thread time to act while the run walks.
    let mut files: Vec<(String, &str)> = (0..3000)
        .map(|i| (format!("f{i:04}.py"), MUTATION))
        .collect();
    files.push(("zzz_last.py".to_string(), MUTATION));
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(n, c)| (n.as_str(), *c)).collect();
    let dir = tree(&borrowed);
    let victim = dir.path().join("zzz_last.py");
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("flasklint"))
        .current_dir(dir.path())
        .args(["--format", "concise", "-q"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    std::thread::sleep(Duration::from_millis(5));
    let _ = fs::remove_file(&victim);
    let output = child.wait_with_output().expect("waits");
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8_lossy(&output.stdout);
    // Whichever came first, the file is checked or reported, never lost silently or fatally.
    assert!(
        text.contains("zzz_last.py:5:5: FL105")
            || text.contains("zzz_last.py:1:1: FL001 cannot read the file")
            || !victim.exists(),
        "{}",
        &text[text.len().saturating_sub(500)..]
    );
    assert!(text.lines().filter(|l| l.contains("FL105")).count() >= 3000);
}

#[test]
fn a_hundred_thousand_files_in_one_directory() {
    let dir = tempfile::TempDir::new().expect("temp dir");
    for i in 0..100_000 {
        let body: &[u8] = if i % 1000 == 0 {
            MUTATION.as_bytes()
        } else {
            b"import os\n\nVALUE = os.sep\n"
        };
        fs::write(dir.path().join(format!("m{i:06}.py")), body).expect("write");
    }
    let started = Instant::now();
    let output = flasklint()
        .current_dir(dir.path())
        .args(["--statistics", "--format", "json"])
        .timeout(HANG_GUARD)
        .output()
        .expect("runs");
    let elapsed = started.elapsed();
    let rows: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(rows[0]["code"], "FL105");
    assert_eq!(rows[0]["count"], 100);
    eprintln!("100,000 files checked in {elapsed:?}");
}

// ---------------------------------------------------------------- fixes under faults

// A read-only file under `--fix`: `tests/fixes.rs`, `a_read_only_file_is_reported_and_left_intact`.

/// A directory on a tmpfs of `size`, when this machine lets us mount one
/// (CI and developers run as root here); `None` otherwise, said loudly.
fn small_tmpfs(size: &str) -> Option<(tempfile::TempDir, Unmount)> {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let status = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(dir.path())
        .status();
    match status {
        Ok(status) if status.success() => {
            let unmount = Unmount(dir.path().to_path_buf());
            Some((dir, unmount))
        }
        _ => {
            eprintln!(
                "NOT RUN: cannot mount a tmpfs here (needs root); the full-disk case is untested on this machine"
            );
            None
        }
    }
}

struct Unmount(std::path::PathBuf);

impl Drop for Unmount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_leaves_the_file_byte_identical() {
    let Some((disk, _unmount)) = small_tmpfs("64k") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must be able to mount a tmpfs for this test"
        );
        return;
    };
    // A file that fills most of the disk, so its fixed copy cannot fit.
    let filler = format!("{MUTATION}{}", "# padding\n".repeat(4000));
    let path = disk.path().join("a.py");
    fs::write(&path, &filler).expect("write");
    let output = flasklint()
        .current_dir(disk.path())
        .arg("--fix")
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("a.py: cannot write the fixes, the file is unchanged"),
        "{stderr}"
    );
    assert_eq!(fs::read_to_string(&path).expect("read"), filler);
    let leftovers: Vec<_> = fs::read_dir(disk.path()).expect("dir").collect();
    assert_eq!(leftovers.len(), 1, "a temporary file was left behind");
}

#[test]
fn a_directory_that_refuses_new_files_leaves_the_file_byte_identical() {
    let dir = tree(&[("pkg/a.py", MUTATION)]);
    let pkg = dir.path().join("pkg");
    // Root ignores permission bits, so make the directory immutable instead.
    let immutable = Command::new("chattr")
        .arg("+i")
        .arg(&pkg)
        .status()
        .is_ok_and(|s| s.success());
    if !immutable {
        eprintln!(
            "NOT RUN: chattr +i is not available on this file system; the refused-directory case is untested here"
        );
        return;
    }
    let output = flasklint()
        .current_dir(dir.path())
        .arg("--fix")
        .output()
        .expect("runs");
    let _ = Command::new("chattr").arg("-i").arg(&pkg).status();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("pkg/a.py: cannot write the fixes, the file is unchanged"),
        "{stderr}"
    );
    assert_eq!(
        fs::read_to_string(pkg.join("a.py")).expect("read"),
        MUTATION
    );
}

// ---------------------------------------------------------------- one bad file, a closed pipe

#[test]
fn a_panic_on_one_file_is_a_finding_and_the_run_goes_on() {
    // The debug binary panics on the file `FLASKLINT_TEST_PANIC_ON` names.
    let dir = tree(&[("a.py", MUTATION), ("b.py", MUTATION), ("c.py", MUTATION)]);
    let output = flasklint()
        .current_dir(dir.path())
        .env("FLASKLINT_TEST_PANIC_ON", "b.py")
        .args(["--format", "concise"])
        .timeout(HANG_GUARD)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("a.py:5:5: FL105"), "{stdout}");
    assert!(stdout.contains("c.py:5:5: FL105"), "{stdout}");
    assert!(
        stdout.contains("b.py:1:1: FL001 flasklint failed while checking this file (a bug in flasklint, please report it): FLASKLINT_TEST_PANIC_ON names `b.py`"),
        "{stdout}"
    );
}

#[test]
fn a_closed_pipe_ends_the_run_quietly_with_success() {
    // Enough findings to fill the pipe many times over.
    let files: Vec<(String, &str)> = (0..2000)
        .map(|i| (format!("m{i:04}.py"), MUTATION))
        .collect();
    let refs: Vec<(&str, &str)> = files.iter().map(|(n, s)| (n.as_str(), *s)).collect();
    let dir = tree(&refs);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("flasklint"))
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starts");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = [0_u8; 16];
    std::io::Read::read_exact(&mut stdout, &mut first).expect("output starts");
    drop(stdout); // as `| head -c 16` does
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waits") {
            break status;
        }
        assert!(
            started.elapsed() < HANG_GUARD,
            "still running after the pipe closed"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr)
        .expect("stderr");
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert_eq!(stderr, "");
}

// ---------------------------------------------------------------- the project

#[test]
fn thousands_of_modules_cycles_and_a_long_chain_of_reexports() {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let pkg = dir.path().join("pkg");
    fs::create_dir_all(&pkg).expect("mkdir");
    fs::write(dir.path().join("flasklint.toml"), "").expect("write");
    fs::write(pkg.join("__init__.py"), "").expect("write");
    // m0 binds Flask's session; m1 .. m1999 each re-export the one before.
    fs::write(pkg.join("m0.py"), "from flask import session\n").expect("write");
    for i in 1..2000 {
        fs::write(
            pkg.join(format!("m{i}.py")),
            format!("from .m{} import session\n", i - 1),
        )
        .expect("write");
    }
    // A cycle that binds nothing, imported under two names.
    fs::write(pkg.join("a.py"), "from .b import session\n").expect("write");
    fs::write(
        pkg.join("b.py"),
        "from .a import session\nfrom . import a as again\n",
    )
    .expect("write");
    for i in 0..1000 {
        let source = format!(
            "from pkg.m1999 import session\nfrom pkg.a import session as looped\n\n\ndef add(sku):\n    session[\"cart\"].append(sku)\n    looped[\"x\"].append(sku)\n\n\ndef v{i}():\n    pass\n"
        );
        fs::write(pkg.join(format!("view{i:04}.py")), source).expect("write");
    }
    let run = |threads: &str| {
        flasklint()
            .current_dir(dir.path())
            .env("RAYON_NUM_THREADS", threads)
            .args(["--format", "concise", "--exit-zero", "."])
            .timeout(HANG_GUARD)
            .output()
            .expect("runs")
    };
    let two = run("2");
    assert_eq!(two.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&two.stdout);
    // Each view's change of the chained session is found; the cycle's is not.
    assert_eq!(
        stdout.matches(": FL105 `session[\"cart\"]`").count(),
        1000,
        "{stdout}"
    );
    assert!(!stdout.contains("looped"), "{stdout}");
    assert_eq!(
        run("1").stdout,
        two.stdout,
        "output differs with 1 and 2 threads"
    );
}

#[test]
fn paths_stay_linear_in_long_functions() {
    // 5,000 `if`s in a row have 2^5000 paths, 200 nested `try`s and 10,000
    // early returns as many ways out: the path model combines facts per
    // statement, never enumerates. The time bound is in bench/run ("paths").
    let mut ifs = String::from(
        "from flask import session\n\n\ndef many_ifs(c):\n    session[\"cart\"].append(1)\n",
    );
    for i in 0..5_000 {
        ifs += &format!("    if c == {i}:\n        session.modified = True\n");
    }
    ifs += "\n\ndef many_keys(c):\n";
    for i in 0..5_000 {
        ifs += &format!("    if c == {i}:\n        session[\"k{i}\"] = {i}\n");
    }
    let depth = 200;
    let mut tries = String::from(
        "from flask import session\n\n\ndef nested():\n    session[\"cart\"].append(1)\n",
    );
    for level in 1..=depth {
        tries += &format!("{}try:\n", "    ".repeat(level));
    }
    let innermost = "    ".repeat(depth + 1);
    tries += &format!("{innermost}notify()\n{innermost}session.modified = True\n");
    for level in (1..=depth).rev() {
        tries += &format!(
            "{}except ValueError:\n{}pass\n",
            "    ".repeat(level),
            "    ".repeat(level + 1)
        );
    }
    let mut returns = String::from(
        "from flask import session\n\n\ndef returns(c):\n    session[\"cart\"].append(1)\n",
    );
    for i in 0..10_000 {
        returns += &format!("    if c == {i}:\n        return {i}\n");
    }
    returns += "    session.modified = True\n";
    let dir = tree(&[
        ("ifs.py", &ifs),
        ("tries.py", &tries),
        ("returns.py", &returns),
    ]);
    let (code, findings) = run(dir.path(), &["--isolated", "."]);
    assert_eq!(code, 1);
    assert!(
        has(
            &findings,
            "ifs.py",
            "FL105",
            "when the `if` at line 6 is not taken"
        ),
        "{findings:?}"
    );
    assert!(
        has(
            &findings,
            "ifs.py",
            "FL101",
            "`session` is written 5000 times in `many_keys` (lines 10010, 10012,"
        ),
        "{findings:?}"
    );
    assert!(
        has(&findings, "ifs.py", "FL101", "and 4980 more)"),
        "{findings:?}"
    );
    // The innermost handler runs after `notify()` raised, before the mark.
    let innermost_except = 5 + depth + 3;
    assert!(
        has(
            &findings,
            "tries.py",
            "FL105",
            &format!("when the `except` at line {innermost_except} runs")
        ),
        "{findings:?}"
    );
    assert!(
        has(
            &findings,
            "returns.py",
            "FL105",
            "when the `if` at line 6 is taken"
        ),
        "{findings:?}"
    );
    assert_eq!(findings.len(), 4, "{findings:?}");
}

#[test]
fn ten_thousand_templates_and_a_hostile_ten_megabyte_one() {
    // Templates are read for session keys and checked for FL106: many of
    // them, an unclosed `{{`, a `%}` inside a string, raw blocks and keys
    // with quotes, unicode and newlines must neither hang nor crash.
    let dir = tree(&[
        ("flasklint.toml", ""),
        (
            "app/views.py",
            "from flask import session\n\n\ndef login(user):\n    session[\"role\"] = user.role\n",
        ),
    ]);
    let templates = dir.path().join("app/templates");
    std::fs::create_dir_all(&templates).expect("templates");
    for i in 0..10_000 {
        let text = format!(
            "<p>{{{{ session.roles }}}} {i}</p>{{# noqa #}}\n{{% raw %}}{{{{ session.rolez }}}}{{% endraw %}}\n"
        );
        std::fs::write(templates.join(format!("t{i}.html")), text).expect("write");
    }
    let mut hostile = String::from("{{ session['ro\"le'] ~ '%}' }}{{ session['rôle\\n'] }}\n");
    while hostile.len() < 10 * 1024 * 1024 {
        hostile.push_str("{% if 'x' in session %}{{ session.get(\"rolls\") }}{% endif %}{{ '\n");
    }
    hostile.push_str("{{ session.roles");
    std::fs::write(templates.join("hostile.html"), &hostile).expect("write");
    let run = || {
        flasklint()
            .current_dir(dir.path())
            .args(["--format", "concise", "--exit-zero", "."])
            .timeout(HANG_GUARD)
            .output()
            .expect("runs")
    };
    let first = run();
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let text = String::from_utf8_lossy(&first.stdout);
    // The 10,000 `session.roles` are silenced by their noqa; the hostile
    // template's unclosed last tag still has its finding.
    assert!(
        !text.contains("/t1.html"),
        "{}",
        &text[..text.len().min(2000)]
    );
    assert!(
        text.contains("app/templates/hostile.html:"),
        "{}",
        &text[..text.len().min(2000)]
    );
    assert_eq!(run().stdout, first.stdout, "the same output twice");
}
