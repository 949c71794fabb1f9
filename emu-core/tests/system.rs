//! Branches, system and coprocessor instructions, A32 and T32 (encodings from
//! arm-none-eabi-as -march=armv7ve).

use emu_core::decode::{decode_a32, decode_t32};
use emu_core::state::psr;
use emu_core::{Cpu, CpuConfig, ItCtx, Mode, Ram, StopReason};

const ORG: u32 = 0x8000_1000;
const VBAR: u32 = 0x8000_0000;

fn cpu_with(cfg: CpuConfig) -> Cpu {
    Cpu::new(cfg, Ram::new(0x8000_0000, 1 << 20).unwrap())
}

fn cpu() -> Cpu {
    cpu_with(CpuConfig::default())
}

fn put32(c: &mut Cpu, addr: u32, v: u32) {
    c.ram
        .slice_mut(addr as u64, 4)
        .unwrap()
        .copy_from_slice(&v.to_le_bytes());
}

fn put16(c: &mut Cpu, addr: u32, v: u16) {
    c.ram
        .slice_mut(addr as u64, 2)
        .unwrap()
        .copy_from_slice(&v.to_le_bytes());
}

/// Loads A32 words at ORG + off and resets there in `mode`.
fn arm(c: &mut Cpu, off: u32, words: &[u32], mode: Mode) {
    for (k, w) in words.iter().enumerate() {
        put32(c, ORG + off + 4 * k as u32, *w);
    }
    c.reset(ORG + off, mode);
    c.s.vbar = VBAR;
}

/// Loads T32 halfwords at ORG + off and resets there (Thumb) in `mode`.
fn thumb(c: &mut Cpu, off: u32, hws: &[u16], mode: Mode) {
    for (k, h) in hws.iter().enumerate() {
        put16(c, ORG + off + 2 * k as u32, *h);
    }
    c.reset((ORG + off) | 1, mode);
    c.s.vbar = VBAR;
}

fn pc(c: &Cpu) -> u32 {
    c.s.regs[15]
}

fn assert_undef_taken(c: &Cpu, lr: u32) {
    assert_eq!(c.s.mode(), Mode::Und);
    assert_eq!(pc(c), VBAR + 4);
    assert_eq!(c.s.regs[14], lr);
}

// ---- A32 branches --------------------------------------------------------------------

#[test]
fn a32_b_and_bl() {
    let mut c = cpu();
    arm(&mut c, 0, &[0xea00_003e], Mode::Svc); // b .+0x100
    c.step();
    assert_eq!(pc(&c), ORG + 0x100);
    assert!(!c.s.is_thumb());

    arm(&mut c, 4, &[0xebff_fffc], Mode::Svc); // bl .-0x8
    c.step();
    assert_eq!(pc(&c), ORG + 4 - 8);
    assert_eq!(c.s.regs[14], ORG + 8);
}

#[test]
fn a32_conditional_branch() {
    let mut c = cpu();
    arm(&mut c, 0x18, &[0x1a00_0002], Mode::Svc); // bne .+0x10
    c.s.zf = 1;
    c.step();
    assert_eq!(pc(&c), ORG + 0x1c, "not taken");
    c.reset(ORG + 0x18, Mode::Svc);
    c.s.zf = 0;
    c.step();
    assert_eq!(pc(&c), ORG + 0x28, "taken");
}

#[test]
fn a32_bx_bxj_blx_register_interwork() {
    let mut c = cpu();
    arm(&mut c, 0, &[0xe12f_ff13], Mode::Svc); // bx r3
    c.s.regs[3] = ORG + 0x41;
    c.step();
    assert!(c.s.is_thumb());
    assert_eq!(pc(&c), ORG + 0x40);

    arm(&mut c, 0, &[0xe12f_ff24], Mode::Svc); // bxj r4
    c.s.regs[4] = ORG + 0x80;
    c.step();
    assert!(!c.s.is_thumb());
    assert_eq!(pc(&c), ORG + 0x80);

    arm(&mut c, 0x10, &[0xe12f_ff35], Mode::Svc); // blx r5
    c.s.regs[5] = ORG + 0x201;
    c.step();
    assert!(c.s.is_thumb());
    assert_eq!(pc(&c), ORG + 0x200);
    assert_eq!(c.s.regs[14], ORG + 0x14);
}

#[test]
fn a32_blx_immediate_switches_to_thumb() {
    let mut c = cpu();
    arm(&mut c, 0x14, &[0xfb00_0006], Mode::Svc); // blx .+0x22 (H = 1)
    c.step();
    assert!(c.s.is_thumb());
    assert_eq!(pc(&c), ORG + 0x36);
    assert_eq!(c.s.regs[14], ORG + 0x18);
}

