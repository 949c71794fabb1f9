//! Hyp mode (Virtualization Extensions, issue 4's part): entry in Hyp mode, a Linux-style
//! hyp stub (HVBAR, CNTHCTL, CNTVOFF, VPIDR, ERET to SVC, HVC back), exceptions taken in
//! Hyp mode with their HSR, the Hyp registers' access rules, the PL2 stage 1 translation
//! regime, the Hyp timer and CNTVOFF, and SMC for board firmware.

use emu_core::exception::{ec, hsr, HSR_IL};
use emu_core::state::{psr, scr};
use emu_core::sysreg::{CpReg, MIDR_A15};
use emu_core::timer::ClockSource;
use emu_core::{Acc, Cpu, CpuConfig, Exception, Mode, Ram, StopReason};

const fn cp15(opc1: u8, crn: u8, crm: u8, opc2: u8) -> CpReg {
    CpReg {
        cp: 15,
        opc1,
        crn,
        crm,
        opc2,
    }
}

const BASE: u32 = 0x8000_0000;
const CODE: u32 = BASE + 0x1000;

const NOP: u32 = 0xe320f000;
const B_SELF: u32 = 0xeafffffe;
const SMC: u32 = 0xe1600070;
const HVC0: u32 = 0xe1400070;
const SVC5: u32 = 0xef000005;
const UDF: u32 = 0xe7f000f0;
const LDR_R0_R1: u32 = 0xe5910000;
const BX_R1: u32 = 0xe12fff11;

const HVBAR: CpReg = cp15(4, 12, 0, 0);
const HSCTLR: CpReg = cp15(4, 1, 0, 0);
const HCPTR: CpReg = cp15(4, 1, 1, 2);
const HMAIR0: CpReg = cp15(4, 10, 2, 0);
const HTCR: CpReg = cp15(4, 2, 0, 2);
const VPIDR: CpReg = cp15(4, 0, 0, 0);
const CNTHCTL: CpReg = cp15(4, 14, 1, 0);
const CNTHP_CTL: CpReg = cp15(4, 14, 2, 1);
const CNTHP_TVAL: CpReg = cp15(4, 14, 2, 0);
const CNTP_CTL: CpReg = cp15(0, 14, 2, 1);
const MIDR: CpReg = cp15(0, 0, 0, 0);
const SCR: CpReg = cp15(0, 1, 1, 0);
const TLBIALLH: CpReg = cp15(4, 8, 7, 0);
const ATS1HW: CpReg = cp15(4, 7, 8, 1);

fn load(c: &mut Cpu, at: u32, code: &[u32]) {
    let bytes: Vec<u8> = code.iter().flat_map(|w| w.to_le_bytes()).collect();
    c.ram
        .slice_mut(at as u64, bytes.len())
        .unwrap()
        .copy_from_slice(&bytes);
}

fn cpu_cfg(cfg: CpuConfig, code: &[u32], mode: Mode) -> Cpu {
    let mut c = Cpu::new(cfg, Ram::new(BASE as u64, 1 << 20).unwrap());
    load(&mut c, CODE, code);
    c.reset(CODE, mode);
    c
}

fn cfg() -> CpuConfig {
    CpuConfig {
        virtualization: true,
        clock: ClockSource::Instructions,
        ..CpuConfig::default()
    }
}

/// A core entered in Hyp mode (as a boot loader leaves it), HVBAR = BASE.
fn hyp_cpu(code: &[u32]) -> Cpu {
    let mut c = cpu_cfg(cfg(), code, Mode::Hyp);
    load(&mut c, BASE, &[B_SELF; 8]);
    c.s.hvbar = BASE;
    c
}

fn spsr_hyp(c: &Cpu) -> u32 {
    c.s.read_spsr_of(Mode::Hyp)
}

