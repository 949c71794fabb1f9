/* hvloop: a synthetic trap workload for the Hyp statistics (issue 6), shaped as a zImage
 * so that `a15emu run --kernel hvloop.bin` starts it in Hyp mode (as a Linux kernel).
 *
 * The "hypervisor" sets HVBAR, HCR.TWI|TVM and VTTBR.VMID = 7, and ERETs into a guest at
 * Non-secure PL1 (SVC). The guest runs ITERS iterations (the word at offset 0x30), each:
 * WORK iterations of a 2-instruction busy loop (the word at 0x34), then
 *   HVC #0 with r0 = PSCI_VERSION (0x84000000)
 *   HVC #0xEA1 with r12 = 29 (Xen's sched_op)
 *   MCR SCTLR (trapped by HCR.TVM; the handler skips it)
 *   WFI (trapped by HCR.TWI; skipped)
 * so 4 traps per iteration: 2 HVC, 1 MCR/MRC CP15, 1 WFI/WFE. Then HVC #1: the
 * hypervisor powers the board off (V2M SYS_CFGCTRL SHUTDOWN).
 *
 * Build: arm-none-eabi-as -o hvloop.o hvloop.S && arm-none-eabi-objcopy -O binary hvloop.o hvloop.bin
 * hvloop.elf, the same linked where a15emu loads the zImage (for --symbols tests):
 * arm-none-eabi-ld -Ttext=0x80008000 -o hvloop.elf hvloop.o
 */
    .syntax unified
    .arch armv7-a
    .arch_extension virt
    .arch_extension sec
    .arm
_start:
    b   reset
    .org 0x24
    .word 0x016f2818            @ zImage magic
    .word 0                     @ start
    .word end - _start          @ end
    .org 0x30
iters:  .word 1000              @ patched by tests and the bench
work:   .word 10
reset:
    adr r0, hvec
    mcr p15, 4, r0, c12, c0, 0  @ HVBAR
    mov r0, #(1 << 26)          @ HCR.TVM
    orr r0, r0, #(1 << 13)      @ HCR.TWI
    mcr p15, 4, r0, c1, c1, 0   @ HCR
    mov r0, #0
    mov r1, #(7 << 16)          @ VMID 7
    mcrr p15, 6, r0, r1, c2     @ VTTBR
    mov r0, #0x1d3              @ SVC, A/I/F masked
    msr spsr_fsxc, r0
    adr lr, guest
    msr elr_hyp, lr
    eret

    .balign 32
hvec:
    b .                         @ reset
    b .                         @ undef
    b .                         @ hvc from Hyp
    b .                         @ prefetch abort
    b .                         @ data abort
    b trap                      @ hyp trap
    b .                         @ irq
    b .                         @ fiq
trap:
    mrc p15, 4, r11, c5, c2, 0  @ HSR
    lsr r10, r11, #26
    cmp r10, #0x12              @ HVC: ELR is already past it
    beq hvc
    mrs r10, elr_hyp            @ a trapped instruction: skip it
    add r10, r10, #4
    msr elr_hyp, r10
    eret
hvc:
    uxth r10, r11
    cmp r10, #1
    eretne                      @ HVC #0 and #0xEA1: return to the guest
    ldr r0, =0x1c010000         @ V2M sysregs
    ldr r1, =0xc0800000         @ SYS_CFGCTRL: start, write, SHUTDOWN
    str r1, [r0, #0xa4]
1:  b 1b

guest:
    ldr r4, iters
    ldr r9, work
    mrc p15, 0, r1, c1, c0, 0   @ SCTLR (reads are not trapped)
1:  mov r5, r9
2:  subs r5, r5, #1
    bgt 2b
    mov r0, #0x84000000
    hvc #0
    mov r12, #29
    hvc #0xea1
    mcr p15, 0, r1, c1, c0, 0
    wfi
    subs r4, r4, #1
    bne 1b
    hvc #1
3:  b 3b
    .ltorg
end:
