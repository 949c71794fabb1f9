//! Decoders: an encoding in, a [`crate::insn::Insn`] out, once per block
//! (ARCHITECTURE.md, decision 1). One module per instruction group, for A32 in `a32/`
//! and T32 in `t32/`; the top-level tables follow the Arm ARM's encoding chapters A5
//! (A32) and A6 (T32).

pub mod a32;
pub mod t32;

pub use a32::decode_a32;
pub use t32::{decode_t32, t32_is_wide};
