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

/// Undo everything [`enter`] did. Safe to call more than once.
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = stdout();
    let _ = execute!(out, DisableMouseCapture, DisableBracketedPaste, LeaveAlternateScreen);
    let _ = execute!(out, crossterm::cursor::Show);
    let _ = disable_raw_mode();
    let _ = out.flush();
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
