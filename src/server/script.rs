//! A scripted server (`serve --mutate`, Autobahn's fuzzingserver for client authors): every
//! POST is answered with the next document of a fixed sequence, whatever it asked, and each
//! answer is reported to a log so that a client's behaviour can be compared, request by
//! request, with the sequence's manifest.

use super::respond::Reply;
use std::sync::atomic::{AtomicU64, Ordering};

/// One document of the sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptedDocument {
    /// Its file name in the manifest.
    pub name: String,
    /// The bytes sent.
    pub bytes: Vec<u8>,
}

/// What the log hears about each answer.
#[derive(Debug, Clone, Copy)]
pub struct Served<'a> {
    /// 1-based number of the POST.
    pub request: u64,
    /// The path it was sent to.
    pub path: &'a str,
    /// The document it got.
    pub document: &'a ScriptedDocument,
    /// 0 the first time through the sequence, 1 the second ...
    pub cycle: u64,
}

/// The sequence and where answers are logged. Guarantees: POST number `n` (1-based, in the
/// order the server reads them) gets document `(n - 1) % len`, and the log hears of it before
/// the answer is sent.
pub struct Script {
    documents: Vec<ScriptedDocument>,
    next: AtomicU64,
    log: Box<dyn Fn(&Served<'_>) + Send + Sync>,
}

impl std::fmt::Debug for Script {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Script")
            .field("documents", &self.documents.len())
            .field("next", &self.next)
            .finish()
    }
}

impl Script {
    /// A script over `documents` (at least one) reporting to `log`.
    pub fn new(
        documents: Vec<ScriptedDocument>,
        log: impl Fn(&Served<'_>) + Send + Sync + 'static,
    ) -> Option<Script> {
        (!documents.is_empty()).then(|| Script {
            documents,
            next: AtomicU64::new(0),
            log: Box::new(log),
        })
    }

    /// The answer to the next POST.
    pub fn next_reply(&self, path: &str) -> Reply {
        let n = self.next.fetch_add(1, Ordering::SeqCst);
        let len = self.documents.len() as u64;
        let document = &self.documents[(n % len) as usize];
        (self.log)(&Served {
            request: n + 1,
            path,
            document,
            cycle: n / len,
        });
        let b = &document.bytes;
        let charset = if b.starts_with(&[0xFF, 0xFE]) || b.starts_with(&[0xFE, 0xFF]) {
            "utf-16"
        } else {
            "utf-8"
        };
        Reply {
            status: 200,
            headers: vec![("content-type", format!("text/xml; charset={charset}"))],
            body: b.clone(),
            delay: None,
        }
    }
}
