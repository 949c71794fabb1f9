#!/bin/sh
# The whole test suite: installs what it needs (cross toolchain, qemu-system-arm),
# fetches Debian's armhf kernel and builds the busybox initramfs into the cache (the Linux
# boot tests need them), then runs every test optimized (emulation in a debug build is
# far too slow).
set -eu
cd "$(dirname "$0")/.."
./scripts/install-tools.sh
./scripts/fetch-images.sh
cargo test --release --workspace
