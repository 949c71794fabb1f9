//! A32 loads and stores: word and unsigned byte (A5.3), extra load/store (A5.2.8,
//! A5.2.9), synchronization primitives (A5.2.10).
//!
//! Operand slots (see `interp::loadstore` for the full convention): `rd` = Rt,
//! `rn` = Rn, `rm` = Rm or the STREX status register, `ra` = Rt2, `imm` = signed
//! immediate offset, `shift`/`shift_imm` = register-offset shift, `flags` = the
//! `interp::loadstore::F_*` addressing bits.
//!
//! UNPREDICTABLE encodings follow QEMU 7.2 (checked against qemu-system-arm): loads
//! with writeback and Rn == Rt keep the loaded value, stores store the old Rt, LDRD/
//! STRD with an odd Rt and the exclusives' register clashes are UNDEFINED, SWP runs
//! whatever SCTLR.SW says. [`single`] is shared with the T32 decoder.

use crate::insn::{flags, ExecFn, Insn};
use crate::interp::common::{decode_imm_shift, LSL};
use crate::interp::loadstore::{
    self as ls, F_ADD, F_PRE, F_REG, F_UNPRIV, F_WB, K_B, K_H, K_SB, K_SH, K_W,
};

/// Picks the monomorphised routine of a generic exec function for an access kind.
macro_rules! by_kind {
    ($($f:ident)::+, $k:expr) => {
        match $k {
            K_W => $($f)::+::<K_W> as ExecFn,
            K_B => $($f)::+::<K_B> as ExecFn,
            K_H => $($f)::+::<K_H> as ExecFn,
            K_SB => $($f)::+::<K_SB> as ExecFn,
            _ => $($f)::+::<K_SH> as ExecFn,
        }
    };
}

/// The offset operand of a single load/store.
#[derive(Clone, Copy)]
pub(crate) enum Offset {
    /// An immediate magnitude (U says its sign).
    Imm(u32),
    /// Rm shifted by (type, amount), as `interp::common` shift types.
    Reg(u32, u8, u8),
}

/// The addressing of a single load/store: P, U, W and unprivileged.
#[derive(Clone, Copy)]
pub(crate) struct Addressing {
    pub index: bool,
    pub add: bool,
    pub wback: bool,
    pub unpriv: bool,
}

impl Addressing {
    pub const OFFSET_ADD: Addressing = Addressing {
        index: true,
        add: true,
        wback: false,
        unpriv: false,
    };
}

/// Builds a single load (`load`) or store of `kind`, choosing the specialised routine
/// for the hot forms: immediate offset and LSL register offset without writeback.
pub(crate) fn single(
    load: bool,
    kind: u8,
    rt: u32,
    rn: u32,
    off: Offset,
    a: Addressing,
    raw: u32,
) -> Insn {
    let mut f = 0u16;
    if a.add {
        f |= F_ADD;
    }
    if a.index {
        f |= F_PRE;
    }
    if a.wback {
        f |= F_WB;
    }
    if a.unpriv {
        f |= F_UNPRIV;
    }
    let plain = a.index && !a.wback && !a.unpriv && (rt != 15 || !load);
    let mut i = Insn::new(crate::insn::exec_undefined, raw);
    i.rd = rt as u8;
    i.rn = rn as u8;
    i.exec = match off {
        Offset::Imm(m) => {
            i.imm = if a.add { m } else { m.wrapping_neg() };
            match (load, plain) {
                (true, true) if rn == 15 => by_kind!(ls::ld_lit, kind),
                (true, true) => by_kind!(ls::ld_imm, kind),
                (true, false) => by_kind!(ls::ld_gen, kind),
                (false, true) => by_kind!(ls::st_imm, kind),
                (false, false) => by_kind!(ls::st_gen, kind),
            }
        }
        Offset::Reg(rm, ty, amount) => {
            f |= F_REG;
            i.rm = rm as u8;
            i.shift = ty;
            i.shift_imm = amount;
            let lsl = plain && a.add && ty == LSL;
            match (load, lsl) {
                (true, true) => by_kind!(ls::ld_reg_lsl, kind),
                (true, false) => by_kind!(ls::ld_gen, kind),
                (false, true) => by_kind!(ls::st_reg_lsl, kind),
                (false, false) => by_kind!(ls::st_gen, kind),
            }
        }
    };
    i.flags = f;
    if (load && rt == 15) || (a.wback && rn == 15) {
        i.flags |= flags::ENDS_BLOCK;
    }
    i
}

/// LDRD/STRD (both instruction sets): Rt, Rt2 and the addressing.
pub(crate) fn dual(
    load: bool,
    rt: u32,
    rt2: u32,
    rn: u32,
    off: Offset,
    a: Addressing,
    raw: u32,
) -> Insn {
    let mut i = single(load, K_W, rt, rn, off, a, raw);
    i.exec = if load { ls::ldrd } else { ls::strd };
    i.ra = rt2 as u8;
    if load && rt2 == 15 {
        i.flags |= flags::ENDS_BLOCK;
    }
    i
}

