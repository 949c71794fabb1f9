//! One core: state, memory, the decoded-block cache and the interpreter's run loop.
//!
//! Instructions are decoded once into blocks (straight-line runs of [`Insn`]s, keyed by
//! address and instruction-set state) and executed from the cache until code is
//! overwritten (ARCHITECTURE.md, decision 1).

use rustc_hash::FxHashMap;

use crate::decode;
use crate::exception::Exception;
use crate::insn::{flags, Insn, ItCtx};
use crate::memory::{Bus, EmptyBus, Ram};
use crate::state::{psr, CpuState, Mode};

/// Which optional parts of the architecture this core implements.
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuConfig {
    /// Virtualization Extensions (Hyp mode, HVC, ERET, banked MRS/MSR of Hyp registers).
    pub virtualization: bool,
    /// Security Extensions (Monitor mode, SMC).
    pub security: bool,
    /// Intercept semihosting calls (SVC 0x123456 in A32, SVC 0xAB in T32).
    pub semihosting: bool,
    /// The clock behind the generic timer's counter (host time by default).
    pub clock: crate::timer::ClockSource,
    /// The board plays the Secure firmware: an SMC at PL1 or in Hyp mode stops the run
    /// loop with [`StopReason::Smc`] instead of being UNDEFINED.
    pub firmware_smc: bool,
}

/// Why [`Cpu::run`] returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// The instruction budget ran out.
    Budget,
    /// A semihosting call is waiting: R0 is the operation, R1 the parameter; the PC
    /// already points after the call. Write the result to R0 and run again.
    Semihosting,
    /// WFI executed; the PC points after it.
    Wfi,
    /// An SMC for the board's firmware (`CpuConfig::firmware_smc`): R0-R3 hold the
    /// call's arguments and the PC points after the SMC. Write the results (R0) and run
    /// again.
    Smc,
}

/// Longest block the builder decodes.
const MAX_BLOCK: usize = 64;
/// Entries of the direct-mapped block lookup in front of the hash map.
const FAST_LOOKUP: usize = 4096;
/// An empty entry of the direct-mapped lookup (no block key is all ones).
const NO_FAST: (u64, u64, u32) = (u64::MAX, 0, 0);

struct Block {
    /// (`Cpu::block_key`, physical address of the first instruction).
    key: (u64, u64),
    insns: Vec<Insn>,
    /// Physical pages the block's instructions were fetched from (first, last).
    pages: (u64, u64),
}

#[derive(Default)]
struct BlockCache {
    blocks: Vec<Block>,
    map: FxHashMap<(u64, u64), u32>,
    /// (virtual key, translation generation, block): a hit needs no translation.
    fast: Vec<(u64, u64, u32)>,
    /// Blocks decoded from each physical page, for invalidation by stores.
    by_page: FxHashMap<u64, Vec<u32>>,
    /// Blocks dropped by invalidation whose slots are still in `blocks`.
    dead: usize,
}

impl BlockCache {
    fn new() -> BlockCache {
        BlockCache {
            blocks: Vec::new(),
            map: FxHashMap::default(),
            fast: vec![NO_FAST; FAST_LOOKUP],
            by_page: FxHashMap::default(),
            dead: 0,
        }
    }

    fn clear(&mut self) {
        self.blocks.clear();
        self.map.clear();
        self.by_page.clear();
        self.dead = 0;
        self.fast.iter_mut().for_each(|e| *e = NO_FAST);
    }

    fn fast_slot(key: u64) -> usize {
        ((key as usize >> 1) ^ (key >> 32) as usize) & (FAST_LOOKUP - 1)
    }

    fn insert(&mut self, b: Block) -> u32 {
        let i = self.blocks.len() as u32;
        self.map.insert(b.key, i);
        self.by_page.entry(b.pages.0).or_default().push(i);
        if b.pages.1 != b.pages.0 {
            self.by_page.entry(b.pages.1).or_default().push(i);
        }
        self.blocks.push(b);
        i
    }

    /// Drops every block decoded from physical page `page`.
    fn invalidate_page(&mut self, page: u64) {
        let Some(list) = self.by_page.remove(&page) else {
            return;
        };
        for idx in list {
            let b = &mut self.blocks[idx as usize];
            if b.insns.is_empty() {
                continue;
            }
            b.insns = Vec::new();
            self.dead += 1;
            if self.map.get(&b.key) == Some(&idx) {
                self.map.remove(&b.key);
            }
            let slot = Self::fast_slot(b.key.0);
            if self.fast[slot].0 == b.key.0 && self.fast[slot].2 == idx {
                self.fast[slot] = NO_FAST;
            }
        }
    }
}

