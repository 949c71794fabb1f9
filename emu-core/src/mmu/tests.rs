//! Unit tests of the walks (page tables built in a map-backed `PhysRead`), the fault
//! status values, the TLB, and the MMU as the core uses it.

use std::collections::HashMap;

use super::*;
use crate::exception::{Exception, WalkInfo};

#[derive(Default)]
struct Mem(HashMap<u64, u32>);

impl Mem {
    fn w32(&mut self, pa: u64, v: u32) {
        self.0.insert(pa, v);
    }
    fn w64(&mut self, pa: u64, v: u64) {
        self.0.insert(pa, v as u32);
        self.0.insert(pa + 4, (v >> 32) as u32);
    }
}

impl PhysRead for Mem {
    fn read_u32(&mut self, pa: u64) -> Option<u32> {
        if pa >= 0xf000_0000 {
            return None; // an address nothing answers: external abort on the walk
        }
        Some(self.0.get(&pa).copied().unwrap_or(0))
    }
    fn read_u64(&mut self, pa: u64) -> Option<u64> {
        Some(self.read_u32(pa)? as u64 | (self.read_u32(pa + 4)? as u64) << 32)
    }
}

fn fault(kind: FaultKind, write: bool) -> MemFault {
    MemFault {
        kind,
        vaddr: 0,
        write,
    }
}

// ---- short-descriptor format ----------------------------------------------------------

const L1: u64 = 0x4000;

fn short_regs() -> TransRegs {
    TransRegs {
        sctlr: 1,
        ttbr0: L1,
        dacr: 0x5555_5555,
        ..Default::default()
    }
}

/// Section descriptor: base, AP[2:0], domain, extra bits.
fn section(base: u32, ap: u32, domain: u32, extra: u32) -> u32 {
    base | ((ap & 3) << 10) | ((ap >> 2) << 15) | (domain << 5) | 0b10 | extra
}

#[test]
fn short_section() {
    let mut m = Mem::default();
    m.w32(L1 + (0x123 * 4), section(0x8000_0000, 0b011, 3, 0));
    let t = walk(&short_regs(), 0x1234_5678, &mut m).unwrap();
    assert_eq!(t.pa, 0x8004_5678);
    assert_eq!(t.page_size, 1 << 20);
    assert_eq!(t.perms, perm::ALL);
    assert!(t.global);
    assert_eq!((t.level, t.domain), (1, 3));
    assert!(t.ns);
}

#[test]
fn short_supersection_extended_address() {
    let mut m = Mem::default();
    // PA[35:32] = 0x5 in bits [23:20], PA[39:36] = 0x2 in bits [8:5].
    let d = 0x4300_0000 | (1 << 18) | (0x5 << 20) | (0x2 << 5) | (3 << 10) | 0b10;
    for i in 0..16 {
        m.w32(L1 + ((0x400 + i) * 4), d);
    }
    let t = walk(&short_regs(), 0x40ab_cdef, &mut m).unwrap();
    assert_eq!(t.pa, 0x25_43ab_cdef);
    assert!(t.supersection);
    assert_eq!(t.domain, 0);
    assert_eq!(par_success(&t, false), 0x4300_0000 | 2 | (1 << 9));
}

#[test]
fn short_small_and_large_pages() {
    let mut m = Mem::default();
    m.w32(L1 + 0x800 * 4, 0x0000_8000 | (5 << 5) | 0b01); // page table at 0x8000, domain 5
                                                          // small page at VA 0x8000_3000 -> 0x1234_5000, AP=011, nG, XN
    m.w32(0x8000 + 3 * 4, 0x1234_5000 | (3 << 4) | (1 << 11) | 0b11);
    // large page at VA 0x8001_0000 (entries 16..31) -> 0xabcd_0000, AP=010
    for i in 16..32 {
        m.w32(0x8000 + i * 4, 0xabcd_0000 | (2 << 4) | 0b01);
    }
    let r = short_regs();
    let t = walk(&r, 0x8000_3abc, &mut m).unwrap();
    assert_eq!(t.pa, 0x1234_5abc);
    assert_eq!((t.page_size, t.level, t.domain), (4096, 2, 5));
    assert!(!t.global);
    assert_eq!(t.perms, perm::R1 | perm::W1 | perm::R0 | perm::W0);
    let t = walk(&r, 0x8001_f123, &mut m).unwrap();
    assert_eq!(t.pa, 0xabcd_f123);
    assert_eq!(t.page_size, 1 << 16);
    assert_eq!(
        t.perms,
        perm::R1 | perm::W1 | perm::X1 | perm::R0 | perm::X0
    );
    assert_eq!(
        t.check(AccessType::Write, true),
        Err(FaultKind::Permission(WalkInfo::at(2, 5)))
    );
}

