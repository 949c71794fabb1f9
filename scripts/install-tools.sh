#!/bin/sh
# Installs the host tools the test suite needs, from Debian's archive, when absent:
# the bare-metal cross toolchain (test-roms) and qemu-system-arm (the reference oracle
# for differential tests). Needs root or sudo; does nothing if the tools are there.
set -eu
need=""
command -v arm-none-eabi-gcc >/dev/null 2>&1 || need="$need gcc-arm-none-eabi binutils-arm-none-eabi libnewlib-arm-none-eabi"
command -v qemu-system-arm >/dev/null 2>&1 || need="$need qemu-system-arm"
[ -z "$need" ] && exit 0
if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-tools: need root or sudo to install:$need" >&2; exit 1; fi
echo "install-tools: installing$need" >&2
export DEBIAN_FRONTEND=noninteractive
# One failed index (seen during mirror syncs) must not stop the install.
$SUDO apt-get update -q >&2 || echo "install-tools: apt-get update reported errors; continuing" >&2
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $need >&2
