//! T32 loads and stores: 16-bit (A6.2.4, LDR literal, PUSH/POP, LDM/STM) and 32-bit
//! (A6.3.5-A6.3.10, including TBB/TBH, SRS/RFE and PLD/PLI/PLDW).
//!
//! Operand slots are those of the A32 decoders (`interp::loadstore`, `interp::block`);
//! the single and dual forms are built by the shared `decode::a32::loadstore` helpers.
//! T32 has no PC-offset quirks beyond literal addressing using Align(PC, 4).
//!
//! UNPREDICTABLE encodings follow QEMU 7.2 (checked with qemu-system-arm): 32-bit LDM/STM
//! with fewer than two registers or with writeback and the base in the list, and
//! exclusives naming SP or clashing registers, are UNDEFINED; most other register
//! restrictions (Rt = SP, LDRD Rt == Rt2, ...) are not checked and the instruction
//! executes as the pseudocode reads.

use crate::decode::a32::block::{multiple, rfe, srs};
use crate::decode::a32::loadstore::{dual, single, Addressing, Offset};
use crate::insn::{flags, ExecFn, Insn, ItCtx};
use crate::interp::block::{self as blk, DB, IA};
use crate::interp::common::LSL;
use crate::interp::loadstore::{self as ls, K_B, K_H, K_SB, K_SH, K_W};

// ---- 16-bit ---------------------------------------------------------------------------

/// LDR Rt, [PC, #imm8 * 4].
pub fn decode16_ldr_literal(hw: u32, _it: ItCtx) -> Insn {
    let rt = (hw >> 8) & 7;
    single(
        true,
        K_W,
        rt,
        15,
        Offset::Imm((hw & 0xff) << 2),
        Addressing::OFFSET_ADD,
        hw,
    )
}

/// A6.2.4: register-offset, immediate-offset and SP-relative loads and stores.
pub fn decode16_ldst_single(hw: u32, _it: ItCtx) -> Insn {
    let rt = hw & 7;
    let rn = (hw >> 3) & 7;
    let imm5 = (hw >> 6) & 31;
    let load = (hw >> 11) & 1 != 0;
    let a = Addressing::OFFSET_ADD;
    match hw >> 12 {
        0b0101 => {
            let (load, kind) = match (hw >> 9) & 7 {
                0 => (false, K_W),
                1 => (false, K_H),
                2 => (false, K_B),
                3 => (true, K_SB),
                4 => (true, K_W),
                5 => (true, K_H),
                6 => (true, K_B),
                _ => (true, K_SH),
            };
            single(
                load,
                kind,
                rt,
                rn,
                Offset::Reg((hw >> 6) & 7, LSL, 0),
                a,
                hw,
            )
        }
        0b0110 => single(load, K_W, rt, rn, Offset::Imm(imm5 << 2), a, hw),
        0b0111 => single(load, K_B, rt, rn, Offset::Imm(imm5), a, hw),
        0b1000 => single(load, K_H, rt, rn, Offset::Imm(imm5 << 1), a, hw),
        0b1001 => single(
            load,
            K_W,
            (hw >> 8) & 7,
            13,
            Offset::Imm((hw & 0xff) << 2),
            a,
            hw,
        ),
        _ => Insn::undefined(hw),
    }
}

/// PUSH {list, LR} = STMDB SP!; POP {list, PC} = LDMIA SP!.
pub fn decode16_push_pop(hw: u32, _it: ItCtx) -> Insn {
    let pop = (hw >> 11) & 1 != 0;
    if (hw >> 9) & 3 != 0b10 {
        return Insn::undefined(hw);
    }
    let extra = (hw >> 8) & 1;
    let list = (hw & 0xff) | (extra << if pop { 15 } else { 14 });
    if list == 0 {
        return Insn::undefined(hw);
    }
    if pop {
        multiple(blk::ldm, true, 13, list, IA, true, hw)
    } else {
        multiple(blk::stm, false, 13, list, DB, true, hw)
    }
}