/// The hyp stub of Linux (arch/arm/kernel/hyp-stub.S) in miniature, assembled with
/// arm-none-eabi-as: entered in Hyp mode it records the mode, sets HVBAR, CNTHCTL,
/// CNTVOFF and VPIDR, ERETs to SVC; SVC reads MIDR and asks the stub by HVC to move
/// HVBAR (`__hyp_set_vectors`), getting 0 back in R0.
const STUB: &[u32] = &[
    0xe10f4000, // 00: mrs r4, cpsr
    0xe204401f, // 04: and r4, r4, #0x1f
    0xe28f7070, // 08: adr r7, vectors
    0xee8c7f10, // 0c: mcr p15, 4, r7, c12, c0, 0   @ HVBAR
    0xee9e7f11, // 10: mrc p15, 4, r7, c14, c1, 0   @ CNTHCTL
    0xe3877003, // 14: orr r7, r7, #3
    0xee8e7f11, // 18: mcr p15, 4, r7, c14, c1, 0
    0xe3a07000, // 1c: mov r7, #0
    0xe3a08c01, // 20: mov r8, #0x100
    0xec478f4e, // 24: mcrr p15, 4, r8, r7, c14     @ CNTVOFF
    0xe3057678, // 28: movw r7, #0x5678
    0xe3417234, // 2c: movt r7, #0x1234
    0xee807f10, // 30: mcr p15, 4, r7, c0, c0, 0    @ VPIDR
    0xe10f5000, // 34: mrs r5, cpsr
    0xe3c5501f, // 38: bic r5, r5, #0x1f
    0xe38550d3, // 3c: orr r5, r5, #0xd3           @ SVC, I, F
    0xe28fe008, // 40: adr lr, svc_code
    0xe16ff005, // 44: msr spsr_cxsf, r5
    0xe12ef30e, // 48: msr elr_hyp, lr
    0xe160006e, // 4c: eret
    0xee109f10, // 50: svc_code: mrc p15, 0, r9, c0, c0, 0   @ MIDR
    0xe3a00001, // 54: mov r0, #1
    0xe28f1060, // 58: adr r1, vectors2
    0xe1412374, // 5c: hvc #0x1234
    0xe1a0a000, // 60: mov r10, r0
    NOP,        // 64
    B_SELF,     // 68
    NOP, NOP, NOP, NOP, NOP, B_SELF,     // 80: vectors
    B_SELF,     // 84
    B_SELF,     // 88
    B_SELF,     // 8c
    B_SELF,     // 90
    0xea000001, // 94: b trap
    B_SELF,     // 98
    B_SELF,     // 9c
    0xee95bf12, // a0: trap: mrc p15, 4, r11, c5, c2, 0   @ HSR
    0xee8c1f10, // a4: mcr p15, 4, r1, c12, c0, 0       @ HVBAR = r1
    0xe3a00000, // a8: mov r0, #0
    0xe160006e, // ac: eret
    NOP, NOP, NOP, NOP, B_SELF, // c0: vectors2
];

#[test]
fn linux_style_hyp_stub_runs() {
    let mut c = cpu_cfg(cfg(), STUB, Mode::Hyp);
    assert_eq!(c.s.scr, scr::NS | scr::HCE);
    c.s.regs[0] = 0xdead;
    // `run` returns early after timer register writes (the board resamples the lines).
    while c.insn_count < 200 {
        c.run(200 - c.insn_count);
    }
    assert_eq!(c.s.regs[4], Mode::Hyp as u32);
    assert_eq!(c.s.mode(), Mode::Svc);
    assert_eq!(c.s.regs[15], CODE + 0x68, "spinning after the HVC returned");
    assert_eq!(c.s.regs[9], 0x1234_5678, "NS PL1 MIDR reads VPIDR");
    assert_eq!(c.s.regs[10], 0, "the stub's return value");
    assert_eq!(c.s.regs[11], hsr(ec::HVC, true, 0x1234));
    assert_eq!(c.s.regs[11], 0x4a00_1234);
    assert_eq!(c.s.hvbar, CODE + 0xc0);
    assert_eq!(c.s.cnthctl, 3);
    assert_eq!(c.s.cntvoff, 0x100);
    assert_eq!(c.s.elr_hyp, CODE + 0x60);
    assert_eq!(spsr_hyp(&c) & 0x1f, Mode::Svc as u32);
    assert_ne!(c.s.cpsr_ctrl & psr::I, 0);
    // The stub's HVBAR is not reachable from SVC.
    assert_eq!(c.cp_read(HVBAR), Err(Exception::Undefined));
}

