//! T32 branches: BX/BLX register, CBZ/CBNZ, B (16-bit conditional and unconditional), SVC, UDF, and A6.3.4 branches and miscellaneous control.
//!
//! Operand convention: see `interp/branch.rs` (`imm` = offset + 4) and
//! `interp/system.rs`. T32 instructions keep cond = AL (the block builder applies IT
//! conditions) except B<c> (T1, T3), which carry their own condition.

use crate::insn::{ExecFn, Insn, ItCtx};
use crate::interp::branch as br;
use crate::interp::system as x;

use crate::decode::a32::branch::{branch, sext};
use crate::decode::a32::system::{banked, cps, eret, hint, mrs, msr_reg, with_imm};

/// BX, BLX (register), A8.8.27 / A8.8.26: 0100 0111 L Rm (0)(0)(0).
pub fn decode16_bx_blx(hw: u32, _it: ItCtx) -> Insn {
    if hw & 7 != 0 {
        return Insn::unpredictable(hw);
    }
    let exec: ExecFn = if hw & 0x80 != 0 {
        br::exec_blx_reg
    } else {
        br::exec_bx
    };
    let mut i = branch(exec, hw, 0);
    i.rm = ((hw >> 3) & 0xf) as u8;
    i
}

/// CBZ, CBNZ (A8.8.29): 1011 op 0 i 1 imm5 Rn; target = PC + i:imm5:'0'. Inside an IT
/// block it is UNPREDICTABLE; QEMU executes it, and so do we.
pub fn decode16_cbz(hw: u32, _it: ItCtx) -> Insn {
    let off = ((hw >> 3) & 0x40) | ((hw >> 2) & 0x3e);
    let exec: ExecFn = if hw & 0x800 != 0 {
        br::exec_cbnz
    } else {
        br::exec_cbz
    };
    let mut i = branch(exec, hw, off + 4);
    i.rn = (hw & 7) as u8;
    i
}

/// 1101 cond imm8: B<c> (T1), UDF (cond = 1110), SVC (cond = 1111).
pub fn decode16_cond_branch_svc_udf(hw: u32, it: ItCtx) -> Insn {
    let cond = (hw >> 8) & 0xf;
    match cond {
        0xe => Insn::undefined(hw),
        0xf => {
            let imm = hw & 0xff;
            let exec: ExecFn = if imm == 0xab {
                x::exec_svc_semihost
            } else {
                x::exec_svc
            };
            with_imm(exec, hw, imm)
        }
        // B<c> inside an IT block is UNPREDICTABLE; QEMU UNDEFs (after the IT condition,
        // which the block builder gives this undefined instruction).
        _ if it.in_it => Insn::unpredictable(hw),
        _ => {
            let off = sext((hw & 0xff) << 1, 9);
            branch(br::exec_b, hw, off.wrapping_add(4)).with_cond(cond)
        }
    }
}

/// B (T2): 11100 imm11.
pub fn decode16_b(hw: u32, _it: ItCtx) -> Insn {
    let off = sext((hw & 0x7ff) << 1, 12);
    branch(br::exec_b, hw, off.wrapping_add(4))
}

/// The 25-bit offset of B (T4), BL and BLX (immediate): S:I1:I2:imm10:imm11:'0' with
/// I1 = NOT(J1 XOR S), I2 = NOT(J2 XOR S).
fn offset25(hw1: u32, hw2: u32) -> u32 {
    let s = (hw1 >> 10) & 1;
    let i1 = !((hw2 >> 13) ^ s) & 1;
    let i2 = !((hw2 >> 11) ^ s) & 1;
    let v = (s << 24) | (i1 << 23) | (i2 << 22) | ((hw1 & 0x3ff) << 12) | ((hw2 & 0x7ff) << 1);
    sext(v, 25)
}

