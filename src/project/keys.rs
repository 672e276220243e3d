//! Which session keys the project writes and reads, for FL106 and FL107:
//! gathered by the scan that already reads every file under the root, from
//! the text, without parsing (parsing every file a second time would
//! double what the check costs). The text does not say which mapping a
//! subscript is of, so `d["k"] = 1` counts as a write of `"k"` too: the
//! facts over-approximate both writes and reads, which can only keep a
//! finding from being reported, never invent one.

use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex, OnceLock};

use memchr::memmem;
use rayon::prelude::*;

use crate::analysis::fast_hash::{FastHasher, FastMap, FastSet};
use crate::analysis::session_keys::{Access, Key};
use crate::analysis::template_keys::template_keys;
use crate::input::prefilter::{contains_word, is_ident};
use crate::input::source::LineIndex;
use crate::project::near_key::{self, Candidate};

/// Where a key is written first (by path, then row).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct FirstWrite {
    pub(crate) path: PathBuf,
    pub(crate) row: usize,
}

/// What one file's text says about keys.
#[derive(Debug, Default, Clone)]
pub(crate) struct KeyText {
    /// Keys written, with the 1-based row of their first write.
    pub(crate) written: Vec<(String, usize)>,
    /// Literal starts of keys written under a computed name (`f"cart_{id}"`).
    pub(crate) written_prefixes: Vec<String>,
    /// Keys read.
    pub(crate) read: Vec<String>,
    /// Keys a template reads as attributes (`session.lang`): keys only
    /// when the session object has no attribute of that name, which the
    /// scan knows at its end.
    pub(crate) read_as_attribute: Vec<String>,
    /// Whether the file may read the session as a whole, or with a key it
    /// computes (which may be any key).
    pub(crate) reads_whole: bool,
}

/// The keys of the whole project.
#[derive(Debug, Default)]
pub(crate) struct ProjectKeys {
    written: FastMap<String, FirstWrite>,
    written_prefixes: Vec<String>,
    read: FastMap<String, ()>,
    reads_whole: bool,
    /// The near misses asked about, once per key for the whole run.
    near: Mutex<FastMap<String, Option<NearKey>>>,
    /// The written keys, ready for comparing, made on the first question.
    candidates: OnceLock<Vec<Candidate>>,
    /// The keys each file's text reads, each once, as hashes of the keys
    /// in `read` (a collision can only make a file look as if it read an
    /// unknown key, which costs a walk of its code, not a finding).
    /// Listed, not mapped: only [`ProjectKeys::unknown_reads`] looks them up.
    reads_by_file: Vec<(PathBuf, Vec<u64>)>,
    /// For each file, the keys its text reads that nothing writes, near
    /// one that is written: found on the first question, for every file.
    /// By the path's bytes: it is asked once per function.
    unknown_readers: OnceLock<FastMap<Box<[u8]>, Vec<String>>>,
    /// The files with reads as attributes, until
    /// [`ProjectKeys::settle_attribute_reads`] adds those that are keys.
    attribute_readers: Vec<AttributeReader>,
}

/// A file that reads keys as attributes (`session.lang` in a template).
#[derive(Debug)]
struct AttributeReader {
    path: PathBuf,
    /// The hashes of its other reads, as in `reads_by_file`.
    hashes: Vec<u64>,
    /// The keys read as attributes, with whether the file writes them.
    as_attribute: Vec<(String, bool)>,
}

/// A written key that a key read is a near miss of.
#[derive(Debug, Clone)]
pub(crate) struct NearKey {
    pub(crate) key: String,
    /// Where the project writes it first; `None` for a key that Flask or
    /// an extension writes.
    pub(crate) first: Option<FirstWrite>,
}

