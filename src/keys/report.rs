//! The inventory as text for a terminal, and as JSON
//! (`schemas/session-keys.schema.json`).

use std::io::{self, Write};

use serde_json::{Value, json};

use crate::keys::cookie::{CookieSize, WERKZEUG_LIMIT};
use crate::keys::{Entry, Inventory, Place, shown_key};
use crate::project::Backend;

/// One block per key, then the backend and the cookie.
pub(crate) fn text(
    inventory: &Inventory,
    backend: &Backend,
    out: &mut dyn Write,
) -> io::Result<()> {
    if inventory.keys.is_empty() {
        writeln!(out, "No session keys found.")?;
    }
    for (key, entry) in &inventory.keys {
        let size = entry
            .bound()
            .map_or("unbounded".to_string(), |bound| format!("{bound} bytes"));
        let kinds = entry.kinds();
        let kinds = if kinds.is_empty() {
            "never written".to_string()
        } else {
            kinds.join(", ")
        };
        writeln!(out, "{}  ({kinds}; {size})", shown_key(key))?;
        let writes: Vec<&Place> = entry.writes.iter().map(|write| &write.place).collect();
        writeln!(out, "  written: {}", places(&writes))?;
        let reads: Vec<&Place> = entry.reads.iter().collect();
        writeln!(out, "  read:    {}", places(&reads))?;
    }
    writeln!(out)?;
    writeln!(out, "Backend: {} ({})", backend.name, backend.evidence)?;
    match backend.in_cookie {
        Some(true) => {}
        Some(false) => {
            writeln!(
                out,
                "Cookie: only the session id; the data stays on the server."
            )?;
            return Ok(());
        }
        None => {
            writeln!(
                out,
                "Cookie: not estimated: the project's session interface decides what it holds."
            )?;
            return Ok(());
        }
    }
    let line = match inventory.cookie() {
        CookieSize::Exact(0) | CookieSize::AtMost(0) => "no cookie: nothing is written".to_string(),
        CookieSize::Exact(bytes) => format!(
            "{bytes} bytes of Werkzeug's {WERKZEUG_LIMIT}-byte limit (every value is a literal: as Flask writes it)"
        ),
        CookieSize::AtMost(bytes) => {
            format!("at most {bytes} bytes of Werkzeug's {WERKZEUG_LIMIT}-byte limit")
        }
        CookieSize::Unbounded(keys) => format!(
            "unbounded: nothing bounds what {} hold{}",
            keys.iter()
                .map(|key| format!("`{key}`"))
                .collect::<Vec<_>>()
                .join(", "),
            if keys.len() == 1 { "s" } else { "" }
        ),
    };
    writeln!(out, "Cookie: {line}")
}

fn places(places: &[&Place]) -> String {
    if places.is_empty() {
        return "nowhere".to_string();
    }
    let mut shown: Vec<String> = places
        .iter()
        .map(|place| format!("{}:{} ({})", place.file, place.row, place.function))
        .collect();
    // A line that writes a key twice (a default stored, then changed) once.
    shown.dedup();
    shown.join(", ")
}

/// The same as one JSON object.
pub(crate) fn json(
    inventory: &Inventory,
    backend: &Backend,
    out: &mut dyn Write,
) -> io::Result<()> {
    let keys: Vec<Value> = inventory
        .keys
        .iter()
        .map(|(key, entry)| key_json(&shown_key(key), key, entry))
        .collect();
    let in_cookie = backend.in_cookie == Some(true);
    let cookie = in_cookie.then(|| {
        let (bytes, exact, unbounded) = match inventory.cookie() {
            CookieSize::Exact(bytes) => (Some(bytes), true, Vec::new()),
            CookieSize::AtMost(bytes) => (Some(bytes), false, Vec::new()),
            CookieSize::Unbounded(keys) => (None, false, keys),
        };
        json!({
            "bytes": bytes,
            "exact": exact,
            "limit": WERKZEUG_LIMIT,
            "unbounded_keys": unbounded,
        })
    });
    let document = json!({
        "keys": keys,
        "backend": {
            "name": backend.name,
            "cookie": in_cookie,
            "serializer": backend.serializer.describe(),
            "evidence": backend.evidence,
        },
        "cookie": cookie,
    });
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

fn key_json(shown: &str, key: &crate::analysis::session_keys::Key, entry: &Entry) -> Value {
    use crate::analysis::session_keys::Key;
    let dynamic = match key {
        Key::Literal(_) => Value::Null,
        Key::Prefix(_) => json!("prefix"),
        Key::Dynamic => json!("any"),
    };
    let place = |place: &Place| {
        json!({
            "filename": place.file,
            "row": place.row,
            "column": place.column,
            "function": place.function,
        })
    };
    let writes: Vec<Value> = entry
        .writes
        .iter()
        .map(|write| {
            let mut value = place(&write.place);
            value["kind"] = json!(write.kind);
            value["bytes"] = json!(write.bound);
            value
        })
        .collect();
    json!({
        "key": shown,
        "dynamic": dynamic,
        "writes": writes,
        "reads": entry.reads.iter().map(place).collect::<Vec<_>>(),
        "kinds": entry.kinds(),
        "size_bound": entry.bound(),
    })
}
