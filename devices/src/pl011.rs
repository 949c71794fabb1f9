//! Arm PrimeCell UART (PL011 r1p5, DDI0183), as used by Linux's amba-pl011 driver.
//!
//! Transmission is instantaneous: a byte written to UARTDR goes straight to the host
//! [`SerialOut`] sink, so the TX FIFO always reads as empty and BUSY as 0. Received bytes
//! come from the host through [`Pl011::push_input`] into a 32-entry RX FIFO (or a 1-entry
//! holding register when UARTLCR_H.FEN is clear). The host should only push while
//! [`Pl011::rx_ready`] is true; bytes pushed into a full FIFO are lost with an overrun
//! error, as on the real device.
//!
//! Interrupts: RXRIS is set when the RX FIFO reaches the UARTIFLS trigger level; RTRIS (the
//! receive timeout) is set whenever data sits in the FIFO below that level, since no
//! further character will arrive soon enough to matter for an emulated host (QEMU behaves
//! alike). TXRIS is set after each write to UARTDR and when the transmitter becomes
//! enabled, because the TX FIFO is then at or below any trigger level. The combined output
//! line is [`Pl011::irq_level`].

use std::collections::{HashSet, VecDeque};

/// Host side of the UART's transmit line.
pub trait SerialOut {
    fn write(&mut self, b: u8);
}

impl<F: FnMut(u8)> SerialOut for F {
    fn write(&mut self, b: u8) {
        self(b)
    }
}

const FIFO_DEPTH: usize = 32;

// Register offsets.
const DR: u64 = 0x000;
const RSR_ECR: u64 = 0x004;
const FR: u64 = 0x018;
const ILPR: u64 = 0x020;
const IBRD: u64 = 0x024;
const FBRD: u64 = 0x028;
const LCR_H: u64 = 0x02c;
const CR: u64 = 0x030;
const IFLS: u64 = 0x034;
const IMSC: u64 = 0x038;
const RIS: u64 = 0x03c;
const MIS: u64 = 0x040;
const ICR: u64 = 0x044;
const DMACR: u64 = 0x048;

/// PeriphID0-3 then PCellID0-3 at 0xFE0..0xFFC.
const PERIPH_ID: [u8; 4] = [0x11, 0x10, 0x34, 0x00];

// UARTFR bits.
pub const FR_BUSY: u32 = 1 << 3;
pub const FR_RXFE: u32 = 1 << 4;
pub const FR_TXFF: u32 = 1 << 5;
pub const FR_RXFF: u32 = 1 << 6;
pub const FR_TXFE: u32 = 1 << 7;

// UARTLCR_H bits.
pub const LCR_H_FEN: u32 = 1 << 4;

// UARTCR bits.
pub const CR_UARTEN: u32 = 1 << 0;
pub const CR_LBE: u32 = 1 << 7;
pub const CR_TXE: u32 = 1 << 8;
pub const CR_RXE: u32 = 1 << 9;

// Interrupt bits (UARTIMSC/RIS/MIS/ICR).
pub const INT_RX: u32 = 1 << 4;
pub const INT_TX: u32 = 1 << 5;
pub const INT_RT: u32 = 1 << 6;
pub const INT_FE: u32 = 1 << 7;
pub const INT_PE: u32 = 1 << 8;
pub const INT_BE: u32 = 1 << 9;
pub const INT_OE: u32 = 1 << 10;
const INT_ALL: u32 = 0x7ff;

// Error bits: in UARTDR bits 11:8, in UARTRSR bits 3:0.
const RSR_OE: u32 = 1 << 3;

pub struct Pl011 {
    out: Box<dyn SerialOut>,
    /// RX FIFO entries: data in bits 7:0, FE/PE/BE/OE in bits 11:8.
    rx: VecDeque<u16>,
    rsr: u32,
    ilpr: u32,
    ibrd: u32,
    fbrd: u32,
    lcr_h: u32,
    cr: u32,
    ifls: u32,
    imsc: u32,
    ris: u32,
    dmacr: u32,
    warned: HashSet<(u64, bool)>,
}

impl Pl011 {
    pub fn new(out: Box<dyn SerialOut>) -> Pl011 {
        Pl011 {
            out,
            rx: VecDeque::with_capacity(FIFO_DEPTH),
            rsr: 0,
            ilpr: 0,
            ibrd: 0,
            fbrd: 0,
            lcr_h: 0,
            cr: CR_TXE | CR_RXE,
            ifls: 0x12,
            imsc: 0,
            ris: 0,
            dmacr: 0,
            warned: HashSet::new(),
        }
    }