#[test]
fn hvc_is_undefined_where_the_arm_arm_says() {
    // Secure SVC (reset state): UNDEFINED, taken to Undefined mode.
    let mut c = cpu_cfg(cfg(), &[HVC0], Mode::Svc);
    c.step();
    assert_eq!(c.s.mode(), Mode::Und);
    // Non-secure SVC with SCR.HCE = 0.
    let mut c = cpu_cfg(cfg(), &[HVC0], Mode::Svc);
    c.s.scr = scr::NS;
    c.step();
    assert_eq!(c.s.mode(), Mode::Und);
    // Non-secure User mode.
    let mut c = cpu_cfg(cfg(), &[HVC0], Mode::Usr);
    c.s.scr = scr::NS | scr::HCE;
    c.step();
    assert_eq!(c.s.mode(), Mode::Und);
    // Without the Virtualization Extensions.
    let mut c = cpu_cfg(CpuConfig::default(), &[HVC0], Mode::Svc);
    c.s.scr = scr::NS | scr::HCE;
    c.step();
    assert_eq!(c.s.mode(), Mode::Und);
    // Non-secure SVC with HCE: the Hyp Trap vector.
    let mut c = cpu_cfg(cfg(), &[NOP, HVC0], Mode::Svc);
    c.s.scr = scr::NS | scr::HCE;
    c.s.hvbar = BASE + 0x20;
    c.step();
    c.step();
    assert_eq!(c.s.mode(), Mode::Hyp);
    assert_eq!(c.s.regs[15], BASE + 0x20 + 0x14);
    assert_eq!(c.s.hsr, 0x4a00_0000);
    assert_eq!(c.s.elr_hyp, CODE + 8);
    assert_eq!(spsr_hyp(&c) & 0x1f, Mode::Svc as u32);
    assert_eq!(
        c.s.cpsr_ctrl & (psr::A | psr::I | psr::F),
        psr::A | psr::I | psr::F
    );
}

#[test]
fn exceptions_in_hyp_mode_use_the_hyp_vectors() {
    // UNDEFINED: vector 0x04, ELR_hyp = the instruction, HSR EC 0 with IL.
    let mut c = hyp_cpu(&[NOP, UDF]);
    c.s.cpsr_ctrl &= !(psr::A | psr::I | psr::F);
    c.step();
    c.step();
    assert_eq!(c.s.mode(), Mode::Hyp);
    assert_eq!(c.s.regs[15], BASE + 0x04);
    assert_eq!(c.s.elr_hyp, CODE + 4);
    assert_eq!(c.s.hsr, HSR_IL);
    assert_eq!(spsr_hyp(&c) & 0x1df, Mode::Hyp as u32);
    assert_eq!(
        c.s.cpsr_ctrl & (psr::A | psr::I | psr::F),
        psr::A | psr::I | psr::F
    );

    // SVC in Hyp mode: vector 0x08, EC 0x11, return after it.
    let mut c = hyp_cpu(&[SVC5]);
    c.step();
    assert_eq!((c.s.regs[15], c.s.elr_hyp), (BASE + 0x08, CODE + 4));
    assert_eq!(c.s.hsr, hsr(ec::SVC, true, 5));

    // HVC in Hyp mode: vector 0x08, EC 0x12.
    let mut c = hyp_cpu(&[HVC0]);
    c.step();
    assert_eq!((c.s.regs[15], c.s.elr_hyp), (BASE + 0x08, CODE + 4));
    assert_eq!(c.s.hsr, 0x4a00_0000);

    // SMC without board firmware: UNDEFINED, in Hyp.
    let mut c = hyp_cpu(&[SMC]);
    c.step();
    assert_eq!((c.s.regs[15], c.s.elr_hyp), (BASE + 0x04, CODE));

    // Data abort (nothing at PA 0x1000_0000): vector 0x10, HDFAR, EC 0x25, EA, DFSC
    // 0x10 (synchronous external abort).
    let mut c = hyp_cpu(&[LDR_R0_R1]);
    c.s.regs[1] = 0x1000_0000;
    c.step();
    assert_eq!((c.s.regs[15], c.s.elr_hyp), (BASE + 0x10, CODE));
    assert_eq!(c.s.hdfar, 0x1000_0000);
    assert_eq!(c.s.hsr, hsr(ec::DABT_HYP, true, (1 << 9) | 0x10));

    // Prefetch abort: vector 0x0c, HIFAR, EC 0x21.
    let mut c = hyp_cpu(&[BX_R1]);
    c.s.regs[1] = 0x1000_0000;
    c.step();
    c.step();
    assert_eq!((c.s.regs[15], c.s.elr_hyp), (BASE + 0x0c, 0x1000_0000));
    assert_eq!(c.s.hifar, 0x1000_0000);
    assert_eq!(c.s.hsr, hsr(ec::PABT_HYP, true, (1 << 9) | 0x10));

    // IRQ: masked by CPSR.I in Hyp mode; when unmasked, vector 0x18 with ELR_hyp the
    // next instruction; HSR untouched.
    let mut c = hyp_cpu(&[NOP, NOP, B_SELF]);
    c.s.hsr = 0x5555;
    c.irq_line = true;
    c.run(3);
    assert_eq!(c.s.mode(), Mode::Hyp);
    assert_eq!(c.s.regs[15], CODE + 8);
    c.s.cpsr_ctrl &= !psr::I;
    c.run(1);
    assert_eq!((c.s.regs[15], c.s.elr_hyp), (BASE + 0x18, CODE + 8));
    assert_eq!(c.s.hsr, 0x5555);
    // FIQ: vector 0x1c.
    let mut c = hyp_cpu(&[NOP, B_SELF]);
    c.s.cpsr_ctrl &= !psr::F;
    c.fiq_line = true;
    c.run(1);
    assert_eq!((c.s.regs[15], c.s.elr_hyp), (BASE + 0x1c, CODE));

    // HSCTLR.TE / EE select the handler's state and endianness.
    let mut c = hyp_cpu(&[UDF]);
    c.cp_write(HSCTLR, (1 << 30) | (1 << 25)).unwrap();
    c.branched = false;
    c.step();
    assert_eq!(c.s.thumb, 1);
    assert_ne!(c.s.cpsr_ctrl & psr::E, 0);
}

