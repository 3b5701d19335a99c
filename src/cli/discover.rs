//! `discover`: the whole path a client walks, for real addresses or against the embedded lab.

use super::{EXIT_OK, EXIT_USAGE};
use clap::Args;
use poxspec::fixture::Fixture;
use poxspec::live::client_args::Extra;
use poxspec::live::discover::{self, DiscoverOptions};
use poxspec::live::route::{ConnectTo, DnsSource};
use poxspec::live::ClientArgs;
use poxspec::report::{Format, Report};
use poxspec::server::{start_lab, LabFault, LabOptions, Publish, LAB_FAULTS};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Args)]
pub struct DiscoverArgs {
    /// E-mail addresses to discover; without one, the embedded lab (reference server, DNS
    /// server, IMAP/POP3/SMTP listeners) is started and the fixture's mailboxes are walked.
    pub addresses: Vec<String>,
    /// Fixture with the mailboxes and their SMTP AUTH states (default: the built-in one for
    /// the lab; none for real addresses).
    #[arg(long)]
    pub fixture: Option<PathBuf>,
    #[command(flatten)]
    pub client: ClientArgs,
    /// Ask this DNS server (ADDR:PORT, UDP then TCP) instead of the system's resolver.
    #[arg(long, value_name = "ADDR:PORT")]
    pub dns: Option<SocketAddr>,
    /// Connect to every IMAP, POP3 and SMTP endpoint the answers advertise and check its
    /// transport, certificate and SMTP AUTH (always on for the embedded lab).
    #[arg(long)]
    pub probe_endpoints: bool,
    /// Inject a lab fault (repeatable; embedded lab only); see --list-faults.
    #[arg(long = "fault")]
    pub faults: Vec<String>,
    /// Print the lab's fault catalogue: name, then description.
    #[arg(long)]
    pub list_faults: bool,
    /// Budget for each endpoint's judged check run in seconds.
    #[arg(long, default_value_t = 300.0)]
    pub total_timeout: f64,
    /// Fail on warnings too.
    #[arg(long)]
    pub strict: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report here instead of standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
}

fn seconds(s: f64) -> Duration {
    Duration::from_secs_f64(if s.is_finite() {
        s.clamp(0.001, 86_400.0)
    } else {
        86_400.0
    })
}

/// Runs a discovery (starting the lab when no address is given) and returns its report.
pub async fn discover_run(args: &DiscoverArgs) -> Result<Report, (i32, String)> {
    let usage = |m: String| (EXIT_USAGE, m);
    let fixture = args
        .fixture
        .as_deref()
        .map(Fixture::load)
        .transpose()
        .map_err(|e| usage(e.to_string()))?;
    let mut faults = Vec::new();
    for name in &args.faults {
        faults.push(LabFault::from_name(name).ok_or_else(|| {
            usage(format!(
                "unknown fault {name:?}; see poxspec discover --list-faults"
            ))
        })?);
    }
    let login = args.client.login().map_err(|e| usage(e.to_string()))?;
    let mut lab = None;
    let (addresses, fixture, dns, connect_to, extra_root, probe) = if args.addresses.is_empty() {
        let fixture = fixture.unwrap_or_else(Fixture::builtin);
        let l = start_lab(LabOptions {
            fixture: fixture.clone(),
            publish: Publish::FULL,
            faults: faults.clone(),
        })
        .await
        .map_err(|e| usage(e.to_string()))?;
        let mut rules: Vec<ConnectTo> = Vec::new();
        for r in &l.connect_to {
            rules.push(r.parse().map_err(usage)?);
        }
        let r = (
            fixture
                .mailboxes
                .iter()
                .map(|m| m.address().to_owned())
                .collect::<Vec<_>>(),
            Some(fixture),
            DnsSource::Server(l.dns),
            rules,
            Some(l.root_der.clone()),
            true,
        );
        lab = Some(l);
        r
    } else {
        if !faults.is_empty() {
            return Err(usage(
                "--fault applies to the embedded lab only (give no address)".into(),
            ));
        }
        (
            args.addresses.clone(),
            fixture,
            args.dns.map_or(DnsSource::System, DnsSource::Server),
            vec![],
            None,
            args.probe_endpoints,
        )
    };
    // The lab's routing rules come before the user's; credentials are not bound here:
    // discover sends them only to the origins it derives from each address.
    let client = args
        .client
        .options(
            None,
            Extra {
                root: extra_root,
                connect_to,
                dns: Some(dns),
                login: None,
            },
        )
        .map_err(|e| usage(e.to_string()))?;
    let options = DiscoverOptions {
        addresses,
        client,
        login,
        fixture,
        probe_endpoints: probe,
        total_timeout: seconds(args.total_timeout),
    };
    let result = discover::run(&options).await;
    if let Some(l) = &lab {
        l.shutdown();
    }
    let d = result.map_err(|e| usage(e.to_string()))?;
    let mut report = Report::new("unit", args.strict, d.units);
    report.context.push((
        "addresses".into(),
        d.walks
            .iter()
            .map(|w| w.address.clone())
            .collect::<Vec<_>>()
            .join(", "),
    ));
    report.context.push((
        "dns".into(),
        match (&lab, dns) {
            (Some(_), DnsSource::Server(a)) => format!("{a} (embedded lab)"),
            (_, DnsSource::Server(a)) => a.to_string(),
            (_, DnsSource::System) => "system resolver".into(),
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
    Ok(report)
}

pub(super) fn discover(args: &DiscoverArgs) -> i32 {
    if args.list_faults {
        for f in LAB_FAULTS {
            outln!("{}\t{}", f.name, f.description);
        }
        return EXIT_OK;
    }
    let rt = match poxspec::check::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("poxspec discover: cannot start the runtime: {e}");
            return EXIT_USAGE;
        }
    };
    let report = match rt.block_on(discover_run(args)) {
        Ok(r) => r,
        Err((code, msg)) => {
            eprintln!("poxspec discover: {msg}");
            return code;
        }
    };
    super::emit(&report, args.format, args.output.as_deref(), "units")
}
