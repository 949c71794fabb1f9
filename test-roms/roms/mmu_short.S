/* MMU, short-descriptor format: identity map (common/mmu.S), then a second-level table
 * at VA 0x10000000 remapping small pages onto a data page, a supersection, a section in
 * another domain; reads and writes through them, execution from a remapped page, a
 * remap with TLBIMVA; every fault type (translation L1/L2, domain, permission L1/L2, from
 * PL0 with LDRT, access flag with SCTLR.AFE, alignment, execute-never prefetch abort)
 * with the DFSR/DFAR or IFSR/IFAR the handler sees; ATS1CPR/CPW/CUR/CUW and the PAR.
 * A32 and T32 programs; the handlers are A32. */
#include "common/test.h"

#define VA_PAGES  0x10000000     /* second-level table: pages 0..7 */
#define VA_SUPER  0x30000000     /* supersection -> 0x80000000 */
#define VA_DOM    0x20000000     /* section in domain 1 -> the data page's MiB */
#define VA_NONE   0x21000000     /* no mapping */

    CODE
    .text

/* Sets the resume address for the abort handlers to label 2 after this (placed
 * after the instruction that faults). */
.macro RESUME
    LI r11, 2f
    LI r10, resume
    str r11, [r10]
.endm

/* TLBIALL and barriers after a table change. */
.macro TLBFLUSH
    dsb
    mov r0, #0
    mcr p15, 0, r0, c8, c7, 0
    dsb
    isb
.endm

