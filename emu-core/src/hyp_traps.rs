//! Trap controls to Hyp mode (Arm ARM B1.14 "Traps to the hypervisor") as data: which
//! MCR/MRC and MCRR/MRRC encodings each HCR, HDCR, HCPTR, HSTR and CNTHCTL bit traps,
//! and the HSR syndromes of trapped instructions (B3.13.6 "Use of the HSR").
//!
//! Every trap applies only to Non-secure PL0 and PL1, never in Hyp mode or Secure state.
//! Priority between UNDEFINED and a trap (B1.14.1, and the register descriptions
//! B4.1.62 HCR, B4.1.63 HCPTR, B4.1.65 HDCR, B4.1.73 HSTR):
//! - at PL0 an access that is UNDEFINED with the trap control clear stays UNDEFINED
//!   ("a PL0 access is trapped only if it is not UNDEFINED when the control is 0");
//! - at PL1, HSTR.Tn traps every CP15 MCR/MRC with CRn = n and every MCRR/MRRC with
//!   CRm = n, whether or not a register exists there (so also the PL2-only encodings),
//!   and HCR.TIDCP traps its whole IMPLEMENTATION DEFINED space; every other rule traps
//!   only accesses that would otherwise complete (an existing register, an allowed
//!   direction);
//! - CPACR and FPEXC.EN make VFP instructions UNDEFINED before HCPTR traps them
//!   (`interp/vfp.rs`).
//!
//! `sysreg.rs` asks [`trap32`] / [`trap64`] on its slow path, before an access happens;
//! the instruction routines of VFP (HCPTR), SMC (HCR.TSC), BXJ (HSTR.TJDBX), BKPT
//! (HDCR.TDE) and LDC/STC (HDCR.TDA) use the checks and syndrome builders below. Every
//! trap leaves as `Exception::HypTrap(hsr)`, which takes it through `Cpu::enter_hyp`.

use crate::cpu::Cpu;
use crate::exception::{hsr, Exception};
use crate::insn::Insn;
use crate::state::CpuState;
use crate::sysreg::CpReg;

/// HSR exception classes of trapped instructions (Arm ARM B3.13.6, table B3-27).
pub mod ec {
    /// MCR/MRC to CP15.
    pub const MCR_MRC_CP15: u32 = 0x03;
    /// MCRR/MRRC to CP15.
    pub const MCRR_MRRC_CP15: u32 = 0x04;
    /// MCR/MRC to CP14.
    pub const MCR_MRC_CP14: u32 = 0x05;
    /// LDC/STC to CP14.
    pub const LDC_STC_CP14: u32 = 0x06;
    /// An HCPTR-trapped access to CP0-CP13 (VFP: CP10/CP11; Advanced SIMD: TA).
    pub const HCPTR: u32 = 0x07;
    /// MRC (VMRS) to CP10 trapped by HCR.TID0 / TID3.
    pub const VMRS: u32 = 0x08;
    /// BXJ trapped by HSTR.TJDBX.
    pub const BXJ: u32 = 0x0a;
    /// MRRC to CP14.
    pub const MRRC_CP14: u32 = 0x0c;
    /// SMC trapped by HCR.TSC.
    pub const SMC: u32 = 0x13;
}

/// HCR trap bits (Arm ARM B4.1.62).
pub mod hcr {
    pub const TWI: u32 = 1 << 13;
    pub const TWE: u32 = 1 << 14;
    pub const TID0: u32 = 1 << 15;
    pub const TID1: u32 = 1 << 16;
    pub const TID2: u32 = 1 << 17;
    pub const TID3: u32 = 1 << 18;
    pub const TSC: u32 = 1 << 19;
    pub const TIDCP: u32 = 1 << 20;
    pub const TAC: u32 = 1 << 21;
    pub const TSW: u32 = 1 << 22;
    pub const TPC: u32 = 1 << 23;
    pub const TPU: u32 = 1 << 24;
    pub const TTLB: u32 = 1 << 25;
    pub const TVM: u32 = 1 << 26;
    pub const TGE: u32 = 1 << 27;
    /// The bits that trap coprocessor accesses (TGE: it forces the debug traps on).
    pub const CP_TRAPS: u32 =
        TID0 | TID1 | TID2 | TID3 | TIDCP | TAC | TSW | TPC | TPU | TTLB | TVM | TGE;
}

/// HDCR bits (Arm ARM B4.1.65).
pub mod hdcr {
    pub const HPMN_MASK: u32 = 0x1f;
    pub const TPMCR: u32 = 1 << 5;
    pub const TPM: u32 = 1 << 6;
    pub const HPME: u32 = 1 << 7;
    pub const TDE: u32 = 1 << 8;
    pub const TDA: u32 = 1 << 9;
    pub const TDOSA: u32 = 1 << 10;
    pub const TDRA: u32 = 1 << 11;
    /// The bits that trap accesses.
    pub const TRAPS: u32 = TPMCR | TPM | TDE | TDA | TDOSA | TDRA;
}

