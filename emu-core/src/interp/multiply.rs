//! Exec routines of the multiply group (Arm ARM A5.2.5, A5.2.7, A5.4.4; T32 A6.2/A6.3.16,
//! A6.3.17), shared by the A32 and T32 decoders.
//!
//! Operand slots (filled by `decode::a32::multiply` and `decode::t32::multiply`):
//! - `rd`: Rd, or RdLo of a 64-bit result / accumulator.
//! - `ra`: Ra (32-bit accumulator), or RdHi of a 64-bit result / accumulator.
//! - `rn`, `rm`: the multiplied registers (Rn, Rm as the Arm ARM names them).
//! - halfword forms (SMLA<x><y>, SMUL<x><y>, SMLAL<x><y>, SMLAW<y>, SMULW<y>):
//!   `shift` = bit position (0 or 16) of the Rn half used, `shift_imm` = the same for Rm.
//! - dual forms (SMLAD, SMUAD, SMLSD, SMUSD, SMLALD, SMLSLD): `shift_imm` = 16 for the
//!   X (exchange) variants, else 0: Rm is rotated by it.
//! - most-significant-word forms (SMMUL, SMMLA, SMMLS): `imm` = 0x8000_0000 for the R
//!   (round) variants, else 0.
//!
//! The flag-setting forms (MULS, MLAS, UMULLS, ...) set N and Z only (C and V unchanged
//! since ARMv6). Routines are specialised by const generics so that each one is
//! branch-free apart from the register write.

use crate::cpu::Cpu;
use crate::exception::Exception;
use crate::insn::Insn;

type Res = Result<(), Exception>;

#[inline(always)]
fn set_nz32(cpu: &mut Cpu, v: u32) {
    cpu.s.nf = v >> 31;
    cpu.s.zf = (v == 0) as u32;
}

#[inline(always)]
fn set_nz64(cpu: &mut Cpu, v: u64) {
    cpu.s.nf = (v >> 63) as u32;
    cpu.s.zf = (v == 0) as u32;
}

/// Writes a 64-bit result to RdHi:RdLo (RdLo first: with RdHi == RdLo, UNPREDICTABLE,
/// the high half wins as on QEMU).
#[inline(always)]
fn write64(cpu: &mut Cpu, i: &Insn, v: u64) {
    cpu.set_reg(i.rd, v as u32);
    cpu.set_reg(i.ra, (v >> 32) as u32);
}

#[inline(always)]
fn read64(cpu: &Cpu, i: &Insn) -> u64 {
    ((cpu.reg(i.ra) as u64) << 32) | cpu.reg(i.rd) as u64
}

/// Sets the sticky Q flag when `overflow`.
#[inline(always)]
fn set_q_if(cpu: &mut Cpu, overflow: bool) {
    cpu.s.qf |= overflow as u32;
}

// ---- A5.2.5 multiply and multiply accumulate -----------------------------------------

/// MUL / MULS: Rd = Rn * Rm.
pub fn exec_mul<const S: bool>(cpu: &mut Cpu, i: &Insn) -> Res {
    let r = cpu.reg(i.rn).wrapping_mul(cpu.reg(i.rm));
    if S {
        set_nz32(cpu, r);
    }
    cpu.set_reg(i.rd, r);
    Ok(())
}

/// MLA / MLAS: Rd = Rn * Rm + Ra.
pub fn exec_mla<const S: bool>(cpu: &mut Cpu, i: &Insn) -> Res {
    let r = cpu
        .reg(i.rn)
        .wrapping_mul(cpu.reg(i.rm))
        .wrapping_add(cpu.reg(i.ra));
    if S {
        set_nz32(cpu, r);
    }
    cpu.set_reg(i.rd, r);
    Ok(())
}

/// MLS: Rd = Ra - Rn * Rm.
pub fn exec_mls(cpu: &mut Cpu, i: &Insn) -> Res {
    let r = cpu
        .reg(i.ra)
        .wrapping_sub(cpu.reg(i.rn).wrapping_mul(cpu.reg(i.rm)));
    cpu.set_reg(i.rd, r);
    Ok(())
}

/// UMULL / UMULLS: RdHi:RdLo = Rn * Rm (unsigned).
pub fn exec_umull<const S: bool>(cpu: &mut Cpu, i: &Insn) -> Res {
    let r = (cpu.reg(i.rn) as u64).wrapping_mul(cpu.reg(i.rm) as u64);
    if S {
        set_nz64(cpu, r);
    }
    write64(cpu, i, r);
    Ok(())
}

/// SMULL / SMULLS: RdHi:RdLo = Rn * Rm (signed).
pub fn exec_smull<const S: bool>(cpu: &mut Cpu, i: &Insn) -> Res {
    let r = (cpu.reg(i.rn) as i32 as i64).wrapping_mul(cpu.reg(i.rm) as i32 as i64) as u64;
    if S {
        set_nz64(cpu, r);
    }
    write64(cpu, i, r);
    Ok(())
}

