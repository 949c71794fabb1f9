//! Statistics of the HSR path (ARCHITECTURE.md decision 5, issue 6): every exception
//! taken to Hyp mode is counted here, by class, guest (VMID, PL1/PL0), trapping PC and
//! sub-class, and every exception return from Hyp mode into a guest is counted as an
//! entry. Instructions are attributed to the context that executed them (Hyp, or a guest
//! VMID at PL1/PL0), and Hyp-mode instructions also to the class of the trap that brought
//! the core into Hyp mode (the emulated cost of handling it).
//!
//! Counting is on by default (`HypStats::enabled`; `--no-hyp-stats` switches it off) and
//! only happens on exception entry/return and mode changes, never per instruction. Per
//! trap it costs about 230 host instructions: context counters are a fixed table indexed
//! by the context's code; the per-(context, class, sub-class) and per-PC counts go
//! through a small direct-mapped cache keyed by plain integers (the sub-class is derived
//! only when a trap is not the cached one; `flush`/`settle` before reading those maps);
//! the host clock is read once per 100,000 instructions. The number of distinct keys is
//! bounded ([`MAX_KEYS`]). Naming (register names, hypercall names, board devices) is
//! done when a report is made (cli/src/hyp_report.rs), from the raw keys kept here; the
//! trap control of a trapped MCR/MRC is the one the instruction routine named when it
//! trapped (`hyp_traps::take`).

use std::hash::Hasher;
use std::io::Write;

use rustc_hash::FxHashMap;

use crate::exception::ec;

/// At most this many distinct sub-classes and PCs are kept each (a guest choosing its
/// HVC function ids or trapping PCs must not grow them without bound); entries past it
/// are still counted by class, context and bucket, and in `dropped_keys`.
pub const MAX_KEYS: usize = 1 << 16;

/// Number of class slots: the 6-bit HSR EC values, plus the asynchronous classes.
pub const CLASS_SLOTS: usize = 72;

/// A class of entry to Hyp mode: the HSR exception class (0x00..=0x3f), or one of the
/// asynchronous entries, which have no syndrome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TrapClass(pub u8);

impl TrapClass {
    /// A physical IRQ routed to Hyp mode (HCR.IMO) or taken in Hyp mode.
    pub const IRQ: TrapClass = TrapClass(0x40);
    /// A physical FIQ routed to Hyp mode (HCR.FMO) or taken in Hyp mode.
    pub const FIQ: TrapClass = TrapClass(0x41);
    /// An IRQ whose source is the GIC's virtual-interface maintenance interrupt.
    pub const MAINTENANCE: TrapClass = TrapClass(0x42);
    /// An asynchronous abort routed to Hyp mode.
    pub const ASYNC_ABORT: TrapClass = TrapClass(0x43);

    pub fn from_ec(ec: u32) -> TrapClass {
        TrapClass((ec & 0x3f) as u8)
    }

    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// The Arm ARM's name for the class (DDI 0406C B3.13.6, table B3-27).
    pub fn name(self) -> &'static str {
        match self.0 as u32 {
            ec::UNKNOWN => "unknown reason",
            ec::WFI_WFE => "WFI/WFE",
            0x03 => "MCR/MRC CP15",
            0x04 => "MCRR/MRRC CP15",
            0x05 => "MCR/MRC CP14",
            0x06 => "LDC/STC CP14",
            0x07 => "HCPTR-trapped CP access",
            0x08 => "MRC CP10 (VMRS)",
            0x0a => "BXJ",
            0x0c => "MRRC CP14",
            ec::SVC => "SVC taken to Hyp",
            ec::HVC => "HVC",
            0x13 => "SMC",
            ec::PABT_LOWER => "prefetch abort from a lower level",
            ec::PABT_HYP => "prefetch abort from Hyp",
            ec::DABT_LOWER => "data abort from a lower level",
            ec::DABT_HYP => "data abort from Hyp",
            0x40 => "IRQ",
            0x41 => "FIQ",
            0x42 => "maintenance interrupt",
            0x43 => "asynchronous abort",
            _ => "reserved EC",
        }
    }

    /// A short machine-friendly key (JSON, trace files).
    pub fn key(self) -> &'static str {
        match self.0 as u32 {
            ec::UNKNOWN => "unknown",
            ec::WFI_WFE => "wfx",
            0x03 => "cp15_32",
            0x04 => "cp15_64",
            0x05 => "cp14_32",
            0x06 => "cp14_ls",
            0x07 => "hcptr",
            0x08 => "cp10_vmrs",
            0x0a => "bxj",
            0x0c => "cp14_64",
            ec::SVC => "svc",
            ec::HVC => "hvc",
            0x13 => "smc",
            ec::PABT_LOWER => "pabt_lower",
            ec::PABT_HYP => "pabt_hyp",
            ec::DABT_LOWER => "dabt_lower",
            ec::DABT_HYP => "dabt_hyp",
            0x40 => "irq",
            0x41 => "fiq",
            0x42 => "maintenance",
            0x43 => "async_abort",
            _ => "reserved",
        }
    }
}

