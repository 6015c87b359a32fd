//! `v` for real: the binary in a pseudo-terminal against its embedded
//! sandbox, with a fake `$PAGER` script. The console leaves the alternate
//! screen for the pager, the pager gets a private file with the detail as
//! shown (the Authentication's password redacted), and the console takes
//! the terminal back and redraws whatever the pager's exit status; a
//! failing pager is a notice, and the console keeps running.
#![cfg(unix)]

mod common_pty;

use std::os::unix::fs::PermissionsExt;

use common_pty::{Console, LEAVE_ALT, find_last};

/// Shows a marker, copies the file and its mode, waits for a line, exits 3.
fn fake_pager(dir: &std::path::Path) -> String {
    let script = dir.join("pager.sh");
    let out = dir.display();
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\ncp \"$1\" '{out}/seen.txt'\nstat -c %a \"$1\" > '{out}/mode'\n\
             printf 'FAKE PAGER SHOWING %s\\n' \"$1\"\nread line\nexit 3\n"
        ),
    )
    .expect("script");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    script.display().to_string()
}

#[test]
fn v_hands_the_terminal_to_the_pager_and_takes_it_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pager = fake_pager(dir.path());
    let mut console = Console::start(dir.path(), &[], &[("PAGER", &pager)]);
    console.wait_opened();
    // The Authentication tab (first), its detail: it holds a password.
    for _ in 0..5 {
        console.press(b"\x1b[D");
    }
    console.wait_for("the Authentication list", |s| s.contains("step 1 of 6"));
    console.step(b"\r", "the detail", |s| s.contains("\"basicAuth\""));
    console.step(b"v", "the pager on the main screen", |s| {
        s.contains("FAKE PAGER SHOWING")
    });
    assert!(
        console.with_screen(|s| !s.alternate_screen()),
        "the console left the alternate screen for the pager"
    );
    console.step(b"\r", "the console back, with a notice", |s| {
        s.contains("\"basicAuth\"") && s.contains("exit status: 3")
    });
    assert!(
        console.with_screen(|s| s.alternate_screen()),
        "back on the alternate screen"
    );
    let seen = std::fs::read_to_string(dir.path().join("seen.txt")).expect("the pager got a file");
    assert!(seen.contains("\"password\": \"[REDACTED]\""), "{seen}");
    // The sandbox's demo password is "demo-" and a random id.
    assert!(!seen.contains("\"password\": \"demo-"), "{seen}");
    let mode = std::fs::read_to_string(dir.path().join("mode")).expect("mode");
    assert_eq!(mode.trim(), "600");
    // Still a working console: keys work, q quits cleanly.
    console.step(b"?", "the help", |s| s.contains("Keys, this pane first"));
    console.step(b"?", "the help closed", |s| !s.contains("Keys, this pane first"));
    console.press(b"q");
    let exited = console.wait_exit();
    assert!(find_last(&exited.raw, LEAVE_ALT).is_some());
    exited.assert_clean();
}
