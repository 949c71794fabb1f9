//! Robustness: decoding and executing random words must never panic the host
//! (ARCHITECTURE.md decision 8). Every word becomes architectural behaviour —
//! an instruction, UNDEFINED, or an abort — whatever it is.
//!
//! A seeded xorshift generator keeps the run reproducible; the count is 1,000,000 words
//! per instruction set in release builds (as the issue asks), fewer in debug builds.

use emu_core::state::psr;
use emu_core::{Cpu, CpuConfig, ItCtx, Mode, Ram};

const RAM_BASE: u32 = 0x8000_0000;
const RAM_SIZE: usize = 1 << 20;
/// Code is written here; data accesses through random registers land anywhere.
const CODE: u32 = RAM_BASE + 0x1000;

fn count() -> u32 {
    if cfg!(debug_assertions) {
        50_000
    } else {
        1_000_000
    }
}

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 16) as u32
    }
}

fn new_cpu() -> Cpu {
    let cfg = CpuConfig {
        virtualization: true,
        security: false,
        semihosting: true,
        ..CpuConfig::default()
    };
    Cpu::new(cfg, Ram::new(RAM_BASE as u64, RAM_SIZE).unwrap())
}

/// Puts the core in a random but valid state at `CODE`, with registers pointing into RAM
/// half of the time so that loads and stores also take their success paths.
fn randomize(cpu: &mut Cpu, rng: &mut XorShift, thumb: bool) {
    let modes = [
        Mode::Usr,
        Mode::Fiq,
        Mode::Irq,
        Mode::Svc,
        Mode::Abt,
        Mode::Und,
        Mode::Sys,
        Mode::Hyp,
    ];
    cpu.reset(
        CODE | thumb as u32,
        modes[(rng.next() % modes.len() as u32) as usize],
    );
    for r in 0..15 {
        let v = rng.next();
        cpu.s.regs[r] = if v & 1 == 0 {
            RAM_BASE + 0x8000 + (v & 0xfffc)
        } else {
            v
        };
    }
    cpu.s.set_nzcv(rng.next());
    cpu.s.ge = rng.next() & 0xf;
    cpu.s.spsr = (rng.next() & !psr::M_MASK) | Mode::Svc as u32;
    if rng.next().is_multiple_of(8) {
        cpu.s.sctlr |= emu_core::state::sctlr::A;
    }
}

fn run_words(thumb: bool, seed: u64) {
    let mut cpu = new_cpu();
    let mut rng = XorShift(seed);
    for _ in 0..count() {
        randomize(&mut cpu, &mut rng, thumb);
        let w = rng.next();
        let bytes = if thumb {
            // Two halfwords: a 16-bit instruction followed by another, or one 32-bit
            // instruction.
            let mut b = [0u8; 4];
            b[..2].copy_from_slice(&((w >> 16) as u16).to_le_bytes());
            b[2..].copy_from_slice(&(w as u16).to_le_bytes());
            b
        } else {
            w.to_le_bytes()
        };
        cpu.ram
            .slice_mut(CODE as u64, 4)
            .unwrap()
            .copy_from_slice(&bytes);
        if thumb {
            // Decode in the other IT contexts too.
            for last in [false, true] {
                let _ =
                    emu_core::decode::decode_t32(w >> 16, w & 0xffff, ItCtx { in_it: true, last });
            }
        }
        cpu.flush_code();
        // The instruction, then two more wherever that went.
        for _ in 0..3 {
            let _ = cpu.step();
        }
    }
}

#[test]
fn random_a32_words_never_panic() {
    run_words(false, 0x9e37_79b9_7f4a_7c15);
}

#[test]
fn random_t32_words_never_panic() {
    run_words(true, 0x2545_f491_4f6c_dd1d);
}