/// Where the core was when it entered Hyp mode (or where an ERET took it).
#[derive(Clone, Copy, Debug, Eq, PartialOrd, Ord)]
pub enum Context {
    /// Hyp mode itself.
    Hyp,
    /// A guest: the VMID of VTTBR and whether it ran at PL1 (`true`) or PL0.
    Guest { vmid: u8, pl1: bool },
    /// Secure state or Monitor mode (no Hyp involvement).
    Other,
}

impl Context {
    /// A distinct number per context (compared on every trap and return, cheaper than
    /// the enum).
    #[inline]
    pub fn code(self) -> u16 {
        match self {
            Context::Guest { vmid, pl1 } => (vmid as u16) << 1 | pl1 as u16,
            Context::Hyp => 0x200,
            Context::Other => 0x201,
        }
    }

    /// The context of a [`Self::code`].
    pub fn from_code(code: u16) -> Context {
        match code {
            0x200 => Context::Hyp,
            c if c < 0x200 => Context::Guest {
                vmid: (c >> 1) as u8,
                pl1: c & 1 != 0,
            },
            _ => Context::Other,
        }
    }
}

impl PartialEq for Context {
    #[inline]
    fn eq(&self, other: &Context) -> bool {
        self.code() == other.code()
    }
}

impl std::hash::Hash for Context {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.code().hash(h)
    }
}

/// Sub-class of a trap: the part of the syndrome and state that says *what* trapped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SubClass {
    None,
    /// WFI (`false`) or WFE (`true`).
    Wfx {
        wfe: bool,
    },
    /// MCR/MRC: the register encoding, the direction, and the trap control that caused
    /// the trap ("HCR.TVM"; from hyp_traps.rs's rules evaluated at trap time).
    Mcr {
        cp: u8,
        opc1: u8,
        crn: u8,
        crm: u8,
        opc2: u8,
        read: bool,
        cause: Option<&'static str>,
    },
    /// MCRR/MRRC: the register encoding, the direction and the trap control.
    Mcrr {
        cp: u8,
        opc1: u8,
        crm: u8,
        read: bool,
        cause: Option<&'static str>,
    },
    /// VMRS trapped by HCR.TID0 (FPSID) or TID3 (MVFR0/1): the VFP system register.
    Vmrs {
        reg: u8,
    },
    /// HCPTR-trapped access: the coprocessor (10/11: VFP), or Advanced SIMD (TASE).
    Hcptr {
        coproc: u8,
        simd: bool,
    },
    /// HVC: the immediate and the function (r12 for Xen's `HVC #0xEA1`, else r0).
    Hvc {
        imm: u16,
        func: u32,
    },
    /// SMC: the function id in r0.
    Smc {
        func: u32,
    },
    /// Data abort: the IPA page (HPFAR), ISV and WnR.
    Dabt {
        ipa_page: u64,
        isv: bool,
        write: bool,
    },
    /// Prefetch abort: the IPA page.
    Pabt {
        ipa_page: u64,
    },
}

/// The immediate Xen uses for its hypercalls (the number is in r12).
pub const XEN_HVC_IMM: u16 = 0xea1;

/// Counters of one guest context.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GuestCounters {
    /// Exceptions taken from this context to Hyp mode.
    pub exits: u64,
    /// Exception returns from Hyp mode into this context.
    pub entries: u64,
    /// Instructions executed in this context.
    pub insns: u64,
}

/// One trap, as written to the trace and kept for the top-PC table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrapRecord {
    pub time_ns: u64,
    pub count: u64,
    pub class: TrapClass,
    pub sub: SubClass,
    pub pc: u32,
    pub hsr: u32,
    pub from: Context,
}

