//! The `Authorization` value a callback gets, produced from the role's
//! Authentication object: Basic credentials, or an oauth2 bearer token the
//! hub fetches as configured and reuses until a callback answers 401.

use std::collections::HashMap;
use std::sync::Mutex;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

use super::token_path;
use crate::api::models::{AuthType, Authentication, OAuth2Settings};
use crate::sandbox::SharedState;

/// Bearer tokens fetched for oauth2 Authentications.
#[derive(Default)]
pub(super) struct TokenCache {
    tokens: Mutex<HashMap<String, String>>,
}

impl TokenCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        self.tokens.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Drop a token the callback refused, so the next use fetches anew.
    pub fn forget(&self, key: &str) {
        self.lock().remove(key);
    }
}

/// Cache key of an Authentication: its id and `modified`, so editing the
/// object (new URL, new credentials) also means a new token.
pub(super) fn cache_key(auth: &Authentication) -> String {
    format!(
        "{}@{}",
        auth.meta.id.as_deref().unwrap_or(&auth.name),
        auth.meta.modified.as_deref().unwrap_or("")
    )
}

/// The header value for `auth` (none without an Authentication). Marked
/// sensitive so it never shows in debug output.
pub(super) async fn authorization(
    state: &SharedState,
    auth: Option<&Authentication>,
) -> Result<Option<HeaderValue>, String> {
    let Some(auth) = auth else {
        return Ok(None);
    };
    let value = match &auth.auth_type {
        AuthType::Basic => {
            let basic = auth
                .basic_auth
                .as_ref()
                .ok_or_else(|| format!("authentication {:?} is basic but has no basicAuth", auth.name))?;
            format!(
                "Basic {}",
                STANDARD.encode(format!("{}:{}", basic.username, basic.password))
            )
        }
        AuthType::OAuth2 => {
            let settings = auth
                .oauth2
                .as_ref()
                .ok_or_else(|| format!("authentication {:?} is oauth2 but has no oauth2 settings", auth.name))?;
            let key = cache_key(auth);
            let cached = state.hub.tokens.lock().get(&key).cloned();
            let token = match cached {
                Some(token) => token,
                None => {
                    let token = fetch_token(state, settings).await?;
                    state.hub.tokens.lock().insert(key, token.clone());
                    token
                }
            };
            format!("Bearer {token}")
        }
        AuthType::Other(kind) => return Err(format!("authentication type {kind:?} is not supported")),
    };
    let mut value =
        HeaderValue::from_str(&value).map_err(|_| "the credentials are not a valid header value".to_owned())?;
    value.set_sensitive(true);
    Ok(Some(value))
}

/// Call the token endpoint exactly as configured and read the token at
/// `accessTokenPath` (standard `$.access_token` when none is set).
async fn fetch_token(state: &SharedState, settings: &OAuth2Settings) -> Result<String, String> {
    let url = &settings.token_request_url;
    if url.is_empty() {
        return Err("the oauth2 Authentication has no tokenRequestUrl, so the hub cannot fetch a token".into());
    }
    let method = settings.method.as_deref().unwrap_or("POST").to_ascii_uppercase();
    let method =
        reqwest::Method::from_bytes(method.as_bytes()).map_err(|_| format!("invalid oauth2 method {method:?}"))?;
    let mut headers = HeaderMap::new();
    for h in &settings.headers {
        let name =
            HeaderName::from_bytes(h.name.as_bytes()).map_err(|_| format!("invalid oauth2 header {:?}", h.name))?;
        let value =
            HeaderValue::from_str(&h.value).map_err(|_| format!("invalid value for oauth2 header {:?}", h.name))?;
        headers.append(name, value);
    }
    let mut request = state
        .http
        .for_url(url)
        .map_err(|e| e.to_string())?
        .request(method, url)
        .timeout(state.hub.options.delivery_timeout);
    if let Some(payload) = &settings.payload {
        // The payload is raw text; label it as what it looks like unless the
        // Authentication sets its own Content-Type.
        if !headers.contains_key(CONTENT_TYPE) {
            let kind = if serde_json::from_str::<Value>(payload).is_ok() {
                "application/json"
            } else {
                "application/x-www-form-urlencoded"
            };
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(kind));
        }
        request = request.body(payload.clone());
    }
    let response = request
        .headers(headers)
        .send()
        .await
        .map_err(|e| format!("token request to {url} failed: {}", super::delivery::describe(&e)))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("token request to {url} answered {status}"));
    }
    let body: Value = response
        .json()
        .await
        .map_err(|e| format!("token response from {url} is not JSON: {e}"))?;
    let path = settings.access_token_path.as_deref().unwrap_or("$.access_token");
    match token_path::select(&body, path)? {
        Some(Value::String(token)) if !token.is_empty() => Ok(token.clone()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        _ => Err(format!("token response from {url} has no token at {path}")),
    }
}
