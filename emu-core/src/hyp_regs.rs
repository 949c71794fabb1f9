//! The Virtualization Extensions' system registers (Arm ARM B4.1, B3.17 "Hyp mode
//! registers"): the Hyp configuration and syndrome registers, the Hyp stage 1
//! translation registers and TLB maintenance, VPIDR/VMPIDR, the stage 2 base registers
//! (their effects: mmu/stage2.rs), and SCR.
//!
//! Access rules (Arm ARM B3.17 "Hyp mode registers"): every register here is
//! accessible only at PL2 (Hyp mode) and from Monitor mode with SCR.NS = 1; from
//! Non-secure PL1/PL0 and from Secure PL1 an access is UNDEFINED (unless HSTR traps it
//! to Hyp mode first: hyp_traps.rs).
//!
//! The Hyp timer (CNTHCTL, CNTHP_*, CNTVOFF) lives with the other generic-timer
//! registers in timer.rs and uses [`pl2_access`].

use crate::cpu::Cpu;
use crate::mmu::AccessType;
use crate::state::{scr, Mode};
use crate::sysreg::{
    cp15, Access, Behaviour, Behaviour64, CpReg64, SysReg, SysReg64, MIDR_A15, MPIDR_CPU0,
};

/// HCPTR bits that read as one (Arm ARM B4.1.62: TCP0-TCP9, TCP12, TCP13 of
/// coprocessors the A15 does not have).
pub const HCPTR_RES1: u32 = 0x33ff;
/// HCPTR bits software can write: TCP10, TCP11, TASE, TTA, TCPAC (A15 TRM 4.3.58).
const HCPTR_WMASK: u32 = (1 << 10) | (1 << 11) | (1 << 15) | (1 << 20) | (1 << 31);
/// HCR bits of ARMv7 (VM ... TGE, bits 27:0).
pub const HCR_MASK: u32 = 0x0fff_ffff;
/// HCR.VM: stage 2 translation enable.
pub const HCR_VM: u32 = 1 << 0;
/// HCR.FMO / IMO / AMO: route physical FIQ / IRQ / asynchronous aborts taken from
/// Non-secure PL0/PL1 to Hyp mode, and enable the virtual ones (Arm ARM B1.8.11).
pub const HCR_FMO: u32 = 1 << 3;
pub const HCR_IMO: u32 = 1 << 4;
pub const HCR_AMO: u32 = 1 << 5;
/// HCR.VF / VI / VA: virtual FIQ / IRQ / asynchronous abort pending.
pub const HCR_VF: u32 = 1 << 6;
pub const HCR_VI: u32 = 1 << 7;
pub const HCR_VA: u32 = 1 << 8;
/// HCR.TGE: trap general exceptions from Non-secure PL0 to Hyp mode (B1.14.1).
pub const HCR_TGE: u32 = 1 << 27;
/// HCR.TWI / HCR.TWE: trap WFI / WFE from Non-secure PL0 and PL1.
pub const HCR_TWI: u32 = 1 << 13;
pub const HCR_TWE: u32 = 1 << 14;
/// HSTR: T0-T15 except T4 and T14, TTEE and TJDBX (the A15 has ThumbEE and the trivial
/// Jazelle extension; traps in hyp_traps.rs).
const HSTR_MASK: u32 = 0x3_bfef;
/// HDCR: TDRA, TDOSA, TDA, TDE, HPME, TPM, TPMCR, HPMN.
const HDCR_MASK: u32 = 0xfff;
/// HTCR: T0SZ, IRGN0, ORGN0, SH0; bit 31 is RES1 (IMPLEMENTATION DEFINED, reads 1).
const HTCR_MASK: u32 = 0x3f07;
const HTCR_RES1: u32 = 1 << 31;
/// VTCR: T0SZ, S, SL0, IRGN0, ORGN0, SH0; bit 31 RES1.
const VTCR_MASK: u32 = 0x3fdf;
/// HSCTLR bits software can write: M, A, C, CP15BEN, I, WXN, FI, EE, TE (the others
/// are RES0/RES1, see `state::HSCTLR_RESET`).
const HSCTLR_WMASK: u32 =
    1 | (1 << 1) | (1 << 2) | (1 << 5) | (1 << 12) | (1 << 19) | (1 << 21) | (1 << 25) | (1 << 30);
