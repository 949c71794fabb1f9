//! Running a bare-metal program under a15emu (in-process) and under QEMU, collecting
//! its semihosting output and exit status.

use std::cell::RefCell;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::rc::Rc;
use std::time::Duration;

use emu_core::Mode;
use machine_vexpress::{Machine, MachineConfig};

/// What a program did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Everything it printed through semihosting.
    pub output: Vec<u8>,
    /// Its SYS_EXIT status, or `None` if it did not exit cleanly (error, limit, timeout).
    pub status: Option<i32>,
    /// Error text, if the run failed.
    pub error: Option<String>,
}

impl Outcome {
    pub fn output_str(&self) -> String {
        String::from_utf8_lossy(&self.output).into_owned()
    }
}

/// Captures semihosting output in memory.
#[derive(Clone, Default)]
struct SharedBuf(Rc<RefCell<Vec<u8>>>);

impl Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// How a program is started (the same way on both emulators).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Board {
    /// QEMU's `vexpress-a15` as it comes (`-kernel prog.elf`: Secure SVC mode); a15emu's
    /// default board.
    #[default]
    Plain,
    /// For hypervisor programs: the core has the Virtualization Extensions and the
    /// program starts in Hyp mode, as a boot loader starts a kernel or a hypervisor.
    /// QEMU: `vexpress-a15,secure=off,virtualization=on` (EL2 without EL3, as a15emu;
    /// QEMU's vexpress has EL3 unless told otherwise), `-kernel` given the raw binary so
    /// that QEMU boots it the way it boots Linux: in Hyp mode, at the RAM base plus
    /// 0x10000, where such programs are linked (`roms/common/link_hyp.ld`). a15emu: the
    /// ELF, entered in Hyp mode, without the board's PSCI firmware (as on QEMU's
    /// vexpress, SMC from PL1 is UNDEFINED unless trapped).
    Hyp,
}

impl Board {
    /// QEMU's `-M` argument.
    pub fn qemu_machine(self) -> &'static str {
        match self {
            Board::Plain => "vexpress-a15",
            Board::Hyp => "vexpress-a15,secure=off,virtualization=on",
        }
    }

    /// The linker script under `roms/`.
    pub fn linker_script(self) -> &'static str {
        match self {
            Board::Plain => "common/link.ld",
            Board::Hyp => "common/link_hyp.ld",
        }
    }
}

/// Runs an image under a15emu with semihosting, at most `max_insns` instructions.
pub fn run_a15emu(image: &[u8], max_insns: u64) -> Outcome {
    run_a15emu_on(Board::Plain, image, max_insns)
}

/// [`run_a15emu`] on a board set up as `board` says.
pub fn run_a15emu_on(board: Board, image: &[u8], max_insns: u64) -> Outcome {
    run_a15emu_with_stats(board, image, max_insns).0
}

/// The trap counts the hypervisor test program (roms/hyp.S) prints about itself:
/// `(ec, count)` for each "traps: NAME (ec 0xEC): HEX" line, and the count of the
/// "traps: other classes: HEX" line.
pub fn hyp_rom_trap_counts(out: &str) -> (Vec<(u32, u64)>, Option<u64>) {
    let mut by_ec = Vec::new();
    let mut other = None;
    for line in out.lines().filter(|l| l.starts_with("traps: ")) {
        let Some((label, value)) = line.rsplit_once(": ") else {
            continue;
        };
        let Ok(n) = u64::from_str_radix(value.trim(), 16) else {
            continue;
        };
        match label.split("(ec 0x").nth(1) {
            Some(ec) => {
                if let Ok(ec) = u32::from_str_radix(ec.trim_end_matches(')'), 16) {
                    by_ec.push((ec, n));
                }
            }
            None if label == "traps: other classes" => other = Some(n),
            None => {}
        }
    }
    (by_ec, other)
}

