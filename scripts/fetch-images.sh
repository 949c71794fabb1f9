#!/bin/sh
# Downloads Debian bookworm's armhf kernel (linux-image-armmp-lpae -> the current
# linux-image-6.1.0-NN-armmp-lpae) and busybox-static with `apt-get download` on a private
# apt state (no root, the system's apt configuration is untouched), and builds a busybox
# initramfs. Everything lands in the cache directory:
#   ${A15EMU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/a15emu}
# Outputs: vmlinuz (zImage), vexpress-v2p-ca15-tc1.dtb, initrd.gz and xen-4.17-armhf
# (from xen-hypervisor-4.17-armhf).
# Usage: scripts/fetch-images.sh [--no-xen] [--force]
#   --no-xen  skip the Xen 4.17 hypervisor (--xen, fetching it, is the default)
#   --force   rebuild the outputs even when present (downloaded .debs stay cached)
# Idempotent: downloads and outputs already in the cache are reused. Prints the paths at
# the end; on failure prints one line starting with "fetch-images: error:" and exits 1.
set -u

die() { echo "fetch-images: error: $*" >&2; exit 1; }
note() { echo "fetch-images: $*" >&2; }

XEN=1
FORCE=0
for arg in "$@"; do
    case "$arg" in
        --xen) XEN=1 ;;
        --no-xen) XEN=0 ;;
        --force) FORCE=1 ;;
        -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$arg' (usage: $0 [--no-xen] [--force])" ;;
    esac
done

for tool in apt-get apt-cache dpkg dpkg-deb python3 gzip; do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found (needs a Debian-like host with python3)"
done

CACHE=${A15EMU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/a15emu}
APTDIR=$CACHE/apt
DEBS=$CACHE/debs
mkdir -p "$APTDIR/state/lists/partial" "$APTDIR/cache/archives/partial" "$APTDIR/etc" "$DEBS" \
    2>/dev/null || die "cannot create cache directory $CACHE"

cat >"$APTDIR/etc/sources.list" <<'EOF' || die "cannot write $APTDIR/etc/sources.list"
deb http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
EOF
: >"$APTDIR/state/status"

# As root, apt would drop to the _apt user, which cannot write into a private directory
# under root's home; keep the download as the invoking user instead.
SANDBOX=
[ "$(id -u)" -eq 0 ] && SANDBOX="-o APT::Sandbox::User=root"

apt_private() {
    cmd=$1; shift
    # shellcheck disable=SC2086
    "$cmd" $SANDBOX \
        -o Dir::State="$APTDIR/state" \
        -o Dir::State::status="$APTDIR/state/status" \
        -o Dir::Cache="$APTDIR/cache" \
        -o Dir::Etc::SourceList="$APTDIR/etc/sources.list" \
        -o Dir::Etc::SourceParts=/dev/null \
        -o Dir::Etc::Preferences=/dev/null \
        -o Dir::Etc::PreferencesParts=/dev/null \
        -o APT::Architecture=armhf \
        -o APT::Architectures=armhf \
        -o Debug::NoLocking=1 \
        "$@"
}

