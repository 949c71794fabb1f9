//! Stage 2 translation of the Non-secure PL1&0 regime (Arm ARM DDI 0406C B3.6,
//! "Long-descriptor translation table format", its stage 2 parts; the registers VTCR,
//! VTTBR, HCR and HPFAR in B4.1): intermediate physical address (IPA) to physical address, walked in the
//! long-descriptor format from VTTBR, enabled by HCR.VM (or HCR.DC) for Non-secure PL0
//! and PL1 accesses.
//!
//! - [`walk`] is a pure function of the stage 2 registers ([`S2Regs`]) and a physical
//!   reader; faults carry `walk_flags::STAGE2`.
//! - The core composes the stages ([`Cpu::translate_s12`]): stage 1 reads its tables
//!   through stage 2 ([`Stage2Tables`], faults there get `walk_flags::S1PTW` too), the
//!   stage 1 output address (the IPA) is walked at stage 2, and the TLB caches the
//!   combined VA -> PA mapping, tagged with the VMID (`tlb.rs`).
//! - Stage 2 faults are taken to Hyp mode ([`Cpu::take_stage2_abort`], called from
//!   `take_exception`) through `Cpu::enter_hyp` with the abort syndrome of B3.13.6;
//!   HPFAR gets the faulting IPA, recorded by the walk in `Mmu::s2_fault_ipa`.
//! - ATS12NSOPR/PW/UR/UW ([`Cpu::ats12nso`]) report both stages in PAR.

use super::{
    perm, syndrome, AccessType, CpuPhys, MemAttrs, PhysRead, TransRegs, Translation, TTBCR_EAE,
};
use crate::cpu::Cpu;
use crate::exception::{ec, hsr, hyp_vector, walk_flags, Exception, FaultKind, MemFault, WalkInfo};
use crate::hyp_regs::HCR_VM;
use crate::state::{scr, sctlr, Mode};

/// HCR.PTW: a stage 1 walk that reaches stage 2 Device memory faults (B4.1, HCR).
pub const HCR_PTW: u32 = 1 << 2;
/// HCR.DC: stage 1 off, its attributes Normal Write-Back; HCR.VM behaves as 1.
pub const HCR_DC: u32 = 1 << 12;
/// HCR.TGE: Non-secure PL1&0 stage 1 behaves as if SCTLR.M were 0 (as QEMU 7.2).
pub const HCR_TGE: u32 = 1 << 27;
/// HCR bits whose change alters the Non-secure PL1&0 translation.
pub const HCR_TRANSLATION_BITS: u32 = HCR_VM | HCR_PTW | HCR_DC | HCR_TGE;

/// Stage 2 permission bits of [`S2Translation::perms`].
pub mod s2perm {
    pub const R: u8 = 1 << 0;
    pub const W: u8 = 1 << 1;
    pub const X: u8 = 1 << 2;
}

/// Output address bits [39:12] of long descriptors.
const OA_MASK: u64 = 0x00ff_ffff_f000;

/// The registers that control stage 2.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct S2Regs {
    pub vtcr: u32,
    pub vttbr: u64,
}

impl S2Regs {
    /// VTCR.T0SZ as a signed 4-bit value (-8 ... 7): the IPA space is 2^(32 - T0SZ).
    pub fn t0sz(&self) -> i32 {
        ((self.vtcr as i32) << 28) >> 28
    }

    /// The VMID, VTTBR[55:48].
    pub fn vmid(&self) -> u8 {
        (self.vttbr >> 48) as u8
    }
}

/// A successful stage 2 walk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct S2Translation {
    /// The physical address of the translated IPA.
    pub pa: u64,
    /// Bytes mapped by the descriptor (4 KiB, 2 MiB or 1 GiB).
    pub page_size: u64,
    /// `s2perm` bits (S2AP and XN; execution also needs read permission, as in QEMU).
    pub perms: u8,
    /// The access flag is 0: every access faults.
    pub af_fault: bool,
    /// MemAttr[3:0] (B3.8, stage 2 memory region attributes): [3:2] 0 = Device or
    /// Strongly-ordered (then [1:0] 0 = SO), else the outer cacheability; [1:0] inner.
    pub memattr: u8,
    /// SH[1:0].
    pub sh: u8,
    pub level: u8,
}

