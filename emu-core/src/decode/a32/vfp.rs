//! VFP (VFPv4-D32) decoding: floating-point data-processing (A7.5), extension register
//! loads and stores (A7.6), and the 8/16/32-bit and 64-bit transfers between core and
//! extension registers (A7.8, A7.9). Shared by A32 and T32: the T32 encodings are the
//! A32 ones with 1110 in place of the condition (hw1 << 16 | hw2 has the same layout),
//! so callers pass the 32-bit word and set the condition themselves.
//!
//! Operand convention: see `interp/vfp.rs`.

use crate::insn::{ExecFn, Insn};
use crate::interp::vfp as x;

#[inline]
fn bit(w: u32, n: u32) -> u32 {
    (w >> n) & 1
}

/// Sd (Vd:D) or Dd (D:Vd) from the four-bit field at `lo` and the extra bit at `b`.
#[inline]
fn vreg(w: u32, lo: u32, b: u32, dbl: bool) -> u8 {
    let v = (w >> lo) & 0xf;
    (if dbl {
        (bit(w, b) << 4) | v
    } else {
        (v << 1) | bit(w, b)
    }) as u8
}

fn vd(w: u32, dbl: bool) -> u8 {
    vreg(w, 12, 22, dbl)
}
fn vn(w: u32, dbl: bool) -> u8 {
    vreg(w, 16, 7, dbl)
}
fn vm(w: u32, dbl: bool) -> u8 {
    vreg(w, 0, 5, dbl)
}

fn mk(exec: ExecFn, w: u32, op: u8, dbl: bool) -> Insn {
    let mut i = Insn::new(exec, w);
    i.op = op;
    i.shift = dbl as u8;
    i
}

/// Decodes a coprocessor 10/11 encoding (bits 27:0 in A32 layout); the caller has
/// excluded op1 = 0000x0/11xxxx and the *2 forms.
pub fn decode_vfp(w: u32) -> Insn {
    match (w >> 24) & 0xf {
        0b1100 | 0b1101 => decode_ldst(w),
        0b1110 if bit(w, 4) == 0 => decode_dp(w),
        0b1110 => decode_transfer(w),
        _ => Insn::undefined(w),
    }
}

fn decode_dp(w: u32) -> Insn {
    let dbl = bit(w, 8) != 0;
    let opc1 = ((w >> 20) & 0xf) & 0b1011;
    let opc2 = (w >> 16) & 0xf;
    let op6 = bit(w, 6);
    let three = |op: u8| {
        let mut i = mk(x::exec_dp, w, op, dbl);
        i.rd = vd(w, dbl);
        i.rn = vn(w, dbl);
        i.rm = vm(w, dbl);
        i
    };
    match opc1 {
        0b0000 => three(if op6 == 0 { x::VMLA } else { x::VMLS }),
        0b0001 => three(if op6 == 0 { x::VNMLS } else { x::VNMLA }),
        0b0010 => three(if op6 == 0 { x::VMUL } else { x::VNMUL }),
        0b0011 => three(if op6 == 0 { x::VADD } else { x::VSUB }),
        0b1000 if op6 == 0 => three(x::VDIV),
        0b1001 => three(if op6 == 0 { x::VFNMS } else { x::VFNMA }),
        0b1010 => three(if op6 == 0 { x::VFMA } else { x::VFMS }),
        0b1011 => decode_dp_other(w, dbl, opc2),
        _ => Insn::undefined(w),
    }
}

/// VFPExpandImm (A7.5.1).
fn expand_imm(imm8: u32, dbl: bool) -> u64 {
    let a = (imm8 >> 7) as u64;
    let b = ((imm8 >> 6) & 1) as u64;
    let cdefgh = (imm8 & 0x3f) as u64;
    if dbl {
        let exp = ((b ^ 1) << 10) | (if b != 0 { 0xff } else { 0 } << 2) | (cdefgh >> 4);
        (a << 63) | (exp << 52) | ((cdefgh & 0xf) << 48)
    } else {
        let exp = ((b ^ 1) << 7) | (if b != 0 { 0x1f } else { 0 } << 2) | (cdefgh >> 4);
        (a << 31) | (exp << 23) | ((cdefgh & 0xf) << 19)
    }
}

