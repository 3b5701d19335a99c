//! A fuzz run as `poxspec fuzz` makes it: settings in, an outcome out. Without a URL it starts
//! the embedded reference server on loopback (optionally with faults) and fuzzes that; like
//! [`crate::check`], this is where the fuzzer (`wirefuzz`, on the `live` side) and the server
//! meet, so neither knows the other.

use crate::fixture::Fixture;
use crate::live::client_args::{ClientArgsError, Extra};
use crate::live::ClientArgs;
use crate::server::{self, Fault, ServerOptions};
use crate::wirefuzz::{self, repro, FuzzError, FuzzOptions, FuzzOutcome, Progress};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Everything a fuzz run needs. With the `cli` feature these are `poxspec fuzz`'s options.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
pub struct FuzzSettings {
    /// The Autodiscover URL; without one, the embedded reference server (with any --fault).
    pub url: Option<String>,
    /// Seed of the request sequence (same seed, same requests in the same order).
    #[cfg_attr(feature = "cli", arg(long, default_value_t = 1))]
    pub seed: u64,
    /// Requests to send.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = 1000))]
    pub count: u64,
    /// Stop sending after this many seconds, even before --count.
    #[cfg_attr(feature = "cli", arg(long, value_parser = parse_duration))]
    pub duration: Option<f64>,
    /// Requests in flight at once (over kept-alive connections).
    #[cfg_attr(feature = "cli", arg(long, default_value_t = 8, value_parser = crate::check::parse_concurrency))]
    pub concurrency: usize,
    /// Mailbox the server knows (repeatable; default: the fixture's mailboxes).
    #[cfg_attr(feature = "cli", arg(long = "email"))]
    pub emails: Vec<String>,
    /// Fixture naming the mailboxes the server knows.
    #[cfg_attr(feature = "cli", arg(long))]
    pub fixture: Option<PathBuf>,
    /// Credentials, TLS trust, routing and limits (shared with `discover` and `fuzz`).
    #[cfg_attr(feature = "cli", command(flatten))]
    pub client: ClientArgs,
    /// Inject a fault into the embedded server (repeatable; only without a URL).
    #[cfg_attr(feature = "cli", arg(long = "fault", conflicts_with = "url"))]
    pub faults: Vec<String>,
    /// Requests sent at most while shrinking one failure (0: no shrinking).
    #[cfg_attr(feature = "cli", arg(long, default_value_t = 300))]
    pub shrink_attempts: usize,
    /// Failure groups (class x generator) shrunk at most.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = 50))]
    pub max_reproducers: usize,
}

impl Default for FuzzSettings {
    /// The embedded server, seed 1, 1,000 requests, 8 in flight, the client defaults.
    fn default() -> Self {
        FuzzSettings {
            url: None,
            seed: 1,
            count: 1000,
            duration: None,
            concurrency: 8,
            emails: vec![],
            fixture: None,
            client: ClientArgs::default(),
            faults: vec![],
            shrink_attempts: 300,
            max_reproducers: 50,
        }
    }
}

/// `--duration`: 0.001 seconds to a day.
pub fn parse_duration(s: &str) -> Result<f64, String> {
    crate::input::parse_seconds(s, 0.001, 86_400.0)
}

