//! The GIC-400's virtualization extensions (GICv2 spec IHI 0048B chapter 5 "GIC Support
//! for Virtualization", GIC-400 TRM DDI 0471): the virtual interface control registers
//! GICH, which a hypervisor in Hyp mode programs, and the virtual CPU interface GICV,
//! which a guest uses as if it were a GICC.
//!
//! Each CPU interface has one [`VirtCpu`]: GICH_HCR, GICH_VMCR (which holds the
//! GICV_CTLR/PMR/BPR/ABPR state), GICH_APR (the guest's active priorities) and four list
//! registers. The physical [`GicState`](crate::gic) holds one per CPU, so the two MMIO
//! views built here ([`GicHypInterface`], [`GicVirtCpuInterface`]) share the state of the
//! distributor: a guest's deactivation of a hardware list register (HW = 1) deactivates the
//! physical interrupt PhysicalID there, and the maintenance interrupt is the distributor's
//! PPI 25 (ID 25, level-sensitive, banked per CPU), driven from GICH_MISR.
//!
//! Board windows (as on the CoreTile Express A15x2 and QEMU's vexpress-a15):
//! - GICH, 8 KiB: the current CPU's frame at 0x0000 and CPU n's alias at 0x1000 + 0x200 n
//!   (GIC-400 TRM "Virtual interface control register summary"); registers occupy the
//!   first 0x200 bytes of a frame.
//! - GICV, 8 KiB: the GICC layout, GICV_DIR at 0x1000.
//!
//! Model choices:
//! - 4 list registers, 5 priority bits and 5 preemption bits: GICH_VTR = 0x90000003 as on
//!   the GIC-400. The LR Priority field [27:23] holds priority bits [7:3]; GICV_PMR and
//!   GICV_RPR have their low 3 bits RAZ; GICV_BPR is at least 2 and GICV_ABPR at least 3.
//! - One active-priorities register (GICH_APR = GICV_APR0) for both groups; bit n is group
//!   priority n << 3.
//! - GICV accesses behave like a GICC without the Security Extensions (the Secure view):
//!   Group 1 interrupts need GICV_CTLR.AckCtl to be acknowledged through GICV_IAR (else it
//!   returns 1022); the aliased GICV_AIAR/AEOIR/AHPPIR handle Group 1 only; Group 0 is
//!   signalled as a virtual FIQ when GICV_CTLR.FIQEn is set.
//! - Acknowledge takes the pending list register with the highest priority (ties: lowest
//!   LR index) whose group is enabled, above the priority mask and the running priority.
//! - Deactivation (GICV_EOIR with EOImode 0, or GICV_DIR) looks for an active list register
//!   with that VirtualID (and, for a software SGI, that CPUID): active becomes invalid,
//!   pending-and-active becomes pending. None found: GICH_HCR.EOICount counts it (IHI
//!   0048B, GICH_HCR), which the LRENP maintenance interrupt reports.
//! - An EOI while GICH_APR is zero is ignored (UNPREDICTABLE; QEMU ignores it too).
//! - With GICH_HCR.En clear the interface signals nothing (GICV_IAR reads 1023) and the
//!   maintenance interrupt is not asserted ("asserted only if at least one bit is set in
//!   GICH_MISR and GICH_HCR.En == 1").
//! - Checked against QEMU 7.2 (`-M vexpress-a15,virtualization=on`, bare-metal probes of
//!   every register and the LR state machine): identical except where QEMU departs from
//!   the GIC-400 / GICv2 spec, and a test program comparing the two must avoid these:
//!   GICV_IIDR (QEMU 0x0002043b), GICV_AIAR/AEOIR/AHPPIR (RAZ/WI in QEMU, whose GIC has
//!   no groups on this board), the GICV_ABPR minimum (QEMU accepts 1), GICV_CTLR bit 10
//!   (QEMU keeps it), GICH_ELRSR0 beside an entry awaiting EOI maintenance (QEMU clears
//!   the bits of the free entries above it), writes through the per-CPU GICH alias
//!   (ignored by QEMU; reads work).
//! - Misuse (bad offset or size, writes to read-only registers, unimplemented list
//!   registers) is RAZ/WI with a warning logged once per offset.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::gic::{GicState, SPURIOUS};
use crate::MmioDevice;

