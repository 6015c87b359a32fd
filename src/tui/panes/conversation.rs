//! The Conversation pane: act as a customer, bot or agent on an account,
//! see replies arrive through the callback receiver, answer rich messages,
//! attach files. The conversation store lives in [`crate::conversation`].

use std::time::Instant;

use ratatui_textarea::TextArea;

use crate::api::models::{AttachmentPolicy, SenderType};
use crate::conversation::state::{Conversations, Handle, LocalId};
use crate::conversation::templates::MessageTemplates;
use crate::tui::keymap::Context;

/// The account a new conversation runs on, with what the composer needs to
/// know about its channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub account_name: String,
    pub address: String,
    pub channel_type: String,
    pub entry_point: Option<String>,
    /// The channel has typing events (inbound `typing_events`, or no list).
    pub typing_events: bool,
    /// Attachment rules for what the console sends as this role.
    pub policy: Option<AttachmentPolicy>,
}

/// An upload in progress.
#[derive(Debug, Clone)]
pub struct Upload {
    pub local_id: LocalId,
    pub name: String,
    pub done: u64,
    pub total: u64,
    pub started: Instant,
    /// Bytes per second so far.
    pub rate: f64,
    /// The conversation the attachment is for.
    pub handle: Option<Handle>,
}

/// A download in progress.
#[derive(Debug, Clone)]
pub struct Download {
    pub name: String,
    pub done: u64,
    pub total: u64,
}

pub struct ConversationPane {
    pub conversations: Conversations,
    pub templates: MessageTemplates,
    /// Role the console acts as for the next new conversation and for the composer.
    pub role: SenderType,
    /// Account for a new customer conversation (chosen in the start dialog).
    pub target: Option<Target>,
    /// The customer contact the console presents (first message).
    pub contact_address: String,
    pub composer: TextArea<'static>,
    /// Keys go to the composer (typing) or to the message list.
    pub composing: bool,
    /// Selected entry in the viewed conversation (index into its entries); `None` = latest.
    pub selected: Option<usize>,
    /// Sent texts, oldest first, for Up/Down recall.
    pub history: Vec<String>,
    pub history_pos: Option<usize>,
    /// A typing.start went out and no typing.end since.
    pub typing_sent: bool,
    pub upload: Option<Upload>,
    pub download: Option<Download>,
    /// Entries that arrived while the pane was off screen (narrow layout).
    pub unseen: usize,
    /// Uploaded attachments of a send that failed, sent again with the next message.
    pub kept_attachments: Vec<crate::api::models::AssetRef>,
    pub next_local_id: LocalId,
}

impl Default for ConversationPane {
    fn default() -> Self {
        Self {
            conversations: Conversations::new(),
            templates: MessageTemplates::embedded(),
            role: SenderType::Customer,
            target: None,
            contact_address: "console.user@example.com".into(),
            composer: new_composer(),
            composing: true,
            selected: None,
            history: Vec::new(),
            history_pos: None,
            typing_sent: false,
            upload: None,
            download: None,
            kept_attachments: Vec::new(),
            unseen: 0,
            next_local_id: 1,
        }
    }
}

/// The empty composer's text; its keys are on the border above it.
const PLACEHOLDER: &str = "Type a message…";

pub fn new_composer() -> TextArea<'static> {
    let mut t = TextArea::default();
    t.set_placeholder_text(PLACEHOLDER);
    t
}

impl ConversationPane {
    pub fn context(&self) -> Context {
        if self.composing {
            Context::Composer
        } else {
            Context::Conversation
        }
    }

    pub fn composer_text(&self) -> String {
        self.composer.lines().join("\n")
    }

    pub fn set_composer_text(&mut self, text: &str) {
        let mut t = TextArea::from(text.lines().map(str::to_owned).collect::<Vec<_>>());
        t.set_placeholder_text(PLACEHOLDER);
        t.move_cursor(ratatui_textarea::CursorMove::Bottom);
        t.move_cursor(ratatui_textarea::CursorMove::End);
        self.composer = t;
    }

    pub fn take_local_id(&mut self) -> LocalId {
        let id = self.next_local_id;
        self.next_local_id += 1;
        id
    }

    /// The conversation on screen.
    pub fn viewed(&self) -> Option<&crate::conversation::state::Conversation> {
        self.conversations.viewed().and_then(|h| self.conversations.get(h))
    }
}