/// Slots of the cache in front of the sub-class and PC maps (a power of two).
const PENDING_SLOTS: usize = 64;

/// Traps of one (class, PC, HSR, context, detail) not yet added to the maps. The
/// sub-class is a function of those five, so it is derived once, when the entry is made.
#[derive(Clone, Copy)]
struct Pending {
    pc: u32,
    hsr: u32,
    class: TrapClass,
    from_code: u16,
    detail: u64,
    sub: SubClass,
    n: u64,
}

/// Context slots: a guest's code is `vmid << 1 | pl1` (below 0x200), then Hyp and Other
/// (a power of two: indexing masks instead of dividing).
const CONTEXT_SLOTS: usize = 0x400;

/// Host time is read again for the trap-rate buckets after this many instructions (or a
/// WFI): reading the host clock on every trap was a tenth of a trap-dense run's time,
/// and the buckets need only milliseconds (100,000 instructions take well under one).
const HOST_CLOCK_REFRESH_INSNS: u64 = 100_000;

/// Length of a time bucket of the trap-rate series.
pub const BUCKET_NS: u64 = 100_000_000;

/// The statistics of one core.
pub struct HypStats {
    /// Counting on (the default). Off, the HSR path and exception returns skip every
    /// update (the `--no-hyp-stats` switch, and the bench's cost measurement); switching
    /// it on again attributes instructions from then on.
    pub enabled: bool,
    /// Entries to Hyp mode by class.
    pub counts: [u64; CLASS_SLOTS],
    /// Instructions executed in Hyp mode after an entry of that class (until it returned).
    pub hyp_insns_by_class: [u64; CLASS_SLOTS],
    /// Counters per context, indexed by `Context::code` (see [`Self::contexts`]).
    counters: Box<[GuestCounters; CONTEXT_SLOTS]>,
    /// Count per (context trapped from, class, sub-class).
    pub subclasses: FxHashMap<(Context, TrapClass, SubClass), u64>,
    /// Count per (class, context trapped from, PC) with an HSR seen there (the latest
    /// one merged). By context: a PC means something only in its own address space
    /// (two guests' kernels may differ, and Hyp mode has its own).
    pub pcs: FxHashMap<(TrapClass, Context, u32), (u64, u32)>,
    /// Entries whose sub-class or PC was not kept (past [`MAX_KEYS`]).
    pub dropped_keys: u64,
    /// Counts not yet in `subclasses` and `pcs` (see `record_entry`, `flush`).
    pending: Box<[Option<Pending>; PENDING_SLOTS]>,
    /// Entries per class in consecutive buckets of machine time of `BUCKET_NS`.
    pub buckets: Vec<[u32; CLASS_SLOTS]>,
    /// Total entries to Hyp mode.
    pub total: u64,
    /// Instructions executed in Hyp mode.
    pub hyp_insns: u64,
    /// One line per trap when set (`--hyp-trace`).
    pub trace: Option<Box<dyn Write + Send>>,
    /// Renders a trace line's ISS/sub-class; set by whoever opens the trace.
    pub trace_describe: Option<fn(&TrapRecord) -> String>,
    /// The trap control named by the last trap the instruction routines took
    /// (`hyp_traps::take`), read by the HSR path for the MCR/MRC sub-class.
    pub(crate) trap_control: std::cell::Cell<Option<&'static str>>,
    /// The context instructions are currently attributed to, since `since_insn`.
    current_code: u16,
    since_insn: u64,
    /// The class whose handling the Hyp-mode instructions are attributed to.
    handling: Option<TrapClass>,
    /// Host time (ns) last read for the buckets, at instruction count `host_clock_at`;
    /// `None` when it must be read again (after a WFI).
    host_clock: Option<u64>,
    host_clock_at: u64,
}

impl Default for HypStats {
    fn default() -> Self {
        HypStats::new()
    }
}

impl HypStats {
    pub fn new() -> HypStats {
        HypStats {
            enabled: true,
            counts: [0; CLASS_SLOTS],
            hyp_insns_by_class: [0; CLASS_SLOTS],
            counters: Box::new([GuestCounters::default(); CONTEXT_SLOTS]),
            subclasses: FxHashMap::default(),
            pcs: FxHashMap::default(),
            dropped_keys: 0,
            pending: Box::new([None; PENDING_SLOTS]),
            buckets: Vec::new(),
            total: 0,
            hyp_insns: 0,
            trace: None,
            trace_describe: None,
            trap_control: std::cell::Cell::new(None),
            current_code: Context::Other.code(),
            since_insn: 0,
            handling: None,
            host_clock: None,
            host_clock_at: 0,
        }
    }

