//! Loads and stores, A32 and T32: every addressing mode, writeback, loads to the PC,
//! load/store multiple (including the ^ forms and exception return), exclusives, SWP,
//! alignment faults and big-endian data. Encodings come from arm-none-eabi-as;
//! UNPREDICTABLE cases are checked against what qemu-system-arm 7.2 does.

use emu_core::cpu::{Cpu, CpuConfig};
use emu_core::decode::a32::block::decode_srs_rfe;
use emu_core::memory::Ram;
use emu_core::state::{psr, sctlr, Mode};

const CODE: u32 = 0x8000_0000;
const DATA: u32 = 0x8000_1000;
/// Outside RAM: accesses take an external abort.
const NOWHERE: u32 = 0x1000_0000;

/// A core whose data area holds byte k at DATA + k (k < 256).
fn new_cpu() -> Cpu {
    let mut cpu = Cpu::new(
        CpuConfig::default(),
        Ram::new(CODE as u64, 1 << 20).unwrap(),
    );
    let d = cpu.ram.slice_mut(DATA as u64, 256).unwrap();
    for (k, b) in d.iter_mut().enumerate() {
        *b = k as u8;
    }
    cpu
}

fn a32(code: &[u32]) -> Cpu {
    let mut cpu = new_cpu();
    let s = cpu.ram.slice_mut(CODE as u64, code.len() * 4).unwrap();
    for (k, w) in code.iter().enumerate() {
        s[k * 4..k * 4 + 4].copy_from_slice(&w.to_le_bytes());
    }
    cpu.reset(CODE, Mode::Svc);
    cpu
}

fn t32(code: &[u16]) -> Cpu {
    let mut cpu = new_cpu();
    let s = cpu.ram.slice_mut(CODE as u64, code.len() * 2).unwrap();
    for (k, h) in code.iter().enumerate() {
        s[k * 2..k * 2 + 2].copy_from_slice(&h.to_le_bytes());
    }
    cpu.reset(CODE | 1, Mode::Svc);
    cpu
}

fn rd32(cpu: &Cpu, a: u32) -> u32 {
    u32::from_le_bytes(cpu.ram.slice(a as u64, 4).unwrap().try_into().unwrap())
}

fn wr32(cpu: &mut Cpu, a: u32, v: u32) {
    cpu.ram
        .slice_mut(a as u64, 4)
        .unwrap()
        .copy_from_slice(&v.to_le_bytes());
}

fn rd8(cpu: &Cpu, a: u32) -> u8 {
    cpu.ram.slice(a as u64, 1).unwrap()[0]
}

/// The initial little-endian word at DATA + k.
fn word(k: u32) -> u32 {
    let k = k as u8;
    u32::from_le_bytes([k, k.wrapping_add(1), k.wrapping_add(2), k.wrapping_add(3)])
}

/// Sets registers and executes one instruction.
fn run(cpu: &mut Cpu, regs: &[(usize, u32)]) {
    for &(r, v) in regs {
        cpu.s.regs[r] = v;
    }
    cpu.step();
}

fn assert_undef(cpu: &Cpu) {
    assert_eq!(cpu.s.mode(), Mode::Und, "expected UNDEFINED");
    assert_eq!(cpu.s.regs[15], 0x04);
}

fn assert_dabt(cpu: &Cpu, addr: u32, fsr: u32) {
    assert_eq!(cpu.s.mode(), Mode::Abt, "expected a data abort");
    assert_eq!(cpu.s.regs[15], 0x10);
    assert_eq!(cpu.s.dfar, addr);
    assert_eq!(cpu.s.dfsr, fsr);
    assert_eq!(cpu.s.regs[14], CODE + 8);
}

const ALIGN_R: u32 = 0x001;
const ALIGN_W: u32 = 0x801;
const EXT_R: u32 = 0x008;

// ==== A32 word and byte (A5.3) ===========================================================

#[test]
fn a32_ldr_imm_offset() {
    let mut c = a32(&[0xe5910004]); // ldr r0, [r1, #4]
    run(&mut c, &[(1, DATA)]);
    assert_eq!(c.s.regs[0], word(4));
    assert_eq!(c.s.regs[1], DATA);
    assert_eq!(c.s.regs[15], CODE + 4);
}

#[test]
fn a32_ldr_imm_negative() {
    let mut c = a32(&[0xe5110004]); // ldr r0, [r1, #-4]
    run(&mut c, &[(1, DATA + 8)]);
    assert_eq!(c.s.regs[0], word(4));
}

#[test]
fn a32_ldr_pre_indexed_writeback() {
    let mut c = a32(&[0xe5b10004]); // ldr r0, [r1, #4]!
    run(&mut c, &[(1, DATA)]);
    assert_eq!((c.s.regs[0], c.s.regs[1]), (word(4), DATA + 4));
}

#[test]
fn a32_ldr_post_indexed() {
    let mut c = a32(&[0xe4110004]); // ldr r0, [r1], #-4
    run(&mut c, &[(1, DATA + 8)]);
    assert_eq!((c.s.regs[0], c.s.regs[1]), (word(8), DATA + 4));
}

#[test]
fn a32_ldr_reg_lsl() {
    let mut c = a32(&[0xe7910102]); // ldr r0, [r1, r2, lsl #2]
    run(&mut c, &[(1, DATA), (2, 3)]);
    assert_eq!(c.s.regs[0], word(12));
}

#[test]
fn a32_ldr_reg_subtract_lsr() {
    let mut c = a32(&[0xe71100a2]); // ldr r0, [r1, -r2, lsr #1]
    run(&mut c, &[(1, DATA + 16), (2, 8)]);
    assert_eq!(c.s.regs[0], word(12));
}

#[test]
fn a32_ldr_reg_asr32_writeback() {
    let mut c = a32(&[0xe7b10042]); // ldr r0, [r1, r2, asr #32]!
    run(&mut c, &[(1, DATA + 5), (2, 0x8000_0000)]);
    assert_eq!((c.s.regs[0], c.s.regs[1]), (word(4), DATA + 4));
}

#[test]
fn a32_ldr_post_reg_ror() {
    let mut c = a32(&[0xe6910262]); // ldr r0, [r1], r2, ror #4
    run(&mut c, &[(1, DATA), (2, 0x80)]);
    assert_eq!((c.s.regs[0], c.s.regs[1]), (word(0), DATA + 8));
}

#[test]
fn a32_ldr_post_reg_rrx_uses_carry() {
    let mut c = a32(&[0xe6910062]); // ldr r0, [r1], r2, rrx
    c.s.cf = 1;
    run(&mut c, &[(1, DATA), (2, 8)]);
    assert_eq!(c.s.regs[0], word(0));
    assert_eq!(c.s.regs[1], DATA.wrapping_add(0x8000_0004));
}

#[test]
fn a32_ldrb_imm_and_post() {
    let mut c = a32(&[0xe5d10003, 0xe4d10001]); // ldrb r0, [r1, #3]; ldrb r0, [r1], #1
    run(&mut c, &[(1, DATA + 0x80)]);
    assert_eq!(c.s.regs[0], 0x83);
    run(&mut c, &[]);
    assert_eq!((c.s.regs[0], c.s.regs[1]), (0x80, DATA + 0x81));
}

#[test]
fn a32_strb_pre_negative_writeback() {
    let mut c = a32(&[0xe5610001]); // strb r0, [r1, #-1]!
    run(&mut c, &[(0, 0x1234_56ab), (1, DATA + 8)]);
    assert_eq!(rd8(&c, DATA + 7), 0xab);
    assert_eq!(rd8(&c, DATA + 6), 6);
    assert_eq!(rd8(&c, DATA + 8), 8);
    assert_eq!(c.s.regs[1], DATA + 7);
}

#[test]
fn a32_str_imm_reg_and_post_reg() {
    // str r0, [r1, #8]; str r0, [r1, r2]; str r0, [r1], -r2
    let mut c = a32(&[0xe5810008, 0xe7810002, 0xe6010002]);
    run(&mut c, &[(0, 0xdead_beef), (1, DATA), (2, 0x20)]);
    assert_eq!(rd32(&c, DATA + 8), 0xdead_beef);
    run(&mut c, &[(0, 0x1111_2222)]);
    assert_eq!(rd32(&c, DATA + 0x20), 0x1111_2222);
    run(&mut c, &[(0, 0x3333_4444), (1, DATA + 0x40)]);
    assert_eq!(rd32(&c, DATA + 0x40), 0x3333_4444);
    assert_eq!(c.s.regs[1], DATA + 0x20);
}

