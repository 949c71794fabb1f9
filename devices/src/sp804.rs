//! Arm SP804 dual-input timer module (DDI0271).
//!
//! Two down-counters, each at `0x00` and `0x20` in the 4 KiB window:
//!
//! | offset | register | |
//! | --- | --- | --- |
//! | 0x00 | TimerXLoad | RW, reset 0; a write restarts the count from it |
//! | 0x04 | TimerXValue | RO, reset 0xFFFF_FFFF |
//! | 0x08 | TimerXControl | RW, reset 0x20 |
//! | 0x0C | TimerXIntClr | WO |
//! | 0x10 | TimerXRIS | RO |
//! | 0x14 | TimerXMIS | RO |
//! | 0x18 | TimerXBGLoad | RW; same register as Load, but the count is not restarted |
//! | 0xF00 | TimerITCR | RW bit 0, integration test mode |
//! | 0xF04 | TimerITOP | WO bits 1:0, drive TIMINT2/TIMINT1 in test mode |
//! | 0xFE0.. | Periph/PrimeCell IDs | RO |
//!
//! The counters are not stepped: each keeps the value it had at an anchor time and its
//! value is computed from the machine clock on reads ("lazily"). The counter decrements
//! once per prescaled timer clock tick. When it steps to zero it raises its raw interrupt;
//! in one-shot mode it then halts at zero; in periodic mode the next tick reloads it from
//! Load, in free-running mode the next tick wraps it to 0xFFFF / 0xFFFF_FFFF. A period is
//! therefore Load + 1 ticks, as in the TRM's timing diagram.
//!
//! Outputs: [`Sp804::timer_irq_level`] per timer (TIMINT1, TIMINT2) and
//! [`Sp804::irq_level`], their OR (TIMINTC, which is what the vexpress motherboard wires to
//! the GIC). [`Sp804::next_deadline_ns`] says when a line will next rise.

use std::collections::HashSet;

use crate::MmioDevice;

const CTRL_ONESHOT: u32 = 1 << 0;
const CTRL_SIZE32: u32 = 1 << 1;
const CTRL_PRE_SHIFT: u32 = 2;
const CTRL_INTEN: u32 = 1 << 5;
const CTRL_PERIODIC: u32 = 1 << 6;
const CTRL_ENABLE: u32 = 1 << 7;
const CTRL_MASK: u32 = 0xEF; // bit 4 reserved

const PERIPH_ID: [u8; 4] = [0x04, 0x18, 0x14, 0x00];

const NS_PER_S: u128 = 1_000_000_000;

/// One of the two counters.
struct Timer {
    /// Timer clock (TIMCLK) frequency in Hz, before the prescaler.
    freq_hz: u64,
    /// Load/BGLoad register (all 32 bits kept; 16-bit mode uses the low half).
    load: u32,
    control: u32,
    /// Raw interrupt as of the last [`Timer::sync`].
    ris: bool,
    /// Counter value at `anchor_ns` (while counting) or the frozen value (while not).
    count: u32,
    anchor_ns: u64,
    /// Ticks since `anchor_ns` already looked at for interrupts by `sync`.
    seen_ticks: u64,
    /// One-shot count reached zero: the counter has stopped.
    halted: bool,
}

impl Timer {
    fn new(freq_hz: u64) -> Timer {
        Timer {
            freq_hz: freq_hz.max(1),
            load: 0,
            control: CTRL_INTEN,
            ris: false,
            count: 0xFFFF_FFFF,
            anchor_ns: 0,
            seen_ticks: 0,
            halted: false,
        }
    }

    fn counting(&self) -> bool {
        self.control & CTRL_ENABLE != 0 && !self.halted
    }

    fn prescale(&self) -> u128 {
        match (self.control >> CTRL_PRE_SHIFT) & 3 {
            0 => 1,
            1 => 16,
            _ => 256, // 0b11 is undefined; treated as /256 (warned on write)
        }
    }