    /// Adds a pending count to the sub-class and PC maps.
    fn merge(&mut self, p: Pending) {
        let from = Context::from_code(p.from_code);
        let sub_key = (from, p.class, p.sub);
        let full = self.subclasses.len() >= MAX_KEYS;
        match self.subclasses.get_mut(&sub_key) {
            Some(n) => *n += p.n,
            None if !full => {
                self.subclasses.insert(sub_key, p.n);
            }
            None => self.dropped_keys += p.n,
        }
        let pc_key = (p.class, from, p.pc);
        let full = self.pcs.len() >= MAX_KEYS;
        match self.pcs.get_mut(&pc_key) {
            Some(pc) => {
                pc.0 += p.n;
                pc.1 = p.hsr;
            }
            None if !full => {
                self.pcs.insert(pc_key, (p.n, p.hsr));
            }
            None => self.dropped_keys += p.n,
        }
    }

    /// Moves the cached counts into `subclasses` and `pcs` (done by `settle`; read
    /// those maps after it).
    pub fn flush(&mut self) {
        for i in 0..PENDING_SLOTS {
            if let Some(p) = self.pending[i].take() {
                self.merge(p);
            }
        }
    }

    /// Entries of (`class`, `sub`) from every context (after `settle` or `flush`).
    pub fn subclass_count(&self, class: TrapClass, sub: SubClass) -> u64 {
        self.subclasses
            .iter()
            .filter(|((_, c, s), _)| *c == class && *s == sub)
            .map(|(_, n)| n)
            .sum()
    }

    /// Entries of `class` from context `from` (after `settle` or `flush`).
    pub fn class_count_from(&self, from: Context, class: TrapClass) -> u64 {
        self.subclasses
            .iter()
            .filter(|((f, c, _), _)| *f == from && *c == class)
            .map(|(_, n)| n)
            .sum()
    }

    /// The counters of `c` (zero if it never ran).
    pub fn context(&self, c: Context) -> GuestCounters {
        self.counters[c.code() as usize]
    }

    /// Every context that ran, trapped or was entered (Hyp included), in code order.
    pub fn contexts(&self) -> Vec<(Context, GuestCounters)> {
        self.counters
            .iter()
            .enumerate()
            .filter(|(_, v)| **v != GuestCounters::default())
            .map(|(code, v)| (Context::from_code(code as u16), *v))
            .collect()
    }

    /// Charges the instructions since the last switch to the current context and makes
    /// the context of code `to_code` current.
    #[inline]
    fn switch_context(&mut self, to_code: u16, insn_count: u64) {
        let n = insn_count.saturating_sub(self.since_insn);
        self.since_insn = insn_count;
        let cur = self.current_code;
        self.counters[cur as usize & (CONTEXT_SLOTS - 1)].insns += n;
        if cur == Context::Hyp.code() {
            self.hyp_insns += n;
            if let Some(c) = self.handling {
                self.hyp_insns_by_class[c.index()] += n;
            }
        }
        self.current_code = to_code;
    }

    /// Charges the instructions up to `insn_count` (before a report).
    pub fn settle(&mut self, insn_count: u64) {
        self.flush();
        if !self.enabled {
            return;
        }
        self.switch_context(self.current_code, insn_count);
    }

    /// Host time for the buckets at instruction count `now` (see
    /// [`HOST_CLOCK_REFRESH_INSNS`]).
    #[inline]
    fn host_time(&mut self, now: u64) -> u64 {
        match self.host_clock {
            Some(t) if now.wrapping_sub(self.host_clock_at) < HOST_CLOCK_REFRESH_INSNS => t,
            _ => {
                let t = crate::timer::ClockSource::Host.nanos(now);
                self.host_clock = Some(t);
                self.host_clock_at = now;
                t
            }
        }
    }

    /// The core stopped in WFI: host time passes without instructions, so the next
    /// trap reads the host clock again.
    #[inline]
    pub(crate) fn host_time_stale(&mut self) {
        self.host_clock = None;
    }

