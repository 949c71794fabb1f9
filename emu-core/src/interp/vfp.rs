//! VFP exec routines (VFPv4-D32, no short vectors), shared by A32 and T32; the
//! arithmetic is `fpu.rs`.
//!
//! Operand convention (set by `decode/a32/vfp.rs`):
//! - `rd`, `rn`, `rm`: VFP register numbers (S or D index, by the operation's operand
//!   sizes); `shift` = 1 for double precision (sz).
//! - `exec_dp`: `op` = one of the `V*` constants; `imm` = VMOV immediate (the high word
//!   for doubles).
//! - `exec_misc`: `op` = `VCMP`, `VCMPE`, `CVT_*`; `shift_imm` = the operation's small
//!   selector (documented at each constant); CVT_FIXED: `shift_imm` = fraction bits,
//!   `ra` = size (16 or 32), `imm` bit 0 = to fixed, bit 1 = unsigned.
//! - `exec_ldst`: `op` bit 0 = load, bit 1 = multiple; `rn` = Rn; VLDR/VSTR: `imm` =
//!   signed offset; VLDM/VSTM: `shift_imm` = register count, `imm` = byte count,
//!   `flags` = [`F_ADD`] (increment after) | [`F_WB`].
//! - `exec_mov_s`, `exec_mov_scalar`: `rd` = Rt, `rn` = Sn / Dn, `op` = 1 to core;
//!   scalar: `shift_imm` = index.
//! - `exec_mov64`: `rd` = Rt, `ra` = Rt2, `rm` = Sm (pair) / Dm, `op` = 1 to core.
//! - `exec_vmrs`, `exec_vmsr`: `rd` = Rt, `rn` = the special register number.

use crate::cpu::Cpu;
use crate::exception::Exception;
use crate::insn::Insn;
use crate::interp::fpu::{self, Env, Fmt, F32, F64};
use crate::memory::Acc;
use crate::state::{CpuState, Mode};

/// FPSID of the Cortex-A15 (as QEMU reports it).
pub const FPSID: u32 = 0x4104_30f0;
/// MVFR0 of the Cortex-A15: 32 double registers, single/double, divide, square root,
/// all rounding modes, no short vectors, no trapping.
pub const MVFR0: u32 = 0x1011_0222;
/// MVFR1 of the Cortex-A15 (0x11111111) with the Advanced SIMD fields cleared: only
/// flush-to-zero, default NaN and VFP half-precision conversion remain.
pub const MVFR1: u32 = 0x0100_0011;
/// FPEXC.EN.
pub const FPEXC_EN: u32 = 1 << 30;
/// The FPSCR bits that hold state: N Z C V, QC, AHP, DN, FZ, RMode, Stride, Len, and
/// the cumulative flags. The trap enables are RAZ/WI (no trapping on the A15).
pub const FPSCR_MASK: u32 = 0xfff7_009f;
/// FPSCR.LEN and FPSCR.STRIDE.
const FPSCR_VEC: u32 = 0x0037_0000;

pub const F_ADD: u16 = 1 << 0;
pub const F_WB: u16 = 1 << 1;

// exec_dp operations.
pub const VMLA: u8 = 0;
pub const VMLS: u8 = 1;
pub const VNMLA: u8 = 2;
pub const VNMLS: u8 = 3;
pub const VMUL: u8 = 4;
pub const VNMUL: u8 = 5;
pub const VADD: u8 = 6;
pub const VSUB: u8 = 7;
pub const VDIV: u8 = 8;
pub const VFNMA: u8 = 9;
pub const VFNMS: u8 = 10;
pub const VFMA: u8 = 11;
pub const VFMS: u8 = 12;
pub const VMOVI: u8 = 13;
pub const VMOV: u8 = 14;
pub const VABS: u8 = 15;
pub const VNEG: u8 = 16;
pub const VSQRT: u8 = 17;

