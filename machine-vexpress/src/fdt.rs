//! Flattened device trees: reading a user's DTB into a tree, patching it for the board
//! (memory, /chosen), and generating one that describes exactly what a15emu models.
//!
//! Blobs are written with the `vm-fdt` crate. Reading uses the small parser below rather
//! than a crate: the DTB is user input, and the readers on crates.io that were checked
//! (`fdt` 0.1) unwrap and assert on malformed structure blocks, while a bad `--dtb` must
//! be one error line, never a panic. (The tests cross-check with the `fdt` crate on
//! well-formed blobs.) The format is the Devicetree Specification v0.4, chapter 5.

use vm_fdt::{FdtReserveEntry, FdtWriter};

const FDT_MAGIC: u32 = 0xd00d_feed;
const FDT_BEGIN_NODE: u32 = 1;
const FDT_END_NODE: u32 = 2;
const FDT_PROP: u32 = 3;
const FDT_NOP: u32 = 4;
const FDT_END: u32 = 9;
/// Deepest nesting accepted (Linux's and vm-fdt's limit).
const MAX_DEPTH: usize = 64;

/// A malformed or unusable device tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FdtError(pub String);

impl std::fmt::Display for FdtError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FdtError {}

fn err<T>(msg: impl Into<String>) -> Result<T, FdtError> {
    Err(FdtError(msg.into()))
}

impl From<vm_fdt::Error> for FdtError {
    fn from(e: vm_fdt::Error) -> Self {
        FdtError(format!("cannot write device tree: {e}"))
    }
}

/// A property: name and raw (big-endian) value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prop {
    pub name: String,
    pub value: Vec<u8>,
}

/// A node: its name with unit address ("" for the root), properties in blob order, then
/// children in blob order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Node {
    pub name: String,
    pub props: Vec<Prop>,
    pub children: Vec<Node>,
}

impl Node {
    pub fn new(name: &str) -> Node {
        Node {
            name: name.into(),
            ..Node::default()
        }
    }

    pub fn prop(&self, name: &str) -> Option<&[u8]> {
        self.props
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.value.as_slice())
    }

    /// Sets (replacing in place, or appending) a property.
    pub fn set(&mut self, name: &str, value: Vec<u8>) {
        match self.props.iter_mut().find(|p| p.name == name) {
            Some(p) => p.value = value,
            None => self.props.push(Prop {
                name: name.into(),
                value,
            }),
        }
    }

    pub fn remove(&mut self, name: &str) {
        self.props.retain(|p| p.name != name);
    }

    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn child_mut(&mut self, name: &str) -> Option<&mut Node> {
        self.children.iter_mut().find(|c| c.name == name)
    }

    /// A property as one u32 cell.
    pub fn u32_prop(&self, name: &str) -> Option<u32> {
        let v = self.prop(name)?;
        Some(u32::from_be_bytes(v.try_into().ok()?))
    }

    /// A string property (first string of a list).
    pub fn str_prop(&self, name: &str) -> Option<&str> {
        let v = self.prop(name)?;
        let end = v.iter().position(|&b| b == 0).unwrap_or(v.len());
        std::str::from_utf8(&v[..end]).ok()
    }

    /// Node at a '/'-separated path relative to this one ("" or "/" is this node).
    pub fn find(&self, path: &str) -> Option<&Node> {
        path.split('/')
            .filter(|s| !s.is_empty())
            .try_fold(self, |n, part| n.child(part))
    }

    // Builder helpers for the generated tree.
    fn p_str(mut self, name: &str, s: &str) -> Node {
        let mut v = s.as_bytes().to_vec();
        v.push(0);
        self.set(name, v);
        self
    }
    fn p_strs(mut self, name: &str, list: &[&str]) -> Node {
        let mut v = Vec::new();
        for s in list {
            v.extend_from_slice(s.as_bytes());
            v.push(0);
        }
        self.set(name, v);
        self
    }
    fn p_cells(mut self, name: &str, cells: &[u32]) -> Node {
        self.set(name, cells_bytes(cells));
        self
    }
    fn p_empty(mut self, name: &str) -> Node {
        self.set(name, Vec::new());
        self
    }
    fn kid(mut self, child: Node) -> Node {
        self.children.push(child);
        self
    }
}

fn cells_bytes(cells: &[u32]) -> Vec<u8> {
    cells.iter().flat_map(|c| c.to_be_bytes()).collect()
}

/// A number as `n` cells (1 or 2; the high cells first).
fn number_cells(v: u64, n: u32) -> Vec<u32> {
    match n {
        1 => vec![v as u32],
        _ => {
            let mut c = vec![0; n as usize - 2];
            c.push((v >> 32) as u32);
            c.push(v as u32);
            c
        }
    }
}

/// A whole device tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceTree {
    /// The memory reservation block: (address, size).
    pub reserved: Vec<(u64, u64)>,
    pub boot_cpuid_phys: u32,
    pub root: Node,
}

struct Reader<'a> {
    data: &'a [u8],
}

impl Reader<'_> {
    fn u32_at(&self, off: usize) -> Result<u32, FdtError> {
        off.checked_add(4)
            .and_then(|end| self.data.get(off..end))
            .map(|b| u32::from_be_bytes(b.try_into().unwrap_or([0; 4])))
            .ok_or_else(|| FdtError("device tree is truncated".into()))
    }
    fn u64_at(&self, off: usize) -> Result<u64, FdtError> {
        Ok((self.u32_at(off)? as u64) << 32 | self.u32_at(off.wrapping_add(4))? as u64)
    }
}

fn cstr_at(data: &[u8], off: usize) -> Result<&str, FdtError> {
    let tail = data
        .get(off..)
        .ok_or_else(|| FdtError("device tree string offset out of range".into()))?;
    let end = tail
        .iter()
        .position(|&b| b == 0)
        .ok_or_else(|| FdtError("device tree string is not terminated".into()))?;
    std::str::from_utf8(&tail[..end]).map_err(|_| FdtError("device tree name is not UTF-8".into()))
}

