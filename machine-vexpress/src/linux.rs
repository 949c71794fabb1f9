//! The Linux ARM boot protocol (Linux's Documentation/arch/arm/booting.rst): load a
//! kernel (zImage, uImage or ELF vmlinux), an initrd and a device tree into RAM, and
//! enter the kernel with r0 = 0, r1 = machine type, r2 = DTB address, the MMU and caches
//! off and interrupts masked.
//!
//! # Layout (RAM of 64 MiB to 2 GiB at `RAM_BASE`)
//! - zImage: at RAM base + 0x8000 (see [`ZIMAGE_OFFSET`]); uImage: at its header's load
//!   address; vmlinux: at its physical addresses (see [`load_vmlinux`]).
//! - initrd: at RAM base + min(RAM / 2, 128 MiB), 4 KiB aligned. The kernel decompresses
//!   itself to RAM base + 0x8000 and relocates its decompressor just past the result, so
//!   it needs the first ~4x zImage size (about 20 MiB for Debian's 5.5 MiB armmp-lpae
//!   zImage); half of a 64 MiB board is 32 MiB, and 128 MiB leaves room for any
//!   kernel on larger boards while staying well inside lowmem (the kernel's direct map
//!   covers the first ~760 MiB).
//! - DTB: right after the initrd (after the kernel area at that same offset when there is
//!   no initrd), 4 KiB aligned (booting.rst asks for 8 bytes), and it must end within the
//!   first 512 MiB of RAM so the kernel's early mapping reaches it.
//!
//! Everything must fit in RAM: otherwise [`LinuxError::DoesNotFit`].

use goblin::elf::{program_header::PT_LOAD, Elf};

use crate::fdt::{self, DeviceTree, FdtError};
use crate::{Machine, MachineError};
use emu_core::Mode;

/// Where a zImage goes. The decompressor finds PHYS_OFFSET by rounding its own address
/// down to 128 MiB and decompresses the kernel to PHYS_OFFSET + TEXT_OFFSET (0x8000), so a
/// zImage must sit in the first 128 MiB of RAM; RAM base + 0x8000 is where u-boot-style
/// loaders put it on vexpress (`kernel_addr_r`), which also leaves the first 32 KiB for
/// the kernel's initial page tables. (The decompressor relocates itself when the
/// decompressed image would overwrite it.)
pub const ZIMAGE_OFFSET: u64 = 0x8000;
/// Where the kernel is linked (the default 3G/1G split's PAGE_OFFSET).
pub const PAGE_OFFSET: u64 = 0xc000_0000;
/// r1: no machine type; the kernel uses the device tree (booting.rst 4b).
pub const MACH_TYPE_DT: u32 = 0xffff_ffff;
/// The DTB must end below RAM base + this.
pub const DTB_LIMIT: u64 = 512 << 20;
/// The initrd goes at RAM base + min(RAM / 2, INITRD_OFFSET_MAX).
pub const INITRD_OFFSET_MAX: u64 = 128 << 20;

const ZIMAGE_MAGIC: u32 = 0x016f_2818;
const UIMAGE_MAGIC: u32 = 0x2705_1956;
const UIMAGE_HEADER: usize = 64;
const EM_ARM: u16 = 40;

/// What to boot.
#[derive(Clone, Debug, Default)]
pub struct LinuxBoot {
    pub kernel: Vec<u8>,
    /// A DTB to patch; `None` generates one describing the board.
    pub dtb: Option<Vec<u8>>,
    pub initrd: Option<Vec<u8>>,
    /// Kernel command line (/chosen/bootargs); empty keeps a given DTB's own.
    pub cmdline: String,
}

/// The kernel image formats [`detect`] recognises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KernelFormat {
    ZImage,
    UImage,
    Vmlinux,
}

impl std::fmt::Display for KernelFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            KernelFormat::ZImage => "zImage",
            KernelFormat::UImage => "uImage",
            KernelFormat::Vmlinux => "vmlinux",
        })
    }
}

