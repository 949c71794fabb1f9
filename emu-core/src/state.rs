//! Architectural state of one Cortex-A15 core, at fixed offsets (`#[repr(C)]`) so that
//! translated code can address every field from one host register (ARCHITECTURE.md,
//! decision 2).
//!
//! The current mode's R0-R15 live in `regs`; the other modes' copies live in the bank
//! arrays and are swapped in by [`CpuState::switch_mode`]. N, Z, C, V, Q, GE, IT and T
//! are kept apart from the rest of the CPSR because they change far more often.

/// Processor modes (CPSR.M, Arm ARM B1.3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Mode {
    Usr = 0x10,
    Fiq = 0x11,
    Irq = 0x12,
    Svc = 0x13,
    Mon = 0x16,
    Abt = 0x17,
    Hyp = 0x1a,
    Und = 0x1b,
    Sys = 0x1f,
}

impl Mode {
    /// Decodes CPSR.M; `None` for the reserved encodings.
    pub fn from_bits(m: u32) -> Option<Mode> {
        Some(match m & 0x1f {
            0x10 => Mode::Usr,
            0x11 => Mode::Fiq,
            0x12 => Mode::Irq,
            0x13 => Mode::Svc,
            0x16 => Mode::Mon,
            0x17 => Mode::Abt,
            0x1a => Mode::Hyp,
            0x1b => Mode::Und,
            0x1f => Mode::Sys,
            _ => return None,
        })
    }

    /// Index into the SP/SPSR bank arrays (User and System share bank 0).
    pub fn bank(self) -> usize {
        match self {
            Mode::Usr | Mode::Sys => 0,
            Mode::Fiq => 1,
            Mode::Irq => 2,
            Mode::Svc => 3,
            Mode::Abt => 4,
            Mode::Und => 5,
            Mode::Mon => 6,
            Mode::Hyp => 7,
        }
    }

    /// Index into the LR bank: Hyp mode uses the User mode LR (Arm ARM B9.2.1).
    pub fn lr_bank(self) -> usize {
        match self {
            Mode::Hyp => 0,
            m => m.bank(),
        }
    }

    pub fn is_privileged(self) -> bool {
        self != Mode::Usr
    }

    pub fn name(self) -> &'static str {
        match self {
            Mode::Usr => "usr",
            Mode::Fiq => "fiq",
            Mode::Irq => "irq",
            Mode::Svc => "svc",
            Mode::Mon => "mon",
            Mode::Abt => "abt",
            Mode::Hyp => "hyp",
            Mode::Und => "und",
            Mode::Sys => "sys",
        }
    }
}

/// CPSR bit positions (Arm ARM B1.3.3).
pub mod psr {
    pub const N: u32 = 1 << 31;
    pub const Z: u32 = 1 << 30;
    pub const C: u32 = 1 << 29;
    pub const V: u32 = 1 << 28;
    pub const Q: u32 = 1 << 27;
    pub const J: u32 = 1 << 24;
    pub const GE_SHIFT: u32 = 16;
    pub const GE_MASK: u32 = 0xf << 16;
    pub const E: u32 = 1 << 9;
    pub const A: u32 = 1 << 8;
    pub const I: u32 = 1 << 7;
    pub const F: u32 = 1 << 6;
    pub const T: u32 = 1 << 5;
    pub const M_MASK: u32 = 0x1f;
    /// IT[1:0] live in CPSR[26:25], IT[7:2] in CPSR[15:10].
    pub const IT_MASK: u32 = (0x3 << 25) | (0x3f << 10);
    /// The bits held in `CpuState::cpsr_ctrl`.
    pub const CTRL_MASK: u32 = J | E | A | I | F | M_MASK;
}

/// ITAdvance on an ITSTATE value (Arm ARM A2.5.2): the state after one more
/// instruction of the IT block.
#[inline]
pub fn it_advanced(it: u32) -> u32 {
    if it & 0x7 == 0 {
        0
    } else {
        (it & 0xe0) | ((it << 1) & 0x1f)
    }
}

