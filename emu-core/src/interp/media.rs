//! Exec routines of the media group: saturating add/subtract (A5.2.6), CLZ, parallel
//! add/subtract (A5.4.1, A5.4.2), packing/unpacking/saturation/reversal (A5.4.3),
//! USAD8/USADA8 and the bitfield instructions (A5.4), shared by the A32 and T32
//! decoders (`decode::a32::media`, `decode::t32::media`).
//!
//! Operand slots:
//! - `rd` destination; `rn`, `rm` sources as named by the Arm ARM; `ra` the USADA8
//!   accumulator. SSAT/USAT/SSAT16/USAT16 read `rn`, REV/RBIT/CLZ/extends read `rm`.
//! - extends (SXTB, UXTAB16, ...): `shift_imm` = rotation of Rm (0, 8, 16, 24); the
//!   accumulate forms add `rn`.
//! - SSAT/USAT (and the 16-bit forms): `imm` = the largest representable result
//!   (2^(n-1) - 1 signed, 2^n - 1 unsigned), the smallest being !imm (signed) or 0;
//!   `shift_imm` = the shift of Rn (LSL, or ASR when the exec routine says so; ASR #32
//!   is stored as #31, same result).
//! - SBFX: `shift_imm` = 32 - lsb - width (left shift), `shift` = 32 - width (arithmetic
//!   right shift). UBFX: `shift_imm` = lsb, `imm` = mask of width bits.
//! - BFI/BFC: `imm` = mask of the destination field, `shift_imm` = lsb.
//!
//! Parallel add/subtract routines are generic over the kind (S, Q, SH, U, UQ, UH: the
//! `PAR_*` constants) and the operation (`OP_*`), so each of the 36 instructions is a
//! straight-line routine chosen at decode time (see [`par_exec`]).

use crate::cpu::Cpu;
use crate::exception::Exception;
use crate::insn::{ExecFn, Insn};

type Res = Result<(), Exception>;

#[inline(always)]
fn set_q_if(cpu: &mut Cpu, sat: bool) {
    cpu.s.qf |= sat as u32;
}

// ---- A5.2.6 saturating add/subtract, CLZ ---------------------------------------------

#[inline(always)]
fn sat32(v: i64) -> (i32, bool) {
    let r = v.clamp(i32::MIN as i64, i32::MAX as i64);
    (r as i32, r != v)
}

/// QADD, QSUB, QDADD, QDSUB: Rd = sat(Rm +/- sat(Rn * (1 or 2))), Q if any step
/// saturated.
pub fn exec_qaddsub<const DOUBLE: bool, const SUB: bool>(cpu: &mut Cpu, i: &Insn) -> Res {
    let m = cpu.reg(i.rm) as i32 as i64;
    let mut n = cpu.reg(i.rn) as i32 as i64;
    let mut q = false;
    if DOUBLE {
        let (d, s) = sat32(2 * n);
        n = d as i64;
        q = s;
    }
    let (r, s) = sat32(if SUB { m - n } else { m + n });
    set_q_if(cpu, q | s);
    cpu.set_reg(i.rd, r as u32);
    Ok(())
}

/// CLZ: count leading zeros of Rm.
pub fn exec_clz(cpu: &mut Cpu, i: &Insn) -> Res {
    let r = cpu.reg(i.rm).leading_zeros();
    cpu.set_reg(i.rd, r);
    Ok(())
}

// ---- A5.4.1 / A5.4.2 parallel add and subtract --------------------------------------

/// Parallel add/subtract kinds (the instruction prefix).
pub const PAR_S: u8 = 0;
pub const PAR_Q: u8 = 1;
pub const PAR_SH: u8 = 2;
pub const PAR_U: u8 = 3;
pub const PAR_UQ: u8 = 4;
pub const PAR_UH: u8 = 5;

/// Parallel add/subtract operations (the instruction suffix).
pub const OP_ADD16: u8 = 0;
pub const OP_ASX: u8 = 1;
pub const OP_SAX: u8 = 2;
pub const OP_SUB16: u8 = 3;
pub const OP_ADD8: u8 = 4;
pub const OP_SUB8: u8 = 5;