#[test]
fn a32_branch_loop_runs_in_blocks() {
    let mut c = cpu();
    // subs-free loop: b . (a block of one branch to itself)
    arm(&mut c, 0, &[0xeaff_fffe], Mode::Svc);
    assert_eq!(c.run(1000), StopReason::Budget);
    assert_eq!(pc(&c), ORG);
    assert!(c.insn_count >= 1000);
}

#[test]
fn a32_bx_with_fixed_fields_broken_is_undefined() {
    assert!(decode_a32(0xe12f_ef13).is_undefined()); // SBO bit clear
    assert!(decode_a32(0xe12f_ff43).is_undefined()); // op2 = 100
    assert!(!decode_a32(0xe12f_ff13).is_undefined());
}

// ---- T32 branches --------------------------------------------------------------------

#[test]
fn t32_b_narrow_and_wide() {
    let mut c = cpu();
    thumb(&mut c, 0, &[0xe01e], Mode::Svc); // b.n .+0x40
    c.step();
    assert_eq!(pc(&c), ORG + 0x40);
    thumb(&mut c, 2, &[0xf000, 0xbffe], Mode::Svc); // b.w .+0x1000
    c.step();
    assert_eq!(pc(&c), ORG + 0x1002);
    assert!(c.s.is_thumb());
}

#[test]
fn t32_bl_sets_thumb_lr() {
    // bl .-0x100000 at ORG + 0xff006 (needs 2 MiB of RAM)
    let mut c = Cpu::new(
        CpuConfig::default(),
        Ram::new(0x8000_0000, 2 << 20).unwrap(),
    );
    thumb(&mut c, 0x10_0006 - 0x1000, &[0xf6ff, 0xfffe], Mode::Svc);
    let at = ORG + 0x10_0006 - 0x1000;
    c.step();
    assert_eq!(pc(&c), at.wrapping_sub(0x10_0000));
    assert_eq!(c.s.regs[14], (at + 4) | 1);
}

#[test]
fn t32_blx_immediate_switches_to_arm() {
    let mut c = cpu();
    thumb(&mut c, 0xa, &[0xf000, 0xe880], Mode::Svc); // blx .+0x102 -> Align(PC,4)-based
    c.step();
    assert!(!c.s.is_thumb());
    assert_eq!(pc(&c), ORG + 0x10c);
    assert_eq!(c.s.regs[14], (ORG + 0xe) | 1);
    // H = 1 is UNDEFINED.
    assert!(decode_t32(0xf000, 0xe881, ItCtx::OUTSIDE).is_undefined());
}

#[test]
fn t32_bx_blx_register() {
    let mut c = cpu();
    thumb(&mut c, 0xe, &[0x4718], Mode::Svc); // bx r3
    c.s.regs[3] = ORG + 0x300;
    c.step();
    assert!(!c.s.is_thumb());
    assert_eq!(pc(&c), ORG + 0x300);

    thumb(&mut c, 0x10, &[0x47a8], Mode::Svc); // blx r5
    c.s.regs[5] = ORG + 0x401;
    c.step();
    assert!(c.s.is_thumb());
    assert_eq!(pc(&c), ORG + 0x400);
    assert_eq!(c.s.regs[14], (ORG + 0x12) | 1);
}

#[test]
fn t32_cbz_cbnz() {
    let mut c = cpu();
    thumb(&mut c, 0x12, &[0xb171], Mode::Svc); // cbz r1, .+0x20
    c.s.regs[1] = 0;
    c.step();
    assert_eq!(pc(&c), ORG + 0x32);
    c.reset((ORG + 0x12) | 1, Mode::Svc);
    c.s.regs[1] = 5;
    c.step();
    assert_eq!(pc(&c), ORG + 0x14);

    thumb(&mut c, 0x14, &[0xb912], Mode::Svc); // cbnz r2, .+0x8
    c.s.regs[2] = 1;
    c.step();
    assert_eq!(pc(&c), ORG + 0x1c);
    c.reset((ORG + 0x14) | 1, Mode::Svc);
    c.s.regs[2] = 0;
    c.step();
    assert_eq!(pc(&c), ORG + 0x16);
}

#[test]
fn t32_conditional_branches() {
    let mut c = cpu();
    thumb(&mut c, 0x16, &[0xd006], Mode::Svc); // beq.n .+0x10
    c.s.zf = 1;
    c.step();
    assert_eq!(pc(&c), ORG + 0x26);
    c.reset((ORG + 0x16) | 1, Mode::Svc);
    c.s.zf = 0;
    c.step();
    assert_eq!(pc(&c), ORG + 0x18);

    thumb(&mut c, 0x18, &[0xf47e, 0xaffe], Mode::Svc); // bne.w .-0x1000
    c.s.zf = 0;
    c.step();
    assert_eq!(pc(&c), ORG + 0x18 - 0x1000);
}

