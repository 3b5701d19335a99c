//! poxspec: a conformance harness and fuzzer for Exchange POX Autodiscover and SMTP AUTH
//! policy states.
//!
//! Data flows one way: bytes → [`xml`] tree with spans → typed [`model`] → findings → report.
//! Each module knows nothing of the stages after it.

#![deny(missing_docs)]

pub mod fuzzing;
pub mod generate;
pub mod live;
pub mod model;
pub mod mutate;
mod parse;
pub mod policy;
pub mod xml;

pub use parse::{parse, parse_with, ParseError, Parsed};
pub mod report;
pub mod roundtrip;
pub mod rules;
pub mod server;
pub mod strategy;
pub mod wirefuzz;
