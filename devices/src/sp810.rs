//! Arm PrimeXsys System Controller (SP810, DDI0254) as on the Versatile Express
//! motherboard (0x1c020000), where it selects the SP804 timers' clocks.
//!
//! Only register storage matters for the board: there are no real clocks, PLLs or modes.
//! A write to SCSYSSTAT requests a system reset (the SP810's soft reset request, which
//! Xen's vexpress platform code uses to reboot): the board takes it as a reboot.
//! Mode changes complete at once (SCCTRL.ModeStatus mirrors ModeCtrl). The timer-enable
//! select bits SCCTRL.TimerEnnSel (bit 15 + 2n) choose between REFCLK (32.768 kHz, reset
//! value) and TIMCLK (1 MHz, what Linux's vexpress clock code selects): see
//! [`Sp810::timer_clock_select`].

use std::collections::HashSet;

const SCCTRL: u64 = 0x000;
const SCSYSSTAT: u64 = 0x004;
const SCIMCTRL: u64 = 0x008;
const SCIMSTAT: u64 = 0x00c;
const SCXTALCTRL: u64 = 0x010;
const SCPLLCTRL: u64 = 0x014;
const SCPLLFCTRL: u64 = 0x018;
const SCPERCTRL0: u64 = 0x01c;
const SCPERCTRL1: u64 = 0x020;
const SCPEREN: u64 = 0x024;
const SCPERDIS: u64 = 0x028;
const SCPERCLKEN: u64 = 0x02c;
const SCPERSTAT: u64 = 0x030;
const SCITCR: u64 = 0xf00;
// SCITCR, SCITIR0/1, SCITOR, SCCNTCTRL, SCCNTDATA, SCCNTSTEP: test registers, stored only.
const SCCNTSTEP: u64 = 0xf18;

/// PeriphID0-3 (part 0x810, designer 0x41, revision 0) then PCellID0-3.
const PERIPH_ID: [u8; 4] = [0x10, 0x18, 0x04, 0x00];

const MODE_CTRL_MASK: u32 = 0x7;
const MODE_STATUS_SHIFT: u32 = 3;
const MODE_STATUS_MASK: u32 = 0xf << MODE_STATUS_SHIFT;
/// Reset mode: NORMAL (ModeCtrl 0b100).
const MODE_NORMAL: u32 = 0b100;

/// REFCLK and TIMCLK rates on the V2M-P1 motherboard, in Hz.
pub const REFCLK_HZ: u64 = 32_768;
pub const TIMCLK_HZ: u64 = 1_000_000;

pub struct Sp810 {
    scctrl: u32,
    scimctrl: u32,
    scimstat: u32,
    scxtalctrl: u32,
    scpllctrl: u32,
    scpllfctrl: u32,
    scperctrl0: u32,
    scperctrl1: u32,
    scperclken: u32,
    test: [u32; 7],
    warned: HashSet<(u64, bool)>,
    /// A write to SCSYSSTAT since the last [`Sp810::take_reset_request`].
    reset_requested: bool,
}

impl Default for Sp810 {
    fn default() -> Self {
        Self::new()
    }
}

impl Sp810 {
    /// Whether the guest wrote SCSYSSTAT (a reset request) since the last call.
    pub fn take_reset_request(&mut self) -> bool {
        std::mem::take(&mut self.reset_requested)
    }

    pub fn new() -> Sp810 {
        Sp810 {
            scctrl: MODE_NORMAL | (MODE_NORMAL << MODE_STATUS_SHIFT),
            scimctrl: 0,
            scimstat: 0,
            scxtalctrl: 0,
            scpllctrl: 0,
            scpllfctrl: 0,
            scperctrl0: 0,
            scperctrl1: 0,
            scperclken: 0xffff_ffff,
            test: [0; 7],
            warned: HashSet::new(),
            reset_requested: false,
        }
    }

    /// Clock of SP804 timer enable `n` (0..=3): `true` for TIMCLK (1 MHz), `false` for
    /// REFCLK (32.768 kHz). Out-of-range `n` reads as REFCLK.
    pub fn timer_clock_select(&self, n: u32) -> bool {
        n < 4 && self.scctrl & (1 << (15 + 2 * n)) != 0
    }

    /// Rate in Hz of timer enable `n`, per [`Sp810::timer_clock_select`].
    pub fn timer_clock_hz(&self, n: u32) -> u64 {
        if self.timer_clock_select(n) {
            TIMCLK_HZ
        } else {
            REFCLK_HZ
        }
    }

