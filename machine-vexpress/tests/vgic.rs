//! The GIC's virtualization frames on the board: a list register drives the core's
//! virtual IRQ input, and the EOI maintenance interrupt arrives as PPI 25 on the
//! physical IRQ input; end to end, a guest takes a list-register interrupt.

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

use emu_core::timer::ClockSource;
use emu_core::Mode;
use machine_vexpress::board::{GICC_BASE, GICD_BASE, GICH_BASE, GICV_BASE, PPI_MAINTENANCE};
use machine_vexpress::{Exit, Machine, MachineConfig};

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

/// tests/roms/vgic_guest.S: a Hyp-mode "hypervisor" hands virtual interrupt 27 to a
/// Non-secure SVC guest through GICH_LR0 (with EOI maintenance); the guest acknowledges
/// and ends it through GICV; the maintenance interrupt (PPI 25) then goes to Hyp under
/// HCR.IMO; then a hardware list register (HW = 1) for physical SPI 40, whose virtual
/// EOI deactivates SPI 40 in the distributor. Started in Hyp here; started in Secure SVC
/// it enters Hyp through Monitor mode, so its ELF runs unchanged under `qemu-system-arm
/// -M vexpress-a15,virtualization=on -serial stdio`, which prints the same lines (QEMU
/// 7.2).
#[test]
fn guest_takes_a_list_register_interrupt_and_its_eoi_reaches_hyp() {
    let mut m = Machine::new(MachineConfig {
        clock: ClockSource::Instructions,
        max_insns: Some(1_000_000),
        ..MachineConfig::default()
    })
    .unwrap();
    let cap = Capture::default();
    m.set_serial_output(Box::new(cap.clone()));
    let img = m
        .load_program(include_bytes!("roms/vgic_guest.bin"))
        .unwrap();
    // The board has no Secure firmware (no Monitor mode): start in Hyp, as a Linux
    // kernel does.
    m.cpu.reset(img.entry, Mode::Hyp);
    assert_eq!(m.run().unwrap(), Exit::PowerOff);
    let out = String::from_utf8_lossy(&cap.0.borrow()).into_owned();
    // Guest GICV_IAR, Hyp GICC_IAR (PPI 25), GICH_EISR0 (LR0), GICH_MISR (EOI), LR0
    // invalid after the guest's EOI (priority 0xa0, EOI bit, ID 27), the guest handler's
    // mode (IRQ: taken at the guest's vector, not in Hyp); then the hardware list
    // register: GICC_IAR (SPI 40), GICD_ISACTIVER1 (40 active), GICV_IAR (80),
    // GICD_ISACTIVER1 after the virtual EOI (deactivated), LR1 (HW, invalid).
    let want = [
        0x1b,
        0x19,
        1,
        1,
        0x0a08_001b,
        0x12,
        0x28,
        0x100,
        0x50,
        0,
        0x8a00_a050u32,
    ];
    let want: String = want.iter().map(|w| format!("{w:08x}\n")).collect();
    assert_eq!(out, want);
}

#[derive(Clone, Default)]
struct Capture(Rc<RefCell<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
