//! egain-console: a terminal console and a local sandbox hub for eGain's
//! Conversation Manager API v3.
//!
//! Layers: [`api`] (client, models, auth, assets, exchange recording),
//! [`callback_takeover`] (pointing a tenant's role at the console) and
//! [`sandbox`] (the local hub) never depend on the UI.

pub mod api;
pub mod callback_takeover;
pub mod cli;
pub mod config;
pub mod reqlog;
pub mod sandbox;
pub mod schema;
pub mod setup;
pub mod templates;
pub mod tui;