#[test]
fn short_faults_and_fsr() {
    let mut m = Mem::default();
    let r = short_regs();
    // Level 1 translation fault.
    let e = walk(&r, 0x0010_0000, &mut m).unwrap_err();
    assert_eq!(e, FaultKind::Translation(WalkInfo::at(1, 0)));
    assert_eq!(fault(e, false).short_fsr(), 0x005);
    assert_eq!(fault(e, true).short_fsr(), 0x805);
    assert_eq!(fault(e, false).long_fsr(), 0x205);
    // Level 2 translation fault reports the table's domain.
    m.w32(L1 + 4, 0x0000_9000 | (7 << 5) | 1);
    let e = walk(&r, 0x0010_0000, &mut m).unwrap_err();
    assert_eq!(fault(e, false).short_fsr(), 0x077);
    // Domain faults: section (level 1) and page (level 2).
    m.w32(L1 + 8, section(0x8000_0000, 3, 9, 0));
    let mut r2 = r;
    r2.dacr = 0;
    let e = walk(&r2, 0x0020_0000, &mut m).unwrap_err();
    assert_eq!(fault(e, false).short_fsr(), 0x099);
    m.w32(0x9000, 0x8000_0000 | (3 << 4) | 2);
    let e = walk(&r2, 0x0010_0000, &mut m).unwrap_err();
    assert_eq!(fault(e, true).short_fsr(), 0x87b);
    // Permission: AP=001 from PL0; level 1 and 2.
    m.w32(L1 + 12, section(0x8000_0000, 0b001, 2, 0));
    let t = walk(&r, 0x0030_0000, &mut m).unwrap();
    let e = t.check(AccessType::Read, true).unwrap_err();
    assert_eq!(fault(e, false).short_fsr(), 0x02d);
    assert_eq!(fault(e, false).long_fsr(), 0x20d);
    assert!(t.check(AccessType::Read, false).is_ok());
    m.w32(0x9000, 0x8000_0000 | (1 << 4) | 2);
    let e = translate(&r, 0x0010_0000, AccessType::Write, true, &mut m).unwrap_err();
    assert_eq!(fault(e, true).short_fsr(), 0x87f);
    // External abort on the walk.
    let mut r3 = r;
    r3.ttbr0 = 0xf000_0000;
    let e = walk(&r3, 0, &mut m).unwrap_err();
    assert_eq!(fault(e, false).short_fsr(), 0x00c);
    assert_eq!(fault(e, false).long_fsr(), 0x215);
    // Alignment and external.
    assert_eq!(fault(FaultKind::Alignment, true).short_fsr(), 0x801);
    assert_eq!(fault(FaultKind::Alignment, false).long_fsr(), 0x221);
    assert_eq!(fault(FaultKind::External, false).short_fsr(), 0x008);
}

#[test]
fn short_ap_table() {
    let mut m = Mem::default();
    let r = short_regs();
    let expect = [
        (0b000, 0, 0),
        (0b001, 3, 0),
        (0b010, 3, 1),
        (0b011, 3, 3),
        (0b100, 0, 0),
        (0b101, 1, 0),
        (0b110, 1, 1),
        (0b111, 1, 1),
    ];
    for (ap, p1, p0) in expect {
        m.w32(L1, section(0x8000_0000, ap, 0, 1 << 4));
        let t = walk(&r, 0x1000, &mut m).unwrap();
        assert_eq!(t.perms, p1 | (p0 << 3), "AP={ap:03b}");
    }
}

#[test]
fn short_access_flag_and_xn() {
    let mut m = Mem::default();
    let mut r = short_regs();
    r.sctlr |= sctlr_bits::AFE;
    // AP[0] = 0: access flag fault (level 1); XN first for fetches.
    m.w32(L1, section(0x8000_0000, 0b010, 1, 1 << 4));
    let t = walk(&r, 0x1000, &mut m).unwrap();
    let e = t.check(AccessType::Read, false).unwrap_err();
    assert_eq!(fault(e, false).short_fsr(), 0x013);
    assert_eq!(fault(e, false).long_fsr(), 0x209);
    assert_eq!(
        t.check(AccessType::Fetch, false),
        Err(FaultKind::Permission(WalkInfo::at(1, 1)))
    );
    // Simplified model: AP[2:1] = 01, AP[0] = 1 -> read/write for everyone.
    m.w32(L1, section(0x8000_0000, 0b011, 1, 0));
    assert_eq!(walk(&r, 0x1000, &mut m).unwrap().perms, perm::ALL);
    // AP[2:1] = 11: read-only for everyone.
    m.w32(L1, section(0x8000_0000, 0b111, 1, 0));
    let t = walk(&r, 0x1000, &mut m).unwrap();
    assert_eq!(t.perms, perm::R1 | perm::X1 | perm::R0 | perm::X0);
    // Level 2 access flag fault.
    m.w32(L1 + 4, 0x9000 | 1);
    m.w32(0x9000, 0x8000_0000 | 2);
    let e = walk(&r, 0x0010_0000, &mut m)
        .unwrap()
        .check(AccessType::Write, false)
        .unwrap_err();
    assert_eq!(fault(e, true).short_fsr(), 0x806);
    // PXN section (type 0b11, bit 0): PL1 may not execute, PL0 may.
    m.w32(L1, section(0x8000_0000, 0b011, 0, 1));
    let t = walk(&r, 0x1000, &mut m).unwrap();
    assert!(t.check(AccessType::Fetch, false).is_err());
    assert!(t.check(AccessType::Fetch, true).is_ok());
    // Manager domain: nothing is checked.
    r.dacr = 3;
    m.w32(L1, section(0x8000_0000, 0b000, 0, 1 << 4));
    assert_eq!(walk(&r, 0x1000, &mut m).unwrap().perms, perm::ALL);
}