/// Number of SP/SPSR banks (see [`Mode::bank`]).
pub const NUM_BANKS: usize = 8;

/// The state of one core. Field order is part of the JIT ABI: append, don't reorder.
#[repr(C)]
#[derive(Clone, Debug)]
pub struct CpuState {
    /// R0-R15 of the current mode. While an instruction executes, `regs[15]` holds the
    /// value a read of the PC returns: the instruction's address + 8 (A32) or + 4 (T32).
    pub regs: [u32; 16],
    /// Condition flags, each 0 or 1.
    pub nf: u32,
    pub zf: u32,
    pub cf: u32,
    pub vf: u32,
    /// Sticky saturation flag, 0 or 1.
    pub qf: u32,
    /// GE[3:0].
    pub ge: u32,
    /// ITSTATE (IT[7:0]); 0 outside an IT block.
    pub itstate: u32,
    /// CPSR.T, 0 or 1.
    pub thumb: u32,
    /// The rest of the CPSR: M[4:0], F, I, A, E, J (see `psr::CTRL_MASK`).
    pub cpsr_ctrl: u32,
    /// SPSR of the current mode (meaningless in User/System mode).
    pub spsr: u32,
    /// R8-R12 of every mode but FIQ, while FIQ mode is current (or the live copy
    /// otherwise is in `regs`).
    pub usr_r8_r12: [u32; 5],
    /// R8-R12 of FIQ mode, while another mode is current.
    pub fiq_r8_r12: [u32; 5],
    /// Banked SP, LR and SPSR per bank (the current mode's entries are stale; the live
    /// values are in `regs[13]`, `regs[14]` and `spsr`).
    pub banked_sp: [u32; NUM_BANKS],
    pub banked_lr: [u32; NUM_BANKS],
    pub banked_spsr: [u32; NUM_BANKS],
    /// ELR_hyp.
    pub elr_hyp: u32,
    /// Address of the instruction being executed.
    pub cur_pc: u32,
    /// Address of the next instruction in sequence (cur_pc + 2 or + 4).
    pub next_pc: u32,
    /// Local exclusive monitor (Arm ARM A3.4.1): `excl_valid` is 1 in the Exclusive
    /// state, for the physical address `excl_addr`.
    pub excl_valid: u32,
    pub excl_addr: u32,
    // --- CP15 state that the core itself consults (more joins in CPU core II) ---
    pub sctlr: u32,
    pub vbar: u32,
    pub tpidrurw: u32,
    pub tpidruro: u32,
    pub tpidrprw: u32,
    pub contextidr: u32,
    pub cpacr: u32,
    pub dfsr: u32,
    pub dfar: u32,
    pub ifsr: u32,
    pub ifar: u32,
    // --- VFP (CPU core II) ---
    /// D0-D31; S(2n) is the low and S(2n+1) the high half of D(n).
    pub vfp_d: [u64; 32],
    /// FPSCR (only the bits the A15 implements are ever set).
    pub fpscr: u32,
    /// FPEXC (only EN, bit 30, is implemented).
    pub fpexc: u32,
    // --- system registers, PMU, timer (CPU core II) ---
    /// CSSELR (Level, InD): selects the cache CCSIDR describes.
    pub csselr: u32,
    /// PMU (pmu.rs): PMCR's writable bits (E, D, X, DP), PMCNTENSET/CLR, PMOVSR,
    /// PMINTENSET/CLR, PMSELR, PMUSERENR, PMCCFILTR, the event types and counters.
    pub pmcr: u32,
    pub pmcnten: u32,
    pub pmovsr: u32,
    pub pminten: u32,
    pub pmselr: u32,
    pub pmuserenr: u32,
    pub pmccfiltr: u32,
    pub pmccntr: u32,
    /// Cycles not yet counted by PMCCNTR while PMCR.D divides by 64.
    pub pmccntr_frac: u32,
    pub pmevtyper: [u32; 6],
    pub pmevcntr: [u32; 6],
    /// The cycle source (`Cpu::insn_count`) when the counters were last brought up to date.
    pub pmu_last: u64,
    /// Generic timer (timer.rs): CNTFRQ, CNTKCTL, CNTP_CTL/CNTV_CTL (ENABLE, IMASK; ISTATUS
    /// is computed on reads), CNTP_CVAL/CNTV_CVAL.
    pub cntfrq: u32,
    pub cntkctl: u32,
    pub cntp_ctl: u32,
    pub cntv_ctl: u32,
    pub cntp_cval: u64,
    pub cntv_cval: u64,
    /// CP14 debug (debug.rs): DBGDSCR, DBGOSLSR.OSLK, DBGPRCR, the claim tags, the
    /// breakpoint and watchpoint registers (stored; no debug events are generated).
    pub dbgdscr: u32,
    pub dbgoslk: u32,
    pub dbgprcr: u32,
    pub dbgclaim: u32,
    pub dbgbvr: [u32; 6],
    pub dbgbcr: [u32; 6],
    pub dbgwvr: [u32; 4],
    pub dbgwcr: [u32; 4],
    /// ThumbEE (thumbee.rs): TEECR.XED and TEEHBR.
    pub teecr: u32,
    pub teehbr: u32,
    // --- MMU (CPU core II) ---
    /// TTBR0/TTBR1 (64-bit: the short format uses bits [31:0]).
    pub ttbr0: u64,
    pub ttbr1: u64,
    pub ttbcr: u32,
    pub dacr: u32,
    /// PRRR, which is MAIR0 when TTBCR.EAE = 1 (one register, two views).
    pub prrr: u32,
    /// NMRR, which is MAIR1 when TTBCR.EAE = 1.
    pub nmrr: u32,
    /// PAR (64-bit; the 32-bit format uses bits [31:0]).
    pub par: u64,
    // --- Virtualization Extensions (Hyp mode; hyp_regs.rs, exception.rs, Arm ARM B1.5,
    // B4.1). ELR_hyp is `elr_hyp` above; SPSR_hyp and SP_hyp are bank 7 of the SP/SPSR
    // banks. ---
    /// SCR (Security Extensions; Arm ARM B4.1.129): NS and HCE are what the core reads.
    pub scr: u32,
    pub hcr: u32,
    pub hsr: u32,
    pub hdfar: u32,
    pub hifar: u32,
    pub hpfar: u32,
    pub hsctlr: u32,
    pub hactlr: u32,
    pub hvbar: u32,
    pub hstr: u32,
    pub hcptr: u32,
    pub hdcr: u32,
    pub hacr: u32,
    pub hamair0: u32,
    pub hamair1: u32,
    pub hmair0: u32,
    pub hmair1: u32,
    pub htcr: u32,
    pub vtcr: u32,
    pub vpidr: u32,
    pub vmpidr: u32,
    pub htpidr: u32,
    pub cnthctl: u32,
    pub cnthp_ctl: u32,
    pub httbr: u64,
    pub vttbr: u64,
    pub cntvoff: u64,
    pub cnthp_cval: u64,
}