    /// The UARTINTR output (OR of all masked interrupts).
    pub fn irq_level(&self) -> bool {
        self.ris & self.imsc != 0
    }

    fn rx_depth(&self) -> usize {
        if self.lcr_h & LCR_H_FEN != 0 {
            FIFO_DEPTH
        } else {
            1
        }
    }

    fn rx_enabled(&self) -> bool {
        self.cr & (CR_UARTEN | CR_RXE) == (CR_UARTEN | CR_RXE)
    }

    fn tx_enabled(&self) -> bool {
        self.cr & (CR_UARTEN | CR_TXE) == (CR_UARTEN | CR_TXE)
    }

    /// Whether the receiver is enabled and has room for another byte.
    pub fn rx_ready(&self) -> bool {
        self.rx_enabled() && self.rx.len() < self.rx_depth()
    }

    /// A byte arriving on the receive line. Dropped while the receiver is disabled; a full
    /// FIFO loses it and flags an overrun.
    pub fn push_input(&mut self, b: u8) {
        if !self.rx_enabled() {
            return;
        }
        self.receive(b as u16);
    }

    fn receive(&mut self, entry: u16) {
        if self.rx.len() >= self.rx_depth() {
            self.rsr |= RSR_OE;
            self.ris |= INT_OE;
            return;
        }
        self.rx.push_back(entry);
        self.update_rx_int();
    }

    /// RX trigger level in entries, from UARTIFLS.RXIFLSEL (1 when the FIFO is off).
    fn rx_trigger(&self) -> usize {
        if self.lcr_h & LCR_H_FEN == 0 {
            return 1;
        }
        match (self.ifls >> 3) & 7 {
            0 => 4,
            1 => 8,
            2 => 16,
            3 => 24,
            _ => 28,
        }
    }

    fn update_rx_int(&mut self) {
        let n = self.rx.len();
        if n >= self.rx_trigger() {
            self.ris |= INT_RX;
        } else {
            self.ris &= !INT_RX;
            if n > 0 {
                self.ris |= INT_RT;
            }
        }
        if n == 0 {
            self.ris &= !INT_RT;
        }
    }

    fn read_dr(&mut self) -> u32 {
        match self.rx.pop_front() {
            Some(e) => {
                // UARTRSR reports the errors of the character just read.
                self.rsr = ((e >> 8) & 0xf) as u32;
                self.update_rx_int();
                e as u32
            }
            None => 0,
        }
    }

    fn write_dr(&mut self, v: u32) {
        let b = v as u8;
        if !self.tx_enabled() {
            // Real hardware would not send; QEMU (which our test programs are checked
            // against) does, so do the same and only log it.
            self.warn_once(DR, true, "data written while UART or transmitter disabled");
        }
        if self.cr & CR_LBE != 0 {
            if self.rx_enabled() {
                self.receive(b as u16);
            }
        } else {
            self.out.write(b);
        }
        self.ris |= INT_TX;
    }

    fn flag_register(&self) -> u32 {
        let mut fr = FR_TXFE;
        if self.rx.is_empty() {
            fr |= FR_RXFE;
        }
        if self.rx.len() >= self.rx_depth() {
            fr |= FR_RXFF;
        }
        fr
    }

    fn warn_once(&mut self, off: u64, write: bool, what: &str) {
        if self.warned.insert((off, write)) {
            tracing::warn!(target: "pl011", "{} at offset {:#x}: {}",
                if write { "write" } else { "read" }, off, what);
        }
    }

    fn read_reg(&mut self, off: u64) -> u32 {
        match off {
            DR => self.read_dr(),
            RSR_ECR => self.rsr,
            FR => self.flag_register(),
            ILPR => self.ilpr,
            IBRD => self.ibrd,
            FBRD => self.fbrd,
            LCR_H => self.lcr_h,
            CR => self.cr,
            IFLS => self.ifls,
            IMSC => self.imsc,
            RIS => self.ris,
            MIS => self.ris & self.imsc,
            DMACR => self.dmacr,
            0xfe0..=0xffc => crate::primecell_id(off, PERIPH_ID).unwrap_or(0),
            ICR => {
                self.warn_once(off, false, "UARTICR is write-only: read as zero");
                0
            }
            _ => {
                self.warn_once(off, false, "reserved register: read as zero");
                0
            }
        }
    }

