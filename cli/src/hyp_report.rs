//! Reports of the HSR path's statistics (issue 6): naming (exception classes, trapped
//! registers with the trap control that caused them, PSCI/SMCCC functions, Xen
//! hypercalls, board devices at a data abort's IPA, symbols), the report itself (a
//! plain-data [`Report`] that is also the JSON file of `--hyp-stats-json`), and its
//! table (`--hyp-stats`, Ctrl-A s, `a15emu stats`).
//!
//! Everything the table shows is in the report, so a report read back from JSON renders
//! the same table as the run that wrote it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use emu_core::hyp_stats::{Context, HypStats, SubClass, TrapClass, TrapRecord, BUCKET_NS};
use emu_core::sysreg::{CpReg, CpReg64};
use serde::{Deserialize, Serialize};

/// The `format` field of every report.
pub const FORMAT: &str = "a15emu-hyp-stats";
/// The schema version (README "Hyp-exception statistics").
pub const VERSION: u32 = 1;
/// Top PCs kept per class.
pub const TOP_PCS: usize = 10;
/// Top PCs shown per class in the table.
const PCS_PER_CLASS: usize = 3;

// ---- naming -------------------------------------------------------------------------

/// PSCI 0.2/1.x and SMCCC function names (Arm DEN 0022 "PSCI", DEN 0028 "SMCCC"), for
/// the 32-bit calling convention ids in r0.
pub fn psci_name(func: u32) -> Option<&'static str> {
    Some(match func {
        0x8000_0000 => "SMCCC_VERSION",
        0x8000_0001 => "SMCCC_ARCH_FEATURES",
        0x8000_0002 => "SMCCC_ARCH_SOC_ID",
        0x8000_3fff => "SMCCC_ARCH_WORKAROUND_3",
        0x8000_7fff => "SMCCC_ARCH_WORKAROUND_2",
        0x8000_8000 => "SMCCC_ARCH_WORKAROUND_1",
        0x8400_0000 => "PSCI_VERSION",
        0x8400_0001 => "CPU_SUSPEND",
        0x8400_0002 => "CPU_OFF",
        0x8400_0003 => "CPU_ON",
        0x8400_0004 => "AFFINITY_INFO",
        0x8400_0005 => "MIGRATE",
        0x8400_0006 => "MIGRATE_INFO_TYPE",
        0x8400_0007 => "MIGRATE_INFO_UP_CPU",
        0x8400_0008 => "SYSTEM_OFF",
        0x8400_0009 => "SYSTEM_RESET",
        0x8400_000a => "PSCI_FEATURES",
        0x8400_000b => "CPU_FREEZE",
        0x8400_000c => "CPU_DEFAULT_SUSPEND",
        0x8400_000d => "NODE_HW_STATE",
        0x8400_000e => "SYSTEM_SUSPEND",
        0x8400_000f => "PSCI_SET_SUSPEND_MODE",
        0x8400_0010 => "PSCI_STAT_RESIDENCY",
        0x8400_0011 => "PSCI_STAT_COUNT",
        0x8400_0012 => "SYSTEM_RESET2",
        0x8400_0013 => "MEM_PROTECT",
        0x8400_0014 => "MEM_PROTECT_CHECK_RANGE",
        _ => return None,
    })
}

/// Xen hypercall names by number (xen/include/public/xen.h, `__HYPERVISOR_*`; on Arm
/// the number is in r12 of an `HVC #0xEA1`).
pub fn xen_hypercall_name(n: u32) -> Option<&'static str> {
    Some(match n {
        0 => "set_trap_table",
        1 => "mmu_update",
        2 => "set_gdt",
        3 => "stack_switch",
        4 => "set_callbacks",
        5 => "fpu_taskswitch",
        6 => "sched_op_compat",
        7 => "platform_op",
        8 => "set_debugreg",
        9 => "get_debugreg",
        10 => "update_descriptor",
        12 => "memory_op",
        13 => "multicall",
        14 => "update_va_mapping",
        15 => "set_timer_op",
        16 => "event_channel_op_compat",
        17 => "xen_version",
        18 => "console_io",
        19 => "physdev_op_compat",
        20 => "grant_table_op",
        21 => "vm_assist",
        22 => "update_va_mapping_otherdomain",
        23 => "iret",
        24 => "vcpu_op",
        25 => "set_segment_base",
        26 => "mmuext_op",
        27 => "xsm_op",
        28 => "nmi_op",
        29 => "sched_op",
        30 => "callback_op",
        31 => "xenoprof_op",
        32 => "event_channel_op",
        33 => "physdev_op",
        34 => "hvm_op",
        35 => "sysctl",
        36 => "domctl",
        37 => "kexec_op",
        38 => "tmem_op",
        39 => "argo_op",
        40 => "xenpmu_op",
        41 => "dm_op",
        42 => "hypfs_op",
        48..=55 => [
            "arch_0", "arch_1", "arch_2", "arch_3", "arch_4", "arch_5", "arch_6", "arch_7",
        ][(n - 48) as usize],
        _ => return None,
    })
}

/// One named region of a physical (or intermediate physical) address map.
struct Region {
    base: u64,
    size: u64,
    name: &'static str,
}

const fn region(base: u64, size: u64, name: &'static str) -> Region {
    Region { base, size, name }
}

/// The board's devices (machine-vexpress board.rs; the V2P-CA15 memory map).
static BOARD_MAP: &[Region] = {
    use machine_vexpress::board as b;
    &[
        region(b::GICD_BASE, 0x1000, "GICD"),
        region(b::GICC_BASE, 0x2000, "GICC"),
        region(b::GICH_BASE, 0x2000, "GICH"),
        region(b::GICV_BASE, 0x2000, "GICV"),
        region(b::SYSREGS_BASE, 0x1000, "V2M sysregs"),
        region(b::SP810_BASE, 0x1000, "SP810"),
        region(b::UART_BASES[0], 0x1000, "UART0"),
        region(b::UART_BASES[1], 0x1000, "UART1"),
        region(b::UART_BASES[2], 0x1000, "UART2"),
        region(b::UART_BASES[3], 0x1000, "UART3"),
        region(b::TIMER_BASES[0], 0x1000, "SP804 timer01"),
        region(b::TIMER_BASES[1], 0x1000, "SP804 timer23"),
        region(b::RTC_BASE, 0x1000, "PL031 RTC"),
    ]
};

/// The devices Xen emulates for its dom0less guests at their own IPAs
/// (xen/include/public/arch-arm.h: GUEST_GICD_BASE, GUEST_GICC_BASE, GUEST_PL011_BASE).
static XEN_GUEST_MAP: &[Region] = &[
    region(0x0300_1000, 0x1000, "vGICD (Xen guest map)"),
    region(0x0300_2000, 0x2000, "vGICC (Xen guest map)"),
    region(0x2200_0000, 0x1000, "vpl011 (Xen guest map)"),
];