impl ProjectKeys {
    /// Adds one file's facts; the first write of a key is the one in the
    /// first path.
    pub(crate) fn add(&mut self, path: PathBuf, text: KeyText) {
        // A key the file writes itself is no unknown key there.
        let written_here: FastSet<u64> =
            text.written.iter().map(|(key, _)| key_hash(key)).collect();
        for (key, row) in text.written {
            self.add_write(key, &path, row);
        }
        self.written_prefixes.extend(text.written_prefixes);
        let hashes: Vec<u64> = text
            .read
            .iter()
            .map(|key| key_hash(key))
            .filter(|hash| !written_here.contains(hash))
            .collect();
        self.read.extend(text.read.into_iter().map(|key| (key, ())));
        self.reads_whole |= text.reads_whole;
        // With whether the file writes it itself.
        let as_attribute: Vec<(String, bool)> = text
            .read_as_attribute
            .into_iter()
            .map(|key| {
                let here = written_here.contains(&key_hash(&key));
                (key, here)
            })
            .collect();
        if as_attribute.is_empty() {
            self.add_reads_of(path, hashes);
        } else {
            self.attribute_readers.push(AttributeReader {
                path,
                hashes,
                as_attribute,
            });
        }
    }

    /// Counts the reads as attributes that are keys: those `is_attribute`
    /// says the session object has no attribute for.
    pub(crate) fn settle_attribute_reads(&mut self, is_attribute: impl Fn(&str) -> bool) {
        for reader in std::mem::take(&mut self.attribute_readers) {
            let mut hashes = reader.hashes;
            for (key, written_here) in reader.as_attribute {
                if is_attribute(&key) {
                    continue;
                }
                if !written_here {
                    hashes.push(key_hash(&key));
                }
                self.read.insert(key, ());
            }
            self.add_reads_of(reader.path, hashes);
        }
    }

    /// Lists the hashes of the keys a file reads, each once.
    fn add_reads_of(&mut self, path: PathBuf, mut hashes: Vec<u64>) {
        hashes.sort_unstable();
        hashes.dedup();
        self.reads_by_file.push((path, hashes));
    }

    /// Keeps the write of `key` at `path` and `row` if it comes first. Most
    /// keys are written in many files: the path is copied only when kept.
    fn add_write(&mut self, key: String, path: &Path, row: usize) {
        match self.written.get_mut(&key) {
            Some(first) => {
                if (path, row) < (first.path.as_path(), first.row) {
                    *first = FirstWrite {
                        path: path.to_path_buf(),
                        row,
                    };
                }
            }
            None => {
                let path = path.to_path_buf();
                self.written.insert(key, FirstWrite { path, row });
            }
        }
    }

    /// The facts of both (files read on different threads).
    pub(crate) fn merge(mut self, other: Self) -> Self {
        for (key, first) in other.written {
            self.add_write(key, &first.path, first.row);
        }
        self.written_prefixes.extend(other.written_prefixes);
        self.written_prefixes.sort();
        self.written_prefixes.dedup();
        self.read.extend(other.read);
        self.reads_by_file.extend(other.reads_by_file);
        self.attribute_readers.extend(other.attribute_readers);
        self.reads_whole |= other.reads_whole;
        self
    }

    /// Where the project writes `key` first, if it does.
    pub(crate) fn first_write(&self, key: &str) -> Option<&FirstWrite> {
        self.written.get(key)
    }

    /// Whether a key written under a computed name may be `key`.
    pub(crate) fn prefix_covers(&self, key: &str) -> bool {
        self.written_prefixes
            .iter()
            .any(|prefix| key.starts_with(prefix.as_str()))
    }

    /// Whether the project may read `key`.
    pub(crate) fn is_read(&self, key: &str) -> bool {
        self.reads_whole || self.read.contains_key(key)
    }

    /// Whether the project reads the session as a whole somewhere.
    pub(crate) fn reads_whole(&self) -> bool {
        self.reads_whole
    }

    /// Whether the file at `path` may read a key that nothing writes, near
    /// one that is written (FL106): from its text as the scan read it;
    /// true for a file the scan did not read.
    pub(crate) fn may_read_unknown(&self, path: Option<&Path>) -> bool {
        self.unknown_reads(path).is_none_or(|keys| !keys.is_empty())
    }

