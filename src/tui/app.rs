//! The console's whole state. Rendering reads it; only `update` changes it.

use std::sync::Arc;

use crate::api::TokenState;
use crate::schema::Spec;
use crate::templates::Templates;

use super::keymap::{Context, Keymap};
use super::modal::Modal;
use super::panes::entities::EntitiesPane;
use super::panes::log::LogPane;
use super::theme::Theme;

/// Facts about the connection, fixed for a run.
#[derive(Debug, Clone)]
pub struct Session {
    /// Profile name, or "sandbox".
    pub profile: String,
    /// Host of the API base URL.
    pub host: String,
    pub sandbox: bool,
    /// Root URL of the embedded sandbox (for its built-in bot and agent routes).
    pub sandbox_root: Option<String>,
    pub read_only: bool,
}

/// The panes, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaneId {
    Entities,
    Log,
}

impl PaneId {
    pub const ALL: [PaneId; 2] = [PaneId::Entities, PaneId::Log];

    pub fn title(self) -> &'static str {
        match self {
            PaneId::Entities => "Entities",
            PaneId::Log => "Request log",
        }
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
    pub log: LogPane,
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
            log: LogPane::default(),
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
                PaneId::Log => self.log.context(),
            },
        }
    }

    /// Whether both panes fit side by side.
    pub fn wide(&self) -> bool {
        self.size.0 >= 120
    }
}