/// SCR bits the core reads (Arm ARM B4.1.129).
pub mod scr {
    pub const NS: u32 = 1 << 0;
    pub const IRQ: u32 = 1 << 1;
    pub const FIQ: u32 = 1 << 2;
    pub const EA: u32 = 1 << 3;
    pub const HCE: u32 = 1 << 8;
    /// The bits an ARMv7 SCR has.
    pub const MASK: u32 = 0x3ff;
}

/// HSCTLR at reset: its RES1 bits (Arm ARM B4.1.66), M/C/I/A/EE/TE clear.
pub const HSCTLR_RESET: u32 = 0x30c5_0818;

/// SCTLR bits the core reads (Arm ARM B4.1.130).
pub mod sctlr {
    pub const M: u32 = 1 << 0;
    pub const A: u32 = 1 << 1;
    pub const C: u32 = 1 << 2;
    pub const Z: u32 = 1 << 11;
    pub const I: u32 = 1 << 12;
    pub const V: u32 = 1 << 13;
    pub const EE: u32 = 1 << 25;
    pub const TE: u32 = 1 << 30;
    /// Reset value of a Cortex-A15 (TRM 4.3.27): RES1 bits 23, 22, 18, 16, 6, 5, 4, 3.
    pub const RESET: u32 = 0x00c5_0078;
}

