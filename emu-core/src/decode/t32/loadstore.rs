//! T32 loads and stores: 16-bit (A6.2.4, LDR literal, PUSH/POP, LDM/STM) and 32-bit (A6.3.5-A6.3.10, including TBB/TBH and PLD/PLI).
//!
//! Not yet implemented: every encoding decodes as UNDEFINED.

use crate::insn::{Insn, ItCtx};

pub fn decode16_ldr_literal(hw: u32, _it: ItCtx) -> Insn {
    Insn::undefined(hw)
}

pub fn decode16_ldst_single(hw: u32, _it: ItCtx) -> Insn {
    Insn::undefined(hw)
}

pub fn decode16_push_pop(hw: u32, _it: ItCtx) -> Insn {
    Insn::undefined(hw)
}

pub fn decode16_ldm_stm(hw: u32, _it: ItCtx) -> Insn {
    Insn::undefined(hw)
}

pub fn decode32_ldst_multiple(hw1: u32, hw2: u32) -> Insn {
    Insn::undefined((hw1 << 16) | hw2)
}

pub fn decode32_dual_excl_tb(hw1: u32, hw2: u32) -> Insn {
    Insn::undefined((hw1 << 16) | hw2)
}

pub fn decode32_store_single(hw1: u32, hw2: u32) -> Insn {
    Insn::undefined((hw1 << 16) | hw2)
}

pub fn decode32_load_byte(hw1: u32, hw2: u32) -> Insn {
    Insn::undefined((hw1 << 16) | hw2)
}

pub fn decode32_load_half(hw1: u32, hw2: u32) -> Insn {
    Insn::undefined((hw1 << 16) | hw2)
}

pub fn decode32_load_word(hw1: u32, hw2: u32) -> Insn {
    Insn::undefined((hw1 << 16) | hw2)
}
