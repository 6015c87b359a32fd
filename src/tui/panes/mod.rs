//! The components: each owns its state, its update (keys, its API replies,
//! the outcomes of its popups), its view and its command table.
//!
//! | component | keymap context | keys handled in |
//! |---|---|---|
//! | Entities | `entities`, `entity_detail` | `entities/update.rs` |
//! | Conversation | `conversation`, `composer` | `conversation/update.rs` |
//! | Request log | `log`, `log_detail` | `log/mod.rs` |
//! | Scenarios | `scenarios` | `scenarios/update.rs` |
//! | Guided setup | `setup` | `setup/mod.rs` |

pub mod conversation;
pub mod entities;
pub mod log;
pub mod scenarios;
pub mod setup;
