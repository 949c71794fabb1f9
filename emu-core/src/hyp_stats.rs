//! Statistics of the HSR path (ARCHITECTURE.md decision 5, issue 6): every exception
//! taken to Hyp mode is counted here, by class, guest (VMID, PL1/PL0), trapping PC and
//! sub-class, and every exception return from Hyp mode into a guest is counted as an
//! entry. Instructions are attributed to the context that executed them (Hyp, or a guest
//! VMID at PL1/PL0), and Hyp-mode instructions also to the class of the trap that brought
//! the core into Hyp mode (the emulated cost of handling it).
//!
//! Counting is always on and only happens on exception entry/return, never per
//! instruction. Naming (register names, hypercall names, board devices) is done when a
//! report is made, from the raw keys kept here.

use std::collections::HashMap;
use std::io::Write;

use crate::exception::ec;

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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    /// Hyp mode itself.
    Hyp,
    /// A guest: the VMID of VTTBR and whether it ran at PL1 (`true`) or PL0.
    Guest { vmid: u8, pl1: bool },
    /// Secure state or Monitor mode (no Hyp involvement).
    Other,
}

/// Sub-class of a trap: the part of the syndrome and state that says *what* trapped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SubClass {
    None,
    /// WFI (`false`) or WFE (`true`).
    Wfx {
        wfe: bool,
    },
    /// MCR/MRC: the register encoding and the direction.
    Mcr {
        cp: u8,
        opc1: u8,
        crn: u8,
        crm: u8,
        opc2: u8,
        read: bool,
    },
    /// MCRR/MRRC: the register encoding and the direction.
    Mcrr {
        cp: u8,
        opc1: u8,
        crm: u8,
        read: bool,
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

/// Length of a time bucket of the trap-rate series.
pub const BUCKET_NS: u64 = 100_000_000;

/// The statistics of one core.
pub struct HypStats {
    /// Entries to Hyp mode by class.
    pub counts: [u64; CLASS_SLOTS],
    /// Instructions executed in Hyp mode after an entry of that class (until it returned).
    pub hyp_insns_by_class: [u64; CLASS_SLOTS],
    /// Per guest context (and `Context::Hyp` for entries taken in Hyp mode itself).
    pub contexts: HashMap<Context, GuestCounters>,
    /// Count per (class, sub-class).
    pub subclasses: HashMap<(TrapClass, SubClass), u64>,
    /// Count per (class, PC) with the last HSR seen there.
    pub pcs: HashMap<(TrapClass, u32), (u64, u32)>,
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
    /// The context instructions are currently attributed to, since `since_insn`.
    current: Context,
    since_insn: u64,
    /// The class whose handling the Hyp-mode instructions are attributed to.
    handling: Option<TrapClass>,
}

impl Default for HypStats {
    fn default() -> Self {
        HypStats::new()
    }
}

impl HypStats {
    pub fn new() -> HypStats {
        HypStats {
            counts: [0; CLASS_SLOTS],
            hyp_insns_by_class: [0; CLASS_SLOTS],
            contexts: HashMap::new(),
            subclasses: HashMap::new(),
            pcs: HashMap::new(),
            buckets: Vec::new(),
            total: 0,
            hyp_insns: 0,
            trace: None,
            trace_describe: None,
            current: Context::Other,
            since_insn: 0,
            handling: None,
        }
    }

    /// Charges the instructions since the last switch to the current context and makes
    /// `to` current.
    pub(crate) fn switch_context(&mut self, to: Context, insn_count: u64) {
        let n = insn_count.saturating_sub(self.since_insn);
        self.since_insn = insn_count;
        match self.current {
            Context::Hyp => {
                self.hyp_insns += n;
                if let Some(c) = self.handling {
                    self.hyp_insns_by_class[c.index()] += n;
                }
            }
            Context::Other => {}
            ctx => self.contexts.entry(ctx).or_default().insns += n,
        }
        self.current = to;
    }

    /// Charges the instructions up to `insn_count` (before a report).
    pub fn settle(&mut self, insn_count: u64) {
        let cur = self.current;
        self.switch_context(cur, insn_count);
    }

    /// Records one entry to Hyp mode.
    pub(crate) fn record_entry(&mut self, rec: TrapRecord, insn_count: u64) {
        self.switch_context(Context::Hyp, insn_count);
        self.total += 1;
        self.counts[rec.class.index()] += 1;
        self.handling = Some(rec.class);
        self.contexts.entry(rec.from).or_default().exits += 1;
        *self.subclasses.entry((rec.class, rec.sub)).or_default() += 1;
        let pc = self.pcs.entry((rec.class, rec.pc)).or_default();
        pc.0 += 1;
        pc.1 = rec.hsr;
        let bucket = (rec.time_ns / BUCKET_NS) as usize;
        // Bounded: a bucket per 100 ms of machine time (a day is under 1M buckets).
        if bucket < 1 << 20 {
            if self.buckets.len() <= bucket {
                self.buckets.resize(bucket + 1, [0; CLASS_SLOTS]);
            }
            let b = &mut self.buckets[bucket][rec.class.index()];
            *b = b.saturating_add(1);
        }
        if let Some(t) = self.trace.as_mut() {
            let iss = match self.trace_describe {
                Some(f) => f(&rec),
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
    }

    /// Records an exception return from Hyp mode into `to`.
    pub(crate) fn record_return(&mut self, to: Context, insn_count: u64) {
        self.switch_context(to, insn_count);
        self.handling = None;
        if to != Context::Other {
            self.contexts.entry(to).or_default().entries += 1;
        }
    }

    /// Total ERETs from Hyp mode into guests.
    pub fn entries(&self) -> u64 {
        self.contexts
            .iter()
            .filter(|(k, _)| matches!(k, Context::Guest { .. }))
            .map(|(_, v)| v.entries)
            .sum()
    }

    /// The `n` most frequent trapping PCs of `class`, most frequent first (ties by PC).
    pub fn top_pcs(&self, class: TrapClass, n: usize) -> Vec<(u32, u64, u32)> {
        let mut v: Vec<(u32, u64, u32)> = self
            .pcs
            .iter()
            .filter(|((c, _), _)| *c == class)
            .map(|((_, pc), (count, hsr))| (*pc, *count, *hsr))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
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
        let c = self.stats_context();
        if c != self.hyp_stats.current {
            let n = self.exact_insn_count();
            self.hyp_stats.switch_context(c, n);
        }
    }

    /// The HSR path's statistics hook: called by `enter_hyp` before the mode changes.
    pub(crate) fn record_hyp_entry(&mut self, syndrome: Option<u32>, vector: u32) {
        use crate::exception::hyp_vector;
        let from = self.stats_context();
        let (class, hsr) = match (syndrome, vector) {
            (Some(h), _) => (TrapClass::from_ec(h >> 26), h),
            (None, hyp_vector::IRQ) if self.maintenance_irq => (TrapClass::MAINTENANCE, 0),
            (None, hyp_vector::IRQ) => (TrapClass::IRQ, 0),
            (None, hyp_vector::FIQ) => (TrapClass::FIQ, 0),
            (None, _) => (TrapClass::ASYNC_ABORT, 0),
        };
        let sub = self.subclass(class, hsr);
        let now = self.exact_insn_count();
        let rec = TrapRecord {
            time_ns: self.cfg.clock.nanos(now),
            count: self.hyp_stats.total + 1,
            class,
            sub,
            pc: self.s.cur_pc,
            hsr,
            from,
        };
        self.hyp_stats.record_entry(rec, now);
    }

    /// Records an exception return out of Hyp mode (called after the new CPSR is set).
    pub(crate) fn record_hyp_return(&mut self) {
        let to = self.stats_context();
        let now = self.exact_insn_count();
        self.hyp_stats.record_return(to, now);
    }

    /// The sub-class of an entry of `class` with syndrome `hsr`, from the ISS and the
    /// registers of the trapping context (Arm ARM B3.13.6 for the ISS layouts).
    fn subclass(&self, class: TrapClass, hsr: u32) -> SubClass {
        let iss = hsr & 0x01ff_ffff;
        let bit = |n: u32| (iss >> n) & 1 != 0;
        let field = |lo: u32, bits: u32| ((iss >> lo) & ((1 << bits) - 1)) as u8;
        match class.0 {
            0x01 => SubClass::Wfx { wfe: bit(0) },
            0x03 | 0x05 => SubClass::Mcr {
                cp: if class.0 == 0x03 { 15 } else { 14 },
                opc2: field(17, 3),
                opc1: field(14, 3),
                crn: field(10, 4),
                crm: field(1, 4),
                read: bit(0),
            },
            0x04 | 0x0c => SubClass::Mcrr {
                cp: if class.0 == 0x04 { 15 } else { 14 },
                opc1: field(16, 4),
                crm: field(1, 4),
                read: bit(0),
            },
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
