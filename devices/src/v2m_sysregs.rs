//! Versatile Express V2M-P1 motherboard system registers (DUI0447, at 0x1c010000), with the
//! SYS_CFG* bridge to the board configuration controller as Linux's vexpress-config,
//! vexpress-osc, vexpress-hwmon, vexpress-regulator and vexpress-poweroff drivers use it.
//!
//! Identification values follow QEMU's vexpress-a15 (SYS_ID 0x1190f500, SYS_PROCID0
//! 0x14000237 for the CoreTile A15x2, no tile in site 2). Counters (SYS_100HZ, SYS_24MHZ)
//! are computed from the machine clock on read. Shutdown and reboot requests become a
//! pending [`PowerRequest`] the board collects with [`V2mSysRegs::take_power_request`].

use std::collections::{HashMap, HashSet};

const SYS_ID: u64 = 0x00;
const SYS_SW: u64 = 0x04;
const SYS_LED: u64 = 0x08;
const SYS_100HZ: u64 = 0x24;
const SYS_FLAGS: u64 = 0x30; // read: flags; write: SYS_FLAGSSET
const SYS_FLAGSCLR: u64 = 0x34;
const SYS_NVFLAGS: u64 = 0x38; // read: flags; write: SYS_NVFLAGSSET
const SYS_NVFLAGSCLR: u64 = 0x3c;
const SYS_MCI: u64 = 0x48;
const SYS_FLASH: u64 = 0x4c;
const SYS_CFGSW: u64 = 0x58;
const SYS_24MHZ: u64 = 0x5c;
const SYS_MISC: u64 = 0x60;
const SYS_DMA: u64 = 0x64;
const SYS_PROCID0: u64 = 0x84;
const SYS_PROCID1: u64 = 0x88;
const SYS_CFGDATA: u64 = 0xa0;
const SYS_CFGCTRL: u64 = 0xa4;
const SYS_CFGSTAT: u64 = 0xa8;

pub const SYS_ID_VALUE: u32 = 0x1190_f500;
pub const PROCID0_CA15X2: u32 = 0x1400_0237;
/// "No daughterboard" in site 2.
pub const PROCID1_NONE: u32 = 0xff00_0000;

pub const CFGCTRL_START: u32 = 1 << 31;
pub const CFGCTRL_WRITE: u32 = 1 << 30;
pub const CFGSTAT_COMPLETE: u32 = 1 << 0;
pub const CFGSTAT_ERR: u32 = 1 << 1;

// SYS_CFGCTRL functions.
pub const FUNC_OSC: u32 = 1;
pub const FUNC_VOLT: u32 = 2;
pub const FUNC_AMP: u32 = 3;
pub const FUNC_TEMP: u32 = 4;
pub const FUNC_RESET: u32 = 5;
pub const FUNC_MUXFPGA: u32 = 7;
pub const FUNC_SHUTDOWN: u32 = 8;
pub const FUNC_REBOOT: u32 = 9;
pub const FUNC_DVIMODE: u32 = 11;
pub const FUNC_POWER: u32 = 12;
pub const FUNC_ENERGY: u32 = 13;

// SYS_CFGCTRL sites.
pub const SITE_MB: u32 = 0;
pub const SITE_DB1: u32 = 1;

/// A board-level request made by the guest through the configuration controller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PowerRequest {
    /// SHUTDOWN: power the board off.
    Off,
    /// REBOOT or RESET: reset the board.
    Reset,
}

/// Initial oscillator frequencies in Hz: (site, device, Hz). Motherboard OSC0-2 (MCC,
/// CLCD pixel clock, peripherals) and the CoreTile A15x2 OSCCLK0 and 4-8, as QEMU.
const OSCS: [(u32, u32, u32); 9] = [
    (SITE_MB, 0, 50_000_000),
    (SITE_MB, 1, 23_750_000),
    (SITE_MB, 2, 24_000_000),
    (SITE_DB1, 0, 60_000_000),
    (SITE_DB1, 4, 40_000_000),
    (SITE_DB1, 5, 23_750_000),
    (SITE_DB1, 6, 50_000_000),
    (SITE_DB1, 7, 60_000_000),
    (SITE_DB1, 8, 40_000_000),
];

