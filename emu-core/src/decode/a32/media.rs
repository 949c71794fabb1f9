//! A32 media instructions (A5.4 except signed multiplies), saturating add/subtract
//! (A5.2.6) and CLZ. Operand slots as documented in `interp::media`.
//!
//! UNPREDICTABLE register choices (PC operands) execute as QEMU does: a PC operand reads
//! the instruction address + 8, a PC destination branches. UNPREDICTABLE bitfield
//! ranges (SBFX/UBFX past bit 31, BFI/BFC with msb < lsb) are UNDEFINED, as on QEMU.

use crate::insn::Insn;
use crate::interp::media::*;

#[inline]
fn reg(w: u32, lsb: u32) -> u8 {
    ((w >> lsb) & 0xf) as u8
}

/// An instruction of this group with Rd = 15:12, Rn = 19:16, Rm = 3:0.
fn base(w: u32) -> Insn {
    let mut i = Insn::new(crate::insn::exec_undefined, w).with_cond(w >> 28);
    i.rd = reg(w, 12);
    i.rn = reg(w, 16);
    i.rm = reg(w, 0);
    i
}

/// A5.4: media instructions (op1 = bits 24:20, op2 = bits 7:5).
pub fn decode_media(w: u32) -> Insn {
    let op1 = (w >> 20) & 0x1f;
    let op2 = (w >> 5) & 7;
    match op1 {
        0b00000..=0b00111 => decode_parallel(w),
        0b01000..=0b01111 => decode_pack(w),
        0b11000 if op2 == 0 => {
            // USAD8 / USADA8: Rd = 19:16, Ra = 15:12 (1111 for USAD8), Rm = 11:8, Rn = 3:0.
            let mut i = base(w);
            i.rd = reg(w, 16);
            i.ra = reg(w, 12);
            i.rm = reg(w, 8);
            i.rn = reg(w, 0);
            i.exec = if i.ra == 15 { exec_usad8 } else { exec_usada8 };
            i
        }
        0b11010 | 0b11011 | 0b11110 | 0b11111 if op2 & 3 == 0b10 => {
            // SBFX / UBFX: widthm1 = 20:16, lsb = 11:7, Rn = 3:0.
            let mut i = base(w);
            i.rn = reg(w, 0);
            let signed = op1 & 0b100 == 0;
            bitfield_extract(i, signed, (w >> 7) & 0x1f, (w >> 16) & 0x1f)
                .unwrap_or_else(|| Insn::undefined(w))
        }
        0b11100 | 0b11101 if op2 & 3 == 0 => {
            // BFI / BFC (Rn = 1111): msb = 20:16, lsb = 11:7, Rn = 3:0.
            let mut i = base(w);
            i.rn = reg(w, 0);
            bitfield_insert(i, (w >> 7) & 0x1f, (w >> 16) & 0x1f)
                .unwrap_or_else(|| Insn::undefined(w))
        }
        // UDF (cond 1110, op2 111) is permanently UNDEFINED, as is the rest.
        _ => Insn::undefined(w),
    }
}

/// A5.4.1 / A5.4.2: parallel add/subtract (op1 = bits 21:20, U = bit 22, op2 = 7:5).
fn decode_parallel(w: u32) -> Insn {
    let op1 = (w >> 20) & 3;
    let unsigned = (w >> 22) & 1 != 0;
    let op2 = (w >> 5) & 7;
    let op = match op2 {
        0b000 => OP_ADD16,
        0b001 => OP_ASX,
        0b010 => OP_SAX,
        0b011 => OP_SUB16,
        0b100 => OP_ADD8,
        0b111 => OP_SUB8,
        _ => return Insn::undefined(w),
    };
    if op1 == 0 {
        return Insn::undefined(w);
    }
    // op1: 01 plain (GE-setting), 10 saturating, 11 halving.
    let kind = (op1 as u8 - 1) + if unsigned { PAR_U } else { PAR_S };
    let mut i = base(w);
    i.exec = par_exec(kind, op);
    i
}

/// A5.4.3: packing, unpacking, saturation and reversal (op1 = bits 22:20,
/// op2 = bits 7:5, A = bits 19:16).
fn decode_pack(w: u32) -> Insn {
    let op1 = (w >> 20) & 7;
    let op2 = (w >> 5) & 7;
    let mut i = base(w);
    // Extends: rotation = 11:10, Rn (accumulator) = 19:16, 1111 for the plain forms.
    let extend = |kind: u8| {
        let mut i = base(w);
        i.shift_imm = (((w >> 10) & 3) * 8) as u8;
        i.exec = ext_exec(kind, i.rn != 15);
        i
    };
    match (op1, op2) {
        (0b000, _) if op2 & 1 == 0 => super::dataproc::decode_pkh(w),
        (0b000, 0b011) => extend(EXT_SXTB16),
        (0b000, 0b101) => {
            i.exec = exec_sel;
            i
        }
        (0b010 | 0b011 | 0b110 | 0b111, _) if op2 & 1 == 0 => {
            // SSAT / USAT: sat_imm = 20:16, imm5 = 11:7, sh = 6, Rn = 3:0.
            i.rn = reg(w, 0);
            let signed = op1 & 0b100 == 0;
            let sat_imm = (w >> 16) & 0x1f;
            let sat = if signed { sat_imm + 1 } else { sat_imm };
            saturate(i, signed, sat, (w >> 6) & 1 != 0, (w >> 7) & 0x1f)
        }
        (0b010 | 0b110, 0b001) => {
            // SSAT16 / USAT16: sat_imm = 19:16, Rn = 3:0.
            i.rn = reg(w, 0);
            let signed = op1 == 0b010;
            let sat_imm = (w >> 16) & 0xf;
            saturate16(i, signed, if signed { sat_imm + 1 } else { sat_imm })
        }
        (0b010, 0b011) => extend(EXT_SXTB),
        (0b011, 0b001) => {
            i.exec = exec_rev;
            i
        }
        (0b011, 0b011) => extend(EXT_SXTH),
        (0b011, 0b101) => {
            i.exec = exec_rev16;
            i
        }
        (0b100, 0b011) => extend(EXT_UXTB16),
        (0b110, 0b011) => extend(EXT_UXTB),
        (0b111, 0b001) => {
            i.exec = exec_rbit;
            i
        }
        (0b111, 0b011) => extend(EXT_UXTH),
        (0b111, 0b101) => {
            i.exec = exec_revsh;
            i
        }
        _ => Insn::undefined(w),
    }
}

/// A5.2.6: QADD, QSUB, QDADD, QDSUB (op = bits 22:21; Rn = 19:16, Rd = 15:12, Rm = 3:0).
pub fn decode_saturating(w: u32) -> Insn {
    let mut i = base(w);
    i.exec = match (w >> 21) & 3 {
        0b00 => exec_qaddsub::<false, false>,
        0b01 => exec_qaddsub::<false, true>,
        0b10 => exec_qaddsub::<true, false>,
        _ => exec_qaddsub::<true, true>,
    };
    i
}

/// CLZ (A8.8.33): Rd = 15:12, Rm = 3:0.
pub fn decode_clz(w: u32) -> Insn {
    let mut i = base(w);
    i.exec = exec_clz;
    i
}
