//! The one redirect follower. Every POST the checker sends goes through it, whether the server
//! redirects with HTTP 3xx `Location` or with a POX `redirectUrl`/`redirectAddr` answer, so hop
//! cap, loop detection and origin tracking are decided in one place. Credentials are not this
//! module's business: the [`Client`] attaches them only on the origin the user named, so a hop to
//! another origin goes without them whatever the follower does.

use super::client::{Answer, Client, Exchange, Req};
use crate::rules::catalogue::{
    HTTP_REDIRECT_CHAIN, HTTP_REDIRECT_DOWNGRADE, HTTP_REDIRECT_LONG, HTTP_REDIRECT_ORIGIN,
};
use crate::rules::{Outcome, Rule};
use std::collections::BTreeSet;

/// Whether an answer is an HTTP redirect the follower acts on.
pub(super) fn is_redirect(a: &Answer) -> bool {
    matches!(a.status, 301 | 302 | 303 | 307 | 308) && a.header("location").is_some()
}

/// Where a redirect answer to a request for `url` points: its `Location`, resolved against
/// `url` (taken as written when either does not parse).
pub(super) fn redirect_target(url: &str, a: &Answer) -> String {
    let loc = a.header("location").unwrap_or_default().to_owned();
    url::Url::parse(url)
        .and_then(|u| u.join(&loc))
        .map(|u| u.to_string())
        .unwrap_or(loc)
}

fn origin(url: &str) -> Option<url::Url> {
    url::Url::parse(url).ok()
}

fn same_origin(a: &str, b: &str) -> bool {
    match (origin(a), origin(b)) {
        (Some(a), Some(b)) => a.origin() == b.origin(),
        _ => a == b,
    }
}

