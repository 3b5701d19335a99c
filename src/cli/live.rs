//! `check`, `serve` and `selftest`.

use super::{EXIT_FAIL, EXIT_OK, EXIT_USAGE};
use clap::Args;
use poxspec::live::{self, CheckOptions, ClientOptions, Credentials, Target};
use poxspec::report::{self, Format, Report, Unit};
use poxspec::server::{self, Fault, Fixture, ServerOptions, FAULTS};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// The Autodiscover URL; without one, the embedded reference server is started and checked.
    pub url: Option<String>,
    /// Fixture with the mailboxes and their SMTP AUTH states (default: the built-in one for
    /// the embedded server; none for a URL).
    #[arg(long)]
    pub fixture: Option<PathBuf>,
    /// Mailbox to ask for (repeatable; default: every fixture mailbox).
    #[arg(long = "email")]
    pub emails: Vec<String>,
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
    /// Per-request timeout in seconds.
    #[arg(long, default_value_t = 10.0)]
    pub timeout: f64,
    /// Budget for the whole run in seconds.
    #[arg(long, default_value_t = 300.0)]
    pub total_timeout: f64,
    /// Largest response body read, in bytes.
    #[arg(long, default_value_t = 1024 * 1024)]
    pub max_body: usize,
    /// Cases in flight at once.
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// Run partition K of N (e.g. 2/4), for sharding across CI jobs.
    #[arg(long, value_parser = parse_partition)]
    pub partition: Option<(usize, usize)>,
    /// Run only cases whose ID matches this glob (repeatable).
    #[arg(long)]
    pub only: Vec<glob::Pattern>,
    /// Skip cases whose ID matches this glob (repeatable).
    #[arg(long)]
    pub skip: Vec<glob::Pattern>,
    /// URL of the unauthenticated GET probe (default: http:// on the URL's host).
    #[arg(long)]
    pub get_url: Option<String>,
    /// Fail on warnings too.
    #[arg(long)]
    pub strict: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report here instead of standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Credentials set by the program rather than the command line: `selftest` checks with
    /// them so that faults about credentials (echoed, sent cross-origin) can be detected.
    #[arg(skip)]
    pub program_login: Option<(String, String)>,
    #[command(flatten)]
    pub compare: super::compare::CompareArgs,
}

fn parse_partition(s: &str) -> Result<(usize, usize), String> {
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

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime starts")
}

fn load_fixture(path: &Option<PathBuf>) -> Result<Option<Fixture>, String> {
    match path {
        None => Ok(None),
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| format!("{}: cannot read: {e}", p.display()))?;
            Fixture::parse(&p.display().to_string(), &text)
                .map(Some)
                .map_err(|e| e.to_string())
        }
    }
}

/// The outcome of a check run, for the CLI and for selftest.
pub struct CheckRun {
    pub report: Report,
}