#[test]
fn exceptions_at_ns_pl1_stay_at_pl1() {
    let mut c = cpu_cfg(cfg(), &[UDF], Mode::Svc);
    c.s.scr = scr::NS | scr::HCE;
    c.s.vbar = BASE;
    c.step();
    assert_eq!(c.s.mode(), Mode::Und);
    assert_eq!(c.s.regs[15], BASE + 4);
}

#[test]
fn firmware_smc_stops_the_run_loop() {
    let config = CpuConfig {
        firmware_smc: true,
        ..cfg()
    };
    let mut c = cpu_cfg(config, &[NOP, SMC, B_SELF], Mode::Svc);
    c.s.scr = scr::NS | scr::HCE;
    c.s.regs[0] = 0x8400_0000;
    assert_eq!(c.run(100), StopReason::Smc);
    assert_eq!(c.s.regs[15], CODE + 8);
    assert_eq!(c.s.mode(), Mode::Svc);
    // From Hyp mode too.
    let mut c = cpu_cfg(config, &[SMC, B_SELF], Mode::Hyp);
    assert_eq!(c.step(), Some(StopReason::Smc));
    assert_eq!(c.s.regs[15], CODE + 4);
    // From User mode it stays UNDEFINED.
    let mut c = cpu_cfg(config, &[SMC], Mode::Usr);
    c.step();
    assert_eq!(c.s.mode(), Mode::Und);
}

