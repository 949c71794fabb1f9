//! The console: UART0 on the host's stdin/stdout, as QEMU's `-nographic` serial.
//!
//! When stdin is a terminal it goes into raw mode (no line editing, no echo, no
//! signals from Ctrl-C/Ctrl-Z: those keys reach the guest) and a reader thread forwards
//! keys to the board, watching for the escape key Ctrl-A: Ctrl-A x quits, Ctrl-A h
//! prints help, Ctrl-A Ctrl-A sends one Ctrl-A (the commands are the rows of
//! [`COMMANDS`]). The terminal is restored when the console is detached, when a panic
//! unwinds, and on SIGTERM/SIGINT/SIGHUP/SIGQUIT, which stop the run like Ctrl-A x.
//! When stdin is a pipe or a file its bytes are forwarded as they are (no escapes) and
//! its end is the end of input.

use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, OnceLock};

use crossbeam_channel::Sender;
use machine_vexpress::Machine;

/// The escape key, Ctrl-A, as QEMU's.
pub const ESCAPE: u8 = 0x01;

/// What escape commands do: bytes for the guest, text for the user, quitting.
#[derive(Default, Debug, PartialEq, Eq)]
pub struct Effects {
    /// Bytes to send to the guest, in order.
    pub forward: Vec<u8>,
    /// Text to show the user (lines end in "\r\n": the terminal is raw).
    pub output: String,
    /// Stop the emulation.
    pub quit: bool,
    /// Print the Hyp statistics table (the run pauses for it and resumes).
    pub stats: bool,
}

/// One escape command: Ctrl-A then `key`.
pub struct Command {
    pub key: u8,
    pub help: &'static str,
    pub run: fn(&mut Effects),
}

/// The escape commands. A new command is one row here.
pub static COMMANDS: &[Command] = &[
    Command {
        key: b'h',
        help: "print this help",
        run: |fx| fx.output.push_str(&help_text()),
    },
    Command {
        key: b'x',
        help: "exit emulator",
        run: |fx| fx.quit = true,
    },
    Command {
        key: b's',
        help: "print the Hyp statistics table",
        run: |fx| fx.stats = true,
    },
    Command {
        key: ESCAPE,
        help: "sends C-a",
        run: |fx| fx.forward.push(ESCAPE),
    },
];

fn key_name(k: u8) -> String {
    match k {
        1..=26 => format!("C-{}", (b'a' + k - 1) as char),
        _ => (k as char).to_string(),
    }
}

/// The Ctrl-A h text.
pub fn help_text() -> String {
    let mut s = String::from("\r\n");
    for c in COMMANDS {
        s.push_str(&format!("C-a {:<4} {}\r\n", key_name(c.key), c.help));
    }
    s
}

/// The escape state machine over the bytes typed on the terminal.
#[derive(Default)]
pub struct EscapeParser {
    after_escape: bool,
}

impl EscapeParser {
    /// Feeds one typed byte: plain bytes are forwarded, Ctrl-A followed by a command
    /// key runs that command; Ctrl-A followed by anything else drops both (as QEMU).
    pub fn feed(&mut self, b: u8, fx: &mut Effects) {
        if self.after_escape {
            self.after_escape = false;
            match COMMANDS.iter().find(|c| c.key == b) {
                Some(c) => (c.run)(fx),
                None => tracing::debug!(target: "console", "unknown escape C-a {:#04x}", b),
            }
        } else if b == ESCAPE {
            self.after_escape = true;
        } else {
            fx.forward.push(b);
        }
    }
}

/// Why the console asked the run to stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuitReason {
    /// Ctrl-A x.
    Escape,
    /// A terminating signal.
    Signal(i32),
}

impl QuitReason {
    /// The line printed after the terminal is restored.
    pub fn message(self) -> String {
        match self {
            QuitReason::Escape => "terminated".to_string(),
            QuitReason::Signal(s) => format!("terminating on signal {s}"),
        }
    }