// exec_misc operations.
/// `shift_imm` = 1: compare with zero.
pub const VCMP: u8 = 20;
pub const VCMPE: u8 = 21;
/// Half to single (`shift_imm` = 1: top half).
pub const CVT_H_TO_S: u8 = 22;
/// Single to half (`shift_imm` = 1: top half).
pub const CVT_S_TO_H: u8 = 23;
/// Between single and double (`shift` = source is double).
pub const CVT_FP: u8 = 24;
/// Integer (Sm) to floating point: `shift_imm` = 1 signed.
pub const CVT_I_TO_F: u8 = 25;
/// Floating point to integer (Sd): `shift_imm` bit 0 signed, bit 1 round to zero.
pub const CVT_F_TO_I: u8 = 26;
pub const CVT_FIXED: u8 = 27;

// ---- register file -----------------------------------------------------------------

#[inline]
pub fn get_s(s: &CpuState, n: u8) -> u32 {
    let d = s.vfp_d[(n as usize >> 1) & 15];
    if n & 1 != 0 {
        (d >> 32) as u32
    } else {
        d as u32
    }
}

#[inline]
pub fn set_s(s: &mut CpuState, n: u8, v: u32) {
    let d = &mut s.vfp_d[(n as usize >> 1) & 15];
    if n & 1 != 0 {
        *d = (*d & 0xffff_ffff) | ((v as u64) << 32);
    } else {
        *d = (*d & !0xffff_ffff) | v as u64;
    }
}

#[inline]
fn get(s: &CpuState, dbl: bool, n: u8) -> u64 {
    if dbl {
        s.vfp_d[n as usize & 31]
    } else {
        get_s(s, n) as u64
    }
}

#[inline]
fn set(s: &mut CpuState, dbl: bool, n: u8, v: u64) {
    if dbl {
        s.vfp_d[n as usize & 31] = v;
    } else {
        set_s(s, n, v as u32);
    }
}

// ---- access control ------------------------------------------------------------------

/// CPACR.cp10 (PL0 needs full access, PL1 privileged access); Hyp mode is governed by
/// HCPTR, not CPACR.
fn cpacr_ok(s: &CpuState) -> bool {
    if s.mode() == Mode::Hyp {
        return true;
    }
    match (s.cpacr >> 20) & 3 {
        3 => true,
        1 => s.is_privileged(),
        _ => false,
    }
}

/// HCPTR.TCP10 / TCP11 (the two must be equal; each instruction is checked against the
/// bit of the coprocessor number in its encoding).
const HCPTR_TCP: u32 = crate::hyp_traps::hcptr::TCP10 | crate::hyp_traps::hcptr::TCP11;

/// The check every VFP instruction but VMRS/VMSR of the ID and FPEXC registers makes.
/// The common case (enabled, full CPACR access, no HCPTR trap) costs what the plain
/// FPEXC/CPACR check did; the rest is `check_slow`.
#[inline]
fn check(cpu: &Cpu, i: &Insn) -> Result<(), Exception> {
    let s = &cpu.s;
    if s.fpexc & FPEXC_EN != 0 && (s.cpacr >> 20) & 3 == 3 && s.hcptr & HCPTR_TCP == 0 {
        return Ok(());
    }
    check_slow(cpu, i)
}

#[cold]
fn check_slow(cpu: &Cpu, i: &Insn) -> Result<(), Exception> {
    if cpu.s.fpexc & FPEXC_EN == 0 || !cpacr_ok(&cpu.s) {
        return Err(Exception::Undefined);
    }
    hcptr_check(cpu, i)
}

