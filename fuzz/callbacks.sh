#!/usr/bin/env bash
# Counts what one run of a fuzz target's oracle costs under cargo-fuzz's instrumentation, in
# numbers that do not move from run to run (exec/s moves about 10 % here): the target is built
# with coverage and comparison tracing but without ASan (`-s none`, into fuzz/target-none) and
# replays its corpus under callgrind, which counts the instructions and the calls into
# `__sanitizer_cov_trace_*cmp*` / `_switch` (one per integer comparison the code makes), in all
# and by the function they were made from. benches/README.md, seventh round, has the figures.
#   fuzz/callbacks.sh TARGET [CORPUS_DIR] [RUNS_PER_INPUT]
# Needs nightly, cargo-fuzz, valgrind and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:?usage: fuzz/callbacks.sh TARGET [CORPUS_DIR] [RUNS_PER_INPUT]}"
corpus="${2:-fuzz/corpus/$target}"
runs="${3:-1}"
bash fuzz/cargo-fuzz.sh build -O -s none --target-dir fuzz/target-none "$target" >&2
bin="fuzz/target-none/x86_64-unknown-linux-gnu/release/$target"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
mapfile -t inputs < <(find "$corpus" -maxdepth 1 -type f | sort)
[ "${#inputs[@]}" -gt 0 ] || { echo "no inputs in $corpus" >&2; exit 2; }
valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" -runs="$runs" "${inputs[@]}" \
    >/dev/null 2>&1
callgrind_annotate --tree=caller "$out" | python3 -c '
import re, sys, collections
execs = int(sys.argv[1]) * int(sys.argv[2])
text = sys.stdin.read()
total = int(re.search(r"([\d,]+) \(100\.0%\)\s+PROGRAM TOTALS", text).group(1).replace(",", ""))
by_fn, calls = collections.Counter(), 0
for block in text.split("\n\n"):
    lines = block.split("\n")
    head = [l for l in lines if "*  " in l]
    if not head or not re.search(r"__sanitizer_cov_trace_(const_)?(cmp\d|switch)", head[0]):
        continue
    for l in lines:
        m = re.search(r"<\s+\S*?:(.*?) \[.*\((\d[\d,]*)x\)", l) or re.search(r"<\s+\S*?:(.*?)\s+\((\d[\d,]*)x\)", l)
        if m:
            n = int(m.group(2).replace(",", ""))
            calls += n
            by_fn[m.group(1)[:100]] += n
print(f"{execs} runs: {total / execs:,.0f} instructions and {calls / execs:,.0f} comparison callbacks per run")
for name, n in by_fn.most_common(15):
    print(f"{n / execs:10,.0f}  {name}")
' "${#inputs[@]}" "$runs"
