//! The board's peripherals: the memory map of `vexpress-v2p-ca15-tc1.dts` (the "rs1"
//! motherboard memory map: motherboard CS3 peripherals from 0x1c000000, the CoreTile's
//! GIC at 0x2c000000 with its virtualization frames), the devices' interrupt wiring through
//! the GIC to the core (physical and virtual IRQ/FIQ), and the clock the devices count
//! time on.
//!
//! The board keeps a shared handle ([`Rc<RefCell<_>>`]) on each device whose lines it
//! samples; the [`DeviceMap`] it builds holds the other handle as the CPU's bus.

use std::cell::{Cell, RefCell};
use std::io::Write;
use std::rc::Rc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, TryRecvError};
use devices::gic::Gic;
use devices::pl011::Pl011;
use devices::pl031::Pl031;
use devices::sp804::Sp804;
use devices::sp810::{Sp810, TIMCLK_HZ};
use devices::v2m_sysregs::{PowerRequest, V2mSysRegs};
use devices::{DeviceMap, MmioDevice};
use emu_core::timer::{ClockSource, NS_PER_TICK};
use emu_core::Cpu;

/// Motherboard system registers (V2M-P1 SYS_*).
pub const SYSREGS_BASE: u64 = 0x1c01_0000;
/// SP810 system controller.
pub const SP810_BASE: u64 = 0x1c02_0000;
/// PL011 UART0..3.
pub const UART_BASES: [u64; 4] = [0x1c09_0000, 0x1c0a_0000, 0x1c0b_0000, 0x1c0c_0000];
/// SP804 timer01 and timer23.
pub const TIMER_BASES: [u64; 2] = [0x1c11_0000, 0x1c12_0000];
/// PL031 RTC.
pub const RTC_BASE: u64 = 0x1c17_0000;
/// GIC-400 distributor and CPU interface.
pub const GICD_BASE: u64 = 0x2c00_1000;
pub const GICC_BASE: u64 = 0x2c00_2000;
/// GIC-400 virtual interface control (GICH: the current CPU's frame, then the per-CPU
/// aliases at +0x1000) and virtual CPU interface (GICV, 8 KiB), as on the CoreTile
/// Express A15x2 and in vexpress-v2p-ca15-tc1.dts.
pub const GICH_BASE: u64 = 0x2c00_4000;
pub const GICV_BASE: u64 = 0x2c00_6000;

/// SPI numbers (interrupt ID = 32 + SPI), from the dts.
pub const UART_SPIS: [u32; 4] = [5, 6, 7, 8];
pub const TIMER_SPIS: [u32; 2] = [2, 3];
pub const RTC_SPI: u32 = 4;
/// Generic-timer PPIs (interrupt IDs): secure physical, non-secure physical, virtual, hyp.
pub const PPI_SEC_PHYS: u32 = 29;
pub const PPI_NS_PHYS: u32 = 30;
pub const PPI_VIRT: u32 = 27;
pub const PPI_HYP: u32 = 26;
/// The GIC's virtual interface maintenance interrupt (driven inside the GIC).
pub const PPI_MAINTENANCE: u32 = devices::gic_virt::MAINTENANCE_PPI;

/// GICD_TYPER.ITLinesNumber: 160 interrupt IDs (128 SPIs), as QEMU's vexpress-a15.
const GIC_IT_LINES: u32 = 4;

/// A device window whose device the board also holds.
struct Shared<T>(Rc<RefCell<T>>);

impl<T: MmioDevice> MmioDevice for Shared<T> {
    fn read(&mut self, offset: u64, size: u32) -> Option<u64> {
        self.0.borrow_mut().read(offset, size)
    }
    fn write(&mut self, offset: u64, size: u32, value: u64) -> bool {
        self.0.borrow_mut().write(offset, size, value)
    }
    fn name(&self) -> &'static str {
        self.0.borrow().name()
    }
}

/// Where UART0's output goes (stdout unless replaced).
pub type SerialSink = Rc<RefCell<Box<dyn Write>>>;

/// How often buffered UART0 output reaches the host while the guest keeps running (it
/// is also flushed whenever the core waits in WFI, so interactive echo is immediate).
const SERIAL_FLUSH_INTERVAL: Duration = Duration::from_millis(20);

/// Machine time in nanoseconds, as the devices see it.
///
/// With the host clock it is read live; with the instruction clock it is the value the
/// run loop stored at the last slice boundary (device reads inside a slice see the time
/// the slice started at).
#[derive(Clone)]
pub struct BoardClock {
    pub source: ClockSource,
    now_ns: Rc<Cell<u64>>,
}

impl BoardClock {
    pub fn now_ns(&self) -> u64 {
        match self.source {
            ClockSource::Host => self.source.nanos(0),
            ClockSource::Instructions => self.now_ns.get(),
        }
    }

    /// Brings the instruction clock up to the core's count.
    pub fn sync(&self, cpu: &Cpu) {
        self.now_ns.set(self.source.nanos(cpu.insn_count));
    }

    fn closure(&self) -> Box<dyn Fn() -> u64> {
        let c = self.clone();
        Box::new(move || c.now_ns())
    }
}

