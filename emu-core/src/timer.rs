//! The clock abstraction (ARCHITECTURE.md, decision 6) and the generic timer's registers
//! (Arm ARM B8): CNTFRQ, CNTKCTL, CNTPCT, CNTVCT, CNTP_TVAL/CTL/CVAL, CNTV_TVAL/CTL/CVAL.
//!
//! The system counter ticks at [`COUNTER_HZ`] (62.5 MHz, as QEMU's generic timer) and
//! reads one of two clocks, chosen by [`crate::CpuConfig::clock`]: host monotonic time
//! (default) or the number of instructions executed (one tick per instruction:
//! deterministic runs). The Virtualization Extensions add CNTVOFF (CNTVCT = CNTPCT -
//! CNTVOFF), CNTHCTL (PL1PCTEN/PL1PCEN clear: Non-secure PL1/PL0 accesses to CNTPCT and
//! the physical timer trap to Hyp mode, by the rules in hyp_traps.rs) and
//! the Hyp timer CNTHP_TVAL/CTL/CVAL. The timers' interrupt outputs (physical PPI 30,
//! virtual PPI 27, Hyp PPI 26) are [`Cpu::timer_irq_lines`]; the board schedules a
//! check at [`Cpu::timer_next_deadline`].

use std::sync::OnceLock;
use std::time::Instant;

use crate::cpu::Cpu;
use crate::hyp_regs::pl2_access;
use crate::sysreg::{cp15, Access, Behaviour, Behaviour64, CpReg64, SysReg, SysReg64};

/// The frequency the system counter runs at, and CNTFRQ's reset value.
pub const COUNTER_HZ: u64 = 62_500_000;
/// Host nanoseconds per counter tick.
pub const NS_PER_TICK: u64 = 1_000_000_000 / COUNTER_HZ;
/// CNTFRQ at reset (software may overwrite it: it only reports the frequency).
pub const CNTFRQ_RESET: u32 = COUNTER_HZ as u32;

/// CNTKCTL bits (ARMv7: bits 9:0 exist).
pub mod cntkctl {
    pub const PL0PCTEN: u32 = 1 << 0;
    pub const PL0VCTEN: u32 = 1 << 1;
    pub const PL0VTEN: u32 = 1 << 8;
    pub const PL0PTEN: u32 = 1 << 9;
    pub const MASK: u32 = 0x3ff;
}

/// CNTx_CTL bits.
pub mod ctl {
    pub const ENABLE: u32 = 1 << 0;
    pub const IMASK: u32 = 1 << 1;
    pub const ISTATUS: u32 = 1 << 2;
}

/// Where the system counter's time comes from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ClockSource {
    /// Host monotonic time (62.5 MHz ticks since the first use in this process).
    #[default]
    Host,
    /// One tick per executed instruction (`Cpu::insn_count`): deterministic.
    Instructions,
}

fn host_epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

impl ClockSource {
    /// The counter value for a core that has executed `insn_count` instructions.
    pub fn ticks(self, insn_count: u64) -> u64 {
        match self {
            ClockSource::Host => (host_epoch().elapsed().as_nanos() / NS_PER_TICK as u128) as u64,
            ClockSource::Instructions => insn_count,
        }
    }

    /// Nanoseconds of guest time (devices that count time rather than ticks).
    pub fn nanos(self, insn_count: u64) -> u64 {
        match self {
            ClockSource::Host => host_epoch().elapsed().as_nanos() as u64,
            ClockSource::Instructions => insn_count.wrapping_mul(NS_PER_TICK),
        }
    }
}

/// CNTHCTL bits (Arm ARM B4.1.26).
pub mod cnthctl {
    pub const PL1PCTEN: u32 = 1 << 0;
    pub const PL1PCEN: u32 = 1 << 1;
    /// EVNTEN, EVNTDIR, EVNTI (the event stream is not modelled: WFE is a NOP).
    pub const MASK: u32 = 0xff;
}

/// Which timer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Which {
    Phys,
    Virt,
    Hyp,
}

/// The generic timers' interrupt outputs (each high while its timer is enabled, not
/// masked and its condition holds).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimerLines {
    /// CNTP (the Non-secure physical timer; PPI 30).
    pub phys: bool,
    /// CNTV (PPI 27).
    pub virt: bool,
    /// CNTHP, the Hyp timer (PPI 26).
    pub hyp: bool,
    /// The Secure physical timer (PPI 29): not modelled, always low.
    pub sec_phys: bool,
}