/// A6.3.4: branches and miscellaneous control (hw2 bit 15 = 1).
pub fn decode32_branch_misc(hw1: u32, hw2: u32) -> Insn {
    let raw = (hw1 << 16) | hw2;
    let op = (hw1 >> 4) & 0x7f;
    let op1 = (hw2 >> 12) & 7;
    match op1 & 0b101 {
        0b001 => return branch(br::exec_b, raw, offset25(hw1, hw2).wrapping_add(4)),
        0b101 => return branch(br::exec_bl, raw, offset25(hw1, hw2).wrapping_add(4)),
        0b100 => {
            // BLX (immediate) T2: H (hw2 bit 0) = 1 is UNDEFINED.
            if hw2 & 1 != 0 {
                return Insn::undefined(raw);
            }
            return branch(br::exec_blx_imm, raw, offset25(hw1, hw2).wrapping_add(4));
        }
        _ => {}
    }
    if op & 0b011_1000 != 0b011_1000 {
        // B<c>.W (T3): S:J2:J1:imm6:imm11:'0'.
        let s = (hw1 >> 10) & 1;
        let j1 = (hw2 >> 13) & 1;
        let j2 = (hw2 >> 11) & 1;
        let v = (s << 20) | (j2 << 19) | (j1 << 18) | ((hw1 & 0x3f) << 12) | ((hw2 & 0x7ff) << 1);
        let off = sext(v, 21);
        return branch(br::exec_b_cond_t32, raw, off.wrapping_add(4)).with_cond((hw1 >> 6) & 0xf);
    }
    // Fixed fields: hw2 bit 13 is (0) throughout the miscellaneous space.
    let r = (hw1 >> 4) & 1;
    match op {
        0b011_1000 | 0b011_1001 if hw2 & 0x2000 == 0 => {
            // MSR (register) / MSR (banked): 11110 0111 00 R Rn | 10 (0) 0 mask/M1 (0)(0) B M (0000).
            let rn = hw1 & 0xf;
            if hw2 & 0x20 != 0 {
                if hw2 & 0xef != 0x20 {
                    return Insn::unpredictable(raw);
                }
                let sysm = (hw2 & 0x10) | ((hw2 >> 8) & 0xf);
                banked(raw, true, r, sysm, rn)
            } else if hw2 & 0xff == 0 {
                msr_reg(raw, r, (hw2 >> 8) & 0xf, rn)
            } else {
                Insn::unpredictable(raw)
            }
        }
        0b011_1010 if hw1 == 0xf3af && hw2 & 0x2800 == 0 => {
            // Hints (op1 = 000) and CPS (T2).
            if hw2 & 0x0700 == 0 {
                hint(raw, hw2 & 0xff)
            } else {
                cps(
                    raw,
                    (hw2 >> 9) & 3,
                    (hw2 >> 8) & 1,
                    (hw2 >> 5) & 7,
                    hw2 & 0x1f,
                )
            }
        }
        0b011_1011 if hw1 == 0xf3bf && hw2 & 0x2f00 == 0x0f00 => {
            // Miscellaneous control: CLREX, DSB, DMB, ISB (ENTERX/LEAVEX: no ThumbEE).
            match (hw2 >> 4) & 0xf {
                0b0010 if hw2 & 0xf == 0xf => Insn::new(x::exec_clrex, raw),
                0b0100 | 0b0101 => Insn::new(x::exec_nop, raw),
                0b0110 => with_imm(x::exec_isb, raw, 0),
                _ => Insn::undefined(raw),
            }
        }
        0b011_1100 if hw2 == 0x8f00 => {
            // BXJ: behaves as BX (no Jazelle), unless HSTR.TJDBX traps it.
            let mut i = branch(br::exec_bxj, raw, 0);
            i.rm = (hw1 & 0xf) as u8;
            i
        }
        0b011_1101 if hw1 == 0xf3de && hw2 & 0xff00 == 0x8f00 => {
            // SUBS PC, LR, #imm8; ERET is the imm8 = 0 form.
            let imm8 = hw2 & 0xff;
            if imm8 == 0 {
                eret(raw)
            } else {
                with_imm(x::exec_subs_pc_lr, raw, imm8)
            }
        }
        0b011_1110 | 0b011_1111 if hw2 & 0x2000 == 0 => {
            // MRS / MRS (banked): 11110 0111 11 R (1111)/M1 | 10 (0) 0 Rd (0)(0) B M (0000).
            let rd = (hw2 >> 8) & 0xf;
            if hw2 & 0x20 != 0 {
                if hw2 & 0xef != 0x20 {
                    return Insn::unpredictable(raw);
                }
                let sysm = (hw2 & 0x10) | (hw1 & 0xf);
                banked(raw, false, r, sysm, rd)
            } else if hw1 & 0xf == 0xf && hw2 & 0xff == 0 {
                mrs(raw, r, rd)
            } else {
                Insn::unpredictable(raw)
            }
        }
        // HVC: 11110 1111110 imm4 | 1000 imm12.
        0b111_1110 if op1 == 0 => with_imm(x::exec_hvc, raw, ((hw1 & 0xf) << 12) | (hw2 & 0xfff)),
        // SMC: 11110 1111111 imm4 | 1000 (0)x12.
        0b111_1111 if op1 == 0 && hw2 & 0xfff == 0 => with_imm(x::exec_smc, raw, hw1 & 0xf),
        // UDF (T2, op1 = 010) and everything unallocated.
        _ => Insn::undefined(raw),
    }
}
