//! Exceptions: what an instruction can raise, and the one place they are taken
//! (ARCHITECTURE.md, decision 5; Arm ARM B1.8 "Exception handling").

use crate::cpu::Cpu;
use crate::state::{psr, scr, sctlr, Mode};

/// HSR exception classes (Arm ARM B3.13.6 "Use of the HSR") that Hyp mode entries use.
pub mod ec {
    /// Unknown reason (UNDEFINED instructions in Hyp mode).
    pub const UNKNOWN: u32 = 0x00;
    /// WFI or WFE trapped by HCR.TWI / HCR.TWE.
    pub const WFI_WFE: u32 = 0x01;
    /// SVC taken to Hyp mode.
    pub const SVC: u32 = 0x11;
    /// HVC.
    pub const HVC: u32 = 0x12;
    /// Prefetch Abort from a lower level / taken from Hyp mode.
    pub const PABT_LOWER: u32 = 0x20;
    pub const PABT_HYP: u32 = 0x21;
    /// Data Abort from a lower level / taken from Hyp mode.
    pub const DABT_LOWER: u32 = 0x24;
    pub const DABT_HYP: u32 = 0x25;
}

/// HSR.IL: the trapped instruction was 32 bits long.
pub const HSR_IL: u32 = 1 << 25;

/// Builds an HSR value: EC, IL and ISS.
pub const fn hsr(ec: u32, il: bool, iss: u32) -> u32 {
    (ec << 26) | if il { HSR_IL } else { 0 } | (iss & 0x01ff_ffff)
}

/// Offsets in the Hyp vector table (Arm ARM B1.8.1, "The Hyp mode vector table").
pub mod hyp_vector {
    pub const UNDEF: u32 = 0x04;
    /// HVC (and SVC) executed in Hyp mode.
    pub const HVC: u32 = 0x08;
    pub const PABT: u32 = 0x0c;
    pub const DABT: u32 = 0x10;
    /// Hyp Trap: every synchronous exception from Non-secure PL0/PL1 taken to Hyp mode,
    /// including HVC.
    pub const TRAP: u32 = 0x14;
    pub const IRQ: u32 = 0x18;
    pub const FIQ: u32 = 0x1c;
}

/// Where in a translation table walk a fault arose (level, domain, stage), for the
/// short- and long-format FSRs and later the HSR ISS / HPFAR.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WalkInfo {
    /// Lookup level (1-3; 0 where not applicable).
    pub level: u8,
    /// Short-descriptor domain (0-15), reported in DFSR/IFSR[7:4].
    pub domain: u8,
    /// `walk_flags` bits: the fault is on a stage 1 walk's table access that stage 2
    /// translated (S1PTW), or a stage 2 fault.
    pub flags: u8,
}

/// `WalkInfo::flags` bits.
pub mod walk_flags {
    pub const S1PTW: u8 = 1 << 0;
    pub const STAGE2: u8 = 1 << 1;
}

impl WalkInfo {
    pub const fn at(level: u8, domain: u8) -> WalkInfo {
        WalkInfo {
            level,
            domain,
            flags: 0,
        }
    }
}

/// Why a memory access failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// Misaligned access where the instruction or SCTLR.A requires alignment.
    Alignment,
    /// Nothing answered at the physical address (external abort, synchronous).
    External,
    /// No valid descriptor (or the walk is disabled, or the address is outside both
    /// TTBR ranges).
    Translation(WalkInfo),
    /// The descriptor's access flag is 0 (SCTLR.AFE or LPAE).
    AccessFlag(WalkInfo),
    /// The domain is No access (short-descriptor format only).
    Domain(WalkInfo),
    /// The access permissions or execute-never forbid the access.
    Permission(WalkInfo),
    /// A translation-table read was not answered (synchronous external abort on walk).
    ExternalOnWalk(WalkInfo),
}

/// A failed memory access, with what the abort syndrome needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemFault {
    pub kind: FaultKind,
    /// The virtual address of the access (DFAR/IFAR).
    pub vaddr: u32,
    pub write: bool,
}

