//! Exception entry and the run loop: vectors, return links, masks, banking, Thumb entry
//! (Arm ARM B1.8), interrupts sampled at block boundaries, and self-modifying code.

use emu_core::state::{psr, sctlr};
use emu_core::{Cpu, CpuConfig, Mode, Ram, StopReason};

const BASE: u32 = 0x8000_0000;

fn cpu_with(code: &[u32], thumb: bool) -> Cpu {
    let mut c = Cpu::new(
        CpuConfig::default(),
        Ram::new(BASE as u64, 1 << 20).unwrap(),
    );
    let bytes: Vec<u8> = code.iter().flat_map(|w| w.to_le_bytes()).collect();
    c.ram
        .slice_mut(BASE as u64 + 0x1000, bytes.len())
        .unwrap()
        .copy_from_slice(&bytes);
    c.reset((BASE + 0x1000) | thumb as u32, Mode::Svc);
    c.s.vbar = BASE;
    c
}

#[test]
fn irq_is_taken_at_a_block_boundary_with_lr_plus_4() {
    // nop; nop; b .
    let mut c = cpu_with(&[0xe320f000, 0xe320f000, 0xeafffffe], false);
    c.s.cpsr_ctrl &= !(psr::I | psr::F);
    c.irq_line = true;
    // Vector 0x18: b . (so the handler spins).
    c.ram
        .slice_mut(BASE as u64 + 0x18, 4)
        .unwrap()
        .copy_from_slice(&0xeafffffeu32.to_le_bytes());
    let old_cpsr = c.s.cpsr();
    c.run(1);
    assert_eq!(c.s.mode(), Mode::Irq);
    assert_eq!(c.s.regs[14], BASE + 0x1000 + 4);
    assert_eq!(c.s.spsr, old_cpsr);
    assert_ne!(c.s.cpsr_ctrl & psr::I, 0);
    assert_ne!(c.s.cpsr_ctrl & psr::A, 0);
    assert_eq!(c.s.cpsr_ctrl & psr::F, 0);
    assert_eq!(c.s.regs[15], BASE + 0x18);
}

#[test]
fn masked_irq_waits_and_fiq_banks_r8_to_r12() {
    let mut c = cpu_with(&[0xe320f000, 0xeafffffe], false);
    c.irq_line = true; // masked by reset
    c.run(10);
    assert_eq!(c.s.mode(), Mode::Svc);
    c.s.regs[8] = 0x88;
    c.s.cpsr_ctrl &= !psr::F;
    c.fiq_line = true;
    c.run(1);
    assert_eq!(c.s.mode(), Mode::Fiq);
    assert_eq!(c.s.regs[8], 0, "FIQ mode has its own R8");
    assert_ne!(c.s.cpsr_ctrl & psr::F, 0);
    assert_eq!(c.s.read_banked(Mode::Svc, 8), 0x88);
}

#[test]
fn undefined_in_thumb_links_plus_2_and_enters_thumb_with_te() {
    // T32 UDF #0 (0xde00) at BASE+0x1000.
    let mut c = cpu_with(&[0x0000_de00], true);
    c.s.sctlr |= sctlr::TE;
    c.step();
    assert_eq!(c.s.mode(), Mode::Und);
    assert_eq!(c.s.regs[14], BASE + 0x1000 + 2);
    assert_eq!(c.s.regs[15], BASE + 0x4);
    assert!(c.s.is_thumb());
    assert_ne!(c.s.spsr & psr::T, 0);
}

#[test]
fn data_abort_links_plus_8_and_sets_dfsr_dfar() {
    // ldr r0, [r1] with r1 unmapped.
    let mut c = cpu_with(&[0xe5910000], false);
    c.s.regs[1] = 0x1000_0000;
    c.step();
    assert_eq!(c.s.mode(), Mode::Abt);
    assert_eq!(c.s.regs[14], BASE + 0x1000 + 8);
    assert_eq!(c.s.regs[15], BASE + 0x10);
    assert_eq!(c.s.dfar, 0x1000_0000);
    assert_eq!(c.s.dfsr & 0x40f, 0x008, "synchronous external abort");
}

#[test]
fn high_vectors_ignore_vbar() {
    let mut c = cpu_with(&[0xe7f000f0], false); // UDF
    c.s.sctlr |= sctlr::V;
    c.step();
    assert_eq!(c.s.regs[15], 0xffff_0004);
}

#[test]
fn svc_inside_an_it_block_saves_the_advanced_itstate() {
    // itt eq; svceq #1; moveq r0, #1   (T32: 0xbf04 itt eq, 0xdf01 svc 1, 0x2001 movs r0,#1)
    let mut c = cpu_with(&[0xdf01_bf04, 0x0000_2001], true);
    c.s.zf = 1;
    c.step(); // IT
    assert_ne!(c.s.itstate, 0);
    c.step(); // SVC
    assert_eq!(c.s.mode(), Mode::Svc);
    assert_eq!(c.s.regs[14], BASE + 0x1004);
    // The saved ITSTATE covers the one remaining instruction of the block.
    let it = ((c.s.spsr >> 25) & 3) | (((c.s.spsr >> 10) & 0x3f) << 2);
    assert_eq!(it & 0xf, 0x8);
    assert_eq!(c.s.itstate, 0);
}

#[test]
fn store_into_following_instruction_takes_effect() {
    // str r1, [pc, #-4]  (writes over the next instruction, at pc+4 = addr of next insn)
    // mov r0, #1         (overwritten by r1 = mov r0, #2)
    // b .
    let mut c = cpu_with(&[0xe50f1004, 0xe3a00001, 0xeafffffe], false);
    c.s.regs[1] = 0xe3a00002;
    // Decode the whole block first, then run it.
    c.run(3);
    assert_eq!(c.s.regs[0], 2);
}

#[test]
fn wfi_stops_the_run_loop_after_the_instruction() {
    let mut c = cpu_with(&[0xe320f003, 0xeafffffe], false);
    assert_eq!(c.run(100), StopReason::Wfi);
    assert_eq!(c.s.regs[15], BASE + 0x1004);
}
