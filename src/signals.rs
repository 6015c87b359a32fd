//! Process signals as events of the console's own loop, so a dropped SSH
//! session (HUP), `kill` (TERM, INT) or SIGQUIT take the same shutdown path
//! as `q`: the loop ends, the terminal is restored and every callback taken
//! over is put back before the process exits with `128 + n`. SIGTSTP
//! (Ctrl-Z, `kill -TSTP`) suspends with the terminal restored; SIGCONT puts
//! the console's screen back.
//!
//! No UI here: the runtime selects on [`Signals::recv`] and does the
//! terminal work; `main` reads [`received`] for the exit code.

use std::io;
use std::sync::atomic::{AtomicI32, Ordering};

use tokio::signal::unix::{Signal, SignalKind, signal};

/// What a signal asks of the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignalEvent {
    /// Shut down as `q` does; the number is the signal's.
    Quit(i32),
    /// Restore the terminal and stop (SIGTSTP).
    Suspend,
    /// Continued after a stop: take the terminal back and redraw.
    Continue,
}

/// The signals that end the console, with their numbers.
const QUIT_SIGNALS: [(i32, &str); 4] = [
    (libc::SIGTERM, "SIGTERM"),
    (libc::SIGHUP, "SIGHUP"),
    (libc::SIGINT, "SIGINT"),
    (libc::SIGQUIT, "SIGQUIT"),
];

/// The first shutdown signal received (0: none).
static RECEIVED: AtomicI32 = AtomicI32::new(0);

/// Listeners for every signal the console handles. Installing them replaces
/// the default actions (terminate, stop) for the rest of the process.
pub struct Signals {
    quit: Vec<(i32, Signal)>,
    suspend: Signal,
    resume: Signal,
}

impl Signals {
    /// Start listening. Call inside the tokio runtime.
    pub fn install() -> io::Result<Self> {
        let quit = QUIT_SIGNALS
            .iter()
            .map(|&(n, _)| signal(SignalKind::from_raw(n)).map(|s| (n, s)))
            .collect::<io::Result<_>>()?;
        Ok(Self {
            quit,
            suspend: signal(SignalKind::from_raw(libc::SIGTSTP))?,
            resume: signal(SignalKind::from_raw(libc::SIGCONT))?,
        })
    }

    /// The next signal. A shutdown signal is also remembered for [`received`].
    pub async fn recv(&mut self) -> SignalEvent {
        let quit = futures_util::future::select_all(
            self.quit
                .iter_mut()
                .map(|(n, s)| Box::pin(async move { s.recv().await.map(|_| *n) })),
        );
        tokio::select! {
            (Some(n), _, _) = quit => {
                let _ = RECEIVED.compare_exchange(0, n, Ordering::SeqCst, Ordering::SeqCst);
                SignalEvent::Quit(n)
            }
            Some(()) = self.suspend.recv() => SignalEvent::Suspend,
            Some(()) = self.resume.recv() => SignalEvent::Continue,
        }
    }
}

/// The shutdown signal received, if any.
pub fn received() -> Option<i32> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        n => Some(n),
    }
}

/// The conventional exit status after signal `n`: `128 + n`.
pub fn exit_status(n: i32) -> u8 {
    u8::try_from(128 + n).unwrap_or(u8::MAX)
}

/// The signal's name, for messages ("SIGTERM").
pub fn name(n: i32) -> &'static str {
    QUIT_SIGNALS
        .iter()
        .find(|(m, _)| *m == n)
        .map(|(_, name)| *name)
        .unwrap_or("signal")
}

/// Stop this process as SIGTSTP would have (its handler is ours now, so the
/// default action must be asked for with SIGSTOP). Returns once continued.
pub fn stop_self() {
    // SAFETY: raise has no memory-safety preconditions.
    unsafe {
        libc::raise(libc::SIGSTOP);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_status_is_128_plus_n() {
        assert_eq!(exit_status(libc::SIGTERM), 143);
        assert_eq!(exit_status(libc::SIGHUP), 129);
        assert_eq!(exit_status(libc::SIGINT), 130);
        assert_eq!(name(libc::SIGQUIT), "SIGQUIT");
    }

    #[tokio::test]
    async fn a_signal_arrives_as_an_event_and_is_remembered() {
        let mut signals = Signals::install().expect("install");
        // SAFETY: raise has no memory-safety preconditions; the handler is installed.
        unsafe {
            libc::raise(libc::SIGHUP);
        }
        assert_eq!(signals.recv().await, SignalEvent::Quit(libc::SIGHUP));
        assert_eq!(received(), Some(libc::SIGHUP));
    }
}
