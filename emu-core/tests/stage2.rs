//! Stage 2 translation (issue 5): Non-secure PL1 code under HCR.VM with stage 2 tables
//! built in RAM; translation results, each stage 2 fault kind taken to Hyp mode with its
//! exact HSR/HDFAR/HIFAR/HPFAR, the instruction syndrome (ISV, SAS, SSE, SRT) of A32 and
//! T32 loads and stores, S1PTW and HCR.PTW, the VMID-tagged TLB, and ATS12NSO* into PAR.

use emu_core::exception::{ec, hsr};
use emu_core::state::scr;
use emu_core::sysreg::CpReg;
use emu_core::timer::ClockSource;
use emu_core::{Cpu, CpuConfig, Exception, Mode, Ram};

const fn cp15(opc1: u8, crn: u8, crm: u8, opc2: u8) -> CpReg {
    CpReg {
        cp: 15,
        opc1,
        crn,
        crm,
        opc2,
    }
}

const HCR: CpReg = cp15(4, 1, 1, 0);
const VTCR: CpReg = cp15(4, 2, 1, 2);
const SCTLR: CpReg = cp15(0, 1, 0, 0);
const TTBCR: CpReg = cp15(0, 2, 0, 2);
const MAIR0: CpReg = cp15(0, 10, 2, 0);
const TLBIALLNSNH: CpReg = cp15(4, 8, 7, 4);
const ATS12NSOPR: CpReg = cp15(0, 7, 8, 4);
const ATS12NSOPW: CpReg = cp15(0, 7, 8, 5);
const ATS12NSOUR: CpReg = cp15(0, 7, 8, 6);
const ATS12NSOUW: CpReg = cp15(0, 7, 8, 7);

const HCR_VM: u32 = 1;
const HCR_PTW: u32 = 1 << 2;
const HCR_DC: u32 = 1 << 12;

const BASE: u32 = 0x8000_0000;
const HCODE: u32 = BASE + 0x1000;
/// Stage 2 tables (physical): level 1 (32-bit IPA space, 4 entries), level 2 for IPA
/// 0x4000_0000-0x7fff_ffff, level 3 for IPA 0x4040_0000-0x405f_ffff.
const S2_L1: u32 = BASE + 0x10_0000;
const S2_L2: u32 = BASE + 0x10_1000;
const S2_L3: u32 = BASE + 0x10_2000;
/// A second VMID's tables.
const S2_L1B: u32 = BASE + 0x10_8000;
const S2_L2B: u32 = BASE + 0x10_9000;
/// 40-bit IPA space: two concatenated level 1 tables (8 KiB aligned).
const S2_L1_40: u32 = BASE + 0x11_0000;
/// Start at level 2 (VTCR.SL0 = 0), 32-bit IPA space: four concatenated tables.
const S2_L2_SL0: u32 = BASE + 0x11_4000;

/// IPA 0x4000_0000 (2 MiB) -> this PA: the guest's code, vectors and stage 1 tables.
const GUEST_A: u32 = BASE + 0x20_0000;
/// IPA 0x4020_0000 (2 MiB) -> this PA: data.
const GUEST_B: u32 = BASE + 0x40_0000;
/// IPA 0x4040_0000 + n pages -> this PA + n pages (level 3).
const PAGES: u32 = BASE + 0x60_0000;
const IPA_A: u32 = 0x4000_0000;
const IPA_B: u32 = 0x4020_0000;
const IPA_PAGES: u32 = 0x4040_0000;
/// Stage 1 (LPAE) level 1 table of the guest, IPA (in block A).
const S1_L1: u32 = IPA_A + 0x8000;

/// Level 3 pages: 0 read-only, 1 access flag 0, 2 execute-never, 3 write-only, 4
/// read/write, 5 no access, 6 Device (read/write), 7 Normal Non-cacheable; the rest
/// invalid.
const PAGE_RO: u32 = IPA_PAGES;
const PAGE_NOAF: u32 = IPA_PAGES + 0x1000;
const PAGE_XN: u32 = IPA_PAGES + 0x2000;
const PAGE_WO: u32 = IPA_PAGES + 0x3000;
const PAGE_RW: u32 = IPA_PAGES + 0x4000;
const PAGE_NONE: u32 = IPA_PAGES + 0x5000;
const PAGE_DEV: u32 = IPA_PAGES + 0x6000;
const PAGE_NC: u32 = IPA_PAGES + 0x7000;
const PAGE_INVALID: u32 = IPA_PAGES + 0x9000;

const B_SELF: u32 = 0xeafffffe;
const NOP: u32 = 0xe320f000;

/// Stage 2 MemAttr values.
const NORMAL_WB: u64 = 0b1111;
const DEVICE: u64 = 0b0001;
const NORMAL_NC: u64 = 0b0101;