/// HCPTR bits (Arm ARM B4.1.63; TCPAC as in the Cortex-A15 TRM 4.3.58).
pub mod hcptr {
    pub const TCP10: u32 = 1 << 10;
    pub const TCP11: u32 = 1 << 11;
    pub const TASE: u32 = 1 << 15;
    pub const TTA: u32 = 1 << 20;
    pub const TCPAC: u32 = 1 << 31;
    /// The bits that trap MCR/MRC accesses (the VFP bits are checked by `interp/vfp.rs`).
    pub const CP_TRAPS: u32 = TTA | TCPAC;
}

/// HSTR bits (Arm ARM B4.1.73).
pub mod hstr {
    /// T0-T15; T4 and T14 are reserved (no CP15 register uses CRn = c4, and the generic
    /// timer's CRn = c14 registers cannot be trapped this way).
    pub const T_MASK: u32 = 0xbfef;
    pub const TTEE: u32 = 1 << 16;
    pub const TJDBX: u32 = 1 << 17;
}

/// CNTHCTL enables (Arm ARM B4.1.26): a clear bit traps Non-secure PL0/PL1 accesses.
pub use crate::timer::cnthctl;

/// What turns a rule on.
#[derive(Clone, Copy, Debug)]
pub enum Control {
    /// These HCR bits (any of them) set.
    Hcr(u32),
    /// These HDCR bits set.
    Hdcr(u32),
    /// An HDCR debug-register trap (TDRA, TDOSA, TDA): also on while HDCR.TDE or HCR.TGE
    /// is set (B4.1.65: with TDE = 1 the three must be 1; B4.1.62 TGE).
    HdcrDebug(u32),
    /// These HCPTR bits set.
    Hcptr(u32),
    /// These HSTR bits set (TTEE, TJDBX; T0-T15 are handled by encoding).
    Hstr(u32),
    /// This CNTHCTL enable bit clear.
    CnthctlOff(u32),
}

impl Control {
    #[inline]
    pub fn on(self, s: &CpuState) -> bool {
        match self {
            Control::Hcr(b) => s.hcr & b != 0,
            Control::Hdcr(b) => s.hdcr & b != 0,
            Control::HdcrDebug(b) => s.hdcr & (b | hdcr::TDE) != 0 || s.hcr & hcr::TGE != 0,
            Control::Hcptr(b) => s.hcptr & b != 0,
            Control::Hstr(b) => s.hstr & b != 0,
            Control::CnthctlOff(b) => s.cnthctl & b == 0,
        }
    }
}

/// Which direction of access a rule traps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    /// MRC / MRRC.
    Read,
    /// MCR / MCRR.
    Write,
    Both,
}

impl Dir {
    #[inline]
    fn covers(self, write: bool) -> bool {
        match self {
            Dir::Both => true,
            Dir::Read => !write,
            Dir::Write => write,
        }
    }
}

/// A set of MCR/MRC encodings: bit v of a field's mask set = the field value v matches.
#[derive(Clone, Copy, Debug)]
pub struct EncSet {
    pub cp: u8,
    pub opc1: u8,
    pub crn: u16,
    pub crm: u16,
    pub opc2: u8,
}

impl EncSet {
    pub fn contains(&self, e: CpReg) -> bool {
        e.cp == self.cp
            && (self.opc1 >> (e.opc1 & 7)) & 1 != 0
            && (self.crn >> (e.crn & 15)) & 1 != 0
            && (self.crm >> (e.crm & 15)) & 1 != 0
            && (self.opc2 >> (e.opc2 & 7)) & 1 != 0
    }
}

/// A set of MCRR/MRRC encodings.
#[derive(Clone, Copy, Debug)]
pub struct EncSet64 {
    pub cp: u8,
    pub opc1: u16,
    pub crm: u16,
}

/// One trap rule for 32-bit accesses.
#[derive(Clone, Copy, Debug)]
pub struct TrapRule {
    /// The control's name ("HCR.TVM"), for traces and statistics.
    pub name: &'static str,
    pub control: Control,
    pub dir: Dir,
    pub enc: EncSet,
    /// At PL1 the rule traps every encoding of the set, implemented or not.
    pub any_encoding: bool,
}

/// One trap rule for 64-bit accesses.
#[derive(Clone, Copy, Debug)]
pub struct TrapRule64 {
    pub name: &'static str,
    pub control: Control,
    pub dir: Dir,
    pub enc: EncSet64,
}

const ANY8: u8 = 0xff;
const ANY16: u16 = 0xffff;

/// Field masks from lists of values.
const fn m8(vals: &[u8]) -> u8 {
    let mut m = 0;
    let mut k = 0;
    while k < vals.len() {
        m |= 1 << vals[k];
        k += 1;
    }
    m
}

