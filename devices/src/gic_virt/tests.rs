use super::*;
use crate::gic::{Gic, GicCpuInterface, GicDistributor};

/// A vexpress-a15 GIC (160 interrupts) with its four windows.
struct T {
    gic: Gic,
    d: GicDistributor,
    c: GicCpuInterface,
    h: GicHypInterface,
    v: GicVirtCpuInterface,
}

const HCR: u64 = 0x00;
const VTR: u64 = 0x04;
const VMCR: u64 = 0x08;
const MISR: u64 = 0x10;
const EISR0: u64 = 0x20;
const EISR1: u64 = 0x24;
const ELRSR0: u64 = 0x30;
const ELRSR1: u64 = 0x34;
const APR: u64 = 0xf0;

const CTLR: u64 = 0x00;
const PMR: u64 = 0x04;
const BPR: u64 = 0x08;
const IAR: u64 = 0x0c;
const EOIR: u64 = 0x10;
const RPR: u64 = 0x14;
const HPPIR: u64 = 0x18;
const ABPR: u64 = 0x1c;
const AIAR: u64 = 0x20;
const AEOIR: u64 = 0x24;
const AHPPIR: u64 = 0x28;
const APR0: u64 = 0xd0;
const IIDR: u64 = 0xfc;
const DIR: u64 = 0x1000;

/// A list register value: state, priority (8-bit), virtual ID.
fn lr(state: u32, prio: u32, vid: u32) -> u32 {
    state | (prio >> 3) << LR_PRIO_SHIFT | vid
}

impl T {
    fn new(cpus: usize) -> T {
        let gic = Gic::new(cpus, 4);
        T {
            d: gic.distributor(),
            c: gic.cpu_interface(),
            h: gic.hyp_interface(),
            v: gic.virt_cpu_interface(),
            gic,
        }
    }
    fn cpu(&mut self, cpu: usize) -> &mut Self {
        self.gic.set_current_cpu(cpu);
        self
    }
    fn hr(&mut self, off: u64) -> u32 {
        self.h.read(off, 4).unwrap() as u32
    }
    fn hw(&mut self, off: u64, v: u32) {
        assert!(self.h.write(off, 4, v as u64));
    }
    fn vr(&mut self, off: u64) -> u32 {
        self.v.read(off, 4).unwrap() as u32
    }
    fn vw(&mut self, off: u64, v: u32) {
        assert!(self.v.write(off, 4, v as u64));
    }
    fn dr(&mut self, off: u64) -> u32 {
        self.d.read(off, 4).unwrap() as u32
    }
    fn dw(&mut self, off: u64, v: u32) {
        assert!(self.d.write(off, 4, v as u64));
    }
    fn cr(&mut self, off: u64) -> u32 {
        self.c.read(off, 4).unwrap() as u32
    }
    fn cw(&mut self, off: u64, v: u32) {
        assert!(self.c.write(off, 4, v as u64));
    }
    fn lr_r(&mut self, n: u64) -> u32 {
        self.hr(0x100 + 4 * n)
    }
    fn lr_w(&mut self, n: u64, v: u32) {
        self.hw(0x100 + 4 * n, v)
    }
    /// GICH_HCR.En, guest interface with both groups enabled and PMR 0xf8.
    fn setup(&mut self) {
        self.hw(HCR, HCR_EN);
        self.vw(CTLR, 3);
        self.vw(PMR, 0xff);
    }
    fn virq(&self) -> bool {
        self.gic.cpu_virq(0)
    }
    fn vfiq(&self) -> bool {
        self.gic.cpu_vfiq(0)
    }
}

