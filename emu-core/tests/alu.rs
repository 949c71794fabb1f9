//! Data-processing instructions, A32 and T32: one test (at least) per encoding form.
//! Encodings come from arm-none-eabi-as (`-mcpu=cortex-a15`); the assembly is in the
//! comments.

use emu_core::state::psr;
use emu_core::{Cpu, CpuConfig, Mode, Ram};

const BASE: u32 = 0x8000_0000;

fn new_cpu() -> Cpu {
    Cpu::new(
        CpuConfig::default(),
        Ram::new(BASE as u64, 1 << 20).unwrap(),
    )
}

fn load(cpu: &mut Cpu, bytes: &[u8]) {
    cpu.ram
        .slice_mut(BASE as u64, bytes.len())
        .unwrap()
        .copy_from_slice(bytes);
}

/// Runs `words` (A32) one instruction per step, after `setup`, in `mode`.
fn a32_in(mode: Mode, words: &[u32], setup: impl FnOnce(&mut Cpu)) -> Cpu {
    let mut cpu = new_cpu();
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    load(&mut cpu, &bytes);
    cpu.reset(BASE, mode);
    setup(&mut cpu);
    for _ in words {
        cpu.step();
    }
    cpu
}

fn a32(words: &[u32], setup: impl FnOnce(&mut Cpu)) -> Cpu {
    a32_in(Mode::Svc, words, setup)
}

/// Runs `steps` T32 instructions from the halfwords `hws`, after `setup`.
fn t32(hws: &[u16], steps: usize, setup: impl FnOnce(&mut Cpu)) -> Cpu {
    let mut cpu = new_cpu();
    let bytes: Vec<u8> = hws.iter().flat_map(|h| h.to_le_bytes()).collect();
    load(&mut cpu, &bytes);
    cpu.reset(BASE | 1, Mode::Svc);
    setup(&mut cpu);
    for _ in 0..steps {
        cpu.step();
    }
    cpu
}

/// NZCV as a 4-bit value.
fn nzcv(cpu: &Cpu) -> u32 {
    cpu.s.nzcv() >> 28
}

fn set_nzcv(cpu: &mut Cpu, v: u32) {
    cpu.s.set_nzcv(v << 28);
}

/// The instruction took the Undefined Instruction exception.
fn assert_undef(cpu: &Cpu) {
    assert_eq!(cpu.s.mode(), Mode::Und);
    assert_eq!(cpu.s.regs[15], 0x4);
}

// ======================================================================================
// A32
// ======================================================================================

#[test]
fn a32_add_register_no_flags() {
    // add r0, r1, r2
    let c = a32(&[0xe0810002], |c| {
        c.s.regs[1] = 5;
        c.s.regs[2] = 7;
        set_nzcv(c, 0b1111);
    });
    assert_eq!(c.s.regs[0], 12);
    assert_eq!(nzcv(&c), 0b1111);
    assert_eq!(c.s.regs[15], BASE + 4);
}

#[test]
fn a32_adds_overflow_and_carry() {
    // adds r0, r1, r2
    let c = a32(&[0xe0910002], |c| {
        c.s.regs[1] = 0x7fff_ffff;
        c.s.regs[2] = 1;
    });
    assert_eq!(c.s.regs[0], 0x8000_0000);
    assert_eq!(nzcv(&c), 0b1001);
    let c = a32(&[0xe0910002], |c| {
        c.s.regs[1] = 0xffff_ffff;
        c.s.regs[2] = 1;
        set_nzcv(c, 0b1001);
    });
    assert_eq!(c.s.regs[0], 0);
    assert_eq!(nzcv(&c), 0b0110);
}

#[test]
fn a32_subs_borrow_and_cmp() {
    // subs r0, r1, r2
    let c = a32(&[0xe0510002], |c| {
        c.s.regs[1] = 5;
        c.s.regs[2] = 7;
    });
    assert_eq!(c.s.regs[0], 0xffff_fffe);
    assert_eq!(nzcv(&c), 0b1000);
    // cmp r1, r2: no destination
    let c = a32(&[0xe1510002], |c| {
        c.s.regs[0] = 0xdead;
        c.s.regs[1] = 7;
        c.s.regs[2] = 7;
    });
    assert_eq!(c.s.regs[0], 0xdead);
    assert_eq!(nzcv(&c), 0b0110);
}