/// List registers implemented (GIC-400).
pub const NUM_LRS: usize = 4;
/// GICH_VTR of the GIC-400: PRIbits = 5 - 1, PREbits = 5 - 1, ListRegs = 4 - 1.
pub const GICH_VTR: u32 = (4 << 29) | (4 << 26) | (NUM_LRS as u32 - 1);
/// GICV_IIDR of the GIC-400 (r0p1).
pub const GICV_IIDR: u32 = 0x0202_143b;
/// Interrupt ID of the maintenance interrupt (PPI 9 in device-tree numbering).
pub const MAINTENANCE_PPI: u32 = 25;

// GICH_HCR.
pub const HCR_EN: u32 = 1 << 0;
pub const HCR_UIE: u32 = 1 << 1;
pub const HCR_LRENPIE: u32 = 1 << 2;
pub const HCR_NPIE: u32 = 1 << 3;
pub const HCR_VGRP0EIE: u32 = 1 << 4;
pub const HCR_VGRP0DIE: u32 = 1 << 5;
pub const HCR_VGRP1EIE: u32 = 1 << 6;
pub const HCR_VGRP1DIE: u32 = 1 << 7;
const HCR_EOICOUNT_SHIFT: u32 = 27;
const HCR_MASK: u32 = 0xf800_00ff;

// GICH_MISR.
pub const MISR_EOI: u32 = 1 << 0;
pub const MISR_U: u32 = 1 << 1;
pub const MISR_LRENP: u32 = 1 << 2;
pub const MISR_NP: u32 = 1 << 3;
pub const MISR_VGRP0E: u32 = 1 << 4;
pub const MISR_VGRP0D: u32 = 1 << 5;
pub const MISR_VGRP1E: u32 = 1 << 6;
pub const MISR_VGRP1D: u32 = 1 << 7;

// GICH_VMCR: the GICV_CTLR bits at their own positions, VBPR1 (GICV_ABPR) [20:18],
// VBPR0 (GICV_BPR) [23:21], VPMR (GICV_PMR[7:3]) [31:27].
const VMCR_VENG0: u32 = 1 << 0;
const VMCR_VENG1: u32 = 1 << 1;
const VMCR_VACKCTL: u32 = 1 << 2;
const VMCR_VFIQEN: u32 = 1 << 3;
const VMCR_VCBPR: u32 = 1 << 4;
const VMCR_VEOIM: u32 = 1 << 9;
const VMCR_CTLR_MASK: u32 = 0x21f;
const VMCR_VBPR1_SHIFT: u32 = 18;
const VMCR_VBPR0_SHIFT: u32 = 21;
const VMCR_VPMR_SHIFT: u32 = 27;
/// Minimum binary points with 5 preemption bits.
const VBPR0_MIN: u32 = 2;
const VBPR1_MIN: u32 = 3;

// GICH_LRn.
pub const LR_VIRTUAL_ID: u32 = 0x3ff;
const LR_PHYS_SHIFT: u32 = 10;
const LR_CPUID_SHIFT: u32 = 10;
/// With HW = 0: signal an EOI maintenance interrupt when the entry becomes invalid.
pub const LR_EOI: u32 = 1 << 19;
pub const LR_PRIO_SHIFT: u32 = 23;
pub const LR_PENDING: u32 = 1 << 28;
pub const LR_ACTIVE: u32 = 2 << 28;
const LR_STATE: u32 = 3 << 28;
pub const LR_GRP1: u32 = 1 << 30;
pub const LR_HW: u32 = 1 << 31;
/// Bits [22:20] are reserved.
const LR_MASK: u32 = !(7 << 20);

