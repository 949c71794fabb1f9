//! Exec routines: data processing (Arm ARM A5.2.1-A5.2.3, A6.2.1-A6.2.3, A6.3.1,
//! A6.3.3, A6.3.11, A6.3.12), shared by the A32 and T32 decoders.
//!
//! # Operand convention (what the decoders store in an [`Insn`])
//!
//! | slot        | meaning                                                           |
//! |-------------|-------------------------------------------------------------------|
//! | `op`        | ALU opcode: the A32 numbering ([`AND`] .. [`MVN`]) plus [`ORN`]    |
//! | `rd`        | destination (ignored by TST/TEQ/CMP/CMN)                            |
//! | `rn`        | first operand (ignored by MOV/MVN)                                  |
//! | `rm`        | register of the second operand (register forms)                     |
//! | `ra`        | Rs: the shift-amount register (register-shifted-register form)      |
//! | `shift`     | shift type for [`F_RSR`]; for [`F_IMM`]: 1 if the immediate came out of a rotation (so a logical op with S sets C = imm<31>), 0 if C is unchanged |
//! | `shift_imm` | shift amount of the immediate-shift forms (LSL 1-31, LSR/ASR 1-32, ROR 1-31) |
//! | `imm`       | the expanded immediate ([`F_IMM`]); MOVT: imm16 << 16; ADR: the signed offset |
//! | `flags` b0  | [`FLAG_S`]: the instruction sets the flags (informational: the exec routine is already specialised on it) |
//!
//! # Specialisation
//!
//! The general routine [`exec_dp`] is monomorphised over the opcode, the form of the
//! second operand (immediate, plain register, each immediate shift type, RRX, register
//! shift) and S, so that e.g. `ADD r0, r1, r2` compiles to a load, an add and a store
//! plus the Rd = PC check. [`dp_exec`] picks the instance at decode time.

use crate::cpu::Cpu;
use crate::exception::Exception;
use crate::insn::{flags, ExecFn, Insn};
use crate::interp::common::{add_with_carry, shift_c, LSL, RRX};
use crate::state::Mode;

// ---- opcodes (A32 numbering, Arm ARM A5.2.1) -----------------------------------------

pub const AND: u8 = 0;
pub const EOR: u8 = 1;
pub const SUB: u8 = 2;
pub const RSB: u8 = 3;
pub const ADD: u8 = 4;
pub const ADC: u8 = 5;
pub const SBC: u8 = 6;
pub const RSC: u8 = 7;
pub const TST: u8 = 8;
pub const TEQ: u8 = 9;
pub const CMP: u8 = 10;
pub const CMN: u8 = 11;
pub const ORR: u8 = 12;
pub const MOV: u8 = 13;
pub const BIC: u8 = 14;
pub const MVN: u8 = 15;
/// T32 only (A6.3.1 / A6.3.11 opcode 0011 with Rn != PC).
pub const ORN: u8 = 16;
const NUM_OPS: usize = 17;

// ---- forms of the second operand ------------------------------------------------------

/// Immediate (`Insn::imm`).
pub const F_IMM: u8 = 0;
/// Register, unshifted (LSL #0).
pub const F_REG: u8 = 1;
/// Register shifted by an immediate (`shift_imm`).
pub const F_LSL: u8 = 2;
pub const F_LSR: u8 = 3;
pub const F_ASR: u8 = 4;
pub const F_ROR: u8 = 5;
pub const F_RRX: u8 = 6;
/// Register shifted by the bottom byte of register `ra`, shift type in `shift`.
pub const F_RSR: u8 = 7;
const NUM_FORMS: usize = 8;

/// `Insn::flags` bit: the instruction sets the condition flags.
pub const FLAG_S: u16 = 1 << 0;

/// True for the opcodes that only set flags (no destination register).
#[inline(always)]
pub const fn is_test(op: u8) -> bool {
    matches!(op, TST | TEQ | CMP | CMN)
}

/// True for the logical opcodes: with S they set C from the shifter and leave V alone.
#[inline(always)]
pub const fn is_logical(op: u8) -> bool {
    matches!(op, AND | EOR | TST | TEQ | ORR | ORN | MOV | BIC | MVN)
}

// ---- the second operand -----------------------------------------------------------------