#[test]
fn hyp_registers_are_pl2_only() {
    let mut c = hyp_cpu(&[]);
    for (enc, v) in [
        (HVBAR, 0x8000_1020),
        (VPIDR, 0x1111_2222),
        (HMAIR0, 0x44ff_0004),
        (cp15(4, 1, 1, 0), 0x0800_0031), // HCR
        (cp15(4, 1, 1, 3), 0x0000_8008), // HSTR (T3, T15: no register below traps)
        (cp15(4, 5, 2, 0), 0x1234_5678), // HSR
        (cp15(4, 6, 0, 0), 0x1000),      // HDFAR
        (cp15(4, 6, 0, 2), 0x2000),      // HIFAR
        (cp15(4, 6, 0, 4), 0x30),        // HPFAR
        (cp15(4, 13, 0, 2), 0x77),       // HTPIDR
    ] {
        c.cp_write(enc, v).unwrap();
        assert_eq!(c.cp_read(enc), Ok(v), "{enc:?}");
    }
    // Masks and RES1 bits.
    c.cp_write(HVBAR, 0xffff_ffff).unwrap();
    assert_eq!(c.cp_read(HVBAR), Ok(0xffff_ffe0));
    assert_eq!(c.cp_read(HCPTR), Ok(0x33ff));
    c.cp_write(HCPTR, 0xffff_ffff).unwrap();
    assert_eq!(c.cp_read(HCPTR), Ok(0x8010_bfff));
    assert_eq!(c.cp_read(HTCR), Ok(0x8000_0000));
    assert_eq!(c.cp_read(cp15(4, 1, 1, 1)), Ok(6), "HDCR.HPMN at reset");
    assert_eq!(
        c.cp_read(MIDR),
        Ok(MIDR_A15),
        "Hyp mode reads the real MIDR"
    );
    // 64-bit: HTTBR, VTTBR, CNTVOFF, CNTHP_CVAL.
    for (opc1, crm) in [(4u8, 2u8), (6, 2), (4, 14), (6, 14)] {
        c.cp_write64(15, opc1, crm, 0x12_3456_7000).unwrap();
        assert_eq!(c.cp_read64(15, opc1, crm), Ok(0x12_3456_7000));
    }
    // SCR exists only with the Security Extensions, for Secure PL1.
    assert_eq!(c.cp_read(SCR), Err(Exception::Undefined));

    // Non-secure SVC: every Hyp register is UNDEFINED; MIDR reads VPIDR.
    c.s.switch_mode(Mode::Svc);
    assert_eq!(c.cp_read(MIDR), Ok(0x1111_2222));
    for enc in [
        HVBAR, VPIDR, HSCTLR, HCPTR, HTCR, CNTHCTL, CNTHP_CTL, TLBIALLH,
    ] {
        assert_eq!(c.cp_read(enc), Err(Exception::Undefined), "{enc:?}");
        assert_eq!(c.cp_write(enc, 0), Err(Exception::Undefined), "{enc:?}");
    }
    for (opc1, crm) in [(4u8, 2u8), (6, 2), (4, 14), (6, 14)] {
        assert_eq!(c.cp_read64(15, opc1, crm), Err(Exception::Undefined));
        assert_eq!(c.cp_write64(15, opc1, crm, 0), Err(Exception::Undefined));
    }
    // Secure SVC: also UNDEFINED; MIDR is the real one.
    c.s.scr = 0;
    assert_eq!(c.cp_read(HVBAR), Err(Exception::Undefined));
    assert_eq!(c.cp_read(MIDR), Ok(MIDR_A15));
    // With the Security Extensions, Secure SVC reaches SCR.
    c.cfg.security = true;
    c.cp_write(SCR, !1).unwrap();
    assert_eq!(c.cp_read(SCR), Ok(0x3fe));
    c.cp_write(SCR, scr::NS).unwrap();
    assert_eq!(
        c.cp_read(SCR),
        Err(Exception::Undefined),
        "NS PL1: UNDEFINED"
    );
}

/// LPAE block descriptors for the Hyp tables (level 1, 1 GiB).
const L1: u32 = BASE + 0x4_0000;
fn block(pa: u64, ap2: bool) -> u64 {
    // AttrIndx 0, AF, AP[1] = 0 (ignored at PL2), AP[2] = read-only.
    pa | (1 << 10) | ((ap2 as u64) << 7) | 0b01
}

fn write64(c: &mut Cpu, pa: u32, v: u64) {
    c.ram
        .slice_mut(pa as u64, 8)
        .unwrap()
        .copy_from_slice(&v.to_le_bytes());
}

fn hyp_mmu_cpu() -> Cpu {
    let mut c = hyp_cpu(&[]);
    // VA 0x0000_0000 -> PA 0x8000_0000 (read/write), VA 0x4000_0000 -> PA 0x8000_0000
    // (read-only), VA 0x8000_0000 identity.
    write64(&mut c, L1, block(0x8000_0000, false));
    write64(&mut c, L1 + 8, block(0x8000_0000, true));
    write64(&mut c, L1 + 16, block(0x8000_0000, false));
    c.cp_write64(15, 4, 2, L1 as u64).unwrap();
    c.cp_write(HMAIR0, 0xff).unwrap();
    c.cp_write(HTCR, 0).unwrap();
    c.cp_write(HSCTLR, 1).unwrap();
    // The register writes above ended a (non-existent) block.
    c.branched = false;
    c
}