# --- apt-get update (once per run unless the lists are fresher than a day) -------------
lists_fresh() {
    stamp=$APTDIR/state/updated
    [ -f "$stamp" ] && [ -n "$(find "$stamp" -mmin -1440 2>/dev/null)" ]
}
if ! lists_fresh; then
    note "updating the private package lists (bookworm, bookworm-updates, bookworm-security; armhf)"
    log=$APTDIR/update.log
    apt_private apt-get -q update >"$log" 2>&1
    rc=$?
    if ! ls "$APTDIR"/state/lists/*bookworm_main_binary-armhf_Packages* >/dev/null 2>&1; then
        tail -n 5 "$log" >&2
        die "apt-get update could not fetch bookworm main (armhf); see $log"
    fi
    if [ $rc -ne 0 ] || grep -q '^\(W\|E\|Err\):' "$log"; then
        note "warning: apt-get update reported problems with some index (continuing):"
        grep '^\(W\|E\|Err\):' "$log" | head -n 5 | sed 's/^/  /' >&2
    else
        touch "$APTDIR/state/updated"
    fi
fi

# --- resolve and download ---------------------------------------------------------------
# The metapackage depends on the current ABI-versioned image; resolve that dependency.
KPKG=$(apt_private apt-cache depends linux-image-armmp-lpae 2>/dev/null \
    | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-armmp-lpae\)$/\1/p' | head -n 1)
[ -n "$KPKG" ] || die "cannot resolve linux-image-armmp-lpae's kernel package from the armhf lists"
note "kernel package: $KPKG"

PKGS="$KPKG busybox-static"
[ $XEN -eq 1 ] && PKGS="$PKGS xen-hypervisor-4.17-armhf"

# Echo the cached .deb for a package at its candidate version, downloading if missing.
fetch_deb() {
    pkg=$1
    ver=$(apt_private apt-cache policy "$pkg" 2>/dev/null | sed -n 's/^ *Candidate: //p' | head -n 1)
    [ -n "$ver" ] && [ "$ver" != "(none)" ] || { echo "no candidate version for $pkg" >&2; return 1; }
    vfile=$(printf '%s' "$ver" | sed 's/:/%3a/')
    deb=$DEBS/${pkg}_${vfile}_armhf.deb
    if [ ! -s "$deb" ]; then
        note "downloading $pkg $ver"
        rm -f "$DEBS/${pkg}_"*.deb
        (cd "$DEBS" && apt_private apt-get -qq download "$pkg=$ver") >&2 || { echo "apt-get download $pkg failed" >&2; return 1; }
        [ -s "$deb" ] || deb=$(ls "$DEBS/${pkg}_"*_armhf.deb 2>/dev/null | head -n 1)
        [ -n "$deb" ] && [ -s "$deb" ] || { echo "downloaded $pkg but cannot find its .deb" >&2; return 1; }
    else
        note "cached: $(basename "$deb")"
    fi
    echo "$deb"
}

KDEB=$(fetch_deb "$KPKG") || die "could not download $KPKG"
BDEB=$(fetch_deb busybox-static) || die "could not download busybox-static"
if [ $XEN -eq 1 ]; then
    XDEB=$(fetch_deb xen-hypervisor-4.17-armhf) || die "could not download xen-hypervisor-4.17-armhf"
fi

# --- extract -----------------------------------------------------------------------------
# Each .deb is extracted into its own directory named after the .deb; a stamp marks it done.
extract() {
    deb=$1
    dir=$CACHE/extract/$(basename "$deb" .deb)
    if [ ! -f "$dir/.done" ]; then
        rm -rf "$dir" && mkdir -p "$dir" && dpkg -x "$deb" "$dir" && touch "$dir/.done" \
            || { echo "dpkg -x $deb failed" >&2; return 1; }
    fi
    echo "$dir"
}
KDIR=$(extract "$KDEB") || die "cannot extract $KDEB"
BDIR=$(extract "$BDEB") || die "cannot extract $BDEB"

# Outputs are rebuilt when the package they come from changed (tracked in *.src files).
install_out() { # src dst
    if [ $FORCE -eq 1 ] || [ ! -s "$2" ] || [ "$(cat "$2.src" 2>/dev/null)" != "$1" ]; then
        cp "$1" "$2.tmp" && mv "$2.tmp" "$2" && echo "$1" >"$2.src"
    fi
}

VMLINUZ_SRC=$(ls "$KDIR"/boot/vmlinuz-* 2>/dev/null | head -n 1)
[ -n "$VMLINUZ_SRC" ] || die "no /boot/vmlinuz-* in $KDEB"
DTB_SRC=$(ls "$KDIR"/usr/lib/linux-image-*/vexpress-v2p-ca15-tc1.dtb 2>/dev/null | head -n 1)
[ -n "$DTB_SRC" ] || die "no vexpress-v2p-ca15-tc1.dtb under /usr/lib/linux-image-*/ in $KDEB"
install_out "$VMLINUZ_SRC" "$CACHE/vmlinuz" || die "cannot write $CACHE/vmlinuz"
install_out "$DTB_SRC" "$CACHE/vexpress-v2p-ca15-tc1.dtb" || die "cannot write $CACHE/vexpress-v2p-ca15-tc1.dtb"

