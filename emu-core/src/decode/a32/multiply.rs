//! A32 multiplies (A5.2.5, A5.2.7 halfword multiplies, A5.4.4 signed multiplies and
//! SDIV/UDIV). Operand slots as documented in `interp::multiply`.
//!
//! UNPREDICTABLE register choices (PC operands, RdHi == RdLo) execute as QEMU does:
//! a PC operand reads the instruction address + 8, a PC destination branches.

use crate::insn::{ExecFn, Insn};
use crate::interp::multiply::*;

#[inline]
fn reg(w: u32, lsb: u32) -> u8 {
    ((w >> lsb) & 0xf) as u8
}

/// A multiply with Rd/RdHi at 19:16, Ra/RdLo at 15:12, Rm at 11:8, Rn at 3:0.
/// `long` = the 19:16 / 15:12 fields are RdHi / RdLo.
fn mul_insn(w: u32, exec: ExecFn, long: bool) -> Insn {
    let mut i = Insn::new(exec, w).with_cond(w >> 28);
    if long {
        i.ra = reg(w, 16);
        i.rd = reg(w, 12);
    } else {
        i.rd = reg(w, 16);
        i.ra = reg(w, 12);
    }
    i.rm = reg(w, 8);
    i.rn = reg(w, 0);
    i
}

/// A5.2.5: multiply and multiply accumulate (op = bits 23:20, bit 20 = S).
pub fn decode_mul(w: u32) -> Insn {
    let op = (w >> 20) & 0xf;
    let (exec, long): (ExecFn, bool) = match op {
        0b0000 => (exec_mul::<false>, false),
        0b0001 => (exec_mul::<true>, false),
        0b0010 => (exec_mla::<false>, false),
        0b0011 => (exec_mla::<true>, false),
        0b0100 => (exec_umaal, true),
        0b0110 => (exec_mls, false),
        0b1000 => (exec_umull::<false>, true),
        0b1001 => (exec_umull::<true>, true),
        0b1010 => (exec_umlal::<false>, true),
        0b1011 => (exec_umlal::<true>, true),
        0b1100 => (exec_smull::<false>, true),
        0b1101 => (exec_smull::<true>, true),
        0b1110 => (exec_smlal::<false>, true),
        0b1111 => (exec_smlal::<true>, true),
        _ => return Insn::undefined(w),
    };
    mul_insn(w, exec, long)
}

/// A5.2.7: halfword multiply and multiply accumulate (op1 = bits 22:21, M = bit 6,
/// N = bit 5).
pub fn decode_halfword_mul(w: u32) -> Insn {
    let op1 = (w >> 21) & 3;
    let n_top = (w >> 5) & 1 != 0;
    let m_top = (w >> 6) & 1 != 0;
    let (exec, long): (ExecFn, bool) = match op1 {
        0b00 => (exec_smlaxy, false),
        // SMLAW<y> / SMULW<y>: bit 5 selects, bit 6 is y.
        0b01 if !n_top => (exec_smlawy, false),
        0b01 => (exec_smulwy, false),
        0b10 => (exec_smlalxy, true),
        _ => (exec_smulxy, false),
    };
    let mut i = mul_insn(w, exec, long);
    i.shift = if n_top && op1 != 0b01 { 16 } else { 0 };
    i.shift_imm = if m_top { 16 } else { 0 };
    i
}

/// A5.4.4: signed multiplies and divides (op1 = bits 22:20, op2 = bits 7:5,
/// A = bits 15:12).
pub fn decode_media_mul(w: u32) -> Insn {
    let op1 = (w >> 20) & 7;
    let op2 = (w >> 5) & 7;
    let a_pc = (w >> 12) & 0xf == 0xf;
    let exec: ExecFn;
    let mut long = false;
    match (op1, op2 >> 1) {
        (0b000, 0b00) => {
            exec = if a_pc {
                exec_smuad
            } else {
                exec_smlad::<false>
            }
        }
        (0b000, 0b01) => exec = if a_pc { exec_smusd } else { exec_smlad::<true> },
        (0b001, _) if op2 == 0 => exec = exec_sdiv,
        (0b011, _) if op2 == 0 => exec = exec_udiv,
        (0b100, 0b00) => {
            exec = exec_smlald::<false>;
            long = true;
        }
        (0b100, 0b01) => {
            exec = exec_smlald::<true>;
            long = true;
        }
        (0b101, 0b00) => exec = if a_pc { exec_smmul } else { exec_smmla },
        (0b101, 0b11) => exec = exec_smmls,
        _ => return Insn::undefined(w),
    }
    let mut i = mul_insn(w, exec, long);
    // The M (exchange) / R (round) bit is bit 5 in every form.
    let bit5 = (w >> 5) & 1 != 0;
    if op1 == 0b101 {
        i.imm = if bit5 { 0x8000_0000 } else { 0 };
    } else {
        i.shift_imm = if bit5 { 16 } else { 0 };
    }
    i
}
