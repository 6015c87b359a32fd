//! Containing panics. A panic on the UI thread ends the console: the
//! terminal is restored first, then the report prints. A panic anywhere else
//! (the embedded sandbox, the callback receiver, a transfer: tokio tasks on
//! worker threads) is contained by its task; it must not touch the terminal
//! the UI still owns, so it is reported into the console as an error
//! instead (see [`crate::notices`]).

use std::panic::PanicHookInfo;
use std::sync::OnceLock;
use std::thread::ThreadId;

static UI_THREAD: OnceLock<ThreadId> = OnceLock::new();

/// Mark the calling thread as the one running the UI.
pub fn mark_ui_thread() {
    let _ = UI_THREAD.set(std::thread::current().id());
}

/// Whether the caller is the UI thread (true when no UI was marked: a
/// command-line run has no screen to protect).
pub fn on_ui_thread() -> bool {
    UI_THREAD.get().is_none_or(|id| *id == std::thread::current().id())
}

/// The one-line report of a background panic, as the console shows it.
pub fn describe(info: &PanicHookInfo<'_>) -> String {
    let payload = info.payload();
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_owned());
    let thread = std::thread::current();
    // Source locations only for those who asked for them (as in main's reports).
    let place = info
        .location()
        .filter(|_| std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0"))
        .map(|l| format!(" at {}:{}", l.file(), l.line()))
        .unwrap_or_default();
    format!(
        "internal error in a background task ({}): {message}{place}; the console keeps running, \
         but what that task was doing did not finish (please report this)",
        thread.name().unwrap_or("unnamed thread")
    )
}

/// Install the hook: `restore_terminal` then the previous hook for a UI
/// panic; a report into the console for any other thread.
pub fn install(restore_terminal: fn()) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if on_ui_thread() {
            restore_terminal();
            previous(info);
        } else {
            crate::notices::warn(describe(info));
        }
    }));
}
