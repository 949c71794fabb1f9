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

// ---- Linux boot path ----------------------------------------------------------------

/// A tiny "zImage" (0x100 bytes: the zImage magic at 0x24, start 0, end 0x100) that
/// checks the Linux entry state (r0 = 0, r1 = 0xffffffff, r2 -> a DTB), prints Y or N on
/// UART0 and powers the board off through the V2M configuration controller.
fn fake_zimage() -> Vec<u8> {
    let words: [u32; 36] = [
        0xea00000a, 0, 0, 0, 0, 0, 0, 0, 0, 0x016f2818, 0, 0x100,      // b go; header
        0xe59f3044, // ldr r3, =0x1c090000
        0xe59f9044, // ldr r9, =0x301
        0xe5839030, // str r9, [r3, #0x30]   (UARTCR: enable)
        0xe5924000, // ldr r4, [r2]          (DTB magic)
        0xe59f503c, // ldr r5, =0xedfe0dd0
        0xe1540005, // cmp r4, r5
        0x03710001, // cmneq r1, #1
        0x03500000, // cmpeq r0, #0
        0x03a06059, // moveq r6, #'Y'
        0x13a0604e, // movne r6, #'N'
        0xe5836000, // str r6, [r3]
        0xe3a0600a, // mov r6, #'\n'
        0xe5836000, // str r6, [r3]
        0xe59f701c, // ldr r7, =0x1c010000
        0xe3a08000, // mov r8, #0
        0xe58780a0, // str r8, [r7, #0xa0]   (SYS_CFGDATA)
        0xe59f8014, // ldr r8, =0xc0800000   (start, write, SHUTDOWN)
        0xe58780a4, // str r8, [r7, #0xa4]   (SYS_CFGCTRL)
        0xeafffffe, // b .
        0x1c090000, 0x00000301, 0xedfe0dd0, 0x1c010000, 0xc0800000,
    ];
    let mut bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    bytes.resize(0x100, 0);
    bytes
}

fn temp_file(name: &str, contents: &[u8]) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("a15emu-{}-{name}", std::process::id()));
    std::fs::write(&path, contents).unwrap();
    path
}

#[test]
fn zimage_boots_with_the_linux_entry_state_and_powers_off() {
    let kernel = temp_file("ok.zimage", &fake_zimage());
    let initrd = temp_file("ok.initrd", b"initrd");
    for virt in ["off", "on"] {
        let out = a15emu()
            .args(["run", "--max-insns", "1000000", "--virtualization", virt])
            .arg("--kernel")
            .arg(&kernel)
            .arg("--initrd")
            .arg(&initrd)
            .args(["--append", "console=ttyAMA0", "-v"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        assert_eq!(String::from_utf8_lossy(&out.stdout), "Y\n");
        assert!(stderr.contains("zImage at 0x80008000"), "{stderr}");
        assert!(
            stderr.contains("initrd at 0x88000000-0x88000006"),
            "{stderr}"
        );
    }
    let _ = std::fs::remove_file(&kernel);
    let _ = std::fs::remove_file(&initrd);
}

#[test]
fn dump_dtb_writes_the_generated_tree() {
    let kernel = temp_file("dump.zimage", &fake_zimage());
    let dtb = std::env::temp_dir().join(format!("a15emu-{}-dump.dtb", std::process::id()));
    let out = a15emu()
        .args(["run", "--append", "console=ttyAMA0", "--kernel"])
        .arg(&kernel)
        .arg("--dump-dtb")
        .arg(&dtb)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let blob = std::fs::read(&dtb).unwrap();
    let _ = std::fs::remove_file(&kernel);
    let _ = std::fs::remove_file(&dtb);
    assert_eq!(&blob[..4], &[0xd0, 0x0d, 0xfe, 0xed]);
    let text = String::from_utf8_lossy(&blob);
    assert!(text.contains("console=ttyAMA0"));
    assert!(text.contains("arm,vexpress,v2p-ca15,tc1"));
}

#[test]
fn missing_dtb_and_initrd_are_one_clear_line() {
    let kernel = temp_file("m.zimage", &fake_zimage());
    let k = kernel.to_str().unwrap();
    let err = one_line_error(&["run", "--kernel", k, "--dtb", "/nonexistent/x.dtb"]);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("a15emu: cannot read device tree /nonexistent/x.dtb"),
        "{err}"
    );
    let err = one_line_error(&["run", "--kernel", k, "--initrd", "/nonexistent/initrd"]);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("a15emu: cannot read initrd /nonexistent/initrd"),
        "{err}"
    );
    let _ = std::fs::remove_file(&kernel);
}

