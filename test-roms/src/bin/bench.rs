//! The CPU speed benchmark: runs the `crc32` test program (a table-driven CRC-32 loop,
//! about 300 million A32 instructions) under a15emu and under QEMU in the same run,
//! several times each, and prints guest MIPS and the wall-time ratio (medians).
//!
//! `cargo run --release -p test-roms --bin bench -- [--runs N] [--rom NAME] [--no-qemu]`
//!
//! With `--hyp-cost`, it times the Hyp statistics (issue 6) with counting on and off: the
//! synthetic trap workload cli/tests/roms/hvloop.S at four trap densities, then (when the
//! images are fetched) the Xen boot of `--xen` with the instruction clock, so that both
//! runs execute the same instructions.
//!
//! With `--linux`, it times the boot of Debian's kernel and busybox initramfs (the images
//! of scripts/fetch-images.sh) to the initramfs's markers instead, against
//! `qemu-system-arm -M vexpress-a15` on the same images with the same device tree.
//!
//! With `--xen`, it times Xen 4.17 with dom0 and two dom0less domUs (all on Debian's
//! kernel and the initramfs) until all three have printed their workload-done markers,
//! against QEMU's `-M vexpress-a15,virtualization=on` on the same images, module layout
//! and device tree (test_roms::linux::xen_qemu_command).

use std::time::{Duration, Instant};

use std::process::Command;
use test_roms::{roms, runner};

struct Args {
    runs: usize,
    rom: String,
    hyp_cost: bool,
    qemu: bool,
    linux: bool,
    xen: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        runs: 5,
        rom: "crc32".into(),
        hyp_cost: false,
        qemu: true,
        linux: false,
        xen: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--runs" => {
                a.runs = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|&n| n > 0)
                    .ok_or("--runs needs a positive number")?
            }
            "--hyp-cost" => a.hyp_cost = true,
            "--rom" => a.rom = it.next().ok_or("--rom needs a program name")?,
            "--no-qemu" => a.qemu = false,
            "--linux" => a.linux = true,
            "--xen" => a.xen = true,
            "-h" | "--help" => {
                println!("usage: bench [--runs N] [--rom NAME | --linux | --xen] [--no-qemu]");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    Ok(a)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The `a15emu` binary built beside this one (same target directory).
fn a15emu_binary() -> Result<std::path::PathBuf, String> {
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let bin = me.with_file_name("a15emu");
    if bin.exists() {
        Ok(bin)
    } else {
        Err(format!(
            "{} not found: build it first (cargo build --release -p cli)",
            bin.display()
        ))
    }
}

/// One a15emu run as a process, like QEMU's: (wall seconds, instructions, output).
fn run_a15emu(
    bin: &std::path::Path,
    elf: &std::path::Path,
    max: u64,
) -> Result<(f64, u64, String), String> {
    let start = Instant::now();
    let out = Command::new(bin)
        .args([
            "run",
            "--semihosting",
            "--stats",
            "--max-insns",
            &max.to_string(),
            "--kernel",
        ])
        .arg(elf)
        .output()
        .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
    let secs = start.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("a15emu exited with {}: {stderr}", out.status));
    }
    // "a15emu: N instructions in S s: M MIPS"
    let insns = stderr
        .lines()
        .find_map(|l| {
            l.strip_prefix("a15emu: ")?
                .split(' ')
                .next()?
                .parse::<u64>()
                .ok()
        })
        .ok_or_else(|| format!("no statistics line in a15emu's output: {stderr}"))?;
    Ok((
        secs,
        insns,
        String::from_utf8_lossy(&out.stdout).into_owned(),
    ))
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("bench: {e}");
            std::process::exit(2);
        }
    };
    if args.hyp_cost {
        return bench_hyp_cost(&args);
    }
    if args.linux {
        return bench_linux(&args);
    }
    if args.xen {
        return bench_xen(&args);
    }
    let Some(rom) = roms::find(&args.rom) else {
        eprintln!("bench: no test program named '{}'", args.rom);
        std::process::exit(2);
    };
    let elf = match rom.build() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("bench: {e}");
            std::process::exit(2);
        }
    };
    let bin = a15emu_binary().unwrap_or_else(|e| {
        eprintln!("bench: {e}");
        std::process::exit(2);
    });
    println!(
        "bench: program {} ({}), {} runs each",
        rom.name,
        elf.display(),
        args.runs
    );

    let mut emu_secs = Vec::new();
    let mut mips = Vec::new();
    let mut emu_out = String::new();
    for i in 0..args.runs {
        match run_a15emu(&bin, &elf, rom.max_insns) {
            Ok((secs, insns, out)) => {
                println!(
                    "  a15emu run {}: {:.3} s, {} instructions, {:.1} MIPS",
                    i + 1,
                    secs,
                    insns,
                    insns as f64 / secs / 1e6
                );
                emu_secs.push(secs);
                mips.push(insns as f64 / secs / 1e6);
                emu_out = out;
            }
            Err(e) => {
                eprintln!("bench: a15emu failed: {e}");
                std::process::exit(1);
            }
        }
    }
    let emu_median = median(&mut emu_secs);
    let mips_median = median(&mut mips);

    let mut qemu_median = None;
    if args.qemu {
        if !runner::qemu_available() {
            eprintln!("bench: qemu-system-arm not found (scripts/install-tools.sh installs it); skipping QEMU");
        } else {
            let mut q = Vec::new();
            for i in 0..args.runs {
                let start = Instant::now();
                let o = runner::run_qemu(&elf, Duration::from_secs(600));
                let secs = start.elapsed().as_secs_f64();
                if o.status != Some(0) {
                    eprintln!("bench: QEMU run failed: {:?}", o.error);
                    std::process::exit(1);
                }
                if o.output_str() != emu_out {
                    eprintln!(
                        "bench: outputs differ: QEMU {:?}, a15emu {:?}",
                        o.output_str(),
                        emu_out
                    );
                    std::process::exit(1);
                }
                println!("  qemu   run {}: {:.3} s", i + 1, secs);
                q.push(secs);
            }
            qemu_median = Some(median(&mut q));
        }
    }

    // Both sides are whole-process wall times (start-up included).
    println!("bench: a15emu median {emu_median:.3} s, {mips_median:.1} MIPS (interpreter, process wall time)");
    if let Some(qm) = qemu_median {
        println!(
            "bench: qemu-system-arm median {qm:.3} s; a15emu/QEMU wall-time ratio {:.2}",
            emu_median / qm
        );
    }
}

