#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 30) from the seeded corpus and prints execs/s
# and total runs per target. `large` runs with -max_len=1048576 -timeout=2 (a super-linear
# stage is a timeout), the others with -max_len=4096 -timeout=10 (issue 15's measuring condition
# for the 10k exec/s floor). Exits non-zero on any
# crash, leak, timeout or out-of-memory; exits 0, saying so, when no nightly toolchain is
# installed.
#   fuzz/smoke.sh [SECONDS]        JOBS=N runs N libFuzzer workers per target (-fork=N);
#                                  TARGETS="a b" runs only those
set -uo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET="${1:-30}"
JOBS="${JOBS:-1}"
# Every target under fuzz/fuzz_targets/ unless TARGETS names some.
TARGETS="${TARGETS:-$(ls fuzz/fuzz_targets | sed -n 's/\.rs$//p')}"

if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    echo "fuzz/smoke.sh: no nightly toolchain installed; skipping the fuzz smoke run"
    exit 0
fi
if ! command -v cargo-fuzz >/dev/null 2>&1; then
    echo "fuzz/smoke.sh: installing cargo-fuzz"
    cargo install cargo-fuzz --locked || exit 1
fi
bash fuzz/seed.sh >/dev/null
bash fuzz/cargo-fuzz.sh build -O || exit 1
# libFuzzer must come out without ASan (.cargo/config.toml says why): calls from its own
# functions (C++ names in namespace fuzzer) into the ASan runtime mean the flag was lost.
bin=fuzz/target/x86_64-unknown-linux-gnu/release/parse
if command -v objdump >/dev/null 2>&1 && [ -f "$bin" ]; then
    dis=$(mktemp)
    trap 'rm -f "$dis"' EXIT
    objdump -d --no-show-raw-insn "$bin" >"$dis"
    # calls_from CALLEE FROM [NOT_FROM]: how many calls to a symbol matching CALLEE the
    # functions matching FROM (and not NOT_FROM) make, in the disassembly of $bin.
    calls_from() {
        awk -v callee="$1" -v from="$2" -v not_from="${3:-^$}" '
            /^[0-9a-f]+ <.*>:$/ {fn=$2}
            $0 ~ ("call.*<" callee) && fn ~ from && fn !~ not_from {n++}
            END {print n+0}' "$dis"
    }
    calls=$(calls_from __asan_ '_ZN6fuzzer|_ZNK6fuzzer')
    if [ "$calls" -ne 0 ]; then
        echo "fuzz/smoke.sh: libFuzzer was built with ASan ($calls calls into the ASan runtime from its" \
            "own code): is CXXFLAGS set in the environment without -fno-sanitize=address?" >&2
        exit 1
    fi
    echo "libFuzzer built without ASan (the targets' own code is instrumented)"
    # fuzz/cargo-fuzz.sh says why ASan must check memory through calls: an inline check ends
    # in a direct call to __asan_report_load*/store*, so any such call from outside the ASan
    # runtime itself means the flag was lost.
    inline=$(calls_from '__asan_report_(load|store)' . 'asan|sanitizer')
    if [ "$inline" -ne 0 ]; then
        echo "fuzz/smoke.sh: $inline inline ASan checks in $bin: built without" \
            "-asan-instrumentation-with-call-threshold=0 (fuzz/cargo-fuzz.sh)?" >&2
        exit 1
    fi
    echo "ASan checks memory through calls (no inline shadow checks for the coverage pass to trace)"
fi

status=0
printf '%-14s %10s %12s %8s %s\n' target seconds runs execs/s result
for t in $TARGETS; do
    log="fuzz/artifacts/$t.log"
    mkdir -p "fuzz/artifacts/$t"
    fork=()
    [ "$JOBS" -gt 1 ] && fork=(-fork="$JOBS")
    sizes=(-max_len=4096 -timeout=10)
    [ "$t" = large ] && sizes=(-max_len=1048576 -timeout=2)
    bash fuzz/cargo-fuzz.sh run -O "$t" "fuzz/corpus/$t" -- \
        -dict=fuzz/pox.dict -max_total_time="$SECONDS_PER_TARGET" "${sizes[@]}" \
        -rss_limit_mb=2048 -print_final_stats=1 "${fork[@]}" >"$log" 2>&1
    rc=$?
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{s+=$2} END {print s+0}')
    eps=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | awk '{s+=$2} END {print s+0}')
    if [ "$JOBS" -gt 1 ]; then
        # -fork prints no final stats: take the last progress line.
        runs=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
        eps=$(grep -o 'exec/s: [0-9]*' "$log" | tail -1 | awk '{print $2}')
    fi
    if [ $rc -eq 0 ]; then
        result=ok
    else
        result="FAILED (exit $rc; see $log and fuzz/artifacts/$t/)"
        status=1
    fi
    printf '%-14s %10s %12s %8s %s\n' "$t" "$SECONDS_PER_TARGET" "${runs:-0}" "${eps:-0}" "$result"
done
exit $status
