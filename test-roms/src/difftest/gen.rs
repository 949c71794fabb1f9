//! The random instruction-sequence generator.
//!
//! It writes assembly text (unified syntax) that the GNU assembler encodes, so the
//! encodings are right by construction; the generator's job is to pick operands that
//! are architecturally defined (no UNPREDICTABLE combinations), keep every memory
//! access inside the scratch window, and never write SP or PC.
//!
//! Register rules:
//! - Random code uses R0-R12 and LR only. SP points at the harness's save area and PC is
//!   never an operand, so a sequence cannot escape.
//! - Every load/store is preceded by its own address set-up (`movw`/`movt` of the base,
//!   and a `movw` or data-dependent `and` for an index register), which counts towards
//!   the sequence length. In a T32 IT block the set-ups go before the IT instruction,
//!   and the registers they set are protected from the block's other instructions.
//!
//! With `vfp`, VFP instructions (data processing in F32 and F64, fused and chained
//! multiply-accumulates, VSQRT/VABS/VNEG/VMOV, VCMP(E) with VMRS APSR_nzcv, every VCVT
//! form of VFPv4 including fixed point and VCVTB/VCVTT, core<->VFP VMOVs, VMRS and
//! VLDR/VSTR/VLDM/VSTM into the window) make up about half the code, and the sequence
//! starts from random D0-D31 (biased towards NaNs, infinities, zeros and denormals:
//! [`random_f32`], [`random_f64`]) and a random FPSCR (NZCV, AHP, DN, FZ, RMode and
//! cumulative flags; LEN and STRIDE zero).

use super::rng::Rng;

/// The scratch memory window that sequences load from and store to.
pub const WINDOW: u32 = 4096;

/// Instruction set of the random code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Arm,
    Thumb,
}

impl State {
    pub fn name(self) -> &'static str {
        match self {
            State::Arm => "arm",
            State::Thumb => "thumb",
        }
    }
}

/// One generated sequence: its initial state and its code.
#[derive(Clone, Debug)]
pub struct Sequence {
    pub index: usize,
    /// R0-R12 and LR.
    pub regs: [u32; 14],
    /// Initial APSR (N, Z, C, V, Q and GE; the other bits are zero).
    pub apsr: u32,
    /// Seed of the scratch window's initial contents.
    pub mem_seed: u32,
    /// Assembly lines of the random code.
    pub body: Vec<String>,
    /// Instructions in `body`.
    pub insns: usize,
    /// The initial VFP state, for sequences with VFP instructions.
    pub vfp: Option<VfpInit>,
}

/// Initial VFP state of a sequence.
#[derive(Clone, Debug)]
pub struct VfpInit {
    /// FPSCR (LEN and STRIDE zero).
    pub fpscr: u32,
    /// D0-D31.
    pub d: [u64; 32],
}

const CONDS: [&str; 14] = [
    "eq", "ne", "cs", "cc", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le",
];

/// Register numbers the random code may use (R13/SP and R15/PC excluded).
const POOL: [u8; 14] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14];

fn rname(r: u8) -> String {
    match r {
        14 => "lr".into(),
        n => format!("r{n}"),
    }
}

fn reglist(mask: u16) -> String {
    let regs: Vec<String> = (0..15u8)
        .filter(|r| mask & (1 << r) != 0)
        .map(rname)
        .collect();
    format!("{{{}}}", regs.join(", "))
}

/// Interesting 32-bit values.
const EDGE: [u32; 20] = [
    0,
    1,
    2,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    0xffff_fffe,
    0x8000_0001,
    0x0000_7fff,
    0x0000_8000,
    0xffff_8000,
    0x0000_ffff,
    0x0001_0000,
    0x7fff_8000,
    0x8000_7fff,
    0x0000_007f,
    0x0000_0080,
    0x7f80_7f80,
    0x8080_8080,
    0x7f7f_7f7f,
];

pub fn random_value(rng: &mut Rng) -> u32 {
    match rng.below(10) {
        0..=3 => rng.u32(),
        4 | 5 => rng.pick(&EDGE),
        6 => rng.range(0, 40) as u32,
        7 => (rng.range(-40, 40) as i32) as u32,
        // Byte and halfword lanes with edge values, for the SIMD and saturating groups.
        8 => {
            let lanes = [0x00u32, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x81];
            (0..4).fold(0, |v, i| v | (rng.pick(&lanes) << (8 * i)))
        }
        _ => {
            let lanes = [0x0000u32, 0x0001, 0x7fff, 0x8000, 0xffff, 0x8001, 0x7ffe];
            rng.pick(&lanes) | (rng.pick(&lanes) << 16)
        }
    }
}

/// What a generated instruction needs: address set-up instructions (unconditional,
/// placed before it, or before the IT instruction of its block) and its text.
struct Item {
    setup: Vec<String>,
    text: String,
}

impl Item {
    fn plain(text: String) -> Item {
        Item {
            setup: vec![],
            text,
        }
    }
}

pub struct Gen<'a> {
    rng: &'a mut Rng,
    thumb: bool,
    /// Registers that must not be written (bases and indexes of pending accesses).
    protected: u16,
    /// Registers written so far in the current IT block.
    written: u16,
    /// VFP instruction classes are mixed in.
    vfp: bool,
}

/// Generates sequence `index` of a run.
pub fn generate(seed: u64, index: usize, state: State, len: usize) -> Sequence {
    generate_with(seed, index, state, len, false)
}

/// Generates sequence `index` of a run, with VFP instructions and state if `vfp`.
pub fn generate_with(seed: u64, index: usize, state: State, len: usize, vfp: bool) -> Sequence {
    let mut rng = Rng::for_sequence(
        seed ^ if state == State::Thumb { 0x7468 } else { 0 } ^ if vfp { 0x7f90_0000 } else { 0 },
        index as u64,
    );
    let mut regs = [0u32; 14];
    for r in regs.iter_mut() {
        *r = random_value(&mut rng);
    }
    let apsr = (rng.u32() & 0xf800_0000) | ((rng.u32() & 0xf) << 16);
    let mem_seed = rng.u32();
    let vfp_init = vfp.then(|| {
        let r = &mut rng;
        let mut d = [0u64; 32];
        for x in d.iter_mut() {
            *x = if r.chance(0.5) {
                random_f64(r)
            } else {
                random_f32(r) as u64 | (random_f32(r) as u64) << 32
            };
        }
        let flags = if r.chance(0.5) { 0 } else { r.u32() & 0x9f };
        let fpscr = (r.u32() & 0xf000_0000)
            | (r.chance(0.2) as u32) << 26 // AHP
            | (r.chance(0.3) as u32) << 25 // DN
            | (r.chance(0.3) as u32) << 24 // FZ
            | (r.below(4) as u32) << 22 // RMode
            | flags;
        VfpInit { fpscr, d }
    });
    let mut g = Gen {
        rng: &mut rng,
        thumb: state == State::Thumb,
        protected: 0,
        written: 0,
        vfp,
    };
    let (body, insns) = g.sequence(len);
    Sequence {
        index,
        regs,
        apsr,
        mem_seed,
        body,
        insns,
        vfp: vfp_init,
    }
}

