//! The HTTP clients behind [`super::Client`]. Building a TLS client loads
//! the system certificate store, which was most of the console's start-up
//! CPU, and the embedded sandbox speaks plain http: so plain `http://` URLs
//! get a client built with no certificate store at all, and the TLS client
//! is built once, on the first `https://` URL, and shared by every clone.

use std::sync::OnceLock;
use std::time::Duration;

use super::error::ApiError;

const USER_AGENT: &str = concat!("egain-console/", env!("CARGO_PKG_VERSION"));
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A plain client now and a TLS client on demand.
pub struct Http {
    timeout: Duration,
    plain: reqwest::Client,
    tls: OnceLock<Result<reqwest::Client, String>>,
}

impl Http {
    /// `timeout` applies to each request (transfers set their own).
    pub fn new(timeout: Duration) -> Result<Self, ApiError> {
        let plain = builder(timeout)
            // No roots: this client never verifies a certificate, it only speaks http.
            .tls_certs_only(Vec::new())
            .build()
            .map_err(|e| ApiError::Transport(format!("cannot set up the HTTP client: {e}")))?;
        Ok(Self {
            timeout,
            plain,
            tls: OnceLock::new(),
        })
    }

    /// The client for `url`: the TLS one (built now if need be) for anything but `http://`.
    pub fn for_url(&self, url: &str) -> Result<&reqwest::Client, ApiError> {
        if url.get(..7).is_some_and(|s| s.eq_ignore_ascii_case("http://")) {
            return Ok(&self.plain);
        }
        self.tls
            .get_or_init(|| {
                builder(self.timeout)
                    .build()
                    .map_err(|e| format!("cannot set up TLS (system certificate store): {e}"))
            })
            .as_ref()
            .map_err(|e| ApiError::Transport(e.clone()))
    }

    /// Whether the TLS client (and so the certificate store) has been loaded.
    pub fn tls_loaded(&self) -> bool {
        self.tls.get().is_some()
    }
}

fn builder(timeout: Duration) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(CONNECT_TIMEOUT)
        .user_agent(USER_AGENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_urls_never_load_the_certificate_store() {
        let http = Http::new(Duration::from_secs(5)).expect("http");
        http.for_url("http://127.0.0.1:1/x").expect("plain");
        http.for_url("HTTP://example.test/").expect("plain");
        assert!(!http.tls_loaded());
        let a: *const reqwest::Client = http.for_url("https://example.test/").expect("tls");
        let b: *const reqwest::Client = http.for_url("https://other.test/").expect("tls");
        assert!(http.tls_loaded());
        assert_eq!(a, b, "built once");
    }
}
