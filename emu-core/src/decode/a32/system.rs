//! A32 system instructions: MRS/MSR (including banked), ERET, BKPT, HVC, SMC (A5.2.12);
//! MSR immediate and hints (A5.2.11).
//!
//! Operand convention: see `interp/system.rs`. The builders here are shared with the T32
//! decoders. Instructions that can change how later instructions decode or execute
//! (exception generation and return, MSR to the control fields, WFI) set
//! `flags::ENDS_BLOCK`.

use crate::insn::{flags, ExecFn, Insn};
use crate::interp::system as x;
use crate::state::Mode;

fn ends(mut i: Insn) -> Insn {
    i.flags |= flags::ENDS_BLOCK;
    i
}

/// Decodes the (R, SYSm) operand of banked MRS/MSR (Arm ARM B9.2.3, Table B9-2) to
/// (mode, register): 8..=14, `BANKED_SPSR` or `BANKED_ELR_HYP`.
pub(crate) fn banked_reg(r: u32, sysm: u32) -> Option<(Mode, u8)> {
    if r != 0 {
        let mode = match sysm {
            0b01110 => Mode::Fiq,
            0b10000 => Mode::Irq,
            0b10010 => Mode::Svc,
            0b10100 => Mode::Abt,
            0b10110 => Mode::Und,
            0b11100 => Mode::Mon,
            0b11110 => Mode::Hyp,
            _ => return None,
        };
        return Some((mode, x::BANKED_SPSR));
    }
    // SP/LR pairs: even = LR, odd = SP.
    let sp_lr = |m| Some((m, if sysm & 1 != 0 { 13 } else { 14 }));
    match sysm {
        0b00000..=0b00110 => Some((Mode::Usr, 8 + sysm as u8)),
        0b01000..=0b01110 => Some((Mode::Fiq, sysm as u8)),
        0b10000 | 0b10001 => sp_lr(Mode::Irq),
        0b10010 | 0b10011 => sp_lr(Mode::Svc),
        0b10100 | 0b10101 => sp_lr(Mode::Abt),
        0b10110 | 0b10111 => sp_lr(Mode::Und),
        0b11100 | 0b11101 => sp_lr(Mode::Mon),
        0b11110 => Some((Mode::Hyp, x::BANKED_ELR_HYP)),
        0b11111 => Some((Mode::Hyp, 13)),
        _ => None,
    }
}

/// MRS Rd, CPSR/APSR (r = 0) or SPSR (r = 1).
pub(crate) fn mrs(raw: u32, r: u32, rd: u32) -> Insn {
    let exec: ExecFn = if r != 0 {
        x::exec_mrs_spsr
    } else {
        x::exec_mrs_cpsr
    };
    let mut i = Insn::new(exec, raw);
    i.rd = rd as u8;
    i
}

/// MSR CPSR/SPSR_<fields>, Rn.
pub(crate) fn msr_reg(raw: u32, r: u32, mask: u32, rn: u32) -> Insn {
    let exec: ExecFn = if r != 0 {
        x::exec_msr_spsr_reg
    } else {
        x::exec_msr_cpsr_reg
    };
    let mut i = Insn::new(exec, raw);
    i.rn = rn as u8;
    i.op = mask as u8;
    msr_block_end(i, r, mask)
}

/// CPSR writes of the c or x fields (mode, A/I/F, E) end the block; the flag fields
/// don't (the run loop keeps the flags live).
fn msr_block_end(i: Insn, r: u32, mask: u32) -> Insn {
    if r == 0 && mask & 0b0011 != 0 {
        ends(i)
    } else {
        i
    }
}

/// Banked MRS (`write` = false) / MSR: R15 is UNPREDICTABLE (QEMU: UNDEFINED).
pub(crate) fn banked(raw: u32, write: bool, r: u32, sysm: u32, reg: u32) -> Insn {
    let Some((mode, n)) = banked_reg(r, sysm) else {
        return Insn::undefined(raw);
    };
    if reg == 15 {
        return Insn::unpredictable(raw);
    }
    let mut i = if write {
        let mut i = Insn::new(x::exec_msr_banked, raw);
        i.rn = reg as u8;
        i
    } else {
        let mut i = Insn::new(x::exec_mrs_banked, raw);
        i.rd = reg as u8;
        i
    };
    i.op = mode as u8;
    i.rm = n;
    i
}

/// The hint space (A5.2.11 op2 / A6.3.4 op2): NOP, YIELD, WFE, WFI, SEV, DBG; the other
/// values are reserved hints that behave as NOP.
pub(crate) fn hint(raw: u32, op2: u32) -> Insn {
    if op2 == 0b0000_0011 {
        ends(Insn::new(x::exec_wfi, raw))
    } else if op2 == 0b0000_0010 {
        Insn::new(x::exec_wfe, raw)
    } else {
        Insn::new(x::exec_nop, raw)
    }
}