    /// The keys that the text of the file at `path` reads, as the scan
    /// read it, that nothing writes and that are near one that is written;
    /// `None` for a file the scan did not read.
    pub(crate) fn unknown_reads(&self, path: Option<&Path>) -> Option<&[String]> {
        let readers = self.unknown_readers.get_or_init(|| {
            // Each key once, however many files read it, on every core.
            let keys: Vec<&str> = self.read.keys().map(String::as_str).collect();
            let unknown: FastMap<u64, &str> = keys
                .into_par_iter()
                .filter(|key| {
                    owner_of(key).is_none()
                        && !self.written.contains_key(*key)
                        && !self.prefix_covers(key)
                        && self.nearest_written(key).is_some()
                })
                .map(|key| (key_hash(key), key))
                .collect();
            self.reads_by_file
                .iter()
                .map(|(path, reads)| {
                    let keys = reads
                        .iter()
                        .filter_map(|hash| unknown.get(hash))
                        .map(|key| key.to_string())
                        .collect();
                    (path.as_os_str().as_encoded_bytes().into(), keys)
                })
                .collect()
        });
        readers
            .get(path?.as_os_str().as_encoded_bytes())
            .map(Vec::as_slice)
    }

    /// The written key that `key` is a near miss of, if any: one the
    /// project writes, or one Flask or a known extension does.
    pub(crate) fn nearest_written(&self, key: &str) -> Option<NearKey> {
        if let Some(known) = self.near.lock().ok()?.get(key) {
            return known.clone();
        }
        let candidates = self.candidates.get_or_init(|| {
            let project = self
                .written
                .keys()
                .map(|key| Candidate::new(key, near_key::PROJECT));
            let owned = OWNED_KEYS
                .iter()
                .filter(|owned| !owned.contains('*'))
                .map(|owned| Candidate::new(owned, near_key::LIBRARY));
            project.chain(owned).collect()
        });
        let found = near_key::nearest(key, candidates).map(|near| NearKey {
            key: near.key.clone(),
            first: self.written.get(&near.key).cloned(),
        });
        if let Ok(mut known) = self.near.lock() {
            known.insert(key.to_string(), found.clone());
        }
        found
    }
}

/// A key's hash, for the per-file lists of keys read.
fn key_hash(key: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = FastHasher::default();
    key.hash(&mut hasher);
    hasher.finish()
}

/// Whether the scan reads the session keys of a template with this text:
/// only when they are wanted (FL106 or FL107 is on) and it names
/// `session`. The check asks the same: a template whose keys are not read
/// has nothing to check.
pub(crate) fn reads_template_keys(keys_wanted: bool, text: &[u8]) -> bool {
    keys_wanted && memmem::find(text, b"session").is_some()
}

/// Whether a Python text may say anything about session keys: it names
/// `session` other than as an attribute (`db.session` is SQLAlchemy's,
/// `self.session` a client's; a parameter or an import named `session`
/// counts), or it names `flask` (`flask.session[...]`). The key facts read
/// every string subscript of such a file, so the files that only name
/// another library's session are left out: in a monorepo they are most.
pub(crate) fn python_may_name_keys(text: &[u8]) -> bool {
    static SESSION: LazyLock<memmem::Finder<'static>> =
        LazyLock::new(|| memmem::Finder::new("session"));
    static FLASK: LazyLock<memmem::Finder<'static>> =
        LazyLock::new(|| memmem::Finder::new("flask"));
    SESSION.find_iter(text).any(|at| {
        let before = at.checked_sub(1).map(|i| text[i]);
        let after = text.get(at + b"session".len()).copied();
        !before.is_some_and(|b| b == b'.' || is_ident(b)) && !after.is_some_and(is_ident)
    }) || contains_word(text, &FLASK)
}

/// The key facts of a Jinja template.
pub(crate) fn template_keys_text(text: &str) -> KeyText {
    let found = template_keys(text);
    let lines = LineIndex::new(text);
    let mut facts = KeyText {
        reads_whole: found.reads_whole,
        ..KeyText::default()
    };
    for key_use in found.uses {
        match (key_use.key, key_use.access) {
            (Key::Literal(key), Access::Write) => {
                facts
                    .written
                    .push((key, lines.line_of(key_use.range.start()) + 1));
            }
            (Key::Literal(key), Access::Read) if key_use.attribute => {
                facts.read_as_attribute.push(key);
            }
            (Key::Literal(key), Access::Read) => facts.read.push(key),
            (Key::Prefix(prefix), Access::Write) => facts.written_prefixes.push(prefix),
            _ => {}
        }
    }
    facts
}

/// A string literal in the text: its contents (for a plain one) and where
/// it stands.
#[derive(Debug)]
struct Literal<'t> {
    /// The contents, for a one-line literal without escapes; for an
    /// f-string, what comes before its first `{`.
    value: &'t str,
    is_fstring: bool,
    /// Byte offsets of the literal's prefix and of just past its end.
    start: usize,
    end: usize,
}

