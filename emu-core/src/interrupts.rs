//! Asynchronous exceptions: which of the physical and virtual interrupt inputs is taken,
//! and where to (Arm ARM DDI 0406C B1.8.11 "Virtual exceptions in the Virtualization
//! Extensions", B1.8.6-B1.8.8 for the asynchronous exception masks and routing).
//!
//! With the Virtualization Extensions, HCR.IMO/FMO/AMO route the physical IRQ/FIQ/
//! asynchronous abort taken from Non-secure PL0/PL1 to Hyp mode; there CPSR.I/F/A of the
//! guest do not mask them. The same bits enable the virtual exceptions, which are only
//! ever taken at Non-secure PL0/PL1, masked by CPSR.I/F/A: a virtual IRQ is pending while
//! HCR.VI is set or the GIC's virtual CPU interface drives `virq_line`, a virtual FIQ
//! likewise with HCR.VF / `vfiq_line`, a virtual abort while HCR.VA is set (cleared when
//! taken). HCR.TGE makes the core behave as if IMO/FMO/AMO were set for the physical
//! interrupts, and disables the virtual ones.

use crate::cpu::Cpu;
use crate::exception::{hyp_vector, Exception, FaultKind, MemFault};
use crate::hyp_regs::{HCR_AMO, HCR_FMO, HCR_IMO, HCR_TGE, HCR_VA, HCR_VF, HCR_VI};
use crate::state::psr;

/// HCR bits that make a virtual exception pending.
const HCR_VIRTUAL_PENDING: u32 = HCR_VI | HCR_VF | HCR_VA;

/// DFSR of an asynchronous external abort: short descriptor FS = 0b10110 (FS[4] in bit
/// 10), long descriptor STATUS = 0b010001 with the LPAE bit 9 (B3.13.3).
const DFSR_ASYNC_EXTERNAL_SHORT: u32 = (1 << 10) | 0b0110;
const DFSR_ASYNC_EXTERNAL_LONG: u32 = (1 << 9) | 0b01_0001;

/// What the interrupt inputs and HCR say for the current state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pending {
    PhysFiq { to_hyp: bool },
    PhysIrq { to_hyp: bool },
    VirtAbort,
    VirtFiq,
    VirtIrq,
}

impl Cpu {
    /// True when some interrupt input or virtual-exception bit may need attention; the
    /// run loop calls [`Cpu::check_interrupts`] only then (one test per block).
    #[inline(always)]
    pub(crate) fn interrupt_inputs_active(&self) -> bool {
        self.irq_line
            | self.fiq_line
            | self.virq_line
            | self.vfiq_line
            | (self.s.hcr & HCR_VIRTUAL_PENDING != 0)
    }

    /// HCR's routing bits as they act now: all clear unless the core is Non-secure below
    /// Hyp mode; TGE counts as IMO/FMO/AMO.
    fn routing_hcr(&self) -> u32 {
        if !self.cfg.virtualization || !self.s.is_ns_below_hyp() {
            return 0;
        }
        let hcr = self.s.hcr;
        if hcr & HCR_TGE != 0 {
            (hcr | HCR_IMO | HCR_FMO | HCR_AMO) & !HCR_VIRTUAL_PENDING
        } else {
            hcr
        }
    }

    fn virq_pending(&self, hcr: u32) -> bool {
        hcr & HCR_IMO != 0 && (hcr & HCR_VI != 0 || self.virq_line) && hcr & HCR_TGE == 0
    }

    fn vfiq_pending(&self, hcr: u32) -> bool {
        hcr & HCR_FMO != 0 && (hcr & HCR_VF != 0 || self.vfiq_line) && hcr & HCR_TGE == 0
    }

    /// The asynchronous exception to take now, if any, in priority order: physical FIQ,
    /// physical IRQ, then the virtual abort, FIQ and IRQ.
    fn pending_exception(&self) -> Option<Pending> {
        let hcr = self.routing_hcr();
        let ctrl = self.s.cpsr_ctrl;
        if self.fiq_line {
            let to_hyp = hcr & HCR_FMO != 0;
            if to_hyp || ctrl & psr::F == 0 {
                return Some(Pending::PhysFiq { to_hyp });
            }
        }
        if self.irq_line {
            let to_hyp = hcr & HCR_IMO != 0;
            if to_hyp || ctrl & psr::I == 0 {
                return Some(Pending::PhysIrq { to_hyp });
            }
        }
        if hcr & HCR_AMO != 0 && hcr & HCR_VA != 0 && hcr & HCR_TGE == 0 && ctrl & psr::A == 0 {
            return Some(Pending::VirtAbort);
        }
        if ctrl & psr::F == 0 && self.vfiq_pending(hcr) {
            return Some(Pending::VirtFiq);
        }
        if ctrl & psr::I == 0 && self.virq_pending(hcr) {
            return Some(Pending::VirtIrq);
        }
        None
    }

    /// WFI's wake-up condition (B1.8.13 "Wait For Interrupt"): any physical interrupt
    /// input, or a virtual interrupt/abort that would be taken at Non-secure PL0/PL1,
    /// whether masked by the CPSR or not.
    pub fn wfi_wake_pending(&self) -> bool {
        if self.irq_line || self.fiq_line {
            return true;
        }
        let hcr = self.routing_hcr();
        self.virq_pending(hcr)
            || self.vfiq_pending(hcr)
            || (hcr & HCR_AMO != 0 && hcr & HCR_VA != 0 && hcr & HCR_TGE == 0)
    }

    /// Samples the interrupt inputs at a block boundary; takes the one that is due.
    pub(crate) fn check_interrupts(&mut self) -> bool {
        let Some(p) = self.pending_exception() else {
            return false;
        };
        // Asynchronous exceptions are taken between instructions: the preferred return
        // address is the next instruction to execute.
        let next = self.s.regs[15];
        self.s.cur_pc = next;
        match p {
            Pending::PhysFiq { to_hyp: true } => self.enter_hyp(None, next, hyp_vector::FIQ),
            Pending::PhysIrq { to_hyp: true } => self.enter_hyp(None, next, hyp_vector::IRQ),
            Pending::PhysFiq { to_hyp: false } | Pending::VirtFiq => {
                self.take_exception(Exception::Fiq)
            }
            Pending::PhysIrq { to_hyp: false } | Pending::VirtIrq => {
                self.take_exception(Exception::Irq)
            }
            Pending::VirtAbort => self.take_virtual_abort(),
        }
        true
    }

    /// A virtual asynchronous abort: taken to Abort mode like an external abort on a
    /// data access (LR = preferred return + 8), DFSR = asynchronous external abort, DFAR
    /// UNKNOWN (left unchanged); HCR.VA is cleared by taking it (B1.8.11).
    fn take_virtual_abort(&mut self) {
        let dfar = self.s.dfar;
        self.take_exception(Exception::DataAbort(MemFault {
            kind: FaultKind::External,
            vaddr: dfar,
            write: false,
        }));
        self.s.dfar = dfar;
        self.s.dfsr = if self.s.ttbcr & crate::mmu::TTBCR_EAE != 0 {
            DFSR_ASYNC_EXTERNAL_LONG
        } else {
            DFSR_ASYNC_EXTERNAL_SHORT
        };
        self.s.hcr &= !HCR_VA;
    }
}
