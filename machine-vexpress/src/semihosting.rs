//! Arm semihosting ("Semihosting for AArch32 and AArch64"): the host services a
//! bare-metal program calls with SVC 0x123456 (A32) or SVC 0xAB (T32). R0 holds the
//! operation, R1 the parameter (or a pointer to a parameter block); the result goes
//! back in R0.
//!
//! Console output goes to a writer (stdout by default); there is no file system access
//! beyond the console pseudo-file ":tt".

use std::io::{Read, Write};
use std::time::Instant;

use emu_core::{Acc, Cpu};

pub const SYS_OPEN: u32 = 0x01;
pub const SYS_CLOSE: u32 = 0x02;
pub const SYS_WRITEC: u32 = 0x03;
pub const SYS_WRITE0: u32 = 0x04;
pub const SYS_WRITE: u32 = 0x05;
pub const SYS_READ: u32 = 0x06;
pub const SYS_READC: u32 = 0x07;
pub const SYS_ISERROR: u32 = 0x08;
pub const SYS_ISTTY: u32 = 0x09;
pub const SYS_SEEK: u32 = 0x0a;
pub const SYS_FLEN: u32 = 0x0c;
pub const SYS_CLOCK: u32 = 0x10;
pub const SYS_TIME: u32 = 0x11;
pub const SYS_ERRNO: u32 = 0x13;
pub const SYS_GET_CMDLINE: u32 = 0x15;
pub const SYS_HEAPINFO: u32 = 0x16;
pub const SYS_EXIT: u32 = 0x18;
pub const SYS_EXIT_EXTENDED: u32 = 0x20;
pub const SYS_ELAPSED: u32 = 0x30;
pub const SYS_TICKFREQ: u32 = 0x31;

/// ADP_Stopped_ApplicationExit: the reason code of a normal exit.
pub const ADP_STOPPED_APPLICATION_EXIT: u32 = 0x20026;

/// Handle numbers of the console pseudo-file (":tt" opened for reading / writing).
const TT_IN: u32 = 1;
const TT_OUT: u32 = 2;

const ENOENT: u32 = 2;
const EBADF: u32 = 9;

/// The semihosting host state.
pub struct Semihosting {
    out: Box<dyn Write>,
    start: Instant,
    errno: u32,
    /// Command line returned by SYS_GET_CMDLINE.
    pub cmdline: String,
}

impl Semihosting {
    pub fn new(out: Box<dyn Write>) -> Semihosting {
        Semihosting {
            out,
            start: Instant::now(),
            errno: 0,
            cmdline: String::new(),
        }
    }

    fn read_mem(cpu: &mut Cpu, addr: u32, len: u32) -> Option<Vec<u8>> {
        (0..len)
            .map(|i| {
                cpu.read_u8(addr.wrapping_add(i), Acc::NORMAL)
                    .ok()
                    .map(|b| b as u8)
            })
            .collect()
    }

    fn write_mem(cpu: &mut Cpu, addr: u32, data: &[u8]) -> bool {
        data.iter().enumerate().all(|(i, &b)| {
            cpu.write_u8(addr.wrapping_add(i as u32), b as u32, Acc::NORMAL)
                .is_ok()
        })
    }

    fn arg(cpu: &mut Cpu, block: u32, n: u32) -> Option<u32> {
        cpu.read_u32(block.wrapping_add(4 * n), Acc::NORMAL).ok()
    }

