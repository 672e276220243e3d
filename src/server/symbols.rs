//! Session keys as symbols: hover shows a key's row of the inventory,
//! definition goes to its writes, references lists its reads and writes
//! (templates included). Hover over a rule code in a `# noqa:` comment, or
//! over a finding, shows the rule's documentation.

use std::path::Path;

use serde_json::{Value, json};

use crate::analysis::session_keys::{Key, KeyUse};
use crate::config::settings::FixMode;
use crate::input::source::{LineIndex, strip_bom};
use crate::keys::{Entry, Place, python_key_uses, shown_key, template_key_uses};
use crate::lint::Language;
use crate::rules::Rule;
use crate::server::diagnostics::Snapshot;
use crate::server::position::{Located, text_size};
use crate::server::uri;

/// The session key written or read at a position of the document.
fn key_at(snapshot: &Snapshot, position: gen_lsp_types::Position) -> Option<Key> {
    let at = offset_in_linted(snapshot, position)?;
    let text = strip_bom(&snapshot.text);
    let uses: Vec<KeyUse> = match snapshot.language() {
        Language::Template => template_key_uses(text, &snapshot.facts.settings.project),
        Language::Python => {
            let settings = &snapshot.facts.settings;
            let scope = settings.configurations.for_file(&snapshot.path).ok()?;
            python_key_uses(settings, &scope, &snapshot.path, text)
        }
    };
    let at = text_size(at);
    uses.into_iter()
        .find(|key_use| key_use.key_range.start() <= at && at <= key_use.key_range.end())
        .map(|key_use| key_use.key)
}

/// A position as an offset in the text after any byte order mark.
fn offset_in_linted(snapshot: &Snapshot, position: gen_lsp_types::Position) -> Option<usize> {
    let lines = LineIndex::new(&snapshot.text);
    let located = Located {
        text: &snapshot.text,
        lines: &lines,
        encoding: snapshot.encoding,
    };
    located.offset(position).checked_sub(snapshot.shift())
}

/// `textDocument/hover`.
pub(crate) fn hover(snapshot: &Snapshot, position: gen_lsp_types::Position) -> Value {
    if let Some(key) = key_at(snapshot, position) {
        let inventory = snapshot.facts.inventory();
        let empty = Entry::default();
        let entry = inventory.keys.get(&key).unwrap_or(&empty);
        return markdown(&key_row(&key, entry));
    }
    if let Some(rule) = rule_at(snapshot, position) {
        return markdown(rule.info().doc);
    }
    Value::Null
}

/// The rule whose code is under the cursor, or whose finding is.
fn rule_at(snapshot: &Snapshot, position: gen_lsp_types::Position) -> Option<Rule> {
    let at = offset_in_linted(snapshot, position)?;
    let text = strip_bom(&snapshot.text);
    let is_code_char = |c: char| c.is_ascii_alphanumeric();
    let start = text[..at]
        .rfind(|c: char| !is_code_char(c))
        .map_or(0, |before| before + 1);
    let end = text[at..]
        .find(|c: char| !is_code_char(c))
        .map_or(text.len(), |after| at + after);
    let line_start = text[..start].rfind(['\n', '\r']).map_or(0, |at| at + 1);
    // A code counts inside a comment: after a `#` on its line.
    if text[line_start..start].contains('#')
        && let Some(rule) = Rule::from_code(&text[start..end])
    {
        return Some(rule);
    }
    let report = snapshot.lint(FixMode::Report);
    let at = text_size(at);
    report
        .findings
        .iter()
        .find(|finding| finding.range.start() <= at && at <= finding.range.end())
        .map(|finding| finding.rule)
}

fn markdown(text: &str) -> Value {
    json!({ "contents": { "kind": "markdown", "value": text } })
}

