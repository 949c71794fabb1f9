/* A small bare-metal hypervisor (issue 5, item 7).
 *
 * The program is started in Hyp mode (runner::Board::Hyp: as QEMU's and a15emu's boot
 * loaders start a hypervisor; neither board has EL3 here, so there is no Monitor mode to
 * come from). crt0.S runs in Hyp mode (its CPS mode changes are ignored there, so every
 * stack it sets is SP_hyp) and calls main. The hypervisor sets up stage 2 translation
 * (VTCR, VTTBR, HCR.VM) and runs a guest at Non-secure PL1 (SVC mode, MMU off, its own
 * vectors) in phases, each provoking traps that the hypervisor handles:
 *
 *   A. HVC (EC 0x12, imm16), trapped WFI (HCR.TWI, EC 0x01), trapped coprocessor
 *      accesses emulated by the hypervisor (reads of ID registers under HCR.TID0/1/2,
 *      ACTLR under HCR.TAC, TLBIALL under HCR.TTLB, HCR.TVM writes of TTBR0/DACR and the
 *      64-bit TTBR0: EC 0x03, 0x04, 0x05, 0x08), VPIDR/VMPIDR, stage 2
 *      mappings (a remapped page, a read-only page: permission fault), and stage 2
 *      translation faults emulating an MMIO device at IPA 0x09000000 (EC 0x24: ISV,
 *      SAS, SSE, SRT, WnR, HDFAR, HPFAR; the access is emulated and the instruction
 *      skipped by HSR.IL, or by decoding it when ISV = 0), from A32 and T32 code;
 *   B. virtual interrupts through GICH list registers (GICH at 0x2c004000; the GICV
 *      frame at 0x2c006000 appears to the guest at the GICC IPA 0x2c002000 by stage 2);
 *      the guest takes the virtual IRQs, acknowledges and EOIs them through GICV, and
 *      the hypervisor checks list register state, ELRSR, EISR and MISR afterwards
 *      (GICv2 IHI 0048B chapter 5);
 *   C. HCR.VI and HCR.VF (virtual IRQ and FIQ with HCR.IMO/FMO);
 *   D. a second guest under VMID 2 with its own stage 2 tables (same IPA, another page;
 *      a level 3 translation fault), then VMID 1 again without TLB maintenance.
 *
 * All output comes from Hyp mode (semihosting); the guest reports through HVCs with
 * immediates 0x100-0x1ff ("hypervisor services"). Every check prints one line,
 * "name: pass" or "name FAIL: got expected". At the end the hypervisor prints how many
 * traps of each exception class it handled (issue 6 asserts these counts).
 */
#include "common/test.h"

    .arch_extension virt
    .fpu vfpv4

#define MODE_HYP 0x1a

/* Hypervisor services (HVC immediates from the guest). */
#define HV_EXIT      0x100  /* the phase is over: back to the hypervisor's main flow */
#define HV_CHECK     0x101  /* r0 = name, r1 = got, r2 = expected */
#define HV_TRAPCHK   0x102  /* r0 = name, r1 = expected HSR, r2 = expected ELR (trap address) */
#define HV_FARCHK    0x103  /* r0 = name, r1 = expected HDFAR, r2 = expected HPFAR or ~0 */
#define HV_SAY       0x104  /* r0 = string */
#define HV_FATAL     0x105  /* r0 = string, r1 = value: the guest failed; abandon the phase */
#define HV_CLEAR_VI  0x106  /* clear HCR.VI */
#define HV_CLEAR_VF  0x107  /* clear HCR.VF */
#define HV_GFAIL     0x108  /* r0 = name, r1, r2 = values: the guest saw something wrong */

/* HCR bits (Arm ARM B4.1.65). */
#define HCR_VM   (1 << 0)
#define HCR_FMO  (1 << 3)
#define HCR_IMO  (1 << 4)
#define HCR_VF   (1 << 6)
#define HCR_VI   (1 << 7)
#define HCR_TWI  (1 << 13)
#define HCR_TID0 (1 << 15)
#define HCR_TID1 (1 << 16)
#define HCR_TID2 (1 << 17)
#define HCR_TAC  (1 << 21)
#define HCR_TTLB (1 << 25)
#define HCR_TVM  (1 << 26)
/* HCR.TWE, TID3, TIDCP, TSW, TPC and TPU are left out: QEMU 7.2, the reference, does not
 * trap WFE, nor (for an ARMv7 core) the ID registers of TID3, TIDCP's registers, or the
 * set/way and point-of-coherency/unification cache operations. HCR.TSC neither: without
 * the Security Extensions (no EL3 on either board) SMC is UNDEFINED, not trapped. */
#define HCR_GUEST (HCR_VM | HCR_FMO | HCR_IMO | HCR_TWI | HCR_TID0 | HCR_TID1 | HCR_TID2 \
                   | HCR_TAC | HCR_TTLB | HCR_TVM)

/* What the hypervisor makes the guest see. */
#define HV_VPIDR   0x412fc0f1
#define HV_VMPIDR  0x80000102
#define DEV_IPA    0x09000000   /* the emulated MMIO device (no stage 2 mapping) */
#define DEV_ID     0x4856d001   /* its register 0 */
#define SHARED_IPA 0x90000000   /* stage 2: hv_shared (read/write), then hv_shared+4K (read-only) */
#define SHARED_W0  0xc0ffee01
#define SHARED_W1  0xc0ffee02
#define SHARED_W2  0xc0ffee03       /* the second guest's page at SHARED_IPA */

/* GIC (vexpress-a15: the A15 MPCore private region at 0x2c000000). */
#define GICH       0x2c004000
#define GICV_PA    0x2c006000
#define GICC_IPA   0x2c002000
#define GICH_HCR   0x000
#define GICH_VTR   0x004
#define GICH_VMCR  0x008
#define GICH_MISR  0x010
#define GICH_EISR0 0x020
#define GICH_ELRSR0 0x030
#define GICH_APR   0x0f0
#define GICH_LR0   0x100
#define GICH_LR1   0x104
#define GICC_CTLR  0x00
#define GICC_PMR   0x04
#define GICC_IAR   0x0c
#define GICC_EOIR  0x10
#define GICC_HPPIR 0x18
/* List register values: State pending (bits 29:28 = 01), priority[7:3] in bits 27:23,
 * EOI (bit 19: maintenance interrupt on EOI), virtual ID in bits 9:0. */
#define LR0_VAL    (0x10000000 | ((0xa0 >> 3) << 23) | (1 << 19) | 37)
#define LR1_VAL    (0x10000000 | ((0x80 >> 3) << 23) | 38)