/// Fixed sensor readings: (function, site, device, value). Volts in µV, amps in µA,
/// temperatures in m°C, power in µW, energy in µJ as two words (device 0 high, 1 low).
const SENSORS: [(u32, u32, u32, u32); 7] = [
    (FUNC_VOLT, SITE_MB, 0, 3_300_000), // VIO
    (FUNC_TEMP, SITE_MB, 0, 40_000),    // MCC
    (FUNC_VOLT, SITE_DB1, 0, 900_000),  // Vcore
    (FUNC_AMP, SITE_DB1, 0, 1_000_000), // Vcore current
    (FUNC_TEMP, SITE_DB1, 0, 45_000),   // DCC
    (FUNC_POWER, SITE_DB1, 0, 900_000), // Vcore power
    (FUNC_ENERGY, SITE_DB1, 0, 0),      // energy high word (low word is device 1)
];

pub struct V2mSysRegs {
    clock: Box<dyn Fn() -> u64>,
    sw: u32,
    led: u32,
    flags: u32,
    nvflags: u32,
    mci: u32,
    flash: u32,
    cfgsw: u32,
    misc: u32,
    dma: u32,
    cfgdata: u32,
    cfgctrl: u32,
    cfgstat: u32,
    /// (site, device) -> Hz.
    osc: HashMap<(u32, u32), u32>,
    /// (function, site, device) -> value, for VOLT (writable) and read-only sensors.
    sensors: HashMap<(u32, u32, u32), u32>,
    muxfpga: u32,
    dvimode: u32,
    power_request: Option<PowerRequest>,
    warned: HashSet<(u64, bool)>,
    /// Failed SYS_CFGCTRL values already logged.
    cfg_warned: HashSet<u32>,
}

impl V2mSysRegs {
    /// `clock` returns the machine time in nanoseconds.
    pub fn new(clock: Box<dyn Fn() -> u64>) -> V2mSysRegs {
        let mut sensors: HashMap<(u32, u32, u32), u32> =
            SENSORS.iter().map(|&(f, s, d, v)| ((f, s, d), v)).collect();
        sensors.insert((FUNC_ENERGY, SITE_DB1, 1), 0);
        V2mSysRegs {
            clock,
            sw: 0,
            led: 0,
            flags: 0,
            nvflags: 0,
            mci: 0,
            flash: 0,
            cfgsw: 0,
            misc: 0,
            dma: 0,
            cfgdata: 0,
            cfgctrl: 0,
            cfgstat: 0,
            osc: OSCS.iter().map(|&(s, d, hz)| ((s, d), hz)).collect(),
            sensors,
            muxfpga: 0,
            dvimode: 0,
            power_request: None,
            warned: HashSet::new(),
            cfg_warned: HashSet::new(),
        }
    }

    /// Board reset: everything returns to its reset value except SYS_NVFLAGS (kept over
    /// a reset, lost at power-on) and the host-set switch and card-detect inputs.
    pub fn reset(&mut self) {
        let clock = std::mem::replace(&mut self.clock, Box::new(|| 0));
        let mut fresh = V2mSysRegs::new(clock);
        fresh.nvflags = self.nvflags;
        fresh.sw = self.sw;
        fresh.mci = self.mci;
        *self = fresh;
    }

    /// The pending shutdown/reboot request, if the guest made one since the last call.
    pub fn take_power_request(&mut self) -> Option<PowerRequest> {
        self.power_request.take()
    }

    /// The interrupt line never changes: no deadline.
    pub fn next_deadline_ns(&self) -> Option<u64> {
        None
    }

    /// User switches as seen in SYS_SW[7:0] (host side).
    pub fn set_switches(&mut self, sw: u8) {
        self.sw = sw as u32;
    }