/// Where everything went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinuxLayout {
    pub format: KernelFormat,
    /// Physical range the kernel image occupies as loaded (start, end exclusive).
    pub kernel: (u64, u64),
    pub entry: u32,
    pub initrd: Option<(u64, u64)>,
    pub dtb: (u64, u64),
    /// The DTB was generated (no user DTB).
    pub dtb_generated: bool,
}

impl std::fmt::Display for LinuxLayout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} at {:#x}-{:#x}, entry {:#x}",
            self.format, self.kernel.0, self.kernel.1, self.entry
        )?;
        if let Some((s, e)) = self.initrd {
            write!(f, "; initrd at {s:#x}-{e:#x}")?;
        }
        write!(
            f,
            "; {} DTB at {:#x}-{:#x}",
            if self.dtb_generated {
                "generated"
            } else {
                "patched"
            },
            self.dtb.0,
            self.dtb.1
        )
    }
}

/// Why a Linux boot could not be set up.
#[derive(Debug)]
pub enum LinuxError {
    /// The kernel is not a zImage, uImage or Linux ELF.
    NotLinux,
    ZImage(String),
    UImage(String),
    Elf(String),
    Dtb(FdtError),
    /// `what` (`size` bytes) does not fit where the layout puts it.
    DoesNotFit {
        what: &'static str,
        size: u64,
        at: u64,
        limit: u64,
    },
}

impl std::fmt::Display for LinuxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinuxError::NotLinux => write!(f, "not a Linux kernel image (zImage, uImage or vmlinux)"),
            LinuxError::ZImage(e) => write!(f, "malformed zImage: {e}"),
            LinuxError::UImage(e) => write!(f, "unusable uImage: {e}"),
            LinuxError::Elf(e) => write!(f, "malformed vmlinux: {e}"),
            LinuxError::Dtb(e) => write!(f, "device tree: {e}"),
            LinuxError::DoesNotFit {
                what,
                size,
                at,
                limit,
            } => write!(
                f,
                "{what} of {size} bytes at {at:#x} does not fit below {limit:#x}: use more RAM (--mem)"
            ),
        }
    }
}

impl std::error::Error for LinuxError {}

impl From<FdtError> for LinuxError {
    fn from(e: FdtError) -> Self {
        LinuxError::Dtb(e)
    }
}

pub(crate) fn le32(b: &[u8], off: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(off..off + 4)?.try_into().ok()?))
}

fn be32(b: &[u8], off: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(off..off + 4)?.try_into().ok()?))
}

/// Recognises a Linux kernel image:
/// - zImage: 0x016f2818 (little-endian) at offset 0x24;
/// - uImage: the legacy u-boot magic 0x27051956 (big-endian) at offset 0;
/// - vmlinux: a 32-bit Arm ELF with a `.head.text` section (where every ARM kernel since
///   2.6.28 keeps its entry code) or an entry point at or above PAGE_OFFSET
///   (0xc0000000: bare-metal programs run from RAM at 0x80000000 and below).
///
/// Anything else (other ELF files, raw binaries) is not Linux.
pub fn detect(image: &[u8]) -> Option<KernelFormat> {
    if le32(image, 0x24) == Some(ZIMAGE_MAGIC) {
        return Some(KernelFormat::ZImage);
    }
    if be32(image, 0) == Some(UIMAGE_MAGIC) {
        return Some(KernelFormat::UImage);
    }
    if image.starts_with(b"\x7fELF") {
        let elf = Elf::parse(image).ok()?;
        if elf.is_64 || elf.header.e_machine != EM_ARM {
            return None;
        }
        let head_text = elf
            .section_headers
            .iter()
            .any(|sh| elf.shdr_strtab.get_at(sh.sh_name) == Some(".head.text"));
        if head_text || elf.header.e_entry >= PAGE_OFFSET {
            return Some(KernelFormat::Vmlinux);
        }
    }
    None
}