    /// The process exit status: 0 for Ctrl-A x (as QEMU), 128 + signal otherwise.
    pub fn status(self) -> i32 {
        match self {
            QuitReason::Escape => 0,
            QuitReason::Signal(s) => 128 + s,
        }
    }
}

/// 0: no quit request; -1: Ctrl-A x; > 0: the signal number.
static QUIT: AtomicI32 = AtomicI32::new(0);
/// Ctrl-A s was typed: the run stopped to print the Hyp statistics table.
static STATS: AtomicBool = AtomicBool::new(false);

/// Whether the run stopped for Ctrl-A s (and not also for a quit request); clears it.
pub fn take_stats_request() -> bool {
    STATS.swap(false, Ordering::SeqCst) && QUIT.load(Ordering::SeqCst) == 0
}

/// The machine's stop flag, for the signal handler.
static STOP: OnceLock<Arc<AtomicBool>> = OnceLock::new();
/// The terminal settings to restore (set once raw mode is on).
static SAVED_TERMIOS: OnceLock<libc::termios> = OnceLock::new();
/// Whether raw mode is currently on (so restoring twice is harmless).
static RAW: AtomicBool = AtomicBool::new(false);

fn restore_terminal() {
    if RAW.swap(false, Ordering::SeqCst) {
        if let Some(t) = SAVED_TERMIOS.get() {
            // SAFETY: tcsetattr on fd 0 with a termios tcgetattr filled in; it is
            // async-signal-safe, so this also runs from the signal handler.
            unsafe {
                libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, t);
            }
        }
    }
}

/// Raw mode: no input translation, no flow control, no echo, no line editing, no signal
/// keys, 8-bit characters (as QEMU's stdio character device), and no output
/// post-processing either: the guest's tty layer already sends "\r\n", so its bytes
/// reach the terminal unchanged (QEMU keeps OPOST, which turns them into "\r\r\n").
fn enter_raw_mode() -> std::io::Result<()> {
    // SAFETY: termios is plain data; tcgetattr fills it in or fails.
    let mut t: libc::termios = unsafe { std::mem::zeroed() };
    if unsafe { libc::tcgetattr(libc::STDIN_FILENO, &mut t) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let saved = *SAVED_TERMIOS.get_or_init(|| t);
    let mut raw = saved;
    raw.c_iflag &= !(libc::IGNBRK
        | libc::BRKINT
        | libc::PARMRK
        | libc::ISTRIP
        | libc::INLCR
        | libc::IGNCR
        | libc::ICRNL
        | libc::IXON);
    raw.c_oflag &= !libc::OPOST;
    raw.c_lflag &= !(libc::ECHO | libc::ECHONL | libc::ICANON | libc::ISIG | libc::IEXTEN);
    raw.c_cflag &= !(libc::CSIZE | libc::PARENB);
    raw.c_cflag |= libc::CS8;
    raw.c_cc[libc::VMIN] = 1;
    raw.c_cc[libc::VTIME] = 0;
    RAW.store(true, Ordering::SeqCst);
    // SAFETY: as above.
    if unsafe { libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &raw) } != 0 {
        RAW.store(false, Ordering::SeqCst);
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

extern "C" fn on_signal(sig: libc::c_int) {
    // Only async-signal-safe work: atomics, tcsetattr, write, _exit.
    if QUIT
        .compare_exchange(0, sig, Ordering::SeqCst, Ordering::SeqCst)
        .is_ok()
    {
        if let Some(stop) = STOP.get() {
            stop.store(true, Ordering::SeqCst);
            return;
        }
    }
    // A second signal (or no machine to stop): leave at once.
    restore_terminal();
    const MSG: &[u8] = b"\r\na15emu: killed\r\n";
    // SAFETY: write(2) and _exit(2) are async-signal-safe.
    unsafe {
        libc::write(libc::STDERR_FILENO, MSG.as_ptr().cast(), MSG.len());
        libc::_exit(128 + sig);
    }
}

fn install_handlers() {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        prev(info);
    }));
    for sig in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP, libc::SIGQUIT] {
        // SAFETY: installs a handler that only does async-signal-safe work.
        unsafe {
            libc::signal(
                sig,
                on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t,
            );
        }
    }
}

