/* Saturating arithmetic: QADD/QSUB/QDADD/QDSUB, SSAT/USAT (with shifts), SSAT16/USAT16,
 * and the sticky Q flag (cleared before each check, printed after). */
#include "common/test.h"
    CODE
    .text

#define QVALS 0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x40000000, 0xc0000000
#define SVALS 0, 0x7f, 0x80, 0xffffff80, 0xffffff7f, 0x7fffffff, 0x80000000, 0x00012345, 0xfffe8000

.macro SAT op, sat, sh=
    .irp v, SVALS
    LI r1, \v
    SETFLAGS 0
    \op r0, #\sat, r1 \sh
    PRF "\op #\sat \v \sh", r0
    .endr
.endm

FUNC main
    push {r4-r11, lr}
    .irp op, qadd, qsub, qdadd, qdsub
    .irp a, QVALS
    .irp b, QVALS
    LI r1, \a
    LI r2, \b
    SETFLAGS 0
    \op r0, r1, r2
    PRF "\op \a \b", r0
    .endr
    .endr
    .endr
    LI r1, 0x7fffffff
    SETFLAGS 0x08000000
    qadd r0, r1, r1
    qsub r0, r1, r1
    PRF "q stays set", r0
    .irp sat, 1, 8, 16, 31, 32
    SAT ssat, \sat
    .endr
    SAT ssat, 8, ", lsl #4"
    SAT ssat, 16, ", lsl #31"
    SAT ssat, 8, ", asr #1"
    SAT ssat, 31, ", asr #31"
    .irp sat, 0, 1, 8, 16, 31
    SAT usat, \sat
    .endr
    SAT usat, 8, ", lsl #4"
    SAT usat, 16, ", asr #31"
    SAT usat, 7, ", asr #1"
    .irp sat, 1, 4, 8, 15, 16
    SAT ssat16, \sat
    .endr
    .irp sat, 0, 1, 4, 8, 15
    SAT usat16, \sat
    .endr
    mov r0, #0
    pop {r4-r11, pc}