/// HSCTLR bits whose change alters the PL2 translation regime (M, WXN, EE).
const HSCTLR_MMU_BITS: u32 = 1 | (1 << 19) | (1 << 25);

/// Access rule of every PL2 register: Hyp mode, or Monitor mode with SCR.NS = 1.
pub fn pl2_access(cpu: &Cpu, _write: bool) -> bool {
    if !cpu.cfg.virtualization {
        return false;
    }
    match cpu.s.mode() {
        Mode::Hyp => true,
        Mode::Mon => cpu.s.scr & scr::NS != 0,
        _ => false,
    }
}

/// SCR exists with the Security Extensions and only Secure PL1 reaches it; Non-secure
/// accesses are UNDEFINED (Arm ARM B4.1.129).
fn scr_access(cpu: &Cpu, _write: bool) -> bool {
    cpu.cfg.security && cpu.s.is_privileged() && cpu.s.is_secure()
}

/// MIDR: Non-secure PL1 reads return VPIDR (Arm ARM B4.1.105).
pub(crate) fn midr_read(c: &mut Cpu) -> u32 {
    if c.cfg.virtualization && c.s.is_ns_below_hyp() {
        c.s.vpidr
    } else {
        MIDR_A15
    }
}

/// MPIDR: Non-secure PL1 reads return VMPIDR (Arm ARM B4.1.106).
pub(crate) fn mpidr_read(c: &mut Cpu) -> u32 {
    if c.cfg.virtualization && c.s.is_ns_below_hyp() {
        c.s.vmpidr
    } else {
        MPIDR_CPU0
    }
}

/// The PL2 translation changed: its TLB and the decoded blocks go.
fn hyp_translation_changed(c: &mut Cpu) {
    c.mmu.tlb_hyp.flush_all();
    c.mmu_changed();
}

fn write_scr(c: &mut Cpu, v: u32) {
    let old = c.s.scr;
    c.s.scr = v & scr::MASK;
    if (old ^ c.s.scr) & scr::NS != 0 {
        // Secure and Non-secure PL1 translations differ (descriptor NS bits).
        c.mmu.tlb.flush_all();
        c.mmu_changed();
    }
}

fn write_hcr(c: &mut Cpu, v: u32) {
    let old = c.s.hcr;
    c.s.hcr = v & HCR_MASK;
    crate::mmu::stage2::hcr_written(c, old);
}

fn write_hsctlr(c: &mut Cpu, v: u32) {
    let old = c.s.hsctlr;
    c.s.hsctlr = (old & !HSCTLR_WMASK) | (v & HSCTLR_WMASK);
    if (old ^ c.s.hsctlr) & HSCTLR_MMU_BITS != 0 {
        hyp_translation_changed(c);
    }
}

fn write_htcr(c: &mut Cpu, v: u32) {
    c.s.htcr = v & HTCR_MASK;
    hyp_translation_changed(c);
}

fn write_hmair0(c: &mut Cpu, v: u32) {
    c.s.hmair0 = v;
    hyp_translation_changed(c);
}

fn write_hmair1(c: &mut Cpu, v: u32) {
    c.s.hmair1 = v;
    hyp_translation_changed(c);
}

fn write_httbr(c: &mut Cpu, v: u64) {
    c.s.httbr = v & 0x0000_00ff_ffff_ffff;
    hyp_translation_changed(c);
}

/// TLBIALLH(IS): every PL2 entry.
fn tlbiallh(c: &mut Cpu, _v: u32) {
    hyp_translation_changed(c);
}

/// TLBIMVAH(IS): the PL2 entries for the page of `v`.
fn tlbimvah(c: &mut Cpu, v: u32) {
    c.mmu.tlb_hyp.flush_va(v & !0xfff);
    c.mmu_changed();
}

