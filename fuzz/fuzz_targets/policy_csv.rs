//! Fuzz target `policy_csv`: see `poxspec::fuzzing::policy_csv` for the property it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| poxspec::fuzzing::policy_csv(data));
