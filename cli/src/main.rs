//! `a15emu`: run software on an emulated Cortex-A15 Versatile Express board.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use machine_vexpress::{linux, Exit, LinuxBoot, LinuxError, Machine, MachineConfig, MachineError};

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
    Run(RunArgs),
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
    /// RAM size, with an optional K, M or G suffix (default 512M).
    #[arg(long, default_value = "512M", value_parser = parse_size)]
    mem: u64,
    /// Stop with an error after this many guest instructions.
    #[arg(long)]
    max_insns: Option<u64>,
    /// Hyp-exception statistics (--hyp-stats, --hyp-stats-json, --hyp-trace, ...).
    #[command(flatten)]
    hyp: hyp_report::HypArgs,
    /// Print instructions executed, wall time and guest MIPS to stderr at exit.
    #[arg(long)]
    stats: bool,
    /// Kernel command line (/chosen/bootargs; empty keeps a --dtb's own), or the
    /// program's command line (semihosting SYS_GET_CMDLINE).
    #[arg(long, default_value = "")]
    append: String,
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
    let image = read_file("kernel image", &args.kernel)?;
    let cfg = MachineConfig {
        ram_size: args.mem,
        semihosting: args.semihosting,
        virtualization: args.virtualization,
        max_insns: args.max_insns,
        ..MachineConfig::default()
    };
    let linux = !args.semihosting && linux::detect(&image).is_some();
    if !linux && (args.dtb.is_some() || args.initrd.is_some()) {
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
    m.semihosting.cmdline = args.append.clone();
    if linux {
        let boot = LinuxBoot {
            kernel: image,
            dtb: args
                .dtb
                .as_deref()
                .map(|p| read_file("device tree", p))
                .transpose()?,
            initrd: args
                .initrd
                .as_deref()
                .map(|p| read_file("initrd", p))
                .transpose()?,
            cmdline: args.append.clone(),
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
        if args.verbose {
            eprintln!("a15emu: {layout}");
        }
        if let Some(path) = &args.dump_dtb {
            let (start, end) = layout.dtb;
            let blob = m
                .cpu
                .ram
                .slice(start, (end - start) as usize)
                .unwrap_or(&[]);
            std::fs::write(path, blob)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            return Ok(0);
        }
    } else {
        m.load_program(&image)
            .map_err(|e| format!("{}: {e}", args.kernel.display()))?;
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
        Command::Run(args) => run(args),
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
