//! Turns generated sequences into one bare-metal program.
//!
//! For each sequence the program (in the sequence's instruction set) calls the A32
//! routine `h_setup` (records the sequence number and where to resume after an
//! exception, fills the scratch window from the sequence's seed, clears the exclusive
//! monitor), sets the APSR with MSR, loads R0-R12 and LR with LDM, runs the random
//! code, stores R0-R12 and LR to the save area SP points at, and calls `h_dump`, which
//! prints one line through semihosting:
//!
//! ```text
//! R <seq> <r0> ... <r12> <sp> <lr> <apsr & 0xf80f0000> <memory-window hash>
//! ```
//!
//! (all hex); for VFP sequences (the program's prologue enables cp10/cp11 and
//! FPEXC.EN; each sequence loads D0-D31 and FPSCR from its table) a second line
//!
//! ```text
//! V <fpscr> <d0 low word> <d0 high word> ... <d31 high word>
//! ```
//!
//! and, when `dump_mem` is set, the window's words as `M` lines.
//! An exception prints `X <vector offset> <seq> <exception LR>` and resumes with the
//! next sequence.

use std::fmt::Write as _;

use super::gen::{Sequence, State, WINDOW};

/// Where the scratch window and the code go (see the linker script).
pub const SCRATCH_ADDR: u32 = 0x8010_0000;
pub const TEXT_ADDR: u32 = 0x8011_0000;

pub const LINKER_SCRIPT: &str = "ENTRY(_start)
SECTIONS {
  . = 0x80100000;
  .scratch (NOLOAD) : { *(.scratch) }
  . = 0x80110000;
  .text : { *(.text*) }
  .data : { *(.data*) }
  .bss : { *(.bss*) *(COMMON) }
}
";

const HARNESS: &str = r#"
    .syntax unified
    .fpu neon-vfpv4
    .text
    .arm
    .global _start
_start:
    ldr sp, =save
    mrc p15, 0, r0, c1, c0, 2           @ CPACR: cp10/cp11 full access
    orr r0, r0, #(0xf << 20)
    mcr p15, 0, r0, c1, c0, 2
    isb
    mov r0, #(1 << 30)                  @ FPEXC.EN
    vmsr fpexc, r0
    ldr r0, =vectors
    mcr p15, 0, r0, c12, c0, 0          @ VBAR
    mrc p15, 0, r0, c1, c0, 0
    orr r0, r0, #(1 << 10)              @ SCTLR.SW: enable SWP/SWPB
    mcr p15, 0, r0, c1, c0, 0
    isb
    ldr r0, =first_seq
    ldr r0, [r0]
    bx r0

