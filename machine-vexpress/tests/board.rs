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

const ECHO: &[u8] = include_bytes!("roms/uart_echo.bin");

/// The echo program with UARTLCR_H (the word at offset 4) set to `lcr_h`.
fn echo_rom(lcr_h: u32) -> Vec<u8> {
    let mut rom = ECHO.to_vec();
    rom[4..8].copy_from_slice(&lcr_h.to_le_bytes());
    rom
}

fn machine_with_input(
    image: &[u8],
    clock: ClockSource,
) -> (Machine, Capture, crossbeam_channel::Sender<u8>) {
    let mut m = Machine::new(MachineConfig {
        clock,
        max_insns: Some(200_000_000),
        ..MachineConfig::default()
    })
    .unwrap();
    let cap = Capture::default();
    m.set_serial_output(Box::new(cap.clone()));
    let (tx, rx) = crossbeam_channel::unbounded();
    m.set_serial_input(rx);
    m.load_program(image).unwrap();
    (m, cap, tx)
}

fn captured(cap: &Capture) -> String {
    String::from_utf8_lossy(&cap.0.borrow()).into_owned()
}

/// A paste much longer than the 32-entry FIFO, queued before the guest even enables
/// the UART: every byte arrives, in order, with no overrun, with the FIFO on and with
/// the one-byte holding register.
#[test]
fn pasted_input_is_echoed_without_loss() {
    let text: String = (0..20)
        .map(|i| format!("line {i}: the quick brown fox jumps over the lazy dog\r\n"))
        .collect();
    // 'q' ends the program.
    let text = text.replace('q', "Q");
    for lcr_h in [0x70, 0x60] {
        for clock in [ClockSource::Instructions, ClockSource::Host] {
            let (mut m, cap, tx) = machine_with_input(&echo_rom(lcr_h), clock);
            for b in text.bytes().chain(*b"q") {
                tx.send(b).unwrap();
            }
            let t0 = std::time::Instant::now();
            let r = m.run();
            eprintln!(
                "{lcr_h:#x} {clock:?} {:?} {}",
                t0.elapsed(),
                m.cpu.insn_count
            );
            assert_eq!(r.unwrap(), Exit::PowerOff, "lcr_h {lcr_h:#x} {clock:?}");
            assert_eq!(captured(&cap), text, "lcr_h {lcr_h:#x} {clock:?}");
        }
    }
}

/// WFI with no timer running waits for host input (host clock: in real time).
#[test]
fn wfi_wakes_on_input() {
    for clock in [ClockSource::Host, ClockSource::Instructions] {
        let (mut m, cap, tx) = machine_with_input(&echo_rom(0x70), clock);
        let typist = std::thread::spawn(move || {
            for &b in b"hi there q" {
                std::thread::sleep(std::time::Duration::from_millis(20));
                tx.send(b).unwrap();
            }
        });
        let start = std::time::Instant::now();
        let r = m.run();
        typist.join().unwrap();
        assert_eq!(r.unwrap(), Exit::PowerOff, "{clock:?}");
        assert_eq!(captured(&cap), "hi there ", "{clock:?}");
        assert!(start.elapsed() >= std::time::Duration::from_millis(200));
        // The core slept in WFI: far fewer instructions than 200 ms of spinning.
        assert!(
            m.cpu.insn_count < 1_000_000,
            "{clock:?}: {}",
            m.cpu.insn_count
        );
    }
}

/// A closed input channel (stdin at EOF) just ends input: the guest then waits for an
/// interrupt nothing can raise.
#[test]
fn closed_input_ends_input() {
    let (mut m, cap, tx) = machine_with_input(&echo_rom(0x70), ClockSource::Host);
    tx.send(b'a').unwrap();
    tx.send(b'b').unwrap();
    drop(tx);
    let r = m.run();
    assert!(matches!(r, Err(MachineError::WfiForever)), "{r:?}");
    assert_eq!(captured(&cap), "ab");
}

/// The stop flag ends a run, both while the core waits in WFI for input and while it
/// executes, with Exit::Quit (status 0).
#[test]
fn stop_handle_quits_waiting_and_running_guests() {
    let (mut m, _cap, _tx) = machine_with_input(&echo_rom(0x70), ClockSource::Host);
    let stop = m.stop_handle();
    let t = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    let start = std::time::Instant::now();
    assert_eq!(m.run().unwrap(), Exit::Quit);
    assert!(start.elapsed() < std::time::Duration::from_secs(2));
    t.join().unwrap();
    assert_eq!(Exit::Quit.status(), 0);

    // b . (runs until stopped)
    let mut m = Machine::new(MachineConfig::default()).unwrap();
    m.load_program(&0xeafffffeu32.to_le_bytes()).unwrap();
    let stop = m.stop_handle();
    let t = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    assert_eq!(m.run().unwrap(), Exit::Quit);
    t.join().unwrap();
    assert!(m.cpu.insn_count > 0);
}

#[test]
fn an_sp810_scsysstat_write_reboots_the_board() {
    // movw r0, #0x0004; movt r0, #0x1c02 (SP810 SCSYSSTAT); mov r1, #1; str r1, [r0]; b .
    let words: [u32; 5] = [
        0xe300_0004,
        0xe341_0c02,
        0xe3a0_1001,
        0xe580_1000,
        0xeaff_fffe,
    ];
    let image: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    let (r, out, _) = run(&image, ClockSource::Instructions);
    assert_eq!(r.unwrap(), Exit::Reboot, "output so far: {out:?}");
}