#[test]
fn malformed_dtb_is_one_clear_line() {
    let kernel = temp_file("d.zimage", &fake_zimage());
    let mut bad = vec![0xd0, 0x0d, 0xfe, 0xed, 0, 0, 0x10, 0];
    bad.resize(64, 0);
    let dtb = temp_file("bad.dtb", &bad);
    let err = one_line_error(&[
        "run",
        "--kernel",
        kernel.to_str().unwrap(),
        "--dtb",
        dtb.to_str().unwrap(),
    ]);
    let _ = std::fs::remove_file(&kernel);
    let _ = std::fs::remove_file(&dtb);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("bad.dtb: device tree:"), "{err}");
}

#[test]
fn initrd_too_big_for_ram_is_one_clear_line() {
    let kernel = temp_file("i.zimage", &fake_zimage());
    let initrd = temp_file("big.initrd", &vec![0u8; 40 << 20]);
    let err = one_line_error(&[
        "run",
        "--mem",
        "64M",
        "--kernel",
        kernel.to_str().unwrap(),
        "--initrd",
        initrd.to_str().unwrap(),
    ]);
    let _ = std::fs::remove_file(&kernel);
    let _ = std::fs::remove_file(&initrd);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("big.initrd: initrd of 41943040 bytes"),
        "{err}"
    );
    assert!(err.contains("does not fit"), "{err}");
}

#[test]
fn malformed_kernels_are_one_clear_line() {
    let mut z = fake_zimage();
    z[0x2c..0x30].copy_from_slice(&0x10_0000u32.to_le_bytes());
    let kernel = temp_file("bad.zimage", &z);
    let err = one_line_error(&["run", "--kernel", kernel.to_str().unwrap()]);
    let _ = std::fs::remove_file(&kernel);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("bad.zimage: malformed zImage"), "{err}");

    // A compressed uImage (header checksum valid, gzip payload type).
    let mut u = vec![0u8; 64];
    u[0..4].copy_from_slice(&0x2705_1956u32.to_be_bytes());
    u[16..20].copy_from_slice(&0x8000_8000u32.to_be_bytes());
    u[20..24].copy_from_slice(&0x8000_8000u32.to_be_bytes());
    u[28..32].copy_from_slice(&[5, 2, 2, 1]);
    let kernel = temp_file("gz.uimage", &u);
    let err = one_line_error(&["run", "--kernel", kernel.to_str().unwrap()]);
    let _ = std::fs::remove_file(&kernel);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("gz.uimage: unusable uImage"), "{err}");
}

#[test]
fn dtb_with_a_bare_metal_program_is_rejected() {
    let prog = temp_file("prog.bin", &0xeafffffeu32.to_le_bytes());
    let err = one_line_error(&[
        "run",
        "--kernel",
        prog.to_str().unwrap(),
        "--dtb",
        "/nonexistent.dtb",
    ]);
    let _ = std::fs::remove_file(&prog);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("need a Linux kernel image"), "{err}");
}

/// The board's UART0 echo program (machine-vexpress/tests/roms/uart_echo.S): echoes
/// UART0 input, powers off on 'q'.
fn echo_rom(test: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("a15emu-echo-{test}-{}.bin", std::process::id()));
    std::fs::write(
        &path,
        include_bytes!("../../machine-vexpress/tests/roms/uart_echo.bin"),
    )
    .unwrap();
    path
}