impl DeviceTree {
    /// Parses a DTB (version 16 or later), checking every offset.
    pub fn parse(blob: &[u8]) -> Result<DeviceTree, FdtError> {
        let r = Reader { data: blob };
        if blob.len() < 40 {
            return err("device tree is too short for its header");
        }
        if r.u32_at(0)? != FDT_MAGIC {
            return err("not a device tree blob (bad magic)");
        }
        let total = r.u32_at(4)? as usize;
        if total > blob.len() || total < 40 {
            return err(format!(
                "device tree header says {total} bytes but the file has {}",
                blob.len()
            ));
        }
        let blob = &blob[..total];
        let r = Reader { data: blob };
        let off_struct = r.u32_at(8)? as usize;
        let off_strings = r.u32_at(12)? as usize;
        let off_rsv = r.u32_at(16)? as usize;
        let version = r.u32_at(20)?;
        let last_comp = r.u32_at(24)?;
        let boot_cpuid_phys = r.u32_at(28)?;
        let size_strings = r.u32_at(32)? as usize;
        let size_struct = r.u32_at(36)? as usize;
        if version < 16 || last_comp > 17 {
            return err(format!(
                "unsupported device tree version {version} (compatible with {last_comp})"
            ));
        }
        let strings = off_strings
            .checked_add(size_strings)
            .and_then(|end| blob.get(off_strings..end))
            .ok_or_else(|| FdtError("device tree strings block out of range".into()))?;
        let structs = off_struct
            .checked_add(size_struct)
            .and_then(|end| blob.get(off_struct..end))
            .ok_or_else(|| FdtError("device tree structure block out of range".into()))?;

        let mut reserved = Vec::new();
        let mut off = off_rsv;
        loop {
            let (addr, size) = (r.u64_at(off)?, r.u64_at(off.wrapping_add(8))?);
            if addr == 0 && size == 0 {
                break;
            }
            reserved.push((addr, size));
            off = off.wrapping_add(16);
        }

        let s = Reader { data: structs };
        let mut pos = 0usize;
        // The stack of open nodes; the finished root lands in `root`.
        let mut stack: Vec<Node> = Vec::new();
        let mut root = None;
        loop {
            let tok = s.u32_at(pos)?;
            pos += 4;
            match tok {
                FDT_BEGIN_NODE => {
                    if root.is_some() {
                        return err("device tree has more than one root node");
                    }
                    if stack.len() >= MAX_DEPTH {
                        return err("device tree nests too deeply");
                    }
                    let name = cstr_at(structs, pos)?;
                    pos = (pos + name.len() + 1 + 3) & !3;
                    stack.push(Node::new(name));
                }
                FDT_END_NODE => {
                    let n = stack
                        .pop()
                        .ok_or_else(|| FdtError("device tree has an unmatched end".into()))?;
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(n),
                        None => root = Some(n),
                    }
                }
                FDT_PROP => {
                    let len = s.u32_at(pos)? as usize;
                    let nameoff = s.u32_at(pos + 4)? as usize;
                    pos += 8;
                    let value = pos
                        .checked_add(len)
                        .and_then(|end| structs.get(pos..end))
                        .ok_or_else(|| FdtError("device tree property runs past the end".into()))?
                        .to_vec();
                    pos = (pos + len + 3) & !3;
                    let name = cstr_at(strings, nameoff)?.to_string();
                    let node = stack
                        .last_mut()
                        .ok_or_else(|| FdtError("device tree property outside a node".into()))?;
                    if !node.children.is_empty() {
                        return err(format!(
                            "device tree property {name} of node {} follows its subnodes",
                            node.name
                        ));
                    }
                    node.props.push(Prop { name, value });
                }
                FDT_NOP => {}
                FDT_END => break,
                t => return err(format!("device tree has a bad token {t:#x}")),
            }
        }
        if !stack.is_empty() {
            return err("device tree ends inside a node");
        }
        let root = root.ok_or_else(|| FdtError("device tree has no root node".into()))?;
        Ok(DeviceTree {
            reserved,
            boot_cpuid_phys,
            root,
        })
    }

    /// Writes the tree as a DTB (version 17).
    pub fn to_blob(&self) -> Result<Vec<u8>, FdtError> {
        let rsv = self
            .reserved
            .iter()
            .map(|&(a, s)| FdtReserveEntry::new(a, s))
            .collect::<Result<Vec<_>, _>>()?;
        let mut w = FdtWriter::new_with_mem_reserv(&rsv)?;
        w.set_boot_cpuid_phys(self.boot_cpuid_phys);
        write_node(&mut w, &self.root)?;
        Ok(w.finish()?)
    }

    /// `#address-cells` / `#size-cells` of the root (defaults 2 and 1, Devicetree
    /// Specification 2.3.5).
    pub fn root_cells(&self) -> (u32, u32) {
        let a = self.root.u32_prop("#address-cells").unwrap_or(2);
        let s = self.root.u32_prop("#size-cells").unwrap_or(1);
        (a, s)
    }

    /// Points the tree at this board's RAM and boot arguments, the way a boot loader
    /// does (QEMU's arm_load_dtb is the model):
    /// - every `device_type = "memory"` node under the root is replaced by one
    ///   `memory@<base>` node (in the first one's place) covering `ram`;
    /// - `/chosen/bootargs` becomes `cmdline` when it is non-empty (an empty command line
    ///   keeps the DTB's own, as QEMU does);
    /// - `linux,initrd-start/end` describe `initrd` (start, end exclusive) in the root's
    ///   `#address-cells`, or are removed when there is no initrd.
    ///
    /// Every other node and property (phandles included) is kept as it was.
    pub fn patch_for_boot(
        &mut self,
        ram: (u64, u64),
        cmdline: &str,
        initrd: Option<(u64, u64)>,
    ) -> Result<(), FdtError> {
        let (ac, sc) = self.root_cells();
        if !(1..=2).contains(&ac) || !(1..=2).contains(&sc) {
            return err(format!(
                "device tree root has #address-cells {ac} / #size-cells {sc}: only 1 or 2 are supported"
            ));
        }
        let mut mem = Node::new(&format!("memory@{:x}", ram.0)).p_str("device_type", "memory");
        let mut reg = number_cells(ram.0, ac);
        reg.extend(number_cells(ram.1, sc));
        mem = mem.p_cells("reg", &reg);
        let children = &mut self.root.children;
        let first = children
            .iter()
            .position(|c| c.str_prop("device_type") == Some("memory"));
        children.retain(|c| c.str_prop("device_type") != Some("memory"));
        let at = first.unwrap_or(children.len()).min(children.len());
        children.insert(at, mem);

        if self.root.child("chosen").is_none() {
            self.root.children.push(Node::new("chosen"));
        }
        let chosen = self.root.child_mut("chosen").expect("just added");
        if !cmdline.is_empty() {
            let mut v = cmdline.as_bytes().to_vec();
            v.push(0);
            chosen.set("bootargs", v);
        }
        match initrd {
            Some((start, end)) => {
                chosen.set("linux,initrd-start", cells_bytes(&number_cells(start, ac)));
                chosen.set("linux,initrd-end", cells_bytes(&number_cells(end, ac)));
            }
            None => {
                chosen.remove("linux,initrd-start");
                chosen.remove("linux,initrd-end");
            }
        }
        Ok(())
    }
}

