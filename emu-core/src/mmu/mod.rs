//! The MMU of the PL1&0 translation regime (VMSAv7 with the Large Physical Address
//! Extension, Arm ARM B3): translation table walks, permission checks and the soft TLB
//! (ARCHITECTURE.md, decisions 3 and 4).
//!
//! The walks ([`short::walk`], [`lpae::walk`]) are pure functions of the translation
//! registers ([`TransRegs`]) and a physical-memory reader ([`PhysRead`]); they return a
//! [`Translation`] that holds the permissions for both PL1 and PL0, or a [`FaultKind`]
//! with the level and domain the fault status registers need. [`Translation::check`]
//! then decides one access. A stage 2 walk composes by giving the stage 1 walk a
//! `PhysRead` that translates its table addresses (reporting S1PTW faults).
//!
//! The CPU side: [`Cpu::translate_miss`] walks on a TLB miss and fills the TLB;
//! `memory.rs` does the TLB lookup inline. Everything that changes translation (SCTLR.M,
//! TRE, AFE, TTBRs, TTBCR, DACR, CONTEXTIDR, TLB maintenance) calls
//! [`Cpu::mmu_changed`], which also drops the decoded blocks (they are keyed by
//! virtual address).

pub mod lpae;
pub mod regs;
pub mod short;
pub mod stage2;
pub mod syndrome;
pub mod tlb;

#[cfg(test)]
mod tests;

use crate::cpu::Cpu;
use crate::exception::{FaultKind, MemFault};
use crate::memory::Bus;
use crate::state::{psr, sctlr, CpuState, Mode};

/// TTBCR.EAE: the long-descriptor (LPAE) format.
pub const TTBCR_EAE: u32 = 1 << 31;

/// SCTLR bits the MMU reads (Arm ARM B4.1.130).
pub mod sctlr_bits {
    pub const WXN: u32 = 1 << 19;
    pub const UWXN: u32 = 1 << 20;
    pub const TRE: u32 = 1 << 28;
    pub const AFE: u32 = 1 << 29;
}

/// Permission bits of a translation: read, write, execute at PL1 and at PL0.
pub mod perm {
    pub const R1: u8 = 1 << 0;
    pub const W1: u8 = 1 << 1;
    pub const X1: u8 = 1 << 2;
    pub const R0: u8 = 1 << 3;
    pub const W0: u8 = 1 << 4;
    pub const X0: u8 = 1 << 5;
    pub const ALL: u8 = 0x3f;
    /// Shift from the PL1 bits to the PL0 bits.
    pub const PL0_SHIFT: u32 = 3;
}

/// Reads translation tables from physical memory. `None`: nothing answered (a
/// synchronous external abort on the walk).
pub trait PhysRead {
    fn read_u32(&mut self, pa: u64) -> Option<u32>;
    fn read_u64(&mut self, pa: u64) -> Option<u64>;
}

/// What an access does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessType {
    Read,
    Write,
    Fetch,
}

impl AccessType {
    /// The permission bit this access needs at PL1 (shift by `perm::PL0_SHIFT` for PL0).
    pub const fn pl1_bit(self) -> u8 {
        match self {
            AccessType::Read => perm::R1,
            AccessType::Write => perm::W1,
            AccessType::Fetch => perm::X1,
        }
    }

    pub const fn bit(self, unpriv: bool) -> u8 {
        if unpriv {
            self.pl1_bit() << perm::PL0_SHIFT
        } else {
            self.pl1_bit()
        }
    }
}

/// The registers that control the PL1&0 stage 1 translation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TransRegs {
    pub sctlr: u32,
    pub ttbcr: u32,
    pub ttbr0: u64,
    pub ttbr1: u64,
    pub dacr: u32,
    /// PRRR, or MAIR0 with TTBCR.EAE.
    pub prrr: u32,
    /// NMRR, or MAIR1 with TTBCR.EAE.
    pub nmrr: u32,
    pub contextidr: u32,
    /// The walk is done in Secure state (descriptor NS bits then select the output
    /// address space, reported in PAR.NS).
    pub secure: bool,
    /// The PL2 (Hyp mode) stage 1 regime: HTTBR/HTCR/HMAIR in the TTBR0/TTBCR/MAIR
    /// slots, LPAE only; AP[1], PXN and nG are ignored (Arm ARM B3.6.1, B3.7.1).
    pub hyp: bool,
}

impl TransRegs {
    pub fn from_state(s: &CpuState, secure: bool) -> TransRegs {
        TransRegs {
            sctlr: s.sctlr,
            ttbcr: s.ttbcr,
            ttbr0: s.ttbr0,
            ttbr1: s.ttbr1,
            dacr: s.dacr,
            prrr: s.prrr,
            nmrr: s.nmrr,
            contextidr: s.contextidr,
            secure,
            hyp: false,
        }
    }

