//! A32 coprocessor instructions and SVC (A5.6).
//!
//! Not yet implemented: every encoding decodes as UNDEFINED.

use crate::insn::Insn;

pub fn decode_coproc(w: u32) -> Insn {
    Insn::undefined(w)
}