/// TLBIALLNSNH(IS): every Non-secure PL1&0 entry, all VMIDs, stage 1 and stage 2
/// (the TLB holds combined entries).
fn tlbiallnsnh(c: &mut Cpu, _v: u32) {
    c.mmu.tlb.flush_all();
    c.mmu_changed();
}

const fn reg(name: &'static str, crn: u8, crm: u8, opc2: u8, behaviour: Behaviour) -> SysReg {
    SysReg {
        name,
        enc: cp15(4, crn, crm, opc2),
        access: Access::Check(pl2_access),
        behaviour,
    }
}

const fn op(name: &'static str, crn: u8, crm: u8, opc2: u8, f: fn(&mut Cpu, u32)) -> SysReg {
    SysReg {
        name,
        enc: cp15(4, crn, crm, opc2),
        access: Access::Check(pl2_write_only),
        behaviour: Behaviour::Custom {
            read: None,
            write: Some(f),
        },
    }
}

/// ATS12NSO** (CP15 c7, opc1 0, CRm 8, opc2 4-7): write-only, Hyp mode or Monitor
/// mode with SCR.NS = 1.
const fn ats12nso(name: &'static str, opc2: u8, f: fn(&mut Cpu, u32)) -> SysReg {
    SysReg {
        name,
        enc: cp15(0, 7, 8, opc2),
        access: Access::Check(pl2_write_only),
        behaviour: Behaviour::Custom {
            read: None,
            write: Some(f),
        },
    }
}

fn pl2_write_only(cpu: &Cpu, write: bool) -> bool {
    write && pl2_access(cpu, write)
}

const fn rw(read: fn(&mut Cpu) -> u32, write: fn(&mut Cpu, u32)) -> Behaviour {
    Behaviour::Custom {
        read: Some(read),
        write: Some(write),
    }
}