/// UMLAL / UMLALS: RdHi:RdLo += Rn * Rm (unsigned).
pub fn exec_umlal<const S: bool>(cpu: &mut Cpu, i: &Insn) -> Res {
    let r = (cpu.reg(i.rn) as u64)
        .wrapping_mul(cpu.reg(i.rm) as u64)
        .wrapping_add(read64(cpu, i));
    if S {
        set_nz64(cpu, r);
    }
    write64(cpu, i, r);
    Ok(())
}

/// SMLAL / SMLALS: RdHi:RdLo += Rn * Rm (signed).
pub fn exec_smlal<const S: bool>(cpu: &mut Cpu, i: &Insn) -> Res {
    let r = ((cpu.reg(i.rn) as i32 as i64).wrapping_mul(cpu.reg(i.rm) as i32 as i64) as u64)
        .wrapping_add(read64(cpu, i));
    if S {
        set_nz64(cpu, r);
    }
    write64(cpu, i, r);
    Ok(())
}

/// UMAAL: RdHi:RdLo = Rn * Rm + RdHi + RdLo (cannot overflow 64 bits).
pub fn exec_umaal(cpu: &mut Cpu, i: &Insn) -> Res {
    let r = (cpu.reg(i.rn) as u64)
        .wrapping_mul(cpu.reg(i.rm) as u64)
        .wrapping_add(cpu.reg(i.rd) as u64)
        .wrapping_add(cpu.reg(i.ra) as u64);
    write64(cpu, i, r);
    Ok(())
}

// ---- A5.2.7 halfword multiplies ------------------------------------------------------

/// The signed half of `v` at bit `sh` (0 or 16).
#[inline(always)]
fn half(v: u32, sh: u8) -> i32 {
    (v >> (sh & 16)) as u16 as i16 as i32
}

/// SMUL<x><y>: Rd = Rn.x * Rm.y (cannot overflow).
pub fn exec_smulxy(cpu: &mut Cpu, i: &Insn) -> Res {
    let r = half(cpu.reg(i.rn), i.shift).wrapping_mul(half(cpu.reg(i.rm), i.shift_imm));
    cpu.set_reg(i.rd, r as u32);
    Ok(())
}

/// SMLA<x><y>: Rd = Rn.x * Rm.y + Ra, Q on signed overflow.
pub fn exec_smlaxy(cpu: &mut Cpu, i: &Insn) -> Res {
    let p = half(cpu.reg(i.rn), i.shift).wrapping_mul(half(cpu.reg(i.rm), i.shift_imm));
    let (r, ov) = p.overflowing_add(cpu.reg(i.ra) as i32);
    set_q_if(cpu, ov);
    cpu.set_reg(i.rd, r as u32);
    Ok(())
}

/// SMULW<y>: Rd = (Rn * Rm.y)[47:16].
pub fn exec_smulwy(cpu: &mut Cpu, i: &Insn) -> Res {
    let p = (cpu.reg(i.rn) as i32 as i64).wrapping_mul(half(cpu.reg(i.rm), i.shift_imm) as i64);
    cpu.set_reg(i.rd, (p >> 16) as u32);
    Ok(())
}

/// SMLAW<y>: Rd = (Rn * Rm.y + Ra << 16)[47:16], Q if that does not fit 32 bits.
pub fn exec_smlawy(cpu: &mut Cpu, i: &Insn) -> Res {
    let p = (cpu.reg(i.rn) as i32 as i64).wrapping_mul(half(cpu.reg(i.rm), i.shift_imm) as i64);
    // |p| < 2^47, so the 48-bit-shifted sum fits an i64 exactly.
    let r = (p >> 16).wrapping_add(cpu.reg(i.ra) as i32 as i64);
    set_q_if(cpu, r != r as i32 as i64);
    cpu.set_reg(i.rd, r as u32);
    Ok(())
}

/// SMLAL<x><y>: RdHi:RdLo += Rn.x * Rm.y (64-bit wrap, no Q).
pub fn exec_smlalxy(cpu: &mut Cpu, i: &Insn) -> Res {
    let p = half(cpu.reg(i.rn), i.shift).wrapping_mul(half(cpu.reg(i.rm), i.shift_imm));
    let r = read64(cpu, i).wrapping_add(p as i64 as u64);
    write64(cpu, i, r);
    Ok(())
}

// ---- A5.4.4 signed multiplies (dual 16-bit, most significant word) and divide -------

