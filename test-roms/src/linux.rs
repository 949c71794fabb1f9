//! Booting Debian's armhf Linux (the images `scripts/fetch-images.sh` puts in the cache)
//! under a15emu or QEMU as a child process: console capture, the time each marker
//! line appeared, and a timeout. Used by the Linux boot tests and the boot benchmark.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The marker lines the initramfs's /init prints.
pub const MARKER_INIT: &str = "A15EMU-MARKER: init started";
pub const MARKER_DONE: &str = "A15EMU-MARKER: workload done";
/// Kernel arguments of a non-interactive boot: /init powers off after its workload.
pub const TEST_APPEND: &str = "console=ttyAMA0 a15emu.test";

/// The image cache: `$A15EMU_CACHE`, else `$XDG_CACHE_HOME/a15emu`, else
/// `~/.cache/a15emu` (the same rule as scripts/fetch-images.sh).
pub fn cache_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("A15EMU_CACHE") {
        return d.into();
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from(".cache"));
    base.join("a15emu")
}

/// Debian's kernel, its vexpress-a15 device tree and the busybox initramfs.
#[derive(Clone, Debug)]
pub struct Images {
    pub kernel: PathBuf,
    pub dtb: PathBuf,
    pub initrd: PathBuf,
}

impl Images {
    /// The cached images, or a message saying how to fetch them.
    pub fn find() -> Result<Images, String> {
        let d = cache_dir();
        let i = Images {
            kernel: d.join("vmlinuz"),
            dtb: d.join("vexpress-v2p-ca15-tc1.dtb"),
            initrd: d.join("initrd.gz"),
        };
        for p in [&i.kernel, &i.dtb, &i.initrd] {
            if !p.is_file() {
                return Err(format!(
                    "{} is missing: run scripts/fetch-images.sh (scripts/test.sh does)",
                    p.display()
                ));
            }
        }
        Ok(i)
    }
}

/// What a boot printed and when.
#[derive(Debug)]
pub struct Boot {
    /// Everything written to the console (stdout).
    pub console: String,
    pub stderr: String,
    /// Exit status; `None` if killed at the timeout.
    pub status: Option<i32>,
    /// Seconds from start to the first line containing each watched marker.
    pub marks: Vec<(String, Option<f64>)>,
    pub total_secs: f64,
}

impl Boot {
    pub fn mark(&self, marker: &str) -> Option<f64> {
        self.marks
            .iter()
            .find(|(m, _)| m == marker)
            .and_then(|(_, t)| *t)
    }

    /// The last `n` console lines (for failure messages).
    pub fn tail(&self, n: usize) -> String {
        let lines: Vec<&str> = self.console.lines().collect();
        lines[lines.len().saturating_sub(n)..].join("\n")
    }
}

/// Runs `cmd` (stdin empty), timing when each of `markers` first appears on stdout;
/// kills it after `timeout`.
pub fn boot(cmd: Command, markers: &[&str], timeout: Duration) -> Result<Boot, String> {
    boot_until(cmd, markers, None, timeout)
}

