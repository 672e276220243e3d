//! The documents the client has open: their unsaved text, version and
//! language, changed incrementally as the client sends edits.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use gen_lsp_types::TextDocumentContentChangeEvent;

use crate::input::source::LineIndex;
use crate::server::position::{Encoding, Located};

/// One open document.
pub(crate) struct Document {
    pub(crate) uri: String,
    /// Its file, for `file:` URIs.
    pub(crate) path: Option<PathBuf>,
    pub(crate) language_id: String,
    pub(crate) version: i32,
    text: String,
    /// The text as last shared with a worker, until the next change.
    shared: Option<Arc<str>>,
    /// Bumped on every change: a worker publishes only when its snapshot
    /// is still the latest (checked and sent under this lock).
    pub(crate) generation: Arc<Mutex<u64>>,
}

impl Document {
    pub(crate) fn new(uri: String, language_id: String, version: i32, text: String) -> Self {
        Self {
            path: crate::server::uri::to_path(&uri),
            uri,
            language_id,
            version,
            text,
            shared: None,
            generation: Arc::new(Mutex::new(0)),
        }
    }

    /// The text, shared with workers without a copy per request.
    pub(crate) fn text(&mut self) -> Arc<str> {
        self.shared
            .get_or_insert_with(|| Arc::from(self.text.as_str()))
            .clone()
    }

    /// Applies the client's changes in order. A range past the end is
    /// clamped to it.
    pub(crate) fn apply(
        &mut self,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
        encoding: Encoding,
    ) {
        for change in changes {
            match change {
                TextDocumentContentChangeEvent::TextDocumentContentChangeWholeDocument(whole) => {
                    self.text = whole.text;
                }
                TextDocumentContentChangeEvent::TextDocumentContentChangePartial(partial) => {
                    let lines = LineIndex::new(&self.text);
                    let located = Located {
                        text: &self.text,
                        lines: &lines,
                        encoding,
                    };
                    let range = located.text_range(partial.range);
                    self.text.replace_range(range.to_std_range(), &partial.text);
                }
            }
        }
        self.version = version;
        self.shared = None;
        *self.generation.lock().unwrap_or_else(|e| e.into_inner()) += 1;
    }

    /// Replaces the whole text (a `didSave` that carries it).
    pub(crate) fn replace(&mut self, text: String) {
        if text != self.text {
            self.text = text;
            self.shared = None;
            *self.generation.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        }
    }

    /// The generation a snapshot taken now belongs to.
    pub(crate) fn current_generation(&self) -> u64 {
        *self.generation.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use gen_lsp_types::{
        Position, Range, TextDocumentContentChangePartial, TextDocumentContentChangeWholeDocument,
    };

    use super::*;

    // `range_length` is deprecated, and the struct has no other constructor.
    #[allow(deprecated)]
    fn edit(start: (u32, u32), end: (u32, u32), text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangePartial {
            range: Range {
                start: Position::new(start.0, start.1),
                end: Position::new(end.0, end.1),
            },
            range_length: None,
            text: text.into(),
        }
        .into()
    }

    #[test]
    fn incremental_changes_apply_in_order_in_utf16() {
        let mut doc = Document::new(
            "file:///a.py".into(),
            "python".into(),
            1,
            "x = \"😀\"\r\nsession['a'] = 1\n".into(),
        );
        doc.apply(
            2,
            vec![
                // After the emoji (2 UTF-16 units) on line 0.
                edit((0, 7), (0, 7), "!"),
                edit((1, 9), (1, 10), "b"),
                // Past the end: clamped.
                edit((9, 0), (9, 5), "# end\n"),
            ],
            Encoding::Utf16,
        );
        assert_eq!(&*doc.text(), "x = \"😀!\"\r\nsession['b'] = 1\n# end\n");
        assert_eq!(doc.version, 2);
        doc.apply(
            3,
            vec![
                TextDocumentContentChangeWholeDocument {
                    text: "y = 1\n".into(),
                }
                .into(),
            ],
            Encoding::Utf8,
        );
        assert_eq!(&*doc.text(), "y = 1\n");
        assert_eq!(doc.current_generation(), 2);
    }
}
