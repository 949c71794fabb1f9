@ Writes a message to UART0 (PL011 at 0x1c090000), then powers the board off through
@ the V2M SYS_CFGCTRL (start | write | function 8 SHUTDOWN, site 0 = 0xc0800000).
@ Build: see build.sh.
    .arm
    .globl _start
_start:
    ldr r0, =0x1c090000
    ldr r1, =0x301              @ UARTCR: UARTEN | TXE | RXE
    str r1, [r0, #0x30]
    adr r1, msg
1:  ldrb r2, [r1], #1
    cmp r2, #0
    strne r2, [r0]
    bne 1b
    ldr r0, =0x1c010000
    ldr r1, =0xc0800000
    str r1, [r0, #0xa4]         @ SYS_CFGCTRL
2:  b 2b
msg: .asciz "hello from UART0\n"
    .align 2
    .ltorg
