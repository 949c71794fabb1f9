//! Booting the Xen hypervisor with a dom0 and dom0less guests (domUs).
//!
//! Xen on 32-bit Arm follows the Linux zImage boot protocol (Xen's
//! docs/misc/arm/booting.txt): an uncompressed image with the zImage header, entered in
//! Non-secure Hyp mode with SCR.HCE set, the MMU off, r2 = the DTB's physical address.
//! Everything else Xen boots comes as *boot modules* described in the DTB's /chosen node
//! (Xen's docs/misc/arm/device-tree/booting.txt):
//! - `xen,xen-bootargs`: Xen's command line; `xen,dom0-bootargs`: dom0's;
//! - dom0's kernel and ramdisk: `module@ADDR` nodes directly under /chosen, compatible
//!   `"multiboot,kernel", "multiboot,module"` / `"multiboot,ramdisk", "multiboot,module"`,
//!   with `reg` (and the kernel's `bootargs`);
//! - each dom0less guest: a `domU<n>` node under /chosen, compatible `"xen,domain"`, with
//!   `#address-cells`/`#size-cells`, `memory` (KiB, 64 bits), `cpus`, `vpl011` (Xen's
//!   emulated PL011, whose output Xen prints on its own console as `(d<n>) ...`), and its
//!   kernel and ramdisk module nodes.
//!
//! # Layout
//! - Xen at RAM base + [`XEN_OFFSET`] (2 MiB aligned). The zImage header's end address
//!   covers Xen's BSS as well (unlike a Linux zImage, whose end is the file's), and Xen
//!   4.17 runs where it was loaded (it no longer relocates itself), so nothing else may
//!   use that range.
//! - Then the modules, each 2 MiB aligned, in this order: dom0 kernel, dom0 ramdisk,
//!   then per domU its kernel and ramdisk. Xen copies the kernels into their domains'
//!   memory, which it allocates from the RAM left over (it keeps its own heap and the
//!   domains away from the module ranges, which it learns from the DTB, until they are
//!   freed at the end of boot).
//! - The DTB last, 2 MiB aligned (Xen maps it through a 2 MiB window and accepts at most
//!   2 MiB of it).
//!
//! A user's DTB is patched as for Linux (memory, /chosen) and, when the board answers
//! PSCI calls, gets a `/psci` node if it has none: Xen on a vexpress powers the board off
//! only through PSCI SYSTEM_OFF, and Debian's vexpress DTB has no such node.
//!
//! The same addresses work under QEMU (`-M vexpress-a15,virtualization=on`), which puts
//! a `-kernel` at RAM base + 64 KiB and its DTB at RAM base + 128 MiB: the modules sit
//! between the two for any set of Debian-sized images (see test-roms' Xen harness).

use crate::fdt::{self, BootModule, DeviceTree, FdtError, ModuleKind, XenDomain};
use crate::linux::{self, align_up, le32, KernelFormat};
use crate::{Machine, MachineError};

/// Where Xen goes: RAM base + 2 MiB.
pub const XEN_OFFSET: u64 = 2 << 20;
/// Alignment of every module and of the DTB.
pub const MODULE_ALIGN: u64 = 2 << 20;
/// Xen refuses device trees larger than this (MAX_FDT_SIZE).
pub const MAX_DTB: u64 = 2 << 20;
/// Default memory of a domU.
pub const DEFAULT_DOMU_MEM: u64 = 128 << 20;
/// Smallest domU memory accepted (a Linux guest needs more, but Xen decides).
pub const MIN_DOMU_MEM: u64 = 4 << 20;
/// The largest image header end Xen plausibly has (its BSS included).
const MAX_XEN_SIZE: u64 = 64 << 20;

const ZIMAGE_MAGIC: u32 = 0x016f_2818;

/// A guest kernel with its ramdisk and command line.
#[derive(Clone, Debug, Default)]
pub struct Guest {
    pub kernel: Vec<u8>,
    pub initrd: Option<Vec<u8>>,
    pub cmdline: String,
}

/// A dom0less guest.
#[derive(Clone, Debug)]
pub struct DomU {
    pub guest: Guest,
    /// Memory in bytes (a multiple of 1 KiB; the DT property is in KiB).
    pub mem: u64,
    /// Virtual CPUs.
    pub cpus: u32,
}

