#!/bin/sh
# Benchmarks against QEMU in the same run (medians of several runs, wall-time ratios):
# the CPU benchmark (crc32 test program) and the boot of Debian's Linux to the
# initramfs's "workload done" marker, and Xen with dom0 and two domUs to all three guests'
# "workload done" markers; then the cost of the Hyp statistics (counting on against off,
# on a synthetic trap loop and on the Xen boot). Usage: scripts/bench.sh [--runs N]
set -eu
cd "$(dirname "$0")/.."
./scripts/install-tools.sh
./scripts/fetch-images.sh >/dev/null
cargo build --release -q --workspace
cargo run --release -q -p test-roms --bin bench -- "$@"
cargo run --release -q -p test-roms --bin bench -- --linux "$@"
cargo run --release -q -p test-roms --bin bench -- --xen "$@"
cargo run --release -q -p test-roms --bin bench -- --hyp-cost "$@"