if [ $XEN -eq 1 ]; then
    XDIR=$(extract "$XDEB") || die "cannot extract $XDEB"
    [ -s "$XDIR/boot/xen-4.17-armhf" ] || die "no /boot/xen-4.17-armhf in $XDEB"
    install_out "$XDIR/boot/xen-4.17-armhf" "$CACHE/xen-4.17-armhf" || die "cannot write $CACHE/xen-4.17-armhf"
fi

# --- initramfs ---------------------------------------------------------------------------
BUSYBOX=$BDIR/bin/busybox
[ -s "$BUSYBOX" ] || die "no /bin/busybox in $BDEB"

# The /init script; bump INIT_VERSION when changing it so cached initrds are rebuilt.
# The same initramfs serves a native boot, Xen's dom0 and the dom0less domUs: the kernel
# command line's a15emu.role=NAME (dom0, domU1, ...) tags the markers with " (NAME)".
# With a15emu.test the run is non-interactive: after the workload a domU powers itself
# off (its domain shuts down), and dom0 first waits (bin/xenwait, reading Xen's console
# ring) until the a15emu.domus=N guests have printed their done markers, then powers off,
# which makes Xen halt the machine through PSCI SYSTEM_OFF.
INIT_VERSION=4
INIT=$CACHE/init.sh
cat >"$INIT.tmp" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
role=$(sed -n 's/.*a15emu[.]role=\([^ ]*\).*/\1/p' /proc/cmdline)
tag=${role:+ ($role)}
echo "A15EMU-MARKER: init started$tag"
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
uname -a
cat /proc/cpuinfo | head
i=0; sum=0
while [ $i -lt 2000 ]; do sum=$(( (sum * 31 + i) % 1000003 )); i=$((i + 1)); done
echo "workload: sum=$sum$tag"
# A Xen guest also idles a moment (its vCPU's WFI is trapped by Xen: HCR.TWI).
case "$role" in domU*) usleep 200000 ;; esac
ls /sys/devices
echo "A15EMU-MARKER: workload done$tag"
# Tests and benchmarks pass a15emu.test on the kernel command line: power off now.
# Otherwise this is an interactive boot: a shell on the console, power off when it exits.
if ! grep -q 'a15emu.test' /proc/cmdline; then
    echo "busybox shell on the console; 'exit' powers ${role:-the board} off"
    setsid cttyhack sh -l
elif [ "$role" = dom0 ]; then
    n=$(sed -n 's/.*a15emu[.]domus=\([0-9]*\).*/\1/p' /proc/cmdline)
    if [ -n "$n" ] && [ "$n" -gt 0 ]; then
        insmod /lib/modules/xen-privcmd.ko
        if [ -x /bin/xenwait ]; then
            xenwait "$n" 1800
        else
            echo "no /bin/xenwait in this initramfs: waiting 120 s for the domUs"
            sleep 120
        fi
    fi
fi
poweroff -f
EOF
mv "$INIT.tmp" "$INIT"

# xenwait (scripts/xenwait.c), a freestanding armhf Linux program; needs arm-none-eabi-gcc
# (scripts/install-tools.sh). Without it dom0 falls back to a fixed wait.
XENWAIT=$CACHE/xenwait
XENWAIT_C=$(dirname "$0")/xenwait.c
XENWAIT_FLAGS="-march=armv7-a -marm -mfloat-abi=soft -Os -nostdlib -ffreestanding -static -fno-pic \
-fno-stack-protector -Wl,-Ttext=0x10000 -Wl,--build-id=none -Wl,-z,noexecstack -Wl,-e,_start"
if command -v arm-none-eabi-gcc >/dev/null 2>&1 && [ -f "$XENWAIT_C" ]; then
    # Rebuilt when the source or the flags change (tracked in xenwait.src).
    XENWAIT_SRC="$(cksum <"$XENWAIT_C") $XENWAIT_FLAGS"
    if [ $FORCE -eq 1 ] || [ ! -s "$XENWAIT" ] || [ "$(cat "$XENWAIT.src" 2>/dev/null)" != "$XENWAIT_SRC" ]; then
        # shellcheck disable=SC2086
        arm-none-eabi-gcc $XENWAIT_FLAGS -o "$XENWAIT.tmp" "$XENWAIT_C" \
            && mv "$XENWAIT.tmp" "$XENWAIT" && echo "$XENWAIT_SRC" >"$XENWAIT.src" \
            || die "building xenwait failed"
    fi
