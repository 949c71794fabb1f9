//! The instruction syndrome of a Data Abort taken to Hyp mode (Arm ARM B3.13.6, "ISS
//! encoding for a Data Abort exception": ISV, SAS, SSE, SRT), derived at fault time from
//! the faulting instruction so that the access path keeps no bookkeeping.
//!
//! ISV is 1 only for loads and stores of a single general-purpose register without
//! writeback: LDR, LDRB, LDRH, LDRSB, LDRSH, STR, STRB, STRH and their unprivileged
//! forms where those do not write back (T32 LDRT etc.; the A32 ones are post-indexed
//! and always write back). LDRD/STRD, LDM/STM, exclusives, SWP, coprocessor and
//! VFP/Advanced SIMD accesses have none.

/// What ISS[24:16] report about a load or store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LsSyndrome {
    /// SAS: log2 of the access size (0 byte, 1 halfword, 2 word).
    pub sas: u8,
    /// SSE: the load sign-extends.
    pub sse: bool,
    /// SRT: the transfer register.
    pub srt: u8,
}

impl LsSyndrome {
    /// ISV (bit 24), SAS (23:22), SSE (21), SRT (19:16).
    pub fn iss(&self) -> u32 {
        (1 << 24)
            | ((self.sas as u32) << 22)
            | ((self.sse as u32) << 21)
            | ((self.srt as u32 & 15) << 16)
    }
}

const fn ls(sas: u8, sse: bool, srt: u32) -> Option<LsSyndrome> {
    Some(LsSyndrome {
        sas,
        sse,
        srt: (srt & 15) as u8,
    })
}

/// An A32 instruction (Arm ARM A5.3 "Load/store word and unsigned byte", A5.2.8 "Extra
/// load/store instructions").
pub fn a32(w: u32) -> Option<LsSyndrome> {
    if w >> 28 == 0xf {
        return None; // unconditional space: PLD, PLI, ...
    }
    let p = w & (1 << 24) != 0;
    let wb = w & (1 << 21) != 0;
    let load = w & (1 << 20) != 0;
    let rt = w >> 12;
    if (w >> 26) & 3 == 1 {
        // LDR/STR/LDRB/STRB; I = 1 with bit 4 set is the media space.
        if w & (1 << 25) != 0 && w & (1 << 4) != 0 {
            return None;
        }
        if !p || wb {
            return None; // post-indexed (incl. LDRT/STRT) or pre-indexed writeback
        }
        let byte = w & (1 << 22) != 0;
        return ls(if byte { 0 } else { 2 }, false, rt);
    }
    // Extra load/store: cond 000x xxxx xxxx xxxx xxxx 1xx1 xxxx with op2 != 00.
    if w & 0x0e00_0090 == 0x0000_0090 && (w >> 5) & 3 != 0 {
        if !p || wb {
            return None;
        }
        return match ((w >> 5) & 3, load) {
            (1, _) => ls(1, false, rt),   // LDRH/STRH
            (2, true) => ls(0, true, rt), // LDRSB
            (3, true) => ls(1, true, rt), // LDRSH
            _ => None,                    // LDRD/STRD
        };
    }
    None
}

/// A 16-bit T32 instruction (Arm ARM A6.2.4 "Load/store single data item").
pub fn t16(hw: u32) -> Option<LsSyndrome> {
    let rt = hw & 7;
    match hw >> 12 {
        0b0101 => match (hw >> 9) & 7 {
            0 | 4 => ls(2, false, rt), // STR/LDR (register)
            1 | 5 => ls(1, false, rt), // STRH/LDRH
            2 | 6 => ls(0, false, rt), // STRB/LDRB
            3 => ls(0, true, rt),      // LDRSB
            _ => ls(1, true, rt),      // LDRSH
        },
        0b0110 => ls(2, false, rt),            // STR/LDR (immediate)
        0b0111 => ls(0, false, rt),            // STRB/LDRB
        0b1000 => ls(1, false, rt),            // STRH/LDRH
        0b1001 => ls(2, false, (hw >> 8) & 7), // STR/LDR (SP)
        0b0100 if hw & 0x0800 != 0 => ls(2, false, (hw >> 8) & 7), // LDR (literal)
        _ => None,
    }
}

/// A 32-bit T32 instruction (Arm ARM A6.3.10 "Store single data item", A6.3.7-A6.3.9
/// loads of words, halfwords and bytes).
pub fn t32(hw1: u32, hw2: u32) -> Option<LsSyndrome> {
    if hw1 >> 9 != 0b111_1100 {
        return None;
    }
    let sign = hw1 & (1 << 8) != 0;
    let imm12 = hw1 & (1 << 7) != 0;
    let size = ((hw1 >> 5) & 3) as u8;
    let load = hw1 & (1 << 4) != 0;
    let rn = hw1 & 15;
    let rt = hw2 >> 12;
    if size == 3 || (sign && (!load || size == 2)) {
        return None; // undefined, or Advanced SIMD element loads/stores
    }
    if load && rt & 15 == 15 && size != 2 {
        return None; // PLD/PLI and hints: no access that could fault
    }
    let ok = if imm12 || (load && rn == 15) {
        true // positive 12-bit offset, or literal
    } else if hw2 & (1 << 11) != 0 {
        // 8-bit immediate: P (10), U (9), W (8); P = 1, W = 0 includes LDRT/STRT.
        hw2 & (1 << 10) != 0 && hw2 & (1 << 8) == 0
    } else {
        (hw2 >> 6) & 0x3f == 0 // register offset
    };
    if ok {
        ls(size, sign, rt)
    } else {
        None
    }
}
