//! Bare-metal test programs and the harnesses that run them under a15emu and QEMU.