/// The key facts of a Python text.
pub(crate) fn python_keys(text: &str) -> KeyText {
    let bytes = text.as_bytes();
    let mut facts = KeyText::default();
    let literals = literals(text);
    let rows = Rows::new(bytes);
    let row_of = |at: usize| rows.row(at);
    for literal in &literals {
        let before = previous_byte(bytes, literal.start);
        let after = next_byte(bytes, literal.end);
        let row = || row_of(literal.start);
        match (before, after) {
            (Some((b'[', bracket)), Some((b']', close))) => {
                if on_request(bytes, bracket) {
                    // `request.form["email"]`: not the session's key.
                } else if is_assignment(bytes, close + 1) {
                    if literal.is_fstring {
                        if !literal.value.is_empty() {
                            facts.written_prefixes.push(literal.value.to_string());
                        }
                    } else {
                        facts.written.push((literal.value.to_string(), row()));
                    }
                } else if !literal.is_fstring {
                    facts.read.push(literal.value.to_string());
                }
            }
            (Some((b'(', open)), _) if !literal.is_fstring => match method_before(bytes, open) {
                Some("setdefault") => facts.written.push((literal.value.to_string(), row())),
                Some(method @ ("get" | "pop")) if !on_request(bytes, open - method.len() - 1) => {
                    facts.read.push(literal.value.to_string());
                }
                _ => {}
            },
            // A name in capitals given a string is a constant that code may
            // use as a key (`KEY = "cart"`, then `session[KEY]`).
            (Some((b'=', equals)), _)
                if !literal.is_fstring && is_constant_assignment(bytes, equals) =>
            {
                facts.written.push((literal.value.to_string(), row()));
                facts.read.push(literal.value.to_string());
            }
            _ => {}
        }
        if !literal.is_fstring
            && word_after(bytes, literal.end).is_some_and(|w| w == "in" || w == "not")
        {
            facts.read.push(literal.value.to_string());
        }
    }
    // `session.update({"k": v}, k=v)` and `session |= {"k": v}`.
    static UPDATE: LazyLock<memmem::Finder<'static>> =
        LazyLock::new(|| memmem::Finder::new(".update("));
    for at in UPDATE.find_iter(bytes) {
        update_keys(
            text,
            &literals,
            &row_of,
            at + ".update(".len(),
            true,
            &mut facts,
        );
    }
    for at in memmem::find_iter(bytes, b"|=") {
        if let Some((b'{', open)) = next_byte(bytes, at + 2) {
            update_keys(text, &literals, &row_of, open + 1, false, &mut facts);
        }
    }
    facts.reads_whole = reads_whole_session(bytes);
    facts
}

/// The 1-based row of offsets asked in increasing order: each question
/// counts the line breaks since the last one (from the start again for an
/// offset before it).
struct Rows<'b> {
    bytes: &'b [u8],
    /// The last offset asked and its row.
    last: std::cell::Cell<(usize, usize)>,
}

impl<'b> Rows<'b> {
    fn new(bytes: &'b [u8]) -> Self {
        Self {
            bytes,
            last: std::cell::Cell::new((0, 1)),
        }
    }

    fn row(&self, at: usize) -> usize {
        let (mut from, mut row) = self.last.get();
        if at < from {
            (from, row) = (0, 1);
        }
        row += memchr::memchr_iter(b'\n', &self.bytes[from..at]).count();
        self.last.set((at, row));
        row
    }
}

