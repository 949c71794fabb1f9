//! Trap controls to Hyp mode (issue 5, "Must exist" item 2 and the CNTHCTL trap of item
//! 5): for each HCR, HSTR, HCPTR, HDCR and CNTHCTL control, code at Non-secure PL1 (and
//! PL0 where it matters) traps with the exact HSR (EC, IL, CV/COND and the ISS fields)
//! and ELR_hyp; with the control clear the access completes; Hyp mode and Secure state
//! never trap; and the priority between UNDEFINED and a trap follows the Arm ARM (B1.14).
//!
//! Encodings assembled with arm-none-eabi-as (listed beside each constant).

use emu_core::hyp_traps::{control_for, hcptr, hcr, hdcr, hstr};
use emu_core::state::{psr, scr};
use emu_core::sysreg::CpReg;
use emu_core::timer::ClockSource;
use emu_core::{Cpu, CpuConfig, Exception, Mode, Ram, StopReason};

const BASE: u32 = 0x8000_0000;
const CODE: u32 = BASE + 0x1000;
const B_SELF: u32 = 0xeafffffe;

// A32 encodings.
const MCR_SCTLR_R2: u32 = 0xee012f10; // mcr p15, 0, r2, c1, c0, 0
const MRC_SCTLR_R2: u32 = 0xee112f10; // mrc p15, 0, r2, c1, c0, 0
const MCRNE_CONTEXTIDR_R3: u32 = 0x1e0d3f30; // mcrne p15, 0, r3, c13, c0, 1
const MCRR_TTBR0_R4_R5: u32 = 0xec454f02; // mcrr p15, 0, r4, r5, c2
const MCRR_TTBR1_R4_R5: u32 = 0xec454f12; // mcrr p15, 1, r4, r5, c2
const MRC_TCMTR_R6: u32 = 0xee106f50; // mrc p15, 0, r6, c0, c0, 2
const MRC_AIDR_R6: u32 = 0xee306ff0; // mrc p15, 1, r6, c0, c0, 7
const MRC_CTR_R7: u32 = 0xee107f30; // mrc p15, 0, r7, c0, c0, 1
const MRC_CCSIDR_R7: u32 = 0xee307f10; // mrc p15, 1, r7, c0, c0, 0
const MCR_CSSELR_R7: u32 = 0xee407f10; // mcr p15, 2, r7, c0, c0, 0
const MRC_ID_ISAR5_R8: u32 = 0xee108fb2; // mrc p15, 0, r8, c0, c2, 5
const MRC_ID_PFR0_R8: u32 = 0xee108f11; // mrc p15, 0, r8, c0, c1, 0
const VMRS_R9_FPSID: u32 = 0xeef09a10;
const VMRS_R9_MVFR0: u32 = 0xeef79a10;
const VMRS_R9_FPEXC: u32 = 0xeef89a10;
const VMSR_FPEXC_R9: u32 = 0xeee89a10;
const MRC_JIDR_R10: u32 = 0xeef0ae10; // mrc p14, 7, r10, c0, c0, 0
const MRC_L2CTLR_R11: u32 = 0xee39bf50; // mrc p15, 1, r11, c9, c0, 2
const MRC_IMPDEF_R11: u32 = 0xee7bbfd5; // mrc p15, 3, r11, c11, c5, 6 (not implemented)
const MRC_ACTLR_R12: u32 = 0xee11cf30; // mrc p15, 0, r12, c1, c0, 1
const MCR_DCCSW_R12: u32 = 0xee07cf5a; // mcr p15, 0, r12, c7, c10, 2
const MCR_DCCMVAC_R12: u32 = 0xee07cf3a; // mcr p15, 0, r12, c7, c10, 1
const MCR_ICIALLU_R12: u32 = 0xee07cf15; // mcr p15, 0, r12, c7, c5, 0
const MCR_TLBIALL_R12: u32 = 0xee08cf17; // mcr p15, 0, r12, c8, c7, 0
const SMC0: u32 = 0xe1600070;
const MRC_HCR_R1: u32 = 0xee911f11; // mrc p15, 4, r1, c1, c1, 0
const MRC_TPIDRURO_R1: u32 = 0xee1d1f70; // mrc p15, 0, r1, c13, c0, 3
const MRC_TPIDRPRW_R1: u32 = 0xee1d1f90; // mrc p15, 0, r1, c13, c0, 4
const MRRC_CNTPCT_R2_R3: u32 = 0xec532f0e; // mrrc p15, 0, r2, r3, c14
const MRC_CNTP_CTL_R2: u32 = 0xee1e2f32; // mrc p15, 0, r2, c14, c2, 1
const MRC_TEEHBR_R2: u32 = 0xeed12e10; // mrc p14, 6, r2, c1, c0, 0
const BXJ_R3: u32 = 0xe12fff23;
const MCR_JOSCR_R2: u32 = 0xeee12e10; // mcr p14, 7, r2, c1, c0, 0
const VADD_F32: u32 = 0xee300a81; // vadd.f32 s0, s1, s2
const VADD_F64: u32 = 0xee310b02; // vadd.f64 d0, d1, d2
const VLDR_D3: u32 = 0xed913b02; // vldr d3, [r1, #8]
const MRC_CPACR_R2: u32 = 0xee112f50; // mrc p15, 0, r2, c1, c0, 2
const MRC_TRACE_R2: u32 = 0xee302e11; // mrc p14, 1, r2, c0, c1, 0
const MRC_PMCCNTR_R2: u32 = 0xee192f1d; // mrc p15, 0, r2, c9, c13, 0
const MRC_PMCR_R2: u32 = 0xee192f1c; // mrc p15, 0, r2, c9, c12, 0
const MRC_DBGDRAR_R2: u32 = 0xee112e10; // mrc p14, 0, r2, c1, c0, 0
const MRC_DBGOSLSR_R2: u32 = 0xee112e91; // mrc p14, 0, r2, c1, c1, 4
const MRC_DBGDSCRINT_R2: u32 = 0xee102e11; // mrc p14, 0, r2, c0, c1, 0
const MRC_DBGBVR0_R2: u32 = 0xee102e90; // mrc p14, 0, r2, c0, c0, 4
const BKPT_12: u32 = 0xe1200172;
const LDC_P14_C5_PRE: u32 = 0xed315e02; // ldc p14, c5, [r1, #-8]!
const STC_P14_C5_POST: u32 = 0xeca15e01; // stc p14, c5, [r1], #4

