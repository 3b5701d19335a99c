//! The live checker: sends the case catalogue to an Autodiscover endpoint over real HTTP and
//! judges every answer with the rules. It knows nothing of the reference server beyond its
//! fixture format (to know the mailboxes' policy states).

mod auth_cases;
mod bait;
mod cases;
pub mod catalogue;
mod client;
pub mod client_args;
mod connector;
pub mod discover;
pub mod expect;
mod h2;
mod raw;
mod redirect;
pub mod route;
pub mod tls;
mod tls_cases;

pub use auth_cases::{AuthCaseDef, AuthCheck, AUTH_CASES};
pub use cases::{catalogue, run_case, Case, RunShared, Target};
pub use client::{
    evidence, redact, Answer, Authorization, Client, ClientOptions, Credentials, CredentialsError,
    Exchange, Failure, Req,
};
pub use client_args::ClientArgs;
pub use redirect::{post_within_origin, Followed};
pub use tls_cases::{TlsCaseDef, TlsCheck, TLS_CASES};

use crate::report::Unit;
use std::sync::Arc;
use std::time::Duration;

/// How to run a check.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// What to check.
    pub target: Target,
    /// Client limits, TLS and credentials.
    pub client: ClientOptions,
    /// Budget for the whole run.
    pub total_timeout: Duration,
    /// Cases in flight at once.
    pub concurrency: usize,
    /// Run only partition K of N (1-based K), by case index.
    pub partition: Option<(usize, usize)>,
    /// Run only cases whose ID matches one of these globs (all when empty).
    pub only: Vec<glob::Pattern>,
    /// Skip cases whose ID matches one of these globs.
    pub skip: Vec<glob::Pattern>,
}

impl CheckOptions {
    /// Options for checking an endpoint that serves `fixture` under a self-signed certificate
    /// (`certificate_der`, trusted for this run only): every fixture mailbox, 10 hops, a 1 MiB
    /// body cap, 8 cases in flight, no selection. Fields are public to adjust afterwards.
    pub fn for_fixture(
        url: String,
        get_url: String,
        certificate_der: Vec<u8>,
        fixture: crate::fixture::Fixture,
        timeout: Duration,
    ) -> CheckOptions {
        CheckOptions {
            target: Target {
                url,
                get_url,
                emails: fixture
                    .mailboxes
                    .iter()
                    .map(|m| m.address().to_owned())
                    .collect(),
                fixture: Some(fixture),
                max_hops: 10,
                slow_body: Duration::from_secs(3),
            },
            client: ClientOptions {
                trust: tls::Trust {
                    insecure: false,
                    extra_roots: vec![certificate_der],
                },
                timeout,
                body_cap: 1024 * 1024,
                credentials: None,
                routing: None,
            },
            total_timeout: Duration::from_secs(60),
            concurrency: 8,
            partition: None,
            only: vec![],
            skip: vec![],
        }
    }
}

/// Why a check could not run.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The client could not be built (bad TLS setup).
    #[error("cannot set up the client: {0}")]
    Setup(String),
    /// The endpoint does not accept connections.
    #[error("{url} is unreachable: {reason}")]
    Unreachable {
        /// The URL.
        url: String,
        /// What failed.
        reason: String,
    },
}

/// The cases selected by `--only`, `--skip` and `--partition`, in catalogue order.
pub fn select(options: &CheckOptions) -> Vec<Case> {
    let all = catalogue(&options.target);
    all.into_iter()
        .filter(|c| options.only.is_empty() || options.only.iter().any(|p| p.matches(&c.id)))
        .filter(|c| !options.skip.iter().any(|p| p.matches(&c.id)))
        .enumerate()
        .filter(|(i, _)| options.partition.is_none_or(|(k, n)| i % n == k - 1))
        .map(|(_, c)| c)
        .collect()
}

/// The `--only` and `--skip` patterns that match no case of the catalogue (before any
/// partition): a typo or a renamed case, which would otherwise select or skip silently.
pub fn unmatched_patterns(options: &CheckOptions) -> Vec<String> {
    let all = catalogue(&options.target);
    options
        .only
        .iter()
        .map(|p| ("--only", p))
        .chain(options.skip.iter().map(|p| ("--skip", p)))
        .filter(|(_, p)| !all.iter().any(|c| p.matches(&c.id)))
        .map(|(flag, p)| format!("{flag} {}", p.as_str()))
        .collect()
}

/// Runs the selected cases and returns one report unit per case, in catalogue order.
pub async fn run(options: &CheckOptions) -> Result<Vec<Unit>, CheckError> {
    let mut units = Vec::new();
    run_each(options, |u| units.push(u)).await?;
    Ok(units)
}