impl Cpu {
    /// The physical count (CNTPCT).
    pub fn counter(&self) -> u64 {
        self.cfg.clock.ticks(self.insn_count)
    }

    /// The virtual count (CNTVCT = CNTPCT - CNTVOFF).
    pub fn virtual_counter(&self) -> u64 {
        self.counter().wrapping_sub(self.s.cntvoff)
    }

    fn timer(&self, w: Which) -> (u32, u64, u64) {
        match w {
            Which::Phys => (self.s.cntp_ctl, self.s.cntp_cval, self.counter()),
            Which::Virt => (self.s.cntv_ctl, self.s.cntv_cval, self.virtual_counter()),
            Which::Hyp => (self.s.cnthp_ctl, self.s.cnthp_cval, self.counter()),
        }
    }

    fn timer_istatus(&self, w: Which) -> bool {
        let (ctl, cval, count) = self.timer(w);
        ctl & ctl::ENABLE != 0 && count >= cval
    }

    /// The timers' interrupt outputs. Each is high while its timer is enabled, not
    /// masked, and its condition (count >= CVAL) holds.
    pub fn timer_irq_lines(&self) -> TimerLines {
        let line = |w| self.timer_istatus(w) && self.timer(w).0 & ctl::IMASK == 0;
        TimerLines {
            phys: line(Which::Phys),
            virt: line(Which::Virt),
            hyp: line(Which::Hyp),
            sec_phys: false,
        }
    }

    /// The next physical count at which an output line rises, if one will: the earliest
    /// CVAL of an enabled, unmasked timer whose condition does not hold yet.
    pub fn timer_next_deadline(&self) -> Option<u64> {
        [Which::Phys, Which::Virt, Which::Hyp]
            .into_iter()
            .filter_map(|w| {
                let (ctl, cval, count) = self.timer(w);
                if ctl & (ctl::ENABLE | ctl::IMASK) != ctl::ENABLE || count >= cval {
                    return None;
                }
                // Virtual CVAL to physical count: + CNTVOFF.
                Some(if w == Which::Virt {
                    cval.wrapping_add(self.s.cntvoff)
                } else {
                    cval
                })
            })
            .min()
    }
}

fn privileged(cpu: &Cpu) -> bool {
    cpu.s.is_privileged()
}

fn frq_access(cpu: &Cpu, write: bool) -> bool {
    privileged(cpu) || (!write && cpu.s.cntkctl & (cntkctl::PL0PCTEN | cntkctl::PL0VCTEN) != 0)
}

// CNTHCTL.PL1PCTEN / PL1PCEN are not access rules: a Non-secure PL0/PL1 access they
// disable is trapped to Hyp mode (EC 0x03/0x04) once the rules below allow it
// (hyp_traps.rs; Arm ARM B8.1.2: CNTKCTL's UNDEFINED at PL0 comes first).

fn pct_access(cpu: &Cpu, write: bool) -> bool {
    !write && (privileged(cpu) || cpu.s.cntkctl & cntkctl::PL0PCTEN != 0)
}

fn vct_access(cpu: &Cpu, write: bool) -> bool {
    !write && (privileged(cpu) || cpu.s.cntkctl & cntkctl::PL0VCTEN != 0)
}

fn ptimer_access(cpu: &Cpu, _: bool) -> bool {
    privileged(cpu) || cpu.s.cntkctl & cntkctl::PL0PTEN != 0
}

fn vtimer_access(cpu: &Cpu, _: bool) -> bool {
    privileged(cpu) || cpu.s.cntkctl & cntkctl::PL0VTEN != 0
}

fn ctl_read(cpu: &Cpu, w: Which) -> u32 {
    let (ctl, _, _) = cpu.timer(w);
    let istatus = if cpu.timer_istatus(w) {
        ctl::ISTATUS
    } else {
        0
    };
    (ctl & (ctl::ENABLE | ctl::IMASK)) | istatus
}

fn ctl_write(cpu: &mut Cpu, w: Which, v: u32) {
    let v = v & (ctl::ENABLE | ctl::IMASK);
    match w {
        Which::Phys => cpu.s.cntp_ctl = v,
        Which::Virt => cpu.s.cntv_ctl = v,
        Which::Hyp => cpu.s.cnthp_ctl = v,
    }
}

