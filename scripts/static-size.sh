#!/usr/bin/env bash
# Size of examples/nostd/static_install.rs, a static no_std x86_64 binary that
# sets no_new_privs and installs a 7-instruction filter, against the same
# binary built with --cfg seccomp_bpf_no_install (no install call), and the
# crate's symbols in it (nm --size-sort). Needs nightly with rust-src.
set -eu
cd "$(dirname "$0")/.."
t=x86_64-unknown-linux-musl
base="-C linker=rust-lld -C link-self-contained=no -C relocation-model=static -C target-feature=+crt-static"
build() { # build DIR EXTRA_RUSTFLAGS
    CARGO_TARGET_DIR=$1 RUSTFLAGS="$base $2" cargo +nightly build -q --release \
        --manifest-path examples/nostd/Cargo.toml --bin static_install --target $t \
        -Zbuild-std=core,compiler_builtins -Zbuild-std-features=compiler-builtins-mem
    cp "$1/$t/release/static_install" "$1/static_install.stripped"
    strip "$1/static_install.stripped"
}
build target/size-with ""
build target/size-without "--cfg seccomp_bpf_no_install"
with=$(stat -c %s target/size-with/static_install.stripped)
without=$(stat -c %s target/size-without/static_install.stripped)
echo "stripped, with install:    $with bytes"
echo "stripped, without install: $without bytes"
echo "install path adds:         $((with - without)) bytes"
echo "text/data/bss (with):"
size target/size-with/static_install.stripped
echo "largest symbols (with), bytes:"
nm --size-sort -S -C target/size-with/$t/release/static_install | tail -12 |
    while read -r _ sz _ name; do printf "  %6d %s\n" "$((16#$sz))" "$name"; done
./target/size-with/$t/release/static_install