#[test]
fn t32_it_then_branch() {
    let mut c = cpu();
    // it eq; beq.w .+0x40 (T4 as the last instruction of the IT block)
    thumb(&mut c, 0x1c, &[0xbf08, 0xf000, 0xb81e], Mode::Svc);
    c.s.zf = 1;
    c.step();
    assert_eq!(c.s.itstate, 0x08);
    c.step();
    assert_eq!(pc(&c), ORG + 0x5e);
    assert_eq!(c.s.itstate, 0);

    c.reset((ORG + 0x1c) | 1, Mode::Svc);
    c.s.vbar = VBAR;
    c.s.zf = 0;
    c.step();
    c.step();
    assert_eq!(pc(&c), ORG + 0x22, "condition failed: falls through");
    assert_eq!(c.s.itstate, 0);

    // B<c> (T1) inside an IT block: UNDEFINED (QEMU) when the IT condition passes.
    thumb(&mut c, 0, &[0xbf08, 0xd006], Mode::Svc); // it eq; beq.n
    c.s.zf = 1;
    c.step();
    c.step();
    assert_undef_taken(&c, ORG + 2 + 2);
}

// ---- exceptions ----------------------------------------------------------------------

#[test]
fn a32_svc_enters_vector() {
    let mut c = cpu();
    arm(&mut c, 0x20, &[0xef00_0042], Mode::Usr); // svc 0x42
    c.s.nf = 1;
    let old = c.s.cpsr();
    c.step();
    assert_eq!(c.s.mode(), Mode::Svc);
    assert_eq!(pc(&c), VBAR + 8);
    assert_eq!(c.s.regs[14], ORG + 0x24);
    assert_eq!(c.s.spsr, old);
    assert_ne!(c.s.cpsr_ctrl & psr::I, 0);
}

#[test]
fn t32_svc_enters_vector() {
    let mut c = cpu();
    thumb(&mut c, 0x24, &[0xdf12], Mode::Usr); // svc 18
    c.step();
    assert_eq!(c.s.mode(), Mode::Svc);
    assert_eq!(pc(&c), VBAR + 8);
    assert_eq!(c.s.regs[14], ORG + 0x26);
    assert_ne!(c.s.spsr & psr::T, 0);
    assert_eq!(c.s.spsr & 0x1f, Mode::Usr as u32);
}

#[test]
fn semihosting_stops_when_privileged() {
    let cfg = CpuConfig {
        semihosting: true,
        ..CpuConfig::default()
    };
    let mut c = cpu_with(cfg);
    arm(&mut c, 0x1c, &[0xef12_3456], Mode::Svc);
    assert_eq!(c.step(), Some(StopReason::Semihosting));
    assert_eq!(pc(&c), ORG + 0x20);
    assert_eq!(c.s.mode(), Mode::Svc);

    thumb(&mut c, 0x22, &[0xdfab], Mode::Sys);
    assert_eq!(c.step(), Some(StopReason::Semihosting));
    assert_eq!(pc(&c), ORG + 0x24);

    // In User mode it is an ordinary SVC.
    arm(&mut c, 0x1c, &[0xef12_3456], Mode::Usr);
    assert_eq!(c.step(), None);
    assert_eq!(c.s.mode(), Mode::Svc);
    assert_eq!(pc(&c), VBAR + 8);

    // Without semihosting it is an ordinary SVC too.
    let mut c = cpu();
    thumb(&mut c, 0x22, &[0xdfab], Mode::Svc);
    assert_eq!(c.step(), None);
    assert_eq!(pc(&c), VBAR + 8);
}

#[test]
fn bkpt_is_a_prefetch_abort() {
    let mut c = cpu();
    arm(&mut c, 0x24, &[0xe121_2374], Mode::Svc); // bkpt 0x1234
    c.step();
    assert_eq!(c.s.mode(), Mode::Abt);
    assert_eq!(pc(&c), VBAR + 0xc);
    assert_eq!(c.s.regs[14], ORG + 0x28);
    assert_eq!(c.s.ifsr, 2);

    thumb(&mut c, 0x2c, &[0xbe12], Mode::Svc); // bkpt 0x12
    c.step();
    assert_eq!(c.s.mode(), Mode::Abt);
    assert_eq!(c.s.regs[14], ORG + 0x30);
}

