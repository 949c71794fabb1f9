//! Arm PL031 real time clock (DDI0224), counting host wall-clock seconds.
//!
//! | offset | register | |
//! | --- | --- | --- |
//! | 0x000 | RTCDR | RO: wall-clock seconds + offset (32 bits, wrapping) |
//! | 0x004 | RTCMR | RW, reset 0: match value |
//! | 0x008 | RTCLR | RW, reset 0: a write sets the counter; reads the last value written |
//! | 0x00C | RTCCR | RW bit 0 (start): reads 1; the RTC is already running at reset |
//! | 0x010 | RTCIMSC | RW bit 0, reset 0 |
//! | 0x014 | RTCRIS | RO bit 0 |
//! | 0x018 | RTCMIS | RO bit 0 |
//! | 0x01C | RTCICR | WO: writing bit 0 as 1 clears the interrupt |
//! | 0xFE0.. | Periph/PrimeCell IDs | RO |
//!
//! The counter is not stepped: RTCDR is `wall() + offset` with `wall` the host clock in
//! seconds given at construction, and RTCLR moves `offset`. Like a battery-backed RTC
//! (and QEMU's model) the clock runs from reset: RTCCR reads 1 and writes to it change
//! nothing, as the TRM says of writes once the RTC has been started.
//!
//! The match interrupt is raised when the counter steps onto RTCMR, and also when RTCMR
//! or RTCLR is written so that they are equal. It is worked out lazily from the wall
//! clock on register reads and on [`Pl031::irq_level`]. [`Pl031::next_deadline_ns`]
//! gives the board a machine-time deadline from the second clock (machine ns): as the
//! wall clock only has whole seconds, it is the earliest time the match can come
//! (`(seconds to go - 1)` s from now) and, less than a second before it, a 100 ms poll.

use std::collections::HashSet;

use crate::MmioDevice;

const PERIPH_ID: [u8; 4] = [0x31, 0x10, 0x04, 0x00];

const NS_PER_S: u64 = 1_000_000_000;
/// Poll period once the match is less than a wall second away.
const POLL_NS: u64 = NS_PER_S / 10;

/// The PL031 RTC.
pub struct Pl031 {
    wall_secs: Box<dyn Fn() -> u64>,
    clock_ns: Box<dyn Fn() -> u64>,
    /// Added (wrapping) to the low 32 bits of the wall clock.
    offset: u32,
    mr: u32,
    lr: u32,
    imsc: bool,
    ris: bool,
    /// Counter value when interrupts were last worked out.
    seen_dr: u32,
    warned: HashSet<(u64, &'static str)>,
}

impl Pl031 {
    /// `wall_secs` is the host's wall clock (seconds since the Unix epoch); `clock_ns`
    /// the machine clock in nanoseconds, used only for [`Pl031::next_deadline_ns`].
    pub fn new(wall_secs: Box<dyn Fn() -> u64>, clock_ns: Box<dyn Fn() -> u64>) -> Pl031 {
        let mut rtc = Pl031 {
            wall_secs,
            clock_ns,
            offset: 0,
            mr: 0,
            lr: 0,
            imsc: false,
            ris: false,
            seen_dr: 0,
            warned: HashSet::new(),
        };
        rtc.seen_dr = rtc.dr();
        rtc
    }

    fn dr(&self) -> u32 {
        ((self.wall_secs)() as u32).wrapping_add(self.offset)
    }

    /// Did the counter step onto MR going from `seen_dr` to `dr`? A backwards jump of
    /// the host clock (a step of more than 2^31 s) is not a match.
    fn matched_since_seen(&self, dr: u32) -> bool {
        let step = dr.wrapping_sub(self.seen_dr);
        let to_match = self.mr.wrapping_sub(self.seen_dr);
        step < 1 << 31 && to_match >= 1 && to_match <= step
    }

    fn ris_now(&self) -> bool {
        self.ris || self.matched_since_seen(self.dr())
    }

    fn sync(&mut self) {
        let dr = self.dr();
        if self.matched_since_seen(dr) {
            self.ris = true;
        }
        self.seen_dr = dr;
    }

    /// RTCINTR.
    pub fn irq_level(&self) -> bool {
        self.imsc && self.ris_now()
    }

    /// Machine time at or after which the interrupt line may rise (see the module doc:
    /// a conservative early deadline, re-asked when reached).
    pub fn next_deadline_ns(&self) -> Option<u64> {
        if !self.imsc || self.ris_now() {
            return None;
        }
        let now = (self.clock_ns)();
        let secs = self.mr.wrapping_sub(self.dr()) as u64;
        let wait = if secs <= 1 {
            POLL_NS
        } else {
            (secs - 1).saturating_mul(NS_PER_S)
        };
        Some(now.saturating_add(wait))
    }

    fn warn_once(&mut self, offset: u64, what: &'static str) {
        if self.warned.insert((offset, what)) {
            tracing::warn!(target: "pl031", "{what} at offset {offset:#x}");
        }
    }

