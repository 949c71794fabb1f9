//! Records the expected output of every test program from QEMU:
//! `cargo run -p test-roms --bin record-expected [name...]` writes
//! `test-roms/expected/<name>.txt` (what the program printed, then its exit status).

use std::process::ExitCode;
use std::time::Duration;

use test_roms::{roms, runner};

fn main() -> ExitCode {
    let names: Vec<String> = std::env::args().skip(1).collect();
    if !runner::qemu_available() {
        eprintln!("record-expected: qemu-system-arm not found (Debian package qemu-system-arm)");
        return ExitCode::FAILURE;
    }
    let selected: Vec<&roms::Rom> = if names.is_empty() {
        roms::ROMS.iter().collect()
    } else {
        let mut v = Vec::new();
        for n in &names {
            match roms::find(n) {
                Some(r) => v.push(r),
                None => {
                    eprintln!("record-expected: no program named {n}");
                    return ExitCode::FAILURE;
                }
            }
        }
        v
    };
    let _ = std::fs::create_dir_all(roms::expected_dir());
    let mut failed = false;
    for rom in selected {
        let elf = match rom.build() {
            Ok(p) => p,
            Err(e) => {
                eprintln!("{}: build failed: {e}", rom.name);
                failed = true;
                continue;
            }
        };
        let out = runner::run_qemu_on(rom.board, &elf, Duration::from_secs(120));
        let text = roms::transcript(&out);
        if out.status.is_none() {
            eprintln!(
                "{}: did not exit under QEMU ({:?}); not recorded",
                rom.name, out.error
            );
            failed = true;
            continue;
        }
        let path = roms::expected_path(rom);
        let old = std::fs::read_to_string(&path).ok();
        if let Err(e) = std::fs::write(&path, &text) {
            eprintln!("{}: cannot write {}: {e}", rom.name, path.display());
            failed = true;
            continue;
        }
        let what = match old {
            None => "new",
            Some(o) if o == text => "unchanged",
            Some(_) => "CHANGED",
        };
        println!(
            "{:24} {:9} {} lines, exit {:?}",
            rom.name,
            what,
            text.lines().count() - 1,
            out.status
        );
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
