//! Fuzz target `policy_list`: see `poxspec::fuzzing::policy_list` for the property it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| poxspec::fuzzing::policy_list(data));