/// Instruction classes and their weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    DataProc,
    Shift,
    MovWide,
    AddSubWide,
    Mul,
    Div,
    Sat,
    Parallel,
    Pack,
    Misc,
    Bitfield,
    Status,
    LoadStore,
    Dual,
    Multiple,
    Swap,
    Vfp,
}

const CLASSES: [(Class, u32); 17] = [
    (Class::DataProc, 22),
    (Class::Shift, 6),
    (Class::MovWide, 3),
    (Class::AddSubWide, 2),
    (Class::Mul, 12),
    (Class::Div, 3),
    (Class::Sat, 6),
    (Class::Parallel, 10),
    (Class::Pack, 7),
    (Class::Misc, 4),
    (Class::Bitfield, 4),
    (Class::Status, 2),
    (Class::LoadStore, 12),
    (Class::Dual, 4),
    (Class::Multiple, 4),
    (Class::Swap, 2),
    (Class::Vfp, 110),
];

impl Gen<'_> {
    fn sequence(&mut self, len: usize) -> (Vec<String>, usize) {
        let mut out = Vec::new();
        let mut count = 0;
        while count < len {
            self.protected = 0;
            self.written = 0;
            let left = len - count;
            if self.thumb && left >= 2 && self.rng.chance(0.3) {
                count += self.it_block(&mut out, left);
            } else if left >= 4 && self.rng.chance(0.05) {
                count += self.exclusive(&mut out);
            } else if self.rng.chance(0.01) {
                out.push("clrex".into());
                count += 1;
            } else {
                let cond = if !self.thumb && self.rng.chance(0.35) {
                    self.rng.pick(&CONDS)
                } else {
                    ""
                };
                let item = self.insn(cond, false, None);
                count += item.setup.len() + 1;
                out.extend(item.setup);
                out.push(item.text);
            }
        }
        (out, count)
    }

    /// A T32 IT block of 1-4 instructions (plus their address set-ups before it).
    fn it_block(&mut self, out: &mut Vec<String>, left: usize) -> usize {
        let n = self.rng.range(1, 4.min(left as i64 - 1)) as usize;
        let ci = self.rng.below(CONDS.len());
        let cond = CONDS[ci];
        let inv = CONDS[ci ^ 1];
        let mut pattern = String::new();
        let mut items = Vec::new();
        for k in 0..n {
            let then = k == 0 || self.rng.chance(0.5);
            if k > 0 {
                pattern.push(if then { 't' } else { 'e' });
            }
            items.push(self.insn(if then { cond } else { inv }, true, None));
        }
        let mut count = 1 + n;
        for it in &items {
            count += it.setup.len();
            out.extend(it.setup.iter().cloned());
        }
        out.push(format!("it{pattern} {cond}"));
        out.extend(items.into_iter().map(|i| i.text));
        count
    }

    // ---- registers ----------------------------------------------------------------

    fn any_reg(&mut self) -> u8 {
        if self.thumb && self.rng.chance(0.5) {
            self.rng.range(0, 7) as u8
        } else {
            self.rng.pick(&POOL)
        }
    }

    /// A source register.
    fn src(&mut self) -> String {
        let r = self.any_reg();
        rname(r)
    }

    /// A destination register number (not protected); records the write.
    fn dst_n(&mut self, avoid: u16) -> u8 {
        loop {
            let r = self.any_reg();
            if (self.protected | avoid) & (1 << r) == 0 {
                self.written |= 1 << r;
                return r;
            }
        }
    }

    /// A destination among R0-R7 if one is free (for 16-bit forms), else any.
    fn low_dst(&mut self) -> u8 {
        for _ in 0..32 {
            let r = self.rng.range(0, 7) as u8;
            if self.protected & (1 << r) == 0 {
                self.written |= 1 << r;
                return r;
            }
        }
        self.dst_n(0)
    }

    fn dst(&mut self) -> String {
        let r = self.dst_n(0);
        rname(r)
    }

    /// A register for an address base or index: not protected, not written earlier in
    /// this IT block, and protected from now on.
    fn addr_reg(&mut self, avoid: u16) -> u8 {
        loop {
            let r = self.rng.pick(&POOL);
            if (self.protected | self.written | avoid) & (1 << r) == 0 {
                self.protected |= 1 << r;
                return r;
            }
        }
    }

    fn set_base(&mut self, setup: &mut Vec<String>, r: u8, off: impl Into<i64>) {
        let n = rname(r);
        let off: i64 = off.into();
        let e = if off < 0 {
            format!("scratch-{}", -off)
        } else {
            format!("scratch+{off}")
        };
        setup.push(format!("movw {n}, #:lower16:({e})"));
        setup.push(format!("movt {n}, #:upper16:({e})"));
    }

    // ---- operands -----------------------------------------------------------------

    /// A modified immediate constant valid in the current instruction set.
    fn mod_imm(&mut self) -> u32 {
        let r = &mut *self.rng;
        if r.chance(0.15) {
            return r.pick(&[
                0u32,
                1,
                0xff,
                0x8000_0000,
                0xff00_0000,
                0xc000_0000,
                0x3fc,
                0x1_0000,
            ]);
        }
        let b = r.u32() & 0xff;
        if self.thumb {
            match r.below(5) {
                0 => b,
                1 => b | (b << 16),
                2 => (b << 8) | (b << 24),
                3 => b * 0x0101_0101,
                _ => (0x80 | (b & 0x7f)).rotate_right(r.range(8, 31) as u32),
            }
        } else {
            b.rotate_right(2 * r.range(0, 15) as u32)
        }
    }

    /// A shift applied to a register operand: `, lsl #n` etc. (or nothing).
    fn shift_imm(&mut self) -> String {
        let r = &mut *self.rng;
        match r.below(6) {
            0 => String::new(),
            1 => format!(", lsl #{}", r.edge_or(&[0, 1, 31], 0, 31)),
            2 => format!(", lsr #{}", r.edge_or(&[1, 31, 32], 1, 32)),
            3 => format!(", asr #{}", r.edge_or(&[1, 31, 32], 1, 32)),
            4 => format!(", ror #{}", r.edge_or(&[1, 31], 1, 31)),
            _ => ", rrx".into(),
        }
    }

    /// The flexible second operand of a data-processing instruction.
    fn operand2(&mut self) -> String {
        match self.rng.below(if self.thumb { 3 } else { 4 }) {
            0 => format!("#{:#x}", self.mod_imm()),
            1 => self.src(),
            2 => {
                let s = self.shift_imm();
                format!("{}{s}", self.src())
            }
            _ => {
                let sh = self.rng.pick(&["lsl", "lsr", "asr", "ror"]);
                format!("{}, {sh} {}", self.src(), self.src())
            }
        }
    }

    fn wide(&mut self) -> &'static str {
        if self.thumb && self.rng.chance(0.3) {
            ".w"
        } else {
            ""
        }
    }

    fn s(&mut self, p: f64) -> &'static str {
        if self.rng.chance(p) {
            "s"
        } else {
            ""
        }
    }

    // ---- instruction classes ------------------------------------------------------

    fn insn(&mut self, cond: &str, in_it: bool, only: Option<&[Class]>) -> Item {
        let weights: Vec<u32> = CLASSES
            .iter()
            .map(|&(c, w)| {
                // Each access takes up to two address registers for the rest of an IT
                // block: stop placing accesses before the registers run short.
                let scarce = (self.protected | self.written).count_ones() > 6;
                let allowed = match c {
                    Class::Swap => !self.thumb && !scarce,
                    Class::Vfp => self.vfp,
                    Class::AddSubWide => self.thumb,
                    Class::LoadStore | Class::Dual | Class::Multiple => !scarce,
                    _ => true,
                } && only.is_none_or(|o| o.contains(&c));
                if allowed {
                    w
                } else {
                    0
                }
            })
            .collect();
        let class = CLASSES[self.rng.weighted(&weights)].0;
        let c = cond;
        match class {
            Class::DataProc => Item::plain(self.data_proc(c)),
            Class::Shift => Item::plain(self.shift(c)),
            Class::MovWide => {
                let op = self.rng.pick(&["movw", "movt"]);
                let imm = if self.rng.chance(0.3) {
                    self.rng.pick(&[0, 0xffff, 0x8000, 0x7fff])
                } else {
                    self.rng.u32() & 0xffff
                };
                Item::plain(format!("{op}{c} {}, #{imm:#x}", self.dst()))
            }
            Class::AddSubWide => {
                let op = self.rng.pick(&["addw", "subw"]);
                let imm = self.rng.edge_or(&[0, 4095], 0, 4095) as u32;
                let n = self.src();
                Item::plain(format!("{op}{c} {}, {n}, #{imm}", self.dst()))
            }
            Class::Mul => Item::plain(self.mul(c, in_it)),
            Class::Div => {
                let op = self.rng.pick(&["sdiv", "udiv"]);
                let (n, m) = (self.src(), self.src());
                Item::plain(format!("{op}{c} {}, {n}, {m}", self.dst()))
            }
            Class::Sat => Item::plain(self.sat(c)),
            Class::Parallel => Item::plain(self.parallel(c)),
            Class::Pack => Item::plain(self.pack(c)),
            Class::Misc => {
                let op = self.rng.pick(&["rev", "rev16", "revsh", "rbit", "clz"]);
                let w = if op != "rbit" && op != "clz" {
                    self.wide()
                } else {
                    ""
                };
                let m = self.src();
                Item::plain(format!("{op}{c}{w} {}, {m}", self.dst()))
            }
            Class::Bitfield => Item::plain(self.bitfield(c)),
            Class::Status => Item::plain(self.status(c)),
            Class::LoadStore => self.load_store(c, in_it),
            Class::Dual => self.dual(c),
            Class::Multiple => self.multiple(c, in_it),
            Class::Swap => self.swap(c),
            Class::Vfp => self.vfp_insn(c),
        }
    }

    fn data_proc(&mut self, c: &str) -> String {
        let arm_ops = [
            "and", "eor", "sub", "rsb", "add", "adc", "sbc", "rsc", "orr", "bic", "mov", "mvn",
            "tst", "teq", "cmp", "cmn",
        ];
        let thumb_ops = [
            "and", "eor", "sub", "rsb", "add", "adc", "sbc", "orn", "orr", "bic", "mov", "mvn",
            "tst", "teq", "cmp", "cmn",
        ];
        let op = self
            .rng
            .pick(if self.thumb { &thumb_ops } else { &arm_ops });
        let s = self.s(0.5);
        let w = self.wide();
        // T32 low-register forms the assembler can encode in 16 bits.
        if self.thumb && w.is_empty() && self.rng.chance(0.3) {
            let lo = |g: &mut Self| format!("r{}", g.rng.range(0, 7));
            let d = rname(self.low_dst());
            return match op {
                "tst" | "teq" | "cmp" | "cmn" => format!("{op}{c} {}, {}", lo(self), lo(self)),
                "mov" | "mvn" => format!("{op}{s}{c} {d}, {}", lo(self)),
                "add" | "sub" => match self.rng.below(3) {
                    0 => format!("{op}{s}{c} {d}, {}, {}", lo(self), lo(self)),
                    1 => format!("{op}{s}{c} {d}, {}, #{}", lo(self), self.rng.range(0, 7)),
                    _ => format!("{op}{s}{c} {d}, {d}, #{}", self.rng.range(0, 255)),
                },
                "rsb" => format!("{op}{s}{c} {d}, {}, #0", lo(self)),
                "orn" => format!("{op}{s}{c} {d}, {d}, {}", lo(self)),
                _ => format!("{op}{s}{c} {d}, {}", lo(self)),
            };
        }
        match op {
            "tst" | "teq" | "cmp" | "cmn" => {
                let n = self.src();
                format!("{op}{c}{w} {n}, {}", self.operand2())
            }
            "mov" | "mvn" => {
                let o = self.operand2();
                // GAS turns a shifted MOV into LSL & co. and cannot always honour .w.
                let w = if o.contains(',') { "" } else { w };
                format!("{op}{s}{c}{w} {}, {o}", self.dst())
            }
            _ => {
                let n = self.src();
                let o = self.operand2();
                format!("{op}{s}{c}{w} {}, {n}, {o}", self.dst())
            }
        }
    }

    fn shift(&mut self, c: &str) -> String {
        let s = self.s(0.5);
        let w = self.wide();
        let m = self.src();
        let d = self.dst();
        match self.rng.below(6) {
            0 => format!(
                "lsl{s}{c}{w} {d}, {m}, #{}",
                self.rng.edge_or(&[1, 31], 1, 31)
            ),
            1 => format!(
                "lsr{s}{c}{w} {d}, {m}, #{}",
                self.rng.edge_or(&[1, 32], 1, 32)
            ),
            2 => format!(
                "asr{s}{c}{w} {d}, {m}, #{}",
                self.rng.edge_or(&[1, 32], 1, 32)
            ),
            3 => format!(
                "ror{s}{c}{w} {d}, {m}, #{}",
                self.rng.edge_or(&[1, 31], 1, 31)
            ),
            4 => format!("rrx{s}{c} {d}, {m}"),
            _ => {
                let op = self.rng.pick(&["lsl", "lsr", "asr", "ror"]);
                format!("{op}{s}{c}{w} {d}, {m}, {}", self.src())
            }
        }
    }

    fn mul(&mut self, c: &str, in_it: bool) -> String {
        let hl = ["bb", "bt", "tb", "tt"];
        let (n, m, a) = (self.src(), self.src(), self.src());
        // Flag-setting multiplies: A32 only, plus the T32 16-bit MULS outside IT blocks.
        let s = if self.thumb { "" } else { self.s(0.3) };
        match self.rng.below(14) {
            0 => {
                if self.thumb && !in_it && self.rng.chance(0.3) {
                    let d = rname(self.low_dst());
                    let n = format!("r{}", self.rng.range(0, 7));
                    format!("muls {d}, {n}, {d}")
                } else {
                    format!("mul{s}{c} {}, {n}, {m}", self.dst())
                }
            }
            1 => format!("mla{s}{c} {}, {n}, {m}, {a}", self.dst()),
            2 => format!("mls{c} {}, {n}, {m}, {a}", self.dst()),
            3 | 4 => {
                let op = self
                    .rng
                    .pick(&["umull", "umlal", "smull", "smlal", "umaal"]);
                let s = if op == "umaal" { "" } else { s };
                let lo = self.dst_n(0);
                let hi = self.dst_n(1 << lo);
                format!("{op}{s}{c} {}, {}, {n}, {m}", rname(lo), rname(hi))
            }
            5 => format!("smul{}{c} {}, {n}, {m}", self.rng.pick(&hl), self.dst()),
            6 => format!(
                "smla{}{c} {}, {n}, {m}, {a}",
                self.rng.pick(&hl),
                self.dst()
            ),
            7 => format!(
                "smulw{}{c} {}, {n}, {m}",
                self.rng.pick(&["b", "t"]),
                self.dst()
            ),
            8 => format!(
                "smlaw{}{c} {}, {n}, {m}, {a}",
                self.rng.pick(&["b", "t"]),
                self.dst()
            ),
            9 => {
                let lo = self.dst_n(0);
                let hi = self.dst_n(1 << lo);
                format!(
                    "smlal{}{c} {}, {}, {n}, {m}",
                    self.rng.pick(&hl),
                    rname(lo),
                    rname(hi)
                )
            }
            10 => {
                let op = self.rng.pick(&["smuad", "smusd"]);
                let x = self.rng.pick(&["", "x"]);
                format!("{op}{x}{c} {}, {n}, {m}", self.dst())
            }
            11 => {
                let op = self.rng.pick(&["smlad", "smlsd"]);
                let x = self.rng.pick(&["", "x"]);
                format!("{op}{x}{c} {}, {n}, {m}, {a}", self.dst())
            }
            12 => {
                let op = self.rng.pick(&["smlald", "smlsld"]);
                let x = self.rng.pick(&["", "x"]);
                let lo = self.dst_n(0);
                let hi = self.dst_n(1 << lo);
                format!("{op}{x}{c} {}, {}, {n}, {m}", rname(lo), rname(hi))
            }
            _ => {
                let r = self.rng.pick(&["", "r"]);
                match self.rng.below(3) {
                    0 => format!("smmul{r}{c} {}, {n}, {m}", self.dst()),
                    1 => format!("smmla{r}{c} {}, {n}, {m}, {a}", self.dst()),
                    _ => format!("smmls{r}{c} {}, {n}, {m}, {a}", self.dst()),
                }
            }
        }
    }

    fn sat(&mut self, c: &str) -> String {
        let n = self.src();
        let m = self.src();
        let d = self.dst();
        let max_asr = if self.thumb { 31 } else { 32 };
        let shift = match self.rng.below(3) {
            0 => String::new(),
            1 => format!(", lsl #{}", self.rng.range(0, 31)),
            _ => format!(", asr #{}", self.rng.range(1, max_asr)),
        };
        match self.rng.below(6) {
            0 => format!(
                "{}{c} {d}, {m}, {n}",
                self.rng.pick(&["qadd", "qsub", "qdadd", "qdsub"])
            ),
            1 => format!(
                "{}{c} {d}, {m}, {n}",
                self.rng.pick(&["qadd", "qsub", "qdadd", "qdsub"])
            ),
            2 => format!(
                "ssat{c} {d}, #{}, {n}{shift}",
                self.rng.edge_or(&[1, 32], 1, 32)
            ),
            3 => format!(
                "usat{c} {d}, #{}, {n}{shift}",
                self.rng.edge_or(&[0, 31], 0, 31)
            ),
            4 => format!("ssat16{c} {d}, #{}, {n}", self.rng.range(1, 16)),
            _ => format!("usat16{c} {d}, #{}, {n}", self.rng.range(0, 15)),
        }
    }

    fn parallel(&mut self, c: &str) -> String {
        let n = self.src();
        let m = self.src();
        let d = self.dst();
        match self.rng.below(10) {
            0 => format!("sel{c} {d}, {n}, {m}"),
            1 => {
                if self.rng.chance(0.5) {
                    format!("usad8{c} {d}, {n}, {m}")
                } else {
                    format!("usada8{c} {d}, {n}, {m}, {}", self.src())
                }
            }
            _ => {
                let p = self.rng.pick(&["s", "q", "sh", "u", "uq", "uh"]);
                let op = self
                    .rng
                    .pick(&["add16", "sub16", "add8", "sub8", "asx", "sax"]);
                format!("{p}{op}{c} {d}, {n}, {m}")
            }
        }
    }

    fn pack(&mut self, c: &str) -> String {
        let n = self.src();
        let m = self.src();
        let d = self.dst();
        let ror = self.rng.pick(&["", ", ror #8", ", ror #16", ", ror #24"]);
        match self.rng.below(4) {
            0 => format!("pkhbt{c} {d}, {n}, {m}, lsl #{}", self.rng.range(0, 31)),
            1 => format!("pkhtb{c} {d}, {n}, {m}, asr #{}", self.rng.range(1, 32)),
            2 => {
                let op = self
                    .rng
                    .pick(&["sxtb", "sxth", "sxtb16", "uxtb", "uxth", "uxtb16"]);
                let w = if op.ends_with("16") { "" } else { self.wide() };
                format!("{op}{c}{w} {d}, {m}{ror}")
            }
            _ => {
                let op = self
                    .rng
                    .pick(&["sxtab", "sxtah", "sxtab16", "uxtab", "uxtah", "uxtab16"]);
                format!("{op}{c} {d}, {n}, {m}{ror}")
            }
        }
    }

    fn bitfield(&mut self, c: &str) -> String {
        let lsb = self.rng.edge_or(&[0, 31], 0, 31);
        let width = self.rng.edge_or(&[1, 32 - lsb], 1, 32 - lsb);
        let n = self.src();
        let d = self.dst();
        match self.rng.below(4) {
            0 => format!("bfc{c} {d}, #{lsb}, #{width}"),
            1 => format!("bfi{c} {d}, {n}, #{lsb}, #{width}"),
            2 => format!("sbfx{c} {d}, {n}, #{lsb}, #{width}"),
            _ => format!("ubfx{c} {d}, {n}, #{lsb}, #{width}"),
        }
    }

    fn status(&mut self, c: &str) -> String {
        let field = self.rng.pick(&["APSR_nzcvq", "APSR_g", "APSR_nzcvqg"]);
        match self.rng.below(3) {
            0 => format!("mrs{c} {}, APSR", self.dst()),
            1 if !self.thumb && field != "APSR_g" => {
                let imm = (self.rng.u32() & 0xf8) << 24;
                format!("msr{c} APSR_nzcvq, #{imm:#x}")
            }
            _ => format!("msr{c} {field}, {}", self.src()),
        }
    }

    /// Picks an access address in the window, `align`-aligned, leaving `span` bytes.
    fn addr(&mut self, align: u32, span: u32, lo: u32, hi_margin: u32) -> u32 {
        let hi = WINDOW - span - hi_margin;
        let a = self.rng.range(lo as i64, hi as i64) as u32;
        a & !(align - 1)
    }

    fn load_store(&mut self, c: &str, in_it: bool) -> Item {
        // (mnemonic, size, load, has 12-bit immediate and shifted register in A32)
        let kinds = [
            ("ldr", 4, true, true),
            ("str", 4, false, true),
            ("ldrb", 1, true, true),
            ("strb", 1, false, true),
            ("ldrh", 2, true, false),
            ("strh", 2, false, false),
            ("ldrsb", 1, true, false),
            ("ldrsh", 2, true, false),
        ];
        let (op, size, load, wide_arm) = self.rng.pick(&kinds);
        let align = if self.rng.chance(0.1) { 1 } else { size };
        let mut setup = vec![];
        let rt = if load { self.dst_n(0) } else { self.any_reg() };
        let avoid = 1u16 << rt;
        let t = rname(rt);
        let w = self.wide();
        // Register offset: an index register set from data (masked) or to a constant.
        if self.rng.chance(0.35) {
            let shift = if self.thumb || wide_arm {
                self.rng.range(0, 3) as u32
            } else {
                0
            };
            let neg = !self.thumb && self.rng.chance(0.4);
            // Writeback forms are A32 only.
            let mode = if self.thumb { 0 } else { self.rng.below(3) };
            let rn = self.addr_reg(if mode != 0 { avoid } else { 0 });
            let rm = self.addr_reg((avoid * (mode != 0) as u16) | (1 << rn));
            let step = (align >> shift).max(1);
            let mut mask = (1020u32 >> shift) & !(step - 1);
            if !self.thumb && mask.trailing_zeros() % 2 == 1 {
                // A32 immediates rotate by even amounts only.
                mask &= !(1 << mask.trailing_zeros());
            }
            let max = mask << shift;
            if self.rng.chance(0.5) {
                let src = self.src();
                setup.push(format!("and {}, {src}, #{mask:#x}", rname(rm)));
            } else {
                let v = self.rng.range(0, mask as i64) as u32 & !(step - 1);
                setup.push(format!("movw {}, #{v}", rname(rm)));
            }
            let base = if neg {
                self.addr(align, size, max, 0)
            } else {
                self.addr(align, size, 0, max)
            };
            self.set_base(&mut setup, rn, base);
            let sh = if shift != 0 {
                format!(", lsl #{shift}")
            } else {
                String::new()
            };
            let sign = if neg { "-" } else { "" };
            let (n, m) = (rname(rn), rname(rm));
            let addr = match mode {
                0 => format!("[{n}, {sign}{m}{sh}]"),
                1 => format!("[{n}, {sign}{m}{sh}]!"),
                _ => format!("[{n}], {sign}{m}{sh}"),
            };
            let _ = in_it;
            return Item {
                setup,
                text: format!("{op}{c}{w} {t}, {addr}"),
            };
        }
        // Immediate offset.
        let (mode, off) = if self.thumb {
            match self.rng.below(4) {
                0 => (0, self.rng.edge_or(&[0, 4095], 0, 4095)),
                1 => (0, -self.rng.range(0, 255)),
                2 => (1, self.rng.range(-255, 255)),
                _ => (2, self.rng.range(-255, 255)),
            }
        } else {
            let lim = if wide_arm { 4095 } else { 255 };
            let off = if self.rng.chance(0.5) {
                self.rng.edge_or(&[0, lim, -lim], -lim, lim)
            } else {
                self.rng.range(-16, 16)
            };
            (self.rng.below(3), off)
        };
        let rn = self.addr_reg(if mode != 0 { avoid } else { 0 });
        // The accessed address is in the window; the base is wherever that puts it.
        let a = self.addr(align, size, 0, 0) as i64;
        let base = if mode == 2 { a } else { a - off };
        self.set_base(&mut setup, rn, base);
        let n = rname(rn);
        let addr = match mode {
            0 => format!("[{n}, #{off}]"),
            1 => format!("[{n}, #{off}]!"),
            _ => format!("[{n}], #{off}"),
        };
        Item {
            setup,
            text: format!("{op}{c}{w} {t}, {addr}"),
        }
    }

    fn dual(&mut self, c: &str) -> Item {
        let load = self.rng.chance(0.5);
        let op = if load { "ldrd" } else { "strd" };
        let align = if self.rng.chance(0.5) { 8 } else { 4 };
        let mut setup = vec![];
        let (t, t2) = if self.thumb {
            let t = if load { self.dst_n(0) } else { self.any_reg() };
            let t2 = if load {
                self.dst_n(1 << t)
            } else {
                self.any_reg()
            };
            (t, t2)
        } else {
            // A32: Rt even, Rt2 = Rt + 1, and never R12 (Rt2 would be SP) for loads.
            let mut tries = 0;
            loop {
                tries += 1;
                let t = self.rng.range(0, if load { 5 } else { 6 }) as u8 * 2;
                if !load || self.protected & (3 << t) == 0 || tries > 64 {
                    if load {
                        self.written |= 3 << t;
                    }
                    break (t, t + 1);
                }
            }
        };
        let pair = (1u16 << t) | (1 << t2);
        let mode = self.rng.below(3);
        let rn = self.addr_reg(if mode != 0 { pair } else { 0 });
        let t2n = if t2 == 13 {
            "sp".to_string()
        } else {
            rname(t2)
        };
        let (tn, n) = (rname(t), rname(rn));
        if !self.thumb && self.rng.chance(0.3) {
            // A32 register offset: index from a constant, never Rt/Rt2.
            let rm = self.addr_reg(pair | (1 << rn));
            let v = self.rng.range(0, 255) as u32 & !3;
            setup.push(format!("movw {}, #{v}", rname(rm)));
            let neg = self.rng.chance(0.5);
            let base = if neg {
                self.addr(align, 8, v, 0)
            } else {
                self.addr(align, 8, 0, v)
            };
            self.set_base(&mut setup, rn, base);
            let sign = if neg { "-" } else { "" };
            let m = rname(rm);
            let addr = match mode {
                0 => format!("[{n}, {sign}{m}]"),
                1 => format!("[{n}, {sign}{m}]!"),
                _ => format!("[{n}], {sign}{m}"),
            };
            return Item {
                setup,
                text: format!("{op}{c} {tn}, {t2n}, {addr}"),
            };
        }
        let off = if self.thumb {
            self.rng.range(-255, 255) * 4
        } else {
            self.rng.range(-255, 255)
        };
        let a = self.addr(align, 8, 0, 0) as i64;
        let base = if mode == 2 { a } else { a - off };
        self.set_base(&mut setup, rn, base);
        let addr = match mode {
            0 => format!("[{n}, #{off}]"),
            1 => format!("[{n}, #{off}]!"),
            _ => format!("[{n}], #{off}"),
        };
        Item {
            setup,
            text: format!("{op}{c} {tn}, {t2n}, {addr}"),
        }
    }

    fn multiple(&mut self, c: &str, _in_it: bool) -> Item {
        let load = self.rng.chance(0.5);
        let mode = if self.thumb {
            self.rng.pick(&["ia", "db"])
        } else {
            self.rng.pick(&["ia", "ib", "da", "db"])
        };
        let wb = self.rng.chance(0.5);
        let min = if self.thumb { 2 } else { 1 };
        let rn = self.addr_reg(0);
        let mut usable = POOL.iter().fold(0u16, |m, &r| m | (1 << r));
        if wb {
            usable &= !(1 << rn);
        }
        if load {
            usable &= !(self.protected & !(1 << rn));
        }
        let k = self.rng.range(min, 8).min(usable.count_ones() as i64) as u32;
        let mut list = 0u16;
        while list.count_ones() < k {
            let r = self.rng.pick(&POOL);
            if wb && r == rn {
                continue;
            }
            if load && self.protected & !(1 << rn) & (1 << r) != 0 {
                continue;
            }
            list |= 1 << r;
        }
        if load {
            self.written |= list;
        }
        let span = 4 * k;
        let a = self.addr(4, span, 0, 0);
        let base = match mode {
            "ia" => a,
            "ib" => a - 4,
            "da" => a + span - 4,
            _ => a + span,
        };
        let mut setup = vec![];
        self.set_base(&mut setup, rn, base);
        let op = if load { "ldm" } else { "stm" };
        let w = self.wide();
        let bang = if wb { "!" } else { "" };
        Item {
            setup,
            text: format!("{op}{mode}{c}{w} {}{bang}, {}", rname(rn), reglist(list)),
        }
    }

    fn swap(&mut self, c: &str) -> Item {
        let b = self.rng.pick(&["", "b"]);
        let rn = self.addr_reg(0);
        let t = self.dst_n(1 << rn);
        let t2 = loop {
            let r = self.any_reg();
            if r != rn {
                break r;
            }
        };
        let a = self.addr(if b.is_empty() { 4 } else { 1 }, 4, 0, 0);
        let mut setup = vec![];
        self.set_base(&mut setup, rn, a);
        Item {
            setup,
            text: format!("swp{b}{c} {}, {}, [{}]", rname(t), rname(t2), rname(rn)),
        }
    }

    /// An LDREX/STREX pair on one address with up to two other instructions between.
    fn exclusive(&mut self, out: &mut Vec<String>) -> usize {
        let (sfx, size) = self.rng.pick(&[("", 4u32), ("b", 1), ("h", 2), ("d", 8)]);
        // The pair must behave the same on every implementation: STREX succeeds only
        // after an LDREX of the same address with no store in between (QEMU compares
        // values, the A15 tracks addresses), so both get the same condition, and a
        // conditional pair has nothing between its halves that could change the flags.
        let c1 = if !self.thumb && self.rng.chance(0.25) {
            self.rng.pick(&CONDS)
        } else {
            ""
        };
        let c2 = c1;
        let rn = self.addr_reg(0);
        let a = self.addr(size, size, 0, 0);
        let mut lines = vec![];
        self.set_base(&mut lines, rn, a);
        let n = rname(rn);
        let pair_regs = |g: &mut Self, load: bool| -> (u8, u8) {
            if sfx == "d" {
                if g.thumb {
                    let t = if load { g.dst_n(0) } else { g.any_reg() };
                    let t2 = if load { g.dst_n(1 << t) } else { g.any_reg() };
                    (t, t2)
                } else {
                    loop {
                        let t = g.rng.range(0, 5) as u8 * 2;
                        if g.protected & (3 << t) == 0 {
                            break (t, t + 1);
                        }
                    }
                }
            } else {
                let t = if load { g.dst_n(0) } else { g.any_reg() };
                (t, t)
            }
        };
        // T32 word exclusives also have an immediate offset.
        let (addr, off_base) = if self.thumb && sfx.is_empty() && self.rng.chance(0.3) {
            let off = (self.rng.range(0, 64) * 4) as u32;
            if a >= off {
                (format!("[{n}, #{off}]"), Some(off))
            } else {
                (format!("[{n}]"), None)
            }
        } else {
            (format!("[{n}]"), None)
        };
        if let Some(off) = off_base {
            lines.clear();
            self.set_base(&mut lines, rn, a - off);
        }
        let (t, t2) = pair_regs(self, true);
        if sfx == "d" {
            lines.push(format!("ldrexd{c1} {}, {}, {addr}", rname(t), rname(t2)));
        } else {
            lines.push(format!("ldrex{sfx}{c1} {}, {addr}", rname(t)));
        }
        let between = if c1.is_empty() {
            self.rng.range(0, 2)
        } else {
            0
        };
        for _ in 0..between {
            let cond = if !self.thumb && self.rng.chance(0.3) {
                self.rng.pick(&CONDS)
            } else {
                ""
            };
            let only = [
                Class::DataProc,
                Class::Shift,
                Class::Mul,
                Class::Parallel,
                Class::Pack,
                Class::Sat,
            ];
            let it = self.insn(cond, false, Some(&only));
            lines.push(it.text);
        }
        let (t, t2) = pair_regs(self, false);
        let d = self.dst_n((1 << rn) | (1 << t) | (1 << t2));
        if sfx == "d" {
            lines.push(format!(
                "strexd{c2} {}, {}, {}, {addr}",
                rname(d),
                rname(t),
                rname(t2)
            ));
        } else {
            lines.push(format!("strex{sfx}{c2} {}, {}, {addr}", rname(d), rname(t)));
        }
        let n = lines.len();
        out.extend(lines);
        n
    }
}