const fn m16(vals: &[u8]) -> u16 {
    let mut m = 0;
    let mut k = 0;
    while k < vals.len() {
        m |= 1 << vals[k];
        k += 1;
    }
    m
}

/// One register (cp, opc1, CRn, CRm, opc2).
const fn one(cp: u8, opc1: u8, crn: u8, crm: u8, opc2: u8) -> EncSet {
    EncSet {
        cp,
        opc1: 1 << opc1,
        crn: 1 << crn,
        crm: 1 << crm,
        opc2: 1 << opc2,
    }
}

const fn rule(name: &'static str, control: Control, dir: Dir, enc: EncSet) -> TrapRule {
    TrapRule {
        name,
        control,
        dir,
        enc,
        any_encoding: false,
    }
}

const TVM: Control = Control::Hcr(hcr::TVM);
const TID3_ENC: EncSet = EncSet {
    cp: 15,
    opc1: 1,
    crn: 1,
    crm: m16(&[1, 2]),
    opc2: ANY8,
};

/// The 32-bit trap rules (MCR/MRC; the first matching rule names the trap).
pub static TRAPS32: &[TrapRule] = &[
    // HCR.TVM: writes to the virtual memory control registers (B1.14.13).
    rule("HCR.TVM", TVM, Dir::Write, one(15, 0, 1, 0, 0)), // SCTLR
    rule(
        "HCR.TVM",
        TVM,
        Dir::Write,
        EncSet {
            // TTBR0, TTBR1, TTBCR
            cp: 15,
            opc1: 1,
            crn: 1 << 2,
            crm: 1,
            opc2: m8(&[0, 1, 2]),
        },
    ),
    rule("HCR.TVM", TVM, Dir::Write, one(15, 0, 3, 0, 0)), // DACR
    rule(
        "HCR.TVM",
        TVM,
        Dir::Write,
        EncSet {
            // DFSR, IFSR, ADFSR, AIFSR
            cp: 15,
            opc1: 1,
            crn: 1 << 5,
            crm: m16(&[0, 1]),
            opc2: m8(&[0, 1]),
        },
    ),
    rule(
        "HCR.TVM",
        TVM,
        Dir::Write,
        EncSet {
            // DFAR, IFAR
            cp: 15,
            opc1: 1,
            crn: 1 << 6,
            crm: 1,
            opc2: m8(&[0, 2]),
        },
    ),
    rule(
        "HCR.TVM",
        TVM,
        Dir::Write,
        EncSet {
            // PRRR/MAIR0, NMRR/MAIR1, AMAIR0, AMAIR1
            cp: 15,
            opc1: 1,
            crn: 1 << 10,
            crm: m16(&[2, 3]),
            opc2: m8(&[0, 1]),
        },
    ),
    rule("HCR.TVM", TVM, Dir::Write, one(15, 0, 13, 0, 1)), // CONTEXTIDR
    // HCR.TID1: TCMTR, TLBTR, REVIDR, AIDR (B1.14.3, ID group 1).
    rule(
        "HCR.TID1",
        Control::Hcr(hcr::TID1),
        Dir::Read,
        EncSet {
            cp: 15,
            opc1: 1,
            crn: 1,
            crm: 1,
            opc2: m8(&[2, 3, 6]),
        },
    ),
    rule(
        "HCR.TID1",
        Control::Hcr(hcr::TID1),
        Dir::Read,
        one(15, 1, 0, 0, 7),
    ),
    // HCR.TID2: CTR, CCSIDR, CLIDR reads; CSSELR reads and writes (ID group 2).
    rule(
        "HCR.TID2",
        Control::Hcr(hcr::TID2),
        Dir::Read,
        one(15, 0, 0, 0, 1),
    ),
    rule(
        "HCR.TID2",
        Control::Hcr(hcr::TID2),
        Dir::Read,
        EncSet {
            cp: 15,
            opc1: 1 << 1,
            crn: 1,
            crm: 1,
            opc2: m8(&[0, 1]),
        },
    ),
    rule(
        "HCR.TID2",
        Control::Hcr(hcr::TID2),
        Dir::Both,
        one(15, 2, 0, 0, 0),
    ),
    // HCR.TID3: ID_PFR0 ... ID_ISAR5 (CRn = c0, opc1 = 0, CRm = c1, c2); MVFR0/1 are
    // VMRS (`interp/vfp.rs`).
    rule("HCR.TID3", Control::Hcr(hcr::TID3), Dir::Read, TID3_ENC),
    // HCR.TID0: JIDR (FPSID is VMRS).
    rule(
        "HCR.TID0",
        Control::Hcr(hcr::TID0),
        Dir::Read,
        one(14, 7, 0, 0, 0),
    ),
    // HCR.TIDCP: the IMPLEMENTATION DEFINED lockdown, DMA and TCM space (B1.14.4):
    // CRn = c9 with CRm = c0-c2, c5-c8; CRn = c10 with CRm = c0, c1, c4, c8; CRn = c11
    // with CRm = c0-c8, c15; any opc1 and opc2. Trapped at PL1 whether or not the
    // encoding is implemented; at PL0 these accesses are UNDEFINED.
    TrapRule {
        name: "HCR.TIDCP",
        control: Control::Hcr(hcr::TIDCP),
        dir: Dir::Both,
        enc: EncSet {
            cp: 15,
            opc1: ANY8,
            crn: 1 << 9,
            crm: m16(&[0, 1, 2, 5, 6, 7, 8]),
            opc2: ANY8,
        },
        any_encoding: true,
    },
    TrapRule {
        name: "HCR.TIDCP",
        control: Control::Hcr(hcr::TIDCP),
        dir: Dir::Both,
        enc: EncSet {
            cp: 15,
            opc1: ANY8,
            crn: 1 << 10,
            crm: m16(&[0, 1, 4, 8]),
            opc2: ANY8,
        },
        any_encoding: true,
    },
    TrapRule {
        name: "HCR.TIDCP",
        control: Control::Hcr(hcr::TIDCP),
        dir: Dir::Both,
        enc: EncSet {
            cp: 15,
            opc1: ANY8,
            crn: 1 << 11,
            crm: m16(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 15]),
            opc2: ANY8,
        },
        any_encoding: true,
    },
    // HCR.TAC: ACTLR.
    rule(
        "HCR.TAC",
        Control::Hcr(hcr::TAC),
        Dir::Both,
        one(15, 0, 1, 0, 1),
    ),
    // HCR.TSW: DCISW, DCCSW, DCCISW.
    rule(
        "HCR.TSW",
        Control::Hcr(hcr::TSW),
        Dir::Write,
        EncSet {
            cp: 15,
            opc1: 1,
            crn: 1 << 7,
            crm: m16(&[6, 10, 14]),
            opc2: 1 << 2,
        },
    ),
    // HCR.TPC: DCIMVAC, DCCMVAC, DCCIMVAC (to the point of coherency).
    rule(
        "HCR.TPC",
        Control::Hcr(hcr::TPC),
        Dir::Write,
        EncSet {
            cp: 15,
            opc1: 1,
            crn: 1 << 7,
            crm: m16(&[6, 10, 14]),
            opc2: 1 << 1,
        },
    ),
    // HCR.TPU: ICIMVAU, ICIALLU, ICIALLUIS, DCCMVAU (to the point of unification).
    rule(
        "HCR.TPU",
        Control::Hcr(hcr::TPU),
        Dir::Write,
        EncSet {
            cp: 15,
            opc1: 1,
            crn: 1 << 7,
            crm: 1 << 5,
            opc2: m8(&[0, 1]),
        },
    ),
    rule(
        "HCR.TPU",
        Control::Hcr(hcr::TPU),
        Dir::Write,
        one(15, 0, 7, 1, 0),
    ),
    rule(
        "HCR.TPU",
        Control::Hcr(hcr::TPU),
        Dir::Write,
        one(15, 0, 7, 11, 1),
    ),
    // HCR.TTLB: every TLB maintenance operation at PL1 (CRn = c8, opc1 = 0).
    rule(
        "HCR.TTLB",
        Control::Hcr(hcr::TTLB),
        Dir::Write,
        EncSet {
            cp: 15,
            opc1: 1,
            crn: 1 << 8,
            crm: m16(&[3, 5, 6, 7]),
            opc2: ANY8,
        },
    ),
    // HCPTR.TCPAC: CPACR.
    rule(
        "HCPTR.TCPAC",
        Control::Hcptr(hcptr::TCPAC),
        Dir::Both,
        one(15, 0, 1, 0, 2),
    ),
    // HCPTR.TTA: the CP14 trace registers (opc1 = 1). The A15 has no CP14 trace
    // interface: at PL1 every such encoding traps, as for HSTR.
    TrapRule {
        name: "HCPTR.TTA",
        control: Control::Hcptr(hcptr::TTA),
        dir: Dir::Both,
        enc: EncSet {
            cp: 14,
            opc1: 1 << 1,
            crn: ANY16,
            crm: ANY16,
            opc2: ANY8,
        },
        any_encoding: true,
    },
    // HDCR.TPMCR: PMCR; HDCR.TPM: every Performance Monitors register (CRn = c9,
    // opc1 = 0, CRm = c12-c14).
    rule(
        "HDCR.TPMCR",
        Control::Hdcr(hdcr::TPMCR),
        Dir::Both,
        one(15, 0, 9, 12, 0),
    ),
    rule(
        "HDCR.TPM",
        Control::Hdcr(hdcr::TPM),
        Dir::Both,
        EncSet {
            cp: 15,
            opc1: 1,
            crn: 1 << 9,
            crm: m16(&[12, 13, 14]),
            opc2: ANY8,
        },
    ),
    // HDCR.TDRA: DBGDRAR, DBGDSAR.
    rule(
        "HDCR.TDRA",
        Control::HdcrDebug(hdcr::TDRA),
        Dir::Both,
        EncSet {
            cp: 14,
            opc1: 1,
            crn: m16(&[1, 2]),
            crm: 1,
            opc2: 1,
        },
    ),
    // HDCR.TDOSA: DBGOSLAR, DBGOSLSR, DBGOSDLR, DBGPRCR.
    rule(
        "HDCR.TDOSA",
        Control::HdcrDebug(hdcr::TDOSA),
        Dir::Both,
        EncSet {
            cp: 14,
            opc1: 1,
            crn: 1 << 1,
            crm: m16(&[0, 1, 3, 4]),
            opc2: 1 << 4,
        },
    ),
    // HDCR.TDA: the other CP14 debug registers (opc1 = 0): CRn = c0 (DBGDIDR, DBGDSCR,
    // DTR, breakpoints, watchpoints, DBGVCR) and CRn = c7 (claim tags, DBGAUTHSTATUS);
    // the A15 has no other CP14 debug registers (no DBGBXVR: no context matching).
    rule(
        "HDCR.TDA",
        Control::HdcrDebug(hdcr::TDA),
        Dir::Both,
        EncSet {
            cp: 14,
            opc1: 1,
            crn: m16(&[0, 7]),
            crm: ANY16,
            opc2: ANY8,
        },
    ),
    // HSTR.TTEE: TEECR, TEEHBR. HSTR.TJDBX: JOSCR, JMCR (BXJ: `interp/branch.rs`).
    rule(
        "HSTR.TTEE",
        Control::Hstr(hstr::TTEE),
        Dir::Both,
        EncSet {
            cp: 14,
            opc1: 1 << 6,
            crn: m16(&[0, 1]),
            crm: 1,
            opc2: 1,
        },
    ),
    rule(
        "HSTR.TJDBX",
        Control::Hstr(hstr::TJDBX),
        Dir::Both,
        EncSet {
            cp: 14,
            opc1: 1 << 7,
            crn: m16(&[1, 2]),
            crm: 1,
            opc2: 1,
        },
    ),
    // CNTHCTL.PL1PCEN clear: CNTP_TVAL, CNTP_CTL (B8.1.2 / B4.1.26).
    rule(
        "CNTHCTL.PL1PCEN",
        Control::CnthctlOff(cnthctl::PL1PCEN),
        Dir::Both,
        EncSet {
            cp: 15,
            opc1: 1,
            crn: 1 << 14,
            crm: 1 << 2,
            opc2: m8(&[0, 1]),
        },
    ),
];

