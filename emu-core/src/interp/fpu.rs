//! A small soft-float that follows the Arm ARM's floating-point pseudocode (A2.7):
//! FPUnpack, FPRound, FPProcessNaN(s), FPAdd, FPMul, FPMulAdd, FPDiv, FPSqrt,
//! FPCompare, FPToFixed, FixedToFP and the precision conversions, bit-exact for every
//! rounding mode with FPSCR.FZ, FPSCR.DN and FPSCR.AHP, setting the cumulative
//! exception flags. Values are carried as raw bits (`u64`) with a [`Fmt`].
//!
//! Arithmetic is exact on integers (`u128`) followed by one rounding step, so there is
//! no dependency on the host's floating-point environment.

/// FPSCR bits.
pub mod fpscr {
    pub const IOC: u32 = 1 << 0;
    pub const DZC: u32 = 1 << 1;
    pub const OFC: u32 = 1 << 2;
    pub const UFC: u32 = 1 << 3;
    pub const IXC: u32 = 1 << 4;
    pub const IDC: u32 = 1 << 7;
    pub const RMODE_SHIFT: u32 = 22;
    pub const FZ: u32 = 1 << 24;
    pub const DN: u32 = 1 << 25;
    pub const AHP: u32 = 1 << 26;
}

/// Rounding modes (FPSCR.RMode).
pub const RN: u32 = 0;
pub const RP: u32 = 1;
pub const RM: u32 = 2;
pub const RZ: u32 = 3;

/// A binary format: exponent and fraction widths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fmt {
    pub e: u32,
    pub f: u32,
}

pub const F16: Fmt = Fmt { e: 5, f: 10 };
pub const F32: Fmt = Fmt { e: 8, f: 23 };
pub const F64: Fmt = Fmt { e: 11, f: 52 };

impl Fmt {
    #[inline]
    fn sign_bit(self) -> u64 {
        1u64 << (self.e + self.f)
    }
    #[inline]
    fn frac_mask(self) -> u64 {
        (1u64 << self.f) - 1
    }
    #[inline]
    fn exp_max(self) -> u64 {
        (1u64 << self.e) - 1
    }
    /// The unbiased exponent of the smallest normal number.
    #[inline]
    fn min_exp(self) -> i32 {
        2 - (1i32 << (self.e - 1))
    }
    pub fn zero(self, sign: bool) -> u64 {
        if sign {
            self.sign_bit()
        } else {
            0
        }
    }
    pub fn inf(self, sign: bool) -> u64 {
        self.zero(sign) | (self.exp_max() << self.f)
    }
    fn max_normal(self, sign: bool) -> u64 {
        self.zero(sign) | ((self.exp_max() - 1) << self.f) | self.frac_mask()
    }
    pub fn default_nan(self) -> u64 {
        (self.exp_max() << self.f) | (1u64 << (self.f - 1))
    }
    fn quiet_bit(self) -> u64 {
        1u64 << (self.f - 1)
    }
}

/// The floating-point environment of one operation: FPSCR in, flags out.
pub struct Env {
    pub fpscr: u32,
    /// Cumulative exception flags raised (FPSCR bit positions).
    pub flags: u32,
}

