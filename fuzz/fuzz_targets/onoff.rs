//! Fuzz target `onoff`: see `poxspec::fuzzing::onoff` for the property it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| poxspec::fuzzing::onoff(data));
