//! PSCI firmware: the board answers the Power State Coordination Interface calls a
//! kernel makes with SMC (Arm DEN 0022D, "Arm Power State Coordination Interface",
//! 32-bit SMC calling convention: function id in r0, arguments in r1-r3, result in r0).
//!
//! a15emu models one core, so CPU_ON can only report that core 0 is already on.
//! The version reported (0.2) matches the device tree's `arm,psci-0.2` compatible
//! (crate::fdt::generate).

use crate::{Exit, Machine};

/// Function ids (SMC32).
pub const PSCI_VERSION: u32 = 0x8400_0000;
pub const CPU_SUSPEND: u32 = 0x8400_0001;
pub const CPU_OFF: u32 = 0x8400_0002;
pub const CPU_ON: u32 = 0x8400_0003;
pub const AFFINITY_INFO: u32 = 0x8400_0004;
pub const MIGRATE: u32 = 0x8400_0005;
pub const MIGRATE_INFO_TYPE: u32 = 0x8400_0006;
pub const MIGRATE_INFO_UP_CPU: u32 = 0x8400_0007;
pub const SYSTEM_OFF: u32 = 0x8400_0008;
pub const SYSTEM_RESET: u32 = 0x8400_0009;
pub const PSCI_FEATURES: u32 = 0x8400_000a;

/// Return codes (DEN 0022D 5.2.2).
pub const SUCCESS: i32 = 0;
pub const NOT_SUPPORTED: i32 = -1;
pub const INVALID_PARAMETERS: i32 = -2;
pub const DENIED: i32 = -3;
pub const ALREADY_ON: i32 = -4;

/// PSCI 0.2: major in bits [31:16], minor in [15:0].
pub const VERSION_0_2: u32 = 0x0000_0002;

/// MIGRATE_INFO_TYPE: "Trusted OS not present or does not require migration".
pub const MIGRATE_NOT_REQUIRED: u32 = 2;

/// AFFINITY_INFO results.
pub const AFF_ON: i32 = 0;

/// What a call did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PsciResult {
    /// Return to the caller with this value in r0.
    Return(u32),
    /// The call does not return: the board stops.
    Exit(Exit),
    /// CPU_OFF on the only core: nothing will ever run again (the board stops as if
    /// powered off).
    CpuOff,
}

/// MPIDR affinity of the only core (Aff0 = 0, cluster 0).
fn is_cpu0(target: u32) -> bool {
    target & 0x00ff_ffff == 0
}

fn ret(v: i32) -> PsciResult {
    PsciResult::Return(v as u32)
}

/// Answers one PSCI call; `regs` are r0-r3 at the SMC.
pub fn psci_call(regs: [u32; 4]) -> PsciResult {
    let [fid, a1, a2, _a3] = regs;
    match fid {
        PSCI_VERSION => PsciResult::Return(VERSION_0_2),
        PSCI_FEATURES => match a1 {
            PSCI_VERSION | CPU_OFF | CPU_ON | AFFINITY_INFO | MIGRATE_INFO_TYPE | SYSTEM_OFF
            | SYSTEM_RESET | PSCI_FEATURES => ret(SUCCESS),
            _ => ret(NOT_SUPPORTED),
        },
        SYSTEM_OFF => PsciResult::Exit(Exit::PowerOff),
        SYSTEM_RESET => PsciResult::Exit(Exit::Reboot),
        CPU_ON => {
            if is_cpu0(a1) {
                ret(ALREADY_ON)
            } else {
                ret(INVALID_PARAMETERS)
            }
        }
        CPU_OFF => PsciResult::CpuOff,
        AFFINITY_INFO => {
            // a2 = lowest affinity level the target is valid at; only level 0 makes sense.
            if a2 != 0 || !is_cpu0(a1) {
                ret(INVALID_PARAMETERS)
            } else {
                ret(AFF_ON)
            }
        }
        MIGRATE_INFO_TYPE => PsciResult::Return(MIGRATE_NOT_REQUIRED),
        _ => {
            tracing::debug!(target: "psci", "unsupported PSCI function {fid:#010x}");
            ret(NOT_SUPPORTED)
        }
    }
}

impl Machine {
    /// Services a PSCI SMC the core stopped on: reads r0-r3, writes the result to r0.
    /// `Some(exit)` when the call stops the board.
    pub fn psci_smc(&mut self) -> Option<Exit> {
        let r = &self.cpu.s.regs;
        let regs = [r[0], r[1], r[2], r[3]];
        tracing::debug!(target: "psci", "PSCI call {:#010x} ({:#x}, {:#x}, {:#x})",
            regs[0], regs[1], regs[2], regs[3]);
        match psci_call(regs) {
            PsciResult::Return(v) => {
                self.cpu.s.regs[0] = v;
                None
            }
            PsciResult::Exit(e) => Some(e),
            PsciResult::CpuOff => Some(Exit::PowerOff),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(v: PsciResult) -> i32 {
        match v {
            PsciResult::Return(x) => x as i32,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn version_and_features() {
        assert_eq!(psci_call([PSCI_VERSION, 0, 0, 0]), PsciResult::Return(2));
        assert_eq!(r(psci_call([PSCI_FEATURES, SYSTEM_OFF, 0, 0])), SUCCESS);
        assert_eq!(r(psci_call([PSCI_FEATURES, CPU_ON, 0, 0])), SUCCESS);
        assert_eq!(
            r(psci_call([PSCI_FEATURES, CPU_SUSPEND, 0, 0])),
            NOT_SUPPORTED
        );
        assert_eq!(
            r(psci_call([PSCI_FEATURES, 0xc400_0003, 0, 0])),
            NOT_SUPPORTED,
            "SMC64 ids are not implemented"
        );
    }

    #[test]
    fn power_off_and_reset_stop_the_board() {
        assert_eq!(
            psci_call([SYSTEM_OFF, 0, 0, 0]),
            PsciResult::Exit(Exit::PowerOff)
        );
        assert_eq!(
            psci_call([SYSTEM_RESET, 0, 0, 0]),
            PsciResult::Exit(Exit::Reboot)
        );
        assert_eq!(psci_call([CPU_OFF, 0, 0, 0]), PsciResult::CpuOff);
    }

    #[test]
    fn cpu_on_and_affinity_info_know_one_core() {
        assert_eq!(r(psci_call([CPU_ON, 0, 0x8000_8000, 0])), ALREADY_ON);
        assert_eq!(
            r(psci_call([CPU_ON, 1, 0x8000_8000, 0])),
            INVALID_PARAMETERS
        );
        assert_eq!(r(psci_call([AFFINITY_INFO, 0, 0, 0])), AFF_ON);
        assert_eq!(r(psci_call([AFFINITY_INFO, 1, 0, 0])), INVALID_PARAMETERS);
        assert_eq!(
            psci_call([MIGRATE_INFO_TYPE, 0, 0, 0]),
            PsciResult::Return(MIGRATE_NOT_REQUIRED)
        );
    }

    #[test]
    fn unknown_functions_are_not_supported() {
        for fid in [CPU_SUSPEND, MIGRATE, MIGRATE_INFO_UP_CPU, 0, 0xffff_ffff] {
            assert_eq!(r(psci_call([fid, 0, 0, 0])), NOT_SUPPORTED, "{fid:#x}");
        }
        let _ = DENIED;
    }
}