#[test]
fn piped_stdin_reaches_uart0_unchanged() {
    use std::io::Write;
    use std::process::Stdio;
    let rom = echo_rom("pipe");
    let mut child = a15emu()
        .args(["run", "--kernel"])
        .arg(&rom)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // No escapes on a pipe: Ctrl-A x is data. 'q' makes the program power off.
    let input: Vec<u8> = (0..200)
        .flat_map(|i| format!("line {i} \x01x\n").into_bytes())
        .collect();
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // End of input: then the program waits for an interrupt nothing can raise.
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim_end(),
        "a15emu: WFI with nothing to wake"
    );
    assert_eq!(out.stdout, input);

    let mut child = a15emu()
        .args(["run", "--kernel"])
        .arg(&rom)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"abc q").unwrap();
    let out = child.wait_with_output().unwrap();
    let _ = std::fs::remove_file(&rom);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, b"abc ");
}

/// On a terminal: raw mode while running, the guest sees keys as typed (CR stays CR),
/// Ctrl-A h prints help, Ctrl-A x quits with status 0 and "a15emu: terminated", and the
/// terminal settings are restored.
#[test]
fn terminal_raw_mode_escapes_and_restore() {
    use std::io::{Read, Write};
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::process::Stdio;
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    let (mut master, slave) = unsafe {
        let (mut m, mut s) = (0, 0);
        let r = libc::openpty(
            &mut m,
            &mut s,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        );
        if r != 0 {
            eprintln!("no pseudo-terminal here; skipped");
            return;
        }
        (std::fs::File::from_raw_fd(m), OwnedFd::from_raw_fd(s))
    };
    let slave_fd = std::os::fd::AsRawFd::as_raw_fd(&slave);
    let termios = || unsafe {
        let mut t: libc::termios = std::mem::zeroed();
        assert_eq!(libc::tcgetattr(slave_fd, &mut t), 0);
        t
    };
    let before = termios();
    assert_ne!(before.c_lflag & libc::ICANON, 0);

    let rom = echo_rom("tty");
    let child = a15emu()
        .args(["run", "--kernel"])
        .arg(&rom)
        .stdin(Stdio::from(slave.try_clone().unwrap()))
        .stdout(Stdio::from(slave.try_clone().unwrap()))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    let deadline = Instant::now() + Duration::from_secs(20);
    while termios().c_lflag & libc::ICANON != 0 {
        assert!(Instant::now() < deadline, "raw mode never set");
        std::thread::sleep(Duration::from_millis(10));
    }
    let raw = termios();
    assert_eq!(raw.c_lflag & (libc::ECHO | libc::ISIG), 0);
    assert_eq!(raw.c_iflag & libc::ICRNL, 0);
    assert_eq!(raw.c_oflag & libc::OPOST, 0);

    // The master side: everything the program writes to the terminal.
    let seen = Arc::new(Mutex::new(Vec::new()));
    {
        let seen = seen.clone();
        let mut m = master.try_clone().unwrap();
        std::thread::spawn(move || {
            let mut buf = [0u8; 256];
            while let Ok(n) = m.read(&mut buf) {
                if n == 0 {
                    break;
                }
                seen.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
    }
    let wait_for = |what: &str| {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let s = String::from_utf8_lossy(&seen.lock().unwrap()).into_owned();
            if s.contains(what) {
                return s;
            }
            assert!(Instant::now() < deadline, "{what:?} never came; got {s:?}");
            std::thread::sleep(Duration::from_millis(10));
        }
    };
    master.write_all(b"hi\x03\r").unwrap();
    wait_for("hi\x03\r");
    master.write_all(b"\x01h").unwrap();
    wait_for("C-a x    exit emulator");
    master.write_all(b"\x01x").unwrap();
    let out = child.wait_with_output().unwrap();
    let _ = std::fs::remove_file(&rom);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(err.trim(), "a15emu: terminated");
    let after = termios();
    assert_eq!(after.c_lflag, before.c_lflag);
    assert_eq!(after.c_iflag, before.c_iflag);
    assert_eq!(after.c_oflag, before.c_oflag);
    assert_eq!(after.c_cflag, before.c_cflag);
}
