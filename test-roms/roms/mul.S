/* Multiplies: MUL/MLA/MLS, long UMULL/SMULL/UMLAL/SMLAL/UMAAL (and the A32 S forms),
 * halfword SMULxy/SMLAxy/SMULWy/SMLAWy/SMLALxy, dual SMUAD/SMUSD/SMLAD/SMLSD/SMLALD/
 * SMLSLD (X variants), most-significant SMMUL/SMMLA/SMMLS (R variants).
 * Flags are preset to C=1 V=1 Q=0 before each; every line prints results and flags
 * (Q shows saturation of the accumulating forms; S forms set N and Z only).
 */
#include "common/test.h"
    CODE
    .text

#define VALS 1, 0xffffffff, 0x80000000, 0x7fffffff, 0x8000ffff, 0x12345678
#define ACC 0x7ffffff0
#define ACC_LO 0xfffffff0
#define ACC_HI 0x7fffffff

.macro M3 op
    .irp a, VALS
    .irp b, VALS
    LI r1, \a
    LI r2, \b
    SETFLAGS 0x30000000
    \op r0, r1, r2
    PRF "\op \a \b", r0
    .endr
    .endr
.endm

.macro M4 op
    .irp a, VALS
    .irp b, VALS
    LI r1, \a
    LI r2, \b
    LI r3, ACC
    SETFLAGS 0x30000000
    \op r0, r1, r2, r3
    PRF "\op \a \b acc", r0
    .endr
    .endr
.endm

/* Long forms: rdlo, rdhi start as ACC_LO, ACC_HI. */
.macro ML op
    .irp a, VALS
    .irp b, VALS
    LI r1, \a
    LI r2, \b
    LI r3, ACC_LO
    LI r4, ACC_HI
    SETFLAGS 0x30000000
    \op r3, r4, r1, r2
    PR2F "\op \a \b acc", r3, r4
    .endr
    .endr
.endm

FUNC main
    push {r4-r11, lr}
    .irp op, mul, smulbb, smulbt, smultb, smultt, smulwb, smulwt, smuad, smuadx, smusd, smusdx, smmul, smmulr
    M3 \op
    .endr
    .irp op, mla, mls, smlabb, smlabt, smlatb, smlatt, smlawb, smlawt, smlad, smladx, smlsd, smlsdx, smmla, smmlar, smmls, smmlsr
    M4 \op
    .endr
    .irp op, umull, smull, umlal, smlal, umaal, smlalbb, smlalbt, smlaltb, smlaltt, smlald, smlaldx, smlsld, smlsldx
    ML \op
    .endr
#ifdef THUMB
    /* 16-bit MULS (rd == rm) */
    .irp a, VALS
    LI r1, \a
    LI r0, 0x80000001
    SETFLAGS 0x30000000
    muls r0, r1, r0
    PRF "muls \a 80000001", r0
    .endr
#else
    .irp op, muls
    M3 \op
    .endr
    .irp op, mlas
    M4 \op
    .endr
    .irp op, umulls, smulls, umlals, smlals
    ML \op
    .endr
#endif
    /* Q is sticky: a saturating accumulate leaves it set for the next one. */
    LI r1, 0x7fff
    LI r2, 0x7fff
    LI r3, 0x7fffffff
    SETFLAGS 0
    smlabb r0, r1, r2, r3
    PRF "smlabb overflow", r0
    LI r3, 0
    smlabb r0, r1, r2, r3
    PRF "smlabb after, q sticky", r0
    mov r0, #0
    pop {r4-r11, pc}
