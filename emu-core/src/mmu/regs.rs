//! The MMU's system registers (Arm ARM B4.1): translation table bases and control,
//! domains, memory attribute remapping, CONTEXTIDR, address translation (ATS1C**, PAR)
//! and TLB maintenance; plus the 64-bit (MCRR/MRRC) views of TTBR0, TTBR1 and PAR.
//!
//! Writes that change translation flush what they must (see `Cpu::mmu_changed`); the
//! flushes follow QEMU 7.2 where an architecturally UNPREDICTABLE stale TLB entry could
//! otherwise be observed (TTBCR, DACR and SCTLR writes flush the TLB).

use super::{sctlr_bits, AccessType, TTBCR_EAE};
use crate::cpu::Cpu;
use crate::exception::Exception;
use crate::state::sctlr;
use crate::sysreg::{Access, Behaviour, CpReg, SysReg};

const fn cp15(opc1: u8, crn: u8, crm: u8, opc2: u8) -> CpReg {
    CpReg {
        cp: 15,
        opc1,
        crn,
        crm,
        opc2,
    }
}

/// SCTLR bits whose change alters translation.
const SCTLR_MMU_BITS: u32 =
    sctlr::M | sctlr::EE | sctlr_bits::TRE | sctlr_bits::AFE | sctlr_bits::WXN | sctlr_bits::UWXN;

/// Called by the SCTLR write (sysreg.rs) with the previous value.
pub fn sctlr_written(cpu: &mut Cpu, old: u32) {
    cpu.mmu.tlb.flush_all();
    if (old ^ cpu.s.sctlr) & SCTLR_MMU_BITS != 0 {
        cpu.mmu_changed();
    }
}

fn write_ttbr0(c: &mut Cpu, v: u32) {
    c.s.ttbr0 = (c.s.ttbr0 & !0xffff_ffff) | v as u64;
    c.mmu_changed();
}

fn write_ttbr1(c: &mut Cpu, v: u32) {
    c.s.ttbr1 = (c.s.ttbr1 & !0xffff_ffff) | v as u64;
    c.mmu_changed();
}

/// TTBCR writable bits: the long format's fields, or N, PD0 and PD1 (Security
/// Extensions) in the short format.
fn write_ttbcr(c: &mut Cpu, v: u32) {
    let mask = if v & TTBCR_EAE != 0 {
        !((7 << 19) | (3 << 14) | (0xf << 3))
    } else {
        TTBCR_EAE | 0x37
    };
    c.s.ttbcr = v & mask;
    c.mmu.tlb.flush_all();
    c.mmu_changed();
}

fn write_dacr(c: &mut Cpu, v: u32) {
    c.s.dacr = v;
    c.mmu.tlb.flush_all();
    c.mmu_changed();
}

fn write_contextidr(c: &mut Cpu, v: u32) {
    if c.s.contextidr != v {
        c.s.contextidr = v;
        c.mmu_changed();
    }
}

fn write_par(c: &mut Cpu, v: u32) {
    c.s.par = (c.s.par & !0xffff_ffff) | v as u64;
}

fn tlbiall(c: &mut Cpu, _v: u32) {
    c.mmu.tlb.flush_all();
    c.mmu_changed();
}

fn tlbimva(c: &mut Cpu, v: u32) {
    c.mmu.tlb.flush_va_asid(v & !0xfff, v as u8);
    c.mmu_changed();
}

fn tlbiasid(c: &mut Cpu, v: u32) {
    c.mmu.tlb.flush_asid(v as u8);
    c.mmu_changed();
}

fn tlbimvaa(c: &mut Cpu, v: u32) {
    c.mmu.tlb.flush_va(v & !0xfff);
    c.mmu_changed();
}

const fn op(name: &'static str, enc: CpReg, f: fn(&mut Cpu, u32)) -> SysReg {
    SysReg {
        name,
        enc,
        access: Access::Pl1Wo,
        behaviour: Behaviour::Custom {
            read: None,
            write: Some(f),
        },
    }
}

const fn rw(
    name: &'static str,
    enc: CpReg,
    read: fn(&mut Cpu) -> u32,
    write: fn(&mut Cpu, u32),
) -> SysReg {
    SysReg {
        name,
        enc,
        access: Access::Pl1Rw,
        behaviour: Behaviour::Custom {
            read: Some(read),
            write: Some(write),
        },
    }
}

