//! The fuzzing run: draws the seeded sequence, sends it with bounded concurrency over one
//! kept-alive client, judges every answer, then shrinks one failing request per (class,
//! generator) group and confirms the reduced request by sending it again.

use super::oracle::{judge_followed, Class, Verdict, MAX_HOPS};
use super::plan::{Expect, Plan};
use super::shrink::Shrinker;
use crate::live::{evidence, post_within_origin, redact, Client, ClientOptions};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How to fuzz.
#[derive(Debug, Clone)]
pub struct FuzzOptions {
    /// The Autodiscover URL requests are POSTed to.
    pub url: String,
    /// The seed of the request sequence.
    pub seed: u64,
    /// How many requests (the run stops earlier when `duration` runs out).
    pub count: u64,
    /// Stop drawing new requests after this long.
    pub duration: Option<Duration>,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Mailboxes the server knows (half of the valid requests ask for one).
    pub emails: Vec<String>,
    /// Client limits, TLS and credentials.
    pub client: ClientOptions,
    /// Candidates sent at most while shrinking one failure.
    pub shrink_attempts: usize,
    /// Time spent at most shrinking one failure.
    pub shrink_time: Duration,
    /// Failure groups shrunk at most (the others are counted, not reduced).
    pub max_reproducers: usize,
}

impl FuzzOptions {
    /// Defaults for `url` and `seed`: 1,000 requests, 8 in flight, 300 shrinking attempts and
    /// 60 s per failure, at most 50 reproducers.
    pub fn new(url: String, seed: u64, client: ClientOptions) -> FuzzOptions {
        FuzzOptions {
            url,
            seed,
            count: 1000,
            duration: None,
            concurrency: 8,
            emails: vec![],
            client,
            shrink_attempts: 300,
            shrink_time: Duration::from_secs(60),
            max_reproducers: 50,
        }
    }
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum FuzzError {
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

/// Where a run reports its progress (a progress bar, plain lines, or nothing).
pub trait Progress: Send + Sync {
    /// Requests answered and failures so far.
    fn sent(&self, sent: u64, failed: u64);
    /// A new phase (`shrinking 3/7` ...).
    fn phase(&self, message: &str);
}

/// Reports nothing.
pub struct Quiet;

impl Progress for Quiet {
    fn sent(&self, _: u64, _: u64) {}
    fn phase(&self, _: &str) {}
}

/// Counts for one generator (`valid/outlook`, `breaking/truncate` ...).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Row {
    /// Requests sent.
    pub sent: u64,
    /// Requests whose answer failed.
    pub failed: u64,
    /// Failures by class.
    pub classes: BTreeMap<Class, u64>,
}

/// A shrunk failing request.
#[derive(Debug, Clone, Serialize)]
pub struct Reproducer {
    /// 1-based; the file is `failures/NNNN.xml`.
    pub number: usize,
    /// The failure class, the same before and after shrinking.
    pub class: Class,
    /// The generator of the original request.
    pub label: String,
    /// The original request's index in the sequence.
    pub index: u64,
    /// What the request was meant to get.
    pub expect: Expect,
    /// Mutation operators applied to the original request.
    pub mutations: Vec<&'static str>,
    /// Size of the original request.
    pub original_len: usize,
    /// The reduced request.
    #[serde(skip)]
    pub body: Vec<u8>,
    /// Size of the reduced request.
    pub len: usize,
    /// The reduced request, as text (lossy UTF-8), for reports.
    pub text: String,
    /// What the server answered to the reduced request.
    pub detail: String,
    /// Requests sent while shrinking.
    pub attempts: usize,
    /// Whether re-sending the reduced request twice more failed in the same class both times.
    pub confirmed: bool,
    /// Evidence (request, status, headers, body excerpt) of the last confirming exchange,
    /// redacted.
    pub evidence: String,
    /// Failing requests of the same class and generator that this one stands for.
    pub occurrences: u64,
    /// An earlier reproducer with the same reduced bytes and class, when there is one.
    pub same_as: Option<usize>,
    /// Where the reduced request was written (relative to the output folder), once written.
    pub file: Option<String>,
    /// A `curl` command that sends it again (run from the output folder), once written.
    pub curl: Option<String>,
}

/// What a run found.
#[derive(Debug, Clone, Serialize)]
pub struct FuzzOutcome {
    /// The URL fuzzed.
    pub target: String,
    /// What the target is, when the URL does not say (`embedded reference server`).
    pub note: Option<String>,
    /// The seed.
    pub seed: u64,
    /// Requests answered.
    pub sent: u64,
    /// Requests that failed.
    pub failed: u64,
    /// Wall time of the sending phase.
    pub elapsed_ms: u64,
    /// Whether the duration ran out before the count was reached.
    pub stopped_by_duration: bool,
    /// Failures by class.
    pub classes: BTreeMap<Class, u64>,
    /// Counts by generator.
    pub rows: BTreeMap<String, Row>,
    /// One shrunk request per (class, generator), in order of first occurrence.
    pub reproducers: Vec<Reproducer>,
    /// Failure groups not shrunk because `max_reproducers` was reached.
    pub unshrunk_groups: usize,
}

impl FuzzOutcome {
    /// Whether nothing failed.
    pub fn passes(&self) -> bool {
        self.failed == 0
    }

