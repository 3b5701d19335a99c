//! `poxspec discover`: the path a client walks from an e-mail address to its settings.
//!
//! For each address, in the order clients use (MS-OXDISCO 3.1.5 and the EWS guide): POST to
//! `https://<domain>/autodiscover/autodiscover.xml`, POST to
//! `https://autodiscover.<domain>/autodiscover/autodiscover.xml`, the unauthenticated
//! `GET http://autodiscover.<domain>/autodiscover/autodiscover.xml` whose 302 names the https
//! URL to POST to, and the DNS SRV record `_autodiscover._tcp.<domain>`. Every step is walked
//! and reported (what was tried, what came back, how long it took, which rule it breaks); the
//! first step that reaches an Autodiscover endpoint is the one a client uses, and that
//! endpoint is judged with the same cases as `check`. With `--probe-endpoints`, the IMAP, POP3
//! and SMTP endpoints the answer advertises are connected to ([`probe`]).

pub mod probe;

use super::client::{Answer, Client, ClientOptions, Credentials, Exchange, Failure};
use super::route::{DnsFailure, Routing};
use super::{CheckError, CheckOptions, Target};
use crate::fixture::Fixture;
use crate::model::make;
use crate::report::{Table, Unit};
use crate::rules::catalogue::*;
use crate::rules::{Finding, Outcome, Rule, Severity};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The four ways a client looks for the endpoint, in the order it tries them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `https://<domain>/autodiscover/autodiscover.xml`.
    Domain,
    /// `https://autodiscover.<domain>/autodiscover/autodiscover.xml`.
    AutodiscoverHost,
    /// `GET http://autodiscover.<domain>/autodiscover/autodiscover.xml`, then its Location.
    GetRedirect,
    /// `_autodiscover._tcp.<domain>` SRV, then `https://<target>[:port]/autodiscover/autodiscover.xml`.
    Srv,
}

impl Method {
    /// Every method, in client order.
    pub const ALL: [Method; 4] = [
        Method::Domain,
        Method::AutodiscoverHost,
        Method::GetRedirect,
        Method::Srv,
    ];

    /// Short name for tables.
    pub fn label(self) -> &'static str {
        match self {
            Method::Domain => "1 domain",
            Method::AutodiscoverHost => "2 autodiscover host",
            Method::GetRedirect => "3 http GET redirect",
            Method::Srv => "4 DNS SRV",
        }
    }
}

/// How a step ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepOutcome {
    /// It reached an Autodiscover endpoint at this URL (the endpoint answered with an
    /// Autodiscover document, a redirect, or a request for credentials).
    Endpoint(String),
    /// Nothing there; clients move on (info).
    Skipped,
    /// Something there that makes clients fail or ask the user.
    Broken,
}

/// One step of a walk.
#[derive(Debug, Clone)]
pub struct Step {
    /// Which method.
    pub method: Method,
    /// The URL or DNS record tried.
    pub tried: String,
    /// What came back, in a line.
    pub result: String,
    /// Time taken (DNS and HTTP).
    pub elapsed: Duration,
    /// How it ended.
    pub outcome: StepOutcome,
    /// Rules it broke (or info about what clients tolerate).
    pub findings: Vec<Finding>,
}

/// The walk for one address.
#[derive(Debug, Clone)]
pub struct Walk {
    /// The e-mail address.
    pub address: String,
    /// Its domain.
    pub domain: String,
    /// The steps, in client order.
    pub steps: Vec<Step>,
}

impl Walk {
    /// The step a client stops at, with its endpoint URL.
    pub fn chosen(&self) -> Option<(usize, &str)> {
        self.steps
            .iter()
            .enumerate()
            .find_map(|(i, s)| match &s.outcome {
                StepOutcome::Endpoint(u) => Some((i, u.as_str())),
                _ => None,
            })
    }
}

