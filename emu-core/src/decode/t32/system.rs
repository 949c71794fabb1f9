//! T32 system instructions: 16-bit hints, SETEND, CPS, BKPT; 32-bit coprocessor instructions (A6.3.18).
//!
//! Not yet implemented: every encoding decodes as UNDEFINED.

use crate::insn::{Insn, ItCtx};

pub fn decode16_hint(hw: u32, _it: ItCtx) -> Insn {
    Insn::undefined(hw)
}

pub fn decode16_misc_system(hw: u32, _it: ItCtx) -> Insn {
    Insn::undefined(hw)
}

pub fn decode32_coproc(hw1: u32, hw2: u32) -> Insn {
    Insn::undefined((hw1 << 16) | hw2)
}
