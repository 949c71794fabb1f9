#!/bin/sh
# Downloads Debian bookworm's armhf kernel (linux-image-armmp-lpae -> the current
# linux-image-6.1.0-NN-armmp-lpae) and busybox-static with `apt-get download` on a private
# apt state (no root, the system's apt configuration is untouched), and builds a busybox
# initramfs. Everything lands in the cache directory:
#   ${A15EMU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/a15emu}
# Outputs: vmlinuz (zImage), vexpress-v2p-ca15-tc1.dtb, initrd.gz, xen-4.17-armhf (from
# xen-hypervisor-4.17-armhf) and xen-syms.map (Xen's code symbols as a System.map, made
# from xen-syms in xen-hypervisor-4.17-armhf-dbg, 340 KB) for `a15emu run --symbols`.
# With --kernel-symbols also System.map, the kernel's symbols, from
# linux-image-6.1.0-NN-armmp-lpae-dbg: a 620 MB download (2.7 GB installed; about 10 s
# here) of which only the System.map (or, failing that, the vmlinux, converted) is
# extracted; that .deb is deleted afterwards, unlike the other .debs, which stay cached.
# A System.map of another kernel version than the current one is removed.
# Usage: scripts/fetch-images.sh [--no-xen] [--kernel-symbols] [--force]
#   --no-xen          skip the Xen 4.17 hypervisor (--xen, fetching it, is the default)
#   --kernel-symbols  also fetch the kernel's symbols (System.map; a 620 MB download)
#   --force           rebuild the outputs even when present (downloaded .debs stay cached)
# Idempotent: downloads and outputs already in the cache are reused. Prints the paths at
# the end; on failure prints one line starting with "fetch-images: error:" and exits 1.
set -u

die() { echo "fetch-images: error: $*" >&2; exit 1; }
note() { echo "fetch-images: $*" >&2; }

XEN=1
KSYMS=0
FORCE=0
for arg in "$@"; do
    case "$arg" in
        --xen) XEN=1 ;;
        --no-xen) XEN=0 ;;
        --kernel-symbols) KSYMS=1 ;;
        --force) FORCE=1 ;;
        -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$arg' (usage: $0 [--no-xen] [--kernel-symbols] [--force])" ;;
    esac
done

for tool in apt-get apt-cache dpkg dpkg-deb python3 gzip tar; do
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

