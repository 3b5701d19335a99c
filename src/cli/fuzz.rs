//! `fuzz`: the wire fuzzer's command line (progress bar, reproducers, exit code).

use super::{EXIT_FAIL, EXIT_OK, EXIT_USAGE};
use clap::Args;
use poxspec::fixture::Fixture;
use poxspec::live::{ClientOptions, Credentials};
use poxspec::server::{self, Fault, ServerOptions};
use poxspec::wirefuzz::{self, repro, FuzzOptions, FuzzOutcome, Progress};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FuzzFormat {
    Human,
    Json,
    Markdown,
    /// One self-contained page: the generator x target matrix with reproducers on click.
    Html,
}

#[derive(Debug, Clone, Args)]
pub struct FuzzArgs {
    /// The Autodiscover URL; without one, the embedded reference server (with any --fault).
    pub url: Option<String>,
    /// Seed of the request sequence (same seed, same requests in the same order).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Requests to send.
    #[arg(long, default_value_t = 1000)]
    pub count: u64,
    /// Stop sending after this many seconds, even before --count.
    #[arg(long, value_parser = positive_seconds)]
    pub duration: Option<f64>,
    /// Requests in flight at once (over kept-alive connections).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub concurrency: u16,
    /// Write reproducers to DIR/failures/NNNN.xml (+ NNNN.sh with a curl command) and DIR/fuzz.json.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Mailbox the server knows (repeatable; default: the fixture's mailboxes).
    #[arg(long = "email")]
    pub emails: Vec<String>,
    /// Fixture naming the mailboxes the server knows.
    #[arg(long)]
    pub fixture: Option<PathBuf>,
    /// User name for HTTP Basic authentication.
    #[arg(long, requires = "password_env")]
    pub user: Option<String>,
    /// Name of the environment variable holding the password (never printed).
    #[arg(long, requires = "user")]
    pub password_env: Option<String>,
    /// Send the credentials over plain http too (they are readable on the wire). Without it,
    /// --user with an http:// URL is refused.
    #[arg(long, requires = "user")]
    pub allow_http_auth: bool,
    /// Do not verify TLS certificates.
    #[arg(long)]
    pub insecure: bool,
    /// Per-request timeout in seconds; a slower answer is a `timeout` failure.
    #[arg(long, default_value_t = 5.0, value_parser = positive_seconds)]
    pub timeout: f64,
    /// Largest response body read, in bytes.
    #[arg(long, default_value_t = 1024 * 1024)]
    pub max_body: usize,
    /// Inject a fault into the embedded server (repeatable; only without a URL).
    #[arg(long = "fault", conflicts_with = "url")]
    pub faults: Vec<String>,
    /// Requests sent at most while shrinking one failure (0: no shrinking).
    #[arg(long, default_value_t = 300)]
    pub shrink_attempts: usize,
    /// Failure groups (class x generator) shrunk at most.
    #[arg(long, default_value_t = 50)]
    pub max_reproducers: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FuzzFormat::Human)]
    pub format: FuzzFormat,
    /// Write the report here instead of standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub compare: super::compare::CompareArgs,
}

fn positive_seconds(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("{s:?} is not a number of seconds"))?;
    if v.is_finite() && v > 0.0 && v <= 1e9 {
        Ok(v)
    } else {
        Err(format!("{s} is out of range: give seconds > 0"))
    }
}

/// A progress bar on a terminal; plain lines (one per 10% or so) otherwise.
pub(super) enum Bar {
    Terminal(indicatif::ProgressBar),
    Plain {
        total: u64,
        next: std::sync::atomic::AtomicU64,
    },
}

impl Bar {
    pub(super) fn new(total: u64) -> Bar {
        if std::io::stderr().is_terminal() {
            let b = indicatif::ProgressBar::new(total);
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "{elapsed_precise} [{bar:40}] {pos}/{len} {per_sec} {msg}",
                )
                .expect("a valid template")
                .progress_chars("=> "),
            );
            Bar::Terminal(b)
        } else {
            Bar::Plain {
                total,
                next: std::sync::atomic::AtomicU64::new((total / 10).max(1)),
            }
        }
    }

    pub(super) fn finish(&self) {
        if let Bar::Terminal(b) = self {
            b.finish_and_clear();
        }
    }
}

impl Progress for Bar {
    fn sent(&self, sent: u64, failed: u64) {
        match self {
            Bar::Terminal(b) => {
                b.set_position(sent);
                b.set_message(format!("{failed} failed"));
            }
            Bar::Plain { total, next } => {
                use std::sync::atomic::Ordering;
                let n = next.load(Ordering::Relaxed);
                if sent >= n || sent == *total {
                    next.store(sent + (total / 10).max(1), Ordering::Relaxed);
                    eprintln!("fuzz: {sent}/{total} requests, {failed} failed");
                }
            }
        }
    }

    fn phase(&self, message: &str) {
        match self {
            Bar::Terminal(b) => b.println(format!("fuzz: {message}")),
            Bar::Plain { .. } => eprintln!("fuzz: {message}"),
        }
    }
}