/* Stores descriptor \val at index \idx of the first-level table. Clobbers r0, r1. */
.macro L1SET idx, val
    mrc p15, 0, r0, c2, c0, 0
    LI r1, 0xffffc000
    and r0, r0, r1
    LI r1, \val
    str r1, [r0, #(\idx * 4)]
.endm

/* Stores r1 as small page \n of the second-level table. Clobbers r0. */
.macro L2SET n
    LI r0, l2_table
    str r1, [r0, #(\n * 4)]
.endm

FUNC main
    push {r4-r11, lr}
    HOOK pabt, pabt_handler
    HOOK dabt, dabt_handler
    bl mmu_on
    SAY "== mmu on"
    LI r4, value
    ldr r0, [r4]
    PR "identity read", r0
    mrc p15, 0, r0, c2, c0, 2
    PR "ttbcr", r0

    /* The data page: a marker word and a tiny A32 function (mov r0, #42; bx lr). */
    LI r4, data_page
    LI r0, 0x11112222
    str r0, [r4]
    LI r0, 0x33334444
    str r0, [r4, #0x804]
    LI r0, 0xe3a0002a
    str r0, [r4, #0x100]
    LI r0, 0xe12fff1e
    str r0, [r4, #0x104]
    LI r4, data_page2
    LI r0, 0x55556666
    str r0, [r4]

    /* Second-level table for VA 0x10000000, domain 2. */
    LI r0, l2_table
    mov r1, #0
    mov r2, #256
1:  str r1, [r0], #4
    subs r2, r2, #1
    bne 1b
    LI r1, data_page + 0x32         /* page 0: AP=011, small page */
    L2SET 0
    LI r1, data_page + 0x12         /* page 1: AP=001 (PL1 only) */
    L2SET 1
    LI r1, data_page + 0x33         /* page 2: AP=011, XN */
    L2SET 2
    LI r1, data_page + 0x232        /* page 3: AP=111 (read-only) */
    L2SET 3
    LI r1, data_page + 0x22         /* page 4: AP=010 (PL0 read-only) */
    L2SET 4
    /* page 5: invalid */
    LI r1, data_page2 + 0x32        /* page 6: another physical page */
    L2SET 6
    L1SET 0x100, (l2_table + 0x41)  /* page table, domain 2 */
    /* Supersection 0x30000000 -> 0x80000000 (16 identical entries), domain 0. */
    mrc p15, 0, r0, c2, c0, 0
    LI r1, 0xffffc000
    and r0, r0, r1
    add r0, r0, #(0x300 * 4)
    LI r1, 0x80040c02               /* base, bit 18, AP=11, section */
    mov r2, #16
1:  str r1, [r0], #4
    subs r2, r2, #1
    bne 1b
    /* Section 0x20000000 in domain 1 -> the data page's MiB, AP=011; section
     * 0x20100000 -> the next MiB, AP=100 (no access; with AFE: AF = 0), domain 0. */
    LI r0, data_page
    LI r1, 0xfff00000
    and r2, r0, r1
    orr r1, r2, #0xc00
    orr r1, r1, #0x22
    mrc p15, 0, r0, c2, c0, 0
    LI r3, 0xffffc000
    and r0, r0, r3
    str r1, [r0, #0x800]
    LI r3, 0x100000 + 0x8002
    add r1, r2, r3
    str r1, [r0, #0x804]
    /* DACR: domain 0 client, domain 1 no access, domain 2 client. */
    LI r0, 0x11
    mcr p15, 0, r0, c3, c0, 0
    TLBFLUSH

    SAY "== remapped pages"
    LI r4, VA_PAGES
    ldr r0, [r4]
    PR "page 0 word 0", r0
    ldr r0, [r4, #0x804]
    PR "page 0 word 0x804", r0
    LI r0, 0x77778888
    str r0, [r4, #8]
    LI r5, data_page
    ldr r0, [r5, #8]
    PR "store via VA, read via PA", r0
    LI r4, VA_PAGES + 0x6000
    ldr r0, [r4]
    PR "page 6 word 0", r0
    /* A word across pages 0 and 1 (both readable at PL1). */
    LI r4, VA_PAGES + 0xffe
    ldr r0, [r4]
    PR "word across pages", r0
    LI r4, VA_SUPER + 0x10
    LI r5, 0x80000010
    ldr r0, [r4]
    ldr r1, [r5]
    PR2 "supersection vs PA", r0, r1
    LI r4, VA_PAGES + 0x100
    blx r4
    PR "call into remapped page", r0

    SAY "== remap with TLBIMVA"
    LI r1, data_page2 + 0x32
    L2SET 0
    dsb
    LI r0, VA_PAGES
    mcr p15, 0, r0, c8, c7, 1
    dsb
    isb
    LI r4, VA_PAGES
    ldr r0, [r4]
    PR "page 0 after remap", r0
    LI r1, data_page + 0x32
    L2SET 0
    dsb
    LI r0, VA_PAGES
    mcr p15, 0, r0, c8, c7, 3       /* TLBIMVAA */
    dsb
    isb
    ldr r0, [r4]
    PR "page 0 restored", r0

    SAY "== data aborts"
    L1SET 0x210, 0
    TLBFLUSH
    LI r4, VA_NONE
    RESUME
    ldr r0, [r4]
2:
    LI r4, VA_PAGES + 0x5000
    RESUME
    str r0, [r4, #4]
2:
    LI r4, VA_DOM
    RESUME
    ldr r0, [r4]
2:
    LI r4, VA_PAGES + 0x3000
    RESUME
    str r0, [r4]
2:
    LI r4, 0x20100000
    RESUME
    strb r0, [r4, #3]
2:
    LI r4, VA_PAGES + 0x1000
    RESUME
    ldrt r0, [r4]
2:
    LI r4, VA_PAGES + 0x4000
    ldrt r0, [r4]
    PR "ldrt from PL0 read-only page", r0
    RESUME
    strt r0, [r4]
2:
    LI r4, VA_PAGES + 2
    RESUME
    ldrd r0, r1, [r4]
2:
    /* Access flag (SCTLR.AFE): AP[0] = 0 on page 4 and section 0x20100000. */
    mrc p15, 0, r0, c1, c0, 0
    orr r0, r0, #(1 << 29)
    mcr p15, 0, r0, c1, c0, 0
    isb
    LI r4, VA_PAGES + 0x4000
    RESUME
    ldr r0, [r4]
2:
    LI r4, 0x20100000
    RESUME
    ldr r0, [r4]
2:
    LI r4, VA_PAGES
    ldr r0, [r4]
    PR "AFE: AP[0]=1 page readable", r0
    mrc p15, 0, r0, c1, c0, 0
    bic r0, r0, #(1 << 29)
    mcr p15, 0, r0, c1, c0, 0
    isb

    SAY "== prefetch abort"
    LI r4, VA_PAGES + 0x2100
#ifdef THUMB
    orr r4, r4, #1
#endif
    RESUME
    blx r4
2:
    LI r4, VA_NONE + 0x40
#ifdef THUMB
    orr r4, r4, #1
#endif
    RESUME
    blx r4
2:

    SAY "== ats"
    .irp va, VA_PAGES+0x123, VA_PAGES+0x1456, VA_PAGES+0x3010, VA_PAGES+0x4010, VA_PAGES+0x5000, VA_SUPER+0x12345, VA_DOM, 0x20100000, VA_NONE, 0x80001234
    LI r4, \va
    mcr p15, 0, r4, c7, c8, 0
    isb
    mrc p15, 0, r0, c7, c4, 0
    mcr p15, 0, r4, c7, c8, 1
    isb
    mrc p15, 0, r1, c7, c4, 0
    PR2 "ats1cpr/cpw \va", r0, r1
    mcr p15, 0, r4, c7, c8, 2
    isb
    mrc p15, 0, r0, c7, c4, 0
    mcr p15, 0, r4, c7, c8, 3
    isb
    mrc p15, 0, r1, c7, c4, 0
    PR2 "ats1cur/cuw \va", r0, r1
    .endr
    mrrc p15, 0, r0, r1, c7
    PR2 "par 64-bit", r0, r1

    bl mmu_off
    LI r0, 0x55555555
    mcr p15, 0, r0, c3, c0, 0
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
data_page: .space 4096
data_page2: .space 4096
    .balign 1024
l2_table: .space 1024