fn write_node(w: &mut FdtWriter, n: &Node) -> Result<(), FdtError> {
    let h = w
        .begin_node(&n.name)
        .map_err(|e| FdtError(format!("node '{}': {e}", n.name)))?;
    for p in &n.props {
        w.property(&p.name, &p.value)
            .map_err(|e| FdtError(format!("property '{}' of node '{}': {e}", p.name, n.name)))?;
    }
    for c in &n.children {
        write_node(w, c)?;
    }
    w.end_node(h)?;
    Ok(())
}

/// What the generated tree describes beyond the fixed board.
#[derive(Clone, Debug)]
pub struct GenerateOptions {
    /// RAM (base, size).
    pub ram: (u64, u64),
    pub cmdline: String,
    /// initrd (start, end exclusive).
    pub initrd: Option<(u64, u64)>,
    /// Advertise PSCI 0.2 through SMC (only when the board answers SMC calls).
    pub psci: bool,
}

// Phandles of the generated tree.
const PH_GIC: u32 = 1;
const PH_SYSREG: u32 = 2;
const PH_REFCLK32K: u32 = 3;
const PH_REFCLK1M: u32 = 4;
const PH_SP810: u32 = 5;
const PH_APB_PCLK: u32 = 6; // dcc oscclk6: the tile's peripheral bus clock
const PH_UARTCLK: u32 = 7; // mcc oscclk2: 24 MHz

/// The motherboard's peripherals as seen from the root (the "rs1" memory map): CS3 at
/// 0x1c000000, reached through `bus@8000000` / `motherboard-bus@8000000` /
/// `iofpga-bus@300000000` exactly as in Linux's vexpress-v2m-rs1.dtsi, so device paths
/// (and /aliases) match Debian's vexpress-v2p-ca15-tc1.dtb.
pub const IOFPGA_PATH: &str = "/bus@8000000/motherboard-bus@8000000/iofpga-bus@300000000";