/// Why a fuzz run could not run (each a usage problem: the endpoint's answers are findings).
#[derive(Debug, thiserror::Error)]
pub enum FuzzRunError {
    /// The fixture file could not be loaded.
    #[error(transparent)]
    Fixture(#[from] crate::fixture::FixtureError),
    /// A `--fault` names no fault of the catalogue.
    #[error("unknown fault {0:?}; see serve --list-faults")]
    UnknownFault(String),
    /// The URL does not parse.
    #[error("{url}: not a URL: {reason}")]
    Url {
        /// The URL given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The client options could not be used.
    #[error(transparent)]
    Client(#[from] ClientArgsError),
    /// The embedded reference server could not start.
    #[error(transparent)]
    Server(#[from] server::ServerError),
    /// The fuzzer could not start (client setup, endpoint unreachable).
    #[error(transparent)]
    Fuzz(#[from] FuzzError),
}

/// Runs a fuzzing session: the URL in `settings`, or the embedded server with its faults.
pub async fn run(
    settings: &FuzzSettings,
    progress: &dyn Progress,
) -> Result<FuzzOutcome, FuzzRunError> {
    let fixture = settings.fixture.as_deref().map(Fixture::load).transpose()?;
    let faults = settings
        .faults
        .iter()
        .map(|n| Fault::from_name(n).ok_or_else(|| FuzzRunError::UnknownFault(n.clone())))
        .collect::<Result<Vec<_>, _>>()?;
    let mut embedded = None;
    let (url, root, fixture) = match &settings.url {
        Some(u) => {
            url::Url::parse(u).map_err(|e| FuzzRunError::Url {
                url: u.clone(),
                reason: e.to_string(),
            })?;
            (u.clone(), None, fixture)
        }
        None => {
            let fixture = fixture.unwrap_or_else(Fixture::builtin);
            let s = server::start(ServerOptions {
                fixture: fixture.clone(),
                faults,
                slow: settings.client.timeout() * 2,
                ..ServerOptions::local()
            })
            .await?;
            let r = (s.url(), Some(s.certificate_der.clone()), Some(fixture));
            embedded = Some(s);
            r
        }
    };
    // Bound to the origin of the URL the user named: the client sends them nowhere else.
    let client = settings.client.options(
        Some(&url),
        Extra {
            root,
            ..Extra::default()
        },
    );
    let client = match client {
        Ok(c) => c,
        Err(e) => {
            if let Some(s) = &embedded {
                s.shutdown();
            }
            return Err(e.into());
        }
    };
    let emails = if settings.emails.is_empty() {
        fixture
            .map(|f| f.mailboxes.iter().map(|m| m.address().to_owned()).collect())
            .unwrap_or_default()
    } else {
        settings.emails.clone()
    };
    let mut opts = FuzzOptions::new(url, settings.seed, client);
    opts.count = settings.count;
    opts.duration = settings.duration.map(Duration::from_secs_f64);
    opts.concurrency = settings.concurrency.max(1);
    opts.emails = emails;
    opts.shrink_attempts = settings.shrink_attempts;
    opts.max_reproducers = if settings.shrink_attempts == 0 {
        0
    } else {
        settings.max_reproducers
    };
    let result = wirefuzz::fuzz(&opts, progress).await;
    if let Some(s) = &embedded {
        s.shutdown();
    }
    let mut outcome = result?;
    if embedded.is_some() {
        outcome.note = Some("embedded reference server".into());
    }
    Ok(outcome)
}

/// Writes the reproducers of a run made with `settings` into `dir`; their `curl` commands
/// reach the server the way the run did (CA file, `--connect-to`, `--resolve`, the user).
pub fn write_reproducers(
    settings: &FuzzSettings,
    dir: &Path,
    outcome: &mut FuzzOutcome,
) -> Result<(), String> {
    let c = &settings.client;
    let cannot = |e: std::io::Error| format!("{}: cannot write: {e}", dir.display());
    // curl takes one --cacert: several CA files become one bundle next to the reproducers.
    let ca_file = match c.ca_files.as_slice() {
        [] => None,
        [one] => Some(absolute(one)),
        many => {
            let mut bundle = Vec::new();
            for f in many {
                bundle.extend(
                    std::fs::read(f).map_err(|e| format!("{}: cannot read: {e}", f.display()))?,
                );
                bundle.push(b'\n');
            }
            std::fs::create_dir_all(dir).map_err(cannot)?;
            let p = dir.join("ca-bundle.pem");
            std::fs::write(&p, bundle).map_err(cannot)?;
            Some(absolute(&p))
        }
    };
    let curl = repro::CurlOptions {
        user: c.user.clone(),
        // The embedded server's certificate is made for the run and gone with it.
        insecure: c.insecure || settings.url.is_none(),
        ca_file,
        connect_to: c.connect_to.iter().map(|r| r.to_string()).collect(),
        resolve: c.resolve.iter().map(|r| r.to_string()).collect(),
        timeout: c.timeout(),
    };
    repro::write(dir, outcome, &curl).map_err(cannot)
}

fn absolute(p: &Path) -> String {
    std::path::absolute(p)
        .unwrap_or_else(|_| p.to_owned())
        .display()
        .to_string()
}