/// HCPTR.TCP10/TCP11 (Arm ARM B4.1.63, B1.14.15), after CPACR and FPEXC (which make the
/// instruction UNDEFINED first): a Non-secure PL0/PL1 access traps to Hyp mode with EC
/// 0x07 and the encoding's coprocessor number (10 or 11; TA = 0: Advanced SIMD is not
/// implemented); in Hyp mode the access is UNDEFINED, taken to the Hyp Undefined vector
/// with the same syndrome. Secure state is not affected.
fn hcptr_check(cpu: &Cpu, i: &Insn) -> Result<(), Exception> {
    let coproc = (i.raw >> 8) & 15;
    let bit = if coproc == 11 {
        crate::hyp_traps::hcptr::TCP11
    } else {
        crate::hyp_traps::hcptr::TCP10
    };
    if cpu.s.hcptr & bit == 0 {
        return Ok(());
    }
    let h = crate::hyp_traps::syndrome_hcptr(i, coproc, false);
    if cpu.s.in_hyp() {
        return Err(Exception::HypUndefined(h));
    }
    if crate::hyp_traps::at_trappable_level(cpu) {
        let name = if coproc == 11 {
            "HCPTR.TCP11"
        } else {
            "HCPTR.TCP10"
        };
        return Err(crate::hyp_traps::take(cpu, name, h));
    }
    Ok(())
}

#[inline]
fn fmt(i: &Insn) -> Fmt {
    if i.shift != 0 {
        F64
    } else {
        F32
    }
}

/// Runs `f` with the FPSCR environment and accumulates the flags it raised.
#[inline]
fn with_env<R>(cpu: &mut Cpu, f: impl FnOnce(&mut Env) -> R) -> R {
    let mut env = Env::new(cpu.s.fpscr);
    let r = f(&mut env);
    cpu.s.fpscr |= env.flags;
    r
}

// ---- data processing ---------------------------------------------------------------

/// Three-operand arithmetic, VMOV, VABS, VNEG, VSQRT.
pub fn exec_dp(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    check(cpu, i)?;
    if cpu.s.fpscr & FPSCR_VEC != 0 {
        // Short vectors are not implemented on the A15.
        return Err(Exception::Undefined);
    }
    let dbl = i.shift != 0;
    let f = fmt(i);
    let d = get(&cpu.s, dbl, i.rd);
    let n = get(&cpu.s, dbl, i.rn);
    let m = get(&cpu.s, dbl, i.rm);
    let r = with_env(cpu, |e| match i.op {
        VMLA => {
            let p = fpu::mul(f, n, m, e);
            fpu::add(f, d, p, e)
        }
        VMLS => {
            let p = fpu::mul(f, n, m, e);
            fpu::add(f, d, fpu::neg(f, p), e)
        }
        VNMLA => {
            let p = fpu::mul(f, n, m, e);
            fpu::add(f, fpu::neg(f, d), fpu::neg(f, p), e)
        }
        VNMLS => {
            let p = fpu::mul(f, n, m, e);
            fpu::add(f, fpu::neg(f, d), p, e)
        }
        VMUL => fpu::mul(f, n, m, e),
        VNMUL => fpu::neg(f, fpu::mul(f, n, m, e)),
        VADD => fpu::add(f, n, m, e),
        VSUB => fpu::sub(f, n, m, e),
        VDIV => fpu::div(f, n, m, e),
        VFMA => fpu::muladd(f, d, n, m, e),
        VFMS => fpu::muladd(f, d, fpu::neg(f, n), m, e),
        VFNMA => fpu::muladd(f, fpu::neg(f, d), fpu::neg(f, n), m, e),
        VFNMS => fpu::muladd(f, fpu::neg(f, d), n, m, e),
        VMOVI => {
            if dbl {
                (i.imm as u64) << 32
            } else {
                i.imm as u64
            }
        }
        VMOV => m,
        VABS => fpu::abs(f, m),
        VNEG => fpu::neg(f, m),
        _ => fpu::sqrt(f, m, e),
    });
    set(&mut cpu.s, dbl, i.rd, r);
    Ok(())
}

