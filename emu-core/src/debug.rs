//! CP14 debug registers that Linux (and Xen) read and write at boot (Arm ARM C11, TRM
//! chapter 10): DBGDIDR, DBGDRAR, DBGDSAR, DBGDSCRint/ext, DBGOSLAR, DBGOSLSR, DBGOSDLR,
//! DBGPRCR, DBGVCR, DBGBVR/BCR 0-5, DBGWVR/WCR 0-3, DBGCLAIMSET/CLR, DBGAUTHSTATUS and
//! the DCC registers Linux may touch. Values as QEMU 7.2's cortex-a15 where it has the
//! register, else the A15's. The registers hold their values; no debug event (breakpoint,
//! watchpoint, vector catch) is generated.

use crate::cpu::Cpu;
use crate::sysreg::{Access, Behaviour, CpReg, SysReg};
use crate::sysregs_a15::RAZ_WI;

/// DBGDIDR of the A15 r4p0: 4 watchpoints, 6 breakpoints, 2 context comparators, debug
/// architecture v7.1 with all CP14 registers, revision 1.
pub const DBGDIDR_A15: u32 = 0x3515_f021;
/// DBGOSLSR without the lock bit: OSLM = 0b10 (the v7.1 OS Lock is implemented).
pub const DBGOSLSR_OSLM: u32 = 0x8;
/// The key that locks the OS Lock (DBGOSLAR); any other value unlocks it.
pub const OS_LOCK_KEY: u32 = 0xc5ac_ce55;
/// DBGAUTHSTATUS: Non-secure invasive and non-invasive debug implemented and enabled,
/// Secure debug implemented and disabled.
pub const DBGAUTHSTATUS_A15: u32 = 0xaf;
/// The eight claim tags.
pub const CLAIM_MASK: u32 = 0xff;
/// DBGPRCR: CORENPDRQ and HCWR hold state (CWRR is an action with nothing to reset).
pub const DBGPRCR_MASK: u32 = 0x5;

const fn cp14(crn: u8, crm: u8, opc2: u8) -> CpReg {
    CpReg {
        cp: 14,
        opc1: 0,
        crn,
        crm,
        opc2,
    }
}

/// Readable from PL0 and PL1, never writable.
fn pl0_read_only(_: &Cpu, write: bool) -> bool {
    !write
}

const fn reg(name: &'static str, enc: CpReg, access: Access, behaviour: Behaviour) -> SysReg {
    SysReg {
        name,
        enc,
        access,
        behaviour,
    }
}

macro_rules! bp_wp {
    ($vr:literal, $cr:literal, $n:literal, $vfield:ident, $cfield:ident, $vmask:expr, $op:literal) => {
        [
            reg(
                $vr,
                cp14(0, $n, $op),
                Access::Pl1Rw,
                Behaviour::State(|s| &mut s.$vfield[$n], $vmask),
            ),
            reg(
                $cr,
                cp14(0, $n, $op + 1),
                Access::Pl1Rw,
                Behaviour::State(|s| &mut s.$cfield[$n], 0xffff_ffff),
            ),
        ]
    };
}

const BP0: [SysReg; 2] = bp_wp!("DBGBVR0", "DBGBCR0", 0, dbgbvr, dbgbcr, 0xffff_ffff, 4);
const BP1: [SysReg; 2] = bp_wp!("DBGBVR1", "DBGBCR1", 1, dbgbvr, dbgbcr, 0xffff_ffff, 4);
const BP2: [SysReg; 2] = bp_wp!("DBGBVR2", "DBGBCR2", 2, dbgbvr, dbgbcr, 0xffff_ffff, 4);
const BP3: [SysReg; 2] = bp_wp!("DBGBVR3", "DBGBCR3", 3, dbgbvr, dbgbcr, 0xffff_ffff, 4);
const BP4: [SysReg; 2] = bp_wp!("DBGBVR4", "DBGBCR4", 4, dbgbvr, dbgbcr, 0xffff_ffff, 4);
const BP5: [SysReg; 2] = bp_wp!("DBGBVR5", "DBGBCR5", 5, dbgbvr, dbgbcr, 0xffff_ffff, 4);
// Watchpoint addresses are word aligned.
const WP0: [SysReg; 2] = bp_wp!("DBGWVR0", "DBGWCR0", 0, dbgwvr, dbgwcr, 0xffff_fffc, 6);
const WP1: [SysReg; 2] = bp_wp!("DBGWVR1", "DBGWCR1", 1, dbgwvr, dbgwcr, 0xffff_fffc, 6);
const WP2: [SysReg; 2] = bp_wp!("DBGWVR2", "DBGWCR2", 2, dbgwvr, dbgwcr, 0xffff_fffc, 6);
const WP3: [SysReg; 2] = bp_wp!("DBGWVR3", "DBGWCR3", 3, dbgwvr, dbgwcr, 0xffff_fffc, 6);

