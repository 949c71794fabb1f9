//! Guest memory: RAM as one anonymous mapping, everything else through the [`Bus`]
//! (ARCHITECTURE.md, decision 3), and the data-access rules of the core: alignment
//! (Arm ARM A3.2.1), endianness (CPSR.E, A3.3) and unprivileged accesses.
//!
//! With the MMU off a virtual address is its physical address; with it on, `translate`
//! looks the page up in the soft TLB and walks the tables on a miss (`crate::mmu`).

use crate::cpu::Cpu;
use crate::exception::{Exception, FaultKind, MemFault};
use crate::mmu::AccessType;
use crate::state::{psr, sctlr, Mode};

/// Physical memory outside RAM (device registers). `None` / `false` means nothing
/// answered: the access becomes a synchronous external abort.
pub trait Bus {
    fn read(&mut self, pa: u64, size: u32) -> Option<u64>;
    fn write(&mut self, pa: u64, size: u32, value: u64) -> bool;
    /// An instruction fetch outside RAM; `None` is a Prefetch Abort.
    fn fetch(&mut self, pa: u64, size: u32) -> Option<u64> {
        self.read(pa, size)
    }
}

/// A bus with nothing on it: every access aborts.
pub struct EmptyBus;

impl Bus for EmptyBus {
    fn read(&mut self, _pa: u64, _size: u32) -> Option<u64> {
        None
    }
    fn write(&mut self, _pa: u64, _size: u32, _value: u64) -> bool {
        false
    }
}

/// Guest RAM: one anonymous host mapping at a guest physical base.
pub struct Ram {
    map: memmap2::MmapMut,
    base: u64,
}

/// RAM could not be allocated.
#[derive(Debug)]
pub struct RamError(pub std::io::Error);

impl std::fmt::Display for RamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot allocate guest RAM: {}", self.0)
    }
}

impl std::error::Error for RamError {}

impl Ram {
    pub fn new(base: u64, size: usize) -> Result<Ram, RamError> {
        let map = memmap2::MmapMut::map_anon(size).map_err(RamError)?;
        Ok(Ram { map, base })
    }

    pub fn base(&self) -> u64 {
        self.base
    }

    pub fn size(&self) -> u64 {
        self.map.len() as u64
    }

    pub fn contains(&self, pa: u64, len: u64) -> bool {
        pa >= self.base && pa.wrapping_add(len) <= self.base + self.map.len() as u64
    }

    /// The bytes at `pa`, if `pa..pa+len` lies in RAM.
    pub fn slice(&self, pa: u64, len: usize) -> Option<&[u8]> {
        if self.contains(pa, len as u64) {
            let off = (pa - self.base) as usize;
            Some(&self.map[off..off + len])
        } else {
            None
        }
    }

    pub fn slice_mut(&mut self, pa: u64, len: usize) -> Option<&mut [u8]> {
        if self.contains(pa, len as u64) {
            let off = (pa - self.base) as usize;
            Some(&mut self.map[off..off + len])
        } else {
            None
        }
    }

    #[inline(always)]
    fn host_ptr(&self, pa: u64, len: u64) -> Option<*mut u8> {
        let off = pa.wrapping_sub(self.base);
        if off.wrapping_add(len) <= self.map.len() as u64 && off < self.map.len() as u64 {
            // SAFETY: off + len is within the mapping.
            Some(unsafe { (self.map.as_ptr() as *mut u8).add(off as usize) })
        } else {
            None
        }
    }
}

/// How a data access is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Acc(u8);

impl Acc {
    /// A normal access: misalignment faults only when SCTLR.A is set.
    pub const NORMAL: Acc = Acc(0);
    /// The instruction requires natural alignment of each access (LDM/STM, LDRD,
    /// exclusives, SWP, ...): misalignment always faults.
    pub const ALIGNED: Acc = Acc(1);
    /// Unprivileged (LDRT/STRT family): checked as if from PL0.
    pub const UNPRIV: Acc = Acc(2);

