/* SETEND with big-endian loads and stores of every size (and LDRD/LDM/STM, REV checks),
 * barriers (DMB/DSB/ISB with options), hints (NOP, YIELD, SEV then WFE, DBG), PLD/PLDW/PLI
 * (no architectural effect: registers and flags must be unchanged). */
#include "common/test.h"
    CODE
    .text

FUNC main
    push {r4-r11, lr}
    LI r4, data
    SAY "== setend be"
    setend be
    mrs r0, cpsr
    ldr r1, [r4]
    ldrh r2, [r4, #2]
    ldrsh r3, [r4, #4]
    ldrb r5, [r4, #1]
    ldrd r6, r7, [r4, #8]
    setend le
    PR "cpsr in be", r0
    PR2 "ldr ldrh", r1, r2
    PR2 "ldrsh ldrb", r3, r5
    PR2 "ldrd", r6, r7
    setend be
    ldm r4, {r6, r7}
    LI r0, 0x11223344
    str r0, [r4, #16]
    strh r0, [r4, #20]
    strb r0, [r4, #23]
    LI r1, 0xaabbccdd
    strd r0, r1, [r4, #24]
    setend le
    PR2 "ldm", r6, r7
    ldr r0, [r4, #16]
    ldr r1, [r4, #20]
    PR2 "after str strh strb (le view)", r0, r1
    ldrd r0, r1, [r4, #24]
    PR2 "after strd (le view)", r0, r1
    mrs r0, cpsr
    PR "cpsr back in le", r0

    SAY "== barriers and hints"
    LI r0, 0x12345678
    SETFLAGS 0x90050000
    dmb
    dmb sy
    dmb ish
    dmb ishst
    dmb nsh
    dmb osh
    dmb st
    dsb
    dsb sy
    dsb ish
    dsb nshst
    isb
    isb sy
    nop
    yield
    sev
    wfe
    dbg #5
    pld [r4]
    pld [r4, #64]
    pldw [r4, #-4]
    pli [r4]
    pld [r4, r0]
    pli [r4, #0x20]
    PRF "unchanged", r0
    mov r0, #0
    pop {r4-r11, pc}

    .data
    .balign 8
data: .word 0x11223344, 0x8899aabb, 0xccddeeff, 0x00010203, 0, 0, 0, 0