/// Compares and conversions.
pub fn exec_misc(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    check(cpu, i)?;
    let dbl = i.shift != 0;
    let f = fmt(i);
    match i.op {
        VCMP | VCMPE => {
            let d = get(&cpu.s, dbl, i.rd);
            let m = if i.shift_imm != 0 {
                0
            } else {
                get(&cpu.s, dbl, i.rm)
            };
            let nzcv = with_env(cpu, |e| fpu::compare(f, d, m, i.op == VCMPE, e));
            cpu.s.fpscr = (cpu.s.fpscr & 0x0fff_ffff) | nzcv;
        }
        CVT_H_TO_S => {
            let sh = if i.shift_imm != 0 { 16 } else { 0 };
            let h = (get_s(&cpu.s, i.rm) >> sh) & 0xffff;
            let r = with_env(cpu, |e| fpu::from_half(F32, h as u64, e));
            set_s(&mut cpu.s, i.rd, r as u32);
        }
        CVT_S_TO_H => {
            let sh = if i.shift_imm != 0 { 16 } else { 0 };
            let v = get_s(&cpu.s, i.rm);
            let h = with_env(cpu, |e| fpu::to_half(F32, v as u64, e)) as u32;
            let old = get_s(&cpu.s, i.rd);
            set_s(&mut cpu.s, i.rd, (old & !(0xffff << sh)) | (h << sh));
        }
        CVT_FP => {
            let v = get(&cpu.s, dbl, i.rm);
            let to = if dbl { F32 } else { F64 };
            let r = with_env(cpu, |e| fpu::convert(f, to, v, e));
            set(&mut cpu.s, !dbl, i.rd, r);
        }
        CVT_I_TO_F => {
            let v = get_s(&cpu.s, i.rm) as u64;
            let signed = i.shift_imm & 1 != 0;
            let r = with_env(cpu, |e| fpu::from_fixed(f, v, 32, 0, !signed, e));
            set(&mut cpu.s, dbl, i.rd, r);
        }
        CVT_F_TO_I => {
            let v = get(&cpu.s, dbl, i.rm);
            let signed = i.shift_imm & 1 != 0;
            let r = with_env(cpu, |e| {
                let rm = if i.shift_imm & 2 != 0 {
                    fpu::RZ
                } else {
                    e.rmode()
                };
                fpu::to_fixed(f, v, 32, 0, !signed, rm, e)
            });
            set_s(&mut cpu.s, i.rd, r as u32);
        }
        _ => {
            // CVT_FIXED, in place.
            let v = get(&cpu.s, dbl, i.rd);
            let size = i.ra as u32;
            let fbits = i.shift_imm as u32;
            let unsigned = i.imm & 2 != 0;
            let r = with_env(cpu, |e| {
                if i.imm & 1 != 0 {
                    let r = fpu::to_fixed(f, v, size, fbits, unsigned, fpu::RZ, e);
                    // Sign- or zero-extended from `size` bits (to_fixed already is).
                    if dbl {
                        r
                    } else {
                        r & 0xffff_ffff
                    }
                } else {
                    fpu::from_fixed_rm(f, v, size, fbits, unsigned, fpu::RN, e)
                }
            });
            set(&mut cpu.s, dbl, i.rd, r);
        }
    }
    Ok(())
}

// ---- loads and stores ----------------------------------------------------------------

fn load64(cpu: &mut Cpu, addr: u32) -> Result<u64, Exception> {
    let a = cpu.read_u32(addr, Acc::ALIGNED)? as u64;
    let b = cpu.read_u32(addr.wrapping_add(4), Acc::ALIGNED)? as u64;
    Ok(if cpu.s.big_endian() {
        (a << 32) | b
    } else {
        (b << 32) | a
    })
}

fn store64(cpu: &mut Cpu, addr: u32, v: u64) -> Result<(), Exception> {
    let (a, b) = if cpu.s.big_endian() {
        ((v >> 32) as u32, v as u32)
    } else {
        (v as u32, (v >> 32) as u32)
    };
    cpu.write_u32(addr, a, Acc::ALIGNED)?;
    cpu.write_u32(addr.wrapping_add(4), b, Acc::ALIGNED)
}