impl MemFault {
    /// Short-descriptor fault status (DFSR/IFSR bits [12], [10], [7:4], [3:0], WnR in
    /// [11]), Arm ARM B3.13.3. Like QEMU, the domain field is filled for every fault
    /// (0 where no domain was read).
    pub fn short_fsr(&self) -> u32 {
        let l2 = |w: &WalkInfo| w.level >= 2;
        let (fs, domain) = match &self.kind {
            FaultKind::Alignment => (0b00001, 0),
            FaultKind::External => (0b01000, 0),
            FaultKind::Translation(w) => (if l2(w) { 0b00111 } else { 0b00101 }, w.domain),
            FaultKind::AccessFlag(w) => (if l2(w) { 0b00110 } else { 0b00011 }, w.domain),
            FaultKind::Domain(w) => (if l2(w) { 0b01011 } else { 0b01001 }, w.domain),
            FaultKind::Permission(w) => (if l2(w) { 0b01111 } else { 0b01101 }, w.domain),
            FaultKind::ExternalOnWalk(w) => (if l2(w) { 0b01110 } else { 0b01100 }, w.domain),
        };
        let wnr = if self.write { 1 << 11 } else { 0 };
        (fs & 0xf) | ((fs >> 4) << 10) | ((domain as u32 & 0xf) << 4) | wnr
    }

    /// The long-descriptor fault status code (STATUS, bits [5:0]; also the HSR ISS
    /// DFSC/IFSC), Arm ARM B3.13.3 table B3-24.
    pub fn long_status(&self) -> u32 {
        let lvl = |w: &WalkInfo| (w.level & 3) as u32;
        match &self.kind {
            FaultKind::Alignment => 0b100001,
            FaultKind::External => 0b010000,
            FaultKind::Translation(w) => 0b000100 | lvl(w),
            FaultKind::AccessFlag(w) => 0b001000 | lvl(w),
            FaultKind::Permission(w) => 0b001100 | lvl(w),
            FaultKind::ExternalOnWalk(w) => 0b010100 | lvl(w),
            // Domain faults cannot arise with long descriptors; the reserved domain
            // fault code keeps the value recognisable.
            FaultKind::Domain(w) => 0b111100 | lvl(w),
        }
    }

    /// Long-descriptor DFSR/IFSR: STATUS, LPAE (bit 9) and WnR (bit 11).
    pub fn long_fsr(&self) -> u32 {
        let wnr = if self.write { 1 << 11 } else { 0 };
        self.long_status() | (1 << 9) | wnr
    }

    /// The walk details, for faults raised by translation.
    pub fn walk(&self) -> Option<WalkInfo> {
        match self.kind {
            FaultKind::Alignment | FaultKind::External => None,
            FaultKind::Translation(w)
            | FaultKind::AccessFlag(w)
            | FaultKind::Domain(w)
            | FaultKind::Permission(w)
            | FaultKind::ExternalOnWalk(w) => Some(w),
        }
    }
}

/// An exception raised by an instruction (or by the run loop, for interrupts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exception {
    Undefined,
    /// SVC with its immediate.
    Svc(u32),
    /// BKPT: a debug event, taken as a Prefetch Abort (debug exception).
    Bkpt(u32),
    PrefetchAbort(MemFault),
    DataAbort(MemFault),
    /// HVC with its immediate.
    Hvc(u32),
    Smc,
    Irq,
    Fiq,
    /// A semihosting call (SVC 0x123456 in A32, SVC 0xAB in T32) while semihosting is
    /// enabled: not an architectural exception; the run loop stops and the machine
    /// services the call.
    Semihosting,
    /// WFI: the run loop stops so the machine can wait for an interrupt.
    Wfi,
    /// A trap of a Non-secure PL0/PL1 instruction to Hyp mode by a trap control (HCR,
    /// HSTR, HCPTR, HDCR), with its HSR value: taken through the Hyp Trap vector with
    /// ELR_hyp = the trapped instruction (Arm ARM B1.14).
    HypTrap(u32),
    /// An Undefined Instruction exception in Hyp mode that reports a syndrome: a VFP
    /// instruction blocked by HCPTR.TCP10/TCP11 in Hyp mode is taken through the Hyp
    /// Undefined vector with HSR EC 0x07 (Armv8 AArch32.CheckFPAdvSIMDTrap; QEMU does the
    /// same). Outside Hyp mode it is a plain Undefined Instruction exception.
    HypUndefined(u32),
}