    /// SYS_MCI card detect (bit 0) and write protect (bit 1) inputs (host side).
    pub fn set_mmc_status(&mut self, card_present: bool, write_protect: bool) {
        self.mci = card_present as u32 | (write_protect as u32) << 1;
    }

    /// SYS_LED[7:0] as the guest last wrote it.
    pub fn leds(&self) -> u8 {
        self.led as u8
    }

    /// Current oscillator frequency in Hz for `site`/`device` (e.g. the CLCD pixel clock).
    pub fn osc_hz(&self, site: u32, device: u32) -> Option<u32> {
        self.osc.get(&(site, device)).copied()
    }

    fn now_ns(&self) -> u64 {
        (self.clock)()
    }

    fn counter(&self, hz: u64) -> u32 {
        ((self.now_ns() as u128 * hz as u128) / 1_000_000_000) as u32
    }

    fn warn_once(&mut self, off: u64, write: bool, what: &str) {
        if self.warned.insert((off, write)) {
            tracing::warn!(target: "v2m_sysregs", "{} at offset {:#x}: {}",
                if write { "write" } else { "read" }, off, what);
        }
    }

    /// Runs the SYS_CFGCTRL transaction `ctrl`; `Err` sets SYS_CFGSTAT.ERR.
    fn config_transaction(&mut self, ctrl: u32) -> Result<(), &'static str> {
        let write = ctrl & CFGCTRL_WRITE != 0;
        let func = (ctrl >> 20) & 0x3f;
        let site = (ctrl >> 16) & 3;
        let device = ctrl & 0xfff;
        match (func, write) {
            (FUNC_OSC, false) => {
                self.cfgdata = *self.osc.get(&(site, device)).ok_or("no such oscillator")?;
            }
            (FUNC_OSC, true) => {
                let hz = self
                    .osc
                    .get_mut(&(site, device))
                    .ok_or("no such oscillator")?;
                *hz = self.cfgdata;
            }
            (FUNC_VOLT | FUNC_AMP | FUNC_TEMP | FUNC_POWER | FUNC_ENERGY, false) => {
                self.cfgdata = *self
                    .sensors
                    .get(&(func, site, device))
                    .ok_or("no such sensor")?;
            }
            (FUNC_VOLT, true) => {
                let v = self
                    .sensors
                    .get_mut(&(func, site, device))
                    .ok_or("no such regulator")?;
                *v = self.cfgdata;
            }
            (FUNC_MUXFPGA | FUNC_DVIMODE, _) if site == SITE_MB && device == 0 => {
                let reg = if func == FUNC_MUXFPGA {
                    &mut self.muxfpga
                } else {
                    &mut self.dvimode
                };
                if write {
                    *reg = self.cfgdata;
                } else {
                    self.cfgdata = *reg;
                }
            }
            (FUNC_SHUTDOWN, true) if site == SITE_MB && device == 0 => {
                self.power_request = Some(PowerRequest::Off);
            }
            (FUNC_REBOOT | FUNC_RESET, true) if site == SITE_MB && device == 0 => {
                self.power_request = Some(PowerRequest::Reset);
            }
            _ => return Err("unsupported configuration function"),
        }
        Ok(())
    }

    fn read_reg(&mut self, off: u64) -> u32 {
        match off {
            SYS_ID => SYS_ID_VALUE,
            SYS_SW => self.sw,
            SYS_LED => self.led,
            SYS_100HZ => self.counter(100),
            SYS_FLAGS => self.flags,
            SYS_NVFLAGS => self.nvflags,
            SYS_MCI => self.mci,
            SYS_FLASH => self.flash,
            SYS_CFGSW => self.cfgsw,
            SYS_24MHZ => self.counter(24_000_000),
            SYS_MISC => self.misc,
            SYS_DMA => self.dma,
            SYS_PROCID0 => PROCID0_CA15X2,
            SYS_PROCID1 => PROCID1_NONE,
            SYS_CFGDATA => self.cfgdata,
            SYS_CFGCTRL => self.cfgctrl,
            SYS_CFGSTAT => self.cfgstat,
            SYS_FLAGSCLR | SYS_NVFLAGSCLR => {
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
            SYS_SW => self.sw = v & 0xff,
            SYS_LED => self.led = v & 0xff,
            SYS_FLAGS => self.flags |= v,
            SYS_FLAGSCLR => self.flags &= !v,
            SYS_NVFLAGS => self.nvflags |= v,
            SYS_NVFLAGSCLR => self.nvflags &= !v,
            SYS_FLASH => self.flash = v & 1,
            SYS_CFGSW => self.cfgsw = v & 0xff,
            SYS_MISC => self.misc = v,
            SYS_DMA => self.dma = v,
            SYS_CFGDATA => self.cfgdata = v,
            SYS_CFGSTAT => self.cfgstat = v & (CFGSTAT_COMPLETE | CFGSTAT_ERR),
            SYS_CFGCTRL => {
                self.cfgctrl = v & !CFGCTRL_START;
                if v & CFGCTRL_START != 0 {
                    self.cfgstat = CFGSTAT_COMPLETE;
                    if let Err(why) = self.config_transaction(v) {
                        if self.cfg_warned.insert(v) {
                            tracing::warn!(target: "v2m_sysregs",
                            "SYS_CFGCTRL {v:#010x}: {why}: error response");
                        }
                        self.cfgstat |= CFGSTAT_ERR;
                    }
                }
            }
            SYS_ID | SYS_100HZ | SYS_MCI | SYS_24MHZ | SYS_PROCID0 | SYS_PROCID1 => {
                self.warn_once(off, true, "read-only register: write ignored")
            }
            _ => self.warn_once(off, true, "reserved register: write ignored"),
        }
    }
}

