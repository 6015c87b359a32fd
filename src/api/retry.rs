//! Retrying transient failures, for requests that may be sent twice.
//!
//! Reads (`GET`, `HEAD`) are retried when the hub or a proxy said "not
//! now" (429, 502, 503, 504) or the connection failed (refused, reset,
//! closed, timed out). `PUT` and `DELETE` are retried only when the first
//! attempt certainly did nothing: a 429 or 503 answer, or a connection
//! that was never made. After a lost answer the first may have landed, and
//! a repeat would not be harmless in the user's eyes: the spec's updates
//! carry the `modified` they were read with, so the repeat is refused as
//! stale (400-150), and a repeated delete answers 404. `POST` is never
//! retried: it creates objects and sends messages, and a live tenant would
//! get a duplicate when the first attempt arrived but its answer did not.
//! A failed send stays failed, with the console's manual retry.
//!
//! Waits grow exponentially with jitter, a `Retry-After` answer is honoured
//! when it is short, and no attempt starts once the call has run for
//! [`RetryPolicy::max_elapsed`]. Every attempt is its own exchange in the
//! request log; one that is retried says so in its `error`.

use std::time::Duration;

use reqwest::Method;
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// How often and how patiently a call is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1: never retry).
    pub attempts: u32,
    /// Wait before the first retry; doubled for each further one.
    pub base_delay: Duration,
    /// Longest computed wait between attempts.
    pub max_delay: Duration,
    /// Longest `Retry-After` honoured: a hub asking for more is not retried
    /// (the user hears the answer instead of a frozen call).
    pub max_retry_after: Duration,
    /// No new attempt starts once the call has run this long (a timed-out
    /// attempt already took the whole request timeout).
    pub max_elapsed: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 3,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(2),
            max_retry_after: Duration::from_secs(10),
            max_elapsed: Duration::from_secs(60),
        }
    }
}

/// A failed attempt, as far as retrying cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// An answer with this status, and its `Retry-After` if it had one.
    Status { status: u16, retry_after: Option<Duration> },
    /// No connection was made: the request was never sent.
    Refused,
    /// The connection failed after the request may have been sent: reset, closed, timed out.
    Dropped,
    /// Anything else (a TLS or DNS failure, a bad URL): retrying will not help.
    Other,
}

impl Failure {
    /// Classify a failed exchange of reqwest.
    pub fn of_reqwest(err: &reqwest::Error) -> Self {
        if err.is_connect() && !err.is_timeout() {
            return Failure::Refused;
        }
        if err.is_timeout() {
            return Failure::Dropped;
        }
        let chain = super::error::error_chain(err).to_ascii_lowercase();
        let dropped = [
            "connection reset",
            "connection closed",
            "broken pipe",
            "connection aborted",
        ];
        if dropped.iter().any(|d| chain.contains(d)) || chain.contains("incomplete message") {
            Failure::Dropped
        } else {
            Failure::Other
        }
    }
}

/// How far a method may be repeated (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// After any transient failure.
    Always,
    /// Only after a failure that shows the first attempt did nothing.
    IfNotCarriedOut,
    Never,
}

pub fn repeat_of(method: &Method) -> Repeat {
    if *method == Method::GET || *method == Method::HEAD {
        Repeat::Always
    } else if *method == Method::PUT || *method == Method::DELETE {
        Repeat::IfNotCarriedOut
    } else {
        Repeat::Never
    }
}

impl Failure {
    /// Worth another attempt at all.
    fn transient(self) -> bool {
        match self {
            Failure::Status { status, .. } => matches!(status, 429 | 502 | 503 | 504),
            Failure::Refused | Failure::Dropped => true,
            Failure::Other => false,
        }
    }