/// Bytes to copy and where, plus the entry point.
struct KernelImage {
    format: KernelFormat,
    /// (physical address, bytes, memory size >= bytes.len(); the rest is zeroed).
    segments: Vec<(u64, Vec<u8>, u64)>,
    entry: u32,
    /// End of the RAM the kernel may use while starting (decompression etc.).
    reach: u64,
}

/// Validates a zImage; it loads whole (including any appended DTB) at RAM base +
/// [`ZIMAGE_OFFSET`].
fn parse_zimage(image: &[u8], ram_base: u64) -> Result<KernelImage, LinuxError> {
    let bad = |m: &str| Err(LinuxError::ZImage(m.into()));
    let (Some(start), Some(end)) = (le32(image, 0x28), le32(image, 0x2c)) else {
        return bad("header is truncated");
    };
    if end <= start {
        return bad("end address precedes start address");
    }
    if (end - start) as usize > image.len() {
        return bad(&format!(
            "header says {} bytes but the file has {}",
            end - start,
            image.len()
        ));
    }
    let at = ram_base + ZIMAGE_OFFSET;
    Ok(KernelImage {
        format: KernelFormat::ZImage,
        segments: vec![(at, image.to_vec(), image.len() as u64)],
        entry: at as u32,
        // The decompressed kernel is rarely more than 4x its compressed size.
        reach: at + 4 * image.len() as u64,
    })
}

/// CRC-32 (IEEE, as u-boot's image header uses).
pub fn crc32(data: &[u8]) -> u32 {
    let mut table = [0u32; 256];
    for (i, t) in table.iter_mut().enumerate() {
        let mut c = i as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xedb8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
        *t = c;
    }
    !data.iter().fold(!0u32, |c, &b| {
        table[((c ^ b as u32) & 0xff) as usize] ^ (c >> 8)
    })
}

/// Validates a legacy u-boot uImage (include/image.h of u-boot): an uncompressed Linux
/// kernel for Arm, loaded at the header's load address, entered at its entry point.
fn parse_uimage(image: &[u8]) -> Result<KernelImage, LinuxError> {
    let bad = |m: String| Err(LinuxError::UImage(m));
    if image.len() < UIMAGE_HEADER {
        return bad("header is truncated".into());
    }
    let mut hdr = image[..UIMAGE_HEADER].to_vec();
    let hcrc = be32(&hdr, 4).unwrap_or(0);
    hdr[4..8].fill(0);
    if crc32(&hdr) != hcrc {
        return bad("header checksum mismatch".into());
    }
    let size = be32(image, 12).unwrap_or(0) as usize;
    let load = be32(image, 16).unwrap_or(0);
    let ep = be32(image, 20).unwrap_or(0);
    let dcrc = be32(image, 24).unwrap_or(0);
    let (os, arch, typ, comp) = (image[28], image[29], image[30], image[31]);
    let Some(data) = image.get(UIMAGE_HEADER..UIMAGE_HEADER.saturating_add(size)) else {
        return bad(format!(
            "header says {size} bytes of data but the file has {}",
            image.len() - UIMAGE_HEADER
        ));
    };
    if crc32(data) != dcrc {
        return bad("data checksum mismatch".into());
    }
    // IH_OS_LINUX = 5, IH_ARCH_ARM = 2, IH_TYPE_KERNEL = 2, IH_COMP_NONE = 0.
    if os != 5 {
        return bad(format!("OS type {os} is not Linux"));
    }
    if arch != 2 {
        return bad(format!("architecture {arch} is not Arm"));
    }
    if typ != 2 {
        return bad(format!(
            "image type {typ} is not a kernel (only IH_TYPE_KERNEL is supported)"
        ));
    }
    if comp != 0 {
        let name = match comp {
            1 => "gzip",
            2 => "bzip2",
            3 => "lzma",
            4 => "lzo",
            5 => "lz4",
            6 => "zstd",
            _ => "unknown",
        };
        return bad(format!(
            "{name}-compressed payloads are not supported (use an uncompressed uImage or the zImage)"
        ));
    }
    // A uImage wrapping a zImage decompresses itself like one.
    let reach = if le32(data, 0x24) == Some(ZIMAGE_MAGIC) {
        load as u64 + 4 * data.len() as u64
    } else {
        load as u64 + data.len() as u64
    };
    Ok(KernelImage {
        format: KernelFormat::UImage,
        segments: vec![(load as u64, data.to_vec(), data.len() as u64)],
        entry: ep,
        reach,
    })
}