#[test]
fn a32_str_pc_stores_pc_plus_8() {
    let mut c = a32(&[0xe581f000]); // str pc, [r1]
    run(&mut c, &[(1, DATA)]);
    assert_eq!(rd32(&c, DATA), CODE + 8);
}

#[test]
fn a32_ldr_literal() {
    // ldr r0, [pc, #8] -> CODE + 16; ldr r0, [pc, #-4] at CODE+4 -> CODE + 8
    let mut c = a32(&[0xe59f0008, 0xe51f0004, 0x1234_5678, 0, 0xcafe_f00d]);
    run(&mut c, &[]);
    assert_eq!(c.s.regs[0], 0xcafe_f00d);
    run(&mut c, &[]);
    assert_eq!(c.s.regs[0], 0x1234_5678);
}

#[test]
fn a32_ldr_pc_interworks() {
    let mut c = a32(&[0xe591f000]); // ldr pc, [r1]
    wr32(&mut c, DATA, 0x8000_2001);
    run(&mut c, &[(1, DATA)]);
    assert_eq!(c.s.regs[15], 0x8000_2000);
    assert!(c.s.is_thumb());

    let mut c = a32(&[0xe591f000]);
    wr32(&mut c, DATA, 0x8000_2004);
    run(&mut c, &[(1, DATA)]);
    assert_eq!(c.s.regs[15], 0x8000_2004);
    assert!(!c.s.is_thumb());
}

#[test]
fn a32_ldr_pc_writeback() {
    let mut c = a32(&[0xe5b1f004]); // ldr pc, [r1, #4]!
    wr32(&mut c, DATA + 4, 0x8000_3000);
    run(&mut c, &[(1, DATA)]);
    assert_eq!((c.s.regs[15], c.s.regs[1]), (0x8000_3000, DATA + 4));
}

#[test]
fn a32_ldr_writeback_rn_eq_rt_keeps_loaded_value() {
    let mut c = a32(&[0xe5b00004]); // ldr r0, [r0, #4]! (QEMU: loaded value wins)
    run(&mut c, &[(0, DATA)]);
    assert_eq!(c.s.regs[0], word(4));
}

#[test]
fn a32_str_writeback_rn_eq_rt_stores_old_value() {
    let mut c = a32(&[0xe5a00004]); // str r0, [r0, #4]!
    run(&mut c, &[(0, DATA)]);
    assert_eq!(rd32(&c, DATA + 4), DATA);
    assert_eq!(c.s.regs[0], DATA + 4);
}

#[test]
fn a32_unprivileged_forms() {
    // ldrt r0, [r1], #4; strt r0, [r1], -r2; ldrbt r0, [r1], #1; strbt r0, [r1], #1
    let mut c = a32(&[0xe4b10004, 0xe6210002, 0xe4f10001, 0xe4e10001]);
    run(&mut c, &[(1, DATA)]);
    assert_eq!((c.s.regs[0], c.s.regs[1]), (word(0), DATA + 4));
    run(&mut c, &[(0, 0x5555_aaaa), (2, 4)]);
    assert_eq!(rd32(&c, DATA + 4), 0x5555_aaaa);
    assert_eq!(c.s.regs[1], DATA);
    run(&mut c, &[(1, DATA + 0x10)]);
    assert_eq!((c.s.regs[0], c.s.regs[1]), (0x10, DATA + 0x11));
    run(&mut c, &[(0, 0x77)]);
    assert_eq!(rd8(&c, DATA + 0x11), 0x77);
    assert_eq!(c.s.regs[1], DATA + 0x12);
}

#[test]
fn a32_condition_failed_does_nothing() {
    let mut c = a32(&[0x05910000]); // ldreq r0, [r1]
    c.s.zf = 0;
    run(&mut c, &[(0, 7), (1, DATA)]);
    assert_eq!(c.s.regs[0], 7);
    let mut c = a32(&[0x05910000]);
    c.s.zf = 1;
    run(&mut c, &[(0, 7), (1, DATA)]);
    assert_eq!(c.s.regs[0], word(0));
}

// ==== A32 extra loads and stores (A5.2.8, A5.2.9) =======================================

#[test]
fn a32_ldrh_forms() {
    // ldrh r0, [r1, #2]; ldrh r0, [r1, -r2]; ldrh r0, [r1, #2]!; ldrh r0, [r1], #-2
    let mut c = a32(&[0xe1d100b2, 0xe11100b2, 0xe1f100b2, 0xe05100b2]);
    run(&mut c, &[(1, DATA + 0x10), (2, 4)]);
    assert_eq!(c.s.regs[0], 0x1312);
    run(&mut c, &[]);
    assert_eq!(c.s.regs[0], 0x0d0c);
    run(&mut c, &[]);
    assert_eq!((c.s.regs[0], c.s.regs[1]), (0x1312, DATA + 0x12));
    run(&mut c, &[]);
    assert_eq!((c.s.regs[0], c.s.regs[1]), (0x1312, DATA + 0x10));
}

#[test]
fn a32_strh_forms() {
    // strh r0, [r1, #6]; strh r0, [r1], r2
    let mut c = a32(&[0xe1c100b6, 0xe08100b2]);
    run(&mut c, &[(0, 0xffff_abcd), (1, DATA), (2, 0x20)]);
    assert_eq!(rd32(&c, DATA + 4), 0xabcd_0504);
    run(&mut c, &[(0, 0x1234)]);
    assert_eq!(rd32(&c, DATA), 0x0302_1234);
    assert_eq!(c.s.regs[1], DATA + 0x20);
}

#[test]
fn a32_ldrsb_ldrsh() {
    // ldrsb r0, [r1, #1]; ldrsb r0, [r1, r2]; ldrsh r0, [r1, #2]; ldrsh r0, [r1], #2
    let mut c = a32(&[0xe1d100d1, 0xe19100d2, 0xe1d100f2, 0xe0d100f2]);
    run(&mut c, &[(1, DATA + 0x80), (2, 0x7f)]);
    assert_eq!(c.s.regs[0], 0xffff_ff81);
    run(&mut c, &[]);
    assert_eq!(c.s.regs[0], 0xffff_ffff);
    run(&mut c, &[]);
    assert_eq!(c.s.regs[0], 0xffff_8382);
    run(&mut c, &[(1, DATA + 0x10)]);
    assert_eq!((c.s.regs[0], c.s.regs[1]), (0x1110, DATA + 0x12));
}

#[test]
fn a32_ldrh_literal() {
    let mut c = a32(&[0xe1df00b4, 0, 0, 0xbeef_1234]); // ldrh r0, [pc, #4]
    run(&mut c, &[]);
    assert_eq!(c.s.regs[0], 0x1234);
}

#[test]
fn a32_ldrd_strd_forms() {
    // ldrd r2,r3,[r1,#8]; ldrd r2,r3,[r1,#8]!; ldrd r2,r3,[r1],#-8; ldrd r2,r3,[r1,r4]
    let mut c = a32(&[0xe1c120d8, 0xe1e120d8, 0xe04120d8, 0xe18120d4]);
    run(&mut c, &[(1, DATA), (4, 0x18)]);
    assert_eq!(
        (c.s.regs[2], c.s.regs[3], c.s.regs[1]),
        (word(8), word(12), DATA)
    );
    run(&mut c, &[]);
    assert_eq!(
        (c.s.regs[2], c.s.regs[3], c.s.regs[1]),
        (word(8), word(12), DATA + 8)
    );
    run(&mut c, &[]);
    assert_eq!(
        (c.s.regs[2], c.s.regs[3], c.s.regs[1]),
        (word(8), word(12), DATA)
    );
    run(&mut c, &[]);
    assert_eq!((c.s.regs[2], c.s.regs[3]), (word(0x18), word(0x1c)));

    // strd r2,r3,[r1,#-8]!; strd r2,r3,[r1,r4]
    let mut c = a32(&[0xe16120f8, 0xe18120f4]);
    run(
        &mut c,
        &[
            (1, DATA + 0x10),
            (2, 0xaaaa_0001),
            (3, 0xbbbb_0002),
            (4, 0x20),
        ],
    );
    assert_eq!(
        (rd32(&c, DATA + 8), rd32(&c, DATA + 12)),
        (0xaaaa_0001, 0xbbbb_0002)
    );
    assert_eq!(c.s.regs[1], DATA + 8);
    run(&mut c, &[]);
    assert_eq!(
        (rd32(&c, DATA + 0x28), rd32(&c, DATA + 0x2c)),
        (0xaaaa_0001, 0xbbbb_0002)
    );
}

