//! Arm GICv2 interrupt controller as on the GIC-400 (IHI0048B, GIC-400 TRM DDI0471):
//! the distributor (GICD, 4 KiB window, 0x2c001000 on vexpress-a15) and the CPU
//! interface (GICC, 8 KiB window, 0x2c002000).
//!
//! The board holds a [`Gic`] handle and maps the two [`MmioDevice`] views it hands out
//! ([`GicDistributor`], [`GicCpuInterface`]); all three share one [`GicState`]. MMIO
//! accesses carry no CPU number, so the banked registers use the CPU index in a shared
//! "current CPU" cell that the board sets before running each core (default 0).
//!
//! Interrupt inputs: [`Gic::set_irq_line`] (SPIs, by interrupt ID 32..) and
//! [`Gic::set_ppi`] (PPIs, by interrupt ID 16..31, e.g. the generic timer on 26/27/29/30;
//! the maintenance interrupt on 25 is driven inside the GIC). Outputs: [`Gic::cpu_irq`] and
//! [`Gic::cpu_fiq`], recomputed after every state change.
//!
//! Model choices:
//! - The Security Extensions are not modelled: every access behaves like a GIC without
//!   them (which has the same register layout as the Secure view): GICD_TYPER.SecurityExtn
//!   reads 0, GICD_CTLR has EnableGrp0/EnableGrp1, GICC_CTLR has EnableGrp0/1, AckCtl,
//!   FIQEn, CBPR and EOImode in bit 9. Group 0 interrupts go to FIQ when FIQEn is set.
//! - 5 priority bits (GIC-400): IPRIORITYR and PMR low 3 bits are RAZ/WI; the minimum
//!   binary point is 2 (BPR) / 3 (ABPR), so 32 preemption levels tracked in GICC_APR0
//!   (Group 0) and GICC_NSAPR0 (Group 1).
//! - SGIs are permanently enabled and edge-triggered; PPIs 25..31 are level-sensitive
//!   (GICD_ICFGR1 reads 0x55540000, read-only); SPIs are configurable (reset level).
//! - SGI pending state is kept per (target, source) pair; active state per target.
//! - Level-sensitive interrupts are pending while the line is high, or while a software
//!   pending latch (GICD_ISPENDR) is set; acknowledging clears the latch.
//! - A uniprocessor configuration delivers SPIs to CPU 0 whatever ITARGETSR holds.
//! - Register misuse (bad offset or size, writes to read-only registers) is RAZ/WI with a
//!   warning logged once per offset.
//!
//! The virtualization extensions (the GICH virtual interface control with its list
//! registers, the GICV virtual CPU interface) live in [`crate::gic_virt`]: their per-CPU
//! state ([`VirtCpu`]) sits in [`GicState`] beside `cpus`, and [`Gic::hyp_interface`] /
//! [`Gic::virt_cpu_interface`] hand out their windows. The maintenance interrupt is wired
//! inside the GIC to PPI 25 of each CPU (level, from GICH_MISR); the virtual outputs are
//! [`Gic::cpu_virq`] and [`Gic::cpu_vfiq`].

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::rc::Rc;

use crate::gic_virt::{GicHypInterface, GicVirtCpuInterface, VirtCpu, MAINTENANCE_PPI};
use crate::MmioDevice;

/// GICD_IIDR of the GIC-400 (r0p1).
pub const GICD_IIDR: u32 = 0x0200_143b;
/// GICC_IIDR of the GIC-400 (r0p1).
pub const GICC_IIDR: u32 = 0x0202_143b;
/// Interrupt ID returned by GICC_IAR when nothing can be acknowledged.
pub const SPURIOUS: u32 = 1023;
/// Maximum number of CPU interfaces in GICv2.
pub const MAX_CPUS: usize = 8;

/// Implemented priority bits: the top 5 (GIC-400).
const PRIO_MASK: u8 = 0xf8;
/// Minimum GICC_BPR value with 5 priority bits.
const BPR_MIN: u8 = 2;
/// "No active priority" running priority (one above the lowest 0xff).
const IDLE_PRIO: u16 = 0x100;

/// GICD_PIDR4..7, PIDR0..3, CIDR0..3 of the GIC-400 at 0xfd0..0xffc.
const ID_REGS: [u32; 12] = [
    0x04, 0x00, 0x00, 0x00, 0x90, 0xb4, 0x2b, 0x00, 0x0d, 0xf0, 0x05, 0xb1,
];

