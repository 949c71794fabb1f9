//! Random differential testing against QEMU, in the spirit of risu.
//!
//! From a seed, [`gen`] writes random A32 or T32 instruction sequences covering the
//! user-level instruction classes; [`program`] wraps a batch of them into one
//! bare-metal program that runs each sequence from its own initial registers, flags and
//! memory and prints the final R0-R14, N/Z/C/V/Q/GE and a hash of the scratch window.
//! The program runs under QEMU and under a15emu and the lines are compared; for each
//! mismatch the sequence is run again alone with a full dump of the window, and a
//! reproducer (instruction words, initial state, both final states) is printed.
//! With [`Config::vfp`] VFP instructions are mixed in and FPSCR and D0-D31 are compared
//! too.
//!
//! An exception in QEMU means the generator produced a faulting or undefined
//! sequence: it is reported as a generator bug, not as a CPU mismatch.

pub mod gen;
pub mod program;
pub mod rng;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub use gen::{generate, generate_with, Sequence, State, VfpInit};

use crate::{runner, toolchain};

use machine_vexpress as _;

/// What to run.
#[derive(Clone, Debug)]
pub struct Config {
    pub state: State,
    /// Mix VFP instructions in, from random VFP registers and FPSCR, and compare them.
    pub vfp: bool,
    pub count: usize,
    pub seed: u64,
    /// Instructions per sequence.
    pub len: usize,
    /// Sequences per program.
    pub batch: usize,
    /// Run only sequence number N (of the same seed).
    pub only: Option<usize>,
    /// Keep the generated sources here.
    pub keep: Option<PathBuf>,
    /// Run under QEMU only (checks the generator and the harness).
    pub qemu_only: bool,
    /// Reproducers printed in full (the rest are counted).
    pub max_reports: usize,
    /// Worker threads (batches run in parallel).
    pub jobs: usize,
    /// Limit for one QEMU run.
    pub qemu_timeout: Duration,
    /// Limit for one a15emu run (on top of the instruction limit, which a core that
    /// spins without retiring instructions never reaches).
    pub emu_timeout: Duration,
}

impl Config {
    /// The state's name, with `-vfp` for VFP runs.
    pub fn label(&self) -> String {
        format!(
            "{}{}",
            self.state.name(),
            if self.vfp { "-vfp" } else { "" }
        )
    }

    pub fn new(state: State, count: usize, seed: u64) -> Config {
        Config {
            state,
            vfp: false,
            count,
            seed,
            len: 32,
            batch: 500,
            only: None,
            keep: None,
            qemu_only: false,
            max_reports: 10,
            jobs: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
                .min(8),
            qemu_timeout: Duration::from_secs(120),
            emu_timeout: Duration::from_secs(120),
        }
    }
}

/// The result of a run.
#[derive(Debug, Default)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    /// Sequences QEMU raised an exception on (generator bugs; counted in `failed`).
    pub generator_bugs: usize,
    /// Reproducers and other messages, in order.
    pub report: String,
}

/// One sequence's final state as printed by the program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Final {
    /// R0-R12, SP, LR, APSR (masked), memory hash; for VFP runs then FPSCR and
    /// D0-D31 (low word, high word).
    State(Vec<u32>),
    /// An exception: vector offset and the exception LR.
    Exception { vector: u32, lr: u32 },
    /// No output for this sequence.
    Missing,
    /// The first sequence without output in a run that did not finish in time.
    Hung,
}

const FIELD_NAMES: [&str; 17] = [
    "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11", "r12", "sp", "lr",
    "apsr", "memhash",
];

/// The name of field `i` of a [`Final::State`] (D registers take two fields).
fn field_name(i: usize) -> String {
    match i {
        0..17 => FIELD_NAMES[i].into(),
        17 => "fpscr".into(),
        _ => format!("d{}", (i - 18) / 2),
    }
}

fn fpscr_str(v: u32) -> String {
    let mut s = String::new();
    for (bit, c) in [(31, 'N'), (30, 'Z'), (29, 'C'), (28, 'V')] {
        s.push(if v & (1 << bit) != 0 { c } else { '-' });
    }
    let _ = write!(
        s,
        " AHP={} DN={} FZ={} RMode={} flags=",
        (v >> 26) & 1,
        (v >> 25) & 1,
        (v >> 24) & 1,
        (v >> 22) & 3
    );
    for (bit, c) in [
        (7, "IDC"),
        (4, "IXC"),
        (3, "UFC"),
        (2, "OFC"),
        (1, "DZC"),
        (0, "IOC"),
    ] {
        if v & (1 << bit) != 0 {
            s.push_str(c);
            s.push(' ');
        }
    }
    s.trim_end().to_string()
}

/// FPSCR and D0-D31 as text (`v` = FPSCR then the D registers' low and high words).
fn vfp_str(v: &[u32], indent: &str) -> String {
    let mut s = format!("fpscr={:08x} [{}]", v[0], fpscr_str(v[0]));
    for (i, d) in v[1..].chunks(2).enumerate() {
        let sep = if i % 4 == 0 {
            format!("\n{indent}")
        } else {
            " ".into()
        };
        let hi = d.get(1).copied().unwrap_or(0);
        let _ = write!(s, "{sep}d{i}={hi:08x}{:08x}", d[0]);
    }
    s
}

fn vector_name(v: u32) -> &'static str {
    match v {
        0x04 => "undefined instruction",
        0x08 => "supervisor call",
        0x0c => "prefetch abort",
        0x10 => "data abort",
        0x14 => "hyp trap",
        0x18 => "IRQ",
        0x1c => "FIQ",
        _ => "reset",
    }
}

impl std::fmt::Display for Final {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Final::State(v) => {
                for (i, (n, x)) in FIELD_NAMES.iter().zip(v).enumerate() {
                    if i > 0 {
                        write!(f, "{}", if i % 6 == 0 { "\n      " } else { " " })?;
                    }
                    write!(f, "{n}={x:08x}")?;
                }
                write!(f, " [{}]", flags_str(v[15]))?;
                if v.len() > 17 {
                    write!(f, "\n        {}", vfp_str(&v[17..], "        "))?;
                }
                Ok(())
            }
            Final::Exception { vector, lr } => {
                write!(
                    f,
                    "exception: {} (vector {vector:#x}), LR {lr:#010x}",
                    vector_name(*vector)
                )
            }
            Final::Missing => write!(f, "no output (the program stopped early)"),
            Final::Hung => write!(f, "no output: the run stopped or hung here"),
        }
    }
}

fn flags_str(apsr: u32) -> String {
    let mut s = String::new();
    for (bit, c) in [(31, 'N'), (30, 'Z'), (29, 'C'), (28, 'V'), (27, 'Q')] {
        s.push(if apsr & (1 << bit) != 0 { c } else { '-' });
    }
    let _ = write!(s, " GE={:04b}", (apsr >> 16) & 0xf);
    s
}

/// The parsed output of one program run.
#[derive(Debug, Default)]
pub struct Output {
    pub finals: BTreeMap<usize, Final>,
    /// The window's words per sequence (with `dump_mem`).
    pub mem: BTreeMap<usize, Vec<u32>>,
    /// Lines that did not parse.
    pub junk: Vec<String>,
}

fn hex(s: &str) -> Option<u32> {
    u32::from_str_radix(s, 16).ok()
}

