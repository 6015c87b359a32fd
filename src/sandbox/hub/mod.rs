//! The conversation hub: accepts messages from every party, keeps each
//! conversation's transcript and routing state, delivers messages to the
//! recipient role's callback (really, over HTTP, with its auth and headers),
//! ends idle conversations, and hosts a built-in bot, agent and inbox so the
//! sandbox works without any external application.
//!
//! Callback envelope (one message per POST, in order per conversation):
//! `{metadata?, messages:{message:[{id, messageId, type, content, sender,
//! recipients, status, created, conversation:{id, account, customer,
//! entryPoint, conversationContact}}]}}`. Replies name the conversation with
//! `conversation.id`.

mod callback_auth;
mod conversation;
mod counterparty;
mod delivery;
mod idle;
mod inbox;
mod ring;
mod routing;
mod token_path;

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::time::Instant;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post};
use serde_json::Value;
use tokio::sync::Notify;

use super::SharedState;
use super::auth::Need;
use super::error::{HubError, HubResult, codes};
use crate::api::models::conversation::{Conversation, Message, SendMessageResponse};
use conversation::ConversationState;

pub use counterparty::{AGENT_NAME, BOT_NAME, MENU_LIST_PICKER, RECEIPT_CONTENT_TYPE, RECEIPT_NAME, RECEIPT_TEXT};
pub use idle::SYSTEM_SENDER;
pub use routing::submit;

/// Who plays the agent of the demo account when a demo callback base is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DemoAgent {
    /// The agent role calls the console: the user answers as the agent.
    #[default]
    Console,
    /// The sandbox's built-in agent joins and replies.
    Simulated,
}

/// How the hub delivers and how the built-in counterparties behave.
#[derive(Debug, Clone)]
pub struct HubOptions {
    /// A callback must answer within this time (the spec's 5 seconds).
    pub delivery_timeout: Duration,
    /// Attempts per delivery before giving up (first try included).
    pub delivery_attempts: u32,
    /// Pause before a retry, doubled each time.
    pub retry_backoff: Duration,
    /// Delay before the built-in bot answers (it shows typing meanwhile).
    pub bot_delay: Duration,
    /// Delay before the built-in agent joins and answers.
    pub agent_delay: Duration,
    /// Where the demo seed points the customer and agent roles' callbacks
    /// (the console's receiver); `None` uses the sandbox's own inbox routes.
    pub demo_callback_base: Option<String>,
    /// Whether the demo agent role calls the console (`demo_callback_base`)
    /// or the sandbox's simulated agent.
    pub demo_agent: DemoAgent,
    /// Basic credentials (username, password) the demo Authentication sends
    /// on those callbacks, so the receiver can check them; `None` uses the
    /// demo username with a random password.
    pub demo_callback_auth: Option<(String, String)>,
    /// How many delivery outcomes `GET /sandbox/deliveries` keeps.
    pub delivery_log_size: usize,
    /// How many received callbacks `GET /sandbox/inbox` keeps.
    pub inbox_size: usize,
}

impl Default for HubOptions {
    fn default() -> Self {
        Self {
            delivery_timeout: Duration::from_secs(5),
            delivery_attempts: 3,
            retry_backoff: Duration::from_millis(200),
            bot_delay: Duration::from_millis(300),
            agent_delay: Duration::from_millis(600),
            demo_callback_base: None,
            demo_callback_auth: None,
            demo_agent: DemoAgent::Console,
            delivery_log_size: 200,
            inbox_size: 200,
        }
    }
}

/// An open conversation in memory: its header and its delivery queue.
struct Live {
    state: ConversationState,
    queue: Option<tokio::sync::mpsc::UnboundedSender<delivery::Job>>,
}

/// Each open conversation behind its own lock: work on one never waits for another.
type Slot = Arc<Mutex<Live>>;

/// Open conversations, by id. The map's lock is held only to look up,
/// add or remove a slot; closed conversations leave it (the database keeps them).
#[derive(Default)]
struct Inner {
    conversations: HashMap<String, Slot>,
}