/// State of one interrupt (banked per CPU for IDs 0..31).
#[derive(Clone, Copy, Debug)]
struct Irq {
    enabled: bool,
    group1: bool,
    priority: u8,
    /// Edge-triggered (ICFGR Int_Config[1]).
    edge: bool,
    /// Input line level (PPIs, SPIs).
    level: bool,
    /// Edge-detected or software-set pending state (not used for SGIs).
    latch: bool,
    active: bool,
    /// ITARGETSR byte (SPIs only).
    targets: u8,
}

impl Irq {
    fn reset(id: usize) -> Irq {
        Irq {
            enabled: id < 16,
            group1: false,
            priority: 0,
            edge: id < 16,
            level: false,
            latch: false,
            active: false,
            targets: 0,
        }
    }
}

/// Per-CPU banked distributor state and CPU interface registers.
#[derive(Clone, Debug)]
struct CpuState {
    /// Interrupts 0..31 as seen by this CPU.
    private: [Irq; 32],
    /// Pending SGIs targeting this CPU: one bit per source CPU, per SGI.
    sgi_sources: [u8; 16],
    // CPU interface.
    ctlr: u32,
    pmr: u8,
    bpr: u8,
    abpr: u8,
    /// Active priorities of Group 0 (GICC_APR0) and Group 1 (GICC_NSAPR0) interrupts:
    /// bit n = group priority n << 3.
    apr: u32,
    nsapr: u32,
    /// Cached outputs.
    irq_out: bool,
    fiq_out: bool,
}

const CTLR_ENABLE_GRP0: u32 = 1 << 0;
const CTLR_ENABLE_GRP1: u32 = 1 << 1;
const CTLR_ACK_CTL: u32 = 1 << 2;
const CTLR_FIQ_EN: u32 = 1 << 3;
const CTLR_CBPR: u32 = 1 << 4;
const CTLR_EOIMODE: u32 = 1 << 9;
/// Implemented GICC_CTLR bits (the bypass-disable bits 5..8 and EOImodeNS are stored
/// but have no effect).
const CTLR_MASK: u32 = 0x7ff;

impl CpuState {
    fn new() -> CpuState {
        CpuState {
            private: std::array::from_fn(Irq::reset),
            sgi_sources: [0; 16],
            ctlr: 0,
            pmr: 0,
            bpr: BPR_MIN,
            abpr: BPR_MIN + 1,
            apr: 0,
            nsapr: 0,
            irq_out: false,
            fiq_out: false,
        }
    }

    /// Current running priority (IDLE_PRIO if no interrupt is active).
    fn running_priority(&self) -> u16 {
        let all = self.apr | self.nsapr;
        if all == 0 {
            IDLE_PRIO
        } else {
            (all.trailing_zeros() as u16) << 3
        }
    }

    /// Group priority of `prio` for preemption, for an interrupt of the given group.
    fn group_priority(&self, prio: u8, group1: bool) -> u8 {
        // Binary point n: group priority is bits [7:n+1]. ABPR n corresponds to BPR n-1.
        let bp = if group1 && self.ctlr & CTLR_CBPR == 0 {
            self.abpr.saturating_sub(1)
        } else {
            self.bpr
        };
        prio & (0xffu32 << (bp + 1)) as u8
    }

    fn group_enabled(&self, group1: bool) -> bool {
        self.ctlr
            & if group1 {
                CTLR_ENABLE_GRP1
            } else {
                CTLR_ENABLE_GRP0
            }
            != 0
    }
}

/// A candidate interrupt for a CPU interface.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Candidate {
    id: u32,
    priority: u8,
    group1: bool,
}

/// State shared by the distributor, the CPU interfaces and the board's [`Gic`] handle.
#[derive(Debug)]
pub struct GicState {
    num_cpus: usize,
    /// 32 * (ITLinesNumber + 1).
    num_irqs: usize,
    it_lines_number: u32,
    /// GICD_CTLR: EnableGrp0 (bit 0), EnableGrp1 (bit 1).
    dist_ctlr: u32,
    cpus: Vec<CpuState>,
    /// Interrupts 32..num_irqs.
    spis: Vec<Irq>,
    /// Virtualization extensions: GICH/GICV state per CPU interface.
    virt: Vec<VirtCpu>,
    warned: HashSet<(u8, u64)>,
}

const WIN_DIST: u8 = 0;
const WIN_CPU: u8 = 1;
const WIN_INPUT: u8 = 2;
const WIN_GICH: u8 = 3;
const WIN_GICV: u8 = 4;
const WIN_HW_LR: u8 = 5;

