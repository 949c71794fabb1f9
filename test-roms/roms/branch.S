/* Branches and interworking: conditional branches for every condition and flag
 * combination (narrow and wide in T32), conditional execution (A32) and IT blocks (T32),
 * B/BL/BLX immediate and register, BX/BXJ, interworking writes to the PC (MOV/ADD in A32,
 * LDR, LDM/POP), CBZ/CBNZ and TBB/TBH (T32). Returned LRs are printed relative to the
 * return point (bit 0 shows the caller's state). */
#include "common/test.h"
    CODE
    .text

#ifdef THUMB
#define ISTHUMB 1
#else
#define ISTHUMB 0
#endif
#define CONDS eq, ne, cs, cc, mi, pl, vs, vc, hi, ls, ge, lt, gt, le

.macro BW cond
    b\cond\().w 1f
.endm

/* T32 function: r0 += 1, r7 = LR */
TFUNC t_func
    adds r0, r0, #1
    mov r7, lr
    bx lr

/* A32 function: r0 += 0x100, r7 = LR */
AFUNC a_func
    add r0, r0, #0x100
    mov r7, lr
    bx lr
    CODE

/* Prints r0 and r7 - \label. */
.macro RET text, label
    LI r6, \label
    sub r6, r7, r6
    PR2 "\text", r0, r6
.endm

FUNC main
    push {r4-r11, lr}
    SAY "== conditional branches: taken mask (eq first) per NZCV"
    .irp nzcv, 0x00000000, 0x10000000, 0x20000000, 0x30000000, 0x40000000, 0x50000000, 0x60000000, 0x70000000, 0x80000000, 0x90000000, 0xa0000000, 0xb0000000, 0xc0000000, 0xd0000000, 0xe0000000, 0xf0000000
    mov r4, #0
    mov r5, #0
    SETFLAGS \nzcv
    .irp c, CONDS
    lsl r4, r4, #1
    b\c 1f
    b 2f
1:  orr r4, r4, #1
2:
#ifdef THUMB
    lsl r5, r5, #1
    BW \c
    b.w 2f
1:  orr r5, r5, #1
2:
#else
    lsl r5, r5, #1
    orr\c r5, r5, #1
#endif
    .endr
    PR2F "nzcv \nzcv", r4, r5
    .endr

#ifdef THUMB
    SAY "== it blocks"
    .irp nzcv, 0x00000000, 0x40000000, 0x20000000, 0x90000000
    mov r0, #0
    mov r1, #0
    mov r2, #0
    mov r3, #0
    SETFLAGS \nzcv
    itete eq
    moveq r0, #1
    movne r1, #2
    addeq r2, r2, #3
    addne r3, r3, #4
    push {r0-r3}
    itttt hi
    movhi r0, #5
    addhi r1, r1, r1
    lslhi r2, r2, #2
    subhi r3, r3, #1
    PR2 "itete eq / itttt hi [\nzcv] r0 r1", r0, r1
    PR2 "  r2 r3", r2, r3
    pop {r0-r3}
    PR2 "  after itete r0 r1", r0, r1
    PR2F "  after itete r2 r3", r2, r3
    .endr
    /* a compare inside an IT block changes the condition of what follows */
    mov r0, #1
    mov r1, #0
    SETFLAGS 0x40000000
    itte eq
    cmpeq r0, #2
    moveq r1, #1
    addne r1, r1, #4
    PRF "cmp inside it", r1
    SETFLAGS 0x40000000
    itt eq
    addeq r0, r0, #1
    addseq r1, r0, #0xffffffff
    PRF "adds.w inside it", r1
    SETFLAGS 0x00000000
    it ne
    bne 3f
    mov r0, #0x99
3:  PR "branch at end of it", r0

    SAY "== cbz cbnz"
    .irp v, 0, 1
    mov r0, #\v
    mov r1, #0
    cbz r0, 4f
    orr r1, r1, #1
4:  cbnz r0, 5f
    orr r1, r1, #2
5:  PR "cbz cbnz \v", r1
    .endr

    SAY "== tbb tbh"
    .irp i, 0, 1, 2, 3
    mov r0, #\i
    bl tbb_test
    PR "tbb \i", r1
    mov r0, #\i
    bl tbh_test
    PR "tbh \i", r1
    .endr
