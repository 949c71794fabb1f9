/* System registers of CPU core II (outside the MMU): cache identification (CCSIDR per
 * CSSELR), ACTLR, ADFSR/AIFSR, FCSEIDR, L2CTLR/L2ECTLR, CBAR, the c7 cache and
 * branch-predictor maintenance operations, the PMU, the generic timer and the CP14 debug
 * registers Linux reads at boot. Read-back and write masks at PL1 (write all ones, then
 * zero, then restore), then access rules from PL0 (each probe prints "ok" or
 * "undefined"). Counters are only checked as "increasing", never printed.
 * Not printed because QEMU 7.2 differs from the A15 (a15emu follows the A15; the unit
 * tests cover them): PMCEID0/1, DBGAUTHSTATUS, DBGCLAIMSET/CLR and DBGPRCR (UNDEFINED in
 * QEMU), FCSEIDR writes (QEMU keeps them), PMSWINC (QEMU's counters ignore it), PMCR and
 * CNTKCTL bits beyond ARMv7's, CNTVOFF from PL1 (QEMU: RAZ without EL2; the architecture:
 * UNDEFINED below PL2).
 * A32 and T32 programs; the handlers are A32. */
#include "common/test.h"
    CODE
    .text

/* T_IT/T_ITE cond: IT blocks in T32, nothing in A32. */
.macro T_IT cond
#ifdef THUMB
    it \cond
#endif
.endm
.macro T_ITE cond
#ifdef THUMB
    ite \cond
#endif
.endm

/* RD text, cp, opc1, crn, crm, opc2: "text: value" or "text: undefined". */
.macro RD text, cp, opc1, crn, crm, opc2
    bl und_clear
    mov r1, #0
    mrc \cp, \opc1, r1, \crn, \crm, \opc2
    STRADDR r0, "\text"
    bl show
.endm

/* RD64 text, opc1, crm: an MRRC p15 read, "text: low high" or "text: undefined". */
.macro RD64 text, opc1, crm
    bl und_clear
    mov r1, #0
    mov r2, #0
    mrrc p15, \opc1, r1, r2, \crm
    STRADDR r0, "\text"
    bl show2
.endm

/* WR cp, opc1, crn, crm, opc2, value: an MCR of a constant (prints only if UNDEFINED). */
.macro WR text, cp, opc1, crn, crm, opc2, val
    bl und_clear
    LI r1, \val
    mcr \cp, \opc1, r1, \crn, \crm, \opc2
    STRADDR r0, "\text"
    bl show_if_undef
.endm

/* RW text, cp, opc1, crn, crm, opc2[, ones]: "text: reset after-ones after-zero", then
 * restores the original value. */
.macro RW text, cp, opc1, crn, crm, opc2, ones=0xffffffff
    bl und_clear
    mov r1, #0
    mrc \cp, \opc1, r1, \crn, \crm, \opc2
    mov r4, r1
    LI r1, \ones
    mcr \cp, \opc1, r1, \crn, \crm, \opc2
    mrc \cp, \opc1, r2, \crn, \crm, \opc2
    mov r1, #0
    mcr \cp, \opc1, r1, \crn, \crm, \opc2
    mrc \cp, \opc1, r3, \crn, \crm, \opc2
    mcr \cp, \opc1, r4, \crn, \crm, \opc2
    mov r1, r4
    STRADDR r0, "\text"
    bl show3
.endm

/* OP text, crm, opc2: a c7 maintenance operation at PL1 (r1 = a valid address). */
.macro OP text, crm, opc2
    bl und_clear
    LI r1, data
    mcr p15, 0, r1, c7, \crm, \opc2
    STRADDR r0, "\text"
    bl show_ok
.endm

/* P0 text, insn...: a probe from User mode; records the name and the outcome. r8 =
 * und_flag, r9 = the record pointer. */
.macro P0 text, insn:vararg
    STRADDR r0, "\text"
    str r0, [r9], #4
    mov r0, #0
    str r0, [r8]
    LI r1, data
    \insn
    ldr r0, [r8]
    str r0, [r9], #4
.endm

/* Busy loop (a few thousand instructions). */
.macro DELAY
    mov r0, #2000
99: subs r0, r0, #1
    bne 99b
.endm

