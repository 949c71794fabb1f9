//! The Performance Monitors Extension (PMUv2) of the Cortex-A15: PMCR (6 event counters),
//! PMCNTENSET/CLR, PMOVSR, PMOVSSET, PMSWINC, PMSELR, PMCEID0/1, PMCCNTR, PMXEVTYPER,
//! PMXEVCNTR, PMUSERENR, PMINTENSET/CLR (Arm ARM C12, TRM chapter 11).
//!
//! A cycle is an instruction (`Cpu::insn_count`). Counters are brought up to date lazily,
//! whenever a PMU register is accessed ([`Cpu::pmu_sync`]). Counted events: SW_INCR
//! (0x00), INST_RETIRED (0x08) and CPU_CYCLES (0x11); other event numbers read back but
//! count nothing. The mode filters (PMXEVTYPER/PMCCFILTR P, U, ...) are stored but not
//! applied. The overflow interrupt output is [`Cpu::pmu_irq_line`].

use crate::cpu::Cpu;
use crate::sysreg::{cp15, Access, Behaviour, SysReg};

/// Number of event counters (PMCR.N).
pub const NUM_COUNTERS: usize = 6;
/// PMCR's read-only part: IMP 0x41, IDCODE 0x0f, N = 6.
pub const PMCR_ID: u32 = 0x410f_0000 | ((NUM_COUNTERS as u32) << 11);
/// The counter bits of PMCNTENSET, PMOVSR, PMINTENSET, ...: C (31) and P0-P5.
pub const COUNTER_MASK: u32 = (1 << 31) | ((1 << NUM_COUNTERS) - 1);
/// PMCEID0: SW_INCR, INST_RETIRED, CPU_CYCLES.
pub const PMCEID0: u32 = (1 << 0x00) | (1 << 0x08) | (1 << 0x11);

/// PMCR bits.
pub mod pmcr {
    pub const E: u32 = 1 << 0;
    pub const P: u32 = 1 << 1;
    pub const C: u32 = 1 << 2;
    pub const D: u32 = 1 << 3;
    pub const X: u32 = 1 << 4;
    pub const DP: u32 = 1 << 5;
    /// The bits that hold state (P and C are actions and read as zero).
    pub const WMASK: u32 = E | D | X | DP;
}

/// Event types keep the v7 filter bits (31:27) and a 16-bit event number (as QEMU).
const EVTYPER_MASK: u32 = 0xf800_ffff;
/// PMCCFILTR: P, U, NSK, NSU, NSH.
const CCFILTR_MASK: u32 = 0xf800_0000;

const EV_SW_INCR: u32 = 0x00;
const EV_INST_RETIRED: u32 = 0x08;
const EV_CPU_CYCLES: u32 = 0x11;

impl Cpu {
    /// Brings PMCCNTR and the event counters up to date with the cycle source.
    pub fn pmu_sync(&mut self) {
        let now = self.insn_count;
        let delta = now.wrapping_sub(self.s.pmu_last);
        self.s.pmu_last = now;
        let s = &mut self.s;
        if s.pmcr & pmcr::E == 0 || delta == 0 {
            return;
        }
        if s.pmcnten & (1 << 31) != 0 {
            let inc = if s.pmcr & pmcr::D != 0 {
                let t = s.pmccntr_frac as u64 + delta;
                s.pmccntr_frac = (t % 64) as u32;
                t / 64
            } else {
                delta
            };
            let sum = s.pmccntr as u64 + inc;
            if sum > u32::MAX as u64 {
                s.pmovsr |= 1 << 31;
            }
            s.pmccntr = sum as u32;
        }
        for i in 0..NUM_COUNTERS {
            let ev = s.pmevtyper[i] & 0xffff;
            if s.pmcnten & (1 << i) != 0 && (ev == EV_INST_RETIRED || ev == EV_CPU_CYCLES) {
                let sum = s.pmevcntr[i] as u64 + delta;
                if sum > u32::MAX as u64 {
                    s.pmovsr |= 1 << i;
                }
                s.pmevcntr[i] = sum as u32;
            }
        }
    }

