//! The Hyp statistics from the command line (issue 6): `run --hyp-stats`,
//! `--hyp-stats-json`, `--hyp-trace`, `--symbols`, `--no-hyp-stats`, and `a15emu stats`
//! (re-rendering, plots, bad files), on the synthetic trap workload roms/hvloop.S.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn a15emu() -> Command {
    Command::new(env!("CARGO_BIN_EXE_a15emu"))
}

/// A scratch directory of this test.
fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("a15emu-hs-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// hvloop.bin with ITERS iterations of WORK busy-loop rounds, written to `dir`.
fn hvloop(dir: &Path, iters: u32, work: u32) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/roms/hvloop.bin");
    let mut b = std::fs::read(src).unwrap();
    b[0x30..0x34].copy_from_slice(&iters.to_le_bytes());
    b[0x34..0x38].copy_from_slice(&work.to_le_bytes());
    let p = dir.join("hvloop.bin");
    std::fs::write(&p, b).unwrap();
    p
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn run(args: &[&std::ffi::OsStr]) -> Output {
    a15emu()
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

/// The number in the first column after `label` on the line that starts with it.
fn count_of(table: &str, label: &str) -> u64 {
    table
        .lines()
        .find_map(|l| l.trim_start().strip_prefix(label))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no row '{label}' in\n{table}"))
}

#[test]
fn run_writes_table_json_and_trace_and_stats_renders_the_same_table() {
    let d = scratch("full");
    let bin = hvloop(&d, 50, 3);
    let json = d.join("r.json");
    let trace = d.join("t.txt");
    let map = d.join("System.map");
    // The guest's code starts at offset 0xe0 of the image, loaded at 0x80008000.
    std::fs::write(&map, "80008000 T _start\n800080e0 T guest_loop\n").unwrap();
    let out = run(&[
        "run".as_ref(),
        "--kernel".as_ref(),
        bin.as_os_str(),
        "--hyp-stats".as_ref(),
        "--hyp-stats-json".as_ref(),
        json.as_os_str(),
        "--hyp-trace".as_ref(),
        trace.as_os_str(),
        "--symbols".as_ref(),
        map.as_os_str(),
    ]);
    let table = text(&out.stderr);
    assert!(out.status.success(), "{table}");
    // 50 iterations of 2 HVCs, an MCR and a WFI, and the final HVC #1.
    assert_eq!(count_of(&table, "HVC"), 101, "{table}");
    assert_eq!(count_of(&table, "WFI/WFE"), 50);
    assert_eq!(count_of(&table, "MCR/MRC CP15"), 50);
    assert_eq!(count_of(&table, "total"), 201);
    assert_eq!(count_of(&table, "VMID 7 PL1"), 201, "exits");
    assert!(table.contains("SCTLR write, HCR.TVM"), "{table}");
    assert!(table.contains("Xen hypercall sched_op (29)"));
    assert!(table.contains("HVC #0x0 PSCI PSCI_VERSION"));
    assert!(table.contains("WFI, HCR.TWI"));
    assert!(table.contains("guest_loop+0x"), "symbols: {table}");
    assert!(table.contains("Time: guest virtual"));

    // JSON: the schema's fields with the same counts.
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["format"], "a15emu-hyp-stats");
    assert_eq!(v["version"], 1);
    assert_eq!(v["traps"], 201);
    assert_eq!(v["entries"], 201);
    assert_eq!(v["classes"][0]["key"], "hvc");
    assert_eq!(v["classes"][0]["count"], 101);
    assert_eq!(v["contexts"][1]["vmid"], 7);
    assert_eq!(v["contexts"][1]["mode"], "PL1");
    assert_eq!(v["bucket_ns"], 100_000_000);
    let in_buckets: u64 = v["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| b.as_object().unwrap().values())
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(in_buckets, 201);

    // The trace: a header, then one line per trap with a running count.
    let t = std::fs::read_to_string(&trace).unwrap();
    let lines: Vec<&str> = t.lines().collect();
    assert_eq!(lines[0], "# time_s count class pc vmid mode iss");
    assert_eq!(lines.len(), 1 + 201);
    let f: Vec<&str> = lines[3].splitn(7, ' ').collect();
    assert!(f[0].contains('.'), "time in seconds: {}", lines[3]);
    assert_eq!(&f[1..6], &["3", "cp15_32", "0x80008104", "7", "PL1"]);
    assert_eq!(f[6], "mcr p15, 0, r1, c1, c0, 0 [SCTLR write, HCR.TVM]");
    for (i, l) in lines[1..].iter().enumerate() {
        assert_eq!(l.split(' ').nth(1), Some((i + 1).to_string().as_str()));
    }

    // `stats` renders the report again, identically.
    let out = run(&["stats".as_ref(), json.as_os_str()]);
    assert!(out.status.success());
    assert_eq!(text(&out.stdout), table);

    // --plot: an SVG and a PNG.
    let svg = d.join("p.svg");
    let out = run(&[
        "stats".as_ref(),
        json.as_os_str(),
        "--plot".as_ref(),
        svg.as_os_str(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = std::fs::read_to_string(&svg).unwrap();
    assert!(s.starts_with("<svg") && s.contains("HVC"), "{}", &s[..100]);
    let png = d.join("p.png");
    let out = run(&[
        "stats".as_ref(),
        json.as_os_str(),
        "--plot".as_ref(),
        png.as_os_str(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(&std::fs::read(&png).unwrap()[..4], b"\x89PNG");
    let _ = std::fs::remove_dir_all(&d);
}

/// One line on stderr, "a15emu: ...", and exit status 2.
fn assert_one_error_line(out: &Output, contains: &str) {
    let e = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{e}");
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(e.starts_with("a15emu: ") && e.contains(contains), "{e}");
}

#[test]
fn bad_report_files_are_one_error_line() {
    let d = scratch("bad");
    let bad = d.join("bad.json");
    std::fs::write(&bad, "{\"traps\": 3,").unwrap();
    assert_one_error_line(&run(&["stats".as_ref(), bad.as_os_str()]), "not a report");
    std::fs::write(&bad, "{\"format\": \"other\"}").unwrap();
    assert_one_error_line(&run(&["stats".as_ref(), bad.as_os_str()]), "not a report");
    let missing = d.join("missing.json");
    assert_one_error_line(
        &run(&["stats".as_ref(), missing.as_os_str()]),
        "cannot read",
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn flag_errors() {
    let d = scratch("flags");
    let bin = hvloop(&d, 2, 1);
    let nosyms = d.join("empty.map");
    std::fs::write(&nosyms, "no symbols\n").unwrap();
    assert_one_error_line(
        &run(&[
            "run".as_ref(),
            "--kernel".as_ref(),
            bin.as_os_str(),
            "--symbols".as_ref(),
            nosyms.as_os_str(),
        ]),
        "no symbols found",
    );
    let json = d.join("r.json");
    std::fs::write(&json, "{}").unwrap();
    let out = run(&[
        "stats".as_ref(),
        json.as_os_str(),
        "--plot".as_ref(),
        d.join("p.gif").as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    // Counting off conflicts with the outputs that need it.
    let out = run(&[
        "run".as_ref(),
        "--kernel".as_ref(),
        bin.as_os_str(),
        "--no-hyp-stats".as_ref(),
        "--hyp-stats".as_ref(),
    ]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("cannot be used with"));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn counting_off_runs_the_same_guest() {
    let d = scratch("off");
    let bin = hvloop(&d, 20, 1);
    let out = run(&[
        "run".as_ref(),
        "--kernel".as_ref(),
        bin.as_os_str(),
        "--no-hyp-stats".as_ref(),
        "--stats".as_ref(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let e = text(&out.stderr);
    assert!(!e.contains("Hyp statistics"), "{e}");
    // The same instruction count as with counting on.
    let on = run(&[
        "run".as_ref(),
        "--kernel".as_ref(),
        bin.as_os_str(),
        "--stats".as_ref(),
    ]);
    let insns = |s: &str| s.split_whitespace().nth(1).map(str::to_string);
    assert_eq!(insns(&e), insns(&text(&on.stderr)));
    let _ = std::fs::remove_dir_all(&d);
}

/// The hypervisor test program (test-roms/roms/hyp.S) prints how many traps of each
/// class its handler took; the HSR path's statistics must count exactly those, by class,
/// and nothing else (every entry to Hyp mode of that program is a trap it handles).
#[test]
fn hyp_rom_trap_counts_match_the_hypervisors_own() {
    use emu_core::hyp_stats::TrapClass;
    use machine_vexpress::{Machine, MachineConfig};
    let rom = test_roms::roms::find("hyp").expect("the hyp program");
    let elf = rom.build().unwrap_or_else(|e| panic!("build failed: {e}"));
    let image = std::fs::read(&elf).unwrap();
    // As test_roms::runner::run_a15emu_on(Board::Hyp, ..), keeping the machine.
    let mut m = Machine::new(MachineConfig {
        semihosting: true,
        max_insns: Some(rom.max_insns),
        psci: false,
        ..MachineConfig::default()
    })
    .unwrap();
    #[derive(Clone, Default)]
    struct Buf(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buf = Buf::default();
    m.set_console(Box::new(buf.clone()));
    let img = m.load_program(&image).unwrap();
    m.cpu.reset(img.entry, emu_core::Mode::Hyp);
    let exit = m.run().unwrap();
    assert_eq!(exit.status(), 0);
    let out = text(&buf.0.lock().unwrap());
    // "traps: hvc (ec 0x12): 00000059"
    let (by_ec, other) = test_roms::runner::hyp_rom_trap_counts(&out);
    let mut sum = 0;
    for &(ec, n) in &by_ec {
        assert_eq!(
            m.cpu.hyp_stats.counts[TrapClass::from_ec(ec).index()],
            n,
            "ec {ec:#x}"
        );
        sum += n;
    }
    assert_eq!(other, Some(0), "{out}");
    let listed = by_ec.len();
    assert!(listed >= 5, "{out}");
    assert_eq!(
        m.cpu.hyp_stats.total, sum,
        "entries beyond the listed traps"
    );
    // The program's two guests: VMID 1 and VMID 2 both trapped.
    let n = m.cpu.insn_count;
    m.cpu.hyp_stats.settle(n);
    for vmid in [1, 2] {
        let g = m
            .cpu
            .hyp_stats
            .context(emu_core::hyp_stats::Context::Guest { vmid, pl1: true });
        assert!(g.exits > 0 && g.entries > 0, "VMID {vmid}: {g:?}");
    }
}