#[test]
fn a32_ldrd_literal() {
    let mut c = a32(&[0xe1cf20d8, 0, 0, 0, 0x1111_1111, 0x2222_2222]); // ldrd r2, r3, [pc, #8]
    run(&mut c, &[]);
    assert_eq!((c.s.regs[2], c.s.regs[3]), (0x1111_1111, 0x2222_2222));
}

#[test]
fn a32_ldrd_odd_rt_is_undefined() {
    let mut c = a32(&[0xe1c010d0]); // ldrd r1, r2, [r0]
    run(&mut c, &[(0, DATA)]);
    assert_undef(&c);
}

#[test]
fn a32_ldrd_needs_word_alignment() {
    let mut c = a32(&[0xe1c120d8]); // ldrd r2, r3, [r1, #8]
    run(&mut c, &[(1, DATA + 2), (2, 5), (3, 6)]);
    assert_dabt(&c, DATA + 10, ALIGN_R);
    assert_eq!((c.s.regs[2], c.s.regs[3]), (5, 6));
    // Word-aligned but not doubleword-aligned is fine.
    let mut c = a32(&[0xe1c120d8]);
    run(&mut c, &[(1, DATA + 4)]);
    assert_eq!(c.s.regs[2], word(12));
}

#[test]
fn a32_unprivileged_halfword_forms() {
    // ldrht r0,[r1],#2; strht r0,[r1],#2; ldrsbt r0,[r1],#1; ldrsht r0,[r1],r2
    let mut c = a32(&[0xe0f100b2, 0xe0e100b2, 0xe0f100d1, 0xe0b100f2]);
    run(&mut c, &[(1, DATA + 0x20)]);
    assert_eq!((c.s.regs[0], c.s.regs[1]), (0x2120, DATA + 0x22));
    run(&mut c, &[(0, 0xbeef)]);
    assert_eq!(rd32(&c, DATA + 0x20), 0xbeef_2120);
    assert_eq!(c.s.regs[1], DATA + 0x24);
    run(&mut c, &[(1, DATA + 0x90)]);
    assert_eq!((c.s.regs[0], c.s.regs[1]), (0xffff_ff90, DATA + 0x91));
    run(&mut c, &[(1, DATA + 0x80), (2, 6)]);
    assert_eq!((c.s.regs[0], c.s.regs[1]), (0xffff_8180, DATA + 0x86));
}

// ==== A32 synchronization primitives (A5.2.10) ===========================================

#[test]
fn a32_swp_and_swpb() {
    let mut c = a32(&[0xe1010092, 0xe1410092]); // swp r0, r2, [r1]; swpb r0, r2, [r1]
    run(&mut c, &[(1, DATA + 8), (2, 0x1234_5678)]);
    assert_eq!(c.s.regs[0], word(8));
    assert_eq!(rd32(&c, DATA + 8), 0x1234_5678);
    run(&mut c, &[(1, DATA + 0x21), (2, 0xff)]);
    assert_eq!(c.s.regs[0], 0x21);
    assert_eq!(rd8(&c, DATA + 0x21), 0xff);
}

#[test]
fn a32_swp_misaligned_faults() {
    let mut c = a32(&[0xe1010092]);
    run(&mut c, &[(0, 9), (1, DATA + 2)]);
    assert_dabt(&c, DATA + 2, ALIGN_R);
    assert_eq!(c.s.regs[0], 9);
    assert_eq!(rd32(&c, DATA), word(0));
}

#[test]
fn a32_ldrex_strex_pass_then_fail() {
    // ldrex r0, [r1]; strex r3, r2, [r1]; strex r3, r2, [r1]
    let mut c = a32(&[0xe1910f9f, 0xe1813f92, 0xe1813f92]);
    run(&mut c, &[(1, DATA + 4), (2, 0xabcd)]);
    assert_eq!(c.s.regs[0], word(4));
    run(&mut c, &[]);
    assert_eq!(c.s.regs[3], 0);
    assert_eq!(rd32(&c, DATA + 4), 0xabcd);
    run(&mut c, &[(2, 0x9999)]);
    assert_eq!(
        c.s.regs[3], 1,
        "the monitor is clear after a store-exclusive"
    );
    assert_eq!(rd32(&c, DATA + 4), 0xabcd);
}

#[test]
fn a32_strex_other_address_fails() {
    let mut c = a32(&[0xe1910f9f, 0xe1813f92]);
    run(&mut c, &[(1, DATA + 4), (2, 0xabcd)]);
    run(&mut c, &[(1, DATA + 8)]);
    assert_eq!(c.s.regs[3], 1);
    assert_eq!(rd32(&c, DATA + 8), word(8));
}

#[test]
fn a32_strex_failing_misaligned_does_not_fault() {
    // QEMU: a store-exclusive that fails the monitor check makes no access.
    let mut c = a32(&[0xe1813f92]);
    run(&mut c, &[(1, DATA + 1)]);
    assert_eq!(c.s.mode(), Mode::Svc);
    assert_eq!(c.s.regs[3], 1);
}

#[test]
fn a32_ldrex_misaligned_faults() {
    let mut c = a32(&[0xe1910f9f]);
    run(&mut c, &[(0, 3), (1, DATA + 1)]);
    assert_dabt(&c, DATA + 1, ALIGN_R);
    assert_eq!(c.s.regs[0], 3);
    assert_eq!(c.s.excl_valid, 0);
}

#[test]
fn a32_ldrexb_strexb_ldrexh_strexh() {
    // ldrexb r0,[r1]; strexb r3,r2,[r1]; ldrexh r0,[r1]; strexh r3,r2,[r1]
    let mut c = a32(&[0xe1d10f9f, 0xe1c13f92, 0xe1f10f9f, 0xe1e13f92]);
    run(&mut c, &[(1, DATA + 0x41), (2, 0x1_23ee)]);
    assert_eq!(c.s.regs[0], 0x41);
    run(&mut c, &[]);
    assert_eq!(c.s.regs[3], 0);
    assert_eq!(rd32(&c, DATA + 0x40), 0x4342_ee40);
    run(&mut c, &[(1, DATA + 0x42)]);
    assert_eq!(c.s.regs[0], 0x4342);
    run(&mut c, &[]);
    assert_eq!(c.s.regs[3], 0);
    assert_eq!(rd32(&c, DATA + 0x40), 0x23ee_ee40);
}

#[test]
fn a32_ldrexd_strexd() {
    // ldrexd r4, r5, [r1]; strexd r3, r4, r5, [r1]
    let mut c = a32(&[0xe1b14f9f, 0xe1a13f94]);
    run(&mut c, &[(1, DATA + 8)]);
    assert_eq!((c.s.regs[4], c.s.regs[5]), (word(8), word(12)));
    run(&mut c, &[(4, 0x1111), (5, 0x2222)]);
    assert_eq!(c.s.regs[3], 0);
    assert_eq!((rd32(&c, DATA + 8), rd32(&c, DATA + 12)), (0x1111, 0x2222));
}

#[test]
fn a32_ldrexd_needs_doubleword_alignment() {
    let mut c = a32(&[0xe1b14f9f]);
    run(&mut c, &[(1, DATA + 4)]);
    assert_dabt(&c, DATA + 4, ALIGN_R);
}

#[test]
fn a32_exclusive_register_clashes_are_undefined() {
    let mut c = a32(&[0xe1800f91]); // strex r0, r1, [r0]
    run(&mut c, &[(0, DATA)]);
    assert_undef(&c);
    let mut c = a32(&[0xe1b01f9f]); // ldrexd r1, r2, [r0] (odd Rt)
    run(&mut c, &[(0, DATA)]);
    assert_undef(&c);
}

// ==== A32 load/store multiple (A5.5) ===================================================

#[test]
fn a32_stm_all_modes() {
    let cases = [
        (0xe8a10015u32, 0x40u32, 0x40u32, 0x4cu32), // stmia r1!, {r0, r2, r4}
        (0xe9a10015, 0x40, 0x44, 0x4c),             // stmib
        (0xe8210015, 0x40, 0x38, 0x34),             // stmda
        (0xe9210015, 0x40, 0x34, 0x34),             // stmdb
    ];
    for (enc, base, first, fin) in cases {
        let mut c = a32(&[enc]);
        run(&mut c, &[(0, 0xa0), (1, DATA + base), (2, 0xa2), (4, 0xa4)]);
        assert_eq!(rd32(&c, DATA + first), 0xa0, "{enc:#x}");
        assert_eq!(rd32(&c, DATA + first + 4), 0xa2, "{enc:#x}");
        assert_eq!(rd32(&c, DATA + first + 8), 0xa4, "{enc:#x}");
        assert_eq!(c.s.regs[1], DATA + fin, "{enc:#x}");
    }
}

