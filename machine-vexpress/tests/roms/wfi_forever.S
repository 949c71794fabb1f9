@ WFI with interrupts masked and no timer running: nothing can wake the core.
    .arm
    .globl _start
_start:
    wfi
    b _start