pub fn parse_output(text: &str) -> Output {
    let mut out = Output::default();
    let mut last: Option<usize> = None;
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        let vals: Option<Vec<u32>> = f.iter().skip(1).map(|x| hex(x)).collect();
        match (f.first().copied(), vals) {
            (Some("R"), Some(v)) if v.len() == 18 => {
                let seq = v[0] as usize;
                out.finals.insert(seq, Final::State(v[1..].to_vec()));
                last = Some(seq);
            }
            (Some("V"), Some(v)) if v.len() == 65 && last.is_some() => {
                if let Some(Final::State(a)) = out.finals.get_mut(&last.unwrap_or(0)) {
                    a.extend(v);
                }
            }
            (Some("X"), Some(v)) if v.len() == 3 => {
                out.finals.insert(
                    v[1] as usize,
                    Final::Exception {
                        vector: v[0],
                        lr: v[2],
                    },
                );
                last = None;
            }
            (Some("M"), Some(v)) if last.is_some() => {
                out.mem.entry(last.unwrap_or(0)).or_default().extend(v);
            }
            _ => out.junk.push(line.to_string()),
        }
    }
    out
}

/// A built program.
struct Built {
    elf: PathBuf,
    bytes: Vec<u8>,
}

fn build(
    seqs: &[Sequence],
    state: State,
    dump_mem: bool,
    dir: &Path,
    name: &str,
) -> Result<Built, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let src = dir.join(format!("{name}.s"));
    // One script per program: batches build concurrently in the same directory.
    let ld = dir.join(format!("{name}.ld"));
    let elf = dir.join(format!("{name}.elf"));
    std::fs::write(&src, program::source(seqs, state, dump_mem)).map_err(|e| e.to_string())?;
    std::fs::write(&ld, program::LINKER_SCRIPT).map_err(|e| e.to_string())?;
    let ld_s = ld.to_string_lossy().into_owned();
    toolchain::build_elf(&[&src], &["-T", &ld_s, "-Wa,--no-warn"], &elf)
        .map_err(|e| e.to_string())?;
    let bytes = std::fs::read(&elf).map_err(|e| e.to_string())?;
    Ok(Built { elf, bytes })
}

/// Runs an ELF under QEMU with semihosting output going to a file (a pipe would fill
/// up: the run prints far more than a pipe buffer holds before it exits). On a timeout
/// the error carries what was printed until then.
pub fn run_qemu_to_file(elf: &Path, out_file: &Path, timeout: Duration) -> Result<String, String> {
    let _ = std::fs::remove_file(out_file);
    let mut child = Command::new("qemu-system-arm")
        .args(["-M", "vexpress-a15", "-cpu", "cortex-a15", "-m", "512"])
        .args([
            "-nographic",
            "-no-reboot",
            "-monitor",
            "none",
            "-serial",
            "none",
        ])
        .args([
            "-semihosting-config",
            "enable=on,target=native,chardev=semi",
        ])
        .arg("-chardev")
        .arg(format!("file,id=semi,path={}", out_file.display()))
        .arg("-kernel")
        .arg(elf)
        .env("QEMU_AUDIO_DRV", "none")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start qemu-system-arm: {e} (run scripts/install-tools.sh)"))?;
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if start.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                let partial = std::fs::read(out_file).unwrap_or_default();
                return Err(String::from_utf8_lossy(&partial).into_owned());
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(e.to_string()),
        }
    }
    std::fs::read(out_file)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .map_err(|e| format!("{}: {e}", out_file.display()))
}

fn insn_budget(n: usize) -> u64 {
    200_000 + n as u64 * 60_000
}