FUNC main
    push {r4-r11, lr}
    HOOK und, und_handler
    HOOK svc, svc_handler

    SAY "== cache identification"
    .irp sel, 0, 1, 2
    LI r1, \sel
    mcr p15, 2, r1, c0, c0, 0
    mrc p15, 2, r2, c0, c0, 0
    mrc p15, 1, r3, c0, c0, 0
    PR2 "csselr ccsidr \sel", r2, r3
    .endr
    mov r1, #0
    mcr p15, 2, r1, c0, c0, 0
    RD "clidr", p15, 1, c0, c0, 1
    RD "ctr", p15, 0, c0, c0, 1

    SAY "== control and fault"
    RW "actlr", p15, 0, c1, c0, 1
    RW "adfsr", p15, 0, c5, c1, 0
    RW "aifsr", p15, 0, c5, c1, 1
    RD "fcseidr", p15, 0, c13, c0, 0
    RW "l2ctlr", p15, 1, c9, c0, 2
    RW "l2ectlr", p15, 1, c9, c0, 3
    RD "cbar", p15, 4, c15, c0, 0

    SAY "== cache and branch predictor maintenance"
    OP "icialluis", c1, 0
    OP "bpiallis", c1, 6
    OP "iciallu", c5, 0
    OP "icimvau", c5, 1
    OP "bpiall", c5, 6
    OP "bpimva", c5, 7
    OP "dcimvac", c6, 1
    OP "dcisw", c6, 2
    OP "dccmvac", c10, 1
    OP "dccsw", c10, 2
    OP "dccmvau", c11, 1
    OP "dccimvac", c14, 1
    OP "dccisw", c14, 2
    RD "read of iciallu", p15, 0, c7, c5, 0
    RD "read of dccmvac", p15, 0, c7, c10, 1

    SAY "== pmu"
    mrc p15, 0, r1, c9, c12, 0
    bic r1, r1, #0x7             /* E, P, C (they read as zero anyway) */
    PR "pmcr", r1
    RW "pmcr (e p c d x dp)", p15, 0, c9, c12, 0, 0x3f
    RW "pmcntenset", p15, 0, c9, c12, 1
    RD "pmcntenclr", p15, 0, c9, c12, 2
    LI r1, 0x80000003
    mcr p15, 0, r1, c9, c12, 1
    mov r1, #1
    mcr p15, 0, r1, c9, c12, 2
    RD "pmcntenset after set 80000003 clr 1", p15, 0, c9, c12, 1
    LI r1, 0xffffffff
    mcr p15, 0, r1, c9, c12, 2
    RW "pmintenset", p15, 0, c9, c12, 1
    LI r1, 0x80000011
    mcr p15, 0, r1, c9, c14, 1
    mov r1, #0x10
    mcr p15, 0, r1, c9, c14, 2
    RD "pmintenclr after set 80000011 clr 10", p15, 0, c9, c14, 2
    LI r1, 0xffffffff
    mcr p15, 0, r1, c9, c14, 2
    LI r1, 0xffffffff
    mcr p15, 0, r1, c9, c14, 3
    RD "pmovsr after pmovsset ones", p15, 0, c9, c12, 3
    LI r1, 0x80000005
    mcr p15, 0, r1, c9, c12, 3
    RD "pmovsr after clearing 80000005", p15, 0, c9, c12, 3
    LI r1, 0xffffffff
    mcr p15, 0, r1, c9, c12, 3
    RW "pmselr", p15, 0, c9, c12, 5
    RW "pmuserenr", p15, 0, c9, c14, 0
    /* event type and count registers of each counter (counters disabled) */
    .irp n, 0, 1, 2, 3, 4, 5
    mov r1, #\n
    mcr p15, 0, r1, c9, c12, 5
    RW "pmxevtyper \n", p15, 0, c9, c13, 1, 0x0000ffff
    LI r1, 0x12340000 + \n
    mcr p15, 0, r1, c9, c13, 2
    RD "pmxevcntr \n", p15, 0, c9, c13, 2
    .endr
    mov r1, #0
    mcr p15, 0, r1, c9, c12, 5
    /* (PMSWINC is not checked here: QEMU 7.2's counters ignore it; see the unit tests) */
    mov r1, #1
    mcr p15, 0, r1, c9, c12, 1     /* enable counter 0 */
    /* PMCR.P resets the event counters */
    mov r1, #5
    mcr p15, 0, r1, c9, c13, 2
    mov r1, #3
    mcr p15, 0, r1, c9, c12, 0
    RD "pmxevcntr 0 after pmcr.p", p15, 0, c9, c13, 2
    mov r1, #0
    mcr p15, 0, r1, c9, c12, 0
    LI r1, 0xffffffff
    mcr p15, 0, r1, c9, c12, 2
    /* the cycle counter: disabled it holds its value; enabled it increases */
    LI r1, 0x1234
    mcr p15, 0, r1, c9, c13, 0
    DELAY
    RD "pmccntr disabled", p15, 0, c9, c13, 0
    mov r1, #4                     /* PMCR.C */
    mcr p15, 0, r1, c9, c12, 0
    RD "pmccntr after pmcr.c", p15, 0, c9, c13, 0
    LI r1, 0x80000000
    mcr p15, 0, r1, c9, c12, 1
    mov r1, #1
    mcr p15, 0, r1, c9, c12, 0
    mrc p15, 0, r4, c9, c13, 0
    DELAY
    mrc p15, 0, r5, c9, c13, 0
    DELAY
    mrc p15, 0, r6, c9, c13, 0
    cmp r5, r4
    T_ITE hi
    movhi r0, #1
    movls r0, #0
    cmp r6, r5
    T_IT ls
    movls r0, #0
    PR "pmccntr increasing", r0
    mov r1, #0
    mcr p15, 0, r1, c9, c12, 0
    mrc p15, 0, r4, c9, c13, 0
    DELAY
    mrc p15, 0, r5, c9, c13, 0
    cmp r4, r5
    T_ITE eq
    moveq r0, #1
    movne r0, #0
    PR "pmccntr stopped by pmcr.e=0", r0
    LI r1, 0xffffffff
    mcr p15, 0, r1, c9, c12, 2
    mcr p15, 0, r1, c9, c12, 3

    SAY "== generic timer"
    RD "cntfrq", p15, 0, c14, c0, 0
    RW "cntfrq", p15, 0, c14, c0, 0
    RW "cntkctl (bits 9:0)", p15, 0, c14, c1, 0, 0x3ff
    mrrc p15, 0, r4, r5, c14
    DELAY
    mrrc p15, 0, r6, r7, c14
    subs r0, r6, r4
    sbcs r1, r7, r5
    mov r0, #0
    T_IT pl
    movpl r0, #1
    orrs r2, r6, r7
    T_IT eq
    moveq r0, #0
    cmp r4, r6
    T_IT eq
    moveq r0, #0
    PR "cntpct increasing", r0
    mrrc p15, 1, r4, r5, c14
    DELAY
    mrrc p15, 1, r6, r7, c14
    mrrc p15, 0, r2, r3, c14
    subs r0, r6, r4
    sbcs r1, r7, r5
    mov r0, #0
    T_IT pl
    movpl r0, #1
    cmp r4, r6
    T_IT eq
    moveq r0, #0
    subs r1, r2, r6                /* cntvct (cntvoff = 0) <= cntpct read later */
    sbcs r1, r3, r7
    T_IT mi
    movmi r0, #0
    PR "cntvct increasing, not ahead of cntpct", r0
    /* both timers: the same checks */
    mov r10, #0
    bl timer_checks
    mov r10, #1
    bl timer_checks
    RD64 "read of opc1 5", 5, c14

    SAY "== debug (cp14)"
    RD "dbgdidr", p14, 0, c0, c0, 0
    RD "dbgdrar", p14, 0, c1, c0, 0
    RD "dbgdsar", p14, 0, c2, c0, 0
    RD "dbgdscrint", p14, 0, c0, c1, 0
    RD "dbgdscrext", p14, 0, c0, c2, 2
    RD "dbgoslsr", p14, 0, c1, c1, 4
    WR "dbgoslar c5acce55", p14, 0, c1, c0, 4, 0xc5acce55
    RD "dbgoslsr locked", p14, 0, c1, c1, 4
    WR "dbgoslar unlock", p14, 0, c1, c0, 4, 0
    RD "dbgoslsr unlocked", p14, 0, c1, c1, 4
    RD "dbgosdlr", p14, 0, c1, c3, 4
    WR "dbgosdlr", p14, 0, c1, c3, 4, 0
    WR "dbgvcr", p14, 0, c0, c7, 0, 0
    WR "dbgdscrext mdbgen", p14, 0, c0, c2, 2, 0x8000
    RD "dbgdscrint after mdbgen", p14, 0, c0, c1, 0
    RD "dbgdscrext after mdbgen", p14, 0, c0, c2, 2
    WR "dbgdscrext 0", p14, 0, c0, c2, 2, 0
    .irp n, 0, 1, 2, 3, 4, 5
    RW "dbgbvr \n", p14, 0, c0, c\n, 4
    RW "dbgbcr \n", p14, 0, c0, c\n, 5, 0xfffffffe
    .endr
    .irp n, 0, 1, 2, 3
    RW "dbgwvr \n", p14, 0, c0, c\n, 6
    RW "dbgwcr \n", p14, 0, c0, c\n, 7, 0xfffffffe
    .endr

    SAY "== user mode probes"
    /* PMUSERENR.EN = 0, CNTKCTL = 0 */
    mov r1, #0
    mcr p15, 0, r1, c9, c14, 0
    mcr p15, 0, r1, c14, c1, 0
    bl user_probes
    SAY "-- pmuserenr.en = 1, cntkctl = 0x303"
    mov r1, #1
    mcr p15, 0, r1, c9, c14, 0
    LI r1, 0x303
    mcr p15, 0, r1, c14, c1, 0
    bl user_probes
    SAY "-- cntkctl = 0x001"
    mov r1, #0
    mcr p15, 0, r1, c9, c14, 0
    mov r1, #1
    mcr p15, 0, r1, c14, c1, 0
    bl user_probes
    SAY "-- cntkctl = 0x102"
    LI r1, 0x102
    mcr p15, 0, r1, c14, c1, 0
    bl user_probes
    mov r1, #0
    mcr p15, 0, r1, c14, c1, 0
    mov r1, #0
    mcr p15, 0, r1, c9, c12, 0
    LI r1, 0xffffffff
    mcr p15, 0, r1, c9, c12, 3

    UNHOOK und
    UNHOOK svc
    mov r0, #0
    pop {r4-r11, pc}