#[test]
fn a32_ldm_all_modes() {
    let cases = [
        (0xe8b10015u32, 0x40u32, 0x40u32, 0x4cu32), // ldmia r1!, {r0, r2, r4}
        (0xe9b10015, 0x40, 0x44, 0x4c),             // ldmib
        (0xe8310015, 0x40, 0x38, 0x34),             // ldmda
        (0xe9310015, 0x40, 0x34, 0x34),             // ldmdb
        (0xe8910015, 0x40, 0x40, 0x40),             // ldmia r1, {...} (no writeback)
    ];
    for (enc, base, first, fin) in cases {
        let mut c = a32(&[enc]);
        run(&mut c, &[(1, DATA + base)]);
        assert_eq!(c.s.regs[0], word(first), "{enc:#x}");
        assert_eq!(c.s.regs[2], word(first + 4), "{enc:#x}");
        assert_eq!(c.s.regs[4], word(first + 8), "{enc:#x}");
        assert_eq!(c.s.regs[1], DATA + fin, "{enc:#x}");
    }
}

#[test]
fn a32_push_pop_with_pc_interworks() {
    // push {r0, r4, lr}; pop {r0, r4, pc}
    let mut c = a32(&[0xe92d4011, 0xe8bd8011]);
    run(
        &mut c,
        &[(0, 1), (4, 4), (13, DATA + 0x80), (14, 0x8000_4001)],
    );
    assert_eq!(c.s.regs[13], DATA + 0x74);
    assert_eq!(rd32(&c, DATA + 0x7c), 0x8000_4001);
    run(&mut c, &[(0, 0), (4, 0)]);
    assert_eq!(
        (c.s.regs[0], c.s.regs[4], c.s.regs[13]),
        (1, 4, DATA + 0x80)
    );
    assert_eq!(c.s.regs[15], 0x8000_4000);
    assert!(c.s.is_thumb());
}

#[test]
fn a32_ldm_base_in_list_without_writeback_loads_it() {
    let mut c = a32(&[0xe8910007]); // ldm r1, {r0, r1, r2}
    run(&mut c, &[(1, DATA)]);
    assert_eq!(
        (c.s.regs[0], c.s.regs[1], c.s.regs[2]),
        (word(0), word(4), word(8))
    );
}

#[test]
fn a32_ldm_writeback_base_in_list_is_undefined() {
    let mut c = a32(&[0xe8b10003]); // ldm r1!, {r0, r1}
    run(&mut c, &[(1, DATA)]);
    assert_undef(&c);
}

#[test]
fn a32_ldm_empty_list_and_pc_base_are_undefined() {
    let mut c = a32(&[0xe8900000]);
    run(&mut c, &[(0, DATA)]);
    assert_undef(&c);
    let mut c = a32(&[0xe89f0001]); // ldm pc, {r0}
    run(&mut c, &[]);
    assert_undef(&c);
}

#[test]
fn a32_stm_base_in_list_stores_original() {
    // stmia r1!, {r1, r2}; stmia r1!, {r0, r1}
    let mut c = a32(&[0xe8a10006, 0xe8a10003]);
    run(&mut c, &[(1, DATA), (2, 0x22)]);
    assert_eq!((rd32(&c, DATA), rd32(&c, DATA + 4)), (DATA, 0x22));
    assert_eq!(c.s.regs[1], DATA + 8);
    run(&mut c, &[(0, 0x11)]);
    assert_eq!((rd32(&c, DATA + 8), rd32(&c, DATA + 12)), (0x11, DATA + 8));
    assert_eq!(c.s.regs[1], DATA + 16);
}

#[test]
fn a32_ldm_fault_leaves_registers_unchanged() {
    // ldmia r1!, {r0, r2, r4} straddling the end of RAM: the third load aborts.
    let end = CODE + (1 << 20);
    let mut c = a32(&[0xe8b10015]);
    run(&mut c, &[(0, 10), (1, end - 8), (2, 12), (4, 14)]);
    assert_dabt(&c, end, EXT_R);
    c.s.switch_mode(Mode::Svc);
    assert_eq!(
        (c.s.regs[0], c.s.regs[1], c.s.regs[2], c.s.regs[4]),
        (10, end - 8, 12, 14)
    );
}

#[test]
fn a32_ldm_stm_misaligned_fault_even_without_sctlr_a() {
    let mut c = a32(&[0xe8910015]);
    run(&mut c, &[(1, DATA + 2)]);
    assert_dabt(&c, DATA + 2, ALIGN_R);
    let mut c = a32(&[0xe8a10015]);
    run(&mut c, &[(1, DATA + 1)]);
    assert_dabt(&c, DATA + 1, ALIGN_W);
}

#[test]
fn a32_stm_user_registers() {
    let mut c = a32(&[0xe8c16100]); // stmia r1, {r8, sp, lr}^
    c.s.switch_mode(Mode::Usr);
    c.s.regs[8] = 0x8888;
    c.s.regs[13] = 0x1313;
    c.s.regs[14] = 0x1414;
    c.s.switch_mode(Mode::Fiq);
    run(&mut c, &[(8, 0xf8), (13, 0xf13), (14, 0xf14), (1, DATA)]);
    assert_eq!(rd32(&c, DATA), 0x8888);
    assert_eq!(rd32(&c, DATA + 4), 0x1313);
    assert_eq!(rd32(&c, DATA + 8), 0x1414);
}

#[test]
fn a32_ldm_user_registers() {
    let mut c = a32(&[0xe8d16100]); // ldm r1, {r8, sp, lr}^
    c.s.switch_mode(Mode::Fiq);
    run(&mut c, &[(8, 0xf8), (13, 0xf13), (14, 0xf14), (1, DATA)]);
    assert_eq!(
        (c.s.regs[8], c.s.regs[13], c.s.regs[14]),
        (0xf8, 0xf13, 0xf14)
    );
    c.s.switch_mode(Mode::Usr);
    assert_eq!(
        (c.s.regs[8], c.s.regs[13], c.s.regs[14]),
        (word(0), word(4), word(8))
    );
}

#[test]
fn a32_ldm_user_registers_writeback_is_undefined() {
    let mut c = a32(&[0xe8f16100]); // ldm r1!, {r8, sp, lr}^
    run(&mut c, &[(1, DATA)]);
    assert_undef(&c);
}

#[test]
fn a32_banked_forms_are_undefined_in_user_mode() {
    for enc in [0xe8c16100u32, 0xe8d16100, 0xe8d18001] {
        let mut c = a32(&[enc]);
        c.s.switch_mode(Mode::Usr);
        run(&mut c, &[(1, DATA)]);
        assert_undef(&c);
    }
}

#[test]
fn a32_ldm_exception_return() {
    let mut c = a32(&[0xe8f18001]); // ldm r1!, {r0, pc}^
    c.s.switch_mode(Mode::Irq);
    c.s.spsr = Mode::Usr as u32 | psr::T | psr::C;
    wr32(&mut c, DATA, 0x77);
    wr32(&mut c, DATA + 4, 0x8000_5003);
    run(&mut c, &[(1, DATA)]);
    assert_eq!(c.s.mode(), Mode::Usr);
    assert!(c.s.is_thumb());
    assert_eq!(c.s.cf, 1);
    assert_eq!(c.s.regs[15], 0x8000_5002);
    assert_eq!(c.s.regs[0], 0x77);
    c.s.switch_mode(Mode::Irq);
    assert_eq!(c.s.regs[1], DATA + 8, "writeback happens in the old mode");
}

// ==== SRS / RFE ==========================================================================

/// Executes a decoded instruction at CODE (for encodings whose top-level decoder is
/// another group's).
fn exec_at_code(c: &mut Cpu, i: &emu_core::Insn) -> Result<(), emu_core::Exception> {
    c.s.cur_pc = CODE;
    c.s.next_pc = CODE + 4;
    c.s.regs[15] = CODE + 8;
    (i.exec)(c, i)
}

