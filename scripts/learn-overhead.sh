#!/usr/bin/env bash
# The cost of `learn` (every call is a round trip through the supervisor)
# and of `exec` / `exec --report` (allowed calls stay in the kernel),
# against a plain run of a syscall-heavy command: dd copying COUNT 1-byte
# blocks makes 2*COUNT read/write calls.
#
#   scripts/learn-overhead.sh [COUNT] [RUNS]
#
# Prints the median wall time of RUNS runs of each, and the ratio to the
# plain run. Builds the CLI (release) first.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-200000}
runs=${2:-5}
cargo build -q --release --features cli --bin seccomp-bpf
bin=target/release/seccomp-bpf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 77}]}' >"$tmp/allow.json"
cmd=(dd if=/dev/zero of=/dev/null bs=1 "count=$count" status=none)

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
time_ms() { # the median of $runs runs of "$@", in ms
    for _ in $(seq "$runs"); do
        local t0 t1
        t0=$(date +%s%N)
        "$@" >/dev/null
        t1=$(date +%s%N)
        echo $(((t1 - t0) / 1000000))
    done | median
}

plain=$(time_ms "${cmd[@]}")
exec_ms=$(time_ms "$bin" exec --profile "$tmp/allow.json" -- "${cmd[@]}")
report_ms=$(time_ms "$bin" exec --report --profile "$tmp/allow.json" -- "${cmd[@]}")
learn_ms=$(time_ms "$bin" learn -o "$tmp/learned.json" -- "${cmd[@]}")
calls=$((2 * count))
echo "command: ${cmd[*]}  (~$calls calls), median of $runs runs"
printf '%-14s %8s ms  x%s\n' plain "$plain" 1.00
for row in "exec:$exec_ms" "exec-report:$report_ms" "learn:$learn_ms"; do
    name=${row%%:*} ms=${row#*:}
    printf '%-14s %8s ms  x%s\n' "$name" "$ms" "$(awk -v a="$ms" -v b="$plain" 'BEGIN { printf "%.2f", a / (b > 0 ? b : 1) }')"
done
awk -v l="$learn_ms" -v p="$plain" -v n="$calls" \
    'BEGIN { printf "learn: %.1f us more per call\n", (l - p) * 1000 / n }'
