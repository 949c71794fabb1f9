/* VFP arithmetic and conversions against tables of operands: zeros, normals, the
 * largest and smallest normals, denormals, infinities, quiet and signalling NaNs (with
 * payloads), values near the overflow and rounding boundaries of the conversions.
 * Every operation runs over all operand pairs (or all operands) in every FPSCR mode of
 * `modes` (RMode x FZ x DN, and AHP for the half-precision conversions); a line prints
 * the mode and a hash of every result and every FPSCR value (flags) after it.
 * Build with -DVERBOSE to print each result instead. */
#include "common/test.h"
    .fpu vfpv4
    CODE
    .text

#define NMODES 18
#define N32 42
#define N64 36

/* h = (h ror 27 ^ v) * 0x9e3779b1; uses r12 (k in r11). */
.macro HASH v
    eor r7, \v, r7, ror #27
    mul r7, r7, r11
.endm

/* k = (i + j + 1) mod n into r0. */
.macro KIDX n
    add r0, r5, r6
    add r0, r0, #1
    cmp r0, #\n
    it ge
    subge r0, r0, #\n
    cmp r0, #\n
    it ge
    subge r0, r0, #\n
.endm

/* One operation over the single-precision table: s0 = a[i], s1 = a[j],
 * d2 = (s4 = a[k], s5 = a[j]); the result is d2 and the FPSCR. `nj` = 1 for unary
 * operations. */
.macro SOP name, nj, insn:vararg
    LI r8, tab32
    LI r11, 0x9e3779b1
    mov r4, #0