/// "No active priority" running priority (one above the lowest, 0xff).
const IDLE_PRIO: u16 = 0x100;

/// The virtualization state of one CPU interface.
#[derive(Clone, Debug)]
pub struct VirtCpu {
    hcr: u32,
    vmcr: u32,
    apr: u32,
    lrs: [u32; NUM_LRS],
}

impl Default for VirtCpu {
    fn default() -> Self {
        VirtCpu::new()
    }
}

impl VirtCpu {
    pub fn new() -> VirtCpu {
        VirtCpu {
            hcr: 0,
            vmcr: (VBPR0_MIN << VMCR_VBPR0_SHIFT) | (VBPR1_MIN << VMCR_VBPR1_SHIFT),
            apr: 0,
            lrs: [0; NUM_LRS],
        }
    }

    fn pmr(&self) -> u32 {
        (self.vmcr >> VMCR_VPMR_SHIFT) << 3
    }

    fn bpr(&self) -> u32 {
        (self.vmcr >> VMCR_VBPR0_SHIFT) & 7
    }

    fn abpr(&self) -> u32 {
        (self.vmcr >> VMCR_VBPR1_SHIFT) & 7
    }

    fn write_vmcr(&mut self, v: u32) {
        let bpr = ((v >> VMCR_VBPR0_SHIFT) & 7).max(VBPR0_MIN);
        let abpr = ((v >> VMCR_VBPR1_SHIFT) & 7).max(VBPR1_MIN);
        self.vmcr = (v & (VMCR_CTLR_MASK | 0x1f << VMCR_VPMR_SHIFT))
            | bpr << VMCR_VBPR0_SHIFT
            | abpr << VMCR_VBPR1_SHIFT;
    }

    fn eoicount(&self) -> u32 {
        self.hcr >> HCR_EOICOUNT_SHIFT
    }

    /// 8-bit priority of a list register entry.
    fn lr_priority(lr: u32) -> u32 {
        ((lr >> LR_PRIO_SHIFT) & 0x1f) << 3
    }

    /// Group priority (preemption) of an 8-bit priority (IHI 0048B, "Priority grouping"): with binary
    /// point n the group priority is bits [7:n+1]; GICV_ABPR n corresponds to BPR n - 1.
    fn group_priority(&self, prio: u32, group1: bool) -> u32 {
        let bp = if group1 && self.vmcr & VMCR_VCBPR == 0 {
            self.abpr().saturating_sub(1)
        } else {
            self.bpr()
        };
        prio & (0xff << (bp + 1))
    }

    fn running_priority(&self) -> u16 {
        if self.apr == 0 {
            IDLE_PRIO
        } else {
            (self.apr.trailing_zeros() as u16) << 3
        }
    }

    fn group_enabled(&self, group1: bool) -> bool {
        self.vmcr & if group1 { VMCR_VENG1 } else { VMCR_VENG0 } != 0
    }

    /// The pending list register with the highest priority (lowest LR index on ties);
    /// `enabled_only` skips groups GICV_CTLR disables, `group1_only` Group 0.
    fn best_pending(&self, enabled_only: bool, group1_only: bool) -> Option<usize> {
        let mut best: Option<(usize, u32)> = None;
        for (n, &lr) in self.lrs.iter().enumerate() {
            let g1 = lr & LR_GRP1 != 0;
            if lr & LR_STATE != LR_PENDING
                || (enabled_only && !self.group_enabled(g1))
                || (group1_only && !g1)
            {
                continue;
            }
            let p = Self::lr_priority(lr);
            if best.is_none_or(|(_, bp)| p < bp) {
                best = Some((n, p));
            }
        }
        best.map(|(n, _)| n)
    }

