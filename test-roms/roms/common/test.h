/* Common definitions for the bare-metal test programs (GNU assembler, C preprocessor).
 *
 * Build a program as A32 (default) or T32 (-DTHUMB): `CODE` selects the instruction set
 * for what follows. The print helpers in print.S are A32 functions; BL to them from
 * T32 code becomes BLX (the linker interworks), and they preserve every register and the
 * flags (NZCVQ, GE).
 */
#ifndef TEST_H
#define TEST_H

#define MODE_USR 0x10
#define MODE_FIQ 0x11
#define MODE_IRQ 0x12
#define MODE_SVC 0x13
#define MODE_ABT 0x17
#define MODE_UND 0x1b
#define MODE_SYS 0x1f

    .syntax unified

/* Selects the program's instruction set. */
.macro CODE
#ifdef THUMB
    .thumb
#else
    .arm
#endif
.endm

/* Declares a global function in the current instruction set. */
.macro FUNC name
    .global \name
    .type \name, %function
#ifdef THUMB
    .thumb_func
#endif
\name:
.endm

/* Declares a global A32 function. */
.macro AFUNC name
    .global \name
    .type \name, %function
    .arm
\name:
.endm

/* Declares a global T32 function. */
.macro TFUNC name
    .global \name
    .type \name, %function
    .thumb
    .thumb_func
\name:
.endm

/* Loads a 32-bit constant or address (no literal pool). */
.macro LI reg, val
    movw \reg, #:lower16:(\val)
    movt \reg, #:upper16:(\val)
.endm

/* Loads the address of a new constant string. */
.macro STRADDR reg, text
    .pushsection .rodata.str, "a"
9990:
    .asciz "\text"
    .popsection
    LI \reg, 9990b
.endm

/* Prints "text\n". */
.macro SAY text
    push {r0-r3, r12, lr}
    STRADDR r0, "\text"
    bl puts_nl
    pop {r0-r3, r12, lr}
.endm

/* Prints "text: XXXXXXXX\n" with the value of a register (not SP or PC). */
.macro PR text, reg
    push {r0-r3, r12, lr}
    mov r1, \reg
    STRADDR r0, "\text"
    bl print_kv
    pop {r0-r3, r12, lr}
.endm

/* Prints "text: XXXXXXXX FFFFFFFF\n": a register and the flags (APSR & 0xf80f0000). */
.macro PRF text, reg
    push {r0-r3, r12, lr}
    mov r1, \reg
    STRADDR r0, "\text"
    bl print_kvf
    pop {r0-r3, r12, lr}
.endm

/* Prints "text: XXXXXXXX YYYYYYYY\n" with two registers (not SP or PC, not r12 as the
 * second). */
.macro PR2 text, reg1, reg2
    push {r0-r3, r12, lr}
    mov r12, \reg2
    mov r1, \reg1
    mov r2, r12
    STRADDR r0, "\text"
    bl print_kv2
    pop {r0-r3, r12, lr}
.endm

/* Like PR2 plus the flags. */
.macro PR2F text, reg1, reg2
    push {r0-r3, r12, lr}
    mov r12, \reg2
    mov r1, \reg1
    mov r2, r12
    STRADDR r0, "\text"
    bl print_kv2f
    pop {r0-r3, r12, lr}
.endm

/* Prints "text: FFFFFFFF\n": the flags (APSR & 0xf80f0000). */
.macro PRFLAGS text
    push {r0-r3, r12, lr}
    STRADDR r0, "\text"
    bl print_flags
    pop {r0-r3, r12, lr}
.endm

/* Sets NZCVQ and GE to \val (the other APSR bits of \val are ignored). Uses \tmp. */
.macro SETFLAGS val, tmp=r12
    LI \tmp, \val
    msr APSR_nzcvqg, \tmp
.endm

/* Points exception vector `vec` (und, svc, pabt, dabt, hyp, irq, fiq) at `handler`;
 * UNHOOK restores the default. Clobbers r0, r1. */
.macro HOOK vec, handler
    LI r0, \handler
    LI r1, hook_\vec
    str r0, [r1]
.endm

.macro UNHOOK vec
    HOOK \vec, default_\vec
.endm

#endif