/// The keys written by the call (`is_call`) or dict display whose
/// contents start at `start`, just past its opening bracket: string keys
/// of the dict displays in it, and a call's keyword arguments.
fn update_keys(
    text: &str,
    literals: &[Literal],
    row: &dyn Fn(usize) -> usize,
    start: usize,
    is_call: bool,
    facts: &mut KeyText,
) {
    let bytes = text.as_bytes();
    let end = matching_close(bytes, literals, start).unwrap_or(bytes.len());
    let inside = literals.partition_point(|literal| literal.start < start);
    let inside = literals[inside..]
        .iter()
        .take_while(|literal| literal.end <= end);
    for literal in inside.filter(|literal| !literal.is_fstring) {
        if let Some((b':', _)) = next_byte(bytes, literal.end)
            && matches!(previous_byte(bytes, literal.start), Some((b'{' | b',', _)))
        {
            facts
                .written
                .push((literal.value.to_string(), row(literal.start)));
        }
    }
    if !is_call {
        return;
    }
    // Keyword arguments: `name=` (not `==`) right inside the call.
    let mut depth = 0usize;
    let code = outside_literals(bytes, literals, start).take_while(|(at, _)| *at < end);
    for (at, byte) in code {
        match byte {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'=' if depth == 0
                && bytes.get(at + 1) != Some(&b'=')
                && !matches!(
                    bytes.get(at.wrapping_sub(1)),
                    Some(b'=' | b'!' | b'<' | b'>')
                ) =>
            {
                let name_end = text[..at].trim_end().len();
                let name_start = text[..name_end]
                    .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .map_or(0, |i| i + 1);
                if name_start < name_end && !text[name_start..].starts_with(char::is_numeric) {
                    facts
                        .written
                        .push((text[name_start..name_end].to_string(), row(at)));
                }
            }
            _ => {}
        }
    }
}

/// Where the bracket opened just before `start` closes, skipping literals.
fn matching_close(bytes: &[u8], literals: &[Literal], start: usize) -> Option<usize> {
    let mut depth = 1usize;
    outside_literals(bytes, literals, start)
        .find(|&(_, byte)| {
            match byte {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth -= 1,
                _ => {}
            }
            depth == 0
        })
        .map(|(at, _)| at)
}

/// The bytes from `start` on that are not inside a string literal, with
/// their offsets.
fn outside_literals<'b>(
    bytes: &'b [u8],
    literals: &'b [Literal],
    start: usize,
) -> impl Iterator<Item = (usize, u8)> + 'b {
    let mut next_literal = literals.partition_point(|literal| literal.start < start);
    let mut at = start;
    std::iter::from_fn(move || {
        while let Some(literal) = literals.get(next_literal)
            && literal.start == at
        {
            at = literal.end;
            next_literal += 1;
        }
        let byte = *bytes.get(at)?;
        at += 1;
        Some((at - 1, byte))
    })
}

/// The string literals of a Python text, in order; comments are skipped.
fn literals(text: &str) -> Vec<Literal<'_>> {
    let bytes = text.as_bytes();
    // About one literal in 40 bytes of Python: grown once or never.
    let mut found = Vec::with_capacity(bytes.len() / 40);
    let mut at = 0;
    while let Some(offset) = memchr::memchr3(b'"', b'\'', b'#', &bytes[at..]) {
        let here = at + offset;
        if bytes[here] == b'#' {
            at = memchr::memchr(b'\n', &bytes[here..]).map_or(bytes.len(), |n| here + n + 1);
            continue;
        }
        let quote = bytes[here];
        let mut prefix_start = here;
        while prefix_start > 0 && bytes[prefix_start - 1].is_ascii_alphabetic() {
            prefix_start -= 1;
        }
        let prefix = &text[prefix_start..here];
        let is_fstring = prefix.contains(['f', 'F']);
        let triple = bytes[here..].starts_with(&[quote; 3]);
        let open = if triple { 3 } else { 1 };
        let (end, plain) = string_end(bytes, here + open, quote, triple);
        let contents = &text[here + open..end.saturating_sub(open).max(here + open)];
        let value = if is_fstring {
            &contents[..contents.find('{').unwrap_or(contents.len())]
        } else {
            contents
        };
        let simple = !triple
            && plain
            && prefix
                .chars()
                .all(|c| matches!(c, 'f' | 'F' | 'r' | 'R' | 'u' | 'U'));
        if simple && (is_fstring || !value.is_empty()) {
            found.push(Literal {
                value,
                is_fstring,
                start: prefix_start,
                end,
            });
        }
        at = end.max(here + 1);
    }
    found
}

/// Just past the closing quote of a string whose contents start at `at`,
/// and whether it holds no backslash (its text is its value).
fn string_end(bytes: &[u8], mut at: usize, quote: u8, triple: bool) -> (usize, bool) {
    let mut plain = true;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => {
                plain = false;
                at += 2;
                continue;
            }
            b'\n' if !triple => return (at, false),
            byte if byte == quote => {
                if !triple {
                    return (at + 1, plain);
                }
                if bytes[at..].starts_with(&[quote; 3]) {
                    return (at + 3, plain);
                }
            }
            _ => {}
        }
        at += 1;
    }
    (bytes.len(), false)
}