/// What to boot.
#[derive(Clone, Debug, Default)]
pub struct XenBoot {
    /// The hypervisor image (Debian's /boot/xen-4.17-armhf).
    pub xen: Vec<u8>,
    /// A DTB to patch; `None` generates one describing the board.
    pub dtb: Option<Vec<u8>>,
    /// Xen's command line (/chosen/xen,xen-bootargs and /chosen/bootargs).
    pub cmdline: String,
    pub dom0: Option<Guest>,
    pub domus: Vec<DomU>,
}

/// Where one guest's modules went (start, end exclusive).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuestLayout {
    pub kernel: (u64, u64),
    pub initrd: Option<(u64, u64)>,
}

/// Where everything went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XenLayout {
    /// Xen's range including its BSS.
    pub xen: (u64, u64),
    pub entry: u32,
    pub dom0: Option<GuestLayout>,
    pub domus: Vec<GuestLayout>,
    pub dtb: (u64, u64),
    pub dtb_generated: bool,
}

impl std::fmt::Display for XenLayout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Xen at {:#x}-{:#x}", self.xen.0, self.xen.1)?;
        let guest = |f: &mut std::fmt::Formatter<'_>, name: &str, g: &GuestLayout| {
            write!(f, "; {name} kernel at {:#x}-{:#x}", g.kernel.0, g.kernel.1)?;
            if let Some((s, e)) = g.initrd {
                write!(f, ", initrd at {s:#x}-{e:#x}")?;
            }
            Ok(())
        };
        if let Some(d) = &self.dom0 {
            guest(f, "dom0", d)?;
        }
        for (i, d) in self.domus.iter().enumerate() {
            guest(f, &format!("domU{}", i + 1), d)?;
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

/// Why a Xen boot could not be set up.
#[derive(Debug)]
pub enum XenError {
    /// The hypervisor image is not a 32-bit Arm Xen (zImage-format) image.
    NotXen(String),
    /// Xen runs in Hyp mode only.
    NoVirtualization,
    /// A guest kernel Xen cannot boot (`who` is "dom0" or "domU<n>").
    Guest {
        who: String,
        reason: String,
    },
    /// A domU's memory size is unusable.
    DomUMem {
        who: String,
        mem: u64,
    },
    Dtb(FdtError),
    /// `what` (`size` bytes) does not fit where the layout puts it.
    DoesNotFit {
        what: String,
        size: u64,
        at: u64,
        limit: u64,
    },
}

impl std::fmt::Display for XenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            XenError::NotXen(why) => write!(f, "not a Xen hypervisor image: {why}"),
            XenError::NoVirtualization => write!(
                f,
                "Xen runs in Hyp mode: it needs the Virtualization Extensions (--virtualization on)"
            ),
            XenError::Guest { who, reason } => write!(f, "{who} kernel: {reason}"),
            XenError::DomUMem { who, mem } => write!(
                f,
                "{who}: memory of {mem} bytes is unusable (at least {} MiB, a multiple of 1 KiB)",
                MIN_DOMU_MEM >> 20
            ),
            XenError::Dtb(e) => write!(f, "device tree: {e}"),
            XenError::DoesNotFit {
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

impl std::error::Error for XenError {}

impl From<FdtError> for XenError {
    fn from(e: FdtError) -> Self {
        XenError::Dtb(e)
    }
}

/// Checks a Xen image: the zImage header (magic at 0x24, start and end addresses at
/// 0x28/0x2c) and a string only the hypervisor carries (a Linux zImage is compressed, so
/// its text is not visible). Returns the memory Xen occupies from its load address: the
/// header's end - start (image plus BSS), at least the file's length.
pub fn xen_image_size(image: &[u8]) -> Result<u64, XenError> {
    let bad = |m: &str| Err(XenError::NotXen(m.into()));
    if le32(image, 0x24) != Some(ZIMAGE_MAGIC) {
        return bad("no zImage header (Xen for 32-bit Arm is a zImage-format image)");
    }
    let (Some(start), Some(end)) = (le32(image, 0x28), le32(image, 0x2c)) else {
        return bad("zImage header is truncated");
    };
    if end <= start {
        return bad("zImage header's end address precedes its start address");
    }
    let size = ((end - start) as u64).max(image.len() as u64);
    if size > MAX_XEN_SIZE {
        return bad(&format!("zImage header says {size} bytes"));
    }
    if !image
        .windows(b"multiboot,module".len())
        .any(|w| w == b"multiboot,module")
    {
        return bad(
            "a zImage without Xen's boot module support (a Linux kernel? give it to --dom0)",
        );
    }
    Ok(size)
}

/// A guest kernel must be a format Xen 4.17 loads for 32-bit guests: a zImage or a
/// legacy u-boot uImage.
fn check_guest_kernel(who: &str, kernel: &[u8]) -> Result<(), XenError> {
    match linux::detect(kernel) {
        Some(KernelFormat::ZImage) | Some(KernelFormat::UImage) => Ok(()),
        Some(KernelFormat::Vmlinux) => Err(XenError::Guest {
            who: who.into(),
            reason: "Xen boots zImage or uImage guest kernels, not an ELF vmlinux".into(),
        }),
        None => Err(XenError::Guest {
            who: who.into(),
            reason: "not a Linux zImage or uImage".into(),
        }),
    }
}

/// Places blobs one after another from a start address, each aligned.
struct Placer<'a> {
    m: &'a mut Machine,
    next: u64,
    ram_end: u64,
}

impl Placer<'_> {
    fn place(&mut self, what: &str, data: &[u8]) -> Result<(u64, u64), XenError> {
        let at = align_up(self.next, MODULE_ALIGN);
        let len = data.len() as u64;
        let dst = self
            .m
            .cpu
            .ram
            .slice_mut(at, data.len())
            .ok_or_else(|| XenError::DoesNotFit {
                what: what.into(),
                size: len,
                at,
                limit: self.ram_end,
            })?;
        dst.copy_from_slice(data);
        self.next = at + len;
        Ok((at, at + len))
    }

    fn guest(&mut self, who: &str, g: &Guest) -> Result<GuestLayout, XenError> {
        let kernel = self.place(&format!("{who} kernel"), &g.kernel)?;
        let initrd = match &g.initrd {
            Some(d) => Some(self.place(&format!("{who} initrd"), d)?),
            None => None,
        };
        Ok(GuestLayout { kernel, initrd })
    }
}

