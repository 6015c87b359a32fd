//! Signals take the path of `q`: the real binary in a pseudo-terminal, on a
//! profile pointing at a standalone sandbox, takes over the customer role
//! of the demo application (`u`), then gets SIGTERM, SIGHUP or SIGINT. The
//! terminal must be restored (cooked mode, main screen, cursor shown), the
//! role's original callback back on the sandbox before the process is gone,
//! and the exit status 128 + n. Ctrl-Z suspends with the terminal restored
//! and SIGCONT redraws. A panic in a background task leaves the console
//! running and shows the error.

mod common_pty;

use std::path::Path;

use common_pty::standalone::Standalone;
use common_pty::{Console, ENTER_ALT, LEAVE_ALT, find_last};

/// Start the console on the standalone sandbox and point its customer role at it.
fn console_with_takeover(sb: &Standalone, dir: &Path) -> Console {
    console_with_takeover_env(sb, dir, &[])
}

fn console_with_takeover_env(sb: &Standalone, dir: &Path, extra: &[(&str, &str)]) -> Console {
    let mut console = sb.console(dir, extra);
    take_over_customer(&mut console);
    console
}

/// From the demo account on the standalone profile: open the demo
/// application's detail and point its customer role at this console.
fn take_over_customer(console: &mut Console) {
    console.wait_for("the demo account on the standalone profile", |s| {
        s.contains("Demo Account") && s.contains("standalone")
    });
    for step in (2..=5).rev() {
        console.step(b"h", "the previous kind", |s| s.contains(&format!("step {step} of 6")));
    }
    console.wait_for("the demo application", |s| s.contains("Demo Application"));
    console.step(b"\r", "the application's detail", |s| s.contains("\"roles\""));
    console.step(b"u", "the role picker", |s| {
        s.contains("Use this console for which role?")
    });
    console.step(b"\r", "the takeover plan", |s| s.contains("at this console?"));
    // The status line lists active takeovers.
    console.step(b"\r", "the takeover applied", |s| s.contains("customer → console"));
}

fn signal_restores_terminal_and_callback(signal: i32) {
    let sb = Standalone::start();
    let original = sb.callback("customer").expect("the demo customer role has a callback");
    let dir = tempfile::tempdir().expect("tempdir");
    let console = console_with_takeover(&sb, dir.path());
    let taken = sb.callback("customer").expect("a callback");
    assert_ne!(taken, original, "the role now calls the console");

    console.signal(signal);
    let exited = console.wait_exit();
    exited.assert_restored();
    assert_eq!(
        exited.code,
        128 + u32::try_from(signal).expect("signal"),
        "exit status 128+n"
    );
    assert_eq!(
        sb.callback("customer").as_deref(),
        Some(original.as_str()),
        "the original callback is back before the console exited"
    );
    assert!(
        exited
            .screen
            .contains("customer callback of \"Demo Application\" restored to"),
        "the restore is reported in plain words:\n{}",
        exited.screen
    );
}

#[test]
fn sigterm_restores_the_terminal_and_the_callback() {
    signal_restores_terminal_and_callback(libc::SIGTERM);
}

#[test]
fn sighup_restores_the_terminal_and_the_callback() {
    signal_restores_terminal_and_callback(libc::SIGHUP);
}

#[test]
fn sigint_restores_the_terminal_and_the_callback() {
    signal_restores_terminal_and_callback(libc::SIGINT);
}

#[test]
fn sigquit_restores_the_terminal_and_the_callback() {
    signal_restores_terminal_and_callback(libc::SIGQUIT);
}

#[test]
fn a_ui_panic_still_restores_the_callback() {
    let sb = Standalone::start();
    let original = sb.callback("customer").expect("the demo customer role has a callback");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut console = console_with_takeover_env(&sb, dir.path(), &[("EGAIN_CONSOLE_PANIC_ON_KEY", "%")]);
    assert_ne!(sb.callback("customer").as_deref(), Some(original.as_str()));
    console.press(b"%");
    let exited = console.wait_exit();
    assert_eq!(exited.code, 101, "a panic's exit status");
    exited.assert_restored();
    assert_eq!(sb.callback("customer").as_deref(), Some(original.as_str()));
    assert!(exited.screen.contains("restored to"), "{}", exited.screen);
}

/// The process state letter from /proc (`T`: stopped).
fn process_state(pid: i32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit(')').next()?.trim_start().chars().next()
}

#[test]
fn ctrl_z_suspends_with_the_terminal_restored_and_sigcont_redraws() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut console = Console::start(dir.path(), &[], &[("NO_COLOR", "1")]);
    console.wait_opened();
    console.press(b"\x1a");
    console.wait_for_raw("the main screen back before stopping", |out| {
        !out.screen().alternate_screen() && !out.screen().hide_cursor()
    });
    // The stop comes right after the restore; /proc is the only witness.
    let pid = console.pid();
    let deadline = std::time::Instant::now() + common_pty::TIMEOUT;
    while process_state(pid) != Some('T') {
        assert!(std::time::Instant::now() < deadline, "the console did not stop");
        std::thread::yield_now();
    }
    console.signal(libc::SIGCONT);
    console.wait_for_raw("the console's screen again", |out| {
        out.screen().alternate_screen()
            && out.screen().contents().contains("Demo Account")
            && find_last(&out.raw, ENTER_ALT) > find_last(&out.raw, LEAVE_ALT)
    });
    console.press(b"q");
    console.wait_exit().assert_clean();
}