impl crate::MmioDevice for V2mSysRegs {
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
        "v2m_sysregs"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MmioDevice;
    use std::cell::Cell;
    use std::rc::Rc;

    fn dev() -> (V2mSysRegs, Rc<Cell<u64>>) {
        let t = Rc::new(Cell::new(0u64));
        let t2 = t.clone();
        (V2mSysRegs::new(Box::new(move || t2.get())), t)
    }

    fn r(d: &mut V2mSysRegs, off: u64) -> u32 {
        d.read(off, 4).unwrap() as u32
    }

    fn w(d: &mut V2mSysRegs, off: u64, v: u32) {
        assert!(d.write(off, 4, v as u64));
    }

    fn ctrl(write: bool, func: u32, site: u32, position: u32, device: u32) -> u32 {
        CFGCTRL_START
            | if write { CFGCTRL_WRITE } else { 0 }
            | func << 20
            | site << 16
            | position << 12
            | device
    }

    /// One transaction the way Linux's vexpress-config does it; returns (CFGSTAT, data).
    fn cfg(
        d: &mut V2mSysRegs,
        write: bool,
        func: u32,
        site: u32,
        dev: u32,
        data: u32,
    ) -> (u32, u32) {
        w(d, SYS_CFGSTAT, 0);
        if write {
            w(d, SYS_CFGDATA, data);
        }
        w(d, SYS_CFGCTRL, ctrl(write, func, site, 0, dev));
        (r(d, SYS_CFGSTAT), r(d, SYS_CFGDATA))
    }

