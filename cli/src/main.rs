//! `a15emu`: run software on an emulated Cortex-A15 Versatile Express board.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use emu_core::timer::ClockSource;
use machine_vexpress::{
    linux, xen, DomU, Exit, Guest, LinuxBoot, LinuxError, Machine, MachineConfig, MachineError,
    XenBoot, XenError,
};

mod console;
mod hyp_report;
mod stats_cmd;

#[derive(Parser)]
#[command(
    name = "a15emu",
    version,
    about = "Cortex-A15 (ARMv7-A, LPAE, Virtualization Extensions) Versatile Express emulator"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a program or kernel.
    Run(Box<RunArgs>),
    /// Render a Hyp statistics report (--hyp-stats-json) again; --plot draws it.
    Stats(stats_cmd::StatsArgs),
}

#[derive(clap::Args)]
struct RunArgs {
    /// The image to run. A Linux kernel (zImage, uImage, or an ELF vmlinux: one with a
    /// .head.text section or an entry at 0xc0000000 or above) boots by the Linux boot
    /// protocol with a device tree; any other ELF file or raw binary (loaded at the start
    /// of RAM) runs as a bare-metal program. With --semihosting, always bare-metal.
    #[arg(long)]
    kernel: PathBuf,
    /// Device tree blob for a Linux kernel, patched with the RAM size, --append and the
    /// initrd (default: a15emu generates one describing the board).
    #[arg(long)]
    dtb: Option<PathBuf>,
    /// Initial ramdisk for a Linux kernel.
    #[arg(long)]
    initrd: Option<PathBuf>,
    /// The Virtualization Extensions: on (a Linux kernel starts in Hyp mode) or off
    /// (it starts in SVC mode), as QEMU's -M vexpress-a15,virtualization=on|off.
    #[arg(long, value_name = "on|off", default_value = "on", value_parser = parse_on_off,
          action = clap::ArgAction::Set)]
    virtualization: bool,
    /// Write the device tree a Linux kernel would get to FILE and exit (as QEMU's
    /// -machine dumpdtb=FILE).
    #[arg(long, value_name = "FILE")]
    dump_dtb: Option<PathBuf>,
    /// Print where the kernel, initrd and device tree were loaded to stderr.
    #[arg(long, short)]
    verbose: bool,
    /// Service Arm semihosting calls (bare-metal programs); the exit status is the
    /// program's SYS_EXIT status.
    #[arg(long)]
    semihosting: bool,
    /// RAM size, with an optional K, M or G suffix (default 512M; 1G when booting Xen).
    #[arg(long, value_parser = parse_size)]
    mem: Option<u64>,
    /// Stop with an error after this many guest instructions.
    #[arg(long)]
    max_insns: Option<u64>,
    /// Hyp-exception statistics (--hyp-stats, --hyp-stats-json, --hyp-trace, ...).
    #[command(flatten)]
    hyp: hyp_report::HypArgs,
    /// The machine's clock: host time, or one 16 ns tick per instruction (deterministic
    /// runs: the same guest makes the same traps).
    #[arg(long, value_name = "host|instructions", default_value = "host", value_parser = parse_clock)]
    clock: ClockSource,
    /// Print instructions executed, wall time and guest MIPS to stderr at exit.
    #[arg(long)]
    stats: bool,
    /// Kernel command line (/chosen/bootargs; empty keeps a --dtb's own), or the
    /// program's command line (semihosting SYS_GET_CMDLINE). With --dom0/--domu: Xen's
    /// command line (default "console=dtuart dtuart=serial0 dom0_mem=256M").
    #[arg(long)]
    append: Option<String>,
    /// Boot --kernel as the Xen hypervisor with this dom0:
    /// KERNEL[,initrd=FILE][,append=ARGS] (append= last: ARGS runs to the end and may
    /// contain commas; default "console=hvc0").
    #[arg(long, value_name = "KERNEL[,initrd=FILE][,append=ARGS]")]
    dom0: Option<String>,
    /// Boot --kernel as the Xen hypervisor with this dom0less guest (repeatable: domU1,
    /// domU2, ...): KERNEL[,initrd=FILE][,mem=SIZE][,append=ARGS] (mem default 128M;
    /// append default "console=ttyAMA0", on Xen's emulated PL011).
    #[arg(long, value_name = "KERNEL[,initrd=FILE][,mem=SIZE][,append=ARGS]")]
    domu: Vec<String>,
}

fn parse_clock(s: &str) -> Result<ClockSource, String> {
    match s {
        "host" => Ok(ClockSource::Host),
        "instructions" | "insns" => Ok(ClockSource::Instructions),
        _ => Err(format!("expected host or instructions, not {s:?}")),
    }
}

/// Xen's command line when --append is not given.
const XEN_DEFAULT_APPEND: &str = "console=dtuart dtuart=serial0 dom0_mem=256M";
const DOM0_DEFAULT_APPEND: &str = "console=hvc0";
const DOMU_DEFAULT_APPEND: &str = "console=ttyAMA0";
/// RAM when booting Xen and no --mem is given.
const XEN_DEFAULT_MEM: u64 = 1 << 30;
const DEFAULT_MEM: u64 = 512 << 20;

