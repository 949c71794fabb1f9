/* Start-up code for the bare-metal test programs.
 *
 * QEMU's vexpress-a15 `-kernel prog.elf` (and a15emu's program loader) start at the ELF
 * entry in SVC mode, A32, with IRQ/FIQ/asynchronous aborts masked and the MMU off.
 * This code records the CPSR it was entered with (entry_cpsr), points VBAR at the vector
 * table below, gives every mode a stack, clears .bss and calls main (A32 or T32) in SVC
 * mode. main returns 0 for success; anything else exits with a failure status.
 *
 * Exception vectors jump through the hook table (hook_und ... hook_fiq), which programs
 * may overwrite with their own handlers (A32 or T32 addresses); a handler is entered with
 * every register as the exception left it. The default handlers print what happened and
 * exit with a failure status.
 */
#include "test.h"
#define STACK_SIZE 4096

    .arm
    .section .vectors, "ax"
    .global _start, vectors
    .balign 32
_start:
vectors:
    b reset_entry
    ldr pc, hook_und
    ldr pc, hook_svc
    ldr pc, hook_pabt
    ldr pc, hook_dabt
    ldr pc, hook_hyp
    ldr pc, hook_irq
    ldr pc, hook_fiq

    .global hook_und, hook_svc, hook_pabt, hook_dabt, hook_hyp, hook_irq, hook_fiq
hook_und:  .word default_und
hook_svc:  .word default_svc
hook_pabt: .word default_pabt
hook_dabt: .word default_dabt
hook_hyp:  .word default_hyp
hook_irq:  .word default_irq
hook_fiq:  .word default_fiq

    .text
    .arm
reset_entry:
    ldr r12, =entry_regs
    stm r12, {r0-r3}
    mrs r4, cpsr
    ldr r0, =entry_cpsr
    str r4, [r0]
    /* Vectors at VBAR, low vectors, exceptions taken in A32, alignment checks off. */
    ldr r0, =vectors
    mcr p15, 0, r0, c12, c0, 0
    mrc p15, 0, r0, c1, c0, 0
    bic r0, r0, #(1 << 13)          /* V */
    bic r0, r0, #(1 << 30)          /* TE */
    bic r0, r0, #(1 << 1)           /* A */
    mcr p15, 0, r0, c1, c0, 0
    isb
    /* A stack for every mode; IRQ and FIQ stay masked. */
    cps #MODE_FIQ
    ldr sp, =stack_fiq + STACK_SIZE
    cps #MODE_IRQ
    ldr sp, =stack_irq + STACK_SIZE
    cps #MODE_ABT
    ldr sp, =stack_abt + STACK_SIZE
    cps #MODE_UND
    ldr sp, =stack_und + STACK_SIZE
    cps #MODE_SYS
    ldr sp, =stack_usr + STACK_SIZE
    cps #MODE_SVC
    ldr sp, =stack_svc + STACK_SIZE
    /* Clear .bss. */
    ldr r0, =__bss_start
    ldr r1, =__bss_end
    mov r2, #0
1:  cmp r0, r1
    strlo r2, [r0], #4
    blo 1b
    mov r0, #0
    mov r1, #0
    mov r2, #0
    mov r3, #0
    ldr r12, =main
    blx r12
    b exit

/* Default handlers: report and fail. */
.macro DEFAULT_HANDLER name, text
    .global \name
\name:
    ldr r0, =9f
    mov r1, lr
    mrs r2, spsr
    bl print_kv2
    mov r0, #1
    b exit
    .pushsection .rodata.str, "a"
9:  .asciz "\text"
    .popsection
.endm

    DEFAULT_HANDLER default_und, "unexpected undefined instruction: lr spsr"
    DEFAULT_HANDLER default_svc, "unexpected svc: lr spsr"
    DEFAULT_HANDLER default_pabt, "unexpected prefetch abort: lr spsr"
    DEFAULT_HANDLER default_hyp, "unexpected hyp trap: lr spsr"
    DEFAULT_HANDLER default_irq, "unexpected irq: lr spsr"
    DEFAULT_HANDLER default_fiq, "unexpected fiq: lr spsr"

    .global default_dabt
default_dabt:
    ldr r0, =9f
    mov r1, lr
    mrs r2, spsr
    bl print_kv2
    ldr r0, =8f
    mrc p15, 0, r1, c5, c0, 0
    mrc p15, 0, r2, c6, c0, 0
    bl print_kv2
    mov r0, #1
    b exit
    .pushsection .rodata.str, "a"
9:  .asciz "unexpected data abort: lr spsr"
8:  .asciz "dfsr dfar"
    .popsection

    .ltorg

    .data
    .balign 4
    .global entry_cpsr, entry_regs
entry_cpsr: .word 0
entry_regs: .word 0, 0, 0, 0


    .section .noinit, "aw", %nobits
    .balign 8
    .global stack_usr, stack_svc, stack_abt, stack_und, stack_irq, stack_fiq
stack_usr: .space STACK_SIZE
stack_svc: .space STACK_SIZE
stack_abt: .space STACK_SIZE
stack_und: .space STACK_SIZE
stack_irq: .space STACK_SIZE
stack_fiq: .space STACK_SIZE