/// A Cortex-A15 core with its memory.
pub struct Cpu {
    pub s: CpuState,
    pub cfg: CpuConfig,
    pub ram: Ram,
    pub bus: Box<dyn Bus>,
    /// Set by an instruction that wrote the PC or must end its block; the run loop then
    /// continues at `s.regs[15]`.
    pub branched: bool,
    /// Physical pages holding decoded code that stores have written since the last
    /// block boundary (their blocks are dropped there).
    pub(crate) dirty_pages: Vec<u64>,
    /// One byte per RAM page: non-zero if decoded blocks were fetched from it.
    pub(crate) code_pages: Vec<u8>,
    cache: BlockCache,
    /// Instructions executed (including those whose condition failed).
    pub insn_count: u64,
    /// Physical interrupt inputs, sampled at block boundaries.
    pub irq_line: bool,
    pub fiq_line: bool,
    /// Virtual interrupt inputs from the GIC's virtual CPU interface (GICV), sampled at
    /// block boundaries; with HCR.IMO/FMO they are taken by Non-secure PL0/PL1 as IRQ/FIQ
    /// (together with HCR.VI/VF, Arm ARM B1.8.11 "Virtual exceptions").
    pub virq_line: bool,
    pub vfiq_line: bool,
    /// Something outside the core may have changed its interrupt outputs (a device
    /// access, a generic-timer register write): `run` returns at the end of the block
    /// so that the board samples the lines again before the next interrupt check.
    pub io_event: bool,
    /// The soft TLB and MMU bookkeeping (CPU core II).
    pub mmu: crate::mmu::Mmu,
    /// Set by the board while the interrupt the GIC presents to the core is the virtual
    /// interface's maintenance interrupt, so that the HSR path can class it.
    pub maintenance_irq: bool,
    /// Statistics of the HSR path (hyp_stats.rs).
    pub hyp_stats: crate::hyp_stats::HypStats,
    /// The block being executed (`NO_BLOCK` between blocks): lets slow paths find how
    /// many instructions of it have run (`exact_insn_count`) without per-instruction
    /// bookkeeping.
    cur_block: u32,
}

const NO_BLOCK: u32 = u32::MAX;

impl Cpu {
    pub fn new(cfg: CpuConfig, ram: Ram) -> Cpu {
        Cpu {
            s: CpuState::new(),
            cfg,
            ram,
            bus: Box::new(EmptyBus),
            branched: false,
            dirty_pages: Vec::new(),
            code_pages: Vec::new(),
            cache: BlockCache::new(),
            insn_count: 0,
            irq_line: false,
            fiq_line: false,
            virq_line: false,
            vfiq_line: false,
            io_event: false,
            mmu: crate::mmu::Mmu::new(),
            maintenance_irq: false,
            hyp_stats: crate::hyp_stats::HypStats::new(),
            cur_block: NO_BLOCK,
        }
    }

    /// Resets the core to `entry` in `mode` (A/I/F masked), ARM or Thumb state by bit 0.
    ///
    /// `Mode::Hyp` is how a boot loader enters a kernel on a real A15 board: Non-secure
    /// PL2, with the firmware having set SCR.NS and SCR.HCE (HVC enabled). Other modes
    /// start in Secure state (SCR = 0), as the core comes out of reset.
    pub fn reset(&mut self, entry: u32, mode: Mode) {
        self.s = CpuState::new();
        if mode == Mode::Hyp {
            self.s.scr = crate::state::scr::NS | crate::state::scr::HCE;
        }
        self.s.switch_mode(mode);
        self.s.thumb = entry & 1;
        self.s.regs[15] = entry & !1;
        self.mmu.tlb.flush_all();
        self.mmu.tlb_hyp.flush_all();
        self.flush_code();
        self.note_context();
    }

    /// Drops every decoded block (after code was overwritten, or the decode context
    /// changed).
    pub fn flush_code(&mut self) {
        self.cache.clear();
        self.clear_code_pages();
        self.dirty_pages.clear();
    }

    /// Drops the blocks of pages written since the last block boundary.
    fn invalidate_dirty(&mut self) {
        while let Some(page) = self.dirty_pages.pop() {
            self.cache.invalidate_page(page);
            self.unmark_code_page(page);
        }
        // Reclaim the arena once it is mostly dead slots.
        if self.cache.dead > 4096 && self.cache.dead * 2 > self.cache.blocks.len() {
            self.flush_code();
        }
    }

