//! System exec routines, shared by A32 and T32: MRS/MSR (plain and banked), CPS,
//! SETEND, hints, barriers, CLREX, SVC, BKPT, HVC, SMC and the exception returns ERET
//! and SUBS PC, LR, #imm.
//!
//! Operand convention (set by decode/a32/system.rs, decode/a32/unconditional.rs,
//! decode/a32/coproc.rs (SVC), decode/t32/branch.rs and decode/t32/system.rs):
//! - MRS: `rd` = Rd.
//! - MSR: `rn` = Rn (register form) or `imm` = the value (immediate form); `op` = the
//!   4-bit byte mask of the encoding (bit 3 = f, bit 0 = c), expanded by [`byte_mask`].
//! - Banked MRS/MSR: `rd`/`rn` as above, `op` = the target mode (CPSR.M encoding),
//!   `rm` = the register: 8..=14 (R8-R12, SP, LR), [`BANKED_SPSR`] or [`BANKED_ELR_HYP`].
//! - CPS: `imm` = CPSR mask << 16 | value (both within bits 8:0).
//! - SETEND: `op` = the new E bit.
//! - SVC, BKPT, HVC: `imm` = the immediate. SUBS PC, LR: `imm` = imm8.

use crate::cpu::Cpu;
use crate::exception::Exception;
use crate::insn::Insn;
use crate::state::{psr, Mode};

/// Banked register number of SPSR_<mode> (`Insn::rm` of banked MRS/MSR).
pub const BANKED_SPSR: u8 = 16;
/// Banked register number of ELR_hyp.
pub const BANKED_ELR_HYP: u8 = 17;

/// The bits MRS of the CPSR returns: the execution-state bits (IT, J, T) read as zero
/// (Arm ARM B9.3.9).
const MRS_CPSR_MASK: u32 = 0xf8ff_03df;

/// The SPSR bits an MSR can write: QEMU's valid-CPSR mask for a Cortex-A15 (NZCVQ, IT,
/// J, IL, GE, E, A, I, F, T, M); bits 23:21 are reserved.
const SPSR_WRITE_MASK: u32 = 0xff1f_ffff;

/// Expands the 4-bit field mask of MSR (f, s, x, c = bits 3..0) to a bit mask.
#[inline]
pub fn byte_mask(m: u8) -> u32 {
    let mut mask = 0;
    if m & 1 != 0 {
        mask |= 0x0000_00ff;
    }
    if m & 2 != 0 {
        mask |= 0x0000_ff00;
    }
    if m & 4 != 0 {
        mask |= 0x00ff_0000;
    }
    if m & 8 != 0 {
        mask |= 0xff00_0000;
    }
    mask
}

// ---- MRS / MSR -----------------------------------------------------------------------

pub fn exec_mrs_cpsr(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    let v = cpu.s.cpsr() & MRS_CPSR_MASK;
    cpu.set_reg(i.rd, v);
    Ok(())
}

/// MRS Rd, SPSR: UNPREDICTABLE in User and System mode; QEMU UNDEFs in User mode and
/// reads the (shared User/System) SPSR slot in System mode, as we do.
pub fn exec_mrs_spsr(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    if !cpu.s.is_privileged() {
        return Err(Exception::Undefined);
    }
    let v = cpu.s.spsr;
    cpu.set_reg(i.rd, v);
    Ok(())
}

pub fn exec_msr_cpsr_reg(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    let v = cpu.reg(i.rn);
    cpu.write_cpsr_by_instr(v, byte_mask(i.op));
    Ok(())
}

pub fn exec_msr_cpsr_imm(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    cpu.write_cpsr_by_instr(i.imm, byte_mask(i.op));
    Ok(())
}

fn write_spsr(cpu: &mut Cpu, v: u32, m: u8) -> Result<(), Exception> {
    // UNPREDICTABLE in User/System mode: QEMU UNDEFs in User mode only.
    if !cpu.s.is_privileged() {
        return Err(Exception::Undefined);
    }
    let mask = byte_mask(m) & SPSR_WRITE_MASK;
    cpu.s.spsr = (cpu.s.spsr & !mask) | (v & mask);
    Ok(())
}

pub fn exec_msr_spsr_reg(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    let v = cpu.reg(i.rn);
    write_spsr(cpu, v, i.op)
}

pub fn exec_msr_spsr_imm(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    write_spsr(cpu, i.imm, i.op)
}

