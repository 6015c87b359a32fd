//! Callback deliveries, routed to the run that owns each conversation.
//!
//! One receiver serves every run of a process, and a conversation's first
//! replies may arrive before the 202 that names it: deliveries for a
//! conversation nobody has claimed yet wait in a bounded backlog, and are
//! handed over when a run claims the id.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};

use super::expect::Arrival;
use crate::callback::Inbound;

/// Conversations whose unclaimed deliveries are kept (the oldest go first).
const BACKLOG_CONVERSATIONS: usize = 4096;

type Key = (String, String);

#[derive(Default)]
struct State {
    claimed: HashMap<Key, UnboundedSender<Arrival>>,
    backlog: HashMap<Key, Vec<Arrival>>,
    backlog_order: VecDeque<Key>,
    /// Conversations whose run is over: late deliveries are dropped.
    done: HashSet<Key>,
}

/// Shared by every run of a process.
#[derive(Clone, Default)]
pub struct Inbox {
    state: Arc<Mutex<State>>,
}

/// A run's claim on one conversation; dropping it releases the conversation.
pub struct Claim {
    pub arrivals: UnboundedReceiver<Arrival>,
    key: Key,
    inbox: Inbox,
}

impl Drop for Claim {
    fn drop(&mut self) {
        let mut state = self.inbox.lock();
        state.claimed.remove(&self.key);
        state.done.insert(self.key.clone());
    }
}

impl Inbox {
    /// Route what the receiver accepts, until it stops.
    pub fn start(mut inbound: UnboundedReceiver<Inbound>) -> Inbox {
        let inbox = Inbox::default();
        let routing = inbox.clone();
        tokio::spawn(async move {
            while let Some(delivery) = inbound.recv().await {
                routing.deliver(delivery, Instant::now());
            }
        });
        inbox
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Hand one delivery's messages to their runs (or the backlog).
    pub fn deliver(&self, delivery: Inbound, at: Instant) {
        let mut state = self.lock();
        for message in delivery.envelope.messages.message {
            let Some(id) = message.conversation_id().map(str::to_owned) else {
                continue;
            };
            let key = (delivery.role.clone(), id);
            if state.done.contains(&key) {
                continue;
            }
            let arrival = Arrival { message, at };
            if let Some(tx) = state.claimed.get(&key) {
                let _ = tx.send(arrival);
                continue;
            }
            if !state.backlog.contains_key(&key) {
                state.backlog_order.push_back(key.clone());
                while state.backlog_order.len() > BACKLOG_CONVERSATIONS {
                    if let Some(old) = state.backlog_order.pop_front() {
                        state.backlog.remove(&old);
                    }
                }
            }
            state.backlog.entry(key).or_default().push(arrival);
        }
    }

    /// Take the deliveries of conversation `id` to `role`'s callback,
    /// those that came already first.
    pub fn claim(&self, role: &str, id: &str) -> Claim {
        let (tx, rx) = mpsc::unbounded_channel();
        let key = (role.to_owned(), id.to_owned());
        let mut state = self.lock();
        if let Some(early) = state.backlog.remove(&key) {
            state.backlog_order.retain(|k| *k != key);
            for arrival in early {
                let _ = tx.send(arrival);
            }
        }
        state.claimed.insert(key.clone(), tx);
        drop(state);
        Claim {
            arrivals: rx,
            key,
            inbox: self.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::models::conversation::{ConversationRef, Message, MessageEnvelope, Party, SenderType};

    fn delivery(id: &str, text: &str) -> Inbound {
        let mut m = Message::new("text", Party::new(SenderType::CustomBot), Some(text.into()));
        m.conversation = Some(ConversationRef {
            id: Some(id.into()),
            ..Default::default()
        });
        Inbound {
            role: "customer".into(),
            received: jiff::Timestamp::now(),
            envelope: MessageEnvelope::single(m),
            exchange_id: 0,
        }
    }

    #[test]
    fn early_deliveries_wait_for_their_claim_and_late_ones_after_release_are_dropped() {
        let inbox = Inbox::default();
        let now = Instant::now();
        inbox.deliver(delivery("c1", "early"), now);
        inbox.deliver(delivery("c2", "other"), now);
        let mut claim = inbox.claim("customer", "c1");
        inbox.deliver(delivery("c1", "later"), now);
        let texts: Vec<String> = std::iter::from_fn(|| claim.arrivals.try_recv().ok())
            .filter_map(|a| a.message.text().map(str::to_owned))
            .collect();
        assert_eq!(texts, ["early", "later"]);
        drop(claim);
        inbox.deliver(delivery("c1", "too late"), now);
        assert!(!inbox.lock().backlog.contains_key(&("customer".into(), "c1".into())));
        assert!(inbox.lock().backlog.contains_key(&("customer".into(), "c2".into())));
    }
}