impl S2Translation {
    fn walk_info(&self) -> WalkInfo {
        WalkInfo {
            level: self.level,
            domain: 0,
            flags: walk_flags::STAGE2,
        }
    }

    /// Checks one access (S2AP and XN apply alike to PL1 and PL0).
    pub fn check(&self, access: AccessType) -> Result<(), FaultKind> {
        if self.af_fault {
            return Err(FaultKind::AccessFlag(self.walk_info()));
        }
        let need = match access {
            AccessType::Read => s2perm::R,
            AccessType::Write => s2perm::W,
            AccessType::Fetch => s2perm::X,
        };
        if self.perms & need == 0 {
            return Err(FaultKind::Permission(self.walk_info()));
        }
        Ok(())
    }

    /// Device or Strongly-ordered memory (MemAttr[3:2] = 0).
    pub fn is_device(&self) -> bool {
        self.memattr & 0xc == 0
    }

    /// The `perm` bits (both privilege levels) this stage allows.
    pub fn perm_mask(&self) -> u8 {
        let mut p = 0;
        if self.perms & s2perm::R != 0 {
            p |= perm::R1 | perm::R0;
        }
        if self.perms & s2perm::W != 0 {
            p |= perm::W1 | perm::W0;
        }
        if self.perms & s2perm::X != 0 {
            p |= perm::X1 | perm::X0;
        }
        p
    }
}

fn s2_fault(level: u8) -> WalkInfo {
    WalkInfo {
        level,
        domain: 0,
        flags: walk_flags::STAGE2,
    }
}

/// Walks the stage 2 tables for `ipa` (B3.6, stage 2 translation table walks). VTCR.SL0 selects the first
/// lookup level (0: level 2, 1: level 1); up to 16 first-level tables are concatenated
/// (so a 40-bit IPA space starts with two level 1 tables, VTTBR aligned to 8 KiB). An
/// IPA outside 2^(32 - T0SZ), or SL0 and T0SZ that do not fit together, give a
/// translation fault at level 1.
pub fn walk(regs: &S2Regs, ipa: u64, mem: &mut dyn PhysRead) -> Result<S2Translation, FaultKind> {
    let translation = |level: u8| FaultKind::Translation(s2_fault(level));
    // VTCR.S must equal T0SZ[3]; like QEMU we go by T0SZ alone.
    let inputsize = (32 - regs.t0sz()) as u32; // 24 ... 40
    let mut level: u32 = match (regs.vtcr >> 6) & 3 {
        0 => 2,
        1 => 1,
        _ => return Err(translation(1)),
    };
    // Bits resolved by the first lookup: 1 ... 13 (9 plus up to 16 concatenated tables).
    let first_bits = inputsize as i32 - (12 + 9 * (3 - level as i32));
    if !(1..=13).contains(&first_bits) || ipa >> inputsize != 0 {
        return Err(translation(1));
    }
    let mut index_bits = first_bits as u32;
    let mut table = (regs.vttbr & 0x00ff_ffff_ffff) & !((1u64 << (index_bits + 3)) - 1);
    loop {
        let shift = 12 + 9 * (3 - level);
        let index = (ipa >> shift) & ((1u64 << index_bits) - 1);
        let d = mem
            .read_u64(table + index * 8)
            .ok_or(FaultKind::ExternalOnWalk(s2_fault(level as u8)))?;
        if d & 1 == 0 || (d & 2 == 0 && level == 3) {
            return Err(translation(level as u8));
        }
        if d & 2 != 0 && level < 3 {
            table = d & OA_MASK;
            level += 1;
            index_bits = 9;
            continue;
        }
        // A block (level 1 or 2) or a page (level 3). Stage 2 descriptors (B3.6, stage 2
        // block and page descriptors): MemAttr[5:2], S2AP[7:6], SH[9:8], AF[10], XN[54].
        let page_size = 1u64 << shift;
        let pa = (d & OA_MASK & !(page_size - 1)) | (ipa & (page_size - 1));
        let s2ap = ((d >> 6) & 3) as u8;
        let xn = (d >> 54) & 1 != 0;
        let mut perms = s2ap; // bit 0 read, bit 1 write
        if !xn && s2ap & 1 != 0 {
            perms |= s2perm::X;
        }
        return Ok(S2Translation {
            pa,
            page_size,
            perms,
            af_fault: (d >> 10) & 1 == 0,
            memattr: ((d >> 2) & 0xf) as u8,
            sh: ((d >> 8) & 3) as u8,
            level: level as u8,
        });
    }
}

