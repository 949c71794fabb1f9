//! The `a15emu` command as a user runs it: exit statuses and one-line errors.

use std::process::Command;

fn a15emu() -> Command {
    Command::new(env!("CARGO_BIN_EXE_a15emu"))
}

#[test]
fn semihosting_program_output_and_exit_status() {
    let rom = test_roms::roms::find("boot").expect("boot program");
    let elf = rom.build().unwrap_or_else(|e| panic!("{e}"));
    let out = a15emu()
        .args(["run", "--semihosting", "--kernel"])
        .arg(&elf)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("midr: 414fc0f0"), "{stdout}");
    assert!(stdout.trim_end().ends_with("done"), "{stdout}");
}

fn one_line_error(args: &[&str]) -> String {
    let out = a15emu().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn missing_image_is_one_clear_line() {
    let err = one_line_error(&["run", "--semihosting", "--kernel", "/nonexistent/image"]);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("a15emu: cannot read kernel image /nonexistent/image"),
        "{err}"
    );
}

#[test]
fn malformed_elf_is_one_clear_line() {
    let path = std::env::temp_dir().join(format!("a15emu-bad-{}.elf", std::process::id()));
    std::fs::write(&path, b"\x7fELF\x01\x01\x01\x00garbage").unwrap();
    let err = one_line_error(&["run", "--semihosting", "--kernel", path.to_str().unwrap()]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("malformed ELF image"), "{err}");
}

#[test]
fn ram_size_out_of_range_is_rejected() {
    let err = one_line_error(&[
        "run",
        "--semihosting",
        "--mem",
        "4G",
        "--kernel",
        "/dev/null",
    ]);
    assert!(
        err.contains("outside the board's range") || err.contains("image is empty"),
        "{err}"
    );
}

#[test]
fn instruction_limit_stops_a_runaway_program() {
    // A raw image of one instruction: b . (0xeafffffe).
    let path = std::env::temp_dir().join(format!("a15emu-loop-{}.bin", std::process::id()));
    std::fs::write(&path, 0xeafffffeu32.to_le_bytes()).unwrap();
    let err = one_line_error(&[
        "run",
        "--semihosting",
        "--max-insns",
        "100000",
        "--kernel",
        path.to_str().unwrap(),
    ]);
    let _ = std::fs::remove_file(&path);
    assert!(err.contains("instruction limit of 100000 reached"), "{err}");
}

#[test]
fn exit_status_is_the_programs_sys_exit_extended_code() {
    // mov r0, #0x20 (SYS_EXIT_EXTENDED); add r1, pc, #0; svc 0x123456;
    // block: ADP_Stopped_ApplicationExit, 3
    let words = [0xe3a00020u32, 0xe28f1000, 0xef123456, 0x20026, 3];
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    let path = std::env::temp_dir().join(format!("a15emu-exit-{}.bin", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    let out = a15emu()
        .args(["run", "--semihosting", "--kernel"])
        .arg(&path)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&path);
    assert_eq!(out.status.code(), Some(3));
}