    /// The PL2 stage 1 regime's registers: HTCR.T0SZ bounds the one table base, HTTBR;
    /// addresses above it fault (TTBR1's region is disabled by EPD1).
    pub fn hyp_from_state(s: &CpuState) -> TransRegs {
        TransRegs {
            sctlr: s.hsctlr & !sctlr_bits::UWXN,
            ttbcr: TTBCR_EAE | (1 << 23) | (s.htcr & 7),
            ttbr0: s.httbr,
            ttbr1: 0,
            dacr: 0,
            prrr: s.hmair0,
            nmrr: s.hmair1,
            contextidr: 0,
            secure: false,
            hyp: true,
        }
    }

    pub fn lpae(&self) -> bool {
        self.ttbcr & TTBCR_EAE != 0
    }

    /// The current ASID: CONTEXTIDR[7:0], or with LPAE TTBR0/TTBR1[55:48] as TTBCR.A1
    /// selects.
    pub fn asid(&self) -> u8 {
        if self.lpae() {
            let t = if self.ttbcr & (1 << 22) != 0 {
                self.ttbr1
            } else {
                self.ttbr0
            };
            (t >> 48) as u8
        } else {
            self.contextidr as u8
        }
    }

    /// Translation tables are big-endian (SCTLR.EE).
    pub fn big_endian_tables(&self) -> bool {
        self.sctlr & sctlr::EE != 0
    }
}

/// Memory attributes in the MAIR encoding (Arm ARM B4.1.104), plus shareability.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemAttrs {
    /// Attr<n>: 0x00 Strongly-ordered, 0x04 Device, else Normal (outer [7:4], inner [3:0]).
    pub attr: u8,
    /// SH[1:0]: 0 non-shareable, 2 outer, 3 inner shareable.
    pub sh: u8,
}

/// A successful walk: the mapping of the page holding the address, with the
/// permissions of both privilege levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Translation {
    /// The physical address of the translated address.
    pub pa: u64,
    /// Bytes mapped by the descriptor (4 KiB ... 1 GiB).
    pub page_size: u64,
    /// `perm` bits, valid when `af_fault` is false.
    pub perms: u8,
    /// Short format only: execute-never bits checked before the access flag (bit 0:
    /// PL1, bit 1: PL0), as QEMU orders them.
    pub xn_early: u8,
    /// The access flag is 0: every access faults (after `xn_early`).
    pub af_fault: bool,
    pub attrs: MemAttrs,
    /// The output is Non-secure.
    pub ns: bool,
    /// nG = 0: the mapping applies to every ASID.
    pub global: bool,
    /// Short format: a supersection (PAR.SS).
    pub supersection: bool,
    /// Level of the final descriptor and its domain, for permission faults.
    pub level: u8,
    pub domain: u8,
    pub lpae: bool,
}

impl Translation {
    /// Checks one access against the translation (Arm ARM B3.7, B3.12).
    pub fn check(&self, access: AccessType, unpriv: bool) -> Result<(), FaultKind> {
        let w = crate::exception::WalkInfo::at(self.level, self.domain);
        if access == AccessType::Fetch && self.xn_early & (1 << unpriv as u8) != 0 {
            return Err(FaultKind::Permission(w));
        }
        if self.af_fault {
            return Err(FaultKind::AccessFlag(w));
        }
        if self.perms & access.bit(unpriv) == 0 {
            return Err(FaultKind::Permission(w));
        }
        Ok(())
    }
}

/// Walks the PL1&0 stage 1 tables for `va` in the format TTBCR.EAE selects.
pub fn walk(regs: &TransRegs, va: u32, mem: &mut dyn PhysRead) -> Result<Translation, FaultKind> {
    if regs.lpae() {
        lpae::walk(regs, va, mem)
    } else {
        short::walk(regs, va, mem)
    }
}

/// Walks and checks one access.
pub fn translate(
    regs: &TransRegs,
    va: u32,
    access: AccessType,
    unpriv: bool,
    mem: &mut dyn PhysRead,
) -> Result<Translation, FaultKind> {
    let t = walk(regs, va, mem)?;
    t.check(access, unpriv)?;
    Ok(t)
}

/// PAR after a successful ATS1C** (Arm ARM B4.1.112), in the format QEMU 7.2 writes:
/// the 32-bit format reports only the address, SS and NS (no attributes).
pub fn par_success(t: &Translation, long: bool) -> u64 {
    if long {
        (1 << 11)
            | (t.pa & 0x00ff_ffff_f000)
            | ((t.ns as u64) << 9)
            | ((t.attrs.sh as u64 & 3) << 7)
            | ((t.attrs.attr as u64) << 56)
    } else {
        let base = if t.supersection {
            (t.pa & 0xff00_0000) | (1 << 1)
        } else {
            t.pa & 0xffff_f000
        };
        base | ((t.ns as u64) << 9)
    }
}

