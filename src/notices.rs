//! Messages for the user that arise outside the UI: start-up warnings, the
//! outcome of restoring callbacks left by an earlier run, a panic contained
//! in a background task. They queue here until the console subscribes, so
//! none vanishes behind the full-screen UI; what nobody took is printed
//! after the terminal is restored.

use std::sync::Mutex;

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

/// `Ok`: information; `Err`: a problem the user should see.
pub type Notice = Result<String, String>;

#[derive(Default)]
struct Queue {
    pending: Vec<Notice>,
    subscriber: Option<UnboundedSender<Notice>>,
}

static QUEUE: Mutex<Queue> = Mutex::new(Queue {
    pending: Vec::new(),
    subscriber: None,
});

fn queue() -> std::sync::MutexGuard<'static, Queue> {
    QUEUE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Tell the user, now if a console listens, else when one does (or at exit).
pub fn push(notice: Notice) {
    let mut q = queue();
    let undelivered = match &q.subscriber {
        Some(tx) => tx.send(notice).err().map(|e| e.0),
        None => Some(notice),
    };
    if let Some(notice) = undelivered {
        q.subscriber = None;
        q.pending.push(notice);
    }
}

/// A warning (shown as a problem).
pub fn warn(text: impl Into<String>) {
    push(Err(text.into()));
}

/// Every notice queued so far, then each new one, until the receiver is dropped.
pub fn subscribe() -> UnboundedReceiver<Notice> {
    let (tx, rx) = unbounded_channel();
    let mut q = queue();
    for notice in q.pending.drain(..) {
        let _ = tx.send(notice);
    }
    q.subscriber = Some(tx);
    rx
}

/// Stop delivering to the console and return what it never received.
pub fn take_undelivered(rx: Option<UnboundedReceiver<Notice>>) -> Vec<Notice> {
    let mut q = queue();
    q.subscriber = None;
    let mut left = Vec::new();
    if let Some(mut rx) = rx {
        while let Ok(n) = rx.try_recv() {
            left.push(n);
        }
    }
    left.append(&mut q.pending);
    left
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queued_until_subscribed_then_delivered_live() {
        push(Ok("before".into()));
        let mut rx = subscribe();
        push(Err("after".into()));
        assert_eq!(rx.try_recv(), Ok(Ok("before".into())));
        assert_eq!(rx.try_recv(), Ok(Err("after".into())));
        drop(rx);
        push(Err("nobody listens".into()));
        assert_eq!(take_undelivered(None), vec![Err("nobody listens".to_owned())]);
    }
}
