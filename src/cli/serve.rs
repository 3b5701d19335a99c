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
            script: None,
            body_timeout: Duration::from_secs(10),
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