/// Live and finished conversations, delivery machinery and debug logs.
pub struct Hub {
    options: HubOptions,
    inner: Mutex<Inner>,
    /// Idle deadlines of open conversations, earliest first.
    deadlines: Mutex<BTreeSet<(Instant, String)>>,
    /// Woken whenever a conversation's idle deadline may have moved.
    activity: Notify,
    tokens: callback_auth::TokenCache,
    log: delivery::DeliveryLog,
    inbox: inbox::Inbox,
    /// Built-in bot and agent work, queued per conversation.
    turns: counterparty::Turns,
    /// Bumped whenever a transcript changes (message accepted, status set),
    /// so tests and tools wait on an event rather than a timer.
    changes: tokio::sync::watch::Sender<u64>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A poisoned lock still holds consistent data: every change is applied
    // only after its database write succeeded, in one step.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Hub {
    pub fn new(options: &HubOptions) -> Self {
        Self {
            options: options.clone(),
            inner: Mutex::new(Inner::default()),
            deadlines: Mutex::new(BTreeSet::new()),
            activity: Notify::new(),
            tokens: callback_auth::TokenCache::default(),
            log: delivery::DeliveryLog::new(options.delivery_log_size),
            inbox: inbox::Inbox::new(options.inbox_size),
            turns: counterparty::Turns::default(),
            changes: tokio::sync::watch::Sender::new(0),
        }
    }

    /// A receiver that sees a new value after every transcript change.
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changes.subscribe()
    }

    fn changed(&self) {
        self.changes.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// The slot of an open conversation.
    fn slot(&self, id: &str) -> Option<Slot> {
        lock(&self.inner).conversations.get(id).cloned()
    }

    /// How many conversations are open (in memory).
    pub fn open_conversations(&self) -> usize {
        lock(&self.inner).conversations.len()
    }

    /// Move an idle deadline (remove the old entry, add the new one).
    fn reschedule(&self, id: &str, old: Option<Instant>, new: Option<Instant>) {
        if old == new {
            return;
        }
        let mut deadlines = lock(&self.deadlines);
        if let Some(old) = old {
            deadlines.remove(&(old, id.to_owned()));
        }
        if let Some(new) = new {
            deadlines.insert((new, id.to_owned()));
        }
    }

    /// Load the open conversations of a previous run.
    pub(super) fn restore(&self, headers: Vec<(String, u64)>) -> Result<(), String> {
        for (header, count) in headers {
            let mut state: ConversationState = serde_json::from_str(&header)
                .map_err(|e| format!("a stored conversation cannot be read ({e}); the state file is damaged"))?;
            state.message_count = state.message_count.max(count);
            state.resume_deadline();
            self.reschedule(&state.id, None, state.deadline);
            let id = state.id.clone();
            lock(&self.inner)
                .conversations
                .insert(id, Arc::new(Mutex::new(Live { state, queue: None })));
        }
        Ok(())
    }

    /// The delivery log of a previous run.
    pub(super) fn restore_deliveries(&self, records: &[String]) {
        for record in records {
            if let Ok(record) = serde_json::from_str(record) {
                self.log.push(record);
            }
        }
    }

    /// Recent delivery outcomes, oldest first.
    pub fn deliveries(&self) -> Vec<delivery::DeliveryRecord> {
        self.log.snapshot()
    }

    /// Recent callbacks received by the built-in inbox, oldest first.
    pub fn inbox(&self) -> Vec<inbox::InboxEntry> {
        self.inbox.snapshot()
    }
}

