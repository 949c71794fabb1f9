//! Exec routines for single loads and stores (LDR/STR and their byte, halfword, signed,
//! dual, unprivileged and exclusive forms), SWP, and the T32 table branches.
//!
//! Operand convention (shared by the A32 and T32 decoders, see
//! `decode::a32::loadstore`):
//! - `rd` = Rt, `rn` = Rn, `rm` = Rm (register offset) or Rd (the STREX status
//!   register), `ra` = Rt2 (LDRD/STRD/LDREXD/STREXD, and the source register of SWP).
//! - `imm` = the immediate offset, already negated when U = 0 (add it with wrapping).
//! - `shift`/`shift_imm` = the shift applied to Rm for register offsets.
//! - `flags` bits 0-7: [`F_ADD`], [`F_PRE`], [`F_WB`], [`F_REG`], [`F_UNPRIV`].
//!
//! Routines are generic over the access kind (`K_*`) so that each form monomorphises to
//! a short straight-line routine. The hot forms (immediate offset without writeback,
//! register offset with LSL, literal) have their own routines; everything else goes
//! through the general ones. All loads complete before any register is written, so a
//! faulting access leaves the registers unchanged.

use crate::cpu::Cpu;
use crate::exception::{Exception, FaultKind, MemFault};
use crate::insn::Insn;
use crate::interp::common::shift;
use crate::memory::Acc;

/// Register offsets: add (U = 1) rather than subtract the shifted Rm.
pub const F_ADD: u16 = 1 << 0;
/// The access uses the offset address (P = 1); otherwise the base (post-indexed).
pub const F_PRE: u16 = 1 << 1;
/// The offset address is written back to Rn.
pub const F_WB: u16 = 1 << 2;
/// The offset is the shifted register Rm rather than `imm`.
pub const F_REG: u16 = 1 << 3;
/// Unprivileged access (LDRT family).
pub const F_UNPRIV: u16 = 1 << 4;

/// Access kinds: word, unsigned byte, unsigned halfword, signed byte, signed halfword.
pub const K_W: u8 = 0;
pub const K_B: u8 = 1;
pub const K_H: u8 = 2;
pub const K_SB: u8 = 3;
pub const K_SH: u8 = 4;

#[inline(always)]
fn load<const K: u8>(cpu: &mut Cpu, addr: u32, acc: Acc) -> Result<u32, Exception> {
    match K {
        K_W => cpu.read_u32(addr, acc),
        K_B => cpu.read_u8(addr, acc),
        K_H => cpu.read_u16(addr, acc),
        K_SB => Ok(cpu.read_u8(addr, acc)? as u8 as i8 as i32 as u32),
        _ => Ok(cpu.read_u16(addr, acc)? as u16 as i16 as i32 as u32),
    }
}

#[inline(always)]
fn store<const K: u8>(cpu: &mut Cpu, addr: u32, v: u32, acc: Acc) -> Result<(), Exception> {
    match K {
        K_W => cpu.write_u32(addr, v, acc),
        K_B => cpu.write_u8(addr, v, acc),
        _ => cpu.write_u16(addr, v, acc),
    }
}

/// Writes a loaded value to Rt: a load to the PC is LoadWritePC (interworking).
#[inline(always)]
fn write_loaded(cpu: &mut Cpu, rt: u8, v: u32) {
    if rt == 15 {
        cpu.load_write_pc(v);
    } else {
        cpu.s.regs[rt as usize & 15] = v;
    }
}

fn alignment_fault(addr: u32, write: bool) -> Exception {
    Exception::DataAbort(MemFault {
        kind: FaultKind::Alignment,
        vaddr: addr,
        write,
    })
}

// ---- hot forms ------------------------------------------------------------------------

/// LDR{B,H,SB,SH} Rt, [Rn, #imm] (offset addressing, Rt != PC).
pub fn ld_imm<const K: u8>(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    let addr = cpu.reg(i.rn).wrapping_add(i.imm);
    let v = load::<K>(cpu, addr, Acc::NORMAL)?;
    cpu.s.regs[i.rd as usize & 15] = v;
    Ok(())
}

