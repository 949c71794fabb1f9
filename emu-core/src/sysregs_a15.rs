//! Cortex-A15 CP15 registers outside the MMU, the PMU and the timer: cache identification
//! (CCSIDR per CSSELR), ACTLR, NSACR, ADFSR/AIFSR, FCSEIDR, L2CTLR/L2ECTLR, CBAR and the
//! c7 cache and branch-predictor maintenance operations (Cortex-A15 TRM r4p0, Non-secure
//! PL0/PL1 view; where QEMU 7.2's cortex-a15 and the TRM agree, both).
//!
//! Cache maintenance has no data effect here: memory is always coherent and the decoded
//! blocks are invalidated by the stores that overwrite code, not by I-cache maintenance.

use crate::cpu::Cpu;
use crate::sysreg::{cp15, Access, Behaviour, SysReg};

/// Reads as zero.
pub(crate) fn raz(_: &mut Cpu) -> u32 {
    0
}

/// Ignores the write.
pub(crate) fn wi(_: &mut Cpu, _: u32) {}

/// A register that reads as zero and ignores writes.
pub(crate) const RAZ_WI: Behaviour = Behaviour::Custom {
    read: Some(raz),
    write: Some(wi),
};

/// CCSIDR of the A15's caches (TRM 4.3.22), as QEMU's cortex-a15: 32 KB 2-way L1 data
/// and instruction caches with 64-byte lines, a 4 MB 16-way L2.
pub const CCSIDR_L1D: u32 = 0x701f_e00a;
pub const CCSIDR_L1I: u32 = 0x201f_e00a;
pub const CCSIDR_L2: u32 = 0x711f_e07a;

/// CSSELR bits: InD (bit 0) and Level (bits 3:1).
pub const CSSELR_MASK: u32 = 0xf;

/// Number of cores in the cluster (L2CTLR[25:24] = cores - 1).
pub const CLUSTER_CORES: u32 = 1;

/// L2CTLR as QEMU 7.2's vexpress-a15 reports it (bit 23 set, one core); writes ignored.
pub const L2CTLR_A15: u32 = 0x0080_0000 | ((CLUSTER_CORES - 1) << 24);

/// CBAR: PERIPHBASE of the vexpress-a15 tile (the GIC and private peripherals).
pub const CBAR_VEXPRESS_A15: u32 = 0x2c00_0000;

fn ccsidr_read(cpu: &mut Cpu) -> u32 {
    match cpu.s.csselr & CSSELR_MASK {
        0 => CCSIDR_L1D,
        1 => CCSIDR_L1I,
        2 => CCSIDR_L2,
        // No cache at that level (CLIDR): UNKNOWN; zero like QEMU.
        _ => 0,
    }
}

/// NSACR exists only with the Security Extensions; the Non-secure view is read-only.
/// QEMU's vexpress-a15 (no EL3) makes it UNDEFINED, as does the default configuration.
fn nsacr_access(cpu: &Cpu, write: bool) -> bool {
    cpu.cfg.security && cpu.s.is_privileged() && !write
}

const fn op(name: &'static str, crm: u8, opc2: u8) -> SysReg {
    SysReg {
        name,
        enc: cp15(0, 7, crm, opc2),
        access: Access::Pl1Wo,
        behaviour: Behaviour::Nop,
    }
}

