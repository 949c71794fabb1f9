//! T32 data processing: 16-bit (A6.2.1-A6.2.3, ADR, ADD/SUB with SP) and 32-bit
//! (A6.3.1, A6.3.3 except media, A6.3.11 including PKH, register shifts of A6.3.12).
//!
//! The operand convention of the built [`Insn`]s is documented in
//! [`crate::interp::alu`]; A32 and T32 share the exec routines.
//!
//! Most 16-bit forms set the flags only outside an IT block (`it.in_it`). UNPREDICTABLE
//! encodings decode as UNDEFINED, except where noted; in 32-bit encodings SP is
//! accepted wherever it has a natural meaning (as QEMU does), the PC is not.

use crate::insn::{Insn, ItCtx};
use crate::interp::alu::{
    self, dp_imm, dp_reg, dp_regshift, pkh_insn, ADC, ADD, AND, BIC, CMN, CMP, EOR, MOV, MVN, ORN,
    ORR, RSB, SBC, SUB, TEQ, TST,
};
use crate::interp::common::{decode_imm_shift, thumb_expand_imm_c, LSL};

#[inline]
fn r3(hw: u32, lsb: u32) -> u32 {
    (hw >> lsb) & 7
}

#[inline]
fn r4(hw: u32, lsb: u32) -> u32 {
    (hw >> lsb) & 0xf
}

/// `op Rd, Rn, Rm` without shift.
#[inline]
fn reg3(op: u8, s: bool, rd: u32, rn: u32, rm: u32, raw: u32) -> Insn {
    dp_reg(op, s, rd, rn, rm, LSL, 0, raw)
}

// ---- 16-bit ------------------------------------------------------------------------------

/// A6.2.1: shift (immediate), add, subtract, move and compare; opcode = hw[13:9].
pub fn decode16_shift_add_sub_mov_cmp(hw: u32, it: ItCtx) -> Insn {
    let s = !it.in_it;
    let opcode = (hw >> 9) & 0x1f;
    match opcode {
        0..=11 => {
            // LSL/LSR/ASR #imm5 (MOV Rd, Rm when LSL #0: MOVS outside IT; inside an IT
            // block that is UNPREDICTABLE and we do the non-flag-setting move).
            let (ty, amount) = decode_imm_shift(opcode >> 2, (hw >> 6) & 0x1f);
            dp_reg(MOV, s, r3(hw, 0), 0, r3(hw, 3), ty, amount, hw)
        }
        12 => reg3(ADD, s, r3(hw, 0), r3(hw, 3), r3(hw, 6), hw),
        13 => reg3(SUB, s, r3(hw, 0), r3(hw, 3), r3(hw, 6), hw),
        14 => dp_imm(ADD, s, r3(hw, 0), r3(hw, 3), r3(hw, 6), false, hw),
        15 => dp_imm(SUB, s, r3(hw, 0), r3(hw, 3), r3(hw, 6), false, hw),
        _ => {
            let rdn = r3(hw, 8);
            let imm8 = hw & 0xff;
            let op = match opcode >> 2 {
                0b100 => MOV,
                0b101 => CMP,
                0b110 => ADD,
                _ => SUB,
            };
            let s = s || op == CMP;
            dp_imm(op, s, rdn, rdn, imm8, false, hw)
        }
    }
}

/// A6.2.2: data processing, `op Rdn, Rm`; opcode = hw[9:6]. MUL belongs to the multiply
/// group.
pub fn decode16_dp(hw: u32, it: ItCtx) -> Insn {
    let s = !it.in_it;
    let rdn = r3(hw, 0);
    let rm = r3(hw, 3);
    match (hw >> 6) & 0xf {
        0b0000 => reg3(AND, s, rdn, rdn, rm, hw),
        0b0001 => reg3(EOR, s, rdn, rdn, rm, hw),
        // LSL/LSR/ASR/ROR Rdn, Rm: MOV Rdn, Rdn, <shift> Rm.
        0b0010 => dp_regshift(MOV, s, rdn, 0, rdn, rm, 0, hw),
        0b0011 => dp_regshift(MOV, s, rdn, 0, rdn, rm, 1, hw),
        0b0100 => dp_regshift(MOV, s, rdn, 0, rdn, rm, 2, hw),
        0b0101 => reg3(ADC, s, rdn, rdn, rm, hw),
        0b0110 => reg3(SBC, s, rdn, rdn, rm, hw),
        0b0111 => dp_regshift(MOV, s, rdn, 0, rdn, rm, 3, hw),
        0b1000 => reg3(TST, true, 0, rdn, rm, hw),
        // RSB Rd, Rn, #0.
        0b1001 => dp_imm(RSB, s, rdn, rm, 0, false, hw),
        0b1010 => reg3(CMP, true, 0, rdn, rm, hw),
        0b1011 => reg3(CMN, true, 0, rdn, rm, hw),
        0b1100 => reg3(ORR, s, rdn, rdn, rm, hw),
        0b1110 => reg3(BIC, s, rdn, rdn, rm, hw),
        0b1111 => reg3(MVN, s, rdn, 0, rm, hw),
        _ => Insn::undefined(hw),
    }
}