/// A key's row of the inventory, in Markdown.
fn key_row(key: &Key, entry: &Entry) -> String {
    let mut out = format!("**session key `{}`**\n\n", shown_key(key));
    let kinds = entry.kinds().join(", ");
    let bound = match (entry.writes.is_empty(), entry.bound()) {
        (true, _) => "nothing writes it".to_string(),
        (false, Some(bound)) => format!("at most {bound} bytes of JSON"),
        (false, None) => "unbounded".to_string(),
    };
    out.push_str(&format!(
        "{} write{}, {} read{}; kinds: {}; size: {bound}\n",
        entry.writes.len(),
        if entry.writes.len() == 1 { "" } else { "s" },
        entry.reads.len(),
        if entry.reads.len() == 1 { "" } else { "s" },
        if kinds.is_empty() { "none" } else { &kinds },
    ));
    let mut list = |title: &str, places: Vec<(&Place, Option<&str>)>| {
        if places.is_empty() {
            return;
        }
        out.push_str(&format!("\n{title}:\n"));
        for (place, kind) in places.iter().take(20) {
            out.push_str(&format!(
                "- `{}:{}` in `{}`{}\n",
                place.file,
                place.row,
                place.function,
                kind.map(|kind| format!(" ({kind})")).unwrap_or_default()
            ));
        }
        if places.len() > 20 {
            out.push_str(&format!("- and {} more\n", places.len() - 20));
        }
    };
    list(
        "Writes",
        entry
            .writes
            .iter()
            .map(|write| (&write.place, Some(write.kind)))
            .collect(),
    );
    list(
        "Reads",
        entry.reads.iter().map(|place| (place, None)).collect(),
    );
    out
}

/// `textDocument/definition`: the key's writes.
pub(crate) fn definition(snapshot: &Snapshot, position: gen_lsp_types::Position) -> Value {
    let Some(key) = key_at(snapshot, position) else {
        return Value::Null;
    };
    let inventory = snapshot.facts.inventory();
    let Some(entry) = inventory.keys.get(&key) else {
        return Value::Null;
    };
    locations(snapshot, entry.writes.iter().map(|write| &write.place))
}

/// `textDocument/references`: the key's writes and reads.
pub(crate) fn references(snapshot: &Snapshot, position: gen_lsp_types::Position) -> Value {
    let Some(key) = key_at(snapshot, position) else {
        return Value::Null;
    };
    let inventory = snapshot.facts.inventory();
    let Some(entry) = inventory.keys.get(&key) else {
        return json!([]);
    };
    let writes = entry.writes.iter().map(|write| &write.place);
    locations(snapshot, writes.chain(entry.reads.iter()))
}

/// Places as LSP locations, in the snapshot's encoding (each file's text
/// read once: the editor's, as the inventory saw it, or the disk's).
fn locations<'p>(snapshot: &Snapshot, places: impl Iterator<Item = &'p Place>) -> Value {
    let settings = &snapshot.facts.settings;
    let mut texts: std::collections::HashMap<&str, Option<String>> = Default::default();
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for place in places {
        // A write may count twice at one place (`setdefault(...).append`).
        if !seen.insert((place.file.as_str(), place.span)) {
            continue;
        }
        let path = settings.cwd.join(&place.file);
        let text = texts
            .entry(place.file.as_str())
            .or_insert_with(|| read_text(settings, &path));
        let Some(text) = text else {
            continue;
        };
        let shift = text.len() - strip_bom(text).len();
        let lines = LineIndex::new(text);
        let located = Located {
            text,
            lines: &lines,
            encoding: snapshot.encoding,
        };
        let range = ruff_text_size::TextRange::new(place.span.0.into(), place.span.1.into())
            + text_size(shift);
        out.push(json!({ "uri": uri::from_path(&path), "range": located.range(range) }));
    }
    Value::Array(out)
}

fn read_text(settings: &crate::config::settings::Settings, path: &Path) -> Option<String> {
    let bytes = settings
        .project
        .given_text(path)
        .or_else(|| std::fs::read(path).ok())?;
    String::from_utf8(bytes).ok()
}