#[test]
fn short_ttbcr_split() {
    let mut m = Mem::default();
    let mut r = short_regs();
    r.ttbcr = 2; // TTBR0 covers 0..1 GiB, its table is 4 KiB
    r.ttbr0 = 0x1000;
    r.ttbr1 = 0x8000;
    m.w32(0x1000 + 0x3ff * 4, section(0x1000_0000, 3, 0, 0));
    m.w32(0x8000 + 0xc00 * 4, section(0x2000_0000, 3, 0, 0));
    assert_eq!(walk(&r, 0x3ff0_0010, &mut m).unwrap().pa, 0x1000_0010);
    assert_eq!(walk(&r, 0xc000_0020, &mut m).unwrap().pa, 0x2000_0020);
    r.ttbcr |= 1 << 5; // PD1
    assert_eq!(
        walk(&r, 0xc000_0020, &mut m),
        Err(FaultKind::Translation(WalkInfo::at(1, 0)))
    );
    r.ttbcr = 2 | (1 << 4); // PD0
    assert!(walk(&r, 0x3ff0_0010, &mut m).is_err());
    assert!(walk(&r, 0xc000_0020, &mut m).is_ok());
}

#[test]
fn short_attributes_and_tex_remap() {
    let mut m = Mem::default();
    let mut r = short_regs();
    // TEX=001 C=1 B=1: Normal write-back write-allocate.
    m.w32(L1, section(0x8000_0000, 3, 0, (1 << 12) | 0b1100));
    assert_eq!(walk(&r, 0, &mut m).unwrap().attrs.attr, 0xff);
    // TEX=000 C=0 B=0: Strongly-ordered.
    m.w32(L1, section(0x8000_0000, 3, 0, 0));
    assert_eq!(walk(&r, 0, &mut m).unwrap().attrs.attr, 0x00);
    // TEX remap: index 3 (C=1, B=1) is Normal, inner WT, outer WB-WA.
    r.sctlr |= sctlr_bits::TRE;
    r.prrr = 2 << 6;
    r.nmrr = (2 << 6) | (1 << 22);
    m.w32(L1, section(0x8000_0000, 3, 0, 0b1100));
    assert_eq!(walk(&r, 0, &mut m).unwrap().attrs.attr, 0xfa);
    // index 0: Strongly-ordered per PRRR.
    m.w32(L1, section(0x8000_0000, 3, 0, 0));
    assert_eq!(walk(&r, 0, &mut m).unwrap().attrs.attr, 0x00);
}

// ---- long-descriptor format -----------------------------------------------------------

const TABLE: u64 = 3;
const AF: u64 = 1 << 10;

fn lpae_regs() -> TransRegs {
    TransRegs {
        sctlr: 1,
        ttbcr: TTBCR_EAE,
        ttbr0: 0x1000,
        prrr: 0x0044_ff04,
        ..Default::default()
    }
}

#[test]
fn lpae_three_levels() {
    let mut m = Mem::default();
    m.w64(0x1000 + 8 * 2, 0x2000 | TABLE); // L1 index 2: 0x8000_0000
    m.w64(0x2000 + 8 * 3, 0x3000 | TABLE); // L2 index 3: +6 MiB
                                           // L3 index 5: page at PA 0xab_cdef_0000, AttrIndx 1, SH=3, AP=01, nG
    m.w64(
        0x3000 + 8 * 5,
        0xab_cdef_0000 | AF | (3 << 8) | (1 << 6) | (1 << 2) | (1 << 11) | 3,
    );
    let r = lpae_regs();
    let t = walk(&r, 0x8060_5123, &mut m).unwrap();
    assert_eq!(t.pa, 0xab_cdef_0123);
    assert_eq!((t.page_size, t.level), (4096, 3));
    assert_eq!(t.perms, perm::ALL);
    assert_eq!(t.attrs, MemAttrs { attr: 0xff, sh: 3 });
    assert!(!t.global);
    assert_eq!(
        par_success(&t, true),
        0xff00_00ab_cdef_0000 | (1 << 11) | (1 << 9) | (3 << 7)
    );
}