impl Default for CpuState {
    fn default() -> Self {
        Self::new()
    }
}

impl CpuState {
    /// The reset state: SVC mode, A/I/F masked, ARM state (Arm ARM B1.9.10).
    pub fn new() -> CpuState {
        CpuState {
            regs: [0; 16],
            nf: 0,
            zf: 0,
            cf: 0,
            vf: 0,
            qf: 0,
            ge: 0,
            itstate: 0,
            thumb: 0,
            cpsr_ctrl: Mode::Svc as u32 | psr::A | psr::I | psr::F,
            spsr: 0,
            usr_r8_r12: [0; 5],
            fiq_r8_r12: [0; 5],
            banked_sp: [0; NUM_BANKS],
            banked_lr: [0; NUM_BANKS],
            banked_spsr: [0; NUM_BANKS],
            elr_hyp: 0,
            cur_pc: 0,
            next_pc: 0,
            excl_valid: 0,
            excl_addr: 0,
            sctlr: sctlr::RESET,
            vbar: 0,
            tpidrurw: 0,
            tpidruro: 0,
            tpidrprw: 0,
            contextidr: 0,
            cpacr: 0,
            dfsr: 0,
            dfar: 0,
            ifsr: 0,
            ifar: 0,
            vfp_d: [0; 32],
            fpscr: 0,
            fpexc: 0,
            csselr: 0,
            pmcr: 0,
            pmcnten: 0,
            pmovsr: 0,
            pminten: 0,
            pmselr: 0,
            pmuserenr: 0,
            pmccfiltr: 0,
            pmccntr: 0,
            pmccntr_frac: 0,
            pmevtyper: [0; 6],
            pmevcntr: [0; 6],
            pmu_last: 0,
            cntfrq: crate::timer::CNTFRQ_RESET,
            cntkctl: 0,
            cntp_ctl: 0,
            cntv_ctl: 0,
            cntp_cval: 0,
            cntv_cval: 0,
            dbgdscr: 0,
            dbgoslk: 1,
            dbgprcr: 0,
            dbgclaim: 0,
            dbgbvr: [0; 6],
            dbgbcr: [0; 6],
            dbgwvr: [0; 4],
            dbgwcr: [0; 4],
            teecr: 0,
            teehbr: 0,
            ttbr0: 0,
            ttbr1: 0,
            ttbcr: 0,
            dacr: 0,
            prrr: 0,
            nmrr: 0,
            par: 0,
            scr: 0,
            hcr: 0,
            hsr: 0,
            hdfar: 0,
            hifar: 0,
            hpfar: 0,
            hsctlr: HSCTLR_RESET,
            hactlr: 0,
            hvbar: 0,
            hstr: 0,
            hcptr: crate::hyp_regs::HCPTR_RES1,
            // HDCR.HPMN resets to the number of event counters (Arm ARM B4.1.63).
            hdcr: 6,
            hacr: 0,
            hamair0: 0,
            hamair1: 0,
            hmair0: 0,
            hmair1: 0,
            htcr: 0,
            vtcr: 0,
            vpidr: crate::sysreg::MIDR_A15,
            vmpidr: crate::sysreg::MPIDR_CPU0,
            htpidr: 0,
            // PL1 access to the physical counter and timer enabled: what a core without
            // Hyp software sees (Arm ARM B4.1.26).
            cnthctl: 3,
            cnthp_ctl: 0,
            httbr: 0,
            vttbr: 0,
            cntvoff: 0,
            cnthp_cval: 0,
        }
    }