    /// Requests per second of the sending phase.
    pub fn rate(&self) -> f64 {
        self.sent as f64 / (self.elapsed_ms.max(1) as f64 / 1000.0)
    }
}

struct First {
    index: u64,
    label: String,
    expect: Expect,
    mutations: Vec<&'static str>,
    body: Vec<u8>,
    ancestors: Vec<Vec<u8>>,
    count: u64,
}

/// Sends the sequence and shrinks what fails.
pub async fn fuzz(opts: &FuzzOptions, progress: &dyn Progress) -> Result<FuzzOutcome, FuzzError> {
    let client = Client::new(opts.client.clone()).map_err(FuzzError::Setup)?;
    let probe = client.get(&opts.url).await;
    if let Err(crate::live::Failure::Connect(reason)) = &probe.outcome {
        return Err(FuzzError::Unreachable {
            url: opts.url.clone(),
            reason: reason.clone(),
        });
    }
    // What the external-entity payloads name; a server that reads it echoes the marker.
    // Best effort: without the file those payloads still test the refusal.
    let _ = std::fs::write(
        super::payloads::marker_path(),
        super::payloads::ENTITY_MARKER,
    );
    let plan = Arc::new(Plan::new(opts.seed, opts.emails.clone()));
    let url: Arc<str> = opts.url.as_str().into();
    let start = Instant::now();
    let deadline = opts.duration.map(|d| start + d);
    let mut set = tokio::task::JoinSet::new();
    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    let mut classes: BTreeMap<Class, u64> = BTreeMap::new();
    let mut groups: BTreeMap<(Class, String), First> = BTreeMap::new();
    let (mut sent, mut failed) = (0u64, 0u64);
    let mut stopped_by_duration = false;
    let mut record = |r: (super::plan::Draw, Option<Verdict>)| {
        let (draw, verdict) = r;
        sent += 1;
        let row = rows.entry(draw.label.clone()).or_default();
        row.sent += 1;
        if let Some(v) = verdict {
            failed += 1;
            row.failed += 1;
            *row.classes.entry(v.class).or_default() += 1;
            *classes.entry(v.class).or_default() += 1;
            let g = groups
                .entry((v.class, draw.label.clone()))
                .or_insert_with(|| First {
                    index: u64::MAX,
                    label: draw.label.clone(),
                    expect: draw.expect,
                    mutations: vec![],
                    body: vec![],
                    ancestors: vec![],
                    count: 0,
                });
            g.count += 1;
            if draw.index < g.index {
                g.index = draw.index;
                g.expect = draw.expect;
                g.mutations = draw.mutations;
                g.body = draw.body;
                g.ancestors = draw.ancestors;
            }
        }
        (sent, failed)
    };
    let mut last_report = Instant::now();
    for i in 0..opts.count {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            stopped_by_duration = true;
            break;
        }
        while set.len() >= opts.concurrency.max(1) {
            if let Some(Ok(r)) = set.join_next().await {
                let (s, f) = record(r);
                if last_report.elapsed() >= Duration::from_millis(100) {
                    progress.sent(s, f);
                    last_report = Instant::now();
                }
            }
        }
        let (client, plan, url) = (client.clone(), plan.clone(), url.clone());
        set.spawn(async move {
            let draw = plan.draw(i);
            let x = post_within_origin(&client, &url, draw.body.clone(), MAX_HOPS).await;
            let verdict = judge_followed(draw.expect, &x);
            let draw = if verdict.is_some() {
                draw
            } else {
                // Passing requests only count; their bodies are not kept.
                super::plan::Draw {
                    body: vec![],
                    ancestors: vec![],
                    ..draw
                }
            };
            (draw, verdict)
        });
    }
    while let Some(r) = set.join_next().await {
        if let Ok(r) = r {
            record(r);
        }
    }
    let elapsed = start.elapsed();
    progress.sent(sent, failed);

