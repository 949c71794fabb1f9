//! The coprocessor interface (MCR/MRC/MCRR/MRRC/LDC/STC/CDP) and the system registers
//! behind it, described as data: one table row per register with its encoding, access
//! rules and behaviour (in the style of QEMU's target/arm cpregs).
//!
//! This is the part of the register model that CPU core I needs (identification,
//! SCTLR, VBAR, fault status/address, thread IDs and the CP15 barrier operations);
//! CPU core II extends the table to every register of the Cortex-A15.

use crate::cpu::Cpu;
use crate::exception::Exception;
use crate::hyp_traps::{self, Operands};
use crate::insn::Insn;
use crate::state::{sctlr, CpuState};

/// Encoding of a 32-bit register access (MCR/MRC).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CpReg {
    pub cp: u8,
    pub opc1: u8,
    pub crn: u8,
    pub crm: u8,
    pub opc2: u8,
}

/// Who may read and write a register (Non-secure view).
#[derive(Clone, Copy, Debug)]
pub enum Access {
    /// PL1 and above, read and write.
    Pl1Rw,
    /// PL1 and above, read only.
    Pl1Ro,
    /// PL1 and above, write only (operations).
    Pl1Wo,
    /// PL0 and above, read and write.
    Pl0Rw,
    /// PL0 reads, PL1 and above read and write.
    Pl0RoPl1Rw,
    /// PL0 and above, write only (operations such as the CP15 barriers).
    Pl0Wo,
    /// Decided by a function of the core's state and the direction (`true` = write),
    /// for registers whose PL0 access is enabled by another register (PMUSERENR,
    /// CNTKCTL) or that exist only in some configurations.
    Check(fn(&Cpu, bool) -> bool),
}

impl Access {
    fn allows(self, cpu: &Cpu, write: bool) -> bool {
        let privileged = cpu.s.is_privileged();
        match (self, write) {
            (Access::Check(f), _) => f(cpu, write),
            (Access::Pl1Rw, _) => privileged,
            (Access::Pl1Ro, false) => privileged,
            (Access::Pl1Wo, true) => privileged,
            (Access::Pl0Rw, _) => true,
            (Access::Pl0RoPl1Rw, false) => true,
            (Access::Pl0RoPl1Rw, true) => privileged,
            (Access::Pl0Wo, true) => true,
            _ => false,
        }
    }
}

/// What an access does.
#[derive(Clone, Copy)]
pub enum Behaviour {
    /// A constant (identification registers).
    Const(u32),
    /// A field of the CPU state; writes change only the bits in the mask.
    State(fn(&mut CpuState) -> &mut u32, u32),
    /// An operation with no data effect in this model (barriers by CP15, cache
    /// maintenance): the access is checked and then completes.
    Nop,
    /// Registers and operations with side effects (TLB maintenance, address
    /// translation, counters): a read routine and/or a write routine. A missing routine
    /// makes that direction UNDEFINED.
    Custom {
        read: Option<fn(&mut Cpu) -> u32>,
        write: Option<fn(&mut Cpu, u32)>,
    },
}

/// One row of the system-register table.
#[derive(Clone, Copy)]
pub struct SysReg {
    pub name: &'static str,
    pub enc: CpReg,
    pub access: Access,
    pub behaviour: Behaviour,
}

impl SysReg {
    /// Whether an access in this direction completes at the current PL (rather than
    /// being UNDEFINED), with every Hyp trap control clear.
    pub fn defined(&self, cpu: &Cpu, write: bool) -> bool {
        self.access.allows(cpu, write)
            && match self.behaviour {
                Behaviour::Const(_) => !write,
                Behaviour::State(..) => true,
                Behaviour::Nop => write,
                Behaviour::Custom { read, write: w } => {
                    if write {
                        w.is_some()
                    } else {
                        read.is_some()
                    }
                }
            }
    }
}

pub(crate) const fn cp15(opc1: u8, crn: u8, crm: u8, opc2: u8) -> CpReg {
    CpReg {
        cp: 15,
        opc1,
        crn,
        crm,
        opc2,
    }
}