1:  LI r0, modes
    ldr r10, [r0, r4, lsl #2]
    LI r7, 0x12345678
    mov r5, #0
2:  mov r6, #0
3:  add r0, r8, r5, lsl #2
    vldr s0, [r0]
    add r0, r8, r6, lsl #2
    vldr s1, [r0]
    vldr s5, [r0]
    KIDX N32
    add r0, r8, r0, lsl #2
    vldr s4, [r0]
    vmsr fpscr, r10
    \insn
    vmrs r1, fpscr
    vmov r0, r2, d2
#ifdef VERBOSE
    PR3 "\name", r0, r2, r1
#endif
    HASH r0
    HASH r2
    HASH r1
    add r6, r6, #1
    cmp r6, #\nj
    blt 3b
    add r5, r5, #1
    cmp r5, #N32
    blt 2b
    PR2 "\name", r10, r7
    add r4, r4, #1
    cmp r4, #NMODES
    blt 1b
.endm

/* The same over the double-precision table: d0 = b[i], d1 = b[j], d2 = b[k]. */
.macro DOP name, nj, insn:vararg
    LI r8, tab64
    LI r11, 0x9e3779b1
    mov r4, #0
1:  LI r0, modes
    ldr r10, [r0, r4, lsl #2]
    LI r7, 0x12345678
    mov r5, #0
2:  mov r6, #0
3:  add r0, r8, r5, lsl #3
    vldr d0, [r0]
    add r0, r8, r6, lsl #3
    vldr d1, [r0]
    KIDX N64
    add r0, r8, r0, lsl #3
    vldr d2, [r0]
    vmsr fpscr, r10
    \insn
    vmrs r1, fpscr
    vmov r0, r2, d2
#ifdef VERBOSE
    PR3 "\name", r0, r2, r1
#endif
    HASH r0
    HASH r2
    HASH r1
    add r6, r6, #1
    cmp r6, #\nj
    blt 3b
    add r5, r5, #1
    cmp r5, #N64
    blt 2b
    PR2 "\name", r10, r7
    add r4, r4, #1
    cmp r4, #NMODES
    blt 1b
.endm

#ifdef VERBOSE
.macro PR3 text, a, b, c
    push {r0-r3, r12, lr}
    mov r12, \c
    mov r3, \b
    mov r1, \a
    mov r2, r3
    mov r3, r12
    STRADDR r0, "\text"
    bl print_kv3
    pop {r0-r3, r12, lr}
.endm
#endif

/* Random operands (biased towards special exponents), ITER per mode:
 * s0, s1, s4 (single) or d0, d1, d2 (double); result d2 and the FPSCR. */
#define ITER 1536
.macro RSOP name, insn:vararg
    LI r11, 0x9e3779b1
    mov r4, #0
1:  LI r0, modes
    ldr r10, [r0, r4, lsl #2]
    LI r7, 0x12345678
    LI r9, 0x2545f491
    mov r5, #0
2:  bl rnd32
    vmov s0, r0
    bl rnd32
    vmov s1, r0
    bl rnd32
    vmov s4, r0
    vmov s5, r0
    vmsr fpscr, r10
    \insn
    vmrs r1, fpscr
    vmov r0, r2, d2
#ifdef VERBOSE
    PR3 "\name", r0, r2, r1
#endif
    HASH r0
    HASH r2
    HASH r1
    add r5, r5, #1
    cmp r5, #ITER
    blt 2b
    PR2 "\name rnd", r10, r7
    add r4, r4, #1
    cmp r4, #NMODES
    blt 1b
.endm

.macro RDOP name, insn:vararg
    LI r11, 0x9e3779b1
    mov r4, #0
1:  LI r0, modes
    ldr r10, [r0, r4, lsl #2]
    LI r7, 0x12345678
    LI r9, 0x2545f491
    mov r5, #0
2:  bl rnd64
    vmov d0, r0, r1
    bl rnd64
    vmov d1, r0, r1
    bl rnd64
    vmov d2, r0, r1
    vmsr fpscr, r10
    \insn
    vmrs r1, fpscr
    vmov r0, r2, d2
#ifdef VERBOSE
    PR3 "\name", r0, r2, r1
#endif
    HASH r0
    HASH r2
    HASH r1
    add r5, r5, #1
    cmp r5, #ITER
    blt 2b
    PR2 "\name rnd", r10, r7
    add r4, r4, #1
    cmp r4, #NMODES
    blt 1b
.endm

/* xorshift32 in r9; a single with a biased exponent in r0. Clobbers r1, r2. */
FUNC rnd32
    eor r9, r9, r9, lsl #13
    eor r9, r9, r9, lsr #17
    eor r9, r9, r9, lsl #5
    mov r0, r9
    and r1, r9, #15
    cmp r1, #8
    bge 1f
    LI r2, exps32
    ldrb r1, [r2, r1]
    LI r2, 0x7f800000
    bic r0, r0, r2
    orr r0, r0, r1, lsl #23
1:  bx lr

/* A double with a biased exponent in r0 (low), r1 (high). Clobbers r2, r3. */
FUNC rnd64
    eor r9, r9, r9, lsl #13
    eor r9, r9, r9, lsr #17
    eor r9, r9, r9, lsl #5
    mov r0, r9
    eor r9, r9, r9, lsl #13
    eor r9, r9, r9, lsr #17
    eor r9, r9, r9, lsl #5
    mov r1, r9
    and r2, r9, #15
    cmp r2, #8
    bge 1f
    LI r3, exps64
    lsl r2, r2, #1
    ldrh r2, [r3, r2]
    LI r3, 0x7ff00000
    bic r1, r1, r3
    orr r1, r1, r2, lsl #20
1:  bx lr

FUNC main
    push {r4-r11, lr}
    /* Enable cp10/cp11 (full access) and the VFP. */
    LI r0, 0x00f00000
    mcr p15, 0, r0, c1, c0, 2
    isb
    LI r0, 0x40000000
    vmsr fpexc, r0

#if !defined(PART) || PART == 1
    SOP "vadd.f32", N32, vadd.f32 s4, s0, s1
    SOP "vsub.f32", N32, vsub.f32 s4, s0, s1
    SOP "vmul.f32", N32, vmul.f32 s4, s0, s1
    SOP "vnmul.f32", N32, vnmul.f32 s4, s0, s1
    SOP "vdiv.f32", N32, vdiv.f32 s4, s0, s1
    SOP "vmla.f32", N32, vmla.f32 s4, s0, s1
    SOP "vmls.f32", N32, vmls.f32 s4, s0, s1
    SOP "vnmla.f32", N32, vnmla.f32 s4, s0, s1
    SOP "vnmls.f32", N32, vnmls.f32 s4, s0, s1
    SOP "vfma.f32", N32, vfma.f32 s4, s0, s1
    SOP "vfms.f32", N32, vfms.f32 s4, s0, s1
    SOP "vfnma.f32", N32, vfnma.f32 s4, s0, s1
    SOP "vfnms.f32", N32, vfnms.f32 s4, s0, s1
    SOP "vcmp.f32", N32, vcmp.f32 s0, s1
    SOP "vcmpe.f32", N32, vcmpe.f32 s0, s1
    SOP "vcmp.f32 #0", 1, vcmp.f32 s0, #0
    SOP "vcmpe.f32 #0", 1, vcmpe.f32 s0, #0
    SOP "vsqrt.f32", 1, vsqrt.f32 s4, s0
    SOP "vabs.f32", 1, vabs.f32 s4, s0
    SOP "vneg.f32", 1, vneg.f32 s4, s0
    SOP "vmov.f32", 1, vmov.f32 s4, s0
#endif
#if !defined(PART) || PART == 2
    DOP "vadd.f64", N64, vadd.f64 d2, d0, d1
    DOP "vsub.f64", N64, vsub.f64 d2, d0, d1
    DOP "vmul.f64", N64, vmul.f64 d2, d0, d1
    DOP "vnmul.f64", N64, vnmul.f64 d2, d0, d1
    DOP "vdiv.f64", N64, vdiv.f64 d2, d0, d1
    DOP "vmla.f64", N64, vmla.f64 d2, d0, d1
    DOP "vmls.f64", N64, vmls.f64 d2, d0, d1
    DOP "vnmla.f64", N64, vnmla.f64 d2, d0, d1
    DOP "vnmls.f64", N64, vnmls.f64 d2, d0, d1
    DOP "vfma.f64", N64, vfma.f64 d2, d0, d1
    DOP "vfms.f64", N64, vfms.f64 d2, d0, d1
    DOP "vfnma.f64", N64, vfnma.f64 d2, d0, d1
    DOP "vfnms.f64", N64, vfnms.f64 d2, d0, d1
    DOP "vcmp.f64", N64, vcmp.f64 d0, d1
    DOP "vcmpe.f64", N64, vcmpe.f64 d0, d1
    DOP "vcmp.f64 #0", 1, vcmp.f64 d0, #0
    DOP "vcmpe.f64 #0", 1, vcmpe.f64 d0, #0
    DOP "vsqrt.f64", 1, vsqrt.f64 d2, d0
    DOP "vabs.f64", 1, vabs.f64 d2, d0
    DOP "vneg.f64", 1, vneg.f64 d2, d0
    DOP "vmov.f64", 1, vmov.f64 d2, d0
#endif
#if !defined(PART) || PART == 3
    /* conversions */
    SOP "vcvt.f64.f32", 1, vcvt.f64.f32 d2, s0
    DOP "vcvt.f32.f64", 1, vcvt.f32.f64 s4, d0
    SOP "vcvt.s32.f32", 1, vcvt.s32.f32 s4, s0
    SOP "vcvt.u32.f32", 1, vcvt.u32.f32 s4, s0
    SOP "vcvtr.s32.f32", 1, vcvtr.s32.f32 s4, s0
    SOP "vcvtr.u32.f32", 1, vcvtr.u32.f32 s4, s0
    DOP "vcvt.s32.f64", 1, vcvt.s32.f64 s4, d0
    DOP "vcvt.u32.f64", 1, vcvt.u32.f64 s4, d0
    DOP "vcvtr.s32.f64", 1, vcvtr.s32.f64 s4, d0
    DOP "vcvtr.u32.f64", 1, vcvtr.u32.f64 s4, d0
    SOP "vcvt.f32.s32", 1, vcvt.f32.s32 s4, s0
    SOP "vcvt.f32.u32", 1, vcvt.f32.u32 s4, s0
    SOP "vcvt.f64.s32", 1, vcvt.f64.s32 d2, s0
    SOP "vcvt.f64.u32", 1, vcvt.f64.u32 d2, s0
    SOP "vcvt.s32.f32 #1", 1, vcvt.s32.f32 s4, s4, #1
    SOP "vcvt.u32.f32 #16", 1, vcvt.u32.f32 s4, s4, #16
    SOP "vcvt.s16.f32 #3", 1, vcvt.s16.f32 s4, s4, #3
    SOP "vcvt.u16.f32 #16", 1, vcvt.u16.f32 s4, s4, #16
    SOP "vcvt.f32.s32 #32", 1, vcvt.f32.s32 s4, s4, #32
    SOP "vcvt.f32.u32 #7", 1, vcvt.f32.u32 s4, s4, #7
    SOP "vcvt.f32.s16 #1", 1, vcvt.f32.s16 s4, s4, #1
    SOP "vcvt.f32.u16 #16", 1, vcvt.f32.u16 s4, s4, #16
    DOP "vcvt.s32.f64 #31", 1, vcvt.s32.f64 d2, d2, #31
    DOP "vcvt.u32.f64 #1", 1, vcvt.u32.f64 d2, d2, #1
    DOP "vcvt.s16.f64 #8", 1, vcvt.s16.f64 d2, d2, #8
    DOP "vcvt.u16.f64 #2", 1, vcvt.u16.f64 d2, d2, #2
    DOP "vcvt.f64.s32 #5", 1, vcvt.f64.s32 d2, d2, #5
    DOP "vcvt.f64.u32 #32", 1, vcvt.f64.u32 d2, d2, #32
    DOP "vcvt.f64.s16 #16", 1, vcvt.f64.s16 d2, d2, #16
    DOP "vcvt.f64.u16 #1", 1, vcvt.f64.u16 d2, d2, #1
    SOP "vcvtb.f32.f16", 1, vcvtb.f32.f16 s4, s0
    SOP "vcvtt.f32.f16", 1, vcvtt.f32.f16 s4, s0
    SOP "vcvtb.f16.f32", 1, vcvtb.f16.f32 s4, s0
    SOP "vcvtt.f16.f32", 1, vcvtt.f16.f32 s4, s0
#endif
#if !defined(PART) || PART == 4
    .irp op, vadd, vsub, vmul, vnmul, vdiv, vmla, vmls, vnmla, vnmls, vfma, vfms, vfnma, vfnms
    RSOP "\op\().f32", \op\().f32 s4, s0, s1
    RDOP "\op\().f64", \op\().f64 d2, d0, d1
    .endr
    RSOP "vsqrt.f32", vsqrt.f32 s4, s0
    RDOP "vsqrt.f64", vsqrt.f64 d2, d0
    RSOP "vcmpe.f32", vcmpe.f32 s0, s1
    RDOP "vcmpe.f64", vcmpe.f64 d0, d1
    RSOP "vcvt.f64.f32", vcvt.f64.f32 d2, s0
    RDOP "vcvt.f32.f64", vcvt.f32.f64 s4, d0
    RSOP "vcvtr.s32.f32", vcvtr.s32.f32 s4, s0
    RDOP "vcvtr.u32.f64", vcvtr.u32.f64 s4, d0
    RSOP "vcvt.f32.s32", vcvt.f32.s32 s4, s0
    RSOP "vcvt.f64.u32", vcvt.f64.u32 d2, s0
    RSOP "vcvt.s16.f32 #5", vcvt.s16.f32 s4, s4, #5
    RDOP "vcvt.u32.f64 #20", vcvt.u32.f64 d2, d2, #20
    RSOP "vcvtb.f16.f32", vcvtb.f16.f32 s4, s0
    RSOP "vcvtt.f32.f16", vcvtt.f32.f16 s4, s0
#endif
    mov r0, #0
    pop {r4-r11, pc}

    .data
    .balign 4
modes:
    .word 0x00000000, 0x00400000, 0x00800000, 0x00c00000
    .word 0x01000000, 0x01400000, 0x01800000, 0x01c00000
    .word 0x02000000, 0x02400000, 0x02800000, 0x02c00000
    .word 0x03000000, 0x03400000, 0x03800000, 0x03c00000
    .word 0x04000000, 0x07400000

tab32:
    .word 0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3fc00000, 0x40490fdb
    .word 0x7f7fffff, 0xff7fffff, 0x00800000, 0x80800000, 0x007fffff, 0x00000001
    .word 0x80400000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00001, 0x7f800001
    .word 0xff900000, 0x4b800000, 0x4f000000, 0xcf000001, 0x3eaaaaab, 0x5f800000
    .word 0x34000000, 0x7f000000, 0x00ffffff, 0x3f800001, 0x3f807c00, 0x00007e01
    .word 0x40007c01, 0x80000001, 0x7f80fbff, 0x7fc03c00, 0x4effffff, 0xc7800003
    .word 0x477fefff, 0x477ff000, 0x387fc000, 0x33800001, 0x00fffffe, 0x3f7fffff
    .balign 8
tab64:
    .quad 0x0000000000000000, 0x8000000000000000, 0x3ff0000000000000, 0xbff0000000000000
    .quad 0x3ff8000000000000, 0x400921fb54442d18, 0x7fefffffffffffff, 0xffefffffffffffff
    .quad 0x0010000000000000, 0x000fffffffffffff, 0x0000000000000001, 0x8008000000000000
    .quad 0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000, 0xfff8000000000001
    .quad 0x7ff0000000000001, 0xfff4000000000000, 0x41e0000000000000, 0xc1e0000000200000
    .quad 0x3fd5555555555555, 0x3ff0000000000001, 0x7fe0000000000000, 0x47efffffe0000000
    .quad 0x47effffff0000000, 0x3810000000000000, 0x36a0000000000000, 0x36a8000000000000
    .quad 0x3690000000000000, 0x380fffffffffffff, 0x40f0000000000000, 0x4330000000000001
    .quad 0x41dfffffffc00000, 0x41efffffffe00000, 0xc1dfffffffffffff, 0x001fffffffffffff
exps32:
    .byte 0x00, 0xff, 0x7f, 0x7f, 0x80, 0x01, 0xfe, 0x68
    .balign 2
exps64:
    .hword 0x000, 0x7ff, 0x3ff, 0x3ff, 0x400, 0x001, 0x47f, 0x380