impl GicState {
    fn new(num_cpus: usize, it_lines_number: u32) -> GicState {
        let num_cpus = num_cpus.clamp(1, MAX_CPUS);
        // GICv2 supports at most 1020 interrupt IDs (ITLinesNumber 31).
        let it_lines_number = it_lines_number.min(31);
        let num_irqs = 32 * (it_lines_number as usize + 1);
        GicState {
            num_cpus,
            num_irqs,
            it_lines_number,
            dist_ctlr: 0,
            cpus: vec![CpuState::new(); num_cpus],
            spis: (32..num_irqs)
                .map(|id| Irq {
                    targets: 0,
                    ..Irq::reset(id)
                })
                .collect(),
            virt: vec![VirtCpu::new(); num_cpus],
            warned: HashSet::new(),
        }
    }

    fn warn_once(&mut self, win: u8, offset: u64, what: &str) {
        if self.warned.insert((win, offset)) {
            let w = match win {
                WIN_DIST => "GICD",
                WIN_CPU => "GICC",
                WIN_GICH => "GICH",
                WIN_GICV => "GICV",
                WIN_HW_LR => "GICH_LR PhysicalID",
                _ => "input",
            };
            tracing::warn!(target: "gic", "{w} {offset:#x}: {what}; RAZ/WI");
        }
    }

    fn irq(&self, cpu: usize, id: usize) -> &Irq {
        if id < 32 {
            &self.cpus[cpu].private[id]
        } else {
            &self.spis[id - 32]
        }
    }

    fn irq_mut(&mut self, cpu: usize, id: usize) -> &mut Irq {
        if id < 32 {
            &mut self.cpus[cpu].private[id]
        } else {
            &mut self.spis[id - 32]
        }
    }

    fn is_pending(&self, cpu: usize, id: usize) -> bool {
        if id < 16 {
            self.cpus[cpu].sgi_sources[id] != 0
        } else {
            let i = self.irq(cpu, id);
            i.latch || (!i.edge && i.level)
        }
    }

    fn targets_cpu(&self, cpu: usize, id: usize) -> bool {
        id < 32 || self.num_cpus == 1 || self.spis[id - 32].targets & (1 << cpu) != 0
    }

    fn dist_group_enabled(&self, group1: bool) -> bool {
        self.dist_ctlr & if group1 { 2 } else { 1 } != 0
    }

    /// Highest priority pending, enabled, inactive interrupt forwarded to `cpu`'s
    /// interface (group enabled in the distributor and, if `cpu_enables`, in the CPU
    /// interface). Ties go to the lowest ID.
    fn best(&self, cpu: usize, cpu_enables: bool) -> Option<Candidate> {
        let c = &self.cpus[cpu];
        let mut best: Option<Candidate> = None;
        for id in 0..self.num_irqs {
            let i = self.irq(cpu, id);
            if !i.enabled
                || i.active
                || !self.is_pending(cpu, id)
                || !self.dist_group_enabled(i.group1)
                || (cpu_enables && !c.group_enabled(i.group1))
                || !self.targets_cpu(cpu, id)
            {
                continue;
            }
            if best.is_none_or(|b| i.priority < b.priority) {
                best = Some(Candidate {
                    id: id as u32,
                    priority: i.priority,
                    group1: i.group1,
                });
            }
        }
        best
    }

    /// The interrupt `cpu`'s interface signals now: above the priority mask and with a
    /// group priority above the running priority.
    fn signalled(&self, cpu: usize) -> Option<Candidate> {
        let c = &self.cpus[cpu];
        self.best(cpu, true).filter(|b| {
            b.priority < c.pmr
                && (c.group_priority(b.priority, b.group1) as u16) < c.running_priority()
        })
    }

    /// Recomputes the outputs after a state change: the maintenance interrupts (PPI 25,
    /// level-sensitive, from each CPU's GICH_MISR) first, then the IRQ/FIQ outputs.
    pub(crate) fn update(&mut self) {
        for cpu in 0..self.num_cpus {
            let m = self.virt[cpu].maintenance();
            let i = &mut self.cpus[cpu].private[MAINTENANCE_PPI as usize];
            i.level = m;
        }
        for cpu in 0..self.num_cpus {
            let s = self.signalled(cpu);
            let c = &mut self.cpus[cpu];
            let fiq = s.is_some_and(|b| !b.group1 && c.ctlr & CTLR_FIQ_EN != 0);
            c.fiq_out = fiq;
            c.irq_out = s.is_some() && !fiq;
        }
    }

    // ---- Distributor ----