/// MIDR of a Cortex-A15 r4p0 (the revision QEMU's cortex-a15 reports), TRM 4.3.1.
pub const MIDR_A15: u32 = 0x414f_c0f0;
/// CTR of a Cortex-A15 (TRM 4.3.3).
pub const CTR_A15: u32 = 0x8444_c004;
/// MPIDR of core 0 in cluster 0 (multiprocessor format).
pub const MPIDR_CPU0: u32 = 0x8000_0000;

/// SCTLR bits software can change on the A15 (the others are RES0/RES1/RO).
const SCTLR_WMASK: u32 = sctlr::M
    | sctlr::A
    | sctlr::C
    | sctlr::Z
    | (1 << 10) // SW: SWP/SWPB enable (QEMU keeps it; SWP runs either way)
    | sctlr::I
    | sctlr::V
    | (1 << 19)
    | (1 << 20)
    | sctlr::EE
    | (1 << 28)
    | (1 << 29)
    | sctlr::TE;

/// SCTLR writes: the MMU reacts to changes of M, TRE, AFE, ...
fn write_sctlr(c: &mut Cpu, v: u32) {
    let old = c.s.sctlr;
    c.s.sctlr = (old & !SCTLR_WMASK) | (v & SCTLR_WMASK);
    crate::mmu::regs::sctlr_written(c, old);
}

