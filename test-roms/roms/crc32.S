/* CRC-32 (IEEE 802.3, reflected, table-driven) over a 64 KiB pseudo-random buffer,
 * REPEAT passes chained into one CRC: the speed benchmark (about 7 instructions per
 * byte, 460k per pass; REPEAT=640 is about 294 million instructions) and, with a small
 * REPEAT, a short test. Prints the CRC and exits. */
#include "common/test.h"
    CODE
    .text

#ifndef REPEAT
    .equ REPEAT, 640
#endif
    .equ BUF_SIZE, 65536

FUNC main
    push {r4-r11, lr}
    /* table[i] = CRC of the byte i */
    LI r5, table
    LI r6, 0xedb88320
    mov r1, #0
1:  mov r0, r1
    mov r2, #8
2:  lsrs r0, r0, #1
    it cs
    eorcs r0, r0, r6
    subs r2, r2, #1
    bne 2b
    str r0, [r5, r1, lsl #2]
    add r1, r1, #1
    cmp r1, #256
    bne 1b
    /* buffer: bytes of a linear congruential sequence */
    LI r4, buffer
    LI r2, 1664525
    LI r3, 1013904223
    mov r0, #1
    mov r1, #0
3:  mla r0, r0, r2, r3
    lsr r7, r0, #24
    strb r7, [r4, r1]
    add r1, r1, #1
    cmp r1, #BUF_SIZE
    bne 3b
    LI r8, REPEAT
    PR "passes", r8
    /* passes */
    mov r0, #0
    mvn r0, r0
    LI r8, REPEAT
4:  mov r1, r4
    mov r2, #BUF_SIZE
5:  ldrb r3, [r1], #1
    eor r3, r3, r0
    and r3, r3, #0xff
    ldr r3, [r5, r3, lsl #2]
    eor r0, r3, r0, lsr #8
    subs r2, r2, #1
    bne 5b
    subs r8, r8, #1
    bne 4b
    mvn r0, r0
    PR "crc32", r0
    mov r0, #0
    pop {r4-r11, pc}

    .bss
    .balign 4
table: .space 1024
buffer: .space BUF_SIZE