    fn valid_cpu(&mut self, cpu: usize, win: u8, offset: u64) -> bool {
        if cpu < self.num_cpus {
            true
        } else {
            self.warn_once(win, offset, "access from a CPU without an interface");
            false
        }
    }

    /// Reads a bit-per-interrupt register whose first interrupt is `first`.
    fn read_bits(
        &self,
        cpu: usize,
        first: usize,
        f: impl Fn(&GicState, usize, usize) -> bool,
    ) -> u32 {
        (0..32)
            .filter(|b| first + b < self.num_irqs && f(self, cpu, first + b))
            .fold(0, |acc, b| acc | 1 << b)
    }

    /// Applies `f` to each interrupt whose bit is set in `value`.
    fn write_bits(
        &mut self,
        cpu: usize,
        first: usize,
        value: u32,
        mut f: impl FnMut(&mut GicState, usize, usize),
    ) {
        for b in 0..32 {
            if value & (1 << b) != 0 && first + b < self.num_irqs {
                f(self, cpu, first + b);
            }
        }
    }

    fn dist_read_byte(&mut self, cpu: usize, offset: u64) -> u8 {
        let o = offset as usize;
        match o {
            0x400..=0x7ff => {
                let id = o - 0x400;
                if id < self.num_irqs {
                    self.irq(cpu, id).priority
                } else {
                    0
                }
            }
            0x800..=0xbff => {
                let id = o - 0x800;
                if id < 32 {
                    1 << cpu
                } else if id < self.num_irqs {
                    self.spis[id - 32].targets
                } else {
                    0
                }
            }
            0xf10..=0xf1f => self.cpus[cpu].sgi_sources[o - 0xf10],
            0xf20..=0xf2f => self.cpus[cpu].sgi_sources[o - 0xf20],
            _ => 0,
        }
    }

    fn dist_write_byte(&mut self, cpu: usize, offset: u64, v: u8) {
        let o = offset as usize;
        let cpu_mask = ((1u32 << self.num_cpus) - 1) as u8;
        match o {
            0x400..=0x7ff => {
                let id = o - 0x400;
                if id < self.num_irqs {
                    self.irq_mut(cpu, id).priority = v & PRIO_MASK;
                }
            }
            0x800..=0xbff => {
                let id = o - 0x800;
                if id >= 32 && id < self.num_irqs {
                    self.spis[id - 32].targets = v & cpu_mask;
                }
            }
            0xf10..=0xf1f => self.cpus[cpu].sgi_sources[o - 0xf10] &= !v,
            0xf20..=0xf2f => self.cpus[cpu].sgi_sources[o - 0xf20] |= v & cpu_mask,
            _ => {}
        }
    }

    fn is_byte_reg(offset: u64) -> bool {
        matches!(offset, 0x400..=0xbff | 0xf10..=0xf2f)
    }

    fn dist_read(&mut self, cpu: usize, offset: u64, size: u32) -> u64 {
        if !self.valid_cpu(cpu, WIN_DIST, offset) {
            return 0;
        }
        if Self::is_byte_reg(offset) && (size == 1 || (size == 4 && offset.is_multiple_of(4))) {
            return (0..size as u64)
                .map(|i| (self.dist_read_byte(cpu, offset + i) as u64) << (8 * i))
                .sum();
        }
        if size != 4 || !offset.is_multiple_of(4) {
            self.warn_once(WIN_DIST, offset, "bad access size or alignment (read)");
            return 0;
        }
        let o = offset as usize;
        let first = |base: usize| (o - base) * 8;
        let v = match o {
            0x000 => self.dist_ctlr,
            0x004 => self.it_lines_number | ((self.num_cpus as u32 - 1) << 5),
            0x008 => GICD_IIDR,
            0x080..=0x0ff => self.read_bits(cpu, first(0x080), |s, c, id| s.irq(c, id).group1),
            0x100..=0x17f => self.read_bits(cpu, first(0x100), |s, c, id| s.irq(c, id).enabled),
            0x180..=0x1ff => self.read_bits(cpu, first(0x180), |s, c, id| s.irq(c, id).enabled),
            0x200..=0x27f => self.read_bits(cpu, first(0x200), |s, c, id| s.is_pending(c, id)),
            0x280..=0x2ff => self.read_bits(cpu, first(0x280), |s, c, id| s.is_pending(c, id)),
            0x300..=0x37f => self.read_bits(cpu, first(0x300), |s, c, id| s.irq(c, id).active),
            0x380..=0x3ff => self.read_bits(cpu, first(0x380), |s, c, id| s.irq(c, id).active),
            0xc00..=0xcff => {
                let first = (o - 0xc00) * 4;
                (0..16)
                    .filter(|f| first + f < self.num_irqs)
                    .map(|f| {
                        let id = first + f;
                        let cfg = if id < 16 {
                            0b10
                        } else if id < 32 {
                            // GIC-400: PPIs 25..31 level, 16..24 not implemented.
                            if id >= 25 {
                                0b01
                            } else {
                                0
                            }
                        } else {
                            0b01 | if self.spis[id - 32].edge { 0b10 } else { 0 }
                        };
                        cfg << (2 * f)
                    })
                    .sum()
            }
            0xf00 => 0, // GICD_SGIR is write-only.
            0xfd0..=0xfff => ID_REGS[(o - 0xfd0) / 4],
            _ => {
                self.warn_once(WIN_DIST, offset, "read of a reserved register");
                0
            }
        };
        v as u64
    }