/* The timer checks for the physical (r10 = 0) or virtual (r10 = 1) timer. */
FUNC timer_checks
    push {r4-r11, lr}
    cmp r10, #0
    bne 1f
    SAY "-- physical timer"
    b 2f
1:  SAY "-- virtual timer"
2:
    /* reset values (CVAL's is UNKNOWN: not printed) */
    bl rd_ctl
    PR "ctl", r0
    /* CVAL write and read back */
    LI r0, 0x89abcdef
    LI r1, 0x01234567
    bl wr_cval
    bl rd_cval
    PR2 "cval", r0, r1
    /* enabled, masked, CVAL = 0: ISTATUS */
    mov r0, #0
    mov r1, #0
    bl wr_cval
    mov r0, #3
    bl wr_ctl
    bl rd_ctl
    PR "ctl enabled, cval 0", r0
    bl rd_tval
    cmp r0, #0
    T_ITE lt
    movlt r0, #1
    movge r0, #0
    PR "tval negative", r0
    /* CVAL far in the future: ISTATUS clear, TVAL in (0, 0x10000000] */
    bl rd_cnt
    LI r2, 0x10000000
    adds r0, r0, r2
    adc r1, r1, #0
    bl wr_cval
    bl rd_ctl
    PR "ctl, cval in the future", r0
    bl rd_tval
    LI r2, 0x10000000
    mov r3, #0
    cmp r0, #0
    T_IT le
    movle r3, #1
    cmp r0, r2
    T_IT hi
    movhi r3, #1
    eor r3, r3, #1
    PR "tval in range", r3
    /* ISTATUS and IMASK are not writable */
    mov r0, #0xff
    bl wr_ctl
    bl rd_ctl
    PR "ctl after writing ff", r0
    /* TVAL write: CVAL = count + signed TVAL */
    LI r0, 0xffffff00
    bl wr_tval
    bl rd_ctl
    PR "ctl after tval -256", r0
    bl rd_cval
    mov r4, r0
    mov r5, r1
    bl rd_cnt
    subs r4, r0, r4
    sbc r5, r1, r5                 /* count - cval: at least 256, small */
    mov r3, #0
    cmp r5, #0
    bne 3f
    cmp r4, #256
    blo 3f
    LI r2, 0x01000000
    cmp r4, r2
    T_IT lo
    movlo r3, #1
