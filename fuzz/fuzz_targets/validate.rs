//! Fuzz target `validate`: see `poxspec::fuzzing::validate` for the property it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| poxspec::fuzzing::validate(data));
