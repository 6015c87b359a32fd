//! End to end: the real binary in a pseudo-terminal (80x24) against its
//! embedded sandbox, driven by keystrokes and read back through a terminal
//! emulator (vt100). Every step waits for the screen to show the effect of
//! the previous keystroke (no sleeps); timeouts only guard against hangs.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

const ROWS: u16 = 24;
const COLS: u16 = 80;
/// Generous: the machine is shared and the binary is a debug build.
const TIMEOUT: Duration = Duration::from_secs(30);

/// What the reader thread has seen so far.
struct Output {
    parser: vt100::Parser,
    /// Every byte the console wrote, for checking escape sequences.
    raw: Vec<u8>,
    /// The pty reached end of file: the console and its threads are gone.
    closed: bool,
}

/// The console running in a pty.
struct Console {
    output: Arc<(Mutex<Output>, Condvar)>,
    master: Box<dyn MasterPty + Send>,
    /// Shared with the reader thread, which answers cursor-position queries.
    writer: Arc<Mutex<Box<dyn Write + Send>>>,
    child: Box<dyn Child + Send + Sync>,
    reader: Option<JoinHandle<()>>,
}

impl Console {
    /// Start the binary in `dir` with no user config (HOME and
    /// XDG_CONFIG_HOME point into `dir`), so it runs the embedded sandbox.
    fn start(dir: &Path, no_color: bool) -> Self {
        Self::start_with(dir, no_color, &[])
    }

