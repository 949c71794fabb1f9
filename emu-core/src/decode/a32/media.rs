//! A32 media instructions (A5.4 except signed multiplies), saturating add/subtract (A5.2.6) and CLZ.
//!
//! Not yet implemented: every encoding decodes as UNDEFINED.

use crate::insn::Insn;

pub fn decode_media(w: u32) -> Insn {
    Insn::undefined(w)
}

pub fn decode_saturating(w: u32) -> Insn {
    Insn::undefined(w)
}

pub fn decode_clz(w: u32) -> Insn {
    Insn::undefined(w)
}
