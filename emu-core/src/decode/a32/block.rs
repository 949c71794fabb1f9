//! A32 load/store multiple (A5.5): LDM/STM in every addressing mode, user-bank and exception-return forms.
//!
//! Not yet implemented: every encoding decodes as UNDEFINED.

use crate::insn::Insn;

pub fn decode_block(w: u32) -> Insn {
    Insn::undefined(w)
}

/// SRS/RFE (A5.7 unconditional space; called from `unconditional::decode_unconditional`).
pub fn decode_srs_rfe(w: u32) -> Insn {
    Insn::undefined(w)
}