/// A stage 1 cacheability nibble (MAIR encoding) as 0 Non-cacheable, 1 Write-Through,
/// 2 Write-Back (the transient encodings count as their kind; 0b0000 as Non-cacheable).
fn s1_cacheability(nibble: u8) -> u8 {
    match nibble {
        0x0 | 0x4 => 0,
        _ if nibble >> 2 == 0 || nibble >> 2 == 2 => 1,
        _ => 2,
    }
}

/// Combines stage 1 attributes (MAIR encoding) with stage 2 ones (Arm ARM B3.8,
/// combining the stage 1 and stage 2 memory attributes): the stronger memory type
/// (Strongly-ordered > Device > Normal), per outer/inner the weaker cacheability
/// (Non-cacheable < Write-Through < Write-Back, allocation hints from stage 1), and the
/// wider shareability; Device and Normal Non-cacheable results are Outer Shareable.
pub fn combine_attrs(s1: MemAttrs, s2: &S2Translation) -> MemAttrs {
    let s1_device = s1.attr & 0xf0 == 0;
    let attr = if s1_device || s2.is_device() {
        let so = (s1_device && s1.attr == 0) || (s2.is_device() && s2.memattr == 0);
        if so {
            0x00
        } else {
            0x04
        }
    } else {
        let nibble = |s1n: u8, s2c: u8| -> u8 {
            // Stage 2: 1 Non-cacheable, 2 Write-Through, 3 Write-Back (0 inner: as NC).
            let s2c = s2c.saturating_sub(1);
            let s1c = s1_cacheability(s1n);
            match s1c.min(s2c) {
                0 => 0x4,
                c if c == s1c => s1n,
                _ => 0x8 | (s1n & 3), // stage 2 Write-Through, stage 1's hints
            }
        };
        (nibble(s1.attr >> 4, s2.memattr >> 2) << 4) | nibble(s1.attr & 0xf, s2.memattr & 3)
    };
    let sh = if attr & 0xf0 == 0 || attr == 0x44 || s1.sh == 2 || s2.sh == 2 {
        2
    } else if s1.sh == 3 || s2.sh == 3 {
        3
    } else {
        0
    };
    MemAttrs { attr, sh }
}

/// A stage 1 walk's table reads, translated by stage 2 (B3.6, a stage 1 walk
/// in a two-stage translation): the table address is an IPA; it needs stage 2 read permission and,
/// with HCR.PTW, must not be Device memory. A stage 2 fault is kept in `fault` (the
/// stage 1 walk only sees a failed read) with `S1PTW` set.
pub(crate) struct Stage2Tables<'a> {
    pub(crate) mem: CpuPhys<'a>,
    pub(crate) regs: S2Regs,
    /// Stage 1 tables are big-endian (SCTLR.EE); stage 2 ones follow HSCTLR.EE.
    pub(crate) s1_be: bool,
    pub(crate) s2_be: bool,
    pub(crate) ptw: bool,
    /// The stage 2 fault and its IPA, if a table read faulted.
    pub(crate) fault: Option<(FaultKind, u64)>,
}

impl Stage2Tables<'_> {
    fn table_pa(&mut self, ipa: u64) -> Option<u64> {
        self.mem.big_endian = self.s2_be;
        let r = walk(&self.regs, ipa, &mut self.mem).and_then(|t| {
            t.check(AccessType::Read)?;
            if self.ptw && t.is_device() {
                return Err(FaultKind::Permission(t.walk_info()));
            }
            Ok(t)
        });
        self.mem.big_endian = self.s1_be;
        match r {
            Ok(t) => Some(t.pa),
            Err(kind) => {
                self.fault = Some((with_s1ptw(kind), ipa));
                None
            }
        }
    }
}