/// PAR after a faulting ATS1C**.
pub fn par_fault(f: &MemFault, long: bool) -> u64 {
    if long {
        let mut v = 1 | (1 << 11) | ((f.long_status() as u64) << 1);
        if let Some(w) = f.walk() {
            if w.flags & crate::exception::walk_flags::S1PTW != 0 {
                v |= 1 << 8;
            }
            if w.flags & crate::exception::walk_flags::STAGE2 != 0 {
                v |= 1 << 9;
            }
        }
        v
    } else {
        let fsr = f.short_fsr() as u64;
        1 | ((fsr & 0xf) << 1) | ((fsr & (1 << 10)) >> 5) | ((fsr & (1 << 12)) >> 6)
    }
}

/// The MMU state of a core outside the architectural registers.
pub struct Mmu {
    pub tlb: tlb::Tlb,
    /// The soft TLB of the PL2 regime (Hyp mode): separate from the PL1&0 one, so the
    /// two regimes' translations never mix and mode changes need no flush. Its entries
    /// are all global (ASID 0).
    pub tlb_hyp: tlb::Tlb,
    /// Physical page of the last instruction fetch (the block builder records which
    /// physical pages a block came from).
    pub last_fetch_ppage: u64,
    /// Bumped by every change of translation (`Cpu::mmu_changed`): a PC looked up
    /// under the same generation translates as it did then.
    pub generation: u64,
    /// The IPA of the last stage 2 fault (HPFAR of the abort that follows).
    pub s2_fault_ipa: u64,
}

impl Default for Mmu {
    fn default() -> Self {
        Self::new()
    }
}

impl Mmu {
    pub fn new() -> Mmu {
        Mmu {
            tlb: tlb::Tlb::new(),
            tlb_hyp: tlb::Tlb::new(),
            last_fetch_ppage: 0,
            generation: 0,
            s2_fault_ipa: 0,
        }
    }
}

/// Translation-table reads through the core's RAM and bus.
pub(crate) struct CpuPhys<'a> {
    pub(crate) ram: &'a crate::memory::Ram,
    pub(crate) bus: &'a mut dyn Bus,
    pub(crate) big_endian: bool,
}

impl PhysRead for CpuPhys<'_> {
    fn read_u32(&mut self, pa: u64) -> Option<u32> {
        let v = match self.ram.slice(pa, 4) {
            Some(b) => u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            None => self.bus.read(pa, 4)? as u32,
        };
        Some(if self.big_endian { v.swap_bytes() } else { v })
    }

    fn read_u64(&mut self, pa: u64) -> Option<u64> {
        let v = match self.ram.slice(pa, 8) {
            Some(b) => {
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                u64::from_le_bytes(a)
            }
            None => self.bus.read(pa, 8)?,
        };
        Some(if self.big_endian { v.swap_bytes() } else { v })
    }
}

impl Cpu {
    /// The translation registers of the PL1&0 regime.
    pub fn trans_regs(&self) -> TransRegs {
        // Like QEMU's vexpress-a15 core, the PL1&0 regime runs in Secure state after
        // reset (SCR.NS = 0, PAR.NS reads 0); a kernel entered in Hyp mode runs it
        // Non-secure.
        TransRegs::from_state(&self.s, self.s.scr & crate::state::scr::NS == 0)
    }

    /// The MMU of the current regime is on: HSCTLR.M in Hyp mode (the PL2 regime),
    /// SCTLR.M or stage 2 otherwise (Arm ARM B3.1).
    #[inline(always)]
    pub(crate) fn mmu_on(&self) -> bool {
        if self.s.cpsr_ctrl & psr::M_MASK == Mode::Hyp as u32 {
            self.s.hsctlr & sctlr::M != 0
        } else {
            self.s.sctlr & sctlr::M != 0 || self.stage2_applies()
        }
    }

    /// Walks the PL2 stage 1 tables for `va` (HTTBR, long format only).
    pub fn walk_hyp(&mut self, va: u32) -> Result<Translation, FaultKind> {
        let regs = TransRegs::hyp_from_state(&self.s);
        let mut mem = CpuPhys {
            ram: &self.ram,
            bus: &mut *self.bus,
            big_endian: regs.big_endian_tables(),
        };
        lpae::walk(&regs, va, &mut mem)
    }

