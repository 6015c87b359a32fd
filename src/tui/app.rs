//! The console's whole state: the components, the popup stack and what the
//! status line shows. Rendering reads it; only `update` changes it (the
//! runtime never writes here: live resources such as takeover leases and
//! upload cancel tokens stay in the runtime).

use std::sync::Arc;

use crate::api::TokenState;
use crate::schema::Spec;
use crate::templates::Templates;

use super::command::Table;
use super::keymap::{Context, Keymap};
use super::msg::TakenRole;
use super::panes::conversation::ConversationPane;
use super::panes::entities::EntitiesPane;
use super::panes::log::LogPane;
use super::panes::scenarios::ScenariosPane;
use super::panes::setup::SetupPane;
use super::popup::{Popup, Popups};
use super::theme::Theme;

pub use super::layout::PaneId;
pub use super::status::Status;
pub use crate::connect::Session;

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
    pub scenarios: ScenariosPane,
    /// The pane over the request log in the wide layout: Entities or
    /// Scenarios, whichever had the focus last.
    pub upper_left: PaneId,
    /// The guided setup while it is open (shown as a layer of the popup stack).
    pub setup: Option<SetupPane>,
    /// Roles pointed at this console for the run (the runtime holds the leases).
    pub taken: Vec<TakenRole>,
    pub popups: Popups,
    pub status: Status,
    pub token: TokenState,
    /// API calls sent and not yet answered.
    pub in_flight: usize,
    pub spinner: usize,
    /// Whether a spinner tick is already scheduled.
    pub ticking: bool,
    pub mouse: bool,
    /// The focused pane fills the screen.
    pub zoom: bool,
    /// Printable keys typed in a command context are being swallowed (a
    /// sentence typed by mistake) until a non-text key.
    pub stray: bool,
    /// A command letter of the message list waiting to see whether a word
    /// follows (`guard.rs`).
    pub held: Option<super::guard::HeldKey>,
    /// Numbers held keys, so a late timer runs only its own.
    pub held_seq: u64,
    /// The composer was opened by its letter just now (`guard.rs`).
    pub compose_watch: Option<super::guard::ComposeWatch>,
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
            scenarios: ScenariosPane::default(),
            upper_left: PaneId::Entities,
            setup: None,
            taken: Vec::new(),
            popups: Popups::default(),
            status: Status::default(),
            token: TokenState::None,
            in_flight: 0,
            spinner: 0,
            ticking: false,
            mouse: false,
            zoom: false,
            stray: false,
            held: None,
            held_seq: 0,
            compose_watch: None,
            size: (80, 24),
            should_quit: false,
        }
    }

    /// The context keys are looked up in: the top popup's, else the focused pane's.
    pub fn context(&self) -> Context {
        match self.popups.top() {
            Some(popup) => popup.context(),
            None => match self.focus {
                PaneId::Entities => self.entities.context(),
                PaneId::Conversation => self.conversation.context(),
                PaneId::Log => self.log.context(),
                PaneId::Scenarios => self.scenarios.context(),
            },
        }
    }

    /// The commands of what has the keys (top popup, else focused pane).
    pub fn commands(&self) -> Table {
        match self.popups.top() {
            Some(Popup::Component(_)) => super::panes::setup::COMMANDS,
            Some(popup) => popup.commands(),
            None => self.pane_commands(self.focus),
        }
    }

    pub fn pane_commands(&self, pane: PaneId) -> Table {
        match pane {
            PaneId::Entities => self.entities.commands(),
            PaneId::Conversation => self.conversation.commands(),
            PaneId::Log => self.log.commands(),
            PaneId::Scenarios => self.scenarios.commands(),
        }
    }

    /// Whether keys are typed into a text field (composer, prompt, editor).
    pub fn typing(&self) -> bool {
        match self.popups.top() {
            Some(popup) => popup.is_text(),
            None => self.focus == PaneId::Conversation && self.conversation.composing,
        }
    }

    /// Whether the first frame has something to show: the focused pane's
    /// own content is in (the entity list on screen), or, for a pane that
    /// waits on nothing in particular, no call is in flight. Later answers
    /// fill in as they come, like any other.
    pub fn first_frame_ready(&self) -> bool {
        match self.focus {
            PaneId::Entities => self.entities.shows_its_list(),
            _ => self.in_flight == 0,
        }
    }

    /// Whether both panes fit side by side.
    pub fn wide(&self) -> bool {
        self.size.0 >= 120 && !self.zoom
    }

    /// Move the focus; the wide layout's upper-left pane follows Entities or Scenarios.
    pub fn set_focus(&mut self, pane: PaneId) {
        self.focus = pane;
        if matches!(pane, PaneId::Entities | PaneId::Scenarios) {
            self.upper_left = pane;
        }
    }

    /// Whether a setup layer is on top.
    pub fn setup_on_top(&self) -> bool {
        matches!(self.popups.top(), Some(Popup::Component(super::effect::Owner::Setup)))
    }
}