/// Finishes one lane of `BITS` bits whose exact result is `r`: (lane value, GE bit).
/// GE is meaningful for the S and U kinds only: signed result >= 0, unsigned sum
/// carried out of the lane, unsigned difference >= 0 (A8.8.*: SADD16, UADD16, ...).
#[inline(always)]
fn lane<const K: u8, const BITS: u32>(r: i32, add: bool) -> (u32, bool) {
    let mask = (1u32 << BITS) - 1;
    match K {
        PAR_S => (r as u32 & mask, r >= 0),
        PAR_U => (r as u32 & mask, if add { r >= 1 << BITS } else { r >= 0 }),
        PAR_Q => {
            let lim = 1i32 << (BITS - 1);
            (r.clamp(-lim, lim - 1) as u32 & mask, false)
        }
        PAR_UQ => (r.clamp(0, mask as i32) as u32, false),
        // SH and UH: the exact result halved (bits BITS:1 of it).
        _ => ((r >> 1) as u32 & mask, false),
    }
}

/// ADD16, ASX, SAX, SUB16 of kind `K`.
pub fn exec_par16<const K: u8, const OP: u8>(cpu: &mut Cpu, i: &Insn) -> Res {
    let a = cpu.reg(i.rn);
    let b = cpu.reg(i.rm);
    let signed = K <= PAR_SH;
    let ext = |v: u32| {
        if signed {
            v as u16 as i16 as i32
        } else {
            v as u16 as i32
        }
    };
    let (a0, a1, b0, b1) = (ext(a), ext(a >> 16), ext(b), ext(b >> 16));
    let (r0, add0, r1, add1) = match OP {
        OP_ADD16 => (a0 + b0, true, a1 + b1, true),
        OP_ASX => (a0 - b1, false, a1 + b0, true),
        OP_SAX => (a0 + b1, true, a1 - b0, false),
        _ => (a0 - b0, false, a1 - b1, false),
    };
    let (v0, g0) = lane::<K, 16>(r0, add0);
    let (v1, g1) = lane::<K, 16>(r1, add1);
    if K == PAR_S || K == PAR_U {
        cpu.s.ge = (g0 as u32 * 0b0011) | (g1 as u32 * 0b1100);
    }
    cpu.set_reg(i.rd, v0 | (v1 << 16));
    Ok(())
}

/// ADD8 and SUB8 of kind `K`.
pub fn exec_par8<const K: u8, const OP: u8>(cpu: &mut Cpu, i: &Insn) -> Res {
    let a = cpu.reg(i.rn);
    let b = cpu.reg(i.rm);
    let signed = K <= PAR_SH;
    let add = OP == OP_ADD8;
    let mut r = 0;
    let mut ge = 0;
    for k in 0..4 {
        let (x, y) = if signed {
            ((a >> (8 * k)) as i8 as i32, (b >> (8 * k)) as i8 as i32)
        } else {
            ((a >> (8 * k)) as u8 as i32, (b >> (8 * k)) as u8 as i32)
        };
        let (v, g) = lane::<K, 8>(if add { x + y } else { x - y }, add);
        r |= v << (8 * k);
        ge |= (g as u32) << k;
    }
    if K == PAR_S || K == PAR_U {
        cpu.s.ge = ge;
    }
    cpu.set_reg(i.rd, r);
    Ok(())
}

macro_rules! par_row {
    ($k:expr) => {
        [
            exec_par16::<{ $k }, OP_ADD16> as ExecFn,
            exec_par16::<{ $k }, OP_ASX>,
            exec_par16::<{ $k }, OP_SAX>,
            exec_par16::<{ $k }, OP_SUB16>,
            exec_par8::<{ $k }, OP_ADD8>,
            exec_par8::<{ $k }, OP_SUB8>,
        ]
    };
}

static PAR_TABLE: [[ExecFn; 6]; 6] = [
    par_row!(PAR_S),
    par_row!(PAR_Q),
    par_row!(PAR_SH),
    par_row!(PAR_U),
    par_row!(PAR_UQ),
    par_row!(PAR_UH),
];

/// The exec routine of parallel add/subtract `kind` (`PAR_*`) and `op` (`OP_*`).
pub fn par_exec(kind: u8, op: u8) -> ExecFn {
    PAR_TABLE[kind as usize % 6][op as usize % 6]
}