/// Forwards `input` to the board until end of input or quit. With `escapes`, bytes
/// pass through the escape parser and command output goes to `out`.
pub fn forward<R: Read, W: Write>(
    mut input: R,
    tx: Sender<u8>,
    stop: &AtomicBool,
    escapes: bool,
    mut out: W,
) {
    let mut parser = EscapeParser::default();
    let mut buf = [0u8; 4096];
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => return, // EOF: dropping tx tells the board
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                tracing::debug!(target: "console", "reading stdin: {e}; no more console input");
                return;
            }
        };
        let mut fx = Effects::default();
        if escapes {
            for &b in &buf[..n] {
                parser.feed(b, &mut fx);
                if fx.quit {
                    break; // what follows Ctrl-A x is not for the guest
                }
            }
        } else {
            fx.forward.extend_from_slice(&buf[..n]);
        }
        for b in fx.forward {
            if tx.send(b).is_err() {
                return; // the board is gone
            }
        }
        if !fx.output.is_empty() {
            let _ = out.write_all(fx.output.as_bytes());
            let _ = out.flush();
        }
        if fx.stats {
            // The run loop stops at the next slice boundary, prints the table, resumes.
            STATS.store(true, Ordering::SeqCst);
            stop.store(true, Ordering::SeqCst);
        }
        if fx.quit {
            let _ = QUIT.compare_exchange(0, -1, Ordering::SeqCst, Ordering::SeqCst);
            stop.store(true, Ordering::SeqCst);
            // Returning drops tx, which also wakes a board waiting for input.
            return;
        }
    }
}

/// The console attached to a machine; detach it to restore the terminal.
pub struct Console {
    _private: (),
}

impl Console {
    /// Connects stdin to the machine's UART0 (raw mode and escapes on a terminal).
    pub fn attach(m: &mut Machine) -> Console {
        let (tx, rx) = crossbeam_channel::unbounded();
        m.set_serial_input(rx);
        let stop = m.stop_handle();
        // SAFETY: isatty only inspects the descriptor.
        let tty = unsafe { libc::isatty(libc::STDIN_FILENO) } == 1;
        let raw = tty
            && match enter_raw_mode() {
                Ok(()) => true,
                Err(e) => {
                    tracing::warn!(target: "console", "cannot put the terminal in raw mode: {e}");
                    false
                }
            };
        if raw {
            let _ = STOP.set(stop.clone());
            install_handlers();
        }
        let spawned = std::thread::Builder::new()
            .name("console".into())
            .spawn(move || forward(std::io::stdin(), tx, &stop, raw, std::io::stdout()));
        if let Err(e) = spawned {
            tracing::warn!(target: "console", "cannot start the console reader: {e}");
        }
        Console { _private: () }
    }

