//! The GIC's virtualization frames on the board: a list register drives the core's
//! virtual IRQ input, and the EOI maintenance interrupt arrives as PPI 25 on the
//! physical IRQ input.

use machine_vexpress::board::{GICC_BASE, GICD_BASE, GICH_BASE, GICV_BASE, PPI_MAINTENANCE};
use machine_vexpress::{Machine, MachineConfig};

struct B(Machine);

impl B {
    fn r(&mut self, pa: u64) -> u32 {
        self.0.cpu.bus.read(pa, 4).expect("GIC access") as u32
    }
    fn w(&mut self, pa: u64, v: u32) {
        assert!(self.0.cpu.bus.write(pa, 4, v as u64));
    }
    /// The board samples the GIC's outputs into the core's inputs.
    fn lines(&mut self) -> (bool, bool, bool, bool) {
        let m = &mut self.0;
        m.board.update_interrupts(&mut m.cpu);
        (
            m.cpu.irq_line,
            m.cpu.fiq_line,
            m.cpu.virq_line,
            m.cpu.vfiq_line,
        )
    }
}

#[test]
fn list_register_drives_virq_and_eoi_maintenance_drives_ppi_25() {
    let mut b = B(Machine::new(MachineConfig::default()).unwrap());
    assert_eq!(b.r(GICH_BASE + 0x04), 0x9000_0003, "GICH_VTR");
    assert_eq!(b.r(GICV_BASE + 0xfc), 0x0202_143b, "GICV_IIDR");
    assert_eq!(b.lines(), (false, false, false, false));

    // The hypervisor: physical GIC on, maintenance PPI enabled; GICH_HCR.En.
    b.w(GICD_BASE, 3);
    b.w(GICD_BASE + 0x100, 1 << PPI_MAINTENANCE);
    b.w(GICC_BASE, 3);
    b.w(GICC_BASE + 0x04, 0xf8);
    b.w(GICH_BASE, 1);
    // The guest's view: Group 0 enabled, PMR open.
    b.w(GICV_BASE, 1);
    b.w(GICV_BASE + 0x04, 0xf8);
    // LR0: virtual interrupt 27, pending, priority 0xa0, EOI maintenance requested.
    b.w(
        GICH_BASE + 0x100,
        1 << 28 | (0xa0 >> 3) << 23 | 1 << 19 | 27,
    );
    assert_eq!(b.lines(), (false, false, true, false));

    // FIQEn turns the Group 0 interrupt into a virtual FIQ.
    b.w(GICV_BASE, 1 | 1 << 3);
    assert_eq!(b.lines(), (false, false, false, true));
    b.w(GICV_BASE, 1);

    // The guest acknowledges and ends it.
    assert_eq!(b.r(GICV_BASE + 0x0c), 27);
    assert_eq!(b.lines(), (false, false, false, false));
    b.w(GICV_BASE + 0x10, 27);
    assert_eq!(b.r(GICH_BASE + 0x20), 1, "GICH_EISR0");
    assert_eq!(b.r(GICH_BASE + 0x10), 1, "GICH_MISR.EOI");
    // The same frame through CPU 0's alias.
    assert_eq!(b.r(GICH_BASE + 0x1000 + 0x20), 1);

    // Maintenance interrupt: PPI 25 on the physical IRQ.
    assert_eq!(b.lines(), (true, false, false, false));
    assert_eq!(b.r(GICC_BASE + 0x0c), PPI_MAINTENANCE);
    b.w(GICH_BASE + 0x100, 0);
    b.w(GICC_BASE + 0x10, PPI_MAINTENANCE);
    assert_eq!(b.lines(), (false, false, false, false));
    assert_eq!(b.r(GICH_BASE + 0x30), 0xf, "all list registers free");
}