fn fixture(path: &Option<PathBuf>) -> Result<Option<Fixture>, String> {
    let Some(p) = path else { return Ok(None) };
    let text =
        std::fs::read_to_string(p).map_err(|e| format!("{}: cannot read: {e}", p.display()))?;
    Fixture::parse(&p.display().to_string(), &text)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// Runs a fuzzing session; errors are (exit code, message).
pub async fn fuzz_run(
    args: &FuzzArgs,
    progress: &dyn Progress,
) -> Result<FuzzOutcome, (i32, String)> {
    let usage = |m: String| (EXIT_USAGE, m);
    let fixture = fixture(&args.fixture).map_err(usage)?;
    let login = match (&args.user, &args.password_env) {
        (Some(u), Some(var)) => Some((
            u.clone(),
            std::env::var(var).map_err(|_| {
                usage(format!(
                    "--password-env: the environment variable {var} is not set"
                ))
            })?,
        )),
        _ => None,
    };
    let mut faults = Vec::new();
    for name in &args.faults {
        faults
            .push(Fault::from_name(name).ok_or_else(|| {
                usage(format!("unknown fault {name:?}; see serve --list-faults"))
            })?);
    }
    let client = ClientOptions {
        trust: poxspec::live::tls::Trust {
            insecure: args.insecure,
            extra_roots: vec![],
        },
        timeout: Duration::from_secs_f64(args.timeout),
        body_cap: args.max_body,
        credentials: None,
        routing: None,
    };
    let mut embedded = None;
    let (url, client, fixture) = match &args.url {
        Some(u) => {
            url::Url::parse(u).map_err(|e| usage(format!("{u}: not a URL: {e}")))?;
            (u.clone(), client, fixture)
        }
        None => {
            let fixture = fixture.unwrap_or_else(Fixture::builtin);
            let s = server::start(ServerOptions {
                fixture: fixture.clone(),
                faults,
                slow: Duration::from_secs_f64(args.timeout * 2.0),
                ..ServerOptions::local()
            })
            .await
            .map_err(|e| usage(e.to_string()))?;
            let r = (
                s.url(),
                ClientOptions {
                    trust: poxspec::live::tls::Trust {
                        extra_roots: vec![s.certificate_der.clone()],
                        ..client.trust
                    },
                    ..client
                },
                Some(fixture),
            );
            embedded = Some(s);
            r
        }
    };
    // Bound to the origin of the URL the user named: the client sends them nowhere else.
    let credentials = login
        .map(|(user, password)| Credentials::new(user, password, &url, args.allow_http_auth))
        .transpose()
        .map_err(|e| usage(e.to_string()))?;
    let client = ClientOptions {
        credentials,
        ..client
    };
    let emails = if args.emails.is_empty() {
        fixture
            .map(|f| f.mailboxes.iter().map(|m| m.address().to_owned()).collect())
            .unwrap_or_default()
    } else {
        args.emails.clone()
    };
    let mut opts = FuzzOptions::new(url, args.seed, client);
    opts.count = args.count;
    opts.duration = args.duration.map(Duration::from_secs_f64);
    opts.concurrency = args.concurrency.into();
    opts.emails = emails;
    opts.shrink_attempts = args.shrink_attempts;
    opts.max_reproducers = if args.shrink_attempts == 0 {
        0
    } else {
        args.max_reproducers
    };
    let result = wirefuzz::fuzz(&opts, progress).await;
    if let Some(s) = &embedded {
        s.shutdown();
    }
    let mut outcome = result.map_err(|e| usage(e.to_string()))?;
    if embedded.is_some() {
        outcome.note = Some("embedded reference server".into());
    }
    Ok(outcome)
}

/// Writes the reproducers of a run made with `args` into `dir`.
pub fn write_reproducers(
    args: &FuzzArgs,
    dir: &std::path::Path,
    outcome: &mut FuzzOutcome,
) -> Result<(), String> {
    let curl = repro::CurlOptions {
        user: args.user.clone(),
        insecure: args.insecure || args.url.is_none() && !args.compare.active(),
        ca_file: None,
        connect_to: vec![],
        timeout: Duration::from_secs_f64(args.timeout),
    };
    repro::write(dir, outcome, &curl).map_err(|e| format!("{}: cannot write: {e}", dir.display()))
}

/// A Tokio runtime for one command.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime starts")
}

pub(super) fn fuzz(args: &FuzzArgs) -> i32 {
    if args.compare.active() {
        return super::compare::fuzz_many(args);
    }
    let rt = runtime();
    let bar = Bar::new(args.count);
    let result = rt.block_on(fuzz_run(args, &bar));
    bar.finish();
    let mut outcome = match result {
        Ok(o) => o,
        Err((code, msg)) => {
            eprintln!("poxspec fuzz: {msg}");
            return code;
        }
    };
    if let Some(dir) = &args.out {
        if let Err(e) = write_reproducers(args, dir, &mut outcome) {
            eprintln!("{e}");
            return EXIT_USAGE;
        }
    }
    let text = match args.format {
        FuzzFormat::Human => wirefuzz::render::human(&outcome),
        FuzzFormat::Json => wirefuzz::render::json(&outcome) + "\n",
        FuzzFormat::Markdown => wirefuzz::render::markdown(&outcome),
        FuzzFormat::Html => poxspec::report::html::render_html(&wirefuzz::render::matrix(&[(
            "target".to_owned(),
            outcome.target.clone(),
            Ok(outcome.clone()),
        )])),
    };
    match &args.output {
        Some(p) => {
            if let Err(e) = std::fs::write(p, &text) {
                eprintln!("{}: cannot write: {e}", p.display());
                return EXIT_USAGE;
            }
            eprintln!("{}", text.lines().next().unwrap_or_default());
        }
        None => print!("{text}"),
    }
    if outcome.passes() {
        EXIT_OK
    } else {
        EXIT_FAIL
    }
}