/// Builds the DTB for exactly what a15emu models on the vexpress-a15 board: one
/// Cortex-A15, RAM, the GIC-400 (distributor, CPU interface and its virtualization
/// frames GICH/GICV with the maintenance interrupt), the generic timer, the
/// V2M system registers with their configuration bus (oscillators, sensors, reset,
/// shutdown, reboot), the SP810, four PL011s, two SP804s and the PL031. Devices the
/// board does not model (ethernet, USB, MMC, KMI, CLCD, flash, AACI, I2C, watchdogs,
/// DMA, PMU) are left out, so Linux finds only what is
/// there. Modelled on Debian's vexpress-v2p-ca15-tc1.dtb.
pub fn generate(opts: &GenerateOptions) -> Result<Vec<u8>, FdtError> {
    use crate::board;
    let primecell = |name: &str, compat: &str, off: u64, irq: Option<u32>| {
        let mut n = Node::new(&format!("{name}@{off:x}"))
            .p_strs("compatible", &[compat, "arm,primecell"])
            .p_cells("reg", &[off as u32, 0x1000]);
        if let Some(i) = irq {
            n = n.p_cells("interrupts", &[i]);
        }
        n
    };
    let cs3 = |base: u64| base - 0x1c00_0000;

    let mut iofpga = Node::new("iofpga-bus@300000000")
        .p_str("compatible", "simple-bus")
        .p_cells("#address-cells", &[1])
        .p_cells("#size-cells", &[1])
        .p_cells("ranges", &[0, 3, 0, 0x20_0000]);
    // The sysreg MFD registers SYS_LED, SYS_MCI and SYS_FLASH as GPIO controllers and
    // looks for these nodes (it logs an error for each one missing).
    let mut sysreg = Node::new(&format!("sysreg@{:x}", cs3(board::SYSREGS_BASE)))
        .p_str("compatible", "arm,vexpress-sysreg")
        .p_cells("reg", &[cs3(board::SYSREGS_BASE) as u32, 0x1000])
        .p_cells("#address-cells", &[1])
        .p_cells("#size-cells", &[1])
        .p_cells("ranges", &[0, cs3(board::SYSREGS_BASE) as u32, 0x1000])
        .p_cells("phandle", &[PH_SYSREG]);
    for (off, what) in [(0x08, "sys_led"), (0x48, "sys_mci"), (0x4c, "sys_flash")] {
        sysreg = sysreg.kid(
            Node::new(&format!("gpio@{off:x}"))
                .p_str("compatible", &format!("arm,vexpress-sysreg,{what}"))
                .p_cells("reg", &[off, 4])
                .p_empty("gpio-controller")
                .p_cells("#gpio-cells", &[2]),
        );
    }
    iofpga = iofpga.kid(sysreg);
    iofpga = iofpga.kid(
        primecell("sysctl", "arm,sp810", cs3(board::SP810_BASE), None)
            .p_cells("clocks", &[PH_REFCLK32K, PH_REFCLK1M, PH_APB_PCLK])
            .p_strs("clock-names", &["refclk", "timclk", "apb_pclk"])
            .p_cells("#clock-cells", &[1])
            .p_strs(
                "clock-output-names",
                &["timerclken0", "timerclken1", "timerclken2", "timerclken3"],
            )
            // The SP804s count the 1 MHz TIMCLK (what the board models).
            .p_cells(
                "assigned-clocks",
                &[PH_SP810, 0, PH_SP810, 1, PH_SP810, 3, PH_SP810, 3],
            )
            .p_cells(
                "assigned-clock-parents",
                &[PH_REFCLK1M, PH_REFCLK1M, PH_REFCLK1M, PH_REFCLK1M],
            )
            .p_cells("phandle", &[PH_SP810]),
    );
    for (&base, &irq) in board::UART_BASES.iter().zip(&board::UART_SPIS) {
        iofpga = iofpga.kid(
            primecell("serial", "arm,pl011", cs3(base), Some(irq))
                .p_cells("clocks", &[PH_UARTCLK, PH_APB_PCLK])
                .p_strs("clock-names", &["uartclk", "apb_pclk"]),
        );
    }
    for (i, (&base, &irq)) in board::TIMER_BASES
        .iter()
        .zip(&board::TIMER_SPIS)
        .enumerate()
    {
        let i = i as u32;
        iofpga = iofpga.kid(
            primecell("timer", "arm,sp804", cs3(base), Some(irq))
                .p_cells(
                    "clocks",
                    &[PH_SP810, 2 * i, PH_SP810, 2 * i + 1, PH_APB_PCLK],
                )
                .p_strs("clock-names", &["timclken1", "timclken2", "apb_pclk"]),
        );
    }
    iofpga = iofpga.kid(
        primecell(
            "rtc",
            "arm,pl031",
            cs3(board::RTC_BASE),
            Some(board::RTC_SPI),
        )
        .p_cells("clocks", &[PH_APB_PCLK])
        .p_str("clock-names", "apb_pclk"),
    );
    // The motherboard configuration controller (site 0, inherited from
    // motherboard-bus): the functions devices/src/v2m_sysregs.rs implements.
    let osc = |name: &str, dev: u32, range: [u32; 2], out: &str, ph: Option<u32>| {
        let mut n = Node::new(name)
            .p_str("compatible", "arm,vexpress-osc")
            .p_cells("arm,vexpress-sysreg,func", &[1, dev])
            .p_cells("freq-range", &range)
            .p_cells("#clock-cells", &[0])
            .p_str("clock-output-names", out);
        if let Some(ph) = ph {
            n = n.p_cells("phandle", &[ph]);
        }
        n
    };
    let func = |name: &str, compat: &str, f: u32, dev: u32| {
        Node::new(name)
            .p_str("compatible", compat)
            .p_cells("arm,vexpress-sysreg,func", &[f, dev])
    };
    let mcc = Node::new("mcc")
        .p_str("compatible", "arm,vexpress,config-bus")
        .p_cells("arm,vexpress,config-bridge", &[PH_SYSREG])
        .kid(osc(
            "oscclk0",
            0,
            [25_000_000, 60_000_000],
            "v2m:oscclk0",
            None,
        ))
        .kid(osc(
            "oscclk1",
            1,
            [23_750_000, 65_000_000],
            "v2m:oscclk1",
            None,
        ))
        .kid(osc(
            "oscclk2",
            2,
            [24_000_000, 24_000_000],
            "v2m:oscclk2",
            Some(PH_UARTCLK),
        ))
        .kid(
            func("volt-vio", "arm,vexpress-volt", 2, 0)
                .p_str("regulator-name", "VIO")
                .p_empty("regulator-always-on")
                .p_str("label", "VIO"),
        )
        .kid(func("temp-mcc", "arm,vexpress-temp", 4, 0).p_str("label", "MCC"))
        .kid(func("reset", "arm,vexpress-reset", 5, 0))
        .kid(func("muxfpga", "arm,vexpress-muxfpga", 7, 0))
        .kid(func("shutdown", "arm,vexpress-shutdown", 8, 0))
        .kid(func("reboot", "arm,vexpress-reboot", 9, 0))
        .kid(func("dvimode", "arm,vexpress-dvimode", 11, 0));
    iofpga = iofpga.kid(mcc);

    let motherboard = Node::new("motherboard-bus@8000000")
        .p_cells("arm,hbi", &[0x190])
        .p_cells("arm,vexpress,site", &[0])
        .p_strs("compatible", &["arm,vexpress,v2m-p1", "simple-bus"])
        .p_cells("#address-cells", &[2])
        .p_cells("#size-cells", &[1])
        // Chip selects 0-5 of the static memory bus; only CS3 carries modelled devices.
        .p_cells(
            "ranges",
            &[
                0,
                0,
                0x0800_0000,
                0x0400_0000, //
                1,
                0,
                0x1400_0000,
                0x0400_0000, //
                2,
                0,
                0x1800_0000,
                0x0400_0000, //
                3,
                0,
                0x1c00_0000,
                0x0400_0000, //
                4,
                0,
                0x0c00_0000,
                0x0400_0000, //
                5,
                0,
                0x1000_0000,
                0x0400_0000,
            ],
        )
        .kid(iofpga);

    // Motherboard interrupt n is GIC SPI n (level high), as in vexpress-v2p-ca15-tc1.dts.
    let mut imap = Vec::new();
    for n in 0..43u32 {
        imap.extend_from_slice(&[0, n, PH_GIC, 0, n, 4]);
    }
    let bus = Node::new("bus@8000000")
        .p_str("compatible", "simple-bus")
        .p_cells("#address-cells", &[1])
        .p_cells("#size-cells", &[1])
        .p_cells("#interrupt-cells", &[1])
        .p_cells("interrupt-map-mask", &[0, 0x3f])
        .p_cells("interrupt-map", &imap)
        .p_cells("ranges", &[0x0800_0000, 0, 0x0800_0000, 0x1800_0000])
        .kid(motherboard);

    let fixed_clock = |name: &str, hz: u32, out: &str, ph: u32| {
        Node::new(name)
            .p_str("compatible", "fixed-clock")
            .p_cells("#clock-cells", &[0])
            .p_cells("clock-frequency", &[hz])
            .p_str("clock-output-names", out)
            .p_cells("phandle", &[ph])
    };

    let mut bootargs = opts.cmdline.as_bytes().to_vec();
    bootargs.push(0);
    let mut chosen = Node::new("chosen").p_str("stdout-path", "serial0:115200n8");
    chosen.set("bootargs", bootargs);
    if let Some((start, end)) = opts.initrd {
        chosen = chosen
            .p_cells("linux,initrd-start", &number_cells(start, 2))
            .p_cells("linux,initrd-end", &number_cells(end, 2));
    }
    let mut aliases = Node::new("aliases");
    for (i, &base) in board::UART_BASES.iter().enumerate() {
        aliases = aliases.p_str(
            &format!("serial{i}"),
            &format!("{IOFPGA_PATH}/serial@{:x}", cs3(base)),
        );
    }

    let cpus = Node::new("cpus")
        .p_cells("#address-cells", &[1])
        .p_cells("#size-cells", &[0])
        .kid(
            Node::new("cpu@0")
                .p_str("device_type", "cpu")
                .p_str("compatible", "arm,cortex-a15")
                .p_cells("reg", &[0]),
        );
    let (ram_base, ram_size) = opts.ram;
    let memory = Node::new(&format!("memory@{ram_base:x}"))
        .p_str("device_type", "memory")
        .p_cells(
            "reg",
            &[
                (ram_base >> 32) as u32,
                ram_base as u32,
                (ram_size >> 32) as u32,
                ram_size as u32,
            ],
        );
    // Distributor, CPU interface, virtual interface control (GICH) and virtual CPU
    // interface (GICV), and the maintenance interrupt (PPI 9 = ID 25, level-high, all
    // four CPUs' bits), as in Debian's vexpress-v2p-ca15-tc1.dtb.
    let gic = Node::new(&format!("interrupt-controller@{:x}", board::GICD_BASE))
        .p_strs("compatible", &["arm,cortex-a15-gic", "arm,cortex-a9-gic"])
        .p_cells("#interrupt-cells", &[3])
        .p_cells("#address-cells", &[0])
        .p_empty("interrupt-controller")
        .p_cells(
            "reg",
            &[
                0,
                board::GICD_BASE as u32,
                0,
                0x1000,
                0,
                board::GICC_BASE as u32,
                0,
                0x2000,
                0,
                board::GICH_BASE as u32,
                0,
                0x2000,
                0,
                board::GICV_BASE as u32,
                0,
                0x2000,
            ],
        )
        .p_cells("interrupts", &[1, board::PPI_MAINTENANCE - 16, 0xf04])
        .p_cells("phandle", &[PH_GIC]);
    // Generic timer PPIs in DT numbering (ID - 16): secure physical, non-secure
    // physical, virtual, hyp; flags 0xf08 = level-low, all four CPUs' bits as Debian's.
    // No clock-frequency: the kernel reads CNTFRQ, which the core sets at reset.
    let mut timer_irqs = Vec::new();
    for id in [
        board::PPI_SEC_PHYS,
        board::PPI_NS_PHYS,
        board::PPI_VIRT,
        board::PPI_HYP,
    ] {
        timer_irqs.extend_from_slice(&[1, id - 16, 0xf08]);
    }
    let timer = Node::new("timer")
        .p_str("compatible", "arm,armv7-timer")
        .p_cells("interrupts", &timer_irqs);

    // The tile's configuration controller (site 0xf = the master site, DB1 here).
    let dcc = Node::new("dcc")
        .p_str("compatible", "arm,vexpress,config-bus")
        .p_cells("arm,vexpress,config-bridge", &[PH_SYSREG])
        .kid(osc("oscclk0", 0, [50_000_000, 60_000_000], "oscclk0", None))
        .kid(osc("oscclk4", 4, [20_000_000, 40_000_000], "oscclk4", None))
        .kid(osc(
            "oscclk5",
            5,
            [23_750_000, 165_000_000],
            "oscclk5",
            None,
        ))
        .kid(osc(
            "oscclk6",
            6,
            [20_000_000, 50_000_000],
            "oscclk6",
            Some(PH_APB_PCLK),
        ))
        .kid(osc("oscclk7", 7, [20_000_000, 60_000_000], "oscclk7", None))
        .kid(osc("oscclk8", 8, [40_000_000, 40_000_000], "oscclk8", None))
        .kid(
            func("volt-cores", "arm,vexpress-volt", 2, 0)
                .p_str("regulator-name", "Cores")
                .p_cells("regulator-min-microvolt", &[800_000])
                .p_cells("regulator-max-microvolt", &[1_050_000])
                .p_empty("regulator-always-on")
                .p_str("label", "Cores"),
        )
        .kid(func("amp-cores", "arm,vexpress-amp", 3, 0).p_str("label", "Cores"))
        .kid(func("temp-dcc", "arm,vexpress-temp", 4, 0).p_str("label", "DCC"))
        .kid(func("power-cores", "arm,vexpress-power", 12, 0).p_str("label", "Cores"))
        .kid(func("energy", "arm,vexpress-energy", 13, 0).p_str("label", "Cores"));

    let mut root = Node::new("")
        .p_str("model", "V2P-CA15")
        .p_cells("arm,hbi", &[0x237])
        .p_cells("arm,vexpress,site", &[0xf])
        .p_strs(
            "compatible",
            &[
                "arm,vexpress,v2p-ca15,tc1",
                "arm,vexpress,v2p-ca15",
                "arm,vexpress",
            ],
        )
        .p_cells("interrupt-parent", &[PH_GIC])
        .p_cells("#address-cells", &[2])
        .p_cells("#size-cells", &[2])
        .kid(fixed_clock("clk24mhz", 24_000_000, "v2m:clk24mhz", 0x100))
        .kid(fixed_clock(
            "refclk1mhz",
            1_000_000,
            "v2m:refclk1mhz",
            PH_REFCLK1M,
        ))
        .kid(fixed_clock(
            "refclk32khz",
            32_768,
            "v2m:refclk32khz",
            PH_REFCLK32K,
        ))
        .kid(bus)
        .kid(chosen)
        .kid(aliases)
        .kid(cpus)
        .kid(memory)
        .kid(gic)
        .kid(timer)
        .kid(dcc);
    if opts.psci {
        root = root.kid(
            Node::new("psci")
                .p_strs("compatible", &["arm,psci-0.2"])
                .p_str("method", "smc"),
        );
    }
    DeviceTree {
        reserved: Vec::new(),
        boot_cpuid_phys: 0,
        root,
    }
    .to_blob()
}