    fn write_reg(&mut self, off: u64, v: u32) {
        match off {
            DR => self.write_dr(v),
            RSR_ECR => {
                // Any write to UARTECR clears the framing, parity, break and overrun errors.
                self.rsr = 0;
            }
            ILPR => self.ilpr = v & 0xff,
            IBRD => self.ibrd = v & 0xffff,
            FBRD => self.fbrd = v & 0x3f,
            LCR_H => {
                let v = v & 0xff;
                if (self.lcr_h ^ v) & LCR_H_FEN != 0 {
                    // Switching between FIFO and holding register empties the receiver.
                    self.rx.clear();
                }
                self.lcr_h = v;
                self.update_rx_int();
            }
            CR => {
                let was_tx = self.tx_enabled();
                self.cr = v & 0xff87;
                if !was_tx && self.tx_enabled() {
                    // Empty TX FIFO is at or below any trigger level.
                    self.ris |= INT_TX;
                }
            }
            IFLS => {
                self.ifls = v & 0x3f;
                self.update_rx_int();
            }
            IMSC => self.imsc = v & INT_ALL,
            ICR => self.ris &= !(v & INT_ALL),
            DMACR => self.dmacr = v & 7,
            FR | RIS | MIS | 0xfe0..=0xffc => {
                self.warn_once(off, true, "read-only register: write ignored")
            }
            _ => self.warn_once(off, true, "reserved register: write ignored"),
        }
    }
}

impl crate::MmioDevice for Pl011 {
    fn read(&mut self, offset: u64, size: u32) -> Option<u64> {
        if !matches!(size, 1 | 2 | 4) || offset & (size as u64 - 1) != 0 || offset >= 0x1000 {
            self.warn_once(
                offset,
                false,
                "unsupported access size or alignment: read as zero",
            );
            return Some(0);
        }
        let word = self.read_reg(offset & !3);
        let shift = (offset & 3) * 8;
        let mask = if size == 4 {
            u32::MAX
        } else {
            (1u32 << (size * 8)) - 1
        };
        Some(((word >> shift) & mask) as u64)
    }

    fn write(&mut self, offset: u64, size: u32, value: u64) -> bool {
        if !matches!(size, 1 | 2 | 4) || offset & 3 != 0 || offset >= 0x1000 {
            self.warn_once(
                offset,
                true,
                "unsupported access size or alignment: write ignored",
            );
            return true;
        }
        let mask = if size == 4 {
            u32::MAX
        } else {
            (1u32 << (size * 8)) - 1
        };
        self.write_reg(offset, value as u32 & mask);
        true
    }

    fn name(&self) -> &'static str {
        "pl011"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MmioDevice;
    use std::cell::RefCell;
    use std::rc::Rc;

    fn uart() -> (Pl011, Rc<RefCell<Vec<u8>>>) {
        let sink = Rc::new(RefCell::new(Vec::new()));
        let s2 = sink.clone();
        (Pl011::new(Box::new(move |b| s2.borrow_mut().push(b))), sink)
    }

    fn r(u: &mut Pl011, off: u64) -> u32 {
        u.read(off, 4).unwrap() as u32
    }

    fn w(u: &mut Pl011, off: u64, v: u32) {
        assert!(u.write(off, 4, v as u64));
    }

    /// Linux-style enable: UARTEN|TXE|RXE with FIFOs on, 8N1.
    fn enabled() -> (Pl011, Rc<RefCell<Vec<u8>>>) {
        let (mut u, s) = uart();
        w(&mut u, LCR_H, 0x70);
        w(&mut u, CR, CR_UARTEN | CR_TXE | CR_RXE);
        w(&mut u, ICR, INT_ALL);
        (u, s)
    }

    #[test]
    fn reset_values() {
        let (mut u, _) = uart();
        assert_eq!(r(&mut u, FR), FR_TXFE | FR_RXFE);
        assert_eq!(r(&mut u, CR), 0x300);
        assert_eq!(r(&mut u, IFLS), 0x12);
        for off in [DR, RSR_ECR, ILPR, IBRD, FBRD, LCR_H, IMSC, RIS, MIS, DMACR] {
            assert_eq!(r(&mut u, off), 0, "offset {off:#x}");
        }
        assert!(!u.irq_level());
        assert!(!u.rx_ready());
    }

