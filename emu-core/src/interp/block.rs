//! Exec routines for load/store multiple (LDM/STM/PUSH/POP, the user-register and
//! exception-return forms) and SRS/RFE.
//!
//! Operand convention (A32 `decode::a32::block`, T32 `decode::t32::loadstore`):
//! - `rn` = base register (SRS: the target mode number), `imm` = register list (bit n =
//!   Rn; SRS/RFE: unused), `op` = addressing mode [`DA`], [`IA`], [`DB`], [`IB`] (the
//!   A32 P:U bits), `flags` bit [`F_WB`] = write the final address back.
//! - LDM/STM only: `ra` and `shift_imm` = the offsets (as i8) from the base of the first
//!   transfer and of the written-back address, precomputed by [`list_offsets`].
//!
//! Every load completes before any register is written (Arm ARM B1.8.6 lets an aborted
//! LDM leave the registers unchanged; we always do, and the base is never written
//! back on a fault).

use crate::cpu::Cpu;
use crate::exception::Exception;
use crate::insn::Insn;
use crate::memory::Acc;
use crate::state::Mode;

/// Addressing modes, as the A32 P:U bits.
pub const DA: u8 = 0;
pub const IA: u8 = 1;
pub const DB: u8 = 2;
pub const IB: u8 = 3;

/// Write the final address back to the base register.
pub const F_WB: u16 = 1 << 0;

/// (first transfer address, written-back address) for `bytes` bytes of transfers.
#[inline(always)]
fn block_addrs(base: u32, bytes: u32, mode: u8) -> (u32, u32) {
    match mode & 3 {
        DA => (
            base.wrapping_sub(bytes).wrapping_add(4),
            base.wrapping_sub(bytes),
        ),
        IA => (base, base.wrapping_add(bytes)),
        DB => (base.wrapping_sub(bytes), base.wrapping_sub(bytes)),
        _ => (base.wrapping_add(4), base.wrapping_add(bytes)),
    }
}

/// (first transfer, writeback) offsets from the base of an LDM/STM of `list` in `mode`,
/// for the decoders to store in `ra` and `shift_imm`.
pub fn list_offsets(list: u32, mode: u8) -> (u8, u8) {
    let (start, fin) = block_addrs(0, (list & 0xffff).count_ones() * 4, mode);
    // Both lie in -64..=64.
    (start as i32 as i8 as u8, fin as i32 as i8 as u8)
}

#[inline(always)]
fn list_addrs(cpu: &Cpu, i: &Insn) -> (u32, u32) {
    let base = cpu.reg(i.rn);
    (
        base.wrapping_add(i.ra as i8 as u32),
        base.wrapping_add(i.shift_imm as i8 as u32),
    )
}

/// Loads every listed register's value, in ascending register order.
#[inline(always)]
fn load_list(cpu: &mut Cpu, list: u32, mut addr: u32) -> Result<[u32; 16], Exception> {
    let mut vals = [0u32; 16];
    let mut l = list & 0xffff;
    while l != 0 {
        let r = l.trailing_zeros() as usize;
        vals[r & 15] = cpu.read_u32(addr, Acc::ALIGNED)?;
        addr = addr.wrapping_add(4);
        l &= l - 1;
    }
    Ok(vals)
}

/// The banked-register forms and exception returns are UNDEFINED in Hyp mode (Arm ARM
/// B9.3.x) and UNPREDICTABLE in User mode, where QEMU makes them UNDEFINED.
#[inline]
fn check_privileged_not_hyp(cpu: &Cpu) -> Result<(), Exception> {
    match cpu.s.mode() {
        Mode::Usr | Mode::Hyp => Err(Exception::Undefined),
        _ => Ok(()),
    }
}

/// LDM/POP. The decoder rejects writeback with the base in the list (T16 LDM drops the
/// writeback instead), so the order of the base and list writes does not matter.
pub fn ldm(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    let (start, fin) = list_addrs(cpu, i);
    let vals = load_list(cpu, i.imm, start)?;
    if i.flags & F_WB != 0 {
        cpu.s.regs[i.rn as usize & 15] = fin;
    }
    let mut l = i.imm & 0x7fff;
    while l != 0 {
        let r = l.trailing_zeros() as usize & 15;
        cpu.s.regs[r] = vals[r];
        l &= l - 1;
    }
    if i.imm & 0x8000 != 0 {
        cpu.load_write_pc(vals[15]);
    }
    Ok(())
}

