//! Asynchronous exceptions with the Virtualization Extensions (Arm ARM B1.8.11): physical
//! IRQ/FIQ routed to Hyp mode by HCR.IMO/FMO (not masked by the guest's CPSR.I/F), virtual
//! IRQ/FIQ from HCR.VI/VF or the GIC's virtual CPU interface lines taken at Non-secure PL1
//! through the guest's vectors, the virtual abort (HCR.VA), HCR.TGE, and WFI's wake-up.

use emu_core::state::psr;
use emu_core::timer::ClockSource;
use emu_core::{Cpu, CpuConfig, Mode, Ram, StopReason};

const BASE: u32 = 0x8000_0000;
const HVBAR: u32 = BASE;
const VBAR: u32 = BASE + 0x100;
const CODE: u32 = BASE + 0x1000;
const NOP: u32 = 0xe320f000;
const B_SELF: u32 = 0xeafffffe;
const WFI: u32 = 0xe320f003;

const HCR_FMO: u32 = 1 << 3;
const HCR_IMO: u32 = 1 << 4;
const HCR_AMO: u32 = 1 << 5;
const HCR_VF: u32 = 1 << 6;
const HCR_VI: u32 = 1 << 7;
const HCR_VA: u32 = 1 << 8;
const HCR_TGE: u32 = 1 << 27;

fn load(c: &mut Cpu, at: u32, code: &[u32]) {
    let bytes: Vec<u8> = code.iter().flat_map(|w| w.to_le_bytes()).collect();
    c.ram
        .slice_mut(at as u64, bytes.len())
        .unwrap()
        .copy_from_slice(&bytes);
}

/// A core in Non-secure `mode` (SCR.NS, HCE as a board's firmware leaves them) running
/// NOPs at CODE with interrupts unmasked, Hyp vectors at HVBAR, PL1 vectors at VBAR.
fn guest(mode: Mode, hcr: u32) -> Cpu {
    let cfg = CpuConfig {
        virtualization: true,
        clock: ClockSource::Instructions,
        ..CpuConfig::default()
    };
    let mut c = Cpu::new(cfg, Ram::new(BASE as u64, 1 << 20).unwrap());
    load(&mut c, HVBAR, &[B_SELF; 8]);
    load(&mut c, VBAR, &[B_SELF; 8]);
    load(&mut c, CODE, &[NOP; 64]);
    c.reset(CODE, Mode::Hyp);
    c.s.hvbar = HVBAR;
    c.s.vbar = VBAR;
    c.s.switch_mode(mode);
    c.s.cpsr_ctrl &= !(psr::I | psr::F | psr::A);
    c.s.hcr = hcr;
    c
}

fn run(c: &mut Cpu) {
    c.run(4);
}

#[test]
fn physical_irq_without_imo_goes_to_the_guest_irq_vector() {
    let mut c = guest(Mode::Svc, 0);
    c.irq_line = true;
    run(&mut c);
    assert_eq!(c.s.mode(), Mode::Irq);
    assert_eq!(c.s.regs[15], VBAR + 0x18);
    assert_eq!(c.s.regs[14], CODE + 4, "LR_irq = preferred return + 4");
}

#[test]
fn physical_irq_with_imo_goes_to_hyp_even_when_the_guest_masks_it() {
    let mut c = guest(Mode::Svc, HCR_IMO);
    c.s.cpsr_ctrl |= psr::I;
    c.irq_line = true;
    run(&mut c);
    assert_eq!(c.s.mode(), Mode::Hyp);
    assert_eq!(c.s.regs[15], HVBAR + 0x18);
    assert_eq!(
        c.s.elr_hyp, CODE,
        "ELR_hyp = the next instruction to execute"
    );
    assert_eq!(c.s.read_spsr_of(Mode::Hyp) & 0x1f, Mode::Svc as u32);
    assert_ne!(
        c.s.cpsr_ctrl & psr::I,
        0,
        "IRQs masked in Hyp mode after entry"
    );
}

