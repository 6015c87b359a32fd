//! Idle timeout: a conversation without messages for its account's
//! `chatConfigurations.timeout` minutes ends. One task sleeps until the
//! earliest deadline; any accepted message wakes it to look again.

use tokio::time::Instant;

use super::delivery;
use super::routing::record;
use crate::api::models::conversation::{Message, Party, SenderType};
use crate::sandbox::SharedState;
use crate::sandbox::clock::now_iso;

/// Sender type of messages the hub itself writes (the spec has none).
pub const SYSTEM_SENDER: &str = "system";

pub(super) fn spawn(state: &SharedState) {
    let state = state.clone();
    tokio::spawn(async move {
        loop {
            let next = state.hub.next_deadline();
            let until_deadline = async {
                match next {
                    Some(deadline) => tokio::time::sleep_until(deadline).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = state.shutdown.cancelled() => break,
                // notify_one keeps a permit, so activity between reading the
                // deadline and waiting here is not lost.
                _ = state.hub.activity.notified() => {}
                _ = until_deadline => expire(&state),
            }
        }
    });
}

impl super::Hub {
    fn next_deadline(&self) -> Option<Instant> {
        self.lock()
            .conversations
            .values()
            .filter(|c| c.open)
            .filter_map(|c| c.deadline)
            .min()
    }
}

/// End every conversation past its deadline: record a `conversation.end`
/// from the hub and deliver it to the customer and the current handler.
fn expire(state: &SharedState) {
    let now = Instant::now();
    let mut inner = state.hub.lock();
    let expired: Vec<String> = inner
        .conversations
        .values()
        .filter(|c| c.open && c.deadline.is_some_and(|d| d <= now))
        .map(|c| c.id.clone())
        .collect();
    for id in expired {
        let Some(conversation) = inner.conversations.get_mut(&id) else {
            continue;
        };
        let minutes = conversation
            .idle_timeout
            .map(|t| t.as_secs_f64() / 60.0)
            .unwrap_or_default();
        let notice = Message::new(
            "conversation.end",
            Party::named(SenderType::Other(SYSTEM_SENDER.into()), "hub"),
            Some(format!("Conversation ended after {minutes} idle minutes.")),
        );
        let targets = vec![conversation.customer.clone(), conversation.handler.clone()];
        let stamp = now_iso();
        let stored = record(notice, conversation, &targets, &stamp);
        conversation.messages.push(stored.clone());
        conversation.close(&stamp);
        let context = conversation.context.clone();
        delivery::enqueue(state, &mut inner, &stored, &context, &targets, None);
        inner.queues.remove(&id);
    }
}