/// The table.
pub static SYSREGS: &[SysReg] = &[
    SysReg {
        name: "MIDR",
        enc: cp15(0, 0, 0, 0),
        access: Access::Pl1Ro,
        // VPIDR at Non-secure PL1 (hyp_regs.rs).
        behaviour: Behaviour::Custom {
            read: Some(crate::hyp_regs::midr_read),
            write: None,
        },
    },
    SysReg {
        name: "CTR",
        enc: cp15(0, 0, 0, 1),
        access: Access::Pl1Ro,
        behaviour: Behaviour::Const(CTR_A15),
    },
    SysReg {
        name: "TCMTR",
        enc: cp15(0, 0, 0, 2),
        access: Access::Pl1Ro,
        behaviour: Behaviour::Const(0),
    },
    SysReg {
        name: "TLBTR",
        enc: cp15(0, 0, 0, 3),
        access: Access::Pl1Ro,
        behaviour: Behaviour::Const(0),
    },
    SysReg {
        name: "MPIDR",
        enc: cp15(0, 0, 0, 5),
        access: Access::Pl1Ro,
        // VMPIDR at Non-secure PL1 (hyp_regs.rs).
        behaviour: Behaviour::Custom {
            read: Some(crate::hyp_regs::mpidr_read),
            write: None,
        },
    },
    SysReg {
        name: "REVIDR",
        enc: cp15(0, 0, 0, 6),
        access: Access::Pl1Ro,
        behaviour: Behaviour::Const(0),
    },
    SysReg {
        name: "ID_PFR0",
        enc: cp15(0, 0, 1, 0),
        access: Access::Pl1Ro,
        behaviour: Behaviour::Const(0x00001131),
    },
    SysReg {
        name: "ID_PFR1",
        enc: cp15(0, 0, 1, 1),
        access: Access::Pl1Ro,
        behaviour: Behaviour::Const(0x00011011),
    },
    SysReg {
        name: "ID_DFR0",
        enc: cp15(0, 0, 1, 2),
        access: Access::Pl1Ro,
        behaviour: Behaviour::Const(0x02010555),
    },
    SysReg {
        name: "ID_AFR0",
        enc: cp15(0, 0, 1, 3),
        access: Access::Pl1Ro,
        behaviour: Behaviour::Const(0x00000000),
    },
    SysReg {
        name: "ID_MMFR0",
        enc: cp15(0, 0, 1, 4),
        access: Access::Pl1Ro,
        behaviour: Behaviour::Const(0x1020_1105),
    },
    SysReg {
        name: "ID_MMFR1",
        enc: cp15(0, 0, 1, 5),
        access: Access::Pl1Ro,
        behaviour: Behaviour::Const(0x20000000),
    },
    SysReg {
        name: "ID_MMFR2",
        enc: cp15(0, 0, 1, 6),
        access: Access::Pl1Ro,
        behaviour: Behaviour::Const(0x01240000),
    },
    SysReg {
        name: "ID_MMFR3",
        enc: cp15(0, 0, 1, 7),
        access: Access::Pl1Ro,
        behaviour: Behaviour::Const(0x02102211),
    },
    SysReg {
        name: "ID_ISAR0",
        enc: cp15(0, 0, 2, 0),
        access: Access::Pl1Ro,
        behaviour: Behaviour::Const(0x02101110),
    },
    SysReg {
        name: "ID_ISAR1",
        enc: cp15(0, 0, 2, 1),
        access: Access::Pl1Ro,
        behaviour: Behaviour::Const(0x13112111),
    },
    SysReg {
        name: "ID_ISAR2",
        enc: cp15(0, 0, 2, 2),
        access: Access::Pl1Ro,
        behaviour: Behaviour::Const(0x21232041),
    },
    SysReg {
        name: "ID_ISAR3",
        enc: cp15(0, 0, 2, 3),
        access: Access::Pl1Ro,
        behaviour: Behaviour::Const(0x11112131),
    },
    SysReg {
        name: "ID_ISAR4",
        enc: cp15(0, 0, 2, 4),
        access: Access::Pl1Ro,
        behaviour: Behaviour::Const(0x10011142),
    },
    SysReg {
        name: "ID_ISAR5",
        enc: cp15(0, 0, 2, 5),
        access: Access::Pl1Ro,
        behaviour: Behaviour::Const(0x00000000),
    },
    SysReg {
        name: "CLIDR",
        enc: cp15(1, 0, 0, 1),
        access: Access::Pl1Ro,
        behaviour: Behaviour::Const(0x0a20_0023),
    },
    SysReg {
        name: "AIDR",
        enc: cp15(1, 0, 0, 7),
        access: Access::Pl1Ro,
        behaviour: Behaviour::Const(0),
    },
    SysReg {
        name: "SCTLR",
        enc: cp15(0, 1, 0, 0),
        access: Access::Pl1Rw,
        behaviour: Behaviour::Custom {
            read: Some(|c| c.s.sctlr),
            write: Some(write_sctlr),
        },
    },
    SysReg {
        name: "CPACR",
        enc: cp15(0, 1, 0, 2),
        access: Access::Pl1Rw,
        // CP10/CP11 fields only; no other coprocessor exists.
        behaviour: Behaviour::State(|s| &mut s.cpacr, 0x00f0_0000),
    },
    SysReg {
        name: "DFSR",
        enc: cp15(0, 5, 0, 0),
        access: Access::Pl1Rw,
        behaviour: Behaviour::State(|s| &mut s.dfsr, 0x0000_3e0f | (1 << 10) | (1 << 11)),
    },
    SysReg {
        name: "IFSR",
        enc: cp15(0, 5, 0, 1),
        access: Access::Pl1Rw,
        behaviour: Behaviour::State(|s| &mut s.ifsr, 0x0000_120f | (1 << 10)),
    },
    SysReg {
        name: "DFAR",
        enc: cp15(0, 6, 0, 0),
        access: Access::Pl1Rw,
        behaviour: Behaviour::State(|s| &mut s.dfar, 0xffff_ffff),
    },
    SysReg {
        name: "IFAR",
        enc: cp15(0, 6, 0, 2),
        access: Access::Pl1Rw,
        behaviour: Behaviour::State(|s| &mut s.ifar, 0xffff_ffff),
    },
    SysReg {
        name: "ICIALLU",
        enc: cp15(0, 7, 5, 0),
        access: Access::Pl1Wo,
        behaviour: Behaviour::Nop,
    },
    SysReg {
        name: "CP15ISB",
        enc: cp15(0, 7, 5, 4),
        access: Access::Pl0Wo,
        behaviour: Behaviour::Nop,
    },
    SysReg {
        name: "BPIALL",
        enc: cp15(0, 7, 5, 6),
        access: Access::Pl1Wo,
        behaviour: Behaviour::Nop,
    },
    SysReg {
        name: "CP15DSB",
        enc: cp15(0, 7, 10, 4),
        access: Access::Pl0Wo,
        behaviour: Behaviour::Nop,
    },
    SysReg {
        name: "CP15DMB",
        enc: cp15(0, 7, 10, 5),
        access: Access::Pl0Wo,
        behaviour: Behaviour::Nop,
    },
    SysReg {
        name: "VBAR",
        enc: cp15(0, 12, 0, 0),
        access: Access::Pl1Rw,
        behaviour: Behaviour::State(|s| &mut s.vbar, 0xffff_ffe0),
    },
    SysReg {
        name: "TPIDRURW",
        enc: cp15(0, 13, 0, 2),
        access: Access::Pl0Rw,
        behaviour: Behaviour::State(|s| &mut s.tpidrurw, 0xffff_ffff),
    },
    SysReg {
        name: "TPIDRURO",
        enc: cp15(0, 13, 0, 3),
        access: Access::Pl0RoPl1Rw,
        behaviour: Behaviour::State(|s| &mut s.tpidruro, 0xffff_ffff),
    },
    SysReg {
        name: "TPIDRPRW",
        enc: cp15(0, 13, 0, 4),
        access: Access::Pl1Rw,
        behaviour: Behaviour::State(|s| &mut s.tpidrprw, 0xffff_ffff),
    },
    // The trivial Jazelle extension (Arm ARM A2.11, B1.14.12; ID_ISAR1.Jazelle = 1):
    // JIDR reads as zero, JOSCR and JMCR are RAZ/WI; PL1 only (as QEMU). HCR.TID0 traps
    // JIDR reads, HSTR.TJDBX the other two (hyp_traps.rs).
    SysReg {
        name: "JIDR",
        enc: cp14(7, 0, 0, 0),
        access: Access::Pl1Ro,
        behaviour: Behaviour::Const(0),
    },
    SysReg {
        name: "JOSCR",
        enc: cp14(7, 1, 0, 0),
        access: Access::Pl1Rw,
        behaviour: crate::sysregs_a15::RAZ_WI,
    },
    SysReg {
        name: "JMCR",
        enc: cp14(7, 2, 0, 0),
        access: Access::Pl1Rw,
        behaviour: crate::sysregs_a15::RAZ_WI,
    },
];