#[test]
fn lpae_blocks() {
    let mut m = Mem::default();
    let r = lpae_regs();
    // 1 GiB block at L1 index 1 -> PA 0x40_c000_0000, AP=10 (PL1 read-only).
    m.w64(0x1000 + 8, 0x40_c000_0000 | AF | (2 << 6) | 1);
    let t = walk(&r, 0x4123_4567, &mut m).unwrap();
    assert_eq!(t.pa, 0x40_c123_4567);
    assert_eq!((t.page_size, t.level), (1 << 30, 1));
    assert_eq!(t.perms, perm::R1 | perm::X1);
    let e = t.check(AccessType::Write, false).unwrap_err();
    assert_eq!(fault(e, true).long_fsr(), 0xa0d);
    // 2 MiB block at L2.
    m.w64(0x1000, 0x2000 | TABLE);
    m.w64(0x2000 + 8 * 7, 0x1234_0000_0000 & 0xff_ffe0_0000 | AF | 1);
    let t = walk(&r, 0x00e1_2345, &mut m).unwrap();
    assert_eq!(t.pa, (0x1234_0000_0000 & 0xff_ffe0_0000) | 0x1_2345);
    assert_eq!((t.page_size, t.level), (1 << 21, 2));
}

#[test]
fn lpae_faults() {
    let mut m = Mem::default();
    let r = lpae_regs();
    let fsr = |e: FaultKind| fault(e, false).long_fsr();
    assert_eq!(fsr(walk(&r, 0, &mut m).unwrap_err()), 0x205);
    m.w64(0x1000, 0x2000 | TABLE);
    assert_eq!(fsr(walk(&r, 0, &mut m).unwrap_err()), 0x206);
    m.w64(0x2000, 0x3000 | TABLE);
    assert_eq!(fsr(walk(&r, 0, &mut m).unwrap_err()), 0x207);
    // Level 3 "block" encoding (bit 1 clear) is reserved: translation fault.
    m.w64(0x3000, 0x8000_0000 | AF | 1);
    assert_eq!(fsr(walk(&r, 0, &mut m).unwrap_err()), 0x207);
    // Access flag 0.
    m.w64(0x3000, 0x8000_0000 | 3);
    let e = walk(&r, 0, &mut m).unwrap().check(AccessType::Read, false);
    assert_eq!(fsr(e.unwrap_err()), 0x20b);
    // External abort on the level 2 read.
    m.w64(0x1000, 0xf000_0000 | TABLE);
    assert_eq!(fsr(walk(&r, 0, &mut m).unwrap_err()), 0x216);
}

#[test]
fn lpae_table_attributes() {
    let mut m = Mem::default();
    let r = lpae_regs();
    let page = 0x8000_0000 | AF | (1 << 6) | 3; // AP=01: RW at PL0 and PL1
    m.w64(0x2000, 0x3000 | TABLE);
    m.w64(0x3000, page);
    // APTable = 01: no PL0 access.
    m.w64(0x1000, 0x2000 | TABLE | (1 << 61));
    assert_eq!(
        walk(&r, 0, &mut m).unwrap().perms,
        perm::R1 | perm::W1 | perm::X1
    );
    // APTable = 10: read-only.
    m.w64(0x1000, 0x2000 | TABLE | (2 << 61));
    assert_eq!(
        walk(&r, 0, &mut m).unwrap().perms,
        perm::R1 | perm::X1 | perm::R0 | perm::X0
    );
    // XNTable, PXNTable.
    m.w64(0x1000, 0x2000 | TABLE | (1 << 60));
    assert_eq!(
        walk(&r, 0, &mut m).unwrap().perms,
        perm::R1 | perm::W1 | perm::R0 | perm::W0
    );
    m.w64(0x1000, 0x2000 | TABLE | (1 << 59));
    assert_eq!(
        walk(&r, 0, &mut m).unwrap().perms,
        perm::R1 | perm::W1 | perm::R0 | perm::W0 | perm::X0
    );
}