/// Console output shared with the thread running a15emu.
#[derive(Clone, Default)]
struct SharedOut(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for SharedOut {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs the program under a15emu (as `runner::run_a15emu` does) on a thread of its
/// own, so that a core that spins without retiring instructions (and so never reaches
/// the instruction limit) cannot hang the tester: after `timeout` the run is abandoned
/// and what it printed so far is returned with an error.
fn run_a15emu(bytes: &[u8], n: usize, timeout: Duration) -> (String, Option<String>) {
    use machine_vexpress::{Machine, MachineConfig};
    let (tx, rx) = std::sync::mpsc::channel();
    let image = bytes.to_vec();
    let out = SharedOut::default();
    let console = out.clone();
    std::thread::spawn(move || {
        let cfg = MachineConfig {
            semihosting: true,
            max_insns: Some(insn_budget(n)),
            ..MachineConfig::default()
        };
        let r = Machine::new(cfg).and_then(|mut m| {
            m.set_console(Box::new(console));
            m.load_program(&image)?;
            m.run()
        });
        let _ = tx.send(r.err().map(|e| e.to_string()));
    });
    let err = match rx.recv_timeout(timeout) {
        Ok(e) => e,
        Err(_) => Some(format!(
            "a15emu did not finish within {} s (abandoned)",
            timeout.as_secs()
        )),
    };
    let text = String::from_utf8_lossy(&out.0.lock().unwrap()).into_owned();
    (text, err)
}

/// The instruction words of sequence `index` in `elf` (objdump of b_N..e_N).
fn disassemble(elf: &Path, index: usize) -> String {
    let nm = Command::new("arm-none-eabi-nm").arg(elf).output();
    let Ok(nm) = nm else {
        return "  (arm-none-eabi-nm not available)\n".into();
    };
    let syms = String::from_utf8_lossy(&nm.stdout);
    let find = |name: &str| {
        syms.lines().find_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() == 3 && f[2] == name).then(|| f[0].to_string())
        })
    };
    let (Some(b), Some(e)) = (find(&format!("b_{index}")), find(&format!("e_{index}"))) else {
        return "  (symbols not found)\n".into();
    };
    let Ok(od) = Command::new("arm-none-eabi-objdump")
        .arg("-d")
        .arg(format!("--start-address=0x{b}"))
        .arg(format!("--stop-address=0x{e}"))
        .arg(elf)
        .output()
    else {
        return "  (arm-none-eabi-objdump not available)\n".into();
    };
    let text = String::from_utf8_lossy(&od.stdout);
    let mut s = String::new();
    for l in text.lines() {
        let t = l.trim_start();
        if t.split(':')
            .next()
            .is_some_and(|a| !a.is_empty() && a.chars().all(|c| c.is_ascii_hexdigit()))
            && l.contains('\t')
        {
            let _ = writeln!(s, "  {}", l.trim_start().replace('\t', "  "));
        }
    }
    s
}

fn describe_initial(q: &Sequence) -> String {
    let mut s = String::from("  initial:");
    let names = [
        "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11", "r12", "lr",
    ];
    for (i, (n, v)) in names.iter().zip(q.regs).enumerate() {
        if i % 6 == 0 && i > 0 {
            s.push_str("\n          ");
        }
        let _ = write!(s, " {n}={v:08x}");
    }
    let _ = writeln!(
        s,
        "\n           apsr={:08x} [{}] memory seed={:08x}",
        q.apsr,
        flags_str(q.apsr),
        q.mem_seed
    );
    if let Some(v) = &q.vfp {
        let mut w = vec![v.fpscr];
        for d in v.d {
            w.extend([d as u32, (d >> 32) as u32]);
        }
        let _ = writeln!(s, "           {}", vfp_str(&w, "           "));
    }
    s
}

fn differences(a: &Final, b: &Final) -> String {
    match (a, b) {
        (Final::State(x), Final::State(y)) => {
            let mut d: Vec<String> = (0..x.len().max(y.len()))
                .filter(|&i| x.get(i) != y.get(i))
                .map(field_name)
                .collect();
            d.dedup();
            d.join(", ")
        }
        _ => "outcome".into(),
    }
}

