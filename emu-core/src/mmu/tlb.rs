//! The soft TLB of the PL1&0 regime (ARCHITECTURE.md, decision 3): direct-mapped,
//! one entry per 4 KiB virtual page, tagged with the ASID (or global) and the VMID,
//! holding the physical page (after both stages) and the read/write/execute
//! permissions of PL1 and PL0. A hit is a tag compare, a context compare and a
//! permission test.
//!
//! The context tag (`TlbEntry::asid`): bits [7:0] the ASID, [16:8] the VMID + 1, or 0
//! for translations made without stage 2, bit 17 global (then the ASID bits are 0). A
//! VMID switch therefore needs no flush (Arm ARM B3.9, TLB matching); operations by
//! ASID or VA ignore the VMID and so may drop other VMIDs' entries too, which is safe.

use super::Translation;

/// Number of entries (a power of two).
pub const TLB_SIZE: usize = 1024;
/// The global bit of a context tag.
const GLOBAL: u32 = 0x2_0000;
/// The VMID field of a context tag.
const VMID_SHIFT: u32 = 8;
/// `vpage` of an empty entry (no virtual page number is this large).
const INVALID: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
pub struct TlbEntry {
    /// Virtual page number (va >> 12), or `INVALID`.
    pub vpage: u32,
    /// Context tag: ASID, VMID, global (see the module documentation).
    pub asid: u32,
    /// `perm` bits.
    pub perms: u32,
    /// log2 of the size of the descriptor's mapping (12 ... 30), for invalidation by
    /// address of large pages and sections.
    pub size_log2: u32,
    /// Physical address of the page.
    pub ppage: u64,
}

const EMPTY: TlbEntry = TlbEntry {
    vpage: INVALID,
    asid: 0,
    perms: 0,
    size_log2: 12,
    ppage: 0,
};

pub struct Tlb {
    entries: Box<[TlbEntry; TLB_SIZE]>,
    /// The current context tag of non-global entries, ASID | VMID << 8 (kept up to
    /// date by the register writes through `Cpu::mmu_changed`).
    pub asid: u32,
    /// The current context tag of global entries, GLOBAL | VMID << 8.
    pub global: u32,
    /// Host-pointer front for RAM pages; cleared whenever an entry may have changed.
    pub fast: FastTlb,
}

/// Number of entries of each [`FastTlb`] array (a power of two).
pub const FAST_SIZE: usize = 1024;
/// A tag no page-aligned address equals.
const NO_TAG: u32 = 1;

#[derive(Clone, Copy, Debug)]
struct FastEntry {
    /// Page-aligned virtual address readable through this entry, or `NO_TAG`.
    read: u32,
    /// Page-aligned virtual address writable through this entry, or `NO_TAG`.
    write: u32,
    /// Host address of the page minus its virtual address (wrapping).
    addend: usize,
}

const FAST_EMPTY: FastEntry = FastEntry {
    read: NO_TAG,
    write: NO_TAG,
    addend: 0,
};

/// The data-access front of the soft TLB (ARCHITECTURE.md, decision 3): for the
/// current ASID, one array per privilege (0 = PL1, 1 = PL0) mapping a virtual page of
/// RAM straight to host memory, separately for reads and writes. A hit is one tag
/// compare. It only holds what the main TLB holds and is cleared with it; pages holding
/// decoded code never get a write tag (their stores must take the path that drops
/// blocks).
pub struct FastTlb {
    e: Box<[[FastEntry; FAST_SIZE]; 2]>,
}

impl FastTlb {
    fn new() -> FastTlb {
        FastTlb {
            e: Box::new([[FAST_EMPTY; FAST_SIZE]; 2]),
        }
    }

    #[inline(always)]
    fn slot(va: u32) -> usize {
        (va >> 12) as usize & (FAST_SIZE - 1)
    }

    /// Host address for reading `size` bytes at `va` with privilege `pl` (0 or 1), if
    /// the page is cached and the access stays inside it.
    #[inline(always)]
    pub fn read_ptr(&self, va: u32, size: u32, pl: usize) -> Option<*mut u8> {
        let e = &self.e[pl & 1][Self::slot(va)];
        if e.read == va & !0xfff && (va & 0xfff) + size <= 0x1000 {
            Some(e.addend.wrapping_add(va as usize) as *mut u8)
        } else {
            None
        }
    }

    /// As [`FastTlb::read_ptr`], for a write.
    #[inline(always)]
    pub fn write_ptr(&self, va: u32, size: u32, pl: usize) -> Option<*mut u8> {
        let e = &self.e[pl & 1][Self::slot(va)];
        if e.write == va & !0xfff && (va & 0xfff) + size <= 0x1000 {
            Some(e.addend.wrapping_add(va as usize) as *mut u8)
        } else {
            None
        }
    }

