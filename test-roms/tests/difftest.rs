//! Random differential testing against QEMU: 2,000 random sequences of 32 instructions
//! in each instruction set, run under QEMU and a15emu, must all agree.
//!
//! Needs `arm-none-eabi-gcc` and `qemu-system-arm` (scripts/install-tools.sh installs
//! both); without them the test fails and says so rather than passing vacuously.
//! Run with `--release`: emulation is only usable optimized.

use test_roms::difftest::{run, Config, State};
use test_roms::{runner, toolchain};

const SEED: u64 = 0x0a15_d1ff;
const COUNT: usize = 2000;

fn check_tools() {
    assert!(
        toolchain::available(),
        "arm-none-eabi-gcc not found: run scripts/install-tools.sh"
    );
    assert!(
        runner::qemu_available(),
        "qemu-system-arm not found: run scripts/install-tools.sh"
    );
}

fn difftest(state: State) {
    check_tools();
    let mut cfg = Config::new(state, COUNT, SEED);
    cfg.len = 32;
    let s = run(&cfg).unwrap_or_else(|e| panic!("difftest ({}) could not run: {e}", state.name()));
    print!("{}", s.report);
    println!("difftest: {} passed, {} failed", s.passed, s.failed);
    assert_eq!(
        s.generator_bugs, 0,
        "{} sequences faulted under QEMU: generator bug",
        s.generator_bugs
    );
    assert_eq!(s.passed + s.failed, COUNT);
    assert_eq!(
        s.failed,
        0,
        "{} of {COUNT} {} sequences differ from QEMU (reproducers above)",
        s.failed,
        state.name()
    );
}

#[test]
fn difftest_arm() {
    difftest(State::Arm);
}

#[test]
fn difftest_thumb() {
    difftest(State::Thumb);
}

/// The generator and harness alone: every sequence runs under QEMU without faulting.
#[test]
fn generator_is_clean_under_qemu() {
    check_tools();
    for state in [State::Arm, State::Thumb] {
        let mut cfg = Config::new(state, COUNT, SEED ^ 0x5a5a);
        cfg.qemu_only = true;
        let s =
            run(&cfg).unwrap_or_else(|e| panic!("difftest ({}) could not run: {e}", state.name()));
        print!("{}", s.report);
        assert_eq!(
            s.failed,
            0,
            "generator produced faulting {} sequences",
            state.name()
        );
        assert_eq!(s.passed, COUNT);
    }
}

/// VFP: 2,000 sequences per instruction set mixing VFP data processing, conversions
/// (including fixed-point and half-precision), comparisons, core<->VFP transfers and
/// VFP loads/stores with integer code, from random D0-D31 and FPSCR (RMode, FZ, DN,
/// AHP) biased towards NaNs, infinities, zeros and denormals; FPSCR and D0-D31 are
/// compared too.
fn difftest_vfp(state: State) {
    check_tools();
    let mut cfg = Config::new(state, COUNT, SEED);
    cfg.vfp = true;
    cfg.len = 32;
    let s = run(&cfg).unwrap_or_else(|e| panic!("difftest ({}) could not run: {e}", cfg.label()));
    print!("{}", s.report);
    println!("difftest: {} passed, {} failed", s.passed, s.failed);
    assert_eq!(
        s.generator_bugs, 0,
        "{} sequences faulted under QEMU: generator bug",
        s.generator_bugs
    );
    assert_eq!(s.passed + s.failed, COUNT);
    assert_eq!(
        s.failed,
        0,
        "{} of {COUNT} {} sequences differ from QEMU (reproducers above)",
        s.failed,
        cfg.label()
    );
}

#[test]
fn difftest_arm_vfp() {
    difftest_vfp(State::Arm);
}

#[test]
fn difftest_thumb_vfp() {
    difftest_vfp(State::Thumb);
}
