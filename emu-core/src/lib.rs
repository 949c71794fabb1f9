//! emu-core: the Cortex-A15 core of a15emu — architectural state, the A32/T32 decoders,
//! the interpreter, system registers and exceptions. It knows nothing of devices or
//! boards: it reaches them through [`memory::Bus`] and its interrupt inputs.

pub mod cpu;
pub mod debug;
pub mod decode;
pub mod exception;
pub mod hyp_regs;
pub mod hyp_stats;
pub mod hyp_traps;
pub mod insn;
pub mod interp;
pub mod interrupts;
pub mod memory;
pub mod mmu;
pub mod pmu;
pub mod state;
pub mod sysreg;
pub mod sysregs_a15;
pub mod thumbee;
pub mod timer;

pub use cpu::{Cpu, CpuConfig, StopReason};
pub use exception::{Exception, FaultKind, MemFault, WalkInfo};
pub use insn::{Insn, ItCtx};
pub use memory::{Acc, Bus, Ram};
pub use state::{CpuState, Mode};
pub use timer::TimerLines;