# Echo a package's candidate version.
candidate() {
    ver=$(apt_private apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p' | head -n 1)
    [ -n "$ver" ] && [ "$ver" != "(none)" ] || { echo "no candidate version for $1" >&2; return 1; }
    echo "$ver"
}

# Echo the cached .deb for a package at its candidate version, downloading if missing.
fetch_deb() {
    pkg=$1
    ver=$(candidate "$pkg") || return 1
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
    # Its debug symbols (xen-syms, an ELF with the symbol table) are small: always fetched.
    XDBGDEB=$(fetch_deb xen-hypervisor-4.17-armhf-dbg) || die "could not download xen-hypervisor-4.17-armhf-dbg"
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

# --- symbols -----------------------------------------------------------------------------
# elf2map ELF OUT: an ELF32 Arm file's code symbols (STT_FUNC and STT_NOTYPE in executable
# sections, without the $a/$t/$d mapping symbols) as a System.map ("c0008000 T stext",
# sorted by address; T global, W weak, t local). A small reader of its own: binutils' nm
# may not know Arm, and only the section headers, .symtab and .strtab are read.
ELF2MAP_VERSION=1
elf2map() {
    python3 - "$1" "$2" <<'EOF'
import struct, sys
src, out = sys.argv[1:3]
def fail(msg):
    sys.exit("%s: %s" % (src, msg))
with open(src, "rb") as f:
    eh = f.read(52)
    if len(eh) < 52 or eh[:4] != b"\x7fELF" or eh[4] != 1 or eh[5] != 1:
        fail("not a little-endian ELF32 file")
    if struct.unpack_from("<H", eh, 18)[0] != 40:  # EM_ARM
        fail("not an Arm ELF file")
    shoff, = struct.unpack_from("<I", eh, 32)
    shentsize, shnum = struct.unpack_from("<HH", eh, 46)
    if shentsize != 40 or shnum == 0:
        fail("no section headers")
    f.seek(shoff)
    raw = f.read(40 * shnum)
    if len(raw) < 40 * shnum:
        fail("truncated section headers")
    # (sh_type, sh_flags, sh_offset, sh_size, sh_link) of each section
    secs = [struct.unpack_from("<4xIIxxxxIII", raw, 40 * i) for i in range(shnum)]
    symtab = [s for s in secs if s[0] == 2]  # SHT_SYMTAB
    if not symtab or symtab[0][4] >= shnum:
        fail("no symbol table (stripped?)")
    _, _, off, size, link = symtab[0]
    f.seek(off)
    syms = f.read(size)
    f.seek(secs[link][2])
    strtab = f.read(secs[link][3])
lines = []
for i in range(0, len(syms) - 15, 16):
    name, value, _, info, _, shndx = struct.unpack_from("<IIIBBH", syms, i)
    kind, bind = info & 15, info >> 4
    if kind not in (0, 2) or value == 0 or not 0 < shndx < len(secs):  # NOTYPE, FUNC
        continue
    if secs[shndx][1] & 6 != 6:  # SHF_ALLOC | SHF_EXECINSTR
        continue
    end = strtab.find(b"\0", name)
    n = strtab[name:end].decode("ascii", "replace")
    if not n or n.startswith("$"):
        continue
    lines.append((value & ~1, "t" if bind == 0 else ("W" if bind == 2 else "T"), n))
if not lines:
    fail("no code symbols in the symbol table")
lines.sort()
with open(out, "w") as o:
    for v, l, n in lines:
        o.write("%08x %s %s\n" % (v, l, n))
EOF
}

# Xen's symbols: xen-syms.map from the -dbg package's xen-syms (its own .map file has a
# format of its own: 0x-prefixed addresses, file-qualified local names).
if [ $XEN -eq 1 ]; then
    XDBGDIR=$(extract "$XDBGDEB") || die "cannot extract $XDBGDEB"
    XSYMS=$XDBGDIR/usr/lib/debug/boot/xen-syms-4.17-armhf
    [ -s "$XSYMS" ] || die "no /usr/lib/debug/boot/xen-syms-4.17-armhf in $XDBGDEB"
    XMAP=$CACHE/xen-syms.map
    XMAP_SRC="$XSYMS elf2map-v$ELF2MAP_VERSION"
    if [ $FORCE -eq 1 ] || [ ! -s "$XMAP" ] || [ "$(cat "$XMAP.src" 2>/dev/null)" != "$XMAP_SRC" ]; then
        elf2map "$XSYMS" "$XMAP.tmp" && mv "$XMAP.tmp" "$XMAP" && echo "$XMAP_SRC" >"$XMAP.src" \
            || die "cannot make $XMAP from $XSYMS"
    fi
fi

# The kernel's symbols (--kernel-symbols): System.map from $KPKG-dbg at the kernel's
# version. Only one member of that 620 MB .deb is extracted (tar --occurrence stops at
# it, near the archive's start): its System.map, or else its vmlinux, converted.
KMAP=$CACHE/System.map
KDBG=$KPKG-dbg
KDBG_VER=$(candidate "$KDBG" 2>/dev/null) || KDBG_VER=none
KMAP_SRC="$KDBG=$KDBG_VER elf2map-v$ELF2MAP_VERSION"
KVER=${KPKG#linux-image-}
# One member of a .deb to a file; dpkg-deb's complaint about the pipe tar closed early
# is expected.
deb_member() { # deb member out
    dpkg-deb --fsys-tarfile "$1" 2>/dev/null | tar -xO --occurrence=1 "$2" >"$3" 2>/dev/null
    [ -s "$3" ]
}
if [ $KSYMS -eq 1 ]; then
    [ "$KDBG_VER" != none ] || die "no $KDBG in the armhf lists"
    if [ $FORCE -eq 1 ] || [ ! -s "$KMAP" ] || [ "$(cat "$KMAP.src" 2>/dev/null)" != "$KMAP_SRC" ]; then
        KDBGDEB=$(fetch_deb "$KDBG") || die "could not download $KDBG"
        note "extracting the kernel's symbols from $(basename "$KDBGDEB")"
        if deb_member "$KDBGDEB" "./usr/lib/debug/boot/System.map-$KVER" "$KMAP.tmp" \
            && grep -q '^[0-9a-f]\{8\} T ' "$KMAP.tmp"; then
            :
        else
            note "no System.map in $(basename "$KDBGDEB"): converting its vmlinux"
            deb_member "$KDBGDEB" "./usr/lib/debug/boot/vmlinux-$KVER" "$KMAP.vmlinux" \
                || { rm -f "$KMAP.vmlinux"; die "no System.map-$KVER nor vmlinux-$KVER in $KDBGDEB"; }
            elf2map "$KMAP.vmlinux" "$KMAP.tmp" || { rm -f "$KMAP.vmlinux"; die "cannot convert vmlinux-$KVER"; }
            rm -f "$KMAP.vmlinux"
        fi
        mv "$KMAP.tmp" "$KMAP" && echo "$KMAP_SRC" >"$KMAP.src" || die "cannot write $KMAP"
        rm -f "$KDBGDEB"
    fi
elif [ -e "$KMAP" ] && [ "$(cat "$KMAP.src" 2>/dev/null)" != "$KMAP_SRC" ]; then
    note "removing $KMAP: not $KPKG's (fetch it again with --kernel-symbols)"
    rm -f "$KMAP" "$KMAP.src"
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
[ $XEN -eq 1 ] && echo "xen:     $CACHE/xen-4.17-armhf" && echo "symbols: $XMAP (Xen)"
[ -s "$KMAP" ] && echo "symbols: $KMAP (kernel)"
exit 0