3:  PR "cval = count - 256", r3
    LI r0, 0x08000000
    bl wr_tval
    bl rd_ctl
    PR "ctl after tval 0x08000000", r0
    /* disabled: ISTATUS reads as zero (QEMU) */
    mov r0, #0
    mov r1, #0
    bl wr_cval
    mov r0, #2
    bl wr_ctl
    bl rd_ctl
    PR "ctl disabled, cval 0", r0
    mov r0, #0
    bl wr_ctl
    pop {r4-r11, pc}

/* Timer register accessors selected by r10 (0 = physical, 1 = virtual). */
FUNC rd_ctl
    cmp r10, #0
    bne 1f
    mrc p15, 0, r0, c14, c2, 1
    bx lr
1:  mrc p15, 0, r0, c14, c3, 1
    bx lr
FUNC wr_ctl
    cmp r10, #0
    bne 1f
    mcr p15, 0, r0, c14, c2, 1
    bx lr
1:  mcr p15, 0, r0, c14, c3, 1
    bx lr
FUNC rd_tval
    cmp r10, #0
    bne 1f
    mrc p15, 0, r0, c14, c2, 0
    bx lr
1:  mrc p15, 0, r0, c14, c3, 0
    bx lr
FUNC wr_tval
    cmp r10, #0
    bne 1f
    mcr p15, 0, r0, c14, c2, 0
    bx lr
