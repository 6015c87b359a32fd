//! What the hub remembers about one conversation: its context (account,
//! customer, entry point), who handles it now and when it goes idle. This
//! header is small and kept in memory while the conversation is open; the
//! transcript lives only in the database (one row per message), so a new
//! message costs the same at the first message and the ten-thousandth.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::time::Instant;

use crate::api::models::RoleName;
use crate::api::models::common::Extra;
use crate::api::models::conversation::{Conversation, ConversationRef, Message, MessageList, Party, SenderType};

/// One recipient: a role of a client application. `app` is `None` when the
/// orchestration names no application for the role (the message is kept but
/// cannot be delivered).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Target {
    pub app: Option<String>,
    pub role: RoleName,
    /// Participant name shown for bots and agents.
    pub participant: Option<String>,
}

impl Target {
    /// The recipient as it appears in `recipients.recipient[]`.
    pub fn party(&self) -> Party {
        let kind: SenderType = self.role.as_str().parse().unwrap_or_else(|never| match never {});
        match &self.participant {
            Some(name) => Party::named(kind, name.clone()),
            None => Party::new(kind),
        }
    }
}

/// Who answers the customer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) enum Stage {
    /// A bot; `escalation` is the agent it hands over to, or why there is none.
    Bot { escalation: Result<Target, String> },
    /// An agent, after escalation or from the start.
    Agent,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ConversationState {
    pub id: String,
    /// Context sent with every delivery (includes `id`).
    pub context: ConversationRef,
    pub channel_id: String,
    pub customer: Target,
    pub handler: Target,
    pub stage: Stage,
    pub open: bool,
    pub created: String,
    pub closed: Option<String>,
    pub last_activity: String,
    pub idle_timeout: Option<Duration>,
    /// In-process clock; recomputed from `last_activity` after a restart.
    #[serde(skip)]
    pub deadline: Option<Instant>,
    /// Messages stored so far: the next message's sequence number.
    #[serde(default)]
    pub message_count: u64,
    /// The built-in agent has joined.
    #[serde(default)]
    pub agent_joined: bool,
}

impl ConversationState {
    /// Note a message: it pushes the idle deadline out.
    pub fn touch(&mut self, now_iso: &str) {
        self.last_activity = now_iso.to_owned();
        // A timeout past what Instant can hold means no idle end.
        self.deadline = self.idle_timeout.and_then(|t| Instant::now().checked_add(t));
    }

    pub fn close(&mut self, now_iso: &str) {
        self.open = false;
        self.closed = Some(now_iso.to_owned());
        self.deadline = None;
    }

    /// After a restart: the idle deadline from the wall-clock time of the last message.
    pub fn resume_deadline(&mut self) {
        let Some(timeout) = self.idle_timeout else {
            return;
        };
        let idle_for = self
            .last_activity
            .parse::<jiff::Timestamp>()
            .ok()
            .and_then(|last| Duration::try_from(jiff::Timestamp::now().duration_since(last)).ok())
            .unwrap_or_default();
        // Past what Instant can hold: no idle end, as in `touch`.
        self.deadline = Instant::now().checked_add(timeout.saturating_sub(idle_for));
    }

    /// The transcript as `GET /conversations/{id}` answers it: stored
    /// messages without the per-delivery context, plus the hub's own
    /// `state`, `created`, `lastActivity` and `closed` fields.
    pub fn transcript(&self, messages: Vec<Message>) -> Conversation {
        let mut extra = Extra::new();
        extra.insert("state".into(), Value::from(if self.open { "open" } else { "closed" }));
        extra.insert("created".into(), Value::from(self.created.clone()));
        extra.insert("lastActivity".into(), Value::from(self.last_activity.clone()));
        if let Some(closed) = &self.closed {
            extra.insert("closed".into(), Value::from(closed.clone()));
        }
        Conversation {
            id: self.id.clone(),
            account: self.context.account.clone(),
            conversation_contact: self.context.conversation_contact.clone(),
            entry_point: self.context.entry_point.clone(),
            customer: self.context.customer.clone(),
            messages: MessageList {
                message: messages,
                extra: Extra::new(),
            },
            extra,
        }
    }
}

/// Idle minutes (possibly fractional) as a duration; none for zero,
/// negative or absurd values.
pub(super) fn idle_timeout(minutes: &serde_json::Number) -> Option<Duration> {
    let minutes = minutes.as_f64()?;
    if minutes > 0.0 {
        Duration::try_from_secs_f64(minutes * 60.0).ok()
    } else {
        None
    }
}