/// The two 16x16 products of a dual multiply: (bottom, top), Rm exchanged if X.
#[inline(always)]
fn dual_products(cpu: &Cpu, i: &Insn) -> (i32, i32) {
    let n = cpu.reg(i.rn);
    let m = cpu.reg(i.rm).rotate_right(i.shift_imm as u32 & 16);
    let p1 = (n as u16 as i16 as i32).wrapping_mul(m as u16 as i16 as i32);
    let p2 = ((n >> 16) as i16 as i32).wrapping_mul((m >> 16) as i16 as i32);
    (p1, p2)
}

/// SMUAD{X}: Rd = p1 + p2, Q on overflow (only 0x8000 * 0x8000 twice).
pub fn exec_smuad(cpu: &mut Cpu, i: &Insn) -> Res {
    let (p1, p2) = dual_products(cpu, i);
    let (r, ov) = p1.overflowing_add(p2);
    set_q_if(cpu, ov);
    cpu.set_reg(i.rd, r as u32);
    Ok(())
}

/// SMUSD{X}: Rd = p1 - p2 (cannot overflow).
pub fn exec_smusd(cpu: &mut Cpu, i: &Insn) -> Res {
    let (p1, p2) = dual_products(cpu, i);
    cpu.set_reg(i.rd, p1.wrapping_sub(p2) as u32);
    Ok(())
}

/// SMLAD{X} (SUB = false) / SMLSD{X} (SUB = true): Rd = p1 +/- p2 + Ra, Q if the exact
/// result does not fit 32 bits.
pub fn exec_smlad<const SUB: bool>(cpu: &mut Cpu, i: &Insn) -> Res {
    let (p1, p2) = dual_products(cpu, i);
    let p2 = if SUB { -(p2 as i64) } else { p2 as i64 };
    let r = (p1 as i64) + p2 + (cpu.reg(i.ra) as i32 as i64);
    set_q_if(cpu, r != r as i32 as i64);
    cpu.set_reg(i.rd, r as u32);
    Ok(())
}

/// SMLALD{X} (SUB = false) / SMLSLD{X} (SUB = true): RdHi:RdLo += p1 +/- p2.
pub fn exec_smlald<const SUB: bool>(cpu: &mut Cpu, i: &Insn) -> Res {
    let (p1, p2) = dual_products(cpu, i);
    let p2 = if SUB { -(p2 as i64) } else { p2 as i64 };
    let r = read64(cpu, i).wrapping_add(((p1 as i64) + p2) as u64);
    write64(cpu, i, r);
    Ok(())
}

#[inline(always)]
fn smm_product(cpu: &Cpu, i: &Insn) -> i64 {
    (cpu.reg(i.rn) as i32 as i64).wrapping_mul(cpu.reg(i.rm) as i32 as i64)
}

/// SMMUL{R}: Rd = (Rn * Rm + round)[63:32].
pub fn exec_smmul(cpu: &mut Cpu, i: &Insn) -> Res {
    let r = (smm_product(cpu, i) as u64).wrapping_add(i.imm as u64);
    cpu.set_reg(i.rd, (r >> 32) as u32);
    Ok(())
}

/// SMMLA{R}: Rd = (Ra << 32 + Rn * Rm + round)[63:32] (modulo 2^64 is exact enough:
/// only bits 63:32 are kept).
pub fn exec_smmla(cpu: &mut Cpu, i: &Insn) -> Res {
    let r = ((cpu.reg(i.ra) as u64) << 32)
        .wrapping_add(smm_product(cpu, i) as u64)
        .wrapping_add(i.imm as u64);
    cpu.set_reg(i.rd, (r >> 32) as u32);
    Ok(())
}

/// SMMLS{R}: Rd = (Ra << 32 - Rn * Rm + round)[63:32].
pub fn exec_smmls(cpu: &mut Cpu, i: &Insn) -> Res {
    let r = ((cpu.reg(i.ra) as u64) << 32)
        .wrapping_sub(smm_product(cpu, i) as u64)
        .wrapping_add(i.imm as u64);
    cpu.set_reg(i.rd, (r >> 32) as u32);
    Ok(())
}

/// SDIV: Rd = Rn / Rm rounded towards zero; division by zero gives 0 (ARMv7-A has no
/// divide-by-zero trap: SCTLR.DZ exists only in the R profile), and 0x8000_0000 / -1
/// wraps to 0x8000_0000.
pub fn exec_sdiv(cpu: &mut Cpu, i: &Insn) -> Res {
    let n = cpu.reg(i.rn) as i32;
    let m = cpu.reg(i.rm) as i32;
    let r = if m == 0 { 0 } else { n.wrapping_div(m) };
    cpu.set_reg(i.rd, r as u32);
    Ok(())
}

/// UDIV: Rd = Rn / Rm; division by zero gives 0.
pub fn exec_udiv(cpu: &mut Cpu, i: &Insn) -> Res {
    let n = cpu.reg(i.rn);
    let m = cpu.reg(i.rm);
    let r = n.checked_div(m).unwrap_or(0);
    cpu.set_reg(i.rd, r);
    Ok(())
}
