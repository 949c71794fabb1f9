/* VFP registers and transfers: FPSID/MVFR/FPEXC/FPSCR (writable bits), VMOV immediate,
 * every VMOV between core and VFP registers (S, two S, D, D[x]), D16-D31, VLDR/VSTR
 * (literal, negative offsets), VLDM/VSTM (IA, writeback, DB), VPUSH/VPOP, VMRS
 * APSR_nzcv, and the UNDEFINED cases: FPSCR.LEN != 0 for data processing, FPEXC.EN = 0,
 * CPACR denying access. Also a misaligned VLDR. */
#include "common/test.h"
    .fpu vfpv4
    CODE
    .text

.macro PRD text, dreg
    push {r0-r3, r12, lr}
    vmov r1, r2, \dreg
    STRADDR r0, "\text"
    bl print_kv2
    pop {r0-r3, r12, lr}
.endm

FUNC main
    push {r4-r11, lr}
    HOOK und, und_handler
    HOOK dabt, dabt_handler
    LI r0, 0x00f00000
    mcr p15, 0, r0, c1, c0, 2
    isb
    LI r0, 0x40000000
    vmsr fpexc, r0

    SAY "== id registers"
    vmrs r0, fpsid
    PR "fpsid", r0
    vmrs r0, mvfr0
    PR "mvfr0", r0
    /* MVFR1: a15emu clears the Advanced SIMD fields (no NEON); print the others. */
    vmrs r0, mvfr1
    LI r1, 0x0f00000f
    and r0, r0, r1
    PR "mvfr1 (vfp fields)", r0
    vmrs r0, fpexc
    PR "fpexc", r0
    mvn r0, #0
    vmsr fpexc, r0
    vmrs r1, fpexc
    PR "fpexc after ~0", r1
    vmsr fpsid, r0
    vmrs r1, fpsid
    PR "fpsid after write", r1
    vmsr fpscr, r0
    vmrs r1, fpscr
    PR "fpscr after ~0", r1
    mov r0, #0
    vmsr fpscr, r0
    vmrs r1, fpscr
    PR "fpscr after 0", r1

    SAY "== vmov immediate"
    vmov.f32 s0, #1.0
    vmov.f32 s1, #-0.125
    vmov.f32 s2, #31.0
    vmov.f64 d16, #-1.5
    vmov.f64 d31, #0.1875
    vmov r0, s0
    vmov r1, s1
    PR2 "s0 s1", r0, r1
    vmov r0, s2
    PR "s2", r0
    PRD "d16", d16
    PRD "d31", d31

    SAY "== vmov core"
    LI r0, 0x11223344
    LI r1, 0x55667788
    vmov d20, r0, r1
    PRD "d20", d20
    vmov s6, s7, r1, r0
    vmov r2, r3, s6, s7
    PR2 "s6 s7", r2, r3
    PRD "d3", d3
    vmov.32 d21[1], r0
    vmov.32 d21[0], r1
    PRD "d21", d21
    vmov.32 r4, d20[1]
    vmov.32 r5, d3[0]
    PR2 "d20[1] d3[0]", r4, r5
    vmov s31, r0
    vmov r6, s31
    PR "s31", r6
    PRD "d15", d15
    vmov.f64 d22, d20
    vmov.f32 s8, s7
    PRD "d22", d22
    vmov r0, s8
    PR "s8", r0

    SAY "== loads and stores"
    b 1f
    .balign 4
lit1:
    .word 0x3f9d70a4
lit2:
    .word 0x89abcdef, 0x01234567