    fn warn_once(&mut self, off: u64, write: bool, what: &str) {
        if self.warned.insert((off, write)) {
            tracing::warn!(target: "sp810", "{} at offset {:#x}: {}",
                if write { "write" } else { "read" }, off, what);
        }
    }

    fn read_reg(&mut self, off: u64) -> u32 {
        match off {
            SCCTRL => self.scctrl,
            SCSYSSTAT => 0,
            SCIMCTRL => self.scimctrl,
            SCIMSTAT => self.scimstat,
            SCXTALCTRL => self.scxtalctrl,
            SCPLLCTRL => self.scpllctrl,
            SCPLLFCTRL => self.scpllfctrl,
            SCPERCTRL0 => self.scperctrl0,
            SCPERCTRL1 => self.scperctrl1,
            SCPERCLKEN | SCPERSTAT => self.scperclken,
            0xee0..=0xeec => 0, // SCSysID0-3: no system identification programmed
            SCITCR..=SCCNTSTEP => self.test[((off - SCITCR) / 4) as usize],
            0xfe0..=0xffc => crate::primecell_id(off, PERIPH_ID).unwrap_or(0),
            SCPEREN | SCPERDIS => {
                self.warn_once(off, false, "write-only register: read as zero");
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
            SCCTRL => {
                let mode = v & MODE_CTRL_MASK;
                self.scctrl = (v & !MODE_STATUS_MASK) | (mode << MODE_STATUS_SHIFT);
            }
            // Any write requests a system reset (the reset status reads as zero).
            SCSYSSTAT => self.reset_requested = true,
            SCIMCTRL => self.scimctrl = v & 0xff,
            SCIMSTAT => self.scimstat = v & 1,
            SCXTALCTRL => self.scxtalctrl = v & 0x7ffff,
            SCPLLCTRL => self.scpllctrl = v & 0x1ff_ffff,
            SCPLLFCTRL => self.scpllfctrl = v,
            SCPERCTRL0 => self.scperctrl0 = v,
            SCPERCTRL1 => self.scperctrl1 = v,
            SCPEREN => self.scperclken |= v,
            SCPERDIS => self.scperclken &= !v,
            SCITCR..=SCCNTSTEP => self.test[((off - SCITCR) / 4) as usize] = v,
            SCPERCLKEN | SCPERSTAT | 0xee0..=0xeec | 0xfe0..=0xffc => {
                self.warn_once(off, true, "read-only register: write ignored")
            }
            _ => self.warn_once(off, true, "reserved register: write ignored"),
        }
    }
}

impl crate::MmioDevice for Sp810 {
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
        if size != 4 || offset & 3 != 0 || offset >= 0x1000 {
            self.warn_once(offset, true, "only aligned word writes: write ignored");
            return true;
        }
        self.write_reg(offset, value as u32);
        true
    }

    fn name(&self) -> &'static str {
        "sp810"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MmioDevice;

    const SCITIR0: u64 = 0xf04;
    const SCITIR1: u64 = 0xf08;
    const SCITOR: u64 = 0xf0c;
    const SCCNTCTRL: u64 = 0xf10;
    const SCCNTDATA: u64 = 0xf14;

    fn r(d: &mut Sp810, off: u64) -> u32 {
        d.read(off, 4).unwrap() as u32
    }

    fn w(d: &mut Sp810, off: u64, v: u32) {
        assert!(d.write(off, 4, v as u64));
    }

    #[test]
    fn reset_values() {
        let mut d = Sp810::new();
        assert_eq!(r(&mut d, SCCTRL), 0x24); // NORMAL, status NORMAL, timers on REFCLK
        for off in [
            SCSYSSTAT, SCIMCTRL, SCIMSTAT, SCXTALCTRL, SCPLLCTRL, SCPLLFCTRL, SCPERCTRL0,
            SCPERCTRL1, 0xee0, 0xeec, SCITCR, SCCNTSTEP,
        ] {
            assert_eq!(r(&mut d, off), 0, "offset {off:#x}");
        }
        assert_eq!(r(&mut d, SCPERCLKEN), 0xffff_ffff);
        assert_eq!(r(&mut d, SCPERSTAT), 0xffff_ffff);
        for n in 0..4 {
            assert!(!d.timer_clock_select(n));
            assert_eq!(d.timer_clock_hz(n), REFCLK_HZ);
        }
    }

