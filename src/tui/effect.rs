//! Side effects `update` asks for. The runtime performs them (network, files,
//! terminal) and reports back with a message (`msg.rs`); `update` itself
//! never does I/O, which keeps it testable and the UI from blocking.
//!
//! API calls carry the component that asked ([`Owner`]); the answer comes
//! back tagged with it, so the root update only routes.

use std::path::PathBuf;

use serde_json::Value;

use crate::api::models::{AttachmentPolicy, Conversation, EntityKind, SenderType};
use crate::callback_takeover::TakeoverPlan;
use crate::conversation::state::LocalId;

/// The component an API call, a transfer or a popup belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Owner {
    /// The console itself (quit).
    Root,
    Entities,
    Conversation,
    Log,
    /// The guided setup (a component living in the popup stack).
    Setup,
    Scenarios,
}

/// One API call.
#[derive(Debug, Clone, PartialEq)]
pub enum Call {
    /// One page of a kind's list (1-based); `generation` tells a reload's
    /// pages from an older one's.
    List {
        kind: EntityKind,
        page: u32,
        generation: u64,
    },
    Get(EntityKind, String),
    Create(EntityKind, Value),
    Update(EntityKind, String, Value),
    Delete(EntityKind, String),
    GetAsset(String),
    /// Create one guided-setup step's object.
    SetupStep {
        step: usize,
        kind: EntityKind,
        body: Value,
    },
    /// POST /conversations/messages with this exact body.
    Send {
        local_id: LocalId,
        body: Value,
    },
    GetTranscript(String),
    PlanTakeover {
        app_id: String,
        role: String,
        console_url: String,
    },
    ApplyTakeover(Box<TakeoverPlan>),
    /// Read a bundle file, fill its secrets from the environment, read the
    /// tenant and plan; sends nothing that changes the tenant.
    PlanBundle(PathBuf),
    /// Apply a reviewed plan; progress comes back as `Msg::Progress`.
    ApplyBundle(Box<PlannedBundle>),
}

/// A bundle's plan against the tenant as read when it was planned.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedBundle {
    /// The bundle file, as typed.
    pub origin: String,
    pub items: Vec<crate::bundle::PlanItem>,
    pub tenant: crate::bundle::Tenant,
}

impl Call {
    /// The first page of a kind's list.
    pub fn list(kind: EntityKind) -> Self {
        Call::List {
            kind,
            page: 1,
            generation: 0,
        }
    }

    /// Whether the call changes something on the tenant. The read-only
    /// guard refuses these before anything is sent.
    pub fn mutates(&self) -> bool {
        matches!(
            self,
            Call::Create(..)
                | Call::Update(..)
                | Call::Delete(..)
                | Call::SetupStep { .. }
                | Call::Send { .. }
                | Call::ApplyTakeover(_)
                | Call::ApplyBundle(_)
        )
    }

    /// Method and path, for the request log's pending row.
    pub fn request_line(&self) -> (&'static str, String) {
        match self {
            Call::List { kind, page, .. } if *page > 1 => ("GET", format!("/{}?$pagenum={page}", kind.segment())),
            Call::List { kind, .. } => ("GET", format!("/{}", kind.segment())),
            Call::Get(kind, id) => ("GET", format!("/{}/{id}", kind.segment())),
            Call::Create(kind, _) | Call::SetupStep { kind, .. } => ("POST", format!("/{}", kind.segment())),
            Call::Update(kind, id, _) => ("PUT", format!("/{}/{id}", kind.segment())),
            Call::Delete(kind, id) => ("DELETE", format!("/{}/{id}", kind.segment())),
            Call::GetAsset(id) => ("GET", format!("/assets/{id}")),
            Call::Send { .. } => ("POST", "/conversations/messages".into()),
            Call::GetTranscript(id) => ("GET", format!("/conversations/{id}")),
            Call::PlanTakeover { app_id, .. } => ("GET", format!("/clientapplications/{app_id}")),
            Call::ApplyTakeover(_) => ("PUT", "/clientapplications/…".into()),
            Call::PlanBundle(_) => ("GET", "/… (every kind, for a plan)".into()),
            Call::ApplyBundle(_) => ("PUT", "/… (applying a bundle)".into()),
        }
    }

    /// What identifies the call's answer (see `ApiReply::key`).
    pub fn key(&self) -> String {
        match self {
            Call::List { kind, page, .. } => format!("list {kind:?} {page}"),
            Call::Get(kind, id) => format!("get {kind:?} {id}"),
            Call::Create(kind, _) => format!("create {kind:?}"),
            Call::Update(kind, id, _) => format!("update {kind:?} {id}"),
            Call::Delete(kind, id) => format!("delete {kind:?} {id}"),
            Call::GetAsset(id) => format!("asset {id}"),
            Call::SetupStep { step, .. } => format!("setup {step}"),
            Call::Send { local_id, .. } => format!("send {local_id}"),
            Call::GetTranscript(id) => format!("transcript {id}"),
            Call::PlanTakeover { .. } => "plan takeover".into(),
            Call::ApplyTakeover(_) => "apply takeover".into(),
            Call::PlanBundle(_) => "plan bundle".into(),
            Call::ApplyBundle(_) => "apply bundle".into(),
        }
    }