/// The 64-bit trap rules (MCRR/MRRC).
pub static TRAPS64: &[TrapRule64] = &[
    // HCR.TVM: MCRR to TTBR0 (opc1 = 0) and TTBR1 (opc1 = 1).
    TrapRule64 {
        name: "HCR.TVM",
        control: TVM,
        dir: Dir::Write,
        enc: EncSet64 {
            cp: 15,
            opc1: 0b11,
            crm: 1 << 2,
        },
    },
    // CNTHCTL.PL1PCTEN clear: CNTPCT; PL1PCEN clear: CNTP_CVAL.
    TrapRule64 {
        name: "CNTHCTL.PL1PCTEN",
        control: Control::CnthctlOff(cnthctl::PL1PCTEN),
        dir: Dir::Read,
        enc: EncSet64 {
            cp: 15,
            opc1: 1,
            crm: 1 << 14,
        },
    },
    TrapRule64 {
        name: "CNTHCTL.PL1PCEN",
        control: Control::CnthctlOff(cnthctl::PL1PCEN),
        dir: Dir::Both,
        enc: EncSet64 {
            cp: 15,
            opc1: 1 << 2,
            crm: 1 << 14,
        },
    },
];

/// Names of the HSTR.Tn traps.
const HSTR_NAMES: [&str; 16] = [
    "HSTR.T0", "HSTR.T1", "HSTR.T2", "HSTR.T3", "HSTR.T4", "HSTR.T5", "HSTR.T6", "HSTR.T7",
    "HSTR.T8", "HSTR.T9", "HSTR.T10", "HSTR.T11", "HSTR.T12", "HSTR.T13", "HSTR.T14", "HSTR.T15",
];

