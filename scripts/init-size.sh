#!/bin/sh
# Builds examples/init for each target and prints its size: the whole file,
# stripped, and the symbols by owner (nm --size-sort on the unstripped
# binary). Code of the crate that the compiler inlined into the init counts
# as the init's, so the crate's share is a lower bound.
#
#   scripts/init-size.sh [TARGET...]   (default: x86_64 and aarch64 musl)
set -eu
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- x86_64-unknown-linux-musl aarch64-unknown-linux-musl
strip=$(command -v llvm-strip || command -v strip)
for target in "$@"; do
    cargo build -q --release --example init --target "$target"
    bin=target/$target/release/examples/init
    "$strip" -o "$bin.stripped" "$bin"
    echo "$target: $(wc -c <"$bin") bytes, stripped $(wc -c <"$bin.stripped")"
    nm --size-sort -S -C -t d "$bin" | awk '
        { size = $2 + 0; name = $4; for (i = 5; i <= NF; i++) name = name " " $i
          if (name ~ /::(FILTER|STACKED)$/) part = "filters (rodata)"
          else if (name ~ /^seccomp_bpf::/) part = "crate seccomp_bpf"
          else if (name ~ /^init::/) part = "init (example)"
          else part = "core, compiler-builtins, mem*"
          sum[part] += size; all += size }
        END { for (p in sum) printf "  %-32s %6d bytes\n", p, sum[p]
              printf "  %-32s %6d bytes\n", "all sized symbols", all }'
done