    fn dist_write(&mut self, cpu: usize, offset: u64, size: u32, value: u64) {
        if !self.valid_cpu(cpu, WIN_DIST, offset) {
            return;
        }
        if Self::is_byte_reg(offset) && (size == 1 || (size == 4 && offset.is_multiple_of(4))) {
            for i in 0..size as u64 {
                self.dist_write_byte(cpu, offset + i, (value >> (8 * i)) as u8);
            }
            self.update();
            return;
        }
        if size != 4 || !offset.is_multiple_of(4) {
            self.warn_once(WIN_DIST, offset, "bad access size or alignment (write)");
            return;
        }
        let v = value as u32;
        let o = offset as usize;
        let first = |base: usize| (o - base) * 8;
        match o {
            0x000 => self.dist_ctlr = v & 3,
            0x004 | 0x008 | 0xfd0..=0xfff => {
                self.warn_once(WIN_DIST, offset, "write to a read-only register")
            }
            0x080..=0x0ff => {
                let first = first(0x080);
                for b in 0..32 {
                    if first + b < self.num_irqs {
                        self.irq_mut(cpu, first + b).group1 = v & (1 << b) != 0;
                    }
                }
            }
            0x100..=0x17f => self.write_bits(cpu, first(0x100), v, |s, c, id| {
                s.irq_mut(c, id).enabled = true;
            }),
            0x180..=0x1ff => self.write_bits(cpu, first(0x180), v, |s, c, id| {
                // SGIs are permanently enabled on the GIC-400.
                if id >= 16 {
                    s.irq_mut(c, id).enabled = false;
                }
            }),
            0x200..=0x27f => self.write_bits(cpu, first(0x200), v, |s, c, id| {
                // SGI pending bits are read-only here; GICD_SPENDSGIR sets them.
                if id >= 16 {
                    s.irq_mut(c, id).latch = true;
                }
            }),
            0x280..=0x2ff => self.write_bits(cpu, first(0x280), v, |s, c, id| {
                if id >= 16 {
                    s.irq_mut(c, id).latch = false;
                }
            }),
            0x300..=0x37f => self.write_bits(cpu, first(0x300), v, |s, c, id| {
                s.irq_mut(c, id).active = true;
            }),
            0x380..=0x3ff => self.write_bits(cpu, first(0x380), v, |s, c, id| {
                s.irq_mut(c, id).active = false;
            }),
            0xc00..=0xcff => {
                let first = (o - 0xc00) * 4;
                for f in 0..16 {
                    let id = first + f;
                    // SGI and PPI configuration is read-only on the GIC-400.
                    if id >= 32 && id < self.num_irqs {
                        self.spis[id - 32].edge = v & (2 << (2 * f)) != 0;
                    }
                }
            }
            0xf00 => self.write_sgir(cpu, v),
            _ => self.warn_once(WIN_DIST, offset, "write to a reserved register"),
        }
        self.update();
    }

    fn write_sgir(&mut self, cpu: usize, v: u32) {
        let sgi = (v & 0xf) as usize;
        let all = ((1u32 << self.num_cpus) - 1) as u8;
        let targets = match (v >> 24) & 3 {
            0 => ((v >> 16) as u8) & all,
            1 => all & !(1 << cpu),
            2 => 1 << cpu,
            _ => {
                self.warn_once(WIN_DIST, 0xf00, "reserved SGIR TargetListFilter");
                0
            }
        };
        for t in 0..self.num_cpus {
            if targets & (1 << t) != 0 {
                self.cpus[t].sgi_sources[sgi] |= 1 << cpu;
            }
        }
    }

    // ---- CPU interface ----