/// The MMU's 32-bit registers (listed in `sysreg::TABLES`).
pub static MMU_SYSREGS: &[SysReg] = &[
    rw("TTBR0", cp15(0, 2, 0, 0), |c| c.s.ttbr0 as u32, write_ttbr0),
    rw("TTBR1", cp15(0, 2, 0, 1), |c| c.s.ttbr1 as u32, write_ttbr1),
    rw("TTBCR", cp15(0, 2, 0, 2), |c| c.s.ttbcr, write_ttbcr),
    rw("DACR", cp15(0, 3, 0, 0), |c| c.s.dacr, write_dacr),
    SysReg {
        name: "PRRR/MAIR0",
        enc: cp15(0, 10, 2, 0),
        access: Access::Pl1Rw,
        behaviour: Behaviour::State(|s| &mut s.prrr, 0xffff_ffff),
    },
    SysReg {
        name: "NMRR/MAIR1",
        enc: cp15(0, 10, 2, 1),
        access: Access::Pl1Rw,
        behaviour: Behaviour::State(|s| &mut s.nmrr, 0xffff_ffff),
    },
    // AMAIR0/1: no implementation-defined attributes; RAZ/WI as in QEMU.
    rw("AMAIR0", cp15(0, 10, 3, 0), |_| 0, |_, _| {}),
    rw("AMAIR1", cp15(0, 10, 3, 1), |_| 0, |_, _| {}),
    rw(
        "CONTEXTIDR",
        cp15(0, 13, 0, 1),
        |c| c.s.contextidr,
        write_contextidr,
    ),
    rw("PAR", cp15(0, 7, 4, 0), |c| c.s.par as u32, write_par),
    op("ATS1CPR", cp15(0, 7, 8, 0), |c, v| {
        c.ats1c(v, AccessType::Read, false)
    }),
    op("ATS1CPW", cp15(0, 7, 8, 1), |c, v| {
        c.ats1c(v, AccessType::Write, false)
    }),
    op("ATS1CUR", cp15(0, 7, 8, 2), |c, v| {
        c.ats1c(v, AccessType::Read, true)
    }),
    op("ATS1CUW", cp15(0, 7, 8, 3), |c, v| {
        c.ats1c(v, AccessType::Write, true)
    }),
    op("TLBIALLIS", cp15(0, 8, 3, 0), tlbiall),
    op("TLBIMVAIS", cp15(0, 8, 3, 1), tlbimva),
    op("TLBIASIDIS", cp15(0, 8, 3, 2), tlbiasid),
    op("TLBIMVAAIS", cp15(0, 8, 3, 3), tlbimvaa),
    op("ITLBIALL", cp15(0, 8, 5, 0), tlbiall),
    op("ITLBIMVA", cp15(0, 8, 5, 1), tlbimva),
    op("ITLBIASID", cp15(0, 8, 5, 2), tlbiasid),
    op("DTLBIALL", cp15(0, 8, 6, 0), tlbiall),
    op("DTLBIMVA", cp15(0, 8, 6, 1), tlbimva),
    op("DTLBIASID", cp15(0, 8, 6, 2), tlbiasid),
    op("TLBIALL", cp15(0, 8, 7, 0), tlbiall),
    op("TLBIMVA", cp15(0, 8, 7, 1), tlbimva),
    op("TLBIASID", cp15(0, 8, 7, 2), tlbiasid),
    op("TLBIMVAA", cp15(0, 8, 7, 3), tlbimvaa),
];

/// A 64-bit register (MCRR/MRRC `cp`, `opc1`, `crm`), PL1 read/write.
#[derive(Clone, Copy)]
pub struct SysReg64 {
    pub name: &'static str,
    pub cp: u8,
    pub opc1: u8,
    pub crm: u8,
    pub read: fn(&mut Cpu) -> u64,
    pub write: fn(&mut Cpu, u64),
}

fn write_ttbr0_64(c: &mut Cpu, v: u64) {
    c.s.ttbr0 = v;
    c.mmu_changed();
}

fn write_ttbr1_64(c: &mut Cpu, v: u64) {
    c.s.ttbr1 = v;
    c.mmu_changed();
}

/// The MMU's 64-bit registers.
pub static MMU_SYSREGS64: &[SysReg64] = &[
    SysReg64 {
        name: "TTBR0",
        cp: 15,
        opc1: 0,
        crm: 2,
        read: |c| c.s.ttbr0,
        write: write_ttbr0_64,
    },
    SysReg64 {
        name: "TTBR1",
        cp: 15,
        opc1: 1,
        crm: 2,
        read: |c| c.s.ttbr1,
        write: write_ttbr1_64,
    },
    SysReg64 {
        name: "PAR",
        cp: 15,
        opc1: 0,
        crm: 7,
        read: |c| c.s.par,
        write: |c, v| c.s.par = v,
    },
];

fn find64(cp: u8, opc1: u8, crm: u8) -> Result<&'static SysReg64, Exception> {
    MMU_SYSREGS64
        .iter()
        .find(|r| r.cp == cp && r.opc1 == opc1 && r.crm == crm)
        .ok_or(Exception::Undefined)
}

/// MRRC of a 64-bit MMU register (PL1 only).
pub fn read64(cpu: &mut Cpu, cp: u8, opc1: u8, crm: u8) -> Result<u64, Exception> {
    let r = find64(cp, opc1, crm)?;
    if !cpu.s.is_privileged() {
        return Err(Exception::Undefined);
    }
    Ok((r.read)(cpu))
}

/// MCRR of a 64-bit MMU register (PL1 only).
pub fn write64(cpu: &mut Cpu, cp: u8, opc1: u8, crm: u8, v: u64) -> Result<(), Exception> {
    let r = find64(cp, opc1, crm)?;
    if !cpu.s.is_privileged() {
        return Err(Exception::Undefined);
    }
    (r.write)(cpu, v);
    cpu.end_block();
    Ok(())
}
