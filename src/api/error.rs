//! Errors the client reports: the eGain error body for API failures, kept
//! apart from transport failures and timeouts so callers can tell them apart.

use serde::{Deserialize, Serialize};

/// One `details[]` entry of an eGain error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// The body of every 4xx/5xx answer: `{code, developerMessage, details?, userMessage?}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    pub code: String,
    #[serde(default)]
    pub developer_message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ErrorDetail>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_message: Option<String>,
}

impl ErrorBody {
    pub fn new(code: impl Into<String>, developer_message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            developer_message: developer_message.into(),
            details: Vec::new(),
            user_message: None,
        }
    }
}

/// Everything a client call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The server answered with an error status.
    #[error("{status} {}: {}", body.as_ref().map(|b| b.code.as_str()).unwrap_or("-"), message_of(.body, .raw))]
    Api {
        status: u16,
        /// Parsed eGain error body, when the answer carried one.
        body: Option<ErrorBody>,
        /// The raw answer text when it was not an eGain error body.
        raw: String,
    },
    /// The request did not finish in time.
    #[error("timed out: {0}")]
    Timeout(String),
    /// Connection, DNS, TLS or protocol failure.
    #[error("transport error: {0}")]
    Transport(String),
    /// The answer arrived but could not be understood.
    #[error("unexpected response: {0}")]
    Decode(String),
    /// Refused before any network call (bad input, read-only profile, ...).
    #[error("{0}")]
    Invalid(String),
    /// Refused because the profile is read-only.
    #[error("read-only profile: {0} is disabled")]
    ReadOnly(String),
    /// Token acquisition failed.
    #[error("authentication failed: {0}")]
    Auth(String),
    /// Local file problem during an asset transfer.
    #[error("file error: {0}")]
    Io(String),
    /// The caller cancelled the operation.
    #[error("cancelled")]
    Cancelled,
}

fn message_of(body: &Option<ErrorBody>, raw: &str) -> String {
    match body {
        Some(b) => b.developer_message.clone(),
        None if raw.is_empty() => "(no body)".to_owned(),
        None => raw.chars().take(200).collect(),
    }
}

impl ApiError {
    /// HTTP status for API errors.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// eGain error code (`400-143`, ...) for API errors that carried one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Api { body: Some(b), .. } => Some(&b.code),
            _ => None,
        }
    }

    /// Classify a reqwest failure as timeout or transport.
    pub fn from_reqwest(err: &reqwest::Error) -> Self {
        if err.is_timeout() {
            ApiError::Timeout(err.to_string())
        } else if err.is_decode() {
            ApiError::Decode(err.to_string())
        } else {
            ApiError::Transport(error_chain(err))
        }
    }

    /// Build from an error status and its body text.
    pub fn from_status(status: u16, text: &str) -> Self {
        let body = serde_json::from_str::<ErrorBody>(text).ok();
        ApiError::Api {
            status,
            body,
            raw: text.to_owned(),
        }
    }
}

/// Render an error with its sources, which reqwest hides behind `Display`.
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}