1:
    LI r4, buf
    vldr s0, lit1
    vldr d1, lit2
    vmov r0, s0
    PR "vldr literal s0", r0
    PRD "vldr literal d1", d1
    vstr s0, [r4]
    vstr d1, [r4, #8]
    add r5, r4, #16
    vldr s3, [r5, #-16]
    vldr d5, [r5, #-8]
    vmov r0, s3
    PR "s3", r0
    PRD "d5", d5
    ldr r0, [r4, #8]
    ldr r1, [r4, #12]
    PR2 "mem words", r0, r1
    LI r0, 0xaaaa0001
    LI r1, 0xbbbb0002
    vmov d24, r0, r1
    vmov d25, r1, r0
    vmov d26, r0, r0
    mov r5, r4
    vstmia r5!, {d24-d26}
    sub r0, r5, r4
    PR "vstmia wb", r0
    vldmdb r5!, {s10-s15}
    sub r0, r5, r4
    PR "vldmdb wb", r0
    PRD "d5", d5
    PRD "d6", d6
    PRD "d7", d7
    vldmia r4, {d27-d29}
    PRD "d29", d29
    vpush {d24-d25}
    vpush {s3}
    vmov.f32 s3, #2.0
    vpop {s3}
    vpop {d8-d9}
    vmov r0, s3
    PR "s3 after pop", r0
    PRD "d9", d9
    vstmdb r5!, {s0-s2}
    sub r0, r5, r4
    PR "vstmdb wb", r0

    SAY "== compare to flags"
    vmov.f32 s0, #1.0
    vmov.f32 s1, #2.0
    SETFLAGS 0
    vcmp.f32 s0, s1
    vmrs APSR_nzcv, fpscr
    PRFLAGS "1 vs 2"
    vcmp.f32 s1, s0
    vmrs APSR_nzcv, fpscr
    PRFLAGS "2 vs 1"
    vcmp.f32 s1, s1
    vmrs APSR_nzcv, fpscr
    PRFLAGS "2 vs 2"
    LI r0, 0x7fc00000
    vmov s2, r0
    vcmp.f32 s1, s2
    vmrs APSR_nzcv, fpscr
    PRFLAGS "2 vs nan"
    vmrs r0, fpscr
    PR "fpscr", r0

    SAY "== short vectors are undefined"
    LI r0, 0x00010000
    vmsr fpscr, r0
    vadd.f32 s0, s0, s1
    vmov.f32 s0, #1.0
    vsqrt.f64 d0, d1
    vcvt.f64.f32 d0, s1
    vcmp.f32 s0, s1
    vmrs r0, fpscr
    PR "fpscr", r0
    LI r0, 0x00100000
    vmsr fpscr, r0
    vmul.f64 d0, d0, d1
    mov r0, #0
    vmsr fpscr, r0

    SAY "== fpexc.en = 0"
    mov r0, #0
    vmsr fpexc, r0
    vadd.f32 s0, s0, s1
    vmrs r1, fpscr
    vmsr fpscr, r0
    vmov r1, s0
    vldr s0, [r4]
    vmrs r1, fpexc
    PR "fpexc", r1
    vmrs r1, fpsid
    PR "fpsid", r1
    vmrs r1, mvfr0
    PR "mvfr0", r1
    LI r0, 0x40000000
    vmsr fpexc, r0

    SAY "== cpacr"
    mov r0, #0
    mcr p15, 0, r0, c1, c0, 2
    isb
    vmrs r1, fpexc
    vmrs r1, fpsid
    vadd.f32 s0, s0, s1
    LI r0, 0x00500000
    mcr p15, 0, r0, c1, c0, 2
    isb
    vmrs r1, fpexc
    PR "fpexc (pl1 access)", r1
    vadd.f32 s0, s0, s1
    LI r0, 0x00f00000
    mcr p15, 0, r0, c1, c0, 2
    isb

    SAY "== misaligned"
    add r0, r4, #2
    vldr s0, [r0]
    vstr d0, [r0]
    add r0, r4, #4
    vldr d0, [r0]
    SAY "done"
    mov r0, #0
    pop {r4-r11, pc}


AFUNC und_handler
    push {r0-r3, r12, lr}
    mrs r1, spsr
    LI r0, und_name
    bl print_kv
    pop {r0-r3, r12, lr}
    movs pc, lr

AFUNC dabt_handler
    push {r0-r3, r12, lr}
    mrc p15, 0, r1, c5, c0, 0
    LI r0, dabt_name
    bl print_kv
    pop {r0-r3, r12, lr}
    subs pc, lr, #4

    .section .rodata
und_name:
    .asciz "  undefined, spsr"
dabt_name:
    .asciz "  data abort, dfsr"

    .data
    .balign 8
buf:
    .space 64
