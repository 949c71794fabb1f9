//! T32 media: 16-bit extends and REV, SSAT/USAT/bitfield (A6.3.3), A6.3.12 extends,
//! parallel add/subtract (A6.3.13, A6.3.14) and miscellaneous operations (A6.3.15).
//! Operand slots as documented in `interp::media`.
//!
//! UNPREDICTABLE register choices (SP/PC operands, the two Rm copies of A6.3.15
//! differing) execute as QEMU does: the hw2 copy of Rm is used, a PC operand reads the
//! instruction address + 4. UNPREDICTABLE bitfield ranges are UNDEFINED, as on QEMU.

use crate::insn::{ExecFn, Insn, ItCtx};
use crate::interp::media::*;

#[inline]
fn reg(w: u32, lsb: u32) -> u8 {
    ((w >> lsb) & 0xf) as u8
}

/// A 16-bit Rd = op(Rm) instruction: Rm = 5:3, Rd = 2:0.
fn low_rd_rm(hw: u32, exec: ExecFn) -> Insn {
    let mut i = Insn::new(exec, hw);
    i.rd = (hw & 7) as u8;
    i.rm = ((hw >> 3) & 7) as u8;
    i
}

/// SXTH, SXTB, UXTH, UXTB (T1; opc = 7:6), no rotation.
pub fn decode16_extend(hw: u32, _it: ItCtx) -> Insn {
    let kind = match (hw >> 6) & 3 {
        0b00 => EXT_SXTH,
        0b01 => EXT_SXTB,
        0b10 => EXT_UXTH,
        _ => EXT_UXTB,
    };
    low_rd_rm(hw, ext_exec(kind, false))
}

/// REV, REV16, REVSH (T1; opc = 7:6; 10 is unallocated in ARMv7).
pub fn decode16_rev(hw: u32, _it: ItCtx) -> Insn {
    let exec: ExecFn = match (hw >> 6) & 3 {
        0b00 => exec_rev,
        0b01 => exec_rev16,
        0b11 => exec_revsh,
        _ => return Insn::undefined(hw),
    };
    low_rd_rm(hw, exec)
}

/// A6.3.3 (op = hw1[8:4] = 1xxxx): SSAT, SSAT16, SBFX, BFI/BFC, USAT, USAT16, UBFX.
/// Rn = hw1[3:0], Rd = hw2[11:8], imm3:imm2 = hw2[14:12]:hw2[7:6], hw2[4:0] =
/// sat_imm / widthm1 / msb.
pub fn decode32_plain_imm_media(hw1: u32, hw2: u32) -> Insn {
    let w = (hw1 << 16) | hw2;
    let op = (hw1 >> 4) & 0x1f;
    let imm5 = (((hw2 >> 12) & 7) << 2) | ((hw2 >> 6) & 3);
    let low5 = hw2 & 0x1f;
    let mut i = Insn::new(crate::insn::exec_undefined, w);
    i.rd = reg(hw2, 8);
    i.rn = reg(hw1, 0);
    let r = match op {
        // SSAT16 / USAT16 are the shift-right-by-0 slots (sat_imm = hw2[3:0]).
        0b10010 if imm5 == 0 => Some(saturate16(i, true, (hw2 & 0xf) + 1)),
        0b11010 if imm5 == 0 => Some(saturate16(i, false, hw2 & 0xf)),
        0b10000 | 0b10010 => Some(saturate(i, true, low5 + 1, op & 2 != 0, imm5)),
        0b11000 | 0b11010 => Some(saturate(i, false, low5, op & 2 != 0, imm5)),
        0b10100 => bitfield_extract(i, true, imm5, low5),
        0b11100 => bitfield_extract(i, false, imm5, low5),
        0b10110 => bitfield_insert(i, imm5, low5),
        _ => None,
    };
    r.unwrap_or_else(|| Insn::undefined(w))
}

/// A6.3.12 except the shifts by register: extends (op1 = hw1[7:4] 0xxx, op2 =
/// hw2[7:4] 1xxx), parallel add/subtract (op1 1xxx, op2 0xxx) and miscellaneous
/// operations (op1 10xx, op2 10xx). hw2[15:12] must be 1111.
pub fn decode32_dp_reg_media(hw1: u32, hw2: u32) -> Insn {
    let w = (hw1 << 16) | hw2;
    if (hw2 >> 12) & 0xf != 0xf {
        return Insn::undefined(w);
    }
    let op1 = (hw1 >> 4) & 0xf;
    let op2 = (hw2 >> 4) & 0xf;
    let mut i = Insn::new(crate::insn::exec_undefined, w);
    i.rd = reg(hw2, 8);
    i.rn = reg(hw1, 0);
    i.rm = reg(hw2, 0);
    if op1 & 0b1000 == 0 {
        // Extends: rotation = hw2[5:4]; Rn = 1111 for the plain forms.
        if op2 & 0b1000 == 0 {
            return Insn::undefined(w);
        }
        let kind = match op1 {
            0b0000 => EXT_SXTH,
            0b0001 => EXT_UXTH,
            0b0010 => EXT_SXTB16,
            0b0011 => EXT_UXTB16,
            0b0100 => EXT_SXTB,
            0b0101 => EXT_UXTB,
            _ => return Insn::undefined(w),
        };
        i.shift_imm = (((hw2 >> 4) & 3) * 8) as u8;
        i.exec = ext_exec(kind, i.rn != 15);
        return i;
    }
    match op2 >> 2 {
        0b00 | 0b01 => decode_parallel(i, hw1, hw2),
        0b10 if op1 & 0b0100 == 0 => decode_misc(i, hw1, hw2),
        _ => Insn::undefined(w),
    }
}

/// A6.3.13 / A6.3.14: op1 = hw1[6:4] selects the operation, hw2[6] unsigned,
/// hw2[5:4] the kind (plain, saturating, halving).
fn decode_parallel(mut i: Insn, hw1: u32, hw2: u32) -> Insn {
    let op = match (hw1 >> 4) & 7 {
        0b001 => OP_ADD16,
        0b010 => OP_ASX,
        0b110 => OP_SAX,
        0b101 => OP_SUB16,
        0b000 => OP_ADD8,
        0b100 => OP_SUB8,
        _ => return Insn::undefined(i.raw),
    };
    let k = ((hw2 >> 4) & 3) as u8;
    if k == 3 {
        return Insn::undefined(i.raw);
    }
    let kind = k + if (hw2 >> 6) & 1 != 0 { PAR_U } else { PAR_S };
    i.exec = par_exec(kind, op);
    i
}

/// A6.3.15: op1 = hw1[5:4], op2 = hw2[5:4].
fn decode_misc(mut i: Insn, hw1: u32, hw2: u32) -> Insn {
    let exec: ExecFn = match ((hw1 >> 4) & 3, (hw2 >> 4) & 3) {
        (0b00, 0b00) => exec_qaddsub::<false, false>,
        (0b00, 0b01) => exec_qaddsub::<true, false>,
        (0b00, 0b10) => exec_qaddsub::<false, true>,
        (0b00, _) => exec_qaddsub::<true, true>,
        (0b01, 0b00) => exec_rev,
        (0b01, 0b01) => exec_rev16,
        (0b01, 0b10) => exec_rbit,
        (0b01, _) => exec_revsh,
        (0b10, 0b00) => exec_sel,
        (0b11, 0b00) => exec_clz,
        _ => return Insn::undefined(i.raw),
    };
    i.exec = exec;
    i
}
