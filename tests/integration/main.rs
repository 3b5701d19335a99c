//! Integration tests, one binary with a module per area. Tests that run the binary or the
//! network stack need the `cli`, `live` and `server` features; the rest also run under
//! `--no-default-features`.

#[cfg(all(feature = "cli", feature = "live", feature = "server"))]
mod automx2;
mod bad_input;
mod common;
mod corpus;
#[cfg(all(feature = "cli", feature = "live", feature = "server"))]
mod credentials;
#[cfg(all(feature = "cli", feature = "live", feature = "server"))]
mod discover;
mod generate;
mod linear;
#[cfg(all(feature = "cli", feature = "live", feature = "server"))]
mod live;
mod mutations;
mod policy;
mod properties;
mod regressions;
#[cfg(all(feature = "cli", feature = "live", feature = "server"))]
mod report_html;
mod roundtrip;
mod rules_catalogue;
mod snapshots;
#[cfg(all(feature = "cli", feature = "live", feature = "server"))]
mod tls;
#[cfg(feature = "cli")]
mod validate_cli;
#[cfg(all(feature = "cli", feature = "live", feature = "server"))]
mod wirefuzz;
