// Temporary boot experiment (not committed).
use emu_core::Mode;
use machine_vexpress::*;
fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("A15EMU_LOG"))
        .with_writer(std::io::stderr)
        .init();
    let a: Vec<String> = std::env::args().collect();
    let virt = a.get(3).map(|s| s == "hyp").unwrap_or(false);
    let cfg = MachineConfig {
        ram_size: 1 << 30,
        virtualization: virt,
        max_insns: Some(
            a.get(4)
                .map(|s| s.parse().unwrap())
                .unwrap_or(3_000_000_000),
        ),
        ..Default::default()
    };
    let mut m = Machine::new(cfg).unwrap();
    let k = std::fs::read(&a[1]).unwrap();
    let d = std::fs::read(&a[2]).unwrap();
    m.cpu
        .ram
        .slice_mut(0x8000_8000, k.len())
        .unwrap()
        .copy_from_slice(&k);
    m.cpu
        .ram
        .slice_mut(0x8800_0000, d.len())
        .unwrap()
        .copy_from_slice(&d);
    m.cpu
        .reset(0x8000_8000, if virt { Mode::Hyp } else { Mode::Svc });
    m.cpu.s.regs[0] = 0;
    m.cpu.s.regs[1] = 0xffff_ffff;
    m.cpu.s.regs[2] = 0x8800_0000;
    let t = std::time::Instant::now();
    let r = m.run();
    let el = t.elapsed();
    if std::env::var("SAMPLE").is_ok() {
        let mut h = std::collections::HashMap::new();
        for _ in 0..20000 {
            for _ in 0..997 {
                m.cpu.step();
            }
            *h.entry((m.cpu.s.regs[15], m.cpu.s.regs[14])).or_insert(0) += 1;
        }
        let mut v: Vec<_> = h.into_iter().collect();
        v.sort_by_key(|x| -x.1);
        for ((pc, lr), n) in v.iter().take(25) {
            eprintln!("{n:6} pc {pc:#x} lr {lr:#x}");
        }
    }
    if std::env::var("DUMP").is_ok() {
        dump(&m);
    }
    eprintln!("regs {:x?} cpsr {:#x}", m.cpu.s.regs, m.cpu.s.cpsr());
    eprintln!(
        "\n== {:?} after {} insns, {:?}, pc={:#x} cpsr mode",
        r, m.cpu.insn_count, el, m.cpu.s.regs[15]
    );
}
#[allow(dead_code)]
fn dump(m: &Machine) {
    let r = m.cpu.ram.slice(0x8000_0000, 1 << 30).unwrap();
    std::fs::write("/tmp/ram.bin", r).unwrap();
}