/// The last byte before `at` that is not a space, and where it is.
fn previous_byte(bytes: &[u8], at: usize) -> Option<(u8, usize)> {
    bytes[..at]
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t'))
        .map(|i| (bytes[i], i))
}

/// The first byte from `at` on that is not a space, and where it is.
fn next_byte(bytes: &[u8], at: usize) -> Option<(u8, usize)> {
    bytes
        .get(at..)?
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t'))
        .map(|i| (bytes[at + i], at + i))
}

/// The word that follows `at` after spaces.
fn word_after(bytes: &[u8], at: usize) -> Option<&str> {
    let (_, start) = next_byte(bytes, at)?;
    let end = bytes[start..]
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
        .map_or(bytes.len(), |n| start + n);
    std::str::from_utf8(&bytes[start..end]).ok()
}

/// Whether an assignment (`=`, `+=`, `|=`, ..., not `==`) follows `at`.
fn is_assignment(bytes: &[u8], at: usize) -> bool {
    let Some((_, start)) = next_byte(bytes, at) else {
        return false;
    };
    let rest = &bytes[start..];
    const AUGMENTED: [&[u8]; 13] = [
        b"+=", b"-=", b"*=", b"/=", b"%=", b"@=", b"&=", b"|=", b"^=", b"//=", b"**=", b">>=",
        b"<<=",
    ];
    (rest.first() == Some(&b'=') && rest.get(1) != Some(&b'='))
        || AUGMENTED.iter().any(|op| rest.starts_with(op))
}