    pub const fn union(self, o: Acc) -> Acc {
        Acc(self.0 | o.0)
    }

    pub const fn contains(self, o: Acc) -> bool {
        self.0 & o.0 == o.0
    }
}

const PAGE_SHIFT: u32 = 12;
/// HCR.VM and HCR.DC: stage 2 may apply even with SCTLR.M = 0.
const HCR_S2: u32 = crate::hyp_regs::HCR_VM | crate::mmu::stage2::HCR_DC;

/// Loads `size` (1, 2, 4 or 8) little-endian bytes from host memory.
///
/// # Safety
/// `p..p + size` must be valid for reads.
#[inline(always)]
unsafe fn load(p: *const u8, size: u32) -> u64 {
    match size {
        1 => *p as u64,
        2 => (p as *const u16).read_unaligned() as u64,
        4 => (p as *const u32).read_unaligned() as u64,
        _ => (p as *const u64).read_unaligned(),
    }
}

/// Stores the low `size` (1, 2, 4 or 8) bytes of `v` to host memory.
///
/// # Safety
/// `p..p + size` must be valid for writes.
#[inline(always)]
unsafe fn store(p: *mut u8, size: u32, v: u64) {
    match size {
        1 => *p = v as u8,
        2 => (p as *mut u16).write_unaligned(v as u16),
        4 => (p as *mut u32).write_unaligned(v as u32),
        _ => (p as *mut u64).write_unaligned(v),
    }
}

impl Cpu {
    /// Virtual to physical with the MMU on: a TLB hit, or a walk. `va..va+size` must
    /// not cross a page.
    #[inline(always)]
    fn translate_on(&mut self, va: u32, access: AccessType, acc: Acc) -> Result<u64, MemFault> {
        let mode = self.s.cpsr_ctrl & psr::M_MASK;
        let unpriv = mode == Mode::Usr as u32 || acc.contains(Acc::UNPRIV);
        // One soft TLB per regime: PL1&0, and PL2 for Hyp mode (where the unprivileged
        // forms are UNPREDICTABLE and checked like the others).
        let hit = if mode != Mode::Hyp as u32 {
            self.mmu.tlb.lookup(va, access.bit(unpriv))
        } else {
            self.mmu.tlb_hyp.lookup(va, access.pl1_bit())
        };
        if let Some(pa) = hit {
            return Ok(pa);
        }
        self.translate_miss(va, access, unpriv)
            .map_err(|kind| MemFault {
                kind,
                vaddr: va,
                write: access == AccessType::Write,
            })
    }

