//! Popups over the panes. Each owns its input state; the editor and prompt
//! use ratatui-textarea so editing keys behave as users expect.

use ratatui_textarea::TextArea;

use crate::api::models::EntityKind;
use crate::setup::SetupFlow;

use super::keymap::Context;

/// What the JSON editor is editing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditTarget {
    Create,
    Update {
        id: String,
    },
    /// The body of a guided-setup step (edited to fix a failure, then resumed).
    SetupStep {
        step: usize,
    },
    /// The exact JSON body of `POST /conversations/messages`.
    RawMessage,
}

/// The built-in JSON editor.
pub struct Editor {
    pub kind: EntityKind,
    pub target: EditTarget,
    pub textarea: TextArea<'static>,
    /// Local validation or server errors, each naming its JSON path or code.
    pub problems: Vec<String>,
    /// A request with this text is in flight.
    pub sending: bool,
    /// Existing objects offered for reference placeholders ("{{channel.id}}: Demo Chat = 26ec…").
    pub hints: Vec<String>,
    /// The object as read, when editing one: its secrets are shown redacted
    /// and put back from here on save unless the user typed new ones.
    pub original: Option<serde_json::Value>,
}

impl Editor {
    pub fn new(kind: EntityKind, target: EditTarget, text: &str, hints: Vec<String>) -> Self {
        let mut textarea = TextArea::from(text.lines().map(str::to_owned).collect::<Vec<_>>());
        textarea.set_tab_length(2);
        Self {
            kind,
            target,
            textarea,
            problems: Vec::new(),
            sending: false,
            hints,
            original: None,
        }
    }

    /// The raw message editor: the exact body to send.
    pub fn raw_message(text: &str) -> Self {
        Self::new(
            crate::api::models::EntityKind::Account,
            EditTarget::RawMessage,
            text,
            vec!["Sent exactly as written after a check against SendMessageRequest.".into()],
        )
    }

    pub fn text(&self) -> String {
        self.textarea.lines().join("\n")
    }

    pub fn set_text(&mut self, text: &str) {
        let mut textarea = TextArea::from(text.lines().map(str::to_owned).collect::<Vec<_>>());
        textarea.set_tab_length(2);
        self.textarea = textarea;
    }

    pub fn title(&self) -> String {
        match &self.target {
            EditTarget::Create => format!("New {}", self.kind),
            EditTarget::Update { id } => format!("Edit {} {}", self.kind, short_id(id)),
            EditTarget::SetupStep { step } => format!("Setup step {}: {}", step + 1, self.kind),
            EditTarget::RawMessage => "Raw message: POST /conversations/messages".into(),
        }
    }
}

/// What a one-line prompt is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptPurpose {
    EntityFilter,
    LogFilter,
    AssetId,
    AttachPath,
}

pub struct Prompt {
    pub purpose: PromptPurpose,
    pub input: TextArea<'static>,
    pub error: Option<String>,
}

impl Prompt {
    pub fn new(purpose: PromptPurpose, initial: &str) -> Self {
        let mut input = TextArea::from([initial.to_owned()]);
        input.move_cursor(ratatui_textarea::CursorMove::End);
        Self {
            purpose,
            input,
            error: None,
        }
    }

    pub fn text(&self) -> String {
        self.input.lines().first().cloned().unwrap_or_default()
    }

    pub fn title(&self) -> &'static str {
        match self.purpose {
            PromptPurpose::EntityFilter => "Filter objects (name, id, any text)",
            PromptPurpose::LogFilter => "Filter log (text  m:POST  s:4xx,5xx  s:failed  d:in  k:token)",
            PromptPurpose::AssetId => "Asset id",
            PromptPurpose::AttachPath => "Attach which file? (Tab completes)",
        }
    }
}

/// What a confirmation leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    Delete { kind: EntityKind, id: String },
    Quit,
    EndConversation,
    Takeover(Box<crate::callback_takeover::TakeoverPlan>),
}

/// What a pick list chooses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickPurpose {
    /// The role to act as in the conversation pane.
    Role,
    /// The account of a new customer conversation.
    Account,
    /// An option of a list picker or quick reply.
    Choice,
    /// The role of a client application to point at this console.
    TakeoverRole { app_id: String },
}

/// A short list to choose one item from.
pub struct Pick {
    pub title: String,
    pub items: Vec<String>,
    pub selected: usize,
    pub purpose: PickPurpose,
}

pub struct Confirm {
    pub message: String,
    pub pending: Pending,
}

/// The guided setup popup.
pub struct Setup {
    pub flow: SetupFlow,
    /// A step is being created.
    pub running: bool,
    pub selected: usize,
}

pub enum Modal {
    Help {
        scroll: u16,
    },
    Confirm(Confirm),
    Prompt(Box<Prompt>),
    Editor(Box<Editor>),
    Setup(Box<Setup>),
    Pick(Box<Pick>),
    /// A fetched transcript, scrollable; it can be saved.
    Transcript {
        conversation: Box<crate::api::models::Conversation>,
        scroll: u16,
    },
}

impl Modal {
    pub fn context(&self) -> Context {
        match self {
            Modal::Help { .. } => Context::Help,
            Modal::Confirm(_) => Context::Confirm,
            Modal::Prompt(_) => Context::Prompt,
            Modal::Editor(_) => Context::Editor,
            Modal::Setup(_) => Context::Setup,
            Modal::Pick(_) => Context::Pick,
            Modal::Transcript { .. } => Context::Transcript,
        }
    }
}

/// First 8 characters of an id, enough to tell objects apart on screen.
pub fn short_id(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}
