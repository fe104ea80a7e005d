#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ for N seconds each (default 20),
# one after the other, starting from the committed seeds. Needs a nightly
# toolchain; installs cargo-fuzz from crates.io when it is missing.
#
#   scripts/fuzz-smoke.sh [SECONDS] [TARGET...]
#
# Exits non-zero as soon as a target finds a crash (the input is left in
# fuzz/artifacts/TARGET/). New corpus entries go to a scratch directory, so
# the committed seeds stay as they are.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

secs=${1:-20}
shift || true

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz-smoke: no nightly toolchain (rustup toolchain install nightly)" >&2
    exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install --locked cargo-fuzz
fi

if [ $# -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list)
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for t in "${targets[@]}"; do
    echo "=== fuzz $t for ${secs}s"
    mkdir -p "$scratch/$t"
    # The scratch corpus first: libFuzzer writes new inputs there; the
    # seeds are read only.
    status=0
    cargo +nightly fuzz run "$t" "$scratch/$t" "corpus/$t" -- \
        -max_total_time="$secs" -print_final_stats=1 >"$scratch/$t.log" 2>&1 || status=$?
    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)' "$scratch/$t.log" || true
    if [ "$status" -ne 0 ]; then
        tail -n 40 "$scratch/$t.log" >&2
        echo "fuzz-smoke: $t failed (exit $status); the input is in fuzz/artifacts/$t/" >&2
        exit 1
    fi
done
echo "fuzz-smoke: ${#targets[@]} targets ran ${secs}s each, no crash"