    /// The PMU's overflow interrupt request (PMCR.E and an enabled overflow flag).
    pub fn pmu_irq_line(&self) -> bool {
        self.s.pmcr & pmcr::E != 0 && self.s.pmovsr & self.s.pminten & COUNTER_MASK != 0
    }
}

/// PL1, or PL0 with PMUSERENR.EN.
fn pmu_access(cpu: &Cpu, _: bool) -> bool {
    cpu.s.is_privileged() || cpu.s.pmuserenr & 1 != 0
}

fn pmcr_write(cpu: &mut Cpu, v: u32) {
    cpu.pmu_sync();
    let s = &mut cpu.s;
    if v & pmcr::C != 0 {
        s.pmccntr = 0;
        s.pmccntr_frac = 0;
    }
    if v & pmcr::P != 0 {
        s.pmevcntr = [0; NUM_COUNTERS];
    }
    s.pmcr = v & pmcr::WMASK;
}

fn swinc_write(cpu: &mut Cpu, v: u32) {
    cpu.pmu_sync();
    let s = &mut cpu.s;
    if s.pmcr & pmcr::E == 0 {
        return;
    }
    for i in 0..NUM_COUNTERS {
        if v & s.pmcnten & (1 << i) != 0 && s.pmevtyper[i] & 0xffff == EV_SW_INCR {
            s.pmevcntr[i] = s.pmevcntr[i].wrapping_add(1);
            if s.pmevcntr[i] == 0 {
                s.pmovsr |= 1 << i;
            }
        }
    }
}

/// The counter PMSELR selects: `Some(n)` for an event counter, `None` for 31 (the cycle
/// counter's filter) and for counters that do not exist (UNPREDICTABLE: RAZ/WI).
fn selected(cpu: &Cpu) -> Option<usize> {
    let n = (cpu.s.pmselr & 0x1f) as usize;
    (n < NUM_COUNTERS).then_some(n)
}

fn evtyper_read(cpu: &mut Cpu) -> u32 {
    match selected(cpu) {
        Some(n) => cpu.s.pmevtyper[n],
        None if cpu.s.pmselr & 0x1f == 31 => cpu.s.pmccfiltr,
        None => 0,
    }
}

fn evtyper_write(cpu: &mut Cpu, v: u32) {
    cpu.pmu_sync();
    match selected(cpu) {
        Some(n) => cpu.s.pmevtyper[n] = v & EVTYPER_MASK,
        None if cpu.s.pmselr & 0x1f == 31 => cpu.s.pmccfiltr = v & CCFILTR_MASK,
        None => {}
    }
}

fn evcntr_read(cpu: &mut Cpu) -> u32 {
    cpu.pmu_sync();
    selected(cpu).map_or(0, |n| cpu.s.pmevcntr[n])
}

fn evcntr_write(cpu: &mut Cpu, v: u32) {
    cpu.pmu_sync();
    if let Some(n) = selected(cpu) {
        cpu.s.pmevcntr[n] = v;
    }
}

const fn pmreg(name: &'static str, crm: u8, opc2: u8, behaviour: Behaviour) -> SysReg {
    SysReg {
        name,
        enc: cp15(0, 9, crm, opc2),
        access: Access::Check(pmu_access),
        behaviour,
    }
}

