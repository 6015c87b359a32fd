//! The Conversation Manager API v3 client: models, auth, assets and exchange recording.

pub mod error;
pub mod models;

pub use error::{ApiError, ErrorBody};