#[test]
fn reset_values_and_identification() {
    let mut t = T::new(1);
    assert_eq!(
        t.hr(VTR),
        0x9000_0003,
        "4 LRs, 5 priority and preemption bits"
    );
    assert_eq!(t.hr(HCR), 0);
    assert_eq!(t.hr(VMCR), 2 << 21 | 3 << 18, "minimum binary points");
    assert_eq!(t.hr(MISR), 0);
    assert_eq!(t.hr(EISR0), 0);
    assert_eq!(t.hr(EISR1), 0);
    assert_eq!(t.hr(ELRSR0), 0xf, "all four list registers free");
    assert_eq!(t.hr(ELRSR1), 0);
    assert_eq!(t.hr(APR), 0);
    for n in 0..4 {
        assert_eq!(t.lr_r(n), 0);
    }
    assert_eq!(t.vr(CTLR), 0);
    assert_eq!(t.vr(PMR), 0);
    assert_eq!(t.vr(BPR), 2);
    assert_eq!(t.vr(ABPR), 3);
    assert_eq!(t.vr(RPR), 0xff);
    assert_eq!(t.vr(HPPIR), 1023);
    assert_eq!(t.vr(IAR), 1023);
    assert_eq!(t.vr(IIDR), 0x0202_143b);
    assert!(!t.virq() && !t.vfiq() && !t.gic.maintenance_irq(0));
}

#[test]
fn register_masks_and_vmcr_aliases() {
    let mut t = T::new(1);
    t.hw(HCR, 0xffff_ffff);
    assert_eq!(t.hr(HCR), 0xf800_00ff);
    t.hw(HCR, 0);
    t.lr_w(2, 0xffff_ffff);
    assert_eq!(t.lr_r(2), 0xff8f_ffff, "bits [22:20] reserved");
    t.lr_w(2, 0);
    // LR4..63 are not implemented: RAZ/WI.
    t.hw(0x110, 0xffff_ffff);
    assert_eq!(t.hr(0x110), 0);
    assert_eq!(t.hr(0x1fc), 0);
    // GICV_CTLR, PMR, BPR, ABPR are fields of GICH_VMCR.
    t.vw(CTLR, 0xffff_ffff);
    assert_eq!(t.vr(CTLR), 0x21f);
    t.vw(PMR, 0xff);
    assert_eq!(t.vr(PMR), 0xf8, "5 priority bits");
    t.vw(BPR, 5);
    t.vw(ABPR, 6);
    assert_eq!(t.hr(VMCR), 0x1f << 27 | 5 << 21 | 6 << 18 | 0x21f);
    t.vw(BPR, 0);
    t.vw(ABPR, 1);
    assert_eq!((t.vr(BPR), t.vr(ABPR)), (2, 3), "minimum binary points");
    t.hw(VMCR, 0x8000_0201 | 7 << 21 | 4 << 18);
    assert_eq!(t.vr(CTLR), 0x201);
    assert_eq!(t.vr(PMR), 0x80);
    assert_eq!((t.vr(BPR), t.vr(ABPR)), (7, 4));
    t.hw(VMCR, 0);
    assert_eq!(t.hr(VMCR), 2 << 21 | 3 << 18);
    // One active-priorities register, two names.
    t.hw(APR, 0x8000_0001);
    assert_eq!(t.vr(APR0), 0x8000_0001);
    t.vw(APR0, 4);
    assert_eq!(t.hr(APR), 4);
    assert_eq!(t.vr(RPR), 0x10);
    // Read-only and write-only registers.
    t.hw(VTR, 0);
    t.hw(MISR, 0xff);
    t.hw(ELRSR0, 0);
    assert_eq!(t.hr(VTR), 0x9000_0003);
    assert_eq!(t.hr(ELRSR0), 0xf);
    assert_eq!(t.vr(EOIR), 0);
    assert_eq!(t.vr(DIR), 0);
    // Bad sizes: RAZ/WI.
    assert_eq!(t.h.read(HCR, 2), Some(0));
    assert!(t.h.write(HCR, 1, 1));
    assert_eq!(t.hr(HCR), 0);
    assert_eq!(t.v.read(PMR + 1, 1), Some(0));
}

#[test]
fn list_register_pending_active_inactive() {
    let mut t = T::new(1);
    t.setup();
    t.lr_w(0, lr(LR_PENDING, 0x80, 42));
    assert!(t.virq());
    assert!(!t.vfiq());
    assert!(
        !t.gic.cpu_irq(0),
        "virtual interrupts never reach the physical IRQ"
    );
    assert_eq!(t.hr(ELRSR0), 0xe);
    assert_eq!(t.vr(HPPIR), 42);
    assert_eq!(t.vr(IAR), 42);
    assert_eq!(t.lr_r(0), lr(LR_ACTIVE, 0x80, 42), "pending -> active");
    assert!(!t.virq());
    assert_eq!(t.vr(RPR), 0x80);
    assert_eq!(t.hr(APR), 1 << 16);
    assert_eq!(t.vr(IAR), 1023, "nothing else pending");
    assert_eq!(t.vr(HPPIR), 1023);
    t.vw(EOIR, 42);
    assert_eq!(t.lr_r(0), lr(0, 0x80, 42), "active -> invalid");
    assert_eq!(t.vr(RPR), 0xff);
    assert_eq!(t.hr(APR), 0);
    assert_eq!(t.hr(ELRSR0), 0xf);
    assert_eq!(t.hr(EISR0), 0, "no EOI bit, no EOI maintenance");
    assert_eq!(t.hr(HCR) >> 27, 0, "found in the list registers");
    assert!(!t.virq());
}