// T32 encodings (halfwords in order).
const T32_MCR_SCTLR_R2: [u16; 2] = [0xee01, 0x2f10];
const T32_IT_EQ: u16 = 0xbf08;
const T32_BXJ_R4: [u16; 2] = [0xf3c4, 0x8f00];
const T32_VMRS_R5_FPSID: [u16; 2] = [0xeef0, 0x5a10];

// HSR exception classes.
const EC_CP15: u32 = 0x03;
const EC_CP15_64: u32 = 0x04;
const EC_CP14: u32 = 0x05;
const EC_LDC_STC: u32 = 0x06;
const EC_HCPTR: u32 = 0x07;
const EC_VMRS: u32 = 0x08;
const EC_BXJ: u32 = 0x0a;
const EC_SMC: u32 = 0x13;
const EC_PABT_LOWER: u32 = 0x20;
const IL: u32 = 1 << 25;
const AL: u32 = 0xe;

/// The expected HSR of an MCR/MRC (built independently of the emulator's helpers).
#[allow(clippy::too_many_arguments)]
fn cp32(ec: u32, cond: u32, opc1: u32, crn: u32, rt: u32, crm: u32, opc2: u32, read: bool) -> u32 {
    ec << 26
        | IL
        | 1 << 24
        | cond << 20
        | opc2 << 17
        | opc1 << 14
        | crn << 10
        | rt << 5
        | crm << 1
        | read as u32
}

fn cp64(ec: u32, opc1: u32, rt2: u32, rt: u32, crm: u32, read: bool) -> u32 {
    ec << 26 | IL | 1 << 24 | AL << 20 | opc1 << 16 | rt2 << 10 | rt << 5 | crm << 1 | read as u32
}

fn cfg() -> CpuConfig {
    CpuConfig {
        virtualization: true,
        clock: ClockSource::Instructions,
        ..CpuConfig::default()
    }
}

fn load_bytes(c: &mut Cpu, at: u32, bytes: &[u8]) {
    c.ram
        .slice_mut(at as u64, bytes.len())
        .unwrap()
        .copy_from_slice(bytes);
}

/// A core in `mode` (Non-secure, HVC enabled), HVBAR = BASE (vectors spin), `code` at
/// CODE, VFP enabled for PL0 and PL1, the given trap controls set.
fn ns_cpu(code: &[u32], mode: Mode) -> Cpu {
    let mut c = Cpu::new(cfg(), Ram::new(BASE as u64, 1 << 20).unwrap());
    let bytes: Vec<u8> = code.iter().flat_map(|w| w.to_le_bytes()).collect();
    load_bytes(&mut c, CODE, &bytes);
    let v: Vec<u8> = [B_SELF; 8].iter().flat_map(|w| w.to_le_bytes()).collect();
    load_bytes(&mut c, BASE, &v);
    c.reset(CODE, mode);
    c.s.scr = scr::NS | scr::HCE;
    c.s.hvbar = BASE;
    c.s.cpacr = 0x00f0_0000;
    c.s.fpexc = 1 << 30;
    c
}

fn t32_cpu(halves: &[u16], mode: Mode) -> Cpu {
    let mut c = ns_cpu(&[], mode);
    let bytes: Vec<u8> = halves.iter().flat_map(|h| h.to_le_bytes()).collect();
    load_bytes(&mut c, CODE, &bytes);
    c.s.thumb = 1;
    c
}

/// Steps one instruction and asserts it trapped to Hyp mode from `mode`: the Hyp Trap
/// vector, ELR_hyp = the instruction at `at`, SPSR_hyp = the old mode. Returns the HSR.
fn expect_trap(c: &mut Cpu, at: u32) -> u32 {
    let mode = c.s.mode();
    c.s.hsr = 0xdead_beef;
    c.step();
    assert_eq!(c.s.mode(), Mode::Hyp, "no trap from {mode:?} at {at:#x}");
    assert_eq!(c.s.regs[15], BASE + 0x14, "Hyp Trap vector");
    assert_eq!(c.s.elr_hyp, at, "ELR_hyp = the trapped instruction");
    assert_eq!(c.s.read_spsr_of(Mode::Hyp) & 0x1f, mode as u32);
    c.s.hsr
}

/// Steps one instruction and asserts it completed (no exception, same mode, next PC).
fn expect_completes(c: &mut Cpu, next: u32) {
    let mode = c.s.mode();
    let stop = c.step();
    assert!(stop.is_none() || stop == Some(StopReason::Smc), "{stop:?}");
    assert_eq!(
        (c.s.mode(), c.s.regs[15]),
        (mode, next),
        "the instruction completes"
    );
}

