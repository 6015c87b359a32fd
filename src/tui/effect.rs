//! Side effects `update` asks for. The runtime performs them (network, files,
//! terminal) and reports back with a [`super::msg::Msg`]; `update` itself
//! never does I/O, which keeps it testable and the UI from blocking.

use serde_json::Value;

use crate::api::models::EntityKind;

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
