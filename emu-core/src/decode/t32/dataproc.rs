//! T32 data processing: 16-bit (A6.2.1-A6.2.3, ADR, ADD/SUB SP) and 32-bit (A6.3.1, A6.3.3 except media, A6.3.11, register shifts of A6.3.12).
//!
//! Not yet implemented: every encoding decodes as UNDEFINED.

use crate::insn::{Insn, ItCtx};

pub fn decode16_shift_add_sub_mov_cmp(hw: u32, _it: ItCtx) -> Insn {
    Insn::undefined(hw)
}

pub fn decode16_dp(hw: u32, _it: ItCtx) -> Insn {
    Insn::undefined(hw)
}

pub fn decode16_special(hw: u32, _it: ItCtx) -> Insn {
    Insn::undefined(hw)
}

pub fn decode16_adr(hw: u32, _it: ItCtx) -> Insn {
    Insn::undefined(hw)
}

pub fn decode16_add_sp(hw: u32, _it: ItCtx) -> Insn {
    Insn::undefined(hw)
}

pub fn decode16_adjust_sp(hw: u32, _it: ItCtx) -> Insn {
    Insn::undefined(hw)
}

pub fn decode32_shifted_reg(hw1: u32, hw2: u32) -> Insn {
    Insn::undefined((hw1 << 16) | hw2)
}

pub fn decode32_modified_imm(hw1: u32, hw2: u32) -> Insn {
    Insn::undefined((hw1 << 16) | hw2)
}

pub fn decode32_plain_imm(hw1: u32, hw2: u32) -> Insn {
    Insn::undefined((hw1 << 16) | hw2)
}

pub fn decode32_shift_reg(hw1: u32, hw2: u32) -> Insn {
    Insn::undefined((hw1 << 16) | hw2)
}