#[test]
fn a32_srs_and_rfe() {
    let mut c = a32(&[]);
    c.s.switch_mode(Mode::Svc);
    c.s.regs[13] = DATA + 0x80;
    c.s.switch_mode(Mode::Irq);
    c.s.regs[14] = 0x8000_6000;
    c.s.spsr = Mode::Svc as u32 | psr::Z;
    let srs = decode_srs_rfe(0xf96d0513); // srsdb sp!, #0x13
    assert!(!srs.is_undefined());
    exec_at_code(&mut c, &srs).unwrap();
    assert_eq!(rd32(&c, DATA + 0x78), 0x8000_6000);
    assert_eq!(rd32(&c, DATA + 0x7c), Mode::Svc as u32 | psr::Z);
    assert_eq!(c.s.read_banked(Mode::Svc, 13), DATA + 0x78);
    assert_eq!(c.s.mode(), Mode::Irq);

    let rfe = decode_srs_rfe(0xf8b10a00); // rfeia r1!
    c.s.regs[1] = DATA + 0x78;
    exec_at_code(&mut c, &rfe).unwrap();
    assert_eq!(c.s.mode(), Mode::Svc);
    assert_eq!(c.s.zf, 1);
    assert_eq!(c.s.regs[15], 0x8000_6000);
    assert!(c.branched);
}

#[test]
fn a32_srs_rfe_decode_and_restrictions() {
    assert!(decode_srs_rfe(0xf8cd0512).op == 1); // srsia sp, #0x12
    assert!(decode_srs_rfe(0xf9110a00).op == 2); // rfedb r1
    assert!(decode_srs_rfe(0xf96d0514).rn == 0x14); // invalid mode decodes, fails at run time
    assert!(decode_srs_rfe(0xf96d0413).is_undefined()); // bad fixed bits
    let mut c = a32(&[]);
    let srs = decode_srs_rfe(0xf96d0514);
    assert!(exec_at_code(&mut c, &srs).is_err());
    c.s.switch_mode(Mode::Usr);
    let srs = decode_srs_rfe(0xf96d0513);
    assert!(exec_at_code(&mut c, &srs).is_err());
    let rfe = decode_srs_rfe(0xf9110a00);
    assert!(exec_at_code(&mut c, &rfe).is_err());
}

// ==== alignment and endianness ===========================================================

#[test]
fn a32_unaligned_word_load_without_sctlr_a() {
    let mut c = a32(&[0xe5910001]); // ldr r0, [r1, #1]
    run(&mut c, &[(1, DATA)]);
    assert_eq!(c.s.regs[0], word(1));
}

#[test]
fn a32_alignment_fault_with_sctlr_a_sets_dfsr_dfar() {
    let mut c = a32(&[0xe5b10001]); // ldr r0, [r1, #1]!
    c.s.sctlr |= sctlr::A;
    run(&mut c, &[(0, 0x55), (1, DATA)]);
    assert_dabt(&c, DATA + 1, ALIGN_R);
    c.s.switch_mode(Mode::Svc);
    assert_eq!(
        (c.s.regs[0], c.s.regs[1]),
        (0x55, DATA),
        "faulting load changes nothing"
    );

    let mut c = a32(&[0xe1c100b1]); // strh r0, [r1, #1]
    c.s.sctlr |= sctlr::A;
    run(&mut c, &[(1, DATA)]);
    assert_dabt(&c, DATA + 1, ALIGN_W);
    assert_eq!(rd32(&c, DATA), word(0));
}

#[test]
fn a32_big_endian_data() {
    // ldr r0,[r1]; ldrh r0,[r1]; strh r2,[r1,#6]; ldrd r2,r3,[r1,#8]; ldrsh r0,[r1,#2]
    let mut c = a32(&[0xe5910000, 0xe1d100b0, 0xe1c120b6, 0xe1c120d8]);
    c.s.cpsr_ctrl |= psr::E;
    run(&mut c, &[(1, DATA)]);
    assert_eq!(c.s.regs[0], 0x0001_0203);
    run(&mut c, &[]);
    assert_eq!(c.s.regs[0], 0x0001);
    run(&mut c, &[(2, 0xabcd)]);
    assert_eq!(rd32(&c, DATA + 4), 0xcdab_0504);
    run(&mut c, &[]);
    assert_eq!((c.s.regs[2], c.s.regs[3]), (0x0809_0a0b, 0x0c0d_0e0f));
}

// ==== T32 16-bit =========================================================================

#[test]
fn t16_ldr_literal_aligns_pc() {
    // At CODE+2: ldr r0, [pc, #8] -> Align(CODE+6, 4) + 8 = CODE + 12
    let mut c = t32(&[0, 0x4802, 0, 0, 0, 0, 0x5678, 0x1234]);
    run(&mut c, &[(15, CODE + 2)]);
    assert_eq!(c.s.regs[0], 0x1234_5678);
    assert_eq!(c.s.regs[15], CODE + 4);
}

#[test]
fn t16_register_offset_forms() {
    let ld = [
        (0x5888u16, word(0x84)), // ldr r0, [r1, r2]
        (0x5688, 0xffff_ff84),   // ldrsb
        (0x5a88, 0x8584),        // ldrh
        (0x5c88, 0x84),          // ldrb
        (0x5e88, 0xffff_8584),   // ldrsh
    ];
    for (enc, want) in ld {
        let mut c = t32(&[enc]);
        run(&mut c, &[(1, DATA + 0x80), (2, 4)]);
        assert_eq!(c.s.regs[0], want, "{enc:#x}");
        assert_eq!(c.s.regs[15], CODE + 2);
    }
    let st = [
        (0x5088u16, 0xcafe_babeu32), // str r0, [r1, r2]
        (0x5288, 0x0706_babe),       // strh
        (0x5488, 0x0706_05be),       // strb
    ];
    for (enc, want) in st {
        let mut c = t32(&[enc]);
        run(&mut c, &[(0, 0xcafe_babe), (1, DATA), (2, 4)]);
        assert_eq!(rd32(&c, DATA + 4), want, "{enc:#x}");
    }
}

#[test]
fn t16_immediate_offset_forms() {
    // ldr r0,[r1,#8]; ldrb r0,[r1,#3]; ldrh r0,[r1,#6]
    let mut c = t32(&[0x6888, 0x78c8, 0x88c8]);
    run(&mut c, &[(1, DATA)]);
    assert_eq!(c.s.regs[0], word(8));
    run(&mut c, &[]);
    assert_eq!(c.s.regs[0], 3);
    run(&mut c, &[]);
    assert_eq!(c.s.regs[0], 0x0706);
    // str r0,[r1,#8]; strb r0,[r1,#3]; strh r0,[r1,#6]
    let mut c = t32(&[0x6088, 0x70c8, 0x80c8]);
    run(&mut c, &[(0, 0x1122_3344), (1, DATA)]);
    assert_eq!(rd32(&c, DATA + 8), 0x1122_3344);
    run(&mut c, &[]);
    assert_eq!(rd32(&c, DATA), 0x4402_0100);
    run(&mut c, &[]);
    assert_eq!(rd32(&c, DATA + 4), 0x3344_0504);
}

#[test]
fn t16_sp_relative() {
    let mut c = t32(&[0x9804, 0x9004]); // ldr r0, [sp, #16]; str r0, [sp, #16]
    run(&mut c, &[(13, DATA)]);
    assert_eq!(c.s.regs[0], word(16));
    run(&mut c, &[(0, 0xfeed)]);
    assert_eq!(rd32(&c, DATA + 16), 0xfeed);
}

#[test]
fn t16_push_pop() {
    // push {r0, r1, lr}; pop {r0, r1, pc}
    let mut c = t32(&[0xb503, 0xbd03]);
    run(
        &mut c,
        &[(0, 0x10), (1, 0x11), (13, DATA + 0x80), (14, 0x8000_7001)],
    );
    assert_eq!(c.s.regs[13], DATA + 0x74);
    assert_eq!(
        (rd32(&c, DATA + 0x74), rd32(&c, DATA + 0x7c)),
        (0x10, 0x8000_7001)
    );
    run(&mut c, &[(0, 0), (1, 0)]);
    assert_eq!(
        (c.s.regs[0], c.s.regs[1], c.s.regs[13]),
        (0x10, 0x11, DATA + 0x80)
    );
    assert_eq!(c.s.regs[15], 0x8000_7000);
    assert!(c.s.is_thumb());
}

#[test]
fn t16_pop_pc_to_arm() {
    let mut c = t32(&[0xbd00]); // pop {pc}
    wr32(&mut c, DATA, 0x8000_8000);
    run(&mut c, &[(13, DATA)]);
    assert!(!c.s.is_thumb());
    assert_eq!(c.s.regs[15], 0x8000_8000);
}

#[test]
fn t16_ldm_stm() {
    // stmia r1!, {r0, r2}; ldmia r1!, {r0, r2}; ldmia r1, {r0, r1}
    let mut c = t32(&[0xc105, 0xc905, 0xc903]);
    run(&mut c, &[(0, 0xa0), (1, DATA), (2, 0xa2)]);
    assert_eq!(
        (rd32(&c, DATA), rd32(&c, DATA + 4), c.s.regs[1]),
        (0xa0, 0xa2, DATA + 8)
    );
    run(&mut c, &[]);
    assert_eq!(
        (c.s.regs[0], c.s.regs[2], c.s.regs[1]),
        (word(8), word(12), DATA + 16)
    );
    run(&mut c, &[(1, DATA + 0x20)]);
    assert_eq!(
        (c.s.regs[0], c.s.regs[1]),
        (word(0x20), word(0x24)),
        "base in list: no writeback"
    );
}