impl Cpu {
    /// Takes `e` for the instruction at `s.cur_pc` (Arm ARM B1.8.3 "Exception entry").
    /// On return, the PC is the vector and the block loop has been told to stop.
    pub fn take_exception(&mut self, e: Exception) {
        let thumb = self.s.is_thumb();
        let pc = self.s.cur_pc;
        if tracing::enabled!(target: "exc", tracing::Level::TRACE) {
            tracing::trace!(target: "exc", "{e:?} at pc {pc:#010x} mode {:?} insn {}", self.s.mode(), self.insn_count);
        }
        if self.s.in_hyp() {
            return self.take_exception_in_hyp(e);
        }
        let e = match e {
            Exception::HypUndefined(_) => Exception::Undefined,
            e => e,
        };
        // Stage 2 aborts from Non-secure PL0/PL1 go to Hyp mode (mmu/stage2.rs).
        if self.take_stage2_abort(&e) {
            return;
        }
        if self.s.hcr & crate::hyp_regs::HCR_TGE != 0 && self.general_exception_to_hyp(e) {
            return;
        }
        // (mode, vector offset, return link, also mask F)
        let (mode, offset, lr, mask_f, mask_a) = match e {
            Exception::Undefined | Exception::HypUndefined(_) => (
                Mode::Und,
                0x04,
                pc.wrapping_add(if thumb { 2 } else { 4 }),
                false,
                false,
            ),
            Exception::Svc(_) => {
                // SVC inside an IT block: ITSTATE is advanced before it is saved.
                if self.s.itstate != 0 {
                    self.s.it_advance();
                }
                (Mode::Svc, 0x08, self.s.next_pc, false, false)
            }
            Exception::Bkpt(_) | Exception::PrefetchAbort(_) => {
                (Mode::Abt, 0x0c, pc.wrapping_add(4), false, true)
            }
            Exception::DataAbort(_) => (Mode::Abt, 0x10, pc.wrapping_add(8), false, true),
            Exception::Irq => (
                Mode::Irq,
                0x18,
                self.s.regs[15].wrapping_add(4),
                false,
                true,
            ),
            Exception::Fiq => (Mode::Fiq, 0x1c, self.s.regs[15].wrapping_add(4), true, true),
            // HVC from Non-secure PL1 (exec_hvc has checked that it is enabled): a Hyp
            // mode entry through the Hyp Trap vector (Arm ARM B1.8, "Hypervisor Call
            // exception"; QEMU: every synchronous entry from below uses offset 0x14).
            Exception::Hvc(imm) => {
                if self.s.itstate != 0 {
                    self.s.it_advance();
                }
                let next = self.s.next_pc;
                self.enter_hyp(
                    Some(hsr(ec::HVC, true, imm & 0xffff)),
                    next,
                    hyp_vector::TRAP,
                );
                return;
            }
            Exception::HypTrap(syndrome) => {
                self.enter_hyp(Some(syndrome), pc, hyp_vector::TRAP);
                return;
            }
            // No Monitor-mode software is modelled: SMC is UNDEFINED (the board's PSCI
            // firmware intercepts it first when `CpuConfig::firmware_smc` is set).
            Exception::Smc => {
                return self.take_exception(Exception::Undefined);
            }
            Exception::Semihosting | Exception::Wfi => return,
        };
        match e {
            // The FSR format follows TTBCR.EAE (Arm ARM B3.13.3; the MMU module).
            Exception::DataAbort(f) => {
                self.s.dfar = f.vaddr;
                self.s.dfsr = self.fault_fsr(&f);
            }
            Exception::PrefetchAbort(f) => {
                self.s.ifar = f.vaddr;
                self.s.ifsr = self.fault_fsr(&f) & !(1 << 11);
            }
            Exception::Bkpt(_) => {
                // Debug event: IFSR.FS = 0b00010 (short), STATUS = 0b100010 (long).
                self.s.ifsr = if self.s.ttbcr & crate::mmu::TTBCR_EAE != 0 {
                    0b100010 | (1 << 9)
                } else {
                    0b00010
                };
            }
            _ => {}
        }
        let old_cpsr = self.s.cpsr();
        self.s.switch_mode(mode);
        self.s.spsr = old_cpsr;
        self.s.regs[14] = lr;
        let mut ctrl = self.s.cpsr_ctrl | psr::I;
        if mask_f {
            ctrl |= psr::F;
        }
        if mask_a {
            ctrl |= psr::A;
        }
        ctrl &= !(psr::J | psr::E);
        if self.s.sctlr & sctlr::EE != 0 {
            ctrl |= psr::E;
        }
        self.s.cpsr_ctrl = ctrl;
        self.s.itstate = 0;
        self.s.thumb = (self.s.sctlr & sctlr::TE != 0) as u32;
        let base = if self.s.sctlr & sctlr::V != 0 {
            0xffff_0000
        } else {
            self.s.vbar & !0x1f
        };
        self.s.regs[15] = base.wrapping_add(offset);
        self.branched = true;
        self.clear_exclusive();
        self.note_context();
    }

