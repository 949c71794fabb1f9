//! T32 system instructions: 16-bit hints, SETEND, CPS, BKPT; 32-bit coprocessor instructions (A6.3.18).
//!
//! Operand conventions: see `interp/system.rs` and `interp/coproc.rs`.

use crate::insn::{Insn, ItCtx};
use crate::interp::system as x;

use crate::decode::a32::system::{cps, hint, setend, with_imm};

/// Hints (A6.2.5): 1011 1111 opA 0000: NOP, YIELD, WFE, WFI, SEV; other opA values are
/// reserved hints that behave as NOP.
pub fn decode16_hint(hw: u32, _it: ItCtx) -> Insn {
    hint(hw, (hw >> 4) & 0xf)
}

/// The rest of A6.2.5 (opcode = hw[11:5]): SETEND, CPS, BKPT; everything else here is
/// unallocated.
pub fn decode16_misc_system(hw: u32, _it: ItCtx) -> Insn {
    let op = (hw >> 5) & 0x7f;
    match op {
        // SETEND: 1011 0110 010 (1) E (0)(0)(0).
        0b011_0010 if hw & 0xfff7 == 0xb650 => setend(hw, (hw >> 3) & 1),
        // CPS: 1011 0110 011 im (0) A I F; im = 1 disables (imod 11), 0 enables (10).
        0b011_0011 if hw & 0x8 == 0 => cps(hw, 2 | ((hw >> 4) & 1), 0, hw & 7, 0),
        // BKPT: 1011 1110 imm8.
        0b111_0000..=0b111_0111 => with_imm(x::exec_bkpt, hw, hw & 0xff),
        _ => Insn::undefined(hw),
    }
}

/// A6.3.18: coprocessor and Advanced SIMD (hw1 = 111T 11xx xxxx xxxx). The bits 27:0 of
/// hw1:hw2 follow the A32 layout; T (bit 28) selects the *2 forms.
pub fn decode32_coproc(hw1: u32, hw2: u32) -> Insn {
    let w = (hw1 << 16) | hw2;
    // op1 = 11xxxx: Advanced SIMD data processing (no NEON yet); handled as UNDEFINED by
    // the shared decoder.
    let mut i = crate::decode::a32::coproc::decode_cp(w, (w >> 28) & 1 != 0);
    i.raw = w;
    i
}
