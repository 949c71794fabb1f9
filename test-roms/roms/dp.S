/* Data processing: every shift form (immediate and register amounts, shifter carry-out),
 * every ALU operation with and without S, immediates (rotated/modified, carry from the
 * immediate), compares, non-flag-setting forms, the PC as an operand.
 * A32 and T32 (-DTHUMB); T32 has no register-shifted-register operands except in MOV,
 * no RSC, and has ORN, ADDW/SUBW. Every line: result and NZCVQ/GE flags.
 */
#include "common/test.h"
    CODE
    .text

/* MOVS with a shift by immediate, for every value and both carry-ins. */
.macro SHIFT_IMM sh, amt
    .irp v, 0x80000001, 0x7fffffff, 0xf0f0000f, 0
    .irp fl, 0x00000000, 0x30000000
    LI r2, \v
    SETFLAGS \fl
    movs r0, r2, \sh #\amt
    PRF "movs \v \sh #\amt [\fl]", r0
    .endr
    .endr
.endm

.macro SHIFT_RRX
    .irp v, 0x80000001, 0x7fffffff
    .irp fl, 0x00000000, 0x30000000
    LI r2, \v
    SETFLAGS \fl
    movs r0, r2, rrx
    PRF "movs \v rrx [\fl]", r0
    .endr
    .endr
.endm

/* MOVS with a shift by register (only the bottom byte counts). */
.macro SHIFT_REG sh
    .irp v, 0x80000001, 0x7fffffff
    .irp amt, 0, 1, 31, 32, 33, 255, 0x100, 0xffffff20
    .irp fl, 0x00000000, 0x30000000
    LI r2, \v
    LI r3, \amt
    SETFLAGS \fl
    movs r0, r2, \sh r3
    PRF "movs \v \sh reg \amt [\fl]", r0
    .endr
    .endr
    .endr
.endm

#ifdef THUMB
#define ALU_OPS ands, eors, subs, rsbs, adds, adcs, sbcs, orrs, orns, bics
#else
#define ALU_OPS ands, eors, subs, rsbs, adds, adcs, sbcs, rscs, orrs, bics
#endif

/* Every flag-setting ALU operation on register operands rd, rn, rm. */
.macro ALU rd, rn, rm
    .irp op, ALU_OPS
    .irp pair, "0,0", "1,1", "0x7fffffff,1", "0x80000000,0x80000000", "0xffffffff,1", "0x80000000,1", "0x12345678,0x9abcdef0", "0,0xffffffff"
    .irp fl, 0x00000000, 0x30000000
    ALU1 \op, \rd, \rn, \rm, \pair, \fl
    .endr
    .endr
    .endr
    .irp op, tst, teq, cmp, cmn
    .irp pair, "0,0", "1,1", "0x7fffffff,1", "0x80000000,0x80000000", "0xffffffff,1", "0x80000000,1", "0x12345678,0x9abcdef0", "0,0xffffffff"
    .irp fl, 0x00000000, 0x30000000
    CMP1 \op, \rn, \rm, \pair, \fl
    .endr
    .endr
    .endr
.endm

.macro ALU1 op, rd, rn, rm, a, b, fl
    LI \rn, \a
    LI \rm, \b
    SETFLAGS \fl
    \op \rd, \rn, \rm
    PRF "\op \a \b [\fl] \rd", \rd
.endm

.macro CMP1 op, rn, rm, a, b, fl
    LI \rn, \a
    LI \rm, \b
    SETFLAGS \fl
    \op \rn, \rm
    PRFLAGS "\op \a \b [\fl]"
.endm

/* ALU operations with a shifted second operand: logical ones take the shifter's carry,
 * arithmetic ones do not. */
