//! Fault injection for tests and demos: added latency, a rate of 503
//! answers (a transient outage, which clients may retry), the first N API
//! requests failed deterministically, and short token lifetimes.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
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
    /// Share of API requests answered with 503 (0.0 to 1.0).
    pub failure_rate: f64,
    /// The first N API requests answer 503, whatever the rate: a
    /// deterministic outage for tests of client retries.
    pub fail_first: FailFirst,
    /// Lifetime of issued bearer tokens.
    pub token_lifetime: Duration,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            latency: Duration::ZERO,
            failure_rate: 0.0,
            fail_first: FailFirst::default(),
            token_lifetime: Duration::from_secs(3600),
        }
    }
}

/// Fail the first `n` requests (clones share the count, so one sandbox fails `n` in all).
#[derive(Debug, Clone, Default)]
pub struct FailFirst {
    n: u32,
    failed: Arc<AtomicU32>,
}

impl FailFirst {
    pub fn new(n: u32) -> Self {
        Self {
            n,
            failed: Arc::default(),
        }
    }

    /// Whether this request is one of the first `n`.
    fn take(&self) -> bool {
        self.n > 0
            && self
                .failed
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |done| {
                    (done < self.n).then_some(done + 1)
                })
                .is_ok()
    }
}

/// Middleware: delay, then maybe fail, then run the operation.
pub(super) async fn inject(State(state): State<SharedState>, req: Request, next: Next) -> Response {
    let faults = &state.config.faults;
    if !faults.latency.is_zero() {
        tokio::time::sleep(faults.latency).await;
    }
    if faults.fail_first.take() || (faults.failure_rate > 0.0 && rand::random::<f64>() < faults.failure_rate) {
        return HubError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            super::error::codes::UNAVAILABLE,
            "Injected failure (sandbox fault injection).",
        )
        .into_response();
    }
    next.run(req).await
}