// ---- VFP ----------------------------------------------------------------------

/// A single-precision bit pattern biased towards special values: zeros, infinities,
/// quiet and signalling NaNs with payloads, denormals, extremes, integers and halves.
pub fn random_f32(r: &mut Rng) -> u32 {
    let sign = (r.chance(0.5) as u32) << 31;
    let frac = |r: &mut Rng| match r.below(4) {
        0 => 1,
        1 => 0x7f_ffff,
        2 => 1 << r.range(0, 22),
        _ => r.u32() & 0x7f_ffff,
    };
    sign | match r.below(16) {
        0 => 0,
        1 => 0x7f80_0000,
        2 => 0x7fc0_0000 | ((frac(r) & 0x3f_ffff) * r.below(2) as u32), // qNaN
        3 => 0x7f80_0000 | (frac(r) & 0x3f_ffff).max(1),                // sNaN
        4 | 5 => frac(r),                                               // denormal
        6 => r.pick(&[0x0080_0000, 0x7f7f_ffff, 0x0080_0001, 0x00ff_ffff]),
        7 => {
            // Small integers and halves (conversions, rounding).
            let v = r.range(-70000, 70000) as f32 / r.pick(&[1.0, 2.0, 4.0]);
            v.to_bits() & 0x7fff_ffff
        }
        8 => {
            // Around the integer conversion limits.
            let e = r.pick(&[127 + 15, 127 + 16, 127 + 30, 127 + 31, 127 + 32]);
            (e << 23) | ((r.u32() & 0x7f_ffff) * r.below(2) as u32)
        }
        9 => r.pick(&[
            0x3f80_0000,
            0x4000_0000,
            0x3f00_0000,
            0x3fc0_0000,
            0x4040_0000,
        ]),
        10 => {
            // Near the half-precision range limits.
            let e = r.range(127 - 26, 127 + 16) as u32;
            (e << 23) | (r.u32() & 0x7f_ffff)
        }
        11 => {
            // Near the denormal boundary (products and quotients underflow).
            (r.range(1, 40) as u32) << 23 | (r.u32() & 0x7f_ffff)
        }
        _ => r.u32() & 0x7fff_ffff,
    }
}

