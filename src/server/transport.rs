//! The server's stdio: a reader thread and a writer thread around
//! `lsp-server`'s message framing. Unlike `Connection::stdio`, a message
//! whose JSON is malformed is logged and skipped, not the end of the
//! session; the reader ends when stdin closes (or after `exit`).

use std::io::{BufReader, Write};

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, bounded, unbounded};
use lsp_server::{Connection, Message};

/// The threads behind a stdio connection; joined when the server ends.
pub(crate) struct StdioThreads {
    writer: std::thread::JoinHandle<()>,
    reader: std::thread::JoinHandle<()>,
    /// Set when the server ends: the writer stops once nothing is queued
    /// (workers may still hold senders).
    closing: Arc<AtomicBool>,
}

impl StdioThreads {
    /// Waits for the writer to write what was queued. The reader is left
    /// to end with the process: it may be blocked on a stdin nobody closes.
    /// Its handle is not dropped either: that would detach a thread that
    /// may be ending at that moment (after the `exit` notification), which
    /// glibc does not survive (see `free_in_background`).
    pub(crate) fn finish(self) {
        self.closing.store(true, Ordering::SeqCst);
        let _ = self.writer.join();
        std::mem::forget(self.reader);
    }
}

/// A connection over stdin and stdout.
pub(crate) fn stdio() -> std::io::Result<(Connection, StdioThreads)> {
    let (to_client, outgoing): (Sender<Message>, Receiver<Message>) = unbounded();
    let (incoming, from_client) = bounded::<Message>(64);
    let closing = Arc::new(AtomicBool::new(false));
    let writer_closing = closing.clone();
    let writer = std::thread::Builder::new()
        .name("flasklint-lsp-writer".into())
        .spawn(move || {
            let mut stdout = std::io::stdout().lock();
            loop {
                let message = match outgoing.recv_timeout(Duration::from_millis(20)) {
                    Ok(message) => message,
                    Err(RecvTimeoutError::Timeout) if writer_closing.load(Ordering::SeqCst) => {
                        break;
                    }
                    Err(RecvTimeoutError::Timeout) => continue,
                    Err(RecvTimeoutError::Disconnected) => break,
                };
                if message
                    .write(&mut stdout)
                    .and_then(|()| stdout.flush())
                    .is_err()
                {
                    break; // the client is gone
                }
            }
        })?;
    let reader = std::thread::Builder::new()
        .name("flasklint-lsp-reader".into())
        .spawn(move || {
            let mut stdin = BufReader::new(std::io::stdin().lock());
            loop {
                match Message::read(&mut stdin) {
                    Ok(Some(message)) => {
                        let exit =
                            matches!(&message, Message::Notification(n) if n.method == "exit");
                        if incoming.send(message).is_err() || exit {
                            break;
                        }
                    }
                    Ok(None) => break,
                    Err(error) if error.kind() == std::io::ErrorKind::InvalidData => {
                        eprintln!("flasklint server: skipped a malformed message: {error}");
                    }
                    Err(error) => {
                        eprintln!("flasklint server: cannot read stdin: {error}");
                        break;
                    }
                }
            }
        })?;
    Ok((
        Connection {
            sender: to_client,
            receiver: from_client,
        },
        StdioThreads {
            writer,
            reader,
            closing,
        },
    ))
}
