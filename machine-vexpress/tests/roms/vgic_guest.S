@ A list-register interrupt delivered to a guest, end to end. After the physical GIC is
@ set up with the maintenance interrupt (PPI 25) enabled, the "hypervisor" sets
@ HCR.IMO, puts virtual interrupt 27 (priority 0xa0, EOI maintenance requested) in
@ GICH_LR0 and ERETs to a Non-secure SVC guest. The guest
@ enables its virtual CPU interface and takes the virtual IRQ at its own vector, records
@ GICV_IAR and ends the interrupt (GICV_EOIR). The EOI raises the maintenance interrupt,
@ which HCR.IMO routes to Hyp: the Hyp IRQ vector records GICC_IAR, GICH_EISR0,
@ GICH_MISR and GICH_LR0. Then it forwards physical SPI 40 (taken with EOImode 1) as
@ virtual 80 in a hardware list register (HW, PhysicalID 40) and acknowledges and ends
@ it through GICV itself: the virtual EOI deactivates SPI 40 in the distributor. It
@ prints the results on UART0 and powers the board off.
@ Results at 0x80002000 (and printed in hex, one a line): guest IAR, Hyp IAR, EISR0,
@ MISR, LR0, the guest handler's mode, GICC_IAR (40), GICD_ISACTIVER1 before and after
@ the virtual EOI with GICV_IAR (80) between, GICH_LR1 after.
@ Started in Hyp mode (a15emu's board test) it runs as it is; started in Secure SVC (QEMU's
@ vexpress-a15,virtualization=on with this ELF) it enters Hyp through Monitor mode (SCR.NS
@ and HCE set, exception return to Hyp).
    .arm
    .arch_extension virt
    .globl _start
_start:
    b hyp_start

    .org 0x20
hyp_vectors:
    b .                         @ reset
    b .                         @ undefined
    b .                         @ hvc
    b .                         @ prefetch abort
    b .                         @ data abort
    b .                         @ hyp trap
    b hyp_irq                   @ irq
    b .                         @ fiq

    .org 0x60
guest_vectors:
    b .
    b .
    b .
    b .
    b .
    b .
    b guest_irq
    b .

