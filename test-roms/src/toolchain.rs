//! Building bare-metal programs with the `arm-none-eabi` GNU toolchain (installed by
//! `scripts/install-tools.sh` from Debian's archive).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The cross compiler driver.
pub const CC: &str = "arm-none-eabi-gcc";

/// Why a build failed.
#[derive(Debug)]
pub enum BuildError {
    /// The toolchain is not installed.
    NoToolchain,
    /// The compiler or assembler rejected the input.
    Failed {
        cmd: String,
        stderr: String,
    },
    Io(std::io::Error),
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildError::NoToolchain => write!(
                f,
                "{CC} not found: run scripts/install-tools.sh (installs Debian's gcc-arm-none-eabi)"
            ),
            BuildError::Failed { cmd, stderr } => write!(f, "`{cmd}` failed:\n{stderr}"),
            BuildError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for BuildError {}

/// True if the cross toolchain is on the PATH.
pub fn available() -> bool {
    Command::new(CC).arg("--version").output().is_ok()
}

/// A scratch directory for build products under the workspace's `target/`.
pub fn build_dir(sub: &str) -> PathBuf {
    let base = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let d = base.join("test-roms").join(sub);
    let _ = std::fs::create_dir_all(&d);
    d
}

/// Compiles and links `sources` (assembly `.S` or C) into the ELF `out` with the given
/// extra flags (for example a linker script: `-T file.ld`).
pub fn build_elf(sources: &[&Path], extra: &[&str], out: &Path) -> Result<(), BuildError> {
    if !available() {
        return Err(BuildError::NoToolchain);
    }
    let mut cmd = Command::new(CC);
    cmd.args([
        "-mcpu=cortex-a15",
        "-marm",
        "-nostdlib",
        "-nostartfiles",
        "-ffreestanding",
        "-O2",
    ]);
    cmd.args(extra);
    cmd.args(sources);
    cmd.arg("-o").arg(out);
    let shown = format!("{cmd:?}");
    let output = cmd.output().map_err(BuildError::Io)?;
    if !output.status.success() {
        return Err(BuildError::Failed {
            cmd: shown,
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        });
    }
    Ok(())
}

/// Writes the loadable contents of an ELF as a raw binary beside it (`prog.bin`,
/// `arm-none-eabi-objcopy -O binary`) and returns its path.
pub fn raw_binary(elf: &Path) -> Result<PathBuf, BuildError> {
    let out = elf.with_extension("bin");
    let mut cmd = Command::new("arm-none-eabi-objcopy");
    cmd.args(["-O", "binary"]).arg(elf).arg(&out);
    let shown = format!("{cmd:?}");
    let output = cmd.output().map_err(BuildError::Io)?;
    if !output.status.success() {
        return Err(BuildError::Failed {
            cmd: shown,
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        });
    }
    Ok(out)
}
