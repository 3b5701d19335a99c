//! poxspec: a conformance harness and fuzzer for Exchange POX Autodiscover and SMTP AUTH
//! policy states.
//!
//! Data flows one way: bytes → [`xml`] tree with spans → typed [`model`] → findings → report.
//! Each module knows nothing of the stages after it.
//!
//! Cargo features (all on by default): `cli` (the binary; clap traits on library types),
//! `live` (the checker's HTTP client) and `server` (the reference server). Without them the
//! crate is the offline core: `xml`, `model`, `rules`, `report`, `policy`, `strategy`,
//! `mutate`, `generate`, and no network stack.

#![deny(missing_docs)]

pub mod cost;
pub mod fixture;
pub mod fuzzing;
pub mod generate;
pub mod input;
pub mod model;
pub mod mutate;
mod parse;
pub mod policy;
pub mod xml;

pub use parse::{parse, parse_with, ParseError, Parsed};
pub mod report;
pub mod roundtrip;
pub mod rules;
pub mod strategy;
pub mod validate;

#[cfg(all(feature = "live", feature = "server"))]
pub mod check;
#[cfg(all(feature = "live", feature = "server"))]
pub mod compare;
#[cfg(all(feature = "live", feature = "server"))]
pub mod fuzz_run;
#[cfg(feature = "live")]
pub mod live;
#[cfg(all(feature = "live", feature = "server"))]
pub mod selftest;
#[cfg(feature = "server")]
pub mod server;
#[cfg(feature = "live")]
pub mod wirefuzz;