// ---- A5.4.3 packing, unpacking, saturation and reversal -----------------------------

/// Extend kinds.
pub const EXT_SXTB: u8 = 0;
pub const EXT_SXTH: u8 = 1;
pub const EXT_SXTB16: u8 = 2;
pub const EXT_UXTB: u8 = 3;
pub const EXT_UXTH: u8 = 4;
pub const EXT_UXTB16: u8 = 5;

/// SXTB, SXTH, SXTB16, UXTB, UXTH, UXTB16 (Rm rotated by `shift_imm`) and, with ACC,
/// their accumulating forms SXTAB ... UXTAB16 (plus Rn; the 16 forms per halfword).
pub fn exec_ext<const K: u8, const ACC: bool>(cpu: &mut Cpu, i: &Insn) -> Res {
    let v = cpu.reg(i.rm).rotate_right(i.shift_imm as u32);
    let x = match K {
        EXT_SXTB => v as i8 as u32,
        EXT_SXTH => v as i16 as u32,
        EXT_SXTB16 => (v as i8 as u16 as u32) | (((v >> 16) as i8 as u16 as u32) << 16),
        EXT_UXTB => v & 0xff,
        EXT_UXTH => v & 0xffff,
        _ => v & 0x00ff_00ff,
    };
    let r = if !ACC {
        x
    } else {
        let n = cpu.reg(i.rn);
        if K == EXT_SXTB16 || K == EXT_UXTB16 {
            let lo = n.wrapping_add(x) & 0xffff;
            let hi = (n >> 16).wrapping_add(x >> 16) << 16;
            lo | hi
        } else {
            n.wrapping_add(x)
        }
    };
    cpu.set_reg(i.rd, r);
    Ok(())
}

/// SSAT (ASR = shift type): Rd = SignedSat(Rn shifted, n), Q if saturated.
pub fn exec_ssat<const ASR: bool>(cpu: &mut Cpu, i: &Insn) -> Res {
    let v = cpu.reg(i.rn);
    let sh = i.shift_imm as u32 & 31;
    let x = if ASR {
        (v as i32) >> sh
    } else {
        (v << sh) as i32
    };
    let max = i.imm as i32;
    let r = x.clamp(!max, max);
    set_q_if(cpu, r != x);
    cpu.set_reg(i.rd, r as u32);
    Ok(())
}

/// USAT (ASR = shift type): Rd = UnsignedSat(Rn shifted, n), Q if saturated.
pub fn exec_usat<const ASR: bool>(cpu: &mut Cpu, i: &Insn) -> Res {
    let v = cpu.reg(i.rn);
    let sh = i.shift_imm as u32 & 31;
    let x = if ASR {
        (v as i32) >> sh
    } else {
        (v << sh) as i32
    };
    let r = x.clamp(0, i.imm as i32);
    set_q_if(cpu, r != x);
    cpu.set_reg(i.rd, r as u32);
    Ok(())
}

/// SSAT16: each signed halfword of Rn saturated, Q if either was.
pub fn exec_ssat16(cpu: &mut Cpu, i: &Insn) -> Res {
    let v = cpu.reg(i.rn);
    let max = i.imm as i32;
    let (lo, hi) = (v as i16 as i32, (v >> 16) as i16 as i32);
    let (rl, rh) = (lo.clamp(!max, max), hi.clamp(!max, max));
    set_q_if(cpu, rl != lo || rh != hi);
    cpu.set_reg(i.rd, (rl as u32 & 0xffff) | ((rh as u32) << 16));
    Ok(())
}

/// USAT16: each signed halfword of Rn saturated to unsigned, Q if either was.
pub fn exec_usat16(cpu: &mut Cpu, i: &Insn) -> Res {
    let v = cpu.reg(i.rn);
    let max = i.imm as i32;
    let (lo, hi) = (v as i16 as i32, (v >> 16) as i16 as i32);
    let (rl, rh) = (lo.clamp(0, max), hi.clamp(0, max));
    set_q_if(cpu, rl != lo || rh != hi);
    cpu.set_reg(i.rd, rl as u32 | ((rh as u32) << 16));
    Ok(())
}