/* Stage 2 descriptors (Arm ARM B3.6.1, LPAE format): AF, SH inner, S2AP, MemAttr. */
#define S2_TABLE   0x3
#define S2_BLOCK_RAM  0x7fd     /* AF, SH=11, S2AP=11 (RW), MemAttr=1111 (Normal WB) */
#define S2_PAGE_RAM   0x7ff
#define S2_PAGE_RO    0x77f     /* S2AP=01: read-only */
#define S2_PAGE_DEV   0x4c7     /* AF, S2AP=11, MemAttr=0001 (Device) */

/* ------------------------------------------------------------------------------------ */
/* Guest-side macros (Non-secure PL1): every one preserves every register and the flags
 * (HVC does not change them). */

.macro GCHK name, reg, exp
    push {r0-r3}
    mov r1, \reg
    LI r2, \exp
    STRADDR r0, "\name"
    hvc #HV_CHECK
    pop {r0-r3}
.endm

/* The last trap's HSR and the address of the trapped instruction (the preferred return
 * address for HVC: the next instruction). */
.macro GTRAP name, hsr, label
    push {r0-r3}
    LI r1, \hsr
    LI r2, \label
    STRADDR r0, "\name"
    hvc #HV_TRAPCHK
    pop {r0-r3}
.endm

/* A trapped read of Rt = r4, emulated by the hypervisor as EMUL(HSR). */
#define EMUL(hsr) ((((hsr) >> 26) << 24) | ((hsr) & 0xffc1e))
.macro GREAD name, hsr, insn:vararg
    mov r4, #0
9981:
    \insn
    GTRAP "\name", \hsr, 9981b
    GCHK "\name value", r4, EMUL(\hsr)
.endm

.macro GFAR name, hdfar, hpfar
    push {r0-r3}
    LI r1, \hdfar
    LI r2, \hpfar
    STRADDR r0, "\name"
    hvc #HV_FARCHK
    pop {r0-r3}
.endm

.macro GSAY text
    push {r0-r3}
    STRADDR r0, "\text"
    hvc #HV_SAY
    pop {r0-r3}
.endm

/* Hypervisor-side check: "name: pass" or "name FAIL: got expected". */
.macro HCHK name, reg, exp
    push {r0-r3}
    mov r1, \reg
    LI r2, \exp
    mov r3, #0
    STRADDR r0, "\name"
    bl check
    pop {r0-r3}
.endm

/* ------------------------------------------------------------------------------------ */
/* Started in Hyp mode (runner::Board::Hyp), as a boot loader starts a hypervisor. */

    .text
    .arm
AFUNC main
    LI sp, hyp_stack + 4096
    SAY "hyp: started"
    LI r0, entry_cpsr
    ldr r0, [r0]
    and r0, r0, #0x1f
    HCHK "hyp: entered in hyp mode", r0, MODE_HYP
    mrs r0, cpsr
    and r0, r0, #0x1f
    HCHK "hyp: cpsr.m is hyp", r0, MODE_HYP
    b hyp_entry

