//! A check run as `poxspec check` makes it: settings in, a report out. Without a URL it starts
//! the embedded reference server on loopback (optionally with faults) and checks that; this
//! module is where the checker (`live`) and the server meet, so neither knows the other.

use crate::fixture::Fixture;
use crate::live::{self, CheckOptions, ClientOptions, Credentials, Target};
use crate::report::Report;
use crate::server::{self, Fault, ServerOptions};
use std::path::PathBuf;
use std::time::Duration;

/// Default per-request timeout, seconds.
pub const DEFAULT_TIMEOUT: f64 = 10.0;
/// Default budget for the whole run, seconds.
pub const DEFAULT_TOTAL_TIMEOUT: f64 = 300.0;
/// Default cap on a response body, bytes.
pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;
/// Default number of cases in flight.
pub const DEFAULT_CONCURRENCY: usize = 4;
/// Longest per-request timeout accepted, seconds (an hour: longer is a hang, not a timeout).
pub const MAX_TIMEOUT: f64 = 3600.0;
/// Longest run budget accepted, seconds (a day).
pub const MAX_TOTAL_TIMEOUT: f64 = 86_400.0;
/// Default slow-body window, seconds.
pub const DEFAULT_SLOW_BODY: f64 = 10.0;
/// Longest slow-body window accepted, seconds.
pub const MAX_SLOW_BODY: f64 = 600.0;
/// Most cases in flight accepted.
pub const MAX_CONCURRENCY: usize = 1024;

/// Everything a check run needs. With the `cli` feature these are `poxspec check`'s options.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
pub struct CheckSettings {
    /// The Autodiscover URL; without one, the embedded reference server is started and checked.
    pub url: Option<String>,
    /// Fixture with the mailboxes and their SMTP AUTH states (default: the built-in one for
    /// the embedded server; none for a URL).
    #[cfg_attr(feature = "cli", arg(long))]
    pub fixture: Option<PathBuf>,
    /// Mailbox to ask for (repeatable; default: every fixture mailbox).
    #[cfg_attr(feature = "cli", arg(long = "email"))]
    pub emails: Vec<String>,
    /// User name for HTTP Basic authentication.
    #[cfg_attr(feature = "cli", arg(long, requires = "password_env"))]
    pub user: Option<String>,
    /// Name of the environment variable holding the password (never printed).
    #[cfg_attr(feature = "cli", arg(long, requires = "user"))]
    pub password_env: Option<String>,
    /// Send the credentials over plain http too (they are readable on the wire). Without it,
    /// --user with an http:// URL is refused.
    #[cfg_attr(feature = "cli", arg(long, requires = "user"))]
    pub allow_http_auth: bool,
    /// Do not verify TLS certificates: the other cases run, the tls/ cases show the
    /// certificate's problems without judging them, and the report says verification was off.
    #[cfg_attr(feature = "cli", arg(long))]
    pub insecure: bool,
    /// Trust the CA certificates in this PEM file too (a private CA on staging; repeatable).
    #[cfg_attr(feature = "cli", arg(long = "ca-file", value_name = "PEM"))]
    pub ca_files: Vec<PathBuf>,
    /// HOST1:PORT1:HOST2:PORT2 (curl's syntax): connect to HOST2:PORT2 for requests to
    /// HOST1:PORT1; an empty part matches any (1, 2) or keeps the request's (3, 4). Host
    /// header, SNI and the certificate name stay the URL's. Repeatable; the first match wins.
    #[cfg_attr(
        feature = "cli",
        arg(long = "connect-to", value_name = "HOST1:PORT1:HOST2:PORT2")
    )]
    pub connect_to: Vec<live::route::ConnectTo>,
    /// HOST:PORT:ADDR[,ADDR...] (curl's syntax): use these addresses for HOST:PORT instead of
    /// DNS (HOST may be *). Repeatable.
    #[cfg_attr(feature = "cli", arg(long, value_name = "HOST:PORT:ADDR"))]
    pub resolve: Vec<live::route::ResolveTo>,
    /// Per-request timeout in seconds (0.001 to 3600).
    #[cfg_attr(feature = "cli", arg(long, default_value_t = DEFAULT_TIMEOUT, value_parser = parse_timeout))]
    pub timeout: f64,
    /// Budget for the whole run in seconds (0.001 to 86400).
    #[cfg_attr(feature = "cli", arg(long, default_value_t = DEFAULT_TOTAL_TIMEOUT, value_parser = parse_total_timeout))]
    pub total_timeout: f64,
    /// Largest response body read, in bytes.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = DEFAULT_MAX_BODY))]
    pub max_body: usize,
    /// Cases in flight at once (1 to 1024).
    #[cfg_attr(feature = "cli", arg(long, default_value_t = DEFAULT_CONCURRENCY, value_parser = parse_concurrency))]
    pub concurrency: usize,
    /// Run partition K of N (e.g. 2/4), for sharding across CI jobs.
    #[cfg_attr(feature = "cli", arg(long, value_parser = parse_partition))]
    pub partition: Option<(usize, usize)>,
    /// Run only cases whose ID matches this glob (repeatable).
    #[cfg_attr(feature = "cli", arg(long))]
    pub only: Vec<glob::Pattern>,
    /// Skip cases whose ID matches this glob (repeatable).
    #[cfg_attr(feature = "cli", arg(long))]
    pub skip: Vec<glob::Pattern>,
    /// URL of the unauthenticated GET probe (default: http:// on the URL's host).
    #[cfg_attr(feature = "cli", arg(long))]
    pub get_url: Option<String>,
    /// Fail on warnings too.
    #[cfg_attr(feature = "cli", arg(long))]
    pub strict: bool,
    /// Known failures (TOML: [[expect-fail]] case = GLOB, reason = TEXT): matching cases that
    /// fail are reported as expected failures; one that passes fails the run ("fixed: remove
    /// it from FILE").
    #[cfg_attr(feature = "cli", arg(long, value_name = "FILE"))]
    pub expect_fail: Option<PathBuf>,
    /// How long the slow-body case sends one byte per second before giving up on the server
    /// cutting it off, in seconds (1 to 600).
    #[cfg_attr(feature = "cli", arg(long, value_name = "SECS", default_value_t = DEFAULT_SLOW_BODY, value_parser = parse_slow_body))]
    pub slow_body: f64,
    /// Credentials set by the program rather than the command line: `selftest` checks with
    /// them so that faults about credentials (echoed, sent cross-origin) can be detected.
    #[cfg_attr(feature = "cli", arg(skip))]
    pub program_login: Option<(String, String)>,
}

