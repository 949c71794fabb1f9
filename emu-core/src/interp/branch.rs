//! Branch exec routines, shared by A32 and T32 (Arm ARM A8.8.18 B, A8.8.25 BL/BLX
//! immediate, A8.8.26 BLX register, A8.8.27 BX, A8.8.29 CBZ/CBNZ).
//!
//! Operand convention (set by decode/a32/branch.rs, decode/a32/unconditional.rs and
//! decode/t32/branch.rs):
//! - `imm`: for PC-relative branches, the branch offset **plus the PC read offset** (8 in
//!   A32, 4 in T32), so the target is simply `insn.addr + imm`. Instruction addresses are
//!   always aligned for their state and the offsets are even (multiples of 4 in A32), so
//!   no masking is needed on the hot path; only BLX immediate aligns (Align(PC, 4)).
//! - `rm`: Rm of BX/BXJ/BLX register.
//! - `rn`: Rn of CBZ/CBNZ.
//!
//! These are the hottest routines of the interpreter: B and BL are two or three stores.

use crate::cpu::Cpu;
use crate::exception::Exception;
use crate::insn::{flags, Insn};

/// B (every encoding outside an IT-restricted case): a branch in the current state.
#[inline]
pub fn exec_b(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    cpu.s.regs[15] = i.addr.wrapping_add(i.imm);
    cpu.branched = true;
    Ok(())
}

/// B<c>.W (T32 encoding T3) and B<c> (T1): UNPREDICTABLE inside an IT block. QEMU takes
/// the IT condition first and then UNDEFs, which is what this does (the block builder
/// gives the instruction the IT condition and sets `IN_IT`).
pub fn exec_b_cond_t32(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    if i.flags & flags::IN_IT != 0 {
        return Err(Exception::Undefined);
    }
    exec_b(cpu, i)
}

/// BL: LR = the next instruction (with bit 0 set in Thumb state), branch in this state.
#[inline]
pub fn exec_bl(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    cpu.s.regs[14] = cpu.s.next_pc | cpu.s.thumb;
    cpu.s.regs[15] = i.addr.wrapping_add(i.imm);
    cpu.branched = true;
    Ok(())
}

/// BLX immediate: BL that switches instruction set. From T32 the target is based on
/// Align(PC, 4); from A32 the offset already has the H bit folded in.
pub fn exec_blx_imm(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    cpu.s.regs[14] = cpu.s.next_pc | cpu.s.thumb;
    let target = i.addr.wrapping_add(i.imm);
    if cpu.s.thumb != 0 {
        cpu.s.thumb = 0;
        cpu.s.regs[15] = target & !3;
    } else {
        cpu.s.thumb = 1;
        cpu.s.regs[15] = target & !1;
    }
    cpu.branched = true;
    Ok(())
}

/// BX (and BXJ, which behaves as BX without Jazelle): interworking branch to Rm.
#[inline]
pub fn exec_bx(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    let target = cpu.reg(i.rm);
    cpu.bx_write_pc(target);
    Ok(())
}

/// BXJ: BX, as the trivial Jazelle extension has no Jazelle state (Arm ARM A2.11); from
/// Non-secure PL0/PL1 with HSTR.TJDBX set it traps to Hyp mode (EC 0x0A, with Rm).
pub fn exec_bxj(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    if cpu.s.hstr & crate::hyp_traps::hstr::TJDBX != 0 && crate::hyp_traps::at_trappable_level(cpu)
    {
        let h = crate::hyp_traps::syndrome_bxj(i);
        return Err(crate::hyp_traps::take(cpu, "HSTR.TJDBX", h));
    }
    exec_bx(cpu, i)
}

/// BLX register: Rm is read before LR is written (BLX LR works).
pub fn exec_blx_reg(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    let target = cpu.reg(i.rm);
    cpu.s.regs[14] = cpu.s.next_pc | cpu.s.thumb;
    cpu.bx_write_pc(target);
    Ok(())
}

/// CBZ: branch forward if Rn is zero.
pub fn exec_cbz(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    if cpu.reg(i.rn) == 0 {
        cpu.s.regs[15] = i.addr.wrapping_add(i.imm);
        cpu.branched = true;
    }
    Ok(())
}

/// CBNZ: branch forward if Rn is not zero.
pub fn exec_cbnz(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    if cpu.reg(i.rn) != 0 {
        cpu.s.regs[15] = i.addr.wrapping_add(i.imm);
        cpu.branched = true;
    }
    Ok(())
}
