/* Modes and exception returns: banked R8-R14 and SPSR in every mode (written through
 * CPS, read back), MRS/MSR banked register forms, CPS/MSR variants, SRS/RFE, user-bank
 * STM/LDM (A32), exception returns (MOVS PC, LR; SUBS PC, LR, #n; LDM ^ with PC; RFE;
 * ERET from SVC), returning into another mode and into T32, exception entry in T32
 * (SCTLR.TE=1) and a relocated vector table (VBAR). */
#include "common/test.h"
#ifdef THUMB
#define ISTHUMB 1
#else
#define ISTHUMB 0
#endif
    CODE
    .text

.macro SETBANK mode, idx
    cps #\mode
    LI r8, (\idx << 24) | 0x08
    LI r9, (\idx << 24) | 0x09
    LI r10, (\idx << 24) | 0x0a
    LI r11, (\idx << 24) | 0x0b
    LI r12, (\idx << 24) | 0x0c
    LI r0, stack_\idx\()_top
    mov sp, r0
    LI r14, (\idx << 24) | 0x0e
    .if \mode != MODE_SYS
    LI r0, (\idx << 28) | 0x10
    msr spsr_fsxc, r0
    .endif
.endm

.macro SHOWBANK mode, idx, name
    cps #\mode
    PR2 "\name r8 r9", r8, r9
    PR2 "\name r10 r11", r10, r11
    mov r0, r12
    mov r1, sp
    PR2 "\name r12 sp", r0, r1
    PR "\name lr", r14
    .if \mode != MODE_SYS
    mrs r0, spsr
    PR "\name spsr", r0
    .endif
.endm

