//! The real binary in a pseudo-terminal (80x24), read back through a
//! terminal emulator (vt100), for what only a terminal shows: signals,
//! suspend and resume, the terminal restored on every exit path. Every wait
//! is on the screen or the process (no sleeps); timeouts only guard hangs.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

pub mod demo_screen;
pub mod standalone;

pub const ROWS: u16 = 24;
pub const COLS: u16 = 80;
/// Generous: the machine is shared and the binary is a debug build.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// What the reader thread has seen so far.
pub struct Output {
    pub parser: vt100::Parser,
    /// Every byte the console wrote, for checking escape sequences.
    pub raw: Vec<u8>,
    /// The pty reached end of file: the console and its threads are gone.
    pub closed: bool,
}

/// The console running in a pty.
pub struct Console {
    output: Arc<(Mutex<Output>, Condvar)>,
    master: Box<dyn MasterPty + Send>,
    /// Shared with the reader thread, which answers cursor-position queries.
    writer: Arc<Mutex<Box<dyn Write + Send>>>,
    child: Box<dyn Child + Send + Sync>,
    reader: Option<JoinHandle<()>>,
}

impl Console {
    /// Start the binary in `dir` with `args` (HOME and XDG_CONFIG_HOME point
    /// into `dir`, so without `--config` it runs the embedded sandbox).
    pub fn start(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_egain-console"));
        cmd.args(args);
        Self::spawn(cmd, dir, env)
    }

    /// An interactive bash (job control on, no rc files, prompt `$ `) in
    /// the pty, with the environment [`Console::start`] gives the console;
    /// the test types the console's command line (`CONSOLE` is its path).
    pub fn start_shell(dir: &Path, env: &[(&str, &str)]) -> Self {
        let mut cmd = CommandBuilder::new("bash");
        cmd.args(["--norc", "--noprofile", "-i"]);
        let console = env!("CARGO_BIN_EXE_egain-console");
        let env: Vec<(&str, &str)> = [("PS1", "$ "), ("CONSOLE", console)]
            .into_iter()
            .chain(env.iter().copied())
            .collect();
        Self::spawn(cmd, dir, &env)
    }