/// Steps one instruction and asserts it was UNDEFINED, taken at PL1 (Undefined mode).
fn expect_undefined(c: &mut Cpu) {
    c.step();
    assert_eq!(c.s.mode(), Mode::Und, "UNDEFINED, not trapped");
}

/// One instruction at NS SVC with `setup` applied: the HSR it traps with.
fn trap_one(insn: u32, setup: impl Fn(&mut Cpu)) -> u32 {
    let mut c = ns_cpu(&[insn], Mode::Svc);
    setup(&mut c);
    expect_trap(&mut c, CODE)
}

/// One instruction at NS SVC with `setup` applied completes.
fn completes_one(insn: u32, setup: impl Fn(&mut Cpu)) {
    let mut c = ns_cpu(&[insn, B_SELF], Mode::Svc);
    setup(&mut c);
    expect_completes(&mut c, CODE + 4);
}

/// The same instruction in Hyp mode with `setup` applied: no trap (completes).
fn hyp_completes(insn: u32, setup: impl Fn(&mut Cpu)) {
    let mut c = ns_cpu(&[insn, B_SELF], Mode::Hyp);
    setup(&mut c);
    expect_completes(&mut c, CODE + 4);
}

/// And in Secure SVC: no trap either.
fn secure_completes(insn: u32, setup: impl Fn(&mut Cpu)) {
    let mut c = ns_cpu(&[insn, B_SELF], Mode::Svc);
    setup(&mut c);
    c.s.scr = 0;
    expect_completes(&mut c, CODE + 4);
}

fn set_hcr(bits: u32) -> impl Fn(&mut Cpu) {
    move |c: &mut Cpu| c.s.hcr = bits
}

#[test]
fn hcr_tvm_traps_writes_to_the_memory_control_registers() {
    let h = trap_one(MCR_SCTLR_R2, set_hcr(hcr::TVM));
    assert_eq!(h, cp32(EC_CP15, AL, 0, 1, 2, 0, 0, false));
    assert_eq!(h, 0x0fe0_0440);
    // Reads are not trapped; without TVM the write completes; Hyp and Secure: no trap.
    // The control behind it, for statistics.
    let mut c = ns_cpu(&[MCR_SCTLR_R2], Mode::Svc);
    c.s.hcr = hcr::TVM | hcr::TAC;
    expect_trap(&mut c, CODE);
    assert_eq!(control_for(&c.s, c.s.hsr), Some("HCR.TVM"));
    c.s.hstr = 1 << 1;
    assert_eq!(control_for(&c.s, c.s.hsr), Some("HSTR.T1"));
    c.s.hstr = 0;
    c.s.hcr = 0;
    assert_eq!(control_for(&c.s, c.s.hsr), None);
    completes_one(MRC_SCTLR_R2, set_hcr(hcr::TVM));
    completes_one(MCR_SCTLR_R2, set_hcr(0));
    hyp_completes(MCR_SCTLR_R2, set_hcr(hcr::TVM));
    secure_completes(MCR_SCTLR_R2, set_hcr(hcr::TVM));
    // A conditional MCR reports its condition (NE = 1).
    let h = trap_one(MCRNE_CONTEXTIDR_R3, |c| {
        c.s.hcr = hcr::TVM;
        c.s.zf = 0; // Z clear: NE passes
    });
    assert_eq!(h, cp32(EC_CP15, 0x1, 0, 13, 3, 0, 1, false));
    // 64-bit TTBR0/TTBR1 writes: EC 0x04 with Opc1, Rt2, Rt, CRm.
    let h = trap_one(MCRR_TTBR0_R4_R5, set_hcr(hcr::TVM));
    assert_eq!(h, cp64(EC_CP15_64, 0, 5, 4, 2, false));
    let h = trap_one(MCRR_TTBR1_R4_R5, set_hcr(hcr::TVM));
    assert_eq!(h, cp64(EC_CP15_64, 1, 5, 4, 2, false));
    completes_one(MCRR_TTBR1_R4_R5, set_hcr(0));
    // Every register of the TVM group, by direct access (syndrome with R0, AL).
    let tvm: [(u8, u8, u8, u8); 16] = [
        (0, 1, 0, 0),  // SCTLR
        (0, 2, 0, 0),  // TTBR0
        (0, 2, 0, 1),  // TTBR1
        (0, 2, 0, 2),  // TTBCR
        (0, 3, 0, 0),  // DACR
        (0, 5, 0, 0),  // DFSR
        (0, 5, 0, 1),  // IFSR
        (0, 5, 1, 0),  // ADFSR
        (0, 5, 1, 1),  // AIFSR
        (0, 6, 0, 0),  // DFAR
        (0, 6, 0, 2),  // IFAR
        (0, 10, 2, 0), // PRRR
        (0, 10, 2, 1), // NMRR
        (0, 10, 3, 0), // AMAIR0
        (0, 10, 3, 1), // AMAIR1
        (0, 13, 0, 1), // CONTEXTIDR
    ];
    let mut c = ns_cpu(&[], Mode::Svc);
    for (opc1, crn, crm, opc2) in tvm {
        let enc = cp15(opc1, crn, crm, opc2);
        c.s.hcr = hcr::TVM;
        let want = cp32(
            EC_CP15,
            AL,
            opc1 as u32,
            crn as u32,
            0,
            crm as u32,
            opc2 as u32,
            false,
        );
        assert_eq!(c.cp_write(enc, 0), Err(Exception::HypTrap(want)), "{enc:?}");
        assert!(c.cp_read(enc).is_ok(), "{enc:?} read");
        c.s.hcr = 0;
        let v = c.cp_read(enc).unwrap();
        assert_eq!(c.cp_write(enc, v), Ok(()), "{enc:?}");
    }
}