/// VLDR, VSTR, VLDM, VSTM (VPUSH, VPOP).
pub fn exec_ldst(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    check(cpu, i)?;
    let dbl = i.shift != 0;
    let load = i.op & 1 != 0;
    let mut base = cpu.reg(i.rn);
    if i.rn == 15 {
        base &= !3;
    }
    if i.op & 2 == 0 {
        let addr = base.wrapping_add(i.imm);
        if load {
            let v = if dbl {
                load64(cpu, addr)?
            } else {
                cpu.read_u32(addr, Acc::ALIGNED)? as u64
            };
            set(&mut cpu.s, dbl, i.rd, v);
        } else {
            let v = get(&cpu.s, dbl, i.rd);
            if dbl {
                store64(cpu, addr, v)?;
            } else {
                cpu.write_u32(addr, v as u32, Acc::ALIGNED)?;
            }
        }
        return Ok(());
    }
    let add = i.flags & F_ADD != 0;
    let start = if add { base } else { base.wrapping_sub(i.imm) };
    let step = if dbl { 8 } else { 4 };
    let n = i.shift_imm as u32;
    if load {
        let mut vals = [0u64; 32];
        for k in 0..n {
            let addr = start.wrapping_add(k * step);
            vals[k as usize] = if dbl {
                load64(cpu, addr)?
            } else {
                cpu.read_u32(addr, Acc::ALIGNED)? as u64
            };
        }
        for k in 0..n {
            set(
                &mut cpu.s,
                dbl,
                i.rd.wrapping_add(k as u8),
                vals[k as usize],
            );
        }
    } else {
        for k in 0..n {
            let addr = start.wrapping_add(k * step);
            let v = get(&cpu.s, dbl, i.rd.wrapping_add(k as u8));
            if dbl {
                store64(cpu, addr, v)?;
            } else {
                cpu.write_u32(addr, v as u32, Acc::ALIGNED)?;
            }
        }
    }
    if i.flags & F_WB != 0 {
        let nb = if add {
            base.wrapping_add(i.imm)
        } else {
            base.wrapping_sub(i.imm)
        };
        cpu.set_reg(i.rn, nb);
    }
    Ok(())
}

// ---- transfers ---------------------------------------------------------------------

/// VMOV between a core register and a single-precision register.
pub fn exec_mov_s(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    check(cpu, i)?;
    if i.op != 0 {
        cpu.s.regs[i.rd as usize & 15] = get_s(&cpu.s, i.rn);
    } else {
        let v = cpu.reg(i.rd);
        set_s(&mut cpu.s, i.rn, v);
    }
    Ok(())
}

/// VMOV between a core register and a 32-bit scalar Dn[x].
pub fn exec_mov_scalar(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    check(cpu, i)?;
    let s = (i.rn << 1) | (i.shift_imm & 1);
    if i.op != 0 {
        cpu.s.regs[i.rd as usize & 15] = get_s_any(&cpu.s, s);
    } else {
        let v = cpu.reg(i.rd);
        set_s_any(&mut cpu.s, s, v);
    }
    Ok(())
}

/// A 32-bit half of any D register (D0-D31), numbered like S registers up to 63.
fn get_s_any(s: &CpuState, n: u8) -> u32 {
    (s.vfp_d[(n as usize >> 1) & 31] >> ((n & 1) * 32)) as u32
}

fn set_s_any(s: &mut CpuState, n: u8, v: u32) {
    let sh = (n & 1) * 32;
    let d = &mut s.vfp_d[(n as usize >> 1) & 31];
    *d = (*d & !(0xffff_ffffu64 << sh)) | ((v as u64) << sh);
}