/// A parsed --dom0 / --domu value.
#[derive(Debug, PartialEq, Eq)]
struct GuestSpec {
    kernel: PathBuf,
    initrd: Option<PathBuf>,
    mem: Option<u64>,
    append: Option<String>,
}

/// Parses KERNEL[,initrd=FILE][,mem=SIZE][,append=ARGS]; `mem=` only when `allow_mem`.
/// `append=` takes the rest of the value, commas included.
fn parse_guest_spec(flag: &str, spec: &str, allow_mem: bool) -> Result<GuestSpec, String> {
    let bad = |m: String| Err(format!("{flag} '{spec}': {m}"));
    let (kernel, mut rest) = match spec.split_once(',') {
        Some((k, r)) => (k, Some(r)),
        None => (spec, None),
    };
    if kernel.is_empty() {
        return bad("no kernel file (expected KERNEL[,key=value...])".into());
    }
    let mut g = GuestSpec {
        kernel: kernel.into(),
        initrd: None,
        mem: None,
        append: None,
    };
    while let Some(r) = rest {
        if let Some(args) = r.strip_prefix("append=") {
            g.append = Some(args.to_string());
            break;
        }
        let (item, next) = match r.split_once(',') {
            Some((i, n)) => (i, Some(n)),
            None => (r, None),
        };
        rest = next;
        let Some((key, value)) = item.split_once('=') else {
            return bad(format!("'{item}' is not key=value"));
        };
        match key {
            "initrd" if g.initrd.is_some() => return bad("initrd= given twice".into()),
            "initrd" if value.is_empty() => return bad("initrd= needs a file".into()),
            "initrd" => g.initrd = Some(value.into()),
            "mem" if !allow_mem => {
                return bad("mem= is for --domu (dom0's memory is Xen's dom0_mem=)".into())
            }
            "mem" if g.mem.is_some() => return bad("mem= given twice".into()),
            "mem" => match parse_size(value) {
                Ok(v) => g.mem = Some(v),
                Err(e) => return bad(e),
            },
            _ => {
                let keys = if allow_mem {
                    "initrd, mem, append"
                } else {
                    "initrd, append"
                };
                return bad(format!("unknown key '{key}' (known: {keys})"));
            }
        }
    }
    Ok(g)
}

fn read_guest(who: &str, g: &GuestSpec, default_append: &str) -> Result<Guest, String> {
    Ok(Guest {
        kernel: read_file(&format!("{who} kernel"), &g.kernel)?,
        initrd: g
            .initrd
            .as_deref()
            .map(|p| read_file(&format!("{who} initrd"), p))
            .transpose()?,
        cmdline: g
            .append
            .clone()
            .unwrap_or_else(|| default_append.to_string()),
    })
}

fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let m = match c.to_ascii_uppercase() {
                'K' => 1u64 << 10,
                'M' => 1 << 20,
                'G' => 1 << 30,
                _ => return Err(format!("unknown size suffix '{c}' (use K, M or G)")),
            };
            (&s[..i], m)
        }
        _ => (s, 1 << 20),
    };
    let n: u64 = num.parse().map_err(|_| format!("'{s}' is not a size"))?;
    n.checked_mul(mult)
        .ok_or_else(|| format!("'{s}' is too large"))
}

fn parse_on_off(s: &str) -> Result<bool, String> {
    match s {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(format!("'{s}' is not 'on' or 'off'")),
    }
}

fn read_file(what: &str, path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {what} {}: {e}", path.display()))
}

