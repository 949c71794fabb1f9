//! The bare-metal test programs under `test-roms/roms/`: their list, their build (cached
//! by content hash under `target/test-roms/roms/`) and the format of their recorded
//! expectations (`test-roms/expected/<name>.txt`, recorded from QEMU by
//! `cargo run -p test-roms --bin record-expected`).

use std::path::{Path, PathBuf};

use crate::runner::{Board, Outcome};
use crate::toolchain::{self, BuildError};

/// One program variant.
#[derive(Clone, Copy, Debug)]
pub struct Rom {
    /// Unique name: the expectation file is `expected/<name>.txt`.
    pub name: &'static str,
    /// Source file under `roms/`.
    pub source: &'static str,
    /// Built as T32 (`-mthumb -DTHUMB`) instead of A32.
    pub thumb: bool,
    /// Extra preprocessor definitions (`NAME=value`).
    pub defines: &'static [&'static str],
    /// Instruction limit for a15emu runs.
    pub max_insns: u64,
    /// Part of the regular test suite (the long benchmark is not).
    pub in_tests: bool,
    /// How the board is set up (hypervisor programs need EL3 and EL2).
    pub board: Board,
}

const fn a32(name: &'static str, source: &'static str) -> Rom {
    Rom {
        name,
        source,
        thumb: false,
        defines: &[],
        max_insns: 5_000_000,
        in_tests: true,
        board: Board::Plain,
    }
}

const fn t32(name: &'static str, source: &'static str) -> Rom {
    Rom {
        name,
        source,
        thumb: true,
        defines: &[],
        max_insns: 5_000_000,
        in_tests: true,
        board: Board::Plain,
    }
}

/// Every program, A32 and T32 variants as separate entries.
#[rustfmt::skip]
pub const ROMS: &[Rom] = &[
    a32("boot", "boot.S"),    t32("boot_t32", "boot.S"),
    a32("dp", "dp.S"),        t32("dp_t32", "dp.S"),
    a32("mul", "mul.S"),      t32("mul_t32", "mul.S"),
    a32("div", "div.S"),      t32("div_t32", "div.S"),
    a32("sat", "sat.S"),      t32("sat_t32", "sat.S"),
    a32("simd", "simd.S"),    t32("simd_t32", "simd.S"),
    a32("pack", "pack.S"),    t32("pack_t32", "pack.S"),
    a32("ldst", "ldst.S"),    t32("ldst_t32", "ldst.S"),
    a32("branch", "branch.S"), t32("branch_t32", "branch.S"),
    a32("exc", "exc.S"),      t32("exc_t32", "exc.S"),
    a32("modes", "modes.S"),  t32("modes_t32", "modes.S"),
    a32("misc", "misc.S"),    t32("misc_t32", "misc.S"),
    Rom { max_insns: 300_000_000, ..a32("vfp_arith", "vfp_arith.S") },
    Rom { max_insns: 300_000_000, ..t32("vfp_arith_t32", "vfp_arith.S") },
    Rom { defines: &["VERBOSE", "PART=1"], max_insns: 300_000_000, in_tests: false, ..a32("vfp_arith_v1", "vfp_arith.S") },
    Rom { defines: &["VERBOSE", "PART=2"], max_insns: 300_000_000, in_tests: false, ..a32("vfp_arith_v2", "vfp_arith.S") },
    Rom { defines: &["VERBOSE", "PART=3"], max_insns: 300_000_000, in_tests: false, ..a32("vfp_arith_v3", "vfp_arith.S") },
    Rom { defines: &["VERBOSE", "PART=4"], max_insns: 300_000_000, in_tests: false, ..a32("vfp_arith_v4", "vfp_arith.S") },
    a32("vfp_misc", "vfp_misc.S"), t32("vfp_misc_t32", "vfp_misc.S"),
    a32("sysregs", "sysregs.S"), t32("sysregs_t32", "sysregs.S"),
    a32("mmu_short", "mmu_short.S"), t32("mmu_short_t32", "mmu_short.S"),
    a32("mmu_lpae", "mmu_lpae.S"), t32("mmu_lpae_t32", "mmu_lpae.S"),
    Rom { defines: &["REPEAT=8"], max_insns: 20_000_000, ..a32("crc32_short", "crc32.S") },
    // The hypervisor (Hyp mode, stage 2, traps, virtual interrupts): tests/hyp.rs.
    Rom { board: Board::Hyp, in_tests: false, ..a32("hyp", "hyp.S") },
    Rom { max_insns: 2_000_000_000, in_tests: false, ..a32("crc32", "crc32.S") },
];

/// Common runtime sources linked into every program.
pub const COMMON: &[&str] = &["common/crt0.S", "common/print.S", "common/mmu.S"];
/// Included by the sources (part of the cache key).
const HEADERS: &[&str] = &["common/test.h", "common/link.ld", "common/link_hyp.ld"];

/// Finds a program by name.
pub fn find(name: &str) -> Option<&'static Rom> {
    ROMS.iter().find(|r| r.name == name)
}

/// The `roms/` source directory.
pub fn source_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("roms")
}

/// The `expected/` directory.
pub fn expected_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("expected")
}

/// The recorded expectation file of a program.
pub fn expected_path(rom: &Rom) -> PathBuf {
    expected_dir().join(format!("{}.txt", rom.name))
}

/// Reads a program's recorded expectation.
pub fn expected(rom: &Rom) -> std::io::Result<String> {
    std::fs::read_to_string(expected_path(rom))
}

/// FNV-1a, 64 bits: a stable hash for the build cache.
fn fnv(h: &mut u64, data: &[u8]) {
    for &b in data {
        *h ^= b as u64;
        *h = h.wrapping_mul(0x100_0000_01b3);
    }
}