#[test]
fn lpae_split_epd_asid() {
    let mut m = Mem::default();
    let mut r = lpae_regs();
    // T0SZ = 2 (1 GiB, starts at level 2), T1SZ = 1 (2 GiB, starts at level 1).
    r.ttbcr = TTBCR_EAE | 2 | (1 << 16);
    r.ttbr0 = 0x5000 | (7 << 48);
    r.ttbr1 = 0x6000 | (9 << 48);
    m.w64(0x5000 + 8 * 511, 0x0060_0000 | AF | 1); // 2 MiB block at 0x3fe0_0000
    m.w64(0x6000 + 8, 0x4000_0000 | AF | 1); // 1 GiB block at 0xc000_0000 (index 1)
    assert_eq!(walk(&r, 0x3fe0_0004, &mut m).unwrap().pa, 0x0060_0004);
    assert_eq!(walk(&r, 0xc000_0008, &mut m).unwrap().pa, 0x4000_0008);
    // Between the regions: level 1 translation fault.
    assert_eq!(
        walk(&r, 0x4000_0000, &mut m),
        Err(FaultKind::Translation(WalkInfo::at(1, 0)))
    );
    assert_eq!(r.asid(), 7);
    r.ttbcr |= 1 << 22; // A1
    assert_eq!(r.asid(), 9);
    r.ttbcr |= 1 << 23; // EPD1
    assert_eq!(
        walk(&r, 0xc000_0008, &mut m),
        Err(FaultKind::Translation(WalkInfo::at(1, 0)))
    );
}

#[test]
fn lpae_wxn() {
    let mut m = Mem::default();
    let mut r = lpae_regs();
    r.sctlr |= sctlr_bits::WXN;
    m.w64(0x1000, AF | (1 << 6) | 1); // RW everywhere
    assert_eq!(
        walk(&r, 0, &mut m).unwrap().perms,
        perm::R1 | perm::W1 | perm::R0 | perm::W0
    );
}

#[test]
fn par_fault_formats() {
    let f = fault(FaultKind::Permission(WalkInfo::at(2, 3)), false);
    // short: FS = 0b01111 -> PAR[5:1], F
    assert_eq!(par_fault(&f, false), (0xf << 1) | 1);
    assert_eq!(par_fault(&f, true), 1 | (1 << 11) | (0xe << 1));
    let f = fault(FaultKind::Translation(WalkInfo::at(1, 0)), false);
    assert_eq!(par_fault(&f, false), (0x5 << 1) | 1);
}

// ---- TLB -----------------------------------------------------------------------------

fn tr(pa: u64, size: u64, global: bool) -> Translation {
    Translation {
        pa,
        page_size: size,
        perms: perm::R1 | perm::W1,
        xn_early: 0,
        af_fault: false,
        attrs: MemAttrs::default(),
        ns: true,
        global,
        supersection: false,
        level: 1,
        domain: 0,
        lpae: false,
    }
}

#[test]
fn tlb_fill_lookup_invalidate() {
    let mut t = tlb::Tlb::new();
    t.asid = 5;
    t.fill(0x1000_0000, &tr(0x8000_0000, 4096, false), 5);
    t.fill(0x2010_0000, &tr(0x9010_0000, 1 << 20, true), 5);
    t.fill(0x2000_3000, &tr(0x9000_3000, 1 << 20, true), 5);
    assert_eq!(t.lookup(0x1000_0abc, perm::R1), Some(0x8000_0abc));
    assert_eq!(t.lookup(0x1000_0abc, perm::X1), None);
    assert_eq!(t.lookup(0x1000_0abc, perm::R0), None);
    // Another ASID sees the global entries only.
    t.asid = 6;
    assert_eq!(t.lookup(0x1000_0abc, perm::R1), None);
    assert_eq!(t.lookup(0x2010_0004, perm::W1), Some(0x9010_0004));
    t.asid = 5;
    // TLBIASID 6 keeps ASID 5 and the globals.
    t.flush_asid(6);
    assert_eq!(t.valid_entries(), 3);
    t.flush_asid(5);
    assert_eq!(t.lookup(0x1000_0abc, perm::R1), None);
    assert_eq!(t.valid_entries(), 2);
    // TLBIMVA of any address in a section drops every page cached from it.
    t.flush_va_asid(0x2000_0000, 1);
    assert_eq!(t.valid_entries(), 1);
    t.flush_va(0x2010_0000);
    assert_eq!(t.valid_entries(), 0);
    t.fill(0x1000_0000, &tr(0x8000_0000, 4096, false), 5);
    t.flush_all();
    assert_eq!(t.valid_entries(), 0);
}

// ---- the core ------------------------------------------------------------------------

mod core {
    use super::*;
    use crate::cpu::{Cpu, CpuConfig};
    use crate::memory::{Acc, Ram};
    use crate::state::Mode;
    use crate::sysreg::CpReg;

    const RAM: u64 = 0x8000_0000;
    const TT: u32 = 0x8001_0000;

    fn cp15(opc1: u8, crn: u8, crm: u8, opc2: u8) -> CpReg {
        CpReg {
            cp: 15,
            opc1,
            crn,
            crm,
            opc2,
        }
    }