    fn acknowledge(&mut self, cpu: usize) -> u32 {
        let Some(b) = self.signalled(cpu) else {
            return SPURIOUS;
        };
        if b.group1 && self.cpus[cpu].ctlr & CTLR_ACK_CTL == 0 {
            return 1022;
        }
        let id = b.id as usize;
        let mut value = b.id;
        if id < 16 {
            let src = self.cpus[cpu].sgi_sources[id].trailing_zeros();
            self.cpus[cpu].sgi_sources[id] &= !(1 << src);
            value |= src << 10;
        } else {
            self.irq_mut(cpu, id).latch = false;
        }
        self.irq_mut(cpu, id).active = true;
        let c = &mut self.cpus[cpu];
        let bit = 1u32 << (c.group_priority(b.priority, b.group1) >> 3);
        if b.group1 {
            c.nsapr |= bit;
        } else {
            c.apr |= bit;
        }
        self.update();
        value
    }

    fn priority_drop(&mut self, cpu: usize) {
        let c = &mut self.cpus[cpu];
        let all = c.apr | c.nsapr;
        if all == 0 {
            self.warn_once(WIN_CPU, 0x10, "EOI with no active priority");
            return;
        }
        let bit = all & all.wrapping_neg();
        if c.apr & bit != 0 {
            c.apr &= !bit;
        } else {
            c.nsapr &= !bit;
        }
    }

    fn deactivate(&mut self, cpu: usize, id: usize) {
        if id < self.num_irqs {
            self.irq_mut(cpu, id).active = false;
        }
    }

    fn cpu_read(&mut self, cpu: usize, offset: u64, size: u32) -> u64 {
        if !self.valid_cpu(cpu, WIN_CPU, offset) {
            return 0;
        }
        if size != 4 || !offset.is_multiple_of(4) {
            self.warn_once(WIN_CPU, offset, "bad access size or alignment (read)");
            return 0;
        }
        let c = &self.cpus[cpu];
        let v = match offset {
            0x00 => c.ctlr,
            0x04 => c.pmr as u32,
            0x08 => c.bpr as u32,
            0x0c => self.acknowledge(cpu),
            0x14 => c.running_priority().min(0xff) as u32,
            0x18 => match self.best(cpu, false) {
                None => SPURIOUS,
                Some(b) if b.group1 && c.ctlr & CTLR_ACK_CTL == 0 => 1022,
                Some(b) if b.id < 16 => b.id | c.sgi_sources[b.id as usize].trailing_zeros() << 10,
                Some(b) => b.id,
            },
            0x1c => c.abpr as u32,
            0xd0 => c.apr,
            0xd4..=0xdc | 0xe4..=0xec => 0,
            0xe0 => c.nsapr,
            0xfc => GICC_IIDR,
            0x10 | 0x1000 => {
                self.warn_once(WIN_CPU, offset, "read of a write-only register");
                0
            }
            _ => {
                self.warn_once(WIN_CPU, offset, "read of a reserved register");
                0
            }
        };
        v as u64
    }

    fn cpu_write(&mut self, cpu: usize, offset: u64, size: u32, value: u64) {
        if !self.valid_cpu(cpu, WIN_CPU, offset) {
            return;
        }
        if size != 4 || !offset.is_multiple_of(4) {
            self.warn_once(WIN_CPU, offset, "bad access size or alignment (write)");
            return;
        }
        let v = value as u32;
        let c = &mut self.cpus[cpu];
        match offset {
            0x00 => c.ctlr = v & CTLR_MASK,
            0x04 => c.pmr = v as u8 & PRIO_MASK,
            0x08 => c.bpr = (v as u8 & 7).max(BPR_MIN),
            0x1c => c.abpr = (v as u8 & 7).max(BPR_MIN + 1),
            0x10 => {
                let id = (v & 0x3ff) as usize;
                if id < self.num_irqs {
                    self.priority_drop(cpu);
                    if self.cpus[cpu].ctlr & CTLR_EOIMODE == 0 {
                        self.deactivate(cpu, id);
                    }
                }
            }
            0x1000 => {
                if c.ctlr & CTLR_EOIMODE != 0 {
                    self.deactivate(cpu, (v & 0x3ff) as usize);
                } else {
                    self.warn_once(WIN_CPU, offset, "GICC_DIR write with EOImode 0");
                }
            }
            0xd0 => c.apr = v,
            0xe0 => c.nsapr = v,
            0xd4..=0xdc | 0xe4..=0xec => {}
            0x0c | 0x14 | 0x18 | 0xfc => {
                self.warn_once(WIN_CPU, offset, "write to a read-only register")
            }
            _ => self.warn_once(WIN_CPU, offset, "write to a reserved register"),
        }
        self.update();
    }