    /// Services the call waiting in R0/R1. Returns `Some(status)` when the program
    /// exits.
    pub fn call(&mut self, cpu: &mut Cpu) -> std::io::Result<Option<i32>> {
        let op = cpu.s.regs[0];
        let param = cpu.s.regs[1];
        let ret: u32 = match op {
            SYS_WRITEC => {
                if let Some(b) = Self::read_mem(cpu, param, 1) {
                    self.out.write_all(&b)?;
                    self.out.flush()?;
                }
                cpu.s.regs[0]
            }
            SYS_WRITE0 => {
                let mut bytes = Vec::new();
                let mut a = param;
                while let Ok(b) = cpu.read_u8(a, Acc::NORMAL) {
                    if b == 0 || bytes.len() > (1 << 20) {
                        break;
                    }
                    bytes.push(b as u8);
                    a = a.wrapping_add(1);
                }
                self.out.write_all(&bytes)?;
                self.out.flush()?;
                cpu.s.regs[0]
            }
            SYS_OPEN => match (
                Self::arg(cpu, param, 0),
                Self::arg(cpu, param, 1),
                Self::arg(cpu, param, 2),
            ) {
                (Some(name), Some(mode), Some(len)) => {
                    let name = Self::read_mem(cpu, name, len.min(256));
                    if name.as_deref() == Some(b":tt") {
                        // Modes 0-3 read, 4-7 write, 8-11 append.
                        if mode < 4 {
                            TT_IN
                        } else {
                            TT_OUT
                        }
                    } else {
                        self.errno = ENOENT;
                        u32::MAX
                    }
                }
                _ => u32::MAX,
            },
            SYS_CLOSE => 0,
            SYS_WRITE => match (
                Self::arg(cpu, param, 0),
                Self::arg(cpu, param, 1),
                Self::arg(cpu, param, 2),
            ) {
                (Some(TT_OUT), Some(buf), Some(len)) => match Self::read_mem(cpu, buf, len) {
                    Some(data) => {
                        self.out.write_all(&data)?;
                        self.out.flush()?;
                        0
                    }
                    None => len,
                },
                (_, _, Some(len)) => {
                    self.errno = EBADF;
                    len
                }
                _ => u32::MAX,
            },
            SYS_READ => match (
                Self::arg(cpu, param, 0),
                Self::arg(cpu, param, 1),
                Self::arg(cpu, param, 2),
            ) {
                (Some(TT_IN), Some(buf), Some(len)) => {
                    let mut data = vec![0u8; len.min(1 << 16) as usize];
                    let n = std::io::stdin().read(&mut data).unwrap_or(0);
                    if Self::write_mem(cpu, buf, &data[..n]) {
                        len - n as u32
                    } else {
                        len
                    }
                }
                (_, _, Some(len)) => {
                    self.errno = EBADF;
                    len
                }
                _ => u32::MAX,
            },
            SYS_READC => {
                let mut b = [0u8; 1];
                match std::io::stdin().read(&mut b) {
                    Ok(1) => b[0] as u32,
                    _ => u32::MAX,
                }
            }
            SYS_ISERROR => (param as i32).is_negative() as u32,
            SYS_ISTTY => match Self::arg(cpu, param, 0) {
                Some(TT_IN) | Some(TT_OUT) => 1,
                _ => 0,
            },
            SYS_SEEK | SYS_FLEN => {
                self.errno = EBADF;
                u32::MAX
            }
            SYS_CLOCK => (self.start.elapsed().as_millis() / 10) as u32,
            SYS_TIME => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as u32)
                .unwrap_or(0),
            SYS_ERRNO => self.errno,
            SYS_GET_CMDLINE => match (Self::arg(cpu, param, 0), Self::arg(cpu, param, 1)) {
                (Some(buf), Some(size)) => {
                    let mut bytes = self.cmdline.clone().into_bytes();
                    bytes.push(0);
                    if bytes.len() as u32 > size || !Self::write_mem(cpu, buf, &bytes) {
                        u32::MAX
                    } else {
                        let _ = cpu.write_u32(
                            param.wrapping_add(4),
                            bytes.len() as u32 - 1,
                            Acc::NORMAL,
                        );
                        0
                    }
                }
                _ => u32::MAX,
            },
            SYS_HEAPINFO => {
                // Heap: the top half of RAM; stack: grows down from the end of RAM.
                let base = cpu.ram.base() as u32;
                let size = cpu.ram.size() as u32;
                if let Some(block) = Self::arg(cpu, param, 0) {
                    let vals = [
                        base + size / 2,
                        base + size - (1 << 20),
                        base + size,
                        base + size - (1 << 20),
                    ];
                    for (i, v) in vals.iter().enumerate() {
                        let _ = cpu.write_u32(block + 4 * i as u32, *v, Acc::NORMAL);
                    }
                }
                0
            }
            SYS_EXIT => {
                // AArch32: R1 is the reason code itself.
                let status = if param == ADP_STOPPED_APPLICATION_EXIT {
                    0
                } else {
                    1
                };
                self.out.flush()?;
                return Ok(Some(status));
            }
            SYS_EXIT_EXTENDED => {
                let reason = Self::arg(cpu, param, 0).unwrap_or(0);
                let code = Self::arg(cpu, param, 1).unwrap_or(1);
                let status = if reason == ADP_STOPPED_APPLICATION_EXIT {
                    code as i32
                } else {
                    1
                };
                self.out.flush()?;
                return Ok(Some(status));
            }
            SYS_ELAPSED => {
                let ticks = self.start.elapsed().as_micros() as u64;
                let _ = cpu.write_u32(param, ticks as u32, Acc::NORMAL);
                let _ = cpu.write_u32(param.wrapping_add(4), (ticks >> 32) as u32, Acc::NORMAL);
                0
            }
            SYS_TICKFREQ => 1_000_000,
            other => {
                tracing::warn!(target: "semihosting", "unsupported semihosting operation {other:#x}");
                u32::MAX
            }
        };
        cpu.s.regs[0] = ret;
        Ok(None)
    }
}
