//! VFP instruction forms, A32 and T32 (encodings from arm-none-eabi-as -mcpu=cortex-a15
//! -mfpu=vfpv4): each case sets registers and memory, runs one instruction and checks
//! the results. Access gating is checked at the end.

use emu_core::{Cpu, CpuConfig, Mode, Ram};

const ORG: u32 = 0x8000_1000;
const VBAR: u32 = 0x8000_0000;

#[derive(Clone, Copy)]
enum S {
    D(usize, u64),
    R(usize, u32),
    Fpscr(u32),
    M(u32, &'static [u32]),
}

struct Case {
    asm: &'static str,
    a32: u32,
    t32: u32,
    init: &'static [S],
    expect: &'static [S],
}

const CASES: &[Case] = &[
    Case {
        asm: "vadd.f32 s2, s0, s1",
        a32: 0xee301a20,
        t32: 0xee301a20,
        init: &[S::D(0, 0x400000003f800000)],
        expect: &[S::D(1, 0x0000000040400000)],
    },
    Case {
        asm: "vsub.f32 s3, s0, s1",
        a32: 0xee701a60,
        t32: 0xee701a60,
        init: &[S::D(0, 0x400000003f800000)],
        expect: &[S::D(1, 0xbf80000000000000)],
    },
    Case {
        asm: "vadd.f64 d2, d0, d1",
        a32: 0xee302b01,
        t32: 0xee302b01,
        init: &[S::D(0, 0x3ff8000000000000), S::D(1, 0x4002000000000000)],
        expect: &[S::D(2, 0x400e000000000000)],
    },
    Case {
        asm: "vsub.f64 d18, d0, d1",
        a32: 0xee702b41,
        t32: 0xee702b41,
        init: &[S::D(0, 0x3ff8000000000000), S::D(1, 0x4002000000000000)],
        expect: &[S::D(18, 0xbfe8000000000000)],
    },
    Case {
        asm: "vmul.f64 d2, d0, d1",
        a32: 0xee202b01,
        t32: 0xee202b01,
        init: &[S::D(0, 0x3ff8000000000000), S::D(1, 0x4000000000000000)],
        expect: &[S::D(2, 0x4008000000000000)],
    },
    Case {
        asm: "vnmul.f64 d2, d0, d1",
        a32: 0xee202b41,
        t32: 0xee202b41,
        init: &[S::D(0, 0x3ff8000000000000), S::D(1, 0x4000000000000000)],
        expect: &[S::D(2, 0xc008000000000000)],
    },
    Case {
        asm: "vdiv.f64 d2, d0, d1",
        a32: 0xee802b01,
        t32: 0xee802b01,
        init: &[S::D(0, 0x3ff0000000000000), S::D(1, 0x0000000000000000)],
        expect: &[S::D(2, 0x7ff0000000000000), S::Fpscr(0x00000002)],
    },
    Case {
        asm: "vdiv.f32 s4, s0, s1",
        a32: 0xee802a20,
        t32: 0xee802a20,
        init: &[S::D(0, 0x404000003f800000)],
        expect: &[S::D(2, 0x000000003eaaaaab), S::Fpscr(0x00000010)],
    },
    Case {
        asm: "vmla.f64 d2, d0, d1",
        a32: 0xee002b01,
        t32: 0xee002b01,
        init: &[
            S::D(0, 0x4008000000000000),
            S::D(1, 0x4000000000000000),
            S::D(2, 0x3ff0000000000000),
        ],
        expect: &[S::D(2, 0x401c000000000000)],
    },
    Case {
        asm: "vmls.f64 d2, d0, d1",
        a32: 0xee002b41,
        t32: 0xee002b41,
        init: &[
            S::D(0, 0x4008000000000000),
            S::D(1, 0x4000000000000000),
            S::D(2, 0x3ff0000000000000),
        ],
        expect: &[S::D(2, 0xc014000000000000)],
    },
    Case {
        asm: "vnmla.f64 d2, d0, d1",
        a32: 0xee102b41,
        t32: 0xee102b41,
        init: &[
            S::D(0, 0x4008000000000000),
            S::D(1, 0x4000000000000000),
            S::D(2, 0x3ff0000000000000),
        ],
        expect: &[S::D(2, 0xc01c000000000000)],
    },
    Case {
        asm: "vnmls.f64 d2, d0, d1",
        a32: 0xee102b01,
        t32: 0xee102b01,
        init: &[
            S::D(0, 0x4008000000000000),
            S::D(1, 0x4000000000000000),
            S::D(2, 0x3ff0000000000000),
        ],
        expect: &[S::D(2, 0x4014000000000000)],
    },
    Case {
        asm: "vfma.f64 d2, d0, d1",
        a32: 0xeea02b01,
        t32: 0xeea02b01,
        init: &[
            S::D(0, 0x4008000000000000),
            S::D(1, 0x4000000000000000),
            S::D(2, 0x3ff0000000000000),
        ],
        expect: &[S::D(2, 0x401c000000000000)],
    },
    Case {
        asm: "vfms.f64 d2, d0, d1",
        a32: 0xeea02b41,
        t32: 0xeea02b41,
        init: &[
            S::D(0, 0x4008000000000000),
            S::D(1, 0x4000000000000000),
            S::D(2, 0x3ff0000000000000),
        ],
        expect: &[S::D(2, 0xc014000000000000)],
    },
    Case {
        asm: "vfnma.f64 d2, d0, d1",
        a32: 0xee902b41,
        t32: 0xee902b41,
        init: &[
            S::D(0, 0x4008000000000000),
            S::D(1, 0x4000000000000000),
            S::D(2, 0x3ff0000000000000),
        ],
        expect: &[S::D(2, 0xc01c000000000000)],
    },
    Case {
        asm: "vfnms.f64 d2, d0, d1",
        a32: 0xee902b01,
        t32: 0xee902b01,
        init: &[
            S::D(0, 0x4008000000000000),
            S::D(1, 0x4000000000000000),
            S::D(2, 0x3ff0000000000000),
        ],
        expect: &[S::D(2, 0x4014000000000000)],
    },
    Case {
        asm: "vfma.f32 s4, s0, s1",
        a32: 0xeea02a20,
        t32: 0xeea02a20,
        init: &[S::D(0, 0x4000000040400000), S::D(2, 0x000000003f800000)],
        expect: &[S::D(2, 0x0000000040e00000)],
    },
    Case {
        asm: "vsqrt.f64 d1, d0",
        a32: 0xeeb11bc0,
        t32: 0xeeb11bc0,
        init: &[S::D(0, 0x4002000000000000)],
        expect: &[S::D(1, 0x3ff8000000000000)],
    },
    Case {
        asm: "vsqrt.f32 s2, s0",
        a32: 0xeeb11ac0,
        t32: 0xeeb11ac0,
        init: &[S::D(0, 0x00000000bf800000)],
        expect: &[S::D(1, 0x000000007fc00000), S::Fpscr(0x00000001)],
    },
    Case {
        asm: "vabs.f64 d1, d0",
        a32: 0xeeb01bc0,
        t32: 0xeeb01bc0,
        init: &[S::D(0, 0xc000000000000000)],
        expect: &[S::D(1, 0x4000000000000000)],
    },
    Case {
        asm: "vneg.f32 s2, s0",
        a32: 0xeeb11a40,
        t32: 0xeeb11a40,
        init: &[S::D(0, 0x0000000040000000)],
        expect: &[S::D(1, 0x00000000c0000000)],
    },
    Case {
        asm: "vmov.f64 d17, d0",
        a32: 0xeef01b40,
        t32: 0xeef01b40,
        init: &[S::D(0, 0x4000000000000000)],
        expect: &[S::D(17, 0x4000000000000000)],
    },
    Case {
        asm: "vmov.f32 s2, #-1.5",
        a32: 0xeebf1a08,
        t32: 0xeebf1a08,
        init: &[],
        expect: &[S::D(1, 0x00000000bfc00000)],
    },
    Case {
        asm: "vmov.f64 d30, #0.5",
        a32: 0xeef6eb00,
        t32: 0xeef6eb00,
        init: &[],
        expect: &[S::D(30, 0x3fe0000000000000)],
    },
    Case {
        asm: "vcmp.f64 d0, d1",
        a32: 0xeeb40b41,
        t32: 0xeeb40b41,
        init: &[S::D(0, 0x3ff0000000000000), S::D(1, 0x4000000000000000)],
        expect: &[S::Fpscr(0x80000000)],
    },
    Case {
        asm: "vcmpe.f32 s0, #0",
        a32: 0xeeb50ac0,
        t32: 0xeeb50ac0,
        init: &[S::D(0, 0x000000007fc00000)],
        expect: &[S::Fpscr(0x30000001)],
    },
    Case {
        asm: "vcmp.f32 s0, #0",
        a32: 0xeeb50a40,
        t32: 0xeeb50a40,
        init: &[S::D(0, 0x000000007fc00000)],
        expect: &[S::Fpscr(0x30000000)],
    },
    Case {
        asm: "vcvt.f64.f32 d1, s0",
        a32: 0xeeb71ac0,
        t32: 0xeeb71ac0,
        init: &[S::D(0, 0x000000003fc00000)],
        expect: &[S::D(1, 0x3ff8000000000000)],
    },
    Case {
        asm: "vcvt.f32.f64 s2, d0",
        a32: 0xeeb71bc0,
        t32: 0xeeb71bc0,
        init: &[S::D(0, 0x3ff8000000000000)],
        expect: &[S::D(1, 0x000000003fc00000)],
    },
    Case {
        asm: "vcvt.s32.f64 s2, d0",
        a32: 0xeebd1bc0,
        t32: 0xeebd1bc0,
        init: &[S::D(0, 0xc004000000000000)],
        expect: &[S::D(1, 0x00000000fffffffe), S::Fpscr(0x00000010)],
    },
    Case {
        asm: "vcvtr.s32.f64 s2, d0",
        a32: 0xeebd1b40,
        t32: 0xeebd1b40,
        init: &[S::D(0, 0xc004000000000000)],
        expect: &[S::D(1, 0x00000000fffffffe), S::Fpscr(0x00000010)],
    },
    Case {
        asm: "vcvtr.u32.f32 s2, s0",
        a32: 0xeebc1a40,
        t32: 0xeebc1a40,
        init: &[S::D(0, 0x00000000c0200000)],
        expect: &[S::D(1, 0x0000000000000000), S::Fpscr(0x00000001)],
    },
    Case {
        asm: "vcvt.f32.u32 s2, s0",
        a32: 0xeeb81a40,
        t32: 0xeeb81a40,
        init: &[S::D(0, 0x00000000ffffffff)],
        expect: &[S::D(1, 0x000000004f800000), S::Fpscr(0x00000010)],
    },
    Case {
        asm: "vcvt.f64.s32 d1, s0",
        a32: 0xeeb81bc0,
        t32: 0xeeb81bc0,
        init: &[S::D(0, 0x00000000ffffffff)],
        expect: &[S::D(1, 0xbff0000000000000)],
    },
    Case {
        asm: "vcvt.s16.f32 s0, s0, #4",
        a32: 0xeebe0a46,
        t32: 0xeebe0a46,
        init: &[S::D(0, 0x00000000bfc00000)],
        expect: &[S::D(0, 0x00000000ffffffe8)],
    },
    Case {
        asm: "vcvt.f64.u16 d0, d0, #8",
        a32: 0xeebb0b44,
        t32: 0xeebb0b44,
        init: &[S::D(0, 0x00000000ffff0180)],
        expect: &[S::D(0, 0x3ff8000000000000)],
    },
    Case {
        asm: "vcvtb.f16.f32 s0, s1",
        a32: 0xeeb30a60,
        t32: 0xeeb30a60,
        init: &[S::D(0, 0x3f800000aaaaaaaa)],
        expect: &[S::D(0, 0x3f800000aaaa3c00)],
    },
    Case {
        asm: "vcvtt.f32.f16 s1, s0",
        a32: 0xeef20ac0,
        t32: 0xeef20ac0,
        init: &[S::D(0, 0x00000000c0000000)],
        expect: &[S::D(0, 0xc0000000c0000000)],
    },
    Case {
        asm: "vmov s3, r2",
        a32: 0xee012a90,
        t32: 0xee012a90,
        init: &[S::R(2, 0x12345678)],
        expect: &[S::D(1, 0x1234567800000000)],
    },
    Case {
        asm: "vmov r3, s1",
        a32: 0xee103a90,
        t32: 0xee103a90,
        init: &[S::D(0, 0x1234567800000000)],
        expect: &[S::R(3, 0x12345678)],
    },
    Case {
        asm: "vmov d20, r0, r1",
        a32: 0xec410b34,
        t32: 0xec410b34,
        init: &[S::R(0, 0x00000001), S::R(1, 0x00000002)],
        expect: &[S::D(20, 0x0000000200000001)],
    },
    Case {
        asm: "vmov r0, r1, d20",
        a32: 0xec510b34,
        t32: 0xec510b34,
        init: &[S::D(20, 0x0000000400000003)],
        expect: &[S::R(0, 0x00000003), S::R(1, 0x00000004)],
    },
    Case {
        asm: "vmov s1, s2, r0, r1",
        a32: 0xec410a30,
        t32: 0xec410a30,
        init: &[S::R(0, 0x00000005), S::R(1, 0x00000006)],
        expect: &[S::D(0, 0x0000000500000000), S::D(1, 0x0000000000000006)],
    },
    Case {
        asm: "vmov r0, r1, s1, s2",
        a32: 0xec510a30,
        t32: 0xec510a30,
        init: &[S::D(0, 0x0000000500000000), S::D(1, 0x0000000000000006)],
        expect: &[S::R(0, 0x00000005), S::R(1, 0x00000006)],
    },
    Case {
        asm: "vmov.32 d25[1], r2",
        a32: 0xee292b90,
        t32: 0xee292b90,
        init: &[S::R(2, 0x00000007)],
        expect: &[S::D(25, 0x0000000700000000)],
    },
    Case {
        asm: "vmov.32 r2, d25[1]",
        a32: 0xee392b90,
        t32: 0xee392b90,
        init: &[S::D(25, 0x0000000800000000)],
        expect: &[S::R(2, 0x00000008)],
    },
    Case {
        asm: "vmsr fpscr, r0",
        a32: 0xeee10a10,
        t32: 0xeee10a10,
        init: &[S::R(0, 0xffffffff)],
        expect: &[S::Fpscr(0xfff7009f)],
    },
    Case {
        asm: "vmrs r1, fpscr",
        a32: 0xeef11a10,
        t32: 0xeef11a10,
        init: &[S::Fpscr(0x03c00010)],
        expect: &[S::R(1, 0x03c00010)],
    },
    Case {
        asm: "vmrs r1, fpsid",
        a32: 0xeef01a10,
        t32: 0xeef01a10,
        init: &[],
        expect: &[S::R(1, 0x410430f0)],
    },
    Case {
        asm: "vmrs r1, mvfr1",
        a32: 0xeef61a10,
        t32: 0xeef61a10,
        init: &[],
        expect: &[S::R(1, 0x01000011)],
    },
    Case {
        asm: "vldr d3, [r0, #-8]",
        a32: 0xed103b02,
        t32: 0xed103b02,
        init: &[S::R(0, 0x80002008), S::M(0x80002000, &[0x1, 0x2])],
        expect: &[S::D(3, 0x0000000200000001)],
    },
    Case {
        asm: "vstr s5, [r0, #4]",
        a32: 0xedc02a01,
        t32: 0xedc02a01,
        init: &[S::R(0, 0x80002000), S::D(2, 0x0000000900000000)],
        expect: &[S::M(0x80002004, &[0x9])],
    },
    Case {
        asm: "vldmia r0!, {s1-s3}",
        a32: 0xecf00a03,
        t32: 0xecf00a03,
        init: &[S::R(0, 0x80002000), S::M(0x80002000, &[0x1, 0x2, 0x3])],
        expect: &[
            S::D(0, 0x0000000100000000),
            S::D(1, 0x0000000300000002),
            S::R(0, 0x8000200c),
        ],
    },
    Case {
        asm: "vstmdb r0!, {d30-d31}",
        a32: 0xed60eb04,
        t32: 0xed60eb04,
        init: &[
            S::R(0, 0x80002010),
            S::D(30, 0x0000000200000001),
            S::D(31, 0x0000000400000003),
        ],
        expect: &[S::R(0, 0x80002000), S::M(0x80002000, &[0x1, 0x2, 0x3, 0x4])],
    },
    Case {
        asm: "vpush {d8}",
        a32: 0xed2d8b02,
        t32: 0xed2d8b02,
        init: &[S::R(13, 0x80002010), S::D(8, 0x0000000600000005)],
        expect: &[S::R(13, 0x80002008), S::M(0x80002008, &[0x5, 0x6])],
    },
    Case {
        asm: "vpop {s4-s5}",
        a32: 0xecbd2a02,
        t32: 0xecbd2a02,
        init: &[S::R(13, 0x80002000), S::M(0x80002000, &[0x7, 0x8])],
        expect: &[S::R(13, 0x80002008), S::D(2, 0x0000000800000007)],
    },
];

fn put32(c: &mut Cpu, addr: u32, v: u32) {
    c.ram
        .slice_mut(addr as u64, 4)
        .unwrap()
        .copy_from_slice(&v.to_le_bytes());
}

fn get32(c: &Cpu, addr: u32) -> u32 {
    u32::from_le_bytes(c.ram.slice(addr as u64, 4).unwrap().try_into().unwrap())
}

/// A CPU about to run `enc` (A32 word or T32 hw1:hw2) in SVC mode with the VFP enabled.
fn setup(enc: u32, thumb: bool) -> Cpu {
    let mut c = Cpu::new(
        CpuConfig::default(),
        Ram::new(0x8000_0000, 1 << 20).unwrap(),
    );
    if thumb {
        put32(&mut c, ORG, enc.rotate_left(16));
        c.reset(ORG | 1, Mode::Svc);
    } else {
        put32(&mut c, ORG, enc);
        c.reset(ORG, Mode::Svc);
    }
    c.s.vbar = VBAR;
    c.s.cpacr = 0x00f0_0000;
    c.s.fpexc = 1 << 30;
    c
}

fn apply(c: &mut Cpu, st: &[S]) {
    for s in st {
        match *s {
            S::D(n, v) => c.s.vfp_d[n] = v,
            S::R(n, v) => c.s.regs[n] = v,
            S::Fpscr(v) => c.s.fpscr = v,
            S::M(a, ws) => {
                for (k, w) in ws.iter().enumerate() {
                    put32(c, a + 4 * k as u32, *w);
                }
            }
        }
    }
}

fn check(c: &Cpu, case: &Case, isa: &str) {
    assert_ne!(c.s.mode(), Mode::Und, "{isa} {}: undefined", case.asm);
    let mut fpscr = 0;
    for s in case.expect {
        match *s {
            S::D(n, v) => assert_eq!(c.s.vfp_d[n], v, "{isa} {}: d{n}", case.asm),
            S::R(n, v) => assert_eq!(c.s.regs[n], v, "{isa} {}: r{n}", case.asm),
            S::Fpscr(v) => fpscr = v,
            S::M(a, ws) => {
                for (k, w) in ws.iter().enumerate() {
                    let addr = a + 4 * k as u32;
                    assert_eq!(get32(c, addr), *w, "{isa} {}: [{addr:#x}]", case.asm);
                }
            }
        }
    }
    let init_fpscr = case
        .init
        .iter()
        .find_map(|s| match s {
            S::Fpscr(v) => Some(*v),
            _ => None,
        })
        .unwrap_or(0);
    if !case.asm.starts_with("vmrs") {
        let want = if case.asm.starts_with("vmsr") {
            fpscr
        } else {
            init_fpscr | fpscr
        };
        assert_eq!(c.s.fpscr, want, "{isa} {}: fpscr", case.asm);
    }
}

#[test]
fn every_form_a32_and_t32() {
    for case in CASES {
        for thumb in [false, true] {
            let mut c = setup(if thumb { case.t32 } else { case.a32 }, thumb);
            apply(&mut c, case.init);
            c.step();
            check(&c, case, if thumb { "T32" } else { "A32" });
            assert_eq!(c.s.regs[15], ORG + 4, "{}: pc", case.asm);
        }
    }
}

fn undefined_after(c: &mut Cpu) -> bool {
    c.step();
    c.s.mode() == Mode::Und
}

#[test]
fn gating() {
    let vadd = CASES[0].a32;
    let vmrs_fpexc = 0xeef8_1a10; // vmrs r1, fpexc
    let vmrs_fpscr = 0xeef1_1a10; // vmrs r1, fpscr
                                  // FPEXC.EN = 0: data processing and FPSCR are UNDEFINED, FPEXC is not.
    for (enc, undef) in [(vadd, true), (vmrs_fpscr, true), (vmrs_fpexc, false)] {
        let mut c = setup(enc, false);
        c.s.fpexc = 0;
        assert_eq!(undefined_after(&mut c), undef, "{enc:#x}");
    }
    // CPACR: no access, PL1-only access from SVC and from User.
    for (cpacr, mode, undef) in [
        (0, Mode::Svc, true),
        (0x0050_0000, Mode::Svc, false),
        (0x0050_0000, Mode::Usr, true),
        (0x00a0_0000, Mode::Svc, true),
        (0x00f0_0000, Mode::Usr, false),
    ] {
        let mut c = setup(vadd, false);
        c.reset(ORG, mode);
        c.s.vbar = VBAR;
        c.s.fpexc = 1 << 30;
        c.s.cpacr = cpacr;
        assert_eq!(undefined_after(&mut c), undef, "{cpacr:#x} {mode:?}");
    }
    // FPEXC is PL1 only.
    let mut c = setup(vmrs_fpexc, false);
    c.reset(ORG, Mode::Usr);
    c.s.vbar = VBAR;
    c.s.cpacr = 0x00f0_0000;
    c.s.fpexc = 1 << 30;
    assert!(undefined_after(&mut c));
    // FPSCR.LEN != 0: data processing is UNDEFINED, VCMP is not.
    let mut c = setup(vadd, false);
    c.s.fpscr = 0x0001_0000;
    assert!(undefined_after(&mut c));
}
