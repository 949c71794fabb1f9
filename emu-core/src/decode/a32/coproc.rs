//! A32 coprocessor instructions and SVC (A5.6). The coprocessor decoder is shared with
//! the unconditional *2 forms (A5.7) and T32 (A6.3.18), whose bits 27:0 use the same
//! layout.
//!
//! Operand convention: see `interp/coproc.rs`; SVC: `imm` = imm24.
//!
//! Only CP14 and CP15 exist for MCR/MRC/MCRR/MRRC/LDC/STC/CDP; CP10/CP11 are the VFP
//! (`vfp.rs`); every other coprocessor is UNDEFINED.
//! The *2 forms (MCR2, MRC2, ...) are UNDEFINED for CP14/CP15 (Arm ARM B3.15 / C6.1),
//! so they decode as UNDEFINED too.

use crate::insn::{flags, ExecFn, Insn};
use crate::interp::coproc as x;
use crate::interp::system as sys;

/// The coprocessor space: `w` in A32 layout (op1 = bits 25:20, coproc = bits 11:8,
/// op = bit 4); `two` selects the *2 forms. op1 = 11xxxx (SVC / Advanced SIMD) is the
/// caller's.
pub(crate) fn decode_cp(w: u32, two: bool) -> Insn {
    let op1 = (w >> 20) & 0x3f;
    let cp = (w >> 8) & 0xf;
    if op1 & 0b11_1110 == 0 || op1 & 0b11_0000 == 0b11_0000 {
        return Insn::undefined(w);
    }
    if !two && cp & 0b1110 == 0b1010 {
        return super::vfp::decode_vfp(w);
    }
    if two || cp < 14 {
        return Insn::undefined(w);
    }
    let (exec, ends): (ExecFn, bool) = match op1 {
        0b00_0100 => (x::exec_mcrr, true),
        0b00_0101 => (x::exec_mrrc, false),
        _ if op1 & 0b10_0000 == 0 => (x::exec_cp_other, false), // LDC, STC
        _ if (w >> 4) & 1 == 0 => (x::exec_cp_other, false),    // CDP
        _ if op1 & 1 == 0 => (x::exec_mcr, true),
        _ => (x::exec_mrc, false),
    };
    let mut i = Insn::new(exec, w);
    i.shift_imm = cp as u8;
    i.rd = ((w >> 12) & 0xf) as u8;
    i.rm = (w & 0xf) as u8;
    if op1 & 0b11_1110 == 0b00_0100 {
        // MCRR/MRRC: Rt2 = bits 19:16, opc1 = bits 7:4.
        i.ra = ((w >> 16) & 0xf) as u8;
        i.op = ((w >> 4) & 0xf) as u8;
    } else {
        i.rn = ((w >> 16) & 0xf) as u8;
        i.op = ((w >> 21) & 7) as u8;
        i.shift = ((w >> 5) & 7) as u8;
        // MCR/MRC: the table row, found once here rather than on every execution.
        i.imm = crate::sysreg::row_id(crate::sysreg::CpReg {
            cp: cp as u8,
            opc1: i.op,
            crn: i.rn,
            crm: i.rm,
            opc2: i.shift,
        });
    }
    if ends {
        i.flags |= flags::ENDS_BLOCK;
    }
    i
}

pub fn decode_coproc(w: u32) -> Insn {
    let op1 = (w >> 20) & 0x3f;
    let i = if op1 & 0b11_0000 == 0b11_0000 {
        // SVC (A8.8.228): cond 1111 imm24.
        let imm = w & 0x00ff_ffff;
        let exec: ExecFn = if imm == 0x12_3456 {
            sys::exec_svc_semihost
        } else {
            sys::exec_svc
        };
        let mut i = Insn::new(exec, w);
        i.imm = imm;
        i.flags |= flags::ENDS_BLOCK;
        i
    } else {
        decode_cp(w, false)
    };
    i.with_cond(w >> 28)
}
