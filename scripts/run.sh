#!/bin/sh
# Main job: builds a15emu and the test programs, then runs the CPU benchmark
# (a CRC-32 loop) under a15emu and under QEMU in the same run and prints guest MIPS and
# the wall-time ratio. Extra arguments go to the bench binary.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-tools.sh
cargo build --release --workspace
exec cargo run --release -q -p test-roms --bin bench -- "$@"