impl Default for CheckSettings {
    /// The embedded server, every fixture mailbox, the documented defaults, not strict.
    fn default() -> Self {
        CheckSettings {
            url: None,
            fixture: None,
            emails: vec![],
            user: None,
            password_env: None,
            allow_http_auth: false,
            insecure: false,
            ca_files: vec![],
            connect_to: vec![],
            resolve: vec![],
            timeout: DEFAULT_TIMEOUT,
            total_timeout: DEFAULT_TOTAL_TIMEOUT,
            max_body: DEFAULT_MAX_BODY,
            concurrency: DEFAULT_CONCURRENCY,
            partition: None,
            only: vec![],
            skip: vec![],
            get_url: None,
            strict: false,
            expect_fail: None,
            slow_body: DEFAULT_SLOW_BODY,
            program_login: None,
        }
    }
}

/// `--timeout`: 0.001 to [`MAX_TIMEOUT`] seconds.
pub fn parse_timeout(s: &str) -> Result<f64, String> {
    crate::input::parse_seconds(s, 0.001, MAX_TIMEOUT)
}

/// `--total-timeout`: 0.001 to [`MAX_TOTAL_TIMEOUT`] seconds.
pub fn parse_total_timeout(s: &str) -> Result<f64, String> {
    crate::input::parse_seconds(s, 0.001, MAX_TOTAL_TIMEOUT)
}

/// `--slow-body`: 1 to [`MAX_SLOW_BODY`] seconds.
pub fn parse_slow_body(s: &str) -> Result<f64, String> {
    crate::input::parse_seconds(s, 1.0, MAX_SLOW_BODY)
}

/// `--concurrency`: 1 to [`MAX_CONCURRENCY`].
pub fn parse_concurrency(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_CONCURRENCY).contains(&n) => Ok(n),
        _ => Err(format!(
            "{s} is out of range: give a whole number from 1 to {MAX_CONCURRENCY}"
        )),
    }
}

/// `--partition K/N` with `1 <= K <= N`.
pub fn parse_partition(s: &str) -> Result<(usize, usize), String> {
    let (k, n) = s.split_once('/').ok_or("expected K/N, e.g. 1/4")?;
    let (k, n): (usize, usize) = (
        k.parse().map_err(|_| "K is not a number")?,
        n.parse().map_err(|_| "N is not a number")?,
    );
    if n == 0 || k == 0 || k > n {
        return Err(format!("partition {k}/{n} is out of range (1 <= K <= N)"));
    }
    Ok((k, n))
}

