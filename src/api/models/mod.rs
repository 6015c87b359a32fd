//! Typed models of the Conversation Manager API v3.

pub mod asset;
pub mod common;
pub mod conversation;
pub mod entities;
pub mod kind;
pub mod references;

pub use asset::*;
pub use common::*;
pub use conversation::*;
pub use entities::*;
pub use kind::EntityKind;