    #[test]
    fn reset_values_and_identification() {
        let (mut d, _) = dev();
        assert_eq!(r(&mut d, SYS_ID), 0x1190_f500);
        assert_eq!(r(&mut d, SYS_PROCID0), 0x1400_0237);
        assert_eq!(r(&mut d, SYS_PROCID1), 0xff00_0000);
        for off in [
            SYS_SW,
            SYS_LED,
            SYS_100HZ,
            SYS_FLAGS,
            SYS_NVFLAGS,
            SYS_MCI,
            SYS_FLASH,
            SYS_CFGSW,
            SYS_24MHZ,
            SYS_MISC,
            SYS_DMA,
            SYS_CFGDATA,
            SYS_CFGCTRL,
            SYS_CFGSTAT,
        ] {
            assert_eq!(r(&mut d, off), 0, "offset {off:#x}");
        }
        assert_eq!(d.take_power_request(), None);
        assert_eq!(d.next_deadline_ns(), None);
        // Read-only identification ignores writes.
        w(&mut d, SYS_ID, 0);
        w(&mut d, SYS_PROCID0, 0);
        w(&mut d, SYS_PROCID1, 0);
        assert_eq!(r(&mut d, SYS_ID), 0x1190_f500);
        assert_eq!(r(&mut d, SYS_PROCID0), 0x1400_0237);
        assert_eq!(r(&mut d, SYS_PROCID1), 0xff00_0000);
        assert_eq!(d.read(SYS_ID, 1), Some(0x00));
        assert_eq!(d.read(SYS_ID + 2, 2), Some(0x1190));
    }

    #[test]
    fn plain_registers() {
        let (mut d, _) = dev();
        for (off, mask) in [
            (SYS_SW, 0xff),
            (SYS_LED, 0xff),
            (SYS_FLASH, 1),
            (SYS_CFGSW, 0xff),
            (SYS_MISC, u32::MAX),
            (SYS_DMA, u32::MAX),
            (SYS_CFGDATA, u32::MAX),
            (SYS_CFGSTAT, 3),
        ] {
            w(&mut d, off, 0xffff_ffff);
            assert_eq!(r(&mut d, off), mask, "offset {off:#x}");
            w(&mut d, off, 0);
            assert_eq!(r(&mut d, off), 0, "offset {off:#x}");
        }
        w(&mut d, SYS_LED, 0xa5);
        assert_eq!(d.leds(), 0xa5);
    }

    #[test]
    fn host_inputs() {
        let (mut d, _) = dev();
        d.set_switches(0x81);
        assert_eq!(r(&mut d, SYS_SW), 0x81);
        d.set_mmc_status(true, false);
        assert_eq!(r(&mut d, SYS_MCI), 1);
        d.set_mmc_status(true, true);
        w(&mut d, SYS_MCI, 0);
        assert_eq!(r(&mut d, SYS_MCI), 3);
    }

    #[test]
    fn flags_set_clear_and_nv_flags_survive_reset() {
        let (mut d, _) = dev();
        w(&mut d, SYS_FLAGS, 0x8000_0001);
        w(&mut d, SYS_FLAGS, 0x10);
        assert_eq!(r(&mut d, SYS_FLAGS), 0x8000_0011);
        w(&mut d, SYS_FLAGSCLR, 0x8000_0000);
        assert_eq!(r(&mut d, SYS_FLAGS), 0x11);
        assert_eq!(r(&mut d, SYS_FLAGSCLR), 0);
        w(&mut d, SYS_NVFLAGS, 0xf0);
        w(&mut d, SYS_NVFLAGSCLR, 0x30);
        assert_eq!(r(&mut d, SYS_NVFLAGS), 0xc0);
        assert_eq!(r(&mut d, SYS_NVFLAGSCLR), 0);
        w(&mut d, SYS_LED, 1);
        d.reset();
        assert_eq!(r(&mut d, SYS_FLAGS), 0);
        assert_eq!(r(&mut d, SYS_LED), 0);
        assert_eq!(r(&mut d, SYS_NVFLAGS), 0xc0);
    }

    #[test]
    fn counters_follow_the_clock() {
        let (mut d, t) = dev();
        t.set(1_000_000_000); // 1 s
        assert_eq!(r(&mut d, SYS_100HZ), 100);
        assert_eq!(r(&mut d, SYS_24MHZ), 24_000_000);
        t.set(1_000_000_000 + 41); // 24 MHz ticks every 41.67 ns
        assert_eq!(r(&mut d, SYS_24MHZ), 24_000_000);
        t.set(1_000_000_000 + 42);
        assert_eq!(r(&mut d, SYS_24MHZ), 24_000_001);
        t.set(9_999_999);
        assert_eq!(r(&mut d, SYS_100HZ), 0);
        t.set(10_000_000);
        assert_eq!(r(&mut d, SYS_100HZ), 1);
        // The 32-bit counter wraps (after ~179 s) instead of overflowing.
        t.set(200_000_000_000);
        assert_eq!(r(&mut d, SYS_24MHZ), (200u64 * 24_000_000) as u32);
        t.set(u64::MAX);
        r(&mut d, SYS_24MHZ);
        r(&mut d, SYS_100HZ);
        w(&mut d, SYS_24MHZ, 0);
        w(&mut d, SYS_100HZ, 0);
        t.set(1_000_000_000);
        assert_eq!(r(&mut d, SYS_100HZ), 100);
    }