.macro ALU_SHIFTED
    .irp op, ands, eors, orrs, bics, adds, subs, rsbs, adcs, sbcs, tst_, teq_, cmp_, cmn_
    .irp sh, "lsl #1", "lsl #31", "lsr #1", "lsr #32", "asr #31", "asr #32", "ror #4", "ror #31", "rrx"
    .irp fl, 0x00000000, 0x20000000
    LI r1, 0x80000000
    LI r2, 0xc0000001
    SETFLAGS \fl
    OPSH \op, r0, r1, r2, \sh
    PRF "\op 80000000 c0000001 \sh [\fl]", r0
    .endr
    .endr
    .endr
.endm

.macro OPSH op, rd, rn, rm, sh:vararg
    .ifc \op, tst_
    mov \rd, #0
    tst \rn, \rm, \sh
    .else
    .ifc \op, teq_
    mov \rd, #0
    teq \rn, \rm, \sh
    .else
    .ifc \op, cmp_
    mov \rd, #0
    cmp \rn, \rm, \sh
    .else
    .ifc \op, cmn_
    mov \rd, #0
    cmn \rn, \rm, \sh
    .else
    \op \rd, \rn, \rm, \sh
    .endif
    .endif
    .endif
    .endif
.endm

/* A32: every operation with a register-shifted register operand. */
.macro ALU_REGSHIFT
    .irp op, ands, eors, subs, rsbs, adds, adcs, sbcs, rscs, orrs, bics
    .irp sh, lsl, lsr, asr, ror
    .irp amt, 0, 1, 32, 33
    LI r1, 0x40000000
    LI r2, 0x80000001
    mov r3, #\amt
    SETFLAGS 0x20000000
    \op r0, r1, r2, \sh r3
    PRF "\op 40000000 80000001 \sh reg \amt", r0
    .endr
    .endr
    .endr
    .irp op, mvns, movs
    .irp sh, lsl, ror
    LI r2, 0x80000001
    mov r3, #33
    SETFLAGS 0
    \op r0, r2, \sh r3
    PRF "\op 80000001 \sh reg 33", r0
    .endr
    .endr
.endm

/* Immediate operands. */
.macro IMM op, a, imm, fl
    LI r1, \a
    SETFLAGS \fl
    \op r0, r1, #\imm
    PRF "\op \a #\imm [\fl]", r0
.endm

FUNC main
    push {r4-r11, lr}
    SAY "== shifts by immediate"
    SHIFT_IMM lsl, 0
    SHIFT_IMM lsl, 1
    SHIFT_IMM lsl, 31
    SHIFT_IMM lsr, 1
    SHIFT_IMM lsr, 31
    SHIFT_IMM lsr, 32
    SHIFT_IMM asr, 1
    SHIFT_IMM asr, 31
    SHIFT_IMM asr, 32
    SHIFT_IMM ror, 1
    SHIFT_IMM ror, 31
    SHIFT_RRX
    SAY "== shifts by register"
    SHIFT_REG lsl
    SHIFT_REG lsr
    SHIFT_REG asr
    SHIFT_REG ror
    SAY "== alu low registers"
    ALU r0, r1, r2
#ifdef THUMB
    SAY "== alu high registers (32-bit encodings)"
    ALU r8, r9, r10
#endif
    SAY "== alu shifted operand"
    ALU_SHIFTED
#ifndef THUMB
    SAY "== alu register-shifted register"
    ALU_REGSHIFT
#endif
    SAY "== immediates"
    .irp fl, 0x00000000, 0xf0000000
    IMM ands, 0xffffffff, 0x80000000, \fl
    IMM ands, 0xffffffff, 0xff, \fl
    IMM ands, 0xffffffff, 0xf0000000, \fl
    IMM orrs, 0, 0x3fc, \fl
    IMM eors, 0x80000000, 0x80000000, \fl
    IMM bics, 0xffffffff, 0xc0000000, \fl
    IMM adds, 0x7fffffff, 1, \fl
    IMM adds, 0xffffffff, 0xff000000, \fl
    IMM subs, 0, 1, \fl
    IMM subs, 0x80000000, 1, \fl
    IMM rsbs, 1, 0, \fl
    IMM rsbs, 0x80000000, 0, \fl
    IMM adcs, 0xfffffffe, 1, \fl
    IMM sbcs, 5, 5, \fl