/// The table.
pub static SYSREGS_A15: &[SysReg] = &[
    SysReg {
        name: "CCSIDR",
        enc: cp15(1, 0, 0, 0),
        access: Access::Pl1Ro,
        behaviour: Behaviour::Custom {
            read: Some(ccsidr_read),
            write: None,
        },
    },
    SysReg {
        name: "CSSELR",
        enc: cp15(2, 0, 0, 0),
        access: Access::Pl1Rw,
        behaviour: Behaviour::State(|s| &mut s.csselr, CSSELR_MASK),
    },
    SysReg {
        // Reset value 0 (TRM 4.3.29); QEMU keeps no bit of it (the SMP bit Linux sets
        // has no effect on a model without caches).
        name: "ACTLR",
        enc: cp15(0, 1, 0, 1),
        access: Access::Pl1Rw,
        behaviour: RAZ_WI,
    },
    SysReg {
        name: "NSACR",
        enc: cp15(0, 1, 1, 2),
        access: Access::Check(nsacr_access),
        behaviour: Behaviour::Const(0),
    },
    SysReg {
        name: "ADFSR",
        enc: cp15(0, 5, 1, 0),
        access: Access::Pl1Rw,
        behaviour: RAZ_WI,
    },
    SysReg {
        name: "AIFSR",
        enc: cp15(0, 5, 1, 1),
        access: Access::Pl1Rw,
        behaviour: RAZ_WI,
    },
    SysReg {
        // The A15 does not implement the FCSE: RAZ/WI (QEMU keeps written values).
        name: "FCSEIDR",
        enc: cp15(0, 13, 0, 0),
        access: Access::Pl1Rw,
        behaviour: RAZ_WI,
    },
    SysReg {
        name: "L2CTLR",
        enc: cp15(1, 9, 0, 2),
        access: Access::Pl1Rw,
        behaviour: Behaviour::Custom {
            read: Some(|_| L2CTLR_A15),
            write: Some(wi),
        },
    },
    SysReg {
        name: "L2ECTLR",
        enc: cp15(1, 9, 0, 3),
        access: Access::Pl1Rw,
        behaviour: RAZ_WI,
    },
    SysReg {
        name: "CBAR",
        enc: cp15(4, 15, 0, 0),
        access: Access::Pl1Ro,
        behaviour: Behaviour::Const(CBAR_VEXPRESS_A15),
    },
    // c7 cache and branch-predictor maintenance (ICIALLU, BPIALL and the CP15 barriers
    // are in sysreg.rs; PAR and the ATS operations belong to the MMU).
    op("ICIALLUIS", 1, 0),
    op("BPIALLIS", 1, 6),
    op("ICIMVAU", 5, 1),
    op("BPIMVA", 5, 7),
    op("DCIMVAC", 6, 1),
    op("DCISW", 6, 2),
    op("DCCMVAC", 10, 1),
    op("DCCSW", 10, 2),
    op("DCCMVAU", 11, 1),
    op("DCCIMVAC", 14, 1),
    op("DCCISW", 14, 2),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::CpuConfig;
    use crate::exception::Exception;
    use crate::memory::Ram;
    use crate::state::Mode;

    fn cpu() -> Cpu {
        Cpu::new(
            CpuConfig::default(),
            Ram::new(0x8000_0000, 1 << 16).unwrap(),
        )
    }

    fn user(c: &mut Cpu) {
        c.s.switch_mode(Mode::Usr);
    }

    #[test]
    fn ccsidr_follows_csselr() {
        let mut c = cpu();
        assert_eq!(c.cp_read(cp15(2, 0, 0, 0)), Ok(0));
        assert_eq!(c.cp_read(cp15(1, 0, 0, 0)), Ok(CCSIDR_L1D));
        c.cp_write(cp15(2, 0, 0, 0), 1).unwrap();
        assert_eq!(c.cp_read(cp15(1, 0, 0, 0)), Ok(CCSIDR_L1I));
        c.cp_write(cp15(2, 0, 0, 0), 2).unwrap();
        assert_eq!(c.cp_read(cp15(1, 0, 0, 0)), Ok(CCSIDR_L2));
        c.cp_write(cp15(2, 0, 0, 0), 0xffff_ffff).unwrap();
        assert_eq!(c.cp_read(cp15(2, 0, 0, 0)), Ok(0xf));
        assert_eq!(c.cp_read(cp15(1, 0, 0, 0)), Ok(0));
        assert_eq!(
            c.cp_write(cp15(1, 0, 0, 0), 0),
            Err(Exception::Undefined),
            "CCSIDR is read-only"
        );
        user(&mut c);
        assert_eq!(c.cp_read(cp15(1, 0, 0, 0)), Err(Exception::Undefined));
        assert_eq!(c.cp_read(cp15(2, 0, 0, 0)), Err(Exception::Undefined));
    }

    #[test]
    fn raz_wi_and_constants() {
        let mut c = cpu();
        for enc in [
            cp15(0, 1, 0, 1),  // ACTLR
            cp15(0, 5, 1, 0),  // ADFSR
            cp15(0, 5, 1, 1),  // AIFSR
            cp15(0, 13, 0, 0), // FCSEIDR
            cp15(1, 9, 0, 3),  // L2ECTLR
        ] {
            assert_eq!(c.cp_write(enc, 0xffff_ffff), Ok(()));
            assert_eq!(c.cp_read(enc), Ok(0));
        }
        assert_eq!(c.cp_write(cp15(1, 9, 0, 2), 0), Ok(()));
        assert_eq!(c.cp_read(cp15(1, 9, 0, 2)), Ok(0x0080_0000));
        assert_eq!(c.cp_read(cp15(4, 15, 0, 0)), Ok(0x2c00_0000));
        assert_eq!(c.cp_write(cp15(4, 15, 0, 0), 0), Err(Exception::Undefined));
        user(&mut c);
        for enc in [
            cp15(0, 1, 0, 1),
            cp15(0, 5, 1, 0),
            cp15(0, 13, 0, 0),
            cp15(1, 9, 0, 2),
            cp15(4, 15, 0, 0),
        ] {
            assert_eq!(c.cp_read(enc), Err(Exception::Undefined));
            assert_eq!(c.cp_write(enc, 0), Err(Exception::Undefined));
        }
    }

    #[test]
    fn nsacr_only_with_security_extensions() {
        let mut c = cpu();
        assert_eq!(c.cp_read(cp15(0, 1, 1, 2)), Err(Exception::Undefined));
        c.cfg.security = true;
        assert_eq!(c.cp_read(cp15(0, 1, 1, 2)), Ok(0));
        assert_eq!(
            c.cp_write(cp15(0, 1, 1, 2), 0xc00),
            Err(Exception::Undefined)
        );
        user(&mut c);
        assert_eq!(c.cp_read(cp15(0, 1, 1, 2)), Err(Exception::Undefined));
    }

    #[test]
    fn cache_maintenance_is_pl1_write_only() {
        let ops = [
            (7, 1, 0),
            (7, 1, 6),
            (7, 5, 0),
            (7, 5, 1),
            (7, 5, 6),
            (7, 5, 7),
            (7, 6, 1),
            (7, 6, 2),
            (7, 10, 1),
            (7, 10, 2),
            (7, 11, 1),
            (7, 14, 1),
            (7, 14, 2),
        ];
        let mut c = cpu();
        for (crn, crm, opc2) in ops {
            let enc = cp15(0, crn, crm, opc2);
            assert_eq!(c.cp_write(enc, 0x8000_0000), Ok(()), "{enc:?}");
            assert_eq!(c.cp_read(enc), Err(Exception::Undefined), "{enc:?}");
        }
        user(&mut c);
        for (crn, crm, opc2) in ops {
            let enc = cp15(0, crn, crm, opc2);
            assert_eq!(c.cp_write(enc, 0), Err(Exception::Undefined), "{enc:?}");
        }
        // The CP15 barriers stay available at PL0.
        for opc2 in [4, 5] {
            assert_eq!(c.cp_write(cp15(0, 7, 10, opc2), 0), Ok(()));
        }
        assert_eq!(c.cp_write(cp15(0, 7, 5, 4), 0), Ok(()));
    }
}
