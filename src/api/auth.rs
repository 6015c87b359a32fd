//! Bearer tokens for API calls: OAuth2 client credentials (cached until
//! shortly before expiry, fetched once for concurrent callers) or a static
//! token. Token calls are recorded like any other exchange, redacted.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Deserialize;
use tokio::sync::RwLock;

use super::error::ApiError;
use super::exchange::{Direction, Exchange, ExchangeKind, Recorder, headers_of};
use super::secret::Secret;

/// The classic tenants' scope prefix.
pub const SCOPE_PREFIX: &str = "https://api.egain.cloud/auth/";

/// The four Conversation Manager scopes, bare.
pub const DEFAULT_SCOPES: [&str; 4] = [
    "app.conversation.conversationmgr.manage",
    "app.conversation.conversationmgr.read",
    "app.conversation.conversationmgr.interaction.manage",
    "app.conversation.conversationmgr.interaction.read",
];

/// How the client authenticates.
#[derive(Debug, Clone)]
pub enum AuthConfig {
    /// OAuth2 client credentials against a tenant's token URL.
    ClientCredentials {
        token_url: String,
        client_id: String,
        client_secret: Secret,
        /// Sent space-separated, as configured (bare or prefixed).
        scopes: Vec<String>,
    },
    /// A token obtained elsewhere; never refreshed.
    Bearer(Secret),
}

/// What the status line shows about the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenState {
    /// No token fetched yet.
    None,
    /// A token valid until the given instant.
    Valid { expires_at: Instant },
    /// A static bearer token (expiry unknown).
    Static,
    /// The last fetch failed.
    Failed(String),
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

struct Cached {
    token: Secret,
    refresh_at: Instant,
    expires_at: Instant,
}

/// The last failed fetch: callers until `retry_at` get its error without a
/// request, so a wrong secret costs one token request per back-off step,
/// not one per call (a lockout risk on a real tenant).
struct Failure {
    message: String,
    retry_at: Instant,
    /// The wait before the next attempt, doubled after each failure.
    backoff: Duration,
}

/// First and longest wait after a failed token request.
const BACKOFF_FIRST: Duration = Duration::from_secs(2);
const BACKOFF_MAX: Duration = Duration::from_secs(60);

#[derive(Default)]
struct Slot {
    token: Option<Cached>,
    failure: Option<Failure>,
}

impl Slot {
    /// The cached token while it is fresh, or the last failure while its
    /// backoff lasts; `None`: fetch.
    fn answer(&self) -> Option<Result<Secret, ApiError>> {
        let now = Instant::now();
        if let Some(c) = self.token.as_ref()
            && now < c.refresh_at
        {
            return Some(Ok(c.token.clone()));
        }
        let f = self.failure.as_ref().filter(|f| now < f.retry_at)?;
        let wait = f.retry_at.saturating_duration_since(now).as_secs() + 1;
        Some(Err(ApiError::Auth(format!(
            "{} (the token endpoint is asked again in {wait} s)",
            f.message
        ))))
    }
}

/// Hands out bearer tokens, fetching and caching as needed. Fetches are
/// single-flight (concurrent callers share one) and failures back off.
pub struct TokenSource {
    config: AuthConfig,
    /// Read by every call; written by the one fetch in flight, which callers
    /// arriving meanwhile wait for and are then released from together.
    cached: RwLock<Slot>,
    state: std::sync::Mutex<TokenState>,
}

impl TokenSource {
    pub fn new(config: AuthConfig) -> Self {
        let state = match config {
            AuthConfig::Bearer(_) => TokenState::Static,
            AuthConfig::ClientCredentials { .. } => TokenState::None,
        };
        Self {
            config,
            cached: RwLock::new(Slot::default()),
            state: std::sync::Mutex::new(state),
        }
    }

