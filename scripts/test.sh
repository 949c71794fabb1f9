#!/bin/sh
# The whole test suite: installs what it needs, then runs every test optimized
# (emulation in a debug build is far too slow).
set -eu
cd "$(dirname "$0")/.."
./scripts/install-tools.sh
cargo test --release --workspace
