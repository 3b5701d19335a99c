//! A check run as `poxspec check` makes it: settings in, a report out. Without a URL it starts
//! the embedded reference server on loopback (optionally with faults) and checks that; this
//! module is where the checker (`live`) and the server meet, so neither knows the other.

use crate::fixture::Fixture;
use crate::live::{self, CheckOptions, Target};
use crate::report::{Report, Unit};
use crate::server::{self, Fault, ServerOptions};
use std::path::PathBuf;
use std::time::Duration;

pub use crate::live::client_args::{parse_timeout, DEFAULT_MAX_BODY, DEFAULT_TIMEOUT, MAX_TIMEOUT};
/// Default budget for the whole run, seconds.
pub const DEFAULT_TOTAL_TIMEOUT: f64 = 300.0;
/// Default number of cases in flight.
pub const DEFAULT_CONCURRENCY: usize = 4;
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
    /// Credentials, TLS trust, routing and limits (shared with `discover` and `fuzz`).
    #[cfg_attr(feature = "cli", command(flatten))]
    pub client: live::ClientArgs,
    /// Budget for the whole run in seconds (0.001 to 86400).
    #[cfg_attr(feature = "cli", arg(long, default_value_t = DEFAULT_TOTAL_TIMEOUT, value_parser = parse_total_timeout))]
    pub total_timeout: f64,
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
            client: live::ClientArgs::default(),
            total_timeout: DEFAULT_TOTAL_TIMEOUT,
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
    /// The client options could not be used (password variable, CA file, resolver,
    /// credentials over plain http).
    #[error(transparent)]
    Client(#[from] live::client_args::ClientArgsError),
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
    /// A URL was given with neither mailboxes nor a fixture.
    #[error("name the mailboxes to ask for with --email (or give a --fixture)")]
    NoMailboxes,
    /// The `--expect-fail` file could not be used.
    #[error(transparent)]
    ExpectFail(#[from] live::expect::ExpectFailError),
    /// The checker could not run (client setup, endpoint unreachable).
    #[error(transparent)]
    Check(#[from] live::CheckError),
}

/// A check ready to run: its options, the embedded server it started (if any), the
/// expect-fail list, and what the report says about the run before any case has run.
pub struct PreparedCheck {
    options: CheckOptions,
    started: Option<server::RunningServer>,
    expect_fail: Option<live::expect::ExpectFail>,
    /// Whether warnings fail.
    pub strict: bool,
    /// The report's context known before the run: the target, TLS, routing, faults,
    /// partition, and selection patterns that match no case.
    pub context: Vec<(String, String)>,
}

/// Runs a check: the URL in `settings`, or the embedded server with `embedded`'s faults.
/// The report's context names the target, the faults and the partition.
pub async fn run(settings: &CheckSettings, embedded: &Embedded) -> Result<Report, RunError> {
    let prepared = prepare(settings, embedded).await?;
    let (strict, mut context) = (prepared.strict, prepared.context.clone());
    let mut units = Vec::new();
    context.extend(prepared.execute(|u| units.push(u)).await?);
    let mut report = Report::new("case", strict, units);
    report.context = context;
    Ok(report)
}

impl PreparedCheck {
    /// Runs the cases and hands each unit, with the expect-fail list applied, to `on_unit` in
    /// catalogue order as it finishes; stops the embedded server. Returns the context only
    /// known at the end (expect-fail entries that matched no case).
    pub async fn execute(
        self,
        mut on_unit: impl FnMut(Unit),
    ) -> Result<Vec<(String, String)>, RunError> {
        let mut used = vec![false; self.expect_fail.as_ref().map_or(0, |x| x.len())];
        let result = live::run_each(&self.options, |mut u| {
            if let Some(x) = &self.expect_fail {
                x.judge(&mut u, &mut used);
            }
            on_unit(u);
        })
        .await;
        if let Some(s) = &self.started {
            s.shutdown();
        }
        result?;
        let unmatched = self
            .expect_fail
            .as_ref()
            .map(|x| x.unmatched(&used))
            .unwrap_or_default();
        Ok(if unmatched.is_empty() {
            vec![]
        } else {
            vec![(
                "expect-fail entries matching no case run".into(),
                unmatched.join("; "),
            )]
        })
    }
}

/// Sets a check up without running a case: loads the fixture and the expect-fail list,
/// starts the embedded server when no URL is given, and builds the client options.
pub async fn prepare(
    settings: &CheckSettings,
    embedded: &Embedded,
) -> Result<PreparedCheck, RunError> {
    let fixture = settings.fixture.as_deref().map(Fixture::load).transpose()?;
    let expect_fail = settings
        .expect_fail
        .as_deref()
        .map(live::expect::ExpectFail::load)
        .transpose()?;
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
    let emails = if !settings.emails.is_empty() {
        settings.emails.clone()
    } else if let Some(f) = &fixture {
        f.mailboxes.iter().map(|m| m.address().to_owned()).collect()
    } else {
        return Err(RunError::NoMailboxes);
    };
    // Like Exchange, the embedded server requires authentication; the check logs in with the
    // fixture's credentials unless others are given. Credentials are bound to the origin of
    // the URL the user named: the client sends them nowhere else.
    let program_login = match (&settings.program_login, &started, &fixture) {
        (Some(l), _, _) => Some(l.clone()),
        (None, Some(_), Some(f)) => f.credentials(),
        _ => None,
    };
    let client = settings.client.options(
        Some(&url),
        live::client_args::Extra {
            root: extra_root,
            login: program_login,
            ..Default::default()
        },
    )?;
    let options = CheckOptions {
        target: Target {
            url: url.clone(),
            get_url,
            emails,
            fixture,
            max_hops: 10,
            slow_body: duration(settings.slow_body, MAX_SLOW_BODY),
        },
        client: client.clone(),
        total_timeout: duration(settings.total_timeout, MAX_TOTAL_TIMEOUT),
        concurrency: settings.concurrency,
        partition: settings.partition,
        only: settings.only.clone(),
        skip: settings.skip.clone(),
    };
    let mut context = Vec::new();
    if let Some(x) = &expect_fail {
        context.push(("expect-fail".into(), x.file.clone()));
    }
    context.push((
        "target".into(),
        if started.is_some() {
            format!("{url} (embedded reference server)")
        } else {
            url
        },
    ));
    context.extend(settings.client.context(&client));
    if !embedded.faults.is_empty() {
        context.push((
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
        context.push(("partition".into(), format!("{k}/{n}")));
    }
    let unmatched = live::unmatched_patterns(&options);
    if !unmatched.is_empty() {
        context.push((
            "selection patterns matching no case".into(),
            unmatched.join("; "),
        ));
    }
    Ok(PreparedCheck {
        options,
        started,
        expect_fail,
        strict: settings.strict,
        context,
    })
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
