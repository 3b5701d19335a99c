//! Fuzz target `policy_toml`: see `poxspec::fuzzing::policy_toml` for the property it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| poxspec::fuzzing::policy_toml(data));