const fn cp14(opc1: u8, crn: u8, crm: u8, opc2: u8) -> CpReg {
    CpReg {
        cp: 14,
        opc1,
        crn,
        crm,
        opc2,
    }
}

/// Finds the table row for an encoding.
/// Every table of system registers: this module's, and those of the subsystems that
/// own registers (MMU, PMU, timers, ...). Add a subsystem's table here.
pub static TABLES: &[&[SysReg]] = &[
    // First, so that any real register at one of these encodings replaces the RAZ row.
    ID_RAZ_REGS,
    SYSREGS,
    crate::sysregs_a15::SYSREGS_A15,
    crate::pmu::PMU_REGS,
    crate::debug::DEBUG_REGS,
    crate::thumbee::THUMBEE_REGS,
    crate::timer::TIMER_REGS,
    crate::mmu::regs::MMU_SYSREGS,
    crate::hyp_regs::HYP_REGS,
];

/// One row of the reserved identification space.
macro_rules! id_raz {
    ($crm:literal, $opc2:literal) => {
        SysReg {
            name: concat!("ID (reserved) c0, c", $crm, ", ", $opc2),
            enc: cp15(0, 0, $crm, $opc2),
            access: Access::Pl1Ro,
            behaviour: Behaviour::Const(0),
        }
    };
    ($crm:literal) => {
        [
            id_raz!($crm, 0),
            id_raz!($crm, 1),
            id_raz!($crm, 2),
            id_raz!($crm, 3),
            id_raz!($crm, 4),
            id_raz!($crm, 5),
            id_raz!($crm, 6),
            id_raz!($crm, 7),
        ]
    };
}