/// What a Xen boot module holds (Xen's docs/misc/arm/device-tree/booting.txt).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModuleKind {
    /// `"multiboot,kernel", "multiboot,module"`.
    Kernel,
    /// `"multiboot,ramdisk", "multiboot,module"`.
    Ramdisk,
}

/// A Xen boot module: a blob in RAM and its command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BootModule {
    pub kind: ModuleKind,
    pub addr: u64,
    pub size: u64,
    pub bootargs: Option<String>,
}

/// A dom0less guest: a `xen,domain` node under /chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XenDomain {
    /// Node name (`domU1`, ...).
    pub name: String,
    pub mem_kib: u64,
    pub cpus: u32,
    /// Give the guest Xen's emulated PL011.
    pub vpl011: bool,
    pub modules: Vec<BootModule>,
}

/// Cells of the domU nodes' `reg` properties (both given explicitly, as Xen asks).
const DOMU_ADDR_CELLS: u32 = 2;
const DOMU_SIZE_CELLS: u32 = 2;

fn module_node(m: &BootModule, ac: u32, sc: u32) -> Node {
    let compat: &[&str] = match m.kind {
        ModuleKind::Kernel => &["multiboot,kernel", "multiboot,module"],
        ModuleKind::Ramdisk => &["multiboot,ramdisk", "multiboot,module"],
    };
    let mut reg = number_cells(m.addr, ac);
    reg.extend(number_cells(m.size, sc));
    let mut n = Node::new(&format!("module@{:x}", m.addr))
        .p_strs("compatible", compat)
        .p_cells("reg", &reg);
    if let Some(args) = &m.bootargs {
        n = n.p_str("bootargs", args);
    }
    n
}

