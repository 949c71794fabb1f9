//! The Versatile Express board with a CoreTile Express A15x2 (V2P-CA15): its memory
//! map, image loaders and run loop.
//!
//! So far the board carries RAM and runs bare-metal programs that talk to the host
//! through semihosting; the motherboard and tile peripherals join it in the board issue.

pub mod loader;
pub mod semihosting;

use std::io::Write;

use devices::DeviceMap;
use emu_core::{Cpu, CpuConfig, Mode, Ram, StopReason};

pub use loader::{load_image, LoadError, LoadedImage};
pub use semihosting::Semihosting;

/// Physical base of the tile's DRAM (vexpress-v2p-ca15-tc1.dts, memory@80000000).
pub const RAM_BASE: u64 = 0x8000_0000;
/// Default RAM size, as QEMU's.
pub const DEFAULT_RAM_SIZE: u64 = 512 << 20;
/// Smallest and largest RAM the board supports.
pub const MIN_RAM_SIZE: u64 = 64 << 20;
pub const MAX_RAM_SIZE: u64 = 2 << 30;

/// How to build the board.
#[derive(Clone, Debug)]
pub struct MachineConfig {
    pub ram_size: u64,
    /// Intercept semihosting calls.
    pub semihosting: bool,
    /// The Virtualization Extensions (Hyp mode, HVC, banked MRS/MSR). A Cortex-A15
    /// always has them; off only to model a core that hides them.
    pub virtualization: bool,
    /// Stop with [`RunError::InsnLimit`] after this many instructions.
    pub max_insns: Option<u64>,
}

impl Default for MachineConfig {
    fn default() -> Self {
        MachineConfig {
            ram_size: DEFAULT_RAM_SIZE,
            semihosting: false,
            virtualization: true,
            max_insns: None,
        }
    }
}

/// Errors building or running the board.
#[derive(Debug)]
pub enum MachineError {
    RamSize(u64),
    Ram(emu_core::memory::RamError),
    Load(LoadError),
    /// The instruction limit was reached before the program exited.
    InsnLimit(u64),
    /// The guest asked to stop with a status (not an error; see [`Machine::run`]).
    Io(std::io::Error),
}

impl std::fmt::Display for MachineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MachineError::RamSize(s) => write!(
                f,
                "RAM size {} MiB is outside the board's range ({}-{} MiB)",
                s >> 20,
                MIN_RAM_SIZE >> 20,
                MAX_RAM_SIZE >> 20
            ),
            MachineError::Ram(e) => write!(f, "{e}"),
            MachineError::Load(e) => write!(f, "{e}"),
            MachineError::InsnLimit(n) => write!(f, "instruction limit of {n} reached"),
            MachineError::Io(e) => write!(f, "host I/O error: {e}"),
        }
    }
}

impl std::error::Error for MachineError {}

/// Why the guest stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// The program called SYS_EXIT / SYS_EXIT_EXTENDED with this status.
    Status(i32),
}

/// The board.
pub struct Machine {
    pub cpu: Cpu,
    pub semihosting: Semihosting,
    cfg: MachineConfig,
}

impl Machine {
    pub fn new(cfg: MachineConfig) -> Result<Machine, MachineError> {
        if !(MIN_RAM_SIZE..=MAX_RAM_SIZE).contains(&cfg.ram_size) {
            return Err(MachineError::RamSize(cfg.ram_size));
        }
        let ram = Ram::new(RAM_BASE, cfg.ram_size as usize).map_err(MachineError::Ram)?;
        let cpu_cfg = CpuConfig {
            semihosting: cfg.semihosting,
            virtualization: cfg.virtualization,
            ..CpuConfig::default()
        };
        let mut cpu = Cpu::new(cpu_cfg, ram);
        cpu.bus = Box::new(DeviceMap::new());
        Ok(Machine {
            cpu,
            semihosting: Semihosting::new(Box::new(std::io::stdout())),
            cfg,
        })
    }

    /// Sends semihosting console output somewhere else (tests capture it).
    pub fn set_console(&mut self, out: Box<dyn Write>) {
        self.semihosting = Semihosting::new(out);
    }

    /// Loads a bare-metal program (ELF or raw binary) and resets the core to its entry
    /// in SVC mode with interrupts masked and the MMU off, as QEMU does for a
    /// non-Linux `-kernel`.
    pub fn load_program(&mut self, image: &[u8]) -> Result<LoadedImage, MachineError> {
        let img = load_image(&mut self.cpu.ram, image).map_err(MachineError::Load)?;
        self.cpu.reset(img.entry, Mode::Svc);
        // The flags are UNKNOWN at reset; QEMU's reset leaves Z set (CPSR 0x400001d3),
        // and test programs print their entry state, so match it.
        self.cpu.s.zf = 1;
        Ok(img)
    }

    /// Runs until the program exits.
    pub fn run(&mut self) -> Result<Exit, MachineError> {
        const SLICE: u64 = 1 << 20;
        loop {
            let budget = match self.cfg.max_insns {
                Some(max) => {
                    if self.cpu.insn_count >= max {
                        return Err(MachineError::InsnLimit(max));
                    }
                    SLICE.min(max - self.cpu.insn_count)
                }
                None => SLICE,
            };
            match self.cpu.run(budget) {
                StopReason::Budget => {}
                StopReason::Semihosting => {
                    if let Some(status) = self
                        .semihosting
                        .call(&mut self.cpu)
                        .map_err(MachineError::Io)?
                    {
                        return Ok(Exit::Status(status));
                    }
                }
                // Nothing on this board raises interrupts yet, so WFI completes at once
                // (architecturally allowed: WFI may be a NOP).
                StopReason::Wfi => {}
            }
        }
    }
}