/// The unallocated encodings of the CP15 c0 identification space (opc1 = 0, CRm = c2
/// opc2 6-7 and CRm = c3-c7): read-as-zero at PL1 (Arm ARM B3.17.1, "Identification
/// registers, functional group"), so that software probing newer ID registers (Xen reads
/// ID_PFR2 at c0, c3, 4) sees "nothing implemented" rather than UNDEFINED, as on QEMU.
static ID_RAZ_REGS: &[SysReg] = &{
    let c2 = [id_raz!(2, 6), id_raz!(2, 7)];
    let c3 = id_raz!(3);
    let c4 = id_raz!(4);
    let c5 = id_raz!(5);
    let c6 = id_raz!(6);
    let c7 = id_raz!(7);
    let mut all = [c2[0]; 42];
    let mut i = 0;
    while i < 8 {
        all[2 + i] = c3[i];
        all[10 + i] = c4[i];
        all[18 + i] = c5[i];
        all[26 + i] = c6[i];
        all[34 + i] = c7[i];
        i += 1;
    }
    all[1] = c2[1];
    all
};

/// Encoding of a 64-bit register access (MCRR/MRRC).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CpReg64 {
    pub cp: u8,
    pub opc1: u8,
    pub crm: u8,
}

/// What a 64-bit access does.
#[derive(Clone, Copy)]
pub enum Behaviour64 {
    /// A 64-bit field of the CPU state; writes change only the bits in the mask.
    State(fn(&mut CpuState) -> &mut u64, u64),
    /// Read and/or write routines; a missing routine makes that direction UNDEFINED.
    Custom {
        read: Option<fn(&mut Cpu) -> u64>,
        write: Option<fn(&mut Cpu, u64)>,
    },
}

/// One row of the 64-bit register table (MCRR/MRRC: TTBR0/1, PAR, the timer's counters
/// and compare values).
#[derive(Clone, Copy)]
pub struct SysReg64 {
    pub name: &'static str,
    pub enc: CpReg64,
    pub access: Access,
    pub behaviour: Behaviour64,
}

/// Every table of 64-bit registers. Add a subsystem's table here.
pub static TABLES64: &[&[SysReg64]] = &[crate::timer::TIMER_REGS64, crate::hyp_regs::HYP_REGS64];

/// Finds the 64-bit table row for an encoding (few rows: a linear scan).
pub fn lookup64(enc: CpReg64) -> Option<&'static SysReg64> {
    TABLES64
        .iter()
        .flat_map(|t| t.iter())
        .find(|r| r.enc == enc)
}

fn key(e: CpReg) -> u32 {
    (e.cp as u32) << 16
        | (e.opc1 as u32) << 12
        | (e.crn as u32) << 8
        | (e.crm as u32) << 4
        | e.opc2 as u32
}

/// An access to an encoding no table has: UNDEFINED, as on hardware without the
/// register, logged once per encoding (a guest that needs it shows up in the log).
#[cold]
fn unimplemented_sysreg(enc: CpReg, write: bool) -> Exception {
    static SEEN: std::sync::Mutex<Vec<u32>> = std::sync::Mutex::new(Vec::new());
    let k = key(enc);
    if let Ok(mut seen) = SEEN.lock() {
        if !seen.contains(&k) {
            seen.push(k);
            tracing::warn!(
                target: "sysreg",
                "{} of unimplemented register p{}, {}, c{}, c{}, {}: UNDEFINED",
                if write { "MCR" } else { "MRC" },
                enc.cp,
                enc.opc1,
                enc.crn,
                enc.crm,
                enc.opc2
            );
        }
    }
    Exception::Undefined
}

/// Every row of `TABLES`, and the position in it of each encoding (built on first use).
struct RowIndex {
    rows: Vec<&'static SysReg>,
    by_key: rustc_hash::FxHashMap<u32, u32>,
}

fn row_index() -> &'static RowIndex {
    static INDEX: std::sync::OnceLock<RowIndex> = std::sync::OnceLock::new();
    INDEX.get_or_init(|| {
        let rows: Vec<&'static SysReg> = TABLES.iter().flat_map(|t| t.iter()).collect();
        // The last row of an encoding wins: ID_RAZ_REGS, first in TABLES, covers the
        // reserved ID space that the real ID registers' rows then take over.
        let mut by_key = rustc_hash::FxHashMap::default();
        for (i, r) in rows.iter().enumerate() {
            by_key.insert(key(r.enc), i as u32);
        }
        RowIndex { rows, by_key }
    })
}

/// Finds the table row for an encoding (a hash lookup).
pub fn lookup(enc: CpReg) -> Option<&'static SysReg> {
    row_at(row_id(enc))
}

