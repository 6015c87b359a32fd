//! Callback delivery: one queue and worker task per conversation, so its
//! messages reach every recipient in the order the hub accepted them. Each
//! delivery is a real POST with the role's headers and Authorization; 401
//! refreshes an oauth2 token once, transport errors, timeouts and 5xx are
//! retried with backoff. Outcomes go to a bounded log for `/sandbox/deliveries`.

use std::error::Error as _;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use super::Live;
use super::callback_auth::{self, cache_key};
use super::conversation::Target;
use super::ring::Ring;
use crate::api::models::common::Extra;
use crate::api::models::conversation::{ConversationRef, Message, MessageEnvelope, MessageList, Metadata};
use crate::api::models::{AuthType, Authentication, ClientApplication};
use crate::sandbox::SharedState;
use crate::sandbox::clock::now_iso;
use crate::sandbox::db::OutboxRow;

/// One message for one recipient: its outbox row (conversation, message id
/// and place in the transcript, body) and the recipient it names.
pub(super) struct Job {
    row: OutboxRow,
    target: Target,
}

impl Job {
    /// The outbox row, to be written with the message (see [`set_rows`]).
    pub(super) fn row(&self) -> &OutboxRow {
        &self.row
    }
}

/// Give prepared jobs the outbox row ids the database answered, in order.
pub(super) fn set_rows<'a>(jobs: impl IntoIterator<Item = &'a mut Job>, ids: &[i64]) {
    for (job, n) in jobs.into_iter().zip(ids) {
        job.row.n = *n;
    }
}

/// Outcome of one delivery, as `GET /sandbox/deliveries` lists it. Never
/// holds the Authorization value.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryRecord {
    pub time: String,
    pub conversation: String,
    pub message_id: String,
    pub message_type: String,
    /// Recipient role (`customer`, `custom_bot`, ...).
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Last HTTP status the callback answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Why the delivery failed, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// POSTs made (a 401 redelivery included).
    pub attempts: u32,
    /// Whether a 401 made the hub fetch a new oauth2 token.
    #[serde(default)]
    pub token_refreshed: bool,
    /// On failure: the role's notificationEmail, which the real hub e-mails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_email: Option<String>,
}

pub(super) type DeliveryLog = Ring<DeliveryRecord>;

/// The deliveries of `message` (stored at `seq`) to each target, with the
/// conversation's context; written to the outbox with the message, then
/// [`enqueue`]d.
pub(super) fn prepare(
    context: &ConversationRef,
    message: &Message,
    seq: u64,
    targets: &[Target],
    metadata: Option<&Metadata>,
) -> Vec<Job> {
    let Some(conversation) = context.id.clone() else {
        return Vec::new();
    };
    // The delivered copy carries the context; its transcript status is the hub's business.
    let mut delivered = message.clone();
    delivered.conversation = Some(context.clone());
    delivered.status = None;
    delivered.sent = None;
    let envelope = MessageEnvelope {
        metadata: metadata.cloned(),
        messages: MessageList {
            message: vec![delivered],
            extra: Extra::new(),
        },
        extra: Extra::new(),
    };
    // Serialising plain data structures cannot fail.
    let body = Bytes::from(serde_json::to_vec(&envelope).unwrap_or_default());
    targets
        .iter()
        .map(|target| Job {
            row: OutboxRow {
                n: 0,
                conversation: conversation.clone(),
                seq,
                message_id: message.id.clone().unwrap_or_default(),
                message_type: message.kind().to_owned(),
                target: serde_json::to_string(target).unwrap_or_default(),
                body: body.clone(),
            },
            target: target.clone(),
        })
        .collect()
}

/// Queue jobs on the conversation's worker. Called under the conversation's
/// lock, which fixes the order.
pub(super) fn enqueue(state: &SharedState, live: &mut Live, jobs: Vec<Job>) {
    let queue = live.queue.get_or_insert_with(|| spawn_worker(state));
    for job in jobs {
        // A closed channel means the sandbox is shutting down; the outbox keeps the job.
        let _ = queue.send(job);
    }
}