/// The device at an (intermediate) physical address: the board's map first (dom0 and
/// other identity-mapped guests), then Xen's guest map.
pub fn device_at(addr: u64) -> Option<&'static str> {
    BOARD_MAP
        .iter()
        .chain(XEN_GUEST_MAP)
        .find(|r| addr >= r.base && addr - r.base < r.size)
        .map(|r| r.name)
}

/// 64-bit registers that live outside the tables of `sysreg::TABLES64`.
fn reg64_name(cp: u8, opc1: u8, crm: u8) -> Option<&'static str> {
    if let Some(r) = emu_core::sysreg::lookup64(CpReg64 { cp, opc1, crm }) {
        return Some(r.name);
    }
    Some(match (cp, opc1, crm) {
        (15, 0, 2) => "TTBR0",
        (15, 1, 2) => "TTBR1",
        (15, 0, 7) => "PAR",
        (15, 4, 2) => "HTTBR",
        (15, 6, 2) => "VTTBR",
        (15, 0, 14) => "CNTPCT",
        (15, 1, 14) => "CNTVCT",
        (15, 2, 14) => "CNTP_CVAL",
        (15, 3, 14) => "CNTV_CVAL",
        (15, 4, 14) => "CNTVOFF",
        (15, 6, 14) => "CNTHP_CVAL",
        _ => return None,
    })
}

/// The register of an MCR/MRC encoding: its table name, else the encoding.
pub fn reg32_name(cp: u8, opc1: u8, crn: u8, crm: u8, opc2: u8) -> String {
    let enc = CpReg {
        cp,
        opc1,
        crn,
        crm,
        opc2,
    };
    match emu_core::sysreg::lookup(enc) {
        Some(r) => r.name.to_string(),
        None => format!("p{cp} {opc1} c{crn} c{crm} {opc2}"),
    }
}

/// The name of a function called by HVC or SMC with id `func`.
fn call_name(func: u32) -> String {
    match psci_name(func) {
        Some(n) => format!("PSCI {n}"),
        None if func >> 31 == 1 => format!("SMCCC {func:#010x}"),
        None => format!("r0={func:#x}"),
    }
}

/// The name of a sub-class ("SCTLR write, HCR.TVM", "HVC #0 PSCI CPU_ON",
/// "IPA 0x2c001000 GICD, write, ISV").
pub fn subclass_name(class: TrapClass, sub: &SubClass) -> String {
    let rw = |read: bool| if read { "read" } else { "write" };
    let with_cause = |s: String, cause: Option<&str>| match cause {
        Some(c) => format!("{s}, {c}"),
        None => s,
    };
    match *sub {
        SubClass::None => class.name().to_string(),
        SubClass::Wfx { wfe: false } => "WFI, HCR.TWI".to_string(),
        SubClass::Wfx { wfe: true } => "WFE, HCR.TWE".to_string(),
        SubClass::Mcr {
            cp,
            opc1,
            crn,
            crm,
            opc2,
            read,
            cause,
        } => with_cause(
            format!("{} {}", reg32_name(cp, opc1, crn, crm, opc2), rw(read)),
            cause,
        ),
        SubClass::Mcrr {
            cp,
            opc1,
            crm,
            read,
            cause,
        } => {
            let reg = match reg64_name(cp, opc1, crm) {
                Some(n) => n.to_string(),
                None => format!("p{cp} {opc1} c{crm}"),
            };
            with_cause(format!("{reg} {} (64-bit)", rw(read)), cause)
        }
        SubClass::Vmrs { reg } => match reg {
            0 => "FPSID read, HCR.TID0".to_string(),
            6 => "MVFR1 read, HCR.TID3".to_string(),
            7 => "MVFR0 read, HCR.TID3".to_string(),
            r => format!("VFP system register {r} read"),
        },
        SubClass::Hcptr { simd: true, .. } => "Advanced SIMD, HCPTR.TASE".to_string(),
        SubClass::Hcptr { coproc, .. } => format!("CP{coproc}, HCPTR.TCP{coproc}"),
        SubClass::Hvc { imm, func } if imm == emu_core::hyp_stats::XEN_HVC_IMM => {
            match xen_hypercall_name(func) {
                Some(n) => format!("Xen hypercall {n} ({func})"),
                None => format!("Xen hypercall {func}"),
            }
        }
        SubClass::Hvc { imm, func } => format!("HVC #{imm:#x} {}", call_name(func)),
        SubClass::Smc { func } => format!("SMC {}", call_name(func)),
        SubClass::Dabt {
            ipa_page,
            isv,
            write,
        } => {
            let mut s = format!("IPA {ipa_page:#010x}");
            if let Some(d) = device_at(ipa_page) {
                s.push(' ');
                s.push_str(d);
            }
            s.push_str(if write { ", write" } else { ", read" });
            s.push_str(if isv { ", ISV" } else { ", no ISV" });
            s
        }
        SubClass::Pabt { ipa_page } => match device_at(ipa_page) {
            Some(d) => format!("IPA {ipa_page:#010x} {d}"),
            None => format!("IPA {ipa_page:#010x}"),
        },
    }
}

/// The name of a long-descriptor fault status code (Arm ARM B3.13.3, table B3-24).
fn fsc_name(fsc: u32) -> String {
    let level = fsc & 3;
    match fsc >> 2 {
        0b0001 => format!("translation L{level}"),
        0b0010 => format!("access flag L{level}"),
        0b0011 => format!("permission L{level}"),
        0b0101 => format!("external abort on walk L{level}"),
        0b0111 => format!("parity error on walk L{level}"),
        _ => match fsc {
            0b010000 => "synchronous external abort".to_string(),
            0b011000 => "synchronous parity error".to_string(),
            0b100001 => "alignment".to_string(),
            0b100010 => "debug".to_string(),
            0b110000 => "TLB conflict".to_string(),
            0b110100 => "lockdown".to_string(),
            0b111010 => "unsupported exclusive".to_string(),
            f => format!("FSC {f:#04x}"),
        },
    }
}

const CONDS: [&str; 16] = [
    "eq", "ne", "cs", "cc", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le", "", "",
];