impl PhysRead for Stage2Tables<'_> {
    fn read_u32(&mut self, ipa: u64) -> Option<u32> {
        let pa = self.table_pa(ipa)?;
        self.mem.read_u32(pa)
    }

    fn read_u64(&mut self, ipa: u64) -> Option<u64> {
        let pa = self.table_pa(ipa)?;
        self.mem.read_u64(pa)
    }
}

/// Marks a stage 2 fault as one on a stage 1 table walk.
fn with_s1ptw(kind: FaultKind) -> FaultKind {
    let mark = |mut w: WalkInfo| {
        w.flags |= walk_flags::S1PTW | walk_flags::STAGE2;
        w
    };
    match kind {
        FaultKind::Translation(w) => FaultKind::Translation(mark(w)),
        FaultKind::AccessFlag(w) => FaultKind::AccessFlag(mark(w)),
        FaultKind::Domain(w) => FaultKind::Domain(mark(w)),
        FaultKind::Permission(w) => FaultKind::Permission(mark(w)),
        FaultKind::ExternalOnWalk(w) => FaultKind::ExternalOnWalk(mark(w)),
        k => k,
    }
}

/// The fault is a stage 2 fault (on the access or on a stage 1 table walk).
pub fn is_stage2(kind: &FaultKind) -> bool {
    let f = MemFault {
        kind: *kind,
        vaddr: 0,
        write: false,
    };
    matches!(f.walk(), Some(w) if w.flags & walk_flags::STAGE2 != 0)
}

/// Called by the HCR write (hyp_regs.rs) with the previous value: a change of VM, DC,
/// PTW or TGE changes the Non-secure PL1&0 translation. VM alone switches the TLB tag
/// (entries made without stage 2 are tagged apart); the others flush.
pub fn hcr_written(cpu: &mut Cpu, old: u32) {
    let changed = old ^ cpu.s.hcr;
    if changed & HCR_TRANSLATION_BITS == 0 {
        return;
    }
    if changed & (HCR_PTW | HCR_DC | HCR_TGE) != 0 {
        cpu.mmu.tlb.flush_all();
    }
    cpu.mmu_changed();
}

/// VTTBR write: a new VMID only switches the TLB tag (entries of other VMIDs stay, as on
/// hardware); a new table base under the same VMID flushes, as stale entries of the old
/// tables would otherwise survive where QEMU has none.
pub fn vttbr_written(cpu: &mut Cpu, v: u64) {
    let old = cpu.s.vttbr;
    cpu.s.vttbr = v & 0x00ff_00ff_ffff_ffff;
    if old == cpu.s.vttbr {
        return;
    }
    if (old ^ cpu.s.vttbr) >> 48 == 0 {
        cpu.mmu.tlb.flush_all();
    }
    cpu.mmu_changed();
}

/// VTCR write (`mask`: the writable bits): the IPA size or start level changes every
/// stage 2 result.
pub fn vtcr_written(cpu: &mut Cpu, v: u32, mask: u32) {
    let new = v & mask;
    if new != cpu.s.vtcr {
        cpu.s.vtcr = new;
        cpu.mmu.tlb.flush_all();
        cpu.mmu_changed();
    }
}

impl Cpu {
    /// Stage 2 is enabled for the Non-secure PL1&0 regime: HCR.VM or HCR.DC, with
    /// SCR.NS = 1 (whatever the current mode).
    #[inline]
    pub fn stage2_enabled(&self) -> bool {
        self.s.hcr & (HCR_VM | HCR_DC) != 0 && self.s.scr & scr::NS != 0
    }

    /// Stage 2 applies to the current PL1/PL0 accesses (not in Hyp or Monitor mode).
    /// Out of line: the MMU-off paths that ask stay small.
    #[inline(never)]
    pub(crate) fn stage2_applies(&self) -> bool {
        self.stage2_enabled() && !self.s.in_hyp() && self.s.mode() != Mode::Mon
    }