/// The peripherals and their wiring.
pub struct Board {
    pub gic: Gic,
    pub uarts: Vec<Rc<RefCell<Pl011>>>,
    pub timers: Vec<Rc<RefCell<Sp804>>>,
    pub rtc: Rc<RefCell<Pl031>>,
    pub sysregs: Rc<RefCell<V2mSysRegs>>,
    pub sp810: Rc<RefCell<Sp810>>,
    pub clock: BoardClock,
    /// UART0's host output.
    pub serial: SerialSink,
    /// Set when UART0 wrote to [`Board::serial`] since the last flush.
    serial_dirty: Rc<Cell<bool>>,
    last_serial_flush: Instant,
    /// UART0's host input: bytes wait here until the UART's receiver takes them.
    serial_in: Option<Receiver<u8>>,
}

/// The RTC's time at machine time 0 with the instruction-count clock (2026-01-01).
const RTC_EPOCH_INSTRUCTIONS: u64 = 1_767_225_600;

fn host_wall_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl Board {
    /// Builds the peripherals and the address decoder that maps them.
    pub fn new(source: ClockSource) -> (Board, DeviceMap) {
        let clock = BoardClock {
            source,
            now_ns: Rc::new(Cell::new(0)),
        };
        // Buffered: the run loop flushes at slice boundaries ([`Board::flush_serial_soon`])
        // and before waiting, so a busy guest does not cost a write(2) per line.
        let serial: SerialSink = Rc::new(RefCell::new(Box::new(
            std::io::BufWriter::with_capacity(16 << 10, std::io::stdout()),
        )));
        let serial_dirty = Rc::new(Cell::new(false));
        let mut map = DeviceMap::new();

        let gic = Gic::new(1, GIC_IT_LINES);
        map.add(GICD_BASE, 0x1000, Box::new(gic.distributor()));
        map.add(GICC_BASE, 0x2000, Box::new(gic.cpu_interface()));
        map.add(GICH_BASE, 0x2000, Box::new(gic.hyp_interface()));
        map.add(GICV_BASE, 0x2000, Box::new(gic.virt_cpu_interface()));

        let sysregs = Rc::new(RefCell::new(V2mSysRegs::new(clock.closure())));
        map.add(SYSREGS_BASE, 0x1000, Box::new(Shared(sysregs.clone())));
        let sp810 = Rc::new(RefCell::new(Sp810::new()));
        map.add(SP810_BASE, 0x1000, Box::new(Shared(sp810.clone())));

        let mut uarts = Vec::new();
        for (i, &base) in UART_BASES.iter().enumerate() {
            let out: Box<dyn devices::pl011::SerialOut> = if i == 0 {
                let s = serial.clone();
                let dirty = serial_dirty.clone();
                Box::new(move |b: u8| {
                    let _ = s.borrow_mut().write_all(&[b]);
                    dirty.set(true);
                })
            } else {
                // UART1-3 are not connected to the host (QEMU's default too).
                Box::new(|_b: u8| {})
            };
            let u = Rc::new(RefCell::new(Pl011::new(out)));
            map.add(base, 0x1000, Box::new(Shared(u.clone())));
            uarts.push(u);
        }

        // Linux's vexpress clock code selects TIMCLK (1 MHz) through the SP810, and
        // QEMU clocks the SP804s at 1 MHz whatever SCCTRL says; so do we.
        let mut timers = Vec::new();
        for &base in &TIMER_BASES {
            let t = Rc::new(RefCell::new(Sp804::new(
                clock.closure(),
                [TIMCLK_HZ, TIMCLK_HZ],
            )));
            map.add(base, 0x1000, Box::new(Shared(t.clone())));
            timers.push(t);
        }

        // With the instruction-count clock the RTC counts machine time from a fixed date
        // (2026-01-01), so that runs are deterministic (issue 6: a guest kernel seeds
        // its entropy from the RTC, and two Xen boots differed by it).
        let wall: Box<dyn Fn() -> u64> = match source {
            ClockSource::Host => Box::new(host_wall_secs),
            ClockSource::Instructions => {
                let c = clock.closure();
                Box::new(move || RTC_EPOCH_INSTRUCTIONS + c() / 1_000_000_000)
            }
        };
        let rtc = Rc::new(RefCell::new(Pl031::new(wall, clock.closure())));
        map.add(RTC_BASE, 0x1000, Box::new(Shared(rtc.clone())));

        (
            Board {
                gic,
                uarts,
                timers,
                rtc,
                sysregs,
                sp810,
                clock,
                serial,
                serial_dirty,
                last_serial_flush: Instant::now(),
                serial_in: None,
            },
            map,
        )
    }

    /// Samples every device's interrupt output (and the core's generic timer) into the
    /// GIC, then drives the core's IRQ/FIQ inputs and its virtual IRQ/FIQ inputs (from the
    /// list registers, through GICV) from the GIC's outputs.
    pub fn update_interrupts(&self, cpu: &mut Cpu) {
        for (u, &spi) in self.uarts.iter().zip(&UART_SPIS) {
            self.gic.set_irq_line(32 + spi, u.borrow().irq_level());
        }
        for (t, &spi) in self.timers.iter().zip(&TIMER_SPIS) {
            self.gic.set_irq_line(32 + spi, t.borrow().irq_level());
        }
        self.gic
            .set_irq_line(32 + RTC_SPI, self.rtc.borrow().irq_level());
        // The core models one physical timer (CNTP, the non-secure one with the
        // Security Extensions off), the virtual and the Hyp timer; the secure physical
        // one (29) is not modelled, so its line stays low.
        let lines = cpu.timer_irq_lines();
        self.gic.set_ppi(0, PPI_NS_PHYS, lines.phys);
        self.gic.set_ppi(0, PPI_VIRT, lines.virt);
        self.gic.set_ppi(0, PPI_SEC_PHYS, lines.sec_phys);
        self.gic.set_ppi(0, PPI_HYP, lines.hyp);
        cpu.irq_line = self.gic.cpu_irq(0);
        cpu.fiq_line = self.gic.cpu_fiq(0);
        // For the HSR-path statistics: is the IRQ a hypervisor takes the maintenance one?
        cpu.maintenance_irq = cpu.irq_line
            && cpu.s.hcr & emu_core::hyp_regs::HCR_IMO != 0
            && self.gic.signalled_irq(0) == Some(PPI_MAINTENANCE);
        cpu.virq_line = self.gic.cpu_virq(0);
        cpu.vfiq_line = self.gic.cpu_vfiq(0);
    }

    /// The earliest machine time (ns) at which some interrupt line may rise.
    pub fn next_deadline_ns(&self, cpu: &Cpu) -> Option<u64> {
        let mut d: Option<u64> = None;
        let mut consider = |x: Option<u64>| {
            if let Some(x) = x {
                d = Some(d.map_or(x, |d| d.min(x)));
            }
        };
        for t in &self.timers {
            consider(t.borrow().next_deadline_ns());
        }
        consider(self.rtc.borrow().next_deadline_ns());
        consider(self.sysregs.borrow().next_deadline_ns());
        consider(
            cpu.timer_next_deadline()
                .map(|ticks| ticks.saturating_mul(NS_PER_TICK)),
        );
        d
    }

    /// A shutdown or reboot the guest asked for (V2M SYS_CFG, or an SP810 reset).
    pub fn take_power_request(&self) -> Option<PowerRequest> {
        let sys = self.sysregs.borrow_mut().take_power_request();
        if sys.is_none() && self.sp810.borrow_mut().take_reset_request() {
            return Some(PowerRequest::Reset);
        }
        sys
    }

    pub fn flush_serial(&mut self) {
        self.serial_dirty.set(false);
        self.last_serial_flush = Instant::now();
        let _ = self.serial.borrow_mut().flush();
    }

    /// Flushes UART0's output if some is pending and the last flush is old enough
    /// (called at slice boundaries: cheap when nothing was written).
    pub fn flush_serial_soon(&mut self) {
        if self.serial_dirty.get() && self.last_serial_flush.elapsed() >= SERIAL_FLUSH_INTERVAL {
            self.flush_serial();
        }
    }

    /// Connects UART0's receive line to a host byte source.
    pub fn set_serial_input(&mut self, rx: Receiver<u8>) {
        self.serial_in = Some(rx);
    }

    /// Moves queued host input into UART0, only as many bytes as its receiver accepts
    /// now (FIFO room, or the one-byte holding register with UARTLCR_H.FEN clear; none
    /// while the receiver is disabled): the rest stays queued, so a paste loses nothing.
    /// Returns whether a byte was delivered.
    pub fn pump_serial_input(&mut self) -> bool {
        let Some(rx) = &self.serial_in else {
            return false;
        };
        let mut uart = self.uarts[0].borrow_mut();
        let mut delivered = false;
        while uart.rx_ready() {
            match rx.try_recv() {
                Ok(b) => {
                    uart.push_input(b);
                    delivered = true;
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    // End of input (stdin EOF): nothing more will arrive.
                    drop(uart);
                    self.serial_in = None;
                    return delivered;
                }
            }
        }
        delivered
    }

    /// Whether host input could wake a core waiting in WFI: input is connected and UART0
    /// would accept a byte now.
    pub fn serial_input_can_wake(&self) -> bool {
        self.serial_in.is_some() && self.uarts[0].borrow().rx_ready()
    }

    /// Blocks until a host byte arrives for UART0 (and delivers it, with any others
    /// already queued that fit) or `timeout` passes. Returns at once when input is not
    /// connected or UART0 cannot take a byte. Returns whether a byte was delivered.
    pub fn wait_serial_input(&mut self, timeout: Duration) -> bool {
        if !self.serial_input_can_wake() {
            return false;
        }
        let Some(rx) = &self.serial_in else {
            return false;
        };
        match rx.recv_timeout(timeout) {
            Ok(b) => {
                self.uarts[0].borrow_mut().push_input(b);
                self.pump_serial_input();
                true
            }
            Err(RecvTimeoutError::Timeout) => false,
            Err(RecvTimeoutError::Disconnected) => {
                self.serial_in = None;
                false
            }
        }
    }
}