    #[test]
    fn id_registers() {
        let mut d = Sp810::new();
        let ids: Vec<u32> = (0..8).map(|i| r(&mut d, 0xfe0 + 4 * i)).collect();
        assert_eq!(ids, [0x10, 0x18, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);
        w(&mut d, 0xfe0, 0);
        assert_eq!(r(&mut d, 0xfe0), 0x10);
        assert_eq!(d.read(0xfe0, 1), Some(0x10));
    }

    #[test]
    fn linux_timer_clock_select_writes() {
        let mut d = Sp810::new();
        // Linux (clk-sp810 / old v2m_sysctl_init): read-modify-write TimerEn0Sel/1Sel.
        let v = r(&mut d, SCCTRL) | (1 << 15) | (1 << 17);
        w(&mut d, SCCTRL, v);
        assert!(d.timer_clock_select(0));
        assert!(d.timer_clock_select(1));
        assert!(!d.timer_clock_select(2));
        assert!(!d.timer_clock_select(3));
        assert!(!d.timer_clock_select(7));
        assert_eq!(d.timer_clock_hz(0), TIMCLK_HZ);
        assert_eq!(r(&mut d, SCCTRL), v);
        w(&mut d, SCCTRL, v | (1 << 19) | (1 << 21));
        assert!(d.timer_clock_select(2) && d.timer_clock_select(3));
        w(&mut d, SCCTRL, v & !(1 << 15));
        assert!(!d.timer_clock_select(0));
    }

    #[test]
    fn mode_status_follows_mode_control() {
        let mut d = Sp810::new();
        w(&mut d, SCCTRL, 0b001 | (0xf << 3)); // DOZE; status bits written are ignored
        assert_eq!(r(&mut d, SCCTRL), 0b001 | (0b001 << 3));
    }

    #[test]
    fn plain_registers_read_back() {
        let mut d = Sp810::new();
        for (off, mask) in [
            (SCIMCTRL, 0xff),
            (SCIMSTAT, 1),
            (SCXTALCTRL, 0x7ffff),
            (SCPLLCTRL, 0x1ff_ffff),
            (SCPLLFCTRL, u32::MAX),
            (SCPERCTRL0, u32::MAX),
            (SCPERCTRL1, u32::MAX),
            (SCITCR, u32::MAX),
            (SCITIR0, u32::MAX),
            (SCITIR1, u32::MAX),
            (SCITOR, u32::MAX),
            (SCCNTCTRL, u32::MAX),
            (SCCNTDATA, u32::MAX),
            (SCCNTSTEP, u32::MAX),
        ] {
            w(&mut d, off, 0xffff_ffff);
            assert_eq!(r(&mut d, off), mask, "offset {off:#x}");
            w(&mut d, off, 0);
            assert_eq!(r(&mut d, off), 0, "offset {off:#x}");
        }
    }

    #[test]
    fn peripheral_clock_enable_set_and_clear() {
        let mut d = Sp810::new();
        w(&mut d, SCPERDIS, 0xffff_0000);
        assert_eq!(r(&mut d, SCPERCLKEN), 0x0000_ffff);
        w(&mut d, SCPEREN, 0x0100_0000);
        assert_eq!(r(&mut d, SCPERCLKEN), 0x0100_ffff);
        assert_eq!(r(&mut d, SCPERSTAT), 0x0100_ffff);
        assert_eq!(r(&mut d, SCPEREN), 0);
        assert_eq!(r(&mut d, SCPERDIS), 0);
        w(&mut d, SCPERCLKEN, 0);
        assert_eq!(r(&mut d, SCPERCLKEN), 0x0100_ffff);
    }

    #[test]
    fn bad_accesses_are_raz_wi() {
        let mut d = Sp810::new();
        w(&mut d, 0x034, 5);
        assert_eq!(r(&mut d, 0x034), 0);
        w(&mut d, 0xee0, 5);
        assert_eq!(r(&mut d, 0xee0), 0);
        assert!(d.write(SCIMCTRL, 1, 0xff)); // sub-word write ignored
        assert_eq!(r(&mut d, SCIMCTRL), 0);
        assert_eq!(d.read(SCCTRL, 8), Some(0));
        assert_eq!(d.read(0x1000, 4), Some(0));
    }

    #[test]
    fn a_scsysstat_write_requests_a_reset() {
        let mut d = Sp810::new();
        assert!(!d.take_reset_request());
        w(&mut d, SCSYSSTAT, 1);
        assert_eq!(r(&mut d, SCSYSSTAT), 0);
        assert!(d.take_reset_request());
        assert!(!d.take_reset_request());
    }
}