#[test]
fn enables_and_priority_mask_gate_the_virtual_irq() {
    let mut t = T::new(1);
    t.lr_w(1, lr(LR_PENDING, 0x40, 33));
    t.vw(CTLR, 1);
    t.vw(PMR, 0xf8);
    assert!(!t.virq(), "GICH_HCR.En clear");
    assert_eq!(t.vr(IAR), 1023);
    assert_eq!(t.lr_r(1), lr(LR_PENDING, 0x40, 33));
    t.hw(HCR, HCR_EN);
    assert!(t.virq());
    t.vw(CTLR, 2);
    assert!(!t.virq(), "Group 0 disabled in GICV_CTLR");
    t.vw(CTLR, 1);
    t.vw(PMR, 0x40);
    assert!(!t.virq(), "priority 0x40 is not above PMR 0x40");
    t.vw(PMR, 0x48);
    assert!(t.virq());
    // Through GICH_VMCR, as a hypervisor restores a vCPU.
    t.hw(VMCR, 0);
    assert!(!t.virq());
    t.hw(VMCR, 0x48 << 24 | 1);
    assert!(t.virq());
}

#[test]
fn eoimode_splits_priority_drop_and_deactivation() {
    let mut t = T::new(1);
    t.setup();
    t.vw(CTLR, 3 | 1 << 9);
    t.lr_w(3, lr(LR_PENDING, 0x20, 100));
    assert_eq!(t.vr(IAR), 100);
    t.vw(EOIR, 100);
    assert_eq!(t.vr(RPR), 0xff, "priority dropped");
    assert_eq!(t.lr_r(3), lr(LR_ACTIVE, 0x20, 100), "still active");
    t.vw(DIR, 100);
    assert_eq!(t.lr_r(3), lr(0, 0x20, 100));
    assert_eq!(t.hr(HCR) >> 27, 0);
    // DIR with EOImode 0 is ignored.
    t.vw(CTLR, 3);
    t.lr_w(3, lr(LR_PENDING, 0x20, 100));
    assert_eq!(t.vr(IAR), 100);
    t.vw(DIR, 100);
    assert_eq!(t.lr_r(3), lr(LR_ACTIVE, 0x20, 100));
    assert_eq!(t.vr(RPR), 0x20);
    t.vw(EOIR, 100);
    assert_eq!(t.lr_r(3), lr(0, 0x20, 100));
}

