#!/usr/bin/env bash
# Compile-checks the library (no default features) for every architecture
# the raw-syscall module supports, and checks that the unsupported ones stop
# with the module's compile_error!. Targets with a prebuilt core use the
# default toolchain; the others use nightly with -Zbuild-std=core (needs the
# nightly toolchain and its rust-src component; they are reported SKIP
# without them). Prints one line per target and exits non-zero on a FAIL.
set -u
cd "$(dirname "$0")/.."

prebuilt=(
    x86_64-unknown-linux-gnu
    x86_64-unknown-linux-musl
    i686-unknown-linux-musl
    aarch64-unknown-linux-musl
    x86_64-unknown-none
    thumbv7em-none-eabi
)
built_std=(
    x86_64-unknown-linux-gnux32
    i586-unknown-linux-musl
    armv7-unknown-linux-musleabihf
    arm-unknown-linux-musleabi
    thumbv7neon-unknown-linux-musleabihf
    riscv64gc-unknown-linux-musl
    riscv32gc-unknown-linux-musl
    loongarch64-unknown-linux-musl
    s390x-unknown-linux-musl
    powerpc64le-unknown-linux-musl
    powerpc64-unknown-linux-musl
)
# Targets that must fail with the documented compile_error!.
expect_error=(
    mips64-unknown-linux-muslabi64
    mipsel-unknown-linux-musl
)

fail=0
installed=$(rustup target list --installed 2>/dev/null)
have_nightly_src=0
if sysroot=$(rustc +nightly --print sysroot 2>/dev/null) &&
    [ -d "$sysroot/lib/rustlib/src/rust/library/core" ]; then
    have_nightly_src=1
fi

check() { # check TARGET [nightly]
    local t=$1 log
    log=$(mktemp)
    if [ "${2:-}" = nightly ]; then
        cargo +nightly check -q -Zbuild-std=core --lib --no-default-features --target "$t" >"$log" 2>&1
    else
        cargo check -q --lib --no-default-features --target "$t" >"$log" 2>&1
    fi
    local rc=$?
    if grep -q '^warning' "$log"; then rc=99; fi
    echo "$rc $log"
}

for t in "${prebuilt[@]}"; do
    if ! grep -qx "$t" <<<"$installed"; then echo "SKIP $t (target not installed)"; continue; fi
    read -r rc log < <(check "$t")
    if [ "$rc" = 0 ]; then echo "PASS $t"; else echo "FAIL $t"; sed 's/^/    /' "$log" | head -20; fail=1; fi
    rm -f "$log"
done

for t in "${built_std[@]}"; do
    if [ $have_nightly_src = 0 ]; then echo "SKIP $t (no nightly with rust-src)"; continue; fi
    read -r rc log < <(check "$t" nightly)
    if [ "$rc" = 0 ]; then echo "PASS $t (nightly build-std)"; else echo "FAIL $t"; sed 's/^/    /' "$log" | head -20; fail=1; fi
    rm -f "$log"
done

for t in "${expect_error[@]}"; do
    if [ $have_nightly_src = 0 ]; then echo "SKIP $t (no nightly with rust-src)"; continue; fi
    read -r rc log < <(check "$t" nightly)
    if [ "$rc" != 0 ] && grep -q 'has no system-call backend' "$log"; then
        echo "PASS $t (stops with the documented compile_error)"
    else
        echo "FAIL $t (expected the sys compile_error)"; sed 's/^/    /' "$log" | head -20; fail=1
    fi
    rm -f "$log"
done
exit $fail
