//! Terminal setup and restoration. Restoring is idempotent and runs on every
//! exit path: normal return, error, and panic (before the report prints).

use std::io::{Write, stdout};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

static ACTIVE: AtomicBool = AtomicBool::new(false);

pub type Term = Terminal<CrosstermBackend<std::io::Stdout>>;

/// Raw mode, alternate screen, bracketed paste, optionally mouse capture.
pub fn enter(mouse: bool) -> std::io::Result<Term> {
    // The terminal object is created before raw mode and reused after
    // `$EDITOR`: creating one queries the cursor position, which must not race
    // with an input stream.
    let mut terminal = Terminal::new(CrosstermBackend::new(stdout()))?;
    resume(&mut terminal, mouse)?;
    Ok(terminal)
}

/// Put the terminal back into the console's modes (after [`restore`], or
/// after a stop the console did not see coming) and force a full redraw.
pub fn resume(terminal: &mut Term, mouse: bool) -> std::io::Result<()> {
    // crossterm skips `enable_raw_mode` while it believes raw mode is on. A
    // stop from outside (`kill -STOP`, SIGTTIN) gives no chance to restore
    // first, and the shell that takes the terminal back sets cooked mode:
    // after `fg` keys would wait for Enter. Drop crossterm's belief (a no-op
    // when raw mode is off) so raw mode is set from the terminal as it is.
    let _ = disable_raw_mode();
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    execute!(stdout(), EnterAlternateScreen, EnableBracketedPaste)?;
    if mouse {
        execute!(stdout(), EnableMouseCapture)?;
    }
    terminal.hide_cursor()?;
    // Clear and force a full redraw. `resize` does it without `clear`'s cursor
    // position query, whose answer an input stream could swallow.
    let size = terminal.size()?;
    terminal.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))
}

/// Undo everything [`enter`] did. Safe to call more than once, and never
/// stops the process: restoring from the background (a stopped console sent
/// `kill %1`, which continues it) would otherwise be stopped by SIGTTOU and
/// never get on to putting the callbacks back.
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let _quiet = IgnoreTtou::new();
    let mut out = stdout();
    let _ = execute!(out, DisableMouseCapture, DisableBracketedPaste, LeaveAlternateScreen);
    let _ = execute!(out, crossterm::cursor::Show);
    let _ = disable_raw_mode();
    let _ = out.flush();
}

/// Whether this process's group has the terminal (not a stopped or
/// background job). Taking the terminal back from the background would be
/// stopped by SIGTTOU, and would paint over the shell. No terminal: true.
pub fn in_foreground() -> bool {
    // SAFETY: tcgetpgrp and getpgrp only read process and terminal state.
    let (owner, ours) = unsafe { (libc::tcgetpgrp(libc::STDIN_FILENO), libc::getpgrp()) };
    owner < 0 || owner == ours
}

/// SIGTTOU ignored while it lives: terminal settings and output from the
/// background go through instead of stopping the process. For the way out.
pub struct IgnoreTtou(libc::sighandler_t);

impl IgnoreTtou {
    pub fn new() -> Self {
        // SAFETY: SIG_IGN is a valid disposition; the previous one is put back on drop.
        Self(unsafe { libc::signal(libc::SIGTTOU, libc::SIG_IGN) })
    }
}

impl Default for IgnoreTtou {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for IgnoreTtou {
    fn drop(&mut self) {
        if self.0 != libc::SIG_ERR {
            // SAFETY: restores the disposition `signal` returned.
            unsafe {
                libc::signal(libc::SIGTTOU, self.0);
            }
        }
    }
}

/// Restores the terminal when dropped (covers early returns and errors).
pub struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

/// Make a UI panic restore the terminal before color-eyre prints its report;
/// a background task's panic is reported into the console instead.
pub fn install_panic_hook() {
    crate::panics::install(restore);
}

pub fn set_mouse(enabled: bool) {
    let _ = if enabled {
        execute!(stdout(), EnableMouseCapture)
    } else {
        execute!(stdout(), DisableMouseCapture)
    };
}
