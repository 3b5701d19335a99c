//! Fuzz target `policy_json`: see `poxspec::fuzzing::policy_json` for the property it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| poxspec::fuzzing::policy_json(data));