    /// The current mode. The mode bits only ever hold valid encodings: every writer
    /// goes through [`CpuState::write_cpsr`] or [`CpuState::switch_mode`].
    #[inline]
    pub fn mode(&self) -> Mode {
        Mode::from_bits(self.cpsr_ctrl).unwrap_or(Mode::Svc)
    }

    #[inline]
    pub fn is_privileged(&self) -> bool {
        self.cpsr_ctrl & psr::M_MASK != Mode::Usr as u32
    }

    /// In Hyp mode (PL2).
    #[inline(always)]
    pub fn in_hyp(&self) -> bool {
        self.cpsr_ctrl & psr::M_MASK == Mode::Hyp as u32
    }

    /// In Secure state: SCR.NS = 0 outside Hyp mode, or Monitor mode (Arm ARM B1.5.1,
    /// IsSecure()).
    #[inline]
    pub fn is_secure(&self) -> bool {
        let m = self.cpsr_ctrl & psr::M_MASK;
        m == Mode::Mon as u32 || (self.scr & scr::NS == 0 && m != Mode::Hyp as u32)
    }

    /// At Non-secure PL1 or PL0 (the levels the Hyp controls govern).
    #[inline]
    pub fn is_ns_below_hyp(&self) -> bool {
        self.scr & scr::NS != 0 && !self.in_hyp() && self.mode() != Mode::Mon
    }

    #[inline]
    pub fn is_thumb(&self) -> bool {
        self.thumb != 0
    }

    /// Big-endian data accesses (CPSR.E).
    #[inline]
    pub fn big_endian(&self) -> bool {
        self.cpsr_ctrl & psr::E != 0
    }

    /// The architectural PC (the address of the current instruction).
    pub fn pc(&self) -> u32 {
        self.cur_pc
    }

    /// Assembles the CPSR from its pieces.
    pub fn cpsr(&self) -> u32 {
        (self.nf << 31)
            | (self.zf << 30)
            | (self.cf << 29)
            | (self.vf << 28)
            | (self.qf << 27)
            | ((self.itstate & 3) << 25)
            | ((self.ge & 0xf) << 16)
            | (((self.itstate >> 2) & 0x3f) << 10)
            | (self.thumb << 5)
            | self.cpsr_ctrl
    }

    /// Sets N, Z, C, V from bits 31:28 of `v`.
    #[inline]
    pub fn set_nzcv(&mut self, v: u32) {
        self.nf = (v >> 31) & 1;
        self.zf = (v >> 30) & 1;
        self.cf = (v >> 29) & 1;
        self.vf = (v >> 28) & 1;
    }

    /// N, Z, C, V in bits 31:28.
    #[inline]
    pub fn nzcv(&self) -> u32 {
        (self.nf << 31) | (self.zf << 30) | (self.cf << 29) | (self.vf << 28)
    }