/// A6.2.3: special data instructions (ADD, CMP, MOV with high registers); opcode =
/// hw[9:8]. Writing the PC is a branch (ALUWritePC = BranchWritePC in Thumb state) and
/// is UNPREDICTABLE inside an IT block unless last: UNDEFINED here.
pub fn decode16_special(hw: u32, it: ItCtx) -> Insn {
    let rdn = ((hw >> 4) & 8) | r3(hw, 0);
    let rm = r4(hw, 3);
    let pc_mid_it = rdn == 15 && it.in_it && !it.last;
    match (hw >> 8) & 3 {
        0b00 => {
            if (rdn == 15 && rm == 15) || pc_mid_it {
                return Insn::unpredictable(hw);
            }
            reg3(ADD, false, rdn, rdn, rm, hw)
        }
        0b01 => {
            // n < 8 && m < 8 is UNPREDICTABLE, but the comparison is well defined and
            // QEMU performs it; a PC operand is UNDEFINED here.
            if rdn == 15 || rm == 15 {
                return Insn::unpredictable(hw);
            }
            reg3(CMP, true, 0, rdn, rm, hw)
        }
        0b10 => {
            if pc_mid_it {
                return Insn::unpredictable(hw);
            }
            reg3(MOV, false, rdn, 0, rm, hw)
        }
        _ => Insn::undefined(hw),
    }
}

/// ADR (A8.8.12 encoding T1): Rd = Align(PC, 4) + imm8 * 4.
pub fn decode16_adr(hw: u32, _it: ItCtx) -> Insn {
    adr(r3(hw, 8), (hw & 0xff) << 2, hw)
}

/// ADD Rd, SP, #imm8 * 4 (A8.8.9 encoding T1).
pub fn decode16_add_sp(hw: u32, _it: ItCtx) -> Insn {
    dp_imm(ADD, false, r3(hw, 8), 13, (hw & 0xff) << 2, false, hw)
}

/// ADD SP, SP, #imm7 * 4 and SUB SP, SP, #imm7 * 4 (A8.8.9 T2, A8.8.226 T1); hw[7]
/// selects SUB.
pub fn decode16_adjust_sp(hw: u32, _it: ItCtx) -> Insn {
    let op = if (hw >> 7) & 1 != 0 { SUB } else { ADD };
    dp_imm(op, false, 13, 13, (hw & 0x7f) << 2, false, hw)
}

fn adr(rd: u32, offset: u32, raw: u32) -> Insn {
    let mut i = Insn::new(alu::exec_adr, raw);
    i.rd = (rd & 15) as u8;
    i.imm = offset;
    i
}

// ---- 32-bit ------------------------------------------------------------------------------

/// The opcode of A6.3.1 / A6.3.11 (hw1[8:5]) with the Rd = PC (TST, TEQ, CMN, CMP) and
/// Rn = PC (MOV, MVN) special cases resolved; `None` for unallocated opcodes.
fn dp32_opcode(opcode: u32, s: bool, rd: u32, rn: u32) -> Option<u8> {
    let test = rd == 15 && s;
    Some(match opcode {
        0b0000 if test => TST,
        0b0000 => AND,
        0b0001 => BIC,
        0b0010 if rn == 15 => MOV,
        0b0010 => ORR,
        0b0011 if rn == 15 => MVN,
        0b0011 => ORN,
        0b0100 if test => TEQ,
        0b0100 => EOR,
        0b1000 if test => CMN,
        0b1000 => ADD,
        0b1010 => ADC,
        0b1011 => SBC,
        0b1101 if test => CMP,
        0b1101 => SUB,
        0b1110 => RSB,
        _ => return None,
    })
}

/// PC operands of a 32-bit data-processing instruction: UNPREDICTABLE (the TST/CMP...
/// forms with Rd = 1111 and MOV/MVN with Rn = 1111 are already resolved in `op`).
fn dp32_pc_operand(op: u8, rd: u32, rn: u32) -> bool {
    let uses_rn = op != MOV && op != MVN;
    (!alu::is_test(op) && rd == 15) || (uses_rn && rn == 15)
}