/// The seconds as a [`Duration`], clamped into what the parsers accept (settings built
/// in code bypass the parser; `Duration::from_secs_f64` panics on infinity).
fn duration(seconds: f64, max: f64) -> Duration {
    let s = if seconds.is_nan() { max } else { seconds };
    Duration::from_secs_f64(s.clamp(0.001, max))
}

/// The embedded server's faults, for a check without a URL.
#[derive(Debug, Clone)]
pub struct Embedded {
    /// Faults to inject.
    pub faults: Vec<Fault>,
    /// How long the `slow-response` fault waits.
    pub slow: Duration,
}

impl Default for Embedded {
    /// No faults; `slow-response` waits 15 s.
    fn default() -> Self {
        Embedded {
            faults: vec![],
            slow: Duration::from_secs(15),
        }
    }
}

/// Why a check could not run (each a usage problem: the endpoint's answers are findings).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The fixture file could not be loaded.
    #[error(transparent)]
    Fixture(#[from] crate::fixture::FixtureError),
    /// `--password-env` names a variable that is not set.
    #[error("--password-env: the environment variable {0} is not set")]
    PasswordEnv(String),
    /// The URL does not parse.
    #[error("{url}: not a URL: {reason}")]
    Url {
        /// The URL given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The embedded reference server could not start.
    #[error(transparent)]
    Server(#[from] server::ServerError),
    /// The credentials cannot be bound to the URL's origin (no origin, or plain http without
    /// `--allow-http-auth`).
    #[error(transparent)]
    Credentials(#[from] live::CredentialsError),
    /// A URL was given with neither mailboxes nor a fixture.
    #[error("name the mailboxes to ask for with --email (or give a --fixture)")]
    NoMailboxes,
    /// A `--ca-file` could not be used.
    #[error(transparent)]
    CaFile(#[from] live::tls::CaFileError),
    /// The `--expect-fail` file could not be used.
    #[error(transparent)]
    ExpectFail(#[from] live::expect::ExpectFailError),
    /// The checker could not run (client setup, endpoint unreachable).
    #[error(transparent)]
    Check(#[from] live::CheckError),
}

/// Runs a check: the URL in `settings`, or the embedded server with `embedded`'s faults.
/// The report's context names the target, the faults and the partition.
pub async fn run(settings: &CheckSettings, embedded: &Embedded) -> Result<Report, RunError> {
    let fixture = settings.fixture.as_deref().map(Fixture::load).transpose()?;
    let expect_fail = settings
        .expect_fail
        .as_deref()
        .map(live::expect::ExpectFail::load)
        .transpose()?;
    let login = match (&settings.user, &settings.password_env) {
        (Some(u), Some(var)) => Some((
            u.clone(),
            std::env::var(var).map_err(|_| RunError::PasswordEnv(var.clone()))?,
        )),
        _ => settings.program_login.clone(),
    };
    let mut started = None;
    let (url, get_url, fixture, extra_root) = match &settings.url {
        Some(u) => {
            let parsed = url::Url::parse(u).map_err(|e| RunError::Url {
                url: u.clone(),
                reason: e.to_string(),
            })?;
            let get = settings.get_url.clone().unwrap_or_else(|| {
                format!(
                    "http://{}/autodiscover/autodiscover.xml",
                    parsed.host_str().unwrap_or("localhost")
                )
            });
            (u.clone(), get, fixture, None)
        }
        None => {
            let fixture = fixture.unwrap_or_else(Fixture::builtin);
            let s = server::start(ServerOptions {
                fixture: fixture.clone(),
                faults: embedded.faults.clone(),
                slow: embedded.slow,
                // Like Exchange, the embedded server requires authentication; the check logs
                // in with the fixture's credentials unless others are given.
                require_auth: Some(server::AuthMode::Basic),
                ..ServerOptions::local()
            })
            .await?;
            let r = (
                s.url(),
                format!("{}/autodiscover/autodiscover.xml", s.http_base),
                Some(fixture),
                Some(s.certificate_der.clone()),
            );
            started = Some(s);
            r
        }
    };
    let login = match (login, &started, &fixture) {
        (None, Some(_), Some(f)) => f.credentials(),
        (login, _, _) => login,
    };
    // Bound to the origin of the URL the user named: the client sends them nowhere else.
    let credentials = login
        .map(|(user, password)| Credentials::new(user, password, &url, settings.allow_http_auth))
        .transpose()?;
    let emails = if !settings.emails.is_empty() {
        settings.emails.clone()
    } else if let Some(f) = &fixture {
        f.mailboxes.iter().map(|m| m.address().to_owned()).collect()
    } else {
        return Err(RunError::NoMailboxes);
    };
    let mut extra_roots: Vec<Vec<u8>> = extra_root.into_iter().collect();
    for f in &settings.ca_files {
        extra_roots.extend(live::tls::load_ca_file(f)?);
    }
    // With overrides, names resolve through hickory with the system configuration (as
    // discover does); without, through the system resolver.
    let routing = if settings.connect_to.is_empty() && settings.resolve.is_empty() {
        None
    } else {
        let dns = live::route::Dns::new(
            live::route::DnsSource::System,
            duration(settings.timeout, MAX_TIMEOUT),
        )
        .map_err(|e| live::CheckError::Setup(format!("DNS: {e}")))?;
        Some(std::sync::Arc::new(live::route::Routing {
            dns,
            connect_to: settings.connect_to.clone(),
            resolve: settings.resolve.clone(),
        }))
    };
    let options = CheckOptions {
        target: Target {
            url: url.clone(),
            get_url,
            emails,
            fixture,
            max_hops: 10,
            slow_body: duration(settings.slow_body, MAX_SLOW_BODY),
        },
        client: ClientOptions {
            trust: live::tls::Trust {
                insecure: settings.insecure,
                extra_roots,
            },
            timeout: duration(settings.timeout, MAX_TIMEOUT),
            body_cap: settings.max_body,
            credentials,
            routing: routing.clone(),
        },
        total_timeout: duration(settings.total_timeout, MAX_TOTAL_TIMEOUT),
        concurrency: settings.concurrency,
        partition: settings.partition,
        only: settings.only.clone(),
        skip: settings.skip.clone(),
    };
    let result = live::run(&options).await;
    if let Some(s) = &started {
        s.shutdown();
    }
    let mut units = result?;
    let unmatched = expect_fail
        .as_ref()
        .map(|x| x.apply(&mut units))
        .unwrap_or_default();
    let mut report = Report::new("case", settings.strict, units);
    if let Some(x) = &expect_fail {
        report.context.push(("expect-fail".into(), x.file.clone()));
        if !unmatched.is_empty() {
            report.context.push((
                "expect-fail entries matching no case run".into(),
                unmatched.join("; "),
            ));
        }
    }
    report.context.push((
        "target".into(),
        if started.is_some() {
            format!("{url} (embedded reference server)")
        } else {
            url
        },
    ));
    if settings.insecure {
        report.context.push((
            "tls_verification".into(),
            "off (--insecure): certificates are neither verified nor judged".into(),
        ));
    }
    if !settings.ca_files.is_empty() {
        report.context.push((
            "ca_files".into(),
            settings
                .ca_files
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    if let Some(r) = routing.as_ref().and_then(|r| r.describe()) {
        report.context.push(("routing".into(), r));
    }
    if !embedded.faults.is_empty() {
        report.context.push((
            "faults".into(),
            embedded
                .faults
                .iter()
                .map(|f| f.def().name)
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    if let Some((k, n)) = settings.partition {
        report
            .context
            .push(("partition".into(), format!("{k}/{n}")));
    }
    Ok(report)
}

/// A multi-threaded Tokio runtime for the blocking entry points.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
}

/// [`run`] on a runtime of its own, for callers without one.
pub fn run_blocking(settings: &CheckSettings, embedded: &Embedded) -> Result<Report, RunError> {
    let rt = runtime().map_err(|e| RunError::Check(live::CheckError::Setup(e.to_string())))?;
    rt.block_on(run(settings, embedded))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_refuse_infinity_nan_and_out_of_range() {
        for bad in ["inf", "-inf", "NaN", "1e30", "0", "-1", "3600.5", "ten"] {
            assert!(parse_timeout(bad).is_err(), "{bad} accepted");
        }
        assert_eq!(parse_timeout("0.001"), Ok(0.001));
        assert_eq!(parse_timeout("3600"), Ok(3600.0));
        assert_eq!(parse_total_timeout("86400"), Ok(86_400.0));
        assert!(parse_timeout("inf").unwrap_err().contains("0.001 to 3600"));
    }

    #[test]
    fn concurrency_and_partition_ranges() {
        assert!(parse_concurrency("0").is_err());
        assert!(parse_concurrency("1025").is_err());
        assert_eq!(parse_concurrency("8"), Ok(8));
        assert!(parse_partition("0/4").is_err());
        assert!(parse_partition("5/4").is_err());
        assert_eq!(parse_partition("2/4"), Ok((2, 4)));
    }

    #[test]
    fn settings_built_in_code_never_panic_on_durations() {
        assert_eq!(duration(f64::INFINITY, 60.0), Duration::from_secs(60));
        assert_eq!(duration(f64::NAN, 60.0), Duration::from_secs(60));
        assert_eq!(duration(-5.0, 60.0), Duration::from_millis(1));
    }
}