#[test]
fn hardware_list_register_deactivates_the_physical_interrupt() {
    let mut t = T::new(1);
    // The hypervisor takes physical SPI 40 with EOImode 1, drops its priority and hands
    // it to the guest in a hardware list register.
    t.dw(0x000, 3);
    t.cw(0x00, 3 | 1 << 9);
    t.cw(0x04, 0xf8);
    t.dw(0x104, 1 << 8);
    t.dw(0x440, 0xa0);
    t.gic.set_irq_line(40, true);
    assert!(t.gic.cpu_irq(0));
    assert_eq!(t.cr(0x0c), 40);
    t.cw(0x10, 40);
    assert_eq!(t.dr(0x304), 1 << 8, "physically active until deactivated");
    assert!(!t.gic.cpu_irq(0));
    t.setup();
    t.lr_w(0, lr(LR_PENDING, 0xa0, 40) | LR_HW | 40 << 10);
    assert_eq!(t.vr(IAR), 40);
    assert_eq!(t.dr(0x304), 1 << 8);
    t.vw(EOIR, 40);
    assert_eq!(t.lr_r(0) & 3 << 28, 0);
    assert_eq!(t.dr(0x304), 0, "guest EOI deactivated SPI 40");
    assert_eq!(t.hr(EISR0), 0);
    assert_eq!(
        t.hr(ELRSR0),
        0xf,
        "HW entries never wait for EOI maintenance"
    );
    // The line is still high: the physical interrupt is pending again.
    assert!(t.gic.cpu_irq(0));

    // A PPI (the virtual timer, 27) with a different virtual ID and the guest in
    // EOImode 1: deactivation happens at GICV_DIR.
    t.dw(0x300, 1 << 27);
    t.lr_w(1, lr(LR_PENDING, 0x80, 27) | LR_HW | 27 << 10);
    t.vw(CTLR, 3 | 1 << 9);
    assert_eq!(t.vr(IAR), 27);
    t.vw(EOIR, 27);
    assert_eq!(t.dr(0x300) & 1 << 27, 1 << 27);
    t.vw(DIR, 27);
    assert_eq!(t.dr(0x300) & 1 << 27, 0);
    // A PhysicalID that names an SGI deactivates nothing.
    t.dw(0x300, 1 << 5);
    t.lr_w(2, lr(LR_ACTIVE, 0x80, 50) | LR_HW | 5 << 10);
    t.vw(DIR, 50);
    assert_eq!(t.lr_r(2) & 3 << 28, 0);
    assert_eq!(t.dr(0x300) & 1 << 5, 1 << 5);
}

#[test]
fn eoi_maintenance_interrupt_on_ppi_25() {
    let mut t = T::new(1);
    t.dw(0x000, 3);
    t.cw(0x00, 3);
    t.cw(0x04, 0xf8);
    t.dw(0x100, 1 << 25);
    t.setup();
    t.lr_w(0, lr(LR_PENDING, 0x80, 64) | LR_EOI);
    assert_eq!(t.hr(ELRSR0), 0xe);
    assert_eq!(t.vr(IAR), 64);
    assert_eq!(t.hr(MISR), 0);
    assert!(!t.gic.cpu_irq(0));
    t.vw(EOIR, 64);
    assert_eq!(t.lr_r(0), lr(0, 0x80, 64) | LR_EOI);
    assert_eq!(t.hr(EISR0), 1);
    assert_eq!(
        t.hr(ELRSR0),
        0xe,
        "not free until the hypervisor handles the EOI"
    );
    assert_eq!(t.hr(MISR), MISR_EOI);
    assert!(t.gic.maintenance_irq(0));
    assert_eq!(t.dr(0x200) & 1 << 25, 1 << 25, "PPI 25 pending");
    assert!(t.gic.cpu_irq(0));
    assert_eq!(t.cr(0x0c), 25);
    // The hypervisor's handler clears the entry: the level drops.
    t.lr_w(0, 0);
    assert_eq!(t.hr(EISR0), 0);
    assert_eq!(t.hr(MISR), 0);
    assert!(!t.gic.maintenance_irq(0));
    t.cw(0x10, 25);
    assert!(!t.gic.cpu_irq(0));
    assert_eq!(t.dr(0x200) & 1 << 25, 0);
    // GICH_HCR.En gates the maintenance interrupt, not GICH_MISR.
    t.lr_w(2, LR_EOI | 7);
    assert_eq!(t.hr(MISR), MISR_EOI);
    assert!(t.gic.maintenance_irq(0));
    t.hw(HCR, 0);
    assert_eq!(t.hr(MISR), MISR_EOI);
    assert!(!t.gic.maintenance_irq(0));
    assert_eq!(t.dr(0x200) & 1 << 25, 0);
    // Pending and active -> pending keeps no EOI status.
    t.hw(HCR, HCR_EN);
    t.lr_w(2, lr(LR_PENDING | LR_ACTIVE, 0x80, 7) | LR_EOI);
    assert_eq!(t.hr(MISR), 0);
    t.hw(APR, 1 << 16);
    t.vw(EOIR, 7);
    assert_eq!(t.lr_r(2), lr(LR_PENDING, 0x80, 7) | LR_EOI);
    assert_eq!(t.hr(EISR0), 0);
}

