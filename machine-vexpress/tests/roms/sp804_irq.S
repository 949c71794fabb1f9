@ Takes an SP804 timer interrupt (timer01, SPI 2 = interrupt ID 34) through the GIC
@ while waiting in WFI, prints "IRQ" and the acknowledged ID - 32 on UART0, powers off.
    .arm
    .globl _start
_start:
    ldr r0, =vectors
    mcr p15, 0, r0, c12, c0, 0  @ VBAR
    cps #0x12
    ldr sp, =0x80100000
    cps #0x13
    ldr sp, =0x80200000
    ldr r4, =0x2c001000         @ GICD
    mov r1, #1
    str r1, [r4]                @ GICD_CTLR.EnableGrp0
    mov r1, #4
    str r1, [r4, #0x104]        @ GICD_ISENABLER1: ID 34
    ldr r5, =0x2c002000         @ GICC
    mov r1, #0xf0
    str r1, [r5, #4]            @ GICC_PMR
    mov r1, #1
    str r1, [r5]                @ GICC_CTLR.EnableGrp0
    ldr r6, =0x1c110000         @ SP804 timer01
    ldr r1, =1000
    str r1, [r6]                @ Timer1Load: 1000 ticks of 1 MHz
    mov r1, #0xa3               @ enable | int enable | 32-bit | one-shot
    str r1, [r6, #8]
    cpsie i
wait:
    wfi
    ldr r1, =irqid
    ldr r2, [r1]
    cmp r2, #0
    beq wait
    ldr r0, =0x1c090000
    mov r3, #'I'
    str r3, [r0]
    mov r3, #'R'
    str r3, [r0]
    mov r3, #'Q'
    str r3, [r0]
    sub r2, r2, #32
    add r2, r2, #'0'
    str r2, [r0]
    mov r3, #'\n'
    str r3, [r0]
    ldr r0, =0x1c010000
    ldr r1, =0xc0800000
    str r1, [r0, #0xa4]         @ SYS_CFGCTRL: SHUTDOWN
1:  b 1b

irq:
    push {r0-r3}
    ldr r0, =0x2c002000
    ldr r1, [r0, #0xc]          @ GICC_IAR
    ldr r2, =0x1c110000
    str r2, [r2, #0xc]          @ Timer1IntClr
    ldr r3, =irqid
    str r1, [r3]
    str r1, [r0, #0x10]         @ GICC_EOIR
    pop {r0-r3}
    subs pc, lr, #4

    .align 5
vectors:
    b .
    b .
    b .
    b .
    b .
    b .
    b irq
    b .
    .ltorg
    .align 2
irqid: .word 0
