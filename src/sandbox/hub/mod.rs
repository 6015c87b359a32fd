//! The conversation hub (to be filled in).

use std::time::Duration;

use axum::Router;

use super::SharedState;

/// How the hub delivers and how the built-in counterparties behave.
#[derive(Debug, Clone)]
pub struct HubOptions {
    /// A callback must answer within this time (the spec's 5 seconds).
    pub delivery_timeout: Duration,
    /// Attempts per delivery before giving up (first try included).
    pub delivery_attempts: u32,
    /// Pause before a retry, doubled each time.
    pub retry_backoff: Duration,
    /// Delay before the built-in bot answers (it shows typing meanwhile).
    pub bot_delay: Duration,
    /// Delay before the built-in agent joins and answers.
    pub agent_delay: Duration,
    /// Where the demo seed points the customer and agent roles' callbacks
    /// (the console's receiver); `None` uses the sandbox's own inbox routes.
    pub demo_callback_base: Option<String>,
}

impl Default for HubOptions {
    fn default() -> Self {
        Self {
            delivery_timeout: Duration::from_secs(5),
            delivery_attempts: 3,
            retry_backoff: Duration::from_millis(200),
            bot_delay: Duration::from_millis(300),
            agent_delay: Duration::from_millis(600),
            demo_callback_base: None,
        }
    }
}

/// Live conversations.
pub struct Hub {}

impl Hub {
    pub fn new(_options: &HubOptions) -> Self {
        Self {}
    }
}

pub fn routes() -> Router<SharedState> {
    Router::new()
}

pub fn counterparty_routes() -> Router<SharedState> {
    Router::new()
}

pub fn spawn_background(_state: &SharedState) {}