    let mut firsts: Vec<((Class, String), First)> = groups.into_iter().collect();
    firsts.sort_by_key(|(_, f)| f.index);
    let unshrunk_groups = firsts.len().saturating_sub(opts.max_reproducers);
    firsts.truncate(opts.max_reproducers);
    let mut reproducers: Vec<Reproducer> = Vec::new();
    let total = firsts.len();
    for (k, ((class, _), first)) in firsts.into_iter().enumerate() {
        progress.phase(&format!(
            "shrinking {}/{total}: {class} from {} ({} bytes)",
            k + 1,
            first.label,
            first.body.len()
        ));
        // Reduced requests of the same class are tried first: a server with one crash usually
        // crashes on all of them, and this saves the budget for the others.
        let known: Vec<Vec<u8>> = reproducers
            .iter()
            .filter(|p| p.class == class && p.confirmed && p.same_as.is_none())
            .map(|p| p.body.clone())
            .collect();
        let mut r = shrink_one(&client, &opts.url, opts, class, first, known).await;
        r.number = k + 1;
        r.same_as = reproducers
            .iter()
            .find(|p| p.class == r.class && p.body == r.body)
            .map(|p| p.number);
        reproducers.push(r);
    }
    Ok(FuzzOutcome {
        target: opts.url.clone(),
        note: None,
        seed: opts.seed,
        sent,
        failed,
        elapsed_ms: elapsed.as_millis() as u64,
        stopped_by_duration,
        classes,
        rows,
        reproducers,
        unshrunk_groups,
    })
}

async fn shrink_one(
    client: &Client,
    url: &str,
    opts: &FuzzOptions,
    class: Class,
    first: First,
    known: Vec<Vec<u8>>,
) -> Reproducer {
    let expect = first.expect;
    let fails = |body: Vec<u8>| {
        let client = client.clone();
        async move {
            let x = post_within_origin(&client, url, body, MAX_HOPS).await;
            judge_followed(expect, &x).is_some_and(|v| v.class == class)
        }
    };
    let mut s = Shrinker::new(
        fails,
        opts.shrink_attempts,
        Instant::now() + opts.shrink_time,
    );
    let mut candidates = known;
    candidates.extend(first.ancestors.iter().cloned());
    let body = s.shrink(first.body.clone(), &candidates).await;
    let attempts = s.attempts();
    let mut confirmed = true;
    let mut detail = String::new();
    let mut ev = String::new();
    let secret = client.options().credentials.as_ref();
    for _ in 0..2 {
        let x = post_within_origin(client, url, body.clone(), MAX_HOPS).await;
        match judge_followed(expect, &x) {
            Some(v) if v.class == class => detail = v.detail,
            Some(v) => {
                confirmed = false;
                detail = format!("re-sent, it failed as {} instead: {}", v.class, v.detail);
            }
            None => {
                confirmed = false;
                detail = "re-sent, it passed (the failure is intermittent)".into();
            }
        }
        ev = x
            .redirects
            .iter()
            .chain([&x.last])
            .map(evidence)
            .collect::<Vec<_>>()
            .join("\n");
    }
    Reproducer {
        number: 0,
        class,
        label: first.label,
        index: first.index,
        expect,
        mutations: first.mutations,
        original_len: first.body.len(),
        len: body.len(),
        text: redact(&String::from_utf8_lossy(&body), secret),
        body,
        detail: redact(&detail, secret),
        attempts,
        confirmed,
        evidence: redact(&ev, secret),
        occurrences: first.count,
        same_as: None,
        file: None,
        curl: None,
    }
}