    #[test]
    fn id_registers() {
        let (mut u, _) = uart();
        let ids: Vec<u32> = (0..8).map(|i| r(&mut u, 0xfe0 + 4 * i)).collect();
        assert_eq!(ids, [0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);
        w(&mut u, 0xfe0, 0);
        assert_eq!(r(&mut u, 0xfe0), 0x11);
    }

    #[test]
    fn plain_registers_read_back_masked() {
        let (mut u, _) = uart();
        for (off, mask) in [
            (ILPR, 0xff),
            (IBRD, 0xffff),
            (FBRD, 0x3f),
            (LCR_H, 0xff),
            (CR, 0xff87),
            (IFLS, 0x3f),
            (IMSC, 0x7ff),
            (DMACR, 7),
        ] {
            w(&mut u, off, 0xffff_ffff);
            assert_eq!(r(&mut u, off), mask, "offset {off:#x}");
            w(&mut u, off, 0);
            assert_eq!(r(&mut u, off), 0, "offset {off:#x}");
        }
    }

    #[test]
    fn transmit_goes_to_sink_and_raises_tx_interrupt() {
        let (mut u, sink) = enabled();
        w(&mut u, IMSC, INT_TX);
        assert!(!u.irq_level());
        w(&mut u, DR, 0x141); // only bits 7:0 are sent
        w(&mut u, DR, b'B' as u32);
        assert_eq!(*sink.borrow(), b"AB");
        assert_eq!(r(&mut u, FR) & (FR_TXFE | FR_TXFF | FR_BUSY), FR_TXFE);
        assert_eq!(r(&mut u, RIS) & INT_TX, INT_TX);
        assert_eq!(r(&mut u, MIS), INT_TX);
        assert!(u.irq_level());
        w(&mut u, ICR, INT_TX);
        assert!(!u.irq_level());
        assert_eq!(r(&mut u, RIS) & INT_TX, 0);
    }

    #[test]
    fn enabling_transmitter_raises_tx_interrupt() {
        let (mut u, _) = uart();
        assert_eq!(r(&mut u, RIS), 0);
        w(&mut u, CR, CR_UARTEN | CR_TXE);
        assert_eq!(r(&mut u, RIS), INT_TX);
        w(&mut u, ICR, INT_TX);
        w(&mut u, CR, CR_UARTEN | CR_TXE | CR_RXE);
        assert_eq!(r(&mut u, RIS), 0, "no new edge while TX stays enabled");
    }

    #[test]
    fn transmit_while_disabled_still_reaches_sink_like_qemu() {
        let (mut u, sink) = uart();
        w(&mut u, DR, b'x' as u32);
        assert_eq!(*sink.borrow(), b"x");
    }

    #[test]
    fn byte_and_halfword_accesses() {
        let (mut u, sink) = enabled();
        assert!(u.write(DR, 1, b'q' as u64));
        assert_eq!(*sink.borrow(), b"q");
        w(&mut u, IBRD, 0x1234);
        assert_eq!(u.read(IBRD, 2), Some(0x1234));
        assert_eq!(u.read(IBRD + 1, 1), Some(0x12));
        assert_eq!(u.read(0xfe0, 1), Some(0x11));
        // Unsupported: 8-byte, misaligned.
        assert_eq!(u.read(IBRD, 8), Some(0));
        assert!(u.write(IBRD + 1, 1, 0));
        assert_eq!(r(&mut u, IBRD), 0x1234);
    }

    #[test]
    fn reserved_and_write_only_offsets_are_raz_wi() {
        let (mut u, _) = uart();
        for off in [0x008, 0x014, 0x01c, 0x04c, 0x080, 0xfdc] {
            w(&mut u, off, 0xffff_ffff);
            assert_eq!(r(&mut u, off), 0);
        }
        assert_eq!(r(&mut u, ICR), 0);
        w(&mut u, FR, 0);
        assert_eq!(r(&mut u, FR), FR_TXFE | FR_RXFE);
        assert_eq!(u.read(0x1000, 4), Some(0));
    }

    #[test]
    fn receive_fifo_and_flags() {
        let (mut u, _) = enabled();
        assert!(u.rx_ready());
        for i in 0..32u8 {
            assert!(u.rx_ready());
            u.push_input(b'a'.wrapping_add(i));
        }
        assert!(!u.rx_ready());
        assert_eq!(r(&mut u, FR) & (FR_RXFE | FR_RXFF), FR_RXFF);
        assert_eq!(r(&mut u, DR), b'a' as u32);
        assert_eq!(r(&mut u, FR) & (FR_RXFE | FR_RXFF), 0);
        for i in 1..32u8 {
            assert_eq!(r(&mut u, DR), b'a'.wrapping_add(i) as u32);
        }
        assert_eq!(r(&mut u, FR) & (FR_RXFE | FR_RXFF), FR_RXFE);
        assert_eq!(r(&mut u, DR), 0);
    }

    #[test]
    fn receiver_disabled_drops_input() {
        let (mut u, _) = uart(); // UARTEN clear
        u.push_input(1);
        assert_eq!(r(&mut u, FR) & FR_RXFE, FR_RXFE);
        let (mut u, _) = enabled();
        w(&mut u, CR, CR_UARTEN | CR_TXE);
        assert!(!u.rx_ready());
        u.push_input(1);
        assert_eq!(r(&mut u, FR) & FR_RXFE, FR_RXFE);
    }

    #[test]
    fn holding_register_without_fifo_and_overrun() {
        let (mut u, _) = enabled();
        w(&mut u, LCR_H, 0x60); // FEN off
        w(&mut u, IMSC, INT_RX | INT_OE);
        u.push_input(b'1');
        assert!(!u.rx_ready());
        assert_eq!(r(&mut u, FR) & (FR_RXFE | FR_RXFF), FR_RXFF);
        assert_eq!(r(&mut u, RIS) & (INT_RX | INT_RT), INT_RX);
        u.push_input(b'2'); // overrun: lost
        assert_eq!(r(&mut u, RIS) & INT_OE, INT_OE);
        assert_eq!(r(&mut u, RSR_ECR), RSR_OE);
        assert!(u.irq_level());
        assert_eq!(r(&mut u, DR), b'1' as u32);
        assert_eq!(r(&mut u, FR) & FR_RXFE, FR_RXFE);
        assert_eq!(r(&mut u, RIS) & INT_RX, 0);
        // UARTECR clears the error status; ICR the interrupt.
        w(&mut u, RSR_ECR, 0);
        assert_eq!(r(&mut u, RSR_ECR), 0);
        w(&mut u, ICR, INT_OE);
        assert!(!u.irq_level());
    }

    #[test]
    fn toggling_fen_flushes_receiver() {
        let (mut u, _) = enabled();
        u.push_input(1);
        u.push_input(2);
        w(&mut u, LCR_H, 0x60);
        assert_eq!(r(&mut u, FR) & FR_RXFE, FR_RXFE);
        assert_eq!(r(&mut u, RIS) & (INT_RX | INT_RT), 0);
    }

    #[test]
    fn rx_trigger_levels_and_timeout() {
        for (sel, level) in [(0u32, 4usize), (1, 8), (2, 16), (3, 24), (4, 28)] {
            let (mut u, _) = enabled();
            w(&mut u, IFLS, sel << 3);
            w(&mut u, IMSC, INT_RX | INT_RT);
            for i in 0..level {
                assert_eq!(r(&mut u, RIS) & INT_RX, 0, "sel {sel} at {i}");
                u.push_input(i as u8);
                // The timeout is latched from the first byte (cleared by ICR or draining).
                assert_eq!(r(&mut u, RIS) & INT_RT, INT_RT);
            }
            assert_eq!(r(&mut u, RIS) & INT_RX, INT_RX, "sel {sel}");
            assert!(u.irq_level());
            // Reading below the level drops RX; remaining data raises the timeout.
            r(&mut u, DR);
            assert_eq!(r(&mut u, RIS) & (INT_RX | INT_RT), INT_RT);
            // Draining clears the timeout.
            while r(&mut u, FR) & FR_RXFE == 0 {
                r(&mut u, DR);
            }
            assert_eq!(r(&mut u, RIS) & (INT_RX | INT_RT), 0);
            assert!(!u.irq_level());
        }
    }

    #[test]
    fn timeout_is_clearable_and_masked_status() {
        let (mut u, _) = enabled();
        u.push_input(b'z');
        assert_eq!(r(&mut u, RIS), INT_RT);
        assert_eq!(r(&mut u, MIS), 0);
        assert!(!u.irq_level());
        w(&mut u, IMSC, INT_RT);
        assert_eq!(r(&mut u, MIS), INT_RT);
        assert!(u.irq_level());
        w(&mut u, ICR, INT_RT);
        assert!(!u.irq_level());
        assert_eq!(r(&mut u, DR), b'z' as u32);
    }

    #[test]
    fn raising_trigger_level_drops_rx_interrupt() {
        let (mut u, _) = enabled();
        w(&mut u, IFLS, 0); // 4 entries
        for i in 0..4 {
            u.push_input(i);
        }
        assert_eq!(r(&mut u, RIS) & INT_RX, INT_RX);
        w(&mut u, IFLS, 2 << 3);
        assert_eq!(r(&mut u, RIS) & (INT_RX | INT_RT), INT_RT);
    }

    #[test]
    fn loopback_feeds_receiver_not_sink() {
        let (mut u, sink) = enabled();
        w(&mut u, CR, CR_UARTEN | CR_TXE | CR_RXE | CR_LBE);
        w(&mut u, DR, b'L' as u32);
        assert!(sink.borrow().is_empty());
        assert_eq!(r(&mut u, DR), b'L' as u32);
    }
}