/// Whether a /chosen child is a Xen boot module or dom0less domain (any compatible
/// string of theirs, including Xen 4.4's legacy names).
fn is_xen_boot_node(n: &Node) -> bool {
    let Some(v) = n.prop("compatible") else {
        return false;
    };
    v.split(|&b| b == 0).any(|s| {
        matches!(
            s,
            b"multiboot,module" | b"xen,multiboot-module" | b"xen,domain"
        )
    })
}

impl DeviceTree {
    /// Adds `/psci` (PSCI 0.2 through SMC, what the board's firmware answers) when no
    /// root child is compatible with "arm,psci*". Returns whether it added one. Xen on a
    /// vexpress can only power the board off through PSCI SYSTEM_OFF (its vexpress
    /// platform code has no power-off), and Debian's vexpress DTB has no psci node.
    pub fn add_psci_if_absent(&mut self) -> bool {
        let has = self.root.children.iter().any(|c| {
            c.prop("compatible")
                .is_some_and(|v| v.split(|&b| b == 0).any(|s| s.starts_with(b"arm,psci")))
        });
        if !has {
            self.root.children.push(
                Node::new("psci")
                    .p_strs("compatible", &["arm,psci-0.2"])
                    .p_str("method", "smc"),
            );
        }
        !has
    }