    fn read_reg(&mut self, offset: u64) -> u32 {
        self.sync();
        match offset {
            0x000 => self.seen_dr,
            0x004 => self.mr,
            0x008 => self.lr,
            0x00C => 1,
            0x010 => self.imsc as u32,
            0x014 => self.ris as u32,
            0x018 => (self.ris && self.imsc) as u32,
            0xFE0..=0xFFC => crate::primecell_id(offset, PERIPH_ID).unwrap_or(0),
            _ => {
                self.warn_once(offset, "read of reserved or write-only register: RAZ");
                0
            }
        }
    }

    fn write_reg(&mut self, offset: u64, value: u32) {
        self.sync();
        match offset {
            0x004 => {
                self.mr = value;
                if self.seen_dr == self.mr {
                    self.ris = true;
                }
            }
            0x008 => {
                self.lr = value;
                self.offset = value.wrapping_sub((self.wall_secs)() as u32);
                self.seen_dr = self.dr();
                if self.seen_dr == self.mr {
                    self.ris = true;
                }
            }
            0x00C => {
                if value & 1 == 0 {
                    self.warn_once(offset, "RTCCR start bit cleared: the RTC keeps running");
                }
            }
            0x010 => self.imsc = value & 1 != 0,
            0x01C => {
                if value & 1 != 0 {
                    self.ris = false;
                }
            }
            _ => self.warn_once(offset, "write to reserved or read-only register ignored"),
        }
    }
}

impl MmioDevice for Pl031 {
    fn read(&mut self, offset: u64, size: u32) -> Option<u64> {
        if size != 4 || !offset.is_multiple_of(4) || offset >= 0x1000 {
            self.warn_once(offset, "non-word or out-of-window read: RAZ");
            return Some(0);
        }
        Some(self.read_reg(offset) as u64)
    }

    fn write(&mut self, offset: u64, size: u32, value: u64) -> bool {
        if size != 4 || !offset.is_multiple_of(4) || offset >= 0x1000 {
            self.warn_once(offset, "non-word or out-of-window write ignored");
            return true;
        }
        self.write_reg(offset, value as u32);
        true
    }

    fn name(&self) -> &'static str {
        "pl031"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::rc::Rc;

    const DR: u64 = 0x00;
    const MR: u64 = 0x04;
    const LR: u64 = 0x08;
    const CR: u64 = 0x0C;
    const IMSC: u64 = 0x10;
    const RIS: u64 = 0x14;
    const MIS: u64 = 0x18;
    const ICR: u64 = 0x1C;

    const T0: u64 = 1_700_000_000;

    struct Clocks {
        wall: Rc<Cell<u64>>,
        ns: Rc<Cell<u64>>,
    }

    impl Clocks {
        fn tick(&self, secs: u64) {
            self.wall.set(self.wall.get() + secs);
            self.ns.set(self.ns.get() + secs * NS_PER_S);
        }
    }

    fn dev() -> (Pl031, Clocks) {
        let wall = Rc::new(Cell::new(T0));
        let ns = Rc::new(Cell::new(5_000));
        let (w, n) = (wall.clone(), ns.clone());
        let d = Pl031::new(Box::new(move || w.get()), Box::new(move || n.get()));
        (d, Clocks { wall, ns })
    }

    fn rd(d: &mut Pl031, off: u64) -> u64 {
        d.read(off, 4).unwrap()
    }

    fn wr(d: &mut Pl031, off: u64, v: u64) {
        assert!(d.write(off, 4, v));
    }

    #[test]
    fn reset_values() {
        let (mut d, _) = dev();
        assert_eq!(rd(&mut d, DR), T0);
        assert_eq!(rd(&mut d, MR), 0);
        assert_eq!(rd(&mut d, LR), 0);
        assert_eq!(rd(&mut d, CR), 1);
        assert_eq!(rd(&mut d, IMSC), 0);
        assert_eq!(rd(&mut d, RIS), 0);
        assert_eq!(rd(&mut d, MIS), 0);
        assert!(!d.irq_level());
        assert_eq!(d.next_deadline_ns(), None);
    }

