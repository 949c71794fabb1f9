//! The short-descriptor translation table walk (Arm ARM B3.5): sections, supersections,
//! large and small pages, domains, TEX remap, the access flag (SCTLR.AFE), XN/PXN, nG.
//! Fault ordering and the domain reported with each fault follow QEMU 7.2.

use super::{perm, sctlr_bits, MemAttrs, PhysRead, TransRegs, Translation};
use crate::exception::{FaultKind, WalkInfo};

/// TTBCR fields of the short format.
const TTBCR_N: u32 = 7;
const TTBCR_PD0: u32 = 1 << 4;
const TTBCR_PD1: u32 = 1 << 5;

/// The first-level table address for `va` (TTBCR.N split; PD0/PD1), Arm ARM B3.5.4.
fn l1_address(regs: &TransRegs, va: u32) -> Option<u64> {
    let n = regs.ttbcr & TTBCR_N;
    let mask = !(0xffff_ffffu32 >> n);
    let table = if n != 0 && va & mask != 0 {
        if regs.ttbcr & TTBCR_PD1 != 0 {
            return None;
        }
        regs.ttbr1 as u32 & 0xffff_c000
    } else {
        if regs.ttbcr & TTBCR_PD0 != 0 {
            return None;
        }
        regs.ttbr0 as u32 & !(0x3fffu32 >> n)
    };
    Some((table | ((va >> 18) & 0x3ffc)) as u64)
}

/// Permissions from AP[2:0] with SCTLR.AFE = 0 (Arm ARM B3.7.1 table B3-8): (PL1, PL0)
/// as read/write bit pairs.
fn ap_full(ap: u32) -> (u8, u8) {
    const RW: u8 = 3;
    const RO: u8 = 1;
    match ap & 7 {
        0b001 => (RW, 0),
        0b010 => (RW, RO),
        0b011 => (RW, RW),
        0b101 => (RO, 0),
        0b110 | 0b111 => (RO, RO),
        _ => (0, 0), // 000: no access; 100: reserved
    }
}

/// Permissions from AP[2:1] (simplified model, SCTLR.AFE = 1; also LPAE AP[2:1]).
pub(super) fn ap_simple(ap21: u32) -> (u8, u8) {
    match ap21 & 3 {
        0 => (3, 0),
        1 => (3, 3),
        2 => (1, 0),
        _ => (1, 1),
    }
}

/// One cacheability field (C,B or NMRR IRn/ORn) as a MAIR nibble.
fn cache_nibble(v: u32) -> u8 {
    match v & 3 {
        0 => 0x4, // Non-cacheable
        1 => 0xf, // Write-Back, Write-Allocate
        2 => 0xa, // Write-Through, no Write-Allocate
        _ => 0xe, // Write-Back, no Write-Allocate
    }
}

/// Memory attributes from TEX[2:0], C, B, S (Arm ARM B3.8.2, and B3.8.3 for TEX remap).
fn attributes(regs: &TransRegs, tex: u32, c: u32, b: u32, s: u32) -> MemAttrs {
    let normal_sh = if s != 0 { 3 } else { 0 };
    if regs.sctlr & sctlr_bits::TRE != 0 {
        let n = ((tex & 1) << 2) | (c << 1) | b;
        let ty = (regs.prrr >> (2 * n)) & 3;
        match ty {
            0 => MemAttrs { attr: 0x00, sh: 2 },
            1 => MemAttrs { attr: 0x04, sh: 2 },
            _ => {
                let inner = cache_nibble(regs.nmrr >> (2 * n));
                let outer = cache_nibble(regs.nmrr >> (2 * n + 16));
                // PRRR.NS0/NS1 remap the S bit.
                let shared = if s != 0 {
                    regs.prrr & (1 << 19)
                } else {
                    regs.prrr & (1 << 18)
                };
                let sh = if shared != 0 { 3 } else { 0 };
                MemAttrs {
                    attr: (outer << 4) | inner,
                    sh,
                }
            }
        }
    } else {
        match (tex & 7, c, b) {
            (0, 0, 0) => MemAttrs { attr: 0x00, sh: 2 },
            (0, 0, 1) | (2, 0, 0) => MemAttrs { attr: 0x04, sh: 2 },
            (0, 1, 0) => MemAttrs {
                attr: 0xaa,
                sh: normal_sh,
            },
            (0, 1, 1) => MemAttrs {
                attr: 0xee,
                sh: normal_sh,
            },
            (1, 0, 0) => MemAttrs {
                attr: 0x44,
                sh: normal_sh,
            },
            (1, 1, 1) => MemAttrs {
                attr: 0xff,
                sh: normal_sh,
            },
            (t, c, b) if t & 4 != 0 => MemAttrs {
                attr: (cache_nibble(t & 3) << 4) | cache_nibble((c << 1) | b),
                sh: normal_sh,
            },
            // Reserved encodings: treat as Non-cacheable Normal memory.
            _ => MemAttrs {
                attr: 0x44,
                sh: normal_sh,
            },
        }
    }
}