#[test]
fn underflow_and_no_pending_maintenance() {
    let mut t = T::new(1);
    t.setup();
    t.hw(HCR, HCR_EN | HCR_UIE);
    assert_eq!(t.hr(MISR), MISR_U, "no valid entries");
    t.lr_w(0, lr(LR_PENDING, 0x80, 40));
    assert_eq!(t.hr(MISR), MISR_U, "one valid entry");
    t.lr_w(1, lr(LR_ACTIVE, 0x80, 41));
    assert_eq!(t.hr(MISR), 0, "two valid entries");
    assert!(!t.gic.maintenance_irq(0));
    t.hw(HCR, HCR_EN | HCR_NPIE);
    assert_eq!(t.hr(MISR), 0, "LR0 pending");
    assert_eq!(t.vr(IAR), 40);
    assert_eq!(t.hr(MISR), MISR_NP, "acknowledged: nothing pending");
    assert!(t.gic.maintenance_irq(0));
    t.lr_w(2, lr(LR_PENDING | LR_ACTIVE, 0x80, 42));
    assert_eq!(t.hr(MISR), 0, "pending and active counts as pending");
    t.hw(HCR, HCR_EN | HCR_UIE | HCR_NPIE);
    t.lr_w(0, 0);
    t.lr_w(2, 0);
    assert_eq!(t.hr(MISR), MISR_U | MISR_NP);
}

#[test]
fn eoi_without_list_register_counts_for_lrenp() {
    let mut t = T::new(1);
    t.setup();
    // The hypervisor evicted an active interrupt: only its priority stays in APR.
    t.hw(APR, 1 << 4);
    assert_eq!(t.vr(RPR), 0x20);
    t.vw(EOIR, 55);
    assert_eq!(t.hr(APR), 0, "priority dropped");
    assert_eq!(t.hr(HCR), HCR_EN | 1 << 27, "EOICount 1");
    assert_eq!(t.hr(MISR), 0, "LRENPIE clear");
    t.hw(HCR, HCR_EN | HCR_LRENPIE | 1 << 27);
    assert_eq!(t.hr(MISR), MISR_LRENP);
    assert!(t.gic.maintenance_irq(0));
    // DIR with EOImode 1 counts too; EOIR with EOImode 1 only drops priority.
    t.vw(CTLR, 3 | 1 << 9);
    t.vw(EOIR, 56);
    assert_eq!(t.hr(HCR) >> 27, 1);
    t.vw(DIR, 56);
    assert_eq!(t.hr(HCR) >> 27, 2);
    // Special IDs are ignored.
    t.vw(DIR, 1023);
    assert_eq!(t.hr(HCR) >> 27, 2);
    // So is an EOI with no active priority (UNPREDICTABLE; as QEMU).
    t.vw(CTLR, 3);
    t.vw(EOIR, 58);
    assert_eq!(t.hr(HCR) >> 27, 2);
    t.hw(APR, 1);
    t.vw(EOIR, 58);
    assert_eq!(t.hr(HCR) >> 27, 3);
    assert_eq!(t.hr(APR), 0);
    // The handler clears the count.
    t.hw(HCR, HCR_EN | HCR_LRENPIE);
    assert_eq!(t.hr(MISR), 0);
    assert!(!t.gic.maintenance_irq(0));
    // 5 bits, wrapping.
    t.hw(HCR, HCR_EN | 31 << 27);
    t.vw(CTLR, 3 | 1 << 9);
    t.vw(DIR, 57);
    assert_eq!(t.hr(HCR), HCR_EN);
}

#[test]
fn group_enable_and_disable_maintenance() {
    let mut t = T::new(1);
    t.hw(
        HCR,
        HCR_EN | HCR_VGRP0EIE | HCR_VGRP0DIE | HCR_VGRP1EIE | HCR_VGRP1DIE,
    );
    assert_eq!(t.hr(MISR), MISR_VGRP0D | MISR_VGRP1D);
    t.vw(CTLR, 1);
    assert_eq!(t.hr(MISR), MISR_VGRP0E | MISR_VGRP1D);
    t.vw(CTLR, 2);
    assert_eq!(t.hr(MISR), MISR_VGRP0D | MISR_VGRP1E);
    t.hw(HCR, HCR_EN | HCR_VGRP1EIE);
    assert_eq!(t.hr(MISR), MISR_VGRP1E);
    assert!(t.gic.maintenance_irq(0));
    t.hw(HCR, HCR_EN | HCR_VGRP0EIE);
    assert_eq!(t.hr(MISR), 0);
    assert!(!t.gic.maintenance_irq(0));
}