    fn spawn(mut cmd: CommandBuilder, dir: &Path, env: &[(&str, &str)]) -> Self {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        cmd.env_clear();
        if let Some(path) = std::env::var_os("PATH") {
            cmd.env("PATH", path);
        }
        cmd.env("HOME", dir);
        cmd.env("XDG_CONFIG_HOME", dir.join("config"));
        cmd.env("TERM", "xterm-256color");
        for (key, value) in env {
            cmd.env(key, value);
        }
        cmd.cwd(dir);
        let child = pty.slave.spawn_command(cmd).expect("spawn egain-console");
        // Only the child may hold the slave side, so the reader sees EOF when it exits.
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("pty reader");
        let writer = Arc::new(Mutex::new(pty.master.take_writer().expect("pty writer")));
        let output = Arc::new((
            Mutex::new(Output {
                parser: vt100::Parser::new(ROWS.try_into().expect("rows"), COLS.try_into().expect("cols"), 0),
                raw: Vec::new(),
                closed: false,
            }),
            Condvar::new(),
        ));
        let shared = Arc::clone(&output);
        let answers = Arc::clone(&writer);
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            // Where the search for the next cursor-position query starts.
            let mut scanned = 0;
            loop {
                // Linux reports EIO once the last slave descriptor closes.
                let n = reader.read(&mut buf).unwrap_or(0);
                let (lock, changed) = &*shared;
                // Poisoned: the test failed while looking; nobody needs more output.
                let Ok(mut out) = lock.lock() else { return };
                if n == 0 {
                    out.closed = true;
                    changed.notify_all();
                    return;
                }
                out.parser.process(&buf[..n]);
                out.raw.extend_from_slice(&buf[..n]);
                // Answer DSR like a real terminal: ratatui asks where the cursor is
                // when it clears the screen (at start and on resize).
                while let Some(at) = find_first(&out.raw[scanned..], CURSOR_QUERY) {
                    scanned += at + CURSOR_QUERY.len();
                    let (row, col) = out.parser.screen().cursor_position();
                    let answer = format!("\x1b[{};{}R", row + 1, col + 1);
                    let Ok(mut w) = answers.lock() else { return };
                    let _ = w.write_all(answer.as_bytes()).and_then(|()| w.flush());
                }
                scanned = scanned.max(out.raw.len().saturating_sub(CURSOR_QUERY.len() - 1));
                changed.notify_all();
            }
        });
        Self {
            output,
            master: pty.master,
            writer,
            child,
            reader: Some(reader),
        }
    }

    /// Wait until `ready` holds for the screen's text; returns that text.
    /// Panics with the screen on timeout or if the console exits first.
    pub fn wait_for(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        self.wait_for_screen(what, |screen| ready(&screen.contents()))
    }

    /// Wait for the demo account on screen and every start-up list answered
    /// (the kinds not on screen are asked for after it; `q` would ask while
    /// they are in flight).
    pub fn wait_opened(&self) -> String {
        self.wait_for("the demo account, every list answered", |s| {
            s.contains("Demo Account") && !s.contains("in flight")
        })
    }

    pub fn wait_for_screen(&self, what: &str, ready: impl Fn(&vt100::Screen) -> bool) -> String {
        let deadline = Instant::now() + TIMEOUT;
        let (lock, changed) = &*self.output;
        let mut out = lock.lock().expect("output lock");
        loop {
            let screen = out.parser.screen();
            if ready(screen) {
                return screen.contents();
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !out.closed && !left.is_zero(),
                "waiting for {what}: {}; screen:\n{}",
                if out.closed { "the console exited" } else { "timed out" },
                screen.contents()
            );
            out = changed.wait_timeout(out, left).expect("output lock").0;
        }
    }

    /// Look at the screen as it is now.
    pub fn with_screen<T>(&self, f: impl FnOnce(&vt100::Screen) -> T) -> T {
        f(self.output.0.lock().expect("output lock").parser.screen())
    }

    /// Resize the terminal (the console gets SIGWINCH).
    pub fn resize(&self, rows: u16, cols: u16) {
        // The emulator first, so output for the new size lands in a screen that size.
        let size = (rows.try_into().expect("rows"), cols.try_into().expect("cols"));
        self.output
            .0
            .lock()
            .expect("output lock")
            .parser
            .screen_mut()
            .set_size(size.0, size.1);
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize pty");
    }

    /// Send one key's bytes (the caller then waits for its effect).
    pub fn press(&mut self, bytes: &[u8]) {
        let mut writer = self.writer.lock().expect("writer lock");
        writer.write_all(bytes).expect("write key");
        writer.flush().expect("flush key");
    }

    /// Press `key` and wait for the screen to show its effect.
    pub fn step(&mut self, key: &[u8], what: &str, ready: impl Fn(&str) -> bool) -> String {
        self.press(key);
        self.wait_for(what, ready)
    }

    /// Wait for the console to exit; returns its exit code and the output.
    pub fn wait_exit(mut self) -> Exited {
        {
            let (lock, changed) = &*self.output;
            let deadline = Instant::now() + TIMEOUT;
            let mut out = lock.lock().expect("output lock");
            while !out.closed {
                let left = deadline.saturating_duration_since(Instant::now());
                assert!(
                    !left.is_zero(),
                    "the console did not exit; screen:\n{}",
                    out.parser.screen().contents()
                );
                out = changed.wait_timeout(out, left).expect("output lock").0;
            }
        }
        let status = self.child.wait().expect("wait for the console");
        if let Some(reader) = self.reader.take() {
            reader.join().expect("reader thread");
        }
        // The pty keeps the line discipline the console left behind.
        let canonical = self.master.get_termios().map(|t| {
            format!("{:?}", t.local_flags)
                .split(|c: char| !c.is_alphanumeric())
                .any(|f| f == "ICANON")
        });
        let (lock, _) = &*self.output;
        let out = lock.lock().expect("output lock");
        Exited {
            code: status.exit_code(),
            raw: out.raw.clone(),
            alternate_screen: out.parser.screen().alternate_screen(),
            cursor_hidden: out.parser.screen().hide_cursor(),
            bracketed_paste: out.parser.screen().bracketed_paste(),
            canonical,
            screen: out.parser.screen().contents(),
        }
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        // A failed test must not leave the console running.
        if self.reader.is_some() {
            let _ = self.child.kill();
        }
    }
}

