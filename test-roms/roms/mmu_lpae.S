/* MMU, long-descriptor (LPAE) format: TTBCR.EAE with a 64-bit TTBR0 (MCRR, with an
 * ASID), MAIR0 attributes; a 1 GiB block identity-maps the RAM, a level 2 table maps a
 * 2 MiB block and a level 3 table of 4 KiB pages at VA 0x10000000. Reads, writes and a
 * call through them; every fault type (translation at levels 1-3, access flag,
 * permission, from PL0 with LDRT/STRT, APTable/XNTable, alignment, execute-never) with
 * the long-format DFSR/DFAR or IFSR/IFAR; ATS1CPR/CPW/CUR/CUW with the 64-bit PAR.
 * A32 and T32 programs; the handlers are A32. */
#include "common/test.h"

#define VA_PAGES  0x10000000     /* level 3 table: pages 0..7 */
#define VA_BLOCK  0x10200000     /* 2 MiB block -> 0x80000000, PL1 read-only */
#define AF        (1 << 10)

    CODE
    .text

/* Sets the resume address for the abort handlers to label 2 (after the faulting
 * instruction). */
.macro RESUME
    LI r11, 2f
    LI r10, resume
    str r11, [r10]
.endm

.macro TLBFLUSH
    dsb
    mov r0, #0
    mcr p15, 0, r0, c8, c7, 0
    dsb
    isb
.endm

/* Stores the 64-bit descriptor (\lo + runtime r2, \hi) at entry \idx of \table.
 * Clobbers r0, r1. */
