//! The Conversation Manager API v3 client: models, auth, assets and exchange
//! recording. Nothing here depends on the UI.

pub mod auth;
pub mod client;
pub mod error;
pub mod exchange;
pub mod http;
pub mod models;
pub mod redact;
pub mod retry;
pub mod secret;
pub mod transfer;

pub use auth::{AuthConfig, TokenState};
pub use client::{Client, ClientConfig, Paging};
pub use error::{ApiError, ErrorBody};
pub use exchange::{Direction, Exchange, ExchangeKind, RecordedBody, Recorder};
pub use retry::RetryPolicy;
pub use secret::Secret;

/// Path of the Conversation Manager API under a tenant's (or the sandbox's) root.
pub const API_BASE_PATH: &str = "/conversation/conversationmgr/v3";