/// [`boot`], also stopping the process (status `None`) once `stop_at` has appeared on
/// stdout: for an emulator that keeps running after the guest halted (QEMU's vexpress has
/// no PSCI, so Xen's halt ends in a WFI loop).
pub fn boot_until(
    mut cmd: Command,
    markers: &[&str],
    stop_at: Option<&str>,
    timeout: Duration,
) -> Result<Boot, String> {
    let start = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {:?}: {e}", cmd.get_program()))?;
    let mut out = child.stdout.take().expect("piped stdout");
    let mut err = child.stderr.take().expect("piped stderr");
    let (tx, rx) = mpsc::channel::<(Vec<u8>, f64)>();
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        loop {
            match out.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if tx
                        .send((buf[..n].to_vec(), start.elapsed().as_secs_f64()))
                        .is_err()
                    {
                        break;
                    }
                }
            }
        }
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        String::from_utf8_lossy(&s).into_owned()
    });
    let mut console = Vec::new();
    let mut marks: Vec<(String, Option<f64>)> =
        markers.iter().map(|m| (m.to_string(), None)).collect();
    let mut scan_from = 0;
    let stopped = std::cell::Cell::new(false);
    let mut absorb = |console: &mut Vec<u8>, chunk: Vec<u8>, t: f64, scan_from: &mut usize| {
        console.extend_from_slice(&chunk);
        // Only look at complete text once per chunk; markers are short lines.
        let text = String::from_utf8_lossy(&console[*scan_from..]).into_owned();
        for (m, at) in marks.iter_mut() {
            if at.is_none() && text.contains(m.as_str()) {
                *at = Some(t);
            }
        }
        if stop_at.is_some_and(|s| text.contains(s)) {
            stopped.set(true);
        }
        *scan_from = console.len().saturating_sub(64);
    };
    let status = loop {
        while let Ok((chunk, t)) = rx.try_recv() {
            absorb(&mut console, chunk, t, &mut scan_from);
        }
        if stopped.get() {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        match child.try_wait() {
            Ok(Some(s)) => break s.code(),
            Ok(None) => {}
            Err(e) => return Err(format!("waiting for the emulator: {e}")),
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        if let Ok((chunk, t)) = rx.recv_timeout(Duration::from_millis(20)) {
            absorb(&mut console, chunk, t, &mut scan_from);
        }
    };
    let total_secs = start.elapsed().as_secs_f64();
    let _ = reader.join();
    while let Ok((chunk, t)) = rx.try_recv() {
        absorb(&mut console, chunk, t, &mut scan_from);
    }
    let stderr = err_reader.join().unwrap_or_default();
    Ok(Boot {
        console: String::from_utf8_lossy(&console).into_owned(),
        stderr,
        status,
        marks,
        total_secs,
    })
}

/// The a15emu command line for a non-interactive boot of `img` (Debian's DTB when
/// `debian_dtb`, else the one a15emu generates).
pub fn a15emu_command(bin: &std::path::Path, img: &Images, debian_dtb: bool) -> Command {
    let mut c = Command::new(bin);
    c.arg("run").arg("--kernel").arg(&img.kernel);
    c.arg("--initrd").arg(&img.initrd);
    if debian_dtb {
        c.arg("--dtb").arg(&img.dtb);
    }
    c.args(["--append", TEST_APPEND]);
    c
}

/// QEMU's command line for the same boot (`-M vexpress-a15`, Debian's DTB, 512 MiB).
pub fn qemu_command(img: &Images) -> Command {
    let mut c = Command::new("qemu-system-arm");
    c.args([
        "-M",
        "vexpress-a15",
        "-m",
        "512M",
        "-nographic",
        "-no-reboot",
    ]);
    c.arg("-kernel").arg(&img.kernel);
    c.arg("-initrd").arg(&img.initrd);
    c.arg("-dtb").arg(&img.dtb);
    c.args(["-append", TEST_APPEND]);
    c
}

// --- Xen: the hypervisor with dom0 and dom0less guests -----------------------------------

/// Xen's command line for tests and benchmarks: the console on the DTB's serial0 (Debian's
/// DTB has no stdout-path), 256 MiB for dom0, one CPU (Debian's DTB lists two; the board
/// has one), no scrubbing of free RAM at boot (work that only costs time on both
/// emulators).
pub const XEN_APPEND: &str = "console=dtuart dtuart=serial0 dom0_mem=256M maxcpus=1 bootscrub=0";
/// Xen's line once dom0 powered off (then PSCI SYSTEM_OFF, or a WFI loop without PSCI).
pub const XEN_HALTED: &str = "Hardware Dom0 halted";
/// RAM of a Xen run.
pub const XEN_MEM: &str = "1G";
/// Memory of each domU.
pub const DOMU_MEM: &str = "128M";

/// The roles of a Xen run with `domus` guests: "dom0", "domU1", ...
pub fn xen_roles(domus: usize) -> Vec<String> {
    std::iter::once("dom0".to_string())
        .chain((1..=domus).map(|i| format!("domU{i}")))
        .collect()
}

/// The init-started marker of one role (the /init of scripts/fetch-images.sh tags its
/// markers with the kernel command line's a15emu.role).
pub fn role_init_marker(role: &str) -> String {
    format!("{MARKER_INIT} ({role})")
}

/// The workload-done marker of one role.
pub fn role_done_marker(role: &str) -> String {
    format!("{MARKER_DONE} ({role})")
}

/// dom0's kernel command line: console on Xen's hvc0; /init waits for `domus` guests'
/// done markers (reading Xen's console ring) before it powers off.
pub fn dom0_append(domus: usize) -> String {
    format!("console=hvc0 a15emu.test a15emu.role=dom0 a15emu.domus={domus}")
}

/// domU `i`'s (1-based) kernel command line: console on Xen's emulated PL011.
pub fn domu_append(i: usize) -> String {
    format!("console=ttyAMA0 a15emu.test a15emu.role=domU{i}")
}

/// Xen and the Linux images (the same kernel and initramfs serve dom0 and the domUs).
#[derive(Clone, Debug)]
pub struct XenImages {
    pub xen: PathBuf,
    pub linux: Images,
}

impl XenImages {
    pub fn find() -> Result<XenImages, String> {
        let linux = Images::find()?;
        let xen = cache_dir().join("xen-4.17-armhf");
        if !xen.is_file() {
            return Err(format!(
                "{} is missing: run scripts/fetch-images.sh (scripts/test.sh does)",
                xen.display()
            ));
        }
        Ok(XenImages { xen, linux })
    }
}

/// The `a15emu run` arguments of a Xen boot with `domus` guests: Xen with
/// [`XEN_APPEND`], dom0 and the domUs on Debian's kernel and the busybox initramfs, and
/// Debian's DTB when `debian_dtb` (a15emu adds a PSCI node to it so Xen can power off)
/// or the generated one.
pub fn xen_a15emu_command(
    bin: &std::path::Path,
    img: &XenImages,
    domus: usize,
    debian_dtb: bool,
) -> Command {
    let mut c = Command::new(bin);
    c.arg("run").arg("--kernel").arg(&img.xen);
    c.args(["--mem", XEN_MEM, "--append", XEN_APPEND]);
    if debian_dtb {
        c.arg("--dtb").arg(&img.linux.dtb);
    }
    let k = img.linux.kernel.display();
    let i = img.linux.initrd.display();
    c.arg("--dom0")
        .arg(format!("{k},initrd={i},append={}", dom0_append(domus)));
    for n in 1..=domus {
        c.arg("--domu").arg(format!(
            "{k},initrd={i},mem={DOMU_MEM},append={}",
            domu_append(n)
        ));
    }
    c
}

/// The same Xen boot under QEMU 7.2:
/// ```text
/// qemu-system-arm -M vexpress-a15,virtualization=on,secure=off -cpu cortex-a15 -m 1G \
///   -nographic -no-reboot -kernel xen-4.17-armhf -dtb DIR/xen-qemu.dtb \
///   -device loader,file=vmlinuz,addr=DOM0_KERNEL,force-raw=on \
///   -device loader,file=initrd.gz,addr=DOM0_INITRD,force-raw=on  (and per domU)
/// ```
/// `secure=off` makes QEMU enter the kernel in Non-secure Hyp mode (with `secure=on`, the
/// default with `virtualization=on`, it enters Secure SVC and Xen stops at once). QEMU
/// has no boot-module loader for vexpress, so the harness lays the modules out exactly as
/// a15emu does (machine_vexpress::xen, same images and arguments), writes the resulting
/// DTB (Debian's, patched, without a PSCI node: QEMU's vexpress has no PSCI) to
/// `dir/xen-qemu.dtb`, and loads each module at its address with QEMU's generic loader.
/// QEMU puts Xen at RAM base + 64 KiB and keeps its DTB copy at RAM base + 128 MiB, clear
/// of the modules. Without PSCI Xen's halt ends in a WFI loop: stop QEMU at
/// [`XEN_HALTED`] ([`boot_until`]).
pub fn xen_qemu_command(
    img: &XenImages,
    domus: usize,
    dir: &std::path::Path,
) -> Result<Command, String> {
    use machine_vexpress::{DomU, Guest, Machine, MachineConfig, XenBoot};
    let read = |p: &PathBuf| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
    let kernel = read(&img.linux.kernel)?;
    let initrd = read(&img.linux.initrd)?;
    let guest = |cmdline: String| Guest {
        kernel: kernel.clone(),
        initrd: Some(initrd.clone()),
        cmdline,
    };
    let boot = XenBoot {
        xen: read(&img.xen)?,
        dtb: Some(read(&img.linux.dtb)?),
        cmdline: XEN_APPEND.into(),
        dom0: Some(guest(dom0_append(domus))),
        domus: (1..=domus)
            .map(|n| DomU {
                guest: guest(domu_append(n)),
                mem: 128 << 20,
                cpus: 1,
            })
            .collect(),
    };
    let mut m = Machine::new(MachineConfig {
        ram_size: 1 << 30,
        psci: false,
        ..MachineConfig::default()
    })
    .map_err(|e| e.to_string())?;
    let l = m.load_xen(&boot).map_err(|e| e.to_string())?;
    let blob = m
        .cpu
        .ram
        .slice(l.dtb.0, (l.dtb.1 - l.dtb.0) as usize)
        .ok_or("the DTB is outside RAM")?;
    let dtb = dir.join("xen-qemu.dtb");
    std::fs::write(&dtb, blob).map_err(|e| format!("{}: {e}", dtb.display()))?;
    let mut c = Command::new("qemu-system-arm");
    c.env("QEMU_AUDIO_DRV", "none");
    c.args([
        "-M",
        "vexpress-a15,virtualization=on,secure=off",
        "-cpu",
        "cortex-a15",
        "-m",
        XEN_MEM,
        "-nographic",
        "-no-reboot",
    ]);
    c.arg("-kernel").arg(&img.xen);
    c.arg("-dtb").arg(&dtb);
    let mut load = |file: &PathBuf, at: u64| {
        c.arg("-device").arg(format!(
            "loader,file={},addr={at:#x},force-raw=on",
            file.display()
        ));
    };
    for g in l.dom0.iter().chain(&l.domus) {
        load(&img.linux.kernel, g.kernel.0);
        if let Some((s, _)) = g.initrd {
            load(&img.linux.initrd, s);
        }
    }
    Ok(c)
}