    pub fn s2_regs(&self) -> S2Regs {
        S2Regs {
            vtcr: self.s.vtcr,
            vttbr: self.s.vttbr,
        }
    }

    /// Non-secure PL1&0 stage 1 is on: SCTLR.M, unless HCR.DC or HCR.TGE turn it off.
    fn ns_stage1_on(&self) -> bool {
        self.s.sctlr & sctlr::M != 0 && self.s.hcr & (HCR_DC | HCR_TGE) == 0
    }

    /// The TLB tag of the PL1&0 regime above the ASID: VMID + 1 with stage 2, 0 without
    /// (B3.9, TLB matching: entries are tagged by VMID).
    pub(crate) fn vmid_tag(&self) -> u32 {
        if self.stage2_enabled() {
            ((self.s.vttbr >> 48) as u32 & 0xff) + 1
        } else {
            0
        }
    }

    /// Walks stage 2 for `ipa` and checks `access`; a fault records the IPA for HPFAR.
    fn stage2_access(&mut self, ipa: u64, access: AccessType) -> Result<S2Translation, FaultKind> {
        let regs = self.s2_regs();
        let mut mem = CpuPhys {
            ram: &self.ram,
            bus: &mut *self.bus,
            big_endian: self.s.hsctlr & sctlr::EE != 0,
        };
        let r = walk(&regs, ipa, &mut mem).and_then(|t| t.check(access).map(|_| t));
        if r.is_err() {
            self.mmu.s2_fault_ipa = ipa;
        }
        r
    }

    /// Stage 1 of the Non-secure PL1&0 regime with its table reads through stage 2 when
    /// that is enabled (no access check). With stage 1 off the IPA is the VA, with HCR.DC Normal
    /// Write-Back memory, else Strongly-ordered (B3.2.1).
    pub(crate) fn walk_s1_via_s2(&mut self, va: u32) -> Result<Translation, FaultKind> {
        if !self.ns_stage1_on() {
            let dc = self.s.hcr & HCR_DC != 0;
            return Ok(Translation {
                pa: va as u64,
                page_size: 4096,
                perms: perm::ALL,
                xn_early: 0,
                af_fault: false,
                attrs: MemAttrs {
                    attr: if dc { 0xff } else { 0x00 },
                    sh: 0,
                },
                ns: true,
                global: true,
                supersection: false,
                level: 0,
                domain: 0,
                lpae: self.s.ttbcr & TTBCR_EAE != 0,
            });
        }
        let regs = TransRegs::from_state(&self.s, false);
        if !self.stage2_enabled() {
            let mut mem = CpuPhys {
                ram: &self.ram,
                bus: &mut *self.bus,
                big_endian: regs.big_endian_tables(),
            };
            return super::walk(&regs, va, &mut mem);
        }
        let s1_be = regs.big_endian_tables();
        let s2 = self.s2_regs();
        let mut mem = Stage2Tables {
            mem: CpuPhys {
                ram: &self.ram,
                bus: &mut *self.bus,
                big_endian: s1_be,
            },
            regs: s2,
            s1_be,
            s2_be: self.s.hsctlr & sctlr::EE != 0,
            ptw: self.s.hcr & HCR_PTW != 0,
            fault: None,
        };
        let r = super::walk(&regs, va, &mut mem);
        if let Some((kind, ipa)) = mem.fault {
            self.mmu.s2_fault_ipa = ipa;
            return Err(kind);
        }
        r
    }

    /// Both stages for one access of the Non-secure PL1&0 regime: the combined
    /// translation (VA -> PA, permissions of both stages, combined attributes; the page
    /// size stays stage 1's, which is what invalidation by VA needs).
    pub(crate) fn translate_s12(
        &mut self,
        va: u32,
        access: AccessType,
        unpriv: bool,
    ) -> Result<Translation, FaultKind> {
        let t1 = self.walk_s1_via_s2(va)?;
        t1.check(access, unpriv)?;
        let t2 = self.stage2_access(t1.pa, access)?;
        Ok(Translation {
            pa: t2.pa,
            perms: t1.perms & t2.perm_mask(),
            attrs: combine_attrs(t1.attrs, &t2),
            ..t1
        })
    }