/// A stage 2 block (level 1/2) or page (level 3) descriptor: MemAttr, S2AP, SH = inner
/// shareable, AF.
fn s2_desc(pa: u64, memattr: u64, s2ap: u64, af: bool, page: bool) -> u64 {
    pa | ((af as u64) << 10) | (3 << 8) | (s2ap << 6) | (memattr << 2) | if page { 3 } else { 1 }
}

fn s2_block(pa: u32) -> u64 {
    s2_desc(pa as u64, NORMAL_WB, 3, true, false)
}

fn s2_page(pa: u32, memattr: u64, s2ap: u64) -> u64 {
    s2_desc(pa as u64, memattr, s2ap, true, true)
}

fn table(pa: u32) -> u64 {
    pa as u64 | 3
}

/// A stage 1 LPAE level 1 block: AttrIndx, AF, AP = PL1 read/write, SH inner.
fn s1_block(ipa: u64, attrindx: u64) -> u64 {
    ipa | (1 << 10) | (3 << 8) | (attrindx << 2) | 1
}

fn w64(c: &mut Cpu, pa: u32, v: u64) {
    c.ram
        .slice_mut(pa as u64, 8)
        .unwrap()
        .copy_from_slice(&v.to_le_bytes());
}

fn w32(c: &mut Cpu, pa: u32, v: u32) {
    c.ram
        .slice_mut(pa as u64, 4)
        .unwrap()
        .copy_from_slice(&v.to_le_bytes());
}

