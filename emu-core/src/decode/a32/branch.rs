//! A32 branches: B, BL (A5.5) and BX, BXJ, BLX register (A5.2.12).
//!
//! Not yet implemented: every encoding decodes as UNDEFINED.

use crate::insn::Insn;

pub fn decode_b_bl(w: u32) -> Insn {
    Insn::undefined(w)
}

pub fn decode_bx_misc(w: u32) -> Insn {
    Insn::undefined(w)
}