/// The ISS of an HSR decoded for people (Arm ARM B3.13.6, "Use of the HSR"): the
/// trapped instruction as assembly, or the abort's fields.
pub fn describe_iss(class: TrapClass, hsr: u32) -> String {
    let iss = hsr & 0x01ff_ffff;
    let f = |lo: u32, bits: u32| (iss >> lo) & ((1 << bits) - 1);
    // CV/COND: the condition of a conditional trapped instruction.
    let cond = if f(24, 1) == 1 {
        CONDS[f(20, 4) as usize]
    } else {
        ""
    };
    match class.0 {
        0x01 => format!("{}{cond}", if f(0, 1) == 1 { "wfe" } else { "wfi" }),
        0x08 => {
            let reg = match f(10, 4) {
                0 => "FPSID".to_string(),
                6 => "MVFR1".to_string(),
                7 => "MVFR0".to_string(),
                r => format!("VFP register {r}"),
            };
            format!("vmrs{cond} r{}, {reg}", f(5, 4))
        }
        0x03 | 0x05 => {
            let cp = if class.0 == 0x03 { 15 } else { 14 };
            format!(
                "{}{cond} p{cp}, {}, r{}, c{}, c{}, {}",
                if f(0, 1) == 1 { "mrc" } else { "mcr" },
                f(14, 3),
                f(5, 4),
                f(10, 4),
                f(1, 4),
                f(17, 3)
            )
        }
        0x04 | 0x0c => format!(
            "{}{cond} p{}, {}, r{}, r{}, c{}",
            if f(0, 1) == 1 { "mrrc" } else { "mcrr" },
            if class.0 == 0x04 { 15 } else { 14 },
            f(16, 4),
            f(5, 4),
            f(10, 4),
            f(1, 4)
        ),
        0x06 => format!(
            "{}{cond} p14, [r{}], imm8 {:#x}, AM {:#05b}, {}",
            if f(0, 1) == 1 { "ldc" } else { "stc" },
            f(5, 4),
            f(12, 8),
            f(1, 3),
            if f(4, 1) == 1 { "add" } else { "subtract" }
        ),
        0x07 if f(5, 1) == 1 => format!("Advanced SIMD{cond}"),
        0x07 => format!("cp{}{cond} access", f(0, 4)),
        0x0a => format!("bxj{cond} r{}", f(0, 4)),
        0x11 => format!("svc #{:#x}", f(0, 16)),
        0x12 => format!("hvc #{:#x}", f(0, 16)),
        0x13 => format!("smc{cond}"),
        0x20 | 0x21 => {
            let mut s = format!("instruction abort: {}", fsc_name(f(0, 6)));
            if f(7, 1) == 1 {
                s.push_str(", S1PTW");
            }
            if f(9, 1) == 1 {
                s.push_str(", EA");
            }
            s
        }
        0x24 | 0x25 => {
            let mut s = format!(
                "data abort: {}, {}",
                fsc_name(f(0, 6)),
                if f(6, 1) == 1 { "write" } else { "read" }
            );
            if f(24, 1) == 1 {
                let size = ["byte", "halfword", "word", "size 3"][f(22, 2) as usize];
                s.push_str(&format!(
                    ", {size}{} r{}",
                    if f(21, 1) == 1 { " signed" } else { "" },
                    f(16, 4)
                ));
            } else {
                s.push_str(", no ISV");
            }
            for (bit, name) in [(7, "S1PTW"), (8, "CM"), (9, "EA")] {
                if f(bit, 1) == 1 {
                    s.push_str(", ");
                    s.push_str(name);
                }
            }
            s
        }
        0x40..=0x43 => String::new(),
        _ => format!("ISS {iss:#09x}"),
    }
}

/// The ISS/sub-class text of one trace line (`--hyp-trace`): the decoded ISS, then the
/// sub-class's name in brackets when it says more than the class.
pub fn describe_trap(rec: &TrapRecord) -> String {
    let iss = describe_iss(rec.class, rec.hsr);
    let sub = match rec.sub {
        SubClass::None => String::new(),
        s => subclass_name(rec.class, &s),
    };
    match (iss.is_empty(), sub.is_empty()) {
        (true, true) => "-".to_string(),
        (false, true) => iss,
        (true, false) => format!("[{sub}]"),
        (false, false) => format!("{iss} [{sub}]"),
    }
}

// ---- symbols ------------------------------------------------------------------------

/// Symbols for symbol+offset (`--symbols FILE`: a System.map or an ELF file).
#[derive(Default, Debug)]
pub struct Symbols {
    /// (address, name), sorted by address.
    syms: Vec<(u32, String)>,
}

/// The farthest a PC may be past a symbol to be named by it.
const MAX_SYMBOL_OFFSET: u32 = 1 << 20;

impl Symbols {
    /// Reads a System.map (`c0008000 T stext` lines) or an ELF symbol table, adding to
    /// the symbols already loaded.
    pub fn load(&mut self, path: &Path) -> Result<(), String> {
        let data = std::fs::read(path)
            .map_err(|e| format!("cannot read symbols {}: {e}", path.display()))?;
        let before = self.syms.len();
        if data.starts_with(b"\x7fELF") {
            let elf = goblin::elf::Elf::parse(&data)
                .map_err(|e| format!("{}: not a valid ELF file: {e}", path.display()))?;
            for s in elf.syms.iter() {
                let t = s.st_type();
                if (t != goblin::elf::sym::STT_FUNC && t != goblin::elf::sym::STT_NOTYPE)
                    || s.st_shndx == 0
                    || s.st_value == 0
                {
                    continue;
                }
                let Some(name) = elf.strtab.get_at(s.st_name) else {
                    continue;
                };
                // Arm mapping symbols ($a, $t, $d) mark code/data, they are not names.
                if name.is_empty() || name.starts_with('$') {
                    continue;
                }
                self.syms.push(((s.st_value as u32) & !1, name.to_string()));
            }
        } else {
            let text = String::from_utf8_lossy(&data);
            for line in text.lines() {
                let mut it = line.split_whitespace();
                let (Some(addr), Some(kind), Some(name)) = (it.next(), it.next(), it.next()) else {
                    continue;
                };
                let Ok(addr) = u64::from_str_radix(addr, 16) else {
                    continue;
                };
                if kind.len() == 1 && "TtWw".contains(kind) && addr <= u32::MAX as u64 {
                    self.syms.push((addr as u32, name.to_string()));
                }
            }
        }
        if self.syms.len() == before {
            return Err(format!(
                "{}: no symbols found (expected a System.map or an ELF file with a symbol table)",
                path.display()
            ));
        }
        self.syms.sort();
        self.syms.dedup_by(|a, b| a.0 == b.0);
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.syms.is_empty()
    }

    /// "name+0x1c" for an address, if a symbol precedes it closely enough.
    pub fn describe(&self, addr: u32) -> Option<String> {
        let i = self.syms.partition_point(|s| s.0 <= addr);
        let (base, name) = self.syms.get(i.checked_sub(1)?)?;
        let off = addr - base;
        (off < MAX_SYMBOL_OFFSET).then(|| format!("{name}+{off:#x}"))
    }
}

/// The symbol files of a run by the PCs they name (`--symbols [hyp:|guest:]FILE`): Hyp
/// mode's (a hypervisor's ELF or map), the guests', or any PC's. A PC is named from its
/// own context's files first, then from the unscoped ones; so a guest's user-space PC
/// that happens to fall in the hypervisor's text range is not named as hypervisor code.
#[derive(Default, Debug)]
pub struct SymbolSets {
    any: Symbols,
    hyp: Symbols,
    guest: Symbols,
}

impl SymbolSets {
    /// Loads one `--symbols` argument: FILE, hyp:FILE or guest:FILE.
    pub fn load(&mut self, spec: &Path) -> Result<(), String> {
        let text = spec.to_string_lossy();
        if let Some(f) = text.strip_prefix("hyp:") {
            self.hyp.load(Path::new(f))
        } else if let Some(f) = text.strip_prefix("guest:") {
            self.guest.load(Path::new(f))
        } else {
            self.any.load(spec)
        }
    }

    pub fn is_empty(&self) -> bool {
        self.any.is_empty() && self.hyp.is_empty() && self.guest.is_empty()
    }

