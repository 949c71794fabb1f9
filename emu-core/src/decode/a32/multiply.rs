//! A32 multiplies (A5.2.5, A5.2.7 halfword multiplies, A5.4.4 signed multiplies and SDIV/UDIV).
//!
//! Not yet implemented: every encoding decodes as UNDEFINED.

use crate::insn::Insn;

pub fn decode_mul(w: u32) -> Insn {
    Insn::undefined(w)
}

pub fn decode_halfword_mul(w: u32) -> Insn {
    Insn::undefined(w)
}

pub fn decode_media_mul(w: u32) -> Insn {
    Insn::undefined(w)
}