/// The checks of banked MRS/MSR (Arm ARM B9.3.9 BankedRegisterAccessValid and
/// SPSRAccessValid). Every UNPREDICTABLE case UNDEFs, as in QEMU. Without the
/// Virtualization Extensions the instructions do not exist (QEMU: vexpress-a15 without
/// `virtualization=on` drops EL2, and banked MRS/MSR then UNDEF).
fn banked_access(cpu: &Cpu, i: &Insn) -> Result<Mode, Exception> {
    if !cpu.cfg.virtualization {
        return Err(Exception::Undefined);
    }
    let target = Mode::from_bits(i.op as u32).ok_or(Exception::Undefined)?;
    let cur = cpu.s.mode();
    if cur == Mode::Usr {
        return Err(Exception::Undefined);
    }
    let el = match cur {
        Mode::Hyp => 2,
        Mode::Mon => 3,
        _ => 1,
    };
    match target {
        Mode::Mon if !cpu.cfg.security => return Err(Exception::Undefined),
        // SPSR_hyp and SP_hyp only from Monitor mode, ELR_hyp also from Hyp mode.
        Mode::Hyp if el < 2 || (el < 3 && i.rm != BANKED_ELR_HYP) => {
            return Err(Exception::Undefined)
        }
        _ => {}
    }
    if i.rm == BANKED_ELR_HYP {
        return if cur == Mode::Hyp || cur == Mode::Mon {
            Ok(target)
        } else {
            Err(Exception::Undefined)
        };
    }
    // A register the current mode can name directly must use the ordinary instruction.
    if cur == target {
        return Err(Exception::Undefined);
    }
    if target == Mode::Usr {
        let bad = match i.rm {
            8..=12 => cur != Mode::Fiq,
            13 => cur == Mode::Sys,
            14 => cur == Mode::Hyp || cur == Mode::Sys,
            _ => false,
        };
        if bad {
            return Err(Exception::Undefined);
        }
    }
    if target == Mode::Hyp && cur != Mode::Mon {
        return Err(Exception::Undefined);
    }
    Ok(target)
}

pub fn exec_mrs_banked(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    let target = banked_access(cpu, i)?;
    let v = match i.rm {
        BANKED_SPSR => cpu.s.read_spsr_of(target),
        BANKED_ELR_HYP => cpu.s.elr_hyp,
        n => cpu.s.read_banked(target, n as usize),
    };
    cpu.set_reg(i.rd, v);
    Ok(())
}

pub fn exec_msr_banked(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    let target = banked_access(cpu, i)?;
    let v = cpu.reg(i.rn);
    match i.rm {
        BANKED_SPSR => cpu.s.write_spsr_of(target, v),
        BANKED_ELR_HYP => cpu.s.elr_hyp = v,
        n => cpu.s.write_banked(target, n as usize, v),
    }
    Ok(())
}

// ---- processor state ------------------------------------------------------------------

/// CPS: a NOP in User mode (Arm ARM B9.3.2); otherwise CPSRWriteByInstr.
pub fn exec_cps(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    if cpu.s.is_privileged() {
        cpu.write_cpsr_by_instr(i.imm & 0xffff, i.imm >> 16);
    }
    Ok(())
}

/// SETEND: CPSR.E at any privilege; later loads and stores depend on it.
pub fn exec_setend(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    cpu.s.cpsr_ctrl = (cpu.s.cpsr_ctrl & !psr::E) | ((i.op as u32 & 1) << 9);
    cpu.end_block();
    Ok(())
}

// ---- hints and barriers -----------------------------------------------------------------

/// NOP, YIELD, WFE, SEV, DBG, DSB, DMB, PLD, PLDW, PLI and the reserved hints: no
/// architectural effect in a single-core interpreter.
pub fn exec_nop(_cpu: &mut Cpu, _i: &Insn) -> Result<(), Exception> {
    Ok(())
}

/// The HSR of a trapped WFI (`wfe` false) or WFE: EC 0x01, the condition (CV = 1, COND)
/// and TI (Arm ARM B3.13.6, "ISS encoding for trapped WFI or WFE instruction").
fn wfx_syndrome(i: &Insn, wfe: bool) -> u32 {
    let iss = (1 << 24) | ((i.cond as u32 & 0xf) << 20) | wfe as u32;
    crate::exception::hsr(crate::exception::ec::WFI_WFE, i.len == 4, iss)
}

/// WFI: the run loop stops with the PC after the WFI. From Non-secure PL0/PL1 with
/// HCR.TWI set it traps to Hyp mode instead, when it would suspend execution (no
/// interrupt pending at the core), as QEMU does.
pub fn exec_wfi(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    if cpu.s.hcr & crate::hyp_regs::HCR_TWI != 0
        && cpu.s.is_ns_below_hyp()
        && !cpu.wfi_wake_pending()
    {
        return Err(Exception::HypTrap(wfx_syndrome(i, false)));
    }
    Err(Exception::Wfi)
}