#[test]
fn udf_is_undefined() {
    let mut c = cpu();
    thumb(&mut c, 0x26, &[0xde05], Mode::Svc); // udf #5
    c.step();
    assert_undef_taken(&c, ORG + 0x28);
    thumb(&mut c, 0x28, &[0xf7f1, 0xa234], Mode::Svc); // udf.w #0x1234
    c.step();
    assert_undef_taken(&c, ORG + 0x2a);
    arm(&mut c, 0, &[0xfe11_2f10], Mode::Svc); // mrc2 p15 (UNDEFINED for CP15)
    c.step();
    assert_undef_taken(&c, ORG + 4);
}

#[test]
fn hvc_smc_without_extensions_are_undefined() {
    let mut c = cpu();
    arm(&mut c, 0, &[0xe145_6778], Mode::Svc); // hvc 0x5678
    c.step();
    assert_undef_taken(&c, ORG + 4);
    arm(&mut c, 0, &[0xe160_0073], Mode::Svc); // smc 3
    c.step();
    assert_undef_taken(&c, ORG + 4);
    thumb(&mut c, 0, &[0xf7e1, 0x8234], Mode::Svc); // hvc #0x1234
    c.step();
    assert_undef_taken(&c, ORG + 2);
    thumb(&mut c, 0, &[0xf7f5, 0x8000], Mode::Usr); // smc #5
    c.step();
    assert_undef_taken(&c, ORG + 2);
}

// ---- processor state -------------------------------------------------------------------

#[test]
fn a32_cps() {
    let mut c = cpu();
    arm(
        &mut c,
        0,
        &[0xf10c_00c0, 0xf10a_011f, 0xf102_0012],
        Mode::Svc,
    );
    c.s.cpsr_ctrl &= !(psr::A | psr::I | psr::F);
    c.step(); // cpsid if
    assert_eq!(c.s.cpsr_ctrl & (psr::A | psr::I | psr::F), psr::I | psr::F);
    c.s.cpsr_ctrl |= psr::A;
    c.step(); // cpsie a, #0x1f
    assert_eq!(c.s.cpsr_ctrl & psr::A, 0);
    assert_eq!(c.s.mode(), Mode::Sys);
    c.step(); // cps #0x12
    assert_eq!(c.s.mode(), Mode::Irq);
    assert_eq!(pc(&c), ORG + 12);

    // User mode: NOP.
    arm(&mut c, 0, &[0xf10c_00c0, 0xf102_0012], Mode::Usr);
    c.s.cpsr_ctrl &= !(psr::I | psr::F);
    c.step();
    c.step();
    assert_eq!(c.s.mode(), Mode::Usr);
    assert_eq!(c.s.cpsr_ctrl & (psr::I | psr::F), 0);
    assert_eq!(pc(&c), ORG + 8);
}

#[test]
fn t32_cps() {
    let mut c = cpu();
    thumb(
        &mut c,
        0,
        &[0xb672, 0xb663, 0xf3af, 0x8797, 0xf3af, 0x811f],
        Mode::Svc,
    );
    c.s.cpsr_ctrl &= !(psr::A | psr::I | psr::F);
    c.step(); // cpsid i
    assert_eq!(c.s.cpsr_ctrl & (psr::A | psr::I | psr::F), psr::I);
    c.step(); // cpsie if
    assert_eq!(c.s.cpsr_ctrl & (psr::I | psr::F), 0);
    c.step(); // cpsid a, #0x17
    assert_ne!(c.s.cpsr_ctrl & psr::A, 0);
    assert_eq!(c.s.mode(), Mode::Abt);
    c.step(); // cps #0x1f
    assert_eq!(c.s.mode(), Mode::Sys);
    assert_eq!(pc(&c), ORG + 12);
}

#[test]
fn setend_both_states() {
    let mut c = cpu();
    arm(&mut c, 0, &[0xf101_0200, 0xf101_0000], Mode::Usr);
    c.step();
    assert_ne!(c.s.cpsr_ctrl & psr::E, 0);
    c.step();
    assert_eq!(c.s.cpsr_ctrl & psr::E, 0);
    thumb(&mut c, 0, &[0xb658, 0xb650], Mode::Usr);
    c.step();
    assert!(c.s.big_endian());
    c.step();
    assert!(!c.s.big_endian());
    assert_eq!(pc(&c), ORG + 4);
}