    /// What the call does, for a refusal ("read-only: deleting … is disabled").
    pub fn describe(&self) -> &'static str {
        match self {
            Call::List { .. } | Call::Get(..) | Call::GetAsset(_) | Call::GetTranscript(_) | Call::PlanBundle(_) => {
                "reading"
            }
            Call::ApplyBundle(_) => "applying bundles",
            Call::Create(..) | Call::SetupStep { .. } => "creating objects",
            Call::Update(..) => "editing objects",
            Call::Delete(..) => "deleting objects",
            Call::Send { .. } => "sending messages",
            Call::PlanTakeover { .. } | Call::ApplyTakeover(_) => "pointing a role at this console",
        }
    }
}

/// A conversation to record as a scenario, and where.
#[derive(Debug, Clone)]
pub struct ScenarioRecording {
    pub dir: PathBuf,
    pub conversation: crate::conversation::state::Conversation,
    pub name: String,
    pub account: Option<String>,
}

impl PartialEq for ScenarioRecording {
    /// The same folder, name and account, and the same conversation as far
    /// as a test can tell (its id and entries).
    fn eq(&self, other: &Self) -> bool {
        self.dir == other.dir
            && self.name == other.name
            && self.account == other.account
            && self.conversation.id() == other.conversation.id()
            && self.conversation.entries().len() == other.conversation.entries().len()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Call the API for `owner`; the answer comes back as `Msg::Api(owner, _)`.
    Call(Owner, Call),
    /// Check a file (size, name, the channel's policy) and, only if it
    /// passes, create the asset and upload it with progress.
    Upload {
        local_id: LocalId,
        path: PathBuf,
        channel_type: String,
        sender: SenderType,
        policy: Option<AttachmentPolicy>,
    },
    /// Cancel the upload `local_id` (the runtime holds its cancel token).
    CancelUpload(LocalId),
    /// Download assets into the download directory (never overwriting).
    Download(Vec<String>),
    /// Save a transcript as JSON and Markdown.
    SaveTranscript(Box<Conversation>),
    CompletePath(String),
    /// Write a conversation as a scenario file (the runtime picks a new
    /// name in the folder and downloads our attachments beside it).
    RecordScenario(Box<ScenarioRecording>),
    /// List the scenario files of a folder (each read and checked); the
    /// listing comes back as `Msg::Scenarios(owner, _)`.
    ScanScenarios(Owner, PathBuf),
    /// Run scenario files one after another on the console's own tenant and
    /// callback receiver; progress streams back as `Msg::Scenarios(owner, _)`.
    RunScenarios(Owner, Box<crate::tui::panes::scenarios::RunJob>),
    /// Cancel scenario run `n` (the runtime holds its cancel token).
    CancelScenarios(u64),
    /// Hand the terminal to `$EDITOR` with this text; the result goes to `owner`.
    ExternalEdit(Owner, String),
    /// Put text on the clipboard (OSC 52, works over SSH).
    Clipboard(String),
    /// Write a text file into the export directory, never overwriting.
    SaveText {
        base_name: String,
        text: String,
    },
    SetMouse(bool),
    /// Clear notice `seq` after a few seconds (if no newer one replaced it).
    ExpireNotice(u64),
    /// Answer `Msg::HeldKeyDue(seq)` once the guard's hold time is up.
    HoldKey(u64),
    /// Show this text (already redacted as on screen) in `$PAGER`; the
    /// terminal is handed over and taken back as for `$EDITOR`.
    Pager(String),
    /// Schedule a spinner tick.
    ScheduleTick,
    Quit,
}

impl Effect {
    /// An API call for `owner`.
    pub fn call(owner: Owner, call: Call) -> Self {
        Effect::Call(owner, call)
    }

    /// The API call, if this effect is one.
    pub fn as_call(&self) -> Option<&Call> {
        match self {
            Effect::Call(_, call) => Some(call),
            _ => None,
        }
    }

    /// Whether the effect changes something on the tenant.
    pub fn mutates(&self) -> bool {
        match self {
            Effect::Call(_, call) => call.mutates(),
            Effect::Upload { .. } | Effect::RunScenarios(..) => true,
            _ => false,
        }
    }

    /// What a changing effect does, for a refusal ("read-only: … is disabled").
    pub fn describe(&self) -> &'static str {
        match self {
            Effect::Call(_, call) => call.describe(),
            Effect::RunScenarios(..) => "running scenarios (they send messages)",
            Effect::Upload { .. } => "uploading assets",
            _ => "this",
        }
    }
}