    // ---- helpers for exec routines -------------------------------------------------

    /// Reads R0-R15 (R15 reads as the instruction's address + 8 or + 4).
    #[inline(always)]
    pub fn reg(&self, n: u8) -> u32 {
        self.s.regs[n as usize & 15]
    }

    /// Writes R0-R14; writing R15 here is a plain branch (BranchWritePC).
    #[inline(always)]
    pub fn set_reg(&mut self, n: u8, v: u32) {
        if n == 15 {
            self.branch_write_pc(v);
        } else {
            self.s.regs[n as usize & 15] = v;
        }
    }

    /// BranchWritePC (Arm ARM A2.3.1): a branch that stays in the current state.
    #[inline]
    pub fn branch_write_pc(&mut self, addr: u32) {
        self.s.regs[15] = if self.s.is_thumb() {
            addr & !1
        } else {
            addr & !3
        };
        self.branched = true;
    }

    /// BXWritePC: an interworking branch, bit 0 selects Thumb.
    #[inline]
    pub fn bx_write_pc(&mut self, addr: u32) {
        if addr & 1 != 0 {
            self.s.thumb = 1;
            self.s.regs[15] = addr & !1;
        } else {
            self.s.thumb = 0;
            // addr[1] set in ARM state is UNPREDICTABLE; the A15 and QEMU clear it.
            self.s.regs[15] = addr & !3;
        }
        self.branched = true;
    }

    /// LoadWritePC: loads to the PC interwork in ARMv7.
    #[inline]
    pub fn load_write_pc(&mut self, addr: u32) {
        self.bx_write_pc(addr);
    }

    /// ALUWritePC: data-processing results written to the PC interwork in ARM state and
    /// branch in Thumb state.
    #[inline]
    pub fn alu_write_pc(&mut self, addr: u32) {
        if self.s.is_thumb() {
            self.branch_write_pc(addr);
        } else {
            self.bx_write_pc(addr);
        }
    }

    /// Ends the current block after this instruction (state changed in a way the
    /// decoded instructions that follow may depend on).
    #[inline]
    pub fn end_block(&mut self) {
        if !self.branched {
            self.s.regs[15] = self.s.next_pc;
            self.branched = true;
        }
    }

    /// CPSRWriteByInstr (Arm ARM B1.3.3) for MSR and CPS: `mask` holds the byte-mask
    /// bits already expanded to a bit mask. Applies the privilege rules.
    pub fn write_cpsr_by_instr(&mut self, value: u32, mask: u32) {
        let privileged = self.s.is_privileged();
        let mut m = mask & (psr::N | psr::Z | psr::C | psr::V | psr::Q | psr::GE_MASK | psr::E);
        if privileged {
            m |= mask & (psr::A | psr::I | psr::F | psr::M_MASK);
            if let Some(new) = Mode::from_bits(value) {
                // Entering Hyp mode or Monitor mode by MSR is UNPREDICTABLE; leaving
                // Hyp mode by MSR is not allowed (Arm ARM B9.1.2). Ignore such mode
                // changes, as QEMU does.
                let cur = self.s.mode();
                let illegal = (new == Mode::Hyp) != (cur == Mode::Hyp) || new == Mode::Mon;
                if mask & psr::M_MASK != 0 && illegal {
                    m &= !psr::M_MASK;
                }
            } else {
                m &= !psr::M_MASK;
            }
        }
        self.s.write_cpsr(value, m);
        if m & (psr::M_MASK | psr::E | psr::A | psr::I | psr::F) != 0 {
            self.end_block();
        }
        if m & psr::M_MASK != 0 {
            self.note_context();
        }
    }

    /// Instructions executed so far including the current one when called from inside
    /// a block (`insn_count` is only brought up to date at block ends). For slow paths
    /// only: it searches the current block for `s.cur_pc`.
    pub fn exact_insn_count(&self) -> u64 {
        if self.cur_block == NO_BLOCK {
            return self.insn_count;
        }
        let Some(b) = self.cache.blocks.get(self.cur_block as usize) else {
            return self.insn_count;
        };
        // From the end: the trapping instruction usually ends its block.
        match b.insns.iter().rposition(|i| i.addr == self.s.cur_pc) {
            Some(p) => self.insn_count + p as u64 + 1,
            None => self.insn_count,
        }
    }

