//! The terminal console. One event loop ([`runtime`]), one pure root
//! [`update`] that only routes, and components in [`panes`] that each own
//! their state, their update, their view and their command table; popups
//! are a stack ([`popup`]) whose outcomes go back to the component that
//! opened them.

pub mod action;
pub mod app;
pub mod bundle_calls;
pub mod command;
pub mod cx;
pub mod effect;
pub mod guard;
pub mod keymap;
pub mod layout;
pub mod msg;
pub mod pager;
pub mod panes;
pub mod paste_burst;
pub mod popup;
pub mod runtime;
pub mod scenario_calls;
pub mod settings;
pub mod status;
pub mod terminal;
pub mod theme;
pub mod update;
pub mod view;
pub mod wrap;
