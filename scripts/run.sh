#!/bin/sh
# Main job: boots Debian bookworm's armhf Linux (linux-image-armmp-lpae) with a busybox
# initramfs on a15emu's vexpress-a15, in Hyp mode as a real A15 board's boot loader
# leaves it. Fetches the images into the cache on first use (scripts/fetch-images.sh),
# builds a15emu, and runs it with the first UART on this terminal: /init prints its
# markers and a short workload, then gives you a busybox shell; `exit` (or Ctrl-A x)
# powers off. Extra arguments go to `a15emu run` (e.g. --mem 1G, --dtb FILE).
set -eu
cd "$(dirname "$0")/.."
./scripts/fetch-images.sh >/dev/null
CACHE=${A15EMU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/a15emu}
cargo build --release -q -p cli
exec target/release/a15emu run --kernel "$CACHE/vmlinuz" --initrd "$CACHE/initrd.gz" \
    --append "console=ttyAMA0" "$@"