fn r32(c: &Cpu, pa: u32) -> u32 {
    let b = c.ram.slice(pa as u64, 4).unwrap();
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

fn load(c: &mut Cpu, at: u32, code: &[u32]) {
    for (i, w) in code.iter().enumerate() {
        w32(c, at + 4 * i as u32, *w);
    }
}

fn load16(c: &mut Cpu, at: u32, code: &[u16]) {
    let bytes: Vec<u8> = code.iter().flat_map(|h| h.to_le_bytes()).collect();
    c.ram
        .slice_mut(at as u64, bytes.len())
        .unwrap()
        .copy_from_slice(&bytes);
}

fn vttbr(base: u32, vmid: u8) -> u64 {
    base as u64 | ((vmid as u64) << 48)
}

/// A core in Hyp mode (HVBAR = BASE, vectors spinning) with the stage 2 tables built,
/// VTCR (T0SZ = 0, SL0 = 1), VTTBR (VMID 1) and HCR.VM set.
fn hyp_with_stage2() -> Cpu {
    let cfg = CpuConfig {
        virtualization: true,
        clock: ClockSource::Instructions,
        ..CpuConfig::default()
    };
    let mut c = Cpu::new(cfg, Ram::new(BASE as u64, 8 << 20).unwrap());
    load(&mut c, BASE, &[B_SELF; 8]);
    load(&mut c, HCODE, &[B_SELF]);
    c.reset(HCODE, Mode::Hyp);
    c.s.hvbar = BASE;
    // Stage 2, VMID 1.
    w64(&mut c, S2_L1 + 8, table(S2_L2));
    w64(&mut c, S2_L2, s2_block(GUEST_A));
    w64(&mut c, S2_L2 + 8, s2_block(GUEST_B));
    w64(&mut c, S2_L2 + 16, table(S2_L3));
    let pages = [
        s2_page(PAGES, NORMAL_WB, 1),
        s2_desc(PAGES as u64 + 0x1000, NORMAL_WB, 3, false, true),
        s2_page(PAGES + 0x2000, NORMAL_WB, 3) | (1 << 54),
        s2_page(PAGES + 0x3000, NORMAL_WB, 2),
        s2_page(PAGES + 0x4000, NORMAL_WB, 3),
        s2_page(PAGES + 0x5000, NORMAL_WB, 0),
        s2_page(PAGES + 0x6000, DEVICE, 3),
        s2_page(PAGES + 0x7000, NORMAL_NC, 3),
    ];
    for (i, d) in pages.iter().enumerate() {
        w64(&mut c, S2_L3 + 8 * i as u32, *d);
    }
    // Stage 2, VMID 2: the same code, another data block.
    w64(&mut c, S2_L1B + 8, table(S2_L2B));
    w64(&mut c, S2_L2B, s2_block(GUEST_A));
    w64(&mut c, S2_L2B + 8, s2_block(PAGES));
    c.cp_write(VTCR, 1 << 6).unwrap();
    c.cp_write64(15, 6, 2, vttbr(S2_L1, 1)).unwrap();
    c.cp_write(HCR, HCR_VM).unwrap();
    c.branched = false;
    c
}

/// Enters the guest: Non-secure SVC at `pc` (bit 0: Thumb).
fn enter_guest(c: &mut Cpu, pc: u32) {
    c.s.switch_mode(Mode::Svc);
    c.s.thumb = pc & 1;
    c.s.regs[15] = pc & !1;
    c.branched = false;
}

/// A guest running `code` (A32) at IPA/VA 0x4000_0000 with its stage 1 MMU off.
fn guest(code: &[u32]) -> Cpu {
    let mut c = hyp_with_stage2();
    load(&mut c, GUEST_A, code);
    enter_guest(&mut c, IPA_A);
    c
}

/// The guest's LPAE stage 1: VA 0x4000_0000 (1 GiB) identity, VA 0x8000_0000 through a
/// level 2 table at an IPA stage 2 does not map, VA 0xc000_0000 through a level 2
/// table in the Device page (its entry 0: a 2 MiB block to IPA 0x4020_0000); VA 0 is
/// unmapped. MAIR0: index 0 Normal Write-Back, 1 Device.
fn stage1_on(c: &mut Cpu) {
    let l1 = GUEST_A + (S1_L1 - IPA_A);
    w64(c, l1 + 8, s1_block(IPA_A as u64, 0));
    w64(c, l1 + 16, table(0x5000_0000));
    w64(c, l1 + 24, table(PAGE_DEV));
    w64(c, PAGES + 0x6000, s1_block(IPA_B as u64, 0));
    let (mode, pc) = (c.s.mode(), c.s.regs[15]);
    c.s.switch_mode(Mode::Svc);
    c.cp_write(MAIR0, 0x0000_04ff).unwrap();
    c.cp_write(TTBCR, 1 << 31).unwrap();
    c.cp_write64(15, 0, 2, S1_L1 as u64).unwrap();
    let sctlr = c.cp_read(SCTLR).unwrap();
    c.cp_write(SCTLR, sctlr | 1).unwrap();
    c.s.switch_mode(mode);
    c.s.regs[15] = pc;
    c.branched = false;
}

/// HPFAR for an IPA: IPA[39:12] in bits [31:4].
fn hpfar(ipa: u64) -> u32 {
    ((ipa >> 12) << 4) as u32
}

/// Checks a stage 2 Data Abort taken to Hyp mode from the instruction at `pc`.
#[track_caller]
fn expect_dabt(c: &Cpu, pc: u32, va: u32, ipa: u64, il: bool, iss: u32) {
    assert_eq!(c.s.mode(), Mode::Hyp, "taken to Hyp mode");
    assert_eq!(c.s.regs[15], BASE + 0x14, "the Hyp Trap vector");
    assert_eq!(c.s.elr_hyp, pc, "ELR_hyp = the faulting instruction");
    assert_eq!(c.s.read_spsr_of(Mode::Hyp) & 0x1f, Mode::Svc as u32);
    assert_eq!(c.s.hdfar, va, "HDFAR");
    assert_eq!(c.s.hpfar, hpfar(ipa), "HPFAR");
    assert_eq!(
        c.s.hsr,
        hsr(ec::DABT_LOWER, il, iss),
        "HSR {:#010x}",
        c.s.hsr
    );
}

/// ISS parts.
const ISV: u32 = 1 << 24;
const fn sas(n: u32) -> u32 {
    n << 22
}
const SSE: u32 = 1 << 21;
const fn srt(n: u32) -> u32 {
    n << 16
}
const EA: u32 = 1 << 9;
const S1PTW: u32 = 1 << 7;
const WNR: u32 = 1 << 6;
/// Long-format fault status codes.
const fn translation(level: u32) -> u32 {
    0b000100 | level
}
const fn access_flag(level: u32) -> u32 {
    0b001000 | level
}
const fn permission(level: u32) -> u32 {
    0b001100 | level
}
const fn ext_walk(level: u32) -> u32 {
    0b010100 | level
}

const LDR_R0_R1: u32 = 0xe5910000;
const STR_R2_R1: u32 = 0xe5812000;

#[test]
fn stage2_translates_data_and_fetches_with_stage1_off() {
    // ldr r0, [r1]; str r2, [r1, #4]; ldr r3, [r4]; b .
    let mut c = guest(&[LDR_R0_R1, 0xe5812004, 0xe5943000, B_SELF]);
    w32(&mut c, GUEST_B + 0x10, 0x1234_5678);
    w32(&mut c, PAGES + 0x4020, 0xcafe_f00d);
    c.s.regs[1] = IPA_B + 0x10;
    c.s.regs[2] = 0x5555_aaaa;
    c.s.regs[4] = PAGE_RW + 0x20;
    c.run(4);
    assert_eq!(c.s.mode(), Mode::Svc);
    assert_eq!(c.s.regs[15], IPA_A + 12, "spinning at the B");
    assert_eq!(c.s.regs[0], 0x1234_5678);
    assert_eq!(r32(&c, GUEST_B + 0x14), 0x5555_aaaa);
    assert_eq!(c.s.regs[3], 0xcafe_f00d, "level 3 page");
    // Read-only and write-only pages allow what they say.
    let mut c = guest(&[LDR_R0_R1, STR_R2_R1, B_SELF]);
    w32(&mut c, PAGES, 77);
    c.s.regs[1] = PAGE_RO;
    c.step();
    assert_eq!(c.s.regs[0], 77);
    let mut c = guest(&[STR_R2_R1, B_SELF]);
    c.s.regs[1] = PAGE_WO;
    c.s.regs[2] = 99;
    c.step();
    assert_eq!((c.s.mode(), r32(&c, PAGES + 0x3000)), (Mode::Svc, 99));
}

#[test]
fn stage2_fault_kinds_are_taken_to_hyp() {
    // Translation fault, level 2 (no level 2 entry for IPA 0x5000_0000).
    let mut c = guest(&[NOP, LDR_R0_R1]);
    c.s.regs[1] = 0x5000_0010;
    c.run(2);
    expect_dabt(
        &c,
        IPA_A + 4,
        0x5000_0010,
        0x5000_0010,
        true,
        ISV | sas(2) | srt(0) | translation(2),
    );
    // Translation fault, level 1.
    let mut c = guest(&[LDR_R0_R1]);
    c.s.regs[1] = 0xc000_0000;
    c.step();
    expect_dabt(
        &c,
        IPA_A,
        0xc000_0000,
        0xc000_0000,
        true,
        ISV | sas(2) | translation(1),
    );
    // Translation fault, level 3.
    let mut c = guest(&[LDR_R0_R1]);
    c.s.regs[1] = PAGE_INVALID + 0x44;
    c.step();
    let va = PAGE_INVALID + 0x44;
    expect_dabt(
        &c,
        IPA_A,
        va,
        va as u64,
        true,
        ISV | sas(2) | translation(3),
    );
    // Access flag fault.
    let mut c = guest(&[LDR_R0_R1]);
    c.s.regs[1] = PAGE_NOAF + 8;
    c.step();
    let va = PAGE_NOAF + 8;
    expect_dabt(
        &c,
        IPA_A,
        va,
        va as u64,
        true,
        ISV | sas(2) | access_flag(3),
    );
    // Permission faults: a write to a read-only page (WnR), a read of a write-only page.
    let mut c = guest(&[STR_R2_R1]);
    c.s.regs[1] = PAGE_RO + 0xffc;
    c.step();
    let va = PAGE_RO + 0xffc;
    expect_dabt(
        &c,
        IPA_A,
        va,
        va as u64,
        true,
        ISV | sas(2) | srt(2) | WNR | permission(3),
    );
    let mut c = guest(&[LDR_R0_R1]);
    c.s.regs[1] = PAGE_WO;
    c.step();
    expect_dabt(
        &c,
        IPA_A,
        PAGE_WO,
        PAGE_WO as u64,
        true,
        ISV | sas(2) | permission(3),
    );
    // Prefetch abort: executing from an execute-never page. EC 0x20, HIFAR, IFSC.
    let mut c = guest(&[0xe12fff11]); // bx r1
    w32(&mut c, PAGES + 0x2000, NOP);
    c.s.regs[1] = PAGE_XN;
    c.step();
    c.step();
    assert_eq!(c.s.mode(), Mode::Hyp);
    assert_eq!(c.s.regs[15], BASE + 0x14);
    assert_eq!(c.s.elr_hyp, PAGE_XN);
    assert_eq!(c.s.hifar, PAGE_XN);
    assert_eq!(c.s.hpfar, hpfar(PAGE_XN as u64));
    assert_eq!(c.s.hsr, hsr(ec::PABT_LOWER, true, permission(3)));
    assert_eq!(c.s.hsr, 0x8200_000f);
    // Executing from a page without read permission faults too (as in QEMU).
    let mut c = guest(&[0xe12fff11]);
    c.s.regs[1] = PAGE_WO;
    c.step();
    c.step();
    assert_eq!(c.s.hsr, hsr(ec::PABT_LOWER, true, permission(3)));
    // External abort on the stage 2 walk: VTTBR points at nothing. EA, level 1.
    let mut c = guest(&[LDR_R0_R1]);
    c.s.switch_mode(Mode::Hyp);
    c.cp_write64(15, 6, 2, vttbr(0x1000_0000, 1)).unwrap();
    enter_guest(&mut c, IPA_A);
    // The fetch faults first: a prefetch abort with EA.
    c.step();
    assert_eq!(c.s.hsr, hsr(ec::PABT_LOWER, true, EA | ext_walk(1)));
    assert_eq!(c.s.hifar, IPA_A);
}

#[test]
fn external_abort_on_a_data_walk() {
    // The code page is in the TLB already when block B's stage 2 entry becomes a table
    // at an address where nothing answers: level 3.
    let mut c = guest(&[NOP, LDR_R0_R1]);
    c.s.regs[1] = IPA_B;
    c.step();
    w64(&mut c, S2_L2 + 8, table(0x1000_0000));
    c.step();
    expect_dabt(
        &c,
        IPA_A + 4,
        IPA_B,
        IPA_B as u64,
        true,
        ISV | sas(2) | EA | ext_walk(3),
    );
}

/// Runs one A32 instruction at NS SVC that faults at stage 2 on `va` (a read of the
/// no-access page or a write of the read-only one) and returns the HSR.
fn a32_hsr(insn: u32, r1: u32) -> u32 {
    let mut c = guest(&[insn]);
    c.s.regs[1] = r1;
    c.s.regs[2] = 0;
    c.step();
    assert_eq!(c.s.mode(), Mode::Hyp, "{insn:#010x} faults to Hyp");
    c.s.hsr
}

fn t32_hsr(code: &[u16], r1: u32) -> u32 {
    let mut c = hyp_with_stage2();
    load16(&mut c, GUEST_A, code);
    enter_guest(&mut c, IPA_A | 1);
    c.s.regs[1] = r1;
    c.s.regs[2] = 0;
    c.s.regs[13] = r1.wrapping_sub(4);
    c.step();
    assert_eq!(c.s.mode(), Mode::Hyp, "{code:04x?} faults to Hyp");
    assert_eq!(c.s.elr_hyp, IPA_A);
    c.s.hsr
}

#[test]
fn data_abort_instruction_syndromes_a32() {
    let rd = PAGE_NONE + 0x10;
    let wr = PAGE_RO + 0x10;
    let dabt = |il: bool, iss: u32| hsr(ec::DABT_LOWER, il, iss | permission(3));
    // ldr r0, [r1]
    assert_eq!(a32_hsr(0xe5910000, rd), dabt(true, ISV | sas(2) | srt(0)));
    // str r2, [r1]
    assert_eq!(
        a32_hsr(0xe5812000, wr),
        dabt(true, ISV | sas(2) | srt(2) | WNR)
    );
    // strh r3, [r1]
    assert_eq!(
        a32_hsr(0xe1c130b0, wr),
        dabt(true, ISV | sas(1) | srt(3) | WNR)
    );
    // ldrsb r4, [r1]
    assert_eq!(
        a32_hsr(0xe1d140d0, rd),
        dabt(true, ISV | sas(0) | SSE | srt(4))
    );
    // strb r5, [r1, #1]
    assert_eq!(
        a32_hsr(0xe5c15001, wr),
        dabt(true, ISV | sas(0) | srt(5) | WNR)
    );
    // ldrsh r6, [r1, #2]
    assert_eq!(
        a32_hsr(0xe1d160f2, rd),
        dabt(true, ISV | sas(1) | SSE | srt(6))
    );
    // ldrh r7, [r1, r2]
    assert_eq!(a32_hsr(0xe19170b2, rd), dabt(true, ISV | sas(1) | srt(7)));
    // ldr r9, [r1, -r2]
    assert_eq!(a32_hsr(0xe7119002, rd), dabt(true, ISV | sas(2) | srt(9)));
    // No syndrome: writeback (ldr r0, [r1, #4]!; ldr r0, [r1], #4; ldrt), LDM, LDRD.
    for insn in [0xe5b10004, 0xe4910004, 0xe4b10000, 0xe8910005, 0xe1c120d0] {
        assert_eq!(
            a32_hsr(insn, rd - 4 * (insn == 0xe5b10004) as u32),
            dabt(true, 0)
        );
    }
}

#[test]
fn data_abort_instruction_syndromes_t32() {
    let rd = PAGE_NONE + 0x10;
    let wr = PAGE_RO + 0x10;
    let dabt = |il: bool, iss: u32| hsr(ec::DABT_LOWER, il, iss | permission(3));
    // 16-bit: ldr r0, [r1, #0] (IL = 0).
    assert_eq!(t32_hsr(&[0x6808], rd), dabt(false, ISV | sas(2) | srt(0)));
    // strh r3, [r1, #2]
    assert_eq!(
        t32_hsr(&[0x804b], wr),
        dabt(false, ISV | sas(1) | srt(3) | WNR)
    );
    // ldrsb r4, [r1, r2]
    assert_eq!(
        t32_hsr(&[0x568c], rd),
        dabt(false, ISV | sas(0) | SSE | srt(4))
    );
    // str r5, [sp, #4] (SP = r1 - 4)
    assert_eq!(
        t32_hsr(&[0x9501], wr),
        dabt(false, ISV | sas(2) | srt(5) | WNR)
    );
    // 32-bit: ldr.w r8, [r1, #8]
    assert_eq!(
        t32_hsr(&[0xf8d1, 0x8008], rd),
        dabt(true, ISV | sas(2) | srt(8))
    );
    // ldrsh.w r10, [r1, #-2]
    assert_eq!(
        t32_hsr(&[0xf931, 0xac02], rd),
        dabt(true, ISV | sas(1) | SSE | srt(10))
    );
    // ldrt r11, [r1, #4]: no writeback, so a syndrome.
    assert_eq!(
        t32_hsr(&[0xf851, 0xbe04], rd),
        dabt(true, ISV | sas(2) | srt(11))
    );
    // strb.w r12, [r1, r2, lsl #1]
    assert_eq!(
        t32_hsr(&[0xf801, 0xc012], wr),
        dabt(true, ISV | sas(0) | srt(12) | WNR)
    );
    // ldr.w r0, [r1], #4: post-indexed, no syndrome.
    assert_eq!(t32_hsr(&[0xf851, 0x0b04], rd), dabt(true, 0));
}

#[test]
fn stage1_walks_go_through_stage2() {
    // ldr r0, [r1]; b .
    let mut c = guest(&[LDR_R0_R1, B_SELF]);
    stage1_on(&mut c);
    w32(&mut c, GUEST_B + 0x20, 0xabcd_0123);
    // VA 0xc000_0020 -> (stage 1 table in the Device page) IPA 0x4020_0020 -> PA.
    c.s.regs[1] = 0xc000_0020;
    c.step();
    assert_eq!((c.s.mode(), c.s.regs[0]), (Mode::Svc, 0xabcd_0123));

    // HCR.PTW: the same walk now faults at stage 2 (permission, S1PTW, no ISV).
    let mut c = guest(&[LDR_R0_R1, B_SELF]);
    stage1_on(&mut c);
    c.s.switch_mode(Mode::Hyp);
    c.cp_write(HCR, HCR_VM | HCR_PTW).unwrap();
    enter_guest(&mut c, IPA_A);
    c.s.regs[1] = 0xc000_0020;
    c.step();
    expect_dabt(
        &c,
        IPA_A,
        0xc000_0020,
        PAGE_DEV as u64,
        true,
        S1PTW | permission(3),
    );

    // A stage 1 table at an IPA stage 2 does not map: translation fault (level 2),
    // S1PTW, HPFAR = the table's IPA, HDFAR = the VA.
    let mut c = guest(&[LDR_R0_R1, B_SELF]);
    stage1_on(&mut c);
    c.s.regs[1] = 0x8000_1234;
    c.step();
    expect_dabt(
        &c,
        IPA_A,
        0x8000_1234,
        0x5000_0000,
        true,
        S1PTW | translation(2),
    );
    // The same for a store: WnR is set (as QEMU does).
    let mut c = guest(&[STR_R2_R1, B_SELF]);
    stage1_on(&mut c);
    c.s.regs[1] = 0x8000_1234;
    c.step();
    expect_dabt(
        &c,
        IPA_A,
        0x8000_1234,
        0x5000_0000,
        true,
        S1PTW | WNR | translation(2),
    );
    // And for an instruction fetch: a prefetch abort with S1PTW.
    let mut c = guest(&[0xe12fff11, B_SELF]);
    stage1_on(&mut c);
    c.s.regs[1] = 0x8000_0000;
    c.step();
    c.step();
    assert_eq!(c.s.mode(), Mode::Hyp);
    assert_eq!((c.s.elr_hyp, c.s.hifar), (0x8000_0000, 0x8000_0000));
    assert_eq!(c.s.hpfar, hpfar(0x5000_0000));
    assert_eq!(c.s.hsr, hsr(ec::PABT_LOWER, true, S1PTW | translation(2)));

    // A stage 1 fault stays at PL1: Data Abort in Abort mode, long-format DFSR.
    let mut c = guest(&[LDR_R0_R1, B_SELF]);
    stage1_on(&mut c);
    c.s.vbar = IPA_A + 0x100;
    c.s.hsr = 0x1111;
    c.s.regs[1] = 0x0000_1000;
    c.step();
    assert_eq!(c.s.mode(), Mode::Abt);
    assert_eq!(c.s.regs[15], IPA_A + 0x110);
    assert_eq!((c.s.dfar, c.s.dfsr), (0x1000, (1 << 9) | translation(1)));
    assert_eq!(c.s.hsr, 0x1111, "HSR untouched");
}

#[test]
fn stage2_applies_with_hcr_dc_and_stage1_off() {
    // HCR.DC without HCR.VM: stage 2 is on (and stage 1 off even with SCTLR.M).
    let mut c = guest(&[LDR_R0_R1, B_SELF]);
    c.s.switch_mode(Mode::Hyp);
    c.cp_write(HCR, HCR_DC).unwrap();
    enter_guest(&mut c, IPA_A);
    c.s.regs[1] = 0x5000_0000;
    c.step();
    expect_dabt(
        &c,
        IPA_A,
        0x5000_0000,
        0x5000_0000,
        true,
        ISV | sas(2) | translation(2),
    );
    // Without VM or DC the VA is the PA: nothing at 0x4000_0000 (a Prefetch Abort at
    // PL1).
    let mut c = guest(&[LDR_R0_R1, B_SELF]);
    c.s.switch_mode(Mode::Hyp);
    c.cp_write(HCR, 0).unwrap();
    enter_guest(&mut c, IPA_A);
    c.step();
    assert_eq!(c.s.mode(), Mode::Abt);
    assert_eq!(c.s.ifar, IPA_A);
}

#[test]
fn ipa_sizes_start_levels_and_concatenated_tables() {
    // 40-bit IPAs: T0SZ = -8 (S = 1), SL0 = 1: two concatenated level 1 tables. Stage 1
    // maps VA 0 (1 GiB) to IPA 0x80_4000_0000.
    let mut c = guest(&[LDR_R0_R1, B_SELF]);
    stage1_on(&mut c);
    w64(&mut c, GUEST_A + 0x8000, s1_block(0x80_4000_0000, 0));
    w64(&mut c, S2_L1_40 + 8, table(S2_L2));
    w64(&mut c, S2_L1_40 + 0x201 * 8, table(S2_L2));
    w32(&mut c, GUEST_B + 0x10, 0x4040_4040);
    c.s.switch_mode(Mode::Hyp);
    c.cp_write(VTCR, 0x58).unwrap();
    c.cp_write64(15, 6, 2, vttbr(S2_L1_40, 1)).unwrap();
    // PAR from Hyp: the 40-bit IPA's stage 2 result.
    c.cp_write(ATS12NSOPR, 0x0020_0010).unwrap();
    assert_eq!(c.s.par & 0xff_ffff_f001, GUEST_B as u64);
    enter_guest(&mut c, IPA_A);
    c.s.regs[1] = 0x0020_0010;
    c.step();
    assert_eq!((c.s.mode(), c.s.regs[0]), (Mode::Svc, 0x4040_4040));

    // The same IPA in a 32-bit IPA space: translation fault at level 1, HPFAR holds
    // IPA[39:12].
    let mut c = guest(&[LDR_R0_R1, B_SELF]);
    stage1_on(&mut c);
    w64(&mut c, GUEST_A + 0x8000, s1_block(0x80_4000_0000, 0));
    c.s.regs[1] = 0x0020_0010;
    c.step();
    expect_dabt(
        &c,
        IPA_A,
        0x0020_0010,
        0x80_4020_0010,
        true,
        ISV | sas(2) | translation(1),
    );
    assert_eq!(c.s.hpfar, 0x0804_0200 << 4);

    // SL0 = 0: start at level 2; a 32-bit IPA space takes four concatenated tables.
    let mut c = guest(&[LDR_R0_R1, B_SELF]);
    w64(&mut c, S2_L2_SL0 + 0x200 * 8, s2_block(GUEST_A));
    w64(&mut c, S2_L2_SL0 + 0x201 * 8, s2_block(PAGES));
    w32(&mut c, PAGES + 0x30, 0x5150_5150);
    c.s.switch_mode(Mode::Hyp);
    c.cp_write(VTCR, 0).unwrap();
    c.cp_write64(15, 6, 2, vttbr(S2_L2_SL0, 1)).unwrap();
    enter_guest(&mut c, IPA_A);
    c.s.regs[1] = IPA_B + 0x30;
    c.step();
    assert_eq!((c.s.mode(), c.s.regs[0]), (Mode::Svc, 0x5150_5150));

    // SL0 = 1 with a 25-bit IPA space (T0SZ = 7) does not fit: level 1 translation
    // fault, even for the code.
    let mut c = guest(&[LDR_R0_R1]);
    c.s.switch_mode(Mode::Hyp);
    c.cp_write(VTCR, (1 << 6) | 7).unwrap();
    enter_guest(&mut c, IPA_A);
    c.step();
    assert_eq!(c.s.hsr, hsr(ec::PABT_LOWER, true, translation(1)));
}

#[test]
fn vmid_switch_leaves_no_stale_translations() {
    // ldr r0, [r1]; b . — with stage 1 on, so the fast TLB front is used too.
    let code = [LDR_R0_R1, LDR_R0_R1, B_SELF];
    let mut c = guest(&code);
    stage1_on(&mut c);
    w32(&mut c, GUEST_B + 0x40, 1111); // VMID 1: IPA_B -> GUEST_B
    w32(&mut c, PAGES + 0x40, 2222); // VMID 2: IPA_B -> PAGES
    let run_guest = |c: &mut Cpu| {
        enter_guest(c, IPA_A);
        c.s.regs[1] = IPA_B + 0x40;
        c.s.regs[0] = 0;
        c.run(2);
        assert_eq!(c.s.mode(), Mode::Svc);
        c.s.regs[0]
    };
    let switch = |c: &mut Cpu, v: u64| {
        c.s.switch_mode(Mode::Hyp);
        c.cp_write64(15, 6, 2, v).unwrap();
    };
    assert_eq!(run_guest(&mut c), 1111);
    switch(&mut c, vttbr(S2_L1B, 2));
    assert_eq!(run_guest(&mut c), 2222);
    switch(&mut c, vttbr(S2_L1, 1));
    assert_eq!(run_guest(&mut c), 1111);
    // The hypervisor changes VMID 1's tables; TLBIALLNSNH drops stage 1 and stage 2
    // results of every VMID.
    w64(&mut c, S2_L2 + 8, s2_block(PAGES));
    switch(&mut c, vttbr(S2_L1B, 2));
    assert_eq!(run_guest(&mut c), 2222);
    switch(&mut c, vttbr(S2_L1, 1));
    c.s.switch_mode(Mode::Hyp);
    c.cp_write(TLBIALLNSNH, 0).unwrap();
    assert_eq!(run_guest(&mut c), 2222);
    // A new table base under the same VMID is not served stale entries either.
    w64(&mut c, S2_L2 + 8, s2_block(GUEST_B));
    switch(&mut c, vttbr(S2_L1, 1) | 0x10_0000_0000);
    switch(&mut c, vttbr(S2_L1, 1));
    assert_eq!(run_guest(&mut c), 1111);
    // Turning stage 2 off: the stage 1 tables' IPA is taken as a PA, where nothing
    // answers (a Prefetch Abort at PL1).
    c.s.switch_mode(Mode::Hyp);
    c.cp_write(HCR, 0).unwrap();
    enter_guest(&mut c, IPA_A);
    c.step();
    assert_eq!(
        c.s.mode(),
        Mode::Abt,
        "stage 1 tables at an IPA that is no PA"
    );
}

#[test]
fn ats12nso_writes_par() {
    let mut c = guest(&[]);
    c.s.switch_mode(Mode::Hyp);
    // Stage 1 off, stage 2 on: 64-bit PAR; SO (stage 1 off) combined: SO, outer
    // shareable; NS.
    c.cp_write(ATS12NSOPR, IPA_B + 0x123).unwrap();
    assert_eq!(c.s.par, GUEST_B as u64 | (1 << 11) | (1 << 9) | (2 << 7));
    c.cp_write(ATS12NSOUW, PAGE_RW + 4).unwrap();
    assert_eq!(c.s.par & 0xff_ffff_f001, (PAGES + 0x4000) as u64);
    // Stage 2 faults: F, FST, FSTAGE (bit 9), LPAE format (bit 11).
    c.cp_write(ATS12NSOPR, 0x5000_0000).unwrap();
    assert_eq!(
        c.s.par,
        1 | (translation(2) << 1) as u64 | (1 << 9) | (1 << 11)
    );
    c.cp_write(ATS12NSOPW, PAGE_RO).unwrap();
    assert_eq!(
        c.s.par,
        1 | (permission(3) << 1) as u64 | (1 << 9) | (1 << 11)
    );
    c.cp_write(ATS12NSOUR, PAGE_NOAF).unwrap();
    assert_eq!(
        c.s.par,
        1 | (access_flag(3) << 1) as u64 | (1 << 9) | (1 << 11)
    );

    // Stage 1 on (LPAE, Normal Write-Back, inner shareable).
    stage1_on(&mut c);
    c.cp_write(ATS12NSOPR, 0xc000_0044).unwrap();
    let wb_ish = (0xffu64 << 56) | (1 << 11) | (1 << 9) | (3 << 7);
    assert_eq!(c.s.par, GUEST_B as u64 | wb_ish);
    // Combined attributes: stage 2 Device wins, Normal Non-cacheable: outer shareable.
    c.cp_write(ATS12NSOPR, PAGE_DEV).unwrap();
    assert_eq!(
        c.s.par,
        (PAGES + 0x6000) as u64 | (0x04 << 56) | (1 << 11) | (1 << 9) | (2 << 7)
    );
    c.cp_write(ATS12NSOPR, PAGE_NC).unwrap();
    assert_eq!(
        c.s.par,
        (PAGES + 0x7000) as u64 | (0x44 << 56) | (1 << 11) | (1 << 9) | (2 << 7)
    );
    // A stage 1 fault (level 1 translation): FSTAGE = 0.
    c.cp_write(ATS12NSOPR, 0x1000).unwrap();
    assert_eq!(c.s.par, 1 | (translation(1) << 1) as u64 | (1 << 11));
    // A stage 2 fault on the stage 1 walk: S2WLK (bit 8) and FSTAGE.
    c.cp_write(ATS12NSOPR, 0x8000_0000).unwrap();
    assert_eq!(
        c.s.par,
        1 | (translation(2) << 1) as u64 | (1 << 8) | (1 << 9) | (1 << 11)
    );
    // Unprivileged: stage 1 AP = PL1 only.
    c.cp_write(ATS12NSOUR, IPA_B).unwrap();
    assert_eq!(c.s.par, 1 | (permission(1) << 1) as u64 | (1 << 11));

    // Without stage 2 and with the short-descriptor format: the 32-bit PAR of stage 1
    // alone (here off: PA = VA).
    let mut c = guest(&[]);
    c.s.switch_mode(Mode::Hyp);
    c.cp_write(HCR, 0).unwrap();
    c.cp_write(ATS12NSOPR, 0x4020_0123).unwrap();
    assert_eq!(c.s.par, 0x4020_0000 | (1 << 9));

    // From Non-secure SVC: UNDEFINED.
    let mut c = guest(&[]);
    assert_eq!(c.cp_write(ATS12NSOPR, 0), Err(Exception::Undefined));
    assert_eq!(c.cp_read(ATS12NSOPR), Err(Exception::Undefined));
    // From Secure SVC too.
    c.s.scr = 0;
    assert_eq!(c.cp_write(ATS12NSOPW, 0), Err(Exception::Undefined));
    c.s.scr = scr::NS;
}