/// The method name before the `(` at `open`: `get` for `x.get(`.
fn method_before(bytes: &[u8], open: usize) -> Option<&str> {
    let end = open;
    let start = bytes[..end]
        .iter()
        .rposition(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
        .map_or(0, |i| i + 1);
    (start > 0 && bytes[start - 1] == b'.')
        .then(|| std::str::from_utf8(&bytes[start..end]).ok())
        .flatten()
}

/// Whether the dotted name that ends just before `end` is Flask's request
/// or a part of it (`request.args`, `request.form`): what is read from it
/// is never a session key (nearly every Flask view reads
/// `request.args.get("id")`, and `id` is a near miss of Flask-Login's
/// `_id`).
fn on_request(bytes: &[u8], end: usize) -> bool {
    let start = bytes[..end]
        .iter()
        .rposition(|&b| !(is_ident(b) || b == b'.'))
        .map_or(0, |i| i + 1);
    let chain = &bytes[start..end];
    chain == b"request" || chain.starts_with(b"request.")
}

/// Whether the `=` at `equals` assigns a name in capitals at the start of
/// a line.
fn is_constant_assignment(bytes: &[u8], equals: usize) -> bool {
    if bytes.get(equals + 1) == Some(&b'=') || equals == 0 {
        return false;
    }
    let line_start = memchr::memrchr(b'\n', &bytes[..equals]).map_or(0, |i| i + 1);
    let name = std::str::from_utf8(&bytes[line_start..equals])
        .unwrap_or_default()
        .trim();
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && name.starts_with(|c: char| c.is_ascii_uppercase() || c == '_')
}

/// Whether the text may read the session as a whole, or with a computed
/// key: iteration, `.items()`, `.keys()`, `.values()`, `.copy()`,
/// `dict(session)`, `**session`, `session` passed to a call, or
/// `session[` with a key that is not a literal. Read from the name
/// `session` only, in a file that imports Flask's session (`from flask
/// import ..., session` or `flask.session`): elsewhere `session` is most
/// often a database session passed around.
fn reads_whole_session(bytes: &[u8]) -> bool {
    if !imports_flask_session(bytes) {
        return false;
    }
    // One pass over the word's occurrences, each judged by what is around
    // it (a pass per pattern read a large file a dozen times).
    static SESSION: LazyLock<memmem::Finder<'static>> =
        LazyLock::new(|| memmem::Finder::new("session"));
    SESSION.find_iter(bytes).any(|at| {
        let (before, after) = (&bytes[..at], &bytes[at + "session".len()..]);
        let whole_method = [".items(", ".keys(", ".values(", ".copy("]
            .iter()
            .any(|method| after.starts_with(method.as_bytes()));
        // Passed whole: `f(session)`, `f(session, x)`, `f(x, session)`, `**session`.
        let passed = (before.ends_with(b"(") && matches!(after.first(), Some(b')' | b',')))
            || (before.ends_with(b", ") && after.first() == Some(&b')'))
            || before.ends_with(b"**");
        whole_method || passed || iterated(bytes, before) || read_with_any_key(bytes, at, after)
    })
}

/// Iteration: `for k in session`, not the test `"k" in session`.
fn iterated(bytes: &[u8], before: &[u8]) -> bool {
    before.ends_with(b" in ") && {
        let at = before.len() - " in ".len();
        let line_start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
        memmem::find(&bytes[line_start..at], b"for ").is_some()
    }
}

/// A read with a key that is neither a literal nor an f-string: it may be
/// any key. A write with such a key (`session[key] = v`) reads none.
fn read_with_any_key(bytes: &[u8], at: usize, after: &[u8]) -> bool {
    if after.first() != Some(&b'[') {
        return false;
    }
    let start = at + "session[".len();
    // A key on the next line is still a literal key.
    let key = &bytes[start..];
    let key = &key[key.iter().take_while(|b| b.is_ascii_whitespace()).count()..];
    let prefix = key.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    if prefix <= 2 && matches!(key.get(prefix), Some(b'"' | b'\'')) {
        return false;
    }
    let mut depth = 1usize;
    let close = key.iter().position(|b| {
        match b {
            b'[' => depth += 1,
            b']' => depth -= 1,
            _ => {}
        }
        depth == 0
    });
    close.is_some_and(|close| !is_assignment(bytes, start + close + 1))
}

/// Whether a text imports Flask's session: `flask.session`, or a `from
/// flask import` (or `flask.globals`) naming `session`.
fn imports_flask_session(bytes: &[u8]) -> bool {
    if memmem::find(bytes, b"flask.session").is_some() {
        return true;
    }
    memmem::find_iter(bytes, b"from flask").any(|at| {
        // The statement, up to its closing parenthesis or line end.
        let rest = &bytes[at..];
        let end = if let Some(open) = rest.iter().position(|b| *b == b'(' || *b == b'\n')
            && rest[open] == b'('
        {
            rest.iter().position(|b| *b == b')').unwrap_or(rest.len())
        } else {
            rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len())
        };
        let statement = &rest[..end];
        memmem::find(statement, b" import ").is_some()
            && statement
                .split(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
                .any(|word| word == b"session" || word == b"*")
    })
}

/// Keys that Flask and the extensions flasklint knows write and read
/// themselves (section 8): `*` stands for any text.
pub(crate) const OWNED_KEYS: [&str; 19] = [
    "_flashes",
    "_permanent",
    "_fresh",
    "_id",
    "_user_id",
    "_remember",
    "_remember_seconds",
    "next",
    "csrf_token",
    "csrf",
    "identity.id",
    "identity.auth_type",
    "identity.name",
    "fs_*",
    "tf_*",
    "*_oauth_state",
    "*_oauth_code_verifier",
    "*_oauth_token",
    "_state_*",
];

/// Who owns a key, when Flask or a known extension does.
pub(crate) fn owner_of(key: &str) -> Option<&'static str> {
    OWNED_KEYS.iter().find_map(|pattern| {
        let owned = match (pattern.strip_prefix('*'), pattern.strip_suffix('*')) {
            (Some(suffix), _) => key.ends_with(suffix),
            (_, Some(prefix)) => key.starts_with(prefix),
            _ => key == *pattern,
        };
        owned.then(|| match *pattern {
            "_flashes" | "_permanent" => "Flask",
            "_fresh" | "_id" | "_user_id" | "_remember" | "_remember_seconds" | "next" => {
                "Flask-Login"
            }
            "csrf_token" | "csrf" => "Flask-WTF",
            "fs_*" | "tf_*" => "Flask-Security",
            "_state_*" => "Authlib",
            p if p.starts_with("identity.") => "Flask-Principal",
            _ => "Flask-Dance",
        })
    })
}