/// A cheap test for the sysreg slow path: may any coprocessor trap apply? (False at
/// reset, and whenever the core is not at Non-secure PL0/PL1.)
#[inline]
pub fn armed(cpu: &Cpu) -> bool {
    let s = &cpu.s;
    ((s.hcr & hcr::CP_TRAPS)
        | (s.hstr & (hstr::T_MASK | hstr::TTEE | hstr::TJDBX))
        | (s.hdcr & hdcr::TRAPS)
        | (s.hcptr & hcptr::CP_TRAPS)
        | (!s.cnthctl & (cnthctl::PL1PCTEN | cnthctl::PL1PCEN))
        != 0)
        && at_trappable_level(cpu)
}

/// Non-secure PL0 or PL1 of a core with the Virtualization Extensions.
#[inline]
pub fn at_trappable_level(cpu: &Cpu) -> bool {
    cpu.cfg.virtualization && cpu.s.is_ns_below_hyp()
}

/// The trap that an MCR (`write`) or MRC of `enc` takes now, if any: the name of its
/// control. `defined`: the access would complete with every trap control clear (the
/// register exists, and its access rules allow this direction at this PL).
pub fn trap32(cpu: &Cpu, enc: CpReg, write: bool, defined: bool) -> Option<&'static str> {
    if !at_trappable_level(cpu) {
        return None;
    }
    let pl1 = cpu.s.is_privileged();
    if enc.cp == 15 && (cpu.s.hstr & hstr::T_MASK) >> (enc.crn & 15) & 1 != 0 && (pl1 || defined) {
        return Some(HSTR_NAMES[enc.crn as usize & 15]);
    }
    TRAPS32
        .iter()
        .find(|r| {
            r.control.on(&cpu.s)
                && r.dir.covers(write)
                && r.enc.contains(enc)
                && (defined || (pl1 && r.any_encoding))
        })
        .map(|r| r.name)
}

