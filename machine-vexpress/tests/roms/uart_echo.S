@ Echoes UART0 input back to UART0, interrupt driven (RX and receive-timeout through
@ the GIC, SPI 5 = interrupt ID 37), waiting in WFI between interrupts with no timer
@ running. A received 'q' powers the board off; a character received with an error
@ flag (e.g. overrun) is preceded by '!'.
@ The word at offset 4 is the UARTLCR_H value: 0x70 (8 bits, FIFOs on) as built; the
@ tests patch it to 0x60 to use the one-byte holding register instead.
    .arm
    .globl _start
_start:
    b start
lcr_h: .word 0x70
start:
    ldr r0, =vectors
    mcr p15, 0, r0, c12, c0, 0  @ VBAR
    cps #0x12
    ldr sp, =0x80100000
    cps #0x13
    ldr sp, =0x80200000
    ldr r4, =0x2c001000         @ GICD
    mov r1, #1
    str r1, [r4]                @ GICD_CTLR.EnableGrp0
    mov r1, #0x20
    str r1, [r4, #0x104]        @ GICD_ISENABLER1: ID 37
    ldr r5, =0x2c002000         @ GICC
    mov r1, #0xf0
    str r1, [r5, #4]            @ GICC_PMR
    mov r1, #1
    str r1, [r5]                @ GICC_CTLR.EnableGrp0
    ldr r6, =0x1c090000         @ UART0
    ldr r1, lcr_h
    str r1, [r6, #0x2c]         @ UARTLCR_H
    mov r1, #0x50
    str r1, [r6, #0x38]         @ UARTIMSC: RX | RT
    ldr r1, =0x301
    str r1, [r6, #0x30]         @ UARTCR: UARTEN | TXE | RXE
    cpsie i
wait:
    wfi
    b wait

irq:
    push {r0-r4}
    ldr r0, =0x2c002000
    ldr r1, [r0, #0xc]          @ GICC_IAR
    ldr r2, =0x1c090000
1:  ldr r3, [r2, #0x18]         @ UARTFR
    tst r3, #0x10               @ RXFE
    bne 2f
    ldr r3, [r2]                @ UARTDR
    tst r3, #0xf00
    movne r4, #'!'
    strne r4, [r2]
    and r3, r3, #0xff
    cmp r3, #'q'
    beq poweroff
    str r3, [r2]
    b 1b
2:  str r1, [r0, #0x10]         @ GICC_EOIR
    pop {r0-r4}
    subs pc, lr, #4

poweroff:
    ldr r0, =0x1c010000
    ldr r1, =0xc0800000
    str r1, [r0, #0xa4]         @ SYS_CFGCTRL: SHUTDOWN
3:  b 3b

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
