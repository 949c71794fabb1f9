//! Arithmetic shared by every instruction group: the Arm ARM's shift, add-with-carry,
//! immediate-expansion and saturation pseudocode functions (A2.2, A5.2.4, A6.3.2).

/// Shift types, as in `Insn::shift`.
pub const LSL: u8 = 0;
pub const LSR: u8 = 1;
pub const ASR: u8 = 2;
pub const ROR: u8 = 3;
pub const RRX: u8 = 4;

/// DecodeImmShift (A8.4.1): the 2-bit type and 5-bit immediate of a shifted-register
/// operand to (shift type, amount). LSR/ASR #0 mean #32, ROR #0 means RRX.
#[inline]
pub fn decode_imm_shift(ty: u32, imm5: u32) -> (u8, u8) {
    match ty & 3 {
        0 => (LSL, imm5 as u8),
        1 => (LSR, if imm5 == 0 { 32 } else { imm5 as u8 }),
        2 => (ASR, if imm5 == 0 { 32 } else { imm5 as u8 }),
        _ => {
            if imm5 == 0 {
                (RRX, 1)
            } else {
                (ROR, imm5 as u8)
            }
        }
    }
}

/// Shift_C (A8.4.3): shifts `value` by `amount` (any u32: register-controlled shifts
/// pass the bottom byte of Rs) and returns (result, carry out). An amount of 0 returns
/// the value and `carry_in` unchanged.
#[inline]
pub fn shift_c(value: u32, ty: u8, amount: u32, carry_in: u32) -> (u32, u32) {
    if amount == 0 && ty != RRX {
        return (value, carry_in);
    }
    match ty {
        LSL => {
            if amount < 32 {
                (value << amount, (value >> (32 - amount)) & 1)
            } else if amount == 32 {
                (0, value & 1)
            } else {
                (0, 0)
            }
        }
        LSR => {
            if amount < 32 {
                (value >> amount, (value >> (amount - 1)) & 1)
            } else if amount == 32 {
                (0, value >> 31)
            } else {
                (0, 0)
            }
        }
        ASR => {
            if amount < 32 {
                (((value as i32) >> amount) as u32, (value >> (amount - 1)) & 1)
            } else {
                let r = ((value as i32) >> 31) as u32;
                (r, r & 1)
            }
        }
        ROR => {
            let a = amount & 31;
            let r = value.rotate_right(a);
            (r, r >> 31)
        }
        _ => ((carry_in << 31) | (value >> 1), value & 1),
    }
}

/// Shift (A8.4.3) without the carry.
#[inline]
pub fn shift(value: u32, ty: u8, amount: u32, carry_in: u32) -> u32 {
    shift_c(value, ty, amount, carry_in).0
}

/// AddWithCarry (A2.2.1): (result, carry out, overflow).
#[inline(always)]
pub fn add_with_carry(x: u32, y: u32, carry_in: u32) -> (u32, u32, u32) {
    let unsigned = x as u64 + y as u64 + carry_in as u64;
    let result = unsigned as u32;
    let carry = (unsigned >> 32) as u32;
    let overflow = ((!(x ^ y) & (x ^ result)) >> 31) & 1;
    (result, carry, overflow)
}

/// ARMExpandImm_C (A5.2.4): a 12-bit modified immediate to (value, carry out).
#[inline]
pub fn arm_expand_imm_c(imm12: u32, carry_in: u32) -> (u32, u32) {
    let value = imm12 & 0xff;
    let rot = 2 * ((imm12 >> 8) & 0xf);
    if rot == 0 {
        (value, carry_in)
    } else {
        let r = value.rotate_right(rot);
        (r, r >> 31)
    }
}

/// ThumbExpandImm_C (A6.3.2): `None` for the UNPREDICTABLE forms (a zero byte in a
/// replicated pattern).
#[inline]
pub fn thumb_expand_imm_c(imm12: u32, carry_in: u32) -> Option<(u32, u32)> {
    let b = imm12 & 0xff;
    if (imm12 >> 10) & 3 == 0 {
        let v = match (imm12 >> 8) & 3 {
            0 => b,
            1 => (b << 16) | b,
            2 => (b << 24) | (b << 8),
            _ => (b << 24) | (b << 16) | (b << 8) | b,
        };
        if (imm12 >> 8) & 3 != 0 && b == 0 {
            return None;
        }
        Some((v, carry_in))
    } else {
        let unrot = 0x80 | (imm12 & 0x7f);
        let r = unrot.rotate_right((imm12 >> 7) & 0x1f);
        Some((r, r >> 31))
    }
}

/// SignedSatQ (A2.2.2): saturate `v` to an `n`-bit signed value (1 <= n <= 32);
/// returns (result, saturated).
#[inline]
pub fn signed_sat_q(v: i64, n: u32) -> (u32, bool) {
    let max = (1i64 << (n - 1)) - 1;
    let min = -(1i64 << (n - 1));
    if v > max {
        (max as u32, true)
    } else if v < min {
        (min as u32, true)
    } else {
        (v as u32, false)
    }
}

/// UnsignedSatQ (A2.2.2): saturate `v` to an `n`-bit unsigned value (0 <= n <= 31);
/// returns (result, saturated).
#[inline]
pub fn unsigned_sat_q(v: i64, n: u32) -> (u32, bool) {
    let max = (1i64 << n) - 1;
    if v > max {
        (max as u32, true)
    } else if v < 0 {
        (0, true)
    } else {
        (v as u32, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifts_match_the_pseudocode() {
        assert_eq!(shift_c(0x8000_0001, LSL, 1, 0), (2, 1));
        assert_eq!(shift_c(0x8000_0001, LSR, 32, 0), (0, 1));
        assert_eq!(shift_c(0x8000_0000, ASR, 40, 0), (0xffff_ffff, 1));
        assert_eq!(shift_c(0x1, ROR, 1, 0), (0x8000_0000, 1));
        assert_eq!(shift_c(0x3, RRX, 1, 1), (0x8000_0001, 1));
        assert_eq!(shift_c(0x3, ROR, 32, 0), (0x3, 0));
        assert_eq!(shift_c(0x5, LSL, 0, 1), (0x5, 1));
    }

    #[test]
    fn add_with_carry_flags() {
        assert_eq!(add_with_carry(0x7fff_ffff, 1, 0), (0x8000_0000, 0, 1));
        assert_eq!(add_with_carry(0xffff_ffff, 1, 0), (0, 1, 0));
        // SUB as x + !y + 1
        assert_eq!(add_with_carry(5, !5, 1), (0, 1, 0));
    }

    #[test]
    fn expand_immediates() {
        assert_eq!(arm_expand_imm_c(0x4ff, 0), (0xff00_0000, 1));
        assert_eq!(thumb_expand_imm_c(0x1ab, 0), Some((0x00ab_00ab, 0)));
        assert_eq!(thumb_expand_imm_c(0x100, 0), None);
        assert_eq!(thumb_expand_imm_c(0x4ff, 0), Some((0x7f80_0000, 0)));
    }

    #[test]
    fn saturation() {
        assert_eq!(signed_sat_q(200, 8), (127, true));
        assert_eq!(signed_sat_q(-200, 8), ((-128i32) as u32, true));
        assert_eq!(unsigned_sat_q(-1, 8), (0, true));
        assert_eq!(unsigned_sat_q(100, 8), (100, false));
    }
}
