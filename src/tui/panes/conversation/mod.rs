//! The Conversation component: act as a customer, bot or agent on an
//! account, see replies arrive through the callback receiver, answer rich
//! messages, attach files. State and commands here, keys and replies in
//! [`update`], drawing in [`view`]. The conversation store lives in
//! [`crate::conversation`].

pub mod update;
pub mod view;

use std::collections::HashMap;
use std::time::Instant;

use ratatui_textarea::TextArea;

use crate::api::models::{AttachmentPolicy, SenderType};
use crate::conversation::state::{Conversations, Handle, LocalId};
use crate::conversation::templates::MessageTemplates;
use crate::tui::action::Action;
use crate::tui::command::{Table, change, cmd};
use crate::tui::keymap::Context;

pub const LIST_COMMANDS: Table = Table {
    context: Context::Conversation,
    title: "Conversation: message list",
    commands: &[
        cmd(
            Action::Compose,
            "type",
            "Type in the composer (INSERT). Enter does it at once; a letter here acts a moment after it is pressed alone, and letters typed as a word do nothing",
        ),
        change(
            Action::NewConversation,
            "new chat",
            "Start a conversation: pick the role to act as and the account",
        ),
        cmd(Action::NextConversation, "next chat", "Show the next conversation"),
        cmd(Action::PrevConversation, "prev chat", "Show the previous conversation"),
        change(
            Action::Retry,
            "retry",
            "Send the selected (or latest) failed message again",
        ),
        change(
            Action::Choose,
            "choose",
            "Answer the selected list picker or quick reply",
        ),
        change(
            Action::Attach,
            "attach",
            "Attach a file (checked, uploaded to a signed URL, then sent)",
        ),
        cmd(
            Action::Download,
            "download",
            "Download the selected message's attachments (asks first; never overwrites)",
        ),
        change(Action::EndConversation, "end", "End the conversation (asks first)"),
        cmd(
            Action::Transcript,
            "transcript",
            "Open the transcript (GET /conversations/{id}); s saves JSON and Markdown",
        ),
        change(Action::RawMessage, "raw JSON", "Edit and send the exact JSON body"),
        cmd(
            Action::RecordScenario,
            "record",
            "Record the conversation as a scenario file in the scenarios folder (never overwrites)",
        ),
        cmd(
            Action::Bottom,
            "newest",
            "Jump to the newest message and follow new ones",
        ),
        cmd(
            Action::Copy,
            "copy",
            "Copy the selected message's text (OSC 52 clipboard)",
        ),
        cmd(
            Action::OpenPager,
            "pager",
            "Open the selected message's text in $PAGER (less -R if unset)",
        ),
        cmd(Action::CancelUpload, "cancel upload", "Cancel the running upload"),
    ],
};

pub const COMPOSER_COMMANDS: Table = Table {
    context: Context::Composer,
    title: "Conversation: composer (INSERT)",
    commands: &[
        change(Action::Send, "send", "Send the message (typing.end goes with it)"),
        cmd(
            Action::Newline,
            "new line",
            "Insert a line break (Ctrl-J works in tmux too)",
        ),
        cmd(
            Action::LeaveComposer,
            "commands",
            "Leave the composer for the message list",
        ),
        cmd(Action::EditExternal, "$EDITOR", "Write the message in $EDITOR"),
        change(Action::Attach, "attach", "Attach a file"),
        cmd(
            Action::HistoryPrev,
            "history",
            "Recall the previous sent message (empty composer)",
        ),
        cmd(Action::HistoryNext, "next", "Recall the next sent message"),
        cmd(Action::NextPane, "next pane", "Focus the next pane"),
        cmd(Action::PrevPane, "prev pane", "Focus the previous pane"),
    ],
};

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
    /// The channel's longest text for this role (`maxTextLength`).
    pub max_text: Option<u64>,
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
    /// Keys go to the composer (INSERT: typing) or to the message list (commands).
    pub composing: bool,
    /// Selected entry in the viewed conversation (index into its entries); `None` = newest, following.
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
    /// Drafts of the conversations not on screen (`None`: the new conversation).
    pub drafts: HashMap<Option<Handle>, String>,
    /// Why callbacks to this console are refused, while they are.
    pub refused: Option<String>,
    /// Attachments to download once the confirmation is answered.
    pub pending_download: Vec<String>,
    pub next_local_id: LocalId,
    /// Where recorded scenarios go (`[ui] scenarios_dir`).
    pub scenarios_dir: std::path::PathBuf,
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
            composing: false,
            selected: None,
            history: Vec::new(),
            history_pos: None,
            typing_sent: false,
            upload: None,
            download: None,
            unseen: 0,
            drafts: HashMap::new(),
            refused: None,
            pending_download: Vec::new(),
            next_local_id: 1,
            scenarios_dir: crate::tui::settings::DEFAULT_SCENARIOS_DIR.into(),
        }
    }
}

/// The empty composer's text; its keys are on the border above it.
const PLACEHOLDER: &str = "Type a message…";

pub fn new_composer() -> TextArea<'static> {
    let mut t = TextArea::default();
    t.set_placeholder_text(PLACEHOLDER);
    t.set_cursor_line_style(ratatui::style::Style::default());
    t.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
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

    pub fn commands(&self) -> Table {
        if self.composing {
            COMPOSER_COMMANDS
        } else {
            LIST_COMMANDS
        }
    }

    pub fn composer_text(&self) -> String {
        self.composer.lines().join("\n")
    }

    pub fn set_composer_text(&mut self, text: &str) {
        let mut t = new_composer();
        t.insert_str(text);
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

    /// Show another conversation (or none: the new one). The draft typed for
    /// the one left is kept for it, and the one shown gets its own back.
    pub fn show(&mut self, handle: Option<Handle>) {
        let current = self.conversations.viewed();
        if current != handle || self.drafts.contains_key(&handle) {
            let text = self.composer_text();
            if text.is_empty() {
                self.drafts.remove(&current);
            } else {
                self.drafts.insert(current, text);
            }
            let draft = self.drafts.remove(&handle).unwrap_or_default();
            self.set_composer_text(&draft);
            self.history_pos = None;
        }
        match handle {
            Some(h) => self.conversations.view(h),
            None => self.conversations.unview(),
        }
        self.selected = None;
    }
}
