/* SDIV and UDIV: signs, rounding towards zero, division by zero (result 0), the
 * INT_MIN / -1 overflow. */
#include "common/test.h"
    CODE
    .text

FUNC main
    push {r4-r11, lr}
    .irp a, 0, 1, 7, 0xfffffff9, 0x80000000, 0x7fffffff, 0xffffffff, 0x12345678
    .irp b, 0, 1, 2, 3, 0xffffffff, 0xfffffffd, 0x80000000, 0x10000
    LI r1, \a
    LI r2, \b
    SETFLAGS 0xf0000000
    sdiv r0, r1, r2
    udiv r3, r1, r2
    PR2F "sdiv udiv \a \b", r0, r3
    .endr
    .endr
    mov r0, #0
    pop {r4-r11, pc}