    /// Counts one entry to Hyp mode of `class` from context `from_code`, taken at
    /// machine time `time_ns` (every counter but the sub-class and PC ones).
    #[inline]
    fn count_entry(&mut self, class: TrapClass, from_code: u16, time_ns: u64, insn_count: u64) {
        self.switch_context(Context::Hyp.code(), insn_count);
        self.total += 1;
        self.counts[class.index()] += 1;
        self.handling = Some(class);
        self.counters[from_code as usize & (CONTEXT_SLOTS - 1)].exits += 1;
        let bucket = (time_ns / BUCKET_NS) as usize;
        // Bounded: a bucket per 100 ms of machine time (a day is under 1M buckets).
        if bucket < 1 << 20 {
            if self.buckets.len() <= bucket {
                self.buckets.resize(bucket + 1, [0; CLASS_SLOTS]);
            }
            let b = &mut self.buckets[bucket][class.index()];
            *b = b.saturating_add(1);
        }
    }

    /// The pending-cache slot of a trap at `pc` of `class`.
    #[inline]
    fn pending_slot(pc: u32, class: TrapClass) -> usize {
        ((pc >> 1) as usize ^ class.index()) & (PENDING_SLOTS - 1)
    }

    /// Counts the trap in the pending entry of `slot` if that entry has the same key;
    /// a direct-mapped cache of (class, PC, HSR, context, detail) counts in front of
    /// the two maps: a trapping PC usually traps again the same way, so most entries
    /// only bump a count here and need no sub-class; the maps get it on eviction and
    /// in `flush`.
    #[inline]
    fn pending_hit(
        &mut self,
        slot: usize,
        (pc, hsr, class, from_code, detail): (u32, u32, TrapClass, u16, u64),
    ) -> bool {
        match &mut self.pending[slot] {
            Some(p)
                if p.pc == pc
                    && p.hsr == hsr
                    && p.class == class
                    && p.from_code == from_code
                    && p.detail == detail =>
            {
                p.n += 1;
                true
            }
            _ => false,
        }
    }

    /// Makes a new pending entry in `slot` (merging the one it replaces).
    #[cold]
    fn pending_insert(&mut self, slot: usize, p: Pending) {
        if let Some(old) = self.pending[slot].replace(p) {
            self.merge(old);
        }
    }

    /// Records one entry to Hyp mode (the unit tests' way in; the HSR path does the same
    /// in `Cpu::record_hyp_entry`). `detail` is what the sub-class depends on beyond
    /// the other fields (see `Cpu::trap_detail`).
    #[cfg(test)]
    fn record_entry(&mut self, rec: &TrapRecord, detail: u64, insn_count: u64) {
        let from_code = rec.from.code();
        self.count_entry(rec.class, from_code, rec.time_ns, insn_count);
        let slot = Self::pending_slot(rec.pc, rec.class);
        let key = (rec.pc, rec.hsr, rec.class, from_code, detail);
        if !self.pending_hit(slot, key) {
            let p = Pending {
                pc: rec.pc,
                hsr: rec.hsr,
                class: rec.class,
                from_code,
                detail,
                sub: rec.sub,
                n: 1,
            };
            self.pending_insert(slot, p);
        }
        self.write_trace(rec);
    }

    /// Writes the trace line of `rec` if tracing.
    fn write_trace(&mut self, rec: &TrapRecord) {
        let Some(t) = self.trace.as_mut() else {
            return;
        };
        let iss = match self.trace_describe {
            Some(f) => f(rec),
            None => format!("hsr={:#010x}", rec.hsr),
        };
        let vmid = match rec.from {
            Context::Guest { vmid, pl1 } => {
                format!("{vmid} {}", if pl1 { "PL1" } else { "PL0" })
            }
            Context::Hyp => "- Hyp".to_string(),
            Context::Other => "- other".to_string(),
        };
        let r = writeln!(
            t,
            "{}.{:09} {} {} {:#010x} {} {}",
            rec.time_ns / 1_000_000_000,
            rec.time_ns % 1_000_000_000,
            rec.count,
            rec.class.key(),
            rec.pc,
            vmid,
            iss
        );
        if let Err(e) = r {
            tracing::error!("hyp trace: write failed ({e}); tracing stopped");
            self.trace = None;
        }
    }

    /// Records an exception return from Hyp mode into the context of code `to_code`.
    #[inline]
    fn record_return(&mut self, to_code: u16, insn_count: u64) {
        self.switch_context(to_code, insn_count);
        self.handling = None;
        if to_code != Context::Other.code() {
            self.counters[to_code as usize & (CONTEXT_SLOTS - 1)].entries += 1;
        }
    }

