//! Everything that can change the console's state arrives as a [`Msg`] on
//! one queue: terminal input, API results, recorded exchanges, timers.

use crossterm::event::{KeyEvent, MouseEvent};
use serde_json::Value;

use std::path::PathBuf;

use crate::api::models::{AssetDownloadTicket, AssetRef, Conversation, EntityKind, Page, SendMessageResponse};
use crate::api::{ApiError, Exchange, TokenState};
use crate::callback::Inbound;
use crate::callback_takeover::TakeoverPlan;
use crate::conversation::state::LocalId;

use super::effect::Owner;

/// One event for the root update.
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Paste(String),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// An HTTP exchange the client recorded (or one that started: pending).
    Exchange(Box<Exchange>),
    /// The answer to an API call, for the component that made it.
    Api(Owner, ApiReply),
    /// The token's state after a call (for the status line).
    Token(TokenState),
    /// Spinner tick; only scheduled while something is in flight.
    Tick,
    /// The first frame is on screen (the list it waited for, or its wait
    /// ran out): what start-up held back can go out.
    FirstFrameDrawn,
    /// The hold of command key `seq` is over: it runs if still held.
    HeldKeyDue(u64),
    /// The time of notice `seq` is up.
    NoticeExpired(u64),
    /// `$EDITOR` returned, for the component that opened it: the edited
    /// text, or why it failed.
    ExternalEdit(Owner, Result<String, String>),
    /// A file was written (curl command, HAR export), or failed to be.
    Saved(Result<String, String>),
    /// From outside the UI (`crate::notices`): a start-up warning, a restore
    /// outcome, a background task's panic.
    Report(Result<String, String>),
    /// The hub delivered a message to the console's callback receiver.
    Inbound(Box<Inbound>),
    /// An upload or download moved on, for the component that started it.
    Transfer(Owner, Transfer),
    /// A long call of the component moved on (one line per step: a bundle
    /// apply's objects).
    Progress(Owner, String),
    /// A scenario listing, or a run's progress, for the component that asked.
    Scenarios(Owner, Box<super::panes::scenarios::Event>),
    /// Completion for a path typed in the attach prompt.
    PathCompleted {
        input: String,
        completed: String,
        candidates: Vec<String>,
    },
}

/// Progress and results of file transfers.
#[derive(Debug)]
pub enum Transfer {
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
}

/// A role whose callback this console took over (restored on exit by the
/// runtime, which holds the lease).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TakenRole {
    pub app_name: String,
    pub role: String,
    pub original: Option<String>,
}

/// Results of API calls.
#[derive(Debug)]
pub enum ApiReply {
    Listed {
        kind: EntityKind,
        page: u32,
        generation: u64,
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
    TakeoverApplied(Result<TakenRole, String>),
    /// A bundle was planned against the tenant, or why not.
    BundlePlanned(Result<Box<super::effect::PlannedBundle>, String>),
    /// A bundle apply ended: the counts, or what was done, where it failed
    /// and what was not attempted (one line each).
    BundleApplied(Result<String, Vec<String>>),
    /// A guided-setup step finished.
    SetupStep {
        step: usize,
        result: Result<String, ApiError>,
    },
}

impl ApiReply {
    /// The key of the call this answers (see `Call::key`).
    pub fn key(&self) -> String {
        match self {
            ApiReply::Listed { kind, page, .. } => format!("list {kind:?} {page}"),
            ApiReply::Fetched { kind, id, .. } => format!("get {kind:?} {id}"),
            ApiReply::Created { kind, .. } => format!("create {kind:?}"),
            ApiReply::Updated { kind, id, .. } => format!("update {kind:?} {id}"),
            ApiReply::Deleted { kind, id, .. } => format!("delete {kind:?} {id}"),
            ApiReply::Asset { id, .. } => format!("asset {id}"),
            ApiReply::SetupStep { step, .. } => format!("setup {step}"),
            ApiReply::Sent { local_id, .. } => format!("send {local_id}"),
            ApiReply::Transcript { id, .. } => format!("transcript {id}"),
            ApiReply::TakeoverPlanned(_) => "plan takeover".into(),
            ApiReply::TakeoverApplied(_) => "apply takeover".into(),
            ApiReply::BundlePlanned(_) => "plan bundle".into(),
            ApiReply::BundleApplied(_) => "apply bundle".into(),
        }
    }
}