hyp_start:
    @ Firmware's part (Secure on QEMU, whose GIC has the Security Extensions here): the
    @ maintenance interrupt in Group 1, enabled; both groups on; AckCtl so that GICC_IAR
    @ acknowledges Group 1 on a GIC without them (a15emu).
    ldr r4, =0x2c001000         @ GICD
    mov r1, #(1 << 25)
    str r1, [r4, #0x80]         @ GICD_IGROUPR0: PPI 25 in Group 1
    str r1, [r4, #0x100]        @ GICD_ISENABLER0: PPI 25
    mov r1, #(1 << 8)
    str r1, [r4, #0x84]         @ GICD_IGROUPR1: SPI 40 in Group 1
    str r1, [r4, #0x104]        @ GICD_ISENABLER1: SPI 40
    mov r1, #1
    strb r1, [r4, #0x828]       @ GICD_ITARGETSR: SPI 40 to CPU 0
    mov r1, #3
    str r1, [r4]                @ GICD_CTLR: EnableGrp0, EnableGrp1
    ldr r5, =0x2c002000         @ GICC
    mov r1, #0xf0
    str r1, [r5, #4]            @ GICC_PMR
    mov r1, #7
    str r1, [r5]                @ GICC_CTLR: EnableGrp0, EnableGrp1, AckCtl
    mrs r0, cpsr
    and r0, r0, #0x1f
    cmp r0, #0x1a
    beq in_hyp
    cps #0x16                   @ Monitor
    mov r0, #0x31               @ SCR: NS, FW, AW
    orr r0, r0, #0x100          @ SCR.HCE
    mcr p15, 0, r0, c1, c1, 0
    isb
    ldr r0, =0x1da              @ Hyp, A/I/F masked
    msr spsr_cxsf, r0
    ldr lr, =in_hyp
    movs pc, lr
in_hyp:
    ldr r0, =hyp_vectors
    mcr p15, 4, r0, c12, c0, 0  @ HVBAR
    ldr r0, =guest_vectors
    mcr p15, 0, r0, c12, c0, 0  @ VBAR (Non-secure)
    ldr r6, =0x2c004000         @ GICH
    mov r1, #1
    str r1, [r6]                @ GICH_HCR.En
    ldr r1, =(1 << 28) | (0x14 << 23) | (1 << 19) | 27
    str r1, [r6, #0x100]        @ GICH_LR0: pending, priority 0xa0, EOI, ID 27
    mov r1, #(1 << 4)
    mcr p15, 4, r1, c1, c1, 0   @ HCR.IMO
    ldr r1, =guest
    msr elr_hyp, r1
    mov r1, #0x13               @ SVC, IRQ unmasked
    msr spsr_cxsf, r1
    ldr sp, =0x80100000
    eret

guest:
    ldr sp, =0x80200000
    ldr r4, =0x2c006000         @ GICV (the guest's "GICC")
    mov r1, #0xf0
    str r1, [r4, #4]            @ GICV_PMR
    mov r1, #1
    str r1, [r4]                @ GICV_CTLR.EnableGrp0
1:  wfi
    b 1b

guest_irq:
    ldr r4, =0x2c006000
    ldr r1, [r4, #0xc]          @ GICV_IAR
    ldr r2, =results
    str r1, [r2]
    mrs r3, cpsr
    and r3, r3, #0x1f
    str r3, [r2, #20]
    str r1, [r4, #0x10]         @ GICV_EOIR
1:  b 1b                        @ the maintenance interrupt takes us to Hyp

hyp_irq:
    ldr r2, =results
    ldr r5, =0x2c002000
    ldr r1, [r5, #0xc]          @ GICC_IAR
    str r1, [r2, #4]
    ldr r6, =0x2c004000
    ldr r1, [r6, #0x20]         @ GICH_EISR0
    str r1, [r2, #8]
    ldr r1, [r6, #0x10]         @ GICH_MISR
    str r1, [r2, #12]
    ldr r1, [r6, #0x100]        @ GICH_LR0
    str r1, [r2, #16]
    @ Maintenance handled: free LR0, end PPI 25.
    mov r1, #0
    str r1, [r6, #0x100]
    mov r1, #25
    str r1, [r5, #0x10]         @ GICC_EOIR
    @ A hardware interrupt: physical SPI 40, taken with EOImode 1 (priority drop only),
    @ forwarded as virtual 80 with GICH_LR1.HW; the virtual EOI deactivates SPI 40.
    mov r1, #0x200
    orr r1, r1, #7
    str r1, [r5]                @ GICC_CTLR: + EOImode
    ldr r4, =0x2c001000
    mov r1, #(1 << 8)
    str r1, [r4, #0x204]        @ GICD_ISPENDR1: SPI 40
    ldr r1, [r5, #0xc]          @ GICC_IAR
    str r1, [r2, #24]
    str r1, [r5, #0x10]         @ GICC_EOIR: priority drop
    ldr r1, [r4, #0x304]        @ GICD_ISACTIVER1
    str r1, [r2, #28]
    ldr r1, =(1 << 31) | (1 << 28) | (0x14 << 23) | (40 << 10) | 80
    str r1, [r6, #0x104]        @ GICH_LR1: HW, pending, PhysicalID 40, VirtualID 80
    ldr r7, =0x2c006000         @ GICV, used here on the guest's behalf
    ldr r1, [r7, #0xc]          @ GICV_IAR
    str r1, [r2, #32]
    str r1, [r7, #0x10]         @ GICV_EOIR (guest EOImode 0: deactivates)
    ldr r1, [r4, #0x304]        @ GICD_ISACTIVER1
    str r1, [r2, #36]
    ldr r1, [r6, #0x104]        @ GICH_LR1
    str r1, [r2, #40]
    ldr r0, =0x1c090000         @ UART0
    mov r7, #0
2:  ldr r1, [r2, r7, lsl #2]
    mov r8, #28
3:  lsr r3, r1, r8
    and r3, r3, #0xf
    cmp r3, #10
    addlt r3, r3, #'0'
    addge r3, r3, #('a' - 10)
    str r3, [r0]
    subs r8, r8, #4
    bge 3b
    mov r3, #'\n'
    str r3, [r0]
    add r7, r7, #1
    cmp r7, #11
    blt 2b
    ldr r0, =0x1c010000
    ldr r1, =0xc0800000
    str r1, [r0, #0xa4]         @ SYS_CFGCTRL: SHUTDOWN
1:  b 1b
    .ltorg

    .org 0x2000
results:
    .word 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
