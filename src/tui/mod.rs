//! The terminal console: one event loop, one `update`, pure rendering.

pub mod action;
pub mod app;
pub mod conversation_flow;
pub mod effect;
pub mod keymap;
pub mod modal;
pub mod msg;
pub mod panes;
pub mod runtime;
pub mod settings;
pub mod terminal;
pub mod theme;
pub mod update;
pub mod view;
