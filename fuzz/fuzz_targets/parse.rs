//! Fuzz target `parse`: see `poxspec::fuzzing::parse` for the property it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| poxspec::fuzzing::parse(data));