#[test]
fn physical_fiq_with_fmo_goes_to_hyp() {
    let mut c = guest(Mode::Usr, HCR_FMO);
    c.s.cpsr_ctrl |= psr::F;
    c.fiq_line = true;
    run(&mut c);
    assert_eq!(c.s.mode(), Mode::Hyp);
    assert_eq!(c.s.regs[15], HVBAR + 0x1c);
}

#[test]
fn in_hyp_mode_the_physical_irq_is_masked_by_hyp_cpsr_i() {
    let mut c = guest(Mode::Hyp, HCR_IMO);
    c.s.cpsr_ctrl |= psr::I;
    c.irq_line = true;
    run(&mut c);
    assert_eq!(c.s.mode(), Mode::Hyp);
    assert!(c.s.regs[15] >= CODE, "still running the code");
    c.s.cpsr_ctrl &= !psr::I;
    run(&mut c);
    assert_eq!(c.s.regs[15], HVBAR + 0x18);
}

#[test]
fn virtual_irq_from_hcr_vi_is_taken_at_pl1_and_masked_by_cpsr_i() {
    let mut c = guest(Mode::Svc, HCR_IMO | HCR_VI);
    c.s.cpsr_ctrl |= psr::I;
    run(&mut c);
    assert_eq!(c.s.mode(), Mode::Svc, "masked by the guest's CPSR.I");
    c.s.cpsr_ctrl &= !psr::I;
    let pc = c.s.regs[15];
    run(&mut c);
    assert_eq!(c.s.mode(), Mode::Irq);
    assert_eq!(c.s.regs[15], VBAR + 0x18);
    assert_eq!(c.s.regs[14], pc + 4);
    assert_ne!(
        c.s.hcr & HCR_VI,
        0,
        "HCR.VI stays set until the hypervisor clears it"
    );
}

#[test]
fn virtual_irq_needs_imo() {
    let mut c = guest(Mode::Svc, HCR_VI);
    run(&mut c);
    assert_eq!(c.s.mode(), Mode::Svc);
    let mut c = guest(Mode::Svc, 0);
    c.virq_line = true;
    run(&mut c);
    assert_eq!(c.s.mode(), Mode::Svc);
}

#[test]
fn virtual_irq_line_from_the_gic_is_taken_at_pl1() {
    let mut c = guest(Mode::Usr, HCR_IMO);
    c.virq_line = true;
    run(&mut c);
    assert_eq!(c.s.mode(), Mode::Irq);
    assert_eq!(c.s.regs[15], VBAR + 0x18);
}

#[test]
fn virtual_fiq_from_the_line_and_from_hcr_vf() {
    let mut c = guest(Mode::Svc, HCR_FMO);
    c.vfiq_line = true;
    run(&mut c);
    assert_eq!(c.s.mode(), Mode::Fiq);
    assert_eq!(c.s.regs[15], VBAR + 0x1c);
    let mut c = guest(Mode::Svc, HCR_FMO | HCR_VF);
    run(&mut c);
    assert_eq!(c.s.mode(), Mode::Fiq);
}

#[test]
fn virtual_interrupts_are_never_taken_in_hyp_mode() {
    let mut c = guest(Mode::Hyp, HCR_IMO | HCR_FMO | HCR_VI | HCR_VF);
    c.virq_line = true;
    run(&mut c);
    assert_eq!(c.s.mode(), Mode::Hyp);
    assert!(c.s.regs[15] >= CODE);
}

#[test]
fn virtual_abort_is_taken_once_as_an_asynchronous_external_abort() {
    let mut c = guest(Mode::Svc, HCR_AMO | HCR_VA);
    c.s.cpsr_ctrl |= psr::A;
    run(&mut c);
    assert_eq!(c.s.mode(), Mode::Svc, "masked by CPSR.A");
    c.s.cpsr_ctrl &= !psr::A;
    let pc = c.s.regs[15];
    run(&mut c);
    assert_eq!(c.s.mode(), Mode::Abt);
    assert_eq!(c.s.regs[15], VBAR + 0x10);
    assert_eq!(c.s.regs[14], pc + 8);
    assert_eq!(
        c.s.dfsr, 0x406,
        "short-descriptor FS = asynchronous external abort"
    );
    assert_eq!(c.s.hcr & HCR_VA, 0, "HCR.VA cleared by taking it");
}