hyp_entry:
    LI r0, hyp_vectors
    mcr p15, 4, r0, c12, c0, 0          /* HVBAR */
    LI r0, 0x30c50830                   /* HSCTLR: MMU, caches and alignment checks off, A32 */
    mcr p15, 4, r0, c1, c0, 0
    LI r0, 0x33ff                       /* HCPTR: no coprocessor traps (RES1 bits only) */
    mcr p15, 4, r0, c1, c1, 2
    LI r0, 0xf00000                     /* CPACR: PL0/PL1 access to CP10 and CP11 */
    mcr p15, 0, r0, c1, c0, 2
    isb

    bl s2_setup
    LI r0, HV_VPIDR
    mcr p15, 4, r0, c0, c0, 0           /* VPIDR */
    LI r0, HV_VMPIDR
    mcr p15, 4, r0, c0, c0, 5           /* VMPIDR */
    LI r0, HCR_GUEST
    mcr p15, 4, r0, c1, c1, 0           /* HCR */
    isb

    SAY "== phase A: hvc, wfi, coprocessor traps, stage 2, mmio emulation"
    LI r0, hv_shared
    LI r1, SHARED_W0
    str r1, [r0]
    LI r1, SHARED_W1
    add r0, r0, #4096
    str r1, [r0]
    LI r0, guest_a
    bl run_guest
    LI r0, hv_shared
    ldr r1, [r0, #4]
    HCHK "hyp: guest store through stage 2 reached the page", r1, 0x600df00d
    add r0, r0, #4096
    ldr r1, [r0]
    HCHK "hyp: read-only page unchanged", r1, SHARED_W1
    mrc p15, 0, r1, c2, c0, 0
    HCHK "hyp: guest ttbr0 as emulated", r1, 0x80008000

    SAY "== phase B: virtual interrupts through gich list registers"
    LI r4, GICH
    ldr r0, [r4, #GICH_VTR]
    HCHK "gich_vtr", r0, 0x90000003
    ldr r0, [r4, #GICH_ELRSR0]
    HCHK "gich_elrsr0 before", r0, 0xf
    LI r0, LR0_VAL
    str r0, [r4, #GICH_LR0]
    LI r0, LR1_VAL
    str r0, [r4, #GICH_LR1]
    ldr r0, [r4, #GICH_ELRSR0]
    HCHK "gich_elrsr0 with two pending", r0, 0xc
    mov r0, #1
    str r0, [r4, #GICH_HCR]             /* En */
    LI r0, guest_b
    bl run_guest
    LI r4, GICH
    ldr r0, [r4, #GICH_LR0]
    HCHK "gich_lr0 after eoi (invalid, eoi kept)", r0, (LR0_VAL & ~0x30000000)
    ldr r0, [r4, #GICH_LR1]
    HCHK "gich_lr1 after eoi (invalid)", r0, (LR1_VAL & ~0x30000000)
    ldr r0, [r4, #GICH_ELRSR0]
    HCHK "gich_elrsr0 after eoi", r0, 0xe
    ldr r0, [r4, #GICH_EISR0]
    HCHK "gich_eisr0 after eoi", r0, 0x1
    ldr r0, [r4, #GICH_MISR]
    HCHK "gich_misr after eoi (eoi)", r0, 0x1
    ldr r0, [r4, #GICH_APR]
    HCHK "gich_apr after eoi", r0, 0
    ldr r0, [r4, #GICH_VMCR]
    LI r1, 0xf800000f
    and r0, r0, r1
    HCHK "gich_vmcr primask and enables", r0, 0xf0000001
    mov r0, #0
    str r0, [r4, #GICH_LR0]
    str r0, [r4, #GICH_LR1]
    ldr r0, [r4, #GICH_ELRSR0]
    HCHK "gich_elrsr0 after clearing", r0, 0xf
    ldr r0, [r4, #GICH_EISR0]
    HCHK "gich_eisr0 after clearing", r0, 0
    ldr r0, [r4, #GICH_MISR]
    HCHK "gich_misr after clearing", r0, 0
    mov r0, #0
    str r0, [r4, #GICH_HCR]

    SAY "== phase C: hcr.vi and hcr.vf"
    mrc p15, 4, r0, c1, c1, 0
    orr r0, r0, #(HCR_VI | HCR_VF)
    mcr p15, 4, r0, c1, c1, 0
    isb
    LI r0, guest_c
    bl run_guest
    mrc p15, 4, r0, c1, c1, 0
    and r0, r0, #(HCR_VI | HCR_VF)
    HCHK "hyp: hcr.vi and hcr.vf cleared by the guest's requests", r0, 0

    SAY "== phase D: a second guest (vmid 2) with its own stage 2 tables"
    bl s2_setup_vm2
    LI r0, hv_shared2
    LI r1, SHARED_W2
    str r1, [r0]
    LI r0, s2b_l1
    LI r1, (2 << 16)                    /* VMID 2: no TLB maintenance needed, entries */
    mcrr p15, 6, r0, r1, c2             /* are tagged with the VMID (B3.9.1) */
    isb
    LI r0, guest_d
    LI r1, SHARED_W2
    bl run_guest
    LI r0, hv_shared2
    ldr r1, [r0, #4]
    HCHK "hyp: vmid 2 store reached its own page", r1, 0x2222
    LI r0, hv_shared
    ldr r1, [r0, #4]
    HCHK "hyp: vmid 1 page untouched by vmid 2", r1, 0x600df00d
    LI r0, s2_l1
    LI r1, (1 << 16)                    /* back to VMID 1 */
    mcrr p15, 6, r0, r1, c2
    isb
    LI r0, guest_d
    LI r1, SHARED_W0
    bl run_guest

    SAY "== trap counts seen by the hypervisor"
    LI r4, trap_counts
    ldr r1, [r4, #(0x01 * 4)]
    STRADDR r0, "traps: wfi (ec 0x01)"
    bl print_kv
    ldr r1, [r4, #(0x03 * 4)]
    STRADDR r0, "traps: mcr/mrc cp15 (ec 0x03)"
    bl print_kv
    ldr r1, [r4, #(0x04 * 4)]
    STRADDR r0, "traps: mcrr/mrrc cp15 (ec 0x04)"
    bl print_kv
    ldr r1, [r4, #(0x05 * 4)]
    STRADDR r0, "traps: mcr/mrc cp14 (ec 0x05)"
    bl print_kv
    ldr r1, [r4, #(0x08 * 4)]
    STRADDR r0, "traps: vmrs (ec 0x08)"
    bl print_kv
    ldr r1, [r4, #(0x12 * 4)]
    STRADDR r0, "traps: hvc (ec 0x12)"
    bl print_kv
    ldr r1, [r4, #(0x24 * 4)]
    STRADDR r0, "traps: data abort from the guest (ec 0x24)"
    bl print_kv
    /* Every other class: none expected. */
    mov r1, #0
    mov r2, #0
1:  cmp r2, #0x01
    cmpne r2, #0x03
    cmpne r2, #0x04
    cmpne r2, #0x05
    cmpne r2, #0x08
    cmpne r2, #0x12
    cmpne r2, #0x24
    ldrne r3, [r4, r2, lsl #2]
    addne r1, r1, r3
    add r2, r2, #1
    cmp r2, #64
    blo 1b
    STRADDR r0, "traps: other classes"
    bl print_kv
    LI r0, n_svc_hvc
    ldr r1, [r0]
    STRADDR r0, "hvc: hypervisor service calls"
    bl print_kv
    LI r0, n_irq
    ldr r1, [r0]
    STRADDR r0, "physical irq/fiq taken to hyp"
    bl print_kv

    LI r0, n_checks
    ldr r1, [r0]
    LI r0, n_fail
    ldr r2, [r0]
    STRADDR r0, "hyp: checks, failed"
    bl print_kv2
    mov r0, r2
    b exit

/* run_guest(r0 = entry, r1 = argument, in the guest's r1): runs the guest at
 * Non-secure SVC mode with IRQ, FIQ and asynchronous aborts masked until it asks to
 * leave (HV_EXIT) or fails (HV_FATAL). */
run_guest:
    push {r4-r12, lr}
    LI r2, hyp_saved_sp
    str sp, [r2]
    msr ELR_hyp, r0
    mov r2, #(0x1c0 | MODE_SVC)
    msr spsr_cxsf, r2
    eret
/* Back from the guest: the trap handler's frame is dropped. */
guest_left:
    LI r1, hyp_saved_sp
    ldr sp, [r1]
    pop {r4-r12, pc}

/* Stage 2: VTCR (T0SZ = 0: 32-bit IPA, SL0 = 1: start at level 1), VTTBR (VMID 1).
 *   IPA 0x80000000-0x801fffff -> the same PA (this program: guest code, data, stacks)
 *   IPA 0x90000000 -> hv_shared (RW), 0x90001000 -> hv_shared + 4K (read-only)
 *   IPA 0x2c002000-0x2c003fff -> GICV at 0x2c006000 (Device)
 *   everything else: translation fault (level 2, or level 1 for 0x40000000-0x7fffffff
 *   and 0xc0000000-0xffffffff). */
s2_setup:
    push {r0-r3, lr}
    LI r0, s2_l1
    LI r1, s2_l2_lo
    orr r1, r1, #S2_TABLE
    str r1, [r0, #(0 * 8)]
    LI r1, s2_l2_ram
    orr r1, r1, #S2_TABLE
    str r1, [r0, #(2 * 8)]
    LI r0, s2_l2_ram
    LI r1, (0x80000000 | S2_BLOCK_RAM)
    str r1, [r0, #(0 * 8)]
    LI r1, s2_l3_shared
    orr r1, r1, #S2_TABLE
    str r1, [r0, #(0x80 * 8)]
    LI r0, s2_l3_shared
    LI r1, (hv_shared + S2_PAGE_RAM)
    str r1, [r0, #(0 * 8)]
    LI r1, (hv_shared + 0x1000 + S2_PAGE_RO)
    str r1, [r0, #(1 * 8)]
    LI r0, s2_l2_lo
    LI r1, s2_l3_gic
    orr r1, r1, #S2_TABLE
    str r1, [r0, #(0x160 * 8)]
    LI r0, s2_l3_gic
    LI r1, (GICV_PA | S2_PAGE_DEV)
    str r1, [r0, #(2 * 8)]
    LI r1, (GICV_PA + 0x1000 + S2_PAGE_DEV)
    str r1, [r0, #(3 * 8)]
    dsb
    LI r0, 0x80003540                   /* VTCR: SH0 inner, WBWA walks, SL0 = 1, T0SZ = 0 */
    mcr p15, 4, r0, c2, c1, 2
    LI r0, s2_l1
    LI r1, (1 << 16)                    /* VMID 1 */
    mcrr p15, 6, r0, r1, c2             /* VTTBR */
    isb
    mcr p15, 4, r0, c8, c7, 4           /* TLBIALLNSNH */
    dsb
    isb
    pop {r0-r3, pc}

/* Stage 2 of the second guest (VMID 2): the same code and data block at 0x80000000,
 * IPA 0x90000000 -> hv_shared2 (RW), nothing at 0x90001000 (level 3 translation fault),
 * nothing below 0x80000000 (level 1 translation faults). */
s2_setup_vm2:
    push {r0-r1, lr}
    LI r0, s2b_l1
    LI r1, s2b_l2_ram
    orr r1, r1, #S2_TABLE
    str r1, [r0, #(2 * 8)]
    LI r0, s2b_l2_ram
    LI r1, (0x80000000 | S2_BLOCK_RAM)
    str r1, [r0, #(0 * 8)]
    LI r1, s2b_l3_shared
    orr r1, r1, #S2_TABLE
    str r1, [r0, #(0x80 * 8)]
    LI r0, s2b_l3_shared
    LI r1, (hv_shared2 + S2_PAGE_RAM)
    str r1, [r0, #(0 * 8)]
    dsb
    pop {r0-r1, pc}

/* check(r0 = name, r1 = got, r2 = expected, r3 = suffix string or 0): prints
 * "name suffix: pass" or "name suffix FAIL: got expected" and counts. Preserves every
 * register. */
check:
    push {r0-r5, lr}
    LI r4, n_checks
    ldr r5, [r4]
    add r5, r5, #1
    str r5, [r4]
    bl puts
    cmp r3, #0
    movne r0, r3
    blne puts
    cmp r1, r2
    bne 1f
    STRADDR r0, ": pass"
    bl puts_nl
    pop {r0-r5, pc}
1:  LI r4, n_fail
    ldr r5, [r4]
    add r5, r5, #1
    str r5, [r4]
    STRADDR r0, " FAIL"
    bl print_kv2
    pop {r0-r5, pc}

/* ---- Hyp vectors -------------------------------------------------------------------- */

    .balign 32
hyp_vectors:
    b hyp_bad_vec                       /* 0x00 */
    b hyp_undef                         /* 0x04: undefined instruction in Hyp mode */
    b hyp_bad_vec                       /* 0x08: HVC/SVC in Hyp mode */
    b hyp_bad_vec                       /* 0x0c: prefetch abort in Hyp mode */
    b hyp_dabt                          /* 0x10: data abort in Hyp mode */
    b hyp_trap                          /* 0x14: Hyp trap (from the guest) */
    b hyp_irq                           /* 0x18: physical IRQ */
    b hyp_irq                           /* 0x1c: physical FIQ */

hyp_bad_vec:
hyp_undef:
hyp_dabt:
    mrc p15, 4, r1, c5, c2, 0
    mrs r2, ELR_hyp
    STRADDR r0, "hyp: FATAL exception in hyp mode: hsr elr"
    bl print_kv2
    mov r0, #1
    b exit

hyp_irq:
    push {r0-r12, lr}
    LI r0, n_irq
    ldr r1, [r0]
    add r1, r1, #1
    str r1, [r0]
    SAY "hyp: FAIL unexpected physical irq/fiq"
    LI r0, n_fail
    ldr r1, [r0]
    add r1, r1, #1
    str r1, [r0]
    b guest_left

/* Traps from the guest. Frame: r11 -> saved r0-r12, lr (the guest's r0-r12). */
hyp_trap:
    push {r0-r12, lr}
    mov r11, sp
    mrc p15, 4, r5, c5, c2, 0           /* HSR */
    mrs r6, ELR_hyp
    lsr r7, r5, #26                     /* EC */
    LI r0, trap_counts
    ldr r1, [r0, r7, lsl #2]
    add r1, r1, #1
    str r1, [r0, r7, lsl #2]
    cmp r7, #0x12
    beq trap_hvc
    /* Every other trap is something the guest provoked: remember it for HV_TRAPCHK. */
    bl record_trap
    cmp r7, #0x01
    beq trap_wfx
    cmp r7, #0x03
    beq trap_cp15
    cmp r7, #0x04
    beq trap_cp15_64
    cmp r7, #0x24
    beq trap_dabt
    cmp r7, #0x05
    beq trap_cp_read
    cmp r7, #0x08
    beq trap_cp_read
    mov r1, r5
    STRADDR r0, "hyp: FAIL unexpected trap: hsr"
    bl print_kv
    b fatal_common

/* record_trap(): last_hsr, last_elr = HSR, ELR; for data aborts also HDFAR, HPFAR. */
record_trap:
    LI r0, last_trap
    /* ARMv7 (B3.13.6): HSR.IL is UNK/SBZP for a data abort without a valid instruction
     * syndrome (ISV = 0); compare such syndromes without it. */
    mov r1, r5
    cmp r7, #0x24
    bne 1f
    tst r5, #(1 << 24)
    biceq r1, r1, #(1 << 25)
1:  str r1, [r0, #0]
    str r6, [r0, #4]
    mrc p15, 4, r1, c6, c0, 0           /* HDFAR */
    mrc p15, 4, r2, c6, c0, 4           /* HPFAR */
    cmp r7, #0x24
    movne r1, #0
    movne r2, #0
    str r1, [r0, #8]
    str r2, [r0, #12]
    bx lr

/* Returns to the guest past the trapped instruction (HSR.IL: 32 or 16 bits). */
skip_insn:
    tst r5, #(1 << 25)
    addne r6, r6, #4
    addeq r6, r6, #2
    msr ELR_hyp, r6
    b trap_return
/* The same when HSR.IL is not valid (ARMv7: UNK/SBZP for data aborts with ISV = 0):
 * the length comes from the instruction (the guest's VA = IPA = PA here). */
skip_insn_decode:
    mrs r0, spsr
    tst r0, #(1 << 5)                   /* T */
    addeq r6, r6, #4
    beq 1f
    ldrh r0, [r6]
    lsr r0, r0, #11
    cmp r0, #0x1d                       /* 0b11101, 0b11110, 0b11111: 32-bit T32 */
    addhs r6, r6, #4
    addlo r6, r6, #2
1:  msr ELR_hyp, r6
trap_return:
    pop {r0-r12, lr}
    eret

trap_wfx:
    b skip_insn

/* MCR/MRC (Arm ARM B3.13.6, HSR ISS for EC 0x03): Opc2 [19:17], Opc1 [16:14],
 * CRn [13:10], Rt [8:5], CRm [4:1], Direction [0] (1 = read). Reads (of the ID
 * registers, ACTLR) are emulated with EMUL(HSR): the register's encoding and the EC;
 * TTBR0, DACR and TLBIALL writes are performed for the guest. */
trap_cp15:
    tst r5, #1
    bne trap_cp_read
    ubfx r8, r5, #5, #4                 /* Rt */
    LI r0, 0xffc1e
    and r0, r5, r0                      /* the register */
    cmp r0, #0x800                      /* MCR c2, 0, c0, 0: TTBR0 (HCR.TVM) */
    beq 2f
    cmp r0, #0xc00                      /* MCR c3, 0, c0, 0: DACR (HCR.TVM) */
    beq 3f
    LI r1, 0x200e                       /* MCR c8, 0, c7, 0: TLBIALL (HCR.TTLB) */
    cmp r0, r1
    beq 4f
    mov r1, r5
    STRADDR r0, "hyp: FAIL cp15 write not emulated: hsr"
    bl print_kv
    bl count_fail
    b skip_insn
2:  ldr r0, [r11, r8, lsl #2]
    mcr p15, 0, r0, c2, c0, 0           /* the guest's (Non-secure) TTBR0 */
    isb
    b skip_insn
3:  ldr r0, [r11, r8, lsl #2]
    mcr p15, 0, r0, c3, c0, 0           /* DACR */
    isb
    b skip_insn
4:  mcr p15, 4, r0, c8, c7, 4           /* TLBIALLNSNH */
    dsb
    isb
    b skip_insn

/* A trapped coprocessor read (EC 0x03, 0x05 CP14, 0x08 VMRS): Rt = EMUL(HSR). */
trap_cp_read:
    ubfx r8, r5, #5, #4                 /* Rt */
    LI r0, 0xffc1e
    and r0, r5, r0
    orr r0, r0, r7, lsl #24
    cmp r8, #12
    strls r0, [r11, r8, lsl #2]
    b skip_insn

/* MCRR/MRRC (EC 0x04): Opc1 [19:16], Rt2 [13:10], Rt [8:5], CRm [4:1], Direction [0]. */
trap_cp15_64:
    ubfx r8, r5, #5, #4                 /* Rt */
    ubfx r9, r5, #10, #4                /* Rt2 */
    LI r0, 0xf001f
    and r0, r5, r0
    cmp r0, #0x4                        /* MCRR 0, c2: TTBR0 (HCR.TVM) */
    beq 1f
    mov r1, r5
    STRADDR r0, "hyp: FAIL 64-bit cp15 access not emulated: hsr"
    bl print_kv
    bl count_fail
    b skip_insn
1:  ldr r0, [r11, r8, lsl #2]
    ldr r1, [r11, r9, lsl #2]
    mcrr p15, 0, r0, r1, c2
    isb
    b skip_insn

/* Data abort from the guest (EC 0x24, ISS: ISV [24], SAS [23:22], SSE [21], SRT [19:16],
 * WnR [6], DFSC [5:0]). Translation faults at the device's IPA page are emulated when
 * ISV says the syndrome is valid; every other abort is skipped (the guest checks the
 * syndrome it caused). */
trap_dabt:
    tst r5, #(1 << 24)                  /* ISV */
    beq skip_insn_decode
    mrc p15, 4, r0, c6, c0, 4           /* HPFAR: IPA[39:12] in [31:4] */
    lsl r0, r0, #8                      /* IPA[31:12] (the IPAs used here are 32-bit) */
    LI r1, DEV_IPA
    cmp r0, r1
    bne skip_insn
    and r0, r5, #0x3c
    cmp r0, #0x04                       /* DFSC 0b0001LL: translation fault */
    bne skip_insn
    tst r5, #(1 << 24)                  /* ISV */
    beq skip_insn_decode
    mrc p15, 4, r0, c6, c0, 0           /* HDFAR: the register is bits [3:2] */
    ubfx r0, r0, #2, #2
    LI r1, dev_regs
    add r1, r1, r0, lsl #2              /* r1 = the register */
    ubfx r8, r5, #16, #4                /* SRT */
    ubfx r9, r5, #22, #2                /* SAS */
    mov r2, #8
    lsl r2, r2, r9                      /* access size in bits: 8, 16, 32 */
    mvn r3, #0
    cmp r2, #32
    lsllo r3, r3, r2
    mvnlo r3, r3                        /* r3 = the size's mask */
    cmp r8, #12
    bhi skip_insn                       /* SP/LR of the guest mode: not emulated here */
    tst r5, #(1 << 6)                   /* WnR */
    beq 1f
    ldr r2, [r11, r8, lsl #2]
    and r2, r2, r3
    cmp r0, #0                          /* register 0 (the id) is read-only */
    strne r2, [r1]
    b skip_insn
1:  ldr r2, [r1]
    and r2, r2, r3
    tst r5, #(1 << 21)                  /* SSE: sign-extend */
    beq 2f
    rsb r9, r9, #3                      /* shift = 32 - size = 8 * (3 - SAS) ... */
    lsl r9, r9, #3
    lsl r2, r2, r9
    asr r2, r2, r9
2:  str r2, [r11, r8, lsl #2]
    b skip_insn

/* HVC: services 0x100-0x1ff; any other immediate is a test HVC: r0 += 0x1000 and
 * r1 = the immediate. ELR is already the next instruction. */
trap_hvc:
    ubfx r8, r5, #0, #16                /* imm16 */
    sub r9, r8, #0x100
    cmp r9, #0x100
    bhs hvc_test
    LI r1, n_svc_hvc
    ldr r2, [r1]
    add r2, r2, #1
    str r2, [r1]
    ldm r11, {r0-r3}                    /* the guest's arguments */
    cmp r9, #(HV_EXIT - 0x100)
    beq guest_left
    cmp r9, #(HV_CHECK - 0x100)
    beq hv_check
    cmp r9, #(HV_TRAPCHK - 0x100)
    beq hv_trapchk
    cmp r9, #(HV_FARCHK - 0x100)
    beq hv_farchk
    cmp r9, #(HV_SAY - 0x100)
    beq hv_say
    cmp r9, #(HV_FATAL - 0x100)
    beq hv_fatal
    cmp r9, #(HV_CLEAR_VI - 0x100)
    beq hv_clear_vi
    cmp r9, #(HV_CLEAR_VF - 0x100)
    beq hv_clear_vf
    cmp r9, #(HV_GFAIL - 0x100)
    beq hv_gfail
    mov r1, r8
    STRADDR r0, "hyp: FAIL unknown service"
    bl print_kv
    b fatal_common

hvc_test:
    bl record_trap
    ldr r0, [r11]
    add r0, r0, #0x1000
    str r0, [r11]
    str r8, [r11, #4]
    b trap_return

hv_check:
    mov r3, #0
    bl check
    b trap_return

hv_trapchk:
    LI r4, last_trap
    mov r12, r2                         /* expected ELR */
    mov r2, r1                          /* expected HSR */
    ldr r1, [r4, #0]
    STRADDR r3, " hsr"
    bl check
    bic r2, r12, #1                     /* (a T32 label may carry bit 0) */
    ldr r1, [r4, #4]
    STRADDR r3, " elr"
    bl check
    mov r1, #0                          /* a check without a new trap fails */
    str r1, [r4, #0]
    str r1, [r4, #4]
    b trap_return

hv_farchk:
    LI r4, last_trap
    mov r12, r2
    mov r2, r1
    ldr r1, [r4, #8]
    STRADDR r3, " hdfar"
    bl check
    cmn r12, #1
    beq trap_return
    mov r2, r12
    ldr r1, [r4, #12]
    STRADDR r3, " hpfar"
    bl check
    mov r1, #0
    str r1, [r4, #8]
    str r1, [r4, #12]
    b trap_return

hv_say:
    bl puts_nl
    b trap_return

hv_fatal:
    STRADDR r0, "guest: FATAL"
    bl puts
    ldr r0, [r11]
    ldr r1, [r11, #4]
    bl print_kv
    b fatal_common

hv_gfail:
    bl print_kv2
    bl count_fail
    b trap_return

hv_clear_vi:
    mrc p15, 4, r0, c1, c1, 0
    bic r0, r0, #HCR_VI
    mcr p15, 4, r0, c1, c1, 0
    isb
    b trap_return

hv_clear_vf:
    mrc p15, 4, r0, c1, c1, 0
    bic r0, r0, #HCR_VF
    mcr p15, 4, r0, c1, c1, 0
    isb
    b trap_return

fatal_common:
    bl count_fail
    b guest_left

count_fail:
    LI r0, n_fail
    ldr r1, [r0]
    add r1, r1, #1
    str r1, [r0]
    bx lr

/* ------------------------------------------------------------------------------------ */
/* The guest (Non-secure SVC mode, MMU off; addresses are IPAs). */

    .balign 32
guest_vectors:
    b guest_bad                         /* 0x00 */
    b guest_und                         /* 0x04 */
    b guest_bad                         /* 0x08: SVC */
    b guest_pabt                        /* 0x0c */
    b guest_dabt                        /* 0x10 */
    b guest_bad                         /* 0x14 */
    b guest_irq                         /* 0x18 */
    b guest_fiq                         /* 0x1c */

guest_bad:
    STRADDR r0, "unexpected exception: lr"
    mov r1, lr
    hvc #HV_FATAL
/* Undefined instruction and data abort: reported as failures, then the instruction is
 * skipped so that the rest of the phase still runs. */
guest_und:
    push {r0-r2}
    STRADDR r0, "guest: FAIL undefined instruction: next spsr"
    mov r1, lr
    mrs r2, spsr
    hvc #HV_GFAIL
    pop {r0-r2}
    movs pc, lr                         /* LR_und: the next instruction */
guest_dabt:
    push {r0-r2}
    STRADDR r0, "guest: FAIL data abort: dfsr dfar"
    mrc p15, 0, r1, c5, c0, 0
    mrc p15, 0, r2, c6, c0, 0
    hvc #HV_GFAIL
    sub lr, lr, #8                      /* the aborted instruction */
    mrs r0, spsr
    tst r0, #(1 << 5)                   /* T32: 16 or 32 bits */
    addeq lr, lr, #4
    beq 1f
    ldrh r0, [lr]
    lsr r0, r0, #11
    cmp r0, #0x1d
    addhs lr, lr, #4
    addlo lr, lr, #2
1:  pop {r0-r2}
    movs pc, lr
guest_pabt:
    STRADDR r0, "prefetch abort: ifsr"
    mrc p15, 0, r1, c5, c0, 1
    hvc #HV_FATAL

/* IRQ: a GIC virtual interrupt (acknowledge and EOI each through GICV until the
 * spurious ID) or HCR.VI (ask the hypervisor to clear it). */
guest_irq:
    push {r0-r4, lr}
    LI r4, guest_irq_entries
    ldr r0, [r4]
    add r0, r0, #1
    str r0, [r4]
    LI r0, guest_vi_mode
    ldr r0, [r0]
    cmp r0, #0
    bne 3f
    LI r3, GICC_IPA
1:  ldr r0, [r3, #GICC_IAR]
    ubfx r1, r0, #0, #10
    LI r2, 1023
    cmp r1, r2
    beq 2f
    LI r4, guest_irq_log
    ldr r2, [r4]                        /* log[0] = count, then the IDs */
    cmp r2, #8
    addlo r2, r2, #1
    strlo r2, [r4]
    strlo r0, [r4, r2, lsl #2]
    str r0, [r3, #GICC_EOIR]
    b 1b
2:  pop {r0-r4, lr}
    subs pc, lr, #4
3:  hvc #HV_CLEAR_VI
    pop {r0-r4, lr}
    subs pc, lr, #4

/* FIQ: HCR.VF (r8-r12 are FIQ mode's own). */
guest_fiq:
    LI r8, guest_fiq_entries
    ldr r9, [r8]
    add r9, r9, #1
    str r9, [r8]
    hvc #HV_CLEAR_VF
    subs pc, lr, #4

guest_setup:
    LI r0, guest_vectors
    mcr p15, 0, r0, c12, c0, 0          /* VBAR (not trapped by HCR.TVM) */
    isb
    cps #MODE_IRQ
    LI sp, guest_irq_stack + 1024
    cps #MODE_UND
    LI sp, guest_und_stack + 1024
    cps #MODE_ABT
    LI sp, guest_abt_stack + 1024
    cps #MODE_SVC
    bx lr

/* Phase A. */
guest_a:
    LI sp, guest_stack + 4096
    bl guest_setup
    GSAY "guest: running at non-secure svc"
    mrs r0, cpsr
    and r0, r0, #0x1f
    GCHK "guest: cpsr.m is svc", r0, MODE_SVC

    /* HVC with an immediate: HSR EC 0x12, IL, imm16; ELR is the next instruction. */
    LI r0, 0x1111
    mov r1, #0
    hvc #0x1234
g_hvc:
    GTRAP "hvc #0x1234", 0x4a001234, g_hvc
    GCHK "hvc #0x1234 r0 from hyp", r0, 0x2111
    GCHK "hvc #0x1234 r1 (imm16 from hsr)", r1, 0x1234
    hvc #0xffff
g_hvc2:
    GTRAP "hvc #0xffff", 0x4a00ffff, g_hvc2

    /* WFI (HCR.TWI): EC 0x01, CV = 1, COND = 0xe, TI = 0. */
g_wfi:
    wfi
    GTRAP "wfi (hcr.twi)", 0x07e00000, g_wfi

    /* VPIDR/VMPIDR: what Non-secure PL1 reads as MIDR/MPIDR. */
    mrc p15, 0, r0, c0, c0, 0
    GCHK "midr reads vpidr", r0, HV_VPIDR
    mrc p15, 0, r0, c0, c0, 5
    GCHK "mpidr reads vmpidr", r0, HV_VMPIDR

    /* Trapped reads (Rt = 4, Direction = read), emulated: CP14 (EC 0x05), VMRS (EC 0x08),
     * CP15 (EC 0x03); CV = 1, COND = 0xe. */
    GREAD "mrc jidr (hcr.tid0, ec 0x05)", 0x17e1c081, mrc p14, 7, r4, c0, c0, 0
    GREAD "vmrs fpsid (hcr.tid0, ec 0x08)", 0x23e1c081, vmrs r4, fpsid
    GREAD "mrc aidr (hcr.tid1)", 0x0fee4081, mrc p15, 1, r4, c0, c0, 7
    GREAD "mrc ctr (hcr.tid2)", 0x0fe20081, mrc p15, 0, r4, c0, c0, 1
    GREAD "mrc ccsidr (hcr.tid2)", 0x0fe04081, mrc p15, 1, r4, c0, c0, 0
    GREAD "mrc clidr (hcr.tid2)", 0x0fe24081, mrc p15, 1, r4, c0, c0, 1
    GREAD "mrc csselr (hcr.tid2)", 0x0fe08081, mrc p15, 2, r4, c0, c0, 0
    GREAD "mrc actlr (hcr.tac)", 0x0fe20481, mrc p15, 0, r4, c1, c0, 1
    /* HCR.TTLB: TLBIALL (CRn = 8, CRm = 7, write), performed by the hypervisor. */
g_tlbiall:
    mcr p15, 0, r4, c8, c7, 0
    GTRAP "mcr tlbiall (hcr.ttlb)", 0x0fe0208e, g_tlbiall

    /* HCR.TVM: MCR of TTBR0 (CRn = 2, Rt = 5) and DACR (CRn = 3, Rt = 6); the
     * hypervisor performs the writes, reads are not trapped. */
    LI r5, 0x80004000
g_ttbr0:
    mcr p15, 0, r5, c2, c0, 0
    GTRAP "mcr ttbr0 (hcr.tvm)", 0x0fe008a0, g_ttbr0
    mrc p15, 0, r0, c2, c0, 0
    GCHK "ttbr0 as written by hyp", r0, 0x80004000
    LI r6, 0x55555555
g_dacr:
    mcr p15, 0, r6, c3, c0, 0
    GTRAP "mcr dacr (hcr.tvm)", 0x0fe00cc0, g_dacr
    mrc p15, 0, r0, c3, c0, 0
    GCHK "dacr as written by hyp", r0, 0x55555555
    /* MCRR of the 64-bit TTBR0 (EC 0x04: Rt = 2, Rt2 = 3, CRm = 2). */
    LI r2, 0x80008000
    mov r3, #0
g_ttbr0_64:
    mcrr p15, 0, r2, r3, c2
    GTRAP "mcrr ttbr0 (hcr.tvm)", 0x13e00c44, g_ttbr0_64
    mrrc p15, 0, r0, r1, c2
    GCHK "ttbr0 low as written by hyp", r0, 0x80008000
    GCHK "ttbr0 high as written by hyp", r1, 0

    /* Stage 2: a page mapped elsewhere, and a read-only page. */
    LI r9, SHARED_IPA
    ldr r0, [r9]
    GCHK "s2: read of a remapped page", r0, SHARED_W0
    LI r1, 0x600df00d
    str r1, [r9, #4]
    ldr r0, [r9, #4]
    GCHK "s2: write to a remapped page", r0, 0x600df00d
    add r9, r9, #0x1000
    ldr r0, [r9]
    GCHK "s2: read of a read-only page", r0, SHARED_W1
    /* Stage 2 permission fault, level 3 (DFSC 0x0f), WnR, SRT = 4. */
g_perm:
    str r4, [r9]
    GTRAP "s2: write to a read-only page", 0x9384004f, g_perm
    GFAR "s2: write to a read-only page", (SHARED_IPA + 0x1000), 0xffffffff

    /* The emulated device: stage 2 translation faults (level 2, DFSC 0x06). */
    LI r9, DEV_IPA
g_mm1:
    ldr r4, [r9]
    GTRAP "mmio: ldr word", 0x93840006, g_mm1
    GFAR "mmio: ldr word", DEV_IPA, (DEV_IPA >> 8)
    GCHK "mmio: ldr word value", r4, DEV_ID
    LI r5, 0x1234a5f6
g_mm2:
    str r5, [r9, #4]
    GTRAP "mmio: str word", 0x93850046, g_mm2
    GFAR "mmio: str word", (DEV_IPA + 4), (DEV_IPA >> 8)
g_mm3:
    ldrh r6, [r9, #4]
    GTRAP "mmio: ldrh", 0x93460006, g_mm3
    GCHK "mmio: ldrh value", r6, 0xa5f6
g_mm4:
    ldrsb r7, [r9, #4]
    GTRAP "mmio: ldrsb", 0x93270006, g_mm4
    GCHK "mmio: ldrsb value", r7, 0xfffffff6
    LI r8, 0x1ff
g_mm5:
    strb r8, [r9, #8]
    GTRAP "mmio: strb", 0x93080046, g_mm5
    GFAR "mmio: strb", (DEV_IPA + 8), (DEV_IPA >> 8)
g_mm6:
    ldr r10, [r9, #8]
    GTRAP "mmio: ldr after strb", 0x938a0006, g_mm6
    GCHK "mmio: ldr after strb value", r10, 0xff
    /* LDRD has no valid instruction syndrome (ISV = 0): not emulated, skipped. */
    mov r2, #0
    mov r3, #0
g_mm7:
    ldrd r2, r3, [r9]
    GTRAP "mmio: ldrd (isv 0, il not valid)", 0x90000006, g_mm7
    GFAR "mmio: ldrd (isv 0, il not valid)", DEV_IPA, (DEV_IPA >> 8)
    /* T32: 16-bit instructions (IL = 0) and 32-bit ones. */
    blx guest_t32
    GSAY "guest: phase A done"
    hvc #HV_EXIT

    .thumb
    .type guest_t32, %function
    .thumb_func
guest_t32:
    push {r4-r7, lr}
    LI r1, DEV_IPA
g_t1:
    ldr.n r0, [r1]
    GTRAP "t32 mmio: ldr (16-bit)", 0x91800006, g_t1
    GCHK "t32 mmio: ldr value", r0, DEV_ID
    LI r2, 0x0badcafe
g_t2:
    str.n r2, [r1, #4]
    GTRAP "t32 mmio: str (16-bit)", 0x91820046, g_t2
g_t3:
    ldr.w r8, [r1, #4]
    GTRAP "t32 mmio: ldr.w (32-bit)", 0x93880006, g_t3
    GCHK "t32 mmio: ldr.w value", r8, 0x0badcafe
g_t4:
    wfi.n
    GTRAP "t32 wfi (16-bit)", 0x05e00000, g_t4
g_t5:
    mrc p15, 0, r7, c0, c0, 1
    GTRAP "t32 mrc ctr (hcr.tid2)", 0x0fe200e1, g_t5
    GCHK "t32 mrc ctr value", r7, EMUL(0x0fe200e1)
    /* LDRD (32-bit) with ISV = 0: the hypervisor finds the length in the instruction. */
g_t7:
    ldrd r2, r3, [r1]
    GTRAP "t32 mmio: ldrd (isv 0)", 0x90000006, g_t7
    hvc #0x4321
g_t6:
    GTRAP "t32 hvc #0x4321", 0x4a004321, g_t6
    pop {r4-r7, pc}
    .arm

/* Phase B: virtual interrupts from the list registers (37 at priority 0xa0 with EOI
 * maintenance, 38 at 0x80). */
guest_b:
    LI sp, guest_stack + 4096
    LI r9, GICC_IPA
    mov r0, #0xf0
    str r0, [r9, #GICC_PMR]
    mov r0, #1
    str r0, [r9, #GICC_CTLR]            /* EnableGrp0; group 0 signals IRQ (FIQEn = 0) */
    ldr r0, [r9, #GICC_CTLR]
    GCHK "gicv_ctlr", r0, 1
    ldr r0, [r9, #GICC_HPPIR]
    GCHK "gicv_hppir (highest priority pending)", r0, 38
    LI r0, guest_irq_entries
    ldr r0, [r0]
    GCHK "virq: not taken while cpsr.i is set", r0, 0
    cpsie i
    nop
    nop
    cpsid i
    LI r0, guest_irq_entries
    ldr r0, [r0]
    GCHK "virq: irq exceptions taken", r0, 1
    LI r4, guest_irq_log
    ldr r0, [r4]
    GCHK "virq: interrupts acknowledged", r0, 2
    ldr r0, [r4, #4]
    GCHK "virq: first gicv_iar (priority 0x80)", r0, 38
    ldr r0, [r4, #8]
    GCHK "virq: second gicv_iar (priority 0xa0)", r0, 37
    ldr r0, [r9, #GICC_IAR]
    GCHK "virq: gicv_iar when nothing is pending", r0, 1023
    hvc #HV_EXIT

/* Phase C: HCR.VI and HCR.VF set by the hypervisor before entry. */
guest_c:
    LI sp, guest_stack + 4096
    LI r0, guest_vi_mode
    mov r1, #1
    str r1, [r0]
    LI r4, guest_irq_entries
    mov r0, #0
    str r0, [r4]
    cpsie i
    nop
    cpsid i
    ldr r0, [r4]
    GCHK "hcr.vi: virtual irq taken once", r0, 1
    LI r4, guest_fiq_entries
    ldr r0, [r4]
    GCHK "hcr.vf: not taken while cpsr.f is set", r0, 0
    cpsie f
    nop
    cpsid f
    ldr r0, [r4]
    GCHK "hcr.vf: virtual fiq taken once", r0, 1
    hvc #HV_EXIT

/* Phase D, run as VMID 2 and then as VMID 1 again: r1 = what its stage 2 shows at
 * SHARED_IPA. */
guest_d:
    LI sp, guest_stack + 4096
    LI r9, SHARED_IPA
    ldr r0, [r9]
    push {r0-r3}
    mov r2, r1
    mov r1, r0
    STRADDR r0, "s2: the page this vmid sees at 0x90000000"
    hvc #HV_CHECK
    pop {r0-r3}
    LI r2, SHARED_W2
    cmp r1, r2
    bne 1f
    /* VMID 2 only: a store, and an IPA its stage 2 does not map. */
    LI r0, 0x2222
    str r0, [r9, #4]
    add r9, r9, #0x1000
g_vm2:
    ldr r0, [r9]
    GTRAP "s2: vmid 2 read of an unmapped page (level 3)", 0x93800007, g_vm2
    GFAR "s2: vmid 2 read of an unmapped page (level 3)", (SHARED_IPA + 0x1000), ((SHARED_IPA + 0x1000) >> 8)
1:  hvc #HV_EXIT

    .ltorg

/* ------------------------------------------------------------------------------------ */

    .data
    .balign 4
dev_regs:   .word DEV_ID, 0, 0, 0

    .bss
    .balign 4
trap_counts:    .space 64 * 4
last_trap:      .space 16           /* HSR, ELR, HDFAR, HPFAR */
n_checks:       .word 0
n_fail:         .word 0
n_svc_hvc:      .word 0
n_irq:          .word 0
hyp_saved_sp:   .word 0
guest_vi_mode:  .word 0
guest_irq_entries: .word 0
guest_fiq_entries: .word 0
guest_irq_log:  .space 9 * 4
    .balign 32
s2_l1:          .space 32
    .balign 32
s2b_l1:         .space 32
    .balign 4096
s2_l2_lo:       .space 4096
s2_l2_ram:      .space 4096
s2_l3_shared:   .space 4096
s2_l3_gic:      .space 4096
hv_shared:      .space 8192
hv_shared2:     .space 4096
s2b_l2_ram:     .space 4096
s2b_l3_shared:  .space 4096
hyp_stack:      .space 4096
guest_stack:    .space 4096
guest_irq_stack: .space 1024
guest_und_stack: .space 1024
guest_abt_stack: .space 1024
