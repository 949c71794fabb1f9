#!/bin/sh
# Main job: the full demonstration. Debian bookworm's Xen 4.17 runs in a15emu's emulated
# Hyp mode on the vexpress-a15 with Debian's armhf Linux (linux-image-armmp-lpae) and the
# busybox initramfs as dom0 and as two dom0less guests (domU1, domU2, each on Xen's
# emulated PL011). Every guest prints its markers and runs a short workload; dom0 waits
# for the guests and powers off; a15emu then prints the Hyp statistics table (every trap
# to Hyp mode counted on the HSR path). Fetches the images into the cache on first use
# (scripts/fetch-images.sh) and builds a15emu. Extra arguments go to `a15emu run`
# (e.g. --hyp-stats-json FILE, --hyp-trace FILE, --clock instructions).
# The table names trapping PCs as symbol+offset: Xen's (the cache's xen-syms.map, from
# xen-hypervisor-4.17-armhf-dbg) and the guest kernel's (System.map, from
# linux-image-6.1.0-NN-armmp-lpae-dbg: a 620 MB download the first time; the .deb is not
# kept; A15EMU_NO_KERNEL_SYMBOLS=1 skips it).
#
# `./scripts/run.sh --linux [ARGS]` boots the same Linux natively instead, in Hyp mode as
# a real A15 board's boot loader leaves it, to a busybox shell on this terminal (`exit` or
# Ctrl-A x powers off).
set -eu
cd "$(dirname "$0")/.."
if [ -n "${A15EMU_NO_KERNEL_SYMBOLS:-}" ]; then
    ./scripts/fetch-images.sh >/dev/null
else
    ./scripts/fetch-images.sh --kernel-symbols >/dev/null
fi
CACHE=${A15EMU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/a15emu}
cargo build --release -q -p cli
BIN=${CARGO_TARGET_DIR:-target}/release/a15emu
# --symbols for each symbol file in the cache (fetch-images.sh removes a stale System.map).
KSYMS=
[ -s "$CACHE/System.map" ] && KSYMS=guest:$CACHE/System.map
if [ "${1:-}" = --linux ]; then
    shift
    exec "$BIN" run --kernel "$CACHE/vmlinuz" --initrd "$CACHE/initrd.gz" \
        --append "console=ttyAMA0" ${KSYMS:+--symbols "$KSYMS"} "$@"
fi
K=$CACHE/vmlinuz
I=$CACHE/initrd.gz
exec "$BIN" run --kernel "$CACHE/xen-4.17-armhf" --hyp-stats \
    --symbols "hyp:$CACHE/xen-syms.map" ${KSYMS:+--symbols "$KSYMS"} \
    --dom0 "$K,initrd=$I,append=console=hvc0 a15emu.test a15emu.role=dom0 a15emu.domus=2" \
    --domu "$K,initrd=$I,append=console=ttyAMA0 a15emu.test a15emu.role=domU1" \
    --domu "$K,initrd=$I,append=console=ttyAMA0 a15emu.test a15emu.role=domU2" "$@"