#[test]
fn t32_syndromes_il_and_it_condition() {
    // A 32-bit T32 MCR outside an IT block: IL = 1, COND = AL.
    let mut c = t32_cpu(&T32_MCR_SCTLR_R2, Mode::Svc);
    c.s.hcr = hcr::TVM;
    assert_eq!(
        expect_trap(&mut c, CODE),
        cp32(EC_CP15, AL, 0, 1, 2, 0, 0, false)
    );
    // Inside IT EQ: COND = EQ (0); ELR_hyp = the MCR, not the IT.
    let mut c = t32_cpu(
        &[T32_IT_EQ, T32_MCR_SCTLR_R2[0], T32_MCR_SCTLR_R2[1]],
        Mode::Svc,
    );
    c.s.hcr = hcr::TVM;
    c.s.zf = 1; // Z set: EQ passes
    c.step();
    assert_eq!(
        expect_trap(&mut c, CODE + 2),
        cp32(EC_CP15, 0, 0, 1, 2, 0, 0, false)
    );
    assert_eq!(c.s.itstate, 0, "ITSTATE cleared on entry");
    assert_ne!(
        c.s.read_spsr_of(Mode::Hyp) & 0x0600_fc00,
        0,
        "SPSR keeps ITSTATE"
    );
}

#[test]
fn hcr_tid_groups() {
    let cases: [(u32, u32, u32); 8] = [
        (
            MRC_TCMTR_R6,
            hcr::TID1,
            cp32(EC_CP15, AL, 0, 0, 6, 0, 2, true),
        ),
        (
            MRC_AIDR_R6,
            hcr::TID1,
            cp32(EC_CP15, AL, 1, 0, 6, 0, 7, true),
        ),
        (
            MRC_CTR_R7,
            hcr::TID2,
            cp32(EC_CP15, AL, 0, 0, 7, 0, 1, true),
        ),
        (
            MRC_CCSIDR_R7,
            hcr::TID2,
            cp32(EC_CP15, AL, 1, 0, 7, 0, 0, true),
        ),
        (
            MCR_CSSELR_R7,
            hcr::TID2,
            cp32(EC_CP15, AL, 2, 0, 7, 0, 0, false),
        ),
        (
            MRC_ID_ISAR5_R8,
            hcr::TID3,
            cp32(EC_CP15, AL, 0, 0, 8, 2, 5, true),
        ),
        (
            MRC_ID_PFR0_R8,
            hcr::TID3,
            cp32(EC_CP15, AL, 0, 0, 8, 1, 0, true),
        ),
        (
            MRC_JIDR_R10,
            hcr::TID0,
            cp32(EC_CP14, AL, 7, 0, 10, 0, 0, true),
        ),
    ];
    let all = hcr::TID0 | hcr::TID1 | hcr::TID2 | hcr::TID3;
    for (insn, bit, want) in cases {
        assert_eq!(trap_one(insn, set_hcr(bit)), want, "{insn:#010x}");
        // The other ID groups leave it alone; Hyp mode is not trapped.
        completes_one(insn, set_hcr(all & !bit));
        hyp_completes(insn, set_hcr(all));
    }
    // VMRS of FPSID (TID0) and MVFR0 (TID3): EC 0x08, MRC p10, 7, Rt, c<reg>, c0, 0.
    let vmrs =
        |reg: u32| (EC_VMRS << 26) | IL | 1 << 24 | AL << 20 | 7 << 14 | reg << 10 | 9 << 5 | 1;
    assert_eq!(trap_one(VMRS_R9_FPSID, set_hcr(hcr::TID0)), vmrs(0));
    assert_eq!(trap_one(VMRS_R9_MVFR0, set_hcr(hcr::TID3)), vmrs(7));
    completes_one(VMRS_R9_FPSID, set_hcr(hcr::TID3));
    completes_one(VMRS_R9_MVFR0, set_hcr(hcr::TID0));
    hyp_completes(VMRS_R9_FPSID, set_hcr(all));
    // T32 VMRS FPSID: same syndrome with Rt = 5.
    let mut c = t32_cpu(&T32_VMRS_R5_FPSID, Mode::Svc);
    c.s.hcr = hcr::TID0;
    assert_eq!(
        expect_trap(&mut c, CODE),
        (EC_VMRS << 26) | IL | 1 << 24 | AL << 20 | 7 << 14 | 5 << 5 | 1
    );
    // Priority: VMRS FPSID from PL0 is UNDEFINED, not trapped.
    let mut c = ns_cpu(&[VMRS_R9_FPSID], Mode::Usr);
    c.s.hcr = hcr::TID0;
    expect_undefined(&mut c);
}