#[test]
fn priorities_preemption_and_binary_point() {
    let mut t = T::new(1);
    t.setup();
    t.lr_w(0, lr(LR_PENDING, 0x80, 40));
    t.lr_w(1, lr(LR_PENDING, 0x40, 41));
    t.lr_w(2, lr(LR_PENDING, 0x40, 42));
    assert_eq!(t.vr(HPPIR), 41, "highest priority, lowest LR on ties");
    assert_eq!(t.vr(IAR), 41);
    assert!(!t.virq(), "0x40 does not preempt running 0x40");
    assert_eq!(t.vr(IAR), 1023);
    t.vw(EOIR, 41);
    assert_eq!(t.vr(IAR), 42);
    assert_eq!(t.vr(RPR), 0x40);
    // A higher priority preempts the active one.
    t.lr_w(3, lr(LR_PENDING, 0x10, 43));
    assert!(t.virq());
    assert_eq!(t.vr(IAR), 43);
    assert_eq!(t.hr(APR), 1 << 2 | 1 << 8);
    assert_eq!(t.vr(RPR), 0x10);
    // EOI drops the highest active priority first.
    t.vw(EOIR, 43);
    assert_eq!(t.hr(APR), 1 << 8);
    t.vw(EOIR, 42);
    assert_eq!(t.hr(APR), 0);
    assert_eq!(t.vr(IAR), 40);
    t.vw(EOIR, 40);
    // Binary point 4: group priority is bits [7:5]; 0x50 and 0x40 share group 0x40.
    t.vw(BPR, 4);
    t.lr_w(0, lr(LR_PENDING, 0x50, 60));
    assert_eq!(t.vr(IAR), 60);
    assert_eq!(t.hr(APR), 1 << 8, "APR bit of group priority 0x40");
    assert_eq!(t.vr(RPR), 0x40);
    t.lr_w(1, lr(LR_PENDING, 0x48, 61));
    assert!(!t.virq(), "same group priority: no preemption");
    t.lr_w(1, lr(LR_PENDING, 0x38, 61));
    assert!(t.virq(), "group priority 0x20 preempts 0x40");
    // Group 1 uses GICV_ABPR (binary point ABPR - 1) unless CBPR.
    t.lr_w(1, 0);
    t.vw(CTLR, 3 | 1 << 2);
    t.vw(ABPR, 7);
    t.lr_w(2, lr(LR_PENDING, 0x48, 62) | LR_GRP1);
    assert!(t.virq(), "ABPR 7: group priority of 0x48 is 0");
    t.vw(CTLR, 3 | 1 << 2 | 1 << 4);
    assert!(!t.virq(), "CBPR: BPR 4 makes it 0x40");
    t.vw(CTLR, 3 | 1 << 2);
    assert_eq!(t.vr(IAR), 62);
    assert_eq!(t.hr(APR), 1 | 1 << 8);
}

#[test]
fn groups_ackctl_aliases_and_fiq() {
    let mut t = T::new(1);
    t.setup();
    t.lr_w(0, lr(LR_PENDING, 0x80, 70) | LR_GRP1);
    assert!(t.virq());
    assert_eq!(t.vr(HPPIR), 1022, "Group 1 without AckCtl");
    assert_eq!(t.vr(IAR), 1022);
    assert_eq!(t.lr_r(0) & 3 << 28, LR_PENDING, "not acknowledged");
    assert_eq!(t.vr(AHPPIR), 70);
    assert_eq!(t.vr(AIAR), 70);
    assert_eq!(t.lr_r(0) & 3 << 28, LR_ACTIVE);
    t.vw(AEOIR, 70);
    assert_eq!(t.lr_r(0) & 3 << 28, 0);
    // The aliases ignore Group 0.
    t.lr_w(1, lr(LR_PENDING, 0x80, 71));
    assert_eq!(t.vr(AHPPIR), 1023);
    assert_eq!(t.vr(AIAR), 1023);
    assert!(t.virq() && !t.vfiq());
    // FIQEn: Group 0 becomes a virtual FIQ; Group 1 stays an IRQ.
    t.vw(CTLR, 3 | 1 << 3);
    assert!(t.vfiq() && !t.virq());
    assert_eq!(t.vr(IAR), 71);
    assert!(!t.vfiq());
    t.lr_w(2, lr(LR_PENDING, 0x10, 72) | LR_GRP1);
    assert!(t.virq() && !t.vfiq());
    t.vw(CTLR, 3 | 1 << 2 | 1 << 3);
    assert_eq!(t.vr(IAR), 72, "AckCtl: GICV_IAR acknowledges Group 1");
    assert!(!t.virq() && !t.vfiq());
}