/// How to run a discovery.
#[derive(Debug, Clone)]
pub struct DiscoverOptions {
    /// The e-mail addresses to discover.
    pub addresses: Vec<String>,
    /// Client limits and TLS; `routing` says how names resolve. Its `credentials` are
    /// ignored: see `login`.
    pub client: ClientOptions,
    /// User and password for HTTP Basic. They are sent only to the two candidates derived
    /// from the address (`https://<domain>` and `https://autodiscover.<domain>`), each bound to
    /// its origin, and to the endpoint judged when it is one of them; never to a GET redirect
    /// or SRV target, which a client uses only after the user confirms it.
    pub login: Option<(String, String)>,
    /// The mailboxes' policy states, when known.
    pub fixture: Option<Fixture>,
    /// Connect to the advertised IMAP/POP3/SMTP endpoints.
    pub probe_endpoints: bool,
    /// Budget for the judged `check` run of each endpoint.
    pub total_timeout: Duration,
}

/// A whole discovery run.
#[derive(Debug, Clone)]
pub struct Discovery {
    /// One walk per address.
    pub walks: Vec<Walk>,
    /// Report units: one per address (with its step table), then the `check` cases of each
    /// endpoint found, then the endpoint probes.
    pub units: Vec<Unit>,
}

fn finding(rule: &Rule, message: String) -> Finding {
    Finding::unplaced(rule, message)
}

const PATH: &str = "/autodiscover/autodiscover.xml";

fn is_cert_problem(reason: &str) -> bool {
    let r = reason.to_ascii_lowercase();
    r.contains("certificate") || r.contains("notvalidforname") || r.contains("unknownissuer")
}

fn host_of(url: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()?
        .host_str()
        .map(|h| h.trim_end_matches('.').to_ascii_lowercase())
}

/// Whether `host` is `domain` or below it.
fn within(host: &str, domain: &str) -> bool {
    let (h, d) = (host.to_ascii_lowercase(), domain.to_ascii_lowercase());
    h == d || h.ends_with(&format!(".{d}"))
}

/// What an answer to the POST says about the endpoint: `Some(summary)` when it is an
/// Autodiscover endpoint.
fn endpoint_answer(a: &Answer) -> Option<String> {
    match a.status {
        200 => {
            let v = crate::rules::validate_default(&a.body);
            match v.parsed {
                Some(p) if p.model.kind() == "response" => Some(format!(
                    "HTTP 200 with an Autodiscover response ({} bytes)",
                    a.body.len()
                )),
                _ => None,
            }
        }
        401 => Some(format!(
            "HTTP 401: the endpoint asks for credentials ({})",
            a.header("www-authenticate")
                .unwrap_or("no WWW-Authenticate")
        )),
        301 | 302 | 303 | 307 | 308 => a
            .header("location")
            .map(|l| format!("HTTP {} redirect to {l}", a.status)),
        _ => None,
    }
}

fn describe_failure(f: &Failure, elapsed: Duration) -> String {
    match f {
        Failure::Timeout => format!("no response within {} ms", elapsed.as_millis()),
        Failure::TooLarge { read, status } => {
            format!("HTTP {status} with a body over the cap ({read} bytes read)")
        }
        Failure::Connect(e) | Failure::Other(e) => e.clone(),
    }
}

/// The walker: clients whose names resolve through `routing`.
struct Walker {
    options: ClientOptions,
    login: Option<(String, String)>,
    routing: Arc<Routing>,
}

/// Client options carrying `login` bound to `url`'s origin (none when `url` is `None`).
fn with_login(
    base: &ClientOptions,
    login: &Option<(String, String)>,
    url: Option<&str>,
) -> Result<ClientOptions, String> {
    let credentials = match (login, url) {
        (Some((u, p)), Some(url)) => {
            Some(Credentials::new(u.clone(), p.clone(), url, false).map_err(|e| e.to_string())?)
        }
        _ => None,
    };
    Ok(ClientOptions {
        credentials,
        ..base.clone()
    })
}