    /// The list register the interface signals now: interface enabled (GICH_HCR.En),
    /// group enabled, priority above GICV_PMR and group priority above the running
    /// priority.
    fn signalled(&self) -> Option<usize> {
        if self.hcr & HCR_EN == 0 {
            return None;
        }
        self.best_pending(true, false).filter(|&n| {
            let lr = self.lrs[n];
            let p = Self::lr_priority(lr);
            p < self.pmr()
                && (self.group_priority(p, lr & LR_GRP1 != 0) as u16) < self.running_priority()
        })
    }

    /// Virtual IRQ and FIQ outputs to the core.
    pub fn outputs(&self) -> (bool, bool) {
        match self.signalled() {
            None => (false, false),
            Some(n) => {
                let fiq = self.lrs[n] & LR_GRP1 == 0 && self.vmcr & VMCR_VFIQEN != 0;
                (!fiq, fiq)
            }
        }
    }

    /// The value GICV_IAR/HPPIR report for list register `n`: VirtualID, and for a
    /// software-generated SGI (VirtualID < 16, HW = 0) the source CPUID in [12:10].
    fn lr_intid(lr: u32) -> u32 {
        let id = lr & LR_VIRTUAL_ID;
        if id < 16 && lr & LR_HW == 0 {
            id | (lr & (7 << LR_CPUID_SHIFT))
        } else {
            id
        }
    }

    /// GICH_EISR0: invalid, HW = 0 entries with the EOI bit (an EOI maintenance
    /// interrupt the hypervisor has not handled).
    pub fn eisr(&self) -> u32 {
        self.lrs
            .iter()
            .enumerate()
            .filter(|(_, &lr)| lr & (LR_STATE | LR_HW) == 0 && lr & LR_EOI != 0)
            .fold(0, |a, (n, _)| a | 1 << n)
    }

    /// GICH_ELRSR0: entries free for a new interrupt (invalid, and no EOI maintenance
    /// outstanding).
    pub fn elrsr(&self) -> u32 {
        self.lrs
            .iter()
            .enumerate()
            .filter(|(_, &lr)| lr & LR_STATE == 0 && (lr & LR_HW != 0 || lr & LR_EOI == 0))
            .fold(0, |a, (n, _)| a | 1 << n)
    }

    /// GICH_MISR (IHI 0048B, "Maintenance Interrupt Status Register").
    pub fn misr(&self) -> u32 {
        let h = self.hcr;
        let mut m = 0;
        if self.eisr() != 0 {
            m |= MISR_EOI;
        }
        let valid = self.lrs.iter().filter(|&&lr| lr & LR_STATE != 0).count();
        if h & HCR_UIE != 0 && valid <= 1 {
            m |= MISR_U;
        }
        if h & HCR_LRENPIE != 0 && self.eoicount() != 0 {
            m |= MISR_LRENP;
        }
        if h & HCR_NPIE != 0 && self.lrs.iter().all(|&lr| lr & LR_PENDING == 0) {
            m |= MISR_NP;
        }
        let g0 = self.vmcr & VMCR_VENG0 != 0;
        let g1 = self.vmcr & VMCR_VENG1 != 0;
        for (cond, ie, bit) in [
            (g0, HCR_VGRP0EIE, MISR_VGRP0E),
            (!g0, HCR_VGRP0DIE, MISR_VGRP0D),
            (g1, HCR_VGRP1EIE, MISR_VGRP1E),
            (!g1, HCR_VGRP1DIE, MISR_VGRP1D),
        ] {
            if cond && h & ie != 0 {
                m |= bit;
            }
        }
        m
    }

    /// Level of the maintenance interrupt (PPI 25).
    pub fn maintenance(&self) -> bool {
        self.hcr & HCR_EN != 0 && self.misr() != 0
    }

    // ---- GICH ----