/// The cost of the Hyp statistics: hvloop (4 traps per iteration: 2 HVC, a trapped
/// MCR, a trapped WFI) with counting on (the default) and off (`--no-hyp-stats`), runs
/// interleaved, compared by the medians of a15emu's own MIPS figure (`--stats`).
fn bench_hyp_cost(args: &Args) {
    let fail = |e: String| -> ! {
        eprintln!("bench: {e}");
        std::process::exit(1)
    };
    let bin = a15emu_binary().unwrap_or_else(|e| fail(e));
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../cli/tests/roms/hvloop.bin");
    let image = std::fs::read(&src).unwrap_or_else(|e| fail(format!("{}: {e}", src.display())));
    let dir = std::env::temp_dir().join(format!("a15emu-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| fail(e.to_string()));
    // (label, iterations, busy-loop rounds per iteration): about 150M instructions each
    // (an iteration: 2 x rounds + 9 guest instructions, 4 traps, ~34 Hyp instructions).
    let loads: [(&str, u32, u32); 4] = [
        ("trap every ~3 guest insns", 3_300_000, 1),
        ("trap every ~100 guest insns", 345_000, 200),
        ("trap every ~1000 guest insns", 37_000, 2000),
        ("no traps (busy loop)", 1, 75_000_000),
    ];
    println!(
        "bench: Hyp statistics cost on hvloop, {} runs each (best MIPS by CPU time)",
        args.runs
    );
    println!(
        "  {:<30} {:>12} {:>12} {:>8}",
        "workload", "counting on", "counting off", "cost"
    );
    for (label, iters, work) in loads {
        let mut img = image.clone();
        img[0x30..0x34].copy_from_slice(&iters.to_le_bytes());
        img[0x34..0x38].copy_from_slice(&work.to_le_bytes());
        let path = dir.join("hvloop.bin");
        std::fs::write(&path, &img).unwrap_or_else(|e| fail(e.to_string()));
        let (mut on, mut off) = (Vec::new(), Vec::new());
        for _ in 0..args.runs {
            for (counting, v) in [(true, &mut on), (false, &mut off)] {
                let mut c = Command::new(&bin);
                c.args(["run", "--kernel"]).arg(&path);
                let (cpu, n) = run_counting(c, counting).unwrap_or_else(|e| fail(e));
                if cpu <= 0.0 {
                    fail("no CPU time measured".to_string());
                }
                v.push(n as f64 / cpu / 1e6);
            }
        }
        // The best run of each: on a shared machine the fastest is the least disturbed.
        let best = |v: &[f64]| v.iter().copied().fold(0.0, f64::max);
        let (on, off) = (best(&on), best(&off));
        println!(
            "  {label:<30} {on:>12.1} {off:>12.1} {:>7.1}%",
            (off - on) / off * 100.0
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    bench_hyp_cost_xen(args);
}

/// The Hyp statistics' cost on the Xen boot of `--xen` (dom0 + 2 domUs, to Xen's
/// power-off): `--clock instructions` makes the runs with counting on and off execute
/// the same instructions; compared by CPU time (medians of interleaved runs).
fn bench_hyp_cost_xen(args: &Args) {
    use test_roms::linux::{self, XenImages};
    let fail = |e: String| -> ! {
        eprintln!("bench: {e}");
        std::process::exit(1)
    };
    let img = match XenImages::find() {
        Ok(i) => i,
        Err(e) => {
            println!("bench: no Xen boot for the counting cost ({e})");
            return;
        }
    };
    let bin = a15emu_binary().unwrap_or_else(|e| fail(e));
    println!(
        "bench: Hyp statistics cost on the Xen boot (dom0 + 2 domUs, --clock instructions), \
         {} runs each (median CPU time)",
        args.runs
    );
    let (mut on, mut off) = (Vec::new(), Vec::new());
    let mut insns = None;
    for i in 0..args.runs {
        for (counting, v) in [(true, &mut on), (false, &mut off)] {
            let mut c = linux::xen_a15emu_command(&bin, &img, 2, true);
            c.args(["--clock", "instructions"]);
            let (cpu, n) = run_counting(c, counting).unwrap_or_else(|e| fail(e));
            // The same instructions both ways, or the comparison means nothing.
            if *insns.get_or_insert(n) != n {
                fail(format!(
                    "the Xen boot ran {n} instructions, an earlier run {}",
                    insns.unwrap_or(0)
                ));
            }
            println!(
                "  run {}: counting {}: {cpu:.2} s CPU, {n} instructions",
                i + 1,
                if counting { "on " } else { "off" }
            );
            v.push(cpu);
        }
    }
    let (on, off) = (median(&mut on), median(&mut off));
    println!(
        "bench: Xen boot CPU time, counting on {on:.2} s, off {off:.2} s: cost {:.1}%",
        (on - off) / off * 100.0
    );
}

/// Runs an `a15emu run` command with `--stats`, counting on or off (`--no-hyp-stats`):
/// its CPU seconds and the instructions it executed.
fn run_counting(mut c: Command, counting: bool) -> Result<(f64, u64), String> {
    c.arg("--stats");
    if !counting {
        c.arg("--no-hyp-stats");
    }
    let cpu0 = children_cpu_secs();
    let o = c
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| e.to_string())?;
    let cpu = children_cpu_secs() - cpu0;
    let err = String::from_utf8_lossy(&o.stderr);
    // "a15emu: N instructions in S s: M MIPS"
    let insns = err.lines().find_map(|l| {
        l.strip_prefix("a15emu: ")?
            .split(' ')
            .next()?
            .parse::<u64>()
            .ok()
    });
    match insns.filter(|_| o.status.success()) {
        Some(n) => Ok((cpu, n)),
        None => Err(format!("a15emu failed ({}): {err}", o.status)),
    }
}

/// User + system CPU seconds of this process's waited-for children (getrusage, at
/// microsecond resolution), so that other load on the machine counts less.
fn children_cpu_secs() -> f64 {
    // SAFETY: a zeroed rusage is a valid value; getrusage only writes into it.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `ru` is a valid, writable rusage.
    if unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) } != 0 {
        return 0.0;
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(ru.ru_utime) + secs(ru.ru_stime)
}

/// Boot time of Debian's Linux to the initramfs markers, a15emu against QEMU.
fn bench_linux(args: &Args) {
    use test_roms::linux::{self, Images, MARKER_DONE, MARKER_INIT};
    let fail = |e: String| -> ! {
        eprintln!("bench: {e}");
        std::process::exit(1)
    };
    let img = Images::find().unwrap_or_else(|e| fail(e));
    let bin = a15emu_binary().unwrap_or_else(|e| fail(e));
    println!(
        "bench: Linux boot of {} + {} (Debian's DTB) to \"{MARKER_DONE}\", {} runs each",
        img.kernel.display(),
        img.initrd.display(),
        args.runs
    );
    let timeout = Duration::from_secs(900);
    let run = |name: &str, mk: &dyn Fn() -> Command| -> f64 {
        let mut done = Vec::new();
        for i in 0..args.runs {
            let b =
                linux::boot(mk(), &[MARKER_INIT, MARKER_DONE], timeout).unwrap_or_else(|e| fail(e));
            let Some(t) = b.mark(MARKER_DONE) else {
                fail(format!(
                    "{name} did not reach the marker (status {:?}):\n{}\n{}",
                    b.status,
                    b.tail(20),
                    b.stderr
                ))
            };
            println!(
                "  {name:6} run {}: init at {:.2} s, workload done at {:.2} s, exit at {:.2} s",
                i + 1,
                b.mark(MARKER_INIT).unwrap_or(f64::NAN),
                t,
                b.total_secs
            );
            done.push(t);
        }
        median(&mut done)
    };
    let emu = run("a15emu", &|| linux::a15emu_command(&bin, &img, true));
    println!("bench: a15emu median boot-to-marker {emu:.2} s");
    if args.qemu {
        if !runner::qemu_available() {
            eprintln!("bench: qemu-system-arm not found (scripts/install-tools.sh installs it); skipping QEMU");
            return;
        }
        let q = run("qemu", &|| linux::qemu_command(&img));
        println!(
            "bench: qemu-system-arm median boot-to-marker {q:.2} s; a15emu/QEMU ratio {:.2}",
            emu / q
        );
    }
}

/// Xen + dom0 + two domUs to all three workload-done markers, a15emu against QEMU.
fn bench_xen(args: &Args) {
    use test_roms::linux::{self, XenImages, XEN_HALTED};
    const DOMUS: usize = 2;
    let fail = |e: String| -> ! {
        eprintln!("bench: {e}");
        std::process::exit(1)
    };
    let img = XenImages::find().unwrap_or_else(|e| fail(e));
    let bin = a15emu_binary().unwrap_or_else(|e| fail(e));
    let roles = linux::xen_roles(DOMUS);
    let done: Vec<String> = roles.iter().map(|r| linux::role_done_marker(r)).collect();
    let markers: Vec<&str> = done.iter().map(String::as_str).collect();
    println!(
        "bench: Xen boot of {} with dom0 + {DOMUS} domUs ({} + {}, Debian's DTB) to all \
         three \"workload done\" markers, {} runs each",
        img.xen.display(),
        img.linux.kernel.display(),
        img.linux.initrd.display(),
        args.runs
    );
    let dir = std::env::temp_dir().join(format!("a15emu-bench-xen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| fail(format!("{}: {e}", dir.display())));
    let timeout = Duration::from_secs(1800);
    let run = |name: &str, mk: &dyn Fn() -> Command| -> f64 {
        let mut all = Vec::new();
        for i in 0..args.runs {
            let b = linux::boot_until(mk(), &markers, Some(XEN_HALTED), timeout)
                .unwrap_or_else(|e| fail(e));
            let times: Vec<Option<f64>> = markers.iter().map(|m| b.mark(m)).collect();
            let Some(last) = times
                .iter()
                .copied()
                .collect::<Option<Vec<f64>>>()
                .map(|v| v.into_iter().fold(0.0, f64::max))
            else {
                fail(format!(
                    "{name} did not reach all markers ({times:?}, status {:?}):\n{}\n{}",
                    b.status,
                    b.tail(30),
                    b.stderr
                ))
            };
            let each: Vec<String> = roles
                .iter()
                .zip(&times)
                .map(|(r, t)| format!("{r} {:.2} s", t.unwrap_or(f64::NAN)))
                .collect();
            println!(
                "  {name:6} run {}: done markers at {}; all done at {last:.2} s, stopped at {:.2} s",
                i + 1,
                each.join(", "),
                b.total_secs
            );
            all.push(last);
        }
        median(&mut all)
    };
    let emu = run("a15emu", &|| {
        linux::xen_a15emu_command(&bin, &img, DOMUS, true)
    });
    println!("bench: a15emu median Xen boot to all markers {emu:.2} s");
    if args.qemu {
        if !runner::qemu_available() {
            eprintln!("bench: qemu-system-arm not found (scripts/install-tools.sh installs it); skipping QEMU");
        } else {
            let q = run("qemu", &|| {
                linux::xen_qemu_command(&img, DOMUS, &dir).unwrap_or_else(|e| fail(e))
            });
            println!(
                "bench: qemu-system-arm median Xen boot to all markers {q:.2} s; a15emu/QEMU ratio {:.2}",
                emu / q
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