impl Walker {
    fn client(&self, login_for: Option<&str>) -> Result<Client, String> {
        Client::new(with_login(&self.options, &self.login, login_for)?)
    }

    /// Resolves the host of `url` (after `--connect-to`), as a client does before connecting.
    async fn resolve(&self, url: &str) -> Result<String, DnsFailure> {
        let u = url::Url::parse(url).map_err(|e| DnsFailure::Failed(e.to_string()))?;
        let host = u.host_str().unwrap_or_default();
        let port = u.port_or_known_default().unwrap_or(443);
        let (h, p) = self.routing.target(host, port);
        let a = self.routing.addresses(&h, p).await?;
        Ok(a.to_string())
    }

    /// POSTs the Outlook request for `address` to `url` and classifies the result. `foreign`
    /// says the URL came from a redirect or SRV record, so that a candidate that does not
    /// answer is broken rather than tolerated.
    async fn post_step(
        &self,
        method: Method,
        url: &str,
        address: &str,
        broken_rule: Option<&'static Rule>,
    ) -> Step {
        // Credentials only for the candidates derived from the address itself.
        let login_for = matches!(method, Method::Domain | Method::AutodiscoverHost).then_some(url);
        let start = Instant::now();
        let mut step = Step {
            method,
            tried: format!("POST {url}"),
            result: String::new(),
            elapsed: Duration::ZERO,
            outcome: StepOutcome::Skipped,
            findings: vec![],
        };
        let resolved = match self.resolve(url).await {
            Ok(a) => a,
            Err(e) => {
                step.result = format!("{}: {e}", host_of(url).unwrap_or_default());
                step.elapsed = start.elapsed();
                self.skip_or_break(&mut step, broken_rule);
                return step;
            }
        };
        let body = crate::model::to_canonical(&make::outlook_request(address)).into_bytes();
        let client = match self.client(login_for) {
            Ok(c) => c,
            Err(e) => {
                step.result = format!("cannot set up the client: {e}");
                step.elapsed = start.elapsed();
                self.skip_or_break(&mut step, broken_rule);
                return step;
            }
        };
        let x: Exchange = client.post(url, body).await;
        step.elapsed = start.elapsed();
        match &x.outcome {
            Ok(a) => match endpoint_answer(a) {
                Some(summary) => {
                    step.result = format!("{resolved}: {summary}");
                    step.outcome = StepOutcome::Endpoint(url.to_owned());
                }
                None => {
                    step.result = format!(
                        "{resolved}: HTTP {} {} ({} bytes), not an Autodiscover answer",
                        a.status,
                        a.header("content-type").unwrap_or("(no Content-Type)"),
                        a.body.len()
                    );
                    self.skip_or_break(&mut step, broken_rule);
                }
            },
            Err(Failure::Connect(reason)) if is_cert_problem(reason) => {
                step.result = format!("{resolved}: TLS certificate refused: {}", short(reason));
                step.outcome = StepOutcome::Broken;
                step.findings.push(finding(
                    DISC_CERT_NAME,
                    format!(
                        "{url}: the certificate is not valid for {}: {}; Outlook shows a security warning or fails here instead of moving on",
                        host_of(url).unwrap_or_default(),
                        short(reason)
                    ),
                ));
                if let Some(r) = broken_rule {
                    step.findings.push(finding(
                        r,
                        format!(
                            "{url} does not serve Autodiscover over https with a valid certificate"
                        ),
                    ));
                }
            }
            Err(f) => {
                step.result = format!("{resolved}: {}", short(&describe_failure(f, x.elapsed)));
                self.skip_or_break(&mut step, broken_rule);
            }
        }
        step
    }

    fn skip_or_break(&self, step: &mut Step, broken_rule: Option<&'static Rule>) {
        match broken_rule {
            Some(r) => {
                step.outcome = StepOutcome::Broken;
                step.findings
                    .push(finding(r, format!("{}: {}", step.tried, step.result)));
            }
            None => {
                step.outcome = StepOutcome::Skipped;
                step.findings.push(finding(
                    DISC_STEP_TOLERATED,
                    format!(
                        "{}: {}; clients move on to the next candidate",
                        step.tried, step.result
                    ),
                ));
            }
        }
    }