/// GE[3:0] to the byte mask SEL takes from Rn (bit k of GE selects byte k).
static SEL_MASKS: [u32; 16] = {
    let mut t = [0u32; 16];
    let mut ge = 0;
    while ge < 16 {
        let mut k = 0;
        while k < 4 {
            if ge & (1 << k) != 0 {
                t[ge] |= 0xff << (8 * k);
            }
            k += 1;
        }
        ge += 1;
    }
    t
};

/// SEL: each byte from Rn where its GE bit is set, else from Rm.
pub fn exec_sel(cpu: &mut Cpu, i: &Insn) -> Res {
    let mask = SEL_MASKS[(cpu.s.ge & 0xf) as usize];
    let r = (cpu.reg(i.rn) & mask) | (cpu.reg(i.rm) & !mask);
    cpu.set_reg(i.rd, r);
    Ok(())
}

/// REV: byte-reverse a word.
pub fn exec_rev(cpu: &mut Cpu, i: &Insn) -> Res {
    let r = cpu.reg(i.rm).swap_bytes();
    cpu.set_reg(i.rd, r);
    Ok(())
}

/// REV16: byte-reverse each halfword.
pub fn exec_rev16(cpu: &mut Cpu, i: &Insn) -> Res {
    let v = cpu.reg(i.rm);
    let r = ((v >> 8) & 0x00ff_00ff) | ((v << 8) & 0xff00_ff00);
    cpu.set_reg(i.rd, r);
    Ok(())
}

/// REVSH: byte-reverse the low halfword and sign-extend it.
pub fn exec_revsh(cpu: &mut Cpu, i: &Insn) -> Res {
    let r = (cpu.reg(i.rm) as u16).swap_bytes() as i16 as u32;
    cpu.set_reg(i.rd, r);
    Ok(())
}

/// RBIT: bit-reverse a word.
pub fn exec_rbit(cpu: &mut Cpu, i: &Insn) -> Res {
    let r = cpu.reg(i.rm).reverse_bits();
    cpu.set_reg(i.rd, r);
    Ok(())
}

// ---- A5.4 USAD8, bitfields -----------------------------------------------------------

#[inline(always)]
fn sad8(a: u32, b: u32) -> u32 {
    let mut s = 0;
    for k in 0..4 {
        s += ((a >> (8 * k)) as u8).abs_diff((b >> (8 * k)) as u8) as u32;
    }
    s
}

/// USAD8: Rd = sum of |Rn.byte - Rm.byte|.
pub fn exec_usad8(cpu: &mut Cpu, i: &Insn) -> Res {
    let r = sad8(cpu.reg(i.rn), cpu.reg(i.rm));
    cpu.set_reg(i.rd, r);
    Ok(())
}

/// USADA8: Rd = Ra + sum of |Rn.byte - Rm.byte|.
pub fn exec_usada8(cpu: &mut Cpu, i: &Insn) -> Res {
    let r = sad8(cpu.reg(i.rn), cpu.reg(i.rm)).wrapping_add(cpu.reg(i.ra));
    cpu.set_reg(i.rd, r);
    Ok(())
}

/// SBFX: the field shifted to the top, then arithmetically down.
pub fn exec_sbfx(cpu: &mut Cpu, i: &Insn) -> Res {
    let v = cpu.reg(i.rn) << (i.shift_imm as u32 & 31);
    let r = (v as i32) >> (i.shift as u32 & 31);
    cpu.set_reg(i.rd, r as u32);
    Ok(())
}

/// UBFX: the field shifted down and masked.
pub fn exec_ubfx(cpu: &mut Cpu, i: &Insn) -> Res {
    let r = (cpu.reg(i.rn) >> (i.shift_imm as u32 & 31)) & i.imm;
    cpu.set_reg(i.rd, r);
    Ok(())
}

/// BFI: Rd's field replaced by the low bits of Rn.
pub fn exec_bfi(cpu: &mut Cpu, i: &Insn) -> Res {
    let ins = (cpu.reg(i.rn) << (i.shift_imm as u32 & 31)) & i.imm;
    let r = (cpu.reg(i.rd) & !i.imm) | ins;
    cpu.set_reg(i.rd, r);
    Ok(())
}

