//! A32 data-processing (Arm ARM A5.2.1-A5.2.3): register, register-shifted register and immediate forms, MOVW/MOVT.
//!
//! Not yet implemented: every encoding decodes as UNDEFINED.

use crate::insn::Insn;

pub fn decode_reg(w: u32) -> Insn {
    Insn::undefined(w)
}

pub fn decode_regshift(w: u32) -> Insn {
    Insn::undefined(w)
}

pub fn decode_imm(w: u32) -> Insn {
    Insn::undefined(w)
}

pub fn decode_movw_movt(w: u32) -> Insn {
    Insn::undefined(w)
}

/// PKHBT/PKHTB (A5.4.3 media space; called from `media::decode_media`).
pub fn decode_pkh(w: u32) -> Insn {
    Insn::undefined(w)
}