fn decode_dp_other(w: u32, dbl: bool, opc2: u32) -> Insn {
    let opc3 = (w >> 6) & 3;
    if opc3 & 1 == 0 {
        // VMOV (immediate): bits 7:4 are 0000.
        if (w >> 4) & 0xf != 0 {
            return Insn::undefined(w);
        }
        let mut i = mk(x::exec_dp, w, x::VMOVI, dbl);
        i.rd = vd(w, dbl);
        let imm8 = ((w >> 12) & 0xf0) | (w & 0xf);
        let v = expand_imm(imm8, dbl);
        // The double's low word is zero: keep the high word only.
        i.imm = if dbl { (v >> 32) as u32 } else { v as u32 };
        return i;
    }
    let two = |op: u8, dd: bool, dm: bool| {
        let mut i = mk(x::exec_dp, w, op, dbl);
        i.rd = vd(w, dd);
        i.rm = vm(w, dm);
        i
    };
    let misc = |op: u8, dd: bool, dm: bool| {
        let mut i = mk(x::exec_misc, w, op, dbl);
        i.rd = vd(w, dd);
        i.rm = vm(w, dm);
        i
    };
    let b7 = bit(w, 7) != 0;
    match opc2 {
        0b0000 => two(if b7 { x::VABS } else { x::VMOV }, dbl, dbl),
        0b0001 => two(if b7 { x::VSQRT } else { x::VNEG }, dbl, dbl),
        0b0010 | 0b0011 if !dbl => {
            // VCVTB/VCVTT: bit 16 = 1 single to half; bit 7 = T (top half).
            let mut i = misc(
                if opc2 & 1 != 0 {
                    x::CVT_S_TO_H
                } else {
                    x::CVT_H_TO_S
                },
                false,
                false,
            );
            i.shift_imm = b7 as u8;
            i
        }
        0b0100 | 0b0101 => {
            let mut i = misc(if b7 { x::VCMPE } else { x::VCMP }, dbl, dbl);
            if opc2 == 0b0101 {
                i.shift_imm = 1; // compare with zero
            }
            i
        }
        0b0111 if b7 => misc(x::CVT_FP, !dbl, dbl),
        0b1000 => {
            // Integer to floating point: Sm is always single; bit 7 = signed.
            let mut i = misc(x::CVT_I_TO_F, dbl, false);
            i.shift_imm = b7 as u8;
            i
        }
        0b1100 | 0b1101 => {
            // Floating point to integer: Sd is always single. bit 16 = signed, bit 7 =
            // round towards zero (otherwise FPSCR rounding, VCVTR).
            let mut i = misc(x::CVT_F_TO_I, false, dbl);
            i.shift_imm = (opc2 & 1) as u8 | ((b7 as u8) << 1);
            i
        }
        0b1010 | 0b1011 | 0b1110 | 0b1111 => {
            // Fixed point (in place): bit 18 = to fixed, bit 16 = unsigned, bit 7 = 32-bit.
            let size = if b7 { 32 } else { 16 };
            let imm = ((w & 0xf) << 1) | bit(w, 5);
            if imm > size {
                return Insn::unpredictable(w);
            }
            let mut i = mk(x::exec_misc, w, x::CVT_FIXED, dbl);
            i.rd = vd(w, dbl);
            i.shift_imm = (size - imm) as u8; // fraction bits
            i.ra = size as u8;
            i.imm = (opc2 >> 2) & 1 | ((opc2 & 1) << 1); // bit 0 to fixed, bit 1 unsigned
            i
        }
        _ => Insn::undefined(w),
    }
}