// ==== T32 32-bit single loads and stores ===============================================

#[test]
fn t32_ldr_forms() {
    let cases: [(u16, u16, u32, u32, u32); 5] = [
        (0xf8d1, 0x0804, DATA, word(0x84), DATA), // ldr.w r0, [r1, #0x804] (r1 = DATA - 0x780)
        (0xf851, 0x0c04, DATA + 8, word(4), DATA + 8), // ldr r0, [r1, #-4]
        (0xf851, 0x0f04, DATA, word(4), DATA + 4), // ldr r0, [r1, #4]!
        (0xf851, 0x0904, DATA + 8, word(8), DATA + 4), // ldr r0, [r1], #-4
        (0xf851, 0x0e04, DATA, word(4), DATA),    // ldrt r0, [r1, #4]
    ];
    for (k, (h1, h2, r1, want, r1_after)) in cases.into_iter().enumerate() {
        let mut c = t32(&[h1, h2]);
        let r1 = if k == 0 { DATA + 0x84 - 0x804 } else { r1 };
        let r1_after = if k == 0 { r1 } else { r1_after };
        run(&mut c, &[(1, r1)]);
        assert_eq!(c.s.regs[0], want, "{h1:#x} {h2:#x}");
        assert_eq!(c.s.regs[1], r1_after, "{h1:#x} {h2:#x}");
        assert_eq!(c.s.regs[15], CODE + 4);
    }
}

#[test]
fn t32_ldr_register_and_literal() {
    let mut c = t32(&[0xf851, 0x0032]); // ldr.w r0, [r1, r2, lsl #3]
    run(&mut c, &[(1, DATA), (2, 3)]);
    assert_eq!(c.s.regs[0], word(24));
    // At CODE+2: ldr.w r0, [pc, #12] -> Align(CODE+6,4) + 12 = CODE + 16
    let mut c = t32(&[0, 0xf8df, 0x000c, 0, 0, 0, 0, 0, 0xbeef, 0xdead]);
    run(&mut c, &[(15, CODE + 2)]);
    assert_eq!(c.s.regs[0], 0xdead_beef);
    // At CODE+16: ldr.w r0, [pc, #-12] -> CODE + 20 - 12 = CODE + 8
    let mut c = t32(&[0, 0, 0, 0, 0x4444, 0x3333, 0, 0, 0xf85f, 0x000c]);
    c.s.regs[15] = CODE + 16;
    run(&mut c, &[]);
    assert_eq!(c.s.regs[0], 0x3333_4444);
}

#[test]
fn t32_ldr_pc_interworks() {
    let mut c = t32(&[0xf8d1, 0xf000]); // ldr.w pc, [r1]
    wr32(&mut c, DATA, 0x8000_9000);
    run(&mut c, &[(1, DATA)]);
    assert!(!c.s.is_thumb());
    assert_eq!(c.s.regs[15], 0x8000_9000);
}

#[test]
fn t32_load_byte_forms() {
    let cases: [(u16, u16, u32, u32, u32); 5] = [
        (0xf991, 0x0001, DATA + 0x80, 0xffff_ff81, DATA + 0x80), // ldrsb.w r0, [r1, #1]
        (0xf911, 0x0c01, DATA + 0x81, 0xffff_ff80, DATA + 0x81), // ldrsb r0, [r1, #-1]
        (0xf811, 0x0b01, DATA + 0x90, 0x90, DATA + 0x91),        // ldrb r0, [r1], #1
        (0xf911, 0x0012, DATA + 0x80, 0xffff_ff86, DATA + 0x80), // ldrsb.w r0, [r1, r2, lsl #1]
        (0xf911, 0x0e01, DATA + 0xa0, 0xffff_ffa1, DATA + 0xa0), // ldrsbt r0, [r1, #1]
    ];
    for (h1, h2, r1, want, r1_after) in cases {
        let mut c = t32(&[h1, h2]);
        run(&mut c, &[(1, r1), (2, 3)]);
        assert_eq!(
            (c.s.regs[0], c.s.regs[1]),
            (want, r1_after),
            "{h1:#x} {h2:#x}"
        );
    }
    let mut c = t32(&[0xf891, 0x0801]); // ldrb.w r0, [r1, #0x801]
    run(&mut c, &[(1, DATA + 0x10 - 0x801)]);
    assert_eq!(c.s.regs[0], 0x10);
    // ldrb.w r0, [pc, #5] at CODE -> CODE + 4 + 5
    let mut c = t32(&[0xf89f, 0x0005, 0, 0, 0x7700]);
    run(&mut c, &[]);
    assert_eq!(c.s.regs[0], 0x77);
}

#[test]
fn t32_load_half_forms() {
    let cases: [(u16, u16, u32, u32, u32); 5] = [
        (0xf8b1, 0x0002, DATA + 0x80, 0x8382, DATA + 0x80), // ldrh.w r0, [r1, #2]
        (0xf9b1, 0x0002, DATA + 0x80, 0xffff_8382, DATA + 0x80), // ldrsh.w r0, [r1, #2]
        (0xf931, 0x0d02, DATA + 0x82, 0xffff_8180, DATA + 0x80), // ldrsh r0, [r1, #-2]!
        (0xf831, 0x0012, DATA + 0x80, 0x8786, DATA + 0x80), // ldrh.w r0, [r1, r2, lsl #1]
        (0xf831, 0x0e02, DATA + 0x10, 0x1312, DATA + 0x10), // ldrht r0, [r1, #2]
    ];
    for (h1, h2, r1, want, r1_after) in cases {
        let mut c = t32(&[h1, h2]);
        run(&mut c, &[(1, r1), (2, 3)]);
        assert_eq!(
            (c.s.regs[0], c.s.regs[1]),
            (want, r1_after),
            "{h1:#x} {h2:#x}"
        );
    }
    // ldrsh.w r0, [pc, #-2] at CODE+4 -> CODE + 8 - 2 = CODE + 6
    let mut c = t32(&[0, 0, 0xf93f, 0x0002]);
    c.s.regs[15] = CODE + 4;
    run(&mut c, &[]);
    assert_eq!(c.s.regs[0], 0x0002);
}

#[test]
fn t32_preload_hints_never_fault() {
    let hints: [(u16, u16); 11] = [
        (0xf891, 0xf004), // pld [r1, #4]
        (0xf811, 0xfc04), // pld [r1, #-4]
        (0xf811, 0xf022), // pld [r1, r2, lsl #2]
        (0xf81f, 0xf008), // pld [pc, #-8]
        (0xf991, 0xf004), // pli [r1, #4]
        (0xf911, 0xfc04), // pli [r1, #-4]
        (0xf911, 0xf002), // pli [r1, r2]
        (0xf99f, 0xf008), // pli [pc, #8]
        (0xf8b1, 0xf004), // pldw [r1, #4]
        (0xf831, 0xfc04), // pldw [r1, #-4]
        (0xf831, 0xf002), // pldw [r1, r2]
    ];
    for (h1, h2) in hints {
        let mut c = t32(&[h1, h2]);
        c.s.sctlr |= sctlr::A;
        run(&mut c, &[(1, NOWHERE + 1), (2, 1)]);
        assert_eq!(c.s.mode(), Mode::Svc, "{h1:#x} {h2:#x}");
        assert_eq!(c.s.regs[15], CODE + 4);
        assert_eq!(c.s.regs[1], NOWHERE + 1);
    }
}

