//! A callback receiver inside the sandbox: roles whose callback points at
//! `/sandbox/inbox/{role}` have their deliveries kept here, so someone using
//! the standalone sandbox with curl can see what the customer received.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ring::Ring;
use crate::sandbox::SharedState;
use crate::sandbox::clock::now_iso;

/// One delivery the inbox received.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InboxEntry {
    pub received: String,
    /// The `{role}` path segment the delivery was POSTed to.
    pub role: String,
    /// The delivered JSON (or the raw text when it was not JSON).
    pub body: Value,
}

pub(super) type Inbox = Ring<InboxEntry>;

/// `POST /sandbox/inbox/{role}`: keep the delivery, answer at once.
pub(super) async fn receive(State(state): State<SharedState>, Path(role): Path<String>, body: Bytes) -> StatusCode {
    let body =
        serde_json::from_slice(&body).unwrap_or_else(|_| Value::from(String::from_utf8_lossy(&body).into_owned()));
    state.hub.inbox.push(InboxEntry {
        received: now_iso(),
        role,
        body,
    });
    StatusCode::OK
}

/// `GET /sandbox/inbox`: what the inbox received, oldest first.
pub(super) async fn list(State(state): State<SharedState>) -> Json<Value> {
    Json(serde_json::json!({ "inbox": state.hub.inbox() }))
}
