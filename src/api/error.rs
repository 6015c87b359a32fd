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
    /// Connection, DNS, TLS or protocol failure, in plain words (see [`transport_text`]).
    #[error("{0}")]
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
    #[error("{0}")]
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

    /// Classify a reqwest failure as timeout or transport, in plain words.
    pub fn from_reqwest(err: &reqwest::Error) -> Self {
        let target = err.url().map(target_of).unwrap_or_else(|| "the server".into());
        if err.is_timeout() {
            ApiError::Timeout(format!(
                "no answer from {target} in time — the tenant may be slow or unreachable; try again"
            ))
        } else if err.is_decode() {
            ApiError::Decode(err.to_string())
        } else {
            ApiError::Transport(transport_text(&target, &error_chain(err)))
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

/// `host:port` of a URL, as a person would name the server.
fn target_of(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or("?");
    match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

/// A transport failure as one plain sentence: what happened with which
/// server, and what to check. `chain` is the library's error text, whose
/// last part (the OS's or TLS library's reason) is kept when nothing more
/// specific is recognised.
pub fn transport_text(target: &str, chain: &str) -> String {
    let lower = chain.to_ascii_lowercase();
    let has = |needle: &str| lower.contains(needle);
    if has("connection refused") {
        format!("connection refused by {target} — is the tenant URL right, and is the server running?")
    } else if has("dns error") || has("failed to lookup address") || has("name or service not known") {
        format!("cannot resolve the host of {target} — check the URL's host name (and your VPN or DNS)")
    } else if has("certificate") || has("tls handshake") || has("invalid peer") || has("unknownissuer") {
        let reason = chain.rsplit(": ").next().unwrap_or(chain);
        format!(
            "TLS with {target} failed ({reason}) — check the URL is the tenant's, or that your proxy's \
             certificate is in the system store"
        )
    } else if has("connection reset") || has("broken pipe") || has("connection closed") {
        format!("{target} closed the connection — a proxy or the server dropped it; try again")
    } else if has("network is unreachable") || has("no route to host") {
        format!("no network route to {target} — check your connection or VPN")
    } else {
        let reason = chain.rsplit(": ").next().unwrap_or(chain);
        format!("cannot reach {target}: {reason}")
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

#[cfg(test)]
mod tests {
    use super::transport_text;

    #[test]
    fn transport_errors_in_plain_words() {
        let refused = transport_text(
            "127.0.0.1:8080",
            "error sending request for url (http://127.0.0.1:8080/x): client error (Connect): tcp connect error: Connection refused (os error 111)",
        );
        assert_eq!(
            refused,
            "connection refused by 127.0.0.1:8080 — is the tenant URL right, and is the server running?"
        );
        let dns = transport_text(
            "nope.invalid:443",
            "error sending request: dns error: failed to lookup address information",
        );
        assert!(dns.starts_with("cannot resolve the host of nope.invalid:443"), "{dns}");
        let other = transport_text("h:1", "error sending request for url (http://h:1/): weird: the reason");
        assert_eq!(other, "cannot reach h:1: the reason");
        assert!(!other.contains("error sending request"));
    }
}