    /// Records that the page of `va` (host address `host_page`) may be read (or
    /// written) with privilege `pl`.
    pub fn fill(&mut self, va: u32, host_page: *mut u8, pl: usize, write: bool) {
        let tag = va & !0xfff;
        let addend = (host_page as usize).wrapping_sub(tag as usize);
        let e = &mut self.e[pl & 1][Self::slot(va)];
        if e.addend != addend || (e.read != tag && e.write != tag) {
            *e = FAST_EMPTY;
            e.addend = addend;
        }
        if write {
            e.write = tag;
        } else {
            e.read = tag;
        }
    }

    pub fn clear(&mut self) {
        for a in self.e.iter_mut() {
            a.iter_mut().for_each(|e| *e = FAST_EMPTY);
        }
    }

    /// Drops every write tag (a page started holding decoded code).
    pub fn clear_writes(&mut self) {
        for a in self.e.iter_mut() {
            a.iter_mut().for_each(|e| e.write = NO_TAG);
        }
    }
}

impl Default for Tlb {
    fn default() -> Self {
        Self::new()
    }
}

impl Tlb {
    pub fn new() -> Tlb {
        Tlb {
            entries: Box::new([EMPTY; TLB_SIZE]),
            asid: 0,
            global: GLOBAL,
            fast: FastTlb::new(),
        }
    }

    #[inline(always)]
    fn slot(vpage: u32) -> usize {
        vpage as usize & (TLB_SIZE - 1)
    }

    /// The physical address of `va` if a valid entry grants permission bit `need`.
    #[inline(always)]
    pub fn lookup(&self, va: u32, need: u8) -> Option<u64> {
        let vpage = va >> 12;
        let e = &self.entries[Self::slot(vpage)];
        if e.vpage == vpage
            && (e.asid == self.asid || e.asid == self.global)
            && e.perms & need as u32 != 0
        {
            Some(e.ppage | (va & 0xfff) as u64)
        } else {
            None
        }
    }

    /// Caches the 4 KiB page of `va` from a successful walk made with ASID `asid` (in
    /// the current VMID).
    pub fn fill(&mut self, va: u32, t: &Translation, asid: u8) {
        if t.af_fault {
            return;
        }
        let vpage = va >> 12;
        self.entries[Self::slot(vpage)] = TlbEntry {
            vpage,
            asid: if t.global {
                self.global
            } else {
                (self.global & !GLOBAL) | asid as u32
            },
            perms: t.perms as u32,
            size_log2: t.page_size.trailing_zeros().clamp(12, 31),
            ppage: t.pa & !0xfff,
        };
    }

    /// TLBIALL.
    pub fn flush_all(&mut self) {
        self.entries.iter_mut().for_each(|e| *e = EMPTY);
        self.fast.clear();
    }

    /// Switches the current ASID (VMID unchanged); the fast front only holds the
    /// current context's pages.
    pub fn set_asid(&mut self, asid: u32) {
        let vmid = (self.global & !GLOBAL) >> VMID_SHIFT;
        self.set_tag(asid, vmid);
    }

    /// Switches the current ASID and VMID tag (0 without stage 2, else VMID + 1).
    pub fn set_tag(&mut self, asid: u32, vmid: u32) {
        let ctx = (vmid & 0x1ff) << VMID_SHIFT;
        let tag = ctx | (asid & 0xff);
        if tag != self.asid || ctx | GLOBAL != self.global {
            self.asid = tag;
            self.global = ctx | GLOBAL;
            self.fast.clear();
        }
    }

    fn retain(&mut self, mut drop: impl FnMut(&TlbEntry) -> bool) {
        self.fast.clear();
        for e in self.entries.iter_mut() {
            if e.vpage != INVALID && drop(e) {
                *e = EMPTY;
            }
        }
    }

    /// True if `e`'s mapping covers `va`.
    fn covers(e: &TlbEntry, va: u32) -> bool {
        let mask = (!0u64 << e.size_log2) as u32;
        (e.vpage << 12) & mask == va & mask
    }

    /// TLBIMVA: the entries for `va` with ASID `asid`, and global ones (any VMID).
    pub fn flush_va_asid(&mut self, va: u32, asid: u8) {
        let asid = asid as u32;
        self.retain(|e| (e.asid & 0xff == asid || e.asid & GLOBAL != 0) && Self::covers(e, va));
    }

    /// TLBIMVAA: the entries for `va`, any ASID.
    pub fn flush_va(&mut self, va: u32) {
        self.retain(|e| Self::covers(e, va));
    }

    /// TLBIASID: the non-global entries of `asid` (any VMID).
    pub fn flush_asid(&mut self, asid: u8) {
        let asid = asid as u32;
        self.retain(|e| e.asid & GLOBAL == 0 && e.asid & 0xff == asid);
    }

    /// Number of valid entries (tests, statistics).
    pub fn valid_entries(&self) -> usize {
        self.entries.iter().filter(|e| e.vpage != INVALID).count()
    }
}