/// STMIA Rn!, {list}; LDMIA Rn{!}, {list} (writeback iff Rn is not in the list).
pub fn decode16_ldm_stm(hw: u32, _it: ItCtx) -> Insn {
    let load = (hw >> 11) & 1 != 0;
    let rn = (hw >> 8) & 7;
    let list = hw & 0xff;
    if list == 0 {
        return Insn::undefined(hw);
    }
    if load {
        multiple(blk::ldm, true, rn, list, IA, list & (1 << rn) == 0, hw)
    } else {
        multiple(blk::stm, false, rn, list, IA, true, hw)
    }
}

// ---- 32-bit ---------------------------------------------------------------------------

/// A6.3.5: STM/LDM IA and DB (PUSH.W/POP.W), SRS, RFE.
pub fn decode32_ldst_multiple(hw1: u32, hw2: u32) -> Insn {
    let raw = (hw1 << 16) | hw2;
    let op = (hw1 >> 7) & 3;
    let wback = (hw1 >> 5) & 1 != 0;
    let load = (hw1 >> 4) & 1 != 0;
    let rn = hw1 & 15;
    match op {
        0b00 | 0b11 => {
            let mode = if op == 0 { DB } else { IA };
            if !load {
                if rn != 13 || hw2 & 0xffe0 != 0xc000 {
                    return Insn::undefined(raw);
                }
                srs(hw2 & 0x1f, mode, wback, raw)
            } else {
                if hw2 != 0xc000 {
                    return Insn::undefined(raw);
                }
                rfe(rn, mode, wback, raw)
            }
        }
        _ => {
            let mode = if op == 1 { IA } else { DB };
            let list = hw2 & 0xffff;
            if list.count_ones() < 2 || rn == 15 || (wback && list & (1 << rn) != 0) {
                return Insn::undefined(raw);
            }
            let exec: ExecFn = if load { blk::ldm } else { blk::stm };
            multiple(exec, load, rn, list, mode, wback, raw)
        }
    }
}

/// An exclusive load/store; `rd` is the STREX status register (unused for loads).
fn exclusive(exec: ExecFn, rt: u32, rt2: u32, rn: u32, rd: u32, imm: u32, raw: u32) -> Insn {
    let mut i = Insn::new(exec, raw);
    i.rd = rt as u8;
    i.ra = rt2 as u8;
    i.rn = rn as u8;
    i.rm = rd as u8;
    i.imm = imm;
    i
}

/// QEMU's UNDEFINED cases for the T32 exclusive loads (`rt2` = None for single).
fn ldrex_bad(rt: u32, rt2: Option<u32>, rn: u32) -> bool {
    rn == 15 || rt == 15 || rt == 13 || rt2.is_some_and(|t2| t2 == 15 || t2 == 13 || t2 == rt)
}

/// QEMU's UNDEFINED cases for the T32 exclusive stores.
fn strex_bad(rd: u32, rt: u32, rt2: Option<u32>, rn: u32) -> bool {
    rd == 15
        || rn == 15
        || rt == 15
        || rd == rn
        || rd == rt
        || rd == 13
        || rt == 13
        || rt2.is_some_and(|t2| t2 == 15 || t2 == 13 || t2 == rd)
}