/// The row of an encoding as a number the decoder keeps in the instruction (MCR/MRC's
/// `imm`), so that executing it needs no lookup: row position + 1, or 0 for none.
pub fn row_id(enc: CpReg) -> u32 {
    row_index().by_key.get(&key(enc)).map_or(0, |&i| i + 1)
}

/// The row of a [`row_id`].
#[inline]
pub fn row_at(id: u32) -> Option<&'static SysReg> {
    let i = id.checked_sub(1)?;
    row_index().rows.get(i as usize).copied()
}

/// Whether a 64-bit access completes at the current PL with every Hyp trap control
/// clear: a table row's rules, or one of the MMU's own 64-bit registers (TTBR0, TTBR1,
/// PAR: PL1 only, mmu/regs.rs).
fn defined64(cpu: &Cpu, row: Option<&SysReg64>, cp: u8, opc1: u8, crm: u8, write: bool) -> bool {
    match row {
        Some(r) => {
            r.access.allows(cpu, write)
                && match r.behaviour {
                    Behaviour64::State(..) => true,
                    Behaviour64::Custom { read, write: w } => {
                        if write {
                            w.is_some()
                        } else {
                            read.is_some()
                        }
                    }
                }
        }
        None => {
            cpu.s.is_privileged()
                && cp == 15
                && ((crm == 2 && opc1 <= 1) || (crm == 7 && opc1 == 0))
        }
    }
}

impl Cpu {
    /// MRC: reads a 32-bit coprocessor register. UNDEFINED for an unknown encoding, a
    /// missing coprocessor, or an access the register's rules forbid; a Hyp trap when a
    /// trap control of the Virtualization Extensions says so (hyp_traps.rs). Accesses
    /// made directly (not by an instruction) report R0 and AL in a trap's syndrome.
    pub fn cp_read(&mut self, enc: CpReg) -> Result<u32, Exception> {
        self.mrc(enc, &Operands::DIRECT)
    }

    /// MRC with the instruction's operands (for the syndrome of a Hyp trap).
    pub fn mrc(&mut self, enc: CpReg, ops: &Operands) -> Result<u32, Exception> {
        self.mrc_row(lookup(enc), enc, ops)
    }

    /// [`Self::mrc`] with the table row already found (the decoder's `row_id`).
    #[inline]
    pub fn mrc_row(
        &mut self,
        row: Option<&'static SysReg>,
        enc: CpReg,
        ops: &Operands,
    ) -> Result<u32, Exception> {
        if hyp_traps::armed(self) {
            self.check_trap32(row, enc, false, ops)?;
        }
        let r = row.ok_or_else(|| unimplemented_sysreg(enc, false))?;
        if !r.access.allows(self, false) {
            return Err(Exception::Undefined);
        }
        Ok(match r.behaviour {
            Behaviour::Const(v) => v,
            Behaviour::State(f, _) => *f(&mut self.s),
            Behaviour::Nop => return Err(Exception::Undefined),
            Behaviour::Custom { read, .. } => read.ok_or(Exception::Undefined)?(self),
        })
    }

    /// The Hyp trap check of a 32-bit access (slow path: some trap control is set).
    #[cold]
    fn check_trap32(
        &self,
        row: Option<&SysReg>,
        enc: CpReg,
        write: bool,
        ops: &Operands,
    ) -> Result<(), Exception> {
        let defined = row.is_some_and(|r| r.defined(self, write));
        match hyp_traps::trap32(self, enc, write, defined) {
            Some(control) => Err(hyp_traps::take(
                self,
                control,
                hyp_traps::syndrome_cp32(enc, write, ops),
            )),
            None => Ok(()),
        }
    }

    /// The Hyp trap check of a 64-bit access.
    #[cold]
    fn check_trap64(
        &self,
        (cp, opc1, crm): (u8, u8, u8),
        write: bool,
        ops: &Operands,
    ) -> Result<(), Exception> {
        let row = lookup64(CpReg64 { cp, opc1, crm });
        let defined = defined64(self, row, cp, opc1, crm, write);
        match hyp_traps::trap64(self, cp, opc1, crm, write, defined) {
            Some(control) => Err(hyp_traps::take(
                self,
                control,
                hyp_traps::syndrome_cp64(cp, opc1, crm, write, ops),
            )),
            None => Ok(()),
        }
    }