/// Loads an ELF vmlinux by its PT_LOAD segments. A segment whose `p_paddr` lies in RAM
/// loads there; otherwise `p_paddr` is taken as a kernel virtual address (an ARM
/// vmlinux has p_paddr = p_vaddr = 0xc0008000.. because PHYS_OFFSET is only known at
/// run time) and translated as the kernel's own __virt_to_phys does: RAM base +
/// (p_paddr - PAGE_OFFSET). The entry point is translated through the segment that
/// contains it.
fn load_vmlinux(image: &[u8], ram_base: u64, ram_size: u64) -> Result<KernelImage, LinuxError> {
    let bad = |m: String| LinuxError::Elf(m);
    let elf = Elf::parse(image).map_err(|e| bad(e.to_string()))?;
    if elf.is_64 || elf.header.e_machine != EM_ARM {
        return Err(bad("not a 32-bit Arm ELF file".into()));
    }
    let in_ram =
        |pa: u64, len: u64| pa >= ram_base && pa.saturating_add(len) <= ram_base + ram_size;
    let mut segments = Vec::new();
    let mut entry = None;
    let mut reach = 0;
    for ph in elf.program_headers.iter().filter(|p| p.p_type == PT_LOAD) {
        if ph.p_memsz == 0 {
            continue;
        }
        if ph.p_filesz > ph.p_memsz {
            return Err(bad("segment file size exceeds memory size".into()));
        }
        let data = ph
            .p_offset
            .checked_add(ph.p_filesz)
            .and_then(|end| image.get(ph.p_offset as usize..end as usize))
            .ok_or_else(|| bad("segment extends past the end of the file".into()))?;
        let pa = if in_ram(ph.p_paddr, ph.p_memsz) {
            ph.p_paddr
        } else if ph.p_paddr >= PAGE_OFFSET {
            ram_base + (ph.p_paddr - PAGE_OFFSET)
        } else {
            return Err(bad(format!(
                "segment at {:#x} is neither in RAM nor a kernel virtual address",
                ph.p_paddr
            )));
        };
        let e = elf.header.e_entry;
        if e >= ph.p_vaddr && e < ph.p_vaddr.saturating_add(ph.p_memsz) {
            entry = Some((pa + (e - ph.p_vaddr)) as u32);
        }
        reach = reach.max(pa.saturating_add(ph.p_memsz));
        segments.push((pa, data.to_vec(), ph.p_memsz));
    }
    let entry = entry.ok_or_else(|| bad("entry point is in no loadable segment".into()))?;
    Ok(KernelImage {
        format: KernelFormat::Vmlinux,
        segments,
        entry,
        reach,
    })
}

pub(crate) fn align_up(v: u64, a: u64) -> u64 {
    v.div_ceil(a) * a
}

impl Machine {
    /// Loads a Linux kernel, its initrd and device tree per the module's layout and sets
    /// the core up at the kernel's entry (see [`Machine::enter_kernel`]).
    pub fn load_linux(&mut self, boot: &LinuxBoot) -> Result<LinuxLayout, MachineError> {
        self.load_linux_inner(boot).map_err(MachineError::Linux)
    }