/// BFC: Rd's field cleared.
pub fn exec_bfc(cpu: &mut Cpu, i: &Insn) -> Res {
    let r = cpu.reg(i.rd) & !i.imm;
    cpu.set_reg(i.rd, r);
    Ok(())
}

// ---- decode-time helpers shared by the A32 and T32 decoders -------------------------

/// A mask of `width` (0..=32) bits at bit `lsb`.
pub fn field_mask(lsb: u32, width: u32) -> u32 {
    let ones = if width >= 32 {
        u32::MAX
    } else {
        (1u32 << width) - 1
    };
    ones.checked_shl(lsb).unwrap_or(0)
}

/// Fills SBFX/UBFX: `None` when lsb + width > 32 (UNPREDICTABLE; UNDEFINED on QEMU).
pub fn bitfield_extract(mut i: Insn, signed: bool, lsb: u32, widthm1: u32) -> Option<Insn> {
    let width = widthm1 + 1;
    if lsb + width > 32 {
        return None;
    }
    if signed {
        i.exec = exec_sbfx;
        i.shift_imm = (32 - lsb - width) as u8;
        i.shift = (32 - width) as u8;
    } else {
        i.exec = exec_ubfx;
        i.shift_imm = lsb as u8;
        i.imm = field_mask(0, width);
    }
    Some(i)
}

/// Fills BFI (or BFC when `rn` is 15): `None` when msb < lsb (UNPREDICTABLE; UNDEFINED
/// on QEMU).
pub fn bitfield_insert(mut i: Insn, lsb: u32, msb: u32) -> Option<Insn> {
    if msb < lsb {
        return None;
    }
    i.exec = if i.rn == 15 { exec_bfc } else { exec_bfi };
    i.shift_imm = lsb as u8;
    i.imm = field_mask(lsb, msb - lsb + 1);
    Some(i)
}

/// Fills SSAT/USAT: `sat` is the saturate_to bit count, `asr` the shift type.
pub fn saturate(mut i: Insn, signed: bool, sat: u32, asr: bool, amount: u32) -> Insn {
    i.exec = match (signed, asr) {
        (true, false) => exec_ssat::<false>,
        (true, true) => exec_ssat::<true>,
        (false, false) => exec_usat::<false>,
        (false, true) => exec_usat::<true>,
    };
    // ASR #0 encodes ASR #32, which gives the same result as ASR #31.
    i.shift_imm = if asr && amount == 0 {
        31
    } else {
        amount.min(31)
    } as u8;
    i.imm = sat_max(signed, sat);
    i
}

/// Fills SSAT16/USAT16.
pub fn saturate16(mut i: Insn, signed: bool, sat: u32) -> Insn {
    i.exec = if signed { exec_ssat16 } else { exec_usat16 };
    i.imm = sat_max(signed, sat);
    i
}

/// The largest value saturating to `sat` bits gives (signed: 1..=32, unsigned: 0..=31).
fn sat_max(signed: bool, sat: u32) -> u32 {
    if signed {
        field_mask(0, sat.clamp(1, 32)) >> 1
    } else {
        field_mask(0, sat.min(31))
    }
}

/// The exec routine of an extend of kind `EXT_*`, accumulating unless `rn` is 15.
pub fn ext_exec(kind: u8, acc: bool) -> ExecFn {
    match (kind, acc) {
        (EXT_SXTB, false) => exec_ext::<EXT_SXTB, false>,
        (EXT_SXTH, false) => exec_ext::<EXT_SXTH, false>,
        (EXT_SXTB16, false) => exec_ext::<EXT_SXTB16, false>,
        (EXT_UXTB, false) => exec_ext::<EXT_UXTB, false>,
        (EXT_UXTH, false) => exec_ext::<EXT_UXTH, false>,
        (_, false) => exec_ext::<EXT_UXTB16, false>,
        (EXT_SXTB, true) => exec_ext::<EXT_SXTB, true>,
        (EXT_SXTH, true) => exec_ext::<EXT_SXTH, true>,
        (EXT_SXTB16, true) => exec_ext::<EXT_SXTB16, true>,
        (EXT_UXTB, true) => exec_ext::<EXT_UXTB, true>,
        (EXT_UXTH, true) => exec_ext::<EXT_UXTH, true>,
        (_, true) => exec_ext::<EXT_UXTB16, true>,
    }
}
