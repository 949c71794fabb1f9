//! The HSR path's statistics (issue 6): a miniature hypervisor (assembled from the source
//! below with arm-none-eabi-as -march=armv7ve) sets HCR.TWI and a VMID, ERETs into a guest
//! at PL1 that makes two PSCI-style HVCs, a WFI (trapped) and a Xen-style HVC #0xEA1; the
//! statistics must show exactly those entries, classes, sub-classes, PCs, contexts,
//! entries (ERETs) and instruction attribution, and the trace one line per trap.
//!
//! ```text
//! vectors: b . (x5) ; b trap ; b . ; b .
//! trap:    mrc p15,4,r11,c5,c2,0 ; lsr r11,#26 ; cmp r11,#0x12
//!          mrsne r11,elr_hyp ; addne r11,#4 ; msrne elr_hyp,r11 ; add r10,#1 ; eret
//! 0x100:   mov r10,#0 ; HCR = TWI ; VTTBR = VMID 5 ; SPSR = SVC ; ELR = guest ; eret
//! guest:   r0 = 0x84000000 ; hvc #0 ; hvc #0 ; wfi ; mov r12,#7 ; hvc #0xea1 ; b .
//! ```

use std::io::Write;
use std::sync::{Arc, Mutex};

use emu_core::hyp_stats::{Context, SubClass, TrapClass};
use emu_core::timer::ClockSource;
use emu_core::{Cpu, CpuConfig, Mode, Ram};

const BASE: u32 = 0x8000_0000;
const IMAGE: &[u32] = &[
    0xeafffffe, 0xeafffffe, 0xeafffffe, 0xeafffffe, 0xeafffffe, 0xea000001, 0xeafffffe, 0xeafffffe,
    0xee95bf12, 0xe1a0bd2b, 0xe35b0012, 0x110eb300, 0x128bb004, 0x112ef30b, 0xe28aa001, 0xe160006e,
    0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
    0xe3a0a000, 0xe3a00a02, 0xee810f11, 0xe3a00000, 0xe3a01805, 0xec410f62, 0xe30001d3, 0xe16ff000,
    0xe28fe004, 0xe12ef30e, 0xe160006e, 0xe3000000, 0xe3480400, 0xe1400070, 0xe1400070, 0xe320f003,
    0xe3a0c007, 0xe140ea71, 0xeafffffe,
];

fn run_image() -> Cpu {
    load(IMAGE)
}

fn load(image: &[u32]) -> Cpu {
    let cfg = CpuConfig {
        virtualization: true,
        clock: ClockSource::Instructions,
        ..CpuConfig::default()
    };
    let mut c = Cpu::new(cfg, Ram::new(BASE as u64, 1 << 20).unwrap());
    let bytes: Vec<u8> = image.iter().flat_map(|w| w.to_le_bytes()).collect();
    c.ram
        .slice_mut(BASE as u64, bytes.len())
        .unwrap()
        .copy_from_slice(&bytes);
    c.reset(BASE + 0x100, Mode::Hyp);
    c.s.hvbar = BASE;
    c
}

#[derive(Clone, Default)]
struct SharedBuf(Arc<Mutex<Vec<u8>>>);

impl Write for SharedBuf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const GUEST: Context = Context::Guest { vmid: 5, pl1: true };

#[test]
fn every_trap_of_the_mini_hypervisor_is_counted_with_its_subclass() {
    let mut c = run_image();
    let buf = SharedBuf::default();
    c.hyp_stats.trace = Some(Box::new(buf.clone()));
    c.run(300);
    c.hyp_stats.settle(c.insn_count);
    assert_eq!(c.s.regs[10], 4, "the handler ran four times");
    let st = &c.hyp_stats;
    assert_eq!(st.total, 4);
    assert_eq!(st.counts[TrapClass::from_ec(0x12).index()], 3);
    assert_eq!(st.counts[TrapClass::from_ec(0x01).index()], 1);
    assert_eq!(st.counts.iter().sum::<u64>(), 4);
    let sub = |c: TrapClass, s: SubClass| st.subclass_count(c, s);
    let hvc = TrapClass::from_ec(0x12);
    assert_eq!(
        sub(
            hvc,
            SubClass::Hvc {
                imm: 0,
                func: 0x8400_0000
            }
        ),
        2
    );
    assert_eq!(
        sub(
            hvc,
            SubClass::Hvc {
                imm: 0xea1,
                func: 7
            }
        ),
        1
    );
    assert_eq!(sub(TrapClass::from_ec(1), SubClass::Wfx { wfe: false }), 1);
    // Exits and entries of the guest: the first ERET entered it, each trap returned.
    let g = st.context(GUEST);
    assert_eq!(g.exits, 4);
    assert_eq!(g.entries, 5);
    assert_eq!(st.entries(), 5);
    // Guest instructions: 2 (r0) + 2 HVC + WFI + mov + HVC + the final loop.
    assert!(g.insns >= 7, "guest insns {}", g.insns);
    // Hyp instructions: the 11 of the set-up, 9 per trap handled (the vector's branch
    // and the handler; conditional instructions count whether they pass or not).
    assert_eq!(st.hyp_insns, 11 + 4 * 9);
    assert_eq!(st.hyp_insns_by_class[hvc.index()], 3 * 9);
    assert_eq!(st.hyp_insns_by_class[1], 9);
    assert_eq!(st.hyp_insns + g.insns, c.insn_count);
    // Top PCs: the three HVCs once each, in PC order, all from the guest.
    let pcs: Vec<(Context, u32)> = st.top_pcs(hvc, 10).iter().map(|p| (p.0, p.1)).collect();
    assert_eq!(
        pcs,
        vec![
            (GUEST, BASE + 0x134),
            (GUEST, BASE + 0x138),
            (GUEST, BASE + 0x144)
        ]
    );
    assert_eq!(st.top_pcs(TrapClass::from_ec(1), 10)[0].1, BASE + 0x13c);
    assert_eq!(st.buckets.len(), 1);
    assert_eq!(st.buckets[0][hvc.index()], 3);
    // The trace: one line per trap with running count, class, PC and guest.
    let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    let f: Vec<&str> = lines[2].split(' ').collect();
    assert_eq!(&f[1..6], &["3", "wfx", "0x8000013c", "5", "PL1"], "{text}");
}

