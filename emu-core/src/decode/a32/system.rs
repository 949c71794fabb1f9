//! A32 system instructions: MRS/MSR (including banked), ERET, BKPT, HVC, SMC (A5.2.12); MSR immediate and hints (A5.2.11).
//!
//! Not yet implemented: every encoding decodes as UNDEFINED.

use crate::insn::Insn;

pub fn decode_misc_system(w: u32) -> Insn {
    Insn::undefined(w)
}

pub fn decode_msr_imm_hints(w: u32) -> Insn {
    Insn::undefined(w)
}
