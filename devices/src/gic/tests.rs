use super::*;

/// A 2-CPU, 160-interrupt GIC as on vexpress-a15, with its two windows.
struct T {
    gic: Gic,
    d: GicDistributor,
    c: GicCpuInterface,
}

impl T {
    fn new(cpus: usize) -> T {
        let gic = Gic::new(cpus, 4);
        T {
            d: gic.distributor(),
            c: gic.cpu_interface(),
            gic,
        }
    }
    fn cpu(&mut self, cpu: usize) -> &mut Self {
        self.gic.set_current_cpu(cpu);
        self
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
    fn iar(&mut self) -> u32 {
        self.cr(0x0c)
    }
    fn eoi(&mut self, v: u32) {
        self.cw(0x10, v)
    }
    /// Enables distributor and current CPU interface (both groups), PMR 0xf0.
    fn setup(&mut self) {
        self.dw(0x000, 3);
        self.cw(0x00, 3);
        self.cw(0x04, 0xf0);
    }
    fn enable(&mut self, id: u32) {
        self.dw(0x100 + (id / 32) as u64 * 4, 1 << (id % 32));
    }
    fn set_prio(&mut self, id: u32, p: u8) {
        assert!(self.d.write(0x400 + id as u64, 1, p as u64));
    }
    fn set_target(&mut self, id: u32, t: u8) {
        assert!(self.d.write(0x800 + id as u64, 1, t as u64));
    }
    fn pend(&mut self, id: u32) {
        self.dw(0x200 + (id / 32) as u64 * 4, 1 << (id % 32));
    }
}

#[test]
fn id_and_type_registers() {
    let mut t = T::new(2);
    assert_eq!(t.dr(0x004), 4 | (1 << 5));
    assert_eq!(t.dr(0x008), 0x0200_143b);
    assert_eq!(t.cr(0xfc), 0x0202_143b);
    let ids: Vec<u32> = (0..12).map(|i| t.dr(0xfd0 + 4 * i)).collect();
    assert_eq!(
        ids,
        [4, 0, 0, 0, 0x90, 0xb4, 0x2b, 0, 0x0d, 0xf0, 0x05, 0xb1]
    );
    let mut t1 = T::new(1);
    assert_eq!(t1.dr(0x004), 4);
    let big = Gic::new(8, 31);
    assert_eq!(big.num_irqs(), 1024);
    assert_eq!(big.distributor().read(4, 4), Some(31 | 7 << 5));
}

#[test]
fn reset_values() {
    let mut t = T::new(2);
    assert_eq!(t.dr(0x000), 0);
    assert_eq!(t.dr(0x080), 0);
    assert_eq!(t.dr(0x100), 0xffff, "SGIs are always enabled");
    assert_eq!(t.dr(0x104), 0);
    assert_eq!(t.dr(0x200), 0);
    assert_eq!(t.dr(0x300), 0);
    assert_eq!(t.dr(0x400), 0);
    assert_eq!(t.dr(0xc00), 0xaaaa_aaaa);
    assert_eq!(t.dr(0xc04), 0x5554_0000);
    assert_eq!(t.dr(0xc08), 0x5555_5555);
    assert_eq!(t.dr(0xc10), 0x5555_5555);
    assert_eq!(t.dr(0xc24), 0x5555_5555);
    assert_eq!(t.dr(0xc28), 0, "beyond ITLinesNumber: RAZ");
    assert_eq!(t.cr(0x00), 0);
    assert_eq!(t.cr(0x04), 0);
    assert_eq!(t.cr(0x08), 2);
    assert_eq!(t.cr(0x1c), 3);
    assert_eq!(t.cr(0x14), 0xff);
    assert_eq!(t.cr(0x18), 1023);
    assert_eq!(t.cr(0xd0), 0);
    assert_eq!(t.iar(), 1023);
}

#[test]
fn control_and_group_registers() {
    let mut t = T::new(2);
    t.dw(0x000, 0xffff_ffff);
    assert_eq!(t.dr(0x000), 3);
    t.dw(0x084, 0x8000_0001);
    assert_eq!(t.dr(0x084), 0x8000_0001);
    t.dw(0x094, 0xffff_ffff);
    assert_eq!(t.dr(0x094), 0, "beyond the last interrupt: RAZ/WI");
    // IGROUPR0 is banked.
    t.cpu(1).dw(0x080, 0xff);
    assert_eq!(t.cpu(0).dr(0x080), 0);
    assert_eq!(t.cpu(1).dr(0x080), 0xff);
    t.cpu(0);
    t.cw(0x00, 0xffff_ffff);
    assert_eq!(t.cr(0x00), 0x7ff);
    t.cw(0x04, 0xff);
    assert_eq!(t.cr(0x04), 0xf8, "5 priority bits");
    t.cw(0x08, 0);
    assert_eq!(t.cr(0x08), 2, "BPR minimum 2");
    t.cw(0x08, 5);
    assert_eq!(t.cr(0x08), 5);
    t.cw(0x1c, 1);
    assert_eq!(t.cr(0x1c), 3, "ABPR minimum 3");
    t.cw(0x1c, 7);
    assert_eq!(t.cr(0x1c), 7);
}

#[test]
fn enable_set_clear() {
    let mut t = T::new(2);
    t.dw(0x104, 0x0000_0011);
    t.dw(0x104, 0x0000_0100);
    assert_eq!(t.dr(0x104), 0x111);
    assert_eq!(t.dr(0x184), 0x111);
    t.dw(0x184, 0x10);
    assert_eq!(t.dr(0x104), 0x101);
    // SGIs cannot be disabled; PPIs can, banked per CPU.
    t.dw(0x180, 0xffff_ffff);
    assert_eq!(t.dr(0x100), 0xffff);
    t.dw(0x100, 1 << 27);
    assert_eq!(t.cpu(0).dr(0x100), 0xffff | 1 << 27);
    assert_eq!(t.cpu(1).dr(0x100), 0xffff);
}

#[test]
fn pend_ack_eoi_flow() {
    let mut t = T::new(2);
    t.setup();
    t.enable(40);
    t.set_prio(40, 0x80);
    t.set_target(40, 1);
    assert!(!t.gic.cpu_irq(0));
    t.gic.set_irq_line(40, true);
    t.gic.set_irq_line(40, false);
    // Level-sensitive by default: the pulse left nothing pending.
    assert!(!t.gic.cpu_irq(0));
    t.pend(40);
    assert_eq!(t.dr(0x204), 1 << 8);
    assert!(t.gic.cpu_irq(0));
    assert!(!t.gic.cpu_irq(1), "not targeted at CPU 1");
    assert!(!t.gic.cpu_fiq(0));
    assert_eq!(t.cr(0x18), 40);
    assert_eq!(t.iar(), 40);
    assert!(!t.gic.cpu_irq(0));
    assert_eq!(t.dr(0x204), 0);
    assert_eq!(t.dr(0x304), 1 << 8);
    assert_eq!(t.cr(0x14), 0x80);
    assert_eq!(t.cr(0xd0), 1 << 16);
    assert_eq!(t.iar(), 1023);
    t.eoi(40);
    assert_eq!(t.dr(0x304), 0);
    assert_eq!(t.cr(0x14), 0xff);
    assert_eq!(t.cr(0xd0), 0);
    // Clear-pending.
    t.pend(40);
    assert!(t.gic.cpu_irq(0));
    t.dw(0x284, 1 << 8);
    assert!(!t.gic.cpu_irq(0));
    assert_eq!(t.dr(0x204), 0);
}

#[test]
fn disabled_paths_block_delivery() {
    let mut t = T::new(1);
    t.enable(33);
    t.set_prio(33, 0x10);
    t.gic.set_irq_line(33, true);
    assert!(!t.gic.cpu_irq(0), "distributor disabled");
    t.dw(0x000, 1);
    assert!(!t.gic.cpu_irq(0), "CPU interface disabled");
    t.cw(0x00, 1);
    assert!(!t.gic.cpu_irq(0), "PMR 0 masks everything");
    t.cw(0x04, 0xf8);
    assert!(t.gic.cpu_irq(0), "uniprocessor: targets ignored");
    t.dw(0x184, 2);
    assert!(!t.gic.cpu_irq(0));
    assert_eq!(t.iar(), 1023);
    // Pending state is still visible.
    assert_eq!(t.dr(0x204), 2);
}

#[test]
fn pmr_masking() {
    let mut t = T::new(1);
    t.setup();
    t.enable(50);
    t.set_prio(50, 0xa0);
    t.pend(50);
    t.cw(0x04, 0xa0);
    assert!(!t.gic.cpu_irq(0), "priority equal to PMR is masked");
    assert_eq!(t.iar(), 1023);
    assert_eq!(t.cr(0x18), 50, "HPPIR ignores the mask");
    t.cw(0x04, 0xa8);
    assert!(t.gic.cpu_irq(0));
    assert_eq!(t.iar(), 50);
}

#[test]
fn priority_order_and_ties() {
    let mut t = T::new(1);
    t.setup();
    for (id, p) in [(40, 0x60), (41, 0x40), (42, 0x40), (43, 0x20)] {
        t.enable(id);
        t.set_prio(id, p);
        t.pend(id);
    }
    // Disable preemption so everything can be acknowledged in turn: BPR 7.
    t.cw(0x08, 7);
    t.cw(0x1c, 7);
    assert_eq!(t.iar(), 43);
    assert_eq!(t.cr(0x14), 0, "BPR 7: group priority 0");
    assert_eq!(t.iar(), 1023, "no preemption with BPR 7");
    t.eoi(43);
    assert_eq!(t.iar(), 41, "ties go to the lowest ID");
    t.eoi(41);
    assert_eq!(t.iar(), 42);
    t.eoi(42);
    assert_eq!(t.iar(), 40);
    t.eoi(40);
    assert_eq!(t.iar(), 1023);
}

#[test]
fn preemption_with_binary_point() {
    let mut t = T::new(1);
    t.setup();
    for (id, p) in [(40, 0x80), (41, 0x70), (42, 0x50)] {
        t.enable(id);
        t.set_prio(id, p);
    }
    t.pend(40);
    assert_eq!(t.iar(), 40);
    assert_eq!(t.cr(0x14), 0x80);
    // BPR 2: group priority bits [7:3]; 0x70 preempts 0x80.
    t.pend(41);
    assert!(t.gic.cpu_irq(0));
    // BPR 4: group priority bits [7:5]; 0x70 -> 0x60 still preempts 0x80.
    t.cw(0x08, 4);
    assert!(t.gic.cpu_irq(0));
    // BPR 6: group priority bit 7 only: 0x70 -> 0x00 preempts 0x80 (0x80).
    t.cw(0x08, 6);
    assert!(t.gic.cpu_irq(0));
    t.cw(0x08, 2);
    assert_eq!(t.iar(), 41);
    assert_eq!(t.cr(0x14), 0x70);
    assert_eq!(t.cr(0xd0), 1 << 16 | 1 << 14);
    t.pend(42);
    assert_eq!(t.iar(), 42);
    assert_eq!(t.cr(0x14), 0x50);
    t.eoi(42);
    assert_eq!(t.cr(0x14), 0x70);
    t.eoi(41);
    assert_eq!(t.cr(0x14), 0x80);
    t.eoi(40);
    assert_eq!(t.cr(0x14), 0xff);
    assert_eq!(t.dr(0x304), 0);
}

#[test]
fn equal_group_priority_does_not_preempt() {
    let mut t = T::new(1);
    t.setup();
    t.cw(0x08, 4); // group priority bits [7:5]
    for (id, p) in [(40, 0x88), (41, 0x80)] {
        t.enable(id);
        t.set_prio(id, p);
    }
    t.pend(40);
    assert_eq!(t.iar(), 40);
    assert_eq!(t.cr(0x14), 0x80, "running priority is the group priority");
    t.pend(41);
    assert!(!t.gic.cpu_irq(0));
    assert_eq!(t.iar(), 1023);
    assert_eq!(t.cr(0x18), 41);
    t.eoi(40);
    assert_eq!(t.iar(), 41);
}

#[test]
fn sgis_with_source_cpu() {
    let mut t = T::new(2);
    t.setup();
    t.cpu(1).setup();
    t.cpu(0).set_prio(3, 0x10);
    t.cpu(1).set_prio(3, 0x10);
    // CPU 1 sends SGI 3 to CPU 0 by target list.
    t.cpu(1).dw(0xf00, 1 << 16 | 3);
    assert!(t.gic.cpu_irq(0));
    assert!(!t.gic.cpu_irq(1));
    assert_eq!(t.cpu(0).dr(0x200), 1 << 3);
    assert_eq!(
        t.cpu(0).dr(0xf10),
        2 << 24,
        "CPENDSGIR0 byte 3: source CPU 1"
    );
    assert_eq!(t.cpu(0).cr(0x18), 1 << 10 | 3);
    // CPU 0 also sends it to itself ("self" filter); two sources pending.
    t.cpu(0).dw(0xf00, 2 << 24 | 3);
    assert_eq!(t.cpu(0).dr(0xf20), 3 << 24);
    assert_eq!(t.cpu(0).iar(), 3, "lowest source first: CPU 0");
    assert_eq!(t.cpu(0).dr(0xf20), 2 << 24);
    assert_eq!(t.cpu(0).iar(), 1023, "active and pending: not signalled");
    t.cpu(0).eoi(3);
    assert_eq!(t.cpu(0).iar(), 1 << 10 | 3);
    t.cpu(0).eoi(1 << 10 | 3);
    assert_eq!(t.cpu(0).dr(0xf10), 0);
    // "All but self" from CPU 0 hits CPU 1 only.
    t.cpu(0).dw(0xf00, 1 << 24 | 5);
    assert!(!t.gic.cpu_irq(0));
    assert!(t.gic.cpu_irq(1));
    assert_eq!(t.cpu(1).iar(), 5);
    t.cpu(1).eoi(5);
    // Target list filtered to existing CPUs; reserved filter ignored.
    t.cpu(0).dw(0xf00, 0xfc << 16 | 6);
    t.cpu(0).dw(0xf00, 3 << 24 | 0xff << 16 | 6);
    assert!(!t.gic.cpu_irq(0) && !t.gic.cpu_irq(1));
    // SPENDSGIR / CPENDSGIR.
    assert!(t.cpu(1).d.write(0xf21, 1, 0xff));
    assert_eq!(
        t.cpu(1).d.read(0xf21, 1),
        Some(3),
        "source bits limited to CPUs"
    );
    assert!(t.gic.cpu_irq(1));
    assert!(t.cpu(1).d.write(0xf11, 1, 1));
    assert_eq!(t.cpu(1).d.read(0xf11, 1), Some(2));
    assert_eq!(t.cpu(1).iar(), 1 << 10 | 1);
    t.cpu(1).eoi(1 << 10 | 1);
    // ISPENDR/ICPENDR do not touch SGIs.
    t.cpu(1).dw(0x200, 0xffff);
    assert_eq!(t.cpu(1).dr(0x200), 0);
    assert_eq!(t.dr(0xf00), 0, "SGIR is write-only");
}

#[test]
fn level_vs_edge() {
    let mut t = T::new(1);
    t.setup();
    t.enable(60);
    t.enable(61);
    // 61 edge-triggered: ICFGR3 field 13.
    t.dw(0xc0c, 2 << 26);
    assert_eq!(t.dr(0xc0c), 0x5555_5555 | 2 << 26);
    // Level: pending follows the line.
    t.gic.set_irq_line(60, true);
    assert_eq!(t.dr(0x204), 1 << 28);
    t.gic.set_irq_line(60, false);
    assert_eq!(t.dr(0x204), 0);
    t.gic.set_irq_line(60, true);
    assert_eq!(t.iar(), 60);
    assert_eq!(t.dr(0x304), 1 << 28);
    assert_eq!(
        t.dr(0x204),
        1 << 28,
        "active and pending while the line is high"
    );
    assert_eq!(t.iar(), 1023);
    t.gic.set_irq_line(60, false);
    t.eoi(60);
    assert_eq!(t.iar(), 1023);
    // Line still high at EOI: taken again.
    t.gic.set_irq_line(60, true);
    assert_eq!(t.iar(), 60);
    t.eoi(60);
    assert_eq!(t.iar(), 60);
    t.eoi(60);
    t.gic.set_irq_line(60, false);
    // Software pending on a level interrupt: stays until acknowledged.
    t.pend(60);
    assert_eq!(t.dr(0x204), 1 << 28);
    assert_eq!(t.iar(), 60);
    assert_eq!(t.dr(0x204), 0);
    t.eoi(60);
    // Edge: a pulse latches; the level afterwards does not matter.
    t.gic.set_irq_line(61, true);
    t.gic.set_irq_line(61, false);
    assert_eq!(t.dr(0x204), 1 << 29);
    assert_eq!(t.iar(), 61);
    assert_eq!(t.dr(0x204), 0);
    t.gic.set_irq_line(61, true);
    assert_eq!(t.dr(0x204), 1 << 29, "pending again while active");
    assert_eq!(t.iar(), 1023);
    t.eoi(61);
    assert_eq!(t.iar(), 61);
    t.eoi(61);
    t.gic.set_irq_line(61, true);
    assert_eq!(t.iar(), 1023, "no new edge");
    // SGI/PPI configuration is read-only.
    t.dw(0xc00, 0);
    t.dw(0xc04, 0xffff_ffff);
    assert_eq!(t.dr(0xc00), 0xaaaa_aaaa);
    assert_eq!(t.dr(0xc04), 0x5554_0000);
}

#[test]
fn ppis_are_banked_level_inputs() {
    let mut t = T::new(2);
    t.cpu(0).setup();
    t.cpu(1).setup();
    t.cpu(0).enable(27);
    t.cpu(1).enable(27);
    t.cpu(1).enable(30);
    t.gic.set_ppi(1, 30, true);
    assert!(!t.gic.cpu_irq(0));
    assert!(t.gic.cpu_irq(1));
    assert_eq!(t.cpu(1).dr(0x200), 1 << 30);
    assert_eq!(t.cpu(0).dr(0x200), 0);
    t.gic.set_ppi(0, 27, true);
    assert_eq!(t.cpu(0).iar(), 27);
    assert_eq!(t.cpu(1).iar(), 30);
    t.gic.set_ppi(1, 30, false);
    t.cpu(1).eoi(30);
    assert!(!t.gic.cpu_irq(1));
    // Bad inputs are ignored.
    t.gic.set_ppi(0, 40, true);
    t.gic.set_ppi(5, 27, true);
    t.gic.set_irq_line(20, true);
    t.gic.set_irq_line(160, true);
}

#[test]
fn split_eoi_and_dir() {
    let mut t = T::new(1);
    t.setup();
    t.cw(0x00, 3 | 1 << 9);
    for (id, p) in [(40, 0x80), (41, 0x40)] {
        t.enable(id);
        t.set_prio(id, p);
    }
    t.pend(40);
    assert_eq!(t.iar(), 40);
    t.eoi(40);
    assert_eq!(t.cr(0x14), 0xff, "priority dropped");
    assert_eq!(t.dr(0x304), 1 << 8, "still active");
    t.pend(40);
    assert_eq!(t.iar(), 1023, "active: not taken again");
    // Another interrupt can be taken after the drop.
    t.pend(41);
    assert_eq!(t.iar(), 41);
    t.eoi(41);
    t.cw(0x1000, 41);
    t.cw(0x1000, 40);
    assert_eq!(t.dr(0x304), 0);
    assert_eq!(t.iar(), 40);
    t.eoi(40);
    t.cw(0x1000, 40);
    // DIR with EOImode 0 is ignored.
    t.cw(0x00, 3);
    t.pend(40);
    assert_eq!(t.iar(), 40);
    t.cw(0x1000, 40);
    assert_eq!(t.dr(0x304), 1 << 8);
    t.eoi(40);
    assert_eq!(t.dr(0x304), 0);
}

#[test]
fn spurious_and_bad_eoi() {
    let mut t = T::new(1);
    t.setup();
    assert_eq!(t.iar(), 1023);
    t.eoi(1023);
    t.eoi(500);
    t.eoi(40); // no active priority: ignored
    assert_eq!(t.cr(0x14), 0xff);
    // Interrupt withdrawn between signalling and acknowledge: spurious.
    t.enable(40);
    t.gic.set_irq_line(40, true);
    assert!(t.gic.cpu_irq(0));
    t.gic.set_irq_line(40, false);
    assert_eq!(t.iar(), 1023);
}

#[test]
fn groups_fiq_and_ackctl() {
    let mut t = T::new(1);
    t.setup();
    t.enable(40);
    t.enable(41);
    t.set_prio(40, 0x40);
    t.set_prio(41, 0x20);
    t.dw(0x084, 1 << 9); // 41 is Group 1
    t.pend(40);
    assert!(t.gic.cpu_irq(0));
    t.cw(0x00, 3 | 1 << 3); // FIQEn
    assert!(t.gic.cpu_fiq(0) && !t.gic.cpu_irq(0));
    t.pend(41);
    assert!(
        t.gic.cpu_irq(0) && !t.gic.cpu_fiq(0),
        "Group 1 highest: IRQ"
    );
    assert_eq!(t.cr(0x18), 1022);
    assert_eq!(t.iar(), 1022, "AckCtl 0: Group 1 not acknowledged");
    t.cw(0x00, 3 | 1 << 3 | 1 << 2);
    assert_eq!(t.iar(), 41);
    assert_eq!(t.cr(0xe0), 1 << 4, "Group 1 active priority in NSAPR0");
    assert_eq!(t.cr(0xd0), 0);
    assert!(
        !t.gic.cpu_fiq(0) && !t.gic.cpu_irq(0),
        "0x40 doesn't preempt 0x20"
    );
    assert_eq!(t.iar(), 1023);
    t.eoi(41);
    assert_eq!(t.iar(), 40);
    t.eoi(40);
    // Group 1 disabled in the distributor.
    t.dw(0x000, 1);
    t.pend(41);
    assert!(!t.gic.cpu_irq(0) && !t.gic.cpu_fiq(0));
    // Group 1 disabled in the CPU interface only.
    t.dw(0x000, 3);
    t.cw(0x00, 1);
    assert!(!t.gic.cpu_irq(0));
    t.cw(0x00, 2 | 1 << 2);
    assert_eq!(t.iar(), 41);
}

#[test]
fn abpr_for_group1() {
    let mut t = T::new(1);
    t.setup();
    t.cw(0x00, 3 | 1 << 2);
    t.dw(0x084, 0xff << 8); // 40..47 Group 1
    t.dw(0x104, 0xff << 8);
    t.set_prio(40, 0x70);
    t.set_prio(41, 0x70);
    t.set_prio(42, 0x20);
    t.set_prio(43, 0x70);
    t.set_prio(44, 0x70);
    t.set_prio(45, 0x10);
    // ABPR 5 (= BPR 4): group priority bits [7:5].
    t.cw(0x1c, 5);
    t.pend(40);
    assert_eq!(t.iar(), 40);
    assert_eq!(t.cr(0x14), 0x60);
    assert_eq!(t.cr(0xe0), 1 << 12);
    // CBPR 1: Group 1 uses BPR (2): bits [7:3].
    t.cw(0x00, 3 | 1 << 2 | 1 << 4);
    t.pend(41);
    assert!(!t.gic.cpu_irq(0), "0x70 does not preempt 0x60");
    t.eoi(40);
    assert_eq!(t.iar(), 41);
    assert_eq!(t.cr(0x14), 0x70, "recorded with BPR 2");
    assert_eq!(t.cr(0xe0), 1 << 14);
    t.eoi(41);
    assert_eq!(t.cr(0x14), 0xff);
    t.pend(43);
    assert_eq!(t.iar(), 43);
    // 0x20 preempts; its group priority with BPR 2 is 0x20.
    t.pend(42);
    assert_eq!(t.iar(), 42);
    assert_eq!(t.cr(0x14), 0x20);
    t.eoi(42);
    t.eoi(43);
    // ABPR 7 (= BPR 6) with CBPR 0: only bit 7 counts; 0x70 -> 0 and 0x10 can't preempt.
    t.cw(0x00, 3 | 1 << 2);
    t.cw(0x1c, 7);
    t.pend(44);
    assert_eq!(t.iar(), 44);
    assert_eq!(t.cr(0x14), 0);
    t.pend(45);
    assert!(!t.gic.cpu_irq(0));
    t.eoi(44);
    assert_eq!(t.iar(), 45);
}

#[test]
fn byte_access_priority_and_targets() {
    let mut t = T::new(2);
    assert!(t.d.write(0x400 + 42, 1, 0xff));
    assert_eq!(t.d.read(0x400 + 42, 1), Some(0xf8));
    assert_eq!(t.dr(0x428), 0x00f8_0000);
    t.dw(0x428, 0x1234_5678);
    assert_eq!(t.dr(0x428), 0x1030_5078);
    assert_eq!(t.d.read(0x42b, 1), Some(0x10));
    // SGI/PPI priorities are banked.
    t.cpu(1).dw(0x400, 0xa0a0_a0a0);
    assert_eq!(t.cpu(0).dr(0x400), 0);
    assert_eq!(t.cpu(1).dr(0x400), 0xa0a0_a0a0);
    // ITARGETSR: private interrupts read the accessing CPU's bit.
    assert_eq!(t.cpu(0).dr(0x800), 0x0101_0101);
    assert_eq!(t.cpu(1).dr(0x81c), 0x0202_0202);
    assert_eq!(t.cpu(1).d.read(0x81f, 1), Some(2));
    t.dw(0x800, 0);
    assert_eq!(t.cpu(1).dr(0x800), 0x0202_0202, "read-only");
    // SPIs: only implemented CPUs' bits.
    assert_eq!(t.dr(0x820), 0);
    assert!(t.d.write(0x821, 1, 0xff));
    assert_eq!(t.dr(0x820), 0x0300);
    t.dw(0x824, 0x0201_0302);
    assert_eq!(t.dr(0x824), 0x0201_0302);
    assert_eq!(t.d.read(0x826, 1), Some(1));
    // Half-word access to a byte register: RAZ/WI.
    assert_eq!(t.d.read(0x824, 2), Some(0));
    assert!(t.d.write(0x824, 2, 0));
    assert_eq!(t.dr(0x824), 0x0201_0302);
    // Beyond the implemented interrupts.
    t.dw(0x4a0, 0xffff_ffff);
    assert_eq!(t.dr(0x4a0), 0);
}

#[test]
fn spi_targets_route_to_cpus() {
    let mut t = T::new(2);
    t.cpu(1).setup();
    t.cpu(0).setup();
    t.enable(45);
    t.set_target(45, 2);
    t.gic.set_irq_line(45, true);
    assert!(!t.gic.cpu_irq(0));
    assert!(t.gic.cpu_irq(1));
    t.set_target(45, 3);
    assert!(t.gic.cpu_irq(0) && t.gic.cpu_irq(1));
    // The first to acknowledge takes it (it becomes active for both).
    assert_eq!(t.cpu(1).iar(), 45);
    assert_eq!(t.cpu(0).iar(), 1023);
    t.gic.set_irq_line(45, false);
    t.cpu(1).eoi(45);
    assert!(!t.gic.cpu_irq(0) && !t.gic.cpu_irq(1));
}

#[test]
fn active_registers() {
    let mut t = T::new(2);
    t.dw(0x304, 0x10);
    assert_eq!(t.dr(0x304), 0x10);
    assert_eq!(t.dr(0x384), 0x10);
    t.dw(0x384, 0x10);
    assert_eq!(t.dr(0x304), 0);
    t.cpu(1).dw(0x300, 1 << 5);
    assert_eq!(t.cpu(0).dr(0x300), 0);
    assert_eq!(t.cpu(1).dr(0x300), 1 << 5);
    // An active interrupt is not signalled.
    t.cpu(0).setup();
    t.enable(36);
    t.set_target(36, 1);
    t.dw(0x304, 0x10);
    t.pend(36);
    assert!(!t.gic.cpu_irq(0));
    t.dw(0x384, 0x10);
    assert!(t.gic.cpu_irq(0));
}

#[test]
fn apr_registers_read_write() {
    let mut t = T::new(1);
    t.cw(0xd0, 1 << 5);
    assert_eq!(t.cr(0xd0), 1 << 5);
    assert_eq!(t.cr(0x14), 0x28);
    t.cw(0xe0, 1 << 2);
    assert_eq!(t.cr(0x14), 0x10);
    t.cw(0xd4, 0xffff);
    assert_eq!(t.cr(0xd4), 0);
}

#[test]
fn misuse_is_raz_wi() {
    let mut t = T::new(1);
    assert_eq!(t.d.read(0x000, 2), Some(0));
    assert_eq!(t.d.read(0x002, 4), Some(0));
    assert!(t.d.write(0x004, 4, 0xffff));
    assert_eq!(t.dr(0x004), 4);
    assert_eq!(t.dr(0xe00), 0);
    assert!(t.d.write(0xe00, 4, 1));
    assert_eq!(t.c.read(0x0c, 1), Some(0));
    assert_eq!(t.c.read(0x40, 4), Some(0));
    assert!(t.c.write(0x14, 4, 0));
    assert!(t.c.write(0x8, 8, 0));
    assert_eq!(t.cr(0x10), 0);
    assert_eq!(t.cr(0x1000), 0);
    // An access from a CPU without an interface.
    t.gic.set_current_cpu(3);
    assert_eq!(t.dr(0x100), 0);
    assert_eq!(t.iar(), 0);
    t.dw(0x000, 3);
    t.gic.set_current_cpu(0);
    assert_eq!(t.dr(0x000), 0);
    assert!(!t.gic.cpu_irq(3));
    assert_eq!(t.d.name(), "gic-dist");
    assert_eq!(t.c.name(), "gic-cpu");
    assert_eq!(t.gic.num_cpus(), 1);
    assert_eq!(t.gic.current_cpu_cell().get(), 0);
}

#[test]
fn reset_keeps_line_levels() {
    let mut t = T::new(1);
    t.setup();
    t.enable(40);
    t.enable(41);
    t.dw(0xc08, 2 << 18); // 41 edge
    t.gic.set_irq_line(40, true);
    t.gic.set_irq_line(41, true);
    assert_eq!(t.iar(), 40);
    t.gic.reset();
    assert_eq!(t.dr(0x000), 0);
    assert_eq!(t.dr(0x104), 0);
    assert_eq!(t.dr(0x304), 0);
    assert_eq!(t.cr(0x14), 0xff);
    assert_eq!(t.dr(0xc08), 0x5555_5555);
    assert_eq!(
        t.dr(0x204),
        3 << 8,
        "lines still high: pending (both level now)"
    );
    t.gic.set_irq_line(40, false);
    assert_eq!(t.dr(0x204), 2 << 8);
}