#[test]
fn a32_mrs_msr() {
    let mut c = cpu();
    arm(
        &mut c,
        0,
        &[
            0xe10f_0000, // mrs r0, apsr
            0xe14f_1000, // mrs r1, spsr
            0xe129_f002, // msr cpsr_fc, r2
            0xe16f_f004, // msr spsr_fsxc, r4
            0xe328_f20f, // msr cpsr_f, #0xf0000000
        ],
        Mode::Svc,
    );
    c.s.nf = 1;
    c.s.cf = 1;
    c.s.spsr = 0x6000_0010;
    c.step();
    assert_eq!(
        c.s.regs[0],
        0xa000_0000 | psr::A | psr::I | psr::F | Mode::Svc as u32
    );
    c.step();
    assert_eq!(c.s.regs[1], 0x6000_0010);
    c.s.regs[2] = 0x5000_0000 | Mode::Abt as u32 | psr::T; // T is not writable by MSR
    c.step();
    assert_eq!(c.s.mode(), Mode::Abt);
    assert_eq!(c.s.nzcv(), 0x5000_0000);
    assert!(!c.s.is_thumb());
    // The c field holds I and F; A (bit 8) is in the x field, not written.
    assert_eq!(c.s.cpsr_ctrl & (psr::A | psr::I | psr::F), psr::A);
    c.s.regs[4] = 0xffff_ffff;
    c.step();
    assert_eq!(c.s.spsr, 0xff1f_ffff);
    c.step();
    assert_eq!(c.s.nzcv(), 0xf000_0000);
}

#[test]
fn a32_msr_user_mode_restrictions() {
    let mut c = cpu();
    arm(&mut c, 0, &[0xe129_f002, 0xe16f_f004], Mode::Usr); // msr cpsr_fc, r2; msr spsr
    c.s.cpsr_ctrl &= !psr::I;
    c.s.regs[2] = 0x8000_0000 | psr::I | Mode::Svc as u32;
    c.step();
    assert_eq!(c.s.mode(), Mode::Usr, "mode is privileged");
    assert_eq!(c.s.cpsr_ctrl & psr::I, 0, "I is privileged");
    assert_eq!(c.s.nf, 1, "flags are writable");
    c.step();
    assert_undef_taken(&c, ORG + 8);

    // MRS SPSR in User mode: UNDEFINED.
    arm(&mut c, 0, &[0xe14f_1000], Mode::Usr);
    c.step();
    assert_undef_taken(&c, ORG + 4);
}

#[test]
fn t32_mrs_msr() {
    let mut c = cpu();
    thumb(
        &mut c,
        0,
        &[
            0xf3ef, 0x8000, 0xf3ff, 0x8100, 0xf382, 0x8900, 0xf394, 0x8f00,
        ],
        Mode::Svc,
    );
    c.s.zf = 1;
    c.s.spsr = 0x1234_5013;
    c.step(); // mrs r0, apsr: T reads as zero
    assert_eq!(
        c.s.regs[0],
        0x4000_0000 | psr::A | psr::I | psr::F | Mode::Svc as u32
    );
    c.step(); // mrs r1, spsr
    assert_eq!(c.s.regs[1], 0x1234_5013);
    c.s.regs[2] = 0x2000_0000 | Mode::Und as u32;
    c.step(); // msr cpsr_fc, r2
    assert_eq!(c.s.mode(), Mode::Und);
    assert!(c.s.is_thumb());
    assert_eq!(c.s.nzcv(), 0x2000_0000);
    c.s.regs[4] = 0x0000_0030;
    c.step(); // msr spsr_fsxc, r4 (the Und bank)
    assert_eq!(c.s.spsr, 0x30);
}

#[test]
fn banked_mrs_msr_undefined_without_virtualization() {
    let mut c = cpu();
    arm(&mut c, 0, &[0xe100_2200], Mode::Svc); // mrs r2, r8_usr
    c.step();
    assert_undef_taken(&c, ORG + 4);
}