    fn mask(&self) -> u32 {
        if self.control & CTRL_SIZE32 != 0 {
            0xFFFF_FFFF
        } else {
            0xFFFF
        }
    }

    /// What the counter goes to after zero: Load in periodic mode, all-ones in free-running.
    fn reload(&self) -> u32 {
        if self.control & CTRL_PERIODIC != 0 {
            self.load & self.mask()
        } else {
            self.mask()
        }
    }

    /// Whole prescaled ticks between the anchor and `now`.
    fn ticks_at(&self, now: u64) -> u64 {
        let dt = now.saturating_sub(self.anchor_ns) as u128;
        let t = dt * self.freq_hz as u128 / (NS_PER_S * self.prescale());
        t.min(u64::MAX as u128) as u64
    }

    /// Time of tick `n` after the anchor (the first instant `ticks_at` reaches `n`).
    fn tick_time(&self, n: u64) -> u64 {
        let num = n as u128 * NS_PER_S * self.prescale();
        let d = num.div_ceil(self.freq_hz as u128);
        (self.anchor_ns as u128 + d).min(u64::MAX as u128) as u64
    }

    /// Counter value `n` ticks after the anchor (counting assumed).
    fn value_after(&self, n: u64) -> u32 {
        let s = self.count as u64;
        if n <= s {
            return (s - n) as u32;
        }
        if self.control & CTRL_ONESHOT != 0 {
            return 0;
        }
        let period = self.reload() as u64 + 1;
        let q = (n - s - 1) % period;
        (self.reload() as u64 - q) as u32
    }

    /// First tick after `after` at which the counter steps to zero.
    fn next_zero_after(&self, after: u64) -> Option<u64> {
        let s = self.count as u64;
        let lo = after.checked_add(1)?.max(1);
        if lo <= s {
            return Some(s);
        }
        if self.control & CTRL_ONESHOT != 0 {
            return None;
        }
        let period = self.reload() as u64 + 1;
        let k = (lo - s).div_ceil(period);
        s.checked_add(k.checked_mul(period)?)
    }

    /// Raw interrupt as it is at `now`, without updating state.
    fn ris_at(&self, now: u64) -> bool {
        if self.ris {
            return true;
        }
        if !self.counting() {
            return false;
        }
        let n = self.ticks_at(now);
        matches!(self.next_zero_after(self.seen_ticks), Some(z) if z <= n)
    }

    fn value_at(&self, now: u64) -> u32 {
        if self.counting() {
            self.value_after(self.ticks_at(now))
        } else {
            self.count
        }
    }

    /// Brings RIS and the one-shot halt up to `now`.
    fn sync(&mut self, now: u64) {
        if !self.counting() {
            return;
        }
        let n = self.ticks_at(now);
        if matches!(self.next_zero_after(self.seen_ticks), Some(z) if z <= n) {
            self.ris = true;
        }
        self.seen_ticks = n;
        if self.control & CTRL_ONESHOT != 0 && n >= self.count as u64 {
            self.count = 0;
            self.halted = true;
        }
    }

    /// Re-expresses the running count as (value now, anchor at the last tick), so that
    /// the mode, size, prescaler or reload value can change from here on.
    fn rebase(&mut self, now: u64) {
        self.sync(now);
        if !self.counting() {
            return;
        }
        let n = self.ticks_at(now);
        self.count = self.value_after(n);
        self.anchor_ns = self.tick_time(n);
        self.seen_ticks = 0;
    }

    /// Starts counting from `count` at `now`.
    fn restart(&mut self, now: u64) {
        self.anchor_ns = now;
        self.seen_ticks = 0;
    }

    fn irq(&self, now: u64) -> bool {
        self.control & CTRL_INTEN != 0 && self.ris_at(now)
    }

    fn deadline(&self, now: u64) -> Option<u64> {
        if self.control & CTRL_INTEN == 0 || !self.counting() || self.ris_at(now) {
            return None;
        }
        let n = self.ticks_at(now);
        let z = self.next_zero_after(n)?;
        Some(self.tick_time(z))
    }
}