    fn put(c: &mut Cpu, pa: u32, v: u32) {
        c.ram
            .slice_mut(pa as u64, 4)
            .unwrap()
            .copy_from_slice(&v.to_le_bytes());
    }

    /// RAM identity-mapped by a section; VA 0x1000_0000 -> PA 0x8003_0000 (small page).
    fn mmu_cpu() -> Cpu {
        let mut c = Cpu::new(CpuConfig::default(), Ram::new(RAM, 1 << 20).unwrap());
        c.reset(RAM as u32, Mode::Svc);
        put(&mut c, TT + 0x800 * 4, section(0x8000_0000, 0b011, 0, 0));
        put(&mut c, TT + 0x100 * 4, 0x8002_0000 | 1);
        put(&mut c, 0x8002_0000, 0x8003_0000 | (1 << 4) | 2); // AP=001: PL1 only
        put(&mut c, 0x8002_0004, 0x8003_1000 | (3 << 4) | 2 | 1); // AP=011, XN
        put(&mut c, 0x8003_0010, 0xdead_beef);
        c.cp_write(cp15(0, 2, 0, 0), TT).unwrap();
        c.cp_write(cp15(0, 3, 0, 0), 1).unwrap();
        let s = c.cp_read(cp15(0, 1, 0, 0)).unwrap();
        c.cp_write(cp15(0, 1, 0, 0), s | 1).unwrap();
        c
    }

    #[test]
    fn data_access_through_the_mmu() {
        let mut c = mmu_cpu();
        assert_eq!(c.read_u32(0x1000_0010, Acc::NORMAL), Ok(0xdead_beef));
        assert!(c.mmu.tlb.valid_entries() >= 1);
        c.write_u32(0x1000_0014, 0x1234_5678, Acc::NORMAL).unwrap();
        assert_eq!(c.read_u32(0x8003_0014, Acc::NORMAL), Ok(0x1234_5678));
        // A word across the two pages.
        c.write_u32(0x1000_0ffe, 0xaabb_ccdd, Acc::NORMAL).unwrap();
        assert_eq!(c.read_u32(0x1000_0ffe, Acc::NORMAL), Ok(0xaabb_ccdd));
        assert_eq!(c.read_u8(0x8003_1000, Acc::NORMAL), Ok(0xbb));
        // Unprivileged access to the PL1-only page: permission fault, level 2.
        let e = c.read_u32(0x1000_0010, Acc::UNPRIV).unwrap_err();
        let Exception::DataAbort(f) = e else {
            panic!("{e:?}")
        };
        assert_eq!((f.short_fsr(), f.vaddr), (0x00f, 0x1000_0010));
        // Unmapped: translation fault, level 1; taken, DFSR/DFAR written.
        let e = c.write_u32(0x2000_0000, 0, Acc::NORMAL).unwrap_err();
        c.take_exception(e);
        assert_eq!((c.s.dfsr, c.s.dfar), (0x805, 0x2000_0000));
    }

    #[test]
    fn fetch_execute_never_is_a_prefetch_abort() {
        let mut c = mmu_cpu();
        let e = c.fetch_u32(0x1000_1000).unwrap_err();
        c.take_exception(e);
        assert_eq!((c.s.ifsr, c.s.ifar), (0x00f, 0x1000_1000));
        assert!(c.fetch_u32(0x1000_0000).is_ok());
    }

    #[test]
    fn tlb_maintenance_and_remap() {
        let mut c = mmu_cpu();
        assert_eq!(c.read_u32(0x1000_0010, Acc::NORMAL), Ok(0xdead_beef));
        // Remap the page without invalidation: the TLB still holds the old mapping.
        put(&mut c, 0x8002_0000, 0x8004_0000 | (1 << 4) | 2);
        put(&mut c, 0x8004_0010, 0x600d_f00d);
        assert_eq!(c.read_u32(0x1000_0010, Acc::NORMAL), Ok(0xdead_beef));
        c.cp_write(cp15(0, 8, 7, 1), 0x1000_0000).unwrap(); // TLBIMVA
        assert_eq!(c.read_u32(0x1000_0010, Acc::NORMAL), Ok(0x600d_f00d));
        c.cp_write(cp15(0, 8, 7, 0), 0).unwrap(); // TLBIALL
        assert_eq!(c.mmu.tlb.valid_entries(), 0);
    }

    #[test]
    fn ats_and_par() {
        let mut c = mmu_cpu();
        c.cp_write(cp15(0, 7, 8, 0), 0x1000_0123).unwrap(); // ATS1CPR
        assert_eq!(c.cp_read(cp15(0, 7, 4, 0)), Ok(0x8003_0000));
        c.cp_write(cp15(0, 7, 8, 2), 0x1000_0123).unwrap(); // ATS1CUR: PL1 only
        assert_eq!(c.cp_read(cp15(0, 7, 4, 0)), Ok((0xf << 1) | 1));
        assert_eq!(c.cp_read64(15, 0, 7), Ok((0xf << 1) | 1));
    }