    /// Writes the CPSR bits selected by `mask` without any permission checks (the
    /// caller applies the Arm ARM's CPSRWriteByInstr rules). An invalid mode encoding
    /// leaves the mode unchanged (the A15 treats it as UNPREDICTABLE; QEMU ignores it).
    pub fn write_cpsr(&mut self, value: u32, mask: u32) {
        if mask & psr::N != 0 {
            self.nf = (value >> 31) & 1;
        }
        if mask & psr::Z != 0 {
            self.zf = (value >> 30) & 1;
        }
        if mask & psr::C != 0 {
            self.cf = (value >> 29) & 1;
        }
        if mask & psr::V != 0 {
            self.vf = (value >> 28) & 1;
        }
        if mask & psr::Q != 0 {
            self.qf = (value >> 27) & 1;
        }
        if mask & psr::GE_MASK != 0 {
            let m = (mask >> 16) & 0xf;
            self.ge = (self.ge & !m) | ((value >> 16) & m);
        }
        if mask & psr::IT_MASK != 0 {
            let it = ((value >> 25) & 3) | (((value >> 10) & 0x3f) << 2);
            let itm = ((mask >> 25) & 3) | (((mask >> 10) & 0x3f) << 2);
            self.itstate = (self.itstate & !itm) | (it & itm);
        }
        if mask & psr::T != 0 {
            self.thumb = (value >> 5) & 1;
        }
        let ctrl_mask = mask & psr::CTRL_MASK & !psr::M_MASK;
        self.cpsr_ctrl = (self.cpsr_ctrl & !ctrl_mask) | (value & ctrl_mask);
        if mask & psr::M_MASK != 0 {
            if let Some(m) = Mode::from_bits(value) {
                self.switch_mode(m);
            }
        }
    }

    /// Changes mode, banking R8-R12 (FIQ), SP, LR and SPSR.
    pub fn switch_mode(&mut self, new: Mode) {
        let old = self.mode();
        if old == new {
            return;
        }
        // Save the outgoing mode's banked registers.
        self.banked_sp[old.bank()] = self.regs[13];
        self.banked_lr[old.lr_bank()] = self.regs[14];
        self.banked_spsr[old.bank()] = self.spsr;
        if old == Mode::Fiq {
            self.fiq_r8_r12.copy_from_slice(&self.regs[8..13]);
            self.regs[8..13].copy_from_slice(&self.usr_r8_r12);
        } else if new == Mode::Fiq {
            self.usr_r8_r12.copy_from_slice(&self.regs[8..13]);
            self.regs[8..13].copy_from_slice(&self.fiq_r8_r12);
        }
        self.regs[13] = self.banked_sp[new.bank()];
        self.regs[14] = self.banked_lr[new.lr_bank()];
        self.spsr = self.banked_spsr[new.bank()];
        self.cpsr_ctrl = (self.cpsr_ctrl & !psr::M_MASK) | new as u32;
    }

    /// Reads a register of another mode (for LDM/STM user-bank forms and banked MRS).
    /// `n` is 8..=14 for R8-R12, SP and LR.
    pub fn read_banked(&self, mode: Mode, n: usize) -> u32 {
        let cur = self.mode();
        match n {
            8..=12 => {
                let want_fiq = mode == Mode::Fiq;
                let cur_fiq = cur == Mode::Fiq;
                if want_fiq == cur_fiq {
                    self.regs[n]
                } else if want_fiq {
                    self.fiq_r8_r12[n - 8]
                } else {
                    self.usr_r8_r12[n - 8]
                }
            }
            13 => {
                if mode.bank() == cur.bank() {
                    self.regs[13]
                } else {
                    self.banked_sp[mode.bank()]
                }
            }
            14 => {
                if mode.lr_bank() == cur.lr_bank() {
                    self.regs[14]
                } else {
                    self.banked_lr[mode.lr_bank()]
                }
            }
            _ => self.regs[n & 15],
        }
    }

    /// Writes a register of another mode; see [`CpuState::read_banked`].
    pub fn write_banked(&mut self, mode: Mode, n: usize, v: u32) {
        let cur = self.mode();
        match n {
            8..=12 => {
                let want_fiq = mode == Mode::Fiq;
                let cur_fiq = cur == Mode::Fiq;
                if want_fiq == cur_fiq {
                    self.regs[n] = v;
                } else if want_fiq {
                    self.fiq_r8_r12[n - 8] = v;
                } else {
                    self.usr_r8_r12[n - 8] = v;
                }
            }
            13 => {
                if mode.bank() == cur.bank() {
                    self.regs[13] = v;
                } else {
                    self.banked_sp[mode.bank()] = v;
                }
            }
            14 => {
                if mode.lr_bank() == cur.lr_bank() {
                    self.regs[14] = v;
                } else {
                    self.banked_lr[mode.lr_bank()] = v;
                }
            }
            _ => self.regs[n & 15] = v,
        }
    }

