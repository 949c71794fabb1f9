//! A32 decoding: the top-level table of Arm ARM A5.1, dispatching to one module per
//! instruction group.

use crate::insn::{flags, Insn};

pub mod block;
pub mod branch;
pub mod coproc;
pub mod dataproc;
pub mod loadstore;
pub mod media;
pub mod multiply;
pub mod system;
pub mod unconditional;
pub mod vfp;

/// Decodes one A32 instruction.
pub fn decode_a32(w: u32) -> Insn {
    let mut i = decode_inner(w);
    i.raw = w;
    i.len = 4;
    i.flags |= flags::WIDE;
    // Every group decodes the condition field of conditional encodings itself; the
    // unconditional space carries 0xE.
    i
}

fn decode_inner(w: u32) -> Insn {
    let cond = w >> 28;
    if cond == 0xf {
        return unconditional::decode_unconditional(w);
    }
    let op1 = (w >> 25) & 7;
    let op = (w >> 4) & 1;
    match op1 {
        0b000 | 0b001 => decode_dp_misc(w),
        0b010 => loadstore::decode_word_byte(w),
        0b011 if op == 0 => loadstore::decode_word_byte(w),
        0b011 => {
            // A5.4 media; the signed multiplies (op1 = 10xxx) are the multiply group's.
            if (w >> 23) & 3 == 0b10 {
                multiply::decode_media_mul(w)
            } else {
                media::decode_media(w)
            }
        }
        0b100 => block::decode_block(w),
        0b101 => branch::decode_b_bl(w),
        _ => coproc::decode_coproc(w),
    }
}

/// A5.2: data-processing and miscellaneous instructions.
fn decode_dp_misc(w: u32) -> Insn {
    let imm = (w >> 25) & 1 != 0;
    let op1 = (w >> 20) & 0x1f;
    let op2 = (w >> 4) & 0xf;
    let is_10xx0 = op1 & 0b11001 == 0b10000;
    if !imm {
        if op2 == 0b1001 {
            return if op1 & 0b10000 == 0 {
                multiply::decode_mul(w)
            } else {
                loadstore::decode_sync(w)
            };
        }
        if op2 == 0b1011 || op2 & 0b1101 == 0b1101 {
            return loadstore::decode_extra(w);
        }
        if is_10xx0 {
            if op2 & 0b1000 == 0 {
                return decode_misc(w);
            }
            return multiply::decode_halfword_mul(w);
        }
        if op2 & 1 == 0 {
            dataproc::decode_reg(w)
        } else {
            dataproc::decode_regshift(w)
        }
    } else {
        match op1 {
            0b10000 | 0b10100 => dataproc::decode_movw_movt(w),
            0b10010 | 0b10110 => system::decode_msr_imm_hints(w),
            _ => dataproc::decode_imm(w),
        }
    }
}

/// A5.2.12: miscellaneous instructions (op = bits 22:21, op2 = bits 6:4).
fn decode_misc(w: u32) -> Insn {
    let op = (w >> 21) & 3;
    let op2 = (w >> 4) & 7;
    match op2 {
        0b001 if op == 0b11 => media::decode_clz(w),
        0b001..=0b011 => branch::decode_bx_misc(w),
        0b101 => media::decode_saturating(w),
        _ => system::decode_misc_system(w),
    }
}
