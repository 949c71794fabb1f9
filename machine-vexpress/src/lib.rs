//! The Versatile Express board with a CoreTile Express A15x2 (V2P-CA15): its memory
//! map, image loaders and run loop.
//!
//! The board carries RAM and the peripherals of [`board`]; bare-metal programs may also
//! talk to the host through semihosting.

pub mod board;
pub mod fdt;
pub mod linux;
pub mod loader;
pub mod psci;
pub mod semihosting;
pub mod xen;

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::Receiver;

use devices::v2m_sysregs::PowerRequest;
use emu_core::timer::{ClockSource, NS_PER_TICK};
use emu_core::{Cpu, CpuConfig, Mode, Ram, StopReason};

pub use board::Board;

pub use linux::{LinuxBoot, LinuxError, LinuxLayout};
pub use loader::{load_image, LoadError, LoadedImage};
pub use semihosting::Semihosting;
pub use xen::{DomU, Guest, XenBoot, XenError, XenLayout};

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
    /// The clock behind the generic timer and the devices (host time by default;
    /// instruction count for deterministic runs).
    pub clock: ClockSource,
    /// The board plays PSCI firmware (on by default, as QEMU's boards do for a kernel
    /// they boot): SMC calls are PSCI calls (crate::psci), and the generated device tree
    /// advertises PSCI 0.2.
    pub psci: bool,
}

impl Default for MachineConfig {
    fn default() -> Self {
        MachineConfig {
            ram_size: DEFAULT_RAM_SIZE,
            semihosting: false,
            virtualization: true,
            max_insns: None,
            clock: ClockSource::Host,
            psci: true,
        }
    }
}

/// Errors building or running the board.
#[derive(Debug)]
pub enum MachineError {
    RamSize(u64),
    Ram(emu_core::memory::RamError),
    Load(LoadError),
    /// Setting up a Linux boot failed (crate::linux).
    Linux(LinuxError),
    /// Setting up a Xen boot failed (crate::xen).
    Xen(XenError),
    /// The instruction limit was reached before the program exited.
    InsnLimit(u64),
    /// The core waits for an interrupt that nothing will ever raise.
    WfiForever,
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
            MachineError::Linux(e) => write!(f, "{e}"),
            MachineError::Xen(e) => write!(f, "{e}"),
            MachineError::InsnLimit(n) => write!(f, "instruction limit of {n} reached"),
            MachineError::WfiForever => write!(f, "WFI with nothing to wake"),
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
    /// The guest powered the board off (V2M SYS_CFG SHUTDOWN).
    PowerOff,
    /// The guest asked for a reboot (V2M SYS_CFG REBOOT/RESET); the board stops.
    Reboot,
    /// The host asked the emulation to stop through [`Machine::stop_handle`] (the
    /// console's Ctrl-A x, a signal).
    Quit,
}

impl Exit {
    /// The process exit status this stop maps to.
    pub fn status(self) -> i32 {
        match self {
            Exit::Status(s) => s,
            Exit::PowerOff | Exit::Reboot | Exit::Quit => 0,
        }
    }
}

/// The board.
pub struct Machine {
    pub cpu: Cpu,
    pub semihosting: Semihosting,
    pub board: Board,
    cfg: MachineConfig,
    /// Set from another thread to stop [`Machine::run`] at the next slice boundary.
    stop: Arc<AtomicBool>,
}

/// The longest a WFI wait blocks before looking at the stop flag again.
const STOP_POLL: Duration = Duration::from_millis(100);

impl Machine {
    pub fn new(cfg: MachineConfig) -> Result<Machine, MachineError> {
        if !(MIN_RAM_SIZE..=MAX_RAM_SIZE).contains(&cfg.ram_size) {
            return Err(MachineError::RamSize(cfg.ram_size));
        }
        let ram = Ram::new(RAM_BASE, cfg.ram_size as usize).map_err(MachineError::Ram)?;
        let cpu_cfg = CpuConfig {
            semihosting: cfg.semihosting,
            virtualization: cfg.virtualization,
            clock: cfg.clock,
            firmware_smc: cfg.psci,
            ..CpuConfig::default()
        };
        let mut cpu = Cpu::new(cpu_cfg, ram);
        let (board, map) = Board::new(cfg.clock);
        cpu.bus = Box::new(map);
        Ok(Machine {
            cpu,
            semihosting: Semihosting::new(Box::new(std::io::stdout())),
            board,
            cfg,
            stop: Arc::new(AtomicBool::new(false)),
        })
    }

    /// Sends semihosting console output somewhere else (tests capture it).
    pub fn set_console(&mut self, out: Box<dyn Write>) {
        self.semihosting = Semihosting::new(out);
    }

    /// Sends UART0's output somewhere else (stdout by default; tests capture it).
    pub fn set_serial_output(&mut self, out: Box<dyn Write>) {
        *self.board.serial.borrow_mut() = out;
    }

    /// Connects UART0's receive line to host input (e.g. a console reader thread).
    /// Bytes go into the UART as its receiver has room; a disconnected channel means
    /// end of input. With input connected, a WFI with no timer deadline waits for input
    /// instead of failing with [`MachineError::WfiForever`].
    pub fn set_serial_input(&mut self, rx: Receiver<u8>) {
        self.board.set_serial_input(rx);
    }