    fn load_linux_inner(&mut self, boot: &LinuxBoot) -> Result<LinuxLayout, LinuxError> {
        let base = self.cpu.ram.base();
        let size = self.cpu.ram.size();
        let ram_end = base + size;
        let kernel = match detect(&boot.kernel) {
            Some(KernelFormat::ZImage) => parse_zimage(&boot.kernel, base)?,
            Some(KernelFormat::UImage) => parse_uimage(&boot.kernel)?,
            Some(KernelFormat::Vmlinux) => load_vmlinux(&boot.kernel, base, size)?,
            None => return Err(LinuxError::NotLinux),
        };
        let mut kstart = u64::MAX;
        let mut kend = 0;
        for (pa, data, memsz) in &kernel.segments {
            let dst =
                self.cpu
                    .ram
                    .slice_mut(*pa, *memsz as usize)
                    .ok_or(LinuxError::DoesNotFit {
                        what: "kernel",
                        size: *memsz,
                        at: *pa,
                        limit: ram_end,
                    })?;
            dst[..data.len()].copy_from_slice(data);
            dst[data.len()..].fill(0);
            kstart = kstart.min(*pa);
            kend = kend.max(pa + memsz);
        }

        // initrd (and the DTB after it) at RAM base + min(RAM / 2, 128 MiB).
        let mut next = base + (size / 2).min(INITRD_OFFSET_MAX);
        if kernel.reach > next {
            tracing::warn!(target: "boot",
                "the kernel may need RAM up to {:#x}, past the initrd/DTB at {next:#x}", kernel.reach);
        }
        if kend > next {
            next = align_up(kend, 0x1000);
        }
        let initrd = match &boot.initrd {
            Some(data) => {
                let at = align_up(next, 0x1000);
                let len = data.len() as u64;
                let dst = self
                    .cpu
                    .ram
                    .slice_mut(at, data.len())
                    .ok_or(LinuxError::DoesNotFit {
                        what: "initrd",
                        size: len,
                        at,
                        limit: ram_end,
                    })?;
                dst.copy_from_slice(data);
                next = at + len;
                Some((at, at + len))
            }
            None => None,
        };

        let dtb = match &boot.dtb {
            Some(user) => {
                let mut t = DeviceTree::parse(user)?;
                t.patch_for_boot((base, size), &boot.cmdline, initrd)?;
                t.to_blob()?
            }
            None => fdt::generate(&fdt::GenerateOptions {
                ram: (base, size),
                cmdline: boot.cmdline.clone(),
                initrd,
                psci: self.cfg.psci,
            })?,
        };
        let dtb_at = align_up(next, 0x1000);
        let limit = ram_end.min(base + DTB_LIMIT);
        let dtb_end = dtb_at + dtb.len() as u64;
        if dtb_end > limit {
            return Err(LinuxError::DoesNotFit {
                what: "device tree",
                size: dtb.len() as u64,
                at: dtb_at,
                limit,
            });
        }
        self.cpu
            .ram
            .slice_mut(dtb_at, dtb.len())
            .expect("checked against RAM above")
            .copy_from_slice(&dtb);

        self.enter_kernel(kernel.entry, dtb_at as u32);
        let layout = LinuxLayout {
            format: kernel.format,
            kernel: (kstart, kend),
            entry: kernel.entry,
            initrd,
            dtb: (dtb_at, dtb_end),
            dtb_generated: boot.dtb.is_none(),
        };
        tracing::info!(target: "boot", "{layout}");
        Ok(layout)
    }

    /// The CPU state booting.rst asks for: r0 = 0, r1 = machine type (none: DT only),
    /// r2 = DTB address; MMU and caches off, IRQ/FIQ/asynchronous aborts masked (the
    /// reset state); Hyp mode when the Virtualization Extensions are on (as a boot
    /// loader leaves an A15 so the kernel can use them), SVC otherwise. Xen is entered
    /// the same way (crate::xen).
    pub(crate) fn enter_kernel(&mut self, entry: u32, dtb: u32) {
        let mode = if self.cfg.virtualization {
            Mode::Hyp
        } else {
            Mode::Svc
        };
        // Entering in Hyp mode also sets SCR.NS and SCR.HCE, as the firmware of an A15
        // board does before it starts a kernel in Hyp mode.
        self.cpu.reset(entry, mode);
        self.cpu.s.regs[0] = 0;
        self.cpu.s.regs[1] = MACH_TYPE_DT;
        self.cpu.s.regs[2] = dtb;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MachineConfig, RAM_BASE};

