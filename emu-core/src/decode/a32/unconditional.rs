//! A32 unconditional instructions (A5.7): CPS, SETEND, barriers, CLREX, PLD/PLI, SRS,
//! RFE, BLX immediate, coprocessor *2 forms.
//!
//! Operand conventions: see `interp/system.rs` and `interp/branch.rs`. Where the Arm ARM
//! has should-be-one / should-be-zero fields, encodings that break them are UNDEFINED,
//! as in QEMU.

use crate::insn::{flags, Insn};
use crate::interp::branch as br;
use crate::interp::system as x;

use super::branch::{branch, sext};
use super::system::{cps, setend};

pub fn decode_unconditional(w: u32) -> Insn {
    if w & (1 << 27) == 0 {
        return decode_hints_simd_misc(w);
    }
    let op1 = (w >> 20) & 0xff;
    if op1 & 0b1110_0101 == 0b1000_0100 || op1 & 0b1110_0101 == 0b1000_0001 {
        // SRS (100xx1x0), RFE (100xx0x1).
        return super::block::decode_srs_rfe(w);
    }
    match op1 >> 5 {
        0b101 => {
            // BLX (immediate) A2: 1111 101 H imm24; target = PC + 8 + imm24:H:'0'.
            let off = sext(((w & 0x00ff_ffff) << 2) | ((w >> 23) & 2), 26);
            branch(br::exec_blx_imm, w, off.wrapping_add(8))
        }
        // LDC2/STC2/MCRR2/MRRC2 (110xxxxx), CDP2/MCR2/MRC2 (1110xxxx).
        0b110 => super::coproc::decode_cp(w, true),
        0b111 if op1 & 0x10 == 0 => super::coproc::decode_cp(w, true),
        _ => Insn::undefined(w),
    }
}

/// A5.7.1: memory hints, Advanced SIMD and miscellaneous (bit 27 = 0), by op1 = bits
/// 26:20, op2 = bits 7:4.
fn decode_hints_simd_misc(w: u32) -> Insn {
    let op1 = (w >> 20) & 0x7f;
    let op2 = (w >> 4) & 0xf;
    let rn = (w >> 16) & 0xf;
    let nop = || Insn::new(x::exec_nop, w);
    // PLD/PLDW/PLI: bits 15:12 are (1)(1)(1)(1).
    let preload = || {
        if w & 0xf000 == 0xf000 {
            nop()
        } else {
            Insn::unpredictable(w)
        }
    };
    match op1 {
        0b001_0000 => {
            if op2 & 0b0010 == 0 && rn & 1 == 0 {
                // CPS: 1111 0001 0000 imod M 0 (0)x7 A I F 0 mode.
                if w & 0xfe00 != 0 {
                    return Insn::unpredictable(w);
                }
                cps(w, (w >> 18) & 3, (w >> 17) & 1, (w >> 6) & 7, w & 0x1f)
            } else if w & 0x000f_fdff == 0x0001_0000 {
                // SETEND: 1111 0001 0000 0001 0000 00 E 0 0000 0000.
                setend(w, (w >> 9) & 1)
            } else {
                Insn::undefined(w)
            }
        }
        // Advanced SIMD data processing and element/structure load/store: no NEON yet.
        _ if op1 & 0b110_0000 == 0b010_0000 => Insn::undefined(w),
        _ if op1 & 0b111_0001 == 0b100_0000 => Insn::undefined(w),
        // Unallocated memory hint: behaves as NOP.
        _ if op1 & 0b111_0111 == 0b100_0001 => nop(),
        // PLI (immediate, literal).
        _ if op1 & 0b111_0111 == 0b100_0101 => preload(),
        // PLDW (immediate); Rn = 15 is UNPREDICTABLE.
        _ if op1 & 0b111_0111 == 0b101_0001 && rn != 15 => preload(),
        // PLD (immediate, literal).
        _ if op1 & 0b111_0111 == 0b101_0101 => preload(),
        0b101_0111 => match w & 0x000f_ffff {
            0x000f_f01f => Insn::new(x::exec_clrex, w),
            v if v & !0xf == 0x000f_f040 => nop(), // DSB
            v if v & !0xf == 0x000f_f050 => nop(), // DMB
            v if v & !0xf == 0x000f_f060 => {
                let mut i = Insn::new(x::exec_isb, w);
                i.flags |= flags::ENDS_BLOCK;
                i
            }
            _ => Insn::unpredictable(w),
        },
        // Register forms need op2<0> = 0.
        _ if op2 & 1 != 0 => Insn::undefined(w),
        // Unallocated memory hint (register): NOP.
        _ if op1 & 0b111_0111 == 0b110_0001 => nop(),
        // PLI, PLDW, PLD (register).
        _ if op1 & 0b111_0111 == 0b110_0101 => preload(),
        _ if op1 & 0b111_0111 == 0b111_0001 => preload(),
        _ if op1 & 0b111_0111 == 0b111_0101 => preload(),
        _ => Insn::undefined(w),
    }
}