#[test]
fn banked_mrs_msr_with_virtualization() {
    let cfg = CpuConfig {
        virtualization: true,
        ..CpuConfig::default()
    };
    let mut c = cpu_with(cfg);
    arm(
        &mut c,
        0,
        &[
            0xe100_2200, // mrs r2, r8_usr
            0xe121_f303, // msr sp_irq, r3
            0xe142_4300, // mrs r4, spsr_svc (from Svc: UNDEFINED)
        ],
        Mode::Fiq,
    );
    c.s.usr_r8_r12[0] = 0x88;
    c.s.regs[8] = 0x1;
    c.s.regs[3] = 0xdead_0000;
    c.step();
    assert_eq!(c.s.regs[2], 0x88);
    c.step();
    assert_eq!(c.s.read_banked(Mode::Irq, 13), 0xdead_0000);
    c.s.switch_mode(Mode::Svc);
    c.step();
    assert_undef_taken(&c, ORG + 12);

    // From Irq, SPSR_svc is accessible; ELR_hyp is not.
    arm(&mut c, 0, &[0xe142_4300, 0xe12e_f305], Mode::Irq);
    c.s.banked_spsr[3] = 0x1d3;
    c.step();
    assert_eq!(c.s.regs[4], 0x1d3);
    c.step();
    assert_undef_taken(&c, ORG + 8);

    // T32: mrs r2, r8_usr from Fiq; msr sp_irq, r3.
    thumb(&mut c, 0, &[0xf3e0, 0x8220, 0xf383, 0x8130], Mode::Fiq);
    c.s.usr_r8_r12[0] = 0x77;
    c.s.regs[3] = 0x4444;
    c.step();
    assert_eq!(c.s.regs[2], 0x77);
    c.step();
    assert_eq!(c.s.read_banked(Mode::Irq, 13), 0x4444);

    // T32: mrs r4, spsr_svc from Irq (SYSm bit 4 is hw2 bit 4); msr elr_hyp, r5 from
    // Irq is UNDEFINED (ELR_hyp only from Hyp/Monitor mode).
    thumb(&mut c, 0, &[0xf3f2, 0x8430, 0xf385, 0x8e30], Mode::Irq);
    c.s.banked_spsr[3] = 0x1d3;
    c.step();
    assert_eq!(c.s.regs[4], 0x1d3);
    c.s.regs[5] = 0x1234;
    c.step();
    assert_undef_taken(&c, ORG + 6);
    assert_eq!(c.s.elr_hyp, 0);
    assert_eq!(c.s.read_banked(Mode::Fiq, 14), 0);
}

#[test]
fn eret_and_subs_pc_lr() {
    let mut c = cpu();
    arm(&mut c, 0x30, &[0xe160_006e], Mode::Svc); // eret
    c.s.regs[14] = ORG + 0x101;
    c.s.spsr = Mode::Usr as u32 | psr::T | 0x8000_0000;
    c.step();
    assert_eq!(c.s.mode(), Mode::Usr);
    assert!(c.s.is_thumb());
    assert_eq!(pc(&c), ORG + 0x100);
    assert_eq!(c.s.nf, 1);

    thumb(&mut c, 0x88, &[0xf3de, 0x8f04], Mode::Irq); // subs pc, lr, #4
    c.s.regs[14] = ORG + 0x204;
    c.s.spsr = Mode::Sys as u32;
    c.step();
    assert_eq!(c.s.mode(), Mode::Sys);
    assert!(!c.s.is_thumb());
    assert_eq!(pc(&c), ORG + 0x200);

    thumb(&mut c, 0x8c, &[0xf3de, 0x8f00], Mode::Abt); // eret (T32)
    c.s.regs[14] = ORG + 0x300;
    c.s.spsr = Mode::Svc as u32;
    c.step();
    assert_eq!(c.s.mode(), Mode::Svc);
    assert_eq!(pc(&c), ORG + 0x300);

    // User mode: UNDEFINED.
    arm(&mut c, 0, &[0xe160_006e], Mode::Usr);
    c.step();
    assert_undef_taken(&c, ORG + 4);
}

// ---- coprocessor -------------------------------------------------------------------------

#[test]
fn a32_mcr_mrc_system_registers() {
    let mut c = cpu();
    arm(
        &mut c,
        0,
        &[
            0xee0c_1f10, // mcr p15, 0, r1, c12, c0, 0   (VBAR)
            0xee1c_3f10, // mrc p15, 0, r3, c12, c0, 0
            0xee11_2f10, // mrc p15, 0, r2, c1, c0, 0    (SCTLR)
            0xee0d_1f50, // mcr p15, 0, r1, c13, c0, 2   (TPIDRURW)
            0xee1d_ff50, // mrc p15, 0, APSR_nzcv, c13, c0, 2
        ],
        Mode::Svc,
    );
    c.s.regs[1] = 0xa000_0020;
    c.step();
    assert_eq!(c.s.vbar, 0xa000_0020);
    c.step();
    assert_eq!(c.s.regs[3], 0xa000_0020);
    c.step();
    assert_eq!(c.s.regs[2], 0x00c5_0078);
    c.step();
    assert_eq!(c.s.tpidrurw, 0xa000_0020);
    c.step();
    assert_eq!(c.s.nzcv(), 0xa000_0000);
    assert_eq!(pc(&c), ORG + 20);
}