/// STR{B,H} Rt, [Rn, #imm] (offset addressing).
pub fn st_imm<const K: u8>(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    let addr = cpu.reg(i.rn).wrapping_add(i.imm);
    let v = cpu.reg(i.rd);
    store::<K>(cpu, addr, v, Acc::NORMAL)
}

/// Literal loads: the base is Align(PC, 4) (T32; in A32 the PC is already aligned).
pub fn ld_lit<const K: u8>(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    let addr = (cpu.reg(15) & !3).wrapping_add(i.imm);
    let v = load::<K>(cpu, addr, Acc::NORMAL)?;
    write_loaded(cpu, i.rd, v);
    Ok(())
}

/// LDR Rt, [Rn, Rm, LSL #n] (offset addressing, add, Rt != PC).
pub fn ld_reg_lsl<const K: u8>(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    let addr = cpu
        .reg(i.rn)
        .wrapping_add(cpu.reg(i.rm) << (i.shift_imm & 31));
    let v = load::<K>(cpu, addr, Acc::NORMAL)?;
    cpu.s.regs[i.rd as usize & 15] = v;
    Ok(())
}

/// STR Rt, [Rn, Rm, LSL #n] (offset addressing, add).
pub fn st_reg_lsl<const K: u8>(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    let addr = cpu
        .reg(i.rn)
        .wrapping_add(cpu.reg(i.rm) << (i.shift_imm & 31));
    let v = cpu.reg(i.rd);
    store::<K>(cpu, addr, v, Acc::NORMAL)
}

// ---- general forms --------------------------------------------------------------------

/// (offset address, access address) of a general single load/store.
#[inline(always)]
fn addresses(cpu: &Cpu, i: &Insn) -> (u32, u32) {
    let mut base = cpu.reg(i.rn);
    if i.rn == 15 {
        // Literal addressing uses Align(PC, 4).
        base &= !3;
    }
    let offset = if i.flags & F_REG != 0 {
        let o = shift(cpu.reg(i.rm), i.shift, i.shift_imm as u32, cpu.s.cf);
        if i.flags & F_ADD != 0 {
            o
        } else {
            o.wrapping_neg()
        }
    } else {
        i.imm
    };
    let offset_addr = base.wrapping_add(offset);
    let addr = if i.flags & F_PRE != 0 {
        offset_addr
    } else {
        base
    };
    (offset_addr, addr)
}

#[inline(always)]
fn acc_of(i: &Insn) -> Acc {
    if i.flags & F_UNPRIV != 0 {
        Acc::UNPRIV
    } else {
        Acc::NORMAL
    }
}

/// Any single load: pre/post-indexed, writeback, register offsets, loads to the PC.
/// With writeback and Rn == Rt the loaded value wins (as QEMU does).
pub fn ld_gen<const K: u8>(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    let (offset_addr, addr) = addresses(cpu, i);
    let v = load::<K>(cpu, addr, acc_of(i))?;
    if i.flags & F_WB != 0 {
        // Writeback to the PC (UNPREDICTABLE) branches, as in QEMU.
        cpu.set_reg(i.rn, offset_addr);
    }
    write_loaded(cpu, i.rd, v);
    Ok(())
}

/// Any single store. Rt is read before the writeback (Rn == Rt stores the old value).
pub fn st_gen<const K: u8>(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    let (offset_addr, addr) = addresses(cpu, i);
    let v = cpu.reg(i.rd);
    store::<K>(cpu, addr, v, acc_of(i))?;
    if i.flags & F_WB != 0 {
        cpu.set_reg(i.rn, offset_addr);
    }
    Ok(())
}

/// LDRD: two word accesses, word alignment always required (Arm ARM A3.2.1; QEMU
/// agrees). Registers are written in the order Rt, Rt2, then Rn (as QEMU does).
pub fn ldrd(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    let (offset_addr, addr) = addresses(cpu, i);
    let lo = cpu.read_u32(addr, Acc::ALIGNED)?;
    let hi = cpu.read_u32(addr.wrapping_add(4), Acc::ALIGNED)?;
    cpu.set_reg(i.rd, lo);
    cpu.set_reg(i.ra, hi);
    if i.flags & F_WB != 0 {
        cpu.set_reg(i.rn, offset_addr);
    }
    Ok(())
}

