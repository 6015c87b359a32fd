//! Everything that can change the console's state arrives as a [`Msg`] on
//! one queue: terminal input, API results, recorded exchanges, timers.

use crossterm::event::{KeyEvent, MouseEvent};
use serde_json::Value;

use std::path::PathBuf;

use crate::api::models::{AssetDownloadTicket, AssetRef, Conversation, EntityKind, Page, SendMessageResponse};
use crate::api::{ApiError, Exchange, TokenState};
use crate::callback::Inbound;
use crate::callback_takeover::{ActiveTakeover, TakeoverPlan};
use crate::conversation::state::LocalId;

/// One event for [`super::update::update`].
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Paste(String),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// An HTTP exchange the client recorded.
    Exchange(Box<Exchange>),
    /// The answer to an [`super::effect::Effect`] that called the API.
    Api(ApiReply),
    /// The token's state after a call (for the status line).
    Token(TokenState),
    /// Spinner tick; only scheduled while something is in flight.
    Tick,
    /// `$EDITOR` returned: the edited text, or why it failed.
    ExternalEdit(Result<String, String>),
    /// A file was written (curl command, HAR export), or failed to be.
    Saved(Result<String, String>),
    /// From outside the UI (`crate::notices`): a start-up warning, a restore
    /// outcome, a background task's panic.
    Report(Result<String, String>),
    /// The hub delivered a message to the console's callback receiver.
    Inbound(Box<Inbound>),
    /// Bytes of a running upload sent so far.
    UploadProgress {
        local_id: LocalId,
        done: u64,
        total: u64,
    },
    /// The upload finished: the asset to reference, or why not (refused
    /// locally before any request, failed, or cancelled).
    UploadDone {
        local_id: LocalId,
        result: Result<AssetRef, String>,
    },
    DownloadProgress {
        done: u64,
        total: u64,
    },
    DownloadDone(Result<PathBuf, String>),
    /// Completion for a path typed in the attach prompt.
    PathCompleted {
        input: String,
        completed: String,
        candidates: Vec<String>,
    },
}

/// Results of API effects, tagged with what they were for.
#[derive(Debug)]
pub enum ApiReply {
    Listed {
        kind: EntityKind,
        result: Result<Page<Value>, ApiError>,
    },
    Fetched {
        kind: EntityKind,
        id: String,
        result: Result<Value, ApiError>,
    },
    Created {
        kind: EntityKind,
        result: Result<String, ApiError>,
    },
    Updated {
        kind: EntityKind,
        id: String,
        result: Result<(), ApiError>,
    },
    Deleted {
        kind: EntityKind,
        id: String,
        result: Result<(), ApiError>,
    },
    Asset {
        id: String,
        result: Result<AssetDownloadTicket, ApiError>,
    },
    Sent {
        local_id: LocalId,
        result: Result<SendMessageResponse, ApiError>,
    },
    Transcript {
        id: String,
        result: Result<Box<Conversation>, ApiError>,
    },
    TakeoverPlanned(Result<TakeoverPlan, String>),
    TakeoverApplied(Result<Box<ActiveTakeover>, String>),
    /// A guided-setup step finished.
    SetupStep {
        step: usize,
        result: Result<String, ApiError>,
    },
}