.macro DESC table, idx, lo, hi
    LI r0, \table + (\idx * 8)
    LI r1, \lo
    add r1, r1, r2
    str r1, [r0]
    LI r1, \hi
    str r1, [r0, #4]
.endm

/* Zeroes the 4 KiB at \table. Clobbers r0-r2. */
.macro ZERO4K table
    LI r0, \table
    mov r1, #0
    mov r2, #1024
1:  str r1, [r0], #4
    subs r2, r2, #1
    bne 1b
.endm

FUNC main
    push {r4-r11, lr}
    HOOK pabt, pabt_handler
    HOOK dabt, dabt_handler

    LI r4, data_page
    LI r0, 0x11112222
    str r0, [r4]
    LI r0, 0xe3a0002a               /* mov r0, #42 */
    str r0, [r4, #0x100]
    LI r0, 0xe12fff1e               /* bx lr */
    str r0, [r4, #0x104]
    LI r4, data_page2
    LI r0, 0x55556666
    str r0, [r4]

    ZERO4K l1_table
    ZERO4K l2_table
    ZERO4K l3_table
    /* Level 1: [0] -> level 2 table; [2] 1 GiB block 0x80000000 (Normal, AP=00). */
    LI r2, l2_table
    DESC l1_table, 0, 3, 0
    mov r2, #0
    DESC l1_table, 2, 0x80000000 + AF + (3 << 8) + 1, 0
    /* Level 2: [0x80] -> level 3 table; [0x81] 2 MiB block -> 0x80000000, AP=10,
     * AttrIndx 1. */
    LI r2, l3_table
    DESC l2_table, 0x80, 3, 0
    mov r2, #0
    DESC l2_table, 0x81, 0x80000000 + AF + (2 << 6) + (1 << 2) + 1, 0
    /* Level 3 pages. */
    LI r2, data_page
    DESC l3_table, 0, AF + (3 << 8) + (1 << 6) + 3, 0           /* RW at PL0 and PL1 */
    DESC l3_table, 1, AF + (0 << 6) + 3, 0                      /* PL1 only */
    DESC l3_table, 3, AF + (1 << 6) + 3, (1 << 22)              /* XN */
    DESC l3_table, 4, (1 << 6) + 3, 0                           /* AF = 0 */
    DESC l3_table, 5, AF + (3 << 6) + (2 << 2) + 3, 0           /* read-only, AttrIndx 2 */
    LI r2, data_page2
    DESC l3_table, 6, AF + (1 << 11) + (1 << 6) + 3, 0          /* nG */

    LI r0, 0x000044ff               /* MAIR0: attr0 WB, attr1 NC, attr2 SO */
    mcr p15, 0, r0, c10, c2, 0
    LI r0, l1_table
    LI r1, 0x00050000               /* ASID 5 */
    mcrr p15, 0, r0, r1, c2
    LI r0, 0x80000000               /* TTBCR.EAE, T0SZ = T1SZ = 0 */
    mcr p15, 0, r0, c2, c0, 2
    TLBFLUSH
    mrc p15, 0, r0, c1, c0, 0
    orr r0, r0, #1
    mcr p15, 0, r0, c1, c0, 0
    isb
    SAY "== lpae on"
    mrrc p15, 0, r0, r1, c2
    PR2 "ttbr0", r0, r1
    mrc p15, 0, r0, c2, c0, 2
    PR "ttbcr", r0
    LI r4, value
    ldr r0, [r4]
    PR "identity read", r0

    SAY "== mapped pages"
    LI r4, VA_PAGES
    ldr r0, [r4]
    PR "page 0 word 0", r0
    LI r0, 0x77778888
    str r0, [r4, #8]
    LI r5, data_page
    ldr r0, [r5, #8]
    PR "store via VA, read via PA", r0
    LI r4, VA_PAGES + 0x6000
    ldr r0, [r4]
    PR "page 6 (nG) word 0", r0
    LI r4, VA_BLOCK + 0x10
    LI r5, 0x80000010
    ldr r0, [r4]
    ldr r1, [r5]
    PR2 "2 MiB block vs PA", r0, r1
    LI r4, VA_PAGES + 0x100
    blx r4
    PR "call into mapped page", r0

    SAY "== data aborts"
    LI r4, 0x40000000
    RESUME
    ldr r0, [r4]
2:
    LI r4, 0x100
    RESUME
    ldr r0, [r4]
2:
    LI r4, VA_PAGES + 0x2000
    RESUME
    str r0, [r4]
2:
    LI r4, VA_PAGES + 0x4000
    RESUME
    ldr r0, [r4]
2:
    LI r4, VA_PAGES + 0x5000
    RESUME
    strh r0, [r4, #2]
2:
    LI r4, VA_BLOCK
    RESUME
    str r0, [r4, #4]
2:
    LI r4, VA_PAGES + 0x1000
    RESUME
    ldrt r0, [r4]
2:
    LI r4, VA_PAGES + 0x5000
    ldrt r0, [r4]
    PR "ldrt from read-only page", r0
    RESUME
    strt r0, [r4]
2:
    LI r4, VA_PAGES + 6
    RESUME
    ldrd r0, r1, [r4]
2:

    SAY "== prefetch aborts"
    LI r4, VA_PAGES + 0x3100
#ifdef THUMB
    orr r4, r4, #1
#endif
    RESUME
    blx r4
2:
    LI r4, 0x40000040
#ifdef THUMB
    orr r4, r4, #1
#endif
    RESUME
    blx r4
2:

    SAY "== table attributes"
    /* APTable = 01 (no PL0 access), XNTable on the level 2 entry of the pages. */
    LI r2, l3_table
    DESC l2_table, 0x80, 3, (1 << 29) + (1 << 28)
    TLBFLUSH
    LI r4, VA_PAGES
    ldr r0, [r4]
    PR "PL1 read with APTable=01", r0
    RESUME
    ldrt r0, [r4]
2:
    LI r4, VA_PAGES + 0x100
#ifdef THUMB
    orr r4, r4, #1
#endif
    RESUME
    blx r4
2:
    /* APTable = 10 (read-only). */
    DESC l2_table, 0x80, 3, (2 << 29)
    TLBFLUSH
    LI r4, VA_PAGES
    RESUME
    str r0, [r4, #0x10]
2:
    DESC l2_table, 0x80, 3, 0
    TLBFLUSH

    SAY "== ats"
    .irp va, VA_PAGES+0x123, VA_PAGES+0x1456, VA_PAGES+0x2000, VA_PAGES+0x4010, VA_PAGES+0x5010, VA_PAGES+0x6004, VA_BLOCK+0x12345, 0x40000000, 0x100, 0x80001234
    LI r4, \va
    mcr p15, 0, r4, c7, c8, 0
    isb
    mrrc p15, 0, r0, r1, c7
    PR2 "ats1cpr \va", r0, r1
    mcr p15, 0, r4, c7, c8, 1
    isb
    mrrc p15, 0, r0, r1, c7
    PR2 "ats1cpw \va", r0, r1
    mcr p15, 0, r4, c7, c8, 2
    isb
    mrrc p15, 0, r0, r1, c7
    PR2 "ats1cur \va", r0, r1
    mcr p15, 0, r4, c7, c8, 3
    isb
    mrc p15, 0, r0, c7, c4, 0
    PR "ats1cuw (32-bit view) \va", r0
    .endr

    SAY "== asid"
    /* TLBIASID of another ASID keeps this one's entries; a remap then shows. */
    LI r1, data_page2
    LI r0, l3_table
    ldr r2, [r0]
    LI r3, 0xfff
    and r2, r2, r3
    orr r1, r1, r2
    str r1, [r0]
    dsb
    mov r0, #5
    mcr p15, 0, r0, c8, c7, 2       /* TLBIASID 5 */
    dsb
    isb
    LI r4, VA_PAGES
    ldr r0, [r4]
    PR "page 0 after remap + TLBIASID", r0

    mrc p15, 0, r0, c1, c0, 0
    bic r0, r0, #1
    mcr p15, 0, r0, c1, c0, 0
    isb
    mov r0, #0
    mcr p15, 0, r0, c2, c0, 2
    TLBFLUSH
    UNHOOK pabt
    UNHOOK dabt
    mov r0, #0
    pop {r4-r11, pc}

    .arm
AFUNC dabt_handler
    push {r0-r3, r12}
    mrc p15, 0, r1, c5, c0, 0
    mrc p15, 0, r2, c6, c0, 0
    LI r0, dabt_text
    bl print_kv2
    pop {r0-r3, r12}
    LI lr, resume
    ldr lr, [lr]
    movs pc, lr

AFUNC pabt_handler
    push {r0-r3, r12}
    mrc p15, 0, r1, c5, c0, 1
    mrc p15, 0, r2, c6, c0, 2
    LI r0, pabt_text
    bl print_kv2
    pop {r0-r3, r12}
    LI lr, resume
    ldr lr, [lr]
    movs pc, lr

    .section .rodata
dabt_text: .asciz "  data abort: dfsr dfar"
pabt_text: .asciz "  prefetch abort: ifsr ifar"
    .data
    .balign 4
value: .word 0xcafef00d
resume: .word 0

    .section .noinit, "aw", %nobits
    .balign 4096
l1_table: .space 4096
l2_table: .space 4096
l3_table: .space 4096
data_page: .space 4096
data_page2: .space 4096