/// Runs a check (starting the embedded server when no URL is given).
pub async fn check_run(
    args: &CheckArgs,
    faults: &[Fault],
    slow: Duration,
) -> Result<CheckRun, (i32, String)> {
    let usage = |m: String| (EXIT_USAGE, m);
    let fixture = load_fixture(&args.fixture).map_err(usage)?;
    let login = match (&args.user, &args.password_env) {
        (Some(u), Some(var)) => Some((
            u.clone(),
            std::env::var(var).map_err(|_| {
                usage(format!(
                    "--password-env: the environment variable {var} is not set"
                ))
            })?,
        )),
        _ => args.program_login.clone(),
    };
    let timeout = Duration::from_secs_f64(args.timeout.max(0.001));
    let mut embedded = None;
    let (url, get_url, fixture, extra_root) = match &args.url {
        Some(u) => {
            let parsed =
                reqwest::Url::parse(u).map_err(|e| usage(format!("{u}: not a URL: {e}")))?;
            let get = args.get_url.clone().unwrap_or_else(|| {
                format!(
                    "http://{}/autodiscover/autodiscover.xml",
                    parsed.host_str().unwrap_or("localhost")
                )
            });
            (u.clone(), get, fixture, None)
        }
        None => {
            let fixture = fixture.unwrap_or_else(Fixture::builtin);
            let opts = ServerOptions {
                fixture: fixture.clone(),
                faults: faults.to_vec(),
                slow,
                ..ServerOptions::local()
            };
            let s = server::start(opts)
                .await
                .map_err(|e| usage(e.to_string()))?;
            let r = (
                s.url(),
                format!("{}/autodiscover/autodiscover.xml", s.http_base),
                Some(fixture),
                Some(s.certificate_der.clone()),
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
    let emails = if !args.emails.is_empty() {
        args.emails.clone()
    } else if let Some(f) = &fixture {
        f.mailboxes.iter().map(|m| m.address().to_owned()).collect()
    } else {
        return Err(usage(
            "name the mailboxes to ask for with --email (or give a --fixture)".into(),
        ));
    };
    let options = CheckOptions {
        target: Target {
            url: url.clone(),
            get_url,
            emails,
            fixture,
            max_hops: 10,
        },
        client: ClientOptions {
            insecure: args.insecure,
            extra_root_der: extra_root,
            timeout,
            body_cap: args.max_body,
            credentials,
        },
        total_timeout: Duration::from_secs_f64(args.total_timeout.max(0.001)),
        concurrency: args.concurrency,
        partition: args.partition,
        only: args.only.clone(),
        skip: args.skip.clone(),
    };
    let result = live::run(&options).await;
    if let Some(s) = &embedded {
        s.shutdown();
    }
    let units: Vec<Unit> = result.map_err(|e| usage(e.to_string()))?;
    let mut report = Report::new("case", args.strict, units);
    report.context.push((
        "target".into(),
        if embedded.is_some() {
            format!("{url} (embedded reference server)")
        } else {
            url
        },
    ));
    if !faults.is_empty() {
        report.context.push((
            "faults".into(),
            faults
                .iter()
                .map(|f| f.def().name)
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    if let Some((k, n)) = args.partition {
        report
            .context
            .push(("partition".into(), format!("{k}/{n}")));
    }
    Ok(CheckRun { report })
}

pub(super) fn check(args: &CheckArgs) -> i32 {
    if args.compare.active() {
        return super::compare::check_many(args);
    }
    let run = match runtime().block_on(check_run(args, &[], Duration::from_secs(15))) {
        Ok(r) => r,
        Err((code, msg)) => {
            eprintln!("poxspec check: {msg}");
            return code;
        }
    };
    let text = report::render(&run.report, args.format);
    match &args.output {
        Some(p) => {
            if let Err(e) = std::fs::write(p, &text) {
                eprintln!("{}: cannot write: {e}", p.display());
                return EXIT_USAGE;
            }
            let s = run.report.summary();
            eprintln!(
                "{} cases: {} passed, {} failed; report written to {}",
                s.total,
                s.passed,
                s.failed,
                p.display()
            );
        }
        None => print!("{text}"),
    }
    if run.report.passes() {
        EXIT_OK
    } else {
        EXIT_FAIL
    }
}

pub(super) fn serve(
    listen: SocketAddr,
    http_listen: Option<SocketAddr>,
    fixture: &Option<PathBuf>,
    faults: &[String],
    list: bool,
    slow: f64,
) -> i32 {
    if list {
        for f in FAULTS {
            println!("{}\t{}", f.name, f.description);
        }
        return EXIT_OK;
    }
    let mut chosen = Vec::new();
    for name in faults {
        match Fault::from_name(name) {
            Some(f) => chosen.push(f),
            None => {
                eprintln!("poxspec serve: unknown fault {name:?}; see --list-faults");
                return EXIT_USAGE;
            }
        }
    }
    let fixture = match load_fixture(fixture) {
        Ok(f) => f.unwrap_or_else(Fixture::builtin),
        Err(e) => {
            eprintln!("{e}");
            return EXIT_USAGE;
        }
    };
    let rt = runtime();
    rt.block_on(async {
        let opts = ServerOptions {
            fixture,
            faults: chosen,
            slow: Duration::from_secs_f64(slow),
            https: listen,
            http: http_listen,
        };
        let s = match server::start(opts).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("poxspec serve: {e}");
                return EXIT_USAGE;
            }
        };
        println!("poxspec reference server");
        println!(
            "  POST {}  (self-signed certificate; use --insecure)",
            s.url()
        );
        println!(
            "  GET  {}/autodiscover/autodiscover.xml  (302 to https)",
            s.http_base
        );
        println!("Ctrl-C stops it.");
        let _ = tokio::signal::ctrl_c().await;
        s.shutdown();
        EXIT_OK
    })
}

/// The fault × case matrix: every fault must make `check --strict` fail with one of its
/// rules, and the clean server must pass with zero findings.
pub(super) fn selftest(format_json: bool) -> i32 {
    let rt = runtime();
    let args = CheckArgs {
        url: None,
        fixture: None,
        emails: vec![],
        user: None,
        password_env: None,
        allow_http_auth: false,
        insecure: false,
        timeout: 2.0,
        total_timeout: 120.0,
        max_body: 1024 * 1024,
        concurrency: 8,
        partition: None,
        only: vec![],
        skip: vec![],
        get_url: None,
        strict: true,
        format: Format::Human,
        output: None,
        compare: Default::default(),
        program_login: Some(("selftest@contoso.com".into(), "selftest-Pa55word".into())),
    };
    let mut rows: Vec<(String, bool, Vec<String>, Vec<&'static str>)> = Vec::new();
    let mut case_ids: Vec<String> = Vec::new();
    let mut ok = true;
    let runs: Vec<(Option<Fault>, &'static str)> = std::iter::once((None, "(clean)"))
        .chain(FAULTS.iter().map(|d| (Some(d.fault), d.name)))
        .collect();
    for (fault, name) in runs {
        let faults: Vec<Fault> = fault.into_iter().collect();
        let run = match rt.block_on(check_run(&args, &faults, Duration::from_secs(4))) {
            Ok(r) => r,
            Err((_, msg)) => {
                eprintln!("{name}: {msg}");
                return EXIT_USAGE;
            }
        };
        if case_ids.is_empty() {
            case_ids = run.report.units.iter().map(|u| u.name.clone()).collect();
        }
        let failed: Vec<String> = run
            .report
            .units
            .iter()
            .filter(|u| !u.passes(true))
            .map(|u| u.name.clone())
            .collect();
        let rules: Vec<&'static str> = run
            .report
            .units
            .iter()
            .flat_map(|u| u.findings.iter())
            .filter(|f| report::fails(f, true))
            .map(|f| f.rule)
            .collect();
        let detected = match fault {
            None => run.report.units.iter().all(|u| u.findings.is_empty()),
            Some(f) => f.def().detected_by.iter().any(|r| rules.contains(r)),
        };
        ok &= detected;
        let mut rules = rules;
        rules.sort_unstable();
        rules.dedup();
        rows.push((name.to_owned(), detected, failed, rules));
    }
    if format_json {
        let v: Vec<_> = rows.iter().map(|(n, d, f, r)| serde_json::json!({"fault": n, "detected": d, "failed_cases": f, "failing_rules": r})).collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({"cases": case_ids, "faults": v}))
                .expect("serializes")
        );
    } else {
        println!("fault x case detection matrix (X: the case fails under --strict)\n");
        for (i, c) in case_ids.iter().enumerate() {
            println!("  c{:<2} {c}", i + 1);
        }
        print!("\n{:<24} {:<9}", "fault", "verdict");
        for i in 0..case_ids.len() {
            print!(" c{:<2}", i + 1);
        }
        println!("  failing rules");
        for (name, detected, failed, rules) in &rows {
            let verdict = if name == "(clean)" {
                if *detected {
                    "clean"
                } else {
                    "NOT CLEAN"
                }
            } else if *detected {
                "detected"
            } else {
                "MISSED"
            };
            print!("{name:<24} {verdict:<9}");
            for c in &case_ids {
                print!(" {:<3}", if failed.contains(c) { "X" } else { "." });
            }
            println!("  {}", rules.join(" "));
        }
        println!(
            "\n{} faults: {} detected",
            rows.len() - 1,
            rows.iter().skip(1).filter(|r| r.1).count()
        );
    }
    if ok {
        EXIT_OK
    } else {
        EXIT_FAIL
    }
}