    /// HCR.TGE (Arm ARM B1.14.1 "Trapping general exceptions to Hyp mode"): the
    /// UNDEFINED instruction and SVC exceptions that Non-secure User mode would take to
    /// PL1 go to the Hyp Trap vector instead, with EC 0x00 (ELR = the instruction) and
    /// EC 0x11 (ELR = the next instruction), and so do its prefetch and data aborts (EC
    /// 0x20/0x24, HIFAR/HDFAR). Returns whether `e` was taken that way.
    fn general_exception_to_hyp(&mut self, e: Exception) -> bool {
        if !self.cfg.virtualization || self.s.mode() != Mode::Usr || !self.s.is_ns_below_hyp() {
            return false;
        }
        let pc = self.s.cur_pc;
        let il32 = self.s.next_pc.wrapping_sub(pc) == 4;
        match e {
            Exception::Undefined => {
                self.enter_hyp(Some(hsr(ec::UNKNOWN, true, 0)), pc, hyp_vector::TRAP);
                true
            }
            Exception::Svc(imm) => {
                if self.s.itstate != 0 {
                    self.s.it_advance();
                }
                let next = self.s.next_pc;
                self.enter_hyp(
                    Some(hsr(ec::SVC, il32, imm & 0xffff)),
                    next,
                    hyp_vector::TRAP,
                );
                true
            }
            // Stage 1 is off under TGE (mmu/stage2.rs), so these are alignment faults and
            // external aborts: no instruction syndrome, HPFAR UNKNOWN (left unchanged).
            Exception::PrefetchAbort(f) => {
                self.s.hifar = f.vaddr;
                let iss = f.long_status() | (Self::external(&f) << 9);
                self.enter_hyp(Some(hsr(ec::PABT_LOWER, true, iss)), pc, hyp_vector::TRAP);
                true
            }
            Exception::DataAbort(f) => {
                self.s.hdfar = f.vaddr;
                let iss = f.long_status() | (Self::external(&f) << 9) | ((f.write as u32) << 6);
                self.enter_hyp(Some(hsr(ec::DABT_LOWER, true, iss)), pc, hyp_vector::TRAP);
                true
            }
            _ => false,
        }
    }

    /// HSR ISS.EA: the abort was an external one.
    fn external(f: &MemFault) -> u32 {
        matches!(f.kind, FaultKind::External | FaultKind::ExternalOnWalk(_)) as u32
    }

    /// An exception taken while in Hyp mode stays in Hyp mode (Arm ARM B1.8, "Exceptions
    /// taken to Hyp mode"): through the Hyp vectors, with ELR_hyp the preferred return
    /// address (no PC offset as at PL1) and the HSR syndrome.
    fn take_exception_in_hyp(&mut self, e: Exception) {
        let pc = self.s.cur_pc;
        let il32 = self.s.next_pc.wrapping_sub(pc) == 4;
        let s1ptw = |f: &MemFault| match f.walk() {
            Some(w) if w.flags & walk_flags::S1PTW != 0 => 1 << 7,
            _ => 0,
        };
        match e {
            Exception::Undefined | Exception::Smc => {
                self.enter_hyp(Some(hsr(ec::UNKNOWN, true, 0)), pc, hyp_vector::UNDEF)
            }
            Exception::HypUndefined(syndrome) => {
                self.enter_hyp(Some(syndrome), pc, hyp_vector::UNDEF)
            }
            Exception::Svc(imm) => {
                if self.s.itstate != 0 {
                    self.s.it_advance();
                }
                let next = self.s.next_pc;
                self.enter_hyp(
                    Some(hsr(ec::SVC, il32, imm & 0xffff)),
                    next,
                    hyp_vector::HVC,
                )
            }
            Exception::Hvc(imm) => {
                if self.s.itstate != 0 {
                    self.s.it_advance();
                }
                let next = self.s.next_pc;
                self.enter_hyp(
                    Some(hsr(ec::HVC, true, imm & 0xffff)),
                    next,
                    hyp_vector::HVC,
                )
            }
            Exception::Bkpt(_) => {
                // A debug event: IFSC 0b100010.
                self.s.hifar = pc;
                self.enter_hyp(
                    Some(hsr(ec::PABT_HYP, true, 0b100010)),
                    pc,
                    hyp_vector::PABT,
                )
            }
            Exception::PrefetchAbort(f) => {
                self.s.hifar = f.vaddr;
                let iss = f.long_status() | (Self::external(&f) << 9) | s1ptw(&f);
                self.enter_hyp(Some(hsr(ec::PABT_HYP, true, iss)), pc, hyp_vector::PABT)
            }
            Exception::DataAbort(f) => {
                // ISV = 0: no instruction syndrome (issue 5 adds it for stage 2 faults).
                self.s.hdfar = f.vaddr;
                let iss = f.long_status()
                    | (Self::external(&f) << 9)
                    | s1ptw(&f)
                    | ((f.write as u32) << 6);
                self.enter_hyp(Some(hsr(ec::DABT_HYP, true, iss)), pc, hyp_vector::DABT)
            }
            // Trap controls apply below Hyp mode only; kept for completeness.
            Exception::HypTrap(syndrome) => self.enter_hyp(Some(syndrome), pc, hyp_vector::TRAP),
            Exception::Irq => {
                let ret = self.s.regs[15];
                self.enter_hyp(None, ret, hyp_vector::IRQ)
            }
            Exception::Fiq => {
                let ret = self.s.regs[15];
                self.enter_hyp(None, ret, hyp_vector::FIQ)
            }
            Exception::Semihosting | Exception::Wfi => {}
        }
    }