    // ---- the run loop --------------------------------------------------------------

    fn block_key(&self) -> u64 {
        self.s.regs[15] as u64
            | ((self.s.thumb as u64) << 32)
            | ((self.s.itstate as u64) << 33)
            // The mode: User mode decodes differently (privilege checks), and Hyp mode
            // translates through the PL2 regime. (All of CPSR.M: cheaper than deriving
            // the two facts; PL1 modes rarely share code.)
            | (((self.s.cpsr_ctrl & psr::M_MASK) as u64) << 41)
    }

    /// Decodes a block at the current PC.
    fn build_block(&mut self, max: usize) -> Result<Block, Exception> {
        let mut insns = Vec::with_capacity(16);
        let mut pc = self.s.regs[15];
        let thumb = self.s.is_thumb();
        let mut itstate = self.s.itstate;
        let page = pc >> 12;
        // Physical page of the block's first fetch (blocks are dropped by physical page).
        let mut first_ppage = None;
        while insns.len() < max {
            let mut insn = if thumb {
                let hw1 = match self.fetch_u16(pc) {
                    Ok(v) => v,
                    Err(e) if insns.is_empty() => return Err(e),
                    Err(_) => break,
                };
                first_ppage.get_or_insert(self.mmu.last_fetch_ppage);
                let wide = decode::t32_is_wide(hw1);
                let hw2 = if wide {
                    match self.fetch_u16(pc.wrapping_add(2)) {
                        Ok(v) => v,
                        Err(e) if insns.is_empty() => {
                            // The second halfword faults: report it at its own address
                            // but restart the whole instruction.
                            return Err(e);
                        }
                        Err(_) => break,
                    }
                } else {
                    0
                };
                let ctx = ItCtx::from_itstate(itstate);
                let mut insn = decode::decode_t32(hw1, hw2, ctx);
                if ctx.in_it {
                    insn.flags |= flags::IN_IT;
                    // Inside an IT block the condition comes from ITSTATE, except for
                    // BKPT, which is unconditional (Arm ARM A8.8.24).
                    if hw1 & 0xff00 != 0xbe00 || wide {
                        insn.cond = (itstate >> 4) as u8;
                    }
                    itstate = crate::state::it_advanced(itstate);
                } else if insn.has(flags::IT) {
                    itstate = insn.imm & 0xff;
                }
                insn
            } else {
                let word = match self.fetch_u32(pc) {
                    Ok(v) => v,
                    Err(e) if insns.is_empty() => return Err(e),
                    Err(_) => break,
                };
                first_ppage.get_or_insert(self.mmu.last_fetch_ppage);
                decode::decode_a32(word)
            };
            insn.addr = pc;
            let len = insn.len as u32;
            let ends = insn.has(flags::ENDS_BLOCK) || insn.is_undefined();
            insns.push(insn);
            pc = pc.wrapping_add(len);
            if ends || pc >> 12 != page {
                break;
            }
            // A Thumb instruction straddling the page end starts the next block.
            if thumb && pc & 0xffe == 0xffe {
                break;
            }
        }
        let first = first_ppage.unwrap_or(0);
        Ok(Block {
            // The lookup sets the physical half of the key.
            key: (self.block_key(), u64::MAX),
            insns,
            pages: (first, self.mmu.last_fetch_ppage),
        })
    }

    /// Finds or builds the block at the PC; returns its index.
    ///
    /// Blocks are keyed by the virtual PC and decode state together with the physical
    /// address the PC translates to now, so that TLB maintenance and context switches
    /// never drop decoded code: a block is found again only while the same physical
    /// code sits at the same virtual address, and its page is re-checked for execute
    /// permission on every lookup.
    fn lookup_block(&mut self) -> Result<u32, Exception> {
        let vkey = self.block_key();
        let generation = self.mmu.generation;
        let slot = BlockCache::fast_slot(vkey);
        let (k, g, idx) = self.cache.fast[slot];
        // Same PC and state, and no translation change since: same physical code, still
        // executable (what a TLB may cache until maintenance).
        if k == vkey && g == generation {
            return Ok(idx);
        }
        let pa = self.translate_fetch(self.s.regs[15])?;
        let key = (vkey, pa);
        let idx = match self.cache.map.get(&key) {
            Some(&i) => i,
            None => {
                let mut b = self.build_block(MAX_BLOCK)?;
                b.key = key;
                if b.pages.0 != b.pages.1 {
                    // A lone instruction straddling two pages: its second page's
                    // translation isn't part of the key, so the block is used once.
                    let i = self.cache.blocks.len() as u32;
                    self.cache.blocks.push(b);
                    self.cache.dead += 1;
                    return Ok(i);
                }
                self.cache.insert(b)
            }
        };
        self.cache.fast[slot] = (vkey, generation, idx);
        Ok(idx)
    }

