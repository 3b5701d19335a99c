//! Fuzz target `policy_import`: see `poxspec::fuzzing::policy_import` for the property it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| poxspec::fuzzing::policy_import(data));
