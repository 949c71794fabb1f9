//! Coprocessor exec routines (MCR, MRC, MCRR, MRRC, LDC, STC, CDP), shared by A32 and
//! T32; the registers themselves are the table in `sysreg.rs`.
//!
//! Operand convention (set by decode/a32/coproc.rs):
//! - `shift_imm` = coprocessor number, `op` = opc1, `shift` = opc2,
//!   `rn` = CRn, `rm` = CRm, `rd` = Rt, `ra` = Rt2 (MCRR/MRRC);
//! - MCR/MRC: `imm` = the system-register table row (`sysreg::row_id`, found once at
//!   decode time).

use crate::cpu::Cpu;
use crate::exception::Exception;
use crate::hyp_traps::Operands;
use crate::insn::Insn;
use crate::sysreg::CpReg;

#[inline]
fn cpreg(i: &Insn) -> CpReg {
    CpReg {
        cp: i.shift_imm,
        opc1: i.op,
        crn: i.rn,
        crm: i.rm,
        opc2: i.shift,
    }
}

/// MCR: Rt to a coprocessor register (the block ends after it: see `Cpu::cp_write`).
pub fn exec_mcr(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    let v = cpu.reg(i.rd);
    cpu.mcr_row(crate::sysreg::row_at(i.imm), cpreg(i), v, &Operands::of(i))
}

/// MRC: a coprocessor register to Rt; Rt = 15 means APSR_nzcv (bits 31:28).
pub fn exec_mrc(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    let v = cpu.mrc_row(crate::sysreg::row_at(i.imm), cpreg(i), &Operands::of(i))?;
    if i.rd == 15 {
        cpu.s.set_nzcv(v);
    } else {
        cpu.s.regs[i.rd as usize & 15] = v;
    }
    Ok(())
}

/// MCRR: Rt is the low word, Rt2 the high word.
pub fn exec_mcrr(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    let v = (cpu.reg(i.ra) as u64) << 32 | cpu.reg(i.rd) as u64;
    cpu.mcrr(i.shift_imm, i.op, i.rm, v, &Operands::of(i))?;
    cpu.end_block();
    Ok(())
}

/// MRRC: low word to Rt, high word to Rt2 (R15 is UNPREDICTABLE; like QEMU we write it
/// as a branch).
pub fn exec_mrrc(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    let v = cpu.mrrc(i.shift_imm, i.op, i.rm, &Operands::of(i))?;
    cpu.set_reg(i.rd, v as u32);
    cpu.set_reg(i.ra, (v >> 32) as u32);
    Ok(())
}

/// LDC, STC, CDP: handed to the coprocessor, which decides (none accepts them; CP14
/// LDC/STC may trap to Hyp mode, see `Cpu::cp_other`).
pub fn exec_cp_other(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    cpu.cp_other(i)
}