impl Rom {
    /// Compiler flags specific to this variant.
    fn flags(&self) -> Vec<String> {
        let dir = source_dir();
        let mut f = vec![
            "-T".to_string(),
            dir.join(self.board.linker_script()).display().to_string(),
            format!("-I{}", dir.display()),
        ];
        if self.thumb {
            f.push("-mthumb".into());
            f.push("-DTHUMB".into());
        }
        for d in self.defines {
            f.push(format!("-D{d}"));
        }
        f
    }

    /// Builds the program (if its sources changed since the last build) and returns the
    /// ELF's path.
    pub fn build(&self) -> Result<PathBuf, BuildError> {
        if !toolchain::available() {
            return Err(BuildError::NoToolchain);
        }
        let dir = source_dir();
        let mut sources: Vec<PathBuf> = COMMON.iter().map(|s| dir.join(s)).collect();
        sources.push(dir.join(self.source));
        let flags = self.flags();
        let mut h = 0xcbf2_9ce4_8422_2325u64;
        for f in &flags {
            fnv(&mut h, f.as_bytes());
            fnv(&mut h, &[0]);
        }
        for p in sources.iter().chain(
            HEADERS
                .iter()
                .map(|s| dir.join(s))
                .collect::<Vec<_>>()
                .iter(),
        ) {
            fnv(&mut h, p.display().to_string().as_bytes());
            fnv(&mut h, &std::fs::read(p).map_err(BuildError::Io)?);
        }
        let out_dir = toolchain::build_dir("roms");
        let elf = out_dir.join(format!("{}.elf", self.name));
        let stamp = out_dir.join(format!("{}.hash", self.name));
        let key = format!("{h:016x}");
        if elf.exists()
            && std::fs::read_to_string(&stamp)
                .map(|s| s == key)
                .unwrap_or(false)
        {
            return Ok(elf);
        }
        // Build under a unique name, then rename: concurrent test processes may build the
        // same program.
        let tmp = out_dir.join(format!(
            "{}.{}.{:?}.tmp.elf",
            self.name,
            std::process::id(),
            std::thread::current().id()
        ));
        let srcs: Vec<&Path> = sources.iter().map(|p| p.as_path()).collect();
        let flag_refs: Vec<&str> = flags.iter().map(|s| s.as_str()).collect();
        let result = toolchain::build_elf(&srcs, &flag_refs, &tmp);
        if let Err(e) = result {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        std::fs::rename(&tmp, &elf).map_err(BuildError::Io)?;
        std::fs::write(&stamp, key).map_err(BuildError::Io)?;
        Ok(elf)
    }
}

/// The text a run is compared by: everything the program printed, then its exit status.
pub fn transcript(o: &Outcome) -> String {
    let mut s = o.output_str();
    if !s.is_empty() && !s.ends_with('\n') {
        s.push('\n');
    }
    match (o.status, &o.error) {
        (Some(st), _) => s.push_str(&format!("--- exit status {st}\n")),
        (None, Some(e)) => s.push_str(&format!("--- no exit: {e}\n")),
        (None, None) => s.push_str("--- no exit\n"),
    }
    s
}

/// A short report of where two transcripts first differ.
pub fn first_difference(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    for i in 0..e.len().max(a.len()) {
        let (x, y) = (e.get(i), a.get(i));
        if x != y {
            let from = i.saturating_sub(2);
            let mut s = format!("first difference at line {}:\n", i + 1);
            for (j, line) in e.iter().enumerate().take(i).skip(from) {
                s.push_str(&format!("    {:4}  {line}\n", j + 1));
            }
            s.push_str(&format!(
                "  - expected: {}\n",
                x.copied().unwrap_or("<end>")
            ));
            s.push_str(&format!(
                "  + actual:   {}\n",
                y.copied().unwrap_or("<end>")
            ));
            return s;
        }
    }
    "transcripts are identical".into()
}

/// Runs an image under a15emu on its own thread; gives up after `timeout` of wall-clock
/// time (the thread is left behind: a core that loops without retiring instructions,
/// such as a prefetch abort at an unmapped vector, never reaches the instruction limit).
pub fn run_a15emu_timeout(image: Vec<u8>, max_insns: u64, timeout: std::time::Duration) -> Outcome {
    run_a15emu_timeout_on(Board::Plain, image, max_insns, timeout)
}

/// [`run_a15emu_timeout`] on a board set up as `board` says.
pub fn run_a15emu_timeout_on(
    board: Board,
    image: Vec<u8>,
    max_insns: u64,
    timeout: std::time::Duration,
) -> Outcome {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(crate::runner::run_a15emu_on(board, &image, max_insns));
    });
    match rx.recv_timeout(timeout) {
        Ok(o) => o,
        Err(_) => Outcome {
            output: vec![],
            status: None,
            error: Some(format!(
                "a15emu did not stop within {}s (the instruction limit of {max_insns} was not reached)",
                timeout.as_secs()
            )),
        },
    }
}

/// Runs `check` on every program, as many at a time as the host has cores, and returns
/// the results in the programs' order.
pub fn run_parallel<T: Send>(
    roms: &[&'static Rom],
    check: fn(&Rom) -> T,
) -> Vec<(&'static Rom, T)> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .min(roms.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(rom) = roms.get(i) else { break };
                let r = check(rom);
                results
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((i, *rom, r));
            });
        }
    });
    let mut v = results.into_inner().unwrap_or_else(|e| e.into_inner());
    v.sort_by_key(|(i, _, _)| *i);
    v.into_iter().map(|(_, r, t)| (r, t)).collect()
}