@ r0 = the sequence's table: r0-r12, lr, apsr, memory seed, number, resume address
h_setup:
    ldr r1, [r0, #64]
    ldr r2, =cur_seq
    str r1, [r2]
    ldr r1, [r0, #68]
    ldr r2, =cur_resume
    str r1, [r2]
    ldr r1, [r0, #60]
    ldr r2, =scratch
    mov r3, #(WINDOW / 4)
    ldr r4, =1664525
    ldr r5, =1013904223
1:  mla r1, r1, r4, r5
    eor r6, r1, r1, lsr #15
    str r6, [r2], #4
    subs r3, r3, #1
    bne 1b
    clrex
    bx lr

@ r1 = value, r2 = buffer pointer (advanced); clobbers r3, r4
hex8:
    mov r3, #8
1:  mov r1, r1, ror #28
    and r4, r1, #15
    cmp r4, #10
    addlo r4, r4, #'0'
    addhs r4, r4, #('a' - 10)
    strb r4, [r2], #1
    subs r3, r3, #1
    bne 1b
    bx lr

@ r1 = value: appends " <hex>" at r2
space_hex8:
    mov r4, #' '
    strb r4, [r2], #1
    b hex8

h_dump:
    ldr r0, =saved_lr
    str lr, [r0]
    @ FNV-style hash of the window
    ldr r1, =scratch
    mov r2, #(WINDOW / 4)
    mov r3, #0
    ldr r5, =0x01000193
1:  ldr r4, [r1], #4
    eor r3, r3, r4
    mul r3, r3, r5
    eor r3, r3, r3, lsr #13
    subs r2, r2, #1
    bne 1b
    mov r9, r3
    ldr r7, =outv
    ldm sp, {r0-r6}
    stm r7!, {r0-r6}
    add r0, sp, #28
    ldm r0, {r0-r5}                     @ r7-r12
    stm r7!, {r0-r5}
    ldr r0, [sp, #52]                   @ lr
    ldr r1, [sp, #56]                   @ apsr
    ldr r2, =0xf80f0000
    and r1, r1, r2
    mov r2, sp
    stm r7!, {r2}
    stm r7!, {r0, r1, r9}
    ldr r2, =buf
    mov r0, #'R'
    strb r0, [r2], #1
    ldr r1, =cur_seq
    ldr r1, [r1]
    bl space_hex8
    ldr r7, =outv
    mov r8, #17
2:  ldr r1, [r7], #4
    bl space_hex8
    subs r8, r8, #1
    bne 2b
    bl print_line
    ldr r0, =vfp_on
    ldr r0, [r0]
    cmp r0, #0
    beq 6f
    ldr r2, =buf
    mov r0, #'V'
    strb r0, [r2], #1
    ldr r7, =vout
    mov r8, #65
7:  ldr r1, [r7], #4
    bl space_hex8
    subs r8, r8, #1
    bne 7b
    bl print_line
6:  ldr r0, =dump_mem
    ldr r0, [r0]
    cmp r0, #0
    beq 4f
    ldr r7, =scratch
    mov r9, #(WINDOW / 32)
3:  ldr r2, =buf
    mov r0, #'M'
    strb r0, [r2], #1
    mov r8, #8
5:  ldr r1, [r7], #4
    bl space_hex8
    subs r8, r8, #1
    bne 5b
    bl print_line
    subs r9, r9, #1
    bne 3b
4:  ldr r0, =saved_lr
    ldr lr, [r0]
    bx lr

@ terminates the line at r2 and prints buf
print_line:
    mov r0, #'\n'
    strb r0, [r2], #1
    mov r0, #0
    strb r0, [r2]
    mov r0, #4                          @ SYS_WRITE0
    ldr r1, =buf
    svc 0x123456
    bx lr

h_exit:
    mov r0, #0x18                       @ SYS_EXIT
    ldr r1, =0x20026                    @ ADP_Stopped_ApplicationExit
    svc 0x123456
1:  b 1b

    .balign 32
vectors:
    b exc_00
    b exc_04
    b exc_08
    b exc_0c
    b exc_10
    b exc_14
    b exc_18
    b exc_1c
exc_00: mov r4, #0x00
    b exc_common
exc_04: mov r4, #0x04
    b exc_common
exc_08: mov r4, #0x08
    b exc_common
exc_0c: mov r4, #0x0c
    b exc_common
exc_10: mov r4, #0x10
    b exc_common
exc_14: mov r4, #0x14
    b exc_common
exc_18: mov r4, #0x18
    b exc_common
exc_1c: mov r4, #0x1c
    b exc_common
exc_common:
    mov r5, lr
    ldr r2, =buf
    mov r0, #'X'
    strb r0, [r2], #1
    mov r1, r4
    bl space_hex8
    ldr r1, =cur_seq
    ldr r1, [r1]
    bl space_hex8
    mov r1, r5
    bl space_hex8
    bl print_line
    cps #0x13
    ldr sp, =save
    ldr r0, =cur_resume
    ldr r0, [r0]
    bx r0
    .ltorg
"#;

/// The program's source for `seqs`.
pub fn source(seqs: &[Sequence], state: State, dump_mem: bool) -> String {
    let thumb = state == State::Thumb;
    let vfp = seqs.iter().any(|q| q.vfp.is_some());
    let mut s = String::with_capacity(seqs.len() * 2048);
    let _ = writeln!(s, "    .equ WINDOW, {WINDOW}");
    s.push_str(HARNESS);
    let call = if thumb { "blx" } else { "bl" };
    let tbit = if thumb { "+1" } else { "" };
    let _ = writeln!(
        s,
        "    .balign 4\n    {}",
        if thumb { ".thumb" } else { ".arm" }
    );
    for (k, q) in seqs.iter().enumerate() {
        let i = q.index;
        let _ = writeln!(s, "s_{k}:");
        let _ = writeln!(
            s,
            "    movw r0, #:lower16:tab_{k}\n    movt r0, #:upper16:tab_{k}"
        );
        let _ = writeln!(s, "    {call} h_setup");
        let _ = writeln!(
            s,
            "    movw r0, #:lower16:tab_{k}\n    movt r0, #:upper16:tab_{k}"
        );
        if vfp {
            let _ = writeln!(
                s,
                "    add r1, r0, #76\n    vldmia r1!, {{d0-d15}}\n    vldmia r1, {{d16-d31}}\n    ldr r1, [r0, #72]\n    vmsr fpscr, r1"
            );
        }
        let _ = writeln!(s, "    ldr r1, [r0, #56]\n    msr APSR_nzcvqg, r1");
        let _ = writeln!(s, "    ldm r0, {{r0-r12, lr}}");
        let _ = writeln!(s, "    .global b_{i}\nb_{i}:");
        for l in &q.body {
            let _ = writeln!(s, "    {l}");
        }
        let _ = writeln!(s, "    .global e_{i}\ne_{i}:");
        let _ = writeln!(
            s,
            "    stm sp, {{r0-r12, lr}}\n    mrs r0, APSR\n    str r0, [sp, #56]"
        );
        if vfp {
            let _ = writeln!(
                s,
                "    vmrs r0, fpscr\n    movw r1, #:lower16:vout\n    movt r1, #:upper16:vout\n    str r0, [r1], #4\n    vstmia r1!, {{d0-d15}}\n    vstmia r1, {{d16-d31}}"
            );
        }
        let _ = writeln!(s, "    {call} h_dump");
    }
    let n = seqs.len();
    let _ = writeln!(s, "s_{n}:\n    {call} h_exit");
    s.push_str("\n    .data\n    .balign 4\n");
    let _ = writeln!(s, "first_seq: .word s_0{tbit}");
    let _ = writeln!(s, "dump_mem: .word {}", dump_mem as u32);
    let _ = writeln!(s, "vfp_on: .word {}", vfp as u32);
    s.push_str("cur_seq: .word 0\ncur_resume: .word 0\nsaved_lr: .word 0\n");
    s.push_str("save: .space 64\noutv: .space 80\nvout: .space 260\nbuf: .space 1024\n");
    for (k, q) in seqs.iter().enumerate() {
        let _ = write!(s, "tab_{k}: .word ");
        for r in q.regs {
            let _ = write!(s, "{r:#x}, ");
        }
        let _ = write!(
            s,
            "{:#x}, {:#x}, {}, s_{}{tbit}",
            q.apsr,
            q.mem_seed,
            q.index,
            k + 1
        );
        if let Some(v) = &q.vfp {
            let _ = write!(s, ", {:#x}", v.fpscr);
            for d in v.d {
                let _ = write!(s, ", {:#x}, {:#x}", d as u32, (d >> 32) as u32);
            }
        }
        s.push('\n');
    }
    s.push_str(
        "\n    .section .scratch, \"aw\", %nobits\n    .balign 4096\nscratch: .space WINDOW\n",
    );
    s
}