/// The trap that an MCRR (`write`) or MRRC of (`cp`, `opc1`, `crm`) takes now, if any.
pub fn trap64(
    cpu: &Cpu,
    cp: u8,
    opc1: u8,
    crm: u8,
    write: bool,
    defined: bool,
) -> Option<&'static str> {
    if !at_trappable_level(cpu) {
        return None;
    }
    let pl1 = cpu.s.is_privileged();
    if cp == 15 && (cpu.s.hstr & hstr::T_MASK) >> (crm & 15) & 1 != 0 && (pl1 || defined) {
        return Some(HSTR_NAMES[crm as usize & 15]);
    }
    if !defined {
        return None;
    }
    TRAPS64
        .iter()
        .find(|r| {
            r.control.on(&cpu.s)
                && r.dir.covers(write)
                && r.enc.cp == cp
                && (r.enc.opc1 >> (opc1 & 15)) & 1 != 0
                && (r.enc.crm >> (crm & 15)) & 1 != 0
        })
        .map(|r| r.name)
}

/// Which trap control produced an MCR/MRC or MCRR/MRRC trap with syndrome `hsr` (EC 0x03,
/// 0x04, 0x05, 0x0C), judged from the trap registers in `s` as they were when the trap
/// was taken (they are unchanged on entry to Hyp mode): for statistics and traces
/// ("SCTLR write, HCR.TVM"). `None` for other classes, or when no control explains it.
pub fn control_for(s: &CpuState, hsr: u32) -> Option<&'static str> {
    let iss = hsr & 0x01ff_ffff;
    let write = iss & 1 == 0;
    match hsr >> 26 {
        c @ (ec::MCR_MRC_CP15 | ec::MCR_MRC_CP14) => {
            let enc = CpReg {
                cp: if c == ec::MCR_MRC_CP15 { 15 } else { 14 },
                opc1: (iss >> 14 & 7) as u8,
                crn: (iss >> 10 & 15) as u8,
                crm: (iss >> 1 & 15) as u8,
                opc2: (iss >> 17 & 7) as u8,
            };
            if enc.cp == 15 && (s.hstr & hstr::T_MASK) >> enc.crn & 1 != 0 {
                return Some(HSTR_NAMES[enc.crn as usize]);
            }
            TRAPS32
                .iter()
                .find(|r| r.control.on(s) && r.dir.covers(write) && r.enc.contains(enc))
                .map(|r| r.name)
        }
        c @ (ec::MCRR_MRRC_CP15 | ec::MRRC_CP14) => {
            let cp = if c == ec::MCRR_MRRC_CP15 { 15 } else { 14 };
            let (opc1, crm) = (iss >> 16 & 15, iss >> 1 & 15);
            if cp == 15 && (s.hstr & hstr::T_MASK) >> crm & 1 != 0 {
                return Some(HSTR_NAMES[crm as usize]);
            }
            TRAPS64
                .iter()
                .find(|r| {
                    r.control.on(s)
                        && r.dir.covers(write)
                        && r.enc.cp == cp
                        && r.enc.opc1 >> opc1 & 1 != 0
                        && r.enc.crm >> crm & 1 != 0
                })
                .map(|r| r.name)
        }
        _ => None,
    }
}

// ---- syndromes ---------------------------------------------------------------------------

/// What a syndrome needs from the trapped instruction: its registers, condition and size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operands {
    /// Rt (MCR/MRC/MCRR/MRRC/VMRS).
    pub rt: u8,
    /// Rt2 (MCRR/MRRC).
    pub rt2: u8,
    /// The condition the instruction executed under (0xE: always; for T32 inside an IT
    /// block, the IT condition).
    pub cond: u8,
    /// A 32-bit encoding (HSR.IL).
    pub il32: bool,
}