    async fn get_step(&self, domain: &str, address: &str) -> Step {
        let start = Instant::now();
        let url = format!("http://autodiscover.{domain}{PATH}");
        let mut step = Step {
            method: Method::GetRedirect,
            tried: format!("GET {url}"),
            result: String::new(),
            elapsed: Duration::ZERO,
            outcome: StepOutcome::Skipped,
            findings: vec![],
        };
        let resolved = match self.resolve(&url).await {
            Ok(a) => a,
            Err(e) => {
                step.result = format!("autodiscover.{domain}: {e}");
                step.elapsed = start.elapsed();
                self.skip_or_break(&mut step, None);
                return step;
            }
        };
        let x = match self.client(None) {
            Ok(c) => c.get(&url).await,
            Err(e) => {
                step.result = format!("cannot set up the client: {e}");
                step.elapsed = start.elapsed();
                self.skip_or_break(&mut step, None);
                return step;
            }
        };
        let a = match &x.outcome {
            Ok(a) => a,
            Err(f) => {
                step.result = format!("{resolved}: {}", short(&describe_failure(f, x.elapsed)));
                step.elapsed = start.elapsed();
                self.skip_or_break(&mut step, None);
                return step;
            }
        };
        let location = match (a.status, a.header("location")) {
            (301 | 302 | 303 | 307 | 308, Some(l)) => url::Url::parse(&url)
                .and_then(|u| u.join(l))
                .map(|u| u.to_string())
                .unwrap_or_else(|_| l.to_owned()),
            _ => {
                step.result = format!(
                    "{resolved}: HTTP {} ({} bytes), no redirect",
                    a.status,
                    a.body.len()
                );
                step.elapsed = start.elapsed();
                self.skip_or_break(&mut step, None);
                return step;
            }
        };
        step.tried = format!("GET {url} → {location}");
        if !location.to_ascii_lowercase().starts_with("https://") {
            step.result = format!(
                "{resolved}: HTTP {} to {location}, which is not https",
                a.status
            );
            step.elapsed = start.elapsed();
            step.outcome = StepOutcome::Broken;
            step.findings.push(finding(
                DISC_GET_NOT_HTTPS,
                format!("the GET redirect names {location}; clients refuse to send credentials to a plain http URL"),
            ));
            return step;
        }
        let mut post = self
            .post_step(
                Method::GetRedirect,
                &location,
                address,
                Some(DISC_GET_NOT_HTTPS),
            )
            .await;
        post.tried = step.tried.clone();
        post.result = format!("{resolved}: HTTP {} → {}", a.status, post.result);
        post.elapsed = start.elapsed();
        if let Some(h) = host_of(&location) {
            if !within(&h, domain) {
                post.findings.push(finding(
                    DISC_REDIRECT_FOREIGN,
                    format!("the GET redirect leads to {h}, outside {domain}: Outlook asks the user before using it"),
                ));
            }
        }
        post
    }

    async fn srv_step(&self, domain: &str, address: &str) -> Step {
        let start = Instant::now();
        let name = format!("_autodiscover._tcp.{domain}");
        let records = self.routing.dns.srv(&name).await;
        let mut step = Step {
            method: Method::Srv,
            tried: format!("SRV {name}"),
            result: String::new(),
            elapsed: Duration::ZERO,
            outcome: StepOutcome::Skipped,
            findings: vec![],
        };
        let records = match records {
            Ok(r) => r,
            Err(e) => {
                step.result = e.to_string();
                step.elapsed = start.elapsed();
                self.skip_or_break(&mut step, None);
                return step;
            }
        };
        let listed: Vec<String> = records.iter().map(|r| r.to_string()).collect();
        let best = &records[0];
        let url = if best.port == 443 {
            format!("https://{}{PATH}", best.target)
        } else {
            format!("https://{}:{}{PATH}", best.target, best.port)
        };
        let mut post = self
            .post_step(Method::Srv, &url, address, Some(DISC_SRV_TARGET))
            .await;
        post.tried = format!("SRV {name} → {url}");
        post.result = format!("{} → {}", listed.join("; "), post.result);
        post.elapsed = start.elapsed();
        if !within(&best.target, domain) {
            post.findings.push(finding(
                DISC_REDIRECT_FOREIGN,
                format!(
                    "the SRV record points at {}, outside {domain}: Outlook asks the user before using it",
                    best.target
                ),
            ));
        }
        post
    }