    /// Total ERETs from Hyp mode into guests.
    pub fn entries(&self) -> u64 {
        self.counters[..Context::Hyp.code() as usize]
            .iter()
            .map(|v| v.entries)
            .sum()
    }

    /// The `n` most frequent trapping (context, PC)s of `class` with their counts and
    /// last HSRs, most frequent first (ties by context, then PC); after `settle` or
    /// `flush`.
    pub fn top_pcs(&self, class: TrapClass, n: usize) -> Vec<(Context, u32, u64, u32)> {
        let mut v: Vec<(Context, u32, u64, u32)> = self
            .pcs
            .iter()
            .filter(|((c, _, _), _)| *c == class)
            .map(|((_, from, pc), (count, hsr))| (*from, *pc, *count, *hsr))
            .collect();
        v.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)).then(a.1.cmp(&b.1)));
        v.truncate(n);
        v
    }

    /// Flushes the trace file.
    pub fn flush_trace(&mut self) {
        if let Some(t) = self.trace.as_mut() {
            let _ = t.flush();
        }
    }
}

impl crate::cpu::Cpu {
    /// The statistics context of the current state.
    pub fn stats_context(&self) -> Context {
        if self.s.in_hyp() {
            Context::Hyp
        } else if self.s.is_ns_below_hyp() {
            Context::Guest {
                vmid: (self.s.vttbr >> 48) as u8,
                pl1: self.s.mode() != crate::state::Mode::Usr,
            }
        } else {
            Context::Other
        }
    }

    /// Attributes instructions to a new context after a mode change below Hyp mode
    /// (exceptions and returns inside a guest, MSR/CPS).
    #[inline]
    pub(crate) fn note_context(&mut self) {
        if !self.hyp_stats.enabled {
            return;
        }
        let code = self.stats_context().code();
        if code != self.hyp_stats.current_code {
            let n = self.exact_insn_count();
            self.hyp_stats.switch_context(code, n);
        }
    }

    /// The HSR path's statistics hook: called by `enter_hyp` before the mode changes.
    pub(crate) fn record_hyp_entry(&mut self, syndrome: Option<u32>, vector: u32) {
        use crate::exception::hyp_vector;
        if !self.hyp_stats.enabled {
            return;
        }
        let from = self.stats_context();
        let from_code = from.code();
        let (class, hsr) = match (syndrome, vector) {
            (Some(h), _) => (TrapClass::from_ec(h >> 26), h),
            (None, hyp_vector::IRQ) if self.maintenance_irq => (TrapClass::MAINTENANCE, 0),
            (None, hyp_vector::IRQ) => (TrapClass::IRQ, 0),
            (None, hyp_vector::FIQ) => (TrapClass::FIQ, 0),
            (None, _) => (TrapClass::ASYNC_ABORT, 0),
        };
        let control = self.hyp_stats.trap_control.take();
        let detail = self.trap_detail(class, hsr, control);
        let now = self.exact_insn_count();
        let tracing = self.hyp_stats.trace.is_some();
        let time_ns = match self.cfg.clock {
            // The buckets need milliseconds; a trace line gets the precise time.
            crate::timer::ClockSource::Host if !tracing => self.hyp_stats.host_time(now),
            c => c.nanos(now),
        };
        let pc = self.s.cur_pc;
        let st = &mut self.hyp_stats;
        st.count_entry(class, from_code, time_ns, now);
        let slot = HypStats::pending_slot(pc, class);
        let key = (pc, hsr, class, from_code, detail);
        if !st.pending_hit(slot, key) {
            let p = Pending {
                pc,
                hsr,
                class,
                from_code,
                detail,
                sub: self.subclass(class, hsr, control),
                n: 1,
            };
            self.hyp_stats.pending_insert(slot, p);
        }
        if tracing {
            let sub = self.hyp_stats.pending[slot].map_or(SubClass::None, |p| p.sub);
            let rec = TrapRecord {
                time_ns,
                count: self.hyp_stats.total,
                class,
                sub,
                pc,
                hsr,
                from,
            };
            self.hyp_stats.write_trace(&rec);
        }
    }

    /// Records an exception return out of Hyp mode (called after the new CPSR is set).
    pub(crate) fn record_hyp_return(&mut self) {
        if !self.hyp_stats.enabled {
            return;
        }
        let to = self.stats_context().code();
        let now = self.exact_insn_count();
        self.hyp_stats.record_return(to, now);
    }

