//! The hypervisor test program (`roms/hyp.S`, issue 5): a bare-metal hypervisor in Hyp
//! mode runs a guest at Non-secure PL1 under stage 2 and checks HVC, trapped WFI and
//! coprocessor accesses, SMC, stage 2 faults emulating an MMIO device and virtual
//! interrupts through the GIC's list registers and HCR.VI/VF, then prints the number of
//! traps of each class it handled.
//!
//! Its expectation (`expected/hyp.txt`) is recorded from QEMU
//! (`vexpress-a15,secure=on,virtualization=on`). One test holds QEMU to the recording
//! (so a QEMU that behaves differently is noticed), the other a15emu.

use std::time::Duration;

use test_roms::{roms, runner};

fn hyp_rom() -> &'static roms::Rom {
    roms::find("hyp").expect("the hyp program is listed in roms::ROMS")
}

fn expected(rom: &roms::Rom) -> String {
    roms::expected(rom).unwrap_or_else(|e| {
        panic!(
            "no expectation {} ({e}): record it with `cargo run -p test-roms --bin record-expected hyp`",
            roms::expected_path(rom).display()
        )
    })
}

#[test]
fn hyp_rom_expectation_is_all_passes() {
    // The recording itself must be a clean run: every check passed, exit status 0,
    // and the trap counts the hypervisor saw are there for issue 6 to assert.
    let text = expected(hyp_rom());
    assert!(!text.contains("FAIL"), "recording has failures:\n{text}");
    assert!(text.ends_with("--- exit status 0\n"), "{text}");
    assert!(text.contains("hyp: checks, failed: "), "{text}");
    assert!(
        text.contains("traps: hvc (ec 0x12): ") && text.contains("traps: other classes: 00000000"),
        "{text}"
    );
    let checks = text.lines().filter(|l| l.ends_with(": pass")).count();
    assert!(checks >= 100, "only {checks} checks passed");
}

#[test]
fn hyp_rom_qemu_matches_recording() {
    assert!(
        runner::qemu_available(),
        "qemu-system-arm is not installed: run scripts/install-tools.sh"
    );
    let rom = hyp_rom();
    let elf = rom.build().unwrap_or_else(|e| panic!("build failed: {e}"));
    let out = runner::run_qemu_on(rom.board, &elf, Duration::from_secs(120));
    let actual = roms::transcript(&out);
    let expected = expected(rom);
    assert!(
        actual == expected,
        "QEMU's output differs from expected/hyp.txt:\n{}",
        roms::first_difference(&expected, &actual)
    );
}

#[test]
fn hyp_rom_a15emu_matches_recording() {
    let rom = hyp_rom();
    let elf = rom.build().unwrap_or_else(|e| panic!("build failed: {e}"));
    let image = std::fs::read(&elf).unwrap_or_else(|e| panic!("{}: {e}", elf.display()));
    let out =
        roms::run_a15emu_timeout_on(rom.board, image, rom.max_insns, Duration::from_secs(120));
    let actual = roms::transcript(&out);
    let expected = expected(rom);
    assert!(
        actual == expected,
        "a15emu's output differs from QEMU's (expected/hyp.txt):\n{}\n--- a15emu's whole output:\n{actual}",
        roms::first_difference(&expected, &actual)
    );
}

/// Issue 6: the HSR path counts exactly the traps the hypervisor says it handled, class by
/// class (the program prints its own counts at the end, recorded from QEMU).
#[test]
fn hyp_rom_traps_are_counted_exactly_on_the_hsr_path() {
    use emu_core::hyp_stats::TrapClass;
    let rom = hyp_rom();
    let elf = rom.build().unwrap_or_else(|e| panic!("build failed: {e}"));
    let image = std::fs::read(&elf).unwrap_or_else(|e| panic!("{}: {e}", elf.display()));
    let (out, counts) = runner::run_a15emu_with_stats(rom.board, &image, rom.max_insns);
    assert_eq!(out.status, Some(0), "{:?}", out.error);
    let expected = expected(rom);
    let (by_ec, other) = runner::hyp_rom_trap_counts(&expected);
    let mut listed = 0;
    for &(ec, n) in &by_ec {
        let class = TrapClass::from_ec(ec);
        assert_eq!(counts[class.index()], n, "{} (ec {ec:#x})", class.name());
        listed += n;
    }
    let other = other.expect("the recording has the other classes' line");
    let total: u64 = counts.iter().sum();
    assert_eq!(
        total - listed,
        other,
        "entries of other classes: {counts:?}"
    );
    let seen = by_ec.len();
    assert!(seen >= 7, "the recording lists the classes: {seen}");
}