    /// symbol+offset for a PC that trapped from `from`.
    pub fn describe(&self, pc: u32, from: Context) -> Option<String> {
        let own = match from {
            Context::Hyp => Some(&self.hyp),
            Context::Guest { .. } => Some(&self.guest),
            Context::Other => None,
        };
        own.and_then(|s| s.describe(pc))
            .or_else(|| self.any.describe(pc))
    }
}

// ---- the report ---------------------------------------------------------------------

/// Entries to Hyp mode of one class.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ClassRow {
    /// Short key ("hvc", "dabt_lower", "irq"; `TrapClass::key`).
    pub key: String,
    /// The Arm ARM's name ("data abort from a lower level").
    pub name: String,
    pub count: u64,
    /// Instructions executed in Hyp mode handling entries of this class.
    pub hyp_instructions: u64,
}

/// One context: a guest (VMID, PL1/PL0) or Hyp mode.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ContextRow {
    /// `null` for Hyp mode.
    pub vmid: Option<u8>,
    /// "PL1", "PL0" or "Hyp".
    pub mode: String,
    /// Entries to Hyp mode taken from this context.
    pub exits: u64,
    /// Exception returns from Hyp mode into this context.
    pub entries: u64,
    pub instructions: u64,
    /// Entries to Hyp mode from this context by class key.
    pub classes: BTreeMap<String, u64>,
}

/// One sub-class, from one context.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SubclassRow {
    /// The class key.
    pub class: String,
    pub name: String,
    pub count: u64,
    /// The context trapped from, as in [`ContextRow`].
    pub vmid: Option<u8>,
    pub mode: String,
}

/// One trapping PC of one class, in one context.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct PcRow {
    pub class: String,
    /// The context trapped from, as in [`ContextRow`] (absent in reports written before
    /// PCs were kept per context).
    #[serde(default)]
    pub vmid: Option<u8>,
    #[serde(default)]
    pub mode: String,
    pub pc: u32,
    pub count: u64,
    /// The last HSR taken at this PC.
    pub hsr: u32,
    /// That HSR's ISS decoded.
    pub iss: String,
    /// symbol+offset (with `--symbols`).
    pub symbol: Option<String>,
}

/// A whole report: the JSON file of `--hyp-stats-json` (schema in README).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// Always "a15emu-hyp-stats".
    pub format: String,
    /// Schema version ([`VERSION`]).
    pub version: u32,
    /// The machine clock: "host" or "instructions".
    pub clock: String,
    /// Machine (guest virtual) time at the report, ns.
    pub machine_time_ns: u64,
    /// Host wall time of the run, ns.
    pub wall_time_ns: u64,
    /// Instructions executed in total, in Hyp mode, and in guests.
    pub instructions: u64,
    pub hyp_instructions: u64,
    pub guest_instructions: u64,
    /// Entries to Hyp mode (exits from guests and exceptions taken in Hyp mode).
    pub traps: u64,
    /// Exception returns from Hyp mode into guests.
    pub entries: u64,
    /// Traps whose sub-class or PC was not kept: past 65536 distinct ones of each.
    pub untracked: u64,
    /// By count, most frequent first.
    pub classes: Vec<ClassRow>,
    /// Hyp first, then guests by VMID, PL1 before PL0.
    pub contexts: Vec<ContextRow>,
    /// By count, most frequent first.
    pub subclasses: Vec<SubclassRow>,
    /// Up to [`TOP_PCS`] per class, classes in the order of `classes`.
    pub top_pcs: Vec<PcRow>,
    /// Length of a bucket, ns (100 ms).
    pub bucket_ns: u64,
    /// Entries per class key in consecutive buckets of machine time (empty classes
    /// left out).
    pub buckets: Vec<BTreeMap<String, u32>>,
}

/// Sort key of a context (see [`context_order`]).
type ContextOrder = (u32, u32, u32);

/// Report order of contexts: Hyp first, then by VMID, PL1 before PL0.
fn context_order(c: Context) -> ContextOrder {
    match c {
        Context::Hyp => (0, 0, 0),
        Context::Guest { vmid, pl1 } => (1, vmid as u32, !pl1 as u32),
        Context::Other => (2, 0, 0),
    }
}

/// (vmid, mode) of a [`context_order`] key.
fn context_label(order: ContextOrder) -> (Option<u8>, String) {
    match order {
        (0, _, _) => (None, "Hyp".to_string()),
        (1, vmid, pl0) => (
            Some(vmid as u8),
            if pl0 == 0 { "PL1" } else { "PL0" }.to_string(),
        ),
        _ => (None, "other".to_string()),
    }
}

/// Entries by class key from context `c`.
fn class_counts(stats: &HypStats, c: Context) -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    for ((from, class, _), n) in &stats.subclasses {
        if *from == c {
            *m.entry(class.key().to_string()).or_default() += n;
        }
    }
    m
}

/// What a report is built from besides the statistics.
pub struct RunInfo<'a> {
    pub clock: emu_core::timer::ClockSource,
    pub machine_time_ns: u64,
    pub wall_time_ns: u64,
    pub instructions: u64,
    pub symbols: Option<&'a SymbolSets>,
}

