//! Runs every test program under QEMU and under a15emu now and compares them (when
//! `qemu-system-arm` is installed; otherwise prints a note and passes). Also reports,
//! without failing, programs whose live QEMU output no longer matches the recording
//! (a different QEMU version).
//!
//! `A15EMU_ROMS=name1,name2` restricts the run to some programs.

use std::time::Duration;

use test_roms::{roms, runner};

/// Wall-clock bound of one a15emu run.
const A15EMU_TIMEOUT_SECS: u64 = 120;

fn selected() -> Vec<&'static roms::Rom> {
    let filter: Option<Vec<String>> = std::env::var("A15EMU_ROMS").ok().map(|s| {
        s.split(',')
            .map(|x| x.trim().to_string())
            .filter(|x| !x.is_empty())
            .collect()
    });
    roms::ROMS
        .iter()
        .filter(|r| match &filter {
            Some(f) => f.iter().any(|n| n == r.name),
            None => r.in_tests,
        })
        .collect()
}

fn check(rom: &roms::Rom) -> Result<(), String> {
    let elf = rom.build().map_err(|e| format!("build failed: {e}"))?;
    let q = runner::run_qemu_on(rom.board, &elf, Duration::from_secs(120));
    let qt = roms::transcript(&q);
    if q.status.is_none() {
        return Err(format!("QEMU did not exit: {:?}", q.error));
    }
    if let Ok(rec) = roms::expected(rom) {
        if rec != qt {
            eprintln!(
                "note {}: live QEMU differs from the recording:\n{}",
                rom.name,
                roms::first_difference(&rec, &qt)
            );
        }
    }
    let image = std::fs::read(&elf).map_err(|e| format!("cannot read {}: {e}", elf.display()))?;
    let a = roms::run_a15emu_timeout_on(
        rom.board,
        image,
        rom.max_insns,
        std::time::Duration::from_secs(A15EMU_TIMEOUT_SECS),
    );
    let at = roms::transcript(&a);
    if at == qt {
        Ok(())
    } else {
        Err(roms::first_difference(&qt, &at))
    }
}

#[test]
fn roms_match_live_qemu() {
    if !runner::qemu_available() {
        eprintln!("skipped: qemu-system-arm is not installed");
        return;
    }
    if !test_roms::toolchain::available() {
        panic!("{}", test_roms::toolchain::BuildError::NoToolchain);
    }
    let roms = selected();
    let results = roms::run_parallel(&roms, check);
    let mut failures = Vec::new();
    for (rom, res) in &results {
        match res {
            Ok(()) => eprintln!("ok   {}", rom.name),
            Err(e) => {
                eprintln!("FAIL {}: {e}", rom.name);
                failures.push(rom.name);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} programs differ between QEMU and a15emu: {}",
        failures.len(),
        results.len(),
        failures.join(", ")
    );
}
