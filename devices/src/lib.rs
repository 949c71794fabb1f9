//! Device models, one module each, reached through [`MmioDevice`]; [`DeviceMap`] decodes
//! physical addresses to devices and is the board's [`emu_core::Bus`].
//!
//! Data accesses that hit no device read as zero and ignore writes, as on QEMU's
//! vexpress-a15 (whose behaviour our test programs are checked against); each such
//! address is logged once. Instruction fetches from there take a Prefetch Abort.

pub mod gic;
pub mod gic_virt;
pub mod pl011;
pub mod pl031;
pub mod sp804;
pub mod sp810;
pub mod v2m_sysregs;

use std::collections::HashSet;

/// PrimeCell component identification PCellID0-3, common to every Arm PrimeCell.
pub const PCELL_ID: [u8; 4] = [0x0d, 0xf0, 0x05, 0xb1];

/// The PrimeCell identification registers every Arm peripheral ends its 4 KiB window with:
/// PeriphID0-3 at 0xFE0-0xFEC (the part's own `periph_id`) and PCellID0-3 at
/// 0xFF0-0xFFC. `None` for any other offset.
pub fn primecell_id(offset: u64, periph_id: [u8; 4]) -> Option<u32> {
    match offset {
        0xfe0..=0xfef => Some(periph_id[((offset - 0xfe0) / 4) as usize] as u32),
        0xff0..=0xfff => Some(PCELL_ID[((offset - 0xff0) / 4) as usize] as u32),
        _ => None,
    }
}

/// A device's register window.
pub trait MmioDevice {
    /// Reads `size` bytes (1, 2, 4 or 8) at `offset` into the window; `None` if the
    /// device signals an error response (the core takes an external abort).
    fn read(&mut self, offset: u64, size: u32) -> Option<u64>;
    /// Writes; `false` for an error response.
    fn write(&mut self, offset: u64, size: u32, value: u64) -> bool;
    /// Short name for logs.
    fn name(&self) -> &'static str;
}

struct Region {
    base: u64,
    size: u64,
    dev: Box<dyn MmioDevice>,
}

/// The board's physical address decoder.
#[derive(Default)]
pub struct DeviceMap {
    regions: Vec<Region>,
    logged: HashSet<u64>,
}

impl DeviceMap {
    pub fn new() -> DeviceMap {
        DeviceMap::default()
    }

    /// Maps `dev` at `base..base+size`. Overlapping another region is a board bug.
    pub fn add(&mut self, base: u64, size: u64, dev: Box<dyn MmioDevice>) {
        assert!(
            self.regions
                .iter()
                .all(|r| base + size <= r.base || r.base + r.size <= base),
            "device {} overlaps another region",
            dev.name()
        );
        self.regions.push(Region { base, size, dev });
        self.regions.sort_by_key(|r| r.base);
    }

    fn find(&mut self, pa: u64) -> Option<&mut Region> {
        let idx = self.regions.partition_point(|r| r.base <= pa);
        if idx == 0 {
            return None;
        }
        let r = &mut self.regions[idx - 1];
        (pa < r.base + r.size).then_some(r)
    }

    fn log_unmapped(&mut self, pa: u64, write: bool) {
        // Reads of the PrimeCell ID block (last 32 bytes of a 4 KiB window) are how
        // Linux's AMBA bus probes devices a device tree lists; where the board models
        // none, the probe finds ID 0 and gives up. One line per window, not per word.
        if !write && pa & 0xfff >= 0xfe0 {
            if self.logged.insert(pa & !0xfff) {
                tracing::info!(target: "bus", "PrimeCell ID probe at {:#x}: no device modelled there, reads as zero", pa & !0xfff);
            }
            return;
        }
        if self.logged.insert(pa) {
            tracing::warn!(target: "bus", "{} of unmapped physical address {:#x}: read as zero, write ignored",
                if write { "write" } else { "read" }, pa);
        }
    }
}

impl emu_core::Bus for DeviceMap {
    fn read(&mut self, pa: u64, size: u32) -> Option<u64> {
        match self.find(pa) {
            Some(r) => {
                let off = pa - r.base;
                r.dev.read(off, size)
            }
            None => {
                self.log_unmapped(pa, false);
                Some(0)
            }
        }
    }

    fn fetch(&mut self, pa: u64, size: u32) -> Option<u64> {
        // No ROM on the board: code runs from RAM only.
        let _ = (pa, size);
        None
    }

    fn write(&mut self, pa: u64, size: u32, value: u64) -> bool {
        match self.find(pa) {
            Some(r) => {
                let off = pa - r.base;
                r.dev.write(off, size, value)
            }
            None => {
                self.log_unmapped(pa, true);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use emu_core::Bus;

    /// Test double: a window of four 32-bit scratch registers.
    struct ScratchRegsForTest([u32; 4]);

    impl MmioDevice for ScratchRegsForTest {
        fn read(&mut self, offset: u64, _size: u32) -> Option<u64> {
            self.0.get(offset as usize / 4).map(|&v| v as u64)
        }
        fn write(&mut self, offset: u64, _size: u32, value: u64) -> bool {
            match self.0.get_mut(offset as usize / 4) {
                Some(r) => {
                    *r = value as u32;
                    true
                }
                None => false,
            }
        }
        fn name(&self) -> &'static str {
            "scratch"
        }
    }

    #[test]
    fn decodes_addresses_and_reads_zero_outside_regions() {
        let mut m = DeviceMap::new();
        m.add(0x1000, 0x10, Box::new(ScratchRegsForTest([0; 4])));
        m.add(0x3000, 0x10, Box::new(ScratchRegsForTest([7; 4])));
        assert!(m.write(0x1004, 4, 42));
        assert_eq!(m.read(0x1004, 4), Some(42));
        assert_eq!(m.read(0x300c, 4), Some(7));
        assert_eq!(m.read(0x2000, 4), Some(0));
        assert_eq!(m.read(0x1010, 4), Some(0));
        assert!(m.write(0x0, 4, 1));
        assert_eq!(m.fetch(0x1000, 4), None);
    }
}