/// The table.
pub static DEBUG_REGS: &[SysReg] = &[
    reg(
        "DBGDIDR",
        cp14(0, 0, 0),
        Access::Check(pl0_read_only),
        Behaviour::Const(DBGDIDR_A15),
    ),
    // No memory-mapped debug components are advertised (both "not valid").
    reg(
        "DBGDRAR",
        cp14(1, 0, 0),
        Access::Check(pl0_read_only),
        Behaviour::Const(0),
    ),
    reg(
        "DBGDSAR",
        cp14(2, 0, 0),
        Access::Check(pl0_read_only),
        Behaviour::Const(0),
    ),
    reg(
        "DBGDSCRint",
        cp14(0, 1, 0),
        Access::Pl1Ro,
        Behaviour::State(|s| &mut s.dbgdscr, 0),
    ),
    reg(
        "DBGDSCRext",
        cp14(0, 2, 2),
        Access::Pl1Rw,
        Behaviour::State(|s| &mut s.dbgdscr, 0xffff_ffff),
    ),
    reg("DBGDCCINT", cp14(0, 2, 0), Access::Pl1Rw, RAZ_WI),
    reg("DBGDTRRXext", cp14(0, 0, 2), Access::Pl1Rw, RAZ_WI),
    reg("DBGDTRTXext", cp14(0, 3, 2), Access::Pl1Rw, RAZ_WI),
    // Vector catch is not implemented (as QEMU): RAZ/WI.
    reg("DBGVCR", cp14(0, 7, 0), Access::Pl1Rw, RAZ_WI),
    reg(
        "DBGOSLAR",
        cp14(1, 0, 4),
        Access::Pl1Wo,
        Behaviour::Custom {
            read: None,
            write: Some(|c, v| c.s.dbgoslk = (v == OS_LOCK_KEY) as u32),
        },
    ),
    reg(
        "DBGOSLSR",
        cp14(1, 1, 4),
        Access::Pl1Ro,
        Behaviour::Custom {
            read: Some(|c| DBGOSLSR_OSLM | (c.s.dbgoslk & 1) << 1),
            write: None,
        },
    ),
    // The OS Double Lock is never set.
    reg("DBGOSDLR", cp14(1, 3, 4), Access::Pl1Rw, RAZ_WI),
    reg(
        "DBGPRCR",
        cp14(1, 4, 4),
        Access::Pl1Rw,
        Behaviour::State(|s| &mut s.dbgprcr, DBGPRCR_MASK),
    ),
    reg(
        "DBGCLAIMSET",
        cp14(7, 8, 6),
        Access::Pl1Rw,
        Behaviour::Custom {
            read: Some(|_| CLAIM_MASK),
            write: Some(|c, v| c.s.dbgclaim |= v & CLAIM_MASK),
        },
    ),
    reg(
        "DBGCLAIMCLR",
        cp14(7, 9, 6),
        Access::Pl1Rw,
        Behaviour::Custom {
            read: Some(|c| c.s.dbgclaim),
            write: Some(|c, v| c.s.dbgclaim &= !v),
        },
    ),
    reg(
        "DBGAUTHSTATUS",
        cp14(7, 14, 6),
        Access::Pl1Ro,
        Behaviour::Const(DBGAUTHSTATUS_A15),
    ),
    BP0[0],
    BP0[1],
    BP1[0],
    BP1[1],
    BP2[0],
    BP2[1],
    BP3[0],
    BP3[1],
    BP4[0],
    BP4[1],
    BP5[0],
    BP5[1],
    WP0[0],
    WP0[1],
    WP1[0],
    WP1[1],
    WP2[0],
    WP2[1],
    WP3[0],
    WP3[1],
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

    #[test]
    fn identification_and_os_lock() {
        let mut c = cpu();
        assert_eq!(c.cp_read(cp14(0, 0, 0)), Ok(0x3515_f021));
        assert_eq!(c.cp_read(cp14(1, 0, 0)), Ok(0));
        assert_eq!(c.cp_read(cp14(2, 0, 0)), Ok(0));
        assert_eq!(c.cp_read(cp14(1, 1, 4)), Ok(0xa), "locked at reset");
        c.cp_write(cp14(1, 0, 4), 0).unwrap();
        assert_eq!(c.cp_read(cp14(1, 1, 4)), Ok(0x8));
        c.cp_write(cp14(1, 0, 4), OS_LOCK_KEY).unwrap();
        assert_eq!(c.cp_read(cp14(1, 1, 4)), Ok(0xa));
        assert_eq!(c.cp_read(cp14(1, 0, 4)), Err(Exception::Undefined));
        assert_eq!(c.cp_read(cp14(1, 3, 4)), Ok(0));
        assert_eq!(c.cp_read(cp14(7, 14, 6)), Ok(0xaf));
        assert_eq!(c.cp_write(cp14(0, 0, 0), 0), Err(Exception::Undefined));
    }

    #[test]
    fn dscr_and_monitor_mode() {
        let mut c = cpu();
        assert_eq!(c.cp_read(cp14(0, 1, 0)), Ok(0));
        // Linux enables monitor debug through DBGDSCRext and checks DBGDSCRint.
        c.cp_write(cp14(0, 2, 2), 0x8000).unwrap();
        assert_eq!(c.cp_read(cp14(0, 1, 0)), Ok(0x8000));
        assert_eq!(c.cp_read(cp14(0, 2, 2)), Ok(0x8000));
        assert_eq!(c.cp_write(cp14(0, 1, 0), 0), Err(Exception::Undefined));
        c.cp_write(cp14(0, 7, 0), 0xffff_ffff).unwrap();
        assert_eq!(c.cp_read(cp14(0, 7, 0)), Ok(0));
    }

    #[test]
    fn breakpoints_watchpoints_claim_prcr() {
        let mut c = cpu();
        for n in 0..6 {
            c.cp_write(cp14(0, n, 4), 0xffff_ffff).unwrap();
            c.cp_write(cp14(0, n, 5), 0xffff_fffe).unwrap();
            assert_eq!(c.cp_read(cp14(0, n, 4)), Ok(0xffff_ffff));
            assert_eq!(c.cp_read(cp14(0, n, 5)), Ok(0xffff_fffe));
        }
        for n in 0..4 {
            c.cp_write(cp14(0, n, 6), 0xffff_ffff).unwrap();
            c.cp_write(cp14(0, n, 7), 0x1ff).unwrap();
            assert_eq!(c.cp_read(cp14(0, n, 6)), Ok(0xffff_fffc));
            assert_eq!(c.cp_read(cp14(0, n, 7)), Ok(0x1ff));
        }
        assert_eq!(c.s.dbgbvr, [0xffff_ffff; 6]);
        assert_eq!(c.cp_read(cp14(0, 6, 4)), Err(Exception::Undefined));
        assert_eq!(c.cp_read(cp14(0, 4, 6)), Err(Exception::Undefined));
        assert_eq!(c.cp_read(cp14(7, 8, 6)), Ok(0xff));
        c.cp_write(cp14(7, 8, 6), 0x1_0005).unwrap();
        assert_eq!(c.cp_read(cp14(7, 9, 6)), Ok(5));
        c.cp_write(cp14(7, 9, 6), 1).unwrap();
        assert_eq!(c.cp_read(cp14(7, 9, 6)), Ok(4));
        c.cp_write(cp14(1, 4, 4), 0xffff_ffff).unwrap();
        assert_eq!(c.cp_read(cp14(1, 4, 4)), Ok(5));
    }

    #[test]
    fn pl0_access() {
        let mut c = cpu();
        c.s.switch_mode(Mode::Usr);
        assert_eq!(c.cp_read(cp14(0, 0, 0)), Ok(0x3515_f021));
        assert_eq!(c.cp_read(cp14(1, 0, 0)), Ok(0));
        for enc in [
            cp14(0, 1, 0),
            cp14(0, 2, 2),
            cp14(1, 1, 4),
            cp14(0, 0, 4),
            cp14(7, 14, 6),
            cp14(1, 4, 4),
        ] {
            assert_eq!(c.cp_read(enc), Err(Exception::Undefined), "{enc:?}");
        }
        assert_eq!(c.cp_write(cp14(1, 0, 4), 0), Err(Exception::Undefined));
    }
}
