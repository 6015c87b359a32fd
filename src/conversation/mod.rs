//! The live conversation model, without UI: message bodies built from
//! user-overridable templates ([`templates`]), the state of the
//! conversations the console takes part in ([`state`]), rich content
//! ([`rich`]) and transcript export ([`transcript`]).

pub mod rich;
pub mod state;
pub mod templates;
pub mod transcript;

pub use rich::{Choice, Item, Rich, Section, answer_text};
pub use state::{
    Conversation, Conversations, Entry, EntryKind, EventKind, FailedSend, Handle, Ingest, LocalId, Status, Typing,
};
pub use templates::{MessageContext, MessageTemplates, OutgoingKind};