    #[test]
    fn id_registers() {
        let (mut d, _) = dev();
        let ids: Vec<u64> = (0..8).map(|i| rd(&mut d, 0xFE0 + 4 * i)).collect();
        assert_eq!(ids, [0x31, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);
        wr(&mut d, 0xFF0, 0);
        assert_eq!(rd(&mut d, 0xFF0), 0x0d);
    }

    #[test]
    fn dr_follows_wall_clock_and_is_read_only() {
        let (mut d, c) = dev();
        c.tick(3);
        assert_eq!(rd(&mut d, DR), T0 + 3);
        wr(&mut d, DR, 5);
        assert_eq!(rd(&mut d, DR), T0 + 3);
    }

    #[test]
    fn lr_sets_counter_and_reads_back() {
        let (mut d, c) = dev();
        wr(&mut d, LR, 1000);
        assert_eq!(rd(&mut d, LR), 1000);
        assert_eq!(rd(&mut d, DR), 1000);
        c.tick(7);
        assert_eq!(rd(&mut d, DR), 1007);
        assert_eq!(rd(&mut d, LR), 1000);
        // The counter wraps at 32 bits.
        wr(&mut d, LR, 0xFFFF_FFFF);
        c.tick(2);
        assert_eq!(rd(&mut d, DR), 1);
    }

    #[test]
    fn cr_reads_one_and_cannot_stop_the_clock() {
        let (mut d, c) = dev();
        wr(&mut d, CR, 0);
        assert_eq!(rd(&mut d, CR), 1);
        c.tick(1);
        assert_eq!(rd(&mut d, DR), T0 + 1);
        wr(&mut d, CR, 1);
        assert_eq!(rd(&mut d, CR), 1);
    }

    #[test]
    fn match_raises_ris_and_masked_line() {
        let (mut d, c) = dev();
        wr(&mut d, MR, T0 + 3);
        assert_eq!(rd(&mut d, MR), T0 + 3);
        c.tick(2);
        assert_eq!(rd(&mut d, RIS), 0);
        c.tick(1);
        assert!(!d.irq_level(), "masked");
        assert_eq!(rd(&mut d, RIS), 1);
        assert_eq!(rd(&mut d, MIS), 0);
        wr(&mut d, IMSC, 1);
        assert_eq!(rd(&mut d, IMSC), 1);
        assert_eq!(rd(&mut d, MIS), 1);
        assert!(d.irq_level());
        wr(&mut d, ICR, 0);
        assert_eq!(rd(&mut d, RIS), 1, "writing 0 to ICR does nothing");
        wr(&mut d, ICR, 1);
        assert_eq!(rd(&mut d, RIS), 0);
        assert_eq!(rd(&mut d, MIS), 0);
        assert!(!d.irq_level());
        assert_eq!(rd(&mut d, ICR), 0, "ICR is write-only");
        c.tick(1);
        assert_eq!(rd(&mut d, RIS), 0, "one match, one interrupt");
        wr(&mut d, IMSC, 0);
        assert_eq!(rd(&mut d, IMSC), 0);
    }

    #[test]
    fn match_passed_between_reads_is_seen_and_line_rises_lazily() {
        let (mut d, c) = dev();
        wr(&mut d, IMSC, 1);
        wr(&mut d, MR, T0 + 10);
        c.tick(60);
        assert!(d.irq_level(), "without a register access");
        assert_eq!(rd(&mut d, RIS), 1);
    }

    #[test]
    fn writing_mr_or_lr_equal_to_counter_matches() {
        let (mut d, c) = dev();
        wr(&mut d, MR, T0);
        assert_eq!(rd(&mut d, RIS), 1);
        wr(&mut d, ICR, 1);
        wr(&mut d, MR, 500);
        c.tick(1);
        assert_eq!(rd(&mut d, RIS), 0);
        wr(&mut d, LR, 500);
        assert_eq!(rd(&mut d, RIS), 1);
        wr(&mut d, ICR, 1);
        // Loading past the match value is not a match.
        wr(&mut d, LR, 600);
        assert_eq!(rd(&mut d, RIS), 0);
    }

    #[test]
    fn host_clock_going_back_is_not_a_match() {
        let (mut d, c) = dev();
        wr(&mut d, MR, T0 - 5);
        c.wall.set(T0 - 10);
        assert_eq!(rd(&mut d, RIS), 0);
        assert_eq!(rd(&mut d, DR), T0 - 10);
        c.tick(5);
        assert_eq!(rd(&mut d, RIS), 1);
    }

    #[test]
    fn next_deadline() {
        let (mut d, c) = dev();
        wr(&mut d, MR, T0 + 10);
        assert_eq!(d.next_deadline_ns(), None, "interrupt masked");
        wr(&mut d, IMSC, 1);
        let now = c.ns.get();
        assert_eq!(d.next_deadline_ns(), Some(now + 9 * NS_PER_S));
        c.tick(9);
        assert_eq!(d.next_deadline_ns(), Some(c.ns.get() + POLL_NS));
        c.tick(1);
        assert_eq!(d.next_deadline_ns(), None, "line is high");
        assert!(d.irq_level());
    }

    #[test]
    fn misuse_is_raz_wi() {
        let (mut d, _) = dev();
        wr(&mut d, MR, 77);
        assert_eq!(d.read(MR, 1), Some(0));
        assert_eq!(d.read(MR + 1, 4), Some(0));
        assert_eq!(d.read(0x20, 4), Some(0));
        assert_eq!(d.read(0x2000, 4), Some(0));
        assert!(d.write(MR, 2, 5));
        assert!(d.write(0x80, 4, 5));
        assert!(d.write(RIS, 4, 1));
        assert!(d.write(MIS, 4, 1));
        assert_eq!(rd(&mut d, MR), 77);
        assert_eq!(rd(&mut d, RIS), 0);
    }
}