/// The shifter operand and its carry out (the carry is only used by logical ops with S;
/// the compiler drops it elsewhere). Decoders guarantee the amount ranges documented at
/// the top; wrapping shifts keep any other value from panicking.
#[inline(always)]
fn operand2<const FORM: u8>(cpu: &Cpu, i: &Insn) -> (u32, u32) {
    let n = i.shift_imm as u32;
    match FORM {
        F_IMM => {
            let c = if i.shift != 0 { i.imm >> 31 } else { cpu.s.cf };
            (i.imm, c)
        }
        F_REG => (cpu.reg(i.rm), cpu.s.cf),
        F_LSL => {
            let v = cpu.reg(i.rm);
            (v.wrapping_shl(n), v.wrapping_shr(32u32.wrapping_sub(n)) & 1)
        }
        F_LSR => {
            // Shift by n-1 first so that n = 32 needs no special case.
            let t = cpu.reg(i.rm).wrapping_shr(n.wrapping_sub(1));
            (t >> 1, t & 1)
        }
        F_ASR => {
            let t = (cpu.reg(i.rm) as i32).wrapping_shr(n.wrapping_sub(1));
            ((t >> 1) as u32, t as u32 & 1)
        }
        F_ROR => {
            let r = cpu.reg(i.rm).rotate_right(n);
            (r, r >> 31)
        }
        F_RRX => {
            let v = cpu.reg(i.rm);
            ((cpu.s.cf << 31) | (v >> 1), v & 1)
        }
        _ => {
            let amount = cpu.reg(i.ra) & 0xff;
            shift_c(cpu.reg(i.rm), i.shift, amount, cpu.s.cf)
        }
    }
}

// ---- the general routine ----------------------------------------------------------------

/// Every data-processing instruction: `OP` an opcode, `FORM` an `F_*` form, `S` whether
/// the flags are set (Arm ARM A8.8, the AND..MVN pseudocode).
pub fn exec_dp<const OP: u8, const FORM: u8, const S: bool>(
    cpu: &mut Cpu,
    i: &Insn,
) -> Result<(), Exception> {
    let (b, shifter_carry) = operand2::<FORM>(cpu, i);
    let a = if OP == MOV || OP == MVN {
        0
    } else {
        cpu.reg(i.rn)
    };
    let cin = cpu.s.cf;
    // (result, carry, overflow); carry/overflow only meaningful when S.
    let (r, c, v) = match OP {
        AND | TST => (a & b, shifter_carry, 0),
        EOR | TEQ => (a ^ b, shifter_carry, 0),
        ORR => (a | b, shifter_carry, 0),
        ORN => (a | !b, shifter_carry, 0),
        BIC => (a & !b, shifter_carry, 0),
        MOV => (b, shifter_carry, 0),
        MVN => (!b, shifter_carry, 0),
        ADD | CMN => {
            if S {
                add_with_carry(a, b, 0)
            } else {
                (a.wrapping_add(b), 0, 0)
            }
        }
        SUB | CMP => {
            if S {
                add_with_carry(a, !b, 1)
            } else {
                (a.wrapping_sub(b), 0, 0)
            }
        }
        RSB => {
            if S {
                add_with_carry(b, !a, 1)
            } else {
                (b.wrapping_sub(a), 0, 0)
            }
        }
        ADC => {
            if S {
                add_with_carry(a, b, cin)
            } else {
                (a.wrapping_add(b).wrapping_add(cin), 0, 0)
            }
        }
        SBC => {
            if S {
                add_with_carry(a, !b, cin)
            } else {
                (a.wrapping_add(!b).wrapping_add(cin), 0, 0)
            }
        }
        _ => {
            // RSC
            if S {
                add_with_carry(b, !a, cin)
            } else {
                (b.wrapping_add(!a).wrapping_add(cin), 0, 0)
            }
        }
    };
    if !is_test(OP) {
        if i.rd == 15 {
            return write_pc(cpu, r, S);
        }
        cpu.s.regs[i.rd as usize & 15] = r;
    }
    if S {
        cpu.s.nf = r >> 31;
        cpu.s.zf = (r == 0) as u32;
        cpu.s.cf = c;
        if !is_logical(OP) {
            cpu.s.vf = v;
        }
    }
    Ok(())
}