fn decode_ldst(w: u32) -> Insn {
    let op1 = (w >> 20) & 0x3f;
    let dbl = bit(w, 8) != 0;
    if op1 & 0b11_1110 == 0b00_0100 {
        // 64-bit transfers: bits 7:6 = 00, bit 4 = 1.
        if (w >> 6) & 3 != 0 || bit(w, 4) == 0 {
            return Insn::undefined(w);
        }
        let mut i = mk(x::exec_mov64, w, bit(w, 20) as u8, dbl);
        i.rd = ((w >> 12) & 0xf) as u8; // Rt
        i.ra = ((w >> 16) & 0xf) as u8; // Rt2
        i.rm = vm(w, dbl);
        if i.rd == 15 || i.ra == 15 || (!dbl && i.rm == 31) || (i.op == 1 && i.rd == i.ra) {
            return Insn::unpredictable(w);
        }
        return i;
    }
    let p = bit(w, 24) != 0;
    let u = bit(w, 23) != 0;
    let wb = bit(w, 21) != 0;
    let load = bit(w, 20) != 0;
    let rn = ((w >> 16) & 0xf) as u8;
    let imm8 = w & 0xff;
    if p && !wb {
        // VLDR / VSTR.
        let mut i = mk(x::exec_ldst, w, load as u8, dbl);
        i.rd = vd(w, dbl);
        i.rn = rn;
        let off = imm8 << 2;
        i.imm = if u { off } else { off.wrapping_neg() };
        return i;
    }
    if p == u || (!p && !u) {
        return Insn::undefined(w);
    }
    // VLDM / VSTM (IA with optional writeback, DB with writeback; VPUSH/VPOP).
    let d = vd(w, dbl) as u32;
    let regs = if dbl { imm8 / 2 } else { imm8 };
    if regs == 0 || d + regs > 32 || (dbl && regs > 16) || (rn == 15 && wb) {
        return Insn::unpredictable(w);
    }
    let mut i = mk(x::exec_ldst, w, 2 | load as u8, dbl);
    i.rd = d as u8;
    i.rn = rn;
    i.shift_imm = regs as u8;
    i.imm = imm8 << 2;
    i.flags = ((u as u16) * x::F_ADD) | ((wb as u16) * x::F_WB);
    i
}

fn decode_transfer(w: u32) -> Insn {
    let a = (w >> 21) & 7;
    let load = bit(w, 20) != 0;
    let rt = ((w >> 12) & 0xf) as u8;
    if bit(w, 8) == 0 {
        match a {
            0b000 if w & 0x7f == 0x10 => {
                if rt == 15 {
                    return Insn::unpredictable(w);
                }
                let mut i = mk(x::exec_mov_s, w, load as u8, false);
                i.rd = rt;
                i.rn = vn(w, false);
                i
            }
            0b111 if w & 0xff == 0x10 => {
                let mut i = mk(if load { x::exec_vmrs } else { x::exec_vmsr }, w, 0, false);
                i.rd = rt;
                i.rn = ((w >> 16) & 0xf) as u8;
                if !load && rt == 15 {
                    return Insn::unpredictable(w);
                }
                i
            }
            _ => Insn::undefined(w),
        }
    } else {
        // VMOV between a core register and a 32-bit scalar (the 8/16-bit forms and VDUP
        // are Advanced SIMD).
        if w & 0x7f != 0x10 || bit(w, 23) != 0 || bit(w, 22) != 0 || rt == 15 {
            return Insn::undefined(w);
        }
        let mut i = mk(x::exec_mov_scalar, w, load as u8, true);
        i.rd = rt;
        i.rn = vn(w, true);
        i.shift_imm = bit(w, 21) as u8;
        i
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expand() {
        // vmov.f32 s0, #1.0 -> imm8 0x70; vmov.f64 #-2.0 -> 0x80.
        assert_eq!(expand_imm(0x70, false), 0x3f80_0000);
        assert_eq!(expand_imm(0x70, true), 0x3ff0_0000_0000_0000);
        assert_eq!(expand_imm(0x80, true), 0xc000_0000_0000_0000);
        assert_eq!(expand_imm(0x00, false), 0x4000_0000);
    }
}
