//! T32 (Thumb-2) decoding: the top-level tables of Arm ARM A6.2 (16-bit) and A6.3
//! (32-bit), dispatching to one module per instruction group. The 16-bit decoders get
//! the IT context, because several encodings set flags only outside an IT block.

use crate::insn::{flags, Insn, ItCtx};

pub mod branch;
pub mod dataproc;
pub mod loadstore;
pub mod media;
pub mod multiply;
pub mod system;

/// True if `hw1` is the first halfword of a 32-bit encoding (Arm ARM A6.1).
#[inline]
pub fn t32_is_wide(hw1: u32) -> bool {
    matches!(hw1 >> 11, 0b11101..=0b11111)
}

/// Decodes one T32 instruction: `hw2` is ignored for 16-bit encodings.
pub fn decode_t32(hw1: u32, hw2: u32, it: ItCtx) -> Insn {
    if t32_is_wide(hw1) {
        let mut i = decode32(hw1, hw2);
        i.raw = (hw1 << 16) | hw2;
        i.len = 4;
        i.flags |= flags::WIDE;
        i
    } else {
        let mut i = decode16(hw1, it);
        i.raw = hw1;
        i.len = 2;
        i
    }
}

/// A6.2: 16-bit encodings, by opcode = hw[15:10].
fn decode16(hw: u32, it: ItCtx) -> Insn {
    let opcode = hw >> 10;
    match opcode {
        0b000000..=0b001111 => dataproc::decode16_shift_add_sub_mov_cmp(hw, it),
        0b010000 => {
            // MUL (opcode 1101 of the data-processing group) is the multiply group's.
            if (hw >> 6) & 0xf == 0b1101 {
                multiply::decode16_mul(hw, it)
            } else {
                dataproc::decode16_dp(hw, it)
            }
        }
        0b010001 => {
            if (hw >> 8) & 3 == 0b11 {
                branch::decode16_bx_blx(hw, it)
            } else {
                dataproc::decode16_special(hw, it)
            }
        }
        0b010010 | 0b010011 => loadstore::decode16_ldr_literal(hw, it),
        0b010100..=0b100111 => loadstore::decode16_ldst_single(hw, it),
        0b101000 | 0b101001 => dataproc::decode16_adr(hw, it),
        0b101010 | 0b101011 => dataproc::decode16_add_sp(hw, it),
        0b101100..=0b101111 => decode16_misc(hw, it),
        0b110000..=0b110011 => loadstore::decode16_ldm_stm(hw, it),
        0b110100..=0b110111 => branch::decode16_cond_branch_svc_udf(hw, it),
        0b111000 | 0b111001 => branch::decode16_b(hw, it),
        _ => Insn::undefined(hw),
    }
}

/// A6.2.5: miscellaneous 16-bit instructions, by opcode = hw[11:5].
fn decode16_misc(hw: u32, it: ItCtx) -> Insn {
    let op = (hw >> 5) & 0x7f;
    match op {
        0b0000000..=0b0000111 => dataproc::decode16_adjust_sp(hw, it),
        _ if op & 0b0101000 == 0b0001000 => branch::decode16_cbz(hw, it),
        _ if op & 0b1111000 == 0b0010000 => media::decode16_extend(hw, it),
        _ if op & 0b1110000 == 0b0100000 || op & 0b1110000 == 0b1100000 => {
            loadstore::decode16_push_pop(hw, it)
        }
        _ if op & 0b1111000 == 0b1010000 => media::decode16_rev(hw, it),
        _ if op & 0b1111000 == 0b1111000 => {
            if hw & 0xf != 0 {
                decode16_it(hw, it)
            } else {
                system::decode16_hint(hw, it)
            }
        }
        _ => system::decode16_misc_system(hw, it),
    }
}

/// IT (Arm ARM A8.8.54). The block builder and run loop keep ITSTATE; the instruction
/// itself only carries firstcond:mask in `imm`.
fn decode16_it(hw: u32, it: ItCtx) -> Insn {
    let firstcond = (hw >> 4) & 0xf;
    let mask = hw & 0xf;
    // UNPREDICTABLE: firstcond 1111, firstcond 1110 with more than one instruction, or
    // an IT inside an IT block.
    if firstcond == 0xf || (firstcond == 0xe && mask.count_ones() != 1) || it.in_it {
        return Insn::unpredictable(hw);
    }
    let mut i = Insn::new(exec_it, hw);
    i.imm = hw & 0xff;
    i.flags |= flags::IT;
    i
}

fn exec_it(_cpu: &mut crate::cpu::Cpu, _i: &Insn) -> Result<(), crate::exception::Exception> {
    Ok(())
}

/// A6.3: 32-bit encodings.
fn decode32(hw1: u32, hw2: u32) -> Insn {
    let op1 = (hw1 >> 11) & 3;
    let op2 = (hw1 >> 4) & 0x7f;
    let op = hw2 >> 15;
    match op1 {
        0b01 => {
            if op2 & 0b1100100 == 0b0000000 {
                loadstore::decode32_ldst_multiple(hw1, hw2)
            } else if op2 & 0b1100100 == 0b0000100 {
                loadstore::decode32_dual_excl_tb(hw1, hw2)
            } else if op2 & 0b1100000 == 0b0100000 {
                dataproc::decode32_shifted_reg(hw1, hw2)
            } else {
                system::decode32_coproc(hw1, hw2)
            }
        }
        0b10 => {
            if op == 1 {
                branch::decode32_branch_misc(hw1, hw2)
            } else if op2 & 0b0100000 == 0 {
                dataproc::decode32_modified_imm(hw1, hw2)
            } else if (hw1 >> 4) & 0b10000 != 0 {
                // SSAT, USAT, SBFX, UBFX, BFI, BFC.
                media::decode32_plain_imm_media(hw1, hw2)
            } else {
                dataproc::decode32_plain_imm(hw1, hw2)
            }
        }
        _ => {
            if op2 & 0b1110001 == 0b0000000 {
                loadstore::decode32_store_single(hw1, hw2)
            } else if op2 & 0b1100111 == 0b0000001 {
                loadstore::decode32_load_byte(hw1, hw2)
            } else if op2 & 0b1100111 == 0b0000011 {
                loadstore::decode32_load_half(hw1, hw2)
            } else if op2 & 0b1100111 == 0b0000101 {
                loadstore::decode32_load_word(hw1, hw2)
            } else if op2 & 0b1100111 == 0b0000111 {
                Insn::undefined((hw1 << 16) | hw2)
            } else if op2 & 0b1110001 == 0b0010000 {
                // Advanced SIMD element or structure load/store: not implemented until
                // the NEON issue, so UNDEFINED (no ID register advertises it).
                Insn::undefined((hw1 << 16) | hw2)
            } else if op2 & 0b1110000 == 0b0100000 {
                // A6.3.12: shifts by register are data processing; the rest is media.
                if (hw1 >> 7) & 1 == 0 && (hw2 >> 4) & 0xf == 0 {
                    dataproc::decode32_shift_reg(hw1, hw2)
                } else {
                    media::decode32_dp_reg_media(hw1, hw2)
                }
            } else if op2 & 0b1111000 == 0b0110000 {
                multiply::decode32_mul(hw1, hw2)
            } else if op2 & 0b1111000 == 0b0111000 {
                multiply::decode32_long_mul_div(hw1, hw2)
            } else {
                system::decode32_coproc(hw1, hw2)
            }
        }
    }
}
