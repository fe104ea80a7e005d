#!/usr/bin/env bash
# Builds examples/nostd/sys_selftest.rs as a static no_std binary for each
# architecture and runs it: natively for x86_64 and i686, under
# qemu-<arch>-static for the others. Prints one PASS/FAIL/SKIP line per
# target; exits non-zero if any FAILs.
#
# Needs the nightly toolchain with rust-src (-Zbuild-std: no target here has
# a prebuilt core with compiler-builtins' mem functions, which a binary
# without libc needs) and rust-lld.
set -u
cd "$(dirname "$0")/.."

# target  runner  selftest-mode
targets=(
    "x86_64-unknown-linux-musl - native"
    "i686-unknown-linux-musl - native"
    "aarch64-unknown-linux-musl qemu-aarch64-static qemu"
    "armv7-unknown-linux-musleabihf qemu-arm-static qemu"
    "thumbv7neon-unknown-linux-musleabihf qemu-arm-static qemu"
    "riscv64gc-unknown-linux-musl qemu-riscv64-static qemu"
    "s390x-unknown-linux-musl qemu-s390x-static qemu"
    "powerpc64le-unknown-linux-musl qemu-ppc64le-static qemu"
    "loongarch64-unknown-linux-musl qemu-loongarch64-static qemu"
)

if ! sysroot=$(rustc +nightly --print sysroot 2>/dev/null) ||
    [ ! -d "$sysroot/lib/rustlib/src/rust/library/core" ]; then
    echo "SKIP all (no nightly toolchain with rust-src)"
    exit 0
fi

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target/selftest}
export RUSTFLAGS="-C linker=rust-lld -C link-self-contained=no -C relocation-model=static -C target-feature=+crt-static"
fail=0
for line in "${targets[@]}"; do
    read -r t runner mode <<<"$line"
    if [ "$runner" != - ] && ! command -v "$runner" >/dev/null; then
        echo "SKIP $t ($runner not installed)"
        continue
    fi
    log=$(mktemp)
    if ! cargo +nightly build -q --release --manifest-path examples/nostd/Cargo.toml --bin sys_selftest \
        --target "$t" -Zbuild-std=core,compiler_builtins \
        -Zbuild-std-features=compiler-builtins-mem >"$log" 2>&1; then
        echo "FAIL $t (build)"; sed 's/^/    /' "$log" | tail -15; fail=1; rm -f "$log"; continue
    fi
    bin=$CARGO_TARGET_DIR/$t/release/sys_selftest
    arg=$([ "$mode" = qemu ] && echo qemu)
    if [ "$runner" = - ]; then
        timeout 20 "$bin" $arg >"$log" 2>&1
    else
        timeout 60 "$runner" "$bin" $arg >"$log" 2>&1
    fi
    rc=$?
    if [ $rc = 0 ]; then
        echo "PASS $t ($(grep -c '^ok' "$log") checks, $mode)"
    else
        echo "FAIL $t (exit $rc)"; sed 's/^/    /' "$log" | tail -15; fail=1
    fi
    rm -f "$log"
done
exit $fail
