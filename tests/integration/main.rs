//! Integration tests, one binary with a module per area.

mod bad_input;
mod common;
mod corpus;
mod credentials;
mod generate;
mod live;
mod mutations;
mod policy;
mod properties;
mod regressions;
mod report_html;
mod roundtrip;
mod rules_catalogue;
mod snapshots;
mod validate_cli;
mod wirefuzz;