fn origin_text(url: &str) -> String {
    origin(url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_else(|| url.to_owned())
}

/// A chain of requests for one address, from the URL the user named to the final answer.
///
/// Guarantees: at most `max_hops` redirects are followed; a request for a (URL, address) pair
/// already asked in this chain ends it with a [`HTTP_REDIRECT_CHAIN`] finding that names the
/// loop; every hop that leaves the named origin is reported ([`HTTP_REDIRECT_ORIGIN`], info), and
/// every hop from https to plain http is an error ([`HTTP_REDIRECT_DOWNGRADE`]).
#[derive(Debug)]
pub(super) struct Chain {
    named: String,
    url: String,
    addr: String,
    trail: Vec<(String, String)>,
    seen: BTreeSet<(String, String)>,
    max_hops: usize,
    /// The redirect exchanges, oldest first (evidence).
    pub(super) exchanges: Vec<Exchange>,
}

fn key(url: &str, addr: &str) -> (String, String) {
    let url = origin(url).map_or_else(|| url.to_owned(), |u| u.to_string());
    (url, addr.trim().to_ascii_lowercase())
}

fn finding(out: &mut Outcome, rule: &Rule, message: String) {
    super::cases::http_finding(out, rule, message);
}

impl Chain {
    /// Starts at `url` (the URL the user named) asking for `addr`; marks the redirect rules as
    /// applied.
    pub(super) fn new(url: &str, addr: &str, max_hops: usize, out: &mut Outcome) -> Chain {
        for r in [
            HTTP_REDIRECT_CHAIN,
            HTTP_REDIRECT_LONG,
            HTTP_REDIRECT_ORIGIN,
            HTTP_REDIRECT_DOWNGRADE,
        ] {
            out.applied.insert(r.id);
        }
        let mut seen = BTreeSet::new();
        seen.insert(key(url, addr));
        Chain {
            named: url.to_owned(),
            url: url.to_owned(),
            addr: addr.to_owned(),
            trail: vec![(url.to_owned(), addr.to_owned())],
            seen,
            max_hops,
            exchanges: Vec::new(),
        }
    }

    /// The URL the next request goes to.
    pub(super) fn url(&self) -> &str {
        &self.url
    }

    /// The address the next request asks for.
    pub(super) fn addr(&self) -> &str {
        &self.addr
    }

    /// Redirects followed so far.
    pub(super) fn hops(&self) -> usize {
        self.trail.len() - 1
    }

    fn describe_trail(&self, until: usize) -> String {
        self.trail[until..]
            .iter()
            .map(|(u, a)| format!("{a} at {u}"))
            .collect::<Vec<_>>()
            .join(" -> ")
    }

    /// Moves the chain to (`url`, `addr`). Returns false, with a finding, when the hop would
    /// close a loop or pass the cap; the chain then ends where it is.
    pub(super) fn hop(&mut self, url: String, addr: String, out: &mut Outcome) -> bool {
        let k = key(&url, &addr);
        if self.seen.contains(&k) {
            let start = self
                .trail
                .iter()
                .position(|(u, a)| key(u, a) == k)
                .unwrap_or(0);
            finding(
                out,
                HTTP_REDIRECT_CHAIN,
                format!(
                    "redirect loop after {} hops: {} -> back to {addr} at {url}",
                    self.hops() + 1,
                    self.describe_trail(start)
                ),
            );
            return false;
        }
        if self.hops() >= self.max_hops {
            finding(
                out,
                HTTP_REDIRECT_CHAIN,
                format!(
                    "more than {} redirects: {} -> {addr} at {url}",
                    self.max_hops,
                    self.describe_trail(0)
                ),
            );
            return false;
        }
        let from_https = origin(&self.url).is_some_and(|u| u.scheme() == "https");
        let to_http = origin(&url).is_some_and(|u| u.scheme() == "http");
        if from_https && to_http {
            finding(
                out,
                HTTP_REDIRECT_DOWNGRADE,
                format!(
                    "redirect from {} down to plain http {url}: the request (and the address in it) would cross the network unencrypted",
                    self.url
                ),
            );
        }
        if !same_origin(&url, &self.named) && same_origin(&self.url, &self.named) {
            finding(
                out,
                HTTP_REDIRECT_ORIGIN,
                format!(
                    "redirect leaves the origin you named ({}) for {}: followed without credentials (Outlook asks the user before trusting another host)",
                    origin_text(&self.named),
                    origin_text(&url)
                ),
            );
        }
        self.seen.insert(k);
        self.trail.push((url.clone(), addr.clone()));
        self.url = url;
        self.addr = addr;
        true
    }

    /// Sends `req` to the chain's URL, following HTTP 3xx redirects (keeping the method and
    /// body) until an answer that is not a redirect, a loop or the cap. Returns the last
    /// exchange; the redirects before it are kept in [`Chain::exchanges`].
    pub(super) async fn send(&mut self, client: &Client, req: &Req, out: &mut Outcome) -> Exchange {
        loop {
            let x = client.request(&self.url, req).await;
            let next = match &x.outcome {
                Ok(a) if is_redirect(a) => redirect_target(&self.url, a),
                _ => return x,
            };
            let addr = self.addr.clone();
            if !self.hop(next, addr, out) {
                return x;
            }
            self.exchanges.push(x);
        }
    }

    /// Ends the chain: a warning when it was longer than the 2 hops every client follows.
    pub(super) fn finish(self, out: &mut Outcome) -> Vec<Exchange> {
        if self.hops() > 2 {
            finding(
                out,
                HTTP_REDIRECT_LONG,
                format!(
                    "{} redirects before the answer ({}); some clients follow only 2",
                    self.hops(),
                    self.describe_trail(0)
                ),
            );
        }
        self.exchanges
    }
}

/// A POST followed through HTTP redirects on the origin it was sent to, as the fuzzer sends
/// every request: see [`post_within_origin`].
#[derive(Debug)]
pub struct Followed {
    /// The last exchange: the answer that is judged.
    pub last: Exchange,
    /// The redirects followed before it, oldest first.
    pub redirects: Vec<Exchange>,
    /// Where the last answer redirects when that is another origin (not followed).
    pub left_origin: Option<String>,
    /// The follower's findings: a loop or more than the cap ([`HTTP_REDIRECT_CHAIN`], error),
    /// a chain longer than 2 ([`HTTP_REDIRECT_LONG`], warning), and a redirect from https down
    /// to plain http ([`HTTP_REDIRECT_DOWNGRADE`], error).
    pub outcome: Outcome,
}

/// POSTs `body` to `url` and follows HTTP 3xx redirects (keeping the method and the body) while
/// they stay on `url`'s origin, at most `max_hops` of them, with the loop detection of every
/// chain the checker follows. A redirect to another origin ends the chain unfollowed: neither
/// the request nor credentials go to an origin the user did not name (a fuzzer must not
/// send hostile requests to a server it was not pointed at); one from https down to plain
/// http is also a finding.
pub async fn post_within_origin(
    client: &Client,
    url: &str,
    body: Vec<u8>,
    max_hops: usize,
) -> Followed {
    let mut outcome = Outcome::default();
    let mut chain = Chain::new(url, "", max_hops, &mut outcome);
    let req = Req::post(body);
    let mut redirects = Vec::new();
    loop {
        let x = client.request(chain.url(), &req).await;
        let next = match &x.outcome {
            Ok(a) if is_redirect(a) => redirect_target(chain.url(), a),
            _ => break finish(chain, x, redirects, None, outcome),
        };
        if !same_origin(&next, url) {
            let from_https = origin(chain.url()).is_some_and(|u| u.scheme() == "https");
            if from_https && origin(&next).is_some_and(|u| u.scheme() == "http") {
                finding(
                    &mut outcome,
                    HTTP_REDIRECT_DOWNGRADE,
                    format!(
                        "redirect from {} down to plain http {next}: the request (and the address in it) would cross the network unencrypted",
                        chain.url()
                    ),
                );
            }
            break finish(chain, x, redirects, Some(next), outcome);
        }
        if !chain.hop(next, String::new(), &mut outcome) {
            break finish(chain, x, redirects, None, outcome);
        }
        redirects.push(x);
    }
}

fn finish(
    chain: Chain,
    last: Exchange,
    redirects: Vec<Exchange>,
    left_origin: Option<String>,
    mut outcome: Outcome,
) -> Followed {
    // The chain keeps no exchanges here (this loop does); it adds the long-chain warning.
    let _ = chain.finish(&mut outcome);
    Followed {
        last,
        redirects,
        left_origin,
        outcome,
    }
}