    /// Reads the SPSR of `mode` (banked MRS).
    pub fn read_spsr_of(&self, mode: Mode) -> u32 {
        if mode.bank() == self.mode().bank() {
            self.spsr
        } else {
            self.banked_spsr[mode.bank()]
        }
    }

    /// Writes the SPSR of `mode` (banked MSR).
    pub fn write_spsr_of(&mut self, mode: Mode, v: u32) {
        if mode.bank() == self.mode().bank() {
            self.spsr = v;
        } else {
            self.banked_spsr[mode.bank()] = v;
        }
    }

    /// Advances ITSTATE after an instruction in an IT block (Arm ARM A2.5.2, ITAdvance).
    #[inline]
    pub fn it_advance(&mut self) {
        self.itstate = it_advanced(self.itstate);
    }

    /// Evaluates a condition code against the flags (Arm ARM A8.3, ConditionPassed).
    #[inline(always)]
    pub fn cond_passed(&self, cond: u32) -> bool {
        let r = match cond >> 1 {
            0 => self.zf != 0,
            1 => self.cf != 0,
            2 => self.nf != 0,
            3 => self.vf != 0,
            4 => self.cf != 0 && self.zf == 0,
            5 => self.nf == self.vf,
            6 => self.nf == self.vf && self.zf == 0,
            _ => return true,
        };
        if cond & 1 != 0 {
            !r
        } else {
            r
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpsr_round_trip() {
        let mut s = CpuState::new();
        let v = 0xf80f_0000 | (1 << 25) | (0x2a << 10) | psr::T | psr::E | Mode::Abt as u32;
        s.write_cpsr(v, 0xffff_ffff);
        assert_eq!(s.cpsr(), v);
        assert_eq!(s.mode(), Mode::Abt);
    }

    #[test]
    fn banking_keeps_each_modes_registers() {
        let mut s = CpuState::new();
        s.regs[13] = 0x100;
        s.regs[14] = 0x200;
        s.regs[8] = 8;
        s.switch_mode(Mode::Fiq);
        s.regs[13] = 0x300;
        s.regs[8] = 88;
        s.switch_mode(Mode::Irq);
        assert_eq!(s.regs[8], 8);
        s.regs[13] = 0x400;
        s.switch_mode(Mode::Svc);
        assert_eq!((s.regs[13], s.regs[14]), (0x100, 0x200));
        assert_eq!(s.read_banked(Mode::Fiq, 8), 88);
        assert_eq!(s.read_banked(Mode::Irq, 13), 0x400);
        assert_eq!(s.read_banked(Mode::Fiq, 13), 0x300);
    }

    #[test]
    fn invalid_mode_is_ignored() {
        let mut s = CpuState::new();
        s.write_cpsr(0x15, psr::M_MASK);
        assert_eq!(s.mode(), Mode::Svc);
    }

    #[test]
    fn conditions() {
        let mut s = CpuState::new();
        s.zf = 1;
        assert!(s.cond_passed(0x0));
        assert!(!s.cond_passed(0x1));
        assert!(s.cond_passed(0xe));
        s.nf = 1;
        assert!(s.cond_passed(0xb)); // LT: N != V
        assert!(!s.cond_passed(0xc)); // GT
    }

    #[test]
    fn it_advance_ends_block() {
        let mut s = CpuState::new();
        s.itstate = 0x08; // IT EQ, one instruction: mask 1000 -> after one, done
        s.it_advance();
        assert_eq!(s.itstate, 0);
    }
}