#[test]
fn hyp_stage1_translation() {
    let mut c = hyp_mmu_cpu();
    c.ram
        .slice_mut(BASE as u64 + 0x2000, 4)
        .unwrap()
        .copy_from_slice(&0xcafe_f00du32.to_le_bytes());
    assert_eq!(c.read_u32(0x2000, Acc::NORMAL), Ok(0xcafe_f00d));
    assert_eq!(c.read_u32(0x4000_2000, Acc::NORMAL), Ok(0xcafe_f00d));
    c.write_u32(0x3000, 0x77, Acc::NORMAL).unwrap();
    assert_eq!(c.read_u32(BASE + 0x3000, Acc::NORMAL), Ok(0x77));
    // AP[2]: read-only; a permission fault at level 1 (long-format status 0b001101).
    let e = c.write_u32(0x4000_3000, 1, Acc::NORMAL).unwrap_err();
    let Exception::DataAbort(f) = e else {
        panic!("{e:?}")
    };
    assert_eq!(f.long_status(), 0b001101);
    // Unmapped (level 1 entry 3 invalid): a translation fault.
    let e = c.read_u32(0xc000_0000, Acc::NORMAL).unwrap_err();
    let Exception::DataAbort(f) = e else {
        panic!("{e:?}")
    };
    assert_eq!(f.long_status(), 0b000101);

    // ATS1HW: PAR in the long format.
    c.cp_write(ATS1HW, 0x4000_3000).unwrap();
    assert_eq!(c.s.par & 1, 1, "permission fault reported");
    c.cp_write(ATS1HW, 0x3004).unwrap();
    assert_eq!(c.s.par & 0xff_ffff_f001, 0x8000_3000);
    assert_ne!(c.s.par & (1 << 11), 0, "long format");

    // The PL1&0 regime is untouched (SCTLR.M = 0: flat), and PL2 TLB entries do not
    // leak into it.
    c.s.switch_mode(Mode::Svc);
    assert_eq!(c.read_u32(BASE + 0x2000, Acc::NORMAL), Ok(0xcafe_f00d));
    assert!(
        c.read_u32(0x2000, Acc::NORMAL).is_err(),
        "PA 0x2000 is not RAM"
    );
    c.s.switch_mode(Mode::Hyp);

    // TLBIALLH drops the cached translation after the tables change.
    assert_eq!(c.read_u32(0x2000, Acc::NORMAL), Ok(0xcafe_f00d));
    write64(&mut c, L1, 0); // invalid now
    assert_eq!(
        c.read_u32(0x2000, Acc::NORMAL),
        Ok(0xcafe_f00d),
        "stale entry until TLB maintenance"
    );
    c.cp_write(TLBIALLH, 0).unwrap();
    assert!(c.read_u32(0x2000, Acc::NORMAL).is_err());
}

#[test]
fn hyp_code_runs_translated_and_aborts_report_to_hyp() {
    // Hyp code at VA 0x0000_1000 (PA CODE) through the Hyp tables; a load from an
    // unmapped VA is a Hyp data abort with HDFAR and a translation-fault DFSC.
    let mut c = hyp_mmu_cpu();
    load(&mut c, CODE, &[NOP, LDR_R0_R1, B_SELF]);
    c.s.hvbar = 0x8000_0000;
    c.s.regs[15] = 0x1000;
    c.s.regs[1] = 0xc000_0010;
    c.step();
    assert_eq!(
        c.s.regs[15], 0x1004,
        "hsr {:#x} elr {:#x}",
        c.s.hsr, c.s.elr_hyp
    );
    c.step();
    assert_eq!(c.s.elr_hyp, 0x1004);
    assert_eq!(c.s.hdfar, 0xc000_0010);
    assert_eq!(c.s.hsr, hsr(ec::DABT_HYP, true, 0b000101));
    assert_eq!(c.s.regs[15], BASE + 0x10);
}

#[test]
fn eret_from_hyp_restores_state_and_regime() {
    // Hyp with its MMU on, ERET to Thumb SVC with the PL1 MMU off: SVC runs flat.
    let mut c = hyp_mmu_cpu();
    load(&mut c, CODE, &[0xe160006e]); // eret
    load(&mut c, BASE + 0x8000, &[0xe7fe_bf00]); // T32: nop; b .
    c.s.regs[15] = 0x1000;
    c.s.elr_hyp = BASE + 0x8000;
    c.s.spsr = Mode::Svc as u32 | psr::T | psr::I;
    c.step();
    assert_eq!(c.s.mode(), Mode::Svc);
    assert_eq!(c.s.thumb, 1);
    assert_eq!(c.s.regs[15], BASE + 0x8000);
    c.run(10);
    assert_eq!(c.s.regs[15], BASE + 0x8002, "spinning on the T32 b .");
}

