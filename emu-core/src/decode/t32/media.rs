//! T32 media: 16-bit extends and REV, SSAT/USAT/bitfield (A6.3.3), A6.3.12 extends, parallel add/subtract and miscellaneous.
//!
//! Not yet implemented: every encoding decodes as UNDEFINED.

use crate::insn::{Insn, ItCtx};

pub fn decode16_extend(hw: u32, _it: ItCtx) -> Insn {
    Insn::undefined(hw)
}

pub fn decode16_rev(hw: u32, _it: ItCtx) -> Insn {
    Insn::undefined(hw)
}

pub fn decode32_plain_imm_media(hw1: u32, hw2: u32) -> Insn {
    Insn::undefined((hw1 << 16) | hw2)
}

pub fn decode32_dp_reg_media(hw1: u32, hw2: u32) -> Insn {
    Insn::undefined((hw1 << 16) | hw2)
}