/// Runs the selected cases and hands each one's unit to `on_unit` in catalogue order, as soon
/// as it and every case before it have finished: cases run concurrently, and a slow case holds
/// back only the units after it, so a report can be written case by case.
pub async fn run_each(
    options: &CheckOptions,
    mut on_unit: impl FnMut(Unit),
) -> Result<(), CheckError> {
    let client = Client::new(options.client.clone()).map_err(CheckError::Setup)?;
    let o = &options.client;
    // One TLS inspection per run: the tls/ cases judge it, and a problem that makes a
    // verifying client refuse the connection becomes their finding instead of "unreachable".
    let inspection = match tls::https_endpoint(&options.target.url) {
        Some((host, port)) => Some(
            tls::inspect(
                &host,
                port,
                o.routing.as_deref(),
                &o.trust,
                tls_cases::INSPECT_ALPN,
                o.timeout,
            )
            .await
            .map_err(|e| match e {
                tls::InspectError::Connect { reason, .. } => CheckError::Unreachable {
                    url: options.target.url.clone(),
                    reason,
                },
                other => CheckError::Setup(other.to_string()),
            })?,
        ),
        None => None,
    };
    // --insecure connects whatever the certificate, but no client connects below TLS 1.2.
    let blocking = inspection.as_ref().and_then(|i| {
        let p = if o.trust.insecure {
            i.protocol().err()
        } else {
            i.blocking_problem()
        }?;
        Some((tls_cases::rule(&p), i.explain(&p)))
    });
    if blocking.is_none() {
        let probe = client.get(&options.target.url).await;
        if let Err(Failure::Connect(reason)) = &probe.outcome {
            return Err(CheckError::Unreachable {
                url: options.target.url.clone(),
                reason: reason.clone(),
            });
        }
    }
    let inspection = Arc::new(inspection);
    let blocking = Arc::new(blocking);
    let cases = select(options);
    let target = Arc::new(options.target.clone());
    let shared = Arc::new(
        RunShared::prepare(&client, &target)
            .await
            .map_err(CheckError::Setup)?,
    );
    let permits = Arc::new(tokio::sync::Semaphore::new(options.concurrency.max(1)));
    let deadline = tokio::time::Instant::now() + options.total_timeout;
    let mut set = tokio::task::JoinSet::new();
    for (i, case) in cases.into_iter().enumerate() {
        let (client, target, permits) = (client.clone(), target.clone(), permits.clone());
        let (inspection, blocking) = (inspection.clone(), blocking.clone());
        let shared = shared.clone();
        set.spawn(async move {
            let _permit = permits
                .acquire_owned()
                .await
                .expect("the semaphore is never closed");
            let work = async {
                if let Some(def) = case.tls() {
                    let o = client.options();
                    let cx = tls_cases::TlsContext {
                        inspection: inspection.as_ref().as_ref(),
                        url: &target.url,
                        email: target
                            .emails
                            .first()
                            .map_or("user@example.com", String::as_str),
                        routing: o.routing.as_deref(),
                        trust: &o.trust,
                        credentials: o.credentials.as_ref(),
                        timeout: o.timeout,
                        body_cap: o.body_cap,
                    };
                    tls_cases::run(def, &cx).await
                } else if let Some((rule, why)) = blocking.as_ref() {
                    not_checked(&case, rule, why)
                } else {
                    run_case(&client, &target, &shared, &case).await
                }
            };
            let unit = match tokio::time::timeout_at(deadline, work).await {
                Ok(u) => u,
                Err(_) => {
                    let mut out = crate::rules::Outcome::default();
                    let r = crate::rules::catalogue::HTTP_TIME;
                    out.applied.insert(r.id);
                    out.findings.push(crate::rules::Finding::unplaced(
                        r,
                        "the run's total time budget ran out before this case finished".into(),
                    ));
                    let mut u = Unit::new(case.id.clone(), None, out);
                    u.description = Some(case.description.clone());
                    u
                }
            };
            (i, unit)
        });
    }
    // Units that finished before an earlier case did wait here, keyed by catalogue position.
    let mut waiting: std::collections::BTreeMap<usize, Unit> = std::collections::BTreeMap::new();
    let mut next = 0;
    while let Some(r) = set.join_next().await {
        let (i, unit) = r.map_err(|e| CheckError::Setup(format!("a case task failed: {e}")))?;
        waiting.insert(i, unit);
        while let Some(u) = waiting.remove(&next) {
            on_unit(u);
            next += 1;
        }
    }
    Ok(())
}

/// The unit for a case that was not sent because a verifying client refuses the TLS
/// connection: it fails with the TLS rule, so the run says why and exits 1, not 2.
fn not_checked(case: &Case, rule: &crate::rules::Rule, why: &str) -> Unit {
    let mut out = crate::rules::Outcome::default();
    tls_cases::finding_for(&mut out, rule, format!(
        "not checked: a client that verifies TLS refuses this server ({why}); fix the certificate, trust a private CA with --ca-file, or rerun with --insecure to check the rest"
    ));
    let mut u = Unit::new(case.id.clone(), None, out);
    u.description = Some(case.description.clone());
    u
}