/// TVAL reads the signed 32-bit distance to CVAL.
fn tval_read(cpu: &Cpu, w: Which) -> u32 {
    let (_, cval, count) = cpu.timer(w);
    cval.wrapping_sub(count) as u32
}

/// TVAL writes set CVAL to the count plus the sign-extended value.
fn tval_write(cpu: &mut Cpu, w: Which, v: u32) {
    let (_, _, count) = cpu.timer(w);
    let cval = count.wrapping_add(v as i32 as i64 as u64);
    match w {
        Which::Phys => cpu.s.cntp_cval = cval,
        Which::Virt => cpu.s.cntv_cval = cval,
        Which::Hyp => cpu.s.cnthp_cval = cval,
    }
}

/// The 32-bit registers.
pub static TIMER_REGS: &[SysReg] = &[
    SysReg {
        name: "CNTFRQ",
        enc: cp15(0, 14, 0, 0),
        access: Access::Check(frq_access),
        behaviour: Behaviour::State(|s| &mut s.cntfrq, 0xffff_ffff),
    },
    SysReg {
        name: "CNTKCTL",
        enc: cp15(0, 14, 1, 0),
        access: Access::Pl1Rw,
        behaviour: Behaviour::State(|s| &mut s.cntkctl, cntkctl::MASK),
    },
    SysReg {
        name: "CNTP_TVAL",
        enc: cp15(0, 14, 2, 0),
        access: Access::Check(ptimer_access),
        behaviour: Behaviour::Custom {
            read: Some(|c| tval_read(c, Which::Phys)),
            write: Some(|c, v| tval_write(c, Which::Phys, v)),
        },
    },
    SysReg {
        name: "CNTP_CTL",
        enc: cp15(0, 14, 2, 1),
        access: Access::Check(ptimer_access),
        behaviour: Behaviour::Custom {
            read: Some(|c| ctl_read(c, Which::Phys)),
            write: Some(|c, v| ctl_write(c, Which::Phys, v)),
        },
    },
    SysReg {
        name: "CNTV_TVAL",
        enc: cp15(0, 14, 3, 0),
        access: Access::Check(vtimer_access),
        behaviour: Behaviour::Custom {
            read: Some(|c| tval_read(c, Which::Virt)),
            write: Some(|c, v| tval_write(c, Which::Virt, v)),
        },
    },
    SysReg {
        name: "CNTV_CTL",
        enc: cp15(0, 14, 3, 1),
        access: Access::Check(vtimer_access),
        behaviour: Behaviour::Custom {
            read: Some(|c| ctl_read(c, Which::Virt)),
            write: Some(|c, v| ctl_write(c, Which::Virt, v)),
        },
    },
    // PL2 registers (Virtualization Extensions).
    SysReg {
        name: "CNTHCTL",
        enc: cp15(4, 14, 1, 0),
        access: Access::Check(pl2_access),
        behaviour: Behaviour::State(|s| &mut s.cnthctl, cnthctl::MASK),
    },
    SysReg {
        name: "CNTHP_TVAL",
        enc: cp15(4, 14, 2, 0),
        access: Access::Check(pl2_access),
        behaviour: Behaviour::Custom {
            read: Some(|c| tval_read(c, Which::Hyp)),
            write: Some(|c, v| tval_write(c, Which::Hyp, v)),
        },
    },
    SysReg {
        name: "CNTHP_CTL",
        enc: cp15(4, 14, 2, 1),
        access: Access::Check(pl2_access),
        behaviour: Behaviour::Custom {
            read: Some(|c| ctl_read(c, Which::Hyp)),
            write: Some(|c, v| ctl_write(c, Which::Hyp, v)),
        },
    },
];

const fn cp15_64(opc1: u8, crm: u8) -> CpReg64 {
    CpReg64 { cp: 15, opc1, crm }
}

