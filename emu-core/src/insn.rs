//! The decoded-instruction value (ARCHITECTURE.md, decision 1).
//!
//! A decoder turns an encoding into an [`Insn`] once; the interpreter then calls
//! `insn.exec` every time the instruction runs. The operand fields are generic slots:
//! each instruction group documents in its decoder module what it stores where, and its
//! exec routines read them back. A32 and T32 encodings of the same operation share one
//! exec routine.

use crate::cpu::Cpu;
use crate::exception::Exception;

/// An interpreter routine: executes one decoded instruction whose condition passed.
/// Errors are exceptions to take (the instruction has no further effect).
pub type ExecFn = fn(&mut Cpu, &Insn) -> Result<(), Exception>;

/// Condition code meaning "always" (AL).
pub const COND_AL: u8 = 0xe;

/// `Insn::flags` bits with a meaning shared by every group; bits 0-7 are free for the
/// instruction group's own use.
pub mod flags {
    /// The instruction is the last of a decoded block (branches, exception-generating
    /// and state-changing instructions). Optional: the run loop also stops when an
    /// instruction writes the PC, so this only saves decoding past it.
    pub const ENDS_BLOCK: u16 = 1 << 8;
    /// T32: the instruction is inside an IT block (set by the block builder).
    pub const IN_IT: u16 = 1 << 9;
    /// T32: the instruction is an IT instruction; `imm` holds firstcond:mask.
    pub const IT: u16 = 1 << 10;
    /// The encoding is 32 bits long (always for A32; a 32-bit T32 encoding).
    pub const WIDE: u16 = 1 << 11;
    /// The instruction is UNDEFINED ([`super::Insn::undefined`]). A flag rather than a
    /// comparison of routine addresses, which the optimizer may duplicate or merge.
    pub const UNDEF: u16 = 1 << 12;
}

/// One decoded instruction.
#[derive(Clone, Copy)]
pub struct Insn {
    pub exec: ExecFn,
    /// The encoding: the A32 word, a 16-bit T32 halfword, or hw1 << 16 | hw2.
    pub raw: u32,
    /// Immediate operand (already expanded / sign-extended as the group documents).
    pub imm: u32,
    /// Condition code (0xE = always). For T32 inside an IT block the builder stores the
    /// IT condition here.
    pub cond: u8,
    /// Register operands, by the group's convention (Rd, Rn, Rm, Rs/Ra/Rt2 ...).
    pub rd: u8,
    pub rn: u8,
    pub rm: u8,
    pub ra: u8,
    /// Sub-operation selector within `exec` (for example the ALU opcode).
    pub op: u8,
    /// Shift type (0 LSL, 1 LSR, 2 ASR, 3 ROR, 4 RRX) or a second small selector.
    pub shift: u8,
    /// Shift amount, or a third small field.
    pub shift_imm: u8,
    /// Group-specific bits 0-7 plus the shared bits in [`flags`].
    pub flags: u16,
    /// Length of the encoding in bytes (2 or 4); set by the decoder entry points.
    pub len: u8,
    /// Address of the instruction; set by the block builder.
    pub addr: u32,
}

impl Insn {
    /// An instruction with the given routine and all operands zero, condition AL.
    pub fn new(exec: ExecFn, raw: u32) -> Insn {
        Insn {
            exec,
            raw,
            imm: 0,
            cond: COND_AL,
            rd: 0,
            rn: 0,
            rm: 0,
            ra: 0,
            op: 0,
            shift: 0,
            shift_imm: 0,
            flags: 0,
            len: 4,
            addr: 0,
        }
    }

    /// The instruction that takes the Undefined Instruction exception.
    pub fn undefined(raw: u32) -> Insn {
        let mut i = Insn::new(exec_undefined, raw);
        i.flags = flags::UNDEF;
        i
    }

    /// An UNPREDICTABLE encoding for which we choose to be UNDEFINED.
    pub fn unpredictable(raw: u32) -> Insn {
        Insn::undefined(raw)
    }

    pub fn with_cond(mut self, cond: u32) -> Insn {
        self.cond = cond as u8;
        self
    }

    pub fn is_undefined(&self) -> bool {
        self.flags & flags::UNDEF != 0
    }

    #[inline]
    pub fn has(&self, f: u16) -> bool {
        self.flags & f != 0
    }
}

impl std::fmt::Debug for Insn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Insn {{ raw: {:#010x}, cond: {:#x}, rd: {}, rn: {}, rm: {}, ra: {}, op: {}, shift: {}, shift_imm: {}, imm: {:#x}, flags: {:#x}{} }}",
            self.raw,
            self.cond,
            self.rd,
            self.rn,
            self.rm,
            self.ra,
            self.op,
            self.shift,
            self.shift_imm,
            self.imm,
            self.flags,
            if self.is_undefined() { ", UNDEFINED" } else { "" }
        )
    }
}

/// The routine of [`Insn::undefined`].
pub fn exec_undefined(_cpu: &mut Cpu, _i: &Insn) -> Result<(), Exception> {
    Err(Exception::Undefined)
}

/// Decoding context for T32 encodings whose meaning depends on the IT state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ItCtx {
    /// InITBlock(): the instruction is inside an IT block.
    pub in_it: bool,
    /// LastInITBlock(): it is the last instruction of that block.
    pub last: bool,
}

impl ItCtx {
    pub const OUTSIDE: ItCtx = ItCtx {
        in_it: false,
        last: false,
    };

    /// From an ITSTATE value.
    pub fn from_itstate(it: u32) -> ItCtx {
        ItCtx {
            in_it: it & 0xf != 0,
            last: it & 0xf == 0x8,
        }
    }
}