/// A first write as messages show it: `app/auth.py:14`, relative to the
/// project root.
pub(crate) fn shown_write(first: &FirstWrite, root: Option<&Path>) -> String {
    let path = root
        .and_then(|root| first.path.strip_prefix(root).ok())
        .unwrap_or(&first.path);
    format!("{}:{}", path.display(), first.row)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> (Vec<String>, Vec<String>, Vec<String>) {
        let facts = python_keys(text);
        let mut written: Vec<String> = facts.written.into_iter().map(|(k, _)| k).collect();
        written.sort();
        let mut read = facts.read;
        read.sort();
        (written, facts.written_prefixes, read)
    }

    #[test]
    fn writes_and_reads_are_told_apart_from_the_text() {
        let text = r#"
s["a"] = 1  # s["not_a_key"] = 2
s['b'] += 1
x = s["c"]
if s["d"] == 1: pass
s.setdefault("e", [])
s.get("f"); s.pop("g", None)
s[f"h_{i}"] = 1
s.update({"i": 1, "j": {"nested": 2}}, k=3, l=f(m=4))
s |= {"n": 1}
"o" in s
KEY = "p"
"#;
        let (written, prefixes, read) = keys(text);
        // `nested` is a key of a value, not of the session: the text does
        // not tell them apart, and a key too many only keeps FL106 quiet.
        assert_eq!(
            written,
            ["a", "b", "e", "i", "j", "k", "l", "n", "nested", "p"]
        );
        assert_eq!(prefixes, ["h_"]);
        assert_eq!(read, ["c", "d", "f", "g", "o", "p"]);
    }

    #[test]
    fn whole_session_reads() {
        let flask =
            |code: &str| python_keys(&format!("from flask import jsonify, session\n{code}"));
        assert!(flask("for k in session:\n    pass\n").reads_whole);
        assert!(flask("x = [k for k in session]\n").reads_whole);
        assert!(!flask("if \"k\" in session:\n    pass\n").reads_whole);
        assert!(flask("return jsonify(session)\n").reads_whole);
        assert!(flask("x = session[key]\n").reads_whole);
        assert!(!flask("x = session[\"key\"]\n").reads_whole);
        assert!(!flask("x = session[\n    \"key\"\n]\n").reads_whole);
        // A database session passed around is not Flask's.
        assert!(!python_keys("def f(session):\n    return g(session)\n").reads_whole);
        let multiline = "from flask import (\n    g,\n    session,\n)\nh(session)\n";
        assert!(python_keys(multiline).reads_whole);
        assert!(!python_keys("x = session[f\"qty_{sku}\"]\n").reads_whole);
        assert!(!python_keys("session[key] = 1\n").reads_whole);
    }

    #[test]
    fn what_is_read_from_the_request_is_no_session_key() {
        let (_, _, read) = keys(
            "a = request.args.get('id')\nb = request.form[\"email\"]\nc = flask.request.args.get('q')\nd = session.get('cart')\ne = requests.get('url')\n",
        );
        assert_eq!(read, ["cart", "q", "url"]);
    }

    #[test]
    fn only_texts_that_may_name_flasks_session_are_read_for_keys() {
        assert!(python_may_name_keys(b"from flask import session\n"));
        assert!(python_may_name_keys(b"from .compat import session as s\n"));
        assert!(python_may_name_keys(
            b"def remember(session, user):\n    session['u'] = user\n"
        ));
        assert!(python_may_name_keys(
            b"import flask\nflask.session['u'] = 1\n"
        ));
        // Another library's session, an attribute or a longer name: not.
        assert!(!python_may_name_keys(b"db.session.add(row)\nd['u'] = 1\n"));
        assert!(!python_may_name_keys(
            b"self.session = requests.Session()\n"
        ));
        assert!(!python_may_name_keys(b"sessions = {}\nmy_session = 1\n"));
        assert!(!python_may_name_keys(b"import flask_login\n"));
    }

    #[test]
    fn owners() {
        assert_eq!(owner_of("_user_id"), Some("Flask-Login"));
        assert_eq!(owner_of("github_oauth_token"), Some("Flask-Dance"));
        assert_eq!(owner_of("fs_uniquifier"), Some("Flask-Security"));
        assert_eq!(owner_of("user_id"), None);
    }
}