/// The SP804 dual timer.
pub struct Sp804 {
    clock: Box<dyn Fn() -> u64>,
    timers: [Timer; 2],
    itcr: bool,
    itop: u32,
    warned: HashSet<(u64, &'static str)>,
}

impl Sp804 {
    /// `clock` returns machine time in nanoseconds; `freq_hz` is each timer's TIMCLK
    /// (1 MHz for both on vexpress).
    pub fn new(clock: Box<dyn Fn() -> u64>, freq_hz: [u64; 2]) -> Sp804 {
        Sp804 {
            clock,
            timers: [Timer::new(freq_hz[0]), Timer::new(freq_hz[1])],
            itcr: false,
            itop: 0,
            warned: HashSet::new(),
        }
    }

    /// TIMINT1 (`which` = 0) or TIMINT2 (`which` = 1).
    pub fn timer_irq_level(&self, which: usize) -> bool {
        if which > 1 {
            return false;
        }
        if self.itcr {
            return self.itop & (1 << which) != 0;
        }
        self.timers[which].irq((self.clock)())
    }

    /// TIMINTC: the OR of both timers' interrupts.
    pub fn irq_level(&self) -> bool {
        self.timer_irq_level(0) || self.timer_irq_level(1)
    }

    /// Machine time at which an interrupt line will next rise, if one will without
    /// further register accesses.
    pub fn next_deadline_ns(&self) -> Option<u64> {
        if self.itcr {
            return None;
        }
        let now = (self.clock)();
        self.timers.iter().filter_map(|t| t.deadline(now)).min()
    }

    fn warn_once(&mut self, offset: u64, what: &'static str) {
        if self.warned.insert((offset, what)) {
            tracing::warn!(target: "sp804", "{what} at offset {offset:#x}");
        }
    }

    fn read_reg(&mut self, offset: u64) -> u32 {
        let now = (self.clock)();
        if offset < 0x40 {
            let t = &mut self.timers[(offset / 0x20) as usize];
            t.sync(now);
            return match offset % 0x20 {
                0x00 | 0x18 => t.load,
                0x04 => t.value_at(now),
                0x08 => t.control,
                0x10 => t.ris as u32,
                0x14 => (t.ris && t.control & CTRL_INTEN != 0) as u32,
                0x0C => {
                    self.warn_once(offset, "read of write-only IntClr: RAZ");
                    0
                }
                _ => {
                    self.warn_once(offset, "read of reserved register: RAZ");
                    0
                }
            };
        }
        match offset {
            0xF00 => self.itcr as u32,
            _ => match crate::primecell_id(offset, PERIPH_ID) {
                Some(v) => v,
                None => {
                    self.warn_once(offset, "read of reserved or write-only register: RAZ");
                    0
                }
            },
        }
    }

