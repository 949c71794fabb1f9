//! A32 load/store multiple (A5.5): LDM/STM in every addressing mode, user-bank and exception-return forms.
//!
//! Not yet implemented: every encoding decodes as UNDEFINED.

use crate::insn::Insn;

pub fn decode_block(w: u32) -> Insn {
    Insn::undefined(w)
}
