//! Boots Debian bookworm's armhf kernel (linux-image-armmp-lpae) with the busybox
//! initramfs of scripts/fetch-images.sh on the a15emu binary, once with the device tree
//! a15emu generates and once with Debian's own vexpress-v2p-ca15-tc1.dtb. The images
//! must be in the cache (scripts/test.sh fetches them first).

use std::path::Path;
use std::time::Duration;

use machine_vexpress::linux::crc32;
use test_roms::linux::{self, Images, MARKER_DONE, MARKER_INIT};

const TIMEOUT: Duration = Duration::from_secs(600);

fn images() -> Images {
    Images::find().unwrap_or_else(|e| panic!("{e}"))
}

fn check_boot(debian_dtb: bool) {
    check_boot_with(debian_dtb, &[], "HYP", 512 << 10);
}

/// Debian's zImage wrapped in a legacy u-boot header (as `mkimage -A arm -O linux -T kernel
/// -C none -a 0x80008000 -e 0x80008000` makes it).
fn uimage_of(zimage: &[u8]) -> Vec<u8> {
    let mut h = [0u8; 64];
    let mut put = |off: usize, v: u32| h[off..off + 4].copy_from_slice(&v.to_be_bytes());
    put(0, 0x2705_1956);
    put(8, 0);
    put(12, zimage.len() as u32);
    put(16, 0x8000_8000);
    put(20, 0x8000_8000);
    put(24, crc32(zimage));
    h[28] = 5; // OS: Linux
    h[29] = 2; // architecture: Arm
    h[30] = 2; // type: kernel
    h[31] = 0; // compression: none
    h[32..32 + 13].copy_from_slice(b"debian-zimage");
    let hcrc = crc32(&h);
    h[4..8].copy_from_slice(&hcrc.to_be_bytes());
    let mut out = h.to_vec();
    out.extend_from_slice(zimage);
    out
}

/// Boots with `extra` arguments and expects the kernel to report starting in `mode` with
/// `mem_kib` of RAM (from the device tree a15emu generated or patched).
fn check_boot_with(debian_dtb: bool, extra: &[&str], mode: &str, mem_kib: u64) {
    let img = images();
    let bin = Path::new(env!("CARGO_BIN_EXE_a15emu"));
    let mut cmd = linux::a15emu_command(bin, &img, debian_dtb);
    cmd.args(extra);
    let b = linux::boot(cmd, &[MARKER_INIT, MARKER_DONE], TIMEOUT).expect("start a15emu");
    let ctx = || {
        format!(
            "status {:?} after {:.1} s\n--- console tail ---\n{}\n--- stderr ---\n{}",
            b.status,
            b.total_secs,
            b.tail(40),
            b.stderr
        )
    };
    assert!(b.mark(MARKER_INIT).is_some(), "no init marker: {}", ctx());
    assert!(
        b.mark(MARKER_DONE).is_some(),
        "workload did not finish: {}",
        ctx()
    );
    assert!(
        b.console
            .contains(&format!("CPU: All CPU(s) started in {mode} mode")),
        "the kernel did not start in {mode} mode: {}",
        ctx()
    );
    assert!(
        b.console.contains(&format!("K/{mem_kib}K available")),
        "the kernel did not get {mem_kib} KiB of RAM: {}",
        ctx()
    );
    assert!(
        b.console.contains("reboot: Power down"),
        "no clean power-off: {}",
        ctx()
    );
    assert_eq!(b.status, Some(0), "a15emu's exit status: {}", ctx());
    // Nothing the guest did hit an unimplemented register or an unmapped address.
    let warnings: Vec<&str> = b
        .stderr
        .lines()
        .filter(|l| l.contains("WARN") || l.contains("ERROR"))
        .collect();
    assert!(warnings.is_empty(), "warnings: {warnings:#?}\n{}", ctx());
    // The shell workload's result, as QEMU prints it (and as arithmetic says).
    assert!(
        b.console.contains("workload: sum=689634"),
        "wrong or missing workload output: {}",
        ctx()
    );
    eprintln!(
        "boot ({} DTB): init marker at {:.1} s, done at {:.1} s, exit at {:.1} s",
        if debian_dtb { "Debian's" } else { "generated" },
        b.mark(MARKER_INIT).unwrap_or(0.0),
        b.mark(MARKER_DONE).unwrap_or(0.0),
        b.total_secs
    );
}

#[test]
fn boots_debian_linux_with_generated_dtb() {
    check_boot(false);
}

#[test]
fn boots_debian_linux_with_debian_dtb() {
    check_boot(true);
}

/// Without the Virtualization Extensions the kernel starts in SVC mode; with 256 MiB of
/// RAM the generated device tree's memory node says so.
#[test]
fn boots_debian_linux_in_svc_mode_with_256m() {
    check_boot_with(
        false,
        &["--virtualization", "off", "--mem", "256M"],
        "SVC",
        256 << 10,
    );
}

/// The same kernel as a uImage boots too.
#[test]
fn boots_debian_linux_from_a_uimage() {
    let img = images();
    let zimage = std::fs::read(&img.kernel).expect("read the zImage");
    let dir = std::env::temp_dir().join(format!("a15emu-uimage-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let uimage = dir.join("uImage");
    std::fs::write(&uimage, uimage_of(&zimage)).expect("write the uImage");
    let bin = Path::new(env!("CARGO_BIN_EXE_a15emu"));
    let mut cmd = std::process::Command::new(bin);
    cmd.arg("run").arg("--kernel").arg(&uimage);
    cmd.arg("--initrd").arg(&img.initrd);
    cmd.args(["--append", linux::TEST_APPEND]);
    let b = linux::boot(cmd, &[MARKER_INIT, MARKER_DONE], TIMEOUT).expect("start a15emu");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        b.mark(MARKER_DONE).is_some() && b.status == Some(0),
        "uImage boot failed: status {:?}\n{}\n{}",
        b.status,
        b.tail(30),
        b.stderr
    );
}
