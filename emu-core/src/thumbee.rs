//! The ThumbEE configuration registers (Arm ARM A2.10 "Thumb Execution Environment",
//! B6.1.3 / B6.2): the A15 advertises ThumbEE in ID_PFR0.State3, so Linux saves and
//! restores TEEHBR on every context switch and must find it. ThumbEE instruction-set state
//! itself (ENTERX) is not modelled: the A15 decodes ENTERX/LEAVEX as UNDEFINED here.

use crate::cpu::Cpu;
use crate::sysreg::{Access, Behaviour, CpReg, SysReg};

/// TEECR.XED: unprivileged accesses to TEEHBR are UNDEFINED.
pub const TEECR_XED: u32 = 1;

const fn cp14_6(crn: u8) -> CpReg {
    CpReg {
        cp: 14,
        opc1: 6,
        crn,
        crm: 0,
        opc2: 0,
    }
}

/// TEEHBR: PL1 always; PL0 unless TEECR.XED is set.
fn teehbr_access(cpu: &Cpu, _write: bool) -> bool {
    cpu.s.is_privileged() || cpu.s.teecr & TEECR_XED == 0
}

/// The table.
pub static THUMBEE_REGS: &[SysReg] = &[
    SysReg {
        name: "TEECR",
        enc: cp14_6(0),
        access: Access::Pl1Rw,
        behaviour: Behaviour::State(|s| &mut s.teecr, TEECR_XED),
    },
    // The handler base is word aligned (bits [1:0] RES0).
    SysReg {
        name: "TEEHBR",
        enc: cp14_6(1),
        access: Access::Check(teehbr_access),
        behaviour: Behaviour::State(|s| &mut s.teehbr, 0xffff_fffc),
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::CpuConfig;
    use crate::memory::Ram;
    use crate::state::Mode;

    fn cpu(mode: Mode) -> Cpu {
        let mut c = Cpu::new(CpuConfig::default(), Ram::new(0, 4096).unwrap());
        c.s.switch_mode(mode);
        c
    }

    #[test]
    fn teehbr_holds_word_aligned_value_and_xed_gates_pl0() {
        let mut c = cpu(Mode::Svc);
        let (hbr, ecr) = (cp14_6(1), cp14_6(0));
        assert!(c.cp_write(hbr, 0x1234_5677).is_ok());
        assert_eq!(c.cp_read(hbr).unwrap(), 0x1234_5674);
        c.s.switch_mode(Mode::Usr);
        assert_eq!(c.cp_read(hbr).unwrap(), 0x1234_5674);
        assert!(c.cp_read(ecr).is_err(), "TEECR is PL1 only");
        c.s.switch_mode(Mode::Svc);
        c.cp_write(ecr, 0xffff_ffff).unwrap();
        assert_eq!(c.cp_read(ecr).unwrap(), TEECR_XED);
        c.s.switch_mode(Mode::Usr);
        assert!(c.cp_read(hbr).is_err(), "XED makes PL0 access UNDEFINED");
    }
}