    /// ATS12NSOPR/PW/UR/UW (B3.14, address translation operations): both
    /// stages of the Non-secure PL1&0 regime into PAR; the 64-bit format when the
    /// Non-secure TTBCR.EAE is 1 or stage 2 is enabled (HCR.VM or HCR.DC), B4.1.112.
    /// Without stage 2 this is the stage 1 translation (PA = IPA).
    pub(crate) fn ats12nso(&mut self, va: u32, access: AccessType, unpriv: bool) {
        let s2 = self.s.hcr & (HCR_VM | HCR_DC) != 0;
        let long = self.s.ttbcr & TTBCR_EAE != 0 || s2;
        let result = if s2 {
            self.translate_s12(va, access, unpriv)
        } else {
            self.walk_s1_via_s2(va)
                .and_then(|t| t.check(access, unpriv).map(|_| t))
        };
        self.set_par(result, va, access, long);
    }

    /// Takes a stage 2 Data or Prefetch Abort from Non-secure PL0/PL1 to Hyp mode (B1.8,
    /// B3.13.6): through the Hyp Trap vector with ELR_hyp = the faulting instruction,
    /// HDFAR/HIFAR = the VA, HPFAR = IPA[39:12] in [31:4], and HSR EC 0x24/0x20 with the
    /// abort ISS. Returns false (nothing done) for any other exception.
    #[cold]
    #[inline(never)]
    pub(crate) fn take_stage2_abort(&mut self, e: &Exception) -> bool {
        let (f, data) = match e {
            Exception::DataAbort(f) => (f, true),
            Exception::PrefetchAbort(f) => (f, false),
            _ => return false,
        };
        let Some(w) = f.walk() else {
            return false;
        };
        if w.flags & walk_flags::STAGE2 == 0 || !self.s.is_ns_below_hyp() {
            return false;
        }
        let pc = self.s.cur_pc;
        self.s.hpfar = ((self.mmu.s2_fault_ipa >> 12) << 4) as u32;
        let ea = matches!(f.kind, FaultKind::ExternalOnWalk(_)) as u32;
        let s1ptw = w.flags & walk_flags::S1PTW != 0;
        let common = f.long_status() | (ea << 9) | ((s1ptw as u32) << 7);
        if data {
            // ISV only for the single-register loads and stores without writeback, and
            // never for a fault on a stage 1 walk; IL is 1 without a syndrome (QEMU).
            let (isv, il32) = if s1ptw {
                (0, true)
            } else {
                match self.data_abort_insn_syndrome(pc) {
                    Some((iss, il32)) => (iss, il32),
                    None => (0, true),
                }
            };
            self.s.hdfar = f.vaddr;
            let iss = isv | common | ((f.write as u32) << 6);
            self.enter_hyp(Some(hsr(ec::DABT_LOWER, il32, iss)), pc, hyp_vector::TRAP);
        } else {
            self.s.hifar = f.vaddr;
            self.enter_hyp(
                Some(hsr(ec::PABT_LOWER, true, common)),
                pc,
                hyp_vector::TRAP,
            );
        }
        true
    }

    /// ISV, SAS, SSE and SRT (ISS[24:16]) of the instruction at `pc`, re-read at fault
    /// time, with IL; `None` when it has no instruction syndrome (or cannot be read).
    fn data_abort_insn_syndrome(&mut self, pc: u32) -> Option<(u32, bool)> {
        if self.s.is_thumb() {
            let hw1 = self.peek_code(pc, 2)?;
            if crate::decode::t32_is_wide(hw1) {
                let hw2 = self.peek_code(pc.wrapping_add(2), 2)?;
                syndrome::t32(hw1, hw2).map(|s| (s.iss(), true))
            } else {
                syndrome::t16(hw1).map(|s| (s.iss(), false))
            }
        } else {
            let w = self.peek_code(pc, 4)?;
            syndrome::a32(w).map(|s| (s.iss(), true))
        }
    }
}
