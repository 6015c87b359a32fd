//! Everything that can change the console's state arrives as a [`Msg`] on
//! one queue: terminal input, API results, recorded exchanges, timers.

use crossterm::event::{KeyEvent, MouseEvent};
use serde_json::Value;

use crate::api::models::{AssetDownloadTicket, EntityKind, Page};
use crate::api::{ApiError, Exchange, TokenState};

/// One event for [`super::update::update`].
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Paste(String),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// An HTTP exchange the client recorded.
    Exchange(Box<Exchange>),
    /// The answer to an [`super::effect::Effect`] that called the API.
    Api(ApiReply),
    /// The token's state after a call (for the status line).
    Token(TokenState),
    /// Spinner tick; only scheduled while something is in flight.
    Tick,
    /// `$EDITOR` returned: the edited text, or why it failed.
    ExternalEdit(Result<String, String>),
    /// A file was written (curl command, HAR export), or failed to be.
    Saved(Result<String, String>),
}

/// Results of API effects, tagged with what they were for.
#[derive(Debug)]
pub enum ApiReply {
    Listed {
        kind: EntityKind,
        result: Result<Page<Value>, ApiError>,
    },
    Fetched {
        kind: EntityKind,
        id: String,
        result: Result<Value, ApiError>,
    },
    Created {
        kind: EntityKind,
        result: Result<String, ApiError>,
    },
    Updated {
        kind: EntityKind,
        id: String,
        result: Result<(), ApiError>,
    },
    Deleted {
        kind: EntityKind,
        id: String,
        result: Result<(), ApiError>,
    },
    Asset {
        id: String,
        result: Result<AssetDownloadTicket, ApiError>,
    },
    /// A guided-setup step finished.
    SetupStep {
        step: usize,
        result: Result<String, ApiError>,
    },
}
