//! egain-console: a terminal console and a local sandbox hub for eGain's
//! Conversation Manager API v3.
//!
//! Layers: [`api`] (client, models, auth, assets, exchange recording),
//! [`sandbox`] (the local hub), [`callback`] (the console's callback
//! receiver), [`callback_takeover`] (pointing a tenant's role at the
//! console), [`conversation`], [`reqlog`], [`bundle`] (setups as code) and
//! [`scenario`] (conversation tests) never depend on the UI; [`connect`]
//! wires them up at start; [`cli`] and [`tui`] sit on top of them
//! (`tests/tui_layers.rs` checks the direction).

pub mod api;
pub mod bundle;
pub mod callback;
pub mod callback_takeover;
pub mod cli;
pub mod config;
pub mod connect;
pub mod conversation;
pub mod io_error;
pub mod notices;
pub mod panics;
pub mod private_file;
pub mod reqlog;
pub mod sandbox;
pub mod scenario;
pub mod schema;
pub mod serve;
pub mod setup;
pub mod signals;
pub mod templates;
pub mod tui;