/// Like [`run_a15emu_on`], also returning the core's Hyp-entry counts by class
/// (`emu_core::hyp_stats::TrapClass::index`), as counted on the HSR path.
pub fn run_a15emu_with_stats(
    board: Board,
    image: &[u8],
    max_insns: u64,
) -> (Outcome, [u64; emu_core::hyp_stats::CLASS_SLOTS]) {
    let mut counts = [0; emu_core::hyp_stats::CLASS_SLOTS];
    let outcome = run_a15emu_inner(board, image, max_insns, &mut counts);
    (outcome, counts)
}

fn run_a15emu_inner(
    board: Board,
    image: &[u8],
    max_insns: u64,
    counts: &mut [u64; emu_core::hyp_stats::CLASS_SLOTS],
) -> Outcome {
    let cfg = MachineConfig {
        semihosting: true,
        max_insns: Some(max_insns),
        psci: board != Board::Hyp,
        ..MachineConfig::default()
    };
    let buf = SharedBuf::default();
    let mut m = match Machine::new(cfg) {
        Ok(m) => m,
        Err(e) => {
            return Outcome {
                output: vec![],
                status: None,
                error: Some(e.to_string()),
            }
        }
    };
    m.set_console(Box::new(buf.clone()));
    let result = m
        .load_program(image)
        .map(|img| {
            if board == Board::Hyp {
                m.cpu.reset(img.entry, Mode::Hyp);
            }
        })
        .and_then(|_| m.run());
    *counts = m.cpu.hyp_stats.counts;
    let output = buf.0.borrow().clone();
    match result {
        Ok(exit) => Outcome {
            output,
            status: Some(exit.status()),
            error: None,
        },
        Err(e) => Outcome {
            output,
            status: None,
            error: Some(e.to_string()),
        },
    }
}

/// True if `qemu-system-arm` is on the PATH.
pub fn qemu_available() -> bool {
    Command::new("qemu-system-arm")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// Runs an ELF under `qemu-system-arm -M vexpress-a15 -cpu cortex-a15 -semihosting`.
/// QEMU writes semihosting console output to stderr; `timeout` bounds the run.
pub fn run_qemu(elf: &Path, timeout: Duration) -> Outcome {
    run_qemu_on(Board::Plain, elf, timeout)
}

/// [`run_qemu`] on a board set up as `board` says.
pub fn run_qemu_on(board: Board, elf: &Path, timeout: Duration) -> Outcome {
    let image = match board {
        Board::Plain => elf.to_path_buf(),
        Board::Hyp => match crate::toolchain::raw_binary(elf) {
            Ok(p) => p,
            Err(e) => {
                return Outcome {
                    output: vec![],
                    status: None,
                    error: Some(format!("cannot make the raw image: {e}")),
                }
            }
        },
    };
    let child = Command::new("qemu-system-arm")
        .args([
            "-M",
            board.qemu_machine(),
            "-cpu",
            "cortex-a15",
            "-m",
            "512",
        ])
        .args([
            "-nographic",
            "-no-reboot",
            "-monitor",
            "none",
            "-serial",
            "none",
            "-audiodev",
            "none,id=noaudio",
        ])
        .args([
            "-semihosting-config",
            "enable=on,target=native,chardev=semi",
        ])
        .args(["-chardev", "file,id=semi,path=/dev/stdout"])
        .arg("-kernel")
        .arg(&image)
        .env("QEMU_AUDIO_DRV", "none")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            return Outcome {
                output: vec![],
                status: None,
                error: Some(format!("cannot start qemu-system-arm: {e}")),
            }
        }
    };
    // Drain stdout while the program runs: a full pipe would stall QEMU.
    let mut stdout = child.stdout.take().expect("piped stdout");
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut out);
        out
    });
    // QEMU's stderr carries host noise (audio back ends), not the program's: drain and drop.
    let mut stderr = child.stderr.take().expect("piped stderr");
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    let start = std::time::Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break Ok(st),
            Ok(None) if start.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                break Err("qemu timed out".to_string());
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                break Err(e.to_string());
            }
        }
    };
    let output = reader.join().unwrap_or_default();
    match status {
        Ok(st) => Outcome {
            output,
            status: st.code(),
            error: None,
        },
        Err(e) => Outcome {
            output,
            status: None,
            error: Some(e),
        },
    }
}