    async fn walk(&self, address: &str) -> Walk {
        let domain = address
            .rsplit_once('@')
            .map(|(_, d)| d)
            .unwrap_or(address)
            .trim()
            .trim_end_matches('.')
            .to_ascii_lowercase();
        let steps = vec![
            self.post_step(
                Method::Domain,
                &format!("https://{domain}{PATH}"),
                address,
                None,
            )
            .await,
            self.post_step(
                Method::AutodiscoverHost,
                &format!("https://autodiscover.{domain}{PATH}"),
                address,
                None,
            )
            .await,
            self.get_step(&domain, address).await,
            self.srv_step(&domain, address).await,
        ];
        Walk {
            address: address.to_owned(),
            domain,
            steps,
        }
    }
}

/// A failure's own words, without the HTTP client's wrapping (`error sending request for url (...):
/// client error (Connect): ...`), cut to 240 characters.
fn short(s: &str) -> String {
    let s = match s.rfind("(Connect): ") {
        Some(i) => &s[i + "(Connect): ".len()..],
        None => s,
    };
    let s = s.replace('\n', " ");
    if s.chars().count() > 240 {
        let mut t: String = s.chars().take(240).collect();
        t.push('…');
        t
    } else {
        s
    }
}

/// The step table of a walk.
pub fn step_table(w: &Walk) -> Table {
    let chosen = w.chosen().map(|(i, _)| i);
    Table {
        columns: vec![
            "step".into(),
            "tried".into(),
            "result".into(),
            "time".into(),
            "verdict".into(),
        ],
        rows: w
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let verdict = match (&s.outcome, chosen == Some(i)) {
                    (StepOutcome::Endpoint(_), true) => "found: a client stops here".to_owned(),
                    (StepOutcome::Endpoint(_), false) => "found (not reached by a client)".into(),
                    (StepOutcome::Skipped, _) => "skipped by clients (info)".into(),
                    (StepOutcome::Broken, _) => {
                        let worst = s.findings.iter().map(|f| f.severity).max();
                        if worst == Some(Severity::Warning) {
                            "clients ask the user".into()
                        } else {
                            "clients fail or ask the user".into()
                        }
                    }
                };
                vec![
                    s.method.label().to_owned(),
                    s.tried.clone(),
                    s.result.clone(),
                    format!("{} ms", s.elapsed.as_millis()),
                    verdict,
                ]
            })
            .collect(),
    }
}

fn walk_unit(w: &Walk) -> Unit {
    let mut out = Outcome::default();
    for r in [
        DISC_NOTHING_FOUND,
        DISC_STEP_TOLERATED,
        DISC_CERT_NAME,
        DISC_REDIRECT_FOREIGN,
        DISC_SRV_TARGET,
        DISC_GET_NOT_HTTPS,
    ] {
        out.applied.insert(r.id);
    }
    for s in &w.steps {
        for f in &s.findings {
            let mut f = f.clone();
            f.message = format!("step {}: {}", s.method.label(), f.message);
            out.findings.push(f);
        }
    }
    if w.chosen().is_none() {
        out.findings.push(finding(
            DISC_NOTHING_FOUND,
            format!(
                "no step reached an Autodiscover endpoint for {}: a client asks the user for the server settings",
                w.address
            ),
        ));
    }
    let mut u = Unit::new(format!("discover/{}", w.address), None, out);
    u.description = Some(match w.chosen() {
        Some((i, url)) => format!(
            "how a client finds {}: step {} reaches {url}",
            w.address,
            w.steps[i].method.label()
        ),
        None => format!("how a client finds {}: nothing found", w.address),
    });
    u.table = Some(step_table(w));
    u
}