1:  mcr p15, 0, r0, c14, c3, 0
    bx lr
FUNC rd_cval
    cmp r10, #0
    bne 1f
    mrrc p15, 2, r0, r1, c14
    bx lr
1:  mrrc p15, 3, r0, r1, c14
    bx lr
FUNC wr_cval
    cmp r10, #0
    bne 1f
    mcrr p15, 2, r0, r1, c14
    bx lr
1:  mcrr p15, 3, r0, r1, c14
    bx lr
FUNC rd_cnt
    cmp r10, #0
    bne 1f
    mrrc p15, 0, r0, r1, c14
    bx lr
1:  mrrc p15, 1, r0, r1, c14
    bx lr

/* Runs the User mode probes and prints their outcomes. */
FUNC user_probes
    push {r4-r11, lr}
    LI r8, und_flag
    LI r9, records
    cps #MODE_USR
    P0 "actlr", mrc p15, 0, r0, c1, c0, 1
    P0 "ccsidr", mrc p15, 1, r0, c0, c0, 0
    P0 "csselr", mrc p15, 2, r0, c0, c0, 0
    P0 "clidr", mrc p15, 1, r0, c0, c0, 1
    P0 "adfsr", mrc p15, 0, r0, c5, c1, 0
    P0 "fcseidr", mrc p15, 0, r0, c13, c0, 0
    P0 "l2ctlr", mrc p15, 1, r0, c9, c0, 2
    P0 "cbar", mrc p15, 4, r0, c15, c0, 0
    P0 "iciallu", mcr p15, 0, r1, c7, c5, 0
    P0 "icialluis", mcr p15, 0, r1, c7, c1, 0
    P0 "icimvau", mcr p15, 0, r1, c7, c5, 1
    P0 "bpiall", mcr p15, 0, r1, c7, c5, 6
    P0 "bpimva", mcr p15, 0, r1, c7, c5, 7
    P0 "dcimvac", mcr p15, 0, r1, c7, c6, 1
    P0 "dccmvac", mcr p15, 0, r1, c7, c10, 1
    P0 "dccmvau", mcr p15, 0, r1, c7, c11, 1
    P0 "dccimvac", mcr p15, 0, r1, c7, c14, 1
    P0 "dccsw", mcr p15, 0, r1, c7, c10, 2
    P0 "cp15isb", mcr p15, 0, r1, c7, c5, 4
    P0 "cp15dsb", mcr p15, 0, r1, c7, c10, 4
    P0 "cp15dmb", mcr p15, 0, r1, c7, c10, 5
    P0 "pmcr", mrc p15, 0, r0, c9, c12, 0
    P0 "pmcntenset", mrc p15, 0, r0, c9, c12, 1
    P0 "pmovsr", mrc p15, 0, r0, c9, c12, 3
    P0 "pmswinc", mcr p15, 0, r0, c9, c12, 4
    P0 "pmselr", mrc p15, 0, r0, c9, c12, 5
    P0 "pmccntr", mrc p15, 0, r0, c9, c13, 0
    P0 "pmxevtyper", mrc p15, 0, r0, c9, c13, 1
    P0 "pmxevcntr", mrc p15, 0, r0, c9, c13, 2
    P0 "pmuserenr read", mrc p15, 0, r0, c9, c14, 0
    P0 "pmuserenr write", mcr p15, 0, r0, c9, c14, 0
    P0 "pmintenset", mrc p15, 0, r0, c9, c14, 1
    P0 "pmintenclr", mrc p15, 0, r0, c9, c14, 2
    P0 "cntfrq read", mrc p15, 0, r0, c14, c0, 0
    P0 "cntfrq write", mcr p15, 0, r0, c14, c0, 0
    P0 "cntkctl", mrc p15, 0, r0, c14, c1, 0
    P0 "cntpct", mrrc p15, 0, r0, r1, c14
    P0 "cntvct", mrrc p15, 1, r0, r1, c14
    P0 "cntp_ctl", mrc p15, 0, r0, c14, c2, 1
    P0 "cntp_tval", mrc p15, 0, r0, c14, c2, 0
    P0 "cntp_cval", mrrc p15, 2, r0, r1, c14
    P0 "cntv_ctl", mrc p15, 0, r0, c14, c3, 1
    P0 "cntv_tval", mrc p15, 0, r0, c14, c3, 0
    P0 "cntv_cval", mrrc p15, 3, r0, r1, c14
    P0 "dbgdidr", mrc p14, 0, r0, c0, c0, 0
    P0 "dbgdrar", mrc p14, 0, r0, c1, c0, 0
    P0 "dbgdscrint", mrc p14, 0, r0, c0, c1, 0
    P0 "dbgoslsr", mrc p14, 0, r0, c1, c1, 4
    P0 "dbgbvr0", mrc p14, 0, r0, c0, c0, 4
    svc #0                         /* back to SVC mode */
    /* print the records */
    LI r4, records