#[test]
fn hcr_tidcp_tac_tsw_tpc_tpu_ttlb() {
    // TIDCP: the implemented L2CTLR and an unimplemented encoding of the space both trap
    // at PL1; without TIDCP the unimplemented one is UNDEFINED.
    assert_eq!(
        trap_one(MRC_L2CTLR_R11, set_hcr(hcr::TIDCP)),
        cp32(EC_CP15, AL, 1, 9, 11, 0, 2, true)
    );
    assert_eq!(
        trap_one(MRC_IMPDEF_R11, set_hcr(hcr::TIDCP)),
        cp32(EC_CP15, AL, 3, 11, 11, 5, 6, true)
    );
    completes_one(MRC_L2CTLR_R11, set_hcr(0));
    let mut c = ns_cpu(&[MRC_IMPDEF_R11], Mode::Svc);
    expect_undefined(&mut c);
    // At PL0 the TIDCP space is UNDEFINED.
    let mut c = ns_cpu(&[MRC_IMPDEF_R11], Mode::Usr);
    c.s.hcr = hcr::TIDCP;
    expect_undefined(&mut c);
    hyp_completes(MRC_L2CTLR_R11, set_hcr(hcr::TIDCP));

    // TAC: ACTLR.
    assert_eq!(
        trap_one(MRC_ACTLR_R12, set_hcr(hcr::TAC)),
        cp32(EC_CP15, AL, 0, 1, 12, 0, 1, true)
    );
    completes_one(MRC_ACTLR_R12, set_hcr(hcr::TVM));
    // Cache and TLB maintenance: each only by its own control.
    let ops: [(u32, u32, u32, u32); 4] = [
        (MCR_DCCSW_R12, hcr::TSW, 10, 2),
        (MCR_DCCMVAC_R12, hcr::TPC, 10, 1),
        (MCR_ICIALLU_R12, hcr::TPU, 5, 0),
        (MCR_TLBIALL_R12, hcr::TTLB, 7, 0),
    ];
    let all = hcr::TSW | hcr::TPC | hcr::TPU | hcr::TTLB;
    for (insn, bit, crm, opc2) in ops {
        let crn = if bit == hcr::TTLB { 8 } else { 7 };
        assert_eq!(
            trap_one(insn, set_hcr(bit)),
            cp32(EC_CP15, AL, 0, crn, 12, crm, opc2, false),
            "{insn:#010x}"
        );
        completes_one(insn, set_hcr(all & !bit));
        hyp_completes(insn, set_hcr(all));
        secure_completes(insn, set_hcr(all));
    }
}

#[test]
fn hcr_tsc_traps_smc() {
    let h = trap_one(SMC0, set_hcr(hcr::TSC));
    assert_eq!(h, EC_SMC << 26 | IL | 1 << 24 | AL << 20);
    // Without TSC: the board's firmware takes it (or UNDEFINED without firmware).
    let mut c = ns_cpu(&[SMC0], Mode::Svc);
    c.cfg.firmware_smc = true;
    assert_eq!(c.step(), Some(StopReason::Smc));
    let mut c = ns_cpu(&[SMC0], Mode::Svc);
    expect_undefined(&mut c);
    // TSC traps before the firmware sees the call.
    let mut c = ns_cpu(&[SMC0], Mode::Svc);
    c.cfg.firmware_smc = true;
    c.s.hcr = hcr::TSC;
    expect_trap(&mut c, CODE);
    // PL0: UNDEFINED; Hyp mode: not trapped.
    let mut c = ns_cpu(&[SMC0], Mode::Usr);
    c.s.hcr = hcr::TSC;
    expect_undefined(&mut c);
    let mut c = ns_cpu(&[SMC0], Mode::Hyp);
    c.cfg.firmware_smc = true;
    c.s.hcr = hcr::TSC;
    assert_eq!(c.step(), Some(StopReason::Smc));
}

#[test]
fn hstr_traps_by_crn_and_crm() {
    let t = |n: u32| move |c: &mut Cpu| c.s.hstr = 1 << n;
    // T1: SCTLR reads and writes.
    assert_eq!(
        trap_one(MRC_SCTLR_R2, t(1)),
        cp32(EC_CP15, AL, 0, 1, 2, 0, 0, true)
    );
    completes_one(MRC_SCTLR_R2, t(2));
    hyp_completes(MRC_SCTLR_R2, |c| c.s.hstr = 0xbfef);
    secure_completes(MRC_SCTLR_R2, |c| c.s.hstr = 0xbfef);
    // Priority at PL1: HCR (a PL2 register, UNDEFINED at PL1) traps under T1.
    assert_eq!(
        trap_one(MRC_HCR_R1, t(1)),
        cp32(EC_CP15, AL, 4, 1, 1, 1, 0, true)
    );
    let mut c = ns_cpu(&[MRC_HCR_R1], Mode::Svc);
    expect_undefined(&mut c);
    // T2 with MCRR: CRm = c2.
    assert_eq!(
        trap_one(MCRR_TTBR0_R4_R5, t(2)),
        cp64(EC_CP15_64, 0, 5, 4, 2, false)
    );
    // T14 is reserved: the timer's CRn = c14 registers never trap by HSTR.
    let mut c = ns_cpu(&[MRC_CNTP_CTL_R2, B_SELF], Mode::Svc);
    c.s.hstr = 1 << 14;
    expect_completes(&mut c, CODE + 4);
    // Priority at PL0: T13 traps TPIDRURO (readable at PL0) but not TPIDRPRW (UNDEFINED
    // at PL0).
    let mut c = ns_cpu(&[MRC_TPIDRURO_R1], Mode::Usr);
    c.s.hstr = 1 << 13;
    assert_eq!(
        expect_trap(&mut c, CODE),
        cp32(EC_CP15, AL, 0, 13, 1, 0, 3, true)
    );
    let mut c = ns_cpu(&[MRC_TPIDRPRW_R1], Mode::Usr);
    c.s.hstr = 1 << 13;
    expect_undefined(&mut c);
}

