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
pub fn boot(mut cmd: Command, markers: &[&str], timeout: Duration) -> Result<Boot, String> {
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
    let mut absorb = |console: &mut Vec<u8>, chunk: Vec<u8>, t: f64, scan_from: &mut usize| {
        console.extend_from_slice(&chunk);
        // Only look at complete text once per chunk; markers are short lines.
        let text = String::from_utf8_lossy(&console[*scan_from..]).into_owned();
        for (m, at) in marks.iter_mut() {
            if at.is_none() && text.contains(m.as_str()) {
                *at = Some(t);
            }
        }
        *scan_from = console.len().saturating_sub(64);
    };
    let status = loop {
        while let Ok((chunk, t)) = rx.try_recv() {
            absorb(&mut console, chunk, t, &mut scan_from);
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