    /// Shows the hub did not carry the request out.
    fn not_carried_out(self) -> bool {
        match self {
            Failure::Status { status, .. } => matches!(status, 429 | 503),
            Failure::Refused => true,
            Failure::Dropped | Failure::Other => false,
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub const NEVER: Self = Self {
        attempts: 1,
        base_delay: Duration::ZERO,
        max_delay: Duration::ZERO,
        max_retry_after: Duration::ZERO,
        max_elapsed: Duration::ZERO,
    };

    /// The wait before the next attempt after attempt `done` (1-based) of
    /// `method` failed with `failure`, the call having run for `elapsed`;
    /// `None`: give up and report this failure. `jitter` is in `[0, 1)`.
    pub fn next_delay(
        &self,
        method: &Method,
        done: u32,
        failure: Failure,
        elapsed: Duration,
        jitter: f64,
    ) -> Option<Duration> {
        let allowed = match repeat_of(method) {
            Repeat::Always => failure.transient(),
            Repeat::IfNotCarriedOut => failure.transient() && failure.not_carried_out(),
            Repeat::Never => false,
        };
        if done >= self.attempts || !allowed {
            return None;
        }
        let delay = match failure {
            Failure::Status {
                retry_after: Some(asked),
                ..
            } => {
                if asked > self.max_retry_after {
                    return None;
                }
                asked
            }
            _ => {
                let exp = self
                    .base_delay
                    .saturating_mul(1 << (done - 1).min(16))
                    .min(self.max_delay);
                // "Equal jitter": half the wait fixed, half random, so clients spread out.
                exp / 2 + exp.mul_f64(jitter.clamp(0.0, 1.0) / 2.0)
            }
        };
        (elapsed.saturating_add(delay) < self.max_elapsed).then_some(delay)
    }
}

/// `Retry-After` as a wait: delta seconds, or an HTTP date (a date in the past is no wait).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = text.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = jiff::fmt::rfc2822::parse(text).ok()?.timestamp();
    let wait = when.duration_since(jiff::Timestamp::now());
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}

/// What a retried attempt's exchange says, so the request log shows why another follows.
pub fn note(done: u32, attempts: u32, delay: Duration, what: &str) -> String {
    format!(
        "{what}; retried (attempt {done} of {attempts}), next in {} ms",
        delay.as_millis()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: RetryPolicy = RetryPolicy {
        attempts: 3,
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_millis(300),
        max_retry_after: Duration::from_secs(5),
        max_elapsed: Duration::from_secs(60),
    };

    fn unavailable(retry_after: Option<Duration>) -> Failure {
        Failure::Status {
            status: 503,
            retry_after,
        }
    }

    #[test]
    fn reads_are_retried_on_transient_answers_with_growing_jittered_waits() {
        let get = Method::GET;
        let zero = Duration::ZERO;
        assert_eq!(
            P.next_delay(&get, 1, unavailable(None), zero, 0.0),
            Some(Duration::from_millis(50))
        );
        assert_eq!(
            P.next_delay(&get, 1, unavailable(None), zero, 0.999)
                .map(|d| d.as_millis()),
            Some(99)
        );
        assert_eq!(
            P.next_delay(&get, 2, Failure::Dropped, zero, 0.0),
            Some(Duration::from_millis(100))
        );
        assert_eq!(
            P.next_delay(&get, 3, unavailable(None), zero, 0.0),
            None,
            "three attempts in all"
        );
        for status in [429, 502, 504] {
            let failure = Failure::Status {
                status,
                retry_after: None,
            };
            assert!(P.next_delay(&get, 1, failure, zero, 0.5).is_some(), "{status}");
        }
        for status in [400, 401, 404, 409, 500] {
            let failure = Failure::Status {
                status,
                retry_after: None,
            };
            assert_eq!(P.next_delay(&get, 1, failure, zero, 0.5), None, "{status}");
        }
        assert_eq!(P.next_delay(&get, 1, Failure::Other, zero, 0.5), None);
    }

    #[test]
    fn waits_are_capped_and_the_call_has_a_time_budget() {
        let mut many = P;
        many.attempts = 10;
        let wait = many.next_delay(&Method::GET, 8, Failure::Dropped, Duration::ZERO, 0.999);
        assert!(wait.is_some_and(|d| d <= P.max_delay), "{wait:?}");
        let late = P.max_elapsed - Duration::from_millis(10);
        assert_eq!(P.next_delay(&Method::GET, 1, Failure::Dropped, late, 0.5), None);
    }

    #[test]
    fn retry_after_is_honoured_when_short_and_refused_when_long() {
        let get = Method::GET;
        let asked = unavailable(Some(Duration::from_secs(2)));
        assert_eq!(
            P.next_delay(&get, 1, asked, Duration::ZERO, 0.9),
            Some(Duration::from_secs(2))
        );
        let too_long = unavailable(Some(Duration::from_secs(120)));
        assert_eq!(P.next_delay(&get, 1, too_long, Duration::ZERO, 0.9), None);

        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, "3".parse().expect("header"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(3)));
        headers.insert(RETRY_AFTER, "Wed, 21 Oct 2015 07:28:00 GMT".parse().expect("header"));
        assert_eq!(retry_after(&headers), Some(Duration::ZERO), "a past date: no wait");
        headers.insert(RETRY_AFTER, "soon".parse().expect("header"));
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn posts_are_never_repeated_and_writes_only_when_nothing_was_done() {
        let zero = Duration::ZERO;
        for method in [Method::POST, Method::PATCH] {
            for failure in [unavailable(None), Failure::Refused, Failure::Dropped] {
                assert_eq!(
                    P.next_delay(&method, 1, failure, zero, 0.5),
                    None,
                    "{method} {failure:?}"
                );
            }
        }
        let status = |status| Failure::Status {
            status,
            retry_after: None,
        };
        for method in [Method::PUT, Method::DELETE] {
            for failure in [status(503), status(429), Failure::Refused] {
                assert!(
                    P.next_delay(&method, 1, failure, zero, 0.5).is_some(),
                    "{method} {failure:?}"
                );
            }
            // The first may have landed: a repeat would be refused as stale, or answer 404.
            for failure in [status(502), status(504), Failure::Dropped] {
                assert_eq!(
                    P.next_delay(&method, 1, failure, zero, 0.5),
                    None,
                    "{method} {failure:?}"
                );
            }
        }
        assert!(P.next_delay(&Method::HEAD, 1, Failure::Dropped, zero, 0.5).is_some());
        assert_eq!(
            RetryPolicy::NEVER.next_delay(&Method::GET, 1, unavailable(None), Duration::ZERO, 0.5),
            None
        );
    }
}