impl Operands {
    /// Accesses made directly (tests, the debugger): R0, unconditional, 32 bits.
    pub const DIRECT: Operands = Operands {
        rt: 0,
        rt2: 0,
        cond: 0xe,
        il32: true,
    };

    /// From a decoded coprocessor instruction (Rt = `rd`, Rt2 = `ra`).
    #[inline]
    pub fn of(i: &Insn) -> Operands {
        Operands {
            rt: i.rd,
            rt2: i.ra,
            cond: i.cond,
            il32: i.len == 4,
        }
    }
}

/// CV = 1 and COND: the condition is always reported (B3.13.6 "CV and COND": a trapped
/// instruction always passed its condition check; unconditional ones report 0xE).
#[inline]
fn cv_cond(cond: u8) -> u32 {
    (1 << 24) | ((cond as u32 & 0xf) << 20)
}

/// HSR of a trapped MCR/MRC (EC 0x03 for CP15, 0x05 for CP14): CV, COND, Opc2, Opc1,
/// CRn, Rt, CRm, Direction (1 = read, MRC).
pub fn syndrome_cp32(enc: CpReg, write: bool, ops: &Operands) -> u32 {
    let class = if enc.cp == 14 {
        ec::MCR_MRC_CP14
    } else {
        ec::MCR_MRC_CP15
    };
    let iss = cv_cond(ops.cond)
        | (enc.opc2 as u32 & 7) << 17
        | (enc.opc1 as u32 & 7) << 14
        | (enc.crn as u32 & 15) << 10
        | (ops.rt as u32 & 15) << 5
        | (enc.crm as u32 & 15) << 1
        | !write as u32;
    hsr(class, ops.il32, iss)
}

/// HSR of a trapped MCRR/MRRC (EC 0x04 for CP15, 0x0C for CP14): CV, COND, Opc1, Rt2,
/// Rt, CRm, Direction.
pub fn syndrome_cp64(cp: u8, opc1: u8, crm: u8, write: bool, ops: &Operands) -> u32 {
    let class = if cp == 14 {
        ec::MRRC_CP14
    } else {
        ec::MCRR_MRRC_CP15
    };
    let iss = cv_cond(ops.cond)
        | (opc1 as u32 & 15) << 16
        | (ops.rt2 as u32 & 15) << 10
        | (ops.rt as u32 & 15) << 5
        | (crm as u32 & 15) << 1
        | !write as u32;
    hsr(class, ops.il32, iss)
}

/// HSR of a trapped LDC/STC to CP14 (EC 0x06): CV, COND, imm8, Rn, Offset (U), AM
/// (addressing mode) and Direction (1 = LDC, a read from memory). `i.raw` holds the
/// encoding in A32 layout (bits 27:0; T32 hw1:hw2 has the same layout).
pub fn syndrome_ldc_stc(i: &Insn) -> u32 {
    let w = i.raw;
    let (p, u, wb, load) = (w >> 24 & 1, w >> 23 & 1, w >> 21 & 1, w >> 20 & 1);
    let rn = w >> 16 & 15;
    // AM: 000 unindexed, 001 post-indexed, 010 offset, 011 pre-indexed; the literal
    // forms (Rn = PC) 100 unindexed, 110 offset.
    let mut am = (p << 1) | wb;
    if rn == 15 {
        am = 0b100 | (p << 1);
    }
    let iss = cv_cond(i.cond) | (w & 0xff) << 12 | rn << 5 | u << 4 | am << 1 | load;
    hsr(ec::LDC_STC_CP14, i.len == 4, iss)
}

/// HSR of an HCPTR-trapped coprocessor access (EC 0x07): CV, COND, TA (Advanced SIMD
/// trapped by TASE) and the coprocessor number (when TA = 0).
pub fn syndrome_hcptr(i: &Insn, coproc: u32, ta: bool) -> u32 {
    let iss = if ta {
        cv_cond(i.cond) | 1 << 5
    } else {
        cv_cond(i.cond) | (coproc & 15)
    };
    hsr(ec::HCPTR, i.len == 4, iss)
}

/// HSR of a VMRS trapped by HCR.TID0/TID3 (EC 0x08): the MRC layout with coproc 10,
/// Opc1 = 7, CRn = the VFP register number, CRm = 0, Opc2 = 0, Direction = read.
pub fn syndrome_vmrs(i: &Insn, reg: u8) -> u32 {
    let enc = CpReg {
        cp: 10,
        opc1: 7,
        crn: reg,
        crm: 0,
        opc2: 0,
    };
    let iss = syndrome_cp32(enc, false, &Operands::of(i)) & 0x01ff_ffff;
    hsr(ec::VMRS, i.len == 4, iss)
}