/// Stopped from outside (`kill -STOP`, or SIGTTIN/SIGTTOU), the console
/// cannot restore the terminal first, and the shell that takes it back puts
/// it into cooked mode. After `fg` (SIGCONT) keys must still arrive one by
/// one: a `q` with no Enter after it quits.
#[test]
fn after_an_outside_stop_and_a_shell_s_cooked_mode_sigcont_takes_raw_mode_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut console = Console::start(dir.path(), &[], &[("NO_COLOR", "1")]);
    console.wait_opened();
    let pid = console.pid();
    console.signal(libc::SIGSTOP);
    let deadline = std::time::Instant::now() + common_pty::TIMEOUT;
    while process_state(pid) != Some('T') {
        assert!(std::time::Instant::now() < deadline, "the console did not stop");
        std::thread::yield_now();
    }
    console.set_cooked();
    console.signal(libc::SIGCONT);
    console.press(b"?");
    console.wait_for("help, from one key without Enter", |s| {
        s.contains("Keys, this pane first")
    });
    console.step(b"\x1b", "help closed", |s| !s.contains("Keys, this pane first"));
    console.press(b"q");
    console.wait_exit().assert_clean();
}

/// In a shell: Ctrl-Z, then `kill %1`, which sends TERM and continues the
/// stopped job in the background. The console must end there (exit 143,
/// its taken-over callback put back), not be stopped again by SIGTTOU
/// while taking the terminal back. `bg` then `fg` brings it back working.
#[test]
fn a_suspended_console_ends_on_kill_from_its_shell_and_comes_back_after_bg_fg() {
    let sb = Standalone::start();
    let original = sb.callback("customer").expect("the demo customer role has a callback");
    let dir = tempfile::tempdir().expect("tempdir");
    let config = sb.write_config(dir.path());
    let secret = sb.sandbox.credentials.client_secret.clone();
    let mut shell = Console::start_shell(dir.path(), &[("SANDBOX_SECRET", secret.as_str()), ("NO_COLOR", "1")]);
    shell.wait_for("the prompt", |s| s.contains("$ "));
    // Embedded first: bg, then fg, and keys still work.
    shell.press(b"\"$CONSOLE\"\r");
    shell.wait_opened();
    shell.press(b"\x1a");
    shell.wait_for("stopped by the shell", |s| s.contains("Stopped"));
    shell.press(b"bg\r");
    shell.wait_for("running in the background", |s| {
        s.contains("$CONSOLE\" &") || s.contains("egain-console &")
    });
    shell.press(b"fg\r");
    shell.wait_for("the console again", |s| s.contains("Demo Account"));
    shell.step(b"?", "help, so keys are read", |s| s.contains("Keys, this pane first"));
    shell.step(b"\x1b", "help closed", |s| !s.contains("Keys, this pane first"));
    shell.press(b"q");
    shell.wait_for("the prompt after q", |s| s.trim_end().ends_with('$'));
    // On the standalone sandbox with the customer role taken over: Ctrl-Z, kill %1.
    shell.press(format!("clear; \"$CONSOLE\" --config {config}\r").as_bytes());
    take_over_customer(&mut shell);
    assert_ne!(sb.callback("customer").as_deref(), Some(original.as_str()));
    shell.press(b"\x1a");
    shell.wait_for("stopped by the shell", |s| s.contains("Stopped"));
    // `set -b`: the shell reports the job's end at once.
    shell.press(b"set -b; clear; kill %1\r");
    let screen = shell.wait_for("the console's end, reported by the shell", |s| s.contains("Exit 143"));
    assert!(
        screen.contains("Exit 143"),
        "the console ended (exit 143) instead of stopping again:\n{screen}"
    );
    assert!(screen.contains("restored to"), "{screen}");
    assert_eq!(
        sb.callback("customer").as_deref(),
        Some(original.as_str()),
        "the original callback is back:\n{screen}"
    );
    shell.press(b"exit\r");
    let _ = shell.wait_exit();
}

#[test]
fn a_background_panic_is_shown_and_the_console_keeps_running() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut console = Console::start(
        dir.path(),
        &[],
        &[("NO_COLOR", "1"), ("EGAIN_CONSOLE_TASK_PANIC_ON_KEY", "%")],
    );
    console.wait_opened();
    console.press(b"%");
    console.wait_for("the panic reported in the console", |s| {
        s.contains("internal error in a background task")
    });
    console.with_screen(|screen| {
        assert!(
            screen.alternate_screen() && screen.hide_cursor(),
            "the UI still owns the terminal"
        );
    });
    // Still responsive: Esc ends the typed-by-mistake word `%` began, then the next pane opens.
    console.step(b"\x1b", "the error dismissed", |s| {
        !s.contains("internal error in a background task")
    });
    console.step(b"3", "the request log", |s| s.contains("Request log"));
    console.press(b"q");
    console.wait_exit().assert_clean();
}