#[test]
fn t32_mcr_mrc_system_registers() {
    let mut c = cpu();
    thumb(&mut c, 0, &[0xee0c, 0x1f10, 0xee11, 0x2f10], Mode::Svc);
    c.s.regs[1] = 0x8000_0400;
    c.step();
    assert_eq!(c.s.vbar, 0x8000_0400);
    c.step();
    assert_eq!(c.s.regs[2], 0x00c5_0078);
    assert_eq!(pc(&c), ORG + 8);
}

#[test]
fn coprocessor_undefined_cases() {
    let mut c = cpu();
    for (w, mode) in [
        (0xeeff_2fff, Mode::Svc), // mrc p15, 7, r2, c15, c15, 7: unknown register
        (0xee11_2f10, Mode::Usr), // mrc SCTLR from User mode
        (0xee0c_1f10, Mode::Usr), // mcr VBAR from User mode
        (0xee01_1710, Mode::Svc), // mcr p7: no such coprocessor
        (0xee01_1a10, Mode::Svc), // cp10 (VFP not implemented)
        (0xec42_1f0f, Mode::Svc), // mcrr p15 c15: no such 64-bit register
        (0xec52_1f0f, Mode::Svc), // mrrc
        (0xed91_5e00, Mode::Svc), // ldc p14
        (0xee02_1e03, Mode::Svc), // cdp p14
    ] {
        arm(&mut c, 0, &[w], mode);
        c.step();
        assert_undef_taken(&c, ORG + 4);
    }
    thumb(&mut c, 0, &[0xeeff, 0x2fff], Mode::Svc);
    c.step();
    assert_undef_taken(&c, ORG + 2);
    thumb(&mut c, 0, &[0xfe11, 0x2f10], Mode::Svc); // mrc2
    c.step();
    assert_undef_taken(&c, ORG + 2);
    // User mode may use TPIDRURW.
    arm(&mut c, 0, &[0xee1d_3f50], Mode::Usr);
    c.s.tpidrurw = 0x55;
    c.step();
    assert_eq!(c.s.regs[3], 0x55);
}

// ---- hints -------------------------------------------------------------------------------

#[test]
fn wfi_stops_the_run_loop() {
    let mut c = cpu();
    arm(&mut c, 0x70, &[0xe320_f003], Mode::Svc);
    assert_eq!(c.step(), Some(StopReason::Wfi));
    assert_eq!(pc(&c), ORG + 0x74);

    arm(&mut c, 0, &[0xe320_f000, 0xe320_f003], Mode::Svc);
    assert_eq!(c.run(100), StopReason::Wfi);
    assert_eq!(pc(&c), ORG + 8);

    thumb(&mut c, 0, &[0xbf30, 0xf3af, 0x8003], Mode::Svc);
    assert_eq!(c.step(), Some(StopReason::Wfi));
    assert_eq!(pc(&c), ORG + 2);
    assert_eq!(c.step(), Some(StopReason::Wfi));
    assert_eq!(pc(&c), ORG + 6);
}

#[test]
fn hints_barriers_preloads_are_nops() {
    let mut c = cpu();
    let words = [
        0xe320_f002, // wfe
        0xe320_f000, // nop
        0xe320_f001, // yield
        0xe320_f004, // sev
        0xf57f_f04f, // dsb
        0xf57f_f05f, // dmb
        0xf57f_f06f, // isb
        0xf5d1_f004, // pld
        0xf591_f004, // pldw
        0xf4d1_f004, // pli
        0xf7d1_f002, // pld [r1, r2]
    ];
    arm(&mut c, 0, &words, Mode::Usr);
    c.s.regs[1] = 0xffff_fff0; // preloads never fault
    for k in 1..=words.len() as u32 {
        assert_eq!(c.step(), None);
        assert_eq!(pc(&c), ORG + 4 * k);
    }
    let hws = [
        0xbf20, 0xbf00, 0xf3af, 0x8000, 0xf3af, 0x8001, 0xf3af, 0x8004, 0xf3bf, 0x8f4f, 0xf3bf,
        0x8f5f, 0xf3bf, 0x8f6f,
    ];
    thumb(&mut c, 0, &hws, Mode::Usr);
    for _ in 0..8 {
        assert_eq!(c.step(), None);
    }
    assert_eq!(pc(&c), ORG + 28);
}

#[test]
fn clrex_clears_the_monitor() {
    let mut c = cpu();
    arm(&mut c, 0, &[0xf57f_f01f], Mode::Usr);
    c.s.excl_valid = 1;
    c.step();
    assert_eq!(c.s.excl_valid, 0);
    thumb(&mut c, 0, &[0xf3bf, 0x8f2f], Mode::Usr);
    c.s.excl_valid = 1;
    c.step();
    assert_eq!(c.s.excl_valid, 0);
}

