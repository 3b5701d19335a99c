//! Bait for the external-entity cases: a local file holding a random marker, and a loopback
//! HTTP listener that records every request it receives. A server that resolves a `file:`
//! entity echoes the marker; one that fetches an `http:` entity shows up in [`Bait::hits`].

use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The marker file and the listener; the file is removed and the listener stopped on drop.
pub struct Bait {
    /// A random token, also the file's content and the first path segment of listener URLs.
    pub marker: String,
    /// Absolute path of the marker file (`<temp>/poxspec-xxe-<marker>.txt`).
    pub path: String,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    hits: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Bait {
    fn drop(&mut self) {
        self.task.abort();
        let _ = std::fs::remove_file(&self.path);
    }
}

fn token() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos(),
    );
    h.write_u32(std::process::id());
    format!("poxspecbait{:016x}", h.finish())
}

impl Bait {
    /// Writes the marker file and starts the listener on 127.0.0.1. Failing to write the file
    /// only weakens the file cases (the path then names no readable file); failing to listen
    /// is an error.
    pub async fn new() -> std::io::Result<Bait> {
        let marker = token();
        let path = std::env::temp_dir()
            .join(format!("poxspec-xxe-{marker}.txt"))
            .to_string_lossy()
            .into_owned();
        let _ = std::fs::write(&path, format!("{marker}@poxspec.invalid"));
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let base = format!("http://{}", listener.local_addr()?);
        let hits = Arc::new(Mutex::new(Vec::new()));
        let (h, m) = (hits.clone(), marker.clone());
        let task = tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                let (h, m) = (h.clone(), m.clone());
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 4096];
                    let n =
                        tokio::time::timeout(std::time::Duration::from_secs(2), s.read(&mut buf))
                            .await
                            .ok()
                            .and_then(Result::ok)
                            .unwrap_or(0);
                    let head = String::from_utf8_lossy(&buf[..n]);
                    let target = head.split_whitespace().nth(1).unwrap_or("?").to_owned();
                    h.lock().expect("not poisoned").push(target);
                    let body = format!("{m}@poxspec.invalid");
                    let _ = s
                        .write_all(
                            format!(
                                "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
                                body.len()
                            )
                            .as_bytes(),
                        )
                        .await;
                });
            }
        });
        Ok(Bait {
            marker,
            path,
            base,
            hits,
            task,
        })
    }

    /// The request targets containing `needle`, waiting up to `grace` for a first one: a
    /// server may fetch while it answers, after it answered, or (loaded, or fetching on a
    /// blocked thread) only once the listener's task gets to run, so an empty list right after
    /// the answer proves nothing. Returns as soon as one arrives.
    pub async fn hits_within(&self, needle: &str, grace: std::time::Duration) -> Vec<String> {
        let deadline = tokio::time::Instant::now() + grace;
        loop {
            let hits = self.hits(needle);
            if !hits.is_empty() || tokio::time::Instant::now() >= deadline {
                return hits;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
    }

    /// Every request target the listener received whose path contains `needle`.
    pub fn hits(&self, needle: &str) -> Vec<String> {
        self.hits
            .lock()
            .expect("not poisoned")
            .iter()
            .filter(|t| t.contains(needle))
            .cloned()
            .collect()
    }
}