/// A6.3.6: LDRD/STRD (immediate, literal), LDREX/STREX{,B,H,D}, TBB/TBH.
pub fn decode32_dual_excl_tb(hw1: u32, hw2: u32) -> Insn {
    let raw = (hw1 << 16) | hw2;
    let op1 = (hw1 >> 7) & 3;
    let op2 = (hw1 >> 4) & 3;
    let op3 = (hw2 >> 4) & 0xf;
    let rn = hw1 & 15;
    let rt = hw2 >> 12;
    let r8 = (hw2 >> 8) & 15;
    let r0 = hw2 & 15;
    let undef = Insn::undefined(raw);
    if op1 & 2 != 0 || op2 & 2 != 0 {
        // LDRD/STRD: P = bit 8, U = bit 7, W = bit 5 (P = W = 0 is the exclusives).
        let a = Addressing {
            index: (hw1 >> 8) & 1 != 0,
            add: (hw1 >> 7) & 1 != 0,
            wback: (hw1 >> 5) & 1 != 0,
            unpriv: false,
        };
        let load = op2 & 1 != 0;
        if !load && rn == 15 {
            return undef;
        }
        return dual(load, rt, r8, rn, Offset::Imm((hw2 & 0xff) << 2), a, raw);
    }
    match (op1, op2) {
        (0, 0) => {
            // STREX Rd, Rt, [Rn, #imm8 * 4]
            if strex_bad(r8, rt, None, rn) {
                return undef;
            }
            exclusive(ls::strex::<K_W>, rt, 0, rn, r8, (hw2 & 0xff) << 2, raw)
        }
        (0, _) => {
            // LDREX Rt, [Rn, #imm8 * 4]
            if r8 != 15 || ldrex_bad(rt, None, rn) {
                return undef;
            }
            exclusive(ls::ldrex::<K_W>, rt, 0, rn, 0, (hw2 & 0xff) << 2, raw)
        }
        (_, 0) => {
            // STREXB/H Rd, Rt, [Rn]; STREXD Rd, Rt, Rt2, [Rn]
            let (exec, rt2): (ExecFn, Option<u32>) = match op3 {
                4 if r8 == 15 => (ls::strex::<K_B>, None),
                5 if r8 == 15 => (ls::strex::<K_H>, None),
                7 => (ls::strexd, Some(r8)),
                _ => return undef,
            };
            if strex_bad(r0, rt, rt2, rn) {
                return undef;
            }
            exclusive(exec, rt, rt2.unwrap_or(0), rn, r0, 0, raw)
        }
        _ => match op3 {
            0 | 1 => {
                if hw2 & 0xffe0 != 0xf000 {
                    return undef;
                }
                let mut i = Insn::new(ls::tbb_tbh, raw);
                i.rn = rn as u8;
                i.rm = r0 as u8;
                i.shift_imm = op3 as u8;
                i.flags |= flags::ENDS_BLOCK;
                i
            }
            4 | 5 | 7 => {
                // LDREXB/H Rt, [Rn]; LDREXD Rt, Rt2, [Rn]
                let d = op3 == 7;
                let rt2 = if d { Some(r8) } else { None };
                if r0 != 15 || (!d && r8 != 15) || ldrex_bad(rt, rt2, rn) {
                    return undef;
                }
                let exec: ExecFn = match op3 {
                    4 => ls::ldrex::<K_B>,
                    5 => ls::ldrex::<K_H>,
                    _ => ls::ldrexd,
                };
                exclusive(exec, rt, r8, rn, 0, 0, raw)
            }
            _ => undef,
        },
    }
}

/// The P/U/W addressing of the imm8 forms (hw2 = Rt 1PUW imm8); P = 1, U = 1, W = 0
/// is the unprivileged form (offset addressing), P = W = 0 is UNDEFINED.
fn imm8_addressing(hw2: u32) -> Option<Addressing> {
    let p = (hw2 >> 10) & 1 != 0;
    let u = (hw2 >> 9) & 1 != 0;
    let w = (hw2 >> 8) & 1 != 0;
    if p && u && !w {
        Some(Addressing {
            index: true,
            add: true,
            wback: false,
            unpriv: true,
        })
    } else if !p && !w {
        None
    } else {
        Some(Addressing {
            index: p,
            add: u,
            wback: w,
            unpriv: false,
        })
    }
}