#[test]
fn a32_rsbs_adcs_sbcs_rscs() {
    // rsbs r0, r1, r2
    let c = a32(&[0xe0710002], |c| {
        c.s.regs[1] = 3;
        c.s.regs[2] = 10;
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (7, 0b0010));
    // adcs r0, r1, r2
    let c = a32(&[0xe0b10002], |c| {
        c.s.regs[1] = 1;
        c.s.regs[2] = 2;
        set_nzcv(c, 0b0010);
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (4, 0b0000));
    let c = a32(&[0xe0b10002], |c| {
        c.s.regs[1] = 0xffff_ffff;
        c.s.regs[2] = 0;
        set_nzcv(c, 0b0010);
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (0, 0b0110));
    // sbcs r0, r1, r2 with C clear: 10 - 3 - 1
    let c = a32(&[0xe0d10002], |c| {
        c.s.regs[1] = 10;
        c.s.regs[2] = 3;
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (6, 0b0010));
    // rscs r0, r1, r2 with C clear: 10 - 3 - 1
    let c = a32(&[0xe0f10002], |c| {
        c.s.regs[1] = 3;
        c.s.regs[2] = 10;
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (6, 0b0010));
}

#[test]
fn a32_logical_s_takes_carry_from_shifter_and_keeps_v() {
    // ands r0, r1, r2, lsl #1
    let c = a32(&[0xe0110082], |c| {
        c.s.regs[1] = 0xffff_ffff;
        c.s.regs[2] = 0x8000_0001;
        set_nzcv(c, 0b0001);
    });
    assert_eq!(c.s.regs[0], 2);
    assert_eq!(nzcv(&c), 0b0011);
}

#[test]
fn a32_shift_immediate_forms() {
    // lsrs r0, r1, #32
    let c = a32(&[0xe1b00021], |c| c.s.regs[1] = 0x8000_0000);
    assert_eq!((c.s.regs[0], nzcv(&c)), (0, 0b0110));
    // asrs r0, r1, #32
    let c = a32(&[0xe1b00041], |c| c.s.regs[1] = 0x8000_0000);
    assert_eq!((c.s.regs[0], nzcv(&c)), (0xffff_ffff, 0b1010));
    // rors r0, r1, #4
    let c = a32(&[0xe1b00261], |c| c.s.regs[1] = 0x1f);
    assert_eq!((c.s.regs[0], nzcv(&c)), (0xf000_0001, 0b1010));
    // orr r0, r1, r2, lsl #4
    let c = a32(&[0xe1810202], |c| {
        c.s.regs[1] = 1;
        c.s.regs[2] = 0x10;
    });
    assert_eq!(c.s.regs[0], 0x101);
    // eor r0, r1, r2, asr #4
    let c = a32(&[0xe0210242], |c| {
        c.s.regs[1] = 0xffff_ffff;
        c.s.regs[2] = 0x8000_0000;
    });
    assert_eq!(c.s.regs[0], 0x07ff_ffff);
    // sub r0, r1, r2, ror #8
    let c = a32(&[0xe0410462], |c| {
        c.s.regs[1] = 0x100;
        c.s.regs[2] = 0x0100_0000;
    });
    assert_eq!(c.s.regs[0], 0xffff_0100);
}

#[test]
fn a32_rrx() {
    // rrxs r0, r1
    let c = a32(&[0xe1b00061], |c| {
        c.s.regs[1] = 3;
        set_nzcv(c, 0b0010);
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (0x8000_0001, 0b1010));
    let c = a32(&[0xe1b00061], |c| c.s.regs[1] = 2);
    assert_eq!((c.s.regs[0], nzcv(&c)), (1, 0b0000));
}

#[test]
fn a32_shift_by_register_32_and_more() {
    // lsls r0, r1, r2
    let lsls = 0xe1b00211;
    let c = a32(&[lsls], |c| {
        c.s.regs[1] = 1;
        c.s.regs[2] = 32;
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (0, 0b0110));
    let c = a32(&[lsls], |c| {
        c.s.regs[1] = 1;
        c.s.regs[2] = 33;
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (0, 0b0100));
    // Only the bottom byte counts: 0x100 shifts by 0 and keeps C.
    let c = a32(&[lsls], |c| {
        c.s.regs[1] = 5;
        c.s.regs[2] = 0x100;
        set_nzcv(c, 0b0010);
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (5, 0b0010));
    // lsrs r0, r1, r2
    let c = a32(&[0xe1b00231], |c| {
        c.s.regs[1] = 0x8000_0000;
        c.s.regs[2] = 32;
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (0, 0b0110));
    let c = a32(&[0xe1b00231], |c| {
        c.s.regs[1] = 0x8000_0000;
        c.s.regs[2] = 33;
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (0, 0b0100));
    // asrs r0, r1, r2
    let c = a32(&[0xe1b00251], |c| {
        c.s.regs[1] = 0x8000_0000;
        c.s.regs[2] = 40;
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (0xffff_ffff, 0b1010));
    // rors r0, r1, r2: by 32 leaves the value, C = bit 31
    let c = a32(&[0xe1b00271], |c| {
        c.s.regs[1] = 0x8000_0001;
        c.s.regs[2] = 32;
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (0x8000_0001, 0b1010));
    let c = a32(&[0xe1b00271], |c| {
        c.s.regs[1] = 0x8000_0001;
        c.s.regs[2] = 36;
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (0x1800_0000, 0b0000));
    // add r0, r1, r2, asr r3
    let c = a32(&[0xe0810352], |c| {
        c.s.regs[1] = 1;
        c.s.regs[2] = 0xffff_fff0;
        c.s.regs[3] = 4;
    });
    assert_eq!(c.s.regs[0], 0);
    // eors r0, r1, r2, lsl r3
    let c = a32(&[0xe0310312], |c| {
        c.s.regs[2] = 3;
        c.s.regs[3] = 31;
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (0x8000_0000, 0b1010));
}

#[test]
fn a32_immediate_carry_from_rotation() {
    // movs r0, #0xff000000: rotated, C = bit 31
    let c = a32(&[0xe3b004ff], |_| {});
    assert_eq!((c.s.regs[0], nzcv(&c)), (0xff00_0000, 0b1010));
    // ands r0, r1, #0xff: not rotated, C unchanged
    let c = a32(&[0xe21100ff], |c| {
        c.s.regs[1] = 0x100;
        set_nzcv(c, 0b0010);
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (0, 0b0110));
    // bic r0, r1, #15
    let c = a32(&[0xe3c1000f], |c| c.s.regs[1] = 0xff);
    assert_eq!(c.s.regs[0], 0xf0);
}

#[test]
fn a32_tst_teq_cmn_mvn() {
    // tst r1, r2
    let c = a32(&[0xe1110002], |c| {
        c.s.regs[0] = 0x1234;
        c.s.regs[1] = 0xf0;
        c.s.regs[2] = 0x0f;
        set_nzcv(c, 0b0011);
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (0x1234, 0b0111));
    // teq r1, r2
    let c = a32(&[0xe1310002], |c| c.s.regs[1] = 0x8000_0000);
    assert_eq!(nzcv(&c), 0b1000);
    // cmn r1, r2
    let c = a32(&[0xe1710002], |c| {
        c.s.regs[1] = 0xffff_ffff;
        c.s.regs[2] = 1;
    });
    assert_eq!(nzcv(&c), 0b0110);
    // mvns r0, r1
    let c = a32(&[0xe1f00001], |_| {});
    assert_eq!((c.s.regs[0], nzcv(&c)), (0xffff_ffff, 0b1000));
}

#[test]
fn a32_pc_as_operand_reads_plus_8() {
    // add r0, pc, #4
    let c = a32(&[0xe28f0004], |_| {});
    assert_eq!(c.s.regs[0], BASE + 12);
    // mov r0, pc
    let c = a32(&[0xe1a0000f], |_| {});
    assert_eq!(c.s.regs[0], BASE + 8);
    // add r0, r1, pc
    let c = a32(&[0xe081000f], |c| c.s.regs[1] = 1);
    assert_eq!(c.s.regs[0], BASE + 9);
}

#[test]
fn a32_rd_pc_interworks() {
    // mov pc, r1
    let c = a32(&[0xe1a0f001], |c| c.s.regs[1] = BASE + 0x101);
    assert_eq!((c.s.regs[15], c.s.thumb), (BASE + 0x100, 1));
    let c = a32(&[0xe1a0f001], |c| c.s.regs[1] = BASE + 0x40);
    assert_eq!((c.s.regs[15], c.s.thumb), (BASE + 0x40, 0));
    // add pc, pc, #0
    let c = a32(&[0xe28ff000], |_| {});
    assert_eq!(c.s.regs[15], BASE + 8);
}

#[test]
fn a32_s_with_rd_pc_is_exception_return() {
    // movs pc, lr (in SVC): CPSR = SPSR
    let c = a32(&[0xe1b0f00e], |c| {
        c.s.regs[14] = BASE + 0x201;
        c.s.spsr = psr::N | psr::T | Mode::Usr as u32;
    });
    assert_eq!(c.s.mode(), Mode::Usr);
    assert_eq!(c.s.thumb, 1);
    assert_eq!(nzcv(&c), 0b1000);
    assert_eq!(c.s.regs[15], BASE + 0x200);
    // subs pc, lr, #4: flags come from the SPSR, not the result
    let c = a32(&[0xe25ef004], |c| {
        c.s.regs[14] = BASE + 0x104;
        c.s.spsr = Mode::Sys as u32;
        set_nzcv(c, 0b1111);
    });
    assert_eq!(c.s.mode(), Mode::Sys);
    assert_eq!((c.s.regs[15], c.s.thumb, nzcv(&c)), (BASE + 0x100, 0, 0));
}

#[test]
fn a32_s_with_rd_pc_in_user_mode_is_undefined() {
    // movs pc, lr
    let c = a32_in(Mode::Usr, &[0xe1b0f00e], |c| c.s.regs[14] = BASE + 0x200);
    assert_undef(&c);
    assert_eq!(c.s.regs[14], BASE + 4);
}

#[test]
fn a32_register_shifted_register_with_pc_is_undefined() {
    // add r0, r1, r2, lsl pc
    assert_undef(&a32(&[0xe0810f12], |_| {}));
    // add pc, r1, r2, lsl r3
    assert_undef(&a32(&[0xe081f312], |_| {}));
}

#[test]
fn a32_movw_movt() {
    // movw r0, #0x1234 ; movt r0, #0xabcd
    let c = a32(&[0xe3010234], |c| c.s.regs[0] = 0xffff_ffff);
    assert_eq!(c.s.regs[0], 0x1234);
    let c = a32(&[0xe3010234, 0xe34a0bcd], |_| {});
    assert_eq!(c.s.regs[0], 0xabcd_1234);
}

/// Runs one A32 PKH encoding through `decode_pkh` directly: in the full decoder it is
/// reached through the media group's table (A5.4.3), owned by another module.
fn a32_pkh_run(w: u32, rn: u32, rm: u32) -> u32 {
    let mut c = new_cpu();
    c.reset(BASE, Mode::Svc);
    c.s.regs[1] = rn;
    c.s.regs[2] = rm;
    let insn = emu_core::decode::a32::dataproc::decode_pkh(w);
    assert!(!insn.is_undefined());
    assert_eq!(insn.cond, 0xe);
    (insn.exec)(&mut c, &insn).unwrap();
    c.s.regs[0]
}

#[test]
fn a32_pkh() {
    // pkhbt r0, r1, r2, lsl #8
    assert_eq!(
        a32_pkh_run(0xe6810412, 0x1111_2222, 0x3333_4444),
        0x3344_2222
    );
    // pkhtb r0, r1, r2, asr #32
    assert_eq!(
        a32_pkh_run(0xe6810052, 0x1111_2222, 0x8000_4444),
        0x1111_ffff
    );
    // pkhtb r0, r1, r2, asr #4
    assert_eq!(
        a32_pkh_run(0xe6810252, 0x1111_2222, 0x3333_4444),
        0x1111_3444
    );
    // pkhbt r0, r1, r2 (lsl #0)
    assert_eq!(
        a32_pkh_run(0xe6810012, 0x1111_2222, 0x3333_4444),
        0x3333_2222
    );
    // pkhbt pc, r1, r2: UNPREDICTABLE
    assert!(emu_core::decode::a32::dataproc::decode_pkh(0xe681f012).is_undefined());
}

#[test]
fn a32_condition_codes() {
    // addne r0, r1, r2 with Z set: skipped
    let c = a32(&[0x10810002], |c| {
        c.s.regs[1] = 1;
        c.s.regs[2] = 2;
        set_nzcv(c, 0b0100);
    });
    assert_eq!(c.s.regs[0], 0);
    // addeq r0, r1, r2 with Z set: executed
    let c = a32(&[0x00810002], |c| {
        c.s.regs[1] = 1;
        c.s.regs[2] = 2;
        set_nzcv(c, 0b0100);
    });
    assert_eq!(c.s.regs[0], 3);
}

// ======================================================================================
// T32, 16-bit
// ======================================================================================

#[test]
fn t16_shift_immediate_sets_flags_outside_it_only() {
    // lsls r0, r1, #2
    let c = t32(&[0x0088], 1, |c| c.s.regs[1] = 0x4000_0001);
    assert_eq!((c.s.regs[0], nzcv(&c)), (4, 0b0010));
    // it eq ; lsleq r0, r1, #2
    let c = t32(&[0xbf08, 0x0088], 2, |c| {
        c.s.regs[1] = 0x4000_0001;
        set_nzcv(c, 0b0100);
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (4, 0b0100));
    assert_eq!(c.s.itstate, 0);
    assert_eq!(c.s.regs[15], BASE + 4);
    // movs r0, r1 (LSL #0)
    let c = t32(&[0x0008], 1, |c| {
        c.s.regs[0] = 9;
        set_nzcv(c, 0b0011);
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (0, 0b0111));
    // lsrs r0, r1, #32
    let c = t32(&[0x0808], 1, |c| c.s.regs[1] = 0x8000_0000);
    assert_eq!((c.s.regs[0], nzcv(&c)), (0, 0b0110));
    // asrs r0, r1, #1
    let c = t32(&[0x1048], 1, |c| c.s.regs[1] = 0x8000_0001);
    assert_eq!((c.s.regs[0], nzcv(&c)), (0xc000_0000, 0b1010));
}

#[test]
fn t16_add_sub_register_and_imm3() {
    // adds r0, r1, r2
    let c = t32(&[0x1888], 1, |c| {
        c.s.regs[1] = 0x7fff_ffff;
        c.s.regs[2] = 1;
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (0x8000_0000, 0b1001));
    assert_eq!(c.s.regs[15], BASE + 2);
    // subs r0, r1, r2
    let c = t32(&[0x1a88], 1, |c| {
        c.s.regs[1] = 1;
        c.s.regs[2] = 2;
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (0xffff_ffff, 0b1000));
    // adds r0, r1, #7
    let c = t32(&[0x1dc8], 1, |c| c.s.regs[1] = 0xffff_fff9);
    assert_eq!((c.s.regs[0], nzcv(&c)), (0, 0b0110));
    // subs r0, r1, #7
    let c = t32(&[0x1fc8], 1, |c| c.s.regs[1] = 7);
    assert_eq!((c.s.regs[0], nzcv(&c)), (0, 0b0110));
}

#[test]
fn t16_mov_cmp_add_sub_imm8() {
    // movs r3, #200: C and V unchanged
    let c = t32(&[0x23c8], 1, |c| set_nzcv(c, 0b0011));
    assert_eq!((c.s.regs[3], nzcv(&c)), (200, 0b0011));
    // cmp r3, #200
    let c = t32(&[0x2bc8], 1, |c| c.s.regs[3] = 200);
    assert_eq!(nzcv(&c), 0b0110);
    // adds r3, #1
    let c = t32(&[0x3301], 1, |c| c.s.regs[3] = 0xffff_ffff);
    assert_eq!((c.s.regs[3], nzcv(&c)), (0, 0b0110));
    // subs r3, #1
    let c = t32(&[0x3b01], 1, |_| {});
    assert_eq!((c.s.regs[3], nzcv(&c)), (0xffff_ffff, 0b1000));
}

#[test]
fn t16_data_processing_logical() {
    // ands r0, r1
    let c = t32(&[0x4008], 1, |c| {
        c.s.regs[0] = 0xf0;
        c.s.regs[1] = 0x3c;
        set_nzcv(c, 0b1011);
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (0x30, 0b0011));
    // eors r0, r1
    let c = t32(&[0x4048], 1, |c| {
        c.s.regs[0] = 0xff;
        c.s.regs[1] = 0x0f;
    });
    assert_eq!(c.s.regs[0], 0xf0);
    // orrs r0, r1
    let c = t32(&[0x4308], 1, |c| {
        c.s.regs[0] = 0x8000_0000;
        c.s.regs[1] = 1;
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (0x8000_0001, 0b1000));
    // bics r0, r1
    let c = t32(&[0x4388], 1, |c| {
        c.s.regs[0] = 0xff;
        c.s.regs[1] = 0x0f;
    });
    assert_eq!(c.s.regs[0], 0xf0);
    // mvns r0, r1
    let c = t32(&[0x43c8], 1, |c| c.s.regs[1] = 0xffff_ffff);
    assert_eq!((c.s.regs[0], nzcv(&c)), (0, 0b0100));
    // tst r0, r1
    let c = t32(&[0x4208], 1, |c| {
        c.s.regs[0] = 1;
        c.s.regs[1] = 2;
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (1, 0b0100));
}

#[test]
fn t16_data_processing_shifts_by_register() {
    // lsls r0, r1
    let c = t32(&[0x4088], 1, |c| {
        c.s.regs[0] = 1;
        c.s.regs[1] = 32;
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (0, 0b0110));
    // lsrs r0, r1
    let c = t32(&[0x40c8], 1, |c| {
        c.s.regs[0] = 0x8000_0000;
        c.s.regs[1] = 33;
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (0, 0b0100));
    // asrs r0, r1
    let c = t32(&[0x4108], 1, |c| {
        c.s.regs[0] = 0x8000_0000;
        c.s.regs[1] = 0xff;
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (0xffff_ffff, 0b1010));
    // rors r0, r1
    let c = t32(&[0x41c8], 1, |c| {
        c.s.regs[0] = 0x8000_0001;
        c.s.regs[1] = 1;
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (0xc000_0000, 0b1010));
}

#[test]
fn t16_data_processing_arithmetic() {
    // adcs r0, r1
    let c = t32(&[0x4148], 1, |c| {
        c.s.regs[0] = 1;
        c.s.regs[1] = 1;
        set_nzcv(c, 0b0010);
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (3, 0b0000));
    // sbcs r0, r1
    let c = t32(&[0x4188], 1, |c| {
        c.s.regs[0] = 5;
        c.s.regs[1] = 2;
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (2, 0b0010));
    // negs r0, r1 (rsbs r0, r1, #0)
    let c = t32(&[0x4248], 1, |c| c.s.regs[1] = 1);
    assert_eq!((c.s.regs[0], nzcv(&c)), (0xffff_ffff, 0b1000));
    let c = t32(&[0x4248], 1, |c| c.s.regs[0] = 5);
    assert_eq!((c.s.regs[0], nzcv(&c)), (0, 0b0110));
    // cmp r0, r1
    let c = t32(&[0x4288], 1, |c| {
        c.s.regs[0] = 1;
        c.s.regs[1] = 2;
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (1, 0b1000));
    // cmn r0, r1
    let c = t32(&[0x42c8], 1, |c| {
        c.s.regs[0] = 0x8000_0000;
        c.s.regs[1] = 0x8000_0000;
    });
    assert_eq!(nzcv(&c), 0b0111);
}

#[test]
fn t16_inside_it_block_no_flags_and_condition() {
    // itt eq ; addeq r0, r1, r2 ; moveq r0, #1 ; adds r0, r1, r2
    let code = [0xbf04, 0x1888, 0x2001, 0x1888];
    let c = t32(&code, 2, |c| {
        c.s.regs[1] = 0xffff_ffff;
        c.s.regs[2] = 1;
        set_nzcv(c, 0b0100);
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (0, 0b0100));
    let c = t32(&code, 3, |c| {
        c.s.regs[1] = 0xffff_ffff;
        c.s.regs[2] = 1;
        set_nzcv(c, 0b0100);
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (1, 0b0100));
    // After the block the same encoding sets flags again.
    let c = t32(&code, 4, |c| {
        c.s.regs[1] = 0xffff_ffff;
        c.s.regs[2] = 2;
        set_nzcv(c, 0b0100);
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (1, 0b0010));
    // Condition false: neither instruction executes.
    let c = t32(&code, 3, |c| {
        c.s.regs[0] = 0x55;
        c.s.regs[1] = 0xffff_ffff;
        c.s.regs[2] = 1;
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (0x55, 0));
    assert_eq!(c.s.regs[15], BASE + 6);
}

#[test]
fn t16_special_high_registers() {
    // add r8, r1
    let c = t32(&[0x4488], 1, |c| {
        c.s.regs[8] = 10;
        c.s.regs[1] = 5;
        set_nzcv(c, 0b0101);
    });
    assert_eq!((c.s.regs[8], nzcv(&c)), (15, 0b0101));
    // cmp r8, r9
    let c = t32(&[0x45c8], 1, |c| {
        c.s.regs[8] = 0x1234;
        c.s.regs[9] = 0x1234;
    });
    assert_eq!(nzcv(&c), 0b0110);
    // mov r8, r0
    let c = t32(&[0x4680], 1, |c| c.s.regs[0] = 0xabc);
    assert_eq!(c.s.regs[8], 0xabc);
}

#[test]
fn t16_special_pc_destination_branches() {
    // add pc, r0: PC reads as address + 4; bit 0 is cleared, state stays Thumb
    let c = t32(&[0x4487], 1, |c| c.s.regs[0] = 0x11);
    assert_eq!((c.s.regs[15], c.s.thumb), (BASE + 0x14, 1));
    // mov pc, lr
    let c = t32(&[0x46f7], 1, |c| c.s.regs[14] = BASE + 0x40);
    assert_eq!((c.s.regs[15], c.s.thumb), (BASE + 0x40, 1));
    // itt eq ; moveq pc, lr ; moveq r0, r1: PC written before the end of the block
    let c = t32(&[0xbf04, 0x46f7, 0x4608], 2, |c| set_nzcv(c, 0b0100));
    assert_undef(&c);
}

#[test]
fn t16_adr_and_sp_forms() {
    // mov r8, r8 ; adr r0, #8 (at a 2 mod 4 address: Align(PC, 4))
    let c = t32(&[0x46c0, 0xa002], 2, |_| {});
    assert_eq!(c.s.regs[0], BASE + 12);
    // add r0, sp, #8
    let c = t32(&[0xa802], 1, |c| c.s.regs[13] = 0x1000);
    assert_eq!(c.s.regs[0], 0x1008);
    // add sp, #16
    let c = t32(&[0xb004], 1, |c| c.s.regs[13] = 0x1000);
    assert_eq!(c.s.regs[13], 0x1010);
    // sub sp, #16
    let c = t32(&[0xb084], 1, |c| {
        c.s.regs[13] = 0x1000;
        set_nzcv(c, 0b0000);
    });
    assert_eq!((c.s.regs[13], nzcv(&c)), (0xff0, 0));
}

// ======================================================================================
// T32, 32-bit
// ======================================================================================

#[test]
fn t32_modified_immediate_arithmetic() {
    // adds.w r0, r1, #0x00ab00ab
    let c = t32(&[0xf111, 0x10ab], 1, |c| c.s.regs[1] = 0x1100_1100);
    assert_eq!((c.s.regs[0], nzcv(&c)), (0x11ab_11ab, 0));
    assert_eq!(c.s.regs[15], BASE + 4);
    // cmp.w r1, #0x1000
    let c = t32(&[0xf5b1, 0x5f80], 1, |c| c.s.regs[1] = 0x1000);
    assert_eq!(nzcv(&c), 0b0110);
    // cmn.w r1, #1
    let c = t32(&[0xf111, 0x0f01], 1, |c| c.s.regs[1] = 0xffff_ffff);
    assert_eq!(nzcv(&c), 0b0110);
    // adc.w r0, r1, #1 (C set)
    let c = t32(&[0xf141, 0x0001], 1, |c| {
        c.s.regs[1] = 1;
        set_nzcv(c, 0b0010);
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (3, 0b0010));
    // sbc.w r0, r1, #1 (C clear)
    let c = t32(&[0xf161, 0x0001], 1, |c| c.s.regs[1] = 5);
    assert_eq!(c.s.regs[0], 3);
    // rsb.w r0, r1, #100
    let c = t32(&[0xf1c1, 0x0064], 1, |c| c.s.regs[1] = 1);
    assert_eq!(c.s.regs[0], 99);
    // sub.w r0, r1, #0xff00
    let c = t32(&[0xf5a1, 0x407f], 1, |c| c.s.regs[1] = 0x10000);
    assert_eq!(c.s.regs[0], 0x100);
}

#[test]
fn t32_modified_immediate_logical_carry() {
    // ands.w r0, r1, #0x7f800000: rotated, C = bit 31 = 0
    let c = t32(&[0xf011, 0x40ff], 1, |c| {
        c.s.regs[1] = 0xffff_ffff;
        set_nzcv(c, 0b0011);
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (0x7f80_0000, 0b0001));
    // tst.w r1, #0x80000000: rotated, C = 1
    let c = t32(&[0xf011, 0x4f00], 1, |c| c.s.regs[1] = 0x8000_0000);
    assert_eq!(nzcv(&c), 0b1010);
    // ands.w r0, r1, #0xff: not rotated, C unchanged
    let c = t32(&[0xf011, 0x00ff], 1, |c| {
        c.s.regs[1] = 0x100;
        set_nzcv(c, 0b0010);
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (0, 0b0110));
    // teq r1, #1
    let c = t32(&[0xf091, 0x0f01], 1, |c| c.s.regs[1] = 1);
    assert_eq!(nzcv(&c), 0b0100);
}

#[test]
fn t32_modified_immediate_moves_and_orn() {
    // orn r0, r1, #0xff
    let c = t32(&[0xf061, 0x00ff], 1, |_| {});
    assert_eq!(c.s.regs[0], 0xffff_ff00);
    // mvn.w r0, #0xff00ff00
    let c = t32(&[0xf06f, 0x20ff], 1, |_| {});
    assert_eq!(c.s.regs[0], 0x00ff_00ff);
    // mov.w r0, #0x55555555
    let c = t32(&[0xf04f, 0x3055], 1, |_| {});
    assert_eq!(c.s.regs[0], 0x5555_5555);
    // bic.w r0, r1, #0xff ; eor.w r0, r1, #0xff ; orr.w r0, r1, #0xff
    let c = t32(&[0xf021, 0x00ff], 1, |c| c.s.regs[1] = 0x1ff);
    assert_eq!(c.s.regs[0], 0x100);
    let c = t32(&[0xf081, 0x00ff], 1, |c| c.s.regs[1] = 0xf0);
    assert_eq!(c.s.regs[0], 0x0f);
    let c = t32(&[0xf041, 0x00ff], 1, |c| c.s.regs[1] = 0xf00);
    assert_eq!(c.s.regs[0], 0xfff);
}

#[test]
fn t32_modified_immediate_pc_destination_is_undefined() {
    // add.w pc, r1, #1 (Rd = 1111, S = 0): UNPREDICTABLE
    assert_undef(&t32(&[0xf101, 0x0f01], 1, |_| {}));
}

#[test]
fn t32_plain_immediate() {
    // addw r0, r1, #0xfff ; subw r0, r1, #0xfff
    let c = t32(&[0xf601, 0x70ff], 1, |c| c.s.regs[1] = 1);
    assert_eq!(c.s.regs[0], 0x1000);
    let c = t32(&[0xf6a1, 0x70ff], 1, |c| c.s.regs[1] = 0x1000);
    assert_eq!(c.s.regs[0], 1);
    // mov r8, r8 ; addw r0, pc, #8 (ADR.W, Align(PC, 4))
    let c = t32(&[0x46c0, 0xf20f, 0x0008], 2, |_| {});
    assert_eq!(c.s.regs[0], BASE + 12);
    // subw r0, pc, #10
    let c = t32(&[0xf2af, 0x000a], 1, |_| {});
    assert_eq!(c.s.regs[0], BASE.wrapping_sub(6));
    // movw r0, #0xbeef ; movt r0, #0xdead
    let c = t32(&[0xf64b, 0x60ef, 0xf6cd, 0x60ad], 1, |c| {
        c.s.regs[0] = 0xffff_ffff
    });
    assert_eq!(c.s.regs[0], 0xbeef);
    let c = t32(&[0xf64b, 0x60ef, 0xf6cd, 0x60ad], 2, |_| {});
    assert_eq!(c.s.regs[0], 0xdead_beef);
}

#[test]
fn t32_shifted_register() {
    // add.w r0, r1, r2, lsl #3
    let c = t32(&[0xeb01, 0x00c2], 1, |c| {
        c.s.regs[1] = 1;
        c.s.regs[2] = 2;
    });
    assert_eq!(c.s.regs[0], 17);
    // movs.w r0, r1, rrx
    let c = t32(&[0xea5f, 0x0031], 1, |c| {
        c.s.regs[1] = 2;
        set_nzcv(c, 0b0010);
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (0x8000_0001, 0b1000));
    // orn r0, r1, r2, lsr #4
    let c = t32(&[0xea61, 0x1012], 1, |c| c.s.regs[2] = 0xffff_fff0);
    assert_eq!(c.s.regs[0], 0xf000_0000);
    // subs.w r0, r1, r2, asr #32
    let c = t32(&[0xebb1, 0x0022], 1, |c| c.s.regs[2] = 0x8000_0000);
    assert_eq!((c.s.regs[0], nzcv(&c)), (1, 0b0000));
    // cmp.w r1, r2, lsl #1
    let c = t32(&[0xebb1, 0x0f42], 1, |c| {
        c.s.regs[1] = 4;
        c.s.regs[2] = 2;
    });
    assert_eq!(nzcv(&c), 0b0110);
    // mvns.w r0, r1, ror #4
    let c = t32(&[0xea7f, 0x1031], 1, |c| c.s.regs[1] = 0xf);
    assert_eq!((c.s.regs[0], nzcv(&c)), (0x0fff_ffff, 0b0010));
    // tst.w r1, r2, lsl #31
    let c = t32(&[0xea11, 0x7fc2], 1, |c| {
        c.s.regs[1] = 0x8000_0000;
        c.s.regs[2] = 3;
    });
    assert_eq!(nzcv(&c), 0b1010);
    // lsls.w r0, r1, #1
    let c = t32(&[0xea5f, 0x0041], 1, |c| c.s.regs[1] = 0x8000_0000);
    assert_eq!((c.s.regs[0], nzcv(&c)), (0, 0b0110));
    // lsr.w r0, r1, #32: no flags
    let c = t32(&[0xea4f, 0x0011], 1, |c| {
        c.s.regs[1] = 0xffff_ffff;
        c.s.regs[0] = 7;
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (0, 0));
}

#[test]
fn t32_pkh() {
    // pkhbt r0, r1, r2, lsl #8
    let c = t32(&[0xeac1, 0x2002], 1, |c| {
        c.s.regs[1] = 0x1111_2222;
        c.s.regs[2] = 0x3333_4444;
    });
    assert_eq!(c.s.regs[0], 0x3344_2222);
    // pkhtb r0, r1, r2, asr #32
    let c = t32(&[0xeac1, 0x0022], 1, |c| {
        c.s.regs[1] = 0x1111_2222;
        c.s.regs[2] = 0x8000_4444;
    });
    assert_eq!(c.s.regs[0], 0x1111_ffff);
    // PKH with S = 1 is UNDEFINED
    assert_undef(&t32(&[0xead1, 0x2002], 1, |_| {}));
}

#[test]
fn t32_shift_by_register() {
    // lsls.w r0, r1, r2
    let c = t32(&[0xfa11, 0xf002], 1, |c| {
        c.s.regs[1] = 1;
        c.s.regs[2] = 32;
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (0, 0b0110));
    // rors.w r0, r1, r2
    let c = t32(&[0xfa71, 0xf002], 1, |c| {
        c.s.regs[1] = 0x8000_0001;
        c.s.regs[2] = 32;
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (0x8000_0001, 0b1010));
    // asr.w r0, r1, r2: no flags
    let c = t32(&[0xfa41, 0xf002], 1, |c| {
        c.s.regs[1] = 0x8000_0000;
        c.s.regs[2] = 4;
        set_nzcv(c, 0b0001);
    });
    assert_eq!((c.s.regs[0], nzcv(&c)), (0xf800_0000, 0b0001));
    // hw2[15:12] != 1111 is UNDEFINED
    assert_undef(&t32(&[0xfa41, 0x7002], 1, |_| {}));
}

// ======================================================================================
// Robustness: no encoding of these groups may panic, whatever the register values.
// ======================================================================================

/// A small deterministic generator (no external crates).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 32) as u32
    }
}

fn exec_random(c: &mut Cpu, rng: &mut Lcg, insn: &emu_core::Insn) {
    for r in 0..15 {
        c.s.regs[r] = match rng.next() % 4 {
            0 => rng.next() % 300,
            1 => 0x8000_0000,
            _ => rng.next(),
        };
    }
    c.s.regs[15] = BASE + 8;
    c.s.set_nzcv(rng.next());
    let _ = (insn.exec)(c, insn);
    c.branched = false;
}

#[test]
fn no_encoding_panics() {
    use emu_core::decode::{a32::dataproc as a, t32::dataproc as t};
    use emu_core::ItCtx;
    let mut rng = Lcg(1);
    let mut c = new_cpu();
    c.reset(BASE | 1, Mode::Svc);
    let ctxs = [
        ItCtx::OUTSIDE,
        ItCtx {
            in_it: true,
            last: false,
        },
        ItCtx {
            in_it: true,
            last: true,
        },
    ];
    for hw in 0u32..0x1_0000 {
        let op = hw >> 10;
        for it in ctxs {
            let insn = match op {
                0b000000..=0b001111 => t::decode16_shift_add_sub_mov_cmp(hw, it),
                0b010000 => t::decode16_dp(hw, it),
                0b010001 => t::decode16_special(hw, it),
                0b101000 | 0b101001 => t::decode16_adr(hw, it),
                0b101010 | 0b101011 => t::decode16_add_sp(hw, it),
                0b101100 if (hw >> 8) & 3 == 0 => t::decode16_adjust_sp(hw, it),
                _ => continue,
            };
            exec_random(&mut c, &mut rng, &insn);
        }
    }
    for _ in 0..200_000 {
        let (hw1, hw2) = (rng.next() & 0xffff, rng.next() & 0xffff);
        let insn = match rng.next() % 4 {
            0 => t::decode32_modified_imm(0xf000 | (hw1 & 0x5ff), hw2 & 0x7fff),
            1 => t::decode32_plain_imm(0xf200 | (hw1 & 0x4ff), hw2 & 0x7fff),
            2 => t::decode32_shifted_reg(0xea00 | (hw1 & 0x1ff), hw2),
            _ => t::decode32_shift_reg(0xfa00 | (hw1 & 0x7f), hw2 & 0xff0f),
        };
        exec_random(&mut c, &mut rng, &insn);
    }
    c.reset(BASE, Mode::Svc);
    for _ in 0..200_000 {
        let w = rng.next();
        let insn = match rng.next() % 5 {
            0 => a::decode_reg(w & !0x0e00_0010),
            1 => a::decode_regshift((w & !0x0e00_0090) | 0x10),
            2 => a::decode_imm((w & !0x0c00_0000) | 0x0200_0000),
            3 => a::decode_movw_movt(w),
            _ => a::decode_pkh((w & 0xf00f_ffcf) | 0x0680_0010),
        };
        exec_random(&mut c, &mut rng, &insn);
        // An exception return may have left ARM state or a privileged mode.
        if c.s.mode() != Mode::Svc {
            c.reset(BASE, Mode::Svc);
        }
    }
}