    fn machine(mem_mib: u64, virt: bool) -> Machine {
        Machine::new(MachineConfig {
            ram_size: mem_mib << 20,
            virtualization: virt,
            ..MachineConfig::default()
        })
        .unwrap()
    }

    /// A fake zImage: `b .` at the start, the magic and start/end words.
    fn zimage(len: usize) -> Vec<u8> {
        let mut z = vec![0u8; len];
        z[0..4].copy_from_slice(&0xeafffffeu32.to_le_bytes());
        z[0x24..0x28].copy_from_slice(&ZIMAGE_MAGIC.to_le_bytes());
        z[0x2c..0x30].copy_from_slice(&(len as u32).to_le_bytes());
        z
    }

    fn uimage(payload: &[u8], load: u32, ep: u32, typ: u8, comp: u8) -> Vec<u8> {
        let mut h = vec![0u8; UIMAGE_HEADER];
        h[0..4].copy_from_slice(&UIMAGE_MAGIC.to_be_bytes());
        h[12..16].copy_from_slice(&(payload.len() as u32).to_be_bytes());
        h[16..20].copy_from_slice(&load.to_be_bytes());
        h[20..24].copy_from_slice(&ep.to_be_bytes());
        h[24..28].copy_from_slice(&crc32(payload).to_be_bytes());
        h[28] = 5;
        h[29] = 2;
        h[30] = typ;
        h[31] = comp;
        h[32..38].copy_from_slice(b"Linux\0");
        let c = crc32(&h);
        h[4..8].copy_from_slice(&c.to_be_bytes());
        h.extend_from_slice(payload);
        h
    }

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }

    #[test]
    fn zimage_layout_and_entry_state() {
        let mut m = machine(256, false);
        let boot = LinuxBoot {
            kernel: zimage(0x1000),
            initrd: Some(vec![0xab; 5000]),
            cmdline: "console=ttyAMA0".into(),
            ..LinuxBoot::default()
        };
        let l = m.load_linux(&boot).unwrap();
        assert_eq!(l.format, KernelFormat::ZImage);
        assert_eq!(l.entry, 0x8000_8000);
        assert_eq!(
            l.initrd,
            Some((RAM_BASE + (128 << 20), RAM_BASE + (128 << 20) + 5000))
        );
        assert_eq!(l.dtb.0, RAM_BASE + (128 << 20) + 0x2000);
        assert!(l.dtb_generated);
        assert_eq!(
            m.cpu.ram.slice(0x8000_8000, 4).unwrap(),
            &0xeafffffeu32.to_le_bytes()
        );
        assert_eq!(m.cpu.s.regs[0], 0);
        assert_eq!(m.cpu.s.regs[1], 0xffff_ffff);
        assert_eq!(m.cpu.s.regs[2] as u64, l.dtb.0);
        assert_eq!(m.cpu.s.regs[15], 0x8000_8000);
        assert_eq!(m.cpu.s.mode(), Mode::Svc);
        // The DTB in RAM describes the initrd and the RAM.
        let blob = m
            .cpu
            .ram
            .slice(l.dtb.0, (l.dtb.1 - l.dtb.0) as usize)
            .unwrap();
        let t = DeviceTree::parse(blob).unwrap();
        let chosen = t.root.find("chosen").unwrap();
        assert_eq!(chosen.str_prop("bootargs"), Some("console=ttyAMA0"));
        assert_eq!(
            chosen.prop("linux,initrd-end").unwrap(),
            &(l.initrd.unwrap().1).to_be_bytes()
        );
    }

    #[test]
    fn virtualization_enters_hyp_mode() {
        let mut m = machine(64, true);
        let l = m
            .load_linux(&LinuxBoot {
                kernel: zimage(0x100),
                ..LinuxBoot::default()
            })
            .unwrap();
        assert_eq!(m.cpu.s.mode(), Mode::Hyp);
        // 64 MiB: initrd/DTB area at half of RAM.
        assert_eq!(l.dtb.0, RAM_BASE + (32 << 20));
    }

    #[test]
    fn uimage_loads_at_its_load_address() {
        let mut m = machine(128, false);
        let payload = [0xfe, 0xff, 0xff, 0xea, 1, 2, 3, 4];
        let img = uimage(&payload, 0x8010_0000, 0x8010_0000, 2, 0);
        assert_eq!(detect(&img), Some(KernelFormat::UImage));
        let l = m
            .load_linux(&LinuxBoot {
                kernel: img,
                ..LinuxBoot::default()
            })
            .unwrap();
        assert_eq!(l.entry, 0x8010_0000);
        assert_eq!(l.kernel, (0x8010_0000, 0x8010_0008));
        assert_eq!(m.cpu.ram.slice(0x8010_0000, 8).unwrap(), &payload);
    }

    #[test]
    fn bad_uimages_are_rejected_clearly() {
        let mut m = machine(128, false);
        let mut try_load = |k: Vec<u8>| {
            m.load_linux(&LinuxBoot {
                kernel: k,
                ..LinuxBoot::default()
            })
            .unwrap_err()
            .to_string()
        };
        let e = try_load(uimage(&[0; 16], 0x8000_8000, 0x8000_8000, 2, 1));
        assert!(
            e.contains("gzip-compressed payloads are not supported"),
            "{e}"
        );
        let e = try_load(uimage(&[0; 16], 0x8000_8000, 0x8000_8000, 3, 0));
        assert!(e.contains("not a kernel"), "{e}");
        let mut corrupt = uimage(&[0; 16], 0x8000_8000, 0x8000_8000, 2, 0);
        corrupt[70] = 1;
        assert!(try_load(corrupt).contains("data checksum"));
        let e = try_load(uimage(&[0; 16], 0x1000, 0x1000, 2, 0));
        assert!(e.contains("does not fit"), "{e}");
        let e = try_load(b"\x27\x05\x19\x56short".to_vec());
        assert!(e.contains("truncated"), "{e}");
    }

    #[test]
    fn malformed_zimage_is_an_error() {
        let mut m = machine(128, false);
        let mut z = zimage(0x100);
        z[0x2c..0x30].copy_from_slice(&0x10_0000u32.to_le_bytes());
        let e = m
            .load_linux(&LinuxBoot {
                kernel: z,
                ..LinuxBoot::default()
            })
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("malformed zImage"), "{e}");
    }

    #[test]
    fn oversized_initrd_and_bad_dtb_are_errors() {
        let mut m = machine(64, false);
        let e = m
            .load_linux(&LinuxBoot {
                kernel: zimage(0x100),
                initrd: Some(vec![0; 40 << 20]),
                ..LinuxBoot::default()
            })
            .unwrap_err()
            .to_string();
        assert!(e.contains("initrd of 41943040 bytes"), "{e}");
        let e = m
            .load_linux(&LinuxBoot {
                kernel: zimage(0x100),
                dtb: Some(b"not a dtb at all, just some text here....".to_vec()),
                ..LinuxBoot::default()
            })
            .unwrap_err()
            .to_string();
        assert!(e.contains("device tree: not a device tree blob"), "{e}");
    }

    /// A minimal vmlinux: one PT_LOAD at virtual 0xc0008000 (paddr the same), entry
    /// there, and a `.head.text` section.
    fn vmlinux(code: &[u8]) -> Vec<u8> {
        let mut f = vec![0u8; 0x100];
        // ELF header (32-bit, little-endian, EXEC, ARM).
        f[0..4].copy_from_slice(b"\x7fELF");
        f[4] = 1;
        f[5] = 1;
        f[6] = 1;
        let put16 =
            |f: &mut Vec<u8>, o: usize, v: u16| f[o..o + 2].copy_from_slice(&v.to_le_bytes());
        let put32 =
            |f: &mut Vec<u8>, o: usize, v: u32| f[o..o + 4].copy_from_slice(&v.to_le_bytes());
        put16(&mut f, 16, 2);
        put16(&mut f, 18, EM_ARM);
        put32(&mut f, 20, 1);
        put32(&mut f, 24, 0xc000_8000); // e_entry
        put32(&mut f, 28, 52); // e_phoff
        put32(&mut f, 32, 0x80); // e_shoff
        put16(&mut f, 40, 52);
        put16(&mut f, 42, 32);
        put16(&mut f, 44, 1);
        put16(&mut f, 46, 40);
        put16(&mut f, 48, 3); // null, .head.text, .shstrtab
        put16(&mut f, 50, 2);
        // Program header at 52.
        put32(&mut f, 52, PT_LOAD);
        put32(&mut f, 56, 0x100); // p_offset
        put32(&mut f, 60, 0xc000_8000);
        put32(&mut f, 64, 0xc000_8000);
        put32(&mut f, 68, code.len() as u32);
        put32(&mut f, 72, code.len() as u32 + 0x10);
        put32(&mut f, 76, 7);
        // Section headers at 0x80..0xf8; the section-name string table after the code.
        let strtab_off = 0x100 + code.len();
        let strtab = b"\0.head.text\0.shstrtab\0";
        // [1] .head.text
        let sh1 = 0x80 + 40;
        put32(&mut f, sh1, 1);
        put32(&mut f, sh1 + 4, 1); // PROGBITS
        put32(&mut f, sh1 + 12, 0xc000_8000);
        put32(&mut f, sh1 + 16, 0x100);
        put32(&mut f, sh1 + 20, code.len() as u32);
        // [2] .shstrtab
        let sh2 = 0x80 + 80;
        put32(&mut f, sh2, 12);
        put32(&mut f, sh2 + 4, 3); // STRTAB
        put32(&mut f, sh2 + 16, strtab_off as u32);
        put32(&mut f, sh2 + 20, strtab.len() as u32);
        f.resize(0x100, 0);
        f.extend_from_slice(code);
        f.extend_from_slice(strtab);
        f
    }

    #[test]
    fn vmlinux_virtual_addresses_translate_to_ram() {
        let code = 0xeafffffeu32.to_le_bytes();
        let img = vmlinux(&code);
        assert_eq!(detect(&img), Some(KernelFormat::Vmlinux));
        let mut m = machine(128, false);
        let l = m
            .load_linux(&LinuxBoot {
                kernel: img,
                ..LinuxBoot::default()
            })
            .unwrap();
        assert_eq!(l.format, KernelFormat::Vmlinux);
        assert_eq!(l.entry, 0x8000_8000);
        assert_eq!(l.kernel, (0x8000_8000, 0x8000_8014));
        assert_eq!(m.cpu.ram.slice(0x8000_8000, 4).unwrap(), &code);
    }

    #[test]
    fn detection_leaves_bare_metal_programs_alone() {
        assert_eq!(detect(&[0u8; 0x40]), None);
        assert_eq!(detect(&0xeafffffeu32.to_le_bytes()), None);
        assert_eq!(detect(b"\x7fELF\x01\x01\x01"), None);
        assert_eq!(detect(&zimage(0x40)), Some(KernelFormat::ZImage));
    }

    #[test]
    fn debian_kernel_is_a_zimage() {
        let Some(home) = std::env::var_os("HOME") else {
            return;
        };
        let p = std::path::Path::new(&home).join(".cache/a15emu/vmlinuz");
        let Ok(k) = std::fs::read(&p) else {
            eprintln!(
                "skipping: {} is absent (scripts/fetch-images.sh)",
                p.display()
            );
            return;
        };
        assert_eq!(detect(&k), Some(KernelFormat::ZImage));
    }
}