impl Report {
    /// Builds the report of `stats` (settled to `info.instructions` by the caller).
    pub fn build(stats: &HypStats, info: &RunInfo) -> Report {
        let mut classes: Vec<(TrapClass, u64)> = stats
            .counts
            .iter()
            .enumerate()
            .filter(|(_, &n)| n > 0)
            .map(|(i, &n)| (TrapClass(i as u8), n))
            .collect();
        classes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));

        let mut ctx: Vec<(Context, emu_core::hyp_stats::GuestCounters)> = stats
            .contexts()
            .into_iter()
            .filter(|(c, _)| *c != Context::Other)
            .collect();
        ctx.sort_by_key(|(c, _)| context_order(*c));
        let mut contexts: Vec<ContextRow> = ctx
            .iter()
            .map(|(c, v)| match *c {
                Context::Guest { vmid, pl1 } => ContextRow {
                    vmid: Some(vmid),
                    mode: if pl1 { "PL1" } else { "PL0" }.to_string(),
                    exits: v.exits,
                    entries: v.entries,
                    instructions: v.insns,
                    classes: class_counts(stats, *c),
                },
                _ => ContextRow {
                    vmid: None,
                    mode: "Hyp".to_string(),
                    exits: v.exits,
                    entries: v.entries,
                    instructions: stats.hyp_insns,
                    classes: class_counts(stats, *c),
                },
            })
            .collect();
        if stats.hyp_insns > 0 && !contexts.iter().any(|c| c.vmid.is_none()) {
            contexts.insert(
                0,
                ContextRow {
                    vmid: None,
                    mode: "Hyp".to_string(),
                    exits: 0,
                    entries: 0,
                    instructions: stats.hyp_insns,
                    classes: BTreeMap::new(),
                },
            );
        }
        let guest_instructions = contexts
            .iter()
            .filter(|c| c.vmid.is_some())
            .map(|c| c.instructions)
            .sum();

        // Sub-classes: named per context, and merged when two keys have one name.
        let mut subs: BTreeMap<(String, String, ContextOrder), u64> = BTreeMap::new();
        for ((from, class, sub), n) in &stats.subclasses {
            *subs
                .entry((
                    class.key().to_string(),
                    subclass_name(*class, sub),
                    context_order(*from),
                ))
                .or_default() += n;
        }
        let mut subclasses: Vec<SubclassRow> = subs
            .into_iter()
            .map(|((class, name, ctx), count)| {
                let (vmid, mode) = context_label(ctx);
                SubclassRow {
                    class,
                    name,
                    count,
                    vmid,
                    mode,
                }
            })
            .collect();
        subclasses.sort_by_key(|s| std::cmp::Reverse(s.count));

        let mut top_pcs = Vec::new();
        for (class, _) in &classes {
            for (from, pc, count, hsr) in stats.top_pcs(*class, TOP_PCS) {
                let (vmid, mode) = context_label(context_order(from));
                top_pcs.push(PcRow {
                    class: class.key().to_string(),
                    vmid,
                    mode,
                    pc,
                    count,
                    hsr,
                    iss: describe_iss(*class, hsr),
                    symbol: info.symbols.and_then(|s| s.describe(pc, from)),
                });
            }
        }

        let buckets = stats
            .buckets
            .iter()
            .map(|b| {
                b.iter()
                    .enumerate()
                    .filter(|(_, &n)| n > 0)
                    .map(|(i, &n)| (TrapClass(i as u8).key().to_string(), n))
                    .collect()
            })
            .collect();

        Report {
            format: FORMAT.to_string(),
            version: VERSION,
            clock: match info.clock {
                emu_core::timer::ClockSource::Host => "host",
                emu_core::timer::ClockSource::Instructions => "instructions",
            }
            .to_string(),
            machine_time_ns: info.machine_time_ns,
            wall_time_ns: info.wall_time_ns,
            instructions: info.instructions,
            hyp_instructions: stats.hyp_insns,
            guest_instructions,
            traps: stats.total,
            entries: stats.entries(),
            untracked: stats.dropped_keys,
            classes: classes
                .iter()
                .map(|(c, n)| ClassRow {
                    key: c.key().to_string(),
                    name: c.name().to_string(),
                    count: *n,
                    hyp_instructions: stats.hyp_insns_by_class[c.index()],
                })
                .collect(),
            contexts,
            subclasses,
            top_pcs,
            bucket_ns: BUCKET_NS,
            buckets,
        }
    }

    pub fn to_json(&self) -> String {
        // Serializing plain data cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// Reads a report back; `Err` is one line saying what is wrong.
    pub fn from_json(text: &str) -> Result<Report, String> {
        let r: Report = serde_json::from_str(text).map_err(|e| format!("not a report: {e}"))?;
        if r.format != FORMAT {
            return Err(format!(
                "not an a15emu Hyp statistics report (format '{}')",
                r.format
            ));
        }
        if r.version != VERSION {
            return Err(format!(
                "report version {} (this a15emu reads version {VERSION})",
                r.version
            ));
        }
        Ok(r)
    }

    /// The table (`--hyp-stats`), modelled on `perf kvm stat report`. `top`: rows of
    /// the sub-class and PC sections.
    pub fn table(&self, top: usize) -> String {
        use std::fmt::Write;
        let mut o = String::new();
        let secs = |ns: u64| ns as f64 / 1e9;
        let pct = |n: u64, d: u64| {
            if d == 0 {
                0.0
            } else {
                n as f64 * 100.0 / d as f64
            }
        };
        let mean = |n: u64, d: u64| if d == 0 { 0.0 } else { n as f64 / d as f64 };
        let _ = writeln!(
            o,
            "Hyp statistics: {} traps, {} entries into guests; {} instructions ({} in guests, {} in Hyp)",
            self.traps, self.entries, self.instructions, self.guest_instructions, self.hyp_instructions
        );
        let ratio = if self.wall_time_ns == 0 {
            String::new()
        } else {
            format!(
                " (guest/host {:.3})",
                self.machine_time_ns as f64 / self.wall_time_ns as f64
            )
        };
        let _ = writeln!(
            o,
            "Time: guest virtual {:.3} s ({} clock), host wall {:.3} s{ratio}",
            secs(self.machine_time_ns),
            self.clock,
            secs(self.wall_time_ns)
        );
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "{:>34} {:>10} {:>8} {:>18} {:>16}",
            "Exit class", "Count", "Share", "Guest insns/trap", "Hyp insns/trap"
        );
        for c in &self.classes {
            let _ = writeln!(
                o,
                "{:>34} {:>10} {:>7.2}% {:>18.1} {:>16.1}",
                c.name,
                c.count,
                pct(c.count, self.traps),
                mean(self.guest_instructions, c.count),
                mean(c.hyp_instructions, c.count)
            );
        }
        let _ = writeln!(
            o,
            "{:>34} {:>10} {:>7.2}% {:>18.1} {:>16.1}",
            "total",
            self.traps,
            if self.traps == 0 { 0.0 } else { 100.0 },
            mean(self.guest_instructions, self.traps),
            mean(
                self.classes.iter().map(|c| c.hyp_instructions).sum(),
                self.traps
            )
        );

        if !self.contexts.is_empty() {
            let _ = writeln!(o);
            let _ = writeln!(
                o,
                "{:>12} {:>10} {:>10} {:>16}  Top exit classes",
                "Context", "Exits", "Entries", "Instructions"
            );
            for c in &self.contexts {
                let name = match c.vmid {
                    Some(v) => format!("VMID {v} {}", c.mode),
                    None => c.mode.clone(),
                };
                let mut top: Vec<(&String, &u64)> = c.classes.iter().collect();
                top.sort_by_key(|(_, n)| std::cmp::Reverse(**n));
                let top: Vec<String> = top
                    .iter()
                    .take(4)
                    .map(|(k, n)| format!("{k} {n}"))
                    .collect();
                let line = format!(
                    "{name:>12} {:>10} {:>10} {:>16}  {}",
                    c.exits,
                    c.entries,
                    c.instructions,
                    top.join(", ")
                );
                let _ = writeln!(o, "{}", line.trim_end());
            }
        }

        if self.untracked > 0 {
            let _ = writeln!(
                o,
                "\n({} sub-class/PC counts not kept: past 65536 distinct ones)",
                self.untracked
            );
        }
        if !self.subclasses.is_empty() {
            let _ = writeln!(o);
            let _ = writeln!(
                o,
                "Top sub-classes:\n{:>10} {:>8}  {:<34} Sub-class",
                "Count", "Share", "Class"
            );
            // Summed over contexts (the JSON keeps them apart).
            let mut merged: BTreeMap<(&str, &str), u64> = BTreeMap::new();
            for s in &self.subclasses {
                *merged.entry((&s.class, &s.name)).or_default() += s.count;
            }
            let mut rows: Vec<((&str, &str), u64)> = merged.into_iter().collect();
            rows.sort_by_key(|r| std::cmp::Reverse(r.1));
            for ((class, name), count) in rows.into_iter().take(top) {
                let _ = writeln!(
                    o,
                    "{:>10} {:>7.2}%  {:<34} {}",
                    count,
                    pct(count, self.traps),
                    self.class_name(class),
                    name
                );
            }
        }

        if !self.top_pcs.is_empty() {
            let _ = writeln!(o);
            let _ = writeln!(
                o,
                "Top PCs per class:\n{:>10} {:>10}  {:<12} {:<11} {:<40} Symbol",
                "PC", "Count", "Class", "Context", "ISS (last HSR)"
            );
            // `top_pcs` is by class (in the order of `classes`), most frequent first.
            let per_class = top.min(PCS_PER_CLASS);
            let mut shown: Vec<&PcRow> = Vec::new();
            for p in &self.top_pcs {
                if shown.iter().filter(|q| q.class == p.class).count() < per_class {
                    shown.push(p);
                }
            }
            for p in shown {
                let context = match p.vmid {
                    Some(v) => format!("VMID {v} {}", p.mode),
                    None => p.mode.clone(),
                };
                let _ = writeln!(
                    o,
                    "{:#010x} {:>10}  {:<12} {:<11} {:<40} {}",
                    p.pc,
                    p.count,
                    p.class,
                    context,
                    if p.iss.is_empty() {
                        "-".to_string()
                    } else {
                        format!("{} ({:#010x})", p.iss, p.hsr)
                    },
                    p.symbol.as_deref().unwrap_or("-")
                );
            }
        }
        o
    }

    fn class_name<'a>(&'a self, key: &'a str) -> &'a str {
        self.classes
            .iter()
            .find(|c| c.key == key)
            .map_or(key, |c| c.name.as_str())
    }
}