/// STRD: two word accesses, word alignment always required.
pub fn strd(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    let (offset_addr, addr) = addresses(cpu, i);
    let lo = cpu.reg(i.rd);
    let hi = cpu.reg(i.ra);
    cpu.write_u32(addr, lo, Acc::ALIGNED)?;
    cpu.write_u32(addr.wrapping_add(4), hi, Acc::ALIGNED)?;
    if i.flags & F_WB != 0 {
        cpu.set_reg(i.rn, offset_addr);
    }
    Ok(())
}

// ---- exclusives and swap --------------------------------------------------------------

/// LDREX{B,H}: address Rn + imm; marks the local monitor.
pub fn ldrex<const K: u8>(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    let addr = cpu.reg(i.rn).wrapping_add(i.imm);
    let v = load::<K>(cpu, addr, Acc::ALIGNED)?;
    cpu.set_exclusive(addr);
    cpu.s.regs[i.rd as usize & 15] = v;
    Ok(())
}

/// STREX{B,H}: Rd (in `rm`) = 0 if the store happened, 1 if the monitor failed. A
/// failing store makes no access and so cannot fault (as QEMU does).
pub fn strex<const K: u8>(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    let addr = cpu.reg(i.rn).wrapping_add(i.imm);
    let status = if cpu.check_exclusive(addr) {
        let v = cpu.reg(i.rd);
        store::<K>(cpu, addr, v, Acc::ALIGNED)?;
        0
    } else {
        1
    };
    cpu.s.regs[i.rm as usize & 15] = status;
    Ok(())
}

/// LDREXD: doubleword alignment; Rt gets the word at the lower address.
pub fn ldrexd(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    let addr = cpu.reg(i.rn);
    if addr & 7 != 0 {
        return Err(alignment_fault(addr, false));
    }
    let lo = cpu.read_u32(addr, Acc::ALIGNED)?;
    let hi = cpu.read_u32(addr.wrapping_add(4), Acc::ALIGNED)?;
    cpu.set_exclusive(addr);
    cpu.s.regs[i.rd as usize & 15] = lo;
    cpu.s.regs[i.ra as usize & 15] = hi;
    Ok(())
}

/// STREXD.
pub fn strexd(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    let addr = cpu.reg(i.rn);
    let status = if cpu.check_exclusive(addr) {
        if addr & 7 != 0 {
            return Err(alignment_fault(addr, true));
        }
        let lo = cpu.reg(i.rd);
        let hi = cpu.reg(i.ra);
        cpu.write_u32(addr, lo, Acc::ALIGNED)?;
        cpu.write_u32(addr.wrapping_add(4), hi, Acc::ALIGNED)?;
        0
    } else {
        1
    };
    cpu.s.regs[i.rm as usize & 15] = status;
    Ok(())
}

/// SWP/SWPB Rt, Rt2, [Rn]: load, then store Rt2, then write Rt. SWP needs word
/// alignment. (QEMU executes SWP whatever SCTLR.SW says, and so do we.)
pub fn swp<const K: u8>(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    let addr = cpu.reg(i.rn);
    let old = load::<K>(cpu, addr, Acc::ALIGNED)?;
    let v = cpu.reg(i.ra);
    store::<K>(cpu, addr, v, Acc::ALIGNED)?;
    cpu.set_reg(i.rd, old);
    Ok(())
}

// ---- table branches and hints ---------------------------------------------------------

/// TBB [Rn, Rm] (`shift_imm` = 0) and TBH [Rn, Rm, LSL #1] (`shift_imm` = 1).
pub fn tbb_tbh(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    let base = cpu.reg(i.rn);
    let index = cpu.reg(i.rm);
    let halfwords = if i.shift_imm == 0 {
        cpu.read_u8(base.wrapping_add(index), Acc::NORMAL)?
    } else {
        cpu.read_u16(base.wrapping_add(index << 1), Acc::NORMAL)?
    };
    let target = cpu.reg(15).wrapping_add(halfwords << 1);
    cpu.branch_write_pc(target);
    Ok(())
}

/// PLD, PLDW, PLI and the unallocated memory hints: no effect, never fault.
pub fn hint_nop(_cpu: &mut Cpu, _i: &Insn) -> Result<(), Exception> {
    Ok(())
}