#endif

    SAY "== calls"
    mov r0, #0
    bl t_func
9:  RET "bl t_func", 9b
    mov r0, #0
    bl a_func
9:  RET "bl a_func", 9b
    mov r0, #0
    blx t_func
9:  RET "blx t_func", 9b
    mov r0, #0
    blx a_func
9:  RET "blx a_func", 9b
    mov r0, #0
    LI r8, t_func
    blx r8
9:  RET "blx reg t_func", 9b
    mov r0, #0
    LI r8, a_func
    blx r8
9:  RET "blx reg a_func", 9b
    mov r0, #0
    LI r8, t_func
    adr lr, 9f + ISTHUMB
    bx r8
9:  RET "bx t_func", 9b
    mov r0, #0
    LI r8, a_func
    adr lr, 9f + ISTHUMB
    bx r8
9:  RET "bx a_func", 9b
    mov r0, #0
    LI r8, t_func
    adr lr, 9f + ISTHUMB
    bxj r8
9:  RET "bxj t_func", 9b
    mov r0, #0
    LI r8, a_func
    adr lr, 9f + ISTHUMB
    bxj r8
9:  RET "bxj a_func", 9b
    mov r0, #0
    LI r8, t_func
    adr lr, 9f + ISTHUMB
    ldr pc, =t_func
9:  RET "ldr pc t_func", 9b
    mov r0, #0
    adr lr, 9f + ISTHUMB
    ldr pc, =a_func
9:  RET "ldr pc a_func", 9b
    mov r0, #0
    LI r8, t_func
    adr lr, 9f + ISTHUMB
    push {r8}
    pop {pc}
9:  RET "pop pc t_func", 9b
    mov r0, #0
    LI r8, a_func
    adr lr, 9f + ISTHUMB
    push {r4, r8}
    pop {r4, pc}
9:  RET "pop pc a_func", 9b
    mov r0, #0
    LI r8, t_func
    adr lr, 9f + ISTHUMB
    mov r9, sp
    stmdb r9!, {r4, r8}
    ldmia r9!, {r4, pc}
9:  RET "ldm pc t_func", 9b
#ifndef THUMB
    mov r0, #0
    LI r8, t_func
    adr lr, 9f
    mov pc, r8
9:  RET "mov pc t_func", 9b
    mov r0, #0
    LI r8, t_func
    sub r8, r8, #1
    adr lr, 9f
    add pc, r8, #1
9:  RET "add pc t_func", 9b
    mov r0, #0
    adr lr, 9f
    add pc, pc, #4
    mov r0, #0x77
    mov r0, #0x88
    mov r0, #0x99
9:  PR "add pc, pc, #4", r0
#else
    mov r0, #0x11
    adr r8, 9f + 1
    mov pc, r8
    mov r0, #0x22
    .balign 4
9:  PR "mov pc thumb", r0
    mov r0, #0x11
    add pc, r0
    nop
    nop
    nop
    nop
    nop
    nop
    nop
    nop
    nop
    nop
    nop
    nop
    nop
    nop
    nop
    nop
    nop
    mov r0, #0x33
    PR "add pc, r0", r0
#endif
    mov r0, #0
    pop {r4-r11, pc}

#ifdef THUMB
tbb_test:
    mov r1, #0
    tbb [pc, r0]
1:  .byte (10f - 1b) / 2, (11f - 1b) / 2, (12f - 1b) / 2, (13f - 1b) / 2
10: add r1, r1, #1
11: add r1, r1, #2
12: add r1, r1, #4
13: add r1, r1, #8
    bx lr

tbh_test:
    mov r1, #0
    LI r2, 1f
    tbh [r2, r0, lsl #1]
    .balign 2
1:  .hword (10f - 1b) / 2, (11f - 1b) / 2, (12f - 1b) / 2, (13f - 1b) / 2
2:
    .space 600
10: add r1, r1, #0x10
11: add r1, r1, #0x20
12: add r1, r1, #0x40
13: add r1, r1, #0x80
    bx lr
#endif