/// The 64-bit registers (MRRC/MCRR p15, opc1, c14).
pub static TIMER_REGS64: &[SysReg64] = &[
    SysReg64 {
        name: "CNTPCT",
        enc: cp15_64(0, 14),
        access: Access::Check(pct_access),
        behaviour: Behaviour64::Custom {
            read: Some(|c| c.counter()),
            write: None,
        },
    },
    SysReg64 {
        name: "CNTVCT",
        enc: cp15_64(1, 14),
        access: Access::Check(vct_access),
        behaviour: Behaviour64::Custom {
            read: Some(|c| c.virtual_counter()),
            write: None,
        },
    },
    SysReg64 {
        name: "CNTP_CVAL",
        enc: cp15_64(2, 14),
        access: Access::Check(ptimer_access),
        behaviour: Behaviour64::State(|s| &mut s.cntp_cval, u64::MAX),
    },
    SysReg64 {
        name: "CNTV_CVAL",
        enc: cp15_64(3, 14),
        access: Access::Check(vtimer_access),
        behaviour: Behaviour64::State(|s| &mut s.cntv_cval, u64::MAX),
    },
    SysReg64 {
        name: "CNTVOFF",
        enc: cp15_64(4, 14),
        access: Access::Check(pl2_access),
        behaviour: Behaviour64::State(|s| &mut s.cntvoff, u64::MAX),
    },
    SysReg64 {
        name: "CNTHP_CVAL",
        enc: cp15_64(6, 14),
        access: Access::Check(pl2_access),
        behaviour: Behaviour64::State(|s| &mut s.cnthp_cval, u64::MAX),
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::CpuConfig;
    use crate::exception::Exception;
    use crate::memory::Ram;
    use crate::state::Mode;

    fn cpu() -> Cpu {
        let cfg = CpuConfig {
            clock: ClockSource::Instructions,
            ..CpuConfig::default()
        };
        Cpu::new(cfg, Ram::new(0x8000_0000, 1 << 16).unwrap())
    }

    const FRQ: crate::sysreg::CpReg = cp15(0, 14, 0, 0);
    const KCTL: crate::sysreg::CpReg = cp15(0, 14, 1, 0);
    const P_TVAL: crate::sysreg::CpReg = cp15(0, 14, 2, 0);
    const P_CTL: crate::sysreg::CpReg = cp15(0, 14, 2, 1);
    const V_TVAL: crate::sysreg::CpReg = cp15(0, 14, 3, 0);
    const V_CTL: crate::sysreg::CpReg = cp15(0, 14, 3, 1);

    #[test]
    fn reset_values_and_masks() {
        let mut c = cpu();
        assert_eq!(c.cp_read(FRQ), Ok(62_500_000));
        c.cp_write(FRQ, 24_000_000).unwrap();
        assert_eq!(c.cp_read(FRQ), Ok(24_000_000));
        assert_eq!(c.cp_read(KCTL), Ok(0));
        c.cp_write(KCTL, 0xffff_ffff).unwrap();
        assert_eq!(c.cp_read(KCTL), Ok(0x3ff));
        assert_eq!(c.cp_read(P_CTL), Ok(0));
        assert_eq!(c.cp_read(V_CTL), Ok(0));
        c.cp_write(P_CTL, 0xffff_ffff).unwrap();
        // Enabled, masked; CVAL 0 <= count: ISTATUS.
        assert_eq!(c.cp_read(P_CTL), Ok(7));
        c.cp_write(P_CTL, 0).unwrap();
        assert_eq!(c.cp_read(P_CTL), Ok(0), "ISTATUS reads 0 while disabled");
    }

    #[test]
    fn counters_follow_the_instruction_clock() {
        let mut c = cpu();
        c.insn_count = 1000;
        assert_eq!(c.cp_read64(15, 0, 14), Ok(1000));
        assert_eq!(c.cp_read64(15, 1, 14), Ok(1000));
        c.insn_count = 5000;
        assert_eq!(c.cp_read64(15, 0, 14), Ok(5000));
        assert_eq!(c.cp_write64(15, 0, 14, 0), Err(Exception::Undefined));
        assert_eq!(c.cp_write64(15, 1, 14, 0), Err(Exception::Undefined));
        // CNTVOFF (PL2) and other opc1 values do not exist here.
        assert_eq!(c.cp_read64(15, 4, 14), Err(Exception::Undefined));
        assert_eq!(c.cp_read64(15, 5, 14), Err(Exception::Undefined));
        assert_eq!(c.cp_read64(14, 0, 14), Err(Exception::Undefined));
    }

    #[test]
    fn host_clock_increases() {
        let c = Cpu::new(CpuConfig::default(), Ram::new(0x8000_0000, 4096).unwrap());
        let a = c.counter();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = c.counter();
        assert!(b > a && b - a >= 2 * COUNTER_HZ / 1000, "{a} {b}");
    }

    #[test]
    fn cval_tval_istatus_imask() {
        for (tval, ctlr, cval_op) in [(P_TVAL, P_CTL, 2u8), (V_TVAL, V_CTL, 3u8)] {
            let mut c = cpu();
            c.insn_count = 10_000;
            c.cp_write64(15, cval_op, 14, 10_500).unwrap();
            assert_eq!(c.cp_read64(15, cval_op, 14), Ok(10_500));
            assert_eq!(c.cp_read(tval), Ok(500));
            c.cp_write(ctlr, 1).unwrap();
            assert_eq!(c.cp_read(ctlr), Ok(1));
            assert_eq!(c.timer_irq_lines(), TimerLines::default());
            assert_eq!(c.timer_next_deadline(), Some(10_500));
            c.insn_count = 10_499;
            assert_eq!(c.cp_read(ctlr), Ok(1));
            assert_eq!(c.cp_read(tval), Ok(1));
            c.insn_count = 10_500;
            assert_eq!(c.cp_read(ctlr), Ok(5));
            assert_eq!(c.cp_read(tval), Ok(0));
            let lines = c.timer_irq_lines();
            assert_eq!(
                (lines.phys, lines.virt, lines.hyp),
                if cval_op == 2 {
                    (true, false, false)
                } else {
                    (false, true, false)
                }
            );
            assert_eq!(c.timer_next_deadline(), None);
            c.insn_count = 10_600;
            // TVAL counts down past zero as a signed 32-bit value.
            assert_eq!(c.cp_read(tval), Ok((-100i32) as u32));
            // IMASK: ISTATUS stays, the line drops.
            c.cp_write(ctlr, 3).unwrap();
            assert_eq!(c.cp_read(ctlr), Ok(7));
            assert_eq!(c.timer_irq_lines(), TimerLines::default());
            // TVAL write: CVAL = count + sign-extended TVAL.
            c.cp_write(tval, (-50i32) as u32).unwrap();
            assert_eq!(c.cp_read64(15, cval_op, 14), Ok(10_550));
            c.cp_write(tval, 0x7fff_ffff).unwrap();
            assert_eq!(c.cp_read64(15, cval_op, 14), Ok(10_600 + 0x7fff_ffff));
            assert_eq!(c.cp_read(ctlr), Ok(3));
            c.cp_write(ctlr, 1).unwrap();
            assert_eq!(c.timer_next_deadline(), Some(10_600 + 0x7fff_ffff));
            // A huge CVAL: the condition is an unsigned 64-bit comparison.
            c.cp_write64(15, cval_op, 14, u64::MAX).unwrap();
            assert_eq!(c.cp_read(ctlr), Ok(1));
            assert_eq!(c.cp_read(tval), Ok((u64::MAX - 10_600) as u32));
        }
    }

    #[test]
    fn pl0_access_follows_cntkctl() {
        let mut c = cpu();
        c.s.switch_mode(Mode::Usr);
        let probes = |c: &mut Cpu| {
            [
                c.cp_read(FRQ).is_ok(),
                c.cp_read64(15, 0, 14).is_ok(),
                c.cp_read64(15, 1, 14).is_ok(),
                c.cp_read(P_CTL).is_ok() && c.cp_read64(15, 2, 14).is_ok(),
                c.cp_read(V_CTL).is_ok() && c.cp_read64(15, 3, 14).is_ok(),
            ]
        };
        assert_eq!(probes(&mut c), [false; 5]);
        assert_eq!(c.cp_read(KCTL), Err(Exception::Undefined));
        for (k, want) in [
            (0x001, [true, true, false, false, false]),
            (0x002, [true, false, true, false, false]),
            (0x100, [false, false, false, false, true]),
            (0x200, [false, false, false, true, false]),
            (0x303, [true; 5]),
        ] {
            c.s.cntkctl = k;
            assert_eq!(probes(&mut c), want, "cntkctl {k:#x}");
            // Never writable from PL0: CNTFRQ and CNTKCTL.
            assert_eq!(c.cp_write(FRQ, 0), Err(Exception::Undefined));
            assert_eq!(c.cp_write(KCTL, 0), Err(Exception::Undefined));
        }
        c.s.cntkctl = 0x200;
        assert_eq!(c.cp_write(P_TVAL, 100), Ok(()));
        assert_eq!(c.cp_write(V_TVAL, 100), Err(Exception::Undefined));
    }
}
