//! End to end: the real binary in a pseudo-terminal (80x24) against its
//! embedded sandbox, driven by keystrokes and read back through a terminal
//! emulator (vt100). Every step waits for the screen to show the effect of
//! the previous keystroke (no sleeps); timeouts only guard against hangs.

mod common_pty;
use common_pty::{COLS, Console, LEAVE_ALT, ROWS, find_last};

/// Start with no user config (so the embedded sandbox), with or without colour.
fn start(dir: &std::path::Path, no_color: bool, env: &[(&str, &str)]) -> Console {
    let mut env = env.to_vec();
    if no_color {
        env.push(("NO_COLOR", "1"));
    }
    Console::start(dir, &[], &env)
}

/// The console on the embedded sandbox, typing into the empty Conversation pane's composer.
fn in_the_composer(dir: &std::path::Path) -> Console {
    let mut console = start(dir, false, &[]);
    console.wait_opened();
    console.step(b"2", "the conversation pane", |s| s.contains("No conversation yet"));
    console.step(b"\r", "the composer", |s| s.contains("INSERT"));
    console
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

/// Send the composer's text as the opening message: Enter, then Enter in the
/// role and account pickers; returns the screen with the bot's echo of
/// `first_line`.
fn send_as_the_first_message(console: &mut Console, first_line: &str) -> String {
    console.step(b"\r", "the role picker", |s| s.contains("Act as which role?"));
    console.step(b"\r", "the account picker", |s| {
        s.contains("Start a conversation on which account?")
    });
    let echo = format!("You said: {first_line}");
    console.step(b"\r", "the bot's reply", |s| s.contains(&echo))
}

#[test]
fn create_a_channel_see_it_logged_and_quit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut console = start(dir.path(), false, &[]);
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
    let mut console = start(dir.path(), true, &[]);
    console.wait_opened();
    console.step(b"n", "the account editor", |s| s.contains("New Account"));
    assert!(!console.with_screen(any_color), "NO_COLOR=1 but the editor is coloured");
    console.press(CTRL_C);
    console.wait_exit().assert_clean();
}

#[test]
fn a_wide_terminal_shows_both_panes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut console = start(dir.path(), false, &[]);
    console.wait_opened();
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
    let mut console = in_the_composer(dir.path());
    for byte in b"hello there" {
        console.press(&[*byte]);
    }
    console.wait_for("the typed text", |s| s.contains("hello there"));
    // The first message opens the conversation; the bot answers through the
    // hub's callback to the console's receiver.
    send_as_the_first_message(&mut console, "hello there");
    console.wait_for("no request in flight", |s| !s.contains("in flight"));
    console.press(CTRL_C);
    console.wait_exit().assert_clean();
}

#[test]
fn a_panic_restores_the_terminal_before_the_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut console = start(dir.path(), true, &[("EGAIN_CONSOLE_PANIC_ON_KEY", "%")]);
    console.wait_opened();
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
    let mut console = in_the_composer(dir.path());
    // Terminals and tmux paste line breaks as carriage returns, in a bracketed paste.
    console.press(b"\x1b[200~first pasted line\rsecond pasted line\x1b[201~");
    console.wait_for("the pasted text on two lines", |s| {
        s.contains("first pasted line") && s.contains("second pasted line")
    });
    // The message went out with its line break: the bot echoes both lines,
    // each on its own row.
    let screen = send_as_the_first_message(&mut console, "first pasted line");
    let second_rows = screen
        .lines()
        .filter(|l| l.trim_matches(|c| c == '│' || c == ' ') == "second pasted line")
        .count();
    assert_eq!(second_rows, 2, "ours and the echo, each with its own line:\n{screen}");
    console.wait_for("no request in flight", |s| !s.contains("in flight"));
    console.press(CTRL_C);
    console.wait_exit().assert_clean();
}

#[test]
fn a_paste_that_comes_as_keys_keeps_its_lines_and_sends_nothing_by_itself() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut console = in_the_composer(dir.path());
    // No bracketed paste (an old terminal, `tmux paste-buffer` without -p):
    // the lines come as keys, each break an Enter, all in one write.
    console.press("first line\rsecond 你好\rthird 👍🏽".as_bytes());
    console.wait_for("the three lines in the composer", |s| {
        s.contains("first line") && s.contains("second 你好") && s.contains("third 👍")
    });
    assert!(
        console.with_screen(|s| !s.contents().contains("Act as which role?")),
        "no Enter of the paste asked where to send"
    );
    let screen = send_as_the_first_message(&mut console, "first line");
    let third_rows = screen
        .lines()
        .filter(|l| l.trim_matches(|c| c == '│' || c == ' ').starts_with("third 👍"))
        .count();
    assert_eq!(third_rows, 2, "one message of three lines, and its echo:\n{screen}");
    console.wait_for("no request in flight", |s| !s.contains("in flight"));
    console.press(CTRL_C);
    console.wait_exit().assert_clean();
}