#[test]
fn t32_bxj_behaves_as_bx() {
    let mut c = cpu();
    thumb(&mut c, 0, &[0xf3c6, 0x8f00], Mode::Svc);
    c.s.regs[6] = ORG + 0x500;
    c.step();
    assert!(!c.s.is_thumb());
    assert_eq!(pc(&c), ORG + 0x500);
}

#[test]
fn advanced_simd_space_is_undefined() {
    assert!(decode_a32(0xf220_0110).is_undefined()); // vand d0, d0, d0
    assert!(decode_a32(0xf420_070f).is_undefined()); // vld1.8 {d0}, [r0]
    assert!(decode_t32(0xef00, 0x0110, ItCtx::OUTSIDE).is_undefined());
}

/// Every encoding of this group the assembler produces decodes to an instruction (the
/// deliberately UNDEFINED ones are tested above), and branches end their block.
#[test]
fn assembled_encodings_decode() {
    let a32: &[u32] = &[
        0xea00003e, 0xebfffffc, 0xe12fff13, 0xe12fff24, 0xe12fff35, 0xfb000006, 0x1a000002,
        0xef123456, 0xef000042, 0xe1212374, 0xe1456778, 0xe1600073, 0xe160006e, 0xf10c00c0,
        0xf10a011f, 0xf1020012, 0xf1010200, 0xf1010000, 0xe10f0000, 0xe14f1000, 0xe129f002,
        0xe128f003, 0xe16ff004, 0xe328f20f, 0xe1002200, 0xe121f303, 0xe1424300, 0xe12ef305,
        0xe320f003, 0xe320f002, 0xe320f000, 0xe320f001, 0xe320f004, 0xf57ff04f, 0xf57ff05f,
        0xf57ff06f, 0xf57ff01f, 0xf5d1f004, 0xf591f004, 0xf4d1f004, 0xf7d1f002, 0xee0c1f10,
        0xee112f10, 0xee1d3f50, 0xee1dff50, 0xee0d1f70,
    ];
    for &w in a32 {
        assert!(!decode_a32(w).is_undefined(), "{w:#010x}");
    }
    let t32: &[(u32, u32)] = &[
        (0xe01e, 0),
        (0xf000, 0xbffe),
        (0xf6ff, 0xfffe),
        (0xf000, 0xe880),
        (0x4718, 0),
        (0x47a8, 0),
        (0xb171, 0),
        (0xb912, 0),
        (0xd006, 0),
        (0xf47e, 0xaffe),
        (0xf000, 0xb81e),
        (0xdfab, 0),
        (0xdf12, 0),
        (0xbe12, 0),
        (0xb672, 0),
        (0xb663, 0),
        (0xf3af, 0x8797),
        (0xf3af, 0x811f),
        (0xb658, 0),
        (0xb650, 0),
        (0xbf30, 0),
        (0xf3af, 0x8003),
        (0xbf20, 0),
        (0xbf00, 0),
        (0xf3af, 0x8000),
        (0xf3af, 0x8001),
        (0xf3af, 0x8004),
        (0xf3bf, 0x8f4f),
        (0xf3bf, 0x8f5f),
        (0xf3bf, 0x8f6f),
        (0xf3bf, 0x8f2f),
        (0xf3ef, 0x8000),
        (0xf3ff, 0x8100),
        (0xf382, 0x8900),
        (0xf394, 0x8f00),
        (0xf3e0, 0x8220),
        (0xf383, 0x8130),
        (0xf3f2, 0x8430),
        (0xf385, 0x8e30),
        (0xf3c6, 0x8f00),
        (0xf3de, 0x8f04),
        (0xf3de, 0x8f00),
        (0xf7e1, 0x8234),
        (0xf7f5, 0x8000),
        (0xee0c, 0x1f10),
        (0xee11, 0x2f10),
        (0xee1d, 0xff50),
    ];
    for &(h1, h2) in t32 {
        assert!(
            !decode_t32(h1, h2, ItCtx::OUTSIDE).is_undefined(),
            "{h1:#06x} {h2:#06x}"
        );
    }
    let b = decode_a32(0xea00_003e);
    assert!(b.has(emu_core::insn::flags::ENDS_BLOCK));
    assert_eq!(b.cond, 0xe);
    assert_eq!(decode_a32(0x1a00_0002).cond, 0x1);
    assert_eq!(decode_t32(0xd006, 0, ItCtx::OUTSIDE).cond, 0x0);
    assert_eq!(decode_t32(0xf47e, 0xaffe, ItCtx::OUTSIDE).cond, 0x1);
}
