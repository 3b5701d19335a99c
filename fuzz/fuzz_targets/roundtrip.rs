//! Fuzz target `roundtrip`: see `poxspec::fuzzing::roundtrip` for the property it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| poxspec::fuzzing::roundtrip(data));