/// CPS with imod (10 = enable, 11 = disable), M and mode; `aif` = A:I:F.
pub(crate) fn cps(raw: u32, imod: u32, m: u32, aif: u32, mode: u32) -> Insn {
    let mut mask = 0u32;
    let mut val = 0u32;
    if imod & 2 != 0 {
        mask |= (aif & 7) << 6;
        if imod & 1 != 0 {
            val |= mask;
        }
    }
    if m != 0 {
        mask |= 0x1f;
        val |= mode & 0x1f;
    }
    let mut i = Insn::new(x::exec_cps, raw);
    i.imm = (mask << 16) | val;
    ends(i)
}

pub(crate) fn setend(raw: u32, e: u32) -> Insn {
    let mut i = Insn::new(x::exec_setend, raw);
    i.op = (e & 1) as u8;
    ends(i)
}

pub(crate) fn with_imm(exec: ExecFn, raw: u32, imm: u32) -> Insn {
    let mut i = Insn::new(exec, raw);
    i.imm = imm;
    ends(i)
}

/// ERET.
pub(crate) fn eret(raw: u32) -> Insn {
    ends(Insn::new(x::exec_eret, raw))
}

/// A5.2.12 with op2 = 000, 100, 110, 111 (the caller handles 001, 010, 011, 101).
pub fn decode_misc_system(w: u32) -> Insn {
    let op = (w >> 21) & 3;
    let op2 = (w >> 4) & 7;
    let r = (w >> 22) & 1;
    let imm16 = ((w >> 4) & 0xfff0) | (w & 0xf);
    let i = match (op2, op) {
        (0b000, _) => {
            let banked_form = (w >> 9) & 1 != 0;
            let sysm = ((w >> 4) & 0x10) | ((w >> 16) & 0xf);
            if op & 1 == 0 {
                // MRS: cond 00010 R 00 (1111) Rd (0)(0)(0)(0) 0000 0000, or banked.
                let rd = (w >> 12) & 0xf;
                if banked_form {
                    if w & 0xeff != 0x200 {
                        return Insn::undefined(w);
                    }
                    banked(w, false, r, sysm, rd)
                } else if w & 0x000f_0fff == 0x000f_0000 {
                    mrs(w, r, rd)
                } else {
                    return Insn::undefined(w);
                }
            } else {
                // MSR (register): cond 00010 R 10 mask (1111) (0)(0)(0)(0) 0000 Rn.
                let rn = w & 0xf;
                if w & 0xf000 != 0xf000 {
                    return Insn::undefined(w);
                }
                if banked_form {
                    if w & 0xef0 != 0x200 {
                        return Insn::undefined(w);
                    }
                    banked(w, true, r, sysm, rn)
                } else if w & 0xff0 == 0 {
                    msr_reg(w, r, (w >> 16) & 0xf, rn)
                } else {
                    return Insn::undefined(w);
                }
            }
        }
        (0b110, 0b11) if w & 0x000f_ff0f == 0x0000_000e => eret(w),
        (0b111, 0b01) => with_imm(x::exec_bkpt, w, imm16),
        (0b111, 0b10) => with_imm(x::exec_hvc, w, imm16),
        (0b111, 0b11) if w & 0x000f_ff00 == 0 => with_imm(x::exec_smc, w, w & 0xf),
        // op2 = 100, HLT (op2 = 111, op = 00, ARMv8) and the rest: unallocated.
        _ => return Insn::undefined(w),
    };
    i.with_cond(w >> 28)
}

/// A5.2.11: MSR (immediate) and hints: cond 0011 0 R 10 mask (1111) imm12.
pub fn decode_msr_imm_hints(w: u32) -> Insn {
    if w & 0xf000 != 0xf000 {
        return Insn::undefined(w);
    }
    let r = (w >> 22) & 1;
    let mask = (w >> 16) & 0xf;
    let i = if r == 0 && mask == 0 {
        hint(w, w & 0xff)
    } else {
        let value = crate::interp::common::arm_expand_imm_c(w & 0xfff, 0).0;
        let exec: ExecFn = if r != 0 {
            x::exec_msr_spsr_imm
        } else {
            x::exec_msr_cpsr_imm
        };
        let mut i = Insn::new(exec, w);
        i.imm = value;
        i.op = mask as u8;
        msr_block_end(i, r, mask)
    };
    i.with_cond(w >> 28)
}