    /// ATS1HR/ATS1HW: translates `va` in the PL2 regime and writes PAR (always the
    /// long format, Arm ARM B4.1.112).
    pub(crate) fn ats1h(&mut self, va: u32, access: AccessType) {
        let result = if self.s.hsctlr & sctlr::M == 0 {
            Ok(Translation {
                pa: va as u64,
                page_size: 4096,
                perms: perm::ALL,
                xn_early: 0,
                af_fault: false,
                attrs: MemAttrs::default(),
                ns: true,
                global: true,
                supersection: false,
                level: 0,
                domain: 0,
                lpae: true,
            })
        } else {
            self.walk_hyp(va)
                .and_then(|t| t.check(access, false).map(|_| t))
        };
        self.set_par(result, va, access, true);
    }

    /// Walks the tables for `va` (PL1&0 regime).
    pub fn walk_current(&mut self, va: u32) -> Result<Translation, FaultKind> {
        let regs = self.trans_regs();
        let mut mem = CpuPhys {
            ram: &self.ram,
            bus: &mut *self.bus,
            big_endian: regs.big_endian_tables(),
        };
        walk(&regs, va, &mut mem)
    }

    /// A TLB miss (or a hit without the needed permission): walk, check, fill.
    #[cold]
    #[inline(never)]
    pub(crate) fn translate_miss(
        &mut self,
        va: u32,
        access: AccessType,
        unpriv: bool,
    ) -> Result<u64, FaultKind> {
        if !self.mmu_on() {
            return Ok(va as u64);
        }
        if self.s.in_hyp() {
            let t = self.walk_hyp(va)?;
            t.check(access, false)?;
            self.mmu.tlb_hyp.fill(va, &t, 0);
            return Ok(t.pa);
        }
        let t = if self.stage2_applies() {
            self.translate_s12(va, access, unpriv)?
        } else {
            let t = self.walk_current(va)?;
            t.check(access, unpriv)?;
            t
        };
        let asid = self.trans_regs().asid();
        self.mmu.tlb.fill(va, &t, asid);
        Ok(t.pa)
    }

    /// Translation changed (a register write or TLB maintenance): the soft TLB is
    /// flushed by the caller as needed; the current ASID is refreshed and the block
    /// ends, so the next instruction is fetched under the new translation.
    pub fn mmu_changed(&mut self) {
        self.mmu.generation = self.mmu.generation.wrapping_add(1);
        // PL1&0 entries are tagged with the ASID and the VMID (tlb.rs).
        let asid = self.trans_regs().asid() as u32;
        self.mmu.tlb.set_tag(asid, self.vmid_tag());
        // Decoded blocks survive: each lookup checks the block's physical address
        // against the current translation of the PC (cpu.rs, `lookup_block`).
        self.end_block();
    }

    /// The FSR value for a fault, in the format TTBCR.EAE selects (Arm ARM B3.13.3).
    pub(crate) fn fault_fsr(&self, f: &MemFault) -> u32 {
        if self.s.ttbcr & TTBCR_EAE != 0 {
            f.long_fsr()
        } else {
            f.short_fsr()
        }
    }

    /// ATS1C**: translates `va` as a PL1 (or PL0) read or write and writes PAR.
    pub(crate) fn ats1c(&mut self, va: u32, access: AccessType, unpriv: bool) {
        // From Hyp mode always the 64-bit format (B4.1.112, as QEMU).
        let long = self.s.ttbcr & TTBCR_EAE != 0 || self.s.in_hyp();
        let result = if self.s.sctlr & sctlr::M == 0 {
            Ok(Translation {
                pa: va as u64,
                page_size: 4096,
                perms: perm::ALL,
                xn_early: 0,
                af_fault: false,
                attrs: MemAttrs::default(),
                ns: false,
                global: true,
                supersection: false,
                level: 0,
                domain: 0,
                lpae: long,
            })
        } else if self.stage2_enabled() && self.s.mode() != Mode::Mon {
            // Non-secure PL1 (or Hyp mode) with stage 2: the stage 1 walk reads its tables through
            // stage 2; PAR gets the IPA. (A stage 2 fault on that walk is reported in
            // PAR with S2WLK: a system register write cannot raise the Hyp abort QEMU
            // takes there.)
            self.walk_s1_via_s2(va)
                .and_then(|t| t.check(access, unpriv).map(|_| t))
        } else {
            self.walk_current(va)
                .and_then(|t| t.check(access, unpriv).map(|_| t))
        };
        self.set_par(result, va, access, long);
    }

    /// PAR after an address translation operation (ATS1C*, ATS1H*, ATS12NSO*): the
    /// result or the fault, in the 64-bit format when `long`.
    pub(crate) fn set_par(
        &mut self,
        result: Result<Translation, FaultKind>,
        va: u32,
        access: AccessType,
        long: bool,
    ) {
        self.s.par = match result {
            Ok(t) => par_success(&t, long),
            Err(kind) => par_fault(
                &MemFault {
                    kind,
                    vaddr: va,
                    write: access == AccessType::Write,
                },
                long,
            ),
        };
    }
}
