//! The console's whole state. Rendering reads it; only `update` changes it.

use std::sync::Arc;

use crate::api::TokenState;
use crate::schema::Spec;
use crate::templates::Templates;

use super::keymap::{Context, Keymap};
use super::modal::Modal;
use super::panes::conversation::ConversationPane;
use super::panes::entities::EntitiesPane;
use super::panes::log::LogPane;
use super::theme::Theme;

pub use crate::connect::Session;

/// A role whose callback this console took over (restored on exit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TakenRole {
    pub app_name: String,
    pub role: String,
    pub original: Option<String>,
}

/// The panes, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaneId {
    Entities,
    Conversation,
    Log,
}

impl PaneId {
    pub const ALL: [PaneId; 3] = [PaneId::Entities, PaneId::Conversation, PaneId::Log];

    pub fn title(self) -> &'static str {
        match self {
            PaneId::Entities => "Entities",
            PaneId::Conversation => "Conversation",
            PaneId::Log => "Request log",
        }
    }

    pub fn next(self) -> Self {
        match self {
            PaneId::Entities => PaneId::Conversation,
            PaneId::Conversation => PaneId::Log,
            PaneId::Log => PaneId::Entities,
        }
    }

    pub fn prev(self) -> Self {
        self.next().next()
    }
}

/// Transient messages on the status line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Status {
    /// The last error, shown until the next successful action replaces it.
    pub error: Option<String>,
    /// The last notice ("created channel ...", "saved to ...").
    pub notice: Option<String>,
}

pub struct App {
    pub session: Session,
    pub keymap: Keymap,
    pub theme: Theme,
    pub spec: Arc<Spec>,
    pub templates: Templates,
    pub focus: PaneId,
    pub entities: EntitiesPane,
    pub conversation: ConversationPane,
    pub log: LogPane,
    /// Roles pointed at this console for the run.
    pub taken: Vec<TakenRole>,
    /// The same takeovers as the runtime restores them on exit.
    pub takeovers: Vec<Box<crate::callback_takeover::ActiveTakeover>>,
    /// A popup over the panes (help, editor, prompt, confirmation, setup).
    pub modal: Option<Modal>,
    /// The guided setup, parked while one of its steps is open in the editor.
    pub parked_setup: Option<Box<super::modal::Setup>>,
    pub status: Status,
    pub token: TokenState,
    /// API effects sent and not yet answered.
    pub in_flight: usize,
    pub spinner: usize,
    /// Whether a spinner tick is already scheduled.
    pub ticking: bool,
    pub mouse: bool,
    pub size: (u16, u16),
    pub should_quit: bool,
}

impl App {
    pub fn new(session: Session, keymap: Keymap, theme: Theme, spec: Arc<Spec>, templates: Templates) -> Self {
        Self {
            session,
            keymap,
            theme,
            spec,
            templates,
            focus: PaneId::Entities,
            // Open on Accounts: the object a support engineer inspects first.
            entities: EntitiesPane {
                tab: 5,
                ..EntitiesPane::default()
            },
            conversation: ConversationPane::default(),
            log: LogPane::default(),
            taken: Vec::new(),
            takeovers: Vec::new(),
            modal: None,
            parked_setup: None,
            status: Status::default(),
            token: TokenState::None,
            in_flight: 0,
            spinner: 0,
            ticking: false,
            mouse: false,
            size: (80, 24),
            should_quit: false,
        }
    }

    /// The context keys are looked up in: a modal's, else the focused pane's.
    pub fn context(&self) -> Context {
        match &self.modal {
            Some(modal) => modal.context(),
            None => match self.focus {
                PaneId::Entities => self.entities.context(),
                PaneId::Conversation => self.conversation.context(),
                PaneId::Log => self.log.context(),
            },
        }
    }

    /// Whether both panes fit side by side.
    pub fn wide(&self) -> bool {
        self.size.0 >= 120
    }
}
