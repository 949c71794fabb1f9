#!/bin/sh
# The whole test suite: installs what it needs (cross toolchain, qemu-system-arm),
# fetches Debian's armhf kernel, Xen and their symbols and builds the busybox initramfs
# into the cache (the Linux and Xen boot tests need them; the statistics tests check that
# trapping PCs are named), then runs every test optimized (emulation in a debug build is
# far too slow).
set -eu
cd "$(dirname "$0")/.."
./scripts/install-tools.sh
./scripts/fetch-images.sh --kernel-symbols
cargo test --release --workspace