    pub fn state(&self) -> TokenState {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set_state(&self, state: TokenState) {
        *self.state.lock().unwrap_or_else(|e| e.into_inner()) = state;
    }

    /// Whether a 401 can be cured by fetching a new token.
    pub fn can_refresh(&self) -> bool {
        matches!(self.config, AuthConfig::ClientCredentials { .. })
    }

    /// A valid token, fetched if none is cached or the cached one is near expiry.
    pub async fn token(&self, http: &super::http::Http, recorder: &Arc<Recorder>) -> Result<Secret, ApiError> {
        let (token_url, client_id, client_secret, scopes) = match &self.config {
            AuthConfig::Bearer(token) => return Ok(token.clone()),
            AuthConfig::ClientCredentials {
                token_url,
                client_id,
                client_secret,
                scopes,
            } => (token_url, client_id, client_secret, scopes),
        };
        if let Some(answer) = self.cached.read().await.answer() {
            return answer;
        }
        // Holding the write lock across the fetch makes concurrent callers share one fetch.
        let mut slot = self.cached.write().await;
        if let Some(answer) = slot.answer() {
            return answer;
        }
        let fetched = match http.for_url(token_url) {
            Ok(http) => fetch(http, recorder, token_url, client_id, client_secret, scopes).await,
            Err(e) => Err(ApiError::Auth(format!("token request to {token_url}: {e}"))),
        };
        match fetched {
            Ok(fresh) => {
                self.set_state(TokenState::Valid {
                    expires_at: fresh.expires_at,
                });
                let token = fresh.token.clone();
                *slot = Slot {
                    token: Some(fresh),
                    failure: None,
                };
                Ok(token)
            }
            Err(e) => {
                let backoff = slot
                    .failure
                    .as_ref()
                    .map_or(BACKOFF_FIRST, |f| (f.backoff * 2).min(BACKOFF_MAX));
                let message = match &e {
                    ApiError::Auth(text) => text.clone(),
                    other => other.to_string(),
                };
                self.set_state(TokenState::Failed(message.clone()));
                *slot = Slot {
                    token: None,
                    failure: Some(Failure {
                        message,
                        retry_at: Instant::now() + backoff,
                        backoff,
                    }),
                };
                Err(e)
            }
        }
    }

    /// Forget the cached token if it is still `rejected` (a 401 answered it),
    /// so the next call fetches anew; a token another caller already
    /// refreshed is kept.
    pub async fn invalidate(&self, rejected: &Secret) {
        let mut slot = self.cached.write().await;
        if slot.token.as_ref().is_some_and(|c| &c.token == rejected) {
            slot.token = None;
        }
    }
}

async fn fetch(
    http: &reqwest::Client,
    recorder: &Arc<Recorder>,
    token_url: &str,
    client_id: &str,
    client_secret: &Secret,
    scopes: &[String],
) -> Result<Cached, ApiError> {
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", client_id),
        ("client_secret", client_secret.expose()),
        ("scope", &scopes.join(" ")),
    ];
    let request = http
        .post(token_url)
        .header(reqwest::header::ACCEPT, "application/json")
        .form(&form)
        .build()
        .map_err(|e| ApiError::Auth(format!("invalid token URL {token_url}: {e}")))?;
    let mut exchange = Exchange::begin(Direction::Outbound, ExchangeKind::Token, "POST", token_url);
    exchange.request_headers = headers_of(request.headers());
    if let Some(bytes) = request.body().and_then(|b| b.as_bytes()) {
        exchange.request_body = Some(recorder.capture(Some("application/x-www-form-urlencoded"), bytes));
    }
    let started = Instant::now();
    let result = async {
        let response = http.execute(request).await?;
        let status = response.status().as_u16();
        let headers = headers_of(response.headers());
        let bytes = response.bytes().await?;
        Ok::<_, reqwest::Error>((status, headers, bytes))
    }
    .await;
    exchange.duration = started.elapsed();
    let (status, headers, bytes) = match result {
        Ok(ok) => ok,
        Err(e) => {
            let err = ApiError::from_reqwest(&e);
            exchange.error = Some(err.to_string());
            recorder.record(exchange);
            return Err(ApiError::Auth(format!("token request to {token_url} failed: {err}")));
        }
    };
    exchange.status = Some(status);
    exchange.response_headers = headers;
    exchange.response_body = Some(recorder.capture(Some("application/json"), &bytes));
    recorder.record(exchange);
    if !(200..300).contains(&status) {
        let text = String::from_utf8_lossy(&bytes);
        let reason = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| {
                let e = v.get("error_description").or_else(|| v.get("error"))?;
                e.as_str().map(str::to_owned)
            })
            .unwrap_or_else(|| format!("HTTP {status}"));
        return Err(ApiError::Auth(format!("token endpoint refused: {reason}")));
    }
    let parsed: TokenResponse = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::Auth(format!("token response has no access_token: {e}")))?;
    let now = Instant::now();
    let lifetime = Duration::from_secs(parsed.expires_in.unwrap_or(3600));
    // Refresh a little early: 10% of the lifetime, at most a minute.
    let margin = (lifetime / 10).min(Duration::from_secs(60));
    Ok(Cached {
        token: Secret::new(parsed.access_token),
        refresh_at: now + lifetime - margin,
        expires_at: now + lifetime,
    })
}

/// Scope names as the token request sends them. A name that is already a URL
/// (contains `://`) is kept; a bare name gets `prefix` when one is given. Both
/// forms exist in the wild: classic tenants want `https://api.egain.cloud/auth/…`,
/// the newer "ai" tenants want bare names.
pub fn normalize_scopes(scopes: &[String], prefix: Option<&str>) -> Vec<String> {
    scopes
        .iter()
        .map(|s| match prefix {
            Some(p) if !s.contains("://") => format!("{p}{s}"),
            _ => s.clone(),
        })
        .collect()
}