    /// MCR: writes a 32-bit coprocessor register. The block ends after it, since a
    /// system-register write can change how the following instructions execute.
    pub fn cp_write(&mut self, enc: CpReg, v: u32) -> Result<(), Exception> {
        self.mcr(enc, v, &Operands::DIRECT)
    }

    /// MCR with the instruction's operands (for the syndrome of a Hyp trap).
    pub fn mcr(&mut self, enc: CpReg, v: u32, ops: &Operands) -> Result<(), Exception> {
        self.mcr_row(lookup(enc), enc, v, ops)
    }

    /// [`Self::mcr`] with the table row already found (the decoder's `row_id`).
    #[inline]
    pub fn mcr_row(
        &mut self,
        row: Option<&'static SysReg>,
        enc: CpReg,
        v: u32,
        ops: &Operands,
    ) -> Result<(), Exception> {
        if hyp_traps::armed(self) {
            self.check_trap32(row, enc, true, ops)?;
        }
        let r = row.ok_or_else(|| unimplemented_sysreg(enc, true))?;
        if !r.access.allows(self, true) {
            return Err(Exception::Undefined);
        }
        match r.behaviour {
            Behaviour::Const(_) => return Err(Exception::Undefined),
            Behaviour::State(f, mask) => {
                let field = f(&mut self.s);
                *field = (*field & !mask) | (v & mask);
            }
            Behaviour::Nop => {}
            Behaviour::Custom { write, .. } => write.ok_or(Exception::Undefined)?(self, v),
        }
        // The generic timer's registers (CRn = 14) can change its interrupt outputs.
        if enc.crn == 14 {
            self.io_event = true;
        }
        self.end_block();
        Ok(())
    }

    /// MRRC: reads a 64-bit coprocessor register (`cp`, `opc1`, `crm`) from `TABLES64`.
    pub fn cp_read64(&mut self, cp: u8, opc1: u8, crm: u8) -> Result<u64, Exception> {
        self.mrrc(cp, opc1, crm, &Operands::DIRECT)
    }

    /// MRRC with the instruction's operands (for the syndrome of a Hyp trap).
    pub fn mrrc(&mut self, cp: u8, opc1: u8, crm: u8, ops: &Operands) -> Result<u64, Exception> {
        if hyp_traps::armed(self) {
            self.check_trap64((cp, opc1, crm), false, ops)?;
        }
        let Some(r) = lookup64(CpReg64 { cp, opc1, crm }) else {
            // TTBR0/TTBR1/PAR: the MMU's own 64-bit views.
            return crate::mmu::regs::read64(self, cp, opc1, crm);
        };
        if !r.access.allows(self, false) {
            return Err(Exception::Undefined);
        }
        Ok(match r.behaviour {
            Behaviour64::State(f, _) => *f(&mut self.s),
            Behaviour64::Custom { read, .. } => read.ok_or(Exception::Undefined)?(self),
        })
    }

    /// MCRR: writes a 64-bit coprocessor register (the block ends after it).
    pub fn cp_write64(&mut self, cp: u8, opc1: u8, crm: u8, v: u64) -> Result<(), Exception> {
        self.mcrr(cp, opc1, crm, v, &Operands::DIRECT)
    }

    /// MCRR with the instruction's operands (for the syndrome of a Hyp trap).
    pub fn mcrr(
        &mut self,
        cp: u8,
        opc1: u8,
        crm: u8,
        v: u64,
        ops: &Operands,
    ) -> Result<(), Exception> {
        if hyp_traps::armed(self) {
            self.check_trap64((cp, opc1, crm), true, ops)?;
        }
        let Some(r) = lookup64(CpReg64 { cp, opc1, crm }) else {
            return crate::mmu::regs::write64(self, cp, opc1, crm, v);
        };
        if !r.access.allows(self, true) {
            return Err(Exception::Undefined);
        }
        match r.behaviour {
            Behaviour64::State(f, mask) => {
                let field = f(&mut self.s);
                *field = (*field & !mask) | (v & mask);
            }
            Behaviour64::Custom { write, .. } => write.ok_or(Exception::Undefined)?(self, v),
        }
        // CNTP/CNTV/CNTHP_CVAL, CNTVOFF (CRm = 14) can change timer outputs.
        if crm == 14 {
            self.io_event = true;
        }
        self.end_block();
        Ok(())
    }

