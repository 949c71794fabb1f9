/* Exceptions: SVC round trip (from SVC and from User mode), UDF (and an undefined
 * coprocessor access) to the undefined handler, BKPT to the prefetch abort handler,
 * alignment faults (SCTLR.A=1 loads/stores; LDRD, LDM, LDREX misaligned with A=0), an
 * access to unmapped physical addresses (QEMU: read as zero, writes ignored, no abort). Handlers
 * print LR relative to the faulting instruction, SPSR, and the fault status/address
 * registers. A32 and T32 programs; the handlers are A32. */
#include "common/test.h"
    CODE
    .text

/* Records the address of the next checked instruction (label 1 after this) in `faddr`. */
.macro MARK
    LI r11, 1f
    LI r10, faddr
    str r11, [r10]
.endm

FUNC main
    push {r4-r11, lr}
    HOOK svc, svc_handler
    HOOK und, und_handler
    HOOK pabt, pabt_handler
    HOOK dabt, dabt_handler

    SAY "== svc"
    MARK
1:  svc #0x42
    PR "after svc r0", r0
    MARK
1:  svc #0xab & 0x0f
    SETFLAGS 0xf80f0000
    MARK
1:  svc #3
    PRFLAGS "flags kept across svc"
    /* to User mode and back: svc #7 returns in SVC mode */
    cps #MODE_USR
    MARK
1:  svc #7
    mrs r0, cpsr
    PR "cpsr after svc 7", r0

    SAY "== undefined"
#ifdef THUMB
    MARK
1:  udf #0x12
    MARK
1:  udf.w #0x1234
    MARK
1:  mrc p7, 0, r0, c0, c0, 0
#else
    MARK
1:  udf #0x1234
    MARK
1:  mrc p7, 0, r0, c0, c0, 0
    MARK
1:  .word 0xe7f000f0
#endif

    SAY "== bkpt"
    MARK
1:  bkpt #0x11
    MARK
1:  bkpt #0x22

    SAY "== alignment faults"
    LI r4, data
    mov r6, #1
    mov r7, #3
    mov r8, #2
    mrc p15, 0, r0, c1, c0, 0
    orr r0, r0, #2
    mcr p15, 0, r0, c1, c0, 0
    isb
    MARK
1:  ldr r0, [r4, r6]
    MARK
1:  ldrh r0, [r4, r7]
    MARK
1:  str r0, [r4, r8]
    add r5, r4, #1
    MARK
1:  ldr r0, [r5]
    MARK
1:  ldrb r0, [r4, #3]
    PR "ldrb with A=1 ok", r0
    mrc p15, 0, r0, c1, c0, 0
    bic r0, r0, #2
    mcr p15, 0, r0, c1, c0, 0
    isb
    SAY "with A=0"
    add r9, r4, #2
    MARK
1:  ldrd r0, r1, [r9]
    MARK
1:  ldm r5, {r0, r1}
    MARK
1:  ldrex r0, [r5]
    add r5, r4, #4
    MARK
1:  ldrexd r0, r1, [r5]

    SAY "== unmapped physical addresses"
    .irp addr, 0x40000000, 0x60000000, 0x7ffffff0, 0x30000000
    LI r4, \addr
    LI r0, 0x5a5a5a5a
    MARK
1:  ldr r0, [r4]
    PR "read \addr", r0
    MARK
1:  str r0, [r4]
    .endr

    UNHOOK svc
    UNHOOK und
    UNHOOK pabt
    UNHOOK dabt
    mov r0, #0
    pop {r4-r11, pc}

    .arm
/* Prints "text: lr-addr spsr fsr", then returns past the faulting instruction (at faddr,
 * A32 or T32 as the SPSR says), or to `recover` if set (in the program's state; unused
 * since QEMU's vexpress-a15 has no address that aborts: unmapped ones read as zero). */
.macro HANDLER name, text, fsr=
AFUNC \name
    push {r0-r4, r12, lr}
    LI r4, faddr
    ldr r4, [r4]
    sub r1, lr, r4
    mrs r2, spsr
    .ifnb \fsr
    mrc p15, 0, r3, \fsr
    .else
    mov r3, #0
    .endif
    LI r0, 9f
    bl print_kv3
    .pushsection .rodata.str, "a"
9:  .asciz "\text"
    .popsection
    LI r0, recover
    ldr r0, [r0]
    cmp r0, #0
    beq 7f
    mrs r2, spsr
#ifdef THUMB
    orr r2, r2, #0x20
#else
    bic r2, r2, #0x20
#endif
    msr spsr_cxsf, r2
    b 8f
7:  mrs r2, spsr
    tst r2, #0x20
    add r0, r4, #4
    beq 8f
    ldrh r2, [r4]
    lsr r2, r2, #11
    cmp r2, #0x1d
    addlo r0, r4, #2
8:  str r0, [sp, #24]
    pop {r0-r4, r12, lr}
    movs pc, lr
.endm

    HANDLER und_handler, "  undefined: lr-addr spsr"
    HANDLER pabt_handler, "  prefetch abort: lr-addr spsr ifsr", "c5, c0, 1"

AFUNC dabt_handler
    push {r0-r4, r12, lr}
    mrc p15, 0, r1, c5, c0, 0
    mrc p15, 0, r2, c6, c0, 0
    LI r0, dfsr_name
    bl print_kv2
    pop {r0-r4, r12, lr}
    b dabt_handler2
    HANDLER dabt_handler2, "  data abort: lr-addr spsr"

/* SVC: prints the immediate too; svc #7 returns in SVC mode. */
AFUNC svc_handler
    push {r0-r4, r12, lr}
    LI r4, faddr
    ldr r4, [r4]
    sub r1, lr, r4
    mrs r2, spsr
    tst r2, #0x20
    ldreq r3, [lr, #-4]
    biceq r3, r3, #0xff000000
    ldrhne r3, [lr, #-2]
    andne r3, r3, #0xff
    LI r0, svc_name
    bl print_kv3
    cmp r3, #7
    mrseq r2, spsr
    biceq r2, r2, #0x1f
    orreq r2, r2, #MODE_SVC
    msreq spsr_cxsf, r2
    pop {r0-r4, r12, lr}
    mov r0, #0x5c
    movs pc, lr

    .ltorg
    .section .rodata
svc_name: .asciz "  svc: lr-addr spsr imm"
dfsr_name: .asciz "  dfsr dfar"

    .data
    .balign 8
data: .word 0x11223344, 0x55667788, 0x99aabbcc, 0xddeeff00
faddr: .word 0
recover: .word 0