fn run(args: RunArgs) -> Result<i32, String> {
    let xen_mode = args.dom0.is_some() || !args.domu.is_empty();
    // Check the Xen specs before reading any file: a typo is reported as such.
    let dom0_spec = args
        .dom0
        .as_deref()
        .map(|s| parse_guest_spec("--dom0", s, false))
        .transpose()?;
    let domu_specs = args
        .domu
        .iter()
        .map(|s| parse_guest_spec("--domu", s, true))
        .collect::<Result<Vec<_>, _>>()?;
    if xen_mode && args.semihosting {
        return Err(
            "--dom0/--domu boot --kernel as Xen; --semihosting is for bare-metal programs".into(),
        );
    }
    if xen_mode && args.initrd.is_some() {
        return Err(
            "--initrd is for a Linux --kernel; with Xen give dom0's as --dom0 KERNEL,initrd=FILE"
                .into(),
        );
    }
    let image = read_file("kernel image", &args.kernel)?;
    let mem = args.mem.unwrap_or(if xen_mode {
        XEN_DEFAULT_MEM
    } else {
        DEFAULT_MEM
    });
    let cfg = MachineConfig {
        ram_size: mem,
        semihosting: args.semihosting,
        virtualization: args.virtualization,
        max_insns: args.max_insns,
        clock: args.clock,
        ..MachineConfig::default()
    };
    let append = args.append.clone().unwrap_or_default();
    let linux = !xen_mode && !args.semihosting && linux::detect(&image).is_some();
    if !linux && !xen_mode && (args.dtb.is_some() || args.initrd.is_some()) {
        return Err(format!(
            "{}: --dtb and --initrd need a Linux kernel image (zImage, uImage or vmlinux){}",
            args.kernel.display(),
            if args.semihosting {
                " and no --semihosting"
            } else {
                ""
            }
        ));
    }
    let mut m = Machine::new(cfg).map_err(|e| e.to_string())?;
    m.semihosting.cmdline = append.clone();
    let user_dtb = args
        .dtb
        .as_deref()
        .map(|p| read_file("device tree", p))
        .transpose()?;
    // (summary for --verbose, DTB range for --dump-dtb)
    let loaded: Option<(String, (u64, u64))> = if xen_mode {
        let dom0 = dom0_spec
            .as_ref()
            .map(|g| read_guest("dom0", g, DOM0_DEFAULT_APPEND))
            .transpose()?;
        let mut domus = Vec::new();
        for (i, g) in domu_specs.iter().enumerate() {
            domus.push(DomU {
                guest: read_guest(&format!("domU{}", i + 1), g, DOMU_DEFAULT_APPEND)?,
                mem: g.mem.unwrap_or(xen::DEFAULT_DOMU_MEM),
                cpus: 1,
            });
        }
        let boot = XenBoot {
            xen: image,
            dtb: user_dtb,
            cmdline: args
                .append
                .clone()
                .unwrap_or_else(|| XEN_DEFAULT_APPEND.to_string()),
            dom0,
            domus,
        };
        let layout = m.load_xen(&boot).map_err(|e| {
            // Name the file the error is about.
            let file = match &e {
                MachineError::Xen(XenError::Dtb(_)) => args.dtb.clone(),
                MachineError::Xen(XenError::Guest { who, .. }) if who == "dom0" => {
                    dom0_spec.as_ref().map(|g| g.kernel.clone())
                }
                MachineError::Xen(XenError::Guest { who, .. }) => who
                    .strip_prefix("domU")
                    .and_then(|n| n.parse::<usize>().ok())
                    .and_then(|n| domu_specs.get(n.wrapping_sub(1)))
                    .map(|g| g.kernel.clone()),
                MachineError::Xen(XenError::NotXen(_)) => Some(args.kernel.clone()),
                _ => None,
            };
            match file {
                Some(f) => format!("{}: {e}", f.display()),
                None => e.to_string(),
            }
        })?;
        Some((layout.to_string(), layout.dtb))
    } else if linux {
        let boot = LinuxBoot {
            kernel: image,
            dtb: user_dtb,
            initrd: args
                .initrd
                .as_deref()
                .map(|p| read_file("initrd", p))
                .transpose()?,
            cmdline: append.clone(),
        };
        let layout = m.load_linux(&boot).map_err(|e| {
            // Name the file the error is about.
            let file = match &e {
                MachineError::Linux(LinuxError::Dtb(_)) => args.dtb.as_deref(),
                MachineError::Linux(LinuxError::DoesNotFit { what: "initrd", .. }) => {
                    args.initrd.as_deref()
                }
                _ => None,
            }
            .unwrap_or(&args.kernel);
            format!("{}: {e}", file.display())
        })?;
        Some((layout.to_string(), layout.dtb))
    } else {
        m.load_program(&image)
            .map_err(|e| format!("{}: {e}", args.kernel.display()))?;
        None
    };
    if let Some((summary, (start, end))) = &loaded {
        if args.verbose {
            eprintln!("a15emu: {summary}");
        }
        if let Some(path) = &args.dump_dtb {
            let blob = m
                .cpu
                .ram
                .slice(*start, (end - start) as usize)
                .unwrap_or(&[]);
            std::fs::write(path, blob)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            return Ok(0);
        }
    }
    // Board runs have UART0 on stdin/stdout; semihosting programs use the console
    // through semihosting calls instead.
    let console = (!args.semihosting).then(|| console::Console::attach(&mut m));
    let start = std::time::Instant::now();
    let hyp = hyp_report::HypOutput::open(&args.hyp, &mut m)?;
    let result = hyp.run(&mut m);
    let quit = console.and_then(console::Console::detach);
    hyp.finish(&mut m)?;
    if args.stats {
        let secs = start.elapsed().as_secs_f64();
        let n = m.cpu.insn_count;
        eprintln!(
            "a15emu: {n} instructions in {secs:.3} s: {:.1} MIPS",
            n as f64 / secs / 1e6
        );
    }
    let exit = result.map_err(|e| e.to_string())?;
    if let (Exit::Quit, Some(q)) = (exit, quit) {
        eprintln!("a15emu: {}", q.message());
        return Ok(q.status());
    }
    Ok(exit.status())
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("A15EMU_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run(*args),
        Command::Stats(args) => stats_cmd::run(args),
    };
    match result {
        Ok(status) => ExitCode::from(status as u8),
        Err(e) => {
            eprintln!("a15emu: {e}");
            ExitCode::from(2)
        }
    }
}
