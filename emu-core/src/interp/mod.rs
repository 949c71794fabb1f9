//! The interpreter: one module of exec routines per instruction group, shared by the
//! A32 and T32 decoders (an [`crate::insn::Insn`] names its routine).

pub mod alu;
pub mod block;
pub mod branch;
pub mod common;
pub mod coproc;
pub mod fpu;
pub mod loadstore;
pub mod media;
pub mod multiply;
pub mod system;
pub mod vfp;