/// HSR of a BXJ trapped by HSTR.TJDBX (EC 0x0A): CV, COND, Rm.
pub fn syndrome_bxj(i: &Insn) -> u32 {
    hsr(ec::BXJ, i.len == 4, cv_cond(i.cond) | (i.rm as u32 & 15))
}

/// HSR of an SMC trapped by HCR.TSC (EC 0x13): CV, COND.
pub fn syndrome_smc(i: &Insn) -> u32 {
    hsr(ec::SMC, i.len == 4, cv_cond(i.cond))
}

/// The exception of a trap, with a trace line naming its control; the HSR path's
/// statistics take the control's name from here (sub-class "SCTLR write, HCR.TVM").
#[cold]
pub fn take(cpu: &Cpu, control: &'static str, syndrome: u32) -> Exception {
    cpu.hyp_stats.trap_control.set(Some(control));
    if tracing::enabled!(target: "hyp", tracing::Level::TRACE) {
        tracing::trace!(target: "hyp", "trap by {control}: hsr {syndrome:#010x} at pc {:#010x}", cpu.s.cur_pc);
    }
    Exception::HypTrap(syndrome)
}

/// HDCR.TDE or HCR.TGE: debug exceptions from Non-secure PL0/PL1 go to Hyp mode.
#[inline]
pub fn debug_routed_to_hyp(cpu: &Cpu) -> bool {
    (cpu.s.hdcr & hdcr::TDE != 0 || cpu.s.hcr & hcr::TGE != 0) && at_trappable_level(cpu)
}

/// PMCR's read-only part as the current PL sees it: at Non-secure PL0/PL1, PMCR.N
/// (bits 15:11) reads as HDCR.HPMN, the number of counters the hypervisor leaves to the
/// guest (Arm ARM B4.1.65). (Accesses to counters >= HPMN from there are UNPREDICTABLE
/// and still reach the counter; HPME is not modelled.)
pub fn pmcr_id_seen(cpu: &Cpu, pmcr_id: u32) -> u32 {
    if at_trappable_level(cpu) {
        (pmcr_id & !(0x1f << 11)) | (cpu.s.hdcr & hdcr::HPMN_MASK) << 11
    } else {
        pmcr_id
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sysreg::{cp15, lookup};

    #[test]
    fn rules_name_existing_registers() {
        // Every by-register rule matches at least one register of the tables (a typo in
        // an encoding would silently never trap).
        for r in TRAPS32.iter().filter(|r| !r.any_encoding) {
            let hit = crate::sysreg::TABLES
                .iter()
                .flat_map(|t| t.iter())
                .any(|reg| r.enc.contains(reg.enc));
            assert!(hit, "{} {:?}", r.name, r.enc);
        }
    }

    #[test]
    fn encodings_of_the_tvm_set() {
        let tvm: Vec<&str> = crate::sysreg::TABLES
            .iter()
            .flat_map(|t| t.iter())
            .filter(|reg| {
                TRAPS32
                    .iter()
                    .any(|r| r.name == "HCR.TVM" && r.enc.contains(reg.enc))
            })
            .map(|reg| reg.name)
            .collect();
        for name in [
            "SCTLR",
            "TTBR0",
            "TTBR1",
            "TTBCR",
            "DACR",
            "DFSR",
            "IFSR",
            "ADFSR",
            "AIFSR",
            "DFAR",
            "IFAR",
            "PRRR/MAIR0",
            "NMRR/MAIR1",
            "AMAIR0",
            "AMAIR1",
            "CONTEXTIDR",
        ] {
            assert!(tvm.contains(&name), "{name} missing from {tvm:?}");
        }
        assert_eq!(tvm.len(), 16, "{tvm:?}");
        assert!(lookup(cp15(0, 1, 0, 0)).is_some());
    }

    #[test]
    fn syndrome_layouts() {
        // mrc p15, 0, r3, c1, c0, 1 (ACTLR): Opc2 1, Opc1 0, CRn 1, Rt 3, CRm 0, read.
        let ops = Operands {
            rt: 3,
            rt2: 0,
            cond: 0xe,
            il32: true,
        };
        assert_eq!(
            syndrome_cp32(cp15(0, 1, 0, 1), false, &ops),
            0x0e00_0000 | 1 << 25 | 1 << 24 | 0xe << 20 | 1 << 17 | 1 << 10 | 3 << 5 | 1
        );
        // mcrr p15, 1, r4, r5, c2 (TTBR1): Opc1 1, Rt2 5, Rt 4, CRm 2, write.
        let ops = Operands {
            rt: 4,
            rt2: 5,
            cond: 0x1,
            il32: true,
        };
        assert_eq!(
            syndrome_cp64(15, 1, 2, true, &ops),
            0x1000_0000 | 1 << 25 | 1 << 24 | 1 << 20 | 1 << 16 | 5 << 10 | 4 << 5 | 2 << 1
        );
        assert_eq!(syndrome_cp64(14, 0, 1, false, &ops) >> 26, 0x0c);
    }
}