    /// A data access that crosses a page with the MMU on: both pages are checked
    /// before anything happens, then the access is done byte by byte.
    #[cold]
    #[inline(never)]
    fn check_cross_page(
        &mut self,
        va: u32,
        size: u32,
        access: AccessType,
        acc: Acc,
    ) -> Result<(), Exception> {
        self.translate_on(va, access, acc)
            .map_err(Exception::DataAbort)?;
        let next = (va | 0xfff).wrapping_add(1);
        if next.wrapping_sub(va) < size {
            self.translate_on(next, access, acc)
                .map_err(Exception::DataAbort)?;
        }
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn read_cross_page(&mut self, va: u32, size: u32, acc: Acc) -> Result<u64, Exception> {
        self.check_cross_page(va, size, AccessType::Read, acc)?;
        let mut v = 0u64;
        for i in 0..size {
            v |= self.read_raw(va.wrapping_add(i), 1, acc)? << (8 * i);
        }
        Ok(v)
    }

    #[cold]
    #[inline(never)]
    fn write_cross_page(&mut self, va: u32, size: u32, v: u64, acc: Acc) -> Result<(), Exception> {
        self.check_cross_page(va, size, AccessType::Write, acc)?;
        for i in 0..size {
            self.write_raw(va.wrapping_add(i), 1, (v >> (8 * i)) & 0xff, acc)?;
        }
        Ok(())
    }

    /// Virtual to physical for an instruction fetch (execute permission); a fault is a
    /// Prefetch Abort. Out of line: the run loop's block lookup calls it only when its
    /// direct-mapped front misses, and inlined there it costs the loop registers.
    #[inline(never)]
    pub(crate) fn translate_fetch(&mut self, va: u32) -> Result<u64, Exception> {
        let pa = if !self.mmu_on() {
            va as u64
        } else {
            self.translate_on(va, AccessType::Fetch, Acc::NORMAL)
                .map_err(Exception::PrefetchAbort)?
        };
        self.mmu.last_fetch_ppage = pa >> PAGE_SHIFT;
        Ok(pa)
    }

    /// SCTLR.A, or HSCTLR.A in Hyp mode (only looked at for a misaligned address).
    #[cold]
    #[inline(never)]
    fn align_checks(&self) -> bool {
        let c = if self.s.in_hyp() {
            self.s.hsctlr
        } else {
            self.s.sctlr
        };
        c & sctlr::A != 0
    }

    #[inline(always)]
    fn check_align(&self, va: u32, size: u32, write: bool, acc: Acc) -> Result<(), Exception> {
        if va & (size - 1) != 0 && (acc.contains(Acc::ALIGNED) || self.align_checks()) {
            return Err(Exception::DataAbort(MemFault {
                kind: FaultKind::Alignment,
                vaddr: va,
                write,
            }));
        }
        Ok(())
    }

    /// Some translation may apply: SCTLR.M, HSCTLR.M, HCR.VM (all bit 0) or HCR.DC
    /// (bit 12, which turns stage 2 on). Branch-free, as it sits on every access made
    /// with the MMU off; `read_mmu`/`write_mmu` sort out which regime applies.
    #[inline(always)]
    fn any_mmu_on(&self) -> bool {
        const _: () = assert!(sctlr::M == 1 && HCR_S2 == 1 | (1 << 12));
        (self.s.sctlr | self.s.hsctlr | self.s.hcr | (self.s.hcr >> 12)) & sctlr::M != 0
    }

    /// A raw little-endian read of `size` (1, 2, 4 or 8) bytes, no alignment checks.
    #[inline(always)]
    fn read_raw(&mut self, va: u32, size: u32, acc: Acc) -> Result<u64, Exception> {
        // The fast TLB only ever holds PL1&0 pages filled with SCTLR.M set.
        if self.s.sctlr & sctlr::M != 0 {
            if let Some(pl) = self.fast_tlb_pl(acc) {
                if let Some(p) = self.mmu.tlb.fast.read_ptr(va, size, pl) {
                    // SAFETY: the fast TLB only holds pages inside the RAM mapping.
                    return Ok(unsafe { load(p, size) });
                }
            }
        }
        // Either regime's MMU on (SCTLR.M, HSCTLR.M, stage 2 by HCR.VM/DC): `read_mmu`
        // sorts out which applies; with all off this stays the plain physical access.
        if self.any_mmu_on() {
            return self.read_mmu(va, size, acc);
        }
        self.read_pa(va, va as u64, size, acc)
    }

    /// A read with the MMU on (out of line, so that the MMU-off path stays small).
    #[inline(never)]
    fn read_mmu(&mut self, va: u32, size: u32, acc: Acc) -> Result<u64, Exception> {
        if !self.mmu_on() {
            return self.read_pa(va, va as u64, size, acc);
        }
        if (va & 0xfff) + size > 0x1000 {
            return self.read_cross_page(va, size, acc);
        }
        let pa = self
            .translate_on(va, AccessType::Read, acc)
            .map_err(Exception::DataAbort)?;
        self.fill_fast_tlb(va, pa, acc, false);
        self.read_pa(va, pa, size, acc)
    }

    /// Which array of the fast TLB serves an access from the current mode (PL1 = 0,
    /// PL0 = 1), or `None` where only the full path applies (Hyp mode's own regime,
    /// unprivileged accesses from PL1).
    #[inline(always)]
    fn fast_tlb_pl(&self, acc: Acc) -> Option<usize> {
        let mode = self.s.cpsr_ctrl & psr::M_MASK;
        if mode == Mode::Hyp as u32 || acc.contains(Acc::UNPRIV) {
            return None;
        }
        Some((mode == Mode::Usr as u32) as usize)
    }

    /// After a successful translation to RAM, caches the page's host address.
    #[inline(always)]
    fn fill_fast_tlb(&mut self, va: u32, pa: u64, acc: Acc, write: bool) {
        let Some(pl) = self.fast_tlb_pl(acc) else {
            return;
        };
        let ppa = pa & !0xfff;
        if write {
            let base = self.ram.base();
            let page = (ppa.wrapping_sub(base) >> PAGE_SHIFT) as usize;
            if self.code_pages.get(page).copied().unwrap_or(0) != 0 {
                return;
            }
        }
        if let Some(host) = self.ram.host_ptr(ppa, 0x1000) {
            self.mmu.tlb.fast.fill(va, host, pl, write);
        }
    }

    #[inline(always)]
    fn read_pa(&mut self, va: u32, pa: u64, size: u32, acc: Acc) -> Result<u64, Exception> {
        if let Some(p) = self.ram.host_ptr(pa, size as u64) {
            // SAFETY: host_ptr checked the range.
            unsafe {
                return Ok(match size {
                    1 => *p as u64,
                    2 => (p as *const u16).read_unaligned() as u64,
                    4 => (p as *const u32).read_unaligned() as u64,
                    _ => (p as *const u64).read_unaligned(),
                });
            }
        }
        self.read_slow(va, pa, size, acc)
    }

    /// Reads outside RAM: devices, or a misaligned access split into bytes.
    #[cold]
    #[inline(never)]
    fn read_slow(&mut self, va: u32, pa: u64, size: u32, acc: Acc) -> Result<u64, Exception> {
        if pa & (size as u64 - 1) != 0 {
            // Misaligned outside RAM: split into bytes.
            let mut v = 0u64;
            for i in 0..size {
                v |= self.read_raw(va.wrapping_add(i), 1, acc)? << (8 * i);
            }
            return Ok(v);
        }
        self.io_event = true;
        self.bus
            .read(pa, size)
            .ok_or(Exception::DataAbort(MemFault {
                kind: FaultKind::External,
                vaddr: va,
                write: false,
            }))
    }

    #[inline(always)]
    fn write_raw(&mut self, va: u32, size: u32, v: u64, acc: Acc) -> Result<(), Exception> {
        if self.s.sctlr & sctlr::M != 0 {
            if let Some(pl) = self.fast_tlb_pl(acc) {
                if let Some(p) = self.mmu.tlb.fast.write_ptr(va, size, pl) {
                    // SAFETY: the fast TLB only holds pages inside the RAM mapping, and
                    // never pages holding decoded code.
                    unsafe { store(p, size, v) };
                    return Ok(());
                }
            }
        }
        if self.any_mmu_on() {
            return self.write_mmu(va, size, v, acc);
        }
        self.write_pa(va, va as u64, size, v, acc)
    }

    /// A write with the MMU on (out of line).
    #[inline(never)]
    fn write_mmu(&mut self, va: u32, size: u32, v: u64, acc: Acc) -> Result<(), Exception> {
        if !self.mmu_on() {
            return self.write_pa(va, va as u64, size, v, acc);
        }
        if (va & 0xfff) + size > 0x1000 {
            return self.write_cross_page(va, size, v, acc);
        }
        let pa = self
            .translate_on(va, AccessType::Write, acc)
            .map_err(Exception::DataAbort)?;
        self.fill_fast_tlb(va, pa, acc, true);
        self.write_pa(va, pa, size, v, acc)
    }

    #[inline(always)]
    fn write_pa(&mut self, va: u32, pa: u64, size: u32, v: u64, acc: Acc) -> Result<(), Exception> {
        if let Some(p) = self.ram.host_ptr(pa, size as u64) {
            self.note_code_write(pa, size);
            // SAFETY: host_ptr checked the range.
            unsafe {
                match size {
                    1 => *p = v as u8,
                    2 => (p as *mut u16).write_unaligned(v as u16),
                    4 => (p as *mut u32).write_unaligned(v as u32),
                    _ => (p as *mut u64).write_unaligned(v),
                }
            }
            return Ok(());
        }
        self.write_slow(va, pa, size, v, acc)
    }

    /// Writes outside RAM: devices, or a misaligned access split into bytes.
    #[cold]
    #[inline(never)]
    fn write_slow(
        &mut self,
        va: u32,
        pa: u64,
        size: u32,
        v: u64,
        acc: Acc,
    ) -> Result<(), Exception> {
        if pa & (size as u64 - 1) != 0 {
            for i in 0..size {
                self.write_raw(va.wrapping_add(i), 1, (v >> (8 * i)) & 0xff, acc)?;
            }
            return Ok(());
        }
        self.io_event = true;
        if self.bus.write(pa, size, v) {
            Ok(())
        } else {
            Err(Exception::DataAbort(MemFault {
                kind: FaultKind::External,
                vaddr: va,
                write: true,
            }))
        }
    }

    /// A store to a page that holds decoded code: that page's blocks are dropped at the
    /// next block boundary, and the current block ends after this instruction so that
    /// a store into the instructions that follow takes effect.
    #[inline(always)]
    fn note_code_write(&mut self, pa: u64, size: u32) {
        let base = self.ram.base();
        let first = ((pa - base) >> PAGE_SHIFT) as usize;
        let last = ((pa + size as u64 - 1 - base) >> PAGE_SHIFT) as usize;
        for page in first..=last {
            if self.code_pages.get(page).copied().unwrap_or(0) != 0 {
                let ppage = (base >> PAGE_SHIFT) + page as u64;
                if !self.dirty_pages.contains(&ppage) {
                    self.dirty_pages.push(ppage);
                }
                self.end_block();
            }
        }
    }

    pub(crate) fn mark_code_page(&mut self, pa: u64) {
        if self.ram.contains(pa, 1) {
            let page = ((pa - self.ram.base()) >> PAGE_SHIFT) as usize;
            if page >= self.code_pages.len() {
                self.code_pages.resize(page + 1, 0);
            }
            if self.code_pages[page] == 0 {
                // Stores to it must now see the page as code.
                self.mmu.tlb.fast.clear_writes();
            }
            self.code_pages[page] = 1;
        }
    }

    /// `ppage` is a physical page number.
    pub(crate) fn unmark_code_page(&mut self, ppage: u64) {
        let pa = ppage << PAGE_SHIFT;
        if self.ram.contains(pa, 1) {
            let page = ((pa - self.ram.base()) >> PAGE_SHIFT) as usize;
            if let Some(p) = self.code_pages.get_mut(page) {
                *p = 0;
            }
        }
    }

    pub(crate) fn clear_code_pages(&mut self) {
        self.code_pages.iter_mut().for_each(|p| *p = 0);
    }

    #[inline]
    pub fn read_u8(&mut self, va: u32, acc: Acc) -> Result<u32, Exception> {
        Ok(self.read_raw(va, 1, acc)? as u32)
    }

    #[inline]
    pub fn read_u16(&mut self, va: u32, acc: Acc) -> Result<u32, Exception> {
        self.check_align(va, 2, false, acc)?;
        let v = self.read_raw(va, 2, acc)? as u16;
        Ok(if self.s.big_endian() {
            v.swap_bytes()
        } else {
            v
        } as u32)
    }

    #[inline]
    pub fn read_u32(&mut self, va: u32, acc: Acc) -> Result<u32, Exception> {
        self.check_align(va, 4, false, acc)?;
        let v = self.read_raw(va, 4, acc)? as u32;
        Ok(if self.s.big_endian() {
            v.swap_bytes()
        } else {
            v
        })
    }

    #[inline]
    pub fn write_u8(&mut self, va: u32, v: u32, acc: Acc) -> Result<(), Exception> {
        self.write_raw(va, 1, v as u64 & 0xff, acc)
    }

    #[inline]
    pub fn write_u16(&mut self, va: u32, v: u32, acc: Acc) -> Result<(), Exception> {
        self.check_align(va, 2, true, acc)?;
        let v = v as u16;
        let v = if self.s.big_endian() {
            v.swap_bytes()
        } else {
            v
        };
        self.write_raw(va, 2, v as u64, acc)
    }

    #[inline]
    pub fn write_u32(&mut self, va: u32, v: u32, acc: Acc) -> Result<(), Exception> {
        self.check_align(va, 4, true, acc)?;
        let v = if self.s.big_endian() {
            v.swap_bytes()
        } else {
            v
        };
        self.write_raw(va, 4, v as u64, acc)
    }

    /// Reads `size` (2 or 4) bytes of code at `va` as the current regime fetches it,
    /// without side effects on the block cache and without raising anything: `None` if
    /// it does not translate or is not in RAM (used to re-read a faulting instruction).
    pub(crate) fn peek_code(&mut self, va: u32, size: u32) -> Option<u32> {
        let pa = if self.mmu_on() {
            let unpriv = self.s.mode() == Mode::Usr;
            match self.mmu.tlb.lookup(va, AccessType::Fetch.bit(unpriv)) {
                Some(pa) if !self.s.in_hyp() => pa,
                _ => self.translate_miss(va, AccessType::Fetch, unpriv).ok()?,
            }
        } else {
            va as u64
        };
        let b = self.ram.slice(pa, size as usize)?;
        Some(if size == 2 {
            u16::from_le_bytes([b[0], b[1]]) as u32
        } else {
            u32::from_le_bytes([b[0], b[1], b[2], b[3]])
        })
    }

    /// Instruction fetch of a halfword (T32); instructions are always little-endian on
    /// the A15. A failure is a Prefetch Abort.
    pub fn fetch_u16(&mut self, va: u32) -> Result<u32, Exception> {
        let pa = self.translate_fetch(va)?;
        self.mark_code_page(pa);
        if let Some(p) = self.ram.host_ptr(pa, 2) {
            // SAFETY: host_ptr checked the range.
            return Ok(unsafe { (p as *const u16).read_unaligned() } as u32);
        }
        self.bus
            .fetch(pa, 2)
            .map(|v| v as u32)
            .ok_or(Exception::PrefetchAbort(MemFault {
                kind: FaultKind::External,
                vaddr: va,
                write: false,
            }))
    }

    /// Instruction fetch of a word (A32).
    pub fn fetch_u32(&mut self, va: u32) -> Result<u32, Exception> {
        let pa = self.translate_fetch(va)?;
        self.mark_code_page(pa);
        if let Some(p) = self.ram.host_ptr(pa, 4) {
            // SAFETY: host_ptr checked the range.
            return Ok(unsafe { (p as *const u32).read_unaligned() });
        }
        self.bus
            .fetch(pa, 4)
            .map(|v| v as u32)
            .ok_or(Exception::PrefetchAbort(MemFault {
                kind: FaultKind::External,
                vaddr: va,
                write: false,
            }))
    }

    /// Local exclusive monitor: mark `va` (Arm ARM A3.4.1, SetExclusiveMonitors).
    pub fn set_exclusive(&mut self, va: u32) {
        self.s.excl_valid = 1;
        self.s.excl_addr = va;
    }

    /// ExclusiveMonitorsPass: true if a store-exclusive to `va` may go ahead. The
    /// monitor is cleared either way.
    pub fn check_exclusive(&mut self, va: u32) -> bool {
        let ok = self.s.excl_valid != 0 && self.s.excl_addr == va;
        self.s.excl_valid = 0;
        ok
    }

    pub fn clear_exclusive(&mut self) {
        self.s.excl_valid = 0;
    }
}