#[test]
fn hstr_ttee_and_tjdbx() {
    // TTEE: TEEHBR (CP14, EC 0x05), also from PL0 while TEECR.XED allows it.
    let h = trap_one(MRC_TEEHBR_R2, |c| c.s.hstr = hstr::TTEE);
    assert_eq!(h, cp32(EC_CP14, AL, 6, 1, 2, 0, 0, true));
    let mut c = ns_cpu(&[MRC_TEEHBR_R2], Mode::Usr);
    c.s.hstr = hstr::TTEE;
    expect_trap(&mut c, CODE);
    let mut c = ns_cpu(&[MRC_TEEHBR_R2], Mode::Usr);
    c.s.hstr = hstr::TTEE;
    c.s.teecr = 1; // XED: PL0 access UNDEFINED first
    expect_undefined(&mut c);
    completes_one(MRC_TEEHBR_R2, |c| c.s.hstr = hstr::TJDBX);
    // TJDBX: BXJ (EC 0x0A with Rm), from PL1 and PL0; JOSCR.
    let h = trap_one(BXJ_R3, |c| c.s.hstr = hstr::TJDBX);
    assert_eq!(h, EC_BXJ << 26 | IL | 1 << 24 | AL << 20 | 3);
    let mut c = ns_cpu(&[BXJ_R3], Mode::Usr);
    c.s.hstr = hstr::TJDBX;
    expect_trap(&mut c, CODE);
    let mut c = t32_cpu(&T32_BXJ_R4, Mode::Svc);
    c.s.hstr = hstr::TJDBX;
    assert_eq!(
        expect_trap(&mut c, CODE),
        EC_BXJ << 26 | IL | 1 << 24 | AL << 20 | 4
    );
    // Without the trap BXJ is BX.
    let mut c = ns_cpu(&[BXJ_R3], Mode::Svc);
    c.s.regs[3] = CODE + 0x41;
    c.step();
    assert_eq!(
        (c.s.mode(), c.s.regs[15], c.s.thumb),
        (Mode::Svc, CODE + 0x40, 1)
    );
    assert_eq!(
        trap_one(MCR_JOSCR_R2, |c| c.s.hstr = hstr::TJDBX),
        cp32(EC_CP14, AL, 7, 1, 2, 0, 0, false)
    );
    completes_one(MCR_JOSCR_R2, |c| c.s.hstr = 0);
    // The bits are writable in Hyp mode.
    let mut c = ns_cpu(&[], Mode::Hyp);
    c.cp_write(cp15(4, 1, 1, 3), 0xffff_ffff).unwrap();
    assert_eq!(c.s.hstr, 0x3_bfef);
}

#[test]
fn hcptr_traps_vfp_after_cpacr_and_fpexc() {
    let tcp = |c: &mut Cpu| c.s.hcptr |= hcptr::TCP10 | hcptr::TCP11;
    // EC 0x07 with the encoding's coprocessor: 10 for single, 11 for double precision.
    assert_eq!(
        trap_one(VADD_F32, tcp),
        EC_HCPTR << 26 | IL | 1 << 24 | AL << 20 | 10
    );
    assert_eq!(
        trap_one(VADD_F64, tcp),
        EC_HCPTR << 26 | IL | 1 << 24 | AL << 20 | 11
    );
    assert_eq!(
        trap_one(VLDR_D3, |c| {
            tcp(c);
            c.s.regs[1] = BASE;
        }),
        EC_HCPTR << 26 | IL | 1 << 24 | AL << 20 | 11
    );
    // VMRS/VMSR of FPEXC: trapped too (they do not need FPEXC.EN).
    assert_eq!(
        trap_one(VMRS_R9_FPEXC, |c| {
            tcp(c);
            c.s.fpexc = 0;
        }),
        EC_HCPTR << 26 | IL | 1 << 24 | AL << 20 | 10
    );
    assert_eq!(trap_one(VMSR_FPEXC_R9, tcp) >> 26, EC_HCPTR);
    // From PL0 too.
    let mut c = ns_cpu(&[VADD_F32], Mode::Usr);
    tcp(&mut c);
    expect_trap(&mut c, CODE);
    // Priority: CPACR and FPEXC.EN make the instruction UNDEFINED first.
    let mut c = ns_cpu(&[VADD_F32], Mode::Svc);
    tcp(&mut c);
    c.s.cpacr = 0;
    expect_undefined(&mut c);
    let mut c = ns_cpu(&[VADD_F32], Mode::Usr);
    tcp(&mut c);
    c.s.cpacr = 0x0050_0000; // PL1 only
    expect_undefined(&mut c);
    let mut c = ns_cpu(&[VADD_F32], Mode::Svc);
    tcp(&mut c);
    c.s.fpexc = 0;
    expect_undefined(&mut c);
    // Clear: the instruction completes; Secure state: not trapped.
    completes_one(VADD_F64, |_| {});
    secure_completes(VADD_F64, tcp);
    // In Hyp mode (CPACR ignored) the access is UNDEFINED, taken in Hyp mode through
    // the Undefined vector, with the HCPTR syndrome (EC 0x07, as QEMU).
    let mut c = ns_cpu(&[VADD_F32], Mode::Hyp);
    tcp(&mut c);
    c.step();
    assert_eq!(
        (c.s.mode(), c.s.regs[15], c.s.elr_hyp, c.s.hsr),
        (
            Mode::Hyp,
            BASE + 0x04,
            CODE,
            EC_HCPTR << 26 | IL | 1 << 24 | AL << 20 | 10
        )
    );
    hyp_completes(VADD_F32, |c| c.s.cpacr = 0);
}

