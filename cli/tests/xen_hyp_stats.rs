//! The Hyp statistics of a real hypervisor (issue 6, items 6 and 7): Xen 4.17 with dom0
//! and two dom0less domUs (test_roms::linux::xen_a15emu_command, as the Xen boot test),
//! twice with the instruction-count clock. Both runs must count the same traps, class by
//! class and guest by guest, and every domain must show its hypercalls and its emulated
//! devices. The images must be in the cache (scripts/test.sh fetches them first).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use test_roms::linux::{self, XenImages, XEN_HALTED};

const DOMUS: usize = 2;

/// Boots Xen with `--clock instructions --hyp-stats-json`, returns the report.
fn xen_report(dir: &Path, name: &str) -> Value {
    let img = XenImages::find().unwrap_or_else(|e| panic!("{e}"));
    let json = dir.join(format!("{name}.json"));
    let mut cmd =
        linux::xen_a15emu_command(Path::new(env!("CARGO_BIN_EXE_a15emu")), &img, DOMUS, true);
    cmd.args(["--clock", "instructions", "--hyp-stats-json"])
        .arg(&json);
    for m in symbol_maps() {
        cmd.arg("--symbols").arg(m);
    }
    let b = linux::boot(cmd, &[XEN_HALTED], Duration::from_secs(1800))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        b.console.contains(XEN_HALTED) && b.status == Some(0),
        "{name}: status {:?}\n{}\n{}",
        b.status,
        b.tail(40),
        b.stderr
    );
    serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap()
}

/// The cache's symbol files as `--symbols` arguments: Xen's xen-syms.map for Hyp-mode
/// PCs (fetch-images.sh makes it with Xen) and the kernel's System.map for the guests'
/// if fetched (fetch-images.sh --kernel-symbols).
fn symbol_maps() -> Vec<String> {
    let d = linux::cache_dir();
    [
        ("hyp:", d.join("xen-syms.map")),
        ("guest:", d.join("System.map")),
    ]
    .into_iter()
    .filter(|(_, p)| p.is_file())
    .map(|(scope, p)| format!("{scope}{}", p.display()))
    .collect()
}

/// Item 2, symbols: Xen's own PCs (IRQs taken in Hyp mode while Xen runs; Xen's text
/// is 0x200000.. in its own address space, below the guest kernels' 0xc0000000) are
/// named from xen-syms.map; with the kernel's System.map, the guests' hypercalls and
/// WFIs are named by the kernel functions that issue them.
fn check_symbols(r: &Value) {
    let d = linux::cache_dir();
    assert!(
        d.join("xen-syms.map").is_file(),
        "no xen-syms.map: run scripts/fetch-images.sh"
    );
    let pcs = r["top_pcs"].as_array().unwrap();
    let sym = |p: &Value| p["symbol"].as_str().unwrap_or("").to_string();
    // PCs are kept per context: Hyp mode's are Xen's (its text is 0x200000..).
    let xen: Vec<&Value> = pcs.iter().filter(|p| p["mode"] == "Hyp").collect();
    assert!(
        xen.iter().any(|p| p["class"] == "irq"),
        "no Hyp-mode PC among the top IRQ PCs"
    );
    for p in &xen {
        assert!(p["vmid"].is_null(), "{p}");
        assert!(
            (0x20_0000..0x30_0000).contains(&p["pc"].as_u64().unwrap()),
            "Hyp-mode PC outside Xen's text: {p}"
        );
        assert!(sym(p).contains("+0x"), "Xen PC without a symbol: {p}");
    }
    // Guest PCs are never named from Xen's map (it is scoped to Hyp mode).
    for p in pcs.iter().filter(|p| p["mode"] != "Hyp") {
        assert!(
            p["vmid"].as_u64().is_some_and(|v| (1..=3).contains(&v)),
            "{p}"
        );
    }
    if !d.join("System.map").is_file() {
        eprintln!("note: no kernel System.map (fetch-images.sh --kernel-symbols): not checked");
        return;
    }
    // Xen's hypercalls (HVC #0xEA1) come from the kernel's HYPERVISOR_* stubs; other
    // HVCs (SMCCC: PSCI, KVM service probes) from functions of their own, all named.
    for p in pcs.iter().filter(|p| p["class"] == "hvc") {
        let s = sym(p);
        assert!(s.contains("+0x"), "{p}");
        if p["hsr"].as_u64().unwrap() & 0xffff == 0xea1 {
            assert!(s.starts_with("HYPERVISOR_"), "{p}");
        }
    }
    for p in pcs.iter().filter(|p| p["class"] == "wfx") {
        assert!(sym(p).contains("do_idle"), "{p}");
    }
}

