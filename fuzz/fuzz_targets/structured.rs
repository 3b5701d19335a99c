//! Fuzz target `structured`: see `poxspec::fuzzing::structured` for the property it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| poxspec::fuzzing::structured(data));