    #[test]
    fn oscillators_read_and_write() {
        let (mut d, _) = dev();
        assert_eq!(
            cfg(&mut d, false, FUNC_OSC, SITE_MB, 1, 0),
            (CFGSTAT_COMPLETE, 23_750_000)
        );
        assert_eq!(
            cfg(&mut d, false, FUNC_OSC, SITE_DB1, 0, 0),
            (CFGSTAT_COMPLETE, 60_000_000)
        );
        assert_eq!(
            cfg(&mut d, true, FUNC_OSC, SITE_MB, 1, 65_000_000).0,
            CFGSTAT_COMPLETE
        );
        assert_eq!(
            cfg(&mut d, false, FUNC_OSC, SITE_MB, 1, 0),
            (CFGSTAT_COMPLETE, 65_000_000)
        );
        assert_eq!(d.osc_hz(SITE_MB, 1), Some(65_000_000));
        assert_eq!(d.osc_hz(SITE_MB, 2), Some(24_000_000));
        // Unknown oscillator, empty site 2: error.
        assert_eq!(
            cfg(&mut d, false, FUNC_OSC, SITE_DB1, 2, 0).0,
            CFGSTAT_COMPLETE | CFGSTAT_ERR
        );
        assert_eq!(
            cfg(&mut d, false, FUNC_OSC, 2, 0, 0).0,
            CFGSTAT_COMPLETE | CFGSTAT_ERR
        );
        // The START bit self-clears; the rest of CFGCTRL reads back.
        assert_eq!(r(&mut d, SYS_CFGCTRL), (FUNC_OSC << 20) | (2 << 16));
    }

    #[test]
    fn sensors() {
        let (mut d, _) = dev();
        assert_eq!(cfg(&mut d, false, FUNC_VOLT, SITE_DB1, 0, 0), (1, 900_000));
        assert_eq!(cfg(&mut d, false, FUNC_VOLT, SITE_MB, 0, 0), (1, 3_300_000));
        assert_eq!(cfg(&mut d, false, FUNC_AMP, SITE_DB1, 0, 0), (1, 1_000_000));
        assert_eq!(cfg(&mut d, false, FUNC_TEMP, SITE_DB1, 0, 0), (1, 45_000));
        assert_eq!(cfg(&mut d, false, FUNC_TEMP, SITE_MB, 0, 0), (1, 40_000));
        assert_eq!(cfg(&mut d, false, FUNC_POWER, SITE_DB1, 0, 0), (1, 900_000));
        assert_eq!(cfg(&mut d, false, FUNC_ENERGY, SITE_DB1, 0, 0), (1, 0));
        assert_eq!(cfg(&mut d, false, FUNC_ENERGY, SITE_DB1, 1, 0), (1, 0));
        // Regulator voltage is settable; measurements are not.
        assert_eq!(cfg(&mut d, true, FUNC_VOLT, SITE_DB1, 0, 950_000).0, 1);
        assert_eq!(cfg(&mut d, false, FUNC_VOLT, SITE_DB1, 0, 0), (1, 950_000));
        assert_eq!(cfg(&mut d, true, FUNC_TEMP, SITE_DB1, 0, 1).0, 3);
        assert_eq!(cfg(&mut d, true, FUNC_AMP, SITE_DB1, 0, 1).0, 3);
        assert_eq!(cfg(&mut d, false, FUNC_AMP, SITE_DB1, 5, 0).0, 3);
    }

