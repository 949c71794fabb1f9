//! T32 branches: BX/BLX register, CBZ/CBNZ, B (16-bit conditional and unconditional), SVC, UDF, and A6.3.4 branches and miscellaneous control.
//!
//! Not yet implemented: every encoding decodes as UNDEFINED.

use crate::insn::{Insn, ItCtx};

pub fn decode16_bx_blx(hw: u32, _it: ItCtx) -> Insn {
    Insn::undefined(hw)
}

pub fn decode16_cbz(hw: u32, _it: ItCtx) -> Insn {
    Insn::undefined(hw)
}

pub fn decode16_cond_branch_svc_udf(hw: u32, _it: ItCtx) -> Insn {
    Insn::undefined(hw)
}

pub fn decode16_b(hw: u32, _it: ItCtx) -> Insn {
    Insn::undefined(hw)
}

pub fn decode32_branch_misc(hw1: u32, hw2: u32) -> Insn {
    Insn::undefined((hw1 << 16) | hw2)
}