#[test]
fn timers_cntvoff_cnthctl_and_the_hyp_timer() {
    let mut c = hyp_cpu(&[]);
    c.insn_count = 1000;
    c.cp_write64(15, 4, 14, 100).unwrap(); // CNTVOFF
    assert_eq!(c.cp_read64(15, 1, 14), Ok(900), "CNTVCT = CNTPCT - CNTVOFF");
    assert_eq!(c.cp_read64(15, 0, 14), Ok(1000));
    // Virtual timer at virtual 950 = physical 1050.
    c.cp_write64(15, 3, 14, 950).unwrap();
    c.cp_write(cp15(0, 14, 3, 1), 1).unwrap();
    assert_eq!(c.timer_next_deadline(), Some(1050));
    c.cp_write(cp15(0, 14, 3, 1), 0).unwrap();
    // The Hyp timer.
    c.cp_write(CNTHP_TVAL, 200).unwrap();
    assert_eq!(c.cp_read64(15, 6, 14), Ok(1200));
    c.cp_write(CNTHP_CTL, 1).unwrap();
    assert_eq!(c.cp_read(CNTHP_CTL), Ok(1));
    assert!(!c.timer_irq_lines().hyp);
    assert_eq!(c.timer_next_deadline(), Some(1200));
    c.insn_count = 1200;
    assert_eq!(c.cp_read(CNTHP_CTL), Ok(5));
    let l = c.timer_irq_lines();
    assert!(l.hyp && !l.phys && !l.virt && !l.sec_phys);
    c.cp_write(CNTHP_CTL, 3).unwrap();
    assert!(!c.timer_irq_lines().hyp, "IMASK");

    // CNTHCTL traps Non-secure PL1 accesses to the physical counter and timer to Hyp
    // mode (syndromes: tests/hyp_traps.rs).
    c.cp_write(CNTHCTL, 0).unwrap();
    assert_eq!(c.cp_read(CNTP_CTL), Ok(0), "never trapped in Hyp mode");
    c.s.switch_mode(Mode::Svc);
    assert!(matches!(c.cp_read64(15, 0, 14), Err(Exception::HypTrap(_))));
    assert!(matches!(c.cp_read(CNTP_CTL), Err(Exception::HypTrap(_))));
    assert_eq!(
        c.cp_read64(15, 1, 14),
        Ok(1100),
        "the virtual counter stays"
    );
    c.s.cnthctl = 1;
    assert_eq!(c.cp_read64(15, 0, 14), Ok(1200));
    assert!(matches!(c.cp_read(CNTP_CTL), Err(Exception::HypTrap(_))));
    c.s.cnthctl = 3;
    assert_eq!(c.cp_read(CNTP_CTL), Ok(0));
    // Secure PL1 is not gated.
    c.s.cnthctl = 0;
    c.s.scr = 0;
    assert_eq!(c.cp_read(CNTP_CTL), Ok(0));
}

#[test]
fn banked_hyp_registers_and_msr_rules() {
    // In Hyp mode: MRS/MSR ELR_hyp work; SPSR_hyp/SP_hyp by banked MSR are UNDEFINED
    // (Monitor mode only); the plain SPSR is SPSR_hyp.
    // mrs r0, elr_hyp; msr elr_hyp, r1; msr spsr_fsxc, r2
    let mut c = hyp_cpu(&[0xe10e0300, 0xe12ef301, 0xe16ff002]);
    c.s.elr_hyp = 0x1234;
    c.s.regs[1] = 0x5678;
    c.s.regs[2] = 0x1d3;
    c.step();
    assert_eq!(c.s.regs[0], 0x1234);
    c.step();
    assert_eq!(c.s.elr_hyp, 0x5678);
    c.step();
    assert_eq!(spsr_hyp(&c), 0x1d3);
    // MSR cannot leave Hyp mode.
    let mut c = hyp_cpu(&[0xe321f013]); // msr cpsr_c, #0x13
    c.step();
    assert_eq!(c.s.mode(), Mode::Hyp);
}

const WFI: u32 = 0xe320f003;
const WFE: u32 = 0xe320f002;
const WFI_NE: u32 = 0x1320f003;
const T32_WFI: u16 = 0xbf30;
const HCR_TWI: u32 = 1 << 13;
const HCR_TWE: u32 = 1 << 14;

/// A core at Non-secure SVC (the kernel after the hyp stub's ERET), HVBAR = BASE.
fn ns_svc_cpu(code: &[u32], hcr: u32) -> Cpu {
    let mut c = cpu_cfg(cfg(), code, Mode::Svc);
    load(&mut c, BASE, &[B_SELF; 8]);
    c.s.scr = scr::NS | scr::HCE;
    c.s.hvbar = BASE;
    c.s.hcr = hcr;
    c
}