    /// What the sub-class of an entry depends on besides its class, HSR, PC and
    /// context, as one number (a key of the pending cache, so that the sub-class itself
    /// is derived only once per distinct trap): the function id of an HVC or SMC, the
    /// fault address register of an abort, the trap control of a trapped MCR/MRC
    /// (the identity of its name).
    #[inline]
    fn trap_detail(&self, class: TrapClass, hsr: u32, control: Option<&'static str>) -> u64 {
        match class.0 as u32 {
            crate::exception::ec::HVC if hsr & 0xffff == XEN_HVC_IMM as u32 => {
                self.s.regs[12] as u64
            }
            crate::exception::ec::HVC | 0x13 => self.s.regs[0] as u64,
            crate::exception::ec::DABT_LOWER | crate::exception::ec::PABT_LOWER => {
                self.s.hpfar as u64
            }
            crate::exception::ec::DABT_HYP => self.s.hdfar as u64,
            0x03..=0x05 | 0x0c => control.map_or(0, |c| {
                // The address and length of the name: equal only for the same name.
                c.as_ptr() as u64 ^ (c.len() as u64) << 48
            }),
            _ => 0,
        }
    }

    /// The sub-class of an entry of `class` with syndrome `hsr`, from the ISS and the
    /// registers of the trapping context (Arm ARM B3.13.6 for the ISS layouts).
    fn subclass(&self, class: TrapClass, hsr: u32, control: Option<&'static str>) -> SubClass {
        let iss = hsr & 0x01ff_ffff;
        let bit = |n: u32| (iss >> n) & 1 != 0;
        let field = |lo: u32, bits: u32| ((iss >> lo) & ((1 << bits) - 1)) as u8;
        match class.0 {
            0x01 => SubClass::Wfx { wfe: bit(0) },
            0x03 | 0x05 => {
                let enc = crate::sysreg::CpReg {
                    cp: if class.0 == 0x03 { 15 } else { 14 },
                    opc1: field(14, 3),
                    crn: field(10, 4),
                    crm: field(1, 4),
                    opc2: field(17, 3),
                };
                let read = bit(0);
                // The control the instruction routine named when it trapped.
                let cause = control;
                SubClass::Mcr {
                    cp: enc.cp,
                    opc1: enc.opc1,
                    crn: enc.crn,
                    crm: enc.crm,
                    opc2: enc.opc2,
                    read,
                    cause,
                }
            }
            0x04 | 0x0c => {
                let cp = if class.0 == 0x04 { 15 } else { 14 };
                let (opc1, crm, read) = (field(16, 4), field(1, 4), bit(0));
                let cause = control;
                SubClass::Mcrr {
                    cp,
                    opc1,
                    crm,
                    read,
                    cause,
                }
            }
            0x07 => SubClass::Hcptr {
                coproc: field(0, 4),
                simd: bit(5),
            },
            0x08 => SubClass::Vmrs { reg: field(10, 4) },
            0x12 => {
                let imm = (iss & 0xffff) as u16;
                let func = if imm == XEN_HVC_IMM {
                    self.s.regs[12]
                } else {
                    self.s.regs[0]
                };
                SubClass::Hvc { imm, func }
            }
            0x13 => SubClass::Smc {
                func: self.s.regs[0],
            },
            0x24 => SubClass::Dabt {
                ipa_page: ((self.s.hpfar >> 4) as u64) << 12,
                isv: bit(24),
                write: bit(6),
            },
            0x25 => SubClass::Dabt {
                ipa_page: (self.s.hdfar & !0xfff) as u64,
                isv: bit(24),
                write: bit(6),
            },
            0x20 => SubClass::Pabt {
                ipa_page: ((self.s.hpfar >> 4) as u64) << 12,
            },
            _ => SubClass::None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(pc: u32, sub: SubClass, hsr: u32) -> TrapRecord {
        TrapRecord {
            time_ns: 0,
            count: 0,
            class: TrapClass::from_ec(0x12),
            sub,
            pc,
            hsr,
            from: Context::Guest { vmid: 1, pl1: true },
        }
    }

    #[test]
    fn the_pending_cache_loses_nothing_on_eviction() {
        let mut st = HypStats::new();
        let a = SubClass::Hvc { imm: 0, func: 1 };
        let b = SubClass::Hvc { imm: 0, func: 2 };
        // PCs 0x1000 and 0x1080 share a slot; PC 0x1000 also changes sub-class.
        for i in 0..10u32 {
            st.record_entry(&rec(0x1000, a, i), 1, 0);
            st.record_entry(&rec(0x1080, a, 100 + i), 1, 0);
            st.record_entry(&rec(0x1000, b, 200 + i), 2, 0);
        }
        st.flush();
        let hvc = TrapClass::from_ec(0x12);
        assert_eq!(st.subclass_count(hvc, a), 20);
        assert_eq!(st.subclass_count(hvc, b), 10);
        assert_eq!(
            st.class_count_from(Context::Guest { vmid: 1, pl1: true }, hvc),
            30
        );
        assert_eq!(st.class_count_from(Context::Hyp, hvc), 0);
        let g = Context::Guest { vmid: 1, pl1: true };
        assert_eq!(st.pcs[&(hvc, g, 0x1000)], (20, 209));
        assert_eq!(st.pcs[&(hvc, g, 0x1080)], (10, 109));
        assert_eq!(st.total, 30);
        assert_eq!(st.dropped_keys, 0);
        // Flushing twice adds nothing.
        st.flush();
        assert_eq!(st.subclass_count(hvc, a), 20);
    }

    #[test]
    fn distinct_keys_are_bounded() {
        let mut st = HypStats::new();
        let n = MAX_KEYS as u32 + 100;
        for i in 0..n {
            st.record_entry(
                &rec(i * 4, SubClass::Hvc { imm: 0, func: i }, 0),
                i as u64,
                0,
            );
        }
        st.flush();
        assert_eq!(st.subclasses.len(), MAX_KEYS);
        assert_eq!(st.pcs.len(), MAX_KEYS);
        assert_eq!(st.dropped_keys, 2 * 100);
        assert_eq!(st.total, n as u64);
        assert_eq!(st.counts[0x12], n as u64);
    }

    #[test]
    fn host_time_is_read_again_after_many_instructions_or_a_wfi() {
        let mut st = HypStats::new();
        let t0 = st.host_time(1000);
        std::thread::sleep(std::time::Duration::from_millis(5));
        // Within the refresh interval the cached reading stands...
        assert_eq!(st.host_time(1000 + HOST_CLOCK_REFRESH_INSNS - 1), t0);
        // ...past it, or after a WFI, the clock is read again.
        let t1 = st.host_time(1000 + HOST_CLOCK_REFRESH_INSNS);
        assert!(t1 >= t0 + 5_000_000, "{t0} {t1}");
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert_eq!(st.host_time(1000 + HOST_CLOCK_REFRESH_INSNS + 1), t1);
        st.host_time_stale();
        assert!(st.host_time(1000 + HOST_CLOCK_REFRESH_INSNS + 2) >= t1 + 5_000_000);
    }

    #[test]
    fn contexts_are_listed_from_their_codes() {
        let mut st = HypStats::new();
        let g = Context::Guest {
            vmid: 3,
            pl1: false,
        };
        st.record_entry(&rec(0x1000, SubClass::None, 0), 0, 10);
        st.record_return(g.code(), 20);
        st.record_entry(
            &TrapRecord {
                from: g,
                ..rec(0x2000, SubClass::None, 0)
            },
            0,
            50,
        );
        st.settle(60);
        let guest1 = Context::Guest { vmid: 1, pl1: true };
        assert_eq!(
            st.contexts(),
            vec![
                (
                    guest1,
                    GuestCounters {
                        exits: 1,
                        entries: 0,
                        insns: 0
                    }
                ),
                (
                    g,
                    GuestCounters {
                        exits: 1,
                        entries: 1,
                        insns: 30
                    }
                ),
                (
                    Context::Hyp,
                    GuestCounters {
                        exits: 0,
                        entries: 0,
                        insns: 20
                    }
                ),
                // Before the first trap the core was in no known context.
                (
                    Context::Other,
                    GuestCounters {
                        exits: 0,
                        entries: 0,
                        insns: 10
                    }
                ),
            ]
        );
        assert_eq!(st.entries(), 1);
        assert_eq!(st.hyp_insns, 20);
        assert_eq!(Context::from_code(g.code()), g);
        assert_eq!(Context::from_code(Context::Hyp.code()), Context::Hyp);
        assert_eq!(Context::from_code(Context::Other.code()), Context::Other);
    }
}