    /// Describes a Xen boot in /chosen (Xen's docs/misc/arm/device-tree/booting.txt):
    /// - `xen,xen-bootargs` (and `bootargs`, for Xen-unaware readers) = `xen_bootargs`;
    ///   `xen,dom0-bootargs` = `dom0_bootargs` when there is a dom0;
    /// - `dom0_modules` as `module@ADDR` children of /chosen, their `reg` in /chosen's
    ///   own `#address-cells`/`#size-cells` (set to the root's when absent);
    /// - one `xen,domain` child per domain with `#address-cells` = `#size-cells` = 2,
    ///   `memory` (KiB, 64 bits), `cpus`, optionally `vpl011`, and its modules.
    ///
    /// Boot modules and domains the tree already had are removed first (a stale module
    /// would become another dom0 kernel), as are `linux,initrd-*` (Xen would take the
    /// initrd for dom0's ramdisk).
    pub fn add_xen_chosen(
        &mut self,
        xen_bootargs: &str,
        dom0_bootargs: Option<&str>,
        dom0_modules: &[BootModule],
        domains: &[XenDomain],
    ) -> Result<(), FdtError> {
        let (rac, rsc) = self.root_cells();
        if self.root.child("chosen").is_none() {
            self.root.children.push(Node::new("chosen"));
        }
        let chosen = self.root.child_mut("chosen").expect("just added");
        // Xen's early scan lets a node without cell counts inherit its parent's, while
        // the Devicetree Specification (2.3.5) defaults them to 2 and 1: state them.
        let ac = chosen.u32_prop("#address-cells").unwrap_or(rac);
        let sc = chosen.u32_prop("#size-cells").unwrap_or(rsc);
        chosen.set("#address-cells", cells_bytes(&[ac]));
        chosen.set("#size-cells", cells_bytes(&[sc]));
        if !(1..=2).contains(&ac) || !(1..=2).contains(&sc) {
            return err(format!(
                "/chosen has #address-cells {ac} / #size-cells {sc}: only 1 or 2 are supported"
            ));
        }
        let fits = |v: u64, cells: u32| cells == 2 || v <= u32::MAX as u64;
        if let Some(m) = dom0_modules
            .iter()
            .find(|m| !fits(m.addr, ac) || !fits(m.size, sc))
        {
            return err(format!(
                "module at {:#x} does not fit /chosen's cell sizes",
                m.addr
            ));
        }
        let stale = chosen.children.len();
        chosen.children.retain(|c| !is_xen_boot_node(c));
        if chosen.children.len() != stale {
            tracing::info!(target: "boot",
                "replacing {} Xen boot module/domain node(s) of the given device tree",
                stale - chosen.children.len());
        }
        chosen.remove("linux,initrd-start");
        chosen.remove("linux,initrd-end");
        let mut set_str = |name: &str, s: &str| {
            let mut v = s.as_bytes().to_vec();
            v.push(0);
            chosen.set(name, v);
        };
        set_str("xen,xen-bootargs", xen_bootargs);
        set_str("bootargs", xen_bootargs);
        match dom0_bootargs {
            Some(a) => set_str("xen,dom0-bootargs", a),
            None => chosen.remove("xen,dom0-bootargs"),
        }
        for m in dom0_modules {
            chosen.children.push(module_node(m, ac, sc));
        }
        for d in domains {
            let mut n = Node::new(&d.name)
                .p_str("compatible", "xen,domain")
                .p_cells("#address-cells", &[DOMU_ADDR_CELLS])
                .p_cells("#size-cells", &[DOMU_SIZE_CELLS])
                .p_cells("memory", &number_cells(d.mem_kib, 2))
                .p_cells("cpus", &[d.cpus]);
            if d.vpl011 {
                n = n.p_empty("vpl011");
            }
            for m in &d.modules {
                n = n.kid(module_node(m, DOMU_ADDR_CELLS, DOMU_SIZE_CELLS));
            }
            chosen.children.push(n);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RAM: (u64, u64) = (0x8000_0000, 256 << 20);

    fn generated(psci: bool, initrd: Option<(u64, u64)>) -> Vec<u8> {
        generate(&GenerateOptions {
            ram: RAM,
            cmdline: "console=ttyAMA0".into(),
            initrd,
            psci,
        })
        .unwrap()
    }

    #[test]
    fn generated_tree_reads_back_with_an_independent_parser() {
        let blob = generated(false, Some((0x8800_0000, 0x8810_0000)));
        let f = fdt::Fdt::new(&blob).unwrap();
        let root = f.find_node("/").unwrap();
        let compat: Vec<&str> = root.compatible().unwrap().all().collect();
        assert_eq!(compat[0], "arm,vexpress,v2p-ca15,tc1");
        assert!(compat.contains(&"arm,vexpress"));
        let mem: Vec<_> = f.memory().regions().collect();
        assert_eq!(mem.len(), 1);
        assert_eq!(mem[0].starting_address as u64, RAM.0);
        assert_eq!(mem[0].size, Some(RAM.1 as usize));
        assert_eq!(f.chosen().bootargs(), Some("console=ttyAMA0"));
        assert_eq!(f.cpus().count(), 1);
        let gic = f.find_node("/interrupt-controller@2c001000").unwrap();
        let regs: Vec<_> = gic.reg().unwrap().collect();
        assert_eq!(regs.len(), 4, "GICD, GICC, GICH, GICV");
        assert_eq!(regs[1].starting_address as u64, 0x2c00_2000);
        assert_eq!(regs[2].starting_address as u64, 0x2c00_4000);
        assert_eq!(regs[3].starting_address as u64, 0x2c00_6000);
        assert_eq!(regs[3].size, Some(0x2000));
        assert_eq!(
            gic.property("interrupts").unwrap().value,
            [0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0xf, 4],
            "maintenance interrupt PPI 9, level-high, as Debian's"
        );
        let uart0 = f.find_node(&format!("{IOFPGA_PATH}/serial@90000")).unwrap();
        assert_eq!(
            uart0.compatible().unwrap().all().collect::<Vec<_>>(),
            ["arm,pl011", "arm,primecell"]
        );
        assert_eq!(
            f.aliases().unwrap().resolve("serial0"),
            Some(&*format!("{IOFPGA_PATH}/serial@90000"))
        );
        assert!(f.find_node("/psci").is_none());
    }

    #[test]
    fn generated_tree_has_the_modelled_devices_and_nothing_else() {
        let t = DeviceTree::parse(&generated(true, None)).unwrap();
        let io = t.root.find(IOFPGA_PATH).unwrap();
        let names: Vec<&str> = io.children.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "sysreg@10000",
                "sysctl@20000",
                "serial@90000",
                "serial@a0000",
                "serial@b0000",
                "serial@c0000",
                "timer@110000",
                "timer@120000",
                "rtc@170000",
                "mcc"
            ]
        );
        let timer = t.root.find("timer").unwrap();
        assert_eq!(
            timer.prop("interrupts").unwrap(),
            cells_bytes(&[1, 13, 0xf08, 1, 14, 0xf08, 1, 11, 0xf08, 1, 10, 0xf08])
        );
        assert!(timer.prop("clock-frequency").is_none());
        let psci = t.root.find("psci").unwrap();
        assert_eq!(psci.str_prop("method"), Some("smc"));
        assert_eq!(psci.str_prop("compatible"), Some("arm,psci-0.2"));
        let chosen = t.root.find("chosen").unwrap();
        assert_eq!(chosen.str_prop("stdout-path"), Some("serial0:115200n8"));
        assert!(chosen.prop("linux,initrd-start").is_none());
        for absent in ["ethernet", "mmc", "kmi", "clcd", "flash", "usb", "pmu"] {
            let mut stack = vec![&t.root];
            while let Some(n) = stack.pop() {
                assert!(!n.name.starts_with(absent), "{absent}: {}", n.name);
                stack.extend(n.children.iter());
            }
        }
    }