/// STM/PUSH. Registers are read before the writeback, so a listed base register is
/// stored with its original value (what QEMU does in every case).
pub fn stm(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    let (mut addr, fin) = list_addrs(cpu, i);
    let mut l = i.imm & 0xffff;
    while l != 0 {
        let r = l.trailing_zeros() as u8;
        let v = cpu.reg(r);
        cpu.write_u32(addr, v, Acc::ALIGNED)?;
        addr = addr.wrapping_add(4);
        l &= l - 1;
    }
    if i.flags & F_WB != 0 {
        cpu.s.regs[i.rn as usize & 15] = fin;
    }
    Ok(())
}

/// LDM (user registers): loads the User mode R8-R14 from a privileged mode. No
/// writeback (the decoder makes that UNDEFINED, like QEMU).
pub fn ldm_user(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    check_privileged_not_hyp(cpu)?;
    let (start, _) = list_addrs(cpu, i);
    let vals = load_list(cpu, i.imm, start)?;
    let mut l = i.imm & 0x7fff;
    while l != 0 {
        let r = l.trailing_zeros() as usize & 15;
        cpu.s.write_banked(Mode::Usr, r, vals[r]);
        l &= l - 1;
    }
    Ok(())
}

/// STM (user registers): stores the User mode registers from a privileged mode.
pub fn stm_user(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    check_privileged_not_hyp(cpu)?;
    let (mut addr, fin) = list_addrs(cpu, i);
    let mut l = i.imm & 0xffff;
    while l != 0 {
        let r = l.trailing_zeros() as usize & 15;
        let v = if r == 15 {
            cpu.reg(15)
        } else {
            cpu.s.read_banked(Mode::Usr, r)
        };
        cpu.write_u32(addr, v, Acc::ALIGNED)?;
        addr = addr.wrapping_add(4);
        l &= l - 1;
    }
    if i.flags & F_WB != 0 {
        // UNPREDICTABLE; QEMU writes the current mode's base register.
        cpu.s.regs[i.rn as usize & 15] = fin;
    }
    Ok(())
}

/// LDM (exception return): the list includes the PC; loads the current mode's
/// registers, writes back, then returns with CPSR = SPSR (Arm ARM B9.3.5).
pub fn ldm_eret(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    check_privileged_not_hyp(cpu)?;
    let (start, fin) = list_addrs(cpu, i);
    let vals = load_list(cpu, i.imm, start)?;
    if i.flags & F_WB != 0 {
        cpu.s.regs[i.rn as usize & 15] = fin;
    }
    let mut l = i.imm & 0x7fff;
    while l != 0 {
        let r = l.trailing_zeros() as usize & 15;
        cpu.s.regs[r] = vals[r];
        l &= l - 1;
    }
    let spsr = cpu.s.spsr;
    cpu.exception_return(vals[15], spsr);
    Ok(())
}

/// The target mode of SRS, if the current mode may store to its stack. Following
/// QEMU: UNDEFINED from User and Hyp mode, for invalid modes, for Hyp unless in
/// Monitor mode with the Virtualization Extensions, and for Monitor unless in Monitor.
fn srs_target(cpu: &Cpu, m: u32) -> Option<Mode> {
    let cur = cpu.s.mode();
    if matches!(cur, Mode::Usr | Mode::Hyp) {
        return None;
    }
    let target = Mode::from_bits(m)?;
    match target {
        Mode::Hyp if cur != Mode::Mon || !cpu.cfg.virtualization => None,
        Mode::Mon if cur != Mode::Mon => None,
        t => Some(t),
    }
}

/// SRS{DA,IA,DB,IB} SP_<mode>{!}, #mode: stores LR and SPSR of the current mode to
/// the stack of `mode` (`rn`).
pub fn srs(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    let target = srs_target(cpu, i.rn as u32).ok_or(Exception::Undefined)?;
    let base = cpu.s.read_banked(target, 13);
    let (start, fin) = block_addrs(base, 8, i.op);
    let lr = cpu.s.regs[14];
    let spsr = cpu.s.spsr;
    cpu.write_u32(start, lr, Acc::ALIGNED)?;
    cpu.write_u32(start.wrapping_add(4), spsr, Acc::ALIGNED)?;
    if i.flags & F_WB != 0 {
        cpu.s.write_banked(target, 13, fin);
    }
    Ok(())
}

/// RFE{DA,IA,DB,IB} Rn{!}: loads the PC and the CPSR and returns from an exception.
pub fn rfe(cpu: &mut Cpu, i: &Insn) -> Result<(), Exception> {
    check_privileged_not_hyp(cpu)?;
    let (start, fin) = block_addrs(cpu.reg(i.rn), 8, i.op);
    let pc = cpu.read_u32(start, Acc::ALIGNED)?;
    let psr = cpu.read_u32(start.wrapping_add(4), Acc::ALIGNED)?;
    if i.flags & F_WB != 0 {
        cpu.s.regs[i.rn as usize & 15] = fin;
    }
    cpu.exception_return(pc, psr);
    Ok(())
}