/// Runs the differential test.
pub fn run(cfg: &Config) -> Result<Summary, String> {
    if !toolchain::available() {
        return Err(toolchain::BuildError::NoToolchain.to_string());
    }
    if !runner::qemu_available() {
        return Err("qemu-system-arm not found: run scripts/install-tools.sh".into());
    }
    let indices: Vec<usize> = match cfg.only {
        Some(i) => vec![i],
        None => (0..cfg.count).collect(),
    };
    let dir = match &cfg.keep {
        Some(d) => d.clone(),
        None => toolchain::build_dir(&format!(
            "difftest-{}-{}-{}",
            cfg.label(),
            cfg.seed,
            std::process::id()
        )),
    };
    let batches: Vec<Vec<usize>> = indices
        .chunks(cfg.batch.max(1))
        .map(|c| c.to_vec())
        .collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|sc| {
        for _ in 0..cfg.jobs.max(1).min(batches.len()) {
            sc.spawn(|| loop {
                let b = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                if b >= batches.len() {
                    break;
                }
                let r = run_batch(cfg, &batches[b], &dir, b);
                results.lock().unwrap().push((b, r));
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|r| r.0);
    let mut sum = Summary::default();
    for (_, r) in results {
        let r = r?;
        sum.passed += r.passed;
        sum.failed += r.failed;
        sum.generator_bugs += r.generator_bugs;
        sum.report.push_str(&r.report);
    }
    if cfg.keep.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(sum)
}

fn run_batch(cfg: &Config, idx: &[usize], dir: &Path, b: usize) -> Result<Summary, String> {
    let seqs: Vec<Sequence> = idx
        .iter()
        .map(|&i| generate_with(cfg.seed, i, cfg.state, cfg.len, cfg.vfp))
        .collect();
    let name = format!("batch{b}");
    let built = build(&seqs, cfg.state, false, dir, &name)?;
    let (qemu, qemu_hung) = match run_qemu_to_file(
        &built.elf,
        &dir.join(format!("{name}.qemu.out")),
        cfg.qemu_timeout,
    ) {
        Ok(text) => (parse_output(&text), false),
        Err(partial) => (parse_output(&partial), true),
    };
    let emu = if cfg.qemu_only {
        None
    } else {
        let (text, err) = run_a15emu(&built.bytes, seqs.len(), cfg.emu_timeout);
        if cfg.keep.is_some() {
            let _ = std::fs::write(dir.join(format!("{name}.emu.out")), &text);
        }
        Some((parse_output(&text), err))
    };
    let mut sum = Summary::default();
    let mut reports = 0;
    let mut hang_reported = false;
    let mut emu_hang_reported = false;
    for q in &seqs {
        let fq = match qemu.finals.get(&q.index) {
            Some(f) => f.clone(),
            None if qemu_hung && !hang_reported => {
                hang_reported = true;
                Final::Hung
            }
            None => Final::Missing,
        };
        if !matches!(fq, Final::State(_)) {
            sum.failed += 1;
            sum.generator_bugs += 1;
            let mut t = format!(
                "GENERATOR BUG: sequence {} ({}, seed {}) under QEMU: {fq}\n",
                q.index,
                cfg.label(),
                cfg.seed
            );
            t.push_str(&describe_initial(q));
            t.push_str("  code:\n");
            for l in &q.body {
                let _ = writeln!(t, "    {l}");
            }
            if reports < cfg.max_reports {
                sum.report.push_str(&t);
            }
            reports += 1;
            continue;
        }
        let Some((emu, err)) = &emu else {
            sum.passed += 1;
            continue;
        };
        let fe = match emu.finals.get(&q.index) {
            Some(f) => f.clone(),
            None if err.is_some() && !emu_hang_reported => {
                emu_hang_reported = true;
                Final::Hung
            }
            None => Final::Missing,
        };
        if fe == fq {
            sum.passed += 1;
            continue;
        }
        sum.failed += 1;
        if reports < cfg.max_reports {
            let t = reproducer(cfg, q, &built.elf, &fq, &fe, err.as_deref(), dir);
            sum.report.push_str(&t);
        }
        reports += 1;
    }
    if reports > cfg.max_reports {
        let _ = writeln!(
            sum.report,
            "(batch {b}: {} more mismatches not shown)",
            reports - cfg.max_reports
        );
    }
    Ok(sum)
}

fn reproducer(
    cfg: &Config,
    q: &Sequence,
    elf: &Path,
    fq: &Final,
    fe: &Final,
    emu_err: Option<&str>,
    dir: &Path,
) -> String {
    let mut t = format!(
        "MISMATCH: sequence {} ({}, seed {}, {} instructions) differs in: {}\n",
        q.index,
        cfg.label(),
        cfg.seed,
        q.insns,
        differences(fq, fe)
    );
    t.push_str(&describe_initial(q));
    t.push_str("  code:\n");
    t.push_str(&disassemble(elf, q.index));
    let _ = writeln!(t, "  qemu:   {fq}");
    let _ = writeln!(t, "  a15emu: {fe}");
    if let Some(e) = emu_err {
        let _ = writeln!(t, "  a15emu stopped with: {e}");
    }
    // The window, word by word, from a run of this sequence alone.
    if let (Final::State(x), Final::State(y)) = (fq, fe) {
        if x[16] != y[16] {
            let name = format!("seq{}", q.index);
            let one = std::slice::from_ref(q);
            if let Ok(b) = build(one, cfg.state, true, dir, &name) {
                let qm = run_qemu_to_file(
                    &b.elf,
                    &dir.join(format!("{name}.qemu.out")),
                    Duration::from_secs(60),
                )
                .map(|s| parse_output(&s))
                .unwrap_or_else(|s| parse_output(&s));
                let (et, _) = run_a15emu(&b.bytes, 1, cfg.emu_timeout);
                let em = parse_output(&et);
                let (a, bb) = (
                    qm.mem.get(&q.index).cloned().unwrap_or_default(),
                    em.mem.get(&q.index).cloned().unwrap_or_default(),
                );
                let mut shown = 0;
                for i in 0..a.len().max(bb.len()) {
                    let (x, y) = (a.get(i), bb.get(i));
                    if x != y {
                        if shown < 16 {
                            let f = |v: Option<&u32>| {
                                v.map(|v| format!("{v:08x}")).unwrap_or("--------".into())
                            };
                            let _ = writeln!(
                                t,
                                "  mem[{:#010x}]: qemu {} a15emu {}",
                                program::SCRATCH_ADDR + 4 * i as u32,
                                f(x),
                                f(y)
                            );
                        }
                        shown += 1;
                    }
                }
                if shown > 16 {
                    let _ = writeln!(t, "  ({} more differing words)", shown - 16);
                }
            }
        }
    }
    let _ = writeln!(
        t,
        "  rerun: cargo run --release -p test-roms --bin difftest -- --state {}{} --seed {} --len {} --only {}\n",
        cfg.state.name(),
        if cfg.vfp { " --vfp" } else { "" },
        cfg.seed,
        cfg.len,
        q.index
    );
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `R` and `V` lines parse into one state; differing D registers are named once.
    #[test]
    fn parses_and_compares_vfp_state() {
        let r: String = (0..18).map(|i| format!(" {i:08x}")).collect();
        let v: String = (0..65).map(|i| format!(" {i:08x}")).collect();
        let a = parse_output(&format!("R{r}\nV{v}\n"));
        let Some(Final::State(x)) = a.finals.get(&0) else {
            panic!("no state: {a:?}");
        };
        assert_eq!(x.len(), 17 + 65);
        let mut y = x.clone();
        y[17] ^= 1; // FPSCR
        y[18 + 2 * 5] ^= 1; // D5 low
        y[18 + 2 * 5 + 1] ^= 1; // D5 high
        let (fa, fb) = (Final::State(x.clone()), Final::State(y));
        assert_eq!(differences(&fa, &fb), "fpscr, d5");
        let text = fa.to_string();
        assert!(text.contains("fpscr=00000000") && text.contains("d5=0000000c0000000b"));
    }
}