#[test]
fn hcr_twi_traps_wfi_with_its_syndrome() {
    // Without the trap, WFI stops the run loop for the board.
    let mut c = ns_svc_cpu(&[WFI], 0);
    assert_eq!(c.step(), Some(StopReason::Wfi));
    assert_eq!(c.s.mode(), Mode::Svc);

    // HCR.TWI: Hyp Trap vector, ELR_hyp = the WFI, EC 0x01, CV = 1, COND = AL, TI = 0.
    let mut c = ns_svc_cpu(&[NOP, WFI], HCR_TWI);
    c.step();
    assert_eq!(c.step(), None);
    assert_eq!(c.s.mode(), Mode::Hyp);
    assert_eq!((c.s.regs[15], c.s.elr_hyp), (BASE + 0x14, CODE + 4));
    assert_eq!(c.s.hsr, hsr(ec::WFI_WFE, true, (1 << 24) | (0xe << 20)));
    assert_eq!(spsr_hyp(&c) & 0x1f, Mode::Svc as u32);

    // A conditional WFI reports its condition; a failed condition does not trap.
    let mut c = ns_svc_cpu(&[WFI_NE], HCR_TWI);
    c.s.zf = 0;
    c.step();
    assert_eq!(c.s.hsr, hsr(ec::WFI_WFE, true, (1 << 24) | (0x1 << 20)));
    let mut c = ns_svc_cpu(&[WFI_NE, B_SELF], HCR_TWI);
    c.s.zf = 1;
    assert_eq!(c.step(), None);
    assert_eq!((c.s.mode(), c.s.regs[15]), (Mode::Svc, CODE + 4));

    // An interrupt pending at the core: the WFI would not suspend, so no trap (as QEMU).
    let mut c = ns_svc_cpu(&[WFI], HCR_TWI);
    c.irq_line = true;
    c.s.cpsr_ctrl |= psr::I;
    assert_eq!(c.step(), Some(StopReason::Wfi));

    // In Hyp mode and in Secure state the control does not apply.
    let mut c = hyp_cpu(&[WFI]);
    c.s.hcr = HCR_TWI;
    assert_eq!(c.step(), Some(StopReason::Wfi));
    let mut c = ns_svc_cpu(&[WFI], HCR_TWI);
    c.s.scr = 0;
    assert_eq!(c.step(), Some(StopReason::Wfi));

    // A 16-bit T32 WFI from PL0: IL = 0.
    let mut c = ns_svc_cpu(&[], HCR_TWI);
    c.ram
        .slice_mut(CODE as u64, 2)
        .unwrap()
        .copy_from_slice(&T32_WFI.to_le_bytes());
    c.s.thumb = 1;
    c.s.switch_mode(Mode::Usr);
    c.step();
    assert_eq!(c.s.mode(), Mode::Hyp);
    assert_eq!(c.s.elr_hyp, CODE);
    assert_eq!(c.s.hsr, hsr(ec::WFI_WFE, false, (1 << 24) | (0xe << 20)));
    assert_eq!(c.s.hsr & HSR_IL, 0);
}

#[test]
fn hcr_twe_traps_wfe() {
    // Without the trap WFE completes at once (no event register is modelled).
    let mut c = ns_svc_cpu(&[WFE, B_SELF], 0);
    assert_eq!(c.step(), None);
    assert_eq!((c.s.mode(), c.s.regs[15]), (Mode::Svc, CODE + 4));
    // HCR.TWE: EC 0x01 with TI = 1.
    let mut c = ns_svc_cpu(&[WFE], HCR_TWE);
    c.step();
    assert_eq!(
        (c.s.mode(), c.s.regs[15], c.s.elr_hyp),
        (Mode::Hyp, BASE + 0x14, CODE)
    );
    assert_eq!(c.s.hsr, hsr(ec::WFI_WFE, true, (1 << 24) | (0xe << 20) | 1));
    // TWE does not trap WFI, nor TWI WFE.
    let mut c = ns_svc_cpu(&[WFI], HCR_TWE);
    assert_eq!(c.step(), Some(StopReason::Wfi));
    let mut c = ns_svc_cpu(&[WFE, B_SELF], HCR_TWI);
    c.step();
    assert_eq!(c.s.mode(), Mode::Svc);
}
