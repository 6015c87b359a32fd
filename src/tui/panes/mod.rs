//! The panes: their state and how they react to actions and API replies.

pub mod conversation;
pub mod entities;
pub mod log;
