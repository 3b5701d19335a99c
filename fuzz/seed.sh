#!/usr/bin/env bash
# Seeds each fuzz target's corpus (fuzz/corpus/<target>/) from the repository's corpus/.
# Idempotent: files are named by content hash, so running it again adds nothing twice.
set -euo pipefail
cd "$(dirname "$0")/.."
# The targets are the files under fuzz/fuzz_targets/ (cargo-fuzz's list, without cargo).
TARGETS=$(ls fuzz/fuzz_targets | sed -n 's/\.rs$//p')

put() { # put TARGET FILE
    local dir="fuzz/corpus/$1" sum
    mkdir -p "$dir"
    sum=$(sha1sum "$2" | cut -c1-16)
    cp "$2" "$dir/seed-$sum"
}

for t in parse roundtrip validate structured; do
    for f in corpus/*.xml corpus/policy/*.xml corpus/regressions/"$t"/*; do
        [ -f "$f" ] && put "$t" "$f"
    done
done
for f in corpus/policy/*.csv corpus/policy/*.json corpus/policy/*.txt corpus/policy/*.toml \
         corpus/policy/bad/* corpus/policy/tenant/* corpus/policy/tenant/bad/* \
         corpus/fixtures/*.toml corpus/regressions/policy_*/*; do
    # Every policy reader is fuzzed on any text: each target starts from every format's files.
    for t in $TARGETS; do
        case "$t" in policy_*) [ -f "$f" ] && put "$t" "$f" ;; esac
    done
done
mkdir -p fuzz/corpus/onoff
for v in on off On OFF " on " "" true 0 yes "o&#x6E;" "ofF" $'\t off\n'; do
    printf '%s' "$v" > "fuzz/corpus/onoff/seed-$(printf '%s' "$v" | sha1sum | cut -c1-16)"
done
for f in corpus/regressions/onoff/*; do [ -f "$f" ] && put onoff "$f"; done
# large: corpus documents with their first Protocol (or first child of the root) marked as
# the unit to repeat (see poxspec::fuzzing::amplify for the layout).
le16() { printf "\\$(printf %03o $(($1 & 255)))\\$(printf %03o $(($1 >> 8)))"; }
mkdir -p fuzz/corpus/large
for f in corpus/y_*.xml corpus/i_*.xml; do
    [ -f "$f" ] || continue
    start=$(grep -bo '<Protocol' "$f" | head -1 | cut -d: -f1 || true)
    end=$(grep -bo '</Protocol>' "$f" | head -1 | cut -d: -f1 || true)
    [ -n "$start" ] && [ -n "$end" ] || continue
    tmp=$(mktemp)
    { le16 64; le16 "$start"; le16 $((end + 11)); cat "$f"; } > "$tmp"
    put large "$tmp"
    rm -f "$tmp"
done
for f in corpus/regressions/large/*; do [ -f "$f" ] && put large "$f"; done
for t in $TARGETS; do
    echo "$t: $(ls fuzz/corpus/$t | wc -l) seeds"
done
