//! Exchange recording: every HTTP exchange becomes an [`Exchange`] published
//! to subscribers (the request log pane, tests). Secrets are redacted and
//! large bodies truncated here, at recording time, so nothing downstream can
//! leak what it never received.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::mpsc;

use super::redact;

/// Who started the exchange: the console (outbound) or a peer calling the
/// console's callback receiver (inbound).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Outbound,
    Inbound,
}

/// What an exchange was for, to label it in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExchangeKind {
    Api,
    Token,
    Upload,
    Download,
    Callback,
}

/// A recorded body: redacted text, possibly truncated, with its true size.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecordedBody {
    pub text: String,
    /// Size of the whole body in bytes, even when `text` holds less.
    pub size: u64,
    pub truncated: bool,
    /// Not text: `text` describes it instead of holding it.
    pub binary: bool,
}

impl RecordedBody {
    /// Record `bytes`, redacted by content type and cut to `limit` bytes.
    pub fn capture(content_type: Option<&str>, bytes: &[u8], limit: usize) -> Self {
        let size = bytes.len() as u64;
        match std::str::from_utf8(bytes) {
            Ok(text) => {
                let redacted = redact::body_text(content_type, text);
                let truncated = redacted.len() > limit;
                let text = if truncated {
                    let mut end = limit;
                    while !redacted.is_char_boundary(end) {
                        end -= 1;
                    }
                    redacted[..end].to_owned()
                } else {
                    redacted
                };
                Self {
                    text,
                    size,
                    truncated,
                    binary: false,
                }
            }
            Err(_) => Self::binary(content_type, size),
        }
    }

    /// Describe a body that is not kept (binary or streamed).
    pub fn binary(content_type: Option<&str>, size: u64) -> Self {
        Self {
            text: format!("<{size} bytes of {}>", content_type.unwrap_or("binary data")),
            size,
            truncated: false,
            binary: true,
        }
    }
}

/// One HTTP request and its answer (or failure).
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange {
    /// Unique, increasing per recorder.
    pub id: u64,
    pub direction: Direction,
    pub kind: ExchangeKind,
    /// When the request started.
    pub started: jiff::Timestamp,
    /// Time to the end of the answer (or the failure).
    pub duration: Duration,
    pub method: String,
    /// Redacted URL.
    pub url: String,
    pub request_headers: Vec<(String, String)>,
    pub request_body: Option<RecordedBody>,
    /// `None` when no answer arrived.
    pub status: Option<u16>,
    pub response_headers: Vec<(String, String)>,
    pub response_body: Option<RecordedBody>,
    /// Transport error, timeout or cancellation.
    pub error: Option<String>,
}

impl Exchange {
    /// A blank record for a request about to start; `id` is set on recording.
    pub fn begin(direction: Direction, kind: ExchangeKind, method: &str, url: &str) -> Self {
        Self {
            id: 0,
            direction,
            kind,
            started: jiff::Timestamp::now(),
            duration: Duration::ZERO,
            method: method.to_owned(),
            url: redact::url(url),
            request_headers: Vec::new(),
            request_body: None,
            status: None,
            response_headers: Vec::new(),
            response_body: None,
            error: None,
        }
    }

    /// Path and query of the URL, for one-line display.
    pub fn path(&self) -> &str {
        match self.url.find("://") {
            Some(i) => {
                let rest = &self.url[i + 3..];
                rest.find('/').map(|j| &rest[j..]).unwrap_or("/")
            }
            None => &self.url,
        }
    }
}

/// Redacted copy of a header map.
pub fn headers_of(map: &reqwest::header::HeaderMap) -> Vec<(String, String)> {
    map.iter()
        .map(|(k, v)| {
            let value = String::from_utf8_lossy(v.as_bytes());
            (k.as_str().to_owned(), redact::header_value(k.as_str(), &value))
        })
        .collect()
}

/// Publishes exchanges to every subscriber.
#[derive(Debug)]
pub struct Recorder {
    next_id: AtomicU64,
    subscribers: Mutex<Vec<mpsc::UnboundedSender<Exchange>>>,
    /// Largest body text kept per exchange.
    body_limit: usize,
}

/// Default cap on recorded body text (bytes).
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

impl Default for Recorder {
    fn default() -> Self {
        Self::new(DEFAULT_BODY_LIMIT)
    }
}

impl Recorder {
    pub fn new(body_limit: usize) -> Self {
        Self {
            next_id: AtomicU64::new(1),
            subscribers: Mutex::new(Vec::new()),
            body_limit,
        }
    }

    pub fn body_limit(&self) -> usize {
        self.body_limit
    }

    /// A new stream of every exchange recorded from now on.
    pub fn subscribe(&self) -> mpsc::UnboundedReceiver<Exchange> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.subscribers.lock().unwrap_or_else(|e| e.into_inner()).push(tx);
        rx
    }

    /// Assign an id and publish; subscribers that went away are dropped.
    pub fn record(&self, mut exchange: Exchange) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        exchange.id = id;
        let mut subs = self.subscribers.lock().unwrap_or_else(|e| e.into_inner());
        subs.retain(|tx| tx.send(exchange.clone()).is_ok());
        id
    }

    /// Capture a body under this recorder's size limit.
    pub fn capture(&self, content_type: Option<&str>, bytes: &[u8]) -> RecordedBody {
        RecordedBody::capture(content_type, bytes, self.body_limit)
    }
}