fn addressing(w: u32) -> Addressing {
    let p = (w >> 24) & 1 != 0;
    let wb = (w >> 21) & 1 != 0;
    Addressing {
        index: p,
        add: (w >> 23) & 1 != 0,
        // Post-indexed forms always write back.
        wback: !p || wb,
        // P = 0, W = 1 encodes the unprivileged (T) forms.
        unpriv: !p && wb,
    }
}

/// A5.3: LDR, STR, LDRB, STRB and their unprivileged forms, immediate or (shifted)
/// register offset.
pub fn decode_word_byte(w: u32) -> Insn {
    let reg = (w >> 25) & 1 != 0;
    if reg && (w >> 4) & 1 != 0 {
        // Media instructions: not routed here.
        return Insn::undefined(w);
    }
    let load = (w >> 20) & 1 != 0;
    let kind = if (w >> 22) & 1 != 0 { K_B } else { K_W };
    let rn = (w >> 16) & 15;
    let rt = (w >> 12) & 15;
    let off = if reg {
        let (ty, amount) = decode_imm_shift((w >> 5) & 3, (w >> 7) & 31);
        Offset::Reg(w & 15, ty, amount)
    } else {
        Offset::Imm(w & 0xfff)
    };
    single(load, kind, rt, rn, off, addressing(w), w).with_cond(w >> 28)
}

/// A5.2.8 / A5.2.9: LDRH, STRH, LDRSB, LDRSH, LDRD, STRD and LDRHT, STRHT, LDRSBT,
/// LDRSHT.
pub fn decode_extra(w: u32) -> Insn {
    let a = addressing(w);
    let load = (w >> 20) & 1 != 0;
    let op2 = (w >> 5) & 3;
    let rn = (w >> 16) & 15;
    let rt = (w >> 12) & 15;
    let off = if (w >> 22) & 1 != 0 {
        Offset::Imm(((w >> 4) & 0xf0) | (w & 0xf))
    } else {
        Offset::Reg(w & 15, LSL, 0)
    };
    let i = match (op2, load) {
        (1, false) => single(false, K_H, rt, rn, off, a, w),
        (1, true) => single(true, K_H, rt, rn, off, a, w),
        (2, true) => single(true, K_SB, rt, rn, off, a, w),
        (3, true) => single(true, K_SH, rt, rn, off, a, w),
        // LDRD/STRD have no unprivileged form (A5.2.9: UNDEFINED); an odd Rt is
        // UNPREDICTABLE and QEMU makes it UNDEFINED.
        (2, false) | (3, false) if a.unpriv || rt & 1 != 0 => return Insn::undefined(w),
        (2, false) => dual(true, rt, rt + 1, rn, off, a, w),
        (3, false) => dual(false, rt, rt + 1, rn, off, a, w),
        _ => return Insn::undefined(w),
    };
    i.with_cond(w >> 28)
}

/// A5.2.10: SWP/SWPB and the exclusive loads and stores.
pub fn decode_sync(w: u32) -> Insn {
    let op = (w >> 20) & 0xf;
    let rn = (w >> 16) & 15;
    let r12 = (w >> 12) & 15;
    let r0 = w & 15;
    let mut i = Insn::new(crate::insn::exec_undefined, w);
    i.rn = rn as u8;
    match op {
        0b0000 | 0b0100 => {
            if (w >> 8) & 0xf != 0 {
                return Insn::undefined(w);
            }
            i.exec = if op == 0 {
                ls::swp::<K_W>
            } else {
                ls::swp::<K_B>
            };
            i.rd = r12 as u8;
            i.ra = r0 as u8;
            if r12 == 15 {
                i.flags |= flags::ENDS_BLOCK;
            }
        }
        0b1000 | 0b1010 | 0b1100 | 0b1110 => {
            // STREX{,D,B,H} Rd, Rt, [Rn] (Rd in bits 15:12, Rt in bits 3:0).
            let d = op == 0b1010;
            let (rd, rt) = (r12, r0);
            let rt2 = rt + 1;
            if (w >> 8) & 0xf != 0xf
                || rd == 15
                || rn == 15
                || rt == 15
                || rd == rn
                || rd == rt
                || (d && (rt & 1 != 0 || rt2 == 15 || rd == rt2))
            {
                return Insn::undefined(w);
            }
            i.exec = match op {
                0b1000 => ls::strex::<K_W>,
                0b1010 => ls::strexd,
                0b1100 => ls::strex::<K_B>,
                _ => ls::strex::<K_H>,
            };
            i.rm = rd as u8;
            i.rd = rt as u8;
            i.ra = rt2 as u8;
        }
        0b1001 | 0b1011 | 0b1101 | 0b1111 => {
            // LDREX{,D,B,H} Rt, [Rn].
            let d = op == 0b1011;
            let rt = r12;
            if w & 0xfff != 0xf9f || rn == 15 || rt == 15 || (d && (rt & 1 != 0 || rt == 14)) {
                return Insn::undefined(w);
            }
            i.exec = match op {
                0b1001 => ls::ldrex::<K_W>,
                0b1011 => ls::ldrexd,
                0b1101 => ls::ldrex::<K_B>,
                _ => ls::ldrex::<K_H>,
            };
            i.rd = rt as u8;
            i.ra = (rt + 1) as u8;
        }
        _ => return Insn::undefined(w),
    }
    i.with_cond(w >> 28)
}
