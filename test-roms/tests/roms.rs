//! Every test program under a15emu (in-process) must print exactly what QEMU printed when
//! its expectation was recorded (`test-roms/expected/<name>.txt`) and exit the same way.
//!
//! `A15EMU_ROMS=name1,name2` restricts the run to some programs.

use test_roms::roms;

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

/// Builds and runs one program; `Err` describes a mismatch.
fn check(rom: &roms::Rom) -> Result<(), String> {
    let elf = rom.build().map_err(|e| format!("build failed: {e}"))?;
    let expected = roms::expected(rom).map_err(|e| {
        format!(
            "no expectation {} ({e}): record it with `cargo run -p test-roms --bin record-expected {}`",
            roms::expected_path(rom).display(),
            rom.name
        )
    })?;
    let image = std::fs::read(&elf).map_err(|e| format!("cannot read {}: {e}", elf.display()))?;
    let out = roms::run_a15emu_timeout_on(
        rom.board,
        image,
        rom.max_insns,
        std::time::Duration::from_secs(A15EMU_TIMEOUT_SECS),
    );
    let actual = roms::transcript(&out);
    if actual == expected {
        Ok(())
    } else {
        Err(roms::first_difference(&expected, &actual))
    }
}

#[test]
fn roms_match_qemu_recordings() {
    if !test_roms::toolchain::available() {
        panic!("{}", test_roms::toolchain::BuildError::NoToolchain);
    }
    let roms = selected();
    assert!(!roms.is_empty(), "no programs selected");
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
        "{} of {} programs differ from QEMU's recorded output: {}",
        failures.len(),
        results.len(),
        failures.join(", ")
    );
}
