//! What the server was asked: a bounded log of requests (method, host, path, and whether an
//! `Authorization` header came along), so that tests can prove what a client sent where. The
//! credentials themselves are never kept.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// How many requests the log keeps; older ones are dropped first, so a long `fuzz` run
/// against the server cannot grow it without bound.
pub const SEEN_CAP: usize = 4096;

/// One request as the server received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// The method (`POST`, `GET`…).
    pub method: String,
    /// The host name it was addressed to (HTTP/2 `:authority` or `Host`, lower case, without
    /// the port), when it named one.
    pub host: Option<String>,
    /// The request path.
    pub path: String,
    /// Whether it carried an `Authorization` header (its value is not recorded).
    pub authorization: bool,
    /// Whether it arrived on the https listener.
    pub secure: bool,
}

/// The last [`SEEN_CAP`] requests, shared by the listeners and the [`super::RunningServer`].
#[derive(Debug, Clone, Default)]
pub(crate) struct SeenLog(Arc<Mutex<VecDeque<Seen>>>);

impl SeenLog {
    pub(crate) fn push(&self, s: Seen) {
        // A poisoned lock only means a handler panicked mid-push; the log is still usable.
        let mut log = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if log.len() == SEEN_CAP {
            log.pop_front();
        }
        log.push_back(s);
    }

    pub(crate) fn snapshot(&self) -> Vec<Seen> {
        let log = self.0.lock().unwrap_or_else(|e| e.into_inner());
        log.iter().cloned().collect()
    }
}