impl Env {
    pub fn new(fpscr: u32) -> Env {
        Env { fpscr, flags: 0 }
    }
    #[inline]
    fn fz(&self) -> bool {
        self.fpscr & fpscr::FZ != 0
    }
    #[inline]
    fn dn(&self) -> bool {
        self.fpscr & fpscr::DN != 0
    }
    #[inline]
    fn ahp(&self) -> bool {
        self.fpscr & fpscr::AHP != 0
    }
    #[inline]
    pub fn rmode(&self) -> u32 {
        (self.fpscr >> fpscr::RMODE_SHIFT) & 3
    }
    #[inline]
    fn raise(&mut self, f: u32) {
        self.flags |= f;
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Zero,
    Finite,
    Inf,
    QNaN,
    SNaN,
}

/// An unpacked operand: for `Finite`, value = (-1)^sign * mant * 2^exp.
#[derive(Clone, Copy, Debug)]
pub struct Val {
    pub kind: Kind,
    pub sign: bool,
    pub mant: u64,
    pub exp: i32,
}

impl Val {
    fn is_nan(&self) -> bool {
        matches!(self.kind, Kind::QNaN | Kind::SNaN)
    }
}

/// FPUnpack. `flush`: honour FPSCR.FZ for this input (not for half precision).
pub fn unpack(fmt: Fmt, x: u64, env: &mut Env, flush: bool) -> Val {
    let sign = x & fmt.sign_bit() != 0;
    let e = (x >> fmt.f) & fmt.exp_max();
    let frac = x & fmt.frac_mask();
    let bias = (1i32 << (fmt.e - 1)) - 1;
    let mk = |kind, mant, exp| Val {
        kind,
        sign,
        mant,
        exp,
    };
    if e == 0 {
        if frac == 0 {
            mk(Kind::Zero, 0, 0)
        } else if flush && env.fz() {
            env.raise(fpscr::IDC);
            mk(Kind::Zero, 0, 0)
        } else {
            mk(Kind::Finite, frac, 1 - bias - fmt.f as i32)
        }
    } else if e == fmt.exp_max() && !(fmt == F16 && env.ahp()) {
        if frac == 0 {
            mk(Kind::Inf, 0, 0)
        } else if frac & fmt.quiet_bit() != 0 {
            mk(Kind::QNaN, 0, 0)
        } else {
            mk(Kind::SNaN, 0, 0)
        }
    } else {
        mk(
            Kind::Finite,
            frac | (1u64 << fmt.f),
            e as i32 - bias - fmt.f as i32,
        )
    }
}

/// FPRound: rounds (-1)^sign * mant * 2^exp (mant != 0, mant < 2^127) to `fmt` with
/// the FPSCR rounding mode.
pub fn round(fmt: Fmt, sign: bool, mant: u128, exp: i32, env: &mut Env) -> u64 {
    let rm = env.rmode();
    round_mode(fmt, sign, mant, exp, env, rm)
}

fn round_mode(fmt: Fmt, sign: bool, mant: u128, exp: i32, env: &mut Env, rm: u32) -> u64 {
    debug_assert!(mant != 0);
    let p = 127 - mant.leading_zeros() as i32;
    let exponent = exp + p;
    let min_exp = fmt.min_exp();
    let f = fmt.f as i32;
    if fmt != F16 && env.fz() && exponent < min_exp {
        env.raise(fpscr::UFC);
        return fmt.zero(sign);
    }
    let mut biased_exp = (exponent - min_exp + 1).max(0) as u64;
    let lsb = if biased_exp == 0 {
        min_exp - f
    } else {
        exponent - f
    };
    let sh = lsb - exp;
    // (int_mant, error compared with one half: -1 below, 0 equal, 1 above; inexact)
    let (mut int_mant, half_cmp, inexact): (u64, i32, bool) = if sh <= 0 {
        ((mant << (-sh) as u32) as u64, -1, false)
    } else if sh >= 128 {
        (0, -1, true)
    } else {
        let sh = sh as u32;
        let rem = mant & ((1u128 << sh) - 1);
        let half = 1u128 << (sh - 1);
        let c = match rem.cmp(&half) {
            std::cmp::Ordering::Less => -1,
            std::cmp::Ordering::Equal => 0,
            std::cmp::Ordering::Greater => 1,
        };
        ((mant >> sh) as u64, c, rem != 0)
    };
    if biased_exp == 0 && inexact {
        env.raise(fpscr::UFC);
    }
    let (round_up, overflow_to_inf) = match rm {
        RN => (
            inexact && (half_cmp > 0 || (half_cmp == 0 && int_mant & 1 != 0)),
            true,
        ),
        RP => (inexact && !sign, !sign),
        RM => (inexact && sign, sign),
        _ => (false, false),
    };
    if round_up {
        int_mant += 1;
        if int_mant == 1u64 << f {
            biased_exp = 1;
        }
        if int_mant == 1u64 << (f + 1) {
            biased_exp += 1;
            int_mant >>= 1;
        }
    }
    let mut inexact = inexact;
    let result;
    if fmt != F16 || !env.ahp() {
        if biased_exp >= fmt.exp_max() {
            result = if overflow_to_inf {
                fmt.inf(sign)
            } else {
                fmt.max_normal(sign)
            };
            env.raise(fpscr::OFC);
            inexact = true;
        } else {
            result = fmt.zero(sign) | (biased_exp << fmt.f) | (int_mant & fmt.frac_mask());
        }
    } else if biased_exp > fmt.exp_max() {
        result = fmt.zero(sign) | (fmt.sign_bit() - 1);
        env.raise(fpscr::IOC);
        inexact = false;
    } else {
        result = fmt.zero(sign) | (biased_exp << fmt.f) | (int_mant & fmt.frac_mask());
    }
    if inexact {
        env.raise(fpscr::IXC);
    }
    result
}

/// FPProcessNaN.
fn process_nan(fmt: Fmt, v: &Val, x: u64, env: &mut Env) -> u64 {
    let mut r = x;
    if v.kind == Kind::SNaN {
        r |= fmt.quiet_bit();
        env.raise(fpscr::IOC);
    }
    if env.dn() {
        fmt.default_nan()
    } else {
        r
    }
}

/// FPProcessNaNs / FPProcessNaNs3: the first signalling NaN, else the first quiet NaN.
fn process_nans(fmt: Fmt, ops: &[(Val, u64)], env: &mut Env) -> Option<u64> {
    for (v, x) in ops {
        if v.kind == Kind::SNaN {
            return Some(process_nan(fmt, v, *x, env));
        }
    }
    for (v, x) in ops {
        if v.kind == Kind::QNaN {
            return Some(process_nan(fmt, v, *x, env));
        }
    }
    None
}

fn invalid(fmt: Fmt, env: &mut Env) -> u64 {
    env.raise(fpscr::IOC);
    fmt.default_nan()
}

pub fn neg(fmt: Fmt, x: u64) -> u64 {
    x ^ fmt.sign_bit()
}

pub fn abs(fmt: Fmt, x: u64) -> u64 {
    x & !fmt.sign_bit()
}

/// The exact sum of two finite nonzero terms (mantissas below 2^107), rounded.
fn add_terms(
    fmt: Fmt,
    (s1, m1, e1): (bool, u128, i32),
    (s2, m2, e2): (bool, u128, i32),
    env: &mut Env,
) -> u64 {
    // Normalise both to bit 125, then align the smaller with a sticky bit.
    let norm = |m: u128, e: i32| {
        let p = 127 - m.leading_zeros() as i32;
        (m << (125 - p) as u32, e - (125 - p))
    };
    let (mut a, mut ea) = norm(m1, e1);
    let (mut b, mut eb) = norm(m2, e2);
    let (mut sa, mut sb) = (s1, s2);
    if eb > ea || (eb == ea && b > a) {
        std::mem::swap(&mut a, &mut b);
        std::mem::swap(&mut ea, &mut eb);
        std::mem::swap(&mut sa, &mut sb);
    }
    let d = (ea - eb) as u32;
    let b = if d == 0 {
        b
    } else if d >= 127 {
        1
    } else {
        let lost = b & ((1u128 << d) - 1);
        (b >> d) | (lost != 0) as u128
    };
    let (sum, sign) = if sa == sb { (a + b, sa) } else { (a - b, sa) };
    if sum == 0 {
        return fmt.zero(env.rmode() == RM);
    }
    round(fmt, sign, sum, ea, env)
}

/// FPAdd (FPSub is FPAdd with the second operand negated).
pub fn add(fmt: Fmt, x: u64, y: u64, env: &mut Env) -> u64 {
    let a = unpack(fmt, x, env, true);
    let b = unpack(fmt, y, env, true);
    if let Some(r) = process_nans(fmt, &[(a, x), (b, y)], env) {
        return r;
    }
    match (a.kind, b.kind) {
        (Kind::Inf, Kind::Inf) if a.sign != b.sign => invalid(fmt, env),
        (Kind::Inf, _) => fmt.inf(a.sign),
        (_, Kind::Inf) => fmt.inf(b.sign),
        (Kind::Zero, Kind::Zero) => {
            if a.sign == b.sign {
                fmt.zero(a.sign)
            } else {
                fmt.zero(env.rmode() == RM)
            }
        }
        (Kind::Zero, _) => round(fmt, b.sign, b.mant as u128, b.exp, env),
        (_, Kind::Zero) => round(fmt, a.sign, a.mant as u128, a.exp, env),
        _ => add_terms(
            fmt,
            (a.sign, a.mant as u128, a.exp),
            (b.sign, b.mant as u128, b.exp),
            env,
        ),
    }
}

pub fn sub(fmt: Fmt, x: u64, y: u64, env: &mut Env) -> u64 {
    // FPSub: NaN operands keep their sign, so negate after NaN processing.
    let a = unpack(fmt, x, env, true);
    let b = unpack(fmt, y, env, true);
    if let Some(r) = process_nans(fmt, &[(a, x), (b, y)], env) {
        return r;
    }
    // Flags from unpacking are already raised; unpacking again raises the same.
    add(fmt, x, neg(fmt, y), env)
}

/// FPMul.
pub fn mul(fmt: Fmt, x: u64, y: u64, env: &mut Env) -> u64 {
    let a = unpack(fmt, x, env, true);
    let b = unpack(fmt, y, env, true);
    if let Some(r) = process_nans(fmt, &[(a, x), (b, y)], env) {
        return r;
    }
    let sign = a.sign != b.sign;
    match (a.kind, b.kind) {
        (Kind::Inf, Kind::Zero) | (Kind::Zero, Kind::Inf) => invalid(fmt, env),
        (Kind::Inf, _) | (_, Kind::Inf) => fmt.inf(sign),
        (Kind::Zero, _) | (_, Kind::Zero) => fmt.zero(sign),
        _ => round(
            fmt,
            sign,
            a.mant as u128 * b.mant as u128,
            a.exp + b.exp,
            env,
        ),
    }
}

/// FPMulAdd: addend + op1 * op2 with one rounding.
pub fn muladd(fmt: Fmt, addend: u64, x: u64, y: u64, env: &mut Env) -> u64 {
    let c = unpack(fmt, addend, env, true);
    let a = unpack(fmt, x, env, true);
    let b = unpack(fmt, y, env, true);
    let inf_zero = matches!(
        (a.kind, b.kind),
        (Kind::Inf, Kind::Zero) | (Kind::Zero, Kind::Inf)
    );
    if let Some(r) = process_nans(fmt, &[(c, addend), (a, x), (b, y)], env) {
        if c.kind == Kind::QNaN && inf_zero {
            return invalid(fmt, env);
        }
        return r;
    }
    let sp = a.sign != b.sign;
    let inf_p = a.kind == Kind::Inf || b.kind == Kind::Inf;
    let zero_p = a.kind == Kind::Zero || b.kind == Kind::Zero;
    if inf_zero || (c.kind == Kind::Inf && inf_p && c.sign != sp) {
        return invalid(fmt, env);
    }
    if (c.kind == Kind::Inf && !c.sign) || (inf_p && !sp) {
        return fmt.inf(false);
    }
    if (c.kind == Kind::Inf && c.sign) || (inf_p && sp) {
        return fmt.inf(true);
    }
    if c.kind == Kind::Zero && zero_p {
        if c.sign == sp {
            return fmt.zero(c.sign);
        }
        return fmt.zero(env.rmode() == RM);
    }
    if zero_p {
        return round(fmt, c.sign, c.mant as u128, c.exp, env);
    }
    let pm = a.mant as u128 * b.mant as u128;
    let pe = a.exp + b.exp;
    if c.kind == Kind::Zero {
        return round(fmt, sp, pm, pe, env);
    }
    add_terms(fmt, (c.sign, c.mant as u128, c.exp), (sp, pm, pe), env)
}

/// FPDiv.
pub fn div(fmt: Fmt, x: u64, y: u64, env: &mut Env) -> u64 {
    let a = unpack(fmt, x, env, true);
    let b = unpack(fmt, y, env, true);
    if let Some(r) = process_nans(fmt, &[(a, x), (b, y)], env) {
        return r;
    }
    let sign = a.sign != b.sign;
    match (a.kind, b.kind) {
        (Kind::Inf, Kind::Inf) | (Kind::Zero, Kind::Zero) => invalid(fmt, env),
        (Kind::Inf, _) => fmt.inf(sign),
        (_, Kind::Zero) => {
            env.raise(fpscr::DZC);
            fmt.inf(sign)
        }
        (Kind::Zero, _) | (_, Kind::Inf) => fmt.zero(sign),
        _ => {
            let n = a.mant as u128;
            let pn = 127 - n.leading_zeros() as i32;
            let n = n << (125 - pn) as u32;
            let d = b.mant as u128;
            let pd = 127 - d.leading_zeros() as i32;
            let d = d << (60 - pd) as u32;
            let q = n / d;
            let r = n % d;
            let q = q | (r != 0) as u128;
            let exp = (a.exp - (125 - pn)) - (b.exp - (60 - pd));
            round(fmt, sign, q, exp, env)
        }
    }
}

fn isqrt(n: u128) -> u128 {
    // Bitwise integer square root.
    let mut x = n;
    let mut r: u128 = 0;
    let mut bit: u128 = 1u128 << 126;
    while bit > x {
        bit >>= 2;
    }
    while bit != 0 {
        if x >= r + bit {
            x -= r + bit;
            r = (r >> 1) + bit;
        } else {
            r >>= 1;
        }
        bit >>= 2;
    }
    r
}

/// FPSqrt.
pub fn sqrt(fmt: Fmt, x: u64, env: &mut Env) -> u64 {
    let a = unpack(fmt, x, env, true);
    if a.is_nan() {
        return process_nan(fmt, &a, x, env);
    }
    match a.kind {
        Kind::Zero => fmt.zero(a.sign),
        _ if a.sign => invalid(fmt, env),
        Kind::Inf => fmt.inf(false),
        _ => {
            let mut m = a.mant as u128;
            let mut e = a.exp;
            if e & 1 != 0 {
                m <<= 1;
                e -= 1;
            }
            let p = 127 - m.leading_zeros() as i32;
            // Shift by an even amount to put the msb at bit 124 or 125.
            let s = ((124 - p) & !1).max(0);
            let m = m << s as u32;
            let e = e - s;
            let r = isqrt(m);
            let r = r | (r * r != m) as u128;
            round(fmt, false, r, e / 2, env)
        }
    }
}

/// FPCompare: returns NZCV (bits 31:28). `quiet_nan_exc`: VCMPE (any NaN is Invalid).
pub fn compare(fmt: Fmt, x: u64, y: u64, quiet_nan_exc: bool, env: &mut Env) -> u32 {
    let a = unpack(fmt, x, env, true);
    let b = unpack(fmt, y, env, true);
    if a.is_nan() || b.is_nan() {
        if a.kind == Kind::SNaN || b.kind == Kind::SNaN || quiet_nan_exc {
            env.raise(fpscr::IOC);
        }
        return 0x3000_0000;
    }
    let key = |v: &Val, raw: u64| -> i128 {
        let mag = if v.kind == Kind::Zero {
            0
        } else {
            (raw & !fmt.sign_bit()) as i128
        };
        if v.sign {
            -mag
        } else {
            mag
        }
    };
    match key(&a, x).cmp(&key(&b, y)) {
        std::cmp::Ordering::Equal => 0x6000_0000,
        std::cmp::Ordering::Less => 0x8000_0000,
        std::cmp::Ordering::Greater => 0x2000_0000,
    }
}

/// FPToFixed: to a `bits`-bit integer with `fbits` fraction bits (rounding mode `rm`),
/// saturating. Returns the result as a sign- or zero-extended u64.
pub fn to_fixed(
    fmt: Fmt,
    x: u64,
    bits: u32,
    fbits: u32,
    unsigned: bool,
    rm: u32,
    env: &mut Env,
) -> u64 {
    let a = unpack(fmt, x, env, true);
    let (mag, inexact, up): (u128, bool, bool) = match a.kind {
        Kind::QNaN | Kind::SNaN => {
            env.raise(fpscr::IOC);
            return 0;
        }
        Kind::Zero => (0, false, false),
        Kind::Inf => (u128::MAX >> 1, false, false),
        Kind::Finite => {
            let e = a.exp + fbits as i32;
            if e >= 0 {
                if e > 70 {
                    (u128::MAX >> 1, false, false)
                } else {
                    ((a.mant as u128) << e as u32, false, false)
                }
            } else {
                let sh = (-e) as u32;
                let m = a.mant as u128;
                let (q, c, inexact) = if sh >= 100 {
                    (0u128, -1, true)
                } else {
                    let rem = m & ((1u128 << sh) - 1);
                    let half = 1u128 << (sh - 1);
                    let c = match rem.cmp(&half) {
                        std::cmp::Ordering::Less => -1,
                        std::cmp::Ordering::Equal => 0,
                        std::cmp::Ordering::Greater => 1,
                    };
                    (m >> sh, c, rem != 0)
                };
                let up = match rm {
                    RN => inexact && (c > 0 || (c == 0 && q & 1 != 0)),
                    RP => inexact && !a.sign,
                    RM => inexact && a.sign,
                    _ => false,
                };
                (q, inexact, up)
            }
        }
    };
    let mag = mag + up as u128;
    let v: i128 = if a.sign { -(mag as i128) } else { mag as i128 };
    let (lo, hi): (i128, i128) = if unsigned {
        (0, (1i128 << bits) - 1)
    } else {
        (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
    };
    let r = if v < lo {
        env.raise(fpscr::IOC);
        lo
    } else if v > hi {
        env.raise(fpscr::IOC);
        hi
    } else {
        if inexact {
            env.raise(fpscr::IXC);
        }
        v
    };
    r as u64
}

/// FixedToFP: a `bits`-bit integer (low bits of `x`) with `fbits` fraction bits, with
/// the FPSCR rounding mode.
pub fn from_fixed(fmt: Fmt, x: u64, bits: u32, fbits: u32, unsigned: bool, env: &mut Env) -> u64 {
    let rm = env.rmode();
    from_fixed_rm(fmt, x, bits, fbits, unsigned, rm, env)
}

/// FixedToFP with rounding mode `rm` (VCVT from fixed point rounds to nearest).
pub fn from_fixed_rm(
    fmt: Fmt,
    x: u64,
    bits: u32,
    fbits: u32,
    unsigned: bool,
    rm: u32,
    env: &mut Env,
) -> u64 {
    let raw = if bits == 64 {
        x
    } else {
        x & ((1u64 << bits) - 1)
    };
    let (sign, mag) = if unsigned {
        (false, raw)
    } else {
        let v = ((raw << (64 - bits)) as i64) >> (64 - bits);
        (v < 0, v.unsigned_abs())
    };
    if mag == 0 {
        return fmt.zero(false);
    }
    round_mode(fmt, sign, mag as u128, -(fbits as i32), env, rm)
}

/// Conversion between single and double precision (FPSingleToDouble, FPDoubleToSingle).
pub fn convert(from: Fmt, to: Fmt, x: u64, env: &mut Env) -> u64 {
    let a = unpack(from, x, env, true);
    convert_val(from, to, &a, x, env)
}

fn convert_val(from: Fmt, to: Fmt, a: &Val, x: u64, env: &mut Env) -> u64 {
    match a.kind {
        Kind::QNaN | Kind::SNaN => {
            if a.kind == Kind::SNaN {
                env.raise(fpscr::IOC);
            }
            if env.dn() {
                return to.default_nan();
            }
            let payload = x & (from.frac_mask() >> 1);
            let payload = if to.f >= from.f {
                payload << (to.f - from.f)
            } else {
                payload >> (from.f - to.f)
            };
            to.inf(a.sign) | to.quiet_bit() | payload
        }
        Kind::Inf => to.inf(a.sign),
        Kind::Zero => to.zero(a.sign),
        Kind::Finite => round(to, a.sign, a.mant as u128, a.exp, env),
    }
}

/// FPHalfToSingle / FPHalfToDouble (FPSCR.AHP selects the alternative format).
pub fn from_half(to: Fmt, x: u64, env: &mut Env) -> u64 {
    let a = unpack(F16, x, env, false);
    convert_val(F16, to, &a, x, env)
}

/// FPSingleToHalf / FPDoubleToHalf.
pub fn to_half(from: Fmt, x: u64, env: &mut Env) -> u64 {
    let a = unpack(from, x, env, true);
    let ahp = env.ahp();
    match a.kind {
        Kind::QNaN | Kind::SNaN => {
            let r = if ahp {
                F16.zero(a.sign)
            } else if env.dn() {
                F16.default_nan()
            } else {
                F16.inf(a.sign) | F16.quiet_bit() | ((x >> (from.f - 10)) & 0x1ff)
            };
            if a.kind == Kind::SNaN || ahp {
                env.raise(fpscr::IOC);
            }
            r
        }
        Kind::Inf => {
            if ahp {
                env.raise(fpscr::IOC);
                F16.zero(a.sign) | 0x7fff
            } else {
                F16.inf(a.sign)
            }
        }
        Kind::Zero => F16.zero(a.sign),
        Kind::Finite => round(F16, a.sign, a.mant as u128, a.exp, env),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run2(f: fn(Fmt, u64, u64, &mut Env) -> u64, x: f64, y: f64) -> (f64, u32) {
        let mut e = Env::new(0);
        let r = f(F64, x.to_bits(), y.to_bits(), &mut e);
        (f64::from_bits(r), e.flags)
    }

    #[test]
    fn basic_f64_matches_host() {
        let vals = [
            1.0,
            -2.5,
            3.0e300,
            1.0e-310,
            0.1,
            7.0,
            -0.0,
            1e-300,
            123456789.0,
        ];
        for &x in &vals {
            for &y in &vals {
                assert_eq!(run2(add, x, y).0.to_bits(), (x + y).to_bits(), "{x}+{y}");
                assert_eq!(run2(sub, x, y).0.to_bits(), (x - y).to_bits(), "{x}-{y}");
                assert_eq!(run2(mul, x, y).0.to_bits(), (x * y).to_bits(), "{x}*{y}");
                if y != 0.0 {
                    assert_eq!(run2(div, x, y).0.to_bits(), (x / y).to_bits(), "{x}/{y}");
                }
                let mut e = Env::new(0);
                let r = muladd(F64, 0.5f64.to_bits(), x.to_bits(), y.to_bits(), &mut e);
                assert_eq!(r, x.mul_add(y, 0.5).to_bits(), "fma {x} {y}");
            }
            if x >= 0.0 {
                let mut e = Env::new(0);
                assert_eq!(sqrt(F64, x.to_bits(), &mut e), x.sqrt().to_bits());
            }
        }
    }

    #[test]
    fn f32_random_matches_host() {
        let mut s = 0x1234_5678_9abc_def0u64;
        for _ in 0..200_000 {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let x = f32::from_bits(s as u32);
            let y = f32::from_bits((s >> 32) as u32);
            if x.is_nan() || y.is_nan() {
                continue;
            }
            let mut e = Env::new(0);
            let chk = |r: u64, h: f32| {
                if h.is_nan() {
                    assert_eq!(r as u32, 0x7fc0_0000);
                } else {
                    assert_eq!(r as u32, h.to_bits(), "{x:e} {y:e}");
                }
            };
            chk(
                add(F32, x.to_bits() as u64, y.to_bits() as u64, &mut e),
                x + y,
            );
            chk(
                mul(F32, x.to_bits() as u64, y.to_bits() as u64, &mut e),
                x * y,
            );
            chk(
                div(F32, x.to_bits() as u64, y.to_bits() as u64, &mut e),
                x / y,
            );
            chk(
                sqrt(F32, x.to_bits() as u64, &mut Env::new(0x0200_0000)),
                x.sqrt(),
            );
            let r = convert(F64, F32, (x as f64 * y as f64).to_bits(), &mut e);
            chk(r, (x as f64 * y as f64) as f32);
        }
    }
}