#[test]
fn t32_store_forms() {
    let cases: [(u16, u16, u32, u32, u32, u32); 9] = [
        (0xf841, 0x0c08, DATA + 8, DATA, 0xcafe_f00d, DATA + 8), // str r0, [r1, #-8]
        (0xf841, 0x0f08, DATA, DATA + 8, 0xcafe_f00d, DATA + 8), // str r0, [r1, #8]!
        (0xf841, 0x0908, DATA + 8, DATA + 8, 0xcafe_f00d, DATA), // str r0, [r1], #-8
        (0xf841, 0x0022, DATA, DATA + 12, 0xcafe_f00d, DATA),    // str.w r0, [r1, r2, lsl #2]
        (0xf841, 0x0e04, DATA, DATA + 4, 0xcafe_f00d, DATA),     // strt r0, [r1, #4]
        (0xf801, 0x0d01, DATA + 1, DATA, 0x0302_010d, DATA),     // strb r0, [r1, #-1]!
        (0xf801, 0x0002, DATA, DATA, 0x0302_0d00, DATA), // strb.w r0, [r1, r2] (r2 = 3 -> byte 3)
        (0xf821, 0x0b02, DATA, DATA, 0x0302_f00d, DATA + 2), // strh r0, [r1], #2
        (0xf821, 0x0e02, DATA, DATA, 0xf00d_0100, DATA), // strht r0, [r1, #2]
    ];
    for (k, (h1, h2, r1, at, want, r1_after)) in cases.into_iter().enumerate() {
        let mut c = t32(&[h1, h2]);
        run(&mut c, &[(0, 0xcafe_f00d), (1, r1), (2, 3)]);
        let want = if k == 6 { 0x0d02_0100 } else { want };
        assert_eq!(rd32(&c, at), want, "{h1:#x} {h2:#x}");
        assert_eq!(c.s.regs[1], r1_after, "{h1:#x} {h2:#x}");
    }
    // imm12 forms: str.w r0, [r1, #0x808]; strb.w r0, [r1, #0x803]; strh.w r0, [r1, #0x802]
    let mut c = t32(&[0xf8c1, 0x0808, 0xf881, 0x0803, 0xf8a1, 0x0802]);
    run(&mut c, &[(0, 0x1122_3344), (1, DATA + 0x40 - 0x808)]);
    assert_eq!(rd32(&c, DATA + 0x40), 0x1122_3344);
    run(&mut c, &[(0, 0x99), (1, DATA + 0x50 - 0x803)]);
    assert_eq!(rd32(&c, DATA + 0x50), 0x5352_5199);
    run(&mut c, &[(0, 0xabcd), (1, DATA + 0x60 - 0x802)]);
    assert_eq!(rd32(&c, DATA + 0x60), 0x6362_abcd);
}

#[test]
fn t32_strbt_and_strh_register() {
    // strbt r0, [r1, #1]; strh.w r0, [r1, r2, lsl #1]
    let mut c = t32(&[0xf801, 0x0e01, 0xf821, 0x0012]);
    run(&mut c, &[(0, 0xee), (1, DATA), (2, 2)]);
    assert_eq!(rd32(&c, DATA), 0x0302_ee00);
    run(&mut c, &[(0, 0x5566)]);
    assert_eq!(rd32(&c, DATA + 4), 0x0706_5566);
}

#[test]
fn t32_store_pc_base_is_undefined() {
    let mut c = t32(&[0xf8cf, 0x0000]); // str.w r0, [pc, #0]
    run(&mut c, &[]);
    assert_undef(&c);
}

// ==== T32 dual, exclusive, table branch ==================================================

#[test]
fn t32_ldrd_strd() {
    // ldrd r2,r3,[r1,#8]; ldrd r2,r3,[r1,#-8]!; ldrd r2,r3,[r1],#8
    let mut c = t32(&[0xe9d1, 0x2302, 0xe971, 0x2302, 0xe8f1, 0x2302]);
    run(&mut c, &[(1, DATA + 0x10)]);
    assert_eq!(
        (c.s.regs[2], c.s.regs[3], c.s.regs[1]),
        (word(0x18), word(0x1c), DATA + 0x10)
    );
    run(&mut c, &[]);
    assert_eq!(
        (c.s.regs[2], c.s.regs[3], c.s.regs[1]),
        (word(8), word(12), DATA + 8)
    );
    run(&mut c, &[]);
    assert_eq!(
        (c.s.regs[2], c.s.regs[3], c.s.regs[1]),
        (word(8), word(12), DATA + 0x10)
    );
    // strd r2,r3,[r1,#8]; strd r2,r3,[r1,#-8]!
    let mut c = t32(&[0xe9c1, 0x2302, 0xe961, 0x2302]);
    run(&mut c, &[(1, DATA), (2, 0x22), (3, 0x33)]);
    assert_eq!((rd32(&c, DATA + 8), rd32(&c, DATA + 12)), (0x22, 0x33));
    run(&mut c, &[(1, DATA + 0x40)]);
    assert_eq!(
        (rd32(&c, DATA + 0x38), rd32(&c, DATA + 0x3c), c.s.regs[1]),
        (0x22, 0x33, DATA + 0x38)
    );
}

#[test]
fn t32_ldrd_literal_and_alignment() {
    // At CODE+2: ldrd r2, r3, [pc, #8] -> Align(CODE+6, 4) + 8 = CODE + 12
    let mut c = t32(&[0, 0xe9df, 0x2302, 0, 0, 0, 0x1111, 0, 0x2222, 0]);
    run(&mut c, &[(15, CODE + 2)]);
    assert_eq!((c.s.regs[2], c.s.regs[3]), (0x1111, 0x2222));
    let mut c = t32(&[0xe9d1, 0x2302]);
    run(&mut c, &[(1, DATA + 1)]);
    assert_eq!(c.s.mode(), Mode::Abt);
    assert_eq!((c.s.dfar, c.s.dfsr), (DATA + 9, ALIGN_R));
}

#[test]
fn t32_ldrex_strex_with_offset() {
    // ldrex r0, [r1, #8]; strex r3, r2, [r1, #8]; strex r3, r2, [r1]
    let mut c = t32(&[0xe851, 0x0f02, 0xe841, 0x2302, 0xe841, 0x2300]);
    run(&mut c, &[(1, DATA), (2, 0x4242)]);
    assert_eq!(c.s.regs[0], word(8));
    run(&mut c, &[]);
    assert_eq!(c.s.regs[3], 0);
    assert_eq!(rd32(&c, DATA + 8), 0x4242);
    run(&mut c, &[]);
    assert_eq!(c.s.regs[3], 1);
    assert_eq!(rd32(&c, DATA), word(0));
}

#[test]
fn t32_exclusive_byte_half_double() {
    // ldrexb r0,[r1]; strexb r3,r2,[r1]; ldrexh r0,[r1]; strexh r3,r2,[r1]
    let mut c = t32(&[
        0xe8d1, 0x0f4f, 0xe8c1, 0x2f43, 0xe8d1, 0x0f5f, 0xe8c1, 0x2f53,
    ]);
    run(&mut c, &[(1, DATA + 0x32), (2, 0xaabb)]);
    assert_eq!(c.s.regs[0], 0x32);
    run(&mut c, &[]);
    assert_eq!((c.s.regs[3], rd32(&c, DATA + 0x30)), (0, 0x33bb_3130));
    run(&mut c, &[]);
    assert_eq!(c.s.regs[0], 0x33bb);
    run(&mut c, &[]);
    assert_eq!((c.s.regs[3], rd32(&c, DATA + 0x30)), (0, 0xaabb_3130));
    // ldrexd r4, r5, [r1]; strexd r3, r4, r5, [r1]
    let mut c = t32(&[0xe8d1, 0x457f, 0xe8c1, 0x4573]);
    run(&mut c, &[(1, DATA + 0x10)]);
    assert_eq!((c.s.regs[4], c.s.regs[5]), (word(0x10), word(0x14)));
    run(&mut c, &[(4, 1), (5, 2)]);
    assert_eq!(c.s.regs[3], 0);
    assert_eq!((rd32(&c, DATA + 0x10), rd32(&c, DATA + 0x14)), (1, 2));
}

#[test]
fn t32_exclusive_with_sp_is_undefined() {
    let mut c = t32(&[0xe850, 0xdf00]); // ldrex sp, [r0]
    run(&mut c, &[(0, DATA)]);
    assert_undef(&c);
}

#[test]
fn t32_tbb_tbh() {
    // tbb [r1, r2]: table byte 5 -> branch to CODE + 4 + 10
    let mut c = t32(&[0xe8d1, 0xf002]);
    c.ram.slice_mut((DATA + 0x102) as u64, 1).unwrap()[0] = 5;
    run(&mut c, &[(1, DATA + 0x100), (2, 2)]);
    assert_eq!(c.s.regs[15], CODE + 14);
    assert!(c.s.is_thumb());
    // tbh [r1, r2, lsl #1]: table halfword 0x100 -> CODE + 4 + 0x200
    let mut c = t32(&[0xe8d1, 0xf012]);
    c.ram
        .slice_mut((DATA + 0x104) as u64, 2)
        .unwrap()
        .copy_from_slice(&0x100u16.to_le_bytes());
    run(&mut c, &[(1, DATA + 0x100), (2, 2)]);
    assert_eq!(c.s.regs[15], CODE + 0x204);
    // tbb [pc, r2]: the table follows the instruction at CODE + 4
    let mut c = t32(&[0xe8df, 0xf002, 0x0201, 0x0403]);
    run(&mut c, &[(2, 3)]);
    assert_eq!(c.s.regs[15], CODE + 4 + 8);
}