// ---- the run side: flags, trace file, Ctrl-A s, output at exit -------------------------

/// The Hyp statistics flags of `a15emu run`.
#[derive(clap::Args, Debug, Default)]
pub struct HypArgs {
    /// Print the Hyp-exception statistics table to stderr at exit (traps to Hyp mode
    /// by class, guests, sub-classes, top PCs, guest vs host time).
    #[arg(long)]
    pub hyp_stats: bool,
    /// Write the whole Hyp statistics report as JSON to FILE at exit (schema in README;
    /// `a15emu stats FILE` renders it again).
    #[arg(long, value_name = "FILE")]
    pub hyp_stats_json: Option<PathBuf>,
    /// Write one line per trap to Hyp mode to FILE: machine time, running count, class,
    /// PC, VMID and mode, decoded ISS.
    #[arg(long, value_name = "FILE")]
    pub hyp_trace: Option<PathBuf>,
    /// Name trapping PCs as symbol+offset from FILE (a System.map or an ELF file;
    /// repeatable). hyp:FILE names only PCs trapped from Hyp mode (the hypervisor's
    /// symbols), guest:FILE only the guests' PCs (a guest kernel's).
    #[arg(long, value_name = "[hyp:|guest:]FILE")]
    pub symbols: Vec<PathBuf>,
    /// Switch Hyp-exception counting off (it is on by default; for speed comparisons).
    #[arg(long, conflicts_with_all = ["hyp_stats", "hyp_stats_json", "hyp_trace"])]
    pub no_hyp_stats: bool,
}

/// The statistics outputs of one run.
pub struct HypOutput {
    table: bool,
    json: Option<PathBuf>,
    symbols: SymbolSets,
    start: std::time::Instant,
}

impl HypOutput {
    /// Applies the flags to the machine: counting on/off, the trace file, symbols.
    pub fn open(args: &HypArgs, m: &mut machine_vexpress::Machine) -> Result<HypOutput, String> {
        let mut symbols = SymbolSets::default();
        for p in &args.symbols {
            symbols.load(p)?;
        }
        m.cpu.hyp_stats.enabled = !args.no_hyp_stats;
        if let Some(p) = &args.hyp_trace {
            let f = std::fs::File::create(p)
                .map_err(|e| format!("cannot create {}: {e}", p.display()))?;
            let mut w = std::io::BufWriter::new(f);
            use std::io::Write;
            writeln!(w, "{TRACE_HEADER}")
                .map_err(|e| format!("cannot write {}: {e}", p.display()))?;
            m.cpu.hyp_stats.trace = Some(Box::new(w));
            m.cpu.hyp_stats.trace_describe = Some(describe_trap);
        }
        Ok(HypOutput {
            table: args.hyp_stats,
            json: args.hyp_stats_json.clone(),
            symbols,
            start: std::time::Instant::now(),
        })
    }

    /// The report of the run so far.
    pub fn report(&self, m: &mut machine_vexpress::Machine) -> Report {
        let n = m.cpu.insn_count;
        m.cpu.hyp_stats.settle(n);
        let info = RunInfo {
            clock: m.cpu.cfg.clock,
            machine_time_ns: m.cpu.cfg.clock.nanos(n),
            wall_time_ns: self.start.elapsed().as_nanos() as u64,
            instructions: n,
            symbols: (!self.symbols.is_empty()).then_some(&self.symbols),
        };
        Report::build(&m.cpu.hyp_stats, &info)
    }

    /// Runs the machine; a stop requested by Ctrl-A s prints the table (the terminal is
    /// raw: "\r\n" line ends) and resumes.
    pub fn run(
        &self,
        m: &mut machine_vexpress::Machine,
    ) -> Result<machine_vexpress::Exit, machine_vexpress::MachineError> {
        loop {
            let r = m.run();
            if matches!(r, Ok(machine_vexpress::Exit::Quit)) && crate::console::take_stats_request()
            {
                let t = self.report(m).table(CONSOLE_TOP).replace('\n', "\r\n");
                use std::io::Write;
                let mut out = std::io::stdout().lock();
                let _ = write!(out, "\r\n{t}");
                let _ = out.flush();
                continue;
            }
            return r;
        }
    }

    /// At exit: flushes the trace, prints the table, writes the JSON file.
    pub fn finish(&self, m: &mut machine_vexpress::Machine) -> Result<(), String> {
        m.cpu.hyp_stats.flush_trace();
        if !self.table && self.json.is_none() {
            return Ok(());
        }
        let r = self.report(m);
        if self.table {
            eprint!("{}", r.table(EXIT_TOP));
        }
        if let Some(p) = &self.json {
            std::fs::write(p, r.to_json())
                .map_err(|e| format!("cannot write {}: {e}", p.display()))?;
        }
        Ok(())
    }
}

/// The first line of a trace file.
pub const TRACE_HEADER: &str = "# time_s count class pc vmid mode iss";
/// Rows of the sub-class and PC sections at exit and on Ctrl-A s.
const EXIT_TOP: usize = 10;
const CONSOLE_TOP: usize = 5;

#[cfg(test)]
mod tests {
    use super::*;

    fn mcr(
        crn: u8,
        crm: u8,
        opc1: u8,
        opc2: u8,
        read: bool,
        cause: Option<&'static str>,
    ) -> SubClass {
        SubClass::Mcr {
            cp: 15,
            opc1,
            crn,
            crm,
            opc2,
            read,
            cause,
        }
    }

