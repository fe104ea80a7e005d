#!/bin/sh
# Fetches the Debian kernel images listed in scripts/vm-kernels.txt and caches
# each as $CACHE/<package>/vmlinuz, for tests/vm.rs.
#
#   scripts/fetch-kernels.sh            # cache: $SECCOMP_BPF_VM_CACHE or target/vm-kernels
#
# Idempotent: a kernel already in the cache is not fetched again. Needs
# apt-get and dpkg-deb (Debian); foreign-architecture packages are found
# through a private package list, so the system's apt state is not changed.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${SECCOMP_BPF_VM_CACHE:-$root/target/vm-kernels}
list=$root/scripts/vm-kernels.txt
host_arch=$(dpkg --print-architecture)
mkdir -p "$cache"

# apt options that make apt-get see the package list of architecture $1.
# The host's own list is used as it is; any other architecture gets its
# own lists directory under the cache, updated once per run.
apt_opts() {
    if [ "$1" = "$host_arch" ]; then
        return
    fi
    lists=$cache/apt-lists-$1
    echo "-oAPT::Architecture=$1 -oAPT::Architectures=$1 -oDir::State::Lists=$lists" \
        "-oDir::Cache::pkgcache= -oDir::Cache::srcpkgcache="
}

updated=" "
grep -v '^#' "$list" | while read -r pkg arch; do
    [ -n "$pkg" ] || continue
    dest=$cache/$pkg
    if [ -s "$dest/vmlinuz" ]; then
        echo "cached: $dest/vmlinuz"
        continue
    fi
    opts=$(apt_opts "$arch")
    case $updated in
    *" $arch "*) ;;
    *)
        if [ -n "$opts" ]; then
            mkdir -p "$cache/apt-lists-$arch/partial"
            # shellcheck disable=SC2086
            apt-get -q update $opts >/dev/null
        elif [ "${CI:-}" = true ] || ! apt-cache show "$pkg" >/dev/null 2>&1; then
            apt-get -q update >/dev/null
        fi
        updated="$updated$arch "
        ;;
    esac
    work=$(mktemp -d "$cache/.fetch.XXXXXX")
    # apt drops privileges to _apt while downloading: let it write there.
    chmod 0777 "$work"
    # shellcheck disable=SC2086
    (cd "$work" && apt-get -q download $opts "$pkg:$arch" >/dev/null)
    deb=$(ls "$work"/*.deb)
    # Only the image is needed, not the modules.
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" --wildcards './boot/vmlinuz-*'
    mkdir -p "$dest"
    mv "$work"/boot/vmlinuz-* "$dest/vmlinuz.part"
    mv "$dest/vmlinuz.part" "$dest/vmlinuz"
    rm -rf "$work"
    echo "fetched: $dest/vmlinuz"
done
