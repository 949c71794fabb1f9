//! Boots Debian bookworm's armhf kernel (linux-image-armmp-lpae) with the busybox
//! initramfs of scripts/fetch-images.sh on the a15emu binary, once with the device tree
//! a15emu generates and once with Debian's own vexpress-v2p-ca15-tc1.dtb. The images
//! must be in the cache (scripts/test.sh fetches them first).

use std::path::Path;
use std::time::Duration;

use test_roms::linux::{self, Images, MARKER_DONE, MARKER_INIT};

const TIMEOUT: Duration = Duration::from_secs(600);

fn images() -> Images {
    Images::find().unwrap_or_else(|e| panic!("{e}"))
}

fn check_boot(debian_dtb: bool) {
    let img = images();
    let bin = Path::new(env!("CARGO_BIN_EXE_a15emu"));
    let cmd = linux::a15emu_command(bin, &img, debian_dtb);
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
        b.console.contains("CPU: All CPU(s) started in HYP mode"),
        "the kernel did not start in HYP mode: {}",
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
