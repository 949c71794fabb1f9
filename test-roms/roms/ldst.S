/* Loads and stores: every size and sign (LDR/LDRB/LDRH/LDRSB/LDRSH/LDRD and stores),
 * every addressing mode (immediate and register offsets, scaled registers, negative
 * offsets, pre-indexed and post-indexed with writeback, PC-relative literals), the
 * unprivileged LDRT/STRT family, exclusives (LDREX/STREX B/H/D, CLREX), SWP/SWPB (A32),
 * LDM/STM in every mode (A32: IA/IB/DA/DB; T32: IA/DB) with and without writeback.
 * Each load prints the value and the final base offset; each store prints the memory
 * words it changed. User-bank and exception-return LDM/STM forms are in modes.S.
 */
#include "common/test.h"
    CODE
    .text

/* Each check is X_BEGIN, the instructions, X_END "name".
 * Load: base r1 = buf+32, index r2 = 3; prints r0 and r1 - buf. */
.macro L_BEGIN
    LI r1, buf+32
    mov r2, #3
    LI r0, 0xcccccccc
.endm
.macro L_END text
    LI r3, buf
    sub r3, r1, r3
    PR2 "\text", r0, r3
.endm

/* Load pair: prints r4, r5 and r1 - buf. */
.macro LD2_BEGIN
    LI r1, buf+32
    mov r2, #4
    LI r4, 0xcccccccc
    LI r5, 0xcccccccc
.endm
.macro LD2_END text
    LI r3, buf
    sub r3, r1, r3
    push {r0-r3, r12, lr}
    mov r1, r4
    mov r2, r5
    STRADDR r0, "\text"
    bl print_kv3
    pop {r0-r3, r12, lr}
.endm

/* Store r0 = 0x8899aabb (r5 = 0x11223344 for pairs) into the zeroed scratch area with
 * base r1 = scr+32, index r2 = 3; prints the base offset and the words changed. */
.macro S_BEGIN
    LI r1, scr+32
    mov r2, #3
    LI r0, 0x8899aabb
    LI r4, 0x8899aabb
    LI r5, 0x11223344
.endm
.macro S_END text
    LI r3, scr
    sub r3, r1, r3
    PR "\text", r3
    bl dump_scratch
.endm

FUNC main
    push {r4-r11, lr}
    /* buf[i] = i * 0x25 + 0x81 */
    LI r0, buf
    mov r1, #0
    mov r2, #0x81
