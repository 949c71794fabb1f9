//! T32 multiplies: MUL (16-bit), A6.3.16 multiply/accumulate, A6.3.17 long multiply and divide.
//!
//! Not yet implemented: every encoding decodes as UNDEFINED.

use crate::insn::{Insn, ItCtx};

pub fn decode16_mul(hw: u32, _it: ItCtx) -> Insn {
    Insn::undefined(hw)
}

pub fn decode32_mul(hw1: u32, hw2: u32) -> Insn {
    Insn::undefined((hw1 << 16) | hw2)
}

pub fn decode32_long_mul_div(hw1: u32, hw2: u32) -> Insn {
    Insn::undefined((hw1 << 16) | hw2)
}
