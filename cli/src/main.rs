//! `a15emu`: run software on an emulated Cortex-A15 Versatile Express board.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use machine_vexpress::{Machine, MachineConfig};

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
}

#[derive(clap::Args)]
struct RunArgs {
    /// The image to run: an ELF file or a raw binary (loaded at the start of RAM).
    #[arg(long)]
    kernel: PathBuf,
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
    /// Print instructions executed, wall time and guest MIPS to stderr at exit.
    #[arg(long)]
    stats: bool,
    /// Command line passed to the program (semihosting SYS_GET_CMDLINE).
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

fn run(args: RunArgs) -> Result<i32, String> {
    let image = std::fs::read(&args.kernel)
        .map_err(|e| format!("cannot read kernel image {}: {e}", args.kernel.display()))?;
    let cfg = MachineConfig {
        ram_size: args.mem,
        semihosting: args.semihosting,
        max_insns: args.max_insns,
        ..MachineConfig::default()
    };
    let mut m = Machine::new(cfg).map_err(|e| e.to_string())?;
    m.semihosting.cmdline = args.append.clone();
    m.load_program(&image)
        .map_err(|e| format!("{}: {e}", args.kernel.display()))?;
    let start = std::time::Instant::now();
    let result = m.run();
    if args.stats {
        let secs = start.elapsed().as_secs_f64();
        let n = m.cpu.insn_count;
        eprintln!(
            "a15emu: {n} instructions in {secs:.3} s: {:.1} MIPS",
            n as f64 / secs / 1e6
        );
    }
    let exit = result.map_err(|e| e.to_string())?;
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
    };
    match result {
        Ok(status) => ExitCode::from(status as u8),
        Err(e) => {
            eprintln!("a15emu: {e}");
            ExitCode::from(2)
        }
    }
}