    /// Executes one decoded instruction; `Some` when the run loop must return.
    #[inline(always)]
    fn exec_insn(&mut self, insn: &Insn, pc_offset: u32) -> Option<StopReason> {
        self.s.cur_pc = insn.addr;
        self.s.next_pc = insn.addr.wrapping_add(insn.len as u32);
        self.s.regs[15] = insn.addr.wrapping_add(pc_offset);
        let mut stop = None;
        let mut exception = false;
        if insn.cond == 0xe || self.s.cond_passed(insn.cond as u32) {
            if let Err(e) = (insn.exec)(self, insn) {
                match e {
                    Exception::Semihosting => {
                        self.s.regs[15] = self.s.next_pc;
                        stop = Some(StopReason::Semihosting);
                    }
                    Exception::Wfi => {
                        self.s.regs[15] = self.s.next_pc;
                        self.hyp_stats.host_time_stale();
                        stop = Some(StopReason::Wfi);
                    }
                    Exception::Smc if self.cfg.firmware_smc => {
                        self.s.regs[15] = self.s.next_pc;
                        stop = Some(StopReason::Smc);
                    }
                    e => {
                        exception = true;
                        self.take_exception(e);
                    }
                }
                self.branched = true;
            }
        }
        if insn.flags & (flags::IN_IT | flags::IT) != 0 && !exception {
            if insn.flags & flags::IT != 0 {
                self.s.itstate = insn.imm & 0xff;
            } else {
                self.s.it_advance();
            }
        }
        stop
    }

    /// Runs at most about `budget` instructions (whole blocks).
    pub fn run(&mut self, budget: u64) -> StopReason {
        let end = self.insn_count.saturating_add(budget);
        while self.insn_count < end {
            if self.interrupt_inputs_active() && self.check_interrupts() {
                self.branched = false;
            }
            let idx = match self.lookup_block() {
                Ok(i) => i,
                Err(e) => {
                    self.fetch_abort(e);
                    continue;
                }
            };
            // SAFETY: blocks are only dropped by `flush_code`, which runs between
            // blocks (below), never while this slice is in use.
            self.cur_block = idx;
            let insns: *const [Insn] = &*self.cache.blocks[idx as usize].insns;
            let insns = unsafe { &*insns };
            let pc_offset = if self.s.is_thumb() { 4 } else { 8 };
            let mut stop = None;
            let mut executed = 0;
            for insn in insns {
                executed += 1;
                stop = self.exec_insn(insn, pc_offset);
                if self.branched {
                    break;
                }
            }
            self.insn_count += executed;
            self.cur_block = NO_BLOCK;
            if self.branched {
                self.branched = false;
            } else {
                self.s.regs[15] = self.s.next_pc;
            }
            if !self.dirty_pages.is_empty() {
                self.invalidate_dirty();
            }
            if let Some(r) = stop {
                return r;
            }
            if self.io_event {
                self.io_event = false;
                return StopReason::Budget;
            }
        }
        StopReason::Budget
    }

    fn fetch_abort(&mut self, e: Exception) {
        // Counted like an instruction, so that a core stuck in a loop of prefetch aborts
        // still uses up its budget.
        self.insn_count += 1;
        self.s.cur_pc = self.s.regs[15];
        self.s.next_pc = self.s.regs[15];
        self.take_exception(e);
        self.branched = false;
    }

    /// Executes exactly one instruction, decoding it afresh (tests, single-stepping).
    pub fn step(&mut self) -> Option<StopReason> {
        match self.build_block(1) {
            Ok(b) => {
                let insn = b.insns[0];
                let pc_offset = if self.s.is_thumb() { 4 } else { 8 };
                self.insn_count += 1;
                let stop = self.exec_insn(&insn, pc_offset);
                if self.branched {
                    self.branched = false;
                } else {
                    self.s.regs[15] = self.s.next_pc;
                }
                if !self.dirty_pages.is_empty() {
                    self.invalidate_dirty();
                }
                stop
            }
            Err(e) => {
                self.fetch_abort(e);
                None
            }
        }
    }
}