#[test]
fn tge_routes_physical_irq_to_hyp_and_disables_virtual_ones() {
    let mut c = guest(Mode::Usr, HCR_TGE | HCR_VI);
    run(&mut c);
    assert_eq!(c.s.mode(), Mode::Usr, "no virtual IRQ under TGE");
    c.irq_line = true;
    run(&mut c);
    assert_eq!(c.s.mode(), Mode::Hyp);
    assert_eq!(c.s.regs[15], HVBAR + 0x18);
}

#[test]
fn wfi_wakes_on_virtual_interrupts_only_below_hyp() {
    let mut c = guest(Mode::Svc, HCR_IMO);
    load(&mut c, CODE, &[WFI, NOP]);
    c.flush_code();
    c.s.cpsr_ctrl |= psr::I;
    assert!(!c.wfi_wake_pending());
    assert_eq!(c.run(4), StopReason::Wfi);
    c.virq_line = true;
    assert!(c.wfi_wake_pending(), "masked virtual IRQ still wakes WFI");
    c.s.switch_mode(Mode::Hyp);
    assert!(!c.wfi_wake_pending(), "virtual IRQs do not wake Hyp mode");
    c.irq_line = true;
    assert!(c.wfi_wake_pending());
}

#[test]
fn tge_sends_undefined_and_svc_from_user_mode_to_the_hyp_trap_vector() {
    const UDF: u32 = 0xe7f000f0;
    const SVC7: u32 = 0xef000007;
    let mut c = guest(Mode::Usr, HCR_TGE);
    load(&mut c, CODE, &[UDF]);
    c.flush_code();
    run(&mut c);
    assert_eq!(c.s.mode(), Mode::Hyp);
    assert_eq!(c.s.regs[15], HVBAR + 0x14);
    assert_eq!(c.s.hsr, (1 << 25), "EC 0x00, IL");
    assert_eq!(c.s.elr_hyp, CODE);

    let mut c = guest(Mode::Usr, HCR_TGE);
    load(&mut c, CODE, &[SVC7]);
    c.flush_code();
    run(&mut c);
    assert_eq!(c.s.regs[15], HVBAR + 0x14);
    assert_eq!(c.s.hsr, (0x11 << 26) | (1 << 25) | 7);
    assert_eq!(c.s.elr_hyp, CODE + 4, "SVC returns to the next instruction");

    // Without TGE, or from a PL1 mode, SVC goes to the guest's Supervisor mode.
    let mut c = guest(Mode::Usr, 0);
    load(&mut c, CODE, &[SVC7]);
    c.flush_code();
    run(&mut c);
    assert_eq!(c.s.mode(), Mode::Svc);
    assert_eq!(c.s.regs[15], VBAR + 0x08);
}

#[test]
fn tge_sends_user_mode_data_aborts_to_hyp() {
    // LDR r0, [r1] with r1 misaligned and SCTLR.A set: an alignment fault at PL0.
    const LDR_R0_R1: u32 = 0xe5910000;
    let mut c = guest(Mode::Usr, HCR_TGE);
    load(&mut c, CODE, &[LDR_R0_R1]);
    c.flush_code();
    c.s.sctlr |= 1 << 1;
    c.s.regs[1] = BASE + 0x2001;
    run(&mut c);
    assert_eq!(c.s.mode(), Mode::Hyp);
    assert_eq!(c.s.regs[15], HVBAR + 0x14);
    assert_eq!(c.s.hsr >> 26, 0x24, "data abort from a lower level");
    assert_eq!(c.s.hsr & 0x3f, 0b100001, "DFSC alignment fault");
    assert_eq!(c.s.hdfar, BASE + 0x2001);
    assert_eq!(c.s.elr_hyp, CODE);
}