#[test]
fn class_names_follow_the_arm_arm() {
    assert_eq!(TrapClass::from_ec(0x03).name(), "MCR/MRC CP15");
    assert_eq!(
        TrapClass::from_ec(0x24).name(),
        "data abort from a lower level"
    );
    assert_eq!(TrapClass::MAINTENANCE.name(), "maintenance interrupt");
    assert_eq!(TrapClass::from_ec(0x3f).name(), "reserved EC");
}

/// The same vectors and handler; the set-up sets HCR.TVM and HCR.TWI and VMID 3; the
/// guest reads SCTLR (not trapped), writes it twice (HCR.TVM), writes TTBR0 with MCRR
/// (HCR.TVM), then WFI (HCR.TWI) and HVC #0.
///
/// ```text
/// 0x100: mov r10,#0 ; HCR = TVM|TWI ; VTTBR = VMID 3 ; SPSR = SVC ; ELR = guest ; eret
/// guest: mrc SCTLR ; mcr SCTLR ; mcr SCTLR ; mcrr p15,0,r2,r3,c2 ; wfi ; hvc #0 ; b .
/// ```
fn tvm_image() -> Vec<u32> {
    let mut v = IMAGE[..64].to_vec();
    v.extend_from_slice(&[
        0xe3a0a000, 0xe3a00301, 0xe3800a02, 0xee810f11, 0xe3a00000, 0xe3a01803, 0xec410f62,
        0xe30001d3, 0xe16ff000, 0xe28fe004, 0xe12ef30e, 0xe160006e, 0xee111f10, 0xee011f10,
        0xee011f10, 0xec432f02, 0xe320f003, 0xe1400070, 0xeafffffe,
    ]);
    v
}

#[test]
fn coprocessor_traps_carry_their_register_direction_and_trap_control() {
    let mut c = load(&tvm_image());
    c.run(300);
    c.hyp_stats.settle(c.insn_count);
    assert_eq!(c.s.regs[10], 5, "handler runs: 2 SCTLR, TTBR0, WFI, HVC");
    let st = &c.hyp_stats;
    assert_eq!(st.total, 5);
    let cp15 = TrapClass::from_ec(0x03);
    let sctlr_write = SubClass::Mcr {
        cp: 15,
        opc1: 0,
        crn: 1,
        crm: 0,
        opc2: 0,
        read: false,
        cause: Some("HCR.TVM"),
    };
    assert_eq!(st.subclass_count(cp15, sctlr_write), 2);
    let ttbr0_write = SubClass::Mcrr {
        cp: 15,
        opc1: 0,
        crm: 2,
        read: false,
        cause: Some("HCR.TVM"),
    };
    assert_eq!(st.subclass_count(TrapClass::from_ec(0x04), ttbr0_write), 1);
    assert_eq!(st.counts[cp15.index()], 2);
    // The two SCTLR writes are two PCs, one trap each, with their HSR.
    let top = st.top_pcs(cp15, 5);
    assert_eq!(top.len(), 2);
    assert_eq!(
        (top[0].0, top[0].1, top[0].2),
        (Context::Guest { vmid: 3, pl1: true }, BASE + 0x134, 1)
    );
    assert_eq!(top[0].3 >> 26, 0x03);
    assert_eq!(st.context(Context::Guest { vmid: 3, pl1: true }).exits, 5);
}

#[test]
fn counting_switched_off_counts_nothing() {
    let mut c = load(&tvm_image());
    c.hyp_stats.enabled = false;
    c.run(300);
    assert_eq!(c.s.regs[10], 5, "the guest ran the same");
    c.hyp_stats.settle(c.insn_count);
    let st = &c.hyp_stats;
    assert_eq!(st.total, 0);
    assert!(st.counts.iter().all(|&n| n == 0));
    assert!(st.subclasses.is_empty() && st.pcs.is_empty() && st.buckets.is_empty());
    assert_eq!(st.entries(), 0);
    assert_eq!(st.hyp_insns, 0);
}