/// VMOV between two core registers and two single registers or one double register.
pub fn exec_mov64(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    check(cpu, i)?;
    let dbl = i.shift != 0;
    if i.op != 0 {
        let (lo, hi) = if dbl {
            let v = cpu.s.vfp_d[i.rm as usize & 31];
            (v as u32, (v >> 32) as u32)
        } else {
            (get_s(&cpu.s, i.rm), get_s(&cpu.s, i.rm.wrapping_add(1)))
        };
        cpu.s.regs[i.rd as usize & 15] = lo;
        cpu.s.regs[i.ra as usize & 15] = hi;
    } else {
        let lo = cpu.reg(i.rd);
        let hi = cpu.reg(i.ra);
        if dbl {
            cpu.s.vfp_d[i.rm as usize & 31] = ((hi as u64) << 32) | lo as u64;
        } else {
            set_s(&mut cpu.s, i.rm, lo);
            set_s(&mut cpu.s, i.rm.wrapping_add(1), hi);
        }
    }
    Ok(())
}

// Special register numbers of VMRS/VMSR.
const REG_FPSID: u8 = 0;
const REG_FPSCR: u8 = 1;
const REG_MVFR1: u8 = 6;
const REG_MVFR0: u8 = 7;
const REG_FPEXC: u8 = 8;

/// Access to a VFP system register: CPACR always; FPSCR needs FPEXC.EN; the others are
/// PL1 only. Then, from Non-secure PL0/PL1, VMRS of FPSID traps by HCR.TID0 and of
/// MVFR0/MVFR1 by HCR.TID3 (EC 0x08), and every access by HCPTR.TCP10 (EC 0x07).
fn sysreg_check(cpu: &Cpu, i: &Insn, read: bool) -> Result<(), Exception> {
    let reg = i.rn;
    if !cpacr_ok(&cpu.s) {
        return Err(Exception::Undefined);
    }
    if reg == REG_FPSCR {
        return check(cpu, i);
    }
    if !cpu.s.is_privileged() {
        return Err(Exception::Undefined);
    }
    if read && cpu.s.hcr & (TID0 | TID3) != 0 && crate::hyp_traps::at_trappable_level(cpu) {
        let control = match reg {
            REG_FPSID if cpu.s.hcr & TID0 != 0 => Some("HCR.TID0"),
            REG_MVFR0 | REG_MVFR1 if cpu.s.hcr & TID3 != 0 => Some("HCR.TID3"),
            _ => None,
        };
        if let Some(c) = control {
            let h = crate::hyp_traps::syndrome_vmrs(i, reg);
            return Err(crate::hyp_traps::take(cpu, c, h));
        }
    }
    hcptr_check(cpu, i)
}

const TID0: u32 = crate::hyp_traps::hcr::TID0;
const TID3: u32 = crate::hyp_traps::hcr::TID3;

/// VMRS: Rt = 15 with FPSCR is the APSR_nzcv form.
pub fn exec_vmrs(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    let v = match i.rn {
        REG_FPSID | REG_FPSCR | REG_MVFR0 | REG_MVFR1 | REG_FPEXC => {
            sysreg_check(cpu, i, true)?;
            match i.rn {
                REG_FPSID => FPSID,
                REG_FPSCR => cpu.s.fpscr,
                REG_MVFR0 => MVFR0,
                REG_MVFR1 => MVFR1,
                _ => cpu.s.fpexc,
            }
        }
        _ => return Err(Exception::Undefined),
    };
    if i.rd == 15 {
        if i.rn != REG_FPSCR {
            return Err(Exception::Undefined);
        }
        cpu.s.set_nzcv(v);
    } else {
        cpu.s.regs[i.rd as usize & 15] = v;
    }
    Ok(())
}

/// VMSR: FPSCR, FPEXC (EN only), FPSID (writes ignored).
pub fn exec_vmsr(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    match i.rn {
        REG_FPSID | REG_FPSCR | REG_FPEXC => sysreg_check(cpu, i, false)?,
        _ => return Err(Exception::Undefined),
    }
    let v = cpu.reg(i.rd);
    match i.rn {
        REG_FPSCR => cpu.s.fpscr = v & FPSCR_MASK,
        REG_FPEXC => cpu.s.fpexc = v & FPEXC_EN,
        _ => {}
    }
    Ok(())
}