    fn write_reg(&mut self, offset: u64, value: u32) {
        let now = (self.clock)();
        if offset < 0x40 {
            let t = &mut self.timers[(offset / 0x20) as usize];
            match offset % 0x20 {
                0x00 => {
                    t.sync(now);
                    t.load = value;
                    t.count = value & t.mask();
                    t.halted = false;
                    t.restart(now);
                }
                0x18 => {
                    t.rebase(now);
                    t.load = value;
                }
                0x08 => {
                    if value & !CTRL_MASK != 0 || (value >> CTRL_PRE_SHIFT) & 3 == 3 {
                        self.warn_once(
                            offset,
                            "Control write sets reserved bits or prescale 0b11 (taken as /256)",
                        );
                    }
                    let t = &mut self.timers[(offset / 0x20) as usize];
                    let old = t.control;
                    let new = value & CTRL_MASK;
                    t.rebase(now);
                    t.control = new;
                    let started = old & CTRL_ENABLE == 0 && new & CTRL_ENABLE != 0;
                    let left_oneshot = old & CTRL_ONESHOT != 0 && new & CTRL_ONESHOT == 0;
                    if started || (old ^ new) & CTRL_SIZE32 != 0 {
                        // A 16-bit counter holds 16 bits (the reset value reads as
                        // 0xFFFF_FFFF only until the counter is used).
                        t.count &= t.mask();
                    }
                    if t.halted && (started || left_oneshot) {
                        t.halted = false;
                    }
                    if started {
                        t.restart(now);
                    }
                    // A counter that kept running was rebased to its last tick: same phase.
                }
                0x0C => {
                    t.sync(now);
                    t.ris = false;
                }
                // Linux's sp804 driver writes TimerXValue when it sets a timer up;
                // the hardware ignores it. Architectural behaviour, so not a warning.
                0x04 => {
                    if self.warned.insert((offset, "value")) {
                        tracing::debug!(target: "sp804", "write to TimerXValue (read-only) ignored");
                    }
                }
                0x10 | 0x14 => {
                    self.warn_once(offset, "write to read-only register ignored");
                }
                _ => self.warn_once(offset, "write to reserved register ignored"),
            }
            return;
        }
        match offset {
            0xF00 => self.itcr = value & 1 != 0,
            0xF04 => self.itop = value & 3,
            _ => self.warn_once(offset, "write to reserved or read-only register ignored"),
        }
    }
}

impl MmioDevice for Sp804 {
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
        "sp804"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::rc::Rc;

    const LOAD: u64 = 0x00;
    const VALUE: u64 = 0x04;
    const CTRL: u64 = 0x08;
    const INTCLR: u64 = 0x0C;
    const RIS: u64 = 0x10;
    const MIS: u64 = 0x14;
    const BGLOAD: u64 = 0x18;
    const T2: u64 = 0x20;

    const EN: u64 = CTRL_ENABLE as u64;
    const PER: u64 = CTRL_PERIODIC as u64;
    const IE: u64 = CTRL_INTEN as u64;
    const S32: u64 = CTRL_SIZE32 as u64;
    const ONE: u64 = CTRL_ONESHOT as u64;

    /// 1 MHz timers (1 µs per tick) on a fake clock the test advances.
    fn dev() -> (Sp804, Rc<Cell<u64>>) {
        let now = Rc::new(Cell::new(1_000));
        let c = now.clone();
        (
            Sp804::new(Box::new(move || c.get()), [1_000_000, 1_000_000]),
            now,
        )
    }

    fn rd(d: &mut Sp804, off: u64) -> u64 {
        d.read(off, 4).unwrap()
    }

    fn wr(d: &mut Sp804, off: u64, v: u64) {
        assert!(d.write(off, 4, v));
    }

    fn adv(now: &Cell<u64>, ns: u64) {
        now.set(now.get() + ns);
    }

    #[test]
    fn reset_values() {
        let (mut d, _) = dev();
        for base in [0, T2] {
            assert_eq!(rd(&mut d, base + LOAD), 0);
            assert_eq!(rd(&mut d, base + VALUE), 0xFFFF_FFFF);
            assert_eq!(rd(&mut d, base + CTRL), 0x20);
            assert_eq!(rd(&mut d, base + RIS), 0);
            assert_eq!(rd(&mut d, base + MIS), 0);
            assert_eq!(rd(&mut d, base + BGLOAD), 0);
        }
        wr(&mut d, CTRL, IE | S32);
        assert_eq!(rd(&mut d, VALUE), 0xFFFF_FFFF);
        // Into 16-bit mode: the counter holds 16 bits.
        wr(&mut d, CTRL, IE);
        assert_eq!(rd(&mut d, VALUE), 0xFFFF);
        assert!(!d.irq_level());
        assert_eq!(d.next_deadline_ns(), None);
    }

