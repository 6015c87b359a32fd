//! Fault injection for tests and demos: added latency, a rate of 5xx
//! answers and short token lifetimes.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::SharedState;
use super::error::HubError;

/// Faults applied to API operations (not to the token endpoint or uploads).
#[derive(Debug, Clone)]
pub struct Faults {
    /// Added before every API answer.
    pub latency: Duration,
    /// Share of API requests answered with 500 (0.0 to 1.0).
    pub failure_rate: f64,
    /// Lifetime of issued bearer tokens.
    pub token_lifetime: Duration,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            latency: Duration::ZERO,
            failure_rate: 0.0,
            token_lifetime: Duration::from_secs(3600),
        }
    }
}

/// Middleware: delay, then maybe fail, then run the operation.
pub(super) async fn inject(State(state): State<SharedState>, req: Request, next: Next) -> Response {
    let faults = &state.config.faults;
    if !faults.latency.is_zero() {
        tokio::time::sleep(faults.latency).await;
    }
    if faults.failure_rate > 0.0 && rand::random::<f64>() < faults.failure_rate {
        return HubError::internal("Injected failure (sandbox fault injection).").into_response();
    }
    next.run(req).await
}
