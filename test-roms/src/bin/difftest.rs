//! Random differential tester: runs random A32/T32 instruction sequences under QEMU and
//! under a15emu and compares the final registers, flags and memory.
//!
//! `cargo run --release -p test-roms --bin difftest -- --state arm|thumb --count N --seed S`
//!
//! Options: `--len L` (instructions per sequence, default 32), `--batch B` (sequences
//! per program, default 500), `--jobs J`, `--only I` (run sequence I alone),
//! `--vfp` (mix VFP instructions in, from random D0-D31 and FPSCR biased towards NaNs,
//! infinities, zeros and denormals, and compare them too),
//! `--keep DIR` (keep the generated sources and ELFs), `--qemu-only` (check the
//! generator and harness under QEMU alone), `--max-reports R` (full reproducers per
//! batch), `--qemu-timeout S` / `--emu-timeout S` (seconds per program run).
//! The last line printed is `difftest: N passed, M failed`.

use std::process::ExitCode;
use std::time::Instant;

use test_roms::difftest::{run, Config, State};

fn usage() -> ExitCode {
    eprintln!(
        "usage: difftest --state arm|thumb [--vfp] [--count N] [--seed S] [--len L] [--batch B] [--jobs J]\n\
         \x20               [--only I] [--keep DIR] [--qemu-only] [--max-reports R]\n\
         \x20               [--qemu-timeout S] [--emu-timeout S]"
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut cfg = Config::new(State::Arm, 1000, 1);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = |name: &str| -> Option<String> {
            let v = args.next();
            if v.is_none() {
                eprintln!("difftest: {name} needs a value");
            }
            v
        };
        macro_rules! num {
            ($name:expr) => {
                match val($name).and_then(|v| parse_num(&v)) {
                    Some(n) => n,
                    None => return usage(),
                }
            };
        }
        match a.as_str() {
            "--state" => {
                cfg.state = match val("--state").as_deref() {
                    Some("arm") | Some("a32") => State::Arm,
                    Some("thumb") | Some("t32") => State::Thumb,
                    _ => return usage(),
                }
            }
            "--count" => cfg.count = num!("--count") as usize,
            "--seed" => cfg.seed = num!("--seed"),
            "--len" => cfg.len = num!("--len") as usize,
            "--batch" => cfg.batch = num!("--batch") as usize,
            "--jobs" => cfg.jobs = num!("--jobs") as usize,
            "--emu-timeout" => {
                cfg.emu_timeout = std::time::Duration::from_secs(num!("--emu-timeout"))
            }
            "--qemu-timeout" => {
                cfg.qemu_timeout = std::time::Duration::from_secs(num!("--qemu-timeout"))
            }
            "--only" => cfg.only = Some(num!("--only") as usize),
            "--max-reports" => cfg.max_reports = num!("--max-reports") as usize,
            "--keep" => match val("--keep") {
                Some(d) => cfg.keep = Some(d.into()),
                None => return usage(),
            },
            "--qemu-only" => cfg.qemu_only = true,
            "--vfp" => cfg.vfp = true,
            "-h" | "--help" => {
                usage();
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("difftest: unknown argument {other}");
                return usage();
            }
        }
    }
    let start = Instant::now();
    let n = cfg.only.map_or(cfg.count, |_| 1);
    println!(
        "difftest: {} state, {n} sequences of {} instructions, seed {}{}",
        cfg.label(),
        cfg.len,
        cfg.seed,
        if cfg.qemu_only { " (QEMU only)" } else { "" }
    );
    match run(&cfg) {
        Ok(s) => {
            print!("{}", s.report);
            if s.generator_bugs > 0 {
                println!(
                    "difftest: {} sequences faulted under QEMU (generator bugs)",
                    s.generator_bugs
                );
            }
            println!("difftest: took {:.1} s", start.elapsed().as_secs_f64());
            println!("difftest: {} passed, {} failed", s.passed, s.failed);
            if s.failed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("difftest: {e}");
            println!("difftest: 0 passed, {n} failed");
            ExitCode::FAILURE
        }
    }
}

fn parse_num(s: &str) -> Option<u64> {
    match s.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    }
}
