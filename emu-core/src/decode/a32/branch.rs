//! A32 branches: B, BL (A5.5) and BX, BXJ, BLX register (A5.2.12).
//!
//! Operand convention: see `interp/branch.rs` (`imm` = offset + 8, `rm` = Rm). Every
//! branch sets `flags::ENDS_BLOCK`.

use crate::insn::{flags, Insn};
use crate::interp::branch as x;

/// Sign-extends the low `bits` bits of `v`.
#[inline]
pub(crate) fn sext(v: u32, bits: u32) -> u32 {
    let s = 32 - bits;
    (((v << s) as i32) >> s) as u32
}

/// A branch instruction: routine, PC-relative `imm`, block end.
pub(crate) fn branch(exec: crate::insn::ExecFn, w: u32, imm: u32) -> Insn {
    let mut i = Insn::new(exec, w);
    i.imm = imm;
    i.flags |= flags::ENDS_BLOCK;
    i
}

/// B, BL (A8.8.18, A8.8.25): cond 101 L imm24; the target is PC + 8 + imm24:'00'.
pub fn decode_b_bl(w: u32) -> Insn {
    let imm = sext((w & 0x00ff_ffff) << 2, 26).wrapping_add(8);
    let exec = if w & (1 << 24) != 0 {
        x::exec_bl
    } else {
        x::exec_b
    };
    branch(exec, w, imm).with_cond(w >> 28)
}

/// A5.2.12 op2 = 001 (BX), 010 (BXJ), 011 (BLX register); only op = 01 is allocated.
/// The (1)/(0) fields must hold their fixed values (QEMU UNDEFs otherwise).
pub fn decode_bx_misc(w: u32) -> Insn {
    let exec = match w & 0x0fff_fff0 {
        0x012f_ff10 => x::exec_bx as crate::insn::ExecFn,
        0x012f_ff20 => x::exec_bxj,
        0x012f_ff30 => x::exec_blx_reg,
        _ => return Insn::undefined(w),
    };
    let mut i = branch(exec, w, 0).with_cond(w >> 28);
    i.rm = (w & 0xf) as u8;
    i
}