    /// Enters Hyp mode: the one path every exception taken to Hyp mode goes through
    /// (ARCHITECTURE.md decision 5, "the HSR path"; statistics belong here). Arm ARM
    /// B1.8, EnterHypMode(): SPSR_hyp = CPSR, ELR_hyp = the preferred return address,
    /// HSR = the syndrome (`None` for interrupts, which leave it UNKNOWN; we keep it),
    /// CPSR.{J,IT} = 0, T = HSCTLR.TE, E = HSCTLR.EE, A/I/F set unless SCR routes that
    /// exception class to Monitor mode, PC = HVBAR + `vector`.
    pub fn enter_hyp(&mut self, syndrome: Option<u32>, ret: u32, vector: u32) {
        if tracing::enabled!(target: "hyp", tracing::Level::TRACE) {
            tracing::trace!(target: "hyp",
                "enter hyp: vector {vector:#04x} hsr {syndrome:08x?} from pc {:#010x} mode {:?} elr {ret:#010x}",
                self.s.cur_pc, self.s.mode());
        }
        self.record_hyp_entry(syndrome, vector);
        let old_cpsr = self.s.cpsr();
        self.s.switch_mode(Mode::Hyp);
        self.s.spsr = old_cpsr;
        self.s.elr_hyp = ret;
        if let Some(h) = syndrome {
            self.s.hsr = h;
        }
        let mut ctrl = self.s.cpsr_ctrl & !(psr::J | psr::E);
        if self.s.hsctlr & sctlr::EE != 0 {
            ctrl |= psr::E;
        }
        if self.s.scr & scr::EA == 0 {
            ctrl |= psr::A;
        }
        if self.s.scr & scr::IRQ == 0 {
            ctrl |= psr::I;
        }
        if self.s.scr & scr::FIQ == 0 {
            ctrl |= psr::F;
        }
        self.s.cpsr_ctrl = ctrl;
        self.s.itstate = 0;
        self.s.thumb = (self.s.hsctlr & sctlr::TE != 0) as u32;
        self.s.regs[15] = (self.s.hvbar & !0x1f).wrapping_add(vector);
        self.branched = true;
        self.clear_exclusive();
    }

    /// Returns from an exception: the PC and the whole CPSR from `spsr` (Arm ARM B1.8.10;
    /// used by SUBS PC, LR / MOVS PC, LDM with ^ and PC, RFE, ERET).
    pub fn exception_return(&mut self, new_pc: u32, spsr: u32) {
        // Returning to Hyp mode from another mode, or to Monitor mode without the
        // Security Extensions, is UNPREDICTABLE; like QEMU, keep the current mode and
        // restore the other bits.
        let bad_mode = match Mode::from_bits(spsr) {
            Some(Mode::Hyp) => self.s.mode() != Mode::Hyp,
            Some(Mode::Mon) => !self.cfg.security,
            _ => false,
        };
        let mask = if bad_mode { !psr::M_MASK } else { 0xffff_ffff };
        let from_hyp = self.s.in_hyp();
        self.s.write_cpsr(spsr, mask);
        if from_hyp && !self.s.in_hyp() {
            self.record_hyp_return();
        } else {
            self.note_context();
        }
        let target = if self.s.is_thumb() {
            new_pc & !1
        } else {
            new_pc & !3
        };
        self.s.regs[15] = target;
        self.branched = true;
    }
}
