//! A32 load/store multiple (A5.5): LDM/STM in every addressing mode, the user-register
//! and exception-return forms; and SRS/RFE (A5.7, called from the unconditional
//! decoder). Operand slots: see `interp::block` (`rn` base, `imm` list, `op` mode).
//!
//! UNPREDICTABLE encodings follow QEMU 7.2 (checked with qemu-system-arm): an empty
//! list, Rn = PC, LDM with writeback and the base in the list, and LDM (user registers)
//! with writeback are UNDEFINED; STM stores the original base; STM (user registers)
//! with writeback writes back.

use crate::insn::{flags, ExecFn, Insn};
use crate::interp::block::{self as blk, F_WB};

/// A load/store multiple with the given routine; `load` marks loads of the PC as
/// ending the block.
pub(crate) fn multiple(
    exec: ExecFn,
    load: bool,
    rn: u32,
    list: u32,
    mode: u8,
    wback: bool,
    raw: u32,
) -> Insn {
    let mut i = Insn::new(exec, raw);
    i.rn = rn as u8;
    i.imm = list & 0xffff;
    i.op = mode;
    (i.ra, i.shift_imm) = blk::list_offsets(list, mode);
    if wback {
        i.flags |= F_WB;
    }
    if load && list & 0x8000 != 0 {
        i.flags |= flags::ENDS_BLOCK;
    }
    i
}

/// A5.5: LDM/STM{DA,IA,DB,IB}, PUSH/POP, LDM/STM with ^.
pub fn decode_block(w: u32) -> Insn {
    let mode = ((w >> 23) & 3) as u8;
    let user = (w >> 22) & 1 != 0;
    let wback = (w >> 21) & 1 != 0;
    let load = (w >> 20) & 1 != 0;
    let rn = (w >> 16) & 15;
    let list = w & 0xffff;
    if list == 0 || rn == 15 {
        return Insn::undefined(w);
    }
    let base_listed = list & (1 << rn) != 0;
    let exec: ExecFn = match (load, user) {
        (false, false) => blk::stm,
        (false, true) => blk::stm_user,
        (true, _) if wback && base_listed => return Insn::undefined(w),
        (true, false) => blk::ldm,
        (true, true) if list & 0x8000 != 0 => blk::ldm_eret,
        (true, true) if wback => return Insn::undefined(w),
        (true, true) => blk::ldm_user,
    };
    multiple(exec, load, rn, list, mode, wback, w).with_cond(w >> 28)
}

/// SRS (1111 100P U1W0 1101 0000 0101 000m mmmm) and RFE (1111 100P U0W1 nnnn 0000
/// 1010 0000 0000); the should-be bits must match (QEMU decodes them exactly).
pub fn decode_srs_rfe(w: u32) -> Insn {
    let mode = ((w >> 23) & 3) as u8;
    let wback = (w >> 21) & 1 != 0;
    if w & 0xfe5f_ffe0 == 0xf84d_0500 {
        srs(w & 0x1f, mode, wback, w)
    } else if w & 0xfe50_ffff == 0xf810_0a00 {
        rfe((w >> 16) & 15, mode, wback, w)
    } else {
        Insn::undefined(w)
    }
}

/// SRS to the stack of mode `m` (shared with T32).
pub(crate) fn srs(m: u32, mode: u8, wback: bool, raw: u32) -> Insn {
    let mut i = Insn::new(blk::srs, raw);
    i.rn = m as u8;
    i.op = mode;
    if wback {
        i.flags |= F_WB;
    }
    i
}

/// RFE from base register `rn` (shared with T32).
pub(crate) fn rfe(rn: u32, mode: u8, wback: bool, raw: u32) -> Insn {
    let mut i = Insn::new(blk::rfe, raw);
    i.rn = rn as u8;
    i.op = mode;
    if wback {
        i.flags |= F_WB;
    }
    i.flags |= flags::ENDS_BLOCK;
    i
}