    /// Reads GICH register `offset` (within a 0x200 frame); `Err` for RAZ with a warning.
    pub fn gich_read(&self, offset: u64) -> Result<u32, &'static str> {
        Ok(match offset {
            0x00 => self.hcr,
            0x04 => GICH_VTR,
            0x08 => self.vmcr,
            0x10 => self.misr(),
            0x20 => self.eisr(),
            0x30 => self.elrsr(),
            // Only list registers 0..3 exist.
            0x24 | 0x34 => 0,
            0xf0 => self.apr,
            0x100..=0x10f => self.lrs[(offset as usize - 0x100) / 4],
            0x110..=0x1ff => return Err("read of an unimplemented list register"),
            _ => return Err("read of a reserved register"),
        })
    }

    /// Writes GICH register `offset`; `Err` for WI with a warning.
    pub fn gich_write(&mut self, offset: u64, v: u32) -> Result<(), &'static str> {
        match offset {
            0x00 => self.hcr = v & HCR_MASK,
            0x08 => self.write_vmcr(v),
            0xf0 => self.apr = v,
            0x100..=0x10f => self.lrs[(offset as usize - 0x100) / 4] = v & LR_MASK,
            0x04 | 0x10 | 0x20 | 0x24 | 0x30 | 0x34 => return Err("write to a read-only register"),
            0x110..=0x1ff => return Err("write to an unimplemented list register"),
            _ => return Err("write to a reserved register"),
        }
        Ok(())
    }

    // ---- GICV ----

    /// Acknowledges the signalled interrupt (GICV_IAR, or GICV_AIAR with `alias`).
    fn acknowledge(&mut self, alias: bool) -> u32 {
        let Some(n) = self.signalled() else {
            return SPURIOUS;
        };
        let lr = self.lrs[n];
        let g1 = lr & LR_GRP1 != 0;
        if alias && !g1 {
            return SPURIOUS;
        }
        if !alias && g1 && self.vmcr & VMCR_VACKCTL == 0 {
            return 1022;
        }
        self.lrs[n] = (lr & !LR_STATE) | LR_ACTIVE;
        let gp = self.group_priority(Self::lr_priority(lr), g1);
        self.apr |= 1 << (gp >> 3);
        Self::lr_intid(lr)
    }

    /// GICV_HPPIR / AHPPIR.
    fn highest_pending(&self, alias: bool) -> u32 {
        match self.best_pending(false, alias) {
            None => SPURIOUS,
            Some(n) => {
                let lr = self.lrs[n];
                if !alias && lr & LR_GRP1 != 0 && self.vmcr & VMCR_VACKCTL == 0 {
                    1022
                } else {
                    Self::lr_intid(lr)
                }
            }
        }
    }

    /// Priority drop then, with EOImode 0, deactivation (GICV_EOIR / AEOIR).
    fn end_of_interrupt(&mut self, v: u32, warn: &mut dyn FnMut(&'static str)) -> Option<u32> {
        if v & 0x3ff >= 1020 {
            // Special interrupt IDs: the write is ignored.
            return None;
        }
        if self.apr == 0 {
            // UNPREDICTABLE (IHI 0048B, GICV_EOIR); ignored entirely, as QEMU does: no
            // deactivation and no EOICount.
            warn("EOI with no active priority; ignored");
            return None;
        }
        // The highest active priority is the lowest set bit.
        self.apr &= self.apr - 1;
        if self.vmcr & VMCR_VEOIM == 0 {
            self.deactivate(v)
        } else {
            None
        }
    }

    /// Deactivates the interrupt `v` (EOIR format) names. Returns the PhysicalID to
    /// deactivate in the distributor for a hardware list register.
    fn deactivate(&mut self, v: u32) -> Option<u32> {
        let id = v & 0x3ff;
        if id >= 1020 {
            return None;
        }
        let src = (v >> 10) & 7;
        let found = self.lrs.iter().position(|&lr| {
            lr & LR_ACTIVE != 0
                && lr & LR_VIRTUAL_ID == id
                && (id >= 16 || lr & LR_HW != 0 || (lr >> LR_CPUID_SHIFT) & 7 == src)
        });
        match found {
            None => {
                // IHI 0048B, GICH_HCR.EOICount: a deactivation with no list register entry counts in
                // GICH_HCR.EOICount (5 bits, wraps).
                let count = (self.eoicount() + 1) & 0x1f;
                self.hcr = (self.hcr & !(0x1f << HCR_EOICOUNT_SHIFT)) | count << HCR_EOICOUNT_SHIFT;
                None
            }
            Some(n) => {
                let lr = self.lrs[n] & !LR_ACTIVE;
                self.lrs[n] = lr;
                (lr & LR_HW != 0).then_some((lr >> LR_PHYS_SHIFT) & 0x3ff)
            }
        }
    }

    /// Reads GICV register `offset`; `Err` for RAZ with a warning.
    pub fn gicv_read(&mut self, offset: u64) -> Result<u32, &'static str> {
        Ok(match offset {
            0x00 => self.vmcr & VMCR_CTLR_MASK,
            0x04 => self.pmr(),
            0x08 => self.bpr(),
            0x0c => self.acknowledge(false),
            0x14 => self.running_priority().min(0xff) as u32,
            0x18 => self.highest_pending(false),
            0x1c => self.abpr(),
            0x20 => self.acknowledge(true),
            0x28 => self.highest_pending(true),
            0xd0 => self.apr,
            0xd4..=0xdc | 0xe0..=0xec => 0,
            0xfc => GICV_IIDR,
            0x10 | 0x24 | 0x1000 => return Err("read of a write-only register"),
            _ => return Err("read of a reserved register"),
        })
    }

    /// Writes GICV register `offset`. Returns the physical interrupt to deactivate (a
    /// hardware list register the guest deactivated); `warn` reports misuse (WI).
    pub fn gicv_write(
        &mut self,
        offset: u64,
        v: u32,
        warn: &mut dyn FnMut(&'static str),
    ) -> Option<u32> {
        match offset {
            0x00 => self.vmcr = (self.vmcr & !VMCR_CTLR_MASK) | (v & VMCR_CTLR_MASK),
            0x04 => {
                self.vmcr =
                    (self.vmcr & !(0x1f << VMCR_VPMR_SHIFT)) | ((v >> 3) & 0x1f) << VMCR_VPMR_SHIFT
            }
            0x08 => {
                self.vmcr = (self.vmcr & !(7 << VMCR_VBPR0_SHIFT))
                    | (v & 7).max(VBPR0_MIN) << VMCR_VBPR0_SHIFT
            }
            0x1c => {
                self.vmcr = (self.vmcr & !(7 << VMCR_VBPR1_SHIFT))
                    | (v & 7).max(VBPR1_MIN) << VMCR_VBPR1_SHIFT
            }
            0x10 | 0x24 => return self.end_of_interrupt(v, warn),
            0x1000 => {
                if self.vmcr & VMCR_VEOIM != 0 {
                    return self.deactivate(v);
                }
                warn("GICV_DIR write with EOImode 0");
            }
            0xd0 => self.apr = v,
            0xd4..=0xdc | 0xe0..=0xec => {}
            0x0c | 0x14 | 0x18 | 0x20 | 0x28 | 0xfc => warn("write to a read-only register"),
            _ => warn("write to a reserved register"),
        }
        None
    }
}