FUNC main
    push {r4-r11, lr}
    LI r0, saved_sp
    str sp, [r0]
    str lr, [r0, #4]

    SAY "== banked registers"
    SETBANK MODE_SYS, 1
    SETBANK MODE_FIQ, 2
    SETBANK MODE_IRQ, 3
    SETBANK MODE_ABT, 4
    SETBANK MODE_UND, 5
    SETBANK MODE_SVC, 6
    SHOWBANK MODE_SYS, 1, "sys"
    SHOWBANK MODE_FIQ, 2, "fiq"
    SHOWBANK MODE_IRQ, 3, "irq"
    SHOWBANK MODE_ABT, 4, "abt"
    SHOWBANK MODE_UND, 5, "und"
    SHOWBANK MODE_SVC, 6, "svc"

#ifndef THUMB
    SAY "== user-bank stm/ldm from svc"
    LI r0, scratch
    stmia r0, {r8, r13, r14}^
    ldmia r0, {r1-r3}
    PR2 "stm^ r8 sp_usr", r1, r2
    PR "stm^ lr_usr", r3
    LI r1, 0x55500013
    LI r2, 0x55500014
    stmia r0, {r1, r2}
    ldmia r0, {r13, r14}^
    nop
    cps #MODE_SYS
    mov r1, sp
    mov r2, lr
    cps #MODE_SVC
    PR2 "ldm^ wrote sp_usr lr_usr", r1, r2
    mov r0, sp
    PR2 "svc sp lr unchanged", r0, lr
    cps #MODE_SYS
    LI r0, stack_1_top
    mov sp, r0
    cps #MODE_SVC
#endif

    SAY "== mrs/msr banked"
    HOOK und, und_count
    mov r9, #0
    mrs r0, r8_fiq
    mrs r1, r12_fiq
    PR2 "mrs r8_fiq r12_fiq", r0, r1
    cps #MODE_FIQ
    mrs r0, r10_usr
    LI r1, 0x77700002
    msr r11_usr, r1
    cps #MODE_SVC
    PR2 "in fiq: mrs r10_usr, then r11", r0, r11
    mrs r0, sp_irq
    mrs r1, lr_abt
    PR2 "mrs sp_irq lr_abt", r0, r1
    mrs r0, SPSR_und
    mrs r1, sp_usr
    PR2 "mrs spsr_und sp_usr", r0, r1
    LI r0, 0x77700001
    msr lr_und, r0
    msr SPSR_fiq, r0
    cps #MODE_UND
    mov r1, lr
    cps #MODE_FIQ
    mrs r2, spsr
    cps #MODE_SVC
    PR2 "msr lr_und spsr_fiq", r1, r2
    PR "undefined count", r9
    UNHOOK und

    /* restore SVC's stack and return address */
    LI r0, saved_sp
    ldr sp, [r0]
    ldr lr, [r0, #4]

    SAY "== cps and msr"
    cpsie if
    mrs r0, cpsr
    PR "cpsie if", r0
    cpsid i
    mrs r0, cpsr
    PR "cpsid i", r0
    cpsid f, #MODE_SYS
    mrs r0, cpsr
    PR "cpsid f, #sys", r0
    cpsie a, #MODE_SVC
    mrs r0, cpsr
    PR "cpsie a, #svc", r0
    cpsid aif
    LI r0, 0xf80f01d3
    msr cpsr_fsxc, r0
    mrs r1, cpsr
    PR "msr cpsr_fsxc f80f01d3", r1
    mov r0, #0
    msr cpsr_f, r0
    mrs r1, cpsr
    PR "msr cpsr_f 0", r1
    LI r0, 0x000501df
    msr cpsr_c, r0
    mrs r1, cpsr
    PR "msr cpsr_c sys", r1
#ifndef THUMB
    msr cpsr_c, #0xd3
    mrs r1, cpsr
    PR "msr cpsr_c #0xd3", r1
#endif
    cps #MODE_SVC
    LI r0, 0x000a0000
    msr APSR_g, r0
    mrs r1, apsr
    PR "msr apsr_g", r1

    SAY "== srs/rfe"
    mov r4, sp
    LI r0, 0x80000010 | MODE_SVC
    msr spsr_fsxc, r0
    LI lr, 0x12345670
    srsdb sp!, #MODE_SVC
    mov r0, sp
    sub r0, r4, r0
    ldr r1, [sp]
    ldr r2, [sp, #4]
    PR2 "srsdb sp! stored lr spsr", r1, r2
    PR "  sp moved by", r0
    add sp, sp, #8
    LI r0, stack_4_top
    cps #MODE_ABT
    mov r5, sp
    mov sp, r0
    cps #MODE_SVC
    srsia sp, #MODE_ABT
    LI r0, stack_4_top
    ldmia r0, {r1, r2}
    PR2 "srsia abt stored lr spsr", r1, r2
    cps #MODE_ABT
    mov sp, r5
    cps #MODE_SVC
    /* rfe back to SVC at 2f with flags 0x60000000 */
    LI r0, 0x60000000 | 0x1d3
#ifdef THUMB
    orr r0, r0, #0x20
#endif
    LI r1, 2f + ISTHUMB
    push {r0}
    push {r1}
    rfeia sp!
    mov r0, #0x99
2:  mrs r0, cpsr
    PR "after rfeia cpsr", r0
    mov r0, sp
    sub r0, r4, r0
    PR "  sp restored", r0
    LI r0, 0x20000000 | MODE_SYS | 0xc0
#ifdef THUMB
    orr r0, r0, #0x20
#endif
    LI r1, 3f + ISTHUMB
    push {r0}
    push {r1}
    rfedb r4
    nop
3:  mrs r0, cpsr
    PR "rfedb into sys cpsr", r0
    cps #MODE_SVC
    mov sp, r4

    SAY "== exception returns from svc"
    HOOK svc, svc_ret
    .irp n, 0, 1, 2, 3, 4, 5, 6
    mov r0, #\n
    SETFLAGS 0x00000000
    svc #\n
    nop
    mrs r1, cpsr
    PR2 "return form \n: r0 cpsr", r0, r1
    cps #MODE_SVC
    .endr
    UNHOOK svc

    SAY "== thumb exception entry (SCTLR.TE=1) and relocated vectors"
    LI r0, tvectors
    mcr p15, 0, r0, c12, c0, 0
    mrc p15, 0, r0, c1, c0, 0
    orr r0, r0, #(1 << 30)
    mcr p15, 0, r0, c1, c0, 0
    isb
    svc #0x21
    mov r7, r0
    udf #5
    PR2 "svc, udf in t32 handlers", r7, r0
    mrc p15, 0, r0, c1, c0, 0
    bic r0, r0, #(1 << 30)
    mcr p15, 0, r0, c1, c0, 0
    LI r0, avectors
    mcr p15, 0, r0, c12, c0, 0
    isb
    svc #0x22
    mov r7, r0
    udf #6
    PR2 "svc, udf in relocated a32 handlers", r7, r0
    LI r0, vectors
    mcr p15, 0, r0, c12, c0, 0
    isb
    mrc p15, 0, r0, c12, c0, 0
    PR "vbar restored", r0

    mov r0, #0
    pop {r4-r11, pc}

/* UND: count in r9, skip a 4-byte instruction. */
AFUNC und_count
    add r9, r9, #1
    movs pc, lr

/* SVC with r0 = n: return through form n; r0 += 0x100. */
AFUNC svc_ret
    mov r2, r0
    add r0, r0, #0x100
    cmp r2, #1
    beq 1f
    cmp r2, #2
    beq 2f
    cmp r2, #3
    beq 3f
    cmp r2, #4
    beq 4f
    cmp r2, #5
    beq 5f
    cmp r2, #6
    beq 6f
    movs pc, lr
1:  subs pc, lr, #0
2:  push {r0, lr}
    ldmfd sp!, {r0, pc}^
3:  /* rfe: push return state */
    mrs r1, spsr
    push {r1}
    push {lr}
    rfeia sp!
4:  eret
5:  /* return into SYS mode with flags NZCV=1010 */
    mrs r1, spsr
    bic r1, r1, #0xf0000000
    orr r1, r1, #0xa0000000
    orr r1, r1, #0x1f
    msr spsr_cxsf, r1
    movs pc, lr
6:  /* return to the next-but-one instruction (skips the nop) */
    mrs r1, spsr
    tst r1, #0x20
    addeq lr, lr, #4
    addne lr, lr, #2
    subs pc, lr, #0

/* T32 vector table (SCTLR.TE=1): every entry a 4-byte T32 branch. */
    .thumb
    .balign 32
tvectors:
    b.w .
    b.w t_und
    b.w t_svc
    b.w .
    b.w .
    b.w .
    b.w .
    b.w .
    .thumb_func
t_svc:
    LI r0, 0x7500
    subs pc, lr, #0
    .thumb_func
t_und:
    /* LR is past a 16-bit T32 or an A32 UDF */
    LI r0, 0x7600
    subs pc, lr, #0

/* Relocated A32 vector table. */
    .arm
    .balign 32
avectors:
    b .
    b a_und
    b a_svc
    b .
    b .
    b .
    b .
    b .
a_svc:
    LI r0, 0xa500
    movs pc, lr
a_und:
    LI r0, 0xa600
    movs pc, lr
    CODE

    .data
    .balign 8
saved_sp: .word 0, 0
scratch: .space 32

    .section .noinit, "aw", %nobits
    .balign 8
    .irp i, 1, 2, 3, 4, 5, 6
    .space 512
stack_\i\()_top:
    .endr