/// The 32-bit registers (listed in `sysreg::TABLES`).
pub static HYP_REGS: &[SysReg] = &[
    SysReg {
        name: "SCR",
        enc: cp15(0, 1, 1, 0),
        access: Access::Check(scr_access),
        behaviour: rw(|c| c.s.scr, write_scr),
    },
    reg(
        "VPIDR",
        0,
        0,
        0,
        Behaviour::State(|s| &mut s.vpidr, 0xffff_ffff),
    ),
    reg(
        "VMPIDR",
        0,
        0,
        5,
        Behaviour::State(|s| &mut s.vmpidr, 0xffff_ffff),
    ),
    reg("HSCTLR", 1, 0, 0, rw(|c| c.s.hsctlr, write_hsctlr)),
    reg(
        "HACTLR",
        1,
        0,
        1,
        Behaviour::State(|s| &mut s.hactlr, 0xffff_ffff),
    ),
    reg("HCR", 1, 1, 0, rw(|c| c.s.hcr, write_hcr)),
    reg(
        "HDCR",
        1,
        1,
        1,
        Behaviour::State(|s| &mut s.hdcr, HDCR_MASK),
    ),
    reg(
        "HCPTR",
        1,
        1,
        2,
        rw(
            |c| c.s.hcptr | HCPTR_RES1,
            |c, v| c.s.hcptr = (v & HCPTR_WMASK) | HCPTR_RES1,
        ),
    ),
    reg(
        "HSTR",
        1,
        1,
        3,
        Behaviour::State(|s| &mut s.hstr, HSTR_MASK),
    ),
    reg(
        "HACR",
        1,
        1,
        7,
        Behaviour::State(|s| &mut s.hacr, 0xffff_ffff),
    ),
    reg("HTCR", 2, 0, 2, rw(|c| c.s.htcr | HTCR_RES1, write_htcr)),
    reg(
        "VTCR",
        2,
        1,
        2,
        rw(
            |c| c.s.vtcr | HTCR_RES1,
            |c, v| crate::mmu::stage2::vtcr_written(c, v, VTCR_MASK),
        ),
    ),
    // HADFSR/HAIFSR: no IMPLEMENTATION DEFINED fault information.
    reg("HADFSR", 5, 1, 0, crate::sysregs_a15::RAZ_WI),
    reg("HAIFSR", 5, 1, 1, crate::sysregs_a15::RAZ_WI),
    reg(
        "HSR",
        5,
        2,
        0,
        Behaviour::State(|s| &mut s.hsr, 0xffff_ffff),
    ),
    reg(
        "HDFAR",
        6,
        0,
        0,
        Behaviour::State(|s| &mut s.hdfar, 0xffff_ffff),
    ),
    reg(
        "HIFAR",
        6,
        0,
        2,
        Behaviour::State(|s| &mut s.hifar, 0xffff_ffff),
    ),
    reg(
        "HPFAR",
        6,
        0,
        4,
        Behaviour::State(|s| &mut s.hpfar, 0xffff_fff0),
    ),
    op("ATS1HR", 7, 8, 0, |c, v| c.ats1h(v, AccessType::Read)),
    // ATS12NSO**: stage 1 and 2 of the Non-secure PL1&0 regime (opc1 = 0).
    ats12nso("ATS12NSOPR", 4, |c, v| {
        c.ats12nso(v, AccessType::Read, false)
    }),
    ats12nso("ATS12NSOPW", 5, |c, v| {
        c.ats12nso(v, AccessType::Write, false)
    }),
    ats12nso("ATS12NSOUR", 6, |c, v| {
        c.ats12nso(v, AccessType::Read, true)
    }),
    ats12nso("ATS12NSOUW", 7, |c, v| {
        c.ats12nso(v, AccessType::Write, true)
    }),
    op("ATS1HW", 7, 8, 1, |c, v| c.ats1h(v, AccessType::Write)),
    op("TLBIALLHIS", 8, 3, 0, tlbiallh),
    op("TLBIMVAHIS", 8, 3, 1, tlbimvah),
    op("TLBIALLNSNHIS", 8, 3, 4, tlbiallnsnh),
    op("TLBIALLH", 8, 7, 0, tlbiallh),
    op("TLBIMVAH", 8, 7, 1, tlbimvah),
    op("TLBIALLNSNH", 8, 7, 4, tlbiallnsnh),
    reg("HMAIR0", 10, 2, 0, rw(|c| c.s.hmair0, write_hmair0)),
    reg("HMAIR1", 10, 2, 1, rw(|c| c.s.hmair1, write_hmair1)),
    reg(
        "HAMAIR0",
        10,
        3,
        0,
        Behaviour::State(|s| &mut s.hamair0, 0xffff_ffff),
    ),
    reg(
        "HAMAIR1",
        10,
        3,
        1,
        Behaviour::State(|s| &mut s.hamair1, 0xffff_ffff),
    ),
    reg(
        "HVBAR",
        12,
        0,
        0,
        Behaviour::State(|s| &mut s.hvbar, 0xffff_ffe0),
    ),
    reg(
        "HTPIDR",
        13,
        0,
        2,
        Behaviour::State(|s| &mut s.htpidr, 0xffff_ffff),
    ),
];

/// The 64-bit registers (MCRR/MRRC; listed in `sysreg::TABLES64`).
pub static HYP_REGS64: &[SysReg64] = &[
    SysReg64 {
        name: "HTTBR",
        enc: CpReg64 {
            cp: 15,
            opc1: 4,
            crm: 2,
        },
        access: Access::Check(pl2_access),
        behaviour: Behaviour64::Custom {
            read: Some(|c| c.s.httbr),
            write: Some(write_httbr),
        },
    },
    SysReg64 {
        // VMID [55:48] and BADDR [39:x] of stage 2 (mmu/stage2.rs).
        name: "VTTBR",
        enc: CpReg64 {
            cp: 15,
            opc1: 6,
            crm: 2,
        },
        access: Access::Check(pl2_access),
        behaviour: Behaviour64::Custom {
            read: Some(|c| c.s.vttbr),
            write: Some(crate::mmu::stage2::vttbr_written),
        },
    },
];