#[test]
fn hcptr_tcpac_and_tta() {
    let h = trap_one(MRC_CPACR_R2, |c| c.s.hcptr |= hcptr::TCPAC);
    assert_eq!(h, cp32(EC_CP15, AL, 0, 1, 2, 0, 2, true));
    completes_one(MRC_CPACR_R2, |c| c.s.hcptr |= hcptr::TTA);
    hyp_completes(MRC_CPACR_R2, |c| c.s.hcptr |= hcptr::TCPAC);
    // TTA: the CP14 trace registers (none implemented: UNDEFINED without the trap).
    let h = trap_one(MRC_TRACE_R2, |c| c.s.hcptr |= hcptr::TTA);
    assert_eq!(h, cp32(EC_CP14, AL, 1, 0, 2, 1, 0, true));
    let mut c = ns_cpu(&[MRC_TRACE_R2], Mode::Svc);
    expect_undefined(&mut c);
    let mut c = ns_cpu(&[MRC_TRACE_R2], Mode::Usr);
    c.s.hcptr |= hcptr::TTA;
    expect_undefined(&mut c);
    // TCPAC is writable (A15 TRM).
    let mut c = ns_cpu(&[], Mode::Hyp);
    c.cp_write(cp15(4, 1, 1, 2), hcptr::TCPAC).unwrap();
    assert_ne!(c.s.hcptr & hcptr::TCPAC, 0);
}

#[test]
fn hdcr_pmu_traps() {
    let tpm = |c: &mut Cpu| c.s.hdcr |= hdcr::TPM;
    let tpmcr = |c: &mut Cpu| c.s.hdcr |= hdcr::TPMCR;
    assert_eq!(
        trap_one(MRC_PMCCNTR_R2, tpm),
        cp32(EC_CP15, AL, 0, 9, 2, 13, 0, true)
    );
    assert_eq!(
        trap_one(MRC_PMCR_R2, tpm),
        cp32(EC_CP15, AL, 0, 9, 2, 12, 0, true)
    );
    assert_eq!(
        trap_one(MRC_PMCR_R2, tpmcr),
        cp32(EC_CP15, AL, 0, 9, 2, 12, 0, true)
    );
    completes_one(MRC_PMCCNTR_R2, tpmcr);
    hyp_completes(MRC_PMCCNTR_R2, tpm);
    // HDCR.HPMN: PMCR.N as Non-secure PL1 sees it (Hyp mode sees all 6 counters).
    let mut c = ns_cpu(&[], Mode::Svc);
    assert_eq!((c.cp_read(cp15(0, 9, 12, 0)).unwrap() >> 11) & 0x1f, 6);
    c.s.hdcr = 2;
    assert_eq!((c.cp_read(cp15(0, 9, 12, 0)).unwrap() >> 11) & 0x1f, 2);
    c.s.switch_mode(Mode::Hyp);
    assert_eq!((c.cp_read(cp15(0, 9, 12, 0)).unwrap() >> 11) & 0x1f, 6);
    // PL0: trapped only while PMUSERENR.EN allows the access.
    let mut c = ns_cpu(&[MRC_PMCCNTR_R2], Mode::Usr);
    tpm(&mut c);
    expect_undefined(&mut c);
    let mut c = ns_cpu(&[MRC_PMCCNTR_R2], Mode::Usr);
    tpm(&mut c);
    c.s.pmuserenr = 1;
    expect_trap(&mut c, CODE);
}