    #[test]
    fn lpae_through_the_core() {
        let mut c = mmu_cpu();
        // L1 index 2 (0x8000_0000): 1 GiB block, identity; L1 index 0 -> L2 -> L3.
        let t = 0x8005_0000u32;
        let w64 = |c: &mut Cpu, pa: u32, v: u64| {
            put(c, pa, v as u32);
            put(c, pa + 4, (v >> 32) as u32);
        };
        w64(&mut c, t + 16, 0x8000_0000 | AF | (1 << 6) | 1);
        w64(&mut c, t, 0x8006_0000 | TABLE);
        w64(&mut c, 0x8006_0000, 0x8007_0000 | TABLE);
        w64(&mut c, 0x8007_0000 + 8, 0x8003_0000 | AF | (2 << 6) | 3); // RO at VA 0x1000
        c.cp_write64(15, 0, 2, t as u64 | (3 << 48)).unwrap(); // TTBR0, ASID 3
        assert_eq!(c.cp_read64(15, 0, 2), Ok(t as u64 | (3 << 48)));
        c.cp_write(cp15(0, 2, 0, 2), TTBCR_EAE).unwrap();
        assert_eq!(c.mmu.tlb.asid, 3);
        assert_eq!(c.read_u32(0x1010, Acc::NORMAL), Ok(0xdead_beef));
        let e = c.write_u32(0x1010, 0, Acc::NORMAL).unwrap_err();
        c.take_exception(e);
        assert_eq!((c.s.dfsr, c.s.dfar), (0xa0f, 0x1010));
        c.cp_write(cp15(0, 7, 8, 1), 0x1010).unwrap(); // ATS1CPW
        assert_eq!(c.cp_read64(15, 0, 7), Ok(1 | (1 << 11) | (0xf << 1)));
        c.cp_write(cp15(0, 7, 8, 0), 0x1010).unwrap(); // ATS1CPR
        assert_eq!(c.cp_read64(15, 0, 7), Ok(0x8003_0000 | (1 << 11)));
    }

    #[test]
    fn sixty_four_bit_registers_need_pl1() {
        let mut c = mmu_cpu();
        c.s.switch_mode(Mode::Usr);
        assert_eq!(c.cp_read64(15, 0, 2), Err(Exception::Undefined));
        assert_eq!(c.cp_read64(15, 3, 2), Err(Exception::Undefined));
    }
}

// ---- stage 2 ----------------------------------------------------------------------------

fn s2t(memattr: u8, sh: u8) -> stage2::S2Translation {
    stage2::S2Translation {
        pa: 0,
        page_size: 4096,
        perms: 7,
        af_fault: false,
        memattr,
        sh,
        level: 3,
    }
}

#[test]
fn stage2_attribute_combination() {
    use stage2::combine_attrs;
    let a = |attr: u8, sh: u8| MemAttrs { attr, sh };
    // Normal: per outer/inner the weaker cacheability; stage 2 Write-Through keeps
    // stage 1's allocation hints; shareability: the wider.
    assert_eq!(combine_attrs(a(0xff, 3), &s2t(0b1010, 0)), a(0xbb, 3));
    assert_eq!(combine_attrs(a(0xaa, 0), &s2t(0b1111, 3)), a(0xaa, 3));
    assert_eq!(combine_attrs(a(0xff, 0), &s2t(0b1101, 2)), a(0xf4, 2));
    assert_eq!(combine_attrs(a(0xee, 3), &s2t(0b0111, 0)), a(0x4e, 3));
    // Non-cacheable everywhere, and every Device kind: Outer Shareable.
    assert_eq!(combine_attrs(a(0x44, 0), &s2t(0b1111, 0)), a(0x44, 2));
    assert_eq!(combine_attrs(a(0x04, 0), &s2t(0b1111, 3)), a(0x04, 2));
    assert_eq!(combine_attrs(a(0xff, 3), &s2t(0b0001, 3)), a(0x04, 2));
    // Strongly-ordered at either stage wins.
    assert_eq!(combine_attrs(a(0xff, 3), &s2t(0b0000, 3)), a(0x00, 2));
    assert_eq!(combine_attrs(a(0x00, 0), &s2t(0b0001, 0)), a(0x00, 2));
}