/// (vmid, mode) -> class key -> count.
fn per_context(r: &Value) -> BTreeMap<(Option<u64>, String), BTreeMap<String, u64>> {
    r["contexts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let classes = c["classes"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
                .collect();
            (
                (c["vmid"].as_u64(), c["mode"].as_str().unwrap().to_string()),
                classes,
            )
        })
        .collect()
}

/// Data aborts of `vmid` at PL1 whose sub-class names one of `devices`.
fn dabt_at(r: &Value, vmid: u64, devices: &[&str]) -> u64 {
    r["subclasses"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| {
            s["class"] == "dabt_lower"
                && s["vmid"].as_u64() == Some(vmid)
                && devices
                    .iter()
                    .any(|d| s["name"].as_str().unwrap().contains(d))
        })
        .map(|s| s["count"].as_u64().unwrap())
        .sum()
}

#[test]
fn xen_trap_counts_are_deterministic_and_every_domain_traps() {
    let dir = std::env::temp_dir().join(format!("a15emu-xen-stats-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let a = xen_report(&dir, "run1");
    let b = xen_report(&dir, "run2");

    // Item 6: the same counts, class by class and context by context.
    assert_eq!(a["traps"], b["traps"]);
    assert_eq!(a["instructions"], b["instructions"]);
    assert_eq!(a["classes"], b["classes"]);
    assert_eq!(per_context(&a), per_context(&b));
    assert_eq!(a["subclasses"], b["subclasses"]);
    assert_eq!(a["top_pcs"], b["top_pcs"]);
    check_symbols(&a);

    // Item 7: dom0 is VMID 1, the domUs VMIDs 2 and 3 (Xen allocates VMIDs in domain
    // creation order: dom0, then the dom0less guests).
    let ctx = per_context(&a);
    let pl1 = |vmid: u64| &ctx[&(Some(vmid), "PL1".to_string())];
    for vmid in 1..=3 {
        let c = pl1(vmid);
        assert!(c.get("hvc").copied().unwrap_or(0) > 0, "VMID {vmid}: {c:?}");
        assert!(
            c.get("dabt_lower").copied().unwrap_or(0) > 0,
            "VMID {vmid}: {c:?}"
        );
    }
    // dom0 has the board's GIC distributor (emulated by Xen's vGIC) and probes the UARTs
    // Xen does not keep for itself; the domUs have Xen's guest map: vGICD and vpl011.
    assert!(dabt_at(&a, 1, &["GICD"]) > 0);
    assert!(dabt_at(&a, 1, &["UART1", "UART2", "UART3"]) > 0);
    for vmid in [2, 3] {
        assert!(dabt_at(&a, vmid, &["vGICD"]) > 0, "VMID {vmid}");
        assert!(dabt_at(&a, vmid, &["vpl011"]) > 0, "VMID {vmid}");
    }
    // dom0 idles in WFI (HCR.TWI) while it waits for the domUs; each domU idles for
    // 200 ms after its workload (the initramfs's /init).
    for vmid in 1..=3 {
        let c = pl1(vmid);
        assert!(c.get("wfx").copied().unwrap_or(0) > 0, "VMID {vmid}: {c:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