    #[test]
    fn coprocessor_subclasses_name_register_direction_and_control() {
        let c = TrapClass::from_ec(0x03);
        assert_eq!(
            subclass_name(c, &mcr(1, 0, 0, 0, false, Some("HCR.TVM"))),
            "SCTLR write, HCR.TVM"
        );
        assert_eq!(
            subclass_name(c, &mcr(1, 0, 0, 1, true, Some("HCR.TAC"))),
            "ACTLR read, HCR.TAC"
        );
        assert_eq!(
            subclass_name(c, &mcr(0, 1, 0, 0, true, Some("HCR.TID3"))),
            "ID_PFR0 read, HCR.TID3"
        );
        // An encoding with no register: the encoding itself (HSTR traps them).
        assert_eq!(
            subclass_name(c, &mcr(15, 15, 7, 7, true, Some("HSTR.T15"))),
            "p15 7 c15 c15 7 read, HSTR.T15"
        );
        let c64 = TrapClass::from_ec(0x04);
        let ttbr0 = SubClass::Mcrr {
            cp: 15,
            opc1: 0,
            crm: 2,
            read: false,
            cause: Some("HCR.TVM"),
        };
        assert_eq!(subclass_name(c64, &ttbr0), "TTBR0 write (64-bit), HCR.TVM");
        let cntpct = SubClass::Mcrr {
            cp: 15,
            opc1: 0,
            crm: 14,
            read: true,
            cause: Some("CNTHCTL.PL1PCTEN"),
        };
        assert_eq!(
            subclass_name(c64, &cntpct),
            "CNTPCT read (64-bit), CNTHCTL.PL1PCTEN"
        );
        let vmrs = TrapClass::from_ec(0x08);
        assert_eq!(
            subclass_name(vmrs, &SubClass::Vmrs { reg: 0 }),
            "FPSID read, HCR.TID0"
        );
        assert_eq!(
            subclass_name(vmrs, &SubClass::Vmrs { reg: 7 }),
            "MVFR0 read, HCR.TID3"
        );
        let hcptr = TrapClass::from_ec(0x07);
        assert_eq!(
            subclass_name(
                hcptr,
                &SubClass::Hcptr {
                    coproc: 10,
                    simd: false
                }
            ),
            "CP10, HCPTR.TCP10"
        );
        assert_eq!(
            subclass_name(
                hcptr,
                &SubClass::Hcptr {
                    coproc: 0,
                    simd: true
                }
            ),
            "Advanced SIMD, HCPTR.TASE"
        );
    }

    #[test]
    fn wfi_apart_from_wfe() {
        let c = TrapClass::from_ec(0x01);
        assert_eq!(
            subclass_name(c, &SubClass::Wfx { wfe: false }),
            "WFI, HCR.TWI"
        );
        assert_eq!(
            subclass_name(c, &SubClass::Wfx { wfe: true }),
            "WFE, HCR.TWE"
        );
    }

    #[test]
    fn hvc_and_smc_functions_are_named() {
        let hvc = TrapClass::from_ec(0x12);
        let h = |imm, func| subclass_name(hvc, &SubClass::Hvc { imm, func });
        assert_eq!(h(0, 0x8400_0003), "HVC #0x0 PSCI CPU_ON");
        assert_eq!(h(0, 0x8400_0008), "HVC #0x0 PSCI SYSTEM_OFF");
        assert_eq!(h(0, 0x8000_0000), "HVC #0x0 PSCI SMCCC_VERSION");
        assert_eq!(h(0, 0x8000_1234), "HVC #0x0 SMCCC 0x80001234");
        assert_eq!(h(0, 2), "HVC #0x0 r0=0x2");
        assert_eq!(h(0xea1, 29), "Xen hypercall sched_op (29)");
        assert_eq!(h(0xea1, 12), "Xen hypercall memory_op (12)");
        assert_eq!(h(0xea1, 1000), "Xen hypercall 1000");
        let smc = TrapClass::from_ec(0x13);
        assert_eq!(
            subclass_name(smc, &SubClass::Smc { func: 0x8400_0000 }),
            "SMC PSCI PSCI_VERSION"
        );
        // Every name of the list, by xen.h number.
        for (n, name) in [
            (0, "set_trap_table"),
            (12, "memory_op"),
            (17, "xen_version"),
            (18, "console_io"),
            (20, "grant_table_op"),
            (24, "vcpu_op"),
            (29, "sched_op"),
            (32, "event_channel_op"),
            (33, "physdev_op"),
            (34, "hvm_op"),
            (35, "sysctl"),
            (36, "domctl"),
            (48, "arch_0"),
            (55, "arch_7"),
        ] {
            assert_eq!(xen_hypercall_name(n), Some(name));
        }
        assert_eq!(xen_hypercall_name(11), None);
        assert_eq!(xen_hypercall_name(56), None);
        assert_eq!(psci_name(0x8400_0015), None);
    }

    #[test]
    fn data_aborts_name_the_device_at_the_ipa() {
        let d = TrapClass::from_ec(0x24);
        let a = |ipa_page, isv, write| {
            subclass_name(
                d,
                &SubClass::Dabt {
                    ipa_page,
                    isv,
                    write,
                },
            )
        };
        assert_eq!(
            a(0x2c00_1000, true, true),
            "IPA 0x2c001000 GICD, write, ISV"
        );
        assert_eq!(
            a(0x1c09_0000, true, false),
            "IPA 0x1c090000 UART0, read, ISV"
        );
        assert_eq!(
            a(0x2c00_3000, false, false),
            "IPA 0x2c003000 GICC, read, no ISV"
        );
        assert_eq!(
            a(0x0300_1000, true, true),
            "IPA 0x03001000 vGICD (Xen guest map), write, ISV"
        );
        assert_eq!(
            a(0x2200_0000, true, true),
            "IPA 0x22000000 vpl011 (Xen guest map), write, ISV"
        );
        assert_eq!(a(0x9000_0000, true, false), "IPA 0x90000000, read, ISV");
        assert_eq!(device_at(0x1c17_0ffc), Some("PL031 RTC"));
        assert_eq!(device_at(0x1c11_0000), Some("SP804 timer01"));
        assert_eq!(device_at(0x1c18_0000), None);
        let p = TrapClass::from_ec(0x20);
        assert_eq!(
            subclass_name(
                p,
                &SubClass::Pabt {
                    ipa_page: 0x8000_0000
                }
            ),
            "IPA 0x80000000"
        );
    }

    #[test]
    fn classes_without_subclass_use_the_class_name() {
        assert_eq!(subclass_name(TrapClass::IRQ, &SubClass::None), "IRQ");
        assert_eq!(
            subclass_name(TrapClass::MAINTENANCE, &SubClass::None),
            "maintenance interrupt"
        );
        assert_eq!(
            subclass_name(TrapClass::from_ec(0x0a), &SubClass::None),
            "BXJ"
        );
    }

