//! Fuzz target `large`: see `poxspec::fuzzing::large` for the property it checks. Run with
//! `-max_len=1048576 -timeout=2` (fuzz/smoke.sh does).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| poxspec::fuzzing::large(data));