/// Queue the outbox of a previous run, in order: on the conversation's
/// worker when it is still open, else on a worker that ends once drained.
pub(super) fn resume(state: &SharedState, rows: Vec<OutboxRow>) {
    let mut closed: std::collections::HashMap<String, mpsc::UnboundedSender<Job>> = std::collections::HashMap::new();
    for row in rows {
        let target = match serde_json::from_str::<Target>(&row.target) {
            Ok(target) => target,
            Err(e) => {
                // Not ours to guess: record it as undeliverable and move on.
                let record = DeliveryRecord {
                    time: now_iso(),
                    conversation: row.conversation.clone(),
                    message_id: row.message_id.clone(),
                    message_type: row.message_type.clone(),
                    role: String::new(),
                    url: None,
                    status: None,
                    error: Some(format!("undeliverable: the stored recipient cannot be read ({e})")),
                    attempts: 0,
                    token_refreshed: false,
                    notification_email: None,
                };
                if let Ok(text) = serde_json::to_string(&record) {
                    let _ = state
                        .db
                        .finish_delivery(row.n, &text, state.hub.options.delivery_log_size);
                }
                state.hub.log.push(record);
                continue;
            }
        };
        let job = Job { row, target };
        match state.hub.slot(&job.row.conversation) {
            Some(slot) => enqueue(state, &mut super::lock(&slot), vec![job]),
            None => {
                let queue = closed
                    .entry(job.row.conversation.clone())
                    .or_insert_with(|| spawn_worker(state));
                let _ = queue.send(job);
            }
        }
    }
}

fn spawn_worker(state: &SharedState) -> mpsc::UnboundedSender<Job> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Job>();
    let state = state.clone();
    tokio::spawn(async move {
        loop {
            let job = tokio::select! {
                _ = state.shutdown.cancelled() => break,
                job = rx.recv() => match job {
                    Some(job) => job,
                    None => break,
                },
            };
            let Some(delivered) = deliver(&state, &job).await else {
                // Stopped mid-delivery: the outbox keeps it for the next start.
                break;
            };
            record_status(&state, &job, delivered);
            state.hub.changed();
        }
    });
    tx
}

/// Transcript status: `sent` once any recipient got the message, `failed`
/// if a delivery failed before that. Read and rewritten in the database (the
/// conversation's worker is the only writer of its messages' status).
fn record_status(state: &SharedState, job: &Job, delivered: bool) {
    let Ok(Some(text)) = state.db.message(&job.row.conversation, job.row.seq) else {
        return;
    };
    let Ok(mut message) = serde_json::from_str::<Message>(&text) else {
        return;
    };
    if delivered {
        if message.status.as_deref() == Some("sent") {
            return;
        }
        message.status = Some("sent".into());
        message.sent.get_or_insert_with(now_iso);
    } else if message.status.as_deref() != Some("sent") {
        message.status = Some("failed".into());
    } else {
        return;
    }
    if let Ok(text) = serde_json::to_string(&message) {
        // A failed status write leaves "queued": the delivery log still tells.
        let _ = state.db.update_message(&job.row.conversation, job.row.seq, &text);
    }
}

/// Where and how to POST for one role.
struct Endpoint {
    url: reqwest::Url,
    headers: HeaderMap,
    auth: Option<Authentication>,
    notification_email: Option<String>,
}

/// Read the role's callback, headers and Authentication from the store now,
/// so configuration edits apply to the next delivery.
fn resolve(state: &SharedState, target: &Target) -> Result<Endpoint, String> {
    let app_id = target.app.as_deref().ok_or_else(|| {
        format!(
            "the orchestration names no client application for the {} role",
            target.role
        )
    })?;
    let store = state.store();
    let app = store
        .get_typed::<ClientApplication>(app_id)
        .ok_or_else(|| format!("client application {app_id} does not exist"))?;
    let role = app
        .role(&target.role)
        .ok_or_else(|| format!("client application {:?} has no {} role", app.name, target.role))?;
    let url =
        reqwest::Url::parse(&role.callback).map_err(|e| format!("callback {:?} is not a URL: {e}", role.callback))?;
    let auth = match &role.authentication {
        Some(r) => Some(
            store
                .get_typed::<Authentication>(&r.id)
                .ok_or_else(|| format!("authentication {} does not exist", r.id))?,
        ),
        None => None,
    };
    let mut headers = HeaderMap::new();
    for h in &role.headers {
        let name = HeaderName::from_bytes(h.name.as_bytes())
            .map_err(|_| format!("custom header {:?} is not valid", h.name))?;
        let value =
            HeaderValue::from_str(&h.value).map_err(|_| format!("custom header {:?} has an invalid value", h.name))?;
        headers.append(name, value);
    }
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(Endpoint {
        url,
        headers,
        auth,
        notification_email: Some(role.notification_email.clone()).filter(|e| !e.is_empty()),
    })
}