/// A data-processing result written to the PC. Without S: ALUWritePC (interworking in
/// ARM state, a plain branch in Thumb state). With S (A32 only; the T32 decoders never
/// produce it): ALUExceptionReturn (Arm ARM B9.3.20): UNDEFINED in Hyp mode;
/// UNPREDICTABLE in User mode, where we UNDEF like QEMU; in System mode QEMU copies the
/// SPSR anyway, and so do we. The flags are not written from the result.
#[cold]
#[inline(never)]
fn write_pc(cpu: &mut Cpu, r: u32, s: bool) -> Result<(), Exception> {
    if !s {
        cpu.alu_write_pc(r);
        return Ok(());
    }
    match cpu.s.mode() {
        Mode::Usr | Mode::Hyp => Err(Exception::Undefined),
        _ => {
            let spsr = cpu.s.spsr;
            cpu.exception_return(r, spsr);
            Ok(())
        }
    }
}

// ---- selection of the specialised instance ----------------------------------------------

macro_rules! dp_forms {
    ($op:expr) => {
        [
            [
                exec_dp::<{ $op }, F_IMM, false> as ExecFn,
                exec_dp::<{ $op }, F_IMM, true>,
            ],
            [
                exec_dp::<{ $op }, F_REG, false>,
                exec_dp::<{ $op }, F_REG, true>,
            ],
            [
                exec_dp::<{ $op }, F_LSL, false>,
                exec_dp::<{ $op }, F_LSL, true>,
            ],
            [
                exec_dp::<{ $op }, F_LSR, false>,
                exec_dp::<{ $op }, F_LSR, true>,
            ],
            [
                exec_dp::<{ $op }, F_ASR, false>,
                exec_dp::<{ $op }, F_ASR, true>,
            ],
            [
                exec_dp::<{ $op }, F_ROR, false>,
                exec_dp::<{ $op }, F_ROR, true>,
            ],
            [
                exec_dp::<{ $op }, F_RRX, false>,
                exec_dp::<{ $op }, F_RRX, true>,
            ],
            [
                exec_dp::<{ $op }, F_RSR, false>,
                exec_dp::<{ $op }, F_RSR, true>,
            ],
        ]
    };
}

static DP_TABLE: [[[ExecFn; 2]; NUM_FORMS]; NUM_OPS] = [
    dp_forms!(AND),
    dp_forms!(EOR),
    dp_forms!(SUB),
    dp_forms!(RSB),
    dp_forms!(ADD),
    dp_forms!(ADC),
    dp_forms!(SBC),
    dp_forms!(RSC),
    dp_forms!(TST),
    dp_forms!(TEQ),
    dp_forms!(CMP),
    dp_forms!(CMN),
    dp_forms!(ORR),
    dp_forms!(MOV),
    dp_forms!(BIC),
    dp_forms!(MVN),
    dp_forms!(ORN),
];

/// The exec routine for (opcode, form, S).
pub fn dp_exec(op: u8, form: u8, s: bool) -> ExecFn {
    DP_TABLE[op as usize % NUM_OPS][form as usize % NUM_FORMS][s as usize]
}

// ---- Insn builders shared by the A32 and T32 decoders ------------------------------------

fn dp_base(op: u8, form: u8, s: bool, rd: u32, rn: u32, raw: u32) -> Insn {
    let mut i = Insn::new(dp_exec(op, form, s), raw);
    i.op = op;
    i.rd = (rd & 15) as u8;
    i.rn = (rn & 15) as u8;
    if s {
        i.flags |= FLAG_S;
    }
    // A write to the PC always ends the block; saves decoding past it.
    if !is_test(op) && rd == 15 {
        i.flags |= flags::ENDS_BLOCK;
    }
    i
}

/// `op{S} Rd, Rn, #imm`. `rotated`: the expansion rotated the constant, so a logical
/// op with S sets C to bit 31 of `imm` (ARMExpandImm_C / ThumbExpandImm_C).
pub fn dp_imm(op: u8, s: bool, rd: u32, rn: u32, imm: u32, rotated: bool, raw: u32) -> Insn {
    let mut i = dp_base(op, F_IMM, s, rd, rn, raw);
    i.imm = imm;
    i.shift = rotated as u8;
    i
}

