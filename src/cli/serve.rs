//! `serve`: the reference server in the foreground until Ctrl-C.

use super::{EXIT_OK, EXIT_USAGE};
use poxspec::fixture::Fixture;
use poxspec::server::{self, Fault, ServerOptions, FAULTS};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Longest `--slow` accepted, seconds.
pub const MAX_SLOW: f64 = 3600.0;

/// `--slow`: 0 to [`MAX_SLOW`] seconds.
pub fn parse_slow(s: &str) -> Result<f64, String> {
    poxspec::input::parse_seconds(s, 0.0, MAX_SLOW)
}

/// What `serve` was asked for.
pub(super) struct ServeArgs {
    pub listen: SocketAddr,
    pub http_listen: Option<SocketAddr>,
    pub fixture: Option<PathBuf>,
    pub faults: Vec<String>,
    pub list: bool,
    pub slow: f64,
    pub require_auth: Option<server::AuthMode>,
    pub ca_out: Option<PathBuf>,
}

/// A DER certificate as PEM.
fn pem(der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

pub(super) fn serve(args: ServeArgs) -> i32 {
    let ServeArgs {
        listen,
        http_listen,
        fixture,
        faults,
        list,
        slow,
        require_auth,
        ca_out,
    } = args;
    if list {
        for f in FAULTS {
            outln!("{}\t{}", f.name, f.description);
        }
        return EXIT_OK;
    }
    let mut chosen = Vec::new();
    for name in &faults {
        match Fault::from_name(name) {
            Some(f) => chosen.push(f),
            None => {
                eprintln!("poxspec serve: unknown fault {name:?}; see --list-faults");
                return EXIT_USAGE;
            }
        }
    }
    let fixture = match fixture.as_deref().map(Fixture::load).transpose() {
        Ok(f) => f.unwrap_or_else(Fixture::builtin),
        Err(e) => {
            eprintln!("{e}");
            return EXIT_USAGE;
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("poxspec serve: cannot start the runtime: {e}");
            return EXIT_USAGE;
        }
    };
    rt.block_on(async {
        let opts = ServerOptions {
            fixture,
            faults: chosen,
            slow: Duration::from_secs_f64(slow.clamp(0.0, MAX_SLOW)),
            https: listen,
            http: http_listen,
            require_auth,
            body_timeout: Duration::from_secs(10),
            ..ServerOptions::local()
        };
        let s = match server::start(opts).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("poxspec serve: {e}");
                return EXIT_USAGE;
            }
        };
        if let Some(p) = &ca_out {
            if let Err(e) = std::fs::write(p, pem(&s.certificate_der)) {
                eprintln!("poxspec serve: {}: cannot write: {e}", p.display());
                s.shutdown();
                return EXIT_USAGE;
            }
        }
        outln!("poxspec reference server");
        outln!(
            "  POST {}  (HTTP/1.1 and HTTP/2; certificate from a CA made at start-up: {})",
            s.url(),
            match &ca_out {
                Some(p) => format!("check --ca-file {}", p.display()),
                None => "write it with --ca-out FILE, or check --insecure".into(),
            }
        );
        if require_auth.is_some() {
            outln!("  Basic authentication required: the fixture's mailboxes and passwords");
        }
        outln!(
            "  GET  {}/autodiscover/autodiscover.xml  (302 to https)",
            s.http_base
        );
        outln!("Ctrl-C stops it.");
        let _ = tokio::signal::ctrl_c().await;
        s.shutdown();
        EXIT_OK
    })
}