    #[test]
    fn id_registers() {
        let (mut d, _) = dev();
        let ids: Vec<u64> = (0..8).map(|i| rd(&mut d, 0xFE0 + 4 * i)).collect();
        assert_eq!(ids, [0x04, 0x18, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);
        wr(&mut d, 0xFE0, 0x55);
        assert_eq!(rd(&mut d, 0xFE0), 0x04);
    }

    #[test]
    fn load_and_bgload_share_one_register() {
        let (mut d, _) = dev();
        wr(&mut d, LOAD, 1234);
        assert_eq!(rd(&mut d, BGLOAD), 1234);
        assert_eq!(rd(&mut d, VALUE), 1234);
        wr(&mut d, BGLOAD, 99);
        assert_eq!(rd(&mut d, LOAD), 99);
        assert_eq!(
            rd(&mut d, VALUE),
            1234,
            "BGLoad does not reload the counter"
        );
    }

    #[test]
    fn disabled_counter_does_not_move() {
        let (mut d, now) = dev();
        wr(&mut d, CTRL, IE | S32 | PER);
        wr(&mut d, LOAD, 100);
        adv(&now, 1_000_000);
        assert_eq!(rd(&mut d, VALUE), 100);
        assert_eq!(rd(&mut d, RIS), 0);
    }

    #[test]
    fn periodic_counts_down_wraps_and_interrupts() {
        let (mut d, now) = dev();
        wr(&mut d, LOAD, 10);
        wr(&mut d, CTRL, EN | PER | IE | S32);
        assert_eq!(rd(&mut d, VALUE), 10);
        adv(&now, 3_000);
        assert_eq!(rd(&mut d, VALUE), 7);
        assert_eq!(d.next_deadline_ns(), Some(now.get() + 7_000));
        assert!(!d.irq_level());
        adv(&now, 6_999);
        assert_eq!(rd(&mut d, VALUE), 1);
        assert!(!d.irq_level());
        adv(&now, 1);
        assert!(d.irq_level(), "line rises without a register access");
        assert_eq!(rd(&mut d, VALUE), 0);
        assert_eq!(rd(&mut d, RIS), 1);
        assert_eq!(rd(&mut d, MIS), 1);
        assert_eq!(d.next_deadline_ns(), None, "line already high");
        adv(&now, 1_000);
        assert_eq!(
            rd(&mut d, VALUE),
            10,
            "reloads from Load the tick after zero"
        );
        wr(&mut d, INTCLR, 1);
        assert_eq!(rd(&mut d, RIS), 0);
        assert!(!d.irq_level());
        // Next zero 10 ticks later; the period is Load + 1 ticks.
        assert_eq!(d.next_deadline_ns(), Some(now.get() + 10_000));
        adv(&now, 11_000 * 5 + 3_000);
        assert_eq!(rd(&mut d, VALUE), 7);
        assert_eq!(rd(&mut d, RIS), 1);
    }

    #[test]
    fn free_running_wraps_to_all_ones() {
        let (mut d, now) = dev();
        wr(&mut d, LOAD, 5);
        wr(&mut d, CTRL, EN | IE | S32);
        adv(&now, 5_000);
        assert_eq!(rd(&mut d, VALUE), 0);
        assert_eq!(rd(&mut d, RIS), 1);
        adv(&now, 1_000);
        assert_eq!(rd(&mut d, VALUE), 0xFFFF_FFFF);
        adv(&now, 2_000);
        assert_eq!(rd(&mut d, VALUE), 0xFFFF_FFFD);
        // 16-bit free-running wraps to 0xFFFF.
        wr(&mut d, T2 + LOAD, 2);
        wr(&mut d, T2 + CTRL, EN | IE);
        adv(&now, 3_000);
        assert_eq!(rd(&mut d, T2 + VALUE), 0xFFFF);
        adv(&now, 0x10000 * 1_000);
        assert_eq!(rd(&mut d, T2 + VALUE), 0xFFFF);
    }

    #[test]
    fn sixteen_bit_mode_uses_low_half_of_load() {
        let (mut d, now) = dev();
        wr(&mut d, LOAD, 0x1_0005);
        wr(&mut d, CTRL, EN | PER | IE);
        assert_eq!(rd(&mut d, VALUE), 5);
        assert_eq!(rd(&mut d, LOAD), 0x1_0005);
        adv(&now, 6_000);
        assert_eq!(rd(&mut d, VALUE), 5);
        assert_eq!(rd(&mut d, RIS), 1);
    }

    #[test]
    fn one_shot_stops_at_zero_and_load_restarts() {
        let (mut d, now) = dev();
        wr(&mut d, LOAD, 4);
        wr(&mut d, CTRL, EN | ONE | IE | S32);
        adv(&now, 100_000);
        assert_eq!(rd(&mut d, VALUE), 0);
        assert_eq!(rd(&mut d, RIS), 1);
        wr(&mut d, INTCLR, 0);
        adv(&now, 100_000);
        assert_eq!(rd(&mut d, VALUE), 0);
        assert_eq!(rd(&mut d, RIS), 0, "one interrupt only");
        assert_eq!(d.next_deadline_ns(), None);
        assert_eq!(rd(&mut d, CTRL) & EN, EN, "enable bit stays set");
        wr(&mut d, LOAD, 3);
        assert_eq!(d.next_deadline_ns(), Some(now.get() + 3_000));
        adv(&now, 2_000);
        assert_eq!(rd(&mut d, VALUE), 1);
        adv(&now, 1_000);
        assert!(d.irq_level());
    }

    #[test]
    fn load_write_restarts_count_while_running() {
        let (mut d, now) = dev();
        wr(&mut d, LOAD, 100);
        wr(&mut d, CTRL, EN | PER | IE | S32);
        adv(&now, 40_500);
        assert_eq!(rd(&mut d, VALUE), 60);
        wr(&mut d, LOAD, 50);
        assert_eq!(rd(&mut d, VALUE), 50);
        adv(&now, 1_000);
        assert_eq!(rd(&mut d, VALUE), 49);
    }

    #[test]
    fn bgload_applies_at_next_reload() {
        let (mut d, now) = dev();
        wr(&mut d, LOAD, 10);
        wr(&mut d, CTRL, EN | PER | IE | S32);
        adv(&now, 4_000);
        wr(&mut d, BGLOAD, 100);
        assert_eq!(rd(&mut d, VALUE), 6);
        adv(&now, 6_000);
        assert_eq!(rd(&mut d, VALUE), 0);
        adv(&now, 1_000);
        assert_eq!(rd(&mut d, VALUE), 100);
    }

    #[test]
    fn disable_freezes_and_enable_resumes() {
        let (mut d, now) = dev();
        wr(&mut d, LOAD, 10);
        wr(&mut d, CTRL, EN | PER | IE | S32);
        adv(&now, 3_000);
        wr(&mut d, CTRL, PER | IE | S32);
        adv(&now, 50_000);
        assert_eq!(rd(&mut d, VALUE), 7);
        assert_eq!(d.next_deadline_ns(), None);
        wr(&mut d, CTRL, EN | PER | IE | S32);
        adv(&now, 7_000);
        assert_eq!(rd(&mut d, VALUE), 0);
        assert_eq!(rd(&mut d, RIS), 1);
    }

    #[test]
    fn prescalers() {
        let (mut d, now) = dev();
        wr(&mut d, LOAD, 1000);
        wr(&mut d, CTRL, EN | PER | IE | S32 | (1 << 2));
        adv(&now, 16_000 * 3);
        assert_eq!(rd(&mut d, VALUE), 997);
        wr(&mut d, T2 + LOAD, 1000);
        wr(&mut d, T2 + CTRL, EN | PER | IE | S32 | (2 << 2));
        adv(&now, 256_000 * 2);
        assert_eq!(rd(&mut d, T2 + VALUE), 998);
        assert_eq!(rd(&mut d, T2 + CTRL), EN | PER | IE | S32 | (2 << 2));
        // Changing the prescaler mid-count keeps the value reached.
        wr(&mut d, T2 + CTRL, EN | PER | IE | S32);
        adv(&now, 8_000);
        assert_eq!(rd(&mut d, T2 + VALUE), 990);
    }

    #[test]
    fn interrupt_enable_masks_mis_and_line() {
        let (mut d, now) = dev();
        wr(&mut d, LOAD, 1);
        wr(&mut d, CTRL, EN | PER | S32);
        adv(&now, 1_000);
        assert_eq!(rd(&mut d, RIS), 1);
        assert_eq!(rd(&mut d, MIS), 0);
        assert!(!d.irq_level());
        assert_eq!(d.next_deadline_ns(), None);
        wr(&mut d, CTRL, EN | PER | S32 | IE);
        assert_eq!(rd(&mut d, MIS), 1);
        assert!(d.irq_level());
    }

    #[test]
    fn per_timer_and_combined_lines() {
        let (mut d, now) = dev();
        wr(&mut d, T2 + LOAD, 2);
        wr(&mut d, T2 + CTRL, EN | ONE | IE | S32);
        wr(&mut d, LOAD, 5);
        wr(&mut d, CTRL, EN | ONE | IE | S32);
        assert_eq!(d.next_deadline_ns(), Some(now.get() + 2_000));
        adv(&now, 2_000);
        assert!(!d.timer_irq_level(0));
        assert!(d.timer_irq_level(1));
        assert!(d.irq_level());
        assert_eq!(d.next_deadline_ns(), Some(now.get() + 3_000));
        wr(&mut d, T2 + INTCLR, 1);
        assert!(!d.irq_level());
        assert!(!d.timer_irq_level(7));
    }

    #[test]
    fn integration_test_registers_drive_lines() {
        let (mut d, _) = dev();
        wr(&mut d, 0xF04, 2);
        assert!(!d.irq_level());
        wr(&mut d, 0xF00, 1);
        assert_eq!(rd(&mut d, 0xF00), 1);
        assert!(!d.timer_irq_level(0));
        assert!(d.timer_irq_level(1));
        assert!(d.irq_level());
        wr(&mut d, 0xF00, 0);
        assert!(!d.irq_level());
    }

    #[test]
    fn misuse_is_raz_wi() {
        let (mut d, _) = dev();
        wr(&mut d, LOAD, 7);
        assert_eq!(d.read(LOAD, 1), Some(0));
        assert_eq!(d.read(LOAD + 2, 4), Some(0));
        assert_eq!(d.read(0x1000, 4), Some(0));
        assert_eq!(d.read(0x40, 4), Some(0));
        assert_eq!(d.read(INTCLR, 4), Some(0));
        assert!(d.write(LOAD, 2, 0x1234));
        assert!(d.write(VALUE, 4, 0x1234));
        assert!(d.write(0x1C, 4, 0x1234));
        assert_eq!(rd(&mut d, LOAD), 7);
        assert_eq!(rd(&mut d, VALUE), 7);
        // Reserved control bit 4 is dropped; prescale 0b11 counts as /256.
        wr(&mut d, CTRL, 0x1C | S32);
        assert_eq!(rd(&mut d, CTRL), 0x0C | S32);
    }

    #[test]
    fn odd_frequency_and_long_runs_do_not_overflow() {
        let now = Rc::new(Cell::new(0));
        let c = now.clone();
        let mut d = Sp804::new(Box::new(move || c.get()), [32_768, 0]);
        wr(&mut d, CTRL, PER | IE | S32);
        wr(&mut d, LOAD, 0xFFFF_FFFF);
        wr(&mut d, CTRL, EN | PER | IE | S32);
        now.set(1_000_000_000);
        assert_eq!(rd(&mut d, VALUE), 0xFFFF_FFFF - 32_768);
        now.set(u64::MAX - 1);
        let _ = rd(&mut d, VALUE);
        let _ = d.next_deadline_ns();
        wr(&mut d, T2 + LOAD, 0);
        wr(&mut d, T2 + CTRL, EN | PER | IE | S32);
        now.set(u64::MAX);
        let _ = rd(&mut d, T2 + VALUE);
        assert!(d.irq_level());
    }
}
