/* Start-up state: the CPSR at entry, the system control and ID registers. */
#include "common/test.h"
    CODE
    .text
FUNC main
    push {r4, lr}
    LI r0, entry_cpsr
    ldr r0, [r0]
    PR "entry cpsr", r0
    mrs r0, cpsr
    PR "cpsr in main", r0
    mrc p15, 0, r0, c1, c0, 0
    PR "sctlr", r0
    mrc p15, 0, r0, c12, c0, 0
    PR "vbar", r0
    mrc p15, 0, r0, c0, c0, 0
    PR "midr", r0
    mrc p15, 0, r0, c0, c0, 5
    PR "mpidr", r0
    mrc p15, 0, r0, c0, c1, 0
    PR "id_pfr0", r0
    mrc p15, 0, r0, c0, c1, 1
    PR "id_pfr1", r0
    mrc p15, 0, r0, c0, c2, 0
    PR "id_isar0", r0
    mrc p15, 0, r0, c0, c2, 1
    PR "id_isar1", r0
    mrc p15, 0, r0, c0, c2, 2
    PR "id_isar2", r0
    mrc p15, 0, r0, c0, c2, 3
    PR "id_isar3", r0
    mrc p15, 0, r0, c0, c2, 4
    PR "id_isar4", r0
    mrc p15, 0, r0, c0, c1, 4
    PR "id_mmfr0", r0
    SAY "done"
    mov r0, #0
    pop {r4, pc}
