//! The demonstration's symbol files (issue 6, item 2): scripts/fetch-images.sh makes
//! xen-syms.map (Xen's code symbols, from xen-hypervisor-4.17-armhf-dbg's xen-syms) next
//! to xen-4.17-armhf, and with --kernel-symbols the guest kernel's System.map (from
//! linux-image-6.1.0-NN-armmp-lpae-dbg). Checks that Xen's map belongs to the cached Xen
//! binary and that `a15emu run --symbols` takes both. The images must be in the cache
//! (scripts/test.sh fetches them first); the kernel's System.map is optional: its checks
//! are skipped, with a note, when it is absent.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use test_roms::linux::{cache_dir, XenImages};

/// Xen's link address: xen-4.17-armhf is the raw image of its .text onwards.
const XEN_BASE: u32 = 0x0020_0000;

/// A System.map's code symbols (T/t/W/w): address -> names.
fn code_symbols(path: &Path) -> BTreeMap<u32, Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}: run scripts/fetch-images.sh (scripts/test.sh does)",
            path.display()
        )
    });
    let mut m: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() >= 3 && f[1].len() == 1 && "TtWw".contains(f[1]) {
            let a = u32::from_str_radix(f[0], 16)
                .unwrap_or_else(|e| panic!("{}: bad line {line:?}: {e}", path.display()));
            m.entry(a).or_default().push(f[2].to_string());
        }
    }
    m
}

fn addr_of(m: &BTreeMap<u32, Vec<String>>, name: &str) -> u32 {
    *m.iter()
        .find(|(_, names)| names.iter().any(|n| n == name))
        .unwrap_or_else(|| panic!("no symbol {name}"))
        .0
}

fn xen_map() -> PathBuf {
    cache_dir().join("xen-syms.map")
}

/// The kernel's System.map if fetched (`scripts/fetch-images.sh --kernel-symbols`).
fn kernel_map() -> Option<PathBuf> {
    let p = cache_dir().join("System.map");
    if p.is_file() {
        Some(p)
    } else {
        eprintln!(
            "note: {} is absent (scripts/fetch-images.sh --kernel-symbols fetches it): \
             skipping the kernel symbol checks",
            p.display()
        );
        None
    }
}

/// Xen's map is the cached Xen's: its Hyp vector table (HVBAR's eight entries, Arm ARM
/// B1.8.1) is eight branches, each to the trap_* handler the map names at its target,
/// and the Hyp trap handlers lie in Xen's text.
#[test]
fn xen_symbols_belong_to_the_cached_xen() {
    let img = XenImages::find().unwrap_or_else(|e| panic!("{e}"));
    let m = code_symbols(&xen_map());
    assert!(
        m.len() > 1000,
        "only {} code symbols in xen-syms.map",
        m.len()
    );
    let xen = std::fs::read(&img.xen).unwrap();
    let stext = addr_of(&m, "_stext");
    let etext = addr_of(&m, "_etext");
    assert_eq!(stext, XEN_BASE);
    for f in [
        "enter_hypervisor_from_guest",
        "do_trap_guest_sync",
        "do_trap_hyp_sync",
        "do_trap_irq",
        "leave_hypervisor_to_guest",
    ] {
        let a = addr_of(&m, f);
        assert!((stext..etext).contains(&a), "{f} at {a:#x}");
    }
    let vectors = addr_of(&m, "hyp_traps_vector");
    assert_eq!(vectors % 32, 0, "HVBAR is 32-byte aligned");
    let mut handlers = Vec::new();
    for i in 0..8u32 {
        let pc = vectors + 4 * i;
        let off = (pc - XEN_BASE) as usize;
        let insn = u32::from_le_bytes(xen[off..off + 4].try_into().unwrap());
        // B <label> (A1): cond 1110, 1010, imm24; target = PC + 8 + imm24 * 4.
        assert_eq!(
            insn >> 24,
            0xea,
            "vector {i} at {pc:#x}: {insn:#010x} is not B"
        );
        let imm = ((insn << 8) as i32) >> 6;
        let target = pc.wrapping_add(8).wrapping_add(imm as u32);
        let names = m
            .get(&target)
            .unwrap_or_else(|| panic!("vector {i} branches to {target:#x}: no symbol there"));
        handlers.push(names.join("/"));
    }
    assert!(
        handlers.iter().all(|n| n.starts_with("trap_")),
        "{handlers:?}"
    );
    assert!(
        handlers.contains(&"trap_guest_sync".to_string()),
        "{handlers:?}"
    );
    assert!(handlers.contains(&"trap_irq".to_string()), "{handlers:?}");
}

/// `a15emu run --symbols` takes Xen's map and the kernel's System.map (a map it could
/// not read stops the run before the first instruction with one error line).
#[test]
fn run_loads_the_symbol_files() {
    let img = XenImages::find().unwrap_or_else(|e| panic!("{e}"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_a15emu"));
    cmd.arg("run")
        .arg("--kernel")
        .arg(&img.xen)
        .args(["--mem", "1G", "--max-insns", "1000", "--hyp-stats"])
        .arg("--dom0")
        .arg(&img.linux.kernel)
        .arg("--symbols")
        .arg(xen_map());
    if let Some(k) = kernel_map() {
        let m = code_symbols(&k);
        assert!(
            m.len() > 20000,
            "only {} code symbols in {}",
            m.len(),
            k.display()
        );
        for f in ["vector_swi", "cpu_ca15_do_idle", "HYPERVISOR_console_io"] {
            assert!(addr_of(&m, f) >= 0xc000_0000, "{f}");
        }
        cmd.arg("--symbols").arg(k);
    }
    let out = cmd.stdin(Stdio::null()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("instruction limit of 1000 reached")
            && !stderr.contains("no symbols found")
            && !stderr.contains("cannot read symbols"),
        "{stderr}"
    );
}
