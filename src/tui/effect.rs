//! Side effects `update` asks for. The runtime performs them (network, files,
//! terminal) and reports back with a [`super::msg::Msg`]; `update` itself
//! never does I/O, which keeps it testable and the UI from blocking.

use std::path::PathBuf;

use serde_json::Value;

use crate::api::models::{AttachmentPolicy, Conversation, EntityKind, SenderType};
use crate::callback_takeover::TakeoverPlan;
use crate::conversation::state::LocalId;

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    List(EntityKind),
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
    /// Check a file (size, name, the channel's policy) and, only if it
    /// passes, create the asset and upload it with progress.
    Upload {
        local_id: LocalId,
        path: PathBuf,
        channel_type: String,
        sender: SenderType,
        policy: Option<AttachmentPolicy>,
    },
    CancelUpload,
    /// Download assets into the download directory (never overwriting).
    Download(Vec<String>),
    GetTranscript(String),
    /// Save a transcript as JSON and Markdown.
    SaveTranscript(Box<Conversation>),
    CompletePath(String),
    PlanTakeover {
        app_id: String,
        role: String,
        console_url: String,
    },
    ApplyTakeover(Box<TakeoverPlan>),
    /// Hand the terminal to `$EDITOR` with this text.
    ExternalEdit(String),
    /// Put text on the clipboard (OSC 52, works over SSH).
    Clipboard(String),
    /// Write a text file into the export directory, never overwriting.
    SaveText {
        base_name: String,
        text: String,
    },
    SetMouse(bool),
    /// Schedule a spinner tick.
    ScheduleTick,
    Quit,
}