/// Deliver one job with retries; log the outcome and take it off the
/// outbox; true when a 2xx came back. `None`: the sandbox stopped first (the
/// job stays in the outbox).
async fn deliver(state: &SharedState, job: &Job) -> Option<bool> {
    let mut record = DeliveryRecord {
        time: now_iso(),
        conversation: job.row.conversation.clone(),
        message_id: job.row.message_id.clone(),
        message_type: job.row.message_type.clone(),
        role: job.target.role.to_string(),
        url: None,
        status: None,
        error: None,
        attempts: 0,
        token_refreshed: false,
        notification_email: None,
    };
    let delivered = match resolve(state, &job.target) {
        Ok(endpoint) => {
            record.url = Some(endpoint.url.to_string());
            let delivered = attempts(state, job, &endpoint, &mut record).await;
            if !delivered {
                record.notification_email = endpoint.notification_email;
            }
            delivered
        }
        Err(why) => {
            record.error = Some(format!("undeliverable: {why}"));
            false
        }
    };
    if state.shutdown.is_cancelled() {
        return None;
    }
    record.time = now_iso();
    if let Ok(text) = serde_json::to_string(&record) {
        let _ = state
            .db
            .finish_delivery(job.row.n, &text, state.hub.options.delivery_log_size);
    }
    state.hub.log.push(record);
    Some(delivered)
}

async fn attempts(state: &SharedState, job: &Job, endpoint: &Endpoint, record: &mut DeliveryRecord) -> bool {
    let options = &state.hub.options;
    let oauth = endpoint.auth.as_ref().filter(|a| a.auth_type == AuthType::OAuth2);
    let mut failures = 0u32;
    loop {
        record.attempts += 1;
        let retryable = match post_once(state, job, endpoint).await {
            Ok(status) => {
                record.status = Some(status.as_u16());
                record.error = None;
                if status.is_success() {
                    return true;
                }
                if status == StatusCode::UNAUTHORIZED
                    && let Some(auth) = oauth
                    && !record.token_refreshed
                {
                    // The token expired or was revoked: fetch a new one and redeliver, once.
                    record.token_refreshed = true;
                    state.hub.tokens.forget(&cache_key(auth));
                    continue;
                }
                record.error = Some(format!("callback answered {status}"));
                status.is_server_error()
            }
            Err(why) => {
                record.error = Some(why);
                true
            }
        };
        failures += 1;
        if !retryable || failures >= options.delivery_attempts.max(1) {
            return false;
        }
        let backoff = options.retry_backoff.saturating_mul(1 << (failures - 1).min(10));
        tokio::select! {
            _ = state.shutdown.cancelled() => return false,
            _ = tokio::time::sleep(backoff) => {}
        }
    }
}

/// One POST; `Err` for transport failures, timeouts and token-fetch failures.
async fn post_once(state: &SharedState, job: &Job, endpoint: &Endpoint) -> Result<StatusCode, String> {
    let mut headers = endpoint.headers.clone();
    if let Some(value) = callback_auth::authorization(state, endpoint.auth.as_ref()).await? {
        headers.insert(AUTHORIZATION, value);
    }
    let response = state
        .http
        .for_url(endpoint.url.as_str())
        .map_err(|e| e.to_string())?
        .post(endpoint.url.clone())
        .timeout(state.hub.options.delivery_timeout)
        .headers(headers)
        .body(job.row.body.clone())
        .send()
        .await
        .map_err(|e| describe(&e))?;
    Ok(response.status())
}

/// A reqwest error with its root cause (which says *why*: refused, reset...).
pub(super) fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        return "timed out".into();
    }
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    text
}
