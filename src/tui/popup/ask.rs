//! What a popup was opened for, one enum per owning component. The stack
//! hands the outcome back with its ask to the owner named here; no owner
//! ever sees another's asks.

use crate::api::models::EntityKind;
use crate::callback_takeover::TakeoverPlan;

use crate::tui::effect::Owner;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootAsk {
    /// Quit although conversations, takeovers or requests are open.
    Quit,
    /// A popup that only shows something (help, transcript).
    Show,
    /// The command palette, with the entries it offered.
    Palette(Vec<crate::tui::popup::palette::PaletteEntry>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntitiesAsk {
    Filter,
    AssetId,
    Delete {
        kind: EntityKind,
        id: String,
    },
    Create {
        kind: EntityKind,
    },
    Update {
        kind: EntityKind,
        id: String,
    },
    TakeoverRole {
        app_id: String,
    },
    Takeover(Box<TakeoverPlan>),
    /// The path of a bundle to apply.
    BundlePath,
    /// The plan of a bundle, under review.
    BundlePlan,
    /// The guided setup itself (closing it reloads the lists).
    Setup,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConversationAsk {
    /// The role to act as. `send`: Enter in the composer asked where its
    /// text goes, so the pick ends with that send; after `n` it does not.
    Role {
        send: bool,
    },
    /// The account of a new customer conversation (`send` as for `Role`).
    Account {
        send: bool,
    },
    /// An option of a list picker or quick reply.
    Choice,
    AttachPath,
    EndConversation,
    RawMessage,
    /// Download the attachments the pane holds as pending.
    Download,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogAsk {
    Filter,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetupAsk {
    /// The body of a pending or failed step, edited before it runs.
    EditStep { step: usize },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ask {
    Root(RootAsk),
    Entities(EntitiesAsk),
    Conversation(ConversationAsk),
    Log(LogAsk),
    Setup(SetupAsk),
}

impl Ask {
    pub fn owner(&self) -> Owner {
        match self {
            Ask::Root(_) => Owner::Root,
            Ask::Entities(_) => Owner::Entities,
            Ask::Conversation(_) => Owner::Conversation,
            Ask::Log(_) => Owner::Log,
            Ask::Setup(_) => Owner::Setup,
        }
    }
}

impl From<RootAsk> for Ask {
    fn from(a: RootAsk) -> Self {
        Ask::Root(a)
    }
}
impl From<EntitiesAsk> for Ask {
    fn from(a: EntitiesAsk) -> Self {
        Ask::Entities(a)
    }
}
impl From<ConversationAsk> for Ask {
    fn from(a: ConversationAsk) -> Self {
        Ask::Conversation(a)
    }
}
impl From<LogAsk> for Ask {
    fn from(a: LogAsk) -> Self {
        Ask::Log(a)
    }
}
impl From<SetupAsk> for Ask {
    fn from(a: SetupAsk) -> Self {
        Ask::Setup(a)
    }
}
