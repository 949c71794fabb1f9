//! Bare-metal programs on the board's devices (sources and build script in tests/roms).

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

use emu_core::timer::ClockSource;
use machine_vexpress::{Exit, Machine, MachineConfig, MachineError};

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

fn run(image: &[u8], clock: ClockSource) -> (Result<Exit, MachineError>, String, Machine) {
    let mut m = Machine::new(MachineConfig {
        clock,
        max_insns: Some(50_000_000),
        ..MachineConfig::default()
    })
    .unwrap();
    let cap = Capture::default();
    m.set_serial_output(Box::new(cap.clone()));
    m.load_program(image).unwrap();
    let r = m.run();
    let out = String::from_utf8_lossy(&cap.0.borrow()).into_owned();
    (r, out, m)
}

#[test]
fn uart0_output_and_v2m_shutdown() {
    for clock in [ClockSource::Instructions, ClockSource::Host] {
        let (r, out, _) = run(include_bytes!("roms/uart_poweroff.bin"), clock);
        assert_eq!(r.unwrap(), Exit::PowerOff);
        assert_eq!(out, "hello from UART0\n");
    }
}

#[test]
fn sp804_interrupt_through_the_gic_wakes_wfi() {
    let (r, out, m) = run(
        include_bytes!("roms/sp804_irq.bin"),
        ClockSource::Instructions,
    );
    assert_eq!(r.unwrap(), Exit::PowerOff, "output so far: {out:?}");
    assert_eq!(out, "IRQ2\n");
    // 1000 ticks of 1 MHz = 1 ms = 62_500 counter ticks: WFI advanced the clock.
    assert!(m.cpu.insn_count >= 62_500, "{}", m.cpu.insn_count);
    assert!(m.cpu.insn_count < 200_000, "{}", m.cpu.insn_count);

    let (r, out, _) = run(include_bytes!("roms/sp804_irq.bin"), ClockSource::Host);
    assert_eq!(r.unwrap(), Exit::PowerOff);
    assert_eq!(out, "IRQ2\n");
}

#[test]
fn wfi_with_nothing_to_wake_is_an_error() {
    let (r, _, _) = run(
        include_bytes!("roms/wfi_forever.bin"),
        ClockSource::Instructions,
    );
    let e = r.unwrap_err();
    assert!(matches!(e, MachineError::WfiForever));
    assert_eq!(e.to_string(), "WFI with nothing to wake");
}
