//! Fuzz target `policy_tenant`: see `poxspec::fuzzing::policy_tenant` for the property it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| poxspec::fuzzing::policy_tenant(data));
