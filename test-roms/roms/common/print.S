/* Console output and exit over Arm semihosting (SVC 0x123456 from A32).
 *
 * Every function here is A32, callable from A32 and T32 (BL/BLX), must be called from a
 * privileged mode (QEMU ignores semihosting calls from User mode), and preserves every
 * register and the APSR flags (NZCVQ, GE) except where noted.
 */
#include "test.h"

#define SYS_WRITEC 0x03
#define SYS_WRITE0 0x04
#define SYS_EXIT   0x18

    .text
    .arm

/* putc(r0 = character) */
AFUNC putc
    push {r0, r1, r2, lr}
    mrs r2, apsr
    strb r0, [sp, #-4]!
    mov r1, sp
    mov r0, #SYS_WRITEC
    svc 0x123456
    add sp, sp, #4
    msr APSR_nzcvqg, r2
    pop {r0, r1, r2, pc}

/* puts(r0 = NUL-terminated string), no newline */
AFUNC puts
    push {r0, r1, r2, lr}
    mrs r2, apsr
    mov r1, r0
    mov r0, #SYS_WRITE0
    svc 0x123456
    msr APSR_nzcvqg, r2
    pop {r0, r1, r2, pc}

/* puts_nl(r0 = string): the string and a newline */
AFUNC puts_nl
    push {r0, lr}
    bl puts
    mov r0, #'\n'
    bl putc
    pop {r0, pc}

/* Appends " XXXXXXXX" (r1) at r0; returns r0 past it. Clobbers r2, r3. */
append_hex:
    mov r2, #' '
    strb r2, [r0], #1
    mov r3, #28
1:  lsr r2, r1, r3
    and r2, r2, #15
    cmp r2, #10
    addlo r2, r2, #'0'
    addhs r2, r2, #('a' - 10)
    strb r2, [r0], #1
    subs r3, r3, #4
    bpl 1b
    bx lr

/* print_line(r0 = name, r1 = count (0-4), r2 = pointer to values):
 * prints "name: v0 v1 ...\n" with one semihosting call. */
AFUNC print_line
    push {r0-r7, lr}
    mrs r7, apsr
    sub sp, sp, #256
    mov r4, r1
    mov r5, r2
    mov r6, r0
    mov r0, sp
    /* name, truncated to 200 characters */
    mov r3, #200
1:  ldrb r2, [r6], #1
    cmp r2, #0
    beq 2f
    strb r2, [r0], #1
    subs r3, r3, #1
    bne 1b
2:  mov r2, #':'
    strb r2, [r0], #1
3:  subs r4, r4, #1
    bmi 4f
    ldr r1, [r5], #4
    bl append_hex
    b 3b
4:  mov r2, #'\n'
    strb r2, [r0], #1
    mov r2, #0
    strb r2, [r0]
    mov r1, sp
    mov r0, #SYS_WRITE0
    svc 0x123456
    add sp, sp, #256
    msr APSR_nzcvqg, r7
    pop {r0-r7, pc}

/* print_kv(r0 = name, r1 = value) */
AFUNC print_kv
    push {r1, r2, lr}
    add r2, sp, #0
    mov r1, #1
    bl print_line
    pop {r1, r2, pc}

/* print_kv2(r0 = name, r1, r2) */
AFUNC print_kv2
    push {r1, r2, lr}
    mov r2, sp
    mov r1, #2
    bl print_line
    pop {r1, r2, pc}

/* print_kv3(r0 = name, r1, r2, r3) */
AFUNC print_kv3
    push {r1, r2, r3, lr}
    mov r2, sp
    mov r1, #3
    bl print_line
    pop {r1, r2, r3, pc}

/* print_kvf(r0 = name, r1): "name: r1 flags" (flags = APSR & 0xf80f0000) */
AFUNC print_kvf
    push {r1, r2, r3, lr}
    mrs r2, apsr
    bic r2, r2, #0x07f00000
    bic r2, r2, #0x0000ff00
    bic r2, r2, #0x000000ff
    push {r1, r2}
    mov r2, sp
    mov r1, #2
    bl print_line
    add sp, sp, #8
    pop {r1, r2, r3, pc}

/* print_kv2f(r0 = name, r1, r2): "name: r1 r2 flags" */
AFUNC print_kv2f
    push {r1, r2, r3, lr}
    mrs r3, apsr
    bic r3, r3, #0x07f00000
    bic r3, r3, #0x0000ff00
    bic r3, r3, #0x000000ff
    push {r1, r2, r3}
    mov r2, sp
    mov r1, #3
    bl print_line
    add sp, sp, #12
    pop {r1, r2, r3, pc}

/* print_flags(r0 = name): "name: flags" */
AFUNC print_flags
    push {r1, r2, lr}
    mrs r1, apsr
    bic r1, r1, #0x07f00000
    bic r1, r1, #0x0000ff00
    bic r1, r1, #0x000000ff
    push {r1}
    mov r2, sp
    mov r1, #1
    bl print_line
    add sp, sp, #4
    pop {r1, r2, pc}

/* exit(r0 = 0 for success, anything else for failure); does not return. */
AFUNC exit
    cmp r0, #0
    ldreq r1, =0x20026          /* ADP_Stopped_ApplicationExit */
    ldrne r1, =0x20023          /* ADP_Stopped_RunTimeErrorUnknown */
    mov r0, #SYS_EXIT
    svc 0x123456
1:  b 1b
    .ltorg