// ==== T32 load/store multiple, SRS, RFE ===================================================

#[test]
fn t32_ldm_stm_wide() {
    let cases: [(u16, u16, u32, u32, u32); 2] = [
        (0xe8b1, 0x0015, 0x40, 0x40, 0x4c), // ldmia.w r1!, {r0, r2, r4}
        (0xe931, 0x0015, 0x40, 0x34, 0x34), // ldmdb r1!, {r0, r2, r4}
    ];
    for (h1, h2, base, first, fin) in cases {
        let mut c = t32(&[h1, h2]);
        run(&mut c, &[(1, DATA + base)]);
        assert_eq!(
            (c.s.regs[0], c.s.regs[2], c.s.regs[4]),
            (word(first), word(first + 4), word(first + 8))
        );
        assert_eq!(c.s.regs[1], DATA + fin);
    }
    let cases: [(u16, u16, u32, u32, u32); 2] = [
        (0xe8a1, 0x0015, 0x40, 0x40, 0x4c), // stmia.w r1!, {r0, r2, r4}
        (0xe921, 0x0015, 0x40, 0x34, 0x34), // stmdb r1!, {r0, r2, r4}
    ];
    for (h1, h2, base, first, fin) in cases {
        let mut c = t32(&[h1, h2]);
        run(&mut c, &[(0, 0xa0), (1, DATA + base), (2, 0xa2), (4, 0xa4)]);
        assert_eq!(
            (rd32(&c, DATA + first), rd32(&c, DATA + first + 8)),
            (0xa0, 0xa4)
        );
        assert_eq!(c.s.regs[1], DATA + fin);
    }
}

#[test]
fn t32_push_pop_wide() {
    // push.w {r0, r8, lr}; pop.w {r0, r8, pc}
    let mut c = t32(&[0xe92d, 0x4101, 0xe8bd, 0x8101]);
    run(
        &mut c,
        &[(0, 0x10), (8, 0x18), (13, DATA + 0x80), (14, 0x8000_a001)],
    );
    assert_eq!(c.s.regs[13], DATA + 0x74);
    assert_eq!(rd32(&c, DATA + 0x78), 0x18);
    run(&mut c, &[(0, 0), (8, 0)]);
    assert_eq!(
        (c.s.regs[0], c.s.regs[8], c.s.regs[13]),
        (0x10, 0x18, DATA + 0x80)
    );
    assert_eq!(c.s.regs[15], 0x8000_a000);
}

#[test]
fn t32_ldm_qemu_undefined_cases() {
    // ldm.w r0, {r1} (one register); ldmia.w r0!, {r0, r1}; stmia.w r0!, {r0, r1}
    for (h1, h2) in [
        (0xe890u16, 0x0002u16),
        (0xe8b0, 0x0003),
        (0xe8a0, 0x0003),
        (0xe920, 0x0002),
    ] {
        let mut c = t32(&[h1, h2]);
        run(&mut c, &[(0, DATA)]);
        assert_undef(&c);
    }
}

#[test]
fn t32_srs_rfe() {
    // srsdb sp!, #0x13 (from IRQ mode); rfeia r1
    let mut c = t32(&[0xe82d, 0xc013, 0xe991, 0xc000]);
    c.s.regs[13] = DATA + 0x80; // SVC's SP
    c.s.switch_mode(Mode::Irq);
    c.s.regs[14] = 0x8000_b001;
    c.s.spsr = Mode::Svc as u32 | psr::T | psr::N;
    run(&mut c, &[]);
    assert_eq!(
        (rd32(&c, DATA + 0x78), rd32(&c, DATA + 0x7c)),
        (0x8000_b001, Mode::Svc as u32 | psr::T | psr::N)
    );
    assert_eq!(c.s.read_banked(Mode::Svc, 13), DATA + 0x78);
    run(&mut c, &[(1, DATA + 0x78)]);
    assert_eq!(c.s.mode(), Mode::Svc);
    assert_eq!((c.s.nf, c.s.regs[15]), (1, 0x8000_b000));
    assert!(c.s.is_thumb());
}

#[test]
fn a32_large_register_lists() {
    // stmdb sp!, {r0-r12, lr}; ldmia sp!, {r0-r12, pc}
    let mut c = a32(&[0xe92d5fff, 0xe8bd9fff]);
    for r in 0..13 {
        c.s.regs[r] = 0x100 + r as u32;
    }
    run(&mut c, &[(13, DATA + 0x100), (14, 0x8000_c000)]);
    assert_eq!(c.s.regs[13], DATA + 0x100 - 56);
    assert_eq!(rd32(&c, DATA + 0x100 - 56), 0x100);
    assert_eq!(rd32(&c, DATA + 0x100 - 4), 0x8000_c000);
    for r in 0..13 {
        c.s.regs[r] = 0;
    }
    run(&mut c, &[]);
    assert_eq!(c.s.regs[13], DATA + 0x100);
    assert_eq!((c.s.regs[0], c.s.regs[12]), (0x100, 0x10c));
    assert_eq!(c.s.regs[15], 0x8000_c000);
    // stmib r0, {r0-r15}: sixteen words from base + 4; the PC stores as address + 8
    let mut c = a32(&[0xe980ffff]);
    run(&mut c, &[(0, DATA), (13, 0x1313)]);
    assert_eq!(rd32(&c, DATA + 4), DATA);
    assert_eq!(rd32(&c, DATA + 4 + 13 * 4), 0x1313);
    assert_eq!(rd32(&c, DATA + 64), CODE + 8);
    assert_eq!(rd32(&c, DATA + 68), word(68));
}

// ==== robustness =========================================================================

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 16) as u32
    }
}

/// Random encodings from the load/store spaces execute (or fault) without panicking,
/// with random register values, in random modes and both endiannesses.
#[test]
fn random_encodings_never_panic() {
    let mut rng = XorShift(0x1234_5678_9abc_def1);
    let modes = [
        Mode::Usr,
        Mode::Svc,
        Mode::Fiq,
        Mode::Irq,
        Mode::Sys,
        Mode::Abt,
    ];
    for n in 0..20_000 {
        let r = rng.next();
        // A32: op1 = 010/011/100 (bits 27:25), or 000 with bits 7:4 = 1xx1.
        let a32_word = match n % 4 {
            0 => (r & 0xf1ff_ffff) | 0x0400_0000,
            1 => (r & 0xf1ff_ffef) | 0x0600_0000,
            2 => (r & 0xf1ff_ffff) | 0x0800_0000,
            _ => (r & 0xf1ff_ff6f) | 0x0000_0090,
        };
        let hw1 = match n % 3 {
            0 => 0xe800 | (rng.next() & 0x07ff), // 1110 1xx: multiple, dual, exclusive
            1 => 0xf800 | (rng.next() & 0x01ff), // 1111 100x: single loads/stores
            _ => 0x4800 | (rng.next() & 0x97ff), // 16-bit load/store space
        };
        let hw2 = rng.next() & 0xffff;
        let mut c = if n % 2 == 0 {
            a32(&[a32_word])
        } else {
            t32(&[hw1 as u16, hw2 as u16])
        };
        c.s.switch_mode(modes[(rng.next() % modes.len() as u32) as usize]);
        for reg in 0..15 {
            c.s.regs[reg] = match rng.next() % 4 {
                0 => DATA + (rng.next() & 0xff),
                1 => rng.next(),
                2 => CODE + (1 << 20) - (rng.next() & 0x3f),
                _ => rng.next() & 0x1f,
            };
        }
        c.s.spsr = rng.next();
        if rng.next().is_multiple_of(4) {
            c.s.cpsr_ctrl |= psr::E;
        }
        if rng.next().is_multiple_of(4) {
            c.s.sctlr |= sctlr::A;
        }
        if n % 16 == 0 {
            let i = decode_srs_rfe(decode_srs_rfe_word(a32_word));
            let _ = exec_at_code(&mut c, &i);
        } else {
            c.step();
            c.step();
        }
    }
}

/// Forces an unconditional-space word into the SRS/RFE pattern often enough to matter.
fn decode_srs_rfe_word(w: u32) -> u32 {
    if w & 1 == 0 {
        (w & 0x0180_001f) | 0xf84d_0500 | (w & 0x0020_0000)
    } else {
        (w & 0x01af_0000) | 0xf810_0a00
    }
}
