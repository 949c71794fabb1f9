//! T32 multiplies: MUL (16-bit), A6.3.16 multiply/accumulate and USAD8/USADA8, A6.3.17
//! long multiply and divide. Operand slots as documented in `interp::multiply` (USAD8
//! and USADA8 as in `interp::media`).
//!
//! UNPREDICTABLE register choices (SP/PC operands) execute as QEMU does: a PC operand
//! reads the instruction address + 4, a PC destination branches.

use crate::insn::{ExecFn, Insn, ItCtx};
use crate::interp::media::{exec_usad8, exec_usada8};
use crate::interp::multiply::*;

#[inline]
fn reg(w: u32, lsb: u32) -> u8 {
    ((w >> lsb) & 0xf) as u8
}

/// MUL (T1, A8.8.114): `MULS Rdm, Rn, Rdm`, setting flags only outside an IT block.
pub fn decode16_mul(hw: u32, it: ItCtx) -> Insn {
    let exec: ExecFn = if it.in_it {
        exec_mul::<false>
    } else {
        exec_mul::<true>
    };
    let mut i = Insn::new(exec, hw);
    i.rd = (hw & 7) as u8;
    i.rm = (hw & 7) as u8;
    i.rn = ((hw >> 3) & 7) as u8;
    i
}

/// A6.3.16: multiply, multiply accumulate and absolute difference. op1 = hw1[6:4],
/// op2 = hw2[5:4], Ra = hw2[15:12], Rd = hw2[11:8], Rn = hw1[3:0], Rm = hw2[3:0].
pub fn decode32_mul(hw1: u32, hw2: u32) -> Insn {
    let w = (hw1 << 16) | hw2;
    if (hw2 >> 6) & 3 != 0 {
        return Insn::undefined(w);
    }
    let op1 = (hw1 >> 4) & 7;
    let op2 = (hw2 >> 4) & 3;
    let a_pc = (hw2 >> 12) & 0xf == 0xf;
    let bit4 = (hw2 >> 4) & 1 != 0;
    let bit5 = (hw2 >> 5) & 1 != 0;
    let exec: ExecFn = match op1 {
        0b000 => match op2 {
            0b00 if a_pc => exec_mul::<false>,
            0b00 => exec_mla::<false>,
            0b01 => exec_mls,
            _ => return Insn::undefined(w),
        },
        0b001 if a_pc => exec_smulxy,
        0b001 => exec_smlaxy,
        0b010 if bit5 => return Insn::undefined(w),
        0b010 if a_pc => exec_smuad,
        0b010 => exec_smlad::<false>,
        0b011 if bit5 => return Insn::undefined(w),
        0b011 if a_pc => exec_smulwy,
        0b011 => exec_smlawy,
        0b100 if bit5 => return Insn::undefined(w),
        0b100 if a_pc => exec_smusd,
        0b100 => exec_smlad::<true>,
        0b101 if bit5 => return Insn::undefined(w),
        0b101 if a_pc => exec_smmul,
        0b101 => exec_smmla,
        0b110 if bit5 => return Insn::undefined(w),
        0b110 => exec_smmls,
        _ => match op2 {
            0b00 if a_pc => exec_usad8,
            0b00 => exec_usada8,
            _ => return Insn::undefined(w),
        },
    };
    let mut i = Insn::new(exec, w);
    i.rd = reg(hw2, 8);
    i.ra = reg(hw2, 12);
    i.rn = reg(hw1, 0);
    i.rm = reg(hw2, 0);
    match op1 {
        // SMLA<x><y>: N = hw2[5], M = hw2[4].
        0b001 => {
            i.shift = if bit5 { 16 } else { 0 };
            i.shift_imm = if bit4 { 16 } else { 0 };
        }
        // SMLAW<y>: M = hw2[4]; dual forms: X = hw2[4].
        0b010..=0b100 => i.shift_imm = if bit4 { 16 } else { 0 },
        // SMMLA / SMMLS: R = hw2[4].
        0b101 | 0b110 => i.imm = if bit4 { 0x8000_0000 } else { 0 },
        _ => {}
    }
    i
}

/// A6.3.17: long multiply, long multiply accumulate and divide. op1 = hw1[6:4],
/// op2 = hw2[7:4], RdLo = hw2[15:12], RdHi = hw2[11:8].
pub fn decode32_long_mul_div(hw1: u32, hw2: u32) -> Insn {
    let w = (hw1 << 16) | hw2;
    let op1 = (hw1 >> 4) & 7;
    let op2 = (hw2 >> 4) & 0xf;
    let mut i;
    match (op1, op2) {
        (0b001, 0b1111) | (0b011, 0b1111) => {
            // SDIV / UDIV: Rd = hw2[11:8] (hw2[15:12] should be 1111).
            i = Insn::new(if op1 == 0b001 { exec_sdiv } else { exec_udiv }, w);
            i.rd = reg(hw2, 8);
            i.rn = reg(hw1, 0);
            i.rm = reg(hw2, 0);
            return i;
        }
        (0b000, 0b0000) => i = Insn::new(exec_smull::<false>, w),
        (0b010, 0b0000) => i = Insn::new(exec_umull::<false>, w),
        (0b100, 0b0000) => i = Insn::new(exec_smlal::<false>, w),
        (0b100, 0b1000..=0b1011) => {
            i = Insn::new(exec_smlalxy, w);
            i.shift = if op2 & 2 != 0 { 16 } else { 0 };
            i.shift_imm = if op2 & 1 != 0 { 16 } else { 0 };
        }
        (0b100, 0b1100 | 0b1101) | (0b101, 0b1100 | 0b1101) => {
            i = Insn::new(
                if op1 == 0b100 {
                    exec_smlald::<false>
                } else {
                    exec_smlald::<true>
                },
                w,
            );
            i.shift_imm = if op2 & 1 != 0 { 16 } else { 0 };
        }
        (0b110, 0b0000) => i = Insn::new(exec_umlal::<false>, w),
        (0b110, 0b0110) => i = Insn::new(exec_umaal, w),
        _ => return Insn::undefined(w),
    }
    i.rd = reg(hw2, 12);
    i.ra = reg(hw2, 8);
    i.rn = reg(hw1, 0);
    i.rm = reg(hw2, 0);
    i
}