1:  strb r2, [r0, r1]
    add r2, r2, #0x25
    add r1, r1, #1
    cmp r1, #64
    bne 1b

    SAY "== loads"
    L_BEGIN
    ldr r0, [r1, #4]
    L_END "ldr [#4]"
    L_BEGIN
    ldr r0, [r1, #-4]
    L_END "ldr [#-4]"
    L_BEGIN
    ldr r0, [r1, #4]!
    L_END "ldr [#4]!"
    L_BEGIN
    ldr r0, [r1, #-8]!
    L_END "ldr [#-8]!"
    L_BEGIN
    ldr r0, [r1], #4
    L_END "ldr [], #4"
    L_BEGIN
    ldr r0, [r1], #-12
    L_END "ldr [], #-12"
    L_BEGIN
    ldr r0, [r1, r2]
    L_END "ldr [r2]"
    L_BEGIN
    ldr r0, [r1, r2, lsl #2]
    L_END "ldr [r2 lsl 2]"
    L_BEGIN
    ldrb r0, [r1, #1]
    L_END "ldrb [#1]"
    L_BEGIN
    ldrb r0, [r1, #-1]!
    L_END "ldrb [#-1]!"
    L_BEGIN
    ldrb r0, [r1], #3
    L_END "ldrb [], #3"
    L_BEGIN
    ldrb r0, [r1, r2]
    L_END "ldrb [r2]"
    L_BEGIN
    ldrsb r0, [r1, #1]
    L_END "ldrsb [#1]"
    L_BEGIN
    ldrsb r0, [r1, #2]
    L_END "ldrsb [#2]"
    L_BEGIN
    ldrsb r0, [r1, r2]
    L_END "ldrsb [r2]"
    L_BEGIN
    ldrsb r0, [r1, #-3]!
    L_END "ldrsb [#-3]!"
    L_BEGIN
    ldrh r0, [r1, #2]
    L_END "ldrh [#2]"
    L_BEGIN
    ldrh r0, [r1, #-2]
    L_END "ldrh [#-2]"
    L_BEGIN
    ldrh r0, [r1, #6]!
    L_END "ldrh [#6]!"
    L_BEGIN
    ldrh r0, [r1], #-2
    L_END "ldrh [], #-2"
    L_BEGIN
    ldrsh r0, [r1, #2]
    L_END "ldrsh [#2]"
    L_BEGIN
    ldrsh r0, [r1, #4]
    L_END "ldrsh [#4]"
    L_BEGIN
    ldrsh r0, [r1, #-2]!
    L_END "ldrsh [#-2]!"
    L_BEGIN
    ldrsh r0, [r1], #6
    L_END "ldrsh [], #6"
    L_BEGIN
    lsl r2, r2, #1
    ldrh r0, [r1, r2]
    L_END "ldrh [r2 lsl 1]"
    L_BEGIN
    add r2, r2, #1
    ldrsh r0, [r1, r2]
    L_END "ldrsh [r2]"
#ifdef THUMB
    L_BEGIN
    sub r1, r1, #4000
    ldr r0, [r1, #4004]
    L_END "ldr [#4095]"
    L_BEGIN
    add r1, r1, #255
    ldr r0, [r1, #-255]
    L_END "ldr [#-255]"
    L_BEGIN
    ldr r0, [r1, r2, lsl #3]
    L_END "ldr [r2 lsl 3]"
    L_BEGIN
    ldrsb r0, [r1, r2, lsl #1]
    L_END "ldrsb [r2 lsl 1]"
    L_BEGIN
    ldrh r0, [r1, r2, lsl #1]
    L_END "ldrh [r2 lsl 1]"
    L_BEGIN
    ldr.w r0, [r1, #8]
    L_END "ldr.w [#8]"
    L_BEGIN
    ldr r0, [sp]
    mov r0, #1
    L_END "ldr narrow sp"
#else
    L_BEGIN
    ldr r0, [r1, -r2]
    L_END "ldr [-r2]"
    L_BEGIN
    ldr r0, [r1, r2, lsl #2]!
    L_END "ldr [r2 lsl 2]!"
    L_BEGIN
    ldr r0, [r1, -r2, lsl #3]!
    L_END "ldr [-r2 lsl 3]!"
    L_BEGIN
    ldr r0, [r1], r2, lsl #1
    L_END "ldr [], r2 lsl 1"
    L_BEGIN
    ldr r0, [r1], -r2
    L_END "ldr [], -r2"
    L_BEGIN
    ldr r0, [r1, r2, lsr #1]
    L_END "ldr [r2 lsr 1]"
    L_BEGIN
    ldr r0, [r1, r2, asr #1]
    L_END "ldr [r2 asr 1]"
    L_BEGIN
    mov r2, #2
    ldr r0, [r1, r2, ror #31]
    L_END "ldr [r2 ror 31]"
    L_BEGIN
    msr APSR_nzcvq, #0
    mov r2, #8
    ldr r0, [r1, r2, rrx]
    L_END "ldr [r2 rrx]"
    L_BEGIN
    ldrb r0, [r1, -r2]!
    L_END "ldrb [-r2]!"
    L_BEGIN
    ldrb r0, [r1], r2
    L_END "ldrb [], r2"
    L_BEGIN
    ldrh r0, [r1, -r2]
    L_END "ldrh [-r2]"
    L_BEGIN
    ldrh r0, [r1], r2
    L_END "ldrh [], r2"
    L_BEGIN
    ldrsb r0, [r1], -r2
    L_END "ldrsb [], -r2"
    L_BEGIN
    ldrsh r0, [r1, r2]!
    L_END "ldrsh [r2]!"
#endif
    LD2_BEGIN
    ldrd r4, r5, [r1, #8]
    LD2_END "ldrd [#8]"
    LD2_BEGIN
    ldrd r4, r5, [r1, #-8]
    LD2_END "ldrd [#-8]"
    LD2_BEGIN
    ldrd r4, r5, [r1, #8]!
    LD2_END "ldrd [#8]!"
    LD2_BEGIN
    ldrd r4, r5, [r1], #-16
    LD2_END "ldrd [], #-16"
#ifdef THUMB
    LD2_BEGIN
    sub r1, r1, #1000
    ldrd r4, r5, [r1, #1000]
    LD2_END "ldrd [#1020]"
    LD2_BEGIN
    ldrd r4, r12, [r1]
    mov r5, r12
    LD2_END "ldrd r4 r12"
#else
    LD2_BEGIN
    ldrd r4, r5, [r1, r2]
    LD2_END "ldrd [r2]"
    LD2_BEGIN
    ldrd r4, r5, [r1, -r2]!
    LD2_END "ldrd [-r2]!"
    LD2_BEGIN
    ldrd r4, r5, [r1], r2
    LD2_END "ldrd [], r2"
#endif
    SAY "== literals"
    ldr r0, lit1
    PR "ldr literal", r0
    ldrh r0, lit1
    PR "ldrh literal", r0
    ldrsb r0, lit1 + 3
    PR "ldrsb literal", r0
    ldrd r4, r5, lit1
    PR2 "ldrd literal", r4, r5
    ldr r0, =0xfeedf00d
    PR "ldr =", r0
    b 2f
    .balign 4
lit1: .word 0x8badf00d, 0xcafe1234
    .ltorg
2:
    SAY "== unprivileged loads (ldrt family) from svc"
#ifdef THUMB
    L_BEGIN
    ldrt r0, [r1, #4]
    L_END "ldrt [#4]"
    L_BEGIN
    ldrbt r0, [r1, #5]
    L_END "ldrbt [#5]"
    L_BEGIN
    ldrht r0, [r1, #6]
    L_END "ldrht [#6]"
    L_BEGIN
    ldrsbt r0, [r1, #1]
    L_END "ldrsbt [#1]"
    L_BEGIN
    ldrsht r0, [r1, #2]
    L_END "ldrsht [#2]"
#else
    L_BEGIN
    ldrt r0, [r1], #4
    L_END "ldrt [], #4"
    L_BEGIN
    ldrt r0, [r1], -r2
    L_END "ldrt [], -r2"
    L_BEGIN
    ldrt r0, [r1], r2, lsl #2
    L_END "ldrt [], r2 lsl 2"
    L_BEGIN
    ldrbt r0, [r1], #-5
    L_END "ldrbt [], #-5"
    L_BEGIN
    ldrbt r0, [r1], r2
    L_END "ldrbt [], r2"
    L_BEGIN
    ldrht r0, [r1], #6
    L_END "ldrht [], #6"
    L_BEGIN
    ldrht r0, [r1], r2
    L_END "ldrht [], r2"
    L_BEGIN
    ldrsbt r0, [r1], #1
    L_END "ldrsbt [], #1"
    L_BEGIN
    ldrsht r0, [r1], #-2
    L_END "ldrsht [], #-2"
#endif

    SAY "== stores"
    bl dump_scratch
    S_BEGIN
    str r0, [r1, #4]
    S_END "str [#4]"
    S_BEGIN
    str r0, [r1, #-4]!
    S_END "str [#-4]!"
    S_BEGIN
    str r0, [r1], #8
    S_END "str [], #8"
    S_BEGIN
    str r0, [r1, r2, lsl #2]
    S_END "str [r2 lsl 2]"
    S_BEGIN
    strb r0, [r1, #1]
    S_END "strb [#1]"
    S_BEGIN
    strb r0, [r1, #-1]!
    S_END "strb [#-1]!"
    S_BEGIN
    strb r0, [r1, r2]
    S_END "strb [r2]"
    S_BEGIN
    strh r0, [r1, #2]
    S_END "strh [#2]"
    S_BEGIN
    strh r0, [r1, #-6]!
    S_END "strh [#-6]!"
    S_BEGIN
    strh r0, [r1], #2
    S_END "strh [], #2"
    S_BEGIN
    add r2, r2, #3
    strh r0, [r1, r2]
    S_END "strh [r2]"
    S_BEGIN
    strd r4, r5, [r1, #8]
    S_END "strd [#8]"
    S_BEGIN
    strd r4, r5, [r1, #-8]!
    S_END "strd [#-8]!"
    S_BEGIN
    strd r4, r5, [r1], #16
    S_END "strd [], #16"
#ifdef THUMB
    S_BEGIN
    str r0, [r1, #-255]
    S_END "str [#-255]"
    S_BEGIN
    strb r0, [r1, r2, lsl #3]
    S_END "strb [r2 lsl 3]"
    S_BEGIN
    strt r0, [r1, #4]
    S_END "strt [#4]"
    S_BEGIN
    strbt r0, [r1, #3]
    S_END "strbt [#3]"
    S_BEGIN
    strht r0, [r1, #2]
    S_END "strht [#2]"
#else
    S_BEGIN
    str r0, [r1, -r2, lsl #2]!
    S_END "str [-r2 lsl 2]!"
    S_BEGIN
    str r0, [r1], r2, lsr #1
    S_END "str [], r2 lsr 1"
    S_BEGIN
    strb r0, [r1], -r2
    S_END "strb [], -r2"
    S_BEGIN
    strh r0, [r1, -r2]!
    S_END "strh [-r2]!"
    S_BEGIN
    add r2, r2, #5
    strd r4, r5, [r1, r2]
    S_END "strd [r2]"
    S_BEGIN
    add r2, r2, #5
    strd r4, r5, [r1], -r2
    S_END "strd [], -r2"
    S_BEGIN
    strt r0, [r1], #-4
    S_END "strt [], #-4"
    S_BEGIN
    strt r0, [r1], r2, lsl #2
    S_END "strt [], r2 lsl 2"
    S_BEGIN
    strbt r0, [r1], #1
    S_END "strbt [], #1"
    S_BEGIN
    strbt r0, [r1], -r2
    S_END "strbt [], -r2"
    S_BEGIN
    strht r0, [r1], #-2
    S_END "strht [], #-2"
    S_BEGIN
    strht r0, [r1], r2
    S_END "strht [], r2"
#endif

    SAY "== exclusives"
    S_BEGIN
    ldrex r6, [r1]
    add r6, r6, #5
    strex r7, r6, [r1]
    PR2 "  loaded, status", r6, r7
    S_END "ldrex strex"
    S_BEGIN
    strex r7, r0, [r1]
    PR "  status", r7
    S_END "strex without ldrex"
    S_BEGIN
    ldrex r6, [r1]
    clrex
    strex r7, r0, [r1]
    PR "  status", r7
    S_END "ldrex clrex strex"
    S_BEGIN
    ldrex r6, [r1]
    strex r7, r0, [r1]
    strex r8, r0, [r1]
    PR2 "  status", r7, r8
    S_END "strex twice"
    S_BEGIN
    ldrexb r6, [r1]
    strexb r7, r0, [r1]
    PR2 "  loaded, status", r6, r7
    S_END "ldrexb strexb"
    S_BEGIN
    ldrexh r6, [r1]
    strexh r7, r0, [r1]
    PR2 "  loaded, status", r6, r7
    S_END "ldrexh strexh"
    S_BEGIN
    ldrexd r6, r7, [r1]
    strexd r8, r4, r5, [r1]
    PR2 "  status", r8, r6
    S_END "ldrexd strexd"
    LI r1, buf+8
    ldrexd r6, r7, [r1]
    PR2 "ldrexd data", r6, r7
    ldrexb r6, [r1]
    ldrexh r7, [r1]
    PR2 "ldrexb ldrexh data", r6, r7
    clrex

    SAY "== ldm/stm"
    S_BEGIN
    LI r6, 0x66666666
    LI r7, 0x77777777
    stmia r1, {r0, r5-r7}
    S_END "stmia"
    S_BEGIN
    LI r6, 0x66666666
    stmia r1!, {r0, r5, r6}
    S_END "stmia!"
    S_BEGIN
    LI r6, 0x66666666
    stmdb r1, {r0, r5, r6}
    S_END "stmdb"
    S_BEGIN
    LI r6, 0x66666666
    stmdb r1!, {r0, r5, r6}
    S_END "stmdb!"
    S_BEGIN
    mov r6, sp
    mov sp, r1
    push {r0, r4-r5, r8, lr}
    mov r1, sp
    mov sp, r6
    S_END "push wide"
#ifndef THUMB
    S_BEGIN
    LI r6, 0x66666666
    stmib r1, {r0, r5, r6}
    S_END "stmib"
    S_BEGIN
    LI r6, 0x66666666
    stmib r1!, {r0, r5, r6}
    S_END "stmib!"
    S_BEGIN
    LI r6, 0x66666666
    stmda r1, {r0, r5, r6}
    S_END "stmda"
    S_BEGIN
    LI r6, 0x66666666
    stmda r1!, {r0, r5, r6}
    S_END "stmda!"
    S_BEGIN
    stmia r1!, {r1, r5}
    S_END "stmia base first in list"
#endif
    LD2_BEGIN
    ldmia r1, {r4, r5}
    LD2_END "ldmia"
    LD2_BEGIN
    ldmia r1!, {r4, r5}
    LD2_END "ldmia!"
    LD2_BEGIN
    ldmdb r1, {r4, r5}
    LD2_END "ldmdb"
    LD2_BEGIN
    ldmdb r1!, {r4, r5}
    LD2_END "ldmdb!"
    LD2_BEGIN
    ldmia r1, {r1, r4, r5}
    LD2_END "ldmia base in list"
    LD2_BEGIN
    mov r6, sp
    mov sp, r1
    pop {r4-r5}
    mov r1, sp
    mov sp, r6
    LD2_END "pop"
#ifndef THUMB
    LD2_BEGIN
    ldmib r1, {r4, r5}
    LD2_END "ldmib"
    LD2_BEGIN
    ldmib r1!, {r4, r5}
    LD2_END "ldmib!"
    LD2_BEGIN
    ldmda r1, {r4, r5}
    LD2_END "ldmda"
    LD2_BEGIN
    ldmda r1!, {r4, r5}
    LD2_END "ldmda!"
    LD2_BEGIN
    ldmia r1!, {r5}
    mov r4, #0
    LD2_END "ldm single"
#endif
    LI r1, buf
    ldmia r1, {r2-r12}
    push {r2-r12}
    ldmia sp!, {r0-r10}
    PR2 "ldm 11 regs first last", r0, r10

#ifndef THUMB
    SAY "== swp with SCTLR.SW=1"
    /* QEMU 7.2 executes SWP/SWPB even with SCTLR.SW=0 (architecturally UNDEFINED on a
     * v7 MP core), so only SW=1 is checked. */
    LI r0, swp_undef
    LI r1, hook_und
    str r0, [r1]
    .irp sw, 1
    mrc p15, 0, r0, c1, c0, 0
    bic r0, r0, #(1 << 10)
    orr r0, r0, #(\sw << 10)
    mcr p15, 0, r0, c1, c0, 0
    isb
    mrc p15, 0, r0, c1, c0, 0
    lsr r0, r0, #10
    and r0, r0, #1
    PR "sctlr.sw", r0
    mov r9, #0
    S_BEGIN
    LI r4, 0x55667788
    str r4, [r1]
    swp r6, r0, [r1]
    PR2 "  old, undef", r6, r9
    S_END "swp"
    S_BEGIN
    LI r4, 0x55667788
    str r4, [r1]
    swpb r6, r0, [r1]
    PR2 "  old, undef", r6, r9
    S_END "swpb"
    .endr
    LI r0, default_und
    LI r1, hook_und
    str r0, [r1]
#endif
    mov r0, #0
    pop {r4-r11, pc}

#ifndef THUMB
/* SWP undefined: count in r9, skip it. */
AFUNC swp_undef
    add r9, r9, #1
    movs pc, lr
    CODE
#endif

/* Prints the non-zero words of the scratch area (offset, value) and clears them. */
AFUNC dump_scratch
    push {r0-r4, lr}
    LI r3, scr
    mov r4, #0
1:  ldr r2, [r3, r4]
    cmp r2, #0
    beq 2f
    mov r1, r4
    LI r0, scratch_name
    bl print_kv2
    mov r2, #0
    str r2, [r3, r4]
2:  add r4, r4, #4
    cmp r4, #128
    bne 1b
    pop {r0-r4, pc}
    .ltorg
    CODE

    .section .rodata
scratch_name: .asciz "  word"

    .data
    .balign 8
buf: .space 64
    .space 64
scr: .space 128
