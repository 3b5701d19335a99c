#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build script (language: rust). Builds every cargo-fuzz target
# and installs it with its dictionary and seed corpus as the infrastructure expects:
# $OUT/<target>, $OUT/<target>.dict, $OUT/<target>_seed_corpus.zip.
cd "$SRC/poxspec"
bash fuzz/seed.sh
# The toolchain OSS-Fuzz installs is the default one: no "+nightly".
FUZZ_TOOLCHAIN= bash fuzz/cargo-fuzz.sh build -O
release=fuzz/target/x86_64-unknown-linux-gnu/release
for t in $(cargo fuzz list); do
    cp "$release/$t" "$OUT/$t"
    cp fuzz/pox.dict "$OUT/$t.dict"
    (cd "fuzz/corpus/$t" && zip -q -r "$OUT/${t}_seed_corpus.zip" .)
done