    /// A flag another thread sets to make [`Machine::run`] return [`Exit::Quit`] at the
    /// next slice boundary (or within 100 ms while the core waits in WFI). The
    /// run clears it when it stops for it.
    pub fn stop_handle(&self) -> Arc<AtomicBool> {
        self.stop.clone()
    }

    fn take_stop_request(&self) -> bool {
        self.stop.load(Ordering::Relaxed) && self.stop.swap(false, Ordering::Relaxed)
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

    /// Runs until the program exits (semihosting SYS_EXIT) or the board is powered off
    /// or rebooted through the V2M configuration controller.
    ///
    /// The core runs in slices; after each slice (and on WFI) device interrupt lines go
    /// into the GIC and the GIC's outputs into the core. WFI waits for the next device
    /// or generic-timer deadline: by sleeping with the host clock, by advancing the
    /// count with the instruction clock. Host input for UART0 is delivered at slice
    /// boundaries and wakes WFI waits; UART0's output is flushed before waits and at
    /// least every few tens of milliseconds.
    pub fn run(&mut self) -> Result<Exit, MachineError> {
        let r = self.run_inner();
        self.board.flush_serial();
        r
    }

    // Kept out of line: inlined into a caller (the CLI's `run`), the hot loop's code
    // depended on the caller's and the crc32 bench lost 7% (0.89 -> 0.96 s user time)
    // when the console code was added there.
    #[inline(never)]
    fn run_inner(&mut self) -> Result<Exit, MachineError> {
        const SLICE: u64 = 1 << 16;
        self.board.clock.sync(&self.cpu);
        self.board.update_interrupts(&mut self.cpu);
        loop {
            let mut budget = match self.cfg.max_insns {
                Some(max) => {
                    if self.cpu.insn_count >= max {
                        return Err(MachineError::InsnLimit(max));
                    }
                    SLICE.min(max - self.cpu.insn_count)
                }
                None => SLICE,
            };
            if self.cfg.clock == ClockSource::Instructions {
                if let Some(d) = self.board.next_deadline_ns(&self.cpu) {
                    let ticks = d.div_ceil(NS_PER_TICK);
                    budget = budget.min(ticks.saturating_sub(self.cpu.insn_count).max(1));
                }
            }
            let stop = self.cpu.run(budget);
            self.board.clock.sync(&self.cpu);
            if let Some(exit) = self.power_request() {
                return Ok(exit);
            }
            if self.take_stop_request() {
                return Ok(Exit::Quit);
            }
            self.board.pump_serial_input();
            self.board.flush_serial_soon();
            self.board.update_interrupts(&mut self.cpu);
            match stop {
                StopReason::Budget => {}
                StopReason::Semihosting => {
                    self.board.flush_serial();
                    if let Some(status) = self
                        .semihosting
                        .call(&mut self.cpu)
                        .map_err(MachineError::Io)?
                    {
                        return Ok(Exit::Status(status));
                    }
                }
                StopReason::Wfi => {
                    if let Some(exit) = self.wait_for_interrupt()? {
                        return Ok(exit);
                    }
                }
                StopReason::Smc => {
                    if let Some(exit) = self.psci_smc() {
                        return Ok(exit);
                    }
                }
            }
        }
    }

    fn power_request(&mut self) -> Option<Exit> {
        match self.board.take_power_request()? {
            PowerRequest::Off => Some(Exit::PowerOff),
            PowerRequest::Reset => Some(Exit::Reboot),
        }
    }

    /// WFI: returns once an interrupt is pending at the core (masked or not, as WFI's
    /// wake-up condition), advancing time to the next deadline as needed, or with
    /// [`Exit::Quit`] when a stop is requested meanwhile.
    ///
    /// With the host clock it blocks on UART0's input (when connected and the UART can
    /// take a byte) with the next deadline as timeout, else sleeps until the deadline;
    /// with the instruction clock it jumps to the deadline and only blocks for input
    /// when there is no deadline.
    fn wait_for_interrupt(&mut self) -> Result<Option<Exit>, MachineError> {
        self.board.flush_serial();
        loop {
            self.board.pump_serial_input();
            self.board.update_interrupts(&mut self.cpu);
            if self.cpu.wfi_wake_pending() {
                return Ok(None);
            }
            if self.take_stop_request() {
                return Ok(Some(Exit::Quit));
            }
            let deadline = self.board.next_deadline_ns(&self.cpu);
            let input = self.board.serial_input_can_wake();
            match (self.cfg.clock, deadline) {
                (_, None) if !input => return Err(MachineError::WfiForever),
                (ClockSource::Host, _) => {
                    let wait = deadline.map_or(STOP_POLL, |d| {
                        Duration::from_nanos(d.saturating_sub(self.board.clock.now_ns()))
                    });
                    let wait = wait.min(STOP_POLL);
                    if input {
                        self.board.wait_serial_input(wait);
                    } else if !wait.is_zero() {
                        std::thread::sleep(wait);
                    }
                }
                (ClockSource::Instructions, Some(deadline)) => {
                    let ticks = deadline.div_ceil(NS_PER_TICK);
                    self.cpu.insn_count = self.cpu.insn_count.max(ticks);
                    self.board.clock.sync(&self.cpu);
                }
                (ClockSource::Instructions, None) => {
                    self.board.wait_serial_input(STOP_POLL);
                }
            }
            if let Some(max) = self.cfg.max_insns {
                if self.cpu.insn_count >= max {
                    return Err(MachineError::InsnLimit(max));
                }
            }
        }
    }
}