/// A6.3.1: data processing (modified immediate), ThumbExpandImm_C.
pub fn decode32_modified_imm(hw1: u32, hw2: u32) -> Insn {
    let raw = (hw1 << 16) | hw2;
    let s = (hw1 >> 4) & 1 != 0;
    let rn = r4(hw1, 0);
    let rd = r4(hw2, 8);
    let Some(op) = dp32_opcode((hw1 >> 5) & 0xf, s, rd, rn) else {
        return Insn::undefined(raw);
    };
    if dp32_pc_operand(op, rd, rn) {
        return Insn::unpredictable(raw);
    }
    let imm12 = (((hw1 >> 10) & 1) << 11) | (((hw2 >> 12) & 7) << 8) | (hw2 & 0xff);
    // A replicated pattern of a zero byte is UNPREDICTABLE; QEMU uses the value 0.
    let imm = thumb_expand_imm_c(imm12, 0).map_or(0, |(v, _)| v);
    let rotated = (imm12 >> 10) & 3 != 0;
    dp_imm(op, s, rd, rn, imm, rotated, raw)
}

/// A6.3.3 without the media part: ADDW, SUBW, ADR (T2/T3), MOVW, MOVT; op = hw1[8:4].
pub fn decode32_plain_imm(hw1: u32, hw2: u32) -> Insn {
    let raw = (hw1 << 16) | hw2;
    let rn = r4(hw1, 0);
    let rd = r4(hw2, 8);
    if rd == 15 {
        return Insn::unpredictable(raw);
    }
    let imm12 = (((hw1 >> 10) & 1) << 11) | (((hw2 >> 12) & 7) << 8) | (hw2 & 0xff);
    match (hw1 >> 4) & 0x1f {
        0b00000 if rn == 15 => adr(rd, imm12, raw),
        0b00000 => dp_imm(ADD, false, rd, rn, imm12, false, raw),
        0b01010 if rn == 15 => adr(rd, imm12.wrapping_neg(), raw),
        0b01010 => dp_imm(SUB, false, rd, rn, imm12, false, raw),
        0b00100 => dp_imm(MOV, false, rd, 0, (rn << 12) | imm12, false, raw),
        0b01100 => {
            let mut i = Insn::new(alu::exec_movt, raw);
            i.rd = rd as u8;
            i.imm = ((rn << 12) | imm12) << 16;
            i
        }
        _ => Insn::undefined(raw),
    }
}

/// A6.3.11: data processing (shifted register), including the MOV/LSL/LSR/ASR/ROR/RRX
/// immediate aliases and PKHBT/PKHTB.
pub fn decode32_shifted_reg(hw1: u32, hw2: u32) -> Insn {
    let raw = (hw1 << 16) | hw2;
    let opcode = (hw1 >> 5) & 0xf;
    let s = (hw1 >> 4) & 1 != 0;
    let rn = r4(hw1, 0);
    let rd = r4(hw2, 8);
    let rm = r4(hw2, 0);
    let imm5 = (((hw2 >> 12) & 7) << 2) | ((hw2 >> 6) & 3);
    if opcode == 0b0110 {
        // PKHBT/PKHTB: S = 1 or T (hw2[4]) = 1 is UNDEFINED.
        if s || (hw2 >> 4) & 1 != 0 {
            return Insn::undefined(raw);
        }
        if rd == 15 || rn == 15 || rm == 15 {
            return Insn::unpredictable(raw);
        }
        return pkh_insn((hw2 >> 5) & 1 != 0, rd, rn, rm, imm5, raw);
    }
    let Some(op) = dp32_opcode(opcode, s, rd, rn) else {
        return Insn::undefined(raw);
    };
    if rm == 15 || dp32_pc_operand(op, rd, rn) {
        return Insn::unpredictable(raw);
    }
    let (ty, amount) = decode_imm_shift((hw2 >> 4) & 3, imm5);
    dp_reg(op, s, rd, rn, rm, ty, amount, raw)
}

/// A6.3.12 register shifts: LSL/LSR/ASR/ROR{S} Rd, Rn, Rm (MOV Rd, Rn, <shift> Rm).
/// hw2[15:12] must be 1111; any PC operand is UNPREDICTABLE.
pub fn decode32_shift_reg(hw1: u32, hw2: u32) -> Insn {
    let raw = (hw1 << 16) | hw2;
    if hw2 >> 12 != 0xf {
        return Insn::undefined(raw);
    }
    let s = (hw1 >> 4) & 1 != 0;
    let rn = r4(hw1, 0);
    let rd = r4(hw2, 8);
    let rm = r4(hw2, 0);
    if rd == 15 || rn == 15 || rm == 15 {
        return Insn::unpredictable(raw);
    }
    dp_regshift(MOV, s, rd, 0, rn, rm, (hw1 >> 5) & 3, raw)
}