/// The GICH window (map 8 KiB): the current CPU's frame at 0, CPU n's at 0x1000 + 0x200 n.
pub struct GicHypInterface {
    state: Rc<RefCell<GicState>>,
    current_cpu: Rc<Cell<usize>>,
}

impl GicHypInterface {
    pub(crate) fn new(state: Rc<RefCell<GicState>>, current_cpu: Rc<Cell<usize>>) -> Self {
        GicHypInterface { state, current_cpu }
    }

    /// The CPU and frame offset an access at `offset` addresses.
    fn decode(&self, offset: u64) -> (usize, u64) {
        if offset < 0x1000 {
            (self.current_cpu.get(), offset)
        } else {
            (((offset - 0x1000) / 0x200) as usize, offset & 0x1ff)
        }
    }
}

impl MmioDevice for GicHypInterface {
    fn read(&mut self, offset: u64, size: u32) -> Option<u64> {
        let mut s = self.state.borrow_mut();
        let (cpu, reg) = self.decode(offset);
        if size != 4 || !offset.is_multiple_of(4) {
            s.warn_virt(true, offset, "bad access size or alignment (read)");
            return Some(0);
        }
        let r = match s.virt_cpu(cpu) {
            None => Err("access to the frame of an absent CPU"),
            Some(v) => v.gich_read(reg),
        };
        Some(r.unwrap_or_else(|w| {
            s.warn_virt(true, offset, w);
            0
        }) as u64)
    }