    #[test]
    fn shutdown_reboot_and_reset_requests() {
        let (mut d, _) = dev();
        assert_eq!(
            cfg(&mut d, true, FUNC_SHUTDOWN, SITE_MB, 0, 0).0,
            CFGSTAT_COMPLETE
        );
        assert_eq!(d.take_power_request(), Some(PowerRequest::Off));
        assert_eq!(d.take_power_request(), None);
        assert_eq!(
            cfg(&mut d, true, FUNC_REBOOT, SITE_MB, 0, 0).0,
            CFGSTAT_COMPLETE
        );
        assert_eq!(d.take_power_request(), Some(PowerRequest::Reset));
        assert_eq!(
            cfg(&mut d, true, FUNC_RESET, SITE_MB, 0, 0).0,
            CFGSTAT_COMPLETE
        );
        assert_eq!(d.take_power_request(), Some(PowerRequest::Reset));
        // Reads, or the wrong site, are errors and request nothing.
        assert_eq!(cfg(&mut d, false, FUNC_SHUTDOWN, SITE_MB, 0, 0).0, 3);
        assert_eq!(cfg(&mut d, true, FUNC_REBOOT, SITE_DB1, 0, 0).0, 3);
        assert_eq!(d.take_power_request(), None);
    }

    #[test]
    fn muxfpga_dvimode_and_unknown_functions() {
        let (mut d, _) = dev();
        assert_eq!(cfg(&mut d, true, FUNC_MUXFPGA, SITE_MB, 0, 1).0, 1);
        assert_eq!(cfg(&mut d, true, FUNC_DVIMODE, SITE_MB, 0, 4).0, 1);
        assert_eq!(cfg(&mut d, false, FUNC_MUXFPGA, SITE_MB, 0, 0), (1, 1));
        assert_eq!(cfg(&mut d, false, FUNC_DVIMODE, SITE_MB, 0, 0), (1, 4));
        assert_eq!(cfg(&mut d, true, FUNC_DVIMODE, SITE_DB1, 0, 4).0, 3);
        assert_eq!(cfg(&mut d, false, 6, SITE_DB1, 0, 0).0, 3);
        assert_eq!(cfg(&mut d, false, 0x3f, SITE_MB, 0, 0).0, 3);
    }

    #[test]
    fn cfgctrl_without_start_does_nothing() {
        let (mut d, _) = dev();
        w(&mut d, SYS_CFGDATA, 7);
        w(&mut d, SYS_CFGCTRL, CFGCTRL_WRITE | (FUNC_SHUTDOWN << 20));
        assert_eq!(r(&mut d, SYS_CFGSTAT), 0);
        assert_eq!(
            r(&mut d, SYS_CFGCTRL),
            CFGCTRL_WRITE | (FUNC_SHUTDOWN << 20)
        );
        assert_eq!(d.take_power_request(), None);
        // Position bits are accepted (ignored).
        w(&mut d, SYS_CFGCTRL, ctrl(false, FUNC_OSC, SITE_MB, 3, 2));
        assert_eq!(r(&mut d, SYS_CFGSTAT), 1);
        assert_eq!(r(&mut d, SYS_CFGDATA), 24_000_000);
    }

    #[test]
    fn bad_accesses_are_raz_wi() {
        let (mut d, _) = dev();
        for off in [0x0c, 0x20, 0x40, 0x68, 0x8c, 0xac, 0xffc] {
            w(&mut d, off, 0xffff_ffff);
            assert_eq!(r(&mut d, off), 0, "offset {off:#x}");
        }
        assert!(d.write(SYS_LED, 1, 0xff)); // sub-word write ignored
        assert_eq!(r(&mut d, SYS_LED), 0);
        assert_eq!(d.read(SYS_ID, 8), Some(0));
        assert_eq!(d.read(SYS_ID + 1, 2), Some(0));
        assert_eq!(d.read(0x1000, 4), Some(0));
    }
}