    /// LDC/STC/CDP to a coprocessor (`i.raw` in A32 layout). None of the coprocessors
    /// this core has (CP14, CP15; VFP decodes apart) accepts them, so they are
    /// UNDEFINED; but LDC/STC to CP14 with CRd = c5 (DBGDTRTXint/DBGDTRRXint, the only
    /// architected use) is trapped by HDCR.TDA (or TDE, HCR.TGE) from Non-secure PL1,
    /// and from PL0 while DBGDSCR.UDCCdis allows PL0 DCC accesses (EC 0x06).
    pub fn cp_other(&mut self, i: &Insn) -> Result<(), Exception> {
        let w = i.raw;
        let ldc_stc = w & (1 << 25) == 0;
        if i.shift_imm == 14 && ldc_stc && (w >> 12) & 15 == 5 && hyp_traps::armed(self) {
            let user_ok = self.s.dbgdscr & (1 << 12) == 0;
            if hyp_traps::Control::HdcrDebug(hyp_traps::hdcr::TDA).on(&self.s)
                && (self.s.is_privileged() || user_ok)
            {
                return Err(hyp_traps::take(
                    self,
                    "HDCR.TDA",
                    hyp_traps::syndrome_ldc_stc(i),
                ));
            }
        }
        Err(Exception::Undefined)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::{Cpu, CpuConfig};
    use crate::memory::Ram;
    use crate::state::Mode;

    fn cpu() -> Cpu {
        Cpu::new(
            CpuConfig::default(),
            Ram::new(0x8000_0000, 1 << 16).unwrap(),
        )
    }

    #[test]
    fn encodings_are_unique() {
        // The reserved ID rows may be shadowed by real registers on purpose.
        let all: Vec<&SysReg> = TABLES[1..].iter().flat_map(|t| t.iter()).collect();
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a.enc, b.enc, "{} and {}", a.name, b.name);
            }
        }
    }

    #[test]
    fn sctlr_write_mask_and_user_access() {
        let mut c = cpu();
        c.cp_write(cp15(0, 1, 0, 0), 0xffff_ffff).unwrap();
        assert_eq!(c.s.sctlr, sctlr::RESET | SCTLR_WMASK);
        c.s.switch_mode(Mode::Usr);
        assert_eq!(c.cp_read(cp15(0, 1, 0, 0)), Err(Exception::Undefined));
        assert_eq!(c.cp_write(cp15(0, 7, 10, 5), 0), Ok(()));
        assert_eq!(c.cp_read(cp15(0, 13, 0, 3)), Ok(0));
        assert_eq!(c.cp_write(cp15(0, 13, 0, 3), 1), Err(Exception::Undefined));
    }

    #[test]
    fn reserved_id_space_reads_as_zero_at_pl1_only() {
        let mut c = cpu();
        assert_eq!(c.cp_read(cp15(0, 0, 3, 4)), Ok(0), "ID_PFR2's encoding");
        assert_eq!(c.cp_read(cp15(0, 0, 2, 6)), Ok(0));
        assert_eq!(c.cp_read(cp15(0, 0, 7, 7)), Ok(0));
        assert_eq!(
            c.cp_read(cp15(0, 0, 1, 0)),
            Ok(0x00001131),
            "ID_PFR0 not shadowed"
        );
        assert_eq!(c.cp_write(cp15(0, 0, 3, 4), 1), Err(Exception::Undefined));
        c.s.switch_mode(Mode::Usr);
        assert_eq!(c.cp_read(cp15(0, 0, 3, 4)), Err(Exception::Undefined));
    }

    #[test]
    fn unknown_register_is_undefined() {
        let mut c = cpu();
        assert_eq!(c.cp_read(cp15(7, 15, 15, 7)), Err(Exception::Undefined));
    }
}
