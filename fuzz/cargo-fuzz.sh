#!/usr/bin/env bash
# `cargo +nightly fuzz ARGS...` with the one rustc flag poxspec's fuzz targets are built and
# measured with; every script here (smoke.sh, callbacks.sh, oss-fuzz/build.sh) goes through it.
#   bash fuzz/cargo-fuzz.sh run validate fuzz/corpus/validate -- -dict=fuzz/pox.dict
#   FUZZ_TOOLCHAIN= bash fuzz/cargo-fuzz.sh build -O    # the default toolchain (OSS-Fuzz's)
#
# The flag, -asan-instrumentation-with-call-threshold=0, makes ASan check each load and store
# with a call into its runtime (__asan_load8(addr)) instead of an inline test of the shadow
# byte. Same checks, same reports; the reason is an ordering problem in rustc. cargo-fuzz
# asks for coverage with -Cpasses=sancov-module, which rustc runs after its own ASan pass, so
# SanitizerCoverage instruments ASan's inline checks as if they were the program's: every
# shadow-byte test became a traced comparison (__sanitizer_cov_trace_const_cmp1, a libFuzzer
# callback) and its branch a coverage edge with a counter. In the `structured` target that was
# 6,480 traced comparisons of shadow bytes against 409 of its own, 18,923 edges against 8,355,
# and 17.7 % of the time of a run in const_cmp1 alone. Calls leave SanitizerCoverage nothing
# to trace: with the flag the target has 415 const_cmp1 sites and 9,540 edges, and fuzzes
# 1.2x faster (benches/README.md, eleventh round). fuzz/smoke.sh checks that the flag took
# (no inline ASan check, i.e. no direct call to __asan_report_*, is left in a target). clang's
# -fsanitize=fuzzer,address does not have the problem: it runs the coverage pass first.
#
# A RUSTFLAGS of your own is kept (cargo-fuzz appends it to its flags); the flag is added once.
set -euo pipefail
flag="-Cllvm-args=-asan-instrumentation-with-call-threshold=0"
case " ${RUSTFLAGS:-} " in
*" $flag "*) ;;
*) export RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }$flag" ;;
esac
# Unquoted on purpose: empty means "no +toolchain argument".
# shellcheck disable=SC2086
exec cargo ${FUZZ_TOOLCHAIN-+nightly} fuzz "$@"
