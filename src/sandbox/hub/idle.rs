//! Idle timeout: a conversation without messages for its account's
//! `chatConfigurations.timeout` minutes ends. One task sleeps until the
//! earliest deadline; any accepted message wakes it to look again.

use tokio::time::Instant;

use super::delivery;
use super::routing::record;
use crate::api::models::conversation::{Message, Party, SenderType};
use crate::sandbox::SharedState;
use crate::sandbox::clock::now_iso;
use crate::sandbox::db::ConversationWrite;

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
        super::lock(&self.deadlines).first().map(|(at, _)| *at)
    }
}

/// End every conversation past its deadline: record a `conversation.end`
/// from the hub and deliver it to the customer and the current handler.
fn expire(state: &SharedState) {
    let now = Instant::now();
    let due: Vec<String> = {
        let mut deadlines = super::lock(&state.hub.deadlines);
        let mut due = Vec::new();
        while let Some((at, id)) = deadlines.first().cloned() {
            if at > now {
                break;
            }
            deadlines.pop_first();
            due.push(id);
        }
        due
    };
    for id in due {
        let Some(slot) = state.hub.slot(&id) else {
            continue;
        };
        let mut live = super::lock(&slot);
        // A message may have moved the deadline since it was taken.
        if !live.state.open || live.state.deadline.is_none_or(|d| d > now) {
            if let Some(d) = live.state.deadline.filter(|d| *d > now) {
                state.hub.reschedule(&id, None, Some(d));
            }
            continue;
        }
        let minutes = live
            .state
            .idle_timeout
            .map(|t| t.as_secs_f64() / 60.0)
            .unwrap_or_default();
        let notice = Message::new(
            "conversation.end",
            Party::named(SenderType::Other(SYSTEM_SENDER.into()), "hub"),
            Some(format!("Conversation ended after {minutes} idle minutes.")),
        );
        let mut header = live.state.clone();
        let targets = vec![header.customer.clone(), header.handler.clone()];
        let stamp = now_iso();
        let stored = record(notice, &mut header, &targets, &stamp);
        let seq = header.message_count;
        header.message_count += 1;
        header.close(&stamp);
        let (Ok(text), Ok(header_text)) = (serde_json::to_string(&stored), serde_json::to_string(&header)) else {
            continue;
        };
        let write = ConversationWrite {
            id: &id,
            open: false,
            header: header_text,
            messages: vec![(seq, text)],
        };
        let mut jobs = delivery::prepare(&header.context, &stored, seq, &targets, None);
        let rows: Vec<&crate::sandbox::db::OutboxRow> = jobs.iter().map(delivery::Job::row).collect();
        let Ok(ids) = state.db.commit_send(&[write], &[], &rows) else {
            // Not saved: try again at the next wake-up rather than lose the end.
            state
                .hub
                .reschedule(&id, None, Some(now + std::time::Duration::from_secs(1)));
            continue;
        };
        delivery::set_rows(&mut jobs, &ids);
        live.state = header;
        delivery::enqueue(state, &mut live, jobs);
        live.queue = None;
        drop(live);
        super::lock(&state.hub.inner).conversations.remove(&id);
    }
    state.hub.changed();
}