#[test]
fn hdcr_debug_traps_and_tde() {
    let with = |bits: u32| move |c: &mut Cpu| c.s.hdcr |= bits;
    let cases: [(u32, u32, u32); 4] = [
        (
            MRC_DBGDRAR_R2,
            hdcr::TDRA,
            cp32(EC_CP14, AL, 0, 1, 2, 0, 0, true),
        ),
        (
            MRC_DBGOSLSR_R2,
            hdcr::TDOSA,
            cp32(EC_CP14, AL, 0, 1, 2, 1, 4, true),
        ),
        (
            MRC_DBGDSCRINT_R2,
            hdcr::TDA,
            cp32(EC_CP14, AL, 0, 0, 2, 1, 0, true),
        ),
        (
            MRC_DBGBVR0_R2,
            hdcr::TDA,
            cp32(EC_CP14, AL, 0, 0, 2, 0, 4, true),
        ),
    ];
    let all = hdcr::TDRA | hdcr::TDOSA | hdcr::TDA;
    for (insn, bit, want) in cases {
        assert_eq!(trap_one(insn, with(bit)), want, "{insn:#010x}");
        completes_one(insn, with(all & !bit));
        // TDE (and HCR.TGE) act as if all three were set.
        assert_eq!(trap_one(insn, with(hdcr::TDE)), want);
        assert_eq!(trap_one(insn, set_hcr(hcr::TGE)), want);
        hyp_completes(insn, with(all | hdcr::TDE));
    }
    // BKPT: with TDE a debug exception taken to Hyp mode: Prefetch Abort from a lower
    // level, IFSC = debug event, ELR_hyp = the BKPT.
    let h = trap_one(BKPT_12, with(hdcr::TDE));
    assert_eq!(h, EC_PABT_LOWER << 26 | IL | 0b100010);
    let mut c = ns_cpu(&[BKPT_12], Mode::Usr);
    c.s.hdcr = hdcr::TDE;
    expect_trap(&mut c, CODE);
    let mut c = ns_cpu(&[BKPT_12], Mode::Svc);
    c.s.hdcr = all;
    c.step();
    assert_eq!(c.s.mode(), Mode::Abt, "without TDE: Prefetch Abort at PL1");

    // LDC/STC to CP14 c5 (DTR): EC 0x06 with imm8, Rn, U, AM, direction.
    // ldc p14, c5, [r1, #-8]!: imm8 2, Rn 1, U 0, AM 011 (pre-indexed), read.
    let h = trap_one(LDC_P14_C5_PRE, with(hdcr::TDA));
    assert_eq!(
        h,
        EC_LDC_STC << 26 | IL | 1 << 24 | AL << 20 | 2 << 12 | 1 << 5 | 0b011 << 1 | 1
    );
    // stc p14, c5, [r1], #4: imm8 1, U 1, AM 001 (post-indexed), write.
    let h = trap_one(STC_P14_C5_POST, with(hdcr::TDA));
    assert_eq!(
        h,
        EC_LDC_STC << 26 | IL | 1 << 24 | AL << 20 | 1 << 12 | 1 << 5 | 1 << 4 | 0b001 << 1
    );
    let mut c = ns_cpu(&[LDC_P14_C5_PRE], Mode::Svc);
    expect_undefined(&mut c);
    // PL0: trapped while DBGDSCR.UDCCdis allows DCC access, else UNDEFINED.
    let mut c = ns_cpu(&[LDC_P14_C5_PRE], Mode::Usr);
    c.s.hdcr = hdcr::TDA;
    expect_trap(&mut c, CODE);
    let mut c = ns_cpu(&[LDC_P14_C5_PRE], Mode::Usr);
    c.s.hdcr = hdcr::TDA;
    c.s.dbgdscr = 1 << 12;
    expect_undefined(&mut c);
}

#[test]
fn cnthctl_traps_the_physical_counter_and_timer() {
    // PL1PCTEN clear: MRRC CNTPCT, EC 0x04.
    let h = trap_one(MRRC_CNTPCT_R2_R3, |c| c.s.cnthctl = 2);
    assert_eq!(h, cp64(EC_CP15_64, 0, 3, 2, 14, true));
    let mut s = emu_core::CpuState::new();
    s.cnthctl = 2;
    assert_eq!(control_for(&s, h), Some("CNTHCTL.PL1PCTEN"));
    completes_one(MRRC_CNTPCT_R2_R3, |c| c.s.cnthctl = 1);
    // PL1PCEN clear: CNTP_CTL, EC 0x03.
    let h = trap_one(MRC_CNTP_CTL_R2, |c| c.s.cnthctl = 1);
    assert_eq!(h, cp32(EC_CP15, AL, 0, 14, 2, 2, 1, true));
    completes_one(MRC_CNTP_CTL_R2, |c| c.s.cnthctl = 2);
    hyp_completes(MRRC_CNTPCT_R2_R3, |c| c.s.cnthctl = 0);
    secure_completes(MRC_CNTP_CTL_R2, |c| c.s.cnthctl = 0);
    // CNTP_CVAL by MCRR: EC 0x04, Opc1 2.
    let mut c = ns_cpu(&[], Mode::Svc);
    c.s.cnthctl = 1;
    assert_eq!(
        c.cp_write64(15, 2, 14, 0),
        Err(Exception::HypTrap(cp64(EC_CP15_64, 2, 0, 0, 14, false)))
    );
    // PL0: CNTKCTL's UNDEFINED comes first; when CNTKCTL allows it, the access traps.
    let mut c = ns_cpu(&[MRRC_CNTPCT_R2_R3], Mode::Usr);
    c.s.cnthctl = 0;
    expect_undefined(&mut c);
    let mut c = ns_cpu(&[MRRC_CNTPCT_R2_R3], Mode::Usr);
    c.s.cnthctl = 0;
    c.s.cntkctl = 1; // PL0PCTEN
    expect_trap(&mut c, CODE);
}

#[test]
fn trapped_mrc_leaves_registers_and_hyp_can_emulate() {
    // The trapped MRC writes nothing; the Hyp handler sees Rt in the HSR, and ERET to
    // ELR_hyp + 4 resumes after it. Interrupt masks: A, I, F set on entry.
    let mut c = ns_cpu(&[MRC_ACTLR_R12, B_SELF], Mode::Svc);
    c.s.hcr = hcr::TAC;
    c.s.regs[12] = 0x1234;
    c.s.cpsr_ctrl &= !(psr::A | psr::I | psr::F);
    expect_trap(&mut c, CODE);
    assert_eq!(c.s.regs[12], 0x1234);
    assert_eq!(
        c.s.cpsr_ctrl & (psr::A | psr::I | psr::F),
        psr::A | psr::I | psr::F
    );
    assert_eq!((c.s.hsr >> 5) & 15, 12, "Rt");
}

const fn cp15(opc1: u8, crn: u8, crm: u8, opc2: u8) -> CpReg {
    CpReg {
        cp: 15,
        opc1,
        crn,
        crm,
        opc2,
    }
}