/// The table.
pub static PMU_REGS: &[SysReg] = &[
    pmreg(
        "PMCR",
        12,
        0,
        Behaviour::Custom {
            read: Some(|c| crate::hyp_traps::pmcr_id_seen(c, PMCR_ID) | c.s.pmcr),
            write: Some(pmcr_write),
        },
    ),
    pmreg(
        "PMCNTENSET",
        12,
        1,
        Behaviour::Custom {
            read: Some(|c| c.s.pmcnten),
            write: Some(|c, v| {
                c.pmu_sync();
                c.s.pmcnten |= v & COUNTER_MASK;
            }),
        },
    ),
    pmreg(
        "PMCNTENCLR",
        12,
        2,
        Behaviour::Custom {
            read: Some(|c| c.s.pmcnten),
            write: Some(|c, v| {
                c.pmu_sync();
                c.s.pmcnten &= !v;
            }),
        },
    ),
    pmreg(
        "PMOVSR",
        12,
        3,
        Behaviour::Custom {
            read: Some(|c| {
                c.pmu_sync();
                c.s.pmovsr
            }),
            write: Some(|c, v| {
                c.pmu_sync();
                c.s.pmovsr &= !v;
            }),
        },
    ),
    pmreg(
        "PMSWINC",
        12,
        4,
        Behaviour::Custom {
            read: None,
            write: Some(swinc_write),
        },
    ),
    pmreg("PMSELR", 12, 5, Behaviour::State(|s| &mut s.pmselr, 0x1f)),
    pmreg("PMCEID0", 12, 6, Behaviour::Const(PMCEID0)),
    pmreg("PMCEID1", 12, 7, Behaviour::Const(0)),
    pmreg(
        "PMCCNTR",
        13,
        0,
        Behaviour::Custom {
            read: Some(|c| {
                c.pmu_sync();
                c.s.pmccntr
            }),
            write: Some(|c, v| {
                c.pmu_sync();
                c.s.pmccntr = v;
            }),
        },
    ),
    pmreg(
        "PMXEVTYPER",
        13,
        1,
        Behaviour::Custom {
            read: Some(evtyper_read),
            write: Some(evtyper_write),
        },
    ),
    pmreg(
        "PMXEVCNTR",
        13,
        2,
        Behaviour::Custom {
            read: Some(evcntr_read),
            write: Some(evcntr_write),
        },
    ),
    SysReg {
        name: "PMUSERENR",
        enc: cp15(0, 9, 14, 0),
        access: Access::Pl0RoPl1Rw,
        behaviour: Behaviour::State(|s| &mut s.pmuserenr, 1),
    },
    SysReg {
        name: "PMINTENSET",
        enc: cp15(0, 9, 14, 1),
        access: Access::Pl1Rw,
        behaviour: Behaviour::Custom {
            read: Some(|c| c.s.pminten),
            write: Some(|c, v| c.s.pminten |= v & COUNTER_MASK),
        },
    },
    SysReg {
        name: "PMINTENCLR",
        enc: cp15(0, 9, 14, 2),
        access: Access::Pl1Rw,
        behaviour: Behaviour::Custom {
            read: Some(|c| c.s.pminten),
            write: Some(|c, v| c.s.pminten &= !v),
        },
    },
    pmreg(
        "PMOVSSET",
        14,
        3,
        Behaviour::Custom {
            read: Some(|c| {
                c.pmu_sync();
                c.s.pmovsr
            }),
            write: Some(|c, v| {
                c.pmu_sync();
                c.s.pmovsr |= v & COUNTER_MASK;
            }),
        },
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::CpuConfig;
    use crate::exception::Exception;
    use crate::memory::Ram;
    use crate::state::Mode;
    use crate::sysreg::CpReg;

    fn cpu() -> Cpu {
        Cpu::new(
            CpuConfig::default(),
            Ram::new(0x8000_0000, 1 << 16).unwrap(),
        )
    }
    const PMCR: CpReg = cp15(0, 9, 12, 0);
    const CNTENSET: CpReg = cp15(0, 9, 12, 1);
    const CNTENCLR: CpReg = cp15(0, 9, 12, 2);
    const OVSR: CpReg = cp15(0, 9, 12, 3);
    const SWINC: CpReg = cp15(0, 9, 12, 4);
    const SELR: CpReg = cp15(0, 9, 12, 5);
    const CCNTR: CpReg = cp15(0, 9, 13, 0);
    const EVTYPER: CpReg = cp15(0, 9, 13, 1);
    const EVCNTR: CpReg = cp15(0, 9, 13, 2);
    const USERENR: CpReg = cp15(0, 9, 14, 0);
    const INTENSET: CpReg = cp15(0, 9, 14, 1);
    const INTENCLR: CpReg = cp15(0, 9, 14, 2);
    const OVSSET: CpReg = cp15(0, 9, 14, 3);

    #[test]
    fn reset_values_and_masks() {
        let mut c = cpu();
        assert_eq!(c.cp_read(PMCR), Ok(0x410f_3000));
        c.cp_write(PMCR, 0xffff_ffff).unwrap();
        assert_eq!(c.cp_read(PMCR), Ok(0x410f_3039));
        c.cp_write(PMCR, 0).unwrap();
        assert_eq!(c.cp_read(cp15(0, 9, 12, 6)), Ok(0x0002_0101));
        assert_eq!(c.cp_read(cp15(0, 9, 12, 7)), Ok(0));
        c.cp_write(CNTENSET, 0xffff_ffff).unwrap();
        assert_eq!(c.cp_read(CNTENCLR), Ok(0x8000_003f));
        c.cp_write(CNTENCLR, 0x8000_0001).unwrap();
        assert_eq!(c.cp_read(CNTENSET), Ok(0x3e));
        c.cp_write(INTENSET, 0xffff_ffff).unwrap();
        c.cp_write(INTENCLR, 0x10).unwrap();
        assert_eq!(c.cp_read(INTENSET), Ok(0x8000_002f));
        c.cp_write(OVSSET, 0xffff_ffff).unwrap();
        assert_eq!(c.cp_read(OVSR), Ok(0x8000_003f));
        c.cp_write(OVSR, 0x8000_0005).unwrap();
        assert_eq!(c.cp_read(OVSR), Ok(0x3a));
        c.cp_write(SELR, 0xffff_ffff).unwrap();
        assert_eq!(c.cp_read(SELR), Ok(0x1f));
        c.cp_write(EVTYPER, 0xffff_ffff).unwrap();
        assert_eq!(c.cp_read(EVTYPER), Ok(0xf800_0000), "PMCCFILTR");
        c.cp_write(SELR, 3).unwrap();
        c.cp_write(EVTYPER, 0xffff_ffff).unwrap();
        assert_eq!(c.cp_read(EVTYPER), Ok(0xf800_ffff));
        c.cp_write(EVCNTR, 0x1234_5678).unwrap();
        assert_eq!(c.cp_read(EVCNTR), Ok(0x1234_5678));
        assert_eq!(c.s.pmevcntr[3], 0x1234_5678);
        c.cp_write(SELR, 7).unwrap();
        assert_eq!(c.cp_read(EVCNTR), Ok(0), "no counter 7");
        c.cp_write(USERENR, 0xffff_ffff).unwrap();
        assert_eq!(c.cp_read(USERENR), Ok(1));
        assert_eq!(c.cp_read(SWINC), Err(Exception::Undefined));
    }

    #[test]
    fn cycle_counter_counts_instructions() {
        let mut c = cpu();
        c.insn_count = 100;
        c.cp_write(CCNTR, 10).unwrap();
        c.insn_count = 200;
        assert_eq!(c.cp_read(CCNTR), Ok(10), "PMCR.E = 0");
        c.cp_write(PMCR, pmcr::E).unwrap();
        c.insn_count = 300;
        assert_eq!(c.cp_read(CCNTR), Ok(10), "PMCNTENSET.C = 0");
        c.cp_write(CNTENSET, 1 << 31).unwrap();
        c.insn_count = 1300;
        assert_eq!(c.cp_read(CCNTR), Ok(1010));
        // Divide by 64.
        c.cp_write(PMCR, pmcr::E | pmcr::D).unwrap();
        c.insn_count += 64 * 5 + 63;
        assert_eq!(c.cp_read(CCNTR), Ok(1015));
        c.insn_count += 1;
        assert_eq!(c.cp_read(CCNTR), Ok(1016));
        // C resets it; overflow sets PMOVSR.C and raises the interrupt if enabled.
        c.cp_write(PMCR, pmcr::E | pmcr::C).unwrap();
        assert_eq!(c.cp_read(CCNTR), Ok(0));
        c.cp_write(CCNTR, 0xffff_fff0).unwrap();
        c.insn_count += 0x20;
        assert_eq!(c.cp_read(CCNTR), Ok(0x10));
        assert_eq!(c.cp_read(OVSR), Ok(1 << 31));
        assert!(!c.pmu_irq_line());
        c.cp_write(INTENSET, 1 << 31).unwrap();
        assert!(c.pmu_irq_line());
        c.cp_write(OVSR, 1 << 31).unwrap();
        assert!(!c.pmu_irq_line());
    }

    #[test]
    fn event_counters() {
        let mut c = cpu();
        // Counter 0: SW_INCR, counter 1: CPU_CYCLES, counter 2: SW_INCR but disabled,
        // counter 3: an event that counts nothing.
        for (n, ev) in [(0, 0x00), (1, 0x11), (2, 0x00), (3, 0x04)] {
            c.cp_write(SELR, n).unwrap();
            c.cp_write(EVTYPER, ev).unwrap();
            c.cp_write(EVCNTR, 0).unwrap();
        }
        c.cp_write(CNTENSET, 0b1011).unwrap();
        c.cp_write(SWINC, 0b0101).unwrap();
        c.cp_write(SELR, 0).unwrap();
        assert_eq!(c.cp_read(EVCNTR), Ok(0), "PMCR.E = 0: no counting");
        c.cp_write(PMCR, pmcr::E).unwrap();
        for _ in 0..3 {
            c.cp_write(SWINC, 0b0101).unwrap();
        }
        c.insn_count += 77;
        let read = |c: &mut Cpu, n| {
            c.cp_write(SELR, n).unwrap();
            c.cp_read(EVCNTR).unwrap()
        };
        assert_eq!(read(&mut c, 0), 3);
        assert_eq!(read(&mut c, 1), 77);
        assert_eq!(read(&mut c, 2), 0);
        assert_eq!(read(&mut c, 3), 0);
        // SW_INCR overflow.
        c.cp_write(SELR, 0).unwrap();
        c.cp_write(EVCNTR, 0xffff_ffff).unwrap();
        c.cp_write(SWINC, 1).unwrap();
        assert_eq!(read(&mut c, 0), 0);
        assert_eq!(c.cp_read(OVSR), Ok(1));
        // P resets the event counters, not the cycle counter.
        c.cp_write(CCNTR, 55).unwrap();
        c.cp_write(PMCR, pmcr::P).unwrap();
        assert_eq!(read(&mut c, 1), 0);
        assert_eq!(c.cp_read(CCNTR), Ok(55));
    }

    #[test]
    fn pl0_access_follows_pmuserenr() {
        let mut c = cpu();
        c.s.switch_mode(Mode::Usr);
        let gated = [
            PMCR, CNTENSET, CNTENCLR, OVSR, SELR, CCNTR, EVTYPER, EVCNTR, OVSSET,
        ];
        for r in gated {
            assert_eq!(c.cp_read(r), Err(Exception::Undefined), "{r:?}");
        }
        assert_eq!(c.cp_write(SWINC, 1), Err(Exception::Undefined));
        assert_eq!(c.cp_read(USERENR), Ok(0));
        assert_eq!(c.cp_write(USERENR, 1), Err(Exception::Undefined));
        c.s.pmuserenr = 1;
        for r in gated {
            assert!(c.cp_read(r).is_ok(), "{r:?}");
        }
        assert_eq!(c.cp_write(SWINC, 1), Ok(()));
        assert_eq!(c.cp_write(PMCR, 0), Ok(()));
        for r in [INTENSET, INTENCLR] {
            assert_eq!(c.cp_read(r), Err(Exception::Undefined));
            assert_eq!(c.cp_write(r, 0), Err(Exception::Undefined));
        }
        assert_eq!(c.cp_write(USERENR, 0), Err(Exception::Undefined));
    }
}