#[test]
fn stage2_walk_levels_and_faults() {
    let mut m = Mem::default();
    // T0SZ = 0, SL0 = 1: level 1 table of four entries at 0x1_0000.
    let regs = stage2::S2Regs {
        vtcr: 1 << 6,
        vttbr: 0x1_0000 | (5 << 48),
    };
    assert_eq!(regs.vmid(), 5);
    // IPA 0x4000_0000: 1 GiB block, read-only, XN.
    m.w64(
        0x1_0008,
        0x8000_0000 | (1 << 54) | (1 << 10) | (1 << 6) | (0xf << 2) | 1,
    );
    // IPA 0x8000_0000: table -> level 2 table -> level 3 page, write-only.
    m.w64(0x1_0010, 0x2_0000 | 3);
    m.w64(0x2_0008, 0x3_0000 | 3);
    m.w64(
        0x3_0010,
        0x9000_2000 | (1 << 10) | (2 << 6) | (0b0101 << 2) | 3,
    );
    let t = stage2::walk(&regs, 0x4123_4567, &mut m).unwrap();
    assert_eq!((t.pa, t.page_size, t.level), (0x8123_4567, 1 << 30, 1));
    assert_eq!(t.perms, stage2::s2perm::R);
    assert!(t.check(AccessType::Read).is_ok());
    let w = WalkInfo {
        level: 1,
        domain: 0,
        flags: crate::exception::walk_flags::STAGE2,
    };
    assert_eq!(t.check(AccessType::Write), Err(FaultKind::Permission(w)));
    assert_eq!(t.check(AccessType::Fetch), Err(FaultKind::Permission(w)));
    let t = stage2::walk(&regs, 0x8020_2abc, &mut m).unwrap();
    assert_eq!((t.pa, t.level, t.memattr), (0x9000_2abc, 3, 0b0101));
    assert_eq!(t.perms, stage2::s2perm::W);
    // Faults carry the stage 2 flag and the level.
    let tf = |level| {
        Err(FaultKind::Translation(WalkInfo {
            level,
            domain: 0,
            flags: crate::exception::walk_flags::STAGE2,
        }))
    };
    assert_eq!(stage2::walk(&regs, 0x0000_1000, &mut m), tf(1));
    assert_eq!(stage2::walk(&regs, 0x8000_0000, &mut m), tf(2));
    assert_eq!(stage2::walk(&regs, 0x8020_0000, &mut m), tf(3));
    assert_eq!(
        stage2::walk(&regs, 0x1_0000_0000, &mut m),
        tf(1),
        "beyond 2^32"
    );
    // A table read nothing answers.
    let bad = stage2::S2Regs {
        vtcr: 1 << 6,
        vttbr: 0xf000_0000,
    };
    assert!(matches!(
        stage2::walk(&bad, 0, &mut m),
        Err(FaultKind::ExternalOnWalk(WalkInfo { level: 1, .. }))
    ));
    // SL0 = 2 is reserved.
    let res = stage2::S2Regs {
        vtcr: 2 << 6,
        vttbr: 0x1_0000,
    };
    assert_eq!(stage2::walk(&res, 0, &mut m), tf(1));
}

#[test]
fn instruction_syndrome_decoders() {
    use syndrome::{a32, t16, t32, LsSyndrome};
    let s = |sas, sse, srt| Some(LsSyndrome { sas, sse, srt });
    // A32: LDR literal, LDRB register, STRH with negative register offset.
    assert_eq!(a32(0xe59f0010), s(2, false, 0));
    assert_eq!(a32(0xe7d12003), s(0, false, 2));
    assert_eq!(a32(0xe10130b2), s(1, false, 3));
    // None: LDREX, SWP, a media instruction, PLD, STRD, LDRSH post-indexed.
    for w in [
        0xe1910f9f, 0xe1010092, 0xe6112f11, 0xf5d1f000, 0xe1c120f0, 0xe0d160f2,
    ] {
        assert_eq!(a32(w), None, "{w:#010x}");
    }
    // T16: LDR literal, LDRH immediate, LDRSH register; PUSH and LDM have none.
    assert_eq!(t16(0x4a01), s(2, false, 2));
    assert_eq!(t16(0x8848), s(1, false, 0));
    assert_eq!(t16(0x5e8c), s(1, true, 4));
    assert_eq!(t16(0xb410), None);
    assert_eq!(t16(0xc905), None);
    // T32: LDR literal, LDRSB imm12, STR pre-indexed writeback (none), PLD (none),
    // LDRD (none), STRH.W imm8 negative offset.
    assert_eq!(t32(0xf8df, 0x3008), s(2, false, 3));
    assert_eq!(t32(0xf991, 0x5001), s(0, true, 5));
    assert_eq!(t32(0xf841, 0x0d04), None);
    assert_eq!(t32(0xf891, 0xf000), None);
    assert_eq!(t32(0xe9d1, 0x2300), None);
    assert_eq!(t32(0xf821, 0x6c02), s(1, false, 6));
}
