//! Bare-metal test programs and the harnesses that run them under a15emu and QEMU.
//!
//! - [`toolchain`]: builds programs with Debian's `arm-none-eabi` GNU toolchain.
//! - [`roms`]: the list of test programs, their cached build and recorded expectations.
//! - [`runner`]: runs a program under a15emu (in-process) or under `qemu-system-arm`
//!   and returns what it printed through semihosting and its exit status.

pub mod difftest;
pub mod linux;
pub mod roms;
pub mod runner;
pub mod toolchain;