#[test]
fn sgi_source_cpu_and_pending_active_entries() {
    let mut t = T::new(1);
    t.setup();
    t.lr_w(0, lr(LR_PENDING, 0x80, 3) | 2 << 10);
    assert_eq!(t.vr(HPPIR), 2 << 10 | 3);
    assert_eq!(t.vr(IAR), 2 << 10 | 3, "CPUID in IAR[12:10]");
    // An EOI naming another source CPU matches no entry.
    t.vw(EOIR, 1 << 10 | 3);
    assert_eq!(t.lr_r(0) & 3 << 28, LR_ACTIVE);
    assert_eq!(t.hr(HCR) >> 27, 1);
    t.hw(APR, 1 << 16);
    t.vw(EOIR, 2 << 10 | 3);
    assert_eq!(t.lr_r(0) & 3 << 28, 0);
    // Pending and active: not acknowledged until deactivated, then pending.
    t.hw(HCR, HCR_EN);
    t.lr_w(1, lr(LR_PENDING | LR_ACTIVE, 0x80, 90));
    assert!(!t.virq());
    assert_eq!(t.vr(IAR), 1023);
    t.vw(CTLR, 3 | 1 << 9);
    t.vw(DIR, 90);
    assert_eq!(t.lr_r(1), lr(LR_PENDING, 0x80, 90));
    assert!(t.virq());
    assert_eq!(t.vr(IAR), 90);
    // An entry that is only pending is not deactivated.
    t.lr_w(2, lr(LR_PENDING, 0x90, 91));
    t.vw(DIR, 91);
    assert_eq!(t.lr_r(2), lr(LR_PENDING, 0x90, 91));
    assert_eq!(t.hr(HCR) >> 27, 1);
}

#[test]
fn per_cpu_frames_and_banking() {
    let mut t = T::new(2);
    t.cpu(1);
    t.hw(HCR, HCR_EN);
    t.vw(CTLR, 1);
    t.vw(PMR, 0xf8);
    t.lr_w(0, lr(LR_PENDING, 0x80, 44));
    assert!(t.gic.cpu_virq(1));
    assert!(!t.gic.cpu_virq(0));
    // CPU 0 sees its own (empty) frame at 0 and CPU 1's at 0x1200.
    t.cpu(0);
    assert_eq!(t.hr(0x100), 0);
    assert_eq!(t.hr(0x1200 + 0x100), lr(LR_PENDING, 0x80, 44));
    assert_eq!(t.hr(0x1000), 0);
    assert_eq!(t.hr(0x1200), HCR_EN);
    assert_eq!(t.vr(IAR), 1023);
    t.hw(0x1000 + 0x100 + 4, lr(LR_PENDING, 0x80, 45));
    assert_eq!(t.hr(0x104), lr(LR_PENDING, 0x80, 45));
    // No CPU 2..7: RAZ/WI.
    t.hw(0x1400, 1);
    assert_eq!(t.hr(0x1400), 0);
    assert_eq!(t.cpu(1).vr(IAR), 44);
    assert!(!t.gic.cpu_virq(1));
}

#[test]
fn reset_clears_the_virtual_interface() {
    let mut t = T::new(1);
    t.setup();
    t.lr_w(0, LR_EOI);
    assert!(t.gic.maintenance_irq(0));
    t.lr_w(1, lr(LR_PENDING, 0, 1));
    assert!(t.virq());
    t.gic.reset();
    assert!(!t.virq());
    assert!(!t.gic.maintenance_irq(0));
    assert_eq!(t.dr(0x200), 0, "PPI 25 no longer pending");
    assert_eq!(t.lr_r(0), 0);
    assert_eq!(t.hr(HCR), 0);
}