/// Walks every address, judges each endpoint found with `check`'s cases, and (when asked)
/// probes the advertised mail endpoints.
pub async fn run(options: &DiscoverOptions) -> Result<Discovery, CheckError> {
    let routing = options
        .client
        .routing
        .clone()
        .ok_or_else(|| CheckError::Setup("discovery needs a resolver (routing)".into()))?;
    // Fail early on a bad TLS setup rather than once per step.
    Client::new(options.client.clone()).map_err(CheckError::Setup)?;
    let walker = Arc::new(Walker {
        options: options.client.clone(),
        login: options.login.clone(),
        routing: routing.clone(),
    });
    let mut set = tokio::task::JoinSet::new();
    for (i, a) in options.addresses.iter().enumerate() {
        let (w, a) = (walker.clone(), a.clone());
        set.spawn(async move { (i, w.walk(&a).await) });
    }
    let mut walks = Vec::new();
    while let Some(r) = set.join_next().await {
        walks.push(r.map_err(|e| CheckError::Setup(format!("a walk failed: {e}")))?);
    }
    walks.sort_by_key(|(i, _)| *i);
    let walks: Vec<Walk> = walks.into_iter().map(|(_, w)| w).collect();
    let mut units: Vec<Unit> = walks.iter().map(walk_unit).collect();

    // One check run per endpoint found, for the addresses that found it.
    let mut endpoints: Vec<(String, String, Vec<String>, bool)> = Vec::new();
    for w in &walks {
        if let Some((i, url)) = w.chosen() {
            let derived = matches!(w.steps[i].method, Method::Domain | Method::AutodiscoverHost);
            match endpoints.iter_mut().find(|(u, _, _, _)| u == url) {
                Some(e) => e.2.push(w.address.clone()),
                None => endpoints.push((
                    url.to_owned(),
                    w.domain.clone(),
                    vec![w.address.clone()],
                    derived,
                )),
            }
        }
    }
    let several = endpoints.len() > 1;
    let mut answers: Vec<(String, String)> = Vec::new();
    for (url, domain, emails, derived) in &endpoints {
        let client = with_login(
            &options.client,
            &options.login,
            derived.then_some(url.as_str()),
        )
        .map_err(CheckError::Setup)?;
        let check = CheckOptions {
            target: Target {
                url: url.clone(),
                get_url: format!("http://autodiscover.{domain}{PATH}"),
                emails: emails.clone(),
                fixture: options.fixture.clone(),
                max_hops: 10,
                slow_body: Duration::from_secs_f64(crate::check::DEFAULT_SLOW_BODY),
            },
            client,
            total_timeout: options.total_timeout,
            concurrency: 4,
            partition: None,
            only: vec![],
            // The GET probe is a discovery method of its own, judged by the walk (step 3);
            // a domain that publishes another method need not answer it.
            skip: vec![glob::Pattern::new("redirect/get-probe/*").expect("a valid pattern")],
        };
        let case_units = super::run(&check).await?;
        for mut u in case_units {
            if let Some(email) = u.name.strip_prefix("settings/") {
                if let Some(src) = &u.source {
                    answers.push((email.to_owned(), src.clone()));
                }
            }
            u.name = if several {
                format!("check {}/{}", host_of(url).unwrap_or_default(), u.name)
            } else {
                format!("check/{}", u.name)
            };
            units.push(u);
        }
    }
    if options.probe_endpoints {
        let probes = probe::probe_answers(
            &answers,
            options.fixture.as_ref(),
            &routing,
            &options.client,
        )
        .await;
        units.extend(probes);
    }
    Ok(Discovery { walks, units })
}