/// A double-precision bit pattern biased like [`random_f32`].
pub fn random_f64(r: &mut Rng) -> u64 {
    let sign = (r.chance(0.5) as u64) << 63;
    let frac = |r: &mut Rng| match r.below(4) {
        0 => 1,
        1 => (1u64 << 52) - 1,
        2 => 1 << r.range(0, 51),
        _ => r.next_u64() & ((1 << 52) - 1),
    };
    const INF: u64 = 0x7ff0_0000_0000_0000;
    const QB: u64 = 1 << 51;
    sign | match r.below(16) {
        0 => 0,
        1 => INF,
        2 => INF | QB | ((frac(r) & (QB - 1)) * r.below(2) as u64),
        3 => INF | (frac(r) & (QB - 1)).max(1),
        4 | 5 => frac(r),
        6 => r.pick(&[
            0x0010_0000_0000_0000,
            0x7fef_ffff_ffff_ffff,
            0x0010_0000_0000_0001,
            0x001f_ffff_ffff_ffff,
        ]),
        7 => {
            let v = r.range(-5_000_000_000, 5_000_000_000) as f64 / r.pick(&[1.0, 2.0, 4.0]);
            v.to_bits() & !(1 << 63)
        }
        8 => {
            let e = r.pick(&[1023 + 15, 1023 + 16, 1023 + 30, 1023 + 31, 1023 + 32]);
            (e << 52) | ((r.next_u64() & ((1 << 52) - 1)) * r.below(2) as u64)
        }
        9 => {
            // Values that convert to single-precision specials: around its range
            // limits and its denormals.
            let e = r.pick(&[1023 + 127, 1023 + 128, 1023 - 126, 1023 - 140, 1023 - 150]);
            (e << 52) | (r.next_u64() & ((1 << 52) - 1))
        }
        10 => r.pick(&[
            0x3ff0_0000_0000_0000,
            0x3fe0_0000_0000_0000,
            0x4000_0000_0000_0000,
        ]),
        11 => (r.range(1, 60) as u64) << 52 | (r.next_u64() & ((1 << 52) - 1)),
        _ => r.next_u64() & !(1 << 63),
    }
}

/// The value of a VFP modified immediate (VFPExpandImm), printed exactly.
fn vfp_imm(imm8: u32) -> String {
    let mant = 1.0 + (imm8 & 15) as f64 / 16.0;
    let cd = ((imm8 >> 4) & 3) as i32;
    let e = if imm8 & 0x40 == 0 { 1 + cd } else { cd - 3 };
    let v = mant * 2f64.powi(e);
    let v = if imm8 & 0x80 != 0 { -v } else { v };
    format!("{v:?}")
}

impl Gen<'_> {
    fn sreg(&mut self) -> String {
        format!("s{}", self.rng.range(0, 31))
    }

    fn dreg(&mut self) -> String {
        // D16-D31 are reachable only by double-precision instructions: favour them
        // less than the low half, which aliases the S registers.
        format!(
            "d{}",
            if self.rng.chance(0.3) {
                self.rng.range(16, 31)
            } else {
                self.rng.range(0, 15)
            }
        )
    }

    fn vfp_insn(&mut self, c: &str) -> Item {
        let scarce = (self.protected | self.written).count_ones() > 6;
        let dbl = self.rng.chance(0.5);
        let (ty, fr): (&str, fn(&mut Self) -> String) = if dbl {
            ("f64", Self::dreg)
        } else {
            ("f32", Self::sreg)
        };
        let k = self.rng.below(if scarce { 12 } else { 15 });
        let text = match k {
            0 | 1 => {
                let op = self.rng.pick(&["vadd", "vsub", "vmul", "vnmul", "vdiv"]);
                let (d, n, m) = (fr(self), fr(self), fr(self));
                format!("{op}{c}.{ty} {d}, {n}, {m}")
            }
            2 | 3 => {
                let op = self.rng.pick(&[
                    "vmla", "vmls", "vnmla", "vnmls", "vfma", "vfms", "vfnma", "vfnms",
                ]);
                let (d, n, m) = (fr(self), fr(self), fr(self));
                format!("{op}{c}.{ty} {d}, {n}, {m}")
            }
            4 => {
                let op = self.rng.pick(&["vsqrt", "vabs", "vneg", "vmov"]);
                let (d, m) = (fr(self), fr(self));
                format!("{op}{c}.{ty} {d}, {m}")
            }
            5 => {
                let imm = self.rng.u32() & 0xff;
                let d = fr(self);
                format!("vmov{c}.{ty} {d}, #{}", vfp_imm(imm))
            }
            6 => {
                let op = self.rng.pick(&["vcmp", "vcmpe"]);
                let d = fr(self);
                let m = if self.rng.chance(0.2) {
                    "#0".to_string()
                } else {
                    fr(self)
                };
                if self.rng.chance(0.6) {
                    // The comparison and its transfer to the APSR flags, together.
                    return Item {
                        setup: vec![format!("{op}.{ty} {d}, {m}")],
                        text: format!("vmrs{c} APSR_nzcv, fpscr"),
                    };
                }
                format!("{op}{c}.{ty} {d}, {m}")
            }
            7 | 8 => self.vcvt(c),
            9 | 10 => self.vmov_core(c),
            11 => {
                if self.rng.chance(0.5) {
                    format!("vmrs{c} {}, fpscr", self.dst())
                } else {
                    format!("vmrs{c} APSR_nzcv, fpscr")
                }
            }
            14 => {
                // A random FPSCR from a core register, with LEN, STRIDE, the trap
                // enables and the reserved bits cleared first.
                let rd = self.addr_reg(0);
                let d = rname(rd);
                let src = self.src();
                return Item {
                    setup: vec![
                        format!("bic {d}, {src}, #0x3f0000"),
                        format!("bic {d}, {d}, #0x9f00"),
                        format!("bic {d}, {d}, #0x60"),
                    ],
                    text: format!("vmsr{c} fpscr, {d}"),
                };
            }
            _ => return self.vfp_mem(c),
        };
        Item::plain(text)
    }

    fn vcvt(&mut self, c: &str) -> String {
        let dbl = self.rng.chance(0.5);
        let (ty, fr): (&str, fn(&mut Self) -> String) = if dbl {
            ("f64", Self::dreg)
        } else {
            ("f32", Self::sreg)
        };
        match self.rng.below(6) {
            0 => {
                if dbl {
                    format!("vcvt{c}.f32.f64 {}, {}", self.sreg(), self.dreg())
                } else {
                    format!("vcvt{c}.f64.f32 {}, {}", self.dreg(), self.sreg())
                }
            }
            1 => {
                // To integer: VCVT rounds towards zero, VCVTR uses FPSCR.RMode.
                let r = self.rng.pick(&["", "r"]);
                let it = self.rng.pick(&["s32", "u32"]);
                let (d, m) = (self.sreg(), fr(self));
                format!("vcvt{r}{c}.{it}.{ty} {d}, {m}")
            }
            2 => {
                let it = self.rng.pick(&["s32", "u32"]);
                let (d, m) = (fr(self), self.sreg());
                format!("vcvt{c}.{ty}.{it} {d}, {m}")
            }
            3 | 4 => {
                // Fixed point, in place.
                let (it, size) =
                    self.rng
                        .pick(&[("s16", 16), ("u16", 16), ("s32", 32), ("u32", 32)]);
                let fb = self.rng.edge_or(&[1, size], 1, size);
                let d = fr(self);
                if self.rng.chance(0.5) {
                    format!("vcvt{c}.{it}.{ty} {d}, {d}, #{fb}")
                } else {
                    format!("vcvt{c}.{ty}.{it} {d}, {d}, #{fb}")
                }
            }
            _ => {
                let bt = self.rng.pick(&["b", "t"]);
                let (d, m) = (self.sreg(), self.sreg());
                if self.rng.chance(0.5) {
                    format!("vcvt{bt}{c}.f32.f16 {d}, {m}")
                } else {
                    format!("vcvt{bt}{c}.f16.f32 {d}, {m}")
                }
            }
        }
    }

    /// Transfers between core and VFP registers.
    fn vmov_core(&mut self, c: &str) -> String {
        match self.rng.below(7) {
            0 => format!("vmov{c} {}, {}", self.sreg(), self.src()),
            1 => {
                let s = self.sreg();
                format!("vmov{c} {}, {s}", self.dst())
            }
            2 => {
                let s = self.rng.range(0, 30);
                let (t, t2) = (self.src(), self.src());
                format!("vmov{c} s{s}, s{}, {t}, {t2}", s + 1)
            }
            3 => {
                let s = self.rng.range(0, 30);
                let t = self.dst_n(0);
                let t2 = self.dst_n(1 << t);
                format!("vmov{c} {}, {}, s{s}, s{}", rname(t), rname(t2), s + 1)
            }
            4 => {
                let d = self.dreg();
                let (t, t2) = (self.src(), self.src());
                format!("vmov{c} {d}, {t}, {t2}")
            }
            5 => {
                let d = self.dreg();
                let t = self.dst_n(0);
                let t2 = self.dst_n(1 << t);
                format!("vmov{c} {}, {}, {d}", rname(t), rname(t2))
            }
            _ => {
                let d = self.dreg();
                let x = self.rng.range(0, 1);
                if self.rng.chance(0.5) {
                    format!("vmov{c}.32 {d}[{x}], {}", self.src())
                } else {
                    format!("vmov{c}.32 {}, {d}[{x}]", self.dst())
                }
            }
        }
    }

    /// VLDR/VSTR and VLDM/VSTM into the scratch window.
    fn vfp_mem(&mut self, c: &str) -> Item {
        let mut setup = vec![];
        let load = self.rng.chance(0.5);
        if self.rng.chance(0.6) {
            let op = if load { "vldr" } else { "vstr" };
            let dbl = self.rng.chance(0.5);
            let r = if dbl { self.dreg() } else { self.sreg() };
            let size = if dbl { 8 } else { 4 };
            let off = 4 * self.rng.edge_or(&[0, 255, -255], -255, 255);
            let rn = self.addr_reg(0);
            let a = self.addr(4, size, 0, 0) as i64;
            self.set_base(&mut setup, rn, a - off);
            let text = format!("{op}{c} {r}, [{}, #{off}]", rname(rn));
            return Item { setup, text };
        }
        let dbl = self.rng.chance(0.5);
        let n = self.rng.range(1, 4) as u32;
        let (list, size) = if dbl {
            let first = self.rng.range(0, 32 - n as i64) as u32;
            let list = if n == 1 {
                format!("{{d{first}}}")
            } else {
                format!("{{d{first}-d{}}}", first + n - 1)
            };
            (list, 8 * n)
        } else {
            let n = 2 * n;
            let first = self.rng.range(0, 32 - n as i64) as u32;
            (format!("{{s{first}-s{}}}", first + n - 1), 4 * n)
        };
        let db = self.rng.chance(0.4);
        let wb = self.rng.chance(0.5);
        let rn = self.addr_reg(0);
        let a = self.addr(4, size, 0, 0);
        let base = if db { a + size } else { a };
        self.set_base(&mut setup, rn, base);
        let mode = if db { "db" } else { "ia" };
        // The DB form exists only with writeback.
        let w = if wb || db { "!" } else { "" };
        let op = if load { "vldm" } else { "vstm" };
        Item {
            setup,
            text: format!("{op}{mode}{c} {}{w}, {list}", rname(rn)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The generator terminates and is deterministic.
    #[test]
    fn generates_many_sequences() {
        for state in [State::Arm, State::Thumb] {
            for seed in 0..4 {
                for i in 0..3000 {
                    for vfp in [false, true] {
                        let a = generate_with(seed, i, state, 32, vfp);
                        assert!(a.insns >= 32 && a.insns < 48, "{} instructions", a.insns);
                        assert_eq!(a.vfp.is_some(), vfp);
                        if let Some(v) = &a.vfp {
                            assert_eq!(v.fpscr & 0x0837_9f60, 0, "LEN/STRIDE/traps/QC set");
                        }
                        if i % 500 == 0 {
                            let b = generate_with(seed, i, state, 32, vfp);
                            assert_eq!(a.body, b.body);
                        }
                    }
                }
            }
        }
    }
}
