//! The long-descriptor (LPAE) translation table walk for the PL1&0 stage 1 regime (Arm
//! ARM B3.6): TTBCR.T0SZ/T1SZ split, EPD0/EPD1, three levels (1 GiB and 2 MiB blocks,
//! 4 KiB pages), 40-bit output, hierarchical APTable/XNTable/PXNTable, the access flag,
//! MAIR-indexed attributes and (U)WXN, as QEMU 7.2 implements them.

use super::{sctlr_bits, short::ap_simple, MemAttrs, PhysRead, TransRegs, Translation};
use crate::exception::{FaultKind, WalkInfo};

const STRIDE: u32 = 9;
/// Output address bits [39:12] of table, block and page descriptors.
const OA_MASK: u64 = 0x00ff_ffff_f000;

/// Walks the long-descriptor tables for `va`.
pub fn walk(regs: &TransRegs, va: u32, mem: &mut dyn PhysRead) -> Result<Translation, FaultKind> {
    let tcr = regs.ttbcr;
    let t0sz = tcr & 7;
    let t1sz = (tcr >> 16) & 7;
    // TTBR1 covers the top 2^(32-T1SZ) bytes when T1SZ > 0; with T1SZ = 0, whatever
    // TTBR0 does not cover (Arm ARM B3.6.4).
    let select1 = if t1sz == 0 {
        va > (0xffff_ffffu32 >> t0sz)
    } else {
        va >= !(0xffff_ffffu32 >> t1sz)
    };
    let (tsz, epd, ttbr) = if select1 {
        (t1sz, tcr & (1 << 23) != 0, regs.ttbr1)
    } else {
        (t0sz, tcr & (1 << 7) != 0, regs.ttbr0)
    };
    let translation = |level: u8| FaultKind::Translation(WalkInfo::at(level, 0));
    let inputsize = 32 - tsz;
    if inputsize < 32 {
        // The region's top bits must all be 0 (TTBR0) or all 1 (TTBR1): between the two
        // regions lies a translation fault.
        let top = va >> inputsize;
        let want = if select1 {
            0xffff_ffffu32 >> inputsize
        } else {
            0
        };
        if top != want {
            return Err(translation(1));
        }
    }
    if epd {
        return Err(translation(1));
    }
    let mut level = (4 - (inputsize - 4) / STRIDE) as u8;
    let mut indexmask: u64 = (1u64 << (inputsize - STRIDE * (4 - level as u32))) - 1;
    let mut table = (ttbr & 0x00ff_ffff_ffff) & !indexmask;
    // Table attributes, ORed down the walk: bit 0 PXNTable, 1 XNTable, 2 APTable[0],
    // 3 APTable[1], 4 NSTable.
    let mut tattrs: u32 = 0;
    loop {
        // `va >> shift` is the index times 8 (plus low bits cleared below).
        let shift = STRIDE * (4 - level as u32);
        let addr = (table | ((va as u64 >> shift) & indexmask)) & !7;
        let d = mem
            .read_u64(addr)
            .ok_or(FaultKind::ExternalOnWalk(WalkInfo::at(level, 0)))?;
        if d & 1 == 0 || (d & 2 == 0 && level == 3) {
            return Err(translation(level));
        }
        if d & 2 != 0 && level < 3 {
            tattrs |= ((d >> 59) & 0x1f) as u32;
            table = d & OA_MASK;
            level += 1;
            indexmask = 0xfff;
            continue;
        }
        // A block (level 1 or 2) or a page (level 3).
        let page_size = 1u64 << (shift + 3);
        let pa = (d & OA_MASK & !(page_size - 1)) | (va as u64 & (page_size - 1));
        return Ok(finish(regs, d, tattrs, pa, page_size, level));
    }
}

/// Permissions and attributes of a block or page descriptor `d` (Arm ARM B3.7.1,
/// B3.8.1; QEMU's get_S1prot).
fn finish(
    regs: &TransRegs,
    d: u64,
    tattrs: u32,
    pa: u64,
    page_size: u64,
    level: u8,
) -> Translation {
    let attrindx = ((d >> 2) & 7) as u32;
    let ns_bit = (d >> 5) & 1 != 0 || tattrs & (1 << 4) != 0;
    let mut ap = ((d >> 6) & 3) as u32; // AP[2:1]
    if tattrs & (1 << 2) != 0 && !regs.hyp {
        ap &= !1; // APTable[0]: no PL0 access
    }
    if tattrs & (1 << 3) != 0 {
        ap |= 2; // APTable[1]: read-only
    }
    let sh = ((d >> 8) & 3) as u8;
    let af = (d >> 10) & 1 != 0;
    let ng = (d >> 11) & 1 != 0;
    let pxn = (d >> 53) & 1 != 0 || tattrs & 1 != 0;
    let xn = (d >> 54) & 1 != 0 || tattrs & 2 != 0;

    let (p1, p0) = ap_simple(ap);
    let wxn = regs.sctlr & sctlr_bits::WXN != 0;
    if regs.hyp {
        // PL2 stage 1 (Arm ARM B3.7.1): AP[2] alone decides read-only, AP[1],
        // APTable[0], PXN, PXNTable and nG are ignored; XN and HSCTLR.WXN apply. The
        // PL2 permissions sit in the PL1 bits.
        let x = !(xn_only(d, tattrs) || (wxn && p1 & 2 != 0));
        return Translation {
            pa,
            page_size,
            perms: p1 | ((x as u8) << 2),
            xn_early: 0,
            af_fault: !af,
            attrs: MemAttrs {
                attr: ((((regs.nmrr as u64) << 32) | regs.prrr as u64) >> (8 * attrindx)) as u8,
                sh,
            },
            ns: true,
            global: true,
            supersection: false,
            level,
            domain: 0,
            lpae: true,
        };
    }
    let uwxn = regs.sctlr & sctlr_bits::UWXN != 0;
    let x0 = !(xn || p0 & 1 == 0 || (wxn && p0 & 2 != 0));
    let x1 = !(xn || p1 & 1 == 0 || pxn || (uwxn && p0 & 2 != 0) || (wxn && p1 & 2 != 0));
    let mair = ((regs.nmrr as u64) << 32) | regs.prrr as u64;
    Translation {
        pa,
        page_size,
        perms: p1 | ((x1 as u8) << 2) | (p0 << 3) | ((x0 as u8) << 5),
        xn_early: 0,
        af_fault: !af,
        attrs: MemAttrs {
            attr: (mair >> (8 * attrindx)) as u8,
            sh,
        },
        ns: !regs.secure || ns_bit,
        global: !ng,
        supersection: false,
        level,
        domain: 0,
        lpae: true,
    }
}

/// XN of a descriptor or any table above it (XNTable).
fn xn_only(d: u64, tattrs: u32) -> bool {
    (d >> 54) & 1 != 0 || tattrs & 2 != 0
}