#ifdef THUMB
    IMM ands, 0xffffffff, 0x00ff00ff, \fl
    IMM ands, 0xffffffff, 0xff00ff00, \fl
    IMM orrs, 0, 0xffffffff, \fl
    IMM orns, 0, 0xffffff00, \fl
    IMM eors, 0x80000000, 0x55555555, \fl
    IMM adds, 0x7fffff01, 0x000000ff, \fl
#else
    IMM rscs, 1, 0, \fl
    IMM rscs, 0, 0, \fl
#endif
    SETFLAGS \fl
    movs r0, #0x80000000
    PRF "movs #0x80000000 [\fl]", r0
    SETFLAGS \fl
    movs r0, #0xff
    PRF "movs #0xff [\fl]", r0
    SETFLAGS \fl
    mvns r0, #0
    PRF "mvns #0 [\fl]", r0
    SETFLAGS \fl
    mvns r0, #0x3fc
    PRF "mvns #0x3fc [\fl]", r0
    LI r1, 0xc0000000
    SETFLAGS \fl
    tst r1, #0x80000000
    PRFLAGS "tst c0000000 #0x80000000 [\fl]"
    SETFLAGS \fl
    teq r1, #0xc0000000
    PRFLAGS "teq c0000000 #0xc0000000 [\fl]"
    SETFLAGS \fl
    cmp r1, #0x40000000
    PRFLAGS "cmp c0000000 #0x40000000 [\fl]"
    SETFLAGS \fl
    cmn r1, #0x40000000
    PRFLAGS "cmn c0000000 #0x40000000 [\fl]"
    .endr
    SAY "== non-flag-setting forms keep the flags"
    .irp op, and, eor, sub, rsb, add, adc, sbc, orr, bic
    LI r1, 0x80000000
    LI r2, 0x80000000
    SETFLAGS 0xf80f0000
    \op r0, r1, r2
    PRF "\op 80000000 80000000 [f80f0000]", r0
    .endr
    SETFLAGS 0xa0000000
    mov r0, #0x80000000
    PRF "mov #0x80000000 [a0000000]", r0
    LI r2, 0x80000001
    SETFLAGS 0x20000000
    mov r0, r2, lsr #1
    PRF "mov lsr #1 [20000000]", r0
    SETFLAGS 0x00000000
    mvn r0, r2, ror #1
    PRF "mvn ror #1 [0]", r0
#ifdef THUMB
    LI r1, 0x12345678
    addw r0, r1, #0xfff
    PR "addw #0xfff", r0
    subw r0, r1, #0x800
    PR "subw #0x800", r0
    movw r0, #0xabcd
    PR "movw #0xabcd", r0
    orn r0, r1, r2
    PR "orn", r0
    orn r0, r1, r2, lsl #4
    PR "orn lsl #4", r0
#endif
    SAY "== pc as an operand"
1:  mov r0, pc
    LI r1, 1b
    sub r0, r0, r1
    PR "mov r0, pc - here", r0
2:  add r0, pc, #4
    LI r1, 2b
    sub r0, r0, r1
    PR "add r0, pc, #4 - here", r0
    .balign 4
    nop
3:  adr r0, 3b
    LI r1, 3b
    sub r0, r0, r1
    PR "adr backwards - here", r0
    adr r0, 4f
    LI r1, 4f
    sub r0, r0, r1
    PR "adr forwards - label", r0
    .balign 4
4:  nop
#ifndef THUMB
5:  add r0, r1, pc, lsl #0
    sub r0, r0, r1
    LI r1, 5b
    sub r0, r0, r1
    PR "add rn, pc - here", r0
#endif
    SAY "== sp forms"
    mov r4, sp
    sub sp, sp, #16
    add r0, sp, #8
    sub r0, r4, r0
    PR "sp-16+8", r0
    add sp, sp, #16
    mov r0, sp
    sub r0, r4, r0
    PR "sp restored", r0
    mov r0, #0
    pop {r4-r11, pc}