fn read(mem: &mut dyn PhysRead, pa: u64, level: u8, domain: u8) -> Result<u32, FaultKind> {
    mem.read_u32(pa)
        .ok_or(FaultKind::ExternalOnWalk(WalkInfo::at(level, domain)))
}

/// Walks the short-descriptor tables for `va`.
pub fn walk(regs: &TransRegs, va: u32, mem: &mut dyn PhysRead) -> Result<Translation, FaultKind> {
    let mut domain = 0u8;
    let mut level = 1u8;
    let fault =
        |f: fn(WalkInfo) -> FaultKind, level: u8, domain: u8| f(WalkInfo::at(level, domain));

    let Some(l1_addr) = l1_address(regs, va) else {
        return Err(fault(FaultKind::Translation, 1, 0));
    };
    let d1 = read(mem, l1_addr, 1, 0)?;
    let ty = d1 & 3;
    if ty == 0 {
        return Err(fault(FaultKind::Translation, 1, 0));
    }
    let supersection = ty != 1 && d1 & (1 << 18) != 0;
    if !supersection {
        domain = ((d1 >> 5) & 0xf) as u8;
    }
    if ty == 1 {
        level = 2;
    }
    let dacr_field = (regs.dacr >> (2 * domain as u32)) & 3;
    if dacr_field == 0 || dacr_field == 2 {
        return Err(fault(FaultKind::Domain, level, domain));
    }

    let (pa, page_size, ap, xn, pxn, ns_bit, ng, tex, c, b, s);
    if ty != 1 {
        if supersection {
            pa = (d1 as u64 & 0xff00_0000)
                | (va as u64 & 0x00ff_ffff)
                | (((d1 as u64 >> 20) & 0xf) << 32)
                | (((d1 as u64 >> 5) & 0xf) << 36);
            page_size = 1 << 24;
        } else {
            pa = (d1 as u64 & 0xfff0_0000) | (va as u64 & 0x000f_ffff);
            page_size = 1 << 20;
        }
        ap = ((d1 >> 10) & 3) | ((d1 >> 13) & 4);
        xn = d1 & (1 << 4) != 0;
        pxn = ty == 3 && d1 & 1 != 0;
        ns_bit = d1 & (1 << 19) != 0;
        ng = d1 & (1 << 17) != 0;
        tex = (d1 >> 12) & 7;
        c = (d1 >> 3) & 1;
        b = (d1 >> 2) & 1;
        s = (d1 >> 16) & 1;
    } else {
        pxn = d1 & (1 << 2) != 0;
        ns_bit = d1 & (1 << 3) != 0;
        let l2_addr = (d1 & 0xffff_fc00) | ((va >> 10) & 0x3fc);
        let d2 = read(mem, l2_addr as u64, 2, domain)?;
        ap = ((d2 >> 4) & 3) | ((d2 >> 7) & 4);
        ng = d2 & (1 << 11) != 0;
        c = (d2 >> 3) & 1;
        b = (d2 >> 2) & 1;
        s = (d2 >> 10) & 1;
        match d2 & 3 {
            0 => return Err(fault(FaultKind::Translation, 2, domain)),
            1 => {
                pa = (d2 as u64 & 0xffff_0000) | (va as u64 & 0xffff);
                page_size = 1 << 16;
                xn = d2 & (1 << 15) != 0;
                tex = (d2 >> 12) & 7;
            }
            _ => {
                pa = (d2 as u64 & 0xffff_f000) | (va as u64 & 0xfff);
                page_size = 1 << 12;
                xn = d2 & 1 != 0;
                tex = (d2 >> 6) & 7;
            }
        }
    }

    let mut t = Translation {
        pa,
        page_size,
        perms: perm::ALL,
        xn_early: 0,
        af_fault: false,
        attrs: attributes(regs, tex, c, b, s),
        ns: !regs.secure || ns_bit,
        global: !ng,
        supersection,
        level,
        domain,
        lpae: false,
    };
    if dacr_field == 3 {
        // Manager: no permission checks at all (QEMU also skips XN here).
        return Ok(t);
    }
    // Client: execute-never first (PXN for PL1 only), then the access flag, then AP.
    t.xn_early = (xn || pxn) as u8 | ((xn as u8) << 1);
    let (p1, p0) = if regs.sctlr & sctlr_bits::AFE != 0 {
        if ap & 1 == 0 {
            t.af_fault = true;
        }
        ap_simple(ap >> 1)
    } else {
        ap_full(ap)
    };
    let x1 = p1 != 0 && !xn && !pxn;
    let x0 = p0 != 0 && !xn;
    t.perms = p1 | ((x1 as u8) << 2) | (p0 << 3) | ((x0 as u8) << 5);
    Ok(t)
}