    #[test]
    fn parse_and_write_round_trip() {
        let blob = generated(true, Some((0x8800_0000, 0x8800_1000)));
        let t = DeviceTree::parse(&blob).unwrap();
        let again = DeviceTree::parse(&t.to_blob().unwrap()).unwrap();
        assert_eq!(t, again);
    }

    #[test]
    fn malformed_blobs_are_errors_not_panics() {
        let blob = generated(false, None);
        assert!(DeviceTree::parse(&[]).is_err());
        assert!(DeviceTree::parse(&[0u8; 64]).is_err());
        assert!(DeviceTree::parse(&blob[..blob.len() / 2]).is_err());
        // Every truncation and every single-byte corruption of the structure block
        // parses or fails cleanly.
        for cut in (40..blob.len()).step_by(7) {
            let mut b = blob.clone();
            b.truncate(cut);
            b[4..8].copy_from_slice(&(cut as u32).to_be_bytes());
            let _ = DeviceTree::parse(&b);
        }
        for i in (40..blob.len()).step_by(3) {
            let mut b = blob.clone();
            b[i] ^= 0xff;
            let _ = DeviceTree::parse(&b);
        }
    }

    fn debian_dtb() -> Option<Vec<u8>> {
        let home = std::env::var_os("HOME")?;
        let path = std::path::Path::new(&home).join(".cache/a15emu/vexpress-v2p-ca15-tc1.dtb");
        match std::fs::read(&path) {
            Ok(b) => Some(b),
            Err(_) => {
                eprintln!(
                    "skipping: {} is absent (scripts/fetch-images.sh)",
                    path.display()
                );
                None
            }
        }
    }

    #[test]
    fn patching_debians_dtb_sets_memory_chosen_and_initrd() {
        let Some(blob) = debian_dtb() else { return };
        let orig = DeviceTree::parse(&blob).unwrap();
        let mut t = orig.clone();
        t.patch_for_boot(
            RAM,
            "console=ttyAMA0 rdinit=/init",
            Some((0x8800_0000, 0x8805_0000)),
        )
        .unwrap();
        let out = t.to_blob().unwrap();
        let f = fdt::Fdt::new(&out).unwrap();
        let mem: Vec<_> = f.memory().regions().collect();
        assert_eq!(mem.len(), 1);
        assert_eq!(mem[0].starting_address as u64, RAM.0);
        assert_eq!(mem[0].size, Some(RAM.1 as usize));
        let chosen = f.find_node("/chosen").unwrap();
        assert_eq!(f.chosen().bootargs(), Some("console=ttyAMA0 rdinit=/init"));
        let start = chosen.property("linux,initrd-start").unwrap().value;
        let end = chosen.property("linux,initrd-end").unwrap().value;
        assert_eq!(start, cells_bytes(&[0, 0x8800_0000]));
        assert_eq!(end, cells_bytes(&[0, 0x8805_0000]));

        // Everything else is unchanged: same nodes, same properties, same phandles.
        let back = DeviceTree::parse(&out).unwrap();
        let strip = |mut t: DeviceTree| {
            t.root
                .children
                .retain(|c| c.name != "chosen" && c.str_prop("device_type") != Some("memory"));
            t
        };
        assert_eq!(strip(back), strip(orig));
    }

    #[test]
    fn empty_cmdline_keeps_the_dtbs_bootargs_and_no_initrd_removes_stale_props() {
        let mut t = DeviceTree::parse(&generated(false, Some((0x8800_0000, 0x8800_1000)))).unwrap();
        t.patch_for_boot(RAM, "", None).unwrap();
        let chosen = t.root.find("chosen").unwrap();
        assert_eq!(chosen.str_prop("bootargs"), Some("console=ttyAMA0"));
        assert!(chosen.prop("linux,initrd-start").is_none());
        assert!(chosen.prop("linux,initrd-end").is_none());
    }

    #[test]
    fn patch_uses_the_trees_cell_sizes() {
        let mut t = DeviceTree {
            reserved: vec![(0x8000_0000, 0x1000)],
            boot_cpuid_phys: 0,
            root: Node::new("")
                .p_cells("#address-cells", &[1])
                .p_cells("#size-cells", &[1])
                .kid(
                    Node::new("memory@0")
                        .p_str("device_type", "memory")
                        .p_cells("reg", &[0, 0x100]),
                )
                .kid(Node::new("memory@1000").p_str("device_type", "memory"))
                .kid(Node::new("cpus").p_cells("phandle", &[7])),
        };
        t.patch_for_boot(RAM, "x", Some((0x8800_0000, 0x8800_0010)))
            .unwrap();
        let back = DeviceTree::parse(&t.to_blob().unwrap()).unwrap();
        assert_eq!(back.reserved, [(0x8000_0000, 0x1000)]);
        let names: Vec<&str> = back.root.children.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["memory@80000000", "cpus", "chosen"]);
        let mem = back.root.find("memory@80000000").unwrap();
        assert_eq!(
            mem.prop("reg").unwrap(),
            cells_bytes(&[0x8000_0000, 256 << 20])
        );
        let chosen = back.root.find("chosen").unwrap();
        assert_eq!(chosen.u32_prop("linux,initrd-start"), Some(0x8800_0000));
        assert_eq!(chosen.u32_prop("linux,initrd-end"), Some(0x8800_0010));
        assert_eq!(back.root.find("cpus").unwrap().u32_prop("phandle"), Some(7));
        // Cell counts the patcher cannot express are an error, not a panic.
        t.root.set("#address-cells", cells_bytes(&[3]));
        assert!(t.patch_for_boot(RAM, "", None).is_err());
    }
}