    // ---- Virtualization extensions (state and logic in crate::gic_virt) ----

    pub(crate) fn virt_cpu(&self, cpu: usize) -> Option<&VirtCpu> {
        self.virt.get(cpu)
    }

    pub(crate) fn virt_cpu_mut(&mut self, cpu: usize) -> Option<&mut VirtCpu> {
        self.virt.get_mut(cpu)
    }

    /// Logs GICH (`gich`) or GICV misuse once per offset.
    pub(crate) fn warn_virt(&mut self, gich: bool, offset: u64, what: &str) {
        self.warn_once(if gich { WIN_GICH } else { WIN_GICV }, offset, what);
    }

    /// Deactivates physical interrupt `id` for `cpu`, as a guest's deactivation of a
    /// hardware list register does (IHI 0048B, GICH_LR.HW). PhysicalID must name a PPI or SPI.
    pub(crate) fn deactivate_physical(&mut self, cpu: usize, id: u32) {
        let id = id as usize;
        if (16..self.num_irqs).contains(&id) && cpu < self.num_cpus {
            self.deactivate(cpu, id);
        } else {
            self.warn_once(
                WIN_HW_LR,
                id as u64,
                "not a PPI or SPI; nothing deactivated",
            );
        }
    }

    // ---- Inputs ----

    fn set_line(&mut self, cpu: usize, id: usize, level: bool) {
        let i = self.irq_mut(cpu, id);
        if i.level == level {
            return;
        }
        i.level = level;
        if level && i.edge {
            i.latch = true;
        }
        self.update();
    }
}

/// The board's handle on the GIC: inputs, outputs and the current-CPU selector.
#[derive(Clone)]
pub struct Gic {
    state: Rc<RefCell<GicState>>,
    current_cpu: Rc<Cell<usize>>,
}

impl Gic {
    /// A GIC with `num_cpus` CPU interfaces (1..=8) and 32 * (`it_lines_number` + 1)
    /// interrupts (vexpress-a15: 4, i.e. 160).
    pub fn new(num_cpus: usize, it_lines_number: u32) -> Gic {
        Gic {
            state: Rc::new(RefCell::new(GicState::new(num_cpus, it_lines_number))),
            current_cpu: Rc::new(Cell::new(0)),
        }
    }

    /// The distributor's register window (map 4 KiB).
    pub fn distributor(&self) -> GicDistributor {
        GicDistributor {
            state: self.state.clone(),
            current_cpu: self.current_cpu.clone(),
        }
    }

    /// The CPU interface's register window (map 8 KiB), banked by the current CPU.
    pub fn cpu_interface(&self) -> GicCpuInterface {
        GicCpuInterface {
            state: self.state.clone(),
            current_cpu: self.current_cpu.clone(),
        }
    }

    /// The virtual interface control window GICH (map 8 KiB): the current CPU's frame at
    /// 0, CPU n's at 0x1000 + 0x200 n.
    pub fn hyp_interface(&self) -> GicHypInterface {
        GicHypInterface::new(self.state.clone(), self.current_cpu.clone())
    }

    /// The virtual CPU interface window GICV (map 8 KiB), banked by the current CPU.
    pub fn virt_cpu_interface(&self) -> GicVirtCpuInterface {
        GicVirtCpuInterface::new(self.state.clone(), self.current_cpu.clone())
    }

    /// Resets all registers (as on a system reset); input line levels are kept, so
    /// level-sensitive interrupts whose line is high are pending again.
    pub fn reset(&self) {
        let mut s = self.state.borrow_mut();
        let mut fresh = GicState::new(s.num_cpus, s.it_lines_number);
        for (f, old) in fresh.cpus.iter_mut().zip(&s.cpus) {
            for (fi, oi) in f.private.iter_mut().zip(&old.private) {
                fi.level = oi.level;
            }
        }
        for (fi, oi) in fresh.spis.iter_mut().zip(&s.spis) {
            fi.level = oi.level;
        }
        fresh.warned = std::mem::take(&mut s.warned);
        *s = fresh;
        // The maintenance line follows the (reset) virtual interface state.
        s.update();
    }

    /// Selects which CPU's banked registers the MMIO views access.
    pub fn set_current_cpu(&self, cpu: usize) {
        self.current_cpu.set(cpu);
    }

    /// The shared current-CPU cell.
    pub fn current_cpu_cell(&self) -> Rc<Cell<usize>> {
        self.current_cpu.clone()
    }

    pub fn num_cpus(&self) -> usize {
        self.state.borrow().num_cpus
    }