/// `op{S} Rd, Rn, Rm, <shift> #amount` with (shift type, amount) as returned by
/// `common::decode_imm_shift` (LSR/ASR 1-32, ROR 1-31, RRX; LSL 0 is the plain form).
#[allow(clippy::too_many_arguments)]
pub fn dp_reg(op: u8, s: bool, rd: u32, rn: u32, rm: u32, ty: u8, amount: u8, raw: u32) -> Insn {
    let form = match ty {
        _ if ty == LSL && amount == 0 => F_REG,
        LSL => F_LSL,
        1 => F_LSR,
        2 => F_ASR,
        3 => F_ROR,
        _ => F_RRX,
    };
    let mut i = dp_base(op, form, s, rd, rn, raw);
    i.rm = (rm & 15) as u8;
    i.shift = if form == F_RRX { RRX } else { ty };
    i.shift_imm = amount;
    i
}

/// `op{S} Rd, Rn, Rm, <shift> Rs`: `ty` is the 2-bit shift type (3 = ROR).
#[allow(clippy::too_many_arguments)]
pub fn dp_regshift(op: u8, s: bool, rd: u32, rn: u32, rm: u32, rs: u32, ty: u32, raw: u32) -> Insn {
    let mut i = dp_base(op, F_RSR, s, rd, rn, raw);
    i.rm = (rm & 15) as u8;
    i.ra = (rs & 15) as u8;
    i.shift = (ty & 3) as u8;
    i
}

// ---- MOVT, ADR, PKH ---------------------------------------------------------------------

/// MOVT (A8.8.106): `imm` holds imm16 << 16.
pub fn exec_movt(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    let v = (cpu.reg(i.rd) & 0xffff) | i.imm;
    cpu.set_reg(i.rd, v);
    Ok(())
}

/// T32 ADR (A8.8.12): Align(PC, 4) + `imm` (a negative offset is stored two's
/// complement). The A32 ADR is an ordinary ADD/SUB with Rn = PC (PC is word aligned).
pub fn exec_adr(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    let v = (cpu.reg(15) & !3).wrapping_add(i.imm);
    cpu.set_reg(i.rd, v);
    Ok(())
}

/// PKHBT (A8.8.125): Rd = Rm LSL #shift_imm [31:16] : Rn[15:0].
pub fn exec_pkhbt(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    let hi = cpu.reg(i.rm).wrapping_shl(i.shift_imm as u32) & 0xffff_0000;
    let v = hi | (cpu.reg(i.rn) & 0xffff);
    cpu.set_reg(i.rd, v);
    Ok(())
}

/// PKHTB: Rd = Rn[31:16] : (Rm ASR #shift_imm)[15:0], shift_imm 1-32.
pub fn exec_pkhtb(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    let n = (i.shift_imm as u32).wrapping_sub(1);
    let lo = ((cpu.reg(i.rm) as i32).wrapping_shr(n) >> 1) as u32 & 0xffff;
    let v = (cpu.reg(i.rn) & 0xffff_0000) | lo;
    cpu.set_reg(i.rd, v);
    Ok(())
}

/// Builds PKHBT (`tb` false, LSL #imm5) or PKHTB (`tb` true, ASR #imm5, 0 meaning 32).
pub fn pkh_insn(tb: bool, rd: u32, rn: u32, rm: u32, imm5: u32, raw: u32) -> Insn {
    let exec: ExecFn = if tb { exec_pkhtb } else { exec_pkhbt };
    let mut i = Insn::new(exec, raw);
    i.rd = (rd & 15) as u8;
    i.rn = (rn & 15) as u8;
    i.rm = (rm & 15) as u8;
    let imm5 = (imm5 & 31) as u8;
    i.shift_imm = if tb && imm5 == 0 { 32 } else { imm5 };
    i.shift = if tb { 2 } else { LSL };
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_indexed_by_op_form_s() {
        let f = dp_exec(ADD, F_REG, false);
        assert!(std::ptr::fn_addr_eq(
            f,
            exec_dp::<ADD, F_REG, false> as ExecFn
        ));
        let f = dp_exec(ORN, F_RSR, true);
        assert!(std::ptr::fn_addr_eq(
            f,
            exec_dp::<ORN, F_RSR, true> as ExecFn
        ));
        let f = dp_exec(MVN, F_RRX, true);
        assert!(std::ptr::fn_addr_eq(
            f,
            exec_dp::<MVN, F_RRX, true> as ExecFn
        ));
    }
}