pub struct Exited {
    pub code: u32,
    pub raw: Vec<u8>,
    pub alternate_screen: bool,
    pub cursor_hidden: bool,
    pub bracketed_paste: bool,
    /// Canonical (cooked) input mode on the pty after exit; `None` if unknown.
    pub canonical: Option<bool>,
    pub screen: String,
}

pub fn find_first(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

pub fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

pub const CURSOR_QUERY: &[u8] = b"\x1b[6n";
pub const ENTER_ALT: &[u8] = b"\x1b[?1049h";
pub const LEAVE_ALT: &[u8] = b"\x1b[?1049l";
pub const PASTE_OFF: &[u8] = b"\x1b[?2004l";
pub const CURSOR_HIDE: &[u8] = b"\x1b[?25l";
pub const CURSOR_SHOW: &[u8] = b"\x1b[?25h";

impl Exited {
    /// Exit code 0 and the terminal as it was: main screen, cursor shown,
    /// bracketed paste off, cooked mode.
    pub fn assert_clean(&self) {
        assert_eq!(self.code, 0, "exit code; screen:\n{}", self.screen);
        self.assert_restored();
    }

    /// The terminal as it was, whatever the exit code.
    pub fn assert_restored(&self) {
        let entered = find_last(&self.raw, ENTER_ALT).expect("the console entered the alternate screen");
        let tail = &self.raw[entered..];
        let left = find_last(tail, LEAVE_ALT).expect("left the alternate screen");
        let paste_off = find_last(tail, PASTE_OFF).expect("disabled bracketed paste");
        let shown = find_last(tail, CURSOR_SHOW).expect("showed the cursor");
        // Restoring comes after the last frame: nothing hides the cursor again.
        assert!(
            find_last(tail, CURSOR_HIDE).is_none_or(|hidden| hidden < shown),
            "cursor hidden again after being shown"
        );
        assert!(left > 0 && paste_off > 0);
        assert!(!self.alternate_screen, "still in the alternate screen");
        assert!(!self.cursor_hidden, "cursor still hidden");
        assert!(!self.bracketed_paste, "bracketed paste still on");
        assert_eq!(self.canonical, Some(true), "the pty was left in raw mode");
    }
}

impl Console {
    /// The console's process id, for sending it signals.
    pub fn pid(&self) -> i32 {
        let pid = self.child.process_id().expect("the console has a pid");
        i32::try_from(pid).expect("pid fits")
    }

    /// Send signal `n` to the console.
    pub fn signal(&self, n: i32) {
        // SAFETY: kill has no memory-safety preconditions.
        let rc = unsafe { libc::kill(self.pid(), n) };
        assert_eq!(rc, 0, "kill({}, {n})", self.pid());
    }

    /// Put the pty back into cooked mode (canonical input, echo), as a shell
    /// does when it takes the terminal back from a stopped job.
    pub fn set_cooked(&self) {
        let fd = self.master.as_raw_fd().expect("the master's descriptor");
        // SAFETY: a zeroed termios is valid storage for tcgetattr to fill;
        // the descriptor is the open master of this pty.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            assert_eq!(libc::tcgetattr(fd, &mut t), 0, "tcgetattr");
            t.c_lflag |= libc::ICANON | libc::ECHO | libc::ISIG | libc::IEXTEN;
            t.c_iflag |= libc::ICRNL;
            t.c_oflag |= libc::OPOST;
            assert_eq!(libc::tcsetattr(fd, libc::TCSANOW, &t), 0, "tcsetattr");
        }
    }

    /// Wait until `ready` holds for the raw output seen so far.
    pub fn wait_for_raw(&self, what: &str, ready: impl Fn(&Output) -> bool) {
        let deadline = Instant::now() + TIMEOUT;
        let (lock, changed) = &*self.output;
        let mut out = lock.lock().expect("output lock");
        while !ready(&out) {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !out.closed && !left.is_zero(),
                "waiting for {what}: {}; screen:\n{}",
                if out.closed { "the console exited" } else { "timed out" },
                out.parser.screen().contents()
            );
            out = changed.wait_timeout(out, left).expect("output lock").0;
        }
    }
}

impl Output {
    /// The parsed screen as it is now.
    pub fn screen(&self) -> &vt100::Screen {
        self.parser.screen()
    }
}