/// WFE: no event register is modelled, so it completes at once (a NOP); from Non-secure
/// PL0/PL1 with HCR.TWE set it traps to Hyp mode (the event register is taken as clear,
/// so the WFE would suspend).
pub fn exec_wfe(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    if cpu.s.hcr & crate::hyp_regs::HCR_TWE != 0 && cpu.s.is_ns_below_hyp() {
        return Err(Exception::HypTrap(wfx_syndrome(i, true)));
    }
    Ok(())
}

/// ISB: instructions after it are fetched afresh; end the block.
pub fn exec_isb(cpu: &mut Cpu, _i: &Insn) -> Result<(), Exception> {
    cpu.end_block();
    Ok(())
}

pub fn exec_clrex(cpu: &mut Cpu, _i: &Insn) -> Result<(), Exception> {
    cpu.clear_exclusive();
    Ok(())
}

// ---- exception generation ---------------------------------------------------------------

pub fn exec_svc(_cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    Err(Exception::Svc(i.imm))
}

/// SVC with the semihosting immediate (0x123456 in A32, 0xAB in T32): a semihosting
/// call when semihosting is on and the core is privileged (as QEMU), else a plain SVC.
pub fn exec_svc_semihost(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    if cpu.cfg.semihosting && cpu.s.is_privileged() {
        Err(Exception::Semihosting)
    } else {
        Err(Exception::Svc(i.imm))
    }
}

/// BKPT: a debug event. From Non-secure PL0/PL1 with HDCR.TDE (or HCR.TGE) set, the
/// debug exception is routed to Hyp mode (Arm ARM B1.14.16 / B4.1.65): a Prefetch Abort
/// from a lower level through the Hyp Trap vector, HSR EC 0x20 with IFSC = debug event
/// (0b100010), ELR_hyp = the BKPT.
pub fn exec_bkpt(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    if crate::hyp_traps::debug_routed_to_hyp(cpu) {
        let h = crate::exception::hsr(crate::exception::ec::PABT_LOWER, true, 0b100010);
        return Err(crate::hyp_traps::take(cpu, "HDCR.TDE", h));
    }
    Err(Exception::Bkpt(i.imm))
}

/// HVC (Arm ARM B9.3.4): UNDEFINED without the Virtualization Extensions, in User
/// mode, in Secure state and while SCR.HCE = 0; otherwise a Hypervisor Call exception,
/// taken to Hyp mode (exception.rs).
pub fn exec_hvc(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    if !cpu.cfg.virtualization
        || !cpu.s.is_privileged()
        || cpu.s.is_secure()
        || cpu.s.scr & crate::state::scr::HCE == 0
    {
        return Err(Exception::Undefined);
    }
    Err(Exception::Hvc(i.imm))
}

/// SMC: UNDEFINED in User mode; from Non-secure PL1 with HCR.TSC set it traps to Hyp
/// mode (EC 0x13, before any Secure firmware sees it; Arm ARM B1.14.7); otherwise an SMC
/// exception: the board's firmware takes it when `CpuConfig::firmware_smc` is set (the
/// run loop stops with `StopReason::Smc`), else it is UNDEFINED (no Monitor mode
/// software is modelled, see `Cpu::take_exception`).
pub fn exec_smc(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    if !cpu.s.is_privileged() {
        return Err(Exception::Undefined);
    }
    if cpu.s.hcr & crate::hyp_traps::hcr::TSC != 0 && crate::hyp_traps::at_trappable_level(cpu) {
        let h = crate::hyp_traps::syndrome_smc(i);
        return Err(crate::hyp_traps::take(cpu, "HCR.TSC", h));
    }
    Err(Exception::Smc)
}

// ---- exception return ----------------------------------------------------------------

/// ERET (Arm ARM B9.3.3): from Hyp mode return to ELR_hyp; in the other PL1 modes it is
/// SUBS PC, LR, #0 (QEMU does the same: the A15 is a v7VE core even without EL2). User
/// mode: UNDEFINED.
pub fn exec_eret(cpu: &mut Cpu, _i: &Insn) -> Result<(), Exception> {
    let target = match cpu.s.mode() {
        Mode::Usr => return Err(Exception::Undefined),
        Mode::Hyp => cpu.s.elr_hyp,
        _ => cpu.reg(14),
    };
    let spsr = cpu.s.spsr;
    cpu.exception_return(target, spsr);
    Ok(())
}

/// SUBS PC, LR, #imm8 (T32, imm8 != 0; Arm ARM B9.3.19): UNDEFINED in User mode
/// (UNPREDICTABLE; QEMU) and Hyp mode. In System mode QEMU copies the SPSR slot anyway.
pub fn exec_subs_pc_lr(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    match cpu.s.mode() {
        Mode::Usr | Mode::Hyp => return Err(Exception::Undefined),
        _ => {}
    }
    let target = cpu.reg(14).wrapping_sub(i.imm);
    let spsr = cpu.s.spsr;
    cpu.exception_return(target, spsr);
    Ok(())
}