1:  cmp r4, r9
    bhs 2f
    ldr r0, [r4], #4
    ldr r1, [r4], #4
    bl show_probe
    b 1b
2:  pop {r4-r11, pc}

    .arm
/* Undefined instruction handler: sets und_flag, returns past the instruction. */
AFUNC und_handler
    push {r0, r1}
    LI r0, und_flag
    mov r1, #1
    str r1, [r0]
    pop {r0, r1}
    movs pc, lr

/* SVC from User mode: return in SVC mode. */
AFUNC svc_handler
    push {r0}
    mrs r0, spsr
    bic r0, r0, #0x1f
    orr r0, r0, #MODE_SVC
    msr spsr_cxsf, r0
    pop {r0}
    movs pc, lr

AFUNC und_clear
    push {r0, r1}
    LI r0, und_flag
    mov r1, #0
    str r1, [r0]
    pop {r0, r1}
    bx lr

/* show(r0 = name, r1 = value): "name: value" or "name: undefined" */
AFUNC show
    push {r0-r3, lr}
    LI r2, und_flag
    ldr r2, [r2]
    cmp r2, #0
    bne 1f
    bl print_kv
    pop {r0-r3, pc}
1:  bl puts
    LI r0, s_undef
    bl puts_nl
    pop {r0-r3, pc}

/* show2(r0 = name, r1, r2) */
AFUNC show2
    push {r0-r3, lr}
    LI r3, und_flag
    ldr r3, [r3]
    cmp r3, #0
    bne 1f
    bl print_kv2
    pop {r0-r3, pc}
1:  bl puts
    LI r0, s_undef
    bl puts_nl
    pop {r0-r3, pc}

/* show3(r0 = name, r1, r2, r3) */
AFUNC show3
    push {r0-r4, lr}
    LI r4, und_flag
    ldr r4, [r4]
    cmp r4, #0
    bne 1f
    bl print_kv3
    pop {r0-r4, pc}
1:  bl puts
    LI r0, s_undef
    bl puts_nl
    pop {r0-r4, pc}

/* show_ok(r0 = name): "name: ok" or "name: undefined" */
AFUNC show_ok
    push {r0-r3, lr}
    bl puts
    LI r2, und_flag
    ldr r2, [r2]
    cmp r2, #0
    LI r0, s_ok
    beq 1f
    LI r0, s_undef
1:  bl puts_nl
    pop {r0-r3, pc}

/* show_if_undef(r0 = name) */
AFUNC show_if_undef
    push {r0-r3, lr}
    LI r2, und_flag
    ldr r2, [r2]
    cmp r2, #0
    beq 1f
    bl puts
    LI r0, s_undef
    bl puts_nl
1:  pop {r0-r3, pc}

/* show_probe(r0 = name, r1 = undefined?) */
AFUNC show_probe
    push {r0-r3, lr}
    mov r2, r0
    LI r0, s_pl0
    bl puts
    mov r0, r2
    bl puts
    cmp r1, #0
    LI r0, s_ok
    beq 1f
    LI r0, s_undef
1:  bl puts_nl
    pop {r0-r3, pc}

    .section .rodata.str, "a"
s_undef: .asciz ": undefined"
s_ok: .asciz ": ok"
s_pl0: .asciz "  pl0 "

    .data
    .balign 4
und_flag: .word 0
data: .word 0, 0, 0, 0
    .bss
    .balign 4
records: .space 8 * 64
