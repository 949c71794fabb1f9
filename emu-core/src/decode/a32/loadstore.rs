//! A32 loads and stores: word and unsigned byte (A5.3), extra load/store (A5.2.8, A5.2.9), synchronization primitives (A5.2.10).
//!
//! Not yet implemented: every encoding decodes as UNDEFINED.

use crate::insn::Insn;

pub fn decode_word_byte(w: u32) -> Insn {
    Insn::undefined(w)
}

pub fn decode_extra(w: u32) -> Insn {
    Insn::undefined(w)
}

pub fn decode_sync(w: u32) -> Insn {
    Insn::undefined(w)
}