else
    note "warning: arm-none-eabi-gcc not found: the initramfs has no xenwait (dom0 waits 120 s for domUs)"
    rm -f "$XENWAIT"
fi
PRIVCMD=$(ls "$KDIR"/lib/modules/*/kernel/drivers/xen/xen-privcmd.ko 2>/dev/null | head -n 1)
[ -n "$PRIVCMD" ] || die "no xen-privcmd.ko in $KDEB"

INITRD=$CACHE/initrd.gz
XENWAIT_SUM=$( [ -s "$XENWAIT" ] && cksum <"$XENWAIT" | cut -d' ' -f1 )
INITRD_SRC="$BUSYBOX init-v$INIT_VERSION $PRIVCMD xenwait:${XENWAIT_SUM:-none}"
if [ $FORCE -eq 1 ] || [ ! -s "$INITRD" ] || [ "$(cat "$INITRD.src" 2>/dev/null)" != "$INITRD_SRC" ]; then
    # A newc cpio writer: no root needed (device nodes are just archive entries).
    python3 - "$BUSYBOX" "$INIT" "$INITRD.tmp" "$PRIVCMD" "$XENWAIT" <<'EOF' || die "building initrd.gz failed"
import gzip, os, sys, time
busybox, init, out, privcmd, xenwait = sys.argv[1:6]
now = int(time.time())
entries = []  # (name, mode, data, rdevmajor, rdevminor)
for d in ("bin", "sbin", "usr", "usr/bin", "usr/sbin", "dev", "proc", "sys", "tmp", "etc", "root",
          "lib", "lib/modules"):
    entries.append((d, 0o040755, b"", 0, 0))
entries.append(("dev/console", 0o020600, b"", 5, 1))
entries.append(("dev/null", 0o020666, b"", 1, 3))
entries.append(("bin/busybox", 0o100755, open(busybox, "rb").read(), 0, 0))
entries.append(("bin/sh", 0o120777, b"busybox", 0, 0))
entries.append(("init", 0o100755, open(init, "rb").read(), 0, 0))
entries.append(("lib/modules/xen-privcmd.ko", 0o100644, open(privcmd, "rb").read(), 0, 0))
if os.path.isfile(xenwait):
    entries.append(("bin/xenwait", 0o100755, open(xenwait, "rb").read(), 0, 0))
def pad(n):
    return b"\0" * ((4 - n % 4) % 4)
buf = bytearray()
def put(ino, name, mode, data, maj, mnr):
    nb = name.encode() + b"\0"
    nlink = 2 if mode & 0o170000 == 0o040000 else 1
    fields = (ino, mode, 0, 0, nlink, now, len(data), 0, 0, maj, mnr, len(nb), 0)
    hdr = b"070701" + b"".join(b"%08X" % f for f in fields)
    buf.extend(hdr + nb + pad(len(hdr) + len(nb)) + data + pad(len(data)))
for i, (name, mode, data, maj, mnr) in enumerate(entries, 1):
    put(i, name, mode, data, maj, mnr)
put(0, "TRAILER!!!", 0, b"", 0, 0)
with gzip.open(out, "wb", compresslevel=9) as f:
    f.write(bytes(buf))
EOF
    mv "$INITRD.tmp" "$INITRD" && echo "$INITRD_SRC" >"$INITRD.src" || die "cannot write $INITRD"
fi

echo "kernel:  $CACHE/vmlinuz  ($KPKG)"
echo "dtb:     $CACHE/vexpress-v2p-ca15-tc1.dtb"
echo "initrd:  $INITRD"
[ $XEN -eq 1 ] && echo "xen:     $CACHE/xen-4.17-armhf"
exit 0