/// A6.3.10: STR, STRB, STRH (imm12, imm8 with P/U/W, register) and STRT/STRBT/STRHT.
pub fn decode32_store_single(hw1: u32, hw2: u32) -> Insn {
    let raw = (hw1 << 16) | hw2;
    let op1 = (hw1 >> 5) & 7;
    let rn = hw1 & 15;
    let rt = hw2 >> 12;
    let kind = match op1 & 3 {
        0 => K_B,
        1 => K_H,
        2 => K_W,
        _ => return Insn::undefined(raw),
    };
    if rn == 15 {
        return Insn::undefined(raw);
    }
    if op1 & 4 != 0 {
        single(
            false,
            kind,
            rt,
            rn,
            Offset::Imm(hw2 & 0xfff),
            Addressing::OFFSET_ADD,
            raw,
        )
    } else if (hw2 >> 11) & 1 != 0 {
        match imm8_addressing(hw2) {
            Some(a) => single(false, kind, rt, rn, Offset::Imm(hw2 & 0xff), a, raw),
            None => Insn::undefined(raw),
        }
    } else if (hw2 >> 6) & 0x3f == 0 {
        let off = Offset::Reg(hw2 & 15, LSL, ((hw2 >> 4) & 3) as u8);
        single(false, kind, rt, rn, off, Addressing::OFFSET_ADD, raw)
    } else {
        Insn::undefined(raw)
    }
}

/// The shared shape of A6.3.7-A6.3.9: literal, imm12, imm8 (P/U/W and T) and register
/// loads. `signed` is the kind selected by hw1 bit 8 (None: UNDEFINED there). With
/// `hints`, Rt = PC in the literal, imm12, negative imm8 and register forms is a
/// preload hint (PLD, PLDW, PLI or an unallocated hint): a no-op that never faults.
fn decode32_load(hw1: u32, hw2: u32, unsigned: u8, signed: Option<u8>, hints: bool) -> Insn {
    let raw = (hw1 << 16) | hw2;
    let kind = if (hw1 >> 8) & 1 != 0 {
        match signed {
            Some(k) => k,
            None => return Insn::undefined(raw),
        }
    } else {
        unsigned
    };
    let rn = hw1 & 15;
    let rt = hw2 >> 12;
    let u = (hw1 >> 7) & 1 != 0;
    let hint = hints && rt == 15;
    let nop = Insn::new(ls::hint_nop, raw);
    if rn == 15 {
        if hint {
            return nop;
        }
        let a = Addressing {
            add: u,
            ..Addressing::OFFSET_ADD
        };
        single(true, kind, rt, 15, Offset::Imm(hw2 & 0xfff), a, raw)
    } else if u {
        if hint {
            return nop;
        }
        single(
            true,
            kind,
            rt,
            rn,
            Offset::Imm(hw2 & 0xfff),
            Addressing::OFFSET_ADD,
            raw,
        )
    } else if (hw2 >> 11) & 1 != 0 {
        let Some(a) = imm8_addressing(hw2) else {
            return Insn::undefined(raw);
        };
        if hint && a.index && !a.add && !a.wback {
            return nop;
        }
        single(true, kind, rt, rn, Offset::Imm(hw2 & 0xff), a, raw)
    } else if (hw2 >> 6) & 0x3f == 0 {
        if hint {
            return nop;
        }
        let off = Offset::Reg(hw2 & 15, LSL, ((hw2 >> 4) & 3) as u8);
        single(true, kind, rt, rn, off, Addressing::OFFSET_ADD, raw)
    } else {
        Insn::undefined(raw)
    }
}

/// A6.3.9: LDRB, LDRSB, LDRBT, LDRSBT, PLD, PLI.
pub fn decode32_load_byte(hw1: u32, hw2: u32) -> Insn {
    decode32_load(hw1, hw2, K_B, Some(K_SB), true)
}

/// A6.3.8: LDRH, LDRSH, LDRHT, LDRSHT, PLDW and the unallocated memory hints.
pub fn decode32_load_half(hw1: u32, hw2: u32) -> Insn {
    decode32_load(hw1, hw2, K_H, Some(K_SH), true)
}

/// A6.3.7: LDR, LDRT (Rt = PC is LoadWritePC).
pub fn decode32_load_word(hw1: u32, hw2: u32) -> Insn {
    decode32_load(hw1, hw2, K_W, None, false)
}