    #[test]
    fn iss_decoding() {
        let hsr = |ec: u32, iss: u32| ec << 26 | 1 << 25 | iss;
        // mcr p15, 0, r1, c1, c0, 0 (unconditional: CV=1, COND=0xE).
        let sctlr = 1 << 24 | 0xe << 20 | 1 << 10 | 1 << 5;
        assert_eq!(
            describe_iss(TrapClass::from_ec(3), hsr(3, sctlr)),
            "mcr p15, 0, r1, c1, c0, 0"
        );
        // mrcne p15, 0, r3, c1, c0, 1.
        let actlr = 1 << 24 | 0x1 << 20 | 1 << 17 | 1 << 10 | 3 << 5 | 1;
        assert_eq!(
            describe_iss(TrapClass::from_ec(3), hsr(3, actlr)),
            "mrcne p15, 0, r3, c1, c0, 1"
        );
        // mcrr p15, 0, r2, r3, c2.
        let ttbr = 1 << 24 | 0xe << 20 | 3 << 10 | 2 << 5 | 2 << 1;
        assert_eq!(
            describe_iss(TrapClass::from_ec(4), hsr(4, ttbr)),
            "mcrr p15, 0, r2, r3, c2"
        );
        assert_eq!(
            describe_iss(TrapClass::from_ec(1), hsr(1, 1 << 24 | 0xe << 20)),
            "wfi"
        );
        assert_eq!(
            describe_iss(TrapClass::from_ec(1), hsr(1, 1 << 24 | 0xe << 20 | 1)),
            "wfe"
        );
        assert_eq!(
            describe_iss(TrapClass::from_ec(0x12), hsr(0x12, 0xea1)),
            "hvc #0xea1"
        );
        // Stage 2 data abort: ISV, word, r3, write, translation fault level 3.
        let dabt = 1 << 24 | 2 << 22 | 3 << 16 | 1 << 6 | 0b000111;
        assert_eq!(
            describe_iss(TrapClass::from_ec(0x24), hsr(0x24, dabt)),
            "data abort: translation L3, write, word r3"
        );
        assert_eq!(
            describe_iss(TrapClass::from_ec(0x24), hsr(0x24, 1 << 7 | 0b001011)),
            "data abort: access flag L3, read, no ISV, S1PTW"
        );
        assert_eq!(
            describe_iss(TrapClass::from_ec(0x20), hsr(0x20, 0b001110)),
            "instruction abort: permission L2"
        );
        assert_eq!(describe_iss(TrapClass::IRQ, 0), "");
        // vmrs r2, mvfr0 (EC 0x08: the MRC layout, CRn = the VFP register).
        assert_eq!(
            describe_iss(TrapClass::from_ec(8), 0x23e1_dc41),
            "vmrs r2, MVFR0"
        );
        assert_eq!(
            describe_iss(TrapClass::from_ec(0x07), hsr(7, 1 << 24 | 0xe << 20 | 10)),
            "cp10 access"
        );
    }

    #[test]
    fn trace_descriptions() {
        let rec = |class: TrapClass, sub, hsr| TrapRecord {
            time_ns: 0,
            count: 1,
            class,
            sub,
            pc: 0,
            hsr,
            from: Context::Hyp,
        };
        assert_eq!(
            describe_trap(&rec(
                TrapClass::from_ec(0x12),
                SubClass::Hvc {
                    imm: 0xea1,
                    func: 29
                },
                0x12 << 26 | 1 << 25 | 0xea1
            )),
            "hvc #0xea1 [Xen hypercall sched_op (29)]"
        );
        assert_eq!(describe_trap(&rec(TrapClass::IRQ, SubClass::None, 0)), "-");
    }

    #[test]
    fn symbols_from_an_elf_file() {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/roms/hvloop.elf");
        let mut s = Symbols::default();
        s.load(&p).unwrap();
        // hvloop's labels, linked at 0x80008000: guest at 0x800080dc, trap at 0x800080a0.
        assert_eq!(s.describe(0x8000_80f8).as_deref(), Some("guest+0x1c"));
        assert_eq!(s.describe(0x8000_80a4).as_deref(), Some("trap+0x4"));
        assert_eq!(s.describe(0x8000_8038).as_deref(), Some("reset+0x0"));
        let e = Symbols::default()
            .load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/roms/hvloop.bin"))
            .unwrap_err();
        assert!(e.contains("no symbols found"), "{e}");
    }

    #[test]
    fn symbols_from_system_map() {
        let dir = std::env::temp_dir().join(format!("a15emu-syms-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let map = dir.join("System.map");
        std::fs::write(
            &map,
            "c0008000 T stext\nc0100000 t cpu_v7_do_idle\nc0100040 T arch_cpu_idle\n\
             c0800000 D some_data\n00000000 A no_use\n",
        )
        .unwrap();
        let mut s = Symbols::default();
        s.load(&map).unwrap();
        assert_eq!(
            s.describe(0xc010_0004).as_deref(),
            Some("cpu_v7_do_idle+0x4")
        );
        assert_eq!(
            s.describe(0xc010_0040).as_deref(),
            Some("arch_cpu_idle+0x0")
        );
        assert_eq!(s.describe(0xc000_0000), None);
        // Data symbols are not code: the PC past them belongs to the last text symbol
        // only within the offset limit.
        assert_eq!(s.describe(0xc080_0000), None);
        let empty = dir.join("empty.map");
        std::fs::write(&empty, "nothing here\n").unwrap();
        let e = Symbols::default().load(&empty).unwrap_err();
        assert!(e.contains("no symbols found"), "{e}");
        let e = Symbols::default().load(&dir.join("missing")).unwrap_err();
        assert!(e.starts_with("cannot read symbols"), "{e}");
        // Scoped sets: hyp: names only Hyp-mode PCs, guest: only the guests'.
        let hyp = dir.join("hyp.map");
        std::fs::write(&hyp, "00200000 T hyp_vectors\n").unwrap();
        let mut sets = SymbolSets::default();
        assert!(sets.is_empty());
        sets.load(Path::new(&format!("hyp:{}", hyp.display())))
            .unwrap();
        sets.load(Path::new(&format!("guest:{}", map.display())))
            .unwrap();
        let guest = Context::Guest {
            vmid: 1,
            pl1: false,
        };
        assert_eq!(
            sets.describe(0x0020_0010, Context::Hyp).as_deref(),
            Some("hyp_vectors+0x10")
        );
        assert_eq!(sets.describe(0x0020_0010, guest), None);
        assert_eq!(sets.describe(0xc010_0004, Context::Hyp), None);
        assert_eq!(
            sets.describe(0xc010_0004, guest).as_deref(),
            Some("cpu_v7_do_idle+0x4")
        );
        // An unscoped file names any context's PCs.
        sets.load(&hyp).unwrap();
        assert_eq!(
            sets.describe(0x0020_0010, guest).as_deref(),
            Some("hyp_vectors+0x10")
        );
        let e = sets
            .load(Path::new(&format!(
                "guest:{}",
                dir.join("missing").display()
            )))
            .unwrap_err();
        assert!(e.starts_with("cannot read symbols"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