    /// As [`Console::start`], with extra environment variables.
    fn start_with(dir: &Path, no_color: bool, env: &[(&str, &str)]) -> Self {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_egain-console"));
        cmd.env_clear();
        if let Some(path) = std::env::var_os("PATH") {
            cmd.env("PATH", path);
        }
        cmd.env("HOME", dir);
        cmd.env("XDG_CONFIG_HOME", dir.join("config"));
        cmd.env("TERM", "xterm-256color");
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
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
    fn wait_for(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        self.wait_for_screen(what, |screen| ready(&screen.contents()))
    }

    fn wait_for_screen(&self, what: &str, ready: impl Fn(&vt100::Screen) -> bool) -> String {
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
    fn with_screen<T>(&self, f: impl FnOnce(&vt100::Screen) -> T) -> T {
        f(self.output.0.lock().expect("output lock").parser.screen())
    }

    /// Resize the terminal (the console gets SIGWINCH).
    fn resize(&self, rows: u16, cols: u16) {
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
    fn press(&mut self, bytes: &[u8]) {
        let mut writer = self.writer.lock().expect("writer lock");
        writer.write_all(bytes).expect("write key");
        writer.flush().expect("flush key");
    }

    /// Press `key` and wait for the screen to show its effect.
    fn step(&mut self, key: &[u8], what: &str, ready: impl Fn(&str) -> bool) -> String {
        self.press(key);
        self.wait_for(what, ready)
    }

    /// Wait for the console to exit; returns its exit code and the output.
    fn wait_exit(mut self) -> Exited {
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

struct Exited {
    code: u32,
    raw: Vec<u8>,
    alternate_screen: bool,
    cursor_hidden: bool,
    bracketed_paste: bool,
    /// Canonical (cooked) input mode on the pty after exit; `None` if unknown.
    canonical: Option<bool>,
    screen: String,
}

fn find_first(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

const CURSOR_QUERY: &[u8] = b"\x1b[6n";
const ENTER_ALT: &[u8] = b"\x1b[?1049h";
const LEAVE_ALT: &[u8] = b"\x1b[?1049l";
const PASTE_OFF: &[u8] = b"\x1b[?2004l";
const CURSOR_HIDE: &[u8] = b"\x1b[?25l";
const CURSOR_SHOW: &[u8] = b"\x1b[?25h";

impl Exited {
    /// Exit code 0 and the terminal as it was: main screen, cursor shown,
    /// bracketed paste off, cooked mode.
    fn assert_clean(&self) {
        assert_eq!(self.code, 0, "exit code; screen:\n{}", self.screen);
        self.assert_restored();
    }

    /// The terminal as it was, whatever the exit code.
    fn assert_restored(&self) {
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

/// Whether any cell on the screen has a colour.
fn any_color(screen: &vt100::Screen) -> bool {
    (0..ROWS).any(|row| {
        (0..COLS).any(|col| {
            screen
                .cell(row, col)
                .is_some_and(|c| c.fgcolor() != vt100::Color::Default || c.bgcolor() != vt100::Color::Default)
        })
    })
}

/// The value of `"type": "..."` in the editor.
fn editor_type(screen: &str) -> Option<String> {
    let rest = &screen[screen.find("\"type\": \"")? + 9..];
    Some(rest[..rest.find('"')?].to_owned())
}

const CTRL_C: &[u8] = b"\x03";
const CTRL_S: &[u8] = b"\x13";

#[test]
fn create_a_channel_see_it_logged_and_quit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut console = Console::start(dir.path(), false);
    console.wait_for("the demo account", |s| {
        s.contains("Demo Account") && s.contains("step 6 of 6")
    });
    console.wait_for_screen("colours", any_color);

    // Accounts (step 6) -> Orchestrations (5) -> Channels (4).
    console.step(b"h", "the orchestrations", |s| s.contains("step 5 of 6"));
    console.step(b"h", "the channels", |s| {
        s.contains("step 4 of 6") && s.contains("custom.demo")
    });
    let editor = console.step(b"n", "the channel editor", |s| s.contains("New Channel"));
    let channel_type = editor_type(&editor).expect("the template has a type");

    console.step(CTRL_S, "the new channel in the list", |s| {
        s.contains("Channels 2") && s.contains(&channel_type) && s.contains("custom.demo")
    });
    console.step(b"3", "the POST in the request log", |s| {
        s.contains("Request log")
            && s.lines()
                .any(|l| l.contains("POST") && l.contains("/channels") && l.contains(" 201 "))
    });
    console.wait_for("no request in flight", |s| !s.contains("in flight"));
    console.press(b"q");
    console.wait_exit().assert_clean();
}

#[test]
fn ctrl_c_quits_from_the_editor_without_colour() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut console = Console::start(dir.path(), true);
    console.wait_for("the demo account", |s| s.contains("Demo Account"));
    console.step(b"n", "the account editor", |s| s.contains("New Account"));
    assert!(!console.with_screen(any_color), "NO_COLOR=1 but the editor is coloured");
    console.press(CTRL_C);
    console.wait_exit().assert_clean();
}

#[test]
fn a_wide_terminal_shows_both_panes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut console = Console::start(dir.path(), false);
    console.wait_for("the demo account", |s| s.contains("Demo Account"));
    console.resize(40, 120);
    // Side by side: the two pane borders meet on one line.
    console.wait_for("all panes, the log showing the accounts listed", |s| {
        s.lines()
            .any(|l| l.contains("1 Entities") && l.contains("┐┌ 2 Conversation"))
            && s.contains("3 Request log")
            && s.lines()
                .any(|l| l.contains("GET") && l.contains("/accounts") && l.contains(" 200 "))
    });
    console.press(b"q");
    console.wait_exit().assert_clean();
}

#[test]
fn a_customer_message_gets_the_bots_reply() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut console = Console::start(dir.path(), false);
    console.wait_for("the demo account", |s| s.contains("Demo Account"));
    console.step(b"2", "the conversation pane", |s| s.contains("No conversation yet"));
    for byte in b"hello there" {
        console.press(&[*byte]);
    }
    console.wait_for("the typed text", |s| s.contains("hello there"));
    console.step(b"\r", "the role picker", |s| s.contains("Act as which role?"));
    console.step(b"\r", "the account picker", |s| {
        s.contains("Start a conversation on which account?")
    });
    // The first message opens the conversation; the bot answers through the
    // hub's callback to the console's receiver.
    console.step(b"\r", "the bot's reply", |s| s.contains("You said: hello there"));
    console.wait_for("no request in flight", |s| !s.contains("in flight"));
    console.press(CTRL_C);
    console.wait_exit().assert_clean();
}

#[test]
fn a_panic_restores_the_terminal_before_the_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut console = Console::start_with(dir.path(), true, &[("EGAIN_CONSOLE_PANIC_ON_KEY", "%")]);
    console.wait_for("the demo account", |s| s.contains("Demo Account"));
    console.press(b"%");
    let exited = console.wait_exit();
    assert_ne!(exited.code, 0, "a panic is a failure exit");
    exited.assert_restored();
    // color-eyre's report comes after the terminal was restored, so it is readable.
    let left = find_last(&exited.raw, LEAVE_ALT).expect("left the alternate screen");
    let report = find_last(&exited.raw, b"panic requested").expect("the panic report is printed");
    assert!(report > left, "the report was printed inside the alternate screen");
}

#[test]
fn a_pasted_multi_line_message_keeps_its_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut console = Console::start(dir.path(), false);
    console.wait_for("the demo account", |s| s.contains("Demo Account"));
    console.step(b"2", "the conversation pane", |s| s.contains("No conversation yet"));
    // Terminals and tmux paste line breaks as carriage returns, in a bracketed paste.
    console.press(b"\x1b[200~first pasted line\rsecond pasted line\x1b[201~");
    console.wait_for("the pasted text on two lines", |s| {
        s.contains("first pasted line") && s.contains("second pasted line")
    });
    console.step(b"\r", "the role picker", |s| s.contains("Act as which role?"));
    console.step(b"\r", "the account picker", |s| {
        s.contains("Start a conversation on which account?")
    });
    // The message went out with its line break: the bot echoes both lines,
    // each on its own row.
    let screen = console.step(b"\r", "the bot's reply", |s| s.contains("You said: first pasted line"));
    let second_rows = screen
        .lines()
        .filter(|l| l.trim_matches(|c| c == '│' || c == ' ') == "second pasted line")
        .count();
    assert_eq!(second_rows, 2, "ours and the echo, each with its own line:\n{screen}");
    console.wait_for("no request in flight", |s| !s.contains("in flight"));
    console.press(CTRL_C);
    console.wait_exit().assert_clean();
}
