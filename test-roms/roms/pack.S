/* Packing, extension and bit manipulation: PKHBT/PKHTB, SXTx and UXTx with every rotation and
 * their accumulate forms, REV/REV16/REVSH/RBIT/CLZ, BFC/BFI/SBFX/UBFX, MOVW/MOVT. */
#include "common/test.h"
    CODE
    .text

#define VALS 0x80ff7f01, 0x12345678, 0xffffffff, 0x00008000, 0, 1, 0x00f00000

.macro BITFIELD lsb, width
    LI r0, 0xffffffff
    bfc r0, #\lsb, #\width
    LI r2, 0x12345678
    LI r1, 0xa5a5a5a5
    bfi r2, r1, #\lsb, #\width
    PR2 "bfc bfi \lsb \width", r0, r2
    .irp v, 0x80ff7f01, 0x5a5a5a5a
    LI r1, \v
    sbfx r0, r1, #\lsb, #\width
    ubfx r2, r1, #\lsb, #\width
    PR2 "sbfx ubfx \v \lsb \width", r0, r2
    .endr
.endm

FUNC main
    push {r4-r11, lr}
    LI r1, 0x11118001
    LI r2, 0x8002ffff
    .irp sh, "lsl #0", "lsl #1", "lsl #16", "lsl #31"
    pkhbt r0, r1, r2, \sh
    PR "pkhbt \sh", r0
    .endr
    .irp sh, "asr #1", "asr #16", "asr #31", "asr #32"
    pkhtb r0, r1, r2, \sh
    PR "pkhtb \sh", r0
    .endr
    pkhtb r0, r1, r2
    PR "pkhtb", r0
    .irp op, sxtb, sxth, sxtb16, uxtb, uxth, uxtb16
    .irp rot, 0, 8, 16, 24
    .irp v, 0x80ff7f01, 0x7f0180ff
    LI r1, \v
    \op r0, r1, ror #\rot
    PR "\op \v ror #\rot", r0
    .endr
    .endr
    .endr
    .irp op, sxtab, sxtah, sxtab16, uxtab, uxtah, uxtab16
    .irp rot, 0, 8, 16, 24
    .irp v, 0x80ff7f01, 0x7f0180ff
    LI r1, \v
    LI r2, 0x7fffff80
    \op r0, r2, r1, ror #\rot
    PR "\op 7fffff80 \v ror #\rot", r0
    .endr
    .endr
    .endr
    .irp op, rev, rev16, revsh, rbit, clz
    .irp v, VALS
    LI r1, \v
    SETFLAGS 0xf0000000
    \op r0, r1
    PRF "\op \v", r0
    .endr
    .endr
    .irp f, "0,1", "0,32", "31,1", "4,8", "16,16", "1,31", "8,24"
    BITFIELD \f
    .endr
    movw r0, #0
    movt r0, #0xffff
    PR "movt 0xffff", r0
    movw r0, #0xffff
    PR "movw clears top", r0
    movt r0, #0x1234
    movw r1, #0x5678
    PR2 "movt keeps bottom; movw", r0, r1
    mov r0, #0
    pop {r4-r11, pc}