    fn write(&mut self, offset: u64, size: u32, value: u64) -> bool {
        let mut s = self.state.borrow_mut();
        let (cpu, reg) = self.decode(offset);
        if size != 4 || !offset.is_multiple_of(4) {
            s.warn_virt(true, offset, "bad access size or alignment (write)");
            return true;
        }
        let r = match s.virt_cpu_mut(cpu) {
            None => Err("access to the frame of an absent CPU"),
            Some(v) => v.gich_write(reg, value as u32),
        };
        if let Err(w) = r {
            s.warn_virt(true, offset, w);
        }
        s.update();
        true
    }

    fn name(&self) -> &'static str {
        "gic-hyp"
    }
}

/// The GICV window (map 8 KiB), banked by the current CPU.
pub struct GicVirtCpuInterface {
    state: Rc<RefCell<GicState>>,
    current_cpu: Rc<Cell<usize>>,
}

impl GicVirtCpuInterface {
    pub(crate) fn new(state: Rc<RefCell<GicState>>, current_cpu: Rc<Cell<usize>>) -> Self {
        GicVirtCpuInterface { state, current_cpu }
    }
}

impl MmioDevice for GicVirtCpuInterface {
    fn read(&mut self, offset: u64, size: u32) -> Option<u64> {
        let mut s = self.state.borrow_mut();
        let cpu = self.current_cpu.get();
        if size != 4 || !offset.is_multiple_of(4) {
            s.warn_virt(false, offset, "bad access size or alignment (read)");
            return Some(0);
        }
        let r = match s.virt_cpu_mut(cpu) {
            None => Err("access from a CPU without an interface"),
            Some(v) => v.gicv_read(offset),
        };
        let v = r.unwrap_or_else(|w| {
            s.warn_virt(false, offset, w);
            0
        });
        // An acknowledge changes the outputs.
        s.update();
        Some(v as u64)
    }

    fn write(&mut self, offset: u64, size: u32, value: u64) -> bool {
        let mut s = self.state.borrow_mut();
        let cpu = self.current_cpu.get();
        if size != 4 || !offset.is_multiple_of(4) {
            s.warn_virt(false, offset, "bad access size or alignment (write)");
            return true;
        }
        let mut warning = None;
        let phys = match s.virt_cpu_mut(cpu) {
            None => {
                warning = Some("access from a CPU without an interface");
                None
            }
            Some(v) => v.gicv_write(offset, value as u32, &mut |w| warning = Some(w)),
        };
        if let Some(w) = warning {
            s.warn_virt(false, offset, w);
        }
        if let Some(id) = phys {
            // IHI 0048B, GICH_LR.HW: deactivating a hardware interrupt in the virtual CPU
            // interface deactivates the physical interrupt PhysicalID.
            s.deactivate_physical(cpu, id);
        }
        s.update();
        true
    }

    fn name(&self) -> &'static str {
        "gic-vcpu"
    }
}

#[cfg(test)]
mod tests;