    /// Number of interrupt IDs (32 * (ITLinesNumber + 1)).
    pub fn num_irqs(&self) -> usize {
        self.state.borrow().num_irqs
    }

    /// Drives the input of shared peripheral interrupt `id` (interrupt ID 32..num_irqs,
    /// i.e. SPI n is ID 32 + n).
    pub fn set_irq_line(&self, id: u32, level: bool) {
        let mut s = self.state.borrow_mut();
        let id = id as usize;
        if id < 32 || id >= s.num_irqs {
            s.warn_once(
                WIN_INPUT,
                id as u64,
                "set_irq_line on a non-SPI interrupt ID",
            );
            return;
        }
        s.set_line(0, id, level);
    }

    /// Drives private peripheral interrupt `ppi` (interrupt ID 16..31) of `cpu`.
    pub fn set_ppi(&self, cpu: usize, ppi: u32, level: bool) {
        let mut s = self.state.borrow_mut();
        if !(16..32).contains(&ppi) || ppi == MAINTENANCE_PPI || cpu >= s.num_cpus {
            s.warn_once(
                WIN_INPUT,
                ppi as u64,
                "set_ppi on a non-PPI ID, the internal maintenance PPI or an absent CPU",
            );
            return;
        }
        s.set_line(cpu, ppi as usize, level);
    }

    /// IRQ output to `cpu`.
    pub fn cpu_irq(&self, cpu: usize) -> bool {
        self.state.borrow().cpus.get(cpu).is_some_and(|c| c.irq_out)
    }

    /// FIQ output to `cpu` (Group 0 interrupts when GICC_CTLR.FIQEn is set).
    pub fn cpu_fiq(&self, cpu: usize) -> bool {
        self.state.borrow().cpus.get(cpu).is_some_and(|c| c.fiq_out)
    }

    /// Virtual IRQ output to `cpu` from its virtual CPU interface (list registers).
    pub fn cpu_virq(&self, cpu: usize) -> bool {
        self.state
            .borrow()
            .virt
            .get(cpu)
            .is_some_and(|v| v.outputs().0)
    }

    /// Virtual FIQ output to `cpu` (Group 0 list registers when GICV_CTLR.FIQEn is set).
    pub fn cpu_vfiq(&self, cpu: usize) -> bool {
        self.state
            .borrow()
            .virt
            .get(cpu)
            .is_some_and(|v| v.outputs().1)
    }

    /// The ID of the interrupt `cpu`'s CPU interface signals now, if any (what a read
    /// of GICC_HPPIR would name, without side effects).
    pub fn signalled_irq(&self, cpu: usize) -> Option<u32> {
        let s = self.state.borrow();
        if cpu >= s.cpus.len() {
            return None;
        }
        s.signalled(cpu).map(|c| c.id)
    }

    /// Level of `cpu`'s maintenance interrupt (also PPI 25's input line).
    pub fn maintenance_irq(&self, cpu: usize) -> bool {
        self.state
            .borrow()
            .virt
            .get(cpu)
            .is_some_and(|v| v.maintenance())
    }
}

/// The distributor window (GICD).
pub struct GicDistributor {
    state: Rc<RefCell<GicState>>,
    current_cpu: Rc<Cell<usize>>,
}

impl MmioDevice for GicDistributor {
    fn read(&mut self, offset: u64, size: u32) -> Option<u64> {
        Some(
            self.state
                .borrow_mut()
                .dist_read(self.current_cpu.get(), offset, size),
        )
    }
    fn write(&mut self, offset: u64, size: u32, value: u64) -> bool {
        self.state
            .borrow_mut()
            .dist_write(self.current_cpu.get(), offset, size, value);
        true
    }
    fn name(&self) -> &'static str {
        "gic-dist"
    }
}

/// The CPU interface window (GICC), banked by the current CPU.
pub struct GicCpuInterface {
    state: Rc<RefCell<GicState>>,
    current_cpu: Rc<Cell<usize>>,
}

impl MmioDevice for GicCpuInterface {
    fn read(&mut self, offset: u64, size: u32) -> Option<u64> {
        Some(
            self.state
                .borrow_mut()
                .cpu_read(self.current_cpu.get(), offset, size),
        )
    }
    fn write(&mut self, offset: u64, size: u32, value: u64) -> bool {
        self.state
            .borrow_mut()
            .cpu_write(self.current_cpu.get(), offset, size, value);
        true
    }
    fn name(&self) -> &'static str {
        "gic-cpu"
    }
}

#[cfg(test)]
mod tests;
