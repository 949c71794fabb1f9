/* Parallel add and subtract: S, Q, SH, U, UQ, UH prefixes x ADD16, SUB16, ADD8, SUB8, ASX,
 * SAX; GE flags from the S and U forms (preset to 0; preset to 0xf for the others, which
 * must keep them), SEL after each, USAD8/USADA8. */
#include "common/test.h"
    CODE
    .text

#define PAIRS "0x7f80ff01,0x01807f01", "0x80007fff,0x80000001", "0xffff0001,0x0001ffff", "0x12345678,0x9abcdef0", "0,0xffffffff", "0x80808080,0x7f7f7f7f"

.macro P1 op, ge, a, b
    LI r1, \a
    LI r2, \b
    SETFLAGS \ge
    \op r0, r1, r2
    sel r3, r1, r2
    PR2F "\op \a \b; sel", r0, r3
.endm

.macro USAD a, b
    LI r1, \a
    LI r2, \b
    LI r3, 0xfffffff0
    usad8 r0, r1, r2
    usada8 r4, r1, r2, r3
    PR2 "usad8 usada8 \a \b", r0, r4
.endm

FUNC main
    push {r4-r11, lr}
    .irp pfx, s, u
    .irp op, add16, sub16, add8, sub8, asx, sax
    .irp pair, PAIRS
    P1 \pfx\op, 0, \pair
    .endr
    .endr
    .endr
    .irp pfx, q, sh, uq, uh
    .irp op, add16, sub16, add8, sub8, asx, sax
    .irp pair, PAIRS
    P1 \pfx\op, 0x000f0000, \pair
    .endr
    .endr
    .endr
    .irp ge, 0x00000000, 0x00050000, 0x000a0000, 0x000f0000
    LI r1, 0x11223344
    LI r2, 0xaabbccdd
    SETFLAGS \ge
    sel r0, r1, r2
    PRF "sel ge=\ge", r0
    .endr
    .irp pair, PAIRS
    USAD \pair
    .endr
    mov r0, #0
    pop {r4-r11, pc}

