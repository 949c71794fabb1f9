//! A32 data-processing (Arm ARM A5.2.1-A5.2.3): register, register-shifted register and
//! immediate forms, MOVW/MOVT, and PKHBT/PKHTB (A5.4.3).
//!
//! The operand convention of the built [`Insn`]s is documented in
//! [`crate::interp::alu`]. The A32 opcode field (bits 24:21) is the `alu` opcode as is.
//! MOV with a shift is the LSL/LSR/ASR/ROR/RRX alias: the same instruction.

use crate::insn::Insn;
use crate::interp::alu::{self, dp_imm, dp_reg, dp_regshift, is_test, pkh_insn};
use crate::interp::common::{arm_expand_imm_c, decode_imm_shift};

#[inline]
fn field(w: u32, lsb: u32) -> u32 {
    (w >> lsb) & 0xf
}

/// Fields shared by the three data-processing forms: (op, S, Rn, Rd).
#[inline]
fn common_fields(w: u32) -> (u8, bool, u32, u32) {
    (
        ((w >> 21) & 0xf) as u8,
        (w >> 20) & 1 != 0,
        field(w, 16),
        field(w, 12),
    )
}

/// A5.2.1: data-processing (register), `op{S} Rd, Rn, Rm{, shift #imm}`.
pub fn decode_reg(w: u32) -> Insn {
    let (op, s, rn, rd) = common_fields(w);
    if is_test(op) && !s {
        // The top-level table routes op1 = 10xx0 elsewhere; never reached.
        return Insn::undefined(w);
    }
    let (ty, amount) = decode_imm_shift((w >> 5) & 3, (w >> 7) & 0x1f);
    dp_reg(op, s, rd, rn, w & 0xf, ty, amount, w).with_cond(w >> 28)
}

/// A5.2.2: data-processing (register-shifted register), `op{S} Rd, Rn, Rm, shift Rs`.
/// Any register operand being the PC is UNPREDICTABLE: UNDEFINED here.
pub fn decode_regshift(w: u32) -> Insn {
    let (op, s, rn, rd) = common_fields(w);
    if is_test(op) && !s {
        return Insn::undefined(w);
    }
    let rm = w & 0xf;
    let rs = field(w, 8);
    let uses_rn = op != alu::MOV && op != alu::MVN;
    let uses_rd = !is_test(op);
    if rm == 15 || rs == 15 || (uses_rn && rn == 15) || (uses_rd && rd == 15) {
        return Insn::unpredictable(w);
    }
    dp_regshift(op, s, rd, rn, rm, rs, (w >> 5) & 3, w).with_cond(w >> 28)
}

/// A5.2.3: data-processing (immediate), `op{S} Rd, Rn, #const` (ARMExpandImm_C). ADR is
/// ADD/SUB with Rn = PC and needs nothing special in ARM state.
pub fn decode_imm(w: u32) -> Insn {
    let (op, s, rn, rd) = common_fields(w);
    if is_test(op) && !s {
        return Insn::undefined(w);
    }
    let imm12 = w & 0xfff;
    let (imm, _) = arm_expand_imm_c(imm12, 0);
    let rotated = imm12 >> 8 != 0;
    dp_imm(op, s, rd, rn, imm, rotated, w).with_cond(w >> 28)
}

/// MOVW (A8.8.102 encoding A2) and MOVT (A8.8.106): imm16 = imm4:imm12; bit 22 selects
/// MOVT. Rd = PC is UNPREDICTABLE: UNDEFINED.
pub fn decode_movw_movt(w: u32) -> Insn {
    let rd = field(w, 12);
    if rd == 15 {
        return Insn::unpredictable(w);
    }
    let imm16 = (field(w, 16) << 12) | (w & 0xfff);
    let i = if (w >> 22) & 1 != 0 {
        let mut i = Insn::new(alu::exec_movt, w);
        i.rd = rd as u8;
        i.imm = imm16 << 16;
        i
    } else {
        dp_imm(alu::MOV, false, rd, 0, imm16, false, w)
    };
    i.with_cond(w >> 28)
}

/// PKHBT/PKHTB (A8.8.125 encoding A1: cond 0110 1000 Rn Rd imm5 tb 01 Rm; called from
/// the media decoder). Any register being the PC is UNPREDICTABLE: UNDEFINED.
pub fn decode_pkh(w: u32) -> Insn {
    if (w >> 20) & 0xff != 0x68 || (w >> 4) & 3 != 1 {
        return Insn::undefined(w);
    }
    let (rn, rd, rm) = (field(w, 16), field(w, 12), w & 0xf);
    if rn == 15 || rd == 15 || rm == 15 {
        return Insn::unpredictable(w);
    }
    let tb = (w >> 6) & 1 != 0;
    pkh_insn(tb, rd, rn, rm, (w >> 7) & 0x1f, w).with_cond(w >> 28)
}
