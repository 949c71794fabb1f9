/* mmu_on(): identity-maps the 4 GiB address space with 1 MiB short-descriptor sections
 * (0x80000000 and up: Normal write-back memory, the tile's DRAM; below: Device,
 * execute-never), domain 0 client, full access; then enables the MMU and caches.
 * mmu_off(): turns them off again. Both preserve every register and the flags.
 */
#include "test.h"

    .text
    .arm
AFUNC mmu_on
    push {r0-r4, lr}
    mrs r4, apsr
    ldr r0, =page_table
    mov r1, #0
1:  lsl r2, r1, #20
    cmp r1, #0x800
    orrhs r2, r2, #0x1c00           /* AP=11, TEX=001 */
    orrhs r2, r2, #0x000e           /* C, B, section */
    orrlo r2, r2, #0x0c00           /* AP=11, TEX=000 */
    orrlo r2, r2, #0x0016           /* XN, B (shareable device), section */
    str r2, [r0, r1, lsl #2]
    add r1, r1, #1
    cmp r1, #0x1000
    bne 1b
    dsb
    mov r1, #0
    mcr p15, 0, r1, c2, c0, 2       /* TTBCR = 0 */
    mcr p15, 0, r0, c2, c0, 0       /* TTBR0 */
    ldr r1, =0x55555555
    mcr p15, 0, r1, c3, c0, 0       /* DACR: all client */
    mov r1, #0
    mcr p15, 0, r1, c8, c7, 0       /* TLBIALL */
    dsb
    isb
    mrc p15, 0, r1, c1, c0, 0
    orr r1, r1, #(1 << 0)           /* M */
    orr r1, r1, #(1 << 2)           /* C */
    orr r1, r1, #(1 << 12)          /* I */
    mcr p15, 0, r1, c1, c0, 0
    isb
    msr APSR_nzcvqg, r4
    pop {r0-r4, pc}

AFUNC mmu_off
    push {r0, r4, lr}
    mrs r4, apsr
    mrc p15, 0, r0, c1, c0, 0
    bic r0, r0, #(1 << 0)
    bic r0, r0, #(1 << 2)
    mcr p15, 0, r0, c1, c0, 0
    isb
    mov r0, #0
    mcr p15, 0, r0, c8, c7, 0
    dsb
    isb
    msr APSR_nzcvqg, r4
    pop {r0, r4, pc}
    .ltorg

    .section .noinit, "aw", %nobits
    .balign 16384
page_table: .space 16384