impl super::SandboxState {
    /// Transcript of a conversation (open or closed), from the database.
    pub fn transcript(&self, id: &str) -> Result<Option<Conversation>, String> {
        let header = match self.hub.slot(id) {
            Some(slot) => Some(lock(&slot).state.clone()),
            None => match self.db.conversation(id)? {
                Some((_, header)) => Some(
                    serde_json::from_str::<ConversationState>(&header)
                        .map_err(|e| format!("conversation {id} cannot be read: {e}"))?,
                ),
                None => None,
            },
        };
        let Some(header) = header else {
            return Ok(None);
        };
        let messages = self
            .db
            .messages(id)?
            .iter()
            .map(|m| serde_json::from_str::<Message>(m).map_err(|e| format!("a message of {id} cannot be read: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(header.transcript(messages)))
    }

    /// True the first time the built-in agent takes `conversation`.
    fn agent_join(&self, conversation: &str) -> bool {
        match self.hub.slot(conversation) {
            Some(slot) => !std::mem::replace(&mut lock(&slot).state.agent_joined, true),
            None => false,
        }
    }
}

pub use delivery::DeliveryRecord;
pub use inbox::InboxEntry;

/// The conversation operations, mounted under the API base path.
pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/conversations/messages", post(send_messages))
        .route("/conversations/{id}", get(get_conversation))
}

/// Built-in counterparties and debugging views, mounted at the root.
pub fn counterparty_routes() -> Router<SharedState> {
    Router::new()
        .route("/sandbox/bot", post(counterparty::bot))
        .route("/sandbox/agent", post(counterparty::agent))
        .route("/sandbox/inbox/{role}", post(inbox::receive))
        .route("/sandbox/inbox", get(inbox::list))
        .route("/sandbox/deliveries", get(list_deliveries))
}

/// Start the idle-timeout task; it ends when the sandbox shuts down.
pub fn spawn_background(state: &SharedState) {
    idle::spawn(state);
}

/// Resend the deliveries a previous run accepted but did not make (killed
/// or stopped first), in order per conversation.
pub fn resume_deliveries(state: &SharedState, outbox: Vec<crate::sandbox::db::OutboxRow>) {
    delivery::resume(state, outbox);
}

/// `POST /conversations/messages`.
async fn send_messages(
    State(state): State<SharedState>,
    headers: HeaderMap,
    body: Bytes,
) -> HubResult<(StatusCode, Json<SendMessageResponse>)> {
    state.authorize(&headers, Need::InteractionManage)?;
    let value: Value = serde_json::from_slice(&body)
        .map_err(|e| HubError::bad_request(codes::MALFORMED_BODY, format!("Request body is not valid JSON: {e}")))?;
    let accepted = submit(&state, value)?;
    Ok((StatusCode::ACCEPTED, Json(accepted)))
}

/// `GET /conversations/{id}`.
async fn get_conversation(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> HubResult<Json<Conversation>> {
    state.authorize(&headers, Need::InteractionManageOrRead)?;
    if !accepts_json(&headers) {
        return Err(HubError::new(
            StatusCode::NOT_ACCEPTABLE,
            codes::NOT_ACCEPTABLE,
            "The conversation is only available as application/json.",
        ));
    }
    if id.chars().count() != 36 {
        return Err(HubError::bad_request(
            codes::BAD_ID,
            format!("Conversation id must be 36 characters, got {}.", id.chars().count()),
        ));
    }
    state
        .transcript(&id)
        .map_err(HubError::internal)?
        .map(Json)
        .ok_or_else(|| HubError::not_found("Conversation", &id))
}

/// Whether the `Accept` header (absent means anything) admits JSON.
fn accepts_json(headers: &HeaderMap) -> bool {
    let Some(accept) = headers.get(header::ACCEPT) else {
        return true;
    };
    let Ok(accept) = accept.to_str() else {
        return false;
    };
    accept.split(',').any(|range| {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let refused = parts.any(|p| {
            p.trim()
                .strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        !refused && matches!(media.as_str(), "*/*" | "application/*" | "application/json")
    })
}

/// `GET /sandbox/deliveries`: what the hub POSTed where, and how it went.
async fn list_deliveries(State(state): State<SharedState>) -> Json<Value> {
    Json(serde_json::json!({ "deliveries": state.hub.deliveries() }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_accept(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, v.parse().unwrap());
        h
    }

    #[test]
    fn accept_header() {
        assert!(accepts_json(&HeaderMap::new()));
        assert!(accepts_json(&with_accept("application/json")));
        assert!(accepts_json(&with_accept("text/html, */*;q=0.8")));
        assert!(!accepts_json(&with_accept("text/html")));
        assert!(!accepts_json(&with_accept("application/json;q=0")));
        assert!(!accepts_json(&with_accept("application/xml, text/plain")));
    }
}