    /// Restores the terminal; returns why the console stopped the run, if it did.
    pub fn detach(self) -> Option<QuitReason> {
        drop(self);
        match QUIT.load(Ordering::SeqCst) {
            0 => None,
            -1 => Some(QuitReason::Escape),
            s => Some(QuitReason::Signal(s)),
        }
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        restore_terminal();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed_all(bytes: &[u8]) -> Effects {
        let mut p = EscapeParser::default();
        let mut fx = Effects::default();
        for &b in bytes {
            p.feed(b, &mut fx);
        }
        fx
    }

    #[test]
    fn plain_bytes_pass_through() {
        let fx = feed_all(b"ls -l\r\x03\x1b[A");
        assert_eq!(fx.forward, b"ls -l\r\x03\x1b[A");
        assert!(fx.output.is_empty());
        assert!(!fx.quit);
    }

    #[test]
    fn ctrl_a_x_quits() {
        let fx = feed_all(b"ab\x01x");
        assert_eq!(fx.forward, b"ab");
        assert!(fx.quit);
    }

    #[test]
    fn ctrl_a_ctrl_a_sends_one_ctrl_a() {
        let fx = feed_all(b"\x01\x01z\x01\x01");
        assert_eq!(fx.forward, b"\x01z\x01");
        assert!(!fx.quit);
    }

    #[test]
    fn ctrl_a_h_prints_help() {
        let fx = feed_all(b"\x01h");
        assert!(fx.forward.is_empty());
        assert!(
            fx.output.contains("C-a h    print this help\r\n"),
            "{:?}",
            fx.output
        );
        assert!(fx.output.contains("C-a x    exit emulator\r\n"));
        assert!(fx.output.contains("C-a C-a  sends C-a\r\n"));
        assert_eq!(fx.output.matches("\r\n").count(), COMMANDS.len() + 1);
    }

    #[test]
    fn unknown_escape_is_dropped_and_state_resets() {
        let fx = feed_all(b"\x01qx\x01");
        assert_eq!(fx.forward, b"x");
        assert!(!fx.quit);
        // A trailing lone Ctrl-A waits for its key.
        let mut p = EscapeParser::default();
        let mut fx = Effects::default();
        p.feed(ESCAPE, &mut fx);
        assert!(fx.forward.is_empty());
        p.feed(b'x', &mut fx);
        assert!(fx.quit);
    }

    #[test]
    fn command_keys_are_unique() {
        for (i, c) in COMMANDS.iter().enumerate() {
            assert!(COMMANDS[i + 1..].iter().all(|d| d.key != c.key));
        }
    }

    #[test]
    fn forward_stops_at_ctrl_a_x_and_sets_the_stop_flag() {
        let (tx, rx) = crossbeam_channel::unbounded();
        let stop = AtomicBool::new(false);
        let mut out = Vec::new();
        forward(&b"hi\x01h\x01xnot sent"[..], tx, &stop, true, &mut out);
        assert_eq!(rx.try_iter().collect::<Vec<u8>>(), b"hi");
        assert!(rx.recv().is_err(), "sender dropped");
        assert!(stop.load(Ordering::SeqCst));
        assert_eq!(String::from_utf8(out).unwrap(), help_text());
        assert_eq!(QUIT.load(Ordering::SeqCst), -1);
    }

    #[test]
    fn forward_without_escapes_is_transparent_until_eof() {
        let (tx, rx) = crossbeam_channel::unbounded();
        let stop = AtomicBool::new(false);
        forward(&b"a\x01xb"[..], tx, &stop, false, Vec::new());
        assert_eq!(rx.try_iter().collect::<Vec<u8>>(), b"a\x01xb");
        assert!(rx.recv().is_err());
        assert!(!stop.load(Ordering::SeqCst));
    }

    #[test]
    fn ctrl_a_s_asks_for_the_statistics_table() {
        let fx = feed_all(b"a\x01sb");
        assert_eq!(fx.forward, b"ab");
        assert!(fx.stats && !fx.quit);
        assert!(help_text().contains("C-a s    print the Hyp statistics table\r\n"));
    }

    #[test]
    fn forward_ctrl_a_s_stops_the_run_and_keeps_reading() {
        let (tx, rx) = crossbeam_channel::unbounded();
        let stop = AtomicBool::new(false);
        forward(&b"\x01sz"[..], tx, &stop, true, Vec::new());
        assert!(stop.load(Ordering::SeqCst));
        assert!(STATS.load(Ordering::SeqCst));
        assert_eq!(rx.try_iter().collect::<Vec<u8>>(), b"z");
    }

    #[test]
    fn quit_reasons() {
        assert_eq!(QuitReason::Escape.status(), 0);
        assert_eq!(QuitReason::Escape.message(), "terminated");
        assert_eq!(QuitReason::Signal(15).status(), 143);
        assert_eq!(QuitReason::Signal(15).message(), "terminating on signal 15");
    }
}
