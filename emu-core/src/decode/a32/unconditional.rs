//! A32 unconditional instructions (A5.7): CPS, SETEND, barriers, CLREX, PLD/PLI, SRS, RFE, BLX immediate, coprocessor *2 forms.
//!
//! Not yet implemented: every encoding decodes as UNDEFINED.

use crate::insn::Insn;

pub fn decode_unconditional(w: u32) -> Insn {
    Insn::undefined(w)
}