fn modules(g: &Guest, l: &GuestLayout) -> Vec<BootModule> {
    let mut v = vec![BootModule {
        kind: ModuleKind::Kernel,
        addr: l.kernel.0,
        size: l.kernel.1 - l.kernel.0,
        bootargs: Some(g.cmdline.clone()),
    }];
    if let Some((s, e)) = l.initrd {
        v.push(BootModule {
            kind: ModuleKind::Ramdisk,
            addr: s,
            size: e - s,
            bootargs: None,
        });
    }
    v
}

impl Machine {
    /// Loads Xen, places the dom0 and domU modules, writes their nodes into the device
    /// tree (generated, or the user's patched) and sets the core up at Xen's entry in
    /// Hyp mode with r2 = the DTB, as for a Linux kernel.
    pub fn load_xen(&mut self, boot: &XenBoot) -> Result<XenLayout, MachineError> {
        self.load_xen_inner(boot).map_err(MachineError::Xen)
    }

    fn load_xen_inner(&mut self, boot: &XenBoot) -> Result<XenLayout, XenError> {
        if !self.cfg.virtualization {
            return Err(XenError::NoVirtualization);
        }
        let xen_size = xen_image_size(&boot.xen)?;
        if let Some(g) = &boot.dom0 {
            check_guest_kernel("dom0", &g.kernel)?;
        }
        for (i, d) in boot.domus.iter().enumerate() {
            let who = format!("domU{}", i + 1);
            check_guest_kernel(&who, &d.guest.kernel)?;
            if d.mem < MIN_DOMU_MEM || d.mem % 1024 != 0 {
                return Err(XenError::DomUMem { who, mem: d.mem });
            }
        }
        let base = self.cpu.ram.base();
        let size = self.cpu.ram.size();
        let ram_end = base + size;
        let domu_total: u64 = boot.domus.iter().map(|d| d.mem).sum();
        if domu_total >= size {
            return Err(XenError::DoesNotFit {
                what: "the domUs' memory".into(),
                size: domu_total,
                at: base,
                limit: ram_end,
            });
        }

        // Xen itself, BSS zeroed.
        let xen_at = base + XEN_OFFSET;
        let dst = self
            .cpu
            .ram
            .slice_mut(xen_at, xen_size as usize)
            .ok_or_else(|| XenError::DoesNotFit {
                what: "Xen".into(),
                size: xen_size,
                at: xen_at,
                limit: ram_end,
            })?;
        dst[..boot.xen.len()].copy_from_slice(&boot.xen);
        dst[boot.xen.len()..].fill(0);
        let xen = (xen_at, xen_at + xen_size);

        let mut p = Placer {
            m: self,
            next: xen.1,
            ram_end,
        };
        let dom0 = match &boot.dom0 {
            Some(g) => Some(p.guest("dom0", g)?),
            None => None,
        };
        let mut domus = Vec::new();
        for (i, d) in boot.domus.iter().enumerate() {
            domus.push(p.guest(&format!("domU{}", i + 1), &d.guest)?);
        }
        let dtb_at = align_up(p.next, MODULE_ALIGN);

        let mut tree = match &boot.dtb {
            Some(user) => {
                let mut t = DeviceTree::parse(user)?;
                t.patch_for_boot((base, size), &boot.cmdline, None)?;
                if self.cfg.psci && t.add_psci_if_absent() {
                    tracing::info!(target: "boot",
                        "added a PSCI node to the device tree (Xen powers off through PSCI)");
                }
                t
            }
            None => DeviceTree::parse(&fdt::generate(&fdt::GenerateOptions {
                ram: (base, size),
                cmdline: boot.cmdline.clone(),
                initrd: None,
                psci: self.cfg.psci,
            })?)?,
        };
        let dom0_modules = match (&boot.dom0, &dom0) {
            (Some(g), Some(l)) => modules(g, l),
            _ => Vec::new(),
        };
        let domains: Vec<XenDomain> = boot
            .domus
            .iter()
            .zip(&domus)
            .enumerate()
            .map(|(i, (d, l))| XenDomain {
                name: format!("domU{}", i + 1),
                mem_kib: d.mem / 1024,
                cpus: d.cpus,
                vpl011: true,
                modules: modules(&d.guest, l),
            })
            .collect();
        tree.add_xen_chosen(
            &boot.cmdline,
            boot.dom0.as_ref().map(|g| g.cmdline.as_str()),
            &dom0_modules,
            &domains,
        )?;
        let blob = tree.to_blob()?;
        let dtb_len = blob.len() as u64;
        if dtb_len > MAX_DTB {
            return Err(XenError::DoesNotFit {
                what: "device tree".into(),
                size: dtb_len,
                at: dtb_at,
                limit: dtb_at + MAX_DTB,
            });
        }
        let dst =
            self.cpu
                .ram
                .slice_mut(dtb_at, blob.len())
                .ok_or_else(|| XenError::DoesNotFit {
                    what: "device tree".into(),
                    size: dtb_len,
                    at: dtb_at,
                    limit: ram_end,
                })?;
        dst.copy_from_slice(&blob);

        self.enter_kernel(xen_at as u32, dtb_at as u32);
        let layout = XenLayout {
            xen,
            entry: xen_at as u32,
            dom0,
            domus,
            dtb: (dtb_at, dtb_at + dtb_len),
            dtb_generated: boot.dtb.is_none(),
        };
        tracing::info!(target: "boot", "{layout}");
        Ok(layout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MachineConfig, RAM_BASE};
    use emu_core::Mode;

    fn machine(mem_mib: u64) -> Machine {
        Machine::new(MachineConfig {
            ram_size: mem_mib << 20,
            ..MachineConfig::default()
        })
        .unwrap()
    }

    /// A fake Xen: zImage header with end = `mem` (BSS beyond the file) and the
    /// hypervisor's module string.
    fn fake_xen(len: usize, mem: u32) -> Vec<u8> {
        let mut z = vec![0u8; len];
        z[0..4].copy_from_slice(&0xeafffffeu32.to_le_bytes());
        z[0x24..0x28].copy_from_slice(&ZIMAGE_MAGIC.to_le_bytes());
        z[0x2c..0x30].copy_from_slice(&mem.to_le_bytes());
        z[0x100..0x110].copy_from_slice(b"multiboot,module");
        z[len - 1] = 0x5a;
        z
    }

    fn zimage(len: usize, fill: u8) -> Vec<u8> {
        let mut z = vec![fill; len];
        z[0x24..0x28].copy_from_slice(&ZIMAGE_MAGIC.to_le_bytes());
        z[0x28..0x2c].copy_from_slice(&0u32.to_le_bytes());
        z[0x2c..0x30].copy_from_slice(&(len as u32).to_le_bytes());
        z
    }

    fn guest(klen: usize, fill: u8, initrd: Option<usize>, cmd: &str) -> Guest {
        Guest {
            kernel: zimage(klen, fill),
            initrd: initrd.map(|n| vec![fill ^ 0xff; n]),
            cmdline: cmd.into(),
        }
    }

    fn boot() -> XenBoot {
        XenBoot {
            xen: fake_xen(0x3000, 0x1_8000),
            dtb: None,
            cmdline: "console=dtuart dom0_mem=256M".into(),
            dom0: Some(guest(0x5000, 0x11, Some(0x2345), "console=hvc0")),
            domus: vec![
                DomU {
                    guest: guest(0x4000, 0x22, Some(0x1000), "console=ttyAMA0 one"),
                    mem: 128 << 20,
                    cpus: 1,
                },
                DomU {
                    guest: guest(0x4800, 0x33, None, "console=ttyAMA0 two"),
                    mem: 96 << 20,
                    cpus: 1,
                },
            ],
        }
    }

    #[test]
    fn layout_is_aligned_and_disjoint_and_the_bytes_are_there() {
        let mut m = machine(1024);
        let b = boot();
        let l = m.load_xen(&b).unwrap();
        assert_eq!(
            l.xen,
            (RAM_BASE + XEN_OFFSET, RAM_BASE + XEN_OFFSET + 0x1_8000)
        );
        assert_eq!(l.entry as u64, RAM_BASE + XEN_OFFSET);
        let d0 = l.dom0.clone().unwrap();
        let mut ranges = vec![l.xen, d0.kernel, d0.initrd.unwrap()];
        for d in &l.domus {
            ranges.push(d.kernel);
            ranges.extend(d.initrd);
        }
        ranges.push(l.dtb);
        assert_eq!(ranges.len(), 7);
        for w in ranges.windows(2) {
            assert!(w[0].1 <= w[1].0, "overlap or out of order: {ranges:x?}");
            assert_eq!(w[1].0 % MODULE_ALIGN, 0, "{:#x}", w[1].0);
        }
        assert_eq!(d0.kernel.0, RAM_BASE + (4 << 20));
        assert_eq!(d0.kernel.1 - d0.kernel.0, 0x5000);
        assert_eq!(d0.initrd.unwrap().1 - d0.initrd.unwrap().0, 0x2345);
        assert_eq!(l.domus[1].initrd, None);
        // Bytes: Xen's last file byte, its BSS zeroed, the modules' contents.
        let ram = &m.cpu.ram;
        assert_eq!(ram.slice(l.xen.0 + 0x2fff, 1).unwrap(), [0x5a]);
        assert!(ram
            .slice(l.xen.0 + 0x3000, 0x1_5000)
            .unwrap()
            .iter()
            .all(|&b| b == 0));
        assert_eq!(
            ram.slice(d0.kernel.0, 0x5000).unwrap(),
            &b.dom0.as_ref().unwrap().kernel[..]
        );
        assert!(ram
            .slice(l.domus[0].initrd.unwrap().0, 0x1000)
            .unwrap()
            .iter()
            .all(|&b| b == 0x22 ^ 0xff));
        assert_eq!(ram.slice(l.domus[1].kernel.0 + 0x100, 1).unwrap(), [0x33]);
        // Entry state: Hyp mode, r2 = DTB.
        assert_eq!(m.cpu.s.mode(), Mode::Hyp);
        assert_eq!(m.cpu.s.regs[15], l.entry);
        assert_eq!(m.cpu.s.regs[2] as u64, l.dtb.0);
    }

    /// Reads the DTB back with the independent `fdt` crate.
    #[test]
    fn dtb_has_the_chosen_module_and_domu_nodes() {
        let mut m = machine(1024);
        let l = m.load_xen(&boot()).unwrap();
        let blob = m
            .cpu
            .ram
            .slice(l.dtb.0, (l.dtb.1 - l.dtb.0) as usize)
            .unwrap()
            .to_vec();
        let f = ::fdt::Fdt::new(&blob).unwrap();
        let chosen = f.find_node("/chosen").unwrap();
        fn s<'a>(n: &::fdt::node::FdtNode<'_, 'a>, p: &str) -> Option<&'a str> {
            n.property(p).and_then(|p| p.as_str())
        }
        assert_eq!(
            s(&chosen, "xen,xen-bootargs"),
            Some("console=dtuart dom0_mem=256M")
        );
        assert_eq!(s(&chosen, "bootargs"), Some("console=dtuart dom0_mem=256M"));
        assert_eq!(s(&chosen, "xen,dom0-bootargs"), Some("console=hvc0"));
        let d0 = l.dom0.unwrap();
        let k = f
            .find_node(&format!("/chosen/module@{:x}", d0.kernel.0))
            .unwrap();
        assert_eq!(
            k.compatible().unwrap().all().collect::<Vec<_>>(),
            ["multiboot,kernel", "multiboot,module"]
        );
        let reg: Vec<_> = k.reg().unwrap().collect();
        assert_eq!(reg[0].starting_address as u64, d0.kernel.0);
        assert_eq!(reg[0].size, Some(0x5000));
        assert_eq!(s(&k, "bootargs"), Some("console=hvc0"));
        let r = f
            .find_node(&format!("/chosen/module@{:x}", d0.initrd.unwrap().0))
            .unwrap();
        assert_eq!(
            r.compatible().unwrap().all().collect::<Vec<_>>(),
            ["multiboot,ramdisk", "multiboot,module"]
        );
        assert_eq!(r.reg().unwrap().next().unwrap().size, Some(0x2345));

        for (i, (mem_kib, args)) in [
            (128 << 10, "console=ttyAMA0 one"),
            (96 << 10, "console=ttyAMA0 two"),
        ]
        .into_iter()
        .enumerate()
        {
            let d = f.find_node(&format!("/chosen/domU{}", i + 1)).unwrap();
            assert_eq!(d.compatible().unwrap().first(), "xen,domain");
            assert_eq!(
                d.property("memory").unwrap().value,
                &(mem_kib as u64).to_be_bytes()
            );
            assert_eq!(d.property("cpus").unwrap().as_usize(), Some(1));
            assert!(d.property("vpl011").is_some());
            assert_eq!(d.property("#address-cells").unwrap().as_usize(), Some(2));
            assert_eq!(d.property("#size-cells").unwrap().as_usize(), Some(2));
            let gl = &l.domus[i];
            let k = f
                .find_node(&format!("/chosen/domU{}/module@{:x}", i + 1, gl.kernel.0))
                .unwrap();
            assert_eq!(k.compatible().unwrap().first(), "multiboot,kernel");
            assert_eq!(s(&k, "bootargs"), Some(args));
            let reg: Vec<_> = k.reg().unwrap().collect();
            assert_eq!(reg[0].starting_address as u64, gl.kernel.0);
            assert_eq!(reg[0].size, Some((gl.kernel.1 - gl.kernel.0) as usize));
            let kids = d.children().count();
            assert_eq!(kids, if i == 0 { 2 } else { 1 });
        }
        assert!(f.find_node("/chosen/domU3").is_none());
        assert!(chosen.property("linux,initrd-start").is_none());
    }

    #[test]
    fn a_user_dtb_loses_its_stale_modules_and_keeps_the_rest() {
        let mut m = machine(1024);
        // A tree that already has a dom0 module, a domain and an initrd.
        let mut t = DeviceTree::parse(
            &fdt::generate(&fdt::GenerateOptions {
                ram: (RAM_BASE, 256 << 20),
                cmdline: "old".into(),
                initrd: Some((0x8800_0000, 0x8800_1000)),
                psci: true,
            })
            .unwrap(),
        )
        .unwrap();
        t.add_xen_chosen(
            "old xen",
            Some("old dom0"),
            &[BootModule {
                kind: ModuleKind::Kernel,
                addr: 0x9000_0000,
                size: 0x1000,
                bootargs: None,
            }],
            &[XenDomain {
                name: "domU7".into(),
                mem_kib: 1024,
                cpus: 1,
                vpl011: false,
                modules: vec![],
            }],
        )
        .unwrap();
        let mut b = boot();
        b.dtb = Some(t.to_blob().unwrap());
        b.domus.truncate(1);
        let l = m.load_xen(&b).unwrap();
        assert!(!l.dtb_generated);
        let blob = m
            .cpu
            .ram
            .slice(l.dtb.0, (l.dtb.1 - l.dtb.0) as usize)
            .unwrap();
        let back = DeviceTree::parse(blob).unwrap();
        let chosen = back.root.find("chosen").unwrap();
        let names: Vec<&str> = chosen.children.iter().map(|c| c.name.as_str()).collect();
        let d0 = l.dom0.unwrap();
        assert_eq!(
            names,
            [
                format!("module@{:x}", d0.kernel.0),
                format!("module@{:x}", d0.initrd.unwrap().0),
                "domU1".into()
            ]
        );
        assert_eq!(chosen.str_prop("xen,dom0-bootargs"), Some("console=hvc0"));
        assert!(chosen.prop("linux,initrd-start").is_none());
        assert_eq!(chosen.str_prop("stdout-path"), Some("serial0:115200n8"));
        let mem = back.root.find("memory@80000000").unwrap();
        assert_eq!(
            mem.prop("reg").unwrap(),
            [0u32, 0x8000_0000, 0, 0x4000_0000]
                .iter()
                .flat_map(|c| c.to_be_bytes())
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_user_dtb_without_psci_gets_a_psci_node_when_the_board_answers_psci() {
        let plain = fdt::generate(&fdt::GenerateOptions {
            ram: (RAM_BASE, 256 << 20),
            cmdline: String::new(),
            initrd: None,
            psci: false,
        })
        .unwrap();
        for psci in [true, false] {
            let mut m = Machine::new(MachineConfig {
                ram_size: 1 << 30,
                psci,
                ..MachineConfig::default()
            })
            .unwrap();
            let mut b = boot();
            b.dtb = Some(plain.clone());
            let l = m.load_xen(&b).unwrap();
            let blob = m
                .cpu
                .ram
                .slice(l.dtb.0, (l.dtb.1 - l.dtb.0) as usize)
                .unwrap();
            let t = DeviceTree::parse(blob).unwrap();
            let node = t.root.find("psci");
            assert_eq!(node.is_some(), psci);
            if let Some(n) = node {
                assert_eq!(n.str_prop("compatible"), Some("arm,psci-0.2"));
                assert_eq!(n.str_prop("method"), Some("smc"));
            }
        }
    }

    #[test]
    fn errors_are_clear() {
        let mut m = machine(1024);
        let e = |m: &mut Machine, b: &XenBoot| m.load_xen(b).unwrap_err().to_string();
        let mut b = boot();
        b.xen = zimage(0x4000, 0);
        assert!(
            e(&mut m, &b).contains("not a Xen hypervisor image"),
            "{}",
            e(&mut m, &b)
        );
        b.xen = vec![0; 0x100];
        assert!(e(&mut m, &b).contains("no zImage header"));
        let mut b = boot();
        b.dom0.as_mut().unwrap().kernel = vec![1, 2, 3];
        assert_eq!(e(&mut m, &b), "dom0 kernel: not a Linux zImage or uImage");
        let mut b = boot();
        b.domus[1].mem = 1000;
        assert!(e(&mut m, &b).starts_with("domU2: memory of 1000 bytes"));
        let mut b = boot();
        b.domus[0].guest.initrd = Some(vec![0; 1100 << 20]);
        let mut small = machine(1024);
        assert!(
            e(&mut small, &b).contains("domU1 initrd of"),
            "{}",
            e(&mut small, &b)
        );
        let mut b = boot();
        b.domus[0].mem = 1 << 30;
        assert!(e(&mut m, &b).contains("the domUs' memory"));
        let mut nv = Machine::new(MachineConfig {
            virtualization: false,
            ..MachineConfig::default()
        })
        .unwrap();
        assert!(e(&mut nv, &boot()).contains("Virtualization Extensions"));
    }

    #[test]
    fn debians_xen_image_is_recognised() {
        let Some(home) = std::env::var_os("HOME") else {
            return;
        };
        let cache = std::path::Path::new(&home).join(".cache/a15emu");
        let (Ok(x), Ok(k)) = (
            std::fs::read(cache.join("xen-4.17-armhf")),
            std::fs::read(cache.join("vmlinuz")),
        ) else {
            eprintln!("skipping: Xen or the kernel is absent (scripts/fetch-images.sh)");
            return;
        };
        let size = xen_image_size(&x).unwrap();
        assert!(size > x.len() as u64, "Xen's header end covers its BSS");
        assert!(matches!(xen_image_size(&k), Err(XenError::NotXen(_))));
    }
}
